package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/examples/internal/view"
	"github.com/onnxgraph/onnxgraph/samples"
)

func readFile(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestViewCommand serves a model and checks, while it serves, that the
// printed address works and a request without its token does not.
func TestViewCommand(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "m.onnx")
	if err := samples.MNIST().Save(in); err != nil {
		t.Fatal(err)
	}
	old := viewWait
	defer func() { viewWait = old }()
	served := false
	viewWait = func(s *view.Server) {
		served = true
		resp, err := http.Get(s.URL())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("page: %d", resp.StatusCode)
		}
		resp, err = http.Get(s.Base() + "/api/state")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("a request without the token: %d", resp.StatusCode)
		}
		if st := s.Session.Status(); st.Status != "12 nodes · 21 values · opset 13" {
			t.Errorf("status %q", st.Status)
		}
	}
	code, out, errOut := runCLI(t, "view", "--no-browser", in)
	if code != 0 || !served {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "http://127.0.0.1:") || !strings.Contains(out, "/?token=") {
		t.Errorf("output %q lacks the address", out)
	}
	if code, _, _ := runCLI(t, "view"); code != 2 {
		t.Errorf("view without a model: exit %d", code)
	}
}

// TestViewStdin: view - serves a model read from standard input, its
// external data from --data-dir; undo and diff read it again, a relative
// save goes to the current folder, and its temporary copy is gone after.
func TestViewStdin(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "m.onnx")
	if err := samples.MNIST().SaveWith(in, &onnxgraph.SaveOptions{External: onnxgraph.ExternalSingle, Threshold: -1}); err != nil {
		t.Fatal(err)
	}
	cwd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	old := viewWait
	defer func() { viewWait = old }()
	var tmp []string
	viewWait = func(s *view.Server) {
		st := s.Session.Status()
		if st.File != "standard input" || st.Error != "" || st.Status != "12 nodes · 21 values · opset 13" {
			t.Fatalf("status %+v", st)
		}
		if st.SaveAs != filepath.Join(cwd, "stdin.edited.onnx") {
			t.Errorf("proposed save %s, want one in the current folder", st.SaveAs)
		}
		tmp, _ = filepath.Glob(filepath.Join(os.TempDir(), "onnxgraph-view-*", "stdin.onnx"))
		if _, err := s.Session.Edit(st.Version, []byte(`{"op": "delete-nodes", "names": ["ReLU28"]}`)); err != nil {
			t.Fatal(err)
		}
		d, err := s.Session.Diff()
		if err != nil || d.Equal() {
			t.Fatalf("diff after an edit: %v, %+v", err, d)
		}
		if err := s.Session.Undo(); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, "out.onnx")
		if _, err := s.Session.Save(out, false); err != nil {
			t.Fatal(err)
		}
		if got, want := readFile(t, out), readFile(t, in); !bytes.Equal(got, want) {
			t.Error("the model saved after undo differs from the one piped in")
		}
	}
	var errOut bytes.Buffer
	code := runWith([]string{"view", "--no-browser", "-", "--data-dir", dir}, bytes.NewReader(readFile(t, in)), io.Discard, &errOut)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if len(tmp) == 0 {
		t.Fatal("no temporary copy of standard input was seen")
	}
	for _, p := range tmp {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s is left behind", p)
		}
	}
}

