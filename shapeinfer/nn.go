package shapeinfer

import (
	"sort"
	"strings"

	"github.com/onnxgraph/onnxgraph"
)

// The neural-network family: convolutions and pooling, normalizations,
// Dropout, the matrix products (Gemm, MatMul and their integer and
// quantized forms, Einsum) and Det.

var nnTable = join(
	all(inferConv,
		versions("ai.onnx", "Conv", 1, 11, 22),
		versions("ai.onnx", "ConvInteger", 10),
		versions("ai.onnx", "QLinearConv", 10),
		versions("ai.onnx", "DeformConv", 19, 22),
	),
	all(inferConvTranspose, versions("ai.onnx", "ConvTranspose", 1, 11, 22)),
	all(inferCausalConvWithState, versions("ai.onnx", "CausalConvWithState", 27)),
	all(inferPool,
		versions("ai.onnx", "AveragePool", 1, 7, 10, 11, 19, 22),
		versions("ai.onnx", "MaxPool", 1, 8, 10, 11, 12, 22),
		versions("ai.onnx", "LpPool", 1, 2, 11, 18, 22),
	),
	all(inferGlobalPool,
		versions("ai.onnx", "GlobalAveragePool", 1, 22),
		versions("ai.onnx", "GlobalMaxPool", 1, 22),
		versions("ai.onnx", "GlobalLpPool", 1, 2, 22),
	),
	all(inferMaxRoiPool, versions("ai.onnx", "MaxRoiPool", 1, 22)),
	all(inferMaxUnpool, versions("ai.onnx", "MaxUnpool", 9, 11, 22)),
	all(inferRoiAlign, versions("ai.onnx", "RoiAlign", 10, 16, 22)),
	all(inferBatchNorm, versions("ai.onnx", "BatchNormalization", 1, 6, 7, 9, 14, 15)),
	all(inferFirstInputShape,
		versions("ai.onnx", "InstanceNormalization", 1, 6, 22),
		versions("ai.onnx", "GroupNormalization", 18, 21),
		versions("ai.onnx", "LRN", 1, 13),
		versions("ai.onnx", "MeanVarianceNormalization", 9, 13),
		versions("ai.onnx", "LpNormalization", 1, 22),
	),
	all(inferLayerNorm, versions("ai.onnx", "LayerNormalization", 17)),
	all(inferRMSNorm, versions("ai.onnx", "RMSNormalization", 23)),
	all(inferDropout, versions("ai.onnx", "Dropout", 1, 6, 7, 10, 12, 13, 22)),
	all(inferGemm, versions("ai.onnx", "Gemm", 1, 6, 7, 9, 11, 13)),
	all(inferMatMul,
		versions("ai.onnx", "MatMul", 1, 9, 13),
		versions("ai.onnx", "MatMulInteger", 10),
		versions("ai.onnx", "QLinearMatMul", 10, 21),
	),
	all(inferEinsum, versions("ai.onnx", "Einsum", 12)),
	all(inferDet, versions("ai.onnx", "Det", 11, 22)),
)

// inferFirstInputShape sets output 0 to input 0's type (the other outputs,
// if any, are left alone).
func inferFirstInputShape(c *Ctx) error {
	if t := c.Input(0); t != nil {
		c.SetOutput(0, t)
	}
	return nil
}

// intsAttr returns ints attribute name, or n copies of def when absent; it
// fails when the attribute has a length other than n.
func intsAttr(c *Ctx, name string, n int, def int64) ([]int64, error) {
	v, ok := c.Ints(name)
	if !ok || v == nil {
		out := make([]int64, n)
		for i := range out {
			out[i] = def
		}
		return out, nil
	}
	if len(v) != n {
		return nil, c.Errorf(CodeInvalid, "attribute %s has %d values, want %d", name, len(v), n)
	}
	return v, nil
}

// window holds the sliding-window attributes of a convolution or pooling
// over n spatial axes.
type window struct {
	kernel, strides, dilations []int64
	pads                       []int64 // begin values, then end values
	hasPads                    bool
	autoPad                    string
	ceil                       bool
}

