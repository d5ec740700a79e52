package onnxgraph

// Prune removes from g every node whose outputs no graph output needs,
// directly or through other nodes (reads inside subgraphs count), then
// every initializer nobody reads that is not a graph input or output. It
// returns the removed nodes in their original order; on error nothing
// changed. Graph inputs stay:
// removing an input changes the model's interface, which is the caller's
// decision (see RemoveInput).
func (g *Graph) Prune() ([]*Node, error) {
	g.model.touch()
	idx := g.nodeIndex()
	preds := g.preds(idx)
	live := make([]bool, len(g.nodes))
	var stack []int
	mark := func(v *Value) {
		if v == nil || v.producer == nil {
			return
		}
		if i, ok := idx[v.producer]; ok && !live[i] {
			live[i] = true
			stack = append(stack, i)
		}
	}
	for _, o := range g.outputs {
		mark(o)
	}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, j := range preds[i] {
			if !live[j] {
				live[j] = true
				stack = append(stack, j)
			}
		}
	}
	var dead []*Node
	for i, n := range g.nodes {
		if !live[i] {
			dead = append(dead, n)
		}
	}
	if len(dead) > 0 {
		if err := g.RemoveNodes(dead...); err != nil {
			return nil, err // dead nodes feed only dead nodes: not expected
		}
	}
	outs := map[*Value]bool{}
	for _, o := range g.outputs {
		outs[o] = true
	}
	unused := map[*Value]bool{}
	kept := g.inits[:0:0]
	for _, v := range g.inits {
		if len(v.uses) == 0 && !v.input && !outs[v] {
			unused[v] = true
			continue
		}
		kept = append(kept, v)
	}
	if len(unused) > 0 {
		// As RemoveInitializer does, for all at once.
		g.inits = kept
		for v := range unused {
			v.init = nil
			if g.scope[v.name] == v {
				delete(g.scope, v.name)
			}
		}
		g.dropValueInfo(unused)
	}
	return dead, nil
}

// PruneOptions controls Model.Prune. The zero value keeps graph inputs.
type PruneOptions struct {
	// Inputs also removes the main graph's inputs that nothing reads (and
	// that are not graph outputs), changing the model's interface.
	Inputs bool
}

// PruneReport says what Model.Prune removed.
type PruneReport struct {
	Nodes        []string // removed nodes, as "name(OpType)" or "#index(OpType)"
	Initializers []string // removed initializers
	ValueInfo    []string // value_info entries naming values defined nowhere
	Functions    []string // model-local functions nothing calls, as "domain:name"
	Inputs       []string // removed graph inputs (PruneOptions.Inputs)
}

// Prune removes dead code from the whole model: in every graph (subgraphs
// first, then the graphs around them) the nodes no graph output needs and
// the initializers nothing reads (see Graph.Prune); value_info entries of
// values defined nowhere; model-local functions no node calls, directly
// or through other functions; and, when asked, unused graph inputs.
func (m *Model) Prune(opts *PruneOptions, report *PruneReport) *Model {
	return runStep(m, "Prune", opts, report, PruneModel)
}

// PruneModel is Prune in plain form.
func PruneModel(m *Model, opts *PruneOptions) (*PruneReport, error) {
	defer afterEdit(m)
	o := orZero(opts)
	r := &PruneReport{}
	if m.graph == nil {
		return r, nil
	}
	var graphs []*Graph
	m.graph.Walk(func(g *Graph) bool { graphs = append(graphs, g); return true })
	for _, f := range m.funcs {
		f.body.Walk(func(g *Graph) bool { graphs = append(graphs, g); return true })
	}
	// Reverse pre-order: every subgraph before the graph holding it.
	for i := len(graphs) - 1; i >= 0; i-- {
		g := graphs[i]
		pos := make(map[*Node]int, len(g.nodes))
		for k, n := range g.nodes {
			pos[n] = k
		}
		inits := append([]*Value(nil), g.inits...)
		dead, err := g.Prune()
		if err != nil {
			return nil, err
		}
		for _, n := range dead {
			r.Nodes = append(r.Nodes, labelAt(n, pos[n]))
		}
		for _, v := range inits {
			if v.init == nil {
				r.Initializers = append(r.Initializers, v.name)
			}
		}
		stale := map[*Value]bool{}
		for _, v := range g.viValue {
			if v.undef && len(v.uses) == 0 && !v.IsGraphOutput() {
				stale[v] = true
				r.ValueInfo = append(r.ValueInfo, v.name)
			}
		}
		for v := range stale {
			delete(g.undef, v.name)
		}
		g.dropValueInfo(stale)
	}
	r.Functions = m.dropUnusedFunctions()
	if o.Inputs {
		for _, v := range m.graph.Inputs() {
			if len(v.uses) == 0 && v.init == nil && v.sparse == nil && !v.IsGraphOutput() {
				if err := m.graph.RemoveInput(v); err == nil {
					r.Inputs = append(r.Inputs, v.name)
				}
			}
		}
	}
	return r, nil
}

