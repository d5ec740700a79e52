package eval

import (
	"math"
)

// Normalizations: BatchNormalization (inference), InstanceNormalization,
// LayerNormalization, GroupNormalization, LpNormalization,
// MeanVarianceNormalization, LRN.

var normTable = map[key]entry{
	{onnx, "BatchNormalization", 1}:         k(batchNorm, tFloats, "consumed_inputs", "epsilon", "is_test", "momentum", "spatial"),
	{onnx, "BatchNormalization", 6}:         k(batchNorm, tFloats, "epsilon", "is_test", "momentum", "spatial"),
	{onnx, "BatchNormalization", 7}:         k(batchNorm, tFloats, "epsilon", "momentum", "spatial"),
	{onnx, "BatchNormalization", 9}:         k(batchNorm, tFloats, "epsilon", "momentum"),
	{onnx, "BatchNormalization", 14}:        k(batchNorm, tFloats, "epsilon", "momentum", "training_mode"),
	{onnx, "BatchNormalization", 15}:        k(batchNorm, tFloats, "epsilon", "momentum", "training_mode"),
	{onnx, "InstanceNormalization", 1}:      k(instanceNorm, tFloats, "consumed_inputs", "epsilon"),
	{onnx, "InstanceNormalization", 6}:      k(instanceNorm, tFloats, "epsilon"),
	{onnx, "InstanceNormalization", 22}:     k(instanceNorm, tFloats, "epsilon"),
	{onnx, "LayerNormalization", 17}:        k(layerNorm, tFloats, "axis", "epsilon", "stash_type"),
	{onnx, "GroupNormalization", 21}:        k(groupNorm, tFloats, "epsilon", "num_groups", "stash_type"),
	{onnx, "LpNormalization", 1}:            k(lpNorm, tFloats, "axis", "p"),
	{onnx, "LpNormalization", 22}:           k(lpNorm, tFloats, "axis", "p"),
	{onnx, "MeanVarianceNormalization", 9}:  k(mvn, tFloats, "axes"),
	{onnx, "MeanVarianceNormalization", 13}: k(mvn, tFloats, "axes"),
	{onnx, "RMSNormalization", 23}:          k(rmsNorm, tFloats, "axis", "epsilon", "stash_type"),
	{onnx, "LRN", 1}:                        k(lrn, tFloats, "alpha", "beta", "bias", "size"),
	{onnx, "LRN", 13}:                       k(lrn, tFloats, "alpha", "beta", "bias", "size"),
}

