package onnxgraph_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph"
)

// e6Ops lists op types of g's nodes in order.
func e6Ops(g *onnxgraph.Graph) string {
	var out []string
	for _, n := range g.Nodes() {
		out = append(out, n.OpType())
	}
	return strings.Join(out, " ")
}

func TestSetOpsetRelabelWarns(t *testing.T) {
	b := onnxgraph.NewBuilder(11)
	x := b.Input("x", onnxgraph.Float, onnxgraph.Dims(2, 3)...)
	s := b.Op("Softmax", nil, x)
	r := b.Op("ReduceSum", onnxgraph.Attrs{"axes": []int{1}}, s)
	b.Output(b.Op("Relu", nil, r), onnxgraph.Dims(2, 1)...)
	m, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	var rep onnxgraph.SetOpsetReport
	if err := m.SetOpset("", 13, nil, &rep).Err(); err != nil {
		t.Fatal(err)
	}
	if v, _ := m.Opset(""); v != 13 {
		t.Errorf("opset %d", v)
	}
	want := []string{
		`node "Softmax_0"(Softmax): schema changes from Softmax-11 to Softmax-13`,
		`node "ReduceSum_0"(ReduceSum): schema changes from ReduceSum-11 to ReduceSum-13`,
		`node "Relu_0"(Relu): schema changes from Relu-6 to Relu-13`,
	}
	if !slices.Equal(rep.Warnings, want) {
		t.Errorf("warnings:\n%s", strings.Join(rep.Warnings, "\n"))
	}
	// Relabeling keeps every node as it was.
	if n := m.Graph().Nodes()[1]; n.Attr("axes") == nil || n.NumInputs() != 1 {
		t.Error("relabel changed a node")
	}
	if m.IRVersion() != 7 {
		t.Errorf("ir_version %d, want 7 (opset 13)", m.IRVersion())
	}
}

func TestSetOpsetConvertUpAndDown(t *testing.T) {
	b := onnxgraph.NewBuilder(10)
	x := b.Input("x", onnxgraph.Float, onnxgraph.Dims(2, 3, 4)...)
	s := b.Op("Softmax", onnxgraph.Attrs{"axis": 1}, x) // not the last axis: coerced to 2-D
	r := b.Op("ReduceMean", onnxgraph.Attrs{"axes": []int{1}}, s)
	sq := b.Op("Squeeze", onnxgraph.Attrs{"axes": []int{1}}, r)
	parts := b.Node(onnxgraph.NodeSpec{Op: "Split", Inputs: []any{sq}, Attrs: onnxgraph.Attrs{"axis": 1, "split": []int{1, 3}}, NumOutputs: 2})
	p := b.Op("Pad", onnxgraph.Attrs{"pads": []int{0, 1, 0, 1}, "value": 0.5}, parts.Output(1))
	c := b.Op("Clip", onnxgraph.Attrs{"min": 0.0}, p)
	b.Output(c, onnxgraph.Dims(2, 5)...)
	b.Output(parts.Output(0), onnxgraph.Dims(2, 1)...)
	m, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	orig := e6Bytes(t, m)
	var rep onnxgraph.SetOpsetReport
	if err := m.SetOpset("", 18, &onnxgraph.SetOpsetOptions{Convert: true}, &rep).Err(); err != nil {
		t.Fatal(err)
	}
	e6Sane(t, m)
	if got := e6Ops(m.Graph()); got != "Flatten Shape Softmax Reshape ReduceMean Squeeze Split Pad Clip" {
		t.Errorf("ops at 18: %s", got)
	}
	if len(rep.Converted) != 6 || rep.IRTo != 8 {
		t.Errorf("report: %d converted, ir %d -> %d:\n%s", len(rep.Converted), rep.IRFrom, rep.IRTo, strings.Join(rep.Converted, "\n"))
	}
	for _, n := range m.Graph().Nodes() {
		switch n.OpType() {
		case "ReduceMean", "Squeeze", "Split", "Pad":
			if n.NumInputs() < 2 || len(n.Attrs()) > 2 {
				t.Errorf("%s at 18: %d inputs %v", n.OpType(), n.NumInputs(), n.Proto().Input)
			}
		case "Clip":
			if n.NumInputs() != 2 || n.Attr("min") != nil {
				t.Errorf("Clip at 18: %v", n.Proto().Input)
			}
		}
	}
	// And back: attributes again; the Softmax pattern stays (its meaning at
	// 10 is the same), the rest is the original.
	if err := m.SetOpset("", 10, &onnxgraph.SetOpsetOptions{Convert: true}, &rep).Err(); err != nil {
		t.Fatal(err)
	}
	e6Sane(t, m)
	if got := e6Ops(m.Graph()); got != "Flatten Shape Softmax Reshape ReduceMean Squeeze Split Pad Clip" {
		t.Errorf("ops back at 10: %s", got)
	}
	for _, n := range m.Graph().Nodes()[4:] {
		if n.NumInputs() != 1 {
			t.Errorf("%s back at 10 has %d inputs", n.OpType(), n.NumInputs())
		}
	}
	if len(m.Graph().Initializers()) != 0 {
		t.Errorf("constants left behind: %d", len(m.Graph().Initializers()))
	}
	if e6Bytes(t, m) == orig {
		t.Log("(back to the original bytes)")
	}
}

