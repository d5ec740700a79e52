package eval

import (
	"math"
)

// Quantization: QuantizeLinear and DequantizeLinear (per tensor, per axis
// and blocked), DynamicQuantizeLinear, QLinearMatMul, QLinearConv.
//
// Divisions and products are computed in float32 when the scale is a
// float32, as ONNX's reference does, so that ties round alike.

var quantTable = map[key]entry{
	{onnx, "QuantizeLinear", 10}:        k(quantize, tQuantIn),
	{onnx, "QuantizeLinear", 13}:        k(quantize, tQuantIn, "axis"),
	{onnx, "QuantizeLinear", 19}:        k(quantize, tQuantIn, "axis", "saturate"),
	{onnx, "QuantizeLinear", 21}:        k(quantize, tQuantIn, "axis", "block_size", "output_dtype", "saturate"),
	{onnx, "QuantizeLinear", 23}:        k(quantize, tQuantIn, "axis", "block_size", "output_dtype", "precision", "saturate"),
	{onnx, "QuantizeLinear", 24}:        k(quantize, tQuantIn, "axis", "block_size", "output_dtype", "precision", "saturate"),
	{onnx, "QuantizeLinear", 25}:        k(quantize, tQuantIn, "axis", "block_size", "output_dtype", "precision", "saturate"),
	{onnx, "DequantizeLinear", 10}:      k(dequantize, tDequantIn),
	{onnx, "DequantizeLinear", 13}:      k(dequantize, tDequantIn, "axis"),
	{onnx, "DequantizeLinear", 19}:      k(dequantize, tDequantIn, "axis"),
	{onnx, "DequantizeLinear", 21}:      k(dequantize, tDequantIn, "axis", "block_size"),
	{onnx, "DequantizeLinear", 23}:      k(dequantize, tDequantIn, "axis", "block_size", "output_dtype"),
	{onnx, "DequantizeLinear", 24}:      k(dequantize, tDequantIn, "axis", "block_size", "output_dtype"),
	{onnx, "DequantizeLinear", 25}:      k(dequantize, tDequantIn, "axis", "block_size", "output_dtype"),
	{onnx, "DynamicQuantizeLinear", 11}: k(dynamicQuantize, []DataType{dtFloat}),
	{onnx, "QLinearMatMul", 10}:         k(qlinearMatMul, []DataType{dtInt8, dtUint8}),
	{onnx, "QLinearMatMul", 21}:         k(qlinearMatMul, []DataType{dtInt8, dtUint8}),
	{onnx, "QLinearConv", 10}:           k(qlinearConv, []DataType{dtInt8, dtUint8}, convAttrs...),
}

var (
	tQuantIn   = []DataType{dtFloat, dtFloat16, dtBFloat16, dtInt32}
	tDequantIn = cat([]DataType{dtInt8, dtUint8, dtInt16, dtUint16, dtInt32, dtInt2, dtUint2}, tFloat8, tInt4s, []DataType{dtFloat4})
)