// floats64 reads the float inputs of a kernel, checking each is present.
func floats64(in []*tensor, idx ...int) ([][]float64, error) {
	out := make([][]float64, len(idx))
	for i, j := range idx {
		if j >= len(in) || in[j] == nil {
			return nil, invalidf("input %d missing", j)
		}
		v, err := toFloat64s(in[j])
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func batchNorm(c *ctx, in []*tensor) ([]*tensor, error) {
	x := in[0]
	eps := float64(c.float("epsilon"))
	momentum := float64(c.float("momentum"))
	spatial := true
	if _, ok := c.schema.Attribute("spatial"); ok {
		spatial = c.int("spatial") != 0
	}
	if _, ok := c.schema.Attribute("is_test"); ok {
		c.int("is_test")
	}
	training := false
	if _, ok := c.schema.Attribute("training_mode"); ok {
		training = c.int("training_mode") != 0
	}
	if c.err != nil {
		return nil, c.err
	}
	if c.nout > 1 && !training {
		return nil, notImplf("running statistics outputs of opset %d", c.since())
	}
	if x.rank() < 2 {
		return nil, invalidf("input of rank %d", x.rank())
	}
	p, err := floats64(in, 1, 2, 3, 4)
	if err != nil {
		return nil, err
	}
	v, _ := toFloat64s(x)
	ch := x.shape[1]
	inner := numel(x.shape[2:])
	per := ch // parameters per channel, or per element of a sample when not spatial
	if !spatial {
		per = ch * inner
	}
	for i, q := range p {
		if len(q) != per {
			return nil, invalidf("parameter %d has %d elements, want %d", i+1, len(q), per)
		}
	}
	mean, variance := p[2], p[3]
	var runMean, runVar []float64
	if training {
		// Batch statistics over every dim but the channels.
		mean, variance = make([]float64, ch), make([]float64, ch)
		cnt := float64(x.shape[0] * inner)
		for i, e := range v {
			mean[(i/max(inner, 1))%ch] += e
		}
		for j := range mean {
			mean[j] /= cnt
		}
		for i, e := range v {
			j := (i / max(inner, 1)) % ch
			variance[j] += (e - mean[j]) * (e - mean[j])
		}
		runMean, runVar = make([]float64, ch), make([]float64, ch)
		for j := range variance {
			variance[j] /= cnt
			runMean[j] = p[2][j]*momentum + mean[j]*(1-momentum)
			runVar[j] = p[3][j]*momentum + variance[j]*(1-momentum)
		}
	}
	out := make([]float64, len(v))
	for i, e := range v {
		j := (i / max(inner, 1)) % ch
		if !spatial {
			j = i % per
		}
		out[i] = p[0][j]*(e-mean[j])/math.Sqrt(variance[j]+eps) + p[1][j]
	}
	res, err := fromF64As(x.dt, x.shape, out)
	if err != nil {
		return nil, err
	}
	outs := []*tensor{res}
	if c.nout > 1 {
		rm, _ := fromF64As(in[3].dt, in[3].shape, runMean)
		rv, _ := fromF64As(in[4].dt, in[4].shape, runVar)
		outs = append(outs, rm, rv)
	}
	return outs, nil
}

// normalize standardizes v over groups of size n (consecutive elements),
// returning the normalized values and each group's mean and 1/std.
func normalize(v []float64, n int, eps float64) (out, mean, inv []float64) {
	out = make([]float64, len(v))
	if n == 0 {
		return out, nil, nil
	}
	groups := len(v) / n
	mean, inv = make([]float64, groups), make([]float64, groups)
	for g := range groups {
		s := v[g*n : (g+1)*n]
		m := 0.0
		for _, e := range s {
			m += e
		}
		m /= float64(n)
		va := 0.0
		for _, e := range s {
			va += (e - m) * (e - m)
		}
		va /= float64(n)
		iv := 1 / math.Sqrt(va+eps)
		for i, e := range s {
			out[g*n+i] = (e - m) * iv
		}
		mean[g], inv[g] = m, iv
	}
	return out, mean, inv
}

func instanceNorm(c *ctx, in []*tensor) ([]*tensor, error) {
	x := in[0]
	eps := float64(c.float("epsilon"))
	if c.err != nil {
		return nil, c.err
	}
	if x.rank() < 3 {
		return nil, invalidf("input of rank %d", x.rank())
	}
	p, err := floats64(in, 0, 1, 2)
	if err != nil {
		return nil, err
	}
	ch := x.shape[1]
	if len(p[1]) != ch || len(p[2]) != ch {
		return nil, invalidf("scale and B must have %d elements", ch)
	}
	inner := numel(x.shape[2:])
	out, _, _ := normalize(p[0], inner, eps)
	for i := range out {
		j := (i / max(inner, 1)) % ch
		out[i] = out[i]*p[1][j] + p[2][j]
	}
	res, err := fromF64As(x.dt, x.shape, out)
	return []*tensor{res}, err
}

func layerNorm(c *ctx, in []*tensor) ([]*tensor, error) {
	x := in[0]
	axis, err := normAxis(c.int("axis"), x.rank())
	eps := float64(c.float("epsilon"))
	stash := c.int("stash_type")
	if c.err != nil {
		return nil, c.err
	}
	if err != nil {
		return nil, err
	}
	if stash != 1 && stash != 11 {
		return nil, notImplf("stash_type %d", stash)
	}
	norm := x.shape[axis:]
	n := numel(norm)
	v, err := toFloat64s(x)
	if err != nil {
		return nil, err
	}
	out, mean, inv := normalize(v, n, eps)
	scale, err := broadcastParam(c, in, 1, norm)
	if err != nil {
		return nil, err
	}
	var bias []float64
	if len(in) > 2 && in[2] != nil {
		if bias, err = broadcastParam(c, in, 2, norm); err != nil {
			return nil, err
		}
	}
	for i := range out {
		j := i % max(n, 1)
		out[i] *= scale[j]
		if bias != nil {
			out[i] += bias[j]
		}
	}
	res, err := fromF64As(x.dt, x.shape, out)
	if err != nil {
		return nil, err
	}
	outs := []*tensor{res}
	if c.nout > 1 {
		stat := append(append([]int{}, x.shape[:axis]...), make([]int, x.rank()-axis)...)
		for d := axis; d < x.rank(); d++ {
			stat[d] = 1
		}
		// Mean and InvStdDev are of the stash type (float), or x's type
		// when that is double.
		sdt := dtFloat
		if x.dt == dtDouble {
			sdt = dtDouble
		}
		m, _ := fromF64As(sdt, stat, mean)
		iv, _ := fromF64As(sdt, stat, inv)
		outs = append(outs, m, iv)
	}
	return outs, nil
}

// rmsNorm divides X by the root mean square of its dims from axis on,
// then scales.
func rmsNorm(c *ctx, in []*tensor) ([]*tensor, error) {
	x := in[0]
	axis, err := normAxis(c.int("axis"), x.rank())
	eps := float64(c.float("epsilon"))
	c.int("stash_type") // computed in float64 whatever it says
	if c.err != nil {
		return nil, c.err
	}
	if err != nil {
		return nil, err
	}
	norm := x.shape[axis:]
	n := numel(norm)
	v, err := toFloat64s(x)
	if err != nil {
		return nil, err
	}
	scale, err := broadcastParam(c, in, 1, norm)
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(v))
	for g := 0; g < len(v); g += max(n, 1) {
		s := 0.0
		for _, e := range v[g : g+n] {
			s += e * e
		}
		inv := 1 / math.Sqrt(s/float64(n)+eps)
		for i := range n {
			out[g+i] = v[g+i] * inv * scale[i]
		}
	}
	res, err := fromF64As(x.dt, x.shape, out)
	return []*tensor{res}, err
}

// broadcastParam reads input idx and broadcasts it to shape (a suffix of
// the input's shape), returning the values in float64.
func broadcastParam(c *ctx, in []*tensor, idx int, shape []int) ([]float64, error) {
	if idx >= len(in) || in[idx] == nil {
		return nil, invalidf("input %d missing", idx)
	}
	p := in[idx]
	if !broadcastsTo(p.shape, shape) {
		return nil, invalidf("parameter of shape %s for normalized shape %s", shapeString(p.shape), shapeString(shape))
	}
	b, err := broadcastTensor(c, p, shape)
	if err != nil {
		return nil, err
	}
	return toFloat64s(b)
}

func groupNorm(c *ctx, in []*tensor) ([]*tensor, error) {
	x := in[0]
	eps := float64(c.float("epsilon"))
	groups := c.int("num_groups")
	stash := c.int("stash_type")
	if c.err != nil {
		return nil, c.err
	}
	if stash != 1 {
		return nil, notImplf("stash_type %d", stash)
	}
	if x.rank() < 2 {
		return nil, invalidf("input of rank %d", x.rank())
	}
	ch := x.shape[1]
	if groups < 1 || int64(ch)%groups != 0 {
		return nil, invalidf("%d groups for %d channels", groups, ch)
	}
	p, err := floats64(in, 0, 1, 2)
	if err != nil {
		return nil, err
	}
	if len(p[1]) != ch || len(p[2]) != ch {
		return nil, invalidf("scale and bias must have %d elements", ch)
	}
	inner := numel(x.shape[2:])
	out, _, _ := normalize(p[0], ch/int(groups)*inner, eps)
	for i := range out {
		j := (i / max(inner, 1)) % ch
		out[i] = out[i]*p[1][j] + p[2][j]
	}
	res, err := fromF64As(x.dt, x.shape, out)
	return []*tensor{res}, err
}

func lpNorm(c *ctx, in []*tensor) ([]*tensor, error) {
	x := in[0]
	axis, err := normAxis(c.int("axis"), x.rank())
	p := c.int("p")
	if c.err != nil {
		return nil, c.err
	}
	if err != nil {
		return nil, err
	}
	if p != 1 && p != 2 {
		return nil, invalidf("p %d", p)
	}
	v, _ := toFloat64s(x)
	outer, dim, inner := numel(x.shape[:axis]), x.shape[axis], numel(x.shape[axis+1:])
	out := make([]float64, len(v))
	for o := range outer {
		for k := range inner {
			s := 0.0
			for j := range dim {
				e := v[(o*dim+j)*inner+k]
				if p == 1 {
					s += math.Abs(e)
				} else {
					s += e * e
				}
			}
			if p == 2 {
				s = math.Sqrt(s)
			}
			for j := range dim {
				i := (o*dim+j)*inner + k
				if s != 0 {
					out[i] = v[i] / s
				}
			}
		}
	}
	res, err := fromF64As(x.dt, x.shape, out)
	return []*tensor{res}, err
}

func mvn(c *ctx, in []*tensor) ([]*tensor, error) {
	x := in[0]
	axes, _ := c.ints("axes")
	if c.err != nil {
		return nil, c.err
	}
	ax, err := normAxes(axes, x.rank())
	if err != nil {
		return nil, err
	}
	red := make([]bool, x.rank())
	for _, a := range ax {
		red[a] = true
	}
	r, err := newReduction(c, x.shape, red, true)
	if err != nil {
		return nil, err
	}
	v, _ := toFloat64s(x)
	count := 1
	for d, isRed := range red {
		if isRed {
			count *= x.shape[d]
		}
	}
	mean := reduceFloats(v, r, rMean, count)
	sq := mapT(v, func(e float64) float64 { return e * e })
	meanSq := reduceFloats(sq, r, rMean, count)
	out := make([]float64, len(v))
	for i, e := range v {
		o := r.to[i]
		std := math.Sqrt(max(meanSq[o]-mean[o]*mean[o], 0))
		out[i] = (e - mean[o]) / (std + 1e-9)
	}
	res, err := fromF64As(x.dt, x.shape, out)
	return []*tensor{res}, err
}

func lrn(c *ctx, in []*tensor) ([]*tensor, error) {
	x := in[0]
	alpha, beta, bias := float64(c.float("alpha")), float64(c.float("beta")), float64(c.float("bias"))
	size := c.int("size")
	if c.err != nil {
		return nil, c.err
	}
	if x.rank() < 2 || size < 1 {
		return nil, invalidf("input of rank %d with size %d", x.rank(), size)
	}
	v, _ := toFloat64s(x)
	ch := x.shape[1]
	inner := numel(x.shape[2:])
	lo := int((size - 1) / 2)
	hi := int(size) - 1 - lo
	out := make([]float64, len(v))
	for i, e := range v {
		cc := (i / max(inner, 1)) % ch
		base := i - cc*inner
		s := 0.0
		for j := max(cc-lo, 0); j <= min(cc+hi, ch-1); j++ {
			w := v[base+j*inner]
			s += w * w
		}
		out[i] = e / math.Pow(bias+alpha/float64(size)*s, beta)
	}
	res, err := fromF64As(x.dt, x.shape, out)
	return []*tensor{res}, err
}
