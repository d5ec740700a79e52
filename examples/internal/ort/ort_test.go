package ort_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/onnxgraph/onnxgraph/examples/internal/ort/orttest"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/examples/internal/ort"
)

// setup loads ONNX Runtime (orttest's rule: skipped when missing, but under
// CI) and checks that a second Init is harmless.
func setup(t *testing.T) {
	t.Helper()
	lib := orttest.Require(t)
	if err := ort.Init(lib); err != nil {
		t.Fatalf("second Init: %v", err)
	}
}

func TestFindLibraryEnv(t *testing.T) {
	lib := filepath.Join(t.TempDir(), "libonnxruntime.so.1")
	if err := os.WriteFile(lib, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(ort.EnvLibrary, lib)
	if got, err := ort.FindLibrary(); err != nil || got != lib {
		t.Errorf("FindLibrary() = %q, %v; want %q", got, err, lib)
	}
	t.Setenv(ort.EnvLibrary, lib+".missing")
	if _, err := ort.FindLibrary(); err == nil || errors.Is(err, ort.ErrNoLibrary) {
		t.Errorf("FindLibrary() with a missing $%s: error %v, want one that is not ErrNoLibrary", ort.EnvLibrary, err)
	}
}

// identityModel writes a model whose outputs copy one input per element type
// and suffix: suffix "" gives the shape [n, 3] with n symbolic, "_static"
// the shape [2, 3], "_scalar" no dimensions.
func identityModel(t *testing.T, types []onnxgraph.DataType, suffixes ...string) string {
	t.Helper()
	m := onnxgraph.NewModel(10, map[string]int64{"": 21})
	g := m.Graph()
	shapes := map[string][]onnxgraph.Dim{
		"":        {onnxgraph.DimParam("n"), onnxgraph.DimOf(3)},
		"_static": onnxgraph.Dims(2, 3),
		"_scalar": {},
	}
	for _, dt := range types {
		for _, suffix := range suffixes {
			name := dt.String() + suffix
			x, err := g.AddInput(name, onnxgraph.TensorType(dt, shapes[suffix]))
			if err != nil {
				t.Fatal(err)
			}
			n, err := g.AddNode("Identity", []*onnxgraph.Value{x}, []string{name + "_out"})
			if err != nil {
				t.Fatal(err)
			}
			if err := g.AddOutput(n.Output(0), onnxgraph.TensorType(dt, shapes[suffix])); err != nil {
				t.Fatal(err)
			}
		}
	}
	path := filepath.Join(t.TempDir(), "identity.onnx")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// checkIdentity runs the model at path on random inputs and checks that
// every output "<input>_out" equals its input.
func checkIdentity(t *testing.T, path string) {
	t.Helper()
	in, err := ort.RandomInputs(path, 7)
	if err != nil {
		t.Fatal(err)
	}
	out, err := ort.Run(path, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(in) {
		t.Fatalf("got %d outputs, want %d", len(out), len(in))
	}
	for name, x := range in {
		y := out[name+"_out"]
		if y == nil {
			t.Errorf("%s: no output", name)
			continue
		}
		if y.DType != x.DType || !slices.Equal(y.Shape, x.Shape) || !bytes.Equal(y.Data, x.Data) {
			t.Errorf("%s: got %v %v %x, want %v %v %x", name, y.DType, y.Shape, y.Data, x.DType, x.Shape, x.Data)
		}
	}
}

func TestRunElementTypes(t *testing.T) {
	setup(t)
	goTypes := []onnxgraph.DataType{
		onnxgraph.Float, onnxgraph.Double, onnxgraph.Int64, onnxgraph.Int32, onnxgraph.Int16, onnxgraph.Int8,
		onnxgraph.Uint64, onnxgraph.Uint32, onnxgraph.Uint16, onnxgraph.Uint8, onnxgraph.Bool,
	}
	checkIdentity(t, identityModel(t, goTypes, "", "_static", "_scalar"))
	// Types Go lacks have no scalars in onnxruntime_go.
	checkIdentity(t, identityModel(t, []onnxgraph.DataType{onnxgraph.Float16, onnxgraph.BFloat16}, "", "_static"))
}

func TestRunUnknownRank(t *testing.T) {
	setup(t)
	// y = Reshape(x, s) has a rank known only after the run; z is a scalar.
	// ONNX Runtime reports both with the shape [].
	m := onnxgraph.NewModel(10, map[string]int64{"": 21})
	g := m.Graph()
	x, err := g.AddInput("x", onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(6)))
	if err != nil {
		t.Fatal(err)
	}
	s, err := g.AddInput("s", onnxgraph.TensorType(onnxgraph.Int64, []onnxgraph.Dim{onnxgraph.DimParam("k")}))
	if err != nil {
		t.Fatal(err)
	}
	y, err := g.AddNode("Reshape", []*onnxgraph.Value{x, s}, []string{"y"})
	if err != nil {
		t.Fatal(err)
	}
	z, err := g.AddNode("ReduceMax", []*onnxgraph.Value{x}, []string{"z"}, onnxgraph.AttrInt("keepdims", 0))
	if err != nil {
		t.Fatal(err)
	}
	if err := g.AddOutput(y.Output(0), nil); err != nil {
		t.Fatal(err)
	}
	if err := g.AddOutput(z.Output(0), onnxgraph.TensorType(onnxgraph.Float, []onnxgraph.Dim{})); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "reshape.onnx")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}

	xs := []byte{0, 0, 0x80, 0x3f, 0, 0, 0, 0x40, 0, 0, 0x40, 0x40, 0, 0, 0x80, 0x40, 0, 0, 0xa0, 0x40, 0, 0, 0xc0, 0x40} // 1..6
	out, err := ort.Run(path, map[string]*ort.Tensor{
		"x": {DType: onnxgraph.Float, Shape: []int64{6}, Data: xs},
		"s": {DType: onnxgraph.Int64, Shape: []int64{2}, Data: []byte{2, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := out["y"]; !slices.Equal(got.Shape, []int64{2, 3}) || !bytes.Equal(got.Data, xs) {
		t.Errorf("y = %v %x, want [2 3] %x", got.Shape, got.Data, xs)
	}
	if got := out["z"]; len(got.Shape) != 0 || !bytes.Equal(got.Data, xs[20:]) {
		t.Errorf("z = %v %x, want [] %x", got.Shape, got.Data, xs[20:])
	}
}

func TestRunErrors(t *testing.T) {
	setup(t)
	path := identityModel(t, []onnxgraph.DataType{onnxgraph.Float}, "_static")
	in, err := ort.RandomInputs(path, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ort.Run(path, nil); err == nil {
		t.Error("Run without inputs: no error")
	}
	in["extra"] = in["FLOAT_static"]
	if _, err := ort.Run(path, in); err == nil {
		t.Error("Run with an unknown input: no error")
	}
	delete(in, "extra")
	in["FLOAT_static"] = &ort.Tensor{DType: onnxgraph.Float, Shape: []int64{2, 3}, Data: make([]byte, 5)}
	if _, err := ort.Run(path, in); err == nil {
		t.Error("Run with short data: no error")
	}
}

func TestRandomInputsSeeded(t *testing.T) {
	setup(t)
	path := identityModel(t, []onnxgraph.DataType{onnxgraph.Float, onnxgraph.Int64, onnxgraph.Float16}, "", "_static")
	a, err := ort.RandomInputs(path, 3)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ort.RandomInputs(path, 3)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ort.RandomInputs(path, 4)
	if err != nil {
		t.Fatal(err)
	}
	same := true
	for name, x := range a {
		if !bytes.Equal(x.Data, b[name].Data) {
			t.Errorf("%s: the same seed gave different values", name)
		}
		same = same && bytes.Equal(x.Data, c[name].Data)
		if name == "FLOAT" && !slices.Equal(x.Shape, []int64{1, 3}) {
			t.Errorf("%s: shape %v, want the symbolic dimension set to 1: [1 3]", name, x.Shape)
		}
	}
	if same {
		t.Error("seeds 3 and 4 gave the same values")
	}
}
