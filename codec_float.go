package onnxgraph

import (
	"math"

	"github.com/onnxgraph/onnxgraph/onnxproto"
)

// The small floating-point formats of ONNX. Every value of these formats is
// exactly a float32, so decoding is exact; encoding rounds a float64 once,
// to nearest with ties to even, so that a float64 source is not rounded
// twice on its way through float32.

// miniFloat describes a binary floating-point format of at most 16 bits.
type miniFloat struct {
	exp, man int  // exponent and mantissa widths in bits
	bias     int  // exponent bias
	ieee     bool // the all-ones exponent holds ±Inf (mantissa 0) and NaN
	fn       bool // no infinities; only the all-ones pattern (either sign) is NaN
	uz       bool // no infinities and no -0: the pattern of -0 is the only NaN
	// A format with none of the three (float4e2m1) has neither Inf nor NaN.
	max     float64 // the largest finite value
	maxBits uint32  // its pattern, without sign
}

var (
	fmtFloat16  = newMiniFloat(5, 10, 15, true, false, false)
	fmtBFloat16 = newMiniFloat(8, 7, 127, true, false, false)
	fmtE4M3FN   = newMiniFloat(4, 3, 7, false, true, false)
	fmtE4M3FNUZ = newMiniFloat(4, 3, 8, false, false, true)
	fmtE5M2     = newMiniFloat(5, 2, 15, true, false, false)
	fmtE5M2FNUZ = newMiniFloat(5, 2, 16, false, false, true)
	fmtE2M1     = newMiniFloat(2, 1, 1, false, false, false)
)

func newMiniFloat(exp, man, bias int, ieee, fn, uz bool) *miniFloat {
	f := &miniFloat{exp: exp, man: man, bias: bias, ieee: ieee, fn: fn, uz: uz}
	topExp := uint32(1)<<exp - 1
	allMan := uint32(1)<<man - 1
	switch {
	case ieee:
		f.maxBits = (topExp-1)<<man | allMan
	case fn:
		f.maxBits = topExp<<man | (allMan - 1)
	default:
		f.maxBits = topExp<<man | allMan
	}
	f.max = f.decode(f.maxBits)
	return f
}

func (f *miniFloat) signBit() uint32 { return 1 << (f.exp + f.man) }

// decode returns the value of pattern b. NaNs come back as a quiet float64
// NaN carrying the pattern's sign.
func (f *miniFloat) decode(b uint32) float64 {
	neg := b&f.signBit() != 0
	e := int(b>>f.man) & (1<<f.exp - 1)
	m := b & (1<<f.man - 1)
	top := 1<<f.exp - 1
	switch {
	case f.uz && b == f.signBit():
		return math.NaN()
	case f.ieee && e == top && m == 0:
		if neg {
			return math.Inf(-1)
		}
		return math.Inf(1)
	case f.ieee && e == top, f.fn && e == top && m == 1<<f.man-1:
		if neg {
			return math.Copysign(math.NaN(), -1)
		}
		return math.NaN()
	}
	var v float64
	if e == 0 {
		v = math.Ldexp(float64(m), 1-f.bias-f.man)
	} else {
		v = math.Ldexp(float64(1<<f.man|m), e-f.bias-f.man)
	}
	if neg {
		v = -v
	}
	return v
}

// encode rounds x to the format, to nearest with ties to even. With
// saturate, values beyond the largest finite one (infinities included)
// become it, as ONNX's Cast does with saturate=1 for float 8; without it
// they become Inf where the format has one and NaN otherwise. The
// exceptions are the spec's: for the FNUZ formats ±Inf becomes NaN either
// way, and float4e2m1, which has neither, always saturates and turns NaN
// into +6. nan gives the pattern of a NaN for x (whose payload it may keep).
func (f *miniFloat) encode(x float64, saturate bool, nan func(x float64) uint32) uint32 {
	noSpecials := !f.ieee && !f.fn && !f.uz
	if noSpecials {
		saturate = true
	}
	if math.IsNaN(x) {
		if noSpecials {
			return f.maxBits
		}
		return nan(x)
	}
	var s uint32
	if math.Signbit(x) {
		s = f.signBit()
	}
	overflow := func() uint32 {
		switch {
		case f.uz && math.IsInf(x, 0):
			return f.signBit() // NaN
		case saturate:
			return s | f.maxBits
		case f.ieee:
			return s | (uint32(1)<<f.exp-1)<<f.man // Inf
		}
		return nan(x)
	}
	a := math.Abs(x)
	if math.IsInf(a, 0) {
		return overflow()
	}
	if a == 0 {
		if f.uz {
			return 0
		}
		return s
	}
	_, e2 := math.Frexp(a) // a = fr * 2^e2 with fr in [0.5, 1)
	emin := 1 - f.bias
	q := e2 - 1 - f.man // the exponent of one unit in the last place
	if e2-1 < emin {
		q = emin - f.man
	}
	r := math.RoundToEven(math.Ldexp(a, -q)) // exact scaling, one rounding
	if r == 0 {
		if f.uz {
			return 0
		}
		return s
	}
	if math.Ldexp(r, q) > f.max {
		return overflow()
	}
	one := float64(uint32(1) << f.man)
	if r < one {
		return s | uint32(r) // subnormal
	}
	if r == 2*one {
		r, q = one, q+1
	}
	e := uint32(q + f.man + f.bias)
	return s | e<<f.man | (uint32(r) - uint32(one))
}

