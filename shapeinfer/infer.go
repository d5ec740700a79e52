package shapeinfer

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/opschema"
)

// Options controls Infer. The zero value infers, refines declared shapes
// where inference knows more, reports conflicts without failing, and writes
// nothing back.
type Options struct {
	// Strict makes an inconsistency (a conflict with a declared type, an
	// operator whose inputs do not fit) an error instead of a report.
	Strict bool
	// CheckOnly keeps declared types as they are: inference only checks
	// them, and fills types of values that declare none.
	CheckOnly bool
	// WriteBack stores the results in the model: value_info entries for
	// intermediate values, refined types on graph outputs.
	WriteBack bool
	// InputShapes overrides the declared shapes of graph inputs by name.
	InputShapes map[string]Shape
	// InputData gives known contents of graph inputs by name (for shape
	// computations that read them).
	InputData map[string]*Data
	// InputStrings gives known contents of string graph inputs by name.
	InputStrings map[string][][]byte
}

// Result holds what Infer found.
type Result struct {
	types     map[*onnxgraph.Value]*Type
	data      map[*onnxgraph.Value]*Data
	reasons   map[*onnxgraph.Value]*Reason
	graph     *onnxgraph.Graph
	noInfer   []*onnxgraph.Node
	noInferAt map[*onnxgraph.Node]bool
	Conflicts []*Error // declared types contradicted by inference
	Problems  []*Error // operators whose inputs did not fit, or that failed
}

// Type returns v's inferred type (nil when nothing is known).
func (r *Result) Type(v *onnxgraph.Value) *Type { return r.types[v] }

// Data returns what is known of v's contents, or nil.
func (r *Result) Data(v *onnxgraph.Value) *Data { return r.data[v] }

// Explain returns why v has no complete type, or why part of it is only a
// fresh symbol (a size known only at run time, such as NonZero's count);
// nil when inference had nothing to report about v.
func (r *Result) Explain(v *onnxgraph.Value) *Reason {
	if rs := r.reasons[v]; rs != nil {
		return rs
	}
	if r.types[v].Complete() {
		return nil
	}
	return &Reason{Code: CodeMissingInput, Msg: "no type declared or inferred"}
}

// Incomplete returns the values of the model's graph and its subgraphs
// whose type is not complete after inference (unknown, or with a dim that
// is neither known nor symbolic), graph by graph: inputs first, then node
// outputs in node order. Explain says why for each.
func (r *Result) Incomplete() []*onnxgraph.Value {
	if r.graph == nil {
		return nil
	}
	var out []*onnxgraph.Value
	r.graph.Walk(func(g *onnxgraph.Graph) bool {
		for _, v := range g.Inputs() {
			if !r.types[v].Complete() {
				out = append(out, v)
			}
		}
		for _, n := range g.Nodes() {
			for _, v := range n.Outputs() {
				if v != nil && !r.types[v].Complete() {
					out = append(out, v)
				}
			}
		}
		return true
	})
	return out
}

// NoInference returns the nodes inference has no function for, in the
// order met: operators without a schema (an unknown domain or operator),
// and operator versions the table does not cover. Their outputs keep only
// what the model declares.
func (r *Result) NoInference() []*onnxgraph.Node {
	return slices.Clone(r.noInfer)
}

// Infer sets the type and shape of every value of m it can. See Options.
func Infer(m *onnxgraph.Model, opts *Options) (*Result, error) {
	return InferContext(context.Background(), m, opts)
}

// InferContext is Infer, stopped when ctx is done: it looks at ctx every
// few hundred nodes and returns ctx's error, having written nothing back.
func InferContext(ctx context.Context, m *onnxgraph.Model, opts *Options) (*Result, error) {
	return inferContext(ctx, m, opts, nil)
}

