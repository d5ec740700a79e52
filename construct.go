package onnxgraph

import (
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"google.golang.org/protobuf/proto"
)

// Dim is one dimension of a declared shape: a size (Dim(3)), a named
// dimension (DimParam("N")), or unknown (DimUnknown).
type Dim struct {
	Size  int64  // the size, or -1 when not fixed
	Param string // the name of a symbolic size, "" when none
}

// DimUnknown is a dimension of unknown size.
var DimUnknown = Dim{Size: -1}

// DimOf returns a dimension of fixed size n.
func DimOf(n int64) Dim { return Dim{Size: n} }

// DimParam returns a dimension named name (e.g. "batch").
func DimParam(name string) Dim { return Dim{Size: -1, Param: name} }

// TensorType returns the type of a tensor of element type dt and the given
// shape; a nil dims slice means the rank is unknown.
func TensorType(dt DataType, dims []Dim) *onnxproto.TypeProto {
	tt := &onnxproto.TypeProto_Tensor{ElemType: proto.Int32(int32(dt))}
	if dims != nil {
		tt.Shape = &onnxproto.TensorShapeProto{Dim: make([]*onnxproto.TensorShapeProto_Dimension, len(dims))}
		for i, d := range dims {
			pd := &onnxproto.TensorShapeProto_Dimension{}
			switch {
			case d.Size >= 0:
				pd.Value = &onnxproto.TensorShapeProto_Dimension_DimValue{DimValue: d.Size}
			case d.Param != "":
				pd.Value = &onnxproto.TensorShapeProto_Dimension_DimParam{DimParam: d.Param}
			}
			tt.Shape.Dim[i] = pd
		}
	}
	return &onnxproto.TypeProto{Value: &onnxproto.TypeProto_TensorType{TensorType: tt}}
}

// Dims returns fixed dimensions for sizes, -1 meaning unknown.
func Dims(sizes ...int64) []Dim {
	out := make([]Dim, len(sizes))
	for i, s := range sizes {
		out[i] = Dim{Size: s}
	}
	return out
}

// AddInput appends a graph input called name of type typ (nil: undeclared).
// The name must be new in g's scope.
func (g *Graph) AddInput(name string, typ *onnxproto.TypeProto) (*Value, error) {
	g.model.touch()
	if err := g.checkNewName(name); err != nil {
		return nil, err
	}
	v := g.define(name)
	v.input = true
	var vi *onnxproto.ValueInfoProto
	if g.fn == nil {
		vi = &onnxproto.ValueInfoProto{Name: proto.String(name), Type: typ}
		v.infos = append(v.infos, vi)
	}
	g.inputs = append(g.inputs, v)
	g.inInfo = append(g.inInfo, vi)
	return v, nil
}

// AddInitializer adds t as an initializer of g, under t's name, which must
// be new in g's scope. In the main graph of a model of IR version 3 or
// older it is also listed as a graph input, as those versions require.
func (g *Graph) AddInitializer(t *Tensor) (*Value, error) {
	g.model.touch()
	if err := g.checkNewName(t.Name()); err != nil {
		return nil, err
	}
	v := g.define(t.Name())
	v.init = t.p
	g.model.holdSources(t)
	g.inits = append(g.inits, v)
	if ir := g.model.IRVersion(); ir > 0 && ir < 4 && g.parent == nil && g.fn == nil && g.model.graph == g {
		g.listAsInput(v)
	}
	return v, nil
}

// AddOutput appends v to g's outputs, declaring typ when it is not nil.
func (g *Graph) AddOutput(v *Value, typ *onnxproto.TypeProto) error {
	g.model.touch()
	if v == nil || !visibleFrom(g, v) {
		return errorf(ErrInvalid, "graph %q: output %q is not a value of this graph", g.Name(), nameOf(v))
	}
	var vi *onnxproto.ValueInfoProto
	if g.fn == nil {
		vi = &onnxproto.ValueInfoProto{Name: proto.String(v.name), Type: typ}
		v.infos = append(v.infos, vi)
	}
	g.outputs = append(g.outputs, v)
	g.outInfo = append(g.outInfo, vi)
	return nil
}

// AddNode appends a node running opType (in the default domain; see
// Node.Proto for others) that reads inputs (nil for a missing optional
// input) and writes new values named outputs ("" for a missing optional
// output), with the given attributes. Inputs must be visible from g and
// output names new in its scope; on error g is unchanged.
func (g *Graph) AddNode(opType string, inputs []*Value, outputs []string, attrs ...*onnxproto.AttributeProto) (*Node, error) {
	return g.AddNodeIn("", opType, inputs, outputs, attrs...)
}

