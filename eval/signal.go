package eval

import (
	"math"
)

// Signal processing: DFT, STFT, the Hann, Hamming and Blackman windows,
// MelWeightMatrix. Transforms are direct sums in float64 over exact
// twiddle factors (O(n²) per signal: a reference, not a fast transform).

var signalTable = map[key]entry{
	{onnx, "DFT", 17}:             k(dft, tFloats, "axis", "inverse", "onesided"),
	{onnx, "DFT", 20}:             k(dft, tFloats, "inverse", "onesided"),
	{onnx, "STFT", 17}:            k(stft, tFloats, "onesided"),
	{onnx, "HannWindow", 17}:      k(windowFn(winHann), []DataType{dtInt32, dtInt64}, "output_datatype", "periodic"),
	{onnx, "HammingWindow", 17}:   k(windowFn(winHamming), []DataType{dtInt32, dtInt64}, "output_datatype", "periodic"),
	{onnx, "BlackmanWindow", 17}:  k(windowFn(winBlackman), []DataType{dtInt32, dtInt64}, "output_datatype", "periodic"),
	{onnx, "MelWeightMatrix", 17}: k(melWeightMatrix, []DataType{dtInt32, dtInt64}, "output_datatype"),
}

// twiddle returns exp(sign·2πi·k/n) with k reduced mod n first, which
// keeps the angle small and exact.
func twiddle(k, n int, sign float64) (float64, float64) {
	a := sign * 2 * math.Pi * float64(k%n) / float64(n)
	return math.Cos(a), math.Sin(a)
}

// dft1 transforms one complex signal of length n (re, im), writing m
// output bins.
func dft1(re, im []float64, n, m int, inverse bool, outRe, outIm []float64) {
	sign := -1.0
	if inverse {
		sign = 1
	}
	for f := range m {
		var sr, si float64
		for t := range n {
			c, s := twiddle(f*t%n, n, sign)
			sr += re[t]*c - im[t]*s
			si += re[t]*s + im[t]*c
		}
		if inverse {
			sr /= float64(n)
			si /= float64(n)
		}
		outRe[f], outIm[f] = sr, si
	}
}

func dft(c *ctx, in []*tensor) ([]*tensor, error) {
	x := in[0]
	inverse, onesided := c.int("inverse") != 0, c.int("onesided") != 0
	var axis64 int64
	if c.since() < 20 {
		axis64 = c.int("axis")
	} else {
		axis64 = -2
		if len(in) > 2 && in[2] != nil {
			a, err := scalarInt(in[2], "axis")
			if err != nil {
				return nil, err
			}
			axis64 = a
		}
	}
	if c.err != nil {
		return nil, c.err
	}
	r := x.rank()
	if r < 2 || (x.shape[r-1] != 1 && x.shape[r-1] != 2) {
		return nil, invalidf("input of shape %s: the last dim must be 1 (real) or 2 (complex)", shapeString(x.shape))
	}
	if c.since() >= 20 && axis64 < 0 {
		axis64 += int64(r)
	}
	if axis64 < 0 || axis64 >= int64(r-1) {
		return nil, invalidf("axis %d for rank %d", axis64, r)
	}
	axis := int(axis64)
	if onesided && inverse {
		return nil, notImplf("inverse one-sided DFT")
	}
	n := x.shape[axis]
	if len(in) > 1 && in[1] != nil {
		l, err := scalarInt(in[1], "dft_length")
		if err != nil {
			return nil, err
		}
		if l < 1 || l > 1<<20 {
			return nil, invalidf("dft_length %d", l)
		}
		n = int(l)
	}
	m := n
	if onesided {
		m = n/2 + 1
	}
	shape := append([]int{}, x.shape...)
	shape[axis] = m
	shape[r-1] = 2
	if _, err := c.check(shape); err != nil {
		return nil, err
	}
	v, _ := toFloat64s(x)
	complexIn := x.shape[r-1] == 2
	outer, inner := numel(x.shape[:axis]), numel(x.shape[axis+1:r-1])
	dim := x.shape[axis]
	out := make([]float64, numel(shape))
	re, im := make([]float64, n), make([]float64, n)
	or, oi := make([]float64, m), make([]float64, m)
	for o := range outer {
		for k := range inner {
			for t := range n {
				re[t], im[t] = 0, 0
				if t < dim { // shorter signals are padded with zeros, longer cut
					p := (o*dim+t)*inner + k
					if complexIn {
						re[t], im[t] = v[2*p], v[2*p+1]
					} else {
						re[t] = v[p]
					}
				}
			}
			dft1(re, im, n, m, inverse, or, oi)
			for f := range m {
				p := (o*m+f)*inner + k
				out[2*p], out[2*p+1] = or[f], oi[f]
			}
		}
	}
	res, err := fromF64As(x.dt, shape, out)
	return []*tensor{res}, err
}

