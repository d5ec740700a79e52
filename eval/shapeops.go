package eval

import (
	"math"
	"math/big"
)

// Shape and data-movement operators: Identity, Shape, Size, Reshape,
// Flatten, Squeeze, Unsqueeze, Transpose, Concat, Split, Slice, Expand,
// Tile, Pad, Constant, ConstantOfShape, Range.

var shapeTable = map[key]entry{
	{onnx, "Identity", 1}:  kv(identity, tAny),
	{onnx, "Identity", 13}: kv(identity, tAny),
	{onnx, "Identity", 14}: kv(identity, tAny),
	{onnx, "Identity", 16}: kv(identity, tAny),
	{onnx, "Identity", 19}: kv(identity, tAny),
	{onnx, "Identity", 21}: kv(identity, tAny),
	{onnx, "Identity", 23}: kv(identity, tAny),
	{onnx, "Identity", 24}: kv(identity, tAny),
	{onnx, "Identity", 25}: kv(identity, tAny),

	{onnx, "Shape", 1}:  k(shapeOp, tAny),
	{onnx, "Shape", 13}: k(shapeOp, tAny),
	{onnx, "Shape", 15}: k(shapeOp, tAny, "end", "start"),
	{onnx, "Shape", 19}: k(shapeOp, tAny, "end", "start"),
	{onnx, "Shape", 21}: k(shapeOp, tAny, "end", "start"),
	{onnx, "Shape", 23}: k(shapeOp, tAny, "end", "start"),
	{onnx, "Shape", 24}: k(shapeOp, tAny, "end", "start"),
	{onnx, "Shape", 25}: k(shapeOp, tAny, "end", "start"),
	{onnx, "Size", 1}:   k(size, tAny),
	{onnx, "Size", 13}:  k(size, tAny),
	{onnx, "Size", 19}:  k(size, tAny),
	{onnx, "Size", 21}:  k(size, tAny),
	{onnx, "Size", 23}:  k(size, tAny),
	{onnx, "Size", 24}:  k(size, tAny),
	{onnx, "Size", 25}:  k(size, tAny),

	{onnx, "Reshape", 1}:    k(reshape, tAny, "consumed_inputs", "shape"),
	{onnx, "Reshape", 5}:    k(reshape, tAny),
	{onnx, "Reshape", 13}:   k(reshape, tAny),
	{onnx, "Reshape", 14}:   k(reshape, tAny, "allowzero"),
	{onnx, "Reshape", 19}:   k(reshape, tAny, "allowzero"),
	{onnx, "Reshape", 21}:   k(reshape, tAny, "allowzero"),
	{onnx, "Reshape", 23}:   k(reshape, tAny, "allowzero"),
	{onnx, "Reshape", 24}:   k(reshape, tAny, "allowzero"),
	{onnx, "Reshape", 25}:   k(reshape, tAny, "allowzero"),
	{onnx, "Flatten", 1}:    k(flatten, tAny, "axis"),
	{onnx, "Flatten", 9}:    k(flatten, tAny, "axis"),
	{onnx, "Flatten", 11}:   k(flatten, tAny, "axis"),
	{onnx, "Flatten", 13}:   k(flatten, tAny, "axis"),
	{onnx, "Flatten", 21}:   k(flatten, tAny, "axis"),
	{onnx, "Flatten", 23}:   k(flatten, tAny, "axis"),
	{onnx, "Flatten", 24}:   k(flatten, tAny, "axis"),
	{onnx, "Flatten", 25}:   k(flatten, tAny, "axis"),
	{onnx, "Squeeze", 1}:    k(squeeze, tAny, "axes"),
	{onnx, "Squeeze", 11}:   k(squeeze, tAny, "axes"),
	{onnx, "Squeeze", 13}:   k(squeeze, tAny),
	{onnx, "Squeeze", 21}:   k(squeeze, tAny),
	{onnx, "Squeeze", 23}:   k(squeeze, tAny),
	{onnx, "Squeeze", 24}:   k(squeeze, tAny),
	{onnx, "Squeeze", 25}:   k(squeeze, tAny),
	{onnx, "Unsqueeze", 1}:  k(unsqueeze, tAny, "axes"),
	{onnx, "Unsqueeze", 11}: k(unsqueeze, tAny, "axes"),
	{onnx, "Unsqueeze", 13}: k(unsqueeze, tAny),
	{onnx, "Unsqueeze", 21}: k(unsqueeze, tAny),
	{onnx, "Unsqueeze", 23}: k(unsqueeze, tAny),
	{onnx, "Unsqueeze", 24}: k(unsqueeze, tAny),
	{onnx, "Unsqueeze", 25}: k(unsqueeze, tAny),
	{onnx, "Transpose", 1}:  k(transpose, tAny, "perm"),
	{onnx, "Transpose", 13}: k(transpose, tAny, "perm"),
	{onnx, "Transpose", 21}: k(transpose, tAny, "perm"),
	{onnx, "Transpose", 23}: k(transpose, tAny, "perm"),
	{onnx, "Transpose", 24}: k(transpose, tAny, "perm"),
	{onnx, "Transpose", 25}: k(transpose, tAny, "perm"),

	{onnx, "Concat", 1}:  k(concat, tAny, "axis"),
	{onnx, "Concat", 4}:  k(concat, tAny, "axis"),
	{onnx, "Concat", 11}: k(concat, tAny, "axis"),
	{onnx, "Concat", 13}: k(concat, tAny, "axis"),
	{onnx, "Split", 1}:   k(split, tAny, "axis", "split"),
	{onnx, "Split", 2}:   k(split, tAny, "axis", "split"),
	{onnx, "Split", 11}:  k(split, tAny, "axis", "split"),
	{onnx, "Split", 13}:  k(split, tAny, "axis"),
	{onnx, "Split", 18}:  k(split, tAny, "axis", "num_outputs"),
	{onnx, "Slice", 1}:   k(slice, tAny, "axes", "ends", "starts"),
	{onnx, "Slice", 10}:  k(slice, tAny),
	{onnx, "Slice", 11}:  k(slice, tAny),
	{onnx, "Slice", 13}:  k(slice, tAny),
	{onnx, "Expand", 8}:  k(expand, tAny),
	{onnx, "Expand", 13}: k(expand, tAny),
	{onnx, "Tile", 1}:    k(tile1, tAny),
	{onnx, "Tile", 6}:    k(tile, tAny),
	{onnx, "Tile", 13}:   k(tile, tAny),
	{onnx, "Pad", 1}:     k(pad, tAny, "mode", "paddings", "value"),
	{onnx, "Pad", 2}:     k(pad, tAny, "mode", "pads", "value"),
	{onnx, "Pad", 11}:    k(pad, tAny, "mode"),
	{onnx, "Pad", 13}:    k(pad, tAny, "mode"),
	{onnx, "Pad", 18}:    k(pad, tAny, "mode"),
	{onnx, "Pad", 19}:    k(pad, tAny, "mode"),
	{onnx, "Pad", 21}:    k(pad, tAny, "mode"),
	{onnx, "Pad", 23}:    k(pad, tAny, "mode"),
	{onnx, "Pad", 24}:    k(pad, tAny, "mode"),
	{onnx, "Pad", 25}:    k(pad, tAny, "mode"),

	{onnx, "CenterCropPad", 18}: k(centerCropPad, tAny, "axes"),

	{onnx, "Constant", 1}:  k(constant, nil, "value"),
	{onnx, "Constant", 9}:  k(constant, nil, "value"),
	{onnx, "Constant", 11}: k(constant, nil, "sparse_value", "value"),
	{onnx, "Constant", 12}: k(constant, nil, constantAttrs...),
	{onnx, "Constant", 13}: k(constant, nil, constantAttrs...),
	{onnx, "Constant", 19}: k(constant, nil, constantAttrs...),
	{onnx, "Constant", 21}: k(constant, nil, constantAttrs...),
	{onnx, "Constant", 23}: k(constant, nil, constantAttrs...),
	{onnx, "Constant", 24}: k(constant, nil, constantAttrs...),
	{onnx, "Constant", 25}: k(constant, nil, constantAttrs...),

	{onnx, "ConstantOfShape", 9}:  k(constantOfShape, tInt64, "value"),
	{onnx, "ConstantOfShape", 20}: k(constantOfShape, tInt64, "value"),
	{onnx, "ConstantOfShape", 21}: k(constantOfShape, tInt64, "value"),
	{onnx, "ConstantOfShape", 23}: k(constantOfShape, tInt64, "value"),
	{onnx, "ConstantOfShape", 24}: k(constantOfShape, tInt64, "value"),
	{onnx, "ConstantOfShape", 25}: k(constantOfShape, tInt64, "value"),
	{onnx, "Range", 11}:           k(rangeOp, tRange),
	{onnx, "Range", 27}:           k(rangeOp, cat(tRange, []DataType{dtFloat16, dtBFloat16}), "stash_type"),
}

