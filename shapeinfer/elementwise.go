package shapeinfer

import (
	"math"

	"github.com/onnxgraph/onnxgraph"
)

// The elementwise family: unary operators that keep type and shape,
// broadcasting binary and variadic operators, comparisons and logic, Where,
// Clip, and the casts. Integer arithmetic, comparisons, logic and Where
// propagate Data element by element, symbolically where the dims allow.

var elementwiseTable = join(
	all(inferUnary,
		versions("ai.onnx", "Abs", 1, 6, 13),
		versions("ai.onnx", "Acos", 7, 22),
		versions("ai.onnx", "Acosh", 9, 22),
		versions("ai.onnx", "Asin", 7, 22),
		versions("ai.onnx", "Asinh", 9, 22),
		versions("ai.onnx", "Atan", 7, 22),
		versions("ai.onnx", "Atanh", 9, 22),
		versions("ai.onnx", "Cos", 7, 22),
		versions("ai.onnx", "Cosh", 9, 22),
		versions("ai.onnx", "Sin", 7, 22),
		versions("ai.onnx", "Sinh", 9, 22),
		versions("ai.onnx", "Tan", 7, 22),
		versions("ai.onnx", "Tanh", 1, 6, 13),
		versions("ai.onnx", "Ceil", 1, 6, 13),
		versions("ai.onnx", "Floor", 1, 6, 13),
		versions("ai.onnx", "Round", 11, 22),
		versions("ai.onnx", "Sign", 9, 13),
		versions("ai.onnx", "Erf", 9, 13),
		versions("ai.onnx", "Exp", 1, 6, 13),
		versions("ai.onnx", "Log", 1, 6, 13),
		versions("ai.onnx", "Sqrt", 1, 6, 13),
		versions("ai.onnx", "Reciprocal", 1, 6, 13),
		versions("ai.onnx", "Neg", 1, 6, 13),
		versions("ai.onnx", "Relu", 1, 6, 13, 14),
		versions("ai.onnx", "LeakyRelu", 1, 6, 16),
		versions("ai.onnx", "Elu", 1, 6, 22),
		versions("ai.onnx", "Selu", 1, 6, 22),
		versions("ai.onnx", "Celu", 12, 28),
		versions("ai.onnx", "Sigmoid", 1, 6, 13),
		versions("ai.onnx", "HardSigmoid", 1, 6, 22),
		versions("ai.onnx", "HardSwish", 14, 22),
		versions("ai.onnx", "Softplus", 1, 22),
		versions("ai.onnx", "Softsign", 1, 22),
		versions("ai.onnx", "ThresholdedRelu", 10, 22),
		versions("ai.onnx", "Mish", 18, 22),
		versions("ai.onnx", "Gelu", 20),
		versions("ai.onnx", "Swish", 24),
		versions("ai.onnx", "Shrink", 9),
		versions("ai.onnx", "BitwiseNot", 18),
		versions("ai.onnx", "Clip", 1, 6),
	),
	all(inferBoolUnary,
		versions("ai.onnx", "IsInf", 10, 20),
		versions("ai.onnx", "IsNaN", 9, 13, 20),
		versions("ai.onnx", "Not", 1),
	),
	all(inferBinary,
		versions("ai.onnx", "Add", 1, 6, 7, 13, 14),
		versions("ai.onnx", "Sub", 1, 6, 7, 13, 14),
		versions("ai.onnx", "Mul", 1, 6, 7, 13, 14),
		versions("ai.onnx", "Div", 1, 6, 7, 13, 14),
		versions("ai.onnx", "Pow", 1, 7, 12, 13, 15),
		versions("ai.onnx", "Mod", 10, 13),
		versions("ai.onnx", "BitShift", 11),
		versions("ai.onnx", "BitwiseAnd", 18),
		versions("ai.onnx", "BitwiseOr", 18),
		versions("ai.onnx", "BitwiseXor", 18),
		versions("ai.onnx", "And", 1, 7),
		versions("ai.onnx", "Or", 1, 7),
		versions("ai.onnx", "Xor", 1, 7),
		versions("ai.onnx", "Equal", 1, 7, 11, 13, 19),
		versions("ai.onnx", "Greater", 1, 7, 9, 13),
		versions("ai.onnx", "GreaterOrEqual", 12, 16),
		versions("ai.onnx", "Less", 1, 7, 9, 13),
		versions("ai.onnx", "LessOrEqual", 12, 16),
	),
	all(inferVariadic,
		versions("ai.onnx", "Sum", 1, 6, 8, 13),
		versions("ai.onnx", "Max", 1, 6, 8, 12, 13),
		versions("ai.onnx", "Min", 1, 6, 8, 12, 13),
		versions("ai.onnx", "Mean", 1, 6, 8, 13),
	),
	all(inferClip, versions("ai.onnx", "Clip", 11, 12, 13)),
	all(inferPRelu, versions("ai.onnx", "PRelu", 1, 6, 7, 9, 16)),
	all(inferWhere, versions("ai.onnx", "Where", 9, 16)),
	all(inferSwiGLU, versions("ai.onnx", "SwiGLU", 28)),
	all(inferCast, versions("ai.onnx", "Cast", 1, 6, 9, 13, 19, 21, 23, 24, 25)),
	all(inferCastLike, versions("ai.onnx", "CastLike", 15, 19, 21, 23, 24, 25)),
	all(inferBitCast, versions("ai.onnx", "BitCast", 26)),
)

