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

// TestMapSavesTheSameBytes opens a model mapped and read, edits both the
// same way and saves them: the files must be equal, and the input must be
// untouched.
func TestMapSavesTheSameBytes(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "in.onnx")
	in := bigTensorFile(t, src, "w")
	for _, tc := range []struct {
		name string
		edit func(m *Model)
	}{
		{"unedited", func(*Model) {}},
		{"edited", func(m *Model) { m.Graph().Nodes()[0].SetName("longer by a few bytes") }},
		{"tensor replaced", func(m *Model) {
			v := m.Graph().Initializers()[1]
			nt, _ := NewTensor("x", Float, []int64{2}, make([]byte, 8))
			_ = m.Graph().SetInitializer(v, nt)
		}},
	} {
		read, err := Open(src, nil)
		if err != nil {
			t.Fatal(err)
		}
		tc.edit(read)
		want, err := read.Bytes(nil)
		if err != nil {
			t.Fatal(err)
		}
		m, err := Open(src, &LoadOptions{Map: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(m.maps) != 1 || m.src == nil || !m.src.mapped {
			t.Fatalf("%s: the model was not mapped", tc.name)
		}
		tc.edit(m)
		out := filepath.Join(dir, "out.onnx")
		if err := m.Save(out); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: the mapped model saved other bytes than the read one", tc.name)
		}
		// Over its own file: the mapping keeps the old file while the new
		// one takes its name.
		if err := m.Save(src); err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(src); !bytes.Equal(got, want) {
			t.Errorf("%s: saved over its own file, the model wrote other bytes", tc.name)
		}
		if err := m.Close(); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(src, in, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A small file is read, not mapped.
	small := filepath.Join(dir, "small.onnx")
	b, _ := NewModel(8, map[string]int64{"": 17}).Bytes(nil)
	if err := os.WriteFile(small, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if m, err := Open(small, &LoadOptions{Map: true}); err != nil || len(m.maps) != 0 {
		t.Errorf("a small file: mapped %v, err %v; want read", m != nil && len(m.maps) > 0, err)
	}
}

// TestMapFileChangedUnderIt rewrites and cuts short the file of a mapped
// model: a save refuses with ErrChanged and writes nothing, and a read of
// the lost bytes fails as an error, not a crash.
func TestMapFileChangedUnderIt(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "in.onnx")
	out := filepath.Join(dir, "out.onnx")
	for _, tc := range []struct {
		name   string
		change func(in []byte) error
	}{
		{"rewritten in place", func(in []byte) error {
			if err := os.WriteFile(src, bytes.Repeat([]byte{9}, len(in)), 0o644); err != nil {
				return err
			}
			later := time.Now().Add(time.Minute)
			return os.Chtimes(src, later, later)
		}},
		{"cut short", func([]byte) error { return os.Truncate(src, 100) }},
	} {
		in := bigTensorFile(t, src, "w")
		m, err := Open(src, &LoadOptions{Map: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := tc.change(in); err != nil {
			t.Fatal(err)
		}
		if err := m.Save(out); !errors.Is(err, ErrChanged) {
			t.Errorf("%s: Save = %v, want ErrChanged", tc.name, err)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%s: the save wrote %s", tc.name, out)
		}
		if tc.name == "cut short" {
			// Past the check (the file cut short during the save): the
			// fault on the lost bytes is an error.
			raw := m.Graph().Initializers()[2].Initializer().p.RawData
			err := guardFault("reading", func() error {
				faultSink += raw[len(raw)-1]
				return nil
			})
			if !errors.Is(err, ErrChanged) {
				t.Errorf("reading a lost byte: %v, want ErrChanged", err)
			}
		}
		m.Close()
	}
}

// faultSink keeps the read of a lost byte from being optimized away.
var faultSink byte

// TestMapLifetime closes a mapped model whose tensors other models took
// (a clone, an extract, a merge, an initializer added elsewhere): they
// keep the mapping and save what they hold; the closed model refuses with
// ErrClosed; the last Close unmaps.
func TestMapLifetime(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.onnx"), filepath.Join(dir, "b.onnx")
	bigTensorFile(t, a, "w")
	bigTensorFile(t, b, "v")
	ma, err := Open(a, &LoadOptions{Map: true})
	if err != nil {
		t.Fatal(err)
	}
	mb, err := Open(b, &LoadOptions{Map: true})
	if err != nil {
		t.Fatal(err)
	}
	fa, fb := ma.maps[0], mb.maps[0]

	clone := ma.Clone()
	part := ma.Clone().Extract(&ExtractOptions{Outputs: []string{"wy"}, AllowUntyped: true}, nil)
	merged, _, err := Merge([]*Model{ma, mb}, &MergeOptions{Connect: [][]Connection{{}}})
	if err != nil {
		t.Fatal(err)
	}
	other := NewModel(8, map[string]int64{"": 17})
	if _, err := other.Graph().AddInitializer(mb.Graph().Initializers()[2].Initializer()); err != nil {
		t.Fatal(err)
	}
	holders := []*Model{clone, part, merged, other}
	want := make([][]byte, len(holders))
	for i, h := range holders {
		if want[i], err = h.Bytes(nil); err != nil {
			t.Fatal(err)
		}
	}
	ma.Close()
	mb.Close()
	if err := ma.Save(filepath.Join(dir, "closed.onnx")); !errors.Is(err, ErrClosed) {
		t.Errorf("Save after Close = %v, want ErrClosed", err)
	}
	if fa.b == nil || fb.b == nil {
		t.Fatal("a mapping was unmapped while other models held it")
	}
	for i, h := range holders {
		got, err := h.Bytes(nil)
		if err != nil || !bytes.Equal(got, want[i]) {
			t.Errorf("holder %d after the source closed: err %v, same bytes %v", i, err, bytes.Equal(got, want[i]))
		}
		h.Close()
	}
	if fa.b != nil || fb.b != nil {
		t.Errorf("mappings left after every holder closed (a %v, b %v)", fa.b != nil, fb.b != nil)
	}
}
