package eval

import (
	"math"
)

// Losses: NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss.

var lossTable = map[key]entry{
	{onnx, "NegativeLogLikelihoodLoss", 12}: k(nllLoss, tFloats, "ignore_index", "reduction"),
	{onnx, "NegativeLogLikelihoodLoss", 13}: k(nllLoss, tFloats, "ignore_index", "reduction"),
	{onnx, "NegativeLogLikelihoodLoss", 22}: k(nllLoss, tFloats, "ignore_index", "reduction"),
	{onnx, "SoftmaxCrossEntropyLoss", 12}:   k(softmaxCrossEntropy, tFloats, "ignore_index", "reduction"),
	{onnx, "SoftmaxCrossEntropyLoss", 13}:   k(softmaxCrossEntropy, tFloats, "ignore_index", "reduction"),
}

func nllLoss(c *ctx, in []*tensor) ([]*tensor, error) {
	x := in[0]
	v, err := toFloat64s(x)
	if err != nil {
		return nil, err
	}
	loss, err := negLogLikelihood(c, x, v, in)
	if err != nil {
		return nil, err
	}
	return []*tensor{loss}, nil
}

func softmaxCrossEntropy(c *ctx, in []*tensor) ([]*tensor, error) {
	x := in[0]
	if x.rank() < 2 {
		return nil, invalidf("scores of rank %d", x.rank())
	}
	v, err := toFloat64s(x)
	if err != nil {
		return nil, err
	}
	// log_softmax along the class axis (1).
	n, ch, inner := x.shape[0], x.shape[1], numel(x.shape[2:])
	logp := make([]float64, len(v))
	for i := range n {
		for k := range inner {
			at := func(j int) int { return (i*ch+j)*inner + k }
			mx := math.Inf(-1)
			for j := range ch {
				mx = max(mx, v[at(j)])
			}
			s := 0.0
			for j := range ch {
				s += math.Exp(v[at(j)] - mx)
			}
			for j := range ch {
				logp[at(j)] = v[at(j)] - mx - math.Log(s)
			}
		}
	}
	loss, err := negLogLikelihood(c, x, logp, in)
	if err != nil {
		return nil, err
	}
	outs := []*tensor{loss}
	if c.nout > 1 {
		lp, err := fromF64As(x.dt, x.shape, logp)
		if err != nil {
			return nil, err
		}
		outs = append(outs, lp)
	}
	return outs, nil
}

// negLogLikelihood is NegativeLogLikelihoodLoss of the log-probabilities
// v (shaped as x: N, C, d1...) with the targets and optional weights of
// in[1] and in[2], reduced as the reduction attribute says. Ignored
// targets weigh 0, also in the mean's denominator.
func negLogLikelihood(c *ctx, x *tensor, v []float64, in []*tensor) (*tensor, error) {
	red := c.str("reduction")
	ignore, hasIgnore := c.int("ignore_index"), c.has("ignore_index")
	if c.err != nil {
		return nil, c.err
	}
	if x.rank() < 2 {
		return nil, invalidf("input of rank %d", x.rank())
	}
	target := in[1]
	n, ch, inner := x.shape[0], x.shape[1], numel(x.shape[2:])
	want := append([]int{n}, x.shape[2:]...)
	if !equalShapes(target.shape, want) {
		return nil, invalidf("target of shape %s for input of shape %s", shapeString(target.shape), shapeString(x.shape))
	}
	tv, err := toInt64s(target)
	if err != nil {
		return nil, err
	}
	var w []float64
	if len(in) > 2 && in[2] != nil {
		if in[2].size() != ch {
			return nil, invalidf("weight of %d elements for %d classes", in[2].size(), ch)
		}
		if w, err = toFloat64s(in[2]); err != nil {
			return nil, err
		}
	}
	loss := make([]float64, len(tv))
	gw := make([]float64, len(tv)) // the weight of each target
	for i := range n {
		for k := range inner {
			p := i*inner + k
			t := tv[p]
			if hasIgnore && t == ignore {
				continue
			}
			if t < 0 || t >= int64(ch) {
				return nil, invalidf("target %d out of range for %d classes", t, ch)
			}
			gw[p] = 1
			if w != nil {
				gw[p] = w[t]
			}
			loss[p] = -v[(i*ch+int(t))*inner+k] * gw[p]
		}
	}
	switch red {
	case "none":
		return fromF64As(x.dt, want, loss)
	case "sum", "mean":
		s, sw := 0.0, 0.0
		for p := range loss {
			s += loss[p]
			sw += gw[p]
		}
		if red == "mean" {
			if w == nil && !hasIgnore {
				sw = float64(len(loss))
			}
			s /= sw
		}
		return fromF64As(x.dt, nil, []float64{s})
	}
	return nil, invalidf("reduction %q", red)
}
