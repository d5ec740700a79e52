package onnxgraph_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/samples"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
)

func TestInsertNodeMulByOne(t *testing.T) {
	m := samples.MNIST()
	var r onnxgraph.InsertNodeReport
	err := m.InsertNode(&onnxgraph.InsertNodeOptions{Op: "Mul", Src: "Input3", Consts: map[string]any{"B": 1.0}}, &r).Err()
	if err != nil {
		t.Fatal(err)
	}
	sane(t, m)
	g := m.Graph()
	first := g.Nodes()[0]
	if first.Name() != "Mul" || first.Input(0).Name() != "Input3" || first.Input(1).Name() != "Mul_B" {
		t.Errorf("first node %s(%v)", first.Name(), edNames(first.Inputs()))
	}
	c := first.Input(1).Initializer()
	if c.DataType() != onnxgraph.Float || len(c.Dims()) != 0 {
		t.Errorf("constant %v", c)
	}
	if nodeNamed(g, "Convolution28").Input(0) != first.Output(0) || r.Opset != 13 || !slices.Equal(r.Outputs, []string{"Mul_output"}) {
		t.Errorf("report %+v", r)
	}
	if r.Consts[0].Name != "Mul_B" || r.Consts[0].Type != "float32" || r.Consts[0].Shape != "[]" {
		t.Errorf("consts %+v", r.Consts)
	}
	// Again: the names stay unique.
	if err := m.InsertNode(&onnxgraph.InsertNodeOptions{Op: "Mul", Src: "Input3", Consts: map[string]any{"B": 1.0}}, &r).Err(); err != nil {
		t.Fatal(err)
	}
	if r.Node != "Mul_1" || r.Outputs[0] != "Mul_1_output" || r.Consts[0].Name != "Mul_1_B" {
		t.Errorf("second insert %+v", r)
	}
	sane(t, m)
	edGolden(t, "insert_mul", edDescribe(m))
	edPython(t, map[string]*onnxgraph.Model{"inserted": m})
}

func TestInsertNodeSomeConsumers(t *testing.T) {
	m := edBranches(t)
	var r onnxgraph.InsertNodeReport
	// Between x and neg only, with an attribute; Src into input 0.
	opts := &onnxgraph.InsertNodeOptions{Op: "LeakyRelu", Name: "leaky", Src: "x", Consumers: []string{"neg"},
		Attrs: edAttrs(onnxgraph.AttrFloat("alpha", 0.5))}
	if err := m.InsertNode(opts, &r).Err(); err != nil {
		t.Fatal(err)
	}
	sane(t, m)
	g := m.Graph()
	if nodeNamed(g, "neg").Input(0).Name() != "leaky_output" || nodeNamed(g, "relu").Input(0).Name() != "x" {
		t.Error("wrong readers switched")
	}
	// Before a graph output, with an int constant into a float input (converted).
	if err := m.Clone().InsertNode(&onnxgraph.InsertNodeOptions{Op: "Add", Name: "plus", Src: "y3", GraphOutputs: true, Consts: map[string]any{"B": []int64{1, 2, 3}}}, &r).Err(); err != nil {
		t.Fatal(err)
	}
	// The output's element type follows Add's type parameter; its shape
	// takes inference (the hook).
	if err := m.InsertNode(&onnxgraph.InsertNodeOptions{Op: "Add", Name: "plus", Src: "y3", GraphOutputs: true, Consts: map[string]any{"B": []int64{1, 2, 3}}, TypeOf: func(v *onnxgraph.Value) *onnxproto.TypeProto { return edFloat(2, 3) }}, &r).Err(); err != nil {
		t.Fatal(err)
	}
	sane(t, m)
	if got := edOutNames(g); !slices.Equal(got, []string{"y1", "y2", "plus_output"}) {
		t.Errorf("outputs %v", got)
	}
	out := g.Outputs()[2]
	if out.ElemType() != onnxgraph.Float {
		t.Errorf("output type %v", out.Type())
	}
	if _, _, ok := out.Shape(); !ok {
		t.Error("TypeOf's shape was not used")
	}
	if k, _ := g.Value("plus_B"); k.Initializer().DataType() != onnxgraph.Float {
		t.Errorf("constant type %v", k.Initializer().DataType())
	}
	edGolden(t, "insert_consumers", edDescribe(m))
	edPython(t, map[string]*onnxgraph.Model{"inserted": m})
}

func TestInsertNodeIR3(t *testing.T) {
	// Before IR 4 every initializer is a graph input: the constant is too,
	// and deleting the node again takes both away.
	m := edBranches(t)
	m.Proto().IrVersion = proto64(3)
	before := edBytes(t, m)
	if err := m.InsertNode(&onnxgraph.InsertNodeOptions{Op: "Mul", Name: "m", Src: "x", Consts: map[string]any{"B": 1.0}}, nil).Err(); err != nil {
		t.Fatal(err)
	}
	sane(t, m)
	if got := edInNames(m.Graph()); !slices.Equal(got, []string{"x", "m_B"}) {
		t.Errorf("inputs %v", got)
	}
	if err := m.DeleteNodes(&onnxgraph.DeleteNodesOptions{Names: []string{"m"}}, nil).Err(); err != nil {
		t.Fatal(err)
	}
	sane(t, m)
	if string(edBytes(t, m)) != string(before) {
		t.Error("insert then delete differs from the original")
	}
}

