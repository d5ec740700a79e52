package onnxgraph

import (
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"google.golang.org/protobuf/proto"
)

// The primitive edits. Each checks everything first and changes the graph
// only when it cannot fail, so an error leaves the graph as it was. Higher
// operations (extract, merge, rename, ...) are built from these.

// RemoveNodes removes nodes from g. Their outputs must not be read by any
// node outside the set nor be graph outputs (rewire them first with
// ReplaceAllUsesWith); the error names the first such value. The inputs'
// use lists drop the removed nodes, and value_info entries of the removed
// outputs go too. It runs in O(size of g).
func (g *Graph) RemoveNodes(nodes ...*Node) error {
	g.model.touch()
	gone := make(map[*Node]bool, len(nodes))
	for _, n := range nodes {
		if n == nil || n.graph != g {
			return errorf(ErrInvalid, "graph %q: node %s is not in this graph", g.Name(), nodeLabel(n))
		}
		gone[n] = true
	}
	outs := map[*Value]bool{}
	for _, o := range g.outputs {
		outs[o] = true
	}
	for n := range gone {
		for _, v := range n.outputs {
			if v == nil {
				continue
			}
			if outs[v] {
				return errorf(ErrInvalid, "node %s: output %q is a graph output", n.label(), v.name)
			}
			for _, u := range v.uses {
				if !gone[u.Node] && !inRemovedSubgraph(u.Node, gone) {
					return errorf(ErrInvalid, "node %s: output %q is still read by node %s", n.label(), v.name, u.Node.label())
				}
			}
		}
	}
	dropUses(gone)
	dead := map[*Value]bool{}
	kept := g.nodes[:0:0]
	for _, n := range g.nodes {
		if !gone[n] {
			kept = append(kept, n)
			continue
		}
		for _, v := range n.outputs {
			if v != nil {
				dead[v] = true
				if g.scope[v.name] == v {
					delete(g.scope, v.name)
				}
			}
		}
	}
	g.nodes = kept
	g.dropValueInfo(dead)
	return nil
}

// dropUses removes the reads of the nodes in gone, and those of their
// subgraphs, from the use lists of the values they read: each list is
// filtered once, however many of its readers go, so that removing the
// readers of a value read thousands of times stays linear.
func dropUses(gone map[*Node]bool) {
	read := map[*Value]bool{}
	for n := range gone {
		for _, v := range n.inputs {
			if v != nil {
				read[v] = true
			}
		}
		for _, s := range n.subs {
			s.g.Walk(func(inner *Graph) bool {
				for _, m := range inner.nodes {
					for _, v := range m.inputs {
						if v != nil && !isInside(v.graph, s.g) {
							read[v] = true
						}
					}
				}
				return true
			})
		}
	}
	for v := range read {
		kept := v.uses[:0]
		for _, u := range v.uses {
			if !gone[u.Node] && !inRemovedSubgraph(u.Node, gone) {
				kept = append(kept, u)
			}
		}
		clear(v.uses[len(kept):])
		v.uses = kept
	}
}

// isInside reports whether graph x is g or nested in g.
func isInside(x, g *Graph) bool {
	for ; x != nil; x = x.outer() {
		if x == g {
			return true
		}
	}
	return false
}

// inRemovedSubgraph reports whether n sits inside a subgraph of a node
// being removed.
func inRemovedSubgraph(n *Node, gone map[*Node]bool) bool {
	for g := n.graph; g != nil && g.parent != nil; g = g.parent.graph {
		if gone[g.parent] {
			return true
		}
	}
	return false
}

func (g *Graph) dropValueInfo(dead map[*Value]bool) {
	if len(dead) == 0 {
		return
	}
	vi, vv := g.valueInfo[:0:0], g.viValue[:0:0]
	for i, v := range g.viValue {
		if dead[v] {
			continue
		}
		vi, vv = append(vi, g.valueInfo[i]), append(vv, v)
	}
	g.valueInfo, g.viValue = vi, vv
}

// Rename gives v a new name, everywhere it appears: its producer's output,
// every node input that reads it (subgraphs included), the graph input,
// output and value_info entries, its initializer, the quantization
// annotations of its graph and, in the main graph, training-info
// bindings. The name must be free in v's scope, the scopes around it and
// every subgraph that can see v, so no read changes meaning.
func (v *Value) Rename(name string) error {
	if name == v.name {
		return nil
	}
	if name == "" {
		return errorf(ErrInvalid, "value %q: empty name", v.name)
	}
	if v.undef {
		return errorf(ErrInvalid, "value %q is undefined: nothing to rename", v.name)
	}
	if taken, where := v.graph.nameTaken(name); taken {
		return errorf(ErrInvalid, "value %q: name %q is already used in graph %q", v.name, name, where)
	}
	renameValues(map[*Value]string{v: name})
	return nil
}

// nameTaken reports whether name is defined in g, a graph around g, or a
// graph nested anywhere inside g, and in which graph.
func (g *Graph) nameTaken(name string) (bool, string) {
	if v, ok := g.Value(name); ok {
		return true, v.graph.Name()
	}
	where, found := "", false
	g.Walk(func(s *Graph) bool {
		if _, ok := s.scope[name]; ok {
			where, found = s.Name(), true
		}
		return !found
	})
	return found, where
}

