package onnxgraph

import (
	"strconv"

	"github.com/onnxgraph/onnxgraph/onnxproto"
)

// Graph is a list of nodes with its inputs, outputs, initializers and value
// annotations: a model's main graph, a subgraph held by a node attribute (an
// If branch, a Loop or Scan body), or a model-local function's body. A
// subgraph sees the values of the graphs around it; reads of outer values are
// uses of those values like any other.
//
// A Graph is not safe for concurrent edits; its read methods never mutate.
type Graph struct {
	p      *onnxproto.GraphProto // name, doc, metadata, quantization annotations, unknown fields; lists are held below
	model  *Model
	parent *Node     // the node whose attribute holds this graph, or nil
	fn     *Function // the function this graph is the body of, or nil

	nodes     []*Node
	inputs    []*Value
	outputs   []*Value
	inInfo    []*onnxproto.ValueInfoProto // parallel to inputs; nil entries in function bodies
	outInfo   []*onnxproto.ValueInfoProto // parallel to outputs
	valueInfo []*onnxproto.ValueInfoProto // value_info entries, in order
	viValue   []*Value                    // parallel to valueInfo
	inits     []*Value                    // initializers, in order
	sparse    []*Value                    // sparse initializers, in order
	scope     map[string]*Value           // names defined here
	undef     map[string]*Value           // names read here and defined nowhere
	dangling  map[string]bool             // quantization annotation names that resolved to no value at load
	slab      []Value                     // while a graph is built: room for its values
}

func newGraph(m *Model, p *onnxproto.GraphProto) *Graph {
	if p == nil {
		p = &onnxproto.GraphProto{}
	}
	return &Graph{p: p, model: m, scope: map[string]*Value{}}
}

// Name returns the graph's name.
func (g *Graph) Name() string { return g.p.GetName() }

// Model returns the model g belongs to.
func (g *Graph) Model() *Model { return g.model }

// Parent returns the node whose attribute holds g, or nil for a main graph
// or function body.
func (g *Graph) Parent() *Node { return g.parent }

// Function returns the function g is the body of, or nil.
func (g *Graph) Function() *Function { return g.fn }

// Nodes returns g's nodes in order. The slice is a copy.
func (g *Graph) Nodes() []*Node { return append([]*Node(nil), g.nodes...) }

// NumNodes returns how many nodes g holds (not counting subgraphs).
func (g *Graph) NumNodes() int { return len(g.nodes) }

// Inputs returns g's inputs in order. The slice is a copy.
func (g *Graph) Inputs() []*Value { return append([]*Value(nil), g.inputs...) }

// Outputs returns g's outputs in order. The slice is a copy.
func (g *Graph) Outputs() []*Value { return append([]*Value(nil), g.outputs...) }

// Initializers returns g's initialized values in order. The slice is a copy.
func (g *Graph) Initializers() []*Value { return append([]*Value(nil), g.inits...) }

// SparseInitializers returns g's sparse initialized values. The slice is a copy.
func (g *Graph) SparseInitializers() []*Value { return append([]*Value(nil), g.sparse...) }

// Proto returns g's own message: name, doc string, metadata_props,
// quantization annotations and unknown fields. Its node, input, output,
// initializer and value_info lists are empty while the graph is loaded; the
// graph's methods hold them. Treat it as read-only.
func (g *Graph) Proto() *onnxproto.GraphProto { return g.p }

// Value returns the value called name as seen from g: defined in g, or in a
// graph around it. ok is false when no such name is visible.
func (g *Graph) Value(name string) (v *Value, ok bool) {
	for s := g; s != nil; s = s.outer() {
		if v, ok := s.scope[name]; ok {
			return v, true
		}
	}
	return nil, false
}

// Values returns every value g defines (inputs, initializers, node outputs)
// and the undefined names it reads, in a stable order: inputs, initializers,
// sparse initializers, node outputs by node, then undefined names.
func (g *Graph) Values() []*Value {
	seen := make(map[*Value]bool, len(g.scope))
	var out []*Value
	add := func(v *Value) {
		if v != nil && !seen[v] && v.graph == g {
			seen[v] = true
			out = append(out, v)
		}
	}
	for _, v := range g.inputs {
		add(v)
	}
	for _, v := range g.inits {
		add(v)
	}
	for _, v := range g.sparse {
		add(v)
	}
	for _, n := range g.nodes {
		for _, v := range n.outputs {
			add(v)
		}
	}
	for _, v := range g.outputs {
		add(v)
	}
	for _, v := range g.viValue {
		add(v)
	}
	return out
}

// SetOutput makes graph output i be v.
func (g *Graph) SetOutput(i int, v *Value) error {
	g.model.touch()
	if i < 0 || i >= len(g.outputs) {
		return errorf(ErrInvalid, "graph %q: output index %d out of range [0,%d)", g.Name(), i, len(g.outputs))
	}
	if v == nil {
		return errorf(ErrInvalid, "graph %q: output %d set to nil", g.Name(), i)
	}
	old := g.outputs[i]
	g.outputs[i] = v
	if info := g.outInfo[i]; info != nil {
		old.dropInfo(info)
		info.Name = strPtr(v.name)
		v.infos = append(v.infos, info)
	}
	return nil
}

// outer returns the graph around g, or nil.
func (g *Graph) outer() *Graph {
	if g.parent == nil {
		return nil
	}
	return g.parent.graph
}

// Walk calls fn for g and then, depth first in node order, every subgraph
// nested in it. It stops early when fn returns false.
func (g *Graph) Walk(fn func(*Graph) bool) bool {
	if !fn(g) {
		return false
	}
	for _, n := range g.nodes {
		for _, s := range n.subs {
			if !s.g.Walk(fn) {
				return false
			}
		}
	}
	return true
}

func (g *Graph) addValueInfo(v *Value, vi *onnxproto.ValueInfoProto) {
	g.valueInfo = append(g.valueInfo, vi)
	g.viValue = append(g.viValue, v)
	v.infos = append(v.infos, vi)
}

func (v *Value) dropInfo(vi *onnxproto.ValueInfoProto) {
	for i, x := range v.infos {
		if x == vi {
			v.infos = append(v.infos[:i], v.infos[i+1:]...)
			return
		}
	}
}

func strPtr(s string) *string { return &s }

func itoa(i int) string { return strconv.Itoa(i) }

func quote(s string) string { return strconv.Quote(s) }
