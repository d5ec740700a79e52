package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/onnxgraph/onnxgraph"
)

func init() {
	register(&command{
		name:    "name-nodes",
		summary: "give unnamed nodes stable, unique names OpType_N, subgraphs and functions included (sng4onnx)",
		usage:   "IN OUT",
		flags: func(fs *flag.FlagSet) func([]string, io.Writer, io.Writer) error {
			prefix := fs.String("prefix", "", "text to start every new name with")
			skipFuncs := fs.Bool("skip-functions", false, "leave model-local functions alone")
			return func(args []string, out, _ io.Writer) error {
				if len(args) != 2 {
					return usageErr("name-nodes needs IN and OUT")
				}
				m, err := onnxgraph.Open(args[0], nil)
				if err != nil {
					return err
				}
				defer m.Close()
				var r onnxgraph.NameNodesReport
				if err := m.NameNodes(&onnxgraph.NameNodesOptions{Prefix: *prefix, SkipFunctions: *skipFuncs}, &r).Save(args[1]); err != nil {
					return err
				}
				fmt.Fprintf(out, "named %d nodes\n", len(r.Named))
				return nil
			}
		},
	})
	register(&command{
		name:    "strip-docs",
		summary: "erase doc strings of the model, graphs, nodes and values (sde4onnx)",
		usage:   "IN OUT",
		flags: func(fs *flag.FlagSet) func([]string, io.Writer, io.Writer) error {
			only := fs.String("only", "all", "which doc strings: a comma-separated list of model, graphs, nodes, values, all")
			return func(args []string, out, _ io.Writer) error {
				if len(args) != 2 {
					return usageErr("strip-docs needs IN and OUT")
				}
				kinds, err := onnxgraph.ParseDocKinds(*only)
				if err != nil {
					return usageErr("%v", err)
				}
				m, err := onnxgraph.Open(args[0], nil)
				if err != nil {
					return err
				}
				defer m.Close()
				var r onnxgraph.StripDocsReport
				if err := m.StripDocs(&onnxgraph.StripDocsOptions{Kinds: kinds}, &r).Save(args[1]); err != nil {
					return err
				}
				fmt.Fprintf(out, "erased %d doc strings (model %d, graphs %d, nodes %d, values %d), %d bytes\n",
					r.Model+r.Graphs+r.Nodes+r.Values, r.Model, r.Graphs, r.Nodes, r.Values, r.Bytes)
				return nil
			}
		},
	})
}
