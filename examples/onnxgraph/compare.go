package main

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/examples/internal/ort"
)

// compareCmd runs two models on the same inputs and compares their outputs.
func compareCmd(c *cmd) {
	feed := c.feedFlags()
	rtol := c.flags.Float64("rtol", defaultRTol, "relative tolerance: a is close to b when |a-b| <= atol + rtol*|b| (b from B)")
	atol := c.flags.Float64("atol", defaultATol, "absolute tolerance")
	equalNaN := c.flags.Bool("equal-nan", false, "count NaN in both as equal")
	var maps []string
	c.flags.StringArrayVar(&maps, "map", nil, "`A_NAME=B_NAME`: A's input or output A_NAME is B's B_NAME (repeatable; otherwise names match)")
	opts := compareOptions{Map: map[string]string{}, Ctx: c.g.ctx}
	c.before(func() error {
		if *rtol < 0 || *atol < 0 || math.IsNaN(*rtol) || math.IsNaN(*atol) {
			return usageErr("--rtol and --atol cannot be negative")
		}
		opts.RTol, opts.ATol, opts.EqualNaN = zeroTol(*rtol), zeroTol(*atol), *equalNaN
		opts.Inputs, opts.Dims, opts.Seed, opts.Lib = feed.inputs, feed.dims, feed.seed, feed.lib
		for _, m := range maps {
			a, b, ok := strings.Cut(m, "=")
			if !ok || a == "" || b == "" {
				return usageErr("--map %s: want A_NAME=B_NAME", m)
			}
			if _, dup := opts.Map[a]; dup {
				return usageErr("--map: %s mapped twice", a)
			}
			opts.Map[a] = b
		}
		return nil
	})
	c.readsModels()
	c.do(2, 2, func(args []string) (*report, error) {
		if err := c.initORT(opts.Lib); err != nil {
			return nil, err
		}
		paths := make([]string, 2)
		for i, a := range args {
			var err error
			if paths[i], err = c.modelFile(a); err != nil {
				return nil, err
			}
		}
		res, err := compareRun(paths[0], paths[1], opts, c.openSession)
		if err != nil {
			return nil, err
		}
		r := comparisonReport(label(args[0]), label(args[1]), res, opts)
		var bad []string
		for _, d := range res.diffs {
			if !d.Close {
				bad = append(bad, d.label())
			}
		}
		if len(bad) > 0 {
			return r, fmt.Errorf("compare: %d of %d outputs not close: %s", len(bad), len(res.diffs), capJoin(bad, 10))
		}
		return r, nil
	})
}

const (
	defaultRTol = 1e-5
	defaultATol = 1e-6
)

// zeroTol maps a tolerance of 0 from a flag to compareOptions' spelling of
// zero.
func zeroTol(x float64) float64 {
	if x == 0 {
		return -1
	}
	return x
}

// compareOptions are the options of compareModels. The zero value compares
// with the default tolerances on random inputs of seed 0, with symbolic
// dimensions 1, matching inputs and outputs by name.
type compareOptions struct {
	// RTol and ATol are the tolerances of NumPy's allclose rule
	// |a-b| <= ATol + RTol*|b|, b from model B. Zero means the default
	// (1e-5 and 1e-6), a negative value means zero.
	RTol, ATol float64
	// EqualNaN counts a NaN in both models as equal.
	EqualNaN bool
	// Map pairs names that differ: A's input or output name to B's.
	Map map[string]string
	// Inputs and Dims are as run's --input and --dims, naming A's inputs
	// (or B's names of mapped ones); Seed seeds the random inputs.
	Inputs, Dims []string
	Seed         uint64
	// Ctx, when set, stops the runs when it is done.
	Ctx context.Context
	// Lib is the ONNX Runtime library; "" finds it as run does.
	Lib string
}

