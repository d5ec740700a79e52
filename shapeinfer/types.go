package shapeinfer

import (
	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"google.golang.org/protobuf/proto"
)

// Kind is what a value holds.
type Kind uint8

// Kinds of values.
const (
	KindUnknown Kind = iota
	KindTensor
	KindSparseTensor
	KindSequence
	KindMap
	KindOptional
)

// Type is an inferred type. For tensors Elem is the element type and Shape
// the shape (nil when the rank is unknown); sequences and optionals hold
// their element type in Sub; maps have key type Elem and value type Sub.
type Type struct {
	Kind  Kind
	Elem  onnxgraph.DataType
	Shape Shape // nil: rank unknown
	Sub   *Type
}

// Tensor returns a tensor type.
func Tensor(elem onnxgraph.DataType, shape Shape) *Type {
	return &Type{Kind: KindTensor, Elem: elem, Shape: shape}
}

// SequenceOf returns the type of a sequence of t.
func SequenceOf(t *Type) *Type { return &Type{Kind: KindSequence, Sub: t} }

// OptionalOf returns the type of an optional t.
func OptionalOf(t *Type) *Type { return &Type{Kind: KindOptional, Sub: t} }

// IsTensor reports whether t is a tensor type.
func (t *Type) IsTensor() bool { return t != nil && t.Kind == KindTensor }

// HasShape reports whether t is a tensor of known rank.
func (t *Type) HasShape() bool { return t.IsTensor() && t.Shape != nil }

// Complete reports whether t is fully known: element types set and every
// dim known or symbolic.
func (t *Type) Complete() bool {
	if t == nil {
		return false
	}
	switch t.Kind {
	case KindTensor, KindSparseTensor:
		return t.Elem != onnxgraph.DataType(0) && t.Shape != nil && t.Shape.Full()
	case KindSequence, KindOptional:
		return t.Sub.Complete()
	case KindMap:
		return t.Elem != 0 && t.Sub.Complete()
	}
	return false
}

// String renders t: "float32[N,3]", "seq(int64[?])", "float32[?rank]".
func (t *Type) String() string {
	if t == nil {
		return "unknown"
	}
	switch t.Kind {
	case KindTensor, KindSparseTensor:
		s := onnxgraph.DataTypeName(t.Elem)
		if t.Elem == 0 {
			s = "?"
		}
		if t.Kind == KindSparseTensor {
			s = "sparse " + s
		}
		if t.Shape == nil {
			return s + "[*]"
		}
		return s + t.Shape.String()
	case KindSequence:
		return "seq(" + t.Sub.String() + ")"
	case KindOptional:
		return "optional(" + t.Sub.String() + ")"
	case KindMap:
		return "map(" + onnxgraph.DataTypeName(t.Elem) + "," + t.Sub.String() + ")"
	}
	return "unknown"
}

// FromProto converts a declared type. A dim_param is read by ParseDim: an
// expression such as "floor((H+1)/2)" (as Infer writes them) keeps its
// structure, any other name is a symbol; dims without value or name are
// unknown.
func FromProto(p *onnxproto.TypeProto) *Type {
	switch v := p.GetValue().(type) {
	case *onnxproto.TypeProto_TensorType:
		return &Type{Kind: KindTensor, Elem: onnxgraph.DataType(v.TensorType.GetElemType()), Shape: shapeFromProto(v.TensorType.Shape)}
	case *onnxproto.TypeProto_SparseTensorType:
		return &Type{Kind: KindSparseTensor, Elem: onnxgraph.DataType(v.SparseTensorType.GetElemType()), Shape: shapeFromProto(v.SparseTensorType.Shape)}
	case *onnxproto.TypeProto_SequenceType:
		return &Type{Kind: KindSequence, Sub: FromProto(v.SequenceType.GetElemType())}
	case *onnxproto.TypeProto_OptionalType:
		return &Type{Kind: KindOptional, Sub: FromProto(v.OptionalType.GetElemType())}
	case *onnxproto.TypeProto_MapType:
		return &Type{Kind: KindMap, Elem: onnxgraph.DataType(v.MapType.GetKeyType()), Sub: FromProto(v.MapType.GetValueType())}
	}
	return nil
}

func shapeFromProto(s *onnxproto.TensorShapeProto) Shape {
	if s == nil {
		return nil
	}
	out := make(Shape, len(s.Dim))
	for i, d := range s.Dim {
		switch x := d.Value.(type) {
		case *onnxproto.TensorShapeProto_Dimension_DimValue:
			out[i] = Known(x.DimValue)
		case *onnxproto.TensorShapeProto_Dimension_DimParam:
			if x.DimParam != "" {
				out[i] = ParseDim(x.DimParam)
			}
		}
	}
	return out
}

