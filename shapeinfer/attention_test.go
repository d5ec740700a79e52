package shapeinfer_test

import (
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
)

// Tests of the attention family; shapes from the operator spec's examples
// (4-D and 3-D inputs, GQA, KV cache, qk_matmul_output) and symbolic
// decoder shapes.

func TestAttentionFamily(t *testing.T) {
	ai := onnxgraph.AttrInt
	f16 := onnxgraph.Float16
	heads := func(q, kv int64) []*onnxproto.AttributeProto {
		return attrList(ai("q_num_heads", q), ai("kv_num_heads", kv))
	}
	inv := shapeinfer.CodeInvalid
	cases := []famCase{
		{name: "Attention-23", opset: 23, op: "Attention", in: []famIn{famT("q", f32, 2, 3, 4, 8), famT("k", f32, 2, 3, 6, 8), famT("v", f32, 2, 3, 6, 8)}, want: []string{"float32[2,3,4,8]"}},
		{name: "Attention-23 gqa", opset: 23, op: "Attention", in: []famIn{famT("q", f32, 2, 9, 4, 8), famT("k", f32, 2, 3, 6, 8), famT("v", f32, 2, 3, 6, 10)}, want: []string{"float32[2,9,4,10]"}},
		{name: "Attention-24 3d", opset: 24, op: "Attention", in: []famIn{famT("q", f32, 2, 4, 24), famT("k", f32, 2, 6, 24), famT("v", f32, 2, 6, 30)}, attrs: heads(3, 3), want: []string{"float32[2,4,30]"}},
		{name: "Attention-24 3d gqa past", opset: 24, op: "Attention", in: []famIn{famT("q", f32, 2, 4, 72), famT("k", f32, 2, 6, 24), famT("v", f32, 2, 6, 24), famT("m", f32, 4, 11), famT("pk", f32, 2, 3, 5, 8), famT("pv", f32, 2, 3, 5, 8)}, attrs: heads(9, 3), want: []string{"float32[2,4,72]", "float32[2,3,11,8]", "float32[2,3,11,8]"}},
		{name: "Attention-25 past qk", opset: 25, op: "Attention", in: []famIn{famT("q", f32, 2, 3, 4, 8), famT("k", f32, 2, 3, 6, 8), famT("v", f32, 2, 3, 6, 8), famT("m", f32, 4, 11), famT("pk", f32, 2, 3, 5, 8), famT("pv", f32, 2, 3, 5, 8)}, want: []string{"float32[2,3,4,8]", "float32[2,3,11,8]", "float32[2,3,11,8]", "float32[2,3,4,11]"}},
		{name: "Attention-25 decoder symbolic", opset: 25, op: "Attention", in: []famIn{famT("q", f16, "B", 32, "S", 128), famT("k", f16, "B", 8, "S", 128), famT("v", f16, "B", 8, "S", 128), famMissing, famT("pk", f16, "B", 8, "P", 128), famT("pv", f16, "B", 8, "P", 128)}, attrs: attrList(ai("is_causal", 1)), want: []string{"float16[B,32,S,128]", "float16[B,8,P+S,128]", "float16[B,8,P+S,128]", "float16[B,32,S,P+S]"}},
		{name: "Attention-24 nonpad", opset: 24, op: "Attention", in: []famIn{famT("q", f32, 2, 8, 1, 16), famT("k", f32, 2, 2, 12, 16), famT("v", f32, 2, 2, 12, 16), famMissing, famMissing, famMissing, famT("np", i64, 2)}, attrs: attrList(ai("is_causal", 1)), want: []string{"float32[2,8,1,16]"}},
		{name: "Attention-23 3d needs heads", opset: 23, op: "Attention", in: []famIn{famT("q", f32, 2, 4, 24), famT("k", f32, 2, 6, 24), famT("v", f32, 2, 6, 24)}, code: inv},
		{name: "Attention-23 heads", opset: 23, op: "Attention", in: []famIn{famT("q", f32, 2, 4, 4, 8), famT("k", f32, 2, 3, 6, 8), famT("v", f32, 2, 3, 6, 8)}, code: inv},
		{name: "RotaryEmbedding-23", opset: 23, op: "RotaryEmbedding", in: []famIn{famT("x", f32, 2, 3, 4, 16), famT("cos", f32, 2, 3, 8), famT("sin", f32, 2, 3, 8)}, want: []string{"float32[2,3,4,16]"}},
		{name: "RotaryEmbedding-23 3d", opset: 23, op: "RotaryEmbedding", in: []famIn{famT("x", f32, "B", "S", 64), famT("cos", f32, 50, 8), famT("sin", f32, 50, 8), famT("pos", i64, "B", "S")}, attrs: attrList(ai("num_heads", 4)), want: []string{"float32[B,S,64]"}},
		{name: "RotaryEmbedding-23 rank", opset: 23, op: "RotaryEmbedding", in: []famIn{famT("x", f32, 4, 16), famT("cos", f32, 4, 8), famT("sin", f32, 4, 8)}, code: inv},
		{name: "LinearAttention-27 decode", opset: 27, op: "LinearAttention", in: []famIn{famT("q", f32, 2, 1, 32), famT("k", f32, 2, 1, 32), famT("v", f32, 2, 1, 32), famT("past", f32, 2, 4, 8, 8), famT("decay", f32, 2, 1, 32), famT("beta", f32, 2, 1, 4)}, attrs: heads(4, 4), want: []string{"float32[2,1,32]", "float32[2,4,8,8]"}},
		{name: "LinearAttention-27 gqa prefill", opset: 27, op: "LinearAttention", in: []famIn{famT("q", f16, "B", "T", 64), famT("k", f16, "B", "T", 16), famT("v", f16, "B", "T", 32)}, attrs: attrList(ai("q_num_heads", 8), ai("kv_num_heads", 2), onnxgraph.AttrString("update_rule", "linear")), want: []string{"float16[B,T,128]", "float16[B,2,8,16]"}},
		{name: "LinearAttention-27 heads", opset: 27, op: "LinearAttention", in: []famIn{famT("q", f32, 2, 1, 32), famT("k", f32, 2, 1, 32), famT("v", f32, 2, 1, 32)}, attrs: heads(3, 2), outs: 2, code: inv},
		{name: "FlexAttention-1", opset: 23, domain: "ai.onnx.preview", op: "FlexAttention", in: []famIn{famT("q", f32, 2, 8, 16, 64), famT("k", f32, 2, 2, 20, 64), famT("v", f32, 2, 2, 20, 32)}, want: []string{"float32[2,8,16,32]"}},
	}
	famRun(t, cases)
}

