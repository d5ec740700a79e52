package eval

import (
	"math"
)

// Activations, Clip, Dropout (inference), Softmax, LogSoftmax, Hardmax.

var nnTable = map[key]entry{
	{onnx, "Relu", 1}:             k(act(relu), tFloats, "consumed_inputs"),
	{onnx, "Relu", 6}:             k(act(relu), tFloats),
	{onnx, "Relu", 13}:            k(act(relu), tFloats),
	{onnx, "Relu", 14}:            k(reluAny, tSignedNumeric),
	{onnx, "LeakyRelu", 1}:        k(act(leakyRelu), tFloats, "alpha", "consumed_inputs"),
	{onnx, "LeakyRelu", 6}:        k(act(leakyRelu), tFloats, "alpha"),
	{onnx, "LeakyRelu", 16}:       k(act(leakyRelu), tFloats, "alpha"),
	{onnx, "Sigmoid", 1}:          k(act(sigmoid), tFloats, "consumed_inputs"),
	{onnx, "Sigmoid", 6}:          k(act(sigmoid), tFloats),
	{onnx, "Sigmoid", 13}:         k(act(sigmoid), tFloats),
	{onnx, "HardSigmoid", 1}:      k(act(hardSigmoid), tFloats, "alpha", "beta", "consumed_inputs"),
	{onnx, "HardSigmoid", 6}:      k(act(hardSigmoid), tFloats, "alpha", "beta"),
	{onnx, "HardSigmoid", 22}:     k(act(hardSigmoid), tFloats, "alpha", "beta"),
	{onnx, "HardSwish", 14}:       k(act(hardSwish), tFloats),
	{onnx, "HardSwish", 22}:       k(act(hardSwish), tFloats),
	{onnx, "Gelu", 20}:            k(act(gelu), tFloats, "approximate"),
	{onnx, "Selu", 1}:             k(act(selu), tFloats, "alpha", "consumed_inputs", "gamma"),
	{onnx, "Selu", 6}:             k(act(selu), tFloats, "alpha", "gamma"),
	{onnx, "Selu", 22}:            k(act(selu), tFloats, "alpha", "gamma"),
	{onnx, "Elu", 1}:              k(act(elu), tFloats, "alpha", "consumed_inputs"),
	{onnx, "Elu", 6}:              k(act(elu), tFloats, "alpha"),
	{onnx, "Elu", 22}:             k(act(elu), tFloats, "alpha"),
	{onnx, "Celu", 12}:            k(act(celu), tFloats, "alpha"),
	{onnx, "Celu", 28}:            k(act(celu), tFloats, "alpha"),
	{onnx, "Softplus", 1}:         k(act(softplus), tFloats),
	{onnx, "Softplus", 22}:        k(act(softplus), tFloats),
	{onnx, "Softsign", 1}:         k(act(softsign), tFloats),
	{onnx, "Softsign", 22}:        k(act(softsign), tFloats),
	{onnx, "ThresholdedRelu", 10}: k(act(thresholdedRelu), tFloats, "alpha"),
	{onnx, "ThresholdedRelu", 22}: k(act(thresholdedRelu), tFloats, "alpha"),
	{onnx, "Mish", 18}:            k(act(mish), tFloats),
	{onnx, "Mish", 22}:            k(act(mish), tFloats),
	{onnx, "Swish", 24}:           k(act(swish), tFloats, "alpha"),
	{onnx, "SwiGLU", 28}:          k(swiGLU, tFloats, "alpha"),
	{onnx, "Shrink", 9}:           k(shrink, tNumeric, "bias", "lambd"),
	{onnx, "PRelu", 1}:            k(prelu, tNumeric, "consumed_inputs"),
	{onnx, "PRelu", 6}:            k(prelu, tNumeric),
	{onnx, "PRelu", 7}:            k(prelu, tNumeric),
	{onnx, "PRelu", 9}:            k(prelu, tNumeric),
	{onnx, "PRelu", 16}:           k(prelu, tNumeric),

	{onnx, "Clip", 1}:  k(clip, tNumeric, "consumed_inputs", "max", "min"),
	{onnx, "Clip", 6}:  k(clip, tNumeric, "max", "min"),
	{onnx, "Clip", 11}: k(clip, tNumeric),
	{onnx, "Clip", 12}: k(clip, tNumeric),
	{onnx, "Clip", 13}: k(clip, tNumeric),

	{onnx, "Dropout", 1}:  k(dropout, tFloats, "consumed_inputs", "is_test", "ratio"),
	{onnx, "Dropout", 6}:  k(dropout, tFloats, "is_test", "ratio"),
	{onnx, "Dropout", 7}:  k(dropout, tFloats, "ratio"),
	{onnx, "Dropout", 10}: k(dropout, tFloats, "ratio"),
	{onnx, "Dropout", 12}: k(dropout, tFloats, "seed"),
	{onnx, "Dropout", 13}: k(dropout, tFloats, "seed"),
	{onnx, "Dropout", 22}: k(dropout, cat(tFloats, tFloat8), "seed"),

	{onnx, "Softmax", 1}:     k(softmaxOp(smSoftmax), tFloats, "axis"),
	{onnx, "Softmax", 11}:    k(softmaxOp(smSoftmax), tFloats, "axis"),
	{onnx, "Softmax", 13}:    k(softmaxOp(smSoftmax), tFloats, "axis"),
	{onnx, "LogSoftmax", 1}:  k(softmaxOp(smLog), tFloats, "axis"),
	{onnx, "LogSoftmax", 11}: k(softmaxOp(smLog), tFloats, "axis"),
	{onnx, "LogSoftmax", 13}: k(softmaxOp(smLog), tFloats, "axis"),
	{onnx, "Hardmax", 1}:     k(softmaxOp(smHard), tFloats, "axis"),
	{onnx, "Hardmax", 11}:    k(softmaxOp(smHard), tFloats, "axis"),
	{onnx, "Hardmax", 13}:    k(softmaxOp(smHard), tFloats, "axis"),
}

