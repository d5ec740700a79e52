package main

import (
	"path/filepath"
	"testing"

	"github.com/onnxgraph/onnxgraph/samples"
)

func TestInsertNodeCommand(t *testing.T) {
	dir := t.TempDir()
	in := edSave(t, dir, "mnist.onnx", samples.MNIST())
	out := filepath.Join(dir, "out.onnx")
	s := edRun(t, 0, "insert-node", in, out, "--op", "Mul", "--between", "Input3", "--const", "B=1.0")
	edContains(t, s, "inserted Mul (Mul, opset 13) reading Input3, outputs Mul_output", "constant Mul_B: float32[]", `readers switched: "Convolution28"(Conv):0`)
	m := edOpen(t, out)
	if m.Graph().Nodes()[0].OpType() != "Mul" {
		t.Error("Mul is not first")
	}
	// Attributes typed by the schema; some readers only; before the graph output.
	s = edRun(t, 0, "insert-node", in, out, "--op", "LeakyRelu", "--name", "leaky", "--attr", "alpha=0.25", "--between", "Plus28_Output_0:ReLU28")
	edContains(t, s, "inserted leaky (LeakyRelu", `readers switched: "ReLU28"(Relu):0`)
	s = edRun(t, 0, "insert-node", in, out, "--op", "Softmax", "--attr", "axis=1", "--between", "Plus214_Output_0", "--graph-outputs")
	edContains(t, s, "graph output Plus214_Output_0 -> Softmax_output")
	m = edOpen(t, out)
	if o := m.Graph().Outputs()[0]; o.Name() != "Softmax_output" || o.ElemType() != 1 {
		t.Errorf("output %s %v", o.Name(), o.Type())
	} else if d, _, ok := o.Shape(); !ok || len(d) != 2 {
		t.Errorf("output shape %v (inference should give [1,10])", d)
	}
	e := edRun(t, 1, "insert-node", in, out, "--op", "Mull", "--between", "Input3")
	edContains(t, e, "Mull", "opset 13")
	e = edRun(t, 1, "insert-node", in, out, "--op", "LeakyRelu", "--attr", "alpha=big", "--between", "Input3")
	edContains(t, e, "alpha")
	edRun(t, 1, "insert-node", in, out, "--op", "Relu", "--between", "Input3:Plus214")
	edRun(t, 2, "insert-node", in, out, "--op", "Relu")
}
