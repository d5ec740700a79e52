package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/samples"
)

// edSave saves m under dir/name and returns the path.
func edSave(t *testing.T, dir, name string, m *onnxgraph.Model) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := m.Save(p); err != nil {
		t.Fatal(err)
	}
	return p
}

// edOpen opens a model the CLI wrote and runs the IR's sanity check.
func edOpen(t *testing.T, path string) *onnxgraph.Model {
	t.Helper()
	m, err := onnxgraph.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	if err := m.Sanity(); err != nil {
		t.Fatal(err)
	}
	return m
}

// edRun runs the CLI and fails unless it exits with code, returning stdout
// (or stderr for a failure).
func edRun(t *testing.T, code int, args ...string) string {
	t.Helper()
	c, out, errOut := runCLI(t, args...)
	if c != code {
		t.Fatalf("%v: exit %d, want %d\nstdout: %s\nstderr: %s", args, c, code, out, errOut)
	}
	if code != 0 {
		return errOut
	}
	return out
}

// edSoftmaxModel is logits [1,10] -> Softmax -> probs, opset 13.
func edSoftmaxModel(t *testing.T) *onnxgraph.Model {
	m := onnxgraph.NewModel(8, map[string]int64{"": 13})
	g := m.Graph()
	x, _ := g.AddInput("logits", onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(1, 10)))
	n, err := g.AddNode("Softmax", []*onnxgraph.Value{x}, []string{"probs"})
	if err != nil {
		t.Fatal(err)
	}
	n.SetName("softmax")
	if err := g.AddOutput(n.Output(0), onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(1, 10))); err != nil {
		t.Fatal(err)
	}
	return m
}

// edContains fails unless s holds every one of wants.
func edContains(t *testing.T, s string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(s, w) {
			t.Errorf("output lacks %q:\n%s", w, s)
		}
	}
}

func TestMergeCommand(t *testing.T) {
	dir := t.TempDir()
	a := edSave(t, dir, "a.onnx", samples.MNIST())
	b := edSave(t, dir, "b.onnx", edSoftmaxModel(t))
	out := filepath.Join(dir, "ab.onnx")
	s := edRun(t, 0, "merge", a, b, out, "--connect", "Plus214_Output_0=logits", "--prefix", "cnn/,head/")
	edContains(t, s, "merged 2 models", "connected step 1: cnn/Plus214_Output_0 -> head/logits (float32[1,10])",
		`model 1: 33 names prefixed with "cnn/"`, "removed inputs: head/logits", "no longer outputs: cnn/Plus214_Output_0",
		"input cnn/Input3: float32[1,1,28,28]", "output head/probs: float32[1,10]")
	m := edOpen(t, out)
	if m.Graph().NumNodes() != 13 {
		t.Errorf("%d nodes", m.Graph().NumNodes())
	}

	// Three models, steps numbered; the third reads the first's input too.
	c := edSave(t, dir, "c.onnx", edSoftmaxModel(t))
	out3 := filepath.Join(dir, "abc.onnx")
	s = edRun(t, 0, "merge", a, b, c, out3, "--connect", "1:Plus214_Output_0=logits", "--connect", "2:head/probs=logits", "--prefix", "cnn/,head/,head2/", "-v")
	edContains(t, s, "merged 3 models", "step 2: head/probs -> head2/logits", "renamed value probs -> head2/probs (model 3)")
	edOpen(t, out3)

	// Errors: unknown names (exit 1, named), bad syntax (exit 2).
	e := edRun(t, 1, "merge", a, b, out, "--connect", "nosuch=logits", "--prefix", "cnn/,head/")
	edContains(t, e, "nosuch", "not a value")
	e = edRun(t, 1, "merge", a, a, out, "--connect", "Input3=Input3")
	edContains(t, e, "names are used by both sides", "give the models prefixes")
	e = edRun(t, 1, "merge", a, a, out, "--connect", "Plus214_Output_0=Input3", "--prefix", "x/,y/")
	edContains(t, e, "x/Plus214_Output_0", "y/Input3", "ranks differ")
	edRun(t, 2, "merge", a, b, c, out, "--connect", "Plus214_Output_0=logits")
	edRun(t, 2, "merge", a, b, out, "--connect", "3:Plus214_Output_0=logits")
	edRun(t, 2, "merge", a, out)
}

// TestMergeThreeModelsChecksEveryStep joins float to int64 in the second
// step of a three-model merge, through a value whose type only inference
// knows: the junction is checked against the model as it is at that step,
// so the merge fails as a two-model merge would.
func TestMergeThreeModelsChecksEveryStep(t *testing.T) {
	chain := func(in string, dt onnxgraph.DataType, mid, out string) *onnxgraph.Model {
		m := onnxgraph.NewModel(8, map[string]int64{"": 13})
		g := m.Graph()
		x, err := g.AddInput(in, onnxgraph.TensorType(dt, onnxgraph.Dims(1, 4)))
		if err != nil {
			t.Fatal(err)
		}
		n, err := g.AddNode("Relu", []*onnxgraph.Value{x}, []string{mid})
		if err != nil {
			t.Fatal(err)
		}
		n2, err := g.AddNode("Identity", []*onnxgraph.Value{n.Output(0)}, []string{out})
		if err != nil {
			t.Fatal(err)
		}
		if err := g.AddOutput(n2.Output(0), onnxgraph.TensorType(dt, onnxgraph.Dims(1, 4))); err != nil {
			t.Fatal(err)
		}
		return m
	}
	dir := t.TempDir()
	a := edSave(t, dir, "a.onnx", chain("a_in", onnxgraph.Float, "a_mid", "a_out"))
	b := edSave(t, dir, "b.onnx", chain("b_in", onnxgraph.Float, "b_mid", "b_out"))
	c := edSave(t, dir, "c.onnx", chain("c_in", onnxgraph.Int64, "c_mid", "c_out"))
	d := edSave(t, dir, "d.onnx", chain("d_in", onnxgraph.Float, "d_mid", "d_out"))
	out := filepath.Join(dir, "out.onnx")

	// Two models: refused.
	msg := edRun(t, 1, "merge", "--connect", "b_mid=c_in", b, c, out)
	edContains(t, msg, "b_mid", "c_in", "float", "int64")
	// Three models, the same junction in step 2: refused too.
	msg = edRun(t, 1, "merge", "--connect", "1:a_mid=b_in", "--connect", "2:b_mid=c_in", a, b, c, out)
	edContains(t, msg, "b_mid", "c_in", "float", "int64")
	// A good third step is checked, not waved through.
	got := edRun(t, 0, "merge", "--connect", "1:a_mid=b_in", "--connect", "2:b_mid=d_in", a, b, d, out)
	if strings.Contains(got, "not checked") {
		t.Errorf("a junction of the second step went unchecked:\n%s", got)
	}
	edOpen(t, out)
}
