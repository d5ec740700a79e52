package tflite

import (
	"fmt"

	"github.com/onnxgraph/onnxgraph"
)

// Shape and data movement: Reshape, Flatten, Squeeze, Unsqueeze (RESHAPE,
// keeping a channels-last layout when the reshape allows), Transpose (no
// operator: the output takes a layout), Concat, Split, Slice, Gather, Pad,
// Expand, Tile, DepthToSpace, SpaceToDepth, ConstantOfShape.

var shapeTable = family(func(t map[key]convFunc) {
	versions(t, "Reshape", convReshape, 5, 13, 14, 19, 21, 23, 24, 25)
	versions(t, "Flatten", convReshape, 1, 9, 11, 13, 21, 23, 24, 25)
	versions(t, "Squeeze", convReshape, 1, 11, 13, 21, 23, 24, 25)
	versions(t, "Unsqueeze", convReshape, 1, 11, 13, 21, 23, 24, 25)
	versions(t, "Transpose", convTranspose, 1, 13, 21, 23, 24, 25)
	versions(t, "Concat", convConcat, 4, 11, 13)
	versions(t, "Split", convSplit, 2, 11, 13, 18)
	versions(t, "Slice", convSlice, 1, 10, 11, 13)
	versions(t, "Gather", convGather, 1, 11, 13)
	versions(t, "Pad", convPad, 2, 11, 13, 18, 19, 21, 23, 24, 25)
	versions(t, "Expand", convExpand, 8, 13)
	versions(t, "Tile", convTile, 6, 13)
	versions(t, "DepthToSpace", convDepthToSpace, 1, 11, 13)
	versions(t, "SpaceToDepth", convSpaceToDepth, 1, 13)
	versions(t, "ConstantOfShape", convConstantOfShape, 9, 20, 21, 23, 24, 25)
})

// convReshape converts every reshape-like node from the static shapes.
func convReshape(c *converter, n *onnxgraph.Node) error {
	x, out := n.Input(0), n.Output(0)
	if cv := c.konst(x); cv != nil {
		c.consts[out] = reshaped(cv, c.shape(out))
		return nil
	}
	xs, os := c.shape(x), c.shape(out)
	p := c.layout(x)
	var q []int
	switch {
	case memTrivial(xs, p, identity(len(xs))):
		q = identity(len(os))
	default:
		q = reshapeLayout(xs, os, p)
	}
	if q == nil {
		if kp := c.flattenIntoFC(xs, os, p, out); kp != nil {
			// Flatten before a fully connected layer: the weights'
			// input axis is permuted instead of the data.
			ot := c.output(out, identity(2))
			c.kperm[out] = kp
			c.emit(opReshape, []int32{c.tensor(x, p), c.int32Const(out.Name()+"/shape", shape32(os))}, []int32{ot}, oInts(0, shape32(os)))
			return nil
		}
		q, p = identity(len(os)), identity(len(xs))
	}
	xt := c.tensor(x, p)
	ts := permute(os, q)
	if samePerm64(c.tshape(xt), ts) {
		c.define(out, xt, q)
		return nil
	}
	ot := c.output(out, q)
	c.emit(opReshape, []int32{xt, c.int32Const(out.Name()+"/shape", shape32(ts))}, []int32{ot}, oInts(0, shape32(ts)))
	return nil
}

// flattenIntoFC returns, for a reshape of x (ONNX shape xs, layout p) to
// [N, K] read only as the input of FULLY_CONNECTED layers with constant
// weights, the ONNX index along K of each element of the flattened
// channels-last tensor; nil when the reshape is not of that kind.
func (c *converter) flattenIntoFC(xs, os []int64, p []int, out *onnxgraph.Value) []int64 {
	if len(os) != 2 || len(xs) < 3 || p[0] != 0 || xs[0] != os[0] || out.IsGraphOutput() || out.NumUses() == 0 {
		return nil
	}
	for _, u := range out.Uses() {
		n := u.Node
		if u.Index != 0 || n.Domain() != "" {
			return nil
		}
		b := c.konst(in(n, 1))
		switch {
		case n.OpType() == "MatMul" && b != nil && len(b.shape) == 2 && b.isFloat():
		case n.OpType() == "Gemm" && b != nil && b.isFloat() && attrInt(n, "transA", 0) == 0:
		default:
			return nil
		}
	}
	rest := xs[1:]
	idx := make([]int64, onnxgraph.NumElements(rest))
	for i := range idx {
		idx[i] = int64(i)
	}
	rp := make([]int, len(p)-1)
	for i := range rp {
		rp[i] = p[i+1] - 1
	}
	return transposeData(idx, rest, rp)
}

