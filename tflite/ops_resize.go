package tflite

import (
	"fmt"
	"math"

	"github.com/onnxgraph/onnxgraph"
)

// Resize and Upsample, nearest, linear and cubic, every coordinate
// transformation mode but tf_crop_and_resize. The exporter computes the
// source index (or coordinate) of every output row and column as ONNX
// defines them, and uses RESIZE_NEAREST_NEIGHBOR or RESIZE_BILINEAR when
// one of their settings (align_corners, half_pixel_centers) gives exactly
// the same map; otherwise (and for cubic) it gathers the rows and columns
// with constant indices and blends them with constant weights, which is
// exact for every mode.

var resizeTable = family(func(t map[key]convFunc) {
	versions(t, "Resize", convResize, 10, 11, 13, 18, 19)
	versions(t, "Upsample", convResize, 7, 9, 10)
})

// resizeAxis is the ONNX map of one axis.
type resizeAxis struct {
	in, out int64
	idx     []int64      // nearest: source index per output index
	lo, hi  []int64      // linear: the two source indices
	frac    []float32    // linear: weight of hi
	taps    [4][]int64   // cubic: the four source indices
	tw      [4][]float32 // cubic: their weights
}

// addCubic appends the taps of one output index at source coordinate x,
// as ONNX Runtime computes cubic interpolation: Keys' kernel with
// coefficient a on floor(x)-1 .. floor(x)+2, indices clamped to the edge,
// or (exclude_outside) taps outside dropped and the weights renormalized.
func (r *resizeAxis) addCubic(x float32, a float64, exclude bool) {
	base := math.Floor(float64(x))
	s := float64(x) - base
	w := [4]float64{
		((a*(s+1)-5*a)*(s+1)+8*a)*(s+1) - 4*a,
		((a+2)*s-(a+3))*s*s + 1,
		((a+2)*(1-s)-(a+3))*(1-s)*(1-s) + 1,
		((a*(2-s)-5*a)*(2-s)+8*a)*(2-s) - 4*a,
	}
	sum := 0.0
	for k := range w {
		i := int64(base) + int64(k) - 1
		if exclude && (i < 0 || i >= r.in) {
			w[k] = 0
		}
		sum += w[k]
	}
	for k := range w {
		i := max(0, min(int64(base)+int64(k)-1, r.in-1))
		if exclude && sum != 0 {
			w[k] /= sum
		}
		r.taps[k] = append(r.taps[k], i)
		r.tw[k] = append(r.tw[k], float32(w[k]))
	}
}

func (r *resizeAxis) identity() bool {
	if r.in != r.out {
		return false
	}
	for i := int64(0); i < r.out; i++ {
		switch {
		case r.idx != nil:
			if r.idx[i] != i {
				return false
			}
		case r.taps[0] != nil:
			for k := range r.taps {
				if r.tw[k][i] != 0 && (r.taps[k][i] != i || r.tw[k][i] != 1) {
					return false
				}
			}
		default:
			if r.lo[i] != i || r.frac[i] != 0 && r.hi[i] != i {
				return false
			}
		}
	}
	return true
}

