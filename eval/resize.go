package eval

import (
	"math"
)

// Resize and Upsample.
//
// Every resized axis maps each output coordinate to an input coordinate
// (coordinate_transformation_mode), then to taps: 2 input indices for
// nearest and linear, 4 for cubic, with weights; an output element is the
// sum over the product of its axes' taps. The taps follow ONNX's
// reference: the window lies left of the coordinate (an integral
// coordinate is the window's last but one index), indices beyond the edge
// read the edge (or weigh 0 with exclude_outside), and tf_crop_and_resize
// gives extrapolation_value outside the input.
//
// Coordinates are computed in float64 with the scale as given, as ONNX's
// reference does (the backend suite pins it: align_corners divides by
// scale·length-1, pytorch_half_pixel maps a length-1 output to -0.5).
// ONNX Runtime computes in float32 and from the output size, which gives
// other values where scale·length is not whole and for
// half_pixel_symmetric.

var resizeTable = map[key]entry{
	{onnx, "Upsample", 1}: k(upsample, tAny, "height_scale", "mode", "width_scale"),
	{onnx, "Upsample", 7}: k(upsample, tAny, "mode", "scales"),
	{onnx, "Upsample", 9}: k(upsample, tAny, "mode"),
	{onnx, "Resize", 10}:  k(upsample, tAny, "mode"),
	{onnx, "Resize", 11}:  k(resize, tAny, resizeAttrs...),
	{onnx, "Resize", 13}:  k(resize, tAny, resizeAttrs...),
	{onnx, "Resize", 18}:  k(resize, tAny, resize18Attrs...),
	{onnx, "Resize", 19}:  k(resize, tAny, resize18Attrs...),
}

var (
	resizeAttrs   = []string{"coordinate_transformation_mode", "cubic_coeff_a", "exclude_outside", "extrapolation_value", "mode", "nearest_mode"}
	resize18Attrs = append(append([]string{}, resizeAttrs...), "antialias", "axes", "keep_aspect_ratio_policy")
)

// resizeSpec is how to resize: per axis the output size and scale, and the
// interpolation settings.
type resizeSpec struct {
	out     []int
	scale   []float64 // output/input per axis
	roi     []float64 // starts then ends, per axis (tf_crop_and_resize)
	mode    string    // nearest, linear, cubic
	coord   string
	nearest string
	cubicA  float64
	exclude bool
	extrap  float64
}

// upsample is Upsample and Resize-10: floor(x/scale) for nearest, linear
// with the asymmetric transformation.
func upsample(c *ctx, in []*tensor) ([]*tensor, error) {
	x := in[0]
	mode := c.str("mode")
	var scales []float64
	switch {
	case c.since() < 7:
		if x.rank() != 4 {
			return nil, invalidf("Upsample-1 takes a 4-D input, not rank %d", x.rank())
		}
		scales = []float64{1, 1, float64(c.float("height_scale")), float64(c.float("width_scale"))}
	case c.since() < 9:
		s, _ := c.floats("scales")
		for _, v := range s {
			scales = append(scales, float64(v))
		}
	default:
		if len(in) < 2 || in[1] == nil {
			return nil, invalidf("no scales")
		}
		s, err := toFloat64s(in[1])
		if err != nil {
			return nil, err
		}
		scales = s
	}
	if c.err != nil {
		return nil, c.err
	}
	if mode == "bilinear" {
		mode = "linear"
	}
	sp := &resizeSpec{mode: mode, coord: "asymmetric", nearest: "floor", cubicA: -0.75}
	if err := sp.fromScales(x.shape, scales); err != nil {
		return nil, err
	}
	out, err := resizeT(c, x, sp)
	return []*tensor{out}, err
}

func (sp *resizeSpec) fromScales(shape []int, scales []float64) error {
	if len(scales) != len(shape) {
		return invalidf("%d scales for rank %d", len(scales), len(shape))
	}
	sp.out = make([]int, len(shape))
	sp.scale = scales
	for i, s := range scales {
		if !(s > 0) || math.IsInf(s, 0) {
			return invalidf("scale %g", s)
		}
		o := math.Floor(s * float64(shape[i]))
		if o > math.MaxInt32 {
			return errorf(ErrTooLarge, "scale %g of a dim of %d", s, shape[i])
		}
		sp.out[i] = int(o)
	}
	return nil
}

