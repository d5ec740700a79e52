package main

import (
	"slices"
	"strconv"
	"strings"

	"github.com/onnxgraph/onnxgraph"
)

// mergeCmd combines models step by step (snc4onnx).
func mergeCmd(c *cmd) {
	var connect []string
	c.flags.StringArrayVar(&connect, "connect", nil, "a junction SRC=DST, or K:SRC=DST for step K (K joins model K+1 to the models before it; K may be left out with two models); several pairs of one step may be given as a comma list; repeatable")
	prefixes := c.flags.String("prefix", "", "one prefix per model, comma separated, prepended as written to every name of that model (a/,b/); an empty item leaves a model alone")
	dims := c.flags.Bool("prefix-dims", false, "also prefix symbolic dimension names")
	relax := c.flags.Bool("relax-shapes", false, "accept junctions whose shapes differ (element types must match)")
	var opset, meta string
	c.choice(&opset, "opset", "fail", "differing opset imports: fail, or max (import the highest and warn about operators that changed)", "fail", "max")
	c.choice(&meta, "metadata", "first", "a metadata key with different values: first (keep the first model's, report the others) or fail", "first", "fail")
	keep := c.flags.Bool("keep-outputs", false, "keep connected sources among the graph outputs")
	untyped := c.flags.Bool("allow-untyped", false, "accept junctions whose element type is unknown, unchecked")
	c.readsModels()
	c.needsTypes(nil)
	// The options are the script step's, with the models after the first
	// as its With: one reading of the flags for the merge and its record.
	step := &onnxgraph.MergeStep{}
	var opts *onnxgraph.MergeOptions
	c.produce(2, -1, func(paths []string) (*onnxgraph.Model, *report, error) {
		*step = onnxgraph.MergeStep{With: paths[1:], Connect: connect, PrefixDims: *dims, RelaxShapes: *relax,
			Opset: opset, Metadata: meta, KeepOutputs: *keep, AllowUntyped: *untyped}
		if *prefixes != "" {
			step.Prefix = strings.Split(*prefixes, ",")
		}
		var err error
		if opts, err = step.Options(); err != nil {
			return nil, nil, usageFrom("", err)
		}
		models := make([]*onnxgraph.Model, len(paths))
		for i, p := range paths {
			m, err := c.open(p)
			if err != nil {
				return nil, nil, err
			}
			models[i] = m
		}
		m, r, err := onnxgraph.Merge(models, opts)
		if err != nil {
			return nil, nil, err
		}
		return m, reportOf(r, func(p *printer) { printMerge(p, c, len(paths), opts, r, m) }), nil
	})
	c.records(func() onnxgraph.StepArgs {
		// The files joined are written relative to the script's folder,
		// where apply looks for them.
		rec := *step
		rec.With = make([]string, len(step.With))
		script := c.flags.Lookup("record").Value.String()
		for i, p := range step.With {
			rec.With[i] = scriptRelative(script, p)
		}
		return &rec
	})
	c.before(func() error {
		args := c.flags.Args()
		if c.flags.Lookup("record").Value.String() != "" && len(args) > 2 && slices.Contains(args[1:len(args)-1], stdio) {
			return usageErr("--record cannot record a merge with a model read from standard input")
		}
		return nil
	})
}

func printMerge(p *printer, c *cmd, models int, opts *onnxgraph.MergeOptions, r *onnxgraph.MergeReport, m *onnxgraph.Model) {
	p.line("merged %d models into %s", models, c.argv[len(c.argv)-1])
	for _, s := range r.Connections {
		p.line("connected %s", s)
	}
	counts := make([]int, models)
	for _, rn := range r.Renames {
		counts[rn.Model]++
		if c.verbose(1) {
			p.line("renamed %s %s -> %s (model %d)", rn.Kind, rn.Old, rn.New, rn.Model+1)
		}
	}
	for i, n := range counts {
		if n > 0 {
			p.line("model %d: %d names prefixed with %q", i+1, n, opts.Prefixes[i])
		}
	}
	if len(r.RemovedInputs) > 0 {
		p.line("removed inputs: %s", capJoin(r.RemovedInputs, 20))
	}
	if len(r.RemovedOutputs) > 0 {
		p.line("no longer outputs: %s", capJoin(r.RemovedOutputs, 20))
	}
	printPruned(p, r.Pruned)
	for _, s := range r.Opsets {
		p.line("opset %s", s)
	}
	for _, s := range r.OpsetWarnings {
		p.line("warning: %s", s)
	}
	for _, s := range r.MetadataConflicts {
		p.line("metadata conflict %s", s)
	}
	for _, s := range r.SharedFunctions {
		p.line("function %s is identical in both models: kept once", s)
	}
	for _, s := range r.Unchecked {
		p.line("warning: type unknown, junction not checked: %s", s)
	}
	g := m.Graph()
	printValues(p, "input", summaries(g.Inputs()))
	printValues(p, "output", summaries(g.Outputs()))
}

// summaries describes values as the library's summary does.
func summaries(vs []*onnxgraph.Value) []onnxgraph.ValueSummary {
	out := make([]onnxgraph.ValueSummary, len(vs))
	for i, v := range vs {
		out[i] = onnxgraph.ValueSummary{Name: v.Name(), Type: onnxgraph.TypeString(v.Type())}
		if dims, names, ok := v.Shape(); ok && v.Type().GetTensorType() != nil {
			parts := make([]string, len(dims))
			for k, d := range dims {
				switch {
				case d >= 0:
					parts[k] = strconv.FormatInt(d, 10)
				case names[k] != "":
					parts[k] = names[k]
				default:
					parts[k] = "?"
				}
			}
			out[i].Shape = "[" + strings.Join(parts, ",") + "]"
		}
	}
	return out
}
