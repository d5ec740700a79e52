package shapeinfer

import (
	"github.com/onnxgraph/onnxgraph"
)

// The reduction family: the Reduce operators (axes as an attribute or,
// from ReduceSum-13 and the others' version 18, as an input), ArgMax and
// ArgMin, TopK, the cumulative operators, the softmax family and the two
// losses.

var reduceTable = join(
	all(inferReduce,
		versions("ai.onnx", "ReduceL1", 1, 11, 13, 18),
		versions("ai.onnx", "ReduceL2", 1, 11, 13, 18),
		versions("ai.onnx", "ReduceLogSum", 1, 11, 13, 18),
		versions("ai.onnx", "ReduceLogSumExp", 1, 11, 13, 18),
		versions("ai.onnx", "ReduceMax", 1, 11, 12, 13, 18, 20),
		versions("ai.onnx", "ReduceMean", 1, 11, 13, 18),
		versions("ai.onnx", "ReduceMin", 1, 11, 12, 13, 18, 20),
		versions("ai.onnx", "ReduceProd", 1, 11, 13, 18),
		versions("ai.onnx", "ReduceSum", 1, 11, 13),
		versions("ai.onnx", "ReduceSumSquare", 1, 11, 13, 18),
	),
	all(inferArgMax,
		versions("ai.onnx", "ArgMax", 1, 11, 12, 13),
		versions("ai.onnx", "ArgMin", 1, 11, 12, 13),
	),
	all(inferTopK, versions("ai.onnx", "TopK", 1, 10, 11, 24)),
	all(inferCumulative,
		versions("ai.onnx", "CumSum", 11, 14),
		versions("ai.onnx", "CumProd", 26),
	),
	all(inferSoftmax,
		versions("ai.onnx", "Softmax", 1, 11, 13),
		versions("ai.onnx", "LogSoftmax", 1, 11, 13),
		versions("ai.onnx", "Hardmax", 1, 11, 13),
	),
	all(inferNLLLoss, versions("ai.onnx", "NegativeLogLikelihoodLoss", 12, 13, 22)),
	all(inferSoftmaxCrossEntropy, versions("ai.onnx", "SoftmaxCrossEntropyLoss", 12, 13)),
)

// reduceAxesFromInput reports whether the node's version takes axes as
// its second input (ReduceSum from 13, the others from 18).
func reduceAxesFromInput(c *Ctx) bool {
	if c.Schema == nil {
		return c.NumInputs() > 1
	}
	for _, in := range c.Schema.Inputs {
		if in.Name == "axes" {
			return true
		}
	}
	return false
}

// inferReduce: the reduced axes become 1 (keepdims) or disappear; no axes
// reduce everything, unless noop_with_empty_axes makes the operator an
// identity. Reductions of a 1-D integer tensor propagate data (ReduceProd
// of a shape is an element count).
func inferReduce(c *Ctx) error {
	x := c.Input(0)
	if x == nil {
		return nil
	}
	elem := x.Elem
	keep := c.Int("keepdims", 1) == 1
	var axes []int64
	reduceAll := false
	if reduceAxesFromInput(c) {
		switch {
		case !c.HasInput(1):
			reduceAll = true
		default:
			d := c.Data(1)
			if as, ok := d.KnownInts(); ok {
				axes = as
				reduceAll = len(as) == 0
				break
			}
			// Axes computed at run time: the rank is known when keepdims
			// is set or the number of axes is.
			if s, ok := c.InputShape(1); ok && len(s) == 1 {
				if n, ok := s[0].Value(); ok && n == 0 {
					reduceAll = true
					break
				}
			}
			if !x.HasShape() {
				c.SetOutput(0, Tensor(elem, nil))
				return c.Errorf(CodeDataDependent, "axes %q are not known", operandName(c, 1))
			}
			var out Shape
			if keep {
				out = make(Shape, len(x.Shape))
				for i, d := range x.Shape {
					if v, ok := d.Value(); ok && v == 1 {
						out[i] = d
					} else {
						out[i] = c.Fresh()
					}
				}
			} else if s, ok := c.InputShape(1); ok && len(s) == 1 {
				if n, ok := s[0].Value(); ok && int(n) <= len(x.Shape) {
					out = make(Shape, len(x.Shape)-int(n))
					for i := range out {
						out[i] = c.Fresh()
					}
				}
			}
			c.SetOutput(0, Tensor(elem, out))
			return c.Errorf(CodeDataDependent, "axes %q are not known", operandName(c, 1))
		}
		if reduceAll && c.Int("noop_with_empty_axes", 0) == 1 {
			c.SetOutput(0, x)
			c.SetData(0, propData(c, 0))
			return nil
		}
	} else {
		as, ok := c.Ints("axes")
		axes = as
		reduceAll = !ok || len(as) == 0
	}
	if !x.HasShape() {
		c.SetOutput(0, Tensor(elem, nil))
		return nil
	}
	r := len(x.Shape)
	red := make([]bool, r)
	for _, a := range axes {
		ax, err := axis(c, a, r)
		if err != nil {
			c.SetOutput(0, Tensor(elem, nil))
			return err
		}
		red[ax] = true
	}
	out := Shape{}
	for i, d := range x.Shape {
		switch {
		case !reduceAll && !red[i]:
			out = append(out, d)
		case keep:
			out = append(out, Known(1))
		}
	}
	c.SetOutput(0, Tensor(elem, out))
	if d := propData(c, 0); d != nil && d.Ints != nil && r == 1 && (reduceAll || red[0]) {
		c.SetData(0, reduceData(c.Node.OpType(), d, keep))
	}
	return nil
}

