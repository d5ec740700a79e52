package shapeinfer

import (
	"github.com/onnxgraph/onnxgraph"
)

// The shape family: operators that move, reshape, slice, join or compute
// shapes, with data propagation for the small integer tensors that carry
// shapes at run time.

var shapeTable = join(
	all(inferIdentity, versions("ai.onnx", "Identity", 1, 13, 14, 16, 19, 21, 23, 24, 25)),
	all(inferConstant, versions("ai.onnx", "Constant", 1, 9, 11, 12, 13, 19, 21, 23, 24, 25)),
	all(inferShape, versions("ai.onnx", "Shape", 1, 13, 15, 19, 21, 23, 24, 25)),
	all(inferSize, versions("ai.onnx", "Size", 1, 13, 19, 21, 23, 24, 25)),
	all(inferReshape, versions("ai.onnx", "Reshape", 5, 13, 14, 19, 21, 23, 24, 25)),
	all(inferConcat, versions("ai.onnx", "Concat", 1, 4, 11, 13)),
	all(inferGather, versions("ai.onnx", "Gather", 1, 11, 13)),
	all(inferUnsqueeze, versions("ai.onnx", "Unsqueeze", 1, 11, 13, 21, 23, 24, 25)),
	all(inferSqueeze, versions("ai.onnx", "Squeeze", 1, 11, 13, 21, 23, 24, 25)),
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
		c.SetData(0, &Data{Ints: []Dim{Known(c.Attr("value_int").GetI())}})
	case c.Attr("value_ints") != nil:
		v := c.Attr("value_ints").GetInts()
		scalar(onnxgraph.Int64, KnownShape(int64(len(v))))
		ds := make([]Dim, len(v))
		for i, x := range v {
			ds[i] = Known(x)
		}
		c.SetData(0, Vector(ds...))
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
	c.SetOutput(0, Tensor(onnxgraph.Int64, KnownShape(int64(len(dims)))))
	c.SetData(0, Vector(dims...))
	return nil
}

func inferSize(c *Ctx) error {
	c.SetOutput(0, Tensor(onnxgraph.Int64, Shape{}))
	if s, ok := c.InputShape(0); ok {
		c.SetData(0, &Data{Ints: []Dim{s.NumElements()}})
	}
	return nil
}

