package shapeinfer

import (
	"math"
	"slices"

	"github.com/onnxgraph/onnxgraph"
)

// The shape family: operators that move, reshape, slice, join, gather,
// scatter or compute shapes, with data propagation for the small integer
// tensors that carry shapes at run time, and the operators whose output
// size depends on input values (NonZero, Unique, Compress, OneHot), exact
// when those values are known.

var shapeTable = join(
	all(inferIdentity, versions("ai.onnx", "Identity", 1, 13, 14, 16, 19, 21, 23, 24, 25)),
	all(inferConstant, versions("ai.onnx", "Constant", 1, 9, 11, 12, 13, 19, 21, 23, 24, 25)),
	all(inferShape, versions("ai.onnx", "Shape", 1, 13, 15, 19, 21, 23, 24, 25)),
	all(inferSize, versions("ai.onnx", "Size", 1, 13, 19, 21, 23, 24, 25)),
	all(inferReshape, versions("ai.onnx", "Reshape", 1, 5, 13, 14, 19, 21, 23, 24, 25)),
	all(inferConcat, versions("ai.onnx", "Concat", 1, 4, 11, 13)),
	all(inferGather, versions("ai.onnx", "Gather", 1, 11, 13)),
	all(inferUnsqueeze, versions("ai.onnx", "Unsqueeze", 1, 11, 13, 21, 23, 24, 25)),
	all(inferSqueeze, versions("ai.onnx", "Squeeze", 1, 11, 13, 21, 23, 24, 25)),
	all(inferFlatten, versions("ai.onnx", "Flatten", 1, 9, 11, 13, 21, 23, 24, 25)),
	all(inferTranspose, versions("ai.onnx", "Transpose", 1, 13, 21, 23, 24, 25)),
	all(inferSplit, versions("ai.onnx", "Split", 1, 2, 11, 13, 18)),
	all(inferSlice, versions("ai.onnx", "Slice", 1, 10, 11, 13)),
	all(inferExpand, versions("ai.onnx", "Expand", 8, 13)),
	all(inferTile, versions("ai.onnx", "Tile", 1, 6, 13)),
	all(inferPad, versions("ai.onnx", "Pad", 1, 2, 11, 13, 18, 19, 21, 23, 24, 25)),
	all(inferConstantOfShape, versions("ai.onnx", "ConstantOfShape", 9, 20, 21, 23, 24, 25)),
	all(inferRange, versions("ai.onnx", "Range", 11, 27)),
	all(inferGatherElements, versions("ai.onnx", "GatherElements", 11, 13)),
	all(inferGatherND, versions("ai.onnx", "GatherND", 11, 12, 13)),
	all(inferScatterElements,
		versions("ai.onnx", "Scatter", 9, 11),
		versions("ai.onnx", "ScatterElements", 11, 13, 16, 18)),
	all(inferScatterND, versions("ai.onnx", "ScatterND", 11, 13, 16, 18)),
	all(inferTensorScatter, versions("ai.onnx", "TensorScatter", 24)),
	all(inferOneHot, versions("ai.onnx", "OneHot", 9, 11)),
	all(inferNonZero, versions("ai.onnx", "NonZero", 9, 13)),
	all(inferCompress, versions("ai.onnx", "Compress", 9, 11)),
	all(inferUnique, versions("ai.onnx", "Unique", 11)),
	all(inferEyeLike, versions("ai.onnx", "EyeLike", 9, 22)),
	all(inferSameShape,
		versions("ai.onnx", "Trilu", 14),
		versions("ai.onnx", "ReverseSequence", 10)),
	all(inferCenterCropPad, versions("ai.onnx", "CenterCropPad", 18)),
)

func inferIdentity(c *Ctx) error {
	c.SetOutput(0, c.Input(0))
	c.SetData(0, c.Data(0))
	return nil
}

func inferConstant(c *Ctx) error {
	if t := c.AttrTensor("value"); t != nil {
		dims := t.Dims()
		c.SetOutput(0, Tensor(t.DataType(), KnownShape(dims...)))
		c.SetData(0, tensorData(t))
		return nil
	}
	scalar := func(dt onnxgraph.DataType, shape Shape) { c.SetOutput(0, Tensor(dt, shape)) }
	switch {
	case c.Attr("value_int") != nil:
		scalar(onnxgraph.Int64, Shape{})
		c.SetData(0, &Data{Ints: []Dim{known(c.Attr("value_int").GetI())}})
	case c.Attr("value_ints") != nil:
		v := c.Attr("value_ints").GetInts()
		scalar(onnxgraph.Int64, KnownShape(int64(len(v))))
		c.SetData(0, Vector(knownDims(v)...))
	case c.Attr("value_float") != nil:
		scalar(onnxgraph.Float, Shape{})
		c.SetData(0, &Data{Floats: []float64{float64(c.Attr("value_float").GetF())}})
	case c.Attr("value_floats") != nil:
		v := c.Attr("value_floats").GetFloats()
		scalar(onnxgraph.Float, KnownShape(int64(len(v))))
		fs := make([]float64, len(v))
		for i, x := range v {
			fs[i] = float64(x)
		}
		c.SetData(0, &Data{Shape: []int64{int64(len(v))}, Floats: fs})
	case c.Attr("value_string") != nil:
		scalar(onnxgraph.String, Shape{})
	case c.Attr("value_strings") != nil:
		scalar(onnxgraph.String, KnownShape(int64(len(c.Attr("value_strings").GetStrings()))))
	case c.Attr("sparse_value") != nil:
		sp := c.Attr("sparse_value").GetSparseTensor()
		scalar(onnxgraph.DataType(sp.GetValues().GetDataType()), KnownShape(sp.GetDims()...))
	default:
		return c.Errorf(CodeInvalid, "Constant has no value attribute")
	}
	return nil
}

func inferShape(c *Ctx) error {
	s, ok := c.InputShape(0)
	if !ok {
		c.SetOutput(0, Tensor(onnxgraph.Int64, Shape{Unknown}))
		return nil
	}
	r := len(s)
	start, end := int64(0), int64(r)
	if a := c.Attr("start"); a != nil {
		start = a.GetI()
	}
	if a := c.Attr("end"); a != nil {
		end = a.GetI()
	}
	clamp := func(x int64) int64 {
		if x < 0 {
			x += int64(r)
		}
		return min(max(x, 0), int64(r))
	}
	start, end = clamp(start), clamp(end)
	if end < start {
		end = start
	}
	dims := append(Shape(nil), s[start:end]...)
	for i, d := range dims {
		if !d.IsUnknown() {
			dims[i] = Dim{d.e.asSize()} // sizes: provably >= 0 (Div, Max, ...)
		}
	}
	c.SetOutput(0, Tensor(onnxgraph.Int64, KnownShape(int64(len(dims)))))
	c.SetData(0, Vector(dims...))
	return nil
}

func inferSize(c *Ctx) error {
	c.SetOutput(0, Tensor(onnxgraph.Int64, Shape{}))
	if s, ok := c.InputShape(0); ok {
		n := s.NumElements()
		if !n.IsUnknown() {
			n = Dim{n.e.asSize()}
		}
		c.SetData(0, &Data{Ints: []Dim{n}})
	}
	return nil
}

