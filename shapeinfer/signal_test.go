package shapeinfer_test

import (
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
)

// Tests of the signal family: the DFT-20 cases are the spec's examples
// (axis as an input, RFFT, IRFFT).

func TestSignalFamily(t *testing.T) {
	ai := onnxgraph.AttrInt
	inv := shapeinfer.CodeInvalid
	cases := []famCase{
		{name: "DFT-20", opset: 20, op: "DFT", in: []famIn{famT("x", f32, 1, 10, 10, 1), famMissing, famScalar("axis", 1)}, want: []string{"float32[1,10,10,2]"}},
		{name: "DFT-20 axis 2", opset: 20, op: "DFT", in: []famIn{famT("x", f32, 1, 10, 10, 1), famMissing, famScalar("axis", 2)}, want: []string{"float32[1,10,10,2]"}},
		{name: "DFT-20 default axis", opset: 20, op: "DFT", in: []famIn{famT("x", f32, "B", 10, 16, 2)}, want: []string{"float32[B,10,16,2]"}},
		{name: "DFT-20 rfft", opset: 20, op: "DFT", in: []famIn{famT("x", f32, 1, 10, 10, 1), famMissing, famScalar("axis", 1)}, attrs: attrList(ai("onesided", 1)), want: []string{"float32[1,6,10,2]"}},
		{name: "DFT-20 irfft", opset: 20, op: "DFT", in: []famIn{famT("x", f32, 1, 6, 10, 2), famMissing, famScalar("axis", 1)}, attrs: attrList(ai("onesided", 1), ai("inverse", 1)), want: []string{"float32[1,10,10,1]"}},
		{name: "DFT-20 dft_length", opset: 20, op: "DFT", in: []famIn{famT("x", f32, 1, 10, 1), famScalar("n", 16)}, want: []string{"float32[1,16,2]"}},
		{name: "DFT-20 symbolic rfft", opset: 20, op: "DFT", in: []famIn{famT("x", f32, "B", "T", 1)}, attrs: attrList(ai("onesided", 1)), want: []string{"float32[B,floor(T/2)+1,2]"}},
		{name: "DFT-20 unknown axis", opset: 20, op: "DFT", in: []famIn{famT("x", f32, 1, 10, 10, 1), famMissing, famT("axis", i64)}, want: []string{"float32[?,?,?,2]"}},
		{name: "DFT-20 complex axis", opset: 20, op: "DFT", in: []famIn{famT("x", f32, 1, 10, 10, 1), famMissing, famScalar("axis", -1)}, want: []string{"float32[*]"}, code: inv},
		{name: "DFT-17 attribute axis", opset: 17, op: "DFT", in: []famIn{famT("x", f32, 1, 10, 10, 1)}, attrs: attrList(ai("axis", 2)), want: []string{"float32[1,10,10,2]"}},
		{name: "DFT-17 last dim", opset: 17, op: "DFT", in: []famIn{famT("x", f32, 1, 10, 3)}, want: []string{"float32[*]"}, code: inv},
		{name: "STFT-17", opset: 17, op: "STFT", in: []famIn{famT("s", f32, 1, 128, 1), famScalar("step", 8), famMissing, famScalar("len", 16)}, want: []string{"float32[1,15,9,2]"}},
		{name: "STFT-17 window", opset: 17, op: "STFT", in: []famIn{famT("s", f32, 1, 128, 1), famScalar("step", 8), famT("w", f32, 16)}, want: []string{"float32[1,15,9,2]"}},
		{name: "STFT-17 two-sided", opset: 17, op: "STFT", in: []famIn{famT("s", f32, 2, 128, 2), famScalar("step", 8), famT("w", f32, 16)}, attrs: attrList(ai("onesided", 0)), want: []string{"float32[2,15,16,2]"}},
		{name: "HannWindow-17", opset: 17, op: "HannWindow", in: []famIn{famScalar("n", 10)}, want: []string{"float32[10]"}},
		{name: "HammingWindow-17 dtype", opset: 17, op: "HammingWindow", in: []famIn{famScalar("n", 10)}, attrs: attrList(ai("output_datatype", int64(onnxgraph.Double))), want: []string{"float64[10]"}},
		{name: "BlackmanWindow-17 unknown", opset: 17, op: "BlackmanWindow", in: []famIn{famT("n", i64)}, want: []string{"float32[unk__1]"}},
		{name: "MelWeightMatrix-17", opset: 17, op: "MelWeightMatrix", in: []famIn{famScalar("bins", 8), famScalar("dft", 16), famScalar("rate", 8192), famC("lo", f32, []float32{0}), famC("hi", f32, []float32{4096})}, want: []string{"float32[9,8]"}},
	}
	famRun(t, cases)
}
