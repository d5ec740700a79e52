package shapeinfer

import (
	"github.com/onnxgraph/onnxgraph"
)

// ONNX Runtime's attention and generation operators (com.microsoft): KV
// caches grow as present = past + the new sequence, heads come from
// num_heads and kv_num_heads, packed QKV inputs split by head counts.

var contribAttentionTable = join(
	all(inferMsAttention, versions(ms, "Attention", 1), versions(ms, "QAttention", 1), versions(ms, "DecoderMaskedSelfAttention", 1)),
	all(inferMultiHeadAttention, versions(ms, "MultiHeadAttention", 1), versions(ms, "DecoderMaskedMultiHeadAttention", 1)),
	all(inferGroupQueryAttention, versions(ms, "GroupQueryAttention", 1), versions(ms, "SparseAttention", 1)),
	all(inferPagedAttention, versions(ms, "PagedAttention", 1)),
	all(inferDecoderAttention, versions(ms, "DecoderAttention", 1)),
	all(inferPackedAttention, versions(ms, "PackedAttention", 1), versions(ms, "PackedMultiHeadAttention", 1)),
	all(inferQOrderedAttention, versions(ms, "QOrderedAttention", 1)),
	all(inferOutputLike(0), versions(ms, "QOrderedLongformerAttention", 1)),
	all(inferMsLinearAttention, versions(ms, "LinearAttention", 1)),
	all(inferGatedDeltaNet, versions(ms, "GatedDeltaNet", 1)),
	all(inferRelativePositionBias, versions(ms, "RelativePositionBias", 1)),
	all(inferGatedRelativePositionBias, versions(ms, "GatedRelativePositionBias", 1)),
	all(inferRemovePadding, versions(ms, "RemovePadding", 1)),
	all(inferRestorePadding, versions(ms, "RestorePadding", 1)),
	all(inferGeneration,
		versions(ms, "BeamSearch", 1), versions(ms, "WhisperBeamSearch", 1),
		versions(ms, "GreedySearch", 1), versions(ms, "Sampling", 1),
	),
)

// numHeads returns the positive num_heads-like attribute name; required
// says whether its absence is an error.
func numHeads(c *Ctx, name string) (int64, error) {
	n, ok, err := headsAttr(c, name)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, c.Errorf(CodeInvalid, "attribute %s is required", name)
	}
	return n, nil
}

// packedHeads returns the head count of a packed QKV input: num_heads +
// 2*kv_num_heads.
func packedHeads(c *Ctx, n, nkv int64) (int64, error) {
	kv, ok := mulInt(2, nkv)
	if ok {
		kv, ok = addInt(n, kv)
	}
	if !ok {
		return 0, c.Errorf(CodeInvalid, "num_heads %d + 2*kv_num_heads %d is past int64", n, nkv)
	}
	return kv, nil
}

// positiveSizes fails unless every value of sizes (attribute name) is
// positive.
func positiveSizes(c *Ctx, name string, sizes []int64) error {
	for _, v := range sizes {
		if v <= 0 {
			return c.Errorf(CodeInvalid, "%s %v must be positive", name, sizes)
		}
	}
	return nil
}

// divHeads returns hidden/heads, failing when a known hidden size is not
// a multiple of heads.
func divHeads(c *Ctx, what string, hidden Dim, heads int64) (Dim, error) {
	if v, ok := hidden.Value(); ok && v%heads != 0 {
		return Unknown, c.Errorf(CodeInvalid, "%s %d is not divisible by %d heads", what, v, heads)
	}
	return exactDiv(hidden, Known(heads)), nil
}

