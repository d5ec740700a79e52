package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/onnxgraph/onnxgraph"
)

func init() {
	register(&command{
		name:    "layout",
		summary: "permute the layout of inputs and outputs (NCHW <-> NHWC) and swap RGB <-> BGR (scc4onnx)",
		usage:   "IN OUT",
		flags: func(fs *flag.FlagSet) func([]string, io.Writer, io.Writer) error {
			var ins, outs, rgbIn, rgbOut multiFlag
			fs.Var(&ins, "input", "an input's new layout: x=NHWC (the model's is taken channel-first, NCHW) or x=NCHW:NHWC (model's:new); repeatable")
			fs.Var(&outs, "output", "an output's new layout, as --input; repeatable")
			fs.Var(&rgbIn, "rgb-bgr", "an input whose 3 channels to reverse (the channel axis is the layout's C, else dim 1); repeatable")
			fs.Var(&rgbOut, "rgb-bgr-output", "an output whose 3 channels to reverse; repeatable")
			split := fs.Bool("split-concat", false, "reverse channels with Split and Concat instead of a Gather")
			ck := shapeCheckFlags(fs)
			return func(args []string, out, errOut io.Writer) error {
				if len(args) != 2 {
					return usageErr("layout needs IN and OUT")
				}
				opts := &onnxgraph.LayoutOptions{}
				if *split {
					opts.Swap = onnxgraph.SwapSplitConcat
				}
				collect := func(specs, swaps multiFlag) ([]onnxgraph.LayoutChange, error) {
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
				var err error
				if opts.Inputs, err = collect(ins, rgbIn); err != nil {
					return err
				}
				if opts.Outputs, err = collect(outs, rgbOut); err != nil {
					return err
				}
				if len(opts.Inputs)+len(opts.Outputs) == 0 {
					return usageErr("layout needs --input, --output, --rgb-bgr or --rgb-bgr-output")
				}
				m, err := onnxgraph.Open(args[0], nil)
				if err != nil {
					return err
				}
				defer m.Close()
				var r onnxgraph.LayoutReport
				m.SetLayout(opts, &r)
				if c := ck.check(errOut); c != nil && m.Err() == nil {
					m.Apply("Check", c)
				}
				if err := m.Save(args[1]); err != nil {
					return err
				}
				for _, s := range append(r.Inputs, r.Outputs...) {
					fmt.Fprintln(out, s)
				}
				fmt.Fprintf(out, "added %d nodes\n", len(r.Nodes))
				return nil
			}
		},
	})
}
