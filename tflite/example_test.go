package tflite_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/onnxgraph/onnxgraph/samples"
	"github.com/onnxgraph/onnxgraph/tflite"
)

// Convert exports a model; the report says what the .tflite takes and
// gives and what became of the operators.
func ExampleConvert() {
	m := samples.MNIST() // (Conv, Add, Relu, MaxPool) x2, Reshape, MatMul, Add
	data, rep, err := tflite.Convert(m, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(data[4:8]), len(data) == int(rep.FileBytes))
	in := rep.Inputs[0]
	fmt.Println(in.Name, in.Shape, in.Layout, "from ONNX", in.ONNXShape)
	for _, c := range rep.OpsAfter {
		fmt.Println(c.Op, c.Count)
	}
	// Output:
	// TFL3 true
	// Input3 [1 28 28 1] NHWC from ONNX [1 1 28 28]
	// CONV_2D 2
	// MAX_POOL_2D 2
	// FULLY_CONNECTED 1
	// RESHAPE 1
}

// Write streams the .tflite to a writer (a file, an HTTP response): the
// weights go out from where the conversion put them, with no copy of the
// whole file in memory. It writes the same bytes Convert returns.
func ExampleWrite() {
	var buf bytes.Buffer
	rep, err := tflite.Write(samples.MNIST(), &buf, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	data, _, _ := tflite.Convert(samples.MNIST(), nil)
	fmt.Println(int64(buf.Len()) == rep.FileBytes, bytes.Equal(buf.Bytes(), data))
	// Output: true true
}

// Convert simplifies a copy of the model first: the weight an exported
// classifier computes and its flatten chain (Shape -> Gather -> Unsqueeze
// -> Concat -> Reshape) fold away. NoSimplify converts the graph as it
// is, and refuses what has no TensorFlow Lite form.
func ExampleConvert_noSimplify() {
	m := samples.TorchCNN() // batch N: fixed to 1 below
	shapes := map[string][]int64{"image": {1, 3, 16, 16}}
	_, rep, err := tflite.Convert(m, &tflite.Options{InputShapes: shapes})
	if err != nil {
		fmt.Println(err)
		return
	}
	s := rep.Simplified
	fmt.Println(s.NodesBefore, "ONNX nodes, simplified to", s.NodesAfter, "->", rep.Operators, "operators")
	_, _, err = tflite.Convert(m, &tflite.Options{InputShapes: shapes, NoSimplify: true})
	var ue *tflite.UnsupportedError
	if errors.As(err, &ue) {
		fmt.Println("as it is, refused:", ue.OpTypes())
	}
	// Output:
	// 19 ONNX nodes, simplified to 8 -> 5 operators
	// as it is, refused: [Conv Shape]
}

// Save writes the .tflite atomically; a model it cannot export leaves no
// file and an error listing every node it refuses.
func ExampleSave() {
	rep, err := tflite.Save(samples.MNIST(), "/nonexistent-dir/mnist.tflite", &tflite.Options{FP16: true})
	fmt.Println(rep == nil, err != nil)
	// Output:
	// true true
}

// ConvertContext stops when its context ends: a service gives each
// export a deadline.
func ExampleConvertContext() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	data, _, err := tflite.ConvertContext(ctx, samples.MNIST(), nil)
	fmt.Println(len(data) > 0, err)

	cancel() // ended: nothing is converted
	_, _, err = tflite.ConvertContext(ctx, samples.MNIST(), nil)
	fmt.Println(errors.Is(err, context.Canceled))
	// Output:
	// true <nil>
	// true
}

// Supported tells whether an operator version has a converter.
func ExampleSupported() {
	fmt.Println(tflite.Supported("", "Conv", 17), tflite.Supported("", "NonMaxSuppression", 17))
	// Output:
	// true false
}
