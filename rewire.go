package onnxgraph

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/onnxgraph/onnxgraph/onnxproto"
)

// JunctionError names the two values of a junction whose types do not fit.
// Src is the value that will be read; Dst is the value it stands in for.
type JunctionError struct {
	Op      string // the edit: "merge step 1", "rewire", "delete node \"n\""
	Src     string // the value that will be read
	Dst     string // the value it replaces
	SrcType string // Src's type, as "float32[1,3,N]"
	DstType string // Dst's type
	Reason  string // what does not fit
}

func (e *JunctionError) Error() string {
	return fmt.Sprintf("onnxgraph: %s: %q (%s) cannot stand in for %q (%s): %s", e.Op, e.Src, e.SrcType, e.Dst, e.DstType, e.Reason)
}

// Unwrap returns ErrJunction.
func (e *JunctionError) Unwrap() error { return ErrJunction }

// Culprit returns the value being replaced.
func (e *JunctionError) Culprit() string { return e.Dst }

// typeMismatch says why a value of type src cannot stand in for one of type
// dst, or "" when it can. Unknown types (nil, element type 0, no shape)
// match anything; symbolic and unknown dims match any size. relaxShapes
// skips the shape comparison.
func typeMismatch(src, dst *onnxproto.TypeProto, relaxShapes bool) string {
	if src == nil || dst == nil || src.GetValue() == nil || dst.GetValue() == nil {
		return ""
	}
	switch s := src.GetValue().(type) {
	case *onnxproto.TypeProto_TensorType:
		d, ok := dst.GetValue().(*onnxproto.TypeProto_TensorType)
		if !ok {
			return "one is a tensor, the other a " + typeKind(dst)
		}
		return tensorMismatch(s.TensorType.GetElemType(), d.TensorType.GetElemType(), s.TensorType.GetShape(), d.TensorType.GetShape(), relaxShapes)
	case *onnxproto.TypeProto_SparseTensorType:
		d, ok := dst.GetValue().(*onnxproto.TypeProto_SparseTensorType)
		if !ok {
			return "one is a sparse tensor, the other a " + typeKind(dst)
		}
		return tensorMismatch(s.SparseTensorType.GetElemType(), d.SparseTensorType.GetElemType(), s.SparseTensorType.GetShape(), d.SparseTensorType.GetShape(), relaxShapes)
	case *onnxproto.TypeProto_SequenceType:
		d, ok := dst.GetValue().(*onnxproto.TypeProto_SequenceType)
		if !ok {
			return "one is a sequence, the other a " + typeKind(dst)
		}
		if r := typeMismatch(s.SequenceType.GetElemType(), d.SequenceType.GetElemType(), relaxShapes); r != "" {
			return "sequence elements: " + r
		}
	case *onnxproto.TypeProto_OptionalType:
		d, ok := dst.GetValue().(*onnxproto.TypeProto_OptionalType)
		if !ok {
			return "one is an optional, the other a " + typeKind(dst)
		}
		if r := typeMismatch(s.OptionalType.GetElemType(), d.OptionalType.GetElemType(), relaxShapes); r != "" {
			return "optional element: " + r
		}
	case *onnxproto.TypeProto_MapType:
		d, ok := dst.GetValue().(*onnxproto.TypeProto_MapType)
		if !ok {
			return "one is a map, the other a " + typeKind(dst)
		}
		if s.MapType.GetKeyType() != d.MapType.GetKeyType() {
			return "map key types differ"
		}
		if r := typeMismatch(s.MapType.GetValueType(), d.MapType.GetValueType(), relaxShapes); r != "" {
			return "map values: " + r
		}
	}
	return ""
}

func tensorMismatch(se, de int32, ss, ds *onnxproto.TensorShapeProto, relaxShapes bool) string {
	if se != 0 && de != 0 && se != de {
		return "element types differ"
	}
	if relaxShapes || ss == nil || ds == nil {
		return ""
	}
	if len(ss.Dim) != len(ds.Dim) {
		return fmt.Sprintf("ranks differ (%d and %d)", len(ss.Dim), len(ds.Dim))
	}
	for i := range ss.Dim {
		a, aok := ss.Dim[i].GetValue().(*onnxproto.TensorShapeProto_Dimension_DimValue)
		b, bok := ds.Dim[i].GetValue().(*onnxproto.TensorShapeProto_Dimension_DimValue)
		if aok && bok && a.DimValue != b.DimValue {
			return fmt.Sprintf("dimension %d differs (%d and %d)", i, a.DimValue, b.DimValue)
		}
	}
	return ""
}

