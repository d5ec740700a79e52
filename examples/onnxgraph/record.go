package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/simplify"
)

// records declares --record FILE for an edit command, after its action:
// once the edited model is saved, step (the edit as a script step, built
// from the flags as the action used them) is appended to FILE, created
// when missing, so that apply can replay a sequence of commands on
// another model.
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
			if err = appendStep(*file, step()); err != nil {
				err = fmt.Errorf("the model is saved, but not the step: %w", err)
			}
		}
		return r, err
	}
}

// appendStep adds a step to the script in file (a new script when the
// file does not exist), replacing the file whole.
func appendStep(file string, a onnxgraph.StepArgs) error {
	s := &onnxgraph.Script{}
	text, err := os.ReadFile(file)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return err
	default:
		if s, err = onnxgraph.ParseScriptWith(text, simplify.ScriptOps()); err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
	}
	s.Append(a)
	tmp, err := os.CreateTemp(filepath.Dir(file), "."+filepath.Base(file)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(s.JSON()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), file)
}

// noShapeWrites refuses --record with --write-shapes, which a script step
// does not replay.
func (c *cmd) noShapeWrites(ck *shapeRecheck) {
	c.before(func() error {
		if ck.write && c.flags.Changed("record") && c.flags.Lookup("record").Value.String() != "" {
			return usageErr("--record cannot record --write-shapes: run infer --write-shapes... after replaying, or record without it")
		}
		return nil
	})
}
