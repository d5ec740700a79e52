package onnxgraph

import (
	"slices"

	"github.com/onnxgraph/onnxgraph/onnxproto"
	"google.golang.org/protobuf/proto"
)

// AddOutputsOptions says which values AddOutputs promotes.
type AddOutputsOptions struct {
	// Names are the values of the main graph to make graph outputs, in
	// order: node outputs, graph inputs or initializers.
	Names []string
	// TypeOf, when set, gives a value's type where its declared type has
	// no element type or no shape (shapeinfer can serve; see
	// ExtractOptions.TypeOf).
	TypeOf func(*Value) *onnxproto.TypeProto
	// AllowUntyped adds outputs whose type or shape is unknown, reported in
	// OutputsReport.NoType and NoShape; by default they are an error
	// (ErrUntyped) and nothing is added.
	AllowUntyped bool
}

// OutputsReport says what AddOutputs or DeleteOutputs did.
type OutputsReport struct {
	Added   []ValueSummary // outputs added, with the type declared for each
	Skipped []string       // names that already were outputs (AddOutputs)
	NoType  []string       // added outputs whose type is unknown
	NoShape []string       // added outputs whose shape is unknown
	Removed []string       // outputs removed (DeleteOutputs)
	Pruned  []string       // nodes and initializers that only served removed outputs
	Inputs  []string       // graph inputs removed (DeleteOutputsOptions.PruneInputs)
}

// AddOutputs makes values of the main graph graph outputs (the seed tool
// soa4onnx), each with its declared type (or TypeOf's). A name that
// already is an output is skipped and reported, so adding twice equals
// adding once. Unknown names are an error naming them; on error the model
// is unchanged.
func (m *Model) AddOutputs(opts *AddOutputsOptions, report *OutputsReport) *Model {
	return runStep(m, "AddOutputs", opts, report, AddOutputsModel)
}

// AddOutputsModel is AddOutputs in plain form.
func AddOutputsModel(m *Model, opts *AddOutputsOptions) (*OutputsReport, error) {
	defer afterEdit(m)
	o := orZero(opts)
	o.TypeOf = m.typeHook(o.TypeOf)
	g := m.graph
	if g == nil {
		return nil, errorf(ErrInvalid, "the model has no graph")
	}
	var vals []*Value
	var missing []string
	seen := map[*Value]bool{}
	for _, name := range o.Names {
		v, ok := g.scope[name]
		if !ok {
			missing = append(missing, name)
			continue
		}
		if !seen[v] {
			seen[v] = true
			vals = append(vals, v)
		}
	}
	if len(missing) > 0 {
		return nil, culprit(missing[0], errorf(ErrNotFound, "add outputs: no value named %s in the main graph", quoteList(missing)))
	}
	r := &OutputsReport{}
	types := make([]*onnxproto.TypeProto, len(vals))
	for i, v := range vals {
		if v.IsGraphOutput() {
			continue
		}
		t := boundaryType(v, o.TypeOf)
		if t != nil {
			t = proto.Clone(t).(*onnxproto.TypeProto)
		}
		types[i] = t
		switch {
		case !hasElemType(t):
			r.NoType = append(r.NoType, v.name)
		case !hasShape(t):
			r.NoShape = append(r.NoShape, v.name)
		}
	}
	if bad := append(slices.Clone(r.NoType), r.NoShape...); len(bad) > 0 && !o.AllowUntyped {
		return nil, untyped("add outputs", bad)
	}
	for i, v := range vals {
		if v.IsGraphOutput() {
			r.Skipped = append(r.Skipped, v.name)
			continue
		}
		_ = g.AddOutput(v, types[i]) // v is g's own value: cannot fail
		r.Added = append(r.Added, summarizeValue(v))
	}
	return r, nil
}

// DeleteOutputsOptions says which outputs DeleteOutputs removes.
type DeleteOutputsOptions struct {
	// Names are graph outputs of the main graph to remove.
	Names []string
	// PruneInputs also removes graph inputs that only served the removed
	// outputs. By default graph inputs stay.
	PruneInputs bool
}

// DeleteOutputs removes graph outputs (the seed tool sod4onnx) and then
// everything that only served them: nodes whose outputs nothing reads any
// more, and initializers only they read. Other dead code stays. Removing
// every output is refused, as is an unknown name; on error the model is
// unchanged.
func (m *Model) DeleteOutputs(opts *DeleteOutputsOptions, report *OutputsReport) *Model {
	return runStep(m, "DeleteOutputs", opts, report, DeleteOutputsModel)
}

// DeleteOutputsModel is DeleteOutputs in plain form.
func DeleteOutputsModel(m *Model, opts *DeleteOutputsOptions) (*OutputsReport, error) {
	defer afterEdit(m)
	o := orZero(opts)
	g := m.graph
	if g == nil {
		return nil, errorf(ErrInvalid, "the model has no graph")
	}
	drop := map[string]bool{}
	var missing []string
	for _, name := range o.Names {
		found := false
		for _, v := range g.outputs {
			if v.name == name {
				found = true
			}
		}
		if !found {
			missing = append(missing, name)
		}
		drop[name] = true
	}
	if len(missing) > 0 {
		return nil, culprit(missing[0], errorf(ErrNotFound, "delete outputs: %s is not a graph output", quoteList(missing)))
	}
	left := 0
	for _, v := range g.outputs {
		if !drop[v.name] {
			left++
		}
	}
	if left == 0 && len(g.outputs) > 0 {
		return nil, errorf(ErrInvalid, "delete outputs: removing every output leaves a model that computes nothing")
	}
	r := &OutputsReport{}
	usedInputs := usedInputSet(g)
	var seeds []*Value
	for i := len(g.outputs) - 1; i >= 0; i-- {
		if v := g.outputs[i]; drop[v.name] {
			_ = g.RemoveOutput(i) // in range
			seeds = append(seeds, v)
		}
	}
	for i := len(seeds) - 1; i >= 0; i-- {
		r.Removed = append(r.Removed, seeds[i].name)
	}
	nodes, inits := g.pruneFrom(seeds)
	r.Pruned = append(nodes, inits...)
	if o.PruneInputs {
		r.Inputs = g.removeUnusedInputs(usedInputs)
	}
	return r, nil
}

// usedInputSet returns g's inputs that something reads now.
func usedInputSet(g *Graph) map[*Value]bool {
	used := map[*Value]bool{}
	for _, v := range g.inputs {
		if len(v.uses) > 0 {
			used[v] = true
		}
	}
	return used
}

// removeUnusedInputs removes the inputs of g in was (read before an edit)
// that nothing reads now, are no graph output and hold no initializer, and
// returns their names.
func (g *Graph) removeUnusedInputs(was map[*Value]bool) []string {
	var out []string
	for _, v := range g.Inputs() {
		if was[v] && len(v.uses) == 0 && v.init == nil && v.sparse == nil && !v.IsGraphOutput() {
			if err := g.RemoveInput(v); err == nil {
				out = append(out, v.name)
			}
		}
	}
	return out
}

// quoteList renders names as "a", "b", "c" (at most 12, then a count).
func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = quote(n)
	}
	return capList(q, 12, ", ")
}
