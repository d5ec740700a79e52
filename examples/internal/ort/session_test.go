package ort_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/examples/internal/ort"
)

// TestSession runs one session many times, over every element type the
// package-level Run supports (float16 and bfloat16 through its output
// workaround), and checks each run against Run.
func TestSession(t *testing.T) {
	setup(t)
	types := []onnxgraph.DataType{onnxgraph.Float, onnxgraph.Double, onnxgraph.Int64, onnxgraph.Uint8, onnxgraph.Bool, onnxgraph.Float16, onnxgraph.BFloat16}
	path := identityModel(t, types, "", "_static")
	s, err := ort.NewSession(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Path() != path || len(s.Inputs()) != 2*len(types) || len(s.Outputs()) != 2*len(types) {
		t.Fatalf("session of %s: %d inputs, %d outputs", s.Path(), len(s.Inputs()), len(s.Outputs()))
	}
	in := s.Inputs()
	in[0].Shape = append(in[0].Shape, 99) // the caller's copy
	if slices.Contains(s.Inputs()[0].Shape, 99) {
		t.Error("Inputs returns the session's own slice")
	}

	for seed := range uint64(3) {
		in, err := ort.RandomInputs(path, seed)
		if err != nil {
			t.Fatal(err)
		}
		want, err := ort.Run(path, in)
		if err != nil {
			t.Fatal(err)
		}
		b, err := s.Bind(in)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.Outputs(); err == nil {
			t.Error("Outputs before Run: no error")
		}
		for range 3 {
			if err := b.Run(); err != nil {
				t.Fatal(err)
			}
		}
		got, err := b.Outputs()
		if err != nil {
			t.Fatal(err)
		}
		b.Close()
		b.Close()
		if err := b.Run(); err == nil {
			t.Error("Run after Close: no error")
		}
		for name, w := range want {
			g := got[name]
			if g == nil || g.DType != w.DType || !slices.Equal(g.Shape, w.Shape) || !bytes.Equal(g.Data, w.Data) {
				t.Errorf("seed %d, %s: session gives %+v, Run gives %+v", seed, name, g, w)
			}
		}
		if again, err := s.Run(in); err != nil || !bytes.Equal(again["FLOAT_out"].Data, want["FLOAT_out"].Data) {
			t.Errorf("Session.Run: %v", err)
		}
	}

	if _, err := s.Run(nil); err == nil {
		t.Error("Run without inputs: no error")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := s.Bind(nil); err == nil {
		t.Error("Bind after Close: no error")
	}
}

// TestRandomTensorMatchesRandomInputs checks the promise of NewRand: one
// generator filling the inputs in Info's order gives RandomInputs' bytes.
func TestRandomTensorMatchesRandomInputs(t *testing.T) {
	setup(t)
	path := identityModel(t, []onnxgraph.DataType{onnxgraph.Float, onnxgraph.Int32, onnxgraph.Float16}, "", "_static")
	want, err := ort.RandomInputs(path, 5)
	if err != nil {
		t.Fatal(err)
	}
	inputs, _, err := ort.Info(path)
	if err != nil {
		t.Fatal(err)
	}
	r := ort.NewRand(5)
	for _, x := range inputs {
		shape := slices.Clone(x.Shape)
		for i := range shape {
			shape[i] = max(shape[i], 1)
		}
		got, err := ort.RandomTensor(r, x.DType, shape)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Data, want[x.Name].Data) {
			t.Errorf("%s: RandomTensor and RandomInputs differ", x.Name)
		}
	}
}

// TestRunContext: a run of a slow model stops soon after its context is
// cancelled, with the context's error; a later run of the same session
// works.
func TestRunContext(t *testing.T) {
	setup(t)
	// 30 products of 1024x1024 matrices: about a second of work.
	m := onnxgraph.NewModel(8, map[string]int64{"": 17})
	g := m.Graph()
	x, _ := g.AddInput("x", onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(1024, 1024)))
	v := x
	for i := 0; i < 30; i++ {
		n, err := g.AddNode("MatMul", []*onnxgraph.Value{v, x}, []string{fmt.Sprintf("y%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		v = n.Output(0)
	}
	if err := g.AddOutput(v, onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(1024, 1024))); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "slow.onnx")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	s, err := ort.NewSession(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	in := map[string]*ort.Tensor{"x": {DType: onnxgraph.Float, Shape: []int64{1024, 1024}, Data: make([]byte, 4<<20)}}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = s.RunContext(ctx, in)
	took := time.Since(start)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("cancelled run: %v after %v", err, took)
	}
	t.Logf("stopped after %v", took)
	if _, err := s.Run(in); err != nil {
		t.Errorf("a run after a cancelled one: %v", err)
	}
}

// TestBindShared writes an output into an input's buffer: y = x + 1 with y
// sharing x's buffer leaves x + 1 in the input's Data, and a name that is
// no input or output is an error.
func TestBindShared(t *testing.T) {
	setup(t)
	m := onnxgraph.NewModel(10, map[string]int64{"": 21})
	g := m.Graph()
	x, err := g.AddInput("x", onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(2, 3)))
	if err != nil {
		t.Fatal(err)
	}
	one, err := onnxgraph.NewTensorOf("one", onnxgraph.Float, nil, []float32{1})
	if err != nil {
		t.Fatal(err)
	}
	c, err := g.AddInitializer(one)
	if err != nil {
		t.Fatal(err)
	}
	n, err := g.AddNode("Add", []*onnxgraph.Value{x, c}, []string{"y"})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.AddOutput(n.Output(0), onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(2, 3))); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "add.onnx")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	s, err := ort.NewSession(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	in, err := ort.Full(onnxgraph.Float, []int64{2, 3}, 2)
	if err != nil {
		t.Fatal(err)
	}
	want, err := ort.Full(onnxgraph.Float, []int64{2, 3}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.BindShared(map[string]*ort.Tensor{"x": in}, map[string]string{"y": "z"}); err == nil {
		t.Error("sharing an input that does not exist: no error")
	}
	b, err := s.BindShared(map[string]*ort.Tensor{"x": in}, map[string]string{"y": "x"})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Run(); err != nil {
		t.Fatal(err)
	}
	out, err := b.Outputs()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(in.Data, want.Data) || !bytes.Equal(out["y"].Data, want.Data) {
		t.Errorf("input holds %v, output %v; want both x + 1", in.Data, out["y"].Data)
	}
	b.Close()
	b.Close()
}