// readWindow reads the window attributes for n spatial axes; kernel comes
// from kernel_shape, else from the weight's spatial dims w (nil when none).
func readWindow(c *Ctx, n int, w Shape) (*window, error) {
	win := &window{autoPad: c.String("auto_pad", "NOTSET"), ceil: c.Int("ceil_mode", 0) == 1}
	var err error
	if ks, ok := c.Ints("kernel_shape"); ok && ks != nil {
		if len(ks) != n {
			return nil, c.Errorf(CodeInvalid, "kernel_shape has %d values for %d spatial axes", len(ks), n)
		}
		win.kernel = ks
	} else if w != nil {
		if len(w) != n {
			return nil, c.Errorf(CodeInvalid, "the weight has %d spatial axes, the input %d", len(w), n)
		}
		win.kernel = make([]int64, n)
		for i, d := range w {
			v, ok := d.Value()
			if !ok {
				return nil, nil // kernel unknown
			}
			win.kernel[i] = v
		}
	} else {
		return nil, c.Errorf(CodeInvalid, "kernel_shape is required")
	}
	for i, k := range win.kernel {
		if k <= 0 {
			return nil, c.Errorf(CodeInvalid, "kernel size %d on axis %d", k, i)
		}
	}
	if win.strides, err = intsAttr(c, "strides", n, 1); err != nil {
		return nil, err
	}
	if win.dilations, err = intsAttr(c, "dilations", n, 1); err != nil {
		return nil, err
	}
	for i := range n {
		if win.strides[i] <= 0 || win.dilations[i] <= 0 {
			return nil, c.Errorf(CodeInvalid, "strides and dilations must be positive")
		}
	}
	if p, ok := c.Ints("pads"); ok && p != nil {
		if len(p) != 2*n {
			return nil, c.Errorf(CodeInvalid, "pads has %d values, want %d", len(p), 2*n)
		}
		for _, x := range p {
			if x < 0 {
				return nil, c.Errorf(CodeInvalid, "negative pads %v", p)
			}
		}
		win.pads, win.hasPads = p, true
	} else {
		win.pads = make([]int64, 2*n)
	}
	switch win.autoPad {
	case "NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER", "":
	default:
		return nil, c.Errorf(CodeInvalid, "unknown auto_pad %q", win.autoPad)
	}
	// Window sizes are combined with plain int64 arithmetic (effKernel,
	// sums of pads): bounding them keeps that exact.
	for name, vs := range map[string][]int64{"kernel": win.kernel, "strides": win.strides, "dilations": win.dilations, "pads": win.pads} {
		for _, v := range vs {
			if v > maxWindow {
				return nil, c.Errorf(CodeInvalid, "%s value %d is larger than %d", name, v, int64(maxWindow))
			}
		}
	}
	return win, nil
}

// maxWindow bounds kernel sizes, strides, dilations and pads.
const maxWindow = 1 << 30

// effKernel is the extent of the dilated kernel on axis i.
func (w *window) effKernel(i int) int64 { return (w.kernel[i]-1)*w.dilations[i] + 1 }

// same reports whether the pads come from auto_pad SAME_UPPER/SAME_LOWER.
func (w *window) same() bool {
	return !w.hasPads && (w.autoPad == "SAME_UPPER" || w.autoPad == "SAME_LOWER")
}

// out returns the output size of spatial axis i for input size in.
func (w *window) out(c *Ctx, i int, in Dim) (Dim, error) {
	n := len(w.kernel)
	s, ek := w.strides[i], w.effKernel(i)
	pb, pe := w.pads[i], w.pads[i+n]
	if w.same() {
		v, ok := in.Value()
		if !ok {
			if ek >= s && !w.ceil {
				return ceilDivBy(in, s), nil
			}
			return Unknown, nil
		}
		res := int64(0)
		if s > 1 {
			res = v % s
		}
		total := ek - s
		if res != 0 {
			total = ek - res
		}
		total = max(total, 0)
		pb, pe = total/2, total-total/2
		if w.autoPad == "SAME_LOWER" {
			pb, pe = pe, pb
		}
	}
	num := in.Add(Known(pb + pe - ek))
	if w.ceil {
		num = num.Add(Known(s - 1))
	}
	out := num.FloorDiv(Known(s)).Add(Known(1))
	if v, ok := in.Value(); ok {
		o, _ := out.Value()
		if w.ceil && (o-1)*s >= v+pb {
			o--
		}
		if v+pb+pe < ek && !w.same() {
			return Unknown, c.Errorf(CodeInvalid, "spatial axis %d: padded input size %d is smaller than the kernel extent %d", i, v+pb+pe, ek)
		}
		return Known(o), nil
	}
	if w.ceil && pe+s > ek {
		// The last window may start in the end padding, and then it is
		// dropped: that depends on the size.
		return Unknown, nil
	}
	return out, nil
}

