package eval_test

import (
	"errors"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/eval"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"google.golang.org/protobuf/proto"
)

// Helpers that write protobuf messages by hand, for graphs with subgraphs.

func vi(name string, dt onnxgraph.DataType, dims ...int64) *onnxproto.ValueInfoProto {
	return &onnxproto.ValueInfoProto{Name: proto.String(name), Type: onnxgraph.TensorType(dt, onnxgraph.Dims(dims...))}
}

func node(op string, in, out []string, attrs ...*onnxproto.AttributeProto) *onnxproto.NodeProto {
	return &onnxproto.NodeProto{OpType: proto.String(op), Input: in, Output: out, Attribute: attrs}
}

func graphAttr(name string, g *onnxproto.GraphProto) *onnxproto.AttributeProto {
	t := onnxproto.AttributeProto_GRAPH
	return &onnxproto.AttributeProto{Name: proto.String(name), Type: &t, G: g}
}

func intAttr(name string, v int64) *onnxproto.AttributeProto {
	t := onnxproto.AttributeProto_INT
	return &onnxproto.AttributeProto{Name: proto.String(name), Type: &t, I: proto.Int64(v)}
}

func modelOf(t *testing.T, opset int64, g *onnxproto.GraphProto) *onnxgraph.Model {
	t.Helper()
	mp := &onnxproto.ModelProto{IrVersion: proto.Int64(8), Graph: g,
		OpsetImport: []*onnxproto.OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(opset)}}}
	b, err := proto.Marshal(mp)
	if err != nil {
		t.Fatal(err)
	}
	m, err := onnxgraph.Decode(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestIf(t *testing.T) {
	// y = cond ? x + 1 : x * 10, both branches reading x from the outer graph.
	one := T(d(), float32(1))
	ten := T(d(), float32(10))
	then := &onnxproto.GraphProto{Name: proto.String("then"), Node: []*onnxproto.NodeProto{node("Add", []string{"x", "one"}, []string{"t"})},
		Output: []*onnxproto.ValueInfoProto{vi("t", onnxgraph.Float, 2)}}
	els := &onnxproto.GraphProto{Name: proto.String("else"), Node: []*onnxproto.NodeProto{node("Mul", []string{"x", "ten"}, []string{"e"})},
		Output: []*onnxproto.ValueInfoProto{vi("e", onnxgraph.Float, 2)}}
	oneP, tenP := proto.Clone(one.Proto()).(*onnxproto.TensorProto), proto.Clone(ten.Proto()).(*onnxproto.TensorProto)
	oneP.Name, tenP.Name = proto.String("one"), proto.String("ten")
	g := &onnxproto.GraphProto{Name: proto.String("main"),
		Node:        []*onnxproto.NodeProto{node("If", []string{"c"}, []string{"y"}, graphAttr("then_branch", then), graphAttr("else_branch", els))},
		Input:       []*onnxproto.ValueInfoProto{vi("c", onnxgraph.Bool), vi("x", onnxgraph.Float, 2)},
		Output:      []*onnxproto.ValueInfoProto{vi("y", onnxgraph.Float, 2)},
		Initializer: []*onnxproto.TensorProto{oneP, tenP}}
	m := modelOf(t, 13, g)
	x := T(d(2), float32(1), 2)
	for _, c := range []struct {
		cond bool
		want *onnxgraph.Tensor
	}{{true, T(d(2), float32(2), 3)}, {false, T(d(2), float32(10), 20)}} {
		out, err := eval.Run(m, map[string]*onnxgraph.Tensor{"c": T(d(), c.cond), "x": x}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := sameTensor(out["y"], c.want, false); err != nil {
			t.Errorf("cond %v: %v", c.cond, err)
		}
	}
	if _, err := eval.Run(m, map[string]*onnxgraph.Tensor{"c": T(d(2), true, false), "x": x}, nil); !errors.Is(err, eval.ErrInvalid) {
		t.Errorf("two-element cond: %v", err)
	}
	if _, err := eval.Run(m, map[string]*onnxgraph.Tensor{"c": T(d(), true)}, nil); !errors.Is(err, eval.ErrInvalid) {
		t.Errorf("missing input: %v", err)
	}
}

func TestLoop(t *testing.T) {
	// for i < M while cond: acc += i; scan out acc.
	body := &onnxproto.GraphProto{Name: proto.String("body"),
		Node: []*onnxproto.NodeProto{
			node("Cast", []string{"i"}, []string{"fi"}, intAttr("to", int64(onnxgraph.Float))),
			node("Add", []string{"acc", "fi"}, []string{"acc2"}),
			node("Identity", []string{"cond"}, []string{"cond2"}),
			node("Identity", []string{"acc2"}, []string{"scan"}),
		},
		Input:  []*onnxproto.ValueInfoProto{vi("i", onnxgraph.Int64), vi("cond", onnxgraph.Bool), vi("acc", onnxgraph.Float)},
		Output: []*onnxproto.ValueInfoProto{vi("cond2", onnxgraph.Bool), vi("acc2", onnxgraph.Float), vi("scan", onnxgraph.Float)}}
	g := &onnxproto.GraphProto{Name: proto.String("main"),
		Node:   []*onnxproto.NodeProto{node("Loop", []string{"M", "", "a0"}, []string{"acc", "scans"}, graphAttr("body", body))},
		Input:  []*onnxproto.ValueInfoProto{vi("M", onnxgraph.Int64), vi("a0", onnxgraph.Float)},
		Output: []*onnxproto.ValueInfoProto{vi("acc", onnxgraph.Float), vi("scans", onnxgraph.Float, -1)}}
	m := modelOf(t, 16, g)
	out, err := eval.Run(m, map[string]*onnxgraph.Tensor{"M": T(d(), int64(4)), "a0": T(d(), float32(0))}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := sameTensor(out["acc"], T(d(), float32(6)), false); err != nil {
		t.Error(err)
	}
	if err := sameTensor(out["scans"], T(d(4), float32(0), 1, 3, 6), false); err != nil {
		t.Error(err)
	}
	out, err = eval.Run(m, map[string]*onnxgraph.Tensor{"M": T(d(), int64(0)), "a0": T(d(), float32(5))}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := sameTensor(out["scans"], T[float32](d(0)), false); err != nil {
		t.Error(err)
	}
}

func TestScan(t *testing.T) {
	// Running sum over the rows of x, reversed output.
	body := &onnxproto.GraphProto{Name: proto.String("body"),
		Node:   []*onnxproto.NodeProto{node("Add", []string{"s", "row"}, []string{"s2"}), node("Identity", []string{"s2"}, []string{"out"})},
		Input:  []*onnxproto.ValueInfoProto{vi("s", onnxgraph.Float, 2), vi("row", onnxgraph.Float, 2)},
		Output: []*onnxproto.ValueInfoProto{vi("s2", onnxgraph.Float, 2), vi("out", onnxgraph.Float, 2)}}
	ints := onnxproto.AttributeProto_INTS
	dirs := &onnxproto.AttributeProto{Name: proto.String("scan_output_directions"), Type: &ints, Ints: []int64{1}}
	g := &onnxproto.GraphProto{Name: proto.String("main"),
		Node:   []*onnxproto.NodeProto{node("Scan", []string{"s0", "x"}, []string{"s", "ys"}, graphAttr("body", body), intAttr("num_scan_inputs", 1), dirs)},
		Input:  []*onnxproto.ValueInfoProto{vi("s0", onnxgraph.Float, 2), vi("x", onnxgraph.Float, 3, 2)},
		Output: []*onnxproto.ValueInfoProto{vi("s", onnxgraph.Float, 2), vi("ys", onnxgraph.Float, 3, 2)}}
	m := modelOf(t, 16, g)
	out, err := eval.Run(m, map[string]*onnxgraph.Tensor{"s0": T(d(2), float32(0), 0), "x": T(d(3, 2), float32(1), 2, 3, 4, 5, 6)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := sameTensor(out["s"], T(d(2), float32(9), 12), false); err != nil {
		t.Error(err)
	}
	if err := sameTensor(out["ys"], T(d(3, 2), float32(9), 12, 4, 6, 1, 2), false); err != nil {
		t.Error(err)
	}
}

func TestSequences(t *testing.T) {
	g := &onnxproto.GraphProto{Name: proto.String("main"),
		Node: []*onnxproto.NodeProto{
			node("SequenceConstruct", []string{"a", "b"}, []string{"s"}),
			node("SequenceInsert", []string{"s", "a", "zero"}, []string{"s2"}),
			node("SequenceLength", []string{"s2"}, []string{"n"}),
			node("SequenceErase", []string{"s2"}, []string{"s3"}),
			node("ConcatFromSequence", []string{"s3"}, []string{"cat"}, intAttr("axis", 0), intAttr("new_axis", 1)),
			node("SequenceAt", []string{"s2", "last"}, []string{"at"}),
			node("SplitToSequence", []string{"cat"}, []string{"parts"}, intAttr("keepdims", 0)),
		},
		Input: []*onnxproto.ValueInfoProto{vi("a", onnxgraph.Int32, 2), vi("b", onnxgraph.Int32, 2), vi("zero", onnxgraph.Int64), vi("last", onnxgraph.Int64)},
		Output: []*onnxproto.ValueInfoProto{vi("n", onnxgraph.Int64), vi("cat", onnxgraph.Int32, 2, 2), vi("at", onnxgraph.Int32, 2),
			{Name: proto.String("parts"), Type: &onnxproto.TypeProto{Value: &onnxproto.TypeProto_SequenceType{SequenceType: &onnxproto.TypeProto_Sequence{
				ElemType: onnxgraph.TensorType(onnxgraph.Int32, nil)}}}}}}
	m := modelOf(t, 17, g)
	in := map[string]eval.Value{"a": {Tensor: T(d(2), int32(1), 2)}, "b": {Tensor: T(d(2), int32(3), 4)},
		"zero": {Tensor: T(d(), int64(0))}, "last": {Tensor: T(d(), int64(-1))}}
	out, err := eval.RunValues(m, in, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := sameTensor(out["n"].Tensor, T(d(), int64(3)), false); err != nil {
		t.Error(err)
	}
	// [a, a, b] with the last erased: [a, a] stacked.
	if err := sameTensor(out["cat"].Tensor, T(d(2, 2), int32(1), 2, 1, 2), false); err != nil {
		t.Error(err)
	}
	if err := sameTensor(out["at"].Tensor, T(d(2), int32(3), 4), false); err != nil {
		t.Error(err)
	}
	parts := out["parts"].Sequence
	if parts == nil || len(parts.Tensors) != 2 || parts.ElemType != onnxgraph.Int32 {
		t.Fatalf("parts = %+v", parts)
	}
	if err := sameTensor(parts.Tensors[1], T(d(2), int32(1), 2), false); err != nil {
		t.Error(err)
	}
	if _, err := eval.Run(m, map[string]*onnxgraph.Tensor{"a": T(d(2), int32(1), 2), "b": T(d(2), int32(3), 4), "zero": T(d(), int64(0)), "last": T(d(), int64(-1))}, nil); !errors.Is(err, eval.ErrNotImplemented) {
		t.Errorf("Run with a sequence output: %v", err)
	}
}

// TestSubgraphReturnsOuterValue checks that a value a branch returns as
// it is, produced by a node of the outer graph, lives until the branch has
// run.
func TestSubgraphReturnsOuterValue(t *testing.T) {
	then := &onnxproto.GraphProto{Name: proto.String("then"), Output: []*onnxproto.ValueInfoProto{vi("d", onnxgraph.Float, 2)}}
	els := &onnxproto.GraphProto{Name: proto.String("else"), Output: []*onnxproto.ValueInfoProto{vi("x", onnxgraph.Float, 2)}}
	g := &onnxproto.GraphProto{Name: proto.String("main"),
		Node: []*onnxproto.NodeProto{
			node("Add", []string{"x", "x"}, []string{"d"}),
			node("Neg", []string{"x"}, []string{"unrelated"}),
			node("If", []string{"c"}, []string{"y"}, graphAttr("then_branch", then), graphAttr("else_branch", els)),
		},
		Input:  []*onnxproto.ValueInfoProto{vi("c", onnxgraph.Bool), vi("x", onnxgraph.Float, 2)},
		Output: []*onnxproto.ValueInfoProto{vi("y", onnxgraph.Float, 2)}}
	m := modelOf(t, 16, g)
	out, err := eval.Run(m, map[string]*onnxgraph.Tensor{"c": T(d(), true), "x": T(d(2), float32(1), 2)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := sameTensor(out["y"], T(d(2), float32(2), 4), false); err != nil {
		t.Error(err)
	}
}