// inferContext is InferContext; accept, when not nil, sees the result
// before it is written back (Options.WriteBack) and may refuse it, which
// leaves m as it was.
func inferContext(ctx context.Context, m *onnxgraph.Model, opts *Options, accept func(*Result) error) (*Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	o := Options{}
	if opts != nil {
		o = *opts
	}
	size := 0
	if g := m.Graph(); g != nil {
		size = 2*g.NumNodes() + len(g.Inputs()) + len(g.Initializers())
	}
	e := &engine{ctx: ctx, m: m, opts: o, res: &Result{
		types:     make(map[*onnxgraph.Value]*Type, size),
		data:      map[*onnxgraph.Value]*Data{},
		reasons:   map[*onnxgraph.Value]*Reason{},
		graph:     m.Graph(),
		noInferAt: map[*onnxgraph.Node]bool{},
	}, funcs: map[string]*onnxgraph.Function{}, strs: map[*onnxgraph.Value][][]byte{}}
	for _, f := range m.Functions() {
		e.funcs[funcKey(f.Domain(), f.Name())] = f
	}
	s := &scope{e: e, types: e.res.types, data: e.res.data}
	if err := s.inferGraph(m.Graph(), true); err != nil {
		return e.res, err
	}
	if accept != nil {
		if err := accept(e.res); err != nil {
			return e.res, err
		}
	}
	if o.WriteBack {
		e.writeBack(m.Graph())
	}
	return e.res, nil
}

type engine struct {
	ctx   context.Context
	steps int // nodes inferred, to look at ctx now and then
	m     *onnxgraph.Model
	opts  Options
	res   *Result
	funcs map[string]*onnxgraph.Function
	ops   map[[2]string]opInfo          // by domain and op type
	strs  map[*onnxgraph.Value][][]byte // known string contents
	n     int
}

func funcKey(domain, name string) string { return domain + "\x00" + name }

// noInference records n as a node without an inference function, once.
func (e *engine) noInference(n *onnxgraph.Node) {
	if !e.res.noInferAt[n] {
		e.res.noInferAt[n] = true
		e.res.noInfer = append(e.res.noInfer, n)
	}
}

// freshPrefix starts the names of fresh symbols: unk__1, unk__2, ...
const freshPrefix = "unk__"

func (e *engine) fresh() Dim {
	e.n++
	return Symbol(freshPrefix + strconv.Itoa(e.n))
}

// scope maps values to types for one graph inference: the main graph, a
// subgraph (whose outer values resolve in parent), or a function call.
type scope struct {
	e      *engine
	parent *scope
	types  map[*onnxgraph.Value]*Type
	data   map[*onnxgraph.Value]*Data
	call   *onnxgraph.Node // the calling node of a function body
}

func (s *scope) typeOf(v *onnxgraph.Value) *Type {
	for x := s; x != nil; x = x.parent {
		if t, ok := x.types[v]; ok {
			return t
		}
	}
	return nil
}

func (s *scope) dataOf(v *onnxgraph.Value) *Data {
	for x := s; x != nil; x = x.parent {
		if d, ok := x.data[v]; ok {
			return d
		}
	}
	if t := v.Initializer(); t != nil {
		d := tensorData(t)
		s.data[v] = d
		return d
	}
	return nil
}

func (s *scope) attrRef(name string) *onnxproto.AttributeProto {
	for x := s; x != nil; x = x.parent {
		if x.call != nil {
			return x.call.Attr(name)
		}
	}
	return nil
}

