package shapeinfer_test

import (
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
)

// famSeq is the type of a sequence of tensors of dt and dims.
func famSeq(dt onnxgraph.DataType, dims ...any) *onnxproto.TypeProto {
	el := famT("", dt, dims...).typ
	return &onnxproto.TypeProto{Value: &onnxproto.TypeProto_SequenceType{SequenceType: &onnxproto.TypeProto_Sequence{ElemType: el}}}
}

// famOpt is the type of an optional t.
func famOpt(t *onnxproto.TypeProto) *onnxproto.TypeProto {
	return &onnxproto.TypeProto{Value: &onnxproto.TypeProto_OptionalType{OptionalType: &onnxproto.TypeProto_Optional{ElemType: t}}}
}

func TestSequenceFamily(t *testing.T) {
	ai := onnxgraph.AttrInt
	mapBody := famBody(t, func(g *onnxgraph.Graph) error {
		x, _ := g.AddInput("elem", nil)
		n, err := g.AddNode("Shape", []*onnxgraph.Value{x}, []string{"shape_out"})
		if err != nil {
			return err
		}
		return g.AddOutput(n.Output(0), nil)
	})
	famRun(t, []famCase{
		{name: "SequenceEmpty", op: "SequenceEmpty", opset: 11, attrs: []*onnxproto.AttributeProto{ai("dtype", int64(i64))}, want: []string{"seq(int64[*])"}},
		{name: "SequenceConstruct-same", op: "SequenceConstruct", opset: 11, in: []famIn{famT("a", f32, "N", 3), famT("b", f32, "N", 3)}, want: []string{"seq(float32[N,3])"}},
		{name: "SequenceConstruct-differ", op: "SequenceConstruct", opset: 11, in: []famIn{famT("a", f32, 2, 3), famT("b", f32, 4, 3)}, want: []string{"seq(float32[?,3])"}},
		{name: "SequenceConstruct-types", op: "SequenceConstruct", opset: 11, in: []famIn{famT("a", f32, 2), famT("b", i64, 2)}, want: []string{"-"}, code: shapeinfer.CodeInvalid},
		{name: "SequenceInsert", op: "SequenceInsert", opset: 11, in: []famIn{famTyped("s", famSeq(f32, "N", 3)), famT("x", f32, "N", 3)}, want: []string{"seq(float32[N,3])"}},
		{name: "SequenceInsert-type", op: "SequenceInsert", opset: 11, in: []famIn{famTyped("s", famSeq(f32, 3)), famT("x", i64, 3)}, want: []string{"-"}, code: shapeinfer.CodeInvalid},
		{name: "SequenceErase", op: "SequenceErase", opset: 11, in: []famIn{famTyped("s", famSeq(f32, 3))}, want: []string{"seq(float32[3])"}},
		{name: "SequenceAt", op: "SequenceAt", opset: 11, in: []famIn{famTyped("s", famSeq(f32, "N", 3)), famScalar("p", 0)}, want: []string{"float32[N,3]"}},
		{name: "SequenceAt-not-seq", op: "SequenceAt", opset: 11, in: []famIn{famT("s", f32, 3), famScalar("p", 0)}, want: []string{"-"}, code: shapeinfer.CodeInvalid},
		{name: "SequenceLength", op: "SequenceLength", opset: 11, in: []famIn{famTyped("s", famSeq(f32, 3))}, want: []string{"int64[]"}},
		{name: "SplitToSequence-default", op: "SplitToSequence", opset: 11, in: []famIn{famT("x", f32, 2, 3, 4)}, attrs: []*onnxproto.AttributeProto{ai("axis", 1)}, want: []string{"seq(float32[2,1,4])"}},
		{name: "SplitToSequence-keepdims0", op: "SplitToSequence", opset: 11, in: []famIn{famT("x", f32, 2, 3, 4)}, attrs: []*onnxproto.AttributeProto{ai("keepdims", 0)}, want: []string{"seq(float32[3,4])"}},
		{name: "SplitToSequence-scalar-split", op: "SplitToSequence", opset: 24, in: []famIn{famT("x", f32, 7, 3), famScalar("s", 2)}, want: []string{"seq(float32[?,3])"}},
		{name: "SplitToSequence-huge-by-1", op: "SplitToSequence", opset: 24, in: []famIn{famT("x", f32, 1<<62, 3), famScalar("s", 1)}, want: []string{"seq(float32[1,3])"}},
		{name: "SplitToSequence-huge-uneven", op: "SplitToSequence", opset: 24, in: []famIn{famT("x", f32, 1<<62, 3), famScalar("s", 3)}, want: []string{"seq(float32[?,3])"}},
		{name: "SplitToSequence-even-split", op: "SplitToSequence", opset: 24, in: []famIn{famT("x", f32, 6, 3), famScalar("s", 2)}, want: []string{"seq(float32[2,3])"}},
		{name: "SplitToSequence-vector", op: "SplitToSequence", opset: 11, in: []famIn{famT("x", f32, 6, 3), famI64("s", 2, 4)}, want: []string{"seq(float32[?,3])"}},
		{name: "ConcatFromSequence", op: "ConcatFromSequence", opset: 11, in: []famIn{famTyped("s", famSeq(f32, 2, 3))}, attrs: []*onnxproto.AttributeProto{ai("axis", 1)}, want: []string{"float32[2,?]"}},
		{name: "ConcatFromSequence-new-axis", op: "ConcatFromSequence", opset: 11, in: []famIn{famTyped("s", famSeq(f32, 2, 3))}, attrs: []*onnxproto.AttributeProto{ai("axis", -1), ai("new_axis", 1)}, want: []string{"float32[2,3,?]"}},
		{name: "SequenceMap", op: "SequenceMap", opset: 17, in: []famIn{famTyped("s", famSeq(f32, "H", "W", 3))}, attrs: []*onnxproto.AttributeProto{famGraphAttr("body", mapBody)}, want: []string{"seq(int64[3])"}},
		{name: "Optional-input", op: "Optional", opset: 15, in: []famIn{famT("x", f32, 2)}, want: []string{"optional(float32[2])"}},
		{name: "Optional-type", op: "Optional", opset: 15, attrs: []*onnxproto.AttributeProto{{Name: strp("type"), Type: onnxproto.AttributeProto_TYPE_PROTO.Enum(), Tp: famSeq(f32, 4)}}, want: []string{"optional(seq(float32[4]))"}},
		{name: "OptionalHasElement-15", op: "OptionalHasElement", opset: 15, in: []famIn{famTyped("o", famOpt(famT("", f32, 2).typ))}, want: []string{"bool[]"}},
		// Opset 18: the input may be a plain tensor or missing.
		{name: "OptionalHasElement-18-empty", op: "OptionalHasElement", opset: 18, in: []famIn{famMissing}, want: []string{"bool[]"}},
		{name: "OptionalGetElement-15", op: "OptionalGetElement", opset: 15, in: []famIn{famTyped("o", famOpt(famSeq(i32, 4)))}, want: []string{"seq(int32[4])"}},
		{name: "OptionalGetElement-18-tensor", op: "OptionalGetElement", opset: 18, in: []famIn{famT("x", f32, "N")}, want: []string{"float32[N]"}},
		{name: "OptionalGetElement-15-tensor", op: "OptionalGetElement", opset: 15, in: []famIn{famT("x", f32, "N")}, want: []string{"-"}, code: shapeinfer.CodeInvalid},
	})
}