var (
	// tAny is every type the evaluator holds.
	tAny          = cat(tNumeric, tBool, []DataType{dtString, dtComplex64, dtComplex128, dtE8M0, dtFloat4, dtInt2, dtUint2}, tFloat8, tInt4s)
	tRange        = []DataType{dtFloat, dtDouble, dtInt16, dtInt32, dtInt64}
	constantAttrs = []string{"sparse_value", "value", "value_float", "value_floats", "value_int", "value_ints", "value_string", "value_strings"}
)

func identity(c *ctx, in []any) ([]any, error) {
	return []any{in[0]}, nil
}

func shapeOp(c *ctx, in []*tensor) ([]*tensor, error) {
	r := in[0].rank()
	start, end := 0, r
	if _, ok := c.schema.Attribute("start"); ok {
		start = clampAxis(c.int("start"), r)
		if c.has("end") {
			end = clampAxis(c.int("end"), r)
		}
	}
	if c.err != nil {
		return nil, c.err
	}
	out := []int64{}
	for i := start; i < end; i++ {
		out = append(out, int64(in[0].shape[i]))
	}
	return []*tensor{withData(dtInt64, []int{len(out)}, out)}, nil
}

// clampAxis maps a possibly negative axis to [0, rank], clamping.
func clampAxis(a int64, rank int) int {
	if a < 0 {
		a += int64(rank)
	}
	return int(min(max(a, 0), int64(rank)))
}

