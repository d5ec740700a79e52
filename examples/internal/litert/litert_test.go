package litert

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/internal/suitetest"
)

// TestRunErrors checks that a job's failure is its own: a file that is
// not a model fails its job, and the batch goes on.
func TestRunErrors(t *testing.T) {
	if err := Available(); err != nil {
		if errors.Is(err, ErrNotInstalled) {
			suitetest.Missing(t, err.Error())
		}
		t.Fatal(err)
	}
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.tflite")
	if err := os.WriteFile(bad, []byte("not a flatbuffer"), 0o644); err != nil {
		t.Fatal(err)
	}
	x, _ := onnxgraph.TensorFrom("x", []int64{2}, []float32{1, 2})
	res, err := Run([]Job{{Model: bad, Inputs: map[string]*onnxgraph.Tensor{"x": x}}, {Model: filepath.Join(dir, "missing.tflite")}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 || res[0].Err == nil || res[1].Err == nil {
		t.Errorf("results %+v, want two failed jobs", res)
	}
}
