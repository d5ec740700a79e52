package simplify

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/opschema"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
)

// errRejected makes Simplify run again in careful mode: the result did not
// pass the checker, or a primitive edit failed.
var errRejected = errors.New("simplify: result rejected")

// maxRounds bounds the rounds of one iteration; each round that changes
// something removes at least one node or value, so it is only a guard.
const maxRounds = 1000

// state is one run of Simplify over a model.
type state struct {
	m   *onnxgraph.Model
	c   *config
	res *shapeinfer.Result // the last inference; nil before the first
	// types holds the types of values created since the last inference.
	types map[*onnxgraph.Value]*shapeinfer.Type
	// flags marks values whose inferred type or data cannot be used (see
	// taint).
	flags map[*onnxgraph.Value]taint
	// learned is set when a change may let inference know more than it
	// did (a constant it had no data for, an inlined branch): the run
	// then infers again.
	learned bool

	names     map[*onnxgraph.Graph]map[string]bool // value names per tree of graphs (keyed by its root)
	nodeNames map[*onnxgraph.Graph]map[string]bool // node names per tree of graphs

	changes  map[string]int
	left     []leftNote
	leftAt   map[leftKey]int
	disabled []Left
	off      map[string]bool // passes turned off in careful mode
}

type leftKey struct {
	n    *onnxgraph.Node
	pass string
}

// leftNote is a node a pass left, and why.
type leftNote struct {
	n      *onnxgraph.Node
	pass   string
	reason string
}

func newState(m *onnxgraph.Model, c *config) *state {
	return &state{m: m, c: c, types: map[*onnxgraph.Value]*shapeinfer.Type{}, flags: map[*onnxgraph.Value]taint{},
		names: map[*onnxgraph.Graph]map[string]bool{}, nodeNames: map[*onnxgraph.Graph]map[string]bool{},
		changes: map[string]int{}, leftAt: map[leftKey]int{}, off: map[string]bool{}}
}

// run simplifies m to a fixed point. careful checks after every pass
// (when valid, which says m passes the checker) and turns off the passes
// whose result fails or whose edits fail, as a guard against a pass's bug.
func run(m *onnxgraph.Model, c *config, valid, careful bool) (*Report, error) {
	s := newState(m, c)
	// Every graph in order once: the passes keep it so (nodes they add
	// read only values defined before them, or they sort again), and
	// visit nodes in list order.
	if err := onnxgraph.TopoSortModel(m); err != nil {
		return nil, wrap(err)
	}
	if len(c.inputs) > 0 {
		if _, err := onnxgraph.SetDimsModel(m, c.inputs, nil); err != nil {
			return nil, wrap(err)
		}
	}
	iter := 0
	for iter < c.maxIter {
		iter++
		s.infer()
		n, err := s.converge(valid, careful)
		if err != nil {
			return nil, err
		}
		if n == 0 || !s.learned {
			break
		}
	}
	return s.report(iter), nil
}

// graphPass is one pass over one graph; it returns how many changes it
// made.
type graphPass func(s *state, g *onnxgraph.Graph) (int, error)

// order is the order passes run in: folds first (they make constants the
// others use), shared constants before common subexpressions (which then
// see them as one), dead code last.
var order = []string{passFold, passShapes, passIf, passNoop, passMerge, passFuse, passShare, passCSE, passDCE}

// enables says which passes may find new work after a pass changed
// something: a fold makes constants, a rule rewires readers, shared
// constants make nodes alike, removed code leaves values with fewer
// readers (a fusion needs its input read once, a Dropout's mask unread).
// The shapes pass acts on what inference knows, so it runs once per
// inference.
var enables = map[string][]string{
	passFold:   {passFold, passIf, passNoop, passMerge, passFuse, passShare, passCSE, passDCE},
	passShapes: {passFold, passIf, passNoop, passMerge, passFuse, passShare, passCSE, passDCE},
	passIf:     {passFold, passIf, passNoop, passMerge, passFuse, passShare, passCSE, passDCE},
	passNoop:   {passFold, passIf, passNoop, passMerge, passFuse, passCSE, passDCE},
	passMerge:  {passFold, passIf, passNoop, passMerge, passFuse, passCSE, passDCE},
	passFuse:   {passFold, passIf, passNoop, passMerge, passFuse, passShare, passCSE, passDCE},
	passShare:  {passCSE, passDCE},
	// CSE cascades within a graph in one sweep; a merge in an outer graph
	// can make nodes of subgraphs (visited before it) alike.
	passCSE: {passCSE, passDCE},
	passDCE: {passNoop, passFuse},
}

