package eval_test

import (
	"math"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/eval"
)

func TestLogic(t *testing.T) {
	inf := math.Inf(1)
	runCases(t, []opCase{
		{name: "equal", op: "Equal", in: []*onnxgraph.Tensor{T(d(3), int64(1), 2, 3), T(d(), int64(2))}, want: []*onnxgraph.Tensor{T(d(3), false, true, false)}},
		{name: "equal strings", op: "Equal", in: []*onnxgraph.Tensor{T(d(2), "a", "b"), T(d(2), "a", "c")}, want: []*onnxgraph.Tensor{T(d(2), true, false)}},
		{name: "less nan", op: "Less", in: []*onnxgraph.Tensor{T(d(3), 1.0, math.NaN(), 3), T(d(3), 2.0, 1, 3)}, want: []*onnxgraph.Tensor{T(d(3), true, false, false)}},
		{name: "less or equal", op: "LessOrEqual", in: []*onnxgraph.Tensor{T(d(3), uint8(1), 2, 3), T(d(1), uint8(2))}, want: []*onnxgraph.Tensor{T(d(3), true, true, false)}},
		{name: "greater", op: "Greater", in: []*onnxgraph.Tensor{T(d(2, 1), int32(1), 3), T(d(2), int32(2), 0)}, want: []*onnxgraph.Tensor{T(d(2, 2), false, true, true, true)}},
		{name: "greater or equal", op: "GreaterOrEqual", in: []*onnxgraph.Tensor{T(d(2), float32(1), 2), T(d(2), float32(1), 3)}, want: []*onnxgraph.Tensor{T(d(2), true, false)}},
		{name: "and", op: "And", in: []*onnxgraph.Tensor{T(d(4), true, true, false, false), T(d(4), true, false, true, false)}, want: []*onnxgraph.Tensor{T(d(4), true, false, false, false)}},
		{name: "or", op: "Or", in: []*onnxgraph.Tensor{T(d(4), true, true, false, false), T(d(4), true, false, true, false)}, want: []*onnxgraph.Tensor{T(d(4), true, true, true, false)}},
		{name: "xor", op: "Xor", in: []*onnxgraph.Tensor{T(d(4), true, true, false, false), T(d(4), true, false, true, false)}, want: []*onnxgraph.Tensor{T(d(4), false, true, true, false)}},
		{name: "not", op: "Not", in: []*onnxgraph.Tensor{T(d(2), true, false)}, want: []*onnxgraph.Tensor{T(d(2), false, true)}},
		{name: "and needs bool", op: "And", in: []*onnxgraph.Tensor{T(d(1), int32(1)), T(d(1), int32(1))}, err: eval.ErrNotImplemented},
		{name: "bitshift left", op: "BitShift", attrs: map[string]any{"direction": "LEFT"}, in: []*onnxgraph.Tensor{T(d(3), uint8(1), 3, 255), T(d(3), uint8(1), 2, 1)},
			want: []*onnxgraph.Tensor{T(d(3), uint8(2), 12, 254)}},
		{name: "bitshift right", op: "BitShift", attrs: map[string]any{"direction": "RIGHT"}, in: []*onnxgraph.Tensor{T(d(2), uint32(16), 5), T(d(1), uint32(2))},
			want: []*onnxgraph.Tensor{T(d(2), uint32(4), 1)}},
		{name: "bitshift bad direction", op: "BitShift", attrs: map[string]any{"direction": "UP"}, in: []*onnxgraph.Tensor{T(d(1), uint8(1)), T(d(1), uint8(1))}, err: eval.ErrInvalid},
		{name: "bitwise and", op: "BitwiseAnd", in: []*onnxgraph.Tensor{T(d(2), int32(12), -1), T(d(2), int32(10), 7)}, want: []*onnxgraph.Tensor{T(d(2), int32(8), 7)}},
		{name: "bitwise or", op: "BitwiseOr", in: []*onnxgraph.Tensor{T(d(1), uint16(12)), T(d(1), uint16(3))}, want: []*onnxgraph.Tensor{T(d(1), uint16(15))}},
		{name: "bitwise xor", op: "BitwiseXor", in: []*onnxgraph.Tensor{T(d(1), int8(12)), T(d(1), int8(10))}, want: []*onnxgraph.Tensor{T(d(1), int8(6))}},
		{name: "bitwise not", op: "BitwiseNot", in: []*onnxgraph.Tensor{T(d(2), int8(0), 5)}, want: []*onnxgraph.Tensor{T(d(2), int8(-1), -6)}},
		{name: "isnan", op: "IsNaN", in: []*onnxgraph.Tensor{T(d(3), float32(1), float32(math.NaN()), float32(inf))}, want: []*onnxgraph.Tensor{T(d(3), false, true, false)}},
		{name: "isinf", op: "IsInf", in: []*onnxgraph.Tensor{T(d(3), 1.0, inf, -inf)}, want: []*onnxgraph.Tensor{T(d(3), false, true, true)}},
		{name: "isinf positive only", op: "IsInf", attrs: map[string]any{"detect_negative": int64(0)}, in: []*onnxgraph.Tensor{T(d(3), 1.0, inf, -inf)},
			want: []*onnxgraph.Tensor{T(d(3), false, true, false)}},
		{name: "where", op: "Where", in: []*onnxgraph.Tensor{T(d(2, 2), true, false, false, true), T(d(2, 2), int64(1), 2, 3, 4), T(d(), int64(0))},
			want: []*onnxgraph.Tensor{T(d(2, 2), int64(1), 0, 0, 4)}},
		{name: "where broadcast strings", op: "Where", in: []*onnxgraph.Tensor{T(d(2, 1), true, false), T(d(2), "a", "b"), T(d(1), "z")},
			want: []*onnxgraph.Tensor{T(d(2, 2), "a", "b", "z", "z")}},
	})
}
