package tflite

// A layout is a permutation p of a value's ONNX axes: axis i of the
// TensorFlow Lite tensor is ONNX axis p[i]. The identity keeps the ONNX
// order; channelsLast(4) = [0 2 3 1] is NHWC for an NCHW value.

func identity(r int) []int {
	p := make([]int, r)
	for i := range p {
		p[i] = i
	}
	return p
}

func isIdentity(p []int) bool {
	for i, a := range p {
		if a != i {
			return false
		}
	}
	return true
}

// channelsLast is [0, 2, ..., r-1, 1]: the channel axis moved last.
func channelsLast(r int) []int {
	if r < 3 {
		return identity(r)
	}
	p := make([]int, 0, r)
	p = append(p, 0)
	for i := 2; i < r; i++ {
		p = append(p, i)
	}
	return append(p, 1)
}

func inverse(p []int) []int {
	q := make([]int, len(p))
	for i, a := range p {
		q[a] = i
	}
	return q
}

func samePerm(a, b []int) bool {
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

// permute returns s in layout p: out[i] = s[p[i]].
func permute(s []int64, p []int) []int64 {
	out := make([]int64, len(p))
	for i, a := range p {
		out[i] = s[a]
	}
	return out
}

// pos is where ONNX axis a sits in layout p.
func pos(p []int, a int) int {
	for i, x := range p {
		if x == a {
			return i
		}
	}
	return -1
}

// transposeFor is the TRANSPOSE permutation that turns a tensor in layout
// from into layout to.
func transposeFor(from, to []int) []int {
	inv := inverse(from)
	t := make([]int, len(to))
	for i, a := range to {
		t[i] = inv[a]
	}
	return t
}

// memTrivial reports whether a value of ONNX shape s laid out as from has
// the same bytes laid out as to: the axes longer than 1 keep their order.
func memTrivial(s []int64, from, to []int) bool {
	var a, b []int
	for _, x := range from {
		if s[x] != 1 {
			a = append(a, x)
		}
	}
	for _, x := range to {
		if s[x] != 1 {
			b = append(b, x)
		}
	}
	return samePerm(a, b)
}

// dropAxes removes the ONNX axes in drop from layout p and renumbers the
// rest: the layout of a reduction without kept dims.
func dropAxes(p []int, drop map[int]bool) []int {
	var out []int
	for _, a := range p {
		if drop[a] {
			continue
		}
		n := a
		for d := range drop {
			if d < a {
				n--
			}
		}
		out = append(out, n)
	}
	return out
}

// transposeData permutes row-major data of ONNX shape s into layout p.
func transposeData[T any](data []T, s []int64, p []int) []T {
	if isIdentity(p) || len(data) <= 1 {
		return data
	}
	out := make([]T, len(data))
	w := newPermWalk(s, p)
	for o := range out {
		out[o] = data[w.next()]
	}
	return out
}

// permWalk yields, for each element of data of shape s permuted into
// layout p in output order, its index in the source.
type permWalk struct {
	ts, tstr, idx []int64 // output shape, source stride of each output axis, output position
	src           int64
	identity      bool
}

func newPermWalk(s []int64, p []int) *permWalk {
	if p == nil || isIdentity(p) {
		return &permWalk{identity: true}
	}
	r := len(s)
	strides := make([]int64, r)
	st := int64(1)
	for i := r - 1; i >= 0; i-- {
		strides[i] = st
		st *= s[i]
	}
	w := &permWalk{ts: permute(s, p), tstr: make([]int64, r), idx: make([]int64, r)}
	for i, a := range p {
		w.tstr[i] = strides[a]
	}
	return w
}

// next returns the source index of the next output element.
func (w *permWalk) next() int64 {
	cur := w.src
	if w.identity {
		w.src++
		return cur
	}
	for k := len(w.idx) - 1; k >= 0; k-- {
		w.idx[k]++
		w.src += w.tstr[k]
		if w.idx[k] < w.ts[k] {
			break
		}
		w.src -= w.tstr[k] * w.idx[k]
		w.idx[k] = 0
	}
	return cur
}
