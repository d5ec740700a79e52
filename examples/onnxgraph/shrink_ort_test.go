package main

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/onnxgraph/onnxgraph/internal/suitetest"

	"github.com/onnxgraph/onnxgraph/examples/internal/ort/orttest"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/examples/internal/ort"
)

// pythonCheck runs python onnx's checker on each file, skipping when
// python3-onnx is not installed except under CI.
func pythonCheck(t *testing.T, files ...string) {
	t.Helper()
	py := suitetest.NeedPython(t, "onnx", "python3-onnx")
	script := "import sys, onnx\nfor f in sys.argv[1:]:\n    onnx.checker.check_model(onnx.load(f), full_check=True)\n"
	if out, err := exec.Command(py, append([]string{"-c", script}, files...)...).CombinedOutput(); err != nil {
		t.Fatalf("python onnx checker: %v\n%s", err, out)
	}
}

func i64(name string, vals ...int64) *onnxgraph.Tensor {
	raw := make([]byte, 8*len(vals))
	for i, v := range vals {
		binary.LittleEndian.PutUint64(raw[8*i:], uint64(v))
	}
	t, err := onnxgraph.NewTensor(name, onnxgraph.Int64, []int64{int64(len(vals))}, raw)
	if err != nil {
		panic(err)
	}
	return t
}

// shuffleModel is k rounds of Reshape(x, [4,8]) then Gather on axis 1 with
// a permutation, each round with its own copies of both constants (half of
// them Constant nodes), plus a Reshape whose shape is also Gather's index
// source, so that downcasting needs a Cast.
func shuffleModel(t *testing.T, k int) *onnxgraph.Model {
	m := onnxgraph.NewModel(8, map[string]int64{"": 17})
	g := m.Graph()
	add := func(n *onnxgraph.Node, err error) *onnxgraph.Value {
		if err != nil {
			t.Fatal(err)
		}
		return n.Output(0)
	}
	val := func(v *onnxgraph.Value, err error) *onnxgraph.Value {
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	v := val(g.AddInput("x", onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(4, 8))))
	for i := 0; i < k; i++ {
		s := strconv.Itoa(i)
		var shape, perm *onnxgraph.Value
		if i%2 == 0 {
			shape = val(g.AddInitializer(i64("shape_"+s, 4, 8)))
			perm = val(g.AddInitializer(i64("perm_"+s, 3, 1, 2, 0, 7, 6, 5, 4)))
		} else {
			shape = add(g.AddNode("Constant", nil, []string{"shape_" + s}, onnxgraph.AttrTensor("value", i64("c", 4, 8))))
			perm = add(g.AddNode("Constant", nil, []string{"perm_" + s}, onnxgraph.AttrTensor("value", i64("c", 3, 1, 2, 0, 7, 6, 5, 4))))
		}
		r := add(g.AddNode("Reshape", []*onnxgraph.Value{v, shape}, []string{"r" + s}))
		v = add(g.AddNode("Gather", []*onnxgraph.Value{r, perm}, []string{"g" + s}, onnxgraph.AttrInt("axis", 1)))
	}
	// [2,16] serves as both an index list and a shape.
	both := val(g.AddInitializer(i64("both", 2, 16)))
	flat := add(g.AddNode("Reshape", []*onnxgraph.Value{v, val(g.AddInitializer(i64("flat", 32)))}, []string{"flat_x"}))
	picked := add(g.AddNode("Gather", []*onnxgraph.Value{flat, both}, []string{"picked"}))
	reshaped := add(g.AddNode("Reshape", []*onnxgraph.Value{v, both}, []string{"reshaped"}))
	if err := g.AddOutput(picked, onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(2))); err != nil {
		t.Fatal(err)
	}
	if err := g.AddOutput(reshaped, onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(2, 16))); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestShrinkKeepsOutputs shrinks with every rule and checks that ONNX
// Runtime computes bit-identical outputs, python's checker accepts the
// result, and the file got smaller.
func TestShrinkKeepsOutputs(t *testing.T) {
	orttest.Require(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "in.onnx")
	if err := shuffleModel(t, 8).Save(in); err != nil {
		t.Fatal(err)
	}
	inputs, err := ort.RandomInputs(in, 7)
	if err != nil {
		t.Fatal(err)
	}
	want, err := ort.Run(in, inputs)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string][]string{
		"dedupe":         nil,
		"downcast":       {"--downcast"},
		"downcast+casts": {"--downcast", "--cast-where-needed"},
		// 17 bytes: the permutations (32 bytes as int32) go out; the shapes (16
		// bytes) stay in, as ONNX Runtime needs shape constants inline to load.
		"external+casts": {"--downcast", "--cast-where-needed", "--mode", "external", "--threshold", "17"},
	}
	var outs []string
	for name, flags := range cases {
		out := filepath.Join(t.TempDir(), "out.onnx")
		if code, _, errOut := runCLI(t, append([]string{"shrink", in, out}, flags...)...); code != 0 {
			t.Fatalf("%s: exit %d: %s", name, code, errOut)
		}
		got, err := ort.Run(out, inputs)
		if err != nil {
			t.Fatalf("%s: ORT: %v", name, err)
		}
		for k, w := range want {
			if g := got[k]; g == nil || !bytes.Equal(g.Data, w.Data) {
				t.Errorf("%s: output %s changed", name, k)
			}
		}
		if name != "external+casts" {
			a, _ := os.Stat(in)
			b, _ := os.Stat(out)
			if b.Size() >= a.Size() {
				t.Errorf("%s: %d -> %d bytes", name, a.Size(), b.Size())
			}
		}
		m, err := onnxgraph.Open(out, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := onnxgraph.Validate(m, nil); err != nil {
			t.Errorf("%s: our checker: %v", name, err)
		}
		m.Close()
		outs = append(outs, out)
	}
	pythonCheck(t, outs...)
}
