package ort_test

import (
	"fmt"
	"log"
	"slices"

	"github.com/onnxgraph/onnxgraph"
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

// An operator that updates a cache in place (SparseAttention wants its
// past and present key/value caches in one buffer): the present output is
// written into the past input's Data. (Not run by go test: it needs the
// shared library and a model file.)
func ExampleSession_BindShared() {
	s, err := ort.NewSession("sparse_attention.onnx")
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	in, err := ort.RandomInputs("sparse_attention.onnx", 1)
	if err != nil {
		log.Fatal(err)
	}
	b, err := s.BindShared(in, map[string]string{"present_key": "past_key", "present_value": "past_value"})
	if err != nil {
		log.Fatal(err)
	}
	defer b.Close()
	if err := b.Run(); err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(in["past_key"].Data), "bytes of cache, updated in place")
}

// A sparse A [3, 4] in COO form (three ones on the diagonal) times a dense
// B [4, 2], with a SparseToDenseMatMul model whose input a is declared
// sparse_tensor(float). (Not run by go test: it needs the shared library
// and a model file.)
func ExampleRunSparse() {
	one := []byte{0, 0, 0x80, 0x3f} // 1.0 as little-endian float32
	a := &ort.SparseTensor{DType: onnxgraph.Float, Shape: []int64{3, 4},
		Values: slices.Concat(one, one, one), Indices: []int64{0, 0, 1, 1, 2, 2}}
	b, err := ort.Full(onnxgraph.Float, []int64{4, 2}, 1)
	if err != nil {
		log.Fatal(err)
	}
	out, err := ort.RunSparse("spmm.onnx", map[string]*ort.Tensor{"b": b}, map[string]*ort.SparseTensor{"a": a}, []string{"y"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(out["y"].Shape) // [3 2]
}
