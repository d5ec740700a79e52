package onnxgraph_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/samples"
)

// edDropoutChain is x [2,3] -> Identity (id1) -> Dropout(ratio) (drop, with
// an unread mask) -> Identity (id2) -> Relu (relu) -> Identity (last) -> y.
func edDropoutChain(t *testing.T) *onnxgraph.Model {
	m := onnxgraph.NewModel(8, map[string]int64{"": 17})
	g := m.Graph()
	x, _ := g.AddInput("x", edFloat(2, 3))
	ratio := edInit(t, g, "ratio", 0.25)
	a := edNode(t, g, "id1", "Identity", []*onnxgraph.Value{x}, []string{"a"})
	d := edNode(t, g, "drop", "Dropout", []*onnxgraph.Value{a, ratio}, []string{"d", "mask"})
	b := edNode(t, g, "id2", "Identity", []*onnxgraph.Value{d}, []string{"b"})
	r := edNode(t, g, "relu", "Relu", []*onnxgraph.Value{b}, []string{"r"})
	y := edNode(t, g, "last", "Identity", []*onnxgraph.Value{r}, []string{"y"})
	if err := g.AddOutput(y, edFloat(2, 3)); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestDeleteNodesBypass(t *testing.T) {
	m := edDropoutChain(t)
	var r onnxgraph.DeleteNodesReport
	// id2 is deleted before its producer drop, id1 after: chains resolve.
	err := m.DeleteNodes(&onnxgraph.DeleteNodesOptions{Names: []string{"id2", "drop", "id1", "last"}}, &r).Err()
	if err != nil {
		t.Fatal(err)
	}
	sane(t, m)
	g := m.Graph()
	if got := edNodeNames(g); !slices.Equal(got, []string{"relu"}) {
		t.Errorf("nodes %v", got)
	}
	if g.Nodes()[0].Input(0).Name() != "x" || edOutNames(g)[0] != "r" {
		t.Errorf("relu reads %s, output %v", g.Nodes()[0].Input(0).Name(), edOutNames(g))
	}
	if !slices.Equal(r.Outputs, []string{"y -> r"}) || !slices.Equal(r.Pruned, []string{"ratio"}) || len(r.Rewired) != 4 {
		t.Errorf("report %+v", r)
	}
	if _, ok := g.Value("ratio"); ok {
		t.Error("ratio survived")
	}
	edGolden(t, "delete_nodes_chain", edDescribe(m))
	edPython(t, map[string]*onnxgraph.Model{"deleted": m})
}

func TestDeleteNodesReplace(t *testing.T) {
	m := edBranches(t)
	// add reads r and the weight w, mul reads n and the weight s: both are
	// pass-throughs of their one variable input.
	var r onnxgraph.DeleteNodesReport
	if err := m.Clone().DeleteNodes(&onnxgraph.DeleteNodesOptions{Names: []string{"add", "mul"}}, &r).Err(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.Outputs, []string{"y1 -> r"}) || !slices.Equal(r.Pruned, []string{"w", "s"}) {
		t.Errorf("report %+v", r)
	}

	// A node with two variable inputs needs a mapping.
	g := m.Graph()
	x, _ := g.Value("x")
	i, _ := g.Value("i")
	n, _ := g.AddNode("Add", []*onnxgraph.Value{x, i}, []string{"sum"})
	n.SetName("sum")
	_ = g.AddOutput(n.Output(0), edFloat(2, 3))
	err := edFails(t, m, onnxgraph.ErrInvalid, []string{"sum", "2 variable inputs"}, func() error {
		_, err := onnxgraph.DeleteNodesModel(m, &onnxgraph.DeleteNodesOptions{Names: []string{"sum"}})
		return err
	})
	var se *onnxgraph.StepError
	if err := m.Clone().DeleteNodes(&onnxgraph.DeleteNodesOptions{Names: []string{"sum"}}, nil).Err(); !errors.As(err, &se) || se.Name != "sum" {
		t.Errorf("chain error %v", err)
	}
	_ = err
	if err := m.DeleteNodes(&onnxgraph.DeleteNodesOptions{Names: []string{"sum"}, Replace: map[string]map[string]string{"sum": {"sum": "i"}}}, &r).Err(); err != nil {
		t.Fatal(err)
	}
	sane(t, m)
	// Output "sum" became i, which y3's Sigmoid reads too.
	if got := edOutNames(g); !slices.Equal(got, []string{"y1", "y2", "y3", "i"}) {
		t.Errorf("outputs %v", got)
	}
	edPython(t, map[string]*onnxgraph.Model{"replaced": m})
}

func TestDeleteNodesErrors(t *testing.T) {
	m := edBranches(t)
	edFails(t, m, onnxgraph.ErrNotFound, []string{"nosuch", "other"}, func() error {
		_, err := onnxgraph.DeleteNodesModel(m, &onnxgraph.DeleteNodesOptions{Names: []string{"relu", "nosuch", "other"}})
		return err
	})
	// Deleting add mapping its output to the weight would make w a graph output.
	edFails(t, m, onnxgraph.ErrInvalid, []string{"add", "w", "weights"}, func() error {
		_, err := onnxgraph.DeleteNodesModel(m, &onnxgraph.DeleteNodesOptions{Names: []string{"add"}, RelaxShapes: true, Replace: map[string]map[string]string{"add": {"y1": "w"}}})
		return err
	})
	// Unknown replacement names.
	edFails(t, m, onnxgraph.ErrInvalid, []string{"add", "nope"}, func() error {
		_, err := onnxgraph.DeleteNodesModel(m, &onnxgraph.DeleteNodesOptions{Names: []string{"add"}, Replace: map[string]map[string]string{"add": {"y1": "nope"}}})
		return err
	})
	edFails(t, m, onnxgraph.ErrInvalid, []string{"relu"}, func() error {
		_, err := onnxgraph.DeleteNodesModel(m, &onnxgraph.DeleteNodesOptions{Names: []string{"add"}, Replace: map[string]map[string]string{"relu": {"r": "x"}}})
		return err
	})
	// Two graph outputs would become the same value x: id and relu both
	// pass x through once sig and add are gone.
	edFails(t, m, onnxgraph.ErrInvalid, []string{"x"}, func() error {
		_, err := onnxgraph.DeleteNodesModel(m, &onnxgraph.DeleteNodesOptions{Names: []string{"sig", "id", "add", "relu"}})
		return err
	})

	// A Cast's output is not its input's type: junction error naming both.
	c := onnxgraph.NewModel(8, map[string]int64{"": 17})
	g := c.Graph()
	x, _ := g.AddInput("x", edFloat(2))
	y := edNode(t, g, "cast", "Cast", []*onnxgraph.Value{x}, []string{"y"}, onnxgraph.AttrInt("to", int64(onnxgraph.Int64)))
	_ = g.AddOutput(y, onnxgraph.TensorType(onnxgraph.Int64, onnxgraph.Dims(2)))
	err := edFails(t, c, onnxgraph.ErrJunction, []string{"x", "y", "cast"}, func() error {
		_, err := onnxgraph.DeleteNodesModel(c, &onnxgraph.DeleteNodesOptions{Names: []string{"cast"}})
		return err
	})
	var je *onnxgraph.JunctionError
	if !errors.As(err, &je) || je.Src != "x" || je.Dst != "y" || je.SrcType != "float32[2]" || je.DstType != "int64[2]" {
		t.Errorf("junction error %#v", je)
	}
	// Shapes: a Flatten changes the shape; RelaxShapes lets it go.
	f := onnxgraph.NewModel(8, map[string]int64{"": 17})
	g = f.Graph()
	x, _ = g.AddInput("x", edFloat(2, 3))
	y = edNode(t, g, "flat", "Flatten", []*onnxgraph.Value{x}, []string{"y"})
	_ = g.AddOutput(y, edFloat(2, 3, 1))
	edFails(t, f, onnxgraph.ErrJunction, []string{"ranks differ"}, func() error {
		_, err := onnxgraph.DeleteNodesModel(f, &onnxgraph.DeleteNodesOptions{Names: []string{"flat"}})
		return err
	})
	if _, err := onnxgraph.DeleteNodesModel(f, &onnxgraph.DeleteNodesOptions{Names: []string{"flat"}, RelaxShapes: true}); err != nil {
		t.Fatal(err)
	}
	sane(t, f)
}

func TestDeleteNodesInSubgraph(t *testing.T) {
	m := edIfModel(t)
	// Make the else branch Neg -> Identity, then delete the Identity.
	els := nodeNamed(m.Graph(), "if").Subgraphs()[1]
	neg := els.Nodes()[0]
	id, _ := els.AddNode("Identity", []*onnxgraph.Value{neg.Output(0)}, []string{"else_id"})
	id.SetName("else_identity")
	_ = els.SetOutput(0, id.Output(0))
	sane(t, m)
	var r onnxgraph.DeleteNodesReport
	if err := m.DeleteNodes(&onnxgraph.DeleteNodesOptions{Names: []string{"else_identity"}}, &r).Err(); err != nil {
		t.Fatal(err)
	}
	sane(t, m)
	if els.NumNodes() != 1 || els.Outputs()[0].Name() != "else_out" || !slices.Equal(r.Outputs, []string{"else_id -> else_out"}) {
		t.Errorf("else branch: %v, outputs %v, report %+v", edNodeNames(els), edOutNames(els), r)
	}
	// pre feeds the branches: a pass-through whose output is read in both.
	if err := m.DeleteNodes(&onnxgraph.DeleteNodesOptions{Names: []string{"pre"}}, nil).Err(); err != nil {
		t.Fatal(err)
	}
	sane(t, m)
	edGolden(t, "delete_nodes_if", edDescribe(m))
	edPython(t, map[string]*onnxgraph.Model{"if": m})
}

func ExampleModel_DeleteNodes() {
	m := samples.MNIST()
	var r onnxgraph.DeleteNodesReport
	// Relu is a pass-through for shapes and types: its readers read the Add.
	err := m.DeleteNodes(&onnxgraph.DeleteNodesOptions{Names: []string{"ReLU28"}}, &r).Err()
	fmt.Println(err, r.Deleted, r.Rewired)
	// A MatMul reads two computed values: say which one stands in.
	err = m.DeleteNodes(&onnxgraph.DeleteNodesOptions{Names: []string{"Times212"}}, nil).Err()
	fmt.Println(err)
	// Output:
	// <nil> [ReLU28(Relu)] [ReLU28_Output_0 -> Plus28_Output_0]
	// onnxgraph: DeleteNodes "Times212": delete nodes: node "Times212"(MatMul) has 2 variable inputs and 1 outputs in use (Times212_Output_0): say which input replaces each output
}
