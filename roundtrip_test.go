package onnxgraph_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/internal/suitetest"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"google.golang.org/protobuf/proto"
)

// suiteParts are the parts of the backend suite whose models the tests
// read (not real/, whose networks are large).
var suiteParts = []string{"node", "pytorch-converted", "pytorch-operator", "simple"}

// TestRoundTripSuite loads and saves every model of the backend suite and
// checks that the saved ModelProto equals the original, field for field
// (unknown fields included), and that the IR invariants hold after load.
func TestRoundTripSuite(t *testing.T) {
	files := suitetest.Models(t, suiteParts...)
	if len(files) != 1072 {
		t.Errorf("found %d suite models, want 1072", len(files))
	}
	out := t.TempDir()
	var pairs []string
	for _, in := range files {
		m, err := onnxgraph.Open(in, nil)
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if err := m.Sanity(); err != nil {
			t.Errorf("%s: %v", in, err)
		}
		dst := filepath.Join(out, strings.ReplaceAll(strings.TrimPrefix(in, suitetest.Dir+"/"), "/", "__"))
		if err := m.Save(dst); err != nil {
			t.Errorf("%s: save: %v", in, err)
			continue
		}
		m.Close()
		if !sameModelFile(t, in, dst) {
			t.Errorf("%s: saved model differs from the original", in)
		}
		pairs = append(pairs, in, dst)
	}
	t.Run("python", func(t *testing.T) { pythonSameModels(t, pairs) })
}

func sameModelFile(t testing.TB, a, b string) bool {
	t.Helper()
	pa, pb := readProto(t, a), readProto(t, b)
	return proto.Equal(pa, pb)
}

func readProto(t testing.TB, path string) *onnxproto.ModelProto {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return protoOf(t, path, b)
}

// decodeProto decodes the model src, marshalled.
func decodeProto(t testing.TB, src *onnxproto.ModelProto) *onnxgraph.Model {
	t.Helper()
	b, err := proto.Marshal(src)
	if err != nil {
		t.Fatal(err)
	}
	m, err := onnxgraph.Decode(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// protoOf unmarshals b, the bytes of what (named in a failure).
func protoOf(t testing.TB, what string, b []byte) *onnxproto.ModelProto {
	t.Helper()
	m := new(onnxproto.ModelProto)
	if err := proto.Unmarshal(b, m); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return m
}

// pythonSameModels has python's onnx load each pair and compare the
// messages, when Debian's python3-onnx is installed.
func pythonSameModels(t *testing.T, pairs []string) {
	py := pythonONNX(t)
	script := `
import sys, onnx
args = sys.argv[1:]
bad = 0
for a, b in zip(args[0::2], args[1::2]):
    if onnx.load(a, load_external_data=False) != onnx.load(b, load_external_data=False):
        print("differs:", a); bad += 1
print("compared", len(args)//2, "bad", bad)
sys.exit(1 if bad else 0)
`
	cmd := exec.Command(py, append([]string{"-c", script}, pairs...)...)
	outb, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("python onnx: %v\n%s", err, outb)
	}
	t.Logf("python onnx: %s", bytes.TrimSpace(outb))
}

// pythonONNX returns a python that imports onnx (Debian's python3-onnx),
// failing under CI and skipping elsewhere when there is none.
func pythonONNX(t testing.TB) string {
	t.Helper()
	return suitetest.NeedPython(t, "onnx", "python3-onnx")
}
