package onnxgraph

import (
	"encoding/base64"
	"encoding/binary"
	"math"

	"github.com/onnxgraph/onnxgraph/onnxproto"
	"google.golang.org/protobuf/proto"
)

// Readers decode a tensor's data wherever it is (raw_data, the typed
// fields of TensorProto, or external data, read for this tensor only)
// following ONNX's storage rules: little-endian, row-major, bool one byte
// per element, float16 and bfloat16 as bit patterns, 4-bit and 2-bit types
// packed low bits first, complex numbers as (real, imaginary) pairs. They
// convert exactly; writers round floats as ONNX's Cast does.

// Element is the set of Go element types TensorFrom takes, each standing for
// the ONNX type of the same width and kind.
type Element interface {
	float32 | float64 | int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64 |
		bool | string | complex64 | complex128
}

// TensorFrom returns a tensor named name of shape dims holding vals, whose
// element type follows T: float32 is FLOAT, float64 DOUBLE, int8 INT8, ...,
// uint64 UINT64, bool BOOL, string STRING, complex64 COMPLEX64 and
// complex128 COMPLEX128. len(vals) must be the product of dims (1 for a
// scalar, whose dims are empty). The values are copied.
func TensorFrom[T Element](name string, dims []int64, vals []T) (*Tensor, error) {
	var dt DataType
	switch any(vals).(type) {
	case []float32:
		dt = Float
	case []float64:
		dt = Double
	case []int8:
		dt = Int8
	case []int16:
		dt = Int16
	case []int32:
		dt = Int32
	case []int64:
		dt = Int64
	case []uint8:
		dt = Uint8
	case []uint16:
		dt = Uint16
	case []uint32:
		dt = Uint32
	case []uint64:
		dt = Uint64
	case []bool:
		dt = Bool
	case []string:
		dt = String
	case []complex64:
		dt = Complex64
	case []complex128:
		dt = Complex128
	}
	return NewTensorOf(name, dt, dims, vals)
}

// NewTensorOf returns a tensor named name of element type dt and shape dims
// holding values, a slice whose length is the product of dims:
//
//   - []float32 or []float64 for any floating-point type: values are
//     rounded to nearest, ties to even; float16 and bfloat16 overflow to
//     ±Inf, the float 8 types saturate as ONNX's Cast does by default
//     (saturate=1, see Float32ToFloat8), float8e8m0 rounds up, and
//     float4e2m1 saturates (see Float32ToFloat4E2M1);
//   - []int, []int8 ... []int64, []uint, []uint8 ... []uint64 for any
//     integer type, 4-bit and 2-bit included; a value out of dt's range is
//     an error, never wrapped;
//   - []bool for BOOL; []string or [][]byte for STRING;
//   - []complex64 or []complex128 for COMPLEX64 or COMPLEX128.
//
// Other pairings (integers into a float type, floats into an integer type)
// are refused: convert explicitly. Data goes into raw_data (strings into
// string_data); sub-byte types are packed low bits first, with zero padding.
func NewTensorOf(name string, dt DataType, dims []int64, values any) (*Tensor, error) {
	n := NumElements(dims)
	if n < 0 {
		return nil, errorf(ErrInvalid, "tensor %q: bad shape %v", name, dims)
	}
	e := &tensorEncoder{name: name, dt: dt, dims: dims, n: int(n)}
	switch v := values.(type) {
	case []float32:
		if dt == Float && len(v) == e.n {
			// The common case (weights), without a call per element. A
			// signaling NaN is quieted, as the float64 round trip of
			// e.floats does: the bits written are the same.
			raw := make([]byte, 4*len(v))
			for i, x := range v {
				b := math.Float32bits(x)
				if b&0x7f800000 == 0x7f800000 && b&0x007fffff != 0 {
					b |= 0x00400000
				}
				binary.LittleEndian.PutUint32(raw[4*i:], b)
			}
			return e.tensor(raw), nil
		}
		return e.floats(len(v), func(i int) float64 { return float64(v[i]) })
	case []float64:
		return e.floats(len(v), func(i int) float64 { return v[i] })
	case []int:
		return e.ints(len(v), func(i int) int64 { return int64(v[i]) })
	case []int8:
		return e.ints(len(v), func(i int) int64 { return int64(v[i]) })
	case []int16:
		return e.ints(len(v), func(i int) int64 { return int64(v[i]) })
	case []int32:
		return e.ints(len(v), func(i int) int64 { return int64(v[i]) })
	case []int64:
		return e.ints(len(v), func(i int) int64 { return v[i] })
	case []uint:
		return e.uints(len(v), func(i int) uint64 { return uint64(v[i]) })
	case []uint8:
		return e.uints(len(v), func(i int) uint64 { return uint64(v[i]) })
	case []uint16:
		return e.uints(len(v), func(i int) uint64 { return uint64(v[i]) })
	case []uint32:
		return e.uints(len(v), func(i int) uint64 { return uint64(v[i]) })
	case []uint64:
		return e.uints(len(v), func(i int) uint64 { return v[i] })
	case []bool:
		if err := e.check(len(v), dt == Bool, "bool"); err != nil {
			return nil, err
		}
		raw := make([]byte, n)
		for i, b := range v {
			if b {
				raw[i] = 1
			}
		}
		return e.tensor(raw), nil
	case []string:
		if err := e.check(len(v), dt == String, "string"); err != nil {
			return nil, err
		}
		s := make([][]byte, len(v))
		for i, x := range v {
			s[i] = []byte(x)
		}
		return e.strings(s), nil
	case [][]byte:
		if err := e.check(len(v), dt == String, "[]byte"); err != nil {
			return nil, err
		}
		s := make([][]byte, len(v))
		for i, x := range v {
			s[i] = append([]byte{}, x...)
		}
		return e.strings(s), nil
	case []complex64:
		return e.complexes(len(v), func(i int) complex128 { return complex128(v[i]) })
	case []complex128:
		return e.complexes(len(v), func(i int) complex128 { return v[i] })
	}
	return nil, errorf(ErrInvalid, "tensor %q: values of type %T are not a supported slice", name, values)
}