// inferReshape serves Reshape-1 (target in the shape attribute) and
// Reshape-5 and later (target as input 1, allowzero from 14).
func inferReshape(c *Ctx) error {
	in := c.Input(0)
	if in == nil {
		return nil
	}
	var target Shape
	if since(c) < 5 {
		v, ok := c.Ints("shape")
		if !ok {
			c.SetOutput(0, Tensor(in.Elem, nil))
			return c.Errorf(CodeInvalid, "Reshape-1 has no shape attribute")
		}
		target = knownDims(v)
	} else {
		var ok bool
		target, ok = dataToShape(c.Data(1))
		if !ok {
			if n, ok := vectorLen(c, 1); ok {
				c.SetOutput(0, Tensor(in.Elem, freshShape(c, n)))
				return c.Errorf(CodeDataDependent, "the target shape %q is computed at run time", c.Node.Input(1).Name())
			}
			c.SetOutput(0, Tensor(in.Elem, nil))
			return c.Errorf(CodeDataDependent, "the target shape is not known")
		}
	}
	allowZero := c.Int("allowzero", 0) == 1
	out := make(Shape, len(target))
	infer := -1
	var unknowns []int
	for i, d := range target {
		v, isConst := d.Value()
		switch {
		case isConst && v == -1:
			if infer >= 0 {
				return c.Errorf(CodeInvalid, "two -1 dims in the target shape")
			}
			infer = i
			continue
		case isConst && v < -1:
			return c.Errorf(CodeInvalid, "target dim %d is %d", i, v)
		case isConst && v == 0 && !allowZero:
			if !in.HasShape() {
				out[i] = Unknown
			} else if i >= len(in.Shape) {
				return c.Errorf(CodeInvalid, "target dim %d is 0 (copy) but the input has rank %d", i, len(in.Shape))
			} else {
				out[i] = in.Shape[i]
			}
		case d.IsUnknown():
			unknowns = append(unknowns, i)
			continue
		default:
			out[i] = d
		}
	}
	// The -1 dim is what the element count leaves. So is a single unknown
	// target element: at run time it is the size itself, -1 or 0 (copy),
	// and in each case the element count fixes it.
	solve := infer
	if len(unknowns) > 0 {
		solve = -1
		if len(unknowns) == 1 && infer < 0 {
			solve = unknowns[0]
		}
	}
	total := Unknown
	if solve >= 0 && in.HasShape() {
		total = numElements(in.Shape)
		known := numElements(joinDims(out[:solve], out[solve+1:]))
		out[solve] = exactDiv(total, known)
		if tv, ok := total.Value(); ok {
			if kv, ok := known.Value(); ok && kv != 0 && tv%kv != 0 {
				return c.Errorf(CodeInvalid, "cannot reshape %d elements into %v", tv, target)
			}
		}
	}
	if total.IsUnknown() && in.HasShape() {
		total = constProduct(in.Shape)
	}
	if a, ok := total.Value(); ok && out.Full() {
		if b, ok := numElements(out).Value(); ok && a != b {
			return c.Errorf(CodeInvalid, "cannot reshape %v (%d elements) into %v (%d elements)", in.Shape, a, out, b)
		}
	}
	c.SetOutput(0, Tensor(in.Elem, out))
	if d := dataIf(c, 0, in); d != nil {
		if sh, ok := out.Known(); ok && onnxgraph.NumElements(sh) == int64(d.Len()) {
			c.SetData(0, reshapeData(d, sh))
		}
	}
	return nil
}

func inferConcat(c *Ctx) error {
	var ts []*Type
	for i := 0; i < c.NumInputs(); i++ {
		t := c.Input(i)
		if t == nil {
			return nil
		}
		ts = append(ts, t)
	}
	if len(ts) == 0 {
		return c.Errorf(CodeInvalid, "Concat has no inputs")
	}
	elem := ts[0].Elem
	rank := -1
	for _, t := range ts {
		if t.HasShape() {
			rank = len(t.Shape)
			break
		}
	}
	if rank < 0 {
		c.SetOutput(0, Tensor(elem, nil))
		return nil
	}
	if c.Attr("axis") == nil && since(c) >= 4 {
		c.SetOutput(0, Tensor(elem, nil))
		return c.Errorf(CodeInvalid, "Concat-%d needs the axis attribute", since(c))
	}
	if rank == 0 {
		return c.Errorf(CodeInvalid, "Concat of scalars")
	}
	ax, err := axis(c, c.Int("axis", 1), rank)
	if err != nil {
		return err
	}
	out := make(Shape, rank)
	parts := make([]Dim, 0, len(ts))
	for k, t := range ts {
		if !t.HasShape() {
			parts = append(parts, Unknown)
			continue
		}
		if len(t.Shape) != rank {
			return c.Errorf(CodeInvalid, "input %d has rank %d, not %d", k, len(t.Shape), rank)
		}
		for i, d := range t.Shape {
			if i == ax {
				parts = append(parts, d)
				continue
			}
			if out[i].IsUnknown() {
				out[i] = d
			} else if dv, ok := d.Value(); ok {
				if ov, ok := out[i].Value(); ok && ov != dv {
					return c.Errorf(CodeInvalid, "input %d: dim %d is %d, not %d", k, i, dv, ov)
				}
				out[i] = d
			}
		}
	}
	out[ax] = sumDims(parts)
	c.SetOutput(0, Tensor(elem, out))
	// Data: join along the axis.
	data := make([]*Data, len(ts))
	for i := range ts {
		data[i] = c.Data(i)
		if data[i] == nil || len(data[i].Shape) != rank {
			return nil
		}
	}
	c.SetData(0, concatData(data, ax))
	return nil
}

func inferGather(c *Ctx) error {
	data, idx := c.Input(0), c.Input(1)
	if data == nil {
		return nil
	}
	if !data.HasShape() || !idx.HasShape() {
		c.SetOutput(0, Tensor(data.Elem, nil))
		return nil
	}
	r := len(data.Shape)
	if r == 0 {
		return c.Errorf(CodeInvalid, "Gather on a scalar")
	}
	ax, err := axis(c, c.Int("axis", 0), r)
	if err != nil {
		return err
	}
	out := joinDims(data.Shape[:ax], idx.Shape, data.Shape[ax+1:])
	c.SetOutput(0, Tensor(data.Elem, out))
	d, di := dataIf(c, 0, data), c.Data(1)
	ix, ok := di.KnownInts()
	if d == nil || !ok || len(d.Shape) != r {
		return nil
	}
	n := d.Shape[ax]
	pick := make([]int, len(ix))
	for i, k := range ix {
		if k < 0 {
			k += n
		}
		if k < 0 || k >= n {
			return c.Errorf(CodeInvalid, "index %d out of range [%d,%d)", ix[i], -n, n)
		}
		pick[i] = int(k)
	}
	g := takeAlong(d, ax, pick)
	if g == nil {
		return nil
	}
	g.Shape = slices.Concat(d.Shape[:ax], di.Shape, d.Shape[ax+1:])
	if len(g.Shape) == 0 {
		g.Shape = nil
	}
	c.SetData(0, g)
	return nil
}

// axesOf returns the axes of (Un)Squeeze: the attribute before opset 13,
// the second input after. present is false when none are given.
func axesOf(c *Ctx) (axes []int64, present, ok bool) {
	if since(c) >= 13 {
		if !c.HasInput(1) {
			return nil, false, true
		}
		axes, ok := c.Data(1).KnownInts()
		return axes, true, ok
	}
	axes, present = c.Ints("axes")
	return axes, present, true
}

func inferUnsqueeze(c *Ctx) error {
	in := c.Input(0)
	if in == nil {
		return nil
	}
	axes, present, ok := axesOf(c)
	if !present && ok {
		return c.Errorf(CodeInvalid, "Unsqueeze needs axes")
	}
	if !ok || !in.HasShape() {
		if !ok && in.HasShape() {
			if n, known := vectorLen(c, 1); known {
				c.SetOutput(0, Tensor(in.Elem, make(Shape, len(in.Shape)+n)))
				return c.Errorf(CodeDataDependent, "axes are not known")
			}
		}
		c.SetOutput(0, Tensor(in.Elem, nil))
		if !ok {
			return c.Errorf(CodeDataDependent, "axes are not known")
		}
		return nil
	}
	r := len(in.Shape) + len(axes)
	ones := make([]bool, r)
	for _, a := range axes {
		ax, err := axis(c, a, r)
		if err != nil {
			return err
		}
		if ones[ax] {
			return c.Errorf(CodeInvalid, "axis %d repeated", a)
		}
		ones[ax] = true
	}
	out := make(Shape, 0, r)
	k := 0
	for i := 0; i < r; i++ {
		if ones[i] {
			out = append(out, known(1))
		} else {
			out = append(out, in.Shape[k])
			k++
		}
	}
	c.SetOutput(0, Tensor(in.Elem, out))
	if d := dataIf(c, 0, in); d != nil && len(d.Shape) == len(in.Shape) {
		sh := make([]int64, 0, r)
		k := 0
		for i := 0; i < r; i++ {
			if ones[i] {
				sh = append(sh, 1)
			} else {
				sh = append(sh, d.Shape[k])
				k++
			}
		}
		c.SetData(0, reshapeData(d, sh))
	}
	return nil
}

