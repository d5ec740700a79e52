package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph/examples/internal/ort/orttest"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/examples/internal/ort"
	"github.com/onnxgraph/onnxgraph/internal/suitetest"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/samples"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
	"google.golang.org/protobuf/proto"
)

// Equivalence in ONNX Runtime of the issue 6 edits: opset conversion up and
// down on the backend suite, and the semantics-preserving edits (rename,
// name-nodes, strip-docs, layout and its inverse, batch at the same batch).

// e6Python returns /usr/bin/python3 when it imports onnx, else "".
func e6Python() string { return suitetest.Python("onnx") }

// e6PythonCheck runs onnx.checker (full_check) on every file in one python
// process and returns the files it rejects with the reason.
func e6PythonCheck(t *testing.T, files []string) map[string]string {
	t.Helper()
	py := e6Python()
	if py == "" || len(files) == 0 {
		return nil
	}
	script := `
import sys, onnx
for f in sys.argv[1:]:
    try:
        onnx.checker.check_model(onnx.load(f), full_check=True)
    except Exception as e:
        print("BAD\t" + f + "\t" + str(e).replace("\n", " ")[:300])
`
	out, err := exec.Command(py, append([]string{"-c", script}, files...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	bad := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		if parts := strings.SplitN(line, "\t", 3); len(parts) == 3 && parts[0] == "BAD" {
			bad[parts[1]] = parts[2]
		}
	}
	return bad
}

// e6SuiteModels lists the backend-suite models of the four folders (not
// real/, whose networks are large).
func e6SuiteModels(t *testing.T) []string {
	return suitetest.Models(t, "node", "pytorch-converted", "pytorch-operator", "simple")
}

// e6Inputs reads test_data_set_0's inputs for model m, by the names of its
// graph inputs that are not initializers.
func e6Inputs(dir string, m *onnxgraph.Model) (map[string]*ort.Tensor, error) {
	var names []string
	for _, v := range m.Graph().Inputs() {
		if v.Initializer() == nil {
			names = append(names, v.Name())
		}
	}
	set, err := suitetest.FirstDataSet(dir)
	if err != nil {
		return nil, err
	}
	out := map[string]*ort.Tensor{}
	for i, name := range names {
		if i >= len(set.Inputs) {
			return nil, fmt.Errorf("%s: no %s", dir, filepath.Base(set.InputPath(i)))
		}
		t, err := onnxgraph.DecodeTensor(set.Inputs[i])
		if err != nil {
			return nil, err
		}
		if t.DataType() == onnxgraph.String {
			return nil, fmt.Errorf("string input")
		}
		raw, err := t.Bytes()
		if err != nil {
			return nil, err
		}
		out[name] = &ort.Tensor{DType: t.DataType(), Shape: t.Dims(), Data: raw}
	}
	return out, nil
}

// e6Same compares two runs' outputs: same names, types and shapes, and
// values equal (floats within a tight tolerance, NaN equal to NaN).
func e6Same(want, got map[string]*ort.Tensor) error {
	if len(want) != len(got) {
		return fmt.Errorf("%d outputs, want %d", len(got), len(want))
	}
	for name, w := range want {
		g := got[name]
		if g == nil {
			return fmt.Errorf("output %q missing", name)
		}
		if g.DType != w.DType || !slices.Equal(g.Shape, w.Shape) {
			return fmt.Errorf("output %q: %v%v, want %v%v", name, g.DType, g.Shape, w.DType, w.Shape)
		}
		if slices.Equal(g.Data, w.Data) {
			continue
		}
		switch w.DType {
		case onnxgraph.Float:
			for i := 0; i+4 <= len(w.Data); i += 4 {
				a := float64(math.Float32frombits(binary.LittleEndian.Uint32(w.Data[i:])))
				b := float64(math.Float32frombits(binary.LittleEndian.Uint32(g.Data[i:])))
				if !(math.IsNaN(a) && math.IsNaN(b)) && math.Abs(a-b) > 1e-6+1e-5*math.Abs(a) {
					return fmt.Errorf("output %q: element %d is %v, want %v", name, i/4, b, a)
				}
			}
		case onnxgraph.Double:
			for i := 0; i+8 <= len(w.Data); i += 8 {
				a := math.Float64frombits(binary.LittleEndian.Uint64(w.Data[i:]))
				b := math.Float64frombits(binary.LittleEndian.Uint64(g.Data[i:]))
				if !(math.IsNaN(a) && math.IsNaN(b)) && math.Abs(a-b) > 1e-9+1e-9*math.Abs(a) {
					return fmt.Errorf("output %q: element %d is %v, want %v", name, i/8, b, a)
				}
			}
		default:
			return fmt.Errorf("output %q: data differs", name)
		}
	}
	return nil
}

// e6TypeOf runs shape inference on m and returns its types as a TypeOf
// function (nil when inference fails).
func e6TypeOf(m *onnxgraph.Model) func(*onnxgraph.Value) *onnxproto.TypeProto {
	res, err := shapeinfer.Infer(m, nil)
	if err != nil || res == nil {
		return nil
	}
	return func(v *onnxgraph.Value) *onnxproto.TypeProto {
		if t := res.Type(v); t != nil && t.Kind != shapeinfer.KindUnknown {
			return t.Proto()
		}
		return nil
	}
}

// TestOpsetConvertSuiteORT converts every model of the backend suite up to
// later opsets and back down to its own, and checks in ONNX Runtime that
// each result computes what the original computes (and our checker and
// python's accept them). It reports how many convert per direction.
func TestOpsetConvertSuiteORT(t *testing.T) {
	if testing.Short() {
		t.Skip("the whole backend suite in ONNX Runtime: not in -short mode")
	}
	orttest.Require(t)
	files := e6SuiteModels(t)
	dir := t.TempDir()
	targets := []int64{13, 17, 18, 21, 23}
	type tally struct{ tried, converted, rewritten, same, refused, ortFail int }
	downTargets := []int64{7, 11, 13}
	up := map[int64]*tally{}
	down := map[int64]*tally{}
	downFrom := map[int64]*tally{}
	for _, v := range targets {
		up[v], down[v] = &tally{}, &tally{}
	}
	for _, v := range downTargets {
		downFrom[v] = &tally{}
	}
	refusals := map[string]int{}
	var checkFiles []string
	for i, f := range files {
		m, err := onnxgraph.Open(f, nil)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		from, ok := m.Opset("")
		if !ok {
			m.Close()
			continue
		}
		inputs, err := e6Inputs(filepath.Dir(f), m)
		if err != nil || len(inputs) == 0 {
			// onnxruntime_go panics running a model without inputs.
			m.Close()
			continue
		}
		want, err := ort.Run(f, inputs)
		if err != nil {
			m.Close()
			continue // ONNX Runtime cannot run the original
		}
		name := filepath.Base(filepath.Dir(f))
		for _, to := range downTargets {
			if to >= from {
				continue
			}
			td := downFrom[to]
			td.tried++
			c := m.Clone()
			rep, err := onnxgraph.SetOpsetModel(c, "", to, &onnxgraph.SetOpsetOptions{Convert: true, TypeOf: e6TypeOf(c)})
			if err != nil {
				td.refused++
				refusals[fmt.Sprintf("down to %d: %s", to, e6Reason(err))]++
				continue
			}
			if len(rep.Converted) > 0 {
				td.rewritten++
			}
			if err := c.Sanity(); err != nil {
				t.Errorf("%s -> %d: %v", name, to, err)
				continue
			}
			td.converted++
			p := filepath.Join(dir, fmt.Sprintf("%s_down%d.onnx", name, to))
			if err := c.Save(p); err != nil {
				t.Fatal(err)
			}
			if i%3 == 0 {
				checkFiles = append(checkFiles, p)
			}
			got, err := ort.Run(p, inputs)
			if err != nil {
				td.ortFail++
				if strings.Contains(err.Error(), "Could not find an implementation") {
					t.Logf("%s: %d -> %d: ONNX Runtime lacks a kernel: %v", name, from, to, err)
				} else {
					t.Errorf("%s: %d -> %d: ONNX Runtime: %v", name, from, to, err)
				}
				continue
			}
			if err := e6Same(want, got); err != nil {
				t.Errorf("%s: %d -> %d: %v", name, from, to, err)
				continue
			}
			td.same++
		}
		for _, to := range targets {
			if to <= from {
				continue
			}
			tu := up[to]
			tu.tried++
			c := m.Clone()
			rep, err := onnxgraph.SetOpsetModel(c, "", to, &onnxgraph.SetOpsetOptions{Convert: true, TypeOf: e6TypeOf(c)})
			if err != nil {
				tu.refused++
				refusals[e6Reason(err)]++
				continue
			}
			if len(rep.Converted) > 0 {
				tu.rewritten++
			}
			if err := c.Sanity(); err != nil {
				t.Errorf("%s -> %d: %v", name, to, err)
				continue
			}
			if err := onnxgraph.Validate(c, nil); err != nil {
				t.Errorf("%s -> %d: our checker: %v", name, to, err)
			}
			tu.converted++
			p := filepath.Join(dir, fmt.Sprintf("%s_%d.onnx", name, to))
			if err := c.Save(p); err != nil {
				t.Fatal(err)
			}
			if to <= 17 && i%3 == 0 {
				checkFiles = append(checkFiles, p)
			}
			got, err := ort.Run(p, inputs)
			if err != nil {
				tu.ortFail++
				if strings.Contains(err.Error(), "Could not find an implementation") {
					t.Logf("%s: %d -> %d: ONNX Runtime lacks a kernel: %v", name, from, to, err)
				} else {
					t.Errorf("%s: %d -> %d: ONNX Runtime: %v", name, from, to, err)
				}
				continue
			}
			if err := e6Same(want, got); err != nil {
				t.Errorf("%s: %d -> %d: %v", name, from, to, err)
				continue
			}
			tu.same++
			// And back down to the model's own opset.
			td := down[to]
			td.tried++
			back, err := onnxgraph.Open(p, nil)
			if err != nil {
				t.Fatal(err)
			}
			rep, err = onnxgraph.SetOpsetModel(back, "", from, &onnxgraph.SetOpsetOptions{Convert: true, TypeOf: e6TypeOf(back)})
			if err != nil {
				td.refused++
				refusals["back down: "+e6Reason(err)]++
				back.Close()
				continue
			}
			if len(rep.Converted) > 0 {
				td.rewritten++
			}
			if err := back.Sanity(); err != nil {
				t.Errorf("%s: %d -> %d -> %d: %v", name, from, to, from, err)
			}
			td.converted++
			pb := filepath.Join(dir, fmt.Sprintf("%s_%d_back.onnx", name, to))
			if err := back.Save(pb); err != nil {
				t.Fatal(err)
			}
			back.Close()
			if to <= 17 && i%3 == 0 {
				checkFiles = append(checkFiles, pb)
			}
			got, err = ort.Run(pb, inputs)
			if err != nil {
				td.ortFail++
				t.Errorf("%s: %d -> %d -> %d: ONNX Runtime: %v", name, from, to, from, err)
				continue
			}
			if err := e6Same(want, got); err != nil {
				t.Errorf("%s: %d -> %d -> %d: %v", name, from, to, from, err)
				continue
			}
			td.same++
		}
		m.Close()
	}
	for _, to := range targets {
		u, d := up[to], down[to]
		t.Logf("up to %d: %d models tried, %d converted (%d with nodes rewritten), %d same outputs in ORT, %d refused, %d without an ORT kernel; back down: %d tried, %d converted (%d rewritten), %d same, %d refused",
			to, u.tried, u.converted, u.rewritten, u.same, u.refused, u.ortFail, d.tried, d.converted, d.rewritten, d.same, d.refused)
	}
	for _, to := range downTargets {
		d := downFrom[to]
		t.Logf("down to %d: %d models tried, %d converted (%d with nodes rewritten), %d same outputs in ORT, %d refused, %d without an ORT kernel",
			to, d.tried, d.converted, d.rewritten, d.same, d.refused, d.ortFail)
	}
	var keys []string
	for k := range refusals {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Logf("refused %d× %s", refusals[k], k)
	}
	if bad := e6PythonCheck(t, checkFiles); len(bad) > 0 {
		for f, why := range bad {
			t.Errorf("python onnx.checker rejects %s: %s", filepath.Base(f), why)
		}
	} else if e6Python() != "" {
		t.Logf("python onnx.checker accepted %d converted models (opset <= 17)", len(checkFiles))
	}
}

// e6Reason shortens a conversion error for tallies.
func e6Reason(err error) string {
	var ce *onnxgraph.ConvertError
	if errors.As(err, &ce) {
		return ce.Op + ": " + ce.Reason
	}
	return err.Error()
}

var _ = samples.MNIST

// e6Run saves m and runs it in ONNX Runtime.
func e6Run(t *testing.T, m *onnxgraph.Model, inputs map[string]*ort.Tensor) (map[string]*ort.Tensor, error) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "m.onnx")
	if err := m.Save(p); err != nil {
		t.Fatal(err)
	}
	return ort.Run(p, inputs)
}

