package main

import (
	"strings"

	"github.com/onnxgraph/onnxgraph"
)

// diffResult is what diff reports: the two models' names and how B
// differs from A.
type diffResult struct {
	A     string `json:"a"`
	B     string `json:"b"`
	Equal bool   `json:"equal"`
	*onnxgraph.ModelDiff
}

// diffCmd lists what model B adds, removes, changes and renames of A.
func diffCmd(c *cmd) {
	skipData := c.flags.Bool("skip-data", false, "compare weights by type and shape only, reading no tensor data")
	c.readsModels()
	// External files are opened only when their data must be compared.
	c.load.SkipExternalCheck = true
	c.do(2, 2, func(args []string) (*report, error) {
		var ms [2]*onnxgraph.Model
		for i, arg := range args {
			m, err := c.open(arg)
			if err != nil {
				return nil, &exitCode{2, err}
			}
			ms[i] = m
		}
		d, err := onnxgraph.Diff(ms[0], ms[1], &onnxgraph.DiffOptions{SkipData: *skipData})
		if err != nil {
			return nil, &exitCode{2, err}
		}
		res := &diffResult{A: label(args[0]), B: label(args[1]), Equal: d.Equal(), ModelDiff: d}
		r := reportOf(res, func(p *printer) {
			if res.Equal {
				return
			}
			p.line("--- %s", res.A)
			p.line("+++ %s", res.B)
			for _, l := range strings.Split(strings.TrimSuffix(d.String(), "\n"), "\n") {
				p.line("%s", l)
			}
		})
		if !res.Equal {
			return r, &exitCode{1, nil} // like diff: 1 when the models differ
		}
		return r, nil
	})
}
