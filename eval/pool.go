package eval

import (
	"math"
)

// Pooling: MaxPool (with Indices), AveragePool, LpPool and their global
// forms.

var poolTable = map[key]entry{
	{onnx, "MaxPool", 1}:            k(pool(plMax), tFloats, "auto_pad", "kernel_shape", "pads", "strides"),
	{onnx, "MaxPool", 8}:            k(pool(plMax), tFloats, "auto_pad", "kernel_shape", "pads", "storage_order", "strides"),
	{onnx, "MaxPool", 10}:           k(pool(plMax), tFloats, maxPoolAttrs...),
	{onnx, "MaxPool", 11}:           k(pool(plMax), tFloats, maxPoolAttrs...),
	{onnx, "MaxPool", 12}:           k(pool(plMax), cat(tFloats, []DataType{dtInt8, dtUint8}), maxPoolAttrs...),
	{onnx, "MaxPool", 22}:           k(pool(plMax), cat(tFloats, []DataType{dtInt8, dtUint8}), maxPoolAttrs...),
	{onnx, "AveragePool", 1}:        k(pool(plAvg), tFloats, "auto_pad", "kernel_shape", "pads", "strides"),
	{onnx, "AveragePool", 7}:        k(pool(plAvg), tFloats, "auto_pad", "count_include_pad", "kernel_shape", "pads", "strides"),
	{onnx, "AveragePool", 10}:       k(pool(plAvg), tFloats, "auto_pad", "ceil_mode", "count_include_pad", "kernel_shape", "pads", "strides"),
	{onnx, "AveragePool", 11}:       k(pool(plAvg), tFloats, "auto_pad", "ceil_mode", "count_include_pad", "kernel_shape", "pads", "strides"),
	{onnx, "AveragePool", 19}:       k(pool(plAvg), tFloats, avgPoolAttrs...),
	{onnx, "AveragePool", 22}:       k(pool(plAvg), tFloats, avgPoolAttrs...),
	{onnx, "LpPool", 2}:             k(pool(plLp), tFloats, "auto_pad", "kernel_shape", "p", "pads", "strides"),
	{onnx, "LpPool", 11}:            k(pool(plLp), tFloats, "auto_pad", "kernel_shape", "p", "pads", "strides"),
	{onnx, "LpPool", 18}:            k(pool(plLp), tFloats, "auto_pad", "ceil_mode", "dilations", "kernel_shape", "p", "pads", "strides"),
	{onnx, "LpPool", 22}:            k(pool(plLp), tFloats, "auto_pad", "ceil_mode", "dilations", "kernel_shape", "p", "pads", "strides"),
	{onnx, "GlobalMaxPool", 1}:      k(globalPool(plMax), tFloats),
	{onnx, "GlobalMaxPool", 22}:     k(globalPool(plMax), tFloats),
	{onnx, "GlobalAveragePool", 1}:  k(globalPool(plAvg), tFloats),
	{onnx, "GlobalAveragePool", 22}: k(globalPool(plAvg), tFloats),
	{onnx, "GlobalLpPool", 2}:       k(globalPool(plLp), tFloats, "p"),
	{onnx, "GlobalLpPool", 22}:      k(globalPool(plLp), tFloats, "p"),
}

var (
	maxPoolAttrs = []string{"auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides"}
	avgPoolAttrs = []string{"auto_pad", "ceil_mode", "count_include_pad", "dilations", "kernel_shape", "pads", "strides"}
)

type plop int

const (
	plMax plop = iota
	plAvg
	plLp
)

func pool(op plop) kernel {
	return func(c *ctx, in []*tensor) ([]*tensor, error) {
		x := in[0]
		if x.rank() < 3 {
			return nil, invalidf("input of rank %d", x.rank())
		}
		ceil := false
		if _, ok := c.schema.Attribute("ceil_mode"); ok {
			ceil = c.int("ceil_mode") != 0
		}
		includePad := false
		if _, ok := c.schema.Attribute("count_include_pad"); ok {
			includePad = c.int("count_include_pad") != 0
		}
		colMajor := false
		if _, ok := c.schema.Attribute("storage_order"); ok {
			colMajor = c.int("storage_order") != 0
		}
		p := 2.0
		if _, ok := c.schema.Attribute("p"); ok {
			p = float64(c.int("p"))
		}
		if c.err != nil {
			return nil, c.err
		}
		win, err := windowArgs(c, x.shape[2:], nil, ceil)
		if err != nil {
			return nil, err
		}
		if len(win.kernel) != x.rank()-2 {
			return nil, invalidf("kernel_shape of %d dims for rank %d", len(win.kernel), x.rank())
		}
		shape := append([]int{x.shape[0], x.shape[1]}, win.out...)
		if _, err := c.check(shape); err != nil {
			return nil, err
		}
		v, err := toFloat64s(x)
		if err != nil {
			return nil, err
		}
		out, idx := poolT(v, x.shape, win, op, includePad, colMajor, p)
		res, err := fromF64As(x.dt, shape, out)
		if err != nil {
			return nil, err
		}
		outs := []*tensor{res}
		if c.nout > 1 {
			if op != plMax {
				return nil, invalidf("%d outputs", c.nout)
			}
			outs = append(outs, withData(dtInt64, shape, idx))
		}
		return outs, nil
	}
}