func strp(s string) *string { return &s }

// TestSequenceChains checks that elements are tracked one by one through
// SequenceEmpty/Construct/Insert/Erase with known positions.
func TestSequenceChains(t *testing.T) {
	m := onnxgraph.NewModel(10, map[string]int64{"": 17})
	g := m.Graph()
	node := func(op string, in []*onnxgraph.Value, out string, attrs ...*onnxproto.AttributeProto) *onnxgraph.Value {
		t.Helper()
		n, err := g.AddNode(op, in, []string{out}, attrs...)
		if err != nil {
			t.Fatal(err)
		}
		return n.Output(0)
	}
	input := func(name string, dims ...int64) *onnxgraph.Value {
		v, err := g.AddInput(name, onnxgraph.TensorType(f32, onnxgraph.Dims(dims...)))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	scalar := func(name string, v int64) *onnxgraph.Value {
		val, err := g.AddInitializer(mustTensor(t, name, i64, nil, []int64{v}))
		if err != nil {
			t.Fatal(err)
		}
		return val
	}
	x, y, z := input("x", 2, 3, 4), input("y", 1, 3, 4), input("z", 3, 3, 4)
	s0 := node("SequenceEmpty", nil, "s0")
	s1 := node("SequenceInsert", []*onnxgraph.Value{s0, x}, "s1")
	s2 := node("SequenceInsert", []*onnxgraph.Value{s1, y}, "s2")
	s3 := node("SequenceInsert", []*onnxgraph.Value{s2, z, scalar("one", 1)}, "s3") // x, z, y
	at := node("SequenceAt", []*onnxgraph.Value{s3, scalar("two", 2)}, "at")
	atNeg := node("SequenceAt", []*onnxgraph.Value{s3, scalar("minus2", -2)}, "at_neg")
	n := node("SequenceLength", []*onnxgraph.Value{s3}, "n")
	cat := node("ConcatFromSequence", []*onnxgraph.Value{s3}, "cat", onnxgraph.AttrInt("axis", 0))
	s4 := node("SequenceErase", []*onnxgraph.Value{s3, scalar("zero", 0)}, "s4") // z, y
	cat2 := node("ConcatFromSequence", []*onnxgraph.Value{s4}, "cat2", onnxgraph.AttrInt("axis", 0))
	split := node("SplitToSequence", []*onnxgraph.Value{x}, "split", onnxgraph.AttrInt("axis", 2), onnxgraph.AttrInt("keepdims", 0))
	stack := node("ConcatFromSequence", []*onnxgraph.Value{split}, "stack", onnxgraph.AttrInt("axis", 0), onnxgraph.AttrInt("new_axis", 1))
	count := node("SequenceLength", []*onnxgraph.Value{split}, "count")
	res, err := shapeinfer.Infer(m, nil)
	if err != nil {
		t.Fatal(err)
	}
	for v, want := range map[*onnxgraph.Value]string{
		s3:    "seq(float32[?,3,4])",
		at:    "float32[1,3,4]",
		atNeg: "float32[3,3,4]",
		n:     "int64[]",
		cat:   "float32[6,3,4]",
		cat2:  "float32[4,3,4]",
		stack: "float32[4,2,3]",
		count: "int64[]",
	} {
		if got := res.Type(v).String(); got != want {
			t.Errorf("%s: got %s, want %s", v.Name(), got, want)
		}
	}
	if k, ok := res.Data(n).KnownInts(); !ok || k[0] != 3 {
		t.Errorf("length data: %v", res.Data(n))
	}
	if k, ok := res.Data(count).KnownInts(); !ok || k[0] != 4 {
		t.Errorf("split length data: %v", res.Data(count))
	}
	if len(res.Problems) > 0 {
		t.Errorf("problems: %v", res.Problems)
	}
}