// act is the kernel of an activation: mk reads the node's attributes and
// returns the function of one float.
func act(mk func(c *ctx) func(float64) float64) kernel {
	return func(c *ctx, in []*tensor) ([]*tensor, error) {
		f := mk(c)
		if c.err != nil {
			return nil, c.err
		}
		out, err := mapFloat(in[0], f)
		return []*tensor{out}, err
	}
}

func relu(*ctx) func(float64) float64 { return func(x float64) float64 { return max(x, 0) } }

func reluAny(c *ctx, in []*tensor) ([]*tensor, error) {
	x := in[0]
	if isFloat(x.dt) {
		return act(relu)(c, in)
	}
	v, err := toInt64s(x)
	if err != nil {
		return nil, err
	}
	return []*tensor{withData(x.dt, x.shape, intsAs(mapT(v, func(e int64) int64 { return max(e, 0) }), x.dt))}, nil
}

func leakyRelu(c *ctx) func(float64) float64 {
	a := float64(c.float("alpha"))
	return func(x float64) float64 {
		if x < 0 {
			return a * x
		}
		return x
	}
}

func sigmoidF(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

func sigmoid(*ctx) func(float64) float64 { return sigmoidF }

func hardSigmoid(c *ctx) func(float64) float64 {
	a, b := float64(c.float("alpha")), float64(c.float("beta"))
	return func(x float64) float64 { return max(0, min(1, a*x+b)) }
}

func hardSwish(*ctx) func(float64) float64 {
	return func(x float64) float64 { return x * max(0, min(1, x/6+0.5)) }
}

func gelu(c *ctx) func(float64) float64 {
	switch m := c.str("approximate"); m {
	case "none":
		return func(x float64) float64 { return 0.5 * x * (1 + math.Erf(x/math.Sqrt2)) }
	case "tanh":
		k := math.Sqrt(2 / math.Pi)
		return func(x float64) float64 { return 0.5 * x * (1 + math.Tanh(k*(x+0.044715*x*x*x))) }
	default:
		c.fail(invalidf("approximate %q", m))
		return nil
	}
}

func selu(c *ctx) func(float64) float64 {
	a, g := float64(c.float("alpha")), float64(c.float("gamma"))
	return func(x float64) float64 {
		if x <= 0 {
			return g * a * (math.Exp(x) - 1)
		}
		return g * x
	}
}

func elu(c *ctx) func(float64) float64 {
	a := float64(c.float("alpha"))
	return func(x float64) float64 {
		if x < 0 {
			return a * (math.Exp(x) - 1)
		}
		return x
	}
}

func celu(c *ctx) func(float64) float64 {
	a := float64(c.float("alpha"))
	return func(x float64) float64 { return max(0, x) + min(0, a*(math.Exp(x/a)-1)) }
}

func softplusF(x float64) float64 {
	if x > 0 {
		return x + math.Log1p(math.Exp(-x))
	}
	return math.Log1p(math.Exp(x))
}

func softplus(*ctx) func(float64) float64 { return softplusF }

func softsign(*ctx) func(float64) float64 {
	return func(x float64) float64 { return x / (1 + math.Abs(x)) }
}

func thresholdedRelu(c *ctx) func(float64) float64 {
	a := float64(c.float("alpha"))
	return func(x float64) float64 {
		if x > a {
			return x
		}
		return 0
	}
}

func mish(*ctx) func(float64) float64 {
	return func(x float64) float64 { return x * math.Tanh(softplusF(x)) }
}

func swish(c *ctx) func(float64) float64 {
	a := float64(c.float("alpha"))
	return func(x float64) float64 { return x * sigmoidF(a*x) }
}

// swiGLU is Swish(A)·B for A and B of one shape.
func swiGLU(c *ctx, in []*tensor) ([]*tensor, error) {
	a, b := in[0], in[1]
	alpha := float64(c.float("alpha"))
	if c.err != nil {
		return nil, c.err
	}
	if !equalShapes(a.shape, b.shape) || a.dt != b.dt {
		return nil, invalidf("A %s and B %s must have one shape and type", shapeString(a.shape), shapeString(b.shape))
	}
	av, _ := toFloat64s(a)
	bv, err := toFloat64s(b)
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(av))
	for i, x := range av {
		out[i] = x * sigmoidF(alpha*x) * bv[i]
	}
	res, err := fromF64As(a.dt, a.shape, out)
	return []*tensor{res}, err
}

