package shapeinfer

import (
	"bytes"
	"encoding/binary"
	"image"
	_ "image/gif"  // DecodeConfig for ImageDecoder
	_ "image/jpeg" // DecodeConfig for ImageDecoder
	_ "image/png"  // DecodeConfig for ImageDecoder
	"math"
	"slices"
	"sort"

	"github.com/onnxgraph/onnxgraph"
)

// The image family: resampling (Resize, Upsample), pixel rearrangement
// (DepthToSpace, SpaceToDepth, Col2Im), sampling grids (GridSample,
// AffineGrid), image decoding and box selection (NonMaxSuppression).

var imageTable = join(
	all(inferResize, versions("ai.onnx", "Resize", 10, 11, 13, 18, 19)),
	all(inferUpsample, versions("ai.onnx", "Upsample", 1, 7, 9, 10)),
	all(inferDepthToSpace, versions("ai.onnx", "DepthToSpace", 1, 11, 13)),
	all(inferSpaceToDepth, versions("ai.onnx", "SpaceToDepth", 1, 13)),
	all(inferGridSample, versions("ai.onnx", "GridSample", 16, 20, 22)),
	all(inferAffineGrid, versions("ai.onnx", "AffineGrid", 20)),
	all(inferCol2Im, versions("ai.onnx", "Col2Im", 18)),
	all(inferImageDecoder, versions("ai.onnx", "ImageDecoder", 20)),
	all(inferNonMaxSuppression, versions("ai.onnx", "NonMaxSuppression", 10, 11)),
)

// scaleDim is floor(d*scale): exact for known sizes; for a symbolic d,
// the exact floor(p*d/q) when scale is the dyadic rational p/q with p and
// q at most 2^12 (every float32 scale such as 2, 1.5, 0.75 or 0.5), a
// fresh symbol otherwise. ONNX Runtime multiplies in float32, which is
// exact, so equal to the expression, while p*d < 2^24.
func scaleDim(c *Ctx, d Dim, scale float64) Dim {
	if scale < 0 || math.IsNaN(scale) || math.IsInf(scale, 0) {
		return Unknown
	}
	if v, ok := d.Value(); ok {
		f := math.Floor(float64(v) * scale)
		if f >= math.MaxInt64 {
			return Dim{overflowExpr}
		}
		return known(int64(f))
	}
	if d.IsUnknown() {
		return d
	}
	if r, ok := dyadic(scale, 1<<12); ok {
		return Dim{floorOf(d.e.scale(r))}
	}
	return c.Fresh()
}

// dyadic returns x as p/q with q a power of two, when p and q are at most
// limit.
func dyadic(x float64, limit int64) (rat, bool) {
	for q := int64(1); q <= limit; q *= 2 {
		p := x * float64(q)
		if p == math.Trunc(p) && p <= float64(limit) {
			return makeRat(int64(p), q)
		}
	}
	return rat{}, false
}

// resizeInput returns the data of optional input i when it is present and
// not empty; given reports whether it is present and not empty (an empty
// scales tensor means "use sizes").
func resizeInput(c *Ctx, i int) (d *Data, given bool) {
	if !c.HasInput(i) {
		return nil, false
	}
	if n, ok := vectorLen(c, i); ok && n == 0 {
		return nil, false
	}
	d = c.Data(i)
	if d != nil && d.Len() == 0 {
		return nil, false
	}
	return d, true
}