// Float16ToFloat32 returns the value of the IEEE 754 half-precision pattern
// h. It is exact; a NaN keeps its sign and payload, as NumPy does.
func Float16ToFloat32(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	e := uint32(h>>10) & 0x1f
	m := uint32(h & 0x3ff)
	switch {
	case e == 0x1f:
		return math.Float32frombits(sign | 0x7f800000 | m<<13)
	case e == 0:
		if m == 0 {
			return math.Float32frombits(sign)
		}
		// A subnormal: shift the mantissa up to a normal float32.
		e = 127 - 15 + 1
		for m&0x400 == 0 {
			m <<= 1
			e--
		}
		return math.Float32frombits(sign | e<<23 | (m&0x3ff)<<13)
	}
	return math.Float32frombits(sign | (e+127-15)<<23 | m<<13)
}

// Float32ToFloat16 rounds f to IEEE 754 half precision, to nearest with ties
// to even; values beyond ±65504 become ±Inf. A NaN becomes a quiet NaN
// that keeps its sign and the top bits of its payload, as NumPy does.
//
// It works on the bits (weights converted by the million), and gives the
// same result as the general rounding of float64ToFloat16 for every
// float32 (TestFloat32ToFloat16Bits).
func Float32ToFloat16(f float32) uint16 {
	x := math.Float32bits(f)
	sign := uint16(x>>16) & 0x8000
	x &= 0x7fffffff
	switch {
	case x > 0x7f800000: // NaN: quiet, with the payload's top bits
		return sign | 0x7e00 | uint16(x>>13)&0x3ff
	case x >= 0x477ff000: // 65520 and up (Inf too): rounds to Inf
		return sign | 0x7c00
	case x < 0x38800000: // under 2^-14: a subnormal half or zero
		// Adding 0.5 puts the half's subnormal steps on float32's last
		// mantissa bit, so float32 addition rounds to nearest even.
		y := math.Float32bits(math.Float32frombits(x) + 0.5)
		return sign | uint16(y-0x3f000000)
	default: // a normal half: rebias the exponent, round the 13 bits dropped
		odd := (x >> 13) & 1
		x += 0xc8000fff + odd // (15-127)<<23 + half an ulp - 1
		return sign | uint16(x>>13)
	}
}

func float64ToFloat16(x float64) uint16 {
	return uint16(fmtFloat16.encode(x, false, func(x float64) uint32 {
		bits := math.Float64bits(x)
		p := uint32(bits>>42) & 0x3ff
		if p == 0 {
			p = 1
		}
		return uint32(bits>>48)&0x8000 | 0x7c00 | p
	}))
}

// BFloat16ToFloat32 returns the value of the bfloat16 pattern b: the top 16
// bits of a float32. It is exact.
func BFloat16ToFloat32(b uint16) float32 { return math.Float32frombits(uint32(b) << 16) }

// Float32ToBFloat16 rounds f to bfloat16, to nearest with ties to even (as
// ONNX's helper does by default, not by truncation); values beyond the
// largest bfloat16 become ±Inf. A NaN becomes a quiet NaN with f's sign.
func Float32ToBFloat16(f float32) uint16 { return float64ToBFloat16(float64(f)) }

func float64ToBFloat16(x float64) uint16 {
	return uint16(fmtBFloat16.encode(x, false, func(x float64) uint32 {
		bits := math.Float64bits(x)
		return uint32(bits>>48)&0x8000 | 0x7fc0 | uint32(bits>>45)&0x3f
	}))
}

// float8Format returns the format of a float 8 type other than float8e8m0.
func float8Format(dt DataType) *miniFloat {
	switch dt {
	case onnxproto.TensorProto_FLOAT8E4M3FN:
		return fmtE4M3FN
	case onnxproto.TensorProto_FLOAT8E4M3FNUZ:
		return fmtE4M3FNUZ
	case onnxproto.TensorProto_FLOAT8E5M2:
		return fmtE5M2
	case onnxproto.TensorProto_FLOAT8E5M2FNUZ:
		return fmtE5M2FNUZ
	}
	return nil
}