func inferSqueeze(c *Ctx) error {
	in := c.Input(0)
	if in == nil {
		return nil
	}
	axes, _, ok := axesOf(c)
	if !ok {
		// k axes known only at run time: when exactly k dims may be 1,
		// they are the ones removed; otherwise only the rank is known.
		var out Shape
		if k, known := vectorLen(c, 1); known && in.HasShape() && k <= len(in.Shape) {
			var keep Shape
			maybe := 0
			for _, d := range in.Shape {
				if v, isConst := d.Value(); !isConst || v == 1 {
					maybe++
					continue
				}
				keep = append(keep, d)
			}
			if maybe == k {
				c.SetOutput(0, Tensor(in.Elem, joinDims(keep)))
				return nil
			}
			out = make(Shape, len(in.Shape)-k)
		}
		c.SetOutput(0, Tensor(in.Elem, out))
		return c.Errorf(CodeDataDependent, "axes are not known")
	}
	if !in.HasShape() {
		c.SetOutput(0, Tensor(in.Elem, nil))
		return nil
	}
	r := len(in.Shape)
	drop := make([]bool, r)
	if len(axes) == 0 {
		for i, d := range in.Shape {
			if v, ok := d.Value(); ok && v == 1 {
				drop[i] = true
			} else if !ok {
				c.SetOutput(0, Tensor(in.Elem, nil))
				return c.Errorf(CodeDataDependent, "dim %d (%v) is not known to be 1 or not", i, d)
			}
		}
	}
	for _, a := range axes {
		ax, err := axis(c, a, r)
		if err != nil {
			return err
		}
		if v, ok := in.Shape[ax].Value(); ok && v != 1 {
			return c.Errorf(CodeInvalid, "axis %d has size %d, not 1", a, v)
		}
		drop[ax] = true
	}
	out := Shape{}
	for i, d := range in.Shape {
		if !drop[i] {
			out = append(out, d)
		}
	}
	c.SetOutput(0, Tensor(in.Elem, out))
	if d := dataIf(c, 0, in); d != nil && len(d.Shape) == r {
		var sh []int64
		for i, n := range d.Shape {
			if !drop[i] {
				sh = append(sh, n)
			}
		}
		c.SetData(0, reshapeData(d, sh))
	}
	return nil
}

func inferFlatten(c *Ctx) error {
	in := c.Input(0)
	if in == nil {
		return nil
	}
	if !in.HasShape() {
		c.SetOutput(0, Tensor(in.Elem, Shape{Unknown, Unknown}))
		return nil
	}
	r := len(in.Shape)
	a := c.Int("axis", 1)
	if a < -int64(r) || a > int64(r) || (a < 0 && since(c) < 11) {
		return c.Errorf(CodeInvalid, "axis %d out of range for rank %d", a, r)
	}
	if a < 0 {
		a += int64(r)
	}
	out := Shape{in.Shape[:a].NumElements(), in.Shape[a:].NumElements()}
	c.SetOutput(0, Tensor(in.Elem, out))
	if d := dataIf(c, 0, in); d != nil {
		if sh, ok := out.Known(); ok && onnxgraph.NumElements(sh) == int64(d.Len()) {
			c.SetData(0, reshapeData(d, sh))
		}
	}
	return nil
}

func inferTranspose(c *Ctx) error {
	in := c.Input(0)
	if in == nil {
		return nil
	}
	perm, hasPerm := c.Ints("perm")
	if !in.HasShape() {
		var out Shape
		if hasPerm {
			out = make(Shape, len(perm))
		}
		c.SetOutput(0, Tensor(in.Elem, out))
		return nil
	}
	r := len(in.Shape)
	if !hasPerm {
		perm = make([]int64, r)
		for i := range perm {
			perm[i] = int64(r - 1 - i)
		}
	}
	if len(perm) != r {
		return c.Errorf(CodeInvalid, "perm %v has %d entries for rank %d", perm, len(perm), r)
	}
	seen := make([]bool, r)
	out := make(Shape, r)
	for i, p := range perm {
		if p < 0 || p >= int64(r) || seen[p] {
			return c.Errorf(CodeInvalid, "perm %v is not a permutation of 0..%d", perm, r-1)
		}
		seen[p] = true
		out[i] = in.Shape[p]
	}
	c.SetOutput(0, Tensor(in.Elem, out))
	if d := dataIf(c, 0, in); d != nil && len(d.Shape) == r && r > 0 {
		c.SetData(0, transposeData(d, perm))
	}
	return nil
}

// inferSplit serves every Split version: the sizes come from the split
// attribute (1, 2, 11), the split input (1, 13, 18), num_outputs (18), or
// an equal split into as many parts as there are outputs.
func inferSplit(c *Ctx) error {
	in := c.Input(0)
	if in == nil {
		return nil
	}
	n := c.NumOutputs()
	if n == 0 {
		return c.Errorf(CodeInvalid, "Split has no outputs")
	}
	setAll := func(shape func(i int) Shape) {
		for i := 0; i < n; i++ {
			c.SetOutput(i, Tensor(in.Elem, shape(i)))
		}
	}
	if !in.HasShape() {
		setAll(func(int) Shape { return nil })
		return nil
	}
	r := len(in.Shape)
	if r == 0 {
		return c.Errorf(CodeInvalid, "Split of a scalar")
	}
	ax, err := axis(c, c.Int("axis", 0), r)
	if err != nil {
		return err
	}
	dim := in.Shape[ax]
	with := func(d Dim) Shape {
		s := slices.Clone(in.Shape)
		s[ax] = d
		return s
	}
	v := since(c)
	var split []Dim
	hasSplit := false
	if v < 13 {
		if s, ok := c.Ints("split"); ok && len(s) > 0 {
			split, hasSplit = knownDims(s), true
		}
	}
	if !hasSplit && (v == 1 || v >= 13) && c.HasInput(1) {
		d := c.Data(1)
		if d == nil || d.Ints == nil {
			setAll(func(int) Shape { return with(c.Fresh()) })
			return c.Errorf(CodeDataDependent, "the split sizes are computed at run time")
		}
		split, hasSplit = d.Ints, true
	}
	var sizes []Dim
	switch {
	case hasSplit:
		if len(split) != n {
			return c.Errorf(CodeInvalid, "split has %d sizes for %d outputs", len(split), n)
		}
		sum := known(0)
		for _, s := range split {
			if sv, ok := s.Value(); ok && sv < 0 {
				return c.Errorf(CodeInvalid, "split size %d is negative", sv)
			}
			sum = sum.Add(s)
		}
		if sv, ok := sum.Value(); ok {
			if dv, ok := dim.Value(); ok && sv != dv {
				return c.Errorf(CodeInvalid, "split sizes add up to %d, not the axis size %d", sv, dv)
			}
		}
		sizes = split
	case v >= 18 && c.Attr("num_outputs") != nil:
		k := c.Int("num_outputs", 0)
		if k != int64(n) {
			return c.Errorf(CodeInvalid, "num_outputs is %d but the node has %d outputs", k, n)
		}
		chunk := ceilDiv(dim, known(k))
		sizes = make([]Dim, n)
		for i := range sizes {
			sizes[i] = chunk
		}
		sizes[n-1] = dim.Sub(chunk.Mul(known(k - 1)))
		if dv, ok := dim.Value(); ok {
			cv, _ := chunk.Value()
			if dv < cv*(k-1) {
				return c.Errorf(CodeInvalid, "cannot split size %d into %d parts", dv, k)
			}
		}
	default:
		if dv, ok := dim.Value(); ok && dv%int64(n) != 0 {
			return c.Errorf(CodeInvalid, "axis size %d does not split into %d equal parts", dv, n)
		}
		part := exactDiv(dim, known(int64(n)))
		sizes = make([]Dim, n)
		for i := range sizes {
			sizes[i] = part
		}
	}
	setAll(func(i int) Shape { return with(sizes[i]) })
	// Data: the parts of a known tensor.
	d := dataIf(c, 0, in)
	if d == nil || len(d.Shape) != r {
		return nil
	}
	start := 0
	for i, s := range sizes {
		sv, ok := s.Value()
		if !ok || sv < 0 || sv > d.Shape[ax]-int64(start) {
			return nil
		}
		idx := make([]int, sv)
		for k := range idx {
			idx[k] = start + k
		}
		start += int(sv)
		if int64(start) > d.Shape[ax] {
			return nil
		}
		c.SetData(i, takeAlong(d, ax, idx))
	}
	return nil
}

// sliceArgs are the parameters of a Slice, each element a Dim.
type sliceArgs struct {
	starts, ends, axes, steps []Dim
}