func inferResize(c *Ctx) error {
	in := rankedInput(c)
	if in == nil {
		return nil
	}
	r := len(in.Shape)
	axes := make([]int, r)
	for i := range axes {
		axes[i] = i
	}
	if av, ok := c.Ints("axes"); ok && since(c) >= 18 {
		axes = axes[:0]
		for _, a := range av {
			ax, err := axis(c, a, r)
			if err != nil {
				return err
			}
			axes = append(axes, ax)
		}
	}
	scalesIn, sizesIn := 2, 3
	if since(c) < 11 {
		scalesIn, sizesIn = 1, -1
	}
	scales, hasScales := resizeInput(c, scalesIn)
	var sizes *Data
	hasSizes := false
	if sizesIn > 0 {
		sizes, hasSizes = resizeInput(c, sizesIn)
	}
	out := slices.Clone(in.Shape)
	unknown := func(msg string) error {
		for _, ax := range axes {
			out[ax] = c.Fresh()
		}
		c.SetOutput(0, Tensor(in.Elem, out))
		return c.Errorf(CodeDataDependent, "%s", msg)
	}
	switch {
	case hasScales && hasSizes:
		return c.Errorf(CodeInvalid, "only one of scales and sizes may be given")
	case hasSizes:
		if sizes == nil || sizes.Ints == nil {
			return unknown("the target sizes are computed at run time")
		}
		if len(sizes.Ints) != len(axes) {
			return c.Errorf(CodeInvalid, "%d sizes for %d axes", len(sizes.Ints), len(axes))
		}
		policy := c.String("keep_aspect_ratio_policy", "stretch")
		if since(c) < 18 || policy == "stretch" {
			for i, ax := range axes {
				out[ax] = sizes.Ints[i]
			}
			break
		}
		if policy != "not_larger" && policy != "not_smaller" {
			return c.Errorf(CodeInvalid, "unknown keep_aspect_ratio_policy %q", policy)
		}
		want, ok1 := knownInts(sizes.Ints)
		have, ok2 := knownInts(func() []Dim {
			ds := make([]Dim, len(axes))
			for i, ax := range axes {
				ds[i] = in.Shape[ax]
			}
			return ds
		}())
		if !ok1 || !ok2 {
			return unknown("the sizes or the input dims are not known")
		}
		scale := 0.0
		for i := range want {
			s := float64(want[i]) / float64(have[i])
			if i == 0 || (policy == "not_larger" && s < scale) || (policy == "not_smaller" && s > scale) {
				scale = s
			}
		}
		for i, ax := range axes {
			out[ax] = known(int64(math.Floor(scale*float64(have[i]) + 0.5)))
		}
	case hasScales:
		if scales == nil || scales.Floats == nil {
			return unknown("the scales are computed at run time")
		}
		if len(scales.Floats) != len(axes) {
			return c.Errorf(CodeInvalid, "%d scales for %d axes", len(scales.Floats), len(axes))
		}
		for i, ax := range axes {
			if scales.Floats[i] <= 0 {
				return c.Errorf(CodeInvalid, "scale %g is not positive", scales.Floats[i])
			}
			out[ax] = scaleDim(c, in.Shape[ax], scales.Floats[i])
		}
	default:
		return c.Errorf(CodeInvalid, "neither scales nor sizes is given")
	}
	c.SetOutput(0, Tensor(in.Elem, out))
	return nil
}

// inferUpsample serves Upsample-1 (height_scale, width_scale on NCHW),
// Upsample-7 (scales attribute) and Upsample-9 and 10 (scales input).
func inferUpsample(c *Ctx) error {
	in := rankedInput(c)
	if in == nil {
		return nil
	}
	r := len(in.Shape)
	var scales []float64
	switch v := since(c); {
	case v < 7:
		if r != 4 {
			return c.Errorf(CodeInvalid, "Upsample-1 needs a 4-D input, not rank %d", r)
		}
		scales = []float64{1, 1, float64(c.Float("height_scale", 1)), float64(c.Float("width_scale", 1))}
	case v < 9:
		fs, ok := c.Floats("scales")
		if !ok {
			return c.Errorf(CodeInvalid, "Upsample-7 needs the scales attribute")
		}
		for _, f := range fs {
			scales = append(scales, float64(f))
		}
	default:
		d := c.Data(1)
		if d == nil || d.Floats == nil {
			c.SetOutput(0, Tensor(in.Elem, freshShape(c, r)))
			return c.Errorf(CodeDataDependent, "the scales are computed at run time")
		}
		scales = d.Floats
	}
	if len(scales) != r {
		return c.Errorf(CodeInvalid, "%d scales for rank %d", len(scales), r)
	}
	out := make(Shape, r)
	for i, d := range in.Shape {
		if scales[i] < 1 && since(c) < 9 {
			return c.Errorf(CodeInvalid, "scale %g is below 1", scales[i])
		}
		out[i] = scaleDim(c, d, scales[i])
	}
	c.SetOutput(0, Tensor(in.Elem, out))
	return nil
}

func inferDepthToSpace(c *Ctx) error { return blocks(c, false) }

