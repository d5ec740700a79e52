package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/examples/internal/view"
)

// applyCmd replays an edit script on a model.
func applyCmd(c *cmd) {
	c.readsModels()
	c.needsTypes(nil)
	c.produce(2, 2, func(args []string) (*onnxgraph.Model, *report, error) {
		var text []byte
		var err error
		if args[0] == stdio {
			text, err = c.readStdin()
		} else {
			text, err = os.ReadFile(args[0])
		}
		if err != nil {
			return nil, nil, err
		}
		s, err := onnxgraph.ParseScriptWith(text, view.ScriptOps())
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", label(args[0]), err)
		}
		if args[0] != stdio {
			resolveFiles(s, filepath.Dir(args[0]))
		}
		m, err := c.open(args[1])
		if err != nil {
			return nil, nil, err
		}
		r := &onnxgraph.ScriptReport{}
		m.Replay(s, r)
		return m, reportOf(r, func(p *printer) {
			for i, st := range r.Steps {
				p.line("step %d: %s", i+1, st.Op)
			}
			p.line("applied %d steps of %s to %s", len(r.Steps), label(args[0]), label(args[1]))
		}), nil
	})
}
