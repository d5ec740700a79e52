package main

import (
	"math"
	"runtime/debug"
	"testing"
)

// TestBatchGC checks the collector settings batchGC makes: off, with a
// limit of a quarter of the machine's memory, for a batch command; left
// alone for the commands of keepGC and when the user set GOGC or
// GOMEMLIMIT.
func TestBatchGC(t *testing.T) {
	restore := func() {
		debug.SetGCPercent(100)
		debug.SetMemoryLimit(math.MaxInt64)
	}
	defer restore()
	settings := func() (percent int, limit int64) {
		percent = debug.SetGCPercent(100)
		debug.SetGCPercent(percent)
		return percent, debug.SetMemoryLimit(-1)
	}
	total := physicalMemory()
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		off  bool
	}{
		{"infer", []string{"infer", "a.onnx", "b.onnx"}, nil, total > 0},
		{"view", []string{"view", "a.onnx"}, nil, false},
		{"run", []string{"run", "a.onnx", "--repeat", "100"}, nil, false},
		{"simplify", []string{"simplify", "a.onnx", "b.onnx"}, nil, false},
		{"GOGC set", []string{"infer", "a.onnx", "b.onnx"}, map[string]string{"GOGC": "200"}, false},
		{"GOMEMLIMIT set", []string{"copy", "a.onnx", "b.onnx"}, map[string]string{"GOMEMLIMIT": "1GiB"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			restore()
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			batchGC(tc.args)
			percent, limit := settings()
			if tc.off {
				if percent != -1 || limit != int64(total/4) {
					t.Errorf("GC percent %d, limit %d; want off and %d", percent, limit, total/4)
				}
			} else if percent != 100 || limit != math.MaxInt64 {
				t.Errorf("GC percent %d, limit %d; want them as they were", percent, limit)
			}
		})
	}
}
