package tflitecheck

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/internal/suitetest"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/tflite"
)

// suiteCase loads a backend-suite node test: its model (with bool inputs
// and outputs wrapped in Casts, as LiteRT.js exchanges no bools) and its
// first data set's inputs. ok is false when a model is not a candidate:
// an operator the exporter has no converter for.
func suiteCase(dir string) (cc crossCase, unsupported []string, err error) {
	m, err := onnxgraph.Open(filepath.Join(dir, "model.onnx"), nil)
	if err != nil {
		return cc, nil, err
	}
	seen := map[string]bool{}
	for _, n := range m.Graph().Nodes() {
		opset, _ := m.Opset(n.Domain())
		if !tflite.Supported(n.Domain(), n.OpType(), int(opset)) && !seen[n.OpType()] {
			seen[n.OpType()] = true
			unsupported = append(unsupported, n.OpType())
		}
	}
	if len(unsupported) > 0 {
		return cc, unsupported, nil
	}
	g := m.Graph()
	inputs := map[string]*onnxgraph.Tensor{}
	var free []*onnxgraph.Value
	for _, v := range g.Inputs() {
		if v.Initializer() == nil {
			free = append(free, v)
		}
	}
	set, err := suitetest.FirstDataSet(dir)
	if err != nil {
		return cc, nil, err
	}
	for i, v := range free {
		if i >= len(set.Inputs) {
			return cc, nil, fmt.Errorf("no %s", set.InputPath(i))
		}
		t, err := onnxgraph.DecodeTensor(set.Inputs[i])
		if err != nil {
			return cc, nil, err
		}
		inputs[v.Name()] = t
	}
	if err := wrapBools(m, inputs); err != nil {
		return cc, nil, err
	}
	cc = crossCase{name: filepath.Base(dir), model: m, inputs: inputs, tol: float32Tol}
	freezeParams(&cc)
	return cc, nil, nil
}

// constRefusal matches the exporter's refusal of a computed parameter.
var constRefusal = regexp.MustCompile(`"([^"]+)" must be an? (?:[\w-]+ )*constant`)

// freezeParams turns the graph inputs the exporter needs as constants
// (the suite feeds weights, pads, axes, scales as inputs) into
// initializers holding the test's data, as they are in deployed models.
func freezeParams(cc *crossCase) {
	g := cc.model.Graph()
	for range 8 {
		_, _, err := tflite.Convert(cc.model, nil)
		var ue *tflite.UnsupportedError
		if !errors.As(err, &ue) {
			return
		}
		changed := false
		for _, p := range ue.Nodes {
			m := constRefusal.FindStringSubmatch(p.Reason)
			if m == nil {
				continue
			}
			v, ok := g.Value(m[1])
			t := cc.inputs[m[1]]
			if !ok || !v.IsGraphInput() || t == nil {
				continue
			}
			raw, err := t.Bytes()
			if err != nil {
				return
			}
			if t, err = onnxgraph.NewTensor(g.UniqueName(v.Name()+"_const"), t.DataType(), t.Dims(), raw); err != nil {
				return
			}
			w, err := g.AddInitializer(t)
			if err != nil {
				return
			}
			v.ReplaceAllUsesWith(w)
			if err := g.RemoveInput(v); err != nil {
				return
			}
			delete(cc.inputs, m[1])
			cc.frozen = append(cc.frozen, m[1])
			changed = true
		}
		if !changed {
			return
		}
	}
}

// wrapBools gives bool inputs the type uint8 (read through a Cast to bool)
// and bool outputs a Cast to uint8.
func wrapBools(m *onnxgraph.Model, inputs map[string]*onnxgraph.Tensor) error {
	g := m.Graph()
	for _, v := range append([]*onnxgraph.Value{}, g.Inputs()...) {
		if v.Initializer() != nil || v.ElemType() != onnxgraph.Bool {
			continue
		}
		dims, _, _ := v.Shape()
		name := v.Name()
		if err := v.Rename(name + "_bool"); err != nil {
			return err
		}
		u8, err := g.AddInput(name, onnxgraph.TensorType(onnxgraph.Uint8, onnxgraph.Dims(dims...)))
		if err != nil {
			return err
		}
		cast, err := g.AddNode("Cast", []*onnxgraph.Value{u8}, []string{name + "_cast"}, onnxgraph.AttrInt("to", int64(onnxgraph.Bool)))
		if err != nil {
			return err
		}
		v.ReplaceAllUsesWith(cast.Output(0))
		if err := g.RemoveInput(v); err != nil {
			return err
		}
		bs, err := inputs[name].Bools()
		if err != nil {
			return err
		}
		u := make([]uint8, len(bs))
		for i, b := range bs {
			if b {
				u[i] = 1
			}
		}
		if inputs[name], err = onnxgraph.TensorFrom(name, dims, u); err != nil {
			return err
		}
	}
	for i, v := range g.Outputs() {
		if v.ElemType() != onnxgraph.Bool {
			continue
		}
		cast, err := g.AddNode("Cast", []*onnxgraph.Value{v}, []string{v.Name() + "_u8"}, onnxgraph.AttrInt("to", int64(onnxgraph.Uint8)))
		if err != nil {
			return err
		}
		if err := g.SetOutput(i, cast.Output(0)); err != nil {
			return err
		}
		g.Outputs()[i].SetType(onnxgraph.TensorType(onnxgraph.Uint8, nil))
	}
	return g.TopoSort()
}

