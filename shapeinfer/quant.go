package shapeinfer

import (
	"github.com/onnxgraph/onnxgraph"
)

// The quantization family: QuantizeLinear, DequantizeLinear (per-tensor,
// per-axis and blocked scales) and DynamicQuantizeLinear.

var quantTable = join(
	all(inferQuantizeLinear, versions("ai.onnx", "QuantizeLinear", 10, 13, 19, 21, 23, 24, 25)),
	all(inferDequantizeLinear, versions("ai.onnx", "DequantizeLinear", 10, 13, 19, 21, 23, 24, 25)),
	all(inferDynamicQuantizeLinear, versions("ai.onnx", "DynamicQuantizeLinear", 11)),
)

// checkQuantParams checks the scale (and zero point) of a (de)quantization
// of x: a scalar or 1-element tensor (per-tensor), a 1-D tensor of x's axis
// size (per-axis), or x's rank with the axis dim divided into blocks of
// block_size (blocked).
func checkQuantParams(c *Ctx, x Shape, scaleIdx, zpIdx int) error {
	s, ok := c.InputShape(scaleIdx)
	if !ok || x == nil {
		return nil
	}
	single := func(sh Shape) bool { return sh.NumElements().Equal(Known(1)) }
	if z, ok := c.InputShape(zpIdx); ok && c.HasInput(zpIdx) && !(single(s) && single(z)) {
		if _, err := mergeEqualShapes(c, s, z); err != nil {
			return c.Errorf(CodeInvalid, "scale %v and zero point %v differ in shape", s, z)
		}
	}
	block := c.Int("block_size", 0)
	switch {
	case len(s) == 0:
		return nil
	case len(s) == 1 && block == 0:
		if v, ok := s[0].Value(); ok && v == 1 {
			return nil
		}
		if len(x) == 0 {
			return c.Errorf(CodeInvalid, "scale %v for a scalar input", s)
		}
		ax, err := axis(c, c.Int("axis", 1), len(x))
		if err != nil {
			return err
		}
		if _, err := mergeEqualDim(c, s[0], x[ax]); err != nil {
			return c.Errorf(CodeInvalid, "per-axis scale has %v elements, axis %d has size %v", s[0], ax, x[ax])
		}
		return nil
	case block > 0:
		if len(s) != len(x) {
			return c.Errorf(CodeInvalid, "blocked scale %v must have the input's rank %d", s, len(x))
		}
		ax, err := axis(c, c.Int("axis", 1), len(x))
		if err != nil {
			return err
		}
		for i := range s {
			want := x[i]
			if i == ax {
				want = ceilDivBy(x[i], block)
			}
			if _, err := mergeEqualDim(c, s[i], want); err != nil {
				return c.Errorf(CodeInvalid, "blocked scale %v does not fit input %v with block_size %d", s, x, block)
			}
		}
		return nil
	}
	return c.Errorf(CodeInvalid, "scale has shape %v; want a scalar, a 1-D per-axis tensor or a blocked tensor", s)
}

// inferQuantizeLinear: x's shape; the element type is output_dtype when
// set, else y_zero_point's, else uint8.
func inferQuantizeLinear(c *Ctx) error {
	elem := onnxgraph.DataType(c.Int("output_dtype", 0))
	if elem == 0 && c.HasInput(2) {
		elem = c.Elem(2)
	}
	if elem == 0 && !c.HasInput(2) {
		elem = onnxgraph.Uint8
	}
	if zp := c.Elem(2); c.HasInput(2) && zp != 0 && zp != elem {
		return c.Errorf(CodeInvalid, "output_dtype %s differs from y_zero_point's %s", onnxgraph.DataTypeName(elem), onnxgraph.DataTypeName(zp))
	}
	x := c.Input(0)
	if x == nil {
		c.SetOutput(0, Tensor(elem, nil))
		return nil
	}
	c.SetOutput(0, Tensor(elem, x.Shape))
	return checkQuantParams(c, x.Shape, 1, 2)
}

// inferDequantizeLinear: x's shape; float before opset 19, then the
// scale's type, or output_dtype when set (opset 23).
func inferDequantizeLinear(c *Ctx) error {
	elem := onnxgraph.DataType(onnxgraph.Float)
	if c.Schema == nil || c.Schema.SinceVersion >= 19 {
		elem = c.Elem(1)
	}
	if o := onnxgraph.DataType(c.Int("output_dtype", 0)); o != 0 {
		elem = o
	}
	x := c.Input(0)
	if x == nil {
		c.SetOutput(0, Tensor(elem, nil))
		return nil
	}
	c.SetOutput(0, Tensor(elem, x.Shape))
	return checkQuantParams(c, x.Shape, 1, 2)
}

// inferDynamicQuantizeLinear: y uint8 like x; y_scale float and
// y_zero_point uint8 scalars.
func inferDynamicQuantizeLinear(c *Ctx) error {
	var shape Shape
	if x := c.Input(0); x != nil {
		shape = x.Shape
	}
	c.SetOutput(0, Tensor(onnxgraph.Uint8, shape))
	c.SetOutput(1, Tensor(onnxgraph.Float, Shape{}))
	c.SetOutput(2, Tensor(onnxgraph.Uint8, Shape{}))
	return nil
}
