package onnxgraph

import (
	"fmt"
	"slices"

	"github.com/onnxgraph/onnxgraph/onnxproto"
	"google.golang.org/protobuf/proto"
)

// MissingInputError lists the values an extraction needs but was not given.
type MissingInputError struct {
	Names []string // in the order the outputs need them
}

func (e *MissingInputError) Error() string {
	return fmt.Sprintf("onnxgraph: extract: %d values are needed but neither computed inside nor given as inputs: %s (list them among the inputs, or add them with AddMissingInputs)",
		len(e.Names), quoteList(e.Names))
}

// Unwrap returns ErrMissingInput.
func (e *MissingInputError) Unwrap() error { return ErrMissingInput }

// Culprit returns the first missing value.
func (e *MissingInputError) Culprit() string { return e.Names[0] }

// ExtractOptions says which part of a model Extract keeps.
type ExtractOptions struct {
	// Inputs are the values of the main graph where the part starts: they
	// become its graph inputs, in this order, and nothing that computes
	// them is kept. A value may be a node output (a cut), a graph input or
	// an undefined name; initializers are constants and cannot be inputs.
	// Graph inputs that have an initializer (overridable defaults, as every
	// initializer is before IR 4) stay inputs, after these, when the part
	// needs them.
	Inputs []string
	// Outputs are the values the part computes: its graph outputs, in this
	// order, and no others.
	Outputs []string
	// AddMissingInputs makes every value the outputs need that is neither
	// computed inside nor listed in Inputs (an original graph input not
	// listed, for instance) an input too, after the listed ones. Without
	// it such values are an error (a *MissingInputError naming them).
	AddMissingInputs bool
	// AllowUntyped keeps boundary values whose type or shape is unknown,
	// reported in ExtractReport.NoType and NoShape.
	AllowUntyped bool
	// TypeOf, when set, gives a boundary value's type when its declared
	// type (value_info, graph input or output entry, initializer) lacks an
	// element type or a shape. shapeinfer serves:
	//
	//	res, _ := shapeinfer.Infer(m, nil)
	//	opts.TypeOf = func(v *onnxgraph.Value) *onnxproto.TypeProto {
	//		if t := res.Type(v); t != nil {
	//			return t.Proto()
	//		}
	//		return nil
	//	}
	//
	// A boundary value whose element type or shape stays unknown is an
	// error (ErrUntyped), unless AllowUntyped.
	TypeOf func(*Value) *onnxproto.TypeProto
}

// ExtractReport says what Extract kept.
type ExtractReport struct {
	Inputs       []ValueSummary // the part's inputs, with their types
	Outputs      []ValueSummary // the part's outputs
	Added        []string       // inputs added by AddMissingInputs
	Unused       []string       // listed inputs no output needs (kept as inputs)
	Renamed      []string       // outputs of kept nodes that were listed as inputs, renamed "old -> new"
	NoType       []string       // boundary values whose type is unknown
	NoShape      []string       // boundary values whose shape is unknown
	Nodes        int            // nodes kept in the main graph
	Initializers int            // initializers kept in the main graph
	Dropped      int            // nodes of the main graph left out
	// DroppedFunctions are model-local functions no kept node calls.
	DroppedFunctions []string
	// DroppedTrainingInfo is set when the model's training_info, which
	// names the whole model's initializers, was left out.
	DroppedTrainingInfo bool
}

// Extract keeps only the part of the model between boundary values (the
// seed tool sne4onnx): the nodes that compute Outputs from Inputs, with the
// initializers and Constant nodes they read (weights by reference, never
// copied or read) and the subgraphs they hold, whose reads of outer values
// come along. It edits m in place: nodes and values callers hold belong to
// the old state afterwards (Clone first to keep the whole model). Only the
// kept part is copied (node messages and value entries; tensors are
// shared), so it costs time in proportion to the part, not the model. The
// model keeps its other fields (ir_version, opset imports, metadata,
// producer) except training_info. Types of the boundary values come from
// their declarations, ExtractOptions.TypeOf or the model's inference
// (Infer). On error the model is unchanged.
func (m *Model) Extract(opts *ExtractOptions, report *ExtractReport) *Model {
	return runStep(m, "Extract", opts, report, ExtractModel)
}

