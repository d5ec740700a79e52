package ort_test

import (
	"encoding/binary"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/examples/internal/ort"
)

func floats(vals ...float64) *ort.Tensor {
	raw := make([]byte, 4*len(vals))
	for i, v := range vals {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(float32(v)))
	}
	return &ort.Tensor{DType: onnxgraph.Float, Shape: []int64{int64(len(vals))}, Data: raw}
}

func TestFullAndStats(t *testing.T) {
	for _, dt := range []onnxgraph.DataType{onnxgraph.Float, onnxgraph.Double, onnxgraph.Float16, onnxgraph.BFloat16,
		onnxgraph.Int8, onnxgraph.Uint8, onnxgraph.Int16, onnxgraph.Uint16, onnxgraph.Int32, onnxgraph.Uint32, onnxgraph.Int64, onnxgraph.Uint64, onnxgraph.Bool} {
		x, err := ort.Full(dt, []int64{2, 3}, 1)
		if err != nil {
			t.Fatalf("%v: %v", dt, err)
		}
		s, err := x.Stats()
		if err != nil || s != (ort.Stats{Count: 6, Mean: 1, Min: 1, Max: 1}) {
			t.Errorf("%v: Stats() = %+v, %v", dt, s, err)
		}
		z, _ := ort.Full(dt, []int64{2, 3}, 0)
		if s, _ := z.Stats(); s.Max != 0 || z.Checksum() == x.Checksum() || len(z.Checksum()) != 8 {
			t.Errorf("%v: zeros: %+v %s", dt, s, z.Checksum())
		}
	}
	if _, err := ort.Full(onnxgraph.String, []int64{1}, 0); err == nil {
		t.Error("Full of strings: no error")
	}
	s, err := floats(1, math.NaN(), -2, 4).Stats()
	if err != nil || s.Count != 4 || s.NaNs != 1 || s.Mean != 1 || s.Min != -2 || s.Max != 4 {
		t.Errorf("with a NaN: %+v, %v", s, err)
	}
	if s, _ := floats(math.NaN()).Stats(); !math.IsNaN(s.Mean) || !math.IsNaN(s.Max) {
		t.Errorf("all NaN: %+v", s)
	}
	// The checksum is of the bytes: the first 8 hex digits of SHA-256.
	if got := (&ort.Tensor{}).Checksum(); got != "e3b0c442" {
		t.Errorf("checksum of nothing = %s", got)
	}
}

func TestLatencyOf(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	if l := ort.LatencyOf(nil); l != (ort.Latency{}) {
		t.Errorf("no runs: %+v", l)
	}
	l := ort.LatencyOf(ms(5, 1, 4, 2, 3))
	if want := (ort.Latency{Runs: 5, Mean: 3 * time.Millisecond, Median: 3 * time.Millisecond, Min: time.Millisecond, Max: 5 * time.Millisecond, P90: 5 * time.Millisecond}); l != want {
		t.Errorf("odd: %+v, want %+v", l, want)
	}
	runs := ms(10, 1, 2, 3, 4, 5, 6, 7, 8, 9)
	l = ort.LatencyOf(runs)
	if l.Median != 5500*time.Microsecond || l.P90 != 9*time.Millisecond || l.Mean != 5500*time.Microsecond {
		t.Errorf("even: %+v", l)
	}
	if runs[0] != 10*time.Millisecond {
		t.Error("LatencyOf sorted its argument")
	}
}

func TestCompare(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, c := range []struct {
		name       string
		a, b       *ort.Tensor
		rtol, atol float64
		equalNaN   bool
		close      bool
		mismatches int
		maxAbs     float64
		worst      int
	}{
		{"equal", floats(1, 2, 3), floats(1, 2, 3), 0, 0, false, true, 0, 0, -1},
		{"within atol", floats(1, 2, 3), floats(1, 2.5, 3), 0, 0.5, false, true, 0, 0.5, 1},
		{"beyond atol", floats(1, 2, 3), floats(1, 2.5, 3.25), 0, 0.2, false, false, 2, 0.5, 1},
		{"rtol of b", floats(0, 11), floats(0, 10), 0.1, 0, false, true, 0, 1, 1},
		{"rtol not of a", floats(0, 10), floats(0, 11), 0.09, 0, false, false, 1, 1, 1},
		{"nan", floats(nan, 1), floats(nan, 1), 0, 0, false, false, 1, inf, 0},
		{"equal nan", floats(nan, 1), floats(nan, 1), 0, 0, true, true, 0, 0, -1},
		{"nan vs number", floats(nan), floats(1), 1, 1, true, false, 1, inf, 0},
		{"same inf", floats(inf, -inf), floats(inf, -inf), 0, 0, false, true, 0, 0, -1},
		{"opposite inf", floats(inf), floats(-inf), 1, 1, false, false, 1, inf, 0},
		{"shape", floats(1, 2), floats(1, 2, 3), 1, 1, false, false, 0, inf, -1},
	} {
		got := ort.Compare(c.a, c.b, c.rtol, c.atol, c.equalNaN)
		if got.Close != c.close || got.Mismatches != c.mismatches || got.MaxAbs != c.maxAbs || got.Worst != c.worst {
			t.Errorf("%s: %+v", c.name, got)
		}
	}
	// Numeric tensors of different element types compare by value.
	ints, _ := ort.Full(onnxgraph.Int64, []int64{3}, 2)
	if got := ort.Compare(ints, floats(2, 2, 2.5), 0, 0, false); got.Close || got.Mismatches != 1 || got.MaxAbs != 0.5 || got.MaxRel != 0.2 {
		t.Errorf("int64 vs float: %+v", got)
	}
	if got := ort.Compare(floats(1), floats(0), 0, 0, false); !math.IsInf(got.MaxRel, 1) {
		t.Errorf("relative error against 0: %+v", got)
	}
	x := floats(1, 2, 3, 4)
	x.Shape = []int64{2, 2}
	y := slices.Clone(x.Data)
	binary.LittleEndian.PutUint32(y[12:], math.Float32bits(5))
	if got := ort.Compare(x, &ort.Tensor{DType: onnxgraph.Float, Shape: []int64{2, 2}, Data: y}, 0, 0, false); got.Worst != 3 || got.WorstA != 4 || got.WorstB != 5 {
		t.Errorf("worst: %+v", got)
	}
}