// inferUnary keeps input 0's type; Neg, Abs, Sign, Relu and the rounding
// and exponential operators propagate known data.
func inferUnary(c *Ctx) error {
	t := c.Input(0)
	if t == nil {
		return nil
	}
	c.SetOutput(0, t)
	d := propData(c, 0)
	if d == nil {
		return nil
	}
	var fi func(x []Dim) Dim
	var ff func(x []float64) float64
	switch c.Node.OpType() {
	case "Neg":
		fi = func(x []Dim) Dim { return Known(0).Sub(x[0]) }
		ff = func(x []float64) float64 { return -x[0] }
	case "Abs":
		fi = func(x []Dim) Dim {
			if o := dimOrder(x[0], Known(0)); o.ge {
				return x[0]
			} else if o.le {
				return Known(0).Sub(x[0])
			}
			return Unknown
		}
		ff = func(x []float64) float64 { return math.Abs(x[0]) }
	case "Sign":
		fi = func(x []Dim) Dim {
			o := dimOrder(x[0], Known(0))
			switch {
			case o.gt:
				return Known(1)
			case o.lt:
				return Known(-1)
			case o.ge && o.le:
				return Known(0)
			}
			return Unknown
		}
		ff = func(x []float64) float64 {
			switch {
			case x[0] > 0:
				return 1
			case x[0] < 0:
				return -1
			}
			return x[0]
		}
	case "Relu":
		fi = func(x []Dim) Dim {
			if o := dimOrder(x[0], Known(0)); o.ge {
				return x[0]
			} else if o.le {
				return Known(0)
			}
			return Unknown
		}
		ff = func(x []float64) float64 { return math.Max(x[0], 0) }
	case "Ceil":
		ff = func(x []float64) float64 { return math.Ceil(x[0]) }
	case "Floor":
		ff = func(x []float64) float64 { return math.Floor(x[0]) }
	case "Round":
		ff = func(x []float64) float64 { return math.RoundToEven(x[0]) }
	case "Sqrt":
		ff = func(x []float64) float64 { return math.Sqrt(x[0]) }
	case "Exp":
		ff = func(x []float64) float64 { return math.Exp(x[0]) }
	case "Log":
		ff = func(x []float64) float64 { return math.Log(x[0]) }
	case "Reciprocal":
		ff = func(x []float64) float64 { return 1 / x[0] }
	default:
		return nil
	}
	c.SetData(0, mapData([]*Data{d}, fi, ff, false))
	return nil
}

// inferBoolUnary is IsInf, IsNaN and Not: input 0's shape, bool elements.
func inferBoolUnary(c *Ctx) error {
	t := c.Input(0)
	if t == nil {
		c.SetOutput(0, Tensor(onnxgraph.Bool, nil))
		return nil
	}
	c.SetOutput(0, Tensor(onnxgraph.Bool, t.Shape))
	if d := propData(c, 0); d != nil && c.Node.OpType() == "Not" {
		c.SetData(0, mapData([]*Data{d}, func(x []Dim) Dim {
			if v, ok := x[0].Value(); ok {
				return boolDim(v == 0)
			}
			return Unknown
		}, nil, true))
	}
	return nil
}

// isCompare reports whether op is a comparison or logical operator, whose
// output is bool.
func isCompare(op string) bool {
	switch op {
	case "Equal", "Greater", "GreaterOrEqual", "Less", "LessOrEqual", "And", "Or", "Xor":
		return true
	}
	return false
}

