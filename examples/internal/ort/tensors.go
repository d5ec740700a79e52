package ort

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/onnxgraph/onnxgraph"
)

// randomStream is the PCG stream RandomInputs and NewRand use.
const randomStream = 0x6f6e6e78

// NewRand returns the generator RandomInputs uses for seed: filling the
// inputs of a model in Info's order with RandomTensor from one NewRand(seed)
// gives RandomInputs' bytes.
func NewRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, randomStream)) }

// RandomTensor returns a tensor of element type dt and shape (which must be
// fully known) filled from r as RandomInputs fills inputs.
func RandomTensor(r *rand.Rand, dt onnxgraph.DataType, shape []int64) (*Tensor, error) {
	return random(r, dt, slices.Clone(shape))
}

// Full returns a tensor of element type dt and shape (which must be fully
// known) with every element v: the floating-point types round v to their
// precision (float16 and bfloat16 toward zero), the integer types truncate
// it, and BOOL holds v != 0. Other element types are an error.
func Full(dt onnxgraph.DataType, shape []int64, v float64) (*Tensor, error) {
	n := onnxgraph.NumElements(shape)
	if n < 0 {
		return nil, fmt.Errorf("ort: cannot make %v of shape %v", dt, shape)
	}
	le := binary.LittleEndian
	var elem []byte
	switch dt {
	case onnxgraph.Float:
		elem = le.AppendUint32(nil, math.Float32bits(float32(v)))
	case onnxgraph.Double:
		elem = le.AppendUint64(nil, math.Float64bits(v))
	case onnxgraph.Float16:
		elem = le.AppendUint16(nil, float16Bits(float32(v)))
	case onnxgraph.BFloat16:
		elem = le.AppendUint16(nil, uint16(math.Float32bits(float32(v))>>16))
	case onnxgraph.Bool:
		elem = []byte{0}
		if v != 0 {
			elem[0] = 1
		}
	case onnxgraph.Int8, onnxgraph.Uint8:
		elem = []byte{byte(int64(v))}
	case onnxgraph.Int16, onnxgraph.Uint16:
		elem = le.AppendUint16(nil, uint16(int64(v)))
	case onnxgraph.Int32, onnxgraph.Uint32:
		elem = le.AppendUint32(nil, uint32(int64(v)))
	case onnxgraph.Int64, onnxgraph.Uint64:
		elem = le.AppendUint64(nil, uint64(int64(v)))
	default:
		return nil, fmt.Errorf("ort: constant values of %v are not supported", dt)
	}
	data := make([]byte, 0, int64(len(elem))*n)
	for range n {
		data = append(data, elem...)
	}
	return &Tensor{DType: dt, Shape: slices.Clone(shape), Data: data}, nil
}

// FromGraph returns t's element type, shape and data (read from its external
// file if need be) as a Tensor. Strings are not supported.
func FromGraph(t *onnxgraph.Tensor) (*Tensor, error) {
	raw, err := t.Bytes()
	if err != nil {
		return nil, fmt.Errorf("ort: tensor %q: %w", t.Name(), err)
	}
	return &Tensor{DType: t.DataType(), Shape: t.Dims(), Data: slices.Clone(raw)}, nil
}

// Graph returns t as an onnxgraph tensor named name, sharing t's data.
func (t *Tensor) Graph(name string) (*onnxgraph.Tensor, error) {
	return onnxgraph.NewTensor(name, t.DType, t.Shape, t.Data)
}

// SparseTensor is a sparse tensor in COO form: the dense shape, the raw
// little-endian values of its NNZ stored elements, and their indices,
// either NNZ linear indices into the dense tensor or NNZ×rank coordinates.
type SparseTensor struct {
	DType   onnxgraph.DataType
	Shape   []int64
	Values  []byte
	Indices []int64
}
