package eval

import (
	"math/rand"
	"testing"

	"github.com/onnxgraph/onnxgraph"
)

// Benchmarks of the products that run through gonum's BLAS, against plain
// Go loops over the same data (go test -bench . -benchmem ./eval).

func randData(n int, seed int64) []float32 {
	rng := rand.New(rand.NewSource(seed))
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	return v
}

// matmulIJK is the textbook triple loop: a dot product per output.
func matmulIJK(m, n, k int, a, b, c []float32) {
	for i := range m {
		for j := range n {
			var s float32
			for p := range k {
				s += a[i*k+p] * b[p*n+j]
			}
			c[i*n+j] = s
		}
	}
}

// matmulIKJ is the loop order that walks b and c row by row.
func matmulIKJ(m, n, k int, a, b, c []float32) {
	clear(c[:m*n])
	for i := range m {
		row := c[i*n : (i+1)*n]
		for p := range k {
			x := a[i*k+p]
			for j, y := range b[p*n : (p+1)*n] {
				row[j] += x * y
			}
		}
	}
}

func BenchmarkMatMul512(b *testing.B) {
	const n = 512
	x, y := randData(n*n, 1), randData(n*n, 2)
	out := make([]float32, n*n)
	b.Run("gonum", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			gemmF32(false, false, n, n, n, 1, x, y, 0, out)
		}
	})
	b.Run("naive-ijk", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			matmulIJK(n, n, n, x, y, out)
		}
	})
	b.Run("naive-ikj", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			matmulIKJ(n, n, n, x, y, out)
		}
	})
	// The whole node: decoding the inputs, the kernel, encoding the output.
	b.Run("EvalNode", func(b *testing.B) {
		m := onnxgraph.NewModel(8, map[string]int64{"": 13})
		g := m.Graph()
		ta, _ := onnxgraph.TensorFrom("a", []int64{n, n}, x)
		tb, _ := onnxgraph.TensorFrom("b", []int64{n, n}, y)
		va, _ := g.AddInput("a", onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(n, n)))
		vb, _ := g.AddInput("b", onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(n, n)))
		nd, _ := g.AddNode("MatMul", []*onnxgraph.Value{va, vb}, []string{"c"})
		b.ReportAllocs()
		for b.Loop() {
			if _, err := EvalNode(nd, []*onnxgraph.Tensor{ta, tb}, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// convDirect is a direct 3x3 convolution with padding 1 and stride 1, the
// loops of the definition.
func convDirect(c, h, w, m int, x, wt, out []float32) {
	clear(out)
	for oc := range m {
		for ic := range c {
			for ky := range 3 {
				for kx := range 3 {
					k := wt[((oc*c+ic)*3+ky)*3+kx]
					for oy := range h {
						iy := oy - 1 + ky
						if iy < 0 || iy >= h {
							continue
						}
						src := x[(ic*h+iy)*w:]
						dst := out[(oc*h+oy)*w:]
						for ox := range w {
							ix := ox - 1 + kx
							if ix >= 0 && ix < w {
								dst[ox] += k * src[ix]
							}
						}
					}
				}
			}
		}
	}
}

// BenchmarkConv is a ResNet-style 3x3 convolution: 1x64x56x56 input, 64
// output channels, pads 1.
func BenchmarkConv(b *testing.B) {
	const c, h, w, m = 64, 56, 56, 64
	x, wt := randData(c*h*w, 3), randData(m*c*9, 4)
	win := &window{in: []int{h, w}, kernel: []int{3, 3}, stride: []int{1, 1}, dil: []int{1, 1}, padB: []int{1, 1}, padE: []int{1, 1}, out: []int{h, w}}
	b.Run("gonum-im2col", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			convT(x, wt, nil, []int{1, c, h, w}, []int{m, c, 3, 3}, win, 1, gemmF32)
		}
	})
	out := make([]float32, m*h*w)
	b.Run("naive", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			convDirect(c, h, w, m, x, wt, out)
		}
	})
}

// TestConvBenchAgrees checks that the two convolutions the benchmark
// compares compute the same thing.
func TestConvBenchAgrees(t *testing.T) {
	const c, h, w, m = 3, 5, 6, 2
	x, wt := randData(c*h*w, 5), randData(m*c*9, 6)
	win := &window{in: []int{h, w}, kernel: []int{3, 3}, stride: []int{1, 1}, dil: []int{1, 1}, padB: []int{1, 1}, padE: []int{1, 1}, out: []int{h, w}}
	got := convT(x, wt, nil, []int{1, c, h, w}, []int{m, c, 3, 3}, win, 1, gemmF32)
	want := make([]float32, m*h*w)
	convDirect(c, h, w, m, x, wt, want)
	for i := range want {
		if d := got[i] - want[i]; d > 1e-4 || d < -1e-4 {
			t.Fatalf("element %d: %v, want %v", i, got[i], want[i])
		}
	}
	a, bb := randData(6*7, 7), randData(7*5, 8)
	g1, g2, g3 := make([]float32, 30), make([]float32, 30), make([]float32, 30)
	gemmF32(false, false, 6, 5, 7, 1, a, bb, 0, g1)
	matmulIJK(6, 5, 7, a, bb, g2)
	matmulIKJ(6, 5, 7, a, bb, g3)
	for i := range g1 {
		if d1, d2 := g1[i]-g2[i], g1[i]-g3[i]; d1 > 1e-4 || d1 < -1e-4 || d2 > 1e-4 || d2 < -1e-4 {
			t.Fatalf("element %d: %v %v %v", i, g1[i], g2[i], g3[i])
		}
	}
}
