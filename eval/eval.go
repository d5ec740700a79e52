package eval

import (
	"sort"
	"strconv"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/opschema"
)

// DefaultMaxElements is the size limit used when Options.MaxElements is 0:
// 64 Mi elements (256 MiB of float32) per tensor.
const DefaultMaxElements = 1 << 26

// Options controls evaluation. A nil *Options means the defaults.
type Options struct {
	// MaxElements bounds the number of elements of every tensor the
	// evaluator decodes or creates, inputs and intermediate buffers
	// included. A tensor above it is an ErrTooLarge error, found before
	// anything of that size is allocated. 0 means DefaultMaxElements.
	MaxElements int64
}

func (o *Options) norm() *Options {
	out := Options{}
	if o != nil {
		out = *o
	}
	if out.MaxElements <= 0 {
		out.MaxElements = DefaultMaxElements
	}
	return &out
}

// EvalNode computes the outputs of node n from its input tensors, one per
// input slot of n (nil for a missing optional input), as a constant folder
// needs. The operator version is the one in force at the opset n's model
// imports for n's domain. It returns one tensor per output slot of n, named
// after the output (nil for a missing optional output).
//
// Errors are *NodeError values naming n: an operator, version or element
// type without a kernel wraps ErrNotImplemented; inputs or attributes the
// operator cannot take wrap ErrInvalid; a result above the size limit wraps
// ErrTooLarge. Subgraphs (If, Loop, Scan) run, but can read no value of the
// graph around n. Neither n nor the inputs are changed.
func EvalNode(n *onnxgraph.Node, inputs []*onnxgraph.Tensor, opts *Options) ([]*onnxgraph.Tensor, error) {
	r := newRunner(modelOf(n), opts)
	in := make([]any, len(inputs))
	for i, t := range inputs {
		if t == nil {
			continue
		}
		w, err := fromTensor(t, r.opts.MaxElements)
		if err != nil {
			return nil, r.nodeError(n, 0, err)
		}
		in[i] = w
	}
	outs, err := r.evalNode(n, &env{vals: map[*onnxgraph.Value]any{}}, in)
	if err != nil {
		return nil, err
	}
	res := make([]*onnxgraph.Tensor, len(outs))
	for i, o := range outs {
		if o == nil {
			continue
		}
		t, ok := o.(*tensor)
		if !ok {
			return nil, r.nodeError(n, 0, notImplf("output %d is a %s, not a tensor", i, kindName(o)))
		}
		name := ""
		if v := n.Output(i); v != nil {
			name = v.Name()
		}
		if res[i], err = toTensor(name, t); err != nil {
			return nil, r.nodeError(n, 0, err)
		}
	}
	return res, nil
}

// Run evaluates the main graph of m on inputs, keyed by graph input name,
// and returns every graph output by name. A graph input that is also an
// initializer takes the initializer's value when inputs does not give it.
// Errors are as EvalNode's, naming the node concerned; a missing input
// wraps ErrInvalid. m is not changed.
func Run(m *onnxgraph.Model, inputs map[string]*onnxgraph.Tensor, opts *Options) (map[string]*onnxgraph.Tensor, error) {
	vals := make(map[string]Value, len(inputs))
	for name, t := range inputs {
		vals[name] = Value{Tensor: t}
	}
	outs, err := RunValues(m, vals, opts)
	if err != nil {
		return nil, err
	}
	res := make(map[string]*onnxgraph.Tensor, len(outs))
	for name, v := range outs {
		if v.Tensor == nil {
			return nil, errorf(ErrNotImplemented, "output %q is not a tensor (use RunValues)", name)
		}
		res[name] = v.Tensor
	}
	return res, nil
}

// Implemented reports whether the evaluator has a kernel for operator op
// of domain ("" for the default domain) at opset version opset.
func Implemented(domain, op string, opset int) bool {
	_, _, ok := lookup(domain, op, opset)
	return ok
}

// Operators returns every operator version the evaluator implements, as
// "domain:op-since" strings ("ai.onnx:Add-14"), sorted by domain, operator
// and version.
func Operators() []string {
	keys := make([]key, 0, len(table))
	for k := range table {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.domain != b.domain {
			return a.domain < b.domain
		}
		if a.op != b.op {
			return a.op < b.op
		}
		return a.since < b.since
	})
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k.domain + ":" + k.op + "-" + strconv.Itoa(k.since)
	}
	return out
}

func modelOf(n *onnxgraph.Node) *onnxgraph.Model {
	if g := n.Graph(); g != nil {
		return g.Model()
	}
	return nil
}

// opsetOf returns the version m imports domain at.
func opsetOf(m *onnxgraph.Model, domain string) (int, bool) {
	if m == nil {
		return 0, false
	}
	v, ok := m.Opset(domain)
	if !ok && opschema.NormalizeDomain(domain) == opschema.DomainONNX {
		v, ok = m.Opset(opschema.DomainONNX)
	}
	return int(v), ok
}