// inferMsAttention is Attention, QAttention and DecoderMaskedSelfAttention,
// whose Q, K and V are projected inside by one merged weight [in, Hq + Hk
// + Hv] (qkv_hidden_sizes, else three equal parts): output [B, S, Hv];
// present [2, B, N, past+S, Hq/N], or past's shape when
// past_present_share_buffer is set.
func inferMsAttention(c *Ctx) error {
	op := c.Node.OpType()
	elem := c.Elem(0)
	if op == "QAttention" {
		elem = firstElem(c.Elem(2), c.Elem(3))
	}
	n, err := numHeads(c, "num_heads")
	if err != nil {
		return err
	}
	var hq, hv Dim
	if sizes, ok := c.Ints("qkv_hidden_sizes"); ok && len(sizes) > 0 {
		if len(sizes) != 3 {
			return c.Errorf(CodeInvalid, "qkv_hidden_sizes has %d values, want 3", len(sizes))
		}
		if err := positiveSizes(c, "qkv_hidden_sizes", sizes); err != nil {
			return err
		}
		hq, hv = Known(sizes[0]), Known(sizes[2])
	} else {
		total := Unknown
		if w, ok := c.InputShape(1); ok && len(w) == 2 {
			total = w[1]
		} else if b, ok := c.InputShape(2); ok && len(b) == 1 {
			total = b[0]
		}
		if v, ok := total.Value(); ok && v%3 != 0 {
			return c.Errorf(CodeInvalid, "the merged Q, K, V size %d is not divisible by 3", v)
		}
		hq = exactDiv(total, Known(3))
		hv = hq
	}
	B, S := Unknown, Unknown
	if x, ok := c.InputShape(0); ok {
		if len(x) != 3 {
			return c.Errorf(CodeInvalid, "input has rank %d, want 3 (batch, sequence, hidden)", len(x))
		}
		B, S = x[0], x[1]
	}
	c.SetOutput(0, Tensor(elem, Shape{B, S, hv}))
	if !c.HasOutput(1) {
		return nil
	}
	head, err := divHeads(c, "hidden size", hq, n)
	if err != nil {
		return err
	}
	pastIdx := 4
	if op == "QAttention" {
		pastIdx = 8
	}
	past, hasPast := c.InputShape(pastIdx)
	if c.HasInput(pastIdx) && hasPast && len(past) != 5 {
		return c.Errorf(CodeInvalid, "past has rank %d, want 5 (2, batch, heads, length, head size)", len(past))
	}
	present := Shape{Known(2), B, Known(n), S, head}
	switch {
	case !c.HasInput(pastIdx):
	case !hasPast:
		present[3] = Unknown
	case c.Int("past_present_share_buffer", 0) != 0:
		present = past
	default:
		present = Shape{Known(2), firstKnown(B, past[1]), Known(n), past[3].Add(S), firstKnown(head, past[4])}
	}
	c.SetOutput(1, Tensor(elem, present))
	return nil
}

// mhaShapes holds the sizes a MultiHeadAttention reads from its inputs.
type mhaShapes struct {
	B, S, L  Dim // batch, query length, new key/value length
	head     Dim // Q and K head size
	vhead    Dim // V head size
	cachedKV bool
}

