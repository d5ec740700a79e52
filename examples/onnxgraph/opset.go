package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/onnxgraph/onnxgraph"
)

func init() {
	register(&command{
		name:    "set-opset",
		summary: "change the opset version: relabel with a warning per changed operator, or convert nodes (soc4onnx)",
		usage:   "IN OUT",
		flags: func(fs *flag.FlagSet) func([]string, io.Writer, io.Writer) error {
			opset := fs.Int64("opset", 0, "the new version")
			domain := fs.String("domain", "", "the domain (default: the ONNX domain)")
			convert := fs.Bool("convert", false, "rewrite nodes whose operator changed so they compute the same (an operator that cannot be converted is an error)")
			verbose := fs.Bool("v", false, "list every converted node")
			return func(args []string, out, errOut io.Writer) error {
				if len(args) != 2 {
					return usageErr("set-opset needs IN and OUT")
				}
				if *opset <= 0 {
					return usageErr("set-opset needs --opset")
				}
				m, err := onnxgraph.Open(args[0], nil)
				if err != nil {
					return err
				}
				defer m.Close()
				opts := &onnxgraph.SetOpsetOptions{Convert: *convert}
				if *convert {
					opts.TypeOf = typesFromInference(m)
				}
				var r onnxgraph.SetOpsetReport
				if err := m.SetOpset(*domain, *opset, opts, &r).Save(args[1]); err != nil {
					return err
				}
				fmt.Fprintf(out, "%s: opset %d -> %d", r.Domain, r.From, r.To)
				if r.IRTo != r.IRFrom {
					fmt.Fprintf(out, ", ir_version %d -> %d", r.IRFrom, r.IRTo)
				}
				fmt.Fprintln(out)
				if *convert {
					fmt.Fprintf(out, "%d nodes converted, %d relabeled\n", len(r.Converted), r.Relabeled)
					if *verbose {
						for _, c := range r.Converted {
							fmt.Fprintln(out, "  "+c)
						}
					}
				}
				for _, w := range r.Warnings {
					fmt.Fprintln(errOut, "warning:", w)
				}
				return nil
			}
		},
	})
}
