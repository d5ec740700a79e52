package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/samples"
	"github.com/spf13/pflag"
	"google.golang.org/protobuf/proto"
)

// runStdin runs the CLI in-process with stdin as standard input.
func runStdin(t *testing.T, stdin []byte, args ...string) (code int, stdout []byte, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = runWith(args, bytes.NewReader(stdin), &out, &errOut)
	return code, out.Bytes(), errOut.String()
}

var (
	builtOnce sync.Once
	builtBin  string
	builtErr  error
)

// cliBinary builds the onnxgraph command once for the tests that run it as
// a process (pipes, what ONNX Runtime writes to the process's stderr).
func cliBinary(t *testing.T) string {
	t.Helper()
	builtOnce.Do(func() {
		dir, err := os.MkdirTemp("", "onnxgraph-cli-test-")
		if err != nil {
			builtErr = err
			return
		}
		builtBin = filepath.Join(dir, "onnxgraph")
		out, err := exec.Command("go", "build", "-o", builtBin, ".").CombinedOutput()
		if err != nil {
			builtErr = &buildError{err, out}
		}
	})
	if builtErr != nil {
		t.Fatal(builtErr)
	}
	return builtBin
}

type buildError struct {
	err error
	out []byte
}

func (e *buildError) Error() string { return "go build: " + e.err.Error() + "\n" + string(e.out) }

// writers are the commands that write an ONNX model.
var writers = []string{"add-outputs", "apply", "copy", "delete-nodes", "delete-outputs", "extract", "from-json", "gen-op", "infer",
	"insert-node", "layout", "merge", "modify", "name-nodes", "prune", "rename", "rewire", "set-batch", "set-dims",
	"set-opset", "shrink", "simplify", "sort", "strip-docs"}

// TestWritingCommandsTakeOutputFlags: every command that writes a model
// lists --external, --threshold and --align in its help, and those are the
// commands whose help lists them.
func TestWritingCommandsTakeOutputFlags(t *testing.T) {
	var got []string
	for _, c := range commands {
		code, out, errOut := runCLI(t, c.name, "--help")
		if code != 0 {
			t.Fatalf("%s --help: exit %d: %s", c.name, code, errOut)
		}
		if !strings.Contains(out, "--external string") {
			continue
		}
		got = append(got, c.name)
		for _, flag := range []string{"--threshold int", "--align int", "pertensor", "inline"} {
			if !strings.Contains(out, flag) {
				t.Errorf("%s --help lists --external but not %s", c.name, flag)
			}
		}
	}
	if !slices.Equal(got, slices.Sorted(slices.Values(writers))) && !slices.Equal(slices.Sorted(slices.Values(got)), writers) {
		t.Errorf("commands with --external: %v\nwant %v", got, writers)
	}
}

// TestPipeThreeCommands: a model piped through copy, rename and set-batch
// with "-" comes out byte for byte as the same commands give on files, in
// process and through real pipes between processes.
func TestPipeThreeCommands(t *testing.T) {
	dir := t.TempDir()
	in := saveModel(t, samples.MNIST(), "mnist.onnx")
	steps := [][]string{
		{"copy", "IN", "OUT", "--external", "inline"},
		{"rename", "IN", "OUT", "--add-prefix", "det/", "--scope", "values"},
		{"set-batch", "IN", "OUT", "--batch", "N"},
	}
	with := func(step []string, in, out string) []string {
		args := slices.Clone(step)
		args[1], args[2] = in, out
		return args
	}
	// On files.
	prev := in
	for i, s := range steps {
		next := filepath.Join(dir, "step"+string(rune('1'+i))+".onnx")
		if code, _, errOut := runCLI(t, with(s, prev, next)...); code != 0 {
			t.Fatalf("%v: exit %d: %s", s, code, errOut)
		}
		prev = next
	}
	want, err := os.ReadFile(prev)
	if err != nil {
		t.Fatal(err)
	}
	// In process, standard output to standard input.
	var data []byte
	for i, s := range steps {
		src := "-"
		if i == 0 {
			src = in
		}
		code, out, errOut := runStdin(t, data, with(s, src, "-")...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", s, code, errOut)
		}
		if !strings.Contains(errOut, map[int]string{0: "copied", 1: "renamed 0 nodes and 21 values", 2: "batch 1 -> N"}[i]) {
			t.Errorf("%v: the report, on stderr since stdout carries the model, is %q", s, errOut)
		}
		data = out
	}
	if !bytes.Equal(data, want) {
		t.Errorf("piped in process: %d bytes, on files: %d bytes; they differ", len(data), len(want))
	}
	// Through a shell pipeline.
	bin := cliBinary(t)
	var cmds []string
	for i, s := range steps {
		src := "-"
		if i == 0 {
			src = in
		}
		cmds = append(cmds, bin+" "+strings.Join(with(s, src, "-"), " "))
	}
	sh := exec.Command("sh", "-c", strings.Join(cmds, " | ")+" > "+filepath.Join(dir, "piped.onnx"))
	if out, err := sh.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "piped.onnx")); !bytes.Equal(got, want) {
		t.Errorf("piped through processes: %d bytes, on files: %d bytes; they differ", len(got), len(want))
	}
	// The model read from standard input is summarized and inferred.
	code, out, errOut := runStdin(t, want, "summary", "-")
	if code != 0 || !strings.Contains(string(out), "model: standard input") || !strings.Contains(string(out), "det/Input3: float32 [N,1,28,28]") {
		t.Errorf("summary -: exit %d: %s%s", code, out, errOut)
	}
}