// AddNodeIn is AddNode for an operator of domain.
func (g *Graph) AddNodeIn(domain, opType string, inputs []*Value, outputs []string, attrs ...*onnxproto.AttributeProto) (*Node, error) {
	g.model.touch()
	for _, v := range inputs {
		if v != nil && !visibleFrom(g, v) {
			return nil, errorf(ErrInvalid, "node %s: input %q is not visible from graph %q", opType, v.name, g.Name())
		}
	}
	seen := map[string]bool{}
	for _, name := range outputs {
		if name == "" {
			continue
		}
		if seen[name] {
			return nil, errorf(ErrInvalid, "node %s: output %q named twice", opType, name)
		}
		seen[name] = true
		if err := g.checkNewName(name); err != nil {
			return nil, err
		}
	}
	np := &onnxproto.NodeProto{OpType: proto.String(opType), Attribute: attrs}
	if domain != "" {
		np.Domain = proto.String(domain)
	}
	n := &Node{p: np, graph: g}
	np.Output = append([]string(nil), outputs...)
	n.outputs = make([]*Value, len(outputs))
	for k, name := range outputs {
		if name != "" {
			v := g.define(name)
			v.producer, v.index = n, k
			n.outputs[k] = v
		}
	}
	n.inputs = make([]*Value, len(inputs))
	np.Input = make([]string, len(inputs))
	for i, v := range inputs {
		n.attach(i, v)
	}
	g.nodes = append(g.nodes, n)
	return n, nil
}

// SetName sets the node's name.
func (n *Node) SetName(name string) { n.p.Name = proto.String(name) }

// UniqueName returns prefix, or prefix with the smallest "_N" suffix, that
// no value of g or of the graphs around or inside it uses.
func (g *Graph) UniqueName(prefix string) string {
	root := g
	for root.outer() != nil {
		root = root.outer()
	}
	taken := func(name string) bool {
		found := false
		root.Walk(func(s *Graph) bool {
			if _, ok := s.scope[name]; ok {
				found = true
			}
			return !found
		})
		return found
	}
	if !taken(prefix) {
		return prefix
	}
	for i := 1; ; i++ {
		if c := prefix + "_" + itoa(i); !taken(c) {
			return c
		}
	}
}

func (g *Graph) checkNewName(name string) error {
	if name == "" {
		return errorf(ErrInvalid, "graph %q: empty value name", g.Name())
	}
	if _, ok := g.Value(name); ok {
		return errorf(ErrInvalid, "graph %q: name %q is already in use", g.Name(), name)
	}
	return nil
}

func visibleFrom(g *Graph, v *Value) bool {
	for x := g; x != nil; x = x.outer() {
		if v.graph == x {
			return true
		}
	}
	return false
}

// AttrInt returns an INT attribute.
func AttrInt(name string, v int64) *onnxproto.AttributeProto {
	return &onnxproto.AttributeProto{Name: proto.String(name), Type: onnxproto.AttributeProto_INT.Enum(), I: proto.Int64(v)}
}

// AttrInts returns an INTS attribute.
func AttrInts(name string, v ...int64) *onnxproto.AttributeProto {
	return &onnxproto.AttributeProto{Name: proto.String(name), Type: onnxproto.AttributeProto_INTS.Enum(), Ints: append([]int64{}, v...)}
}

// AttrFloat returns a FLOAT attribute.
func AttrFloat(name string, v float32) *onnxproto.AttributeProto {
	return &onnxproto.AttributeProto{Name: proto.String(name), Type: onnxproto.AttributeProto_FLOAT.Enum(), F: proto.Float32(v)}
}

// AttrFloats returns a FLOATS attribute.
func AttrFloats(name string, v ...float32) *onnxproto.AttributeProto {
	return &onnxproto.AttributeProto{Name: proto.String(name), Type: onnxproto.AttributeProto_FLOATS.Enum(), Floats: append([]float32{}, v...)}
}

// AttrString returns a STRING attribute.
func AttrString(name, v string) *onnxproto.AttributeProto {
	return &onnxproto.AttributeProto{Name: proto.String(name), Type: onnxproto.AttributeProto_STRING.Enum(), S: []byte(v)}
}

// AttrTensor returns a TENSOR attribute holding t.
func AttrTensor(name string, t *Tensor) *onnxproto.AttributeProto {
	return &onnxproto.AttributeProto{Name: proto.String(name), Type: onnxproto.AttributeProto_TENSOR.Enum(), T: t.p}
}

// listAsInput makes initializer v also a graph input of g, declared with
// its tensor's type.
func (g *Graph) listAsInput(v *Value) {
	vi := &onnxproto.ValueInfoProto{Name: proto.String(v.name), Type: tensorType(v.init)}
	v.input = true
	v.infos = append(v.infos, vi)
	g.inputs = append(g.inputs, v)
	g.inInfo = append(g.inInfo, vi)
}
