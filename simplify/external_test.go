package simplify_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/simplify"
)

// externalModel writes, with a file per tensor, a model whose weight W
// (a MatMul operand nothing folds) and scale k (which a fold doubles)
// are external: y = MatMul(x, W) * (k * 2) + Transpose(E), E a 4 MiB
// weight only the Transpose reads (a fold that makes the model no
// larger). It returns the model's path.
func externalModel(t *testing.T, dir string) string {
	t.Helper()
	f32 := onnxgraph.Float
	b := onnxgraph.NewBuilder(17)
	x := b.Input("x", f32, onnxgraph.Dims(1024, 8)...)
	w := make([]float32, 64)
	for i := range w {
		w[i] = float32(i%9) - 4
	}
	e := make([]float32, 1024*1024)
	for i := range e {
		e[i] = float32(i%13) * 0.5
	}
	y := b.Op("MatMul", nil, x, b.Const("W", f32, []int64{8, 8}, w))
	y = b.Op("Mul", nil, y, b.Op("Mul", nil, b.Const("k", f32, []int64{8}, []float32{1, 2, 3, 4, 5, 6, 7, 8}), float32(2)))
	y = b.Op("Add", nil, b.Op("Slice", nil, y, []int64{0}, []int64{8}, []int64{1}), b.Op("Transpose", nil, b.Const("E", f32, []int64{1024, 1024}, e)))
	b.Output(y, onnxgraph.Dims(1024, 1024)...)
	m, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "model.onnx")
	if err := m.SaveWith(path, &onnxgraph.SaveOptions{External: onnxgraph.ExternalPerTensor, Threshold: 32}); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestWeightsReadOnlyForFolds simplifies a model whose external file for
// W is gone: only the tensors a fold needs (k, E) are read, so it
// simplifies as it does with every file there.
func TestWeightsReadOnlyForFolds(t *testing.T) {
	full := externalModel(t, t.TempDir())
	partDir := t.TempDir()
	part := externalModel(t, partDir)
	if err := os.Remove(filepath.Join(partDir, "W")); err != nil {
		t.Fatalf("the test expects W's file to be named W: %v", err)
	}
	simplified := func(path string) (*onnxgraph.Model, []byte) {
		m, err := onnxgraph.Open(path, &onnxgraph.LoadOptions{SkipExternalCheck: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		r, err := simplify.Simplify(m, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := opCounts(m); got["Mul"] != 1 || got["Transpose"] != 0 {
			t.Errorf("ops after %v, want one Mul and no Transpose (left: %v)", got, r.Left)
		}
		b, err := m.Bytes(nil) // external references written as they are
		if err != nil {
			t.Fatal(err)
		}
		return m, b
	}
	_, want := simplified(full)
	m, got := simplified(part)
	if !bytes.Equal(got, want) {
		t.Error("the model simplifies differently without W's file")
	}
	if err := onnxgraph.Validate(m, &onnxgraph.CheckOptions{SkipExternalFiles: true}); err != nil {
		t.Error(err)
	}
}

// TestFoldedTensorsGoExternal saves a simplified model with external
// data as the command line does (ExternalKeep with a Location): the
// tensors it had stay in their files at their offsets, the folded 4 MiB
// Transpose of E goes to the new file, small folded ones stay inline.
func TestFoldedTensorsGoExternal(t *testing.T) {
	dir := t.TempDir()
	m, err := onnxgraph.Open(externalModel(t, dir), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	before := map[string]onnxgraph.ExternalRef{}
	for _, v := range m.Graph().Initializers() {
		if ref, err := v.Initializer().External(); err == nil && v.Initializer().IsExternal() {
			before[v.Name()] = ref
		}
	}
	if _, err := simplify.Simplify(m, nil); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "simple.onnx")
	if err := m.SaveWith(out, &onnxgraph.SaveOptions{Location: "simple.onnx.data", Threshold: 1024}); err != nil {
		t.Fatal(err)
	}
	saved, err := onnxgraph.Open(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer saved.Close()
	if err := onnxgraph.Validate(saved, nil); err != nil {
		t.Fatal(err)
	}
	for _, v := range saved.Graph().Initializers() {
		tn := v.Initializer()
		ref, _ := tn.External()
		switch {
		case before[v.Name()].Location != "":
			if !tn.IsExternal() || ref.Location != before[v.Name()].Location || ref.Offset != before[v.Name()].Offset {
				t.Errorf("%s: %+v, was %+v", v.Name(), ref, before[v.Name()])
			}
		case tn.NumBytes() >= 1024:
			if !tn.IsExternal() || ref.Location != "simple.onnx.data" {
				t.Errorf("%s (%d bytes, new): external %v at %q", v.Name(), tn.NumBytes(), tn.IsExternal(), ref.Location)
			}
		default:
			if tn.IsExternal() {
				t.Errorf("%s (%d bytes, new): external", v.Name(), tn.NumBytes())
			}
		}
	}
}
