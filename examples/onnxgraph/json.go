package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/onnxgraph/onnxgraph"
)

// to-json and from-json are onnx2json and json2onnx.

func init() {
	register(&command{
		name:    "to-json",
		summary: "write a model as JSON, python onnx2json's format; big weights may go to .npy files (onnx2json)",
		usage:   "IN OUT.json [DIR]",
		flags: func(fs *flag.FlagSet) func([]string, io.Writer, io.Writer) error {
			weights := fs.String("weights", "inline", "inline (all in the JSON, as onnx2json does) or external (tensors of at least --threshold bytes as .npy files in DIR, default OUT's name with _weights)")
			threshold := fs.Int64("threshold", 1024, "with --weights external, the size in bytes from which a tensor goes to a .npy file")
			return func(args []string, out, _ io.Writer) error {
				if len(args) < 2 || len(args) > 3 {
					return usageErr("to-json needs IN and OUT.json")
				}
				opts := &onnxgraph.JSONOptions{Threshold: *threshold}
				switch *weights {
				case "inline":
					if len(args) == 3 {
						return usageErr("DIR is for --weights external")
					}
				case "external":
					dir := strings.TrimSuffix(args[1], filepath.Ext(args[1])) + "_weights"
					if len(args) == 3 {
						dir = args[2]
					}
					absOut, err1 := filepath.Abs(filepath.Dir(args[1]))
					absDir, err2 := filepath.Abs(dir)
					if err1 != nil || err2 != nil {
						return fmt.Errorf("onnxgraph: %v", errors.Join(err1, err2))
					}
					rel, err := filepath.Rel(absOut, absDir)
					if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
						return usageErr("DIR %s must be inside the folder of %s, where the JSON refers to it from", dir, args[1])
					}
					opts.ExternalDir = rel
				default:
					return usageErr("--weights is inline or external, not %q", *weights)
				}
				m, err := onnxgraph.Open(args[0], nil)
				if err != nil {
					return err
				}
				defer m.Close()
				if err := m.SaveJSON(args[1], opts); err != nil {
					return err
				}
				if opts.ExternalDir != "" {
					fmt.Fprintf(out, "wrote %s (tensors of %d bytes or more in %s)\n", args[1], *threshold, filepath.Join(filepath.Dir(args[1]), opts.ExternalDir))
				} else {
					fmt.Fprintf(out, "wrote %s\n", args[1])
				}
				return nil
			}
		},
	})
	register(&command{
		name:    "from-json",
		summary: "read a model from JSON (python onnx2json's format or to-json's) and save it; over 2 GiB, weights go to external data (json2onnx)",
		usage:   "IN.json OUT",
		flags: func(fs *flag.FlagSet) func([]string, io.Writer, io.Writer) error {
			return func(args []string, out, _ io.Writer) error {
				if len(args) != 2 {
					return usageErr("from-json needs IN.json and OUT")
				}
				m, err := onnxgraph.OpenJSON(args[0], nil)
				if err != nil {
					return err
				}
				err = m.SaveWith(args[1], nil)
				if errors.Is(err, onnxgraph.ErrTooLarge) {
					// As json2onnx does: a model over protobuf's 2 GiB limit
					// keeps its big tensors in one external file.
					opts := &onnxgraph.SaveOptions{External: onnxgraph.ExternalSingle}
					if err = m.SaveWith(args[1], opts); err == nil {
						fmt.Fprintf(out, "wrote %s with its weights in %s.data (the model is over 2 GiB)\n", args[1], filepath.Base(args[1]))
						return nil
					}
				}
				if err != nil {
					return err
				}
				fmt.Fprintf(out, "wrote %s\n", args[1])
				return nil
			}
		},
	})
}
