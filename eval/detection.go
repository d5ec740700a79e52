package eval

import (
	"cmp"
	"math"
	"sort"
)

// Detection and sampling: NonMaxSuppression, RoiAlign, GridSample,
// Unique.

var detectionTable = map[key]entry{
	{onnx, "NonMaxSuppression", 10}: k(nonMaxSuppression, []DataType{dtFloat}, "center_point_box"),
	{onnx, "NonMaxSuppression", 11}: k(nonMaxSuppression, []DataType{dtFloat}, "center_point_box"),
	{onnx, "RoiAlign", 10}:          k(roiAlign, tFloats, "mode", "output_height", "output_width", "sampling_ratio", "spatial_scale"),
	{onnx, "RoiAlign", 16}:          k(roiAlign, tFloats, roiAlignAttrs...),
	{onnx, "RoiAlign", 22}:          k(roiAlign, tFloats, roiAlignAttrs...),
	{onnx, "GridSample", 16}:        k(gridSample, tNumeric, "align_corners", "mode", "padding_mode"),
	{onnx, "GridSample", 20}:        k(gridSample, tNumeric, "align_corners", "mode", "padding_mode"),
	{onnx, "GridSample", 22}:        k(gridSample, tNumeric, "align_corners", "mode", "padding_mode"),
	{onnx, "Unique", 11}:            k(unique, tAny, "axis", "sorted"),
	{onnx, "AffineGrid", 20}:        k(affineGrid, tFloats, "align_corners"),
	{onnx, "MaxRoiPool", 1}:         k(maxRoiPool, tFloats, "pooled_shape", "spatial_scale"),
	{onnx, "MaxRoiPool", 22}:        k(maxRoiPool, tFloats, "pooled_shape", "spatial_scale"),
}

var roiAlignAttrs = []string{"coordinate_transformation_mode", "mode", "output_height", "output_width", "sampling_ratio", "spatial_scale"}

// nonMaxSuppression selects, per batch and class, boxes by descending
// score (the lower index first among equal scores), dropping those whose
// intersection over union with a selected box exceeds the threshold, as
// ONNX's reference does.
func nonMaxSuppression(c *ctx, in []*tensor) ([]*tensor, error) {
	boxes, scores := in[0], in[1]
	center := c.int("center_point_box") != 0
	if c.err != nil {
		return nil, c.err
	}
	if boxes.rank() != 3 || boxes.shape[2] != 4 || scores.rank() != 3 || scores.shape[0] != boxes.shape[0] || scores.shape[2] != boxes.shape[1] {
		return nil, invalidf("boxes %s and scores %s", shapeString(boxes.shape), shapeString(scores.shape))
	}
	opt := func(i int) *tensor {
		if i < len(in) && in[i] != nil && in[i].size() > 0 {
			return in[i]
		}
		return nil
	}
	maxOut, iou, thr := int64(0), 0.0, math.Inf(-1)
	hasThr := false
	if t := opt(2); t != nil {
		v, err := toInt64s(t)
		if err != nil {
			return nil, err
		}
		maxOut = max(v[0], 0)
	}
	if t := opt(3); t != nil {
		v, _ := toFloat64s(t)
		iou = v[0]
	}
	if t := opt(4); t != nil {
		v, _ := toFloat64s(t)
		thr, hasThr = v[0], true
	}
	bv, _ := toFloat64s(boxes)
	sv, _ := toFloat64s(scores)
	nb, nc, n := boxes.shape[0], scores.shape[1], boxes.shape[1]
	var sel []int64
	for b := range nb {
		box := func(i int) []float64 { return bv[(b*n+i)*4 : (b*n+i+1)*4] }
		for cl := range nc {
			sc := sv[(b*nc+cl)*n : (b*nc+cl+1)*n]
			var cand []int
			for i, s := range sc {
				if !hasThr || s > thr {
					cand = append(cand, i)
				}
			}
			sort.SliceStable(cand, func(i, j int) bool { return sc[cand[i]] > sc[cand[j]] })
			var kept []int
			for _, i := range cand {
				if int64(len(kept)) >= maxOut {
					break
				}
				ok := true
				for _, j := range kept {
					if suppresses(box(i), box(j), center, iou) {
						ok = false
						break
					}
				}
				if ok {
					kept = append(kept, i)
					sel = append(sel, int64(b), int64(cl), int64(i))
				}
			}
		}
	}
	return []*tensor{withData(dtInt64, []int{len(sel) / 3, 3}, sel)}, nil
}

