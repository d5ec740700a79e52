package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/examples/internal/ort"
)

// runCmd runs a model with ONNX Runtime (sit4onnx).
func runCmd(c *cmd) {
	feed := c.feedFlags()
	repeat := c.flags.Int("repeat", 0, "time this many runs and print the latency (mean, median, min, max, p90); 0 runs once untimed")
	warmup := c.flags.Int("warmup", 1, "with --repeat, untimed runs before the timed ones")
	save := c.flags.String("save-outputs", "", "write each output to `DIR`/NAME.npy (characters other than letters, digits, '.', '-' and '_' in NAME become '_')")
	c.before(func() error {
		if *repeat < 0 || *warmup < 0 {
			return usageErr("--repeat and --warmup cannot be negative")
		}
		return nil
	})
	c.readsModels()
	c.do(1, 1, func(args []string) (*report, error) {
		return c.runModel(args[0], feed, *repeat, *warmup, *save)
	})
}

// feedFlags are the flags run and compare share: what to feed the model.
type feedFlags struct {
	inputs []string
	dims   []string
	seed   uint64
	lib    string
}

// feedFlags declares the flags of what to feed a model.
func (c *cmd) feedFlags() *feedFlags {
	f := &feedFlags{}
	c.flags.StringArrayVar(&f.inputs, "input", nil, "`NAME=SOURCE`: feed input NAME from SOURCE, which is a .npy file, random (seeded, see --seed), ones or zeros; a SOURCE alone applies to every input not named (repeatable; default random)")
	c.flags.StringArrayVar(&f.dims, "dims", nil, "`NAME=D0,D1,...` gives input NAME that shape, SYM=SIZE gives every dimension named SYM that size (repeatable; unset symbolic dimensions are 1)")
	c.flags.Uint64Var(&f.seed, "seed", 0, "seed of the random inputs")
	c.flags.StringVar(&f.lib, "ort-lib", "", "ONNX Runtime shared library (default $"+ort.EnvLibrary+", then the npm package onnxruntime-node)")
	return f
}

// initORT loads ONNX Runtime from lib, or from where ort.FindLibrary looks
// when lib is "", and routes its log to the command's standard error:
// warnings (-v: information too, -vv: everything), each once, as lines of
// their own. Errors are not printed from the log: the failing call returns
// them, and the command prints them once.
func (c *cmd) initORT(lib string) error {
	level := ort.LogWarning
	switch {
	case c.g.quiet:
		level = ort.LogFatal
	case c.verbose(2):
		level = ort.LogVerbose
	case c.verbose(1):
		level = ort.LogInfo
	}
	seen := map[string]bool{}
	err := ort.SetLog(level, func(m ort.LogMessage) {
		if (m.Level >= ort.LogError && !c.verbose(1)) || seen[m.Text] {
			return
		}
		seen[m.Text] = true
		text := strings.TrimRight(m.Text, "\n")
		if c.verbose(2) && m.Location != "" {
			text += " (" + m.Location + ")"
		}
		printError(c.stderr, fmt.Errorf("onnxruntime %s: %s", m.Level, text))
	})
	if err != nil {
		return err
	}
	c.cleanups = append(c.cleanups, func() { ort.SetLog(ort.LogError, nil) })
	_, err = loadORT(lib)
	return err
}

// loadORT loads ONNX Runtime from lib, or from where ort.FindLibrary looks
// when lib is "", and returns the library's path.
func loadORT(lib string) (string, error) {
	if lib != "" {
		if st, err := os.Stat(lib); err != nil || !st.Mode().IsRegular() {
			return "", fmt.Errorf("run: --ort-lib %s is not a file: point it at libonnxruntime, or install ONNX Runtime in the repository's root folder with `%s`", lib, ort.InstallHint)
		}
	} else {
		var err error
		if lib, err = ort.FindLibrary(); err != nil {
			return "", err
		}
	}
	return lib, ort.Init(lib)
}

// openSession loads the model into ONNX Runtime, showing progress on a
// terminal.
func (c *cmd) openSession(path string) (*ort.Session, error) {
	p := c.progress("loading "+path+" into ONNX Runtime", 0)
	defer p.done()
	return ort.NewSession(path)
}