// funcKey identifies a model-local function as nodes call it.
func localFuncKey(domain, name, overload string) string {
	if isDefaultDomain(domain) {
		domain = ""
	}
	return domain + "\x00" + name + "\x00" + overload
}

// dropUnusedFunctions removes the functions no node of the main graph
// calls, directly or through other functions, and returns them as
// "domain:name".
func (m *Model) dropUnusedFunctions() []string {
	if len(m.funcs) == 0 {
		return nil
	}
	byKey := make(map[string]*Function, len(m.funcs))
	for _, f := range m.funcs {
		byKey[localFuncKey(f.Domain(), f.Name(), f.Overload())] = f
	}
	used := map[*Function]bool{}
	var stack []*Function
	visit := func(g *Graph) bool {
		for _, n := range g.nodes {
			if f := byKey[localFuncKey(n.Domain(), n.OpType(), n.p.GetOverload())]; f != nil && !used[f] {
				used[f] = true
				stack = append(stack, f)
			}
		}
		return true
	}
	if m.graph != nil {
		m.graph.Walk(visit)
	}
	for len(stack) > 0 {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		f.body.Walk(visit)
	}
	var dropped []string
	kept := m.funcs[:0:0]
	for _, f := range m.funcs {
		if used[f] {
			kept = append(kept, f)
		} else {
			dropped = append(dropped, f.Domain()+":"+f.Name())
		}
	}
	m.funcs = kept
	return dropped
}

// labelAt names node n, at index i of its graph, for reports.
func labelAt(n *Node, i int) string {
	if n.Name() != "" {
		return n.Name() + "(" + n.OpType() + ")"
	}
	return "#" + itoa(i) + "(" + n.OpType() + ")"
}

