package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/onnxgraph/onnxgraph"
)

// setDimsCmd sets or names the dims of graph inputs and outputs (sio4onnx).
func setDimsCmd(c *cmd) {
	var inputs, outputs []string
	c.flags.StringArrayVar(&inputs, "input", nil, "an input's dims: name=1,3,H,W (sizes, names, ? for unknown); repeatable")
	c.flags.StringArrayVar(&outputs, "output", nil, "an output's dims: name=N,1000; repeatable")
	keep := c.flags.Bool("keep-value-info", false, "keep the recorded shapes of intermediate values")
	ck := c.shapeCheckFlags()
	dims := map[string][]onnxgraph.Dim{}
	c.before(func() error {
		if len(inputs)+len(outputs) == 0 {
			return usageErr("set-dims needs --input or --output")
		}
		for _, spec := range append(slices.Clone(inputs), outputs...) {
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
		return nil
	})
	c.edit(func(m *onnxgraph.Model) (*report, error) {
		// Names given as --input must be inputs, --output outputs.
		for _, list := range []struct {
			specs []string
			kind  string
		}{{inputs, "input"}, {outputs, "output"}} {
			for _, spec := range list.specs {
				name, _, _ := strings.Cut(spec, "=")
				if !isGraphIO(m, name, list.kind == "input") {
					return nil, fmt.Errorf("--%s %q: the model has no graph %s %q", list.kind, spec, list.kind, name)
				}
			}
		}
		var r onnxgraph.SetDimsReport
		m.SetDims(dims, &onnxgraph.SetDimsOptions{KeepValueInfo: *keep, Check: ck.check()}, &r)
		return reportOf(&r, func(p *printer) {
			for _, s := range r.Changed {
				p.line("%s", s)
			}
			if len(r.Cleared) > 0 {
				p.line("cleared the recorded shapes of %d intermediate values", len(r.Cleared))
			}
		}), nil
	})
	c.records(func() onnxgraph.StepArgs {
		st := &onnxgraph.SetDimsStep{KeepValueInfo: *keep}
		for _, list := range []struct {
			specs []string
			into  *map[string]string
		}{{inputs, &st.Input}, {outputs, &st.Output}} {
			for _, spec := range list.specs {
				name, d, _ := strings.Cut(spec, "=")
				if *list.into == nil {
					*list.into = map[string]string{}
				}
				(*list.into)[name] = d
			}
		}
		return st
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
