package main

import (
	"path/filepath"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/samples"
)

func TestDeleteNodesCommand(t *testing.T) {
	dir := t.TempDir()
	in := edSave(t, dir, "mnist.onnx", samples.MNIST())
	out := filepath.Join(dir, "out.onnx")
	s := edRun(t, 0, "delete-nodes", in, out, "--names", "ReLU28,ReLU110")
	edContains(t, s, "deleted ReLU28(Relu), ReLU110(Relu)", "readers of ReLU28_Output_0 -> Plus28_Output_0")
	if m := edOpen(t, out); m.Graph().NumNodes() != 10 {
		t.Errorf("%d nodes", m.Graph().NumNodes())
	}
	// MatMul reads two computed values: refused without a map, done with one.
	e := edRun(t, 1, "delete-nodes", in, out, "--names", "Times212")
	edContains(t, e, "Times212", "say which input replaces each output")
	e = edRun(t, 1, "delete-nodes", in, out, "--names", "Times212", "--map", "Times212:Times212_Output_0=Pooling160_Output_0_reshape0")
	edContains(t, e, "cannot stand in", "dimension 1 differs")
	s = edRun(t, 0, "delete-nodes", in, out, "--names", "Times212,Plus214", "--map", "Times212:Times212_Output_0=Parameter193_reshape1", "--relax-shapes")
	edContains(t, s, "graph output Plus214_Output_0 -> Parameter193_reshape1")
	m := edOpen(t, out)
	if got := m.Graph().Outputs()[0].Name(); got != "Parameter193_reshape1" {
		t.Errorf("output %s", got)
	}
	edRun(t, 1, "delete-nodes", in, out, "--names", "nosuch")
	edRun(t, 2, "delete-nodes", in, out, "--names", "Times212", "--map", "nonsense")
	_ = onnxgraph.ErrInvalid
}
