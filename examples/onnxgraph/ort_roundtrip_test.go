package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/onnxgraph/onnxgraph/examples/internal/ort/orttest"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/examples/internal/ort"
	"github.com/onnxgraph/onnxgraph/samples"
)

// TestORTRoundTrip saves models inline and with external data, runs them
// with ONNX Runtime, copies them (with Open+Save and with the copy command,
// both keeping the layout) and checks that ONNX Runtime computes the same
// bits on every copy, that every external tensor keeps its place and bytes,
// and, for the MLP, that the outputs match a computation in Go on the
// weights as built. It skips when ONNX Runtime is not installed, except under CI.
func TestORTRoundTrip(t *testing.T) {
	orttest.Require(t)
	t.Logf("ONNX Runtime %s", ort.Version())

	mlpModel, w := buildMLP()
	models := []struct {
		name  string
		model *onnxgraph.Model
		check func(t *testing.T, in, out map[string]*ort.Tensor)
	}{
		{"mnist", samples.MNIST(), nil},
		{"mlp", mlpModel, w.check},
	}
	layouts := []struct {
		name string
		opts *onnxgraph.SaveOptions
	}{
		{"inline", nil},
		{"external", &onnxgraph.SaveOptions{External: onnxgraph.ExternalSingle, Threshold: 1024}},
	}
	for _, mc := range models {
		var inlineOut map[string]*ort.Tensor // the first layout's outputs
		for _, lc := range layouts {
			t.Run(mc.name+"/"+lc.name, func(t *testing.T) {
				dir := t.TempDir()
				src := filepath.Join(dir, "src", "model.onnx")
				mkdirT(t, filepath.Dir(src))
				if err := mc.model.SaveWith(src, lc.opts); err != nil {
					t.Fatal(err)
				}
				srcExt := externalTensors(t, src)
				if external := lc.opts != nil; external != (len(srcExt) > 0) {
					t.Fatalf("%d external tensors in the %s save", len(srcExt), lc.name)
				}

				in, err := ort.RandomInputs(src, 42)
				if err != nil {
					t.Fatal(err)
				}
				want, err := ort.Run(src, in)
				if err != nil {
					t.Fatalf("ONNX Runtime refuses the model we wrote: %v", err)
				}
				if mc.check != nil {
					mc.check(t, in, want)
				}
				if inlineOut == nil {
					inlineOut = want
				} else {
					compareORTOutputs(t, "inline layout", inlineOut, want)
				}

				// The "copy" round trip: Open+Save, and the copy command.
				lib := filepath.Join(dir, "lib", "model.onnx")
				mkdirT(t, filepath.Dir(lib))
				m, err := onnxgraph.Open(src, nil)
				if err != nil {
					t.Fatal(err)
				}
				err = m.Save(lib)
				m.Close()
				if err != nil {
					t.Fatal(err)
				}
				cli := filepath.Join(dir, "cli", "model.onnx")
				mkdirT(t, filepath.Dir(cli))
				var stdout, stderr bytes.Buffer
				if code := run([]string{"copy", src, cli}, &stdout, &stderr); code != 0 {
					t.Fatalf("onnxgraph copy: exit %d: %s", code, stderr.String())
				}

				for _, c := range []struct{ name, path string }{{"Open+Save", lib}, {"onnxgraph copy", cli}} {
					got, err := ort.Run(c.path, in)
					if err != nil {
						t.Fatalf("%s: ONNX Runtime refuses the copy: %v", c.name, err)
					}
					compareORTOutputs(t, c.name, want, got)
					gotExt := externalTensors(t, c.path)
					for name, ref := range srcExt {
						if gotExt[name] != ref {
							t.Errorf("%s: external tensor %s: got %+v, want %+v", c.name, name, gotExt[name], ref)
						}
					}
					if len(gotExt) != len(srcExt) {
						t.Errorf("%s: %d external tensors, want %d", c.name, len(gotExt), len(srcExt))
					}
				}
			})
		}
	}
}

func mkdirT(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
}

// extTensorInfo is where an external tensor lives and the sha256 of its bytes.
type extTensorInfo struct {
	onnxgraph.ExternalRef
	sum [sha256.Size]byte
}

// externalTensors returns the external initializers of the model at path.
func externalTensors(t *testing.T, path string) map[string]extTensorInfo {
	t.Helper()
	m, err := onnxgraph.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	out := map[string]extTensorInfo{}
	for _, v := range m.Graph().Initializers() {
		tn := v.Initializer()
		if !tn.IsExternal() {
			continue
		}
		ref, err := tn.External()
		if err != nil {
			t.Fatal(err)
		}
		b, err := tn.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		out[tn.Name()] = extTensorInfo{ref, sha256.Sum256(b)}
	}
	return out
}

