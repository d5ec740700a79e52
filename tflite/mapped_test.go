package tflite

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/onnxgraph/onnxgraph"
)

// TestMappedModelReleased converts a model opened with its file mapped
// (LoadOptions.Map, as the CLI opens models): the simplified copy each
// conversion makes holds the mapping and must be closed, so that closing
// the model unmaps the file. Each entry point, and a write that fails,
// is checked against the process's own list of mappings.
func TestMappedModelReleased(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc/self/maps; LoadOptions.Map maps files on Unix only")
	}
	path := filepath.Join(t.TempDir(), "net.onnx")
	if err := convNetOf(t, 21, 128).SaveWith(path, &onnxgraph.SaveOptions{External: onnxgraph.ExternalInline}); err != nil {
		t.Fatal(err)
	}
	mapped := func() bool {
		b, err := os.ReadFile("/proc/self/maps")
		if err != nil {
			t.Fatal(err)
		}
		return bytes.Contains(b, []byte(path))
	}
	out := filepath.Join(t.TempDir(), "net.tflite")
	failing := errors.New("the disk is full")
	for name, run := range map[string]func(m *onnxgraph.Model) error{
		"Convert": func(m *onnxgraph.Model) error { _, _, err := Convert(m, nil); return err },
		"Write":   func(m *onnxgraph.Model) error { _, err := Write(m, &bytes.Buffer{}, nil); return err },
		"Save":    func(m *onnxgraph.Model) error { _, err := Save(m, out, nil); return err },
		"Write fails": func(m *onnxgraph.Model) error {
			if _, err := Write(m, errWriter{failing}, nil); !errors.Is(err, failing) {
				return errors.New("want the writer's error, got " + errString(err))
			}
			return nil
		},
	} {
		t.Run(name, func(t *testing.T) {
			m, err := onnxgraph.Open(path, &onnxgraph.LoadOptions{Map: true})
			if err != nil {
				t.Fatal(err)
			}
			if !mapped() {
				t.Fatal("the model's file is not mapped after Open")
			}
			if err := run(m); err != nil {
				t.Fatal(err)
			}
			if err := m.Close(); err != nil {
				t.Fatal(err)
			}
			if mapped() {
				t.Error("the file stays mapped after the model is closed: a copy still holds it")
			}
		})
	}
}

type errWriter struct{ err error }

func (w errWriter) Write([]byte) (int, error) { return 0, w.err }

func errString(err error) string {
	if err == nil {
		return "nil"
	}
	return err.Error()
}
