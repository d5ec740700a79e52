package eval_test

import (
	"math"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/eval"
	"github.com/onnxgraph/onnxgraph/onnxproto"
)

func TestCast(t *testing.T) {
	to := func(dt onnxgraph.DataType) map[string]any { return map[string]any{"to": int64(dt)} }
	nan, inf := math.NaN(), math.Inf(1)
	e4m3 := onnxproto.TensorProto_FLOAT8E4M3FN
	e5m2 := onnxproto.TensorProto_FLOAT8E5M2
	runCases(t, []opCase{
		{name: "float to int truncates", op: "Cast", attrs: to(onnxgraph.Int32), in: []*onnxgraph.Tensor{T(d(4), float32(1.7), -1.7, 0.5, -0.5)},
			want: []*onnxgraph.Tensor{T(d(4), int32(1), -1, 0, 0)}},
		{name: "int narrowing wraps", op: "Cast", attrs: to(onnxgraph.Int8), in: []*onnxgraph.Tensor{T(d(3), int64(127), 128, -129)},
			want: []*onnxgraph.Tensor{T(d(3), int8(127), -128, 127)}},
		{name: "negative to uint8 wraps", op: "Cast", attrs: to(onnxgraph.Uint8), in: []*onnxgraph.Tensor{T(d(1), int32(-1))}, want: []*onnxgraph.Tensor{T(d(1), uint8(255))}},
		{name: "to bool", op: "Cast", attrs: to(onnxgraph.Bool), in: []*onnxgraph.Tensor{T(d(3), 0.0, -2, nan)}, want: []*onnxgraph.Tensor{T(d(3), false, true, true)}},
		{name: "bool to float", op: "Cast", attrs: to(onnxgraph.Float), in: []*onnxgraph.Tensor{T(d(2), true, false)}, want: []*onnxgraph.Tensor{T(d(2), float32(1), 0)}},
		{name: "double to float16 rounds once", op: "Cast", attrs: to(onnxgraph.Float16),
			// 1+2^-11+2^-30 is just above the tie between 1 and 1+2^-10:
			// rounding through float32 would tie and go to 1.
			in:   []*onnxgraph.Tensor{T(d(2), 1+math.Pow(2, -11)+math.Pow(2, -30), 70000)},
			want: []*onnxgraph.Tensor{TT(onnxgraph.Float16, d(2), []float32{1 + 1.0/1024, float32(inf)})}},
		{name: "to bfloat16 rounds to nearest", op: "Cast", attrs: to(onnxgraph.BFloat16), in: []*onnxgraph.Tensor{T(d(1), float32(0.81910545))},
			want: []*onnxgraph.Tensor{TT(onnxgraph.BFloat16, d(1), []float32{0.8203125})}},
		{name: "float8 saturates", op: "Cast", opset: 19, attrs: to(e4m3), in: []*onnxgraph.Tensor{T(d(3), float32(1000), float32(-inf), 0.3)},
			want: []*onnxgraph.Tensor{TT(e4m3, d(3), []float32{448, -448, 0.3})}},
		{name: "float8 without saturation", op: "Cast", opset: 19, attrs: map[string]any{"to": int64(e5m2), "saturate": int64(0)}, in: []*onnxgraph.Tensor{T(d(2), float32(1e6), float32(inf))},
			want: []*onnxgraph.Tensor{mustRaw(e5m2, d(2), []byte{0x7c, 0x7c})}},
		{name: "to int4 rounds and wraps", op: "Cast", opset: 21, attrs: to(onnxproto.TensorProto_INT4), in: []*onnxgraph.Tensor{T(d(4), float32(9), -9, 2.5, -1.4)},
			want: []*onnxgraph.Tensor{TT(onnxproto.TensorProto_INT4, d(4), []int8{-7, 7, 3, -1})}},
		{name: "saturated infinity to fnuz", op: "Cast", opset: 19, attrs: to(onnxproto.TensorProto_FLOAT8E4M3FNUZ), in: []*onnxgraph.Tensor{T(d(2), float32(math.Inf(1)), float32(math.Inf(-1)))},
			want: []*onnxgraph.Tensor{TT(onnxproto.TensorProto_FLOAT8E4M3FNUZ, d(2), []float32{240, -240})}},
		{name: "to string", op: "Cast", attrs: to(onnxgraph.String), in: []*onnxgraph.Tensor{T(d(6), float32(0.039187793), 1, 1e-5, 1e16, -2.5, float32(nan))},
			want: []*onnxgraph.Tensor{T(d(6), "0.039187793", "1.0", "1e-05", "1e+16", "-2.5", "nan")}},
		{name: "int to string", op: "Cast", attrs: to(onnxgraph.String), in: []*onnxgraph.Tensor{T(d(2), int64(-12), 7)}, want: []*onnxgraph.Tensor{T(d(2), "-12", "7")}},
		{name: "string to float", op: "Cast", attrs: to(onnxgraph.Float), in: []*onnxgraph.Tensor{T(d(5), "1e-5", "+INF", "-inf", "NaN", " 2.5 ")},
			want: []*onnxgraph.Tensor{T(d(5), float32(1e-5), float32(inf), float32(-inf), float32(nan), 2.5)}},
		{name: "string to int", op: "Cast", attrs: to(onnxgraph.Int64), in: []*onnxgraph.Tensor{T(d(2), "100.5", "-3")}, want: []*onnxgraph.Tensor{T(d(2), int64(100), -3)}},
		{name: "bad string", op: "Cast", attrs: to(onnxgraph.Float), in: []*onnxgraph.Tensor{T(d(1), "hello")}, err: eval.ErrInvalid},
		{name: "castlike", op: "CastLike", in: []*onnxgraph.Tensor{T(d(2), 1.5, -2.5), T(d(1), int32(0))}, want: []*onnxgraph.Tensor{T(d(2), int32(1), -2)}},
	})
}

// mustRaw makes a tensor from its raw bytes.
func mustRaw(dt onnxgraph.DataType, dims []int64, raw []byte) *onnxgraph.Tensor {
	t, err := onnxgraph.NewTensor("", dt, dims, raw)
	if err != nil {
		panic(err)
	}
	return t
}
