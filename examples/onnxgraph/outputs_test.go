package main

import (
	"path/filepath"
	"testing"

	"github.com/onnxgraph/onnxgraph/samples"
)

func TestOutputsCommands(t *testing.T) {
	dir := t.TempDir()
	in := edSave(t, dir, "mnist.onnx", samples.MNIST())
	added := filepath.Join(dir, "added.onnx")
	s := edRun(t, 0, "add-outputs", in, added, "--names", "ReLU28_Output_0,Plus214_Output_0")
	edContains(t, s, "added output ReLU28_Output_0: float32[1,8,28,28]", "already outputs: Plus214_Output_0")
	if m := edOpen(t, added); len(m.Graph().Outputs()) != 2 {
		t.Errorf("%d outputs", len(m.Graph().Outputs()))
	}
	out := filepath.Join(dir, "out.onnx")
	s = edRun(t, 0, "delete-outputs", added, out, "--names", "Plus214_Output_0")
	edContains(t, s, "removed outputs Plus214_Output_0", "pruned 15 nodes and initializers")
	if m := edOpen(t, out); m.Graph().NumNodes() != 3 {
		t.Errorf("%d nodes", m.Graph().NumNodes())
	}
	edRun(t, 1, "add-outputs", in, out, "--names", "nosuch")
	edRun(t, 1, "delete-outputs", in, out, "--names", "Plus214_Output_0")
	edRun(t, 2, "add-outputs", in, out)

	s = edRun(t, 0, "prune", out, filepath.Join(dir, "pruned.onnx"), "--inputs", "--sort")
	edContains(t, s, "removed 0 nodes")
}