// RemoveInput removes v from g's inputs. A value that is also an
// initializer stays as one; otherwise v must have no readers and not be a
// graph output.
func (g *Graph) RemoveInput(v *Value) error {
	g.model.touch()
	idx := indexOf(g.inputs, v)
	if idx < 0 {
		return errorf(ErrNotFound, "graph %q: %q is not an input", g.Name(), nameOf(v))
	}
	if v.init == nil && v.sparse == nil {
		if len(v.uses) > 0 {
			return errorf(ErrInvalid, "input %q is still read by node %s", v.name, v.uses[0].Node.label())
		}
		if indexOf(g.outputs, v) >= 0 {
			return errorf(ErrInvalid, "input %q is also a graph output", v.name)
		}
	}
	v.dropInfo(g.inInfo[idx])
	g.inputs = append(g.inputs[:idx:idx], g.inputs[idx+1:]...)
	g.inInfo = append(g.inInfo[:idx:idx], g.inInfo[idx+1:]...)
	v.input = false
	if v.init == nil && v.sparse == nil {
		if g.scope[v.name] == v {
			delete(g.scope, v.name)
		}
		g.dropValueInfo(map[*Value]bool{v: true})
	}
	return nil
}

// RemoveOutput removes graph output i. The value itself stays.
func (g *Graph) RemoveOutput(i int) error {
	g.model.touch()
	if i < 0 || i >= len(g.outputs) {
		return errorf(ErrNotFound, "graph %q: no output %d", g.Name(), i)
	}
	if info := g.outInfo[i]; info != nil {
		g.outputs[i].dropInfo(info)
	}
	g.outputs = append(g.outputs[:i:i], g.outputs[i+1:]...)
	g.outInfo = append(g.outInfo[:i:i], g.outInfo[i+1:]...)
	return nil
}

// RemoveInitializer removes v's initializer. When v is also a graph input it
// stays as a plain input; otherwise it must have no readers and not be a
// graph output, and it leaves the graph.
func (g *Graph) RemoveInitializer(v *Value) error {
	g.model.touch()
	idx := indexOf(g.inits, v)
	if idx < 0 {
		return errorf(ErrNotFound, "graph %q: %q is not an initializer", g.Name(), nameOf(v))
	}
	if !v.input {
		if len(v.uses) > 0 {
			return errorf(ErrInvalid, "initializer %q is still read by node %s", v.name, v.uses[0].Node.label())
		}
		if indexOf(g.outputs, v) >= 0 {
			return errorf(ErrInvalid, "initializer %q is a graph output", v.name)
		}
	}
	g.inits = append(g.inits[:idx:idx], g.inits[idx+1:]...)
	v.init = nil
	if !v.input {
		if g.scope[v.name] == v {
			delete(g.scope, v.name)
		}
		g.dropValueInfo(map[*Value]bool{v: true})
	}
	return nil
}

// SetInitializer replaces the data of initializer v with t (whose name is
// ignored: v keeps its own). Types and shapes may change; value_info
// entries of v keep what they declared.
func (g *Graph) SetInitializer(v *Value, t *Tensor) error {
	g.model.touch()
	if indexOf(g.inits, v) < 0 {
		return errorf(ErrNotFound, "graph %q: %q is not an initializer", g.Name(), nameOf(v))
	}
	v.init = t.p
	g.model.holdSources(t)
	return nil
}

// SetAttr sets attribute a on n, replacing one of the same name. Graph
// attributes are not set this way.
func (n *Node) SetAttr(a *onnxproto.AttributeProto) error {
	n.graph.model.touch()
	if a.G != nil || len(a.Graphs) > 0 {
		return errorf(ErrInvalid, "node %s: graph attribute %q cannot be set with SetAttr", n.label(), a.GetName())
	}
	for i, old := range n.p.Attribute {
		if old.GetName() == a.GetName() {
			for _, s := range n.subs {
				if s.attr == i {
					return errorf(ErrInvalid, "node %s: attribute %q holds a subgraph", n.label(), a.GetName())
				}
			}
			n.p.Attribute[i] = a
			return nil
		}
	}
	n.p.Attribute = append(n.p.Attribute, a)
	return nil
}

// DeleteAttr removes the attribute called name from n, and reports whether
// there was one. Attributes holding subgraphs cannot be deleted.
func (n *Node) DeleteAttr(name string) (bool, error) {
	n.graph.model.touch()
	for i, a := range n.p.Attribute {
		if a.GetName() != name {
			continue
		}
		for _, s := range n.subs {
			if s.attr == i {
				return false, errorf(ErrInvalid, "node %s: attribute %q holds a subgraph", n.label(), name)
			}
		}
		n.p.Attribute = append(n.p.Attribute[:i:i], n.p.Attribute[i+1:]...)
		for k := range n.subs {
			if n.subs[k].attr > i {
				n.subs[k].attr--
			}
		}
		return true, nil
	}
	return false, nil
}

// SetDocString sets the node's doc string ("" removes it).
func (n *Node) SetDocString(s string) {
	if s == "" {
		n.p.DocString = nil
		return
	}
	n.p.DocString = proto.String(s)
}

func indexOf[T comparable](s []T, x T) int {
	for i, y := range s {
		if y == x {
			return i
		}
	}
	return -1
}

func nodeLabel(n *Node) string {
	if n == nil {
		return "<nil>"
	}
	return n.label()
}
