package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
)

func init() {
	register(&command{
		name:    "set-dims",
		summary: "set or name the dims of graph inputs and outputs (sio4onnx); re-checked with shape inference",
		usage:   "IN OUT",
		flags: func(fs *flag.FlagSet) func([]string, io.Writer, io.Writer) error {
			var inputs, outputs multiFlag
			fs.Var(&inputs, "input", "an input's dims: name=1,3,H,W (sizes, names, ? for unknown); repeatable")
			fs.Var(&outputs, "output", "an output's dims: name=N,1000; repeatable")
			keep := fs.Bool("keep-value-info", false, "keep the recorded shapes of intermediate values")
			ck := shapeCheckFlags(fs)
			return func(args []string, out, errOut io.Writer) error {
				if len(args) != 2 {
					return usageErr("set-dims needs IN and OUT")
				}
				if len(inputs)+len(outputs) == 0 {
					return usageErr("set-dims needs --input or --output")
				}
				dims := map[string][]onnxgraph.Dim{}
				for _, spec := range append(append([]string{}, inputs...), outputs...) {
					name, d, ok := strings.Cut(spec, "=")
					if !ok || name == "" {
						return usageErr("%q is not name=dims", spec)
					}
					ds, err := onnxgraph.ParseDims(d)
					if err != nil {
						return usageErr("%q: %v", spec, err)
					}
					dims[name] = ds
				}
				m, err := onnxgraph.Open(args[0], nil)
				if err != nil {
					return err
				}
				defer m.Close()
				// Names given as --input must be inputs, --output outputs.
				for _, list := range []struct {
					specs multiFlag
					in    bool
				}{{inputs, true}, {outputs, false}} {
					for _, spec := range list.specs {
						name, _, _ := strings.Cut(spec, "=")
						if !isGraphIO(m, name, list.in) {
							kind := "output"
							if list.in {
								kind = "input"
							}
							return fmt.Errorf("onnxgraph: --%s %q: the model has no graph %s %q", kind, spec, kind, name)
						}
					}
				}
				var r onnxgraph.SetDimsReport
				opts := &onnxgraph.SetDimsOptions{KeepValueInfo: *keep, Check: ck.check(errOut)}
				if err := m.SetDims(dims, opts, &r).Save(args[1]); err != nil {
					return err
				}
				for _, c := range r.Changed {
					fmt.Fprintln(out, c)
				}
				if len(r.Cleared) > 0 {
					fmt.Fprintf(out, "cleared the recorded shapes of %d intermediate values\n", len(r.Cleared))
				}
				return nil
			}
		},
	})
}

func isGraphIO(m *onnxgraph.Model, name string, input bool) bool {
	list := m.Graph().Outputs()
	if input {
		list = m.Graph().Inputs()
	}
	for _, v := range list {
		if v.Name() == name {
			return true
		}
	}
	return false
}

// shapeRecheck holds the shape-inference re-check flags shared by the editing
// commands.
type shapeRecheck struct {
	skip, strict, write *bool
}

func shapeCheckFlags(fs *flag.FlagSet) shapeRecheck {
	return shapeRecheck{
		skip:   fs.Bool("no-check", false, "do not re-check the result with shape inference"),
		strict: fs.Bool("strict", false, "also fail when shape inference finds operators whose inputs do not fit"),
		write:  fs.Bool("write-shapes", false, "store the shapes inference derives in the saved model"),
	}
}

// check returns the re-check to run after an edit: shape inference, failing
// (and so undoing the edit) on a conflict with a declared type, and with
// --strict on any problem; with --write-shapes it stores what it derives.
func (c shapeRecheck) check(errOut io.Writer) func(*onnxgraph.Model) error {
	if *c.skip {
		return nil
	}
	return func(m *onnxgraph.Model) error {
		res, err := shapeinfer.Infer(m, &shapeinfer.Options{WriteBack: *c.write})
		if err != nil {
			return err
		}
		var bad []string
		for _, e := range res.Conflicts {
			bad = append(bad, e.Error())
		}
		for _, e := range res.Problems {
			if *c.strict {
				bad = append(bad, e.Error())
			} else {
				fmt.Fprintf(errOut, "warning: %v\n", e)
			}
		}
		if len(bad) > 0 {
			if len(bad) > 10 {
				bad = append(bad[:10], fmt.Sprintf("... %d more", len(bad)-10))
			}
			return fmt.Errorf("onnxgraph: shape inference rejects the result (use --no-check to skip): %s", strings.Join(bad, "; "))
		}
		return nil
	}
}

// inferredTypes runs shape inference and returns its types as a TypeOf
// function for the library (nil when inference fails).
func typesFromInference(m *onnxgraph.Model) func(*onnxgraph.Value) *onnxproto.TypeProto {
	res, err := shapeinfer.Infer(m, nil)
	if err != nil || res == nil {
		return nil
	}
	return func(v *onnxgraph.Value) *onnxproto.TypeProto {
		if t := res.Type(v); t != nil && t.Kind != shapeinfer.KindUnknown {
			return t.Proto()
		}
		return nil
	}
}
