package onnxgraph_test

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/onnxgraph/onnxgraph/internal/suitetest"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
)

const (
	e4m3fn   = onnxproto.TensorProto_FLOAT8E4M3FN
	e4m3fnuz = onnxproto.TensorProto_FLOAT8E4M3FNUZ
	e5m2     = onnxproto.TensorProto_FLOAT8E5M2
	e5m2fnuz = onnxproto.TensorProto_FLOAT8E5M2FNUZ
	e8m0     = onnxproto.TensorProto_FLOAT8E8M0
	f4e2m1   = onnxproto.TensorProto_FLOAT4E2M1
)

var nan = math.NaN()

// miniFormat is one small float format under test, through the exported
// helpers.
type miniFormat struct {
	name   string
	bits   int // pattern width
	dec    func(uint32) float32
	enc    func(float32) uint32
	finite func(uint32) bool // the pattern is a finite number
}

func miniFormats() []miniFormat {
	f8 := func(dt onnxgraph.DataType) miniFormat {
		return miniFormat{
			name: onnxgraph.DataTypeName(dt),
			bits: 8,
			dec:  func(b uint32) float32 { return onnxgraph.Float8ToFloat32(dt, uint8(b)) },
			enc:  func(f float32) uint32 { return uint32(onnxgraph.Float32ToFloat8(dt, f, true)) },
			finite: func(b uint32) bool {
				x := onnxgraph.Float8ToFloat32(dt, uint8(b))
				return !isNaN32(x) && !math.IsInf(float64(x), 0)
			},
		}
	}
	return []miniFormat{
		{"float16", 16, func(b uint32) float32 { return onnxgraph.Float16ToFloat32(uint16(b)) },
			func(f float32) uint32 { return uint32(onnxgraph.Float32ToFloat16(f)) },
			func(b uint32) bool { return b&0x7c00 != 0x7c00 }},
		{"bfloat16", 16, func(b uint32) float32 { return onnxgraph.BFloat16ToFloat32(uint16(b)) },
			func(f float32) uint32 { return uint32(onnxgraph.Float32ToBFloat16(f)) },
			func(b uint32) bool { return b&0x7f80 != 0x7f80 }},
		f8(e4m3fn), f8(e4m3fnuz), f8(e5m2), f8(e5m2fnuz),
		{"float4e2m1", 4, func(b uint32) float32 { return onnxgraph.Float4E2M1ToFloat32(uint8(b)) },
			func(f float32) uint32 { return uint32(onnxgraph.Float32ToFloat4E2M1(f)) },
			func(uint32) bool { return true }},
	}
}

func isNaN32(f float32) bool { return f != f }