func inferReshape(c *Ctx) error {
	in := c.Input(0)
	if in == nil {
		return nil
	}
	target, ok := dataToShape(c.Data(1))
	if !ok {
		if ts, ok := c.InputShape(1); ok && len(ts) == 1 {
			if n, ok := ts[0].Value(); ok {
				shape := make(Shape, n)
				for i := range shape {
					shape[i] = c.Fresh()
				}
				c.SetOutput(0, Tensor(in.Elem, shape))
				return c.Errorf(CodeDataDependent, "the target shape %q is computed at run time", c.Node.Input(1).Name())
			}
		}
		c.SetOutput(0, Tensor(in.Elem, nil))
		return c.Errorf(CodeDataDependent, "the target shape is not known")
	}
	allowZero := c.Int("allowzero", 0) == 1
	out := make(Shape, len(target))
	infer := -1
	known := Known(1)
	for i, d := range target {
		v, isConst := d.Value()
		switch {
		case isConst && v == -1:
			if infer >= 0 {
				return c.Errorf(CodeInvalid, "two -1 dims in the target shape")
			}
			infer = i
			continue
		case isConst && v == 0 && !allowZero:
			if !in.HasShape() || i >= len(in.Shape) {
				out[i] = Unknown
			} else {
				out[i] = in.Shape[i]
			}
		default:
			out[i] = d
		}
		known = known.Mul(out[i])
	}
	if infer >= 0 {
		if in.HasShape() {
			total := in.Shape.NumElements()
			out[infer] = total.FloorDiv(known)
		} else {
			out[infer] = Unknown
		}
	}
	c.SetOutput(0, Tensor(in.Elem, out))
	if d := c.Data(0); d != nil {
		nd := *d
		if sh, ok := out.Known(); ok {
			nd.Shape = sh
			c.SetData(0, &nd)
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
		return nil
	}
	elem := ts[0].Elem
	var rank = -1
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
	ax, err := axis(c, c.Int("axis", 1), rank)
	if err != nil {
		return err
	}
	out := make(Shape, rank)
	sum := Known(0)
	for i := range out {
		out[i] = Unknown
	}
	for k, t := range ts {
		if !t.HasShape() {
			sum = Unknown
			continue
		}
		if len(t.Shape) != rank {
			return c.Errorf(CodeInvalid, "input %d has rank %d, not %d", k, len(t.Shape), rank)
		}
		for i, d := range t.Shape {
			if i == ax {
				sum = sum.Add(d)
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
	out[ax] = sum
	c.SetOutput(0, Tensor(elem, out))
	if rank == 1 {
		var vals []Dim
		for i := 0; i < c.NumInputs(); i++ {
			d := c.Data(i)
			if d == nil || d.Ints == nil {
				return nil
			}
			vals = append(vals, d.Ints...)
		}
		c.SetData(0, Vector(vals...))
	}
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
	ax, err := axis(c, c.Int("axis", 0), r)
	if err != nil {
		return err
	}
	out := append(append(append(Shape(nil), data.Shape[:ax]...), idx.Shape...), data.Shape[ax+1:]...)
	c.SetOutput(0, Tensor(data.Elem, out))
	d, di := c.Data(0), c.Data(1)
	if d == nil || d.Ints == nil || r != 1 {
		return nil
	}
	ix, ok := di.KnownInts()
	if !ok {
		return nil
	}
	vals := make([]Dim, len(ix))
	for i, k := range ix {
		if k < 0 {
			k += int64(len(d.Ints))
		}
		if k < 0 || k >= int64(len(d.Ints)) {
			return c.Errorf(CodeInvalid, "index %d out of range [0,%d)", ix[i], len(d.Ints))
		}
		vals[i] = d.Ints[k]
	}
	c.SetData(0, &Data{Shape: di.Shape, Ints: vals})
	return nil
}

// axesOf returns the axes of (Un)Squeeze: the attribute before opset 13,
// the second input after.
func axesOf(c *Ctx) ([]int64, bool) {
	if c.Schema != nil && c.Schema.SinceVersion >= 13 {
		if !c.HasInput(1) {
			return nil, true
		}
		return c.Data(1).KnownInts()
	}
	return c.Ints("axes")
}

func inferUnsqueeze(c *Ctx) error {
	in := c.Input(0)
	if in == nil {
		return nil
	}
	axes, ok := axesOf(c)
	if !ok || !in.HasShape() {
		c.SetOutput(0, Tensor(in.Elem, nil))
		if !ok {
			return c.Errorf(CodeDataDependent, "axes are not known")
		}
		return nil
	}
	r := len(in.Shape) + len(axes)
	ones := map[int]bool{}
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
			out = append(out, Known(1))
		} else {
			out = append(out, in.Shape[k])
			k++
		}
	}
	c.SetOutput(0, Tensor(in.Elem, out))
	if d := c.Data(0); d != nil && d.Ints != nil {
		if sh, ok := out.Known(); ok {
			c.SetData(0, &Data{Shape: sh, Ints: d.Ints})
		}
	}
	return nil
}

func inferSqueeze(c *Ctx) error {
	in := c.Input(0)
	if in == nil {
		return nil
	}
	axes, ok := axesOf(c)
	if !ok || !in.HasShape() {
		c.SetOutput(0, Tensor(in.Elem, nil))
		if !ok {
			return c.Errorf(CodeDataDependent, "axes are not known")
		}
		return nil
	}
	r := len(in.Shape)
	drop := map[int]bool{}
	if len(axes) == 0 {
		for i, d := range in.Shape {
			if v, ok := d.Value(); ok && v == 1 {
				drop[i] = true
			} else if !ok {
				c.SetOutput(0, Tensor(in.Elem, nil))
				return c.Errorf(CodeDataDependent, "dim %d is not known to be 1 or not", i)
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
	var out Shape = Shape{}
	for i, d := range in.Shape {
		if !drop[i] {
			out = append(out, d)
		}
	}
	c.SetOutput(0, Tensor(in.Elem, out))
	if d := c.Data(0); d != nil && d.Ints != nil {
		if sh, ok := out.Known(); ok {
			if len(sh) == 0 {
				sh = nil
			}
			c.SetData(0, &Data{Shape: sh, Ints: d.Ints})
		}
	}
	return nil
}