// reduceData reduces a 1-D integer Data to one element.
func reduceData(op string, d *Data, keep bool) *Data {
	var acc Dim
	switch op {
	case "ReduceSum":
		acc = Known(0)
		for _, x := range d.Ints {
			acc = acc.Add(x)
		}
	case "ReduceProd":
		acc = Known(1)
		for _, x := range d.Ints {
			acc = acc.Mul(x)
		}
	case "ReduceMax", "ReduceMin":
		if len(d.Ints) == 0 {
			return nil
		}
		acc = d.Ints[0]
		for _, x := range d.Ints[1:] {
			o := dimOrder(acc, x)
			switch {
			case (op == "ReduceMax" && o.ge) || (op == "ReduceMin" && o.le):
			case (op == "ReduceMax" && o.le) || (op == "ReduceMin" && o.ge):
				acc = x
			default:
				acc = Unknown
			}
		}
	default:
		return nil
	}
	out := &Data{Ints: []Dim{acc}}
	if keep {
		out.Shape = []int64{1}
	}
	return out
}

// inferArgMax is ArgMax and ArgMin: the axis becomes 1 (keepdims) or
// disappears; int64 elements.
func inferArgMax(c *Ctx) error {
	x := c.Input(0)
	if !x.HasShape() {
		c.SetOutput(0, Tensor(onnxgraph.Int64, nil))
		return nil
	}
	r := len(x.Shape)
	ax, err := axis(c, c.Int("axis", 0), max(r, 1))
	if err != nil {
		c.SetOutput(0, Tensor(onnxgraph.Int64, nil))
		return err
	}
	keep := c.Int("keepdims", 1) == 1
	out := Shape{}
	for i, d := range x.Shape {
		switch {
		case i != ax:
			out = append(out, d)
		case keep:
			out = append(out, Known(1))
		}
	}
	c.SetOutput(0, Tensor(onnxgraph.Int64, out))
	return nil
}

// inferTopK: the axis dim becomes k (attribute before opset 10, input K
// after); with k not known it is a fresh symbol shared by both outputs.
func inferTopK(c *Ctx) error {
	x := c.Input(0)
	elem := c.Elem(0)
	set := func(s Shape) {
		c.SetOutput(0, Tensor(elem, s))
		c.SetOutput(1, Tensor(onnxgraph.Int64, s))
	}
	if !x.HasShape() {
		set(nil)
		return nil
	}
	r := len(x.Shape)
	ax, err := axis(c, c.Int("axis", -1), r)
	if err != nil {
		set(nil)
		return err
	}
	out := append(Shape(nil), x.Shape...)
	var k Dim
	if c.Schema != nil && c.Schema.SinceVersion < 10 {
		k = Known(c.Int("k", 0))
		if c.Attr("k") == nil {
			set(nil)
			return c.Errorf(CodeInvalid, "attribute k is required")
		}
	} else {
		if s, ok := c.InputShape(1); ok && (len(s) > 1 || !s.NumElements().IsUnknown() && !s.NumElements().Equal(Known(1))) {
			set(nil)
			return c.Errorf(CodeInvalid, "K must be a 1-D tensor of one element, has shape %v", s)
		}
		d := c.Data(1)
		switch {
		case d != nil && d.Ints != nil && len(d.Ints) == 1 && !d.Ints[0].IsUnknown():
			k = d.Ints[0]
		default:
			out[ax] = c.Fresh()
			set(out)
			return c.Errorf(CodeDataDependent, "K %q is not known", operandName(c, 1))
		}
	}
	if v, ok := k.Value(); ok {
		if v < 0 {
			set(nil)
			return c.Errorf(CodeInvalid, "k %d is negative", v)
		}
		if n, ok := x.Shape[ax].Value(); ok && v > n {
			set(nil)
			return c.Errorf(CodeInvalid, "k %d is larger than axis %d's size %d", v, ax, n)
		}
	}
	out[ax] = k
	set(out)
	return nil
}