// pruneFrom removes what the seeds leave without purpose, and nothing
// else: starting from the seeds (values of g), a node of g none of whose
// outputs is read or is an output of g (or of a subgraph, directly) goes,
// then the nodes only it read from, and so on; initializers of g that end
// up read by nothing go too (graph inputs stay, except that before IR 4,
// where every initializer is listed as an input, the listing goes with its
// initializer). Dead code the seeds do not lead to stays. It returns the removed nodes' labels, in graph order, and
// the removed initializers' names.
func (g *Graph) pruneFrom(seeds []*Value) (nodes, inits []string) {
	outs := map[*Value]bool{}
	for _, o := range g.outputs {
		outs[o] = true
	}
	// Values of g that a subgraph names as its own output: kept alive.
	for _, n := range g.nodes {
		for _, s := range n.subs {
			s.g.Walk(func(inner *Graph) bool {
				for _, x := range inner.outputs {
					if x != nil && x.graph == g {
						outs[x] = true
					}
				}
				return true
			})
		}
	}
	// Before IR 4 every initializer is listed as a graph input too: there
	// the listing goes with the initializer.
	oldIR := g.outer() == nil && g.fn == nil && g.model != nil && g.model.p != nil && g.model.IRVersion() < 4
	cnt := map[*Value]int{}
	live := func(v *Value) int {
		c, ok := cnt[v]
		if !ok {
			c = len(v.uses)
			cnt[v] = c
		}
		return c
	}
	dead := map[*Node]bool{}
	deadInit := map[*Value]bool{}
	var deadInits []*Value
	work := append([]*Value(nil), seeds...)
	for len(work) > 0 {
		v := work[len(work)-1]
		work = work[:len(work)-1]
		if v == nil || v.graph != g || outs[v] || live(v) > 0 {
			continue
		}
		p := v.producer
		if p == nil {
			if (v.init != nil || v.sparse != nil) && (!v.input || oldIR) && !deadInit[v] {
				deadInit[v] = true
				deadInits = append(deadInits, v)
			}
			continue
		}
		if dead[p] {
			continue
		}
		alive := false
		for _, o := range p.outputs {
			if o != nil && (outs[o] || live(o) > 0) {
				alive = true
				break
			}
		}
		if alive {
			continue
		}
		dead[p] = true
		for _, x := range p.reads() {
			cnt[x] = live(x) - 1
			work = append(work, x)
		}
	}
	var gone []*Node
	for i, n := range g.nodes {
		if dead[n] {
			gone = append(gone, n)
			nodes = append(nodes, labelAt(n, i))
		}
	}
	if len(gone) > 0 {
		if err := g.RemoveNodes(gone...); err != nil {
			panic("onnxgraph: pruneFrom: " + err.Error()) // the counts above guarantee it cannot fail
		}
	}
	if len(deadInits) == 0 {
		return nodes, nil
	}
	// In the graph's order.
	deadInits = deadInits[:0]
	for _, v := range g.inits {
		if deadInit[v] {
			deadInits = append(deadInits, v)
		}
	}
	for _, v := range g.sparse {
		if deadInit[v] {
			deadInits = append(deadInits, v)
		}
	}
	for _, v := range deadInits {
		if v.input {
			_ = g.RemoveInput(v) // keeps the initializer, removed below
		}
		if v.sparse != nil {
			g.removeSparse(v)
		} else {
			_ = g.RemoveInitializer(v) // unread, not an input or output: cannot fail
		}
		inits = append(inits, v.name)
	}
	return nodes, inits
}

// reads returns every value n reads, once per use: its inputs and the
// reads its subgraphs make of values outside them.
func (n *Node) reads() []*Value {
	var out []*Value
	for _, x := range n.inputs {
		if x != nil {
			out = append(out, x)
		}
	}
	for _, s := range n.subs {
		s.g.Walk(func(inner *Graph) bool {
			for _, m := range inner.nodes {
				for _, x := range m.inputs {
					if x != nil && !isInside(x.graph, s.g) {
						out = append(out, x)
					}
				}
			}
			return true
		})
	}
	return out
}

// removeSparse removes sparse initializer v, which nothing reads.
func (g *Graph) removeSparse(v *Value) {
	if i := indexOf(g.sparse, v); i >= 0 {
		g.sparse = append(g.sparse[:i:i], g.sparse[i+1:]...)
	}
	v.sparse = nil
	if g.scope[v.name] == v {
		delete(g.scope, v.name)
	}
	g.dropValueInfo(map[*Value]bool{v: true})
}

// TopoSort sorts every graph of the model (the main graph, its subgraphs,
// function bodies) as Graph.TopoSort does. On a cycle it records a
// *CycleError and changes nothing.
func (m *Model) TopoSort() *Model {
	return m.Apply("TopoSort", TopoSortModel)
}

// TopoSortModel is TopoSort in plain form.
func TopoSortModel(m *Model) error {
	defer afterEdit(m)
	var plans []func()
	var err error
	sortOne := func(s *Graph) bool {
		order, e := s.topoOrder()
		if e != nil {
			err = e
			return false
		}
		plans = append(plans, func() { s.nodes = order })
		return true
	}
	if m.graph != nil {
		m.graph.Walk(sortOne)
	}
	for _, f := range m.funcs {
		if err == nil {
			f.body.Walk(sortOne)
		}
	}
	if err != nil {
		return err
	}
	for _, apply := range plans {
		apply()
	}
	return nil
}
