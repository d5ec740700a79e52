package onnxgraph_test

import (
	"errors"
	"fmt"

	"github.com/onnxgraph/onnxgraph"
)

// A model with a mistake: Softmax's axis is given as a float. Validate
// names the node, the attribute and the rule; the custom operator is only
// noted.
func ExampleModel_Validate() {
	m := onnxgraph.NewModel(8, map[string]int64{"": 17, "com.example": 1})
	g := m.Graph()
	typ := onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(1, 4))
	x, _ := g.AddInput("x", typ)
	relu, _ := g.AddNode("Relu", []*onnxgraph.Value{x}, []string{"r"})
	relu.SetName("relu")
	sm, _ := g.AddNode("Softmax", []*onnxgraph.Value{relu.Output(0)}, []string{"s"}, onnxgraph.AttrFloat("axis", 1))
	sm.SetName("softmax")
	frob, _ := g.AddNodeIn("com.example", "Frobnicate", []*onnxgraph.Value{sm.Output(0)}, []string{"y"})
	frob.SetName("frob")
	g.AddOutput(frob.Output(0), typ)

	r := m.Validate(nil)
	fmt.Print(r)
	err := r.Err()
	fmt.Println(errors.Is(err, onnxgraph.ErrInvalidModel))
	var ce *onnxgraph.CheckError
	if errors.As(err, &ce) {
		fmt.Println(ce.Has(onnxgraph.RuleAttrType))
	}
	// Output:
	// invalid: 1 error(s), 1 note(s)
	// error AttrType main: node "softmax" (Softmax #1): attribute "axis" is of type FLOAT; Softmax-13 declares INT
	// note CustomOp main: node "frob" (Frobnicate #2): operator Frobnicate of custom domain "com.example" has no known schema; its nodes are not checked
	// true
	// true
}
