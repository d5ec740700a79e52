package onnxgraph

import "iter"

// The All* methods walk the graph without copying its lists, for loops
// over big graphs that should not allocate. Do not add or remove what is
// being walked while the loop runs; collect first (the slice forms, such
// as Nodes, return copies) and edit after.

// AllNodes returns an iterator over g's nodes in order (not those of its
// subgraphs; see AllGraphs).
func (g *Graph) AllNodes() iter.Seq[*Node] {
	return func(yield func(*Node) bool) {
		for _, n := range g.nodes {
			if !yield(n) {
				return
			}
		}
	}
}

// AllInputs returns an iterator over g's inputs in order.
func (g *Graph) AllInputs() iter.Seq[*Value] { return seqOf(g.inputs) }

// AllOutputs returns an iterator over g's outputs in order.
func (g *Graph) AllOutputs() iter.Seq[*Value] { return seqOf(g.outputs) }

// AllInitializers returns an iterator over g's initialized values in order.
func (g *Graph) AllInitializers() iter.Seq[*Value] { return seqOf(g.inits) }

// AllValues returns an iterator over every value g defines, each once:
// inputs, initializers and sparse initializers that are not inputs, then
// node outputs in node order. Unlike Values it leaves out the undefined
// names g reads.
func (g *Graph) AllValues() iter.Seq[*Value] {
	return func(yield func(*Value) bool) {
		for _, v := range g.inputs {
			if v.graph == g && !yield(v) {
				return
			}
		}
		for _, list := range [][]*Value{g.inits, g.sparse} {
			for _, v := range list {
				if !v.input && !yield(v) {
					return
				}
			}
		}
		for _, n := range g.nodes {
			for _, v := range n.outputs {
				if v != nil && !yield(v) {
					return
				}
			}
		}
	}
}

// AllGraphs returns an iterator over g and, depth first in node order,
// every graph nested in it (If branches, Loop and Scan bodies).
func (g *Graph) AllGraphs() iter.Seq[*Graph] {
	return func(yield func(*Graph) bool) { g.Walk(yield) }
}

// AllUses returns an iterator over v's uses in order.
func (v *Value) AllUses() iter.Seq[Use] { return seqOf(v.uses) }

// AllInputs returns an iterator over n's input slots: the index and the
// value (nil for a missing optional input).
func (n *Node) AllInputs() iter.Seq2[int, *Value] { return seq2Of(n.inputs) }

// AllOutputs returns an iterator over n's output slots: the index and the
// value (nil for an unused optional output).
func (n *Node) AllOutputs() iter.Seq2[int, *Value] { return seq2Of(n.outputs) }

// AllNodes returns an iterator over every node of the model: the main
// graph, its subgraphs, and the bodies of model-local functions, each
// graph's nodes in order.
func (m *Model) AllNodes() iter.Seq[*Node] {
	return func(yield func(*Node) bool) {
		each := func(g *Graph) bool {
			for _, n := range g.nodes {
				if !yield(n) {
					return false
				}
			}
			return true
		}
		if m.graph != nil && !m.graph.Walk(each) {
			return
		}
		for _, f := range m.funcs {
			if !f.body.Walk(each) {
				return
			}
		}
	}
}

func seqOf[T any](s []T) iter.Seq[T] {
	return func(yield func(T) bool) {
		for _, x := range s {
			if !yield(x) {
				return
			}
		}
	}
}

func seq2Of[T any](s []T) iter.Seq2[int, T] {
	return func(yield func(int, T) bool) {
		for i, x := range s {
			if !yield(i, x) {
				return
			}
		}
	}
}
