package ort_test

import (
	"fmt"
	"log"

	"github.com/onnxgraph/onnxgraph/examples/internal/ort"
)

// The whole story: find and load ONNX Runtime, then run a model on seeded
// random inputs. (Not run by go test: it needs the shared library and a
// model file.)
func Example() {
	lib, err := ort.FindLibrary()
	if err != nil {
		log.Fatal(err) // says how to install the library
	}
	if err := ort.Init(lib); err != nil {
		log.Fatal(err)
	}
	in, err := ort.RandomInputs("model.onnx", 1)
	if err != nil {
		log.Fatal(err)
	}
	out, err := ort.Run("model.onnx", in)
	if err != nil {
		log.Fatal(err)
	}
	for name, t := range out {
		fmt.Println(name, t.DType, t.Shape, len(t.Data), "bytes")
	}
}
