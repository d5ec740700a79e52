package onnxgraph

import (
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// encoder turns the IR back into messages. The messages it returns share
// everything they can with the IR (tensors, value infos, node messages
// without subgraphs); callers treat them as read-only.
type encoder struct {
	// tensor, when set, maps each tensor as it is placed into the output
	// (to move it to external data, inline it, or mark it for streaming).
	tensor func(*onnxproto.TensorProto) *onnxproto.TensorProto
	// renamed, when set, is told of each copy of a mapped tensor the
	// encoder makes to give it the name its value has now.
	renamed func(copy, mapped *onnxproto.TensorProto)
}

// rename returns a copy of the mapped tensor t named name.
func (e *encoder) rename(t *onnxproto.TensorProto, name string) *onnxproto.TensorProto {
	c := shallow(t)
	c.Name = proto.String(name)
	if e.renamed != nil {
		e.renamed(c, t)
	}
	return c
}

func (e *encoder) mapTensor(t *onnxproto.TensorProto) *onnxproto.TensorProto {
	if e.tensor == nil || t == nil {
		return t
	}
	return e.tensor(t)
}

func (e *encoder) model(m *Model) *onnxproto.ModelProto {
	mp := shallow(m.p)
	mp.Graph = e.graph(m.graph)
	for _, f := range m.funcs {
		mp.Functions = append(mp.Functions, e.function(f))
	}
	if e.tensor != nil && len(mp.TrainingInfo) > 0 {
		ti := make([]*onnxproto.TrainingInfoProto, len(mp.TrainingInfo))
		for i, t := range mp.TrainingInfo {
			ti[i] = e.mapAll(t).(*onnxproto.TrainingInfoProto)
		}
		mp.TrainingInfo = ti
	}
	return mp
}

func (e *encoder) graph(g *Graph) *onnxproto.GraphProto {
	if g == nil || g.p == nil {
		return nil
	}
	gp := shallow(g.p)
	gp.Node = e.nodes(g.nodes)
	gp.Input = append([]*onnxproto.ValueInfoProto(nil), g.inInfo...)
	gp.Output = append([]*onnxproto.ValueInfoProto(nil), g.outInfo...)
	gp.ValueInfo = append([]*onnxproto.ValueInfoProto(nil), g.valueInfo...)
	if len(g.inits) > 0 {
		gp.Initializer = make([]*onnxproto.TensorProto, len(g.inits))
		for i, v := range g.inits {
			// Map first (the save plan keys tensors by their message), then
			// give the result the value's name when a rename left it stale.
			t := e.mapTensor(v.init)
			if t.GetName() != v.name {
				t = e.rename(t, v.name)
			}
			gp.Initializer[i] = t
		}
	}
	for _, v := range g.sparse {
		st := e.sparse(v.sparse)
		if st.GetValues().GetName() != v.name {
			st = shallow(st)
			st.Values = e.rename(st.Values, v.name)
		}
		gp.SparseInitializer = append(gp.SparseInitializer, st)
	}
	return gp
}

func (e *encoder) nodes(nodes []*Node) []*onnxproto.NodeProto {
	out := make([]*onnxproto.NodeProto, len(nodes))
	for i, n := range nodes {
		out[i] = e.node(n)
	}
	return out
}

func (e *encoder) node(n *Node) *onnxproto.NodeProto {
	attrs := n.p.Attribute
	var mapped []*onnxproto.AttributeProto
	for i, a := range attrs {
		b := e.attr(a)
		if b != a && mapped == nil {
			mapped = append([]*onnxproto.AttributeProto(nil), attrs...)
		}
		if mapped != nil {
			mapped[i] = b
		}
	}
	if len(n.subs) == 0 && mapped == nil {
		return n.p
	}
	if mapped == nil {
		mapped = append([]*onnxproto.AttributeProto(nil), attrs...)
	}
	for _, s := range n.subs {
		a := mapped[s.attr]
		if a == attrs[s.attr] {
			a = shallow(a)
			mapped[s.attr] = a
		}
		gp := e.graph(s.g)
		if s.elem < 0 {
			a.G = gp
			continue
		}
		for len(a.Graphs) <= s.elem {
			a.Graphs = append(a.Graphs, nil)
		}
		a.Graphs[s.elem] = gp
	}
	np := shallow(n.p)
	np.Attribute = mapped
	return np
}

// attr maps the tensors an attribute holds; it returns a itself when none
// changes.
func (e *encoder) attr(a *onnxproto.AttributeProto) *onnxproto.AttributeProto {
	if e.tensor == nil || (a.T == nil && len(a.Tensors) == 0 && a.SparseTensor == nil && len(a.SparseTensors) == 0) {
		return a
	}
	t := e.mapTensor(a.T)
	ts := mapSlice(a.Tensors, e.mapTensor)
	st := e.sparse(a.SparseTensor)
	sts := mapSlice(a.SparseTensors, e.sparse)
	if t == a.T && sameSlice(ts, a.Tensors) && st == a.SparseTensor && sameSlice(sts, a.SparseTensors) {
		return a
	}
	b := shallow(a)
	b.T, b.Tensors, b.SparseTensor, b.SparseTensors = t, ts, st, sts
	return b
}

func (e *encoder) sparse(st *onnxproto.SparseTensorProto) *onnxproto.SparseTensorProto {
	if e.tensor == nil || st == nil {
		return st
	}
	v, i := e.mapTensor(st.Values), e.mapTensor(st.Indices)
	if v == st.Values && i == st.Indices {
		return st
	}
	c := shallow(st)
	c.Values, c.Indices = v, i
	return c
}

func (e *encoder) function(f *Function) *onnxproto.FunctionProto {
	fp := shallow(f.p)
	fp.Node = e.nodes(f.body.nodes)
	fp.Input = make([]string, len(f.body.inputs))
	for i, v := range f.body.inputs {
		fp.Input[i] = v.name
	}
	fp.Output = make([]string, len(f.body.outputs))
	for i, v := range f.body.outputs {
		fp.Output[i] = v.name
	}
	fp.ValueInfo = append([]*onnxproto.ValueInfoProto(nil), f.body.valueInfo...)
	if e.tensor != nil {
		fp.AttributeProto = mapSlice(fp.AttributeProto, func(a *onnxproto.AttributeProto) *onnxproto.AttributeProto {
			return e.mapAll(a).(*onnxproto.AttributeProto)
		})
	}
	return fp
}

// mapAll maps every tensor anywhere inside msg, copying only the messages on
// the path to a changed tensor. It serves the rarely used parts of the
// format the IR keeps as messages (training_info).
func (e *encoder) mapAll(msg proto.Message) proto.Message {
	if t, ok := msg.(*onnxproto.TensorProto); ok {
		return e.mapTensor(t)
	}
	r := msg.ProtoReflect()
	var out protoreflect.Message
	set := func(fd protoreflect.FieldDescriptor, v protoreflect.Value) {
		if out == nil {
			out = shallow(msg).ProtoReflect()
		}
		out.Set(fd, v)
	}
	r.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Message() == nil || !canReachTensor(fd.Message()) {
			return true
		}
		if fd.IsList() {
			l := v.List()
			var nl protoreflect.List
			for i := 0; i < l.Len(); i++ {
				old := l.Get(i).Message().Interface()
				nw := e.mapAll(old)
				if nw != old && nl == nil {
					nl = r.NewField(fd).List()
					for k := 0; k < i; k++ {
						nl.Append(l.Get(k))
					}
				}
				if nl != nil {
					nl.Append(protoreflect.ValueOfMessage(nw.ProtoReflect()))
				}
			}
			if nl != nil {
				set(fd, protoreflect.ValueOfList(nl))
			}
			return true
		}
		old := v.Message().Interface()
		if nw := e.mapAll(old); nw != old {
			set(fd, protoreflect.ValueOfMessage(nw.ProtoReflect()))
		}
		return true
	})
	if out == nil {
		return msg
	}
	return out.Interface()
}