func size(c *ctx, in []*tensor) ([]*tensor, error) {
	return []*tensor{withData(dtInt64, nil, []int64{int64(in[0].size())})}, nil
}

// reshaped returns x with a new shape over the same data.
func reshaped(x *tensor, shape []int) *tensor { return withData(x.dt, shape, x.data) }

func reshape(c *ctx, in []*tensor) ([]*tensor, error) {
	var spec []int64
	if c.since() < 5 {
		s, ok := c.ints("shape")
		if !ok {
			return nil, invalidf("no shape")
		}
		spec = s
	} else {
		if len(in) < 2 || in[1] == nil {
			return nil, invalidf("no shape input")
		}
		s, err := toInt64s(in[1])
		if err != nil {
			return nil, err
		}
		spec = s
	}
	allowzero := false
	if _, ok := c.schema.Attribute("allowzero"); ok {
		allowzero = c.int("allowzero") != 0
	}
	if c.err != nil {
		return nil, c.err
	}
	x := in[0]
	shape, err := resolveShape(x.shape, spec, allowzero)
	if err != nil {
		return nil, err
	}
	return []*tensor{reshaped(x, shape)}, nil
}

// resolveShape applies Reshape's rules: 0 copies the input dim (unless
// allowzero), one -1 takes the rest.
func resolveShape(in []int, spec []int64, allowzero bool) ([]int, error) {
	shape := make([]int, len(spec))
	infer := -1
	for i, d := range spec {
		switch {
		case d == -1:
			if infer >= 0 {
				return nil, invalidf("shape %v has more than one -1", spec)
			}
			infer = i
			shape[i] = 1
		case d == 0 && !allowzero:
			if i >= len(in) {
				return nil, invalidf("shape %v copies dim %d of a rank-%d input", spec, i, len(in))
			}
			shape[i] = in[i]
		case d < 0 || d > math.MaxInt32:
			return nil, invalidf("bad dim %d in shape %v", d, spec)
		default:
			shape[i] = int(d)
		}
	}
	total := numel(in)
	known := numel(shape)
	switch {
	case known < 0:
		return nil, invalidf("shape %v does not hold %d elements", spec, total)
	case infer >= 0:
		if known == 0 || total%known != 0 {
			return nil, invalidf("shape %v does not hold %d elements", spec, total)
		}
		shape[infer] = total / known
	case known != total:
		return nil, invalidf("shape %v does not hold %d elements", spec, total)
	}
	return shape, nil
}

func flatten(c *ctx, in []*tensor) ([]*tensor, error) {
	x := in[0]
	axis := c.int("axis")
	if c.err != nil {
		return nil, c.err
	}
	r := int64(x.rank())
	if axis < -r || axis > r {
		return nil, invalidf("axis %d out of range for rank %d", axis, r)
	}
	if axis < 0 {
		axis += r
	}
	a, b := 1, 1
	for i, d := range x.shape {
		if int64(i) < axis {
			a *= d
		} else {
			b *= d
		}
	}
	return []*tensor{reshaped(x, []int{a, b})}, nil
}

// axesArg returns the axes of Squeeze, Unsqueeze and the reductions: the
// attribute in older versions, the optional second input in newer ones.
func axesArg(c *ctx, in []*tensor, idx int) ([]int64, bool, error) {
	if _, ok := c.schema.Attribute("axes"); ok {
		a, ok := c.ints("axes")
		return a, ok, c.err
	}
	if len(in) > idx && in[idx] != nil {
		a, err := toInt64s(in[idx])
		return a, true, err
	}
	return nil, false, nil
}

