package onnxgraph

import (
	"runtime"
	"testing"
	"time"
)

// chainModel builds a model whose main graph is a chain of n Relu nodes.
func chainModel(tb testing.TB, n int) *Model { return chain(tb, n, false) }

// chain builds the chain; typed declares every value's type, so that the
// type rules have work to do.
func chain(tb testing.TB, n int, typed bool) *Model {
	tb.Helper()
	m := NewModel(8, map[string]int64{"": 17})
	g := m.Graph()
	typ := TensorType(Float, Dims(1, 16))
	v, err := g.AddInput("x", typ)
	if err != nil {
		tb.Fatal(err)
	}
	for i := 0; i < n; i++ {
		node, err := g.AddNode("Relu", []*Value{v}, []string{"v" + itoa(i)})
		if err != nil {
			tb.Fatal(err)
		}
		node.SetName("relu" + itoa(i))
		v = node.Output(0)
		if typed {
			v.SetType(typ)
		}
	}
	if err := g.AddOutput(v, typ); err != nil {
		tb.Fatal(err)
	}
	return m
}

// BenchmarkValidate100k validates a 100k-node chain.
func BenchmarkValidate100k(b *testing.B) {
	m := chainModel(b, 100_000)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if r := m.Validate(nil); !r.Valid() {
			b.Fatal(r)
		}
	}
}

// BenchmarkValidate100kTyped validates a 100k-node chain whose values all
// have declared types.
func BenchmarkValidate100kTyped(b *testing.B) {
	m := chain(b, 100_000, true)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if r := m.Validate(nil); !r.Valid() {
			b.Fatal(r)
		}
	}
}

// BenchmarkValidate100kUnnamed validates a 100k-node chain whose nodes
// have no names (a node is then named by its index, found by a scan).
func BenchmarkValidate100kUnnamed(b *testing.B) {
	m := chainModel(b, 100_000)
	for _, n := range m.Graph().Nodes() {
		n.SetName("")
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if r := m.Validate(nil); !r.Valid() {
			b.Fatal(r)
		}
	}
}

// TestValidateSpeed checks the speed budget (100k nodes in under 200 ms;
// BenchmarkValidate100k measures about 35 ms) with a generous bound, so
// that a loaded machine does not fail it: the best of five runs must take
// under 500 ms. It is skipped under the race detector and in -short mode.
func TestValidateSpeed(t *testing.T) {
	if checkRaceEnabled || testing.Short() {
		t.Skip("timing is meaningless under -race or -short")
	}
	m := chainModel(t, 100_000)
	best := time.Hour
	for i := 0; i < 5; i++ {
		runtime.GC()
		start := time.Now()
		r := m.Validate(nil)
		if d := time.Since(start); d < best {
			best = d
		}
		if !r.Valid() {
			t.Fatal(r)
		}
	}
	t.Logf("Validate on 100k nodes: %v (budget 200ms)", best)
	if best > 500*time.Millisecond {
		t.Errorf("Validate on 100k nodes took %v; budget 200ms, bound 500ms", best)
	}
}
