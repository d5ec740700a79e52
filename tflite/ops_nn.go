package tflite

import (
	"fmt"
	"math"

	"github.com/onnxgraph/onnxgraph"
)

// Convolution, pooling and normalization: Conv (CONV_2D,
// DEPTHWISE_CONV_2D, grouped as SPLIT + CONV_2D + CONCATENATION),
// ConvTranspose (TRANSPOSE_CONV), MaxPool/AveragePool and their global
// forms, BatchNormalization (folded into the Conv before it, else MUL and
// ADD), InstanceNormalization and LayerNormalization (decomposed).

var nnTable = family(func(t map[key]convFunc) {
	versions(t, "Conv", convConv, 1, 11, 22)
	versions(t, "ConvTranspose", convConvTranspose, 1, 11, 22)
	versions(t, "MaxPool", convMaxPool, 1, 8, 10, 11, 12, 22)
	versions(t, "AveragePool", convAveragePool, 1, 7, 10, 11, 19, 22)
	versions(t, "GlobalAveragePool", convGlobalPool(opMean), 1, 22)
	versions(t, "GlobalMaxPool", convGlobalPool(opReduceMax), 1, 22)
	versions(t, "BatchNormalization", convBatchNorm, 7, 9, 14, 15)
	versions(t, "InstanceNormalization", convInstanceNorm, 6, 22)
	versions(t, "LayerNormalization", convLayerNorm, 17)
})

// window is the geometry of a 2-D convolution or pooling: per spatial
// axis (H, W) the input size, kernel, stride, dilation, pads and output.
type window struct {
	in, k, s, d, pb, pe, out [2]int64
}

// readWindow reads kernel_shape, strides, dilations, pads and auto_pad of a
// 2-D node over an input of NCHW shape xs, with output shape os. A 1-D
// node (NCL) is read as a 2-D one of height 1.
func readWindow(n *onnxgraph.Node, xs, ks, os []int64) (window, error) {
	var w window
	strides := attrInts(n, "strides", []int64{1, 1})
	dil := attrInts(n, "dilations", []int64{1, 1})
	pads := attrInts(n, "pads", []int64{0, 0, 0, 0})
	if len(xs) == 3 && len(os) == 3 {
		xs, os = lift(xs), lift(os)
		ks = append([]int64{1}, ks...)
		if n.Attr("strides") != nil {
			strides = append([]int64{1}, strides...)
		}
		if n.Attr("dilations") != nil {
			dil = append([]int64{1}, dil...)
		}
		if n.Attr("pads") != nil && len(pads) == 2 {
			pads = []int64{0, pads[0], 0, pads[1]}
		}
	}
	if len(xs) != 4 {
		return w, refuse("only 1-D and 2-D %s (a 3-D or 4-D input) are supported; the input has rank %d", n.OpType(), len(xs))
	}
	if len(strides) != 2 || len(dil) != 2 || len(pads) != 4 || len(ks) != 2 {
		return w, refuse("kernel, strides, dilations or pads of the wrong length for a 2-D %s", n.OpType())
	}
	auto := attrString(n, "auto_pad", "NOTSET")
	for i := 0; i < 2; i++ {
		w.in[i], w.k[i], w.s[i], w.d[i] = xs[2+i], ks[i], strides[i], dil[i]
		w.pb[i], w.pe[i] = pads[i], pads[2+i]
		w.out[i] = os[2+i]
		switch auto {
		case "SAME_UPPER", "SAME_LOWER":
			total := max((ceilDiv(w.in[i], w.s[i])-1)*w.s[i]+(w.k[i]-1)*w.d[i]+1-w.in[i], 0)
			small := total / 2
			if auto == "SAME_UPPER" {
				w.pb[i], w.pe[i] = small, total-small
			} else {
				w.pb[i], w.pe[i] = total-small, small
			}
		case "VALID":
			w.pb[i], w.pe[i] = 0, 0
		}
	}
	return w, nil
}

// lift turns an NCL shape into NC1L.
func lift(s []int64) []int64 { return []int64{s[0], s[1], 1, s[2]} }

