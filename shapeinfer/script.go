package shapeinfer

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/onnxgraph/onnxgraph"
)

// ErrIncomplete is returned by a strict ScriptStep (the command line's
// infer --strict) when inference leaves a value without a complete type or
// a node without inference.
var ErrIncomplete = errors.New("inference is incomplete")

// ScriptStep is Infer as an operation of an onnxgraph.Script
// ({"op": "infer", ...}), as the command line's infer runs it: the given
// input dims are declared first (onnxgraph's SetDims), then the inferred
// types are written into the model (Options.WriteBack), so that the steps
// after it see them as declared types. Zero values are the defaults.
//
// Strict makes an inconsistency an error (Options.Strict) and also a value
// left without a complete type or a node without inference (ErrIncomplete).
// A failing step leaves the model as it was.
type ScriptStep struct {
	Input     map[string]string `json:"input,omitempty"` // graph input name -> dims as text ("N,3,224,224")
	Strict    bool              `json:"strict,omitempty"`
	CheckOnly bool              `json:"check-only,omitempty"`
}

// ScriptOps returns this package's script operations, for
// onnxgraph.ParseScriptWith (merge it with other packages' tables, such
// as simplify.ScriptOps, to read scripts that use both).
func ScriptOps() map[string]func() onnxgraph.StepArgs {
	return map[string]func() onnxgraph.StepArgs{"infer": func() onnxgraph.StepArgs { return &ScriptStep{} }}
}

// Op returns "infer".
func (*ScriptStep) Op() string { return "infer" }

// dims parses the step's input dims.
func (s *ScriptStep) dims() (map[string][]onnxgraph.Dim, error) {
	d, err := onnxgraph.ParseDimsMap(s.Input)
	if err != nil {
		return nil, fmt.Errorf("shapeinfer: input dims: %w", err)
	}
	return d, nil
}

// Validate checks the input dims.
func (s *ScriptStep) Validate() error {
	_, err := s.dims()
	return err
}

// Apply declares the step's input dims on m (onnxgraph's set-dims step:
// every name in Input must be a graph input of the main graph), infers its
// types and writes them into m, and returns the *Result.
func (s *ScriptStep) Apply(m *onnxgraph.Model) (any, error) {
	if _, err := s.dims(); err != nil {
		return nil, err
	}
	// Inference writes its types back only once it has succeeded, the
	// strict check included: alone, a failure leaves m as it was without
	// the snapshot Atomic takes (a copy of the whole graph).
	var accept func(*Result) error
	if s.Strict {
		accept = (*Result).incompleteErr
	}
	infer := func(m *onnxgraph.Model) (*Result, error) {
		return inferContext(context.Background(), m, &Options{Strict: s.Strict, CheckOnly: s.CheckOnly, WriteBack: true}, accept)
	}
	if len(s.Input) == 0 {
		res, err := infer(m)
		if err != nil {
			return nil, err
		}
		return res, nil
	}
	// Declared input dims change m before inference: undo both on failure.
	var res *Result
	err := m.Atomic(func(m *onnxgraph.Model) error {
		if _, err := (&onnxgraph.SetDimsStep{Input: s.Input}).Apply(m); err != nil {
			return err
		}
		var err error
		res, err = infer(m)
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// incompleteErr is ErrIncomplete with what is left open, counted, the first
// of each named; nil when inference is complete.
func (r *Result) incompleteErr() error {
	vals, nodes := r.Incomplete(), r.NoInference()
	var causes []string
	if len(vals) > 0 {
		causes = append(causes, fmt.Sprintf("%d values left without a complete type (first %q: %v: %v)", len(vals), vals[0].Name(), r.Type(vals[0]), r.Explain(vals[0])))
	}
	if len(nodes) > 0 {
		n := nodes[0]
		label := n.Name()
		if label == "" {
			label = n.OpType()
		}
		causes = append(causes, fmt.Sprintf("%d nodes without inference (first %q, %s of domain %q)", len(nodes), label, n.OpType(), n.Domain()))
	}
	if causes == nil {
		return nil
	}
	return fmt.Errorf("shapeinfer: %w: %s", ErrIncomplete, strings.Join(causes, "; "))
}
