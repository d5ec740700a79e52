package eval_test

import (
	"math/rand"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/eval"
)

func TestLinalg(t *testing.T) {
	a := T(d(2, 3), float32(1), 2, 3, 4, 5, 6)
	b := T(d(3, 2), float32(1), 0, 0, 1, 1, 1)
	runCases(t, []opCase{
		{name: "matmul", op: "MatMul", in: []*onnxgraph.Tensor{a, b}, want: []*onnxgraph.Tensor{T(d(2, 2), float32(4), 5, 10, 11)}},
		{name: "matmul vector", op: "MatMul", in: []*onnxgraph.Tensor{T(d(3), 1.0, 2, 3), T(d(3), 4.0, 5, 6)}, want: []*onnxgraph.Tensor{T(d(), 32.0)}},
		{name: "matmul batch broadcast", op: "MatMul", in: []*onnxgraph.Tensor{T(d(2, 1, 2), int64(1), 2, 3, 4), T(d(2, 1), int64(1), 10)},
			want: []*onnxgraph.Tensor{T(d(2, 1, 1), int64(21), 43)}},
		{name: "matmul k=0", op: "MatMul", in: []*onnxgraph.Tensor{T[float32](d(2, 0)), T[float32](d(0, 2))}, want: []*onnxgraph.Tensor{T(d(2, 2), float32(0), 0, 0, 0)}},
		{name: "matmul mismatch", op: "MatMul", in: []*onnxgraph.Tensor{a, a}, err: eval.ErrInvalid},
		{name: "gemm", op: "Gemm", attrs: map[string]any{"transA": int64(1), "alpha": float32(2), "beta": float32(1)},
			in:   []*onnxgraph.Tensor{T(d(3, 2), float32(1), 4, 2, 5, 3, 6), b, T(d(2), float32(100), 200)},
			want: []*onnxgraph.Tensor{T(d(2, 2), float32(108), 210, 120, 222)}},
		{name: "gemm int", op: "Gemm", attrs: map[string]any{"transB": int64(1)}, in: []*onnxgraph.Tensor{T(d(1, 2), int32(1), 2), T(d(1, 2), int32(3), 4)},
			want: []*onnxgraph.Tensor{T(d(1, 1), int32(11))}},
		{name: "einsum matmul", op: "Einsum", attrs: map[string]any{"equation": "ij,jk->ik"}, in: []*onnxgraph.Tensor{a, b}, want: []*onnxgraph.Tensor{T(d(2, 2), float32(4), 5, 10, 11)}},
		{name: "einsum trace", op: "Einsum", attrs: map[string]any{"equation": "ii"}, in: []*onnxgraph.Tensor{T(d(2, 2), 1.0, 2, 3, 4)}, want: []*onnxgraph.Tensor{T(d(), 5.0)}},
		{name: "einsum transpose implicit", op: "Einsum", attrs: map[string]any{"equation": "ji"}, in: []*onnxgraph.Tensor{T(d(2, 2), 1.0, 2, 3, 4)},
			want: []*onnxgraph.Tensor{T(d(2, 2), 1.0, 3, 2, 4)}},
		{name: "einsum batch ellipsis", op: "Einsum", attrs: map[string]any{"equation": "...ij,...jk"}, in: []*onnxgraph.Tensor{T(d(1, 1, 2), int32(1), 2), T(d(2, 1), int32(3), 4)},
			want: []*onnxgraph.Tensor{T(d(1, 1, 1), int32(11))}},
		{name: "matmul integer", op: "MatMulInteger", in: []*onnxgraph.Tensor{T(d(1, 2), uint8(3), 4), T(d(2, 1), uint8(5), 6), T(d(), uint8(1))},
			want: []*onnxgraph.Tensor{T(d(1, 1), int32(2*5+3*6))}},
		{name: "det", op: "Det", in: []*onnxgraph.Tensor{T(d(2, 2, 2), 1.0, 2, 3, 4, 2, 0, 0, 2)}, want: []*onnxgraph.Tensor{T(d(2), -2.0, 4)}, approx: true},
	})
}

// naiveMatMul multiplies row-major matrices with three loops, in float64.
func naiveMatMul(m, n, k int, a, b []float32) []float32 {
	out := make([]float32, m*n)
	for i := range m {
		for j := range n {
			s := 0.0
			for p := range k {
				s += float64(a[i*k+p]) * float64(b[p*n+j])
			}
			out[i*n+j] = float32(s)
		}
	}
	return out
}

func randFloats(rng *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	return v
}

// TestMatMulAgainstLoops checks gonum's products against plain loops on
// random shapes, batched and broadcast.
func TestMatMulAgainstLoops(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for range 20 {
		m, n, k := 1+rng.Intn(9), 1+rng.Intn(9), 1+rng.Intn(9)
		batch := 1 + rng.Intn(3)
		a := randFloats(rng, batch*m*k)
		b := randFloats(rng, k*n)
		var want []float32
		for i := range batch {
			want = append(want, naiveMatMul(m, n, k, a[i*m*k:], b)...)
		}
		c := opCase{name: "random", op: "MatMul", in: []*onnxgraph.Tensor{T(d(int64(batch), int64(m), int64(k)), a...), T(d(int64(k), int64(n)), b...)},
			want: []*onnxgraph.Tensor{T(d(int64(batch), int64(m), int64(n)), want...)}, approx: true}
		runCases(t, []opCase{c})
	}
}
