package onnxgraph

import (
	"strings"
)

// RenameMode says how Rename matches names. The search string is always
// literal: no character has a special meaning.
type RenameMode uint8

// Rename modes.
const (
	RenameExact   RenameMode = iota // the whole name equals From
	RenamePartial                   // every occurrence of From in the name is replaced
	RenamePrefix                    // a name starting with From has that prefix replaced
	RenameSuffix                    // a name ending with From has that suffix replaced
)

var renameModeNames = [...]string{"exact", "partial", "prefix", "suffix"}

// String returns the mode's name, as ParseRenameMode reads it.
func (m RenameMode) String() string {
	if int(m) < len(renameModeNames) {
		return renameModeNames[m]
	}
	return "RenameMode(" + itoa(int(m)) + ")"
}

// ParseRenameMode returns the mode called s: "exact", "partial", "prefix"
// or "suffix".
func ParseRenameMode(s string) (RenameMode, error) {
	for i, n := range renameModeNames {
		if s == n {
			return RenameMode(i), nil
		}
	}
	return 0, errorf(ErrInvalid, "unknown rename mode %q (exact, partial, prefix, suffix)", s)
}

// RenameScope says what Rename renames.
type RenameScope uint8

// Rename scopes.
const (
	RenameAll     RenameScope = iota // node names and value names
	RenameNodes                      // node names only
	RenameValues                     // value names only (inputs, outputs, initializers, intermediate values)
	RenameInputs                     // the main graph's inputs only
	RenameOutputs                    // the main graph's outputs only
)

var renameScopeNames = [...]string{"all", "nodes", "values", "inputs", "outputs"}

// String returns the scope's name, as ParseRenameScope reads it.
func (s RenameScope) String() string {
	if int(s) < len(renameScopeNames) {
		return renameScopeNames[s]
	}
	return "RenameScope(" + itoa(int(s)) + ")"
}

// ParseRenameScope returns the scope called s: "all", "nodes", "values",
// "inputs" or "outputs".
func ParseRenameScope(s string) (RenameScope, error) {
	for i, n := range renameScopeNames {
		if s == n {
			return RenameScope(i), nil
		}
	}
	return 0, errorf(ErrInvalid, "unknown rename scope %q (all, nodes, values, inputs, outputs)", s)
}

// RenameOptions controls Rename. The zero value renames node and value
// names that equal the search string exactly, in the main graph and its
// subgraphs.
type RenameOptions struct {
	Mode  RenameMode
	Scope RenameScope
	// Functions also renames inside the bodies of model-local functions
	// (each body is its own namespace).
	Functions bool
}

// Renamed is one renamed node or value.
type Renamed struct {
	Graph string // the graph it is in
	Old   string
	New   string
}

// RenameReport says what Rename renamed.
type RenameReport struct {
	Nodes  []Renamed
	Values []Renamed
}

// Rename renames nodes and values whose names match from (the seed tool
// sor4onnx): exactly, every occurrence, as a prefix or as a suffix (see
// RenameOptions), always as literal text. A value follows everywhere it
// appears: its producer, every node input that reads it (reads from
// subgraphs included), graph input, output and value_info entries, its
// initializer, quantization annotations and training-info bindings. Each
// name is renamed once, however often it appears, so a replacement that
// contains the search string does not cascade.
//
// An empty from with RenamePrefix or RenameSuffix matches every name in
// scope: to is added in front of (or after) each, as in
// Rename("", "det/", &RenameOptions{Mode: RenamePrefix, Scope: RenameValues}, nil).
// Nothing matching is an error (ErrNotFound), as is an empty search string
// in the other modes or a result that is empty (ErrInvalid). A new value name that another
// value visible from it (or seeing it) would also carry, or a new node name
// another node carries, is an ErrNameCollision; nothing is renamed then.
func (m *Model) Rename(from, to string, opts *RenameOptions, report *RenameReport) *Model {
	return runStep(m, "Rename", opts, report, func(m *Model, o *RenameOptions) (*RenameReport, error) { return RenameModel(m, from, to, o) })
}

