package simplify_test

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/eval"
	"github.com/onnxgraph/onnxgraph/internal/suitetest"
	"github.com/onnxgraph/onnxgraph/internal/suitetest/suiteeval"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/simplify"
)

// suiteParts are the parts of the suite the tests simplify (not real/,
// whose networks are large).
var suiteParts = []string{"node", "simple", "pytorch-converted", "pytorch-operator"}

// runnable reports whether the evaluator has a kernel for every node of m.
func runnable(m *onnxgraph.Model) bool {
	ok := true
	m.Graph().Walk(func(g *onnxgraph.Graph) bool {
		for _, n := range g.Nodes() {
			v, _ := m.Opset(n.Domain())
			if !eval.Implemented(n.Domain(), n.OpType(), int(v)) {
				ok = false
			}
		}
		return ok
	})
	return ok
}

// TestSuite simplifies every model of the backend suite. Each must
// simplify without error, stay valid when it was, simplify to the same
// bytes a second time, and, where the evaluator runs it, compute the
// suite's expected outputs on the suite's inputs (its tolerances: rtol
// 1e-3, atol 1e-7).
func TestSuite(t *testing.T) {
	paths := suitetest.Models(t, suiteParts...)
	var models, changed, checked, before, after int
	for _, path := range paths {
		name := suitetest.Name(path)
		m, err := onnxgraph.Open(path, nil)
		if err != nil {
			continue // the suite's few models our loader refuses are tested there
		}
		models++
		valid := onnxgraph.Validate(m, nil) == nil
		r, err := simplify.Simplify(m, nil)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		before += r.NodesBefore
		after += r.NodesAfter
		if r.NodesAfter != r.NodesBefore || r.ParamBytesAfter != r.ParamBytesBefore {
			changed++
		}
		if len(r.Disabled) > 0 {
			t.Errorf("%s: passes turned off: %v", name, r.Disabled)
		}
		if valid {
			if err := onnxgraph.Validate(m, nil); err != nil {
				t.Errorf("%s: the simplified model is invalid: %v", name, err)
			}
		}
		once, err := m.Bytes(nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := simplify.Simplify(m, nil); err != nil {
			t.Errorf("%s: second run: %v", name, err)
		}
		twice, _ := m.Bytes(nil)
		if !bytes.Equal(once, twice) {
			t.Errorf("%s: a second run changes the model", name)
		}
		if !runnable(m) || name == "node/test_adam_multiple" { // the suite's data contradict that model (onnx#7749)
			continue
		}
		if err := suiteeval.Check(m, filepath.Dir(path), closeValues); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		checked++
	}
	t.Logf("%d models simplified (%d changed; nodes %d -> %d), %d checked against the expected outputs", models, changed, before, after, checked)
}

// closeValues compares an output of the simplified model with its
// expected value (of declared type typ).
func closeValues(got, want eval.Value, _ *onnxproto.TypeProto) error {
	switch {
	case want.Tensor != nil:
		if got.Tensor == nil {
			return fmt.Errorf("no tensor")
		}
		return closeTensors(got.Tensor, want.Tensor)
	case want.Sequence != nil:
		if got.Sequence == nil || len(got.Sequence.Tensors) != len(want.Sequence.Tensors) {
			return fmt.Errorf("sequence differs")
		}
		for i := range want.Sequence.Tensors {
			if err := closeTensors(got.Sequence.Tensors[i], want.Sequence.Tensors[i]); err != nil {
				return fmt.Errorf("element %d: %v", i, err)
			}
		}
	}
	return nil
}

// closeTensors compares as numpy's assert_allclose with the suite's
// tolerances; strings and bools exactly. A bfloat16 result is compared as
// the uint16 patterns old suite files hold.
func closeTensors(got, want *onnxgraph.Tensor) error {
	if want.DataType() == onnxgraph.String {
		g, _ := got.Strings()
		w, _ := want.Strings()
		if fmt.Sprintf("%q", g) != fmt.Sprintf("%q", w) {
			return fmt.Errorf("strings %q, want %q", g, w)
		}
		return nil
	}
	if got.DataType() == onnxgraph.BFloat16 && want.DataType() == onnxgraph.Uint16 {
		f, err := got.Float32s()
		if err != nil {
			return err
		}
		pat := make([]uint16, len(f))
		for i, x := range f {
			pat[i] = onnxgraph.Float32ToBFloat16(x)
		}
		if got, err = onnxgraph.TensorFrom(got.Name(), got.Dims(), pat); err != nil {
			return err
		}
	}
	return allClose(got, want, 1e-3, 1e-7)
}

// numbers returns a tensor's elements as float64 (complex: real and
// imaginary parts in turn).
func numbers(t *onnxgraph.Tensor) ([]float64, error) {
	switch dt := t.DataType(); {
	case dt == onnxgraph.Complex64 || dt == onnxgraph.Complex128:
		c, err := t.Complex128s()
		out := make([]float64, 0, 2*len(c))
		for _, x := range c {
			out = append(out, real(x), imag(x))
		}
		return out, err
	case dt == onnxgraph.Uint64:
		u, err := t.Uint64s()
		out := make([]float64, len(u))
		for i, x := range u {
			out[i] = float64(x)
		}
		return out, err
	default:
		if f, err := t.Float64s(); err == nil {
			return f, nil
		}
		is, err := t.Int64s()
		if err != nil {
			return nil, fmt.Errorf("%s: %v", strings.ToLower(onnxgraph.DataTypeName(dt)), err)
		}
		out := make([]float64, len(is))
		for i, x := range is {
			out[i] = float64(x)
		}
		return out, nil
	}
}
