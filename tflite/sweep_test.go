package tflite

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/internal/suitetest"
)

// TestSuiteSweep converts every model of the ONNX backend test suite:
// each either converts or fails with one of the package's errors, never an
// internal error, and the model is left as it was.
func TestSuiteSweep(t *testing.T) {
	paths := suitetest.Models(t)
	counts := map[string]int{}
	seen := map[string]bool{}
	for _, p := range paths {
		m, err := onnxgraph.Open(p, nil)
		if err != nil {
			continue
		}
		before, _ := m.Bytes(nil)
		data, rep, err := Convert(m, nil)
		if after, _ := m.Bytes(nil); !bytes.Equal(before, after) {
			t.Errorf("%s: the model changed", p)
		}
		switch {
		case err == nil:
			counts["converted"]++
			for _, o := range rep.OpsAfter {
				seen[o.Op] = true
			}
			checkStructure(t, data, rep)
		case strings.Contains(err.Error(), "internal error"):
			t.Errorf("%s: %v", filepath.Base(filepath.Dir(p)), err)
		case errors.Is(err, ErrUnsupported):
			counts["unsupported"]++
		case errors.Is(err, ErrDynamicShape):
			counts["dynamic shape"]++
		case errors.Is(err, ErrInvalid):
			counts["invalid"]++
		default:
			t.Errorf("%s: an error of no sentinel: %v", filepath.Base(filepath.Dir(p)), err)
		}
		m.Close()
	}
	t.Logf("%d suite models: %v; %d TensorFlow Lite operator types written and read back", len(paths), counts, len(seen))
}