// RenameModel is Rename in plain form.
func RenameModel(m *Model, from, to string, opts *RenameOptions) (*RenameReport, error) {
	defer afterEdit(m)
	o := orZero(opts)
	if from == "" && o.Mode != RenamePrefix && o.Mode != RenameSuffix {
		return nil, errorf(ErrInvalid, "empty search string")
	}
	if o.Mode > RenameSuffix || o.Scope > RenameOutputs {
		return nil, errorf(ErrInvalid, "bad rename options %+v", o)
	}
	if m.graph == nil {
		return nil, errorf(ErrInvalid, "the model has no graph")
	}
	newName := func(name string) (string, bool) {
		switch o.Mode {
		case RenameExact:
			return to, name == from
		case RenamePartial:
			if strings.Contains(name, from) {
				return strings.ReplaceAll(name, from, to), true
			}
		case RenamePrefix:
			if strings.HasPrefix(name, from) {
				return to + name[len(from):], true
			}
		case RenameSuffix:
			if strings.HasSuffix(name, from) {
				return name[:len(name)-len(from)] + to, true
			}
		}
		return "", false
	}
	trees := []*Graph{m.graph}
	if o.Functions {
		for _, f := range m.funcs {
			trees = append(trees, f.body)
		}
	}
	type valuePlan struct {
		v   *Value
		new string
	}
	type nodePlan struct {
		n   *Node
		new string
	}
	var vplan []valuePlan
	var nplan []nodePlan
	doNodes := o.Scope == RenameAll || o.Scope == RenameNodes
	doValues := o.Scope == RenameAll || o.Scope == RenameValues
	for _, root := range trees {
		var graphs []*Graph
		root.Walk(func(g *Graph) bool { graphs = append(graphs, g); return true })
		// Every value of the tree, defined or read without a definition.
		var all []*Value
		for _, g := range graphs {
			all = append(all, g.Values()...)
			for _, v := range g.undef {
				all = append(all, v)
			}
		}
		var targets []*Value
		switch {
		case doValues:
			targets = all
		case o.Scope == RenameInputs && root == m.graph:
			targets = root.inputs
		case o.Scope == RenameOutputs && root == m.graph:
			targets = root.outputs
		}
		renamed := map[*Value]string{}
		seen := map[*Value]bool{}
		var mine []valuePlan
		for _, v := range targets {
			if v == nil || seen[v] {
				continue
			}
			seen[v] = true
			nn, ok := newName(v.name)
			if !ok {
				continue
			}
			if v.undef {
				return nil, culprit(v.name, errorf(ErrInvalid, "%q is read in graph %q but defined nowhere: it cannot be renamed", v.name, v.graph.Name()))
			}
			if nn == "" {
				return nil, culprit(v.name, errorf(ErrInvalid, "renaming %q would leave it without a name", v.name))
			}
			renamed[v] = nn
			mine = append(mine, valuePlan{v, nn})
		}
		if len(mine) > 0 {
			// Final names of every value of the tree.
			byName := map[string][]*Value{}
			dedup := map[*Value]bool{}
			for _, v := range all {
				if dedup[v] {
					continue
				}
				dedup[v] = true
				final := v.name
				if nn, ok := renamed[v]; ok {
					final = nn
				}
				byName[final] = append(byName[final], v)
			}
			for _, p := range mine {
				for _, w := range byName[p.new] {
					if w != p.v && (isInside(w.graph, p.v.graph) || isInside(p.v.graph, w.graph)) {
						why := "value"
						if nn, ok := renamed[w]; ok && nn == p.new {
							why = "renamed value " + quote(w.name)
						} else {
							why = "existing value"
						}
						return nil, culprit(p.v.name, errorf(ErrNameCollision, "renaming %q to %q collides with the %s in graph %q", p.v.name, p.new, why, w.graph.Name()))
					}
				}
			}
			vplan = append(vplan, mine...)
		}
		if doNodes {
			var nodes []*Node
			for _, g := range graphs {
				nodes = append(nodes, g.nodes...)
			}
			final := map[*Node]string{}
			var mineN []nodePlan
			for _, n := range nodes {
				final[n] = n.Name()
				if n.Name() == "" {
					continue
				}
				if nn, ok := newName(n.Name()); ok {
					if nn == "" {
						return nil, culprit(n.Name(), errorf(ErrInvalid, "renaming node %q would leave it without a name", n.Name()))
					}
					final[n] = nn
					mineN = append(mineN, nodePlan{n, nn})
				}
			}
			if len(mineN) > 0 {
				byName := map[string][]*Node{}
				for _, n := range nodes {
					byName[final[n]] = append(byName[final[n]], n)
				}
				for _, p := range mineN {
					for _, other := range byName[p.new] {
						if other != p.n && other.Name() != p.n.Name() {
							return nil, culprit(p.n.Name(), errorf(ErrNameCollision, "renaming node %q to %q collides with node %s in graph %q", p.n.Name(), p.new, other.label(), other.graph.Name()))
						}
					}
				}
				nplan = append(nplan, mineN...)
			}
		}
	}
	if len(vplan) == 0 && len(nplan) == 0 {
		what := "node or value"
		switch o.Scope {
		case RenameNodes:
			what = "node"
		case RenameValues:
			what = "value"
		case RenameInputs:
			what = "graph input"
		case RenameOutputs:
			what = "graph output"
		}
		how := "named"
		switch o.Mode {
		case RenamePartial:
			how = "containing"
		case RenamePrefix:
			how = "starting with"
		case RenameSuffix:
			how = "ending with"
		}
		return nil, culprit(from, errorf(ErrNotFound, "no %s %s %q", what, how, from))
	}

	r := &RenameReport{}
	err := m.Atomic(func(m *Model) error {
		// At once, so that names can trade places (a -> b, b -> c).
		names := make(map[*Value]string, len(vplan))
		for _, p := range vplan {
			if p.new != p.v.name {
				names[p.v] = p.new
				r.Values = append(r.Values, Renamed{Graph: p.v.graph.Name(), Old: p.v.name, New: p.new})
			}
		}
		renameValues(names)
		for _, p := range nplan {
			if p.new == p.n.Name() {
				continue
			}
			r.Nodes = append(r.Nodes, Renamed{Graph: p.n.graph.Name(), Old: p.n.Name(), New: p.new})
			p.n.SetName(p.new)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}
