package main

import (
	"fmt"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
)

// inferCmd infers every value's type and shape and saves the model with
// them (ssi4onnx). The edit is shapeinfer's script step, which --record
// appends to a script.
func inferCmd(c *cmd) {
	strict := c.flags.Bool("strict", false, "fail on any inconsistency (a conflict with a declared type, inputs that do not fit), on any value left without a complete type and on any node without inference; nothing is saved then")
	checkOnly := c.flags.Bool("check-only", false, "keep declared types; only check them and fill undeclared ones")
	var inputs []string
	c.flags.StringArrayVar(&inputs, "input", nil, "fix an input's shape for inference and in the saved model: name=1,3,H,W (repeatable; a name that is not a number is a symbolic dim)")
	step := &shapeinfer.ScriptStep{}
	c.before(func() error {
		step.Strict, step.CheckOnly = *strict, *checkOnly
		var err error
		step.Input, _, err = namedDims("input", inputs)
		return err
	})
	c.edit(func(m *onnxgraph.Model) (*report, error) {
		res, err := step.Apply(m)
		if err != nil {
			return nil, err
		}
		return inferenceReport(m, res.(*shapeinfer.Result)), nil
	})
	c.records(func() onnxgraph.StepArgs { return step })
}

// inferred is infer's report.
type inferred struct {
	Complete   int             `json:"complete"` // node outputs with a complete type
	Total      int             `json:"total"`    // node outputs
	Outputs    []inferredValue `json:"outputs"`
	Incomplete []inferredValue `json:"incomplete,omitempty"` // the first 50
	Conflicts  []string        `json:"conflicts,omitempty"`
	Problems   []string        `json:"problems,omitempty"`
}

type inferredValue struct {
	Name string `json:"name"`
	Type string `json:"type"`
	Why  string `json:"why,omitempty"`
}

func inferenceReport(m *onnxgraph.Model, res *shapeinfer.Result) *report {
	r := &inferred{}
	m.Graph().Walk(func(g *onnxgraph.Graph) bool {
		for _, n := range g.Nodes() {
			for _, v := range n.Outputs() {
				if v == nil {
					continue
				}
				r.Total++
				if res.Type(v).Complete() {
					r.Complete++
				} else if len(r.Incomplete) < 50 {
					r.Incomplete = append(r.Incomplete, inferredValue{v.Name(), fmt.Sprint(res.Type(v)), fmt.Sprint(res.Explain(v))})
				}
			}
		}
		return true
	})
	for _, o := range m.Graph().Outputs() {
		r.Outputs = append(r.Outputs, inferredValue{Name: o.Name(), Type: fmt.Sprint(res.Type(o))})
	}
	for _, c := range res.Conflicts {
		r.Conflicts = append(r.Conflicts, c.Error())
	}
	for _, p := range res.Problems {
		r.Problems = append(r.Problems, p.Error())
	}
	return reportOf(r, func(p *printer) {
		p.line("%d of %d node outputs have a complete type", r.Complete, r.Total)
		for _, o := range r.Outputs {
			p.line("output %s: %s", o.Name, o.Type)
		}
		if len(r.Incomplete) > 0 {
			p.line("incomplete:")
			for _, v := range r.Incomplete {
				p.line("  %s: %s: %s", v.Name, v.Type, v.Why)
			}
		}
		for _, c := range r.Conflicts {
			p.line("conflict: %s", c)
		}
		for _, s := range r.Problems {
			p.line("problem: %s", s)
		}
	})
}