// TestApplyScript records edits in a viewer session, replays them with
// apply, and compares with the same edits made by the command line; then
// replays them on another export, and on one they do not fit.
func TestApplyScript(t *testing.T) {
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	if err := samples.MNIST().Save(p("m.onnx")); err != nil {
		t.Fatal(err)
	}
	// The edits by the command line.
	for _, args := range [][]string{
		{"rename", p("m.onnx"), p("1.onnx"), "--from", "Plus28", "--to", "add_1", "--scope", "nodes"},
		{"delete-nodes", p("1.onnx"), p("2.onnx"), "--names", "ReLU28"},
		{"set-batch", p("2.onnx"), p("cli.onnx"), "--batch", "N"},
	} {
		if code, _, errOut := runCLI(t, args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
	}
	// The same edits in the viewer, recorded.
	s := view.OpenSession(p("m.onnx"))
	for _, step := range []string{
		`{"op": "rename", "from": "Plus28", "to": "add_1", "scope": "nodes"}`,
		`{"op": "delete-nodes", "names": ["ReLU28"]}`,
		`{"op": "set-batch", "batch": "N"}`,
	} {
		if _, err := s.Edit(s.Status().Version, json.RawMessage(step)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.SaveScript(p("edits.json")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Save(p("page.onnx"), false); err != nil {
		t.Fatal(err)
	}
	s.Close()
	code, out, errOut := runCLI(t, "apply", p("edits.json"), p("m.onnx"), p("replayed.onnx"))
	if code != 0 || !strings.Contains(out, "applied 3 steps") {
		t.Fatalf("exit %d: %s%s", code, out, errOut)
	}
	cli := readFile(t, p("cli.onnx"))
	if !bytes.Equal(readFile(t, p("replayed.onnx")), cli) {
		t.Error("apply gives other bytes than the command line's edits")
	}
	if !bytes.Equal(readFile(t, p("page.onnx")), cli) {
		t.Error("the page's edits give other bytes than the command line's")
	}

	// Another export of the same network: it applies; only weights differ.
	if err := samples.MNISTRetrained(7).Save(p("m2.onnx")); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCLI(t, "apply", p("edits.json"), p("m2.onnx"), p("replayed2.onnx")); code != 0 {
		t.Fatalf("second export: exit %d: %s", code, errOut)
	}
	code, out, _ = runCLI(t, "diff", p("replayed.onnx"), p("replayed2.onnx"))
	if code != 1 || strings.Count(out, "~ initializer") != 6 || strings.Count(out, "\n") != 8 {
		t.Errorf("diff of the two replays (exit %d):\n%s", code, out)
	}
	// An export the script does not fit: it stops at the step, naming it.
	if code, _, errOut := runCLI(t, "rename", p("m2.onnx"), p("m3.onnx"), "--from", "ReLU28", "--to", "relu_a"); code != 0 {
		t.Fatal(errOut)
	}
	code, _, errOut = runCLI(t, "apply", p("edits.json"), p("m3.onnx"), p("replayed3.onnx"))
	if code != 1 || !strings.Contains(errOut, "script step 2, delete-nodes, line 5") || !strings.Contains(errOut, `"ReLU28"`) {
		t.Errorf("exit %d: %s", code, errOut)
	}
	if _, err := os.Stat(p("replayed3.onnx")); err == nil {
		t.Error("a failed apply wrote its output")
	}
	// A malformed script names its step and line.
	if err := os.WriteFile(p("bad.json"), []byte("{\"version\": 1, \"steps\": [\n  {\"op\": \"prune\"},\n  {\"op\": \"rename\", \"form\": \"x\"}\n]}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runCLI(t, "apply", p("bad.json"), p("m.onnx"), p("x.onnx"))
	if code != 1 || !strings.Contains(errOut, `script step 2, rename, line 3: unknown option "form"`) {
		t.Errorf("exit %d: %s", code, errOut)
	}
}

// TestDiffCommand: a copy is equal, a renamed form lists its renames, a
// form sharing an unreadable data file is compared without reading it.
func TestDiffCommand(t *testing.T) {
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	if err := samples.MNIST().Save(p("m.onnx")); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"copy", p("m.onnx"), p("copy.onnx")},
		{"copy", p("m.onnx"), p("ext.onnx"), "--external", "w.bin", "--threshold", "16"},
		{"rename", p("ext.onnx"), p("renamed.onnx"), "--from", "Plus", "--to", "Add", "--mode", "prefix"},
	} {
		if code, _, errOut := runCLI(t, args...); code != 0 {
			t.Fatalf("%v: %s", args, errOut)
		}
	}
	if code, out, errOut := runCLI(t, "diff", p("m.onnx"), p("copy.onnx")); code != 0 || out != "" {
		t.Errorf("copy: exit %d: %q %s", code, out, errOut)
	}
	// The data file becomes unreadable (a folder in its place, which stops
	// root too): the renamed form shares its ranges, so nothing is read.
	if err := os.Rename(p("w.bin"), p("w.moved")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(p("w.bin"), 0o700); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "diff", p("ext.onnx"), p("renamed.onnx"))
	want := "= node Plus28 -> Add28\n"
	if code != 1 || !strings.Contains(out, want) || strings.Contains(out, "initializer") || !strings.HasPrefix(out, "--- ") {
		t.Errorf("renamed: exit %d: %s%s", code, out, errOut)
	}
	code, out, _ = runCLI(t, "diff", "--json", p("ext.onnx"), p("renamed.onnx"))
	var d struct {
		Equal         bool
		DataRead      int64               `json:"data_read"`
		ValuesRenamed []onnxgraph.Renamed `json:"values_renamed"`
	}
	if err := json.Unmarshal([]byte(out), &d); err != nil || code != 1 || d.Equal || d.DataRead != 0 || len(d.ValuesRenamed) != 3 {
		t.Errorf("--json: exit %d, %v: %s", code, err, out)
	}
	// Weights that must be compared and cannot be read: an error, exit 2.
	code, _, errOut = runCLI(t, "diff", p("ext.onnx"), p("m.onnx"))
	if code != 2 || !strings.Contains(errOut, "w.bin") {
		t.Errorf("unreadable weights: exit %d: %s", code, errOut)
	}
	if code, _, _ := runCLI(t, "diff", p("m.onnx"), p("missing.onnx")); code != 2 {
		t.Errorf("missing file: exit %d", code)
	}
}

// TestApplySimplify: a recorded simplify step replays to the bytes the
// simplify command writes.
func TestApplySimplify(t *testing.T) {
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	if err := samples.ConvBN().Save(p("m.onnx")); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCLI(t, "simplify", p("m.onnx"), p("cli.onnx")); code != 0 {
		t.Fatalf("simplify: %s", errOut)
	}
	script := "{\"version\": 1, \"steps\": [\n  {\"op\": \"simplify\"}\n]}\n"
	if err := os.WriteFile(p("s.json"), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCLI(t, "apply", p("s.json"), p("m.onnx"), p("applied.onnx")); code != 0 {
		t.Fatalf("apply: %s", errOut)
	}
	if !bytes.Equal(readFile(t, p("applied.onnx")), readFile(t, p("cli.onnx"))) {
		t.Error("apply of a simplify step differs from the simplify command")
	}
}

// TestRecord: each edit command given --record appends its step; apply of
// the script on the first model gives the bytes the commands wrote.
func TestRecord(t *testing.T) {
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	if err := samples.MNIST().Save(p("0.onnx")); err != nil {
		t.Fatal(err)
	}
	// A head to merge, read by the merge step from the script's folder.
	head := onnxgraph.NewModel(8, map[string]int64{"": 13})
	logits, _ := head.Graph().AddInput("logits", onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(1, 10)))
	soft, _ := head.Graph().AddNode("Softmax", []*onnxgraph.Value{logits}, []string{"probs"})
	if err := head.Graph().AddOutput(soft.Output(0), nil); err != nil {
		t.Fatal(err)
	}
	if err := head.Save(p("head.onnx")); err != nil {
		t.Fatal(err)
	}
	steps := [][]string{
		{"merge", p("head.onnx"), "--connect", "Plus214_Output_0=logits", "--prefix", ",head/", "--keep-outputs"},
		{"rename", "--add-prefix", "m/", "--scope", "nodes"},
		{"rename", "--from", "Plus28_Output_0", "--to", "sum"},
		{"delete-nodes", "--names", "m/ReLU28"},
		{"modify", "--node", "m/Pooling66", "--attr", "strides=1,1", "--attr", "kernel_shape=2,2"},
		{"add-outputs", "--names", "Pooling66_Output_0"},
		{"set-dims", "--input", "Input3=B,1,28,28"},
		{"infer", "--input", "Input3=B,1,28,28"},
		{"set-batch", "--batch", "N", "--write-shapes"},
		{"name-nodes", "--prefix", "x_"},
		{"strip-docs"},
		{"rewire", "--from", "Pooling66_Output_0", "--to", "sum", "--consumer", "m/Convolution110", "--relax-shapes"},
		{"extract", "--outputs", "Plus214_Output_0", "--add-missing-inputs"},
		{"prune", "--sort"},
		{"simplify"},
		{"set-opset", "--opset", "17", "--convert"},
		{"insert-node", "--op", "Mul", "--between", "Plus214_Output_0", "--const", "B=2.0", "--graph-outputs"},
		{"layout", "--input", "Input3=NHWC"},
		{"sort"},
		{"shrink", "--downcast"},
	}
	in := p("0.onnx")
	for i, st := range steps {
		out := p(fmt.Sprintf("%d.onnx", i+1))
		args := append([]string{st[0], in, out, "--record", p("s.json")}, st[1:]...)
		if st[0] == "merge" {
			args = append([]string{st[0], in, st[1], out, "--record", p("s.json")}, st[2:]...)
		}
		if code, _, errOut := runCLI(t, args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		in = out
	}
	// A command run with --write-shapes records its edit and an infer
	// step that writes the same shapes.
	var want []string
	for _, st := range steps {
		want = append(want, st[0])
		if slices.Contains(st, "--write-shapes") {
			want = append(want, "infer")
		}
	}
	sc, err := onnxgraph.ParseScriptWith(readFile(t, p("s.json")), view.ScriptOps())
	if err != nil || len(sc.Steps) != len(want) {
		t.Fatalf("script: %v\n%s", err, readFile(t, p("s.json")))
	}
	if ms, ok := sc.Steps[0].Args.(*onnxgraph.MergeStep); !ok || !slices.Equal(ms.With, []string{"head.onnx"}) {
		t.Errorf("merge step %#v: the head is not written relative to the script", sc.Steps[0].Args)
	}
	for i, st := range sc.Steps {
		if st.Op() != want[i] || st.Line != 4+i {
			t.Errorf("step %d: %s on line %d, want %s", i+1, st.Op(), st.Line, want[i])
		}
	}
	if code, _, errOut := runCLI(t, "apply", p("s.json"), p("0.onnx"), p("replayed.onnx")); code != 0 {
		t.Fatalf("apply: %s", errOut)
	}
	if !bytes.Equal(readFile(t, p("replayed.onnx")), readFile(t, in)) {
		code, out, _ := runCLI(t, "diff", in, p("replayed.onnx"))
		t.Errorf("apply of the recorded script differs from the commands' result (diff exit %d):\n%s", code, out)
	}
	// A file that is not a script is not overwritten.
	if err := os.WriteFile(p("notes.json"), []byte("notes"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCLI(t, "prune", p("0.onnx"), p("y.onnx"), "--record", p("notes.json")); code != 1 || !strings.Contains(errOut, "notes.json") || string(readFile(t, p("notes.json"))) != "notes" {
		t.Errorf("--record into a file that is not a script: exit %d: %s", code, errOut)
	}
}
