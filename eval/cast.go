package eval

import (
	"math"
	"strconv"
	"strings"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
)

// Cast and CastLike.
//
// Floats convert with one rounding to nearest, ties to even (a double
// narrowed to float16, bfloat16 or a float 8 type is rounded to odd in
// float32 first, which makes the second rounding exact); the float 8 types
// saturate as the saturate attribute says (see onnxgraph.Float32ToFloat8).
// Floats convert to integers by truncation toward zero, NaN to 0; values
// out of the target's range, which ONNX leaves undefined, wrap from the
// truncated int64 as integer narrowing does. Floats convert to the 4-bit
// and 2-bit integers rounding half away from zero, and every value wraps
// into them (as ONNX Runtime does, and ONNX's tests of these types for
// integral values). Saturation takes ±Inf to ±FLT_MAX for every float 8
// type, as ONNX's table says (onnxgraph.Float32ToFloat8 gives NaN for the
// FNUZ ones). ONNX Runtime casts magnitudes in [480, 512) to
// float8e4m3fn as 448 even without saturation, where ONNX's reference
// and this package give NaN.
// Numbers convert to strings as numpy prints them (shortest round-trip
// digits, positional between 1e-4 and 1e16); strings parse as numbers,
// "INF", "+INF", "-INF" and "NaN" in any case included.

var castTable = map[key]entry{
	{onnx, "Cast", 1}:      k(cast1, tCastSrc6, "to"),
	{onnx, "Cast", 6}:      k(cast, tCastSrc6, "to"),
	{onnx, "Cast", 9}:      k(cast, tCastSrc, "to"),
	{onnx, "Cast", 13}:     k(cast, tCastSrc, "to"),
	{onnx, "Cast", 19}:     k(cast, tCastSrc, "saturate", "to"),
	{onnx, "Cast", 21}:     k(cast, tCastSrc, "saturate", "to"),
	{onnx, "Cast", 23}:     k(cast, tCastSrc, "saturate", "to"),
	{onnx, "Cast", 24}:     k(cast, tCastSrc, "round_mode", "saturate", "to"),
	{onnx, "Cast", 25}:     k(cast, tCastSrc, "round_mode", "saturate", "to"),
	{onnx, "BitCast", 26}:  k(bitCast, tBitCast, "to"),
	{onnx, "CastLike", 15}: k(castLike, tCastSrc),
	{onnx, "CastLike", 19}: k(castLike, tCastSrc, "saturate"),
	{onnx, "CastLike", 21}: k(castLike, tCastSrc, "saturate"),
	{onnx, "CastLike", 23}: k(castLike, tCastSrc, "saturate"),
	{onnx, "CastLike", 24}: k(castLike, tCastSrc, "round_mode", "saturate"),
	{onnx, "CastLike", 25}: k(castLike, tCastSrc, "round_mode", "saturate"),
}

var (
	tCastSrc6 = cat(tNumeric, tBool)
	tBitCast  = cat(tNumeric, tBool, []DataType{dtComplex64, dtComplex128, dtE8M0, dtFloat4, dtInt2, dtUint2}, tFloat8, tInt4s)
	tCastSrc  = cat(tNumeric, tBool, []DataType{dtString, dtE8M0, dtFloat4, dtInt2, dtUint2}, tFloat8, tInt4s)
)

func cast(c *ctx, in []*tensor) ([]*tensor, error) {
	to := DataType(c.int("to"))
	out, err := castWith(c, in[0], to)
	return []*tensor{out}, err
}

// bitCast reinterprets the bits of each element as type to, of the same
// width, through the raw form of the root package's codecs.
func bitCast(c *ctx, in []*tensor) ([]*tensor, error) {
	x := in[0]
	to := DataType(c.int("to"))
	if c.err != nil {
		return nil, c.err
	}
	if makeData(to, 0) == nil || to == dtString || x.dt == dtString {
		return nil, invalidf("bitcast from %s to %s", typeName(x.dt), typeName(to))
	}
	if onnxgraph.ElemBits(to) != onnxgraph.ElemBits(x.dt) {
		return nil, invalidf("%s and %s differ in width", typeName(x.dt), typeName(to))
	}
	t, err := toTensor("", x)
	if err != nil {
		return nil, err
	}
	raw, err := t.Bytes()
	if err != nil {
		return nil, errorf(ErrInvalid, "%s", trimRoot(err))
	}
	if x.dt == dtBool || to == dtBool {
		// A bool is one byte holding 0 or 1 (any non-zero byte reads true).
		raw = append([]byte(nil), raw...)
		if to == dtBool {
			for i, b := range raw {
				if b != 0 {
					raw[i] = 1
				}
			}
		}
	}
	r, err := onnxgraph.NewTensor("", to, t.Dims(), raw)
	if err != nil {
		return nil, errorf(ErrInvalid, "%s", trimRoot(err))
	}
	out, err := fromTensor(r, c.opts.MaxElements)
	return []*tensor{out}, err
}