// inferConv is Conv, ConvInteger, QLinearConv and DeformConv: output
// [N, M, spatial...] with M the weight's first dim.
func inferConv(c *Ctx) error {
	xi, wi := 0, 1
	elem := c.Elem(0)
	switch c.Node.OpType() {
	case "ConvInteger":
		elem = onnxgraph.Int32
	case "QLinearConv":
		xi, wi = 0, 3
		elem = c.Elem(7)
		if elem == 0 {
			elem = c.Elem(0)
		}
	}
	x, w := c.Input(xi), c.Input(wi)
	if x == nil || !x.HasShape() {
		c.SetOutput(0, Tensor(elem, nil))
		return nil
	}
	r := len(x.Shape)
	if r < 3 {
		c.SetOutput(0, Tensor(elem, nil))
		return c.Errorf(CodeInvalid, "input has rank %d, want at least 3 (N, C, spatial...)", r)
	}
	n := r - 2
	out := make(Shape, r)
	out[0], out[1] = x.Shape[0], Unknown
	var wspatial Shape
	group := c.Int("group", 1)
	if group <= 0 {
		return c.Errorf(CodeInvalid, "group %d must be positive", group)
	}
	if w.HasShape() {
		if len(w.Shape) != r {
			c.SetOutput(0, Tensor(elem, nil))
			return c.Errorf(CodeInvalid, "weight has rank %d, input %d", len(w.Shape), r)
		}
		out[1] = w.Shape[0]
		wspatial = w.Shape[2:]
		if cin, ok := x.Shape[1].Value(); ok {
			if wc, ok := w.Shape[1].Value(); ok && wc*group != cin {
				c.SetOutput(0, Tensor(elem, nil))
				return c.Errorf(CodeInvalid, "input has %d channels, weight expects %d x group %d", cin, wc, group)
			}
		}
		if m, ok := w.Shape[0].Value(); ok && m%group != 0 {
			return c.Errorf(CodeInvalid, "%d output channels are not divisible by group %d", m, group)
		}
	}
	win, err := readWindow(c, n, wspatial)
	if err != nil || win == nil {
		for i := 2; i < r; i++ {
			out[i] = Unknown
		}
		c.SetOutput(0, Tensor(elem, out))
		return err
	}
	for i := range n {
		if out[2+i], err = win.out(c, i, x.Shape[2+i]); err != nil {
			c.SetOutput(0, Tensor(elem, nil))
			return err
		}
	}
	c.SetOutput(0, Tensor(elem, out))
	return nil
}

// inferConvTranspose: output [N, W[1]*group, spatial...], spatial from
// output_shape when given, else stride*(in-1) + output_padding +
// effective kernel - pads.
func inferConvTranspose(c *Ctx) error { return convTranspose(c, nil) }

