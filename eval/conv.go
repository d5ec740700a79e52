package eval

// Convolutions: Conv, ConvTranspose, ConvInteger. Conv lowers each group
// of each image to one matrix product (im2col) run by gonum's BLAS;
// ConvTranspose is the matrix product followed by col2im.

var convTable = map[key]entry{
	{onnx, "Conv", 1}:           k(conv, tFloats, convAttrs...),
	{onnx, "Conv", 11}:          k(conv, tFloats, convAttrs...),
	{onnx, "Conv", 22}:          k(conv, tFloats, convAttrs...),
	{onnx, "ConvTranspose", 1}:  k(convTranspose, tFloats, convTAttrs...),
	{onnx, "ConvTranspose", 11}: k(convTranspose, tFloats, convTAttrs...),
	{onnx, "ConvTranspose", 22}: k(convTranspose, tFloats, convTAttrs...),
	{onnx, "Col2Im", 18}:        k(col2im, tNumeric, "dilations", "pads", "strides"),
	{onnx, "ConvInteger", 10}:   k(convInteger, []DataType{dtInt8, dtUint8}, convAttrs...),
}

var (
	convAttrs  = []string{"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"}
	convTAttrs = append(append([]string{}, convAttrs...), "output_padding", "output_shape")
)

// window is the geometry of a sliding window over the spatial dims: kernel
// sizes, strides, dilations, pads at the start and end of each dim, and
// the input and output sizes.
type window struct {
	in, kernel, stride, dil, padB, padE, out []int
}

// windowArgs reads kernel_shape (or kernel, when the attribute is absent),
// strides, dilations, pads and auto_pad, and computes the output sizes.
// ceil rounds the output size up (pooling's ceil_mode).
func windowArgs(c *ctx, in, kernel []int, ceil bool) (*window, error) {
	n := len(in)
	w := &window{in: in}
	ints := func(name string, def int) ([]int, error) {
		out := make([]int, n)
		for i := range out {
			out[i] = def
		}
		if _, ok := c.schema.Attribute(name); !ok {
			return out, nil
		}
		v, ok := c.ints(name)
		if !ok || len(v) == 0 {
			return out, nil
		}
		if len(v) != n && !(name == "pads" && len(v) == 2*n) {
			return nil, invalidf("%s %v for %d spatial dims", name, v, n)
		}
		out = make([]int, len(v))
		for i, x := range v {
			if x < 0 || x > 1<<20 || (x == 0 && name != "pads") {
				return nil, invalidf("%s %v", name, v)
			}
			out[i] = int(x)
		}
		return out, nil
	}
	var err error
	if ks, ok := c.ints("kernel_shape"); ok && len(ks) > 0 {
		if w.kernel, err = ints("kernel_shape", 1); err != nil {
			return nil, err
		}
		if kernel != nil && !equalShapes(w.kernel, kernel) {
			return nil, invalidf("kernel_shape %v for weights of spatial shape %s", ks, shapeString(kernel))
		}
	} else if kernel != nil {
		w.kernel = kernel
	} else {
		return nil, invalidf("no kernel_shape")
	}
	if w.stride, err = ints("strides", 1); err != nil {
		return nil, err
	}
	if w.dil, err = ints("dilations", 1); err != nil {
		return nil, err
	}
	pads, err := ints("pads", 0)
	if err != nil {
		return nil, err
	}
	if len(pads) == n && n > 0 {
		pads = append(pads, make([]int, n)...)
	}
	w.padB, w.padE = pads[:n], pads[n:]
	mode := "NOTSET"
	if _, ok := c.schema.Attribute("auto_pad"); ok {
		mode = c.str("auto_pad")
	}
	if c.err != nil {
		return nil, c.err
	}
	w.out = make([]int, n)
	for i := range n {
		ext := w.dil[i]*(w.kernel[i]-1) + 1
		switch mode {
		case "NOTSET":
		case "VALID":
			w.padB[i], w.padE[i] = 0, 0
		case "SAME_UPPER", "SAME_LOWER":
			o := (in[i] + w.stride[i] - 1) / w.stride[i]
			total := max(0, (o-1)*w.stride[i]+ext-in[i])
			small := total / 2
			if mode == "SAME_UPPER" {
				w.padB[i], w.padE[i] = small, total-small
			} else {
				w.padB[i], w.padE[i] = total-small, small
			}
		default:
			return nil, invalidf("auto_pad %q", mode)
		}
		span := in[i] + w.padB[i] + w.padE[i] - ext
		if span < 0 {
			return nil, invalidf("window of %d over a padded dim of %d", ext, in[i]+w.padB[i]+w.padE[i])
		}
		if ceil {
			w.out[i] = (span+w.stride[i]-1)/w.stride[i] + 1
			// The last window must start inside the input or left padding.
			if (w.out[i]-1)*w.stride[i] >= in[i]+w.padB[i] {
				w.out[i]--
			}
		} else {
			w.out[i] = span/w.stride[i] + 1
		}
	}
	return w, nil
}

