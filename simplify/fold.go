package simplify

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/eval"
	"github.com/onnxgraph/onnxgraph/opschema"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
)

// neverFolded are operators whose result is not a function of their
// inputs: random draws (runtimes draw their own numbers), and Dropout,
// which passNoop removes in inference mode.
var neverFolded = map[string]bool{
	"RandomNormal": true, "RandomUniform": true, "RandomNormalLike": true, "RandomUniformLike": true,
	"Multinomial": true, "Bernoulli": true, "Dropout": true,
}

// qdq are the operators left unfolded unless Options.FoldQDQ.
var qdq = map[string]bool{"QuantizeLinear": true, "DequantizeLinear": true}

// foldPass evaluates, in order, every node of g whose inputs are all
// constant, and turns Constant nodes into initializers. Chains fold in
// one sweep: a folded value is a constant for the nodes after it.
func (s *state) foldPass(g *onnxgraph.Graph) (int, error) {
	order := g.Nodes()
	e := s.edit(g)
	known := map[*onnxgraph.Value]*onnxgraph.Tensor{}
	var small smallConsts // built on the first Constant
	constOf := func(v *onnxgraph.Value) (*onnxgraph.Tensor, bool) {
		if t, ok := known[v]; ok {
			return t, true
		}
		return s.constOf(v)
	}
	for _, n := range order {
		if s.skipped(n) || hasRefAttr(n) {
			continue
		}
		isONNX := opschema.NormalizeDomain(n.Domain()) == opschema.DomainONNX
		if isONNX && n.OpType() == "Constant" {
			if small == nil {
				small = s.smallConstsOf(g)
			}
			s.constantToInit(e, n, small)
			continue
		}
		// Nodes holding subgraphs are left to the if pass: a Loop's trip
		// count has no bound the evaluator could check first.
		if n.NumOutputs() == 0 || len(n.Subgraphs()) > 0 || (isONNX && (neverFolded[n.OpType()] || (qdq[n.OpType()] && !s.c.foldQDQ))) {
			continue
		}
		ins := make([]*onnxgraph.Tensor, n.NumInputs())
		all := true
		for i := range n.NumInputs() {
			v := n.Input(i)
			if v == nil {
				continue
			}
			t, ok := constOf(v)
			if !ok {
				all = false
				break
			}
			ins[i] = t
		}
		if !all || s.nonTensorOutput(n) { // sequences and optionals are not constants
			continue
		}
		outs, reason := s.evaluate(g, n, ins)
		if reason != "" {
			s.leave(n, passFold, reason)
			continue
		}
		for i, t := range outs {
			if v := n.Output(i); v != nil {
				known[v] = t
				e.constant(v, t)
			}
		}
		e.kill(n)
	}
	return e.flush()
}

// nonTensorOutput reports whether an output of n is known to be other
// than a tensor.
func (s *state) nonTensorOutput(n *onnxgraph.Node) bool {
	for i := range n.NumOutputs() {
		if t := s.typeOf(n.Output(i)); t != nil && t.Kind != shapeinfer.KindTensor && t.Kind != shapeinfer.KindUnknown {
			return true
		}
	}
	return false
}

// smallConst is the largest constant (in bytes) that the fold pass
// matches against the small constants it has seen: a Constant node equal
// to one becomes a reader of it rather than an initializer of its own.
// Exporters write shape constants ([0], [-1], [1]...) thousands of times.
const smallConst = 64

// smallConsts indexes the small inline constants of a graph by content.
type smallConsts map[string]*onnxgraph.Value

// constKey is the content of a small inline constant as a map key, "" for
// others.
func constKey(t *onnxgraph.Tensor) string {
	if t.IsExternal() || t.DataType() == onnxgraph.String || t.NumBytes() > smallConst {
		return ""
	}
	b, err := t.Bytes()
	if err != nil {
		return ""
	}
	return strconv.Itoa(int(t.DataType())) + ":" + dimsKey(t.Dims()) + ":" + string(b)
}

// index returns the small constants of g: its initializers, which
// Constant nodes may then read.
func (s *state) smallConstsOf(g *onnxgraph.Graph) smallConsts {
	out := smallConsts{}
	for _, v := range g.Initializers() {
		if t, ok := s.constOf(v); ok && !v.IsGraphOutput() {
			if k := constKey(t); k != "" && out[k] == nil {
				out[k] = v
			}
		}
	}
	return out
}