// permuteK reorders the input axis (columns) of FC weights w [n, k] for a
// flattened input whose element j is ONNX element kp[j].
func permuteK(w []float32, n, k int64, kp []int64) []float32 {
	if kp == nil {
		return w
	}
	out := make([]float32, len(w))
	for r := int64(0); r < n; r++ {
		for j, src := range kp {
			out[r*k+int64(j)] = w[r*k+src]
		}
	}
	return out
}

func samePerm64(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// reshapeLayout finds a layout for the output of a reshape from xs to os
// whose input is in layout p, such that a RESHAPE of the input's tensor
// gives it: the reshape must only merge or split axes that p keeps
// together and in order. nil when there is none.
func reshapeLayout(xs, os []int64, p []int) []int {
	var ia, oa []int
	for i, d := range xs {
		if d != 1 {
			ia = append(ia, i)
		}
	}
	for i, d := range os {
		if d != 1 {
			oa = append(oa, i)
		}
	}
	// Groups of input and output axes with equal products.
	type group struct{ in, out []int }
	var groups []group
	i, j := 0, 0
	for i < len(ia) || j < len(oa) {
		if i >= len(ia) || j >= len(oa) {
			return nil
		}
		g := group{in: []int{ia[i]}, out: []int{oa[j]}}
		pi, po := xs[ia[i]], os[oa[j]]
		i, j = i+1, j+1
		for pi != po {
			if pi < po {
				if i >= len(ia) {
					return nil
				}
				g.in = append(g.in, ia[i])
				pi *= xs[ia[i]]
				i++
			} else {
				if j >= len(oa) {
					return nil
				}
				g.out = append(g.out, oa[j])
				po *= os[oa[j]]
				j++
			}
		}
		groups = append(groups, g)
	}
	// The order of the groups in p; each group's axes contiguous and in order.
	groupOf := map[int]int{}
	for k, g := range groups {
		for _, a := range g.in {
			groupOf[a] = k
		}
	}
	var order []int
	var seq []int
	for _, a := range p {
		if xs[a] == 1 {
			continue
		}
		seq = append(seq, a)
	}
	for k := 0; k < len(seq); {
		g := groups[groupOf[seq[k]]]
		for m, a := range g.in {
			if k+m >= len(seq) || seq[k+m] != a {
				return nil
			}
		}
		order = append(order, groupOf[seq[k]])
		k += len(g.in)
	}
	q := make([]int, 0, len(os))
	for _, k := range order {
		q = append(q, groups[k].out...)
	}
	// Axes of size 1 go anywhere: right after the axis before them.
	for a := 0; a < len(os); a++ {
		if os[a] != 1 {
			continue
		}
		at := 0
		if a > 0 {
			at = pos(q, a-1) + 1
		}
		q = append(q[:at], append([]int{a}, q[at:]...)...)
	}
	return q
}

// convTranspose gives the output a layout instead of moving data.
func convTranspose(c *converter, n *onnxgraph.Node) error {
	x, out := n.Input(0), n.Output(0)
	r := c.rank(x)
	t := attrInts(n, "perm", nil)
	if t == nil {
		for i := r - 1; i >= 0; i-- {
			t = append(t, int64(i))
		}
	}
	if len(t) != r {
		return refuse("perm has %d entries for rank %d", len(t), r)
	}
	tp := make([]int, r)
	for i, a := range t {
		tp[i] = int(a)
	}
	if cv := c.konst(x); cv != nil {
		nc := &cval{dt: cv.dt, shape: permute(cv.shape, tp)}
		if cv.isFloat() {
			nc.f = transposeData(cv.f, cv.shape, tp)
		} else {
			nc.i = transposeData(cv.i, cv.shape, tp)
		}
		c.consts[out] = nc
		return nil
	}
	tv := c.vals[x]
	inv := inverse(tp)
	q := make([]int, r)
	for i, a := range tv.perm {
		q[i] = inv[a]
	}
	c.define(out, tv.idx, q)
	return nil
}

// common picks the layout of the first computed input of rank r.
func (c *converter) common(ins []*onnxgraph.Value, r int) []int {
	for _, v := range ins {
		if v != nil && c.konst(v) == nil && c.rank(v) == r {
			return c.layout(v)
		}
	}
	return identity(r)
}

func convConcat(c *converter, n *onnxgraph.Node) error {
	out := n.Output(0)
	r := c.rank(out)
	a, err := normAxis(attrInt(n, "axis", 0), r)
	if err != nil {
		return err
	}
	var ins []*onnxgraph.Value
	for _, v := range n.Inputs() {
		if v != nil && (c.shape(v)[a] != 0) {
			ins = append(ins, v)
		}
	}
	if len(ins) == 1 {
		c.alias(ins[0], out)
		return nil
	}
	p := c.common(ins, r)
	ts := make([]int32, len(ins))
	for i, v := range ins {
		ts[i] = c.tensor(v, p)
	}
	c.emit(opConcat, ts, []int32{c.output(out, p)}, oI32(0, int64(pos(p, a))), oU8(1, actNone))
	return nil
}

func convSplit(c *converter, n *onnxgraph.Node) error {
	x := n.Input(0)
	r := c.rank(x)
	a, err := normAxis(attrInt(n, "axis", 0), r)
	if err != nil {
		return err
	}
	sizes := make([]int32, n.NumOutputs())
	for i, v := range n.Outputs() {
		if v == nil {
			return refuse("Split with an absent output")
		}
		sizes[i] = int32(c.shape(v)[a])
	}
	p := c.layout(x)
	outs := make([]int32, n.NumOutputs())
	for i, v := range n.Outputs() {
		outs[i] = c.output(v, p)
	}
	c.emit(opSplitV, []int32{c.tensor(x, p), c.int32Const(x.Name()+"/sizes", sizes), c.scalar("axis", ttInt32, float64(pos(p, a)))}, outs, oI32(0, int64(len(outs))))
	return nil
}

// sliceParams resolves ONNX Slice starts, ends, axes and steps per axis.
func (c *converter) sliceParams(n *onnxgraph.Node, s []int64) (start, end, step []int64, err error) {
	r := len(s)
	var starts, ends, axes, steps []int64
	if n.NumInputs() == 1 {
		starts, ends, axes = attrInts(n, "starts", nil), attrInts(n, "ends", nil), attrInts(n, "axes", nil)
	} else {
		if starts, err = c.constInts(n.Input(1), "starts"); err != nil {
			return
		}
		if ends, err = c.constInts(n.Input(2), "ends"); err != nil {
			return
		}
		if v := in(n, 3); v != nil {
			if axes, err = c.constInts(v, "axes"); err != nil {
				return
			}
		}
		if v := in(n, 4); v != nil {
			if steps, err = c.constInts(v, "steps"); err != nil {
				return
			}
		}
	}
	start, end, step = make([]int64, r), append([]int64{}, s...), make([]int64, r)
	for i := range step {
		step[i] = 1
	}
	for k := range starts {
		ax := int64(k)
		if axes != nil {
			ax = axes[k]
		}
		a, e := normAxis(ax, r)
		if e != nil {
			return nil, nil, nil, e
		}
		st := int64(1)
		if steps != nil {
			st = steps[k]
		}
		if st == 0 {
			return nil, nil, nil, refuse("Slice step 0")
		}
		d := s[a]
		b, en := starts[k], ends[k]
		if b < 0 {
			b += d
		}
		if en < 0 {
			en += d
		}
		if st > 0 {
			b, en = max(0, min(b, d)), max(0, min(en, d))
		} else {
			b, en = max(-1, min(b, d-1)), max(-1, min(en, d-1))
		}
		start[a], end[a], step[a] = b, en, st
	}
	return start, end, step, nil
}

func convSlice(c *converter, n *onnxgraph.Node) error {
	x, out := n.Input(0), n.Output(0)
	xs := c.shape(x)
	start, end, step, err := c.sliceParams(n, xs)
	if err != nil {
		return err
	}
	p := c.layout(x)
	c.stridedSlice(c.tensor(x, p), c.output(out, p), start, end, step, p, out.Name())
	return nil
}

// stridedSlice emits a STRIDED_SLICE with ONNX per-axis bounds laid out
// in p; an end of -1 with a negative step runs to the start (end_mask).
func (c *converter) stridedSlice(x, out int32, start, end, step []int64, p []int, name string) {
	r := len(p)
	b, e, s := make([]int32, r), make([]int32, r), make([]int32, r)
	var mask int64
	for i, a := range p {
		b[i], e[i], s[i] = int32(start[a]), int32(end[a]), int32(step[a])
		if step[a] < 0 && end[a] < 0 {
			mask |= 1 << i
			e[i] = 0
		}
	}
	c.emit(opStridedSlice, []int32{x, c.int32Const(name+"/begin", b), c.int32Const(name+"/end", e), c.int32Const(name+"/strides", s)}, []int32{out}, stridedOpts(mask)...)
}

func convGather(c *converter, n *onnxgraph.Node) error {
	x, idx, out := n.Input(0), n.Input(1), n.Output(0)
	xs := c.shape(x)
	a, err := normAxis(attrInt(n, "axis", 0), len(xs))
	if err != nil {
		return err
	}
	qr := c.rank(idx)
	var it int32
	if cv := c.konst(idx); cv != nil {
		vals := make([]int64, cv.numel())
		for i, v := range cv.ints() {
			if v < 0 {
				v += xs[a]
			}
			vals[i] = v
		}
		it = c.intConst(idx.Name(), ttInt32, cv.shape, vals)
	} else {
		// Negative indices count from the end: FLOOR_MOD by the axis size.
		raw := c.tensor(idx, identity(qr))
		it = c.newTensor(idx.Name()+"/wrapped", c.out.tensors[raw].typ, c.tshape(raw))
		c.emit(opFloorMod, []int32{raw, c.scalar("dim", c.out.tensors[raw].typ, float64(xs[a]))}, []int32{it})
	}
	p := c.layout(x)
	ap := pos(p, a)
	var q []int
	for i, d := range p {
		switch {
		case i == ap:
			for k := 0; k < qr; k++ {
				q = append(q, a+k)
			}
		case d < a:
			q = append(q, d)
		default:
			q = append(q, d+qr-1)
		}
	}
	c.emit(opGather, []int32{c.tensor(x, p), it}, []int32{c.output(out, q)}, oI32(0, int64(ap)), oI32(1, 0))
	return nil
}

func convPad(c *converter, n *onnxgraph.Node) error {
	x, out := n.Input(0), n.Output(0)
	xs := c.shape(x)
	r := len(xs)
	mode := attrString(n, "mode", "constant")
	var pads []int64
	value := float64(attrFloat(n, "value", 0))
	if n.NumInputs() == 1 {
		pads = attrInts(n, "pads", nil)
	} else {
		var err error
		if pads, err = c.constInts(n.Input(1), "pads"); err != nil {
			return err
		}
		if v := in(n, 2); v != nil {
			cv := c.konst(v)
			if cv == nil {
				return refuse("constant_value %q must be a constant", v.Name())
			}
			if cv.numel() > 0 {
				value = cv.float64s()[0]
			}
		}
	}
	axes := make([]int, r)
	for i := range axes {
		axes[i] = i
	}
	if v := in(n, 3); v != nil {
		ax, err := c.constInts(v, "axes")
		if err != nil {
			return err
		}
		axes = axes[:0]
		for _, a := range ax {
			na, err := normAxis(a, r)
			if err != nil {
				return err
			}
			axes = append(axes, na)
		}
	}
	if len(pads) != 2*len(axes) {
		return refuse("pads has %d entries for %d axes", len(pads), len(axes))
	}
	pb, pe := make([]int64, r), make([]int64, r)
	for k, a := range axes {
		pb[a], pe[a] = pads[k], pads[len(axes)+k]
	}
	p := c.layout(x)
	xt := c.tensor(x, p)
	name := out.Name()
	// Negative pads crop: pad by the positive parts, then slice.
	crop := false
	pos2 := make([][2]int64, r)
	for i, a := range p {
		pos2[i] = [2]int64{max(pb[a], 0), max(pe[a], 0)}
		if pb[a] < 0 || pe[a] < 0 {
			crop = true
		}
	}
	padded := make([]int64, r)
	for a := range xs {
		padded[a] = xs[a] + max(pb[a], 0) + max(pe[a], 0)
	}
	var target int32
	if crop {
		target = c.newTensor(name+"/padded", c.out.tensors[xt].typ, permute(padded, p))
	} else {
		target = c.output(out, p)
	}
	switch mode {
	case "constant":
		pc := c.padsConst(name+"/pads", pos2)
		tt := c.out.tensors[xt].typ
		if value == 0 {
			c.emit(opPad, []int32{xt, pc}, []int32{target})
		} else {
			c.emit(opPadV2, []int32{xt, pc, c.scalar(name+"/value", tt, value)}, []int32{target})
		}
	case "reflect":
		for i, a := range p {
			if pos2[i][0] >= xs[a] || pos2[i][1] >= xs[a] {
				return refuse("reflect pad of %d on an axis of size %d", max(pos2[i][0], pos2[i][1]), xs[a])
			}
		}
		c.emit(opMirrorPad, []int32{xt, c.padsConst(name+"/pads", pos2)}, []int32{target}, oU8(0, mirrorReflect))
	case "edge":
		cur := xt
		curShape := permute(xs, p)
		var last int
		for i := range p {
			if pos2[i] != [2]int64{} {
				last = i
			}
		}
		for i := range p {
			if pos2[i] == [2]int64{} {
				continue
			}
			d := curShape[i]
			idx := make([]int64, 0, d+pos2[i][0]+pos2[i][1])
			for k := int64(0); k < pos2[i][0]; k++ {
				idx = append(idx, 0)
			}
			for k := int64(0); k < d; k++ {
				idx = append(idx, k)
			}
			for k := int64(0); k < pos2[i][1]; k++ {
				idx = append(idx, d-1)
			}
			curShape[i] = int64(len(idx))
			next := target
			if i != last {
				next = c.newTensor(fmt.Sprintf("%s/edge%d", name, i), c.out.tensors[xt].typ, append([]int64{}, curShape...))
			}
			c.emit(opGather, []int32{cur, c.intConst(name+"/edge_index", ttInt32, []int64{int64(len(idx))}, idx)}, []int32{next}, oI32(0, int64(i)), oI32(1, 0))
			cur = next
		}
		if cur == xt {
			c.emit(opReshape, []int32{xt, c.int32Const(name+"/shape", shape32(curShape))}, []int32{target}, oInts(0, shape32(curShape)))
		}
	default:
		return refuse("pad mode %q is not supported", mode)
	}
	if crop {
		start, end, step := make([]int64, r), make([]int64, r), make([]int64, r)
		for a := range xs {
			start[a] = -min(pb[a], 0)
			end[a] = padded[a] + min(pe[a], 0)
			step[a] = 1
		}
		c.stridedSlice(target, c.output(out, p), start, end, step, p, name+"/crop")
	}
	return nil
}

func convExpand(c *converter, n *onnxgraph.Node) error {
	x, out := n.Input(0), n.Output(0)
	os := c.shape(out)
	r := len(os)
	p := identity(r)
	if c.konst(x) == nil && c.rank(x) == r {
		p = c.layout(x)
	}
	xt := c.tensorAtRank(x, r, p)
	if xs := c.tshape(xt); len(xs) < r {
		xt = c.reshape(xt, expandShape(xs, r), out.Name()+"/rank")
	}
	ts := permute(os, p)
	if samePerm64(c.tshape(xt), ts) {
		if c.konst(x) != nil {
			c.consts[out] = reshaped(c.konst(x), os)
			return nil
		}
		c.define(out, xt, p)
		return nil
	}
	// TILE the axes of size 1 (BROADCAST_TO is missing from some runtimes).
	xsh := c.tshape(xt)
	m := make([]int32, len(ts))
	for i := range ts {
		m[i] = int32(ts[i] / max(xsh[i], 1))
	}
	c.emit(opTile, []int32{xt, c.int32Const(out.Name()+"/multiples", m)}, []int32{c.output(out, p)})
	return nil
}

func convTile(c *converter, n *onnxgraph.Node) error {
	x, out := n.Input(0), n.Output(0)
	reps, err := c.constInts(n.Input(1), "repeats")
	if err != nil {
		return err
	}
	p := c.layout(x)
	m := make([]int32, len(p))
	for i, a := range p {
		m[i] = int32(reps[a])
	}
	c.emit(opTile, []int32{c.tensor(x, p), c.int32Const(out.Name()+"/multiples", m)}, []int32{c.output(out, p)})
	return nil
}

func convDepthToSpace(c *converter, n *onnxgraph.Node) error {
	x, out := n.Input(0), n.Output(0)
	xs := c.shape(x)
	if len(xs) != 4 {
		return refuse("input of rank %d, want 4", len(xs))
	}
	b := attrInt(n, "blocksize", 0)
	xt := c.tensor(x, channelsLast(4))
	if attrString(n, "mode", "DCR") == "CRD" {
		// DEPTH_TO_SPACE reads channels in DCR order: reorder them first.
		cc := xs[1] / (b * b)
		idx := make([]int64, xs[1])
		for i := int64(0); i < b*b; i++ {
			for ch := int64(0); ch < cc; ch++ {
				idx[i*cc+ch] = ch*b*b + i
			}
		}
		g := c.newTensor(out.Name()+"/dcr", ttFloat32, c.tshape(xt))
		c.out.tensors[g].typ = c.out.tensors[xt].typ
		c.emit(opGather, []int32{xt, c.intConst(out.Name()+"/dcr_index", ttInt32, []int64{xs[1]}, idx)}, []int32{g}, oI32(0, 3), oI32(1, 0))
		xt = g
	}
	c.emit(opDepthToSpace, []int32{xt}, []int32{c.output(out, channelsLast(4))}, oI32(0, b))
	return nil
}

func convSpaceToDepth(c *converter, n *onnxgraph.Node) error {
	x, out := n.Input(0), n.Output(0)
	if c.rank(x) != 4 {
		return refuse("input of rank %d, want 4", c.rank(x))
	}
	c.emit(opSpaceToDepth, []int32{c.tensor(x, channelsLast(4))}, []int32{c.output(out, channelsLast(4))}, oI32(0, attrInt(n, "blocksize", 0)))
	return nil
}

// convConstantOfShape folds: the shape is static, so the value is known.
func convConstantOfShape(c *converter, n *onnxgraph.Node) error {
	out := n.Output(0)
	s := c.shape(out)
	cv := &cval{dt: onnxgraph.Float, shape: s, f: []float32{0}}
	if a := n.Attr("value"); a != nil && a.GetT() != nil {
		v, err := tensorCval(c.m.TensorOf(a.GetT()))
		if err != nil {
			return err
		}
		cv = &cval{dt: v.dt, shape: s, f: v.f, i: v.i}
	}
	total := onnxgraph.NumElements(s)
	if cv.isFloat() {
		f := make([]float32, total)
		for i := range f {
			f[i] = cv.f[0]
		}
		cv.f = f
	} else {
		v := make([]int64, total)
		for i := range v {
			v[i] = cv.i[0]
		}
		cv.i = v
	}
	c.consts[out] = cv
	return nil
}
