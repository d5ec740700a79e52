package main

import (
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph/examples/internal/ort/orttest"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/examples/internal/ort"
	"github.com/onnxgraph/onnxgraph/internal/suitetest"
	"github.com/onnxgraph/onnxgraph/samples"
)

// saveModel saves m in a temporary folder as name and returns the path.
func saveModel(t *testing.T, m *onnxgraph.Model, name string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// runOK runs the CLI and fails the test unless it exits 0.
func runOK(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := runCLI(t, args...)
	if code != 0 {
		t.Fatalf("onnxgraph %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out, errOut)
	}
	if errOut != "" {
		t.Errorf("stderr is not empty off a terminal: %q", errOut)
	}
	return out
}

// outputLine is one line of run's output list.
type outputLine struct {
	dtype, shape, sum string
	rest              string
}

var outputRE = regexp.MustCompile(`(?m)^  (\S+)\s+(\S+)\s+(\[[0-9?,]*\])\s+sha256:([0-9a-f]{8})(.*)$`)

// outputsOf parses the outputs run printed.
func outputsOf(t *testing.T, out string) map[string]outputLine {
	t.Helper()
	_, list, ok := strings.Cut(out, "\noutputs:\n")
	if !ok {
		t.Fatalf("no outputs in\n%s", out)
	}
	m := map[string]outputLine{}
	for _, g := range outputRE.FindAllStringSubmatch(list, -1) {
		m[g[1]] = outputLine{dtype: g[2], shape: g[3], sum: g[4], rest: g[5]}
	}
	return m
}

func TestRunMNIST(t *testing.T) {
	orttest.Find(t)
	path := saveModel(t, samples.MNIST(), "mnist.onnx")
	const out0 = "Plus214_Output_0"
	sums := map[string]string{}
	for _, src := range []string{"random", "ones", "zeros"} {
		out := runOK(t, "run", path, "--input", "Input3="+src)
		if !strings.Contains(out, "Input3  float32  [1,1,28,28]  "+src) {
			t.Errorf("%s: the input line is missing:\n%s", src, out)
		}
		o, ok := outputsOf(t, out)[out0]
		if !ok || o.dtype != "float32" || o.shape != "[1,10]" || !strings.Contains(o.rest, "mean") || !strings.Contains(o.rest, "max") {
			t.Errorf("%s: output line %+v in\n%s", src, o, out)
		}
		if strings.Contains(out, "latency") || strings.Contains(out, "note:") {
			t.Errorf("%s: unexpected latency or note:\n%s", src, out)
		}
		sums[src] = o.sum
	}
	if sums["random"] == sums["ones"] || sums["ones"] == sums["zeros"] {
		t.Errorf("different inputs, same checksums: %v", sums)
	}

	// The seed decides the random input, and random inputs are those of
	// ort.RandomInputs.
	again := outputsOf(t, runOK(t, "run", path, "--seed", "0"))[out0].sum
	seed7 := outputsOf(t, runOK(t, "run", path, "--seed", "7", "--input", "random"))[out0].sum
	if again != sums["random"] || seed7 == again {
		t.Errorf("checksums: seed 0 %s and %s, seed 7 %s", sums["random"], again, seed7)
	}
	if err := ort.Init(orttest.Find(t)); err != nil {
		t.Fatal(err)
	}
	in, err := ort.RandomInputs(path, 7)
	if err != nil {
		t.Fatal(err)
	}
	want, err := ort.Run(path, in)
	if err != nil {
		t.Fatal(err)
	}
	if got := want[out0].Checksum(); got != seed7 {
		t.Errorf("run --seed 7 printed %s; ort.RandomInputs(7) gives %s", seed7, got)
	}

	// An .npy input of ones gives the output of ones.
	ones, err := ort.Full(onnxgraph.Float, []int64{1, 1, 28, 28}, 1)
	if err != nil {
		t.Fatal(err)
	}
	npy := filepath.Join(t.TempDir(), "ones.npy")
	writeNPY(t, ones, npy)
	out := runOK(t, "run", path, "--input", "Input3="+npy)
	if got := outputsOf(t, out)[out0].sum; got != sums["ones"] {
		t.Errorf("an .npy of ones gives %s, ones give %s", got, sums["ones"])
	}
	if !strings.Contains(out, npy) {
		t.Errorf("the input line does not name the file:\n%s", out)
	}
	// With one input, the name may be left out.
	if got := outputsOf(t, runOK(t, "run", path, "--input", npy))[out0].sum; got != sums["ones"] {
		t.Errorf("--input FILE gives %s, want %s", got, sums["ones"])
	}
}

func writeNPY(t *testing.T, x *ort.Tensor, path string) {
	t.Helper()
	g, err := x.Graph(strings.TrimSuffix(filepath.Base(path), ".npy"))
	if err != nil {
		t.Fatal(err)
	}
	if err := g.WriteNPYFile(path); err != nil {
		t.Fatal(err)
	}
}

func TestRunDims(t *testing.T) {
	orttest.Find(t)
	m := samples.MNIST()
	var rep onnxgraph.SetBatchReport
	if err := m.SetBatch(onnxgraph.DimParam("N"), nil, &rep).Err(); err != nil {
		t.Fatal(err)
	}
	path := saveModel(t, m, "mnist_n.onnx")
	const out0 = "Plus214_Output_0"

	out := runOK(t, "run", path)
	if !strings.Contains(out, "note: symbolic dimension N of Input3 set to 1 (use --dims N=SIZE)") {
		t.Errorf("the default is not reported:\n%s", out)
	}
	if got := outputsOf(t, out)[out0].shape; got != "[1,10]" {
		t.Errorf("default batch: output shape %s", got)
	}
	for _, c := range []struct {
		dims, in, out string
	}{
		{"N=3", "[3,1,28,28]", "[3,10]"},
		{"Input3=2,1,28,28", "[2,1,28,28]", "[2,10]"},
	} {
		out := runOK(t, "run", path, "--dims", c.dims, "--input", "ones")
		if !strings.Contains(out, "Input3  float32  "+c.in+"  ones") || strings.Contains(out, "note:") {
			t.Errorf("--dims %s: input line or note:\n%s", c.dims, out)
		}
		if got := outputsOf(t, out)[out0].shape; got != c.out {
			t.Errorf("--dims %s: output shape %s, want %s", c.dims, got, c.out)
		}
	}

	// A shape that contradicts the model, and names that do not exist.
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--dims", "Input3=2,3,28,28"}, "dimension 1 is 1"},
		{[]string{"--dims", "Input3=2,28,28"}, "rank 4, not 3"},
		{[]string{"--dims", "M=2"}, `no input or symbolic dimension "M" (inputs: Input3; symbolic dimensions: N)`},
		{[]string{"--dims", "N=2,3"}, "takes one size"},
		{[]string{"--dims", "N=x"}, `"x" is not a size`},
	} {
		code, _, errOut := runCLI(t, append([]string{"run", path}, c.args...)...)
		if code == 0 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, %q; want an error with %q", c.args, code, errOut, c.want)
		}
	}
}

