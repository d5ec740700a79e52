package tflitecheck

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/examples/internal/litert"
	"github.com/onnxgraph/onnxgraph/internal/suitetest"
	"github.com/onnxgraph/onnxgraph/samples"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
	"github.com/onnxgraph/onnxgraph/tflite"
)

// TestCLI runs `onnxgraph to-tflite`: the text and JSON reports, the
// written file running in LiteRT.js, and bad input leaving no file.
func TestCLI(t *testing.T) {
	needRuntimes(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "onnxgraph")
	if out, err := exec.Command("go", "build", "-o", bin, "../onnxgraph").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	run := func(args ...string) (string, error) {
		out, err := exec.Command(bin, args...).CombinedOutput()
		return string(out), err
	}
	mnist := filepath.Join(dir, "mnist.onnx")
	if err := samples.MNIST().Save(mnist); err != nil {
		t.Fatal(err)
	}
	out, err := run("to-tflite", mnist, filepath.Join(dir, "mnist.tflite"))
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	// The simplifier fuses the Conv biases, the exporter the MatMul's.
	for _, want := range []string{"input Input3: float32[1 28 28 1] NHWC (ONNX float32[1 1 28 28])", "after: ", "simplified first: 12 -> 9 ONNX nodes (", "simplified ops: Add 3 -> 1, Reshape 2 -> 1", "1 Add into the operator before it", "0 TRANSPOSE"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	// To standard output (streamed): the same bytes as the file.
	cmd := exec.Command(bin, "to-tflite", mnist, "-")
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("to-tflite to -: %v\n%s", err, stderr.String())
	}
	if file, _ := os.ReadFile(filepath.Join(dir, "mnist.tflite")); stdout.String() != string(file) {
		t.Errorf("to-tflite to -: %d bytes, the file has %d", stdout.Len(), len(file))
	}
	out, err = run("to-tflite", mnist, filepath.Join(dir, "mnist_as_is.tflite"), "--no-simplify")
	if err != nil {
		t.Fatalf("--no-simplify: %v\n%s", err, out)
	}
	if !strings.Contains(out, "3 Add into the operator before it") || !strings.Contains(out, "0 TRANSPOSE") || strings.Contains(out, "simplified") {
		t.Errorf("--no-simplify report:\n%s", out)
	}
	out, err = run("to-tflite", mnist, filepath.Join(dir, "mnist16.tflite"), "--fp16", "--keep-nchw-io", "--json")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var rep tflite.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("--json: %v\n%s", err, out)
	}
	if !rep.FP16 || rep.Inputs[0].Layout != "NCHW" || rep.Transposes != 0 {
		t.Errorf("--fp16 --keep-nchw-io report: %+v", rep)
	}
	x, _ := onnxgraph.TensorFrom("Input3", []int64{1, 1, 28, 28}, make([]float32, 784))
	res, err := litert.Run([]litert.Job{{Model: filepath.Join(dir, "mnist16.tflite"), Inputs: map[string]*onnxgraph.Tensor{"Input3": x}}})
	if err != nil || res[0].Err != nil || len(res[0].Outputs) != 1 {
		t.Errorf("the CLI's .tflite does not run: %v %+v", err, res)
	}

	// Dynamic dims: refused without --input, converted with it.
	b := onnxgraph.NewBuilder(17).Infer(shapeinfer.Types(nil))
	img := b.Input("images", onnxgraph.Float, onnxgraph.DimParam("N"), onnxgraph.DimOf(3), onnxgraph.DimOf(16), onnxgraph.DimOf(16))
	b.Output(b.Op("Relu", nil, img))
	dyn, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	dynPath := filepath.Join(dir, "dyn.onnx")
	if err := dyn.Save(dynPath); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.tflite")
	out, err = run("to-tflite", dynPath, bad)
	if err == nil || !strings.Contains(out, `value "images"`) || !strings.Contains(out, "--input") {
		t.Errorf("dynamic dims: %v\n%s", err, out)
	}
	if _, err := os.Stat(bad); !errors.Is(err, os.ErrNotExist) {
		t.Error("a failed export left a file")
	}
	if out, err = run("to-tflite", dynPath, filepath.Join(dir, "dyn.tflite"), "--input", "images=2,3,16,16"); err != nil {
		t.Errorf("--input: %v\n%s", err, out)
	}
	if out, err = run("to-tflite", dynPath, bad, "--input", "images=N,3,16,16"); err == nil || !strings.Contains(out, "needs sizes") {
		t.Errorf("symbolic --input: %v\n%s", err, out)
	}
	// An exported classifier converts simplified, and is refused as it is.
	torch := filepath.Join(dir, "torch.onnx")
	if err := samples.TorchCNN().Save(torch); err != nil {
		t.Fatal(err)
	}
	if out, err = run("to-tflite", torch, filepath.Join(dir, "torch.tflite"), "--input", "image=1,3,16,16"); err != nil || !strings.Contains(out, "Shape 1 -> 0") {
		t.Errorf("TorchCNN: %v\n%s", err, out)
	}
	if out, err = run("to-tflite", torch, bad, "--input", "image=1,3,16,16", "--no-simplify"); err == nil || !strings.Contains(out, "(Shape)") {
		t.Errorf("TorchCNN --no-simplify: %v\n%s", err, out)
	}
	// Unsupported operators are all listed.
	out, err = run("to-tflite", suitetest.Model(t, "node/test_nonzero_example"), bad)
	if err == nil || !strings.Contains(out, "(NonZero)") {
		t.Errorf("unsupported operator: %v\n%s", err, out)
	}
	if _, err := os.Stat(bad); !errors.Is(err, os.ErrNotExist) {
		t.Error("a failed export left a file")
	}
}
