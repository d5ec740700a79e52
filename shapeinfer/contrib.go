package shapeinfer

import (
	"github.com/onnxgraph/onnxgraph"
)

// The ONNX Runtime family: the contrib operators of domain com.microsoft
// (every one ONNX Runtime documents, see package opschema) and the two it
// registers in the default domain. This file holds the table and the
// element-wise, normalization, matrix-product, convolution and
// miscellaneous operators; contrib_attention.go the attention and
// generation operators, contrib_quant.go the quantized ones.

const ms = "com.microsoft"

var contribTable = join(
	// The output is the first input's type.
	all(inferFirstInputShape,
		versions(ms, "BiasGelu", 1), versions(ms, "FastGelu", 1), versions(ms, "Gelu", 1),
		versions(ms, "QuickGelu", 1), versions(ms, "BiasAdd", 1), versions(ms, "GatedAdd", 1),
		versions(ms, "SampleOp", 1), versions(ms, "GatedRMSNorm", 1), versions(ms, "BiasSoftmax", 1),
		versions(ms, "GroupNorm", 1), versions(ms, "LongformerAttention", 1), versions(ms, "MoE", 1),
		versions(ms, "QMoE", 1),
	),
	// q and k rotated: output1 is q's type, output2 k's (emb is float,
	// q and k float16).
	all(inferOutputsLike(1, 3), versions(ms, "GemmaRotaryEmbedding", 1)),
	all(inferInverse, versions(ms, "Inverse", 1)),
	all(inferMsTrilu, versions(ms, "Trilu", 1)),
	all(inferEveryOutputLikeFirst,
		versions(ms, "SkipGroupNorm", 1), versions(ms, "EngramGate", 1), versions(ms, "LinearAttentionGate", 1),
	),
	all(inferOutputLike(1), versions(ms, "NGramRepeatBlock", 1)),
	all(inferRotaryEmbedding, versions(ms, "RotaryEmbedding", 1), versions(ms, "MRotaryEmbedding", 1)),
	all(inferBiasSplitGelu, versions(ms, "BiasSplitGelu", 1)),
	all(inferMsDropout,
		versions(ms, "BiasDropout", 1), versions(ms, "BitmaskBiasDropout", 1), versions(ms, "BitmaskDropout", 1),
	),
	all(inferMurmurHash3, versions(ms, "MurmurHash3", 1)),
	all(inferIsAllFinite, versions(ms, "IsAllFinite", 1)),
	// Normalizations.
	all(inferSkipLayerNorm, versions(ms, "SkipLayerNormalization", 1), versions(ms, "SkipSimplifiedLayerNormalization", 1)),
	all(inferLayerNorm, versions("ai.onnx", "LayerNormalization", 1)),
	all(inferSimplifiedLayerNorm, versions("ai.onnx", "SimplifiedLayerNormalization", 1)),
	all(inferEmbedLayerNorm, versions(ms, "EmbedLayerNormalization", 1), versions(ms, "QEmbedLayerNormalization", 1)),
	// Matrix products.
	all(inferFusedMatMul, versions(ms, "FusedMatMul", 1), versions(ms, "TransposeMatMul", 1), versions(ms, "FusedMatMulActivation", 1)),
	all(inferGemm, versions(ms, "FusedGemm", 1)),
	all(inferGemmFloat8, versions(ms, "GemmFloat8", 1)),
	all(inferMsMatMul,
		versions(ms, "GemmFastGelu", 1), versions(ms, "DynamicQuantizeMatMul", 1),
		versions(ms, "MatMulIntegerToFloat", 1), versions(ms, "MatMulInteger16", 1),
	),
	all(inferMatMulNBits,
		versions(ms, "MatMulNBits", 1), versions(ms, "MatMulNBitsMlp", 1), versions(ms, "MatMulBnb4", 1),
		versions(ms, "MatMulBlockQuantizedFp4Weight", 1), versions(ms, "MatMulBlockQuantizedFp8Weight", 1),
	),
	all(inferMatMulNBitsQkv, versions(ms, "MatMulNBitsQkv", 1)),
	all(inferMatMulFpQ4, versions(ms, "MatMulFpQ4", 1)),
	all(inferSparseToDenseMatMul, versions(ms, "SparseToDenseMatMul", 1)),
	all(inferCDist, versions(ms, "CDist", 1)),
	all(inferBinaryBroadcast(0, 1), versions(ms, "ComplexMul", 1), versions(ms, "ComplexMulConj", 1)),
	// Convolutions and pooling.
	all(inferConv, versions(ms, "FusedConv", 1)),
	all(inferNhwcConv, versions(ms, "NhwcConv", 1), versions(ms, "NhwcFusedConv", 1)),
	all(inferConvTransposeWithDynamicPads, versions(ms, "ConvTransposeWithDynamicPads", 1)),
	all(inferPool, versions(ms, "MaxpoolWithMask", 1)),
	all(inferNhwcPool, versions(ms, "NhwcMaxPool", 1)),
	all(inferGridSample, versions(ms, "GridSample", 1)),
	all(inferCropAndResize, versions(ms, "CropAndResize", 1)),
	all(inferMsCausalConv, versions(ms, "CausalConvWithState", 1), versions(ms, "VarlenCausalConvWithState", 1)),
	// Shapes, indices and signals.
	all(inferGatherND, versions(ms, "GatherND", 1)),
	all(inferExpandDims, versions(ms, "ExpandDims", 1)),
	all(inferMsPad, versions(ms, "Pad", 1)),
	all(inferMsRange, versions(ms, "Range", 1)),
	all(inferMsUnique, versions(ms, "Unique", 1)),
	all(inferTorchEmbedding, versions(ms, "TorchEmbedding", 1)),
	all(inferUnfoldTensor, versions(ms, "UnfoldTensor", 1)),
	all(inferRfft, versions(ms, "Rfft", 1)),
	all(inferIrfft, versions(ms, "Irfft", 1)),
	all(inferTokenizer, versions(ms, "Tokenizer", 1)),
	all(inferWordConvEmbedding, versions(ms, "WordConvEmbedding", 1)),
	all(inferBifurcationDetector, versions(ms, "BifurcationDetector", 1)),
	all(inferDynamicTimeWarping, versions(ms, "DynamicTimeWarping", 1)),
	all(inferNGramHashMapping, versions(ms, "NGramHashMapping", 1), versions(ms, "VarlenNGramHashMapping", 1)),
	all(inferRNN, versions(ms, "AttnLSTM", 1)),
	all(inferDynamicQuantizeLSTM, versions(ms, "DynamicQuantizeLSTM", 1)),
	all(inferOpaque, versions(ms, "EPContext", 1), versions(ms, "Snpe", 1)),
	contribAttentionTable,
	contribQuantTable,
)

