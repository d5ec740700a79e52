package simplify

import (
	"fmt"
	"strconv"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
)

// editor batches the changes a pass makes to one graph: nodes to remove,
// values that become constants, graph outputs that take another value.
// Readers are rewired at once; what needs a name a removed node still
// holds waits for flush, which removes the nodes in one sweep (so a pass
// costs time in proportion to the graph, whatever it removes).
type editor struct {
	s        *state
	g        *onnxgraph.Graph
	dead     map[*onnxgraph.Node]bool
	deadList []*onnxgraph.Node
	consts   []pendingConst
	outs     []pendingOut
	sort     bool // nodes were added out of order
	changes  int
}

// pendingConst is a value to replace by a constant of the same name once
// its producer is gone.
type pendingConst struct {
	v *onnxgraph.Value
	t *onnxgraph.Tensor
}

// pendingOut is a graph output v to replace by w, keeping v's name.
type pendingOut struct {
	v, w *onnxgraph.Value
}

func (s *state) edit(g *onnxgraph.Graph) *editor {
	return &editor{s: s, g: g, dead: map[*onnxgraph.Node]bool{}}
}

// kill marks n for removal. Its outputs must have been rewired (replace,
// constant) or be unread.
func (e *editor) kill(n *onnxgraph.Node) {
	if !e.dead[n] {
		e.dead[n] = true
		e.deadList = append(e.deadList, n)
	}
}

// isDead reports whether n is marked for removal.
func (e *editor) isDead(n *onnxgraph.Node) bool { return e.dead[n] }

// outputIndices returns where v appears among g's outputs.
func outputIndices(g *onnxgraph.Graph, v *onnxgraph.Value) []int {
	var out []int
	for i, o := range g.Outputs() {
		if o == v {
			out = append(out, i)
		}
	}
	return out
}

// replaceable reports whether replace(v, w) would change anything: not
// when v is a graph output that would need an Identity of w and v's
// producer is already that Identity.
func (e *editor) replaceable(v, w *onnxgraph.Value) bool {
	if v == w || w == nil {
		return false
	}
	if !v.IsGraphOutput() || e.owned(w) {
		return true
	}
	p, _ := v.Producer()
	return p == nil || p.OpType() != "Identity" || p.Input(0) != w
}

// owned reports whether w may take the name of a graph output of e.g it
// replaces: an output of a live node of the graph that is no graph input,
// output or initializer.
func (e *editor) owned(w *onnxgraph.Value) bool {
	if w.Graph() != e.g || w.IsGraphInput() || w.IsGraphOutput() || w.Initializer() != nil {
		return false
	}
	p, _ := w.Producer()
	return p != nil && !e.dead[p]
}

// replace makes every reader of v read w. When v is an output of its
// graph, the output keeps v's name: w takes it (when w is an output of a
// node of the graph that nothing else names) or an Identity of w is
// added under it. The producer of v must be killed.
func (e *editor) replace(v, w *onnxgraph.Value) {
	if v == w {
		return
	}
	e.changes++
	v.ReplaceAllUsesWith(w)
	for i := range e.outs {
		if e.outs[i].w == v {
			e.outs[i].w = w
		}
	}
	if v.IsGraphOutput() {
		e.outs = append(e.outs, pendingOut{v, w})
	}
}

// constant replaces v, an output of a node the caller kills, by a
// constant holding t under v's name.
func (e *editor) constant(v *onnxgraph.Value, t *onnxgraph.Tensor) {
	e.changes++
	e.consts = append(e.consts, pendingConst{v, t})
}

// newConst adds a constant holding t to g under a new name made from
// base: an initializer, or a Constant node in function bodies and in the
// main graph of models before IR 4 (whose initializers are inputs).
func (e *editor) newConst(base string, t *onnxgraph.Tensor) (*onnxgraph.Value, error) {
	name := e.s.freshName(e.g, base)
	t, err := renamed(t, name)
	if err != nil {
		return nil, err
	}
	return e.addConst(t)
}

// addConst adds t under its own name, which must be free.
func (e *editor) addConst(t *onnxgraph.Tensor) (*onnxgraph.Value, error) {
	e.s.claim(e.g, t.Name())
	if e.s.constNodes(e.g) {
		n, err := e.g.AddNode("Constant", nil, []string{t.Name()}, onnxgraph.AttrTensor("value", t))
		if err != nil {
			return nil, err
		}
		n.SetName(e.s.freshNodeName(e.g, t.Name()))
		e.sort = true
		return n.Output(0), nil
	}
	return e.g.AddInitializer(t)
}

