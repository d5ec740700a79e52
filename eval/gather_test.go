package eval_test

import (
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/eval"
)

func TestGather(t *testing.T) {
	x33 := T(d(3, 3), int32(1), 2, 3, 4, 5, 6, 7, 8, 9)
	runCases(t, []opCase{
		{name: "gather axis 0", op: "Gather", in: []*onnxgraph.Tensor{x33, T(d(2), int64(2), -3)}, want: []*onnxgraph.Tensor{T(d(2, 3), int32(7), 8, 9, 1, 2, 3)}},
		{name: "gather axis 1 matrix indices", op: "Gather", attrs: map[string]any{"axis": int64(1)}, in: []*onnxgraph.Tensor{x33, T(d(1, 2), int32(0), 2)},
			want: []*onnxgraph.Tensor{T(d(3, 1, 2), int32(1), 3, 4, 6, 7, 9)}},
		{name: "gather scalar index", op: "Gather", in: []*onnxgraph.Tensor{x33, T(d(), int64(1))}, want: []*onnxgraph.Tensor{T(d(3), int32(4), 5, 6)}},
		{name: "gather out of range", op: "Gather", in: []*onnxgraph.Tensor{x33, T(d(1), int64(3))}, err: eval.ErrInvalid},
		{name: "gather elements", op: "GatherElements", attrs: map[string]any{"axis": int64(1)}, in: []*onnxgraph.Tensor{T(d(2, 2), int32(1), 2, 3, 4), T(d(2, 2), int64(0), 0, 1, 0)},
			want: []*onnxgraph.Tensor{T(d(2, 2), int32(1), 1, 4, 3)}},
		{name: "gather nd", op: "GatherND", in: []*onnxgraph.Tensor{T(d(2, 2), int32(0), 1, 2, 3), T(d(2, 1), int64(1), 0)},
			want: []*onnxgraph.Tensor{T(d(2, 2), int32(2), 3, 0, 1)}},
		{name: "gather nd batch", op: "GatherND", attrs: map[string]any{"batch_dims": int64(1)},
			in:   []*onnxgraph.Tensor{T(d(2, 2, 2), int32(0), 1, 2, 3, 4, 5, 6, 7), T(d(2, 1), int64(1), 0)},
			want: []*onnxgraph.Tensor{T(d(2, 2), int32(2), 3, 4, 5)}},
		{name: "scatter nd", op: "ScatterND", in: []*onnxgraph.Tensor{T(d(4), int32(1), 2, 3, 4), T(d(2, 1), int64(1), 3), T(d(2), int32(9), 10)},
			want: []*onnxgraph.Tensor{T(d(4), int32(1), 9, 3, 10)}},
		{name: "scatter nd add duplicates", op: "ScatterND", attrs: map[string]any{"reduction": "add"}, in: []*onnxgraph.Tensor{T(d(2), int32(1), 2), T(d(2, 1), int64(0), 0), T(d(2), int32(5), 6)},
			want: []*onnxgraph.Tensor{T(d(2), int32(12), 2)}},
		{name: "scatter elements max", op: "ScatterElements", attrs: map[string]any{"axis": int64(1), "reduction": "max"},
			in:   []*onnxgraph.Tensor{T(d(1, 3), float32(1), 5, 3), T(d(1, 2), int64(1), -1), T(d(1, 2), float32(2), 7)},
			want: []*onnxgraph.Tensor{T(d(1, 3), float32(1), 5, 7)}},
		{name: "scatter elements bad reduction", op: "ScatterElements", attrs: map[string]any{"reduction": "avg"}, in: []*onnxgraph.Tensor{T(d(1), int32(1)), T(d(1), int64(0)), T(d(1), int32(1))}, err: eval.ErrInvalid},
		{name: "one hot", op: "OneHot", attrs: map[string]any{"axis": int64(0)}, in: []*onnxgraph.Tensor{T(d(3), int64(0), -1, 5), T(d(), float32(3)), T(d(2), int32(0), 1)},
			want: []*onnxgraph.Tensor{T(d(3, 3), int32(1), 0, 0, 0, 0, 0, 0, 1, 0)}},
		{name: "nonzero", op: "NonZero", in: []*onnxgraph.Tensor{T(d(2, 2), int32(1), 0, 0, 3)}, want: []*onnxgraph.Tensor{T(d(2, 2), int64(0), 1, 0, 1)}},
		{name: "compress", op: "Compress", attrs: map[string]any{"axis": int64(1)}, in: []*onnxgraph.Tensor{x33, T(d(2), false, true)},
			want: []*onnxgraph.Tensor{T(d(3, 1), int32(2), 5, 8)}},
		{name: "compress flat", op: "Compress", in: []*onnxgraph.Tensor{x33, T(d(3), true, false, true)}, want: []*onnxgraph.Tensor{T(d(2), int32(1), 3)}},
		{name: "trilu upper k", op: "Trilu", in: []*onnxgraph.Tensor{x33, T(d(), int64(1))}, want: []*onnxgraph.Tensor{T(d(3, 3), int32(0), 2, 3, 0, 0, 6, 0, 0, 0)}},
		{name: "trilu lower", op: "Trilu", attrs: map[string]any{"upper": int64(0)}, in: []*onnxgraph.Tensor{x33}, want: []*onnxgraph.Tensor{T(d(3, 3), int32(1), 0, 0, 4, 5, 0, 7, 8, 9)}},
		{name: "eye like", op: "EyeLike", attrs: map[string]any{"k": int64(-1), "dtype": int64(onnxgraph.Int64)}, in: []*onnxgraph.Tensor{T[float32](d(2, 3))},
			want: []*onnxgraph.Tensor{T(d(2, 3), int64(0), 0, 0, 1, 0, 0)}},
		{name: "depth to space DCR", op: "DepthToSpace", attrs: map[string]any{"blocksize": int64(2)}, in: []*onnxgraph.Tensor{T(d(1, 4, 1, 1), int32(1), 2, 3, 4)},
			want: []*onnxgraph.Tensor{T(d(1, 1, 2, 2), int32(1), 2, 3, 4)}},
		{name: "space to depth", op: "SpaceToDepth", attrs: map[string]any{"blocksize": int64(2)}, in: []*onnxgraph.Tensor{T(d(1, 1, 2, 2), int32(1), 2, 3, 4)},
			want: []*onnxgraph.Tensor{T(d(1, 4, 1, 1), int32(1), 2, 3, 4)}},
		{name: "reverse sequence", op: "ReverseSequence", attrs: map[string]any{"batch_axis": int64(0), "time_axis": int64(1)},
			in:   []*onnxgraph.Tensor{T(d(2, 3), int32(1), 2, 3, 4, 5, 6), T(d(2), int64(2), 3)},
			want: []*onnxgraph.Tensor{T(d(2, 3), int32(2), 1, 3, 6, 5, 4)}},
	})
}