func (o compareOptions) tolerances() (rtol, atol float64) {
	pick := func(x, def float64) float64 {
		switch {
		case x == 0:
			return def
		case x < 0:
			return 0
		}
		return x
	}
	return pick(o.RTol, defaultRTol), pick(o.ATol, defaultATol)
}

// outputDiff is how one output of model A differs from its counterpart in
// model B.
type outputDiff struct {
	A, B           string // the output's names in A and in B
	DTypeA, DTypeB onnxgraph.DataType
	ShapeA, ShapeB []int64
	// Closeness holds MaxAbs, MaxRel, Mismatches, Worst, Close and Problem.
	ort.Closeness
}

func (d outputDiff) label() string {
	if d.A == d.B {
		return d.A
	}
	return d.A + "=" + d.B
}

// comparison is what compareRun found.
type comparison struct {
	fed          []fedInput
	diffs        []outputDiff
	onlyA, onlyB []string // outputs without a counterpart, not compared
}

// compareModels runs the models at paths a and b with ONNX Runtime on the
// same inputs and returns, for each output of A with a counterpart in B (by
// name, or by opts.Map), how close A's values are to B's, in A's output
// order. Outputs without a counterpart are left out; an input of either
// model without a counterpart is an error, as is having no output in
// common. ONNX Runtime must be installed (see initORT).
func compareModels(a, b string, opts compareOptions) ([]outputDiff, error) {
	if _, err := loadORT(opts.Lib); err != nil {
		return nil, err
	}
	res, err := compareRun(a, b, opts, ort.NewSession)
	if err != nil {
		return nil, err
	}
	return res.diffs, nil
}

// compareRun compares the models at pathA and pathB, loaded with open, in
// ONNX Runtime, which the caller has loaded.
func compareRun(pathA, pathB string, opts compareOptions, open func(string) (*ort.Session, error)) (*comparison, error) {
	sa, err := open(pathA)
	if err != nil {
		return nil, err
	}
	defer sa.Close()
	sb, err := open(pathB)
	if err != nil {
		return nil, err
	}
	defer sb.Close()

	// Pair the inputs: every input of one model needs one in the other.
	toB := func(name string) string {
		if m, ok := opts.Map[name]; ok {
			return m
		}
		return name
	}
	inA, inB := modelInputs(pathA, sa.Inputs()), modelInputs(pathB, sb.Inputs())
	byNameB := map[string]int{}
	for i, x := range inB {
		byNameB[x.name] = i
	}
	paired := map[string]bool{} // B's inputs that have a partner
	var missingInB []string
	merged := make([]feedInput, len(inA))
	for i, x := range inA {
		j, ok := byNameB[toB(x.name)]
		if !ok {
			missingInB = append(missingInB, x.name)
			continue
		}
		paired[inB[j].name] = true
		m, err := mergeInput(x, inB[j])
		if err != nil {
			return nil, err
		}
		merged[i] = m
	}
	var missingInA []string
	for _, x := range inB {
		if !paired[x.name] {
			missingInA = append(missingInA, x.name)
		}
	}
	if len(missingInB) > 0 || len(missingInA) > 0 {
		var parts []string
		if len(missingInB) > 0 {
			parts = append(parts, fmt.Sprintf("inputs of %s missing in %s: %s", pathA, pathB, capJoin(missingInB, 10)))
		}
		if len(missingInA) > 0 {
			parts = append(parts, fmt.Sprintf("inputs of %s missing in %s: %s", pathB, pathA, capJoin(missingInA, 10)))
		}
		return nil, fmt.Errorf("compare: %s (pair differing names with --map A_NAME=B_NAME)", strings.Join(parts, "; "))
	}

	// --input and --dims may use B's names of mapped inputs.
	fromB := map[string]string{}
	for a, b := range opts.Map {
		fromB[b] = a
	}
	rename := func(specs []string) []string {
		out := make([]string, len(specs))
		for i, s := range specs {
			if name, rest, ok := strings.Cut(s, "="); ok {
				if a, mapped := fromB[name]; mapped && !slices.ContainsFunc(inA, func(x feedInput) bool { return x.name == name }) {
					s = a + "=" + rest
				}
			}
			out[i] = s
		}
		return out
	}
	fed, err := makeInputs(merged, rename(opts.Inputs), rename(opts.Dims), opts.Seed)
	if err != nil {
		return nil, err
	}
	feedA := make(map[string]*ort.Tensor, len(fed))
	feedB := make(map[string]*ort.Tensor, len(fed))
	for _, f := range fed {
		feedA[f.name] = f.tensor
		feedB[toB(f.name)] = f.tensor
	}
	ctx := opts.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	outA, err := sa.RunContext(ctx, feedA)
	if err != nil {
		return nil, err
	}
	outB, err := sb.RunContext(ctx, feedB)
	if err != nil {
		return nil, err
	}

	res := &comparison{fed: fed}
	infoB := sb.Outputs()
	matched := map[string]bool{}
	for _, x := range sa.Outputs() {
		nameB := toB(x.Name)
		tb, ok := outB[nameB]
		if !ok {
			res.onlyA = append(res.onlyA, x.Name)
			continue
		}
		matched[nameB] = true
		ta := outA[x.Name]
		rtol, atol := opts.tolerances()
		d := outputDiff{A: x.Name, B: nameB, DTypeA: ta.DType, DTypeB: tb.DType, ShapeA: ta.Shape, ShapeB: tb.Shape,
			Closeness: ort.Compare(ta, tb, rtol, atol, opts.EqualNaN)}
		res.diffs = append(res.diffs, d)
	}
	for _, x := range infoB {
		if !matched[x.Name] {
			res.onlyB = append(res.onlyB, x.Name)
		}
	}
	if len(res.diffs) == 0 {
		return nil, fmt.Errorf("compare: no output of %s has a counterpart in %s (outputs: %s and %s; pair them with --map A_NAME=B_NAME)",
			pathA, pathB, capJoin(res.onlyA, 10), capJoin(res.onlyB, 10))
	}
	return res, nil
}

