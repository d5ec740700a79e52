package onnxgraph

import (
	"maps"

	"github.com/onnxgraph/onnxgraph/onnxproto"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Clone returns an independent copy of m: editing one never changes the
// other. Tensor data is shared, not copied (tensors are immutable), so a
// clone costs time and memory in proportion to the graph, not the weights.
// A recorded chain error is copied too.
func (m *Model) Clone() *Model {
	c := &Model{err: m.err, types: m.types.fresh()}
	if m.p == nil {
		return c
	}
	c.p = cloneShare(m.p)
	c.ext = maps.Clone(m.ext)
	c.shareMaps(m.maps)
	c.danglingBind = maps.Clone(m.danglingBind)
	k := cloner{m: c, vals: map[*Value]*Value{}, nodes: map[*Node]*Node{}, infos: map[*onnxproto.ValueInfoProto]*onnxproto.ValueInfoProto{}, graphs: map[*Graph]*Graph{}}
	if m.graph != nil {
		c.graph = k.graph(m.graph, nil)
	}
	for _, f := range m.funcs {
		nf := &Function{p: cloneShare(f.p), model: c}
		nf.body = k.graph(f.body, nil)
		nf.body.fn = nf
		c.funcs = append(c.funcs, nf)
	}
	for old, nv := range k.vals {
		nv.graph = k.graphs[old.graph]
		if old.producer != nil {
			nv.producer = k.nodes[old.producer]
		}
		if len(old.uses) > 0 {
			nv.uses = make([]Use, len(old.uses))
			for i, u := range old.uses {
				nv.uses[i] = Use{Node: k.nodes[u.Node], Index: u.Index}
			}
		}
	}
	return c
}

type cloner struct {
	m      *Model
	vals   map[*Value]*Value
	nodes  map[*Node]*Node
	infos  map[*onnxproto.ValueInfoProto]*onnxproto.ValueInfoProto
	graphs map[*Graph]*Graph
	slab   []Value // room for the values of the graph being cloned
}

func (k *cloner) graph(g *Graph, parent *Node) *Graph {
	ng := &Graph{model: k.m, parent: parent, scope: make(map[string]*Value, len(g.scope))}
	if g.p != nil {
		ng.p = cloneShare(g.p)
	}
	k.graphs[g] = ng
	ng.dangling = maps.Clone(g.dangling)
	// Values are made as Decode makes them: from one block per graph, in
	// graph order (inputs, initializers, node outputs, then the rest of
	// the scope), so that a walk of the clone in order reads memory in
	// order.
	k.slab = make([]Value, 0, len(g.scope)+len(g.undef))
	for _, list := range [][]*Value{g.inputs, g.inits, g.sparse} {
		for _, v := range list {
			k.val(v)
		}
	}
	for _, n := range g.nodes {
		for _, v := range n.outputs {
			k.val(v)
		}
	}
	for name, v := range g.scope {
		ng.scope[name] = k.val(v)
	}
	if g.undef != nil {
		ng.undef = make(map[string]*Value, len(g.undef))
		for name, v := range g.undef {
			ng.undef[name] = k.val(v)
		}
	}
	ng.inputs = k.vs(g.inputs)
	ng.outputs = k.vs(g.outputs)
	ng.inits = k.vs(g.inits)
	ng.sparse = k.vs(g.sparse)
	ng.inInfo = k.is(g.inInfo)
	ng.outInfo = k.is(g.outInfo)
	ng.valueInfo = k.is(g.valueInfo)
	ng.viValue = k.vs(g.viValue)
	ng.nodes = make([]*Node, len(g.nodes))
	for i, n := range g.nodes {
		nn := &Node{p: cloneNodeProto(n.p), graph: ng}
		k.nodes[n] = nn
		nn.inputs = k.vs(n.inputs)
		nn.outputs = k.vs(n.outputs)
		ng.nodes[i] = nn
	}
	for i, n := range g.nodes {
		nn := ng.nodes[i]
		for _, s := range n.subs {
			nn.subs = append(nn.subs, subgraph{attr: s.attr, elem: s.elem, g: k.graph(s.g, nn)})
		}
	}
	return ng
}

func (k *cloner) val(v *Value) *Value {
	if v == nil {
		return nil
	}
	if nv, ok := k.vals[v]; ok {
		return nv
	}
	// graph and producer are linked once every graph and node is cloned.
	var nv *Value
	if len(k.slab) < cap(k.slab) {
		k.slab = k.slab[:len(k.slab)+1]
		nv = &k.slab[len(k.slab)-1]
	} else {
		nv = new(Value)
	}
	*nv = Value{name: v.name, init: v.init, sparse: v.sparse, input: v.input, undef: v.undef, index: v.index}
	k.vals[v] = nv
	nv.infos = k.is(v.infos)
	return nv
}

func (k *cloner) vs(in []*Value) []*Value {
	if in == nil {
		return nil
	}
	out := make([]*Value, len(in))
	for i, v := range in {
		out[i] = k.val(v)
	}
	return out
}

func (k *cloner) is(in []*onnxproto.ValueInfoProto) []*onnxproto.ValueInfoProto {
	if in == nil {
		return nil
	}
	out := make([]*onnxproto.ValueInfoProto, len(in))
	for i, vi := range in {
		if vi == nil {
			continue
		}
		nv, ok := k.infos[vi]
		if !ok {
			nv = proto.Clone(vi).(*onnxproto.ValueInfoProto)
			k.infos[vi] = nv
		}
		out[i] = nv
	}
	return out
}

// cloneShare deep-copies msg but shares tensors (immutable) and bytes.
func cloneShare[T proto.Message](msg T) T {
	return cloneMsg(msg.ProtoReflect()).Interface().(T)
}

func cloneMsg(s protoreflect.Message) protoreflect.Message {
	if _, ok := s.Interface().(*onnxproto.TensorProto); ok {
		return s
	}
	d := s.Type().New()
	s.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsList():
			l, sl := d.Mutable(fd).List(), v.List()
			for i := 0; i < sl.Len(); i++ {
				e := sl.Get(i)
				if fd.Message() != nil {
					e = protoreflect.ValueOfMessage(cloneMsg(e.Message()))
				}
				l.Append(e)
			}
		case fd.Message() != nil:
			d.Set(fd, protoreflect.ValueOfMessage(cloneMsg(v.Message())))
		default:
			d.Set(fd, v)
		}
		return true
	})
	if u := s.GetUnknown(); len(u) > 0 {
		d.SetUnknown(append([]byte(nil), u...))
	}
	return d
}

