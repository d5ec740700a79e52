package eval

import (
	"math"
	"reflect"
)

// Type-generic handling of data slices. Data movement (Transpose, Gather,
// Slice, Expand, Tile, ...) computes, for each output element, the offset
// of the input element it copies, and take does the copy in one loop of
// the element type.

// take returns a new slice of src's type with src[idx[i]] at i.
func take(src any, idx []int) any {
	switch s := src.(type) {
	case []float32:
		return takeT(s, idx)
	case []float64:
		return takeT(s, idx)
	case []int8:
		return takeT(s, idx)
	case []int16:
		return takeT(s, idx)
	case []int32:
		return takeT(s, idx)
	case []int64:
		return takeT(s, idx)
	case []uint8:
		return takeT(s, idx)
	case []uint16:
		return takeT(s, idx)
	case []uint32:
		return takeT(s, idx)
	case []uint64:
		return takeT(s, idx)
	case []bool:
		return takeT(s, idx)
	case []string:
		return takeT(s, idx)
	case []complex64:
		return takeT(s, idx)
	case []complex128:
		return takeT(s, idx)
	}
	return nil
}

func takeT[T any](s []T, idx []int) []T {
	out := make([]T, len(idx))
	for i, j := range idx {
		out[i] = s[j]
	}
	return out
}

// copyInto copies src into dst from element off on; both are data slices
// of one type.
func copyInto(dst any, off int, src any) {
	d := reflect.ValueOf(dst)
	reflect.Copy(d.Slice(off, d.Len()), reflect.ValueOf(src))
}

// sub returns elements [lo, hi) of a data slice (sharing it).
func sub(data any, lo, hi int) any {
	return reflect.ValueOf(data).Slice(lo, hi).Interface()
}

// scatterInto sets dst[idx[i]] = src[i]; dst and src have one type.
func scatterInto(dst any, idx []int, src any) {
	switch d := dst.(type) {
	case []float32:
		scatterT(d, idx, src.([]float32))
	case []float64:
		scatterT(d, idx, src.([]float64))
	case []int8:
		scatterT(d, idx, src.([]int8))
	case []int16:
		scatterT(d, idx, src.([]int16))
	case []int32:
		scatterT(d, idx, src.([]int32))
	case []int64:
		scatterT(d, idx, src.([]int64))
	case []uint8:
		scatterT(d, idx, src.([]uint8))
	case []uint16:
		scatterT(d, idx, src.([]uint16))
	case []uint32:
		scatterT(d, idx, src.([]uint32))
	case []uint64:
		scatterT(d, idx, src.([]uint64))
	case []bool:
		scatterT(d, idx, src.([]bool))
	case []string:
		scatterT(d, idx, src.([]string))
	case []complex64:
		scatterT(d, idx, src.([]complex64))
	case []complex128:
		scatterT(d, idx, src.([]complex128))
	}
}

func scatterT[T any](d []T, idx []int, s []T) {
	for i, j := range idx {
		d[j] = s[i]
	}
}

// cloneData returns a copy of a data slice.
func cloneData(data any) any {
	v := reflect.ValueOf(data)
	out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
	reflect.Copy(out, v)
	return out.Interface()
}

// fillWith returns n copies of element i of data, in a slice of its type.
func fillWith(data any, i, n int) any {
	v := reflect.ValueOf(data)
	out := reflect.MakeSlice(v.Type(), n, n)
	if n > 0 {
		e := v.Index(i)
		out.Index(0).Set(e)
		for k := 1; k < n; k *= 2 {
			reflect.Copy(out.Slice(k, n), out.Slice(0, k))
		}
	}
	return out.Interface()
}

// toInt64s returns the elements of an integer (or bool) tensor as int64.
func toInt64s(t *tensor) ([]int64, error) {
	switch s := t.data.(type) {
	case []int64:
		return s, nil
	case []int32:
		return convert[int32, int64](s), nil
	case []int16:
		return convert[int16, int64](s), nil
	case []int8:
		return convert[int8, int64](s), nil
	case []uint8:
		return convert[uint8, int64](s), nil
	case []uint16:
		return convert[uint16, int64](s), nil
	case []uint32:
		return convert[uint32, int64](s), nil
	case []uint64:
		out := make([]int64, len(s))
		for i, x := range s {
			if x > math.MaxInt64 {
				return nil, invalidf("value %d does not fit an int64", x)
			}
			out[i] = int64(x)
		}
		return out, nil
	case []bool:
		out := make([]int64, len(s))
		for i, x := range s {
			if x {
				out[i] = 1
			}
		}
		return out, nil
	}
	return nil, invalidf("%s tensor where integers are needed", typeName(t.dt))
}

