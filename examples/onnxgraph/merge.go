package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/onnxgraph/onnxgraph"
)

func init() {
	register(&command{
		name:    "merge",
		summary: "combine models step by step, wiring tensors of the models so far to tensors the next one reads (snc4onnx)",
		usage:   "A B [C...] OUT",
		flags: func(fs *flag.FlagSet) func([]string, io.Writer, io.Writer) error {
			var connect multiFlag
			fs.Var(&connect, "connect", "a junction SRC=DST, or K:SRC=DST for step K (K joins model K+1 to the models before it; K may be left out with two models); several pairs of one step may be given as a comma list; repeatable")
			prefixes := fs.String("prefix", "", "one prefix per model, comma separated, prepended as written to every name of that model (a/,b/); an empty item leaves a model alone")
			dims := fs.Bool("prefix-dims", false, "also prefix symbolic dimension names")
			relax := fs.Bool("relax-shapes", false, "accept junctions whose shapes differ (element types must match)")
			opset := fs.String("opset", "fail", "differing opset imports: fail, or max (import the highest and warn about operators that changed)")
			meta := fs.String("metadata", "first", "a metadata key with different values: first (keep the first model's, report the others) or fail")
			keep := fs.Bool("keep-outputs", false, "keep connected sources among the graph outputs")
			noInfer := fs.Bool("no-infer", false, "check junctions against declared types only (by default shape inference fills undeclared ones)")
			verbose := fs.Bool("v", false, "list every rename")
			ext := externalFlag(fs)
			return func(args []string, out, _ io.Writer) error {
				if len(args) < 3 {
					return usageErr("merge needs at least two models and OUT")
				}
				paths, dst := args[:len(args)-1], args[len(args)-1]
				opts := &onnxgraph.MergeOptions{
					Connect:              make([][]onnxgraph.Connection, len(paths)-1),
					PrefixDimParams:      *dims,
					RelaxShapes:          *relax,
					KeepConnectedOutputs: *keep,
				}
				if *prefixes != "" {
					opts.Prefixes = strings.Split(*prefixes, ",")
				}
				switch *opset {
				case "fail":
				case "max":
					opts.Opsets = onnxgraph.OpsetMax
				default:
					return usageErr("--opset is fail or max, not %q", *opset)
				}
				switch *meta {
				case "first":
				case "fail":
					opts.Metadata = onnxgraph.MetadataFail
				default:
					return usageErr("--metadata is first or fail, not %q", *meta)
				}
				if !*noInfer {
					opts.TypeOf = inferredTypes()
				}
				for _, spec := range connect {
					step, pairs, err := parseConnect(spec, len(paths)-1)
					if err != nil {
						return err
					}
					opts.Connect[step-1] = append(opts.Connect[step-1], pairs...)
				}
				models := make([]*onnxgraph.Model, len(paths))
				for i, p := range paths {
					m, err := onnxgraph.Open(p, nil)
					if err != nil {
						return err
					}
					defer m.Close()
					models[i] = m
				}
				m, r, err := onnxgraph.Merge(models, opts)
				if err != nil {
					return err
				}
				if err := m.SaveWith(dst, ext()); err != nil {
					return err
				}
				fmt.Fprintf(out, "merged %d models into %s\n", len(paths), dst)
				for _, c := range r.Connections {
					fmt.Fprintf(out, "connected %s\n", c)
				}
				counts := make([]int, len(paths))
				for _, rn := range r.Renames {
					counts[rn.Model]++
					if *verbose {
						fmt.Fprintf(out, "renamed %s %s -> %s (model %d)\n", rn.Kind, rn.Old, rn.New, rn.Model+1)
					}
				}
				for i, n := range counts {
					if n > 0 {
						fmt.Fprintf(out, "model %d: %d names prefixed with %q\n", i+1, n, opts.Prefixes[i])
					}
				}
				if len(r.RemovedInputs) > 0 {
					fmt.Fprintf(out, "removed inputs: %s\n", capJoin(r.RemovedInputs, 20))
				}
				if len(r.RemovedOutputs) > 0 {
					fmt.Fprintf(out, "no longer outputs: %s\n", capJoin(r.RemovedOutputs, 20))
				}
				printPruned(out, r.Pruned)
				for _, s := range r.Opsets {
					fmt.Fprintf(out, "opset %s\n", s)
				}
				for _, s := range r.OpsetWarnings {
					fmt.Fprintf(out, "warning: %s\n", s)
				}
				for _, s := range r.MetadataConflicts {
					fmt.Fprintf(out, "metadata conflict %s\n", s)
				}
				for _, s := range r.SharedFunctions {
					fmt.Fprintf(out, "function %s is identical in both models: kept once\n", s)
				}
				for _, s := range r.Unchecked {
					fmt.Fprintf(out, "warning: type unknown, junction not checked: %s\n", s)
				}
				g := m.Graph()
				printValues(out, "input", summaries(g.Inputs()))
				printValues(out, "output", summaries(g.Outputs()))
				return nil
			}
		},
	})
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
