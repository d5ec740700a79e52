package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph/examples/internal/ort/orttest"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/examples/internal/ort"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/opschema"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
)

// The com.microsoft operators that cannot be proven here: ONNX Runtime
// 1.30's CPU build refuses every one of them (most have CUDA or ROCm
// kernels only). Each has a model valid per its schema that our checker
// accepts and inference types without a problem; TestContribNoCPU asserts
// that ONNX Runtime still refuses it, with the message recorded here, so
// that a release adding a CPU kernel makes the test say so (move the case
// to contribCases then).

// What ONNX Runtime 1.30 says when it refuses an operator.
const (
	// No kernel of the operator on CPU.
	noKernel = "Could not find an implementation"
	// No CPU kernel of the operator's float16 form: ONNX Runtime casts
	// the node's float16 inputs to float, which the schema refuses.
	f16Only = "InsertedPrecisionFreeCast"
	// The operator is documented, but not registered in 1.30.
	notRegistered = "is not a registered function/op"
	// An EPContext node holds a compiled model for an execution provider
	// the CPU build does not have.
	noEP = "is not compatible with any execution provider"
	// MatMulFpQ4's own shape inference on a CPU without AVX-512, where
	// MLAS has no 4-bit GEMM (a case of contribCases, unsupported there).
	noQ4Gemm = "4b quantization not yet supported on this hardware platform"
)

// ncCase is an operator ONNX Runtime refuses, with its message.
type ncCase struct {
	ctCase
	refusal string
}

const tF16 = onnxgraph.Float16

// elemOnly declares one output of element type dt and unknown shape.
func elemOnly(dt onnxgraph.DataType) []*onnxproto.TypeProto {
	return []*onnxproto.TypeProto{onnxgraph.TensorType(dt, nil)}
}

// batchOf declares one output of element type dt and shape [B], for
// operators whose outputs only their model declares.
func batchOf(dt onnxgraph.DataType) []*onnxproto.TypeProto {
	return []*onnxproto.TypeProto{onnxgraph.TensorType(dt, []onnxgraph.Dim{onnxgraph.DimParam("B")})}
}

