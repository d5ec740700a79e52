package tflite

import (
	"github.com/onnxgraph/onnxgraph"
)

// Matrix products: Gemm and MatMul with constant weights become
// FULLY_CONNECTED (a following bias Add is folded in), others BATCH_MATMUL.

var matmulTable = family(func(t map[key]convFunc) {
	versions(t, "Gemm", convGemm, 7, 9, 11, 13)
	versions(t, "MatMul", convMatMul, 1, 9, 13)
})

// transpose2 transposes a row-major [r, c] matrix.
func transpose2(a []float32, r, c int64) []float32 {
	return transposeData(a, []int64{r, c}, []int{1, 0})
}

// fullyConnected emits FULLY_CONNECTED of x (tensor, [..., K]) by weights
// w [N, K] and bias b [N] into out.
func (c *converter) fullyConnected(x int32, w []float32, n, k int64, b []float32, out int32, keep bool, name string) {
	wt := c.floatConst(name+"/weights", []int64{n, k}, w)
	if b == nil {
		b = make([]float32, n)
	}
	bt := c.floatConst(name+"/bias", []int64{n}, b)
	c.emit(opFullyConnected, []int32{x, wt, bt}, []int32{out}, oU8(0, actNone), oU8(1, 0), oBool(2, keep), oBool(3, false))
}

// biasAfter returns the constant bias of an Add that alone follows v,
// when it is a vector of n floats (or a scalar), with the Add.
func (c *converter) biasAfter(v *onnxgraph.Value, n int64) ([]float32, *onnxgraph.Node) {
	if v == nil || v.IsGraphOutput() || v.NumUses() != 1 {
		return nil, nil
	}
	u := v.Uses()[0]
	f := u.Node
	if f.OpType() != "Add" || f.Domain() != "" || f.NumInputs() != 2 || c.rank(f.Output(0)) != c.rank(v) {
		return nil, nil
	}
	other := f.Input(1 - u.Index)
	cv := c.konst(other)
	if cv == nil || !cv.isFloat() {
		return nil, nil
	}
	for i, d := range cv.shape {
		if d != 1 && !(i == len(cv.shape)-1 && d == n) {
			return nil, nil
		}
	}
	b := make([]float32, n)
	for i := range b {
		if len(cv.f) == 1 {
			b[i] = cv.f[0]
		} else {
			b[i] = cv.f[i]
		}
	}
	return b, f
}

func convGemm(c *converter, n *onnxgraph.Node) error {
	a, bv, cvv, out := n.Input(0), n.Input(1), in(n, 2), n.Output(0)
	alpha, beta := attrFloat(n, "alpha", 1), attrFloat(n, "beta", 1)
	ta, tb := attrInt(n, "transA", 0) != 0, attrInt(n, "transB", 0) != 0
	as := c.shape(a)
	if len(as) != 2 {
		return refuse("Gemm input of rank %d, want 2", len(as))
	}
	at := c.tensor(a, identity(2))
	m, k := as[0], as[1]
	if ta {
		m, k = k, m
		tr := c.newTensor(a.Name()+"/t", ttFloat32, []int64{m, k})
		c.transposeOp(at, tr, []int{1, 0}, a.Name())
		at = tr
	}
	os := c.shape(out)
	nOut := os[1]
	name := out.Name()
	bc := c.konst(bv)
	if bc != nil && bc.isFloat() {
		w := bc.f
		if !tb {
			w = transpose2(w, k, nOut)
		}
		if alpha != 1 {
			w = scaled(w, alpha)
		}
		w = permuteK(w, nOut, k, c.kperm[a])
		var bias []float32
		cc := c.konst(cvv)
		addAfter := cvv != nil
		if cc != nil && (cc.numel() == int(nOut) && (len(cc.shape) == 1 || cc.shape[0] == 1) || cc.numel() == 1) {
			bias = make([]float32, nOut)
			for i := range bias {
				bias[i] = beta * cc.f[min(i, len(cc.f)-1)]
			}
			addAfter = false
		}
		if !addAfter {
			c.fullyConnected(at, w, nOut, k, bias, c.output(out, identity(2)), false, name)
			return nil
		}
		mid := c.newTensor(name+"/product", ttFloat32, os)
		c.fullyConnected(at, w, nOut, k, nil, mid, false, name)
		return c.addScaled(mid, cvv, beta, out)
	}
	// Computed B: BATCH_MATMUL.
	bt := c.tensor(bv, identity(2))
	prod := c.newTensor(name+"/product", ttFloat32, os)
	if alpha == 1 && cvv == nil {
		prod = c.output(out, identity(2))
	}
	c.emit(opBatchMatMul, []int32{at, bt}, []int32{prod}, oBool(0, false), oBool(1, tb), oBool(2, false))
	if alpha != 1 {
		next := c.newTensor(name+"/alpha", ttFloat32, os)
		if cvv == nil {
			next = c.output(out, identity(2))
		}
		c.emit(opMul, []int32{prod, c.scalar(name+"/alpha", ttFloat32, float64(alpha))}, []int32{next}, oU8(0, actNone))
		prod = next
	}
	if cvv != nil {
		return c.addScaled(prod, cvv, beta, out)
	}
	return nil
}

