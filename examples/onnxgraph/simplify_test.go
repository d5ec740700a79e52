package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/samples"
)

func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files under testdata")
	}
}

func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// saveSample saves m as name in dir and returns its path.
func saveSample(t *testing.T, dir, name string, m *onnxgraph.Model) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := m.Save(p); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestSimplifyReport checks the report simplify prints (the table
// onnx-simplifier prints, the model size, the passes' changes) against a
// golden file (go test -run TestSimplifyReport -update rewrites it), and
// the same as JSON.
func TestSimplifyReport(t *testing.T) {
	dir := t.TempDir()
	in := saveSample(t, dir, "convbn.onnx", samples.ConvBN())
	code, out, errOut := runCLI(t, "simplify", in, filepath.Join(dir, "out.onnx"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	golden := filepath.Join("testdata", "simplify_convbn.golden")
	if updating() {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if out != string(want) {
		t.Errorf("report:\n%s\nwant:\n%s", out, want)
	}

	code, out, errOut = runCLI(t, "simplify", in, filepath.Join(dir, "out2.onnx"), "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var r struct {
		Ops []struct {
			OpType string `json:"op_type"`
			Before int    `json:"before"`
			After  int    `json:"after"`
		} `json:"ops"`
		NodesBefore      int   `json:"nodes_before"`
		NodesAfter       int   `json:"nodes_after"`
		ModelBytesBefore int64 `json:"model_bytes_before"`
		ModelBytesAfter  int64 `json:"model_bytes_after"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if r.NodesBefore != 28 || r.NodesAfter != 15 || len(r.Ops) == 0 || r.ModelBytesAfter <= 0 || r.ModelBytesAfter >= r.ModelBytesBefore {
		t.Errorf("json report %+v", r)
	}
}

// TestSimplifyBadInput checks the errors of the command: each names the
// culprit, exits non-zero, writes nothing and leaves the input as it was.
func TestSimplifyBadInput(t *testing.T) {
	dir := t.TempDir()
	tf := saveSample(t, dir, "tf.onnx", samples.Transformer())
	cyclic := filepath.Join(dir, "cyclic.onnx")
	if err := os.WriteFile(cyclic, samples.Cyclic(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"unknown pass", []string{tf, "--skip-pass", "fold,folding"}, 1, `SkipPasses "folding": no such pass`},
		{"unknown op", []string{tf, "--skip-op", "Conv2D"}, 1, `SkipOps "Conv2D": no such operator`},
		{"input naming no input", []string{tf, "--input", "ids=1,8"}, 1, `Inputs "ids": not an input of the main graph (inputs: input_ids)`},
		{"input of the wrong rank", []string{tf, "--input", "input_ids=8"}, 1, `Inputs "input_ids": 1 dims given for an input of rank 2`},
		{"input without dims", []string{tf, "--input", "input_ids"}, 2, `--input "input_ids" is not NAME=D0,D1,...`},
		{"input given twice", []string{tf, "--input", "input_ids=1,8", "--input", "input_ids=1,9"}, 2, "--input input_ids given twice"},
		{"a zero fold limit", []string{tf, "--max-fold-bytes", "0"}, 2, "--max-fold-bytes is a positive size"},
		{"a cycle", []string{cyclic}, 1, `"A"(Add) -> "B"(Relu)`},
		{"no such file", []string{filepath.Join(dir, "nope.onnx")}, 1, "no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.args[0]
			before, _ := os.ReadFile(in)
			out := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".onnx")
			args := append([]string{"simplify", in, out}, tc.args[1:]...)
			code, _, errOut := runCLI(t, args...)
			if code != tc.code || !strings.Contains(errOut, tc.msg) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, errOut, tc.code, tc.msg)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("%s was written", out)
			}
			if after, _ := os.ReadFile(in); !bytes.Equal(before, after) {
				t.Error("the input changed")
			}
		})
	}
}

// TestSimplifyLeftNodes checks that a fold over the limit is a report line
// naming the node and why, and the model is still written.
func TestSimplifyLeftNodes(t *testing.T) {
	dir := t.TempDir()
	b := onnxgraph.NewBuilder(17)
	x := b.Input("x", onnxgraph.Float, onnxgraph.Dims(1024, 512)...)
	big := b.Node(onnxgraph.NodeSpec{Op: "ConstantOfShape", Name: "zeros", Inputs: []any{[]int64{1024, 512}}})
	b.Output(b.Op("Add", nil, x, big.Output(0)), onnxgraph.Dims(1024, 512)...)
	m, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	in := saveSample(t, dir, "big.onnx", m)
	out := filepath.Join(dir, "out.onnx")
	code, stdout, errOut := runCLI(t, "simplify", in, out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(stdout, "result of 2.0 MiB over the fold limit of 1.0 MiB: zeros (ConstantOfShape)") {
		t.Errorf("report:\n%s", stdout)
	}
	code, stdout, errOut = runCLI(t, "simplify", in, out, "--max-fold-bytes", "-1")
	if code != 0 || strings.Contains(stdout, "left as they are") || !strings.Contains(stdout, "ConstantOfShape  1         0") {
		t.Errorf("exit %d, report:\n%s%s", code, stdout, errOut)
	}
}