// ran is run's report.
type ran struct {
	Model       string       `json:"model"`
	ONNXRuntime string       `json:"onnxruntime"`
	Inputs      []fedReport  `json:"inputs"`
	Outputs     []outReport  `json:"outputs"`
	Latency     *ort.Latency `json:"latency,omitempty"`
	Warmup      int          `json:"warmup,omitempty"`
	Saved       []savedNPY   `json:"saved,omitempty"`
}

type outReport struct {
	Name   string    `json:"name"`
	DType  string    `json:"dtype"`
	Shape  []int64   `json:"shape"`
	SHA256 string    `json:"sha256"`
	Stats  *outStats `json:"stats,omitempty"`
}

// outStats are an output's statistics (see ort.Stats).
type outStats struct {
	Count          int       `json:"count"`
	NaNs           int       `json:"nans"`
	Mean, Min, Max jsonFloat `json:"-"`
}

// MarshalJSON writes the statistics, infinities and NaN as strings.
func (s outStats) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]any{"count": s.Count, "nans": s.NaNs, "mean": s.Mean, "min": s.Min, "max": s.Max})
}

type savedNPY struct {
	Output string `json:"output"`
	File   string `json:"file"`
}

func (c *cmd) runModel(arg string, feed *feedFlags, repeat, warmup int, saveDir string) (*report, error) {
	if err := c.initORT(feed.lib); err != nil {
		return nil, err
	}
	path, err := c.modelFile(arg)
	if err != nil {
		return nil, err
	}
	s, err := c.openSession(path)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	fed, err := makeInputs(modelInputs(path, s.Inputs()), feed.inputs, feed.dims, feed.seed)
	if err != nil {
		return nil, err
	}
	inputs := make(map[string]*ort.Tensor, len(fed))
	for _, f := range fed {
		inputs[f.name] = f.tensor
	}
	b, err := s.Bind(inputs)
	if err != nil {
		return nil, err
	}
	defer b.Close()

	var times []time.Duration
	if repeat == 0 {
		if err := b.RunContext(c.g.ctx); err != nil {
			return nil, err
		}
	} else {
		p := c.progress("running "+label(arg), warmup+repeat)
		for i := range warmup + repeat {
			start := time.Now()
			err := b.RunContext(c.g.ctx)
			if i >= warmup {
				times = append(times, time.Since(start))
			}
			if err != nil {
				p.done()
				return nil, err
			}
			p.step()
		}
		p.done()
	}
	outputs, err := b.Outputs()
	if err != nil {
		return nil, err
	}
	r := &ran{Model: label(arg), ONNXRuntime: ort.Version(), Inputs: fedReports(fed)}
	for _, x := range s.Outputs() {
		t := outputs[x.Name]
		o := outReport{Name: x.Name, DType: onnxgraph.DataTypeName(t.DType), Shape: t.Shape, SHA256: t.Checksum()}
		if st, err := t.Stats(); err == nil && st.Count > 0 {
			o.Stats = &outStats{st.Count, st.NaNs, jsonFloat(st.Mean), jsonFloat(st.Min), jsonFloat(st.Max)}
		}
		r.Outputs = append(r.Outputs, o)
	}
	if repeat > 0 {
		l := ort.LatencyOf(times)
		r.Latency, r.Warmup = &l, warmup
	}
	if saveDir != "" {
		if r.Saved, err = saveOutputs(saveDir, s.Outputs(), outputs); err != nil {
			return nil, err
		}
	}
	return reportOf(r, func(p *printer) {
		p.line("model: %s", r.Model)
		p.line("onnxruntime: %s", r.ONNXRuntime)
		printInputs(p, r.Inputs)
		p.line("outputs:")
		tw, flush := p.table(0)
		for _, o := range r.Outputs {
			tw.line("  %s\t%s\t%s\t%s", o.Name, o.DType, shapeString(o.Shape), describeOutput(o))
		}
		flush()
		if l := r.Latency; l != nil {
			p.line("latency over %d runs after %d warm-up: mean %s  median %s  min %s  max %s  p90 %s",
				l.Runs, r.Warmup, ms(l.Mean), ms(l.Median), ms(l.Min), ms(l.Max), ms(l.P90))
		}
		for _, sv := range r.Saved {
			p.line("saved %s to %s", sv.Output, sv.File)
		}
	}), nil
}

