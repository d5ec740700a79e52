package shapeinfer_test

import (
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
	"google.golang.org/protobuf/proto"
)

// Tests of ONNX Runtime's operators (com.microsoft): the symbolic cases
// (KV cache growth, packed QKV, head counts, block-quantized weights);
// examples/onnxgraph proves the concrete shapes in ONNX Runtime.

func TestContribFamily(t *testing.T) {
	ai, ais := onnxgraph.AttrInt, onnxgraph.AttrInts
	f16, u8 := onnxgraph.Float16, onnxgraph.Uint8
	gqa := attrList(ai("num_heads", 8), ai("kv_num_heads", 2))
	inv := shapeinfer.CodeInvalid
	dd := shapeinfer.CodeDataDependent
	ms := "com.microsoft"
	cases := []famCase{
		// GroupQueryAttention: present = past + new sequence, or the total
		// sequence length computed from the data.
		{name: "GQA decode symbolic", domain: ms, op: "GroupQueryAttention", attrs: gqa,
			in:   []famIn{famT("q", f16, "B", "S", 512), famT("k", f16, "B", "S", 128), famT("v", f16, "B", "S", 128), famT("pk", f16, "B", 2, "P", 64), famT("pv", f16, "B", 2, "P", 64), famT("sk", i32, "B"), famT("t", i32)},
			want: []string{"float16[B,S,512]", "float16[B,2,P+S,64]", "float16[B,2,P+S,64]"}},
		{name: "GQA total known", domain: ms, op: "GroupQueryAttention", attrs: gqa,
			in:   []famIn{famT("q", f32, 1, 3, 512), famT("k", f32, 1, 3, 128), famT("v", f32, 1, 3, 128), famT("pk", f32, 1, 2, 5, 64), famT("pv", f32, 1, 2, 5, 64), famT("sk", i32, 1), famC("t", i32, []int32{8})},
			want: []string{"float32[1,3,512]", "float32[1,2,8,64]", "float32[1,2,8,64]"}},
		{name: "GQA shared buffer", domain: ms, op: "GroupQueryAttention", attrs: gqa,
			in:   []famIn{famT("q", f32, 1, 1, 512), famT("k", f32, 1, 1, 128), famT("v", f32, 1, 1, 128), famT("pk", f32, 1, 2, 256, 64), famT("pv", f32, 1, 2, 256, 64), famT("sk", i32, 1), famC("t", i32, []int32{9})},
			want: []string{"float32[1,1,512]", "float32[1,2,256,64]", "float32[1,2,256,64]"}},
		{name: "GQA packed prefill", domain: ms, op: "GroupQueryAttention", attrs: gqa,
			in:   []famIn{famT("qkv", f32, "B", "S", 768), famMissing, famMissing, famMissing, famMissing, famT("sk", i32, "B"), famT("t", i32)},
			want: []string{"float32[B,S,512]", "float32[B,2,S,64]", "float32[B,2,S,64]"}},
		{name: "GQA heads", domain: ms, op: "GroupQueryAttention", attrs: attrList(ai("num_heads", 6), ai("kv_num_heads", 4)),
			in: []famIn{famT("q", f32, 1, 1, 48), famT("k", f32, 1, 1, 32), famT("v", f32, 1, 1, 32), famMissing, famMissing, famT("sk", i32, 1), famT("t", i32)}, outs: 3, code: inv},
		{name: "SparseAttention", domain: ms, op: "SparseAttention", attrs: attrList(ai("num_heads", 8), ai("kv_num_heads", 2), ai("sparse_block_size", 16)),
			in:   []famIn{famT("q", f32, "B", "S", 512), famT("k", f32, "B", "S", 128), famT("v", f32, "B", "S", 128), famT("pk", f32, "B", 2, "M", 64), famT("pv", f32, "B", 2, "M", 64), famT("r", i32, 1, 9), famT("c", i32, 1, 20), famT("t", i32), famT("kt", i32, "B")},
			want: []string{"float32[B,S,512]", "float32[B,2,M,64]", "float32[B,2,M,64]"}},
		// MultiHeadAttention: 3-D, packed QKV, packed KV, cross attention.
		{name: "MHA past", domain: ms, op: "MultiHeadAttention", attrs: attrList(ai("num_heads", 4)),
			in:   []famIn{famT("q", f32, "B", "S", 64), famT("k", f32, "B", "S", 64), famT("v", f32, "B", "S", 32), famMissing, famMissing, famMissing, famT("pk", f32, "B", 4, "P", 16), famT("pv", f32, "B", 4, "P", 8)},
			want: []string{"float32[B,S,32]", "float32[B,4,P+S,16]", "float32[B,4,P+S,8]"}},
		{name: "MHA packed QKV", domain: ms, op: "MultiHeadAttention", attrs: attrList(ai("num_heads", 4)),
			in: []famIn{famT("qkv", f32, 2, 5, 4, 3, 16)}, want: []string{"float32[2,5,64]"}},
		{name: "MHA packed KV", domain: ms, op: "MultiHeadAttention", attrs: attrList(ai("num_heads", 4)),
			in: []famIn{famT("q", f32, 2, 5, 64), famT("kv", f32, 2, 7, 4, 2, 16)}, want: []string{"float32[2,5,64]"}},
		{name: "MHA cross cache", domain: ms, op: "MultiHeadAttention", attrs: attrList(ai("num_heads", 4)),
			in:   []famIn{famT("q", f32, 2, 5, 64), famT("k", f32, 2, 4, "L", 16), famT("v", f32, 2, 4, "L", 16)},
			outs: 3, want: []string{"float32[2,5,64]", "float32[2,4,L,16]", "float32[2,4,L,16]"}},
		// Attention with merged weights and a past of [2, B, N, P, H].
		{name: "Attention past", domain: ms, op: "Attention", attrs: attrList(ai("num_heads", 2)),
			in:   []famIn{famT("x", f32, "B", "S", 16), famT("w", f32, 16, 48), famT("b", f32, 48), famMissing, famT("past", f32, 2, "B", 2, "P", 8)},
			want: []string{"float32[B,S,16]", "float32[2,B,2,P+S,8]"}},
		{name: "Attention qkv sizes", domain: ms, op: "Attention", attrs: attrList(ai("num_heads", 2), ais("qkv_hidden_sizes", 8, 8, 12)),
			in: []famIn{famT("x", f32, 3, 4, 16), famT("w", f32, 16, 28)}, want: []string{"float32[3,4,12]"}},
		// Rotary embedding keeps the input; MatMulNBits and the
		// block-quantized Gather derive sizes from K, N, bits, block_size.
		{name: "RotaryEmbedding", domain: ms, op: "RotaryEmbedding", in: []famIn{famT("x", f16, "B", "S", 512), famT("pos", i64, "B", "S"), famT("cos", f16, 4096, 32), famT("sin", f16, 4096, 32)}, want: []string{"float16[B,S,512]"}},
		{name: "MatMulNBits", domain: ms, op: "MatMulNBits", attrs: attrList(ai("K", 96), ai("N", 40), ai("bits", 4), ai("block_size", 32)),
			in: []famIn{famT("a", f32, "B", "S", 96), famT("w", u8, 40, 3, 16), famT("s", f32, 120)}, want: []string{"float32[B,S,40]"}},
		{name: "MatMulNBits 8 bits", domain: ms, op: "MatMulNBits", attrs: attrList(ai("K", 100), ai("N", 8), ai("bits", 8), ai("block_size", 16)),
			in: []famIn{famT("a", f32, 5, 100), famT("w", u8, 8, 7, 16), famT("s", f32, 8, 7)}, want: []string{"float32[5,8]"}},
		{name: "MatMulNBits weight", domain: ms, op: "MatMulNBits", attrs: attrList(ai("K", 96), ai("N", 40), ai("bits", 4), ai("block_size", 32)),
			in: []famIn{famT("a", f32, 2, 96), famT("w", u8, 40, 3, 8), famT("s", f32, 40, 3)}, outs: 1, code: inv},
		{name: "MatMulNBits K", domain: ms, op: "MatMulNBits", attrs: attrList(ai("K", 96), ai("N", 40), ai("block_size", 32)),
			in: []famIn{famT("a", f32, 2, 64), famT("w", u8, 40, 3, 16), famT("s", f32, 40, 3)}, outs: 1, code: inv},
		// MatMulFpQ4: B_shape is data; the packed B's size follows it for
		// the block formats 0 (20 bytes per block of 32) and 1 (21).
		{name: "MatMulFpQ4", domain: ms, op: "MatMulFpQ4",
			in: []famIn{famT("a", f32, "B", "S", 40), famT("w", u8, 6*2*21), famI64("bs", 40, 6)}, want: []string{"float32[B,S,6]"}},
		{name: "MatMulFpQ4 symmetric", domain: ms, op: "MatMulFpQ4", attrs: attrList(ai("blk_quant_type", 0)),
			in: []famIn{famT("a", f32, 3, 40), famT("w", u8, 6*2*20), famI64("bs", 40, 6)}, want: []string{"float32[3,6]"}},
		{name: "MatMulFpQ4 blob size", domain: ms, op: "MatMulFpQ4",
			in: []famIn{famT("a", f32, 3, 40), famT("w", u8, 6*2*20), famI64("bs", 40, 6)}, outs: 1, code: inv},
		{name: "GatherBlockQuantized uint8", domain: ms, op: "GatherBlockQuantized", attrs: attrList(ai("bits", 4), ai("block_size", 16)),
			in: []famIn{famT("data", u8, 100, 32), famT("ids", i64, "B", "S"), famT("scales", f16, 100, 4)}, want: []string{"float16[B,S,64]"}},
		{name: "GatherBlockQuantized int4 axis", domain: ms, op: "GatherBlockQuantized", attrs: attrList(ai("gather_axis", 1), ai("quantize_axis", 0), ai("block_size", 16)),
			in: []famIn{famT("data", onnxgraph.DataType(onnxproto.TensorProto_INT4), 32, 10), famT("ids", i32, 3), famT("scales", f32, 2, 10)}, want: []string{"float32[32,3]"}},
		// Normalizations: ONNX Runtime's default-domain ones too.
		{name: "SkipSimplifiedLayerNormalization", domain: ms, op: "SkipSimplifiedLayerNormalization",
			in:   []famIn{famT("x", f16, "B", "S", 64), famT("skip", f16, "B", "S", 64), famT("g", f16, 64)},
			outs: 4, want: []string{"float16[B,S,64]", "float32[B,S,1]", "float32[B,S,1]", "float16[B,S,64]"}},
		{name: "SimplifiedLayerNormalization", opset: 14, op: "SimplifiedLayerNormalization", attrs: attrList(ai("axis", -1)),
			in: []famIn{famT("x", f32, "B", "S", 64), famT("g", f32, 64)}, outs: 2, want: []string{"float32[B,S,64]", "float32[B,S,1]"}},
		{name: "LayerNormalization-1", opset: 14, op: "LayerNormalization",
			in: []famIn{famT("x", f32, "B", "S", 64), famT("g", f32, 64)}, outs: 3, want: []string{"float32[B,S,64]", "float32[B,S,1]", "float32[B,S,1]"}},
		{name: "EmbedLayerNormalization", domain: ms, op: "EmbedLayerNormalization",
			in:   []famIn{famT("ids", i32, "B", "S"), famT("seg", i32, "B", "S"), famT("we", f32, 100, 32), famT("pe", f32, 64, 32), famT("se", f32, 2, 32), famT("g", f32, 32), famT("b", f32, 32)},
			outs: 2, want: []string{"float32[B,S,32]", "int32[B]"}},
		// Matrix products, convolution and quantized forms.
		{name: "FusedMatMul trans", domain: ms, op: "FusedMatMul", attrs: attrList(ai("transA", 1), ai("transB", 1)),
			in: []famIn{famT("a", f32, "B", 3, 5), famT("b", f32, "B", 7, 3)}, want: []string{"float32[B,5,7]"}},
		{name: "FusedMatMul transBatch", domain: ms, op: "FusedMatMul", attrs: attrList(ai("transBatchA", 1)),
			in: []famIn{famT("a", f32, 5, 2, 3), famT("b", f32, 2, 3, 4)}, want: []string{"float32[2,5,4]"}},
		{name: "NhwcConv", domain: ms, op: "NhwcConv", attrs: attrList(ais("pads", 1, 1, 1, 1)),
			in: []famIn{famT("x", f32, 1, 8, 8, 3), famT("w", f32, 16, 3, 3, 3)}, want: []string{"float32[1,8,8,16]"}},
		{name: "QLinearConcat", domain: ms, op: "QLinearConcat", attrs: attrList(ai("axis", 1)),
			in:   []famIn{famT("ys", f32), famT("yz", u8), famT("a", u8, 2, 3), famT("as", f32), famT("az", u8), famT("b", u8, 2, "N"), famT("bs", f32), famT("bz", u8)},
			want: []string{"uint8[2,N+3]"}},
		{name: "QLinearGlobalAveragePool nhwc", domain: ms, op: "QLinearGlobalAveragePool", attrs: attrList(ai("channels_last", 1)),
			in: []famIn{famT("x", u8, 2, 7, 7, 8), famT("xs", f32), famT("xz", u8), famT("ys", f32), famT("yz", u8)}, want: []string{"uint8[2,1,1,8]"}},
		// Data-dependent sizes get fresh symbols with a reason.
		{name: "Unique", domain: ms, op: "Unique", in: []famIn{famT("x", f32, 6)}, want: []string{"float32[unk__1]", "int64[6]", "int64[unk__1]"}, code: dd},
		{name: "GemmaRotaryEmbedding", domain: ms, op: "GemmaRotaryEmbedding",
			in:   []famIn{famT("emb", f32, "B", "S", 8), famT("q", f16, "B", 4, "S", 8), famT("qr", f16, "B", 4, "S", 8), famT("k", f16, "B", 2, "S", 8), famT("kr", f16, "B", 2, "S", 8)},
			outs: 2, want: []string{"float16[B,4,S,8]", "float16[B,2,S,8]"}},
		{name: "SparseToDenseMatMul", domain: ms, op: "SparseToDenseMatMul", attrs: attrList(ai("transA", 1)),
			in: []famIn{famTyped("a", sparseType(f32, 4, 3)), famT("b", f32, 4, "N")}, want: []string{"float32[3,N]"}},
		// Generation: an encoder-decoder model's decoder starts from its
		// start token, or from decoder_input_ids, not from the prompt.
		{name: "BeamSearch decoder-only", domain: ms, op: "BeamSearch", attrs: attrList(ai("vocab_size", 7)),
			in:   []famIn{famT("ids", i32, "B", "S"), famC("max", i32, []int32{9}, 1), famMissing, famC("beams", i32, []int32{3}, 1), famC("ret", i32, []int32{2}, 1)},
			outs: 3, want: []string{"int32[B,2,9]", "float32[B,2]", "float32[-S+9,B,3,7]"}},
		{name: "BeamSearch encoder-decoder", domain: ms, op: "BeamSearch", attrs: attrList(ai("vocab_size", 7), ai("model_type", 1)),
			in:   []famIn{famT("ids", i32, "B", "S"), famC("max", i32, []int32{9}, 1), famMissing, famC("beams", i32, []int32{3}, 1), famC("ret", i32, []int32{2}, 1)},
			outs: 3, want: []string{"int32[B,2,9]", "float32[B,2]", "float32[8,B,3,7]"}},
		{name: "WhisperBeamSearch decoder ids", domain: ms, op: "WhisperBeamSearch", attrs: attrList(ai("vocab_size", 7)),
			in: []famIn{famT("features", f32, "B", 80, "T"), famC("max", i32, []int32{9}, 1), famMissing, famC("beams", i32, []int32{2}, 1), famC("ret", i32, []int32{1}, 1),
				famMissing, famMissing, famMissing, famMissing, famMissing, famT("dec", i32, "B", "L")},
			outs: 3, want: []string{"int32[B,1,9]", "float32[B,1]", "float32[-L+9,B,2,7]"}},
		{name: "WordConvEmbedding", domain: ms, op: "WordConvEmbedding", in: []famIn{famT("seq", i32, "S", 6), famT("w", f32, 7, 1, 2, 5), famT("b", f32, 7), famT("c", f32, 20, 5)}, want: []string{"float32[S,7]"}},
		{name: "WordConvEmbedding rank 3", domain: ms, op: "WordConvEmbedding", attrs: attrList(ai("embedding_size", 7)),
			in: []famIn{famT("seq", i32, "B", "S", 6), famT("w", f32, 7, 1, 2, 5), famT("b", f32, 7), famT("c", f32, 20, 5)}, want: []string{"float32[B,7]"}},
		{name: "WordConvEmbedding rank 1", domain: ms, op: "WordConvEmbedding", in: []famIn{famT("seq", i32, 6), famT("w", f32, 7, 1, 2, 5), famT("b", f32, 7), famT("c", f32, 20, 5)}, outs: 1, code: inv},
		{name: "Tokenizer", domain: ms, op: "Tokenizer", in: []famIn{famT("x", onnxgraph.String, "N", 4)}, want: []string{"string[N,4,unk__1]"}, code: dd},
		{name: "Tokenizer no strings", domain: ms, op: "Tokenizer", in: []famIn{famT("x", onnxgraph.String, "N", 0)}, want: []string{"string[N,0]"}},
		{name: "ExpandDims", domain: ms, op: "ExpandDims", in: []famIn{famT("x", f32, 2, 3), famC("a", i32, []int32{-1})}, want: []string{"float32[2,3,1]"}},
	}
	famRun(t, cases)
}

