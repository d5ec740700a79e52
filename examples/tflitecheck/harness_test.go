package tflitecheck

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/onnxgraph/onnxgraph/examples/internal/ort/orttest"
	"github.com/onnxgraph/onnxgraph/internal/suitetest"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/examples/internal/litert"
	"github.com/onnxgraph/onnxgraph/examples/internal/ort"
	"github.com/onnxgraph/onnxgraph/tflite"
)

// needRuntimes skips the test when ONNX Runtime or LiteRT.js is missing,
// except under CI, where it fails.
func needRuntimes(t *testing.T) {
	t.Helper()
	orttest.Require(t)
	if err := litert.Available(); err != nil {
		if errors.Is(err, litert.ErrNotInstalled) {
			suitetest.Missing(t, err.Error())
		}
		t.Fatal(err)
	}
}

// tol is a closeness rule |a-b| <= atol + rtol*|b|.
type tol struct{ atol, rtol float64 }

// float32Tol is the rule for float32 models; fp16Tol for float16 weights
// or models (float16 keeps 11 significant bits: 1e-3 relative per rounding,
// a few roundings deep).
var (
	float32Tol = tol{1e-3, 1e-3}
	fp16Tol    = tol{2e-2, 2e-2}
)

// crossCase is one model to convert and compare.
type crossCase struct {
	name   string
	model  *onnxgraph.Model // converted as it is and run in ONNX Runtime
	inputs map[string]*onnxgraph.Tensor
	opts   tflite.Options
	tol    tol
	frozen []string // inputs made initializers (see freezeParams)
}

// crossResult is what happened to a case.
type crossResult struct {
	report  *tflite.Report
	convErr error  // conversion refused
	runErr  error  // a runtime failed
	diff    string // outputs not close: how far
}

func (r crossResult) ok() bool { return r.convErr == nil && r.runErr == nil && r.diff == "" }

// errNoInputs marks a model without inputs: its outputs are constants
// the exporter folds, and ONNX Runtime's Go binding cannot run it.
var errNoInputs = errors.New("model has no inputs")

// errReference marks a model ONNX Runtime cannot run (a missing kernel, a
// type its Go binding cannot pass); errExchange an input or output type
// LiteRT.js cannot pass (it exchanges float32, int32 and uint8).
var (
	errReference = errors.New("ONNX Runtime cannot run the model")
	errExchange  = errors.New("LiteRT.js cannot exchange the type")
)

// crossRun converts every case, runs them in both runtimes and compares.
func crossRun(t *testing.T, cases []crossCase) []crossResult {
	t.Helper()
	dir := t.TempDir()
	res := make([]crossResult, len(cases))
	var jobs []litert.Job
	var jobCase []int
	want := make([]map[string]*ort.Tensor, len(cases))
	for i, cc := range cases {
		data, rep, err := tflite.Convert(cc.model, &cc.opts)
		if err != nil {
			res[i].convErr = err
			continue
		}
		res[i].report = rep
		onnxPath := filepath.Join(dir, fmt.Sprintf("m%d.onnx", i))
		if err := cc.model.Save(onnxPath); err != nil {
			res[i].runErr = err
			continue
		}
		in := map[string]*ort.Tensor{}
		for name, tv := range cc.inputs {
			ot, err := ort.FromGraph(tv)
			if err != nil {
				res[i].runErr = err
				break
			}
			in[name] = ot
		}
		if res[i].runErr != nil {
			continue
		}
		if len(in) == 0 {
			res[i].runErr = errNoInputs
			continue
		}
		w, err := ort.Run(onnxPath, in)
		if err != nil {
			res[i].runErr = fmt.Errorf("%w: %v", errReference, err)
			continue
		}
		want[i] = w
		tin := map[string]*onnxgraph.Tensor{}
		for _, io := range rep.Inputs {
			tv, err := toTFLite(cc.inputs[io.Name], io)
			if err != nil {
				res[i].runErr = err
				break
			}
			tin[io.Name] = tv
		}
		if res[i].runErr != nil {
			continue
		}
		p := filepath.Join(dir, fmt.Sprintf("m%d.tflite", i))
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		jobs = append(jobs, litert.Job{Model: p, Inputs: tin})
		jobCase = append(jobCase, i)
	}
	if len(jobs) == 0 {
		return res
	}
	got, err := litert.Run(jobs)
	if err != nil {
		t.Fatal(err)
	}
	for k, r := range got {
		i := jobCase[k]
		if r.Err != nil {
			res[i].runErr = r.Err
			continue
		}
		rep := res[i].report
		if len(r.Outputs) != len(rep.Outputs) {
			res[i].runErr = fmt.Errorf("litert gave %d outputs, want %d", len(r.Outputs), len(rep.Outputs))
			continue
		}
		for j, io := range rep.Outputs {
			g, err := fromTFLite(r.Outputs[j], io)
			if err != nil {
				res[i].runErr = err
				break
			}
			w := want[i][io.Name]
			if w == nil {
				res[i].runErr = fmt.Errorf("onnxruntime gave no output %q", io.Name)
				break
			}
			cl := ort.Compare(g, w, cases[i].tol.rtol, cases[i].tol.atol, true)
			if !cl.Close {
				res[i].diff += fmt.Sprintf("output %q: %d mismatches, max |a-b| %.3g (tflite %g, onnxruntime %g at %d) %s; ", io.Name, cl.Mismatches, cl.MaxAbs, cl.WorstA, cl.WorstB, cl.Worst, cl.Problem)
			}
		}
	}
	return res
}

