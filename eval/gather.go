package eval

import (
	"math"
)

// Indexing operators: Gather, GatherElements, GatherND, ScatterND,
// ScatterElements (and Scatter), OneHot, NonZero, Compress, Trilu,
// EyeLike.

var gatherTable = map[key]entry{
	{onnx, "Gather", 1}:           k(gather, tAny, "axis"),
	{onnx, "Gather", 11}:          k(gather, tAny, "axis"),
	{onnx, "Gather", 13}:          k(gather, tAny, "axis"),
	{onnx, "GatherElements", 11}:  k(gatherElements, tAny, "axis"),
	{onnx, "GatherElements", 13}:  k(gatherElements, tAny, "axis"),
	{onnx, "GatherND", 11}:        k(gatherND, tAny),
	{onnx, "GatherND", 12}:        k(gatherND, tAny, "batch_dims"),
	{onnx, "GatherND", 13}:        k(gatherND, tAny, "batch_dims"),
	{onnx, "ScatterND", 11}:       k(scatterND, tAny),
	{onnx, "ScatterND", 13}:       k(scatterND, tAny),
	{onnx, "ScatterND", 16}:       k(scatterND, tAny, "reduction"),
	{onnx, "ScatterND", 18}:       k(scatterND, tAny, "reduction"),
	{onnx, "Scatter", 9}:          k(scatterElements, tAny, "axis"),
	{onnx, "ScatterElements", 11}: k(scatterElements, tAny, "axis"),
	{onnx, "ScatterElements", 13}: k(scatterElements, tAny, "axis"),
	{onnx, "ScatterElements", 16}: k(scatterElements, tAny, "axis", "reduction"),
	{onnx, "ScatterElements", 18}: k(scatterElements, tAny, "axis", "reduction"),
	{onnx, "OneHot", 9}:           k(oneHot, tNumeric, "axis"),
	{onnx, "OneHot", 11}:          k(oneHot, tNumeric, "axis"),
	{onnx, "NonZero", 9}:          k(nonZero, tAny),
	{onnx, "NonZero", 13}:         k(nonZero, tAny),
	{onnx, "Compress", 9}:         k(compress, tAny, "axis"),
	{onnx, "Compress", 11}:        k(compress, tAny, "axis"),
	{onnx, "Trilu", 14}:           k(trilu, tAny, "upper"),
	{onnx, "EyeLike", 9}:          k(eyeLike, cat(tNumeric, tBool), "dtype", "k"),
	{onnx, "EyeLike", 22}:         k(eyeLike, cat(tNumeric, tBool), "dtype", "k"),
	{onnx, "ReverseSequence", 10}: k(reverseSequence, tAny, "batch_axis", "time_axis"),
	{onnx, "TensorScatter", 24}:   k(tensorScatter, tAny, "axis", "mode"),
	{onnx, "DepthToSpace", 1}:     k(depthToSpace, tAny, "blocksize"),
	{onnx, "DepthToSpace", 11}:    k(depthToSpace, tAny, "blocksize", "mode"),
	{onnx, "DepthToSpace", 13}:    k(depthToSpace, tAny, "blocksize", "mode"),
	{onnx, "SpaceToDepth", 1}:     k(spaceToDepth, tAny, "blocksize"),
	{onnx, "SpaceToDepth", 13}:    k(spaceToDepth, tAny, "blocksize"),
}

// indexValues reads an index tensor for a dim of size dim, mapping
// negative indices and refusing those out of range.
func indexValues(t *tensor, dim int) ([]int, error) {
	v, err := toInt64s(t)
	if err != nil {
		return nil, err
	}
	out := make([]int, len(v))
	for i, x := range v {
		if x < -int64(dim) || x >= int64(dim) {
			return nil, invalidf("index %d out of range for a dim of %d", x, dim)
		}
		if x < 0 {
			x += int64(dim)
		}
		out[i] = int(x)
	}
	return out, nil
}

