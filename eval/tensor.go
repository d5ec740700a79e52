package eval

import (
	"math"
	"strconv"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
)

// DataType is an ONNX element type.
type DataType = onnxgraph.DataType

// Short names of the element types.
const (
	dtFloat      = onnxgraph.Float
	dtDouble     = onnxgraph.Double
	dtFloat16    = onnxgraph.Float16
	dtBFloat16   = onnxgraph.BFloat16
	dtInt8       = onnxgraph.Int8
	dtInt16      = onnxgraph.Int16
	dtInt32      = onnxgraph.Int32
	dtInt64      = onnxgraph.Int64
	dtUint8      = onnxgraph.Uint8
	dtUint16     = onnxgraph.Uint16
	dtUint32     = onnxgraph.Uint32
	dtUint64     = onnxgraph.Uint64
	dtBool       = onnxgraph.Bool
	dtString     = onnxgraph.String
	dtComplex64  = onnxgraph.Complex64
	dtComplex128 = onnxgraph.Complex128
	dtE4M3FN     = onnxproto.TensorProto_FLOAT8E4M3FN
	dtE4M3FNUZ   = onnxproto.TensorProto_FLOAT8E4M3FNUZ
	dtE5M2       = onnxproto.TensorProto_FLOAT8E5M2
	dtE5M2FNUZ   = onnxproto.TensorProto_FLOAT8E5M2FNUZ
	dtE8M0       = onnxproto.TensorProto_FLOAT8E8M0
	dtFloat4     = onnxproto.TensorProto_FLOAT4E2M1
	dtInt4       = onnxproto.TensorProto_INT4
	dtUint4      = onnxproto.TensorProto_UINT4
	dtInt2       = onnxproto.TensorProto_INT2
	dtUint2      = onnxproto.TensorProto_UINT2
)

// tensor is the evaluator's working form of a tensor: an element type, a
// shape and the elements, row-major, in the typed Go slice that holds the
// type (the slice Tensor.Values returns, see doc.go): []float32 for FLOAT
// and for the narrower float types (whose values it holds exactly),
// []float64 for DOUBLE, []int8 ... []uint64 for the integer types ([]int8
// for INT4 and INT2, []uint8 for UINT4 and UINT2), []bool, []string,
// []complex64 and []complex128. Kernels never change an input's data.
type tensor struct {
	dt    DataType
	shape []int
	data  any
}

// size returns the number of elements.
func (t *tensor) size() int { return sliceLen(t.data) }

func (t *tensor) rank() int { return len(t.shape) }

// sliceLen returns the length of a data slice.
func sliceLen(data any) int {
	switch s := data.(type) {
	case []float32:
		return len(s)
	case []float64:
		return len(s)
	case []int8:
		return len(s)
	case []int16:
		return len(s)
	case []int32:
		return len(s)
	case []int64:
		return len(s)
	case []uint8:
		return len(s)
	case []uint16:
		return len(s)
	case []uint32:
		return len(s)
	case []uint64:
		return len(s)
	case []bool:
		return len(s)
	case []string:
		return len(s)
	case []complex64:
		return len(s)
	case []complex128:
		return len(s)
	}
	return 0
}

// makeData returns a zeroed data slice of n elements for dt, or nil for a
// type the evaluator does not hold.
func makeData(dt DataType, n int) any {
	switch dt {
	case onnxgraph.Float, onnxgraph.Float16, onnxgraph.BFloat16, dtE4M3FN, dtE4M3FNUZ, dtE5M2,
		dtE5M2FNUZ, dtE8M0, dtFloat4:
		return make([]float32, n)
	case onnxgraph.Double:
		return make([]float64, n)
	case onnxgraph.Int8, dtInt4, dtInt2:
		return make([]int8, n)
	case onnxgraph.Uint8, dtUint4, dtUint2:
		return make([]uint8, n)
	case onnxgraph.Int16:
		return make([]int16, n)
	case onnxgraph.Uint16:
		return make([]uint16, n)
	case onnxgraph.Int32:
		return make([]int32, n)
	case onnxgraph.Uint32:
		return make([]uint32, n)
	case onnxgraph.Int64:
		return make([]int64, n)
	case onnxgraph.Uint64:
		return make([]uint64, n)
	case onnxgraph.Bool:
		return make([]bool, n)
	case onnxgraph.String:
		return make([]string, n)
	case onnxgraph.Complex64:
		return make([]complex64, n)
	case onnxgraph.Complex128:
		return make([]complex128, n)
	}
	return nil
}

// typeName is the ONNX name of dt ("float", "int64", ...).
func typeName(dt DataType) string { return onnxgraph.DataTypeName(dt) }

// numel returns the number of elements of shape, or -1 when a dim is
// negative or the product overflows.
func numel(shape []int) int {
	n := 1
	for _, d := range shape {
		if d < 0 || (d != 0 && n > math.MaxInt32*int(math.MaxInt32)/d) {
			return -1
		}
		n *= d
	}
	return n
}

