package onnxgraph

import (
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"google.golang.org/protobuf/proto"
)

// Model is an ONNX model held as a graph of nodes and values: its main
// graph, its model-local functions, and every other field of the ModelProto
// it was loaded from (ir_version, opset imports, producer, metadata_props,
// training_info, device configurations, unknown fields).
//
// Editing methods return the model so calls chain:
//
//	err := onnxgraph.Load("in.onnx").SomeEdit(...).OtherEdit(...).Save("out.onnx")
//
// The first failing step is recorded with its name and culprit; later steps
// do nothing; Err, Save and Write return the error. A failed step leaves the
// model as it was.
//
// A Model is not safe for concurrent edits; its read methods never mutate.
type Model struct {
	p     *onnxproto.ModelProto // graph and functions are held below
	graph *Graph
	funcs []*Function
	ext   map[*onnxproto.TensorProto]*extDir // where each external tensor's file lives
	err   error
	gen   uint64     // counts edits; see Generation
	types *typeCache // the type source Infer set, and its last result

	src      *srcFile                           // the file Open read, for saves that copy from it
	srcViews map[*onnxproto.TensorProto]srcView // where unedited raw_data sits in src
	maps     []*fileMap                         // mapped files (LoadOptions.Map) its tensors may view

	danglingBind map[string]bool // training-info binding keys that named no main-graph value at load

	wireSize int64 // the size of the bytes it was decoded from; 0 when built
}

// Generation returns a number that changes whenever the model is edited,
// so that facts derived from it (inferred types, a drawn layout) can be
// cached and recomputed when stale.
func (m *Model) Generation() uint64 {
	if m == nil {
		return 0
	}
	return m.gen
}

// touch records an edit.
func (m *Model) touch() {
	if m != nil {
		m.gen++
	}
}

// Function is a model-local function: a named, reusable body of nodes.
type Function struct {
	p     *onnxproto.FunctionProto // lists held by body
	body  *Graph
	model *Model
}

// Name returns the function's name.
func (f *Function) Name() string { return f.p.GetName() }

// Domain returns the function's domain.
func (f *Function) Domain() string { return f.p.GetDomain() }

// Overload returns the function's overload tag ("" when none).
func (f *Function) Overload() string { return f.p.GetOverload() }

// Body returns the function's body: its inputs and outputs are the
// function's formal parameters.
func (f *Function) Body() *Graph { return f.body }

// Proto returns the function's message without its node, input, output and
// value_info lists, which Body holds. Treat it as read-only.
func (f *Function) Proto() *onnxproto.FunctionProto { return f.p }

// NewModel returns an empty model with the given IR version and opset
// imports (domain to version; "" is the default ONNX domain).
func NewModel(irVersion int64, opsets map[string]int64) *Model {
	m := &Model{p: &onnxproto.ModelProto{IrVersion: proto.Int64(irVersion)}}
	for _, d := range sortedKeys(opsets) {
		m.p.OpsetImport = append(m.p.OpsetImport, &onnxproto.OperatorSetIdProto{Domain: proto.String(d), Version: proto.Int64(opsets[d])})
	}
	m.graph = newGraph(m, &onnxproto.GraphProto{Name: proto.String("main")})
	return m
}

// Graph returns the main graph.
//
// On a model whose Load failed (or a nil model) it returns an empty graph
// not attached to anything, so that reads are safe; the failure stays in
// Err.
func (m *Model) Graph() *Graph {
	if m == nil || m.graph == nil {
		return newGraph(m, nil)
	}
	return m.graph
}

// Functions returns the model-local functions in order. The slice is a copy.
func (m *Model) Functions() []*Function { return append([]*Function(nil), m.funcs...) }

// IRVersion returns the model's ir_version.
func (m *Model) IRVersion() int64 { return m.p.GetIrVersion() }

// Opset returns the version imported for domain ("" or "ai.onnx" for the
// default domain), and false when the domain is not imported.
func (m *Model) Opset(domain string) (int64, bool) {
	for _, o := range m.p.GetOpsetImport() {
		if o.GetDomain() == domain || (isDefaultDomain(domain) && isDefaultDomain(o.GetDomain())) {
			return o.GetVersion(), true
		}
	}
	return 0, false
}

// Opsets returns the opset imports, domain to version.
func (m *Model) Opsets() map[string]int64 {
	out := map[string]int64{}
	for _, o := range m.p.GetOpsetImport() {
		out[o.GetDomain()] = o.GetVersion()
	}
	return out
}

// Proto returns the model's own fields (everything but the graph and the
// functions, which Graph and Functions hold). Treat it as read-only.
func (m *Model) Proto() *onnxproto.ModelProto { return m.p }

// Metadata returns metadata_props as a map. Duplicate keys keep the last.
func (m *Model) Metadata() map[string]string {
	out := map[string]string{}
	for _, kv := range m.p.GetMetadataProps() {
		out[kv.GetKey()] = kv.GetValue()
	}
	return out
}

// Err returns the error recorded by a failed step, or nil.
func (m *Model) Err() error { return m.err }

// Apply runs fn as a step of the chain named step: it does nothing once a
// step has failed, and records fn's error otherwise. fn must leave m as it
// was when it fails; Atomic helps.
func (m *Model) Apply(step string, fn func(*Model) error) *Model {
	if m.err != nil {
		return m
	}
	if err := fn(m); err != nil {
		m.err = asStep(step, err)
	}
	m.touch()
	return m
}

// Atomic runs fn on m and, when fn fails, puts m back exactly as it was
// from a copy taken first. On success the nodes and values callers hold
// stay valid; after a failure they belong to the discarded state, so look
// them up again. The copy costs O(graph size) but no tensor data.
func (m *Model) Atomic(fn func(*Model) error) error {
	snapshot := m.Clone()
	if err := fn(m); err != nil {
		m.adopt(snapshot)
		return err
	}
	return snapshot.releaseMaps()
}

// adopt moves c's contents into m, repointing back-links.
func (m *Model) adopt(c *Model) {
	m.p, m.graph, m.funcs, m.ext = c.p, c.graph, c.funcs, c.ext
	m.shareMaps(c.maps)
	_ = c.releaseMaps() // m holds each of them now: none is unmapped
	m.touch()
	m.graph.model = m
	m.graph.Walk(func(g *Graph) bool { g.model = m; return true })
	for _, f := range m.funcs {
		f.model = m
		f.body.Walk(func(g *Graph) bool { g.model = m; return true })
	}
}

// editHook, when set (by tests), runs after every plain-form edit and
// Merge, whether it succeeded or not: the tests' Sanity check.
var editHook func(*Model)

// afterEdit runs editHook on m.
func afterEdit(m *Model) {
	if editHook != nil && m != nil {
		editHook(m)
	}
}

// runStep runs a plain-form edit as a step of a chain: it does nothing after
// an earlier step failed, records the error of this one with the step's
// name, and copies the edit's report out when report is not nil.
func runStep[O, R any](m *Model, step string, opts *O, report *R, edit func(*Model, *O) (*R, error)) *Model {
	return m.Apply(step, func(m *Model) error {
		r, err := edit(m, opts)
		if err == nil && report != nil && r != nil {
			*report = *r
		}
		return err
	})
}

func asStep(step string, err error) error {
	if se, ok := err.(*StepError); ok {
		return se
	}
	name := ""
	if n, ok := err.(interface{ Culprit() string }); ok {
		name = n.Culprit()
	}
	return &StepError{Step: step, Name: name, Err: err}
}

func isDefaultDomain(d string) bool { return d == "" || d == "ai.onnx" }