// inferBinary is the two-input broadcasting family: arithmetic, bitwise,
// logic and comparisons. Before opset 7 the arithmetic and logic operators
// broadcast only with broadcast=1, and then only B to A (legacyBroadcast).
func inferBinary(c *Ctx) error {
	op := c.Node.OpType()
	a, b := c.Input(0), c.Input(1)
	elem := c.Elem(0)
	if isCompare(op) {
		elem = onnxgraph.Bool
	}
	if a == nil || b == nil {
		if a != nil || isCompare(op) {
			c.SetOutput(0, Tensor(elem, nil))
		}
		return nil
	}
	if !a.IsTensor() || !b.IsTensor() {
		return c.Errorf(CodeInvalid, "%s takes tensors, got %v and %v", op, a, b)
	}
	var shape Shape
	var err error
	if c.Schema != nil && c.Schema.SinceVersion < 7 {
		if _, legacy := c.Schema.Attribute("broadcast"); legacy {
			shape, err = legacyBroadcast(c, a.Shape, b.Shape)
		} else {
			shape, err = broadcast(c, a.Shape, b.Shape)
		}
	} else {
		shape, err = broadcast(c, a.Shape, b.Shape)
	}
	if err != nil {
		c.SetOutput(0, Tensor(elem, nil))
		return err
	}
	c.SetOutput(0, Tensor(elem, shape))
	da, db := propData(c, 0), propData(c, 1)
	if da == nil || db == nil {
		return nil
	}
	fi, ff := binaryDataFuncs(c, op)
	if fi == nil && ff == nil {
		return nil
	}
	c.SetData(0, mapData([]*Data{da, db}, fi, ff, isCompare(op)))
	return nil
}

// legacyBroadcast is the rule of the opset 1-6 arithmetic and logic
// operators: with broadcast=0 the shapes must be equal; with broadcast=1, B
// matches a contiguous run of A's dims (starting at attribute axis, else
// ending at A's last dim), each B dim equal to A's or 1. The output has A's
// shape.
func legacyBroadcast(c *Ctx, a, b Shape) (Shape, error) {
	if c.Int("broadcast", 0) == 0 {
		if a == nil || b == nil {
			return nil, nil
		}
		if len(a) != len(b) {
			return nil, c.Errorf(CodeInvalid, "broadcast=0 needs equal shapes, got %v and %v", a, b)
		}
		return mergeEqualShapes(c, a, b)
	}
	if a == nil {
		return nil, nil
	}
	if b == nil {
		return a, nil
	}
	if len(b) > len(a) {
		return nil, c.Errorf(CodeInvalid, "B %v has more dims than A %v", b, a)
	}
	start := len(a) - len(b)
	if at := c.Attr("axis"); at != nil {
		ax, err := axis(c, at.GetI(), max(len(a), 1))
		if err != nil {
			return nil, err
		}
		start = ax
		if len(b) == 0 {
			start = 0
		}
		if start+len(b) > len(a) {
			return nil, c.Errorf(CodeInvalid, "B %v does not fit A %v at axis %d", b, a, at.GetI())
		}
	}
	out := append(Shape(nil), a...)
	for i, d := range b {
		ad := a[start+i]
		dv, dk := d.Value()
		av, ak := ad.Value()
		switch {
		case dk && dv == 1:
		case dk && ak && dv != av:
			return nil, c.Errorf(CodeInvalid, "B %v does not broadcast to A %v", b, a)
		case dk && ad.IsUnknown():
			out[start+i] = d
		}
	}
	return out, nil
}

// mergeEqualShapes merges two shapes that must be equal: a known dim wins over
// a symbol or unknown; two different known dims are an error.
func mergeEqualShapes(c *Ctx, a, b Shape) (Shape, error) {
	if a == nil {
		return b, nil
	}
	if b == nil {
		return a, nil
	}
	if len(a) != len(b) {
		return nil, c.Errorf(CodeInvalid, "shapes %v and %v differ in rank", a, b)
	}
	out := make(Shape, len(a))
	for i := range a {
		d, err := mergeEqualDim(c, a[i], b[i])
		if err != nil {
			return nil, err
		}
		out[i] = d
	}
	return out, nil
}

// mergeEqualDim merges two dims that must be equal.
func mergeEqualDim(c *Ctx, a, b Dim) (Dim, error) {
	av, ak := a.Value()
	bv, bk := b.Value()
	switch {
	case ak && bk && av != bv:
		return Unknown, c.Errorf(CodeInvalid, "dims %d and %d differ", av, bv)
	case ak:
		return a, nil
	case bk:
		return b, nil
	case a.IsUnknown():
		return b, nil
	}
	return a, nil
}

