package eval

import (
	"math"

	"github.com/onnxgraph/onnxgraph/opschema"
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
	{onnx, "LpPool", 1}:             k(pool(plLp), tFloats, "auto_pad", "kernel_shape", "p", "pads", "strides"),
	{onnx, "LpPool", 2}:             k(pool(plLp), tFloats, "auto_pad", "kernel_shape", "p", "pads", "strides"),
	{onnx, "LpPool", 11}:            k(pool(plLp), tFloats, "auto_pad", "kernel_shape", "p", "pads", "strides"),
	{onnx, "LpPool", 18}:            k(pool(plLp), tFloats, "auto_pad", "ceil_mode", "dilations", "kernel_shape", "p", "pads", "strides"),
	{onnx, "LpPool", 22}:            k(pool(plLp), tFloats, "auto_pad", "ceil_mode", "dilations", "kernel_shape", "p", "pads", "strides"),
	{onnx, "GlobalMaxPool", 1}:      k(globalPool(plMax), tFloats),
	{onnx, "GlobalMaxPool", 22}:     k(globalPool(plMax), tFloats),
	{onnx, "GlobalAveragePool", 1}:  k(globalPool(plAvg), tFloats),
	{onnx, "GlobalAveragePool", 22}: k(globalPool(plAvg), tFloats),
	{onnx, "GlobalLpPool", 1}:       k(globalPool(plLp), tFloats, "p"),
	{onnx, "GlobalLpPool", 2}:       k(globalPool(plLp), tFloats, "p"),
	{onnx, "GlobalLpPool", 22}:      k(globalPool(plLp), tFloats, "p"),
	{onnx, "MaxUnpool", 9}:          k(maxUnpool, tFloats, "kernel_shape", "pads", "strides"),
	{onnx, "MaxUnpool", 11}:         k(maxUnpool, tFloats, "kernel_shape", "pads", "strides"),
	{onnx, "MaxUnpool", 22}:         k(maxUnpool, tFloats, "kernel_shape", "pads", "strides"),
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
		p := poolP(c)
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

// poolP reads the exponent of LpPool: a float before opset 2, an int
// after.
func poolP(c *ctx) float64 {
	a, ok := c.schema.Attribute("p")
	switch {
	case !ok:
		return 2
	case a.Type == opschema.AttrFloat:
		return float64(c.float("p"))
	}
	return float64(c.int("p"))
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
		p := poolP(c)
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

// maxUnpool scatters X into zeros at the flat indices I (as MaxPool's
// Indices output gives them), in an output of output_shape or of the shape
// the pooling inverts.
func maxUnpool(c *ctx, in []*tensor) ([]*tensor, error) {
	x, ind := in[0], in[1]
	if x.rank() < 3 || !equalShapes(x.shape, ind.shape) {
		return nil, invalidf("X %s and I %s", shapeString(x.shape), shapeString(ind.shape))
	}
	ks, _ := c.ints("kernel_shape")
	if c.err != nil {
		return nil, c.err
	}
	nsp := x.rank() - 2
	if len(ks) != nsp {
		return nil, invalidf("kernel_shape %v for %d spatial dims", ks, nsp)
	}
	kernel := make([]int, nsp)
	for i, k := range ks {
		if k < 1 || k > 1<<20 {
			return nil, invalidf("kernel_shape %v", ks)
		}
		kernel[i] = int(k)
	}
	// The window of the pooling this inverts maps the output (its input)
	// to X (its output).
	win, err := transposeWindowOf(c, x.shape[2:], kernel)
	if err != nil {
		return nil, err
	}
	inferred := append([]int{x.shape[0], x.shape[1]}, win...)
	n, err := c.check(inferred)
	if err != nil {
		return nil, err
	}
	idx, err := toInt64s(ind)
	if err != nil {
		return nil, err
	}
	dst := make([]int, len(idx))
	for i, j := range idx {
		if j < 0 || j >= int64(n) {
			return nil, invalidf("index %d out of range for %d elements", j, n)
		}
		dst[i] = int(j)
	}
	out := makeData(x.dt, n)
	scatterInto(out, dst, x.data)
	y := withData(x.dt, inferred, out)
	if len(in) > 2 && in[2] != nil {
		// The indices address the inferred shape; a larger output_shape
		// extends it with zeros at the end of each dim.
		s, err := shapeInput(in[2], "output_shape")
		if err != nil {
			return nil, err
		}
		if len(s) != x.rank() {
			return nil, invalidf("output_shape %v for rank %d", s, x.rank())
		}
		pads := make([]int64, 2*len(s))
		for d := range s {
			if s[d] < inferred[d] {
				return nil, invalidf("output_shape %v smaller than %s", s, shapeString(inferred))
			}
			pads[len(s)+d] = int64(s[d] - inferred[d])
		}
		padded, err := padConstant(c, y, pads)
		if err != nil {
			return nil, err
		}
		y = padded
	}
	return []*tensor{y}, nil
}

// transposeWindowOf returns the spatial size a pooling of kernel, strides
// and pads maps to sizes in: (in-1)·stride + kernel - pads.
func transposeWindowOf(c *ctx, in, kernel []int) ([]int, error) {
	n := len(in)
	get := func(name string, def int) ([]int, error) {
		out := make([]int, n)
		for i := range out {
			out[i] = def
		}
		v, ok := c.ints(name)
		if !ok || len(v) == 0 {
			return out, nil
		}
		if len(v) != n && !(name == "pads" && len(v) == 2*n) {
			return nil, invalidf("%s %v for %d spatial dims", name, v, n)
		}
		out = make([]int, len(v))
		for i, x := range v {
			if x < 0 || x > 1<<20 || (x == 0 && name == "strides") {
				return nil, invalidf("%s %v", name, v)
			}
			out[i] = int(x)
		}
		return out, nil
	}
	strides, err := get("strides", 1)
	if err != nil {
		return nil, err
	}
	pads, err := get("pads", 0)
	if err != nil {
		return nil, err
	}
	if len(pads) == n {
		pads = append(pads, make([]int, n)...)
	}
	out := make([]int, n)
	for i := range out {
		out[i] = (in[i]-1)*strides[i] + kernel[i] - pads[i] - pads[n+i]
		if out[i] < 0 {
			return nil, invalidf("output size %d", out[i])
		}
	}
	return out, nil
}