// quantParams resolves how scale (and zero point) elements map onto x's
// elements: per tensor, per axis, or per block along axis.
func quantParams(c *ctx, x, scale *tensor) ([]int, error) {
	axis64, block := int64(1), int64(0)
	if _, ok := c.schema.Attribute("axis"); ok {
		axis64 = c.int("axis")
	}
	if _, ok := c.schema.Attribute("block_size"); ok {
		block = c.int("block_size")
	}
	if c.err != nil {
		return nil, c.err
	}
	n := x.size()
	idx := make([]int, n)
	switch {
	case scale.size() == 1 && scale.rank() <= 1 && block == 0:
		return idx, nil
	case block == 0:
		axis, err := normAxis(axis64, x.rank())
		if err != nil {
			return nil, err
		}
		if scale.rank() != 1 || scale.size() != x.shape[axis] {
			return nil, invalidf("scale %s for axis %d of %s", shapeString(scale.shape), axis, shapeString(x.shape))
		}
		inner := numel(x.shape[axis+1:])
		for i := range idx {
			idx[i] = (i / max(inner, 1)) % x.shape[axis]
		}
		return idx, nil
	}
	if block < 0 {
		return nil, invalidf("block_size %d", block)
	}
	axis, err := normAxis(axis64, x.rank())
	if err != nil {
		return nil, err
	}
	if scale.rank() != x.rank() {
		return nil, invalidf("blocked scale %s for %s", shapeString(scale.shape), shapeString(x.shape))
	}
	for d := range x.shape {
		want := x.shape[d]
		if d == axis {
			want = int((int64(x.shape[d]) + block - 1) / block)
		}
		if scale.shape[d] != want {
			return nil, invalidf("blocked scale %s for %s with block_size %d", shapeString(scale.shape), shapeString(x.shape), block)
		}
	}
	st := stridesOf(scale.shape)
	tabs := make([][]int, x.rank())
	for d := range x.shape {
		t := make([]int, x.shape[d])
		for j := range t {
			if d == axis {
				t[j] = j / int(block) * st[d]
			} else {
				t[j] = j * st[d]
			}
		}
		tabs[d] = t
	}
	return separable(x.shape, tabs, n), nil
}

func quantize(c *ctx, in []*tensor) ([]*tensor, error) {
	x, scale := in[0], in[1]
	var zp *tensor
	if len(in) > 2 && in[2] != nil {
		zp = in[2]
	}
	saturate := true
	if _, ok := c.schema.Attribute("saturate"); ok {
		saturate = c.int("saturate") != 0
	}
	to := dtUint8
	if _, ok := c.schema.Attribute("output_dtype"); ok {
		if d := c.int("output_dtype"); d != 0 {
			to = DataType(d)
			if zp != nil && zp.dt != to {
				return nil, invalidf("output_dtype %s and zero point of type %s", typeName(to), typeName(zp.dt))
			}
		}
	}
	if _, ok := c.schema.Attribute("precision"); ok && c.int("precision") != 0 {
		return nil, notImplf("precision %d", c.int("precision"))
	}
	if c.err != nil {
		return nil, c.err
	}
	if zp != nil {
		to = zp.dt
		if !equalShapes(zp.shape, scale.shape) && zp.size() != scale.size() {
			return nil, invalidf("zero point %s for scale %s", shapeString(zp.shape), shapeString(scale.shape))
		}
	}
	pi, err := quantParams(c, x, scale)
	if err != nil {
		return nil, err
	}
	xv, err := toFloat64s(x)
	if err != nil {
		return nil, err
	}
	sv, err := toFloat64s(scale)
	if err != nil {
		return nil, err
	}
	zv := make([]float64, len(sv))
	if zp != nil {
		if zv, err = toFloat64s(zp); err != nil {
			return nil, err
		}
	}
	f32 := scale.dt == dtFloat && x.dt != dtInt32
	q := make([]float64, len(xv))
	for i, e := range xv {
		s := sv[pi[i]]
		if f32 {
			q[i] = float64(float32(e) / float32(s))
		} else {
			q[i] = e / s
		}
	}
	if isFloat(to) {
		for i := range q {
			q[i] += zv[pi[i]]
		}
		out, err := castTo(c, withData(dtDouble, x.shape, q), to, saturate)
		return []*tensor{out}, err
	}
	lo, hi := intBounds(to)
	switch to {
	case dtInt4:
		lo, hi = -8, 7
	case dtUint4:
		lo, hi = 0, 15
	case dtInt2:
		lo, hi = -2, 1
	case dtUint2:
		lo, hi = 0, 3
	case dtInt8, dtUint8, dtInt16, dtUint16:
	default:
		return nil, notImplf("quantization to %s", typeName(to))
	}
	out := make([]int64, len(q))
	for i, e := range q {
		r := math.RoundToEven(e) + zv[pi[i]]
		out[i] = int64(min(max(r, float64(lo)), float64(hi)))
	}
	return []*tensor{withData(to, x.shape, intsAs(out, to))}, nil
}