func gather(c *ctx, in []*tensor) ([]*tensor, error) {
	x, ind := in[0], in[1]
	axis, err := normAxis(c.int("axis"), x.rank())
	if c.err != nil {
		return nil, c.err
	}
	if err != nil {
		return nil, err
	}
	idx, err := indexValues(ind, x.shape[axis])
	if err != nil {
		return nil, err
	}
	shape := append(append(append([]int{}, x.shape[:axis]...), ind.shape...), x.shape[axis+1:]...)
	n, err := c.check(shape)
	if err != nil {
		return nil, err
	}
	outer := numel(x.shape[:axis])
	inner := numel(x.shape[axis+1:])
	dim := x.shape[axis]
	src := make([]int, 0, n)
	for o := range outer {
		for _, j := range idx {
			base := (o*dim + j) * inner
			for k := range inner {
				src = append(src, base+k)
			}
		}
	}
	return []*tensor{withData(x.dt, shape, take(x.data, src))}, nil
}

func gatherElements(c *ctx, in []*tensor) ([]*tensor, error) {
	x, ind := in[0], in[1]
	axis, err := normAxis(c.int("axis"), x.rank())
	if c.err != nil {
		return nil, c.err
	}
	if err != nil {
		return nil, err
	}
	if ind.rank() != x.rank() {
		return nil, invalidf("indices of rank %d for data of rank %d", ind.rank(), x.rank())
	}
	src, err := elementOffsets(x.shape, ind, axis)
	if err != nil {
		return nil, err
	}
	return []*tensor{withData(x.dt, ind.shape, take(x.data, src))}, nil
}

// elementOffsets returns, for each element of ind, the offset in a tensor
// of shape that it addresses: its own position with the coordinate along
// axis replaced by its value (GatherElements and ScatterElements).
func elementOffsets(shape []int, ind *tensor, axis int) ([]int, error) {
	for d := range shape {
		if d != axis && ind.shape[d] > shape[d] {
			return nil, invalidf("indices of shape %s exceed data of shape %s", shapeString(ind.shape), shapeString(shape))
		}
	}
	idx, err := indexValues(ind, shape[axis])
	if err != nil {
		return nil, err
	}
	st := stridesOf(shape)
	tabs := make([][]int, len(shape))
	for d := range shape {
		if d == axis {
			tabs[d] = make([]int, ind.shape[d])
		} else {
			tabs[d] = affine(ind.shape[d], 0, st[d])
		}
	}
	base := separable(ind.shape, tabs, len(idx))
	for i := range base {
		base[i] += idx[i] * st[axis]
	}
	return base, nil
}

// ndOffsets resolves GatherND/ScatterND index tuples: for indices of shape
// [b..., m..., k] into data of shape [b..., d1..dk, rest...], the offset
// of each addressed slice, and the slice size.
func ndOffsets(shape []int, ind *tensor, batch int) (offs []int, slice int, err error) {
	r := ind.rank()
	if r < 1 || batch < 0 || batch >= r || batch > len(shape) {
		return nil, 0, invalidf("indices of rank %d with batch_dims %d", r, batch)
	}
	kk := ind.shape[r-1]
	if batch+kk > len(shape) {
		return nil, 0, invalidf("index tuples of %d for data of rank %d", kk, len(shape))
	}
	for d := range batch {
		if ind.shape[d] != shape[d] {
			return nil, 0, invalidf("batch dims of indices %s and data %s differ", shapeString(ind.shape), shapeString(shape))
		}
	}
	v, err := toInt64s(ind)
	if err != nil {
		return nil, 0, err
	}
	st := stridesOf(shape)
	slice = numel(shape[batch+kk:])
	nb := numel(shape[:batch])
	perBatch := 1
	if nb > 0 {
		perBatch = numel(ind.shape[batch : r-1])
	}
	batchStride := numel(shape[batch:])
	tuples := numel(ind.shape[:r-1])
	offs = make([]int, tuples)
	for t := range tuples {
		off := 0
		if perBatch > 0 {
			off = (t / perBatch) * batchStride
		}
		for j := range kk {
			x := v[t*kk+j]
			dim := int64(shape[batch+j])
			if x < -dim || x >= dim {
				return nil, 0, invalidf("index %d out of range for a dim of %d", x, dim)
			}
			if x < 0 {
				x += dim
			}
			off += int(x) * st[batch+j]
		}
		offs[t] = off
	}
	return offs, slice, nil
}