type tensorEncoder struct {
	name string
	dt   DataType
	dims []int64
	n    int
}

func (e *tensorEncoder) check(length int, typeOK bool, kind string) error {
	if !typeOK {
		return errorf(ErrInvalid, "tensor %q: %s values cannot make a %s tensor", e.name, kind, DataTypeName(e.dt))
	}
	if length != e.n {
		return errorf(ErrInvalid, "tensor %q: %d values for shape %v (%d elements)", e.name, length, e.dims, e.n)
	}
	return nil
}

func (e *tensorEncoder) tensor(raw []byte) *Tensor {
	return &Tensor{p: &onnxproto.TensorProto{
		Name:     proto.String(e.name),
		DataType: proto.Int32(int32(e.dt)),
		Dims:     append([]int64{}, e.dims...),
		RawData:  raw,
	}}
}

func (e *tensorEncoder) strings(s [][]byte) *Tensor {
	return &Tensor{p: &onnxproto.TensorProto{
		Name:       proto.String(e.name),
		DataType:   proto.Int32(int32(String)),
		Dims:       append([]int64{}, e.dims...),
		StringData: s,
	}}
}

func (e *tensorEncoder) floats(length int, at func(int) float64) (*Tensor, error) {
	if err := e.check(length, isFloatType(e.dt), "float"); err != nil {
		return nil, err
	}
	raw := make([]byte, RawSize(e.dt, int64(e.n)))
	le := binary.LittleEndian
	switch e.dt {
	case Float:
		for i := range e.n {
			le.PutUint32(raw[4*i:], math.Float32bits(float32(at(i))))
		}
	case Double:
		for i := range e.n {
			le.PutUint64(raw[8*i:], math.Float64bits(at(i)))
		}
	case Float16:
		for i := range e.n {
			le.PutUint16(raw[2*i:], float64ToFloat16(at(i)))
		}
	case BFloat16:
		for i := range e.n {
			le.PutUint16(raw[2*i:], float64ToBFloat16(at(i)))
		}
	case onnxproto.TensorProto_FLOAT4E2M1:
		for i := range e.n {
			raw[i/2] |= float64ToFloat4(at(i)) << (4 * (i % 2))
		}
	default: // the float 8 types
		for i := range e.n {
			raw[i] = float64ToFloat8(e.dt, at(i), true)
		}
	}
	return e.tensor(raw), nil
}

