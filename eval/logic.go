package eval

import (
	"cmp"
	"math"
)

// Comparisons, logical and bitwise operators, IsNaN, IsInf and Where.

var logicTable = map[key]entry{
	{onnx, "Equal", 1}:           k(legacyCompare(cmpEq), tAll, "axis", "broadcast"),
	{onnx, "Equal", 7}:           k(compare(cmpEq), tAll),
	{onnx, "Equal", 11}:          k(compare(cmpEq), tAll),
	{onnx, "Equal", 13}:          k(compare(cmpEq), tAll),
	{onnx, "Equal", 19}:          k(compare(cmpEq), tAll),
	{onnx, "Less", 1}:            k(legacyCompare(cmpLt), tNumeric, "axis", "broadcast"),
	{onnx, "Less", 7}:            k(compare(cmpLt), tNumeric),
	{onnx, "Less", 9}:            k(compare(cmpLt), tNumeric),
	{onnx, "Less", 13}:           k(compare(cmpLt), tNumeric),
	{onnx, "LessOrEqual", 12}:    k(compare(cmpLe), tNumeric),
	{onnx, "LessOrEqual", 16}:    k(compare(cmpLe), tNumeric),
	{onnx, "Greater", 1}:         k(legacyCompare(cmpGt), tNumeric, "axis", "broadcast"),
	{onnx, "Greater", 7}:         k(compare(cmpGt), tNumeric),
	{onnx, "Greater", 9}:         k(compare(cmpGt), tNumeric),
	{onnx, "Greater", 13}:        k(compare(cmpGt), tNumeric),
	{onnx, "GreaterOrEqual", 12}: k(compare(cmpGe), tNumeric),
	{onnx, "GreaterOrEqual", 16}: k(compare(cmpGe), tNumeric),

	{onnx, "And", 1}: k(legacyLogical(func(x, y bool) bool { return x && y }), tBool, "axis", "broadcast"),
	{onnx, "And", 7}: k(logical(func(x, y bool) bool { return x && y }), tBool),
	{onnx, "Or", 1}:  k(legacyLogical(func(x, y bool) bool { return x || y }), tBool, "axis", "broadcast"),
	{onnx, "Or", 7}:  k(logical(func(x, y bool) bool { return x || y }), tBool),
	{onnx, "Xor", 1}: k(legacyLogical(func(x, y bool) bool { return x != y }), tBool, "axis", "broadcast"),
	{onnx, "Xor", 7}: k(logical(func(x, y bool) bool { return x != y }), tBool),
	{onnx, "Not", 1}: k(not, tBool),

	{onnx, "BitShift", 11}:   k(bitShift, tUnsigned, "direction"),
	{onnx, "BitwiseAnd", 18}: k(bitwise(bitAnd), tInts),
	{onnx, "BitwiseOr", 18}:  k(bitwise(bitOr), tInts),
	{onnx, "BitwiseXor", 18}: k(bitwise(bitXor), tInts),
	{onnx, "BitwiseNot", 18}: k(bitwiseNot, tInts),

	{onnx, "IsNaN", 9}:  k(isNaN, tFloats),
	{onnx, "IsNaN", 13}: k(isNaN, tFloats),
	{onnx, "IsNaN", 20}: k(isNaN, cat(tFloats, tFloat8)),
	{onnx, "IsInf", 10}: k(isInf, tFloats, "detect_negative", "detect_positive"),
	{onnx, "IsInf", 20}: k(isInf, cat(tFloats, tFloat8), "detect_negative", "detect_positive"),

	{onnx, "Where", 9}:  k(where, tBool),
	{onnx, "Where", 16}: k(where, tBool),
}

type cmpop int

const (
	cmpEq cmpop = iota
	cmpLt
	cmpLe
	cmpGt
	cmpGe
)

func cmpFn[T cmp.Ordered](op cmpop) func(T, T) bool {
	switch op {
	case cmpEq:
		return func(x, y T) bool { return x == y }
	case cmpLt:
		return func(x, y T) bool { return x < y }
	case cmpLe:
		return func(x, y T) bool { return x <= y }
	case cmpGt:
		return func(x, y T) bool { return x > y }
	}
	return func(x, y T) bool { return x >= y }
}

func compare(op cmpop) kernel {
	return func(c *ctx, in []*tensor) ([]*tensor, error) {
		out, err := compareT(c, in[0], in[1], op)
		return []*tensor{out}, err
	}
}

func legacyCompare(op cmpop) kernel {
	return func(c *ctx, in []*tensor) ([]*tensor, error) {
		b, err := legacyB(c, in[0], in[1])
		if err != nil {
			return nil, err
		}
		out, err := compareT(c, in[0], b, op)
		return []*tensor{out}, err
	}
}