// describeOutput is the checksum of an output's bytes and, for numeric
// types, the mean, minimum and maximum of its values.
func describeOutput(o outReport) string {
	s := "sha256:" + o.SHA256
	if st := o.Stats; st != nil {
		s += fmt.Sprintf("  mean %s  min %s  max %s", num(float64(st.Mean)), num(float64(st.Min)), num(float64(st.Max)))
		if st.NaNs > 0 {
			s += fmt.Sprintf("  NaN %d", st.NaNs)
		}
	}
	return s
}

func num(x float64) string { return strconv.FormatFloat(x, 'g', 6, 64) }

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 3, 64) + " ms"
}

func shapeString(shape []int64) string {
	parts := make([]string, len(shape))
	for i, d := range shape {
		if d < 0 {
			parts[i] = "?"
		} else {
			parts[i] = strconv.FormatInt(d, 10)
		}
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// saveOutputs writes each output to dir as a .npy file named after it.
func saveOutputs(dir string, order []ort.ValueInfo, outputs map[string]*ort.Tensor) ([]savedNPY, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("run: %w", err)
	}
	var saved []savedNPY
	used := map[string]bool{}
	for _, x := range order {
		base := npyFileName(x.Name)
		name := base
		for i := 2; used[strings.ToLower(name)]; i++ {
			name = base + "_" + strconv.Itoa(i)
		}
		used[strings.ToLower(name)] = true
		file := filepath.Join(dir, name+".npy")
		t, err := outputs[x.Name].Graph(x.Name)
		if err != nil {
			return nil, fmt.Errorf("run: output %q: %w", x.Name, err)
		}
		if err := t.WriteNPYFile(file); err != nil {
			return nil, fmt.Errorf("run: output %q: %w", x.Name, err)
		}
		saved = append(saved, savedNPY{x.Name, file})
	}
	return saved, nil
}

// npyFileName makes a value name safe as a file name.
func npyFileName(name string) string {
	b := []byte(name)
	for i, c := range b {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '-' || c == '_') {
			b[i] = '_'
		}
	}
	if s := string(b); s != "" && strings.Trim(s, ".") != "" {
		return s
	}
	return "output_" + string(b)
}

// feedInput is one input of a model to feed: its type and shape as ONNX
// Runtime reports them (-1: symbolic or unknown) and the names the model
// declares for its symbolic dimensions.
type feedInput struct {
	name      string
	dtype     onnxgraph.DataType
	shape     []int64
	params    []string // per dimension, "" when it has no name; nil when unknown
	rankKnown bool     // false when ONNX Runtime and the model know no shape
}

// fedInput is an input made for a run and how it was made.
type fedInput struct {
	name   string
	tensor *ort.Tensor
	source string   // "random (seed 1)", "ones", "zeros" or the .npy file
	notes  []string // dimensions that took the default size
}

// modelInputs returns the inputs of session info, with the symbolic
// dimension names the model at path declares (read with onnxgraph; when it
// cannot be read, dimensions stay unnamed).
func modelInputs(path string, info []ort.ValueInfo) []feedInput {
	declared := map[string]*onnxgraph.Value{}
	m, err := onnxgraph.Open(path, &onnxgraph.LoadOptions{SkipExternalCheck: true})
	if err == nil {
		defer m.Close()
		for _, v := range m.Graph().Inputs() {
			declared[v.Name()] = v
		}
	}
	out := make([]feedInput, len(info))
	for i, x := range info {
		in := feedInput{name: x.Name, dtype: x.DType, shape: slices.Clone(x.Shape), rankKnown: len(x.Shape) > 0}
		if v := declared[x.Name]; v != nil {
			if dims, names, ok := v.Shape(); ok {
				in.rankKnown = true
				if len(dims) == len(in.shape) {
					in.params = names
				}
			} else {
				in.rankKnown = len(x.Shape) > 0
			}
		}
		out[i] = in
	}
	return out
}

// inputSources parses --input flags against the inputs: a source per input
// name, and the default source for the others.
func inputSources(inputs []feedInput, specs []string) (map[string]string, string, error) {
	names := make([]string, len(inputs))
	for i, x := range inputs {
		names[i] = x.name
	}
	bySource := map[string]string{}
	def := "random"
	for _, spec := range specs {
		if isKind(spec) {
			def = spec
			continue
		}
		name, src, ok := strings.Cut(spec, "=")
		if !ok || !slices.Contains(names, name) {
			if slices.Contains(names, spec) {
				return nil, "", usageErr("--input %s: say what to feed it: %s=FILE.npy, random, ones or zeros", spec, spec)
			}
			if ok {
				return nil, "", fmt.Errorf("--input %s: the model has no input %q (inputs: %s)", spec, name, capJoin(names, 10))
			}
			if len(names) != 1 {
				return nil, "", usageErr("--input %s: name the input (NAME=%s); the model has %d inputs", spec, spec, len(names))
			}
			name, src = names[0], spec
		}
		if _, dup := bySource[name]; dup {
			return nil, "", usageErr("--input: input %q given twice", name)
		}
		bySource[name] = src
	}
	return bySource, def, nil
}