// inferOutputLike returns a Func setting output 0 to input i's type.
func inferOutputLike(i int) Func {
	return func(c *Ctx) error {
		if t := c.Input(i); t != nil {
			c.SetOutput(0, t)
		}
		return nil
	}
}

// inferOutputsLike returns a Func setting each output j to input ins[j]'s
// type.
func inferOutputsLike(ins ...int) Func {
	return func(c *Ctx) error {
		for j, i := range ins {
			if t := c.Input(i); t != nil && c.HasOutput(j) {
				c.SetOutput(j, t)
			}
		}
		return nil
	}
}

// countAttr returns int attribute name (def when absent), a count that
// may be 0 but not negative.
func countAttr(c *Ctx, name string, def int64) (int64, error) {
	v := c.Int(name, def)
	if v < 0 {
		return 0, c.Errorf(CodeInvalid, "%s %d must not be negative", name, v)
	}
	return v, nil
}

// inferEveryOutputLikeFirst sets every present output to input 0's type
// when it has one, else to the type of the input at the output's index
// (LinearAttentionGate's beta follows its b input).
func inferEveryOutputLikeFirst(c *Ctx) error {
	x := c.Input(0)
	if x == nil {
		return nil
	}
	c.SetOutput(0, x)
	for i := 1; i < c.NumOutputs(); i++ {
		if !c.HasOutput(i) {
			continue
		}
		if c.Node.OpType() == "LinearAttentionGate" {
			if b := c.Input(3); b != nil {
				c.SetOutput(i, b)
			}
			continue
		}
		c.SetOutput(i, x)
	}
	return nil
}

// inferBinaryBroadcast returns a Func for a binary operator on inputs a
// and b with numpy broadcasting; the output has a's element type.
func inferBinaryBroadcast(a, b int) Func {
	return func(c *Ctx) error {
		elem := c.Elem(a)
		sa, oka := c.InputShape(a)
		sb, okb := c.InputShape(b)
		if !oka || !okb {
			c.SetOutput(0, Tensor(elem, nil))
			return nil
		}
		out, err := broadcast(c, sa, sb)
		if err != nil {
			c.SetOutput(0, Tensor(elem, nil))
			return err
		}
		c.SetOutput(0, Tensor(elem, out))
		return nil
	}
}

// inferInverse: the input's type; the last two dims are a square matrix.
func inferInverse(c *Ctx) error {
	x := c.Input(0)
	if x == nil {
		return nil
	}
	if x.HasShape() {
		r := len(x.Shape)
		if r < 2 {
			return c.Errorf(CodeInvalid, "input has rank %d, want at least 2", r)
		}
		if _, err := mergeEqualDim(c, x.Shape[r-2], x.Shape[r-1]); err != nil {
			return c.Errorf(CodeInvalid, "matrices of %v are not square", x.Shape)
		}
	}
	c.SetOutput(0, x)
	return nil
}

// inferMsTrilu: the input's type, of rank 2 or more.
func inferMsTrilu(c *Ctx) error {
	x := c.Input(0)
	if x == nil {
		return nil
	}
	if x.HasShape() && len(x.Shape) < 2 {
		return c.Errorf(CodeInvalid, "input has rank %d, want at least 2", len(x.Shape))
	}
	c.SetOutput(0, x)
	return nil
}

// inferBiasSplitGelu: [N, S, D] gives [N, S, D/2].
func inferBiasSplitGelu(c *Ctx) error {
	x := rankedInput(c)
	if x == nil {
		return nil
	}
	if len(x.Shape) != 3 {
		return c.Errorf(CodeInvalid, "input has rank %d, want 3 (N, S, D)", len(x.Shape))
	}
	if v, ok := x.Shape[2].Value(); ok && v%2 != 0 {
		return c.Errorf(CodeInvalid, "hidden size %d is odd", v)
	}
	c.SetOutput(0, Tensor(x.Elem, Shape{x.Shape[0], x.Shape[1], exactDiv(x.Shape[2], Known(2))}))
	return nil
}

// inferMsDropout is BiasDropout (mask bool, data's shape), and
// BitmaskBiasDropout and BitmaskDropout, whose mask packs 32 elements per
// uint32: [ceil(elements/32)].
func inferMsDropout(c *Ctx) error {
	x := c.Input(0)
	if x == nil {
		return nil
	}
	c.SetOutput(0, x)
	if !c.HasOutput(1) {
		return nil
	}
	if c.Node.OpType() == "BiasDropout" {
		c.SetOutput(1, Tensor(onnxgraph.Bool, x.Shape))
		return nil
	}
	var mask Shape
	if x.HasShape() {
		mask = Shape{ceilDivBy(x.Shape.NumElements(), 32)}
	}
	c.SetOutput(1, Tensor(onnxgraph.Uint32, mask))
	return nil
}

// inferMurmurHash3: the input's shape; uint32 elements when positive is
// 1 (the default), int32 otherwise.
func inferMurmurHash3(c *Ctx) error {
	x := c.Input(0)
	if x == nil {
		return nil
	}
	elem := onnxgraph.Uint32
	if c.Int("positive", 1) != 1 {
		elem = onnxgraph.Int32
	}
	c.SetOutput(0, Tensor(elem, x.Shape))
	return nil
}

