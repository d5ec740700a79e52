package simplify

import (
	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/opschema"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
	"google.golang.org/protobuf/proto"
)

// ifPass replaces each If of g whose condition is constant by the nodes
// of the branch it takes. A branch whose nodes hold subgraphs of their
// own stays (its nested graphs cannot move), as does a branch with an
// external initializer whose name is taken.
func (s *state) ifPass(g *onnxgraph.Graph) (int, error) {
	order := g.Nodes()
	changes := 0
	for _, n := range order {
		if n.OpType() != "If" || opschema.NormalizeDomain(n.Domain()) != opschema.DomainONNX || s.skipped(n) {
			continue
		}
		cond, ok := s.condition(g, n.Input(0))
		if !ok {
			continue
		}
		branch := s.branch(n, cond)
		if branch == nil {
			continue
		}
		if reason := s.inlinable(n, branch); reason != "" {
			s.leave(n, passIf, reason)
			continue
		}
		if err := s.inline(g, n, branch); err != nil {
			return changes, err
		}
		changes++
	}
	return changes, nil
}

// condition returns the value of a constant If condition.
func (s *state) condition(g *onnxgraph.Graph, v *onnxgraph.Value) (bool, bool) {
	if v == nil {
		return false, false
	}
	if t, ok := s.constOf(v); ok {
		if t.NumBytes() > 64 {
			return false, false
		}
		if t.DataType() == onnxgraph.Bool {
			bs, err := t.Bools()
			if err != nil || len(bs) != 1 {
				return false, false
			}
			return bs[0], true
		}
		return false, false
	}
	if s.res != nil && s.flags[v] == 0 && !inFunction(g) {
		if vals, ok := s.res.Data(v).KnownInts(); ok && len(vals) == 1 && s.elemOf(v) == onnxgraph.Bool {
			return vals[0] != 0, true
		}
	}
	return false, false
}

// branch returns the subgraph If node n runs for cond.
func (s *state) branch(n *onnxgraph.Node, cond bool) *onnxgraph.Graph {
	want := "else_branch"
	if cond {
		want = "then_branch"
	}
	for i, a := range n.Attrs() {
		if a.GetName() == want {
			return n.SubgraphAt(i)
		}
	}
	return nil
}

// inlinable says why branch cannot replace n, "" when it can.
func (s *state) inlinable(n *onnxgraph.Node, branch *onnxgraph.Graph) string {
	if len(branch.Inputs()) != 0 || len(branch.Outputs()) != n.NumOutputs() {
		return "the branch's inputs or outputs do not fit the node"
	}
	if len(branch.SparseInitializers()) > 0 {
		return "the branch has sparse initializers"
	}
	if len(branch.Initializers()) > 0 && s.constNodes(n.Graph()) {
		return "the branch has initializers, which the graph around cannot hold"
	}
	for _, b := range branch.Nodes() {
		if len(b.Subgraphs()) > 0 {
			return "the branch's node " + b.Name() + " (" + b.OpType() + ") holds subgraphs"
		}
	}
	for _, v := range branch.Initializers() {
		if t := v.Initializer(); t.IsExternal() && t.Name() != v.Name() {
			return "the branch's initializer " + v.Name() + " has external data under another name"
		}
	}
	for _, o := range branch.Outputs() {
		if t := o.Initializer(); t != nil && t.IsExternal() {
			return "a branch output is an external initializer"
		}
	}
	return ""
}