func isKind(s string) bool { return s == "random" || s == "ones" || s == "zeros" }

// parseDims parses --dims flags: shapes by input name, and sizes of named
// dimensions.
func parseDims(inputs []feedInput, specs []string) (shapes map[string][]int64, sizes map[string]int64, err error) {
	shapes, sizes = map[string][]int64{}, map[string]int64{}
	names := make([]string, len(inputs))
	var params []string
	for i, x := range inputs {
		names[i] = x.name
		for _, p := range x.params {
			if p != "" && !slices.Contains(params, p) {
				params = append(params, p)
			}
		}
	}
	for _, spec := range specs {
		key, list, ok := strings.Cut(spec, "=")
		if !ok {
			return nil, nil, usageErr("--dims %s: want NAME=D0,D1,... or SYMBOL=SIZE", spec)
		}
		var dims []int64
		if strings.TrimSpace(list) != "" {
			for _, part := range strings.Split(list, ",") {
				d, err := strconv.ParseInt(strings.TrimSpace(part), 10, 64)
				if err != nil || d < 0 {
					return nil, nil, usageErr("--dims %s: %q is not a size", spec, part)
				}
				dims = append(dims, d)
			}
		}
		switch {
		case slices.Contains(names, key):
			shapes[key] = dims
		case slices.Contains(params, key):
			if len(dims) != 1 {
				return nil, nil, usageErr("--dims %s: %s is a symbolic dimension and takes one size", spec, key)
			}
			sizes[key] = dims[0]
		default:
			sym := "none"
			if len(params) > 0 {
				sym = capJoin(params, 10)
			}
			return nil, nil, fmt.Errorf("--dims %s: the model has no input or symbolic dimension %q (inputs: %s; symbolic dimensions: %s)", spec, key, capJoin(names, 10), sym)
		}
	}
	return shapes, sizes, nil
}

// makeInputs makes the tensors to feed inputs from --input, --dims and
// --seed. Shapes come, by priority, from a .npy file, from --dims NAME=...,
// and from the model, whose symbolic dimensions take their size from --dims
// SYMBOL=SIZE, then from another input given a shape with the same symbol,
// then 1. Random inputs are drawn in input order from one generator, so
// with every input random and no symbolic dimension set they equal
// ort.RandomInputs(model, seed).
func makeInputs(inputs []feedInput, inputSpecs, dimSpecs []string, seed uint64) ([]fedInput, error) {
	sources, def, err := inputSources(inputs, inputSpecs)
	if err != nil {
		return nil, err
	}
	shapes, sizes, err := parseDims(inputs, dimSpecs)
	if err != nil {
		return nil, err
	}
	fed := make([]fedInput, len(inputs))
	given := make([]bool, len(inputs)) // the shape is fixed by a file or --dims
	for i, x := range inputs {
		fed[i] = fedInput{name: x.name, source: def}
		if src, ok := sources[x.name]; ok {
			fed[i].source = src
		}
		var shape []int64
		var what string
		switch {
		case !isKind(fed[i].source):
			t, err := readNPYInput(fed[i].source, x)
			if err != nil {
				return nil, err
			}
			fed[i].tensor, shape, what = t, t.Shape, "file "+fed[i].source
		case shapes[x.name] != nil:
			shape, what = shapes[x.name], "--dims"
		default:
			continue
		}
		if err := fits(x, shape); err != nil {
			return nil, fmt.Errorf("input %q: the shape %s from %s %w", x.name, shapeString(shape), what, err)
		}
		given[i] = true
		for d, p := range x.params {
			if _, set := sizes[p]; p != "" && !set && x.shape[d] < 0 {
				sizes[p] = shape[d]
			}
		}
		if fed[i].tensor == nil {
			fed[i].tensor = &ort.Tensor{DType: x.dtype, Shape: slices.Clone(shape)}
		}
	}
	r := ort.NewRand(seed)
	for i, x := range inputs {
		f := &fed[i]
		if !given[i] {
			if !x.rankKnown {
				return nil, fmt.Errorf("input %q: its rank is unknown: give its shape with --dims %s=D0,D1,... or its data with --input %s=FILE.npy", x.name, x.name, x.name)
			}
			shape := slices.Clone(x.shape)
			for d := range shape {
				if shape[d] >= 0 {
					continue
				}
				p := ""
				if x.params != nil {
					p = x.params[d]
				}
				if size, ok := sizes[p]; ok && p != "" {
					shape[d] = size
					continue
				}
				shape[d] = 1
				if p != "" {
					f.notes = append(f.notes, fmt.Sprintf("symbolic dimension %s of %s set to 1 (use --dims %s=SIZE)", p, x.name, p))
				} else {
					f.notes = append(f.notes, fmt.Sprintf("unknown dimension %d of %s set to 1 (use --dims %s=D0,D1,...)", d, x.name, x.name))
				}
			}
			f.tensor = &ort.Tensor{DType: x.dtype, Shape: shape}
		}
		if f.tensor.Data != nil || (!isKind(f.source)) {
			continue
		}
		var t *ort.Tensor
		var err error
		switch f.source {
		case "random":
			t, err = ort.RandomTensor(r, x.dtype, f.tensor.Shape)
			f.source = fmt.Sprintf("random (seed %d)", seed)
		case "ones":
			t, err = ort.Full(x.dtype, f.tensor.Shape, 1)
		case "zeros":
			t, err = ort.Full(x.dtype, f.tensor.Shape, 0)
		}
		if err != nil {
			return nil, fmt.Errorf("input %q: %w", x.name, err)
		}
		f.tensor = t
	}
	return fed, nil
}