func TestSetOpsetErrorsLeaveModelUnchanged(t *testing.T) {
	// A Softmax at 13 along a middle axis of unknown rank cannot go to 11.
	b := onnxgraph.NewBuilder(13)
	x := b.InputRank("x", onnxgraph.Float)
	y := b.Op("Softmax", onnxgraph.Attrs{"axis": 1}, x)
	b.Output(y, onnxgraph.Dims(2, 3, 4)...)
	// An input of unknown rank is what this test needs; Validate (and so
	// Build) refuses it in a main graph, Model does not check.
	m := b.Model()
	if err := b.Err(); err != nil {
		t.Fatal(err)
	}
	before := e6Bytes(t, m)
	err := m.SetOpset("", 11, &onnxgraph.SetOpsetOptions{Convert: true}, nil).Err()
	var ce *onnxgraph.ConvertError
	if !errors.Is(err, onnxgraph.ErrConvert) || !errors.As(err, &ce) || ce.Op != "Softmax" || !strings.Contains(err.Error(), `"Softmax_0"`) {
		t.Errorf("err = %v", err)
	}
	if e6Bytes(t, m) != before {
		t.Error("a failed conversion changed the model")
	}
	// With the rank known it converts (a Transpose pair).
	m2 := e6Suite(t, "node/test_softmax_axis_1")
	if err := m2.SetOpset("", 11, &onnxgraph.SetOpsetOptions{Convert: true}, nil).Err(); err != nil {
		t.Fatal(err)
	}
	if got := e6Ops(m2.Graph()); got != "Transpose Softmax Transpose" {
		t.Errorf("ops %s", got)
	}
	e6Sane(t, m2)

	for _, c := range []struct {
		domain  string
		version int64
		err     error
	}{{"com.example", 2, onnxgraph.ErrNotFound}, {"", 0, onnxgraph.ErrInvalid}, {"", 999, onnxgraph.ErrInvalid}} {
		m := e6Classifier(t)
		before := e6Bytes(t, m)
		if err := m.SetOpset(c.domain, c.version, nil, nil).Err(); !errors.Is(err, c.err) {
			t.Errorf("SetOpset(%q, %d) = %v", c.domain, c.version, err)
		}
		if e6Bytes(t, m) != before {
			t.Error("a failed SetOpset changed the model")
		}
	}
	// An operator version no adapter converts.
	m4 := e6Suite(t, "node/test_scan_sum")
	before = e6Bytes(t, m4)
	if err := m4.SetOpset("", 11, &onnxgraph.SetOpsetOptions{Convert: true}, nil).Err(); !errors.As(err, &ce) || ce.Op != "Scan" {
		t.Errorf("Scan-8 up: %v", err)
	}
	if e6Bytes(t, m4) != before {
		t.Error("a failed conversion changed the model")
	}
}

func TestSetOpsetInsideSubgraphs(t *testing.T) {
	// test_loop11's body has Unsqueeze nodes with axes attributes.
	m := e6Suite(t, "node/test_loop11")
	var rep onnxgraph.SetOpsetReport
	if err := m.SetOpset("", 13, &onnxgraph.SetOpsetOptions{Convert: true}, &rep).Err(); err != nil {
		t.Fatal(err)
	}
	e6Sane(t, m)
	body := m.Graph().Nodes()[0].Subgraphs()[0]
	n := 0
	for _, x := range body.Nodes() {
		if x.OpType() == "Unsqueeze" {
			n++
			if x.NumInputs() != 2 || x.Attr("axes") != nil {
				t.Errorf("Unsqueeze in the body not converted: %v", x.Proto())
			}
		}
	}
	if n != 2 || len(rep.Converted) != 2 {
		t.Errorf("%d Unsqueeze, report %v", n, rep.Converted)
	}
}

func ExampleModel_SetOpset() {
	b := onnxgraph.NewBuilder(11)
	x := b.Input("x", onnxgraph.Float, onnxgraph.Dims(2, 3)...)
	y := b.Op("ReduceSum", onnxgraph.Attrs{"axes": []int{1}, "keepdims": 0}, x)
	b.Output(y, onnxgraph.Dims(2)...)
	m, _ := b.Build()

	var r onnxgraph.SetOpsetReport
	err := m.SetOpset("", 13, &onnxgraph.SetOpsetOptions{Convert: true}, &r).Err()
	n := m.Graph().Nodes()[0]
	fmt.Println(err, r.From, "->", r.To, n.Proto().Input)
	fmt.Println(r.Converted)
	// Output:
	// <nil> 11 -> 13 [x ReduceSum_0_axes]
	// ["ReduceSum_0"(ReduceSum): ReduceSum-13 up: attribute axes became input 1]
}