// converge runs the passes until none has work left: each runs when a
// change since it last ran may have given it some (see enables). It
// returns the number of changes.
func (s *state) converge(valid, careful bool) (int, error) {
	dirty := map[string]bool{}
	for _, p := range order {
		dirty[p] = s.on(p)
	}
	cascade := s.hasSubgraphs() // else CSE has nothing below to cascade into
	total := 0
	for sweep := 0; sweep < maxRounds; sweep++ {
		any := false
		for i := 0; i < len(order); i++ {
			p := order[i]
			if !dirty[p] {
				continue
			}
			if err := s.c.ctx.Err(); err != nil {
				return total, err
			}
			any = true
			// The rule passes share one sweep of the nodes, unless each
			// must be checked apart.
			group := []string{p}
			if isRulePass(p) && !careful {
				for i+1 < len(order) && isRulePass(order[i+1]) {
					i++
					if dirty[order[i]] {
						group = append(group, order[i])
					}
				}
			}
			before := map[string]int{}
			for _, q := range group {
				dirty[q] = false
				before[q] = s.changes[q]
			}
			n, err := s.runPass(group, valid, careful)
			if err != nil {
				return total, err
			}
			total += n
			for _, q := range group {
				if s.changes[q] > before[q] {
					for _, r := range enables[q] {
						if r != passCSE || q != passCSE || cascade {
							dirty[r] = s.on(r)
						}
					}
				}
			}
		}
		if !any {
			break
		}
	}
	return total, nil
}

func isRulePass(p string) bool { return p == passNoop || p == passMerge || p == passFuse }

// hasSubgraphs reports whether any node of the model holds a subgraph.
func (s *state) hasSubgraphs() bool {
	found := false
	visit := func(g *onnxgraph.Graph) bool {
		for n := range g.AllNodes() {
			if len(n.Subgraphs()) > 0 {
				found = true
				return false
			}
		}
		return true
	}
	s.m.Graph().Walk(visit)
	for _, f := range s.m.Functions() {
		f.Body().Walk(visit)
	}
	return found
}

// runPass runs one pass (or, for the rule passes, several in one sweep)
// over every graph, under guard.
func (s *state) runPass(group []string, valid, careful bool) (int, error) {
	var n int
	var err error
	switch p := group[0]; {
	case p == passDCE:
		n, err = s.guard(p, valid, careful, s.dcePass)
		s.changes[p] += n
	case isRulePass(p):
		n, err = s.guard(strings.Join(group, "+"), valid, careful, s.overGraphs(strings.Join(group, "+"), tablePass(group...)))
	default:
		fn := map[string]graphPass{passFold: (*state).foldPass, passShapes: (*state).shapesPass, passIf: (*state).ifPass,
			passShare: (*state).sharePass, passCSE: (*state).csePass}[p]
		n, err = s.guard(p, valid, careful, s.overGraphs(p, fn))
		s.changes[p] += n
	}
	return n, err
}

// passHook, when set (by tests), runs before each pass over each graph:
// it stands for a pass's bug.
var passHook func(pass string, g *onnxgraph.Graph)

// overGraphs runs fn, pass, over every graph to simplify.
func (s *state) overGraphs(pass string, fn graphPass) func() (int, error) {
	return func() (int, error) {
		sum := 0
		for _, g := range s.graphs() {
			if passHook != nil {
				passHook(pass, g)
			}
			k, err := fn(s, g)
			if err != nil {
				return sum, err
			}
			sum += k
		}
		return sum, nil
	}
}

// guard runs one pass. Outside careful mode an error of a primitive edit
// becomes errRejected (the whole run is undone and runs again carefully).
// In careful mode the pass runs on a snapshot that is kept only when the
// model still passes the checker (if it did to begin with); otherwise the
// pass is turned off.
func (s *state) guard(pass string, valid, careful bool, fn func() (int, error)) (int, error) {
	fn = recovered(pass, fn)
	if !careful {
		n, err := fn()
		if err != nil {
			return n, fmt.Errorf("%w: pass %s: %v", errRejected, pass, err)
		}
		return n, nil
	}
	n := 0
	err := s.m.Atomic(func(m *onnxgraph.Model) error {
		var err error
		if n, err = fn(); err != nil {
			return err
		}
		if valid {
			return onnxgraph.Validate(m, checkOpts)
		}
		return nil
	})
	if err == nil {
		return n, nil
	}
	// A group of rule passes failing together is turned off together.
	for _, p := range strings.Split(pass, "+") {
		s.off[p] = true
	}
	s.disabled = append(s.disabled, Left{Pass: pass, Reason: capText(firstLine(err.Error()), 300)})
	// The model went back to a snapshot: everything held is stale.
	s.reset()
	return 0, nil
}

// reset forgets what the state holds about the model's nodes and values,
// after the model went back to a snapshot.
func (s *state) reset() {
	s.types = map[*onnxgraph.Value]*shapeinfer.Type{}
	s.names = map[*onnxgraph.Graph]map[string]bool{}
	s.nodeNames = map[*onnxgraph.Graph]map[string]bool{}
	s.leftAt = map[leftKey]int{}
	s.left = nil
	s.infer()
}

// recovered runs fn, turning a panic (a bug of a pass on some input)
// into an error of the pass, so that Simplify undoes it and goes on
// without that pass.
func recovered(pass string, fn func() (int, error)) func() (int, error) {
	return func() (n int, err error) {
		defer func() {
			if r := recover(); r != nil {
				n, err = 0, fmt.Errorf("pass %s failed: %v", pass, r)
			}
		}()
		return fn()
	}
}

// capText cuts s to about n bytes.
func capText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