func (e *tensorEncoder) ints(length int, at func(int) int64) (*Tensor, error) {
	if err := e.check(length, isIntType(e.dt), "integer"); err != nil {
		return nil, err
	}
	lo, hi := intRange(e.dt)
	raw := make([]byte, RawSize(e.dt, int64(e.n)))
	for i := range e.n {
		v := at(i)
		if v < lo || v > hi {
			return nil, errorf(ErrInvalid, "tensor %q: value %d at index %d is out of the range of %s", e.name, v, i, DataTypeName(e.dt))
		}
		putInt(e.dt, raw, i, uint64(v))
	}
	return e.tensor(raw), nil
}

func (e *tensorEncoder) uints(length int, at func(int) uint64) (*Tensor, error) {
	if e.dt != Uint64 {
		for i := range min(length, e.n) {
			if v := at(i); v > math.MaxInt64 && isIntType(e.dt) {
				return nil, errorf(ErrInvalid, "tensor %q: value %d at index %d is out of the range of %s", e.name, v, i, DataTypeName(e.dt))
			}
		}
		return e.ints(length, func(i int) int64 { return int64(at(i)) })
	}
	if err := e.check(length, true, "integer"); err != nil {
		return nil, err
	}
	raw := make([]byte, 8*e.n)
	for i := range e.n {
		binary.LittleEndian.PutUint64(raw[8*i:], at(i))
	}
	return e.tensor(raw), nil
}

func (e *tensorEncoder) complexes(length int, at func(int) complex128) (*Tensor, error) {
	if err := e.check(length, e.dt == Complex64 || e.dt == Complex128, "complex"); err != nil {
		return nil, err
	}
	raw := make([]byte, RawSize(e.dt, int64(e.n)))
	le := binary.LittleEndian
	for i := range e.n {
		c := at(i)
		if e.dt == Complex64 {
			le.PutUint32(raw[8*i:], math.Float32bits(float32(real(c))))
			le.PutUint32(raw[8*i+4:], math.Float32bits(float32(imag(c))))
		} else {
			le.PutUint64(raw[16*i:], math.Float64bits(real(c)))
			le.PutUint64(raw[16*i+8:], math.Float64bits(imag(c)))
		}
	}
	return e.tensor(raw), nil
}

// putInt stores the low bits of v as element i of raw (zeroed for sub-byte
// types).
func putInt(dt DataType, raw []byte, i int, v uint64) {
	switch ElemBits(dt) {
	case 8:
		raw[i] = byte(v)
	case 16:
		binary.LittleEndian.PutUint16(raw[2*i:], uint16(v))
	case 32:
		binary.LittleEndian.PutUint32(raw[4*i:], uint32(v))
	case 64:
		binary.LittleEndian.PutUint64(raw[8*i:], v)
	case 4:
		raw[i/2] |= byte(v&0xf) << (4 * (i % 2))
	case 2:
		raw[i/4] |= byte(v&0x3) << (2 * (i % 4))
	}
}

func isFloatType(dt DataType) bool {
	switch dt {
	case Float, Double, Float16, BFloat16, onnxproto.TensorProto_FLOAT8E4M3FN, onnxproto.TensorProto_FLOAT8E4M3FNUZ,
		onnxproto.TensorProto_FLOAT8E5M2, onnxproto.TensorProto_FLOAT8E5M2FNUZ, onnxproto.TensorProto_FLOAT8E8M0,
		onnxproto.TensorProto_FLOAT4E2M1:
		return true
	}
	return false
}

func isIntType(dt DataType) bool {
	switch dt {
	case Int8, Int16, Int32, Int64, Uint8, Uint16, Uint32, Uint64,
		onnxproto.TensorProto_INT4, onnxproto.TensorProto_UINT4, onnxproto.TensorProto_INT2, onnxproto.TensorProto_UINT2:
		return true
	}
	return false
}

