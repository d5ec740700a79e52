package onnxgraph

import (
	"slices"
	"strings"

	"github.com/onnxgraph/onnxgraph/onnxproto"
)

// DeleteNodesOptions says which nodes DeleteNodes removes and how their
// readers reconnect.
type DeleteNodesOptions struct {
	// Names are the nodes to delete, by name, in the main graph or any
	// subgraph (a name must be unique there).
	Names []string
	// Replace says, for a node that is not a plain pass-through, which of
	// its inputs (by value name) takes the place of which of its outputs:
	// Replace[node][output] = input. Every output that something reads or
	// that is a graph output needs an entry.
	Replace map[string]map[string]string
	// RelaxShapes accepts a replacement whose shape differs from the
	// output's; element types must still match.
	RelaxShapes bool
	// TypeOf, when set, gives a value's type for the checks where its
	// declared type lacks an element type or a shape (shapeinfer can
	// serve).
	TypeOf func(*Value) *onnxproto.TypeProto
}

// DeleteNodesReport says what DeleteNodes did.
type DeleteNodesReport struct {
	Deleted []string // the deleted nodes, as "name(OpType)"
	Rewired []string // each bypass, as "output -> input"
	Outputs []string // graph outputs re-pointed, as "old -> new"
	Pruned  []string // nodes and initializers that only the deleted nodes read
}

// DeleteNodes removes nodes and reconnects their readers (the seed tool
// snd4onnx). A node with one variable input (an input that is not an
// initializer or a Constant's output; Dropout's ratio, for instance, does
// not count, nor does an initializer listed as a graph input) and one output that matters (read, or a graph output; an
// unread Dropout mask does not count) is bypassed: readers of its output
// read its input instead, and a graph output it produced becomes its
// input. Any other node needs DeleteNodesOptions.Replace, or the deletion
// fails naming the node. A replacement must have the element type of the
// output it replaces and a compatible shape (see RelaxShapes).
//
// Weights never become graph outputs: when an output of the main graph
// would end up being an initializer, the deletion fails naming the node
// (map another input, or keep the node). It also fails when two graph outputs would
// become the same value. Nodes and initializers that only the deleted
// nodes read are removed too. On error the model is unchanged.
func (m *Model) DeleteNodes(opts *DeleteNodesOptions, report *DeleteNodesReport) *Model {
	return runStep(m, "DeleteNodes", opts, report, DeleteNodesModel)
}

// DeleteNodesModel is DeleteNodes in plain form.
func DeleteNodesModel(m *Model, opts *DeleteNodesOptions) (*DeleteNodesReport, error) {
	defer afterEdit(m)
	o := orZero(opts)
	o.TypeOf = m.typeHook(o.TypeOf)
	if m.graph == nil {
		return nil, errorf(ErrInvalid, "the model has no graph")
	}
	idx := nodesByName(m.graph)
	var nodes []*Node
	var missing []string
	gone := map[*Node]bool{}
	for _, name := range o.Names {
		if len(idx[name]) == 0 {
			missing = append(missing, name)
			continue
		}
		n, err := nodeNamedIn(idx, name)
		if err != nil {
			return nil, err
		}
		if !gone[n] {
			gone[n] = true
			nodes = append(nodes, n)
		}
	}
	if len(missing) > 0 {
		return nil, culprit(missing[0], errorf(ErrNotFound, "delete nodes: no node named %s", quoteList(missing)))
	}
	for name := range o.Replace {
		if !slices.Contains(o.Names, name) {
			return nil, culprit(name, errorf(ErrInvalid, "delete nodes: a replacement is given for node %q, which is not being deleted", name))
		}
	}

	// Decide every bypass first.
	repl := map[*Value]*Value{}
	var order []*Value // outputs in the order they are bypassed
	for _, n := range nodes {
		if err := bypassPlan(n, o, repl, &order); err != nil {
			return nil, err
		}
	}
	final := func(v *Value) *Value {
		for {
			w, ok := repl[v]
			if !ok {
				return v
			}
			v = w
		}
	}
	type outEdit struct {
		g *Graph
		i int
		v *Value
	}
	var outEdits []outEdit
	byGraph := map[*Graph][]*Node{}
	var graphOrder []*Graph
	for _, n := range nodes {
		if byGraph[n.graph] == nil {
			graphOrder = append(graphOrder, n.graph)
		}
		byGraph[n.graph] = append(byGraph[n.graph], n)
	}
	// Graph outputs that are bypassed outputs: in the deleted nodes'
	// graphs, or in subgraphs inside them that output an outer value.
	var outGraphs []*Graph
	inList := map[*Graph]bool{}
	for _, g := range graphOrder {
		g.Walk(func(s *Graph) bool {
			if !inList[s] {
				inList[s] = true
				outGraphs = append(outGraphs, s)
			}
			return true
		})
	}
	for _, g := range outGraphs {
		seen := map[*Value]string{}
		changed := map[*Value]bool{}
		for i, v := range g.outputs {
			w := final(v)
			if w != v {
				changed[w] = true
				owner := v.producer
				if (w.init != nil || w.sparse != nil) && g == m.graph {
					return nil, culprit(owner.Name(), errorf(ErrInvalid, "delete nodes: graph output %q of node %s would become initializer %q: weights are not made graph outputs; map another input or keep the node", v.name, owner.label(), w.name))
				}
				outEdits = append(outEdits, outEdit{g, i, w})
			}
			if prev, dup := seen[w]; dup && changed[w] {
				return nil, culprit(w.name, errorf(ErrInvalid, "delete nodes: graph outputs %q and %q would both become %q", prev, v.name, w.name))
			}
			seen[w] = v.name
		}
	}

	// Edit: nothing below can fail.
	r := &DeleteNodesReport{}
	var seeds []*Value
	for _, n := range nodes {
		r.Deleted = append(r.Deleted, n.Name()+"("+n.OpType()+")")
		for _, v := range n.reads() {
			if v.producer == nil || !gone[v.producer] {
				seeds = append(seeds, v)
			}
		}
	}
	for _, out := range order {
		in := final(out)
		out.ReplaceAllUsesWith(in)
		r.Rewired = append(r.Rewired, out.name+" -> "+in.name)
	}
	for _, e := range outEdits {
		old := e.g.outputs[e.i].name
		_ = e.g.SetOutput(e.i, e.v)
		r.Outputs = append(r.Outputs, old+" -> "+e.v.name)
	}
	for _, g := range graphOrder {
		if err := g.RemoveNodes(byGraph[g]...); err != nil {
			panic("onnxgraph: DeleteNodes: " + err.Error()) // every output was bypassed above
		}
	}
	seedsBy := map[*Graph][]*Value{}
	var gs []*Graph
	for _, v := range seeds {
		if seedsBy[v.graph] == nil {
			gs = append(gs, v.graph)
		}
		seedsBy[v.graph] = append(seedsBy[v.graph], v)
	}
	// Inner graphs first, so that what they stop reading can go outside.
	slices.SortStableFunc(gs, func(a, b *Graph) int { return graphDepth(b) - graphDepth(a) })
	for _, g := range gs {
		if g.parent != nil && gone[g.parent] {
			continue
		}
		ns, is := g.pruneFrom(seedsBy[g])
		r.Pruned = append(r.Pruned, ns...)
		r.Pruned = append(r.Pruned, is...)
	}
	return r, nil
}

