package main

import (
	"path/filepath"
	"testing"

	"github.com/onnxgraph/onnxgraph/samples"
)

func TestRewireCommand(t *testing.T) {
	dir := t.TempDir()
	in := edSave(t, dir, "mnist.onnx", samples.MNIST())
	out := filepath.Join(dir, "out.onnx")
	s := edRun(t, 0, "rewire", in, out, "--from", "ReLU28_Output_0", "--to", "Plus28_Output_0", "--consumer", "Pooling66:0")
	edContains(t, s, `rewired 1 reads from ReLU28_Output_0 to Plus28_Output_0: "Pooling66"(MaxPool):0`, "pruned 1 nodes and initializers no longer needed: ReLU28(Relu)")
	if m := edOpen(t, out); m.Graph().NumNodes() != 11 {
		t.Errorf("%d nodes", m.Graph().NumNodes())
	}
	e := edRun(t, 1, "rewire", in, out, "--from", "ReLU28_Output_0", "--to", "Parameter5")
	edContains(t, e, "Parameter5", "ReLU28_Output_0")
	e = edRun(t, 1, "rewire", in, out, "--from", "Input3", "--to", "ReLU28_Output_0", "--relax-shapes")
	edContains(t, e, "ReLU28_Output_0", "would then read it")
	edRun(t, 2, "rewire", in, out, "--from", "x")
	edRun(t, 2, "rewire", in, out, "--from", "x", "--to", "y", "--consumer", "n:x")
}