func convResize(c *converter, n *onnxgraph.Node) error {
	x, out := n.Input(0), n.Output(0)
	xs, os := c.shape(x), c.shape(out)
	r := len(xs)
	since := c.since(n)
	upsample := n.OpType() == "Upsample"
	mode := attrString(n, "mode", "nearest")
	if mode == "bilinear" {
		mode = "linear"
	}
	if mode != "nearest" && mode != "linear" && mode != "cubic" {
		return refuse("resize mode %q is not supported", mode)
	}
	if attrInt(n, "antialias", 0) != 0 {
		return refuse("antialiased resize has no TensorFlow Lite form")
	}
	ctm, nearest := "asymmetric", "simple"
	if !upsample && since >= 11 {
		ctm = attrString(n, "coordinate_transformation_mode", "half_pixel")
		nearest = attrString(n, "nearest_mode", "round_prefer_floor")
	}
	if ctm == "tf_crop_and_resize" {
		return refuse("coordinate_transformation_mode tf_crop_and_resize is not supported")
	}
	scales, err := c.resizeScales(n, xs, os, upsample, since)
	if err != nil {
		return err
	}
	axes := make([]*resizeAxis, r)
	for a := range axes {
		ra := &resizeAxis{in: xs[a], out: os[a]}
		for o := int64(0); o < os[a]; o++ {
			xo := sourceCoord(ctm, float32(o), scales[a], xs[a], os[a])
			if mode == "nearest" {
				ra.idx = append(ra.idx, nearestIndex(nearest, xo, scales[a] < 1, xs[a]))
				continue
			}
			if mode == "cubic" {
				ra.addCubic(xo, float64(attrFloat(n, "cubic_coeff_a", -0.75)), attrInt(n, "exclude_outside", 0) != 0)
				continue
			}
			xo = max(0, min(xo, float32(xs[a]-1)))
			lo := int64(math.Floor(float64(xo)))
			hi := min(lo+1, xs[a]-1)
			ra.lo, ra.hi, ra.frac = append(ra.lo, lo), append(ra.hi, hi), append(ra.frac, xo-float32(lo))
		}
		axes[a] = ra
	}
	name := out.Name()
	if r == 4 && mode != "cubic" && axes[0].identity() && axes[1].identity() {
		if op, opts, ok := tfResize(mode, axes[2], axes[3]); ok {
			xt := c.tensor(x, channelsLast(4))
			size := c.int32Const(name+"/size", []int32{int32(os[2]), int32(os[3])})
			c.emit(op, []int32{xt, size}, []int32{c.output(out, channelsLast(4))}, opts...)
			return nil
		}
	}
	// Exact form: per resized axis, constant gathers (and blend weights).
	p := c.layout(x)
	cur := c.tensor(x, p)
	curShape := permute(xs, p)
	tt := c.out.tensors[cur].typ
	var todo []int
	for i, a := range p {
		if !axes[a].identity() {
			todo = append(todo, i)
		}
	}
	if len(todo) == 0 {
		c.alias(x, out)
		return nil
	}
	if mode != "nearest" && tt != ttFloat32 {
		return refuse("%s resize of %s", mode, tt)
	}
	for k, i := range todo {
		ra := axes[p[i]]
		curShape[i] = ra.out
		last := k == len(todo)-1
		next := func(s string) int32 {
			return c.newTensor(fmt.Sprintf("%s/%s%d", name, s, i), tt, append([]int64{}, curShape...))
		}
		var dst int32
		if last {
			dst = c.output(out, p)
		} else {
			dst = next("resized")
		}
		gather := func(idx []int64, to int32, s string) {
			c.emit(opGather, []int32{cur, c.intConst(fmt.Sprintf("%s/%s%d", name, s, i), ttInt32, []int64{int64(len(idx))}, idx)}, []int32{to}, oI32(0, int64(i)), oI32(1, 0))
		}
		if mode == "nearest" {
			gather(ra.idx, dst, "index")
			cur = dst
			continue
		}
		ws := make([]int64, len(curShape))
		for j := range ws {
			ws[j] = 1
		}
		ws[i] = ra.out
		if mode == "cubic" {
			// Four taps, each weighted by a constant per output index.
			var sum int32 = -1
			for k := range ra.taps {
				g := next(fmt.Sprintf("tap%d_", k))
				gather(ra.taps[k], g, fmt.Sprintf("tap%d_index", k))
				m := next(fmt.Sprintf("tap%d_weighted", k))
				c.emit(opMul, []int32{g, c.floatConst(fmt.Sprintf("%s/tap%d_weight%d", name, k, i), ws, ra.tw[k])}, []int32{m}, oU8(0, actNone))
				if sum < 0 {
					sum = m
					continue
				}
				to := dst
				if k < len(ra.taps)-1 {
					to = next(fmt.Sprintf("tap%d_sum", k))
				}
				c.emit(opAdd, []int32{sum, m}, []int32{to}, oU8(0, actNone))
				sum = to
			}
			cur = dst
			continue
		}
		lo, hi := next("lo"), next("hi")
		gather(ra.lo, lo, "lo_index")
		gather(ra.hi, hi, "hi_index")
		diff := next("diff")
		c.emit(opSub, []int32{hi, lo}, []int32{diff}, oU8(0, actNone))
		wt := c.floatConst(fmt.Sprintf("%s/weight%d", name, i), ws, ra.frac)
		prod := next("blend")
		c.emit(opMul, []int32{diff, wt}, []int32{prod}, oU8(0, actNone))
		c.emit(opAdd, []int32{lo, prod}, []int32{dst}, oU8(0, actNone))
		cur = dst
	}
	return nil
}