func resize(c *ctx, in []*tensor) ([]*tensor, error) {
	x := in[0]
	r := x.rank()
	sp := &resizeSpec{
		mode:    c.str("mode"),
		coord:   c.str("coordinate_transformation_mode"),
		nearest: c.str("nearest_mode"),
		cubicA:  float64(c.float("cubic_coeff_a")),
		exclude: c.int("exclude_outside") != 0,
		extrap:  float64(c.float("extrapolation_value")),
	}
	axes := make([]int, r)
	for i := range axes {
		axes[i] = i
	}
	policy := "stretch"
	if _, ok := c.schema.Attribute("antialias"); ok {
		if c.int("antialias") != 0 {
			return nil, notImplf("antialias")
		}
		policy = c.str("keep_aspect_ratio_policy")
		if a, ok := c.ints("axes"); ok && len(a) > 0 {
			var err error
			if axes, err = normAxes(a, r); err != nil {
				return nil, err
			}
		}
	}
	if c.err != nil {
		return nil, c.err
	}
	arg := func(i int) *tensor {
		if i < len(in) && in[i] != nil && in[i].size() > 0 {
			return in[i]
		}
		return nil
	}
	roi, scales, sizes := arg(1), arg(2), arg(3)
	full := func(vals []float64, def float64) []float64 { // per axis of x
		out := make([]float64, r)
		for i := range out {
			out[i] = def
		}
		for j, a := range axes {
			out[a] = vals[j]
		}
		return out
	}
	switch {
	case scales != nil && sizes != nil:
		return nil, invalidf("both scales and sizes")
	case scales != nil:
		s, err := toFloat64s(scales)
		if err != nil {
			return nil, err
		}
		if len(s) != len(axes) {
			return nil, invalidf("%d scales for %d axes", len(s), len(axes))
		}
		if err := sp.fromScales(x.shape, full(s, 1)); err != nil {
			return nil, err
		}
	case sizes != nil:
		s, err := toInt64s(sizes)
		if err != nil {
			return nil, err
		}
		if len(s) != len(axes) {
			return nil, invalidf("%d sizes for %d axes", len(s), len(axes))
		}
		sp.out = append([]int{}, x.shape...)
		sp.scale = make([]float64, r)
		for i := range sp.scale {
			sp.scale[i] = 1
		}
		for j, a := range axes {
			if s[j] < 0 || s[j] > math.MaxInt32 {
				return nil, invalidf("sizes %v", s)
			}
			sp.out[a] = int(s[j])
			sp.scale[a] = float64(s[j]) / float64(x.shape[a])
		}
		if policy != "stretch" {
			scale := math.Inf(1)
			if policy == "not_smaller" {
				scale = math.Inf(-1)
			} else if policy != "not_larger" {
				return nil, invalidf("keep_aspect_ratio_policy %q", policy)
			}
			for _, a := range axes {
				if policy == "not_larger" {
					scale = min(scale, sp.scale[a])
				} else {
					scale = max(scale, sp.scale[a])
				}
			}
			for _, a := range axes {
				sp.scale[a] = scale
				sp.out[a] = int(scale*float64(x.shape[a]) + 0.5)
			}
		}
	default:
		return nil, invalidf("neither scales nor sizes")
	}
	if sp.coord == "tf_crop_and_resize" {
		if roi == nil {
			return nil, invalidf("tf_crop_and_resize without roi")
		}
		v, err := toFloat64s(roi)
		if err != nil {
			return nil, err
		}
		if len(v) != 2*len(axes) {
			return nil, invalidf("roi of %d values for %d axes", len(v), len(axes))
		}
		starts, ends := full(v[:len(axes)], 0), full(v[len(axes):], 1)
		sp.roi = append(starts, ends...)
	}
	out, err := resizeT(c, x, sp)
	return []*tensor{out}, err
}

// tap is one input index and its weight.
type tap struct {
	idx int // -1 reads extrapolation_value
	w   float64
}

