package onnxgraph_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph"
)

// e6ModifyModel: x[1,3,4,4] -> Transpose(perm 0,1,2,3) "t" -> Add(w) "a"
// -> Mul(w) "b" -> Concat(axis 1) with a Constant -> y; w is shared by
// Add and Mul.
func e6ModifyModel(t testing.TB) *onnxgraph.Model {
	t.Helper()
	b := onnxgraph.NewBuilder(17)
	x := b.Input("x", onnxgraph.Float, onnxgraph.Dims(1, 3, 4, 4)...)
	tr := b.Node(onnxgraph.NodeSpec{Op: "Transpose", Name: "t", Inputs: []any{x}, Attrs: onnxgraph.Attrs{"perm": "0,1,2,3"}}).Output(0)
	w := b.Const("w", onnxgraph.Float, []int64{4}, []float32{1, 2, 3, 4})
	a := b.Node(onnxgraph.NodeSpec{Op: "Add", Name: "a", Inputs: []any{tr, w}}).Output(0)
	m := b.Node(onnxgraph.NodeSpec{Op: "Mul", Name: "b", Inputs: []any{a, w}}).Output(0)
	c := b.Node(onnxgraph.NodeSpec{Op: "Constant", Name: "c", Attrs: onnxgraph.Attrs{"value_floats": []float32{9, 9, 9, 9}}, Outputs: []string{"cv"}}).Output(0)
	cc := b.Op("Expand", nil, c, []int64{1, 1, 4, 4})
	y := b.Node(onnxgraph.NodeSpec{Op: "Concat", Name: "cat", Inputs: []any{m, cc}, Attrs: onnxgraph.Attrs{"axis": 1}, Outputs: []string{"y"}}).Output(0)
	b.Output(y, onnxgraph.Dims(1, 4, 4, 4)...)
	model, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return model
}

func TestModifyAttributesTyped(t *testing.T) {
	m := e6ModifyModel(t)
	var r onnxgraph.ModifyReport
	err := m.Modify("t", &onnxgraph.ModifyOptions{Attrs: map[string]any{"perm": "0,1,3,2"}}, &r).Err()
	if err != nil {
		t.Fatal(err)
	}
	n, _ := m.FindNode("t")
	if a := n.Attr("perm"); a.GetType().String() != "INTS" || !slices.Equal(a.GetInts(), []int64{0, 1, 3, 2}) {
		t.Errorf("perm = %v", a)
	}
	if !slices.Equal(r.Set, []string{"perm=[0 1 3 2]"}) || r.Note == "" {
		t.Errorf("report %+v", r)
	}
	e6Sane(t, m)
	if err := m.Modify("cat", &onnxgraph.ModifyOptions{Attrs: map[string]any{"axis": -3}}, nil).Err(); err != nil {
		t.Fatal(err)
	}
}

func TestModifyConstants(t *testing.T) {
	// w is shared by Add and Mul: changing it for Add copies it.
	m := e6ModifyModel(t)
	var r onnxgraph.ModifyReport
	if err := m.Modify("a", &onnxgraph.ModifyOptions{Consts: map[string]any{"w": "10,20,30,40"}}, &r).Err(); err != nil {
		t.Fatal(err)
	}
	e6Sane(t, m)
	a, _ := m.FindNode("a")
	b, _ := m.FindNode("b")
	if a.Input(1).Name() != "w_mod" || b.Input(1).Name() != "w" || !slices.Equal(r.Copied, []string{"w -> w_mod"}) {
		t.Errorf("Add reads %q, Mul reads %q; report %+v", a.Input(1).Name(), b.Input(1).Name(), r)
	}
	got, _ := a.Input(1).Initializer().Float32s()
	old, _ := b.Input(1).Initializer().Float32s()
	if !slices.Equal(got, []float32{10, 20, 30, 40}) || !slices.Equal(old, []float32{1, 2, 3, 4}) {
		t.Errorf("new %v, old %v", got, old)
	}
	// Now Mul alone reads w: it changes in place, with a new shape.
	r = onnxgraph.ModifyReport{}
	if err := m.Modify("b", &onnxgraph.ModifyOptions{Consts: map[string]any{"w": []float64{2}}}, &r).Err(); err != nil {
		t.Fatal(err)
	}
	if b.Input(1).Name() != "w" || !slices.Equal(b.Input(1).Initializer().Dims(), []int64{1}) || !slices.Equal(r.Consts, []string{"w"}) {
		t.Errorf("in place: %v %+v", b.Input(1).Initializer(), r)
	}
	// A Constant node's value.
	cc, _ := m.FindNode("Expand_0")
	if err := m.Modify("Expand_0", &onnxgraph.ModifyOptions{Consts: map[string]any{"cv": "1,2,3,4"}}, nil).Err(); err != nil {
		t.Fatal(err)
	}
	c, _ := m.FindNode("c")
	if c.Attr("value") == nil || c.Attr("value_floats") != nil || cc.Input(0) != c.Output(0) {
		t.Errorf("Constant node: %v", c.Proto())
	}
	e6Sane(t, m)
}