func gatherND(c *ctx, in []*tensor) ([]*tensor, error) {
	x, ind := in[0], in[1]
	batch := 0
	if _, ok := c.schema.Attribute("batch_dims"); ok {
		batch = int(c.int("batch_dims"))
	}
	if c.err != nil {
		return nil, c.err
	}
	offs, slice, err := ndOffsets(x.shape, ind, batch)
	if err != nil {
		return nil, err
	}
	r := ind.rank()
	shape := append(append([]int{}, ind.shape[:r-1]...), x.shape[batch+ind.shape[r-1]:]...)
	n, err := c.check(shape)
	if err != nil {
		return nil, err
	}
	src := make([]int, 0, n)
	for _, o := range offs {
		for k := range slice {
			src = append(src, o+k)
		}
	}
	return []*tensor{withData(x.dt, shape, take(x.data, src))}, nil
}

func scatterND(c *ctx, in []*tensor) ([]*tensor, error) {
	x, ind, upd := in[0], in[1], in[2]
	red := "none"
	if _, ok := c.schema.Attribute("reduction"); ok {
		red = c.str("reduction")
	}
	if c.err != nil {
		return nil, c.err
	}
	offs, slice, err := ndOffsets(x.shape, ind, 0)
	if err != nil {
		return nil, err
	}
	r := ind.rank()
	want := append(append([]int{}, ind.shape[:r-1]...), x.shape[ind.shape[r-1]:]...)
	if !equalShapes(upd.shape, want) || upd.dt != x.dt {
		return nil, invalidf("updates of shape %s, want %s", shapeString(upd.shape), shapeString(want))
	}
	dst := make([]int, 0, upd.size())
	for _, o := range offs {
		for k := range slice {
			dst = append(dst, o+k)
		}
	}
	out, err := scatterWith(x, dst, upd, red)
	return []*tensor{out}, err
}

func scatterElements(c *ctx, in []*tensor) ([]*tensor, error) {
	x, ind, upd := in[0], in[1], in[2]
	red := "none"
	if _, ok := c.schema.Attribute("reduction"); ok {
		red = c.str("reduction")
	}
	axis, err := normAxis(c.int("axis"), x.rank())
	if c.err != nil {
		return nil, c.err
	}
	if err != nil {
		return nil, err
	}
	if ind.rank() != x.rank() || !equalShapes(ind.shape, upd.shape) || upd.dt != x.dt {
		return nil, invalidf("indices %s and updates %s for data %s", shapeString(ind.shape), shapeString(upd.shape), shapeString(x.shape))
	}
	dst, err := elementOffsets(x.shape, ind, axis)
	if err != nil {
		return nil, err
	}
	out, err := scatterWith(x, dst, upd, red)
	return []*tensor{out}, err
}

// scatterWith returns a copy of x with upd's elements written (or combined
// by reduction) at offsets dst, in order.
func scatterWith(x *tensor, dst []int, upd *tensor, red string) (*tensor, error) {
	out := cloneData(x.data)
	if red == "none" {
		scatterInto(out, dst, upd.data)
		return withData(x.dt, x.shape, out), nil
	}
	var ok bool
	switch d := out.(type) {
	case []float32:
		ok = scatterRed(d, dst, upd.data.([]float32), red)
	case []float64:
		ok = scatterRed(d, dst, upd.data.([]float64), red)
	case []int8:
		ok = scatterRed(d, dst, upd.data.([]int8), red)
	case []int16:
		ok = scatterRed(d, dst, upd.data.([]int16), red)
	case []int32:
		ok = scatterRed(d, dst, upd.data.([]int32), red)
	case []int64:
		ok = scatterRed(d, dst, upd.data.([]int64), red)
	case []uint8:
		ok = scatterRed(d, dst, upd.data.([]uint8), red)
	case []uint16:
		ok = scatterRed(d, dst, upd.data.([]uint16), red)
	case []uint32:
		ok = scatterRed(d, dst, upd.data.([]uint32), red)
	case []uint64:
		ok = scatterRed(d, dst, upd.data.([]uint64), red)
	default:
		return nil, notImplf("reduction %q on %s", red, typeName(x.dt))
	}
	if !ok {
		return nil, invalidf("reduction %q", red)
	}
	return withData(x.dt, x.shape, out), nil
}

