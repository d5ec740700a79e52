package main

import (
	"maps"

	"github.com/onnxgraph/onnxgraph"
)

// setDimsCmd sets or names the dims of graph inputs and outputs (sio4onnx).
func setDimsCmd(c *cmd) {
	var inputs, outputs []string
	c.flags.StringArrayVar(&inputs, "input", nil, "an input's dims: name=1,3,H,W (sizes, names, ? for unknown); repeatable")
	c.flags.StringArrayVar(&outputs, "output", nil, "an output's dims: name=N,1000; repeatable")
	keep := c.flags.Bool("keep-value-info", false, "keep the recorded shapes of intermediate values")
	ck := c.shapeCheckFlags()
	dims := map[string][]onnxgraph.Dim{}
	var inText, outText map[string]string // as given, for the record
	c.before(func() error {
		if len(inputs)+len(outputs) == 0 {
			return usageErr("set-dims needs --input or --output")
		}
		var in, out map[string][]onnxgraph.Dim
		var err error
		if inText, in, err = namedDims("input", inputs); err != nil {
			return err
		}
		if outText, out, err = namedDims("output", outputs); err != nil {
			return err
		}
		maps.Copy(dims, in)
		maps.Copy(dims, out)
		return nil
	})
	c.edit(func(m *onnxgraph.Model) (*report, error) {
		// Names given as --input must be inputs, --output outputs.
		step := &onnxgraph.SetDimsStep{Input: inText, Output: outText}
		if err := step.CheckNames(m); err != nil {
			return nil, err
		}
		var r onnxgraph.SetDimsReport
		m.SetDims(dims, &onnxgraph.SetDimsOptions{KeepValueInfo: *keep, Check: ck.check()}, &r)
		return reportOf(&r, func(p *printer) {
			for _, s := range r.Changed {
				p.line("%s", s)
			}
			if len(r.Cleared) > 0 {
				p.line("cleared the recorded shapes of %d intermediate values", len(r.Cleared))
			}
		}), nil
	})
	c.records(func() onnxgraph.StepArgs {
		return &onnxgraph.SetDimsStep{Input: inText, Output: outText, KeepValueInfo: *keep}
	})
}