func inferSpaceToDepth(c *Ctx) error { return blocks(c, true) }

// blocks moves blocksize x blocksize blocks between depth and space on an
// NCHW input: toDepth for SpaceToDepth.
func blocks(c *Ctx, toDepth bool) error {
	in := c.Input(0)
	if in == nil {
		return nil
	}
	b := c.Int("blocksize", 0)
	if b <= 0 {
		return c.Errorf(CodeInvalid, "blocksize %d is not positive", b)
	}
	if !in.HasShape() {
		c.SetOutput(0, Tensor(in.Elem, Shape{Unknown, Unknown, Unknown, Unknown}))
		return nil
	}
	if len(in.Shape) != 4 {
		return c.Errorf(CodeInvalid, "input has rank %d, not 4", len(in.Shape))
	}
	s := in.Shape
	bb := known(b)
	sq := bb.Mul(bb)
	b2, ok := sq.Value()
	if !ok {
		return c.Errorf(CodeInvalid, "blocksize %d squared overflows int64", b)
	}
	var out Shape
	if toDepth {
		for _, d := range s[2:] {
			if v, ok := d.Value(); ok && v%b != 0 {
				return c.Errorf(CodeInvalid, "spatial size %d is not a multiple of the blocksize %d", v, b)
			}
		}
		out = Shape{s[0], s[1].Mul(sq), exactDiv(s[2], bb), exactDiv(s[3], bb)}
	} else {
		if v, ok := s[1].Value(); ok && v%b2 != 0 {
			return c.Errorf(CodeInvalid, "depth %d is not a multiple of blocksize² %d", v, b2)
		}
		out = Shape{s[0], exactDiv(s[1], sq), s[2].Mul(bb), s[3].Mul(bb)}
	}
	c.SetOutput(0, Tensor(in.Elem, out))
	return nil
}

func inferGridSample(c *Ctx) error {
	x, grid := c.Input(0), c.Input(1)
	if x == nil {
		return nil
	}
	if !x.HasShape() || !grid.HasShape() {
		var out Shape
		if x.HasShape() {
			out = make(Shape, len(x.Shape))
		} else if grid.HasShape() {
			out = make(Shape, len(grid.Shape))
		}
		c.SetOutput(0, Tensor(x.Elem, out))
		return nil
	}
	r := len(x.Shape)
	if r < 3 || (since(c) < 20 && r != 4) {
		return c.Errorf(CodeInvalid, "X has rank %d", r)
	}
	if len(grid.Shape) != r {
		return c.Errorf(CodeInvalid, "grid has rank %d, X rank %d", len(grid.Shape), r)
	}
	if v, ok := grid.Shape[r-1].Value(); ok && v != int64(r-2) {
		return c.Errorf(CodeInvalid, "grid's last dim is %d, want %d", v, r-2)
	}
	n, err := broadcastDim(c, x.Shape[0], grid.Shape[0])
	if err != nil {
		return c.Errorf(CodeInvalid, "batch sizes %v and %v differ", x.Shape[0], grid.Shape[0])
	}
	out := joinDims(Shape{n, x.Shape[1]}, grid.Shape[1:r-1])
	c.SetOutput(0, Tensor(x.Elem, out))
	return nil
}

func inferAffineGrid(c *Ctx) error {
	theta := c.Input(0)
	elem := c.Elem(0)
	size := c.Data(1)
	if size == nil || size.Ints == nil {
		if n, ok := vectorLen(c, 1); ok && (n == 4 || n == 5) {
			out := freshShape(c, n)
			out[n-1] = known(int64(n - 2))
			if theta.HasShape() && len(theta.Shape) == 3 {
				out[0] = theta.Shape[0]
			}
			c.SetOutput(0, Tensor(elem, out))
		} else {
			c.SetOutput(0, Tensor(elem, nil))
		}
		return c.Errorf(CodeDataDependent, "the grid size is computed at run time")
	}
	n := len(size.Ints)
	if n != 4 && n != 5 {
		return c.Errorf(CodeInvalid, "size has %d entries, want 4 or 5", n)
	}
	if theta.HasShape() {
		want := KnownShape(int64(n-2), int64(n-1))
		if len(theta.Shape) != 3 || (!theta.Shape[1].IsUnknown() && !theta.Shape[1].Equal(want[0])) ||
			(!theta.Shape[2].IsUnknown() && !theta.Shape[2].Equal(want[1])) {
			return c.Errorf(CodeInvalid, "theta is %v, want [N,%d,%d]", theta.Shape, n-2, n-1)
		}
	}
	out := joinDims(Shape{size.Ints[0]}, size.Ints[2:], Shape{known(int64(n - 2))})
	c.SetOutput(0, Tensor(elem, out))
	return nil
}