// e6Transpose4 permutes a 4-D tensor: out dim i is in dim perm[i].
func e6Transpose4(x *ort.Tensor, perm [4]int) *ort.Tensor {
	es := len(x.Data) / int(onnxgraph.NumElements(x.Shape))
	var shape [4]int64
	for i, p := range perm {
		shape[i] = x.Shape[p]
	}
	in := [4]int64{x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]}
	stride := [4]int64{in[1] * in[2] * in[3], in[2] * in[3], in[3], 1}
	out := make([]byte, len(x.Data))
	k := 0
	var idx [4]int64
	for idx[0] = 0; idx[0] < shape[0]; idx[0]++ {
		for idx[1] = 0; idx[1] < shape[1]; idx[1]++ {
			for idx[2] = 0; idx[2] < shape[2]; idx[2]++ {
				for idx[3] = 0; idx[3] < shape[3]; idx[3]++ {
					off := int64(0)
					for i, p := range perm {
						off += idx[i] * stride[p]
					}
					copy(out[k*es:(k+1)*es], x.Data[int(off)*es:int(off+1)*es])
					k++
				}
			}
		}
	}
	return &ort.Tensor{DType: x.DType, Shape: shape[:], Data: out}
}

// e6ReverseAxis reverses a 4-D tensor along axis.
func e6ReverseAxis(x *ort.Tensor, axis int) *ort.Tensor {
	es := len(x.Data) / int(onnxgraph.NumElements(x.Shape))
	outer, inner := int64(1), int64(es)
	for i := 0; i < axis; i++ {
		outer *= x.Shape[i]
	}
	for i := axis + 1; i < len(x.Shape); i++ {
		inner *= x.Shape[i]
	}
	n := x.Shape[axis]
	out := make([]byte, len(x.Data))
	for o := int64(0); o < outer; o++ {
		for c := int64(0); c < n; c++ {
			src := (o*n + c) * inner
			dst := (o*n + (n - 1 - c)) * inner
			copy(out[dst:dst+inner], x.Data[src:src+inner])
		}
	}
	return &ort.Tensor{DType: x.DType, Shape: x.Shape, Data: out}
}

