package ort

import (
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/onnxgraph/onnxgraph"
	ortgo "github.com/yalue/onnxruntime_go"
)

// toValue wraps t for onnxruntime_go; the value refers to t.Data.
func toValue(t *Tensor) (ortgo.Value, error) {
	n := onnxgraph.NumElements(t.Shape)
	if size := onnxgraph.RawSize(t.DType, n); n < 0 || size != int64(len(t.Data)) {
		return nil, fmt.Errorf("%d bytes of data for %v of shape %v", len(t.Data), t.DType, t.Shape)
	}
	if len(t.Shape) > 0 && n > 0 {
		return asValue(ortgo.NewCustomDataTensor(ortgo.Shape(t.Shape), t.Data, ortgo.TensorElementDataType(t.DType)))
	}
	// onnxruntime_go's byte-backed tensors need a rank and at least one
	// byte: scalars and empty tensors go through its typed constructors.
	newT := typedCtor(t.DType)
	if newT == nil {
		return nil, fmt.Errorf("scalars and empty tensors of %v are not supported", t.DType)
	}
	return newT(t.Shape, t.Data)
}

// needsDeclared reports whether outputBuffer needs the model's declared
// shape for output x.
func needsDeclared(x ValueInfo) bool {
	return len(x.Shape) == 0 || (copiesWrongly(x.DType) && onnxgraph.NumElements(x.Shape) < 0)
}

// copiesWrongly reports whether onnxruntime_go v1.27.0 copies an output of
// element type dt that ONNX Runtime allocated wrongly: it copies one byte
// per element of every type Go lacks.
func copiesWrongly(dt onnxgraph.DataType) bool {
	return typedCtor(dt) == nil && onnxgraph.ElemBits(dt) != 8
}

// outputBuffer returns a value for the run to write output x into, or nil
// to let ONNX Runtime allocate it. Scalars, and outputs whose element type
// onnxruntime_go copiesWrongly, need one. declared (from declaredShapes; nil
// when not needed) tells scalars from tensors of unknown rank and fills in
// dimensions ONNX Runtime reports as -1.
func outputBuffer(x ValueInfo, declared map[string][]int64) (ortgo.Value, error) {
	shape := slices.Clone(x.Shape)
	rankKnown := len(shape) > 0 // ONNX Runtime reports unknown rank as []
	if d, ok := declared[x.Name]; ok {
		if !rankKnown {
			shape, rankKnown = slices.Clone(d), true
		}
		if len(d) == len(shape) {
			for i := range shape {
				if shape[i] < 0 {
					shape[i] = d[i]
				}
			}
		}
	}
	newT := typedCtor(x.DType)
	switch {
	case rankKnown && len(shape) == 0 && newT != nil:
		return newT(nil, nil)
	case rankKnown && len(shape) == 0:
		return nil, fmt.Errorf("scalars of %v are not supported", x.DType)
	case !copiesWrongly(x.DType):
		return nil, nil
	case !rankKnown || onnxgraph.NumElements(shape) < 0:
		return nil, fmt.Errorf("the shape is known only after the run, and onnxruntime_go copies such outputs of %v wrongly", x.DType)
	}
	size := onnxgraph.RawSize(x.DType, onnxgraph.NumElements(shape))
	if size <= 0 {
		return nil, fmt.Errorf("%v of shape %v is not supported", x.DType, shape)
	}
	return asValue(ortgo.NewCustomDataTensor(ortgo.Shape(shape), make([]byte, size), ortgo.TensorElementDataType(x.DType)))
}

// declaredShapes returns the shapes the model at path declares for its
// graph outputs, by name, with each symbolic dimension set to the size the
// same name has in inputs; unknown sizes are -1, and an output of unknown
// rank has no entry.
func declaredShapes(path string, inputs map[string]*Tensor) (map[string][]int64, error) {
	m, err := onnxgraph.Open(path, &onnxgraph.LoadOptions{SkipExternalCheck: true})
	if err != nil {
		return nil, fmt.Errorf("ort: %w", err)
	}
	defer m.Close()
	sizes := map[string]int64{}
	for _, v := range m.Graph().Inputs() {
		dims, names, ok := v.Shape()
		if t := inputs[v.Name()]; ok && t != nil && len(t.Shape) == len(dims) {
			for i, name := range names {
				if name != "" {
					sizes[name] = t.Shape[i]
				}
			}
		}
	}
	out := map[string][]int64{}
	for _, v := range m.Graph().Outputs() {
		dims, names, ok := v.Shape()
		if !ok {
			continue
		}
		for i, name := range names {
			if size, found := sizes[name]; found && name != "" {
				dims[i] = size
			}
		}
		out[v.Name()] = dims
	}
	return out, nil
}