// shallow returns a new message with src's fields: scalars and bytes are
// shared, lists are new slices of the same elements, unknown fields shared.
func shallow[T proto.Message](src T) T {
	// The messages a save copies most, copied field by field (a test
	// checks these against the reflective copy and the descriptors).
	switch x := any(src).(type) {
	case *onnxproto.TensorProto:
		return any(shallowTensor(x)).(T)
	case *onnxproto.NodeProto:
		return any(shallowNode(x)).(T)
	case *onnxproto.AttributeProto:
		return any(shallowAttr(x)).(T)
	}
	return shallowReflect(src)
}

// shallowReflect is shallow for any message, through protoreflect.
func shallowReflect[T proto.Message](src T) T {
	s := src.ProtoReflect()
	d := s.Type().New()
	s.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.IsList() {
			l, sl := d.Mutable(fd).List(), v.List()
			for i := 0; i < sl.Len(); i++ {
				l.Append(sl.Get(i))
			}
			return true
		}
		d.Set(fd, v)
		return true
	})
	if u := s.GetUnknown(); len(u) > 0 {
		d.SetUnknown(u)
	}
	return d.Interface().(T)
}

func mapSlice[T comparable](in []T, f func(T) T) []T {
	var out []T
	for i, x := range in {
		y := f(x)
		if y != x && out == nil {
			out = append([]T(nil), in...)
		}
		if out != nil {
			out[i] = y
		}
	}
	if out == nil {
		return in
	}
	return out
}

