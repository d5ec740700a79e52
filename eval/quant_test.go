package eval_test

import (
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
)

func TestQuant(t *testing.T) {
	runCases(t, []opCase{
		{name: "quantize per tensor", op: "QuantizeLinear", in: []*onnxgraph.Tensor{T(d(5), float32(0), 1, 2.5, -300, 1000), T(d(), float32(2)), T(d(), uint8(128))},
			// rint(x/2)+128 clipped: 128, 128 (0.5 ties to 0), 129 (1.25), 0, 255
			want: []*onnxgraph.Tensor{T(d(5), uint8(128), 128, 129, 0, 255)}},
		{name: "quantize default uint8", op: "QuantizeLinear", in: []*onnxgraph.Tensor{T(d(2), float32(3), 5), T(d(), float32(2))},
			want: []*onnxgraph.Tensor{T(d(2), uint8(2), 2)}},
		{name: "quantize per axis", op: "QuantizeLinear", attrs: map[string]any{"axis": int64(0)},
			in:   []*onnxgraph.Tensor{T(d(2, 2), float32(1), 2, 3, 4), T(d(2), float32(1), 2), T(d(2), int8(0), -1)},
			want: []*onnxgraph.Tensor{T(d(2, 2), int8(1), 2, 1, 1)}},
		{name: "quantize blocked", op: "QuantizeLinear", attrs: map[string]any{"axis": int64(1), "block_size": int64(2)},
			in:   []*onnxgraph.Tensor{T(d(1, 3), float32(2), 4, 6), T(d(1, 2), float32(2), 3), T(d(1, 2), int8(0), 0)},
			want: []*onnxgraph.Tensor{T(d(1, 3), int8(1), 2, 2)}},
		{name: "quantize int4", op: "QuantizeLinear", in: []*onnxgraph.Tensor{T(d(3), float32(20), -20, 3), T(d(), float32(1)), TT(onnxproto.TensorProto_INT4, d(), []int8{0})},
			want: []*onnxgraph.Tensor{TT(onnxproto.TensorProto_INT4, d(3), []int8{7, -8, 3})}},
		{name: "quantize float8", op: "QuantizeLinear", in: []*onnxgraph.Tensor{T(d(2), float32(1000), 1), T(d(), float32(1)), TT(onnxproto.TensorProto_FLOAT8E4M3FN, d(), []float32{0})},
			want: []*onnxgraph.Tensor{TT(onnxproto.TensorProto_FLOAT8E4M3FN, d(2), []float32{448, 1})}},
		{name: "dequantize", op: "DequantizeLinear", in: []*onnxgraph.Tensor{T(d(3), uint8(0), 128, 255), T(d(), float32(0.5)), T(d(), uint8(128))},
			want: []*onnxgraph.Tensor{T(d(3), float32(-64), 0, 63.5)}},
		{name: "dequantize per axis", op: "DequantizeLinear", attrs: map[string]any{"axis": int64(1)}, in: []*onnxgraph.Tensor{T(d(1, 2), int32(3), 3), T(d(2), float32(1), 2)},
			want: []*onnxgraph.Tensor{T(d(1, 2), float32(3), 6)}},
		{name: "dynamic quantize", op: "DynamicQuantizeLinear", in: []*onnxgraph.Tensor{T(d(3), float32(-1), 0, 2)},
			// scale 3/255, zero point rint(1/scale) = 85
			want: []*onnxgraph.Tensor{T(d(3), uint8(0), 85, 255), T(d(), float32(3)/255), T(d(), uint8(85))}},
		{name: "qlinear matmul", op: "QLinearMatMul",
			in: []*onnxgraph.Tensor{T(d(1, 2), uint8(2), 4), T(d(), float32(0.5)), T(d(), uint8(0)), T(d(2, 1), uint8(3), 1), T(d(), float32(1)), T(d(), uint8(1)),
				T(d(), float32(0.25)), T(d(), uint8(10))},
			// (2·2 + 4·0)·0.5/0.25 + 10 = 18
			want: []*onnxgraph.Tensor{T(d(1, 1), uint8(18))}},
	})
}
