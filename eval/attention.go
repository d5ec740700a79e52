package eval

import (
	"math"
)

// Attention and rotary position embeddings.

var attentionTable = map[key]entry{
	{onnx, "RotaryEmbedding", 23}: k(rotaryEmbedding, []DataType{dtFloat, dtFloat16, dtBFloat16}, "interleaved", "num_heads", "rotary_embedding_dim"),
	{onnx, "Attention", 23}:       k(attention, tFloats, attentionAttrs...),
	{onnx, "Attention", 24}:       k(attention, tFloats, attentionAttrs...),
}

var attentionAttrs = []string{"is_causal", "kv_num_heads", "q_num_heads", "qk_matmul_output_mode", "scale", "softcap", "softmax_precision"}

// rotaryEmbedding rotates the first rotary_embedding_dim channels of each
// head by the angles of the cos and sin caches (looked up by position_ids
// when given), pairing halves or, interleaved, neighbours.
func rotaryEmbedding(c *ctx, in []*tensor) ([]*tensor, error) {
	x, cosT, sinT := in[0], in[1], in[2]
	interleaved := c.int("interleaved") != 0
	heads := int(c.int("num_heads"))
	rot := int(c.int("rotary_embedding_dim"))
	if c.err != nil {
		return nil, c.err
	}
	// View X as [batch, seq, heads, head] whatever its layout.
	var batch, seq, nh, hs int
	var at func(b, s, h int) int // offset of (b, s, h, 0)
	switch x.rank() {
	case 4:
		batch, nh, seq, hs = x.shape[0], x.shape[1], x.shape[2], x.shape[3]
		at = func(b, s, h int) int { return ((b*nh+h)*seq + s) * hs }
	case 3:
		if heads < 1 || x.shape[2]%heads != 0 {
			return nil, invalidf("num_heads %d for a hidden size of %d", heads, x.shape[2])
		}
		batch, seq, nh, hs = x.shape[0], x.shape[1], heads, x.shape[2]/heads
		at = func(b, s, h int) int { return ((b*seq+s)*nh + h) * hs }
	default:
		return nil, invalidf("input of rank %d", x.rank())
	}
	if rot == 0 {
		rot = hs
	}
	if rot < 0 || rot > hs || rot%2 != 0 {
		return nil, invalidf("rotary_embedding_dim %d for heads of %d", rot, hs)
	}
	half := rot / 2
	cv, _ := toFloat64s(cosT)
	sv, err := toFloat64s(sinT)
	if err != nil {
		return nil, err
	}
	// angle returns the offset of the cos/sin row of (b, s).
	var angle func(b, s int) (int, error)
	if len(in) > 3 && in[3] != nil {
		pos, err := toInt64s(in[3])
		if err != nil {
			return nil, err
		}
		if !equalShapes(in[3].shape, []int{batch, seq}) || cosT.rank() != 2 || cosT.shape[1] != half || !equalShapes(sinT.shape, cosT.shape) {
			return nil, invalidf("position_ids %s and caches %s for batch %d, sequence %d, rotary half %d", shapeString(in[3].shape), shapeString(cosT.shape), batch, seq, half)
		}
		angle = func(b, s int) (int, error) {
			p := pos[b*seq+s]
			if p < 0 || p >= int64(cosT.shape[0]) {
				return 0, invalidf("position %d outside a cache of %d", p, cosT.shape[0])
			}
			return int(p) * half, nil
		}
	} else {
		if !equalShapes(cosT.shape, []int{batch, seq, half}) || !equalShapes(sinT.shape, cosT.shape) {
			return nil, invalidf("caches %s for batch %d, sequence %d, rotary half %d", shapeString(cosT.shape), batch, seq, half)
		}
		angle = func(b, s int) (int, error) { return (b*seq + s) * half, nil }
	}
	v, err := toFloat64s(x)
	if err != nil {
		return nil, err
	}
	out := append([]float64(nil), v...)
	for b := range batch {
		for s := range seq {
			a, err := angle(b, s)
			if err != nil {
				return nil, err
			}
			for h := range nh {
				base := at(b, s, h)
				for i := range half {
					i1, i2 := base+i, base+half+i
					if interleaved {
						i1, i2 = base+2*i, base+2*i+1
					}
					co, si := cv[a+i], sv[a+i]
					x1, x2 := v[i1], v[i2]
					out[i1] = co*x1 - si*x2
					out[i2] = si*x1 + co*x2
				}
			}
		}
	}
	res, err := fromF64As(x.dt, x.shape, out)
	return []*tensor{res}, err
}

