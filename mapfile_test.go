package onnxgraph

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestMapSmallFile opens a file under 1 MiB with LoadOptions.Map: it is
// read, not mapped. (Mapped saves are tested with the other ways in
// TestSaveFromSource.)
func TestMapSmallFile(t *testing.T) {
	small := filepath.Join(t.TempDir(), "small.onnx")
	if err := NewModel(8, map[string]int64{"": 17}).Save(small); err != nil {
		t.Fatal(err)
	}
	m, err := Open(small, &LoadOptions{Map: true})
	if err != nil || len(m.maps) != 0 {
		t.Errorf("a small file: mapped %v, err %v; want read", m != nil && len(m.maps) > 0, err)
	}
}

// TestMapFileCutShort cuts short the file of a mapped model: a save
// refuses with ErrChanged and writes nothing, and a read of the lost bytes
// (the file cut during a save, past its check) is an error, not a crash.
func TestMapFileCutShort(t *testing.T) {
	dir := t.TempDir()
	src, out := filepath.Join(dir, "in.onnx"), filepath.Join(dir, "out.onnx")
	bigTensorFile(t, src, "w")
	m, err := Open(src, &LoadOptions{Map: true})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := os.Truncate(src, 100); err != nil {
		t.Fatal(err)
	}
	if err := m.Save(out); !errors.Is(err, ErrChanged) {
		t.Errorf("Save = %v, want ErrChanged", err)
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("the save wrote %s", out)
	}
	raw := m.Graph().Initializers()[2].Initializer().p.RawData
	err = guardFault("reading", func() error {
		faultSink += raw[len(raw)-1]
		return nil
	})
	if !errors.Is(err, ErrChanged) {
		t.Errorf("reading a lost byte: %v, want ErrChanged", err)
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
