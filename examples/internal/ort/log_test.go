package ort_test

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/examples/internal/ort"
)

// logCollector keeps the messages of ONNX Runtime's log.
type logCollector struct {
	mu   sync.Mutex
	msgs []ort.LogMessage
}

func (c *logCollector) add(m ort.LogMessage) {
	c.mu.Lock()
	c.msgs = append(c.msgs, m)
	c.mu.Unlock()
}

func (c *logCollector) find(level ort.LogLevel, text string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, m := range c.msgs {
		if m.Level == level && strings.Contains(m.Text, text) {
			return true
		}
	}
	return false
}

// TestLogRouted: ONNX Runtime's log reaches SetLog's function, at the level
// it sets: a warning about an unused initializer when loading a model, the
// error of a model it cannot load.
func TestLogRouted(t *testing.T) {
	setup(t)
	c := &logCollector{}
	if err := ort.SetLog(ort.LogWarning, c.add); err != nil {
		t.Fatal(err)
	}
	defer ort.SetLog(ort.LogError, nil)

	// x -> Relu -> y, with an initializer nothing reads.
	m := onnxgraph.NewModel(8, map[string]int64{"": 13})
	g := m.Graph()
	x, _ := g.AddInput("x", onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(2)))
	n, _ := g.AddNode("Relu", []*onnxgraph.Value{x}, []string{"y"})
	g.AddOutput(n.Output(0), nil)
	w, _ := onnxgraph.TensorFrom("unused_weight", []int64{2}, []float32{1, 2})
	if _, err := g.AddInitializer(w); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "unused.onnx")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	s, err := ort.NewSession(path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if !c.find(ort.LogWarning, "unused_weight") {
		t.Errorf("no warning about unused_weight in %+v", c.msgs)
	}

	// A file that is not a model: ONNX Runtime refuses it and logs why.
	bad := filepath.Join(t.TempDir(), "bad.onnx")
	os.WriteFile(bad, []byte("not a model"), 0o644)
	if _, err := ort.NewSession(bad); err == nil {
		t.Fatal("a session on garbage")
	}
	if err := ort.SetLog(ort.LogFatal, c.add); err != nil {
		t.Fatal(err)
	}
	c.msgs = nil
	s, err = ort.NewSession(path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if len(c.msgs) != 0 {
		t.Errorf("level fatal passed %+v", c.msgs)
	}
}
