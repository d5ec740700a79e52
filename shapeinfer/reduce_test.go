package shapeinfer_test

import (
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
)

// Tests of the reduction family; shapes of the opset 18+ cases come from
// the operator spec's examples.

func TestReduceFamily(t *testing.T) {
	ai, ais := onnxgraph.AttrInt, onnxgraph.AttrInts
	inv := shapeinfer.CodeInvalid
	empty := famC("none", i64, []int64{}, 0)
	cases := []famCase{
		{name: "ReduceSum-13 keepdims", opset: 13, op: "ReduceSum", in: []famIn{famT("x", f32, 3, 2, 2), famI64("axes", 1)}, want: []string{"float32[3,1,2]"}},
		{name: "ReduceSum-13 drop", opset: 13, op: "ReduceSum", in: []famIn{famT("x", f32, 3, 2, 2), famI64("axes", 1)}, attrs: attrList(ai("keepdims", 0)), want: []string{"float32[3,2]"}},
		{name: "ReduceSum-13 default axes", opset: 13, op: "ReduceSum", in: []famIn{famT("x", f32, 3, 2, 2)}, want: []string{"float32[1,1,1]"}},
		{name: "ReduceSum-13 empty axes noop", opset: 13, op: "ReduceSum", in: []famIn{famT("x", f32, 3, 2, 2), empty}, attrs: attrList(ai("noop_with_empty_axes", 1)), want: []string{"float32[3,2,2]"}},
		{name: "ReduceSum-13 empty axes all", opset: 13, op: "ReduceSum", in: []famIn{famT("x", f32, 3, 2, 2), empty}, attrs: attrList(ai("keepdims", 0)), want: []string{"float32[]"}},
		{name: "ReduceSum-13 axis range", opset: 13, op: "ReduceSum", in: []famIn{famT("x", f32, 3, 2), famI64("axes", 2)}, want: []string{"float32[*]"}, code: inv},
		{name: "ReduceSum-13 unknown axes keepdims", opset: 13, op: "ReduceSum", in: []famIn{famT("x", f32, 3, 1, 2), famT("axes", i64, 1)}, want: []string{"float32[unk__1,1,unk__2]"}},
		{name: "ReduceSum-13 unknown axes", opset: 13, op: "ReduceSum", in: []famIn{famT("x", f32, 3, 1, 2), famT("axes", i64, 2)}, attrs: attrList(ai("keepdims", 0)), want: []string{"float32[unk__1]"}},
		{name: "ReduceSum-11 attribute", opset: 11, op: "ReduceSum", in: []famIn{famT("x", f32, "N", 5, 6)}, attrs: attrList(ais("axes", -1, 1), ai("keepdims", 0)), want: []string{"float32[N]"}},
		{name: "ReduceMean-18 negative axes", opset: 18, op: "ReduceMean", in: []famIn{famT("x", f32, 3, 2, 2), famI64("axes", -2)}, want: []string{"float32[3,1,2]"}},
		{name: "ReduceMax-20 bool", opset: 20, op: "ReduceMax", in: []famIn{famT("x", bl, 4, 2), famI64("axes", 1)}, attrs: attrList(ai("keepdims", 1)), want: []string{"bool[4,1]"}},
		{name: "ReduceMin-20 empty set", opset: 20, op: "ReduceMin", in: []famIn{famT("x", f32, 2, 0, 4), famI64("axes", 1)}, want: []string{"float32[2,1,4]"}},
		{name: "ReduceL2-18 noop", opset: 18, op: "ReduceL2", in: []famIn{famT("x", f32, "B", 7), empty}, attrs: attrList(ai("noop_with_empty_axes", 1)), want: []string{"float32[B,7]"}},
		{name: "ReduceLogSumExp-18 symbolic", opset: 18, op: "ReduceLogSumExp", in: []famIn{famT("x", f32, "B", "S", 7), famI64("axes", 1)}, attrs: attrList(ai("keepdims", 0)), want: []string{"float32[B,7]"}},
		{name: "ReduceProd-13 attribute", opset: 13, op: "ReduceProd", in: []famIn{famT("x", f32, 3, 2, 2)}, attrs: attrList(ais("axes", 0, 2)), want: []string{"float32[1,2,1]"}},
		{name: "ReduceSumSquare-1", opset: 1, op: "ReduceSumSquare", in: []famIn{famT("x", f32, 3, 2, 2)}, attrs: attrList(ai("keepdims", 0)), want: []string{"float32[]"}},
		{name: "ArgMax-13 keepdims", opset: 13, op: "ArgMax", in: []famIn{famT("x", f32, 2, 3, 4)}, attrs: attrList(ai("axis", 1)), want: []string{"int64[2,1,4]"}},
		{name: "ArgMax-13 last index", opset: 13, op: "ArgMax", in: []famIn{famT("x", f32, "N", 3, 4)}, attrs: attrList(ai("axis", -1), ai("keepdims", 0), ai("select_last_index", 1)), want: []string{"int64[N,3]"}},
		{name: "ArgMin-13 default", opset: 13, op: "ArgMin", in: []famIn{famT("x", f32, 2, 3)}, want: []string{"int64[1,3]"}},
		{name: "ArgMin-13 range", opset: 13, op: "ArgMin", in: []famIn{famT("x", f32, 2, 3)}, attrs: attrList(ai("axis", 2)), want: []string{"int64[*]"}, code: inv},
		{name: "TopK-24", opset: 24, op: "TopK", in: []famIn{famT("x", f32, 3, 4), famI64("k", 3)}, want: []string{"float32[3,3]", "int64[3,3]"}},
		{name: "TopK-24 axis", opset: 24, op: "TopK", in: []famIn{famT("x", f32, "N", 5, 8), famI64("k", 2)}, attrs: attrList(ai("axis", 1), ai("largest", 0)), want: []string{"float32[N,2,8]", "int64[N,2,8]"}},
		{name: "TopK-11 unknown k", opset: 11, op: "TopK", in: []famIn{famT("x", f32, 3, 4), famT("k", i64, 1)}, want: []string{"float32[3,unk__1]", "int64[3,unk__1]"}},
		{name: "TopK-11 k too large", opset: 11, op: "TopK", in: []famIn{famT("x", f32, 3, 4), famI64("k", 5)}, want: []string{"float32[*]", "int64[*]"}, code: inv},
		{name: "TopK-1 attribute", opset: 1, op: "TopK", in: []famIn{famT("x", f32, 3, 4)}, attrs: attrList(ai("k", 2)), want: []string{"float32[3,2]", "int64[3,2]"}},
		{name: "CumSum-14", opset: 14, op: "CumSum", in: []famIn{famT("x", f32, 2, 3), famScalar("axis", 1)}, want: []string{"float32[2,3]"}},
		{name: "CumSum-14 axis range", opset: 14, op: "CumSum", in: []famIn{famT("x", f32, 2, 3), famScalar("axis", 2)}, want: []string{"float32[2,3]"}, code: inv},
		{name: "CumProd-26", opset: 26, op: "CumProd", in: []famIn{famT("x", f32, 5), famScalar("axis", 0)}, attrs: attrList(ai("exclusive", 1), ai("reverse", 1)), want: []string{"float32[5]"}},
		{name: "Softmax-13", opset: 13, op: "Softmax", in: []famIn{famT("x", f32, "B", 4, 5)}, want: []string{"float32[B,4,5]"}},
		{name: "Softmax-13 range", opset: 13, op: "Softmax", in: []famIn{famT("x", f32, 4, 5)}, attrs: attrList(ai("axis", 2)), want: []string{"float32[4,5]"}, code: inv},
		{name: "LogSoftmax-11", opset: 11, op: "LogSoftmax", in: []famIn{famT("x", f32, 3, 4, 5)}, attrs: attrList(ai("axis", 0)), want: []string{"float32[3,4,5]"}},
		{name: "Hardmax-13", opset: 13, op: "Hardmax", in: []famIn{famT("x", f32, 3, 4, 5)}, want: []string{"float32[3,4,5]"}},
		{name: "NegativeLogLikelihoodLoss-22 none", opset: 22, op: "NegativeLogLikelihoodLoss", in: []famIn{famT("x", f32, 3, 5, 2), famT("t", i64, 3, 2)}, attrs: attrList(onnxgraph.AttrString("reduction", "none")), want: []string{"float32[3,2]"}},
		{name: "NegativeLogLikelihoodLoss-22 mean", opset: 22, op: "NegativeLogLikelihoodLoss", in: []famIn{famT("x", f32, "N", 5), famT("t", i64, "N"), famT("w", f32, 5)}, want: []string{"float32[]"}},
		{name: "NegativeLogLikelihoodLoss-13 ranks", opset: 13, op: "NegativeLogLikelihoodLoss", in: []famIn{famT("x", f32, 3, 5, 2), famT("t", i64, 3)}, want: []string{"float32[*]"}, code: inv},
		{name: "NegativeLogLikelihoodLoss-12 dims", opset: 12, op: "NegativeLogLikelihoodLoss", in: []famIn{famT("x", f32, 3, 5, 2), famT("t", i64, 3, 4)}, attrs: attrList(onnxgraph.AttrString("reduction", "none")), want: []string{"float32[*]"}, code: inv},
		{name: "SoftmaxCrossEntropyLoss-13 none", opset: 13, op: "SoftmaxCrossEntropyLoss", in: []famIn{famT("s", f32, 3, 5), famT("l", i64, 3)}, attrs: attrList(onnxgraph.AttrString("reduction", "none")), want: []string{"float32[3]", "float32[3,5]"}},
		{name: "SoftmaxCrossEntropyLoss-13 sum", opset: 13, op: "SoftmaxCrossEntropyLoss", in: []famIn{famT("s", f32, "N", 5, 2, 7), famT("l", i64, "N", 2, 7)}, attrs: attrList(onnxgraph.AttrString("reduction", "sum")), want: []string{"float32[]", "float32[N,5,2,7]"}},
	}
	famRun(t, cases)
}