// inferGraph infers every node of g in order. Graph inputs and
// initializers take their declared types (or the options' overrides).
func (s *scope) inferGraph(g *onnxgraph.Graph, top bool) error {
	for _, v := range g.Inputs() {
		if _, ok := s.types[v]; ok {
			continue // set by the caller (subgraph inputs)
		}
		t := declared(v)
		if top {
			if shape, ok := s.e.opts.InputShapes[v.Name()]; ok {
				if t == nil {
					t = Tensor(0, shape)
				} else {
					c := *t
					c.Shape = shape
					t = &c
				}
			}
			if d, ok := s.e.opts.InputData[v.Name()]; ok {
				s.data[v] = d
			}
			if strs, ok := s.e.opts.InputStrings[v.Name()]; ok {
				s.e.strs[v] = strs
			}
		}
		s.types[v] = t
		if !t.Complete() {
			s.e.res.reasons[v] = &Reason{Code: CodeMissingInput, Msg: "graph input " + strconv.Quote(v.Name()) + " has no complete declared shape", Node: "(graph input)"}
		}
	}
	// The initializers' types and shapes come from one allocation each
	// (a decoder has more initializers than nodes).
	inits := g.Initializers()
	ndims := 0
	for _, v := range inits {
		ndims += len(v.Initializer().Proto().GetDims())
	}
	types, dims := make([]Type, len(inits)), make([]Dim, ndims)
	for i, v := range inits {
		if s.types[v] != nil {
			continue
		}
		p := v.Initializer().Proto()
		n := len(p.GetDims())
		shape := Shape(dims[:n:n])
		dims = dims[n:]
		for k, d := range p.GetDims() {
			shape[k] = Known(d)
		}
		types[i] = Type{Kind: KindTensor, Elem: onnxgraph.DataType(p.GetDataType()), Shape: shape}
		s.types[v] = &types[i]
	}
	for _, v := range g.SparseInitializers() {
		s.types[v] = FromProto(v.Type())
	}
	order, err := g.TopoOrder()
	if err != nil {
		return err
	}
	for _, n := range order {
		if s.e.steps++; s.e.steps%256 == 0 {
			if err := s.e.ctx.Err(); err != nil {
				return err
			}
		}
		if err := s.inferNode(n); err != nil {
			return err
		}
	}
	return nil
}

// repanic makes callGuarded let a panic through (FuzzInfer sets it, to
// keep the stack of the defect it found).
var repanic bool

// callGuarded runs the inference function fn at c. A panic in fn is a
// defect in shapeinfer that this input reached; it becomes a CodeInternal
// error at the node, whose outputs then stay unknown, so that one faulty
// function never takes a caller's process down.
func callGuarded(c *Ctx, fn Func) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if repanic {
				panic(r)
			}
			clear(c.outs)
			clear(c.outData)
			err = c.Errorf(CodeInternal, "inference of %s failed on this input: %v", c.Node.OpType(), r)
		}
	}()
	return fn(c)
}

// inferNode runs n's inference function and merges the results with what
// n's outputs declare.
func (s *scope) inferNode(n *onnxgraph.Node) error {
	e := s.e
	ni, no := n.NumInputs(), n.NumOutputs()
	// The context and its slots: one allocation for most nodes.
	fr := &nodeFrame{c: Ctx{s: s, Node: n}}
	var types []*Type
	var outData []*Data
	if ni+no <= len(fr.types) && no <= len(fr.data) {
		types, outData = fr.types[:], fr.data[:no:no]
	} else {
		types, outData = make([]*Type, ni+no), make([]*Data, no)
	}
	for i := 0; i < ni; i++ {
		if v := n.Input(i); v != nil {
			types[i] = s.typeOf(v)
		}
	}
	c := &fr.c
	c.ins, c.outs, c.outData = types[:ni:ni], types[ni:ni+no:ni+no], outData
	op := e.op(n.Domain(), n.OpType())
	c.Opset = int(op.opset)
	var err error
	switch {
	case op.f != nil:
		err = s.inferCall(c, op.f)
	case op.sch != nil:
		c.Schema = op.sch
		if op.fn != nil {
			err = callGuarded(c, op.fn)
		} else {
			err = c.Errorf(CodeUnsupported, "no inference for %s-%d", n.OpType(), op.sch.SinceVersion)
			e.noInference(n)
		}
	default:
		err = c.Errorf(CodeUnknownOp, "no schema for %s in domain %q at opset %d", n.OpType(), opschema.NormalizeDomain(n.Domain()), op.opset)
		e.noInference(n)
	}
	var ie *Error
	if err != nil {
		if ie = asError(err); ie == nil {
			return err
		}
	}
	// Outputs of a node whose inputs do not fit it (or whose inference
	// failed) have no reliable type: they stay unknown, whatever the
	// function computed or the model declares, so that nothing downstream
	// looks complete. Such a node is a problem.
	unreliable := ie != nil && (ie.Code == CodeInvalid || ie.Code == CodeConflict || ie.Code == CodeInternal)
	if unreliable {
		e.res.Problems = append(e.res.Problems, ie)
		if e.opts.Strict {
			return ie
		}
	}
	var why *Reason // the reason they inherit from an input that is unreliable
	if !unreliable {
		why = s.unreliableInput(n, c.ins)
		unreliable = why != nil
	}
	for i := 0; i < no; i++ {
		v := n.Output(i)
		if v == nil {
			continue
		}
		if unreliable {
			delete(s.types, v)
			if why != nil {
				e.res.reasons[v] = why
			} else {
				e.res.reasons[v] = s.reason(n, ie)
			}
			continue
		}
		t, why := s.settle(c, c.outs[i])
		if why != nil && why.Code == CodeInvalid && ie == nil {
			bad := &Error{Code: CodeInvalid, Node: why.Node, Value: v.Name(), Msg: why.Msg}
			e.res.Problems = append(e.res.Problems, bad)
			if e.opts.Strict {
				return bad
			}
		}
		merged, conflict := s.merge(v, declared(v), t)
		if conflict != nil {
			e.res.Conflicts = append(e.res.Conflicts, conflict)
			if e.opts.Strict {
				return conflict
			}
		}
		s.types[v] = merged
		if c.outData[i] != nil {
			s.data[v] = c.outData[i]
		}
		switch {
		case ie == nil && why != nil:
			e.res.reasons[v] = why
		case !merged.Complete() || ie != nil:
			e.res.reasons[v] = s.reason(n, ie)
		}
	}
	return nil
}

