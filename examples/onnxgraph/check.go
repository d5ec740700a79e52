package main

import (
	"fmt"
	"strings"

	"github.com/onnxgraph/onnxgraph"
)

// checkCmd validates a model against the ONNX specification.
func checkCmd(c *cmd) {
	custom := c.flags.Bool("custom-errors", false, "report operators of unknown custom domains as errors, not notes")
	maxProblems := c.flags.Int("max", 0, "record at most this many problems (0: all)")
	c.readsModels()
	// Missing external files become problems rather than a failure to
	// load.
	c.load.SkipExternalCheck = true
	c.do(1, 1, func(args []string) (*report, error) {
		m, err := c.open(args[0])
		if err != nil {
			return nil, err
		}
		r := m.Validate(&onnxgraph.CheckOptions{CustomDomainErrors: *custom, MaxProblems: *maxProblems})
		rep := reportOf(r, func(p *printer) {
			// The report's text, a problem a line: the verdict first.
			p.line("%s", strings.SplitN(r.String(), "\n", 2)[0])
			for i := range r.Problems {
				p.line("%s", r.Problems[i].String())
			}
			if r.Truncated > 0 {
				p.line("... %d more problem(s) not recorded", r.Truncated)
			}
		})
		if !r.Valid() {
			return rep, fmt.Errorf("%s is invalid: %d error(s)", label(args[0]), r.Errors)
		}
		return rep, nil
	})
}
