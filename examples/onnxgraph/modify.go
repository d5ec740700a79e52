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
		name:    "modify",
		summary: "change a node's attributes and constant inputs, also inside If/Loop/Scan bodies (sam4onnx)",
		usage:   "IN OUT",
		flags: func(fs *flag.FlagSet) func([]string, io.Writer, io.Writer) error {
			node := fs.String("node", "", "the node's name")
			var attrs, consts, dels multiFlag
			fs.Var(&attrs, "attr", "an attribute NAME=VALUE, typed by the operator's schema (perm=0,2,3,1, epsilon=1e-5, mode=nearest); repeatable")
			fs.Var(&consts, "const", "a constant input's new data INPUT=values (1,2,3), in the constant's element type; repeatable")
			fs.Var(&dels, "delete-attr", "an attribute to remove; repeatable")
			ck := shapeCheckFlags(fs)
			return func(args []string, out, errOut io.Writer) error {
				if len(args) != 2 {
					return usageErr("modify needs IN and OUT")
				}
				if *node == "" {
					return usageErr("modify needs --node")
				}
				opts := &onnxgraph.ModifyOptions{DeleteAttrs: dels}
				if len(attrs) > 0 {
					opts.Attrs = map[string]any{}
				}
				for _, spec := range attrs {
					k, v, ok := strings.Cut(spec, "=")
					if !ok || k == "" {
						return usageErr("--attr %q is not NAME=VALUE", spec)
					}
					opts.Attrs[k] = v
				}
				if len(consts) > 0 {
					opts.Consts = map[string]any{}
				}
				for _, spec := range consts {
					k, v, ok := strings.Cut(spec, "=")
					if !ok || k == "" {
						return usageErr("--const %q is not INPUT=VALUES", spec)
					}
					opts.Consts[k] = v
				}
				m, err := onnxgraph.Open(args[0], nil)
				if err != nil {
					return err
				}
				defer m.Close()
				var r onnxgraph.ModifyReport
				m.Modify(*node, opts, &r)
				if c := ck.check(errOut); c != nil && m.Err() == nil {
					m.Apply("Check", c)
				}
				if err := m.Save(args[1]); err != nil {
					return err
				}
				fmt.Fprintf(out, "node %s in graph %q\n", r.Node, r.Graph)
				for _, s := range r.Set {
					fmt.Fprintln(out, "  set", s)
				}
				for _, s := range r.Deleted {
					fmt.Fprintln(out, "  deleted", s)
				}
				for _, s := range r.Consts {
					fmt.Fprintln(out, "  constant", s, "changed")
				}
				for _, s := range r.Copied {
					fmt.Fprintln(out, "  constant copied:", s)
				}
				return nil
			}
		},
	})
}
