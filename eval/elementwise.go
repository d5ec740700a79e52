package eval

import (
	"math"
)

// Element-wise arithmetic and math: Add, Sub, Mul, Div, Pow, Mod, Min,
// Max, Sum, Mean and the unary functions.

var elementwiseTable = map[key]entry{
	{onnx, "Add", 1}:  k(legacyArith(opAdd), tFloats, "axis", "broadcast", "consumed_inputs"),
	{onnx, "Add", 6}:  k(legacyArith(opAdd), tNumeric, "axis", "broadcast"),
	{onnx, "Add", 7}:  k(arith(opAdd), tNumeric),
	{onnx, "Add", 13}: k(arith(opAdd), tNumeric),
	{onnx, "Add", 14}: k(arith(opAdd), tNumeric),
	{onnx, "Sub", 1}:  k(legacyArith(opSub), tFloats, "axis", "broadcast", "consumed_inputs"),
	{onnx, "Sub", 6}:  k(legacyArith(opSub), tNumeric, "axis", "broadcast"),
	{onnx, "Sub", 7}:  k(arith(opSub), tNumeric),
	{onnx, "Sub", 13}: k(arith(opSub), tNumeric),
	{onnx, "Sub", 14}: k(arith(opSub), tNumeric),
	{onnx, "Mul", 1}:  k(legacyArith(opMul), tFloats, "axis", "broadcast", "consumed_inputs"),
	{onnx, "Mul", 6}:  k(legacyArith(opMul), tNumeric, "axis", "broadcast"),
	{onnx, "Mul", 7}:  k(arith(opMul), tNumeric),
	{onnx, "Mul", 13}: k(arith(opMul), tNumeric),
	{onnx, "Mul", 14}: k(arith(opMul), tNumeric),
	{onnx, "Div", 1}:  k(legacyArith(opDiv), tFloats, "axis", "broadcast", "consumed_inputs"),
	{onnx, "Div", 6}:  k(legacyArith(opDiv), tNumeric, "axis", "broadcast"),
	{onnx, "Div", 7}:  k(arith(opDiv), tNumeric),
	{onnx, "Div", 13}: k(arith(opDiv), tNumeric),
	{onnx, "Div", 14}: k(arith(opDiv), tNumeric),
	{onnx, "Pow", 1}:  k(legacyPow, tFloats, "axis", "broadcast"),
	{onnx, "Pow", 7}:  k(pow, tNumeric),
	{onnx, "Pow", 12}: k(pow, tNumeric),
	{onnx, "Pow", 13}: k(pow, tNumeric),
	{onnx, "Pow", 15}: k(pow, tNumeric),
	{onnx, "Mod", 10}: k(mod, tNumeric, "fmod"),
	{onnx, "Mod", 13}: k(mod, tNumeric, "fmod"),

	{onnx, "Max", 1}:   k(variadic(opMax), tNumeric, "consumed_inputs"),
	{onnx, "Max", 6}:   k(variadic(opMax), tNumeric),
	{onnx, "Max", 8}:   k(variadic(opMax), tNumeric),
	{onnx, "Max", 12}:  k(variadic(opMax), tNumeric),
	{onnx, "Max", 13}:  k(variadic(opMax), tNumeric),
	{onnx, "Min", 1}:   k(variadic(opMin), tNumeric, "consumed_inputs"),
	{onnx, "Min", 6}:   k(variadic(opMin), tNumeric),
	{onnx, "Min", 8}:   k(variadic(opMin), tNumeric),
	{onnx, "Min", 12}:  k(variadic(opMin), tNumeric),
	{onnx, "Min", 13}:  k(variadic(opMin), tNumeric),
	{onnx, "Sum", 1}:   k(variadic(opAdd), tNumeric, "consumed_inputs"),
	{onnx, "Sum", 6}:   k(variadic(opAdd), tNumeric),
	{onnx, "Sum", 8}:   k(variadic(opAdd), tNumeric),
	{onnx, "Sum", 13}:  k(variadic(opAdd), tNumeric),
	{onnx, "Mean", 1}:  k(mean, tFloats, "consumed_inputs"),
	{onnx, "Mean", 6}:  k(mean, tFloats),
	{onnx, "Mean", 8}:  k(mean, tFloats),
	{onnx, "Mean", 13}: k(mean, tFloats),

	{onnx, "Abs", 1}:         k(unaryNum(uAbs), tNumeric, "consumed_inputs"),
	{onnx, "Abs", 6}:         k(unaryNum(uAbs), tNumeric),
	{onnx, "Abs", 13}:        k(unaryNum(uAbs), tNumeric),
	{onnx, "Neg", 1}:         k(unaryNum(uNeg), tNumeric, "consumed_inputs"),
	{onnx, "Neg", 6}:         k(unaryNum(uNeg), tNumeric),
	{onnx, "Neg", 13}:        k(unaryNum(uNeg), tNumeric),
	{onnx, "Sign", 9}:        k(unaryNum(uSign), tNumeric),
	{onnx, "Sign", 13}:       k(unaryNum(uSign), tNumeric),
	{onnx, "Reciprocal", 1}:  k(unaryFloat(func(x float64) float64 { return 1 / x }), tFloats, "consumed_inputs"),
	{onnx, "Reciprocal", 6}:  k(unaryFloat(func(x float64) float64 { return 1 / x }), tFloats),
	{onnx, "Reciprocal", 13}: k(unaryFloat(func(x float64) float64 { return 1 / x }), tFloats),
	{onnx, "Floor", 1}:       k(unaryFloat(math.Floor), tFloats, "consumed_inputs"),
	{onnx, "Floor", 6}:       k(unaryFloat(math.Floor), tFloats),
	{onnx, "Floor", 13}:      k(unaryFloat(math.Floor), tFloats),
	{onnx, "Ceil", 1}:        k(unaryFloat(math.Ceil), tFloats, "consumed_inputs"),
	{onnx, "Ceil", 6}:        k(unaryFloat(math.Ceil), tFloats),
	{onnx, "Ceil", 13}:       k(unaryFloat(math.Ceil), tFloats),
	{onnx, "Round", 11}:      k(unaryFloat(math.RoundToEven), tFloats),
	{onnx, "Round", 22}:      k(unaryFloat(math.RoundToEven), tFloats),
	{onnx, "Sqrt", 1}:        k(unaryFloat(math.Sqrt), tFloats, "consumed_inputs"),
	{onnx, "Sqrt", 6}:        k(unaryFloat(math.Sqrt), tFloats),
	{onnx, "Sqrt", 13}:       k(unaryFloat(math.Sqrt), tFloats),
	{onnx, "Exp", 1}:         k(unaryFloat(math.Exp), tFloats, "consumed_inputs"),
	{onnx, "Exp", 6}:         k(unaryFloat(math.Exp), tFloats),
	{onnx, "Exp", 13}:        k(unaryFloat(math.Exp), tFloats),
	{onnx, "Log", 1}:         k(unaryFloat(math.Log), tFloats, "consumed_inputs"),
	{onnx, "Log", 6}:         k(unaryFloat(math.Log), tFloats),
	{onnx, "Log", 13}:        k(unaryFloat(math.Log), tFloats),
	{onnx, "Erf", 9}:         k(unaryFloat(math.Erf), tNumeric),
	{onnx, "Erf", 13}:        k(unaryFloat(math.Erf), tNumeric),
	{onnx, "Sin", 7}:         k(unaryFloat(math.Sin), tFloats),
	{onnx, "Sin", 22}:        k(unaryFloat(math.Sin), tFloats),
	{onnx, "Cos", 7}:         k(unaryFloat(math.Cos), tFloats),
	{onnx, "Cos", 22}:        k(unaryFloat(math.Cos), tFloats),
	{onnx, "Tan", 7}:         k(unaryFloat(math.Tan), tFloats),
	{onnx, "Tan", 22}:        k(unaryFloat(math.Tan), tFloats),
	{onnx, "Asin", 7}:        k(unaryFloat(math.Asin), tFloats),
	{onnx, "Asin", 22}:       k(unaryFloat(math.Asin), tFloats),
	{onnx, "Acos", 7}:        k(unaryFloat(math.Acos), tFloats),
	{onnx, "Acos", 22}:       k(unaryFloat(math.Acos), tFloats),
	{onnx, "Atan", 7}:        k(unaryFloat(math.Atan), tFloats),
	{onnx, "Atan", 22}:       k(unaryFloat(math.Atan), tFloats),
	{onnx, "Sinh", 9}:        k(unaryFloat(math.Sinh), tFloats),
	{onnx, "Sinh", 22}:       k(unaryFloat(math.Sinh), tFloats),
	{onnx, "Cosh", 9}:        k(unaryFloat(math.Cosh), tFloats),
	{onnx, "Cosh", 22}:       k(unaryFloat(math.Cosh), tFloats),
	{onnx, "Tanh", 1}:        k(unaryFloat(math.Tanh), tFloats, "consumed_inputs"),
	{onnx, "Tanh", 6}:        k(unaryFloat(math.Tanh), tFloats),
	{onnx, "Tanh", 13}:       k(unaryFloat(math.Tanh), tFloats),
	{onnx, "Asinh", 9}:       k(unaryFloat(math.Asinh), tFloats),
	{onnx, "Asinh", 22}:      k(unaryFloat(math.Asinh), tFloats),
	{onnx, "Acosh", 9}:       k(unaryFloat(math.Acosh), tFloats),
	{onnx, "Acosh", 22}:      k(unaryFloat(math.Acosh), tFloats),
	{onnx, "Atanh", 9}:       k(unaryFloat(math.Atanh), tFloats),
	{onnx, "Atanh", 22}:      k(unaryFloat(math.Atanh), tFloats),
}

