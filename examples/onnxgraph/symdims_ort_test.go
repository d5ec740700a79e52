package main

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"

	"github.com/onnxgraph/onnxgraph/examples/internal/ort/orttest"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/examples/internal/ort"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
)

// TestSymdimsORT checks symbolic shape inference against ONNX Runtime on
// the generated models of shapeinfer/testdata/symdims (an audio frontend,
// an image stem, a detection network whose pyramid levels meet at
// different symbolic heights, a decoder with a cache): each is inferred
// with symbolic input sizes, every intermediate value becomes an output,
// and at each set of sizes the model lists (metadata "symdims.sizes")
// ONNX Runtime's shape of every value must be the value of its inferred
// shape.
func TestSymdimsORT(t *testing.T) {
	orttest.Require(t)
	files, err := filepath.Glob(filepath.Join("..", "..", "shapeinfer", "testdata", "symdims", "*.onnx"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no generated models (go test ./shapeinfer -run TestSymdimsModels -update): %v", err)
	}
	dir := t.TempDir()
	total := 0
	for _, f := range files {
		name := filepath.Base(f)
		m, err := onnxgraph.Open(f, nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := shapeinfer.Infer(m, nil)
		if err != nil {
			t.Fatal(err)
		}
		var sizes []map[string]int64
		if err := json.Unmarshal([]byte(m.Metadata()["symdims.sizes"]), &sizes); err != nil || len(sizes) == 0 {
			t.Fatalf("%s: metadata symdims.sizes: %v", name, err)
		}
		g := m.Graph()
		outs := map[string]bool{}
		for _, o := range g.Outputs() {
			outs[o.Name()] = true
		}
		for _, n := range g.Nodes() {
			for _, v := range n.Outputs() {
				if v != nil && !outs[v.Name()] {
					if err := g.AddOutput(v, res.Type(v).Proto()); err != nil {
						t.Fatal(err)
					}
					outs[v.Name()] = true
				}
			}
		}
		path := filepath.Join(dir, name)
		if err := m.Save(path); err != nil {
			t.Fatal(err)
		}
		compared := 0
		for _, env := range sizes {
			inputs := map[string]*ort.Tensor{}
			for _, in := range g.Inputs() {
				if in.Initializer() != nil {
					continue
				}
				typ := res.Type(in)
				shape, err := typ.Shape.Eval(env)
				if err != nil {
					t.Fatalf("%s: input %s: %v", name, in.Name(), err)
				}
				size := onnxgraph.RawSize(typ.Elem, onnxgraph.NumElements(shape))
				inputs[in.Name()] = &ort.Tensor{DType: typ.Elem, Shape: shape, Data: make([]byte, size)}
			}
			got, err := ort.Run(path, inputs)
			if err != nil {
				t.Fatalf("%s at %v: %v", name, env, err)
			}
			for _, o := range g.Outputs() {
				real := got[o.Name()]
				if real == nil {
					t.Errorf("%s at %v: no output %s", name, env, o.Name())
					continue
				}
				typ := res.Type(o)
				want, err := typ.Shape.Eval(env)
				if err != nil {
					t.Errorf("%s %s: %v does not evaluate at %v: %v", name, o.Name(), typ, env, err)
					continue
				}
				if !slices.Equal(want, real.Shape) {
					t.Errorf("%s %s at %v: inferred %v = %v, ONNX Runtime gives %v", name, o.Name(), env, typ, want, real.Shape)
				}
				compared++
			}
		}
		t.Logf("%s: %d value shapes at %d sizes agree with ONNX Runtime", name, compared, len(sizes))
		total += compared
	}
	if total == 0 {
		t.Error("nothing compared")
	}
}