// TestRunSharedSymbol checks that an input given a shape (here by its .npy
// file) sizes the symbolic dimensions it shares with other inputs.
func TestRunSharedSymbol(t *testing.T) {
	orttest.Find(t)
	m := onnxgraph.NewModel(10, map[string]int64{"": 21})
	g := m.Graph()
	typ := onnxgraph.TensorType(onnxgraph.Float, []onnxgraph.Dim{onnxgraph.DimParam("N"), onnxgraph.DimOf(3)})
	x, err := g.AddInput("x", typ)
	if err != nil {
		t.Fatal(err)
	}
	y, err := g.AddInput("y", typ)
	if err != nil {
		t.Fatal(err)
	}
	n, err := g.AddNode("Add", []*onnxgraph.Value{x, y}, []string{"sum"})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.AddOutput(n.Output(0), typ); err != nil {
		t.Fatal(err)
	}
	path := saveModel(t, m, "add.onnx")
	twos, err := ort.Full(onnxgraph.Float, []int64{4, 3}, 2)
	if err != nil {
		t.Fatal(err)
	}
	npy := filepath.Join(t.TempDir(), "x.npy")
	writeNPY(t, twos, npy)
	out := runOK(t, "run", path, "--input", "x="+npy, "--input", "y=ones")
	if !strings.Contains(out, "y  float32  [4,3]  ones") || strings.Contains(out, "note:") {
		t.Errorf("y does not take N from x:\n%s", out)
	}
	o := outputsOf(t, out)["sum"]
	if o.shape != "[4,3]" || !strings.Contains(o.rest, "mean 3  min 3  max 3") {
		t.Errorf("sum: %+v", o)
	}
	// An .npy of the wrong element type is refused.
	ints, _ := ort.Full(onnxgraph.Int64, []int64{4, 3}, 2)
	bad := filepath.Join(t.TempDir(), "bad.npy")
	writeNPY(t, ints, bad)
	if code, _, errOut := runCLI(t, "run", path, "--input", "x="+bad); code != 1 || !strings.Contains(errOut, "the model wants float32") {
		t.Errorf("int64 .npy for a float input: exit %d, %q", code, errOut)
	}
}

