package main

import (
	"github.com/onnxgraph/onnxgraph"
)

// nameNodesCmd gives unnamed nodes names (sng4onnx).
func nameNodesCmd(c *cmd) {
	prefix := c.flags.String("prefix", "", "text to start every new name with")
	skipFuncs := c.flags.Bool("skip-functions", false, "leave model-local functions alone")
	c.edit(func(m *onnxgraph.Model) (*report, error) {
		var r onnxgraph.NameNodesReport
		m.NameNodes(&onnxgraph.NameNodesOptions{Prefix: *prefix, SkipFunctions: *skipFuncs}, &r)
		return reportOf(&r, func(p *printer) {
			p.line("named %d nodes", len(r.Named))
		}), nil
	})
	c.records(func() onnxgraph.StepArgs {
		return &onnxgraph.NameNodesStep{Prefix: *prefix, SkipFunctions: *skipFuncs}
	})
}

// stripDocsCmd erases doc strings (sde4onnx).
func stripDocsCmd(c *cmd) {
	only := c.flags.String("only", "all", "which doc strings: a comma-separated list of model, graphs, nodes, values, all")
	var kinds onnxgraph.DocKind
	c.before(func() (err error) {
		if kinds, err = onnxgraph.ParseDocKinds(*only); err != nil {
			return usageErr("%v", err)
		}
		return nil
	})
	c.edit(func(m *onnxgraph.Model) (*report, error) {
		var r onnxgraph.StripDocsReport
		m.StripDocs(&onnxgraph.StripDocsOptions{Kinds: kinds}, &r)
		return reportOf(&r, func(p *printer) {
			p.line("erased %d doc strings (model %d, graphs %d, nodes %d, values %d), %d bytes",
				r.Model+r.Graphs+r.Nodes+r.Values, r.Model, r.Graphs, r.Nodes, r.Values, r.Bytes)
		}), nil
	})
	c.records(func() onnxgraph.StepArgs { return &onnxgraph.StripDocsStep{Only: *only} })
}