// TestStdioExternalData: a model with external data read from standard
// input needs its folder (--data-dir); standard output refuses to carry
// external data.
func TestStdioExternalData(t *testing.T) {
	dir := t.TempDir()
	ext := filepath.Join(dir, "ext.onnx")
	if err := samples.MNIST().SaveWith(ext, &onnxgraph.SaveOptions{External: onnxgraph.ExternalSingle, Threshold: 1024}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(ext)
	if err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runStdin(t, b, "summary", "-")
	if code != 1 || !strings.Contains(errOut, "--data-dir") || !strings.Contains(errOut, `"ext.onnx.data"`) {
		t.Errorf("external data from stdin without --data-dir: exit %d, %q", code, errOut)
	}
	code, out, errOut := runStdin(t, b, "summary", "-", "--data-dir", dir)
	if code != 0 || !strings.Contains(string(out), "22.5 KiB external") {
		t.Errorf("with --data-dir: exit %d, %s%s", code, out, errOut)
	}
	// Standard output carries one file.
	code, _, errOut = runStdin(t, nil, "copy", ext, "-")
	if code != 1 || !strings.Contains(errOut, "--external inline") {
		t.Errorf("external data to stdout: exit %d, %q", code, errOut)
	}
	for _, mode := range []string{"single", "pertensor", "w.bin"} {
		code, _, errOut = runStdin(t, nil, "copy", ext, "-", "--external", mode)
		if code != 2 || !strings.Contains(errOut, "standard output cannot carry") {
			t.Errorf("--external %s to stdout: exit %d, %q", mode, code, errOut)
		}
	}
	code, inline, errOut := runStdin(t, nil, "copy", ext, "-", "--external", "inline")
	if code != 0 {
		t.Fatalf("--external inline to stdout: exit %d, %q", code, errOut)
	}
	m, err := onnxgraph.Decode(inline, nil)
	if err != nil || externalTensor(m) != nil {
		t.Errorf("inlined model: %v", err)
	}
	// Standard input is read once.
	if code, _, errOut := runStdin(t, inline, "merge", "-", "-", filepath.Join(dir, "o.onnx")); code != 2 || !strings.Contains(errOut, "only once") {
		t.Errorf("merge - -: exit %d, %q", code, errOut)
	}
}

// TestHelpAndUsage: help lists the commands in aligned columns; no
// arguments print usage to stderr with exit 2; --version; usage errors
// exit 2 with a usage line; completion scripts for bash, zsh and fish.
func TestHelpAndUsage(t *testing.T) {
	code, out, errOut := runCLI(t, "help")
	if code != 0 || errOut != "" {
		t.Fatalf("help: exit %d, %q", code, errOut)
	}
	cmdLine := regexp.MustCompile(`(?m)^  ([a-z-]+)( +)(\S.*)$`)
	column := -1
	listed := map[string]bool{}
	known := map[string]bool{"help": true, "completion": true}
	for _, c := range commands {
		known[c.name] = true
	}
	for _, m := range cmdLine.FindAllStringSubmatch(out, -1) {
		if !known[m[1]] {
			continue
		}
		if col := len(m[1]) + len(m[2]); column < 0 {
			column = col
		} else if col != column {
			t.Errorf("help: %q starts its summary at column %d, others at %d", m[1], col, column)
		}
		listed[m[1]] = true
	}
	for _, c := range commands {
		if !listed[c.name] {
			t.Errorf("help does not list %s", c.name)
		}
	}
	if !listed["completion"] {
		t.Error("help does not list completion")
	}

	code, out, errOut = runCLI(t)
	if code != 2 || out != "" || !strings.Contains(errOut, "onnxgraph COMMAND") || !strings.Contains(errOut, "rename") {
		t.Errorf("no arguments: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, out, _ = runCLI(t, "--version")
	if code != 0 || !strings.HasPrefix(out, "onnxgraph ") || !strings.Contains(out, "go1.") {
		t.Errorf("--version: exit %d, %q", code, out)
	}
	for _, args := range [][]string{{"nosuch"}, {"renam"}, {"copy", "a"}, {"copy", "a", "b", "--nosuch"}, {"rename", "a", "b"}, {"copy", "a", "b", "--align", "-1"}, {"summary", "-n", "--json"}} {
		code, out, errOut := runCLI(t, args...)
		if code != 2 || out != "" || !strings.Contains(errOut, "onnxgraph: usage: ") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
		for _, line := range strings.Split(strings.TrimSuffix(errOut, "\n"), "\n") {
			if !strings.HasPrefix(line, "onnxgraph: ") {
				t.Errorf("%v: error line %q", args, line)
			}
		}
	}
	if _, _, errOut := runCLI(t, "renam"); !strings.Contains(errOut, "did you mean rename") {
		t.Errorf("renam: %q", errOut)
	}
	for _, shell := range []string{"bash", "zsh", "fish"} {
		code, out, errOut := runCLI(t, "completion", shell)
		if code != 0 || !strings.Contains(out, "onnxgraph") || len(out) < 1000 {
			t.Errorf("completion %s: exit %d, %d bytes, %q", shell, code, len(out), errOut)
		}
	}
	// Completion of enumerated flag values.
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"__complete", "copy", "a.onnx", "b.onnx", "--external", ""}, []string{"keep", "inline", "single", "pertensor"}},
		{[]string{"__complete", "rename", "a.onnx", "b.onnx", "--scope", ""}, []string{"all", "nodes", "values", "inputs", "outputs"}},
		{[]string{"__complete", "ren"}, []string{"rename"}},
	} {
		_, out, _ := runCLI(t, c.args...)
		for _, w := range c.want {
			if !strings.Contains(out, w+"\n") && !strings.Contains(out, w+"\t") {
				t.Errorf("%v: no %q in %q", c.args, w, out)
			}
		}
	}
}