// opInfo is what inference runs for the nodes of one domain and op type:
// a model function, or an operator schema with its inference function
// (nil when the table has none); neither for an unknown operator.
type opInfo struct {
	opset int64
	f     *onnxgraph.Function
	sch   *opschema.Schema
	fn    Func
}

// op returns the opInfo of domain and op, looked up once per engine.
func (e *engine) op(domain, op string) opInfo {
	k := [2]string{domain, op}
	if x, ok := e.ops[k]; ok {
		return x
	}
	var x opInfo
	x.opset, _ = e.m.Opset(domain)
	if len(e.funcs) > 0 {
		x.f = e.funcs[funcKey(domain, op)]
	}
	if x.f == nil {
		if sch, ok := opschema.Lookup(domain, op, int(x.opset)); ok {
			x.sch, x.fn = sch, table[key{opschema.NormalizeDomain(domain), op, sch.SinceVersion}]
		}
	}
	if e.ops == nil {
		e.ops = map[[2]string]opInfo{}
	}
	e.ops[k] = x
	return x
}

// nodeFrame holds a node's Ctx with room for the types and data of a
// node of up to six inputs and outputs.
type nodeFrame struct {
	c     Ctx
	types [6]*Type
	data  [3]*Data
}

// asError returns the *Error in err's chain, nil when there is none.
func asError(err error) *Error {
	var ie *Error
	if errors.As(err, &ie) {
		return ie
	}
	return nil
}

// settle replaces the dims of an output type t that have no valid size:
// an expression past MaxExprSize becomes a fresh symbol; an overflow, a
// division by zero or a negative size becomes unknown, and is a problem
// of the node (CodeInvalid). It returns the type (t itself when nothing
// changed) and the reason for the first dim replaced, nil when none was.
func (s *scope) settle(c *Ctx, t *Type) (*Type, *Reason) {
	if t == nil {
		return nil, nil
	}
	var why *Reason
	var shape Shape
	for i, d := range t.Shape {
		err := d.Err()
		if err == nil {
			if v, ok := d.Value(); !ok || v >= 0 {
				continue
			}
		}
		if shape == nil {
			shape = slices.Clone(t.Shape)
		}
		shape[i] = Unknown
		msg := ""
		switch {
		case err == nil:
			msg = "dim " + strconv.Itoa(i) + " would be negative (" + d.String() + ")"
		case errors.Is(err, ErrTooLarge):
			shape[i] = c.Fresh()
			msg = "dim " + strconv.Itoa(i) + " is a fresh symbol: its " + strings.TrimPrefix(err.Error(), "shapeinfer: ")
		default:
			msg = "dim " + strconv.Itoa(i) + " is unknown: " + strings.TrimPrefix(err.Error(), "shapeinfer: ")
		}
		if why == nil {
			why = &Reason{Code: CodeInvalid, Node: nodeLabel(c.Node), Msg: msg}
			if errors.Is(err, ErrTooLarge) {
				why.Code = CodeUnsupported
			}
		}
	}
	sub, subWhy := s.settle(c, t.Sub)
	if shape == nil && subWhy == nil {
		return t, nil
	}
	out := *t
	if shape != nil {
		out.Shape = shape
	}
	if subWhy != nil {
		out.Sub = sub
		if why == nil {
			why = subWhy
		}
	}
	return &out, why
}