// inferMultiHeadAttention is MultiHeadAttention and
// DecoderMaskedMultiHeadAttention. Q is [B, S, N*H] or packed QKV ([B, S,
// N, 3, H]; [B, 1, 3*N*H] for the decoder-masked form); K and V are [B, L,
// N*H], packed KV [B, L, N, 2, H], or, for cross attention, caches [B, N,
// L, H] used as they are. Output [B, S, N*Hv]; present_key/value [B, N,
// past+L, H] (past's shape when the buffers are shared); qk [B, N, S,
// past+L].
func inferMultiHeadAttention(c *Ctx) error {
	dmmha := c.Node.OpType() == "DecoderMaskedMultiHeadAttention"
	elem := c.Elem(0)
	n, err := numHeads(c, "num_heads")
	if err != nil {
		return err
	}
	nd := Known(n)
	var sh mhaShapes
	sh.B, sh.S, sh.L, sh.head, sh.vhead = Unknown, Unknown, Unknown, Unknown, Unknown
	q, qok := c.InputShape(0)
	k, kok := c.InputShape(1)
	v, vok := c.InputShape(2)
	kok, vok = kok && c.HasInput(1), vok && c.HasInput(2)
	if qok {
		switch {
		case len(q) == 5:
			sh.B, sh.S, sh.L, sh.head, sh.vhead = q[0], q[1], q[1], q[4], q[4]
		case len(q) == 3:
			sh.B, sh.S = q[0], q[1]
			hidden := q[2]
			if dmmha && !c.HasInput(1) {
				hidden = exactDiv(hidden, Known(3)) // packed QKV of equal sizes
				sh.L = sh.S
			}
			if sh.head, err = divHeads(c, "query hidden size", hidden, n); err != nil {
				return err
			}
			sh.vhead = sh.head
		default:
			return c.Errorf(CodeInvalid, "query has rank %d, want 3 or 5", len(q))
		}
	}
	if kok {
		switch len(k) {
		case 5: // packed KV
			sh.L, sh.vhead = k[1], k[4]
		case 4: // a cache used as the key
			sh.L, sh.cachedKV = k[2], true
		case 3:
			sh.L = k[1]
		default:
			return c.Errorf(CodeInvalid, "key has rank %d, want 3, 4 or 5", len(k))
		}
	}
	if vok {
		switch len(v) {
		case 4:
			sh.vhead, sh.L = v[3], firstKnown(sh.L, v[2])
		case 3:
			vh, err := divHeads(c, "value hidden size", v[2], n)
			if err != nil {
				return err
			}
			sh.vhead, sh.L = vh, firstKnown(sh.L, v[1])
		default:
			return c.Errorf(CodeInvalid, "value has rank %d, want 3 or 4", len(v))
		}
	}
	if !kok && !vok && qok && len(q) == 3 && !dmmha {
		sh.L = sh.S
	}
	c.SetOutput(0, Tensor(elem, Shape{sh.B, sh.S, nd.Mul(sh.vhead)}))
	pastIdx := 6
	if dmmha {
		pastIdx = 5
	}
	shared := c.Int("past_present_share_buffer", 0) != 0 || (!dmmha && c.HasInput(8))
	total := sh.L
	pk, pkok := c.InputShape(pastIdx)
	pv, pvok := c.InputShape(pastIdx + 1)
	presentK := Shape{sh.B, nd, sh.L, sh.head}
	presentV := Shape{sh.B, nd, sh.L, sh.vhead}
	switch {
	case sh.cachedKV:
		if kok {
			presentK = k
		}
		if vok && len(v) == 4 {
			presentV = v
		}
	case c.HasInput(pastIdx) && pkok && len(pk) != 4:
		return c.Errorf(CodeInvalid, "past_key has rank %d, want 4", len(pk))
	case c.HasInput(pastIdx) && !pkok:
		presentK[2], presentV[2], total = Unknown, Unknown, Unknown
	case c.HasInput(pastIdx) && shared:
		presentK = pk
		if pvok {
			presentV = pv
		}
		total = Unknown
		if d, ok := scalarDim(c.Data(pastIdx + 2)); ok {
			total = d.Add(sh.L)
		}
	case c.HasInput(pastIdx):
		total = pk[2].Add(sh.L)
		presentK = Shape{firstKnown(sh.B, pk[0]), nd, total, firstKnown(sh.head, pk[3])}
		presentV = Shape{presentK[0], nd, total, sh.vhead}
		if pvok && len(pv) == 4 {
			presentV[3] = firstKnown(sh.vhead, pv[3])
		}
	}
	if c.HasOutput(1) {
		c.SetOutput(1, Tensor(firstElem(c.Elem(pastIdx), elem), presentK))
	}
	if c.HasOutput(2) {
		c.SetOutput(2, Tensor(firstElem(c.Elem(pastIdx+1), elem), presentV))
	}
	if c.HasOutput(3) {
		qk := Shape{sh.B, nd, sh.S, total}
		if total.IsUnknown() {
			qk[3] = c.Fresh()
			c.SetOutput(3, Tensor(elem, qk))
			return c.Errorf(CodeDataDependent, "with shared buffers the attended length is past_sequence_length+1, known only at run time")
		}
		c.SetOutput(3, Tensor(elem, qk))
	}
	return nil
}

