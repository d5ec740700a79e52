package onnxgraph_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/samples"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
)

func TestAddOutputs(t *testing.T) {
	m := samples.MNIST()
	var r onnxgraph.OutputsReport
	// MNIST declares no intermediate types: without a hook the type is
	// unknown, which is refused unless allowed.
	c := m.Clone()
	if err := c.AddOutputs(&onnxgraph.AddOutputsOptions{Names: []string{"ReLU28_Output_0"}}, &r).Err(); !errors.Is(err, onnxgraph.ErrUntyped) || len(c.Graph().Outputs()) != 1 {
		t.Errorf("untyped output: %v", err)
	}
	if err := m.Clone().AddOutputs(&onnxgraph.AddOutputsOptions{Names: []string{"ReLU28_Output_0"}, AllowUntyped: true}, &r).Err(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.NoType, []string{"ReLU28_Output_0"}) {
		t.Errorf("NoType = %v", r.NoType)
	}
	opts := &onnxgraph.AddOutputsOptions{Names: []string{"ReLU28_Output_0", "Input3", "Plus214_Output_0", "Parameter6"}, TypeOf: edInferred(t, m)}
	if err := m.AddOutputs(opts, &r).Err(); err != nil {
		t.Fatal(err)
	}
	sane(t, m)
	if got := edOutNames(m.Graph()); !slices.Equal(got, []string{"Plus214_Output_0", "ReLU28_Output_0", "Input3", "Parameter6"}) {
		t.Errorf("outputs %v", got)
	}
	if !slices.Equal(r.Skipped, []string{"Plus214_Output_0"}) || len(r.NoType)+len(r.NoShape) != 0 || len(r.Added) != 3 {
		t.Errorf("report %+v", r)
	}
	if r.Added[0].Type != "float32" || r.Added[0].Shape != "[1,8,28,28]" {
		t.Errorf("added %+v", r.Added[0])
	}
	// Adding again changes nothing.
	before := edBytes(t, m)
	if err := m.AddOutputs(opts, nil).Err(); err != nil || string(edBytes(t, m)) != string(before) {
		t.Errorf("second AddOutputs: %v, changed: %v", err, string(edBytes(t, m)) != string(before))
	}
	edGolden(t, "add_outputs_mnist", edDescribe(m))
	edPython(t, map[string]*onnxgraph.Model{"added": m})
}

func TestAddOutputsErrors(t *testing.T) {
	m := edIfModel(t)
	// Unknown names and values inside a subgraph are not outputs of the main graph.
	edFails(t, m, onnxgraph.ErrNotFound, []string{"nosuch", "then_out"}, func() error {
		_, err := onnxgraph.AddOutputsModel(m, &onnxgraph.AddOutputsOptions{Names: []string{"p", "nosuch", "then_out"}})
		return err
	})
	err := m.AddOutputs(&onnxgraph.AddOutputsOptions{Names: []string{"nosuch"}}, nil).Err()
	var se *onnxgraph.StepError
	if !errors.As(err, &se) || se.Step != "AddOutputs" || se.Name != "nosuch" {
		t.Errorf("chain error %#v", err)
	}
}

func TestDeleteOutputs(t *testing.T) {
	m := edBranches(t)
	var r onnxgraph.OutputsReport
	if err := m.DeleteOutputs(&onnxgraph.DeleteOutputsOptions{Names: []string{"y2"}}, &r).Err(); err != nil {
		t.Fatal(err)
	}
	sane(t, m)
	g := m.Graph()
	if got := edNodeNames(g); !slices.Equal(got, []string{"relu", "add", "id", "sig"}) {
		t.Errorf("nodes %v", got)
	}
	if !slices.Equal(r.Removed, []string{"y2"}) || !slices.Equal(r.Pruned, []string{"neg(Neg)", "mul(Mul)", "exp(Exp)", "s"}) {
		t.Errorf("report %+v", r)
	}
	if _, ok := g.Value("s"); ok {
		t.Error("initializer s survived")
	}
	edGolden(t, "delete_outputs", edDescribe(m))

	// Removing the others with PruneInputs: x goes when nothing reads it.
	if err := m.DeleteOutputs(&onnxgraph.DeleteOutputsOptions{Names: []string{"y1"}, PruneInputs: true}, &r).Err(); err != nil {
		t.Fatal(err)
	}
	if len(r.Inputs) != 0 || len(g.Inputs()) != 1 {
		t.Errorf("x still read by id, yet inputs %v removed", r.Inputs)
	}
	edPython(t, map[string]*onnxgraph.Model{"deleted": m})
}

