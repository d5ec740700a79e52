package eval

import (
	"math"
	"sort"
)

// Reductions: ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceProd,
// ReduceL1, ReduceL2, ReduceLogSum, ReduceLogSumExp, ReduceSumSquare,
// ArgMax, ArgMin, CumSum, TopK.

var reduceTable = merge(
	reduceVersions("ReduceSum", rSum, 1, 11, 13),
	reduceVersions("ReduceMean", rMean, 1, 11, 13, 18),
	reduceVersions("ReduceMax", rMax, 1, 11, 12, 13, 18, 20),
	reduceVersions("ReduceMin", rMin, 1, 11, 12, 13, 18, 20),
	reduceVersions("ReduceProd", rProd, 1, 11, 13, 18),
	reduceVersions("ReduceL1", rL1, 1, 11, 13, 18),
	reduceVersions("ReduceL2", rL2, 1, 11, 13, 18),
	reduceVersions("ReduceLogSum", rLogSum, 1, 11, 13, 18),
	reduceVersions("ReduceLogSumExp", rLogSumExp, 1, 11, 13, 18),
	reduceVersions("ReduceSumSquare", rSumSquare, 1, 11, 13, 18),
	map[key]entry{
		{onnx, "ArgMax", 1}:   k(argReduce(true), tNumeric, "axis", "keepdims"),
		{onnx, "ArgMax", 11}:  k(argReduce(true), tNumeric, "axis", "keepdims"),
		{onnx, "ArgMax", 12}:  k(argReduce(true), tNumeric, "axis", "keepdims", "select_last_index"),
		{onnx, "ArgMax", 13}:  k(argReduce(true), tNumeric, "axis", "keepdims", "select_last_index"),
		{onnx, "ArgMin", 1}:   k(argReduce(false), tNumeric, "axis", "keepdims"),
		{onnx, "ArgMin", 11}:  k(argReduce(false), tNumeric, "axis", "keepdims"),
		{onnx, "ArgMin", 12}:  k(argReduce(false), tNumeric, "axis", "keepdims", "select_last_index"),
		{onnx, "ArgMin", 13}:  k(argReduce(false), tNumeric, "axis", "keepdims", "select_last_index"),
		{onnx, "CumSum", 11}:  k(cumSum, tNumeric, "exclusive", "reverse"),
		{onnx, "CumSum", 14}:  k(cumSum, tNumeric, "exclusive", "reverse"),
		{onnx, "CumProd", 26}: k(cumProd, tNumeric, "exclusive", "reverse"),
		{onnx, "TopK", 1}:     k(topK, tNumeric, "axis", "k"),
		{onnx, "TopK", 10}:    k(topK, tNumeric, "axis"),
		{onnx, "TopK", 11}:    k(topK, tNumeric, "axis", "largest", "sorted"),
		{onnx, "TopK", 24}:    k(topK, tNumeric, "axis", "largest", "sorted"),
	},
)

// reduceVersions makes the entries of a reduction: the versions before the
// axes input (ReduceSum-13, the others' 18) take axes as an attribute.
func reduceVersions(op string, r redop, since ...int) map[key]entry {
	out := map[key]entry{}
	inputAxes := 18
	if op == "ReduceSum" {
		inputAxes = 13
	}
	for _, s := range since {
		if s < inputAxes {
			out[key{onnx, op, s}] = k(reduce(r), cat(tNumeric, tBool), "axes", "keepdims")
		} else {
			out[key{onnx, op, s}] = k(reduce(r), cat(tNumeric, tBool), "keepdims", "noop_with_empty_axes")
		}
	}
	return out
}

type redop int

const (
	rSum redop = iota
	rMean
	rMax
	rMin
	rProd
	rL1
	rL2
	rLogSum
	rLogSumExp
	rSumSquare
)