// cloneNodeProto is cloneShare for the hottest message, written out.
// TestCloneNodeProtoCoversEveryField keeps it in step with the schema.
func cloneNodeProto(p *onnxproto.NodeProto) *onnxproto.NodeProto {
	q := &onnxproto.NodeProto{
		Input:     append([]string(nil), p.Input...),
		Output:    append([]string(nil), p.Output...),
		Name:      p.Name,
		OpType:    p.OpType,
		Domain:    p.Domain,
		Overload:  p.Overload,
		DocString: p.DocString,
	}
	if p.Attribute != nil {
		q.Attribute = make([]*onnxproto.AttributeProto, len(p.Attribute))
		for i, a := range p.Attribute {
			q.Attribute[i] = cloneAttr(a)
		}
	}
	for _, kv := range p.MetadataProps {
		q.MetadataProps = append(q.MetadataProps, proto.Clone(kv).(*onnxproto.StringStringEntryProto))
	}
	for _, dc := range p.DeviceConfigurations {
		q.DeviceConfigurations = append(q.DeviceConfigurations, proto.Clone(dc).(*onnxproto.NodeDeviceConfigurationProto))
	}
	if u := p.ProtoReflect().GetUnknown(); len(u) > 0 {
		q.ProtoReflect().SetUnknown(append([]byte(nil), u...))
	}
	return q
}

func cloneAttr(a *onnxproto.AttributeProto) *onnxproto.AttributeProto {
	b := &onnxproto.AttributeProto{
		Name:          a.Name,
		RefAttrName:   a.RefAttrName,
		DocString:     a.DocString,
		Type:          a.Type,
		F:             a.F,
		I:             a.I,
		S:             a.S,
		T:             a.T,
		SparseTensor:  a.SparseTensor,
		Floats:        append([]float32(nil), a.Floats...),
		Ints:          append([]int64(nil), a.Ints...),
		Strings:       append([][]byte(nil), a.Strings...),
		Tensors:       append([]*onnxproto.TensorProto(nil), a.Tensors...),
		SparseTensors: append([]*onnxproto.SparseTensorProto(nil), a.SparseTensors...),
	}
	if a.G != nil {
		b.G = cloneShare(a.G)
	}
	for _, g := range a.Graphs {
		b.Graphs = append(b.Graphs, cloneShare(g))
	}
	if a.Tp != nil {
		b.Tp = proto.Clone(a.Tp).(*onnxproto.TypeProto)
	}
	for _, tp := range a.TypeProtos {
		b.TypeProtos = append(b.TypeProtos, proto.Clone(tp).(*onnxproto.TypeProto))
	}
	if u := a.ProtoReflect().GetUnknown(); len(u) > 0 {
		b.ProtoReflect().SetUnknown(append([]byte(nil), u...))
	}
	return b
}