// TestMiniFloatSpecialValues checks bit patterns against the values the
// ONNX spec gives (docs/docsgen/source/technical/float8.md, float4.md, and
// IEEE 754 for float16 and bfloat16).
func TestMiniFloatSpecialValues(t *testing.T) {
	f8 := func(dt onnxgraph.DataType) func(uint32) float32 {
		return func(b uint32) float32 { return onnxgraph.Float8ToFloat32(dt, uint8(b)) }
	}
	f16 := func(b uint32) float32 { return onnxgraph.Float16ToFloat32(uint16(b)) }
	bf16 := func(b uint32) float32 { return onnxgraph.BFloat16ToFloat32(uint16(b)) }
	f4 := func(b uint32) float32 { return onnxgraph.Float4E2M1ToFloat32(uint8(b)) }
	negZero := math.Copysign(0, -1)
	cases := []struct {
		name string
		dec  func(uint32) float32
		bits uint32
		want float64
	}{
		{"f16 one", f16, 0x3c00, 1},
		{"f16 max", f16, 0x7bff, 65504},
		{"f16 min normal", f16, 0x0400, math.Ldexp(1, -14)},
		{"f16 min subnormal", f16, 0x0001, math.Ldexp(1, -24)},
		{"f16 max subnormal", f16, 0x03ff, math.Ldexp(1023, -24)},
		{"f16 -0", f16, 0x8000, negZero},
		{"f16 +inf", f16, 0x7c00, math.Inf(1)},
		{"f16 -inf", f16, 0xfc00, math.Inf(-1)},
		{"f16 nan", f16, 0x7e00, nan},
		{"f16 lowest", f16, 0xfbff, -65504},
		{"bf16 one", bf16, 0x3f80, 1},
		{"bf16 max", bf16, 0x7f7f, float64(math.Float32frombits(0x7f7f0000))},
		{"bf16 min subnormal", bf16, 0x0001, math.Ldexp(1, -133)},
		{"bf16 -inf", bf16, 0xff80, math.Inf(-1)},
		{"bf16 nan", bf16, 0x7fc0, nan},
		{"e4m3fn one", f8(e4m3fn), 0x38, 1},
		{"e4m3fn max", f8(e4m3fn), 0x7e, 448},
		{"e4m3fn lowest", f8(e4m3fn), 0xfe, -448},
		{"e4m3fn nan", f8(e4m3fn), 0x7f, nan},
		{"e4m3fn -nan", f8(e4m3fn), 0xff, nan},
		{"e4m3fn min subnormal", f8(e4m3fn), 0x01, math.Ldexp(1, -9)},
		{"e4m3fn min normal", f8(e4m3fn), 0x08, math.Ldexp(1, -6)},
		{"e4m3fn -0", f8(e4m3fn), 0x80, negZero},
		{"e4m3fn 0x78 is finite", f8(e4m3fn), 0x78, 256},
		{"e4m3fnuz one", f8(e4m3fnuz), 0x40, 1},
		{"e4m3fnuz max", f8(e4m3fnuz), 0x7f, 240},
		{"e4m3fnuz lowest", f8(e4m3fnuz), 0xff, -240},
		{"e4m3fnuz nan", f8(e4m3fnuz), 0x80, nan},
		{"e4m3fnuz min subnormal", f8(e4m3fnuz), 0x01, math.Ldexp(1, -10)},
		{"e5m2 one", f8(e5m2), 0x3c, 1},
		{"e5m2 max", f8(e5m2), 0x7b, 57344},
		{"e5m2 inf", f8(e5m2), 0x7c, math.Inf(1)},
		{"e5m2 -inf", f8(e5m2), 0xfc, math.Inf(-1)},
		{"e5m2 nan 7d", f8(e5m2), 0x7d, nan},
		{"e5m2 nan 7e", f8(e5m2), 0x7e, nan},
		{"e5m2 nan ff", f8(e5m2), 0xff, nan},
		{"e5m2 min subnormal", f8(e5m2), 0x01, math.Ldexp(1, -16)},
		{"e5m2 -0", f8(e5m2), 0x80, negZero},
		{"e5m2fnuz one", f8(e5m2fnuz), 0x40, 1},
		{"e5m2fnuz max", f8(e5m2fnuz), 0x7f, 57344},
		{"e5m2fnuz nan", f8(e5m2fnuz), 0x80, nan},
		{"e5m2fnuz min subnormal", f8(e5m2fnuz), 0x01, math.Ldexp(1, -17)},
		{"e8m0 one", f8(e8m0), 0x7f, 1},
		{"e8m0 min", f8(e8m0), 0x00, math.Ldexp(1, -127)},
		{"e8m0 max", f8(e8m0), 0xfe, math.Ldexp(1, 127)},
		{"e8m0 nan", f8(e8m0), 0xff, nan},
		{"e8m0 two", f8(e8m0), 0x80, 2},
		{"f4 0.5", f4, 0x1, 0.5},
		{"f4 1.5", f4, 0x3, 1.5},
		{"f4 3", f4, 0x5, 3},
		{"f4 max", f4, 0x7, 6},
		{"f4 -0", f4, 0x8, negZero},
		{"f4 -6", f4, 0xf, -6},
		{"f4 high bits ignored", f4, 0xf2, 1},
	}
	for _, c := range cases {
		got := c.dec(c.bits)
		if !sameFloat(float64(got), c.want) {
			t.Errorf("%s: %#x decodes to %v (%#x), want %v", c.name, c.bits, got, math.Float32bits(got), c.want)
		}
	}
}