func inferSlice(c *Ctx) error {
	in := rankedInput(c)
	if in == nil {
		return nil
	}
	r := len(in.Shape)
	var a sliceArgs
	known := true
	if since(c) < 10 {
		s, ok1 := c.Ints("starts")
		e, ok2 := c.Ints("ends")
		if !ok1 || !ok2 {
			return c.Errorf(CodeInvalid, "Slice-1 needs starts and ends")
		}
		a.starts, a.ends = knownDims(s), knownDims(e)
		if ax, ok := c.Ints("axes"); ok {
			a.axes = knownDims(ax)
		}
	} else {
		get := func(i int) ([]Dim, bool) {
			if !c.HasInput(i) {
				return nil, true
			}
			d := c.Data(i)
			if d == nil || d.Ints == nil {
				return nil, false
			}
			return d.Ints, true
		}
		var ok [4]bool
		a.starts, ok[0] = get(1)
		a.ends, ok[1] = get(2)
		a.axes, ok[2] = get(3)
		a.steps, ok[3] = get(4)
		known = ok[0] && ok[1] && ok[2] && ok[3]
		if !known {
			// Keep the dims the slice cannot touch, when the axes are known.
			out := slices.Clone(in.Shape)
			axes, axesKnown := knownInts(a.axes)
			if !c.HasInput(3) {
				if n, ok := vectorLen(c, 1); ok {
					axes, axesKnown = make([]int64, n), true
					for i := range axes {
						axes[i] = int64(i)
					}
				}
			} else if !ok[2] {
				axesKnown = false
			}
			for i := range out {
				if !axesKnown || slices.Contains(axes, int64(i)) || slices.Contains(axes, int64(i-r)) {
					out[i] = c.Fresh()
				}
			}
			c.SetOutput(0, Tensor(in.Elem, out))
			return c.Errorf(CodeDataDependent, "the slice bounds are computed at run time")
		}
	}
	k := len(a.starts)
	if len(a.ends) != k {
		return c.Errorf(CodeInvalid, "%d starts but %d ends", k, len(a.ends))
	}
	axes := make([]int, k)
	seen := make([]bool, r)
	for i := range axes {
		ai := int64(i)
		if a.axes != nil {
			if len(a.axes) != k {
				return c.Errorf(CodeInvalid, "%d axes for %d starts", len(a.axes), k)
			}
			v, ok := a.axes[i].Value()
			if !ok {
				c.SetOutput(0, Tensor(in.Elem, freshShape(c, r)))
				return c.Errorf(CodeDataDependent, "the slice axes are not known")
			}
			ai = v
		}
		ax, err := axis(c, ai, r)
		if err != nil {
			return err
		}
		if seen[ax] {
			return c.Errorf(CodeInvalid, "axis %d repeated", ai)
		}
		seen[ax] = true
		axes[i] = ax
	}
	steps := make([]int64, k)
	for i := range steps {
		steps[i] = 1
		if a.steps != nil {
			if len(a.steps) != k {
				return c.Errorf(CodeInvalid, "%d steps for %d starts", len(a.steps), k)
			}
			v, ok := a.steps[i].Value()
			if !ok {
				out := slices.Clone(in.Shape)
				out[axes[i]] = c.Fresh()
				c.SetOutput(0, Tensor(in.Elem, out))
				return c.Errorf(CodeDataDependent, "the slice steps are not known")
			}
			if v == 0 {
				return c.Errorf(CodeInvalid, "slice step is 0")
			}
			steps[i] = v
		}
	}
	out := slices.Clone(in.Shape)
	for i, ax := range axes {
		out[ax] = sliceLen(in.Shape[ax], a.starts[i], a.ends[i], steps[i])
	}
	c.SetOutput(0, Tensor(in.Elem, out))
	// Data: slice a known tensor.
	d := dataIf(c, 0, in)
	if d == nil || len(d.Shape) != r {
		return nil
	}
	for i, ax := range axes {
		s, ok1 := a.starts[i].Value()
		e, ok2 := a.ends[i].Value()
		if !ok1 || !ok2 {
			return nil
		}
		d = takeAlong(d, ax, sliceIndices(d.Shape[ax], s, e, steps[i]))
		if d == nil {
			return nil
		}
	}
	c.SetData(0, d)
	return nil
}

// bigIndex: a slice bound at or beyond it (in absolute value) means "to the
// end"; exporters write INT64_MAX or INT32_MAX there.
const bigIndex = math.MaxInt32

// sliceIndices lists the indices a slice [s:e:step] takes from size n.
func sliceIndices(n, s, e, step int64) []int {
	s, e = clampSlice(n, s, e, step)
	var idx []int
	if step > 0 {
		for i := s; i < e; i += step {
			idx = append(idx, int(i))
		}
	} else {
		for i := s; i > e; i += step {
			idx = append(idx, int(i))
		}
	}
	if idx == nil {
		idx = []int{}
	}
	return idx
}

// clampSlice resolves negative bounds and clamps them for size n, as the
// Slice operator does.
func clampSlice(n, s, e, step int64) (int64, int64) {
	if s < 0 {
		s += n
	}
	if e < 0 {
		e += n
	}
	if step > 0 {
		s = min(max(s, 0), n)
		e = min(max(e, 0), n)
	} else {
		s = min(max(s, 0), n-1)
		e = min(max(e, -1), n-1)
	}
	return s, e
}

// sliceLen is the length of a slice of a dim of size d. With symbolic sizes
// or bounds it assumes the bounds fall inside the dim, as shape
// computations that slice by a size read from another tensor do.
func sliceLen(d, s, e Dim, step int64) Dim {
	if step == math.MinInt64 {
		step = -math.MaxInt64 // the same slice, and -step does not wrap
	}
	n, nk := d.Value()
	sv, sk := s.Value()
	ev, ek := e.Value()
	if nk && sk && ek {
		s, e := clampSlice(n, sv, ev, step)
		if step > 0 {
			return known(max(0, ceilDivInt(e-s, step)))
		}
		return known(max(0, ceilDivInt(s-e, -step)))
	}
	// resolve turns a bound into a position in [0, d] ([-1, d-1] for a
	// negative step), symbolically: a constant bound is clamped with
	// min() and max() unless the clamp is provably idle; a computed bound
	// is taken to lie inside the dim.
	resolve := func(x Dim, xv int64, xk bool) Dim {
		if !xk {
			return x
		}
		lo, hi := known(0), d
		if step < 0 {
			lo, hi = known(-1), d.Sub(known(1))
		}
		switch {
		case xv >= bigIndex:
			return hi
		case xv <= -bigIndex:
			return lo
		case xv >= 0:
			return known(xv).op(hi, (*Expr).Min)
		}
		return d.Add(known(xv)).op(lo, (*Expr).Max)
	}
	if d.IsUnknown() && !(sk && ek && (sv >= 0) == (ev >= 0) && max(sv, ev) < bigIndex && min(sv, ev) > -bigIndex) {
		return Unknown
	}
	start := resolve(s, sv, sk)
	end := resolve(e, ev, ek)
	if d.IsUnknown() {
		start, end = known(sv), known(ev)
	}
	var l Dim
	switch {
	case step == 1:
		l = end.Sub(start)
	case step > 0:
		l = ceilDiv(end.Sub(start), known(step))
	default:
		l = ceilDiv(start.Sub(end), known(-step))
	}
	if v, ok := l.Value(); ok && v < 0 {
		return known(0)
	}
	if sk && ek && !l.IsUnknown() {
		l = Dim{l.e.distribute()}
		return l.op(known(0), (*Expr).Max) // bounds past each other: empty
	}
	return l
}

func inferExpand(c *Ctx) error {
	in := c.Input(0)
	if in == nil {
		return nil
	}
	target, ok := dataToShape(c.Data(1))
	if !ok {
		if n, ok := vectorLen(c, 1); ok && in.HasShape() {
			r := max(n, len(in.Shape))
			out := make(Shape, r)
			for i := range out {
				j := i - (r - len(in.Shape))
				if j >= 0 {
					if v, ok := in.Shape[j].Value(); ok && v != 1 {
						out[i] = in.Shape[j]
						continue
					}
				}
				out[i] = c.Fresh()
			}
			c.SetOutput(0, Tensor(in.Elem, out))
		} else {
			c.SetOutput(0, Tensor(in.Elem, nil))
		}
		return c.Errorf(CodeDataDependent, "the target shape is computed at run time")
	}
	for i, d := range target {
		if v, ok := d.Value(); ok && v < 0 {
			return c.Errorf(CodeInvalid, "target dim %d is %d", i, v)
		}
	}
	if !in.HasShape() {
		c.SetOutput(0, Tensor(in.Elem, nil))
		return nil
	}
	out, err := broadcast(c, in.Shape, target)
	if err != nil {
		return err
	}
	c.SetOutput(0, Tensor(in.Elem, out))
	if d := dataIf(c, 0, in); d != nil && len(d.Shape) == len(in.Shape) {
		if sh, ok := out.Known(); ok {
			c.SetData(0, broadcastData(d, sh))
		}
	}
	return nil
}

