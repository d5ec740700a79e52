package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/simplify"
)

// simplifyCommand is `onnxgraph simplify`: onnx-simplifier (and onnxslim)
// in one pure-Go call, run to a fixed point.
func simplifyCommand() *command {
	var passNames []string
	for _, p := range simplify.Passes() {
		passNames = append(passNames, p.Name)
	}
	return &command{
		name:    "simplify",
		summary: "simplify a model as onnx-simplifier does, to a fixed point and at any size: fold constants and shape computations, remove no-ops, fuse BatchNorm into convolutions, share common subexpressions, remove dead code",
		usage:   "IN OUT",
		flags: func(fs *flag.FlagSet) func([]string, io.Writer, io.Writer) error {
			maxFold := fs.Int64("max-fold-bytes", simplify.DefaultMaxFoldBytes, "largest result a constant fold may create (unless it makes the model no larger); negative: no limit")
			var inputs, skipPass, skipOp multiFlag
			fs.Var(&inputs, "input", "fix a graph input's dims: `NAME=D0,D1,...` (sizes or names; onnx-simplifier's --overwrite-input-shape); repeatable")
			fs.Var(&skipPass, "skip-pass", "a pass not to run (repeatable or comma list): "+strings.Join(passNames, ", "))
			fs.Var(&skipOp, "skip-op", "an operator type (OP or DOMAIN:OP) whose nodes are left as they are (repeatable or comma list)")
			foldQDQ := fs.Bool("fold-qdq", false, "fold QuantizeLinear/DequantizeLinear of constants too (by default quantized weights stay quantized)")
			iters := fs.Int("max-iterations", 0, "bound on fixed-point iterations (0: the default)")
			external := externalFlag(fs)
			threshold := fs.Int64("threshold", 1024, "size in bytes from which tensors go to an external file; with keep and an input with external data, new tensors of that size go to OUT.data")
			jsonOut := fs.Bool("json", false, "print the report as JSON")
			check := fs.Int("check", 0, "run IN and the result with ONNX Runtime on `N` random inputs (seeds 0..N-1, symbolic dims 1) and fail, writing nothing, unless every output is close by compare's rule")
			rtol := fs.Float64("rtol", defaultRTol, "with --check, the relative tolerance")
			atol := fs.Float64("atol", defaultATol, "with --check, the absolute tolerance")
			lib := fs.String("ort-lib", "", "with --check, the ONNX Runtime library (as run's --ort-lib)")
			return func(args []string, out, errOut io.Writer) error {
				if len(args) != 2 {
					return usageErr("simplify needs IN and OUT")
				}
				if *check < 0 || *rtol < 0 || *atol < 0 || math.IsNaN(*rtol) || math.IsNaN(*atol) {
					return usageErr("--check, --rtol and --atol cannot be negative")
				}
				if *maxFold == 0 {
					return usageErr("--max-fold-bytes is a positive size, or -1 for no limit")
				}
				opts := &simplify.Options{MaxFoldBytes: *maxFold, FoldQDQ: *foldQDQ, MaxIterations: *iters,
					SkipPasses: splitList(strings.Join(skipPass, ",")), SkipOps: splitList(strings.Join(skipOp, ","))}
				for _, spec := range inputs {
					name, dims, ok := strings.Cut(spec, "=")
					if !ok || name == "" {
						return usageErr("--input %q is not NAME=D0,D1,...", spec)
					}
					ds, err := onnxgraph.ParseDims(dims)
					if err != nil {
						return usageErr("--input %q: %v", spec, err)
					}
					if opts.Inputs == nil {
						opts.Inputs = map[string][]onnxgraph.Dim{}
					}
					if _, dup := opts.Inputs[name]; dup {
						return usageErr("--input %s given twice", name)
					}
					opts.Inputs[name] = ds
				}
				save := external()
				if save == nil {
					save = &onnxgraph.SaveOptions{}
				}
				save.Threshold = *threshold
				return simplifyFile(args[0], args[1], opts, save,
					simplifyCheck{*check, compareOptions{RTol: zeroTol(*rtol), ATol: zeroTol(*atol), Lib: *lib}}, *jsonOut, out, errOut)
			}
		},
	}
}

// simplifyCheck is simplify --check.
type simplifyCheck struct {
	runs int
	opts compareOptions
}

// simplifyResult is simplify's report with the files' sizes, as --json
// prints it.
type simplifyResult struct {
	*simplify.Report
	// ModelBytesBefore and ModelBytesAfter are the sizes of the model
	// files with the external data files they read.
	ModelBytesBefore int64 `json:"model_bytes_before"`
	ModelBytesAfter  int64 `json:"model_bytes_after"`
	// Checked is the number of random inputs ONNX Runtime ran both models
	// on (--check).
	Checked int `json:"checked,omitempty"`
}