// reason explains an incomplete output of n: its own failure, else the
// first input without a complete type (following that input's reason to
// the root blocker).
func (s *scope) reason(n *onnxgraph.Node, ie *Error) *Reason {
	if ie != nil {
		return &Reason{Code: ie.Code, Msg: ie.Msg, Node: ie.Node}
	}
	for i := range n.NumInputs() {
		in := n.Input(i)
		if in == nil || s.typeOf(in).Complete() {
			continue
		}
		r := &Reason{Code: CodeMissingInput, Msg: "input " + strconv.Quote(in.Name()) + " has no complete shape", Node: nodeLabel(n), Blocker: in.Name()}
		if up := s.e.res.reasons[in]; up != nil {
			r.Code = up.Code
			if up.Blocker != "" {
				r.Blocker = up.Blocker
			}
			r.Msg = "input " + strconv.Quote(in.Name()) + " is incomplete: " + up.Msg
		}
		return r
	}
	return &Reason{Code: CodeUnsupported, Msg: "the inference function left this output incomplete", Node: nodeLabel(n)}
}

// unreliableInput returns, when an input of n has no type because a node
// upstream did not fit its inputs, the reason n's outputs inherit; nil
// otherwise. ins are the inputs' types.
func (s *scope) unreliableInput(n *onnxgraph.Node, ins []*Type) *Reason {
	for i, t := range ins {
		in := n.Input(i)
		if in == nil || t != nil {
			continue
		}
		if up := s.e.res.reasons[in]; up != nil && (up.Code == CodeInvalid || up.Code == CodeConflict) {
			r := *up
			r.Msg = "input " + strconv.Quote(in.Name()) + " has no type: " + up.Msg
			if r.Blocker == "" {
				r.Blocker = in.Name()
			}
			return &r
		}
	}
	return nil
}

// declared returns v's declared type, nil when none.
func declared(v *onnxgraph.Value) *Type {
	if t := v.Type(); t != nil {
		return FromProto(t)
	}
	return nil
}

// merge combines a declared and an inferred type: a known inferred dim
// replaces a declared symbol or unknown; declared known dims must agree.
func (s *scope) merge(v *onnxgraph.Value, decl, inf *Type) (*Type, *Error) {
	switch {
	case inf == nil:
		return decl, nil
	case decl == nil:
		return inf, nil
	}
	conflict := func(msg string) *Error {
		return &Error{Code: CodeConflict, Node: producerLabel(v), Value: v.Name(), Msg: msg + ": declared " + decl.String() + ", inferred " + inf.String()}
	}
	if decl.Kind != inf.Kind && decl.Kind != KindUnknown && inf.Kind != KindUnknown {
		return decl, conflict("kinds differ")
	}
	if decl.Kind != KindTensor {
		if s.e.opts.CheckOnly {
			return decl, nil
		}
		return inf, nil
	}
	out := *decl
	if decl.Elem == 0 {
		out.Elem = inf.Elem
	} else if inf.Elem != 0 && inf.Elem != decl.Elem {
		return decl, conflict("element types differ")
	}
	if inf.Shape == nil {
		return &out, nil
	}
	if decl.Shape == nil {
		if !s.e.opts.CheckOnly {
			out.Shape = inf.Shape
		}
		return &out, nil
	}
	if len(decl.Shape) != len(inf.Shape) {
		return decl, conflict("ranks differ")
	}
	shape := make(Shape, len(decl.Shape))
	for i, d := range decl.Shape {
		id := inf.Shape[i]
		dv, dk := d.Value()
		iv, ik := id.Value()
		switch {
		case dk && ik && dv != iv:
			return decl, conflict("dim " + strconv.Itoa(i) + " differs")
		case dk:
			shape[i] = d
		case ik && !s.e.opts.CheckOnly:
			shape[i] = id
		case d.IsUnknown() && !s.e.opts.CheckOnly:
			shape[i] = id
		case !id.IsUnknown() && !s.e.opts.CheckOnly && !declaredName(v, i):
			// A declared expression (written by an earlier inference,
			// perhaps in an ambiguous form such as "floor(H-1/2)+1")
			// gives way to the inferred one; a declared name stays.
			shape[i] = id
		default:
			shape[i] = d
		}
	}
	out.Shape = shape
	return &out, nil
}