// suppresses reports whether boxes a and b overlap by more than iou.
func suppresses(a, b []float64, center bool, iou float64) bool {
	var ax0, ax1, ay0, ay1, bx0, bx1, by0, by1 float64
	if center {
		ax0, ax1 = a[0]-a[2]/2, a[0]+a[2]/2
		ay0, ay1 = a[1]-a[3]/2, a[1]+a[3]/2
		bx0, bx1 = b[0]-b[2]/2, b[0]+b[2]/2
		by0, by1 = b[1]-b[3]/2, b[1]+b[3]/2
	} else {
		ax0, ax1 = min(a[1], a[3]), max(a[1], a[3])
		ay0, ay1 = min(a[0], a[2]), max(a[0], a[2])
		bx0, bx1 = min(b[1], b[3]), max(b[1], b[3])
		by0, by1 = min(b[0], b[2]), max(b[0], b[2])
	}
	ix0, ix1 := max(ax0, bx0), min(ax1, bx1)
	iy0, iy1 := max(ay0, by0), min(ay1, by1)
	if ix1 <= ix0 || iy1 <= iy0 {
		return false
	}
	inter := (ix1 - ix0) * (iy1 - iy0)
	areaA := (ax1 - ax0) * (ay1 - ay0)
	areaB := (bx1 - bx0) * (by1 - by0)
	union := areaA + areaB - inter
	if inter <= 0 || areaA <= 0 || areaB <= 0 || union <= 0 {
		return false
	}
	return inter/union > iou
}

