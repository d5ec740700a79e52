package simplify

import "github.com/onnxgraph/onnxgraph"

// Identity and Dropout: nodes that pass their input on.
var identityTable = merge(
	rules(passNoop, identityNoop, versions("Identity", 1, 13, 14, 16, 19, 21, 23, 24, 25)),
	rules(passNoop, dropoutNoop, versions("Dropout", 1, 6, 7, 10, 12, 13, 22)),
)

func identityNoop(c *rctx) bool { return c.noop(c.in(0)) }

// dropoutNoop removes a Dropout in inference mode whose mask is unread:
// before opset 7 when is_test is set; from 7 to 11 always; from 12 when
// training_mode is absent or a constant false.
func dropoutNoop(c *rctx) bool {
	switch {
	case c.since < 7:
		if c.attrInt("is_test", 0) == 0 {
			return false
		}
	case c.since >= 12:
		if tm := c.in(2); tm != nil {
			vals, ok := c.s.constInts(tm)
			if !ok {
				t, isConst := c.s.constOf(tm)
				if !isConst || t.DataType() != onnxgraph.Bool {
					return false
				}
				bs, err := t.Bools()
				if err != nil || len(bs) != 1 || bs[0] {
					return false
				}
			} else if len(vals) != 1 || vals[0] != 0 {
				return false
			}
		}
	}
	return c.noop(c.in(0))
}