// convTranspose infers ConvTranspose with pads, [2*spatial] begins then
// ends, in place of the pads and auto_pad attributes when not nil
// (ConvTransposeWithDynamicPads' input).
func convTranspose(c *Ctx, pads []int64) error {
	x, w := c.Input(0), c.Input(1)
	elem := c.Elem(0)
	if x == nil || !x.HasShape() {
		c.SetOutput(0, Tensor(elem, nil))
		return nil
	}
	r := len(x.Shape)
	if r < 3 {
		c.SetOutput(0, Tensor(elem, nil))
		return c.Errorf(CodeInvalid, "input has rank %d, want at least 3 (N, C, spatial...)", r)
	}
	n := r - 2
	group := c.Int("group", 1)
	if group <= 0 {
		return c.Errorf(CodeInvalid, "group %d must be positive", group)
	}
	if cin, ok := x.Shape[1].Value(); ok && cin%group != 0 {
		return c.Errorf(CodeInvalid, "%d input channels are not divisible by group %d", cin, group)
	}
	out := make(Shape, r)
	out[0], out[1] = x.Shape[0], Unknown
	var wspatial Shape
	if w.HasShape() {
		if len(w.Shape) != r {
			c.SetOutput(0, Tensor(elem, nil))
			return c.Errorf(CodeInvalid, "weight has rank %d, input %d", len(w.Shape), r)
		}
		out[1] = w.Shape[1].Mul(Known(group))
		wspatial = w.Shape[2:]
		if cin, ok := x.Shape[1].Value(); ok {
			if wc, ok := w.Shape[0].Value(); ok && wc != cin {
				return c.Errorf(CodeInvalid, "input has %d channels, weight %d", cin, wc)
			}
		}
	}
	if os, ok := c.Ints("output_shape"); ok && os != nil {
		if len(os) == r {
			os = os[2:]
		}
		if len(os) != n {
			c.SetOutput(0, Tensor(elem, nil))
			return c.Errorf(CodeInvalid, "output_shape has %d values for %d spatial axes", len(os), n)
		}
		for i, v := range os {
			if v < 0 {
				return c.Errorf(CodeInvalid, "negative output_shape %v", os)
			}
			out[2+i] = Known(v)
		}
		c.SetOutput(0, Tensor(elem, out))
		return nil
	}
	for i := 2; i < r; i++ {
		out[i] = Unknown
	}
	win, err := readWindow(c, n, wspatial)
	if err != nil || win == nil {
		c.SetOutput(0, Tensor(elem, out))
		return err
	}
	if pads != nil {
		if len(pads) != 2*n {
			c.SetOutput(0, Tensor(elem, out))
			return c.Errorf(CodeInvalid, "input Pads has %d values, want %d", len(pads), 2*n)
		}
		for _, v := range pads {
			if v < 0 || v > maxWindow {
				c.SetOutput(0, Tensor(elem, out))
				return c.Errorf(CodeInvalid, "input Pads value %d is out of range [0, %d]", v, int64(maxWindow))
			}
		}
		win.pads, win.hasPads = pads, true
	}
	op, err := intsAttr(c, "output_padding", n, 0)
	if err != nil {
		c.SetOutput(0, Tensor(elem, out))
		return err
	}
	for _, v := range op {
		if v < -maxWindow || v > maxWindow {
			c.SetOutput(0, Tensor(elem, out))
			return c.Errorf(CodeInvalid, "output_padding value %d is out of range", v)
		}
	}
	if !win.hasPads && win.autoPad != "VALID" && win.autoPad != "NOTSET" && win.autoPad != "" {
		for i := range n {
			total := max(win.effKernel(i)-win.strides[i], 0)
			small, big := total/2, total-total/2
			if win.autoPad == "SAME_UPPER" {
				win.pads[i], win.pads[i+n] = small, big
			} else {
				win.pads[i], win.pads[i+n] = big, small
			}
		}
	}
	for i := range n {
		in := x.Shape[2+i]
		d := in.Sub(Known(1)).Mul(Known(win.strides[i])).Add(Known(op[i] + win.effKernel(i) - win.pads[i] - win.pads[i+n]))
		if v, ok := d.Value(); ok && v < 0 {
			return c.Errorf(CodeInvalid, "negative output size on spatial axis %d", i)
		}
		out[2+i] = d
	}
	c.SetOutput(0, Tensor(elem, out))
	return nil
}

// inferCausalConvWithState: output like the input [B, C, L];
// present_state [B, C, k-1] with k the weight's last dim.
func inferCausalConvWithState(c *Ctx) error {
	x, w := c.Input(0), c.Input(1)
	if x == nil {
		return nil
	}
	elem := x.Elem
	if x.HasShape() && len(x.Shape) != 3 {
		return c.Errorf(CodeInvalid, "input has rank %d, want 3 (batch, channels, length)", len(x.Shape))
	}
	if w.HasShape() && len(w.Shape) != 3 {
		return c.Errorf(CodeInvalid, "weight has rank %d, want 3 (channels, 1, k)", len(w.Shape))
	}
	c.SetOutput(0, x)
	if !c.HasOutput(1) {
		return nil
	}
	state := Shape{Unknown, Unknown, Unknown}
	if x.HasShape() {
		state[0], state[1] = x.Shape[0], x.Shape[1]
	}
	if w.HasShape() {
		state[2] = w.Shape[2].Sub(Known(1))
		if state[1].IsUnknown() {
			state[1] = w.Shape[0]
		}
	}
	if p, ok := c.InputShape(3); ok && len(p) == 3 {
		for i := range state {
			if state[i].IsUnknown() {
				state[i] = p[i]
			}
		}
	}
	c.SetOutput(1, Tensor(elem, state))
	return nil
}

// inferPool is AveragePool, MaxPool and LpPool: [N, C, spatial...]; the
// Indices output of MaxPool has the same shape and int64 elements.
func inferPool(c *Ctx) error {
	x := c.Input(0)
	elem := c.Elem(0)
	setIdx := func(s Shape) {
		if c.NumOutputs() > 1 {
			c.SetOutput(1, Tensor(onnxgraph.Int64, s))
		}
	}
	if x == nil || !x.HasShape() {
		c.SetOutput(0, Tensor(elem, nil))
		setIdx(nil)
		return nil
	}
	r := len(x.Shape)
	if r < 3 {
		c.SetOutput(0, Tensor(elem, nil))
		return c.Errorf(CodeInvalid, "input has rank %d, want at least 3 (N, C, spatial...)", r)
	}
	n := r - 2
	win, err := readWindow(c, n, nil)
	out := append(Shape(nil), x.Shape[:2]...)
	if err != nil {
		c.SetOutput(0, Tensor(elem, nil))
		setIdx(nil)
		return err
	}
	for i := range n {
		d, err := win.out(c, i, x.Shape[2+i])
		if err != nil {
			c.SetOutput(0, Tensor(elem, nil))
			setIdx(nil)
			return err
		}
		out = append(out, d)
	}
	c.SetOutput(0, Tensor(elem, out))
	setIdx(out)
	return nil
}