// TestMiniFloatRoundToNearestEven checks, for every pair of neighbouring
// finite values of every format, that their midpoint goes to the one with
// an even pattern and that the values just beside it go to the nearer one;
// and that every finite pattern encodes back to itself.
func TestMiniFloatRoundToNearestEven(t *testing.T) {
	for _, f := range miniFormats() {
		limit := uint32(1)<<(f.bits-1) - 1 // positive patterns
		for b := uint32(0); b <= limit; b++ {
			if !f.finite(b) {
				continue
			}
			v := f.dec(b)
			if got := f.enc(v); got != b && !(v == 0 && got == 0) {
				t.Errorf("%s: %v (%#x) encodes to %#x", f.name, v, b, got)
			}
			if got := f.enc(-v); v != 0 && got != b|1<<(f.bits-1) {
				t.Errorf("%s: %v encodes to %#x, want %#x", f.name, -v, got, b|1<<(f.bits-1))
			}
			if b == limit || !f.finite(b+1) {
				continue
			}
			w := f.dec(b + 1)
			if !(w > v) {
				continue // e8m0 and uz boundaries are not neighbours
			}
			mid := float32((float64(v) + float64(w)) / 2)
			if float64(mid) != (float64(v)+float64(w))/2 {
				t.Fatalf("%s: midpoint of %v and %v not exact in float32", f.name, v, w)
			}
			even := b
			if b&1 == 1 {
				even = b + 1
			}
			if got := f.enc(mid); got != even {
				t.Errorf("%s: midpoint %v of %#x and %#x encodes to %#x, want %#x", f.name, mid, b, b+1, got, even)
			}
			if got := f.enc(math.Nextafter32(mid, float32(math.Inf(-1)))); got != b {
				t.Errorf("%s: just below %v encodes to %#x, want %#x", f.name, mid, got, b)
			}
			if got := f.enc(math.Nextafter32(mid, float32(math.Inf(1)))); got != b+1 {
				t.Errorf("%s: just above %v encodes to %#x, want %#x", f.name, mid, got, b+1)
			}
		}
	}
}

// TestFloat8Saturation checks the conversion tables of float8.md and
// float4.md, with and without saturation.
func TestFloat8Saturation(t *testing.T) {
	inf := float32(math.Inf(1))
	type row struct {
		x         float32
		sat, nsat [4]uint8 // E4M3FN, E4M3FNUZ, E5M2, E5M2FNUZ
	}
	negZero := float32(math.Copysign(0, -1))
	rows := []row{
		{0, [4]uint8{0, 0, 0, 0}, [4]uint8{0, 0, 0, 0}},
		{negZero, [4]uint8{0x80, 0, 0x80, 0}, [4]uint8{0x80, 0, 0x80, 0}},
		{inf, [4]uint8{0x7e, 0x80, 0x7b, 0x80}, [4]uint8{0x7f, 0x80, 0x7c, 0x80}},
		{-inf, [4]uint8{0xfe, 0x80, 0xfb, 0x80}, [4]uint8{0xff, 0x80, 0xfc, 0x80}},
		{1e6, [4]uint8{0x7e, 0x7f, 0x7b, 0x7f}, [4]uint8{0x7f, 0x80, 0x7c, 0x80}},
		{-1e6, [4]uint8{0xfe, 0xff, 0xfb, 0xff}, [4]uint8{0xff, 0x80, 0xfc, 0x80}},
		// 464 is the midpoint of 448 and the first value past it: ties to even, 448.
		{464, [4]uint8{0x7e, 0x7f, 0x5f, 0x63}, [4]uint8{0x7e, 0x80, 0x5f, 0x63}},
		{465, [4]uint8{0x7e, 0x7f, 0x5f, 0x63}, [4]uint8{0x7f, 0x80, 0x5f, 0x63}},
		// Below half the smallest subnormal: zero, keeping the sign where there is -0.
		{-1e-9, [4]uint8{0x80, 0, 0x80, 0}, [4]uint8{0x80, 0, 0x80, 0}},
	}
	dts := [4]onnxgraph.DataType{e4m3fn, e4m3fnuz, e5m2, e5m2fnuz}
	for _, r := range rows {
		for i, dt := range dts {
			if got := onnxgraph.Float32ToFloat8(dt, r.x, true); got != r.sat[i] {
				t.Errorf("%s(%v, saturate) = %#x, want %#x", onnxgraph.DataTypeName(dt), r.x, got, r.sat[i])
			}
			if got := onnxgraph.Float32ToFloat8(dt, r.x, false); got != r.nsat[i] {
				t.Errorf("%s(%v) = %#x, want %#x", onnxgraph.DataTypeName(dt), r.x, got, r.nsat[i])
			}
		}
	}
	for _, dt := range dts {
		for _, sat := range []bool{true, false} {
			if got := onnxgraph.Float8ToFloat32(dt, onnxgraph.Float32ToFloat8(dt, float32(nan), sat)); !isNaN32(got) {
				t.Errorf("%s: NaN encodes to a non-NaN", onnxgraph.DataTypeName(dt))
			}
		}
	}
	// float8e8m0: round up, saturate.
	e8 := []struct {
		x         float32
		sat, nsat uint8
	}{
		{1, 0x7f, 0x7f}, {1.5, 0x80, 0x80}, {1.0000001, 0x80, 0x80}, {0.75, 0x7f, 0x7f}, {-4, 0x81, 0x81},
		{0, 0x00, 0xff}, {inf, 0xfe, 0xff}, {float32(nan), 0xff, 0xff}, {math.MaxFloat32, 0xfe, 0xff},
		{float32(math.Ldexp(1, -127)), 0x00, 0x00}, {float32(math.Ldexp(1, -140)), 0x00, 0x00},
		{float32(math.Ldexp(1.5, -127)), 0x01, 0x01},
	}
	for _, c := range e8 {
		if got := onnxgraph.Float32ToFloat8(e8m0, c.x, true); got != c.sat {
			t.Errorf("e8m0(%v, saturate) = %#x, want %#x", c.x, got, c.sat)
		}
		if got := onnxgraph.Float32ToFloat8(e8m0, c.x, false); got != c.nsat {
			t.Errorf("e8m0(%v) = %#x, want %#x", c.x, got, c.nsat)
		}
	}
	// float4e2m1 always saturates; NaN becomes +6.
	f4 := []struct {
		x    float32
		want uint8
	}{
		{5, 0x6}, {2.5, 0x4}, {0.25, 0x0}, {-0.25, 0x8}, {0.75, 0x2}, {7, 0x7}, {-100, 0xf},
		{inf, 0x7}, {-inf, 0xf}, {float32(nan), 0x7}, {1.25, 0x2}, {1.75, 0x4},
	}
	for _, c := range f4 {
		if got := onnxgraph.Float32ToFloat4E2M1(c.x); got != c.want {
			t.Errorf("float4e2m1(%v) = %#x, want %#x", c.x, got, c.want)
		}
	}
	// float16 and bfloat16 overflow to infinity.
	for _, c := range []struct {
		x    float32
		want uint16
	}{{65504, 0x7bff}, {65519, 0x7bff}, {65520, 0x7c00}, {-1e10, 0xfc00}, {inf, 0x7c00}, {float32(math.Ldexp(1, -25)), 0}, {float32(math.Ldexp(3, -25)), 2}} {
		if got := onnxgraph.Float32ToFloat16(c.x); got != c.want {
			t.Errorf("float16(%v) = %#x, want %#x", c.x, got, c.want)
		}
	}
	if got := onnxgraph.Float32ToBFloat16(math.MaxFloat32); got != 0x7f80 {
		t.Errorf("bfloat16(MaxFloat32) = %#x, want +Inf", got)
	}
	if got := onnxgraph.Float32ToBFloat16(float32(nan)); got != 0x7fc0 {
		t.Errorf("bfloat16(NaN) = %#x, want 0x7fc0", got)
	}
}

