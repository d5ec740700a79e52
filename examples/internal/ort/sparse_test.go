//go:build !windows

package ort_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/examples/internal/ort"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"google.golang.org/protobuf/proto"
)

// TestRunSparse multiplies a sparse A [3, 4] (ones on the diagonal, in COO
// form) by a dense B [4, 2] with SparseToDenseMatMul: the product is B's
// first three rows. Bad inputs are errors naming them.
func TestRunSparse(t *testing.T) {
	setup(t)
	m := onnxgraph.NewModel(10, map[string]int64{"": 21, "com.microsoft": 1})
	g := m.Graph()
	sparseType := &onnxproto.TypeProto{Value: &onnxproto.TypeProto_SparseTensorType{SparseTensorType: &onnxproto.TypeProto_SparseTensor{
		ElemType: proto.Int32(int32(onnxgraph.Float)), Shape: onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(3, 4)).GetTensorType().GetShape()}}}
	a, err := g.AddInput("a", sparseType)
	if err != nil {
		t.Fatal(err)
	}
	b, err := g.AddInput("b", onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(4, 2)))
	if err != nil {
		t.Fatal(err)
	}
	n, err := g.AddNodeIn("com.microsoft", "SparseToDenseMatMul", []*onnxgraph.Value{a, b}, []string{"y"})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.AddOutput(n.Output(0), nil); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "spmm.onnx")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	bt, err := onnxgraph.NewTensorOf("b", onnxgraph.Float, []int64{4, 2}, []float32{0, 1, 2, 3, 4, 5, 6, 7})
	if err != nil {
		t.Fatal(err)
	}
	braw, err := bt.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	ones, err := onnxgraph.NewTensorOf("a", onnxgraph.Float, []int64{3}, []float32{1, 1, 1})
	if err != nil {
		t.Fatal(err)
	}
	araw, err := ones.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	dense := map[string]*ort.Tensor{"b": {DType: onnxgraph.Float, Shape: []int64{4, 2}, Data: braw}}
	// Coordinates: SparseToDenseMatMul refuses linear indices.
	sparse := map[string]*ort.SparseTensor{"a": {DType: onnxgraph.Float, Shape: []int64{3, 4}, Values: araw, Indices: []int64{0, 0, 1, 1, 2, 2}}}
	out, err := ort.RunSparse(path, dense, sparse, []string{"y"})
	if err != nil {
		t.Fatal(err)
	}
	y := out["y"]
	got, err := y.Graph("y")
	if err != nil {
		t.Fatal(err)
	}
	vals, err := got.Float32s()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(y.Shape, []int64{3, 2}) || !slices.Equal(vals, []float32{0, 1, 2, 3, 4, 5}) {
		t.Errorf("y = %v %v, want [3 2] [0 1 2 3 4 5]", y.Shape, vals)
	}
	bad := map[string]*ort.SparseTensor{"a": {DType: onnxgraph.Float, Shape: []int64{3, 4}, Values: araw, Indices: []int64{0, 5}}}
	if _, err := ort.RunSparse(path, dense, bad, []string{"y"}); err == nil {
		t.Error("2 indices for 3 values: no error")
	}
	if _, err := ort.RunSparse(path, dense, nil, []string{"y"}); err == nil {
		t.Error("a run without the sparse input: no error")
	}
}
