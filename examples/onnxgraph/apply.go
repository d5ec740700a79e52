package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
	"github.com/onnxgraph/onnxgraph/simplify"
)

func init() {
	register(&command{
		name:    "apply",
		summary: "replay an edit script (recorded by view or --record; the edit commands and simplify) on a model, stopping at the first step that does not apply",
		usage:   "SCRIPT IN OUT",
		flags: func(fs *flag.FlagSet) func([]string, io.Writer, io.Writer) error {
			noInfer := fs.Bool("no-infer", false, "give the edits only the types the model declares (by default shape inference fills the rest, as each command does)")
			ext := externalFlag(fs)
			return func(args []string, out, _ io.Writer) error {
				if len(args) != 3 {
					return usageErr("apply needs SCRIPT, IN and OUT")
				}
				text, err := os.ReadFile(args[0])
				if err != nil {
					return fmt.Errorf("onnxgraph: %w", err)
				}
				s, err := onnxgraph.ParseScriptWith(text, simplify.ScriptOps())
				if err != nil {
					return fmt.Errorf("%s: %w", args[0], err)
				}
				m, err := onnxgraph.Open(args[1], nil)
				if err != nil {
					return err
				}
				defer m.Close()
				if !*noInfer {
					m.Infer(shapeinfer.Types(nil))
				}
				var r onnxgraph.ScriptReport
				if err := m.Replay(s, &r).SaveWith(args[2], ext()); err != nil {
					return err
				}
				for i, st := range s.Steps {
					fmt.Fprintf(out, "step %d: %s\n", i+1, st.Op())
				}
				fmt.Fprintf(out, "applied %d steps of %s to %s, saved %s\n", len(r.Steps), args[0], args[1], args[2])
				return nil
			}
		},
	})
}