// taps returns, for each output coordinate along one axis, its taps.
func (sp *resizeSpec) taps(axis, in int) ([][]tap, error) {
	out := sp.out[axis]
	scale := sp.scale[axis]
	res := make([][]tap, out)
	if out > 0 && in == 0 {
		return nil, invalidf("resizing an empty dim to %d", out)
	}
	for o := range out {
		xf := float64(o)
		outW := scale * float64(in)
		var xo float64
		switch sp.coord {
		case "half_pixel":
			xo = (xf+0.5)/scale - 0.5
		case "half_pixel_symmetric":
			adj := float64(out) / outW
			center := float64(in) / 2
			xo = center*(1-adj) + (xf+0.5)/scale - 0.5
		case "pytorch_half_pixel":
			xo = -0.5
			if outW != 1 {
				xo = (xf+0.5)/scale - 0.5
			}
		case "align_corners":
			if outW != 1 {
				xo = xf * float64(in-1) / (outW - 1)
			}
		case "asymmetric":
			xo = xf / scale
		case "tf_half_pixel_for_nn":
			xo = (xf + 0.5) / scale
		case "tf_crop_and_resize":
			r := len(sp.out)
			start, end := sp.roi[axis], sp.roi[r+axis]
			if outW == 1 {
				xo = (end - start) * float64(in-1) / 2
			} else {
				xo = xf * (end - start) * float64(in-1) / (outW - 1)
			}
			xo += start * float64(in-1)
			if xo < 0 || xo > float64(in-1) {
				res[o] = []tap{{idx: -1, w: 1}}
				continue
			}
		default:
			return nil, invalidf("coordinate_transformation_mode %q", sp.coord)
		}
		// The window's base: the index left of xo, or xo-1 when integral,
		// so that the ratio is in (0, 1].
		base := math.Ceil(xo) - 1
		ratio := xo - base
		var coeffs []float64
		var first float64
		switch sp.mode {
		case "nearest":
			first = base
			switch {
			case ratio == 1:
				coeffs = []float64{0, 1}
			case sp.nearest == "round_prefer_floor":
				coeffs = []float64{b2f(ratio <= 0.5), b2f(ratio > 0.5)}
			case sp.nearest == "round_prefer_ceil":
				coeffs = []float64{b2f(ratio < 0.5), b2f(ratio >= 0.5)}
			case sp.nearest == "floor":
				coeffs = []float64{1, 0}
			case sp.nearest == "ceil":
				coeffs = []float64{0, 1}
			default:
				return nil, invalidf("nearest_mode %q", sp.nearest)
			}
		case "linear":
			first = base
			coeffs = []float64{1 - ratio, ratio}
		case "cubic":
			first = base - 1
			a := sp.cubicA
			r1, r2 := ratio+1, 2-ratio
			coeffs = []float64{
				((a*r1-5*a)*r1+8*a)*r1 - 4*a,
				((a+2)*ratio-(a+3))*ratio*ratio + 1,
				((a+2)*(1-ratio)-(a+3))*(1-ratio)*(1-ratio) + 1,
				((a*r2-5*a)*r2+8*a)*r2 - 4*a,
			}
		default:
			return nil, invalidf("mode %q", sp.mode)
		}
		n := len(coeffs)
		pad := (n + 1) / 2
		// The reference searches the n nearest indices within the input
		// padded by pad on each side: the window cannot leave it.
		if first > float64(in+pad-n) {
			first = float64(in + pad - n)
		}
		if first < float64(-pad) {
			first = float64(-pad)
		}
		start := int(first)
		if sp.exclude {
			s := 0.0
			for i := range coeffs {
				if j := start + i; j < 0 || j >= in {
					coeffs[i] = 0
				}
				s += coeffs[i]
			}
			for i := range coeffs {
				coeffs[i] /= s
			}
		}
		var ts []tap
		for i, w := range coeffs {
			if w == 0 {
				continue
			}
			j := min(max(start+i, 0), in-1)
			ts = append(ts, tap{idx: j, w: w})
		}
		res[o] = ts
	}
	return res, nil
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// resizeT interpolates x to sp.out.
func resizeT(c *ctx, x *tensor, sp *resizeSpec) (*tensor, error) {
	if _, err := c.check(sp.out); err != nil {
		return nil, err
	}
	r := x.rank()
	taps := make([][][]tap, r)
	for d := range r {
		t, err := sp.taps(d, x.shape[d])
		if err != nil {
			return nil, err
		}
		taps[d] = t
	}
	st := stridesOf(x.shape)
	n := numel(sp.out)
	// Data movement when every output element reads one input element
	// with weight 1 (nearest, integral scales): any element type.
	simple := true
	for d := range taps {
		for _, ts := range taps[d] {
			if len(ts) != 1 || ts[0].w != 1 || ts[0].idx < 0 {
				simple = false
			}
		}
	}
	if simple {
		tabs := make([][]int, r)
		for d := range r {
			tabs[d] = make([]int, sp.out[d])
			for o, ts := range taps[d] {
				tabs[d][o] = ts[0].idx * st[d]
			}
		}
		return withData(x.dt, sp.out, take(x.data, separable(sp.out, tabs, n))), nil
	}
	v, err := toFloat64s(x)
	if err != nil {
		return nil, notImplf("interpolating %s values", typeName(x.dt))
	}
	out := make([]float64, n)
	idx := make([]int, r)
	for o := range out {
		out[o] = sumTaps(v, taps, idx, st, 0, 0, sp.extrap)
		for d := r - 1; d >= 0; d-- {
			idx[d]++
			if idx[d] < sp.out[d] {
				break
			}
			idx[d] = 0
		}
	}
	return fromF64As(x.dt, sp.out, out)
}

// sumTaps is the weighted sum over the taps of dims d.. of the output
// element at idx, from offset off.
func sumTaps(v []float64, taps [][][]tap, idx, st []int, d, off int, extrap float64) float64 {
	if d == len(taps) {
		return v[off]
	}
	s := 0.0
	for _, t := range taps[d][idx[d]] {
		if t.idx < 0 {
			return extrap
		}
		s += t.w * sumTaps(v, taps, idx, st, d+1, off+t.idx*st[d], extrap)
	}
	return s
}
