package simplify_test

import (
	"context"
	"fmt"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/samples"
	"github.com/onnxgraph/onnxgraph/simplify"
)

// Simplify a convnet as exporters write it: BatchNormalization, Mul and
// Add fold into the convolutions, Identity, Dropout, Cast and Reshape
// no-ops go.
func ExampleSimplify() {
	m := samples.ConvBN()
	r, err := simplify.Simplify(m, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, oc := range r.Ops {
		if oc.Before != oc.After {
			fmt.Printf("%-18s %2d -> %d\n", oc.OpType, oc.Before, oc.After)
		}
	}
	fmt.Printf("%-18s %2d -> %d\n", "total", r.NodesBefore, r.NodesAfter)
	// Output:
	// Add                 1 -> 0
	// BatchNormalization  5 -> 0
	// Cast                1 -> 0
	// Constant            1 -> 0
	// Dropout             1 -> 0
	// Identity            2 -> 0
	// Mul                 1 -> 0
	// Reshape             1 -> 0
	// total              28 -> 15
}

// Fixing the input's dims (onnx-simplifier's --overwrite-input-shape) lets
// the shape computations of an exported transformer fold away.
func ExampleSimplify_inputs() {
	m := samples.Transformer()
	r, err := simplify.Simplify(m, &simplify.Options{
		Inputs: map[string][]onnxgraph.Dim{"input_ids": onnxgraph.Dims(1, 16)},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, oc := range r.Ops {
		switch oc.OpType {
		case "Shape", "Gather", "Concat", "Reshape", "ConstantOfShape":
			fmt.Printf("%-16s %2d -> %d\n", oc.OpType, oc.Before, oc.After)
		}
	}
	// Output:
	// Concat           10 -> 0
	// ConstantOfShape   2 -> 0
	// Gather           21 -> 1
	// Reshape           8 -> 8
	// Shape            19 -> 0
}

// Simplify as a step of a chain, with a report.
func ExampleStep() {
	var r simplify.Report
	err := samples.VAD().
		Apply("Simplify", simplify.Step(nil, &r)).
		Err()
	fmt.Println(err, r.NodesBefore, "->", r.NodesAfter)
	for _, oc := range r.Ops {
		if oc.OpType == "If" {
			fmt.Println("If:", oc.Before, "->", oc.After)
		}
	}
	// Output:
	// <nil> 27 -> 10
	// If: 1 -> 0
}

// The passes, in the order they run.
func ExamplePasses() {
	for _, p := range simplify.Passes() {
		fmt.Println(p.Name)
	}
	// Output:
	// fold
	// shapes
	// if
	// noop
	// merge
	// fuse
	// share
	// cse
	// dce
	// subgraphs
	// functions
}

// SimplifyCopy leaves the model it is given as it is and returns the
// simplified copy, for a caller (an exporter) that must not change its
// input.
func ExampleSimplifyCopy() {
	m := samples.ConvBN()
	c, r, err := simplify.SimplifyCopy(context.Background(), m, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(m.Graph().Nodes()), "nodes given,", len(c.Graph().Nodes()), "in the copy;", r.NodesBefore, "->", r.NodesAfter)
	// Output:
	// 28 nodes given, 15 in the copy; 28 -> 15
}