// reduction describes a reduction of x: which dims it reduces, the output
// shape, and for each input element the output element it goes to.
type reduction struct {
	shape []int // output shape
	to    []int // output offset of each input element
	n     int   // output elements
}

// reduceAxes resolves the axes argument (attribute or input) and keepdims;
// noop is true when the node reduces nothing.
func reduceAxes(c *ctx, in []*tensor) (red []bool, keep, noop bool, err error) {
	x := in[0]
	axes, ok, err := axesArg(c, in, 1)
	if err != nil {
		return nil, false, false, err
	}
	keep = c.int("keepdims") != 0
	noopEmpty := false
	if _, has := c.schema.Attribute("noop_with_empty_axes"); has {
		noopEmpty = c.int("noop_with_empty_axes") != 0
	}
	if c.err != nil {
		return nil, false, false, c.err
	}
	red = make([]bool, x.rank())
	if !ok || len(axes) == 0 {
		if noopEmpty {
			return red, keep, true, nil
		}
		for i := range red {
			red[i] = true
		}
		return red, keep, false, nil
	}
	ax, err := normAxes(axes, x.rank())
	if err != nil {
		return nil, false, false, err
	}
	for _, a := range ax {
		red[a] = true
	}
	return red, keep, false, nil
}

func newReduction(c *ctx, shape []int, red []bool, keep bool) (*reduction, error) {
	kshape := make([]int, len(shape)) // with reduced dims kept as 1
	var oshape []int
	for d, n := range shape {
		if red[d] {
			kshape[d] = 1
			if keep {
				oshape = append(oshape, 1)
			}
		} else {
			kshape[d] = n
			oshape = append(oshape, n)
		}
	}
	if oshape == nil {
		oshape = []int{}
	}
	n, err := c.check(oshape)
	if err != nil {
		return nil, err
	}
	st := stridesOf(kshape)
	tabs := make([][]int, len(shape))
	for d := range shape {
		if red[d] {
			tabs[d] = make([]int, shape[d])
		} else {
			tabs[d] = affine(shape[d], 0, st[d])
		}
	}
	return &reduction{shape: oshape, to: separable(shape, tabs, numel(shape)), n: n}, nil
}

func reduce(op redop) kernel {
	return func(c *ctx, in []*tensor) ([]*tensor, error) {
		x := in[0]
		redAxes, keep, noop, err := reduceAxes(c, in)
		if err != nil {
			return nil, err
		}
		if noop {
			return []*tensor{x}, nil
		}
		r, err := newReduction(c, x.shape, redAxes, keep)
		if err != nil {
			return nil, err
		}
		count := 1
		for d, isRed := range redAxes {
			if isRed {
				count *= x.shape[d]
			}
		}
		if isInt(x.dt) || x.dt == dtBool {
			if op == rSum || op == rMax || op == rMin || op == rProd || op == rL1 || op == rSumSquare {
				return reduceInts(x, r, op)
			}
		}
		v, err := toFloat64s(x)
		if err != nil {
			return nil, err
		}
		out := reduceFloats(v, r, op, count)
		if x.dt == dtBool {
			return []*tensor{withData(dtBool, r.shape, mapT(out, func(f float64) bool { return f != 0 }))}, nil
		}
		res, err := fromF64As(x.dt, r.shape, out)
		return []*tensor{res}, err
	}
}