// binaryDataFuncs returns the integer and floating element functions of a
// binary operator, nil for those that do not propagate data.
func binaryDataFuncs(c *Ctx, op string) (func(x []Dim) Dim, func(x []float64) float64) {
	b2f := func(v bool) float64 {
		if v {
			return 1
		}
		return 0
	}
	switch op {
	case "Add":
		return func(x []Dim) Dim { return x[0].Add(x[1]) }, func(x []float64) float64 { return x[0] + x[1] }
	case "Sub":
		return func(x []Dim) Dim { return x[0].Sub(x[1]) }, func(x []float64) float64 { return x[0] - x[1] }
	case "Mul":
		return func(x []Dim) Dim { return x[0].Mul(x[1]) }, func(x []float64) float64 { return x[0] * x[1] }
	case "Div":
		return divDim, func(x []float64) float64 { return x[0] / x[1] }
	case "Mod":
		fmod := c.Int("fmod", 0) == 1
		return func(x []Dim) Dim { return modDim(x[0], x[1], fmod) }, func(x []float64) float64 {
			r := math.Mod(x[0], x[1])
			if !fmod && r != 0 && (r < 0) != (x[1] < 0) {
				r += x[1]
			}
			return r
		}
	case "Pow":
		return powDim, func(x []float64) float64 { return math.Pow(x[0], x[1]) }
	case "Equal":
		return func(x []Dim) Dim { return triDim(dimEqual(x[0], x[1])) }, func(x []float64) float64 { return b2f(x[0] == x[1]) }
	case "Greater":
		return func(x []Dim) Dim { return triDim(dimGreater(x[0], x[1], false)) }, func(x []float64) float64 { return b2f(x[0] > x[1]) }
	case "GreaterOrEqual":
		return func(x []Dim) Dim { return triDim(dimGreater(x[0], x[1], true)) }, func(x []float64) float64 { return b2f(x[0] >= x[1]) }
	case "Less":
		return func(x []Dim) Dim { return triDim(dimGreater(x[1], x[0], false)) }, func(x []float64) float64 { return b2f(x[0] < x[1]) }
	case "LessOrEqual":
		return func(x []Dim) Dim { return triDim(dimGreater(x[1], x[0], true)) }, func(x []float64) float64 { return b2f(x[0] <= x[1]) }
	case "And", "Or", "Xor":
		return func(x []Dim) Dim {
			p, pk := x[0].Value()
			q, qk := x[1].Value()
			switch {
			case op == "And" && ((pk && p == 0) || (qk && q == 0)):
				return Known(0)
			case op == "Or" && ((pk && p != 0) || (qk && q != 0)):
				return Known(1)
			case !pk || !qk:
				return Unknown
			case op == "And":
				return boolDim(p != 0 && q != 0)
			case op == "Or":
				return boolDim(p != 0 || q != 0)
			}
			return boolDim((p != 0) != (q != 0))
		}, nil
	case "BitwiseAnd", "BitwiseOr", "BitwiseXor", "BitShift":
		left := c.String("direction", "") == "LEFT"
		return func(x []Dim) Dim {
			p, pk := x[0].Value()
			q, qk := x[1].Value()
			if !pk || !qk {
				return Unknown
			}
			switch op {
			case "BitwiseAnd":
				return Known(p & q)
			case "BitwiseOr":
				return Known(p | q)
			case "BitwiseXor":
				return Known(p ^ q)
			}
			if q < 0 || q >= 64 {
				return Unknown
			}
			if left {
				return Known(int64(uint64(p) << uint(q)))
			}
			return Known(int64(uint64(p) >> uint(q)))
		}, nil
	}
	return nil, nil
}

// divDim is integer division as ONNX defines it for integers (truncating),
// kept symbolic when the divisor is a positive constant and the dividend
// provably non-negative.
func divDim(x []Dim) Dim {
	a, b := x[0], x[1]
	av, ak := a.Value()
	bv, bk := b.Value()
	switch {
	case ak && bk && bv != 0:
		return Known(av / bv)
	case bk && bv == 1:
		return a
	case bk && bv > 0 && dimOrder(a, Known(0)).ge:
		return a.FloorDiv(b)
	case a.Equal(b) && !a.IsUnknown() && dimOrder(a, Known(0)).gt:
		return Known(1)
	}
	return Unknown
}

// modDim is Mod on integers: the sign of the divisor (fmod=0) or of the
// dividend (fmod=1).
func modDim(a, b Dim, fmod bool) Dim {
	av, ak := a.Value()
	bv, bk := b.Value()
	if bk && (bv == 1 || bv == -1) {
		return Known(0)
	}
	if !ak || !bk || bv == 0 {
		return Unknown
	}
	r := av % bv
	if !fmod && r != 0 && (r < 0) != (bv < 0) {
		r += bv
	}
	return Known(r)
}

// powDim is Pow on integers with a known non-negative exponent.
func powDim(x []Dim) Dim {
	e, ek := x[1].Value()
	if !ek || e < 0 || e > 64 {
		return Unknown
	}
	out := Known(1)
	for range e {
		out = out.Mul(x[0])
	}
	return out
}

