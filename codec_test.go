package onnxgraph_test

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"google.golang.org/protobuf/proto"
)

const (
	int4  = onnxproto.TensorProto_INT4
	uint4 = onnxproto.TensorProto_UINT4
	int2  = onnxproto.TensorProto_INT2
	uint2 = onnxproto.TensorProto_UINT2
)

// codecCase is a tensor given as Go values, the raw bytes ONNX stores for
// it, and the same data in the typed field ONNX assigns to its type.
type codecCase struct {
	name   string
	dt     onnxgraph.DataType
	dims   []int64
	values any    // given to NewTensorOf
	raw    []byte // raw_data
	typed  func(*onnxproto.TensorProto)
	want   any // what Values returns; nil means values
}

func le32(fs ...float32) []byte {
	var b []byte
	for _, f := range fs {
		b = append(b, byte(math.Float32bits(f)), byte(math.Float32bits(f)>>8), byte(math.Float32bits(f)>>16), byte(math.Float32bits(f)>>24))
	}
	return b
}

func le64(fs ...float64) []byte {
	var b []byte
	for _, f := range fs {
		u := math.Float64bits(f)
		for k := range 8 {
			b = append(b, byte(u>>(8*k)))
		}
	}
	return b
}

func codecCases() []codecCase {
	negZero := math.Copysign(0, -1)
	inf := math.Inf(1)
	return []codecCase{
		{"float32", onnxgraph.Float, []int64{2, 3}, []float32{1, -2.5, float32(negZero), float32(inf), math.SmallestNonzeroFloat32, math.MaxFloat32},
			le32(1, -2.5, float32(negZero), float32(inf), math.SmallestNonzeroFloat32, math.MaxFloat32),
			func(p *onnxproto.TensorProto) {
				p.FloatData = []float32{1, -2.5, float32(negZero), float32(inf), math.SmallestNonzeroFloat32, math.MaxFloat32}
			}, nil},
		{"float64", onnxgraph.Double, []int64{3}, []float64{negZero, math.SmallestNonzeroFloat64, -inf},
			le64(negZero, math.SmallestNonzeroFloat64, -inf),
			func(p *onnxproto.TensorProto) { p.DoubleData = []float64{negZero, math.SmallestNonzeroFloat64, -inf} }, nil},
		{"float16", onnxgraph.Float16, []int64{5}, []float32{1, -2, 65504, float32(math.Ldexp(1, -24)), float32(negZero)},
			[]byte{0x00, 0x3c, 0x00, 0xc0, 0xff, 0x7b, 0x01, 0x00, 0x00, 0x80},
			func(p *onnxproto.TensorProto) { p.Int32Data = []int32{0x3c00, 0xc000, 0x7bff, 0x0001, 0x8000} }, nil},
		{"bfloat16", onnxgraph.BFloat16, []int64{3}, []float32{1, -2, float32(math.Inf(1))},
			[]byte{0x80, 0x3f, 0x00, 0xc0, 0x80, 0x7f},
			func(p *onnxproto.TensorProto) { p.Int32Data = []int32{0x3f80, 0xc000, 0x7f80} }, nil},
		{"float8e4m3fn", e4m3fn, []int64{4}, []float32{1, 448, -1000, float32(math.Ldexp(1, -9))},
			[]byte{0x38, 0x7e, 0xfe, 0x01},
			func(p *onnxproto.TensorProto) { p.Int32Data = []int32{0x38, 0x7e, 0xfe, 0x01} },
			[]float32{1, 448, -448, float32(math.Ldexp(1, -9))}},
		{"float8e4m3fnuz", e4m3fnuz, []int64{3}, []float32{1, 240, float32(negZero)},
			[]byte{0x40, 0x7f, 0x00},
			func(p *onnxproto.TensorProto) { p.Int32Data = []int32{0x40, 0x7f, 0x00} },
			[]float32{1, 240, 0}},
		{"float8e5m2", e5m2, []int64{3}, []float32{1, 57344, float32(math.Inf(-1))},
			[]byte{0x3c, 0x7b, 0xfb},
			func(p *onnxproto.TensorProto) { p.Int32Data = []int32{0x3c, 0x7b, 0xfb} },
			[]float32{1, 57344, -57344}},
		{"float8e5m2fnuz", e5m2fnuz, []int64{2}, []float32{1, float32(math.Ldexp(1, -17))},
			[]byte{0x40, 0x01},
			func(p *onnxproto.TensorProto) { p.Int32Data = []int32{0x40, 0x01} }, nil},
		{"float8e8m0", e8m0, []int64{3}, []float32{1, 3, 0.25},
			[]byte{0x7f, 0x81, 0x7d},
			func(p *onnxproto.TensorProto) { p.Int32Data = []int32{0x7f, 0x81, 0x7d} },
			[]float32{1, 4, 0.25}},
		{"float4e2m1 odd", f4e2m1, []int64{3}, []float32{1, -6, 0.5},
			[]byte{0xf2, 0x01},
			func(p *onnxproto.TensorProto) { p.Int32Data = []int32{0xf2, 0x01} }, nil},
		{"int4 odd", int4, []int64{3}, []int8{1, -2, -8},
			[]byte{0xe1, 0x08},
			func(p *onnxproto.TensorProto) { p.Int32Data = []int32{0xe1, 0x08} }, nil},
		{"uint4", uint4, []int64{2, 2}, []uint8{15, 0, 7, 8},
			[]byte{0x0f, 0x87},
			func(p *onnxproto.TensorProto) { p.Int32Data = []int32{0x0f, 0x87} }, nil},
		{"int2 five", int2, []int64{5}, []int8{1, -2, -1, 0, 1},
			[]byte{0b00_11_10_01, 0x01},
			func(p *onnxproto.TensorProto) { p.Int32Data = []int32{0b00111001, 0x01} }, nil},
		{"uint2", uint2, []int64{4}, []uint8{3, 2, 1, 0},
			[]byte{0b00_01_10_11},
			func(p *onnxproto.TensorProto) { p.Int32Data = []int32{0b00011011} }, nil},
		{"int8", onnxgraph.Int8, []int64{3}, []int8{-128, 127, -1},
			[]byte{0x80, 0x7f, 0xff},
			func(p *onnxproto.TensorProto) { p.Int32Data = []int32{-128, 127, -1} }, nil},
		{"uint8", onnxgraph.Uint8, []int64{2}, []uint8{0, 255}, []byte{0, 255},
			func(p *onnxproto.TensorProto) { p.Int32Data = []int32{0, 255} }, nil},
		{"int16", onnxgraph.Int16, []int64{2}, []int16{-32768, 32767}, []byte{0x00, 0x80, 0xff, 0x7f},
			func(p *onnxproto.TensorProto) { p.Int32Data = []int32{-32768, 32767} }, nil},
		{"uint16", onnxgraph.Uint16, []int64{2}, []uint16{65535, 1}, []byte{0xff, 0xff, 0x01, 0x00},
			func(p *onnxproto.TensorProto) { p.Int32Data = []int32{65535, 1} }, nil},
		{"int32", onnxgraph.Int32, []int64{2}, []int32{math.MinInt32, math.MaxInt32}, []byte{0, 0, 0, 0x80, 0xff, 0xff, 0xff, 0x7f},
			func(p *onnxproto.TensorProto) { p.Int32Data = []int32{math.MinInt32, math.MaxInt32} }, nil},
		{"uint32", onnxgraph.Uint32, []int64{1}, []uint32{math.MaxUint32}, []byte{0xff, 0xff, 0xff, 0xff},
			func(p *onnxproto.TensorProto) { p.Uint64Data = []uint64{math.MaxUint32} }, nil},
		{"int64", onnxgraph.Int64, []int64{4}, []int64{-1, 3, 224, 224},
			[]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 3, 0, 0, 0, 0, 0, 0, 0, 224, 0, 0, 0, 0, 0, 0, 0, 224, 0, 0, 0, 0, 0, 0, 0},
			func(p *onnxproto.TensorProto) { p.Int64Data = []int64{-1, 3, 224, 224} }, nil},
		{"uint64", onnxgraph.Uint64, []int64{1}, []uint64{math.MaxUint64}, bytes.Repeat([]byte{0xff}, 8),
			func(p *onnxproto.TensorProto) { p.Uint64Data = []uint64{math.MaxUint64} }, nil},
		{"bool", onnxgraph.Bool, []int64{3}, []bool{true, false, true}, []byte{1, 0, 1},
			func(p *onnxproto.TensorProto) { p.Int32Data = []int32{1, 0, 1} }, nil},
		{"complex64", onnxgraph.Complex64, []int64{2}, []complex64{complex(1, -2), complex(float32(negZero), 0.5)},
			le32(1, -2, float32(negZero), 0.5),
			func(p *onnxproto.TensorProto) { p.FloatData = []float32{1, -2, float32(negZero), 0.5} }, nil},
		{"complex128", onnxgraph.Complex128, []int64{1}, []complex128{complex(math.Pi, -inf)},
			le64(math.Pi, -inf),
			func(p *onnxproto.TensorProto) { p.DoubleData = []float64{math.Pi, -inf} }, nil},
		{"scalar", onnxgraph.Float, nil, []float32{7}, le32(7),
			func(p *onnxproto.TensorProto) { p.FloatData = []float32{7} }, nil},
		{"empty", onnxgraph.Int64, []int64{0, 3}, []int64{}, []byte{},
			func(*onnxproto.TensorProto) {}, nil},
	}
}

