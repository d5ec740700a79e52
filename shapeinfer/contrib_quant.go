package shapeinfer

import (
	"github.com/onnxgraph/onnxgraph"
)

// ONNX Runtime's quantized operators (com.microsoft): the QLinear family,
// integer reductions and products, the cuBLASLt-ordered forms, block
// floating point and the block-quantized Gather.

var contribQuantTable = join(
	all(inferBinaryBroadcast(0, 3), versions(ms, "QLinearAdd", 1), versions(ms, "QLinearMul", 1)),
	all(inferMulInteger, versions(ms, "MulInteger", 1)),
	all(inferQLinearWhere, versions(ms, "QLinearWhere", 1)),
	all(inferQLinearConcat, versions(ms, "QLinearConcat", 1)),
	all(inferMsQLinearConv, versions(ms, "QLinearConv", 1)),
	all(inferQLinearAveragePool, versions(ms, "QLinearAveragePool", 1)),
	all(inferQLinearGlobalAveragePool, versions(ms, "QLinearGlobalAveragePool", 1)),
	all(inferFirstInputShape,
		versions(ms, "QLinearLeakyRelu", 1), versions(ms, "QLinearSigmoid", 1), versions(ms, "QLinearSoftmax", 1),
		versions(ms, "QOrderedGelu", 1), versions(ms, "QOrderedLayerNormalization", 1),
	),
	all(inferQuantReduce, versions(ms, "QLinearReduceMean", 1), versions(ms, "ReduceSumInteger", 1)),
	all(inferQGemm, versions(ms, "QGemm", 1)),
	all(inferQOrderedMatMul, versions(ms, "QOrderedMatMul", 1)),
	all(inferQuantizeLinear, versions(ms, "QuantizeLinear", 1)),
	all(inferMsDequantizeLinear, versions(ms, "DequantizeLinear", 1)),
	all(inferWithOrder, versions(ms, "QuantizeWithOrder", 1), versions(ms, "DequantizeWithOrder", 1)),
	all(inferQuantizeBFP, versions(ms, "QuantizeBFP", 1)),
	all(inferDequantizeBFP, versions(ms, "DequantizeBFP", 1)),
	all(inferGatherBlockQuantized, versions(ms, "GatherBlockQuantized", 1)),
)

// inferMulInteger: A (input 0) and B (input 2) broadcast; int32.
func inferMulInteger(c *Ctx) error {
	if err := inferBinaryBroadcast(0, 2)(c); err != nil {
		return err
	}
	var shape Shape
	if t := c.outs[0]; t != nil {
		shape = t.Shape
	}
	c.SetOutput(0, Tensor(onnxgraph.Int32, shape))
	return nil
}

// inferQLinearWhere: condition, X (input 1) and Y (input 4) broadcast; X's
// element type.
func inferQLinearWhere(c *Ctx) error {
	elem := c.Elem(1)
	var shapes []Shape
	for _, i := range []int{0, 1, 4} {
		s, ok := c.InputShape(i)
		if !ok {
			c.SetOutput(0, Tensor(elem, nil))
			return nil
		}
		shapes = append(shapes, s)
	}
	out, err := broadcast(c, shapes...)
	if err != nil {
		c.SetOutput(0, Tensor(elem, nil))
		return err
	}
	c.SetOutput(0, Tensor(elem, out))
	return nil
}

// inferQLinearConcat: the tensors (inputs 2, 5, 8, ...: each followed by
// its scale and zero point) concatenated on axis; Y_zero_point's type.
func inferQLinearConcat(c *Ctx) error {
	elem := firstElem(c.Elem(1), c.Elem(2))
	if (c.NumInputs()-2)%3 != 0 {
		return c.Errorf(CodeInvalid, "%d inputs after Y's scale and zero point, want (tensor, scale, zero point) triples", c.NumInputs()-2)
	}
	var out Shape
	ax := -1
	for i := 2; i < c.NumInputs(); i += 3 {
		s, ok := c.InputShape(i)
		if !ok {
			c.SetOutput(0, Tensor(elem, nil))
			return nil
		}
		if out == nil {
			var err error
			if ax, err = axis(c, c.Int("axis", 0), len(s)); err != nil {
				return err
			}
			out = append(Shape(nil), s...)
			continue
		}
		if len(s) != len(out) {
			return c.Errorf(CodeInvalid, "inputs of ranks %d and %d", len(out), len(s))
		}
		for d := range s {
			if d == ax {
				out[d] = out[d].Add(s[d])
				continue
			}
			m, err := mergeEqualDim(c, out[d], s[d])
			if err != nil {
				return c.Errorf(CodeInvalid, "inputs differ on axis %d: %v and %v", d, out[d], s[d])
			}
			out[d] = m
		}
	}
	c.SetOutput(0, Tensor(elem, out))
	return nil
}

