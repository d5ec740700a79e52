package tflitecheck

import (
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/examples/internal/ort"
	"github.com/onnxgraph/onnxgraph/samples"
)

func TestSmokeMNIST(t *testing.T) {
	needRuntimes(t)
	m := samples.MNIST()
	x, _ := ort.RandomTensor(ort.NewRand(1), onnxgraph.Float, []int64{1, 1, 28, 28})
	xg, _ := x.Graph("Input3")
	res := crossRun(t, []crossCase{{name: "mnist", model: m, inputs: map[string]*onnxgraph.Tensor{"Input3": xg}, tol: float32Tol}})
	t.Logf("%+v %v", res[0], res[0].convErr)
	if res[0].report != nil {
		t.Logf("%+v", *res[0].report)
	}
}
