package eval

import (
	"strconv"

	"github.com/onnxgraph/onnxgraph"
)

// Value is a graph input or output of any kind: a tensor, a sequence of
// tensors, or an optional holding either or nothing.
type Value struct {
	Tensor   *onnxgraph.Tensor // set for a tensor (or an optional tensor)
	Sequence *Sequence         // set for a sequence (or an optional sequence)
	Optional bool              // an optional; with neither field set, an empty one
}

// Sequence is a sequence value: tensors of one element type.
type Sequence struct {
	ElemType DataType // the tensors' element type; 0 when unknown (then taken from the tensors)
	Tensors  []*onnxgraph.Tensor
}

// sequence and optional are the working forms of the non-tensor values.
type sequence struct {
	elem  DataType
	items []*tensor
}

type optional struct {
	v any // *tensor, *sequence, or nil when empty
}

func kindName(v any) string {
	switch v.(type) {
	case *tensor:
		return "tensor"
	case *sequence:
		return "sequence"
	case *optional:
		return "optional"
	case nil:
		return "missing value"
	}
	return "value"
}

// runner evaluates graphs of one model.
type runner struct {
	// eval evaluates one node. It is (*runner).eval, reached through a
	// field so that kernels that run subgraphs do not make the kernel
	// table depend on itself.
	eval  func(r *runner, n *onnxgraph.Node, e *env, in []any) ([]any, error)
	opts  *Options
	model *onnxgraph.Model
	inits map[*onnxgraph.Value]*tensor
	plans map[*onnxgraph.Graph]*plan
}

// plan is how a graph runs: its nodes in dependency order, and after each
// node the values no later node reads, which the run drops.
type plan struct {
	nodes []*onnxgraph.Node
	free  [][]*onnxgraph.Value
}

func newRunner(m *onnxgraph.Model, opts *Options) *runner {
	return &runner{eval: (*runner).evalNode, opts: opts.norm(), model: m, inits: map[*onnxgraph.Value]*tensor{}, plans: map[*onnxgraph.Graph]*plan{}}
}

// env is one running graph's values; parent is the graph around it.
type env struct {
	vals   map[*onnxgraph.Value]any
	parent *env
}

// RunValues is Run for models whose inputs or outputs are sequences or
// optionals.
func RunValues(m *onnxgraph.Model, inputs map[string]Value, opts *Options) (map[string]Value, error) {
	r := newRunner(m, opts)
	g := m.Graph()
	in := make([]any, 0, len(g.Inputs()))
	for _, v := range g.Inputs() {
		x, ok := inputs[v.Name()]
		if !ok {
			if v.Initializer() != nil {
				in = append(in, nil) // bound from the initializer on first read
				continue
			}
			return nil, errorf(ErrInvalid, "input %q not given", v.Name())
		}
		w, err := r.fromValue(x)
		if err != nil {
			return nil, errorf(ErrInvalid, "input %q: %s", v.Name(), trimEval(err))
		}
		in = append(in, w)
	}
	outs, err := r.runGraph(g, nil, in)
	if err != nil {
		return nil, err
	}
	res := make(map[string]Value, len(outs))
	for i, v := range g.Outputs() {
		x, err := toValue(v.Name(), outs[i])
		if err != nil {
			return nil, err
		}
		res[v.Name()] = x
	}
	return res, nil
}

func trimEval(err error) string {
	s := err.Error()
	if len(s) > 6 && s[:6] == "eval: " {
		return s[6:]
	}
	return s
}

func (r *runner) fromValue(x Value) (any, error) {
	var v any
	switch {
	case x.Tensor != nil:
		t, err := fromTensor(x.Tensor, r.opts.MaxElements)
		if err != nil {
			return nil, err
		}
		v = t
	case x.Sequence != nil:
		s := &sequence{elem: x.Sequence.ElemType}
		for i, t := range x.Sequence.Tensors {
			if i == 0 && s.elem == 0 {
				s.elem = t.DataType()
			}
			w, err := fromTensor(t, r.opts.MaxElements)
			if err != nil {
				return nil, err
			}
			s.items = append(s.items, w)
		}
		v = s
	case !x.Optional:
		return nil, invalidf("empty value")
	}
	if x.Optional {
		return &optional{v: v}, nil
	}
	return v, nil
}

