package main

import (
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
	opts := &onnxgraph.MergeOptions{}
	c.produce(2, -1, func(paths []string) (*onnxgraph.Model, *report, error) {
		if opset == "max" {
			opts.Opsets = onnxgraph.OpsetMax
		}
		if meta == "fail" {
			opts.Metadata = onnxgraph.MetadataFail
		}
		opts.Connect = make([][]onnxgraph.Connection, len(paths)-1)
		opts.PrefixDimParams, opts.RelaxShapes, opts.KeepConnectedOutputs, opts.AllowUntyped = *dims, *relax, *keep, *untyped
		if *prefixes != "" {
			opts.Prefixes = strings.Split(*prefixes, ",")
		}
		for _, spec := range connect {
			step, pairs, err := parseConnect(spec, len(paths)-1)
			if err != nil {
				return nil, nil, err
			}
			opts.Connect[step-1] = append(opts.Connect[step-1], pairs...)
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

// parseConnect reads "K:SRC=DST[,SRC=DST...]" (K optional with one step).
func parseConnect(spec string, steps int) (int, []onnxgraph.Connection, error) {
	step := 1
	body := spec
	if k, rest, ok := strings.Cut(spec, ":"); ok {
		if n, err := strconv.Atoi(k); err == nil {
			step, body = n, rest
		} else if steps > 1 {
			return 0, nil, usageErr("--connect %q: give the step as K:SRC=DST", spec)
		}
	} else if steps > 1 {
		return 0, nil, usageErr("--connect %q: with %d models, give the step as K:SRC=DST", spec, steps+1)
	}
	if step < 1 || step > steps {
		return 0, nil, usageErr("--connect %q: step %d is not in 1..%d", spec, step, steps)
	}
	var pairs []onnxgraph.Connection
	for _, p := range splitList(body) {
		src, dst, ok := strings.Cut(p, "=")
		if !ok || src == "" || dst == "" {
			return 0, nil, usageErr("--connect %q: %q is not SRC=DST", spec, p)
		}
		pairs = append(pairs, onnxgraph.Connection{Src: src, Dst: dst})
	}
	if len(pairs) == 0 {
		return 0, nil, usageErr("--connect %q: no SRC=DST", spec)
	}
	return step, pairs, nil
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