// inline replaces If node n of g by the nodes and initializers of branch,
// keeping the names of n's outputs (and, where free, of the branch's
// values), then sorts g.
func (s *state) inline(g *onnxgraph.Graph, n *onnxgraph.Node, branch *onnxgraph.Graph) error {
	// What to rebuild, read before n goes.
	nodes, err := branch.TopoOrder()
	if err != nil {
		return err
	}
	inits := branch.Initializers()
	bouts := branch.Outputs()
	outs := n.Outputs()
	types := map[*onnxgraph.Value]*shapeinfer.Type{}
	for _, v := range branch.Values() {
		types[v] = s.typeOf(v)
	}
	for _, v := range outs {
		if v != nil {
			types[v] = s.typeOf(v)
		}
	}
	// The branches' names go with n.
	set := s.nameSet(g)
	for _, sub := range n.Subgraphs() {
		sub.Walk(func(x *onnxgraph.Graph) bool {
			for _, v := range x.Values() {
				if v.Graph() == x {
					delete(set, v.Name())
				}
			}
			return true
		})
	}
	// The name each branch output takes: n's output's, when the branch
	// computes it with a node and names it once.
	outName := map[*onnxgraph.Value]string{}
	seen := map[*onnxgraph.Value]bool{}
	for i, b := range bouts {
		if outs[i] == nil {
			continue
		}
		if p, _ := b.Producer(); p != nil && p.Graph() == branch && !seen[b] {
			outName[b] = outs[i].Name()
		}
		seen[b] = true
	}
	// Detach n's outputs: readers and graph outputs wait for the new
	// values.
	type reader struct {
		uses []onnxgraph.Use
		idx  []int
	}
	readers := make([]reader, len(outs))
	for i, v := range outs {
		if v == nil {
			continue
		}
		readers[i] = reader{v.Uses(), outputIndices(g, v)}
		v.ReplaceAllUsesWith(nil)
		for _, k := range readers[i].idx {
			if err := g.SetOutput(k, n.Input(0)); err != nil {
				return err
			}
		}
	}
	if err := g.RemoveNodes(n); err != nil {
		return err
	}
	for _, v := range outs {
		if v != nil {
			s.claim(g, v.Name())
		}
	}
	mapped := map[*onnxgraph.Value]*onnxgraph.Value{}
	name := func(v *onnxgraph.Value) string {
		if nm, ok := outName[v]; ok {
			return nm
		}
		if set[v.Name()] {
			return s.freshName(g, v.Name())
		}
		set[v.Name()] = true
		return v.Name()
	}
	for _, v := range inits {
		t := v.Initializer()
		nm := name(v)
		t2, err := renamed(t, nm)
		if err != nil {
			return err
		}
		w, err := g.AddInitializer(t2)
		if err != nil {
			return err
		}
		mapped[v] = w
		s.setType(w, types[v])
	}
	for _, b := range nodes {
		ins := make([]*onnxgraph.Value, b.NumInputs())
		for i, v := range b.Inputs() {
			if v == nil {
				continue
			}
			if w, ok := mapped[v]; ok {
				ins[i] = w
			} else {
				ins[i] = v // a value of a graph around the branch
			}
		}
		onames := make([]string, b.NumOutputs())
		for i, v := range b.Outputs() {
			if v != nil {
				onames[i] = name(v)
			}
		}
		attrs := make([]*onnxproto.AttributeProto, len(b.Attrs()))
		for i, a := range b.Attrs() {
			attrs[i] = proto.Clone(a).(*onnxproto.AttributeProto)
		}
		nn, err := g.AddNodeIn(b.Domain(), b.OpType(), ins, onames, attrs...)
		if err != nil {
			return err
		}
		if b.Name() != "" {
			nn.SetName(s.freshNodeName(g, b.Name()))
		}
		if ov := b.Proto().GetOverload(); ov != "" {
			nn.Proto().Overload = proto.String(ov)
		}
		if doc := b.Proto().GetDocString(); doc != "" {
			nn.SetDocString(doc)
		}
		for i, v := range b.Outputs() {
			if v != nil {
				mapped[v] = nn.Output(i)
				s.setType(nn.Output(i), types[v])
			}
		}
	}
	// n's outputs: the branch's values, under n's names.
	for i, v := range outs {
		if v == nil {
			continue
		}
		b := bouts[i]
		w, ok := mapped[b]
		if !ok {
			w = b // a value of a graph around the branch
		}
		if w.Name() != v.Name() {
			id, err := g.AddNode("Identity", []*onnxgraph.Value{w}, []string{v.Name()})
			if err != nil {
				return err
			}
			id.SetName(s.freshNodeName(g, v.Name()))
			w = id.Output(0)
		}
		s.setType(w, types[v])
		for _, u := range readers[i].uses {
			if err := u.Node.SetInput(u.Index, w); err != nil {
				return err
			}
		}
		for _, k := range readers[i].idx {
			if err := g.SetOutput(k, w); err != nil {
				return err
			}
		}
	}
	s.learned = true
	return g.TopoSort()
}
