package shapeinfer_test

import (
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/opschema"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
)

// Tests of the neural-network family; shapes of the opset 18+ cases come
// from the operator spec's examples.

func TestNNFamily(t *testing.T) {
	ai, ais := onnxgraph.AttrInt, onnxgraph.AttrInts
	u8, i8, f16 := onnxgraph.Uint8, onnxgraph.Int8, onnxgraph.Float16
	inv := shapeinfer.CodeInvalid
	cases := []famCase{
		// Conv.
		{name: "Conv-22 pads", opset: 22, op: "Conv", in: []famIn{famT("x", f32, 1, 1, 5, 5), famT("w", f32, 1, 1, 3, 3)}, attrs: attrList(ais("kernel_shape", 3, 3), ais("pads", 1, 1, 1, 1)), want: []string{"float32[1,1,5,5]"}},
		{name: "Conv-22 no pads", opset: 22, op: "Conv", in: []famIn{famT("x", f32, 1, 1, 5, 5), famT("w", f32, 1, 1, 3, 3)}, want: []string{"float32[1,1,3,3]"}},
		{name: "Conv-22 strides", opset: 22, op: "Conv", in: []famIn{famT("x", f32, 1, 1, 7, 5), famT("w", f32, 1, 1, 3, 3)}, attrs: attrList(ais("pads", 1, 1, 1, 1), ais("strides", 2, 2)), want: []string{"float32[1,1,4,3]"}},
		{name: "Conv-22 strides asymmetric pads", opset: 22, op: "Conv", in: []famIn{famT("x", f32, 1, 1, 7, 5), famT("w", f32, 1, 1, 3, 3)}, attrs: attrList(ais("pads", 1, 0, 1, 0), ais("strides", 2, 2)), want: []string{"float32[1,1,4,2]"}},
		{name: "Conv-22 SAME_LOWER", opset: 22, op: "Conv", in: []famIn{famT("x", f32, 1, 1, 5, 5), famT("w", f32, 1, 1, 3, 3)}, attrs: attrList(onnxgraph.AttrString("auto_pad", "SAME_LOWER"), ais("strides", 2, 2)), want: []string{"float32[1,1,3,3]"}},
		{name: "Conv-11 dilations", opset: 11, op: "Conv", in: []famIn{famT("x", f32, 1, 1, 7, 7), famT("w", f32, 1, 1, 3, 3)}, attrs: attrList(ais("dilations", 2, 2)), want: []string{"float32[1,1,3,3]"}},
		{name: "Conv-22 symbolic", opset: 22, op: "Conv", in: []famIn{famT("x", f32, "N", 3, "H", "W"), famT("w", f32, 16, 3, 3, 3)}, attrs: attrList(ais("pads", 1, 1, 1, 1)), want: []string{"float32[N,16,H,W]"}},
		{name: "Conv-22 symbolic stride", opset: 22, op: "Conv", in: []famIn{famT("x", f32, "N", 3, "H", 224), famT("w", f32, 16, 3, 3, 3)}, attrs: attrList(ais("pads", 1, 1, 1, 1), ais("strides", 2, 2)), want: []string{"float32[N,16,floor((H+1)/2),112]"}},
		{name: "Conv-22 symbolic SAME", opset: 22, op: "Conv", in: []famIn{famT("x", f32, "N", 3, "H")}, attrs: attrList(onnxgraph.AttrString("auto_pad", "SAME_UPPER"), ais("strides", 2), ais("kernel_shape", 3)), want: []string{"float32[N,?,floor((H+1)/2)]"}},
		{name: "Conv-22 group", opset: 22, op: "Conv", in: []famIn{famT("x", f32, 1, 4, 5, 5), famT("w", f32, 8, 2, 3, 3)}, attrs: attrList(ai("group", 2)), want: []string{"float32[1,8,3,3]"}},
		{name: "Conv-22 channels", opset: 22, op: "Conv", in: []famIn{famT("x", f32, 1, 4, 5, 5), famT("w", f32, 8, 3, 3, 3)}, attrs: attrList(ai("group", 2)), want: []string{"float32[*]"}, code: inv},
		{name: "Conv-22 rank", opset: 22, op: "Conv", in: []famIn{famT("x", f32, 4, 5), famT("w", f32, 8, 4)}, want: []string{"float32[*]"}, code: inv},
		{name: "Conv-22 kernel too large", opset: 22, op: "Conv", in: []famIn{famT("x", f32, 1, 1, 2, 2), famT("w", f32, 1, 1, 3, 3)}, want: []string{"float32[*]"}, code: inv},
		{name: "Conv-22 untyped", opset: 22, op: "Conv", in: []famIn{famNoShape("x", f32), famNoShape("w", f32)}, want: []string{"float32[*]"}},
		{name: "ConvInteger-10", opset: 10, op: "ConvInteger", in: []famIn{famT("x", u8, 1, 1, 3, 3), famT("w", u8, 1, 1, 2, 2), famT("xz", u8)}, want: []string{"int32[1,1,2,2]"}},
		{name: "QLinearConv-10", opset: 10, op: "QLinearConv", in: []famIn{famT("x", u8, 1, 1, 7, 7), famT("xs", f32), famT("xz", u8), famT("w", u8, 1, 1, 1, 1), famT("ws", f32, 1), famT("wz", u8, 1), famT("ys", f32), famT("yz", i8)}, want: []string{"int8[1,1,7,7]"}},
		{name: "DeformConv-22 pads", opset: 22, op: "DeformConv", in: []famIn{famT("x", f32, 1, 1, 3, 3), famT("w", f32, 1, 1, 2, 2), famT("off", f32, 1, 8, 4, 4)}, attrs: attrList(ais("kernel_shape", 2, 2), ais("pads", 1, 1, 1, 1)), want: []string{"float32[1,1,4,4]"}},
		{name: "DeformConv-19 mask bias", opset: 19, op: "DeformConv", in: []famIn{famT("x", f32, 1, 1, 3, 3), famT("w", f32, 1, 1, 2, 2), famT("off", f32, 1, 8, 2, 2), famT("b", f32, 1), famT("mask", f32, 1, 4, 2, 2)}, attrs: attrList(ais("kernel_shape", 2, 2)), want: []string{"float32[1,1,2,2]"}},
		// ConvTranspose.
		{name: "ConvTranspose-22", opset: 22, op: "ConvTranspose", in: []famIn{famT("x", f32, 1, 1, 3, 3), famT("w", f32, 1, 2, 3, 3)}, want: []string{"float32[1,2,5,5]"}},
		{name: "ConvTranspose-22 pads", opset: 22, op: "ConvTranspose", in: []famIn{famT("x", f32, 1, 1, 3, 3), famT("w", f32, 1, 2, 3, 3)}, attrs: attrList(ais("strides", 3, 2), ais("pads", 1, 2, 1, 2)), want: []string{"float32[1,2,7,3]"}},
		{name: "ConvTranspose-22 output_shape", opset: 22, op: "ConvTranspose", in: []famIn{famT("x", f32, 1, 1, 3, 3), famT("w", f32, 1, 2, 3, 3)}, attrs: attrList(ais("strides", 3, 2), ais("output_shape", 10, 8)), want: []string{"float32[1,2,10,8]"}},
		{name: "ConvTranspose-22 output_padding", opset: 22, op: "ConvTranspose", in: []famIn{famT("x", f32, 1, 1, 3, 3), famT("w", f32, 1, 2, 3, 3)}, attrs: attrList(ais("strides", 3, 2), ais("output_padding", 1, 1)), want: []string{"float32[1,2,10,8]"}},
		{name: "ConvTranspose-22 SAME_UPPER", opset: 22, op: "ConvTranspose", in: []famIn{famT("x", f32, 1, 1, 3, 3), famT("w", f32, 1, 2, 3, 3)}, attrs: attrList(onnxgraph.AttrString("auto_pad", "SAME_UPPER"), ais("strides", 2, 2)), want: []string{"float32[1,2,6,6]"}},
		{name: "ConvTranspose-22 dilations", opset: 22, op: "ConvTranspose", in: []famIn{famT("x", f32, 1, 1, 3, 3), famT("w", f32, 1, 1, 2, 2)}, attrs: attrList(ais("dilations", 2, 2)), want: []string{"float32[1,1,5,5]"}},
		{name: "ConvTranspose-22 group", opset: 22, op: "ConvTranspose", in: []famIn{famT("x", f32, 1, 2, 3, 3), famT("w", f32, 2, 1, 3, 3)}, attrs: attrList(ai("group", 2)), want: []string{"float32[1,2,5,5]"}},
		{name: "ConvTranspose-22 symbolic", opset: 22, op: "ConvTranspose", in: []famIn{famT("x", f32, "N", 4, "H", "W"), famT("w", f32, 4, 8, 4, 4)}, attrs: attrList(ais("strides", 2, 2), ais("pads", 1, 1, 1, 1)), want: []string{"float32[N,8,2*H,2*W]"}},
		{name: "ConvTranspose-1 1d", opset: 1, op: "ConvTranspose", in: []famIn{famT("x", f32, 1, 1, 3), famT("w", f32, 1, 2, 3)}, want: []string{"float32[1,2,5]"}},
		{name: "CausalConvWithState-27", opset: 27, op: "CausalConvWithState", in: []famIn{famT("x", f32, 2, 4, 8), famT("w", f32, 4, 1, 4)}, outs: 2, want: []string{"float32[2,4,8]", "float32[2,4,3]"}},
		{name: "CausalConvWithState-27 decode", opset: 27, op: "CausalConvWithState", in: []famIn{famT("x", f32, "B", 64, 1), famT("w", f32, 64, 1, 4), famMissing, famT("past", f32, "B", 64, 3)}, outs: 2, want: []string{"float32[B,64,1]", "float32[B,64,3]"}},
		// Pooling.
		{name: "AveragePool-22 ceil last window", opset: 22, op: "AveragePool", in: []famIn{famT("x", f32, 1, 3, 2, 2)}, attrs: attrList(ais("kernel_shape", 3, 3), ais("strides", 3, 3), ais("pads", 1, 1, 1, 1), ai("ceil_mode", 1)), want: []string{"float32[1,3,1,1]"}},
		{name: "AveragePool-19 ceil", opset: 19, op: "AveragePool", in: []famIn{famT("x", f32, 1, 1, 4, 4)}, attrs: attrList(ais("kernel_shape", 3, 3), ais("strides", 2, 2), ai("ceil_mode", 1)), want: []string{"float32[1,1,2,2]"}},
		{name: "AveragePool-19 dilations", opset: 19, op: "AveragePool", in: []famIn{famT("x", f32, 1, 1, 4, 4)}, attrs: attrList(ais("kernel_shape", 2, 2), ais("dilations", 2, 2)), want: []string{"float32[1,1,2,2]"}},
		{name: "AveragePool-7 1d", opset: 7, op: "AveragePool", in: []famIn{famT("x", f32, 1, 3, 32)}, attrs: attrList(ais("kernel_shape", 2)), want: []string{"float32[1,3,31]"}},
		{name: "AveragePool-22 no kernel", opset: 22, op: "AveragePool", in: []famIn{famT("x", f32, 1, 3, 32)}, want: []string{"float32[*]"}, code: inv},
		{name: "MaxPool-22 indices", opset: 22, op: "MaxPool", in: []famIn{famT("x", f32, 1, 1, 5, 5)}, attrs: attrList(ais("kernel_shape", 2, 2), ais("strides", 2, 2)), want: []string{"float32[1,1,2,2]", "int64[1,1,2,2]"}},
		{name: "MaxPool-12 SAME_UPPER", opset: 12, op: "MaxPool", in: []famIn{famT("x", f32, 1, 3, 32, 32)}, attrs: attrList(ais("kernel_shape", 2, 2), onnxgraph.AttrString("auto_pad", "SAME_UPPER")), want: []string{"float32[1,3,32,32]"}},
		{name: "MaxPool-12 SAME stride", opset: 12, op: "MaxPool", in: []famIn{famT("x", f32, 1, 1, 5, 5)}, attrs: attrList(ais("kernel_shape", 3, 3), ais("strides", 2, 2), onnxgraph.AttrString("auto_pad", "SAME_UPPER")), want: []string{"float32[1,1,3,3]"}},
		{name: "MaxPool-22 symbolic", opset: 22, op: "MaxPool", in: []famIn{famT("x", f32, "N", 64, "H", "W")}, attrs: attrList(ais("kernel_shape", 3, 3), ais("strides", 2, 2), ais("pads", 1, 1, 1, 1)), want: []string{"float32[N,64,floor((H+1)/2),floor((W+1)/2)]"}},
		{name: "LpPool-18 pads", opset: 18, op: "LpPool", in: []famIn{famT("x", f32, 1, 3, 28, 28)}, attrs: attrList(ais("kernel_shape", 3, 3), ais("pads", 2, 2, 2, 2)), want: []string{"float32[1,3,30,30]"}},
		{name: "LpPool-22 dilations", opset: 22, op: "LpPool", in: []famIn{famT("x", f32, 1, 1, 4, 4)}, attrs: attrList(ais("kernel_shape", 2, 2), ais("dilations", 2, 2)), want: []string{"float32[1,1,2,2]"}},
		{name: "GlobalAveragePool-22", opset: 22, op: "GlobalAveragePool", in: []famIn{famT("x", f32, "N", 3, "H", "W")}, want: []string{"float32[N,3,1,1]"}},
		{name: "GlobalMaxPool-22", opset: 22, op: "GlobalMaxPool", in: []famIn{famT("x", f32, 1, 3, 5)}, want: []string{"float32[1,3,1]"}},
		{name: "GlobalLpPool-22", opset: 22, op: "GlobalLpPool", in: []famIn{famT("x", f32, 1, 3, 5, 5, 5)}, want: []string{"float32[1,3,1,1,1]"}},
		{name: "MaxRoiPool-22", opset: 22, op: "MaxRoiPool", in: []famIn{famT("x", f32, 1, 3, 10, 10), famT("rois", f32, 4, 5)}, attrs: attrList(ais("pooled_shape", 2, 3)), want: []string{"float32[4,3,2,3]"}},
		{name: "MaxUnpool-22", opset: 22, op: "MaxUnpool", in: []famIn{famT("x", f32, 1, 1, 2, 2), famT("i", i64, 1, 1, 2, 2)}, attrs: attrList(ais("kernel_shape", 2, 2), ais("strides", 2, 2)), want: []string{"float32[1,1,4,4]"}},
		{name: "MaxUnpool-22 output_shape", opset: 22, op: "MaxUnpool", in: []famIn{famT("x", f32, 1, 1, 2, 2), famT("i", i64, 1, 1, 2, 2), famI64("os", 1, 1, 5, 5)}, attrs: attrList(ais("kernel_shape", 2, 2), ais("strides", 2, 2)), want: []string{"float32[1,1,5,5]"}},
		{name: "MaxUnpool-22 unknown output_shape", opset: 22, op: "MaxUnpool", in: []famIn{famT("x", f32, 1, 1, 2, 2), famT("i", i64, 1, 1, 2, 2), famT("os", i64, 4)}, attrs: attrList(ais("kernel_shape", 2, 2), ais("strides", 2, 2)), want: []string{"float32[unk__1,unk__2,unk__3,unk__4]"}},
		{name: "RoiAlign-22", opset: 22, op: "RoiAlign", in: []famIn{famT("x", f32, 1, 1, 10, 10), famT("rois", f32, 3, 4), famT("bi", i64, 3)}, attrs: attrList(ai("output_height", 5), ai("output_width", 5)), want: []string{"float32[3,1,5,5]"}},
		{name: "RoiAlign-22 mismatch", opset: 22, op: "RoiAlign", in: []famIn{famT("x", f32, 1, 1, 10, 10), famT("rois", f32, 3, 4), famT("bi", i64, 2)}, code: inv},
		// Normalizations.
		{name: "BatchNormalization-15 training", opset: 15, op: "BatchNormalization", in: []famIn{famT("x", f32, 2, 3, 4, 5), famT("s", f32, 3), famT("b", f32, 3), famT("m", f32, 3), famT("v", f32, 3)}, attrs: attrList(ai("training_mode", 1)), want: []string{"float32[2,3,4,5]", "float32[3]", "float32[3]"}},
		{name: "BatchNormalization-15 stats type", opset: 15, op: "BatchNormalization", in: []famIn{famT("x", f16, "N", 3, "H", "W"), famT("s", f16, 3), famT("b", f16, 3), famT("m", f32, 3), famT("v", f32, 3)}, attrs: attrList(ai("training_mode", 1)), want: []string{"float16[N,3,H,W]", "float32[3]", "float32[3]"}},
		{name: "BatchNormalization-6 saved", opset: 6, op: "BatchNormalization", in: []famIn{famT("x", f32, 2, 3, 4), famT("s", f32, 3), famT("b", f32, 3), famT("m", f32, 3), famT("v", f32, 3)}, want: []string{"float32[2,3,4]", "float32[3]", "float32[3]", "float32[3]", "float32[3]"}},
		{name: "InstanceNormalization-22", opset: 22, op: "InstanceNormalization", in: []famIn{famT("x", f32, 2, 3, 4, 5), famT("s", f32, 3), famT("b", f32, 3)}, want: []string{"float32[2,3,4,5]"}},
		{name: "GroupNormalization-21", opset: 21, op: "GroupNormalization", in: []famIn{famT("x", f32, 3, 4, 2, 2), famT("s", f32, 4), famT("b", f32, 4)}, attrs: attrList(ai("num_groups", 2)), want: []string{"float32[3,4,2,2]"}},
		{name: "GroupNormalization-18", opset: 18, op: "GroupNormalization", in: []famIn{famT("x", f32, 3, 4, 2, 2), famT("s", f32, 2), famT("b", f32, 2)}, attrs: attrList(ai("num_groups", 2)), want: []string{"float32[3,4,2,2]"}},
		{name: "LayerNormalization-17", opset: 17, op: "LayerNormalization", in: []famIn{famT("x", f32, 2, 3, 4, 5), famT("s", f32, 4, 5), famT("b", f32, 4, 5)}, attrs: attrList(ai("axis", 2)), want: []string{"float32[2,3,4,5]", "float32[2,3,1,1]", "float32[2,3,1,1]"}},
		{name: "LayerNormalization-17 stash", opset: 17, op: "LayerNormalization", in: []famIn{famT("x", f16, "B", "S", 768), famT("s", f16, 768)}, want: []string{"float16[B,S,768]", "float32[B,S,1]", "float32[B,S,1]"}},
		{name: "LayerNormalization-17 axis", opset: 17, op: "LayerNormalization", in: []famIn{famT("x", f32, 2, 3), famT("s", f32, 3)}, attrs: attrList(ai("axis", 2)), code: inv},
		{name: "RMSNormalization-23", opset: 23, op: "RMSNormalization", in: []famIn{famT("x", f32, 2, 3, 4, 5), famT("s", f32, 5)}, want: []string{"float32[2,3,4,5]"}},
		{name: "RMSNormalization-23 scale type", opset: 23, op: "RMSNormalization", in: []famIn{famT("x", f32, "B", "S", 64), famT("s", f16, 64)}, attrs: attrList(ai("axis", -1)), want: []string{"float16[B,S,64]"}},
		{name: "LRN-13", opset: 13, op: "LRN", in: []famIn{famT("x", f32, 5, 5, 5, 5)}, attrs: attrList(ai("size", 3)), want: []string{"float32[5,5,5,5]"}},
		{name: "MeanVarianceNormalization-13", opset: 13, op: "MeanVarianceNormalization", in: []famIn{famT("x", f32, 3, 3, 3, 1)}, want: []string{"float32[3,3,3,1]"}},
		{name: "LpNormalization-22", opset: 22, op: "LpNormalization", in: []famIn{famT("x", f32, "N", 4)}, want: []string{"float32[N,4]"}},
		{name: "Dropout-22 mask", opset: 22, op: "Dropout", in: []famIn{famT("x", f32, 3, 4, 5), famT("r", f32), famT("t", bl)}, want: []string{"float32[3,4,5]", "bool[3,4,5]"}},
		{name: "Dropout-7 mask", opset: 7, op: "Dropout", in: []famIn{famT("x", f32, 3, 4)}, want: []string{"float32[3,4]", "float32[3,4]"}},
		// Matrix products.
		{name: "Gemm-13", opset: 13, op: "Gemm", in: []famIn{famT("a", f32, 4, 3), famT("b", f32, 5, 4), famT("c", f32, 1, 5)}, attrs: attrList(ai("transA", 1), ai("transB", 1)), want: []string{"float32[3,5]"}},
		{name: "Gemm-13 no C", opset: 13, op: "Gemm", in: []famIn{famT("a", f32, "M", 3), famT("b", f32, 3, 5)}, want: []string{"float32[M,5]"}},
		{name: "Gemm-13 inner", opset: 13, op: "Gemm", in: []famIn{famT("a", f32, 3, 4), famT("b", f32, 5, 6)}, want: []string{"float32[3,6]"}, code: inv},
		{name: "Gemm-13 C", opset: 13, op: "Gemm", in: []famIn{famT("a", f32, 3, 4), famT("b", f32, 4, 6), famT("c", f32, 7)}, want: []string{"float32[3,6]"}, code: inv},
		{name: "Gemm-6 broadcast", opset: 6, op: "Gemm", in: []famIn{famT("a", f32, 3, 4), famT("b", f32, 4, 6), famT("c", f32, 6)}, attrs: attrList(ai("broadcast", 1)), want: []string{"float32[3,6]"}},
		{name: "MatMul-13 batch", opset: 13, op: "MatMul", in: []famIn{famT("a", f32, "N", "S", 64), famT("b", f32, 64, 128)}, want: []string{"float32[N,S,128]"}},
		{name: "MatMul-13 broadcast", opset: 13, op: "MatMul", in: []famIn{famT("a", f32, 2, 1, 3, 4), famT("b", f32, 5, 4, 6)}, want: []string{"float32[2,5,3,6]"}},
		{name: "MatMul-13 vector left", opset: 13, op: "MatMul", in: []famIn{famT("a", f32, 4), famT("b", f32, 2, 4, 6)}, want: []string{"float32[2,6]"}},
		{name: "MatMul-13 vector right", opset: 13, op: "MatMul", in: []famIn{famT("a", f32, 2, 3, 4), famT("b", f32, 4)}, want: []string{"float32[2,3]"}},
		{name: "MatMul-13 dot", opset: 13, op: "MatMul", in: []famIn{famT("a", f32, 4), famT("b", f32, 4)}, want: []string{"float32[]"}},
		{name: "MatMul-13 inner", opset: 13, op: "MatMul", in: []famIn{famT("a", f32, 3, 4), famT("b", f32, 5, 6)}, want: []string{"float32[*]"}, code: inv},
		{name: "MatMulInteger-10", opset: 10, op: "MatMulInteger", in: []famIn{famT("a", u8, 4, 3), famT("b", u8, 3, 2), famT("az", u8), famT("bz", u8)}, want: []string{"int32[4,2]"}},
		{name: "QLinearMatMul-21", opset: 21, op: "QLinearMatMul", in: []famIn{famT("a", i8, 2, 4), famT("as", f32), famT("az", i8), famT("b", i8, 4, 3), famT("bs", f32), famT("bz", i8), famT("ys", f32), famT("yz", i8)}, want: []string{"int8[2,3]"}},
		{name: "Einsum-12 matmul", opset: 12, op: "Einsum", in: []famIn{famT("a", f32, 3, 4), famT("b", f32, 4, 5)}, attrs: attrList(onnxgraph.AttrString("equation", "ij,jk->ik")), want: []string{"float32[3,5]"}},
		{name: "Einsum-12 batch diagonal", opset: 12, op: "Einsum", in: []famIn{famT("a", f32, 3, 5, 5)}, attrs: attrList(onnxgraph.AttrString("equation", "...ii ->...i")), want: []string{"float32[3,5]"}},
		{name: "Einsum-12 transpose", opset: 12, op: "Einsum", in: []famIn{famT("a", f32, 3, 4)}, attrs: attrList(onnxgraph.AttrString("equation", "ij->ji")), want: []string{"float32[4,3]"}},
		{name: "Einsum-12 inner", opset: 12, op: "Einsum", in: []famIn{famT("a", f32, 5), famT("b", f32, 5)}, attrs: attrList(onnxgraph.AttrString("equation", "i,i")), want: []string{"float32[]"}},
		{name: "Einsum-12 implicit", opset: 12, op: "Einsum", in: []famIn{famT("a", f32, 3, 4)}, attrs: attrList(onnxgraph.AttrString("equation", "ba")), want: []string{"float32[4,3]"}},
		{name: "Einsum-12 symbolic batch", opset: 12, op: "Einsum", in: []famIn{famT("a", f32, "B", "S", 64), famT("b", f32, "B", 64, "T")}, attrs: attrList(onnxgraph.AttrString("equation", "bij,bjk->bik")), want: []string{"float32[B,S,T]"}},
		{name: "Einsum-12 ellipsis broadcast", opset: 12, op: "Einsum", in: []famIn{famT("a", f32, 2, 1, 3, 4), famT("b", f32, 5, 4, 6)}, attrs: attrList(onnxgraph.AttrString("equation", "...ij,...jk->...ik")), want: []string{"float32[2,5,3,6]"}},
		{name: "Einsum-12 implicit ellipsis", opset: 12, op: "Einsum", in: []famIn{famT("a", f32, 7, 3, 4)}, attrs: attrList(onnxgraph.AttrString("equation", "...ji")), want: []string{"float32[7,4,3]"}},
		{name: "Einsum-12 labels", opset: 12, op: "Einsum", in: []famIn{famT("a", f32, 3, 4)}, attrs: attrList(onnxgraph.AttrString("equation", "ijk->i")), want: []string{"float32[*]"}, code: inv},
		{name: "Einsum-12 sizes", opset: 12, op: "Einsum", in: []famIn{famT("a", f32, 3, 4), famT("b", f32, 5, 6)}, attrs: attrList(onnxgraph.AttrString("equation", "ij,jk->ik")), want: []string{"float32[*]"}, code: inv},
		{name: "Det-22", opset: 22, op: "Det", in: []famIn{famT("x", f32, 3, 2, 2)}, want: []string{"float32[3]"}},
		{name: "Det-22 square", opset: 22, op: "Det", in: []famIn{famT("x", f32, 2, 3)}, code: inv},
	}
	famRun(t, cases)
}