var latencyRE = regexp.MustCompile(`latency over (\d+) runs after (\d+) warm-up: mean ([0-9.]+) ms  median ([0-9.]+) ms  min ([0-9.]+) ms  max ([0-9.]+) ms  p90 ([0-9.]+) ms`)

func TestRunRepeat(t *testing.T) {
	orttest.Find(t)
	path := saveModel(t, samples.MNIST(), "mnist.onnx")
	out := runOK(t, "run", path, "--repeat", "5", "--warmup", "2")
	g := latencyRE.FindStringSubmatch(out)
	if g == nil {
		t.Fatalf("no latency line in\n%s", out)
	}
	if g[1] != "5" || g[2] != "2" {
		t.Errorf("runs %s, warm-up %s", g[1], g[2])
	}
	v := make([]float64, 5)
	for i := range v {
		v[i], _ = strconv.ParseFloat(g[3+i], 64)
	}
	mean, median, lo, hi, p90 := v[0], v[1], v[2], v[3], v[4]
	if !(lo > 0 && lo <= median && median <= hi && lo <= mean && mean <= hi && median <= p90 && p90 <= hi) {
		t.Errorf("inconsistent latencies: %s", g[0])
	}
	if code, _, errOut := runCLI(t, "run", path, "--repeat", "-1"); code != 2 || !strings.Contains(errOut, "cannot be negative") {
		t.Errorf("--repeat -1: exit %d, %q", code, errOut)
	}
}

func TestRunSaveOutputs(t *testing.T) {
	orttest.Find(t)
	path := saveModel(t, samples.MNIST(), "mnist.onnx")
	dir := filepath.Join(t.TempDir(), "out")
	out := runOK(t, "run", path, "--save-outputs", dir)
	printed := outputsOf(t, out)["Plus214_Output_0"]
	file := filepath.Join(dir, "Plus214_Output_0.npy")
	if !strings.Contains(out, "saved Plus214_Output_0 to "+file) {
		t.Errorf("no saved line:\n%s", out)
	}
	back := readNPYT(t, file)
	if back.Checksum() != printed.sum || shapeString(back.Shape) != printed.shape || back.DType != onnxgraph.Float {
		t.Errorf("the .npy holds %v %v sha256:%s; run printed %+v", back.DType, back.Shape, back.Checksum(), printed)
	}
}

