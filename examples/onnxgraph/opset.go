package main

import (
	"fmt"

	"github.com/onnxgraph/onnxgraph"
)

// setOpsetCmd changes the opset version (soc4onnx).
func setOpsetCmd(c *cmd) {
	opset := c.flags.Int64("opset", 0, "the new version")
	domain := c.flags.String("domain", "", "the domain (default: the ONNX domain)")
	convert := c.flags.Bool("convert", false, "rewrite nodes whose operator changed so they compute the same (an operator that cannot be converted is an error); -v lists them")
	c.needsTypes(func() bool { return *convert })
	c.require("opset")
	c.edit(func(m *onnxgraph.Model) (*report, error) {
		var r onnxgraph.SetOpsetReport
		m.SetOpset(*domain, *opset, &onnxgraph.SetOpsetOptions{Convert: *convert}, &r)
		if m.Err() == nil {
			for _, w := range r.Warnings {
				c.warn("%s", w)
			}
		}
		return reportOf(&r, func(p *printer) {
			irChange := ""
			if r.IRTo != r.IRFrom {
				irChange = fmt.Sprintf(", ir_version %d -> %d", r.IRFrom, r.IRTo)
			}
			p.line("%s: opset %d -> %d%s", r.Domain, r.From, r.To, irChange)
			if *convert {
				p.line("%d nodes converted, %d relabeled", len(r.Converted), r.Relabeled)
				if c.verbose(1) {
					for _, s := range r.Converted {
						p.line("  %s", s)
					}
				}
			}
		}), nil
	})
	c.records(func() onnxgraph.StepArgs {
		return &onnxgraph.SetOpsetStep{Opset: *opset, Domain: *domain, Convert: *convert}
	})
}