func dequantize(c *ctx, in []*tensor) ([]*tensor, error) {
	x, scale := in[0], in[1]
	to := scale.dt
	if _, ok := c.schema.Attribute("output_dtype"); ok {
		if d := c.int("output_dtype"); d != 0 {
			to = DataType(d)
		}
	}
	if c.err != nil {
		return nil, c.err
	}
	if to != dtFloat && to != dtFloat16 && to != dtBFloat16 {
		return nil, notImplf("dequantization to %s", typeName(to))
	}
	pi, err := quantParams(c, x, scale)
	if err != nil {
		return nil, err
	}
	xv, err := toFloat64s(x)
	if err != nil {
		return nil, err
	}
	sv, err := toFloat64s(scale)
	if err != nil {
		return nil, err
	}
	zv := make([]float64, len(sv))
	if len(in) > 2 && in[2] != nil {
		if in[2].dt != x.dt || in[2].size() != scale.size() {
			return nil, invalidf("zero point %s of type %s", shapeString(in[2].shape), typeName(in[2].dt))
		}
		if zv, err = toFloat64s(in[2]); err != nil {
			return nil, err
		}
	}
	out := make([]float64, len(xv))
	for i, e := range xv {
		// (x - zp) is exact; the product of two float32 values is exact in
		// float64, so one rounding to float32 matches float32 arithmetic.
		out[i] = (e - zv[pi[i]]) * sv[pi[i]]
	}
	res, err := fromF64As(to, x.shape, out)
	return []*tensor{res}, err
}

func dynamicQuantize(c *ctx, in []*tensor) ([]*tensor, error) {
	x := in[0]
	v := x.data.([]float32)
	lo, hi := float32(0), float32(0)
	for _, e := range v {
		lo, hi = min(lo, e), max(hi, e)
	}
	scale := (hi - lo) / 255
	var zp float32
	if scale != 0 {
		zp = float32(math.RoundToEven(float64(min(max(0-lo/scale, 0), 255))))
	}
	out := make([]uint8, len(v))
	for i, e := range v {
		q := float32(0)
		if scale != 0 {
			q = float32(math.RoundToEven(float64(e/scale))) + zp
		} else {
			q = zp
		}
		out[i] = uint8(min(max(q, 0), 255))
	}
	return []*tensor{
		withData(dtUint8, x.shape, out),
		withData(dtFloat, nil, []float32{scale}),
		withData(dtUint8, nil, []uint8{uint8(zp)}),
	}, nil
}

// requantize maps int32-range accumulators to the type of zp with
// multiplier m: rint(acc·m) + zp, saturated.
func requantize(acc []float64, m []float64, mi []int, zp *tensor, shape []int) (*tensor, error) {
	z, err := scalarFloat(zp, "y_zero_point")
	if err != nil {
		return nil, err
	}
	lo, hi := intBounds(zp.dt)
	out := make([]int64, len(acc))
	for i, a := range acc {
		r := math.RoundToEven(a*m[mi[i]]) + z
		out[i] = int64(min(max(r, float64(lo)), float64(hi)))
	}
	return withData(zp.dt, shape, intsAs(out, zp.dt)), nil
}

// centered returns x minus its zero point (per tensor, or per slice along
// axis when the zero point has several elements).
func centered(x, zp *tensor, axis int) ([]float64, error) {
	v, err := toFloat64s(x)
	if err != nil {
		return nil, err
	}
	z, err := toFloat64s(zp)
	if err != nil {
		return nil, err
	}
	switch {
	case len(z) == 1:
		return mapT(v, func(e float64) float64 { return e - z[0] }), nil
	case axis >= 0 && axis < x.rank() && len(z) == x.shape[axis]:
		inner := numel(x.shape[axis+1:])
		out := make([]float64, len(v))
		for i, e := range v {
			out[i] = e - z[(i/max(inner, 1))%len(z)]
		}
		return out, nil
	}
	return nil, invalidf("zero point of %d elements", len(z))
}

