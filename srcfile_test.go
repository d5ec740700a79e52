package onnxgraph

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/onnxgraph/onnxgraph/onnxproto"
	"google.golang.org/protobuf/proto"
)

// TestSaveFromSource saves models opened from a file, whose large tensors
// a save may copy from that file with the kernel, both ways (from the file
// and from memory): unedited, edited so that the tensors move by a few
// bytes, and after the file changed under the model. The saved bytes must
// be the model's in every case.
func TestSaveFromSource(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "in.onnx")
	mp := &onnxproto.ModelProto{IrVersion: proto.Int64(8), Graph: &onnxproto.GraphProto{Name: proto.String("g")}}
	for i := range 3 {
		raw := bytes.Repeat([]byte{byte(i + 1), 2, 3}, (3<<20+i*4099)/3)
		mp.Graph.Initializer = append(mp.Graph.Initializer, &onnxproto.TensorProto{Name: proto.String("w" + itoa(i)), DataType: proto.Int32(2), Dims: []int64{int64(len(raw))}, RawData: raw})
	}
	mp.Graph.Node = []*onnxproto.NodeProto{{OpType: proto.String("Identity"), Input: []string{"w0"}, Output: []string{"y"}}}
	in, err := proto.Marshal(mp)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		edit    func(m *Model)
		changed bool // the file is rewritten (same size) after the load
	}{
		{"unedited", func(*Model) {}, false},
		{"edited", func(m *Model) { m.Graph().Nodes()[0].SetName("longer by a few bytes") }, false},
		{"file changed", func(*Model) {}, true},
	} {
		for _, kernel := range []bool{true, false} {
			if err := os.WriteFile(src, in, 0o644); err != nil {
				t.Fatal(err)
			}
			forceKernelCopy = kernel
			m, err := Open(src, nil)
			forceKernelCopy = false
			if err != nil {
				t.Fatal(err)
			}
			if m.src == nil || len(m.srcViews) != 3 || m.src.kernel != (kernel || kernelCopyPays(src)) {
				t.Fatalf("%s: the model does not know its source file's tensors", tc.name)
			}
			tc.edit(m)
			want, err := m.Bytes(nil)
			if err != nil {
				t.Fatal(err)
			}
			if tc.changed {
				if err := os.WriteFile(src, bytes.Repeat([]byte{9}, len(in)), 0o644); err != nil {
					t.Fatal(err)
				}
				later := time.Now().Add(time.Minute)
				if err := os.Chtimes(src, later, later); err != nil {
					t.Fatal(err)
				}
			}
			out := filepath.Join(dir, "out.onnx")
			if err := m.Save(out); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s (kernel copy %v): the saved file differs from the model's bytes", tc.name, kernel)
			}
			if tc.name == "unedited" && !bytes.Equal(got, in) {
				t.Errorf("unedited (kernel copy %v): the saved file differs from the input", kernel)
			}
		}
	}
}
