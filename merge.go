package onnxgraph

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/opschema"
	"google.golang.org/protobuf/proto"
)

// Connection joins two values in a merge step: Src, a value of the main
// graph of the models merged so far (a node output, a graph input (the
// "shared input" case) or an initializer), feeds every reader of Dst, a
// graph input of the next model's main graph or any value something there
// reads (its producer then goes if nothing else needs it).
//
// Names are written as they are after prefixing ("a/y"), or as in their
// own model ("y"): a name that is not found as written is tried with the
// prefixes of the models it may come from, and must then match exactly
// one value.
type Connection struct {
	Src, Dst string
}

// OpsetPolicy says what Merge does with models that import different
// versions of one operator set domain.
type OpsetPolicy int

const (
	// OpsetFail refuses the merge with an *OpsetConflictError.
	OpsetFail OpsetPolicy = iota
	// OpsetMax imports the highest version and reports it, with a warning
	// for every operator whose definition differs between the versions
	// (its nodes from the older model then run under the newer
	// definition).
	OpsetMax
)

// MetadataPolicy says what Merge does with a metadata_props key that two
// models give different values.
type MetadataPolicy int

const (
	// MetadataFirstWins keeps the value of the first model that has the
	// key and reports the others in MergeReport.MetadataConflicts.
	MetadataFirstWins MetadataPolicy = iota
	// MetadataFail refuses the merge, wrapping ErrMetadataConflict.
	MetadataFail
)

// MergeOptions controls Merge. The zero value merges without prefixes,
// fails on differing opsets and keeps the first value of a conflicting
// metadata key.
type MergeOptions struct {
	// Connect holds the connections of each step: Connect[k] joins model
	// k+1 to models 0..k merged so far. Its length must be one less than
	// the number of models; a step without connections places the next
	// model beside the others.
	Connect [][]Connection
	// Prefixes, when not empty, holds one prefix per model, prepended as
	// it is (write "a/" or "a_" to get a separator) to every name of that
	// model: values (inputs, outputs, initializers, sparse initializers,
	// value_info, node outputs), node names, subgraph names and every name
	// inside subgraphs, quantization annotations, and model-local function
	// names together with the nodes that call them. Names inside function
	// bodies are local to the body and stay. "" leaves a model's names
	// alone. The main graph keeps the first model's graph name.
	Prefixes []string
	// PrefixDimParams also prefixes symbolic dimension names, so that two
	// models' "N" stop being the same dimension.
	PrefixDimParams bool
	// RelaxShapes accepts connections whose shapes differ; element types
	// must still be equal.
	RelaxShapes bool
	// Opsets is the policy for differing opset imports.
	Opsets OpsetPolicy
	// Metadata is the policy for conflicting metadata_props keys.
	Metadata MetadataPolicy
	// KeepConnectedOutputs keeps a connected Src among the graph outputs;
	// by default it stops being one.
	KeepConnectedOutputs bool
	// AllowUntyped accepts a connection whose element type is unknown on
	// one side (reported in MergeReport.Unchecked); by default it is an
	// error (ErrUntyped).
	AllowUntyped bool
	// TypeOf, when set, gives a value's type for the connection checks
	// where its declared type lacks an element type or a shape. It is
	// called with values of the model being built (copies of the inputs'
	// values, after prefixing): find their model with v.Graph().Model()
	// (shapeinfer.Infer on it can serve).
	TypeOf func(*Value) *onnxproto.TypeProto
}

// Rename is one name a merge changed.
type Rename struct {
	Model    int    // the model's index in the list given to Merge
	Kind     string // "value", "node", "graph", "function" or "dim"
	Old, New string
}

// MergeReport says what Merge did.
type MergeReport struct {
	Renames           []Rename // every name a prefix changed, model by model
	Connections       []string // each connection as made: "step 1: a/y -> b/x (float32[1,10])"
	RemovedInputs     []string // graph inputs gone: connected Dsts and inputs nothing reads any more
	RemovedOutputs    []string // graph outputs that stopped being outputs (connected Srcs)
	Pruned            []string // nodes and initializers that only served a connected Dst
	Opsets            []string // raised opset imports (OpsetMax), as "ai.onnx: 13, 17 -> 17"
	OpsetWarnings     []string // operators whose definition differs between merged opsets
	MetadataConflicts []string // metadata keys whose later values were dropped
	SharedFunctions   []string // identical model-local functions kept once
	Unchecked         []string // connections whose type is unknown on one side
}

