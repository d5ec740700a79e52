package tflite

import (
	"github.com/onnxgraph/onnxgraph"
)

// Reductions and axis-wise operators: ReduceMean/Max/Min/Sum/Prod (MEAN,
// REDUCE_MAX, REDUCE_MIN, SUM, REDUCE_PROD), ArgMax/ArgMin, Softmax and
// LogSoftmax (moving the axis last by choosing a layout).

var reduceTable = family(func(t map[key]convFunc) {
	versions(t, "ReduceMean", convReduce(opMean), 1, 11, 13, 18)
	versions(t, "ReduceMax", convReduce(opReduceMax), 1, 11, 12, 13, 18, 20)
	versions(t, "ReduceMin", convReduce(opReduceMin), 1, 11, 12, 13, 18, 20)
	versions(t, "ReduceSum", convReduce(opSum), 1, 11, 13)
	versions(t, "ReduceProd", convReduce(opReduceProd), 1, 11, 13, 18)
	versions(t, "ArgMax", convArg(opArgMax), 1, 11, 12, 13)
	versions(t, "ArgMin", convArg(opArgMin), 1, 11, 12, 13)
	versions(t, "Softmax", convSoftmax(opSoftmax), 1, 11, 13)
	versions(t, "LogSoftmax", convSoftmax(opLogSoftmax), 1, 11, 13)
})

// reduce emits op over the ONNX axes of x in x's layout.
func (c *converter) reduce(op builtin, x, out *onnxgraph.Value, axes []int, keep bool) {
	p := c.layout(x)
	ax := make([]int32, len(axes))
	drop := map[int]bool{}
	for i, a := range axes {
		ax[i] = int32(pos(p, a))
		drop[a] = true
	}
	q := p
	if !keep {
		q = dropAxes(p, drop)
	}
	c.emit(op, []int32{c.tensor(x, p), c.int32Const(out.Name()+"/axes", ax)}, []int32{c.output(out, q)}, oBool(0, keep))
}

func convReduce(op builtin) convFunc {
	return func(c *converter, n *onnxgraph.Node) error {
		x, out := n.Input(0), n.Output(0)
		r := c.rank(x)
		keep := attrInt(n, "keepdims", 1) != 0
		var axes []int64
		if a := n.Attr("axes"); a != nil {
			axes = a.GetInts()
		} else if v := in(n, 1); v != nil {
			var err error
			if axes, err = c.constInts(v, "axes"); err != nil {
				return err
			}
		}
		if len(axes) == 0 && attrInt(n, "noop_with_empty_axes", 0) != 0 {
			c.alias(x, out)
			return nil
		}
		var list []int
		seen := map[int]bool{}
		for _, a := range axes {
			na, err := normAxis(a, r)
			if err != nil {
				return err
			}
			if !seen[na] {
				seen[na] = true
				list = append(list, na)
			}
		}
		if len(axes) == 0 {
			list = identity(r)
		}
		tt, _ := c.tfType(x)
		if tt != ttFloat32 && tt != ttInt32 && !(tt == ttInt8 || tt == ttUint8) {
			return refuse("%s on %s has no TensorFlow Lite kernel", op.name, tt)
		}
		c.reduce(op, x, out, list, keep)
		return nil
	}
}

// convArg converts ArgMax and ArgMin: the result is int32 (the model's
// int64 carried as int32); keepdims adds a RESHAPE.
func convArg(op builtin) convFunc {
	return func(c *converter, n *onnxgraph.Node) error {
		x, out := n.Input(0), n.Output(0)
		xs := c.shape(x)
		a, err := normAxis(attrInt(n, "axis", 0), len(xs))
		if err != nil {
			return err
		}
		p := c.layout(x)
		ap := pos(p, a)
		xt := c.tensor(x, p)
		last := attrInt(n, "select_last_index", 0) != 0
		if last {
			// The last extremum is the first of the reversed axis.
			idx := make([]int64, xs[a])
			for i := range idx {
				idx[i] = xs[a] - 1 - int64(i)
			}
			rev := c.newTensor(out.Name()+"/reversed", c.out.tensors[xt].typ, c.tshape(xt))
			c.emit(opGather, []int32{xt, c.intConst(out.Name()+"/reverse", ttInt32, []int64{xs[a]}, idx)}, []int32{rev}, oI32(0, int64(ap)), oI32(1, 0))
			xt = rev
		}
		rs := c.tshape(xt)
		rs = append(rs[:ap], rs[ap+1:]...)
		q := dropAxes(p, map[int]bool{a: true})
		keep := attrInt(n, "keepdims", 1) != 0
		// The steps: ARG_MAX/ARG_MIN, un-reversing, restoring the axis.
		var final int32
		if keep {
			final = c.output(out, p)
		} else {
			final = c.output(out, q)
		}
		cur := c.newTensor(out.Name()+"/arg", ttInt32, rs)
		if !last && !keep {
			cur = final
		}
		c.emit(op, []int32{xt, c.int32Const(out.Name()+"/axis", []int32{int32(ap)})}, []int32{cur}, oU8(0, int64(ttInt32)))
		if last {
			next := final
			if keep {
				next = c.newTensor(out.Name()+"/forward", ttInt32, rs)
			}
			c.emit(opSub, []int32{c.scalar(out.Name()+"/end", ttInt32, float64(xs[a]-1)), cur}, []int32{next}, oU8(0, actNone))
			cur = next
		}
		if keep {
			ts := c.tshape(final)
			c.emit(opReshape, []int32{cur, c.int32Const(out.Name()+"/shape", shape32(ts))}, []int32{final}, oInts(0, shape32(ts)))
		}
		return nil
	}
}

// convSoftmax applies SOFTMAX (or LOG_SOFTMAX) on the last axis of a
// layout that puts the ONNX axis last. Before opset 13 the axis splits
// the input into a 2-D matrix; that form becomes RESHAPEs.
func convSoftmax(op builtin) convFunc {
	return func(c *converter, n *onnxgraph.Node) error {
		x, out := n.Input(0), n.Output(0)
		s := c.shape(x)
		r := len(s)
		since := c.since(n)
		def := int64(-1)
		if since < 13 {
			def = 1
		}
		a, err := normAxis(attrInt(n, "axis", def), r)
		if err != nil {
			return err
		}
		var opts []optField
		if op == opSoftmax {
			opts = []optField{oF32(0, 1)}
		}
		if since < 13 && a != r-1 {
			// Softmax over the flattened trailing axes.
			rows, cols := int64(1), int64(1)
			for i, d := range s {
				if i < a {
					rows *= d
				} else {
					cols *= d
				}
			}
			flat := c.reshape(c.tensor(x, identity(r)), []int64{rows, cols}, out.Name()+"/2d")
			sm := c.newTensor(out.Name()+"/softmax", ttFloat32, []int64{rows, cols})
			c.emit(op, []int32{flat}, []int32{sm}, opts...)
			ot := c.output(out, identity(r))
			c.emit(opReshape, []int32{sm, c.int32Const(out.Name()+"/shape", shape32(s))}, []int32{ot}, oInts(0, shape32(s)))
			return nil
		}
		p := c.layout(x)
		if pos(p, a) != r-1 {
			q := make([]int, 0, r)
			for _, d := range p {
				if d != a {
					q = append(q, d)
				}
			}
			p = append(q, a)
		}
		c.emit(op, []int32{c.tensor(x, p)}, []int32{c.output(out, p)}, opts...)
		return nil
	}
}