func TestModifyErrorsLeaveModelUnchanged(t *testing.T) {
	tensor, _ := onnxgraph.TensorFrom("x", []int64{4}, []int64{1, 2, 3, 4})
	cases := []struct {
		node     string
		opts     onnxgraph.ModifyOptions
		sentinel error
		want     string
	}{
		{"nope", onnxgraph.ModifyOptions{DeleteAttrs: []string{"perm"}}, onnxgraph.ErrNotFound, `no node named "nope"`},
		{"t", onnxgraph.ModifyOptions{Attrs: map[string]any{"perm": "0,x"}}, onnxgraph.ErrSchema, `attribute "perm": "0,x" is not INTS`},
		{"t", onnxgraph.ModifyOptions{Attrs: map[string]any{"perm": 2.5}}, onnxgraph.ErrSchema, `is not INTS`},
		{"t", onnxgraph.ModifyOptions{Attrs: map[string]any{"prem": "0,1"}}, onnxgraph.ErrSchema, `Transpose-13 has no attribute "prem"`},
		{"cat", onnxgraph.ModifyOptions{DeleteAttrs: []string{"axis"}}, onnxgraph.ErrSchema, `attribute "axis" is required`},
		{"t", onnxgraph.ModifyOptions{DeleteAttrs: []string{"axis"}}, onnxgraph.ErrNotFound, `has no attribute "axis"`},
		{"a", onnxgraph.ModifyOptions{Consts: map[string]any{"x": "1"}}, onnxgraph.ErrNotFound, `reads no input "x"`},
		{"t", onnxgraph.ModifyOptions{Consts: map[string]any{"x": "1"}}, onnxgraph.ErrInvalid, `is a graph input, not a constant`},
		{"b", onnxgraph.ModifyOptions{Consts: map[string]any{"a": "1"}}, onnxgraph.ErrInvalid, `computed by node "a"(Add)`},
		{"a", onnxgraph.ModifyOptions{Consts: map[string]any{"w": tensor}}, onnxgraph.ErrSchema, `is float32; the new data is int64`},
		{"a", onnxgraph.ModifyOptions{Consts: map[string]any{"w": "1,a"}}, onnxgraph.ErrInvalid, `"a" is not a number`},
		{"t", onnxgraph.ModifyOptions{Attrs: map[string]any{"perm": "0,1"}, DeleteAttrs: []string{"perm"}}, onnxgraph.ErrInvalid, "both set and deleted"},
		{"t", onnxgraph.ModifyOptions{}, onnxgraph.ErrInvalid, "nothing to modify"},
	}
	for _, c := range cases {
		m := e6ModifyModel(t)
		before := e6Bytes(t, m)
		err := m.Modify(c.node, &c.opts, nil).Err()
		if !errors.Is(err, c.sentinel) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %+v: err = %v, want %v with %q", c.node, c.opts, err, c.sentinel, c.want)
			continue
		}
		if e6Bytes(t, m) != before {
			t.Errorf("%s %+v: the failed Modify changed the model", c.node, c.opts)
		}
	}
}

func TestModifyInsideSubgraphs(t *testing.T) {
	// Loop body: name the nodes, then change the Add's constant input
	// "one" (a Constant node of the body).
	m := e6Suite(t, "node/test_loop11")
	m.NameNodes(nil, nil)
	body := m.Graph().Nodes()[0].Subgraphs()[0]
	var add *onnxgraph.Node
	for _, n := range body.Nodes() {
		if n.OpType() == "Add" && n.Input(1).Name() == "one" {
			add = n
		}
	}
	if add == nil {
		t.Fatal("no Add reading one in the body")
	}
	var r onnxgraph.ModifyReport
	if err := m.Modify(add.Name(), &onnxgraph.ModifyOptions{Consts: map[string]any{"one": "2"}}, &r).Err(); err != nil {
		t.Fatal(err)
	}
	if r.Graph != body.Name() || len(r.Consts) != 1 {
		t.Errorf("report %+v", r)
	}
	if p, _ := add.Input(1).Producer(); p == nil || p.Attr("value") == nil {
		t.Fatal("the Constant node lost its value")
	} else if v, _ := m.TensorOf(p.Attr("value").GetT()).Int64s(); !slices.Equal(v, []int64{2}) {
		t.Errorf("one = %v", v)
	}
	e6Sane(t, m)
	// If branch: a Constant node's value attribute (a tensor).
	m = e6Suite(t, "node/test_if")
	m.NameNodes(nil, nil)
	then := m.Graph().Nodes()[0].Subgraphs()
	var names []string
	for _, g := range then {
		names = append(names, g.Nodes()[0].Name())
	}
	nt, _ := onnxgraph.TensorFrom("v", []int64{5}, []float32{5, 4, 3, 2, 1})
	if err := m.Modify(names[0], &onnxgraph.ModifyOptions{Attrs: map[string]any{"value": nt}}, nil).Err(); err != nil {
		t.Fatal(err)
	}
	e6Sane(t, m)
}

func ExampleModel_Modify() {
	b := onnxgraph.NewBuilder(17)
	x := b.Input("x", onnxgraph.Float, onnxgraph.Dims(1, 3, 4, 5)...)
	y := b.Node(onnxgraph.NodeSpec{Op: "Transpose", Name: "to_nhwc", Inputs: []any{x}, Attrs: onnxgraph.Attrs{"perm": "0,1,2,3"}})
	b.Output(y.Output(0), onnxgraph.Dims(1, 3, 4, 5)...)
	m, _ := b.Build()

	// The text is read as the schema's type for perm: INTS.
	var r onnxgraph.ModifyReport
	err := m.Modify("to_nhwc", &onnxgraph.ModifyOptions{Attrs: map[string]any{"perm": "0,2,3,1"}}, &r).Err()
	fmt.Println(err, r.Set)

	// A value of the wrong type is an error.
	err = m.Modify("to_nhwc", &onnxgraph.ModifyOptions{Attrs: map[string]any{"perm": "nhwc"}}, nil).Err()
	fmt.Println(errors.Is(err, onnxgraph.ErrSchema))
	// Output:
	// <nil> [perm=[0 2 3 1]]
	// true
}
