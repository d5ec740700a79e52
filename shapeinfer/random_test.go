package shapeinfer_test

import (
	"testing"

	"github.com/onnxgraph/onnxgraph"
)

// Tests of the random family.

func TestRandomFamily(t *testing.T) {
	ai, ais := onnxgraph.AttrInt, onnxgraph.AttrInts
	f64, f16 := onnxgraph.Double, onnxgraph.Float16
	cases := []famCase{
		{name: "RandomNormal-22", opset: 22, op: "RandomNormal", attrs: attrList(ais("shape", 2, 3)), want: []string{"float32[2,3]"}},
		{name: "RandomUniform-22 dtype", opset: 22, op: "RandomUniform", attrs: attrList(ais("shape", 4), ai("dtype", int64(f64))), want: []string{"float64[4]"}},
		{name: "RandomNormalLike-22", opset: 22, op: "RandomNormalLike", in: []famIn{famT("x", f16, "N", 3)}, want: []string{"float16[N,3]"}},
		{name: "RandomUniformLike-22 dtype", opset: 22, op: "RandomUniformLike", in: []famIn{famT("x", f16, 2)}, attrs: attrList(ai("dtype", int64(f32))), want: []string{"float32[2]"}},
		{name: "Bernoulli-22", opset: 22, op: "Bernoulli", in: []famIn{famT("x", f64, 10)}, want: []string{"float64[10]"}},
		{name: "Bernoulli-15 dtype", opset: 15, op: "Bernoulli", in: []famIn{famT("x", f32, 10)}, attrs: attrList(ai("dtype", int64(bl))), want: []string{"bool[10]"}},
		{name: "Multinomial-22", opset: 22, op: "Multinomial", in: []famIn{famT("x", f32, "B", 5)}, attrs: attrList(ai("sample_size", 7)), want: []string{"int32[B,7]"}},
		{name: "Multinomial-7 int64", opset: 7, op: "Multinomial", in: []famIn{famT("x", f32, 3, 5)}, attrs: attrList(ai("dtype", int64(i64))), want: []string{"int64[3,1]"}},
	}
	famRun(t, cases)
}
