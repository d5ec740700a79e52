package shapeinfer_test

import (
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
)

// famIdentityBody is a body reading outer value src and returning it
// through an Identity named out.
func famIdentityBody(t *testing.T, src string, typ *onnxproto.TypeProto, out string) *onnxproto.GraphProto {
	return famBody(t, func(g *onnxgraph.Graph) error {
		x, err := g.AddInput(src, typ)
		if err != nil {
			return err
		}
		n, err := g.AddNode("Identity", []*onnxgraph.Value{x}, []string{out})
		if err != nil {
			return err
		}
		return g.AddOutput(n.Output(0), nil)
	}, src)
}

// famLoopBody is a Loop body: the condition passes through (or becomes
// iteration < 2 when stopEarly), the carried value is combined with itself
// by op (Add keeps its shape, Concat grows it) and the result is also a
// scan output.
func famLoopBody(t *testing.T, op string, stopEarly bool) *onnxproto.GraphProto {
	return famBody(t, func(g *onnxgraph.Graph) error {
		iter, _ := g.AddInput("iter", onnxgraph.TensorType(i64, nil))
		cond, _ := g.AddInput("cond_in", onnxgraph.TensorType(bl, nil))
		y, _ := g.AddInput("y_in", famNoShape("y_in", f32).typ)
		var c *onnxgraph.Node
		var err error
		if stopEarly {
			two, _ := g.AddInitializer(mustTensor(t, "two", i64, nil, []int64{2}))
			c, err = g.AddNode("Less", []*onnxgraph.Value{iter, two}, []string{"cond_out"})
		} else {
			c, err = g.AddNode("Identity", []*onnxgraph.Value{cond}, []string{"cond_out"})
		}
		if err != nil {
			return err
		}
		var attrs []*onnxproto.AttributeProto
		if op == "Concat" {
			attrs = append(attrs, onnxgraph.AttrInt("axis", 0))
		}
		n, err := g.AddNode(op, []*onnxgraph.Value{y, y}, []string{"y_out"}, attrs...)
		if err != nil {
			return err
		}
		s, err := g.AddNode("Identity", []*onnxgraph.Value{n.Output(0)}, []string{"scan_out"})
		if err != nil {
			return err
		}
		for _, v := range []*onnxgraph.Value{c.Output(0), n.Output(0), s.Output(0)} {
			if err := g.AddOutput(v, nil); err != nil {
				return err
			}
		}
		return nil
	})
}

// famScanBody: state_out = state_in + 1 (shape kept), scan_out = x_in.
func famScanBody(t *testing.T, state, x *onnxproto.TypeProto) *onnxproto.GraphProto {
	return famBody(t, func(g *onnxgraph.Graph) error {
		s, _ := g.AddInput("state_in", state)
		xi, _ := g.AddInput("x_in", x)
		a, err := g.AddNode("Identity", []*onnxgraph.Value{s}, []string{"state_out"})
		if err != nil {
			return err
		}
		b, err := g.AddNode("Identity", []*onnxgraph.Value{xi}, []string{"scan_out"})
		if err != nil {
			return err
		}
		if err := g.AddOutput(a.Output(0), nil); err != nil {
			return err
		}
		return g.AddOutput(b.Output(0), nil)
	})
}