func scatterRed[T number](d []T, idx []int, s []T, red string) bool {
	var f func(a, b T) T
	switch red {
	case "add":
		f = func(a, b T) T { return a + b }
	case "mul":
		f = func(a, b T) T { return a * b }
	case "max":
		f = func(a, b T) T { return max(a, b) }
	case "min":
		f = func(a, b T) T { return min(a, b) }
	default:
		return false
	}
	for i, j := range idx {
		d[j] = f(d[j], s[i])
	}
	return true
}

func oneHot(c *ctx, in []*tensor) ([]*tensor, error) {
	ind, depthT, vals := in[0], in[1], in[2]
	axis64 := c.int("axis")
	if c.err != nil {
		return nil, c.err
	}
	depthF, err := scalarFloat(depthT, "depth")
	if err != nil {
		return nil, err
	}
	if !(depthF >= 1) || depthF > math.MaxInt32 {
		return nil, invalidf("depth %g", depthF)
	}
	depth := int(depthF)
	if vals.size() != 2 {
		return nil, invalidf("values must have two elements")
	}
	r := ind.rank() + 1
	axis, err := normAxis(axis64, r)
	if err != nil {
		return nil, err
	}
	idxF, err := toFloat64s(ind)
	if err != nil {
		return nil, err
	}
	shape := append(append(append([]int{}, ind.shape[:axis]...), depth), ind.shape[axis:]...)
	n, err := c.check(shape)
	if err != nil {
		return nil, err
	}
	outer := numel(ind.shape[:axis])
	inner := numel(ind.shape[axis:])
	src := make([]int, n) // 0 picks off, 1 picks on
	for o := range outer {
		for k := range inner {
			v := int64(idxF[o*inner+k])
			if v < 0 {
				v += int64(depth)
			}
			if v >= 0 && v < int64(depth) {
				src[(o*depth+int(v))*inner+k] = 1
			}
		}
	}
	return []*tensor{withData(vals.dt, shape, take(vals.data, src))}, nil
}

func nonZero(c *ctx, in []*tensor) ([]*tensor, error) {
	x := in[0]
	var nz []bool
	switch s := x.data.(type) {
	case []bool:
		nz = s
	case []string:
		nz = mapT(s, func(v string) bool { return v != "" })
	case []complex64:
		nz = mapT(s, func(v complex64) bool { return v != 0 })
	case []complex128:
		nz = mapT(s, func(v complex128) bool { return v != 0 })
	default:
		f, err := toFloat64s(x)
		if err != nil {
			return nil, err
		}
		nz = mapT(f, func(v float64) bool { return v != 0 })
	}
	var pos []int
	for i, b := range nz {
		if b {
			pos = append(pos, i)
		}
	}
	r := x.rank()
	out := make([]int64, r*len(pos))
	st := stridesOf(x.shape)
	for j, p := range pos {
		for d := range r {
			out[d*len(pos)+j] = int64(p / st[d])
			p %= st[d]
		}
	}
	shape := []int{r, len(pos)}
	return []*tensor{withData(dtInt64, shape, out)}, nil
}

