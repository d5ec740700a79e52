package main

import (
	"github.com/onnxgraph/onnxgraph"
)

// extractCmd keeps the part of a model between boundary tensors
// (sne4onnx).
func extractCmd(c *cmd) {
	inputs := c.flags.String("inputs", "", "tensors where the part starts, comma separated: they become its inputs")
	outputs := c.flags.String("outputs", "", "tensors the part computes, comma separated: they become its only outputs")
	addMissing := c.flags.Bool("add-missing-inputs", false, "make every other tensor the outputs need (an original input not listed, say) an input too")
	untyped := c.flags.Bool("allow-untyped", false, "keep boundary tensors whose type or shape is unknown (checkers will refuse the model)")
	c.needsTypes(nil)
	c.require("outputs")
	c.edit(func(m *onnxgraph.Model) (*report, error) {
		var r onnxgraph.ExtractReport
		m.Extract(&onnxgraph.ExtractOptions{Inputs: splitList(*inputs), Outputs: splitList(*outputs), AddMissingInputs: *addMissing, AllowUntyped: *untyped}, &r)
		return reportOf(&r, func(p *printer) {
			p.line("kept %d nodes and %d initializers, left out %d nodes", r.Nodes, r.Initializers, r.Dropped)
			printValues(p, "input", r.Inputs)
			printValues(p, "output", r.Outputs)
			if len(r.Added) > 0 {
				p.line("added as inputs (needed, not listed): %s", capJoin(r.Added, 50))
			}
			if len(r.Unused) > 0 {
				p.line("inputs no output needs: %s", capJoin(r.Unused, 50))
			}
			for _, s := range r.Renamed {
				p.line("renamed the kept copy of an input: %s", s)
			}
			if len(r.DroppedFunctions) > 0 {
				p.line("dropped unused functions: %s", capJoin(r.DroppedFunctions, 50))
			}
			if r.DroppedTrainingInfo {
				p.line("dropped training_info")
			}
			warnTypes(p, r.NoType, r.NoShape)
		}), nil
	})
	c.records(func() onnxgraph.StepArgs {
		return &onnxgraph.ExtractStep{Inputs: splitList(*inputs), Outputs: splitList(*outputs), AddMissingInputs: *addMissing, AllowUntyped: *untyped}
	})
}