func sameSlice[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// The field-by-field copies of shallow: optional scalars get pointers of
// their own, lists new slices of the same elements (nil when empty), bytes
// and messages are shared, unknown fields kept.

func shallowTensor(t *onnxproto.TensorProto) *onnxproto.TensorProto {
	q := &onnxproto.TensorProto{
		Dims:          listOf(t.Dims),
		DataType:      ptrOf(t.DataType),
		Segment:       t.Segment,
		FloatData:     listOf(t.FloatData),
		Int32Data:     listOf(t.Int32Data),
		StringData:    listOf(t.StringData),
		Int64Data:     listOf(t.Int64Data),
		Name:          ptrOf(t.Name),
		DocString:     ptrOf(t.DocString),
		RawData:       t.RawData,
		ExternalData:  listOf(t.ExternalData),
		DataLocation:  ptrOf(t.DataLocation),
		DoubleData:    listOf(t.DoubleData),
		Uint64Data:    listOf(t.Uint64Data),
		MetadataProps: listOf(t.MetadataProps),
	}
	keepUnknown(q, t)
	return q
}

func shallowNode(n *onnxproto.NodeProto) *onnxproto.NodeProto {
	q := &onnxproto.NodeProto{
		Input:                listOf(n.Input),
		Output:               listOf(n.Output),
		Name:                 ptrOf(n.Name),
		OpType:               ptrOf(n.OpType),
		Domain:               ptrOf(n.Domain),
		Overload:             ptrOf(n.Overload),
		Attribute:            listOf(n.Attribute),
		DocString:            ptrOf(n.DocString),
		MetadataProps:        listOf(n.MetadataProps),
		DeviceConfigurations: listOf(n.DeviceConfigurations),
	}
	keepUnknown(q, n)
	return q
}

func shallowAttr(a *onnxproto.AttributeProto) *onnxproto.AttributeProto {
	q := &onnxproto.AttributeProto{
		Name:          ptrOf(a.Name),
		RefAttrName:   ptrOf(a.RefAttrName),
		DocString:     ptrOf(a.DocString),
		Type:          ptrOf(a.Type),
		F:             ptrOf(a.F),
		I:             ptrOf(a.I),
		S:             a.S,
		T:             a.T,
		G:             a.G,
		SparseTensor:  a.SparseTensor,
		Tp:            a.Tp,
		Floats:        listOf(a.Floats),
		Ints:          listOf(a.Ints),
		Strings:       listOf(a.Strings),
		Tensors:       listOf(a.Tensors),
		Graphs:        listOf(a.Graphs),
		SparseTensors: listOf(a.SparseTensors),
		TypeProtos:    listOf(a.TypeProtos),
	}
	keepUnknown(q, a)
	return q
}

// ptrOf returns a new pointer to *p, or nil.
func ptrOf[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// listOf returns a new slice of s's elements, nil when s is empty.
func listOf[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return append([]T(nil), s...)
}

// keepUnknown gives dst src's unknown fields.
func keepUnknown(dst, src proto.Message) {
	if u := src.ProtoReflect().GetUnknown(); len(u) > 0 {
		dst.ProtoReflect().SetUnknown(u)
	}
}