// tables returns, for the kernel position kpos (one index per spatial
// dim), the input offset term of each output coordinate along each dim,
// or -1 where the window reads padding.
func (w *window) tables(kpos []int, inStrides []int) [][]int {
	tabs := make([][]int, len(w.in))
	for d := range w.in {
		t := make([]int, w.out[d])
		for o := range t {
			x := o*w.stride[d] - w.padB[d] + kpos[d]*w.dil[d]
			if x < 0 || x >= w.in[d] {
				t[o] = -1
			} else {
				t[o] = x * inStrides[d]
			}
		}
		tabs[d] = t
	}
	return tabs
}

// kernelPositions lists every index of a kernel.
func kernelPositions(kernel []int) [][]int {
	n := numel(kernel)
	out := make([][]int, n)
	for i := range n {
		p := make([]int, len(kernel))
		r := i
		for d := len(kernel) - 1; d >= 0; d-- {
			p[d] = r % kernel[d]
			r /= kernel[d]
		}
		out[i] = p
	}
	return out
}

// convArgs checks X and W of a convolution and reads its geometry.
func convArgs(c *ctx, x, w *tensor) (*window, int, error) {
	group := int(c.int("group"))
	if c.err != nil {
		return nil, 0, c.err
	}
	if x.rank() < 3 || w.rank() != x.rank() {
		return nil, 0, invalidf("X %s and W %s", shapeString(x.shape), shapeString(w.shape))
	}
	if group < 1 || x.shape[1]%group != 0 || w.shape[0]%group != 0 {
		return nil, 0, invalidf("group %d for X %s and W %s", group, shapeString(x.shape), shapeString(w.shape))
	}
	if w.shape[1] != x.shape[1]/group {
		return nil, 0, invalidf("W %s for %d input channels in %d groups", shapeString(w.shape), x.shape[1], group)
	}
	win, err := windowArgs(c, x.shape[2:], w.shape[2:], false)
	return win, group, err
}

func conv(c *ctx, in []*tensor) ([]*tensor, error) {
	x, w := in[0], in[1]
	if w.dt != x.dt {
		return nil, invalidf("W of type %s for X of type %s", typeName(w.dt), typeName(x.dt))
	}
	win, group, err := convArgs(c, x, w)
	if err != nil {
		return nil, err
	}
	var b *tensor
	if len(in) > 2 && in[2] != nil {
		b = in[2]
		if b.size() != w.shape[0] || b.dt != x.dt {
			return nil, invalidf("B %s for %d output channels", shapeString(b.shape), w.shape[0])
		}
	}
	shape := append([]int{x.shape[0], w.shape[0]}, win.out...)
	if _, err := c.check(shape); err != nil {
		return nil, err
	}
	cols := x.shape[1] / group * numel(win.kernel) * numel(win.out)
	if _, err := c.check([]int{cols}); err != nil {
		return nil, err
	}
	var data any
	switch xd := x.data.(type) {
	case []float32:
		var bd []float32
		if b != nil {
			bd = b.data.([]float32)
		}
		data = convT(xd, w.data.([]float32), bd, x.shape, w.shape, win, group, gemmF32)
	case []float64:
		var bd []float64
		if b != nil {
			bd = b.data.([]float64)
		}
		data = convT(xd, w.data.([]float64), bd, x.shape, w.shape, win, group, gemmF64)
	default:
		return nil, notImplf("%s input", typeName(x.dt))
	}
	return []*tensor{withData(x.dt, shape, data)}, nil
}