// inferMsQLinearConv is QLinearConv with channels_last: NCHW as the
// standard operator, else x [N, spatial..., C] gives [N, spatial'..., M].
func inferMsQLinearConv(c *Ctx) error {
	if c.Int("channels_last", 0) == 0 {
		return inferConv(c)
	}
	elem := firstElem(c.Elem(7), c.Elem(0))
	x, ok := c.InputShape(0)
	if !ok {
		c.SetOutput(0, Tensor(elem, nil))
		return nil
	}
	out, err := channelsLastConv(c, x, 3)
	if err != nil {
		c.SetOutput(0, Tensor(elem, nil))
		return err
	}
	c.SetOutput(0, Tensor(elem, out))
	return nil
}

// inferQLinearAveragePool is AveragePool on NCHW, or on [N, spatial...,
// C] with channels_last.
func inferQLinearAveragePool(c *Ctx) error {
	if c.Int("channels_last", 0) == 0 {
		return inferPool(c)
	}
	return inferNhwcPool(c)
}

// inferQLinearGlobalAveragePool: [N, C, 1...] or, channels-last, [N,
// 1..., C].
func inferQLinearGlobalAveragePool(c *Ctx) error {
	if c.Int("channels_last", 0) == 0 {
		return inferGlobalPool(c)
	}
	x := rankedInput(c)
	if x == nil {
		return nil
	}
	r := len(x.Shape)
	if r < 2 {
		return c.Errorf(CodeInvalid, "input has rank %d, want at least 2", r)
	}
	out := make(Shape, r)
	out[0], out[r-1] = x.Shape[0], x.Shape[r-1]
	for i := 1; i < r-1; i++ {
		out[i] = Known(1)
	}
	c.SetOutput(0, Tensor(x.Elem, out))
	return nil
}

// inferQuantReduce is QLinearReduceMean (the input's type) and
// ReduceSumInteger (int32; uint32 for uint8 input): the axes attribute
// reduced, kept as 1 when keepdims is set.
func inferQuantReduce(c *Ctx) error {
	x := c.Input(0)
	if x == nil {
		return nil
	}
	elem := x.Elem
	if c.Node.OpType() == "ReduceSumInteger" {
		elem = onnxgraph.Int32
		if x.Elem == onnxgraph.Uint8 {
			elem = onnxgraph.Uint32
		}
	}
	if !x.HasShape() {
		c.SetOutput(0, Tensor(elem, nil))
		return nil
	}
	r := len(x.Shape)
	reduce := make([]bool, r)
	axes, _ := c.Ints("axes")
	for _, a := range axes {
		ax, err := axis(c, a, r)
		if err != nil {
			return err
		}
		reduce[ax] = true
	}
	if len(axes) == 0 {
		for i := range reduce {
			reduce[i] = true
		}
	}
	keep := c.Int("keepdims", 1) != 0
	out := Shape{}
	for i, d := range x.Shape {
		switch {
		case !reduce[i]:
			out = append(out, d)
		case keep:
			out = append(out, Known(1))
		}
	}
	c.SetOutput(0, Tensor(elem, out))
	return nil
}