// inferTile serves Tile-1 (tiles and axis inputs) and Tile-6 and later
// (a repeats vector).
func inferTile(c *Ctx) error {
	in := rankedInput(c)
	if in == nil {
		return nil
	}
	r := len(in.Shape)
	reps := make([]Dim, r)
	for i := range reps {
		reps[i] = known(1)
	}
	if since(c) < 6 {
		tiles, ok1 := scalarDim(c.Data(1))
		av, ok2 := scalarDim(c.Data(2))
		a, ok3 := av.Value()
		if !ok2 || !ok3 {
			c.SetOutput(0, Tensor(in.Elem, freshShape(c, r)))
			return c.Errorf(CodeDataDependent, "the tile axis is not known")
		}
		ax, err := axis(c, a, r)
		if err != nil {
			return err
		}
		if !ok1 {
			tiles = c.Fresh()
		}
		reps[ax] = tiles
	} else {
		d := c.Data(1)
		if d == nil || d.Ints == nil {
			c.SetOutput(0, Tensor(in.Elem, freshShape(c, r)))
			return c.Errorf(CodeDataDependent, "the repeats are computed at run time")
		}
		if len(d.Ints) != r {
			return c.Errorf(CodeInvalid, "%d repeats for rank %d", len(d.Ints), r)
		}
		reps = d.Ints
	}
	out := make(Shape, r)
	for i, d := range in.Shape {
		if v, ok := reps[i].Value(); ok && v < 0 {
			return c.Errorf(CodeInvalid, "repeat %d is negative", v)
		}
		out[i] = d.Mul(reps[i])
	}
	c.SetOutput(0, Tensor(in.Elem, out))
	if d := dataIf(c, 0, in); d != nil && len(d.Shape) == r {
		for i := range r {
			k, ok := reps[i].Value()
			if !ok || k > maxData || d.Shape[i]*k > maxData { // d.Shape[i] <= maxData
				return nil
			}
			n := int(d.Shape[i])
			idx := make([]int, 0, n*int(k))
			for range k {
				for j := range n {
					idx = append(idx, j)
				}
			}
			if d = takeAlong(d, i, idx); d == nil {
				return nil
			}
		}
		c.SetData(0, d)
	}
	return nil
}

// inferPad serves Pad-1 (paddings attribute), Pad-2 (pads attribute),
// Pad-11 and later (pads input) and Pad-18 and later (axes input).
func inferPad(c *Ctx) error {
	in := rankedInput(c)
	if in == nil {
		return nil
	}
	r := len(in.Shape)
	axes := make([]int, r)
	for i := range axes {
		axes[i] = i
	}
	if since(c) >= 18 && c.HasInput(3) {
		av, ok := c.Data(3).KnownInts()
		if !ok {
			c.SetOutput(0, Tensor(in.Elem, freshShape(c, r)))
			return c.Errorf(CodeDataDependent, "the pad axes are computed at run time")
		}
		axes = axes[:0]
		for _, a := range av {
			ax, err := axis(c, a, r)
			if err != nil {
				return err
			}
			axes = append(axes, ax)
		}
	}
	var pads []Dim
	switch v := since(c); {
	case v < 2:
		p, _ := c.Ints("paddings")
		pads = knownDims(p)
	case v < 11:
		p, _ := c.Ints("pads")
		pads = knownDims(p)
	default:
		d := c.Data(1)
		if d == nil || d.Ints == nil {
			out := slices.Clone(in.Shape)
			for _, ax := range axes {
				out[ax] = c.Fresh()
			}
			c.SetOutput(0, Tensor(in.Elem, out))
			return c.Errorf(CodeDataDependent, "the pads are computed at run time")
		}
		pads = d.Ints
	}
	if len(pads) != 2*len(axes) {
		return c.Errorf(CodeInvalid, "%d pads for %d axes", len(pads), len(axes))
	}
	out := slices.Clone(in.Shape)
	for i, ax := range axes {
		out[ax] = out[ax].Add(pads[i]).Add(pads[i+len(axes)])
		if v, ok := out[ax].Value(); ok && v < 0 {
			return c.Errorf(CodeInvalid, "padding makes axis %d negative (%d)", ax, v)
		}
	}
	c.SetOutput(0, Tensor(in.Elem, out))
	return nil
}

func inferConstantOfShape(c *Ctx) error {
	elem := onnxgraph.Float
	var fill *Data
	if t := c.AttrTensor("value"); t != nil {
		elem = t.DataType()
		if n := onnxgraph.NumElements(t.Dims()); n != 1 {
			return c.Errorf(CodeInvalid, "value has %d elements, not 1", n)
		}
		fill = tensorData(t)
	} else {
		fill = &Data{Floats: []float64{0}}
	}
	shape, ok := dataToShape(c.Data(0))
	if !ok {
		if n, ok := vectorLen(c, 0); ok {
			c.SetOutput(0, Tensor(elem, freshShape(c, n)))
			return c.Errorf(CodeDataDependent, "the shape is computed at run time")
		}
		c.SetOutput(0, Tensor(elem, nil))
		return c.Errorf(CodeDataDependent, "the shape is not known")
	}
	for i, d := range shape {
		if v, ok := d.Value(); ok && v < 0 {
			return c.Errorf(CodeInvalid, "dim %d is negative (%d)", i, v)
		}
	}
	c.SetOutput(0, Tensor(elem, shape))
	sh, ok := shape.Known()
	n := onnxgraph.NumElements(sh) // -1 past int64
	if !ok || fill == nil || n < 0 || n > maxData {
		return nil
	}
	out := &Data{Shape: sh}
	if len(sh) == 0 {
		out.Shape = nil
	}
	switch {
	case len(fill.Ints) == 1:
		out.Ints = make([]Dim, n)
		for i := range out.Ints {
			out.Ints[i] = fill.Ints[0]
		}
	case len(fill.Floats) == 1:
		out.Floats = make([]float64, n)
		for i := range out.Floats {
			out.Floats[i] = fill.Floats[0]
		}
	default:
		return nil
	}
	c.SetData(0, out)
	return nil
}

// inferRange: the length is max(ceil((limit-start)/delta), 0), exact for
// known values (integer or floating) and symbolic for integer sizes with a
// known step.
func inferRange(c *Ctx) error { return rangeBy(c, c.Data(2)) }

// rangeBy is Range with delta's value (nil when unknown).
func rangeBy(c *Ctx, delta *Data) error {
	elem := c.Elem(0)
	for i := 0; i < 3; i++ {
		if s, ok := c.InputShape(i); ok && len(s) > 1 {
			return c.Errorf(CodeInvalid, "input %d has rank %d, not a scalar", i, len(s))
		}
	}
	start, limit := c.Data(0), c.Data(1)
	n := Unknown
	var vals *Data
	switch {
	case isFloatData(start) && isFloatData(limit) && isFloatData(delta):
		s, l, d := start.Floats[0], limit.Floats[0], delta.Floats[0]
		if d == 0 {
			return c.Errorf(CodeInvalid, "delta is 0")
		}
		diff := l - s
		if elem == onnxgraph.Float {
			diff = float64(float32(l) - float32(s))
		}
		q := math.Ceil(diff / d)
		switch {
		case math.IsNaN(q):
			return c.Errorf(CodeInvalid, "the range (%g to %g by %g) has no length", s, l, d)
		case q >= math.MaxInt64:
			c.SetOutput(0, Tensor(elem, Shape{Dim{overflowExpr}}))
			return nil
		}
		k := int64(max(q, 0))
		n = known(k)
		if k <= maxData {
			fs := make([]float64, k)
			for i := range fs {
				fs[i] = s + float64(i)*d
			}
			vals = &Data{Shape: []int64{k}, Floats: fs}
		}
	default:
		s, ok1 := scalarDim(start)
		l, ok2 := scalarDim(limit)
		d, ok3 := scalarDim(delta)
		dv, dk := d.Value()
		if !ok1 || !ok2 || !ok3 || !dk || s.IsUnknown() || l.IsUnknown() {
			break
		}
		if dv == 0 {
			return c.Errorf(CodeInvalid, "delta is 0")
		}
		n = ceilDiv(l.Sub(s), known(dv))
		if k, ok := n.Value(); ok {
			k = max(k, 0)
			n = known(k)
			if k <= maxData {
				is := make([]Dim, k)
				for i := range is {
					is[i] = s.Add(known(int64(i)).Mul(known(dv)))
				}
				vals = &Data{Shape: []int64{k}, Ints: is}
			}
		}
	}
	if n.IsUnknown() {
		c.SetOutput(0, Tensor(elem, Shape{c.Fresh()}))
		return c.Errorf(CodeDataDependent, "the range bounds are computed at run time")
	}
	c.SetOutput(0, Tensor(elem, Shape{n}))
	c.SetData(0, vals)
	return nil
}