// nhwc returns x (NCHW, or NCL read as NC1L) as an NHWC tensor.
func (c *converter) nhwc(x *onnxgraph.Value) int32 {
	s := c.shape(x)
	if len(s) == 4 {
		return c.tensor(x, channelsLast(4))
	}
	return c.reshape(c.tensor(x, channelsLast(3)), permute(lift(s), channelsLast(4)), x.Name()+"/nhwc")
}

// nhwcOut makes the NHWC tensor an operator writes out to; for a 1-D out
// (NCL), done reshapes it to out's own channels-last tensor (NLC).
func (c *converter) nhwcOut(out *onnxgraph.Value) (t int32, done func()) {
	s := c.shape(out)
	if len(s) == 4 {
		return c.output(out, channelsLast(4)), func() {}
	}
	t = c.newTensor(out.Name()+"/nhwc", ttFloat32, permute(lift(s), channelsLast(4)))
	return t, func() {
		o := c.output(out, channelsLast(3))
		c.emit(opReshape, []int32{t, c.int32Const(out.Name()+"/shape", shape32(c.tshape(o)))}, []int32{o}, oInts(0, shape32(c.tshape(o))))
	}
}

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }

// extent is the span of a dilated kernel.
func (w *window) extent(i int) int64 { return (w.k[i]-1)*w.d[i] + 1 }

// padding picks TensorFlow Lite's padding for the window: VALID when it
// has none, SAME when its pads are exactly SAME's, else explicit pads
// (returned) to apply before a VALID operator. The end pads cover the
// whole last window (ceil_mode).
func (w *window) padding() (mode int64, pads [2][2]int64, explicit bool) {
	valid, same := true, true
	for i := 0; i < 2; i++ {
		pe := (w.out[i]-1)*w.s[i] + w.extent(i) - w.in[i] - w.pb[i]
		pe = max(pe, 0)
		pads[i] = [2]int64{w.pb[i], pe}
		if w.pb[i] != 0 || pe != 0 {
			valid = false
		}
		total := max((ceilDiv(w.in[i], w.s[i])-1)*w.s[i]+w.extent(i)-w.in[i], 0)
		if w.out[i] != ceilDiv(w.in[i], w.s[i]) || w.pb[i] != total/2 || pe != total-total/2 {
			same = false
		}
	}
	switch {
	case valid:
		return padValid, pads, false
	case same:
		return padSame, pads, false
	}
	return padValid, pads, true
}

// pad4 emits a PAD (or PADV2 with value) of an NHWC tensor by the 2-D pads.
func (c *converter) pad4(x int32, pads [2][2]int64, value float64, name string) int32 {
	s := c.tshape(x)
	ps := []int64{s[0], s[1] + pads[0][0] + pads[0][1], s[2] + pads[1][0] + pads[1][1], s[3]}
	out := c.newTensor(name, c.out.tensors[x].typ, ps)
	p := c.padsConst(name+"/pads", [][2]int64{{0, 0}, pads[0], pads[1], {0, 0}})
	if value == 0 {
		c.emit(opPad, []int32{x, p}, []int32{out})
	} else {
		c.emit(opPadV2, []int32{x, p, c.scalar(name+"/value", ttFloat32, value)}, []int32{out})
	}
	return out
}

// padsConst is an int32 [r,2] paddings tensor.
func (c *converter) padsConst(name string, pads [][2]int64) int32 {
	d := make([]int64, 0, 2*len(pads))
	for _, p := range pads {
		d = append(d, p[0], p[1])
	}
	return c.intConst(name, ttInt32, []int64{int64(len(pads)), 2}, d)
}

// follower returns the node that alone reads v, when v is read once, by
// that node's first input, and is no graph output.
func follower(v *onnxgraph.Value) *onnxgraph.Node {
	if v == nil || v.IsGraphOutput() || v.NumUses() != 1 {
		return nil
	}
	u := v.Uses()[0]
	if u.Index != 0 || u.Node.Graph() != v.Graph() {
		return nil
	}
	return u.Node
}