// compareORTOutputs checks that got holds the same outputs as want, bit for
// bit.
func compareORTOutputs(t *testing.T, what string, want, got map[string]*ort.Tensor) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d outputs, want %d", what, len(got), len(want))
	}
	for name, w := range want {
		g := got[name]
		switch {
		case g == nil:
			t.Errorf("%s: no output %q", what, name)
		case g.DType != w.DType || !slices.Equal(g.Shape, w.Shape):
			t.Errorf("%s: output %q is %v %v, want %v %v", what, name, g.DType, g.Shape, w.DType, w.Shape)
		case !bytes.Equal(g.Data, w.Data):
			t.Errorf("%s: output %q differs (sha256 %x, want %x)", what, name, sha256.Sum256(g.Data), sha256.Sum256(w.Data))
		}
	}
}

// Sizes of the MLP: x [1, mlpIn] -> MatMul w1 [mlpIn, mlpHidden] -> Add b1
// -> Relu -> MatMul w2 [mlpHidden, mlpIn] -> y [1, mlpIn]. The weights take
// 2 MiB.
const (
	mlpIn     = 256
	mlpHidden = 1024
)

// mlpWeights are the MLP's parameters as built, row-major.
type mlpWeights struct {
	w1, b1, w2 []float32
}

// buildMLP builds the MLP with seeded random weights.
func buildMLP() (*onnxgraph.Model, *mlpWeights) {
	r := rand.New(rand.NewPCG(256, 1024))
	w := &mlpWeights{
		w1: normalFloats(r, mlpIn*mlpHidden, 1/math.Sqrt(mlpIn)),
		b1: normalFloats(r, mlpHidden, 0.1),
		w2: normalFloats(r, mlpHidden*mlpIn, 1/math.Sqrt(mlpHidden)),
	}
	m := onnxgraph.NewModel(10, map[string]int64{"": 21})
	g := m.Graph()
	x := mustBuild(g.AddInput("x", onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(1, mlpIn))))
	w1 := mustBuild(g.AddInitializer(mustBuild(onnxgraph.NewTensor("w1", onnxgraph.Float, []int64{mlpIn, mlpHidden}, float32Bytes(w.w1)))))
	b1 := mustBuild(g.AddInitializer(mustBuild(onnxgraph.NewTensor("b1", onnxgraph.Float, []int64{mlpHidden}, float32Bytes(w.b1)))))
	w2 := mustBuild(g.AddInitializer(mustBuild(onnxgraph.NewTensor("w2", onnxgraph.Float, []int64{mlpHidden, mlpIn}, float32Bytes(w.w2)))))
	h := mustBuild(g.AddNode("MatMul", []*onnxgraph.Value{x, w1}, []string{"h"})).Output(0)
	h = mustBuild(g.AddNode("Add", []*onnxgraph.Value{h, b1}, []string{"h_bias"})).Output(0)
	h = mustBuild(g.AddNode("Relu", []*onnxgraph.Value{h}, []string{"h_relu"})).Output(0)
	y := mustBuild(g.AddNode("MatMul", []*onnxgraph.Value{h, w2}, []string{"y"})).Output(0)
	if err := g.AddOutput(y, onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(1, mlpIn))); err != nil {
		panic(err)
	}
	return m, w
}

// check compares ONNX Runtime's output with the MLP computed in float64 on
// the weights as built. Each output may be off by 1e-4 relative, plus 1e-6
// of the sum of the magnitudes of the terms that make it up (the scale of a
// float32 dot product's rounding error, which matters where terms cancel).
func (w *mlpWeights) check(t *testing.T, in, out map[string]*ort.Tensor) {
	t.Helper()
	x := float32sLE(in["x"].Data)
	y := out["y"]
	if y == nil || !slices.Equal(y.Shape, []int64{1, mlpIn}) {
		t.Fatalf("y = %+v, want float [1 %d]", y, mlpIn)
	}
	got := float32sLE(y.Data)
	h := make([]float64, mlpHidden)
	for j := range h {
		s := float64(w.b1[j])
		for i := range mlpIn {
			s += x[i] * float64(w.w1[i*mlpHidden+j])
		}
		h[j] = max(s, 0)
	}
	bad := 0
	for k := range mlpIn {
		want, scale := 0.0, 0.0
		for j := range mlpHidden {
			p := h[j] * float64(w.w2[j*mlpIn+k])
			want += p
			scale += math.Abs(p)
		}
		if diff := math.Abs(got[k] - want); !(diff <= 1e-4*math.Abs(want)+1e-6*scale) {
			if bad++; bad <= 5 {
				t.Errorf("y[%d] = %g, want %g (difference %.3g, scale %.3g)", k, got[k], want, diff, scale)
			}
		}
	}
	if bad > 5 {
		t.Errorf("%d of %d outputs differ from the Go computation", bad, mlpIn)
	}
}

func normalFloats(r *rand.Rand, n int, scale float64) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(r.NormFloat64() * scale)
	}
	return out
}

func float32Bytes(fs []float32) []byte {
	b := make([]byte, 0, 4*len(fs))
	for _, f := range fs {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(f))
	}
	return b
}

// float32sLE decodes little-endian float32 data.
func float32sLE(b []byte) []float64 {
	out := make([]float64, len(b)/4)
	for i := range out {
		out[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:])))
	}
	return out
}

func mustBuild[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprint("building the test model: ", err))
	}
	return v
}