func compress(c *ctx, in []*tensor) ([]*tensor, error) {
	x, cond := in[0], in[1]
	hasAxis := c.has("axis")
	axis64 := c.int("axis")
	if c.err != nil {
		return nil, c.err
	}
	cd, ok := cond.data.([]bool)
	if !ok || cond.rank() != 1 {
		return nil, invalidf("condition must be a 1-D bool tensor")
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
	if len(cd) > dim {
		return nil, invalidf("condition of %d for a dim of %d", len(cd), dim)
	}
	var keep []int
	for i, b := range cd {
		if b {
			keep = append(keep, i)
		}
	}
	shape := append([]int{}, x.shape...)
	shape[axis] = len(keep)
	outer := numel(x.shape[:axis])
	inner := numel(x.shape[axis+1:])
	src := make([]int, 0, numel(shape))
	for o := range outer {
		for _, j := range keep {
			base := (o*dim + j) * inner
			for k := range inner {
				src = append(src, base+k)
			}
		}
	}
	return []*tensor{withData(x.dt, shape, take(x.data, src))}, nil
}

func trilu(c *ctx, in []*tensor) ([]*tensor, error) {
	x := in[0]
	upper := c.int("upper") != 0
	if c.err != nil {
		return nil, c.err
	}
	kk := int64(0)
	if len(in) > 1 && in[1] != nil {
		v, err := scalarInt(in[1], "k")
		if err != nil {
			return nil, err
		}
		kk = v
	}
	if x.rank() < 2 {
		return nil, invalidf("input of rank %d", x.rank())
	}
	rows, cols := x.shape[x.rank()-2], x.shape[x.rank()-1]
	n := x.size()
	src := make([]int, n)
	for i := range src {
		rc := i % (rows * cols)
		row, col := int64(rc/cols), int64(rc%cols)
		keep := col-row >= kk
		if !upper {
			keep = col-row <= kk
		}
		if keep {
			src[i] = i
		} else {
			src[i] = -1
		}
	}
	return []*tensor{withData(x.dt, x.shape, takeOr(x.data, src, makeData(x.dt, 1)))}, nil
}

func eyeLike(c *ctx, in []*tensor) ([]*tensor, error) {
	x := in[0]
	dt := x.dt
	if c.has("dtype") {
		dt = DataType(c.int("dtype"))
	}
	kk := c.int("k")
	if c.err != nil {
		return nil, c.err
	}
	if x.rank() != 2 {
		return nil, invalidf("input of rank %d", x.rank())
	}
	out, err := c.alloc(dt, x.shape)
	if err != nil {
		return nil, err
	}
	ones := make([]float64, out.size())
	rows, cols := x.shape[0], x.shape[1]
	for i := range rows {
		j := int64(i) + kk
		if j >= 0 && j < int64(cols) {
			ones[i*cols+int(j)] = 1
		}
	}
	res, err := castTo(c, withData(dtDouble, x.shape, ones), dt, true)
	return []*tensor{res}, err
}

func reverseSequence(c *ctx, in []*tensor) ([]*tensor, error) {
	x, lens := in[0], in[1]
	ba, ta := c.int("batch_axis"), c.int("time_axis")
	if c.err != nil {
		return nil, c.err
	}
	if x.rank() < 2 || (ba != 0 && ba != 1) || ta != 1-ba {
		return nil, invalidf("batch_axis %d and time_axis %d for rank %d", ba, ta, x.rank())
	}
	l, err := toInt64s(lens)
	if err != nil {
		return nil, err
	}
	nb, nt := x.shape[ba], x.shape[ta]
	if len(l) != nb {
		return nil, invalidf("%d sequence lengths for a batch of %d", len(l), nb)
	}
	st := stridesOf(x.shape)
	src := make([]int, x.size())
	for i := range src {
		b := (i / st[ba]) % nb
		t := (i / st[ta]) % nt
		if l[b] < 0 || l[b] > int64(nt) {
			return nil, invalidf("sequence length %d for a time dim of %d", l[b], nt)
		}
		src[i] = i
		if int64(t) < l[b] {
			src[i] = i + (int(l[b])-1-2*t)*st[ta]
		}
	}
	return []*tensor{withData(x.dt, x.shape, take(x.data, src))}, nil
}

// blockArgs checks the input of DepthToSpace and SpaceToDepth.
func blockArgs(c *ctx, x *tensor) (int, error) {
	b := c.int("blocksize")
	if c.err != nil {
		return 0, c.err
	}
	if x.rank() != 4 {
		return 0, invalidf("input of rank %d", x.rank())
	}
	if b < 1 || b > math.MaxInt16 {
		return 0, invalidf("blocksize %d", b)
	}
	return int(b), nil
}

func depthToSpace(c *ctx, in []*tensor) ([]*tensor, error) {
	x := in[0]
	b, err := blockArgs(c, x)
	if err != nil {
		return nil, err
	}
	mode := "DCR"
	if _, ok := c.schema.Attribute("mode"); ok {
		mode = c.str("mode")
	}
	n, ch, h, w := x.shape[0], x.shape[1], x.shape[2], x.shape[3]
	if ch%(b*b) != 0 {
		return nil, invalidf("%d channels for blocksize %d", ch, b)
	}
	oc := ch / (b * b)
	var tmp *tensor
	switch mode {
	case "DCR":
		tmp = reshaped(x, []int{n, b, b, oc, h, w})
		tmp, err = transposeT(c, tmp, []int{0, 3, 4, 1, 5, 2})
	case "CRD":
		tmp = reshaped(x, []int{n, oc, b, b, h, w})
		tmp, err = transposeT(c, tmp, []int{0, 1, 4, 2, 5, 3})
	default:
		return nil, invalidf("mode %q", mode)
	}
	if err != nil {
		return nil, err
	}
	return []*tensor{reshaped(tmp, []int{n, oc, h * b, w * b})}, nil
}

func spaceToDepth(c *ctx, in []*tensor) ([]*tensor, error) {
	x := in[0]
	b, err := blockArgs(c, x)
	if err != nil {
		return nil, err
	}
	n, ch, h, w := x.shape[0], x.shape[1], x.shape[2], x.shape[3]
	if h%b != 0 || w%b != 0 {
		return nil, invalidf("spatial dims %dx%d for blocksize %d", h, w, b)
	}
	tmp := reshaped(x, []int{n, ch, h / b, b, w / b, b})
	tmp, err = transposeT(c, tmp, []int{0, 3, 5, 1, 2, 4})
	if err != nil {
		return nil, err
	}
	return []*tensor{reshaped(tmp, []int{n, ch * b * b, h / b, w / b})}, nil
}

// tensorScatter writes update into a copy of past_cache along axis, from
// each batch's write index on (wrapping in circular mode): the key-value
// cache update of attention.
func tensorScatter(c *ctx, in []*tensor) ([]*tensor, error) {
	past, upd := in[0], in[1]
	mode := c.str("mode")
	axis, err := normAxis(c.int("axis"), past.rank())
	if c.err != nil {
		return nil, c.err
	}
	if err != nil {
		return nil, err
	}
	if mode != "linear" && mode != "circular" {
		return nil, invalidf("mode %q", mode)
	}
	if upd.dt != past.dt || upd.rank() != past.rank() || axis == 0 {
		return nil, invalidf("update %s for cache %s at axis %d", shapeString(upd.shape), shapeString(past.shape), axis)
	}
	for d := range past.shape {
		if (d != axis && upd.shape[d] != past.shape[d]) || (d == axis && upd.shape[d] > past.shape[d]) {
			return nil, invalidf("update %s for cache %s", shapeString(upd.shape), shapeString(past.shape))
		}
	}
	batch := past.shape[0]
	idx := make([]int64, batch)
	if len(in) > 2 && in[2] != nil {
		v, err := toInt64s(in[2])
		if err != nil {
			return nil, err
		}
		if len(v) != batch {
			return nil, invalidf("%d write indices for a batch of %d", len(v), batch)
		}
		idx = v
	}
	maxSeq, seq := past.shape[axis], upd.shape[axis]
	inner := numel(past.shape[axis+1:])
	outer := numel(past.shape[:axis])
	perBatch := outer / max(batch, 1)
	dst := make([]int, 0, upd.size())
	for o := range outer {
		start := idx[o/max(perBatch, 1)]
		for s := range seq {
			p := start + int64(s)
			if mode == "circular" {
				p = ((p % int64(maxSeq)) + int64(maxSeq)) % int64(maxSeq)
			}
			if p < 0 || p >= int64(maxSeq) {
				return nil, invalidf("write position %d outside a cache of %d", p, maxSeq)
			}
			for k := range inner {
				dst = append(dst, (o*maxSeq+int(p))*inner+k)
			}
		}
	}
	out := cloneData(past.data)
	scatterInto(out, dst, upd.data)
	return []*tensor{withData(past.dt, past.shape, out)}, nil
}