func noCPUCases() []ncCase {
	x := func(dims ...any) ctIn { return ctT("x", tF32, dims...) }
	h := func(name string, dims ...any) ctIn {
		return ctG(name, tF16, func(_ map[string]int64, n int) any { return make([]float32, n) }, dims...)
	}
	qx := func(name string, dims ...any) ctIn { return ctT(name, tU8, dims...) }
	sc := func(name string) ctIn { return ctC(name, tF32, cf32(1, 0.05)) }
	zp := func(name string) ctIn { return ctC(name, tU8, cu8(1, 128)) }
	lnw := func(name string, n int) ctIn { return ctC(name, tF32, cf32(n, 1), n) }
	bools := func(name string) ctIn {
		return ctC(name, onnxgraph.Bool, func(map[string]int64) any { return []bool{false} }, 1)
	}
	return []ncCase{
		{ctCase{op: "BiasSoftmax", attrs: attrs(ai("axis", -1), ai("is_inner_broadcast", 0)), in: []ctIn{x("B", 2, "S", "S"), ctT("b", tF32, "B", 1, "S", "S")}, outs: 1}, noKernel},
		{ctCase{op: "BiasAdd", in: []ctIn{x("B", "S", 8), lnw("bias", 8), ctT("skip", tF32, "B", "S", 8)}, outs: 1}, noKernel},
		{ctCase{op: "BiasSplitGelu", in: []ctIn{x("B", "S", 8), lnw("bias", 8)}, outs: 1}, noKernel},
		{ctCase{op: "BitmaskDropout", in: []ctIn{x("B", "S", 40)}, outs: 2}, noKernel},
		{ctCase{op: "BiasDropout", in: []ctIn{x("B", "S", 8), lnw("bias", 8)}, outs: 2}, noKernel},
		{ctCase{op: "GemmFastGelu", in: []ctIn{x("S", 8), ctC("w", tF32, cf32(32, 0.1), 8, 4)}, outs: 1}, noKernel},
		{ctCase{op: "NhwcConv", attrs: attrs(ais("pads", 1, 1, 1, 1)), in: []ctIn{x("B", "H", "W", 3), ctC("w", tF32, cf32(4*3*9, 0.1), 4, 3, 3, 3)}, outs: 1}, noKernel},
		{ctCase{op: "NhwcFusedConv", attrs: attrs(as("activation", "Relu"), ais("strides", 2, 2)), in: []ctIn{x("B", "H", "W", 3), ctC("w", tF32, cf32(4*3*9, 0.1), 4, 3, 3, 3)}, outs: 1}, noKernel},
		{ctCase{op: "TorchEmbedding", in: []ctIn{ctC("w", tF32, cf32(40, 0.1), 10, 4), ctG("ids", tI64, i64s(2), "B", "S")}, outs: 1}, noKernel},
		{ctCase{op: "QLinearReduceMean", attrs: attrs(ais("axes", 1), ai("keepdims", 0)), in: []ctIn{qx("x", "B", "S", 8), sc("xs"), zp("xz"), sc("ys"), zp("yz")}, outs: 1}, noKernel},
		{ctCase{op: "MulInteger", in: []ctIn{qx("a", "B", "S"), zp("az"), qx("b", "S"), zp("bz")}, outs: 1}, noKernel},
		{ctCase{op: "ReduceSumInteger", declared: elemOnly(tI32), attrs: attrs(ais("axes", 1), ai("keepdims", 1)), in: []ctIn{ctT("x", tI8, "B", "S", 4)}, outs: 1}, noKernel},
		{ctCase{op: "VarlenCausalConvWithState", in: []ctIn{x("T", 4), ctC("w", tF32, cf32(12, 0.1), 4, 1, 3), ctC("cu", tI32, func(sz map[string]int64) any { return []int32{0, int32(sz["T"])} }, 2), ctMissing, ctT("st", tF32, 1, 4, 2)}, outs: 2}, noKernel},
		{ctCase{op: "GatedDeltaNet", attrs: attrs(as("update_rule", "linear")), in: []ctIn{x("T", 2, 8), ctT("k", tF32, "T", 2, 8), ctT("v", tF32, "T", 2, 8), ctMissing, ctMissing, ctMissing, ctT("st", tF32, 1, 2, 8, 8)}, outs: 2}, noKernel},
		{ctCase{op: "RelativePositionBias", attrs: attrs(ai("max_distance", 16)), in: []ctIn{ctC("table", tF32, cf32(64, 0.1), 32, 2), ctC("q", tI64, func(sz map[string]int64) any { return []int64{sz["S"]} }), ctC("k", tI64, func(sz map[string]int64) any { return []int64{sz["S"]} })}, outs: 1}, noKernel},
		{ctCase{op: "RemovePadding", in: []ctIn{x("B", "S", 8), ctG("n", tI32, i32s(func(sz map[string]int64) int64 { return sz["S"] }), "B")}, outs: 4}, noKernel},
		{ctCase{op: "RestorePadding", in: []ctIn{x("T", 8), ctT("off", tI32, "B", "S")}, outs: 1}, noKernel},
		{ctCase{op: "ComplexMul", in: []ctIn{x("B", "S", 2), ctT("b", tF32, "S", 2)}, outs: 1}, noKernel},
		{ctCase{op: "Rfft", attrs: attrs(ai("signal_ndim", 1)), in: []ctIn{x("B", 8)}, outs: 1}, noKernel},
		{ctCase{op: "GroupNorm", attrs: attrs(ai("activation", 0), ai("groups", 2), af("epsilon", 1e-5)), in: []ctIn{x("B", "H", "W", 8), lnw("g", 8), lnw("b", 8)}, outs: 1}, noKernel},
		{ctCase{op: "QuantizeWithOrder", attrs: attrs(ai("order_input", 1), ai("order_output", 1)), in: []ctIn{x("S", 32), sc("s")}, outs: 1}, noKernel},
		{ctCase{op: "IsAllFinite", in: []ctIn{x("B", "S")}, outs: 1}, noKernel},
		{ctCase{op: "BitmaskBiasDropout", in: []ctIn{x("B", "S", 40), lnw("bias", 40)}, outs: 2}, noKernel},
		{ctCase{op: "ComplexMulConj", in: []ctIn{x("B", "S", 2), ctT("b", tF32, "S", 2)}, outs: 1}, noKernel},
		{ctCase{op: "Irfft", attrs: attrs(ai("signal_ndim", 1)), in: []ctIn{x("B", 5, 2)}, outs: 1}, noKernel},
		{ctCase{op: "FusedMatMulActivation", attrs: attrs(as("activation", "Relu")), in: []ctIn{x("B", "S", 8), ctT("w", tF32, 8, 4)}, outs: 1}, noKernel},
		{ctCase{op: "GemmFloat8", attrs: attrs(ai("dtype", 1)), in: []ctIn{x("S", 8), ctT("w", tF32, 8, 4)}, outs: 1}, noKernel},
		{ctCase{op: "SkipGroupNorm", attrs: attrs(ai("activation", 0), ai("groups", 2)), in: []ctIn{x("B", "H", "W", 8), lnw("g", 8), lnw("b", 8), ctT("s", tF32, "B", "H", "W", 8)}, outs: 2}, noKernel},
		{ctCase{op: "DequantizeWithOrder", attrs: attrs(ai("order_input", 1), ai("order_output", 1), ai("to", 1)), in: []ctIn{ctT("x", tI8, "S", 32), sc("s")}, outs: 1}, noKernel},
		{ctCase{op: "QOrderedGelu", attrs: attrs(ai("order_X", 1), ai("order_Y", 1)), in: []ctIn{ctT("x", tI8, "S", 32), sc("s"), sc("t")}, outs: 1}, noKernel},
		{ctCase{op: "QOrderedMatMul", attrs: attrs(ai("order_A", 1), ai("order_B", 1), ai("order_Y", 1)), in: []ctIn{ctT("x", tI8, "S", 32), sc("s"), ctT("w", tI8, 32, 8), sc("t"), sc("u")}, outs: 1}, noKernel},
		{ctCase{op: "QOrderedLayerNormalization", attrs: attrs(ai("order_X", 1), ai("order_Y", 1)), in: []ctIn{ctT("x", tI8, "B", "S", 32), sc("s"), lnw("g", 32), lnw("b", 32), sc("t")}, outs: 1}, noKernel},
		{ctCase{op: "QOrderedAttention", attrs: attrs(ai("num_heads", 2), ai("order_input", 1), ai("order_output", 1), ai("order_weight", 0)),
			in: []ctIn{ctT("x", tI8, "B", "S", 16), sc("a"), sc("b"), sc("c"), sc("d"), ctC("qw", tI8, ci8(256, 1), 16, 16), ctC("kw", tI8, ci8(256, 1), 16, 16), ctC("vw", tI8, ci8(256, 1), 16, 16),
				sc("e"), sc("f"), sc("g"), lnw("qb", 16), lnw("kb", 16), lnw("vb", 16), sc("h"), sc("i"), sc("j")}, outs: 1}, noKernel},
		{ctCase{op: "QOrderedLongformerAttention", attrs: attrs(ai("num_heads", 2), ai("window", 2), ai("order_input", 1), ai("order_output", 1), ai("order_weight", 0), ai("order_global_weight", 0)),
			in: []ctIn{ctT("x", tI8, "B", 8, 16), sc("a"), ctC("w", tI8, ci8(16*48, 1), 16, 48), sc("b"), lnw("bias", 48), sc("c"), sc("d"), h("mask", "B", 8),
				ctC("gw", tI8, ci8(16*48, 1), 16, 48), sc("e"), lnw("gb", 48), sc("f"), ctG("g", tI32, i32s(func(map[string]int64) int64 { return 0 }), "B", 8), sc("o")}, outs: 1}, f16Only},
		{ctCase{op: "QuantizeBFP", attrs: attrs(ai("bfp_type", 1)), in: []ctIn{x("B", 8)}, outs: 3}, noKernel},
		{ctCase{op: "DequantizeBFP", attrs: attrs(ai("bfp_type", 1)), in: []ctIn{ctT("x", tU8, 8), ctC("shape", tI64, ci64(2, 4), 2), ctC("st", tI64, ci64(4, 1), 2)}, outs: 1}, noKernel},
		{ctCase{op: "MatMulNBitsMlp", attrs: attrs(ai("K", 32), ai("N", 8), ai("bits", 4), ai("block_size", 32), as("activation", "silu")),
			in: []ctIn{x("B", "S", 32), ctMissing, ctMissing, ctC("gw", tU8, cu8(8*16, 0x37), 8, 1, 16), ctC("gs", tF32, cf32(8, 0.1), 8), ctMissing, ctC("uw", tU8, cu8(8*16, 0x37), 8, 1, 16), ctC("us", tF32, cf32(8, 0.1), 8)}, outs: 1}, noKernel},
		{ctCase{op: "MatMulNBitsQkv", attrs: attrs(ai("K", 32), ai("Nq", 8), ai("Nkv", 4), ai("bits", 4), ai("block_size", 32)),
			in: []ctIn{x("B", "S", 32), ctMissing, lnw("ns", 32), ctC("qw", tU8, cu8(8*16, 0x37), 8, 1, 16), ctC("qs", tF32, cf32(8, 0.1), 8), ctMissing,
				ctC("kw", tU8, cu8(4*16, 0x37), 4, 1, 16), ctC("ks", tF32, cf32(4, 0.1), 4), ctMissing, ctC("vw", tU8, cu8(4*16, 0x37), 4, 1, 16), ctC("vs", tF32, cf32(4, 0.1), 4)}, outs: 3}, noKernel},
		{ctCase{op: "LongformerAttention", attrs: attrs(ai("num_heads", 2), ai("window", 2)),
			in: []ctIn{x("B", 8, 16), ctC("w", tF32, cf32(16*48, 0.01), 16, 48), lnw("b", 48), ctT("m", tF32, "B", 8), ctC("gw", tF32, cf32(16*48, 0.01), 16, 48), lnw("gb", 48),
				ctG("g", tI32, i32s(func(map[string]int64) int64 { return 0 }), "B", 8)}, outs: 1}, noKernel},
		{ctCase{op: "DecoderMaskedSelfAttention", attrs: attrs(ai("num_heads", 2), ai("past_present_share_buffer", 1)),
			in: []ctIn{x("B", 1, 16), ctC("w", tF32, cf32(16*48, 0.01), 16, 48), lnw("b", 48), ctMissing, ctT("past", tF32, 2, "B", 2, 8, 8), ctMissing, ctG("pl", tI32, i32s(func(map[string]int64) int64 { return 2 }))}, outs: 2}, noKernel},
		{ctCase{op: "PackedAttention", attrs: attrs(ai("num_heads", 2)), in: []ctIn{x("T", 16), ctC("w", tF32, cf32(16*48, 0.01), 16, 48), lnw("b", 48), ctT("off", tI32, "B", "S"), ctT("cu", tI32, 2)}, outs: 1}, noKernel},
		{ctCase{op: "PackedMultiHeadAttention", attrs: attrs(ai("num_heads", 2)), in: []ctIn{x("T", 16), ctT("k", tF32, "T", 16), ctT("v", tF32, "T", 16), ctMissing, ctT("off", tI32, "B", "S"), ctT("cu", tI32, 2)}, outs: 1}, noKernel},
		{ctCase{op: "GatedRelativePositionBias", attrs: attrs(ai("num_heads", 2)),
			in: []ctIn{x("B", "S", 16), lnw("qb", 16), ctT("rp", tF32, 1, 2, "S", "S"), ctC("w", tF32, cf32(8*8, 0), 8, 8), lnw("b", 8), ctC("eco", tF32, cf32(2, 0), 1, 2, 1, 1)}, outs: 1}, noKernel},
		{ctCase{op: "DecoderAttention", attrs: attrs(ai("num_heads", 2)),
			in: []ctIn{ctT("q", tF32, "S", "B", 16), ctT("k", tF32, "L", "B", 16), ctC("qw", tF32, cf32(256, 0), 16, 16), ctC("kvw", tF32, cf32(512, 0), 16, 32), lnw("b", 48),
				ctMissing, ctMissing, ctMissing, bools("static_kv"), bools("use_past"), bools("has_layer_state"), bools("has_key_padding_mask")}, outs: 1}, noKernel},
		{ctCase{op: "Snpe", declared: batchOf(tF32), attrs: attrs(as("DLC", "x")), in: []ctIn{x("B")}, outs: 1}, noKernel},
		{ctCase{op: "EPContext", declared: batchOf(tF32), in: []ctIn{x("B")}, outs: 1}, noEP},
		{ctCase{op: "GemmaRotaryEmbedding", in: []ctIn{ctT("emb", tF32, "B", "S", 8), h("q", "B", 2, "S", 8), h("qr", "B", 2, "S", 8), h("k", "B", 2, "S", 8), h("kr", "B", 2, "S", 8)}, outs: 2}, f16Only},
		{ctCase{op: "PagedAttention", attrs: attrs(ai("num_heads", 2), ai("kv_num_heads", 2)),
			in: []ctIn{h("q", "T", 16), h("k", "T", 16), h("v", "T", 16), h("kc", 4, 4, 2, 8), h("vc", 4, 4, 2, 8), ctC("cu", tI32, ci32(0, 3), 2), ctC("ps", tI32, ci32(0), 1), ctC("bt", tI32, ci32(0, 1), 1, 2)}, outs: 1}, f16Only},
		{ctCase{op: "MatMulBlockQuantizedFp4Weight", in: []ctIn{h("a", "S", 32), ctC("w", tU8, cu8(8*16, 0x11), 8, 16), ctC("ws", tU8, cu8(8*2, 1), 8, 2), ctC("ws2", tF32, cf32(1, 1))}, outs: 1}, f16Only},
		{ctCase{op: "MatMulBlockQuantizedFp8Weight", in: []ctIn{h("a", "S", 32), ctC("w", onnxproto.TensorProto_FLOAT8E4M3FN, cf32(8*32, 1), 8, 32), ctC("ws", tF32, cf32(8, 1), 8)}, outs: 1}, f16Only},
		{ctCase{op: "VarlenNGramHashMapping", attrs: attrs(ai("max_ngram_size", 3), ai("n_head_per_ngram", 2), ai("pad_id", 0)),
			in: []ctIn{ctT("ids", tI64, "T"), ctC("mul", tI64, ci64(1, 3, 5), 3), ctC("vocab", tI64, ci64(7, 11, 13, 17), 4), ctC("cu", tI32, func(sz map[string]int64) any { return []int32{0, int32(sz["T"])} }, 2)}, outs: 1}, notRegistered},
	}
}