// inferIsAllFinite: a bool scalar.
func inferIsAllFinite(c *Ctx) error {
	c.SetOutput(0, Tensor(onnxgraph.Bool, Shape{}))
	return nil
}

// inferOpaque is EPContext and Snpe: a compiled partition whose outputs
// only the model's declarations describe.
func inferOpaque(c *Ctx) error {
	return c.Errorf(CodeUnsupported, "%s holds a compiled partition; its output types are only what the model declares", c.Node.OpType())
}

// inferSkipLayerNorm is SkipLayerNormalization and
// SkipSimplifiedLayerNormalization: output and input_skip_bias_sum like
// the input; mean and inv_std_var float, the input's shape with the last
// dim 1.
func inferSkipLayerNorm(c *Ctx) error {
	x := c.Input(0)
	if x == nil {
		return nil
	}
	if x.HasShape() && len(x.Shape) != 2 && len(x.Shape) != 3 {
		return c.Errorf(CodeInvalid, "input has rank %d, want 3 (batch, sequence, hidden) or 2 (tokens, hidden)", len(x.Shape))
	}
	c.SetOutput(0, x)
	var stat Shape
	if x.HasShape() {
		stat = append(Shape(nil), x.Shape...)
		stat[len(stat)-1] = Known(1)
	}
	for i := 1; i < 3 && i < c.NumOutputs(); i++ {
		c.SetOutput(i, Tensor(onnxgraph.Float, stat))
	}
	if c.NumOutputs() > 3 {
		c.SetOutput(3, x)
	}
	return nil
}

// inferSimplifiedLayerNorm: Y like X; inv_std_var float, X's dims before
// axis and 1 after.
func inferSimplifiedLayerNorm(c *Ctx) error {
	x := c.Input(0)
	if x == nil {
		return nil
	}
	c.SetOutput(0, x)
	var stat Shape
	if x.HasShape() {
		ax, err := axis(c, c.Int("axis", -1), len(x.Shape))
		if err != nil {
			return err
		}
		stat = append(Shape(nil), x.Shape...)
		for i := ax; i < len(stat); i++ {
			stat[i] = Known(1)
		}
	}
	if c.NumOutputs() > 1 {
		c.SetOutput(1, Tensor(onnxgraph.Float, stat))
	}
	return nil
}

// inferEmbedLayerNorm is EmbedLayerNormalization and its quantized form:
// output [B, S, hidden] with hidden from the word embedding [vocab,
// hidden]; mask_index [B] int32; embedding_sum like output.
func inferEmbedLayerNorm(c *Ctx) error {
	elem, gammaIdx := c.Elem(2), 5
	if c.Node.OpType() == "QEmbedLayerNormalization" {
		elem = c.Elem(8) // the word embedding's scale
	}
	B, S, hidden := Unknown, Unknown, Unknown
	if ids, ok := c.InputShape(0); ok {
		if len(ids) != 2 {
			return c.Errorf(CodeInvalid, "input_ids has rank %d, want 2 (batch, sequence)", len(ids))
		}
		B, S = ids[0], ids[1]
	}
	if w, ok := c.InputShape(2); ok {
		if len(w) != 2 {
			return c.Errorf(CodeInvalid, "word embedding has rank %d, want 2", len(w))
		}
		hidden = w[1]
	}
	if g, ok := c.InputShape(gammaIdx); ok && len(g) == 1 {
		hidden = firstKnown(hidden, g[0])
	}
	out := Shape{B, S, hidden}
	c.SetOutput(0, Tensor(elem, out))
	if c.NumOutputs() > 1 {
		c.SetOutput(1, Tensor(onnxgraph.Int32, Shape{B}))
	}
	if c.NumOutputs() > 2 {
		c.SetOutput(2, Tensor(elem, out))
	}
	return nil
}

// inferFusedMatMul is FusedMatMul (and TransposeMatMul,
// FusedMatMulActivation): numpy matmul after the optional transposes.
// transA/transB swap the last two dims; transBatchA/transBatchB read the
// operand [d0, d1, ..., dn-2, dn-1] as [d1, ..., dn-2, d0, dn-1] (the
// first dim is the row dim, batch dims follow it).
func inferFusedMatMul(c *Ctx) error {
	elem := c.Elem(0)
	a, oka := c.InputShape(0)
	b, okb := c.InputShape(1)
	if !oka || !okb {
		c.SetOutput(0, Tensor(elem, nil))
		return nil
	}
	view := func(s Shape, trans, transBatch bool) Shape {
		s = append(Shape(nil), s...)
		if transBatch && len(s) > 2 {
			s = joinDims(s[1:len(s)-1], Shape{s[0], s[len(s)-1]})
		}
		if trans && len(s) >= 2 {
			s[len(s)-2], s[len(s)-1] = s[len(s)-1], s[len(s)-2]
		}
		return s
	}
	a = view(a, c.Int("transA", 0) != 0, c.Int("transBatchA", 0) != 0)
	b = view(b, c.Int("transB", 0) != 0, c.Int("transBatchB", 0) != 0)
	out, err := matmulShape(c, a, b)
	if err != nil {
		c.SetOutput(0, Tensor(elem, nil))
		return err
	}
	c.SetOutput(0, Tensor(elem, out))
	return nil
}

// inferGemmFloat8: Gemm's [M, N]; the element type from dtype when set,
// else C's, else A's.
func inferGemmFloat8(c *Ctx) error {
	err := inferGemm(c)
	elem := firstElem(onnxgraph.DataType(c.Int("dtype", 0)), c.Elem(2), c.Elem(0))
	if t := c.outs[0]; t != nil {
		c.SetOutput(0, Tensor(elem, t.Shape))
	}
	return err
}

