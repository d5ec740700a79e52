package simplify

// Cast and CastLike to the type the input already has.
var castTable = merge(
	rules(passNoop, castNoop, versions("Cast", 6, 9, 13, 19, 21, 23, 24, 25)),
	rules(passNoop, castLikeNoop, versions("CastLike", 15, 19, 21, 23, 24, 25)),
)

func castNoop(c *rctx) bool {
	to := c.attrInt("to", 0)
	if to == 0 || int64(c.s.elemOf(c.in(0))) != to {
		return false
	}
	return c.noop(c.in(0))
}

func castLikeNoop(c *rctx) bool {
	a, b := c.s.elemOf(c.in(0)), c.s.elemOf(c.in(1))
	if a == 0 || a != b {
		return false
	}
	return c.noop(c.in(0))
}