// inferGlobalPool: [N, C, 1, 1, ...].
func inferGlobalPool(c *Ctx) error {
	x := rankedInput(c)
	if x == nil {
		return nil
	}
	if len(x.Shape) < 2 {
		return c.Errorf(CodeInvalid, "input has rank %d, want at least 2 (N, C, ...)", len(x.Shape))
	}
	out := append(Shape(nil), x.Shape[:2]...)
	for range len(x.Shape) - 2 {
		out = append(out, Known(1))
	}
	c.SetOutput(0, Tensor(x.Elem, out))
	return nil
}

// inferMaxRoiPool: [num_rois, C, pooled_h, pooled_w].
func inferMaxRoiPool(c *Ctx) error {
	x, rois := c.Input(0), c.Input(1)
	if x == nil {
		return nil
	}
	ps, ok := c.Ints("pooled_shape")
	if !ok || len(ps) != 2 {
		c.SetOutput(0, Tensor(x.Elem, nil))
		return c.Errorf(CodeInvalid, "pooled_shape must have 2 values")
	}
	out := Shape{Unknown, Unknown, Known(ps[0]), Known(ps[1])}
	if x.HasShape() {
		if len(x.Shape) != 4 {
			return c.Errorf(CodeInvalid, "input has rank %d, want 4", len(x.Shape))
		}
		out[1] = x.Shape[1]
	}
	if rois.HasShape() {
		if len(rois.Shape) != 2 {
			return c.Errorf(CodeInvalid, "rois has rank %d, want 2", len(rois.Shape))
		}
		out[0] = rois.Shape[0]
	}
	c.SetOutput(0, Tensor(x.Elem, out))
	return nil
}

// inferMaxUnpool: the shape from the output_shape input when known, else
// (in-1)*stride + kernel - pads per spatial axis.
func inferMaxUnpool(c *Ctx) error {
	x := c.Input(0)
	elem := c.Elem(0)
	if c.HasInput(2) {
		if s, ok := dataToShape(c.Data(2)); ok {
			c.SetOutput(0, Tensor(elem, s))
			return nil
		}
		if n, ok := vectorLen(c, 2); ok {
			c.SetOutput(0, Tensor(elem, freshShape(c, n)))
		}
		return c.Errorf(CodeDataDependent, "output_shape %q is not known", operandName(c, 2))
	}
	if x == nil || !x.HasShape() {
		c.SetOutput(0, Tensor(elem, nil))
		return nil
	}
	r := len(x.Shape)
	if r < 3 {
		return c.Errorf(CodeInvalid, "input has rank %d, want at least 3", r)
	}
	n := r - 2
	win, err := readWindow(c, n, nil)
	if err != nil {
		return err
	}
	out := append(Shape(nil), x.Shape[:2]...)
	for i := range n {
		d := x.Shape[2+i].Sub(Known(1)).Mul(Known(win.strides[i])).Add(Known(win.kernel[i] - win.pads[i] - win.pads[i+n]))
		out = append(out, d)
	}
	c.SetOutput(0, Tensor(elem, out))
	return nil
}

// inferRoiAlign: [num_rois, C, output_height, output_width].
func inferRoiAlign(c *Ctx) error {
	x, rois, bi := c.Input(0), c.Input(1), c.Input(2)
	elem := c.Elem(0)
	out := Shape{Unknown, Unknown, Known(c.Int("output_height", 1)), Known(c.Int("output_width", 1))}
	if x.HasShape() {
		if len(x.Shape) != 4 {
			return c.Errorf(CodeInvalid, "input has rank %d, want 4", len(x.Shape))
		}
		out[1] = x.Shape[1]
	}
	if rois.HasShape() {
		if len(rois.Shape) != 2 {
			return c.Errorf(CodeInvalid, "rois has rank %d, want 2", len(rois.Shape))
		}
		if v, ok := rois.Shape[1].Value(); ok && v != 4 {
			return c.Errorf(CodeInvalid, "rois has %d columns, want 4", v)
		}
		out[0] = rois.Shape[0]
	}
	if bi.HasShape() {
		if len(bi.Shape) != 1 {
			return c.Errorf(CodeInvalid, "batch_indices has rank %d, want 1", len(bi.Shape))
		}
		d, err := mergeEqualDim(c, out[0], bi.Shape[0])
		if err != nil {
			return c.Errorf(CodeInvalid, "rois and batch_indices disagree on the number of rois")
		}
		out[0] = d
	}
	c.SetOutput(0, Tensor(elem, out))
	return nil
}