func firstLine(s string) string {
	for i, r := range s {
		if r == '\n' {
			return s[:i]
		}
	}
	return s
}

// graphs returns the graphs to simplify, every subgraph before the graph
// that holds it: the main graph's tree, then the function bodies', as the
// passes subgraphs and functions allow.
func (s *state) graphs() []*onnxgraph.Graph {
	var out []*onnxgraph.Graph
	add := func(root *onnxgraph.Graph) {
		var tree []*onnxgraph.Graph
		root.Walk(func(g *onnxgraph.Graph) bool {
			if g == root || s.on(passSubgraphs) {
				tree = append(tree, g)
			}
			return true
		})
		slices.Reverse(tree)
		out = append(out, tree...)
	}
	add(s.m.Graph())
	if s.on(passFunctions) {
		for _, f := range s.m.Functions() {
			add(f.Body())
		}
	}
	return out
}

func (s *state) on(pass string) bool { return !s.c.skipPass[pass] && !s.off[pass] }

// infer runs shape inference on the model as it is now.
func (s *state) infer() {
	s.types = map[*onnxgraph.Value]*shapeinfer.Type{}
	s.learned = false
	res, err := shapeinfer.Infer(s.m, nil)
	if err != nil && res == nil {
		s.res = nil
	} else {
		s.res = res
	}
	s.flags = s.taints()
}

// leave records that pass left node n as it was, and why.
func (s *state) leave(n *onnxgraph.Node, pass, reason string) {
	k := leftKey{n, pass}
	if i, ok := s.leftAt[k]; ok {
		s.left[i].reason = reason
		return
	}
	s.leftAt[k] = len(s.left)
	s.left = append(s.left, leftNote{n, pass, reason})
}

// skipped reports whether n's operator is in SkipOps.
func (s *state) skipped(n *onnxgraph.Node) bool {
	return len(s.c.skipOp) > 0 && s.c.skipOp[keyOf(n)]
}

// report builds the report of a finished run; fill adds the counts.
func (s *state) report(iter int) *Report {
	r := &Report{Iterations: iter, Disabled: s.disabled}
	for _, p := range passes {
		if p.Name == passSubgraphs || p.Name == passFunctions {
			continue
		}
		r.Changes = append(r.Changes, PassCount{Pass: p.Name, Changes: s.changes[p.Name]})
	}
	if len(s.left) == 0 {
		return r
	}
	// Only the nodes still in the model, named by name or index.
	at := map[*onnxgraph.Node]int{}
	visit := func(g *onnxgraph.Graph) bool {
		i := 0
		for n := range g.AllNodes() {
			at[n] = i
			i++
		}
		return true
	}
	s.m.Graph().Walk(visit)
	for _, f := range s.m.Functions() {
		f.Body().Walk(visit)
	}
	for _, l := range s.left {
		i, ok := at[l.n]
		if !ok {
			continue
		}
		name := l.n.Name()
		if name == "" {
			name = "#" + strconv.Itoa(i)
		}
		r.Left = append(r.Left, Left{Graph: l.n.Graph().Name(), Node: name, OpType: opName(l.n), Pass: l.pass, Reason: l.reason})
	}
	return r
}

// census counts a model's nodes by operator type, and the bytes of its
// constants.
type census struct {
	ops    map[string]int
	nodes  int
	params int64
}

// countModel counts m's nodes in every graph, subgraphs and function
// bodies included, and the stored bytes of every initializer and Constant
// value (none is read).
func countModel(m *onnxgraph.Model) census {
	c := census{ops: map[string]int{}}
	visit := func(g *onnxgraph.Graph) bool {
		for n := range g.AllNodes() {
			c.ops[opName(n)]++
			c.nodes++
			if n.OpType() == "Constant" && opschema.NormalizeDomain(n.Domain()) == opschema.DomainONNX {
				for _, a := range n.Attrs() {
					if a.T != nil {
						c.params += max(m.TensorOf(a.T).NumBytes(), 0)
					}
				}
			}
		}
		for v := range g.AllInitializers() {
			c.params += max(v.Initializer().NumBytes(), 0)
		}
		return true
	}
	m.Graph().Walk(visit)
	for _, f := range m.Functions() {
		f.Body().Walk(visit)
	}
	return c
}

// fill sets the counts of r from censuses taken before and after.
func (r *Report) fill(before, after census) {
	seen := map[string]bool{}
	var order []string
	for _, c := range []census{before, after} {
		for op := range c.ops {
			if !seen[op] {
				seen[op] = true
				order = append(order, op)
			}
		}
	}
	slices.Sort(order)
	r.Ops = make([]OpCount, len(order))
	for i, op := range order {
		r.Ops[i] = OpCount{OpType: op, Before: before.ops[op], After: after.ops[op]}
	}
	r.NodesBefore, r.NodesAfter = before.nodes, after.nodes
	r.ParamBytesBefore, r.ParamBytesAfter = before.params, after.params
}

// opName is n's operator type, with its domain outside the default one.
func opName(n *onnxgraph.Node) string {
	if d := opschema.NormalizeDomain(n.Domain()); d != opschema.DomainONNX {
		return d + ":" + n.OpType()
	}
	return n.OpType()
}