// Decoding tables of the 8-bit and 4-bit formats.
var (
	f8Tables = func() map[DataType]*[256]float32 {
		out := map[DataType]*[256]float32{}
		for _, dt := range []DataType{onnxproto.TensorProto_FLOAT8E4M3FN, onnxproto.TensorProto_FLOAT8E4M3FNUZ,
			onnxproto.TensorProto_FLOAT8E5M2, onnxproto.TensorProto_FLOAT8E5M2FNUZ} {
			var tab [256]float32
			f := float8Format(dt)
			for b := range 256 {
				tab[b] = toFloat32(f.decode(uint32(b)))
			}
			out[dt] = &tab
		}
		var e8 [256]float32
		for b := range 255 {
			e8[b] = float32(math.Ldexp(1, b-127))
		}
		e8[255] = float32(math.NaN())
		out[onnxproto.TensorProto_FLOAT8E8M0] = &e8
		return out
	}()
	f4Table = func() (tab [16]float32) {
		for b := range 16 {
			tab[b] = float32(fmtE2M1.decode(uint32(b)))
		}
		return tab
	}()
)

// toFloat32 converts an exactly representable value, keeping a NaN's sign.
func toFloat32(v float64) float32 {
	if math.IsNaN(v) {
		bits := uint32(0x7fc00000)
		if math.Signbit(v) {
			bits |= 0x80000000
		}
		return math.Float32frombits(bits)
	}
	return float32(v)
}

// Float8ToFloat32 returns the value of pattern b of the float 8 type dt
// (FLOAT8E4M3FN, FLOAT8E4M3FNUZ, FLOAT8E5M2, FLOAT8E5M2FNUZ or FLOAT8E8M0).
// It is exact; NaN patterns give a NaN with the pattern's sign. It panics
// for other types.
func Float8ToFloat32(dt DataType, b uint8) float32 {
	tab, ok := f8Tables[dt]
	if !ok {
		panic("onnxgraph: Float8ToFloat32 of non-float8 type " + dt.String())
	}
	return tab[b]
}

// Float32ToFloat8 rounds f to the float 8 type dt as ONNX's Cast does.
//
// For FLOAT8E4M3FN, FLOAT8E4M3FNUZ, FLOAT8E5M2 and FLOAT8E5M2FNUZ it rounds
// to nearest with ties to even. With saturate (Cast's default), a value
// beyond the largest finite one becomes it, and so does ±Inf, except for
// the FNUZ types where ±Inf becomes NaN; without saturate, such values
// become Inf for E5M2 and NaN otherwise. NaN stays NaN; -0 becomes +0 for
// the FNUZ types, which have no -0.
//
// For FLOAT8E8M0, a power of two 2^-127..2^127 with no sign, it rounds up
// (Cast's default round_mode "up") the magnitude of f (the sign of a
// negative value, which the spec leaves undefined, is dropped, as ONNX's
// reference implementation does): values below 2^-127 become 2^-127. With
// saturate, values above 2^127, ±Inf and zero become 2^127 or 2^-127;
// without it they become NaN. NaN stays NaN.
//
// It panics for other types.
func Float32ToFloat8(dt DataType, f float32, saturate bool) uint8 {
	return float64ToFloat8(dt, float64(f), saturate)
}

func float64ToFloat8(dt DataType, x float64, saturate bool) uint8 {
	if dt == onnxproto.TensorProto_FLOAT8E8M0 {
		return float64ToE8M0(x, saturate)
	}
	f := float8Format(dt)
	if f == nil {
		panic("onnxgraph: Float32ToFloat8 to non-float8 type " + dt.String())
	}
	return uint8(f.encode(x, saturate, func(x float64) uint32 {
		if f.uz {
			return 0x80
		}
		if math.Signbit(x) {
			return 0xff
		}
		return 0x7f
	}))
}

func float64ToE8M0(x float64, saturate bool) uint8 {
	if math.IsNaN(x) {
		return 0xff
	}
	a := math.Abs(x)
	if math.IsInf(a, 0) {
		if saturate {
			return 0xfe
		}
		return 0xff
	}
	if a == 0 {
		if saturate {
			return 0
		}
		return 0xff
	}
	fr, e2 := math.Frexp(a)
	e := e2 - 1
	if fr != 0.5 {
		e++ // not a power of two: round up
	}
	switch {
	case e < -127:
		return 0 // rounding up reaches the smallest value
	case e > 127:
		if saturate {
			return 0xfe
		}
		return 0xff
	}
	return uint8(e + 127)
}

// Float4E2M1ToFloat32 returns the value of the float4e2m1 pattern in the low
// four bits of b: ±0, ±0.5, ±1, ±1.5, ±2, ±3, ±4 or ±6. It is exact.
func Float4E2M1ToFloat32(b uint8) float32 { return f4Table[b&0xf] }

// Float32ToFloat4E2M1 rounds f to float4e2m1 as ONNX's Cast does: to nearest
// with ties to even, values beyond ±6 (±Inf included) to ±6, NaN to +6. The
// pattern is in the low four bits of the result.
func Float32ToFloat4E2M1(f float32) uint8 { return float64ToFloat4(float64(f)) }

func float64ToFloat4(x float64) uint8 {
	return uint8(fmtE2M1.encode(x, true, nil))
}