// inferMsMatMul is numpy matmul of inputs 0 and 1 for GemmFastGelu,
// DynamicQuantizeMatMul, MatMulIntegerToFloat (the element type of its
// scales) and MatMulInteger16 (int32, or uint32 for two uint16 inputs).
func inferMsMatMul(c *Ctx) error {
	elem := c.Elem(0)
	switch c.Node.OpType() {
	case "MatMulIntegerToFloat":
		elem = c.Elem(2)
	case "MatMulInteger16":
		elem = onnxgraph.Int32
		if c.Elem(0) == onnxgraph.Uint16 && c.Elem(1) == onnxgraph.Uint16 {
			elem = onnxgraph.Uint32
		}
	}
	a, oka := c.InputShape(0)
	b, okb := c.InputShape(1)
	if !oka || !okb {
		c.SetOutput(0, Tensor(elem, nil))
		return nil
	}
	out, err := matmulShape(c, a, b)
	if err != nil {
		c.SetOutput(0, Tensor(elem, nil))
		return err
	}
	c.SetOutput(0, Tensor(elem, out))
	return nil
}

// inferMatMulNBits is the weight-quantized matrix products: A [..., K]
// gives [..., N]. N is the attribute (MatMulNBits, MatMulNBitsMlp,
// MatMulBnb4) or the weight's first dim (the block-quantized FP4/FP8
// forms); MatMulBnb4 with transB 0 gives [..., K] from A [..., N].
// MatMulNBitsMlp's input_skip_bias_sum has A's shape. The packed weight
// is checked against N, K, bits and block_size: MatMulNBits' B is [N,
// ceil(K/block_size), block_size*bits/8], its scales [N, ceil(K/block_size)].
func inferMatMulNBits(c *Ctx) error {
	op := c.Node.OpType()
	elem := c.Elem(0)
	a := c.Input(0)
	var n, k Dim
	switch op {
	case "MatMulBlockQuantizedFp4Weight", "MatMulBlockQuantizedFp8Weight":
		n, k = Unknown, Unknown
		if b, ok := c.InputShape(1); ok && len(b) == 2 {
			n, k = b[0], b[1]
			if op == "MatMulBlockQuantizedFp4Weight" {
				k = k.Mul(Known(2))
			}
		}
	default:
		nv, kv := c.Int("N", 0), c.Int("K", 0)
		if nv <= 0 || kv <= 0 {
			return c.Errorf(CodeInvalid, "K %d and N %d must be positive", kv, nv)
		}
		n, k = Known(nv), Known(kv)
		if op == "MatMulBnb4" && c.Int("transB", 1) == 0 {
			n, k = k, n
		}
	}
	if op == "MatMulNBits" {
		if err := checkNBitsWeight(c); err != nil {
			return err
		}
	}
	if !a.HasShape() {
		c.SetOutput(0, Tensor(elem, nil))
		return nil
	}
	if len(a.Shape) == 0 {
		return c.Errorf(CodeInvalid, "A is a scalar")
	}
	if _, err := mergeEqualDim(c, a.Shape[len(a.Shape)-1], k); err != nil {
		return c.Errorf(CodeInvalid, "A's last dim %v differs from K %v", a.Shape[len(a.Shape)-1], k)
	}
	out := append(Shape(nil), a.Shape...)
	out[len(out)-1] = n
	c.SetOutput(0, Tensor(elem, out))
	if c.NumOutputs() > 1 {
		c.SetOutput(1, a)
	}
	return nil
}

// checkNBitsWeight checks MatMulNBits' packed weight and scales against
// K, N, bits (default 4) and block_size.
func checkNBitsWeight(c *Ctx) error {
	nv, kv := c.Int("N", 0), c.Int("K", 0)
	bits, block := c.Int("bits", 4), c.Int("block_size", 0)
	if bits < 2 || bits > 8 {
		return c.Errorf(CodeInvalid, "bits %d must be 2 to 8", bits)
	}
	if block < 16 || block&(block-1) != 0 {
		return c.Errorf(CodeInvalid, "block_size %d must be a power of 2, at least 16", block)
	}
	blocks := ceilDivInt(kv, block)
	blob := Known(block).Mul(Known(bits)).FloorDiv(Known(8)) // past int64: unknown, so no shape fits
	want := []Shape{
		{Known(nv), Known(blocks), blob}, // B
		{Known(nv), Known(blocks)},       // scales
	}
	for i, w := range want {
		s, ok := c.InputShape(1 + i)
		if !ok {
			continue
		}
		// B may also be given flattened to [N, blocks*blob]; scales to
		// [N*blocks].
		if s.NumElements().Equal(w.NumElements()) {
			continue
		}
		if len(s) == len(w) {
			if _, err := mergeEqualShapes(c, s, w); err == nil {
				continue
			}
		}
		if n, ok := s.NumElements().Value(); ok {
			if wn, _ := w.NumElements().Value(); n != wn {
				return c.Errorf(CodeInvalid, "input %d has shape %v; K %d, N %d, bits %d and block_size %d give %v", 1+i, s, kv, nv, bits, block, w)
			}
		}
	}
	return nil
}

// inferMatMulNBitsQkv: Q [..., Nq], K and V [..., Nkv] from A [..., K];
// input_skip_bias_sum like A.
func inferMatMulNBitsQkv(c *Ctx) error {
	elem := c.Elem(0)
	a := c.Input(0)
	nq, nkv := c.Int("Nq", 0), c.Int("Nkv", 0)
	if nq <= 0 || nkv <= 0 {
		return c.Errorf(CodeInvalid, "Nq %d and Nkv %d must be positive", nq, nkv)
	}
	if !a.HasShape() {
		for i := range 3 {
			c.SetOutput(i, Tensor(elem, nil))
		}
		return nil
	}
	if len(a.Shape) == 0 {
		return c.Errorf(CodeInvalid, "A is a scalar")
	}
	for i, n := range []int64{nq, nkv, nkv} {
		out := append(Shape(nil), a.Shape...)
		out[len(out)-1] = Known(n)
		c.SetOutput(i, Tensor(elem, out))
	}
	if c.NumOutputs() > 3 {
		c.SetOutput(3, a)
	}
	return nil
}