// constNodes reports whether constants of g must be Constant nodes.
func (s *state) constNodes(g *onnxgraph.Graph) bool {
	return inFunction(g) || (g == s.m.Graph() && s.m.IRVersion() < 4)
}

// canHold reports whether g can hold a constant of element type dt:
// Constant nodes before opset 9 take float types only.
func (s *state) canHold(g *onnxgraph.Graph, dt onnxgraph.DataType) bool {
	if !s.constNodes(g) {
		return true
	}
	if v, ok := s.opset(g, ""); ok && v < 9 {
		return dt == onnxgraph.Float || dt == onnxgraph.Double || dt == onnxgraph.Float16
	}
	return true
}

// renamed returns t under name: t itself when it has it, else a tensor
// sharing its bytes (inline data only).
func renamed(t *onnxgraph.Tensor, name string) (*onnxgraph.Tensor, error) {
	if t.Name() == name {
		return t, nil
	}
	if t.IsExternal() {
		return nil, fmt.Errorf("tensor %q: external data cannot be renamed", t.Name())
	}
	if t.DataType() == onnxgraph.String {
		ss, err := t.Strings()
		if err != nil {
			return nil, err
		}
		return onnxgraph.NewTensorOf(name, onnxgraph.String, t.Dims(), ss)
	}
	b, err := t.Bytes()
	if err != nil {
		return nil, err
	}
	return onnxgraph.NewTensor(name, t.DataType(), t.Dims(), b)
}

// inKilled reports whether n is, or sits inside a subgraph of, a node
// marked for removal.
func (e *editor) inKilled(n *onnxgraph.Node) bool {
	for n != nil {
		if n.Graph() == e.g {
			return e.dead[n]
		}
		n = n.Graph().Parent()
	}
	return false
}

// flush applies what the pass decided and returns the number of changes.
func (e *editor) flush() (int, error) {
	g := e.g
	type attach struct {
		name string
		t    *onnxgraph.Tensor
		uses []onnxgraph.Use
		v    *onnxgraph.Value // for graph outputs: the constant, already added
	}
	var later []attach
	for _, pc := range e.consts {
		v := pc.v
		var uses []onnxgraph.Use
		for _, u := range v.Uses() {
			if !e.inKilled(u.Node) {
				uses = append(uses, u)
			}
		}
		v.ReplaceAllUsesWith(nil)
		idx := outputIndices(g, v)
		if len(idx) == 0 && len(uses) == 0 {
			continue
		}
		a := attach{name: v.Name(), t: pc.t, uses: uses}
		if len(idx) > 0 {
			// The output takes a constant under a temporary name, which
			// becomes v's once v's producer is gone.
			w, err := e.newConst(v.Name()+"_const", pc.t)
			if err != nil {
				return 0, err
			}
			for _, i := range idx {
				if err := g.SetOutput(i, w); err != nil {
					return 0, err
				}
			}
			a.v = w
		}
		e.s.learnedFrom(v, pc.t)
		later = append(later, a)
	}
	type swap struct {
		name   string
		w      *onnxgraph.Value
		idx    []int
		rename bool
	}
	var swaps []swap
	claimed := map[*onnxgraph.Value]bool{}
	for _, po := range e.outs {
		idx := outputIndices(g, po.v)
		if len(idx) == 0 {
			continue
		}
		rename := e.owned(po.w) && !claimed[po.w]
		if rename {
			claimed[po.w] = true
		}
		for _, i := range idx {
			if err := g.SetOutput(i, po.w); err != nil {
				return 0, err
			}
		}
		swaps = append(swaps, swap{po.v.Name(), po.w, idx, rename})
	}
	if len(e.deadList) > 0 {
		if err := g.RemoveNodes(e.deadList...); err != nil {
			return 0, err
		}
	}
	for _, a := range later {
		w := a.v
		if w == nil {
			t, err := renamed(a.t, a.name)
			if err != nil {
				return 0, err
			}
			if w, err = e.addConst(t); err != nil {
				return 0, err
			}
		} else if err := w.Rename(a.name); err != nil {
			return 0, err
		}
		for _, u := range a.uses {
			if err := u.Node.SetInput(u.Index, w); err != nil {
				return 0, err
			}
		}
	}
	for _, sw := range swaps {
		w := sw.w
		if sw.rename {
			if err := w.Rename(sw.name); err != nil {
				return 0, err
			}
			e.s.claim(g, sw.name)
			continue
		}
		n, err := g.AddNode("Identity", []*onnxgraph.Value{w}, []string{sw.name})
		if err != nil {
			return 0, err
		}
		n.SetName(e.s.freshNodeName(g, sw.name))
		if t := e.s.typeOf(w); t != nil {
			e.s.types[n.Output(0)] = t
		}
		for _, i := range sw.idx {
			if err := g.SetOutput(i, n.Output(0)); err != nil {
				return 0, err
			}
		}
	}
	if e.sort {
		if err := g.TopoSort(); err != nil {
			return 0, err
		}
	}
	n := e.changes
	*e = editor{s: e.s, g: g, dead: map[*onnxgraph.Node]bool{}}
	return n, nil
}