// resizeScales returns the scale of each axis as ONNX Runtime uses it
// (float32): the scales given, or output over input size.
func (c *converter) resizeScales(n *onnxgraph.Node, xs, os []int64, upsample bool, since int) ([]float32, error) {
	r := len(xs)
	var given []float64
	switch {
	case upsample && since < 9:
		for _, f := range attrFloats(n, "scales") {
			given = append(given, float64(f))
		}
	case upsample || since == 10:
		cv := c.konst(n.Input(1))
		if cv == nil {
			return nil, refuse("scales %q must be a constant", n.Input(1).Name())
		}
		given = cv.float64s()
	default:
		if v := in(n, 2); v != nil {
			cv := c.konst(v)
			if cv == nil {
				return nil, refuse("scales %q must be a constant", v.Name())
			}
			given = cv.float64s()
		}
	}
	axes := identity(r)
	if ax := attrInts(n, "axes", nil); ax != nil {
		axes = axes[:0]
		for _, a := range ax {
			na, err := normAxis(a, r)
			if err != nil {
				return nil, err
			}
			axes = append(axes, na)
		}
	}
	scales := make([]float32, r)
	for a := range scales {
		scales[a] = 1
	}
	if len(given) > 0 {
		if len(given) != len(axes) {
			return nil, refuse("%d scales for %d axes", len(given), len(axes))
		}
		for k, a := range axes {
			scales[a] = float32(given[k])
		}
		return scales, nil
	}
	policy := attrString(n, "keep_aspect_ratio_policy", "stretch")
	var sizes []int64
	if v := in(n, 3); v != nil {
		var err error
		if sizes, err = c.constInts(v, "sizes"); err != nil {
			return nil, err
		}
	}
	if len(sizes) != len(axes) {
		for _, a := range axes {
			scales[a] = float32(os[a]) / float32(xs[a])
		}
		return scales, nil
	}
	if policy == "stretch" {
		for k, a := range axes {
			scales[a] = float32(sizes[k]) / float32(xs[a])
		}
		return scales, nil
	}
	s := float32(-1)
	for k, a := range axes {
		f := float32(sizes[k]) / float32(xs[a])
		if s < 0 || policy == "not_larger" && f < s || policy == "not_smaller" && f > s {
			s = f
		}
	}
	for _, a := range axes {
		scales[a] = s
	}
	return scales, nil
}

func attrFloats(n *onnxgraph.Node, name string) []float32 {
	if a := n.Attr(name); a != nil {
		return a.GetFloats()
	}
	return nil
}