// inferMatMulFpQ4: A [..., K] times B of shape B_shape [K, N] (a small
// integer input, read as data) gives [..., N].
func inferMatMulFpQ4(c *Ctx) error {
	elem := c.Elem(0)
	a := c.Input(0)
	bs, ok := dataToShape(c.Data(2))
	if !a.HasShape() {
		c.SetOutput(0, Tensor(elem, nil))
		return nil
	}
	if len(a.Shape) == 0 {
		return c.Errorf(CodeInvalid, "A is a scalar")
	}
	if !ok || len(bs) != 2 {
		out := append(Shape(nil), a.Shape...)
		out[len(out)-1] = c.Fresh()
		c.SetOutput(0, Tensor(elem, out))
		return c.Errorf(CodeDataDependent, "B's shape is the value of B_shape, known only at run time")
	}
	out, err := matmulShape(c, a.Shape, bs)
	if err != nil {
		return err
	}
	c.SetOutput(0, Tensor(elem, out))
	return checkQ4Blob(c, bs)
}

// checkQ4Blob checks the size of MatMulFpQ4's packed B against B_shape
// [K, N] for the block formats whose layout is known: blocks of 32 along K,
// each column's blocks a float scale, (BlkQ4Zp8, the default) a uint8 zero
// point, and 16 bytes of 4-bit values. ONNX Runtime refuses another size.
func checkQ4Blob(c *Ctx, bs Shape) error {
	qt := c.Int("blk_quant_type", 1)
	blob := map[int64]int64{0: 20, 1: 21}[qt]
	b, ok := c.InputShape(1)
	k, kok := bs[0].Value()
	n, nok := bs[1].Value()
	if blob == 0 || !ok || !kok || !nok {
		return nil
	}
	have, known := b.NumElements().Value()
	if want := n * ((k + 31) / 32) * blob; known && have != want {
		return c.Errorf(CodeInvalid, "B holds %d bytes; blk_quant_type %d packs B_shape [%d,%d] in %d (%d bytes per block of 32)", have, qt, k, n, want, blob)
	}
	return nil
}

// inferSparseToDenseMatMul: sparse A [M, K] (transA) times dense B [K, N]
// (transB) gives [M, N] of B's element type.
func inferSparseToDenseMatMul(c *Ctx) error {
	elem := c.Elem(1)
	m, n := Unknown, Unknown
	// A is a sparse tensor: InputShape reads dense ones only.
	if a := c.Input(0); a != nil && a.Kind == KindSparseTensor && len(a.Shape) == 2 {
		m = a.Shape[0]
		if c.Int("transA", 0) != 0 {
			m = a.Shape[1]
		}
	}
	if b, ok := c.InputShape(1); ok {
		if len(b) != 2 {
			return c.Errorf(CodeInvalid, "B has rank %d, want 2", len(b))
		}
		n = b[1]
		if c.Int("transB", 0) != 0 {
			n = b[0]
		}
	}
	c.SetOutput(0, Tensor(elem, Shape{m, n}))
	return nil
}

// inferCDist: A [M, N] and B [K, N] give the distances [M, K].
func inferCDist(c *Ctx) error {
	elem := c.Elem(0)
	a, oka := c.InputShape(0)
	b, okb := c.InputShape(1)
	out := Shape{Unknown, Unknown}
	if oka {
		if len(a) != 2 {
			return c.Errorf(CodeInvalid, "A has rank %d, want 2", len(a))
		}
		out[0] = a[0]
	}
	if okb {
		if len(b) != 2 {
			return c.Errorf(CodeInvalid, "B has rank %d, want 2", len(b))
		}
		out[1] = b[0]
		if oka {
			if _, err := mergeEqualDim(c, a[1], b[1]); err != nil {
				return c.Errorf(CodeInvalid, "A %v and B %v differ in their second dim", a, b)
			}
		}
	}
	c.SetOutput(0, Tensor(elem, out))
	return nil
}