// TestIncompleteAndNoInference checks what Result lists for strict use:
// values left incomplete, and nodes without an inference function.
func TestIncompleteAndNoInference(t *testing.T) {
	m := onnxgraph.NewModel(8, map[string]int64{"": 17, "com.microsoft": 1, "com.example": 1})
	g := m.Graph()
	x, _ := g.AddInput("x", onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(2, 3)))
	gelu, _ := g.AddNodeIn("com.microsoft", "FastGelu", []*onnxgraph.Value{x}, []string{"g"})
	custom, _ := g.AddNodeIn("com.example", "Frobnicate", []*onnxgraph.Value{gelu.Output(0)}, []string{"f"})
	relu, _ := g.AddNode("Relu", []*onnxgraph.Value{custom.Output(0)}, []string{"r"})
	res, err := shapeinfer.Infer(m, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Type(gelu.Output(0)).String(); got != "float32[2,3]" {
		t.Errorf("FastGelu output %s", got)
	}
	nodes := res.NoInference()
	if len(nodes) != 1 || nodes[0] != custom {
		t.Errorf("NoInference() = %v, want the custom node", nodes)
	}
	inc := res.Incomplete()
	if len(inc) != 2 || inc[0] != custom.Output(0) || inc[1] != relu.Output(0) {
		t.Errorf("Incomplete() = %v, want f and r", inc)
	}
	if why := res.Explain(inc[0]); why == nil || why.Code != shapeinfer.CodeUnknownOp {
		t.Errorf("Explain(f) = %v", why)
	}
}

// sparseType is the type sparse_tensor(dt) of the given dims.
func sparseType(dt onnxgraph.DataType, dims ...int64) *onnxproto.TypeProto {
	return &onnxproto.TypeProto{Value: &onnxproto.TypeProto_SparseTensorType{SparseTensorType: &onnxproto.TypeProto_SparseTensor{
		ElemType: proto.Int32(int32(dt)), Shape: onnxgraph.TensorType(dt, onnxgraph.Dims(dims...)).GetTensorType().GetShape()}}}
}
