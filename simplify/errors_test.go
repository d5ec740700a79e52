package simplify_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/samples"
	"github.com/onnxgraph/onnxgraph/simplify"
)

// TestBadOptions checks that options Simplify cannot work with are errors
// naming the culprit, and that the model is left as it was.
func TestBadOptions(t *testing.T) {
	for _, tc := range []struct {
		name    string
		opts    simplify.Options
		culprit string
		msg     string
	}{
		{"unknown pass", simplify.Options{SkipPasses: []string{"fold", "constant-folding"}}, "constant-folding", "no such pass"},
		{"unknown op", simplify.Options{SkipOps: []string{"Conv2D"}}, "Conv2D", "no such operator"},
		{"unknown op of a domain", simplify.Options{SkipOps: []string{"com.example:Conv"}}, "com.example:Conv", "no such operator"},
		{"input that is not one", simplify.Options{Inputs: map[string][]onnxgraph.Dim{"logits": onnxgraph.Dims(1, 8)}}, "logits", "not an input of the main graph"},
		{"input of the wrong rank", simplify.Options{Inputs: map[string][]onnxgraph.Dim{"input_ids": onnxgraph.Dims(1, 8, 3)}}, "input_ids", "3 dims given for an input of rank 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := samples.Transformer()
			before, _ := m.Bytes(nil)
			_, err := simplify.Simplify(m, &tc.opts)
			var oe *simplify.OptionError
			if !errors.Is(err, simplify.ErrOption) || !errors.As(err, &oe) {
				t.Fatalf("error %v, want an OptionError", err)
			}
			if oe.Culprit() != tc.culprit || !strings.Contains(err.Error(), tc.msg) || !strings.HasPrefix(err.Error(), "simplify: ") {
				t.Errorf("error %q (culprit %q)", err, oe.Culprit())
			}
			if after, _ := m.Bytes(nil); !bytes.Equal(before, after) {
				t.Error("the model changed")
			}
		})
	}
}

// TestChainError checks the chain form: a bad option stops the chain
// with a step error naming the culprit.
func TestChainError(t *testing.T) {
	m := samples.ConvBN()
	err := m.Apply("Simplify", simplify.Step(&simplify.Options{SkipPasses: []string{"nope"}}, nil)).Err()
	var se *onnxgraph.StepError
	if !errors.As(err, &se) || se.Step != "Simplify" || se.Name != "nope" || !errors.Is(err, simplify.ErrOption) {
		t.Fatalf("error %v", err)
	}
}

// TestCycle checks that a graph whose nodes cannot be ordered is an error
// naming the nodes, with the model unchanged.
func TestCycle(t *testing.T) {
	m, err := onnxgraph.Decode(samples.Cyclic(), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = simplify.Simplify(m, nil)
	var ce *onnxgraph.CycleError
	if !errors.As(err, &ce) || !errors.Is(err, onnxgraph.ErrCycle) || !strings.HasPrefix(err.Error(), "simplify: ") {
		t.Fatalf("error %v, want a cycle error", err)
	}
	if !strings.Contains(err.Error(), `"A"(Add)`) || !strings.Contains(err.Error(), `"B"(Relu)`) {
		t.Errorf("error %q does not name the nodes", err)
	}
	if after, _ := m.Bytes(nil); !bytes.Equal(samples.Cyclic(), after) {
		t.Error("the model changed")
	}
}
