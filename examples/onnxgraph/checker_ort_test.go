package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/onnxgraph/onnxgraph/examples/internal/ort/orttest"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/examples/internal/ort"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/samples"
	"google.golang.org/protobuf/proto"
)

// TestCheckerCatchesWhatORTRejects backs the broken-corpus cases named
// *_checker_accepts_ort_rejects in the root package: python's onnx.checker
// lets these defects through, ONNX Runtime refuses the model, and so does
// our checker.
func TestCheckerCatchesWhatORTRejects(t *testing.T) {
	orttest.Require(t)
	cases := []struct {
		name   string
		mutate func(*onnxproto.ModelProto)
	}{
		{"output_not_produced", func(m *onnxproto.ModelProto) {
			m.Graph.Output = append(m.Graph.Output, &onnxproto.ValueInfoProto{
				Name: proto.String("ghost"),
				Type: onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(2, 3)),
			})
		}},
		{"raw_data_too_short", func(m *onnxproto.ModelProto) {
			w := m.Graph.Initializer[0]
			w.RawData = w.RawData[:len(w.RawData)-4]
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := proto.Clone(samples.MNIST().ToProto()).(*onnxproto.ModelProto)
			c.mutate(p)
			b, err := proto.Marshal(p)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "broken.onnx")
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
			if _, _, err := ort.Info(path); err == nil {
				t.Error("ONNX Runtime loaded the broken model")
			} else {
				t.Logf("ONNX Runtime: %v", err)
			}
			m, err := onnxgraph.Decode(b, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := onnxgraph.Validate(m, nil); err == nil {
				t.Error("our checker accepted the broken model")
			}
		})
	}
}
