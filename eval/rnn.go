package eval

import (
	"math"
	"strings"
)

// Recurrent layers: RNN, GRU, LSTM (all directions, layouts, sequence
// lengths, clipping, peepholes, and every activation ONNX names).

var rnnTable = map[key]entry{
	{onnx, "RNN", 1}:   k(recurrent(cellRNN), tFloats, append(rnnAttrs, "output_sequence")...),
	{onnx, "RNN", 7}:   k(recurrent(cellRNN), tFloats, rnnAttrs...),
	{onnx, "RNN", 14}:  k(recurrent(cellRNN), tFloats, append(rnnAttrs, "layout")...),
	{onnx, "RNN", 22}:  k(recurrent(cellRNN), tFloats, append(rnnAttrs, "layout")...),
	{onnx, "GRU", 1}:   k(recurrent(cellGRU), tFloats, append(rnnAttrs, "output_sequence")...),
	{onnx, "GRU", 3}:   k(recurrent(cellGRU), tFloats, append(rnnAttrs, "linear_before_reset", "output_sequence")...),
	{onnx, "GRU", 7}:   k(recurrent(cellGRU), tFloats, append(rnnAttrs, "linear_before_reset")...),
	{onnx, "GRU", 14}:  k(recurrent(cellGRU), tFloats, append(rnnAttrs, "layout", "linear_before_reset")...),
	{onnx, "GRU", 22}:  k(recurrent(cellGRU), tFloats, append(rnnAttrs, "layout", "linear_before_reset")...),
	{onnx, "LSTM", 1}:  k(recurrent(cellLSTM), tFloats, append(rnnAttrs, "input_forget", "output_sequence")...),
	{onnx, "LSTM", 7}:  k(recurrent(cellLSTM), tFloats, append(rnnAttrs, "input_forget")...),
	{onnx, "LSTM", 14}: k(recurrent(cellLSTM), tFloats, append(rnnAttrs, "input_forget", "layout")...),
	{onnx, "LSTM", 22}: k(recurrent(cellLSTM), tFloats, append(rnnAttrs, "input_forget", "layout")...),
}

var rnnAttrs = []string{"activation_alpha", "activation_beta", "activations", "clip", "direction", "hidden_size"}

type cellKind int

const (
	cellRNN cellKind = iota
	cellGRU
	cellLSTM
)

// gates is the number of gate blocks in W, R and B.
func (k cellKind) gates() int { return [...]int{1, 3, 4}[k] }

// defaultActs are the activations of one direction when the node names
// none.
func (k cellKind) defaultActs() []string {
	return [...][]string{{"Tanh"}, {"Sigmoid", "Tanh"}, {"Sigmoid", "Tanh", "Tanh"}}[k]
}

// activation returns ONNX's recurrent activation function called name,
// taking its parameters from alphas and betas when it has any.
func activation(name string, alphas, betas *[]float32) (func(float64) float64, error) {
	pop := func(l *[]float32, def float64) float64 {
		if len(*l) == 0 {
			return def
		}
		v := float64((*l)[0])
		*l = (*l)[1:]
		return v
	}
	switch strings.ToLower(name) {
	case "relu":
		return func(x float64) float64 { return max(x, 0) }, nil
	case "tanh":
		return math.Tanh, nil
	case "sigmoid":
		return sigmoidF, nil
	case "affine":
		a, b := pop(alphas, 1), pop(betas, 0)
		return func(x float64) float64 { return a*x + b }, nil
	case "leakyrelu":
		a := pop(alphas, 0.01)
		return func(x float64) float64 {
			if x < 0 {
				return a * x
			}
			return x
		}, nil
	case "thresholdedrelu":
		a := pop(alphas, 1)
		return func(x float64) float64 {
			if x > a {
				return x
			}
			return 0
		}, nil
	case "scaledtanh":
		a, b := pop(alphas, 1), pop(betas, 1)
		return func(x float64) float64 { return a * math.Tanh(b*x) }, nil
	case "hardsigmoid":
		a, b := pop(alphas, 0.2), pop(betas, 0.5)
		return func(x float64) float64 { return max(0, min(1, a*x+b)) }, nil
	case "elu":
		a := pop(alphas, 1)
		return func(x float64) float64 {
			if x < 0 {
				return a * (math.Exp(x) - 1)
			}
			return x
		}, nil
	case "softsign":
		return func(x float64) float64 { return x / (1 + math.Abs(x)) }, nil
	case "softplus":
		return softplusF, nil
	}
	return nil, invalidf("activation %q", name)
}

func recurrent(kind cellKind) kernel {
	return func(c *ctx, in []*tensor) ([]*tensor, error) {
		return runRecurrent(c, kind, in)
	}
}

