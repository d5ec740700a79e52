package tflite

import (
	"math"

	"github.com/onnxgraph/onnxgraph"
)

// Elementwise operators: binary arithmetic and comparisons with ONNX
// broadcasting, unary functions and activations, Clip, Where, Cast. The
// output takes the layout of its first full-rank computed input; constants
// are laid out to match at export time.

var elementwiseTable = family(func(t map[key]convFunc) {
	versions(t, "Add", binaryOp(opAdd), 7, 13, 14)
	versions(t, "Sub", binaryOp(opSub), 7, 13, 14)
	versions(t, "Mul", binaryOp(opMul), 7, 13, 14)
	versions(t, "Div", binaryOp(opDiv), 7, 13, 14)
	versions(t, "Pow", convPow, 7, 12, 13, 15)
	versions(t, "Min", variadic(opMinimum), 8, 12, 13)
	versions(t, "Max", variadic(opMaximum), 8, 12, 13)
	versions(t, "Sum", variadic(opAdd), 8, 13)
	versions(t, "Equal", binaryOp(opEqual), 7, 11, 13, 19)
	versions(t, "Less", binaryOp(opLess), 7, 9, 13)
	versions(t, "Greater", binaryOp(opGreater), 7, 9, 13)
	versions(t, "LessOrEqual", binaryOp(opLessEqual), 12, 16)
	versions(t, "GreaterOrEqual", binaryOp(opGreaterEqual), 12, 16)
	versions(t, "And", binaryOp(opLogicalAnd), 7)
	versions(t, "Or", binaryOp(opLogicalOr), 7)
	versions(t, "PRelu", binaryOp(opPRelu), 7, 9, 16)
	versions(t, "Selu", convSelu, 6, 22)
	versions(t, "Where", convWhere, 9, 16)

	versions(t, "Sqrt", unary(opSqrt), 6, 13)
	versions(t, "Exp", unary(opExp), 6, 13)
	versions(t, "Log", unary(opLog), 6, 13)
	versions(t, "Abs", unary(opAbs), 6, 13)
	versions(t, "Neg", unary(opNeg), 6, 13)
	versions(t, "Floor", unary(opFloor), 6, 13)
	versions(t, "Ceil", unary(opCeil), 6, 13)
	versions(t, "Round", unary(opRound), 11, 22)
	versions(t, "Sin", unary(opSin), 7, 22)
	versions(t, "Cos", unary(opCos), 7, 22)
	versions(t, "Sign", unary(opSign), 9, 13)
	versions(t, "Not", unary(opLogicalNot), 1)
	versions(t, "Relu", unary(opRelu), 6, 13, 14)
	versions(t, "Sigmoid", unary(opLogistic), 6, 13)
	versions(t, "Tanh", unary(opTanh), 6, 13)
	versions(t, "HardSwish", unary(opHardSwish), 14, 22)
	versions(t, "Reciprocal", convReciprocal, 6, 13)
	versions(t, "Elu", convElu, 6, 22)
	versions(t, "LeakyRelu", convLeakyRelu, 6, 16)
	versions(t, "HardSigmoid", convHardSigmoid, 6, 22)
	versions(t, "Gelu", convGelu, 20)
	versions(t, "Erf", convErf, 9, 13)
	versions(t, "Clip", convClip, 6, 11, 12, 13)
	versions(t, "Cast", convCast, 6, 9, 13, 19, 21, 23, 24, 25)
	versions(t, "Identity", convIdentity, 1, 13, 14, 16, 19, 21, 23, 24, 25)
	versions(t, "Dropout", convIdentity, 7, 10, 12, 13, 22)
})

// convSelu: gamma * (relu(x) + alpha*(exp(min(x, 0)) - 1)).
func convSelu(c *converter, n *onnxgraph.Node) error {
	alpha := float64(attrFloat(n, "alpha", 1.67326319217681884765625))
	gamma := float64(attrFloat(n, "gamma", 1.05070102214813232421875))
	x := n.Input(0)
	p := c.layout(x)
	xt := c.tensor(x, p)
	name := n.Output(0).Name()
	ts := c.tshape(xt)
	neg := c.newTensor(name+"/neg", ttFloat32, ts)
	c.chain(xt, []step{{op: opMinimum, scalar: 0}, {op: opExp, none: true}, {op: opSub, scalar: 1}, {op: opMul, scalar: alpha}}, neg, name)
	pos := c.newTensor(name+"/relu", ttFloat32, ts)
	c.emit(opRelu, []int32{xt}, []int32{pos})
	sum := c.newTensor(name+"/sum", ttFloat32, ts)
	c.emit(opAdd, []int32{pos, neg}, []int32{sum}, oU8(0, actNone))
	c.emit(opMul, []int32{sum, c.scalar(name+"/gamma", ttFloat32, gamma)}, []int32{c.output(n.Output(0), p)}, oU8(0, actNone))
	return nil
}