func qlinearMatMul(c *ctx, in []*tensor) ([]*tensor, error) {
	for i := range 8 {
		if i >= len(in) || in[i] == nil {
			return nil, invalidf("input %d missing", i)
		}
	}
	a, b := in[0], in[3]
	if a.rank() != 2 || b.rank() != 2 {
		if in[1].size() != 1 || in[4].size() != 1 {
			return nil, notImplf("per-axis scales of batched operands")
		}
	}
	av, err := centered(a, in[2], a.rank()-2)
	if err != nil {
		return nil, err
	}
	bv, err := centered(b, in[5], b.rank()-1)
	if err != nil {
		return nil, err
	}
	prod, err := matmulT(c, withData(dtDouble, a.shape, av), withData(dtDouble, b.shape, bv))
	if err != nil {
		return nil, err
	}
	as, _ := toFloat64s(in[1])
	bs, _ := toFloat64s(in[4])
	ys, err := scalarFloat(in[6], "y_scale")
	if err != nil {
		return nil, err
	}
	// The multiplier per output element: a's scale per row (or one), b's
	// per column (or one), in float32.
	acc := prod.data.([]float64)
	n := 1
	if prod.rank() > 0 {
		n = prod.shape[prod.rank()-1]
	}
	m := make([]float64, len(acc))
	mi := make([]int, len(acc))
	rows := 1
	if prod.rank() > 1 {
		rows = prod.shape[prod.rank()-2]
	}
	for i := range acc {
		row := (i / max(n, 1)) % max(rows, 1)
		col := i % max(n, 1)
		sa, sb := as[0], bs[0]
		if len(as) > 1 {
			sa = as[row]
		}
		if len(bs) > 1 {
			sb = bs[col]
		}
		m[i] = float64(float32(sa) * float32(sb) / float32(ys))
		mi[i] = i
	}
	out, err := requantize(acc, m, mi, in[7], prod.shape)
	return []*tensor{out}, err
}

func qlinearConv(c *ctx, in []*tensor) ([]*tensor, error) {
	for i := range 8 {
		if i >= len(in) || in[i] == nil {
			return nil, invalidf("input %d missing", i)
		}
	}
	x, w := in[0], in[3]
	xv, err := centered(x, in[2], 1)
	if err != nil {
		return nil, err
	}
	wv, err := centered(w, in[5], 0)
	if err != nil {
		return nil, err
	}
	args := []*tensor{withData(dtDouble, x.shape, xv), withData(dtDouble, w.shape, wv)}
	if len(in) > 8 && in[8] != nil {
		bv, err := toFloat64s(in[8])
		if err != nil {
			return nil, err
		}
		args = append(args, withData(dtDouble, in[8].shape, bv))
	}
	res, err := conv(c, args)
	if err != nil {
		return nil, err
	}
	y := res[0]
	xs, err := scalarFloat(in[1], "x_scale")
	if err != nil {
		return nil, err
	}
	ws, _ := toFloat64s(in[4])
	ys, err := scalarFloat(in[6], "y_scale")
	if err != nil {
		return nil, err
	}
	m := make([]float64, len(ws))
	for i, s := range ws {
		m[i] = float64(float32(xs) * float32(s) / float32(ys))
	}
	mi := make([]int, y.size())
	if len(ws) > 1 {
		inner := numel(y.shape[2:])
		for i := range mi {
			mi[i] = (i / max(inner, 1)) % y.shape[1]
		}
	}
	out, err := requantize(y.data.([]float64), m, mi, in[7], y.shape)
	return []*tensor{out}, err
}
