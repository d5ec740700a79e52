package onnxgraph_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/samples"
)

// The whole story: build or load a model, look at it, edit it in a chain,
// save it with its weights in an external file, and load it back.
func Example() {
	dir, _ := os.MkdirTemp("", "onnxgraph-example-")
	defer os.RemoveAll(dir)
	in := filepath.Join(dir, "mnist.onnx")
	if err := samples.MNIST().Save(in); err != nil {
		fmt.Println(err)
		return
	}

	out := filepath.Join(dir, "mnist-external.onnx")
	err := onnxgraph.Load(in).
		Apply("TopoSort", func(m *onnxgraph.Model) error { return m.Graph().TopoSort() }).
		SaveWith(out, &onnxgraph.SaveOptions{External: onnxgraph.ExternalSingle, Threshold: 1024})
	if err != nil {
		fmt.Println(err)
		return
	}

	m, err := onnxgraph.Open(out, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()
	s := m.Summarize()
	fmt.Println("ops:", s.TotalOps, "parameters:", s.Parameters, "external bytes:", s.ExternalBytes)
	fmt.Println("input:", s.Inputs[0].Name, s.Inputs[0].Type, s.Inputs[0].Shape)
	// Output:
	// ops: 12 parameters: 5998 external bytes: 23040
	// input: Input3 float32 [1,1,28,28]
}

func ExampleLoad() {
	err := onnxgraph.Load("no/such/model.onnx").
		Apply("TopoSort", func(m *onnxgraph.Model) error { return m.Graph().TopoSort() }).
		Save("unused.onnx")
	fmt.Println(err != nil)
	// Output: true
}

func ExampleGraph_AddNode() {
	m := onnxgraph.NewModel(8, map[string]int64{"": 17})
	g := m.Graph()
	x, _ := g.AddInput("x", onnxgraph.TensorType(onnxgraph.Float, []onnxgraph.Dim{onnxgraph.DimParam("N"), onnxgraph.DimOf(4)}))
	sq, _ := g.AddNode("Mul", []*onnxgraph.Value{x, x}, []string{"x_squared"})
	_ = g.AddOutput(sq.Output(0), nil)
	for _, u := range x.Uses() {
		fmt.Println(u.Node.OpType(), "reads x as input", u.Index)
	}
	// Output:
	// Mul reads x as input 0
	// Mul reads x as input 1
}

func ExampleValue_ReplaceAllUsesWith() {
	m := onnxgraph.NewModel(8, map[string]int64{"": 17})
	g := m.Graph()
	x, _ := g.AddInput("x", nil)
	relu, _ := g.AddNode("Relu", []*onnxgraph.Value{x}, []string{"r"})
	neg, _ := g.AddNode("Neg", []*onnxgraph.Value{relu.Output(0)}, []string{"y"})
	// Bypass the Relu: Neg now reads x.
	relu.Output(0).ReplaceAllUsesWith(x)
	fmt.Println(neg.Input(0).Name(), relu.Output(0).NumUses(), m.Sanity())
	// Output: x 0 <nil>
}

func ExampleGraph_TopoSort() {
	m := samples.MNIST()
	fmt.Println(m.Graph().TopoSort(), m.Graph().Nodes()[0].Name())
	// Output: <nil> Convolution28
}

func ExampleModel_Clone() {
	m := samples.MNIST()
	c := m.Clone()
	c.Graph().Nodes()[0].SetName("changed")
	fmt.Println(m.Graph().Nodes()[0].Name(), c.Graph().Nodes()[0].Name())
	// Output: Convolution28 changed
}

func ExampleModel_SaveWith() {
	dir, _ := os.MkdirTemp("", "onnxgraph-example-")
	defer os.RemoveAll(dir)
	m := samples.MNIST()
	err := m.SaveWith(filepath.Join(dir, "model.onnx"), &onnxgraph.SaveOptions{External: onnxgraph.ExternalPerTensor, Threshold: 4096})
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		fmt.Println(filepath.Base(f))
	}
	fmt.Println(err)
	// Output:
	// Parameter193
	// Parameter87
	// model.onnx
	// <nil>
}

func ExampleModel_Summarize() {
	s := samples.MNIST().Summarize()
	for _, op := range s.Ops {
		fmt.Println(op.OpType, op.Count, op.ParamBytes)
	}
	// Output:
	// Add 3 136
	// Conv 2 13600
	// MatMul 1 0
	// MaxPool 2 0
	// Relu 2 0
	// Reshape 2 10272
}
