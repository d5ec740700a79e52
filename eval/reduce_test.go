package eval_test

import (
	"math"
	"testing"

	"github.com/onnxgraph/onnxgraph"
)

func TestReduce(t *testing.T) {
	x := T(d(2, 3), float32(1), 2, 3, 4, 5, 6)
	ax := func(a ...int64) *onnxgraph.Tensor { return T(d(int64(len(a))), a...) }
	runCases(t, []opCase{
		{name: "sum all", op: "ReduceSum", in: []*onnxgraph.Tensor{x}, want: []*onnxgraph.Tensor{T(d(1, 1), float32(21))}},
		{name: "sum axis 1", op: "ReduceSum", attrs: map[string]any{"keepdims": int64(0)}, in: []*onnxgraph.Tensor{x, ax(1)}, want: []*onnxgraph.Tensor{T(d(2), float32(6), 15)}},
		{name: "sum empty axes noop", op: "ReduceSum", attrs: map[string]any{"noop_with_empty_axes": int64(1)}, in: []*onnxgraph.Tensor{x, ax()}, want: []*onnxgraph.Tensor{x}},
		{name: "sum int exact", op: "ReduceSum", in: []*onnxgraph.Tensor{T(d(2), int64(1<<60), 1), ax(0)}, want: []*onnxgraph.Tensor{T(d(1), int64(1<<60+1))}},
		{name: "sum-11 attr axes", op: "ReduceSum", opset: 11, attrs: map[string]any{"axes": []int64{-2}}, in: []*onnxgraph.Tensor{x}, want: []*onnxgraph.Tensor{T(d(1, 3), float32(5), 7, 9)}},
		{name: "mean", op: "ReduceMean", in: []*onnxgraph.Tensor{x, ax(0)}, want: []*onnxgraph.Tensor{T(d(1, 3), float32(2.5), 3.5, 4.5)}},
		{name: "max", op: "ReduceMax", in: []*onnxgraph.Tensor{x, ax(1)}, want: []*onnxgraph.Tensor{T(d(2, 1), float32(3), 6)}},
		{name: "max empty", op: "ReduceMax", in: []*onnxgraph.Tensor{T[float32](d(0, 2)), ax(0)}, want: []*onnxgraph.Tensor{T(d(1, 2), float32(math.Inf(-1)), float32(math.Inf(-1)))}},
		{name: "min bool", op: "ReduceMin", in: []*onnxgraph.Tensor{T(d(2), true, false)}, want: []*onnxgraph.Tensor{T(d(1), false)}},
		{name: "prod", op: "ReduceProd", in: []*onnxgraph.Tensor{x}, want: []*onnxgraph.Tensor{T(d(1, 1), float32(720))}},
		{name: "l1", op: "ReduceL1", in: []*onnxgraph.Tensor{T(d(2), -3.0, 4)}, want: []*onnxgraph.Tensor{T(d(1), 7.0)}},
		{name: "l2", op: "ReduceL2", in: []*onnxgraph.Tensor{T(d(2), -3.0, 4)}, want: []*onnxgraph.Tensor{T(d(1), 5.0)}},
		{name: "log sum", op: "ReduceLogSum", in: []*onnxgraph.Tensor{T(d(2), 1.0, math.E-1)}, want: []*onnxgraph.Tensor{T(d(1), 1.0)}, approx: true},
		{name: "log sum exp stable", op: "ReduceLogSumExp", in: []*onnxgraph.Tensor{T(d(2), 1000.0, 1000)}, want: []*onnxgraph.Tensor{T(d(1), 1000+math.Ln2)}, approx: true},
		{name: "sum square", op: "ReduceSumSquare", in: []*onnxgraph.Tensor{T(d(2), int32(-3), 4)}, want: []*onnxgraph.Tensor{T(d(1), int32(25))}},
		{name: "argmax", op: "ArgMax", attrs: map[string]any{"axis": int64(1)}, in: []*onnxgraph.Tensor{T(d(2, 3), int32(1), 3, 3, 7, 2, 7)},
			want: []*onnxgraph.Tensor{T(d(2, 1), int64(1), 0)}},
		{name: "argmax last", op: "ArgMax", attrs: map[string]any{"axis": int64(1), "select_last_index": int64(1), "keepdims": int64(0)},
			in: []*onnxgraph.Tensor{T(d(2, 3), int32(1), 3, 3, 7, 2, 7)}, want: []*onnxgraph.Tensor{T(d(2), int64(2), 2)}},
		{name: "argmin", op: "ArgMin", in: []*onnxgraph.Tensor{T(d(3), float32(2), -1, -1)}, want: []*onnxgraph.Tensor{T(d(1), int64(1))}},
		{name: "cumsum", op: "CumSum", in: []*onnxgraph.Tensor{T(d(4), int32(1), 2, 3, 4), T(d(), int64(0))}, want: []*onnxgraph.Tensor{T(d(4), int32(1), 3, 6, 10)}},
		{name: "cumsum exclusive reverse", op: "CumSum", attrs: map[string]any{"exclusive": int64(1), "reverse": int64(1)},
			in: []*onnxgraph.Tensor{T(d(4), 1.0, 2, 3, 4), T(d(), int32(0))}, want: []*onnxgraph.Tensor{T(d(4), 9.0, 7, 4, 0)}},
		{name: "topk", op: "TopK", attrs: map[string]any{"axis": int64(1)}, in: []*onnxgraph.Tensor{T(d(1, 4), float32(1), 4, 4, 2), T(d(1), int64(2))},
			want: []*onnxgraph.Tensor{T(d(1, 2), float32(4), 4), T(d(1, 2), int64(1), 2)}},
		{name: "topk smallest", op: "TopK", attrs: map[string]any{"largest": int64(0)}, in: []*onnxgraph.Tensor{T(d(4), int64(5), -1, 3, -1), T(d(1), int64(3))},
			want: []*onnxgraph.Tensor{T(d(3), int64(-1), -1, 3), T(d(3), int64(1), 3, 2)}},
	})
}