func shrink(c *ctx, in []*tensor) ([]*tensor, error) {
	bias, lambd := float64(c.float("bias")), float64(c.float("lambd"))
	if c.err != nil {
		return nil, c.err
	}
	x := in[0]
	v, err := toFloat64s(x)
	if err != nil {
		return nil, err
	}
	out := mapT(v, func(e float64) float64 {
		switch {
		case e < -lambd:
			return e + bias
		case e > lambd:
			return e - bias
		}
		return 0
	})
	res, err := fromF64As(x.dt, x.shape, out)
	return []*tensor{res}, err
}

func prelu(c *ctx, in []*tensor) ([]*tensor, error) {
	x, slope := in[0], in[1]
	if c.since() < 7 && slope.rank() == 1 && x.rank() > 2 && slope.size() == x.shape[1] && slope.size() > 1 {
		// Before opset 7 a 1-D slope holds one value per channel.
		shape := make([]int, x.rank()-1)
		for i := range shape {
			shape[i] = 1
		}
		shape[0] = slope.size()
		slope = reshaped(slope, shape)
	}
	if slope.dt != x.dt {
		return nil, invalidf("slope of type %s for %s input", typeName(slope.dt), typeName(x.dt))
	}
	shape, err := broadcastShapes(x.shape, slope.shape)
	if err != nil {
		return nil, err
	}
	if _, err := c.check(shape); err != nil {
		return nil, err
	}
	a, _ := toFloat64s(x)
	s, err := toFloat64s(slope)
	if err != nil {
		return nil, err
	}
	out := make([]float64, numel(shape))
	binaryLoop(out, shape, a, x.shape, s, slope.shape, func(v, k float64) float64 {
		if v < 0 {
			return k * v
		}
		return v
	})
	res, err := fromF64As(x.dt, shape, out)
	return []*tensor{res}, err
}

func clip(c *ctx, in []*tensor) ([]*tensor, error) {
	x := in[0]
	lo, hi := math.Inf(-1), math.Inf(1)
	if c.since() < 11 {
		if c.has("min") || c.since() >= 6 { // Clip-1 has no defaults: a missing bound is open
			lo = float64(c.float("min"))
		}
		if c.has("max") || c.since() >= 6 {
			hi = float64(c.float("max"))
		}
		if c.err != nil {
			return nil, c.err
		}
	} else {
		for i, p := range []*float64{&lo, &hi} {
			if len(in) > i+1 && in[i+1] != nil {
				if in[i+1].dt != x.dt {
					return nil, invalidf("bound of type %s for %s input", typeName(in[i+1].dt), typeName(x.dt))
				}
				v, err := scalarFloat(in[i+1], "bound")
				if err != nil {
					return nil, err
				}
				*p = v
			}
		}
	}
	if isInt(x.dt) {
		v, err := toInt64s(x)
		if err != nil {
			return nil, err
		}
		// Integer bounds compared exactly.
		var ilo, ihi int64 = math.MinInt64, math.MaxInt64
		if len(in) > 1 && in[1] != nil {
			ilo, _ = scalarInt(in[1], "min")
		}
		if len(in) > 2 && in[2] != nil {
			ihi, _ = scalarInt(in[2], "max")
		}
		out := mapT(v, func(e int64) int64 { return min(max(e, ilo), ihi) })
		return []*tensor{withData(x.dt, x.shape, intsAs(out, x.dt))}, nil
	}
	out, err := mapFloat(x, func(e float64) float64 {
		if math.IsNaN(e) {
			return e
		}
		return min(max(e, lo), hi)
	})
	return []*tensor{out}, err
}