// channelsLastWindow computes the output of a channels-last convolution or
// pooling: x [N, spatial..., C] gives [N, spatial'..., channels].
func channelsLastWindow(c *Ctx, x Shape, wspatial Shape, channels Dim) (Shape, error) {
	r := len(x)
	if r < 3 {
		return nil, c.Errorf(CodeInvalid, "input has rank %d, want at least 3 (N, spatial..., C)", r)
	}
	win, err := readWindow(c, r-2, wspatial)
	if err != nil {
		return nil, err
	}
	out := make(Shape, r)
	out[0], out[r-1] = x[0], channels
	for i := range r - 2 {
		out[1+i] = Unknown
		if win == nil {
			continue
		}
		if out[1+i], err = win.out(c, i, x[1+i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// channelsLastConv computes a channels-last convolution: x [N,
// spatial..., C] and the weight, input wi, [M, C/group, k...] give [N,
// spatial'..., M].
func channelsLastConv(c *Ctx, x Shape, wi int) (Shape, error) {
	m := Unknown
	var wspatial Shape
	if w, ok := c.InputShape(wi); ok {
		if len(w) != len(x) {
			return nil, c.Errorf(CodeInvalid, "weight has rank %d, input %d", len(w), len(x))
		}
		if len(w) >= 3 { // else channelsLastWindow rejects x's rank
			m, wspatial = w[0], w[2:]
		}
	}
	return channelsLastWindow(c, x, wspatial, m)
}

// inferNhwcConv is NhwcConv and NhwcFusedConv: X [N, spatial..., C] and W
// [M, C/group, k...] give [N, spatial'..., M].
func inferNhwcConv(c *Ctx) error {
	elem := c.Elem(0)
	x, ok := c.InputShape(0)
	if !ok {
		c.SetOutput(0, Tensor(elem, nil))
		return nil
	}
	out, err := channelsLastConv(c, x, 1)
	if err != nil {
		c.SetOutput(0, Tensor(elem, nil))
		return err
	}
	c.SetOutput(0, Tensor(elem, out))
	return nil
}

// inferNhwcPool: X [N, spatial..., C] gives [N, spatial'..., C].
func inferNhwcPool(c *Ctx) error {
	x := rankedInput(c)
	if x == nil {
		return nil
	}
	if len(x.Shape) < 3 {
		return c.Errorf(CodeInvalid, "X has rank %d, want at least 3 (N, spatial..., C)", len(x.Shape))
	}
	out, err := channelsLastWindow(c, x.Shape, nil, x.Shape[len(x.Shape)-1])
	if err != nil {
		c.SetOutput(0, Tensor(x.Elem, nil))
		return err
	}
	c.SetOutput(0, Tensor(x.Elem, out))
	return nil
}

// inferConvTransposeWithDynamicPads: ConvTranspose whose pads come from
// the optional Pads input ([2*spatial], begins then ends) instead of the
// attributes; without it, the attributes apply.
func inferConvTransposeWithDynamicPads(c *Ctx) error {
	if !c.HasInput(2) {
		return inferConvTranspose(c)
	}
	if pads, known := c.Data(2).KnownInts(); known {
		return convTranspose(c, pads)
	}
	elem := c.Elem(0)
	group := c.Int("group", 1)
	if group <= 0 {
		return c.Errorf(CodeInvalid, "group %d must be positive", group)
	}
	x, ok := c.InputShape(0)
	if !ok {
		c.SetOutput(0, Tensor(elem, nil))
		return nil
	}
	r := len(x)
	if r < 3 {
		return c.Errorf(CodeInvalid, "input has rank %d, want at least 3 (N, C, spatial...)", r)
	}
	out := make(Shape, r)
	out[0], out[1] = x[0], Unknown
	if w, ok := c.InputShape(1); ok {
		if len(w) != r {
			return c.Errorf(CodeInvalid, "weight has rank %d, input %d", len(w), r)
		}
		out[1] = w[1].Mul(Known(group))
	}
	for i := 2; i < r; i++ {
		out[i] = c.Fresh()
	}
	c.SetOutput(0, Tensor(elem, out))
	return c.Errorf(CodeDataDependent, "the pads are the value of input Pads, known only at run time")
}

// inferCropAndResize: X [N, C, H, W], rois [R, 4] and crop_size [h, w]
// (read as data) give [R, C, h, w].
func inferCropAndResize(c *Ctx) error {
	elem := c.Elem(0)
	out := Shape{Unknown, Unknown, Unknown, Unknown}
	if x, ok := c.InputShape(0); ok {
		if len(x) != 4 {
			return c.Errorf(CodeInvalid, "X has rank %d, want 4", len(x))
		}
		out[1] = x[1]
	}
	if r, ok := c.InputShape(1); ok {
		if len(r) != 2 {
			return c.Errorf(CodeInvalid, "rois has rank %d, want 2", len(r))
		}
		out[0] = r[0]
	}
	if b, ok := c.InputShape(2); ok && len(b) == 1 {
		out[0] = firstKnown(out[0], b[0])
	}
	d := c.Data(3)
	if d == nil || d.Ints == nil || len(d.Ints) != 2 {
		out[2], out[3] = c.Fresh(), c.Fresh()
		c.SetOutput(0, Tensor(elem, out))
		return c.Errorf(CodeDataDependent, "the crop size is the value of crop_size, known only at run time")
	}
	for i, v := range d.Ints {
		if n, ok := v.Value(); ok && n <= 0 {
			return c.Errorf(CodeInvalid, "crop_size %d on axis %d must be positive", n, i)
		}
	}
	out[2], out[3] = d.Ints[0], d.Ints[1]
	c.SetOutput(0, Tensor(elem, out))
	return nil
}

// inferMsCausalConv is CausalConvWithState (com.microsoft) and its
// variable-length form. The output is like the input; the carry state
// holds (k-1)*dilation positions: present_state [B, C, state] (leading
// [W] with state_window W > 0; [B, state, d...] channels-last), and the
// variable-length form's final_state is [B, C, state] with B from
// cumulative_sequence_length, its state_update [B, capacity, C].
func inferMsCausalConv(c *Ctx) error {
	x := c.Input(0)
	if x == nil {
		return nil
	}
	c.SetOutput(0, x)
	dil := c.Int("dilation", 1)
	if dil < 1 {
		return c.Errorf(CodeInvalid, "dilation %d must be at least 1", dil)
	}
	state := Unknown
	if w, ok := c.InputShape(1); ok && len(w) >= 3 {
		state = w[len(w)-1].Sub(Known(1)).Mul(Known(dil))
	}
	if c.Node.OpType() == "VarlenCausalConvWithState" {
		B := Unknown
		if cu, ok := c.InputShape(2); ok && len(cu) == 1 {
			B = cu[0].Sub(Known(1))
		}
		ch := Unknown
		if x.HasShape() && len(x.Shape) == 2 {
			ch = x.Shape[1]
		}
		if c.HasOutput(1) {
			st := Shape{B, ch, state}
			if s, ok := c.InputShape(4); ok && len(s) == 3 {
				for i := range st {
					st[i] = firstKnown(st[i], s[i])
				}
			}
			c.SetOutput(1, Tensor(x.Elem, st))
		}
		if c.HasOutput(2) {
			capacity, err := countAttr(c, "state_update_capacity", 0)
			if err != nil {
				return err
			}
			c.SetOutput(2, Tensor(x.Elem, Shape{B, Known(capacity), ch}))
		}
		return nil
	}
	if !c.HasOutput(1) {
		return nil
	}
	var st Shape
	if x.HasShape() {
		if len(x.Shape) < 3 {
			return c.Errorf(CodeInvalid, "input has rank %d, want at least 3 (batch, channels and length...)", len(x.Shape))
		}
		if c.Int("channels_last", 0) != 0 {
			st = append(Shape{x.Shape[0], state}, x.Shape[2:]...)
		} else {
			nd := c.Int("ndim", 1)
			st = append(Shape{x.Shape[0], x.Shape[1]}, x.Shape[2:len(x.Shape)-1]...)
			st = append(st, state)
			if int64(len(x.Shape)-2) != nd {
				return c.Errorf(CodeInvalid, "input has %d spatial dims, ndim is %d", len(x.Shape)-2, nd)
			}
		}
		if w := c.Int("state_window", 0); w > 0 {
			st = append(Shape{Known(w)}, st...)
		}
	}
	c.SetOutput(1, Tensor(x.Elem, st))
	return nil
}

// inferExpandDims: the input with a 1 inserted at axis (an int32 scalar
// input, read as data).
func inferExpandDims(c *Ctx) error {
	x := rankedInput(c)
	if x == nil {
		return nil
	}
	r := len(x.Shape)
	a, ok := scalarDim(c.Data(1))
	av, known := a.Value()
	if !ok || !known {
		c.SetOutput(0, Tensor(x.Elem, freshShape(c, r+1)))
		return c.Errorf(CodeDataDependent, "the axis is the value of input axis, known only at run time")
	}
	ax, err := axis(c, av, r+1)
	if err != nil {
		return err
	}
	out := joinDims(x.Shape[:ax], Shape{Known(1)}, x.Shape[ax:])
	c.SetOutput(0, Tensor(x.Elem, out))
	return nil
}

// inferMsPad: each dim grows by its begin and end pads, read as data from
// pads ([2*rank] or [1, 2*rank]).
func inferMsPad(c *Ctx) error {
	x := rankedInput(c)
	if x == nil {
		return nil
	}
	r := len(x.Shape)
	d := c.Data(1)
	if d == nil || d.Ints == nil {
		c.SetOutput(0, Tensor(x.Elem, freshShape(c, r)))
		return c.Errorf(CodeDataDependent, "the pads are computed at run time")
	}
	if len(d.Ints) != 2*r {
		return c.Errorf(CodeInvalid, "%d pads for rank %d", len(d.Ints), r)
	}
	out := make(Shape, r)
	for i := range out {
		out[i] = x.Shape[i].Add(d.Ints[i]).Add(d.Ints[i+r])
	}
	c.SetOutput(0, Tensor(x.Elem, out))
	return nil
}

// inferMsRange is Range with an optional delta (1 when absent).
func inferMsRange(c *Ctx) error {
	if c.HasInput(2) {
		return inferRange(c)
	}
	one := &Data{Ints: []Dim{Known(1)}}
	if isFloatData(c.Data(0)) {
		one = &Data{Floats: []float64{1}}
	}
	return rangeBy(c, one)
}

// inferMsUnique: a 1-D input gives the unique values and their counts
// (a size known at run time) and idx of the input's length.
func inferMsUnique(c *Ctx) error {
	x := c.Input(0)
	if x == nil {
		return nil
	}
	u := c.Fresh()
	c.SetOutput(0, Tensor(x.Elem, Shape{u}))
	idx := Shape{Unknown}
	if x.HasShape() {
		idx = Shape{x.Shape.NumElements()}
	}
	c.SetOutput(1, Tensor(onnxgraph.Int64, idx))
	c.SetOutput(2, Tensor(onnxgraph.Int64, Shape{u}))
	return c.Errorf(CodeDataDependent, "the number of unique values is known only at run time")
}

// inferTorchEmbedding: indices' shape followed by the embedding size
// (weight's second dim).
func inferTorchEmbedding(c *Ctx) error {
	elem := c.Elem(0)
	idx, ok := c.InputShape(1)
	if !ok {
		c.SetOutput(0, Tensor(elem, nil))
		return nil
	}
	m := Unknown
	if w, ok := c.InputShape(0); ok && len(w) == 2 {
		m = w[1]
	}
	c.SetOutput(0, Tensor(elem, joinDims(idx, Shape{m})))
	return nil
}

// inferUnfoldTensor: dim becomes (size_dim - size)/step + 1 slices, and a
// last dim of size is appended.
func inferUnfoldTensor(c *Ctx) error {
	x := rankedInput(c)
	if x == nil {
		return nil
	}
	size, step := c.Int("size", 0), c.Int("step", 1)
	if size <= 0 || step <= 0 {
		return c.Errorf(CodeInvalid, "size %d and step %d must be positive", size, step)
	}
	ax, err := axis(c, c.Int("dim", -1), len(x.Shape))
	if err != nil {
		return err
	}
	if v, ok := x.Shape[ax].Value(); ok && v < size {
		return c.Errorf(CodeInvalid, "size %d is larger than dim %d (%d)", size, ax, v)
	}
	out := append(Shape(nil), x.Shape...)
	out[ax] = x.Shape[ax].Sub(Known(size)).FloorDiv(Known(step)).Add(Known(1))
	c.SetOutput(0, Tensor(x.Elem, append(out, Known(size))))
	return nil
}

// inferRfft: a real signal of length n on the last dim gives [..., n/2+1,
// 2] (real and imaginary parts).
func inferRfft(c *Ctx) error {
	x := rankedInput(c)
	if x == nil {
		return nil
	}
	r := len(x.Shape)
	if r < 1 {
		return c.Errorf(CodeInvalid, "input is a scalar")
	}
	out := append(Shape(nil), x.Shape[:r-1]...)
	out = append(out, x.Shape[r-1].FloorDiv(Known(2)).Add(Known(1)), Known(2))
	c.SetOutput(0, Tensor(x.Elem, out))
	return nil
}

// inferIrfft: [..., m, 2] gives the real signal [..., 2*(m-1)].
func inferIrfft(c *Ctx) error {
	x := rankedInput(c)
	if x == nil {
		return nil
	}
	r := len(x.Shape)
	if r < 2 {
		return c.Errorf(CodeInvalid, "input has rank %d, want at least 2", r)
	}
	out := append(Shape(nil), x.Shape[:r-2]...)
	out = append(out, x.Shape[r-2].Sub(Known(1)).Mul(Known(2)))
	c.SetOutput(0, Tensor(x.Elem, out))
	return nil
}

// inferTokenizer: [C] or [N, C] strings give [C, D] or [N, C, D], D the
// most tokens of a string, known only at run time; an input of no strings
// (C known to be 0) gives itself, [0] or [N, 0].
func inferTokenizer(c *Ctx) error {
	x := rankedInput(c)
	if x == nil {
		return nil
	}
	if len(x.Shape) != 1 && len(x.Shape) != 2 {
		return c.Errorf(CodeInvalid, "input has rank %d, want 1 or 2", len(x.Shape))
	}
	if n, ok := x.Shape[len(x.Shape)-1].Value(); ok && n == 0 {
		c.SetOutput(0, Tensor(x.Elem, x.Shape))
		return nil
	}
	c.SetOutput(0, Tensor(x.Elem, joinDims(x.Shape, Shape{c.Fresh()})))
	return c.Errorf(CodeDataDependent, "the number of tokens is known only at run time")
}

// inferWordConvEmbedding: word indices [sequence, word length] give
// [sequence, embedding size], the embedding size from the attribute or
// the convolution's filter count. ONNX Runtime reads any input as
// [dim 0, dim 1]: the output is [dim 0, embedding size] whatever the rank.
func inferWordConvEmbedding(c *Ctx) error {
	elem := c.Elem(1)
	x, ok := c.InputShape(0)
	if !ok {
		c.SetOutput(0, Tensor(elem, nil))
		return nil
	}
	if len(x) < 2 {
		return c.Errorf(CodeInvalid, "the sequence has rank %d, want 2 (sequence, word length)", len(x))
	}
	e := Unknown
	if a := c.Attr("embedding_size"); a != nil && a.I != nil {
		if a.GetI() <= 0 {
			return c.Errorf(CodeInvalid, "embedding_size %d must be positive", a.GetI())
		}
		e = Known(a.GetI())
	} else if w, ok := c.InputShape(1); ok && len(w) > 0 {
		e = w[0]
	}
	c.SetOutput(0, Tensor(elem, Shape{x[0], e}))
	return nil
}

// inferBifurcationDetector: the merged tokens' length is known only at
// run time; the suffix match index is an int64 scalar.
func inferBifurcationDetector(c *Ctx) error {
	c.SetOutput(0, Tensor(onnxgraph.Int64, Shape{c.Fresh()}))
	c.SetOutput(1, Tensor(onnxgraph.Int64, Shape{}))
	return c.Errorf(CodeDataDependent, "the number of merged tokens is known only at run time")
}

// inferDynamicTimeWarping: the path [2, x], x known only at run time.
func inferDynamicTimeWarping(c *Ctx) error {
	c.SetOutput(0, Tensor(onnxgraph.Int32, Shape{Known(2), c.Fresh()}))
	return c.Errorf(CodeDataDependent, "the length of the warping path is known only at run time")
}

// inferNGramHashMapping: hash ids [B, S, (max_ngram_size-1)*n_head_per_ngram]
// ([T, ...] for the variable-length form), present ids (and segment ids)
// [B, max_ngram_size-1], B from cumulative_sequence_length for the
// variable-length form.
func inferNGramHashMapping(c *Ctx) error {
	elem := c.Elem(0)
	m, heads := c.Int("max_ngram_size", 0), c.Int("n_head_per_ngram", 0)
	if m < 2 || heads < 1 {
		return c.Errorf(CodeInvalid, "max_ngram_size %d must be at least 2, n_head_per_ngram %d positive", m, heads)
	}
	w, ok := mulInt(m-1, heads)
	if !ok {
		return c.Errorf(CodeInvalid, "(max_ngram_size-1)*n_head_per_ngram is past int64 (%d and %d)", m, heads)
	}
	width := Known(w)
	ids, ok := c.InputShape(0)
	B := Unknown
	varlen := c.Node.OpType() == "VarlenNGramHashMapping"
	if ok {
		c.SetOutput(0, Tensor(elem, joinDims(ids, Shape{width})))
		if !varlen && len(ids) > 0 {
			B = ids[0]
		}
	} else {
		c.SetOutput(0, Tensor(elem, nil))
	}
	if varlen {
		if cu, ok := c.InputShape(3); ok && len(cu) == 1 {
			B = cu[0].Sub(Known(1))
		}
	}
	for i := 1; i < c.NumOutputs(); i++ {
		e := elem
		if i == 2 {
			e = onnxgraph.Int32
		}
		c.SetOutput(i, Tensor(e, Shape{B, Known(m - 1)}))
	}
	return nil
}

// inferDynamicQuantizeLSTM: LSTM's outputs; W is [dirs, input, 4*hidden]
// and R [dirs, hidden, 4*hidden], so hidden_size comes from R's second dim.
func inferDynamicQuantizeLSTM(c *Ctx) error {
	elem := c.Elem(0)
	dirs := int64(1)
	if c.String("direction", "forward") == "bidirectional" {
		dirs = 2
	}
	hidden := Unknown
	if a := c.Attr("hidden_size"); a != nil && a.I != nil {
		if a.GetI() <= 0 {
			return c.Errorf(CodeInvalid, "hidden_size %d must be positive", a.GetI())
		}
		hidden = Known(a.GetI())
	} else if r, ok := c.InputShape(2); ok && len(r) == 3 {
		hidden = r[1]
	}
	seq, batch := Unknown, Unknown
	if x, ok := c.InputShape(0); ok {
		if len(x) != 3 {
			return c.Errorf(CodeInvalid, "X has rank %d, want 3", len(x))
		}
		seq, batch = x[0], x[1]
	}
	nd := Known(dirs)
	c.SetOutput(0, Tensor(elem, Shape{seq, nd, batch, hidden}))
	for i := 1; i < c.NumOutputs(); i++ {
		c.SetOutput(i, Tensor(elem, Shape{nd, batch, hidden}))
	}
	return nil
}