func compareT(c *ctx, a, b *tensor, op cmpop) (*tensor, error) {
	if a.dt != b.dt {
		return nil, invalidf("operands of types %s and %s", typeName(a.dt), typeName(b.dt))
	}
	shape, err := broadcastShapes(a.shape, b.shape)
	if err != nil {
		return nil, err
	}
	out, err := c.alloc(dtBool, shape)
	if err != nil {
		return nil, err
	}
	o := out.data.([]bool)
	switch x := a.data.(type) {
	case []float32:
		binaryLoop(o, shape, x, a.shape, b.data.([]float32), b.shape, cmpFn[float32](op))
	case []float64:
		binaryLoop(o, shape, x, a.shape, b.data.([]float64), b.shape, cmpFn[float64](op))
	case []int8:
		binaryLoop(o, shape, x, a.shape, b.data.([]int8), b.shape, cmpFn[int8](op))
	case []int16:
		binaryLoop(o, shape, x, a.shape, b.data.([]int16), b.shape, cmpFn[int16](op))
	case []int32:
		binaryLoop(o, shape, x, a.shape, b.data.([]int32), b.shape, cmpFn[int32](op))
	case []int64:
		binaryLoop(o, shape, x, a.shape, b.data.([]int64), b.shape, cmpFn[int64](op))
	case []uint8:
		binaryLoop(o, shape, x, a.shape, b.data.([]uint8), b.shape, cmpFn[uint8](op))
	case []uint16:
		binaryLoop(o, shape, x, a.shape, b.data.([]uint16), b.shape, cmpFn[uint16](op))
	case []uint32:
		binaryLoop(o, shape, x, a.shape, b.data.([]uint32), b.shape, cmpFn[uint32](op))
	case []uint64:
		binaryLoop(o, shape, x, a.shape, b.data.([]uint64), b.shape, cmpFn[uint64](op))
	case []string:
		binaryLoop(o, shape, x, a.shape, b.data.([]string), b.shape, cmpFn[string](op))
	case []bool:
		if op != cmpEq {
			return nil, notImplf("ordering of bool")
		}
		binaryLoop(o, shape, x, a.shape, b.data.([]bool), b.shape, func(p, q bool) bool { return p == q })
	default:
		return nil, notImplf("%s operands", typeName(a.dt))
	}
	return out, nil
}

func logical(f func(x, y bool) bool) kernel {
	return func(c *ctx, in []*tensor) ([]*tensor, error) {
		out, err := logicalT(c, in[0], in[1], f)
		return []*tensor{out}, err
	}
}

func legacyLogical(f func(x, y bool) bool) kernel {
	return func(c *ctx, in []*tensor) ([]*tensor, error) {
		b, err := legacyB(c, in[0], in[1])
		if err != nil {
			return nil, err
		}
		out, err := logicalT(c, in[0], b, f)
		return []*tensor{out}, err
	}
}

func logicalT(c *ctx, a, b *tensor, f func(x, y bool) bool) (*tensor, error) {
	x, ok1 := a.data.([]bool)
	y, ok2 := b.data.([]bool)
	if !ok1 || !ok2 {
		return nil, invalidf("operands of types %s and %s, not bool", typeName(a.dt), typeName(b.dt))
	}
	shape, err := broadcastShapes(a.shape, b.shape)
	if err != nil {
		return nil, err
	}
	out, err := c.alloc(dtBool, shape)
	if err != nil {
		return nil, err
	}
	binaryLoop(out.data.([]bool), shape, x, a.shape, y, b.shape, f)
	return out, nil
}

func not(c *ctx, in []*tensor) ([]*tensor, error) {
	x, ok := in[0].data.([]bool)
	if !ok {
		return nil, invalidf("%s input, not bool", typeName(in[0].dt))
	}
	return []*tensor{withData(dtBool, in[0].shape, mapT(x, func(v bool) bool { return !v }))}, nil
}

type bitop int

const (
	bitAnd bitop = iota
	bitOr
	bitXor
	bitShl
	bitShr
)

func bitFn[T integer](op bitop) func(T, T) T {
	switch op {
	case bitAnd:
		return func(x, y T) T { return x & y }
	case bitOr:
		return func(x, y T) T { return x | y }
	case bitXor:
		return func(x, y T) T { return x ^ y }
	case bitShl:
		return func(x, y T) T { return x << y }
	}
	return func(x, y T) T { return x >> y }
}

func bitwise(op bitop) kernel {
	return func(c *ctx, in []*tensor) ([]*tensor, error) {
		out, err := bitwiseT(c, in[0], in[1], op)
		return []*tensor{out}, err
	}
}