func isSigned(dt DataType) bool {
	switch dt {
	case Int8, Int16, Int32, Int64, onnxproto.TensorProto_INT4, onnxproto.TensorProto_INT2:
		return true
	}
	return false
}

// intRange is the range of an integer type as int64 (UINT64's is cut at
// MaxInt64).
func intRange(dt DataType) (lo, hi int64) {
	bits := ElemBits(dt)
	if isSigned(dt) {
		return -1 << (bits - 1), 1<<(bits-1) - 1
	}
	if bits == 64 {
		return 0, math.MaxInt64
	}
	return 0, 1<<bits - 1
}

// data returns t's data in raw form, checked against its type and shape.
func (t *Tensor) data() ([]byte, int, error) {
	dt := t.DataType()
	n := NumElements(t.p.GetDims())
	switch {
	case n < 0:
		return nil, 0, errorf(ErrInvalid, "tensor %q: bad shape %v", t.Name(), t.p.GetDims())
	case ElemBits(dt) == 0:
		return nil, 0, errorf(ErrInvalid, "tensor %q: element type %v has no numeric data", t.Name(), dt)
	case t.p.Segment != nil:
		return nil, 0, errorf(ErrInvalid, "tensor %q: segmented tensors are not supported", t.Name())
	case n > math.MaxInt/16:
		return nil, 0, errorf(ErrInvalid, "tensor %q: %d elements are too many", t.Name(), n)
	}
	raw, err := t.Bytes()
	if err != nil {
		return nil, 0, err
	}
	if want := RawSize(dt, n); int64(len(raw)) != want {
		return nil, 0, errorf(ErrInvalid, "tensor %q: data of %d bytes for %s%v, which needs %d", t.Name(), len(raw), DataTypeName(dt), t.p.GetDims(), want)
	}
	return raw, int(n), nil
}

func (t *Tensor) wrongType(method, want string) error {
	return errorf(ErrInvalid, "tensor %q: %s needs %s, not %s", t.Name(), method, want, DataTypeName(t.DataType()))
}

// nibble returns the 4-bit element i of raw; crumb the 2-bit one.
func nibble(raw []byte, i int) byte { return raw[i/2] >> (4 * (i % 2)) & 0xf }
func crumb(raw []byte, i int) byte  { return raw[i/4] >> (2 * (i % 4)) & 0x3 }

// float32At returns a reader of the elements of raw for the floating-point
// types that fit a float32, or nil for other types.
func float32At(dt DataType, raw []byte) func(int) float32 {
	le := binary.LittleEndian
	switch dt {
	case Float:
		return func(i int) float32 { return math.Float32frombits(le.Uint32(raw[4*i:])) }
	case Float16:
		return func(i int) float32 { return Float16ToFloat32(le.Uint16(raw[2*i:])) }
	case BFloat16:
		return func(i int) float32 { return BFloat16ToFloat32(le.Uint16(raw[2*i:])) }
	case onnxproto.TensorProto_FLOAT4E2M1:
		return func(i int) float32 { return f4Table[nibble(raw, i)] }
	}
	if tab, ok := f8Tables[dt]; ok {
		return func(i int) float32 { return tab[raw[i]] }
	}
	return nil
}

// int64At returns a reader of the elements of raw for the integer types
// that fit an int64 and bool, or nil for other types.
func int64At(dt DataType, raw []byte) func(int) int64 {
	le := binary.LittleEndian
	switch dt {
	case Int8:
		return func(i int) int64 { return int64(int8(raw[i])) }
	case Uint8:
		return func(i int) int64 { return int64(raw[i]) }
	case Bool:
		return func(i int) int64 {
			if raw[i] != 0 {
				return 1
			}
			return 0
		}
	case Int16:
		return func(i int) int64 { return int64(int16(le.Uint16(raw[2*i:]))) }
	case Uint16:
		return func(i int) int64 { return int64(le.Uint16(raw[2*i:])) }
	case Int32:
		return func(i int) int64 { return int64(int32(le.Uint32(raw[4*i:]))) }
	case Uint32:
		return func(i int) int64 { return int64(le.Uint32(raw[4*i:])) }
	case Int64:
		return func(i int) int64 { return int64(le.Uint64(raw[8*i:])) }
	case onnxproto.TensorProto_INT4:
		return func(i int) int64 { return int64(int8(nibble(raw, i)<<4) >> 4) }
	case onnxproto.TensorProto_UINT4:
		return func(i int) int64 { return int64(nibble(raw, i)) }
	case onnxproto.TensorProto_INT2:
		return func(i int) int64 { return int64(int8(crumb(raw, i)<<6) >> 6) }
	case onnxproto.TensorProto_UINT2:
		return func(i int) int64 { return int64(crumb(raw, i)) }
	}
	return nil
}