// inferGroupQueryAttention is GroupQueryAttention and SparseAttention. Q
// is [B, S, N*H] with K and V [B, L, Nkv*H], or packed QKV [B, S,
// (N+2*Nkv)*H]. Output [B, S, N*H]. present_key/value are [B, Nkv, P', H]:
// SparseAttention (and GroupQueryAttention with sliding_window_cache)
// keeps past's shape; otherwise P' is the greater of past's length and
// total_sequence_length (read as data), as ONNX Runtime computes it. When
// that value is not known, P' is past+L, the length a cache that is not
// shared grows to (total_sequence_length is past+new by the operator's
// definition; a shared buffer, where past is the whole buffer, needs the
// value to be known). Without past, P' is total_sequence_length or L.
// output_qk is [B, N, S, P'].
func inferGroupQueryAttention(c *Ctx) error {
	sparse := c.Node.OpType() == "SparseAttention"
	elem := c.Elem(0)
	n, err := numHeads(c, "num_heads")
	if err != nil {
		return err
	}
	nkv, err := numHeads(c, "kv_num_heads")
	if err != nil {
		return err
	}
	if n%nkv != 0 {
		return c.Errorf(CodeInvalid, "num_heads %d is not a multiple of kv_num_heads %d", n, nkv)
	}
	B, S, L, H := Unknown, Unknown, Unknown, Unknown
	if q, ok := c.InputShape(0); ok {
		if len(q) != 3 {
			return c.Errorf(CodeInvalid, "query has rank %d, want 3 (batch, sequence, hidden)", len(q))
		}
		B, S, L = q[0], q[1], q[1]
		heads := n
		if !c.HasInput(1) { // packed QKV
			if heads, err = packedHeads(c, n, nkv); err != nil {
				return err
			}
		}
		if H, err = divHeads(c, "query hidden size", q[2], heads); err != nil {
			return err
		}
	}
	if k, ok := c.InputShape(1); ok && c.HasInput(1) {
		if len(k) != 3 {
			return c.Errorf(CodeInvalid, "key has rank %d, want 3 (batch, sequence, hidden)", len(k))
		}
		L = firstKnown(L, k[1])
		kh, err := divHeads(c, "key hidden size", k[2], nkv)
		if err != nil {
			return err
		}
		if _, err := mergeEqualDim(c, H, kh); err != nil {
			return c.Errorf(CodeInvalid, "query head size %v differs from key's %v", H, kh)
		}
		H = firstKnown(H, kh)
	}
	c.SetOutput(0, Tensor(elem, Shape{B, S, Known(n).Mul(H)}))
	past, pok := c.InputShape(3)
	hasPast := c.HasInput(3)
	if hasPast && pok && len(past) != 4 {
		return c.Errorf(CodeInvalid, "past_key has rank %d, want 4", len(past))
	}
	totalIdx := 6
	if sparse {
		totalIdx = 7
	}
	total, totalKnown := scalarDim(c.Data(totalIdx))
	totalKnown = totalKnown && !total.IsUnknown()
	length := Unknown
	switch {
	case hasPast && !pok:
	case hasPast && (sparse || c.Int("sliding_window_cache", 0) == 1):
		length = past[2]
	case hasPast:
		pv, pk := past[2].Value()
		tv, tk := total.Value()
		switch {
		case pk && tk:
			length = Known(max(pv, tv))
		case totalKnown:
			length = total
			if dimOrder(past[2], total).gt {
				length = past[2]
			}
		default:
			length = past[2].Add(L)
		}
	case totalKnown:
		length = total
	default:
		length = L
	}
	cacheElem := firstElem(c.Elem(3), elem)
	cacheHead := H
	if hasPast && pok {
		B, cacheHead = firstKnown(B, past[0]), past[3]
	}
	for i := 1; i <= 2; i++ {
		if !c.HasOutput(i) {
			continue
		}
		if sparse && hasPast && pok {
			if s, ok := c.InputShape(2 + i); ok {
				c.SetOutput(i, Tensor(firstElem(c.Elem(2+i), elem), s))
				continue
			}
		}
		c.SetOutput(i, Tensor(firstElem(c.Elem(2+i), cacheElem), Shape{B, Known(nkv), length, cacheHead}))
	}
	if !sparse && c.HasOutput(3) {
		c.SetOutput(3, Tensor(elem, Shape{B, Known(n), S, length}))
	}
	return nil
}