// TestQuietAndJSON: -n prints nothing on success; --json prints the
// library's report struct.
func TestQuietAndJSON(t *testing.T) {
	in := saveModel(t, samples.MNIST(), "mnist.onnx")
	out := filepath.Join(t.TempDir(), "out.onnx")
	if code, stdout, errOut := runCLI(t, "-n", "rename", in, out, "--from", "Input3", "--to", "image"); code != 0 || stdout != "" || errOut != "" {
		t.Errorf("-n: exit %d, %q, %q", code, stdout, errOut)
	}
	if code, stdout, errOut := runCLI(t, "rename", in, out, "--from", "nope", "--to", "x", "--quiet"); code != 1 || stdout != "" || !strings.Contains(errOut, "nope") {
		t.Errorf("--quiet failing: exit %d, %q, %q", code, stdout, errOut)
	}
	decode := func(v any, args ...string) {
		t.Helper()
		code, stdout, errOut := runCLI(t, append(args, "--json")...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		if err := json.Unmarshal([]byte(stdout), v); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, stdout)
		}
	}
	var rn onnxgraph.RenameReport
	decode(&rn, "rename", in, out, "--add-prefix", "m/", "--scope", "inputs")
	if len(rn.Values) != 1 || rn.Values[0].Old != "Input3" || rn.Values[0].New != "m/Input3" {
		t.Errorf("rename --json: %+v", rn)
	}
	var ex onnxgraph.ExtractReport
	decode(&ex, "extract", in, out, "--inputs", "Pooling66_Output_0", "--outputs", "Pooling160_Output_0")
	if ex.Nodes != 4 || len(ex.Inputs) != 1 || ex.Inputs[0].Shape != "[1,8,14,14]" {
		t.Errorf("extract --json: %+v", ex)
	}
	var sb onnxgraph.SetBatchReport
	decode(&sb, "set-batch", in, out, "--batch", "N")
	if len(sb.Inputs) != 1 || len(sb.Constants) != 1 {
		t.Errorf("set-batch --json: %+v", sb)
	}
	var inf inferred
	decode(&inf, "infer", in, out)
	if inf.Total != 12 || inf.Complete != 12 || inf.Outputs[0].Type != "float32[1,10]" {
		t.Errorf("infer --json: %+v", inf)
	}
	var enc encoded
	decode(&enc, "encode", "--dtype", "int64", "[1,2]")
	if enc.DType != "int64" || enc.Base64 != "AQAAAAAAAAACAAAAAAAAAA==" {
		t.Errorf("encode --json: %+v", enc)
	}
}