// roiAlign pools each region of interest into output_height x
// output_width bins, averaging (or taking the maximum of) bilinear samples
// on a regular grid in each bin, as ONNX's reference does.
func roiAlign(c *ctx, in []*tensor) ([]*tensor, error) {
	x, rois, bi := in[0], in[1], in[2]
	mode := c.str("mode")
	oh, ow := c.int("output_height"), c.int("output_width")
	ratio := c.int("sampling_ratio")
	scale := float64(c.float("spatial_scale"))
	half := false
	if _, ok := c.schema.Attribute("coordinate_transformation_mode"); ok {
		switch m := c.str("coordinate_transformation_mode"); m {
		case "half_pixel":
			half = true
		case "output_half_pixel":
		default:
			return nil, invalidf("coordinate_transformation_mode %q", m)
		}
	}
	if c.err != nil {
		return nil, c.err
	}
	if mode != "avg" && mode != "max" {
		return nil, invalidf("mode %q", mode)
	}
	if x.rank() != 4 || rois.rank() != 2 || rois.shape[1] != 4 || bi.rank() != 1 || bi.shape[0] != rois.shape[0] {
		return nil, invalidf("X %s, rois %s, batch_indices %s", shapeString(x.shape), shapeString(rois.shape), shapeString(bi.shape))
	}
	if oh < 1 || ow < 1 || oh > math.MaxInt16 || ow > math.MaxInt16 || ratio < 0 || ratio > math.MaxInt16 {
		return nil, invalidf("output %dx%d, sampling_ratio %d", oh, ow, ratio)
	}
	nr, ch, h, w := rois.shape[0], x.shape[1], x.shape[2], x.shape[3]
	shape := []int{nr, ch, int(oh), int(ow)}
	if _, err := c.check(shape); err != nil {
		return nil, err
	}
	xv, _ := toFloat64s(x)
	rv, _ := toFloat64s(rois)
	batch, err := toInt64s(bi)
	if err != nil {
		return nil, err
	}
	out := make([]float64, numel(shape))
	off := 0.0
	if half {
		off = 0.5
	}
	type sample struct {
		pos [4]int
		w   [4]float64
	}
	for r := range nr {
		if batch[r] < 0 || batch[r] >= int64(x.shape[0]) {
			return nil, invalidf("batch index %d", batch[r])
		}
		x0, y0 := rv[r*4]*scale-off, rv[r*4+1]*scale-off
		x1, y1 := rv[r*4+2]*scale-off, rv[r*4+3]*scale-off
		rw, rh := x1-x0, y1-y0
		if !half {
			rw, rh = max(rw, 1), max(rh, 1)
		}
		bh, bw := rh/float64(oh), rw/float64(ow)
		gh, gw := int(ratio), int(ratio)
		if ratio == 0 {
			gh, gw = int(math.Ceil(rh/float64(oh))), int(math.Ceil(rw/float64(ow)))
		}
		if gh < 0 || gw < 0 || gh*gw > 1<<20 {
			return nil, invalidf("sampling grid %dx%d", gh, gw)
		}
		count := float64(max(gh*gw, 1))
		samples := make([]sample, 0, int(oh)*int(ow)*gh*gw)
		for ph := range int(oh) {
			for pw := range int(ow) {
				for iy := range gh {
					yy := y0 + float64(ph)*bh + (float64(iy)+0.5)*bh/float64(gh)
					for ix := range gw {
						xx := x0 + float64(pw)*bw + (float64(ix)+0.5)*bw/float64(gw)
						samples = append(samples, bilinearSample(yy, xx, h, w))
					}
				}
			}
		}
		for cc := range ch {
			plane := xv[(int(batch[r])*ch+cc)*h*w:]
			si := 0
			for p := range int(oh) * int(ow) {
				acc := 0.0
				for k := range gh * gw {
					s := samples[si]
					si++
					if mode == "avg" {
						acc += s.w[0]*plane[s.pos[0]] + s.w[1]*plane[s.pos[1]] + s.w[2]*plane[s.pos[2]] + s.w[3]*plane[s.pos[3]]
					} else {
						v := max(s.w[0]*plane[s.pos[0]], s.w[1]*plane[s.pos[1]], s.w[2]*plane[s.pos[2]], s.w[3]*plane[s.pos[3]])
						if k == 0 {
							acc = v
						} else {
							acc = max(acc, v)
						}
					}
				}
				if mode == "avg" {
					acc /= count
				}
				out[(r*ch+cc)*int(oh)*int(ow)+p] = acc
			}
		}
	}
	res, err := fromF64As(x.dt, shape, out)
	return []*tensor{res}, err
}

// bilinearSample returns the four neighbours and weights of point (y, x)
// of an h x w plane, all zero outside [-1, h] x [-1, w].
func bilinearSample(y, x float64, h, w int) (s struct {
	pos [4]int
	w   [4]float64
}) {
	if y < -1 || y > float64(h) || x < -1 || x > float64(w) || h == 0 || w == 0 {
		return s
	}
	y, x = max(y, 0), max(x, 0)
	yl, xl := int(y), int(x)
	yh, xh := yl+1, xl+1
	if yl >= h-1 {
		yl, yh = h-1, h-1
		y = float64(yl)
	}
	if xl >= w-1 {
		xl, xh = w-1, w-1
		x = float64(xl)
	}
	ly, lx := y-float64(yl), x-float64(xl)
	hy, hx := 1-ly, 1-lx
	s.pos = [4]int{yl*w + xl, yl*w + xh, yh*w + xl, yh*w + xh}
	s.w = [4]float64{hy * hx, hy * lx, ly * hx, ly * lx}
	return s
}

