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
		name:    "extract",
		summary: "keep the part of a model between boundary tensors (sne4onnx): the nodes computing --outputs from --inputs",
		usage:   "IN OUT",
		flags: func(fs *flag.FlagSet) func([]string, io.Writer, io.Writer) error {
			inputs := fs.String("inputs", "", "tensors where the part starts, comma separated: they become its inputs")
			outputs := fs.String("outputs", "", "tensors the part computes, comma separated: they become its only outputs")
			addMissing := fs.Bool("add-missing-inputs", false, "make every other tensor the outputs need (an original input not listed, say) an input too")
			noInfer := fs.Bool("no-infer", false, "declare only the types the model declares (by default shape inference fills the rest)")
			ext := externalFlag(fs)
			return func(args []string, out, _ io.Writer) error {
				if len(args) != 2 {
					return usageErr("extract needs IN and OUT")
				}
				opts := &onnxgraph.ExtractOptions{Inputs: splitList(*inputs), Outputs: splitList(*outputs), AddMissingInputs: *addMissing}
				if len(opts.Outputs) == 0 {
					return usageErr("extract needs --outputs")
				}
				if !*noInfer {
					opts.TypeOf = inferredTypes()
				}
				m, err := onnxgraph.Open(args[0], nil)
				if err != nil {
					return err
				}
				defer m.Close()
				var r onnxgraph.ExtractReport
				if err := m.Extract(opts, &r).SaveWith(args[1], ext()); err != nil {
					return err
				}
				fmt.Fprintf(out, "kept %d nodes and %d initializers, left out %d nodes\n", r.Nodes, r.Initializers, r.Dropped)
				printValues(out, "input", r.Inputs)
				printValues(out, "output", r.Outputs)
				if len(r.Added) > 0 {
					fmt.Fprintf(out, "added as inputs (needed, not listed): %s\n", strings.Join(r.Added, ", "))
				}
				if len(r.Unused) > 0 {
					fmt.Fprintf(out, "inputs no output needs: %s\n", strings.Join(r.Unused, ", "))
				}
				for _, s := range r.Renamed {
					fmt.Fprintf(out, "renamed the kept copy of an input: %s\n", s)
				}
				if len(r.DroppedFunctions) > 0 {
					fmt.Fprintf(out, "dropped unused functions: %s\n", strings.Join(r.DroppedFunctions, ", "))
				}
				if r.DroppedTrainingInfo {
					fmt.Fprintln(out, "dropped training_info")
				}
				warnTypes(out, r.NoType, r.NoShape)
				return nil
			}
		},
	})
}