// poolT pools every channel of every image; for max pooling it also
// returns the flat index of each maximum.
func poolT(v []float64, xs []int, win *window, op plop, includePad, colMajor bool, p float64) ([]float64, []int64) {
	planes := xs[0] * xs[1]
	inSize := numel(xs[2:])
	outSize := numel(win.out)
	inSt := stridesOf(xs[2:])
	var maps [][]int
	for _, kp := range kernelPositions(win.kernel) {
		maps = append(maps, separable(win.out, win.tables(kp, inSt), outSize))
	}
	divisor := poolDivisors(win, includePad)
	out := make([]float64, planes*outSize)
	var idx []int64
	if op == plMax {
		idx = make([]int64, planes*outSize)
	}
	for pl := range planes {
		src := v[pl*inSize:]
		for o := range outSize {
			acc := 0.0
			best := -1
			if op == plMax {
				acc = math.Inf(-1)
			}
			for _, mp := range maps {
				off := mp[o]
				if off < 0 {
					continue
				}
				e := src[off]
				switch op {
				case plMax:
					if e > acc || best < 0 {
						acc, best = e, off
					}
				case plAvg:
					acc += e
				case plLp:
					acc += math.Pow(math.Abs(e), p)
				}
			}
			switch op {
			case plAvg:
				acc /= float64(divisor[o])
			case plLp:
				acc = math.Pow(acc, 1/p)
			case plMax:
				if best >= 0 {
					idx[pl*outSize+o] = int64(pl*inSize + flatIndex(best, xs[2:], colMajor))
				}
			}
			out[pl*outSize+o] = acc
		}
	}
	return out, idx
}

// flatIndex converts a row-major spatial offset to column-major order when
// asked (MaxPool's storage_order).
func flatIndex(off int, spatial []int, colMajor bool) int {
	if !colMajor {
		return off
	}
	st := stridesOf(spatial)
	res, mul := 0, 1
	for d := range spatial {
		coord := (off / st[d]) % spatial[d]
		res += coord * mul
		mul *= spatial[d]
	}
	return res
}

// poolDivisors counts, for each output position, the window positions an
// average divides by: those inside the input, or inside the padded input
// when padding counts.
func poolDivisors(win *window, includePad bool) []int {
	tabs := make([][]int, len(win.in))
	for d := range win.in {
		t := make([]int, win.out[d])
		lo, hi := 0, win.in[d]
		if includePad {
			lo, hi = -win.padB[d], win.in[d]+win.padE[d]
		}
		for o := range t {
			for kk := range win.kernel[d] {
				x := o*win.stride[d] - win.padB[d] + kk*win.dil[d]
				if x >= lo && x < hi {
					t[o]++
				}
			}
		}
		tabs[d] = t
	}
	n := numel(win.out)
	out := make([]int, n)
	for i := range out {
		out[i] = 1
	}
	if len(tabs) == 0 {
		return out
	}
	// The product of per-dim counts, by an odometer over the output.
	idx := make([]int, len(tabs))
	for i := range out {
		for d, t := range tabs {
			out[i] *= t[idx[d]]
		}
		for d := len(idx) - 1; d >= 0; d-- {
			idx[d]++
			if idx[d] < win.out[d] {
				break
			}
			idx[d] = 0
		}
	}
	for i := range out {
		out[i] = max(out[i], 1)
	}
	return out
}

func globalPool(op plop) kernel {
	return func(c *ctx, in []*tensor) ([]*tensor, error) {
		x := in[0]
		p := 2.0
		if _, ok := c.schema.Attribute("p"); ok {
			p = float64(c.int("p"))
		}
		if c.err != nil {
			return nil, c.err
		}
		if x.rank() < 2 {
			return nil, invalidf("input of rank %d", x.rank())
		}
		v, _ := toFloat64s(x)
		planes := x.shape[0] * x.shape[1]
		n := numel(x.shape[2:])
		out := make([]float64, planes)
		for pl := range planes {
			s := v[pl*n : (pl+1)*n]
			acc := 0.0
			switch op {
			case plMax:
				acc = math.Inf(-1)
				for _, e := range s {
					acc = max(acc, e)
				}
			case plAvg:
				for _, e := range s {
					acc += e
				}
				acc /= float64(n)
			case plLp:
				for _, e := range s {
					acc += math.Pow(math.Abs(e), p)
				}
				acc = math.Pow(acc, 1/p)
			}
			out[pl] = acc
		}
		shape := []int{x.shape[0], x.shape[1]}
		for range x.shape[2:] {
			shape = append(shape, 1)
		}
		res, err := fromF64As(x.dt, shape, out)
		return []*tensor{res}, err
	}
}