func TestDeleteOutputsErrors(t *testing.T) {
	m := edBranches(t)
	edFails(t, m, onnxgraph.ErrNotFound, []string{"r", "nosuch"}, func() error {
		_, err := onnxgraph.DeleteOutputsModel(m, &onnxgraph.DeleteOutputsOptions{Names: []string{"y1", "r", "nosuch"}})
		return err
	})
	edFails(t, m, onnxgraph.ErrInvalid, []string{"every output"}, func() error {
		_, err := onnxgraph.DeleteOutputsModel(m, &onnxgraph.DeleteOutputsOptions{Names: []string{"y1", "y2", "y3"}})
		return err
	})
}

// edDead is a model with dead code everywhere: a dead node in the main
// graph and in an If branch, an unused function, a value_info entry for a
// name defined nowhere, an unused input.
func edDead(t *testing.T) *onnxgraph.Model {
	m := edIfModel(t)
	mp := m.ToProto()
	g := mp.Graph
	g.Input = append(g.Input, &onnxproto.ValueInfoProto{Name: edPtr("unused"), Type: edFloat(2)})
	g.Node = append(g.Node, &onnxproto.NodeProto{Name: edPtr("dead"), OpType: edPtr("Exp"), Input: []string{"p"}, Output: []string{"dead_out"}},
		&onnxproto.NodeProto{Name: edPtr("dead2"), OpType: edPtr("Myfn"), Domain: edPtr("local"), Input: []string{"dead_out"}, Output: []string{"dead2_out"}})
	g.ValueInfo = append(g.ValueInfo, &onnxproto.ValueInfoProto{Name: edPtr("ghost"), Type: edFloat(2)})
	then := g.Node[1].Attribute[0].G
	then.Node = append(then.Node, &onnxproto.NodeProto{Name: edPtr("then_dead"), OpType: edPtr("Neg"), Input: []string{"x"}, Output: []string{"then_dead_out"}})
	mp.OpsetImport = append(mp.OpsetImport, &onnxproto.OperatorSetIdProto{Domain: edPtr("local"), Version: proto64(1)})
	fn := func(name string) *onnxproto.FunctionProto {
		return &onnxproto.FunctionProto{Name: edPtr(name), Domain: edPtr("local"), Input: []string{"a"}, Output: []string{"b"},
			Node:        []*onnxproto.NodeProto{{OpType: edPtr("Relu"), Input: []string{"a"}, Output: []string{"b"}}},
			OpsetImport: []*onnxproto.OperatorSetIdProto{{Domain: edPtr(""), Version: proto64(17)}}}
	}
	mp.Functions = []*onnxproto.FunctionProto{fn("Myfn"), fn("Unused")}
	b, err := protoMarshal(mp)
	if err != nil {
		t.Fatal(err)
	}
	return must(onnxgraph.Decode(b, nil))
}

func proto64(v int64) *int64 { return &v }

func TestModelPrune(t *testing.T) {
	m := edDead(t)
	var r onnxgraph.PruneReport
	if err := m.Prune(nil, &r).Err(); err != nil {
		t.Fatal(err)
	}
	sane(t, m)
	if !slices.Equal(r.Nodes, []string{"then_dead(Neg)", "dead(Exp)", "dead2(local:Myfn)"}) && !slices.Equal(r.Nodes, []string{"then_dead(Neg)", "dead(Exp)", "dead2(Myfn)"}) {
		t.Errorf("nodes %v", r.Nodes)
	}
	if !slices.Equal(r.ValueInfo, []string{"ghost"}) || !slices.Equal(r.Functions, []string{"local:Myfn", "local:Unused"}) || len(r.Inputs) != 0 {
		t.Errorf("report %+v", r)
	}
	if got := edInNames(m.Graph()); !slices.Contains(got, "unused") {
		t.Error("an input went without being asked")
	}
	if err := m.Prune(&onnxgraph.PruneOptions{Inputs: true}, &r).Err(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.Inputs, []string{"unused"}) || len(r.Nodes) != 0 {
		t.Errorf("second prune %+v", r)
	}
	edGolden(t, "prune", edDescribe(m))
	edPython(t, map[string]*onnxgraph.Model{"pruned": m})
}