// cast1 is Cast-1, whose "to" names the type ("FLOAT", "INT64", ...).
func cast1(c *ctx, in []*tensor) ([]*tensor, error) {
	name := c.str("to")
	if c.err != nil {
		return nil, c.err
	}
	to, ok := onnxproto.TensorProto_DataType_value[strings.ToUpper(name)]
	if !ok {
		return nil, invalidf("to %q is no type", name)
	}
	out, err := castTo(c, in[0], DataType(to), true)
	return []*tensor{out}, err
}

func castLike(c *ctx, in []*tensor) ([]*tensor, error) {
	out, err := castWith(c, in[0], in[1].dt)
	return []*tensor{out}, err
}

// castWith reads the saturate and round_mode attributes the node's
// version has and casts x to type to.
func castWith(c *ctx, x *tensor, to DataType) (*tensor, error) {
	saturate := true
	if _, ok := c.schema.Attribute("saturate"); ok {
		saturate = c.int("saturate") != 0
	}
	if _, ok := c.schema.Attribute("round_mode"); ok {
		if m := c.str("round_mode"); m != "up" && to == dtE8M0 {
			return nil, notImplf("round_mode %q", m)
		}
	}
	if c.err != nil {
		return nil, c.err
	}
	return castTo(c, x, to, saturate)
}

// castTo converts x to element type to.
func castTo(c *ctx, x *tensor, to DataType, saturate bool) (*tensor, error) {
	if _, err := c.check(x.shape); err != nil {
		return nil, err
	}
	if makeData(to, 0) == nil || to == dtComplex64 || to == dtComplex128 {
		return nil, notImplf("cast to %s", typeName(to))
	}
	if x.dt == dtComplex64 || x.dt == dtComplex128 {
		return nil, notImplf("cast from %s", typeName(x.dt))
	}
	if x.dt == to {
		return withData(to, x.shape, x.data), nil
	}
	var d any
	var err error
	switch {
	case to == dtString:
		d = formatAll(x)
	case x.dt == dtString:
		d, err = parseAll(x.data.([]string), to)
	case to == dtBool:
		f, err := toFloat64s(x)
		if err != nil {
			return nil, err
		}
		d = mapT(f, func(v float64) bool { return v != 0 })
	case isFloat(to):
		d, err = castToFloat(x, to, saturate)
	default:
		d, err = castToInt(x, to)
	}
	if err != nil {
		return nil, err
	}
	return withData(to, x.shape, d), nil
}

