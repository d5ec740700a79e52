package ort

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/onnxgraph/onnxgraph"
)

// RandomInputs returns seeded pseudo-random values for every input Info
// lists, of its element type and shape, with symbolic or unknown
// dimensions set to 1. Floating-point values are uniform in [-1, 1) (float16
// and bfloat16 rounded toward zero); integers lie in [0, 10), so inputs used
// as indices mostly stay in range; booleans are coin flips. The same seed
// gives the same bytes.
func RandomInputs(modelPath string, seed uint64) (map[string]*Tensor, error) {
	inputs, _, err := Info(modelPath)
	if err != nil {
		return nil, err
	}
	r := NewRand(seed)
	out := make(map[string]*Tensor, len(inputs))
	for _, x := range inputs {
		shape := slices.Clone(x.Shape)
		for i, d := range shape {
			if d < 0 {
				shape[i] = 1
			}
		}
		t, err := random(r, x.DType, shape)
		if err != nil {
			return nil, fmt.Errorf("ort: %s: input %q: %w", modelPath, x.Name, err)
		}
		out[x.Name] = t
	}
	return out, nil
}

// random returns a tensor of element type dt and the given shape filled as
// RandomInputs says.
func random(r *rand.Rand, dt onnxgraph.DataType, shape []int64) (*Tensor, error) {
	n := onnxgraph.NumElements(shape)
	size := onnxgraph.RawSize(dt, n)
	if n < 0 || size < 0 {
		return nil, fmt.Errorf("cannot make %v of shape %v", dt, shape)
	}
	uniform := func() float64 { return 2*r.Float64() - 1 }
	small := func() uint64 { return uint64(r.IntN(10)) }
	le := binary.LittleEndian
	b := make([]byte, 0, size)
	for range n {
		switch dt {
		case onnxgraph.Float:
			b = le.AppendUint32(b, math.Float32bits(float32(uniform())))
		case onnxgraph.Double:
			b = le.AppendUint64(b, math.Float64bits(uniform()))
		case onnxgraph.Float16:
			b = le.AppendUint16(b, float16Bits(float32(uniform())))
		case onnxgraph.BFloat16:
			b = le.AppendUint16(b, uint16(math.Float32bits(float32(uniform()))>>16))
		case onnxgraph.Bool:
			b = append(b, byte(r.IntN(2)))
		case onnxgraph.Int8, onnxgraph.Uint8:
			b = append(b, byte(small()))
		case onnxgraph.Int16, onnxgraph.Uint16:
			b = le.AppendUint16(b, uint16(small()))
		case onnxgraph.Int32, onnxgraph.Uint32:
			b = le.AppendUint32(b, uint32(small()))
		case onnxgraph.Int64, onnxgraph.Uint64:
			b = le.AppendUint64(b, small())
		default:
			return nil, fmt.Errorf("random values of %v are not supported", dt)
		}
	}
	return &Tensor{DType: dt, Shape: shape, Data: b}, nil
}

// float16Bits converts f, which must be below 65504 in magnitude, to IEEE
// half precision, rounding toward zero; magnitudes below 2^-14 become zero.
func float16Bits(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int(b>>23&0xff) - 127 + 15
	if exp <= 0 {
		return sign
	}
	return sign | uint16(exp)<<10 | uint16(b>>13&0x3ff)
}