// inferBatchNorm: Y like X; the statistics outputs (mean, var and, before
// opset 14, the saved ones) have the shape and element type of input mean,
// else [C].
func inferBatchNorm(c *Ctx) error {
	x := c.Input(0)
	if x == nil {
		return nil
	}
	c.SetOutput(0, x)
	stat := Shape{Unknown}
	if x.HasShape() && len(x.Shape) >= 2 {
		stat = Shape{x.Shape[1]}
	}
	if x.HasShape() && len(x.Shape) < 2 {
		return c.Errorf(CodeInvalid, "input has rank %d, want at least 2", len(x.Shape))
	}
	if s, ok := c.InputShape(3); ok {
		stat = s
	}
	elem := c.Elem(3)
	if elem == 0 {
		elem = x.Elem
	}
	for i := 1; i < c.NumOutputs(); i++ {
		c.SetOutput(i, Tensor(elem, stat))
	}
	return nil
}

// inferLayerNorm: Y like X; Mean and InvStdDev keep X's dims before axis
// and have 1 after, with the stash_type element type.
func inferLayerNorm(c *Ctx) error {
	x := c.Input(0)
	if x == nil {
		return nil
	}
	c.SetOutput(0, x)
	stash := onnxgraph.DataType(c.Int("stash_type", 1))
	var stat Shape
	if x.HasShape() {
		ax, err := axis(c, c.Int("axis", -1), len(x.Shape))
		if err != nil {
			return err
		}
		stat = append(Shape(nil), x.Shape...)
		for i := ax; i < len(stat); i++ {
			stat[i] = Known(1)
		}
	}
	for i := 1; i < c.NumOutputs() && i < 3; i++ {
		c.SetOutput(i, Tensor(stash, stat))
	}
	return nil
}

// inferRMSNorm: Y has X's shape and scale's element type.
func inferRMSNorm(c *Ctx) error {
	x := c.Input(0)
	if x == nil {
		return nil
	}
	elem := c.Elem(1)
	if elem == 0 {
		elem = x.Elem
	}
	if x.HasShape() {
		if _, err := axis(c, c.Int("axis", -1), len(x.Shape)); err != nil {
			return err
		}
	}
	c.SetOutput(0, Tensor(elem, x.Shape))
	return nil
}

// inferDropout: output like data; the mask has data's shape, bool elements
// from opset 10 (data's type before).
func inferDropout(c *Ctx) error {
	x := c.Input(0)
	if x == nil {
		return nil
	}
	c.SetOutput(0, x)
	if c.NumOutputs() > 1 {
		elem := x.Elem
		if c.Schema != nil && c.Schema.SinceVersion >= 10 {
			elem = onnxgraph.Bool
		}
		c.SetOutput(1, Tensor(elem, x.Shape))
	}
	if c.Schema != nil && c.Schema.SinceVersion >= 12 {
		if r, ok := c.InputShape(1); ok && c.HasInput(1) && !r.NumElements().IsUnknown() && !r.NumElements().Equal(Known(1)) {
			return c.Errorf(CodeInvalid, "ratio must be a scalar, has shape %v", r)
		}
	}
	return nil
}