// sourceCoord maps an output coordinate to the input, per ONNX's
// coordinate_transformation_mode, in float32 as ONNX Runtime computes it.
func sourceCoord(mode string, x, s float32, in, out int64) float32 {
	switch mode {
	case "half_pixel":
		return (x+0.5)/s - 0.5
	case "pytorch_half_pixel":
		if out > 1 {
			return (x+0.5)/s - 0.5
		}
		return 0
	case "align_corners":
		if out == 1 {
			return 0
		}
		return x * float32(in-1) / float32(out-1)
	case "tf_half_pixel_for_nn":
		return (x + 0.5) / s
	case "half_pixel_symmetric":
		outF := s * float32(in)
		adj := float32(out) / outF
		center := float32(in) / 2
		offset := center * (1 - adj)
		return offset + (x+0.5)/s - 0.5
	}
	return x / s // asymmetric
}

// nearestIndex rounds a source coordinate per nearest_mode and clamps it.
func nearestIndex(mode string, x float32, down bool, in int64) int64 {
	var i int64
	switch mode {
	case "round_prefer_ceil":
		i = int64(math.Floor(float64(x) + 0.5))
	case "floor":
		i = int64(math.Floor(float64(x)))
	case "ceil":
		i = int64(math.Ceil(float64(x)))
	case "simple":
		if down {
			i = int64(math.Ceil(float64(x)))
		} else {
			i = int64(x)
		}
	default: // round_prefer_floor
		if x == float32(math.Floor(float64(x)))+0.5 {
			i = int64(math.Floor(float64(x)))
		} else {
			i = int64(math.Round(float64(x)))
		}
	}
	return max(0, min(i, in-1))
}

// tfResize picks RESIZE_NEAREST_NEIGHBOR or RESIZE_BILINEAR settings that
// reproduce the ONNX maps of H and W exactly, if any.
func tfResize(mode string, h, w *resizeAxis) (builtin, []optField, bool) {
	for _, set := range [][2]bool{{false, false}, {false, true}, {true, false}} {
		align, half := set[0], set[1]
		if tfMatches(mode, h, align, half) && tfMatches(mode, w, align, half) {
			if mode == "nearest" {
				return opResizeNearest, []optField{oBool(0, align), oBool(1, half)}, true
			}
			return opResizeBilinear, []optField{oBool(2, align), oBool(3, half)}, true
		}
	}
	return builtin{}, nil, false
}

// tfMatches reports whether TensorFlow Lite's resize kernels, with the
// given settings, compute the same source indices (and weights) as ra.
func tfMatches(mode string, ra *resizeAxis, align, half bool) bool {
	scale := float32(ra.in) / float32(ra.out)
	if align && ra.out > 1 {
		scale = float32(ra.in-1) / float32(ra.out-1)
	}
	offset := float32(0)
	if half {
		offset = 0.5
	}
	for o := int64(0); o < ra.out; o++ {
		if mode == "nearest" {
			v := (float32(o) + offset) * scale
			var i int64
			if align {
				i = int64(math.Round(float64(v)))
			} else {
				i = int64(math.Floor(float64(v)))
			}
			i = min(i, ra.in-1)
			if half {
				i = max(0, i)
			}
			if i != ra.idx[o] {
				return false
			}
			continue
		}
		v := float32(o) * scale
		if half {
			v = (float32(o)+0.5)*scale - 0.5
		}
		fl := float32(math.Floor(float64(v)))
		lo := max(int64(fl), 0)
		hi := min(int64(math.Ceil(float64(v))), ra.in-1)
		if !sameBlend(lo, hi, v-fl, ra.lo[o], ra.hi[o], ra.frac[o]) {
			return false
		}
	}
	return true
}

// sameBlend reports whether a[lo]*(1-f) + a[hi]*f is the same weighting
// of the source as with (lo2, hi2, f2), for any source a.
func sameBlend(lo, hi int64, f float32, lo2, hi2 int64, f2 float32) bool {
	w := map[int64]float64{}
	w[lo] += float64(1 - f)
	w[hi] += float64(f)
	w[lo2] -= float64(1 - f2)
	w[hi2] -= float64(f2)
	for _, d := range w {
		if math.Abs(d) > 1e-5 {
			return false
		}
	}
	return true
}
