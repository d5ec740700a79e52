package main

import (
	"github.com/onnxgraph/onnxgraph"
)

// addOutputsCmd makes tensors graph outputs (soa4onnx).
func addOutputsCmd(c *cmd) {
	names := c.flags.String("names", "", "tensors to make outputs, comma separated")
	untyped := c.flags.Bool("allow-untyped", false, "add outputs whose type or shape is unknown (checkers will refuse the model)")
	c.needsTypes(nil)
	c.require("names")
	c.edit(func(m *onnxgraph.Model) (*report, error) {
		var r onnxgraph.OutputsReport
		m.AddOutputs(&onnxgraph.AddOutputsOptions{Names: splitList(*names), AllowUntyped: *untyped}, &r)
		return reportOf(&r, func(p *printer) {
			printValues(p, "added output", r.Added)
			if len(r.Skipped) > 0 {
				p.line("already outputs: %s", capJoin(r.Skipped, 50))
			}
			warnTypes(p, r.NoType, r.NoShape)
		}), nil
	})
	c.records(func() onnxgraph.StepArgs {
		return &onnxgraph.AddOutputsStep{Names: splitList(*names), AllowUntyped: *untyped}
	})
}

// deleteOutputsCmd removes graph outputs and what only served them
// (sod4onnx).
func deleteOutputsCmd(c *cmd) {
	names := c.flags.String("names", "", "graph outputs to remove, comma separated")
	inputs := c.flags.Bool("prune-inputs", false, "also remove graph inputs that only served them")
	c.require("names")
	c.edit(func(m *onnxgraph.Model) (*report, error) {
		var r onnxgraph.OutputsReport
		m.DeleteOutputs(&onnxgraph.DeleteOutputsOptions{Names: splitList(*names), PruneInputs: *inputs}, &r)
		return reportOf(&r, func(p *printer) {
			p.line("removed outputs %s", capJoin(r.Removed, 50))
			printPruned(p, r.Pruned)
			if len(r.Inputs) > 0 {
				p.line("removed inputs %s", capJoin(r.Inputs, 50))
			}
		}), nil
	})
	c.records(func() onnxgraph.StepArgs {
		return &onnxgraph.DeleteOutputsStep{Names: splitList(*names), PruneInputs: *inputs}
	})
}

// pruneCmd removes dead code.
func pruneCmd(c *cmd) {
	inputs := c.flags.Bool("inputs", false, "also remove graph inputs nothing reads")
	sort := c.flags.Bool("sort", false, "also sort nodes topologically (as the sort command does)")
	c.edit(func(m *onnxgraph.Model) (*report, error) {
		var r onnxgraph.PruneReport
		m.Prune(&onnxgraph.PruneOptions{Inputs: *inputs}, &r)
		if *sort {
			m.TopoSort()
		}
		return reportOf(&r, func(p *printer) {
			p.line("removed %d nodes, %d initializers, %d value_info entries, %d functions, %d inputs",
				len(r.Nodes), len(r.Initializers), len(r.ValueInfo), len(r.Functions), len(r.Inputs))
			for _, l := range [][]string{r.Nodes, r.Initializers, r.ValueInfo, r.Functions, r.Inputs} {
				if len(l) > 0 {
					p.line("  %s", capJoin(l, 20))
				}
			}
		}), nil
	})
	c.records(func() onnxgraph.StepArgs { return &onnxgraph.PruneStep{Inputs: *inputs, Sort: *sort} })
}

// sortCmd sorts the nodes of every graph topologically.
func sortCmd(c *cmd) {
	c.edit(func(m *onnxgraph.Model) (*report, error) {
		var r struct {
			Moved  int `json:"moved"`  // nodes of the main graph at another place
			Graphs int `json:"graphs"` // graphs sorted: the main graph, subgraphs, function bodies
		}
		before := m.Graph().Nodes()
		m.TopoSort()
		for i, n := range m.Graph().Nodes() {
			if before[i] != n {
				r.Moved++
			}
		}
		m.Graph().Walk(func(*onnxgraph.Graph) bool { r.Graphs++; return true })
		for _, f := range m.Functions() {
			f.Body().Walk(func(*onnxgraph.Graph) bool { r.Graphs++; return true })
		}
		return reportOf(&r, func(p *printer) {
			p.line("sorted %d graphs; %d nodes of the main graph moved", r.Graphs, r.Moved)
		}), nil
	})
	c.records(func() onnxgraph.StepArgs { return &onnxgraph.SortStep{} })
}