func squeeze(c *ctx, in []*tensor) ([]*tensor, error) {
	x := in[0]
	axes, ok, err := axesArg(c, in, 1)
	if err != nil {
		return nil, err
	}
	drop := make([]bool, x.rank())
	if ok {
		ax, err := normAxes(axes, x.rank())
		if err != nil {
			return nil, err
		}
		for _, a := range ax {
			if x.shape[a] != 1 {
				return nil, invalidf("cannot squeeze axis %d of size %d", a, x.shape[a])
			}
			drop[a] = true
		}
	} else {
		for i, d := range x.shape {
			drop[i] = d == 1
		}
	}
	shape := []int{}
	for i, d := range x.shape {
		if !drop[i] {
			shape = append(shape, d)
		}
	}
	return []*tensor{reshaped(x, shape)}, nil
}

func unsqueeze(c *ctx, in []*tensor) ([]*tensor, error) {
	x := in[0]
	axes, ok, err := axesArg(c, in, 1)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, invalidf("no axes")
	}
	r := x.rank() + len(axes)
	ax, err := normAxes(axes, r)
	if err != nil {
		return nil, err
	}
	ins := make([]bool, r)
	for _, a := range ax {
		ins[a] = true
	}
	shape := make([]int, r)
	j := 0
	for i := range shape {
		if ins[i] {
			shape[i] = 1
		} else {
			shape[i] = x.shape[j]
			j++
		}
	}
	return []*tensor{reshaped(x, shape)}, nil
}

func transpose(c *ctx, in []*tensor) ([]*tensor, error) {
	x := in[0]
	r := x.rank()
	perm, ok := c.ints("perm")
	if c.err != nil {
		return nil, c.err
	}
	p := make([]int, r)
	if ok && len(perm) > 0 || ok && r == 0 {
		if len(perm) != r {
			return nil, invalidf("perm %v for rank %d", perm, r)
		}
		pn, err := normAxes(perm, r)
		if err != nil {
			return nil, err
		}
		p = pn
	} else {
		for i := range p {
			p[i] = r - 1 - i
		}
	}
	out, err := transposeT(c, x, p)
	return []*tensor{out}, err
}

// transposeT permutes the dims of x: output dim i is input dim p[i].
func transposeT(c *ctx, x *tensor, p []int) (*tensor, error) {
	st := stridesOf(x.shape)
	shape := make([]int, len(p))
	tabs := make([][]int, len(p))
	for i, a := range p {
		shape[i] = x.shape[a]
		tabs[i] = affine(shape[i], 0, st[a])
	}
	n, err := c.check(shape)
	if err != nil {
		return nil, err
	}
	return withData(x.dt, shape, take(x.data, separable(shape, tabs, n))), nil
}

// affine returns the table start*stride, (start+step)*stride, ... of n
// terms.
func affine(n, start, step int) []int {
	t := make([]int, n)
	for i := range t {
		t[i] = start + i*step
	}
	return t
}

func concat(c *ctx, in []*tensor) ([]*tensor, error) {
	axis := int64(1)
	if c.since() > 1 || c.has("axis") {
		axis = c.int("axis")
	}
	if c.err != nil {
		return nil, c.err
	}
	out, err := concatT(c, in, axis)
	return []*tensor{out}, err
}

// concatT joins tensors along axis.
func concatT(c *ctx, in []*tensor, axis64 int64) (*tensor, error) {
	if len(in) == 0 || in[0] == nil {
		return nil, invalidf("no inputs")
	}
	first := in[0]
	r := first.rank()
	axis, err := normAxis(axis64, r)
	if err != nil {
		return nil, err
	}
	shape := append([]int(nil), first.shape...)
	shape[axis] = 0
	for _, x := range in {
		if x == nil || x.dt != first.dt || x.rank() != r {
			return nil, invalidf("inputs of different types or ranks")
		}
		for d := range shape {
			if d != axis && x.shape[d] != first.shape[d] {
				return nil, invalidf("shapes %s and %s differ off axis %d", shapeString(first.shape), shapeString(x.shape), axis)
			}
		}
		shape[axis] += x.shape[axis]
	}
	out, err := c.alloc(first.dt, shape)
	if err != nil {
		return nil, err
	}
	outer := numel(shape[:axis])
	inner := numel(shape[axis+1:])
	row := shape[axis] * inner
	off := 0
	for _, x := range in {
		w := x.shape[axis] * inner
		for o := range outer {
			if w > 0 {
				copyInto(out.data, o*row+off, sub(x.data, o*w, (o+1)*w))
			}
		}
		off += w
	}
	return out, nil
}