// Proto converts t to a TypeProto; symbolic dims become dim_params.
func (t *Type) Proto() *onnxproto.TypeProto {
	return newProtoBatch([]*Type{t}).proto(t)
}

// protoBatch converts types to TypeProtos with a few allocations: the
// messages of all the tensor types it was made for come from one slice per
// message type, sized by a first pass. Other types (rare) are allocated
// one message at a time.
type protoBatch struct {
	types  []onnxproto.TypeProto
	wraps  []onnxproto.TypeProto_TensorType
	ttypes []onnxproto.TypeProto_Tensor
	elems  []int32
	shapes []onnxproto.TensorShapeProto
	dims   []onnxproto.TensorShapeProto_Dimension
	dimPs  []*onnxproto.TensorShapeProto_Dimension
	values []onnxproto.TensorShapeProto_Dimension_DimValue
	params []onnxproto.TensorShapeProto_Dimension_DimParam
}

// newProtoBatch returns a batch with room for the tensor types of ts.
func newProtoBatch(ts []*Type) *protoBatch {
	var n, shapes, dims, values, params int
	for _, t := range ts {
		if t == nil || t.Kind != KindTensor {
			continue
		}
		n++
		if t.Shape != nil {
			shapes++
			dims += len(t.Shape)
		}
		for _, d := range t.Shape {
			if _, ok := d.Value(); ok {
				values++
			} else if !d.IsUnknown() {
				params++
			}
		}
	}
	return &protoBatch{
		types: make([]onnxproto.TypeProto, n), wraps: make([]onnxproto.TypeProto_TensorType, n),
		ttypes: make([]onnxproto.TypeProto_Tensor, n), elems: make([]int32, n),
		shapes: make([]onnxproto.TensorShapeProto, shapes), dims: make([]onnxproto.TensorShapeProto_Dimension, dims),
		dimPs: make([]*onnxproto.TensorShapeProto_Dimension, dims), values: make([]onnxproto.TensorShapeProto_Dimension_DimValue, values),
		params: make([]onnxproto.TensorShapeProto_Dimension_DimParam, params),
	}
}

// take returns the first n elements of *s, removed from it, with a
// capacity of n; new ones when *s is short.
func take[T any](s *[]T, n int) []T {
	if len(*s) < n {
		return make([]T, n)
	}
	out := (*s)[:n:n]
	*s = (*s)[n:]
	return out
}

func (b *protoBatch) proto(t *Type) *onnxproto.TypeProto {
	if t == nil {
		return nil
	}
	switch t.Kind {
	case KindTensor:
		tt := &take(&b.ttypes, 1)[0]
		elem := &take(&b.elems, 1)[0]
		*elem = int32(t.Elem)
		tt.ElemType, tt.Shape = elem, b.shape(t.Shape)
		w := &take(&b.wraps, 1)[0]
		w.TensorType = tt
		p := &take(&b.types, 1)[0]
		p.Value = w
		return p
	case KindSparseTensor:
		tt := &onnxproto.TypeProto_SparseTensor{ElemType: proto.Int32(int32(t.Elem)), Shape: b.shape(t.Shape)}
		return &onnxproto.TypeProto{Value: &onnxproto.TypeProto_SparseTensorType{SparseTensorType: tt}}
	case KindSequence:
		return &onnxproto.TypeProto{Value: &onnxproto.TypeProto_SequenceType{SequenceType: &onnxproto.TypeProto_Sequence{ElemType: b.proto(t.Sub)}}}
	case KindOptional:
		return &onnxproto.TypeProto{Value: &onnxproto.TypeProto_OptionalType{OptionalType: &onnxproto.TypeProto_Optional{ElemType: b.proto(t.Sub)}}}
	case KindMap:
		return &onnxproto.TypeProto{Value: &onnxproto.TypeProto_MapType{MapType: &onnxproto.TypeProto_Map{KeyType: proto.Int32(int32(t.Elem)), ValueType: b.proto(t.Sub)}}}
	}
	return nil
}

func (b *protoBatch) shape(s Shape) *onnxproto.TensorShapeProto {
	if s == nil {
		return nil
	}
	out := &take(&b.shapes, 1)[0]
	out.Dim = take(&b.dimPs, len(s))
	dims := take(&b.dims, len(s))
	for i, d := range s {
		pd := &dims[i]
		if v, ok := d.Value(); ok {
			w := &take(&b.values, 1)[0]
			w.DimValue = v
			pd.Value = w
		} else if !d.IsUnknown() {
			w := &take(&b.params, 1)[0]
			w.DimParam = d.String()
			pd.Value = w
		}
		out.Dim[i] = pd
	}
	return out
}