func reduceFloats(v []float64, r *reduction, op redop, count int) []float64 {
	out := make([]float64, r.n)
	init := 0.0
	switch op {
	case rMax:
		init = math.Inf(-1)
	case rMin:
		init = math.Inf(1)
	case rProd:
		init = 1
	case rLogSumExp:
		// Subtract each output's maximum for stability.
		mx := make([]float64, r.n)
		for i := range mx {
			mx[i] = math.Inf(-1)
		}
		for i, x := range v {
			mx[r.to[i]] = max(mx[r.to[i]], x)
		}
		for i, x := range v {
			o := r.to[i]
			if !math.IsInf(mx[o], 0) {
				out[o] += math.Exp(x - mx[o])
			}
		}
		for i := range out {
			if math.IsInf(mx[i], 0) {
				out[i] = mx[i]
			} else {
				out[i] = mx[i] + math.Log(out[i])
			}
		}
		return out
	}
	for i := range out {
		out[i] = init
	}
	for i, x := range v {
		o := r.to[i]
		switch op {
		case rSum, rMean, rLogSum:
			out[o] += x
		case rMax:
			out[o] = max(out[o], x)
		case rMin:
			out[o] = min(out[o], x)
		case rProd:
			out[o] *= x
		case rL1:
			out[o] += math.Abs(x)
		case rL2, rSumSquare:
			out[o] += x * x
		}
	}
	for i := range out {
		switch op {
		case rMean:
			out[i] /= float64(count)
		case rL2:
			out[i] = math.Sqrt(out[i])
		case rLogSum:
			out[i] = math.Log(out[i])
		}
	}
	return out
}

// reduceInts reduces integers exactly (wrapping as the type does for sums
// and products).
func reduceInts(x *tensor, r *reduction, op redop) ([]*tensor, error) {
	if u, ok := x.data.([]uint64); ok {
		out := make([]uint64, r.n)
		initU(out, op)
		for i, v := range u {
			out[r.to[i]] = combine(out[r.to[i]], v, op)
		}
		return []*tensor{withData(x.dt, r.shape, out)}, nil
	}
	v, err := toInt64s(x)
	if err != nil {
		return nil, err
	}
	out := make([]int64, r.n)
	lo, hi := intBounds(x.dt)
	for i := range out {
		switch op {
		case rMax:
			out[i] = lo
		case rMin:
			out[i] = hi
		case rProd:
			out[i] = 1
		}
	}
	for i, e := range v {
		if op == rL1 && e < 0 {
			e = -e
		}
		out[r.to[i]] = combine(out[r.to[i]], e, op)
	}
	if x.dt == dtBool {
		return []*tensor{withData(dtBool, r.shape, mapT(out, func(v int64) bool { return v != 0 }))}, nil
	}
	return []*tensor{withData(x.dt, r.shape, intsAs(out, x.dt))}, nil
}

func initU(out []uint64, op redop) {
	for i := range out {
		switch op {
		case rMin:
			out[i] = math.MaxUint64
		case rProd:
			out[i] = 1
		}
	}
}

func combine[T int64 | uint64](acc, v T, op redop) T {
	switch op {
	case rMax:
		return max(acc, v)
	case rMin:
		return min(acc, v)
	case rProd:
		return acc * v
	case rSumSquare:
		return acc + v*v
	}
	return acc + v
}

// intBounds is the range of an integer type (bool is 0..1).
func intBounds(dt DataType) (int64, int64) {
	switch dt {
	case dtInt8:
		return math.MinInt8, math.MaxInt8
	case dtUint8:
		return 0, math.MaxUint8
	case dtInt16:
		return math.MinInt16, math.MaxInt16
	case dtUint16:
		return 0, math.MaxUint16
	case dtInt32:
		return math.MinInt32, math.MaxInt32
	case dtUint32:
		return 0, math.MaxUint32
	case dtBool:
		return 0, 1
	}
	return math.MinInt64, math.MaxInt64
}