// gridSample samples X at the normalized coordinates of grid (x first,
// as PyTorch does), with nearest, linear or cubic interpolation and zeros,
// border or reflection padding.
func gridSample(c *ctx, in []*tensor) ([]*tensor, error) {
	x, grid := in[0], in[1]
	align := c.int("align_corners") != 0
	mode, pad := c.str("mode"), c.str("padding_mode")
	if c.err != nil {
		return nil, c.err
	}
	switch mode {
	case "bilinear":
		mode = "linear"
	case "bicubic":
		mode = "cubic"
	}
	if mode != "linear" && mode != "nearest" && mode != "cubic" {
		return nil, invalidf("mode %q", mode)
	}
	if pad != "zeros" && pad != "border" && pad != "reflection" {
		return nil, invalidf("padding_mode %q", pad)
	}
	nsp := x.rank() - 2
	if nsp < 1 || grid.rank() != x.rank() || grid.shape[0] != x.shape[0] || grid.shape[grid.rank()-1] != nsp {
		return nil, invalidf("X %s and grid %s", shapeString(x.shape), shapeString(grid.shape))
	}
	if c.since() < 20 && nsp != 2 {
		return nil, invalidf("GridSample-16 takes 4-D inputs")
	}
	n, ch := x.shape[0], x.shape[1]
	dims := x.shape[2:]
	oshape := append([]int{n, ch}, grid.shape[1:grid.rank()-1]...)
	if _, err := c.check(oshape); err != nil {
		return nil, err
	}
	xv, err := toFloat64s(x)
	if err != nil {
		return nil, err
	}
	gv, err := toFloat64s(grid)
	if err != nil {
		return nil, err
	}
	inSize := numel(dims)
	outSize := numel(grid.shape[1 : grid.rank()-1])
	st := stridesOf(dims)
	out := make([]float64, numel(oshape))
	lo, hi := make([]float64, nsp), make([]float64, nsp)
	for i, d := range dims {
		lo[i], hi[i] = -0.5, float64(d)-0.5
		if align {
			lo[i], hi[i] = 0, float64(d-1)
		}
	}
	taps := make([][]tap, nsp)
	for b := range n {
		for o := range outSize {
			g := gv[(b*outSize+o)*nsp:]
			for i := range nsp {
				// grid holds (x, y, ...): the last spatial dim first.
				d := nsp - 1 - i
				v := g[i]
				var xc float64
				if align {
					xc = (v + 1) / 2 * float64(dims[d]-1)
				} else {
					xc = ((v+1)*float64(dims[d]) - 1) / 2
				}
				xc = float64(float32(xc))
				if mode == "nearest" {
					// As PyTorch: nearbyint in 2-D, std::round in 3-D.
					if nsp == 3 {
						xc = math.Round(xc)
					} else {
						xc = math.RoundToEven(xc)
					}
				}
				// Out-of-bound coordinates move onto the border (or are
				// reflected) before the taps are taken, except for cubic,
				// whose four taps are padded one by one, as in PyTorch
				// and ONNX Runtime.
				if (xc < lo[d] || xc > hi[d]) && mode != "cubic" {
					switch pad {
					case "border":
						xc = min(max(xc, 0), float64(dims[d]-1))
					case "reflection":
						xc = float64(float32(reflectCoord(xc, lo[d], hi[d])))
					}
				}
				taps[d] = gridTaps(xc, mode, pad, dims[d], lo[d], hi[d])
			}
			for cc := range ch {
				plane := xv[(b*ch+cc)*inSize:]
				out[(b*ch+cc)*outSize+o] = sumGridTaps(plane, taps, st, 0, 0)
			}
		}
	}
	res, err := fromF64As(x.dt, oshape, out)
	return []*tensor{res}, err
}