// bnScale returns the per-channel factor and offset of an inference-mode
// BatchNormalization with constant parameters, ok false otherwise.
func (c *converter) bnScale(n *onnxgraph.Node) (s, t []float32, ok bool) {
	if attrInt(n, "training_mode", 0) != 0 || attrInt(n, "spatial", 1) != 1 || n.NumInputs() < 5 {
		return nil, nil, false
	}
	for i := 1; i < n.NumOutputs(); i++ {
		if used(n.Output(i)) {
			return nil, nil, false
		}
	}
	var p [4]*cval
	for i := range p {
		if p[i] = c.konst(n.Input(1 + i)); p[i] == nil || !p[i].isFloat() {
			return nil, nil, false
		}
	}
	eps := float64(attrFloat(n, "epsilon", 1e-5))
	ch := len(p[0].f)
	for i := range p {
		if len(p[i].f) != ch {
			return nil, nil, false
		}
	}
	s, t = make([]float32, ch), make([]float32, ch)
	for k := 0; k < ch; k++ {
		f := float64(p[0].f[k]) / math.Sqrt(float64(p[3].f[k])+eps)
		s[k] = float32(f)
		t[k] = float32(float64(p[1].f[k]) - float64(p[2].f[k])*f)
	}
	return s, t, true
}

// channelBias returns an Add that alone follows the NCHW value v and adds
// a constant per channel (shape [M,1,1], [1,M,1,1] or a scalar), with the
// values per channel.
func (c *converter) channelBias(v *onnxgraph.Value, m int64) (*onnxgraph.Node, []float32) {
	if v == nil || v.IsGraphOutput() || v.NumUses() != 1 {
		return nil, nil
	}
	u := v.Uses()[0]
	f := u.Node
	if f.OpType() != "Add" || f.Domain() != "" || f.NumInputs() != 2 {
		return nil, nil
	}
	cv := c.konst(f.Input(1 - u.Index))
	if cv == nil || !cv.isFloat() || len(cv.shape) > 4 {
		return nil, nil
	}
	s := expandShape(cv.shape, 4)
	if s[0] != 1 || s[2] != 1 || s[3] != 1 || s[1] != 1 && s[1] != m {
		return nil, nil
	}
	b := make([]float32, m)
	for i := range b {
		b[i] = cv.f[min(i, len(cv.f)-1)]
	}
	return f, b
}

// activation returns the fused activation a node after a Conv can become:
// Relu, or Clip to [0, 6].
func (c *converter) activation(n *onnxgraph.Node) int64 {
	if n == nil || n.Domain() != "" {
		return actNone
	}
	switch n.OpType() {
	case "Relu":
		return actRelu
	case "Clip":
		lo, hi, ok := c.clipBounds(n)
		if ok && lo == 0 && hi == 6 {
			return actRelu6
		}
	}
	return actNone
}

