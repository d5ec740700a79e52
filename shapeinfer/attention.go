package shapeinfer

import "github.com/onnxgraph/onnxgraph"

// The attention family (opset 23 and later): Attention with its KV cache
// outputs, RotaryEmbedding, LinearAttention, and the preview
// FlexAttention.

var attentionTable = join(
	all(inferAttention, versions("ai.onnx", "Attention", 23, 24, 25)),
	all(inferRotaryEmbedding, versions("ai.onnx", "RotaryEmbedding", 23)),
	all(inferLinearAttention, versions("ai.onnx", "LinearAttention", 27)),
	all(inferFlexAttention, versions("ai.onnx.preview", "FlexAttention", 1)),
)

// headsAttr returns a positive heads attribute, or ok false when absent.
func headsAttr(c *Ctx, name string) (int64, bool, error) {
	a := c.Attr(name)
	if a == nil || a.I == nil {
		return 0, false, nil
	}
	if a.GetI() <= 0 {
		return 0, true, c.Errorf(CodeInvalid, "%s %d must be positive", name, a.GetI())
	}
	return a.GetI(), true, nil
}

// heads4D views a 3-D packed [B, S, H*D] or 4-D [B, H, S, D] tensor as
// (B, H, S, D); heads (from an attribute) is needed for the 3-D form.
func heads4D(c *Ctx, name string, s Shape, heads int64, haveHeads bool) (b, h, seq, d Dim, err error) {
	switch len(s) {
	case 4:
		return s[0], s[1], s[2], s[3], nil
	case 3:
		if !haveHeads {
			return Unknown, Unknown, Unknown, Unknown, c.Errorf(CodeInvalid, "3-D %s needs the q_num_heads and kv_num_heads attributes", name)
		}
		if v, ok := s[2].Value(); ok && v%heads != 0 {
			return Unknown, Unknown, Unknown, Unknown, c.Errorf(CodeInvalid, "%s hidden size %d is not divisible by %d heads", name, v, heads)
		}
		return s[0], Known(heads), s[1], s[2].FloorDiv(Known(heads)), nil
	}
	return Unknown, Unknown, Unknown, Unknown, c.Errorf(CodeInvalid, "%s has rank %d, want 3 or 4", name, len(s))
}

// firstKnown returns the first dim of ds that is not unknown.
func firstKnown(ds ...Dim) Dim {
	for _, d := range ds {
		if _, ok := d.Value(); ok {
			return d
		}
	}
	for _, d := range ds {
		if !d.IsUnknown() {
			return d
		}
	}
	return Unknown
}

// inferAttention: Y is [B, Hq, Sq, Dv] (4-D inputs) or [B, Sq, Hq*Dv]
// (3-D); present_key/value are [B, Hkv, past+Skv, D or Dv]; the
// qk_matmul_output is [B, Hq, Sq, past+Skv].
func inferAttention(c *Ctx) error {
	elemQ, elemV := c.Elem(0), c.Elem(2)
	if elemV == 0 {
		elemV = elemQ
	}
	qh, haveQH, err := headsAttr(c, "q_num_heads")
	if err != nil {
		return err
	}
	kh, haveKH, err := headsAttr(c, "kv_num_heads")
	if err != nil {
		return err
	}
	if haveQH != haveKH {
		return c.Errorf(CodeInvalid, "q_num_heads and kv_num_heads go together")
	}
	if haveQH && qh%kh != 0 {
		return c.Errorf(CodeInvalid, "q_num_heads %d is not a multiple of kv_num_heads %d", qh, kh)
	}
	q, qok := c.InputShape(0)
	k, kok := c.InputShape(1)
	v, vok := c.InputShape(2)
	B, Hq, Sq, Dq := Unknown, Unknown, Unknown, Unknown
	Hkv, Skv, Dk, Dv := Unknown, Unknown, Unknown, Unknown
	var kb, vb Dim
	if qok {
		if B, Hq, Sq, Dq, err = heads4D(c, "Q", q, qh, haveQH); err != nil {
			return err
		}
	}
	if kok {
		var kh4, ks Dim
		if kb, kh4, ks, Dk, err = heads4D(c, "K", k, kh, haveKH); err != nil {
			return err
		}
		Hkv, Skv = kh4, ks
	}
	if vok {
		var vh, vs Dim
		if vb, vh, vs, Dv, err = heads4D(c, "V", v, kh, haveKH); err != nil {
			return err
		}
		Hkv, Skv = firstKnown(Hkv, vh), firstKnown(Skv, vs)
	}
	B = firstKnown(B, kb, vb)
	Dk = firstKnown(Dk, Dq)
	if _, err := mergeEqualDim(c, Dq, Dk); err != nil {
		return c.Errorf(CodeInvalid, "Q head size %v differs from K's %v", Dq, Dk)
	}
	if hq, ok := Hq.Value(); ok {
		if hk, ok := Hkv.Value(); ok && hk > 0 && hq%hk != 0 {
			return c.Errorf(CodeInvalid, "%d query heads are not a multiple of %d key/value heads", hq, hk)
		}
	}
	total := Skv
	pastK, pastV := c.HasInput(4), c.HasInput(5)
	if pastK != pastV {
		return c.Errorf(CodeInvalid, "past_key and past_value go together")
	}
	if pastK {
		if pk, ok := c.InputShape(4); ok {
			if len(pk) != 4 {
				return c.Errorf(CodeInvalid, "past_key has rank %d, want 4", len(pk))
			}
			total = pk[2].Add(Skv)
			B, Hkv, Dk = firstKnown(B, pk[0]), firstKnown(Hkv, pk[1]), firstKnown(Dk, pk[3])
		} else {
			total = Unknown
		}
		if pv, ok := c.InputShape(5); ok {
			if len(pv) != 4 {
				return c.Errorf(CodeInvalid, "past_value has rank %d, want 4", len(pv))
			}
			Dv = firstKnown(Dv, pv[3])
		}
	}
	if qok {
		y := Shape{B, Hq, Sq, Dv}
		if len(q) == 3 {
			y = Shape{B, Sq, Hq.Mul(Dv)}
		}
		c.SetOutput(0, Tensor(elemQ, y))
	} else {
		c.SetOutput(0, Tensor(elemQ, nil))
	}
	if c.HasOutput(1) {
		c.SetOutput(1, Tensor(firstElem(c.Elem(4), elemQ), Shape{B, Hkv, total, Dk}))
	}
	if c.HasOutput(2) {
		c.SetOutput(2, Tensor(firstElem(c.Elem(5), elemV), Shape{B, Hkv, total, Dv}))
	}
	if c.HasOutput(3) {
		c.SetOutput(3, Tensor(elemQ, Shape{B, Hq, Sq, total}))
	}
	return nil
}