func stft(c *ctx, in []*tensor) ([]*tensor, error) {
	x := in[0]
	onesided := c.int("onesided") != 0
	if c.err != nil {
		return nil, c.err
	}
	if x.rank() != 3 || (x.shape[2] != 1 && x.shape[2] != 2) {
		return nil, invalidf("signal of shape %s: want [batch, length, 1 or 2]", shapeString(x.shape))
	}
	step, err := scalarInt(in[1], "frame_step")
	if err != nil {
		return nil, err
	}
	var win []float64
	if len(in) > 2 && in[2] != nil {
		if in[2].rank() != 1 {
			return nil, invalidf("window of rank %d", in[2].rank())
		}
		win, _ = toFloat64s(in[2])
	}
	length := int64(len(win))
	if len(in) > 3 && in[3] != nil {
		if length, err = scalarInt(in[3], "frame_length"); err != nil {
			return nil, err
		}
		if win != nil && int64(len(win)) != length {
			return nil, invalidf("window of %d for frame_length %d", len(win), length)
		}
	}
	batch, sigLen := x.shape[0], x.shape[1]
	if step < 1 || length < 1 || length > int64(sigLen) {
		return nil, invalidf("frame_step %d, frame_length %d for a signal of %d", step, length, sigLen)
	}
	n := int(length)
	frames := 1 + (sigLen-n)/int(step)
	m := n
	if onesided {
		m = n/2 + 1
	}
	shape := []int{batch, frames, m, 2}
	if _, err := c.check(shape); err != nil {
		return nil, err
	}
	v, _ := toFloat64s(x)
	complexIn := x.shape[2] == 2
	out := make([]float64, numel(shape))
	re, im := make([]float64, n), make([]float64, n)
	or, oi := make([]float64, m), make([]float64, m)
	for b := range batch {
		for f := range frames {
			for t := range n {
				p := b*sigLen + f*int(step) + t
				w := 1.0
				if win != nil {
					w = win[t]
				}
				if complexIn {
					re[t], im[t] = v[2*p]*w, v[2*p+1]*w
				} else {
					re[t], im[t] = v[p]*w, 0
				}
			}
			dft1(re, im, n, m, false, or, oi)
			for k := range m {
				p := ((b*frames+f)*m + k) * 2
				out[p], out[p+1] = or[k], oi[k]
			}
		}
	}
	res, err := fromF64As(x.dt, shape, out)
	return []*tensor{res}, err
}

type winKind int

const (
	winHann winKind = iota
	winHamming
	winBlackman
)

func windowFn(kind winKind) kernel {
	return func(c *ctx, in []*tensor) ([]*tensor, error) {
		dt := DataType(c.int("output_datatype"))
		periodic := c.int("periodic") != 0
		if c.err != nil {
			return nil, c.err
		}
		n, err := scalarInt(in[0], "size")
		if err != nil {
			return nil, err
		}
		if n < 0 || n > c.opts.MaxElements {
			return nil, errorf(ErrTooLarge, "window of %d", n)
		}
		den := float64(n)
		if !periodic {
			den = float64(n - 1)
		}
		v := make([]float64, n)
		for i := range v {
			a := 2 * math.Pi * float64(i) / den
			switch kind {
			case winHann:
				v[i] = 0.5 - 0.5*math.Cos(a)
			case winHamming:
				v[i] = 25.0/46 - 21.0/46*math.Cos(a)
			case winBlackman:
				v[i] = 0.42 - 0.5*math.Cos(a) + 0.08*math.Cos(2*a)
			}
		}
		res, err := castTo(c, withData(dtDouble, []int{int(n)}, v), dt, true)
		return []*tensor{res}, err
	}
}

// melWeightMatrix maps the bins of a one-sided spectrum to triangular mel
// filters, with the integral bin edges of ONNX's reference.
func melWeightMatrix(c *ctx, in []*tensor) ([]*tensor, error) {
	dt := DataType(c.int("output_datatype"))
	if c.err != nil {
		return nil, c.err
	}
	bins, err := scalarInt(in[0], "num_mel_bins")
	if err != nil {
		return nil, err
	}
	dftLen, err := scalarInt(in[1], "dft_length")
	if err != nil {
		return nil, err
	}
	rate, err := scalarInt(in[2], "sample_rate")
	if err != nil {
		return nil, err
	}
	lo, err := scalarFloat(in[3], "lower_edge_hertz")
	if err != nil {
		return nil, err
	}
	hi, err := scalarFloat(in[4], "upper_edge_hertz")
	if err != nil {
		return nil, err
	}
	if bins < 1 || dftLen < 1 || rate < 1 || bins > 1<<16 || dftLen > 1<<24 {
		return nil, invalidf("num_mel_bins %d, dft_length %d, sample_rate %d", bins, dftLen, rate)
	}
	spec := int(dftLen/2 + 1)
	shape := []int{spec, int(bins)}
	if _, err := c.check(shape); err != nil {
		return nil, err
	}
	// Mel scale values in float32, as the reference computes them.
	mel := func(hz float64) float32 {
		return float32(2595) * float32(math.Log10(float64(1+float32(hz)/700)))
	}
	lowMel, highMel := mel(lo), mel(hi)
	step := (highMel - lowMel) / float32(bins+2)
	edges := make([]int, bins+2)
	for i := range edges {
		m := float64(i)*float64(step) + float64(lowMel)
		hz := 700 * (math.Pow(10, m/2595) - 1)
		edges[i] = int(math.Floor(float64(dftLen+1) * hz / float64(rate)))
		if edges[i] < 0 || edges[i] >= spec {
			return nil, invalidf("mel edge %d outside %d spectrum bins", edges[i], spec)
		}
	}
	out := make([]float64, spec*int(bins))
	for i := range int(bins) {
		l, ctr, r := edges[i], edges[i+1], edges[i+2]
		if ctr == l {
			out[ctr*int(bins)+i] = 1
		} else {
			for j := l; j <= ctr; j++ {
				out[j*int(bins)+i] = float64(j-l) / float64(ctr-l)
			}
		}
		if r > ctr {
			for j := ctr; j < r; j++ {
				out[j*int(bins)+i] = float64(r-j) / float64(r-ctr)
			}
		}
	}
	res, err := castTo(c, withData(dtDouble, shape, out), dt, true)
	return []*tensor{res}, err
}