// TestFloat64SourceRoundsOnce checks that float64 values are rounded once,
// straight to the target, not through float32 first.
func TestFloat64SourceRoundsOnce(t *testing.T) {
	// 1 + 2^-11 + 2^-40 is above the float16 midpoint 1 + 2^-11, but float32
	// rounds it to the midpoint itself, which would then go down to 1.
	x := 1 + math.Ldexp(1, -11) + math.Ldexp(1, -40)
	tn, err := onnxgraph.NewTensorOf("x", onnxgraph.Float16, []int64{1}, []float64{x})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := tn.Bytes()
	if got := binary.LittleEndian.Uint16(raw); got != 0x3c01 {
		t.Errorf("float16 of %v = %#x, want 0x3c01", x, got)
	}
	if got := onnxgraph.Float32ToFloat16(float32(x)); got != 0x3c00 {
		t.Errorf("through float32: %#x, want 0x3c00", got)
	}
}

// TestFloat16Numpy compares float16 decoding (all 65536 patterns) and
// encoding (special and random float32 and float64 values) with numpy.
func TestFloat16Numpy(t *testing.T) {
	py := pythonNumpy(t)
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	f32 := []float32{0, float32(math.Copysign(0, -1)), 1, -1, 65504, 65519, 65520, 1e9, float32(math.Inf(1)), float32(math.Inf(-1)),
		float32(math.Ldexp(1, -24)), float32(math.Ldexp(1, -25)), float32(math.Ldexp(3, -25)), float32(math.Ldexp(1, -26)), 5.9604645e-08, 6.1035156e-05}
	for _, b := range []uint32{0x7fc00000, 0xffc00000, 0x7f800001, 0x7fa00000, 0xff802000, 0x7fffffff} {
		f32 = append(f32, math.Float32frombits(b)) // NaNs: numpy keeps sign and top payload bits
	}
	for range 200000 {
		f := math.Float32frombits(rng.Uint32())
		if !isNaN32(f) {
			f32 = append(f32, f)
		}
	}
	for range 50000 { // values near the float16 range, where rounding matters
		f32 = append(f32, float32(math.Ldexp(rng.Float64()*2-1, rng.IntN(44)-26)))
	}
	f64 := make([]float64, 0, 100000)
	for range 100000 {
		f64 = append(f64, math.Ldexp(rng.Float64()*2-1, rng.IntN(44)-26))
	}
	in32, _ := onnxgraph.TensorFrom("a", []int64{int64(len(f32))}, f32)
	in64, _ := onnxgraph.TensorFrom("b", []int64{int64(len(f64))}, f64)
	if err := in32.WriteNPYFile(filepath.Join(dir, "f32.npy")); err != nil {
		t.Fatal(err)
	}
	if err := in64.WriteNPYFile(filepath.Join(dir, "f64.npy")); err != nil {
		t.Fatal(err)
	}
	script := `
import sys, numpy as np
d = sys.argv[1]
np.save(d + "/all.npy", np.arange(65536, dtype=np.uint32).astype(np.uint16).view(np.float16).astype(np.float32))
np.save(d + "/e32.npy", np.load(d + "/f32.npy").astype(np.float16).view(np.uint16))
np.save(d + "/e64.npy", np.load(d + "/f64.npy").astype(np.float16).view(np.uint16))
`
	if out, err := exec.Command(py, "-c", script, dir).CombinedOutput(); err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	all := readFloat32s(t, filepath.Join(dir, "all.npy"))
	for b := range 65536 {
		got := onnxgraph.Float16ToFloat32(uint16(b))
		if math.Float32bits(got) != math.Float32bits(all[b]) {
			t.Errorf("float16 %#x: %v (%#x), numpy %v (%#x)", b, got, math.Float32bits(got), all[b], math.Float32bits(all[b]))
		}
	}
	e32 := readUint64s(t, filepath.Join(dir, "e32.npy"))
	for i, f := range f32 {
		if got := onnxgraph.Float32ToFloat16(f); uint64(got) != e32[i] {
			t.Errorf("float32 %v (%#x) to float16: %#x, numpy %#x", f, math.Float32bits(f), got, e32[i])
		}
	}
	tn, err := onnxgraph.NewTensorOf("c", onnxgraph.Float16, []int64{int64(len(f64))}, f64)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := tn.Bytes()
	e64 := readUint64s(t, filepath.Join(dir, "e64.npy"))
	for i, x := range f64 {
		if got := binary.LittleEndian.Uint16(raw[2*i:]); uint64(got) != e64[i] {
			t.Errorf("float64 %v to float16: %#x, numpy %#x", x, got, e64[i])
		}
	}
	t.Logf("float16: 65536 patterns decoded, %d float32 and %d float64 values encoded, all equal to numpy", len(f32), len(f64))
}