func bitShift(c *ctx, in []*tensor) ([]*tensor, error) {
	dir := c.str("direction")
	if c.err != nil {
		return nil, c.err
	}
	op := bitShl
	switch dir {
	case "LEFT":
	case "RIGHT":
		op = bitShr
	default:
		return nil, invalidf("direction %q", dir)
	}
	out, err := bitwiseT(c, in[0], in[1], op)
	return []*tensor{out}, err
}

func bitwiseT(c *ctx, a, b *tensor, op bitop) (*tensor, error) {
	if a.dt != b.dt {
		return nil, invalidf("operands of types %s and %s", typeName(a.dt), typeName(b.dt))
	}
	shape, err := broadcastShapes(a.shape, b.shape)
	if err != nil {
		return nil, err
	}
	out, err := c.alloc(a.dt, shape)
	if err != nil {
		return nil, err
	}
	switch x := a.data.(type) {
	case []int8:
		bitT(out, a, b, x, op)
	case []int16:
		bitT(out, a, b, x, op)
	case []int32:
		bitT(out, a, b, x, op)
	case []int64:
		bitT(out, a, b, x, op)
	case []uint8:
		bitT(out, a, b, x, op)
	case []uint16:
		bitT(out, a, b, x, op)
	case []uint32:
		bitT(out, a, b, x, op)
	case []uint64:
		bitT(out, a, b, x, op)
	default:
		return nil, notImplf("%s operands", typeName(a.dt))
	}
	return out, nil
}

func bitT[T integer](out, a, b *tensor, x []T, op bitop) {
	binaryLoop(out.data.([]T), out.shape, x, a.shape, b.data.([]T), b.shape, bitFn[T](op))
}

func bitwiseNot(c *ctx, in []*tensor) ([]*tensor, error) {
	x := in[0]
	var d any
	switch s := x.data.(type) {
	case []int8:
		d = mapT(s, func(v int8) int8 { return ^v })
	case []int16:
		d = mapT(s, func(v int16) int16 { return ^v })
	case []int32:
		d = mapT(s, func(v int32) int32 { return ^v })
	case []int64:
		d = mapT(s, func(v int64) int64 { return ^v })
	case []uint8:
		d = mapT(s, func(v uint8) uint8 { return ^v })
	case []uint16:
		d = mapT(s, func(v uint16) uint16 { return ^v })
	case []uint32:
		d = mapT(s, func(v uint32) uint32 { return ^v })
	case []uint64:
		d = mapT(s, func(v uint64) uint64 { return ^v })
	default:
		return nil, notImplf("%s input", typeName(x.dt))
	}
	return []*tensor{withData(x.dt, x.shape, d)}, nil
}

func isNaN(c *ctx, in []*tensor) ([]*tensor, error) {
	return floatTest(in[0], func(x float64) bool { return math.IsNaN(x) })
}

func isInf(c *ctx, in []*tensor) ([]*tensor, error) {
	neg, pos := c.int("detect_negative") != 0, c.int("detect_positive") != 0
	if c.err != nil {
		return nil, c.err
	}
	return floatTest(in[0], func(x float64) bool { return (pos && math.IsInf(x, 1)) || (neg && math.IsInf(x, -1)) })
}

func floatTest(x *tensor, f func(float64) bool) ([]*tensor, error) {
	switch s := x.data.(type) {
	case []float32:
		return []*tensor{withData(dtBool, x.shape, mapT(s, func(v float32) bool { return f(float64(v)) }))}, nil
	case []float64:
		return []*tensor{withData(dtBool, x.shape, mapT(s, f))}, nil
	}
	return nil, notImplf("%s input", typeName(x.dt))
}

func where(c *ctx, in []*tensor) ([]*tensor, error) {
	cond, x, y := in[0], in[1], in[2]
	cd, ok := cond.data.([]bool)
	if !ok {
		return nil, invalidf("condition of type %s", typeName(cond.dt))
	}
	if x.dt != y.dt {
		return nil, invalidf("operands of types %s and %s", typeName(x.dt), typeName(y.dt))
	}
	shape, err := broadcastShapes(cond.shape, x.shape, y.shape)
	if err != nil {
		return nil, err
	}
	n, err := c.check(shape)
	if err != nil {
		return nil, err
	}
	// Pick, for each element, an offset into the concatenation of x and y.
	oc, ox, oy := offsets(cond.shape, shape, n), offsets(x.shape, shape, n), offsets(y.shape, shape, n)
	idx := make([]int, n)
	nx := x.size()
	for i := range idx {
		if cd[oc[i]] {
			idx[i] = ox[i]
		} else {
			idx[i] = nx + oy[i]
		}
	}
	both := makeData(x.dt, nx+y.size())
	copyInto(both, 0, x.data)
	copyInto(both, nx, y.data)
	return []*tensor{withData(x.dt, shape, take(both, idx))}, nil
}