// inferGemm: [M, N] from A (transA) and B (transB); C must broadcast to it.
func inferGemm(c *Ctx) error {
	a, b := c.Input(0), c.Input(1)
	elem := c.Elem(0)
	for i, t := range []*Type{a, b} {
		if t.HasShape() && len(t.Shape) != 2 {
			c.SetOutput(0, Tensor(elem, Shape{Unknown, Unknown}))
			return c.Errorf(CodeInvalid, "input %d has shape %v, want a matrix", i, t.Shape)
		}
	}
	m, ka, kb, n := Unknown, Unknown, Unknown, Unknown
	if a.HasShape() {
		m, ka = a.Shape[0], a.Shape[1]
		if c.Int("transA", 0) != 0 {
			m, ka = ka, m
		}
	}
	if b.HasShape() {
		kb, n = b.Shape[0], b.Shape[1]
		if c.Int("transB", 0) != 0 {
			kb, n = n, kb
		}
	}
	if _, err := mergeEqualDim(c, ka, kb); err != nil {
		c.SetOutput(0, Tensor(elem, Shape{m, n}))
		return c.Errorf(CodeInvalid, "inner dims differ: %v and %v (transA=%d, transB=%d)", ka, kb, c.Int("transA", 0), c.Int("transB", 0))
	}
	out := Shape{m, n}
	if cs, ok := c.InputShape(2); ok && (c.Schema == nil || c.Schema.SinceVersion >= 7 || c.Int("broadcast", 0) != 0) {
		if len(cs) > 2 {
			c.SetOutput(0, Tensor(elem, out))
			return c.Errorf(CodeInvalid, "C %v does not broadcast to [M, N]", cs)
		}
		bs, err := broadcast(c, out, cs)
		if err != nil {
			c.SetOutput(0, Tensor(elem, out))
			return c.Errorf(CodeInvalid, "C %v does not broadcast to %v", cs, out)
		}
		for i, d := range out {
			if d.IsUnknown() {
				out[i] = bs[i]
			}
		}
	}
	c.SetOutput(0, Tensor(elem, out))
	return nil
}

// inferMatMul is MatMul, MatMulInteger (int32 out) and QLinearMatMul (the
// element type of y_zero_point), with numpy matmul shapes.
func inferMatMul(c *Ctx) error {
	ai, bi := 0, 1
	elem := c.Elem(0)
	switch c.Node.OpType() {
	case "MatMulInteger":
		elem = onnxgraph.Int32
	case "QLinearMatMul":
		ai, bi = 0, 3
		if e := c.Elem(7); e != 0 {
			elem = e
		}
	}
	a, b := c.Input(ai), c.Input(bi)
	if !a.HasShape() || !b.HasShape() {
		c.SetOutput(0, Tensor(elem, nil))
		return nil
	}
	out, err := matmulShape(c, a.Shape, b.Shape)
	if err != nil {
		c.SetOutput(0, Tensor(elem, nil))
		return err
	}
	c.SetOutput(0, Tensor(elem, out))
	return nil
}

// matmulShape is numpy matmul: a 1-D A is a row vector, a 1-D B a column
// vector (their added dim removed from the result); batch dims broadcast.
func matmulShape(c *Ctx, a, b Shape) (Shape, error) {
	if len(a) == 0 || len(b) == 0 {
		return nil, c.Errorf(CodeInvalid, "MatMul inputs must have rank at least 1, got %v and %v", a, b)
	}
	a1, b1 := a, b
	if len(a) == 1 {
		a1 = Shape{Known(1), a[0]}
	}
	if len(b) == 1 {
		b1 = Shape{b[0], Known(1)}
	}
	if _, err := mergeEqualDim(c, a1[len(a1)-1], b1[len(b1)-2]); err != nil {
		return nil, c.Errorf(CodeInvalid, "inner dims differ: %v and %v", a, b)
	}
	batch, err := broadcast(c, a1[:len(a1)-2], b1[:len(b1)-2])
	if err != nil {
		return nil, err
	}
	out := append(Shape{}, batch...)
	if len(a) > 1 {
		out = append(out, a1[len(a1)-2])
	}
	if len(b) > 1 {
		out = append(out, b1[len(b1)-1])
	}
	return out, nil
}

// einsumTerm is one operand of an Einsum equation: its labels, and where
// the ellipsis stands (-1: none).
type einsumTerm struct {
	labels   []byte
	ellipsis int
}

// parseEinsumTerm parses one operand (or the output) of an equation:
// letters and at most one "...".
func parseEinsumTerm(s string) (einsumTerm, bool) {
	t := einsumTerm{ellipsis: -1}
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; {
		case ch == '.':
			if t.ellipsis >= 0 || !strings.HasPrefix(s[i:], "...") {
				return t, false
			}
			t.ellipsis = len(t.labels)
			i += 2
		case (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'):
			t.labels = append(t.labels, ch)
		default:
			return t, false
		}
	}
	return t, true
}

