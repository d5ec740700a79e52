package main

import (
	"time"

	"github.com/onnxgraph/onnxgraph"
)

// copyCmd loads a model and saves it again: the output flags (--external
// and its companions) say where its weights go.
func copyCmd(c *cmd) {
	c.edit(func(m *onnxgraph.Model) (*report, error) {
		data := struct {
			In    string     `json:"in"`
			Out   string     `json:"out"`
			Times *stepTimes `json:"times"` // filled in as the runner saves
		}{c.argv[0], c.argv[1], &c.times}
		return reportOf(data, func(p *printer) {
			p.line("copied %s -> %s (load %v, save %v)", label(c.argv[0]), writtenLabel(c.argv[1]), c.times.Load.Round(time.Millisecond), c.times.Save.Round(time.Millisecond))
		}), nil
	})
}