// castToFloat converts numbers to a float type.
func castToFloat(x *tensor, to DataType, saturate bool) (any, error) {
	if s, ok := x.data.([]float32); ok && isFloat(x.dt) && to == dtDouble {
		return convert[float32, float64](s), nil
	}
	var f []float64
	switch s := x.data.(type) {
	case []int64:
		if to == dtFloat {
			return mapT(s, func(v int64) float32 { return float32(v) }), nil
		}
	case []uint64:
		if to == dtFloat {
			return mapT(s, func(v uint64) float32 { return float32(v) }), nil
		}
	}
	f, err := toFloat64s(x)
	if err != nil {
		return nil, err
	}
	if to == dtDouble {
		if _, same := x.data.([]float64); same {
			return cloneData(f), nil
		}
		return f, nil
	}
	out := make([]float32, len(f))
	switch to {
	case dtFloat:
		for i, v := range f {
			out[i] = float32(v)
		}
	case dtFloat16:
		for i, v := range f {
			out[i] = onnxgraph.Float16ToFloat32(onnxgraph.Float32ToFloat16(roundOdd32(v)))
		}
	case dtBFloat16:
		for i, v := range f {
			out[i] = onnxgraph.BFloat16ToFloat32(onnxgraph.Float32ToBFloat16(roundOdd32(v)))
		}
	case dtFloat4:
		for i, v := range f {
			out[i] = onnxgraph.Float4E2M1ToFloat32(onnxgraph.Float32ToFloat4E2M1(roundOdd32(v)))
		}
	case dtE4M3FN, dtE4M3FNUZ, dtE5M2, dtE5M2FNUZ, dtE8M0:
		for i, v := range f {
			if saturate && math.IsInf(v, 0) && to != dtE8M0 {
				// Saturation takes ±Inf to ±FLT_MAX for every float 8 type
				// (ONNX's table, ONNX Runtime), the FNUZ ones included,
				// which onnxgraph.Float32ToFloat8 turns into NaN.
				v = math.Copysign(math.MaxFloat32, v)
			}
			r := roundOdd32(v)
			if to == dtE8M0 && !math.IsInf(v, 0) && math.Abs(v) > math.MaxFloat32 {
				r = float32(math.Copysign(math.Inf(1), v)) // beyond float32: above 2^127 too
			}
			out[i] = onnxgraph.Float8ToFloat32(to, onnxgraph.Float32ToFloat8(to, r, saturate))
		}
	default:
		return nil, notImplf("cast to %s", typeName(to))
	}
	return out, nil
}

// roundOdd32 rounds x to float32 toward zero and, when that is inexact,
// sets the last mantissa bit: rounding the result again to a format of at
// most 22 significant bits then gives x correctly rounded.
func roundOdd32(x float64) float32 {
	f := float32(x)
	if float64(f) == x || math.IsNaN(x) || math.IsInf(float64(f), 0) {
		return f
	}
	if math.Abs(float64(f)) > math.Abs(x) {
		f = math.Nextafter32(f, 0)
	}
	return math.Float32frombits(math.Float32bits(f) | 1)
}

// castToInt converts numbers to an integer type.
func castToInt(x *tensor, to DataType) (any, error) {
	if to == dtInt4 || to == dtUint4 || to == dtInt2 || to == dtUint2 {
		// Floats round half away from zero (as ONNX Runtime does); values
		// out of range wrap, keeping the low bits, as ONNX's tests of the
		// 4-bit types and ONNX Runtime do.
		f, err := toFloat64s(x)
		if err != nil {
			return nil, err
		}
		if isFloat(x.dt) {
			f = mapT(f, math.Round)
		}
		bits := uint(4)
		if to == dtInt2 || to == dtUint2 {
			bits = 2
		}
		v := make([]int64, len(f))
		for i, e := range f {
			w := truncInt(e) & (1<<bits - 1)
			if (to == dtInt4 || to == dtInt2) && w >= 1<<(bits-1) {
				w -= 1 << bits
			}
			v[i] = w
		}
		return intsAs(v, to), nil
	}
	if u, ok := x.data.([]uint64); ok {
		return uintsAs(u, to), nil
	}
	if isFloat(x.dt) {
		f, err := toFloat64s(x)
		if err != nil {
			return nil, err
		}
		if to == dtUint64 {
			return mapT(f, truncUint), nil
		}
		return intsAs(mapT(f, truncInt), to), nil
	}
	v, err := toInt64s(x)
	if err != nil {
		return nil, err
	}
	return intsAs(v, to), nil
}

// truncUint truncates a float toward zero into a uint64, wrapping negative
// values as a conversion through int64 does.
func truncUint(x float64) uint64 {
	if x >= 1<<63 {
		if x >= 1<<64 {
			return math.MaxUint64
		}
		return uint64(x)
	}
	return uint64(truncInt(x))
}

// intsAs narrows int64 values to the data slice of integer type dt,
// wrapping.
func intsAs(v []int64, dt DataType) any {
	switch dt {
	case dtInt8, dtInt4, dtInt2:
		return convert[int64, int8](v)
	case dtUint8, dtUint4, dtUint2:
		return convert[int64, uint8](v)
	case dtInt16:
		return convert[int64, int16](v)
	case dtUint16:
		return convert[int64, uint16](v)
	case dtInt32:
		return convert[int64, int32](v)
	case dtUint32:
		return convert[int64, uint32](v)
	case dtUint64:
		return convert[int64, uint64](v)
	}
	return v
}

