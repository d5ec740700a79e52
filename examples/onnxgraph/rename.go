package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/onnxgraph/onnxgraph"
)

func init() {
	register(&command{
		name:    "rename",
		summary: "rename nodes and values by literal exact, partial, prefix or suffix match (sor4onnx)",
		usage:   "IN OUT",
		flags: func(fs *flag.FlagSet) func([]string, io.Writer, io.Writer) error {
			from := fs.String("from", "", "the literal text to look for (no regular expressions)")
			to := fs.String("to", "", "the replacement")
			mode := fs.String("mode", "exact", "exact (whole name), partial (every occurrence), prefix or suffix")
			scope := fs.String("scope", "all", "all, nodes, values, inputs (graph inputs) or outputs (graph outputs)")
			funcs := fs.Bool("functions", false, "also rename inside model-local functions")
			verbose := fs.Bool("v", false, "list every renamed name")
			return func(args []string, out, _ io.Writer) error {
				if len(args) != 2 {
					return usageErr("rename needs IN and OUT")
				}
				if *from == "" {
					return usageErr("rename needs --from")
				}
				md, err := onnxgraph.ParseRenameMode(*mode)
				if err != nil {
					return usageErr("%v", err)
				}
				sc, err := onnxgraph.ParseRenameScope(*scope)
				if err != nil {
					return usageErr("%v", err)
				}
				m, err := onnxgraph.Open(args[0], nil)
				if err != nil {
					return err
				}
				defer m.Close()
				var r onnxgraph.RenameReport
				if err := m.Rename(*from, *to, &onnxgraph.RenameOptions{Mode: md, Scope: sc, Functions: *funcs}, &r).Save(args[1]); err != nil {
					return err
				}
				fmt.Fprintf(out, "renamed %d nodes and %d values\n", len(r.Nodes), len(r.Values))
				if *verbose {
					for _, x := range r.Nodes {
						fmt.Fprintf(out, "  node  %s -> %s\n", x.Old, x.New)
					}
					for _, x := range r.Values {
						fmt.Fprintf(out, "  value %s -> %s\n", x.Old, x.New)
					}
				}
				return nil
			}
		},
	})
}