// toFloat64s returns the elements of a numeric (or bool) tensor as float64.
func toFloat64s(t *tensor) ([]float64, error) {
	switch s := t.data.(type) {
	case []float64:
		return s, nil
	case []float32:
		return convert[float32, float64](s), nil
	case []bool:
		out := make([]float64, len(s))
		for i, x := range s {
			if x {
				out[i] = 1
			}
		}
		return out, nil
	case []int8:
		return convert[int8, float64](s), nil
	case []int16:
		return convert[int16, float64](s), nil
	case []int32:
		return convert[int32, float64](s), nil
	case []int64:
		return convert[int64, float64](s), nil
	case []uint8:
		return convert[uint8, float64](s), nil
	case []uint16:
		return convert[uint16, float64](s), nil
	case []uint32:
		return convert[uint32, float64](s), nil
	case []uint64:
		return convert[uint64, float64](s), nil
	}
	return nil, invalidf("%s tensor where numbers are needed", typeName(t.dt))
}

// number is the set of Go element types arithmetic works on.
type number interface {
	~float32 | ~float64 | ~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

// integer is the set of Go integer element types.
type integer interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

// float is the set of Go float element types.
type float interface{ ~float32 | ~float64 }

func convert[A, B number](s []A) []B {
	out := make([]B, len(s))
	for i, x := range s {
		out[i] = B(x)
	}
	return out
}

// scalarInt returns the single element of an integer tensor.
func scalarInt(t *tensor, what string) (int64, error) {
	if t == nil || t.size() != 1 {
		return 0, invalidf("%s must have one element", what)
	}
	v, err := toInt64s(t)
	if err != nil {
		return 0, err
	}
	return v[0], nil
}

// scalarFloat returns the single element of a numeric tensor.
func scalarFloat(t *tensor, what string) (float64, error) {
	if t == nil || t.size() != 1 {
		return 0, invalidf("%s must have one element", what)
	}
	v, err := toFloat64s(t)
	if err != nil {
		return 0, err
	}
	return v[0], nil
}

// normAxis maps an axis in [-rank, rank) to [0, rank).
func normAxis(axis int64, rank int) (int, error) {
	if axis < -int64(rank) || axis >= int64(rank) {
		return 0, invalidf("axis %d out of range for rank %d", axis, rank)
	}
	if axis < 0 {
		axis += int64(rank)
	}
	return int(axis), nil
}

// normAxes maps axes to [0, rank), refusing repeats.
func normAxes(axes []int64, rank int) ([]int, error) {
	out := make([]int, len(axes))
	seen := make([]bool, rank)
	for i, a := range axes {
		n, err := normAxis(a, rank)
		if err != nil {
			return nil, err
		}
		if seen[n] {
			return nil, invalidf("axis %d repeated", a)
		}
		seen[n] = true
		out[i] = n
	}
	return out, nil
}

// separable returns, for each element of a tensor of shape oshape, the sum
// over dims d of tabs[d][i_d] (i_d the element's index along d), or -1
// when any term is negative. Transpose, Slice, Expand, Tile and Pad are
// such maps: the source offset is a sum of per-dim terms.
func separable(oshape []int, tabs [][]int, n int) []int {
	out := make([]int, n)
	if n == 0 {
		return out
	}
	r := len(oshape)
	if r == 0 {
		return out
	}
	last := tabs[r-1]
	inner := oshape[r-1]
	idx := make([]int, r)
	for o := 0; o < n; o += inner {
		base := 0
		for d := 0; d < r-1; d++ {
			t := tabs[d][idx[d]]
			if t < 0 || base < 0 {
				base = -1
			} else {
				base += t
			}
		}
		for k, t := range last {
			if t < 0 || base < 0 {
				out[o+k] = -1
			} else {
				out[o+k] = base + t
			}
		}
		for d := r - 2; d >= 0; d-- {
			idx[d]++
			if idx[d] < oshape[d] {
				break
			}
			idx[d] = 0
		}
	}
	return out
}

// takeOr is take where a negative index gives element pad of padData (a
// one-element data slice of src's type).
func takeOr(src any, idx []int, padData any) any {
	n := sliceLen(src)
	for i, j := range idx {
		if j < 0 {
			idx[i] = n
		}
	}
	both := reflect.AppendSlice(reflect.ValueOf(cloneDataCap(src, n+1)), reflect.ValueOf(padData)).Interface()
	return take(both, idx)
}

// cloneDataCap returns a copy of data with room for more elements.
func cloneDataCap(data any, capacity int) any {
	v := reflect.ValueOf(data)
	out := reflect.MakeSlice(v.Type(), v.Len(), max(capacity, v.Len()))
	reflect.Copy(out, v)
	return out.Interface()
}