var _ = onnxproto.TensorProto_FLOAT

// TestSuite converts every backend-suite node test whose operators the
// exporter supports, runs both models and compares. It reports how many
// convert and match and why the others are refused.
func TestSuite(t *testing.T) { suiteTest(t, "node") }

// TestSuitePyTorch does the same for the suite's models converted from
// PyTorch modules and operators (weights are initializers there).
func TestSuitePyTorch(t *testing.T) { suiteTest(t, "pytorch-converted", "pytorch-operator") }

func suiteTest(t *testing.T, folders ...string) {
	needRuntimes(t)
	paths := suitetest.Models(t, folders...)
	var cases []crossCase
	byOp := map[string]int{}
	for _, path := range paths {
		d := filepath.Dir(path)
		cc, unsup, err := suiteCase(d)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(d), err)
			continue
		}
		if unsup != nil {
			for _, op := range unsup {
				byOp[op]++
			}
			continue
		}
		cases = append(cases, cc)
	}
	res := crossRun(t, cases)
	matched := 0
	refused := map[string][]string{}
	var failed []string
	noInputs := 0
	cannot := map[string][]string{}
	for i, r := range res {
		name := cases[i].name
		switch {
		case r.convErr != nil:
			var ue *tflite.UnsupportedError
			var se *tflite.ShapeError
			switch {
			case errors.As(r.convErr, &ue):
				refused[ue.Nodes[0].Reason] = append(refused[ue.Nodes[0].Reason], name)
			case errors.As(r.convErr, &se):
				refused["dynamic shape"] = append(refused["dynamic shape"], name)
			case errors.Is(r.convErr, tflite.ErrUnsupported):
				msg := r.convErr.Error()
				if i := strings.Index(msg, ": value"); i >= 0 {
					msg = msg[i+2:]
				}
				msg = regexp.MustCompile(`"[^"]*"`).ReplaceAllString(msg, "X")
				refused[msg] = append(refused[msg], name)
			default:
				failed = append(failed, fmt.Sprintf("%s: convert: %v", name, r.convErr))
			}
		case errors.Is(r.runErr, errNoInputs):
			noInputs++
		case errors.Is(r.runErr, errReference) || errors.Is(r.runErr, errExchange):
			cannot[r.runErr.Error()] = append(cannot[r.runErr.Error()], name)
		case r.runErr != nil:
			failed = append(failed, fmt.Sprintf("%s: run: %v", name, r.runErr))
		case r.diff != "":
			failed = append(failed, fmt.Sprintf("%s: %s", name, r.diff))
		default:
			matched++
		}
	}
	frozen := 0
	for _, cc := range cases {
		if len(cc.frozen) > 0 {
			frozen++
		}
	}
	nCannot := 0
	for _, v := range cannot {
		nCannot += len(v)
	}
	t.Logf("backend suite %v: %d tests, %d with only supported operators (%d of them with parameter inputs made initializers); %d convert and match, %d refused, %d fail; not run: %d without inputs, %d that a runtime cannot take",
		folders, len(paths), len(cases), frozen, matched, len(cases)-matched-len(failed)-noInputs-nCannot, len(failed), noInputs, nCannot)
	for why, names := range cannot {
		t.Logf("not run (%d): %s: %s", len(names), why, strings.Join(names, " "))
	}
	ops := make([]string, 0, len(byOp))
	for op := range byOp {
		ops = append(ops, fmt.Sprintf("%s %d", op, byOp[op]))
	}
	sort.Strings(ops)
	t.Logf("node tests with operators outside the exporter's table: %s", strings.Join(ops, ", "))
	reasons := make([]string, 0, len(refused))
	for r := range refused {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	for _, r := range reasons {
		t.Logf("refused (%d): %s: %s", len(refused[r]), r, strings.Join(refused[r], " "))
	}
	for _, f := range failed {
		t.Error(f)
	}
}
