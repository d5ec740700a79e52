package simplify

import (
	"errors"
	"slices"

	"github.com/onnxgraph/onnxgraph"
)

// ScriptStep is Simplify as an operation of an onnxgraph.Script
// ({"op": "simplify", ...}), with the options of the command line's
// simplify: input dims as text ("1,3,224,224"), pass and operator names.
// Zero values are the defaults.
type ScriptStep struct {
	MaxFoldBytes  int64             `json:"max-fold-bytes,omitempty"`
	Input         map[string]string `json:"input,omitempty"`
	SkipPass      []string          `json:"skip-pass,omitempty"`
	SkipOp        []string          `json:"skip-op,omitempty"`
	FoldQDQ       bool              `json:"fold-qdq,omitempty"`
	MaxIterations int               `json:"max-iterations,omitempty"`
}

// ScriptOps returns this package's script operations, for
// onnxgraph.ParseScriptWith:
//
//	s, err := onnxgraph.ParseScriptWith(text, simplify.ScriptOps())
func ScriptOps() map[string]func() onnxgraph.StepArgs {
	return map[string]func() onnxgraph.StepArgs{"simplify": func() onnxgraph.StepArgs { return &ScriptStep{} }}
}

// Op returns "simplify".
func (*ScriptStep) Op() string { return "simplify" }

// options returns the step's Options.
func (s *ScriptStep) options() (*Options, error) {
	o := &Options{MaxFoldBytes: s.MaxFoldBytes, SkipPasses: s.SkipPass, SkipOps: s.SkipOp, FoldQDQ: s.FoldQDQ, MaxIterations: s.MaxIterations}
	dims, err := onnxgraph.ParseDimsMap(s.Input)
	if err != nil {
		name := ""
		if c := (interface{ Culprit() string })(nil); errors.As(err, &c) {
			name = c.Culprit()
		}
		return nil, optionErr("Inputs", name, "%v", err)
	}
	o.Inputs = dims
	return o, nil
}

// Validate checks the options that need no model: input dims, pass names,
// limits.
func (s *ScriptStep) Validate() error {
	if s.MaxIterations < 0 {
		return optionErr("MaxIterations", "", "negative")
	}
	for _, p := range s.SkipPass {
		if !slices.ContainsFunc(passes, func(x Pass) bool { return x.Name == p }) {
			return optionErr("SkipPasses", p, "no such pass")
		}
	}
	_, err := s.options()
	return err
}

// Apply runs Simplify on m and returns its *Report.
func (s *ScriptStep) Apply(m *onnxgraph.Model) (any, error) {
	o, err := s.options()
	if err != nil {
		return nil, err
	}
	return Simplify(m, o)
}
