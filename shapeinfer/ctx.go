package shapeinfer

import (
	"fmt"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/opschema"
)

// Ctx is what an inference function sees of one node: its input types and
// known input data, its attributes (with schema defaults), and where to put
// output types and data.
type Ctx struct {
	s      *scope
	Node   *onnxgraph.Node
	Schema *opschema.Schema // nil for model-local functions
	Opset  int              // the opset in force for the node's domain

	ins     []*Type // input types, looked up once
	outs    []*Type
	outData []*Data
}

// NumInputs returns the node's input count, missing optional ones included.
func (c *Ctx) NumInputs() int { return c.Node.NumInputs() }

// NumOutputs returns the node's output count.
func (c *Ctx) NumOutputs() int { return c.Node.NumOutputs() }

// HasInput reports whether input i is present (not a missing optional).
func (c *Ctx) HasInput(i int) bool { return c.Node.Input(i) != nil }

// HasOutput reports whether output i is present.
func (c *Ctx) HasOutput(i int) bool { return c.Node.Output(i) != nil }

// Input returns input i's type, nil when missing or unknown.
func (c *Ctx) Input(i int) *Type {
	if i < 0 || i >= len(c.ins) {
		return nil
	}
	return c.ins[i]
}

// InputShape returns input i's shape when it is a tensor of known rank.
func (c *Ctx) InputShape(i int) (Shape, bool) {
	t := c.Input(i)
	if !t.HasShape() {
		return nil, false
	}
	return t.Shape, true
}

// Elem returns input i's element type, 0 when unknown.
func (c *Ctx) Elem(i int) onnxgraph.DataType {
	if t := c.Input(i); t != nil {
		return t.Elem
	}
	return 0
}

// Data returns what is known of input i's contents, nil when nothing is.
func (c *Ctx) Data(i int) *Data {
	v := c.Node.Input(i)
	if v == nil {
		return nil
	}
	return c.s.dataOf(v)
}

// Attr returns the attribute called name, resolving a reference to the
// calling node's attribute inside a function body; nil when absent.
func (c *Ctx) Attr(name string) *onnxproto.AttributeProto {
	a := c.Node.Attr(name)
	if a != nil && a.GetRefAttrName() != "" {
		return c.s.attrRef(a.GetRefAttrName())
	}
	return a
}

// Int returns integer attribute name, else the schema's default, else def.
func (c *Ctx) Int(name string, def int64) int64 {
	if a := c.Attr(name); a != nil && a.I != nil {
		return a.GetI()
	}
	if d := c.schemaDefault(name); d != nil {
		if v, ok := d.(int64); ok {
			return v
		}
	}
	return def
}

// Float returns float attribute name, else the schema's default, else def.
func (c *Ctx) Float(name string, def float32) float32 {
	if a := c.Attr(name); a != nil && a.F != nil {
		return a.GetF()
	}
	if d := c.schemaDefault(name); d != nil {
		if v, ok := d.(float32); ok {
			return v
		}
	}
	return def
}

// String returns string attribute name, else the schema's default, else def.
func (c *Ctx) String(name, def string) string {
	if a := c.Attr(name); a != nil && a.S != nil {
		return string(a.GetS())
	}
	if d := c.schemaDefault(name); d != nil {
		if v, ok := d.(string); ok {
			return v
		}
	}
	return def
}

// Ints returns ints attribute name; ok is false when it is absent and has
// no schema default.
func (c *Ctx) Ints(name string) ([]int64, bool) {
	if a := c.Attr(name); a != nil {
		return a.GetInts(), true
	}
	if d := c.schemaDefault(name); d != nil {
		if v, ok := d.([]int64); ok {
			return v, true
		}
	}
	return nil, false
}

// Floats returns floats attribute name, ok false when absent.
func (c *Ctx) Floats(name string) ([]float32, bool) {
	if a := c.Attr(name); a != nil {
		return a.GetFloats(), true
	}
	if d := c.schemaDefault(name); d != nil {
		if v, ok := d.([]float32); ok {
			return v, true
		}
	}
	return nil, false
}

func (c *Ctx) schemaDefault(name string) any {
	if c.Schema == nil {
		return nil
	}
	a, ok := c.Schema.Attribute(name)
	if !ok {
		return nil
	}
	v, ok := a.DefaultValue()
	if !ok {
		return nil
	}
	return v
}

// AttrTensor returns the tensor attribute name, nil when absent.
func (c *Ctx) AttrTensor(name string) *onnxgraph.Tensor {
	a := c.Attr(name)
	if a == nil || a.T == nil {
		return nil
	}
	return c.s.e.m.TensorOf(a.T)
}

// Subgraph returns the graph held by attribute name, nil when absent.
func (c *Ctx) Subgraph(name string) *onnxgraph.Graph {
	for i, a := range c.Node.Attrs() {
		if a.GetName() == name {
			return c.Node.SubgraphAt(i)
		}
	}
	return nil
}

// InferGraph infers a subgraph of this node with the given input types
// (nil entries keep the declared type) and returns its output types. Outer
// values are visible with the types inferred so far.
func (c *Ctx) InferGraph(g *onnxgraph.Graph, inputs []*Type) ([]*Type, error) {
	return c.s.inferSubgraph(g, inputs)
}

// SetOutput sets output i's type.
func (c *Ctx) SetOutput(i int, t *Type) {
	if i >= 0 && i < len(c.outs) {
		c.outs[i] = t
	}
}

// SetData sets what is known of output i's contents (dropped when its
// shape is too large to track: see trackable).
func (c *Ctx) SetData(i int, d *Data) {
	if i >= 0 && i < len(c.outData) && (d == nil || trackable(d.Shape)) {
		c.outData[i] = d
	}
}

// Fresh returns a new symbolic dimension with a stable name, for a size
// that is fixed at run time but not known now (NonZero's count, say).
func (c *Ctx) Fresh() Dim { return c.s.e.fresh() }

// Errorf returns an inference error of the given code at this node.
func (c *Ctx) Errorf(code Code, format string, args ...any) error {
	return &Error{Code: code, Node: nodeLabel(c.Node), Msg: fmt.Sprintf(format, args...)}
}

func nodeLabel(n *onnxgraph.Node) string {
	if n.Name() != "" {
		return fmt.Sprintf("%q(%s)", n.Name(), n.OpType())
	}
	idx := -1
	for i, m := range n.Graph().Nodes() {
		if m == n {
			idx = i
			break
		}
	}
	return fmt.Sprintf("#%d(%s)", idx, n.OpType())
}

// StringData returns the contents of string input i when known (a
// constant, or a graph input given in Options.InputStrings), else nil.
func (c *Ctx) StringData(i int) [][]byte {
	v := c.Node.Input(i)
	if v == nil {
		return nil
	}
	if s, ok := c.s.e.strs[v]; ok {
		return s
	}
	if t := v.Initializer(); t != nil && t.DataType() == onnxgraph.String && uint64(onnxgraph.NumElements(t.Dims())) <= maxData { // -1 (overflow) is huge
		if s, err := t.Strings(); err == nil {
			c.s.e.strs[v] = s
			return s
		}
	}
	return nil
}