func toValue(name string, v any) (Value, error) {
	switch x := v.(type) {
	case *tensor:
		t, err := toTensor(name, x)
		return Value{Tensor: t}, err
	case *sequence:
		s := &Sequence{ElemType: x.elem}
		for i, item := range x.items {
			t, err := toTensor(name+"["+strconv.Itoa(i)+"]", item)
			if err != nil {
				return Value{}, err
			}
			s.Tensors = append(s.Tensors, t)
		}
		return Value{Sequence: s}, nil
	case *optional:
		if x.v == nil {
			return Value{Optional: true}, nil
		}
		inner, err := toValue(name, x.v)
		inner.Optional = true
		return inner, err
	}
	return Value{}, errorf(ErrInvalid, "output %q has no value", name)
}

// get returns the value of v as seen from e.
func (r *runner) get(e *env, v *onnxgraph.Value) (any, error) {
	for s := e; s != nil; s = s.parent {
		if x, ok := s.vals[v]; ok && x != nil {
			return x, nil
		}
	}
	if t := v.Initializer(); t != nil {
		if w, ok := r.inits[v]; ok {
			return w, nil
		}
		w, err := fromTensor(t, r.opts.MaxElements)
		if err != nil {
			return nil, err
		}
		r.inits[v] = w
		return w, nil
	}
	if v.SparseInitializer() != nil {
		return nil, notImplf("sparse initializer %q", v.Name())
	}
	return nil, invalidf("value %q has no data", v.Name())
}

// plan returns how g runs, computed on first use.
func (r *runner) plan(g *onnxgraph.Graph) (*plan, error) {
	if p, ok := r.plans[g]; ok {
		return p, nil
	}
	nodes, err := g.TopoOrder()
	if err != nil {
		return nil, errorf(ErrInvalid, "graph %q: %s", g.Name(), trimRoot(err))
	}
	pos := make(map[*onnxgraph.Node]int, len(nodes))
	for i, n := range nodes {
		pos[n] = i
	}
	// A subgraph may also return a value of g as its own output: that value
	// lives until the node holding the subgraph has run.
	held := map[*onnxgraph.Value]int{}
	for i, n := range nodes {
		for _, sg := range n.Subgraphs() {
			sg.Walk(func(h *onnxgraph.Graph) bool {
				for _, v := range h.Outputs() {
					if v != nil && v.Graph() == g {
						held[v] = i
					}
				}
				return true
			})
		}
	}
	p := &plan{nodes: nodes, free: make([][]*onnxgraph.Value, len(nodes))}
	for i, n := range nodes {
		for _, v := range n.Outputs() {
			if v == nil || v.IsGraphOutput() {
				continue
			}
			last := max(i, held[v])
			for _, u := range v.Uses() {
				// A read from a subgraph is a read by the node holding it.
				m := u.Node
				for m != nil && m.Graph() != g {
					m = m.Graph().Parent()
				}
				if j, ok := pos[m]; ok && j > last {
					last = j
				}
			}
			p.free[last] = append(p.free[last], v)
		}
	}
	r.plans[g] = p
	return p, nil
}