// convConv converts a 2-D Conv, folding a BatchNormalization and a Relu or
// Relu6 that follow it.
func convConv(c *converter, n *onnxgraph.Node) error {
	x, wv, bv := n.Input(0), n.Input(1), in(n, 2)
	wc := c.konst(wv)
	if wc == nil || !wc.isFloat() {
		return refuse("weights %q must be a float constant", wv.Name())
	}
	xs, ws := c.shape(x), wc.shape
	if len(ws) != 4 && len(ws) != 3 {
		return refuse("only 1-D and 2-D convolution are supported; weights have rank %d", len(ws))
	}
	out := n.Output(0)
	w, err := readWindow(n, xs, attrInts(n, "kernel_shape", ws[2:]), c.shape(out))
	if err != nil {
		return err
	}
	if len(ws) == 3 {
		xs, ws = lift(xs), []int64{ws[0], ws[1], 1, ws[2]}
	}
	m, cg := ws[0], ws[1]
	group := attrInt(n, "group", 1)
	weights := wc.f // copied before a fold changes them: wc is shared
	bias := make([]float32, m)
	if bc := c.konst(bv); bc != nil {
		copy(bias, bc.f)
	} else if bv != nil {
		return refuse("bias %q must be a constant", bv.Name())
	}
	// Fold a following BatchNormalization, then fuse an activation.
	if f := follower(out); f != nil && f.OpType() == "BatchNormalization" && f.Domain() == "" {
		if s, t, ok := c.bnScale(f); ok && int64(len(s)) == m {
			weights = append([]float32{}, weights...)
			per := int(cg * ws[2] * ws[3])
			for o := 0; o < int(m); o++ {
				for k := 0; k < per; k++ {
					weights[o*per+k] *= s[o]
				}
				bias[o] = bias[o]*s[o] + t[o]
			}
			c.skip[f] = true
			c.fold(f, "into "+n.Name())
			out = f.Output(0)
		}
	}
	if add, b := c.channelBias(out, m); add != nil {
		for o := range bias {
			bias[o] += b[o]
		}
		c.skip[add] = true
		c.fold(add, "into "+n.Name())
		out = add.Output(0)
	}
	act := int64(actNone)
	if f := follower(out); f != nil {
		if act = c.activation(f); act != actNone {
			c.skip[f] = true
			c.fold(f, "into "+n.Name())
			out = f.Output(0)
		}
	}
	mode, pads, explicit := w.padding()
	xt := c.nhwc(x)
	if explicit {
		xt = c.pad4(xt, pads, 0, x.Name()+"/pad")
	}
	cin := xs[1]
	name := n.Name()
	if name == "" {
		name = out.Name()
	}
	ot, done := c.nhwcOut(out)
	defer done()
	switch {
	case group == 1:
		c.conv2D(xt, ot, weights, ws, bias, w, mode, act, name)
	case group == cin && m%cin == 0 && cg == 1:
		f := c.floatConstIn(name+"/filter", ws, weights, []int{1, 2, 3, 0}) // [1, kh, kw, m]
		b := c.floatConst(name+"/bias", []int64{m}, bias)
		c.emit(opDepthwise, []int32{xt, f, b}, []int32{ot},
			oU8(0, mode), oI32(1, w.s[1]), oI32(2, w.s[0]), oI32(3, m/cin), oU8(4, act), oI32(5, w.d[1]), oI32(6, w.d[0]))
	default:
		if group <= 0 || cin%group != 0 || m%group != 0 {
			return refuse("group %d does not divide %d input and %d output channels", group, cin, m)
		}
		// Grouped: SPLIT the channels, one CONV_2D per group, CONCATENATION.
		xsh := c.tshape(xt)
		parts := make([]int32, group)
		for g := range parts {
			parts[g] = c.newTensor(fmt.Sprintf("%s/in%d", name, g), ttFloat32, []int64{xsh[0], xsh[1], xsh[2], cin / group})
		}
		c.emit(opSplit, []int32{c.scalar(name+"/axis", ttInt32, 3), xt}, parts, oI32(0, group))
		mg := m / group
		per := int(mg * cg * ws[2] * ws[3])
		os := c.tshape(ot)
		outs := make([]int32, group)
		for g := range outs {
			outs[g] = c.newTensor(fmt.Sprintf("%s/out%d", name, g), ttFloat32, []int64{os[0], os[1], os[2], mg})
			c.conv2D(parts[g], outs[g], weights[g*per:(g+1)*per], []int64{mg, cg, ws[2], ws[3]}, bias[g*int(mg):(g+1)*int(mg)], w, mode, act, fmt.Sprintf("%s/g%d", name, g))
		}
		c.emit(opConcat, outs, []int32{ot}, oI32(0, 3), oU8(1, actNone))
	}
	return nil
}

// conv2D emits one CONV_2D with OIHW weights ws.
func (c *converter) conv2D(x, out int32, weights []float32, ws []int64, bias []float32, w window, mode, act int64, name string) {
	f := c.floatConstIn(name+"/filter", ws, weights, channelsLast(4))
	b := c.floatConst(name+"/bias", []int64{ws[0]}, bias)
	c.emit(opConv2D, []int32{x, f, b}, []int32{out},
		oU8(0, mode), oI32(1, w.s[1]), oI32(2, w.s[0]), oU8(3, act), oI32(4, w.d[1]), oI32(5, w.d[0]))
}

