package onnxgraph_test

import (
	"bytes"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/samples"
)

func TestExtractMNISTMiddle(t *testing.T) {
	m := samples.MNIST()
	before := edBytes(t, m)
	opts := &onnxgraph.ExtractOptions{Inputs: []string{"Pooling66_Output_0"}, Outputs: []string{"Pooling160_Output_0"}}
	// Without types: refused, naming the values, the model unchanged.
	part := m.Clone()
	if _, err := onnxgraph.ExtractModel(part, opts); !errors.Is(err, onnxgraph.ErrUntyped) || !strings.Contains(err.Error(), "Pooling66_Output_0") {
		t.Errorf("extract without types: %v", err)
	}
	if !bytes.Equal(edBytes(t, part), before) {
		t.Error("a refused ExtractModel changed the model")
	}
	// Allowed: the boundary values are added all the same, and reported.
	opts.AllowUntyped = true
	r, err := onnxgraph.ExtractModel(part, opts)
	if err != nil {
		t.Fatal(err)
	}
	sane(t, part)
	if !bytes.Equal(edBytes(t, m), before) {
		t.Error("ExtractModel changed its input")
	}
	if !slices.Equal(r.NoType, []string{"Pooling66_Output_0", "Pooling160_Output_0"}) || r.Nodes != 4 || r.Initializers != 2 || r.Dropped != 8 {
		t.Errorf("report %+v", r)
	}
	// With shape inference as the hook: typed.
	opts.AllowUntyped = false
	opts.TypeOf = edInferred(t, m)
	part = m.Clone()
	r, err = onnxgraph.ExtractModel(part, opts)
	if err != nil {
		t.Fatal(err)
	}
	sane(t, part)
	if len(r.NoType)+len(r.NoShape) != 0 || r.Inputs[0].Shape != "[1,8,14,14]" || r.Outputs[0].Shape != "[1,16,4,4]" {
		t.Errorf("report %+v", r)
	}
	w, _ := m.Graph().Value("Parameter87")
	pw, _ := part.Graph().Value("Parameter87")
	if w.Initializer().Proto() != pw.Initializer().Proto() {
		t.Error("a weight was copied")
	}
	edGolden(t, "extract_mnist_middle", edDescribe(part))

	// The chain form edits in place, and gives the same model; extracting
	// the same boundaries again changes nothing.
	c := m.Clone()
	opts.TypeOf = edInferred(t, c)
	c.Extract(opts, nil)
	if err := c.Err(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(edBytes(t, c), edBytes(t, part)) {
		t.Error("chain and plain extractions differ")
	}
	again := edBytes(t, c.Extract(opts, nil))
	if !bytes.Equal(again, edBytes(t, part)) {
		t.Error("extracting twice differs from once")
	}
	edPython(t, map[string]*onnxgraph.Model{"middle": part})
}

func TestExtractMissingInputs(t *testing.T) {
	m := samples.MNIST()
	opts := &onnxgraph.ExtractOptions{Outputs: []string{"ReLU28_Output_0"}}
	err := edFails(t, m, onnxgraph.ErrMissingInput, []string{"Input3"}, func() error {
		_, err := onnxgraph.ExtractModel(m.Clone(), opts)
		return err
	})
	var me *onnxgraph.MissingInputError
	if !errors.As(err, &me) || !slices.Equal(me.Names, []string{"Input3"}) {
		t.Errorf("error %#v", err)
	}
	var se *onnxgraph.StepError
	if err := m.Clone().Extract(opts, nil).Err(); !errors.As(err, &se) || se.Name != "Input3" || se.Step != "Extract" {
		t.Errorf("chain error %v", err)
	}
	opts.AddMissingInputs = true
	opts.AllowUntyped = true
	part := m.Clone()
	r, err := onnxgraph.ExtractModel(part, opts)
	if err != nil {
		t.Fatal(err)
	}
	sane(t, part)
	if !slices.Equal(r.Added, []string{"Input3"}) || r.Inputs[0].Shape != "[1,1,28,28]" || !slices.Equal(r.NoType, []string{"ReLU28_Output_0"}) {
		t.Errorf("report %+v", r)
	}
	edGolden(t, "extract_add_missing", edDescribe(part))
}

func TestExtractErrors(t *testing.T) {
	m := samples.MNIST()
	x := func(o onnxgraph.ExtractOptions) func() error {
		return func() error { _, err := onnxgraph.ExtractModel(m.Clone(), &o); return err }
	}
	edFails(t, m, onnxgraph.ErrNotFound, []string{"nosuch", "other"}, x(onnxgraph.ExtractOptions{Inputs: []string{"nosuch"}, Outputs: []string{"other"}}))
	edFails(t, m, onnxgraph.ErrInvalid, []string{"Parameter5", "initializer"}, x(onnxgraph.ExtractOptions{Inputs: []string{"Parameter5"}, Outputs: []string{"Plus28_Output_0"}}))
	edFails(t, m, onnxgraph.ErrInvalid, []string{"Input3", "twice"}, x(onnxgraph.ExtractOptions{Inputs: []string{"Input3", "Input3"}, Outputs: []string{"Plus28_Output_0"}}))
	edFails(t, m, onnxgraph.ErrInvalid, []string{"no outputs"}, x(onnxgraph.ExtractOptions{Inputs: []string{"Input3"}}))
}

func TestExtractSubgraphCaptures(t *testing.T) {
	m := edIfModel(t)
	// From p (a cut inside) to y: If's branches read p and w from outside.
	part := m.Clone()
	r, err := onnxgraph.ExtractModel(part, &onnxgraph.ExtractOptions{Inputs: []string{"p", "c", "x"}, Outputs: []string{"y"}, TypeOf: edInferred(t, m)})
	if err != nil {
		t.Fatal(err)
	}
	sane(t, part)
	if !slices.Equal(r.Unused, []string{"x"}) || r.Nodes != 2 || r.Initializers != 1 {
		t.Errorf("report %+v", r)
	}
	edGolden(t, "extract_if", edDescribe(part))
	edPython(t, map[string]*onnxgraph.Model{"if": part})
}

func TestExtractMultiOutputNodeCut(t *testing.T) {
	// Split gives a and b; a is an input of the part, b is needed: the
	// Split stays and its copy of a gets a fresh name.
	m := onnxgraph.NewModel(8, map[string]int64{"": 17})
	g := m.Graph()
	x, _ := g.AddInput("x", edFloat(4))
	sp, _ := g.AddNode("Split", []*onnxgraph.Value{x}, []string{"a", "b"})
	sp.SetName("split")
	s := edNode(t, g, "sum", "Add", []*onnxgraph.Value{sp.Output(0), sp.Output(1)}, []string{"s"})
	_ = g.AddOutput(s, edFloat(2))
	sp.Output(0).SetType(edFloat(2))
	part := m.Clone()
	r, err := onnxgraph.ExtractModel(part, &onnxgraph.ExtractOptions{Inputs: []string{"a", "x"}, Outputs: []string{"s"}})
	if err != nil {
		t.Fatal(err)
	}
	sane(t, part)
	if !slices.Equal(r.Renamed, []string{"a -> a_1"}) {
		t.Errorf("report %+v", r)
	}
	edGolden(t, "extract_split", edDescribe(part))
	edPython(t, map[string]*onnxgraph.Model{"split": part})
}

func TestExtractFunctions(t *testing.T) {
	m := edDead(t)
	part := m.Clone()
	r, err := onnxgraph.ExtractModel(part, &onnxgraph.ExtractOptions{Inputs: []string{"p"}, Outputs: []string{"dead2_out"}, AllowUntyped: true})
	if err != nil {
		t.Fatal(err)
	}
	sane(t, part)
	if fs := part.Functions(); len(fs) != 1 || fs[0].Name() != "Myfn" || !slices.Equal(r.DroppedFunctions, []string{"local:Unused"}) {
		t.Errorf("functions %v, report %+v", fs, r)
	}
}

// TestExtractHalf100kTime checks that extracting half of a 100k-node chain
// stays linear: it may take at most a few times as long as cloning the
// whole model, measured in the same run (a fixed budget in milliseconds
// fails on a loaded machine; a quadratic extract is hundreds of times
// slower than a clone). BenchmarkExtract* give the figures.
func TestExtractHalf100kTime(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	m := chain(t, 100_000)
	opts := &onnxgraph.ExtractOptions{Inputs: []string{"v49999"}, Outputs: []string{"v99999"}, AllowUntyped: true}
	start := time.Now()
	part := m.Clone()
	cloned := time.Since(start)
	start = time.Now()
	r, err := onnxgraph.ExtractModel(part, opts)
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if r.Nodes != 50_000 || part.Graph().NumNodes() != 50_000 {
		t.Fatalf("kept %d nodes", r.Nodes)
	}
	sane(t, part)
	t.Logf("extracted 50k of 100k nodes in %v; the clone took %v", took, cloned)
	if took > 4*cloned+50*time.Millisecond && !edRace() {
		t.Errorf("took %v, over 4x the clone's %v", took, cloned)
	}
}

// edRace reports whether the test binary was built with -race, which
// slows everything down several times.
func edRace() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "-race" && s.Value == "true" {
			return true
		}
	}
	return false
}

