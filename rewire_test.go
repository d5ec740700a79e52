package onnxgraph_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/samples"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
)

func TestRewireOneConsumer(t *testing.T) {
	m := edBranches(t)
	var r onnxgraph.RewireReport
	// sig reads i (the Identity's output): make it read r; id is dead then.
	if err := m.Rewire(&onnxgraph.RewireOptions{From: "i", To: "r", Consumer: "sig", AllowUntyped: true}, &r).Err(); err != nil {
		t.Fatal(err)
	}
	sane(t, m)
	if !slices.Equal(r.Rewired, []string{`"sig"(Sigmoid):0`}) || !slices.Equal(r.Pruned, []string{"id(Identity)"}) || r.Sorted {
		t.Errorf("report %+v", r)
	}
	edGolden(t, "rewire", edDescribe(m))
	edPython(t, map[string]*onnxgraph.Model{"rewired": m})
}

func TestRewireAllUsesReorders(t *testing.T) {
	m := edBranches(t)
	// Every read of x moves to ns, computed by mul after relu and neg...
	// that would make neg read its own descendant: refused.
	edFails(t, m, onnxgraph.ErrCycle, []string{"ns", "neg"}, func() error {
		_, err := onnxgraph.RewireModel(m, &onnxgraph.RewireOptions{From: "x", To: "ns", AllowUntyped: true})
		return err
	})
	// relu reads x; make it read y2 (computed later in node order): the
	// nodes are reordered, and nothing is pruned (x is still read).
	var r onnxgraph.RewireReport
	if err := m.Rewire(&onnxgraph.RewireOptions{From: "x", To: "y2", Consumer: "relu", Slots: []int{0}, AllowUntyped: true}, &r).Err(); err != nil {
		t.Fatal(err)
	}
	sane(t, m)
	if !r.Sorted || len(r.Pruned) != 0 {
		t.Errorf("report %+v", r)
	}
	if got := edNodeNames(m.Graph()); !slices.Equal(got, []string{"neg", "mul", "exp", "relu", "add", "id", "sig"}) {
		t.Errorf("order %v", got)
	}
	edPython(t, map[string]*onnxgraph.Model{"reordered": m})
}

// TestRewireRelaxedClearsStaleShapes: a relaxed rewire to a value of
// another shape drops the value_info shapes of what the moved read feeds
// (they would contradict inference afterwards), and only those; a rewire
// to a value of the same shape keeps them.
func TestRewireRelaxedClearsStaleShapes(t *testing.T) {
	for _, tt := range []struct {
		name, from, to, consumer string
		cleared                  []string
	}{
		// Convolution110 reads Pooling66's [1,8,14,14]; ReLU28's is
		// [1,8,28,28]: Convolution110's output and all after it are stale.
		{"other shape", "Pooling66_Output_0", "ReLU28_Output_0", "Convolution110", []string{"Convolution110_Output_0", "Plus110_Output_0", "Pooling160_Output_0", "Pooling160_Output_0_reshape0", "ReLU110_Output_0", "Times212_Output_0"}},
		// Plus214 reads Times212's [1,10]; the bias is [1,10] too.
		{"same shape", "Times212_Output_0", "Parameter194", "Plus214", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := samples.MNIST()
			if _, err := shapeinfer.Infer(m, &shapeinfer.Options{WriteBack: true}); err != nil {
				t.Fatal(err)
			}
			var r onnxgraph.RewireReport
			if err := m.Rewire(&onnxgraph.RewireOptions{From: tt.from, To: tt.to, Consumer: tt.consumer, RelaxShapes: true, KeepDead: true}, &r).Err(); err != nil {
				t.Fatal(err)
			}
			sane(t, m)
			if !slices.Equal(r.Cleared, tt.cleared) {
				t.Errorf("cleared %q, want %q", r.Cleared, tt.cleared)
			}
			res, err := shapeinfer.Infer(m, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tt.cleared != nil {
				// Inference now derives what was dropped, with no conflict.
				conv, _ := m.Graph().Value(tt.cleared[0])
				if got := fmt.Sprint(res.Type(conv)); got != "float32[1,16,28,28]" {
					t.Errorf("Convolution110_Output_0 infers as %s", got)
				}
			}
			for _, c := range res.Conflicts {
				t.Errorf("conflict after the rewire: %v", c)
			}
		})
	}
}