// Float32s returns the tensor's elements as float32 values, for FLOAT,
// FLOAT16, BFLOAT16, the float 8 types (FLOAT8E4M3FN, FLOAT8E4M3FNUZ,
// FLOAT8E5M2, FLOAT8E5M2FNUZ, FLOAT8E8M0) and FLOAT4E2M1, all of which it
// converts exactly. DOUBLE is refused (use Float64s), as are other types.
// Bit patterns that are NaN give a NaN of the same sign (float16 keeps the
// payload too). External data is read from its file; the slice is new.
func (t *Tensor) Float32s() ([]float32, error) {
	at := float32At(t.DataType(), nil)
	if at == nil {
		return nil, t.wrongType("Float32s", "a floating-point type of at most 32 bits")
	}
	raw, n, err := t.data()
	if err != nil {
		return nil, err
	}
	out := make([]float32, n)
	if t.DataType() == Float {
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
		return out, nil
	}
	at = float32At(t.DataType(), raw)
	for i := range out {
		out[i] = at(i)
	}
	return out, nil
}

// Float64s returns the tensor's elements as float64 values, for every
// floating-point type: DOUBLE and all those Float32s reads. It is exact.
func (t *Tensor) Float64s() ([]float64, error) {
	if t.DataType() != Double {
		f, err := t.Float32s()
		if err != nil {
			if at := float32At(t.DataType(), nil); at == nil {
				return nil, t.wrongType("Float64s", "a floating-point type")
			}
			return nil, err
		}
		out := make([]float64, len(f))
		for i, x := range f {
			out[i] = float64(x)
		}
		return out, nil
	}
	raw, n, err := t.data()
	if err != nil {
		return nil, err
	}
	out := make([]float64, n)
	for i := range out {
		out[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
	}
	return out, nil
}

// Int64s returns the tensor's elements as int64 values, for every integer
// type (INT4, UINT4, INT2 and UINT2 unpacked) and BOOL (0 or 1). A UINT64
// value above math.MaxInt64 is an error (use Uint64s).
func (t *Tensor) Int64s() ([]int64, error) {
	dt := t.DataType()
	if dt == Uint64 {
		u, err := t.Uint64s()
		if err != nil {
			return nil, err
		}
		out := make([]int64, len(u))
		for i, x := range u {
			if x > math.MaxInt64 {
				return nil, errorf(ErrInvalid, "tensor %q: value %d at index %d does not fit an int64", t.Name(), x, i)
			}
			out[i] = int64(x)
		}
		return out, nil
	}
	if int64At(dt, nil) == nil {
		return nil, t.wrongType("Int64s", "an integer or bool type")
	}
	raw, n, err := t.data()
	if err != nil {
		return nil, err
	}
	at := int64At(dt, raw)
	out := make([]int64, n)
	for i := range out {
		out[i] = at(i)
	}
	return out, nil
}

// Uint64s returns the tensor's elements as uint64 values, for every integer
// type and BOOL. A negative value is an error.
func (t *Tensor) Uint64s() ([]uint64, error) {
	dt := t.DataType()
	if dt != Uint64 {
		s, err := t.Int64s()
		if err != nil {
			if int64At(dt, nil) == nil {
				return nil, t.wrongType("Uint64s", "an integer or bool type")
			}
			return nil, err
		}
		out := make([]uint64, len(s))
		for i, x := range s {
			if x < 0 {
				return nil, errorf(ErrInvalid, "tensor %q: value %d at index %d is negative", t.Name(), x, i)
			}
			out[i] = uint64(x)
		}
		return out, nil
	}
	raw, n, err := t.data()
	if err != nil {
		return nil, err
	}
	out := make([]uint64, n)
	for i := range out {
		out[i] = binary.LittleEndian.Uint64(raw[8*i:])
	}
	return out, nil
}

// Bools returns the elements of a BOOL tensor; any non-zero byte is true.
func (t *Tensor) Bools() ([]bool, error) {
	if t.DataType() != Bool {
		return nil, t.wrongType("Bools", "bool")
	}
	raw, n, err := t.data()
	if err != nil {
		return nil, err
	}
	out := make([]bool, n)
	for i := range out {
		out[i] = raw[i] != 0
	}
	return out, nil
}

// Strings returns the elements of a STRING tensor, each the bytes of one
// string (ONNX asks for UTF-8 but does not enforce it). The byte slices are
// the tensor's own: do not change them.
func (t *Tensor) Strings() ([][]byte, error) {
	if t.DataType() != String {
		return nil, t.wrongType("Strings", "string")
	}
	n := NumElements(t.p.GetDims())
	if n < 0 {
		return nil, errorf(ErrInvalid, "tensor %q: bad shape %v", t.Name(), t.p.GetDims())
	}
	if t.IsExternal() || t.p.RawData != nil {
		return nil, errorf(ErrInvalid, "tensor %q: string data must be in string_data", t.Name())
	}
	if int64(len(t.p.StringData)) != n {
		return nil, errorf(ErrInvalid, "tensor %q: %d strings for shape %v", t.Name(), len(t.p.StringData), t.p.GetDims())
	}
	return append([][]byte(nil), t.p.StringData...), nil
}

// Complex128s returns the elements of a COMPLEX64 or COMPLEX128 tensor.
func (t *Tensor) Complex128s() ([]complex128, error) {
	dt := t.DataType()
	if dt != Complex64 && dt != Complex128 {
		return nil, t.wrongType("Complex128s", "complex64 or complex128")
	}
	raw, n, err := t.data()
	if err != nil {
		return nil, err
	}
	le := binary.LittleEndian
	out := make([]complex128, n)
	for i := range out {
		if dt == Complex64 {
			out[i] = complex(float64(math.Float32frombits(le.Uint32(raw[8*i:]))), float64(math.Float32frombits(le.Uint32(raw[8*i+4:]))))
		} else {
			out[i] = complex(math.Float64frombits(le.Uint64(raw[16*i:])), math.Float64frombits(le.Uint64(raw[16*i+8:])))
		}
	}
	return out, nil
}

// Complex64s returns the elements of a COMPLEX64 tensor.
func (t *Tensor) Complex64s() ([]complex64, error) {
	if t.DataType() != Complex64 {
		return nil, t.wrongType("Complex64s", "complex64")
	}
	c, err := t.Complex128s()
	if err != nil {
		return nil, err
	}
	out := make([]complex64, len(c))
	for i, x := range c {
		out[i] = complex64(x)
	}
	return out, nil
}

// Values returns the tensor's elements as the Go slice that holds its type
// exactly: []float32 for FLOAT and for the types Float32s reads, []float64
// for DOUBLE, []int8 ... []uint64 for the integer types of those widths,
// []int8 for INT4 and INT2, []uint8 for UINT4 and UINT2, []bool, [][]byte
// for STRING, []complex64 and []complex128.
func (t *Tensor) Values() (any, error) {
	dt := t.DataType()
	switch {
	case dt == Double:
		return t.Float64s()
	case isFloatType(dt):
		return t.Float32s()
	case dt == Bool:
		return t.Bools()
	case dt == String:
		return t.Strings()
	case dt == Complex64:
		return t.Complex64s()
	case dt == Complex128:
		return t.Complex128s()
	case dt == Uint64:
		return t.Uint64s()
	case isIntType(dt):
		v, err := t.Int64s()
		if err != nil {
			return nil, err
		}
		switch dt {
		case Int8, onnxproto.TensorProto_INT4, onnxproto.TensorProto_INT2:
			return convertInts[int8](v), nil
		case Uint8, onnxproto.TensorProto_UINT4, onnxproto.TensorProto_UINT2:
			return convertInts[uint8](v), nil
		case Int16:
			return convertInts[int16](v), nil
		case Uint16:
			return convertInts[uint16](v), nil
		case Int32:
			return convertInts[int32](v), nil
		case Uint32:
			return convertInts[uint32](v), nil
		}
		return v, nil
	}
	return nil, errorf(ErrInvalid, "tensor %q: element type %v has no values", t.Name(), dt)
}

func convertInts[T int8 | uint8 | int16 | uint16 | int32 | uint32](v []int64) []T {
	out := make([]T, len(v))
	for i, x := range v {
		out[i] = T(x)
	}
	return out
}

// AsRawData returns a tensor equal to t whose data is in raw_data: typed
// fields are encoded, external data is read. t itself is returned when its
// data already is in raw_data. Strings, which have no raw form, are an error.
func (t *Tensor) AsRawData() (*Tensor, error) {
	if t.p.RawData != nil && !t.IsExternal() {
		return t, nil
	}
	if t.DataType() == String {
		return nil, errorf(ErrInvalid, "tensor %q: strings have no raw form", t.Name())
	}
	raw, _, err := t.data()
	if err != nil {
		return nil, err
	}
	q := withoutData(t.p)
	q.RawData = raw
	return &Tensor{p: q, fm: t.fm}, nil
}

// AsTypedFields returns a tensor equal to t whose data is in the typed field
// ONNX assigns to its element type, the form onnx.helper.make_tensor writes
// without raw=True: float_data for FLOAT and COMPLEX64 (real, imaginary
// pairs), double_data for DOUBLE and COMPLEX128, int64_data for INT64,
// uint64_data for UINT32 and UINT64, string_data for STRING, and int32_data
// for every other type: one entry per element for INT8, INT16, INT32, UINT8,
// UINT16 and BOOL, the bit pattern for FLOAT16, BFLOAT16 and the float 8
// types, and one packed byte per entry for the 4-bit and 2-bit types.
func (t *Tensor) AsTypedFields() (*Tensor, error) {
	dt := t.DataType()
	if dt == String {
		if _, err := t.Strings(); err != nil {
			return nil, err
		}
		return t, nil
	}
	raw, n, err := t.data()
	if err != nil {
		return nil, err
	}
	q := withoutData(t.p)
	le := binary.LittleEndian
	switch dt {
	case Float, Complex64:
		q.FloatData = make([]float32, len(raw)/4)
		for i := range q.FloatData {
			q.FloatData[i] = math.Float32frombits(le.Uint32(raw[4*i:]))
		}
	case Double, Complex128:
		q.DoubleData = make([]float64, len(raw)/8)
		for i := range q.DoubleData {
			q.DoubleData[i] = math.Float64frombits(le.Uint64(raw[8*i:]))
		}
	case Int64:
		q.Int64Data = make([]int64, n)
		for i := range q.Int64Data {
			q.Int64Data[i] = int64(le.Uint64(raw[8*i:]))
		}
	case Uint64:
		q.Uint64Data = make([]uint64, n)
		for i := range q.Uint64Data {
			q.Uint64Data[i] = le.Uint64(raw[8*i:])
		}
	case Uint32:
		q.Uint64Data = make([]uint64, n)
		for i := range q.Uint64Data {
			q.Uint64Data[i] = uint64(le.Uint32(raw[4*i:]))
		}
	case Int8, Int16, Int32, Uint8, Uint16, Bool:
		at := int64At(dt, raw)
		q.Int32Data = make([]int32, n)
		for i := range q.Int32Data {
			q.Int32Data[i] = int32(at(i))
		}
	case Float16, BFloat16:
		q.Int32Data = make([]int32, n)
		for i := range q.Int32Data {
			q.Int32Data[i] = int32(le.Uint16(raw[2*i:]))
		}
	default: // 8-bit patterns and packed sub-byte types: one byte per entry
		q.Int32Data = make([]int32, len(raw))
		for i, b := range raw {
			q.Int32Data[i] = int32(b)
		}
	}
	return &Tensor{p: q}, nil
}

// withoutData copies t's message without any of its data fields.
func withoutData(t *onnxproto.TensorProto) *onnxproto.TensorProto {
	q := shallow(t)
	q.RawData, q.FloatData, q.DoubleData, q.Int32Data, q.Int64Data, q.Uint64Data, q.StringData = nil, nil, nil, nil, nil, nil, nil
	q.DataLocation, q.ExternalData = nil, nil
	return q
}

// Base64 returns the standard base64 (with padding) of the tensor's data in
// raw form: little-endian, row-major, without the shape, as the rawData
// field of the model's JSON form shows it and as sed4onnx encodes it.
// Strings, which have no raw form, are an error.
func (t *Tensor) Base64() (string, error) {
	if t.DataType() == String {
		return "", errorf(ErrInvalid, "tensor %q: strings have no raw form", t.Name())
	}
	raw, _, err := t.data()
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(raw), nil
}

// TensorFromBase64 returns the tensor of element type dt and shape dims
// whose raw data is the base64 s (standard or URL alphabet, padded or
// not). One dim may be -1, to be inferred from the data's length (for
// 4-bit and 2-bit types, every slot of the last byte counts): [-1] makes a
// 1-D tensor of all the elements the bytes hold. Empty dims make a scalar.
// For STRING, s holds the bytes of one string and dims must have one
// element.
func TensorFromBase64(name string, dt DataType, dims []int64, s string) (*Tensor, error) {
	raw, err := decodeBase64(s)
	if err != nil {
		return nil, errorf(ErrInvalid, "tensor %q: %v", name, err)
	}
	dims = append([]int64{}, dims...)
	infer := -1
	known := int64(1)
	for i, d := range dims {
		switch {
		case d == -1 && infer < 0:
			infer = i
		case d < 0:
			return nil, errorf(ErrInvalid, "tensor %q: bad shape %v", name, dims)
		default:
			known *= d
		}
	}
	if dt == String {
		if infer >= 0 {
			dims[infer] = 1
		}
		if NumElements(dims) != 1 {
			return nil, errorf(ErrInvalid, "tensor %q: a base64 string makes one element, not shape %v", name, dims)
		}
		return (&tensorEncoder{name: name, dt: dt, dims: dims, n: 1}).strings([][]byte{raw}), nil
	}
	bits := int64(ElemBits(dt))
	if bits == 0 {
		return nil, errorf(ErrInvalid, "tensor %q: element type %v has no raw form", name, dt)
	}
	if infer >= 0 {
		total := int64(len(raw)) * 8 / bits
		if (int64(len(raw))*8)%bits != 0 || known == 0 || total%known != 0 {
			return nil, errorf(ErrInvalid, "tensor %q: %d bytes of %s do not fill shape %v", name, len(raw), DataTypeName(dt), dims)
		}
		dims[infer] = total / known
	}
	return NewTensor(name, dt, dims, raw)
}

func decodeBase64(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	_, err := base64.StdEncoding.DecodeString(s)
	return nil, err
}

// DecodeTensor reads a serialized TensorProto, such as the input_0.pb and
// output_0.pb files of the ONNX backend test suite. Large raw_data stays a
// view of b: do not change b afterwards. An external tensor decodes, but
// its data cannot be read (there is no folder to read it from).
func DecodeTensor(b []byte) (*Tensor, error) {
	p := new(onnxproto.TensorProto)
	if err := unmarshalAliased(b, p); err != nil {
		return nil, err
	}
	return &Tensor{p: p}, nil
}

// TensorFromProto wraps a tensor message that belongs to no model (a
// SequenceProto's element, a message built by hand). The message is shared:
// do not change it afterwards. External data cannot be read through the
// result; for a model's tensors use Model.TensorOf.
func TensorFromProto(p *onnxproto.TensorProto) *Tensor { return &Tensor{p: p} }
