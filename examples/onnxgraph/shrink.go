package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"

	"github.com/onnxgraph/onnxgraph"
)

func init() {
	register(&command{
		name:    "shrink",
		summary: "make constants smaller (scs4onnx): dedupe identical constants, optionally downcast losslessly, optionally move big ones to external data",
		usage:   "IN OUT",
		flags: func(fs *flag.FlagSet) func([]string, io.Writer, io.Writer) error {
			mode := fs.String("mode", "dedupe", "dedupe (constants stay in the model), external (also move constants of at least --threshold bytes to OUT.data) or npy (move them to .npy files beside OUT, as graph inputs fed at run time)")
			npyNames := fs.String("npy-names", "", "with --mode npy, initializers to move whatever their size (comma list)")
			downcast := fs.Bool("downcast", false, "narrow int64/float64 constants to int32/float32 where lossless and type-correct")
			casts := fs.Bool("cast-where-needed", false, "with --downcast, also narrow constants some readers need wide, inserting Casts for them")
			threshold := fs.Int64("threshold", 1024, "with --mode external, the size in bytes from which a constant goes out")
			return func(args []string, out, errOut io.Writer) error {
				if len(args) != 2 {
					return usageErr("shrink needs IN and OUT")
				}
				save := &onnxgraph.SaveOptions{}
				shrink := &onnxgraph.ShrinkOptions{Downcast: *downcast, CastWhereNeeded: *casts}
				switch *mode {
				case "npy":
					shrink.NPYDir, shrink.NPYThreshold = filepath.Dir(args[1]), *threshold
					if *npyNames != "" {
						shrink.NPYNames = strings.Split(*npyNames, ",")
					}
				case "dedupe":
				case "external":
					save.External, save.Threshold = onnxgraph.ExternalSingle, *threshold
				default:
					return usageErr("--mode is dedupe, external or npy, not %q", *mode)
				}
				p := startProgress(errOut, "loading "+args[0], 0)
				m, err := onnxgraph.Open(args[0], nil)
				p.done()
				if err != nil {
					return err
				}
				defer m.Close()
				var r onnxgraph.ShrinkReport
				p = startProgress(errOut, "shrinking and saving "+args[1], 0)
				err = m.Shrink(shrink, &r).SaveWith(args[1], save)
				p.done()
				if err != nil {
					return err
				}
				keys := make([]string, 0, len(r.Duplicates))
				for k := range r.Duplicates {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				for _, k := range keys {
					fmt.Fprintf(out, "kept %s, removed %d duplicates %v\n", k, len(r.Duplicates[k]), r.Duplicates[k])
				}
				for _, n := range r.Narrowed {
					fmt.Fprintf(out, "narrowed %s\n", n)
				}
				for _, name := range sortedKeys(r.NPYFiles) {
					fmt.Fprintf(out, "moved %s to %s (now a graph input)\n", name, r.NPYFiles[name])
				}
				for _, c := range r.Casts {
					fmt.Fprintf(out, "inserted %s\n", c)
				}
				fmt.Fprintf(out, "constants: %s -> %s (dedupe saved %s, downcast saved %s)\n",
					human(r.BytesBefore), human(r.BytesAfter), human(r.DedupeSaved), human(r.DowncastSaved))
				return nil
			}
		},
	})
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