func scaled(a []float32, f float32) []float32 {
	out := make([]float32, len(a))
	for i, x := range a {
		out[i] = x * f
	}
	return out
}

// addScaled emits out = x + beta*v (2-D).
func (c *converter) addScaled(x int32, v *onnxgraph.Value, beta float32, out *onnxgraph.Value) error {
	var vt int32
	if cv := c.konst(v); cv != nil {
		vt = c.constTensor(v.Name(), &cval{dt: onnxgraph.Float, shape: cv.shape, f: scaled(cv.f, beta)}, nil)
	} else {
		vt = c.tensorAtRank(v, 2, identity(2))
		if beta != 1 {
			s := c.newTensor(v.Name()+"/beta", ttFloat32, c.tshape(vt))
			c.emit(opMul, []int32{vt, c.scalar("beta", ttFloat32, float64(beta))}, []int32{s}, oU8(0, actNone))
			vt = s
		}
	}
	c.emit(opAdd, []int32{x, vt}, []int32{c.output(out, identity(2))}, oU8(0, actNone))
	return nil
}

func convMatMul(c *converter, n *onnxgraph.Node) error {
	a, b, out := n.Input(0), n.Input(1), n.Output(0)
	as, bs, os := c.shape(a), c.shape(b), c.shape(out)
	name := out.Name()
	if tt, _ := c.tfType(a); tt != ttFloat32 {
		return refuse("MatMul on %s is not supported", tt)
	}
	bc := c.konst(b)
	if bc != nil && len(bs) == 2 && len(as) >= 2 {
		k, nOut := bs[0], bs[1]
		w := transpose2(bc.f, k, nOut)
		bias, add := c.biasAfter(out, nOut)
		if add != nil {
			c.skip[add] = true
			c.fold(add, "into "+n.Name())
			out = add.Output(0)
		}
		w = permuteK(w, nOut, k, c.kperm[a])
		c.fullyConnected(c.tensor(a, identity(len(as))), w, nOut, k, bias, c.output(out, identity(len(os))), len(as) > 2, name)
		return nil
	}
	// BATCH_MATMUL on operands of rank >= 2, the lower rank raised.
	r := max(len(as), len(bs), 2)
	at := c.matOperand(a, as, r, true)
	bt := c.matOperand(b, bs, r, false)
	rs := make([]int64, r)
	sa, sb := c.tshape(at), c.tshape(bt)
	for i := 0; i < r-2; i++ {
		rs[i] = max(sa[i], sb[i])
	}
	rs[r-2], rs[r-1] = sa[r-2], sb[r-1]
	if samePerm64(rs, os) {
		c.emit(opBatchMatMul, []int32{at, bt}, []int32{c.output(out, identity(len(os)))}, oBool(0, false), oBool(1, false), oBool(2, false))
		return nil
	}
	mid := c.newTensor(name+"/product", ttFloat32, rs)
	c.emit(opBatchMatMul, []int32{at, bt}, []int32{mid}, oBool(0, false), oBool(1, false), oBool(2, false))
	c.emit(opReshape, []int32{mid, c.int32Const(name+"/shape", shape32(os))}, []int32{c.output(out, identity(len(os)))}, oInts(0, shape32(os)))
	return nil
}

// matOperand returns a MatMul operand at rank r: a vector becomes a row
// (left) or a column (right), lower ranks gain leading 1s.
func (c *converter) matOperand(v *onnxgraph.Value, s []int64, r int, left bool) int32 {
	ns := s
	if len(s) == 1 {
		if left {
			ns = []int64{1, s[0]}
		} else {
			ns = []int64{s[0], 1}
		}
	}
	ns = expandShape(ns, r)
	if cv := c.konst(v); cv != nil {
		return c.constTensor(v.Name(), reshaped(cv, ns), nil)
	}
	t := c.tensor(v, identity(len(s)))
	if len(ns) == len(s) {
		return t
	}
	return c.reshape(t, ns, v.Name()+"/rank")
}