// boolDim is a bool element: 1 or 0.
func boolDim(v bool) Dim {
	if v {
		return Known(1)
	}
	return Known(0)
}

// triDim turns a decided comparison into a bool element, an undecided one
// into unknown.
func triDim(v, ok bool) Dim {
	if !ok {
		return Unknown
	}
	return boolDim(v)
}

// order is what can be proved about a-b for two dims: a>=b, a>b, a<=b,
// a<b. Symbols in an expression stand for sizes, so they are non-negative.
type order struct{ ge, gt, le, lt bool }

// dimOrder compares a and b as far as provable.
func dimOrder(a, b Dim) order {
	if a.IsUnknown() || b.IsUnknown() {
		return order{}
	}
	d := a.Expr().Sub(b.Expr())
	if v, ok := d.Const(); ok {
		return order{ge: v >= 0, gt: v > 0, le: v <= 0, lt: v < 0}
	}
	var o order
	if lo, ok := d.lowerBound(); ok {
		o.ge, o.gt = lo.n >= 0, lo.n > 0
	}
	if lo, ok := d.Neg().lowerBound(); ok {
		o.le, o.lt = lo.n >= 0, lo.n > 0
	}
	return o
}

// dimEqual decides a == b when provable either way.
func dimEqual(a, b Dim) (v, ok bool) {
	o := dimOrder(a, b)
	switch {
	case o.ge && o.le:
		return true, true
	case o.gt || o.lt:
		return false, true
	}
	return false, false
}

// dimGreater decides a > b (a >= b when orEqual) when provable either way.
func dimGreater(a, b Dim, orEqual bool) (v, ok bool) {
	o := dimOrder(a, b)
	if orEqual {
		switch {
		case o.ge:
			return true, true
		case o.lt:
			return false, true
		}
		return false, false
	}
	switch {
	case o.gt:
		return true, true
	case o.le:
		return false, true
	}
	return false, false
}

// inferVariadic is Sum, Max, Min and Mean: the broadcast of all inputs.
// Max and Min propagate integer data.
func inferVariadic(c *Ctx) error {
	var shapes []Shape
	var elem onnxgraph.DataType
	for i := 0; i < c.NumInputs(); i++ {
		t := c.Input(i)
		if t == nil {
			if c.HasInput(i) {
				c.SetOutput(0, Tensor(c.Elem(0), nil))
				return nil
			}
			continue
		}
		if elem == 0 {
			elem = t.Elem
		}
		shapes = append(shapes, t.Shape)
	}
	if len(shapes) == 0 {
		return c.Errorf(CodeInvalid, "%s has no inputs", c.Node.OpType())
	}
	shape, err := broadcast(c, shapes...)
	if err != nil {
		c.SetOutput(0, Tensor(elem, nil))
		return err
	}
	c.SetOutput(0, Tensor(elem, shape))
	op := c.Node.OpType()
	var ds []*Data
	for i := 0; i < c.NumInputs(); i++ {
		d := propData(c, i)
		if d == nil {
			return nil
		}
		ds = append(ds, d)
	}
	pick := func(x []Dim, maxOf bool) Dim {
		acc := x[0]
		for _, y := range x[1:] {
			o := dimOrder(acc, y)
			keep, take := o.ge, o.le
			if !maxOf {
				keep, take = o.le, o.ge
			}
			switch {
			case keep:
			case take:
				acc = y
			default:
				return Unknown
			}
		}
		return acc
	}
	switch op {
	case "Max", "Min":
		maxOf := op == "Max"
		c.SetData(0, mapData(ds, func(x []Dim) Dim { return pick(x, maxOf) }, func(x []float64) float64 {
			acc := x[0]
			for _, y := range x[1:] {
				if maxOf {
					acc = math.Max(acc, y)
				} else {
					acc = math.Min(acc, y)
				}
			}
			return acc
		}, false))
	case "Sum":
		c.SetData(0, mapData(ds, func(x []Dim) Dim {
			acc := x[0]
			for _, y := range x[1:] {
				acc = acc.Add(y)
			}
			return acc
		}, func(x []float64) float64 {
			var acc float64
			for _, y := range x {
				acc += y
			}
			return acc
		}, false))
	}
	return nil
}