// bypassPlan decides, for node n, which input replaces each output that
// matters, and records it in repl (and order).
func bypassPlan(n *Node, o DeleteNodesOptions, repl map[*Value]*Value, order *[]*Value) error {
	name := n.Name()
	outs := map[*Value]bool{}
	for _, v := range n.graph.outputs {
		outs[v] = true
	}
	var matter []*Value
	for _, v := range n.outputs {
		if v != nil && (len(v.uses) > 0 || outs[v]) {
			matter = append(matter, v)
		}
	}
	given := o.Replace[name]
	for out := range given {
		if !slices.ContainsFunc(n.outputs, func(v *Value) bool { return v != nil && v.name == out }) {
			return culprit(name, errorf(ErrInvalid, "delete nodes: node %s has no output %q", n.label(), out))
		}
	}
	var auto *Value
	if len(given) == 0 {
		var variable, all []*Value
		for _, v := range n.inputs {
			if v == nil || slices.Contains(all, v) {
				continue
			}
			all = append(all, v)
			if !isConstantValue(v) {
				variable = append(variable, v)
			}
		}
		if len(variable) == 0 {
			variable = all
		}
		if len(matter) > 0 && (len(variable) != 1 || len(matter) != 1) {
			outNames := make([]string, len(matter))
			for i, v := range matter {
				outNames[i] = v.name
			}
			return culprit(name, errorf(ErrInvalid, "delete nodes: node %s has %d variable inputs and %d outputs in use (%s): say which input replaces each output",
				n.label(), len(variable), len(matter), strings.Join(outNames, ", ")))
		}
		if len(variable) == 1 {
			auto = variable[0]
		}
	}
	for _, out := range matter {
		in := auto
		if given != nil {
			inName, ok := given[out.name]
			if !ok {
				return culprit(name, errorf(ErrInvalid, "delete nodes: node %s: no replacement given for output %q", n.label(), out.name))
			}
			k := slices.IndexFunc(n.inputs, func(v *Value) bool { return v != nil && v.name == inName })
			if k < 0 {
				return culprit(name, errorf(ErrInvalid, "delete nodes: node %s has no input %q", n.label(), inName))
			}
			in = n.inputs[k]
		}
		it, ot := boundaryType(in, o.TypeOf), boundaryType(out, o.TypeOf)
		if why := typeMismatch(it, ot, o.RelaxShapes); why != "" {
			return &JunctionError{Op: "delete node " + quote(name), Src: in.name, Dst: out.name, SrcType: typeLabel(it), DstType: typeLabel(ot), Reason: why}
		}
		repl[out] = in
		*order = append(*order, out)
	}
	return nil
}

// isConstant reports whether v is an initializer (listed as a graph input
// or not: before IR 4 every initializer is) or a Constant's output.
func isConstantValue(v *Value) bool {
	if v.init != nil || v.sparse != nil {
		return true
	}
	return v.producer != nil && v.producer.OpType() == "Constant" && isDefaultDomain(v.producer.Domain())
}

func graphDepth(g *Graph) int {
	d := 0
	for ; g.parent != nil; g = g.parent.graph {
		d++
	}
	return d
}