// inferPagedAttention: query [T, N*H] (or packed [T, (N+2*Nkv)*H]) gives
// [T, N*v_head_size] (v_head_size, else H); the cache outputs alias the
// caches.
func inferPagedAttention(c *Ctx) error {
	elem := c.Elem(0)
	n, err := numHeads(c, "num_heads")
	if err != nil {
		return err
	}
	nkv, err := numHeads(c, "kv_num_heads")
	if err != nil {
		return err
	}
	T, H := Unknown, Unknown
	if q, ok := c.InputShape(0); ok {
		if len(q) != 2 {
			return c.Errorf(CodeInvalid, "query has rank %d, want 2 (tokens, hidden)", len(q))
		}
		heads := n
		if !c.HasInput(1) {
			if heads, err = packedHeads(c, n, nkv); err != nil {
				return err
			}
		}
		T = q[0]
		if H, err = divHeads(c, "query hidden size", q[1], heads); err != nil {
			return err
		}
	}
	if vh := c.Int("v_head_size", 0); vh > 0 {
		H = Known(vh)
	}
	c.SetOutput(0, Tensor(elem, Shape{T, Known(n).Mul(H)}))
	for i, in := range []int{3, 4} {
		if c.HasOutput(1 + i) {
			if t := c.Input(in); t != nil {
				c.SetOutput(1+i, t)
			}
		}
	}
	return nil
}

// inferDecoderAttention: the output is like the query [S, B, hidden]; the
// new caches are [B, N, L', H] with L' decided at run time by the
// static_kv and use_past inputs.
func inferDecoderAttention(c *Ctx) error {
	q := c.Input(0)
	if q == nil {
		return nil
	}
	c.SetOutput(0, q)
	n, err := numHeads(c, "num_heads")
	if err != nil {
		return err
	}
	if !c.HasOutput(1) && !c.HasOutput(2) {
		return nil
	}
	B, H := Unknown, Unknown
	if q.HasShape() && len(q.Shape) == 3 {
		B = q.Shape[1]
		if H, err = divHeads(c, "hidden size", q.Shape[2], n); err != nil {
			return err
		}
	}
	l := c.Fresh()
	for i := 1; i <= 2; i++ {
		if c.HasOutput(i) {
			c.SetOutput(i, Tensor(q.Elem, Shape{B, Known(n), l, H}))
		}
	}
	return c.Errorf(CodeDataDependent, "the new cache length depends on the static_kv and use_past inputs, known only at run time")
}

