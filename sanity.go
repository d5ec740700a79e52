package onnxgraph

import (
	"errors"
	"fmt"
	"github.com/onnxgraph/onnxgraph/onnxproto"
)

// Sanity checks the IR's own invariants, the ones every edit must keep:
// each node input's value lists that use exactly once and is visible from
// the node's graph; each node output's value names the node as producer;
// every use a value lists is a real input slot reading it; node messages'
// input and output names equal their values' names; graph input, output and
// value_info entries name their values; graphs point to their model and
// subgraphs to their node. It reports every broken invariant, not just the
// first. It is meant for tests, which run it after every transform; a model
// loaded from any file satisfies it, valid or not.
func (m *Model) Sanity() error {
	s := &sanity{m: m}
	if m.graph != nil {
		s.graph(m.graph, nil)
	}
	if m.graph != nil {
		for _, key := range m.bindingKeys() {
			if _, ok := m.graph.scope[key]; !ok && !m.danglingBind[key] {
				s.addf("training binding %q names no value of the main graph", key)
			}
		}
	}
	for _, f := range m.funcs {
		if f.body.fn != f || f.model != m {
			s.addf("function %q: body or model link broken", f.Name())
		}
		s.graph(f.body, nil)
	}
	return s.err()
}

type sanity struct {
	m        *Model
	problems []string
}

func (s *sanity) addf(format string, args ...any) {
	s.problems = append(s.problems, fmt.Sprintf(format, args...))
}

func (s *sanity) err() error {
	if len(s.problems) == 0 {
		return nil
	}
	return errors.New("onnxgraph: broken invariants: " + capList(s.problems, 20, "; "))
}

func (s *sanity) graph(g *Graph, parent *Node) {
	if g.model != s.m {
		s.addf("graph %q: model link broken", g.Name())
	}
	if g.parent != parent {
		s.addf("graph %q: parent link broken", g.Name())
	}
	if len(g.inputs) != len(g.inInfo) || len(g.outputs) != len(g.outInfo) || len(g.valueInfo) != len(g.viValue) {
		s.addf("graph %q: entry lists out of step", g.Name())
		return
	}
	for i, v := range g.inputs {
		if !v.input {
			s.addf("graph %q: input %q not marked as input", g.Name(), v.name)
		}
		s.info(g, "input", v, g.inInfo[i])
	}
	for i, v := range g.outputs {
		if v == nil {
			s.addf("graph %q: output %d is nil", g.Name(), i)
			continue
		}
		s.info(g, "output", v, g.outInfo[i])
		if !s.visible(g, v) {
			s.addf("graph %q: output %q not visible", g.Name(), v.name)
		}
	}
	for i, v := range g.viValue {
		s.info(g, "value_info", v, g.valueInfo[i])
	}
	for _, v := range g.inits {
		if v.graph != g || v.init == nil {
			s.addf("graph %q: initializer %q broken", g.Name(), v.name)
		}
	}
	for _, v := range g.sparse {
		if v.graph != g || v.sparse == nil {
			s.addf("graph %q: sparse initializer %q broken", g.Name(), v.name)
		}
	}
	for _, n := range g.nodes {
		s.node(g, n)
	}
	s.names(g)
}

// names checks the graph's name maps and the names other messages use to
// refer to its values.
func (s *sanity) names(g *Graph) {
	for name, v := range g.scope {
		if v.name != name || v.graph != g || v.undef {
			s.addf("graph %q: scope entry %q holds value %q", g.Name(), name, v.name)
		}
	}
	for name, v := range g.undef {
		if v.name != name || v.graph != g || !v.undef {
			s.addf("graph %q: undefined entry %q holds value %q", g.Name(), name, v.name)
		}
	}
	if g.p == nil {
		return
	}
	for _, qa := range g.p.QuantizationAnnotation {
		if _, ok := g.Value(qa.GetTensorName()); !ok && !g.dangling[qa.GetTensorName()] {
			s.addf("graph %q: quantization annotation names %q, which is no value", g.Name(), qa.GetTensorName())
		}
	}
}

func (s *sanity) info(g *Graph, kind string, v *Value, vi *onnxproto.ValueInfoProto) {
	if vi == nil {
		if g.fn == nil {
			s.addf("graph %q: %s %q has no entry", g.Name(), kind, v.name)
		}
		return
	}
	if vi.GetName() != v.name {
		s.addf("graph %q: %s entry named %q for value %q", g.Name(), kind, vi.GetName(), v.name)
	}
}

func (s *sanity) node(g *Graph, n *Node) {
	if n.graph != g {
		s.addf("node %s: graph link broken", n.label())
	}
	if len(n.inputs) != len(n.p.Input) || len(n.outputs) != len(n.p.Output) {
		s.addf("node %s: %d/%d inputs, %d/%d outputs in message", n.label(), len(n.inputs), len(n.p.Input), len(n.outputs), len(n.p.Output))
		return
	}
	for i, v := range n.inputs {
		if n.p.Input[i] != nameOf(v) {
			s.addf("node %s: input %d named %q, value %q", n.label(), i, n.p.Input[i], nameOf(v))
		}
		if v == nil {
			continue
		}
		count := 0
		for _, u := range v.uses {
			if u.Node == n && u.Index == i {
				count++
			}
		}
		if count != 1 {
			s.addf("node %s: input %d (%q) listed %d times in its uses", n.label(), i, v.name, count)
		}
		if !s.visible(g, v) {
			s.addf("node %s: input %q not visible from graph %q", n.label(), v.name, g.Name())
		}
	}
	for k, v := range n.outputs {
		if n.p.Output[k] != nameOf(v) {
			s.addf("node %s: output %d named %q, value %q", n.label(), k, n.p.Output[k], nameOf(v))
		}
		if v != nil && (v.producer != n || v.index != k || v.graph != g) {
			s.addf("node %s: output %q does not name it as producer", n.label(), v.name)
		}
	}
	for _, v := range n.outputs {
		if v == nil {
			continue
		}
		for _, u := range v.uses {
			if u.Index < 0 || u.Index >= len(u.Node.inputs) || u.Node.inputs[u.Index] != v {
				s.addf("value %q: lists a use that does not read it", v.name)
			}
		}
	}
	for _, sub := range n.subs {
		if sub.attr < 0 || sub.attr >= len(n.p.Attribute) {
			s.addf("node %s: subgraph attribute index %d out of range", n.label(), sub.attr)
			continue
		}
		s.graph(sub.g, n)
	}
}

// visible reports whether v is defined in g or a graph around it.
func (s *sanity) visible(g *Graph, v *Value) bool {
	for x := g; x != nil; x = x.outer() {
		if v.graph == x {
			return true
		}
	}
	return false
}
