package shapeinfer_test

import (
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
)

// Tests of the recurrent family, layouts 0 and 1, with the spec examples'
// shapes.

func TestRNNFamily(t *testing.T) {
	ai, as := onnxgraph.AttrInt, onnxgraph.AttrString
	cases := []famCase{
		{name: "LSTM-22", opset: 22, op: "LSTM", in: []famIn{famT("x", f32, 1, 3, 2), famT("w", f32, 1, 12, 2), famT("r", f32, 1, 12, 3)}, attrs: attrList(ai("hidden_size", 3)), want: []string{"float32[1,1,3,3]", "float32[1,3,3]", "float32[1,3,3]"}},
		{name: "LSTM-14 layout 1", opset: 14, op: "LSTM", in: []famIn{famT("x", f32, "B", "S", 2), famT("w", f32, 1, 28, 2), famT("r", f32, 1, 28, 7)}, attrs: attrList(ai("hidden_size", 7), ai("layout", 1)), want: []string{"float32[B,S,1,7]", "float32[B,1,7]", "float32[B,1,7]"}},
		{name: "GRU-22 layout 1", opset: 22, op: "GRU", in: []famIn{famT("x", f32, 3, 1, 2), famT("w", f32, 1, 15, 2), famT("r", f32, 1, 15, 5)}, attrs: attrList(ai("hidden_size", 5), ai("layout", 1)), want: []string{"float32[3,1,1,5]", "float32[3,1,5]"}},
		{name: "GRU-1 hidden from R", opset: 1, op: "GRU", in: []famIn{famT("x", f32, 2, 3, 4), famT("w", f32, 1, 15, 4), famT("r", f32, 1, 15, 5)}, want: []string{"float32[2,1,3,5]", "float32[1,3,5]"}},
		{name: "RNN-14 bidirectional", opset: 14, op: "RNN", in: []famIn{famT("x", f32, "S", "B", 4), famT("w", f32, 2, 6, 4), famT("r", f32, 2, 6, 6)}, attrs: attrList(ai("hidden_size", 6), as("direction", "bidirectional")), want: []string{"float32[S,2,B,6]", "float32[2,B,6]"}},
		{name: "RNN-22 only Y_h", opset: 22, op: "RNN", in: []famIn{famT("x", f32, 5, 2, 4), famT("w", f32, 1, 3, 4), famT("r", f32, 1, 3, 3)}, outs: 2, want: []string{"float32[5,1,2,3]", "float32[1,2,3]"}},
		{name: "RNN-7 directions", opset: 7, op: "RNN", in: []famIn{famT("x", f32, 5, 2, 4), famT("w", f32, 2, 3, 4), famT("r", f32, 2, 3, 3)}, attrs: attrList(ai("hidden_size", 3)), outs: 2, code: shapeinfer.CodeInvalid},
		{name: "LSTM-22 hidden mismatch", opset: 22, op: "LSTM", in: []famIn{famT("x", f32, 1, 3, 2), famT("w", f32, 1, 12, 2), famT("r", f32, 1, 12, 3)}, attrs: attrList(ai("hidden_size", 4)), outs: 1, code: shapeinfer.CodeInvalid},
	}
	famRun(t, cases)
}