func inferCol2Im(c *Ctx) error {
	in := c.Input(0)
	if in == nil {
		return nil
	}
	img, blk := c.Data(1), c.Data(2)
	if img == nil || img.Ints == nil {
		if n, ok := vectorLen(c, 1); ok {
			out := freshShape(c, n+2)
			if in.HasShape() && len(in.Shape) == 3 {
				out[0] = in.Shape[0]
			}
			c.SetOutput(0, Tensor(in.Elem, out))
		} else {
			c.SetOutput(0, Tensor(in.Elem, nil))
		}
		return c.Errorf(CodeDataDependent, "image_shape is computed at run time")
	}
	k := len(img.Ints)
	if in.HasShape() && len(in.Shape) != 3 {
		return c.Errorf(CodeInvalid, "input has rank %d, not 3", len(in.Shape))
	}
	if blk != nil && blk.Ints != nil && len(blk.Ints) != k {
		return c.Errorf(CodeInvalid, "block_shape has %d entries, image_shape %d", len(blk.Ints), k)
	}
	out := make(Shape, 0, k+2)
	n, ch := Unknown, Unknown
	if in.HasShape() {
		n = in.Shape[0]
		if blk != nil && blk.Ints != nil {
			prod := known(1)
			for _, b := range blk.Ints {
				prod = prod.Mul(b)
			}
			if cv, ok := in.Shape[1].Value(); ok {
				if pv, ok := prod.Value(); ok && (pv == 0 || cv%pv != 0) {
					return c.Errorf(CodeInvalid, "channels %d are not a multiple of the block size %d", cv, pv)
				}
			}
			ch = exactDiv(in.Shape[1], prod)
		}
	}
	out = append(out, n, ch)
	out = append(out, img.Ints...)
	c.SetOutput(0, Tensor(in.Elem, out))
	return nil
}

// inferImageDecoder: [H, W, C], C from the pixel format; H and W are read
// from the image header when the encoded bytes are known.
func inferImageDecoder(c *Ctx) error {
	ch := int64(3)
	switch f := c.String("pixel_format", "RGB"); f {
	case "RGB", "BGR":
	case "Grayscale":
		ch = 1
	default:
		return c.Errorf(CodeInvalid, "unknown pixel_format %q", f)
	}
	if s, ok := c.InputShape(0); ok && len(s) != 1 {
		return c.Errorf(CodeInvalid, "encoded_stream has rank %d, not 1", len(s))
	}
	if raw, ok := c.Data(0).KnownInts(); ok {
		b := make([]byte, len(raw))
		for i, v := range raw {
			b[i] = byte(v)
		}
		if w, h, ok := imageSize(b); ok {
			c.SetOutput(0, Tensor(onnxgraph.Uint8, KnownShape(int64(h), int64(w), ch)))
			return nil
		}
	}
	c.SetOutput(0, Tensor(onnxgraph.Uint8, Shape{c.Fresh(), c.Fresh(), known(ch)}))
	return c.Errorf(CodeDataDependent, "the image size is known only when it is decoded")
}

// imageSize reads the width and height from an image header (PNG, JPEG,
// GIF, BMP).
func imageSize(b []byte) (w, h int, ok bool) {
	if len(b) >= 26 && b[0] == 'B' && b[1] == 'M' {
		w := int32(binary.LittleEndian.Uint32(b[18:]))
		h := int32(binary.LittleEndian.Uint32(b[22:]))
		return int(abs32(w)), int(abs32(h)), true
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return 0, 0, false
	}
	return cfg.Width, cfg.Height, true
}

func abs32(x int32) int32 {
	if x < 0 {
		return -x
	}
	return x
}

