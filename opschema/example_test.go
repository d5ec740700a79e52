package opschema_test

import (
	"fmt"

	"github.com/onnxgraph/onnxgraph/opschema"
)

func ExampleLookup() {
	// A model importing opset 12 of the default domain uses Softmax-11.
	s, ok := opschema.Lookup("", "Softmax", 12)
	if !ok {
		return
	}
	fmt.Println(s.Domain, s.Name, s.SinceVersion)
	a, _ := s.Attribute("axis")
	fmt.Println(a.Name, a.Type, a.Default.Int)

	_, ok = opschema.Lookup("", "Softmax", 0)
	fmt.Println(ok)
	// Output:
	// ai.onnx Softmax 11
	// axis INT 1
	// false
}

func ExampleSchema_InputFormal() {
	s, _ := opschema.Lookup("", "Concat", 13)
	for i := range 3 {
		f, _ := s.InputFormal(i)
		fmt.Println(i, f.Name, f.Option)
	}
	fmt.Println(s.AllowsInputs(0), s.AllowsInputs(5))
	// Output:
	// 0 inputs variadic
	// 1 inputs variadic
	// 2 inputs variadic
	// false true
}