// declaredName reports whether v declares dim i of its tensor type with a
// dim_param that is a plain name (not an expression).
func declaredName(v *onnxgraph.Value, i int) bool {
	dims := v.Type().GetTensorType().GetShape().GetDim()
	if tt := v.Type().GetSparseTensorType(); tt != nil {
		dims = tt.GetShape().GetDim()
	}
	return i < len(dims) && isName(dims[i].GetDimParam())
}

func producerLabel(v *onnxgraph.Value) string {
	if n, _ := v.Producer(); n != nil {
		return nodeLabel(n)
	}
	return "(graph)"
}

// inferSubgraph infers g in a child scope with the given input types.
func (s *scope) inferSubgraph(g *onnxgraph.Graph, inputs []*Type) ([]*Type, error) {
	child := &scope{e: s.e, parent: s, types: map[*onnxgraph.Value]*Type{}, data: map[*onnxgraph.Value]*Data{}}
	for i, v := range g.Inputs() {
		if i < len(inputs) && inputs[i] != nil {
			decl := declared(v)
			t, _ := child.merge(v, decl, inputs[i])
			child.types[v] = t
		}
	}
	if err := child.inferGraph(g, false); err != nil {
		return nil, err
	}
	outs := make([]*Type, len(g.Outputs()))
	for i, v := range g.Outputs() {
		outs[i] = child.typeOf(v)
	}
	// Keep the body's types for the result (last inference wins).
	for v, t := range child.types {
		s.e.res.types[v] = t
	}
	return outs, nil
}

// inferCall infers a call of model-local function f by inferring its body
// with the call's input types.
func (s *scope) inferCall(c *Ctx, f *onnxgraph.Function) error {
	body := f.Body()
	child := &scope{e: s.e, types: map[*onnxgraph.Value]*Type{}, data: map[*onnxgraph.Value]*Data{}, call: c.Node}
	for i, v := range body.Inputs() {
		if i < c.NumInputs() {
			child.types[v] = c.Input(i)
			if d := c.Data(i); d != nil {
				child.data[v] = d
			}
		}
	}
	if err := child.inferGraph(body, false); err != nil {
		return err
	}
	for i, v := range body.Outputs() {
		c.SetOutput(i, child.typeOf(v))
		c.SetData(i, child.data[v])
	}
	return nil
}

// writeBack stores inferred types in the model.
func (e *engine) writeBack(g *onnxgraph.Graph) {
	var vals []*onnxgraph.Value
	var types []*Type
	g.Walk(func(sub *onnxgraph.Graph) bool {
		for _, n := range sub.Nodes() {
			for i := range n.NumOutputs() {
				v := n.Output(i)
				if v == nil {
					continue
				}
				t := e.res.types[v]
				if t == nil || t.Kind == KindUnknown {
					continue
				}
				if v.Type() == nil || (!e.opts.CheckOnly && declared(v).String() != t.String()) {
					vals, types = append(vals, v), append(types, t)
				}
			}
		}
		return true
	})
	b := newProtoBatch(types)
	for i, v := range vals {
		v.SetType(b.proto(types[i]))
	}
}