func inferGatherElements(c *Ctx) error {
	data, idx := c.Input(0), c.Input(1)
	if data == nil {
		return nil
	}
	if !idx.HasShape() {
		c.SetOutput(0, Tensor(data.Elem, nil))
		return nil
	}
	if data.HasShape() {
		if len(data.Shape) != len(idx.Shape) {
			return c.Errorf(CodeInvalid, "data has rank %d but indices rank %d", len(data.Shape), len(idx.Shape))
		}
		if _, err := axis(c, c.Int("axis", 0), len(data.Shape)); err != nil {
			return err
		}
	}
	c.SetOutput(0, Tensor(data.Elem, idx.Shape))
	return nil
}

func inferGatherND(c *Ctx) error {
	data, idx := c.Input(0), c.Input(1)
	if data == nil {
		return nil
	}
	if !data.HasShape() || !idx.HasShape() {
		c.SetOutput(0, Tensor(data.Elem, nil))
		return nil
	}
	r, q := len(data.Shape), len(idx.Shape)
	b := int(c.Int("batch_dims", 0))
	if q < 1 || r < 1 {
		return c.Errorf(CodeInvalid, "data and indices need rank at least 1")
	}
	if b < 0 || b >= min(r, q) {
		return c.Errorf(CodeInvalid, "batch_dims %d out of range", b)
	}
	k, ok := idx.Shape[q-1].Value()
	if !ok {
		c.SetOutput(0, Tensor(data.Elem, nil))
		return c.Errorf(CodeMissingInput, "the last dim of the indices is not known")
	}
	if k < 1 || int(k) > r-b {
		return c.Errorf(CodeInvalid, "index tuples of length %d for data of rank %d with %d batch dims", k, r, b)
	}
	out := joinDims(idx.Shape[:q-1], data.Shape[b+int(k):])
	c.SetOutput(0, Tensor(data.Elem, out))
	return nil
}

func inferScatterElements(c *Ctx) error {
	data, idx, upd := c.Input(0), c.Input(1), c.Input(2)
	if data == nil {
		return nil
	}
	if idx.HasShape() && upd.HasShape() && len(idx.Shape) != len(upd.Shape) {
		return c.Errorf(CodeInvalid, "indices have rank %d but updates rank %d", len(idx.Shape), len(upd.Shape))
	}
	if data.HasShape() {
		if idx.HasShape() && len(idx.Shape) != len(data.Shape) {
			return c.Errorf(CodeInvalid, "indices have rank %d but data rank %d", len(idx.Shape), len(data.Shape))
		}
		if _, err := axis(c, c.Int("axis", 0), len(data.Shape)); err != nil {
			return err
		}
	}
	c.SetOutput(0, data)
	return nil
}

func inferScatterND(c *Ctx) error {
	data, idx, upd := c.Input(0), c.Input(1), c.Input(2)
	if data == nil {
		return nil
	}
	if data.HasShape() && idx.HasShape() && upd.HasShape() {
		r, q := len(data.Shape), len(idx.Shape)
		if q < 1 {
			return c.Errorf(CodeInvalid, "indices need rank at least 1")
		}
		if k, ok := idx.Shape[q-1].Value(); ok {
			if int(k) > r {
				return c.Errorf(CodeInvalid, "index tuples of length %d for data of rank %d", k, r)
			}
			if want := q - 1 + r - int(k); len(upd.Shape) != want {
				return c.Errorf(CodeInvalid, "updates have rank %d, want %d", len(upd.Shape), want)
			}
		}
	}
	c.SetOutput(0, data)
	return nil
}

func inferTensorScatter(c *Ctx) error {
	cache, upd := c.Input(0), c.Input(1)
	if cache == nil {
		return nil
	}
	if cache.HasShape() {
		r := len(cache.Shape)
		ax, err := axis(c, c.Int("axis", -2), r)
		if err != nil {
			return err
		}
		if ax == 0 {
			return c.Errorf(CodeInvalid, "axis cannot be the batch axis")
		}
		if upd.HasShape() && len(upd.Shape) != r {
			return c.Errorf(CodeInvalid, "update has rank %d, cache rank %d", len(upd.Shape), r)
		}
	}
	c.SetOutput(0, cache)
	return nil
}

func inferOneHot(c *Ctx) error {
	idx := c.Input(0)
	elem := c.Elem(2)
	if s, ok := c.InputShape(2); ok && len(s) != 1 {
		return c.Errorf(CodeInvalid, "values must be a 2-element vector, not rank %d", len(s))
	}
	if !idx.HasShape() {
		c.SetOutput(0, Tensor(elem, nil))
		return nil
	}
	r := len(idx.Shape)
	ax, err := axis(c, c.Int("axis", -1), r+1)
	if err != nil {
		return err
	}
	depth := Unknown
	if d := c.Data(1); d != nil && d.Len() == 1 {
		if d.Floats != nil {
			depth = known(int64(d.Floats[0]))
		} else {
			depth = d.Ints[0]
		}
	}
	if v, ok := depth.Value(); ok && v < 1 {
		return c.Errorf(CodeInvalid, "depth %d is not positive", v)
	}
	var derr error
	if depth.IsUnknown() {
		depth = c.Fresh()
		derr = c.Errorf(CodeDataDependent, "the depth is computed at run time")
	}
	out := joinDims(idx.Shape[:ax], Shape{depth}, idx.Shape[ax:])
	c.SetOutput(0, Tensor(elem, out))
	return derr
}

// inferNonZero: [rank, count], the count exact when the input is known.
func inferNonZero(c *Ctx) error {
	in := c.Input(0)
	if !in.HasShape() {
		c.SetOutput(0, Tensor(onnxgraph.Int64, Shape{Unknown, c.Fresh()}))
		return nil
	}
	r := len(in.Shape)
	d := c.Data(0)
	nz, ok := nonZeros(d)
	if !ok {
		c.SetOutput(0, Tensor(onnxgraph.Int64, Shape{known(int64(r)), c.Fresh()}))
		return c.Errorf(CodeDataDependent, "the count of non-zero elements is known only at run time")
	}
	c.SetOutput(0, Tensor(onnxgraph.Int64, KnownShape(int64(r), int64(len(nz)))))
	if dr := len(d.Shape); dr == r && dr*len(nz) <= maxData {
		vals := make([]Dim, dr*len(nz))
		for k, flat := range nz {
			for a := dr - 1; a >= 0; a-- {
				vals[a*len(nz)+k] = known(int64(flat) % d.Shape[a])
				flat /= int(d.Shape[a])
			}
		}
		c.SetData(0, &Data{Shape: []int64{int64(dr), int64(len(nz))}, Ints: vals})
	}
	return nil
}

// nonZeros lists the flat positions of the non-zero elements of d.
func nonZeros(d *Data) ([]int, bool) {
	if d == nil {
		return nil, false
	}
	out := []int{}
	if d.Floats != nil {
		for i, f := range d.Floats {
			if f != 0 {
				out = append(out, i)
			}
		}
		return out, true
	}
	vals, ok := d.KnownInts()
	if !ok {
		return nil, false
	}
	for i, v := range vals {
		if v != 0 {
			out = append(out, i)
		}
	}
	return out, true
}

