package shapeinfer

import (
	"encoding/binary"
	"math"

	"github.com/onnxgraph/onnxgraph"
)

// Data is the partially known content of a small tensor, propagated through
// shape computations (Shape -> Gather -> Concat -> Reshape). Integer and
// bool tensors hold each element as a Dim, so an element may be a constant,
// a symbol (the batch size read by Shape) or unknown; floating tensors hold
// fully known values.
type Data struct {
	Shape  []int64   // the tensor's shape; nil for a scalar
	Ints   []Dim     // integer or bool elements, row-major; nil for floats
	Floats []float64 // floating elements when known; nil for integers
}

// IntData returns integer data of the given shape.
func IntData(shape []int64, vals ...Dim) *Data { return &Data{Shape: shape, Ints: vals} }

// Vector returns a 1-D integer Data of vals.
func Vector(vals ...Dim) *Data { return &Data{Shape: []int64{int64(len(vals))}, Ints: vals} }

// Len returns the element count.
func (d *Data) Len() int {
	if d.Floats != nil {
		return len(d.Floats)
	}
	return len(d.Ints)
}

// KnownInts returns the integer elements when all are known constants.
func (d *Data) KnownInts() ([]int64, bool) {
	if d == nil || d.Floats != nil {
		return nil, false
	}
	out := make([]int64, len(d.Ints))
	for i, x := range d.Ints {
		v, ok := x.Value()
		if !ok {
			return nil, false
		}
		out[i] = v
	}
	return out, true
}

// maxData is the largest tensor (in elements) read as data: shape
// computations use small tensors, and reading weights is what this avoids.
const maxData = 1 << 16

// trackable reports whether data of shape sh is small enough to track:
// the product of its non-zero dims is at most maxData, so that walking any
// part of it is bounded even when it has no elements ([2^40, 0], say).
func trackable(sh []int64) bool {
	p := int64(1)
	for _, d := range sh {
		if d < 0 || d > maxData {
			return false
		}
		if d > 0 {
			if p *= d; p > maxData {
				return false
			}
		}
	}
	return true
}

// tensorData decodes a small constant tensor; nil when too large or of an
// element type shape computations do not use.
func tensorData(t *onnxgraph.Tensor) *Data {
	dims := t.Dims()
	n := onnxgraph.NumElements(dims)
	if n < 0 || n > maxData || !trackable(dims) {
		return nil
	}
	raw, err := t.Bytes()
	if err != nil || onnxgraph.RawSize(t.DataType(), n) != int64(len(raw)) {
		return nil
	}
	d := &Data{Shape: dims}
	if len(dims) == 0 {
		d.Shape = nil
	}
	switch t.DataType() {
	case onnxgraph.Int64:
		d.Ints = make([]Dim, n)
		for i := range d.Ints {
			d.Ints[i] = Known(int64(binary.LittleEndian.Uint64(raw[8*i:])))
		}
	case onnxgraph.Int32:
		d.Ints = make([]Dim, n)
		for i := range d.Ints {
			d.Ints[i] = Known(int64(int32(binary.LittleEndian.Uint32(raw[4*i:]))))
		}
	case onnxgraph.Uint64:
		d.Ints = make([]Dim, n)
		for i := range d.Ints {
			d.Ints[i] = Known(int64(binary.LittleEndian.Uint64(raw[8*i:])))
		}
	case onnxgraph.Uint32:
		d.Ints = make([]Dim, n)
		for i := range d.Ints {
			d.Ints[i] = Known(int64(binary.LittleEndian.Uint32(raw[4*i:])))
		}
	case onnxgraph.Int16, onnxgraph.Uint16:
		d.Ints = make([]Dim, n)
		for i := range d.Ints {
			v := int64(binary.LittleEndian.Uint16(raw[2*i:]))
			if t.DataType() == onnxgraph.Int16 {
				v = int64(int16(v))
			}
			d.Ints[i] = Known(v)
		}
	case onnxgraph.Int8, onnxgraph.Uint8, onnxgraph.Bool:
		d.Ints = make([]Dim, n)
		for i := range d.Ints {
			v := int64(raw[i])
			if t.DataType() == onnxgraph.Int8 {
				v = int64(int8(raw[i]))
			}
			d.Ints[i] = Known(v)
		}
	case onnxgraph.Float:
		d.Floats = make([]float64, n)
		for i := range d.Floats {
			d.Floats[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:])))
		}
	case onnxgraph.Double:
		d.Floats = make([]float64, n)
		for i := range d.Floats {
			d.Floats[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
		}
	default:
		return nil
	}
	if d.Ints == nil && d.Floats == nil {
		d.Ints = []Dim{}
	}
	return d
}

// TensorData returns the contents of a small constant tensor as Data, nil
// when it is larger than shape computations use or of an element type
// they do not.
func TensorData(t *onnxgraph.Tensor) *Data { return tensorData(t) }