func split(c *ctx, in []*tensor) ([]*tensor, error) {
	x := in[0]
	axis64 := c.int("axis")
	var sizes []int64
	hasSizes := false
	if _, ok := c.schema.Attribute("split"); ok {
		sizes, hasSizes = c.ints("split")
	}
	if len(in) > 1 && in[1] != nil {
		s, err := toInt64s(in[1])
		if err != nil {
			return nil, err
		}
		sizes, hasSizes = s, true
	}
	numOut := c.nout
	if _, ok := c.schema.Attribute("num_outputs"); ok && c.has("num_outputs") {
		numOut = int(c.int("num_outputs"))
		if hasSizes {
			return nil, invalidf("both split and num_outputs")
		}
	}
	if c.err != nil {
		return nil, c.err
	}
	axis, err := normAxis(axis64, x.rank())
	if err != nil {
		return nil, err
	}
	dim := x.shape[axis]
	if !hasSizes || len(sizes) == 0 {
		if numOut != c.nout {
			return nil, invalidf("%d outputs for num_outputs %d", c.nout, numOut)
		}
		if numOut < 1 {
			return nil, invalidf("%d outputs", numOut)
		}
		per := dim / numOut
		if c.has("num_outputs") {
			per = (dim + numOut - 1) / numOut
		} else if dim%numOut != 0 {
			return nil, invalidf("dim %d does not split evenly in %d", dim, numOut)
		}
		sizes = make([]int64, numOut)
		rest := int64(dim)
		for i := range sizes {
			sizes[i] = min(int64(per), rest)
			rest -= sizes[i]
		}
	}
	if len(sizes) != c.nout {
		return nil, invalidf("%d split sizes for %d outputs", len(sizes), c.nout)
	}
	total := int64(0)
	for _, s := range sizes {
		if s < 0 {
			return nil, invalidf("negative split size %d", s)
		}
		total += s
	}
	if total != int64(dim) {
		return nil, invalidf("split sizes %v do not add up to %d", sizes, dim)
	}
	outs := make([]*tensor, len(sizes))
	start := 0
	for i, s := range sizes {
		outs[i] = sliceAxis(x, axis, start, start+int(s))
		start += int(s)
	}
	return outs, nil
}

// sliceAxis returns elements [lo, hi) of x along axis.
func sliceAxis(x *tensor, axis, lo, hi int) *tensor {
	shape := append([]int(nil), x.shape...)
	shape[axis] = hi - lo
	outer := numel(x.shape[:axis])
	inner := numel(x.shape[axis+1:])
	w := (hi - lo) * inner
	out := makeData(x.dt, outer*w)
	for o := range outer {
		if w > 0 {
			base := (o*x.shape[axis] + lo) * inner
			copyInto(out, o*w, sub(x.data, base, base+w))
		}
	}
	return withData(x.dt, shape, out)
}

func slice(c *ctx, in []*tensor) ([]*tensor, error) {
	x := in[0]
	var starts, ends, axes, steps []int64
	if c.since() < 10 {
		starts, _ = c.ints("starts")
		ends, _ = c.ints("ends")
		axes, _ = c.ints("axes")
		if c.err != nil {
			return nil, c.err
		}
	} else {
		args := make([][]int64, 4)
		for i := range args {
			if i+1 < len(in) && in[i+1] != nil {
				v, err := toInt64s(in[i+1])
				if err != nil {
					return nil, err
				}
				args[i] = v
			}
		}
		if len(in) < 3 || in[1] == nil || in[2] == nil {
			return nil, invalidf("starts and ends are required")
		}
		starts, ends, axes, steps = args[0], args[1], args[2], args[3]
	}
	if len(starts) != len(ends) {
		return nil, invalidf("%d starts and %d ends", len(starts), len(ends))
	}
	if axes == nil {
		axes = make([]int64, len(starts))
		for i := range axes {
			axes[i] = int64(i)
		}
	}
	if steps == nil {
		steps = make([]int64, len(starts))
		for i := range steps {
			steps[i] = 1
		}
	}
	if len(axes) != len(starts) || len(steps) != len(starts) {
		return nil, invalidf("starts, ends, axes and steps differ in length")
	}
	r := x.rank()
	ax, err := normAxes(axes, r)
	if err != nil {
		return nil, err
	}
	st := stridesOf(x.shape)
	shape := append([]int(nil), x.shape...)
	tabs := make([][]int, r)
	done := make([]bool, r)
	for i, a := range ax {
		dim := int64(x.shape[a])
		step := steps[i]
		if step == 0 {
			return nil, invalidf("step 0")
		}
		start, end := starts[i], ends[i]
		if start < 0 {
			start += dim
		}
		if end < 0 {
			end += dim
		}
		var n int64
		if step > 0 {
			start = min(max(start, 0), dim)
			end = min(max(end, 0), dim)
			if end > start {
				n = (end - start + step - 1) / step
			}
		} else {
			start = min(max(start, -1), dim-1)
			end = min(max(end, -1), dim-1)
			if start > end {
				n = (start - end + (-step) - 1) / (-step)
			}
		}
		shape[a] = int(n)
		tabs[a] = affine(int(n), int(start)*st[a], int(step)*st[a])
		done[a] = true
	}
	for d := range tabs {
		if !done[d] {
			tabs[d] = affine(shape[d], 0, st[d])
		}
	}
	n, err := c.check(shape)
	if err != nil {
		return nil, err
	}
	return []*tensor{withData(x.dt, shape, take(x.data, separable(shape, tabs, n)))}, nil
}

