package eval_test

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/eval"
)

// conv2d is the geometry of a 2-D convolution.
type conv2d struct {
	n, c, h, w, m, kh, kw, group int
	stride, dil                  [2]int
	pads                         [4]int // top, left, bottom, right
}

func (g conv2d) out() (int, int) {
	sh := g.h + g.pads[0] + g.pads[2] - g.dil[0]*(g.kh-1) - 1
	sw := g.w + g.pads[1] + g.pads[3] - g.dil[1]*(g.kw-1) - 1
	if sh < 0 || sw < 0 {
		return 0, 0
	}
	return sh/g.stride[0] + 1, sw/g.stride[1] + 1
}

// naiveConv2d is the definition of Conv, in loops, in float64.
func naiveConv2d(g conv2d, x, w, b []float32) []float32 {
	oh, ow := g.out()
	cg, mg := g.c/g.group, g.m/g.group
	out := make([]float32, g.n*g.m*oh*ow)
	for n := range g.n {
		for m := range g.m {
			grp := m / mg
			for oy := range oh {
				for ox := range ow {
					s := 0.0
					if b != nil {
						s = float64(b[m])
					}
					for c := range cg {
						for ky := range g.kh {
							for kx := range g.kw {
								iy := oy*g.stride[0] - g.pads[0] + ky*g.dil[0]
								ix := ox*g.stride[1] - g.pads[1] + kx*g.dil[1]
								if iy < 0 || iy >= g.h || ix < 0 || ix >= g.w {
									continue
								}
								xv := x[((n*g.c+grp*cg+c)*g.h+iy)*g.w+ix]
								wv := w[((m*cg+c)*g.kh+ky)*g.kw+kx]
								s += float64(xv) * float64(wv)
							}
						}
					}
					out[((n*g.m+m)*oh+oy)*ow+ox] = float32(s)
				}
			}
		}
	}
	return out
}

func convAttrs(g conv2d) map[string]any {
	return map[string]any{
		"group":     int64(g.group),
		"strides":   []int64{int64(g.stride[0]), int64(g.stride[1])},
		"dilations": []int64{int64(g.dil[0]), int64(g.dil[1])},
		"pads":      []int64{int64(g.pads[0]), int64(g.pads[1]), int64(g.pads[2]), int64(g.pads[3])},
	}
}

// TestConvAgainstLoops checks the im2col and gonum path against the
// definition on random geometries: groups, strides, dilations, pads.
func TestConvAgainstLoops(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	for i := range 30 {
		g := conv2d{n: 1 + rng.Intn(2), group: 1 + rng.Intn(2), kh: 1 + rng.Intn(3), kw: 1 + rng.Intn(3),
			h: 3 + rng.Intn(5), w: 3 + rng.Intn(5)}
		g.c = g.group * (1 + rng.Intn(3))
		g.m = g.group * (1 + rng.Intn(3))
		g.stride = [2]int{1 + rng.Intn(2), 1 + rng.Intn(2)}
		g.dil = [2]int{1 + rng.Intn(2), 1 + rng.Intn(2)}
		g.pads = [4]int{rng.Intn(2), rng.Intn(3), rng.Intn(2), rng.Intn(2)}
		if oh, ow := g.out(); oh < 1 || ow < 1 {
			continue
		}
		x := randFloats(rng, g.n*g.c*g.h*g.w)
		w := randFloats(rng, g.m*(g.c/g.group)*g.kh*g.kw)
		b := randFloats(rng, g.m)
		oh, ow := g.out()
		c := opCase{name: fmt.Sprintf("conv %d %+v", i, g), op: "Conv", attrs: convAttrs(g),
			in: []*onnxgraph.Tensor{
				T(d(int64(g.n), int64(g.c), int64(g.h), int64(g.w)), x...),
				T(d(int64(g.m), int64(g.c/g.group), int64(g.kh), int64(g.kw)), w...),
				T(d(int64(g.m)), b...)},
			want:   []*onnxgraph.Tensor{T(d(int64(g.n), int64(g.m), int64(oh), int64(ow)), naiveConv2d(g, x, w, b)...)},
			approx: true}
		runCases(t, []opCase{c})
	}
}

