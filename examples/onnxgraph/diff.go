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
		name:    "diff",
		summary: "list what B adds, removes, changes and renames of A; exit 0 when equal, 1 when different, 2 on error",
		usage:   "A B",
		flags: func(fs *flag.FlagSet) func([]string, io.Writer, io.Writer) error {
			asJSON := fs.Bool("json", false, "print the differences as JSON")
			skipData := fs.Bool("skip-data", false, "compare weights by type and shape only, reading no tensor data")
			return func(args []string, out, _ io.Writer) error {
				if len(args) != 2 {
					return usageErr("diff needs A and B")
				}
				var ms [2]*onnxgraph.Model
				for i, p := range args {
					// External files are opened only if their data must be compared.
					m, err := onnxgraph.Open(p, &onnxgraph.LoadOptions{SkipExternalCheck: true})
					if err != nil {
						return &exitCode{2, err}
					}
					defer m.Close()
					ms[i] = m
				}
				d, err := onnxgraph.Diff(ms[0], ms[1], &onnxgraph.DiffOptions{SkipData: *skipData})
				if err != nil {
					return &exitCode{2, err}
				}
				if *asJSON {
					b, err := json.MarshalIndent(struct {
						A     string `json:"a"`
						B     string `json:"b"`
						Equal bool   `json:"equal"`
						*onnxgraph.ModelDiff
					}{args[0], args[1], d.Equal(), d}, "", "  ")
					if err != nil {
						return &exitCode{2, err}
					}
					fmt.Fprintf(out, "%s\n", b)
				} else if !d.Equal() {
					fmt.Fprintf(out, "--- %s\n+++ %s\n%s", args[0], args[1], d)
				}
				if !d.Equal() {
					return &exitCode{1, nil}
				}
				return nil
			}
		},
	})
}