// broadcast brings the inputs of an elementwise node to the output's rank
// and one layout, and returns their tensors and the layout.
func (c *converter) broadcast(ins []*onnxgraph.Value, r int) ([]int32, []int) {
	p := identity(r)
	for _, v := range ins {
		if v != nil && c.konst(v) == nil && c.rank(v) == r {
			p = c.layout(v)
			break
		}
	}
	out := make([]int32, len(ins))
	for i, v := range ins {
		out[i] = c.tensorAtRank(v, r, p)
	}
	return out, p
}

// tensorAtRank returns v as a tensor of rank r in layout p: a lower-rank
// value gains leading 1s first (ONNX broadcasting), by a RESHAPE when the
// layout allows, else with a TRANSPOSE.
func (c *converter) tensorAtRank(v *onnxgraph.Value, r int, p []int) int32 {
	if cv := c.konst(v); cv != nil {
		if cv.numel() == 1 && !isIdentity(p) {
			return c.constTensor(v.Name(), reshaped(cv, expandShape(nil, r)), p)
		}
		return c.constTensor(v.Name(), cv, p)
	}
	s := c.shape(v)
	if len(s) == r {
		return c.tensor(v, p)
	}
	if isIdentity(p) {
		return c.tensor(v, identity(len(s)))
	}
	es := expandShape(s, r)
	k := "r" + permKey(p)
	tv := c.vals[v]
	if idx, ok := tv.alt[k]; ok {
		return idx
	}
	var idx int32
	base := c.tensor(v, identity(len(s)))
	if memTrivial(es, identity(r), p) {
		idx = c.reshape(base, permute(es, p), v.Name()+"/"+k)
	} else {
		up := c.reshape(base, es, v.Name()+"/rank")
		idx = c.newTensor(v.Name()+"/"+k, c.out.tensors[base].typ, permute(es, p))
		c.transposeOp(up, idx, p, v.Name())
	}
	if tv.alt == nil {
		tv.alt = map[string]int32{}
	}
	tv.alt[k] = idx
	return idx
}

// opts gives the options an operator always carries (fused activation).
func defaultOpts(op builtin) []optField {
	switch op.opt {
	case optAdd, optSub, optMul, optDiv, optConcatenation:
		return []optField{oU8(0, actNone)}
	}
	return nil
}

// binaryOp converts a two-input elementwise node.
func binaryOp(op builtin) convFunc {
	return func(c *converter, n *onnxgraph.Node) error {
		out := n.Output(0)
		if err := c.checkTypes(n, op); err != nil {
			return err
		}
		ins, p := c.broadcast([]*onnxgraph.Value{n.Input(0), n.Input(1)}, c.rank(out))
		ot := c.output(out, p)
		c.emit(op, ins, []int32{ot}, defaultOpts(op)...)
		return nil
	}
}

// checkTypes refuses element types TensorFlow Lite's kernels lack.
func (c *converter) checkTypes(n *onnxgraph.Node, op builtin) error {
	tt, _ := c.tfType(n.Input(0))
	ok := true
	switch op {
	case opAdd, opSub, opMul, opMaximum, opMinimum, opEqual, opNotEqual, opLess, opGreater, opLessEqual, opGreaterEqual:
		ok = tt == ttFloat32 || tt == ttInt32 || tt == ttInt16 || tt == ttInt8 || (tt == ttUint8 && op != opAdd && op != opSub && op != opMul) || (tt == ttBool && (op == opEqual || op == opNotEqual))
	case opDiv, opPow:
		ok = tt == ttFloat32 || tt == ttInt32
	case opPRelu:
		ok = tt == ttFloat32
	case opLogicalAnd, opLogicalOr, opLogicalNot:
		ok = tt == ttBool
	}
	if !ok {
		return refuse("%s on %s has no TensorFlow Lite kernel", op.name, tt)
	}
	return nil
}

