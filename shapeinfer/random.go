package shapeinfer

import (
	"github.com/onnxgraph/onnxgraph"
)

// The random family: generators of a given shape (RandomNormal,
// RandomUniform), of an input's shape (the *Like operators, Bernoulli),
// and Multinomial sampling.

var randomTable = join(
	all(inferRandom,
		versions("ai.onnx", "RandomNormal", 1, 22),
		versions("ai.onnx", "RandomUniform", 1, 22),
	),
	all(inferRandomLike,
		versions("ai.onnx", "RandomNormalLike", 1, 22),
		versions("ai.onnx", "RandomUniformLike", 1, 22),
		versions("ai.onnx", "Bernoulli", 15, 22),
	),
	all(inferMultinomial, versions("ai.onnx", "Multinomial", 7, 22)),
)

// inferRandom: the shape attribute and the dtype attribute (float by
// default).
func inferRandom(c *Ctx) error {
	elem := onnxgraph.DataType(c.Int("dtype", int64(onnxgraph.Float)))
	dims, ok := c.Ints("shape")
	if !ok {
		c.SetOutput(0, Tensor(elem, nil))
		return c.Errorf(CodeInvalid, "attribute shape is required")
	}
	for _, d := range dims {
		if d < 0 {
			c.SetOutput(0, Tensor(elem, nil))
			return c.Errorf(CodeInvalid, "negative dim in shape %v", dims)
		}
	}
	c.SetOutput(0, Tensor(elem, KnownShape(dims...)))
	return nil
}

// inferRandomLike: the input's shape; dtype when set, else the input's
// element type.
func inferRandomLike(c *Ctx) error {
	elem := elemOrAttr(c, "dtype", 0)
	var shape Shape
	if t := c.Input(0); t != nil {
		shape = t.Shape
	}
	c.SetOutput(0, Tensor(elem, shape))
	return nil
}

// inferMultinomial: input [batch, classes] -> [batch, sample_size], int32
// unless dtype says otherwise.
func inferMultinomial(c *Ctx) error {
	elem := onnxgraph.DataType(c.Int("dtype", int64(onnxgraph.Int32)))
	n := c.Int("sample_size", 1)
	out := Shape{Unknown, Known(n)}
	if s, ok := c.InputShape(0); ok {
		if len(s) != 2 {
			c.SetOutput(0, Tensor(elem, nil))
			return c.Errorf(CodeInvalid, "input has rank %d, want 2 (batch, classes)", len(s))
		}
		out[0] = s[0]
	}
	c.SetOutput(0, Tensor(elem, out))
	return nil
}