// convConvTranspose converts a 2-D ConvTranspose with group 1 and no
// dilation: a VALID TRANSPOSE_CONV to the full output, then the crop the
// pads ask for.
func convConvTranspose(c *converter, n *onnxgraph.Node) error {
	x, wv, bv := n.Input(0), n.Input(1), in(n, 2)
	wc := c.konst(wv)
	if wc == nil || !wc.isFloat() || len(wc.shape) != 4 {
		return refuse("weights %q must be a 4-D float constant", wv.Name())
	}
	if attrInt(n, "group", 1) != 1 {
		return refuse("grouped ConvTranspose (group %d) is not supported", attrInt(n, "group", 1))
	}
	for _, d := range attrInts(n, "dilations", nil) {
		if d != 1 {
			return refuse("dilated ConvTranspose has no TRANSPOSE_CONV form")
		}
	}
	xs, ws, out := c.shape(x), wc.shape, n.Output(0)
	if len(xs) != 4 {
		return refuse("only 2-D ConvTranspose is supported; the input has rank %d", len(xs))
	}
	os := c.shape(out)
	strides := attrInts(n, "strides", []int64{1, 1})
	if len(strides) != 2 {
		return refuse("strides of the wrong length")
	}
	ks := ws[2:]
	full := []int64{(xs[2]-1)*strides[0] + ks[0], (xs[3]-1)*strides[1] + ks[1]}
	// Where the ONNX output starts in the full output: the begin pads.
	pads := attrInts(n, "pads", []int64{0, 0, 0, 0})
	opad := attrInts(n, "output_padding", []int64{0, 0})
	auto := attrString(n, "auto_pad", "NOTSET")
	var begin [2]int64
	for i := 0; i < 2; i++ {
		total := max(strides[i]*(xs[2+i]-1)+opad[i]+ks[i]-os[2+i], 0)
		switch {
		case attrInts(n, "output_shape", nil) != nil || auto == "SAME_UPPER" || auto == "SAME_LOWER":
			if auto == "SAME_UPPER" {
				begin[i] = total / 2
			} else {
				begin[i] = total - total/2
			}
		case auto == "VALID":
			begin[i] = 0
		default:
			begin[i] = pads[i]
		}
	}
	cout := ws[1]
	bias := make([]float32, cout)
	if bc := c.konst(bv); bc != nil {
		copy(bias, bc.f)
	} else if bv != nil {
		return refuse("bias %q must be a constant", bv.Name())
	}
	name := n.Name()
	if name == "" {
		name = out.Name()
	}
	f := c.floatConstIn(name+"/filter", ws, wc.f, []int{1, 2, 3, 0})
	xt := c.tensor(x, channelsLast(4))
	fullShape := []int64{xs[0], full[0], full[1], cout}
	oshape := c.int32Const(name+"/output_shape", shape32(fullShape))
	crop := begin[0] != 0 || begin[1] != 0 || full[0] != os[2] || full[1] != os[3]
	opts := []optField{oU8(0, padValid), oI32(1, strides[1]), oI32(2, strides[0]), oU8(3, actNone)}
	if !crop {
		ot := c.output(out, channelsLast(4))
		b := c.floatConst(name+"/bias", []int64{cout}, bias)
		c.emit(opTransposeConv, []int32{oshape, f, xt, b}, []int32{ot}, opts...)
		return nil
	}
	tc := c.newTensor(name+"/full", ttFloat32, fullShape)
	c.emit(opTransposeConv, []int32{oshape, f, xt, -1}, []int32{tc}, opts...)
	// Output rows past the full output hold only the bias: pad, then crop.
	var extra [2][2]int64
	need := false
	for i := 0; i < 2; i++ {
		if e := begin[i] + os[2+i] - full[i]; e > 0 {
			extra[i][1] = e
			need = true
		}
		if begin[i] < 0 {
			extra[i][0] = -begin[i]
			begin[i] = 0
			need = true
		}
	}
	if need {
		tc = c.pad4(tc, extra, 0, name+"/extend")
	}
	cropped := c.newTensor(name+"/crop", ttFloat32, []int64{os[0], os[2], os[3], cout})
	c.emit(opStridedSlice, []int32{tc,
		c.int32Const(name+"/begin", []int32{0, int32(begin[0]), int32(begin[1]), 0}),
		c.int32Const(name+"/end", []int32{int32(os[0]), int32(begin[0] + os[2]), int32(begin[1] + os[3]), int32(cout)}),
		c.int32Const(name+"/strides", []int32{1, 1, 1, 1})}, []int32{cropped}, stridedOpts(0)...)
	ot := c.output(out, channelsLast(4))
	c.emit(opAdd, []int32{cropped, c.floatConst(name+"/bias", []int64{cout}, bias)}, []int32{ot}, oU8(0, actNone))
	return nil
}