// shapeInput reads a 1-D int64 shape input as dims, checking each.
func shapeInput(t *tensor, what string) ([]int, error) {
	if t == nil {
		return nil, invalidf("no %s", what)
	}
	v, err := toInt64s(t)
	if err != nil {
		return nil, err
	}
	if t.rank() > 1 {
		return nil, invalidf("%s of rank %d", what, t.rank())
	}
	out := make([]int, len(v))
	for i, d := range v {
		switch {
		case d < 0:
			return nil, invalidf("bad %s %v", what, v)
		case d > math.MaxInt32:
			return nil, errorf(ErrTooLarge, "%s %v has a dim above 2^31-1", what, v)
		}
		out[i] = int(d)
	}
	return out, nil
}

func expand(c *ctx, in []*tensor) ([]*tensor, error) {
	x := in[0]
	want, err := shapeInput(in[1], "shape")
	if err != nil {
		return nil, err
	}
	shape, err := broadcastShapes(x.shape, want)
	if err != nil {
		return nil, err
	}
	out, err := broadcastTensor(c, x, shape)
	return []*tensor{out}, err
}

// broadcastTensor repeats x to shape, to which it must broadcast.
func broadcastTensor(c *ctx, x *tensor, shape []int) (*tensor, error) {
	n, err := c.check(shape)
	if err != nil {
		return nil, err
	}
	if !broadcastsTo(x.shape, shape) {
		return nil, invalidf("shape %s does not broadcast to %s", shapeString(x.shape), shapeString(shape))
	}
	return withData(x.dt, shape, take(x.data, offsets(x.shape, shape, n))), nil
}

func tile(c *ctx, in []*tensor) ([]*tensor, error) {
	x := in[0]
	reps, err := toInt64s(in[1])
	if err != nil {
		return nil, err
	}
	if len(reps) != x.rank() {
		return nil, invalidf("%d repeats for rank %d", len(reps), x.rank())
	}
	shape := make([]int, x.rank())
	for i, r := range reps {
		if r < 0 || r > math.MaxInt32 {
			return nil, invalidf("bad repeats %v", reps)
		}
		if numel([]int{x.shape[i], int(r)}) < 0 {
			return nil, errorf(ErrTooLarge, "repeats %v", reps)
		}
		shape[i] = x.shape[i] * int(r)
	}
	n, err := c.check(shape)
	if err != nil {
		return nil, err
	}
	st := stridesOf(x.shape)
	tabs := make([][]int, len(shape))
	for d := range shape {
		tabs[d] = make([]int, shape[d])
		for j := range tabs[d] {
			tabs[d][j] = (j % x.shape[d]) * st[d]
		}
	}
	return []*tensor{withData(x.dt, shape, take(x.data, separable(shape, tabs, n)))}, nil
}

// padConstant pads x with zeros: pads holds the counts before each dim,
// then after.
func padConstant(c *ctx, x *tensor, pads []int64) (*tensor, error) {
	return padT(c, x, "constant", pads, nil, nil)
}

func pad(c *ctx, in []*tensor) ([]*tensor, error) {
	x := in[0]
	r := x.rank()
	mode := c.str("mode")
	var pads []int64
	var value *tensor
	axes := make([]int, r)
	for i := range axes {
		axes[i] = i
	}
	switch {
	case c.since() < 2:
		pads, _ = c.ints("paddings")
		v := c.float("value")
		value = withData(dtDouble, nil, []float64{float64(v)})
	case c.since() < 11:
		pads, _ = c.ints("pads")
		v := c.float("value")
		value = withData(dtDouble, nil, []float64{float64(v)})
	default:
		p, err := toInt64s(in[1])
		if err != nil {
			return nil, err
		}
		pads = p
		if len(in) > 2 && in[2] != nil {
			if in[2].size() != 1 || in[2].dt != x.dt {
				return nil, invalidf("constant_value must be one %s", typeName(x.dt))
			}
			value = in[2]
		}
		if len(in) > 3 && in[3] != nil {
			a, err := toInt64s(in[3])
			if err != nil {
				return nil, err
			}
			if axes, err = normAxes(a, r); err != nil {
				return nil, err
			}
		}
	}
	if c.err != nil {
		return nil, c.err
	}
	out, err := padT(c, x, mode, pads, value, axes)
	return []*tensor{out}, err
}

