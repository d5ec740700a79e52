package simplify

import (
	"encoding/binary"
	"math"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/opschema"
)

// Fusions into a convolution or Gemm: a BatchNormalization after it, a
// constant per-channel Mul or Add after a Conv. The weights are rescaled
// in float64 and rounded once to their type (float or double), so the
// result equals the unfused computation up to rounding.
var fuseTable = merge(
	rules(passFuse, fuseBatchNorm, versions("BatchNormalization", 6, 7, 9, 14, 15)),
	rules(passFuse, fuseConvArith, addVersions, mulVersions),
)

// fuseBatchNorm folds an inference-mode BatchNormalization into the Conv,
// ConvTranspose or Gemm whose output only it reads.
func fuseBatchNorm(c *rctx) bool {
	switch {
	case c.since == 6 && (c.attrInt("is_test", 0) == 0 || c.attrInt("spatial", 1) != 1):
		return false
	case c.since == 7 && c.attrInt("spatial", 1) != 1:
		return false
	case c.since >= 14 && c.attrInt("training_mode", 0) != 0:
		return false
	}
	for i := 1; i < c.n.NumOutputs(); i++ {
		if !c.unread(i) {
			return false
		}
	}
	x := c.in(0)
	p, _ := c.producer(x)
	if p == nil || x.NumUses() != 1 || x.IsGraphOutput() || opschema.NormalizeDomain(p.Domain()) != opschema.DomainONNX {
		return false
	}
	switch p.OpType() {
	case "Conv", "ConvTranspose":
	case "Gemm":
		if c.version(p) < 7 {
			return false
		}
	default:
		return false
	}
	w, ok := c.s.constOf(p.Input(1))
	if !ok || (w.DataType() != onnxgraph.Float && w.DataType() != onnxgraph.Double) {
		return false
	}
	var params [4][]float64
	for i := range params {
		vals, dt, ok := c.s.constFloats(c.in(i + 1))
		if !ok || (dt != onnxgraph.Float && dt != onnxgraph.Double) {
			return false
		}
		params[i] = vals
	}
	scale, bias, mean, variance := params[0], params[1], params[2], params[3]
	ch := len(scale)
	if len(bias) != ch || len(mean) != ch || len(variance) != ch {
		return false
	}
	eps := float64(c.attrFloat("epsilon", 1e-5))
	s := make([]float64, ch)
	shift := make([]float64, ch) // bias - mean*s
	for i := range s {
		d := variance[i] + eps
		if !(d > 0) || math.IsInf(d, 0) {
			return false
		}
		s[i] = scale[i] / math.Sqrt(d)
		shift[i] = bias[i] - mean[i]*s[i]
		if !finite(s[i]) || !finite(shift[i]) {
			return false
		}
	}
	if p.OpType() == "Gemm" {
		return c.fuseIntoGemm(p, w, s, shift)
	}
	return c.fuseIntoConv(p, w, s, func(b float64, i int) float64 { return b*s[i] + shift[i] })
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// channelOf returns, for a convolution weight of dims w, the function
// giving the output channel of each weight element, the length of the
// runs of elements of one channel (the function is asked at their starts)
// and the number of output channels.
func channelOf(p *onnxgraph.Node, dims []int64, group int64) (func(i int) int, int, int, bool) {
	if len(dims) < 2 {
		return nil, 0, 0, false
	}
	inner := onnxgraph.NumElements(dims[2:])
	if inner < 0 {
		return nil, 0, 0, false
	}
	if p.OpType() == "Conv" {
		per := dims[1] * inner
		return func(i int) int { return i / int(per) }, int(per), int(dims[0]), true
	}
	// ConvTranspose: dims [C, M/group, k...]; input channel ci belongs to
	// group ci / (C/group), output channel group*(M/group) + j.
	if group <= 0 || dims[0]%group != 0 {
		return nil, 0, 0, false
	}
	cPer, mPer := dims[0]/group, dims[1]
	return func(i int) int {
		j := (i / int(inner)) % int(mPer)
		ci := i / int(inner*mPer)
		return int(ci/int(cPer))*int(mPer) + j
	}, int(inner), int(group * mPer), true
}

// fuseIntoConv scales conv p's weights per output channel by s and sets
// its bias to newBias(old bias, channel).
func (c *rctx) fuseIntoConv(p *onnxgraph.Node, w *onnxgraph.Tensor, s []float64, newBias func(b float64, i int) float64) bool {
	group := int64(1)
	for _, a := range p.Attrs() {
		if a.GetName() == "group" {
			group = a.GetI()
		}
	}
	dims := w.Dims()
	chanOf, run, m, ok := channelOf(p, dims, group)
	if !ok || m != len(s) {
		return false
	}
	var b []float64
	if bv := p.Input(2); bv != nil {
		vals, dt, ok := c.s.constFloats(bv)
		if !ok || dt != w.DataType() || len(vals) != m {
			return false
		}
		b = vals
	} else {
		b = make([]float64, m)
	}
	wt, ok := scaled(w, s, chanOf, run)
	if !ok {
		return false
	}
	nb := make([]float64, m)
	for i := range nb {
		nb[i] = newBias(b[i], i)
	}
	return c.setWeights(p, wt, []int64{int64(m)}, nb)
}

// scaled returns w (Float or Double) with element i multiplied by
// s[at(i)], each product computed in float64 and rounded once to w's
// type; ok is false when a result is not finite. Elements come in runs
// of run elements of one factor (at is asked at each run's start). Float
// weights are scaled from their bytes into the new tensor's bytes, with
// no decoded copy in between: the weights dominate a model's size and
// this is the simplifier's costliest step on a convolutional network.
func scaled(w *onnxgraph.Tensor, s []float64, at func(i int) int, run int) (*onnxgraph.Tensor, bool) {
	if w.DataType() == onnxgraph.Float {
		raw, err := w.Bytes()
		if err != nil || int64(len(raw)) != 4*onnxgraph.NumElements(w.Dims()) {
			return nil, false
		}
		out := make([]byte, len(raw))
		if !scaleRaw32(out, raw, s, at, run) {
			return nil, false
		}
		t, err := onnxgraph.NewTensor("w", onnxgraph.Float, w.Dims(), out)
		return t, err == nil
	}
	v, err := w.Float64s()
	if err != nil || !scaleRuns(v, s, at, run) {
		return nil, false
	}
	t, err := floatTensor("w", w.DataType(), w.Dims(), v)
	return t, err == nil
}

// scaleRaw32 is scaleRuns on little-endian float32 bytes (the common
// case, which never decodes them): out gets raw's elements scaled, each
// rounded once to float32.
func scaleRaw32(out, raw []byte, s []float64, at func(i int) int, run int) bool {
	run = max(run, 1)
	n := len(raw) / 4
	for start := 0; start < n; start += run {
		f := s[at(start)]
		for i := start; i < min(start+run, n); i++ {
			y := float32(float64(math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))) * f)
			if !finite(float64(y)) {
				return false
			}
			binary.LittleEndian.PutUint32(out[4*i:], math.Float32bits(y))
		}
	}
	return true
}

