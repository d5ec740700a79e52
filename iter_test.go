package onnxgraph_test

import (
	"slices"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/samples"
)

// TestIterators checks each All* iterator against its slice form, on a
// model with subgraphs and functions, and that breaking out works.
func TestIterators(t *testing.T) {
	for name, m := range map[string]*onnxgraph.Model{"mnist": samples.MNIST(), "if": edIfModel(t), "functions": edDead(t)} {
		g := m.Graph()
		if got := slices.Collect(g.AllNodes()); !slices.Equal(got, g.Nodes()) {
			t.Errorf("%s: AllNodes", name)
		}
		if got := slices.Collect(g.AllInputs()); !slices.Equal(got, g.Inputs()) {
			t.Errorf("%s: AllInputs", name)
		}
		if got := slices.Collect(g.AllOutputs()); !slices.Equal(got, g.Outputs()) {
			t.Errorf("%s: AllOutputs", name)
		}
		if got := slices.Collect(g.AllInitializers()); !slices.Equal(got, g.Initializers()) {
			t.Errorf("%s: AllInitializers", name)
		}
		var defined []*onnxgraph.Value
		for _, v := range g.Values() {
			if !v.IsUndefined() {
				defined = append(defined, v)
			}
		}
		if got := slices.Collect(g.AllValues()); !slices.Equal(got, defined) {
			t.Errorf("%s: AllValues %d, Values %d", name, len(got), len(defined))
		}
		var walked []*onnxgraph.Graph
		g.Walk(func(s *onnxgraph.Graph) bool { walked = append(walked, s); return true })
		if got := slices.Collect(g.AllGraphs()); !slices.Equal(got, walked) {
			t.Errorf("%s: AllGraphs", name)
		}
		count := 0
		for range m.AllNodes() {
			count++
		}
		want := 0
		for _, s := range walked {
			want += s.NumNodes()
		}
		for _, f := range m.Functions() {
			f.Body().Walk(func(s *onnxgraph.Graph) bool { want += s.NumNodes(); return true })
		}
		if count != want {
			t.Errorf("%s: Model.AllNodes %d, want %d", name, count, want)
		}
		for _, n := range g.Nodes() {
			var ins []*onnxgraph.Value
			for i, v := range n.AllInputs() {
				if n.Input(i) != v {
					t.Errorf("%s: AllInputs index", name)
				}
				ins = append(ins, v)
			}
			if !slices.Equal(ins, n.Inputs()) {
				t.Errorf("%s: node AllInputs", name)
			}
			for _, v := range n.Outputs() {
				if v != nil && !slices.Equal(slices.Collect(v.AllUses()), v.Uses()) {
					t.Errorf("%s: AllUses", name)
				}
			}
		}
		// Breaking out stops the walk.
		for range g.AllNodes() {
			break
		}
		for range m.AllNodes() {
			break
		}
	}
}

// BenchmarkIterate100k walks every node, every input and every use of a
// 100k-node graph: no allocation.
func BenchmarkIterate100k(b *testing.B) {
	m := chain(b, 100_000)
	g := m.Graph()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		uses := 0
		for n := range g.AllNodes() {
			for _, v := range n.AllInputs() {
				if v == nil {
					continue
				}
				for range v.AllUses() {
					uses++
				}
			}
		}
		if uses == 0 {
			b.Fatal("no uses")
		}
	}
}
