package main

import (
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph/examples/internal/ort/orttest"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/examples/internal/ort"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"google.golang.org/protobuf/proto"
)

// The cases of TestContribORT: every com.microsoft operator ONNX Runtime
// runs on CPU, with several attribute combinations for the ones LLM and
// transformer exports use.

const (
	tF32 = onnxgraph.Float
	tI32 = onnxgraph.Int32
	tI64 = onnxgraph.Int64
	tU8  = onnxgraph.Uint8
	tI8  = onnxgraph.Int8
)

var (
	ai  = onnxgraph.AttrInt
	af  = onnxgraph.AttrFloat
	as  = onnxgraph.AttrString
	ais = onnxgraph.AttrInts
)

// astrs is a STRINGS attribute.
func astrs(name string, v ...string) *onnxproto.AttributeProto {
	a := &onnxproto.AttributeProto{Name: proto.String(name), Type: onnxproto.AttributeProto_STRINGS.Enum()}
	for _, x := range v {
		a.Strings = append(a.Strings, []byte(x))
	}
	return a
}

func attrs(a ...*onnxproto.AttributeProto) []*onnxproto.AttributeProto { return a }

// Value makers for inputs whose values matter.
func i32s(f func(sz map[string]int64) int64) func(map[string]int64, int) any {
	return func(sz map[string]int64, n int) any { return fill(n, int32(f(sz))) }
}

func i64s(v int64) func(map[string]int64, int) any {
	return func(_ map[string]int64, n int) any { return fill(n, v) }
}

func cf32(n int, v float32) func(map[string]int64) any {
	return func(map[string]int64) any { return fill(n, v) }
}

func cu8(n int, v uint8) func(map[string]int64) any {
	return func(map[string]int64) any { return fill(n, v) }
}

func ci8(n int, v int8) func(map[string]int64) any {
	return func(map[string]int64) any { return fill(n, v) }
}

func ci64(v ...int64) func(map[string]int64) any { return func(map[string]int64) any { return v } }
func ci32(v ...int32) func(map[string]int64) any { return func(map[string]int64) any { return v } }

// rangeF32 is n floats cycling through small values (for caches).
func rangeF32(n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(i%7) / 7
	}
	return v
}

// ps is P+S, the total sequence length.
func ps(sz map[string]int64) int64 { return sz["P"] + sz["S"] }

// gqaCase is a GroupQueryAttention of 4 query and 2 key/value heads of
// size 16 (ONNX Runtime's CPU kernel wants a multiple of 16 for rotary)
// with a past cache; seqlens_k and total_sequence_length follow P and S.
func gqaCase(name string, packed, rotary, past bool, extra ...*onnxproto.AttributeProto) ctCase {
	in := []ctIn{ctT("q", tF32, "B", "S", 64), ctT("k", tF32, "B", "S", 32), ctT("v", tF32, "B", "S", 32)}
	if packed {
		in = []ctIn{ctT("qkv", tF32, "B", "S", 128), ctMissing, ctMissing}
	}
	total, seqlens := ps, func(sz map[string]int64) int64 { return ps(sz) - 1 }
	if past {
		in = append(in, ctT("pk", tF32, "B", 2, "P", 16), ctT("pv", tF32, "B", 2, "P", 16))
	} else {
		in = append(in, ctMissing, ctMissing)
		total = func(sz map[string]int64) int64 { return sz["S"] }
		seqlens = func(sz map[string]int64) int64 { return sz["S"] - 1 }
	}
	in = append(in, ctG("seqlens_k", tI32, i32s(seqlens), "B"), ctG("total", tI32, i32s(total)))
	a := attrs(ai("num_heads", 4), ai("kv_num_heads", 2))
	if rotary {
		in = append(in, ctC("cos", tF32, func(map[string]int64) any { return rangeF32(32 * 8) }, 32, 8),
			ctC("sin", tF32, func(map[string]int64) any { return rangeF32(32 * 8) }, 32, 8))
		a = append(a, ai("do_rotary", 1))
	}
	// GroupQueryAttention accepts several new tokens with a past only for
	// one batch entry.
	sizes := []map[string]int64{{"B": 1, "S": 3, "P": 2}, {"B": 2, "S": 1, "P": 4}, {"B": 1, "S": 1, "P": 6}}
	if !past {
		sizes = []map[string]int64{{"B": 1, "S": 3, "P": 0}, {"B": 2, "S": 5, "P": 0}}
	}
	return ctCase{name: name, op: "GroupQueryAttention", attrs: append(a, extra...), in: in, outs: 3, sizes: sizes}
}

// sparseAttentionCase is a SparseAttention of 4 query and 2 key/value
// heads of size 16, blocks of 16 tokens and one layout over a cache of 32
// that past and present share; a prompt (P = 0) and decoding steps.
func sparseAttentionCase(name string, packed, rotary bool, extra ...*onnxproto.AttributeProto) ctCase {
	in := []ctIn{ctT("q", tF32, "B", "S", 64), ctT("k", tF32, "B", "S", 32), ctT("v", tF32, "B", "S", 32)}
	if packed {
		in = []ctIn{ctT("qkv", tF32, "B", "S", 128), ctMissing, ctMissing}
	}
	in = append(in, ctT("pk", tF32, "B", 2, 32, 16), ctT("pv", tF32, "B", 2, 32, 16),
		ctC("rows", tI32, ci32(0, 1, 3), 1, 3), ctC("cols", tI32, ci32(0, 0, 1), 1, 3),
		ctG("total", tI32, i32s(ps)), ctG("lens", tI32, i32s(ps), "B"))
	a := attrs(ai("num_heads", 4), ai("kv_num_heads", 2), ai("sparse_block_size", 16))
	if rotary {
		in = append(in, ctC("cos", tF32, func(map[string]int64) any { return rangeF32(32 * 8) }, 32, 8),
			ctC("sin", tF32, func(map[string]int64) any { return rangeF32(32 * 8) }, 32, 8))
		a = append(a, ai("do_rotary", 1))
	}
	return ctCase{name: name, op: "SparseAttention", attrs: append(a, extra...), in: in, outs: 3,
		shared: map[string]string{"y1": "pk", "y2": "pv"},
		sizes:  []map[string]int64{{"B": 1, "S": 3, "P": 0}, {"B": 2, "S": 5, "P": 0}, {"B": 2, "S": 1, "P": 6}}}
}

