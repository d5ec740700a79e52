package simplify

import (
	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/opschema"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
)

// taint marks what cannot be used of a value's inferred facts.
type taint uint8

const (
	// taintType: inference met a conflict or a problem at or above the
	// value, so its inferred type may be wrong.
	taintType taint = 1 << iota
	// taintData: the value depends on the contents of a graph input that
	// has an initializer (a default callers may override), so what
	// inference knows of its contents holds only for the default.
	taintData
)

// taints marks, after an inference, the values whose inferred facts
// cannot be used: from the conflicts and problems inference reported and
// from overridable inputs, down through every node that reads them.
func (s *state) taints() map[*onnxgraph.Value]taint {
	f := map[*onnxgraph.Value]taint{}
	if s.res == nil {
		return f
	}
	if len(s.res.Conflicts)+len(s.res.Problems) > 0 {
		badValue := map[string]bool{}
		badNode := map[string]bool{}
		for _, e := range append(append([]*shapeinfer.Error(nil), s.res.Conflicts...), s.res.Problems...) {
			if e.Value != "" {
				badValue[e.Value] = true
			}
			if e.Node != "" {
				badNode[e.Node] = true
			}
		}
		s.m.Graph().Walk(func(g *onnxgraph.Graph) bool {
			for v := range g.AllInputs() {
				if badValue[v.Name()] {
					f[v] |= taintType
				}
			}
			i := 0
			for n := range g.AllNodes() {
				bad := badNode[inferLabel(n, i)]
				i++
				for _, v := range n.AllOutputs() {
					if v != nil && (bad || badValue[v.Name()]) {
						f[v] |= taintType
					}
				}
			}
			return true
		})
	}
	s.taintGraph(s.m.Graph(), f)
	return f
}

// inferLabel names n as shapeinfer's errors do.
func inferLabel(n *onnxgraph.Node, i int) string {
	if n.Name() != "" {
		return `"` + n.Name() + `"(` + n.OpType() + ")"
	}
	return "#" + itoa(i) + "(" + n.OpType() + ")"
}

// taintGraph spreads taints through g in order; it returns the taints of
// the values g (and the graphs in it) read from around it.
func (s *state) taintGraph(g *onnxgraph.Graph, f map[*onnxgraph.Value]taint) taint {
	var outer taint
	for v := range g.AllInputs() {
		if s.overridable(v) {
			f[v] |= taintData
		}
	}
	for n := range g.AllNodes() {
		var t taint
		for i := range n.NumInputs() {
			v := n.Input(i)
			if v == nil {
				continue
			}
			t |= f[v]
			if v.Graph() != g {
				outer |= f[v]
			}
		}
		for _, sub := range n.Subgraphs() {
			r := s.taintGraph(sub, f)
			t |= r
			outer |= r
		}
		if t == 0 {
			continue
		}
		for i := range n.NumOutputs() {
			if v := n.Output(i); v != nil {
				f[v] |= t
			}
		}
	}
	return outer
}

// overridable reports whether v is a graph input with an initializer:
// a default that callers may override, so not a constant. Before IR 4
// every initializer of the main graph is listed as an input; those count
// as constants.
func (s *state) overridable(v *onnxgraph.Value) bool {
	if !v.IsGraphInput() || v.Initializer() == nil {
		return false
	}
	return !(v.Graph() == s.m.Graph() && s.m.IRVersion() < 4)
}

// inFunction reports whether g is a function body or nested in one.
func inFunction(g *onnxgraph.Graph) bool {
	for g != nil {
		if g.Function() != nil {
			return true
		}
		p := g.Parent()
		if p == nil {
			return false
		}
		g = p.Graph()
	}
	return false
}

// typeOf returns what is known of v's type: inferred (unless tainted),
// from a constant, or declared. In function bodies, whose types depend on
// the call, only constants have a type.
func (s *state) typeOf(v *onnxgraph.Value) *shapeinfer.Type {
	if v == nil {
		return nil
	}
	if t, ok := s.types[v]; ok {
		return t
	}
	if t, ok := s.constOf(v); ok {
		return shapeinfer.Tensor(t.DataType(), shapeinfer.KnownShape(t.Dims()...))
	}
	if inFunction(v.Graph()) || s.flags[v]&taintType != 0 {
		return nil
	}
	if s.res != nil {
		if t := s.res.Type(v); t != nil && t.Kind != shapeinfer.KindUnknown {
			return t
		}
	}
	if t := v.Type(); t != nil {
		return shapeinfer.FromProto(t)
	}
	return nil
}

// elemOf returns v's element type, 0 when unknown.
func (s *state) elemOf(v *onnxgraph.Value) onnxgraph.DataType {
	if t := s.typeOf(v); t.IsTensor() {
		return t.Elem
	}
	return 0
}