// constantToInit turns a Constant node into an initializer of the same
// name, where the graph holds initializers; a small one equal to a
// constant seen before becomes a reader of it instead.
func (s *state) constantToInit(e *editor, n *onnxgraph.Node, small smallConsts) {
	if s.constNodes(e.g) || n.NumOutputs() != 1 || n.Output(0) == nil {
		return
	}
	t, err := constantValue(n)
	if err != nil || t == nil {
		return
	}
	v := n.Output(0)
	k := constKey(t)
	if w := small[k]; k != "" && w != nil && !v.IsGraphOutput() {
		e.replace(v, w)
		e.kill(n)
		return
	}
	if t, err = renamed(t, v.Name()); err != nil {
		return // external data: stays a Constant
	}
	e.constant(v, t)
	e.kill(n)
	if k != "" && !v.IsGraphOutput() {
		small[k] = v // an initializer once flushed; its readers follow
	}
}

// evaluate computes node n of g from constant inputs, within the fold
// limit. It returns the outputs, or why n stays.
func (s *state) evaluate(g *onnxgraph.Graph, n *onnxgraph.Node, ins []*onnxgraph.Tensor) ([]*onnxgraph.Tensor, string) {
	if inFunction(g) {
		fv, ok1 := s.opset(g, n.Domain())
		mv, ok2 := s.opset(s.m.Graph(), n.Domain())
		if !ok1 || !ok2 || fv != mv {
			return nil, fmt.Sprintf("the function imports opset %d of %q, the model %d: not evaluated", fv, n.Domain(), mv)
		}
	}
	// Bytes the fold frees: constant inputs only n reads. Each of v's
	// uses is one input slot of a node, so n is v's only reader when v
	// has as many uses as n has slots reading it.
	var freed, maxIn int64
	for i := range n.NumInputs() {
		v := n.Input(i)
		if v == nil || indexOfValue(n, v) != i {
			continue // missing, or counted at its first slot
		}
		t := ins[i]
		maxIn = max(maxIn, onnxgraph.NumElements(t.Dims()))
		own := 0
		for j := i; j < n.NumInputs(); j++ {
			if n.Input(j) == v {
				own++
			}
		}
		if own == v.NumUses() && !v.IsGraphOutput() {
			freed += max(t.NumBytes(), 0)
		}
	}
	allowed := max(s.c.maxFold, freed)
	var want int64
	sized := true
	for _, v := range n.Outputs() {
		if v == nil {
			continue
		}
		b, ok := sizeOf(s.typeOf(v))
		if !ok {
			sized = false
			break
		}
		want += b
	}
	if sized && want > allowed {
		return nil, fmt.Sprintf("result of %s over the fold limit of %s", onnxgraph.FormatBytes(want), onnxgraph.FormatBytes(s.c.maxFold))
	}
	limit := max(eval.DefaultMaxElements, maxIn)
	if sized {
		limit = max(limit, want)
	}
	outs, err := eval.EvalNode(n, ins, &eval.Options{MaxElements: limit})
	if err != nil {
		return nil, evalReason(err)
	}
	var got int64
	for i, t := range outs {
		v := n.Output(i)
		if v == nil {
			continue
		}
		if t == nil {
			return nil, fmt.Sprintf("output %d not computed", i)
		}
		if !s.canHold(g, t.DataType()) {
			return nil, "a Constant of this opset cannot hold " + onnxgraph.DataTypeName(t.DataType())
		}
		got += max(t.NumBytes(), 0)
	}
	if got > allowed {
		return nil, fmt.Sprintf("result of %s over the fold limit of %s", onnxgraph.FormatBytes(got), onnxgraph.FormatBytes(s.c.maxFold))
	}
	return outs, ""
}

// indexOfValue returns the first input slot of n that reads v, or -1.
func indexOfValue(n *onnxgraph.Node, v *onnxgraph.Value) int {
	for i, x := range n.AllInputs() {
		if x == v {
			return i
		}
	}
	return -1
}

// evalReason says why the evaluator did not compute a node.
func evalReason(err error) string {
	var ne *eval.NodeError
	msg := err.Error()
	if errors.As(err, &ne) {
		msg = ne.Err.Error()
	}
	if len(msg) > 6 && msg[:6] == "eval: " {
		msg = msg[6:]
	}
	switch {
	case errors.Is(err, eval.ErrNotImplemented):
		return "evaluator: " + msg
	case errors.Is(err, eval.ErrTooLarge):
		return "too large to evaluate: " + msg
	}
	return "kernel error: " + msg
}
