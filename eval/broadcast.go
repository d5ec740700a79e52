package eval

// Broadcasting is resolved once per kernel call: each input gets strides
// over the output's dims (0 along a broadcast dim), and loops walk the
// output with an odometer over the outer dims and a strided inner loop.

// broadcastShapes returns the multidirectional (numpy) broadcast of shapes.
func broadcastShapes(shapes ...[]int) ([]int, error) {
	rank := 0
	for _, s := range shapes {
		rank = max(rank, len(s))
	}
	out := make([]int, rank)
	for i := range out {
		out[i] = 1
	}
	for _, s := range shapes {
		off := rank - len(s)
		for i, d := range s {
			o := out[off+i]
			switch {
			case d == o || d == 1:
			case o == 1:
				out[off+i] = d
			default:
				return nil, invalidf("shapes %s do not broadcast", shapesString(shapes))
			}
		}
	}
	return out, nil
}

func shapesString(shapes [][]int) string {
	s := ""
	for i, sh := range shapes {
		if i > 0 {
			s += " and "
		}
		s += shapeString(sh)
	}
	return s
}

// stridesOf returns the row-major strides of shape.
func stridesOf(shape []int) []int {
	st := make([]int, len(shape))
	n := 1
	for i := len(shape) - 1; i >= 0; i-- {
		st[i] = n
		n *= shape[i]
	}
	return st
}

// bstrides returns the strides of an input of shape in over the dims of
// out (which it broadcasts to): 0 along dims it repeats.
func bstrides(in, out []int) []int {
	st := make([]int, len(out))
	off := len(out) - len(in)
	n := 1
	for i := len(in) - 1; i >= 0; i-- {
		if in[i] != 1 {
			st[off+i] = n
		}
		n *= in[i]
	}
	return st
}

// odometer walks the outer dims of shape (all but the last), keeping the
// offsets of several inputs with their strides.
type odometer struct {
	shape   []int
	strides [][]int
	idx     []int
	off     []int
}

func newOdometer(shape []int, strides ...[]int) *odometer {
	return &odometer{shape: shape, strides: strides, idx: make([]int, len(shape)), off: make([]int, len(strides))}
}

// next advances past one inner row.
func (o *odometer) next() {
	for d := len(o.shape) - 2; d >= 0; d-- {
		o.idx[d]++
		for k, st := range o.strides {
			o.off[k] += st[d]
		}
		if o.idx[d] < o.shape[d] {
			return
		}
		for k, st := range o.strides {
			o.off[k] -= st[d] * o.shape[d]
		}
		o.idx[d] = 0
	}
}

// binaryLoop sets out[i] = f(a[ia], b[ib]) over the broadcast shape oshape.
func binaryLoop[A, B, R any](out []R, oshape []int, a []A, ashape []int, b []B, bshape []int, f func(A, B) R) {
	switch {
	case len(out) == 0:
		return
	case len(a) == len(out) && len(b) == len(out):
		for i := range out {
			out[i] = f(a[i], b[i])
		}
		return
	case len(a) == len(out) && len(b) == 1:
		y := b[0]
		for i := range out {
			out[i] = f(a[i], y)
		}
		return
	case len(a) == 1 && len(b) == len(out):
		x := a[0]
		for i := range out {
			out[i] = f(x, b[i])
		}
		return
	}
	if len(oshape) == 0 {
		out[0] = f(a[0], b[0])
		return
	}
	sa, sb := bstrides(ashape, oshape), bstrides(bshape, oshape)
	r := len(oshape) - 1
	inner, ia, ib := oshape[r], sa[r], sb[r]
	od := newOdometer(oshape, sa, sb)
	for o := 0; o < len(out); o += inner {
		pa, pb := od.off[0], od.off[1]
		row := out[o : o+inner]
		for k := range row {
			row[k] = f(a[pa], b[pb])
			pa += ia
			pb += ib
		}
		od.next()
	}
}

// offsets returns, for each element of the broadcast shape oshape, the
// offset of the element of an input of shape in that it reads.
func offsets(in, oshape []int, n int) []int {
	out := make([]int, n)
	if n == 0 {
		return out
	}
	if numel(in) == n {
		for i := range out {
			out[i] = i
		}
		return out
	}
	if len(oshape) == 0 {
		return out
	}
	st := bstrides(in, oshape)
	r := len(oshape) - 1
	inner, s := oshape[r], st[r]
	od := newOdometer(oshape, st)
	for o := 0; o < n; o += inner {
		p := od.off[0]
		for k := range inner {
			out[o+k] = p
			p += s
		}
		od.next()
	}
	return out
}

// broadcastTo checks that shape in broadcasts to out unidirectionally.
func broadcastsTo(in, out []int) bool {
	if len(in) > len(out) {
		return false
	}
	off := len(out) - len(in)
	for i, d := range in {
		if d != 1 && d != out[off+i] {
			return false
		}
	}
	return true
}