// TestErrorLines: a refusal with many causes is one line saying what
// failed and one indented line per cause, every line starting with
// "onnxgraph:".
func TestErrorLines(t *testing.T) {
	in := saveModel(t, samples.MNIST(), "mnist.onnx")
	out := filepath.Join(t.TempDir(), "out.onnx")
	// A batch of 2 on the inputs only: the Reshape to [1,256] no longer fits
	// and the declared output keeps batch 1.
	code, _, errOut := runCLI(t, "set-dims", in, out, "--input", "Input3=2,1,28,28", "--strict")
	lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
	if code != 1 || len(lines) < 2 || !strings.Contains(lines[0], "shape inference rejects the result") {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	for i, l := range lines {
		if !strings.HasPrefix(l, "onnxgraph: ") || (i > 0 && !strings.HasPrefix(l, "onnxgraph:   ")) || len(l) > 400 {
			t.Errorf("line %d: %q", i, l)
		}
	}
	if !strings.Contains(errOut, "Times212_reshape0") {
		t.Errorf("the cause is not named:\n%s", errOut)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("the refused edit was saved")
	}
	// A failed edit reports nothing on stdout, only the failure.
	if code, stdout, errOut := runCLI(t, "set-batch", in, out, "--batch", "2", "--inputs-only"); code != 1 || stdout != "" || !strings.Contains(errOut, "conflicting declared type") {
		t.Errorf("failed set-batch: exit %d, stdout %q, stderr %q", code, stdout, errOut)
	}
}

// TestRenameAddPrefix: --add-prefix and --add-suffix, scoped like the
// other modes.
func TestRenameAddPrefix(t *testing.T) {
	in := saveModel(t, samples.MNIST(), "mnist.onnx")
	out := filepath.Join(t.TempDir(), "out.onnx")
	for _, c := range []struct {
		args           []string
		report         string
		input, firstNd string
	}{
		{[]string{"--add-prefix", "det/"}, "renamed 12 nodes and 21 values", "det/Input3", "det/Convolution28"},
		{[]string{"--add-prefix", "det/", "--scope", "values"}, "renamed 0 nodes and 21 values", "det/Input3", "Convolution28"},
		{[]string{"--add-suffix", "_a", "--scope", "nodes"}, "renamed 12 nodes and 0 values", "Input3", "Convolution28_a"},
		{[]string{"--add-prefix", "in/", "--scope", "inputs"}, "renamed 0 nodes and 1 values", "in/Input3", "Convolution28"},
	} {
		s := edRun(t, 0, append([]string{"rename", in, out}, c.args...)...)
		m := edOpen(t, out)
		if !strings.Contains(s, c.report) || m.Graph().Inputs()[0].Name() != c.input || m.Graph().Nodes()[0].Name() != c.firstNd {
			t.Errorf("%v: %s; input %s, first node %s", c.args, s, m.Graph().Inputs()[0].Name(), m.Graph().Nodes()[0].Name())
		}
	}
	for _, args := range [][]string{
		{"--add-prefix", "a/", "--add-suffix", "_b"},
		{"--add-prefix", "a/", "--from", "x"},
		{"--add-prefix", "a/", "--mode", "partial"},
	} {
		edRun(t, 2, append([]string{"rename", in, out}, args...)...)
	}
}

// TestSortCommand: sort orders a graph whose nodes were listed backwards,
// as prune --sort does.
func TestSortCommand(t *testing.T) {
	b, err := samples.MNIST().Bytes(nil)
	if err != nil {
		t.Fatal(err)
	}
	mp := new(onnxproto.ModelProto)
	if err := proto.Unmarshal(b, mp); err != nil {
		t.Fatal(err)
	}
	slices.Reverse(mp.Graph.Node)
	if b, err = proto.Marshal(mp); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "reversed.onnx")
	if err := os.WriteFile(in, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if m, err := onnxgraph.Open(in, nil); err != nil || topological(m) {
		t.Fatalf("the reversed model: %v", err)
	}
	s := edRun(t, 0, "sort", in, filepath.Join(dir, "sorted.onnx"))
	if !strings.Contains(s, "sorted 1 graphs; 11 nodes of the main graph moved") {
		t.Errorf("sort: %s", s)
	}
	if !topological(edOpen(t, filepath.Join(dir, "sorted.onnx"))) {
		t.Error("not sorted")
	}
	edRun(t, 0, "prune", in, filepath.Join(dir, "pruned.onnx"), "--sort")
	a, _ := os.ReadFile(filepath.Join(dir, "sorted.onnx"))
	z, _ := os.ReadFile(filepath.Join(dir, "pruned.onnx"))
	if !bytes.Equal(a, z) {
		t.Error("sort and prune --sort differ")
	}
}

// TestAllowUntyped: merge, extract, add-outputs and rewire refuse a value
// whose type they need and cannot get (here: inference turned off, the
// model declaring none), unless --allow-untyped.
func TestAllowUntyped(t *testing.T) {
	dir := t.TempDir()
	in := saveModel(t, samples.MNIST(), "mnist.onnx")
	sm := edSave(t, dir, "softmax.onnx", edSoftmaxModel(t))
	out := filepath.Join(dir, "out.onnx")
	for _, args := range [][]string{
		{"extract", in, out, "--inputs", "Pooling66_Output_0", "--outputs", "Pooling160_Output_0"},
		{"add-outputs", in, out, "--names", "ReLU28_Output_0"},
		{"rewire", in, out, "--from", "ReLU28_Output_0", "--to", "Plus28_Output_0"},
		{"merge", in, sm, out, "--connect", "Pooling160_Output_0=logits", "--relax-shapes"},
	} {
		// With inference, every type is known.
		edRun(t, 0, args...)
		e := edRun(t, 1, append(slices.Clone(args), "--no-infer")...)
		edContains(t, e, "is unknown")
		edRun(t, 0, append(slices.Clone(args), "--no-infer", "--allow-untyped")...)
	}
}

// topological reports whether every node of m's main graph comes after the
// nodes whose outputs it reads.
func topological(m *onnxgraph.Model) bool {
	done := map[*onnxgraph.Node]bool{}
	for _, n := range m.Graph().Nodes() {
		for _, v := range n.Inputs() {
			if v == nil {
				continue
			}
			if p, _ := v.Producer(); p != nil && !done[p] {
				return false
			}
		}
		done[n] = true
	}
	return true
}

// TestREADMECommandLine: every command line of the README's "Command line"
// section parses (the command exists, takes those flags and that many
// arguments), and the section shows the command line's forms.
func TestREADMECommandLine(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, "## Command line\n")
	if i < 0 {
		t.Fatal("README.md has no Command line section")
	}
	s = s[i:]
	if j := strings.Index(s[3:], "\n## "); j >= 0 {
		s = s[:j+3]
	}
	n := 0
	for _, line := range strings.Split(s, "\n") {
		for _, seg := range strings.Split(line, " | ") {
			seg = strings.TrimPrefix(strings.TrimSpace(seg), "go run ./examples/")
			if !strings.HasPrefix(seg, "onnxgraph ") {
				continue
			}
			n++
			args := strings.Fields(seg)[1:]
			root := newRoot(nil, io.Discard, io.Discard)
			cc, rest, err := root.Find(args)
			if err != nil || cc == root {
				t.Errorf("%q: no such command: %v", seg, err)
				continue
			}
			if err := cc.ParseFlags(rest); err != nil {
				t.Errorf("%q: %v", seg, err)
				continue
			}
			for _, line := range commands {
				if line.name != cc.Name() {
					continue
				}
				c := &cmd{command: &line, flags: pflag.NewFlagSet(line.name, pflag.ContinueOnError), g: &globals{}, maxArgs: -1}
				line.setup(c)
				if k := len(cc.Flags().Args()); k < c.minArgs || (c.maxArgs >= 0 && k > c.maxArgs) {
					t.Errorf("%q: %d arguments, %s", seg, k, c.argsMessage(k))
				}
			}
		}
	}
	if n < 15 {
		t.Errorf("only %d command lines in the README's Command line section", n)
	}
	for _, form := range []string{"--add-prefix", "onnxgraph sort ", " - --add-prefix", "| onnxgraph summary -", "--json", "--external", "--threshold",
		"--align", "--data-dir", "completion", "--allow-untyped", "--no-infer", "--version", "`-n`", "`-v`", "Exit status"} {
		if !strings.Contains(s, form) {
			t.Errorf("the README's Command line section does not show %q", form)
		}
	}
}

