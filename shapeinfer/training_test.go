package shapeinfer_test

import (
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
)

func TestTrainingFamily(t *testing.T) {
	const tr = "ai.onnx.preview.training"
	af := onnxgraph.AttrFloat
	famRun(t, []famCase{
		{name: "Adagrad", domain: tr, op: "Adagrad", in: []famIn{famT("r", f32), famT("t", i64), famT("x", f32, 3), famT("g", f32, 3), famT("h", f32, 3)},
			want: []string{"float32[3]", "float32[3]"}},
		{name: "Adagrad-two", domain: tr, op: "Adagrad", in: []famIn{famT("r", f32), famT("t", i64), famT("x1", f32, 1), famT("x2", f32, 2), famT("g1", f32, 1), famT("g2", f32, 2), famT("h1", f32, 1), famT("h2", f32, 2)},
			want: []string{"float32[1]", "float32[2]", "float32[1]", "float32[2]"}},
		{name: "Adam", domain: tr, op: "Adam", in: []famIn{famT("r", f32), famT("t", i64), famT("x", f32, 2), famT("g", f32, 2), famT("v", f32, 2), famT("h", f32, 2)},
			attrs: []*onnxproto.AttributeProto{af("alpha", 0.9)}, want: []string{"float32[2]", "float32[2]", "float32[2]"}},
		{name: "Momentum", domain: tr, op: "Momentum", in: []famIn{famT("r", f32), famT("t", i64), famT("x", f32, 4, 2), famT("g", f32, 4, 2), famT("v", f32, 4, 2)},
			attrs: []*onnxproto.AttributeProto{af("alpha", 0.9), af("beta", 0.1), af("norm_coefficient", 0), onnxgraph.AttrString("mode", "nesterov")}, want: []string{"float32[4,2]", "float32[4,2]"}},
		{name: "Momentum-groups", domain: tr, op: "Momentum", in: []famIn{famT("r", f32), famT("t", i64), famT("x", f32, 4, 2), famT("g", f32, 4, 2)},
			want: []string{"-"}, code: shapeinfer.CodeInvalid},
		{name: "Gradient", domain: tr, op: "Gradient", in: []famIn{famT("a", f32, "N", 3), famT("b", f32, 3)},
			attrs: []*onnxproto.AttributeProto{famStrings("xs", "a", "b"), onnxgraph.AttrString("y", "a")}, want: []string{"float32[N,3]", "float32[3]"}},
	})
}