func stridedOpts(endMask int64) []optField {
	return []optField{oI32(0, 0), oI32(1, endMask), oI32(2, 0), oI32(3, 0), oI32(4, 0), oBool(5, false)}
}

func convMaxPool(c *converter, n *onnxgraph.Node) error {
	if used(in2out(n, 1)) {
		return refuse("the Indices output of MaxPool has no TensorFlow Lite form")
	}
	for _, d := range attrInts(n, "dilations", nil) {
		if d != 1 {
			return refuse("dilated MaxPool has no MAX_POOL_2D form")
		}
	}
	return c.pool(n, opMaxPool)
}

func in2out(n *onnxgraph.Node, i int) *onnxgraph.Value {
	if i >= n.NumOutputs() {
		return nil
	}
	return n.Output(i)
}

func convAveragePool(c *converter, n *onnxgraph.Node) error {
	for _, d := range attrInts(n, "dilations", nil) {
		if d != 1 {
			return refuse("dilated AveragePool has no AVERAGE_POOL_2D form")
		}
	}
	return c.pool(n, opAveragePool)
}

// pool converts MaxPool and AveragePool. Pads TensorFlow Lite's SAME does
// not match become an explicit PAD (with the lowest float for max); an
// average whose divisor then differs from ONNX's is corrected by a
// constant per-position factor.
func (c *converter) pool(n *onnxgraph.Node, op builtin) error {
	x, out := n.Input(0), n.Output(0)
	ks := attrInts(n, "kernel_shape", nil)
	w, err := readWindow(n, c.shape(x), ks, c.shape(out))
	if err != nil {
		return err
	}
	mode, pads, explicit := w.padding()
	xt := c.nhwc(x)
	name := out.Name()
	var corr []float32
	if explicit {
		value := 0.0
		if op == opMaxPool {
			value = -math.MaxFloat32
		} else {
			corr = w.avgCorrection(attrInt(n, "count_include_pad", 0) != 0, pads)
		}
		xt = c.pad4(xt, pads, value, name+"/pad")
	} else if op == opAveragePool && mode == padSame && attrInt(n, "count_include_pad", 0) != 0 {
		// SAME divides by the in-bounds count; ONNX by the padded one.
		mode, explicit = padValid, true
		corr = w.avgCorrection(true, pads)
		xt = c.pad4(xt, pads, 0, name+"/pad")
	}
	opts := []optField{oU8(0, mode), oI32(1, w.s[1]), oI32(2, w.s[0]), oI32(3, w.k[1]), oI32(4, w.k[0]), oU8(5, actNone)}
	ot, done := c.nhwcOut(out)
	defer done()
	if corr == nil {
		c.emit(op, []int32{xt}, []int32{ot}, opts...)
		return nil
	}
	pooled := c.newTensor(name+"/sum", ttFloat32, c.tshape(ot))
	c.emit(op, []int32{xt}, []int32{pooled}, opts...)
	f := c.floatConst(name+"/divisor", []int64{1, w.out[0], w.out[1], 1}, corr)
	c.emit(opMul, []int32{pooled, f}, []int32{ot}, oU8(0, actNone))
	return nil
}