func runRecurrent(c *ctx, kind cellKind, in []*tensor) ([]*tensor, error) {
	x, w, r := in[0], in[1], in[2]
	hidden := int(c.int("hidden_size"))
	dir := c.str("direction")
	acts, _ := c.strs("activations")
	hasActs := c.has("activations") // RNN's schema default lists two, for two directions
	alphas, _ := c.floats("activation_alpha")
	betas, _ := c.floats("activation_beta")
	clip := math.Inf(1)
	if c.has("clip") {
		clip = float64(c.float("clip"))
	}
	layout := int64(0)
	if _, ok := c.schema.Attribute("layout"); ok {
		layout = c.int("layout")
	}
	linearBeforeReset, inputForget := false, false
	if _, ok := c.schema.Attribute("linear_before_reset"); ok {
		linearBeforeReset = c.int("linear_before_reset") != 0
	}
	if _, ok := c.schema.Attribute("output_sequence"); ok {
		c.int("output_sequence") // Y is computed either way; the node asks for it or not
	}
	if kind == cellLSTM {
		inputForget = c.int("input_forget") != 0
	}
	if c.err != nil {
		return nil, c.err
	}
	nd := 1
	switch dir {
	case "forward", "reverse", "foward": // GRU-1's default is spelt so
	case "bidirectional":
		nd = 2
	default:
		return nil, invalidf("direction %q", dir)
	}
	if x.rank() != 3 || w.rank() != 3 || r.rank() != 3 || hidden < 1 || hidden > 1<<16 {
		return nil, invalidf("X %s, W %s, R %s, hidden_size %d", shapeString(x.shape), shapeString(w.shape), shapeString(r.shape), hidden)
	}
	seq, batch, inSize := x.shape[0], x.shape[1], x.shape[2]
	if layout != 0 {
		seq, batch = batch, seq
	}
	g := kind.gates()
	if !equalShapes(w.shape, []int{nd, g * hidden, inSize}) || !equalShapes(r.shape, []int{nd, g * hidden, hidden}) {
		return nil, invalidf("W %s and R %s for %d directions, %d gates, hidden %d, input %d", shapeString(w.shape), shapeString(r.shape), nd, g, hidden, inSize)
	}
	// Activations, per direction.
	per := len(kind.defaultActs())
	if !hasActs || len(acts) == 0 {
		acts = nil
		for range nd {
			acts = append(acts, kind.defaultActs()...)
		}
	}
	if len(acts) != per*nd {
		return nil, invalidf("%d activations for %d directions", len(acts), nd)
	}
	fns := make([]func(float64) float64, len(acts))
	for i, a := range acts {
		f, err := activation(a, &alphas, &betas)
		if err != nil {
			return nil, err
		}
		fns[i] = f
	}
	opt := func(i int, shape ...int) ([]float64, error) {
		if i >= len(in) || in[i] == nil {
			return nil, nil
		}
		if !equalShapes(in[i].shape, shape) {
			return nil, invalidf("input %d of shape %s, want %s", i, shapeString(in[i].shape), shapeString(shape))
		}
		return toFloat64s(in[i])
	}
	state := func(i int) ([]float64, error) {
		if layout != 0 {
			return opt(i, batch, nd, hidden)
		}
		return opt(i, nd, batch, hidden)
	}
	bias, err := opt(3, nd, 2*g*hidden)
	if err != nil {
		return nil, err
	}
	h0, err := state(5)
	if err != nil {
		return nil, err
	}
	var c0, peep []float64
	if kind == cellLSTM {
		if c0, err = state(6); err != nil {
			return nil, err
		}
		if peep, err = opt(7, nd, 3*hidden); err != nil {
			return nil, err
		}
	}
	lens := make([]int, batch)
	for i := range lens {
		lens[i] = seq
	}
	if len(in) > 4 && in[4] != nil {
		l, err := toInt64s(in[4])
		if err != nil {
			return nil, err
		}
		if len(l) != batch {
			return nil, invalidf("%d sequence lengths for a batch of %d", len(l), batch)
		}
		for i, v := range l {
			if v < 0 || v > int64(seq) {
				return nil, invalidf("sequence length %d for %d steps", v, seq)
			}
			lens[i] = int(v)
		}
	}
	yShape := []int{seq, nd, batch, hidden}
	if _, err := c.check(yShape); err != nil {
		return nil, err
	}
	xv, _ := toFloat64s(x)
	wv, _ := toFloat64s(w)
	rv, _ := toFloat64s(r)
	// xAt returns X[t, b, :] whatever the layout.
	xAt := func(t, b int) []float64 {
		if layout != 0 {
			return xv[(b*seq+t)*inSize : (b*seq+t+1)*inSize]
		}
		return xv[(t*batch+b)*inSize : (t*batch+b+1)*inSize]
	}
	stateAt := func(s []float64, d, b int) []float64 {
		if s == nil {
			return make([]float64, hidden)
		}
		if layout != 0 {
			return append([]float64{}, s[(b*nd+d)*hidden:(b*nd+d+1)*hidden]...)
		}
		return append([]float64{}, s[(d*batch+b)*hidden:(d*batch+b+1)*hidden]...)
	}
	y := make([]float64, numel(yShape)) // [seq, nd, batch, hidden]
	yh := make([]float64, nd*batch*hidden)
	yc := make([]float64, nd*batch*hidden)
	clipped := func(v float64) float64 { return min(max(v, -clip), clip) }
	gate := make([]float64, g*hidden)
	for d := range nd {
		reverse := dir == "reverse" || d == 1
		f := fns[d*per : (d+1)*per]
		W := wv[d*g*hidden*inSize:]
		R := rv[d*g*hidden*hidden:]
		var wb, rb []float64
		if bias != nil {
			wb = bias[d*2*g*hidden : d*2*g*hidden+g*hidden]
			rb = bias[d*2*g*hidden+g*hidden : (d+1)*2*g*hidden]
		}
		for b := range batch {
			h := stateAt(h0, d, b)
			cc := stateAt(c0, d, b)
			for s := range lens[b] {
				t := s
				if reverse {
					t = lens[b] - 1 - s
				}
				xt := xAt(t, b)
				// gate[j] = W[j]·x (+ Wb[j]); R·h is added per kind.
				for j := range g * hidden {
					acc := dot(W[j*inSize:(j+1)*inSize], xt)
					if wb != nil {
						acc += wb[j]
					}
					gate[j] = acc
				}
				rh := func(j int, hv []float64) float64 {
					acc := dot(R[j*hidden:(j+1)*hidden], hv)
					if rb != nil {
						acc += rb[j]
					}
					return acc
				}
				switch kind {
				case cellRNN:
					nh := make([]float64, hidden)
					for j := range hidden {
						nh[j] = f[0](clipped(gate[j] + rh(j, h)))
					}
					h = nh
				case cellGRU:
					z := make([]float64, hidden)
					rr := make([]float64, hidden)
					for j := range hidden {
						z[j] = f[0](clipped(gate[j] + rh(j, h)))
						rr[j] = f[0](clipped(gate[hidden+j] + rh(hidden+j, h)))
					}
					rh2 := make([]float64, hidden)
					for j := range hidden {
						rh2[j] = rr[j] * h[j]
					}
					nh := make([]float64, hidden)
					for j := range hidden {
						var hc float64
						if linearBeforeReset {
							hc = gate[2*hidden+j] + rr[j]*rh(2*hidden+j, h)
						} else {
							hc = gate[2*hidden+j] + rh(2*hidden+j, rh2)
						}
						hc = f[1](clipped(hc))
						nh[j] = (1-z[j])*hc + z[j]*h[j]
					}
					h = nh
				case cellLSTM:
					nh, nc := make([]float64, hidden), make([]float64, hidden)
					for j := range hidden {
						pre := func(k int) float64 { return gate[k*hidden+j] + rh(k*hidden+j, h) }
						var pi, po, pf float64
						if peep != nil {
							pi, po, pf = peep[d*3*hidden+j], peep[d*3*hidden+hidden+j], peep[d*3*hidden+2*hidden+j]
						}
						it := f[0](clipped(pre(0) + pi*cc[j]))
						ft := f[0](clipped(pre(2) + pf*cc[j]))
						if inputForget {
							ft = 1 - it
						}
						ct := f[1](clipped(pre(3)))
						nc[j] = ft*cc[j] + it*ct
						ot := f[0](clipped(pre(1) + po*nc[j]))
						nh[j] = ot * f[2](nc[j])
					}
					h, cc = nh, nc
				}
				copy(y[((t*nd+d)*batch+b)*hidden:], h)
			}
			copy(yh[(d*batch+b)*hidden:], h)
			copy(yc[(d*batch+b)*hidden:], cc)
		}
	}
	hShape := []int{nd, batch, hidden}
	if layout != 0 {
		// Y as [batch, seq, nd, hidden], Y_h and Y_c as [batch, nd, hidden].
		y = permute(y, []int{seq, nd, batch, hidden}, []int{2, 0, 1, 3})
		yShape = []int{batch, seq, nd, hidden}
		yh = permute(yh, hShape, []int{1, 0, 2})
		yc = permute(yc, hShape, []int{1, 0, 2})
		hShape = []int{batch, nd, hidden}
	}
	outs := make([]*tensor, 0, 3)
	for _, o := range []struct {
		v     []float64
		shape []int
	}{{y, yShape}, {yh, hShape}, {yc, hShape}}[:kind.outputs()] {
		t, err := fromF64As(x.dt, o.shape, o.v)
		if err != nil {
			return nil, err
		}
		outs = append(outs, t)
	}
	return outs, nil
}

func (k cellKind) outputs() int {
	if k == cellLSTM {
		return 3
	}
	return 2
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i, x := range a {
		s += x * b[i]
	}
	return s
}

// permute transposes float64 data of shape so that output dim i is input
// dim p[i].
func permute(v []float64, shape, p []int) []float64 {
	st := stridesOf(shape)
	oshape := make([]int, len(p))
	tabs := make([][]int, len(p))
	for i, a := range p {
		oshape[i] = shape[a]
		tabs[i] = affine(oshape[i], 0, st[a])
	}
	return take(v, separable(oshape, tabs, len(v))).([]float64)
}