// naiveConvTranspose2d scatters every input element through the kernel.
func naiveConvTranspose2d(g conv2d, oh, ow int, x, w []float32) []float32 {
	cg, mg := g.c/g.group, g.m/g.group
	out := make([]float32, g.n*g.m*oh*ow)
	acc := make([]float64, len(out))
	for n := range g.n {
		for c := range g.c {
			grp := c / cg
			for iy := range g.h {
				for ix := range g.w {
					xv := float64(x[((n*g.c+c)*g.h+iy)*g.w+ix])
					for oc := range mg {
						for ky := range g.kh {
							for kx := range g.kw {
								y := iy*g.stride[0] - g.pads[0] + ky*g.dil[0]
								z := ix*g.stride[1] - g.pads[1] + kx*g.dil[1]
								if y < 0 || y >= oh || z < 0 || z >= ow {
									continue
								}
								wv := float64(w[((c*mg+oc)*g.kh+ky)*g.kw+kx])
								acc[((n*g.m+grp*mg+oc)*oh+y)*ow+z] += xv * wv
							}
						}
					}
				}
			}
		}
	}
	for i, v := range acc {
		out[i] = float32(v)
	}
	return out
}

func TestConvTransposeAgainstLoops(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	for i := range 20 {
		g := conv2d{n: 1 + rng.Intn(2), group: 1 + rng.Intn(2), kh: 1 + rng.Intn(3), kw: 1 + rng.Intn(3), h: 2 + rng.Intn(4), w: 2 + rng.Intn(4)}
		g.c = g.group * (1 + rng.Intn(2))
		g.m = g.group * (1 + rng.Intn(2))
		g.stride = [2]int{1 + rng.Intn(3), 1 + rng.Intn(2)}
		g.dil = [2]int{1 + rng.Intn(2), 1}
		g.pads = [4]int{rng.Intn(2), rng.Intn(2), rng.Intn(2), rng.Intn(2)}
		oh := g.stride[0]*(g.h-1) + g.dil[0]*(g.kh-1) + 1 - g.pads[0] - g.pads[2]
		ow := g.stride[1]*(g.w-1) + g.dil[1]*(g.kw-1) + 1 - g.pads[1] - g.pads[3]
		if oh < 1 || ow < 1 {
			continue
		}
		x := randFloats(rng, g.n*g.c*g.h*g.w)
		w := randFloats(rng, g.c*(g.m/g.group)*g.kh*g.kw)
		c := opCase{name: fmt.Sprintf("convtranspose %d %+v", i, g), op: "ConvTranspose", attrs: convAttrs(g),
			in: []*onnxgraph.Tensor{
				T(d(int64(g.n), int64(g.c), int64(g.h), int64(g.w)), x...),
				T(d(int64(g.c), int64(g.m/g.group), int64(g.kh), int64(g.kw)), w...)},
			want:   []*onnxgraph.Tensor{T(d(int64(g.n), int64(g.m), int64(oh), int64(ow)), naiveConvTranspose2d(g, oh, ow, x, w)...)},
			approx: true}
		runCases(t, []opCase{c})
	}
}