// convT computes a grouped N-d convolution: for each image and group,
// Y[m, o] = sum over (c, k) of W[m, c, k] · X[c, o·s - p + k·d], as one
// matrix product of W's rows with the im2col matrix of X.
func convT[T float](x, w, b []T, xs, ws []int, win *window, group int, mm func(ta, tb bool, m, n, k int, alpha T, a, b []T, beta T, c []T)) []T {
	nImg, cin := xs[0], xs[1]
	cg := cin / group
	m := ws[0]
	mg := m / group
	inSize := numel(xs[2:])
	outSize := numel(win.out)
	kSize := numel(win.kernel)
	kk := cg * kSize
	out := make([]T, nImg*m*outSize)
	col := make([]T, kk*outSize)
	inSt := stridesOf(xs[2:])
	// The input offsets of each kernel position, shared by every channel.
	var maps [][]int
	for _, kp := range kernelPositions(win.kernel) {
		maps = append(maps, separable(win.out, win.tables(kp, inSt), outSize))
	}
	for n := range nImg {
		for g := range group {
			for ch := range cg {
				src := x[(n*cin+g*cg+ch)*inSize:]
				for kp, mp := range maps {
					row := col[(ch*kSize+kp)*outSize:][:outSize]
					for o, off := range mp {
						if off < 0 {
							row[o] = 0
						} else {
							row[o] = src[off]
						}
					}
				}
			}
			dst := out[(n*m+g*mg)*outSize:]
			mm(false, false, mg, outSize, kk, 1, w[g*mg*kk:], col, 0, dst)
		}
		if b != nil {
			for oc := range m {
				row := out[(n*m+oc)*outSize:][:outSize]
				for i := range row {
					row[i] += b[oc]
				}
			}
		}
	}
	return out
}

func convTranspose(c *ctx, in []*tensor) ([]*tensor, error) {
	x, w := in[0], in[1]
	if w.dt != x.dt {
		return nil, invalidf("W of type %s for X of type %s", typeName(w.dt), typeName(x.dt))
	}
	group := int(c.int("group"))
	if c.err != nil {
		return nil, c.err
	}
	if x.rank() < 3 || w.rank() != x.rank() || group < 1 || x.shape[1]%group != 0 || w.shape[0] != x.shape[1] {
		return nil, invalidf("X %s, W %s, group %d", shapeString(x.shape), shapeString(w.shape), group)
	}
	win, err := transposeWindow(c, x.shape[2:], w.shape[2:])
	if err != nil {
		return nil, err
	}
	m := w.shape[1] * group
	var b *tensor
	if len(in) > 2 && in[2] != nil {
		b = in[2]
		if b.size() != m || b.dt != x.dt {
			return nil, invalidf("B %s for %d output channels", shapeString(b.shape), m)
		}
	}
	shape := append([]int{x.shape[0], m}, win.in...)
	if _, err := c.check(shape); err != nil {
		return nil, err
	}
	if _, err := c.check([]int{w.shape[1] * numel(win.kernel), numel(win.out)}); err != nil {
		return nil, err
	}
	var data any
	switch xd := x.data.(type) {
	case []float32:
		var bd []float32
		if b != nil {
			bd = b.data.([]float32)
		}
		data = convTransposeT(xd, w.data.([]float32), bd, x.shape, w.shape, win, group, gemmF32)
	case []float64:
		var bd []float64
		if b != nil {
			bd = b.data.([]float64)
		}
		data = convTransposeT(xd, w.data.([]float64), bd, x.shape, w.shape, win, group, gemmF64)
	default:
		return nil, notImplf("%s input", typeName(x.dt))
	}
	return []*tensor{withData(x.dt, shape, data)}, nil
}

