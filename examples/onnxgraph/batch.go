package main

import (
	"strings"

	"github.com/onnxgraph/onnxgraph"
)

// setBatchCmd sets dim 0 of inputs and outputs (sbi4onnx).
func setBatchCmd(c *cmd) {
	batch := c.flags.String("batch", "", "the batch: a size (8) or a name (N, batch)")
	inputsOnly := c.flags.Bool("inputs-only", false, "leave the outputs' declarations as they are")
	ins := c.flags.String("inputs", "", "comma-separated inputs whose dim 0 is the batch (default: every input with the first input's dim 0)")
	outs := c.flags.String("outputs", "", "comma-separated outputs to change (default: every output whose dim 0 is the old batch)")
	keep := c.flags.Bool("keep-value-info", false, "keep the recorded shapes of intermediate values")
	ck := c.shapeCheckFlags()
	c.needsTypes(nil)
	var dim onnxgraph.Dim
	c.require("batch")
	c.before(func() error {
		ds, err := onnxgraph.ParseDims(*batch)
		if err != nil || len(ds) != 1 {
			return usageErr("--batch %q is not one size or name", *batch)
		}
		if *inputsOnly && *outs != "" {
			return usageErr("--inputs-only and --outputs exclude each other")
		}
		dim = ds[0]
		return nil
	})
	c.edit(func(m *onnxgraph.Model) (*report, error) {
		opts := &onnxgraph.SetBatchOptions{InputsOnly: *inputsOnly, KeepValueInfo: *keep, Check: ck.check()}
		if *ins != "" {
			opts.Inputs = strings.Split(*ins, ",")
		}
		if *outs != "" {
			opts.Outputs = strings.Split(*outs, ",")
		}
		var r onnxgraph.SetBatchReport
		m.SetBatch(dim, opts, &r)
		return reportOf(&r, func(p *printer) {
			p.line("batch %v -> %v: inputs %s; outputs %s", r.OldBatch, dim, namesOrNone(r.Inputs), namesOrNone(r.Outputs))
			for _, s := range r.Constants {
				p.line("rewrote %s", s)
			}
			for _, s := range r.Unsound {
				p.line("left (check it): %s", s)
			}
			for _, s := range r.Inferred {
				p.line("output changed: %s", s)
			}
			for _, s := range r.Skipped {
				p.line("output left: %s", s)
			}
		}), nil
	})
	c.records(func() onnxgraph.StepArgs {
		st := &onnxgraph.SetBatchStep{Batch: *batch, InputsOnly: *inputsOnly, KeepValueInfo: *keep}
		if *ins != "" {
			st.Inputs = strings.Split(*ins, ",")
		}
		if *outs != "" {
			st.Outputs = strings.Split(*outs, ",")
		}
		return st
	})
}