// binop names a binary numeric operation.
type binop int

const (
	opAdd binop = iota
	opSub
	opMul
	opDiv
	opMax
	opMin
)

func arithFn[T number](op binop) func(T, T) T {
	switch op {
	case opAdd:
		return func(x, y T) T { return x + y }
	case opSub:
		return func(x, y T) T { return x - y }
	case opMul:
		return func(x, y T) T { return x * y }
	case opDiv:
		return func(x, y T) T { return x / y }
	case opMax:
		return func(x, y T) T { return max(x, y) }
	}
	return func(x, y T) T { return min(x, y) }
}

// arith is the kernel of a binary operation with numpy broadcasting.
func arith(op binop) kernel {
	return func(c *ctx, in []*tensor) ([]*tensor, error) {
		out, err := binaryArith(c, in[0], in[1], op)
		return []*tensor{out}, err
	}
}

// binaryArith applies op to a and b with broadcasting.
func binaryArith(c *ctx, a, b *tensor, op binop) (*tensor, error) {
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
	if op == opDiv && isInt(a.dt) && hasZero(b) {
		return nil, invalidf("integer division by zero")
	}
	switch x := a.data.(type) {
	case []float32:
		arithT(out, a, b, x, op)
	case []float64:
		arithT(out, a, b, x, op)
	case []int8:
		arithT(out, a, b, x, op)
	case []int16:
		arithT(out, a, b, x, op)
	case []int32:
		arithT(out, a, b, x, op)
	case []int64:
		arithT(out, a, b, x, op)
	case []uint8:
		arithT(out, a, b, x, op)
	case []uint16:
		arithT(out, a, b, x, op)
	case []uint32:
		arithT(out, a, b, x, op)
	case []uint64:
		arithT(out, a, b, x, op)
	default:
		return nil, notImplf("%s operands", typeName(a.dt))
	}
	return out, nil
}

