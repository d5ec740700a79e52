package eval

import (
	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/opschema"
)

// ctx is what a kernel sees of its node: attributes (with the schema's
// defaults), the number of outputs asked for, the size limit, and the
// runner for subgraphs. Attribute getters record the first problem in err
// and return a zero value; kernels check c.err once they have read their
// attributes.
type ctx struct {
	node   *onnxgraph.Node
	schema *opschema.Schema
	opts   *Options
	r      *runner
	env    *env // the scope the node runs in (for subgraphs)
	nout   int
	err    error
}

func (c *ctx) fail(err error) {
	if c.err == nil {
		c.err = err
	}
}

// opset returns the version the node's domain is imported at.
func (c *ctx) since() int { return c.schema.SinceVersion }

// raw returns the node's attribute called name if it has it, checking that
// the schema declares it and that its type is t.
func (c *ctx) raw(name string, t opschema.AttrType) *onnxproto.AttributeProto {
	if _, ok := c.schema.Attribute(name); !ok {
		c.fail(invalidf("kernel reads attribute %q, which %s-%d does not declare", name, c.schema.Name, c.schema.SinceVersion))
		return nil
	}
	a := c.node.Attr(name)
	if a == nil {
		return nil
	}
	if got := opschema.AttrType(a.GetType()); got != t && got != 0 {
		c.fail(invalidf("attribute %s is %v, not %v", name, got, t))
		return nil
	}
	return a
}

// has reports whether the node sets attribute name.
func (c *ctx) has(name string) bool { return c.node.Attr(name) != nil }

// def returns the schema's default of attribute name, recording an error
// when the attribute is required.
func (c *ctx) def(name string) *opschema.Default {
	a, ok := c.schema.Attribute(name)
	if !ok {
		return nil
	}
	if a.Required {
		c.fail(invalidf("attribute %s is required", name))
	}
	return a.Default
}

func (c *ctx) int(name string) int64 {
	if a := c.raw(name, opschema.AttrInt); a != nil {
		return a.GetI()
	}
	if d := c.def(name); d != nil {
		return d.Int
	}
	return 0
}

func (c *ctx) float(name string) float32 {
	if a := c.raw(name, opschema.AttrFloat); a != nil {
		return a.GetF()
	}
	if d := c.def(name); d != nil {
		return d.Float
	}
	return 0
}

func (c *ctx) str(name string) string {
	if a := c.raw(name, opschema.AttrString); a != nil {
		return string(a.GetS())
	}
	if d := c.def(name); d != nil {
		return d.String
	}
	return ""
}

// ints returns a list attribute; ok is false when neither the node nor
// the schema's default gives it.
func (c *ctx) ints(name string) (v []int64, ok bool) {
	if a := c.raw(name, opschema.AttrInts); a != nil {
		return a.GetInts(), true
	}
	if d := c.def(name); d != nil {
		return d.Ints, true
	}
	return nil, false
}

func (c *ctx) floats(name string) ([]float32, bool) {
	if a := c.raw(name, opschema.AttrFloats); a != nil {
		return a.GetFloats(), true
	}
	if d := c.def(name); d != nil {
		return d.Floats, true
	}
	return nil, false
}

func (c *ctx) strs(name string) ([]string, bool) {
	if a := c.raw(name, opschema.AttrStrings); a != nil {
		out := make([]string, len(a.GetStrings()))
		for i, s := range a.GetStrings() {
			out[i] = string(s)
		}
		return out, true
	}
	if d := c.def(name); d != nil {
		return d.Strings, true
	}
	return nil, false
}

// tensorAttr returns a TENSOR attribute in working form, or nil.
func (c *ctx) tensorAttr(name string) *tensor {
	a := c.raw(name, opschema.AttrTensor)
	if a == nil {
		c.def(name)
		return nil
	}
	var t *onnxgraph.Tensor
	if g := c.node.Graph(); g != nil && g.Model() != nil {
		t = g.Model().TensorOf(a.GetT())
	} else {
		t = onnxgraph.TensorFromProto(a.GetT())
	}
	out, err := fromTensor(t, c.opts.MaxElements)
	if err != nil {
		c.fail(err)
		return nil
	}
	return out
}

// graph returns the subgraph held by attribute name, or nil.
func (c *ctx) graph(name string) *onnxgraph.Graph {
	if c.raw(name, opschema.AttrGraph) == nil {
		c.def(name)
		return nil
	}
	for i, a := range c.node.Attrs() {
		if a.GetName() == name {
			return c.node.SubgraphAt(i)
		}
	}
	return nil
}

// alloc returns a zeroed tensor of dt and shape, or an error when its size
// is negative, overflows, or exceeds the limit.
func (c *ctx) alloc(dt DataType, shape []int) (*tensor, error) {
	n, err := c.check(shape)
	if err != nil {
		return nil, err
	}
	d := makeData(dt, n)
	if d == nil {
		return nil, notImplf("element type %s", typeName(dt))
	}
	return &tensor{dt: dt, shape: shape, data: d}, nil
}

// check returns the number of elements of shape, or an error when it is
// not a valid shape or exceeds the limit.
func (c *ctx) check(shape []int) (int, error) {
	n := numel(shape)
	if n < 0 {
		for _, d := range shape {
			if d < 0 {
				return 0, invalidf("bad shape %s", shapeString(shape))
			}
		}
		return 0, errorf(ErrTooLarge, "a tensor of shape %s has too many elements", shapeString(shape))
	}
	if int64(n) > c.opts.MaxElements {
		return 0, errorf(ErrTooLarge, "a tensor of shape %s has more than %d elements", shapeString(shape), c.opts.MaxElements)
	}
	return n, nil
}

// withData returns a tensor of dt and shape holding data.
func withData(dt DataType, shape []int, data any) *tensor {
	return &tensor{dt: dt, shape: shape, data: data}
}