// TestPreservingEditsORT applies the semantics-preserving edits to the
// backend suite and checks in ONNX Runtime that outputs do not change:
// rename (inputs fed by their new names), name-nodes, strip-docs, a named
// batch run at the suite's batch, NHWC layout on inputs (fed transposed
// data) and outputs (read back transposed), layout then its inverse, and
// RGB/BGR swaps twice.
func TestPreservingEditsORT(t *testing.T) {
	if testing.Short() {
		t.Skip("the backend suite in ONNX Runtime: not in -short mode")
	}
	orttest.Require(t)
	files := e6SuiteModels(t)
	counts := map[string]int{}
	for _, f := range files {
		m0, err := onnxgraph.Open(f, nil)
		if err != nil {
			t.Fatal(err)
		}
		inputs, err := e6Inputs(filepath.Dir(f), m0)
		if err != nil || len(inputs) == 0 {
			m0.Close()
			continue
		}
		want, err := ort.Run(f, inputs)
		if err != nil {
			m0.Close()
			continue
		}
		name := filepath.Base(filepath.Dir(f))
		check := func(op string, m *onnxgraph.Model, in map[string]*ort.Tensor, fix func(map[string]*ort.Tensor)) {
			t.Helper()
			if err := m.Err(); err != nil {
				t.Errorf("%s: %s: %v", name, op, err)
				return
			}
			got, err := e6Run(t, m, in)
			if err != nil && strings.Contains(err.Error(), "Could not find an implementation") {
				t.Logf("%s: %s: ONNX Runtime lacks a kernel: %.160s", name, op, err)
				return
			}
			if err != nil && strings.Contains(err.Error(), "'Cubic' mode only supports") {
				// ONNX Runtime's transpose optimizer moves the input
				// Transpose past a cubic Resize, then rejects the scales
				// it permuted itself.
				t.Logf("%s: %s: ONNX Runtime rejects its own rewrite: %.120s", name, op, err)
				return
			}
			if err != nil {
				t.Errorf("%s: %s: ONNX Runtime: %v", name, op, err)
				return
			}
			if fix != nil {
				fix(got)
			}
			if err := e6Same(want, got); err != nil {
				t.Errorf("%s: %s: %v", name, op, err)
				return
			}
			counts[op]++
		}
		// Rename every graph input (and output) with a prefix.
		{
			m := m0.Clone()
			in := map[string]*ort.Tensor{}
			for k, v := range inputs {
				m.Rename(k, "in/"+k, &onnxgraph.RenameOptions{Scope: onnxgraph.RenameInputs}, nil)
				in["in/"+k] = v
			}
			renamedOut := map[string]string{}
			for _, o := range m0.Graph().Outputs() {
				if !o.IsGraphInput() && m.Err() == nil {
					m.Rename(o.Name(), "out/"+o.Name(), &onnxgraph.RenameOptions{Scope: onnxgraph.RenameOutputs}, nil)
					renamedOut["out/"+o.Name()] = o.Name()
				}
			}
			check("rename", m, in, func(got map[string]*ort.Tensor) {
				for k, v := range got {
					if old, ok := renamedOut[k]; ok {
						delete(got, k)
						got[old] = v
					}
				}
			})
		}
		check("name-nodes", m0.Clone().NameNodes(nil, nil), inputs, nil)
		check("strip-docs", m0.Clone().StripDocs(nil, nil), inputs, nil)
		{
			m := m0.Clone()
			err := m.SetBatch(onnxgraph.DimParam("N"), nil, nil).Err()
			if err == nil {
				check("set-batch N", m, inputs, nil)
			}
		}
		// Layout: 4-D float inputs fed as NHWC.
		var ins []onnxgraph.LayoutChange
		for _, v := range m0.Graph().Inputs() {
			if tt := inputs[v.Name()]; tt != nil && len(tt.Shape) == 4 && !v.IsGraphOutput() {
				ins = append(ins, onnxgraph.LayoutChange{Name: v.Name(), Layout: "NHWC"})
			}
		}
		var outs []onnxgraph.LayoutChange
		for _, v := range m0.Graph().Outputs() {
			if w := want[v.Name()]; w != nil && len(w.Shape) == 4 && !v.IsGraphInput() {
				outs = append(outs, onnxgraph.LayoutChange{Name: v.Name(), Layout: "NHWC"})
			}
		}
		if len(ins)+len(outs) > 0 {
			m := m0.Clone()
			m.SetLayout(&onnxgraph.LayoutOptions{Inputs: ins, Outputs: outs}, nil)
			in := map[string]*ort.Tensor{}
			for k, v := range inputs {
				in[k] = v
			}
			for _, c := range ins {
				in[c.Name] = e6Transpose4(inputs[c.Name], [4]int{0, 2, 3, 1})
			}
			check("layout", m, in, func(got map[string]*ort.Tensor) {
				for _, c := range outs {
					if g := got[c.Name]; g != nil && len(g.Shape) == 4 {
						got[c.Name] = e6Transpose4(g, [4]int{0, 3, 1, 2})
					}
				}
			})
			// And the inverse on top: the original interface again.
			inv := func(list []onnxgraph.LayoutChange) []onnxgraph.LayoutChange {
				var out []onnxgraph.LayoutChange
				for _, c := range list {
					out = append(out, onnxgraph.LayoutChange{Name: c.Name, ModelLayout: "NHWC", Layout: "NCHW"})
				}
				return out
			}
			m.SetLayout(&onnxgraph.LayoutOptions{Inputs: inv(ins), Outputs: inv(outs)}, nil)
			check("layout+inverse", m, inputs, nil)
		}
		// RGB <-> BGR on 4-D inputs with 3 channels: swapping the data
		// gives the original outputs; swapping twice too.
		var rgb []onnxgraph.LayoutChange
		for _, c := range ins {
			if inputs[c.Name].Shape[1] == 3 && inputs[c.Name].DType == onnxgraph.Float {
				rgb = append(rgb, onnxgraph.LayoutChange{Name: c.Name, SwapRGB: true})
			}
		}
		if len(rgb) > 0 {
			for _, how := range []onnxgraph.SwapMethod{onnxgraph.SwapGather, onnxgraph.SwapSplitConcat} {
				m := m0.Clone()
				m.SetLayout(&onnxgraph.LayoutOptions{Inputs: rgb, Swap: how}, nil)
				in := map[string]*ort.Tensor{}
				for k, v := range inputs {
					in[k] = v
				}
				for _, c := range rgb {
					in[c.Name] = e6ReverseAxis(inputs[c.Name], 1)
				}
				check(fmt.Sprintf("rgb-bgr (%d)", how), m, in, nil)
				m.SetLayout(&onnxgraph.LayoutOptions{Inputs: rgb, Swap: how}, nil)
				check(fmt.Sprintf("rgb-bgr twice (%d)", how), m, inputs, nil)
			}
		}
		m0.Close()
	}
	var ops []string
	for op := range counts {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	for _, op := range ops {
		t.Logf("%s: %d models with identical ONNX Runtime outputs", op, counts[op])
	}
}

// e6Build builds a model at opset with fn, failing the test on error.
func e6Build(t *testing.T, opset int64, fn func(b *onnxgraph.Builder)) *onnxgraph.Model {
	t.Helper()
	b := onnxgraph.NewBuilder(opset)
	fn(b)
	m, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestOpsetAdaptersORT converts builder-made models through each adapter,
// up and back down, and checks ONNX Runtime computes the same on random
// inputs at every stage.
func TestOpsetAdaptersORT(t *testing.T) {
	orttest.Require(t)
	f32 := onnxgraph.Float
	cases := []struct {
		name     string
		from, to int64
		build    func(b *onnxgraph.Builder)
		wantNode string // an op type the converted model must have, "" for none
	}{
		{"softmax axis 1 of rank 3", 11, 13, func(b *onnxgraph.Builder) {
			b.Output(b.Op("Softmax", onnxgraph.Attrs{"axis": 1}, b.Input("x", f32, onnxgraph.Dims(2, 3, 4)...)), onnxgraph.Dims(2, 3, 4)...)
		}, "Flatten"},
		{"logsoftmax axis 0", 12, 18, func(b *onnxgraph.Builder) {
			b.Output(b.Op("LogSoftmax", onnxgraph.Attrs{"axis": 0}, b.Input("x", f32, onnxgraph.Dims(2, 3, 4)...)), onnxgraph.Dims(2, 3, 4)...)
		}, "Flatten"},
		{"hardmax default axis", 11, 13, func(b *onnxgraph.Builder) {
			b.Output(b.Op("Hardmax", nil, b.Input("x", f32, onnxgraph.Dims(2, 3, 4)...)), onnxgraph.Dims(2, 3, 4)...)
		}, "Flatten"},
		{"softmax-13 axis 1 down", 13, 11, func(b *onnxgraph.Builder) {
			b.Output(b.Op("Softmax", onnxgraph.Attrs{"axis": 1}, b.Input("x", f32, onnxgraph.Dims(2, 3, 4)...)), onnxgraph.Dims(2, 3, 4)...)
		}, "Transpose"},
		{"pad with value", 10, 18, func(b *onnxgraph.Builder) {
			b.Output(b.Op("Pad", onnxgraph.Attrs{"pads": "0,1,2,0,0,1", "value": 0.5}, b.Input("x", f32, onnxgraph.Dims(2, 3, 4)...)), onnxgraph.Dims(2, 5, 7)...)
		}, ""},
		{"pad reflect", 10, 13, func(b *onnxgraph.Builder) {
			b.Output(b.Op("Pad", onnxgraph.Attrs{"pads": "0,1,0,1", "mode": "reflect"}, b.Input("x", f32, onnxgraph.Dims(3, 4)...)), onnxgraph.Dims(3, 6)...)
		}, ""},
		{"clip", 10, 13, func(b *onnxgraph.Builder) {
			b.Output(b.Op("Clip", onnxgraph.Attrs{"min": -0.2, "max": 0.3}, b.Input("x", f32, onnxgraph.Dims(3, 4)...)), onnxgraph.Dims(3, 4)...)
		}, ""},
		{"split sizes", 11, 18, func(b *onnxgraph.Builder) {
			n := b.Node(onnxgraph.NodeSpec{Op: "Split", Inputs: []any{b.Input("x", f32, onnxgraph.Dims(2, 4)...)}, Attrs: onnxgraph.Attrs{"axis": 1, "split": "1,3"}, NumOutputs: 2})
			b.Output(n.Output(0), onnxgraph.Dims(2, 1)...)
			b.Output(n.Output(1), onnxgraph.Dims(2, 3)...)
		}, ""},
		{"split equal", 13, 18, func(b *onnxgraph.Builder) {
			n := b.Node(onnxgraph.NodeSpec{Op: "Split", Inputs: []any{b.Input("x", f32, onnxgraph.Dims(6, 2)...)}, NumOutputs: 3})
			for i := 0; i < 3; i++ {
				b.Output(n.Output(i), onnxgraph.Dims(2, 2)...)
			}
		}, ""},
		{"split num_outputs uneven", 18, 13, func(b *onnxgraph.Builder) {
			n := b.Node(onnxgraph.NodeSpec{Op: "Split", Inputs: []any{b.Input("x", f32, onnxgraph.Dims(7, 2)...)}, Attrs: onnxgraph.Attrs{"num_outputs": 3}, NumOutputs: 3})
			b.Output(n.Output(0), onnxgraph.Dims(3, 2)...)
			b.Output(n.Output(1), onnxgraph.Dims(3, 2)...)
			b.Output(n.Output(2), onnxgraph.Dims(1, 2)...)
		}, ""},
		{"squeeze unsqueeze", 11, 13, func(b *onnxgraph.Builder) {
			s := b.Op("Squeeze", onnxgraph.Attrs{"axes": []int{1}}, b.Input("x", f32, onnxgraph.Dims(3, 1, 4)...))
			b.Output(b.Op("Unsqueeze", onnxgraph.Attrs{"axes": []int{0, 3}}, s), onnxgraph.Dims(1, 3, 4, 1)...)
		}, ""},
		{"reducesum axes", 11, 13, func(b *onnxgraph.Builder) {
			b.Output(b.Op("ReduceSum", onnxgraph.Attrs{"axes": []int{0, 2}, "keepdims": 0}, b.Input("x", f32, onnxgraph.Dims(2, 3, 4)...)), onnxgraph.Dims(3)...)
		}, ""},
		{"reducemax axes", 13, 18, func(b *onnxgraph.Builder) {
			b.Output(b.Op("ReduceMax", onnxgraph.Attrs{"axes": []int{-1}}, b.Input("x", f32, onnxgraph.Dims(2, 3, 4)...)), onnxgraph.Dims(2, 3, 1)...)
		}, ""},
		{"topk", 9, 11, func(b *onnxgraph.Builder) {
			n := b.Node(onnxgraph.NodeSpec{Op: "TopK", Inputs: []any{b.Input("x", f32, onnxgraph.Dims(3, 5)...)}, Attrs: onnxgraph.Attrs{"k": 2}, NumOutputs: 2})
			b.Output(n.Output(0), onnxgraph.Dims(3, 2)...)
			b.Output(n.Output(1), onnxgraph.Dims(3, 2)...)
		}, ""},
		{"slice", 9, 13, func(b *onnxgraph.Builder) {
			b.Output(b.Op("Slice", onnxgraph.Attrs{"starts": "1,0", "ends": "3,2", "axes": "0,1"}, b.Input("x", f32, onnxgraph.Dims(4, 4)...)), onnxgraph.Dims(2, 2)...)
		}, ""},
		{"upsample scales input", 9, 13, func(b *onnxgraph.Builder) {
			b.Output(b.Op("Upsample", nil, b.Input("x", f32, onnxgraph.Dims(1, 1, 2, 3)...), []float32{1, 1, 2, 2}), onnxgraph.Dims(1, 1, 4, 6)...)
		}, "Resize"},
		{"upsample scales attribute", 7, 9, func(b *onnxgraph.Builder) {
			b.Output(b.Op("Upsample", onnxgraph.Attrs{"scales": "1,1,2,3", "mode": "nearest"}, b.Input("x", f32, onnxgraph.Dims(1, 1, 2, 2)...)), onnxgraph.Dims(1, 1, 4, 6)...)
		}, ""},
		{"upsample linear to resize", 9, 18, func(b *onnxgraph.Builder) {
			b.Output(b.Op("Upsample", onnxgraph.Attrs{"mode": "linear"}, b.Input("x", f32, onnxgraph.Dims(1, 1, 2, 3)...), []float32{1, 1, 2, 2}), onnxgraph.Dims(1, 1, 4, 6)...)
		}, "Resize"},
		{"resize-11 asymmetric down to 10", 11, 10, func(b *onnxgraph.Builder) {
			b.Output(b.Op("Resize", onnxgraph.Attrs{"coordinate_transformation_mode": "asymmetric", "nearest_mode": "floor"},
				b.Input("x", f32, onnxgraph.Dims(1, 1, 2, 3)...), []float32{}, []float32{1, 1, 2, 2}), onnxgraph.Dims(1, 1, 4, 6)...)
		}, ""},
		{"dropout ratio", 10, 12, func(b *onnxgraph.Builder) {
			b.Output(b.Op("Dropout", onnxgraph.Attrs{"ratio": 0.3}, b.Input("x", f32, onnxgraph.Dims(3, 4)...)), onnxgraph.Dims(3, 4)...)
		}, ""},
		{"gemm without C", 11, 9, func(b *onnxgraph.Builder) {
			b.Output(b.Op("Gemm", onnxgraph.Attrs{"transB": 1}, b.Input("a", f32, onnxgraph.Dims(2, 3)...), b.Input("b", f32, onnxgraph.Dims(4, 3)...)), onnxgraph.Dims(2, 4)...)
		}, ""},
		{"reshape and cast", 7, 17, func(b *onnxgraph.Builder) {
			r := b.Op("Reshape", nil, b.Input("x", f32, onnxgraph.Dims(2, 6)...), []int64{3, 4})
			b.Output(b.Op("Cast", onnxgraph.Attrs{"to": int(onnxgraph.Double)}, r), onnxgraph.Dims(3, 4)...)
		}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := e6Build(t, c.from, c.build)
			dir := t.TempDir()
			p0 := filepath.Join(dir, "orig.onnx")
			if err := m.Save(p0); err != nil {
				t.Fatal(err)
			}
			inputs, err := ort.RandomInputs(p0, 6)
			if err != nil {
				t.Fatal(err)
			}
			want, err := ort.Run(p0, inputs)
			if err != nil {
				t.Fatal(err)
			}
			var r onnxgraph.SetOpsetReport
			if err := m.SetOpset("", c.to, &onnxgraph.SetOpsetOptions{Convert: true}, &r).Err(); err != nil {
				t.Fatal(err)
			}
			if err := m.Sanity(); err != nil {
				t.Fatal(err)
			}
			if err := onnxgraph.Validate(m, nil); err != nil {
				t.Fatal(err)
			}
			if c.wantNode != "" {
				found := false
				for _, n := range m.Graph().Nodes() {
					found = found || n.OpType() == c.wantNode
				}
				if !found {
					t.Errorf("no %s after conversion: %v", c.wantNode, r.Converted)
				}
			}
			got, err := e6Run(t, m, inputs)
			if err != nil {
				t.Fatalf("%d -> %d: %v\n%s", c.from, c.to, err, strings.Join(r.Converted, "\n"))
			}
			if err := e6Same(want, got); err != nil {
				t.Errorf("%d -> %d: %v\n%s", c.from, c.to, err, strings.Join(r.Converted, "\n"))
			}
			files := []string{filepath.Join(dir, "conv.onnx")}
			m.Save(files[0])
			if err := m.SetOpset("", c.from, &onnxgraph.SetOpsetOptions{Convert: true}, &r).Err(); err != nil {
				t.Fatalf("back to %d: %v", c.from, err)
			}
			if err := onnxgraph.Validate(m, nil); err != nil {
				t.Fatal(err)
			}
			got, err = e6Run(t, m, inputs)
			if err != nil {
				t.Fatalf("back to %d: %v", c.from, err)
			}
			if err := e6Same(want, got); err != nil {
				t.Errorf("back to %d: %v\n%s", c.from, err, strings.Join(r.Converted, "\n"))
			}
			files = append(files, filepath.Join(dir, "back.onnx"))
			m.Save(files[1])
			if bad := e6PythonCheck(t, files); len(bad) > 0 && c.to <= 17 {
				t.Errorf("python onnx.checker: %v", bad)
			}
		})
	}
}

// TestLegacyBroadcastORT: opset-6 Add with broadcast=1 and axis converts to
// numpy broadcasting (ONNX Runtime cannot run opset 6; the reference is
// the same computation written at opset 13 by hand).
func TestLegacyBroadcastORT(t *testing.T) {
	orttest.Require(t)
	f32 := onnxgraph.Float
	bias := []float32{1, -2, 3}
	for _, constB := range []bool{true, false} {
		m := e6Build(t, 6, func(b *onnxgraph.Builder) {
			x := b.Input("x", f32, onnxgraph.Dims(2, 3, 4, 5)...)
			var bv *onnxgraph.Value
			if constB {
				bv = b.Const("bias", 0, []int64{3}, bias)
			} else {
				bv = b.Input("bias", f32, onnxgraph.Dims(3)...)
			}
			b.Output(b.Op("Add", onnxgraph.Attrs{"broadcast": 1, "axis": 1}, x, bv), onnxgraph.Dims(2, 3, 4, 5)...)
		})
		ref := e6Build(t, 13, func(b *onnxgraph.Builder) {
			x := b.Input("x", f32, onnxgraph.Dims(2, 3, 4, 5)...)
			var bv *onnxgraph.Value
			if constB {
				bv = b.Const("bias", 0, []int64{3, 1, 1}, bias)
			} else {
				bv = b.Op("Reshape", nil, b.Input("bias", f32, onnxgraph.Dims(3)...), []int64{3, 1, 1})
			}
			b.Output(b.Op("Add", nil, x, bv), onnxgraph.Dims(2, 3, 4, 5)...)
		})
		var r onnxgraph.SetOpsetReport
		if err := m.SetOpset("", 13, &onnxgraph.SetOpsetOptions{Convert: true}, &r).Err(); err != nil {
			t.Fatal(err)
		}
		if err := onnxgraph.Validate(m, nil); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(t.TempDir(), "ref.onnx")
		ref.Save(p)
		inputs, err := ort.RandomInputs(p, 3)
		if err != nil {
			t.Fatal(err)
		}
		want, err := ort.Run(p, inputs)
		if err != nil {
			t.Fatal(err)
		}
		got, err := e6Run(t, m, inputs)
		if err != nil {
			t.Fatalf("const %v: %v\n%v", constB, err, r.Converted)
		}
		if err := e6Same(want, got); err != nil {
			t.Errorf("const %v: %v\n%v", constB, err, r.Converted)
		}
	}
}

// TestSetBatchORT: a batch-1 model (with a Reshape shape, an Expand target
// and a shared constant encoding the batch) rewritten to batch 3 computes,
// for each sample, what the original computes for it; rewritten to a named
// batch it runs at batches 1 and 3.
func TestSetBatchORT(t *testing.T) {
	orttest.Require(t)
	f32 := onnxgraph.Float
	build := func() *onnxgraph.Model {
		return e6Build(t, 17, func(b *onnxgraph.Builder) {
			x := b.Input("x", f32, onnxgraph.Dims(1, 3, 4, 4)...)
			shape := b.Const("shape", onnxgraph.Int64, nil, []int64{1, 48})
			r := b.Op("Reshape", nil, x, shape)
			w := b.Const("w", 0, []int64{10, 48}, make([]float32, 480))
			g := b.Op("Gemm", onnxgraph.Attrs{"transB": 1, "alpha": 0.5}, r, w, make([]float32, 10))
			bias := b.Op("Expand", nil, b.Const("bias", 0, []int64{10}, []float32{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}), []int64{1, 10})
			k := b.Op("ReduceSum", onnxgraph.Attrs{"keepdims": 0}, b.Op("Reshape", nil, b.Const("k", 0, []int64{48}, make([]float32, 48)), shape))
			y := b.Op("Add", nil, b.Op("Add", nil, g, bias), k)
			z := b.Op("Tile", nil, b.Op("Relu", nil, x), []int64{1, 2, 1, 1})
			b.Output(b.Node(onnxgraph.NodeSpec{Op: "Identity", Inputs: []any{y}, Outputs: []string{"y"}}).Output(0), onnxgraph.Dims(1, 10)...)
			b.Output(b.Node(onnxgraph.NodeSpec{Op: "Identity", Inputs: []any{z}, Outputs: []string{"z"}}).Output(0), onnxgraph.Dims(1, 6, 4, 4)...)
		})
	}
	m := build()
	p := filepath.Join(t.TempDir(), "b1.onnx")
	m.Save(p)
	one, _ := ort.RandomInputs(p, 1)
	two, _ := ort.RandomInputs(p, 2)
	three, _ := ort.RandomInputs(p, 3)
	var samples []map[string]*ort.Tensor
	for _, in := range []map[string]*ort.Tensor{one, two, three} {
		out, err := ort.Run(p, in)
		if err != nil {
			t.Fatal(err)
		}
		samples = append(samples, out)
	}
	stack := func(ts ...*ort.Tensor) *ort.Tensor {
		s := &ort.Tensor{DType: ts[0].DType, Shape: append([]int64{int64(len(ts))}, ts[0].Shape[1:]...)}
		for _, x := range ts {
			s.Data = append(s.Data, x.Data...)
		}
		return s
	}
	batched := map[string]*ort.Tensor{"x": stack(one["x"], two["x"], three["x"])}
	wantAll := map[string]*ort.Tensor{}
	for _, name := range []string{"y", "z"} {
		wantAll[name] = stack(samples[0][name], samples[1][name], samples[2][name])
	}
	for _, batch := range []onnxgraph.Dim{onnxgraph.DimOf(3), onnxgraph.DimParam("N")} {
		m := build()
		var r onnxgraph.SetBatchReport
		if err := m.SetBatch(batch, nil, &r).Err(); err != nil {
			t.Fatal(err)
		}
		if err := onnxgraph.Validate(m, nil); err != nil {
			t.Fatal(err)
		}
		got, err := e6Run(t, m, batched)
		if err != nil {
			t.Fatalf("batch %v: %v\n%+v", batch, err, r)
		}
		if err := e6Same(wantAll, got); err != nil {
			t.Errorf("batch %v: %v\n%+v", batch, err, r)
		}
		if batch.Param != "" {
			got, err := e6Run(t, m, one)
			if err != nil {
				t.Fatal(err)
			}
			if err := e6Same(samples[0], got); err != nil {
				t.Errorf("named batch at 1: %v", err)
			}
		}
		t.Logf("batch %v: constants %v; left %v", batch, r.Constants, r.Unsound)
	}
}

// TestModifyORT: a changed constant (shared, so copied) and a changed
// attribute show in ONNX Runtime's results; the other reader of the shared
// constant computes as before.
func TestModifyORT(t *testing.T) {
	orttest.Require(t)
	m := e6Build(t, 17, func(b *onnxgraph.Builder) {
		x := b.Input("x", onnxgraph.Float, onnxgraph.Dims(2, 3)...)
		w := b.Const("w", 0, []int64{3}, []float32{1, 1, 1})
		a := b.Node(onnxgraph.NodeSpec{Op: "Add", Name: "add", Inputs: []any{x, w}, Outputs: []string{"a"}}).Output(0)
		s := b.Node(onnxgraph.NodeSpec{Op: "Sub", Name: "sub", Inputs: []any{x, w}, Outputs: []string{"s"}}).Output(0)
		tr := b.Node(onnxgraph.NodeSpec{Op: "Transpose", Name: "tr", Inputs: []any{a}, Attrs: onnxgraph.Attrs{"perm": "0,1"}, Outputs: []string{"t"}}).Output(0)
		b.Output(tr, onnxgraph.DimParam("A"), onnxgraph.DimParam("B"))
		b.Output(s, onnxgraph.Dims(2, 3)...)
	})
	p := filepath.Join(t.TempDir(), "m.onnx")
	m.Save(p)
	in, _ := ort.RandomInputs(p, 1)
	want, _ := ort.Run(p, in)
	err := m.Modify("add", &onnxgraph.ModifyOptions{Consts: map[string]any{"w": "3,3,3"}}, nil).
		Modify("tr", &onnxgraph.ModifyOptions{Attrs: map[string]any{"perm": "1,0"}}, nil).Err()
	if err != nil {
		t.Fatal(err)
	}
	got, err := e6Run(t, m, in)
	if err != nil {
		t.Fatal(err)
	}
	if err := e6Same(map[string]*ort.Tensor{"s": want["s"]}, map[string]*ort.Tensor{"s": got["s"]}); err != nil {
		t.Errorf("the other reader of w changed: %v", err)
	}
	tt := got["t"]
	if !slices.Equal(tt.Shape, []int64{3, 2}) {
		t.Fatalf("t shape %v", tt.Shape)
	}
	x := in["x"]
	for i := 0; i < 2; i++ {
		for j := 0; j < 3; j++ {
			xv := math.Float32frombits(binary.LittleEndian.Uint32(x.Data[4*(3*i+j):]))
			tv := math.Float32frombits(binary.LittleEndian.Uint32(tt.Data[4*(2*j+i):]))
			if tv != xv+3 {
				t.Fatalf("t[%d,%d] = %v, want %v", j, i, tv, xv+3)
			}
		}
	}
}

// TestFunctionOpsetORT converts a model whose local function imports the
// default domain (Unsqueeze with axes, whose constant becomes a Constant
// node in the body) and back; ONNX Runtime computes the same throughout.
func TestFunctionOpsetORT(t *testing.T) {
	orttest.Require(t)
	tt := func(dims ...int64) *onnxproto.TypeProto {
		return onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(dims...))
	}
	str := func(s string) *string { return &s }
	i64 := func(v int64) *int64 { return &v }
	p := &onnxproto.ModelProto{
		IrVersion:   i64(8),
		OpsetImport: []*onnxproto.OperatorSetIdProto{{Domain: str(""), Version: i64(11)}, {Domain: str("local"), Version: i64(1)}},
		Graph: &onnxproto.GraphProto{
			Name:   str("main"),
			Input:  []*onnxproto.ValueInfoProto{{Name: str("x"), Type: tt(2, 3)}},
			Output: []*onnxproto.ValueInfoProto{{Name: str("y"), Type: tt(2, 1, 3)}},
			Node:   []*onnxproto.NodeProto{{OpType: str("MyFn"), Domain: str("local"), Input: []string{"x"}, Output: []string{"y"}}},
		},
		Functions: []*onnxproto.FunctionProto{{
			Name: str("MyFn"), Domain: str("local"), Input: []string{"a"}, Output: []string{"b"},
			OpsetImport: []*onnxproto.OperatorSetIdProto{{Domain: str(""), Version: i64(11)}},
			Node: []*onnxproto.NodeProto{
				{OpType: str("Unsqueeze"), Input: []string{"a"}, Output: []string{"u"}, Attribute: []*onnxproto.AttributeProto{onnxgraph.AttrInts("axes", 1)}},
				{OpType: str("Softmax"), Input: []string{"u"}, Output: []string{"b"}, Attribute: []*onnxproto.AttributeProto{onnxgraph.AttrInt("axis", 0)}},
			},
		}},
	}
	b, _ := proto.Marshal(p)
	m, err := onnxgraph.Decode(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "f.onnx")
	m.Save(path)
	in, _ := ort.RandomInputs(path, 2)
	want, err := ort.Run(path, in)
	if err != nil {
		t.Fatal(err)
	}
	for _, to := range []int64{13, 11} {
		var r onnxgraph.SetOpsetReport
		if err := m.SetOpset("", to, &onnxgraph.SetOpsetOptions{Convert: true}, &r).Err(); err != nil {
			t.Fatal(err)
		}
		if err := onnxgraph.Validate(m, nil); err != nil {
			t.Fatal(err)
		}
		got, err := e6Run(t, m, in)
		if err != nil {
			t.Fatalf("at %d: %v\n%v", to, err, r.Converted)
		}
		if err := e6Same(want, got); err != nil {
			t.Errorf("at %d: %v\n%v", to, err, r.Converted)
		}
	}
}