func TestInsertNodeErrors(t *testing.T) {
	m := edBranches(t)
	x := func(o onnxgraph.InsertNodeOptions) func() error {
		return func() error { _, err := onnxgraph.InsertNodeModel(m, &o); return err }
	}
	edFails(t, m, onnxgraph.ErrNotFound, []string{"Mull", "17"}, x(onnxgraph.InsertNodeOptions{Op: "Mull", Src: "x"}))
	edFails(t, m, onnxgraph.ErrNotFound, []string{"nosuch"}, x(onnxgraph.InsertNodeOptions{Op: "Relu", Src: "nosuch"}))
	edFails(t, m, onnxgraph.ErrNotFound, []string{"nosuch"}, x(onnxgraph.InsertNodeOptions{Op: "Relu", Src: "x", Consumers: []string{"nosuch"}}))
	edFails(t, m, onnxgraph.ErrInvalid, []string{"exp", "x"}, x(onnxgraph.InsertNodeOptions{Op: "Relu", Src: "x", Consumers: []string{"exp"}}))
	edFails(t, m, onnxgraph.ErrInvalid, []string{"alpha", "Relu"}, x(onnxgraph.InsertNodeOptions{Op: "Relu", Src: "x", Attrs: edAttrs(onnxgraph.AttrFloat("alpha", 1))}))
	edFails(t, m, onnxgraph.ErrInvalid, []string{"alpha", "FLOAT", "INT"}, x(onnxgraph.InsertNodeOptions{Op: "LeakyRelu", Src: "x", Attrs: edAttrs(onnxgraph.AttrInt("alpha", 1))}))
	edFails(t, m, onnxgraph.ErrInvalid, []string{"to"}, x(onnxgraph.InsertNodeOptions{Op: "Cast", Src: "x"}))
	edFails(t, m, onnxgraph.ErrInvalid, []string{"B", "required"}, x(onnxgraph.InsertNodeOptions{Op: "Mul", Src: "x"}))
	edFails(t, m, onnxgraph.ErrInvalid, []string{"C"}, x(onnxgraph.InsertNodeOptions{Op: "Mul", Src: "x", Consts: map[string]any{"C": 1.0}}))
	edFails(t, m, onnxgraph.ErrInvalid, []string{"2.5", "int64"}, x(onnxgraph.InsertNodeOptions{Op: "Reshape", Src: "x", Consts: map[string]any{"shape": []float64{2.5}}}))
	edFails(t, m, onnxgraph.ErrNameCollision, []string{"relu"}, x(onnxgraph.InsertNodeOptions{Op: "Relu", Name: "relu", Src: "x"}))
	edFails(t, m, onnxgraph.ErrInvalid, []string{"domain", "com.example"}, x(onnxgraph.InsertNodeOptions{Op: "Relu", Domain: "com.example", Src: "x"}))
	// Src's type must be one the operator takes: Not wants bool.
	edFails(t, m, onnxgraph.ErrInvalid, []string{"float32", "tensor(bool)"}, x(onnxgraph.InsertNodeOptions{Op: "Not", Src: "x"}))
}

func edAttrs(a ...*onnxproto.AttributeProto) []*onnxproto.AttributeProto { return a }

func ExampleModel_InsertNode() {
	m := samples.MNIST()
	var r onnxgraph.InsertNodeReport
	err := m.InsertNode(&onnxgraph.InsertNodeOptions{
		Op:     "Mul",
		Src:    "Pooling66_Output_0",
		Consts: map[string]any{"B": 0.5}, // Mul's second input, float32 like Src's
	}, &r).Err()
	fmt.Println(err, r.Node, r.Outputs, r.Consts[0].Name, r.Consts[0].Type, r.Rewired)
	// Output: <nil> Mul [Mul_output] Mul_B float32 ["Convolution110"(Conv):0]
}

// TestInsertNodeGraphOutputInferred: with the model's type source (Infer),
// a graph output the new node takes over gets the type inference gives the
// model with the node in place, shape included.
func TestInsertNodeGraphOutputInferred(t *testing.T) {
	for _, infer := range []bool{false, true} {
		m := samples.MNIST()
		if infer {
			m.Infer(shapeinfer.Types(nil))
		}
		opts := &onnxgraph.InsertNodeOptions{Op: "Softmax", Src: "Plus214_Output_0", GraphOutputs: true, Attrs: edAttrs(onnxgraph.AttrInt("axis", 1))}
		if err := m.InsertNode(opts, nil).Err(); err != nil {
			t.Fatal(err)
		}
		sane(t, m)
		o := m.Graph().Outputs()[0]
		dims, _, hasShape := o.Shape()
		if o.Name() != "Softmax_output" || o.ElemType() != onnxgraph.Float || hasShape != infer || (infer && !slices.Equal(dims, []int64{1, 10})) {
			t.Errorf("Infer %v: output %s %v", infer, o.Name(), o.Type())
		}
	}
}