func readNPYT(t *testing.T, path string) *ort.Tensor {
	t.Helper()
	g, err := onnxgraph.ReadNPYFile(path)
	if err != nil {
		t.Fatal(err)
	}
	x, err := ort.FromGraph(g)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func TestNPYFileName(t *testing.T) {
	for in, want := range map[string]string{
		"Plus214_Output_0": "Plus214_Output_0",
		"a/b:c;d e":        "a_b_c_d_e",
		"..":               "output_..",
		"":                 "output_",
		"x.y-z":            "x.y-z",
	} {
		if got := npyFileName(in); got != want {
			t.Errorf("npyFileName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestRunBackendAdd runs the ONNX backend suite's test_add on its
// test_data_set_0 inputs (converted from TensorProto to .npy) and checks
// the saved output against the expected one.
func TestRunBackendAdd(t *testing.T) {
	orttest.Find(t)
	model := suitetest.Model(t, "node/test_add")
	set, err := suitetest.FirstDataSet(filepath.Dir(model))
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	var args []string
	for i, b := range set.Inputs {
		x := decodePB(t, set.InputPath(i), b)
		npy := filepath.Join(tmp, "input_"+strconv.Itoa(i)+".npy")
		if err := x.WriteNPYFile(npy); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--input", x.Name()+"="+npy)
	}
	if len(args) != 4 {
		t.Fatalf("want 2 inputs, got args %v", args)
	}
	if len(set.Outputs) != 1 {
		t.Fatalf("want 1 output, got %d", len(set.Outputs))
	}
	want := decodePB(t, set.OutputPath(0), set.Outputs[0])
	outDir := filepath.Join(tmp, "out")
	out := runOK(t, append([]string{"run", model, "--save-outputs", outDir}, args...)...)
	got := readNPYT(t, filepath.Join(outDir, npyFileName(want.Name())+".npy"))
	wantT, err := ort.FromGraph(want)
	if err != nil {
		t.Fatal(err)
	}
	if c := ort.Compare(got, wantT, 0, 0, false); !c.Close {
		t.Errorf("output %s differs from output_0.pb: %+v", want.Name(), c)
	}
	if o := outputsOf(t, out)[want.Name()]; o.sum != wantT.Checksum() {
		t.Errorf("printed checksum %s, output_0.pb has %s", o.sum, wantT.Checksum())
	}
}

// decodePB decodes b, the TensorProto in the file at path.
func decodePB(t *testing.T, path string, b []byte) *onnxgraph.Tensor {
	t.Helper()
	x, err := onnxgraph.DecodeTensor(b)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return x
}

func TestRunErrors(t *testing.T) {
	orttest.Find(t)
	path := saveModel(t, samples.MNIST(), "mnist.onnx")
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"run"}, 2, "run needs one MODEL"},
		{[]string{"run", path, "--input", "nosuch=ones"}, 1, `the model has no input "nosuch" (inputs: Input3)`},
		{[]string{"run", path, "--input", "Input3=ones", "--input", "Input3=zeros"}, 2, "given twice"},
		{[]string{"run", path, "--input", "Input3"}, 2, "say what to feed it"},
		{[]string{"run", path, "--input", "Input3=nosuch"}, 1, "no such file (SOURCE is a .npy file, random, ones or zeros)"},
		{[]string{"run", path, "--input", "Input3=/no/such.npy"}, 1, "no such file"},
		{[]string{"run", path, "--ort-lib", "/no/such/libonnxruntime.so"}, 1, ort.InstallHint},
		{[]string{"run", filepath.Join(t.TempDir(), "missing.onnx")}, 1, "missing.onnx"},
	} {
		code, _, errOut := runCLI(t, c.args...)
		if code != c.code || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, %q; want exit %d with %q", c.args, code, errOut, c.code, c.want)
		}
	}
}

// TestRunLibraryEnv checks that $ONNXRUNTIME_LIB naming a missing file is
// an error that names the variable.
func TestRunLibraryEnv(t *testing.T) {
	t.Setenv(ort.EnvLibrary, filepath.Join(t.TempDir(), "libonnxruntime.so.1"))
	code, _, errOut := runCLI(t, "run", "model.onnx")
	if code != 1 || !strings.Contains(errOut, ort.EnvLibrary) {
		t.Errorf("exit %d, %q", code, errOut)
	}
}
