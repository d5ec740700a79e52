package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/onnxgraph/onnxgraph"
)

func init() {
	register(&command{
		name:    "check",
		summary: "validate a model against the ONNX specification: print \"valid\" (exit 0) or the problems (exit 1)",
		usage:   "MODEL",
		flags: func(fs *flag.FlagSet) func([]string, io.Writer, io.Writer) error {
			asJSON := fs.Bool("json", false, "print the report as JSON")
			custom := fs.Bool("custom-errors", false, "report operators of unknown custom domains as errors, not notes")
			maxProblems := fs.Int("max", 0, "record at most this many problems (0: all)")
			return func(args []string, out, _ io.Writer) error {
				if len(args) != 1 {
					return usageErr("check needs one MODEL")
				}
				// Missing external files become problems rather than a
				// failure to load.
				m, err := onnxgraph.Open(args[0], &onnxgraph.LoadOptions{SkipExternalCheck: true})
				if err != nil {
					return err
				}
				defer m.Close()
				r := m.Validate(&onnxgraph.CheckOptions{CustomDomainErrors: *custom, MaxProblems: *maxProblems})
				if *asJSON {
					enc := json.NewEncoder(out)
					enc.SetIndent("", "  ")
					if err := enc.Encode(r); err != nil {
						return err
					}
				} else {
					fmt.Fprint(out, r)
				}
				if !r.Valid() {
					return &exitCode{code: 1, err: fmt.Errorf("onnxgraph: %s is invalid: %d error(s)", args[0], r.Errors)}
				}
				return nil
			}
		},
	})
}
