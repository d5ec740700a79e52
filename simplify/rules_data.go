package simplify

import (
	"math"

	"github.com/onnxgraph/onnxgraph"
)

// Data movement: Transpose, Pad, Slice, Concat, Split.
var (
	transposeVersions = versions("Transpose", 1, 13, 21, 23, 24, 25)
)

var dataTable = merge(
	rules(passNoop, transposeNoop, transposeVersions),
	rules(passMerge, mergeTransposes, transposeVersions),
	rules(passNoop, padNoop, versions("Pad", 1, 2, 11, 13, 18, 19, 21, 23, 24, 25)),
	rules(passNoop, sliceNoop, versions("Slice", 1, 10, 11, 13)),
	rules(passNoop, onePartNoop, versions("Concat", 1, 4, 11, 13)),
	rules(passNoop, oneOutputNoop, versions("Split", 1, 2, 11, 13, 18)),
)

// perm returns n's permutation: its perm attribute, else the reversal of
// rank dims (rank from the input's type); ok is false when neither tells.
func (c *rctx) perm(n *onnxgraph.Node) ([]int64, bool) {
	for _, a := range n.Attrs() {
		if a.GetName() == "perm" {
			return a.Ints, true
		}
	}
	r := rankOf(c.typ(n.Input(0)))
	if r < 0 {
		return nil, false
	}
	p := make([]int64, r)
	for i := range p {
		p[i] = int64(r - 1 - i)
	}
	return p, true
}

func isIdentityPerm(p []int64) bool {
	for i, x := range p {
		if x != int64(i) {
			return false
		}
	}
	return true
}

// validPerm reports whether p is a permutation of 0..len(p)-1.
func validPerm(p []int64) bool {
	seen := make([]bool, len(p))
	for _, x := range p {
		if x < 0 || x >= int64(len(p)) || seen[x] {
			return false
		}
		seen[x] = true
	}
	return true
}

func transposeNoop(c *rctx) bool {
	p, ok := c.perm(c.n)
	if !ok || !validPerm(p) || !isIdentityPerm(p) {
		return false
	}
	return c.noop(c.in(0))
}

// mergeTransposes turns Transpose(Transpose(x, p1), p2) into one
// Transpose of x by p1∘p2, or into x when that is the identity.
func mergeTransposes(c *rctx) bool {
	p, _ := c.producer(c.in(0))
	if p == nil || p.OpType() != "Transpose" || c.version(p) == 0 {
		return false
	}
	p1, ok1 := c.perm(p)
	p2, ok2 := c.perm(c.n)
	if !ok1 || !ok2 || len(p1) != len(p2) || !validPerm(p1) || !validPerm(p2) {
		return false
	}
	q := make([]int64, len(p2))
	for i, x := range p2 {
		q[i] = p1[x]
	}
	x := p.Input(0)
	if isIdentityPerm(q) {
		return c.noop(x)
	}
	if err := c.n.SetAttr(onnxgraph.AttrInts("perm", q...)); err != nil {
		return false
	}
	if err := c.n.SetInput(0, x); err != nil {
		return false
	}
	c.e.changes++
	return true
}

// padNoop removes a Pad by zeros on every side (any mode).
func padNoop(c *rctx) bool {
	var pads []int64
	var ok bool
	switch {
	case c.since == 1:
		pads, ok = c.attrInts("paddings")
	case c.since == 2:
		pads, ok = c.attrInts("pads")
	default:
		pads, ok = c.s.constInts(c.in(1))
	}
	if !ok {
		return false
	}
	for _, x := range pads {
		if x != 0 {
			return false
		}
	}
	return c.noop(c.in(0))
}

// sliceNoop removes a Slice that takes everything: steps of 1 and an
// output of the input's shape, or starts of 0 and ends at the maximum.
func sliceNoop(c *rctx) bool {
	var starts, ends, steps []int64
	okS, okE := false, false
	if c.since == 1 {
		starts, okS = c.attrInts("starts")
		ends, okE = c.attrInts("ends")
	} else {
		starts, okS = c.s.constInts(c.in(1))
		ends, okE = c.s.constInts(c.in(2))
		if st := c.in(4); st != nil {
			var ok bool
			if steps, ok = c.s.constInts(st); !ok {
				return false
			}
		}
	}
	for _, x := range steps {
		if x != 1 {
			return false
		}
	}
	full := okS && okE && len(starts) == len(ends)
	if full {
		for i := range starts {
			if starts[i] != 0 || ends[i] < math.MaxInt32 {
				full = false
				break
			}
		}
	}
	if !full && !sameShape(c.typ(c.in(0)), c.typ(c.out(0))) {
		return false
	}
	return c.noop(c.in(0))
}

// onePartNoop removes a Concat of one input.
func onePartNoop(c *rctx) bool {
	if c.n.NumInputs() != 1 {
		return false
	}
	return c.noop(c.in(0))
}

// oneOutputNoop removes a Split into one part.
func oneOutputNoop(c *rctx) bool {
	if c.n.NumOutputs() != 1 {
		return false
	}
	return c.noop(c.in(0))
}