func inferCompress(c *Ctx) error {
	in := c.Input(0)
	if in == nil {
		return nil
	}
	if s, ok := c.InputShape(1); ok && len(s) != 1 {
		return c.Errorf(CodeInvalid, "condition has rank %d, not 1", len(s))
	}
	hasAxis := c.Attr("axis") != nil
	if !in.HasShape() {
		if hasAxis {
			c.SetOutput(0, Tensor(in.Elem, nil))
		} else {
			c.SetOutput(0, Tensor(in.Elem, Shape{c.Fresh()}))
		}
		return nil
	}
	r := len(in.Shape)
	ax := -1
	size := in.Shape.NumElements()
	if hasAxis {
		var err error
		if ax, err = axis(c, c.Int("axis", 0), r); err != nil {
			return err
		}
		size = in.Shape[ax]
	}
	with := func(d Dim) Shape {
		if ax < 0 {
			return Shape{d}
		}
		s := slices.Clone(in.Shape)
		s[ax] = d
		return s
	}
	cond, ok := c.Data(1).KnownInts()
	if !ok {
		c.SetOutput(0, Tensor(in.Elem, with(c.Fresh())))
		return c.Errorf(CodeDataDependent, "the condition is known only at run time")
	}
	if n, ok := size.Value(); ok && int64(len(cond)) > n {
		cond = cond[:n]
	}
	var pick []int
	for i, v := range cond {
		if v != 0 {
			pick = append(pick, i)
		}
	}
	c.SetOutput(0, Tensor(in.Elem, with(known(int64(len(pick))))))
	if d := dataIf(c, 0, in); d != nil && len(d.Shape) == r {
		if ax < 0 {
			d = reshapeData(d, []int64{int64(d.Len())})
			ax = 0
		}
		if pick == nil {
			pick = []int{}
		}
		c.SetData(0, takeAlong(d, ax, pick))
	}
	return nil
}

// inferUnique: the number of unique elements (or slices) is exact when the
// input is known, else a fresh dim shared by the outputs that have it.
func inferUnique(c *Ctx) error {
	in := c.Input(0)
	if in == nil {
		return nil
	}
	hasAxis := c.Attr("axis") != nil
	ax := -1
	if in.HasShape() && hasAxis {
		var err error
		if ax, err = axis(c, c.Int("axis", 0), len(in.Shape)); err != nil {
			return err
		}
	}
	u, ok := Unknown, false
	d := dataIf(c, 0, in)
	if d != nil && in.HasShape() && len(d.Shape) == len(in.Shape) {
		var n int
		if n, ok = countUnique(d, ax); ok {
			u = known(int64(n))
		}
	}
	var err error
	if !ok {
		u = c.Fresh()
		err = c.Errorf(CodeDataDependent, "the number of unique values is known only at run time")
	}
	var y, inv Shape
	switch {
	case !in.HasShape():
		if !hasAxis {
			y = Shape{u}
		}
		inv = Shape{Unknown}
	case ax < 0:
		y = Shape{u}
		inv = Shape{in.Shape.NumElements()}
	default:
		y = slices.Clone(in.Shape)
		y[ax] = u
		inv = Shape{in.Shape[ax]}
	}
	c.SetOutput(0, Tensor(in.Elem, y))
	c.SetOutput(1, Tensor(onnxgraph.Int64, Shape{u}))
	c.SetOutput(2, Tensor(onnxgraph.Int64, inv))
	c.SetOutput(3, Tensor(onnxgraph.Int64, Shape{u}))
	return err
}

// countUnique counts the distinct elements of known data d, or its
// distinct slices along axis ax (ax >= 0).
func countUnique(d *Data, ax int) (int, bool) {
	var vals []float64
	if d.Floats != nil {
		vals = d.Floats
	} else {
		ints, ok := d.KnownInts()
		if !ok {
			return 0, false
		}
		vals = make([]float64, len(ints))
		for i, v := range ints {
			vals[i] = float64(v)
		}
	}
	if ax < 0 {
		seen := map[float64]bool{}
		nans := 0
		for _, v := range vals {
			if v != v {
				nans++
				continue
			}
			seen[v] = true
		}
		return len(seen) + nans, true
	}
	outer, n, inner := splitAt(d.Shape, ax)
	if len(vals) != outer*n*inner {
		return 0, false
	}
	seen := map[string]bool{}
	key := make([]byte, 0, 8*outer*inner)
	for k := range n {
		key = key[:0]
		for o := range outer {
			for i := range inner {
				bits := math.Float64bits(vals[(o*n+k)*inner+i])
				for b := range 8 {
					key = append(key, byte(bits>>(8*b)))
				}
			}
		}
		seen[string(key)] = true
	}
	return len(seen), true
}

func inferEyeLike(c *Ctx) error {
	in := c.Input(0)
	elem := elemOrAttr(c, "dtype", 0)
	if in == nil {
		c.SetOutput(0, Tensor(elem, Shape{Unknown, Unknown}))
		return nil
	}
	if in.HasShape() && len(in.Shape) != 2 {
		return c.Errorf(CodeInvalid, "input has rank %d, not 2", len(in.Shape))
	}
	shape := in.Shape
	if shape == nil {
		shape = Shape{Unknown, Unknown}
	}
	c.SetOutput(0, Tensor(elem, shape))
	return nil
}

// inferSameShape: the output is input 0's type (Trilu, ReverseSequence).
func inferSameShape(c *Ctx) error {
	in := c.Input(0)
	if in == nil {
		return nil
	}
	if c.Node.OpType() == "Trilu" && in.HasShape() && len(in.Shape) < 2 {
		return c.Errorf(CodeInvalid, "input has rank %d, need at least 2", len(in.Shape))
	}
	c.SetOutput(0, in)
	return nil
}

func inferCenterCropPad(c *Ctx) error {
	in := rankedInput(c)
	if in == nil {
		return nil
	}
	r := len(in.Shape)
	axes := make([]int, r)
	for i := range axes {
		axes[i] = i
	}
	if av, ok := c.Ints("axes"); ok {
		axes = axes[:0]
		for _, a := range av {
			ax, err := axis(c, a, r)
			if err != nil {
				return err
			}
			axes = append(axes, ax)
		}
	}
	out := slices.Clone(in.Shape)
	d := c.Data(1)
	if d == nil || d.Ints == nil {
		for _, ax := range axes {
			out[ax] = c.Fresh()
		}
		c.SetOutput(0, Tensor(in.Elem, out))
		return c.Errorf(CodeDataDependent, "the target shape is computed at run time")
	}
	if len(d.Ints) != len(axes) {
		return c.Errorf(CodeInvalid, "shape has %d entries for %d axes", len(d.Ints), len(axes))
	}
	for i, ax := range axes {
		out[ax] = d.Ints[i]
	}
	c.SetOutput(0, Tensor(in.Elem, out))
	return nil
}

// Helpers for the shape families.

// since is the since-version of the operator version being inferred.
func since(c *Ctx) int {
	if c.Schema != nil {
		return c.Schema.SinceVersion
	}
	return c.Opset
}

// knownDims turns integers into known dims.
func knownDims(v []int64) []Dim {
	out := make([]Dim, len(v))
	for i, x := range v {
		out[i] = known(x)
	}
	return out
}

// knownInts returns the values of dims when all are known.
func knownInts(ds []Dim) ([]int64, bool) {
	if ds == nil {
		return nil, false
	}
	out := make([]int64, len(ds))
	for i, d := range ds {
		v, ok := d.Value()
		if !ok {
			return nil, false
		}
		out[i] = v
	}
	return out, true
}

// freshShape returns rank fresh dims: a shape whose rank is known and whose
// sizes are fixed only at run time.
func freshShape(c *Ctx, rank int) Shape {
	s := make(Shape, rank)
	for i := range s {
		s[i] = c.Fresh()
	}
	return s
}

// maxRank is the longest shape vector vectorLen reports: a vector that
// holds a shape (or axes) longer than that is not one.
const maxRank = 1 << 10

// vectorLen returns the length of input i when it is a vector of known
// size, at most maxRank.
func vectorLen(c *Ctx, i int) (int, bool) {
	s, ok := c.InputShape(i)
	if !ok || len(s) != 1 {
		return 0, false
	}
	n, ok := s[0].Value()
	if !ok || n < 0 || n > maxRank {
		return 0, false
	}
	return int(n), true
}

// scalarDim returns the single integer element of d.
func scalarDim(d *Data) (Dim, bool) {
	if d == nil || d.Ints == nil || len(d.Ints) != 1 {
		return Unknown, false
	}
	return d.Ints[0], true
}

// isFloatData reports whether d is a single known floating value.
func isFloatData(d *Data) bool { return d != nil && len(d.Floats) == 1 }

func ceilDivInt(a, b int64) int64 { return -floorDiv(-a, b) }

// exactDiv returns a/b, dividing exactly when b divides every term of a
// (a polynomial by a monomial: 512*N*S / 64*N*S = 8), else floor(a/b).
func exactDiv(a, b Dim) Dim {
	if a.IsUnknown() || b.IsUnknown() {
		return a.op(b, nil) // unknown, keeping the reason (Dim.Err)
	}
	if v, ok := b.Value(); ok && v == 0 {
		return Unknown
	}
	if q := a.Expr().divExact(b.Expr()); q != nil {
		return FromExpr(q)
	}
	return a.FloorDiv(b)
}

