package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/samples"
)

// TestInferStrict: infer --strict exits non-zero when a value is left
// without a complete type or a node has no inference, says how many and
// which first, and saves nothing; a fully inferred model passes, ONNX
// Runtime's operators included.
func TestInferStrict(t *testing.T) {
	dir := t.TempDir()
	save := func(name string, m *onnxgraph.Model) string {
		p := filepath.Join(dir, name)
		if err := m.Save(p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// x -> FastGelu (com.microsoft) -> Frobnicate (com.example) -> Relu.
	chain := func(custom bool, dims ...onnxgraph.Dim) *onnxgraph.Model {
		m := onnxgraph.NewModel(8, map[string]int64{"": 17, "com.microsoft": 1, "com.example": 1})
		g := m.Graph()
		x, _ := g.AddInput("x", onnxgraph.TensorType(onnxgraph.Float, dims))
		n, _ := g.AddNodeIn("com.microsoft", "FastGelu", []*onnxgraph.Value{x}, []string{"gelu"})
		v := n.Output(0)
		if custom {
			f, _ := g.AddNodeIn("com.example", "Frobnicate", []*onnxgraph.Value{v}, []string{"frob"})
			f.SetName("frobnicator")
			v = f.Output(0)
		}
		r, _ := g.AddNode("Relu", []*onnxgraph.Value{v}, []string{"y"})
		if err := g.AddOutput(r.Output(0), nil); err != nil {
			t.Fatal(err)
		}
		return m
	}
	mnist := save("mnist.onnx", samples.MNIST())
	complete := save("complete.onnx", chain(false, onnxgraph.DimParam("N"), onnxgraph.DimOf(8)))
	custom := save("custom.onnx", chain(true, onnxgraph.DimParam("N"), onnxgraph.DimOf(8)))
	unknownDim := save("unknown.onnx", chain(false, onnxgraph.DimUnknown, onnxgraph.DimOf(8)))
	for _, tt := range []struct {
		name, in string
		ok       bool
		says     []string
	}{
		{"mnist", mnist, true, nil},
		{"microsoft op inferred", complete, true, nil},
		{"custom op", custom, false, []string{"2 values left without a complete type", `first "frob"`, "1 nodes without inference", `"frobnicator", Frobnicate of domain "com.example"`}},
		{"unknown input dim", unknownDim, false, []string{"3 values left without a complete type", `first "x"`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.onnx")
			code, stdout, errOut := runCLI(t, "infer", "--strict", tt.in, out)
			if ok := code == 0; ok != tt.ok {
				t.Fatalf("exit %d, want success %v: %s%s", code, tt.ok, stdout, errOut)
			}
			for _, s := range tt.says {
				if !strings.Contains(errOut, s) {
					t.Errorf("stderr lacks %q:\n%s", s, errOut)
				}
			}
			_, err := os.Stat(out)
			if saved := err == nil; saved != tt.ok {
				t.Errorf("output saved: %v, want %v", saved, tt.ok)
			}
			if !tt.ok {
				// Without --strict the same model is saved with what is known.
				if code, _, errOut := runCLI(t, "infer", tt.in, out); code != 0 {
					t.Errorf("without --strict: exit %d: %s", code, errOut)
				}
			}
		})
	}
}