// variadic converts Min, Max and Sum: a chain of binary operators.
func variadic(op builtin) convFunc {
	return func(c *converter, n *onnxgraph.Node) error {
		out := n.Output(0)
		if err := c.checkTypes(n, op); err != nil {
			return err
		}
		var ins []*onnxgraph.Value
		for _, v := range n.Inputs() {
			if v != nil {
				ins = append(ins, v)
			}
		}
		if len(ins) == 1 {
			c.alias(ins[0], out)
			return nil
		}
		r := c.rank(out)
		ts, p := c.broadcast(ins, r)
		tt, _ := c.tfType(out)
		cur := ts[0]
		curShape := expandShape(c.shape(ins[0]), r)
		for i := 1; i < len(ins); i++ {
			curShape = broadcastShape(curShape, expandShape(c.shape(ins[i]), r))
			var next int32
			if i == len(ins)-1 {
				next = c.output(out, p)
			} else {
				next = c.newTensor(out.Name()+"/partial", tt, permute(curShape, p))
			}
			c.emit(op, []int32{cur, ts[i]}, []int32{next}, defaultOpts(op)...)
			cur = next
		}
		return nil
	}
}

func broadcastShape(a, b []int64) []int64 {
	out := make([]int64, len(a))
	for i := range a {
		out[i] = max(a[i], b[i])
		if a[i] == 0 || b[i] == 0 {
			out[i] = 0
		}
	}
	return out
}

func convPow(c *converter, n *onnxgraph.Node) error {
	x, e, out := n.Input(0), n.Input(1), n.Output(0)
	if ec := c.konst(e); ec != nil && ec.numel() == 1 && c.rank(out) == c.rank(x) {
		switch ec.float64s()[0] {
		case 1:
			c.alias(x, out)
			return nil
		case 2:
			p := c.layout(x)
			xt := c.tensor(x, p)
			c.emit(opMul, []int32{xt, xt}, []int32{c.output(out, p)}, oU8(0, actNone))
			return nil
		case 0.5:
			p := c.layout(x)
			c.emit(opSqrt, []int32{c.tensor(x, p)}, []int32{c.output(out, p)})
			return nil
		}
	}
	if c.elem(x) != c.elem(e) {
		ec := c.konst(e)
		if ec == nil {
			// CAST the exponent to the base's type.
			bt, _ := c.tfType(x)
			et, _ := c.tfType(e)
			if et == bt {
				return binaryOp(opPow)(c, n)
			}
			pe := c.layout(e)
			ct := c.newTensor(e.Name()+"/cast", bt, permute(c.shape(e), pe))
			c.emit(opCast, []int32{c.tensor(e, pe)}, []int32{ct}, oU8(0, int64(et)), oU8(1, int64(bt)))
			tv := c.vals[e]
			c.vals[e] = &tval{idx: ct, perm: pe}
			defer func() { c.vals[e] = tv }()
			return binaryOp(opPow)(c, n)
		}
		// The exponent takes the base's type.
		conv := &cval{dt: c.elem(x), shape: ec.shape}
		if isFloatType(c.elem(x)) {
			conv.f = make([]float32, ec.numel())
			for i, f := range ec.float64s() {
				conv.f[i] = float32(f)
			}
		} else {
			conv.i = ec.ints()
		}
		c.consts[e] = conv
		defer func() { c.consts[e] = ec }()
	}
	return binaryOp(opPow)(c, n)
}

func convWhere(c *converter, n *onnxgraph.Node) error {
	out := n.Output(0)
	ins, p := c.broadcast([]*onnxgraph.Value{n.Input(0), n.Input(1), n.Input(2)}, c.rank(out))
	c.emit(opSelectV2, ins, []int32{c.output(out, p)})
	return nil
}

// unary converts a one-input elementwise node, in its input's layout.
func unary(op builtin) convFunc { return unaryOpts(op, nil) }

// unaryOpts is unary with options read from the node.
func unaryOpts(op builtin, opts func(n *onnxgraph.Node) []optField) convFunc {
	return func(c *converter, n *onnxgraph.Node) error {
		if err := c.checkTypes(n, op); err != nil {
			return err
		}
		x := n.Input(0)
		p := c.layout(x)
		var o []optField
		if opts != nil {
			o = opts(n)
		}
		c.emit(op, []int32{c.tensor(x, p)}, []int32{c.output(n.Output(0), p)}, o...)
		return nil
	}
}

var convLeakyRelu = unaryOpts(opLeakyRelu, func(n *onnxgraph.Node) []optField {
	return []optField{oF32(0, attrFloat(n, "alpha", 0.01))}
})

var convGelu = unaryOpts(opGelu, func(n *onnxgraph.Node) []optField {
	return []optField{oBool(0, attrString(n, "approximate", "none") == "tanh")}
})