// transposeWindow computes a ConvTranspose's geometry as the window of the
// forward convolution it transposes: win.in is the transposed output's
// spatial shape, win.out the input's.
func transposeWindow(c *ctx, in, kernel []int) (*window, error) {
	n := len(in)
	get := func(name string, def int) ([]int, error) {
		out := make([]int, n)
		for i := range out {
			out[i] = def
		}
		v, ok := c.ints(name)
		if !ok || len(v) == 0 {
			return out, nil
		}
		if len(v) != n && !(name == "pads" && len(v) == 2*n) {
			return nil, invalidf("%s %v for %d spatial dims", name, v, n)
		}
		out = make([]int, len(v))
		for i, x := range v {
			if x < 0 || x > 1<<20 || (x == 0 && (name == "strides" || name == "dilations" || name == "kernel_shape")) {
				return nil, invalidf("%s %v", name, v)
			}
			out[i] = int(x)
		}
		return out, nil
	}
	w := &window{out: in}
	var err error
	if w.kernel, err = get("kernel_shape", 0); err != nil {
		return nil, err
	}
	if ks, _ := c.ints("kernel_shape"); len(ks) == 0 {
		w.kernel = kernel
	} else if !equalShapes(w.kernel, kernel) {
		return nil, invalidf("kernel_shape %v for weights of spatial shape %s", ks, shapeString(kernel))
	}
	if w.stride, err = get("strides", 1); err != nil {
		return nil, err
	}
	if w.dil, err = get("dilations", 1); err != nil {
		return nil, err
	}
	outPad, err := get("output_padding", 0)
	if err != nil {
		return nil, err
	}
	pads, err := get("pads", 0)
	if err != nil {
		return nil, err
	}
	if len(pads) == n {
		pads = append(pads, make([]int, n)...)
	}
	w.padB, w.padE = pads[:n], pads[n:]
	outShape, err := get("output_shape", -1)
	if err != nil {
		return nil, err
	}
	mode := c.str("auto_pad")
	if c.err != nil {
		return nil, c.err
	}
	w.in = make([]int, n)
	for i := range n {
		ext := w.dil[i]*(w.kernel[i]-1) + 1
		full := w.stride[i]*(in[i]-1) + outPad[i] + ext
		switch {
		case outShape[i] >= 0 && c.has("output_shape"):
			// total may be negative: the output then grows at the end.
			total := full - outShape[i]
			half := floorDiv(total, 2)
			if mode == "SAME_UPPER" {
				w.padB[i], w.padE[i] = half, total-half
			} else {
				w.padB[i], w.padE[i] = total-half, half
			}
		case mode == "SAME_UPPER" || mode == "SAME_LOWER":
			total := full - in[i]*w.stride[i]
			if mode == "SAME_UPPER" {
				w.padB[i], w.padE[i] = total/2, total-total/2
			} else {
				w.padB[i], w.padE[i] = total-total/2, total/2
			}
		case mode == "VALID":
			w.padB[i], w.padE[i] = 0, 0
		case mode != "NOTSET":
			return nil, invalidf("auto_pad %q", mode)
		}
		w.in[i] = full - w.padB[i] - w.padE[i]
		if w.in[i] < 0 {
			return nil, invalidf("output size %d", w.in[i])
		}
	}
	return w, nil
}

// floorDiv is a/b rounded down.
func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// convTransposeT computes, per image and group, the product of W's
// columns with X (col = Wᵀ·X) and adds each column entry into the output
// position it maps to (col2im).
func convTransposeT[T float](x, w, b []T, xs, ws []int, win *window, group int, mm func(ta, tb bool, m, n, k int, alpha T, a, b []T, beta T, c []T)) []T {
	nImg, cin := xs[0], xs[1]
	cg := cin / group
	mg := ws[1]
	m := mg * group
	inSize := numel(win.out) // X's spatial size
	outSize := numel(win.in) // Y's spatial size
	kSize := numel(win.kernel)
	out := make([]T, nImg*m*outSize)
	col := make([]T, mg*kSize*inSize)
	ySt := stridesOf(win.in)
	var maps [][]int
	for _, kp := range kernelPositions(win.kernel) {
		maps = append(maps, separable(win.out, win.tables(kp, ySt), inSize))
	}
	for n := range nImg {
		for g := range group {
			// col[(oc,k), i] = sum over c of W[c, oc, k] · X[c, i]
			mm(true, false, mg*kSize, inSize, cg, 1, w[g*cg*mg*kSize:], x[(n*cin+g*cg)*inSize:], 0, col)
			for oc := range mg {
				dst := out[(n*m+g*mg+oc)*outSize:][:outSize]
				for kp, mp := range maps {
					row := col[(oc*kSize+kp)*inSize:][:inSize]
					for i, off := range mp {
						if off >= 0 {
							dst[off] += row[i]
						}
					}
				}
			}
		}
		if b != nil {
			for oc := range m {
				row := out[(n*m+oc)*outSize:][:outSize]
				for i := range row {
					row[i] += b[oc]
				}
			}
		}
	}
	return out
}