func TestRewireGraphOutputs(t *testing.T) {
	m := edBranches(t)
	var r onnxgraph.RewireReport
	if err := m.Rewire(&onnxgraph.RewireOptions{From: "y3", To: "i", GraphOutputs: true, AllowUntyped: true}, &r).Err(); err != nil {
		t.Fatal(err)
	}
	sane(t, m)
	if got := edOutNames(m.Graph()); !slices.Equal(got, []string{"y1", "y2", "i"}) || !slices.Equal(r.Pruned, []string{"sig(Sigmoid)"}) {
		t.Errorf("outputs %v, report %+v", got, r)
	}
}

func TestRewireErrors(t *testing.T) {
	for _, c := range []struct {
		opts   onnxgraph.RewireOptions
		target error
		names  []string
	}{
		{onnxgraph.RewireOptions{From: "nosuch", To: "r"}, onnxgraph.ErrNotFound, []string{"nosuch"}},
		{onnxgraph.RewireOptions{From: "i", To: "nosuch"}, onnxgraph.ErrNotFound, []string{"nosuch"}},
		{onnxgraph.RewireOptions{From: "i", To: "r", Consumer: "nosuch"}, onnxgraph.ErrNotFound, []string{"nosuch"}},
		{onnxgraph.RewireOptions{From: "i", To: "r", Consumer: "relu"}, onnxgraph.ErrInvalid, []string{"relu", "i"}},
		{onnxgraph.RewireOptions{From: "i", To: "r", Consumer: "sig", Slots: []int{3}}, onnxgraph.ErrInvalid, []string{"sig", "3"}},
		{onnxgraph.RewireOptions{From: "r", To: "r"}, onnxgraph.ErrInvalid, []string{"r"}},
		{onnxgraph.RewireOptions{From: "x", To: "w"}, onnxgraph.ErrJunction, []string{"x", "w", "ranks differ"}},
		{onnxgraph.RewireOptions{From: "y3", To: "w", GraphOutputs: true, RelaxShapes: true}, onnxgraph.ErrInvalid, []string{"w", "initializer"}},
	} {
		m := edBranches(t)
		edFails(t, m, c.target, c.names, func() error {
			_, err := onnxgraph.RewireModel(m, &c.opts)
			return err
		})
	}
	// A dtype mismatch, through the chain: the StepError names the value.
	m := edBranches(t)
	g := m.Graph()
	x, _ := g.Value("x")
	sh := edNode(t, g, "shape", "Shape", []*onnxgraph.Value{x}, []string{"sh"})
	sh.SetType(onnxgraph.TensorType(onnxgraph.Int64, onnxgraph.Dims(2)))
	err := m.Clone().Rewire(&onnxgraph.RewireOptions{From: "x", To: "sh", Consumer: "relu", RelaxShapes: true}, nil).Err()
	var je *onnxgraph.JunctionError
	var se *onnxgraph.StepError
	if !errors.As(err, &je) || !errors.As(err, &se) || se.Name != "x" || je.Reason != "element types differ" {
		t.Errorf("err %v", err)
	}
}

func ExampleModel_Rewire() {
	m := samples.MNIST().Infer(shapeinfer.Types(nil))
	var r onnxgraph.RewireReport
	// Skip the second convolution stage: the Reshape reads the first pool.
	err := m.Rewire(&onnxgraph.RewireOptions{From: "Pooling160_Output_0", To: "Pooling66_Output_0", Consumer: "Times212_reshape0", RelaxShapes: true}, &r).Err()
	fmt.Println(err, r.Rewired)
	fmt.Println(r.Pruned)
	// Output:
	// <nil> ["Times212_reshape0"(Reshape):0]
	// [Convolution110(Conv) Plus110(Add) ReLU110(Relu) Pooling160(MaxPool) Parameter87 Parameter88]
}