// TestInterruptStopsASave sends SIGINT to a copy of a few hundred MB: the
// program stops within moments, exits 1 with one line, and leaves no
// output and no temporary file.
func TestInterruptStopsASave(t *testing.T) {
	bin := cliBinary(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "big.onnx")
	m := onnxgraph.NewModel(8, map[string]int64{"": 17})
	g := m.Graph()
	x, _ := g.AddInput("x", onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(1<<20)))
	v := x
	for i := range 48 {
		w, err := onnxgraph.NewTensor(fmt.Sprintf("w%d", i), onnxgraph.Float, []int64{1 << 20}, make([]byte, 4<<20))
		if err != nil {
			t.Fatal(err)
		}
		wv, _ := g.AddInitializer(w)
		n, _ := g.AddNode("Add", []*onnxgraph.Value{v, wv}, []string{fmt.Sprintf("h%d", i)})
		v = n.Output(0)
	}
	g.AddOutput(v, onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(1<<20)))
	if err := m.SaveWith(in, &onnxgraph.SaveOptions{External: onnxgraph.ExternalSingle}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	cmd := exec.Command(bin, "copy", "--external", "inline", in, filepath.Join(out+".onnx"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Interrupt once the save has begun (its temporary file is there):
	// a fixed delay could land before the program handles signals on a
	// loaded machine, or after the copy on a fast one.
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	began := false
	for deadline := time.Now().Add(30 * time.Second); !began && time.Now().Before(deadline); {
		select {
		case <-exited:
			t.Skip("the copy ended before its save could be interrupted: the machine is too fast for this test")
		default:
		}
		tmp, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".out.onnx.tmp-*"))
		began = len(tmp) > 0
		if !began {
			time.Sleep(time.Millisecond)
		}
	}
	if !began {
		cmd.Process.Kill()
		t.Fatal("the save did not begin within 30 s")
	}
	cmd.Process.Signal(os.Interrupt)
	start := time.Now()
	err := <-exited
	code := cmd.ProcessState.ExitCode()
	if code == 0 {
		t.Skip("the copy ended before the interrupt: the machine is too fast for this test's timing")
	}
	if code != 1 || !strings.HasPrefix(stderr.String(), "onnxgraph: ") || strings.Count(strings.TrimSpace(stderr.String()), "\n") > 0 {
		t.Errorf("exit %d (%v): %q", code, err, stderr.String())
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("stopped %v after the interrupt", d)
	}
	ents, _ := os.ReadDir(filepath.Dir(out))
	if len(ents) != 0 {
		t.Errorf("left behind: %v", ents)
	}
}