func TestControlFlowFamily(t *testing.T) {
	ga := famGraphAttr
	tA := onnxgraph.TensorType(f32, []onnxgraph.Dim{onnxgraph.DimParam("N"), onnxgraph.DimOf(3)})
	tB := onnxgraph.TensorType(f32, []onnxgraph.Dim{onnxgraph.DimParam("N"), onnxgraph.DimOf(5)})
	tI := onnxgraph.TensorType(i64, []onnxgraph.Dim{onnxgraph.DimParam("N"), onnxgraph.DimOf(3)})
	ifAttrs := func(elseSrc string, elseType *onnxproto.TypeProto) []*onnxproto.AttributeProto {
		return []*onnxproto.AttributeProto{
			ga("then_branch", famIdentityBody(t, "a", tA, "then_out")),
			ga("else_branch", famIdentityBody(t, elseSrc, elseType, "else_out")),
		}
	}
	famRun(t, []famCase{
		// If: unknown condition merges the branches (differing dims get a
		// fresh name); a known one takes its branch.
		{name: "If-merge", op: "If", opset: 19, in: []famIn{famT("c", bl), famTyped("a", tA), famTyped("b", tB)}, attrs: ifAttrs("b", tB), want: []string{"float32[N,unk__1]"}},
		{name: "If-same", op: "If", opset: 21, in: []famIn{famT("c", bl), famTyped("a", tA), famTyped("b", tB)}, attrs: ifAttrs("a", tA), want: []string{"float32[N,3]"}},
		{name: "If-known-false", op: "If", opset: 11, in: []famIn{famC("c", bl, []bool{false}), famTyped("a", tA), famTyped("b", tB)}, attrs: ifAttrs("b", tB), want: []string{"float32[N,5]"}},
		{name: "If-known-true", op: "If", opset: 25, in: []famIn{famC("c", bl, []bool{true}), famTyped("a", tA), famTyped("b", tB)}, attrs: ifAttrs("b", tB), want: []string{"float32[N,3]"}},
		{name: "If-elem-types-differ", op: "If", opset: 13, in: []famIn{famT("c", bl), famTyped("a", tA), famTyped("b", tI)}, attrs: ifAttrs("b", tI), want: []string{"-"}, code: shapeinfer.CodeInvalid},
		// Loop: the trip count is M when the body keeps the condition,
		// fresh otherwise; carried values that grow are generalized.
		{name: "Loop-known-trips", op: "Loop", opset: 16, in: []famIn{famScalar("m", 5), famC("cond", bl, []bool{true}), famT("y", f32, 1)}, attrs: []*onnxproto.AttributeProto{ga("body", famLoopBody(t, "Add", false))}, want: []string{"float32[1]", "float32[5,1]"}},
		{name: "Loop-no-cond", op: "Loop", opset: 19, in: []famIn{famScalar("m", 4), famMissing, famT("y", f32, 1)}, attrs: []*onnxproto.AttributeProto{ga("body", famLoopBody(t, "Add", true))}, want: []string{"float32[1]", "float32[4,1]"}},
		{name: "Loop-stops-early", op: "Loop", opset: 21, in: []famIn{famScalar("m", 5), famC("cond", bl, []bool{true}), famT("y", f32, 1)}, attrs: []*onnxproto.AttributeProto{ga("body", famLoopBody(t, "Add", true))}, want: []string{"float32[1]", "float32[unk__1,1]"}},
		{name: "Loop-unknown-trips", op: "Loop", opset: 13, in: []famIn{famT("m", i64), famT("cond", bl), famT("y", f32, 1)}, attrs: []*onnxproto.AttributeProto{ga("body", famLoopBody(t, "Add", false))}, want: []string{"float32[1]", "float32[unk__1,1]"}},
		{name: "Loop-zero-trips", op: "Loop", opset: 11, in: []famIn{famScalar("m", 0), famC("cond", bl, []bool{true}), famT("y", f32, 1)}, attrs: []*onnxproto.AttributeProto{ga("body", famLoopBody(t, "Add", false))}, want: []string{"float32[1]", "float32[0,1]"}},
		{name: "Loop-cond-false", op: "Loop", opset: 23, in: []famIn{famScalar("m", 3), famC("cond", bl, []bool{false}), famT("y", f32, 1)}, attrs: []*onnxproto.AttributeProto{ga("body", famLoopBody(t, "Concat", false))}, want: []string{"float32[1]", "float32[0,?]"}},
		{name: "Loop-growing-state", op: "Loop", opset: 24, in: []famIn{famScalar("m", 3), famC("cond", bl, []bool{true}), famT("y", f32, 1)}, attrs: []*onnxproto.AttributeProto{ga("body", famLoopBody(t, "Concat", false))}, want: []string{"float32[?]", "float32[3,?]"}},
		// Scan-8 has a batch axis; Scan-9 and later scan along
		// scan_input_axes and stack along scan_output_axes.
		{name: "Scan-8", op: "Scan", opset: 8, in: []famIn{famMissing, famT("s", f32, "B", 2), famT("x", f32, "B", 5, 3)},
			attrs: []*onnxproto.AttributeProto{onnxgraph.AttrInt("num_scan_inputs", 1), ga("body", famScanBody(t, onnxgraph.TensorType(f32, onnxgraph.Dims(2)), onnxgraph.TensorType(f32, onnxgraph.Dims(3))))},
			want:  []string{"float32[B,2]", "float32[B,5,3]"}},
		{name: "Scan-9", op: "Scan", opset: 9, in: []famIn{famT("s", f32, 2), famT("x", f32, "S", 3)},
			attrs: []*onnxproto.AttributeProto{onnxgraph.AttrInt("num_scan_inputs", 1), ga("body", famScanBody(t, onnxgraph.TensorType(f32, onnxgraph.Dims(2)), onnxgraph.TensorType(f32, onnxgraph.Dims(3))))},
			want:  []string{"float32[2]", "float32[S,3]"}},
		{name: "Scan-19-axes", op: "Scan", opset: 19, in: []famIn{famT("s", f32, 2), famT("x", f32, 3, 7)},
			attrs: []*onnxproto.AttributeProto{onnxgraph.AttrInt("num_scan_inputs", 1), onnxgraph.AttrInts("scan_input_axes", 1), onnxgraph.AttrInts("scan_output_axes", -1),
				ga("body", famScanBody(t, onnxgraph.TensorType(f32, onnxgraph.Dims(2)), onnxgraph.TensorType(f32, onnxgraph.Dims(3))))},
			want: []string{"float32[2]", "float32[3,7]"}},
		{name: "Scan-25-bad-axes", op: "Scan", opset: 25, in: []famIn{famT("s", f32, 2), famT("x", f32, 3, 7)},
			attrs: []*onnxproto.AttributeProto{onnxgraph.AttrInt("num_scan_inputs", 1), onnxgraph.AttrInts("scan_input_axes", 2),
				ga("body", famScanBody(t, onnxgraph.TensorType(f32, onnxgraph.Dims(2)), onnxgraph.TensorType(f32, onnxgraph.Dims(3))))},
			want: []string{"-", "-"}, code: shapeinfer.CodeInvalid},
	})
}
