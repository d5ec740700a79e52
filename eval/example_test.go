package eval_test

import (
	"errors"
	"fmt"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/eval"
	"github.com/onnxgraph/onnxgraph/samples"
)

// Constant folding: evaluate one node on constant inputs.
func ExampleEvalNode() {
	m := onnxgraph.NewModel(8, map[string]int64{"": 17})
	g := m.Graph()
	x, _ := g.AddInput("x", onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(2, 3)))
	n, _ := g.AddNode("Transpose", []*onnxgraph.Value{x}, []string{"y"}, onnxgraph.AttrInts("perm", 1, 0))

	in, _ := onnxgraph.TensorFrom("x", []int64{2, 3}, []float32{1, 2, 3, 4, 5, 6})
	out, err := eval.EvalNode(n, []*onnxgraph.Tensor{in}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	vals, _ := out[0].Float32s()
	fmt.Println(out[0].Name(), out[0].Dims(), vals)
	// Output:
	// y [3 2] [1 4 2 5 3 6]
}

// Errors tell an operator without a kernel from a node that cannot be
// evaluated.
func ExampleEvalNode_errors() {
	m := onnxgraph.NewModel(8, map[string]int64{"": 17})
	g := m.Graph()
	x, _ := g.AddInput("x", onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(2)))
	shape, _ := g.AddInput("shape", onnxgraph.TensorType(onnxgraph.Int64, onnxgraph.Dims(1)))
	n, _ := g.AddNode("Reshape", []*onnxgraph.Value{x, shape}, []string{"y"})
	n.SetName("reshape")

	in, _ := onnxgraph.TensorFrom("x", []int64{2}, []float32{1, 2})
	bad, _ := onnxgraph.TensorFrom("shape", []int64{1}, []int64{3})
	_, err := eval.EvalNode(n, []*onnxgraph.Tensor{in, bad}, nil)
	fmt.Println(err)
	fmt.Println(errors.Is(err, eval.ErrInvalid), errors.Is(err, eval.ErrNotImplemented))

	huge, _ := onnxgraph.TensorFrom("shape", []int64{1}, []int64{1 << 30})
	c, _ := g.AddNode("ConstantOfShape", []*onnxgraph.Value{shape}, []string{"z"})
	_, err = eval.EvalNode(c, []*onnxgraph.Tensor{huge}, &eval.Options{MaxElements: 1 << 20})
	fmt.Println(errors.Is(err, eval.ErrTooLarge))
	// Output:
	// eval: node "reshape" (Reshape-14): shape [3] does not hold 2 elements
	// true false
	// true
}

// Run a whole model on named inputs.
func ExampleRun() {
	m := samples.MNIST()
	img := make([]float32, 28*28)
	for i := range img {
		img[i] = float32(i%28) / 28
	}
	x, _ := onnxgraph.TensorFrom("Input3", []int64{1, 1, 28, 28}, img)
	out, err := eval.Run(m, map[string]*onnxgraph.Tensor{"Input3": x}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	logits := out["Plus214_Output_0"]
	fmt.Println(logits.Dims())
	// Output:
	// [1 10]
}

// Models whose inputs or outputs are sequences run with RunValues.
func ExampleRunValues() {
	m := onnxgraph.NewModel(8, map[string]int64{"": 17})
	g := m.Graph()
	a, _ := g.AddInput("a", onnxgraph.TensorType(onnxgraph.Int64, onnxgraph.Dims(2)))
	b, _ := g.AddInput("b", onnxgraph.TensorType(onnxgraph.Int64, onnxgraph.Dims(3)))
	s, _ := g.AddNode("SequenceConstruct", []*onnxgraph.Value{a, b}, []string{"s"})
	_ = g.AddOutput(s.Output(0), nil)

	ta, _ := onnxgraph.TensorFrom("a", []int64{2}, []int64{1, 2})
	tb, _ := onnxgraph.TensorFrom("b", []int64{3}, []int64{3, 4, 5})
	out, err := eval.RunValues(m, map[string]eval.Value{"a": {Tensor: ta}, "b": {Tensor: tb}}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range out["s"].Sequence.Tensors {
		v, _ := t.Int64s()
		fmt.Println(v)
	}
	// Output:
	// [1 2]
	// [3 4 5]
}

func ExampleImplemented() {
	fmt.Println(eval.Implemented("", "Conv", 17), eval.Implemented("", "Conv", 0), eval.Implemented("", "NoSuchOp", 17))
	// Output:
	// true false false
}

func ExampleOperators() {
	ops := eval.Operators()
	fmt.Println(ops[0])
	// Output:
	// ai.onnx:Abs-1
}