// ceilDiv returns ceil(a/b), exact when b divides a.
func ceilDiv(a, b Dim) Dim {
	if a.IsUnknown() || b.IsUnknown() {
		return a.op(b, nil)
	}
	if q := a.Expr().divExact(b.Expr()); q != nil {
		return FromExpr(q)
	}
	return a.CeilDiv(b)
}

// splitAt returns the element counts before, at and after axis ax of shape.
func splitAt(shape []int64, ax int) (outer, n, inner int) {
	outer, inner = 1, 1
	for _, d := range shape[:ax] {
		outer *= int(d)
	}
	for _, d := range shape[ax+1:] {
		inner *= int(d)
	}
	return outer, int(shape[ax]), inner
}

// reshapeData returns d with shape sh (the same elements).
func reshapeData(d *Data, sh []int64) *Data {
	nd := *d
	nd.Shape = sh
	if len(sh) == 0 {
		nd.Shape = nil
	}
	return &nd
}

// takeAlong picks the slices idx along axis ax of d; nil when the result
// would be too large to track.
func takeAlong(d *Data, ax int, idx []int) *Data {
	if ax >= len(d.Shape) {
		return nil
	}
	out := &Data{Shape: slices.Clone(d.Shape)}
	out.Shape[ax] = int64(len(idx))
	if !trackable(d.Shape) || !trackable(out.Shape) {
		return nil // and the products below fit
	}
	outer, n, inner := splitAt(d.Shape, ax)
	size := outer * len(idx) * inner
	if size > maxData || d.Len() != outer*n*inner {
		return nil
	}
	if d.Floats != nil {
		out.Floats = make([]float64, 0, size)
	} else {
		out.Ints = make([]Dim, 0, size)
	}
	for _, k := range idx {
		if k < 0 || k >= n {
			return nil
		}
	}
	if size == 0 {
		return out
	}
	for o := range outer {
		for _, k := range idx {
			lo := (o*n + k) * inner
			if d.Floats != nil {
				out.Floats = append(out.Floats, d.Floats[lo:lo+inner]...)
			} else {
				out.Ints = append(out.Ints, d.Ints[lo:lo+inner]...)
			}
		}
	}
	return out
}

// concatData joins data of equal rank along axis ax.
func concatData(parts []*Data, ax int) *Data {
	floats := parts[0].Floats != nil
	shape := slices.Clone(parts[0].Shape)
	shape[ax] = 0
	for _, p := range parts {
		if (p.Floats != nil) != floats {
			return nil
		}
		shape[ax] += p.Shape[ax]
	}
	if !trackable(shape) {
		return nil
	}
	outer, _, inner := splitAt(shape, ax)
	if outer*int(shape[ax])*inner > maxData {
		return nil
	}
	out := &Data{Shape: shape}
	if !floats {
		out.Ints = []Dim{}
	}
	for o := range outer {
		for _, p := range parts {
			w := int(p.Shape[ax]) * inner
			if p.Len() != outer*w {
				return nil
			}
			if floats {
				out.Floats = append(out.Floats, p.Floats[o*w:(o+1)*w]...)
			} else {
				out.Ints = append(out.Ints, p.Ints[o*w:(o+1)*w]...)
			}
		}
	}
	return out
}

// transposeData permutes the axes of d.
func transposeData(d *Data, perm []int64) *Data {
	r := len(d.Shape)
	n := d.Len()
	shape := make([]int64, r)
	for i, p := range perm {
		shape[i] = d.Shape[p]
	}
	strides := make([]int, r)
	s := 1
	for i := r - 1; i >= 0; i-- {
		strides[i] = s
		s *= int(d.Shape[i])
	}
	if s != n {
		return nil
	}
	out := &Data{Shape: shape}
	if d.Floats != nil {
		out.Floats = make([]float64, n)
	} else {
		out.Ints = make([]Dim, n)
	}
	idx := make([]int, r)
	for k := range n {
		src := 0
		for i := range r {
			src += idx[i] * strides[perm[i]]
		}
		if d.Floats != nil {
			out.Floats[k] = d.Floats[src]
		} else {
			out.Ints[k] = d.Ints[src]
		}
		for i := r - 1; i >= 0; i-- {
			idx[i]++
			if int64(idx[i]) < shape[i] {
				break
			}
			idx[i] = 0
		}
	}
	return out
}

// broadcastData expands d to shape sh by numpy broadcasting.
func broadcastData(d *Data, sh []int64) *Data {
	n := onnxgraph.NumElements(sh)
	if n > maxData || n < 0 || len(sh) < len(d.Shape) {
		return nil
	}
	r := len(sh)
	off := r - len(d.Shape)
	strides := make([]int, r)
	s := 1
	for i := r - 1; i >= off; i-- {
		if d.Shape[i-off] != 1 {
			strides[i] = s
		}
		s *= int(d.Shape[i-off])
	}
	if s != d.Len() {
		return nil
	}
	out := &Data{Shape: slices.Clone(sh)}
	if len(sh) == 0 {
		out.Shape = nil
	}
	if d.Floats != nil {
		out.Floats = make([]float64, n)
	} else {
		out.Ints = make([]Dim, n)
	}
	idx := make([]int, r)
	for k := range int(n) {
		src := 0
		for i := range r {
			src += idx[i] * strides[i]
		}
		if d.Floats != nil {
			out.Floats[k] = d.Floats[src]
		} else {
			out.Ints[k] = d.Ints[src]
		}
		for i := r - 1; i >= 0; i-- {
			idx[i]++
			if int64(idx[i]) < sh[i] {
				break
			}
			idx[i] = 0
		}
	}
	return out
}

// numElements is the product of the dims of s, with the constant factors
// multiplied as integers (fewer expressions built than Shape.NumElements).
// A product past int64 is unknown with ErrOverflow.
func numElements(s Shape) Dim {
	k := int64(1)
	var sym *Expr
	unknown, why := false, Unknown // why: an unknown dim that says why
	for _, d := range s {
		if v, ok := d.Value(); ok {
			if v == 0 {
				return known(0)
			}
			if k, ok = mulInt(k, v); !ok {
				unknown, why = true, Dim{overflowExpr}
			}
			continue
		}
		if d.IsUnknown() {
			if unknown = true; d.Err() != nil {
				why = d
			}
			continue
		}
		if sym == nil {
			sym = d.e
		} else {
			sym = sym.Mul(d.e)
		}
	}
	switch {
	case unknown:
		return why
	case sym == nil:
		return known(k)
	case k == 1:
		return FromExpr(sym)
	}
	return FromExpr(sym.Mul(ConstExpr(k)))
}

// constProduct is the product of s when every dim is a known size,
// Unknown otherwise (with ErrOverflow when it does not fit in int64).
func constProduct(s Shape) Dim {
	k := int64(1)
	for _, d := range s {
		v, ok := d.Value()
		if !ok {
			return Unknown
		}
		if k, ok = mulInt(k, v); !ok {
			return Dim{overflowExpr}
		}
	}
	return known(k)
}

// sumDims is the sum of ds, with the constants added as integers.
func sumDims(ds []Dim) Dim {
	k := int64(0)
	var sym *Expr
	for _, d := range ds {
		if v, ok := d.Value(); ok {
			if k, ok = addInt(k, v); !ok {
				return Dim{overflowExpr}
			}
			continue
		}
		if d.IsUnknown() {
			return Unknown.op(d, nil)
		}
		if sym == nil {
			sym = d.e
		} else {
			sym = sym.Add(d.e)
		}
	}
	switch {
	case sym == nil:
		return known(k)
	case k == 0:
		return FromExpr(sym)
	}
	return FromExpr(sym.Add(ConstExpr(k)))
}

// known is Known(n) (which shares the small sizes).
func known(n int64) Dim { return Known(n) }

// dataIf returns what is known of input i's contents, given its type t:
// nothing when t has a dim that is not a known size (only tensors of known
// size carry data), which spares the look-up for most activations.
func dataIf(c *Ctx, i int, t *Type) *Data {
	if t.HasShape() {
		for _, d := range t.Shape {
			if _, ok := d.Value(); !ok {
				return nil
			}
		}
	}
	return c.Data(i)
}

// joinDims concatenates dim lists into a shape; never nil, so that an
// empty result is a scalar, not an unknown rank.
func joinDims(parts ...Shape) Shape {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	out := make(Shape, 0, n)
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}