// fits checks a shape against an input's known rank and sizes.
func fits(x feedInput, shape []int64) error {
	if len(x.shape) == 0 && !x.rankKnown {
		return nil
	}
	if len(shape) != len(x.shape) {
		return fmt.Errorf("does not fit the model's %s (rank %d, not %d)", shapeString(x.shape), len(x.shape), len(shape))
	}
	for d, size := range x.shape {
		if size >= 0 && shape[d] != size {
			return fmt.Errorf("does not fit the model's %s (dimension %d is %d)", shapeString(x.shape), d, size)
		}
	}
	return nil
}

// readNPYInput reads a .npy file for input x, which must hold x's element
// type (or the container .npy uses for it).
func readNPYInput(path string, x feedInput) (*ort.Tensor, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) && !strings.HasSuffix(path, ".npy") {
			return nil, fmt.Errorf("--input %s=%s: no such file (SOURCE is a .npy file, random, ones or zeros)", x.name, path)
		}
		return nil, fmt.Errorf("--input %s: %w", x.name, err)
	}
	defer f.Close()
	t, err := onnxgraph.ReadNPYAs(bufio.NewReader(f), x.name, x.dtype)
	if err != nil {
		return nil, fmt.Errorf("--input %s=%s: %w (the model wants %s)", x.name, path, err, onnxgraph.DataTypeName(x.dtype))
	}
	return ort.FromGraph(t)
}

// fedReport is an input fed to a run, as reports show it.
type fedReport struct {
	Name   string   `json:"name"`
	DType  string   `json:"dtype"`
	Shape  []int64  `json:"shape"`
	Source string   `json:"source"`
	Notes  []string `json:"notes,omitempty"`
}

func fedReports(fed []fedInput) []fedReport {
	out := make([]fedReport, len(fed))
	for i, f := range fed {
		out[i] = fedReport{f.name, onnxgraph.DataTypeName(f.tensor.DType), f.tensor.Shape, f.source, f.notes}
	}
	return out
}

// printInputs lists the inputs fed and notes the dimensions that took a
// default size.
func printInputs(p *printer, fed []fedReport) {
	p.line("inputs:")
	tw, flush := p.table(0)
	for _, f := range fed {
		tw.line("  %s\t%s\t%s\t%s", f.Name, f.DType, shapeString(f.Shape), f.Source)
	}
	flush()
	for _, f := range fed {
		for _, n := range f.Notes {
			p.line("  note: %s", n)
		}
	}
}
