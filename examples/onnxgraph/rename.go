package main

import (
	"github.com/onnxgraph/onnxgraph"
)

// renameCmd renames nodes and values (sor4onnx), or adds a prefix or
// suffix to every name in scope.
func renameCmd(c *cmd) {
	from := c.flags.String("from", "", "the literal text to look for (no regular expressions)")
	to := c.flags.String("to", "", "the replacement")
	var mode, scope string
	c.flags.StringVar(&mode, "mode", "exact", "exact (whole name), partial (every occurrence), prefix or suffix")
	c.complete("mode", "exact", "partial", "prefix", "suffix")
	addPrefix := c.flags.String("add-prefix", "", "add this text in front of every name in scope (instead of --from and --to)")
	addSuffix := c.flags.String("add-suffix", "", "add this text after every name in scope (instead of --from and --to)")
	c.flags.StringVar(&scope, "scope", "all", "what to rename: all, nodes, values, inputs (graph inputs) or outputs (graph outputs)")
	c.complete("scope", "all", "nodes", "values", "inputs", "outputs")
	funcs := c.flags.Bool("functions", false, "also rename inside model-local functions")
	var search, replace string
	opts := &onnxgraph.RenameOptions{}
	c.before(func() (err error) {
		adds := 0
		for _, s := range []string{*addPrefix, *addSuffix} {
			if s != "" {
				adds++
			}
		}
		switch {
		case adds > 1:
			return usageErr("--add-prefix and --add-suffix exclude each other: run rename twice")
		case adds == 1 && (*from != "" || *to != "" || c.flags.Changed("mode")):
			return usageErr("--add-prefix and --add-suffix replace --from, --to and --mode")
		case *addPrefix != "":
			// An empty search string at the front of every name.
			opts.Mode, replace = onnxgraph.RenamePrefix, *addPrefix
		case *addSuffix != "":
			opts.Mode, replace = onnxgraph.RenameSuffix, *addSuffix
		case *from == "":
			return usageErr("rename needs --from (or --add-prefix or --add-suffix)")
		default:
			search, replace = *from, *to
			if opts.Mode, err = onnxgraph.ParseRenameMode(mode); err != nil {
				return usageErr("%v", err)
			}
		}
		if opts.Scope, err = onnxgraph.ParseRenameScope(scope); err != nil {
			return usageErr("%v", err)
		}
		opts.Functions = *funcs
		return nil
	})
	c.edit(func(m *onnxgraph.Model) (*report, error) {
		var r onnxgraph.RenameReport
		m.Rename(search, replace, opts, &r)
		return reportOf(&r, func(p *printer) {
			p.line("renamed %d nodes and %d values", len(r.Nodes), len(r.Values))
			if c.verbose(1) {
				for _, x := range r.Nodes {
					p.line("  node  %s -> %s", x.Old, x.New)
				}
				for _, x := range r.Values {
					p.line("  value %s -> %s", x.Old, x.New)
				}
			}
		}), nil
	})
	c.records(func() onnxgraph.StepArgs {
		return &onnxgraph.RenameStep{From: search, To: replace, Mode: opts.Mode.String(), Scope: opts.Scope.String(), Functions: opts.Functions}
	})
}
