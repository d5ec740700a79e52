package onnxgraph

import "github.com/onnxgraph/onnxgraph/onnxproto"

// DataType is an ONNX tensor element type.
type DataType = onnxproto.TensorProto_DataType

// Element types, named as in ONNX.
const (
	Float      = onnxproto.TensorProto_FLOAT
	Uint8      = onnxproto.TensorProto_UINT8
	Int8       = onnxproto.TensorProto_INT8
	Uint16     = onnxproto.TensorProto_UINT16
	Int16      = onnxproto.TensorProto_INT16
	Int32      = onnxproto.TensorProto_INT32
	Int64      = onnxproto.TensorProto_INT64
	String     = onnxproto.TensorProto_STRING
	Bool       = onnxproto.TensorProto_BOOL
	Float16    = onnxproto.TensorProto_FLOAT16
	Double     = onnxproto.TensorProto_DOUBLE
	Uint32     = onnxproto.TensorProto_UINT32
	Uint64     = onnxproto.TensorProto_UINT64
	Complex64  = onnxproto.TensorProto_COMPLEX64
	Complex128 = onnxproto.TensorProto_COMPLEX128
	BFloat16   = onnxproto.TensorProto_BFLOAT16
)

// ElemBits returns the storage width in bits of one element of dt in
// raw_data (4 for int4/uint4/float4e2m1, 2 for int2/uint2), and 0 for
// strings and unknown types.
func ElemBits(dt DataType) int {
	switch dt {
	case onnxproto.TensorProto_FLOAT, onnxproto.TensorProto_INT32, onnxproto.TensorProto_UINT32:
		return 32
	case onnxproto.TensorProto_UINT8, onnxproto.TensorProto_INT8, onnxproto.TensorProto_BOOL,
		onnxproto.TensorProto_FLOAT8E4M3FN, onnxproto.TensorProto_FLOAT8E4M3FNUZ,
		onnxproto.TensorProto_FLOAT8E5M2, onnxproto.TensorProto_FLOAT8E5M2FNUZ, onnxproto.TensorProto_FLOAT8E8M0:
		return 8
	case onnxproto.TensorProto_UINT16, onnxproto.TensorProto_INT16, onnxproto.TensorProto_FLOAT16, onnxproto.TensorProto_BFLOAT16:
		return 16
	case onnxproto.TensorProto_INT64, onnxproto.TensorProto_UINT64, onnxproto.TensorProto_DOUBLE, onnxproto.TensorProto_COMPLEX64:
		return 64
	case onnxproto.TensorProto_COMPLEX128:
		return 128
	case onnxproto.TensorProto_INT4, onnxproto.TensorProto_UINT4, onnxproto.TensorProto_FLOAT4E2M1:
		return 4
	case onnxproto.TensorProto_INT2, onnxproto.TensorProto_UINT2:
		return 2
	}
	return 0
}

// RawSize returns the number of bytes raw_data holds for n elements of dt
// (sub-byte types packed, the last byte padded), or -1 for strings and
// unknown types.
func RawSize(dt DataType, n int64) int64 {
	bits := int64(ElemBits(dt))
	if bits == 0 || n < 0 {
		return -1
	}
	return (n*bits + 7) / 8
}

// NumElements returns the product of dims (1 for a scalar), or -1 when a dim
// is negative or the product overflows int64.
func NumElements(dims []int64) int64 {
	n := int64(1)
	for _, d := range dims {
		if d < 0 || (d != 0 && n > (1<<62)/d) {
			return -1
		}
		n *= d
	}
	return n
}