// padT pads x along axes (all when nil) by pads (befores, then afters),
// with mode and the constant value (zero when nil).
func padT(c *ctx, x *tensor, mode string, pads []int64, value *tensor, axes []int) (*tensor, error) {
	r := x.rank()
	if axes == nil {
		axes = make([]int, r)
		for i := range axes {
			axes[i] = i
		}
	}
	if len(pads) != 2*len(axes) {
		return nil, invalidf("%d pads for %d axes", len(pads), len(axes))
	}
	before, after := make([]int, r), make([]int, r)
	for i, a := range axes {
		if pads[i] < -math.MaxInt32 || pads[i] > math.MaxInt32 || pads[i+len(axes)] < -math.MaxInt32 || pads[i+len(axes)] > math.MaxInt32 {
			return nil, invalidf("bad pads %v", pads)
		}
		before[a], after[a] = int(pads[i]), int(pads[i+len(axes)])
	}
	shape := make([]int, r)
	for d := range shape {
		shape[d] = x.shape[d] + before[d] + after[d]
		if shape[d] < 0 {
			return nil, invalidf("pads %v remove more than dim %d holds", pads, d)
		}
	}
	n, err := c.check(shape)
	if err != nil {
		return nil, err
	}
	st := stridesOf(x.shape)
	tabs := make([][]int, r)
	for d := range shape {
		dim := x.shape[d]
		if dim == 0 && shape[d] > 0 && mode != "constant" {
			return nil, invalidf("%s padding of an empty dim", mode)
		}
		tabs[d] = make([]int, shape[d])
		for j := range tabs[d] {
			k := j - before[d] // coordinate in x
			if k < 0 || k >= dim {
				switch mode {
				case "constant":
					k = -1
				case "edge":
					k = min(max(k, 0), dim-1)
				case "reflect":
					k = reflectIndex(k, dim)
				case "wrap":
					k = ((k % dim) + dim) % dim
				default:
					return nil, invalidf("mode %q", mode)
				}
			}
			if k < 0 {
				tabs[d][j] = -1
			} else {
				tabs[d][j] = k * st[d]
			}
		}
	}
	idx := separable(shape, tabs, n)
	padData := makeData(x.dt, 1)
	if value != nil {
		if value.dt == x.dt {
			padData = value.data
		} else {
			v, err := castTo(c, value, x.dt, true)
			if err != nil {
				return nil, err
			}
			padData = v.data
		}
	}
	return withData(x.dt, shape, takeOr(x.data, idx, padData)), nil
}

// reflectIndex mirrors k into [0, dim) without repeating the edge.
func reflectIndex(k, dim int) int {
	if dim == 1 {
		return 0
	}
	period := 2 * (dim - 1)
	k = ((k % period) + period) % period
	if k >= dim {
		k = period - k
	}
	return k
}

func constant(c *ctx, in []*tensor) ([]*tensor, error) {
	var out *tensor
	set := 0
	for _, name := range constantAttrs {
		if _, ok := c.schema.Attribute(name); !ok || !c.has(name) {
			continue
		}
		set++
		switch name {
		case "value":
			out = c.tensorAttr(name)
		case "sparse_value":
			return nil, notImplf("sparse_value")
		case "value_float":
			out = withData(dtFloat, nil, []float32{c.float(name)})
		case "value_floats":
			v, _ := c.floats(name)
			out = withData(dtFloat, []int{len(v)}, append([]float32{}, v...))
		case "value_int":
			out = withData(dtInt64, nil, []int64{c.int(name)})
		case "value_ints":
			v, _ := c.ints(name)
			out = withData(dtInt64, []int{len(v)}, append([]int64{}, v...))
		case "value_string":
			out = withData(dtString, nil, []string{c.str(name)})
		case "value_strings":
			v, _ := c.strs(name)
			out = withData(dtString, []int{len(v)}, v)
		}
	}
	if c.err != nil {
		return nil, c.err
	}
	if set != 1 || out == nil {
		return nil, invalidf("%d value attributes", set)
	}
	return []*tensor{out}, nil
}

func constantOfShape(c *ctx, in []*tensor) ([]*tensor, error) {
	shape, err := shapeInput(in[0], "shape")
	if err != nil {
		return nil, err
	}
	n, err := c.check(shape)
	if err != nil {
		return nil, err
	}
	v := c.tensorAttr("value")
	if c.err != nil {
		return nil, c.err
	}
	if v == nil {
		v = withData(dtFloat, []int{1}, []float32{0})
	}
	if v.size() != 1 {
		return nil, invalidf("value has %d elements", v.size())
	}
	return []*tensor{withData(v.dt, shape, fillWith(v.data, 0, n))}, nil
}

