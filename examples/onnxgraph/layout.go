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
		if opts.Inputs, err = onnxgraph.ParseLayoutChanges(ins, rgbIn); err != nil {
			return usageErr("%v", err)
		}
		if opts.Outputs, err = onnxgraph.ParseLayoutChanges(outs, rgbOut); err != nil {
			return usageErr("%v", err)
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
	c.records(func() onnxgraph.StepArgs {
		return &onnxgraph.LayoutStep{Inputs: ins, Outputs: outs, RGBBGR: rgbIn, RGBBGROutput: rgbOut, SplitConcat: *split}
	})
}