// TestReduceDataDependent checks that reductions and TopK with run-time
// axes or k report data dependence, and that known data makes them exact.
func TestReduceDataDependent(t *testing.T) {
	ins := []famIn{famT("x", f32, "N", 10), famT("k", i64, 1), famT("axes", i64, 1)}
	nodes := []opChainNode{
		{op: "TopK", in: []string{"x", "k"}, out: []string{"v", "i"}},
		{op: "ReduceMean", in: []string{"x", "axes"}, out: []string{"m"}, attrs: attrList(onnxgraph.AttrInt("keepdims", 0))},
	}
	res, val := opChainRun(t, 18, ins, nodes, nil)
	if got := res.Type(val("v")).String(); got != "float32[N,unk__1]" {
		t.Errorf("v: %s", got)
	}
	if got := res.Type(val("m")).String(); got != "float32[unk__2]" {
		t.Errorf("m: %s", got)
	}
	opts := &shapeinfer.Options{InputData: map[string]*shapeinfer.Data{
		"k":    shapeinfer.Vector(shapeinfer.Known(3)),
		"axes": shapeinfer.Vector(shapeinfer.Known(0)),
	}}
	res, val = opChainRun(t, 18, ins, nodes, opts)
	for name, want := range map[string]string{"v": "float32[N,3]", "i": "int64[N,3]", "m": "float32[10]"} {
		if got := res.Type(val(name)).String(); got != want {
			t.Errorf("%s: %s, want %s", name, got, want)
		}
	}
}
