package tflite

import (
	"fmt"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/opschema"
)

// convFunc converts one node: it reads its inputs through the converter
// (c.tensor, c.konst), emits TensorFlow Lite operators and defines every
// used output. A case without an exact TensorFlow Lite form returns
// refuse(...).
type convFunc func(c *converter, n *onnxgraph.Node) error

// key identifies an operator version: normalized domain, op type,
// since-version.
type key struct {
	domain string
	op     string
	since  int
}

// table is every converter, keyed by operator version. Each family file
// holds its part as an explicit literal; TestTable checks it against the
// operator schemas.
var table = merge(nnTable, elementwiseTable, shapeTable, reduceTable, matmulTable, resizeTable)

func merge(parts ...map[key]convFunc) map[key]convFunc {
	out := map[key]convFunc{}
	for _, p := range parts {
		for k, f := range p {
			if _, dup := out[k]; dup {
				panic(fmt.Sprintf("tflite: %v listed twice", k))
			}
			out[k] = f
		}
	}
	return out
}

// versions maps op's since-versions in the default domain to f.
func versions(out map[key]convFunc, op string, f convFunc, since ...int) {
	for _, s := range since {
		out[key{"ai.onnx", op, s}] = f
	}
}

// family builds a table part from calls to versions.
func family(fill func(t map[key]convFunc)) map[key]convFunc {
	t := map[key]convFunc{}
	fill(t)
	return t
}

// Attribute readers with the schema's defaults.

func attrInt(n *onnxgraph.Node, name string, def int64) int64 {
	if a := n.Attr(name); a != nil {
		return a.GetI()
	}
	return def
}

func attrFloat(n *onnxgraph.Node, name string, def float32) float32 {
	if a := n.Attr(name); a != nil {
		return a.GetF()
	}
	return def
}

func attrInts(n *onnxgraph.Node, name string, def []int64) []int64 {
	if a := n.Attr(name); a != nil {
		return a.GetInts()
	}
	return def
}

func attrString(n *onnxgraph.Node, name, def string) string {
	if a := n.Attr(name); a != nil {
		return string(a.GetS())
	}
	return def
}

// since is the since-version of n's operator at the model's opset.
func (c *converter) since(n *onnxgraph.Node) int {
	opset, _ := c.m.Opset(n.Domain())
	if s, ok := opschema.Lookup(n.Domain(), n.OpType(), int(opset)); ok {
		return s.SinceVersion
	}
	return 0
}

// in returns input i of n, nil when absent.
func in(n *onnxgraph.Node, i int) *onnxgraph.Value {
	if i >= n.NumInputs() {
		return nil
	}
	return n.Input(i)
}

// normAxis turns a possibly negative axis into [0, r).
func normAxis(a int64, r int) (int, error) {
	if a < 0 {
		a += int64(r)
	}
	if a < 0 || a >= int64(r) {
		return 0, refuse("axis %d out of range for rank %d", a, r)
	}
	return int(a), nil
}

// constInts reads a constant input as integers; it refuses a computed one.
func (c *converter) constInts(v *onnxgraph.Value, what string) ([]int64, error) {
	cv := c.konst(v)
	if cv == nil {
		return nil, refuse("%s %q must be a constant", what, v.Name())
	}
	return cv.ints(), nil
}

// used reports whether v is read or is a graph output.
func used(v *onnxgraph.Value) bool {
	return v != nil && (v.NumUses() > 0 || v.IsGraphOutput())
}

// alias makes out the same tensor as in.
func (c *converter) alias(in, out *onnxgraph.Value) {
	if cv := c.konst(in); cv != nil {
		c.consts[out] = cv
		return
	}
	tv := c.vals[in]
	c.vals[out] = &tval{idx: tv.idx, perm: tv.perm, alt: tv.alt}
}

// Supported reports whether the exporter has a converter for op of domain
// at the given opset (the version in force there). Constant is always
// supported; a supported operator may still refuse some attribute values.
func Supported(domain, op string, opset int) bool {
	if op == "Constant" && opschema.NormalizeDomain(domain) == "ai.onnx" {
		return true
	}
	s, ok := opschema.Lookup(domain, op, opset)
	if !ok {
		return false
	}
	_, ok = table[key{opschema.NormalizeDomain(domain), op, s.SinceVersion}]
	return ok
}