// inferEinsum parses the equation: each label's size comes from the
// operands, the ellipsis dims broadcast; without "->" the output is the
// ellipsis dims then the labels used once, in alphabetical order.
func inferEinsum(c *Ctx) error {
	elem := c.Elem(0)
	eq := strings.ReplaceAll(c.String("equation", ""), " ", "")
	lhs, rhs, explicit := strings.Cut(eq, "->")
	parts := strings.Split(lhs, ",")
	if eq == "" || len(parts) != c.NumInputs() {
		c.SetOutput(0, Tensor(elem, nil))
		return c.Errorf(CodeInvalid, "equation %q names %d operands, the node has %d inputs", eq, len(parts), c.NumInputs())
	}
	terms := make([]einsumTerm, len(parts))
	count := map[byte]int{}
	anyEllipsis := false
	for i, p := range parts {
		t, ok := parseEinsumTerm(p)
		if !ok {
			c.SetOutput(0, Tensor(elem, nil))
			return c.Errorf(CodeInvalid, "bad operand %q in equation %q", p, eq)
		}
		terms[i] = t
		for _, l := range t.labels {
			count[l]++
		}
		anyEllipsis = anyEllipsis || t.ellipsis >= 0
	}
	var out einsumTerm
	if explicit {
		t, ok := parseEinsumTerm(rhs)
		if !ok {
			c.SetOutput(0, Tensor(elem, nil))
			return c.Errorf(CodeInvalid, "bad output %q in equation %q", rhs, eq)
		}
		for _, l := range t.labels {
			if count[l] == 0 {
				c.SetOutput(0, Tensor(elem, nil))
				return c.Errorf(CodeInvalid, "output label %q is not in any operand", string(l))
			}
		}
		out = t
	} else {
		out.ellipsis = -1
		if anyEllipsis {
			out.ellipsis = 0
		}
		for l, n := range count {
			if n == 1 {
				out.labels = append(out.labels, l)
			}
		}
		sort.Slice(out.labels, func(i, j int) bool { return out.labels[i] < out.labels[j] })
	}
	dims := map[byte]Dim{}
	var ell Shape
	ellKnown := true
	for i, t := range terms {
		s, ok := c.InputShape(i)
		if !ok {
			if t.ellipsis >= 0 {
				ellKnown = false
			}
			continue
		}
		if t.ellipsis < 0 && len(s) != len(t.labels) {
			c.SetOutput(0, Tensor(elem, nil))
			return c.Errorf(CodeInvalid, "operand %d has rank %d, its term %q %d labels", i, len(s), parts[i], len(t.labels))
		}
		ne := len(s) - len(t.labels)
		if ne < 0 {
			c.SetOutput(0, Tensor(elem, nil))
			return c.Errorf(CodeInvalid, "operand %d has rank %d, fewer than the labels of %q", i, len(s), parts[i])
		}
		k := 0
		for j, l := range t.labels {
			if j == t.ellipsis {
				k += ne
			}
			d := s[k]
			k++
			prev, seen := dims[l]
			if !seen {
				dims[l] = d
				continue
			}
			m, err := broadcastDim(c, prev, d)
			if err != nil {
				c.SetOutput(0, Tensor(elem, nil))
				return c.Errorf(CodeInvalid, "label %q has sizes %v and %v", string(l), prev, d)
			}
			dims[l] = m
		}
		if t.ellipsis >= 0 {
			e := s[t.ellipsis : t.ellipsis+ne]
			b, err := broadcast(c, ell, e)
			if ell == nil {
				b, err = e, nil
			}
			if err != nil {
				c.SetOutput(0, Tensor(elem, nil))
				return err
			}
			ell = b
		}
	}
	if out.ellipsis >= 0 && !ellKnown {
		c.SetOutput(0, Tensor(elem, nil))
		return nil
	}
	var res Shape = Shape{}
	for j, l := range out.labels {
		if j == out.ellipsis {
			res = append(res, ell...)
		}
		res = append(res, dims[l])
	}
	if out.ellipsis >= len(out.labels) {
		res = append(res, ell...)
	}
	c.SetOutput(0, Tensor(elem, res))
	return nil
}

// inferDet: [*, M, M] -> [*].
func inferDet(c *Ctx) error {
	x := rankedInput(c)
	if x == nil {
		return nil
	}
	r := len(x.Shape)
	if r < 2 {
		return c.Errorf(CodeInvalid, "input has rank %d, want at least 2", r)
	}
	if _, err := mergeEqualDim(c, x.Shape[r-2], x.Shape[r-1]); err != nil {
		return c.Errorf(CodeInvalid, "matrices are not square: %v", x.Shape)
	}
	c.SetOutput(0, Tensor(x.Elem, append(Shape{}, x.Shape[:r-2]...)))
	return nil
}

// ceilDivBy returns ceil(d/k) for a positive constant k, written
// floor((d+k-1)/k) so that a symbolic result reads as a size.
func ceilDivBy(d Dim, k int64) Dim {
	return d.Add(Known(k - 1)).FloorDiv(Known(k))
}
