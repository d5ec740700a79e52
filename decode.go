package onnxgraph

import (
	"github.com/onnxgraph/onnxgraph/onnxproto"
)

// fromProto builds the IR from a decoded ModelProto, taking ownership of it:
// the graph and function lists move into the IR, everything else stays.
func fromProto(p *onnxproto.ModelProto) *Model {
	m := &Model{p: p}
	gp, fps := p.Graph, p.Functions
	p.Graph, p.Functions = nil, nil
	if gp != nil {
		m.graph = m.buildGraph(gp, nil)
	} else {
		m.graph = newGraph(m, nil)
		m.graph.p = nil // no graph in the file: saved as none
	}
	for _, fp := range fps {
		m.funcs = append(m.funcs, m.buildFunction(fp))
	}
	m.noteDangling()
	return m
}

// noteDangling records the name references of a loaded file that resolve
// to no value (a quantization annotation, a training binding), so that
// Sanity holds them against edits only.
func (m *Model) noteDangling() {
	note := func(g *Graph) bool {
		if g.p == nil {
			return true
		}
		for _, qa := range g.p.QuantizationAnnotation {
			if _, ok := g.Value(qa.GetTensorName()); !ok {
				if g.dangling == nil {
					g.dangling = map[string]bool{}
				}
				g.dangling[qa.GetTensorName()] = true
			}
		}
		return true
	}
	if m.graph == nil {
		return
	}
	m.graph.Walk(note)
	for _, f := range m.funcs {
		f.body.Walk(note)
	}
	for _, key := range m.bindingKeys() {
		if _, ok := m.graph.scope[key]; !ok {
			if m.danglingBind == nil {
				m.danglingBind = map[string]bool{}
			}
			m.danglingBind[key] = true
		}
	}
}

// bindingKeys returns the keys of every training-info binding: names of
// main-graph values.
func (m *Model) bindingKeys() []string {
	var keys []string
	for _, ti := range m.p.GetTrainingInfo() {
		for _, kv := range ti.InitializationBinding {
			keys = append(keys, kv.GetKey())
		}
		for _, kv := range ti.UpdateBinding {
			keys = append(keys, kv.GetKey())
		}
	}
	return keys
}

// buildGraph moves gp's lists into a new Graph nested under parent (nil for
// a main graph) and resolves every name.
func (m *Model) buildGraph(gp *onnxproto.GraphProto, parent *Node) *Graph {
	g := newGraph(m, gp)
	g.parent = parent
	nodes, inits, sparse := gp.Node, gp.Initializer, gp.SparseInitializer
	ins, outs, vis := gp.Input, gp.Output, gp.ValueInfo
	gp.Node, gp.Initializer, gp.SparseInitializer = nil, nil, nil
	gp.Input, gp.Output, gp.ValueInfo = nil, nil, nil
	g.scope = make(map[string]*Value, len(ins)+len(inits)+len(sparse)+len(nodes))
	// The graph's values and nodes come from two allocations, not one each.
	nvals := len(ins) + len(inits) + len(sparse)
	for _, np := range nodes {
		nvals += len(np.Output)
	}
	g.slab = make([]Value, 0, nvals)
	defer func() { g.slab = nil }()
	nodeSlab := make([]Node, len(nodes))

	for _, vi := range ins {
		v := g.define(vi.GetName())
		v.input = true
		v.infos = append(v.infos, vi)
		g.inputs = append(g.inputs, v)
		g.inInfo = append(g.inInfo, vi)
	}
	for _, t := range inits {
		v := g.defineShared(t.GetName())
		v.init = t
		g.inits = append(g.inits, v)
	}
	for _, st := range sparse {
		v := g.defineShared(st.GetValues().GetName())
		v.sparse = st
		g.sparse = append(g.sparse, v)
	}
	g.nodes = make([]*Node, len(nodes))
	nouts := 0
	for _, np := range nodes {
		nouts += len(np.Output)
	}
	outSlab := make([]*Value, nouts)
	for i, np := range nodes {
		n := &nodeSlab[i]
		n.p, n.graph = np, g
		n.outputs, outSlab = outSlab[:len(np.Output):len(np.Output)], outSlab[len(np.Output):]
		for k, name := range np.Output {
			if name == "" {
				continue
			}
			v := g.define(name)
			v.producer, v.index = n, k
			n.outputs[k] = v
		}
		g.nodes[i] = n
	}
	g.resolveInputs()
	for _, vi := range outs {
		v := g.lookup(vi.GetName())
		v.infos = append(v.infos, vi)
		g.outputs = append(g.outputs, v)
		g.outInfo = append(g.outInfo, vi)
	}
	for _, vi := range vis {
		g.addValueInfo(g.lookup(vi.GetName()), vi)
	}
	for _, n := range g.nodes {
		m.buildSubgraphs(n)
	}
	return g
}