// runGraph runs g with its inputs bound to in (a nil entry reads the
// input's initializer) inside parent, and returns its outputs.
func (r *runner) runGraph(g *onnxgraph.Graph, parent *env, in []any) ([]any, error) {
	e := &env{vals: map[*onnxgraph.Value]any{}, parent: parent}
	gin := g.Inputs()
	if len(in) != len(gin) {
		return nil, errorf(ErrInvalid, "graph %q has %d inputs, given %d", g.Name(), len(gin), len(in))
	}
	for i, v := range gin {
		if in[i] != nil {
			e.vals[v] = in[i]
		}
	}
	p, err := r.plan(g)
	if err != nil {
		return nil, err
	}
	for i, n := range p.nodes {
		args := make([]any, n.NumInputs())
		for i, v := range n.Inputs() {
			if v == nil || v.Name() == "" {
				continue
			}
			x, err := r.get(e, v)
			if err != nil {
				return nil, r.nodeError(n, 0, err)
			}
			args[i] = x
		}
		outs, err := r.eval(r, n, e, args)
		if err != nil {
			return nil, err
		}
		for k, v := range n.Outputs() {
			if v != nil && v.Name() != "" && k < len(outs) {
				e.vals[v] = outs[k]
			}
		}
		for _, v := range p.free[i] {
			delete(e.vals, v)
		}
	}
	outs := make([]any, len(g.Outputs()))
	for i, v := range g.Outputs() {
		x, err := r.get(e, v)
		if err != nil {
			return nil, errorf(ErrInvalid, "graph %q output %q: %s", g.Name(), v.Name(), trimEval(err))
		}
		outs[i] = x
	}
	return outs, nil
}

// evalNode runs node n on its input values in scope e.
func (r *runner) evalNode(n *onnxgraph.Node, e *env, in []any) ([]any, error) {
	opset, ok := opsetOf(r.model, n.Domain())
	if !ok {
		return nil, r.nodeError(n, 0, notImplf("domain %q is not imported", n.Domain()))
	}
	s, ent, ok := lookup(n.Domain(), n.OpType(), opset)
	if !ok {
		since := 0
		if s != nil {
			since = s.SinceVersion
		}
		return nil, r.nodeError(n, since, notImplf("no kernel for opset %d", opset))
	}
	if s.Deprecated {
		return nil, r.nodeError(n, s.SinceVersion, invalidf("operator deprecated"))
	}
	c := &ctx{node: n, schema: s, opts: r.opts, r: r, env: e, nout: n.NumOutputs()}
	if !s.AllowsInputs(len(in)) {
		return nil, r.nodeError(n, s.SinceVersion, invalidf("%d inputs", len(in)))
	}
	if ent.types != nil && len(in) > 0 {
		if t, ok := in[0].(*tensor); ok && !ent.supports(t.dt) {
			return nil, r.nodeError(n, s.SinceVersion, notImplf("element type %s", typeName(t.dt)))
		}
	}
	var outs []any
	var err error
	if ent.fn != nil {
		ts := make([]*tensor, len(in))
		for i, x := range in {
			if x == nil {
				continue
			}
			t, ok := x.(*tensor)
			if !ok {
				return nil, r.nodeError(n, s.SinceVersion, invalidf("input %d is a %s, not a tensor", i, kindName(x)))
			}
			ts[i] = t
		}
		var res []*tensor
		res, err = ent.fn(c, ts)
		if err == nil {
			outs = make([]any, len(res))
			for i, t := range res {
				if t != nil {
					roundToType(t)
					outs[i] = t
				}
			}
		}
	} else {
		outs, err = ent.vfn(c, in)
	}
	if err == nil {
		err = c.err
	}
	if err != nil {
		return nil, r.nodeError(n, s.SinceVersion, err)
	}
	if len(outs) > c.nout {
		outs = outs[:c.nout] // optional outputs the node does not ask for
	}
	for i, v := range n.Outputs() {
		if v != nil && v.Name() != "" && (i >= len(outs) || outs[i] == nil) {
			return nil, r.nodeError(n, s.SinceVersion, notImplf("output %d is not computed", i))
		}
	}
	return outs, nil
}

func (r *runner) nodeError(n *onnxgraph.Node, since int, err error) error {
	if _, ok := err.(*NodeError); ok {
		return err
	}
	return &NodeError{Node: nodeLabel(n), OpType: n.OpType(), Domain: n.Domain(), Since: since, Err: err}
}