// BenchmarkExtractHalf100k extracts the second half of a 100k-node chain.
func BenchmarkExtractHalf100k(b *testing.B) {
	m := chain(b, 100_000)
	opts := &onnxgraph.ExtractOptions{Inputs: []string{"v49999"}, Outputs: []string{"v99999"}}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := onnxgraph.ExtractModel(m.Clone(), opts); err != nil {
			b.Fatal(err)
		}
	}
}

func ExampleExtractModel() {
	m := samples.MNIST()
	part := m.Clone()
	r, err := onnxgraph.ExtractModel(part, &onnxgraph.ExtractOptions{
		Inputs:  []string{"Pooling66_Output_0"},
		Outputs: []string{"Pooling160_Output_0"},
		// Declared types are used; this hook fills what is not declared
		// (shapeinfer.Infer serves in practice).
		TypeOf: func(v *onnxgraph.Value) *onnxproto.TypeProto {
			shapes := map[string][]int64{"Pooling66_Output_0": {1, 8, 14, 14}, "Pooling160_Output_0": {1, 16, 4, 4}}
			return onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(shapes[v.Name()]...))
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Nodes, "nodes kept,", r.Dropped, "left out")
	fmt.Println(r.Inputs, r.Outputs)
	fmt.Println(part.Graph().NumNodes(), m.Graph().NumNodes()) // m is unchanged
	// Output:
	// 4 nodes kept, 8 left out
	// [{Pooling66_Output_0 float32 [1,8,14,14]}] [{Pooling160_Output_0 float32 [1,16,4,4]}]
	// 4 12
}

func ExampleModel_Extract() {
	err := samples.MNIST().
		Extract(&onnxgraph.ExtractOptions{Outputs: []string{"ReLU28_Output_0"}}, nil).
		Err()
	fmt.Println(err)
	// Output: onnxgraph: Extract "Input3": extract: 1 values are needed but neither computed inside nor given as inputs: "Input3" (list them among the inputs, or add them with AddMissingInputs)
}
