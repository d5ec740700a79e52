package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph/examples/internal/ort/orttest"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/examples/internal/ort"
	"github.com/onnxgraph/onnxgraph/internal/suitetest"
	"github.com/onnxgraph/onnxgraph/samples"
	"github.com/onnxgraph/onnxgraph/simplify"
)

// suiteOutputs reads test_data_set_0's expected outputs of the suite test
// in dir, by the names of m's graph outputs.
func suiteOutputs(dir string, m *onnxgraph.Model) (map[string]*ort.Tensor, error) {
	set, err := suitetest.FirstDataSet(dir)
	if err != nil {
		return nil, err
	}
	out := map[string]*ort.Tensor{}
	for i, v := range m.Graph().Outputs() {
		if i >= len(set.Outputs) {
			return nil, fmt.Errorf("%s: no %s", dir, filepath.Base(set.OutputPath(i)))
		}
		t, err := onnxgraph.DecodeTensor(set.Outputs[i])
		if err != nil {
			return nil, err
		}
		if out[v.Name()], err = ort.FromGraph(t); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// closeOutputs compares every output of want with got by compare's rule.
func closeOutputs(want, got map[string]*ort.Tensor, rtol, atol float64) error {
	if len(got) != len(want) {
		return fmt.Errorf("%d outputs, want %d", len(got), len(want))
	}
	for name, w := range want {
		g := got[name]
		if g == nil {
			return fmt.Errorf("output %q missing", name)
		}
		if c := ort.Compare(g, w, rtol, atol, true); !c.Close {
			return fmt.Errorf("output %q: %d elements differ (max abs %g, max rel %g) %s", name, c.Mismatches, c.MaxAbs, c.MaxRel, c.Problem)
		}
	}
	return nil
}

// TestSimplifySuiteORT simplifies every model of the backend suite that
// ONNX Runtime runs and runs the result on the suite's inputs: it must
// give the suite's expected outputs (its tolerances: rtol 1e-3, atol
// 1e-7), or, where ONNX Runtime's run of the original already differs
// from them, what ONNX Runtime computes for the original.
func TestSimplifySuiteORT(t *testing.T) {
	if testing.Short() {
		t.Skip("the whole backend suite in ONNX Runtime: not in -short mode")
	}
	orttest.Require(t)
	files := e6SuiteModels(t)
	dir := t.TempDir()
	var models, changed, asExpected, asORT, before, after int
	for _, f := range files {
		m, err := onnxgraph.Open(f, nil)
		if err != nil {
			continue
		}
		inputs, err := e6Inputs(filepath.Dir(f), m)
		if err != nil || len(inputs) == 0 {
			m.Close() // onnxruntime_go cannot feed it (strings, no inputs)
			continue
		}
		orig, err := ort.Run(f, inputs)
		if err != nil {
			m.Close() // ONNX Runtime cannot run the original
			continue
		}
		name := suitetest.Name(f)
		want, err := suiteOutputs(filepath.Dir(f), m)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		r, err := simplify.Simplify(m, nil)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			m.Close()
			continue
		}
		models++
		before += r.NodesBefore
		after += r.NodesAfter
		if r.NodesAfter != r.NodesBefore || r.ParamBytesAfter != r.ParamBytesBefore {
			changed++
		}
		p := filepath.Join(dir, strings.ReplaceAll(name, "/", "_")+".onnx")
		err = m.Save(p)
		m.Close()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, err := ort.Run(p, inputs)
		if err != nil {
			t.Errorf("%s: ONNX Runtime refuses the simplified model: %v", name, err)
			continue
		}
		if closeOutputs(want, orig, 1e-3, 1e-7) == nil {
			if err := closeOutputs(want, got, 1e-3, 1e-7); err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			asExpected++
			continue
		}
		if err := closeOutputs(orig, got, 1e-5, 1e-6); err != nil {
			t.Errorf("%s: against ONNX Runtime's run of the original: %v", name, err)
			continue
		}
		asORT++
	}
	t.Logf("%d suite models ONNX Runtime runs: %d changed by simplify (nodes %d -> %d); %d give the expected outputs, %d what ONNX Runtime computes for the original (which differs from the suite's expectation)",
		models, changed, before, after, asExpected, asORT)
}

// exportedSample is a sample model with the command line's options for
// it.
type exportedSample struct {
	name  string
	model func() *onnxgraph.Model
	args  []string
}

var exportedSamples = []exportedSample{
	{"convbn", samples.ConvBN, nil},
	{"transformer", samples.Transformer, nil},
	{"transformer_fixed", samples.Transformer, []string{"--input", "input_ids=1,8"}},
	{"vad", samples.VAD, nil},
	{"rnn", samples.RNN, nil},
	{"rnn_fixed", samples.RNN, []string{"--input", "x=5,2,16"}},
	{"quantconv", samples.QuantConv, nil},
}

// TestSimplifyExportedORT simplifies the exported-model samples with the
// command line and --check 3 (ONNX Runtime runs original and result on
// three random inputs), then checks each result with our checker and
// python's (full_check), and that simplifying it again gives the same
// bytes.
func TestSimplifyExportedORT(t *testing.T) {
	orttest.Require(t)
	dir := t.TempDir()
	var outs []string
	for _, s := range exportedSamples {
		in := saveSample(t, dir, s.name+".onnx", s.model())
		out := filepath.Join(dir, s.name+".simple.onnx")
		args := append([]string{"simplify", in, out, "--check", "3"}, s.args...)
		code, stdout, errOut := runCLI(t, args...)
		if code != 0 {
			t.Errorf("%s: exit %d: %s", s.name, code, errOut)
			continue
		}
		if !strings.Contains(stdout, "checked with ONNX Runtime on 3 random inputs: every output close") {
			t.Errorf("%s: report:\n%s", s.name, stdout)
		}
		m, err := onnxgraph.Open(out, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := onnxgraph.Validate(m, nil); err != nil {
			t.Errorf("%s: %v", s.name, err)
		}
		m.Close()
		again := filepath.Join(dir, s.name+".again.onnx")
		if code, _, errOut := runCLI(t, append([]string{"simplify", out, again}, s.args...)...); code != 0 {
			t.Errorf("%s: second run: exit %d: %s", s.name, code, errOut)
		}
		a, _ := os.ReadFile(out)
		b, _ := os.ReadFile(again)
		if !bytes.Equal(a, b) {
			t.Errorf("%s: a second simplify changes the model", s.name)
		}
		outs = append(outs, out)
	}
	if bad := e6PythonCheck(t, outs); len(bad) > 0 {
		t.Errorf("python's checker rejects: %v", bad)
	} else if e6Python() == "" && os.Getenv("CI") != "" {
		t.Error("python3-onnx missing")
	}
}

// TestSimplifyCheckFails runs --check with zero tolerance on the convnet:
// the fused weights round differently, so outputs differ in their last
// bits, the check fails and nothing is written.
func TestSimplifyCheckFails(t *testing.T) {
	orttest.Require(t)
	dir := t.TempDir()
	in := saveSample(t, dir, "convbn.onnx", samples.ConvBN())
	out := filepath.Join(dir, "out.onnx")
	code, _, errOut := runCLI(t, "simplify", in, out, "--check", "2", "--rtol", "0", "--atol", "0")
	if code != 1 || !strings.Contains(errOut, "simplify --check: with random inputs of seed 0, 1 of 1 outputs are not close: logits") || !strings.Contains(errOut, "nothing written") {
		t.Errorf("exit %d: %s", code, errOut)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Error("the output was written")
	}
}

// TestSimplifyExternalORT simplifies a decoder saved with external data
// through the command line: the result keeps its weights in their file,
// the tensors folds made go to OUT.data, and ONNX Runtime computes the same
// with both.
func TestSimplifyExternalORT(t *testing.T) {
	orttest.Require(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "src", "model.onnx")
	if err := os.MkdirAll(filepath.Dir(src), 0o755); err != nil {
		t.Fatal(err)
	}
	m := samples.Decoder(samples.DecoderConfig{Layers: 2, Hidden: 64, Heads: 4, FFN: 128, Vocab: 64, MaxPos: 64})
	if err := m.SaveWith(src, &onnxgraph.SaveOptions{External: onnxgraph.ExternalSingle, Location: "weights.bin", Threshold: 256}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out", "model.onnx")
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	code, stdout, errOut := runCLI(t, "simplify", src, out, "--input", "input_ids=1,32", "--threshold", "256", "--max-fold-bytes", "-1", "--check", "2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	res, err := onnxgraph.Open(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	locations := map[string]int{}
	for _, v := range res.Graph().Initializers() {
		if tn := v.Initializer(); tn.IsExternal() {
			ref, _ := tn.External()
			locations[ref.Location]++
		}
	}
	if locations["weights.bin"] == 0 || locations["model.onnx.data"] == 0 {
		t.Errorf("external files of the result: %v\n%s", locations, stdout)
	}
}