// avgCorrection is, per output position, k*k over ONNX's divisor for an
// average pool computed over explicitly padded input; nil when it is 1
// everywhere.
func (w *window) avgCorrection(includePad bool, pads [2][2]int64) []float32 {
	var cnt [2][]int64
	for i := 0; i < 2; i++ {
		cnt[i] = make([]int64, w.out[i])
		lo, hi := int64(0), w.in[i]
		if includePad {
			lo, hi = -w.pb[i], w.in[i]+w.pe[i]
		}
		for o := range cnt[i] {
			start := int64(o)*w.s[i] - pads[i][0]
			a, b := max(start, lo), min(start+w.k[i], hi)
			cnt[i][o] = max(b-a, 1)
		}
	}
	kk := float64(w.k[0] * w.k[1])
	out := make([]float32, w.out[0]*w.out[1])
	one := true
	for h := range cnt[0] {
		for x := range cnt[1] {
			f := kk / float64(cnt[0][h]*cnt[1][x])
			out[int64(h)*w.out[1]+int64(x)] = float32(f)
			if f != 1 {
				one = false
			}
		}
	}
	if one {
		return nil
	}
	return out
}

// convGlobalPool reduces the spatial axes, keeping them.
func convGlobalPool(op builtin) convFunc {
	return func(c *converter, n *onnxgraph.Node) error {
		x := n.Input(0)
		r := c.rank(x)
		if r < 3 {
			return refuse("input of rank %d has no spatial axes", r)
		}
		axes := make([]int, 0, r-2)
		for a := 2; a < r; a++ {
			axes = append(axes, a)
		}
		c.reduce(op, x, n.Output(0), axes, true)
		return nil
	}
}

// convBatchNorm converts a BatchNormalization not folded into a Conv:
// MUL and ADD by per-channel constants.
func convBatchNorm(c *converter, n *onnxgraph.Node) error {
	s, t, ok := c.bnScale(n)
	if !ok {
		return refuse("only inference-mode BatchNormalization with constant parameters is supported")
	}
	x := n.Input(0)
	r := c.rank(x)
	if r < 2 {
		return refuse("input of rank %d has no channel axis", r)
	}
	cs := make([]int64, r)
	for i := range cs {
		cs[i] = 1
	}
	cs[1] = int64(len(s))
	c.affine(x, n.Output(0), &cval{dt: onnxgraph.Float, shape: cs, f: s}, &cval{dt: onnxgraph.Float, shape: cs, f: t}, n.Output(0).Name())
	return nil
}

// affine emits out = x*scale + shift for constants broadcast in ONNX
// terms (nil: skipped), in x's layout.
func (c *converter) affine(x, out *onnxgraph.Value, scale, shift *cval, name string) {
	p := c.layout(x)
	cur := c.tensor(x, p)
	if scale != nil {
		next := c.newTensor(name+"/scaled", ttFloat32, permute(c.shape(x), p))
		if shift == nil {
			next = c.output(out, p)
		}
		c.emit(opMul, []int32{cur, c.constTensor(name+"/scale", scale, p)}, []int32{next}, oU8(0, actNone))
		cur = next
	}
	if shift != nil {
		next := c.output(out, p)
		c.emit(opAdd, []int32{cur, c.constTensor(name+"/shift", shift, p)}, []int32{next}, oU8(0, actNone))
	}
}

// normalize emits (x - mean(x)) / sqrt(var(x) + eps) over the ONNX axes,
// in x's layout, and returns it with the mean and 1/sqrt(var+eps) (dims
// kept).
func (c *converter) normalize(x *onnxgraph.Value, axes []int, eps float64, name string) (y, mean, inv int32) {
	p := c.layout(x)
	xt := c.tensor(x, p)
	ts := c.tshape(xt)
	rs := append([]int64{}, ts...)
	ax := make([]int32, len(axes))
	for i, a := range axes {
		ax[i] = int32(pos(p, a))
		rs[ax[i]] = 1
	}
	axc := c.int32Const(name+"/axes", ax)
	mean = c.newTensor(name+"/mean", ttFloat32, rs)
	c.emit(opMean, []int32{xt, axc}, []int32{mean}, oBool(0, true))
	d := c.newTensor(name+"/centered", ttFloat32, ts)
	c.emit(opSub, []int32{xt, mean}, []int32{d}, oU8(0, actNone))
	sq := c.newTensor(name+"/square", ttFloat32, ts)
	c.emit(opMul, []int32{d, d}, []int32{sq}, oU8(0, actNone))
	v := c.newTensor(name+"/var", ttFloat32, rs)
	c.emit(opMean, []int32{sq, axc}, []int32{v}, oBool(0, true))
	ve := c.newTensor(name+"/var_eps", ttFloat32, rs)
	c.emit(opAdd, []int32{v, c.scalar(name+"/eps", ttFloat32, eps)}, []int32{ve}, oU8(0, actNone))
	inv = c.newTensor(name+"/rstd", ttFloat32, rs)
	c.emit(opRsqrt, []int32{ve}, []int32{inv})
	y = c.newTensor(name+"/normalized", ttFloat32, ts)
	c.emit(opMul, []int32{d, inv}, []int32{y}, oU8(0, actNone))
	return y, mean, inv
}