// TestMyFamiliesNeverPanic runs every version of the elementwise, nn,
// reduce, quantization, recurrent, random, signal and attention operators
// on odd inputs (missing, untyped, scalars, wrong ranks, bad data) and odd
// attributes: inference may fail, never panic.
func TestMyFamiliesNeverPanic(t *testing.T) {
	ai, ais := onnxgraph.AttrInt, onnxgraph.AttrInts
	ops := []string{"Abs", "Neg", "Relu", "Sign", "Floor", "IsInf", "IsNaN", "Not", "BitwiseNot", "Clip", "SwiGLU",
		"Add", "Sub", "Mul", "Div", "Pow", "Mod", "BitShift", "BitwiseAnd", "And", "Equal", "Greater", "LessOrEqual",
		"Sum", "Max", "Min", "Mean", "Where", "PRelu", "Cast", "CastLike", "BitCast",
		"Conv", "ConvTranspose", "ConvInteger", "QLinearConv", "DeformConv", "CausalConvWithState",
		"AveragePool", "MaxPool", "LpPool", "GlobalAveragePool", "GlobalLpPool", "MaxRoiPool", "MaxUnpool", "RoiAlign",
		"BatchNormalization", "InstanceNormalization", "LayerNormalization", "GroupNormalization", "RMSNormalization",
		"LRN", "MeanVarianceNormalization", "LpNormalization", "Dropout", "Gemm", "MatMul", "MatMulInteger",
		"QLinearMatMul", "Einsum", "Det",
		"ReduceSum", "ReduceMean", "ReduceMax", "ReduceL2", "ArgMax", "ArgMin", "TopK", "CumSum", "CumProd",
		"Softmax", "LogSoftmax", "Hardmax", "NegativeLogLikelihoodLoss", "SoftmaxCrossEntropyLoss",
		"QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear", "RNN", "GRU", "LSTM",
		"RandomNormal", "RandomUniform", "RandomNormalLike", "Bernoulli", "Multinomial",
		"DFT", "STFT", "HannWindow", "MelWeightMatrix", "Attention", "RotaryEmbedding", "LinearAttention"}
	inputs := [][]famIn{
		nil,
		{famNoShape("a", f32), famNoShape("b", f32), famNoShape("c", f32)},
		{famT("a", f32), famT("b", i64), famT("c", bl)},
		{famT("a", f32, 2), famI64("b", 5, -7), famMissing, famI64("c", 9), famMissing, famT("d", f32, 3)},
		{famT("a", f32, 1, 2, 3), famT("b", f32, 0), famScalar("c", -3), famC("d", f32, []float32{0}), famT("e", i64, 7, 7)},
		{famMissing, famT("b", f32, "N", 2, 3, 4, 5), famT("c", f32, "N", 2, 3), famScalar("d", 0)},
		{famT("a", f32, "N", 3, "H", "W"), famT("b", f32, 4, 3, 3, 3), famT("c", f32, 4), famT("d", f32, 4), famT("e", f32, 4),
			famT("f", f32, 1, 1, 1, 1), famT("g", f32, 2), famT("h", onnxgraph.Int8, 1), famT("i", f32, 4)},
		{famT("a", f32, 2, 3, 4, 5), famT("b", f32, 2, 3, 4, 5), famT("c", f32, 2, 3, 4, 5), famT("d", f32, 2, 3, 4, 5),
			famT("e", f32, 2, 3, 4, 5), famT("f", f32, 2, 3, 4, 5), famT("g", i64, 2)},
		{famC("a", i64, []int64{1 << 40, -(1 << 40)}, 2), famC("b", i64, []int64{0, 0}, 2), famC("c", i64, []int64{-1}, 1)},
	}
	attrSets := [][]*onnxproto.AttributeProto{
		nil,
		attrList(ai("axis", 100), ais("axes", 100, -100), ais("kernel_shape", 0, 9), ais("pads", -1), ais("strides", 0),
			ai("k", -1), ai("hidden_size", -1), ai("group", 0), onnxgraph.AttrString("equation", "...a..b,->"),
			ai("q_num_heads", 0), ai("kv_num_heads", -2), ai("block_size", -4), ai("to", 999), ai("dtype", 0),
			ais("shape", -1), ais("output_shape", 1), ai("keepdims", 0), ai("layout", 5), onnxgraph.AttrString("direction", "up")),
		attrList(ais("kernel_shape", 3, 3), ais("pads", 0, 0, 0, 0), ais("strides", 1, 1), ais("dilations", 1, 1),
			ai("q_num_heads", 3), ai("kv_num_heads", 3), ai("hidden_size", 4), ais("pooled_shape", 2, 2),
			ais("shape", 2, 3), onnxgraph.AttrString("equation", "ij,jk"), ai("block_size", 2), ai("axis", -1),
			onnxgraph.AttrString("auto_pad", "SAME_UPPER"), ai("ceil_mode", 1), ai("training_mode", 1)),
	}
	var cases, typed atomic.Int64
	t.Cleanup(func() { t.Logf("%d cases, %d with a typed output", cases.Load(), typed.Load()) })
	for _, op := range ops {
		vs := opschema.Versions("ai.onnx", op)
		if len(vs) == 0 {
			t.Errorf("no schema for %s", op)
		}
		t.Run(op, func(t *testing.T) {
			t.Parallel()
			for _, v := range vs {
				for k, in := range inputs {
					for j, at := range attrSets {
						c := famCase{op: op, opset: int64(v.SinceVersion), in: in, attrs: at, outs: min(max(v.MinOutputs, 1)+2, 5)}
						if v.MaxOutputs != opschema.Unbounded {
							c.outs = min(c.outs, v.MaxOutputs)
						}
						func() {
							defer func() {
								if r := recover(); r != nil {
									t.Errorf("%s-%d inputs %d attrs %d: panic: %v", op, v.SinceVersion, k, j, r)
								}
							}()
							m := opQuickModel(t, c)
							if res, err := shapeinfer.Infer(m, nil); err != nil {
								var e *shapeinfer.Error
								if !errors.As(err, &e) {
									t.Errorf("%s-%d inputs %d attrs %d: %v", op, v.SinceVersion, k, j, err)
								}
							} else {
								cases.Add(1)
								if res.Type(m.Graph().Nodes()[0].Output(0)) != nil {
									typed.Add(1)
								}
							}
						}()
					}
				}
			}
		})
	}
}

// opQuickModel builds the one-node model of a case like famModel, without
// the encoding round trip (the cases here have no graph attributes).
func opQuickModel(t *testing.T, c famCase) *onnxgraph.Model {
	m := onnxgraph.NewModel(10, map[string]int64{"": c.opset})
	g := m.Graph()
	ins := make([]*onnxgraph.Value, len(c.in))
	for i, in := range c.in {
		var err error
		switch {
		case in.missing:
		case in.init != nil:
			ins[i], err = g.AddInitializer(in.init)
		default:
			ins[i], err = g.AddInput(in.name, in.typ)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	names := make([]string, c.outs)
	for i := range names {
		names[i] = fmt.Sprintf("y%d", i)
	}
	if _, err := g.AddNode(c.op, ins, names, c.attrs...); err != nil {
		t.Fatal(err)
	}
	return m
}
