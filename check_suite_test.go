package onnxgraph

import (
	"slices"
	"testing"

	"github.com/onnxgraph/onnxgraph/internal/suitetest"
)

// checkedParts are the parts of the ONNX backend test suite whose models
// the checker tests read (not real/, whose networks are large).
var checkedParts = []string{"node", "pytorch-converted", "pytorch-operator", "simple"}

// TestValidateBackendSuite checks that every model of the ONNX backend test
// suite is valid: no error, notes allowed.
func TestValidateBackendSuite(t *testing.T) {
	paths := suitetest.Models(t, checkedParts...)
	notes := map[Rule]int{}
	for _, p := range paths {
		m, err := Open(p, nil)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		r := m.Validate(nil)
		if !r.Valid() {
			t.Errorf("%s:\n%s", p, r)
		}
		for _, pr := range r.Problems {
			notes[pr.Rule]++
		}
		name := suitetest.Name(p)
		if got, want := r.Has(RuleConstantType), slices.Contains(suiteFullCheckFailures, name); got != want {
			t.Errorf("%s: ConstantType note %v, want %v:\n%s", name, got, want, r)
		}
		m.Close()
	}
	t.Logf("%d models of the backend test suite, all valid; notes by rule: %v", len(paths), notes)
}

// suiteFullCheckFailures are the suite models that python onnx 1.12
// rejects with full_check=True although its plain check accepts them:
// Constant nodes of opset 6 whose value is an int64 tensor, which
// Constant-1's type constraint (float16, float, double) does not allow.
// Nothing declares those outputs' types, so Validate, which checks declared
// types, accepts them with a RuleConstantType note.
var suiteFullCheckFailures = []string{
	"pytorch-converted/test_PixelShuffle",
	"pytorch-operator/test_operator_repeat",
	"pytorch-operator/test_operator_repeat_dim_overflow",
}

// TestPythonCheckerBackendSuite runs python onnx.checker over the same
// models in one python process: the plain check must accept every one, the
// full check every one but suiteFullCheckFailures.
func TestPythonCheckerBackendSuite(t *testing.T) {
	py := pythonOnnx(t)
	if py == "" {
		t.Skip("/usr/bin/python3 cannot import onnx")
	}
	paths := suitetest.Models(t, checkedParts...)
	res := runPythonChecker(t, py, paths, false, false)
	var fullFailures []string
	plainOK, fullOK := 0, 0
	for _, p := range paths {
		v, ok := res[p]
		if !ok {
			t.Errorf("%s: no result", p)
			continue
		}
		if v.Plain != "" {
			t.Errorf("%s: onnx.checker rejects it: %s", p, v.Plain)
		} else {
			plainOK++
		}
		if v.Full != "" {
			fullFailures = append(fullFailures, suitetest.Name(p))
		} else {
			fullOK++
		}
	}
	slices.Sort(fullFailures)
	if !slices.Equal(fullFailures, suiteFullCheckFailures) {
		t.Errorf("models full_check rejects: %v; want %v", fullFailures, suiteFullCheckFailures)
	}
	t.Logf("%d models: onnx.checker accepts %d, with full_check %d", len(paths), plainOK, fullOK)
}