func readFloat32s(t *testing.T, path string) []float32 {
	t.Helper()
	tn, err := onnxgraph.ReadNPYFile(path)
	if err != nil {
		t.Fatal(err)
	}
	v, err := tn.Float32s()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func readUint64s(t *testing.T, path string) []uint64 {
	t.Helper()
	tn, err := onnxgraph.ReadNPYFile(path)
	if err != nil {
		t.Fatal(err)
	}
	v, err := tn.Uint64s()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// pythonNumpy returns a python that imports numpy, failing under CI and
// skipping elsewhere when there is none.
func pythonNumpy(t testing.TB) string {
	t.Helper()
	return suitetest.NeedPython(t, "numpy", "python3-numpy")
}

// TestFloat32ToFloat16Bits holds Float32ToFloat16's bit path to the
// general rounding (float64ToFloat16, checked against NumPy above) on a
// spread of every float32 pattern and on every pattern near its branch
// points (the subnormal range's top, the overflow threshold, NaNs); a NaN
// becomes a quiet NaN with its sign and payload's top bits, as NumPy
// does.
// (All 2^32 patterns agree; that run takes half a minute.)
func TestFloat32ToFloat16Bits(t *testing.T) {
	check := func(b uint32) {
		f := math.Float32frombits(b)
		got := onnxgraph.Float32ToFloat16(f)
		want := onnxgraph.Float64ToFloat16(float64(f))
		if isNaN32(f) {
			want = uint16(b>>16)&0x8000 | 0x7e00 | uint16(b>>13)&0x3ff
		}
		if got != want {
			t.Fatalf("float32 %#x: %#x, want %#x", b, got, want)
		}
	}
	for b := uint64(0); b < 1<<32; b += 251 {
		check(uint32(b))
	}
	for _, around := range []uint32{0x38800000, 0x477ff000, 0x7f800000, 0x33000000} {
		for d := uint32(0); d < 1<<16; d++ {
			check(around - 1<<15 + d)
			check(around - 1<<15 + d | 0x80000000)
		}
	}
}