// inferClip keeps the input's type; known integer data is clipped by
// known bounds.
func inferClip(c *Ctx) error {
	t := c.Input(0)
	if t == nil {
		return nil
	}
	c.SetOutput(0, t)
	d := propData(c, 0)
	if d == nil || d.Ints == nil {
		return nil
	}
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	for i, p := range []*int64{&lo, &hi} {
		if !c.HasInput(i + 1) {
			continue
		}
		v, ok := c.Data(i + 1).KnownInts()
		if !ok || len(v) != 1 {
			return nil
		}
		*p = v[0]
	}
	out := make([]Dim, len(d.Ints))
	for i, x := range d.Ints {
		switch {
		case dimOrder(x, Known(lo)).ge && dimOrder(x, Known(hi)).le:
			out[i] = x
		case dimOrder(x, Known(lo)).le:
			out[i] = Known(lo)
		case dimOrder(x, Known(hi)).ge:
			out[i] = Known(hi)
		default:
			out[i] = Unknown
		}
	}
	c.SetData(0, &Data{Shape: d.Shape, Ints: out})
	return nil
}

// inferPRelu has X's shape; from opset 7 the slope must broadcast to X
// (unidirectionally), which may tell dims X leaves unknown.
func inferPRelu(c *Ctx) error {
	x, s := c.Input(0), c.Input(1)
	if x == nil {
		return nil
	}
	if c.Schema == nil || c.Schema.SinceVersion < 7 || !x.HasShape() || !s.HasShape() {
		c.SetOutput(0, x)
		return nil
	}
	if len(s.Shape) > len(x.Shape) {
		c.SetOutput(0, x)
		return c.Errorf(CodeInvalid, "slope %v has more dims than X %v", s.Shape, x.Shape)
	}
	// Unidirectional: X keeps its dims, except that a slope dim other than 1
	// tells the size of a symbolic or unknown X dim.
	res := append(Shape(nil), x.Shape...)
	off := len(x.Shape) - len(s.Shape)
	for i, d := range s.Shape {
		v, ok := d.Value()
		if !ok || v == 1 {
			continue
		}
		if xv, ok := x.Shape[off+i].Value(); ok && xv != v {
			c.SetOutput(0, x)
			return c.Errorf(CodeInvalid, "slope %v does not broadcast to X %v", s.Shape, x.Shape)
		}
		res[off+i] = d
	}
	c.SetOutput(0, Tensor(x.Elem, res))
	return nil
}

// inferWhere broadcasts condition, X and Y; with known condition data the
// output data picks elements of X's and Y's data.
func inferWhere(c *Ctx) error {
	cond, x, y := c.Input(0), c.Input(1), c.Input(2)
	elem := c.Elem(1)
	if elem == 0 {
		elem = c.Elem(2)
	}
	if cond == nil || x == nil || y == nil {
		c.SetOutput(0, Tensor(elem, nil))
		return nil
	}
	shape, err := broadcast(c, cond.Shape, x.Shape, y.Shape)
	if err != nil {
		c.SetOutput(0, Tensor(elem, nil))
		return err
	}
	c.SetOutput(0, Tensor(elem, shape))
	dc, dx, dy := propData(c, 0), propData(c, 1), propData(c, 2)
	if dc == nil || dc.Ints == nil || dx == nil || dy == nil {
		return nil
	}
	if dx.Ints != nil && dy.Ints != nil {
		// Where on shapes: cond picks, and x == y needs no cond.
		c.SetData(0, mapData([]*Data{dc, dx, dy}, func(v []Dim) Dim {
			if v[1].Equal(v[2]) {
				return v[1]
			}
			k, ok := v[0].Value()
			switch {
			case !ok:
				return Unknown
			case k != 0:
				return v[1]
			}
			return v[2]
		}, nil, false))
		return nil
	}
	if dx.Floats != nil && dy.Floats != nil {
		cf := &Data{Shape: dc.Shape, Floats: make([]float64, len(dc.Ints))}
		for i, v := range dc.Ints {
			k, ok := v.Value()
			if !ok {
				return nil
			}
			cf.Floats[i] = float64(k)
		}
		c.SetData(0, mapData([]*Data{cf, dx, dy}, nil, func(v []float64) float64 {
			if v[0] != 0 {
				return v[1]
			}
			return v[2]
		}, false))
	}
	return nil
}

// inferSwiGLU: A and B have the same shape, which the output takes.
func inferSwiGLU(c *Ctx) error {
	a, b := c.Input(0), c.Input(1)
	if a == nil {
		return nil
	}
	if b == nil || !a.HasShape() || !b.HasShape() {
		c.SetOutput(0, a)
		return nil
	}
	shape, err := mergeEqualShapes(c, a.Shape, b.Shape)
	if err != nil {
		c.SetOutput(0, Tensor(a.Elem, a.Shape))
		return c.Errorf(CodeInvalid, "A %v and B %v must have the same shape", a.Shape, b.Shape)
	}
	c.SetOutput(0, Tensor(a.Elem, shape))
	return nil
}