// sameShape reports whether two types are tensors of one shape: the same
// rank and, dim by dim, the same size or the same symbolic expression.
func sameShape(a, b *shapeinfer.Type) bool {
	if !a.HasShape() || !b.HasShape() || len(a.Shape) != len(b.Shape) {
		return false
	}
	for i, d := range a.Shape {
		e := b.Shape[i]
		if d.IsUnknown() || e.IsUnknown() || !d.Equal(e) {
			return false
		}
	}
	return true
}

// knownDims returns t's dims when all are known numbers.
func knownDims(t *shapeinfer.Type) ([]int64, bool) {
	if !t.HasShape() {
		return nil, false
	}
	return t.Shape.Known()
}

// rankOf returns t's rank, -1 when unknown.
func rankOf(t *shapeinfer.Type) int {
	if !t.HasShape() {
		return -1
	}
	return len(t.Shape)
}

// sizeOf returns the bytes a tensor of type t takes, when known.
func sizeOf(t *shapeinfer.Type) (int64, bool) {
	dims, ok := knownDims(t)
	if !ok || t.Elem == 0 || t.Elem == onnxgraph.String {
		return 0, false
	}
	n := onnxgraph.RawSize(t.Elem, onnxgraph.NumElements(dims))
	return n, n >= 0
}

// constOf returns the tensor a value holds when it is a constant: an
// initializer that callers cannot override (see overridable), or the
// output of a Constant node. A sparse constant is not one.
func (s *state) constOf(v *onnxgraph.Value) (*onnxgraph.Tensor, bool) {
	if v == nil {
		return nil, false
	}
	if t := v.Initializer(); t != nil {
		if s.overridable(v) {
			return nil, false
		}
		return t, true
	}
	n, _ := v.Producer()
	if n == nil || n.OpType() != "Constant" || opschema.NormalizeDomain(n.Domain()) != opschema.DomainONNX || n.NumOutputs() != 1 {
		return nil, false
	}
	t, err := constantValue(n)
	if err != nil || t == nil {
		return nil, false
	}
	return t, true
}

// constantValue returns the tensor a Constant node holds, named after its
// output; nil for a sparse value or a node with no value.
func constantValue(n *onnxgraph.Node) (*onnxgraph.Tensor, error) {
	name := n.Output(0).Name()
	for _, a := range n.Attrs() {
		if a.GetRefAttrName() != "" {
			return nil, nil
		}
		switch a.GetName() {
		case "value":
			if a.T == nil {
				return nil, nil
			}
			return n.Graph().Model().TensorOf(a.T), nil
		case "value_float":
			return onnxgraph.NewTensorOf(name, onnxgraph.Float, []int64{}, []float32{a.GetF()})
		case "value_floats":
			return onnxgraph.NewTensorOf(name, onnxgraph.Float, []int64{int64(len(a.Floats))}, a.Floats)
		case "value_int":
			return onnxgraph.NewTensorOf(name, onnxgraph.Int64, []int64{}, []int64{a.GetI()})
		case "value_ints":
			return onnxgraph.NewTensorOf(name, onnxgraph.Int64, []int64{int64(len(a.Ints))}, a.Ints)
		case "value_string":
			return onnxgraph.NewTensorOf(name, onnxgraph.String, []int64{}, [][]byte{a.GetS()})
		case "value_strings":
			return onnxgraph.NewTensorOf(name, onnxgraph.String, []int64{int64(len(a.Strings))}, a.Strings)
		}
	}
	return nil, nil
}

// constInts returns the integers a constant value holds.
func (s *state) constInts(v *onnxgraph.Value) ([]int64, bool) {
	t, ok := s.constOf(v)
	if !ok || t.NumBytes() > 1<<20 {
		return nil, false
	}
	switch t.DataType() {
	case onnxgraph.Int64, onnxgraph.Int32, onnxgraph.Int16, onnxgraph.Int8, onnxgraph.Uint8, onnxgraph.Uint16, onnxgraph.Uint32:
	default:
		return nil, false
	}
	is, err := t.Int64s()
	return is, err == nil
}

// constFloats returns the numbers a small constant value holds, as
// float64, with its element type.
func (s *state) constFloats(v *onnxgraph.Value) ([]float64, onnxgraph.DataType, bool) {
	t, ok := s.constOf(v)
	if !ok || t.NumBytes() > 1<<20 {
		return nil, 0, false
	}
	dt := t.DataType()
	switch dt {
	case onnxgraph.Float, onnxgraph.Double, onnxgraph.Float16, onnxgraph.BFloat16:
		fs, err := t.Float64s()
		return fs, dt, err == nil
	case onnxgraph.Int64, onnxgraph.Int32, onnxgraph.Int16, onnxgraph.Int8, onnxgraph.Uint8, onnxgraph.Uint16, onnxgraph.Uint32:
		is, err := t.Int64s()
		if err != nil {
			return nil, 0, false
		}
		fs := make([]float64, len(is))
		for i, x := range is {
			fs[i] = float64(x)
		}
		return fs, dt, true
	}
	return nil, 0, false
}