// argReduce is ArgMax (largest) or ArgMin.
func argReduce(largest bool) kernel {
	return func(c *ctx, in []*tensor) ([]*tensor, error) {
		x := in[0]
		axis, err := normAxis(c.int("axis"), max(x.rank(), 1))
		keep := c.int("keepdims") != 0
		last := false
		if _, ok := c.schema.Attribute("select_last_index"); ok {
			last = c.int("select_last_index") != 0
		}
		if c.err != nil {
			return nil, c.err
		}
		if err != nil || x.rank() == 0 {
			return nil, invalidf("axis out of range for rank %d", x.rank())
		}
		dim := x.shape[axis]
		if dim == 0 {
			return nil, invalidf("arg reduction over an empty axis")
		}
		v, err := toFloat64s(x)
		if err != nil {
			return nil, err
		}
		if isInt(x.dt) {
			// Compare integers exactly: above 2^53 float64 would merge them.
			iv, err := toInt64s(x)
			if err == nil {
				v = nil
				return argInts(c, x, iv, axis, keep, largest, last)
			}
		}
		red := make([]bool, x.rank())
		red[axis] = true
		shape := reducedShape(x.shape, red, keep)
		outer := numel(x.shape[:axis])
		inner := numel(x.shape[axis+1:])
		out := make([]int64, outer*inner)
		for o := range outer {
			for k := range inner {
				best := 0
				bv := v[o*dim*inner+k]
				for j := 1; j < dim; j++ {
					e := v[(o*dim+j)*inner+k]
					if math.IsNaN(bv) {
						break // numpy: the first NaN wins
					}
					if math.IsNaN(e) || better(e, bv, largest, last) {
						best, bv = j, e
					}
				}
				out[o*inner+k] = int64(best)
			}
		}
		return []*tensor{withData(dtInt64, shape, out)}, nil
	}
}

func argInts(c *ctx, x *tensor, v []int64, axis int, keep, largest, last bool) ([]*tensor, error) {
	dim := x.shape[axis]
	red := make([]bool, x.rank())
	red[axis] = true
	shape := reducedShape(x.shape, red, keep)
	outer := numel(x.shape[:axis])
	inner := numel(x.shape[axis+1:])
	out := make([]int64, outer*inner)
	for o := range outer {
		for k := range inner {
			best := 0
			bv := v[o*dim*inner+k]
			for j := 1; j < dim; j++ {
				if e := v[(o*dim+j)*inner+k]; better(e, bv, largest, last) {
					best, bv = j, e
				}
			}
			out[o*inner+k] = int64(best)
		}
	}
	return []*tensor{withData(dtInt64, shape, out)}, nil
}

func better[T int64 | float64](e, b T, largest, last bool) bool {
	if largest {
		return e > b || (last && e == b)
	}
	return e < b || (last && e == b)
}

// reducedShape is shape without the reduced dims, or with them as 1.
func reducedShape(shape []int, red []bool, keep bool) []int {
	out := []int{}
	for d, n := range shape {
		switch {
		case !red[d]:
			out = append(out, n)
		case keep:
			out = append(out, 1)
		}
	}
	return out
}

func cumSum(c *ctx, in []*tensor) ([]*tensor, error) { return cumulative(c, in, false) }

func cumProd(c *ctx, in []*tensor) ([]*tensor, error) { return cumulative(c, in, true) }