// scaleRuns multiplies v[i] by s[at(i)] in place, in runs of run elements
// of one factor; false when a result is not finite. (The other float
// types, rounded to theirs when encoded.)
func scaleRuns(v []float64, s []float64, at func(i int) int, run int) bool {
	run = max(run, 1)
	for start := 0; start < len(v); start += run {
		f := s[at(start)]
		for i := start; i < min(start+run, len(v)); i++ {
			if v[i] *= f; !finite(v[i]) {
				return false
			}
		}
	}
	return true
}

// setWeights gives node p new weights wt (input 1) and bias (input 2, of
// wt's type).
func (c *rctx) setWeights(p *onnxgraph.Node, wt *onnxgraph.Tensor, bdims []int64, b []float64) bool {
	bt, err := floatTensor("b", wt.DataType(), bdims, b)
	if err != nil {
		return false
	}
	base := p.Name()
	if base == "" {
		base = p.Output(0).Name()
	}
	wv, err := c.e.newConst(base+"_weight", wt)
	if err != nil {
		return false
	}
	bv, err := c.e.newConst(base+"_bias", bt)
	if err != nil {
		return false
	}
	if p.SetInput(1, wv) != nil {
		return false
	}
	if p.NumInputs() < 3 {
		if p.SetInput(p.NumInputs(), nil) != nil {
			return false
		}
	}
	if p.SetInput(2, bv) != nil {
		return false
	}
	c.e.replace(c.out(0), p.Output(0))
	c.e.kill(c.n)
	return true
}

// floatTensor encodes float64 values as a tensor of dt (Float or Double).
func floatTensor(name string, dt onnxgraph.DataType, dims []int64, vals []float64) (*onnxgraph.Tensor, error) {
	if dt == onnxgraph.Double {
		return onnxgraph.NewTensorOf(name, dt, dims, vals)
	}
	f := make([]float32, len(vals))
	for i, x := range vals {
		f[i] = float32(x)
	}
	return onnxgraph.NewTensorOf(name, dt, dims, f)
}