func convInteger(c *ctx, in []*tensor) ([]*tensor, error) {
	x, w := in[0], in[1]
	xv, err := toFloat64s(x)
	if err != nil {
		return nil, err
	}
	wv, err := toFloat64s(w)
	if err != nil {
		return nil, err
	}
	if len(in) > 2 && in[2] != nil {
		z, err := scalarFloat(in[2], "x_zero_point")
		if err != nil {
			return nil, err
		}
		xv = mapT(xv, func(v float64) float64 { return v - z })
	}
	if len(in) > 3 && in[3] != nil {
		z, err := scalarFloat(in[3], "w_zero_point")
		if err != nil {
			return nil, notImplf("per-channel w_zero_point")
		}
		wv = mapT(wv, func(v float64) float64 { return v - z })
	}
	res, err := conv(c, []*tensor{withData(dtDouble, x.shape, xv), withData(dtDouble, w.shape, wv)})
	if err != nil {
		return nil, err
	}
	v := res[0].data.([]float64)
	return []*tensor{withData(dtInt32, res[0].shape, mapT(v, func(f float64) int32 { return int32(f) }))}, nil
}

// col2im sums the columns of input [N, C·prod(block), L] back into an
// image [N, C, image_shape...]: the inverse of the im2col of Conv.
func col2im(c *ctx, in []*tensor) ([]*tensor, error) {
	x := in[0]
	img, err := shapeInput(in[1], "image_shape")
	if err != nil {
		return nil, err
	}
	block, err := shapeInput(in[2], "block_shape")
	if err != nil {
		return nil, err
	}
	nsp := len(img)
	if x.rank() != 3 || len(block) != nsp || nsp == 0 {
		return nil, invalidf("input %s, image_shape %v, block_shape %v", shapeString(x.shape), img, block)
	}
	kSize := numel(block)
	if kSize == 0 || x.shape[1]%kSize != 0 {
		return nil, invalidf("%d rows for blocks of %d", x.shape[1], kSize)
	}
	win := &window{in: img, kernel: block}
	get := func(name string, def int, n int) ([]int, error) {
		out := make([]int, n)
		for i := range out {
			out[i] = def
		}
		v, ok := c.ints(name)
		if !ok || len(v) == 0 {
			return out, nil
		}
		if len(v) != n {
			return nil, invalidf("%s %v", name, v)
		}
		for i, e := range v {
			if e < 0 || e > 1<<20 || (e == 0 && name != "pads") {
				return nil, invalidf("%s %v", name, v)
			}
			out[i] = int(e)
		}
		return out, nil
	}
	if win.stride, err = get("strides", 1, nsp); err != nil {
		return nil, err
	}
	if win.dil, err = get("dilations", 1, nsp); err != nil {
		return nil, err
	}
	pads, err := get("pads", 0, 2*nsp)
	if err != nil {
		return nil, err
	}
	if c.err != nil {
		return nil, c.err
	}
	win.padB, win.padE = pads[:nsp], pads[nsp:]
	win.out = make([]int, nsp)
	for i := range nsp {
		span := img[i] + win.padB[i] + win.padE[i] - win.dil[i]*(block[i]-1) - 1
		if span < 0 {
			return nil, invalidf("block %v does not fit image %v", block, img)
		}
		win.out[i] = span/win.stride[i] + 1
	}
	cols := numel(win.out)
	if x.shape[2] != cols {
		return nil, invalidf("%d columns, the geometry gives %d", x.shape[2], cols)
	}
	n, ch := x.shape[0], x.shape[1]/kSize
	shape := append([]int{n, ch}, img...)
	if _, err := c.check(shape); err != nil {
		return nil, err
	}
	v, err := toFloat64s(x)
	if err != nil {
		return nil, err
	}
	imgSize := numel(img)
	st := stridesOf(img)
	out := make([]float64, n*ch*imgSize)
	for kp, pos := range kernelPositions(block) {
		mp := separable(win.out, win.tables(pos, st), cols)
		for b := range n {
			for cc := range ch {
				src := v[((b*ch+cc)*kSize+kp)*cols:]
				dst := out[(b*ch+cc)*imgSize:]
				for col, off := range mp {
					if off >= 0 {
						dst[off] += src[col]
					}
				}
			}
		}
	}
	res, err := fromF64As(x.dt, shape, out)
	return []*tensor{res}, err
}