// mergeInput combines an input of A with its partner in B: the element
// types must agree, and a size either model fixes is the size.
func mergeInput(a, b feedInput) (feedInput, error) {
	label := a.name
	if a.name != b.name {
		label = a.name + "=" + b.name
	}
	if a.dtype != b.dtype {
		return a, fmt.Errorf("compare: input %s is %s in A and %s in B", label, onnxgraph.DataTypeName(a.dtype), onnxgraph.DataTypeName(b.dtype))
	}
	switch {
	case !b.rankKnown:
		return a, nil
	case !a.rankKnown:
		b.name = a.name
		return b, nil
	case len(a.shape) != len(b.shape):
		return a, fmt.Errorf("compare: input %s has shape %s in A and %s in B", label, shapeString(a.shape), shapeString(b.shape))
	}
	m := a
	m.shape = slices.Clone(a.shape)
	for d, size := range b.shape {
		switch {
		case size < 0:
		case m.shape[d] < 0:
			m.shape[d] = size
		case m.shape[d] != size:
			return a, fmt.Errorf("compare: input %s has shape %s in A and %s in B", label, shapeString(a.shape), shapeString(b.shape))
		}
	}
	if m.params == nil && b.params != nil {
		m.params = b.params
	}
	return m, nil
}

// compared is compare's report.
type compared struct {
	A, B        string
	ONNXRuntime string       `json:"onnxruntime"`
	Inputs      []fedReport  `json:"inputs"`
	Outputs     []diffReport `json:"outputs"`
	OnlyA       []string     `json:"only_a,omitempty"` // outputs of A not compared
	OnlyB       []string     `json:"only_b,omitempty"`
	RTol, ATol  float64
	EqualNaN    bool `json:"equal_nan"`
	Close       int  `json:"close"` // outputs close
}