// inferCast converts input 0 to element type "to", keeping its shape and
// converting its data.
func inferCast(c *Ctx) error {
	t := c.Input(0)
	to := onnxgraph.DataType(c.Int("to", 0))
	if t == nil {
		c.SetOutput(0, Tensor(to, nil))
		return nil
	}
	c.SetOutput(0, Tensor(to, t.Shape))
	c.SetData(0, castData(propData(c, 0), to))
	return nil
}

// inferCastLike casts input 0 to the element type of input 1.
func inferCastLike(c *Ctx) error {
	t := c.Input(0)
	to := c.Elem(1)
	if t == nil {
		c.SetOutput(0, Tensor(to, nil))
		return nil
	}
	c.SetOutput(0, Tensor(to, t.Shape))
	c.SetData(0, castData(propData(c, 0), to))
	return nil
}

// castData converts data to element type to: integers stay symbolic
// between integer types, become floats when all known; floats truncate to
// integers; bool is non-zero.
func castData(d *Data, to onnxgraph.DataType) *Data {
	if d == nil {
		return nil
	}
	switch {
	case to == onnxgraph.Bool:
		if d.Floats != nil {
			out := make([]Dim, len(d.Floats))
			for i, f := range d.Floats {
				out[i] = boolDim(f != 0)
			}
			return &Data{Shape: d.Shape, Ints: out}
		}
		return mapData([]*Data{d}, func(x []Dim) Dim {
			if v, ok := x[0].Value(); ok {
				return boolDim(v != 0)
			}
			return Unknown
		}, nil, true)
	case isInteger(to):
		if d.Ints != nil {
			return d
		}
		out := make([]Dim, len(d.Floats))
		for i, f := range d.Floats {
			if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1<<62 {
				out[i] = Unknown
				continue
			}
			out[i] = Known(int64(f))
		}
		return &Data{Shape: d.Shape, Ints: out}
	case isFloatType(to):
		if d.Floats != nil {
			return d
		}
		out := make([]float64, len(d.Ints))
		for i, x := range d.Ints {
			v, ok := x.Value()
			if !ok {
				return nil
			}
			out[i] = float64(v)
		}
		return &Data{Shape: d.Shape, Floats: out}
	}
	return nil
}

// inferBitCast reinterprets the bits: same shape, element type "to" of the
// same width.
func inferBitCast(c *Ctx) error {
	to := onnxgraph.DataType(c.Int("to", 0))
	t := c.Input(0)
	if to == 0 || to == onnxgraph.String {
		return c.Errorf(CodeInvalid, "BitCast needs a non-string \"to\" type")
	}
	if t == nil {
		c.SetOutput(0, Tensor(to, nil))
		return nil
	}
	c.SetOutput(0, Tensor(to, t.Shape))
	if t.Elem != 0 && onnxgraph.ElemBits(t.Elem) != onnxgraph.ElemBits(to) {
		return c.Errorf(CodeInvalid, "BitCast from %s to %s changes the bit width", onnxgraph.DataTypeName(t.Elem), onnxgraph.DataTypeName(to))
	}
	return nil
}

// isInteger reports whether dt is an integer type of 8 to 64 bits.
func isInteger(dt onnxgraph.DataType) bool {
	switch dt {
	case onnxgraph.Int64, onnxgraph.Int32, onnxgraph.Int16, onnxgraph.Int8,
		onnxgraph.Uint64, onnxgraph.Uint32, onnxgraph.Uint16, onnxgraph.Uint8:
		return true
	}
	return false
}

// isFloatType reports whether dt is a floating type that Data can hold as
// float64 values.
func isFloatType(dt onnxgraph.DataType) bool {
	switch dt {
	case onnxgraph.Float, onnxgraph.Double, onnxgraph.Float16, onnxgraph.BFloat16:
		return true
	}
	return false
}

// dataDims returns d's shape as dims (nil Shape is a scalar).
func dataDims(d *Data) []int64 {
	if d.Shape == nil {
		return []int64{}
	}
	return d.Shape
}