// tokenizerText is a string Constant of dims (at each size) whose string
// i holds i%4 words of i%5+1 letters.
func tokenizerText(dims ...any) func(sz map[string]int64) *onnxproto.AttributeProto {
	return func(sz map[string]int64) *onnxproto.AttributeProto {
		shape := ctDims(dims, sz)
		text := make([]string, onnxgraph.NumElements(shape))
		for i := range text {
			words := make([]string, i%4)
			for j := range words {
				words[j] = strings.Repeat(string(rune('a'+j)), i%5+1)
			}
			text[i] = strings.Join(words, " ")
		}
		tn, err := onnxgraph.NewTensorOf("text", onnxgraph.String, shape, text)
		if err != nil {
			panic(err)
		}
		return onnxgraph.AttrTensor("value", tn)
	}
}

// sparseMatrix is a float matrix of dims (at each size) holding 1 on its
// diagonal, in COO form.
func sparseMatrix(dims ...any) func(sz map[string]int64) *ort.SparseTensor {
	return func(sz map[string]int64) *ort.SparseTensor {
		shape := ctDims(dims, sz)
		n := min(shape[0], shape[1])
		idx := make([]int64, 0, 2*n)
		for i := range n {
			idx = append(idx, i, i)
		}
		vals, err := onnxgraph.NewTensorOf("a", tF32, []int64{n}, fill(int(n), float32(1)))
		if err != nil {
			panic(err)
		}
		raw, err := vals.Bytes()
		if err != nil {
			panic(err)
		}
		return &ort.SparseTensor{DType: tF32, Shape: shape, Values: raw, Indices: idx}
	}
}

// qembedInputs are QEmbedLayerNormalization's inputs: ids [B, S],
// uint8 embeddings of width 8 (vocabulary 20, 16 positions), with or
// without the segment embedding and the mask.
func qembedInputs(segment bool) []ctIn {
	ones := func(name string) ctIn {
		return ctG(name, tI32, i32s(func(map[string]int64) int64 { return 1 }), "B", "S")
	}
	q := func(name string, v uint8, dims ...any) ctIn {
		n := 1
		for _, d := range dims {
			n *= d.(int)
		}
		return ctC(name, tU8, cu8(n, v), dims...)
	}
	sc := func(name string) ctIn { return ctC(name, tF32, cf32(1, 0.05)) }
	in := []ctIn{ctG("ids", tI32, i32s(func(map[string]int64) int64 { return 3 }), "B", "S"), ones("seg"), q("we", 3, 20, 8), q("pe", 3, 16, 8), q("se", 3, 2, 8), q("g", 3, 8), q("b", 3, 8), ones("mask"),
		sc("wes"), sc("pes"), sc("ses"), sc("gs"), sc("bs"), q("wz", 1), q("pz", 1), q("sz", 1), q("gz", 1), q("bz", 1)}
	if !segment {
		for _, i := range []int{1, 4, 7, 10, 15} {
			in[i] = ctMissing
		}
	}
	return in
}