func convIdentity(c *converter, n *onnxgraph.Node) error {
	for i := 1; i < n.NumOutputs(); i++ {
		if used(n.Output(i)) {
			return refuse("the mask output of Dropout is not supported")
		}
	}
	if n.OpType() == "Dropout" {
		if r := in(n, 2); r != nil {
			if cv := c.konst(r); cv == nil || cv.ints()[0] != 0 {
				return refuse("Dropout in training mode is not supported")
			}
		}
	}
	c.alias(n.Input(0), n.Output(0))
	return nil
}

func convReciprocal(c *converter, n *onnxgraph.Node) error {
	x := n.Input(0)
	p := c.layout(x)
	c.emit(opDiv, []int32{c.scalar("one", ttFloat32, 1), c.tensor(x, p)}, []int32{c.output(n.Output(0), p)}, oU8(0, actNone))
	return nil
}

func convElu(c *converter, n *onnxgraph.Node) error {
	alpha := float64(attrFloat(n, "alpha", 1))
	if alpha == 1 {
		return unary(opElu)(c, n)
	}
	// ELU has alpha 1: relu(x) + alpha*(exp(min(x, 0)) - 1).
	x := n.Input(0)
	p := c.layout(x)
	xt := c.tensor(x, p)
	name := n.Output(0).Name()
	neg := c.newTensor(name+"/neg", ttFloat32, c.tshape(xt))
	c.chain(xt, []step{{op: opMinimum, scalar: 0}, {op: opExp, none: true}, {op: opSub, scalar: 1}, {op: opMul, scalar: alpha}}, neg, name)
	pos := c.newTensor(name+"/relu", ttFloat32, c.tshape(xt))
	c.emit(opRelu, []int32{xt}, []int32{pos})
	c.emit(opAdd, []int32{pos, neg}, []int32{c.output(n.Output(0), p)}, oU8(0, actNone))
	return nil
}

// chain emits a sequence of elementwise steps on x's layout; each step is
// an operator with a second operand (a scalar constant, or -1 for none).
type step struct {
	op     builtin
	scalar float64
	none   bool // a unary step
}

func (c *converter) chain(x int32, steps []step, last int32, name string) {
	ts := c.tshape(x)
	cur := x
	for i, s := range steps {
		next := last
		if i < len(steps)-1 {
			next = c.newTensor(name+"/"+s.op.name, ttFloat32, ts)
		}
		if s.none {
			c.emit(s.op, []int32{cur}, []int32{next}, defaultOpts(s.op)...)
		} else {
			c.emit(s.op, []int32{cur, c.scalar(name+"/c", ttFloat32, s.scalar)}, []int32{next}, defaultOpts(s.op)...)
		}
		cur = next
	}
}

// convHardSigmoid: max(0, min(1, alpha*x + beta)).
func convHardSigmoid(c *converter, n *onnxgraph.Node) error {
	x := n.Input(0)
	p := c.layout(x)
	xt := c.tensor(x, p)
	c.chain(xt, []step{
		{op: opMul, scalar: float64(attrFloat(n, "alpha", 0.2))},
		{op: opAdd, scalar: float64(attrFloat(n, "beta", 0.5))},
		{op: opMinimum, scalar: 1},
		{op: opMaximum, scalar: 0},
	}, c.output(n.Output(0), p), n.Output(0).Name())
	return nil
}

// convErf has no TensorFlow Lite operator: it is computed with
// Abramowitz and Stegun's formula 7.1.26 (absolute error below 1.5e-7):
// sign(x) * (1 - t*(a1 + t*(a2 + t*(a3 + t*(a4 + t*a5)))) * exp(-x*x)),
// t = 1/(1 + p*|x|).
func convErf(c *converter, n *onnxgraph.Node) error {
	x := n.Input(0)
	p := c.layout(x)
	xt := c.tensor(x, p)
	ts := c.tshape(xt)
	name := n.Output(0).Name()
	tmp := func(s string) int32 { return c.newTensor(name+"/"+s, ttFloat32, ts) }
	k := func(v float64) int32 { return c.scalar(name+"/c", ttFloat32, v) }
	ax := tmp("abs")
	c.emit(opAbs, []int32{xt}, []int32{ax})
	den := tmp("den")
	c.chain(ax, []step{{op: opMul, scalar: 0.3275911}, {op: opAdd, scalar: 1}}, den, name+"/den")
	t := tmp("t")
	c.emit(opDiv, []int32{k(1), den}, []int32{t}, oU8(0, actNone))
	coef := []float64{1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592}
	poly := tmp("poly")
	c.emit(opMul, []int32{t, k(coef[0])}, []int32{poly}, oU8(0, actNone))
	for i := 1; i < len(coef); i++ {
		a := tmp("poly_add")
		c.emit(opAdd, []int32{poly, k(coef[i])}, []int32{a}, oU8(0, actNone))
		m := tmp("poly_mul")
		c.emit(opMul, []int32{a, t}, []int32{m}, oU8(0, actNone))
		poly = m
	}
	sq := tmp("square")
	c.emit(opMul, []int32{xt, xt}, []int32{sq}, oU8(0, actNone))
	ng := tmp("neg_square")
	c.emit(opNeg, []int32{sq}, []int32{ng})
	e := tmp("exp")
	c.emit(opExp, []int32{ng}, []int32{e})
	pe := tmp("poly_exp")
	c.emit(opMul, []int32{poly, e}, []int32{pe}, oU8(0, actNone))
	one := tmp("one_minus")
	c.emit(opSub, []int32{k(1), pe}, []int32{one}, oU8(0, actNone))
	sg := tmp("sign")
	c.emit(opSign, []int32{xt}, []int32{sg})
	c.emit(opMul, []int32{sg, one}, []int32{c.output(n.Output(0), p)}, oU8(0, actNone))
	return nil
}