// mapData applies an elementwise function to the broadcast of ds: fi when
// every input holds integer data, else ff when every input holds (or can
// hold, being fully known integers) floating data. With toInts the results
// of ff are booleans stored as integer data. It returns nil when the
// inputs do not broadcast, the needed function is nil, or the result would
// be larger than data propagation keeps.
func mapData(ds []*Data, fi func(x []Dim) Dim, ff func(x []float64) float64, toInts bool) *Data {
	allInts := true
	for _, d := range ds {
		if d == nil {
			return nil
		}
		if d.Ints == nil {
			allInts = false
		}
	}
	if !allInts {
		if ff == nil {
			return nil
		}
		fs := make([]*Data, len(ds))
		for i, d := range ds {
			if d.Floats != nil {
				fs[i] = d
				continue
			}
			fs[i] = castData(d, onnxgraph.Double)
			if fs[i] == nil {
				return nil
			}
		}
		ds = fs
	} else if fi == nil {
		if ff == nil {
			return nil
		}
		// Integer inputs with only a floating function (Floor, Sqrt, ...):
		// every element must be known.
		fs := make([]*Data, len(ds))
		for i, d := range ds {
			if fs[i] = castData(d, onnxgraph.Double); fs[i] == nil {
				return nil
			}
		}
		res := mapData(fs, nil, ff, toInts)
		if res == nil || toInts {
			return res
		}
		return castData(res, onnxgraph.Int64)
	}
	rank := 0
	for _, d := range ds {
		rank = max(rank, len(dataDims(d)))
	}
	shape := make([]int64, rank)
	for i := range shape {
		shape[i] = 1
	}
	for _, d := range ds {
		dd := dataDims(d)
		for j, n := range dd {
			k := rank - len(dd) + j
			switch {
			case n == shape[k] || n == 1:
			case shape[k] == 1:
				shape[k] = n
			default:
				return nil
			}
		}
	}
	total := int64(1)
	for _, n := range shape {
		if total *= n; total > maxData {
			return nil
		}
	}
	for _, d := range ds {
		if int64(d.Len()) != onnxgraph.NumElements(dataDims(d)) {
			return nil
		}
	}
	// strides[i][k]: input i's stride for output axis k (0 when broadcast).
	strides := make([][]int64, len(ds))
	for i, d := range ds {
		dd := dataDims(d)
		st := make([]int64, rank)
		s := int64(1)
		for j := len(dd) - 1; j >= 0; j-- {
			k := rank - len(dd) + j
			if dd[j] != 1 {
				st[k] = s
			}
			s *= dd[j]
		}
		strides[i] = st
	}
	idx := make([]int64, rank)
	off := make([]int64, len(ds))
	out := &Data{Shape: shape}
	if rank == 0 {
		out.Shape = nil
	}
	xi := make([]Dim, len(ds))
	xf := make([]float64, len(ds))
	for n := int64(0); n < total; n++ {
		if allInts {
			for i, d := range ds {
				xi[i] = d.Ints[off[i]]
			}
			out.Ints = append(out.Ints, fi(xi))
		} else {
			for i, d := range ds {
				xf[i] = d.Floats[off[i]]
			}
			r := ff(xf)
			if toInts {
				out.Ints = append(out.Ints, boolDim(r != 0))
			} else {
				out.Floats = append(out.Floats, r)
			}
		}
		// advance the multi-index
		for k := rank - 1; k >= 0; k-- {
			idx[k]++
			for i := range ds {
				off[i] += strides[i][k]
			}
			if idx[k] < shape[k] {
				break
			}
			for i := range ds {
				off[i] -= strides[i][k] * idx[k]
			}
			idx[k] = 0
		}
	}
	if out.Ints == nil && out.Floats == nil {
		if allInts || toInts {
			out.Ints = []Dim{}
		} else {
			out.Floats = []float64{}
		}
	}
	return out
}

// maxFloatData is the largest floating tensor (in elements) whose data the
// elementwise operators read: shape computations use a handful of floats
// (Resize scales), and reading float weights is what this avoids.
const maxFloatData = 64

// propData returns what is known of input i's contents when it is worth
// propagating: integer and bool tensors (up to maxData elements, as Data
// itself); floating tensors of at most maxFloatData elements, and when the
// input is an initializer only if another input carries computed data (a
// scale applied to a shape), so that an operator applied to a weight (a
// bias Add, a Cast to float16) does not decode it.
func propData(c *Ctx, i int) *Data {
	t := c.Input(i)
	if !t.IsTensor() {
		return nil
	}
	switch t.Elem {
	case onnxgraph.Int64, onnxgraph.Int32, onnxgraph.Bool:
		return c.Data(i)
	}
	if !t.HasShape() {
		return nil
	}
	n := int64(1)
	for _, d := range t.Shape {
		v, ok := d.Value()
		if !ok {
			return nil
		}
		if n, ok = mulInt(n, v); !ok || n < 0 || n > maxFloatData {
			return nil
		}
	}
	if c.Node.Input(i).Initializer() == nil {
		return c.Data(i)
	}
	for j := 0; j < c.NumInputs(); j++ {
		if v := c.Node.Input(j); j != i && v != nil && v.Initializer() == nil && c.Data(j) != nil {
			return c.Data(i)
		}
	}
	return nil
}