// learnedFrom notes a new constant: when inference knew less of v than t
// holds, inferring again may resolve more.
func (s *state) learnedFrom(v *onnxgraph.Value, t *onnxgraph.Tensor) {
	if s.learned || s.res == nil {
		return
	}
	switch t.DataType() {
	case onnxgraph.Int64, onnxgraph.Int32:
	default:
		return // shape computations read integers
	}
	if _, ok := s.res.Data(v).KnownInts(); !ok && onnxgraph.NumElements(t.Dims()) <= 1<<16 {
		s.learned = true
	}
}

// freshName returns base, or base_N, unused by any value of g's tree of
// graphs, and claims it.
func (s *state) freshName(g *onnxgraph.Graph, base string) string {
	set := s.nameSet(g)
	name := base
	for i := 1; set[name]; i++ {
		name = base + "_" + strconv.Itoa(i)
	}
	set[name] = true
	return name
}

// claim records name as used in g's tree, once the names are gathered
// (a name the graph defines is gathered with the rest).
func (s *state) claim(g *onnxgraph.Graph, name string) {
	if set, ok := s.names[root(g)]; ok {
		set[name] = true
	}
}

// root returns the graph at the top of g's tree.
func root(g *onnxgraph.Graph) *onnxgraph.Graph {
	for g.Parent() != nil {
		g = g.Parent().Graph()
	}
	return g
}

// nameSet returns the value names of g's tree of graphs, built on first
// use and kept up to date by freshName and claim.
func (s *state) nameSet(g *onnxgraph.Graph) map[string]bool {
	r := root(g)
	if set, ok := s.names[r]; ok {
		return set
	}
	set := map[string]bool{}
	r.Walk(func(sub *onnxgraph.Graph) bool {
		for v := range sub.AllInputs() {
			set[v.Name()] = true
		}
		for v := range sub.AllInitializers() {
			set[v.Name()] = true
		}
		for _, v := range sub.SparseInitializers() {
			set[v.Name()] = true
		}
		for n := range sub.AllNodes() {
			for _, v := range n.AllOutputs() {
				if v != nil {
					set[v.Name()] = true
				}
			}
			for _, v := range n.AllInputs() {
				if v != nil {
					set[v.Name()] = true // undefined names too
				}
			}
		}
		return true
	})
	s.names[r] = set
	return set
}

// freshNodeName returns base, or base_N, unused as a node name in g's tree.
func (s *state) freshNodeName(g *onnxgraph.Graph, base string) string {
	r := root(g)
	set, ok := s.nodeNames[r]
	if !ok {
		set = map[string]bool{}
		r.Walk(func(sub *onnxgraph.Graph) bool {
			for n := range sub.AllNodes() {
				set[n.Name()] = true
			}
			return true
		})
		s.nodeNames[r] = set
	}
	name := base
	for i := 1; set[name]; i++ {
		name = base + "_" + strconv.Itoa(i)
	}
	set[name] = true
	return name
}

// setType records the type of a value created since the last inference.
func (s *state) setType(v *onnxgraph.Value, t *shapeinfer.Type) {
	if v != nil && t != nil {
		s.types[v] = t
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