// inferQGemm: [M, N] from A (input 0, transA) and B (input 3, transB);
// y_zero_point's type when the output is quantized (y_scale given), else
// float.
func inferQGemm(c *Ctx) error {
	elem := onnxgraph.DataType(onnxgraph.Float)
	if c.HasInput(7) {
		elem = firstElem(c.Elem(8), onnxgraph.Float)
	}
	m, n := Unknown, Unknown
	if a, ok := c.InputShape(0); ok {
		if len(a) != 2 {
			return c.Errorf(CodeInvalid, "A has rank %d, want 2", len(a))
		}
		m = a[0]
		if c.Int("transA", 0) != 0 {
			m = a[1]
		}
	}
	if b, ok := c.InputShape(3); ok {
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

// inferQOrderedMatMul: A [..., M, K] times B gives [..., M, N] int8, with
// N B's first dim when it is stored transposed (order_B 0, ORDER_COL), its
// second otherwise.
func inferQOrderedMatMul(c *Ctx) error {
	a, ok := c.InputShape(0)
	if !ok || len(a) < 2 {
		c.SetOutput(0, Tensor(onnxgraph.Int8, nil))
		return nil
	}
	out := append(Shape(nil), a...)
	out[len(out)-1] = Unknown
	if b, ok := c.InputShape(2); ok && len(b) == 2 {
		out[len(out)-1] = b[1]
		if c.Int("order_B", 0) == 0 {
			out[len(out)-1] = b[0]
		}
	}
	c.SetOutput(0, Tensor(onnxgraph.Int8, out))
	return nil
}

// inferMsDequantizeLinear: x's shape, x_scale's element type.
func inferMsDequantizeLinear(c *Ctx) error {
	elem := c.Elem(1)
	x := c.Input(0)
	if x == nil {
		c.SetOutput(0, Tensor(elem, nil))
		return nil
	}
	c.SetOutput(0, Tensor(elem, x.Shape))
	return checkQuantParams(c, x.Shape, 1, 2)
}

// inferWithOrder is QuantizeWithOrder (int8) and DequantizeWithOrder (the
// type to names): the input's shape.
func inferWithOrder(c *Ctx) error {
	elem := onnxgraph.DataType(onnxgraph.Int8)
	if c.Node.OpType() == "DequantizeWithOrder" {
		elem = onnxgraph.DataType(c.Int("to", int64(onnxgraph.Float)))
	}
	var shape Shape
	if x := c.Input(0); x != nil {
		shape = x.Shape
	}
	c.SetOutput(0, Tensor(elem, shape))
	return nil
}

// inferQuantizeBFP: y, the BFP bytes, has a length known at run time;
// shape and strides are [rank] int64.
func inferQuantizeBFP(c *Ctx) error {
	c.SetOutput(0, Tensor(onnxgraph.Uint8, Shape{c.Fresh()}))
	r := Unknown
	if x, ok := c.InputShape(0); ok {
		r = Known(int64(len(x)))
	}
	c.SetOutput(1, Tensor(onnxgraph.Int64, Shape{r}))
	c.SetOutput(2, Tensor(onnxgraph.Int64, Shape{r}))
	return c.Errorf(CodeDataDependent, "the size of the BFP encoding is known only at run time")
}

// inferDequantizeBFP: the shape is the value of input shape; the type is
// dtype's (float by default).
func inferDequantizeBFP(c *Ctx) error {
	elem := onnxgraph.DataType(c.Int("dtype", int64(onnxgraph.Float)))
	if s, ok := dataToShape(c.Data(1)); ok {
		c.SetOutput(0, Tensor(elem, s))
		return nil
	}
	if n, ok := vectorLen(c, 1); ok {
		c.SetOutput(0, Tensor(elem, freshShape(c, n)))
	} else {
		c.SetOutput(0, Tensor(elem, nil))
	}
	return c.Errorf(CodeDataDependent, "the shape is the value of input shape, known only at run time")
}

// inferGatherBlockQuantized: Gather of the dequantized data on gather_axis
// (default 0): data[:axis] + indices + data[axis+1:], with the scales'
// element type. uint8 data with bits (default 4) below 8 packs 8/bits
// values per byte along its last dim, which the output unpacks.
func inferGatherBlockQuantized(c *Ctx) error {
	elem := c.Elem(2)
	data, dok := c.InputShape(0)
	idx, iok := c.InputShape(1)
	if !dok || !iok {
		c.SetOutput(0, Tensor(elem, nil))
		return nil
	}
	r := len(data)
	if r < 1 {
		return c.Errorf(CodeInvalid, "data is a scalar")
	}
	logical := append(Shape(nil), data...)
	if c.Elem(0) == onnxgraph.Uint8 {
		bits := c.Int("bits", 4)
		switch bits {
		case 2, 4, 8:
		default:
			return c.Errorf(CodeInvalid, "bits %d must be 2, 4 or 8", bits)
		}
		logical[r-1] = logical[r-1].Mul(Known(8 / bits))
	}
	g, err := axis(c, c.Int("gather_axis", 0), r)
	if err != nil {
		return err
	}
	if _, err := axis(c, c.Int("quantize_axis", 1), r); err != nil {
		return err
	}
	out := joinDims(logical[:g], idx, logical[g+1:])
	c.SetOutput(0, Tensor(elem, out))
	return nil
}