// inferNonMaxSuppression: [selected, 3]; the count is exact when boxes,
// scores and the limits are known (the selection is run), else fresh.
func inferNonMaxSuppression(c *Ctx) error {
	boxes, scores := c.Input(0), c.Input(1)
	if boxes.HasShape() && len(boxes.Shape) != 3 {
		return c.Errorf(CodeInvalid, "boxes have rank %d, not 3", len(boxes.Shape))
	}
	if scores.HasShape() && len(scores.Shape) != 3 {
		return c.Errorf(CodeInvalid, "scores have rank %d, not 3", len(scores.Shape))
	}
	if boxes.HasShape() {
		if v, ok := boxes.Shape[2].Value(); ok && v != 4 {
			return c.Errorf(CodeInvalid, "boxes' last dim is %d, not 4", v)
		}
	}
	if n, ok := selectBoxes(c); ok {
		c.SetOutput(0, Tensor(onnxgraph.Int64, KnownShape(int64(n), 3)))
		return nil
	}
	c.SetOutput(0, Tensor(onnxgraph.Int64, Shape{c.Fresh(), known(3)}))
	return c.Errorf(CodeDataDependent, "the number of selected boxes is known only at run time")
}

// selectBoxes runs non-max suppression on known inputs and returns the
// number of selected boxes.
func selectBoxes(c *Ctx) (int, bool) {
	bx, sc := c.Data(0), c.Data(1)
	if bx == nil || sc == nil || bx.Floats == nil || sc.Floats == nil || len(bx.Shape) != 3 || len(sc.Shape) != 3 {
		return 0, false
	}
	maxOut := int64(0)
	if c.HasInput(2) {
		v, ok := c.Data(2).KnownInts()
		if !ok || len(v) != 1 {
			return 0, false
		}
		maxOut = v[0]
	}
	iou, scoreMin := 0.0, math.Inf(-1)
	if c.HasInput(3) {
		d := c.Data(3)
		if d == nil || len(d.Floats) != 1 {
			return 0, false
		}
		iou = d.Floats[0]
	}
	if c.HasInput(4) {
		d := c.Data(4)
		if d == nil || len(d.Floats) != 1 {
			return 0, false
		}
		scoreMin = d.Floats[0]
	}
	nb, nbox := int(bx.Shape[0]), int(bx.Shape[1])
	ncls := int(sc.Shape[1])
	if int(sc.Shape[0]) != nb || int(sc.Shape[2]) != nbox || bx.Shape[2] != 4 ||
		len(bx.Floats) != nb*nbox*4 || len(sc.Floats) != nb*ncls*nbox {
		return 0, false
	}
	center := c.Int("center_point_box", 0) == 1
	corners := func(b, i int) [4]float64 {
		v := bx.Floats[(b*nbox+i)*4 : (b*nbox+i)*4+4]
		if center {
			return [4]float64{v[0] - v[2]/2, v[1] - v[3]/2, v[0] + v[2]/2, v[1] + v[3]/2}
		}
		return [4]float64{min(v[0], v[2]), min(v[1], v[3]), max(v[0], v[2]), max(v[1], v[3])}
	}
	overlap := func(a, b [4]float64) float64 {
		w := min(a[2], b[2]) - max(a[0], b[0])
		h := min(a[3], b[3]) - max(a[1], b[1])
		if w <= 0 || h <= 0 {
			return 0
		}
		inter := w * h
		union := (a[2]-a[0])*(a[3]-a[1]) + (b[2]-b[0])*(b[3]-b[1]) - inter
		if union <= 0 {
			return 0
		}
		return inter / union
	}
	total := 0
	for b := range nb {
		for k := range ncls {
			s := sc.Floats[(b*ncls+k)*nbox : (b*ncls+k+1)*nbox]
			var cand []int
			for i, v := range s {
				if v > scoreMin {
					cand = append(cand, i)
				}
			}
			sort.SliceStable(cand, func(i, j int) bool { return s[cand[i]] > s[cand[j]] })
			var kept [][4]float64
			for _, i := range cand {
				if int64(len(kept)) >= maxOut {
					break
				}
				box := corners(b, i)
				ok := true
				for _, q := range kept {
					if overlap(box, q) > iou {
						ok = false
						break
					}
				}
				if ok {
					kept = append(kept, box)
				}
			}
			total += len(kept)
		}
	}
	return total, true
}
