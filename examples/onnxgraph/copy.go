package main

import (
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/onnxgraph/onnxgraph"
)

func init() {
	register(&command{
		name:    "copy",
		summary: "load a model and save it again, optionally changing where its weights live",
		usage:   "IN OUT",
		flags: func(fs *flag.FlagSet) func([]string, io.Writer, io.Writer) error {
			external := fs.String("external", "keep", "keep (the input's layout), inline (all in the model file), pertensor (a file per tensor), or a FILE name for one external file")
			threshold := fs.Int64("threshold", 1024, "tensors of at least this many bytes go to external files (with pertensor or FILE)")
			align := fs.Int64("align", 0, "align offsets in a new external file to this many bytes (4096 allows mapping)")
			return func(args []string, out, errOut io.Writer) error {
				if len(args) != 2 {
					return usageErr("copy needs IN and OUT")
				}
				opts := &onnxgraph.SaveOptions{Threshold: *threshold, Align: *align}
				switch *external {
				case "keep":
				case "inline":
					opts.External = onnxgraph.ExternalInline
				case "pertensor", "per-tensor":
					opts.External = onnxgraph.ExternalPerTensor
				default:
					opts.External = onnxgraph.ExternalSingle
					opts.Location = *external
				}
				start := time.Now()
				p := startProgress(errOut, "loading "+args[0], 0)
				m, err := onnxgraph.Open(args[0], nil)
				p.done()
				if err != nil {
					return err
				}
				defer m.Close()
				loaded := time.Since(start)
				p = startProgress(errOut, "saving "+args[1], 0)
				err = m.SaveWith(args[1], opts)
				p.done()
				if err != nil {
					return err
				}
				fmt.Fprintf(out, "copied %s -> %s (load %v, save %v)\n", args[0], args[1], loaded.Round(time.Millisecond), (time.Since(start) - loaded).Round(time.Millisecond))
				return nil
			}
		},
	})
}
