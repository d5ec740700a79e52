package eval_test

import (
	"math"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/eval"
)

func TestElementwise(t *testing.T) {
	nan := float32(math.NaN())
	runCases(t, []opCase{
		{name: "add broadcast", op: "Add", in: []*onnxgraph.Tensor{T(d(2, 3), float32(1), 2, 3, 4, 5, 6), T(d(3), float32(10), 20, 30)},
			want: []*onnxgraph.Tensor{T(d(2, 3), float32(11), 22, 33, 14, 25, 36)}},
		{name: "add column broadcast", op: "Add", in: []*onnxgraph.Tensor{T(d(2, 1), int64(1), 2), T(d(1, 3), int64(10), 20, 30)},
			want: []*onnxgraph.Tensor{T(d(2, 3), int64(11), 21, 31, 12, 22, 32)}},
		{name: "add int8 wraps", op: "Add", in: []*onnxgraph.Tensor{T(d(2), int8(127), -128), T(d(2), int8(1), -1)},
			want: []*onnxgraph.Tensor{T(d(2), int8(-128), 127)}},
		{name: "add scalar", op: "Add", in: []*onnxgraph.Tensor{T(d(), 2.5), T(d(), 0.5)}, want: []*onnxgraph.Tensor{T(d(), 3.0)}},
		{name: "add empty", op: "Add", in: []*onnxgraph.Tensor{T[float32](d(0, 3)), T(d(3), float32(1), 2, 3)}, want: []*onnxgraph.Tensor{T[float32](d(0, 3))}},
		{name: "add no broadcast", op: "Add", in: []*onnxgraph.Tensor{T(d(2), float32(1), 2), T(d(3), float32(1), 2, 3)}, err: eval.ErrInvalid},
		{name: "add types differ", op: "Add", in: []*onnxgraph.Tensor{T(d(1), float32(1)), T(d(1), 1.0)}, err: eval.ErrInvalid},
		{name: "add-6 legacy axis", op: "Add", opset: 6, attrs: map[string]any{"broadcast": int64(1), "axis": int64(0)},
			in:   []*onnxgraph.Tensor{T(d(2, 2), float32(1), 2, 3, 4), T(d(2), float32(10), 20)},
			want: []*onnxgraph.Tensor{T(d(2, 2), float32(11), 12, 23, 24)}},
		{name: "sub", op: "Sub", in: []*onnxgraph.Tensor{T(d(2), uint8(1), 5), T(d(2), uint8(2), 1)}, want: []*onnxgraph.Tensor{T(d(2), uint8(255), 4)}},
		{name: "mul", op: "Mul", in: []*onnxgraph.Tensor{T(d(2), int32(-3), 4), T(d(), int32(5))}, want: []*onnxgraph.Tensor{T(d(2), int32(-15), 20)}},
		{name: "div int truncates", op: "Div", in: []*onnxgraph.Tensor{T(d(3), int32(7), -7, 6), T(d(3), int32(2), 2, 3)}, want: []*onnxgraph.Tensor{T(d(3), int32(3), -3, 2)}},
		{name: "div int by zero", op: "Div", in: []*onnxgraph.Tensor{T(d(1), int32(1)), T(d(1), int32(0))}, err: eval.ErrInvalid},
		{name: "div float by zero", op: "Div", in: []*onnxgraph.Tensor{T(d(2), float32(1), -1), T(d(2), float32(0), 0)},
			want: []*onnxgraph.Tensor{T(d(2), float32(math.Inf(1)), float32(math.Inf(-1)))}},
		{name: "pow mixed types", op: "Pow", in: []*onnxgraph.Tensor{T(d(3), int32(2), 3, 4), T(d(3), float32(3), 2, 0.5)}, want: []*onnxgraph.Tensor{T(d(3), int32(8), 9, 2)}},
		{name: "pow float", op: "Pow", in: []*onnxgraph.Tensor{T(d(2), float32(4), 2), T(d(), float32(0.5))}, want: []*onnxgraph.Tensor{T(d(2), float32(2), float32(math.Sqrt2))}},
		{name: "mod python sign", op: "Mod", in: []*onnxgraph.Tensor{T(d(4), int64(-7), 7, -7, 7), T(d(4), int64(3), -3, -3, 3)},
			want: []*onnxgraph.Tensor{T(d(4), int64(2), -2, -1, 1)}},
		{name: "mod fmod", op: "Mod", attrs: map[string]any{"fmod": int64(1)}, in: []*onnxgraph.Tensor{T(d(2), int64(-7), 7), T(d(2), int64(3), -3)},
			want: []*onnxgraph.Tensor{T(d(2), int64(-1), 1)}},
		{name: "mod float fmod", op: "Mod", attrs: map[string]any{"fmod": int64(1)}, in: []*onnxgraph.Tensor{T(d(2), -5.5, 5.5), T(d(2), 2.0, 2.0)},
			want: []*onnxgraph.Tensor{T(d(2), -1.5, 1.5)}},
		{name: "mod float needs fmod", op: "Mod", in: []*onnxgraph.Tensor{T(d(1), 1.0), T(d(1), 2.0)}, err: eval.ErrInvalid},
		{name: "max variadic", op: "Max", in: []*onnxgraph.Tensor{T(d(3), float32(1), 5, 3), T(d(1), float32(4)), T(d(3), float32(0), 0, 9)},
			want: []*onnxgraph.Tensor{T(d(3), float32(4), 5, 9)}},
		{name: "max nan", op: "Max", in: []*onnxgraph.Tensor{T(d(2), nan, 1), T(d(2), float32(1), nan)}, want: []*onnxgraph.Tensor{T(d(2), nan, nan)}},
		{name: "min one input", op: "Min", in: []*onnxgraph.Tensor{T(d(2), int64(3), 1)}, want: []*onnxgraph.Tensor{T(d(2), int64(3), 1)}},
		{name: "sum", op: "Sum", in: []*onnxgraph.Tensor{T(d(2), 1.0, 2), T(d(2), 3.0, 4), T(d(), 10.0)}, want: []*onnxgraph.Tensor{T(d(2), 14.0, 16)}},
		{name: "mean", op: "Mean", in: []*onnxgraph.Tensor{T(d(2), float32(1), 2), T(d(2), float32(3), 6)}, want: []*onnxgraph.Tensor{T(d(2), float32(2), 4)}},
		{name: "abs", op: "Abs", in: []*onnxgraph.Tensor{T(d(3), int16(-3), 0, 3)}, want: []*onnxgraph.Tensor{T(d(3), int16(3), 0, 3)}},
		{name: "neg", op: "Neg", in: []*onnxgraph.Tensor{T(d(2), float32(-1), 2)}, want: []*onnxgraph.Tensor{T(d(2), float32(1), -2)}},
		{name: "sign", op: "Sign", in: []*onnxgraph.Tensor{T(d(4), -2.5, 0, 3, math.NaN())}, want: []*onnxgraph.Tensor{T(d(4), -1.0, 0, 1, math.NaN())}},
		{name: "round half even", op: "Round", in: []*onnxgraph.Tensor{T(d(5), float32(0.5), 1.5, 2.5, -0.5, -1.5)},
			want: []*onnxgraph.Tensor{T(d(5), float32(0), 2, 2, float32(math.Copysign(0, -1)), -2)}},
		{name: "floor ceil", op: "Floor", in: []*onnxgraph.Tensor{T(d(2), float32(-1.5), 1.5)}, want: []*onnxgraph.Tensor{T(d(2), float32(-2), 1)}},
		{name: "ceil", op: "Ceil", in: []*onnxgraph.Tensor{T(d(2), float32(-1.5), 1.5)}, want: []*onnxgraph.Tensor{T(d(2), float32(-1), 2)}},
		{name: "sqrt", op: "Sqrt", in: []*onnxgraph.Tensor{T(d(2), 4.0, 2)}, want: []*onnxgraph.Tensor{T(d(2), 2.0, math.Sqrt2)}},
		{name: "reciprocal", op: "Reciprocal", in: []*onnxgraph.Tensor{T(d(2), float32(4), 0.5)}, want: []*onnxgraph.Tensor{T(d(2), float32(0.25), 2)}},
		{name: "exp log", op: "Exp", in: []*onnxgraph.Tensor{T(d(2), 0.0, 1)}, want: []*onnxgraph.Tensor{T(d(2), 1.0, math.E)}},
		{name: "log", op: "Log", in: []*onnxgraph.Tensor{T(d(2), 1.0, 0)}, want: []*onnxgraph.Tensor{T(d(2), 0.0, math.Inf(-1))}},
		{name: "erf", op: "Erf", in: []*onnxgraph.Tensor{T(d(2), 0.0, 1)}, want: []*onnxgraph.Tensor{T(d(2), 0.0, math.Erf(1))}},
		{name: "trig", op: "Cos", in: []*onnxgraph.Tensor{T(d(2), 0.0, math.Pi)}, want: []*onnxgraph.Tensor{T(d(2), 1.0, -1)}},
		{name: "atanh", op: "Atanh", in: []*onnxgraph.Tensor{T(d(1), 0.5)}, want: []*onnxgraph.Tensor{T(d(1), math.Atanh(0.5))}},
		{name: "float16 rounds once", op: "Add", in: []*onnxgraph.Tensor{TT(onnxgraph.Float16, d(1), []float32{1}), TT(onnxgraph.Float16, d(1), []float32{0.0004})},
			// 1 + 0.0004 rounds to 1 in float16 (ulp 2^-10 at 1).
			want: []*onnxgraph.Tensor{TT(onnxgraph.Float16, d(1), []float32{1})}},
		{name: "sin of int unsupported", op: "Sin", in: []*onnxgraph.Tensor{T(d(1), int32(1))}, err: eval.ErrNotImplemented},
	})
}