func arithT[T number](out, a, b *tensor, x []T, op binop) {
	binaryLoop(out.data.([]T), out.shape, x, a.shape, b.data.([]T), b.shape, arithFn[T](op))
}

// hasZero reports whether a numeric tensor holds a zero.
func hasZero(t *tensor) bool {
	v, err := toFloat64s(t)
	if err != nil {
		return false
	}
	for _, x := range v {
		if x == 0 {
			return true
		}
	}
	return false
}

// legacyArith is the kernel of the opset 1-6 versions, whose broadcasting
// is off unless the broadcast attribute is set, and then aligns B with A
// at axis (or at A's trailing dims).
func legacyArith(op binop) kernel {
	return func(c *ctx, in []*tensor) ([]*tensor, error) {
		b, err := legacyB(c, in[0], in[1])
		if err != nil {
			return nil, err
		}
		out, err := binaryArith(c, in[0], b, op)
		return []*tensor{out}, err
	}
}

// legacyB returns B reshaped for the legacy broadcast of B over A.
func legacyB(c *ctx, a, b *tensor) (*tensor, error) {
	bc := c.int("broadcast")
	axis := c.int("axis")
	hasAxis := c.has("axis")
	if c.err != nil {
		return nil, c.err
	}
	if bc == 0 {
		if !equalShapes(a.shape, b.shape) {
			return nil, invalidf("shapes %s and %s differ and broadcast is 0", shapeString(a.shape), shapeString(b.shape))
		}
		return b, nil
	}
	if !hasAxis {
		axis = int64(len(a.shape) - len(b.shape))
	}
	if axis < 0 {
		axis += int64(len(a.shape))
	}
	if b.size() == 1 && len(b.shape) <= 1 {
		return withData(b.dt, nil, b.data), nil
	}
	if axis < 0 || axis > int64(len(a.shape)-len(b.shape)) {
		return nil, invalidf("B of shape %s does not fit A of shape %s at axis %d", shapeString(b.shape), shapeString(a.shape), axis)
	}
	shape := make([]int, len(a.shape)-int(axis))
	for i := range shape {
		shape[i] = 1
	}
	copy(shape, b.shape)
	if !broadcastsTo(shape, a.shape) {
		return nil, invalidf("B of shape %s does not broadcast to A of shape %s at axis %d", shapeString(b.shape), shapeString(a.shape), axis)
	}
	return withData(b.dt, shape, b.data), nil
}