// TestCodecRawAndTyped encodes every element type, checks the raw bytes
// against the spec's layout, and decodes the raw form and the typed-field
// form (built by hand, as onnx.helper.make_tensor writes it) to the same
// values.
func TestCodecRawAndTyped(t *testing.T) {
	for _, c := range codecCases() {
		t.Run(c.name, func(t *testing.T) {
			tn, err := onnxgraph.NewTensorOf("x", c.dt, c.dims, c.values)
			if err != nil {
				t.Fatal(err)
			}
			raw, err := tn.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(raw, c.raw) {
				t.Fatalf("raw % x, want % x", raw, c.raw)
			}
			want := c.want
			if want == nil {
				want = c.values
			}
			got, err := tn.Values()
			if err != nil {
				t.Fatal(err)
			}
			if !sameAny(got, want) {
				t.Errorf("values %v, want %v", got, want)
			}
			p := &onnxproto.TensorProto{Name: proto.String("x"), DataType: proto.Int32(int32(c.dt)), Dims: c.dims}
			c.typed(p)
			typed := onnxgraph.TensorFromProto(p)
			tv, err := typed.Values()
			if err != nil {
				t.Fatalf("typed fields: %v", err)
			}
			if !sameAny(tv, want) {
				t.Errorf("typed fields give %v, want %v", tv, want)
			}
			// AsTypedFields writes what we built by hand, and AsRawData
			// gives the raw bytes back.
			ours, err := tn.AsTypedFields()
			if err != nil {
				t.Fatal(err)
			}
			if !proto.Equal(ours.Proto(), p) {
				t.Errorf("AsTypedFields = %v, want %v", ours.Proto(), p)
			}
			back, err := typed.AsRawData()
			if err != nil {
				t.Fatal(err)
			}
			if b, _ := back.Bytes(); !bytes.Equal(b, c.raw) || back.Proto().RawData == nil {
				t.Errorf("AsRawData % x, want % x", b, c.raw)
			}
			if err := roundTripAllForms(tn); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestCodecReaders checks which readers take which types, and that they
// convert exactly.
func TestCodecReaders(t *testing.T) {
	f16, _ := onnxgraph.NewTensorOf("h", onnxgraph.Float16, []int64{2}, []float32{0.5, -3})
	if f, err := f16.Float32s(); err != nil || !slices.Equal(f, []float32{0.5, -3}) {
		t.Errorf("Float32s of float16 = %v, %v", f, err)
	}
	if f, err := f16.Float64s(); err != nil || !slices.Equal(f, []float64{0.5, -3}) {
		t.Errorf("Float64s of float16 = %v, %v", f, err)
	}
	d, _ := onnxgraph.TensorFrom("d", []int64{1}, []float64{0.1})
	if _, err := d.Float32s(); !errors.Is(err, onnxgraph.ErrInvalid) {
		t.Errorf("Float32s of double: %v, want ErrInvalid", err)
	}
	i4, _ := onnxgraph.NewTensorOf("q", int4, []int64{3}, []int{-8, 7, -1})
	if v, err := i4.Int64s(); err != nil || !slices.Equal(v, []int64{-8, 7, -1}) {
		t.Errorf("Int64s of int4 = %v, %v", v, err)
	}
	if _, err := i4.Uint64s(); !errors.Is(err, onnxgraph.ErrInvalid) {
		t.Errorf("Uint64s of negative int4: %v, want ErrInvalid", err)
	}
	b, _ := onnxgraph.TensorFrom("b", []int64{2}, []bool{true, false})
	if v, err := b.Int64s(); err != nil || !slices.Equal(v, []int64{1, 0}) {
		t.Errorf("Int64s of bool = %v, %v", v, err)
	}
	big, _ := onnxgraph.TensorFrom("u", []int64{2}, []uint64{1, math.MaxUint64})
	if _, err := big.Int64s(); !errors.Is(err, onnxgraph.ErrInvalid) {
		t.Errorf("Int64s of a huge uint64: %v, want ErrInvalid", err)
	}
	if _, err := big.Float64s(); !errors.Is(err, onnxgraph.ErrInvalid) {
		t.Errorf("Float64s of uint64: %v, want ErrInvalid", err)
	}
	s, _ := onnxgraph.TensorFrom("s", []int64{2}, []string{"a", "βγ"})
	if v, err := s.Strings(); err != nil || string(v[1]) != "βγ" {
		t.Errorf("Strings = %q, %v", v, err)
	}
	if _, err := s.Bytes(); err == nil {
		t.Error("Bytes of a string tensor: no error")
	}
	if _, err := s.Bools(); !errors.Is(err, onnxgraph.ErrInvalid) {
		t.Errorf("Bools of strings: %v", err)
	}
	c, _ := onnxgraph.TensorFrom("c", []int64{1}, []complex64{complex(1, 2)})
	if v, err := c.Complex128s(); err != nil || v[0] != complex(1, 2) {
		t.Errorf("Complex128s = %v, %v", v, err)
	}
	// Wrong sizes are errors, never a panic.
	short := onnxgraph.TensorFromProto(&onnxproto.TensorProto{DataType: proto.Int32(int32(onnxgraph.Float)), Dims: []int64{3}, RawData: le32(1, 2)})
	if _, err := short.Float32s(); !errors.Is(err, onnxgraph.ErrInvalid) {
		t.Errorf("short raw data: %v", err)
	}
	typedShort := onnxgraph.TensorFromProto(&onnxproto.TensorProto{DataType: proto.Int32(int32(int4)), Dims: []int64{3}, Int32Data: []int32{0x11}})
	if _, err := typedShort.Int64s(); !errors.Is(err, onnxgraph.ErrInvalid) {
		t.Errorf("short packed typed data: %v", err)
	}
	undef := onnxgraph.TensorFromProto(&onnxproto.TensorProto{Dims: []int64{1}, RawData: []byte{0}})
	if _, err := undef.Values(); !errors.Is(err, onnxgraph.ErrInvalid) {
		t.Errorf("undefined type: %v", err)
	}
}

// TestNewTensorOfErrors checks that out-of-range values and mismatched
// kinds are refused.
// TestNewTensorOfFloat32 checks the float32 fast path against the
// general one (float64 values): the same bytes for zeros, infinities,
// subnormals and NaNs, a signaling one quieted by both.
func TestNewTensorOfFloat32(t *testing.T) {
	bits := []uint32{0, 0x80000000, 0x3f800000, 0x00000001, 0x807fffff, 0x7f7fffff, 0x7f800000, 0xff800000,
		0x7fc00000, 0xffc00001, 0x7f800001, 0x7fa00000, 0xff802000}
	f32 := make([]float32, len(bits))
	f64 := make([]float64, len(bits))
	for i, b := range bits {
		f32[i] = math.Float32frombits(b)
		f64[i] = float64(f32[i])
	}
	a, err := onnxgraph.NewTensorOf("a", onnxgraph.Float, []int64{int64(len(bits))}, f32)
	if err != nil {
		t.Fatal(err)
	}
	b, err := onnxgraph.NewTensorOf("b", onnxgraph.Float, []int64{int64(len(bits))}, f64)
	if err != nil {
		t.Fatal(err)
	}
	ra, _ := a.Bytes()
	rb, _ := b.Bytes()
	if !bytes.Equal(ra, rb) {
		t.Errorf("float32 values encode as % x, float64 ones as % x", ra, rb)
	}
	if _, err := onnxgraph.NewTensorOf("c", onnxgraph.Float, []int64{2}, f32); err == nil {
		t.Error("13 values for 2 elements accepted")
	}
}

func TestNewTensorOfErrors(t *testing.T) {
	cases := []struct {
		dt     onnxgraph.DataType
		dims   []int64
		values any
	}{
		{int4, []int64{1}, []int{8}},
		{uint4, []int64{1}, []int{-1}},
		{int2, []int64{1}, []int8{2}},
		{uint2, []int64{1}, []uint8{4}},
		{onnxgraph.Int8, []int64{1}, []int64{200}},
		{onnxgraph.Uint32, []int64{1}, []int64{-1}},
		{onnxgraph.Int64, []int64{1}, []uint64{math.MaxUint64}},
		{onnxgraph.Float, []int64{1}, []int{1}},
		{onnxgraph.Int32, []int64{1}, []float32{1}},
		{onnxgraph.Float, []int64{2}, []float32{1}},
		{onnxgraph.String, []int64{1}, []bool{true}},
		{onnxgraph.Float, []int64{1}, map[int]int{}},
		{onnxgraph.Float, []int64{-1}, []float32{}},
	}
	for _, c := range cases {
		if _, err := onnxgraph.NewTensorOf("x", c.dt, c.dims, c.values); !errors.Is(err, onnxgraph.ErrInvalid) {
			t.Errorf("NewTensorOf(%s, %v, %T %v): %v, want ErrInvalid", onnxgraph.DataTypeName(c.dt), c.dims, c.values, c.values, err)
		}
	}
	if tn, err := onnxgraph.NewTensorOf("x", onnxgraph.Complex64, []int64{1}, []complex128{complex(0.1, 1e300)}); err != nil {
		t.Error(err)
	} else if v, _ := tn.Complex64s(); v[0] != complex(float32(0.1), float32(math.Inf(1))) {
		t.Errorf("complex128 to complex64: %v", v)
	}
}

func TestBase64(t *testing.T) {
	// The example of sed4onnx's README.
	tn, _ := onnxgraph.TensorFrom("shape", []int64{4}, []int64{-1, 3, 224, 224})
	s, err := tn.Base64()
	if err != nil || s != "//////////8DAAAAAAAAAOAAAAAAAAAA4AAAAAAAAAA=" {
		t.Errorf("Base64 = %q, %v", s, err)
	}
	back, err := onnxgraph.TensorFromBase64("shape", onnxgraph.Int64, []int64{-1}, s)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := back.Int64s(); !slices.Equal(v, []int64{-1, 3, 224, 224}) || !slices.Equal(back.Dims(), []int64{4}) {
		t.Errorf("decoded %v %v", back.Dims(), v)
	}
	if m, err := onnxgraph.TensorFromBase64("m", onnxgraph.Int64, []int64{2, -1}, s); err != nil || !slices.Equal(m.Dims(), []int64{2, 2}) {
		t.Errorf("inferred shape: %v, %v", m, err)
	}
	for _, c := range []struct {
		dt   onnxgraph.DataType
		dims []int64
		s    string
	}{
		{onnxgraph.Int64, []int64{3}, s},                   // 32 bytes are not 3 int64s
		{onnxgraph.Int64, []int64{-1}, "AAAA"},             // 3 bytes
		{onnxgraph.Float, []int64{-1, -1}, s},              // two unknowns
		{onnxgraph.Float, []int64{1}, "not base64!"},       // bad text
		{onnxgraph.String, []int64{2}, "YWJj"},             // one string only
		{onnxgraph.Int64, []int64{0, -1}, "AAAAAAAAAAA="},  // cannot infer
		{onnxproto.TensorProto_UNDEFINED, nil, "AAAAAAAA"}, // no type
	} {
		if _, err := onnxgraph.TensorFromBase64("x", c.dt, c.dims, c.s); !errors.Is(err, onnxgraph.ErrInvalid) {
			t.Errorf("TensorFromBase64(%v, %v, %q): %v, want ErrInvalid", c.dt, c.dims, c.s, err)
		}
	}
	str, err := onnxgraph.TensorFromBase64("s", onnxgraph.String, nil, "aGVsbG8=")
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := str.Strings(); string(v[0]) != "hello" {
		t.Errorf("string = %q", v)
	}
	if _, err := str.Base64(); !errors.Is(err, onnxgraph.ErrInvalid) {
		t.Errorf("Base64 of strings: %v", err)
	}
	// URL alphabet and missing padding are accepted.
	if u, err := onnxgraph.TensorFromBase64("u", onnxgraph.Uint8, []int64{-1}, "-_8"); err != nil {
		t.Error(err)
	} else if v, _ := u.Int64s(); !slices.Equal(v, []int64{0xfb, 0xff}) {
		t.Errorf("URL base64: %v", v)
	}
}

// TestDecodeTensorFile reads a TensorProto file as the backend suite stores
// it, and checks that large raw data is a view of the input.
func TestDecodeTensorFile(t *testing.T) {
	vals := make([]float32, 1000)
	for i := range vals {
		vals[i] = float32(i) / 7
	}
	tn, _ := onnxgraph.TensorFrom("w", []int64{10, 100}, vals)
	b, err := proto.Marshal(tn.Proto())
	if err != nil {
		t.Fatal(err)
	}
	got, err := onnxgraph.DecodeTensor(b)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := got.Float32s(); !slices.Equal(v, vals) || got.Name() != "w" {
		t.Errorf("decoded %s %v", got.Name(), v[:3])
	}
	raw, _ := got.Bytes()
	if !sameBacking(raw, b) {
		t.Error("raw data was copied")
	}
	if _, err := onnxgraph.DecodeTensor([]byte{0xff}); !errors.Is(err, onnxgraph.ErrMalformed) {
		t.Errorf("bad bytes: %v, want ErrMalformed", err)
	}
}

func sameBacking(sub, b []byte) bool {
	if len(sub) == 0 {
		return true
	}
	for i := range b {
		if &b[i] == &sub[0] {
			return true
		}
	}
	return false
}

// TestCodecLazyExternal checks that decoding a tensor reads only its own
// external data: another tensor's missing file does not matter.
func TestCodecLazyExternal(t *testing.T) {
	dir := t.TempDir()
	m := onnxgraph.NewModel(9, map[string]int64{"": 17})
	g := m.Graph()
	a, _ := onnxgraph.TensorFrom("a", []int64{512}, make([]float32, 512))
	bv := make([]int64, 300)
	for i := range bv {
		bv[i] = int64(i * i)
	}
	b, _ := onnxgraph.TensorFrom("b", []int64{300}, bv)
	va, _ := g.AddInitializer(a)
	vb, _ := g.AddInitializer(b)
	g.AddOutput(va, nil)
	g.AddOutput(vb, nil)
	path := filepath.Join(dir, "m.onnx")
	if err := m.SaveWith(path, &onnxgraph.SaveOptions{External: onnxgraph.ExternalPerTensor, Threshold: 1}); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "a")); err != nil {
		t.Fatal(err)
	}
	m2, err := onnxgraph.Open(path, &onnxgraph.LoadOptions{SkipExternalCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	defer m2.Close()
	var ta, tb *onnxgraph.Tensor
	for _, v := range m2.Graph().Initializers() {
		switch v.Name() {
		case "a":
			ta = v.Initializer()
		case "b":
			tb = v.Initializer()
		}
	}
	if !tb.IsExternal() {
		t.Fatal("b is not external")
	}
	if got, err := tb.Int64s(); err != nil || !slices.Equal(got, bv) {
		t.Errorf("b: %v, %v", err, got[:3])
	}
	if _, err := ta.Float32s(); !errors.Is(err, onnxgraph.ErrExternalData) {
		t.Errorf("a with its file gone: %v, want ErrExternalData", err)
	}
}

func ExampleTensor_Float32s() {
	// A float16 tensor, rounded from float32 as ONNX's Cast rounds.
	t, err := onnxgraph.NewTensorOf("h", onnxgraph.Float16, []int64{4}, []float32{1, 0.1, 70000, -0.5})
	if err != nil {
		fmt.Println(err)
		return
	}
	v, err := t.Float32s()
	fmt.Println(v, err)
	raw, _ := t.Bytes()
	fmt.Printf("% x\n", raw)
	// Output:
	// [1 0.099975586 +Inf -0.5] <nil>
	// 00 3c 66 2e 00 7c 00 b8
}

func ExampleTensorFrom() {
	t, _ := onnxgraph.TensorFrom("shape", []int64{4}, []int64{-1, 3, 224, 224})
	s, _ := t.Base64()
	fmt.Println(onnxgraph.DataTypeName(t.DataType()), t.Dims(), s)
	// Output:
	// int64 [4] //////////8DAAAAAAAAAOAAAAAAAAAA4AAAAAAAAAA=
}

func ExampleTensorFromBase64() {
	t, _ := onnxgraph.TensorFromBase64("x", onnxgraph.Float, []int64{1, -1}, "AACAPwAAAEAAAEBA")
	v, _ := t.Float32s()
	fmt.Println(t.Dims(), v)
	// Output:
	// [1 3] [1 2 3]
}

func ExampleFloat32ToFloat8() {
	for _, f := range []float32{1, 300, 500, float32(math.Inf(1))} {
		b := onnxgraph.Float32ToFloat8(onnxproto.TensorProto_FLOAT8E4M3FN, f, true)
		fmt.Printf("%v -> %#02x = %v\n", f, b, onnxgraph.Float8ToFloat32(onnxproto.TensorProto_FLOAT8E4M3FN, b))
	}
	// Output:
	// 1 -> 0x38 = 1
	// 300 -> 0x79 = 288
	// 500 -> 0x7e = 448
	// +Inf -> 0x7e = 448
}

func ExampleNewTensorOf() {
	// int4 values are packed two to a byte, the first in the low bits.
	t, err := onnxgraph.NewTensorOf("q", onnxproto.TensorProto_INT4, []int64{3}, []int{1, -2, 7})
	if err != nil {
		fmt.Println(err)
		return
	}
	raw, _ := t.Bytes()
	v, _ := t.Int64s()
	fmt.Printf("% x %v\n", raw, v)
	_, err = onnxgraph.NewTensorOf("q", onnxproto.TensorProto_INT4, []int64{1}, []int{8})
	fmt.Println(err)
	// Output:
	// e1 07 [1 -2 7]
	// onnxgraph: tensor "q": value 8 at index 0 is out of the range of int4
}

func ExampleTensor_AsTypedFields() {
	t, _ := onnxgraph.NewTensorOf("h", onnxgraph.Float16, []int64{2}, []float32{1, -2})
	typed, _ := t.AsTypedFields()
	fmt.Println(typed.Proto().GetInt32Data(), typed.Proto().GetRawData() == nil)
	// Output:
	// [15360 49152] true
}