func contribCases() []ctCase {
	x := func(dims ...any) ctIn { return ctT("x", tF32, dims...) }
	qx := func(name string, dims ...any) ctIn { return ctT(name, tU8, dims...) }
	sc := func(name string) ctIn { return ctC(name, tF32, cf32(1, 0.05)) }
	zp := func(name string) ctIn { return ctC(name, tU8, cu8(1, 128)) }
	lnw := func(name string, n int) ctIn { return ctC(name, tF32, cf32(n, 1), n) }
	return []ctCase{
		// Element-wise and activations.
		{op: "Gelu", in: []ctIn{x("B", "S", 8)}, outs: 1},
		{op: "FastGelu", in: []ctIn{x("B", "S", 8)}, outs: 1},
		{name: "FastGelu bias", op: "FastGelu", in: []ctIn{x("B", "S", 8), lnw("bias", 8)}, outs: 1},
		{op: "BiasGelu", in: []ctIn{x("B", "S", 8), lnw("bias", 8)}, outs: 1},
		{op: "QuickGelu", attrs: attrs(af("alpha", 1.702)), in: []ctIn{x("B", "S", 8)}, outs: 1},
		{op: "Trilu", in: []ctIn{x("B", "N", "W")}, outs: 1},
		{name: "Trilu lower k", op: "Trilu", attrs: attrs(ai("upper", 0)), in: []ctIn{x("N", "W"), ctC("k", tI64, ci64(1))}, outs: 1},
		{op: "Inverse", in: []ctIn{ctG("x", tF32, func(_ map[string]int64, n int) any {
			v := make([]float32, n)
			for i := range v {
				if i%10 == 0 { // identity 3x3 blocks: invertible
					v[i] = 1
				}
			}
			return v
		}, "B", 3, 3)}, outs: 1},
		{op: "SampleOp", in: []ctIn{x("B", "S")}, outs: 1},
		{op: "MurmurHash3", in: []ctIn{ctT("x", tI32, "B", "S")}, outs: 1},
		{name: "MurmurHash3 signed", op: "MurmurHash3", attrs: attrs(ai("positive", 0), ai("seed", 7)), in: []ctIn{ctT("x", tI64, "N")}, outs: 1},
		// Normalizations.
		{op: "SkipLayerNormalization", attrs: attrs(af("epsilon", 1e-5)), in: []ctIn{x("B", "S", 8), ctT("skip", tF32, "B", "S", 8), lnw("gamma", 8), lnw("beta", 8), lnw("bias", 8)}, outs: 4},
		{name: "SkipLayerNormalization 2-D skip", op: "SkipLayerNormalization", in: []ctIn{x("B", "S", 8), ctT("skip", tF32, "S", 8), lnw("gamma", 8)}, outs: 1},
		{op: "SkipSimplifiedLayerNormalization", attrs: attrs(af("epsilon", 1e-6)), in: []ctIn{x("B", "S", 8), ctT("skip", tF32, "B", "S", 8), lnw("gamma", 8)}, outs: 4},
		{name: "SkipSimplifiedLayerNormalization tokens", op: "SkipSimplifiedLayerNormalization", in: []ctIn{x("T", 8), ctT("skip", tF32, "T", 8), lnw("gamma", 8), lnw("bias", 8)}, outs: 1},
		{op: "SimplifiedLayerNormalization", domain: "ai.onnx", attrs: attrs(ai("axis", -1), af("epsilon", 1e-6), ai("stash_type", 1)), in: []ctIn{x("B", "S", 8), lnw("scale", 8)}, outs: 2},
		{name: "SimplifiedLayerNormalization axis", op: "SimplifiedLayerNormalization", domain: "ai.onnx", attrs: attrs(ai("axis", 1)), in: []ctIn{x("B", 2, 4), ctC("scale", tF32, cf32(8, 1), 2, 4)}, outs: 2},
		{name: "LayerNormalization-1", op: "LayerNormalization", domain: "ai.onnx", opset: 14, in: []ctIn{x("B", "S", 8), lnw("scale", 8), lnw("bias", 8)}, outs: 3},
		{op: "EmbedLayerNormalization", attrs: attrs(af("epsilon", 1e-5)), in: []ctIn{
			ctG("ids", tI32, i32s(func(map[string]int64) int64 { return 3 }), "B", "S"), ctG("seg", tI32, i32s(func(map[string]int64) int64 { return 1 }), "B", "S"),
			ctC("we", tF32, cf32(20*8, 0.1), 20, 8), ctC("pe", tF32, cf32(16*8, 0.1), 16, 8), ctC("se", tF32, cf32(2*8, 0.1), 2, 8),
			lnw("gamma", 8), lnw("beta", 8), ctG("mask", tI32, i32s(func(map[string]int64) int64 { return 1 }), "B", "S")}, outs: 3},
		// Attention.
		{op: "Attention", attrs: attrs(ai("num_heads", 2)), in: []ctIn{x("B", "S", 16), ctC("w", tF32, cf32(16*48, 0.01), 16, 48), lnw("b", 48)}, outs: 1},
		{name: "Attention past", op: "Attention", attrs: attrs(ai("num_heads", 2), ai("unidirectional", 1)), in: []ctIn{x("B", "S", 16), ctC("w", tF32, cf32(16*48, 0.01), 16, 48), lnw("b", 48), ctMissing, ctT("past", tF32, 2, "B", 2, "P", 8)}, outs: 2},
		{name: "Attention qkv sizes", op: "Attention", attrs: attrs(ai("num_heads", 2), ais("qkv_hidden_sizes", 8, 8, 12)), in: []ctIn{x("B", "S", 16), ctC("w", tF32, cf32(16*28, 0.01), 16, 28), lnw("b", 28)}, outs: 1},
		{name: "Attention mask", op: "Attention", attrs: attrs(ai("num_heads", 4)), in: []ctIn{x("B", "S", 16), ctC("w", tF32, cf32(16*48, 0.01), 16, 48), lnw("b", 48), ctG("mask", tI32, i32s(func(map[string]int64) int64 { return 1 }), "B", "S")}, outs: 1},
		{op: "MultiHeadAttention", attrs: attrs(ai("num_heads", 2)), in: []ctIn{x("B", "S", 16), ctT("k", tF32, "B", "L", 16), ctT("v", tF32, "B", "L", 16)}, outs: 1},
		{name: "MultiHeadAttention v size", op: "MultiHeadAttention", attrs: attrs(ai("num_heads", 2)), in: []ctIn{x("B", "S", 16), ctT("k", tF32, "B", "L", 16), ctT("v", tF32, "B", "L", 12)}, outs: 1},
		{name: "MultiHeadAttention past", op: "MultiHeadAttention", attrs: attrs(ai("num_heads", 2), ai("unidirectional", 1)),
			in:   []ctIn{x("B", "S", 16), ctT("k", tF32, "B", "S", 16), ctT("v", tF32, "B", "S", 16), ctMissing, ctMissing, ctMissing, ctT("pk", tF32, "B", 2, "P", 8), ctT("pv", tF32, "B", 2, "P", 8)},
			outs: 3},
		{name: "MultiHeadAttention cross cache", op: "MultiHeadAttention", attrs: attrs(ai("num_heads", 2)), in: []ctIn{x("B", "S", 16), ctT("k", tF32, "B", 2, "L", 8), ctT("v", tF32, "B", 2, "L", 8)}, outs: 1},
		{name: "MultiHeadAttention packed KV", refused: "not implemented for CPU", op: "MultiHeadAttention", attrs: attrs(ai("num_heads", 2)), in: []ctIn{x("B", "S", 16), ctT("kv", tF32, "B", "L", 2, 2, 8)}, outs: 1},
		{name: "MultiHeadAttention packed QKV", refused: "not implemented for CPU", op: "MultiHeadAttention", attrs: attrs(ai("num_heads", 2)), in: []ctIn{ctT("qkv", tF32, "B", "S", 2, 3, 8)}, outs: 1},
		gqaCase("GroupQueryAttention", false, false, true),
		gqaCase("GroupQueryAttention packed", true, false, true),
		gqaCase("GroupQueryAttention rotary", false, true, true, ai("rotary_interleaved", 1)),
		gqaCase("GroupQueryAttention prompt", false, false, false),
		gqaCase("GroupQueryAttention packed prompt window", true, true, false, ai("local_window_size", 2)),
		{name: "DecoderMaskedMultiHeadAttention", op: "DecoderMaskedMultiHeadAttention", attrs: attrs(ai("num_heads", 2), ai("past_present_share_buffer", 1)),
			in: []ctIn{ctT("q", tF32, "B", 1, 16), ctT("k", tF32, "B", 1, 16), ctT("v", tF32, "B", 1, 16), ctMissing, ctMissing, ctT("pk", tF32, "B", 2, 8, 8), ctT("pv", tF32, "B", 2, 8, 8),
				ctG("past_len", tI32, i32s(func(sz map[string]int64) int64 { return sz["P"] }))},
			outs: 3},
		{op: "RotaryEmbedding", attrs: attrs(ai("num_heads", 2)), in: []ctIn{x("B", "S", 16), ctG("pos", tI64, i64s(1), "B", "S"), ctC("cos", tF32, cf32(32*4, 0.5), 32, 4), ctC("sin", tF32, cf32(32*4, 0.5), 32, 4)}, outs: 1},
		{name: "RotaryEmbedding 4-D interleaved", op: "RotaryEmbedding", attrs: attrs(ai("interleaved", 1)), in: []ctIn{x("B", 2, "S", 8), ctG("pos", tI64, i64s(0), "B", "S"), ctC("cos", tF32, cf32(32*4, 0.5), 32, 4), ctC("sin", tF32, cf32(32*4, 0.5), 32, 4)}, outs: 1},
		{name: "RotaryEmbedding partial", op: "RotaryEmbedding", attrs: attrs(ai("num_heads", 2), ai("rotary_embedding_dim", 4)), in: []ctIn{x("B", "S", 16), ctG("pos", tI64, i64s(2), "B", "S"), ctC("cos", tF32, cf32(32*2, 0.5), 32, 2), ctC("sin", tF32, cf32(32*2, 0.5), 32, 2)}, outs: 1},
		// Weight-quantized and integer matrix products.
		// The default blk_quant_type 1 (BlkQ4Zp8): per column, one block
		// of 32 along K of 21 bytes (a float scale, a zero point, 16
		// bytes of 4-bit values); ONNX Runtime refuses another size.
		{op: "MatMulFpQ4", in: []ctIn{x("B", "S", 32), ctC("w", tU8, cu8(4*21, 0x11), 4*21), ctC("bs", tI64, ci64(32, 4), 2)}, outs: 1, unsupported: noQ4Gemm},
		{name: "MatMulFpQ4 symmetric two blocks", op: "MatMulFpQ4", attrs: attrs(ai("blk_quant_type", 0)), in: []ctIn{x("S", 40), ctC("w", tU8, cu8(6*2*20, 0x11), 6*2*20), ctC("bs", tI64, ci64(40, 6), 2)}, outs: 1, unsupported: noQ4Gemm},
		{op: "MatMulNBits", attrs: attrs(ai("K", 32), ai("N", 8), ai("bits", 4), ai("block_size", 32)), in: []ctIn{x("B", "S", 32), ctC("w", tU8, cu8(8*16, 0x37), 8, 1, 16), ctC("s", tF32, cf32(8, 0.1), 8)}, outs: 1},
		{name: "MatMulNBits zero points", op: "MatMulNBits", attrs: attrs(ai("K", 40), ai("N", 6), ai("bits", 4), ai("block_size", 16)), in: []ctIn{x("S", 40), ctC("w", tU8, cu8(6*3*8, 0x12), 6, 3, 8), ctC("s", tF32, cf32(18, 0.1), 6, 3), ctC("z", tU8, cu8(6*2, 0x88), 6, 2)}, outs: 1},
		{name: "MatMulNBits 8 bits bias", op: "MatMulNBits", attrs: attrs(ai("K", 32), ai("N", 8), ai("bits", 8), ai("block_size", 16), ai("accuracy_level", 4)), in: []ctIn{x("B", "S", 32), ctC("w", tU8, cu8(8*2*16, 0x80), 8, 2, 16), ctC("s", tF32, cf32(16, 0.1), 8, 2), ctMissing, ctMissing, lnw("bias", 8)}, outs: 1},
		{op: "MatMulBnb4", attrs: attrs(ai("K", 32), ai("N", 8), ai("block_size", 32), ai("quant_type", 1)), in: []ctIn{x("B", "S", 32), ctC("w", tU8, cu8(128, 0x21), 128), ctC("absmax", tF32, cf32(8, 1), 8)}, outs: 1},
		{op: "GatherBlockQuantized", attrs: attrs(ai("bits", 4), ai("block_size", 16)), in: []ctIn{ctC("data", tU8, cu8(10*16, 0x43), 10, 16), ctG("ids", tI64, i64s(3), "B", "S"), ctC("scales", tF32, cf32(20, 0.1), 10, 2)}, outs: 1},
		{name: "GatherBlockQuantized 8 bits zero points", op: "GatherBlockQuantized", attrs: attrs(ai("bits", 8), ai("block_size", 16)), in: []ctIn{ctC("data", tU8, cu8(10*32, 0x43), 10, 32), ctG("ids", tI32, i32s(func(map[string]int64) int64 { return 9 }), "N"), ctC("scales", tF32, cf32(20, 0.1), 10, 2), ctC("zp", tU8, cu8(20, 128), 10, 2)}, outs: 1},
		{op: "FusedMatMul", attrs: attrs(af("alpha", 0.5)), in: []ctIn{x("B", "S", 8), ctC("w", tF32, cf32(40, 0.1), 8, 5)}, outs: 1},
		{name: "FusedMatMul trans", op: "FusedMatMul", attrs: attrs(ai("transA", 1), ai("transB", 1)), in: []ctIn{x("B", 8, "S"), ctT("w", tF32, "B", 5, 8)}, outs: 1},
		{name: "FusedMatMul transBatch", op: "FusedMatMul", attrs: attrs(ai("transBatchA", 1)), in: []ctIn{x("S", "B", 8), ctT("w", tF32, "B", 8, 4)}, outs: 1},
		{op: "TransposeMatMul", attrs: attrs(ai("transA", 1)), in: []ctIn{x("B", 8, "S"), ctC("w", tF32, cf32(32, 0.1), 8, 4)}, outs: 1},
		{op: "FusedGemm", attrs: attrs(as("activation", "Relu"), ai("transB", 1)), in: []ctIn{x("S", 8), ctC("w", tF32, cf32(32, 0.1), 4, 8), lnw("c", 4)}, outs: 1},
		{op: "DynamicQuantizeMatMul", in: []ctIn{x("B", "S", 8), ctC("w", tI8, ci8(32, 3), 8, 4), ctC("ws", tF32, cf32(1, 0.1))}, outs: 1},
		{name: "DynamicQuantizeMatMul per column", op: "DynamicQuantizeMatMul", in: []ctIn{x("S", 8), ctC("w", tU8, cu8(32, 3), 8, 4), ctC("ws", tF32, cf32(4, 0.1), 4), ctC("wz", tU8, cu8(4, 1), 4), lnw("bias", 4)}, outs: 1},
		{op: "MatMulIntegerToFloat", in: []ctIn{qx("a", "B", "S", 8), ctC("w", tU8, cu8(32, 3), 8, 4), sc("as"), sc("bs"), zp("az"), ctC("bz", tU8, cu8(1, 1))}, outs: 1},
		{op: "MatMulInteger16", in: []ctIn{ctT("a", onnxgraph.Int16, "S", 8), ctT("b", onnxgraph.Int16, 8, "N")}, outs: 1},
		{op: "CDist", attrs: attrs(as("metric", "euclidean")), in: []ctIn{x("N", 4), ctT("b", tF32, "L", 4)}, outs: 1},
		{op: "MoE", attrs: attrs(ai("k", 1), as("activation_type", "relu")), in: []ctIn{x("T", 8), ctT("router", tF32, "T", 2), ctC("fc1", tF32, cf32(2*4*8, 0.1), 2, 4, 8), ctMissing, ctC("fc2", tF32, cf32(2*8*4, 0.1), 2, 8, 4)}, outs: 1},
		{name: "MoE top 2 3-D", op: "MoE", attrs: attrs(ai("k", 2), as("activation_type", "gelu"), ai("normalize_routing_weights", 1)),
			in: []ctIn{x("B", "S", 8), ctT("router", tF32, "B*S", 3), ctC("fc1", tF32, cf32(3*4*8, 0.1), 3, 4, 8), ctC("b1", tF32, cf32(12, 0.1), 3, 4), ctC("fc2", tF32, cf32(3*8*4, 0.1), 3, 8, 4)}, outs: 1},
		// Convolution and pooling.
		{op: "FusedConv", attrs: attrs(as("activation", "Relu"), ais("pads", 1, 1, 1, 1)), in: []ctIn{x("B", 3, "H", "W"), ctC("w", tF32, cf32(4*3*9, 0.1), 4, 3, 3, 3)}, outs: 1},
		{name: "FusedConv strided sum", op: "FusedConv", attrs: attrs(as("activation", "LeakyRelu"), onnxgraph.AttrFloats("activation_params", 0.1), ais("strides", 2, 2)), in: []ctIn{x("B", 3, "H", "W"), ctC("w", tF32, cf32(4*3*4, 0.1), 4, 3, 2, 2)}, outs: 1},
		{op: "ConvTransposeWithDynamicPads", attrs: attrs(ais("strides", 2, 2)), in: []ctIn{x("B", 3, "H", "W"), ctC("w", tF32, cf32(3*4*9, 0.1), 3, 4, 3, 3), ctC("pads", tI64, ci64(1, 0, 1, 0), 4)}, outs: 1},
		// (With dilations and no pads input, ONNX Runtime 1.30 aborts the
		// process: that form is left out.)
		{name: "ConvTransposeWithDynamicPads output padding", op: "ConvTransposeWithDynamicPads", attrs: attrs(ais("strides", 2, 2), ais("output_padding", 1, 0)),
			in: []ctIn{x("B", 3, "H", "W"), ctC("w", tF32, cf32(3*4*9, 0.1), 3, 4, 3, 3), ctC("pads", tI64, ci64(0, 1, 0, 1), 4)}, outs: 1},
		{op: "MaxpoolWithMask", attrs: attrs(ais("kernel_shape", 2, 2), ais("strides", 2, 2)), in: []ctIn{x("B", 3, "H", "W"), ctG("m", tI32, i32s(func(map[string]int64) int64 { return 1 }), "B", 3, "H", "W")}, outs: 1},
		{name: "MaxpoolWithMask padded", op: "MaxpoolWithMask", attrs: attrs(ais("kernel_shape", 3, 3), ais("pads", 1, 1, 1, 1)), in: []ctIn{x("B", 3, "H", "W"), ctG("m", tI32, i32s(func(map[string]int64) int64 { return 1 }), "B", 3, "H", "W")}, outs: 1},
		{op: "NhwcMaxPool", attrs: attrs(ais("kernel_shape", 3, 3), ais("pads", 1, 1, 1, 1)), in: []ctIn{qx("x", "B", "H", "W", 3)}, outs: 1},
		{name: "NhwcMaxPool strided int8", op: "NhwcMaxPool", attrs: attrs(ais("kernel_shape", 2, 2), ais("strides", 2, 2)), in: []ctIn{ctT("x", tI8, "B", "H", "W", 3)}, outs: 1},
		{op: "GridSample", in: []ctIn{x("B", 3, "H", "W"), ctT("grid", tF32, "B", "L", "N", 2)}, outs: 1},
		{op: "CropAndResize", in: []ctIn{x("B", 3, "H", "W"), ctC("rois", tF32, cf32(8, 0.5), 2, 4), ctC("bi", tI32, ci32(0, 0), 2), ctC("crop", tI32, ci32(3, 4), 2)}, outs: 1},
		{name: "CropAndResize nearest", op: "CropAndResize", attrs: attrs(as("mode", "nearest"), af("extrapolation_value", 1)),
			in: []ctIn{x("B", 3, "H", "W"), ctC("rois", tF32, cf32(12, 0.5), 3, 4), ctC("bi", tI32, ci32(0, 0, 0), 3), ctC("crop", tI32, ci32(5, 2), 2)}, outs: 1},
		// Shapes and misc.
		{op: "Pad", in: []ctIn{x("B", "S"), ctC("pads", tI64, ci64(0, 1, 2, 3), 4)}, outs: 1},
		{name: "Pad 2-D pads", op: "Pad", attrs: attrs(as("mode", "edge")), in: []ctIn{x("B", "S", 2), ctC("pads", tI64, ci64(1, 0, 0, 0, 2, 1), 1, 6)}, outs: 1},
		{op: "ExpandDims", in: []ctIn{x("B", "S"), ctC("axis", tI32, ci32(1))}, outs: 1},
		{name: "ExpandDims last", op: "ExpandDims", in: []ctIn{x("B", "S", 2), ctC("axis", tI32, ci32(-1))}, outs: 1},
		{op: "GatherND", in: []ctIn{x("B", "S", 4), ctC("idx", tI64, ci64(0, 0, 0, 1), 2, 2)}, outs: 1},
		{name: "GatherND slices", op: "GatherND", in: []ctIn{x("B", "S", 4), ctC("idx", tI64, ci64(0, 0, 0), 3, 1)}, outs: 1},
		{op: "Range", in: []ctIn{ctC("start", tF32, cf32(1, 1)), ctC("limit", tF32, func(sz map[string]int64) any { return []float32{float32(sz["N"]) + 0.5} }), ctC("delta", tF32, cf32(1, 0.5))}, outs: 1},
		{name: "Range int no delta", op: "Range", in: []ctIn{ctC("start", tI64, ci64(2)), ctC("limit", tI64, func(sz map[string]int64) any { return []int64{sz["N"] + 2} })}, outs: 1},
		{op: "Unique", in: []ctIn{x("N")}, outs: 3},
		{op: "NGramRepeatBlock", attrs: attrs(ai("ngram_size", 2)), in: []ctIn{ctT("ids", tI64, "B", "S"), ctT("scores", tF32, "B", 10)}, outs: 1},
		{op: "WordConvEmbedding", attrs: attrs(ai("embedding_size", 7), ai("conv_window_size", 2), ai("char_embedding_size", 5)),
			in: []ctIn{ctG("seq", tI32, i32s(func(map[string]int64) int64 { return 2 }), "S", 6), ctC("w", tF32, cf32(7*2*5, 0.1), 7, 1, 2, 5), lnw("b", 7), ctC("c", tF32, cf32(20*5, 0.1), 20, 5)}, outs: 1},
		{name: "WordConvEmbedding window 3", op: "WordConvEmbedding", attrs: attrs(ai("embedding_size", 4), ai("conv_window_size", 3), ai("char_embedding_size", 6)),
			in: []ctIn{ctG("seq", tI32, i32s(func(map[string]int64) int64 { return 1 }), "B", "S", 5), ctC("w", tF32, cf32(4*3*6, 0.1), 4, 1, 3, 6), lnw("b", 4), ctC("c", tF32, cf32(10*6, 0.1), 10, 6)}, outs: 1},
		{op: "UnfoldTensor", attrs: attrs(ai("dim", 1), ai("size", 2), ai("step", 1)), in: []ctIn{x("B", "N")}, outs: 1},
		{name: "UnfoldTensor last dim strided", op: "UnfoldTensor", attrs: attrs(ai("dim", -1), ai("size", 3), ai("step", 2)), in: []ctIn{x("B", 2, "N")}, outs: 1},
		{op: "DynamicQuantizeLSTM", attrs: attrs(ai("hidden_size", 4)), in: []ctIn{x("S", "B", 3), ctC("w", tI8, ci8(48, 1), 1, 3, 16), ctC("r", tI8, ci8(64, 1), 1, 4, 16),
			ctMissing, ctMissing, ctMissing, ctMissing, ctMissing, ctC("ws", tF32, cf32(1, 0.1), 1), ctC("wz", tI8, ci8(1, 0), 1), ctC("rs", tF32, cf32(1, 0.1), 1), ctC("rz", tI8, ci8(1, 0), 1)}, outs: 3},
		{name: "DynamicQuantizeLSTM bidirectional", op: "DynamicQuantizeLSTM", attrs: attrs(ai("hidden_size", 4), as("direction", "bidirectional")),
			in: []ctIn{x("S", "B", 3), ctC("w", tI8, ci8(96, 1), 2, 3, 16), ctC("r", tI8, ci8(128, 1), 2, 4, 16), ctC("b", tF32, cf32(64, 0.1), 2, 32),
				ctG("sl", tI32, i32s(func(sz map[string]int64) int64 { return sz["S"] }), "B"), ctMissing, ctMissing, ctMissing,
				ctC("ws", tF32, cf32(2, 0.1), 2), ctC("wz", tI8, ci8(2, 0), 2), ctC("rs", tF32, cf32(2, 0.1), 2), ctC("rz", tI8, ci8(2, 0), 2)}, outs: 3},
		// Quantized.
		{op: "QuantizeLinear", in: []ctIn{x("B", "S", 8), sc("s"), zp("z")}, outs: 1},
		{name: "QuantizeLinear int8", op: "QuantizeLinear", in: []ctIn{x("B", "S"), sc("s"), ctC("z", tI8, ci8(1, 0))}, outs: 1},
		{op: "DequantizeLinear", in: []ctIn{qx("x", "B", "S", 8), sc("s"), zp("z")}, outs: 1},
		{name: "DequantizeLinear per channel", op: "DequantizeLinear", attrs: attrs(ai("axis", 1)), in: []ctIn{qx("x", "B", 4, "S"), ctC("s", tF32, cf32(4, 0.05), 4), ctC("z", tU8, cu8(4, 128), 4)}, outs: 1},
		{op: "QLinearAdd", in: []ctIn{qx("a", "B", "S", 8), sc("as"), zp("az"), qx("b", 8), sc("bs"), zp("bz"), sc("cs"), zp("cz")}, outs: 1},
		{op: "QLinearMul", in: []ctIn{qx("a", "B", "S", 1), sc("as"), zp("az"), qx("b", "S", 8), sc("bs"), zp("bz"), sc("cs"), zp("cz")}, outs: 1},
		{op: "QLinearSigmoid", in: []ctIn{qx("x", "B", "S"), sc("xs"), zp("xz"), sc("ys"), zp("yz")}, outs: 1},
		{op: "QLinearLeakyRelu", attrs: attrs(af("alpha", 0.1)), in: []ctIn{qx("x", "B", "S"), sc("xs"), zp("xz"), sc("ys"), zp("yz")}, outs: 1},
		{op: "QLinearSoftmax", attrs: attrs(ai("axis", -1), ai("opset", 13)), in: []ctIn{qx("x", "B", "S", 8), sc("xs"), zp("xz"), ctC("ys", tF32, cf32(1, 1.0/256)), ctC("yz", tU8, cu8(1, 0))}, outs: 1},
		{op: "QLinearConcat", attrs: attrs(ai("axis", 1)), in: []ctIn{sc("ys"), zp("yz"), qx("a", "B", "S", 4), sc("as"), zp("az"), qx("b", "B", "L", 4), sc("bs"), zp("bz")}, outs: 1},
		{op: "QLinearConv", attrs: attrs(ais("pads", 1, 1, 1, 1)), in: []ctIn{qx("x", "B", 3, "H", "W"), sc("xs"), zp("xz"), ctC("w", tU8, cu8(4*27, 130), 4, 3, 3, 3), sc("ws"), zp("wz"), sc("ys"), zp("yz")}, outs: 1},
		{name: "QLinearConv channels last", op: "QLinearConv", attrs: attrs(ai("channels_last", 1), ais("strides", 2, 2)), in: []ctIn{qx("x", "B", "H", "W", 3), sc("xs"), zp("xz"), ctC("w", tU8, cu8(4*27, 130), 4, 3, 3, 3), sc("ws"), zp("wz"), sc("ys"), zp("yz"), ctC("bias", tI32, ci32(1, 2, 3, 4), 4)}, outs: 1},
		{op: "QLinearAveragePool", attrs: attrs(ais("kernel_shape", 2, 2), ais("strides", 2, 2)), in: []ctIn{qx("x", "B", 3, "H", "W"), sc("xs"), zp("xz"), sc("ys"), zp("yz")}, outs: 1},
		{name: "QLinearAveragePool channels last ceil", op: "QLinearAveragePool", attrs: attrs(ais("kernel_shape", 3, 3), ais("strides", 2, 2), ai("channels_last", 1), ai("ceil_mode", 1)), in: []ctIn{qx("x", "B", "H", "W", 3), sc("xs"), zp("xz"), sc("ys"), zp("yz")}, outs: 1},
		{op: "QLinearGlobalAveragePool", in: []ctIn{qx("x", "B", 3, "H", "W"), sc("xs"), zp("xz"), sc("ys"), zp("yz")}, outs: 1},
		{name: "QLinearGlobalAveragePool channels last", op: "QLinearGlobalAveragePool", attrs: attrs(ai("channels_last", 1)), in: []ctIn{qx("x", "B", "H", "W", 3), sc("xs"), zp("xz"), sc("ys"), zp("yz")}, outs: 1},
		{op: "QLinearWhere", in: []ctIn{ctT("c", onnxgraph.Bool, "S", 8), qx("x", "S", 8), sc("xs"), zp("xz"), qx("y", 8), sc("ys"), zp("yz"), sc("zs"), zp("zz")}, outs: 1},
		{op: "QGemm", in: []ctIn{qx("a", "S", 8), sc("as"), zp("az"), ctC("b", tU8, cu8(32, 3), 8, 4), sc("bs"), zp("bz")}, outs: 1},
		{name: "QGemm quantized output", op: "QGemm", attrs: attrs(ai("transB", 1)), in: []ctIn{qx("a", "S", 8), sc("as"), zp("az"), ctC("b", tU8, cu8(32, 3), 4, 8), sc("bs"), zp("bz"), ctMissing, sc("ys"), zp("yz")}, outs: 1},
		{op: "QAttention", attrs: attrs(ai("num_heads", 2)), in: []ctIn{qx("x", "B", "S", 16), ctC("w", tU8, cu8(16*48, 130), 16, 48), lnw("b", 48), sc("xs"), sc("ws"), ctMissing, zp("xz"), zp("wz")}, outs: 1},
		{name: "QAttention past", op: "QAttention", attrs: attrs(ai("num_heads", 2), ai("unidirectional", 1)),
			in: []ctIn{qx("x", "B", "S", 16), ctC("w", tU8, cu8(16*48, 130), 16, 48), lnw("b", 48), sc("xs"), sc("ws"), ctMissing, zp("xz"), zp("wz"), ctT("past", tF32, 2, "B", 2, "P", 8)}, outs: 2},
		// Newer operators (linear attention, n-gram hashing, gates).
		{op: "NGramHashMapping", attrs: attrs(ai("max_ngram_size", 3), ai("n_head_per_ngram", 2), ai("pad_id", 0)),
			in: []ctIn{ctT("ids", tI64, "B", "S"), ctC("mul", tI64, ci64(1, 3, 5), 3), ctC("vocab", tI64, ci64(7, 11, 13, 17), 4)}, outs: 2},
		{name: "NGramHashMapping bigrams 3 heads", op: "NGramHashMapping", attrs: attrs(ai("max_ngram_size", 2), ai("n_head_per_ngram", 3), ai("pad_id", 1)),
			in: []ctIn{ctT("ids", tI64, "B", "S"), ctC("mul", tI64, ci64(1, 3), 2), ctC("vocab", tI64, ci64(7, 11, 13), 3)}, outs: 2},
		{op: "CausalConvWithState", in: []ctIn{x("B", 4, "L"), ctC("w", tF32, cf32(12, 0.1), 4, 1, 3), lnw("b", 4), ctT("past", tF32, "B", 4, 2)}, outs: 2},
		{name: "CausalConvWithState dilated", op: "CausalConvWithState", attrs: attrs(ai("dilation", 2), as("activation", "silu")), in: []ctIn{x("B", 4, "L"), ctC("w", tF32, cf32(12, 0.1), 4, 1, 3)}, outs: 2},
		{op: "LinearAttention", attrs: attrs(ai("q_num_heads", 2), ai("kv_num_heads", 2), as("update_rule", "linear")), in: []ctIn{x("B", "T", 16), ctT("k", tF32, "B", "T", 16), ctT("v", tF32, "B", "T", 16)}, outs: 2},
		{op: "MRotaryEmbedding", attrs: attrs(ai("num_heads", 2), ais("mrope_section", 2, 1, 1)), in: []ctIn{x("B", "S", 16), ctG("pos", tI64, i64s(1), 3, "B", "S"), ctC("cos", tF32, cf32(32*4, 0.5), 32, 4), ctC("sin", tF32, cf32(32*4, 0.5), 32, 4)}, outs: 1},
		{op: "EngramGate", in: []ctIn{x("B", "S", 2, 8), ctT("q", tF32, "B", "S", 2, 8), ctT("v", tF32, "B", "S", 8), ctC("ks", tF32, cf32(16, 1), 2, 8), ctC("qs", tF32, cf32(16, 1), 2, 8)}, outs: 1},
		{op: "GatedAdd", in: []ctIn{x("B", "S", 8), ctT("y", tF32, "B", "S", 8), ctT("g", tF32, "B", "S", 1)}, outs: 1},
		{op: "GatedRMSNorm", attrs: attrs(af("epsilon", 1e-6)), in: []ctIn{x("B", "S", 8), lnw("scale", 4), ctT("g", tF32, "B", "S", 8)}, outs: 1},
		{op: "LinearAttentionGate", in: []ctIn{x("B", "T", 4), lnw("dt", 4), lnw("ds", 4), ctT("b", tF32, "B", "T", 4)}, outs: 2},
		{op: "DynamicTimeWarping", in: []ctIn{x("N", "L")}, outs: 1},
		// Mixture of quantized experts.
		{op: "QMoE", attrs: attrs(ai("k", 1), as("activation_type", "relu"), ai("expert_weight_bits", 8)),
			in: []ctIn{x("T", 8), ctT("router", tF32, "T", 2), ctC("fc1", tU8, cu8(2*4*8, 1), 2, 4, 8), ctC("s1", tF32, cf32(8, 0.1), 2, 4), ctMissing, ctC("fc2", tU8, cu8(2*8*4, 1), 2, 8, 4), ctC("s2", tF32, cf32(16, 0.1), 2, 8)}, outs: 1},
		{name: "QMoE 4 bits 3-D top 2", op: "QMoE", attrs: attrs(ai("k", 2), as("activation_type", "gelu"), ai("expert_weight_bits", 4), ai("normalize_routing_weights", 1)),
			in: []ctIn{x("B", "S", 8), ctT("router", tF32, "B*S", 4), ctC("fc1", tU8, cu8(4*16*4, 1), 4, 16, 4), ctC("s1", tF32, cf32(4*16, 0.1), 4, 16), ctC("b1", tF32, cf32(64, 0.1), 4, 16), ctC("fc2", tU8, cu8(4*8*8, 1), 4, 8, 8), ctC("s2", tF32, cf32(4*8, 0.1), 4, 8)}, outs: 1},
		// Recurrences with attention.
		{op: "AttnLSTM", attrs: attrs(ai("hidden_size", 4)), in: []ctIn{x("S", "B", 3), ctC("w", tF32, cf32(16*8, 0.1), 1, 16, 8), ctC("r", tF32, cf32(16*4, 0.1), 1, 16, 4), ctMissing, ctMissing, ctMissing, ctMissing, ctMissing,
			ctC("qw", tF32, cf32(4*6, 0.1), 1, 4, 6), ctC("mw", tF32, cf32(5*6, 0.1), 1, 5, 6), ctC("v", tF32, cf32(6, 0.1), 1, 6), ctT("m", tF32, "B", "T", 5), ctG("ml", tI32, i32s(func(sz map[string]int64) int64 { return sz["T"] }), "B")}, outs: 3},
		{name: "AttnLSTM bidirectional attention layer", op: "AttnLSTM", attrs: attrs(ai("hidden_size", 4), as("direction", "bidirectional")),
			in: []ctIn{x("S", "B", 3), ctC("w", tF32, cf32(2*16*10, 0.1), 2, 16, 10), ctC("r", tF32, cf32(2*16*4, 0.1), 2, 16, 4), ctC("b", tF32, cf32(2*32, 0.1), 2, 32),
				ctG("sl", tI32, i32s(func(sz map[string]int64) int64 { return sz["S"] }), "B"), ctT("h0", tF32, 2, "B", 4), ctT("c0", tF32, 2, "B", 4), ctMissing,
				ctC("qw", tF32, cf32(2*4*6, 0.1), 2, 4, 6), ctC("mw", tF32, cf32(2*5*6, 0.1), 2, 5, 6), ctC("v", tF32, cf32(12, 0.1), 2, 6), ctT("m", tF32, "B", "T", 5),
				ctG("ml", tI32, i32s(func(sz map[string]int64) int64 { return sz["T"] }), "B"), ctC("aw", tF32, cf32(2*9*7, 0.1), 2, 9, 7)}, outs: 3},
		// Block-sparse attention over a cache of 32 that past and present
		// share.
		sparseAttentionCase("SparseAttention", false, false),
		sparseAttentionCase("SparseAttention packed rotary", true, true, ai("rotary_interleaved", 1)),
		// Quantized embedding.
		{op: "QEmbedLayerNormalization", in: qembedInputs(true), outs: 2},
		{name: "QEmbedLayerNormalization no segment no mask", op: "QEmbedLayerNormalization", attrs: attrs(af("epsilon", 1e-3)), in: qembedInputs(false), outs: 2},
		// Aggressive decoding.
		{op: "BifurcationDetector", scalars: []int{1}, attrs: attrs(ai("min_ngram_size", 1), ai("max_ngram_size", 3)),
			in: []ctIn{ctT("src", tI64, "S"), ctT("cur", tI64, "N"), ctC("prev", tI64, ci64(0)), ctT("pred", tI64, "L")}, outs: 2},
		// Strings, seen through Shape: [C] gives [C, D], [N, C] gives [N,
		// C, D] (D + 2 with marks), an empty input stays empty.
		{op: "Tokenizer", shapeOf: true, attrs: attrs(ai("mark", 0), ai("mincharnum", 1), as("pad_value", "#"), astrs("separators", " ")),
			in: []ctIn{ctK("text", tokenizerText("N"))}, outs: 1},
		{name: "Tokenizer 2-D marks expression", op: "Tokenizer", shapeOf: true, attrs: attrs(ai("mark", 1), ai("mincharnum", 2), as("pad_value", "#"), as("tokenexp", "[a-z]+")),
			in: []ctIn{ctK("text", tokenizerText("B", "N"))}, outs: 1},
		{name: "Tokenizer empty", op: "Tokenizer", shapeOf: true, attrs: attrs(ai("mark", 0), ai("mincharnum", 1), as("pad_value", "#"), astrs("separators", " ")),
			in: []ctIn{ctK("text", tokenizerText(0))}, outs: 1},
		{name: "Tokenizer 2-D empty", op: "Tokenizer", shapeOf: true, attrs: attrs(ai("mark", 1), ai("mincharnum", 1), as("pad_value", "#"), astrs("separators", " ")),
			in: []ctIn{ctK("text", tokenizerText("B", 0))}, outs: 1},
		// A sparse A (a Constant's sparse_value) times a dense B.
		{op: "SparseToDenseMatMul", in: []ctIn{ctS("a", sparseMatrix("N", 4)), ctT("b", tF32, 4, "W")}, outs: 1},
		{name: "SparseToDenseMatMul transposed", op: "SparseToDenseMatMul", attrs: attrs(ai("transA", 1), ai("transB", 1), af("alpha", 2)),
			in: []ctIn{ctS("a", sparseMatrix(4, "N")), ctT("b", tF32, "W", 4)}, outs: 1},
		{name: "BifurcationDetector no prediction", op: "BifurcationDetector", scalars: []int{1}, attrs: attrs(ai("min_ngram_size", 2), ai("max_ngram_size", 2)),
			in: []ctIn{ctT("src", tI64, "S"), ctT("cur", tI64, "N"), ctC("prev", tI64, ci64(1))}, outs: 2},
	}
}

func TestContribORT(t *testing.T) {
	orttest.Require(t)
	k := ctRun(t, append(contribCases(), generationCases(t)...))
	t.Logf("%d operators, %d models, %d runs, %d output shapes compared (symbolic and fixed), %d dims (%d wrong), %d data-dependent dims not compared; forms the CPU kernel refuses: %v",
		len(k.ops), k.models, k.runs, k.values, k.compared, k.wrong, k.dataDeps, k.refused)
}