func equalShapes(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// variadic is the kernel of Max, Min and Sum: op folded over every input,
// with broadcasting.
func variadic(op binop) kernel {
	return func(c *ctx, in []*tensor) ([]*tensor, error) {
		out, err := fold(c, in, op)
		return []*tensor{out}, err
	}
}

func fold(c *ctx, in []*tensor, op binop) (*tensor, error) {
	if len(in) == 0 || in[0] == nil {
		return nil, invalidf("no inputs")
	}
	acc := in[0]
	if len(in) == 1 {
		return withData(acc.dt, acc.shape, cloneData(acc.data)), nil
	}
	for _, x := range in[1:] {
		if x == nil {
			return nil, invalidf("missing input")
		}
		var err error
		if acc, err = binaryArith(c, acc, x, op); err != nil {
			return nil, err
		}
	}
	return acc, nil
}

func mean(c *ctx, in []*tensor) ([]*tensor, error) {
	sum, err := fold(c, in, opAdd)
	if err != nil {
		return nil, err
	}
	n := float64(len(in))
	switch s := sum.data.(type) {
	case []float32:
		for i := range s {
			s[i] = float32(float64(s[i]) / n)
		}
	case []float64:
		for i := range s {
			s[i] /= n
		}
	}
	return []*tensor{sum}, nil
}

// pow raises the first input to the power of the second, whose type may
// differ; the result has the first's type.
func pow(c *ctx, in []*tensor) ([]*tensor, error) {
	out, err := powT(c, in[0], in[1])
	return []*tensor{out}, err
}

func legacyPow(c *ctx, in []*tensor) ([]*tensor, error) {
	b, err := legacyB(c, in[0], in[1])
	if err != nil {
		return nil, err
	}
	out, err := powT(c, in[0], b)
	return []*tensor{out}, err
}

func powT(c *ctx, a, b *tensor) (*tensor, error) {
	shape, err := broadcastShapes(a.shape, b.shape)
	if err != nil {
		return nil, err
	}
	if _, err := c.check(shape); err != nil {
		return nil, err
	}
	x, err := toFloat64s(a)
	if err != nil {
		return nil, err
	}
	y, err := toFloat64s(b)
	if err != nil {
		return nil, err
	}
	res := make([]float64, numel(shape))
	if isInt(a.dt) && isInt(b.dt) {
		binaryLoop(res, shape, x, a.shape, y, b.shape, intPow)
	} else {
		binaryLoop(res, shape, x, a.shape, y, b.shape, math.Pow)
	}
	return fromF64As(a.dt, shape, res)
}

// intPow is x**y for integers held as float64: exact while the result
// fits, 0 for negative powers of integers other than ±1 (as C does).
func intPow(x, y float64) float64 {
	if y < 0 {
		switch x {
		case 1:
			return 1
		case -1:
			if math.Mod(y, 2) == 0 {
				return 1
			}
			return -1
		}
		return 0
	}
	return math.Pow(x, y)
}

// fromF64As converts float64 results to a tensor of dt (numeric).
func fromF64As(dt DataType, shape []int, v []float64) (*tensor, error) {
	var d any
	switch dt {
	case dtDouble:
		d = v
	case dtFloat, dtFloat16, dtBFloat16:
		d = convert[float64, float32](v)
	case dtInt8:
		d = floatToInts[int8](v)
	case dtInt16:
		d = floatToInts[int16](v)
	case dtInt32:
		d = floatToInts[int32](v)
	case dtInt64:
		d = floatToInts[int64](v)
	case dtUint8:
		d = floatToInts[uint8](v)
	case dtUint16:
		d = floatToInts[uint16](v)
	case dtUint32:
		d = floatToInts[uint32](v)
	case dtUint64:
		d = floatToInts[uint64](v)
	default:
		return nil, notImplf("%s results", typeName(dt))
	}
	return withData(dt, shape, d), nil
}

// floatToInts converts by truncation toward zero, wrapping as a C cast
// through int64 does; NaN gives 0 and values beyond int64 saturate.
func floatToInts[T integer](v []float64) []T {
	out := make([]T, len(v))
	for i, x := range v {
		out[i] = T(truncInt(x))
	}
	return out
}

// truncInt truncates x toward zero, saturating at the int64 range; NaN is 0.
func truncInt(x float64) int64 {
	switch {
	case x != x:
		return 0
	case x >= 9.223372036854775807e18:
		return math.MaxInt64
	case x <= -9.223372036854775808e18:
		return math.MinInt64
	}
	return int64(x)
}

func mod(c *ctx, in []*tensor) ([]*tensor, error) {
	a, b := in[0], in[1]
	fmod := c.int("fmod")
	if c.err != nil {
		return nil, c.err
	}
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
	if isFloat(a.dt) {
		if fmod != 1 {
			return nil, invalidf("fmod must be 1 for %s", typeName(a.dt))
		}
		x, _ := toFloat64s(a)
		y, _ := toFloat64s(b)
		res := make([]float64, out.size())
		binaryLoop(res, shape, x, a.shape, y, b.shape, math.Mod)
		out, err = fromF64As(a.dt, shape, res)
		return []*tensor{out}, err
	}
	if hasZero(b) {
		return nil, invalidf("integer modulo by zero")
	}
	switch x := a.data.(type) {
	case []int8:
		modT(out, a, b, x, fmod == 1)
	case []int16:
		modT(out, a, b, x, fmod == 1)
	case []int32:
		modT(out, a, b, x, fmod == 1)
	case []int64:
		modT(out, a, b, x, fmod == 1)
	case []uint8:
		modT(out, a, b, x, true)
	case []uint16:
		modT(out, a, b, x, true)
	case []uint32:
		modT(out, a, b, x, true)
	case []uint64:
		modT(out, a, b, x, true)
	default:
		return nil, notImplf("%s operands", typeName(a.dt))
	}
	return []*tensor{out}, nil
}

// modT is the remainder of truncated division (fmod), or with the sign of
// the divisor (Python's %) otherwise.
func modT[T integer](out, a, b *tensor, x []T, trunc bool) {
	f := func(p, q T) T {
		r := p % q
		if !trunc && r != 0 && (r < 0) != (q < 0) {
			r += q
		}
		return r
	}
	binaryLoop(out.data.([]T), out.shape, x, a.shape, b.data.([]T), b.shape, f)
}

// unop names a unary numeric operation defined on every numeric type.
type unop int

const (
	uAbs unop = iota
	uNeg
	uSign
)

func unaryFn[T number](op unop) func(T) T {
	switch op {
	case uAbs:
		return func(x T) T {
			if x < 0 {
				return -x
			}
			return x
		}
	case uNeg:
		return func(x T) T { return -x }
	}
	return func(x T) T {
		switch {
		case x > 0:
			return 1
		case x < 0:
			var one T = 1
			return -one
		}
		return x // 0, -0 and NaN stay
	}
}

func unaryNum(op unop) kernel {
	return func(c *ctx, in []*tensor) ([]*tensor, error) {
		x := in[0]
		var d any
		switch s := x.data.(type) {
		case []float32:
			d = mapT(s, unaryFn[float32](op))
		case []float64:
			d = mapT(s, unaryFn[float64](op))
		case []int8:
			d = mapT(s, unaryFn[int8](op))
		case []int16:
			d = mapT(s, unaryFn[int16](op))
		case []int32:
			d = mapT(s, unaryFn[int32](op))
		case []int64:
			d = mapT(s, unaryFn[int64](op))
		case []uint8:
			d = mapT(s, unaryFn[uint8](op))
		case []uint16:
			d = mapT(s, unaryFn[uint16](op))
		case []uint32:
			d = mapT(s, unaryFn[uint32](op))
		case []uint64:
			d = mapT(s, unaryFn[uint64](op))
		default:
			return nil, notImplf("%s input", typeName(x.dt))
		}
		return []*tensor{withData(x.dt, x.shape, d)}, nil
	}
}

func mapT[T, R any](s []T, f func(T) R) []R {
	out := make([]R, len(s))
	for i, x := range s {
		out[i] = f(x)
	}
	return out
}

// unaryFloat is the kernel of a function of one float, computed in float64
// and rounded once to the input's type.
func unaryFloat(f func(float64) float64) kernel {
	return func(c *ctx, in []*tensor) ([]*tensor, error) {
		out, err := mapFloat(in[0], f)
		return []*tensor{out}, err
	}
}

// Integer inputs are computed in float64 and truncated back.
func mapFloat(x *tensor, f func(float64) float64) (*tensor, error) {
	switch s := x.data.(type) {
	case []float32:
		return withData(x.dt, x.shape, mapT(s, func(v float32) float32 { return float32(f(float64(v))) })), nil
	case []float64:
		return withData(x.dt, x.shape, mapT(s, f)), nil
	}
	if !isInt(x.dt) {
		return nil, notImplf("%s input", typeName(x.dt))
	}
	v, err := toFloat64s(x)
	if err != nil {
		return nil, err
	}
	return fromF64As(x.dt, x.shape, mapT(v, f))
}