// reflectCoord reflects x by the borders until it is within [lo, hi].
func reflectCoord(x, lo, hi float64) float64 {
	rng := hi - lo
	if rng <= 0 {
		return lo
	}
	if x < lo {
		dx := lo - x
		n := math.Trunc(dx / rng)
		r := dx - n*rng
		if math.Mod(n, 2) == 0 {
			return lo + r
		}
		return hi - r
	}
	if x > hi {
		dx := x - hi
		n := math.Trunc(dx / rng)
		r := dx - n*rng
		if math.Mod(n, 2) == 0 {
			return hi - r
		}
		return lo + r
	}
	return x
}

// gridTaps returns the taps of coordinate x along a dim of size d: index
// -1 reads a zero.
func gridTaps(x float64, mode, pad string, d int, lo, hi float64) []tap {
	at := func(i int) int {
		switch pad {
		case "zeros":
			if i < 0 || i >= d {
				return -1
			}
		case "border":
			i = min(max(i, 0), d-1)
		default:
			i = int(reflectCoord(float64(i), lo, hi))
			i = min(max(i, 0), d-1)
		}
		return i
	}
	switch mode {
	case "nearest":
		return []tap{{idx: at(int(x)), w: 1}}
	case "linear":
		x0 := math.Floor(x)
		f := x - x0
		return []tap{{idx: at(int(x0)), w: 1 - f}, {idx: at(int(x0) + 1), w: f}}
	}
	x0 := math.Floor(x)
	f := x - x0
	const a = -0.75
	r1, r2 := f+1, 2-f
	coeffs := [4]float64{
		((a*r1-5*a)*r1+8*a)*r1 - 4*a,
		((a+2)*f-(a+3))*f*f + 1,
		((a+2)*(1-f)-(a+3))*(1-f)*(1-f) + 1,
		((a*r2-5*a)*r2+8*a)*r2 - 4*a,
	}
	ts := make([]tap, 4)
	for i := range ts {
		ts[i] = tap{idx: at(int(x0) - 1 + i), w: coeffs[i]}
	}
	return ts
}

func sumGridTaps(v []float64, taps [][]tap, st []int, d, off int) float64 {
	if d == len(taps) {
		return v[off]
	}
	s := 0.0
	for _, t := range taps[d] {
		if t.idx < 0 || t.w == 0 {
			continue
		}
		s += t.w * sumGridTaps(v, taps, st, d+1, off+t.idx*st[d])
	}
	return s
}

// unique finds the distinct elements (or slices along axis), sorted or in
// order of first occurrence, with the index of each one's first
// occurrence, the inverse map and the counts.
func unique(c *ctx, in []*tensor) ([]*tensor, error) {
	x := in[0]
	sorted := c.int("sorted") != 0
	hasAxis := c.has("axis")
	axis64 := c.int("axis")
	if c.err != nil {
		return nil, c.err
	}
	if !hasAxis {
		x = reshaped(x, []int{x.size()})
		axis64 = 0
	}
	axis, err := normAxis(axis64, x.rank())
	if err != nil {
		return nil, err
	}
	dim := x.shape[axis]
	outer, inner := numel(x.shape[:axis]), numel(x.shape[axis+1:])
	// Slice j of x along axis, as the offsets of its elements.
	slice := func(j int) []int {
		idx := make([]int, 0, outer*inner)
		for o := range outer {
			for k := range inner {
				idx = append(idx, (o*dim+j)*inner+k)
			}
		}
		return idx
	}
	cmpAt := elemComparator(x.data)
	if cmpAt == nil {
		return nil, notImplf("unique of %s", typeName(x.dt))
	}
	slices := make([][]int, dim)
	for j := range slices {
		slices[j] = slice(j)
	}
	cmpSlices := func(a, b int) int {
		for i := range slices[a] {
			if r := cmpAt(slices[a][i], slices[b][i]); r != 0 {
				return r
			}
		}
		return 0
	}
	order := make([]int, dim)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return cmpSlices(order[i], order[j]) < 0 })
	// Groups of equal slices, in sorted order; first is each group's
	// smallest index.
	var first, counts []int64
	group := make([]int, dim)
	for i, j := range order {
		if i == 0 || cmpSlices(order[i-1], j) != 0 {
			first = append(first, int64(j))
			counts = append(counts, 0)
		}
		group[j] = len(first) - 1
		counts[len(counts)-1]++
	}
	rank := make([]int, len(first)) // position of each group in the output
	for i := range rank {
		rank[i] = i
	}
	if !sorted {
		byFirst := make([]int, len(first))
		for i := range byFirst {
			byFirst[i] = i
		}
		sort.Slice(byFirst, func(i, j int) bool { return first[byFirst[i]] < first[byFirst[j]] })
		newFirst, newCounts := make([]int64, len(first)), make([]int64, len(first))
		for pos, gi := range byFirst {
			rank[gi] = pos
			newFirst[pos], newCounts[pos] = first[gi], counts[gi]
		}
		first, counts = newFirst, newCounts
	}
	inverse := make([]int64, dim)
	for j := range inverse {
		inverse[j] = int64(rank[group[j]])
	}
	shape := append([]int{}, x.shape...)
	shape[axis] = len(first)
	src := make([]int, 0, numel(shape))
	for o := range outer {
		for _, f := range first {
			for k := range inner {
				src = append(src, (o*dim+int(f))*inner+k)
			}
		}
	}
	n := []int{len(first)}
	return []*tensor{
		withData(x.dt, shape, take(x.data, src)),
		withData(dtInt64, n, first),
		withData(dtInt64, []int{dim}, inverse),
		withData(dtInt64, n, counts),
	}, nil
}