// resolveInputs links every node input to its value, once all of the
// graph's own names are defined (so forward references resolve too). The
// nodes' input lists come from one allocation, and so do the use lists of
// the values that had none: each a slice with a capacity of its own, so
// that an edit appending to one reallocates it.
func (g *Graph) resolveInputs() {
	total := 0
	for _, n := range g.nodes {
		total += len(n.p.Input)
	}
	ins := make([]*Value, total)
	for _, n := range g.nodes {
		n.inputs, ins = ins[:len(n.p.Input):len(n.p.Input)], ins[len(n.p.Input):]
		for k, name := range n.p.Input {
			if name != "" {
				v := g.lookup(name)
				n.inputs[k] = v
				v.pending++
			}
		}
	}
	uses := make([]Use, total)
	for _, n := range g.nodes {
		for k, v := range n.inputs {
			if v == nil {
				continue
			}
			if v.pending > 0 {
				if cap(v.uses) == 0 {
					v.uses, uses = uses[:0:v.pending], uses[v.pending:]
				}
				v.pending = 0
			}
			v.uses = append(v.uses, Use{Node: n, Index: k})
		}
	}
}

// buildSubgraphs turns n's graph-valued attributes into nested graphs.
func (m *Model) buildSubgraphs(n *Node) {
	for ai, a := range n.p.Attribute {
		if a.G != nil {
			n.subs = append(n.subs, subgraph{attr: ai, elem: -1, g: m.buildGraph(a.G, n)})
			a.G = nil
		}
		for ei, gp := range a.Graphs {
			n.subs = append(n.subs, subgraph{attr: ai, elem: ei, g: m.buildGraph(gp, n)})
		}
		a.Graphs = nil
	}
}

func (m *Model) buildFunction(fp *onnxproto.FunctionProto) *Function {
	f := &Function{p: fp, model: m}
	g := newGraph(m, nil)
	g.fn = f
	f.body = g
	nodes, ins, outs, vis := fp.Node, fp.Input, fp.Output, fp.ValueInfo
	fp.Node, fp.Input, fp.Output, fp.ValueInfo = nil, nil, nil, nil
	for _, name := range ins {
		v := g.define(name)
		v.input = true
		g.inputs = append(g.inputs, v)
		g.inInfo = append(g.inInfo, nil)
	}
	g.nodes = make([]*Node, len(nodes))
	for i, np := range nodes {
		n := &Node{p: np, graph: g}
		n.outputs = make([]*Value, len(np.Output))
		for k, name := range np.Output {
			if name != "" {
				v := g.define(name)
				v.producer, v.index = n, k
				n.outputs[k] = v
			}
		}
		g.nodes[i] = n
	}
	g.resolveInputs()
	for _, name := range outs {
		g.outputs = append(g.outputs, g.lookup(name))
		g.outInfo = append(g.outInfo, nil)
	}
	for _, vi := range vis {
		g.addValueInfo(g.lookup(vi.GetName()), vi)
	}
	for _, n := range g.nodes {
		m.buildSubgraphs(n)
	}
	return f
}

// define creates a value named name in g. A name defined twice (an invalid
// model) gets a second value; the scope keeps the first.
func (g *Graph) define(name string) *Value {
	var v *Value
	if len(g.slab) < cap(g.slab) {
		g.slab = g.slab[:len(g.slab)+1]
		v = &g.slab[len(g.slab)-1]
		v.name, v.graph = name, g
	} else {
		v = &Value{name: name, graph: g}
	}
	if _, dup := g.scope[name]; !dup {
		g.scope[name] = v
	}
	return v
}

// defineShared returns the graph input called name when there is one (an
// initializer may also be listed as an input), else a new value.
func (g *Graph) defineShared(name string) *Value {
	if v, ok := g.scope[name]; ok && v.input && v.init == nil && v.sparse == nil {
		return v
	}
	return g.define(name)
}

// lookup resolves name from g outwards; a name defined nowhere becomes an
// undefined value of g, shared by every read of it in g.
func (g *Graph) lookup(name string) *Value {
	if v, ok := g.Value(name); ok {
		return v
	}
	if v, ok := g.undef[name]; ok {
		return v
	}
	if g.undef == nil {
		g.undef = map[string]*Value{}
	}
	v := &Value{name: name, graph: g, undef: true}
	g.undef[name] = v
	return v
}
