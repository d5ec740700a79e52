package onnxgraph

import (
	"github.com/onnxgraph/onnxgraph/onnxproto"
)

// Node is one operator application. Its inputs and outputs are values;
// missing optional inputs and outputs are nil. Every other field of the
// node's NodeProto (name, op type, domain, overload, attributes, doc string,
// metadata, device configurations, unknown fields) is kept as loaded.
type Node struct {
	p       *onnxproto.NodeProto // Input and Output are kept equal to the values' names
	graph   *Graph
	inputs  []*Value
	outputs []*Value
	subs    []subgraph // graph-valued attributes, in attribute order
}

// subgraph is a graph held by attribute attr (index into p.Attribute); for a
// GRAPHS attribute, elem is the index in the list, else -1.
type subgraph struct {
	attr, elem int
	g          *Graph
}

// Name returns the node's name ("" when unnamed).
func (n *Node) Name() string { return n.p.GetName() }

// OpType returns the operator's name, e.g. "Conv".
func (n *Node) OpType() string { return n.p.GetOpType() }

// Domain returns the operator's domain; "" is the default ONNX domain.
func (n *Node) Domain() string { return n.p.GetDomain() }

// Graph returns the graph that holds n.
func (n *Node) Graph() *Graph { return n.graph }

// Inputs returns n's inputs in order; a missing optional input is nil. The
// slice is a copy.
func (n *Node) Inputs() []*Value { return append([]*Value(nil), n.inputs...) }

// Outputs returns n's outputs in order; a missing optional output is nil.
// The slice is a copy.
func (n *Node) Outputs() []*Value { return append([]*Value(nil), n.outputs...) }

// NumInputs returns how many input slots n has, missing ones included.
func (n *Node) NumInputs() int { return len(n.inputs) }

// NumOutputs returns how many output slots n has, missing ones included.
func (n *Node) NumOutputs() int { return len(n.outputs) }

// Input returns input i, or nil when it is missing or out of range.
func (n *Node) Input(i int) *Value {
	if i < 0 || i >= len(n.inputs) {
		return nil
	}
	return n.inputs[i]
}

// Output returns output i, or nil when it is missing or out of range.
func (n *Node) Output(i int) *Value {
	if i < 0 || i >= len(n.outputs) {
		return nil
	}
	return n.outputs[i]
}

// SetInput makes input slot i read v (nil for a missing optional input),
// updating both values' use lists. i may equal NumInputs to append a slot.
func (n *Node) SetInput(i int, v *Value) error {
	n.graph.model.touch()
	if i < 0 || i > len(n.inputs) {
		return errorf(ErrInvalid, "node %s: input index %d out of range [0,%d]", n.label(), i, len(n.inputs))
	}
	if i == len(n.inputs) {
		n.inputs = append(n.inputs, nil)
		n.p.Input = append(n.p.Input, "")
	}
	n.detach(i)
	n.attach(i, v)
	return nil
}

// attach makes the empty input slot i of n read v (nil leaves it empty):
// the slot, the node message's name and v's use list. Every link of a use
// is made here and undone by detach.
func (n *Node) attach(i int, v *Value) {
	n.inputs[i] = v
	n.p.Input[i] = nameOf(v)
	if v != nil {
		v.uses = append(v.uses, Use{Node: n, Index: i})
	}
}

// detach empties input slot i of n, dropping the use from the value it
// read.
func (n *Node) detach(i int) {
	if old := n.inputs[i]; old != nil {
		old.removeUse(n, i)
	}
	n.inputs[i] = nil
	n.p.Input[i] = ""
}

// Attrs returns n's attributes in order. The messages are the node's own:
// treat them as read-only. A graph-valued attribute's g/graphs fields are
// empty here; use Subgraphs.
func (n *Node) Attrs() []*onnxproto.AttributeProto { return n.p.GetAttribute() }

// Attr returns the attribute called name, or nil.
func (n *Node) Attr(name string) *onnxproto.AttributeProto {
	for _, a := range n.p.GetAttribute() {
		if a.GetName() == name {
			return a
		}
	}
	return nil
}

// Subgraphs returns the graphs held by n's attributes (If branches, Loop
// and Scan bodies), in attribute order.
func (n *Node) Subgraphs() []*Graph {
	out := make([]*Graph, len(n.subs))
	for i, s := range n.subs {
		out[i] = s.g
	}
	return out
}

// Proto returns the node's message. Input and Output are kept in step with
// the node's values; attributes holding graphs are empty (see Subgraphs).
// Treat it as read-only: edits go through the node's methods.
func (n *Node) Proto() *onnxproto.NodeProto { return n.p }

// label names a node in messages: its name, or its op type and index.
func (n *Node) label() string {
	if n.p.GetName() != "" {
		return quote(n.p.GetName()) + "(" + n.p.GetOpType() + ")"
	}
	idx := -1
	if n.graph != nil {
		for i, m := range n.graph.nodes {
			if m == n {
				idx = i
				break
			}
		}
	}
	return "#" + itoa(idx) + "(" + n.p.GetOpType() + ")"
}

// SubgraphAt returns the graph held by attribute index attr (a GRAPH
// attribute, or the first graph of a GRAPHS attribute), or nil.
func (n *Node) SubgraphAt(attr int) *Graph {
	for _, s := range n.subs {
		if s.attr == attr {
			return s.g
		}
	}
	return nil
}
