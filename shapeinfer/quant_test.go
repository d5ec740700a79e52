package shapeinfer_test

import (
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
)

// Tests of the quantization family; the opset 19+ cases follow the
// operator spec's examples (per-axis, blocked, float8 and output_dtype).

func TestQuantFamily(t *testing.T) {
	ai := onnxgraph.AttrInt
	u8, i8, i16, f16 := onnxgraph.Uint8, onnxgraph.Int8, onnxgraph.Int16, onnxgraph.Float16
	e4m3 := onnxgraph.DataType(onnxproto.TensorProto_FLOAT8E4M3FN)
	i4 := onnxgraph.DataType(onnxproto.TensorProto_INT4)
	inv := shapeinfer.CodeInvalid
	cases := []famCase{
		{name: "QuantizeLinear-10 default uint8", opset: 10, op: "QuantizeLinear", in: []famIn{famT("x", f32, 6), famT("s", f32)}, want: []string{"uint8[6]"}},
		{name: "QuantizeLinear-13 axis", opset: 13, op: "QuantizeLinear", in: []famIn{famT("x", f32, 1, 3, 3, 2), famT("s", f32, 3), famT("z", u8, 3)}, want: []string{"uint8[1,3,3,2]"}},
		{name: "QuantizeLinear-13 axis mismatch", opset: 13, op: "QuantizeLinear", in: []famIn{famT("x", f32, 1, 3, 3, 2), famT("s", f32, 4), famT("z", u8, 4)}, want: []string{"uint8[1,3,3,2]"}, code: inv},
		{name: "QuantizeLinear-19 e4m3fn", opset: 19, op: "QuantizeLinear", in: []famIn{famT("x", f32, 5), famT("s", f32), famT("z", e4m3, 1)}, want: []string{"float8e4m3fn[5]"}},
		{name: "QuantizeLinear-21 blocked", opset: 21, op: "QuantizeLinear", in: []famIn{famT("x", f32, 3, 4), famT("s", f32, 3, 2), famT("z", i8, 3, 2)}, attrs: attrList(ai("axis", 1), ai("block_size", 2)), want: []string{"int8[3,4]"}},
		{name: "QuantizeLinear-21 blocked mismatch", opset: 21, op: "QuantizeLinear", in: []famIn{famT("x", f32, 3, 4), famT("s", f32, 3, 3)}, attrs: attrList(ai("axis", 1), ai("block_size", 2)), want: []string{"uint8[3,4]"}, code: inv},
		{name: "QuantizeLinear-25 output_dtype", opset: 25, op: "QuantizeLinear", in: []famIn{famT("x", f32, 3, 4), famT("s", f32, 3, 2)}, attrs: attrList(ai("axis", 1), ai("block_size", 2), ai("output_dtype", int64(i16))), want: []string{"int16[3,4]"}},
		{name: "QuantizeLinear-23 int4", opset: 23, op: "QuantizeLinear", in: []famIn{famT("x", f32, "N", 8), famT("s", f32, 8), famT("z", i4, 8)}, want: []string{"int4[N,8]"}},
		{name: "QuantizeLinear-24 dtype conflict", opset: 24, op: "QuantizeLinear", in: []famIn{famT("x", f32, 4), famT("s", f32), famT("z", u8)}, attrs: attrList(ai("output_dtype", int64(i8))), code: inv},
		{name: "DequantizeLinear-10", opset: 10, op: "DequantizeLinear", in: []famIn{famT("x", u8, 4), famT("s", f32), famT("z", u8)}, want: []string{"float32[4]"}},
		{name: "DequantizeLinear-19 float16 scale", opset: 19, op: "DequantizeLinear", in: []famIn{famT("x", e4m3, 5), famT("s", f16)}, attrs: attrList(ai("axis", 0)), want: []string{"float16[5]"}},
		{name: "DequantizeLinear-21 blocked", opset: 21, op: "DequantizeLinear", in: []famIn{famT("x", u8, 1, 4, 3, 2), famT("s", f32, 1, 2, 3, 2), famT("z", u8, 1, 2, 3, 2)}, attrs: attrList(ai("axis", 1), ai("block_size", 2)), want: []string{"float32[1,4,3,2]"}},
		{name: "DequantizeLinear-23 output_dtype", opset: 23, op: "DequantizeLinear", in: []famIn{famT("x", i8, "B", 16), famT("s", f32)}, attrs: attrList(ai("output_dtype", int64(f16))), want: []string{"float16[B,16]"}},
		{name: "DynamicQuantizeLinear-11", opset: 11, op: "DynamicQuantizeLinear", in: []famIn{famT("x", f32, "N", 3)}, want: []string{"uint8[N,3]", "float32[]", "uint8[]"}},
	}
	famRun(t, cases)
}
