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
		name:    "set-batch",
		summary: "set dim 0 of inputs and outputs to a size or a name, rewriting constants that encode it (sbi4onnx)",
		usage:   "IN OUT",
		flags: func(fs *flag.FlagSet) func([]string, io.Writer, io.Writer) error {
			batch := fs.String("batch", "", "the batch: a size (8) or a name (N, batch)")
			inputsOnly := fs.Bool("inputs-only", false, "leave the outputs' declarations as they are")
			ins := fs.String("inputs", "", "comma-separated inputs whose dim 0 is the batch (default: every input with the first input's dim 0)")
			outs := fs.String("outputs", "", "comma-separated outputs to change (default: every output whose dim 0 is the old batch)")
			keep := fs.Bool("keep-value-info", false, "keep the recorded shapes of intermediate values")
			ck := shapeCheckFlags(fs)
			return func(args []string, out, errOut io.Writer) error {
				if len(args) != 2 {
					return usageErr("set-batch needs IN and OUT")
				}
				if *batch == "" {
					return usageErr("set-batch needs --batch")
				}
				ds, err := onnxgraph.ParseDims(*batch)
				if err != nil || len(ds) != 1 {
					return usageErr("--batch %q is not one size or name", *batch)
				}
				if *inputsOnly && *outs != "" {
					return usageErr("--inputs-only and --outputs exclude each other")
				}
				m, err := onnxgraph.Open(args[0], nil)
				if err != nil {
					return err
				}
				defer m.Close()
				opts := &onnxgraph.SetBatchOptions{InputsOnly: *inputsOnly, KeepValueInfo: *keep, Check: ck.check(errOut), TypeOf: inferredTypes()}
				if *ins != "" {
					opts.Inputs = strings.Split(*ins, ",")
				}
				if *outs != "" {
					opts.Outputs = strings.Split(*outs, ",")
				}
				var r onnxgraph.SetBatchReport
				if err := m.SetBatch(ds[0], opts, &r).Save(args[1]); err != nil {
					return err
				}
				fmt.Fprintf(out, "batch %v -> %v: inputs %s; outputs %s\n", r.OldBatch, ds[0], namesOrNone(r.Inputs), namesOrNone(r.Outputs))
				for _, c := range r.Constants {
					fmt.Fprintln(out, "rewrote", c)
				}
				for _, c := range r.Unsound {
					fmt.Fprintln(out, "left (check it):", c)
				}
				for _, c := range r.Inferred {
					fmt.Fprintln(out, "output changed:", c)
				}
				for _, c := range r.Skipped {
					fmt.Fprintln(out, "output left:", c)
				}
				return nil
			}
		},
	})
}

func namesOrNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}
