package main

import (
	"github.com/onnxgraph/onnxgraph"
)

// layoutCmd permutes the layout of inputs and outputs and swaps RGB and
// BGR (scc4onnx).
func layoutCmd(c *cmd) {
	var ins, outs, rgbIn, rgbOut []string
	c.flags.StringArrayVar(&ins, "input", nil, "an input's new layout: x=NHWC (the model's is taken channel-first, NCHW) or x=NCHW:NHWC (model's:new); repeatable")
	c.flags.StringArrayVar(&outs, "output", nil, "an output's new layout, as --input; repeatable")
	c.flags.StringArrayVar(&rgbIn, "rgb-bgr", nil, "an input whose 3 channels to reverse (the channel axis is the layout's C, else dim 1); repeatable")
	c.flags.StringArrayVar(&rgbOut, "rgb-bgr-output", nil, "an output whose 3 channels to reverse; repeatable")
	split := c.flags.Bool("split-concat", false, "reverse channels with Split and Concat instead of a Gather")
	ck := c.shapeCheckFlags()
	opts := &onnxgraph.LayoutOptions{}
	c.before(func() (err error) {
		if *split {
			opts.Swap = onnxgraph.SwapSplitConcat
		}
		if opts.Inputs, err = layoutChanges(ins, rgbIn); err != nil {
			return err
		}
		if opts.Outputs, err = layoutChanges(outs, rgbOut); err != nil {
			return err
		}
		if len(opts.Inputs)+len(opts.Outputs) == 0 {
			return usageErr("layout needs --input, --output, --rgb-bgr or --rgb-bgr-output")
		}
		return nil
	})
	c.edit(func(m *onnxgraph.Model) (*report, error) {
		var r onnxgraph.LayoutReport
		m.SetLayout(opts, &r)
		ck.apply(m)
		return reportOf(&r, func(p *printer) {
			for _, s := range append(r.Inputs, r.Outputs...) {
				p.line("%s", s)
			}
			p.line("added %d nodes", len(r.Nodes))
		}), nil
	})
}

// layoutChanges reads --input or --output layouts and the values whose
// channels to reverse.
func layoutChanges(specs, swaps []string) ([]onnxgraph.LayoutChange, error) {
	var list []onnxgraph.LayoutChange
	idx := map[string]int{}
	for _, s := range specs {
		c, err := onnxgraph.ParseLayoutChange(s)
		if err != nil {
			return nil, usageErr("%v", err)
		}
		idx[c.Name] = len(list)
		list = append(list, c)
	}
	for _, name := range swaps {
		if i, ok := idx[name]; ok {
			list[i].SwapRGB = true
		} else {
			idx[name] = len(list)
			list = append(list, onnxgraph.LayoutChange{Name: name, SwapRGB: true})
		}
	}
	return list, nil
}