// cumulative is CumSum, or CumProd when prod.
func cumulative(c *ctx, in []*tensor, prod bool) ([]*tensor, error) {
	x := in[0]
	excl := c.int("exclusive") != 0
	rev := c.int("reverse") != 0
	if c.err != nil {
		return nil, c.err
	}
	a, err := scalarInt(in[1], "axis")
	if err != nil {
		return nil, err
	}
	axis, err := normAxis(a, x.rank())
	if err != nil {
		return nil, err
	}
	dim := x.shape[axis]
	outer := numel(x.shape[:axis])
	inner := numel(x.shape[axis+1:])
	walk := func(add func(dst, src int), zero func(dst int)) {
		for o := range outer {
			for k := range inner {
				prev := -1
				for s := range dim {
					j := s
					if rev {
						j = dim - 1 - s
					}
					p := (o*dim+j)*inner + k
					switch {
					case excl && prev < 0:
						zero(p)
					case excl:
						add(p, prev) // out[p] = out[prev] + x[prev]
					case prev < 0:
						add(p, -1)
					default:
						add(p, prev)
					}
					prev = p
				}
			}
		}
	}
	switch x.data.(type) {
	case []int64, []int32, []uint32, []uint64, []int8, []int16, []uint8, []uint16:
		v, err := toInt64s(x)
		if err != nil {
			return nil, err
		}
		out := make([]int64, len(v))
		op := func(a, b int64) int64 { return a + b }
		var id int64
		if prod {
			op, id = func(a, b int64) int64 { return a * b }, 1
		}
		walk(func(dst, src int) {
			switch {
			case src < 0:
				out[dst] = v[dst]
			case excl:
				out[dst] = op(out[src], v[src])
			default:
				out[dst] = op(out[src], v[dst])
			}
		}, func(dst int) { out[dst] = id })
		return []*tensor{withData(x.dt, x.shape, intsAs(out, x.dt))}, nil
	default:
		v, err := toFloat64s(x)
		if err != nil {
			return nil, err
		}
		out := make([]float64, len(v))
		op := func(a, b float64) float64 { return a + b }
		id := 0.0
		if prod {
			op, id = func(a, b float64) float64 { return a * b }, 1
		}
		walk(func(dst, src int) {
			switch {
			case src < 0:
				out[dst] = v[dst]
			case excl:
				out[dst] = op(out[src], v[src])
			default:
				out[dst] = op(out[src], v[dst])
			}
		}, func(dst int) { out[dst] = id })
		res, err := fromF64As(x.dt, x.shape, out)
		return []*tensor{res}, err
	}
}

func topK(c *ctx, in []*tensor) ([]*tensor, error) {
	x := in[0]
	var kk int64
	if c.since() < 10 {
		kk = c.int("k")
	} else {
		v, err := scalarInt(in[1], "K")
		if err != nil {
			return nil, err
		}
		kk = v
	}
	largest := true
	if _, ok := c.schema.Attribute("largest"); ok {
		largest = c.int("largest") != 0
		c.int("sorted") // the output is sorted either way, which sorted=0 permits
	}
	axis, err := normAxis(c.int("axis"), max(x.rank(), 1))
	if c.err != nil {
		return nil, c.err
	}
	if err != nil || x.rank() == 0 {
		return nil, invalidf("axis out of range for rank %d", x.rank())
	}
	dim := x.shape[axis]
	if kk < 0 || kk > int64(dim) {
		return nil, invalidf("k %d for a dim of %d", kk, dim)
	}
	v, err := toFloat64s(x)
	if err != nil {
		return nil, err
	}
	iv, _ := toInt64s(x) // exact order for integers
	shape := append([]int{}, x.shape...)
	shape[axis] = int(kk)
	outer := numel(x.shape[:axis])
	inner := numel(x.shape[axis+1:])
	n := numel(shape)
	src := make([]int, n)
	idx := make([]int64, n)
	order := make([]int, dim)
	for o := range outer {
		for k := range inner {
			at := func(j int) int { return (o*dim+j)*inner + k }
			for j := range order {
				order[j] = j
			}
			less := func(a, b int) bool {
				pa, pb := at(order[a]), at(order[b])
				var c int
				if iv != nil {
					c = cmpNum(iv[pa], iv[pb])
				} else {
					c = cmpFloat(v[pa], v[pb])
				}
				if largest {
					c = -c
				}
				if c != 0 {
					return c < 0
				}
				return order[a] < order[b]
			}
			sort.SliceStable(order, less)
			for j := range int(kk) {
				p := (o*int(kk)+j)*inner + k
				src[p] = at(order[j])
				idx[p] = int64(order[j])
			}
		}
	}
	return []*tensor{withData(x.dt, shape, take(x.data, src)), withData(dtInt64, shape, idx)}, nil
}

func cmpNum(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// cmpFloat orders floats with NaN above everything (as numpy sorts).
func cmpFloat(a, b float64) int {
	an, bn := math.IsNaN(a), math.IsNaN(b)
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