func uintsAs(v []uint64, dt DataType) any {
	switch dt {
	case dtInt8:
		return convert[uint64, int8](v)
	case dtUint8:
		return convert[uint64, uint8](v)
	case dtInt16:
		return convert[uint64, int16](v)
	case dtUint16:
		return convert[uint64, uint16](v)
	case dtInt32:
		return convert[uint64, int32](v)
	case dtUint32:
		return convert[uint64, uint32](v)
	case dtInt64:
		return convert[uint64, int64](v)
	}
	return v
}

// formatAll prints every element as numpy's str does.
func formatAll(x *tensor) []string {
	switch s := x.data.(type) {
	case []bool:
		return mapT(s, func(v bool) string {
			if v {
				return "True"
			}
			return "False"
		})
	case []float32:
		return mapT(s, func(v float32) string { return formatFloat(float64(v), x.dt) })
	case []float64:
		return mapT(s, func(v float64) string { return formatFloat(v, dtDouble) })
	case []uint64:
		return mapT(s, func(v uint64) string { return strconv.FormatUint(v, 10) })
	}
	v, _ := toInt64s(x)
	return mapT(v, func(v int64) string { return strconv.FormatInt(v, 10) })
}

// formatFloat prints v, a value of float type dt, with the fewest digits
// that read back as the same value of dt: positionally (with ".0" for
// integral values) when 1e-4 <= |v| < 1e16, in scientific notation
// otherwise, as numpy does.
func formatFloat(v float64, dt DataType) string {
	switch {
	case math.IsNaN(v):
		return "nan"
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	}
	bits := 64
	if dt != dtDouble {
		bits = 32
	}
	digits := -1 // shortest for float32 or float64
	if dt != dtDouble && dt != dtFloat {
		// Fewer digits may identify a value of a narrower type.
		for p := 1; p < 17; p++ {
			s := strconv.FormatFloat(v, 'e', p-1, 64)
			back, _ := strconv.ParseFloat(s, 64)
			if roundTo(back, dt) == v {
				digits = p
				break
			}
		}
	}
	a := math.Abs(v)
	if a != 0 && (a < 1e-4 || a >= 1e16) {
		s := strconv.FormatFloat(v, 'e', max(digits-1, -1), bits)
		return s
	}
	var s string
	if digits < 0 {
		s = strconv.FormatFloat(v, 'f', -1, bits)
	} else {
		e := strconv.FormatFloat(v, 'e', digits-1, 64)
		back, _ := strconv.ParseFloat(e, 64)
		s = strconv.FormatFloat(back, 'f', -1, 64)
	}
	if !strings.ContainsAny(s, ".") {
		s += ".0"
	}
	return s
}

// roundTo rounds v to float type dt.
func roundTo(v float64, dt DataType) float64 {
	t := &tensor{dt: dt, data: []float32{roundOdd32(v)}}
	roundToType(t)
	return float64(t.data.([]float32)[0])
}

// parseAll parses strings as numbers of type to.
func parseAll(s []string, to DataType) (any, error) {
	f := make([]float64, len(s))
	ints := make([]int64, len(s))
	for i, str := range s {
		t := strings.TrimSpace(str)
		if isInt(to) {
			if v, err := strconv.ParseInt(t, 10, 64); err == nil {
				ints[i] = v
				f[i] = float64(v)
				continue
			}
		}
		if to == dtBool {
			switch strings.ToLower(t) {
			case "true":
				f[i] = 1
				continue
			case "false":
				f[i] = 0
				continue
			}
		}
		bits := 64
		if to == dtFloat {
			bits = 32
		}
		v, err := strconv.ParseFloat(t, bits)
		if err != nil && !isRangeErr(err) {
			return nil, invalidf("string %q is not a number", str)
		}
		f[i] = v
		ints[i] = truncInt(v)
	}
	switch {
	case to == dtBool:
		return mapT(f, func(v float64) bool { return v != 0 }), nil
	case isFloat(to):
		return castToFloat(withData(dtDouble, nil, f), to, true)
	}
	return castToInt(withData(dtInt64, nil, ints), to)
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}
