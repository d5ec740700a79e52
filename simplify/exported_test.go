package simplify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/internal/suitetest"
	"github.com/onnxgraph/onnxgraph/samples"
	"github.com/onnxgraph/onnxgraph/simplify"
)

// exportedCase is a model shaped like an exporter's output, with what
// simplify must leave of it.
type exportedCase struct {
	name  string
	model func() *onnxgraph.Model
	opts  *simplify.Options
	nodes int            // nodes after
	want  map[string]int // operator counts after, for the operators listed
}

// exportedCases are the samples of exported models, as they are and with
// their inputs fixed. The node counts are what this package reaches; see
// the README for what onnx-simplifier reaches on the same graphs.
var exportedCases = []exportedCase{
	{"convnet with BatchNorm", samples.ConvBN, nil, 15,
		map[string]int{"BatchNormalization": 0, "Conv": 4, "ConvTranspose": 1, "Gemm": 2, "Mul": 0, "Add": 0, "Identity": 0, "Dropout": 0}},
	{"transformer, symbolic", samples.Transformer, nil, 151,
		map[string]int{"Constant": 0, "Shape": 5, "Identity": 0, "Sqrt": 5}},
	{"transformer, input fixed", samples.Transformer, &simplify.Options{Inputs: map[string][]onnxgraph.Dim{"input_ids": onnxgraph.Dims(1, 8)}}, 112,
		map[string]int{"Shape": 0, "Gather": 1, "Concat": 0, "Unsqueeze": 0, "ConstantOfShape": 0, "Trilu": 0, "Range": 0}},
	{"VAD with a constant If", samples.VAD, nil, 10,
		map[string]int{"If": 0, "Equal": 0, "LSTM": 1, "Conv": 1}},
	{"LSTM and GRU, symbolic", samples.RNN, nil, 11,
		map[string]int{"Transpose": 0, "Shape": 1, "ConstantOfShape": 2}},
	{"LSTM and GRU, input fixed", samples.RNN, &simplify.Options{Inputs: map[string][]onnxgraph.Dim{"x": onnxgraph.Dims(5, 2, 16)}}, 4,
		map[string]int{"LSTM": 1, "GRU": 1, "Squeeze": 2}},
	{"quantized convnet", samples.QuantConv, nil, 18,
		map[string]int{"DequantizeLinear": 7, "QuantizeLinear": 4, "Identity": 0, "Reshape": 0}},
}

// TestExportedModels simplifies each sample: the result is valid, keeps
// its interface (but for fixed inputs), computes the same as the original
// in the evaluator, is what simplify should leave, and a second run
// changes nothing.
func TestExportedModels(t *testing.T) {
	for _, tc := range exportedCases {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.model()
			r := simplifyChecked(t, m, tc.opts, 4, false)
			t.Logf("%d -> %d nodes, %d -> %d bytes of weights; %v", r.NodesBefore, r.NodesAfter, r.ParamBytesBefore, r.ParamBytesAfter, r.Changes)
			if r.NodesAfter != tc.nodes {
				t.Errorf("%d nodes after, want %d", r.NodesAfter, tc.nodes)
			}
			got := opCounts(m)
			for op, n := range tc.want {
				if got[op] != n {
					t.Errorf("%d %s, want %d", got[op], op, n)
				}
			}
			if len(r.Left) > 0 {
				t.Errorf("nodes left: %v", r.Left)
			}
		})
	}
}

// pythonChecker runs python's onnx.checker (full_check) on every path in
// one process and returns, per path, "" or the error.
func pythonChecker(t *testing.T, paths []string) map[string]string {
	t.Helper()
	py := suitetest.NeedPython(t, "onnx", "python3-onnx")
	script := `
import json, sys, onnx
res = {}
for p in json.load(sys.stdin):
    try:
        onnx.checker.check_model(onnx.load(p), full_check=True)
        res[p] = ""
    except Exception as e:
        res[p] = (type(e).__name__ + ": " + str(e)) or "error"
json.dump(res, sys.stdout)
`
	in, _ := json.Marshal(paths)
	cmd := exec.Command(py, "-c", script)
	cmd.Stdin = strings.NewReader(string(in))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v: %s", err, stderr.String())
	}
	res := map[string]string{}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatal(err)
	}
	return res
}

// TestPythonChecker simplifies the exported samples and every model of the
// backend suite and has python's onnx.checker (full_check) check the
// originals and the results: a model it accepts must stay accepted.
func TestPythonChecker(t *testing.T) {
	dir := t.TempDir()
	type pair struct{ name, orig, simple string }
	var pairs []pair
	save := func(name string, m *onnxgraph.Model, opts *simplify.Options) {
		base := filepath.Join(dir, fmt.Sprintf("%04d", len(pairs)))
		p := pair{name: name, orig: base + "-orig.onnx", simple: base + "-simple.onnx"}
		if err := m.Save(p.orig); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := simplify.Simplify(m, opts); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := m.Save(p.simple); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		pairs = append(pairs, p)
	}
	for _, tc := range exportedCases {
		save(tc.name, tc.model(), tc.opts)
	}
	for _, path := range suitetest.Models(t, suiteParts...) {
		m, err := onnxgraph.Open(path, nil)
		if err != nil {
			continue
		}
		save(suitetest.Name(path), m, nil)
		m.Close()
	}
	var paths []string
	for _, p := range pairs {
		paths = append(paths, p.orig, p.simple)
	}
	res := pythonChecker(t, paths)
	accepted, still := 0, 0
	for _, p := range pairs {
		if res[p.orig] != "" {
			t.Logf("%s: python rejects the original: %s (simplified: %q)", p.name, firstLineOf(res[p.orig]), firstLineOf(res[p.simple]))
			continue
		}
		accepted++
		if res[p.simple] != "" {
			t.Errorf("%s: python rejects the simplified model: %s", p.name, res[p.simple])
			continue
		}
		still++
	}
	t.Logf("of %d models, python accepts %d, and %d of them simplified", len(pairs), accepted, still)
}

func firstLineOf(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// TestSimplifyCopy: on every sample, SimplifyCopy leaves the model as it
// is and returns what Simplify makes of a clone, with the same report.
func TestSimplifyCopy(t *testing.T) {
	for _, tc := range exportedCases {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.model()
			given, err := m.Bytes(nil)
			if err != nil {
				t.Fatal(err)
			}
			c, rc, err := simplify.SimplifyCopy(context.Background(), m, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if after, _ := m.Bytes(nil); !bytes.Equal(given, after) {
				t.Fatal("the model given changed")
			}
			ref := m.Clone()
			r, err := simplify.Simplify(ref, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(rc, r) {
				t.Errorf("report %+v, Simplify's %+v", rc, r)
			}
			got, _ := c.Bytes(nil)
			want, _ := ref.Bytes(nil)
			if !bytes.Equal(got, want) {
				t.Error("the copy differs from what Simplify makes of a clone")
			}
		})
	}
	if _, _, err := simplify.SimplifyCopy(context.Background(), samples.ConvBN(), &simplify.Options{SkipPasses: []string{"nope"}}); !errors.Is(err, simplify.ErrOption) {
		t.Errorf("bad option: %v", err)
	}
}