// TestContribNoCPU checks each operator of noCPUCases: our checker accepts
// its model and inference types it without a problem, and ONNX Runtime
// refuses it with the recorded message.
func TestContribNoCPU(t *testing.T) {
	orttest.Require(t)
	r := ort.NewRand(1)
	for _, nc := range noCPUCases() {
		t.Run(nc.op, func(t *testing.T) {
			sz := ctSizes[0]
			m, feeds, _ := nc.build(t, sz, r)
			typed := m.Clone()
			res, err := shapeinfer.Infer(typed, &shapeinfer.Options{WriteBack: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Problems) > 0 {
				t.Errorf("inference problems: %v", res.Problems)
			}
			if err := onnxgraph.Validate(typed, nil); err != nil {
				t.Errorf("our checker rejects the model: %v", err)
			}
			path := filepath.Join(t.TempDir(), "m.onnx")
			if err := m.Save(path); err != nil {
				t.Fatal(err)
			}
			_, err = ort.Run(path, feeds)
			switch {
			case err == nil:
				t.Errorf("ONNX Runtime now runs %s: move its case to contribCases", nc.op)
			case !strings.Contains(err.Error(), nc.refusal):
				t.Errorf("ONNX Runtime refuses %s otherwise than recorded (%q): %v", nc.op, nc.refusal, err)
			}
		})
	}
}

// TestContribCoverage: every com.microsoft operator of ONNX Runtime's
// documentation (package opschema) is proven by a case of TestContribORT
// or listed as refused by TestContribNoCPU, and none is both.
func TestContribCoverage(t *testing.T) {
	proven := map[string]bool{}
	for _, c := range append(contribCases(), generationCases(t)...) {
		if c.refused == "" && (c.domain == "" || c.domain == "com.microsoft") {
			proven[c.op] = true
		}
	}
	refused := map[string]bool{}
	for _, nc := range noCPUCases() {
		if refused[nc.op] {
			t.Errorf("%s is listed twice as refused", nc.op)
		}
		refused[nc.op] = true
		if proven[nc.op] {
			t.Errorf("%s is both proven and refused", nc.op)
		}
	}
	ops := opschema.Ops("com.microsoft")
	for _, op := range ops {
		if !proven[op] && !refused[op] {
			t.Errorf("%s is neither proven in ONNX Runtime nor listed as refused", op)
		}
	}
	for op := range proven {
		if !slices.Contains(ops, op) {
			t.Errorf("proven operator %s is not in opschema", op)
		}
	}
	t.Logf("%d com.microsoft operators: %d proven in ONNX Runtime, %d refused by its CPU build", len(ops), len(proven), len(refused))
}
