package main

import (
	"path/filepath"
	"testing"

	"github.com/onnxgraph/onnxgraph/samples"
)

func TestExtractCommand(t *testing.T) {
	dir := t.TempDir()
	in := edSave(t, dir, "mnist.onnx", samples.MNIST())
	out := filepath.Join(dir, "part.onnx")
	s := edRun(t, 0, "extract", in, out, "--inputs", "Pooling66_Output_0", "--outputs", "Pooling160_Output_0")
	edContains(t, s, "kept 4 nodes and 2 initializers, left out 8 nodes",
		"input Pooling66_Output_0: float32[1,8,14,14]", "output Pooling160_Output_0: float32[1,16,4,4]")
	if m := edOpen(t, out); m.Graph().NumNodes() != 4 {
		t.Errorf("%d nodes", m.Graph().NumNodes())
	}
	// Without inference the types are unknown: an error, unless allowed,
	// and then said so.
	e := edRun(t, 1, "extract", in, out, "--inputs", "Pooling66_Output_0", "--outputs", "Pooling160_Output_0", "--no-infer")
	edContains(t, e, `the type of "Pooling66_Output_0", "Pooling160_Output_0" is unknown`)
	s = edRun(t, 0, "extract", in, out, "--inputs", "Pooling66_Output_0", "--outputs", "Pooling160_Output_0", "--no-infer", "--allow-untyped")
	edContains(t, s, "input Pooling66_Output_0: type unknown", "warning: no type known for Pooling66_Output_0, Pooling160_Output_0")
	// A missing input: an error naming it, then the option that adds it.
	e = edRun(t, 1, "extract", in, out, "--outputs", "ReLU28_Output_0")
	edContains(t, e, `"Input3"`, "AddMissingInputs")
	s = edRun(t, 0, "extract", in, out, "--outputs", "ReLU28_Output_0", "--add-missing-inputs")
	edContains(t, s, "added as inputs (needed, not listed): Input3", "output ReLU28_Output_0: float32[1,8,28,28]")
	edRun(t, 1, "extract", in, out, "--inputs", "nosuch", "--outputs", "ReLU28_Output_0")
	edRun(t, 2, "extract", in, out)
}
