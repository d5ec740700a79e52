package simplify

import (
	"math"

	"github.com/onnxgraph/onnxgraph"
)

// Arithmetic with a unit: x*1, 1*x, x/1, x-0 (x - +0.0 for floats), x+0
// and 0+x (-0.0 for floats: x + +0.0 turns -0.0 into +0.0). Only where
// the constant does not broadcast x to a larger shape or another type.
var (
	addVersions = versions("Add", 7, 13, 14)
	subVersions = versions("Sub", 7, 13, 14)
	mulVersions = versions("Mul", 7, 13, 14)
	divVersions = versions("Div", 7, 13, 14)
)

var arithTable = merge(
	rules(passNoop, unitNoop, addVersions, subVersions, mulVersions, divVersions),
)

func unitNoop(c *rctx) bool {
	commutes := c.n.OpType() == "Add" || c.n.OpType() == "Mul"
	for k := range 2 {
		if k == 1 && !commutes {
			continue
		}
		x, u := c.in(k), c.in(1-k)
		if x == nil || u == nil || !c.isUnit(u) {
			continue
		}
		tx, to := c.typ(x), c.typ(c.out(0))
		if tx == nil || to == nil || tx.Elem != to.Elem || tx.Elem == 0 || !sameShape(tx, to) {
			continue
		}
		return c.noop(x)
	}
	return false
}

// isUnit reports whether every element of constant u leaves the other
// operand of c's node as it is.
func (c *rctx) isUnit(u *onnxgraph.Value) bool {
	vals, dt, ok := c.s.constFloats(u)
	if !ok || len(vals) == 0 {
		return false
	}
	float := dt == onnxgraph.Float || dt == onnxgraph.Double || dt == onnxgraph.Float16 || dt == onnxgraph.BFloat16
	for _, x := range vals {
		switch c.n.OpType() {
		case "Mul", "Div":
			if x != 1 {
				return false
			}
		case "Sub":
			if x != 0 || math.Signbit(x) {
				return false
			}
		case "Add":
			if x != 0 || (float && !math.Signbit(x)) {
				return false
			}
		}
	}
	return true
}