// CollisionError lists every name two merged models both use.
type CollisionError struct {
	Step      int      // the merge step (1 joins the second model)
	Values    []string // value names
	Nodes     []string // node names
	Functions []string // model-local functions, as "domain:name"
}

func (e *CollisionError) Error() string {
	var parts []string
	if len(e.Values) > 0 {
		parts = append(parts, "values "+quoteList(e.Values))
	}
	if len(e.Nodes) > 0 {
		parts = append(parts, "nodes "+quoteList(e.Nodes))
	}
	if len(e.Functions) > 0 {
		parts = append(parts, "functions "+quoteList(e.Functions))
	}
	return fmt.Sprintf("onnxgraph: merge step %d: %d names are used by both sides: %s; give the models prefixes",
		e.Step, len(e.Values)+len(e.Nodes)+len(e.Functions), strings.Join(parts, "; "))
}

// Unwrap returns ErrNameCollision.
func (e *CollisionError) Unwrap() error { return ErrNameCollision }

// Culprit returns the first colliding name.
func (e *CollisionError) Culprit() string {
	for _, l := range [][]string{e.Values, e.Nodes, e.Functions} {
		if len(l) > 0 {
			return l[0]
		}
	}
	return ""
}

// OpsetConflictError names a domain two merged models import at different
// versions.
type OpsetConflictError struct {
	Step   int    // the merge step
	Domain string // "" for the default domain
	Have   int64  // the version the models so far import
	Next   int64  // the version the next model imports
}

func (e *OpsetConflictError) Error() string {
	return fmt.Sprintf("onnxgraph: merge step %d: domain %s is imported at opset %d and at opset %d (MergeOptions.Opsets = OpsetMax takes the higher)",
		e.Step, domainLabel(e.Domain), e.Have, e.Next)
}

// Unwrap returns ErrOpsetConflict.
func (e *OpsetConflictError) Unwrap() error { return ErrOpsetConflict }

// Culprit returns the domain.
func (e *OpsetConflictError) Culprit() string { return domainLabel(e.Domain) }

func domainLabel(d string) string {
	if isDefaultDomain(d) {
		return "ai.onnx"
	}
	return d
}

// Merge combines models into a new one, step by step (the seed tool
// snc4onnx): step k joins model k+1 to models 0..k merged so far through
// MergeOptions.Connect[k]. The models given are not changed; tensors are
// shared with them, never copied (external data keeps its folder, so the
// result saves correctly whatever folders the models came from).
//
// Each step checks, before it joins anything: that every connection's
// names exist (see Connection); that Src's type fits Dst's (element types
// equal, shapes compatible: known sizes equal, symbolic and unknown sizes
// match anything; RelaxShapes skips shapes), else a *JunctionError naming
// both; that no value, node or function name is used on both sides, else a
// *CollisionError listing all of them (identical functions are kept once
// instead); opset imports (see OpsetPolicy) and metadata (see
// MetadataPolicy).
//
// Then readers of each Dst read Src; a connected Src stops being a graph
// output (see KeepConnectedOutputs); a Dst that was a graph input or an
// initializer disappears, and so do nodes and initializers that only
// served a Dst, and graph inputs that nothing reads any more. The result
// takes the highest ir_version and the other model fields (producer,
// domain, model version) of the first model; doc strings of both sides
// are kept, joined by a blank line when they differ; metadata_props and
// graph metadata are merged under the metadata policy. A model with
// training_info can only be the first, unprefixed one.
func Merge(models []*Model, opts *MergeOptions) (*Model, *MergeReport, error) {
	m, r, err := merge(models, opts)
	afterEdit(m)
	for _, in := range models {
		afterEdit(in)
	}
	return m, r, err
}

