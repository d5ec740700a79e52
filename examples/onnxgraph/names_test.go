package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph"
)

// Names a model may hold that would forge a line of output or drive the
// terminal if printed as they are.
const (
	forgedName = "in\nonnxgraph: forged line"
	escapeName = "mid\x1b[31mred"
)

// forgingModel is x -> Relu -> mid -> Relu -> y, float32 [1,4], with x and
// mid named forgedName and escapeName.
func forgingModel(t *testing.T) string {
	t.Helper()
	b := onnxgraph.NewBuilder(17)
	x := b.Input(forgedName, onnxgraph.Float, onnxgraph.Dims(1, 4)...)
	mid := b.Node(onnxgraph.NodeSpec{Op: "Relu", Name: "relu\r1", Inputs: []any{x}, Outputs: []string{escapeName}}).Output(0)
	y := b.Node(onnxgraph.NodeSpec{Op: "Relu", Name: "relu2", Inputs: []any{mid}, Outputs: []string{"y"}}).Output(0)
	b.Output(y, onnxgraph.Dims(1, 4)...)
	m, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return saveModel(t, m, "forging.onnx")
}

// TestNamesCannotForgeLines: names with a newline, a carriage return or a
// terminal escape print escaped wherever a command shows them, in reports
// and errors: no line of output starts with the forged text, no escape
// byte reaches the terminal.
func TestNamesCannotForgeLines(t *testing.T) {
	in := forgingModel(t)
	out := filepath.Join(t.TempDir(), "out.onnx")
	runs := [][]string{
		{"summary", in},
		{"extract", in, out, "--inputs", escapeName, "--outputs", "y"},
		{"extract", in, out, "--outputs", escapeName, "--add-missing-inputs"},
		{"add-outputs", in, out, "--names", escapeName},
		{"rename", in, out, "--add-prefix", "p/", "-v"},
		{"rename", in, out, "--from", forgedName, "--to", "x\nonnxgraph: forged line too", "-v"},
		{"delete-nodes", in, out, "--names", "relu\r1"},
		{"rewire", in, out, "--from", escapeName, "--to", forgedName},
		{"insert-node", in, out, "--op", "Neg", "--between", escapeName},
		{"set-batch", in, out, "--batch", "N"},
		{"infer", in, out},
		{"check", in},
		{"extract", in, out, "--inputs", "nosuch\nonnxgraph: forged line", "--outputs", "y"},
		{"rename", in, out, "--from", "nosuch\nonnxgraph: forged line", "--to", "x"},
	}
	for _, args := range runs {
		for _, json := range []bool{false, true} {
			a := args
			if json {
				a = append(append([]string{}, args...), "--json")
			}
			code, stdout, stderr := runCLI(t, a...)
			if code == 2 {
				t.Errorf("%q: usage error: %s", a, stderr)
			}
			for _, text := range []string{stdout, stderr} {
				if strings.ContainsAny(text, "\x1b\r") {
					t.Errorf("%q: an escape or carriage return reached the output: %q", a, text)
				}
				for _, line := range strings.Split(text, "\n") {
					if strings.HasPrefix(line, "onnxgraph: forged") || strings.HasPrefix(line, "mid") {
						t.Errorf("%q: a name forged the line %q:\n%s", a, line, text)
					}
				}
			}
		}
	}
}