// fuseIntoGemm folds y*s + shift, per column of Gemm p's output, into its
// B and C: alpha*A*(B*s) + (beta*C*s + shift), with beta set to 1.
func (c *rctx) fuseIntoGemm(p *onnxgraph.Node, b *onnxgraph.Tensor, s, shift []float64) bool {
	dims := b.Dims()
	if len(dims) != 2 {
		return false
	}
	transB := int64(0)
	beta := 1.0
	for _, a := range p.Attrs() {
		switch a.GetName() {
		case "transB":
			transB = a.GetI()
		case "beta":
			beta = float64(a.GetF())
		}
	}
	n := dims[1]
	if transB != 0 {
		n = dims[0]
	}
	if int(n) != len(s) {
		return false
	}
	// B is [K, N] (a column per output) or, transposed, [N, K] (a row).
	col, run := func(i int) int { return i % int(dims[1]) }, 1
	if transB != 0 {
		col, run = func(i int) int { return i / int(dims[1]) }, int(dims[1])
	}
	bt, ok := scaled(b, s, col, run)
	if !ok {
		return false
	}
	// C broadcast to [rows, N]: rows is 1 unless C has M rows.
	rows := 1
	var cv []float64
	var cdims []int64
	if cIn := p.Input(2); cIn != nil {
		vals, dt, ok := c.s.constFloats(cIn)
		if !ok || dt != b.DataType() {
			return false
		}
		t, _ := c.s.constOf(cIn)
		cdims = t.Dims()
		cv = vals
		if len(cdims) > 2 {
			return false
		}
		if len(cdims) == 2 {
			rows = int(cdims[0])
		}
	}
	at := func(r, col int) float64 {
		if cv == nil {
			return 0
		}
		switch {
		case len(cv) == 1:
			return cv[0]
		case len(cdims) == 1:
			if cdims[0] == 1 {
				return cv[0]
			}
			return cv[col]
		}
		rr, cc := r, col
		if cdims[0] == 1 {
			rr = 0
		}
		if cdims[1] == 1 {
			cc = 0
		}
		return cv[rr*int(cdims[1])+cc]
	}
	if cv != nil && len(cv) != 1 && len(cdims) >= 1 {
		last := cdims[len(cdims)-1]
		if last != 1 && last != n {
			return false
		}
	}
	out := make([]float64, rows*int(n))
	for r := range rows {
		for col := range int(n) {
			out[r*int(n)+col] = beta*at(r, col)*s[col] + shift[col]
		}
	}
	odims := []int64{n}
	if rows > 1 {
		odims = []int64{int64(rows), n}
	}
	if rows > 1 || beta != 1 {
		if p.SetAttr(onnxgraph.AttrFloat("beta", 1)) != nil {
			return false
		}
	}
	return c.setWeights(p, bt, odims, out)
}

// fuseConvArith folds a constant per-channel Mul or Add after a Conv
// whose output only it reads into the Conv's weights and bias.
func fuseConvArith(c *rctx) bool {
	for k := range 2 {
		x, u := c.in(k), c.in(1-k)
		p, _ := c.producer(x)
		if p == nil || p.OpType() != "Conv" || opschema.NormalizeDomain(p.Domain()) != opschema.DomainONNX || x.NumUses() != 1 || x.IsGraphOutput() {
			continue
		}
		w, ok := c.s.constOf(p.Input(1))
		if !ok || (w.DataType() != onnxgraph.Float && w.DataType() != onnxgraph.Double) {
			continue
		}
		ut, ok := c.s.constOf(u)
		if !ok || ut.DataType() != w.DataType() {
			continue
		}
		vals, _, ok := c.s.constFloats(u)
		if !ok {
			continue
		}
		wdims := w.Dims()
		m := int(wdims[0])
		per, ok := perChannel(ut.Dims(), len(wdims), m)
		if !ok {
			continue
		}
		s := make([]float64, m)
		for i := range s {
			s[i] = vals[per(i)]
			if !finite(s[i]) {
				return false
			}
		}
		if c.n.OpType() == "Mul" {
			return c.fuseIntoConv(p, w, s, func(b float64, i int) float64 { return b * s[i] })
		}
		ones := make([]float64, m)
		for i := range ones {
			ones[i] = 1
		}
		return c.fuseIntoConv(p, w, ones, func(b float64, i int) float64 { return b + s[i] })
	}
	return false
}

// perChannel reports whether a constant of dims broadcasts against a
// conv output of the given rank along the channel axis only (every dim 1
// but the channel's, which is 1 or m), and returns the index of the value
// for each channel.
func perChannel(dims []int64, rank, m int) (func(ch int) int, bool) {
	if len(dims) > rank || rank < 2 {
		return nil, false
	}
	full := make([]int64, rank)
	for i := range full {
		full[i] = 1
	}
	copy(full[rank-len(dims):], dims)
	for i, d := range full {
		if i != 1 && d != 1 {
			return nil, false
		}
	}
	switch full[1] {
	case 1:
		return func(int) int { return 0 }, true
	case int64(m):
		return func(ch int) int { return ch }, true
	}
	return nil, false
}
