package eval

import (
	"strings"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// Linear algebra: MatMul, Gemm, Einsum, MatMulInteger, Det. Float32 and
// float64 products run through gonum's BLAS (float16 and bfloat16 in
// float32, rounded once); integer products are exact loops in int64 that
// wrap as the type does.

var linalgTable = map[key]entry{
	{onnx, "MatMul", 1}:         k(matmul, tMatMul),
	{onnx, "MatMul", 9}:         k(matmul, tMatMul),
	{onnx, "MatMul", 13}:        k(matmul, tMatMul),
	{onnx, "Gemm", 1}:           k(gemm, tMatMul, "alpha", "beta", "broadcast", "transA", "transB"),
	{onnx, "Gemm", 6}:           k(gemm, tMatMul, "alpha", "beta", "broadcast", "transA", "transB"),
	{onnx, "Gemm", 7}:           k(gemm, tMatMul, "alpha", "beta", "transA", "transB"),
	{onnx, "Gemm", 9}:           k(gemm, tMatMul, "alpha", "beta", "transA", "transB"),
	{onnx, "Gemm", 11}:          k(gemm, tMatMul, "alpha", "beta", "transA", "transB"),
	{onnx, "Gemm", 13}:          k(gemm, tMatMul, "alpha", "beta", "transA", "transB"),
	{onnx, "Einsum", 12}:        k(einsum, tNumeric, "equation"),
	{onnx, "MatMulInteger", 10}: k(matmulInteger, []DataType{dtInt8, dtUint8}),
	{onnx, "Det", 11}:           k(det, tFloats),
	{onnx, "Det", 22}:           k(det, tFloats),
}

var tMatMul = []DataType{dtFloat, dtDouble, dtFloat16, dtBFloat16, dtInt32, dtInt64, dtUint32, dtUint64}

// gemmF32 sets c = alpha·op(a)·op(b) + beta·c for row-major matrices, op
// transposing when asked; op(a) is m×k, op(b) k×n.
func gemmF32(ta, tb bool, m, n, kk int, alpha float32, a, b []float32, beta float32, c []float32) {
	if m == 0 || n == 0 {
		return
	}
	if kk == 0 {
		for i := range c[:m*n] {
			c[i] *= beta
		}
		return
	}
	A := blas32.General{Rows: m, Cols: kk, Stride: kk, Data: a}
	if ta {
		A = blas32.General{Rows: kk, Cols: m, Stride: m, Data: a}
	}
	B := blas32.General{Rows: kk, Cols: n, Stride: n, Data: b}
	if tb {
		B = blas32.General{Rows: n, Cols: kk, Stride: kk, Data: b}
	}
	blas32.Gemm(trans(ta), trans(tb), alpha, A, B, beta, blas32.General{Rows: m, Cols: n, Stride: n, Data: c})
}

func gemmF64(ta, tb bool, m, n, kk int, alpha float64, a, b []float64, beta float64, c []float64) {
	if m == 0 || n == 0 {
		return
	}
	if kk == 0 {
		for i := range c[:m*n] {
			c[i] *= beta
		}
		return
	}
	A := blas64.General{Rows: m, Cols: kk, Stride: kk, Data: a}
	if ta {
		A = blas64.General{Rows: kk, Cols: m, Stride: m, Data: a}
	}
	B := blas64.General{Rows: kk, Cols: n, Stride: n, Data: b}
	if tb {
		B = blas64.General{Rows: n, Cols: kk, Stride: kk, Data: b}
	}
	blas64.Gemm(trans(ta), trans(tb), alpha, A, B, beta, blas64.General{Rows: m, Cols: n, Stride: n, Data: c})
}

func trans(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

// gemmInt is gemmF32 for integers held as int64.
func gemmInt(ta, tb bool, m, n, kk int, alpha int64, a, b []int64, beta int64, c []int64) {
	for i := range m {
		for j := range n {
			var s int64
			for p := range kk {
				ai := i*kk + p
				if ta {
					ai = p*m + i
				}
				bi := p*n + j
				if tb {
					bi = j*kk + p
				}
				s += a[ai] * b[bi]
			}
			c[i*n+j] = alpha*s + beta*c[i*n+j]
		}
	}
}

func matmul(c *ctx, in []*tensor) ([]*tensor, error) {
	out, err := matmulT(c, in[0], in[1])
	return []*tensor{out}, err
}

// matmulT is numpy's matmul: 1-D operands are promoted and the batch dims
// broadcast.
func matmulT(c *ctx, a, b *tensor) (*tensor, error) {
	if a.dt != b.dt {
		return nil, invalidf("operands of types %s and %s", typeName(a.dt), typeName(b.dt))
	}
	if a.rank() == 0 || b.rank() == 0 {
		return nil, invalidf("matmul of a scalar")
	}
	as, bs := a.shape, b.shape
	if len(as) == 1 {
		as = []int{1, as[0]}
	}
	if len(bs) == 1 {
		bs = []int{bs[0], 1}
	}
	m, kk, n := as[len(as)-2], as[len(as)-1], bs[len(bs)-1]
	if bs[len(bs)-2] != kk {
		return nil, invalidf("shapes %s and %s do not multiply", shapeString(a.shape), shapeString(b.shape))
	}
	batch, err := broadcastShapes(as[:len(as)-2], bs[:len(bs)-2])
	if err != nil {
		return nil, err
	}
	shape := append(append([]int{}, batch...), m, n)
	nb, err := c.check(batch)
	if err != nil {
		return nil, err
	}
	if _, err := c.check(shape); err != nil {
		return nil, err
	}
	oa, ob := offsets(as[:len(as)-2], batch, nb), offsets(bs[:len(bs)-2], batch, nb)
	var data any
	switch x := a.data.(type) {
	case []float32:
		y := b.data.([]float32)
		out := make([]float32, nb*m*n)
		for i := range nb {
			gemmF32(false, false, m, n, kk, 1, x[oa[i]*m*kk:], y[ob[i]*kk*n:], 0, out[i*m*n:])
		}
		data = out
	case []float64:
		y := b.data.([]float64)
		out := make([]float64, nb*m*n)
		for i := range nb {
			gemmF64(false, false, m, n, kk, 1, x[oa[i]*m*kk:], y[ob[i]*kk*n:], 0, out[i*m*n:])
		}
		data = out
	default:
		x64, err := toInt64s(a)
		if err != nil {
			return nil, err
		}
		y64, err := toInt64s(b)
		if err != nil {
			return nil, err
		}
		out := make([]int64, nb*m*n)
		for i := range nb {
			gemmInt(false, false, m, n, kk, 1, x64[oa[i]*m*kk:], y64[ob[i]*kk*n:], 0, out[i*m*n:])
		}
		data = intsAs(out, a.dt)
	}
	// Drop the promoted dims again.
	switch {
	case a.rank() == 1 && b.rank() == 1:
		shape = batch
	case a.rank() == 1:
		shape = append(append([]int{}, batch...), n)
	case b.rank() == 1:
		shape = append(append([]int{}, batch...), m)
	}
	return withData(a.dt, shape, data), nil
}

func gemm(c *ctx, in []*tensor) ([]*tensor, error) {
	a, b := in[0], in[1]
	alpha, beta := c.float("alpha"), c.float("beta")
	ta, tb := c.int("transA") != 0, c.int("transB") != 0
	if _, ok := c.schema.Attribute("broadcast"); ok {
		c.int("broadcast")
	}
	if c.err != nil {
		return nil, c.err
	}
	if a.rank() != 2 || b.rank() != 2 || a.dt != b.dt {
		return nil, invalidf("A %s and B %s must be matrices of one type", shapeString(a.shape), shapeString(b.shape))
	}
	m, kk := a.shape[0], a.shape[1]
	if ta {
		m, kk = kk, m
	}
	k2, n := b.shape[0], b.shape[1]
	if tb {
		k2, n = n, k2
	}
	if kk != k2 {
		return nil, invalidf("A %s and B %s do not multiply", shapeString(a.shape), shapeString(b.shape))
	}
	shape := []int{m, n}
	var cc *tensor
	if len(in) > 2 && in[2] != nil {
		var err error
		if cc, err = broadcastTensor(c, in[2], shape); err != nil {
			return nil, err
		}
		if cc.dt != a.dt {
			return nil, invalidf("C of type %s", typeName(cc.dt))
		}
	} else {
		beta = 0
	}
	out, err := c.alloc(a.dt, shape)
	if err != nil {
		return nil, err
	}
	switch x := a.data.(type) {
	case []float32:
		o := out.data.([]float32)
		if cc != nil {
			copy(o, cc.data.([]float32))
		}
		gemmF32(ta, tb, m, n, kk, alpha, x, b.data.([]float32), beta, o)
	case []float64:
		o := out.data.([]float64)
		if cc != nil {
			copy(o, cc.data.([]float64))
		}
		gemmF64(ta, tb, m, n, kk, float64(alpha), x, b.data.([]float64), float64(beta), o)
	default:
		x64, err := toInt64s(a)
		if err != nil {
			return nil, err
		}
		y64, err := toInt64s(b)
		if err != nil {
			return nil, err
		}
		o := make([]int64, m*n)
		if cc != nil {
			if o, err = toInt64s(cc); err != nil {
				return nil, err
			}
			o = append([]int64{}, o...)
		}
		gemmInt(ta, tb, m, n, kk, int64(alpha), x64, y64, int64(beta), o)
		out = withData(a.dt, shape, intsAs(o, a.dt))
	}
	return []*tensor{out}, nil
}

func matmulInteger(c *ctx, in []*tensor) ([]*tensor, error) {
	a, b := in[0], in[1]
	av, err := toInt64s(a)
	if err != nil {
		return nil, err
	}
	bv, err := toInt64s(b)
	if err != nil {
		return nil, err
	}
	za, zb := int64(0), int64(0)
	if len(in) > 2 && in[2] != nil {
		if za, err = scalarInt(in[2], "a_zero_point"); err != nil {
			return nil, notImplf("per-row a_zero_point")
		}
	}
	if len(in) > 3 && in[3] != nil {
		if zb, err = scalarInt(in[3], "b_zero_point"); err != nil {
			return nil, notImplf("per-column b_zero_point")
		}
	}
	av = mapT(av, func(v int64) int64 { return v - za })
	bv = mapT(bv, func(v int64) int64 { return v - zb })
	out, err := matmulT(c, withData(dtInt64, a.shape, av), withData(dtInt64, b.shape, bv))
	if err != nil {
		return nil, err
	}
	v := out.data.([]int64)
	return []*tensor{withData(dtInt32, out.shape, convert[int64, int32](v))}, nil
}

func det(c *ctx, in []*tensor) ([]*tensor, error) {
	x := in[0]
	r := x.rank()
	if r < 2 || x.shape[r-1] != x.shape[r-2] {
		return nil, invalidf("input of shape %s is not a batch of square matrices", shapeString(x.shape))
	}
	n := x.shape[r-1]
	v, _ := toFloat64s(x)
	batch := numel(x.shape[:r-2])
	out := make([]float64, batch)
	for i := range batch {
		if n == 0 {
			out[i] = 1
			continue
		}
		m := mat.NewDense(n, n, append([]float64{}, v[i*n*n:(i+1)*n*n]...))
		out[i] = mat.Det(m)
	}
	res, err := fromF64As(x.dt, x.shape[:r-2], out)
	return []*tensor{res}, err
}

// einsum evaluates an Einstein summation by walking every combination of
// the labels' values once. Ellipses broadcast.
func einsum(c *ctx, in []*tensor) ([]*tensor, error) {
	eq := strings.ReplaceAll(c.str("equation"), " ", "")
	if c.err != nil {
		return nil, c.err
	}
	lhs, rhs, explicit := strings.Cut(eq, "->")
	terms := strings.Split(lhs, ",")
	if len(terms) != len(in) {
		return nil, invalidf("equation %q has %d operands, given %d", eq, len(terms), len(in))
	}
	for _, t := range in {
		if t == nil || t.dt != in[0].dt {
			return nil, invalidf("operands of different types")
		}
	}
	// Ellipsis dims get labels '0'..'9' from the right, aligned across
	// operands as broadcasting aligns them.
	ell := 0
	for i, t := range terms {
		if strings.Contains(t, "...") {
			n := in[i].rank() - (len(t) - 3)
			if n < 0 {
				return nil, invalidf("operand %d of rank %d for %q", i, in[i].rank(), t)
			}
			ell = max(ell, n)
		}
	}
	if ell > 10 {
		return nil, notImplf("ellipsis of %d dims", ell)
	}
	ellLabels := func(n int) string {
		s := ""
		for j := ell - n; j < ell; j++ {
			s += string(rune('0' + j))
		}
		return s
	}
	size := map[rune]int{}
	count := map[rune]int{}
	labels := make([]string, len(terms))
	for i, t := range terms {
		t = strings.Replace(t, "...", ellLabels(in[i].rank()-(len(t)-3)), 1)
		if len(t) != in[i].rank() {
			return nil, invalidf("term %q for operand of rank %d", terms[i], in[i].rank())
		}
		labels[i] = t
		for d, l := range t {
			n := in[i].shape[d]
			if s, ok := size[l]; ok && s != n {
				if s == 1 && l >= '0' && l <= '9' {
					size[l] = n
				} else if !(n == 1 && l >= '0' && l <= '9') {
					return nil, invalidf("label %c has sizes %d and %d", l, s, n)
				}
			} else if !ok {
				size[l] = n
			}
			count[l]++
		}
	}
	var outLabels string
	if explicit {
		outLabels = strings.Replace(rhs, "...", ellLabels(ell), 1)
	} else {
		outLabels = ellLabels(ell)
		for l := 'A'; l <= 'z'; l++ {
			if count[l] == 1 {
				outLabels += string(l)
			}
		}
	}
	all := outLabels
	for l := range size {
		if !strings.ContainsRune(all, l) {
			all += string(l)
		}
	}
	dims := make([]int, len(all))
	for i, l := range all {
		s, ok := size[l]
		if !ok {
			return nil, invalidf("output label %c is in no operand", l)
		}
		dims[i] = s
	}
	oshape := dims[:len(outLabels)]
	n, err := c.check(oshape)
	if err != nil {
		return nil, err
	}
	if _, err := c.check(dims); err != nil {
		return nil, err
	}
	// Strides of each operand over the walk's dims (0 for labels it lacks
	// and for broadcast ellipsis dims).
	strides := make([][]int, len(in))
	vals := make([][]float64, len(in))
	for i, t := range in {
		st := stridesOf(t.shape)
		strides[i] = make([]int, len(all))
		for d, l := range labels[i] {
			if t.shape[d] != 1 || size[l] == 1 {
				strides[i][strings.IndexRune(all, l)] += st[d]
			}
		}
		if vals[i], err = toFloat64s(t); err != nil {
			return nil, err
		}
	}
	out := make([]float64, n)
	total := numel(dims)
	inner := total / max(n, 1)
	idx := make([]int, len(all))
	for w := 0; w < total && n > 0; w++ {
		p := 1.0
		for i := range in {
			off := 0
			for d, s := range strides[i] {
				off += idx[d] * s
			}
			p *= vals[i][off]
		}
		out[w/inner] += p
		for d := len(all) - 1; d >= 0; d-- {
			idx[d]++
			if idx[d] < dims[d] {
				break
			}
			idx[d] = 0
		}
	}
	res, err := fromF64As(in[0].dt, append([]int{}, oshape...), out)
	return []*tensor{res}, err
}
