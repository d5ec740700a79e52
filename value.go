package onnxgraph

import (
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"google.golang.org/protobuf/proto"
)

// Value is a named tensor (or sequence, map, optional) in a graph: a graph
// input, an initializer, a node output, or a name that is used but defined
// nowhere. A value knows the node that produces it and, in order, every node
// input that reads it, including reads from subgraphs nested below its
// graph. Identity is the pointer: two values may share a name only in an
// invalid model, which is kept as it is so that it can be reported.
type Value struct {
	name     string
	graph    *Graph // the scope that defines it
	producer *Node
	index    int // output index at producer
	uses     []Use

	init   *onnxproto.TensorProto       // initializer data, immutable
	sparse *onnxproto.SparseTensorProto // sparse initializer data, immutable
	infos  []*onnxproto.ValueInfoProto  // graph input/output/value_info entries naming it
	input  bool                         // listed among the graph's inputs
	undef  bool                         // referenced but defined nowhere

	pending int32 // while a graph is built: uses not yet recorded
}

// Use is one input slot of one node that reads a value.
type Use struct {
	Node  *Node
	Index int // input index in Node
}

// Name returns the value's name.
func (v *Value) Name() string { return v.name }

// Graph returns the graph whose scope defines v.
func (v *Value) Graph() *Graph { return v.graph }

// Producer returns the node that outputs v and the output's index, or nil
// for graph inputs, initializers and undefined names.
func (v *Value) Producer() (*Node, int) { return v.producer, v.index }

// Uses returns, in order, the node inputs that read v. The slice is a copy.
func (v *Value) Uses() []Use { return append([]Use(nil), v.uses...) }

// NumUses returns how many node inputs read v.
func (v *Value) NumUses() int { return len(v.uses) }

// IsGraphInput reports whether v is listed among its graph's inputs.
func (v *Value) IsGraphInput() bool { return v.input }

// IsGraphOutput reports whether v is an output of its graph.
func (v *Value) IsGraphOutput() bool {
	for _, o := range v.graph.outputs {
		if o == v {
			return true
		}
	}
	return false
}

// IsUndefined reports whether v is read somewhere but defined nowhere, which
// only an invalid model has.
func (v *Value) IsUndefined() bool { return v.undef }

// Initializer returns v's initializer tensor, or nil.
func (v *Value) Initializer() *Tensor {
	if v.init == nil {
		return nil
	}
	return v.graph.model.tensor(v.init)
}

// SparseInitializer returns v's sparse initializer, or nil. The message is
// shared: treat it as read-only.
func (v *Value) SparseInitializer() *onnxproto.SparseTensorProto { return v.sparse }

// Type returns v's declared type (from the graph input, output or value_info
// entry that names it; else an initializer's tensor type, a sparse
// initializer's sparse_tensor type), or nil when none is declared. The
// message is the graph's own: treat it as read-only and use SetType to
// change it.
func (v *Value) Type() *onnxproto.TypeProto {
	for _, vi := range v.infos {
		if vi.Type != nil {
			return vi.Type
		}
	}
	if v.init != nil {
		return tensorType(v.init)
	}
	if v.sparse != nil {
		return sparseTensorType(v.sparse)
	}
	return nil
}

// SetType declares v's type on every entry that names v; when none does, a
// value_info entry is added to v's graph. A nil t clears the declarations.
// The model keeps t itself (other entries get copies): do not change t
// afterwards.
func (v *Value) SetType(t *onnxproto.TypeProto) {
	v.graph.model.touch()
	if len(v.infos) == 0 {
		if t == nil {
			return
		}
		x := &newInfo{name: v.name}
		x.vi.Name = &x.name
		v.infos = x.list[:0:1]
		v.graph.addValueInfo(v, &x.vi)
	}
	for i, vi := range v.infos {
		switch {
		case t == nil:
			vi.Type = nil
		case i == len(v.infos)-1:
			vi.Type = t // the last entry keeps t itself
		default:
			vi.Type = proto.Clone(t).(*onnxproto.TypeProto)
		}
	}
}