// ExtractModel is Extract in plain form.
func ExtractModel(m *Model, opts *ExtractOptions) (*ExtractReport, error) {
	defer afterEdit(m)
	nm, r, err := extractPart(m, opts)
	if err != nil {
		return nil, err
	}
	m.adopt(nm)
	return r, nil
}

// extractPart returns the part as a new model, leaving m as it is: it
// selects the nodes the boundary values enclose, then copies that
// selection.
func extractPart(m *Model, opts *ExtractOptions) (*Model, *ExtractReport, error) {
	o := orZero(opts)
	o.TypeOf = m.typeHook(o.TypeOf)
	g := m.graph
	if g == nil || g.p == nil {
		return nil, nil, errorf(ErrInvalid, "the model has no graph")
	}
	sel, err := selectPart(g, o)
	if err != nil {
		return nil, nil, err
	}
	return copyPart(m, sel, o)
}

// selection is the part of a main graph between boundary values.
type selection struct {
	ins, outs []*Value
	isIn      map[*Value]bool
	keep      map[*Node]bool  // nodes that compute the outputs from the inputs
	needInit  map[*Value]bool // initializers they read
	reached   map[*Value]bool // listed inputs some output needs
	need      []*Value        // values they read that nobody gives
	seen      map[*Value]bool // every value met
}

// selectPart resolves the boundary names of o and walks back from the
// outputs to the inputs.
func selectPart(g *Graph, o ExtractOptions) (*selection, error) {
	lookup := func(name string) (*Value, bool) {
		if v, ok := g.scope[name]; ok {
			return v, true
		}
		v, ok := g.undef[name]
		return v, ok
	}
	var missing []string
	var ins, outs []*Value
	isIn, isOut := map[*Value]bool{}, map[*Value]bool{}
	for _, name := range o.Inputs {
		v, ok := lookup(name)
		switch {
		case !ok:
			missing = append(missing, name)
		case isIn[v]:
			return nil, culprit(name, errorf(ErrInvalid, "extract: input %q is listed twice", name))
		case (v.init != nil || v.sparse != nil) && !v.input:
			return nil, culprit(name, errorf(ErrInvalid, "extract: %q is an initializer, a constant: it cannot be an input", name))
		default:
			isIn[v] = true
			ins = append(ins, v)
		}
	}
	for _, name := range o.Outputs {
		v, ok := lookup(name)
		switch {
		case !ok:
			missing = append(missing, name)
		case isOut[v]:
			return nil, culprit(name, errorf(ErrInvalid, "extract: output %q is listed twice", name))
		default:
			isOut[v] = true
			outs = append(outs, v)
		}
	}
	if len(missing) > 0 {
		return nil, culprit(missing[0], errorf(ErrNotFound, "extract: no value named %s in the main graph", quoteList(missing)))
	}
	if len(outs) == 0 {
		return nil, errorf(ErrInvalid, "extract: no outputs given")
	}

	// Walk back from the outputs to the inputs.
	keep := map[*Node]bool{}
	needInit := map[*Value]bool{}
	reached := map[*Value]bool{}
	var need []*Value
	seen := map[*Value]bool{}
	stack := make([]*Value, 0, len(outs))
	for i := len(outs) - 1; i >= 0; i-- {
		stack = append(stack, outs[i])
	}
	for len(stack) > 0 {
		v := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if v == nil || seen[v] {
			continue
		}
		seen[v] = true
		switch {
		case isIn[v]:
			reached[v] = true
		case v.producer != nil:
			n := v.producer
			if keep[n] {
				continue
			}
			keep[n] = true
			caps := n.captures()
			for i := len(caps) - 1; i >= 0; i-- {
				stack = append(stack, caps[i])
			}
			for i := len(n.inputs) - 1; i >= 0; i-- {
				stack = append(stack, n.inputs[i])
			}
		case v.init != nil || v.sparse != nil:
			needInit[v] = true
		default:
			need = append(need, v)
		}
	}
	if len(need) > 0 && !o.AddMissingInputs {
		e := &MissingInputError{}
		for _, v := range need {
			e.Names = append(e.Names, v.name)
		}
		return nil, e
	}
	return &selection{ins: ins, outs: outs, isIn: isIn, keep: keep, needInit: needInit, reached: reached, need: need, seen: seen}, nil
}