// typedCtor returns a function that makes a value of dt's Go element type
// from a shape and raw bytes (nil: zeros), or nil when Go has no such type.
func typedCtor(dt onnxgraph.DataType) func(shape []int64, raw []byte) (ortgo.Value, error) {
	switch dt {
	case onnxgraph.Float:
		return newTyped[float32]
	case onnxgraph.Double:
		return newTyped[float64]
	case onnxgraph.Int8:
		return newTyped[int8]
	case onnxgraph.Uint8:
		return newTyped[uint8]
	case onnxgraph.Int16:
		return newTyped[int16]
	case onnxgraph.Uint16:
		return newTyped[uint16]
	case onnxgraph.Int32:
		return newTyped[int32]
	case onnxgraph.Uint32:
		return newTyped[uint32]
	case onnxgraph.Int64:
		return newTyped[int64]
	case onnxgraph.Uint64:
		return newTyped[uint64]
	case onnxgraph.Bool:
		return newTyped[bool]
	}
	return nil
}

func newTyped[T ortgo.TensorData](shape []int64, raw []byte) (ortgo.Value, error) {
	data := make([]T, max(onnxgraph.NumElements(shape), 0))
	if raw != nil {
		if _, err := binary.Decode(raw, binary.LittleEndian, data); err != nil {
			return nil, err
		}
	}
	if len(shape) == 0 {
		return asValue(ortgo.NewScalar(data[0]))
	}
	return asValue(ortgo.NewTensor(ortgo.Shape(shape), data))
}

// asValue returns v as an ortgo.Value, and a nil interface on error (not a
// nil pointer in one).
func asValue[V ortgo.Value](v V, err error) (ortgo.Value, error) {
	if err != nil {
		return nil, err
	}
	return v, nil
}

// fromValue copies an output value into a Tensor.
func fromValue(v ortgo.Value) (*Tensor, error) {
	var data any
	switch v := v.(type) {
	case *ortgo.CustomDataTensor:
		data = v.GetData()
	case *ortgo.Tensor[float32]:
		data = v.GetData()
	case *ortgo.Tensor[float64]:
		data = v.GetData()
	case *ortgo.Tensor[int8]:
		data = v.GetData()
	case *ortgo.Tensor[uint8]:
		data = v.GetData()
	case *ortgo.Tensor[int16]:
		data = v.GetData()
	case *ortgo.Tensor[uint16]:
		data = v.GetData()
	case *ortgo.Tensor[int32]:
		data = v.GetData()
	case *ortgo.Tensor[uint32]:
		data = v.GetData()
	case *ortgo.Tensor[int64]:
		data = v.GetData()
	case *ortgo.Tensor[uint64]:
		data = v.GetData()
	case *ortgo.Tensor[bool]:
		data = v.GetData()
	case *ortgo.Scalar[float32]:
		data = v.GetData()
	case *ortgo.Scalar[float64]:
		data = v.GetData()
	case *ortgo.Scalar[int8]:
		data = v.GetData()
	case *ortgo.Scalar[uint8]:
		data = v.GetData()
	case *ortgo.Scalar[int16]:
		data = v.GetData()
	case *ortgo.Scalar[uint16]:
		data = v.GetData()
	case *ortgo.Scalar[int32]:
		data = v.GetData()
	case *ortgo.Scalar[uint32]:
		data = v.GetData()
	case *ortgo.Scalar[int64]:
		data = v.GetData()
	case *ortgo.Scalar[uint64]:
		data = v.GetData()
	case *ortgo.Scalar[bool]:
		data = v.GetData()
	default:
		return nil, fmt.Errorf("values of Go type %T are not supported", v)
	}
	raw, err := binary.Append([]byte{}, binary.LittleEndian, data)
	if err != nil {
		return nil, err
	}
	return &Tensor{DType: onnxgraph.DataType(v.DataType()), Shape: slices.Clone([]int64(v.GetShape())), Data: raw}, nil
}
