package simplify

import (
	"slices"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/opschema"
)

// Operators that change a tensor's shape and not its data.
var (
	reshapeVersions   = versions("Reshape", 5, 13, 14, 19, 21, 23, 24, 25)
	flattenVersions   = versions("Flatten", 1, 9, 11, 13, 21, 23, 24, 25)
	squeezeVersions   = versions("Squeeze", 1, 11, 13, 21, 23, 24, 25)
	unsqueezeVersions = versions("Unsqueeze", 1, 11, 13, 21, 23, 24, 25)
	expandVersions    = versions("Expand", 8, 13)
)

var reshapeTable = merge(
	rules(passNoop, sameShapeNoop, reshapeVersions, flattenVersions, squeezeVersions, unsqueezeVersions, expandVersions),
	rules(passNoop, reshapeChainNoop, reshapeVersions, flattenVersions, squeezeVersions, unsqueezeVersions),
	rules(passMerge, mergeReshapes, reshapeVersions),
)

// sameShapeNoop removes a node whose output has its input's shape.
func sameShapeNoop(c *rctx) bool {
	if !sameShape(c.typ(c.in(0)), c.typ(c.out(0))) {
		return false
	}
	return c.noop(c.in(0))
}

// reshapeLike reports whether p only changes the shape of its first
// input: Reshape (from opset 5), Flatten, Squeeze, Unsqueeze.
func (c *rctx) reshapeLike(p *onnxgraph.Node) bool {
	if opschema.NormalizeDomain(p.Domain()) != opschema.DomainONNX {
		return false
	}
	switch p.OpType() {
	case "Flatten", "Squeeze", "Unsqueeze":
		return true
	case "Reshape":
		return c.version(p) >= 5
	}
	return false
}

// reshapeChainNoop removes a shape-only node that gives back the shape
// its shape-only producer started from (Unsqueeze after Squeeze of the
// same axes, a Reshape back to the original shape).
func reshapeChainNoop(c *rctx) bool {
	p, _ := c.producer(c.in(0))
	if p == nil || !c.reshapeLike(p) {
		return false
	}
	x := p.Input(0)
	if !sameShape(c.typ(x), c.typ(c.out(0))) {
		return false
	}
	return c.noop(x)
}

// mergeReshapes makes a Reshape read past a shape-only producer:
// Reshape(Reshape(x, a), b) computes Reshape(x, b) when b is a constant
// without 0s (which would copy dims of the middle shape), or allowzero is
// set.
func mergeReshapes(c *rctx) bool {
	p, _ := c.producer(c.in(0))
	if p == nil || !c.reshapeLike(p) {
		return false
	}
	shape, ok := c.s.constInts(c.in(1))
	if !ok {
		return false
	}
	if c.attrInt("allowzero", 0) == 0 && slices.Contains(shape, 0) {
		return false
	}
	if err := c.n.SetInput(0, p.Input(0)); err != nil {
		return false
	}
	c.e.changes++
	return true
}
