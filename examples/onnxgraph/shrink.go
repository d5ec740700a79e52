package main

import (
	"path/filepath"
	"strings"

	"github.com/onnxgraph/onnxgraph"
)

// shrinkCmd makes constants smaller (scs4onnx).
func shrinkCmd(c *cmd) {
	var mode string
	c.choice(&mode, "mode", "dedupe", "dedupe (constants stay in the model), external (also move constants of at least --threshold bytes to OUT.data, as --external single does) or npy (move them to .npy files beside OUT, as graph inputs fed at run time)",
		"dedupe", "external", "npy")
	npyNames := c.flags.String("npy-names", "", "with --mode npy, initializers to move whatever their size (comma list)")
	downcast := c.flags.Bool("downcast", false, "narrow int64/float64 constants to int32/float32 where lossless and type-correct")
	casts := c.flags.Bool("cast-where-needed", false, "with --downcast, also narrow constants some readers need wide, inserting Casts for them")
	c.writesModel()
	c.before(func() error {
		if o, _ := c.out.options(); mode == "external" && o.External == onnxgraph.ExternalKeep {
			o.External = onnxgraph.ExternalSingle
		}
		return nil
	})
	c.edit(func(m *onnxgraph.Model) (*report, error) {
		opts := &onnxgraph.ShrinkOptions{Downcast: *downcast, CastWhereNeeded: *casts}
		if mode == "npy" {
			if c.argv[1] == stdio {
				return nil, usageErr("--mode npy writes .npy files beside OUT: give OUT a file name")
			}
			opts.NPYDir, opts.NPYThreshold = filepath.Dir(c.argv[1]), c.out.threshold
			if *npyNames != "" {
				opts.NPYNames = strings.Split(*npyNames, ",")
			}
		}
		p := c.progress("shrinking constants", 0)
		var r onnxgraph.ShrinkReport
		m.Shrink(opts, &r)
		p.done()
		return reportOf(&r, func(p *printer) {
			for _, k := range sortedKeys(r.Duplicates) {
				p.line("kept %s, removed %d duplicates %v", k, len(r.Duplicates[k]), r.Duplicates[k])
			}
			for _, n := range r.Narrowed {
				p.line("narrowed %s", n)
			}
			for _, name := range sortedKeys(r.NPYFiles) {
				p.line("moved %s to %s (now a graph input)", name, r.NPYFiles[name])
			}
			for _, s := range r.Casts {
				p.line("inserted %s", s)
			}
			p.line("constants: %s -> %s (dedupe saved %s, downcast saved %s)",
				onnxgraph.FormatBytes(r.BytesBefore), onnxgraph.FormatBytes(r.BytesAfter), onnxgraph.FormatBytes(r.DedupeSaved), onnxgraph.FormatBytes(r.DowncastSaved))
		}), nil
	})
	c.before(func() error {
		if mode == "npy" && c.flags.Changed("record") {
			return usageErr("--record cannot record --mode npy, which writes files beside OUT")
		}
		return nil
	})
	c.records(func() onnxgraph.StepArgs {
		return &onnxgraph.ShrinkStep{Downcast: *downcast, CastWhereNeeded: *casts}
	})
}