func TestConv(t *testing.T) {
	x := T(d(1, 1, 3, 3), float32(1), 2, 3, 4, 5, 6, 7, 8, 9)
	ones := T(d(1, 1, 2, 2), float32(1), 1, 1, 1)
	runCases(t, []opCase{
		{name: "valid", op: "Conv", in: []*onnxgraph.Tensor{x, ones}, want: []*onnxgraph.Tensor{T(d(1, 1, 2, 2), float32(12), 16, 24, 28)}},
		{name: "same upper", op: "Conv", attrs: map[string]any{"auto_pad": "SAME_UPPER"}, in: []*onnxgraph.Tensor{x, ones},
			want: []*onnxgraph.Tensor{T(d(1, 1, 3, 3), float32(12), 16, 9, 24, 28, 15, 15, 17, 9)}},
		{name: "same lower", op: "Conv", attrs: map[string]any{"auto_pad": "SAME_LOWER"}, in: []*onnxgraph.Tensor{x, ones},
			want: []*onnxgraph.Tensor{T(d(1, 1, 3, 3), float32(1), 3, 5, 5, 12, 16, 11, 24, 28)}},
		{name: "1-D", op: "Conv", in: []*onnxgraph.Tensor{T(d(1, 1, 3), 1.0, 2, 3), T(d(1, 1, 2), 1.0, -1)}, want: []*onnxgraph.Tensor{T(d(1, 1, 2), -1.0, -1)}},
		{name: "channels mismatch", op: "Conv", in: []*onnxgraph.Tensor{x, T[float32](d(1, 2, 1, 1))}, err: eval.ErrInvalid},
		{name: "kernel too large", op: "Conv", in: []*onnxgraph.Tensor{x, T[float32](d(1, 1, 4, 4))}, err: eval.ErrInvalid},
		{name: "conv integer", op: "ConvInteger", in: []*onnxgraph.Tensor{T(d(1, 1, 2), uint8(3), 5), T(d(1, 1, 1), uint8(2)), T(d(), uint8(1))},
			want: []*onnxgraph.Tensor{T(d(1, 1, 2), int32(4), 8)}},
		{name: "transpose output shape", op: "ConvTranspose", attrs: map[string]any{"output_shape": []int64{4}},
			in: []*onnxgraph.Tensor{T(d(1, 1, 2), float32(1), 2), T(d(1, 1, 2), float32(1), 1)}, want: []*onnxgraph.Tensor{T(d(1, 1, 4), float32(1), 3, 2, 0)}},
	})
}

func TestPool(t *testing.T) {
	x := T(d(1, 1, 3, 3), float32(1), 2, 3, 4, 5, 6, 7, 8, 9)
	k2 := map[string]any{"kernel_shape": []int64{2, 2}}
	runCases(t, []opCase{
		{name: "max", op: "MaxPool", in: []*onnxgraph.Tensor{x}, attrs: k2, nout: 2,
			want: []*onnxgraph.Tensor{T(d(1, 1, 2, 2), float32(5), 6, 8, 9), T(d(1, 1, 2, 2), int64(4), 5, 7, 8)}},
		{name: "max column-major indices", op: "MaxPool", in: []*onnxgraph.Tensor{x}, attrs: map[string]any{"kernel_shape": []int64{2, 2}, "storage_order": int64(1)}, nout: 2,
			want: []*onnxgraph.Tensor{nil, T(d(1, 1, 2, 2), int64(4), 7, 5, 8)}},
		{name: "max ceil", op: "MaxPool", in: []*onnxgraph.Tensor{x}, attrs: map[string]any{"kernel_shape": []int64{2, 2}, "strides": []int64{2, 2}, "ceil_mode": int64(1)},
			want: []*onnxgraph.Tensor{T(d(1, 1, 2, 2), float32(5), 6, 8, 9)}},
		{name: "average pads excluded", op: "AveragePool", in: []*onnxgraph.Tensor{x}, attrs: map[string]any{"kernel_shape": []int64{2, 2}, "pads": []int64{1, 1, 0, 0}},
			want: []*onnxgraph.Tensor{T(d(1, 1, 3, 3), float32(1), 1.5, 2.5, 2.5, 3, 4, 5.5, 6, 7)}},
		{name: "average pads included", op: "AveragePool", in: []*onnxgraph.Tensor{x},
			attrs: map[string]any{"kernel_shape": []int64{2, 2}, "pads": []int64{1, 1, 0, 0}, "count_include_pad": int64(1)},
			want:  []*onnxgraph.Tensor{T(d(1, 1, 3, 3), float32(0.25), 0.75, 1.25, 1.25, 3, 4, 2.75, 6, 7)}},
		{name: "lp", op: "LpPool", in: []*onnxgraph.Tensor{T(d(1, 1, 2), 3.0, 4)}, attrs: map[string]any{"kernel_shape": []int64{2}}, want: []*onnxgraph.Tensor{T(d(1, 1, 1), 5.0)}},
		{name: "global average", op: "GlobalAveragePool", in: []*onnxgraph.Tensor{x}, want: []*onnxgraph.Tensor{T(d(1, 1, 1, 1), float32(5))}},
		{name: "global max", op: "GlobalMaxPool", in: []*onnxgraph.Tensor{x}, want: []*onnxgraph.Tensor{T(d(1, 1, 1, 1), float32(9))}},
		{name: "no kernel_shape", op: "MaxPool", in: []*onnxgraph.Tensor{x}, err: eval.ErrInvalid},
	})
}
