package eval

import (
	"math"

	"github.com/onnxgraph/onnxgraph/opschema"
)

// Optimizers of ai.onnx.preview.training: Adagrad, Adam, Momentum. Each
// takes the learning rate R, the step T, then n tensors of each kind
// (X..., G..., state...) and returns the updated X... and states.

const training = opschema.DomainPreviewTraining

var trainingTable = map[key]entry{
	{training, "Adagrad", 1}:  k(adagrad, tFloats, "decay_factor", "epsilon", "norm_coefficient"),
	{training, "Adam", 1}:     k(adam, tFloats, "alpha", "beta", "epsilon", "norm_coefficient", "norm_coefficient_post"),
	{training, "Momentum", 1}: k(momentum, tFloats, "alpha", "beta", "mode", "norm_coefficient"),
}

// optimizerArgs reads R, T and the k groups of n tensors each.
func optimizerArgs(in []*tensor, groups int) (r, t float64, sets [][][]float64, err error) {
	if r, err = scalarFloat(in[0], "R"); err != nil {
		return
	}
	if t, err = scalarFloat(in[1], "T"); err != nil {
		return
	}
	rest := in[2:]
	if len(rest) == 0 || len(rest)%groups != 0 {
		return 0, 0, nil, invalidf("%d tensors for %d groups", len(rest), groups)
	}
	n := len(rest) / groups
	sets = make([][][]float64, groups)
	for g := range groups {
		for i := range n {
			x := rest[g*n+i]
			if x == nil || !equalShapes(x.shape, rest[i].shape) {
				return 0, 0, nil, invalidf("tensor %d of group %d differs in shape from its X", i, g)
			}
			v, e := toFloat64s(x)
			if e != nil {
				return 0, 0, nil, e
			}
			sets[g] = append(sets[g], v)
		}
	}
	return r, t, sets, nil
}

// optimizerOutputs converts updated groups back to the types of the
// inputs they replace.
func optimizerOutputs(in []*tensor, groups [][][]float64, sources []int) ([]*tensor, error) {
	rest := in[2:]
	n := len(groups[0])
	var outs []*tensor
	for gi, g := range groups {
		for i, v := range g {
			src := rest[sources[gi]*n+i]
			t, err := fromF64As(src.dt, src.shape, v)
			if err != nil {
				return nil, err
			}
			outs = append(outs, t)
		}
	}
	return outs, nil
}

func adagrad(c *ctx, in []*tensor) ([]*tensor, error) {
	decay, eps, norm := float64(c.float("decay_factor")), float64(c.float("epsilon")), float64(c.float("norm_coefficient"))
	if c.err != nil {
		return nil, c.err
	}
	r, t, sets, err := optimizerArgs(in, 3)
	if err != nil {
		return nil, err
	}
	rate := r / (1 + t*decay)
	xs, hs := sets[0], sets[2]
	newX, newH := make([][]float64, len(xs)), make([][]float64, len(xs))
	for i := range xs {
		newX[i], newH[i] = make([]float64, len(xs[i])), make([]float64, len(xs[i]))
		for j, x := range xs[i] {
			g := norm*x + sets[1][i][j]
			h := hs[i][j] + g*g
			newH[i][j] = h
			newX[i][j] = x - rate*g/(math.Sqrt(h)+eps)
		}
	}
	return optimizerOutputs(in, [][][]float64{newX, newH}, []int{0, 2})
}

func adam(c *ctx, in []*tensor) ([]*tensor, error) {
	alpha, beta := float64(c.float("alpha")), float64(c.float("beta"))
	eps, norm, post := float64(c.float("epsilon")), float64(c.float("norm_coefficient")), float64(c.float("norm_coefficient_post"))
	if c.err != nil {
		return nil, c.err
	}
	r, t, sets, err := optimizerArgs(in, 4)
	if err != nil {
		return nil, err
	}
	rate := r
	if t > 0 {
		rate = r * math.Sqrt(1-math.Pow(beta, t)) / (1 - math.Pow(alpha, t))
	}
	xs := sets[0]
	newX, newV, newH := make([][]float64, len(xs)), make([][]float64, len(xs)), make([][]float64, len(xs))
	for i := range xs {
		newX[i], newV[i], newH[i] = make([]float64, len(xs[i])), make([]float64, len(xs[i])), make([]float64, len(xs[i]))
		for j, x := range xs[i] {
			g := norm*x + sets[1][i][j]
			v := alpha*sets[2][i][j] + (1-alpha)*g
			h := beta*sets[3][i][j] + (1-beta)*g*g
			newV[i][j], newH[i][j] = v, h
			newX[i][j] = (1 - post) * (x - rate*v/(math.Sqrt(h)+eps))
		}
	}
	return optimizerOutputs(in, [][][]float64{newX, newV, newH}, []int{0, 2, 3})
}

func momentum(c *ctx, in []*tensor) ([]*tensor, error) {
	alpha, beta, norm := float64(c.float("alpha")), float64(c.float("beta")), float64(c.float("norm_coefficient"))
	mode := c.str("mode")
	if c.err != nil {
		return nil, c.err
	}
	if mode != "standard" && mode != "nesterov" {
		return nil, invalidf("mode %q", mode)
	}
	r, t, sets, err := optimizerArgs(in, 3)
	if err != nil {
		return nil, err
	}
	b := beta
	if t <= 0 {
		b = 1 // the gradient's coefficient is 1 at the first step
	}
	xs := sets[0]
	newX, newV := make([][]float64, len(xs)), make([][]float64, len(xs))
	for i := range xs {
		newX[i], newV[i] = make([]float64, len(xs[i])), make([]float64, len(xs[i]))
		for j, x := range xs[i] {
			g := norm*x + sets[1][i][j]
			v := alpha*sets[2][i][j] + b*g
			newV[i][j] = v
			if mode == "standard" {
				newX[i][j] = x - r*v
			} else {
				newX[i][j] = x - r*(g+alpha*v)
			}
		}
	}
	return optimizerOutputs(in, [][][]float64{newX, newV}, []int{0, 2})
}