// rangeOp computes floats in float32 (in double for double), as numpy's
// arange does, whatever stash_type says.
func rangeOp(c *ctx, in []*tensor) ([]*tensor, error) {
	if _, ok := c.schema.Attribute("stash_type"); ok {
		c.int("stash_type")
	}
	for _, t := range in[:3] {
		if t == nil || t.size() != 1 || t.dt != in[0].dt {
			return nil, invalidf("start, limit and delta must be scalars of one type")
		}
	}
	dt := in[0].dt
	if isFloat(dt) {
		start, _ := scalarFloat(in[0], "start")
		limit, _ := scalarFloat(in[1], "limit")
		delta, _ := scalarFloat(in[2], "delta")
		if delta == 0 {
			return nil, invalidf("delta 0")
		}
		cnt := math.Ceil((limit - start) / delta)
		if !(cnt >= 0) {
			cnt = 0
		}
		if cnt > float64(c.opts.MaxElements) {
			return nil, errorf(ErrTooLarge, "range of %g elements", cnt)
		}
		n := int(cnt)
		if dt == dtDouble {
			out := make([]float64, n)
			for i := range out {
				out[i] = start + float64(i)*delta
			}
			return []*tensor{withData(dt, []int{n}, out)}, nil
		}
		// float32 accumulates as numpy's arange does: start + i*delta in
		// the input type.
		s32, d32 := float32(start), float32(delta)
		out := make([]float32, n)
		for i := range out {
			out[i] = s32 + float32(i)*d32
		}
		return []*tensor{withData(dt, []int{n}, out)}, nil
	}
	start, err := scalarInt(in[0], "start")
	if err != nil {
		return nil, err
	}
	limit, _ := scalarInt(in[1], "limit")
	delta, _ := scalarInt(in[2], "delta")
	if delta == 0 {
		return nil, invalidf("delta 0")
	}
	// max(ceil((limit-start)/delta), 0), exactly: the difference of two
	// int64 values can overflow.
	num := new(big.Int).Sub(big.NewInt(limit), big.NewInt(start))
	d := big.NewInt(delta)
	q, m := new(big.Int).QuoRem(num, d, new(big.Int))
	if m.Sign() != 0 && (m.Sign() > 0) == (d.Sign() > 0) {
		q.Add(q, big.NewInt(1))
	}
	if q.Sign() < 0 {
		q.SetInt64(0)
	}
	if !q.IsInt64() || q.Int64() > c.opts.MaxElements {
		return nil, errorf(ErrTooLarge, "range of %s elements", q)
	}
	cnt := q.Int64()
	v := make([]int64, cnt)
	for i := range v {
		v[i] = start + int64(i)*delta
	}
	return []*tensor{withData(dt, []int{int(cnt)}, intsAs(v, dt))}, nil
}

// centerCropPad crops or pads (with zeros) each of axes to the given size,
// centred: the extra half, rounded down, goes before.
func centerCropPad(c *ctx, in []*tensor) ([]*tensor, error) {
	x := in[0]
	axes64, ok := c.ints("axes")
	if c.err != nil {
		return nil, c.err
	}
	axes := make([]int, x.rank())
	for i := range axes {
		axes[i] = i
	}
	if ok && len(axes64) > 0 {
		var err error
		if axes, err = normAxes(axes64, x.rank()); err != nil {
			return nil, err
		}
	}
	want, err := shapeInput(in[1], "shape")
	if err != nil {
		return nil, err
	}
	if len(want) != len(axes) {
		return nil, invalidf("shape %v for %d axes", want, len(axes))
	}
	pads := make([]int64, 2*x.rank())
	for i, a := range axes {
		diff := want[i] - x.shape[a]
		if diff >= 0 {
			pads[a], pads[x.rank()+a] = int64(diff/2), int64(diff-diff/2)
		} else {
			crop := -diff
			pads[a], pads[x.rank()+a] = -int64(crop/2), -int64(crop-crop/2)
		}
	}
	out, err := padConstant(c, x, pads)
	return []*tensor{out}, err
}

// tile1 is Tile-1: the input repeated tiles times along axis, both scalar
// inputs.
func tile1(c *ctx, in []*tensor) ([]*tensor, error) {
	x := in[0]
	n, err := scalarInt(in[1], "tiles")
	if err != nil {
		return nil, err
	}
	a, err := scalarInt(in[2], "axis")
	if err != nil {
		return nil, err
	}
	axis, err := normAxis(a, x.rank())
	if err != nil {
		return nil, err
	}
	reps := make([]int64, x.rank())
	for i := range reps {
		reps[i] = 1
	}
	reps[axis] = n
	return tile(c, []*tensor{x, withData(dtInt64, []int{len(reps)}, reps)})
}
