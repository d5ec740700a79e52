package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/onnxgraph/onnxgraph"
)

func init() {
	register(&command{
		name:    "add-outputs",
		summary: "make tensors graph outputs, with their types (soa4onnx)",
		usage:   "IN OUT",
		flags: func(fs *flag.FlagSet) func([]string, io.Writer, io.Writer) error {
			names := fs.String("names", "", "tensors to make outputs, comma separated")
			noInfer := fs.Bool("no-infer", false, "declare only the types the model declares (by default shape inference fills the rest)")
			ext := externalFlag(fs)
			return func(args []string, out, _ io.Writer) error {
				if len(args) != 2 {
					return usageErr("add-outputs needs IN and OUT")
				}
				opts := &onnxgraph.AddOutputsOptions{Names: splitList(*names)}
				if len(opts.Names) == 0 {
					return usageErr("add-outputs needs --names")
				}
				if !*noInfer {
					opts.TypeOf = inferredTypes()
				}
				m, err := onnxgraph.Open(args[0], nil)
				if err != nil {
					return err
				}
				defer m.Close()
				var r onnxgraph.OutputsReport
				if err := m.AddOutputs(opts, &r).SaveWith(args[1], ext()); err != nil {
					return err
				}
				printValues(out, "added output", r.Added)
				if len(r.Skipped) > 0 {
					fmt.Fprintf(out, "already outputs: %s\n", strings.Join(r.Skipped, ", "))
				}
				warnTypes(out, r.NoType, r.NoShape)
				return nil
			}
		},
	})
	register(&command{
		name:    "delete-outputs",
		summary: "remove graph outputs and everything that only served them (sod4onnx)",
		usage:   "IN OUT",
		flags: func(fs *flag.FlagSet) func([]string, io.Writer, io.Writer) error {
			names := fs.String("names", "", "graph outputs to remove, comma separated")
			inputs := fs.Bool("prune-inputs", false, "also remove graph inputs that only served them")
			ext := externalFlag(fs)
			return func(args []string, out, _ io.Writer) error {
				if len(args) != 2 {
					return usageErr("delete-outputs needs IN and OUT")
				}
				opts := &onnxgraph.DeleteOutputsOptions{Names: splitList(*names), PruneInputs: *inputs}
				if len(opts.Names) == 0 {
					return usageErr("delete-outputs needs --names")
				}
				m, err := onnxgraph.Open(args[0], nil)
				if err != nil {
					return err
				}
				defer m.Close()
				var r onnxgraph.OutputsReport
				if err := m.DeleteOutputs(opts, &r).SaveWith(args[1], ext()); err != nil {
					return err
				}
				fmt.Fprintf(out, "removed outputs %s\n", strings.Join(r.Removed, ", "))
				printPruned(out, r.Pruned)
				if len(r.Inputs) > 0 {
					fmt.Fprintf(out, "removed inputs %s\n", strings.Join(r.Inputs, ", "))
				}
				return nil
			}
		},
	})
	register(&command{
		name:    "prune",
		summary: "remove dead code: unused nodes, initializers, value_info, functions (and inputs with --inputs); optionally sort",
		usage:   "IN OUT",
		flags: func(fs *flag.FlagSet) func([]string, io.Writer, io.Writer) error {
			inputs := fs.Bool("inputs", false, "also remove graph inputs nothing reads")
			sort := fs.Bool("sort", false, "also sort nodes topologically")
			ext := externalFlag(fs)
			return func(args []string, out, _ io.Writer) error {
				if len(args) != 2 {
					return usageErr("prune needs IN and OUT")
				}
				m, err := onnxgraph.Open(args[0], nil)
				if err != nil {
					return err
				}
				defer m.Close()
				var r onnxgraph.PruneReport
				m.Prune(&onnxgraph.PruneOptions{Inputs: *inputs}, &r)
				if *sort {
					m.TopoSort()
				}
				if err := m.SaveWith(args[1], ext()); err != nil {
					return err
				}
				fmt.Fprintf(out, "removed %d nodes, %d initializers, %d value_info entries, %d functions, %d inputs\n",
					len(r.Nodes), len(r.Initializers), len(r.ValueInfo), len(r.Functions), len(r.Inputs))
				for _, l := range [][]string{r.Nodes, r.Initializers, r.ValueInfo, r.Functions, r.Inputs} {
					if len(l) > 0 {
						fmt.Fprintf(out, "  %s\n", capJoin(l, 20))
					}
				}
				return nil
			}
		},
	})
}