// toTFLite converts an ONNX input to what the .tflite takes: its element
// type (int64 as int32, float16 as float32) and layout.
func toTFLite(v *onnxgraph.Tensor, io tflite.IO) (*onnxgraph.Tensor, error) {
	if v == nil {
		return nil, fmt.Errorf("no data for input %q", io.Name)
	}
	dt, err := onnxgraph.ParseDataType(io.DType)
	if err != nil {
		return nil, err
	}
	vals, err := numbers(v)
	if err != nil {
		return nil, err
	}
	if io.Layout == "NHWC" {
		vals = nchwToNHWC(vals, io.ONNXShape)
	}
	return tensorOf(io.Name, dt, io.Shape, vals)
}

// fromTFLite converts a .tflite output back to the ONNX layout, as an
// ort.Tensor of its own element type (compared by value).
func fromTFLite(v *onnxgraph.Tensor, io tflite.IO) (*ort.Tensor, error) {
	vals, err := numbers(v)
	if err != nil {
		return nil, err
	}
	if int64(len(vals)) != onnxgraph.NumElements(io.Shape) {
		return nil, fmt.Errorf("output %q has %d elements, want shape %v", io.Name, len(vals), io.Shape)
	}
	if io.Layout == "NHWC" {
		vals = nhwcToNCHW(vals, io.ONNXShape)
	}
	t, err := tensorOf(io.Name, v.DataType(), io.ONNXShape, vals)
	if err != nil {
		return nil, err
	}
	return ort.FromGraph(t)
}

func numbers(t *onnxgraph.Tensor) ([]float64, error) {
	switch t.DataType() {
	case onnxgraph.Float, onnxgraph.Float16, onnxgraph.BFloat16, onnxgraph.Double:
		return t.Float64s()
	}
	ints, err := t.Int64s()
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(ints))
	for i, x := range ints {
		out[i] = float64(x)
	}
	return out, nil
}

func tensorOf(name string, dt onnxgraph.DataType, shape []int64, vals []float64) (*onnxgraph.Tensor, error) {
	switch dt {
	case onnxgraph.Float:
		f := make([]float32, len(vals))
		for i, x := range vals {
			f[i] = float32(x)
		}
		return onnxgraph.TensorFrom(name, shape, f)
	case onnxgraph.Int32:
		f := make([]int32, len(vals))
		for i, x := range vals {
			f[i] = int32(x)
		}
		return onnxgraph.TensorFrom(name, shape, f)
	case onnxgraph.Uint8:
		f := make([]uint8, len(vals))
		for i, x := range vals {
			f[i] = uint8(x)
		}
		return onnxgraph.TensorFrom(name, shape, f)
	case onnxgraph.Bool:
		f := make([]bool, len(vals))
		for i, x := range vals {
			f[i] = x != 0
		}
		return onnxgraph.TensorFrom(name, shape, f)
	case onnxgraph.Int64:
		f := make([]int64, len(vals))
		for i, x := range vals {
			f[i] = int64(x)
		}
		return onnxgraph.TensorFrom(name, shape, f)
	}
	return nil, fmt.Errorf("%w %s", errExchange, onnxgraph.DataTypeName(dt))
}

func nchwToNHWC(v []float64, s []int64) []float64 {
	n, c, h, w := s[0], s[1], s[2], s[3]
	out := make([]float64, len(v))
	for a := int64(0); a < n; a++ {
		for b := int64(0); b < c; b++ {
			for y := int64(0); y < h; y++ {
				for x := int64(0); x < w; x++ {
					out[((a*h+y)*w+x)*c+b] = v[((a*c+b)*h+y)*w+x]
				}
			}
		}
	}
	return out
}

func nhwcToNCHW(v []float64, s []int64) []float64 {
	n, c, h, w := s[0], s[1], s[2], s[3]
	out := make([]float64, len(v))
	for a := int64(0); a < n; a++ {
		for b := int64(0); b < c; b++ {
			for y := int64(0); y < h; y++ {
				for x := int64(0); x < w; x++ {
					out[((a*c+b)*h+y)*w+x] = v[((a*h+y)*w+x)*c+b]
				}
			}
		}
	}
	return out
}

var _ = math.Abs