// inferPackedAttention is PackedAttention (input [T, in] gives [T, Hv],
// Hv from qkv_hidden_sizes or a third of the bias) and
// PackedMultiHeadAttention (query [T, D] with value [T, Dv] gives [T, Dv];
// packed QKV [T, N, 3, H] gives [T, N*H]).
func inferPackedAttention(c *Ctx) error {
	elem := c.Elem(0)
	q, ok := c.InputShape(0)
	if !ok {
		c.SetOutput(0, Tensor(elem, nil))
		return nil
	}
	if len(q) == 0 {
		return c.Errorf(CodeInvalid, "input has rank 0, want 2 (tokens, hidden) or 4 (packed QKV)")
	}
	T, width := q[0], Unknown
	if c.Node.OpType() == "PackedAttention" {
		if len(q) != 2 {
			return c.Errorf(CodeInvalid, "input has rank %d, want 2 (tokens, hidden)", len(q))
		}
		if sizes, ok := c.Ints("qkv_hidden_sizes"); ok && len(sizes) == 3 {
			if err := positiveSizes(c, "qkv_hidden_sizes", sizes); err != nil {
				return err
			}
			width = Known(sizes[2])
		} else if b, ok := c.InputShape(2); ok && len(b) == 1 {
			width = exactDiv(b[0], Known(3))
		}
	} else {
		switch {
		case len(q) == 4:
			width = q[1].Mul(q[3])
		case len(q) != 2:
			return c.Errorf(CodeInvalid, "query has rank %d, want 2 or 4", len(q))
		default:
			width = q[1]
			if v, ok := c.InputShape(2); ok && c.HasInput(2) && len(v) == 2 {
				width = v[1]
			}
		}
	}
	c.SetOutput(0, Tensor(elem, Shape{T, width}))
	return nil
}

// inferQOrderedAttention: [B, S, hidden] int8, hidden from Q's weight.
func inferQOrderedAttention(c *Ctx) error {
	out := Shape{Unknown, Unknown, Unknown}
	if x, ok := c.InputShape(0); ok && len(x) == 3 {
		out[0], out[1] = x[0], x[1]
	}
	if w, ok := c.InputShape(5); ok && len(w) == 2 {
		out[2] = w[1]
	}
	c.SetOutput(0, Tensor(onnxgraph.Int8, out))
	return nil
}

// inferMsLinearAttention is ONNX Runtime's LinearAttention: output [B, T,
// max(Hq, Hkv)*dv]; present_state [B, Hkv, dk, dv], with a leading [W]
// when state_window W > 0.
func inferMsLinearAttention(c *Ctx) error {
	elem := c.Elem(0)
	qh, err := numHeads(c, "q_num_heads")
	if err != nil {
		return err
	}
	kh, err := numHeads(c, "kv_num_heads")
	if err != nil {
		return err
	}
	B, T, dk, dv := Unknown, Unknown, Unknown, Unknown
	for i, heads := range []int64{qh, kh, kh} {
		s, ok := c.InputShape(i)
		if !ok {
			continue
		}
		if len(s) != 3 {
			return c.Errorf(CodeInvalid, "input %d has rank %d, want 3 (B, T, heads*size)", i, len(s))
		}
		B, T = firstKnown(B, s[0]), firstKnown(T, s[1])
		size, err := divHeads(c, "hidden size", s[2], heads)
		if err != nil {
			return err
		}
		if i < 2 {
			dk = firstKnown(dk, size)
		} else {
			dv = size
		}
	}
	c.SetOutput(0, Tensor(elem, Shape{B, T, Known(max(qh, kh)).Mul(dv)}))
	if c.HasOutput(1) {
		st := Shape{B, Known(kh), dk, dv}
		if w := c.Int("state_window", 0); w > 0 {
			st = append(Shape{Known(w)}, st...)
		}
		c.SetOutput(1, Tensor(firstElem(c.Elem(3), elem), st))
	}
	return nil
}

