package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/examples/internal/view"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
)

// records declares --record FILE for an edit command, after its action:
// once the edited model is saved, step (the edit as a script step, built
// from the flags as the action used them) is appended to FILE, created
// when missing, so that apply can replay a sequence of commands on
// another model. When the command's re-check wrote the inferred shapes
// (--write-shapes), an infer step follows it, which writes the same.
func (c *cmd) records(step func() onnxgraph.StepArgs) {
	if c.action == nil {
		panic("onnxgraph: records before the action of " + c.name)
	}
	file := c.flags.String("record", "", "append this edit, as a step, to the script `FILE` (created if missing; onnxgraph apply replays it)")
	c.before(func() error {
		if *file == stdio {
			return usageErr("--record needs a file, not -")
		}
		return nil
	})
	act := c.action
	c.action = func(args []string) (*report, error) {
		r, err := act(args)
		if err == nil && *file != "" {
			steps := []onnxgraph.StepArgs{step()}
			if ck := c.recheck; ck != nil && ck.write && !ck.skip {
				steps = append(steps, &shapeinfer.ScriptStep{})
			}
			if err = appendSteps(*file, steps...); err != nil {
				err = fmt.Errorf("the model is saved, but not the step: %w", err)
			}
		}
		return r, err
	}
}

// appendSteps adds steps to the script in file (a new script when the
// file does not exist), replacing the file whole.
func appendSteps(file string, steps ...onnxgraph.StepArgs) error {
	s := &onnxgraph.Script{}
	text, err := os.ReadFile(file)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return err
	default:
		if s, err = onnxgraph.ParseScriptWith(text, view.ScriptOps()); err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
	}
	for _, a := range steps {
		s.Append(a)
	}
	return onnxgraph.WriteFile(context.Background(), file, func(w io.Writer) error {
		_, err := w.Write(s.JSON())
		return err
	})
}

// scriptRelative writes path, a file an edit read, as a script in the
// file script refers to it: relative to the script's folder when both are
// on the same volume, absolute otherwise.
func scriptRelative(script, path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return path
	}
	dir, err := filepath.Abs(filepath.Dir(script))
	if err != nil {
		return abs
	}
	if rel, err := filepath.Rel(dir, abs); err == nil {
		return rel
	}
	return abs
}

// resolveFiles makes the relative paths of files a script's steps read (a
// merge's models) relative to dir, the script's folder.
func resolveFiles(s *onnxgraph.Script, dir string) {
	for _, st := range s.Steps {
		if ms, ok := st.Args.(*onnxgraph.MergeStep); ok {
			for i, p := range ms.With {
				if !filepath.IsAbs(p) {
					ms.With[i] = filepath.Join(dir, p)
				}
			}
		}
	}
}