// inferCumulative is CumSum and CumProd: the input's type; a known axis is
// checked.
func inferCumulative(c *Ctx) error {
	x := c.Input(0)
	if x == nil {
		return nil
	}
	c.SetOutput(0, x)
	if s, ok := c.InputShape(1); ok && len(s) > 1 {
		return c.Errorf(CodeInvalid, "axis must be a scalar or 1-element tensor, has shape %v", s)
	}
	if as, ok := c.Data(1).KnownInts(); ok && len(as) == 1 && x.HasShape() {
		if _, err := axis(c, as[0], len(x.Shape)); err != nil {
			return err
		}
	}
	return nil
}

// inferSoftmax is Softmax, LogSoftmax and Hardmax: the input's type; the
// axis is checked.
func inferSoftmax(c *Ctx) error {
	x := c.Input(0)
	if x == nil {
		return nil
	}
	c.SetOutput(0, x)
	if x.HasShape() {
		r := len(x.Shape)
		if _, err := axis(c, c.Int("axis", -1), max(r, 1)); err != nil {
			return err
		}
	}
	return nil
}

// lossShape checks a loss's class scores [N, C, d1...] against its
// targets [N, d1...] and returns the per-element loss shape.
func lossShape(c *Ctx, scores, target Shape) (Shape, error) {
	if scores != nil && len(scores) < 2 {
		return nil, c.Errorf(CodeInvalid, "input has rank %d, want at least 2 (N, C, ...)", len(scores))
	}
	switch {
	case scores == nil:
		return target, nil
	case target == nil:
		return append(Shape{scores[0]}, scores[2:]...), nil
	}
	if len(target) != len(scores)-1 {
		return nil, c.Errorf(CodeInvalid, "target has rank %d, want %d (input rank minus 1)", len(target), len(scores)-1)
	}
	out := make(Shape, len(target))
	for i, d := range target {
		j := i
		if i > 0 {
			j = i + 1
		}
		m, err := mergeEqualDim(c, scores[j], d)
		if err != nil {
			return nil, c.Errorf(CodeInvalid, "input %v and target %v disagree", scores, target)
		}
		out[i] = m
	}
	return out, nil
}

// inferNLLLoss: the loss has the target's shape with reduction "none", else
// it is a scalar.
func inferNLLLoss(c *Ctx) error {
	elem := c.Elem(0)
	s, _ := c.InputShape(0)
	t, _ := c.InputShape(1)
	per, err := lossShape(c, s, t)
	if err != nil {
		c.SetOutput(0, Tensor(elem, nil))
		return err
	}
	if w, ok := c.InputShape(2); ok && len(w) != 1 {
		return c.Errorf(CodeInvalid, "weight has rank %d, want 1", len(w))
	}
	switch red := c.String("reduction", "mean"); red {
	case "none":
		c.SetOutput(0, Tensor(elem, per))
	case "mean", "sum":
		c.SetOutput(0, Tensor(elem, Shape{}))
	default:
		return c.Errorf(CodeInvalid, "unknown reduction %q", red)
	}
	return nil
}

// inferSoftmaxCrossEntropy: output as NegativeLogLikelihoodLoss; log_prob
// like the scores.
func inferSoftmaxCrossEntropy(c *Ctx) error {
	if err := inferNLLLoss(c); err != nil {
		return err
	}
	if c.NumOutputs() > 1 {
		if x := c.Input(0); x != nil {
			c.SetOutput(1, x)
		}
	}
	return nil
}
