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
		name:    "delete-nodes",
		summary: "delete nodes and reconnect their readers to their inputs (snd4onnx)",
		usage:   "IN OUT",
		flags: func(fs *flag.FlagSet) func([]string, io.Writer, io.Writer) error {
			names := fs.String("names", "", "nodes to delete, comma separated")
			var maps multiFlag
			fs.Var(&maps, "map", "for a node that is not a plain pass-through, which input replaces which output: NODE:OUTPUT=INPUT (repeatable, or a comma list)")
			relax := fs.Bool("relax-shapes", false, "accept a replacement whose shape differs (element types must match)")
			noInfer := fs.Bool("no-infer", false, "check against declared types only (by default shape inference fills undeclared ones)")
			ext := externalFlag(fs)
			return func(args []string, out, _ io.Writer) error {
				if len(args) != 2 {
					return usageErr("delete-nodes needs IN and OUT")
				}
				opts := &onnxgraph.DeleteNodesOptions{Names: splitList(*names), RelaxShapes: *relax}
				if !*noInfer {
					opts.TypeOf = inferredTypes()
				}
				if len(opts.Names) == 0 {
					return usageErr("delete-nodes needs --names")
				}
				for _, spec := range maps {
					for _, item := range splitList(spec) {
						node, rest, ok1 := cutLast(item, ":")
						output, input, ok2 := strings.Cut(rest, "=")
						if !ok1 || !ok2 || node == "" || output == "" || input == "" {
							return usageErr("--map %q is not NODE:OUTPUT=INPUT", item)
						}
						if opts.Replace == nil {
							opts.Replace = map[string]map[string]string{}
						}
						if opts.Replace[node] == nil {
							opts.Replace[node] = map[string]string{}
						}
						opts.Replace[node][output] = input
					}
				}
				m, err := onnxgraph.Open(args[0], nil)
				if err != nil {
					return err
				}
				defer m.Close()
				var r onnxgraph.DeleteNodesReport
				if err := m.DeleteNodes(opts, &r).SaveWith(args[1], ext()); err != nil {
					return err
				}
				fmt.Fprintf(out, "deleted %s\n", strings.Join(r.Deleted, ", "))
				for _, s := range r.Rewired {
					fmt.Fprintf(out, "readers of %s\n", s)
				}
				for _, s := range r.Outputs {
					fmt.Fprintf(out, "graph output %s\n", s)
				}
				printPruned(out, r.Pruned)
				return nil
			}
		},
	})
}

// cutLast splits s around the last sep before the first "=" (node names
// may hold the separator; output names rarely hold "=").
func cutLast(s, sep string) (before, after string, found bool) {
	head := s
	if i := strings.Index(s, "="); i >= 0 {
		head = s[:i]
	}
	i := strings.LastIndex(head, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}
