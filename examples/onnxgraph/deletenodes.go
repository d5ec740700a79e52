package main

import (
	"strings"

	"github.com/onnxgraph/onnxgraph"
)

// deleteNodesCmd deletes nodes and reconnects their readers (snd4onnx).
func deleteNodesCmd(c *cmd) {
	names := c.flags.String("names", "", "nodes to delete, comma separated")
	var maps []string
	c.flags.StringArrayVar(&maps, "map", nil, "for a node that is not a plain pass-through, which input replaces which output: NODE:OUTPUT=INPUT (repeatable, or a comma list)")
	relax := c.flags.Bool("relax-shapes", false, "accept a replacement whose shape differs (element types must match)")
	c.needsTypes(nil)
	opts := &onnxgraph.DeleteNodesOptions{}
	c.require("names")
	c.before(func() error {
		opts.Names, opts.RelaxShapes = splitList(*names), *relax
		for _, spec := range maps {
			for _, item := range splitList(spec) {
				node, rest, ok1 := cutLast(item, ":")
				output, input, ok2 := strings.Cut(rest, "=")
				if !ok1 || !ok2 || node == "" || output == "" || input == "" {
					return usageErr("--map %q is not NODE:OUTPUT=INPUT", item)
				}
				if opts.Replace == nil {
					opts.Replace = map[string]map[string]string{}
				}
				if opts.Replace[node] == nil {
					opts.Replace[node] = map[string]string{}
				}
				opts.Replace[node][output] = input
			}
		}
		return nil
	})
	c.edit(func(m *onnxgraph.Model) (*report, error) {
		var r onnxgraph.DeleteNodesReport
		m.DeleteNodes(opts, &r)
		return reportOf(&r, func(p *printer) {
			p.line("deleted %s", capJoin(r.Deleted, 50))
			for _, s := range r.Rewired {
				p.line("readers of %s", s)
			}
			for _, s := range r.Outputs {
				p.line("graph output %s", s)
			}
			printPruned(p, r.Pruned)
		}), nil
	})
	c.records(func() onnxgraph.StepArgs {
		return &onnxgraph.DeleteNodesStep{Names: opts.Names, Map: opts.Replace, RelaxShapes: opts.RelaxShapes}
	})
}