// dropout is the identity of inference, with a mask of ones when asked
// for. In training mode (Dropout-12 and later, training_mode true) it
// draws the mask as ONNX's reference does from numpy seeded with the seed
// attribute: kept where uniform(0,1) >= ratio, scaled by 1/(1-ratio).
func dropout(c *ctx, in []*tensor) ([]*tensor, error) {
	x := in[0]
	ratio := 0.5
	training := false
	if c.since() < 12 {
		ratio = float64(c.float("ratio"))
		if _, ok := c.schema.Attribute("is_test"); ok {
			c.int("is_test") // tests only; inference either way
		}
	} else {
		if len(in) > 1 && in[1] != nil {
			r, err := scalarFloat(in[1], "ratio")
			if err != nil {
				return nil, err
			}
			ratio = r
		}
		if len(in) > 2 && in[2] != nil {
			b, ok := in[2].data.([]bool)
			if !ok || len(b) != 1 {
				return nil, invalidf("training_mode must be one bool")
			}
			training = b[0]
		}
	}
	if c.err != nil {
		return nil, c.err
	}
	mask := make([]bool, x.size())
	for i := range mask {
		mask[i] = true
	}
	out := x
	if training && ratio != 0 {
		if !(ratio >= 0 && ratio < 1) {
			return nil, invalidf("ratio %g", ratio)
		}
		rng, err := seeded(c)
		if err != nil {
			return nil, err
		}
		for i := range mask {
			mask[i] = rng.double() >= ratio
		}
		v, _ := toFloat64s(x)
		scale := 1 / (1 - ratio)
		res := make([]float64, len(v))
		for i, e := range v {
			if mask[i] {
				if x.dt == dtFloat {
					res[i] = float64(float32(e) * float32(scale))
				} else {
					res[i] = e * scale
				}
			}
		}
		var err2 error
		if out, err2 = fromF64As(x.dt, x.shape, res); err2 != nil {
			return nil, err2
		}
	}
	outs := []*tensor{out}
	if c.nout > 1 {
		if c.since() < 10 {
			ones := make([]float64, x.size())
			for i := range ones {
				ones[i] = 1
			}
			m, err := fromF64As(x.dt, x.shape, ones)
			if err != nil {
				return nil, err
			}
			outs = append(outs, m)
		} else {
			outs = append(outs, withData(dtBool, x.shape, mask))
		}
	}
	return outs, nil
}

type smop int

const (
	smSoftmax smop = iota
	smLog
	smHard
)

// softmaxOp is Softmax, LogSoftmax or Hardmax: before opset 13 over the
// input flattened to 2-D at axis, from 13 along axis alone.
func softmaxOp(op smop) kernel {
	return func(c *ctx, in []*tensor) ([]*tensor, error) {
		x := in[0]
		axis, err := normAxis(c.int("axis"), max(x.rank(), 1))
		if c.err != nil {
			return nil, c.err
		}
		if err != nil {
			return nil, err
		}
		v, err := toFloat64s(x)
		if err != nil {
			return nil, err
		}
		var outer, dim, inner int
		if x.rank() == 0 {
			outer, dim, inner = 1, 1, 1
		} else if c.since() < 13 {
			outer, dim, inner = numel(x.shape[:axis]), numel(x.shape[axis:]), 1
		} else {
			outer, dim, inner = numel(x.shape[:axis]), x.shape[axis], numel(x.shape[axis+1:])
		}
		out := make([]float64, len(v))
		for o := range outer {
			for k := range inner {
				at := func(j int) int { return (o*dim+j)*inner + k }
				mx := math.Inf(-1)
				best := -1
				for j := range dim {
					if e := v[at(j)]; e > mx || best < 0 {
						mx, best = e, j
					}
				}
				switch op {
				case smHard:
					if best >= 0 {
						out[at(best)] = 1
					}
				default:
					sum := 0.0
					for j := range dim {
						sum += math.Exp(v[at(j)] - mx)
					}
					for j := range dim {
						if op == smLog {
							out[at(j)] = v[at(j)] - mx - math.Log(sum)
						} else {
							out[at(j)] = math.Exp(v[at(j)]-mx) / sum
						}
					}
				}
			}
		}
		res, err := fromF64As(x.dt, x.shape, out)
		return []*tensor{res}, err
	}
}