func merge(models []*Model, opts *MergeOptions) (*Model, *MergeReport, error) {
	o := orZero(opts)
	if len(models) < 2 {
		return nil, nil, errorf(ErrInvalid, "merge needs at least two models, got %d", len(models))
	}
	for i, m := range models {
		switch {
		case m == nil:
			return nil, nil, errorf(ErrInvalid, "merge: model %d is nil", i)
		case m.err != nil:
			return nil, nil, m.err
		case m.graph == nil || m.graph.p == nil:
			return nil, nil, errorf(ErrInvalid, "merge: model %d has no graph", i)
		}
	}
	if len(o.Connect) != len(models)-1 {
		return nil, nil, errorf(ErrInvalid, "merge: %d models need %d steps of connections, got %d", len(models), len(models)-1, len(o.Connect))
	}
	if len(o.Prefixes) != 0 && len(o.Prefixes) != len(models) {
		return nil, nil, errorf(ErrInvalid, "merge: %d prefixes for %d models", len(o.Prefixes), len(models))
	}
	prefix := func(i int) string {
		if len(o.Prefixes) == 0 {
			return ""
		}
		return o.Prefixes[i]
	}
	for i, p := range o.Prefixes {
		if p != "" && slices.Index(o.Prefixes, p) != i {
			return nil, nil, culprit(p, errorf(ErrInvalid, "merge: prefix %q is given twice", p))
		}
	}
	for i, m := range models {
		if len(m.p.TrainingInfo) > 0 && (i > 0 || prefix(0) != "") {
			return nil, nil, errorf(ErrInvalid, "merge: model %d has training_info, which only the first, unprefixed model may have", i)
		}
	}
	r := &MergeReport{}
	acc := models[0].Clone()
	acc.err = nil
	fail := func(err error) (*Model, *MergeReport, error) {
		_ = acc.releaseMaps()
		return nil, nil, err
	}
	prefixModel(acc, 0, prefix(0), o.PrefixDimParams, r)
	for k := 1; k < len(models); k++ {
		b := models[k].Clone()
		b.err = nil
		prefixModel(b, k, prefix(k), o.PrefixDimParams, r)
		var earlier []string
		for i := 0; i < k; i++ {
			earlier = append(earlier, prefix(i))
		}
		err := mergeStep(acc, b, k, o, earlier, prefix(k), r)
		_ = b.releaseMaps() // acc holds what it took from b
		if err != nil {
			return fail(err)
		}
	}
	return acc, r, nil
}

// Merge joins other to m, as Merge([]*Model{m, other}, opts) does, and
// makes m the result: opts.Connect holds one step, opts.Prefixes none or
// two. other is not changed. Nodes and values of m that callers hold
// belong to the old state afterwards: look them up again.
func (m *Model) Merge(other *Model, opts *MergeOptions, report *MergeReport) *Model {
	return m.Apply("Merge", func(m *Model) error {
		res, r, err := Merge([]*Model{m, other}, opts)
		if err != nil {
			return err
		}
		m.adopt(res)
		if report != nil {
			*report = *r
		}
		return nil
	})
}

// prefixModel prepends p to the names of m (see MergeOptions.Prefixes).
func prefixModel(m *Model, idx int, p string, dims bool, r *MergeReport) {
	if p == "" {
		return
	}
	rec := func(kind, old, nw string) { r.Renames = append(r.Renames, Rename{idx, kind, old, nw}) }
	m.graph.Walk(func(g *Graph) bool {
		if g != m.graph && g.p.GetName() != "" {
			old := g.p.GetName()
			g.p.Name = proto.String(p + old)
			rec("graph", old, p+old)
		}
		own := g.ownValues()
		names := make(map[*Value]string, len(own))
		for _, v := range own {
			names[v] = p + v.name
			rec("value", v.name, p+v.name)
		}
		renameValues(names)
		for _, n := range g.nodes {
			if old := n.Name(); old != "" {
				n.p.Name = proto.String(p + old)
				rec("node", old, p+old)
			}
		}
		return true
	})
	renamed := map[string]string{}
	for _, f := range m.funcs {
		old := f.Name()
		renamed[localFuncKey(f.Domain(), old, f.Overload())] = p + old
		f.p.Name = proto.String(p + old)
		rec("function", f.Domain()+":"+old, f.Domain()+":"+p+old)
	}
	if len(renamed) > 0 {
		call := func(g *Graph) bool {
			for _, n := range g.nodes {
				if nw, ok := renamed[localFuncKey(n.Domain(), n.OpType(), n.p.GetOverload())]; ok {
					n.p.OpType = proto.String(nw)
				}
			}
			return true
		}
		m.graph.Walk(call)
		for _, f := range m.funcs {
			f.body.Walk(call)
		}
	}
	if dims {
		done := map[*onnxproto.ValueInfoProto]bool{}
		seen := map[string]bool{}
		m.graph.Walk(func(g *Graph) bool {
			for _, list := range [][]*onnxproto.ValueInfoProto{g.inInfo, g.outInfo, g.valueInfo} {
				for _, vi := range list {
					if vi != nil && !done[vi] {
						done[vi] = true
						prefixDims(vi.Type, p, func(old string) {
							if !seen[old] {
								seen[old] = true
								rec("dim", old, p+old)
							}
						})
					}
				}
			}
			return true
		})
	}
}