// elemComparator returns a three-way comparison of two elements of a data
// slice (NaN above everything, as numpy sorts).
func elemComparator(data any) func(i, j int) int {
	switch s := data.(type) {
	case []float32:
		return func(i, j int) int { return cmpFloat(float64(s[i]), float64(s[j])) }
	case []float64:
		return func(i, j int) int { return cmpFloat(s[i], s[j]) }
	case []string:
		return func(i, j int) int { return cmp.Compare(s[i], s[j]) }
	case []bool:
		return func(i, j int) int { return cmp.Compare(b2i(s[i]), b2i(s[j])) }
	case []int8:
		return func(i, j int) int { return cmp.Compare(s[i], s[j]) }
	case []int16:
		return func(i, j int) int { return cmp.Compare(s[i], s[j]) }
	case []int32:
		return func(i, j int) int { return cmp.Compare(s[i], s[j]) }
	case []int64:
		return func(i, j int) int { return cmp.Compare(s[i], s[j]) }
	case []uint8:
		return func(i, j int) int { return cmp.Compare(s[i], s[j]) }
	case []uint16:
		return func(i, j int) int { return cmp.Compare(s[i], s[j]) }
	case []uint32:
		return func(i, j int) int { return cmp.Compare(s[i], s[j]) }
	case []uint64:
		return func(i, j int) int { return cmp.Compare(s[i], s[j]) }
	}
	return nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// affineGrid maps the normalized coordinates of every output position
// (x first) through each batch's affine matrix theta, the grid GridSample
// takes.
func affineGrid(c *ctx, in []*tensor) ([]*tensor, error) {
	theta := in[0]
	align := c.int("align_corners") != 0
	if c.err != nil {
		return nil, c.err
	}
	size, err := shapeInput(in[1], "size")
	if err != nil {
		return nil, err
	}
	nsp := len(size) - 2
	if (nsp != 2 && nsp != 3) || theta.rank() != 3 || theta.shape[0] != size[0] || theta.shape[1] != nsp || theta.shape[2] != nsp+1 {
		return nil, invalidf("theta %s for size %v", shapeString(theta.shape), size)
	}
	sp := size[2:]
	shape := append(append([]int{size[0]}, sp...), nsp)
	if _, err := c.check(shape); err != nil {
		return nil, err
	}
	tv, _ := toFloat64s(theta)
	// The base coordinate of index i of a dim of n.
	base := func(i, n int) float64 {
		if align {
			if n == 1 {
				return -1
			}
			return -1 + 2*float64(i)/float64(n-1)
		}
		return -1 + (2*float64(i)+1)/float64(n)
	}
	pts := numel(sp)
	out := make([]float64, size[0]*pts*nsp)
	idx := make([]int, nsp)
	h := make([]float64, nsp+1)
	for b := range size[0] {
		th := tv[b*nsp*(nsp+1):]
		for p := range pts {
			r := p
			for d := nsp - 1; d >= 0; d-- {
				idx[d] = r % sp[d]
				r /= sp[d]
			}
			// Homogeneous point (x, y[, z], 1): x along the last dim.
			for k := range nsp {
				h[k] = base(idx[nsp-1-k], sp[nsp-1-k])
			}
			h[nsp] = 1
			for row := range nsp {
				s := 0.0
				for col := range nsp + 1 {
					s += th[row*(nsp+1)+col] * h[col]
				}
				out[(b*pts+p)*nsp+row] = s
			}
		}
	}
	res, err := fromF64As(theta.dt, shape, out)
	return []*tensor{res}, err
}

// maxRoiPool takes the maximum over each bin of each region of interest
// (batch index, x1, y1, x2, y2), with the regions rounded to whole pixels,
// as Caffe's ROI pooling does.
func maxRoiPool(c *ctx, in []*tensor) ([]*tensor, error) {
	x, rois := in[0], in[1]
	pooled, _ := c.ints("pooled_shape")
	scale := float64(c.float("spatial_scale"))
	if c.err != nil {
		return nil, c.err
	}
	if x.rank() != 4 || rois.rank() != 2 || rois.shape[1] != 5 || len(pooled) != 2 || pooled[0] < 1 || pooled[1] < 1 || pooled[0] > 1<<15 || pooled[1] > 1<<15 {
		return nil, invalidf("X %s, rois %s, pooled_shape %v", shapeString(x.shape), shapeString(rois.shape), pooled)
	}
	ph, pw := int(pooled[0]), int(pooled[1])
	nr, ch, h, w := rois.shape[0], x.shape[1], x.shape[2], x.shape[3]
	shape := []int{nr, ch, ph, pw}
	if _, err := c.check(shape); err != nil {
		return nil, err
	}
	xv, _ := toFloat64s(x)
	rv, _ := toFloat64s(rois)
	out := make([]float64, numel(shape))
	for r := range nr {
		roi := rv[r*5 : r*5+5]
		b := int(roi[0])
		if roi[0] < 0 || b >= x.shape[0] {
			return nil, invalidf("batch index %g", roi[0])
		}
		x1, y1 := int(math.Round(roi[1]*scale)), int(math.Round(roi[2]*scale))
		x2, y2 := int(math.Round(roi[3]*scale)), int(math.Round(roi[4]*scale))
		rh, rw := max(y2-y1+1, 1), max(x2-x1+1, 1)
		bh, bw := float64(rh)/float64(ph), float64(rw)/float64(pw)
		for cc := range ch {
			plane := xv[(b*ch+cc)*h*w:]
			for i := range ph {
				hs := min(max(int(math.Floor(float64(i)*bh))+y1, 0), h)
				he := min(max(int(math.Ceil(float64(i+1)*bh))+y1, 0), h)
				for j := range pw {
					ws := min(max(int(math.Floor(float64(j)*bw))+x1, 0), w)
					we := min(max(int(math.Ceil(float64(j+1)*bw))+x1, 0), w)
					m := 0.0
					if he > hs && we > ws {
						m = math.Inf(-1)
						for yy := hs; yy < he; yy++ {
							for xx := ws; xx < we; xx++ {
								m = max(m, plane[yy*w+xx])
							}
						}
					}
					out[((r*ch+cc)*ph+i)*pw+j] = m
				}
			}
		}
	}
	res, err := fromF64As(x.dt, shape, out)
	return []*tensor{res}, err
}
