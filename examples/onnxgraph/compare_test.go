package main

import (
	"encoding/binary"
	"math"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph/examples/internal/ort/orttest"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/samples"
)

// mnistWithBias returns the MNIST sample with element i of the final bias
// (Parameter194, added to the logits) increased by delta.
func mnistWithBias(t *testing.T, i int, delta float32) *onnxgraph.Model {
	t.Helper()
	m := samples.MNIST()
	g := m.Graph()
	v, ok := g.Value("Parameter194")
	if !ok {
		t.Fatal("MNIST has no Parameter194")
	}
	old := v.Initializer()
	if old == nil {
		t.Fatal("Parameter194 is not an initializer")
	}
	vals, err := old.Float32s()
	if err != nil {
		t.Fatal(err)
	}
	vals[i] += delta
	raw := make([]byte, 4*len(vals))
	for j, x := range vals {
		binary.LittleEndian.PutUint32(raw[4*j:], math.Float32bits(x))
	}
	nt, err := onnxgraph.NewTensor(old.Name(), onnxgraph.Float, old.Dims(), raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.SetInitializer(v, nt); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestCompareSame(t *testing.T) {
	orttest.Find(t)
	a := saveModel(t, samples.MNIST(), "a.onnx")
	b := saveModel(t, samples.MNIST(), "b.onnx")
	out := runOK(t, "compare", a, b)
	for _, want := range []string{
		"A: " + a, "B: " + b,
		"Input3  float32  [1,1,28,28]  random (seed 0)",
		"OUTPUT            TYPE            MAX ABS  MAX REL  MISMATCHED  CLOSE",
		"Plus214_Output_0  float32 [1,10]  0        0        0/10        yes",
		"1 of 1 outputs close (|a-b| <= atol + rtol*|b|, rtol 1e-05, atol 1e-06)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("compare output lacks %q:\n%s", want, out)
		}
	}
	diffs, err := compareModels(a, a, compareOptions{Inputs: []string{"ones"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(diffs) != 1 || !diffs[0].Close || diffs[0].MaxAbs != 0 || diffs[0].A != "Plus214_Output_0" || diffs[0].B != "Plus214_Output_0" {
		t.Errorf("diffs = %+v", diffs)
	}
}

func TestCompareChanged(t *testing.T) {
	orttest.Find(t)
	a := saveModel(t, samples.MNIST(), "a.onnx")
	b := saveModel(t, mnistWithBias(t, 3, 0.5), "b.onnx")
	code, out, errOut := runCLI(t, "compare", a, b)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "compare: 1 of 1 outputs not close: Plus214_Output_0") {
		t.Errorf("stderr does not name the output: %q", errOut)
	}
	for _, want := range []string{"1/10        NO", "Plus214_Output_0: largest difference at [0,3]", "0 of 1 outputs close"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	diffs, err := compareModels(a, b, compareOptions{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	d := diffs[0]
	if len(diffs) != 1 || d.Close || d.Mismatches != 1 || d.Worst != 3 || math.Abs(d.MaxAbs-0.5) > 1e-5 || math.Abs(d.WorstB-d.WorstA-0.5) > 1e-5 {
		t.Errorf("diffs = %+v", diffs)
	}
	// A tolerance above the change makes them close; rtol alone relative
	// to B's value may or may not, atol 0.6 always does.
	if code, out, errOut := runCLI(t, "compare", a, b, "--atol", "0.6"); code != 0 {
		t.Errorf("--atol 0.6: exit %d\n%s\n%s", code, out, errOut)
	}
	// Exact comparison of identical models still passes with zero
	// tolerances.
	if code, _, errOut := runCLI(t, "compare", a, a, "--atol", "0", "--rtol", "0"); code != 0 {
		t.Errorf("zero tolerances, same model: exit %d, %s", code, errOut)
	}
	if code, _, errOut := runCLI(t, "compare", a, b, "--atol", "-1"); code != 2 || !strings.Contains(errOut, "cannot be negative") {
		t.Errorf("--atol -1: exit %d, %s", code, errOut)
	}
}

func TestCompareMap(t *testing.T) {
	orttest.Find(t)
	a := saveModel(t, samples.MNIST(), "a.onnx")
	renamed := samples.MNIST().
		Rename("Input3", "image", nil, nil).
		Rename("Plus214_Output_0", "logits", nil, nil)
	if err := renamed.Err(); err != nil {
		t.Fatal(err)
	}
	b := saveModel(t, renamed, "b.onnx")

	// Inputs must pair up.
	code, _, errOut := runCLI(t, "compare", a, b)
	if code != 1 || !strings.Contains(errOut, "inputs of "+a+" missing in "+b+": Input3") || !strings.Contains(errOut, "inputs of "+b+" missing in "+a+": image") || !strings.Contains(errOut, "--map") {
		t.Errorf("unpaired inputs: exit %d, %q", code, errOut)
	}
	_, err := compareModels(a, b, compareOptions{})
	if err == nil || !strings.Contains(err.Error(), "Input3") {
		t.Errorf("compareModels with unpaired inputs: %v", err)
	}
	// Then at least one output.
	code, _, errOut = runCLI(t, "compare", a, b, "--map", "Input3=image")
	if code != 1 || !strings.Contains(errOut, "no output of") || !strings.Contains(errOut, "Plus214_Output_0 and logits") {
		t.Errorf("no common output: exit %d, %q", code, errOut)
	}
	out := runOK(t, "compare", a, b, "--map", "Input3=image", "--map", "Plus214_Output_0=logits", "--input", "image=ones")
	if !strings.Contains(out, "Plus214_Output_0=logits  float32 [1,10]") || !strings.Contains(out, "Input3  float32  [1,1,28,28]  ones") {
		t.Errorf("mapped compare:\n%s", out)
	}
	diffs, err := compareModels(a, b, compareOptions{Map: map[string]string{"Input3": "image", "Plus214_Output_0": "logits"}})
	if err != nil || len(diffs) != 1 || !diffs[0].Close || diffs[0].B != "logits" {
		t.Errorf("compareModels mapped: %+v, %v", diffs, err)
	}
	if code, _, errOut := runCLI(t, "compare", a, b, "--map", "Input3"); code != 2 || !strings.Contains(errOut, "want A_NAME=B_NAME") {
		t.Errorf("bad --map: exit %d, %q", code, errOut)
	}
}

// TestCompareExtraOutput checks that an output only one model has is
// listed but not compared.
func TestCompareExtraOutput(t *testing.T) {
	orttest.Find(t)
	a := saveModel(t, samples.MNIST(), "a.onnx")
	m := samples.MNIST()
	g := m.Graph()
	v, ok := g.Value("Pooling160_Output_0")
	if !ok {
		t.Fatal("MNIST has no Pooling160_Output_0")
	}
	if err := g.AddOutput(v, onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(1, 16, 4, 4))); err != nil {
		t.Fatal(err)
	}
	b := saveModel(t, m, "b.onnx")
	out := runOK(t, "compare", a, b)
	if !strings.Contains(out, "not compared, only in B: Pooling160_Output_0") || !strings.Contains(out, "1 of 1 outputs close") {
		t.Errorf("extra output:\n%s", out)
	}
}