// inferGatedDeltaNet: query [T, Hq, dqk] (or [B, S, Hq, dqk]), key [T,
// Hk, dqk], value [T, Hv, dv] give the output [T, max(Hq, Hv), dv];
// final_state [B, Hv, dv, dqk] float, B from initial_state, else
// cu_seqlens (its length - 1), else the rank-4 batch; state_update [B,
// C*(Hv + Hk*dqk + Hv*dv)].
func inferGatedDeltaNet(c *Ctx) error {
	elem := c.Elem(0)
	q, qok := c.InputShape(0)
	k, kok := c.InputShape(1)
	v, vok := c.InputShape(2)
	if !qok || !vok {
		c.SetOutput(0, Tensor(elem, nil))
		return nil
	}
	r := len(q)
	if (r != 3 && r != 4) || len(v) != r || (kok && len(k) != r) {
		return c.Errorf(CodeInvalid, "query, key and value must all have rank 3 or 4")
	}
	hq, dqk, hv, dv := q[r-2], q[r-1], v[r-2], v[r-1]
	heads := hv
	if a, ok := hq.Value(); ok {
		if b, ok := hv.Value(); ok {
			heads = Known(max(a, b))
		}
	} else if !hq.Equal(hv) {
		heads = Unknown
	}
	out := append(Shape(nil), v...)
	out[r-2] = heads
	c.SetOutput(0, Tensor(elem, out))
	B := Unknown
	if s, ok := c.InputShape(6); ok && c.HasInput(6) && len(s) == 4 {
		B = s[0]
	} else if cu, ok := c.InputShape(3); ok && c.HasInput(3) && len(cu) == 1 {
		B = cu[0].Sub(Known(1))
	} else if r == 4 {
		B = q[0]
	}
	if c.HasOutput(1) {
		c.SetOutput(1, Tensor(onnxgraph.Float, Shape{B, hv, dv, dqk}))
	}
	if c.HasOutput(2) {
		hk := Unknown
		if kok {
			hk = k[r-2]
		}
		capacity, err := countAttr(c, "state_update_capacity", 0)
		if err != nil {
			return err
		}
		c.SetOutput(2, Tensor(onnxgraph.Float, Shape{B, Known(capacity).Mul(hv.Add(hk.Mul(dqk)).Add(hv.Mul(dv)))}))
	}
	return nil
}

// inferRelativePositionBias: [1, num_heads, query_length, key_length], the
// heads from bias_table [buckets, heads], the lengths read as data.
func inferRelativePositionBias(c *Ctx) error {
	elem := c.Elem(0)
	heads := Unknown
	if t, ok := c.InputShape(0); ok && len(t) == 2 {
		heads = t[1]
	}
	out := Shape{Known(1), heads, Unknown, Unknown}
	var err error
	for i := range 2 {
		if d, ok := scalarDim(c.Data(1 + i)); ok && !d.IsUnknown() {
			out[2+i] = d
			continue
		}
		out[2+i] = c.Fresh()
		err = c.Errorf(CodeDataDependent, "the query and key lengths are input values, known only at run time")
	}
	c.SetOutput(0, Tensor(elem, out))
	return err
}

// inferGatedRelativePositionBias: [B, N, S, S] from query_layer [B, S,
// N*H] (or [T, N*H] with token_offset [B, S]).
func inferGatedRelativePositionBias(c *Ctx) error {
	elem := c.Elem(0)
	n, err := numHeads(c, "num_heads")
	if err != nil {
		return err
	}
	B, S := Unknown, Unknown
	if q, ok := c.InputShape(0); ok && len(q) == 3 {
		B, S = q[0], q[1]
	}
	if t, ok := c.InputShape(6); ok && c.HasInput(6) && len(t) == 2 {
		B, S = firstKnown(B, t[0]), firstKnown(S, t[1])
	}
	c.SetOutput(0, Tensor(elem, Shape{B, Known(n), S, S}))
	return nil
}

// inferRemovePadding: [B, S, hidden] gives the tokens without padding
// [total, hidden] (total known at run time), token_offset [B, S],
// cumulated_seq_len [B+1] and max_seq_len [1].
func inferRemovePadding(c *Ctx) error {
	elem, m := c.Elem(0), firstElem(c.Elem(1), onnxgraph.Int32)
	x, ok := c.InputShape(0)
	if !ok {
		c.SetOutput(0, Tensor(elem, nil))
		return nil
	}
	if len(x) != 3 {
		return c.Errorf(CodeInvalid, "input has rank %d, want 3 (batch, sequence, hidden)", len(x))
	}
	c.SetOutput(0, Tensor(elem, Shape{c.Fresh(), x[2]}))
	c.SetOutput(1, Tensor(m, Shape{x[0], x[1]}))
	c.SetOutput(2, Tensor(m, Shape{x[0].Add(Known(1))}))
	c.SetOutput(3, Tensor(m, Shape{Known(1)}))
	return c.Errorf(CodeDataDependent, "the number of tokens without padding is known only at run time")
}

