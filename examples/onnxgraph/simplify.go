package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/simplify"
)

// simplifyCmd simplifies a model as onnx-simplifier does (and onnxslim),
// in one pure-Go call, run to a fixed point.
func simplifyCmd(c *cmd) {
	var passNames []string
	for _, p := range simplify.Passes() {
		passNames = append(passNames, p.Name)
	}
	maxFold := c.flags.Int64("max-fold-bytes", simplify.DefaultMaxFoldBytes, "largest result a constant fold may create (unless it makes the model no larger); negative: no limit")
	var inputs, skipPass, skipOp []string
	var inputText map[string]string // --input as given, for the record
	c.flags.StringArrayVar(&inputs, "input", nil, "fix a graph input's dims: `NAME=D0,D1,...` (sizes or names; onnx-simplifier's --overwrite-input-shape); repeatable")
	c.flags.StringArrayVar(&skipPass, "skip-pass", nil, "a pass not to run (repeatable or comma list): "+strings.Join(passNames, ", "))
	c.flags.StringArrayVar(&skipOp, "skip-op", nil, "an operator type (OP or DOMAIN:OP) whose nodes are left as they are (repeatable or comma list)")
	foldQDQ := c.flags.Bool("fold-qdq", false, "fold QuantizeLinear/DequantizeLinear of constants too (by default quantized weights stay quantized)")
	iters := c.flags.Int("max-iterations", 0, "bound on fixed-point iterations (0: the default)")
	check := c.flags.Int("check", 0, "run IN and the result with ONNX Runtime on `N` random inputs (seeds 0..N-1, symbolic dims 1) and fail, writing nothing, unless every output is close by compare's rule")
	rtol := c.flags.Float64("rtol", defaultRTol, "with --check, the relative tolerance")
	atol := c.flags.Float64("atol", defaultATol, "with --check, the absolute tolerance")
	lib := c.flags.String("ort-lib", "", "with --check, the ONNX Runtime library (as run's --ort-lib)")
	opts := &simplify.Options{}
	c.before(func() error {
		if *check < 0 || *rtol < 0 || *atol < 0 || math.IsNaN(*rtol) || math.IsNaN(*atol) {
			return usageErr("--check, --rtol and --atol cannot be negative")
		}
		if *maxFold == 0 {
			return usageErr("--max-fold-bytes is a positive size, or -1 for no limit")
		}
		*opts = simplify.Options{MaxFoldBytes: *maxFold, FoldQDQ: *foldQDQ, MaxIterations: *iters,
			SkipPasses: splitList(strings.Join(skipPass, ",")), SkipOps: splitList(strings.Join(skipOp, ","))}
		var err error
		if inputText, opts.Inputs, err = namedDims("input", inputs); err != nil {
			return err
		}
		return nil
	})
	c.edit(func(m *onnxgraph.Model) (*report, error) {
		in, out := c.argv[0], c.argv[1]
		if *check > 0 && in == stdio {
			return nil, usageErr("--check runs IN with ONNX Runtime: give it as a file")
		}
		res := &simplifyResult{ModelBytesBefore: modelBytes(in, m)}
		if in == stdio {
			res.ModelBytesBefore = c.stdinSize
		}
		external := externalTensor(m) != nil
		p := c.progress("simplifying", 0)
		var err error
		res.Report, err = simplify.SimplifyContext(c.g.ctx, m, opts)
		p.done()
		if err != nil {
			return nil, err
		}
		// New tensors of a model with external data go to OUT.data.
		if o, _ := c.out.options(); o.External == onnxgraph.ExternalKeep && external && out != stdio {
			o.Location = filepath.Base(out) + ".data"
		}
		if *check > 0 {
			o, _ := c.out.options()
			if err := checkSimplified(in, m, o, simplifyCheck{*check, compareOptions{RTol: zeroTol(*rtol), ATol: zeroTol(*atol), Lib: *lib, Ctx: c.g.ctx}}); err != nil {
				return nil, err
			}
			res.Checked = *check
		}
		r := reportOf(res, func(p *printer) { printSimplifyReport(p, res) })
		r.finish = func() { res.ModelBytesAfter = savedBytes(out, c.stdoutSize) }
		return r, nil
	})
	c.records(func() onnxgraph.StepArgs {
		st := &simplify.ScriptStep{SkipPass: opts.SkipPasses, SkipOp: opts.SkipOps, FoldQDQ: opts.FoldQDQ, MaxIterations: opts.MaxIterations}
		if opts.MaxFoldBytes != simplify.DefaultMaxFoldBytes {
			st.MaxFoldBytes = opts.MaxFoldBytes
		}
		st.Input = inputText
		return st
	})
}

// savedBytes is the size of the model saved at path with its external
// data, or n for standard output.
func savedBytes(path string, n int64) int64 {
	if path == stdio {
		return n
	}
	saved, err := onnxgraph.Open(path, &onnxgraph.LoadOptions{SkipExternalCheck: true})
	if err != nil {
		return 0
	}
	defer saved.Close()
	return modelBytes(path, saved)
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

// checkSimplified saves m to a scratch folder and compares it with the
// model at in on check.runs random inputs.
func checkSimplified(in string, m *onnxgraph.Model, saveOpts *onnxgraph.SaveOptions, check simplifyCheck) error {
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
			return fmt.Errorf("simplify --check: with random inputs of seed %d, %d of %d outputs are not close: %s; nothing written", seed, len(bad), len(diffs), capJoin(bad, 10))
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
func printSimplifyReport(p *printer, res *simplifyResult) {
	r := res.Report
	tw, flush := p.table(0)
	tw.line("OP TYPE\tORIGINAL\tSIMPLIFIED")
	for _, oc := range r.Ops {
		tw.line("%s\t%d\t%d", oc.OpType, oc.Before, oc.After)
	}
	tw.line("total\t%d\t%d", r.NodesBefore, r.NodesAfter)
	tw.line("model size\t%s\t%s", onnxgraph.FormatBytes(res.ModelBytesBefore), onnxgraph.FormatBytes(res.ModelBytesAfter))
	tw.line("weights\t%s\t%s", onnxgraph.FormatBytes(r.ParamBytesBefore), onnxgraph.FormatBytes(r.ParamBytesAfter))
	flush()
	var changes []string
	for _, c := range r.Changes {
		if c.Changes > 0 {
			changes = append(changes, fmt.Sprintf("%s %d", esc(c.Pass), c.Changes))
		}
	}
	if len(changes) == 0 {
		changes = []string{"none"}
	}
	p.line("changes in %d iterations: %s", r.Iterations, strings.Join(changes, ", "))
	if res.Checked > 0 {
		p.line("checked with ONNX Runtime on %d random inputs: every output close", res.Checked)
	}
	for _, d := range r.Disabled {
		p.line("pass %s turned off: %s", d.Pass, d.Reason)
	}
	if len(r.Left) == 0 {
		return
	}
	// The nodes left as they were, by reason.
	byReason := map[string][]string{}
	for _, l := range r.Left {
		byReason[l.Reason] = append(byReason[l.Reason], fmt.Sprintf("%s (%s)", esc(l.Node), esc(l.OpType)))
	}
	p.line("left as they are: %d nodes", len(r.Left))
	for _, k := range sortedKeys(byReason) {
		p.line("  %s: %s", k, capJoin(byReason[k], 5))
	}
}