func TestModelTopoSort(t *testing.T) {
	p := chain(t, 5).ToProto()
	slices.Reverse(p.Graph.Node)
	m := must(onnxgraph.Decode(must(protoMarshal(p)), nil))
	if err := m.TopoSort().Err(); err != nil {
		t.Fatal(err)
	}
	if got := edNodeNames(m.Graph()); !slices.Equal(got, []string{"n0", "n1", "n2", "n3", "n4"}) {
		t.Errorf("order %v", got)
	}
	// A cycle: recorded, nothing changed.
	p = chain(t, 3).ToProto()
	p.Graph.Node[0].Input[0] = "v2"
	m = must(onnxgraph.Decode(must(protoMarshal(p)), nil))
	edFails(t, m, onnxgraph.ErrCycle, []string{"n0", "n2"}, func() error { return onnxgraph.TopoSortModel(m) })
	if err := m.TopoSort().Err(); !errors.Is(err, onnxgraph.ErrCycle) {
		t.Errorf("chain: %v", err)
	}
}

func ExampleModel_AddOutputs() {
	// Shape inference tells the new output's type.
	m := samples.MNIST().Infer(shapeinfer.Types(nil))
	var r onnxgraph.OutputsReport
	err := m.AddOutputs(&onnxgraph.AddOutputsOptions{Names: []string{"Pooling66_Output_0"}}, &r).Err()
	fmt.Println(err, len(m.Graph().Outputs()), r.Added[0].Name, r.Added[0].Type, r.Added[0].Shape)
	// Output: <nil> 2 Pooling66_Output_0 float32 [1,8,14,14]
}

func ExampleModel_DeleteOutputs() {
	m := samples.MNIST().Infer(shapeinfer.Types(nil))
	m.AddOutputs(&onnxgraph.AddOutputsOptions{Names: []string{"ReLU28_Output_0"}}, nil)
	var r onnxgraph.OutputsReport
	err := m.DeleteOutputs(&onnxgraph.DeleteOutputsOptions{Names: []string{"Plus214_Output_0"}}, &r).Err()
	fmt.Println(err, m.Graph().NumNodes(), r.Pruned)
	// Output: <nil> 3 [Pooling66(MaxPool) Convolution110(Conv) Plus110(Add) ReLU110(Relu) Pooling160(MaxPool) Times212_reshape0(Reshape) Times212_reshape1(Reshape) Times212(MatMul) Plus214(Add) Parameter87 Parameter88 Pooling160_Output_0_reshape0_shape Parameter193 Parameter193_reshape1_shape Parameter194]
}

func ExampleModel_Prune() {
	m := samples.MNIST()
	// Make the last Add dead by reading the MatMul directly.
	g := m.Graph()
	mm, _ := g.Value("Times212_Output_0")
	_ = g.SetOutput(0, mm)
	var r onnxgraph.PruneReport
	err := m.Prune(nil, &r).Err()
	fmt.Println(err, r.Nodes, r.Initializers)
	// Output: <nil> [Plus214(Add)] [Parameter194]
}

func ExampleModel_TopoSort() {
	m := onnxgraph.NewModel(8, map[string]int64{"": 17})
	g := m.Graph()
	x, _ := g.AddInput("x", onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(2)))
	a, _ := g.AddNode("Relu", []*onnxgraph.Value{x}, []string{"a"})
	b, _ := g.AddNode("Neg", []*onnxgraph.Value{x}, []string{"b"})
	_ = a.SetInput(0, b.Output(0)) // now a reads b, which comes after it
	_ = g.AddOutput(a.Output(0), nil)
	err := m.TopoSort().Err()
	for _, n := range g.Nodes() {
		fmt.Print(n.OpType(), " ")
	}
	fmt.Println(err)
	// Output: Neg Relu <nil>
}