// attention is scaled dot-product attention with grouped key-value heads,
// an additive or boolean mask, causal masking, a soft cap, and past
// keys and values; it returns Y and, when asked, the present keys and
// values and the QK product of qk_matmul_output_mode.
func attention(c *ctx, in []*tensor) ([]*tensor, error) {
	q, kk, vv := in[0], in[1], in[2]
	causal := c.int("is_causal") != 0
	qHeads, kvHeads := int(c.int("q_num_heads")), int(c.int("kv_num_heads"))
	mode := c.int("qk_matmul_output_mode")
	softcap := float64(c.float("softcap"))
	hasScale := c.has("scale")
	scale := float64(c.float("scale"))
	if c.has("softmax_precision") {
		c.int("softmax_precision") // computed in float64 whatever it says
	}
	if c.err != nil {
		return nil, c.err
	}
	if len(in) > 6 && in[6] != nil {
		return nil, notImplf("nonpad_kv_seqlen")
	}
	// Bring Q, K, V to [batch, heads, seq, head].
	to4 := func(t *tensor, heads int, name string) (*tensor, error) {
		switch t.rank() {
		case 4:
			return t, nil
		case 3:
			if heads < 1 || t.shape[2]%heads != 0 {
				return nil, invalidf("%s of shape %s with %d heads", name, shapeString(t.shape), heads)
			}
			r := reshaped(t, []int{t.shape[0], t.shape[1], heads, t.shape[2] / heads})
			return transposeT(c, r, []int{0, 2, 1, 3})
		}
		return nil, invalidf("%s of rank %d", name, t.rank())
	}
	threeD := q.rank() == 3
	var err error
	if q, err = to4(q, qHeads, "Q"); err != nil {
		return nil, err
	}
	if kk, err = to4(kk, kvHeads, "K"); err != nil {
		return nil, err
	}
	if vv, err = to4(vv, kvHeads, "V"); err != nil {
		return nil, err
	}
	batch, nq, sq, dh := q.shape[0], q.shape[1], q.shape[2], q.shape[3]
	nkv, dv := kk.shape[1], vv.shape[3]
	if kk.shape[0] != batch || vv.shape[0] != batch || kk.shape[3] != dh || vv.shape[1] != nkv || vv.shape[2] != kk.shape[2] || nkv == 0 || nq%nkv != 0 {
		return nil, invalidf("Q %s, K %s, V %s", shapeString(q.shape), shapeString(kk.shape), shapeString(vv.shape))
	}
	// Past keys and values go before the new ones.
	if len(in) > 4 && in[4] != nil {
		if len(in) < 6 || in[5] == nil {
			return nil, invalidf("past_key without past_value")
		}
		if kk, err = concatT(c, []*tensor{in[4], kk}, 2); err != nil {
			return nil, err
		}
		if vv, err = concatT(c, []*tensor{in[5], vv}, 2); err != nil {
			return nil, err
		}
	}
	skv := kk.shape[2]
	if _, err := c.check([]int{batch, nq, sq, skv}); err != nil {
		return nil, err
	}
	if !hasScale {
		scale = 1 / math.Sqrt(float64(dh))
	}
	qv, _ := toFloat64s(q)
	kv, _ := toFloat64s(kk)
	vvv, _ := toFloat64s(vv)
	// The mask, broadcast to [batch, heads, sq, skv]: additive values, or
	// bools where false masks out.
	var mask []float64
	if len(in) > 3 && in[3] != nil {
		m := in[3]
		shape := []int{batch, nq, sq, skv}
		if m.rank() > 4 || !broadcastsTo(m.shape, shape) {
			// ONNX lets the mask's last dim be shorter than the total
			// sequence (padded with -inf): not implemented.
			return nil, notImplf("mask of shape %s for scores %s", shapeString(m.shape), shapeString(shape))
		}
		bm, err := broadcastTensor(c, m, shape)
		if err != nil {
			return nil, err
		}
		if b, ok := bm.data.([]bool); ok {
			mask = mapT(b, func(keep bool) float64 {
				if keep {
					return 0
				}
				return math.Inf(-1)
			})
		} else if mask, err = toFloat64s(bm); err != nil {
			return nil, err
		}
	}
	scores := make([]float64, batch*nq*sq*skv)
	qk := make([]float64, len(scores)) // the product of mode's stage
	y := make([]float64, batch*nq*sq*dv)
	group := nq / nkv
	for b := range batch {
		for h := range nq {
			kh := h / group
			for i := range sq {
				row := ((b*nq+h)*sq + i) * skv
				qi := qv[((b*nq+h)*sq+i)*dh:][:dh]
				for j := range skv {
					kj := kv[((b*nkv+kh)*skv+j)*dh:][:dh]
					s := dot(qi, kj) * scale
					if mode == 0 {
						qk[row+j] = s
					}
					if mask != nil {
						s += mask[row+j]
					}
					// Causal: query i sees keys up to its own position,
					// the past keys counting before it.
					if causal && j > i+skv-sq {
						s = math.Inf(-1)
					}
					if mode == 1 {
						qk[row+j] = s
					}
					if softcap > 0 {
						s = softcap * math.Tanh(s/softcap)
					}
					if mode == 2 {
						qk[row+j] = s
					}
					scores[row+j] = s
				}
				// Softmax over the keys.
				mx := math.Inf(-1)
				for j := range skv {
					mx = max(mx, scores[row+j])
				}
				sum := 0.0
				for j := range skv {
					e := 0.0
					if !math.IsInf(mx, -1) {
						e = math.Exp(scores[row+j] - mx)
					}
					scores[row+j] = e
					sum += e
				}
				for j := range skv {
					if sum > 0 {
						scores[row+j] /= sum
					}
					if mode == 3 {
						qk[row+j] = scores[row+j]
					}
				}
				yi := y[((b*nq+h)*sq+i)*dv:][:dv]
				for j := range skv {
					p := scores[row+j]
					if p == 0 {
						continue
					}
					vj := vvv[((b*nkv+kh)*skv+j)*dv:][:dv]
					for d := range yi {
						yi[d] += p * vj[d]
					}
				}
			}
		}
	}
	if mode < 0 || mode > 3 {
		return nil, invalidf("qk_matmul_output_mode %d", mode)
	}
	yt, err := fromF64As(q.dt, []int{batch, nq, sq, dv}, y)
	if err != nil {
		return nil, err
	}
	if threeD {
		// Back to [batch, seq, heads·head].
		if yt, err = transposeT(c, yt, []int{0, 2, 1, 3}); err != nil {
			return nil, err
		}
		yt = reshaped(yt, []int{batch, sq, nq * dv})
	}
	outs := []*tensor{yt}
	if c.nout > 1 {
		outs = append(outs, kk, vv)
	}
	if c.nout > 3 {
		qkt, err := fromF64As(q.dt, []int{batch, nq, sq, skv}, qk)
		if err != nil {
			return nil, err
		}
		outs = append(outs, qkt)
	}
	return outs, nil
}