// newInfo is a value_info entry SetType adds, its name and the value's
// list of entries, in one allocation (inferring a graph adds one per
// value).
type newInfo struct {
	vi   onnxproto.ValueInfoProto
	name string
	list [1]*onnxproto.ValueInfoProto
}

// ElemType returns the element type of a tensor value, or UNDEFINED when v
// is not a tensor or its type is not known.
func (v *Value) ElemType() onnxproto.TensorProto_DataType {
	if tt := v.Type().GetTensorType(); tt != nil {
		return onnxproto.TensorProto_DataType(tt.GetElemType())
	}
	return onnxproto.TensorProto_UNDEFINED
}

// Shape returns the dims of a tensor value: a known size as itself, a named
// dim as -1 with its name in names, an unknown dim as -1 with "". ok is false
// when the value has no known shape (not even a rank).
func (v *Value) Shape() (dims []int64, names []string, ok bool) {
	tt := v.Type().GetTensorType()
	if tt == nil || tt.Shape == nil {
		if v.init != nil {
			d := v.init.GetDims()
			return append([]int64(nil), d...), make([]string, len(d)), true
		}
		return nil, nil, false
	}
	for _, d := range tt.Shape.Dim {
		switch x := d.Value.(type) {
		case *onnxproto.TensorShapeProto_Dimension_DimValue:
			dims, names = append(dims, x.DimValue), append(names, "")
		case *onnxproto.TensorShapeProto_Dimension_DimParam:
			dims, names = append(dims, -1), append(names, x.DimParam)
		default:
			dims, names = append(dims, -1), append(names, "")
		}
	}
	return dims, names, true
}

// ReplaceAllUsesWith makes every node input that reads v read w instead,
// including reads inside subgraphs. Graph outputs are not uses: see
// Graph.SetOutput. It is the one function through which inputs are rewired,
// so producer and consumer links never drift apart.
func (v *Value) ReplaceAllUsesWith(w *Value) {
	v.graph.model.touch()
	if v == w {
		return
	}
	uses := v.uses
	v.uses = nil // every use detached at once
	for _, u := range uses {
		u.Node.inputs[u.Index] = nil
		u.Node.attach(u.Index, w)
	}
}

// tensorType is the type an initializer implies.
func tensorType(t *onnxproto.TensorProto) *onnxproto.TypeProto {
	return &onnxproto.TypeProto{Value: &onnxproto.TypeProto_TensorType{TensorType: &onnxproto.TypeProto_Tensor{
		ElemType: proto.Int32(t.GetDataType()),
		Shape:    knownShape(t.GetDims()),
	}}}
}

// sparseTensorType is the type of sparse initializer sp, as ONNX types it:
// sparse_tensor of its values' element type and its dims.
func sparseTensorType(sp *onnxproto.SparseTensorProto) *onnxproto.TypeProto {
	return &onnxproto.TypeProto{Value: &onnxproto.TypeProto_SparseTensorType{SparseTensorType: &onnxproto.TypeProto_SparseTensor{
		ElemType: proto.Int32(sp.GetValues().GetDataType()),
		Shape:    knownShape(sp.GetDims()),
	}}}
}

func knownShape(sizes []int64) *onnxproto.TensorShapeProto {
	dims := make([]*onnxproto.TensorShapeProto_Dimension, len(sizes))
	for i, d := range sizes {
		dims[i] = &onnxproto.TensorShapeProto_Dimension{Value: &onnxproto.TensorShapeProto_Dimension_DimValue{DimValue: d}}
	}
	return &onnxproto.TensorShapeProto{Dim: dims}
}

func nameOf(v *Value) string {
	if v == nil {
		return ""
	}
	return v.name
}

// removeUse drops the use (n, i) from v's list.
func (v *Value) removeUse(n *Node, i int) {
	for k, u := range v.uses {
		if u.Node == n && u.Index == i {
			v.uses = append(v.uses[:k], v.uses[k+1:]...)
			return
		}
	}
}