// inferRestorePadding: [T, hidden] and token_offset [B, S] give [B, S,
// hidden].
func inferRestorePadding(c *Ctx) error {
	elem := c.Elem(0)
	out := Shape{Unknown, Unknown, Unknown}
	if x, ok := c.InputShape(0); ok && len(x) == 2 {
		out[2] = x[1]
	}
	if t, ok := c.InputShape(1); ok && len(t) == 2 {
		out[0], out[1] = t[0], t[1]
	}
	c.SetOutput(0, Tensor(elem, out))
	return nil
}

// inferGeneration is BeamSearch, WhisperBeamSearch, GreedySearch and
// Sampling: sequences [B, R, max_length] (the beam searches) or [B,
// max_length], with max_length and num_return_sequences read as data;
// sequences_scores [B, R]; scores [max_length-S, B, beams, vocab];
// Sampling's filtered_logits [B, vocab]; vocab from vocab_size. S is the
// prompt's length for a decoder-only model (model_type 0); an
// encoder-decoder model (model_type 1, and Whisper, whose input is audio
// features [B, features, frames]) starts its decoder from
// decoder_input_ids [B, S], else from the start token alone (S = 1).
func inferGeneration(c *Ctx) error {
	op := c.Node.OpType()
	beam := op == "BeamSearch" || op == "WhisperBeamSearch"
	B, S := Unknown, Unknown
	if ids, ok := c.InputShape(0); ok && len(ids) >= 2 {
		B, S = ids[0], ids[1]
	}
	if beam && (op == "WhisperBeamSearch" || c.Int("model_type", 0) != 0) {
		S = Known(1)
		if c.HasInput(10) {
			S = Unknown
			if d, ok := c.InputShape(10); ok && len(d) == 2 {
				S = d[1]
			}
		}
	}
	var dataErr error
	value := func(i int, what string) Dim {
		if d, ok := scalarDim(c.Data(i)); ok && !d.IsUnknown() {
			return d
		}
		dataErr = c.Errorf(CodeDataDependent, "%s is an input value, known only at run time", what)
		return c.Fresh()
	}
	maxLen := value(1, "max_length")
	vocab := Unknown
	if a := c.Attr("vocab_size"); a != nil && a.I != nil && a.GetI() > 0 {
		vocab = Known(a.GetI())
	}
	scoreElem := onnxgraph.Float
	if beam {
		scoreElem = firstElem(c.Elem(5), c.Elem(6), onnxgraph.Float)
		R := value(4, "num_return_sequences")
		c.SetOutput(0, Tensor(onnxgraph.Int32, Shape{B, R, maxLen}))
		if c.HasOutput(1) {
			c.SetOutput(1, Tensor(scoreElem, Shape{B, R}))
		}
		if c.HasOutput(2) {
			beams := value(3, "num_beams")
			c.SetOutput(2, Tensor(scoreElem, Shape{maxLen.Sub(S), B, beams, vocab}))
		}
		if op == "WhisperBeamSearch" {
			if c.HasOutput(3) {
				c.SetOutput(3, Tensor(onnxgraph.Float, Shape{B, R, c.Fresh(), c.Fresh(), c.Fresh()}))
				dataErr = c.Errorf(CodeDataDependent, "the cross attention scores' layer, token and frame counts are known only at run time")
			}
			if c.HasOutput(4) {
				c.SetOutput(4, Tensor(scoreElem, Shape{B}))
			}
		}
		return dataErr
	}
	c.SetOutput(0, Tensor(onnxgraph.Int32, Shape{B, maxLen}))
	if c.HasOutput(1) {
		c.SetOutput(1, Tensor(onnxgraph.Float, Shape{B, vocab}))
	}
	return dataErr
}
