package simplify

import (
	"errors"
	"fmt"
	"slices"
	"strconv"

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

// run simplifies m to a fixed point. valid says m passed the checker: the
// result must too. careful checks after every pass and turns off the
// passes whose result fails, as a guard against a pass's bug.
func run(m *onnxgraph.Model, c *config, valid, careful bool) (*Report, error) {
	s := newState(m, c)
	if err := orderable(m); err != nil {
		return nil, err
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
		changed := false
		for round := 0; round < maxRounds; round++ {
			n, err := s.round(valid, careful)
			if err != nil {
				return nil, err
			}
			if n == 0 {
				break
			}
			changed = true
		}
		if !changed || !s.learned {
			break
		}
	}
	if valid && !careful {
		if err := onnxgraph.Validate(m, checkOpts); err != nil {
			return nil, fmt.Errorf("%w: %v", errRejected, err)
		}
	}
	return s.report(iter), nil
}

// orderable checks that every graph's nodes can be ordered.
func orderable(m *onnxgraph.Model) error {
	var err error
	check := func(g *onnxgraph.Graph) bool {
		if _, e := g.TopoOrder(); e != nil {
			err = wrap(e)
			return false
		}
		return true
	}
	if m.Graph().Walk(check) {
		for _, f := range m.Functions() {
			if !f.Body().Walk(check) {
				break
			}
		}
	}
	return err
}

// graphPass is one pass over one graph; it returns how many changes it
// made.
type graphPass func(s *state, g *onnxgraph.Graph) (int, error)

// round runs every pass once over every graph.
func (s *state) round(valid, careful bool) (int, error) {
	steps := []struct {
		name string
		fn   graphPass
	}{
		{passFold, (*state).foldPass},
		{passShapes, (*state).shapesPass},
		{passIf, (*state).ifPass},
		{passNoop, tablePass(passNoop)},
		{passMerge, tablePass(passMerge)},
		{passFuse, tablePass(passFuse)},
		{passCSE, (*state).csePass},
		{passShare, (*state).sharePass},
	}
	total := 0
	for _, st := range steps {
		if s.c.skipPass[st.name] || s.off[st.name] {
			continue
		}
		n, err := s.guard(st.name, valid, careful, func() (int, error) {
			sum := 0
			for _, g := range s.graphs() {
				k, err := st.fn(s, g)
				if err != nil {
					return sum, err
				}
				sum += k
			}
			return sum, nil
		})
		if err != nil {
			return total, err
		}
		s.changes[st.name] += n
		total += n
	}
	if !s.c.skipPass[passDCE] && !s.off[passDCE] {
		n, err := s.guard(passDCE, valid, careful, s.dcePass)
		if err != nil {
			return total, err
		}
		s.changes[passDCE] += n
		total += n
	}
	return total, nil
}

// guard runs one pass. Outside careful mode an error of a primitive edit
// becomes errRejected (the whole run is undone and runs again carefully).
// In careful mode the pass runs on a snapshot that is kept only when the
// model still passes the checker (if it did to begin with); otherwise the
// pass is turned off.
func (s *state) guard(pass string, valid, careful bool, fn func() (int, error)) (int, error) {
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
	s.off[pass] = true
	s.disabled = append(s.disabled, Left{Pass: pass, Reason: firstLine(err.Error())})
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
func (s *state) skipped(n *onnxgraph.Node) bool { return s.c.skipOp[keyOf(n)] }

// report builds the report of a finished run; fill adds the counts.
func (s *state) report(iter int) *Report {
	r := &Report{Iterations: iter, Disabled: s.disabled}
	for _, p := range passes {
		if p.Name == passSubgraphs || p.Name == passFunctions {
			continue
		}
		r.Changes = append(r.Changes, PassCount{Pass: p.Name, Changes: s.changes[p.Name]})
	}
	// Only the nodes still in the model, named by name or index.
	at := map[*onnxgraph.Node]int{}
	visit := func(g *onnxgraph.Graph) bool {
		for i, n := range g.Nodes() {
			at[n] = i
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

// fill sets the counts of r from summaries taken before and after.
func (r *Report) fill(before, after onnxgraph.Summary) {
	counts := map[string]*OpCount{}
	var order []string
	for _, oc := range before.Ops {
		counts[oc.OpType] = &OpCount{OpType: oc.OpType, Before: oc.Count}
		order = append(order, oc.OpType)
	}
	for _, oc := range after.Ops {
		c := counts[oc.OpType]
		if c == nil {
			c = &OpCount{OpType: oc.OpType}
			counts[oc.OpType] = c
			order = append(order, oc.OpType)
		}
		c.After = oc.Count
	}
	slices.Sort(order)
	r.Ops = make([]OpCount, len(order))
	for i, k := range order {
		r.Ops[i] = *counts[k]
	}
	r.NodesBefore, r.NodesAfter = before.TotalOps, after.TotalOps
	r.ParamBytesBefore, r.ParamBytesAfter = before.ParamBytes, after.ParamBytes
}

// opName is n's operator type, with its domain outside the default one.
func opName(n *onnxgraph.Node) string {
	if d := opschema.NormalizeDomain(n.Domain()); d != opschema.DomainONNX {
		return d + ":" + n.OpType()
	}
	return n.OpType()
}
