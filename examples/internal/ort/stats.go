package ort

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/onnxgraph/onnxgraph"
)

// Checksum returns the first 8 hexadecimal digits of the SHA-256 of t's
// data: equal checksums mean, to a very high probability, equal bytes.
func (t *Tensor) Checksum() string {
	sum := sha256.Sum256(t.Data)
	return hex.EncodeToString(sum[:4])
}

// Float64s returns t's elements as float64 values, for the floating-point,
// integer and boolean element types (integers beyond 2^53 lose precision).
func (t *Tensor) Float64s() ([]float64, error) {
	g, err := t.Graph("")
	if err != nil {
		return nil, fmt.Errorf("ort: %w", err)
	}
	if f, err := g.Float64s(); err == nil {
		return f, nil
	}
	if t.DType == onnxgraph.Uint64 {
		u, err := g.Uint64s()
		if err != nil {
			return nil, fmt.Errorf("ort: %w", err)
		}
		out := make([]float64, len(u))
		for i, x := range u {
			out[i] = float64(x)
		}
		return out, nil
	}
	v, err := g.Int64s()
	if err != nil {
		return nil, fmt.Errorf("ort: %v has no numeric values", t.DType)
	}
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out, nil
}

// Stats summarizes a tensor's values. NaNs are counted and otherwise left
// out; Mean, Min and Max are NaN when no other value is left.
type Stats struct {
	Count          int // elements
	NaNs           int
	Mean, Min, Max float64
}

// Stats returns the summary of t's values, for the element types Float64s
// supports.
func (t *Tensor) Stats() (Stats, error) {
	v, err := t.Float64s()
	if err != nil {
		return Stats{}, err
	}
	s := Stats{Count: len(v), Min: math.Inf(1), Max: math.Inf(-1)}
	var sum float64
	for _, x := range v {
		if math.IsNaN(x) {
			s.NaNs++
			continue
		}
		sum += x
		s.Min = min(s.Min, x)
		s.Max = max(s.Max, x)
	}
	if n := s.Count - s.NaNs; n > 0 {
		s.Mean = sum / float64(n)
	} else {
		s.Mean, s.Min, s.Max = math.NaN(), math.NaN(), math.NaN()
	}
	return s, nil
}

// Latency summarizes the durations of repeated runs.
type Latency struct {
	Runs                        int
	Mean, Median, Min, Max, P90 time.Duration
}

// LatencyOf returns the summary of runs; the zero Latency for none. Median
// is the mean of the two middle runs for an even count; P90 is the
// nearest-rank 90th percentile (the smallest run that at least 90% of the
// runs do not exceed).
func LatencyOf(runs []time.Duration) Latency {
	n := len(runs)
	if n == 0 {
		return Latency{}
	}
	s := slices.Clone(runs)
	slices.Sort(s)
	var sum time.Duration
	for _, d := range s {
		sum += d
	}
	l := Latency{Runs: n, Mean: sum / time.Duration(n), Min: s[0], Max: s[n-1]}
	if n%2 == 1 {
		l.Median = s[n/2]
	} else {
		l.Median = (s[n/2-1] + s[n/2]) / 2
	}
	l.P90 = s[int(math.Ceil(0.9*float64(n)))-1]
	return l
}

// Closeness is how far tensor a is from tensor b (the reference), element
// by element, under NumPy's allclose rule |a-b| <= atol + rtol*|b|.
type Closeness struct {
	// MaxAbs is the largest |a-b|, MaxRel the largest |a-b|/|b| (+Inf when
	// b is 0 and a is not). Pairs of NaNs and of equal infinities count as
	// a difference of 0; a NaN against a number, or two NaNs without
	// equalNaN, as +Inf.
	MaxAbs, MaxRel float64
	// Mismatches counts the elements that are not close; Worst is the
	// (row-major) index of the first element with the largest |a-b|, -1
	// when all are equal, and WorstA and WorstB are its values.
	Mismatches     int
	Worst          int
	WorstA, WorstB float64
	// Close reports whether shapes agree and every element is close.
	Close bool
	// Problem says why the tensors could not be compared element by
	// element (shapes or element types that differ); "" when they could.
	Problem string
}

// Compare measures how close a is to b. Tensors of different shapes are
// never close; numeric tensors of different element types are compared by
// value.
func Compare(a, b *Tensor, rtol, atol float64, equalNaN bool) Closeness {
	c := Closeness{Worst: -1}
	if !slices.Equal(a.Shape, b.Shape) {
		c.MaxAbs, c.MaxRel = math.Inf(1), math.Inf(1)
		c.Problem = fmt.Sprintf("shape %v vs %v", a.Shape, b.Shape)
		return c
	}
	if a.DType == b.DType && bytes.Equal(a.Data, b.Data) && !(hasNaN(a) && !equalNaN) {
		c.Close = true
		return c
	}
	av, errA := a.Float64s()
	bv, errB := b.Float64s()
	if errA != nil || errB != nil || len(av) != len(bv) {
		c.MaxAbs, c.MaxRel = math.Inf(1), math.Inf(1)
		c.Problem = fmt.Sprintf("cannot compare %v with %v", a.DType, b.DType)
		c.Mismatches = max(len(av), len(bv))
		return c
	}
	for i := range av {
		x, y := av[i], bv[i]
		var diff, rel float64
		close := false
		switch {
		case math.IsNaN(x) || math.IsNaN(y):
			close = equalNaN && math.IsNaN(x) && math.IsNaN(y)
			if !close {
				diff, rel = math.Inf(1), math.Inf(1)
			}
		case math.IsInf(x, 0) || math.IsInf(y, 0):
			close = x == y
			if !close {
				diff, rel = math.Inf(1), math.Inf(1)
			}
		default:
			diff = math.Abs(x - y)
			switch {
			case diff == 0:
			case y == 0:
				rel = math.Inf(1)
			default:
				rel = diff / math.Abs(y)
			}
			close = diff <= atol+rtol*math.Abs(y)
		}
		if !close {
			c.Mismatches++
		}
		if diff > c.MaxAbs || (c.Worst < 0 && diff > 0) {
			c.MaxAbs, c.Worst, c.WorstA, c.WorstB = diff, i, x, y
		}
		c.MaxRel = max(c.MaxRel, rel)
	}
	c.Close = c.Mismatches == 0
	return c
}

func hasNaN(t *Tensor) bool {
	switch t.DType {
	case onnxgraph.Float, onnxgraph.Double, onnxgraph.Float16, onnxgraph.BFloat16:
	default:
		return false
	}
	v, err := t.Float64s()
	if err != nil {
		return false
	}
	return slices.ContainsFunc(v, math.IsNaN)
}
