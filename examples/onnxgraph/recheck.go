package main

import (
	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
)

// shapeRecheck is the re-check with shape inference that the commands
// changing shapes (set-dims, set-batch, modify, layout) run after their
// edit.
type shapeRecheck struct {
	c                   *cmd
	skip, strict, write bool
}

// shapeCheckFlags declares the re-check's flags.
func (c *cmd) shapeCheckFlags() *shapeRecheck {
	r := &shapeRecheck{c: c}
	c.recheck = r
	c.flags.BoolVar(&r.skip, "no-check", false, "do not re-check the result with shape inference")
	c.flags.BoolVar(&r.strict, "strict", false, "also fail when shape inference finds operators whose inputs do not fit")
	c.flags.BoolVar(&r.write, "write-shapes", false, "store the shapes inference derives in the saved model")
	return r
}

// check returns the re-check to run after an edit (nil with --no-check):
// shape inference, failing (and so undoing the edit) on a conflict with a
// declared type, and with --strict on any problem; the other problems are
// warnings. With --write-shapes it stores what it derives.
func (r *shapeRecheck) check() func(*onnxgraph.Model) error {
	if r.skip {
		return nil
	}
	return func(m *onnxgraph.Model) error {
		res, err := shapeinfer.Infer(m, &shapeinfer.Options{WriteBack: r.write})
		if err != nil {
			return err
		}
		var bad []string
		for _, e := range res.Conflicts {
			bad = append(bad, e.Error())
		}
		for _, e := range res.Problems {
			if r.strict {
				bad = append(bad, e.Error())
			} else {
				r.c.warn("%v", e)
			}
		}
		return failWith("shape inference rejects the result (use --no-check to skip)", bad, 10)
	}
}

// apply runs the re-check as a step of m's chain.
func (r *shapeRecheck) apply(m *onnxgraph.Model) {
	if f := r.check(); f != nil {
		m.Apply("Check", f)
	}
}