// scaleShift multiplies y (x's layout p, ONNX rank r) by scale and adds
// bias (either may be nil), giving out.
func (c *converter) scaleShift(y int32, p []int, scale, bias *onnxgraph.Value, out *onnxgraph.Value, name string) {
	r := len(p)
	ts := c.tshape(y)
	cur := y
	if scale != nil {
		next := c.newTensor(name+"/scaled", ttFloat32, ts)
		if bias == nil {
			next = c.output(out, p)
		}
		c.emit(opMul, []int32{cur, c.tensorAtRank(scale, r, p)}, []int32{next}, oU8(0, actNone))
		cur = next
	}
	if bias != nil {
		next := c.output(out, p)
		c.emit(opAdd, []int32{cur, c.tensorAtRank(bias, r, p)}, []int32{next}, oU8(0, actNone))
	}
}

func convLayerNorm(c *converter, n *onnxgraph.Node) error {
	x := n.Input(0)
	r := c.rank(x)
	a, err := normAxis(attrInt(n, "axis", -1), r)
	if err != nil {
		return err
	}
	var axes []int
	for k := a; k < r; k++ {
		axes = append(axes, k)
	}
	name := n.Output(0).Name()
	y, mean, inv := c.normalize(x, axes, float64(attrFloat(n, "epsilon", 1e-5)), name)
	c.scaleShift(y, c.layout(x), n.Input(1), in(n, 2), n.Output(0), name)
	// Mean and InvStdDev: the statistics normalize computed, dims kept.
	for i, t := range []int32{mean, inv} {
		if v := in2out(n, 1+i); used(v) {
			c.define(v, t, c.layout(x))
		}
	}
	return nil
}

func convInstanceNorm(c *converter, n *onnxgraph.Node) error {
	x := n.Input(0)
	r := c.rank(x)
	if r < 3 {
		return refuse("input of rank %d has no spatial axes", r)
	}
	var axes []int
	for k := 2; k < r; k++ {
		axes = append(axes, k)
	}
	name := n.Output(0).Name()
	y, _, _ := c.normalize(x, axes, float64(attrFloat(n, "epsilon", 1e-5)), name)
	// Scale and B are [C]: broadcast them as [C, 1, ..., 1].
	cs := make([]int64, r-1)
	for i := range cs {
		cs[i] = 1
	}
	var sv, bv *cval
	if sv = c.konst(n.Input(1)); sv == nil {
		return refuse("scale %q must be a constant", n.Input(1).Name())
	}
	if bv = c.konst(n.Input(2)); bv == nil {
		return refuse("B %q must be a constant", n.Input(2).Name())
	}
	cs[0] = int64(sv.numel())
	p := c.layout(x)
	ts := c.tshape(y)
	scaled := c.newTensor(name+"/scaled", ttFloat32, ts)
	c.emit(opMul, []int32{y, c.constTensor(name+"/scale", reshaped(sv, cs), p)}, []int32{scaled}, oU8(0, actNone))
	ot := c.output(n.Output(0), p)
	c.emit(opAdd, []int32{scaled, c.constTensor(name+"/shift", reshaped(bv, cs), p)}, []int32{ot}, oU8(0, actNone))
	return nil
}