// firstElem returns the first non-zero element type.
func firstElem(es ...onnxgraph.DataType) onnxgraph.DataType {
	for _, e := range es {
		if e != 0 {
			return e
		}
	}
	return 0
}

// inferRotaryEmbedding: the input's type; X is 3-D [B, S, hidden] or 4-D
// [B, H, S, D].
func inferRotaryEmbedding(c *Ctx) error {
	x := c.Input(0)
	if x == nil {
		return nil
	}
	if x.HasShape() && len(x.Shape) != 3 && len(x.Shape) != 4 {
		return c.Errorf(CodeInvalid, "input has rank %d, want 3 or 4", len(x.Shape))
	}
	if x.HasShape() && len(x.Shape) == 3 {
		if n, ok, err := headsAttr(c, "num_heads"); err != nil {
			return err
		} else if ok {
			if v, known := x.Shape[2].Value(); known && v%n != 0 {
				return c.Errorf(CodeInvalid, "hidden size %d is not divisible by num_heads %d", v, n)
			}
		}
	}
	c.SetOutput(0, x)
	return nil
}

// inferLinearAttention: output [B, T, Hq*dv], present_state [B, Hkv, dk,
// dv], with dk = key's hidden / kv_num_heads, dv = value's hidden /
// kv_num_heads.
func inferLinearAttention(c *Ctx) error {
	elem := c.Elem(0)
	qh, ok, err := headsAttr(c, "q_num_heads")
	if err != nil {
		return err
	}
	kh, ok2, err := headsAttr(c, "kv_num_heads")
	if err != nil {
		return err
	}
	if !ok || !ok2 {
		return c.Errorf(CodeInvalid, "q_num_heads and kv_num_heads are required")
	}
	if qh%kh != 0 {
		return c.Errorf(CodeInvalid, "q_num_heads %d is not a multiple of kv_num_heads %d", qh, kh)
	}
	B, T, dk, dv := Unknown, Unknown, Unknown, Unknown
	for i, name := range []string{"query", "key", "value"} {
		s, ok := c.InputShape(i)
		if !ok {
			continue
		}
		if len(s) != 3 {
			return c.Errorf(CodeInvalid, "%s has rank %d, want 3 (B, T, heads*size)", name, len(s))
		}
		B, T = firstKnown(B, s[0]), firstKnown(T, s[1])
		heads := kh
		if i == 0 {
			heads = qh
		}
		if v, ok := s[2].Value(); ok && v%heads != 0 {
			return c.Errorf(CodeInvalid, "%s hidden size %d is not divisible by %d heads", name, v, heads)
		}
		size := s[2].FloorDiv(Known(heads))
		if i < 2 {
			dk = firstKnown(dk, size)
		} else {
			dv = size
		}
	}
	if ps, ok := c.InputShape(3); ok && c.HasInput(3) {
		if len(ps) != 4 {
			return c.Errorf(CodeInvalid, "past_state has rank %d, want 4", len(ps))
		}
		B, dk, dv = firstKnown(B, ps[0]), firstKnown(dk, ps[2]), firstKnown(dv, ps[3])
	}
	c.SetOutput(0, Tensor(elem, Shape{B, T, Known(qh).Mul(dv)}))
	if c.HasOutput(1) {
		c.SetOutput(1, Tensor(firstElem(c.Elem(3), elem), Shape{B, Known(kh), dk, dv}))
	}
	return nil
}

// inferFlexAttention: Q [B, Hq, L, E], K [B, Hkv, S, E], V [B, Hkv, S, Ev]
// give Y [B, Hq, L, Ev].
func inferFlexAttention(c *Ctx) error {
	elem := c.Elem(0)
	q, qok := c.InputShape(0)
	k, kok := c.InputShape(1)
	v, vok := c.InputShape(2)
	for i, s := range []Shape{q, k, v} {
		if s != nil && len(s) != 4 {
			return c.Errorf(CodeInvalid, "input %d has rank %d, want 4", i, len(s))
		}
	}
	if !qok {
		c.SetOutput(0, Tensor(elem, nil))
		return nil
	}
	y := Shape{q[0], q[1], q[2], Unknown}
	if kok {
		if _, err := mergeEqualDim(c, q[3], k[3]); err != nil {
			return c.Errorf(CodeInvalid, "Q and K embedding sizes differ: %v, %v", q[3], k[3])
		}
		y[0] = firstKnown(y[0], k[0])
	}
	if vok {
		y[3] = v[3]
		y[0] = firstKnown(y[0], v[0])
	}
	c.SetOutput(0, Tensor(elem, y))
	return nil
}