// TestDecoderBlockSymbolic infers a decoder block with dynamic batch,
// sequence and past length built from this package's families (norms,
// MatMul, Attention with a KV cache, Gelu, residual Adds, a reshape whose
// target is computed from the input's shape): every value gets a full
// symbolic shape.
func TestDecoderBlockSymbolic(t *testing.T) {
	f := func(name string, dims ...int64) famIn {
		n := int64(1)
		for _, d := range dims {
			n *= d
		}
		return famC(name, f32, make([]float32, n), dims...)
	}
	ins := []famIn{
		famT("x", f32, "B", "S", 64),
		famT("past_k", f32, "B", 4, "P", 16),
		famT("past_v", f32, "B", 4, "P", 16),
		f("ln_s", 64), f("ln_b", 64),
		f("wq", 64, 64), f("wk", 64, 64), f("wv", 64, 64), f("wo", 64, 64),
		f("bq", 64), f("w1", 64, 256), f("w2", 256, 64),
		famI64("i0", 0), famI64("i1", 1), famI64("heads", 4), famI64("minus1", -1),
	}
	ai := onnxgraph.AttrInt
	nodes := []opChainNode{
		{op: "LayerNormalization", in: []string{"x", "ln_s", "ln_b"}, out: []string{"h", "mean", "istd"}},
		{op: "MatMul", in: []string{"h", "wq"}, out: []string{"q0"}},
		{op: "Add", in: []string{"q0", "bq"}, out: []string{"q"}},
		{op: "MatMul", in: []string{"h", "wk"}, out: []string{"k"}},
		{op: "MatMul", in: []string{"h", "wv"}, out: []string{"v"}},
		{op: "Attention", in: []string{"q", "k", "v", "", "past_k", "past_v"}, out: []string{"att", "present_k", "present_v", "qk"},
			attrs: attrList(ai("q_num_heads", 4), ai("kv_num_heads", 4), ai("is_causal", 1))},
		{op: "MatMul", in: []string{"att", "wo"}, out: []string{"o"}},
		{op: "Add", in: []string{"x", "o"}, out: []string{"r1"}},
		{op: "RMSNormalization", in: []string{"r1", "ln_s"}, out: []string{"h2"}},
		{op: "MatMul", in: []string{"h2", "w1"}, out: []string{"up"}},
		{op: "Gelu", in: []string{"up"}, out: []string{"act"}},
		{op: "MatMul", in: []string{"act", "w2"}, out: []string{"down"}},
		{op: "Add", in: []string{"r1", "down"}, out: []string{"y"}},
		// Split heads with a reshape target computed from the shape:
		// [B, S, heads, -1] then Softmax over a transposed-free layout.
		{op: "Shape", in: []string{"y"}, out: []string{"shape"}},
		{op: "Gather", in: []string{"shape", "i0"}, out: []string{"b"}},
		{op: "Gather", in: []string{"shape", "i1"}, out: []string{"s"}},
		{op: "Concat", in: []string{"b", "s", "heads", "minus1"}, out: []string{"target"}, attrs: attrList(ai("axis", 0))},
		{op: "Reshape", in: []string{"y", "target"}, out: []string{"split"}},
		{op: "Softmax", in: []string{"split"}, out: []string{"probs"}},
		{op: "ReduceMean", in: []string{"probs", "i1"}, out: []string{"pooled"}, attrs: attrList(ai("keepdims", 0))},
	}
	res, val := opChainRun(t, 25, ins, nodes, nil)
	for name, want := range map[string]string{
		"h":         "float32[B,S,64]",
		"mean":      "float32[B,S,1]",
		"q":         "float32[B,S,64]",
		"att":       "float32[B,S,64]",
		"present_k": "float32[B,4,P+S,16]",
		"present_v": "float32[B,4,P+S,16]",
		"qk":        "float32[B,4,S,P+S]",
		"r1":        "float32[B,S,64]",
		"act":       "float32[B,S,256]",
		"y":         "float32[B,S,64]",
		"split":     "float32[B,S,4,16]",
		"pooled":    "float32[B,4,16]",
	} {
		if got := res.Type(val(name)).String(); got != want {
			t.Errorf("%s: %s, want %s (%v)", name, got, want, res.Explain(val(name)))
		}
	}
	if len(res.Problems) > 0 {
		t.Errorf("problems: %v", res.Problems)
	}
}