func simplifyFile(in, outPath string, opts *simplify.Options, saveOpts *onnxgraph.SaveOptions, check simplifyCheck, jsonOut bool, out, errOut io.Writer) error {
	p := startProgress(errOut, "loading "+in, 0)
	m, err := onnxgraph.Open(in, nil)
	p.done()
	if err != nil {
		return err
	}
	defer m.Close()
	res := simplifyResult{ModelBytesBefore: modelBytes(in, m)}
	external := res.ModelBytesBefore > fileSize(in)
	p = startProgress(errOut, "simplifying", 0)
	res.Report, err = simplify.Simplify(m, opts)
	p.done()
	if err != nil {
		return err
	}
	if saveOpts.External == onnxgraph.ExternalKeep && external {
		saveOpts.Location = filepath.Base(outPath) + ".data"
	}
	if check.runs > 0 {
		if err := checkSimplified(in, m, saveOpts, check, errOut); err != nil {
			return err
		}
		res.Checked = check.runs
	}
	p = startProgress(errOut, "saving "+outPath, 0)
	err = m.SaveWith(outPath, saveOpts)
	p.done()
	if err != nil {
		return err
	}
	if saved, err := onnxgraph.Open(outPath, nil); err == nil {
		res.ModelBytesAfter = modelBytes(outPath, saved)
		saved.Close()
	}
	if jsonOut {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	printSimplifyReport(out, res)
	return nil
}

// checkSimplified saves m to a scratch folder and compares it with the
// model at in on check.runs random inputs.
func checkSimplified(in string, m *onnxgraph.Model, saveOpts *onnxgraph.SaveOptions, check simplifyCheck, errOut io.Writer) error {
	dir, err := os.MkdirTemp("", "onnxgraph-simplify-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	tmp := filepath.Join(dir, "simplified.onnx")
	o := *saveOpts
	if o.Location != "" {
		o.Location = "simplified.onnx.data"
	}
	if err := m.SaveWith(tmp, &o); err != nil {
		return err
	}
	for seed := range check.runs {
		opts := check.opts
		opts.Seed = uint64(seed)
		diffs, err := compareModels(in, tmp, opts)
		if err != nil {
			return fmt.Errorf("simplify --check: %w", err)
		}
		var bad []string
		for _, d := range diffs {
			if !d.Close {
				msg := fmt.Sprintf("%s (max abs %s, max rel %s)", d.label(), num(d.MaxAbs), num(d.MaxRel))
				if d.Problem != "" {
					msg = d.label() + ": " + d.Problem
				}
				bad = append(bad, msg)
			}
		}
		if len(bad) > 0 {
			return &exitCode{1, fmt.Errorf("simplify --check: with random inputs of seed %d, %d of %d outputs are not close: %s; nothing written", seed, len(bad), len(diffs), capJoin(bad, 10))}
		}
	}
	return nil
}

// modelBytes is the size of the model file at path with the external
// data files m reads.
func modelBytes(path string, m *onnxgraph.Model) int64 {
	total := fileSize(path)
	seen := map[string]bool{}
	visit := func(g *onnxgraph.Graph) bool {
		for _, v := range g.Initializers() {
			t := v.Initializer()
			if !t.IsExternal() {
				continue
			}
			ref, err := t.External()
			if err != nil || seen[ref.Location] {
				continue
			}
			seen[ref.Location] = true
			total += fileSize(filepath.Join(filepath.Dir(path), filepath.FromSlash(ref.Location)))
		}
		return true
	}
	m.Graph().Walk(visit)
	return total
}

func fileSize(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return st.Size()
}

// printSimplifyReport prints the table onnx-simplifier prints (operator
// counts before and after, and the model size), then what each pass did
// and what it left.
func printSimplifyReport(out io.Writer, res simplifyResult) {
	r := res.Report
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "OP TYPE\tORIGINAL\tSIMPLIFIED")
	for _, oc := range r.Ops {
		fmt.Fprintf(tw, "%s\t%d\t%d\n", oc.OpType, oc.Before, oc.After)
	}
	fmt.Fprintf(tw, "total\t%d\t%d\n", r.NodesBefore, r.NodesAfter)
	fmt.Fprintf(tw, "model size\t%s\t%s\n", human(res.ModelBytesBefore), human(res.ModelBytesAfter))
	fmt.Fprintf(tw, "weights\t%s\t%s\n", human(r.ParamBytesBefore), human(r.ParamBytesAfter))
	tw.Flush()
	var changes []string
	for _, c := range r.Changes {
		if c.Changes > 0 {
			changes = append(changes, fmt.Sprintf("%s %d", c.Pass, c.Changes))
		}
	}
	if len(changes) == 0 {
		changes = []string{"none"}
	}
	fmt.Fprintf(out, "changes in %d iterations: %s\n", r.Iterations, strings.Join(changes, ", "))
	if res.Checked > 0 {
		fmt.Fprintf(out, "checked with ONNX Runtime on %d random inputs: every output close\n", res.Checked)
	}
	for _, d := range r.Disabled {
		fmt.Fprintf(out, "pass %s turned off: %s\n", d.Pass, d.Reason)
	}
	if len(r.Left) == 0 {
		return
	}
	// The nodes left as they were, by reason.
	byReason := map[string][]string{}
	for _, l := range r.Left {
		byReason[l.Reason] = append(byReason[l.Reason], fmt.Sprintf("%s (%s)", l.Node, l.OpType))
	}
	reasons := make([]string, 0, len(byReason))
	for k := range byReason {
		reasons = append(reasons, k)
	}
	sort.Strings(reasons)
	fmt.Fprintf(out, "left as they are: %d nodes\n", len(r.Left))
	for _, k := range reasons {
		fmt.Fprintf(out, "  %s: %s\n", k, capJoin(byReason[k], 5))
	}
}