// copyPart copies the selection into a new model: the kept nodes (their
// messages, subgraphs and functions they call), the boundary values as
// graph inputs and outputs with their types, the initializers read (by
// reference), and the value annotations that still apply.
func copyPart(m *Model, sel *selection, o ExtractOptions) (*Model, *ExtractReport, error) {
	g := m.graph
	ins, outs, isIn, keep, needInit, reached, need, seen := sel.ins, sel.outs, sel.isIn, sel.keep, sel.needInit, sel.reached, sel.need, sel.seen

	// Build the part.
	r := &ExtractReport{}
	nm := &Model{p: cloneShare(m.p)}
	if len(nm.p.TrainingInfo) > 0 {
		nm.p.TrainingInfo = nil
		r.DroppedTrainingInfo = true
	}
	ng := newGraph(nm, cloneShare(g.p))
	ng.scope = make(map[string]*Value, len(seen))
	nm.graph = ng
	k := &cloner{m: nm, vals: make(map[*Value]*Value, len(seen)), nodes: make(map[*Node]*Node, len(keep)),
		infos: map[*onnxproto.ValueInfoProto]*onnxproto.ValueInfoProto{}, graphs: map[*Graph]*Graph{g: ng}}
	define := func(name string) *Value {
		nv := &Value{name: name, graph: ng}
		if _, dup := ng.scope[name]; !dup {
			ng.scope[name] = nv
		}
		return nv
	}
	boundary := func(v, nv *Value, orig *onnxproto.ValueInfoProto) *onnxproto.ValueInfoProto {
		var vi *onnxproto.ValueInfoProto
		if orig != nil {
			vi = proto.Clone(orig).(*onnxproto.ValueInfoProto)
			vi.Name = proto.String(nv.name)
		} else {
			vi = &onnxproto.ValueInfoProto{Name: proto.String(nv.name)}
		}
		if !hasElemType(vi.Type) || !hasShape(vi.Type) {
			if t := boundaryType(v, o.TypeOf); t != nil {
				vi.Type = proto.Clone(t).(*onnxproto.TypeProto)
			}
		}
		switch {
		case !hasElemType(vi.Type):
			r.NoType = append(r.NoType, nv.name)
		case !hasShape(vi.Type):
			r.NoShape = append(r.NoShape, nv.name)
		}
		return vi
	}
	origIn := map[*Value]*onnxproto.ValueInfoProto{}
	for i, v := range g.inputs {
		if _, ok := origIn[v]; !ok {
			origIn[v] = g.inInfo[i]
		}
	}
	allIns := ins
	if o.AddMissingInputs {
		allIns = append(append([]*Value(nil), ins...), need...)
		for _, v := range need {
			r.Added = append(r.Added, v.name)
		}
	}
	// Graph inputs with an initializer (overridable defaults, and every
	// initializer before IR 4) stay inputs when the part needs them.
	for _, v := range g.inputs {
		if needInit[v] && !isIn[v] && v.input {
			allIns = append(allIns, v)
			isIn[v] = true
			reached[v] = true
		}
	}
	for _, v := range allIns {
		nv := define(v.name)
		nv.input = true
		if v.input {
			nv.init, nv.sparse = v.init, v.sparse // an overridable default stays one
		}
		vi := boundary(v, nv, origIn[v])
		nv.infos = append(nv.infos, vi)
		ng.inputs = append(ng.inputs, nv)
		ng.inInfo = append(ng.inInfo, vi)
		k.vals[v] = nv
		if isIn[v] && !reached[v] {
			r.Unused = append(r.Unused, v.name)
		}
	}
	for _, v := range g.inits {
		if needInit[v] || (isIn[v] && v.init != nil) {
			nv, ok := k.vals[v]
			if !ok {
				nv = define(v.name)
				nv.init = v.init
				k.vals[v] = nv
			}
			ng.inits = append(ng.inits, nv)
		}
	}
	for _, v := range g.sparse {
		if needInit[v] || (isIn[v] && v.sparse != nil) {
			nv, ok := k.vals[v]
			if !ok {
				nv = define(v.name)
				nv.sparse = v.sparse
				k.vals[v] = nv
			}
			ng.sparse = append(ng.sparse, nv)
		}
	}
	kept := make([]*Node, 0, len(keep))
	renamed := map[string]bool{}
	for _, n := range g.nodes {
		if !keep[n] {
			continue
		}
		kept = append(kept, n)
		nn := &Node{p: cloneNodeProto(n.p), graph: ng}
		k.nodes[n] = nn
		nn.outputs = make([]*Value, len(n.outputs))
		for i, v := range n.outputs {
			if v == nil {
				continue
			}
			if _, taken := k.vals[v]; taken {
				// Listed as an input, yet computed by a node kept for
				// another output: the node's copy gets a fresh name.
				name := g.UniqueName(v.name)
				for j := 1; renamed[name]; j++ {
					name = g.UniqueName(v.name + "_" + itoa(j))
				}
				renamed[name] = true
				nv := define(name)
				nv.producer, nv.index = nn, i
				nn.outputs[i] = nv
				nn.p.Output[i] = name
				r.Renamed = append(r.Renamed, v.name+" -> "+name)
				continue
			}
			nv := define(v.name)
			nv.producer, nv.index = nn, i
			nn.outputs[i] = nv
			k.vals[v] = nv
		}
	}
	ng.nodes = make([]*Node, len(kept))
	for i, n := range kept {
		nn := k.nodes[n]
		ng.nodes[i] = nn
		nn.inputs = make([]*Value, len(n.inputs))
		for j, v := range n.inputs {
			if v != nil {
				nn.inputs[j] = k.vals[v]
			}
		}
	}
	for _, n := range kept {
		nn := k.nodes[n]
		for _, s := range n.subs {
			nn.subs = append(nn.subs, subgraph{attr: s.attr, elem: s.elem, g: k.graph(s.g, nn)})
		}
	}
	for _, f := range m.funcs {
		nf := &Function{p: cloneShare(f.p), model: nm}
		nf.body = k.graph(f.body, nil)
		nf.body.fn = nf
		nm.funcs = append(nm.funcs, nf)
	}
	// Link values: graphs and producers of the copies the cloner made, and
	// every value's uses among the kept nodes, in the original order.
	for old, nv := range k.vals {
		if nv.graph == nil {
			nv.graph = k.graphs[old.graph]
			if old.producer != nil {
				nv.producer = k.nodes[old.producer]
			}
		}
		for _, u := range old.uses {
			if nn, ok := k.nodes[u.Node]; ok {
				nn.inputs[u.Index] = nil
				nn.attach(u.Index, nv)
			}
		}
	}
	origOut := map[*Value]*onnxproto.ValueInfoProto{}
	for i, v := range g.outputs {
		if _, ok := origOut[v]; !ok {
			origOut[v] = g.outInfo[i]
		}
	}
	newOut := map[*Value]bool{}
	for _, v := range outs {
		nv := k.vals[v]
		vi := boundary(v, nv, origOut[v])
		nv.infos = append(nv.infos, vi)
		ng.outputs = append(ng.outputs, nv)
		ng.outInfo = append(ng.outInfo, vi)
		newOut[nv] = true
	}
	for i, vi := range g.valueInfo {
		nv, ok := k.vals[g.viValue[i]]
		if !ok || nv.graph != ng || nv.input || newOut[nv] {
			continue
		}
		ng.addValueInfo(nv, proto.Clone(vi).(*onnxproto.ValueInfoProto))
	}
	if qa := ng.p.QuantizationAnnotation; len(qa) > 0 {
		ng.p.QuantizationAnnotation = nil
		for _, a := range qa {
			if _, ok := ng.scope[a.GetTensorName()]; ok {
				ng.p.QuantizationAnnotation = append(ng.p.QuantizationAnnotation, a)
			}
		}
	}
	r.DroppedFunctions = nm.dropUnusedFunctions()
	nm.shareMaps(m.maps)
	if len(m.ext) > 0 {
		nm.ext = map[*onnxproto.TensorProto]*extDir{}
		nm.modelTensors(func(t *onnxproto.TensorProto) {
			if d, ok := m.ext[t]; ok {
				nm.ext[t] = d
			}
		})
	}
	for _, v := range ng.inputs {
		r.Inputs = append(r.Inputs, summarizeValue(v))
	}
	for _, v := range ng.outputs {
		r.Outputs = append(r.Outputs, summarizeValue(v))
	}
	r.Nodes, r.Initializers, r.Dropped = len(kept), len(ng.inits), len(g.nodes)-len(kept)
	if bad := append(slices.Clone(r.NoType), r.NoShape...); len(bad) > 0 && !o.AllowUntyped {
		_ = nm.releaseMaps()
		return nil, nil, untyped("extract", bad)
	}
	return nm, r, nil
}
