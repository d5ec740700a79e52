package onnxgraph

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/onnxgraph/onnxgraph/onnxproto"
	"google.golang.org/protobuf/proto"
)

// bigTensorFile writes a model with three tensors of about 3 MiB named
// prefix0..2, read by an Identity to output prefix+"y", and returns its
// bytes.
func bigTensorFile(t *testing.T, path, prefix string) []byte {
	t.Helper()
	mp := &onnxproto.ModelProto{IrVersion: proto.Int64(8), Graph: &onnxproto.GraphProto{Name: proto.String("g")},
		OpsetImport: []*onnxproto.OperatorSetIdProto{{Version: proto.Int64(17)}}}
	for i := range 3 {
		raw := bytes.Repeat([]byte{byte(i + 1), 2, 3, byte(len(prefix))}, (3<<20+i*4099)/4)
		mp.Graph.Initializer = append(mp.Graph.Initializer, &onnxproto.TensorProto{Name: proto.String(prefix + itoa(i)), DataType: proto.Int32(1), Dims: []int64{int64(len(raw) / 4)}, RawData: raw})
	}
	mp.Graph.Node = []*onnxproto.NodeProto{{OpType: proto.String("Identity"), Input: []string{prefix + "0"}, Output: []string{prefix + "y"}}}
	mp.Graph.Output = []*onnxproto.ValueInfoProto{{Name: proto.String(prefix + "y")}}
	b, err := proto.Marshal(mp)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return b
}

// rewriteInPlace rewrites the file at path with n other bytes, keeping
// its inode, and dates it a minute later: another program changing a
// model file under a loaded model.
func rewriteInPlace(path string, n int) error {
	if err := os.WriteFile(path, bytes.Repeat([]byte{9}, n), 0o644); err != nil {
		return err
	}
	later := time.Now().Add(time.Minute)
	return os.Chtimes(path, later, later)
}

// savedBytes saves m to out and returns the file's bytes.
func savedBytes(t *testing.T, m *Model, out string) []byte {
	t.Helper()
	if err := m.Save(out); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestSaveFromSource saves models opened from a file, whose large tensors
// a save may copy from that file with the kernel, three ways: copied by
// the kernel, written from memory, and with the file mapped
// (LoadOptions.Map); unedited, edited so that the tensors move by a few
// bytes, with a tensor replaced, and after the file was rewritten in place
// under the model. The saved bytes must be the model's in every case,
// also saved over its own file; a mapped model, whose bytes the rewrite
// changed, refuses (ErrChanged) and writes nothing.
func TestSaveFromSource(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "in.onnx")
	out := filepath.Join(dir, "out.onnx")
	in := bigTensorFile(t, src, "w")
	for _, tc := range []struct {
		name    string
		edit    func(m *Model)
		changed bool // the file is rewritten (same size) after the load
	}{
		{"unedited", func(*Model) {}, false},
		{"edited", func(m *Model) { m.Graph().Nodes()[0].SetName("longer by a few bytes") }, false},
		{"tensor replaced", func(m *Model) {
			nt, _ := NewTensor("x", Float, []int64{2}, make([]byte, 8))
			_ = m.Graph().SetInitializer(m.Graph().Initializers()[1], nt)
		}, false},
		{"file changed", func(*Model) {}, true},
	} {
		for _, mode := range []string{"kernel copy", "from memory", "mapped"} {
			if err := os.WriteFile(src, in, 0o644); err != nil {
				t.Fatal(err)
			}
			os.Remove(out)
			forceKernelCopy = mode == "kernel copy"
			m, err := Open(src, &LoadOptions{Map: mode == "mapped"})
			forceKernelCopy = false
			if err != nil {
				t.Fatal(err)
			}
			if m.src == nil || len(m.srcViews) != 3 || m.src.mapped != (mode == "mapped") ||
				m.src.kernel != (mode != "from memory" || kernelCopyPays(src)) {
				t.Fatalf("%s (%s): the model does not know its source file's tensors", tc.name, mode)
			}
			tc.edit(m)
			want, err := m.Bytes(nil)
			if err != nil {
				t.Fatal(err)
			}
			if tc.changed {
				if err := rewriteInPlace(src, len(in)); err != nil {
					t.Fatal(err)
				}
			}
			if tc.changed && mode == "mapped" {
				if err := m.Save(out); !errors.Is(err, ErrChanged) {
					t.Errorf("file changed (mapped): Save = %v, want ErrChanged", err)
				}
				if _, err := os.Stat(out); err == nil {
					t.Errorf("file changed (mapped): the save wrote %s", out)
				}
				m.Close()
				continue
			}
			if got := savedBytes(t, m, out); !bytes.Equal(got, want) {
				t.Errorf("%s (%s): the saved file differs from the model's bytes", tc.name, mode)
			} else if tc.name == "unedited" && !bytes.Equal(got, in) {
				t.Errorf("unedited (%s): the saved file differs from the input", mode)
			}
			if !tc.changed {
				// Over its own file: the new file takes the name while the
				// old one (mapped, or the source of kernel copies) stays.
				if got := savedBytes(t, m, src); !bytes.Equal(got, want) {
					t.Errorf("%s (%s): saved over its own file, the model wrote other bytes", tc.name, mode)
				}
			}
			m.Close()
		}
	}
}
