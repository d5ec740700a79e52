package eval_test

import (
	"math"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/eval"
)

func TestShapeOps(t *testing.T) {
	x23 := T(d(2, 3), float32(1), 2, 3, 4, 5, 6)
	runCases(t, []opCase{
		{name: "identity", op: "Identity", in: []*onnxgraph.Tensor{x23}, want: []*onnxgraph.Tensor{x23}},
		{name: "shape", op: "Shape", in: []*onnxgraph.Tensor{T[float32](d(2, 3, 0))}, want: []*onnxgraph.Tensor{T(d(3), int64(2), 3, 0)}},
		{name: "shape start end", op: "Shape", attrs: map[string]any{"start": int64(-2), "end": int64(100)}, in: []*onnxgraph.Tensor{T[float32](d(2, 3, 4))},
			want: []*onnxgraph.Tensor{T(d(2), int64(3), 4)}},
		{name: "size", op: "Size", in: []*onnxgraph.Tensor{x23}, want: []*onnxgraph.Tensor{T(d(), int64(6))}},
		{name: "reshape -1 and 0", op: "Reshape", in: []*onnxgraph.Tensor{x23, T(d(3), int64(0), -1, 1)}, want: []*onnxgraph.Tensor{T(d(2, 3, 1), float32(1), 2, 3, 4, 5, 6)}},
		{name: "reshape allowzero", op: "Reshape", attrs: map[string]any{"allowzero": int64(1)}, in: []*onnxgraph.Tensor{T[float32](d(0, 3)), T(d(2), int64(3), 0)},
			want: []*onnxgraph.Tensor{T[float32](d(3, 0))}},
		{name: "reshape wrong count", op: "Reshape", in: []*onnxgraph.Tensor{x23, T(d(1), int64(5))}, err: eval.ErrInvalid},
		{name: "reshape two -1", op: "Reshape", in: []*onnxgraph.Tensor{x23, T(d(2), int64(-1), -1)}, err: eval.ErrInvalid},
		{name: "flatten", op: "Flatten", attrs: map[string]any{"axis": int64(0)}, in: []*onnxgraph.Tensor{x23}, want: []*onnxgraph.Tensor{T(d(1, 6), float32(1), 2, 3, 4, 5, 6)}},
		{name: "squeeze input axes", op: "Squeeze", in: []*onnxgraph.Tensor{T(d(1, 2, 1), int32(1), 2), T(d(1), int64(-1))}, want: []*onnxgraph.Tensor{T(d(1, 2), int32(1), 2)}},
		{name: "squeeze all", op: "Squeeze", in: []*onnxgraph.Tensor{T(d(1, 2, 1), int32(1), 2)}, want: []*onnxgraph.Tensor{T(d(2), int32(1), 2)}},
		{name: "squeeze non-1", op: "Squeeze", in: []*onnxgraph.Tensor{T(d(1, 2), int32(1), 2), T(d(1), int64(1))}, err: eval.ErrInvalid},
		{name: "squeeze attr", op: "Squeeze", opset: 11, attrs: map[string]any{"axes": []int64{0}}, in: []*onnxgraph.Tensor{T(d(1, 2), int32(1), 2)}, want: []*onnxgraph.Tensor{T(d(2), int32(1), 2)}},
		{name: "unsqueeze", op: "Unsqueeze", in: []*onnxgraph.Tensor{T(d(2), int32(1), 2), T(d(2), int64(0), -1)}, want: []*onnxgraph.Tensor{T(d(1, 2, 1), int32(1), 2)}},
		{name: "transpose default", op: "Transpose", in: []*onnxgraph.Tensor{x23}, want: []*onnxgraph.Tensor{T(d(3, 2), float32(1), 4, 2, 5, 3, 6)}},
		{name: "transpose perm", op: "Transpose", attrs: map[string]any{"perm": []int64{1, 0, 2}}, in: []*onnxgraph.Tensor{T(d(2, 2, 1), "a", "b", "c", "d")},
			want: []*onnxgraph.Tensor{T(d(2, 2, 1), "a", "c", "b", "d")}},
		{name: "concat", op: "Concat", attrs: map[string]any{"axis": int64(1)}, in: []*onnxgraph.Tensor{T(d(2, 1), int64(1), 2), T(d(2, 2), int64(3), 4, 5, 6)},
			want: []*onnxgraph.Tensor{T(d(2, 3), int64(1), 3, 4, 2, 5, 6)}},
		{name: "concat with empty", op: "Concat", attrs: map[string]any{"axis": int64(0)}, in: []*onnxgraph.Tensor{T[int64](d(0, 2)), T(d(1, 2), int64(3), 4)},
			want: []*onnxgraph.Tensor{T(d(1, 2), int64(3), 4)}},
		{name: "split equal", op: "Split", attrs: map[string]any{"axis": int64(1)}, in: []*onnxgraph.Tensor{x23}, nout: 3,
			want: []*onnxgraph.Tensor{T(d(2, 1), float32(1), 4), T(d(2, 1), float32(2), 5), T(d(2, 1), float32(3), 6)}},
		{name: "split sizes", op: "Split", in: []*onnxgraph.Tensor{T(d(5), int32(1), 2, 3, 4, 5), T(d(2), int64(2), 3)},
			want: []*onnxgraph.Tensor{T(d(2), int32(1), 2), T(d(3), int32(3), 4, 5)}},
		{name: "split num_outputs uneven", op: "Split", attrs: map[string]any{"num_outputs": int64(2)}, in: []*onnxgraph.Tensor{T(d(5), int32(1), 2, 3, 4, 5)},
			want: []*onnxgraph.Tensor{T(d(3), int32(1), 2, 3), T(d(2), int32(4), 5)}},
		{name: "slice negative step", op: "Slice", in: []*onnxgraph.Tensor{T(d(5), int32(0), 1, 2, 3, 4), T(d(1), int64(-1)), T(d(1), int64(math.MinInt64)), T(d(1), int64(0)), T(d(1), int64(-2))},
			want: []*onnxgraph.Tensor{T(d(3), int32(4), 2, 0)}},
		{name: "slice clamps", op: "Slice", in: []*onnxgraph.Tensor{x23, T(d(2), int64(1), -100), T(d(2), int64(1000), 2)},
			want: []*onnxgraph.Tensor{T(d(1, 2), float32(4), 5)}},
		{name: "slice attrs", op: "Slice", opset: 9, attrs: map[string]any{"starts": []int64{1}, "ends": []int64{3}, "axes": []int64{1}}, in: []*onnxgraph.Tensor{x23},
			want: []*onnxgraph.Tensor{T(d(2, 2), float32(2), 3, 5, 6)}},
		{name: "slice step 0", op: "Slice", in: []*onnxgraph.Tensor{x23, T(d(1), int64(0)), T(d(1), int64(1)), T(d(1), int64(0)), T(d(1), int64(0))}, err: eval.ErrInvalid},
		{name: "expand", op: "Expand", in: []*onnxgraph.Tensor{T(d(2, 1), int32(1), 2), T(d(3), int64(2), 1, 3)},
			want: []*onnxgraph.Tensor{T(d(2, 2, 3), int32(1), 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2)}},
		{name: "tile", op: "Tile", in: []*onnxgraph.Tensor{T(d(2), "a", "b"), T(d(1), int64(3))}, want: []*onnxgraph.Tensor{T(d(6), "a", "b", "a", "b", "a", "b")}},
		{name: "constant of shape", op: "ConstantOfShape", attrs: map[string]any{"value": T(d(1), int32(7))}, in: []*onnxgraph.Tensor{T(d(2), int64(2), 2)},
			want: []*onnxgraph.Tensor{T(d(2, 2), int32(7), 7, 7, 7)}},
		{name: "constant of shape default", op: "ConstantOfShape", in: []*onnxgraph.Tensor{T(d(1), int64(2))}, want: []*onnxgraph.Tensor{T(d(2), float32(0), 0)}},
		{name: "constant of shape huge", op: "ConstantOfShape", in: []*onnxgraph.Tensor{T(d(2), int64(1<<40), 1<<40)}, err: eval.ErrTooLarge},
		{name: "constant of shape negative", op: "ConstantOfShape", in: []*onnxgraph.Tensor{T(d(1), int64(-1))}, err: eval.ErrInvalid},
		{name: "range int", op: "Range", in: []*onnxgraph.Tensor{T(d(), int32(10)), T(d(), int32(1)), T(d(), int32(-3))}, want: []*onnxgraph.Tensor{T(d(3), int32(10), 7, 4)}},
		{name: "range float", op: "Range", in: []*onnxgraph.Tensor{T(d(), float32(0)), T(d(), float32(1)), T(d(), float32(0.25))}, want: []*onnxgraph.Tensor{T(d(4), float32(0), 0.25, 0.5, 0.75)}},
		{name: "range huge", op: "Range", in: []*onnxgraph.Tensor{T(d(), int64(math.MinInt64)), T(d(), int64(math.MaxInt64)), T(d(), int64(1))}, err: eval.ErrTooLarge},
		{name: "constant value_ints", op: "Constant", attrs: map[string]any{"value_ints": []int64{1, 2}}, want: []*onnxgraph.Tensor{T(d(2), int64(1), 2)}},
		{name: "constant value", op: "Constant", attrs: map[string]any{"value": T(d(1), "s")}, want: []*onnxgraph.Tensor{T(d(1), "s")}},
		{name: "constant two values", op: "Constant", attrs: map[string]any{"value_int": int64(1), "value_float": float32(1)}, want: []*onnxgraph.Tensor{nil}, err: eval.ErrInvalid},
		{name: "pad constant", op: "Pad", in: []*onnxgraph.Tensor{T(d(2), int32(1), 2), T(d(2), int64(1), 2), T(d(), int32(9))}, want: []*onnxgraph.Tensor{T(d(5), int32(9), 1, 2, 9, 9)}},
		{name: "pad reflect", op: "Pad", attrs: map[string]any{"mode": "reflect"}, in: []*onnxgraph.Tensor{T(d(3), int32(1), 2, 3), T(d(2), int64(2), 2)},
			want: []*onnxgraph.Tensor{T(d(7), int32(3), 2, 1, 2, 3, 2, 1)}},
		{name: "pad edge", op: "Pad", attrs: map[string]any{"mode": "edge"}, in: []*onnxgraph.Tensor{T(d(2), int32(1), 2), T(d(2), int64(2), 1)},
			want: []*onnxgraph.Tensor{T(d(5), int32(1), 1, 1, 2, 2)}},
		{name: "pad wrap", op: "Pad", attrs: map[string]any{"mode": "wrap"}, in: []*onnxgraph.Tensor{T(d(3), int32(1), 2, 3), T(d(2), int64(2), 1)},
			want: []*onnxgraph.Tensor{T(d(6), int32(2), 3, 1, 2, 3, 1)}},
		{name: "pad negative crops", op: "Pad", in: []*onnxgraph.Tensor{T(d(4), int32(1), 2, 3, 4), T(d(2), int64(-1), -2)}, want: []*onnxgraph.Tensor{T(d(1), int32(2))}},
		{name: "pad axes", op: "Pad", in: []*onnxgraph.Tensor{T(d(1, 2), int32(1), 2), T(d(2), int64(1), 0), nil, T(d(1), int64(-1))},
			want: []*onnxgraph.Tensor{T(d(1, 3), int32(0), 1, 2)}},
		{name: "pad-2 attrs", op: "Pad", opset: 2, attrs: map[string]any{"pads": []int64{0, 1}, "value": float32(5)}, in: []*onnxgraph.Tensor{T(d(1), float32(1))},
			want: []*onnxgraph.Tensor{T(d(2), float32(1), 5)}},
	})
}