// diffReport is how an output of A differs from its counterpart in B.
type diffReport struct {
	A, B           string
	DTypeA, DTypeB string
	ShapeA, ShapeB []int64
	MaxAbs, MaxRel jsonFloat
	Mismatches     int
	Elements       int64
	Close          bool
	Worst          string `json:",omitempty"` // where the difference is largest: "[i,j] A a, B b"
	Problem        string `json:",omitempty"`
}

func comparisonReport(pathA, pathB string, res *comparison, opts compareOptions) *report {
	r := &compared{A: pathA, B: pathB, ONNXRuntime: ort.Version(), Inputs: fedReports(res.fed), OnlyA: res.onlyA, OnlyB: res.onlyB, EqualNaN: opts.EqualNaN}
	r.RTol, r.ATol = opts.tolerances()
	for _, d := range res.diffs {
		x := diffReport{A: d.A, B: d.B, DTypeA: onnxgraph.DataTypeName(d.DTypeA), DTypeB: onnxgraph.DataTypeName(d.DTypeB),
			ShapeA: d.ShapeA, ShapeB: d.ShapeB, MaxAbs: jsonFloat(d.MaxAbs), MaxRel: jsonFloat(d.MaxRel),
			Mismatches: d.Mismatches, Elements: onnxgraph.NumElements(d.ShapeA), Close: d.Close, Problem: d.Problem}
		if !d.Close && d.Worst >= 0 && d.Problem == "" {
			x.Worst = fmt.Sprintf("%s: A %s, B %s", indexString(d.Worst, d.ShapeA), num(d.WorstA), num(d.WorstB))
		}
		if d.Close {
			r.Close++
		}
		r.Outputs = append(r.Outputs, x)
	}
	return reportOf(r, func(p *printer) { printComparison(p, r) })
}

func printComparison(p *printer, r *compared) {
	p.line("A: %s", r.A)
	p.line("B: %s", r.B)
	p.line("onnxruntime: %s", r.ONNXRuntime)
	printInputs(p, r.Inputs)
	tw, flush := p.table(0)
	tw.line("OUTPUT\tTYPE\tMAX ABS\tMAX REL\tMISMATCHED\tCLOSE")
	var notes []string
	for _, d := range r.Outputs {
		label := d.A
		if d.A != d.B {
			label = d.A + "=" + d.B
		}
		typ := d.DTypeA + " " + shapeString(d.ShapeA)
		if typB := d.DTypeB + " " + shapeString(d.ShapeB); typB != typ {
			typ += " vs " + typB
		}
		close := "yes"
		if !d.Close {
			close = "NO"
		}
		tw.line("%s\t%s\t%s\t%s\t%d/%d\t%s", label, typ, num(float64(d.MaxAbs)), num(float64(d.MaxRel)), d.Mismatches, d.Elements, close)
		switch {
		case d.Problem != "":
			notes = append(notes, esc(label)+": "+d.Problem)
		case d.Worst != "":
			notes = append(notes, esc(label)+": largest difference at "+d.Worst)
		}
	}
	flush()
	for _, n := range notes {
		p.line("  %s", n)
	}
	if len(r.OnlyA) > 0 {
		p.line("not compared, only in A: %s", capJoin(r.OnlyA, 10))
	}
	if len(r.OnlyB) > 0 {
		p.line("not compared, only in B: %s", capJoin(r.OnlyB, 10))
	}
	nan := ""
	if r.EqualNaN {
		nan = ", NaN equal to NaN"
	}
	p.line("%d of %d outputs close (|a-b| <= atol + rtol*|b|, rtol %s, atol %s%s)", r.Close, len(r.Outputs), num(r.RTol), num(r.ATol), nan)
}

// indexString renders the row-major index i in shape as [i0,i1,...].
func indexString(i int, shape []int64) string {
	idx := make([]int64, len(shape))
	rest := int64(i)
	for d := len(shape) - 1; d >= 0; d-- {
		if shape[d] > 0 {
			idx[d] = rest % shape[d]
			rest /= shape[d]
		}
	}
	return shapeString(idx)
}