// clipBounds returns Clip's bounds when they are constants.
func (c *converter) clipBounds(n *onnxgraph.Node) (lo, hi float64, ok bool) {
	lo, hi = math.Inf(-1), math.Inf(1)
	if n.Attr("min") != nil || n.Attr("max") != nil || n.NumInputs() == 1 {
		return float64(attrFloat(n, "min", float32(lo))), float64(attrFloat(n, "max", float32(hi))), true
	}
	if v := in(n, 1); v != nil {
		cv := c.konst(v)
		if cv == nil {
			return 0, 0, false
		}
		lo = cv.float64s()[0]
	}
	if v := in(n, 2); v != nil {
		cv := c.konst(v)
		if cv == nil {
			return 0, 0, false
		}
		hi = cv.float64s()[0]
	}
	return lo, hi, true
}

func convClip(c *converter, n *onnxgraph.Node) error {
	lo, hi, ok := c.clipBounds(n)
	if !ok {
		for i := 1; i < n.NumInputs(); i++ {
			if v := n.Input(i); v != nil && c.konst(v) == nil {
				return refuse("Clip bound %q must be a constant", v.Name())
			}
		}
	}
	x := n.Input(0)
	p := c.layout(x)
	xt := c.tensor(x, p)
	ot := c.output(n.Output(0), p)
	tt, _ := c.tfType(x)
	if tt == ttFloat32 {
		switch {
		case lo == 0 && hi == 6:
			c.emit(opRelu6, []int32{xt}, []int32{ot})
			return nil
		case lo == -1 && hi == 1:
			c.emit(opReluN1To1, []int32{xt}, []int32{ot})
			return nil
		case lo == 0 && math.IsInf(hi, 1):
			c.emit(opRelu, []int32{xt}, []int32{ot})
			return nil
		}
	}
	var steps []step
	if !math.IsInf(lo, -1) {
		steps = append(steps, step{op: opMaximum, scalar: lo})
	}
	if !math.IsInf(hi, 1) {
		steps = append(steps, step{op: opMinimum, scalar: hi})
	}
	if len(steps) == 0 {
		c.emit(opReshape, []int32{xt, c.int32Const("shape", shape32(c.tshape(xt)))}, []int32{ot}, oInts(0, shape32(c.tshape(xt))))
		return nil
	}
	if tt != ttFloat32 {
		// Integer bounds: scalar constants of the input's type.
		cur := xt
		for i, s := range steps {
			next := ot
			if i < len(steps)-1 {
				next = c.newTensor(n.Output(0).Name()+"/lo", tt, c.tshape(xt))
			}
			c.emit(s.op, []int32{cur, c.scalar("bound", tt, s.scalar)}, []int32{next})
			cur = next
		}
		return nil
	}
	c.chain(xt, steps, ot, n.Output(0).Name())
	return nil
}

func convCast(c *converter, n *onnxgraph.Node) error {
	x, out := n.Input(0), n.Output(0)
	from, _ := c.tfType(x)
	to, _ := c.tfType(out)
	if from == to {
		c.alias(x, out)
		return nil
	}
	p := c.layout(x)
	c.emit(opCast, []int32{c.tensor(x, p)}, []int32{c.output(out, p)}, oU8(0, int64(from)), oU8(1, int64(to)))
	return nil
}