func typeKind(t *onnxproto.TypeProto) string {
	switch t.GetValue().(type) {
	case *onnxproto.TypeProto_TensorType:
		return "tensor"
	case *onnxproto.TypeProto_SparseTensorType:
		return "sparse tensor"
	case *onnxproto.TypeProto_SequenceType:
		return "sequence"
	case *onnxproto.TypeProto_OptionalType:
		return "optional"
	case *onnxproto.TypeProto_MapType:
		return "map"
	}
	return "value of unknown kind"
}

// typeLabel renders a type for messages and reports: "float32[1,3,N]",
// "int64" (rank unknown), "seq(float32)", "?" when nil.
func typeLabel(t *onnxproto.TypeProto) string {
	s := TypeString(t)
	if s == "" {
		return "?"
	}
	var shape *onnxproto.TensorShapeProto
	switch v := t.GetValue().(type) {
	case *onnxproto.TypeProto_TensorType:
		shape = v.TensorType.GetShape()
	case *onnxproto.TypeProto_SparseTensorType:
		shape = v.SparseTensorType.GetShape()
	}
	if shape != nil {
		s += shapeLabel(shape)
	}
	return s
}

func shapeLabel(shape *onnxproto.TensorShapeProto) string {
	parts := make([]string, len(shape.Dim))
	for i, d := range shape.Dim {
		switch x := d.GetValue().(type) {
		case *onnxproto.TensorShapeProto_Dimension_DimValue:
			parts[i] = strconv.FormatInt(x.DimValue, 10)
		case *onnxproto.TensorShapeProto_Dimension_DimParam:
			parts[i] = x.DimParam
		default:
			parts[i] = "?"
		}
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// hasShape reports whether t declares a shape (for tensors) or is a
// non-tensor type, which has no shape to miss.
func hasShape(t *onnxproto.TypeProto) bool {
	switch v := t.GetValue().(type) {
	case *onnxproto.TypeProto_TensorType:
		return v.TensorType.GetShape() != nil
	case *onnxproto.TypeProto_SparseTensorType:
		return v.SparseTensorType.GetShape() != nil
	}
	return t.GetValue() != nil
}

// hasElemType reports whether t says what it holds.
func hasElemType(t *onnxproto.TypeProto) bool {
	switch v := t.GetValue().(type) {
	case *onnxproto.TypeProto_TensorType:
		return v.TensorType.GetElemType() != 0
	case *onnxproto.TypeProto_SparseTensorType:
		return v.SparseTensorType.GetElemType() != 0
	case nil:
		return false
	}
	return true
}

// boundaryType is the type to declare for v when it becomes a graph input
// or output: its declared type when that has an element type and a shape,
// else what typeOf says (when set and not nil), else whatever is declared.
func boundaryType(v *Value, typeOf func(*Value) *onnxproto.TypeProto) *onnxproto.TypeProto {
	d := v.Type()
	if hasElemType(d) && hasShape(d) {
		return d
	}
	if typeOf != nil {
		if t := typeOf(v); t != nil {
			return t
		}
	}
	return d
}

// nodesByName maps node names to the nodes that carry them in g and every
// graph nested in it (unnamed nodes are left out).
func nodesByName(g *Graph) map[string][]*Node {
	idx := map[string][]*Node{}
	g.Walk(func(s *Graph) bool {
		for _, n := range s.nodes {
			if name := n.Name(); name != "" {
				idx[name] = append(idx[name], n)
			}
		}
		return true
	})
	return idx
}

// nodeNamedIn returns the one node called name in g's tree.
func nodeNamedIn(idx map[string][]*Node, name string) (*Node, error) {
	ns := idx[name]
	switch len(ns) {
	case 0:
		return nil, culprit(name, errorf(ErrNotFound, "no node named %q", name))
	case 1:
		return ns[0], nil
	}
	where := make([]string, len(ns))
	for i, n := range ns {
		where[i] = quote(n.graph.Name())
	}
	return nil, culprit(name, errorf(ErrInvalid, "%d nodes are named %q (in graphs %s)", len(ns), name, strings.Join(where, ", ")))
}

// RewireOptions says which reads Rewire moves from one value to another.
type RewireOptions struct {
	// From is the value read now; To is the value to read instead. Both
	// are names as seen from the consumer's graph (the main graph when
	// Consumer is empty).
	From, To string
	// Consumer is the name of the node whose inputs move; "" moves every
	// read of From, in every node.
	Consumer string
	// Slots are the input indexes of Consumer to move; empty means every
	// slot of Consumer that reads From.
	Slots []int
	// GraphOutputs also re-points graph outputs that are From (only when
	// Consumer is empty).
	GraphOutputs bool
	// RelaxShapes accepts To when its shape differs from From's; element
	// types must still match. The shapes value_info records for what the
	// moved reads feed are then dropped (RewireReport.Cleared), since they
	// may no longer hold; shape inference re-derives them.
	RelaxShapes bool
	// KeepDead keeps nodes and initializers that no longer serve anything
	// afterwards; by default they are pruned.
	KeepDead bool
	// TypeOf, when set, gives a value's type for the junction check where
	// its declared type lacks an element type or a shape (shapeinfer can
	// serve).
	TypeOf func(*Value) *onnxproto.TypeProto
	// AllowUntyped rewires even when From's or To's element type is
	// unknown (RewireReport.Unchecked says so); by default that is an
	// error (ErrUntyped).
	AllowUntyped bool
}

// RewireReport says what Rewire did.
type RewireReport struct {
	Rewired []string // the moved reads, as "node:index"
	Outputs []string // graph outputs re-pointed, by index as "i"
	Pruned  []string // nodes and initializers removed because nothing read them any more
	Sorted  bool     // whether nodes had to be reordered (To was computed after a consumer)
	Cleared []string // values whose recorded shapes were dropped (RelaxShapes, when To's shape differs)
	// Unchecked is set when From's or To's type is unknown (allowed by
	// RewireOptions.AllowUntyped), so that the
	// junction could not be checked.
	Unchecked bool
}

// Rewire makes one consumer input, or every read, of value From read value
// To instead (the seed tool svs4onnx), then removes what only served From.
// To must be visible from each consumer, of a compatible type (element
// types equal, shapes compatible unless RelaxShapes), and must not depend
// on the consumer (that would make a cycle). Nodes are reordered when To
// is computed after a consumer. On error the model is unchanged.
func (m *Model) Rewire(opts *RewireOptions, report *RewireReport) *Model {
	return runStep(m, "Rewire", opts, report, RewireModel)
}

// RewireModel is Rewire in plain form.
func RewireModel(m *Model, opts *RewireOptions) (*RewireReport, error) {
	defer afterEdit(m)
	o := orZero(opts)
	o.TypeOf = m.typeHook(o.TypeOf)
	if m.graph == nil {
		return nil, errorf(ErrInvalid, "the model has no graph")
	}
	r := &RewireReport{}
	scopeGraph := m.graph
	var consumer *Node
	if o.Consumer != "" {
		n, err := nodeNamedIn(nodesByName(m.graph), o.Consumer)
		if err != nil {
			return nil, err
		}
		consumer, scopeGraph = n, n.graph
	} else if len(o.Slots) > 0 {
		return nil, errorf(ErrInvalid, "rewire: slots given without a consumer")
	}
	from, ok := scopeGraph.Value(o.From)
	if !ok {
		if v, undef := scopeGraph.undef[o.From]; undef {
			from = v
		} else {
			return nil, culprit(o.From, errorf(ErrNotFound, "rewire: no value named %q", o.From))
		}
	}
	to, ok := scopeGraph.Value(o.To)
	if !ok {
		return nil, culprit(o.To, errorf(ErrNotFound, "rewire: no value named %q", o.To))
	}
	if from == to {
		return nil, culprit(o.To, errorf(ErrInvalid, "rewire: %q is both From and To", o.To))
	}
	// The reads to move.
	var uses []Use
	if consumer != nil {
		if len(o.Slots) == 0 {
			for i, v := range consumer.inputs {
				if v == from {
					uses = append(uses, Use{consumer, i})
				}
			}
			if len(uses) == 0 {
				return nil, culprit(o.Consumer, errorf(ErrInvalid, "rewire: node %s does not read %q", consumer.label(), o.From))
			}
		}
		for _, i := range o.Slots {
			if consumer.Input(i) != from {
				return nil, culprit(o.Consumer, errorf(ErrInvalid, "rewire: input %d of node %s is %q, not %q", i, consumer.label(), nameOf(consumer.Input(i)), o.From))
			}
			uses = append(uses, Use{consumer, i})
		}
	} else {
		uses = from.Uses()
	}
	var outIdx []int
	if o.GraphOutputs && consumer == nil {
		for i, v := range m.graph.outputs {
			if v == from {
				outIdx = append(outIdx, i)
			}
		}
	}
	if len(uses) == 0 && len(outIdx) == 0 {
		return nil, culprit(o.From, errorf(ErrInvalid, "rewire: nothing reads %q", o.From))
	}
	tt, ft := boundaryType(to, o.TypeOf), boundaryType(from, o.TypeOf)
	if why := typeMismatch(tt, ft, o.RelaxShapes); why != "" {
		return nil, &JunctionError{Op: "rewire", Src: to.name, Dst: from.name, SrcType: typeLabel(tt), DstType: typeLabel(ft), Reason: why}
	}
	r.Unchecked = !hasElemType(tt) || !hasElemType(ft)
	if r.Unchecked && !o.AllowUntyped {
		var names []string
		if !hasElemType(tt) {
			names = append(names, to.name)
		}
		if !hasElemType(ft) {
			names = append(names, from.name)
		}
		return nil, untyped("rewire", names)
	}
	for _, u := range uses {
		if !visibleFrom(u.Node.graph, to) {
			return nil, culprit(o.To, errorf(ErrInvalid, "rewire: %q is not visible from node %s in graph %q", o.To, u.Node.label(), u.Node.graph.Name()))
		}
	}
	if to.init != nil && len(outIdx) > 0 {
		return nil, culprit(o.To, errorf(ErrInvalid, "rewire: %q is an initializer and would become a graph output", o.To))
	}
	// A consumer that To depends on would close a cycle.
	anc := ancestorNodes(to)
	for _, u := range uses {
		if a := anchorIn(u.Node, to.graph); a != nil && anc[a] {
			return nil, culprit(o.To, errorf(ErrCycle, "rewire: %q is computed from node %s, which would then read it", o.To, u.Node.label()))
		}
	}

	// Everything is checked: edit.
	reshaped := typeMismatch(tt, ft, false) != ""
	var stale []*Value
	for _, u := range uses {
		_ = u.Node.SetInput(u.Index, to) // in range: checked above
		r.Rewired = append(r.Rewired, u.Node.label()+":"+strconv.Itoa(u.Index))
		if reshaped {
			// What the reader computes, and what holds it up to To's graph.
			for x := u.Node; x != nil; x = x.graph.parent {
				stale = append(stale, x.outputs...)
				if x.graph == to.graph {
					break
				}
			}
		}
	}
	if len(stale) > 0 {
		r.Cleared = clearDownstreamShapes(slices.DeleteFunc(stale, func(v *Value) bool { return v == nil }))
	}
	for _, i := range outIdx {
		_ = m.graph.SetOutput(i, to)
		r.Outputs = append(r.Outputs, strconv.Itoa(i))
	}
	if g := to.graph; to.producer != nil {
		if order, err := g.topoOrder(); err == nil && !sameNodes(order, g.nodes) {
			g.nodes = order
			r.Sorted = true
		}
	}
	if !o.KeepDead {
		nodes, inits := from.graph.pruneFrom([]*Value{from})
		r.Pruned = append(nodes, inits...)
	}
	return r, nil
}

// ancestorNodes returns the nodes of v's graph that v depends on, through
// inputs and through reads made inside their subgraphs.
func ancestorNodes(v *Value) map[*Node]bool {
	g := v.graph
	seen := map[*Node]bool{}
	var stack []*Node
	push := func(x *Value) {
		if x != nil && x.producer != nil && x.graph == g && !seen[x.producer] {
			seen[x.producer] = true
			stack = append(stack, x.producer)
		}
	}
	push(v)
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, x := range n.inputs {
			push(x)
		}
		for _, x := range n.captures() {
			push(x)
		}
	}
	return seen
}

// captures returns the values n's subgraphs read (or output) from graphs
// outside them.
func (n *Node) captures() []*Value {
	var out []*Value
	for _, s := range n.subs {
		s.g.Walk(func(inner *Graph) bool {
			for _, m := range inner.nodes {
				for _, x := range m.inputs {
					if x != nil && !isInside(x.graph, s.g) {
						out = append(out, x)
					}
				}
			}
			for _, x := range inner.outputs {
				if x != nil && !isInside(x.graph, s.g) {
					out = append(out, x)
				}
			}
			return true
		})
	}
	return out
}

// anchorIn returns the node of graph g that is n or holds n in a subgraph,
// or nil when n is not inside g.
func anchorIn(n *Node, g *Graph) *Node {
	for n != nil {
		if n.graph == g {
			return n
		}
		n = n.graph.parent
	}
	return nil
}

func sameNodes(a, b []*Node) bool {
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

func valueNames(vs []*Value) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.name
	}
	return out
}