// fromTensor converts a tensor of the root package into the working form.
func fromTensor(t *onnxgraph.Tensor, limit int64) (*tensor, error) {
	dims := t.Dims()
	shape := make([]int, len(dims))
	for i, d := range dims {
		if d < 0 || d > math.MaxInt32*int64(math.MaxInt32) {
			return nil, invalidf("tensor %q: bad shape %v", t.Name(), dims)
		}
		shape[i] = int(d)
	}
	n := numel(shape)
	if n < 0 {
		return nil, invalidf("tensor %q: bad shape %v", t.Name(), dims)
	}
	if int64(n) > limit {
		return nil, errorf(ErrTooLarge, "tensor %q of shape %v has more than %d elements", t.Name(), dims, limit)
	}
	if makeData(t.DataType(), 0) == nil {
		return nil, notImplf("tensor %q: element type %s", t.Name(), typeName(t.DataType()))
	}
	v, err := t.Values()
	if err != nil {
		return nil, errorf(ErrInvalid, "%s", trimRoot(err))
	}
	if s, ok := v.([][]byte); ok {
		str := make([]string, len(s))
		for i, b := range s {
			str[i] = string(b)
		}
		v = str
	}
	return &tensor{dt: t.DataType(), shape: shape, data: v}, nil
}

// trimRoot drops the root package's prefix from its error's text.
func trimRoot(err error) string {
	s := err.Error()
	const p = "onnxgraph: "
	if len(s) > len(p) && s[:len(p)] == p {
		return s[len(p):]
	}
	return s
}

// toTensor converts a working tensor into a tensor of the root package
// named name.
func toTensor(name string, t *tensor) (*onnxgraph.Tensor, error) {
	dims := make([]int64, len(t.shape))
	for i, d := range t.shape {
		dims[i] = int64(d)
	}
	var out *onnxgraph.Tensor
	var err error
	switch t.dt {
	case dtE4M3FN, dtE4M3FNUZ, dtE5M2, dtE5M2FNUZ, dtE8M0:
		// NewTensorOf saturates as Cast does by default; the values here
		// are already of the type (Inf included), so encode them as they are.
		f := t.data.([]float32)
		raw := make([]byte, len(f))
		for i, x := range f {
			raw[i] = onnxgraph.Float32ToFloat8(t.dt, x, false)
		}
		out, err = onnxgraph.NewTensor(name, t.dt, dims, raw)
	default:
		out, err = onnxgraph.NewTensorOf(name, t.dt, dims, t.data)
	}
	if err != nil {
		return nil, errorf(ErrInvalid, "%s", trimRoot(err))
	}
	return out, nil
}

// roundToType rounds the values of a float type narrower than float32,
// held as float32, to that type, as a kernel's result must be before it is
// used further.
func roundToType(t *tensor) {
	f, ok := t.data.([]float32)
	if !ok {
		return
	}
	switch t.dt {
	case onnxgraph.Float16:
		for i, x := range f {
			f[i] = onnxgraph.Float16ToFloat32(onnxgraph.Float32ToFloat16(x))
		}
	case onnxgraph.BFloat16:
		for i, x := range f {
			f[i] = onnxgraph.BFloat16ToFloat32(onnxgraph.Float32ToBFloat16(x))
		}
	case dtE4M3FN, dtE4M3FNUZ, dtE5M2, dtE5M2FNUZ, dtE8M0:
		for i, x := range f {
			f[i] = onnxgraph.Float8ToFloat32(t.dt, onnxgraph.Float32ToFloat8(t.dt, x, false))
		}
	case dtFloat4:
		for i, x := range f {
			f[i] = onnxgraph.Float4E2M1ToFloat32(onnxgraph.Float32ToFloat4E2M1(x))
		}
	}
}

// shapeString formats a shape as [2,3].
func shapeString(s []int) string {
	b := []byte{'['}
	for i, d := range s {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(d), 10)
	}
	return string(append(b, ']'))
}

// isFloat reports whether dt is a floating-point type.
func isFloat(dt DataType) bool {
	switch dt {
	case onnxgraph.Float, onnxgraph.Double, onnxgraph.Float16, onnxgraph.BFloat16, dtE4M3FN, dtE4M3FNUZ,
		dtE5M2, dtE5M2FNUZ, dtE8M0, dtFloat4:
		return true
	}
	return false
}

// isInt reports whether dt is an integer type.
func isInt(dt DataType) bool {
	switch dt {
	case onnxgraph.Int8, onnxgraph.Int16, onnxgraph.Int32, onnxgraph.Int64, onnxgraph.Uint8, onnxgraph.Uint16,
		onnxgraph.Uint32, onnxgraph.Uint64, dtInt4, dtUint4, dtInt2, dtUint2:
		return true
	}
	return false
}
