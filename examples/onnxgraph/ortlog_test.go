package main

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph/examples/internal/ort/orttest"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/internal/suitetest"
)

// unusedInitModel is x -> Relu -> y with an initializer nothing reads,
// which ONNX Runtime warns about when it loads the model.
func unusedInitModel(t *testing.T) string {
	t.Helper()
	m := onnxgraph.NewModel(8, map[string]int64{"": 13})
	g := m.Graph()
	x, _ := g.AddInput("x", onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(2)))
	n, _ := g.AddNode("Relu", []*onnxgraph.Value{x}, []string{"y"})
	if err := g.AddOutput(n.Output(0), nil); err != nil {
		t.Fatal(err)
	}
	w, _ := onnxgraph.TensorFrom("unused_weight", []int64{2}, []float32{1, 2})
	if _, err := g.AddInitializer(w); err != nil {
		t.Fatal(err)
	}
	return saveModel(t, m, "unused.onnx")
}

// TestORTLogThroughProgram: ONNX Runtime's log goes through onnxgraph:
// a model it refuses gives one error, every line of stderr starting with
// "onnxgraph:" and free of colour escapes; a warning prints once, as a line
// of onnxgraph's, not with -n; -v shows more of the log.
func TestORTLogThroughProgram(t *testing.T) {
	orttest.Find(t)
	bin := cliBinary(t)
	exe := func(args ...string) (int, string, string) {
		t.Helper()
		var out, errOut bytes.Buffer
		cmd := exec.Command(bin, args...)
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return code, out.String(), errOut.String()
	}
	lines := func(s string) []string { return strings.Split(strings.TrimSuffix(s, "\n"), "\n") }
	wellFormed := func(what, stderr string) {
		t.Helper()
		if strings.Contains(stderr, "\x1b") {
			t.Errorf("%s: colour escapes on stderr: %q", what, stderr)
		}
		for _, l := range lines(stderr) {
			if !strings.HasPrefix(l, "onnxgraph: ") {
				t.Errorf("%s: stderr line %q", what, l)
			}
		}
	}

	// Refused at load: batchwise GRU.
	gru := suitetest.Model(t, "node/test_gru_batchwise")
	for _, cmd := range [][]string{{"run", gru}, {"compare", gru, gru}} {
		code, _, stderr := exe(cmd...)
		wellFormed(cmd[0], stderr)
		if code != 1 || strings.Count(stderr, "Batchwise recurrent operations") != 1 {
			t.Errorf("%s: exit %d, the error %d times:\n%s", cmd[0], code, strings.Count(stderr, "Batchwise recurrent operations"), stderr)
		}
	}

	// A warning: once, as a line of ours.
	unused := unusedInitModel(t)
	code, _, stderr := exe("run", unused)
	wellFormed("warning", stderr)
	if code != 0 || len(lines(stderr)) != 1 || !strings.HasPrefix(stderr, "onnxgraph: onnxruntime warning: Removing initializer 'unused_weight'") {
		t.Errorf("run with a warning: exit %d, stderr:\n%s", code, stderr)
	}
	if code, _, stderr := exe("run", "-n", unused); code != 0 || stderr != "" {
		t.Errorf("run -n: exit %d, stderr %q", code, stderr)
	}
	code, _, verbose := exe("run", "-v", unused)
	wellFormed("-v", verbose)
	if code != 0 || len(lines(verbose)) <= 1 || !strings.Contains(verbose, "onnxruntime info: ") {
		t.Errorf("run -v: exit %d, stderr:\n%s", code, verbose)
	}
	// In process, the log reaches the command's own stderr.
	code, _, stderr = runCLI(t, "run", unused)
	if code != 0 || !strings.Contains(stderr, "onnxgraph: onnxruntime warning: Removing initializer 'unused_weight'") {
		t.Errorf("in process: exit %d, stderr %q", code, stderr)
	}
}