// prefixDims prepends p to every dim_param in t.
func prefixDims(t *onnxproto.TypeProto, p string, rec func(string)) {
	var shape *onnxproto.TensorShapeProto
	switch v := t.GetValue().(type) {
	case *onnxproto.TypeProto_TensorType:
		shape = v.TensorType.GetShape()
	case *onnxproto.TypeProto_SparseTensorType:
		shape = v.SparseTensorType.GetShape()
	case *onnxproto.TypeProto_SequenceType:
		prefixDims(v.SequenceType.GetElemType(), p, rec)
	case *onnxproto.TypeProto_OptionalType:
		prefixDims(v.OptionalType.GetElemType(), p, rec)
	case *onnxproto.TypeProto_MapType:
		prefixDims(v.MapType.GetValueType(), p, rec)
	}
	if shape == nil {
		return
	}
	for _, d := range shape.Dim {
		if x, ok := d.GetValue().(*onnxproto.TensorShapeProto_Dimension_DimParam); ok && x.DimParam != "" {
			rec(x.DimParam)
			x.DimParam = p + x.DimParam
		}
	}
}

// ownValues returns every value whose scope is g: those Values lists, then
// the undefined names g reads, by name.
func (g *Graph) ownValues() []*Value {
	out := g.Values()
	seen := make(map[*Value]bool, len(out))
	for _, v := range out {
		seen[v] = true
	}
	for _, name := range sortedKeys(g.undef) {
		if v := g.undef[name]; !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// usedNames returns the value and node names used anywhere in g's tree.
func (g *Graph) usedNames() (values, nodes map[string]bool) {
	values, nodes = map[string]bool{}, map[string]bool{}
	g.Walk(func(s *Graph) bool {
		for k := range s.scope {
			values[k] = true
		}
		for k := range s.undef {
			values[k] = true
		}
		for _, n := range s.nodes {
			if n.Name() != "" {
				nodes[n.Name()] = true
			}
		}
		return true
	})
	return values, nodes
}

// resolveMerged finds name in g's scope as written, else with one of the
// prefixes.
func resolveMerged(g *Graph, name string, prefixes []string, what string, step int) (*Value, error) {
	if v, ok := g.scope[name]; ok {
		return v, nil
	}
	var cands []*Value
	for _, p := range prefixes {
		if p == "" {
			continue
		}
		if v, ok := g.scope[p+name]; ok && !slices.Contains(cands, v) {
			cands = append(cands, v)
		}
	}
	switch len(cands) {
	case 1:
		return cands[0], nil
	case 0:
		where := "the next model"
		if what == "source" {
			where = "the models merged so far"
		}
		return nil, culprit(name, errorf(ErrNotFound, "merge step %d: %s %q is not a value of %s", step, what, name, where))
	}
	return nil, culprit(name, errorf(ErrInvalid, "merge step %d: %s %q is ambiguous: %s", step, what, name, quoteList(valueNames(cands))))
}

type link struct {
	src, dst *Value
	typ      *onnxproto.TypeProto
}

// mergeStep joins b (model k, prefixed) into acc.
func mergeStep(acc, b *Model, k int, o MergeOptions, earlier []string, bPrefix string, r *MergeReport) error {
	A, B := acc.graph, b.graph
	// Each side's types as they are at this step.
	srcTypes, dstTypes := acc.typeHook(o.TypeOf), b.typeHook(o.TypeOf)
	var links []link
	usedDst := map[*Value]bool{}
	for _, c := range o.Connect[k-1] {
		src, err := resolveMerged(A, c.Src, earlier, "source", k)
		if err != nil {
			return err
		}
		dst, err := resolveMerged(B, c.Dst, []string{bPrefix}, "destination", k)
		if err != nil {
			return err
		}
		if len(dst.uses) == 0 && !dst.input {
			return culprit(dst.name, errorf(ErrInvalid, "merge step %d: nothing in the next model reads %q", k, dst.name))
		}
		if usedDst[dst] {
			return culprit(dst.name, errorf(ErrInvalid, "merge step %d: %q is connected twice", k, dst.name))
		}
		usedDst[dst] = true
		st, dt := boundaryType(src, srcTypes), boundaryType(dst, dstTypes)
		if why := typeMismatch(st, dt, o.RelaxShapes); why != "" {
			return &JunctionError{Op: fmt.Sprintf("merge step %d", k), Src: src.name, Dst: dst.name, SrcType: typeLabel(st), DstType: typeLabel(dt), Reason: why}
		}
		if !hasElemType(st) || !hasElemType(dt) {
			if !o.AllowUntyped {
				var names []string
				if !hasElemType(st) {
					names = append(names, src.name)
				}
				if !hasElemType(dt) {
					names = append(names, dst.name)
				}
				return untyped(fmt.Sprintf("merge step %d", k), names)
			}
			r.Unchecked = append(r.Unchecked, fmt.Sprintf("step %d: %s -> %s", k, src.name, dst.name))
		}
		t := st
		if !hasElemType(t) {
			t = dt
		}
		links = append(links, link{src, dst, t})
	}

	// Collisions.
	aVals, aNodes := A.usedNames()
	bVals, bNodes := B.usedNames()
	for _, l := range links {
		if l.dst.producer == nil && l.dst.graph == B {
			delete(bVals, l.dst.name) // goes away
		}
	}
	ce := &CollisionError{Step: k}
	for name := range bVals {
		if aVals[name] {
			ce.Values = append(ce.Values, name)
		}
	}
	for name := range bNodes {
		if aNodes[name] {
			ce.Nodes = append(ce.Nodes, name)
		}
	}
	aFuncs := map[string]*Function{}
	for _, f := range acc.funcs {
		aFuncs[localFuncKey(f.Domain(), f.Name(), f.Overload())] = f
	}
	shared := map[*Function]bool{}
	for _, f := range b.funcs {
		if g := aFuncs[localFuncKey(f.Domain(), f.Name(), f.Overload())]; g != nil {
			if proto.Equal((&encoder{}).function(f), (&encoder{}).function(g)) {
				shared[f] = true
				r.SharedFunctions = append(r.SharedFunctions, f.Domain()+":"+f.Name())
			} else {
				ce.Functions = append(ce.Functions, f.Domain()+":"+f.Name())
			}
		}
	}
	if len(ce.Values)+len(ce.Nodes)+len(ce.Functions) > 0 {
		slices.Sort(ce.Values)
		slices.Sort(ce.Nodes)
		slices.Sort(ce.Functions)
		return ce
	}

	// Opsets.
	norm := func(d string) string {
		if isDefaultDomain(d) {
			return ""
		}
		return d
	}
	aOps := map[string]*onnxproto.OperatorSetIdProto{}
	for _, op := range acc.p.OpsetImport {
		aOps[norm(op.GetDomain())] = op
	}
	type raise struct {
		entry *onnxproto.OperatorSetIdProto
		to    int64
	}
	var raises []raise
	var adds []*onnxproto.OperatorSetIdProto
	for _, op := range b.p.OpsetImport {
		d := norm(op.GetDomain())
		have, ok := aOps[d]
		if !ok {
			adds = append(adds, proto.Clone(op).(*onnxproto.OperatorSetIdProto))
			continue
		}
		va, vb := have.GetVersion(), op.GetVersion()
		if va == vb {
			continue
		}
		if o.Opsets != OpsetMax {
			return &OpsetConflictError{Step: k, Domain: d, Have: va, Next: vb}
		}
		hi, lo, older := vb, va, A
		if va > vb {
			hi, lo, older = va, vb, B
		}
		r.Opsets = append(r.Opsets, fmt.Sprintf("%s: %d, %d -> %d", domainLabel(d), va, vb, hi))
		r.OpsetWarnings = append(r.OpsetWarnings, opsetChanges(older, d, lo, hi)...)
		if hi != va {
			raises = append(raises, raise{have, hi})
		}
	}

	// Metadata.
	meta := map[string]string{}
	for _, kv := range acc.p.MetadataProps {
		if _, ok := meta[kv.GetKey()]; !ok {
			meta[kv.GetKey()] = kv.GetValue()
		}
	}
	var newMeta []*onnxproto.StringStringEntryProto
	for _, kv := range b.p.MetadataProps {
		old, ok := meta[kv.GetKey()]
		switch {
		case !ok:
			meta[kv.GetKey()] = kv.GetValue()
			newMeta = append(newMeta, proto.Clone(kv).(*onnxproto.StringStringEntryProto))
		case old != kv.GetValue():
			if o.Metadata == MetadataFail {
				return culprit(kv.GetKey(), errorf(ErrMetadataConflict, "merge step %d: metadata %q is %q in the models so far and %q in the next", k, kv.GetKey(), old, kv.GetValue()))
			}
			r.MetadataConflicts = append(r.MetadataConflicts, fmt.Sprintf("step %d: %s: kept %q, dropped %q", k, kv.GetKey(), old, kv.GetValue()))
		}
	}

	// Everything is checked: join.
	usedBefore := usedInputSet(A)
	maps.Copy(usedBefore, usedInputSet(B))
	var seeds []*Value
	srcs := map[*Value]bool{}
	for _, l := range links {
		l.dst.ReplaceAllUsesWith(l.src)
		B.Walk(func(s *Graph) bool { // B's outputs, and subgraphs outputting dst directly
			for i, v := range s.outputs {
				if v == l.dst {
					_ = s.SetOutput(i, l.src)
				}
			}
			return true
		})
		if l.dst.producer != nil {
			seeds = append(seeds, l.dst)
		}
		srcs[l.src] = true
		r.Connections = append(r.Connections, fmt.Sprintf("step %d: %s -> %s (%s)", k, l.src.name, l.dst.name, typeLabel(l.typ)))
	}
	if !o.KeepConnectedOutputs {
		var gone []string
		for i := len(A.outputs) - 1; i >= 0; i-- {
			if v := A.outputs[i]; srcs[v] {
				_ = A.RemoveOutput(i)
				gone = append(gone, v.name)
			}
		}
		slices.Reverse(gone)
		r.RemovedOutputs = append(r.RemovedOutputs, gone...)
	}
	for _, l := range links {
		d := l.dst
		if d.producer != nil || len(d.uses) > 0 || d.IsGraphOutput() {
			continue
		}
		if d.input {
			_ = B.RemoveInput(d) // unread, not an output
			r.RemovedInputs = append(r.RemovedInputs, d.name)
		}
		if d.init != nil {
			_ = B.RemoveInitializer(d)
		} else if d.sparse != nil {
			B.removeSparse(d)
		}
	}
	B.moveInto(A)
	for _, f := range b.funcs {
		if shared[f] {
			continue
		}
		f.model = acc
		f.body.Walk(func(g *Graph) bool { g.model = acc; return true })
		acc.funcs = append(acc.funcs, f)
	}
	if len(b.ext) > 0 {
		if acc.ext == nil {
			acc.ext = map[*onnxproto.TensorProto]*extDir{}
		}
		maps.Copy(acc.ext, b.ext)
	}
	acc.shareMaps(b.maps)
	nodes, inits := A.pruneFrom(seeds)
	r.Pruned = append(r.Pruned, nodes...)
	r.Pruned = append(r.Pruned, inits...)
	r.RemovedInputs = append(r.RemovedInputs, A.removeUnusedInputs(usedBefore)...)

	// Model fields.
	for _, x := range raises {
		x.entry.Version = proto.Int64(x.to)
	}
	acc.p.OpsetImport = append(acc.p.OpsetImport, adds...)
	if b.IRVersion() > acc.IRVersion() {
		acc.p.IrVersion = proto.Int64(b.IRVersion())
	}
	acc.p.MetadataProps = append(acc.p.MetadataProps, newMeta...)
	acc.p.DocString = joinDoc(acc.p.DocString, b.p.GetDocString())
	A.p.DocString = joinDoc(A.p.DocString, B.p.GetDocString())
	gmeta := map[string]bool{}
	for _, kv := range A.p.MetadataProps {
		gmeta[kv.GetKey()] = true
	}
	for _, kv := range B.p.MetadataProps {
		if !gmeta[kv.GetKey()] {
			gmeta[kv.GetKey()] = true
			A.p.MetadataProps = append(A.p.MetadataProps, kv)
		}
	}
	A.p.QuantizationAnnotation = append(A.p.QuantizationAnnotation, B.p.QuantizationAnnotation...)
	for name := range B.dangling {
		if A.dangling == nil {
			A.dangling = map[string]bool{}
		}
		A.dangling[name] = true
	}
	acc.touch()
	return nil
}

// joinDoc keeps both doc strings, joined by a blank line when they differ.
func joinDoc(have *string, next string) *string {
	switch {
	case next == "" || have != nil && next == *have:
		return have
	case have == nil || *have == "":
		return proto.String(next)
	}
	return proto.String(*have + "\n\n" + next)
}

// opsetChanges lists the operators of domain used in g's tree whose
// definition at opset lo differs from the one at hi.
func opsetChanges(g *Graph, domain string, lo, hi int64) []string {
	seen := map[string]bool{}
	var out []string
	g.Walk(func(s *Graph) bool {
		for _, n := range s.nodes {
			d := n.Domain()
			if isDefaultDomain(d) {
				d = ""
			}
			if d != domain || seen[n.OpType()] {
				continue
			}
			seen[n.OpType()] = true
			a, okA := opschema.Lookup(domain, n.OpType(), int(lo))
			b, okB := opschema.Lookup(domain, n.OpType(), int(hi))
			switch {
			case okA && okB && a == b, !okA && !okB:
			case !okB:
				out = append(out, fmt.Sprintf("%s %s: defined at opset %d, not at %d", domainLabel(domain), n.OpType(), lo, hi))
			case !okA:
				out = append(out, fmt.Sprintf("%s %s: not defined at opset %d, runs as version %d", domainLabel(domain), n.OpType(), lo, b.SinceVersion))
			default:
				out = append(out, fmt.Sprintf("%s %s: version %d at opset %d, version %d at opset %d", domainLabel(domain), n.OpType(), a.SinceVersion, lo, b.SinceVersion, hi))
			}
		}
		return true
	})
	return out
}

// moveInto moves g's contents (a main graph) to the end of dst's lists;
// g is left empty.
func (g *Graph) moveInto(dst *Graph) {
	for _, v := range g.ownValues() {
		v.graph = dst
	}
	for _, v := range g.scope {
		v.graph = dst
	}
	dst.inputs = append(dst.inputs, g.inputs...)
	dst.inInfo = append(dst.inInfo, g.inInfo...)
	dst.outputs = append(dst.outputs, g.outputs...)
	dst.outInfo = append(dst.outInfo, g.outInfo...)
	dst.valueInfo = append(dst.valueInfo, g.valueInfo...)
	dst.viValue = append(dst.viValue, g.viValue...)
	dst.inits = append(dst.inits, g.inits...)
	dst.sparse = append(dst.sparse, g.sparse...)
	for _, n := range g.nodes {
		n.graph = dst
		for _, s := range n.subs {
			s.g.Walk(func(x *Graph) bool { x.model = dst.model; return true })
		}
	}
	dst.nodes = append(dst.nodes, g.nodes...)
	for k, v := range g.scope {
		dst.scope[k] = v
	}
	for k, v := range g.undef {
		if dst.undef == nil {
			dst.undef = map[string]*Value{}
		}
		dst.undef[k] = v
	}
	*g = Graph{p: g.p, model: g.model, scope: map[string]*Value{}}
}
