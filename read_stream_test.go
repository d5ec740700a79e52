package onnxgraph_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"testing"
	"testing/iotest"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/internal/suitetest"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// unsized hides a reader's size, as an HTTP body without Content-Length
// does: Read then reads the model by its wire format.
func unsized(b []byte) io.Reader { return struct{ io.Reader }{bytes.NewReader(b)} }

// streamModel is a model with every field set (and unknown fields in
// every message) and, among its graph's elements, large ones: initializers
// first, between and last, a Constant node holding a large tensor, and a
// large sparse initializer.
func streamModel(t *testing.T) *onnxproto.ModelProto {
	src, _ := filledModel(3)
	big := func(name string, size int) *onnxproto.TensorProto {
		raw := make([]byte, size)
		for i := range raw {
			raw[i] = byte(i*7 + len(name))
		}
		dt := int32(onnxproto.TensorProto_UINT8)
		return &onnxproto.TensorProto{Name: &name, DataType: &dt, Dims: []int64{int64(size)}, RawData: raw}
	}
	g := src.Graph
	g.Initializer = slices.Insert(g.Initializer, 0, big("first", 9000))
	g.Initializer = slices.Insert(g.Initializer, len(g.Initializer)/2, big("middle", 70000))
	g.Initializer = append(g.Initializer, big("last", 5000), big("small", 10))
	op, out, attr := "Constant", "c", "value"
	at := onnxproto.AttributeProto_TENSOR
	g.Node = slices.Insert(g.Node, 1, &onnxproto.NodeProto{OpType: &op, Output: []string{out},
		Attribute: []*onnxproto.AttributeProto{{Name: &attr, Type: &at, T: big("c", 6000)}}})
	idx := big("idx", 0)
	i64 := int32(onnxproto.TensorProto_INT64)
	idx.DataType, idx.Dims, idx.Int64Data, idx.RawData = &i64, []int64{1}, []int64{3}, nil
	g.SparseInitializer = append(g.SparseInitializer, &onnxproto.SparseTensorProto{Values: big("sp", 8000), Indices: idx, Dims: []int64{9000}})
	return src
}

// TestReadStream reads models from a reader of unknown size, which reads
// by the wire format, and checks it gives what Decode gives: the same
// model, or the same error for every cut of the input.
func TestReadStream(t *testing.T) {
	src := streamModel(t)
	b, err := proto.Marshal(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, own := range []uint64{0, 1} { // the default, and every element apart
		t.Run(fmt.Sprint("own=", own), func(t *testing.T) {
			if own > 0 {
				defer onnxgraph.SetStreamOwn(onnxgraph.SetStreamOwn(own))
			}
			m, err := onnxgraph.Read(unsized(b), nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := m.Sanity(); err != nil {
				t.Fatal(err)
			}
			if !proto.Equal(src, protoOf(t, "the model read", edBytes(t, m))) {
				t.Error("the model read differs from the one written")
			}
			// Every cut of the input (a stride through it, and the
			// first and last bytes): Decode's error, or its model.
			var cuts []int
			for c := 0; c < len(b); c += 1 + c/40 {
				cuts = append(cuts, c, len(b)-c)
			}
			for _, c := range cuts {
				want, wantErr := onnxgraph.Decode(b[:c], nil)
				got, err := onnxgraph.Read(unsized(b[:c]), nil)
				if fmt.Sprint(err) != fmt.Sprint(wantErr) {
					t.Fatalf("cut at %d: Read %v, Decode %v", c, err, wantErr)
				}
				if err == nil && !bytes.Equal(edBytes(t, got), edBytes(t, want)) {
					t.Fatalf("cut at %d: Read and Decode give different models", c)
				}
			}
		})
	}
	// Two graph fields, which protobuf merges: the general decoder's
	// model.
	twice := append(slices.Clone(b), protowire.AppendTag(nil, 7, protowire.BytesType)...)
	extra, _ := proto.Marshal(&onnxproto.GraphProto{Initializer: []*onnxproto.TensorProto{src.Graph.Initializer[0]}})
	twice = append(protowire.AppendVarint(twice, uint64(len(extra))), extra...)
	want, err := onnxgraph.Decode(twice, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := onnxgraph.Read(unsized(twice), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(edBytes(t, got), edBytes(t, want)) {
		t.Error("two graph fields: Read and Decode give different models")
	}
	// A graph element whose length is a varint past 64 bits, which
	// protobuf refuses: Decode's error.
	overlong := protowire.AppendTag(nil, 5, protowire.BytesType)
	overlong = append(overlong, 0x83, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02) // 3, plus 2<<63
	overlong = append(overlong, 0x42, 1, 'a')                                               // a TensorProto named "a"
	overlong = append(protowire.AppendVarint(protowire.AppendTag(nil, 7, protowire.BytesType), uint64(len(overlong))), overlong...)
	_, wantErr := onnxgraph.Decode(overlong, nil)
	for _, own := range []uint64{4 << 10, 1} {
		old := onnxgraph.SetStreamOwn(own)
		_, err := onnxgraph.Read(unsized(overlong), nil)
		onnxgraph.SetStreamOwn(old)
		if wantErr == nil || fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Errorf("a length past 64 bits (own=%d): Read %v, Decode %v", own, err, wantErr)
		}
	}
	// A field number past 32 bits (5<<32 | 7, which an int32 would read
	// as the graph): Decode's error.
	wide := protowire.AppendVarint(nil, (5<<32|7)<<3|uint64(protowire.BytesType))
	wide = append(protowire.AppendVarint(wide, uint64(len(extra))), extra...)
	_, wantErr = onnxgraph.Decode(wide, nil)
	if _, err := onnxgraph.Read(unsized(wide), nil); wantErr == nil || fmt.Sprint(err) != fmt.Sprint(wantErr) {
		t.Errorf("a field number past 32 bits: Read %v, Decode %v", err, wantErr)
	}
	// A reader that fails in a large element: its error.
	_, err = onnxgraph.Read(io.MultiReader(bytes.NewReader(b[:len(b)/2]), iotest.ErrReader(io.ErrClosedPipe)), nil)
	if !errors.Is(err, io.ErrClosedPipe) {
		t.Errorf("failing reader: %v", err)
	}
}

// TestReadStreamSuite reads every model of the backend suite from a
// reader of unknown size, with every graph element apart: the same model
// as Decode's.
func TestReadStreamSuite(t *testing.T) {
	defer onnxgraph.SetStreamOwn(onnxgraph.SetStreamOwn(1))
	for _, p := range suitetest.Models(t, suiteParts...) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		want, err := onnxgraph.Decode(b, nil)
		if err != nil {
			t.Fatalf("%s: %v", suitetest.Name(p), err)
		}
		got, err := onnxgraph.Read(unsized(b), nil)
		if err != nil {
			t.Fatalf("%s: %v", suitetest.Name(p), err)
		}
		if !bytes.Equal(edBytes(t, got), edBytes(t, want)) {
			t.Errorf("%s: Read and Decode give different models", suitetest.Name(p))
		}
	}
}

// TestReadStreamMemory checks the memory a read of unknown size takes
// through a pipe: at most 1.1 times the model's size (growing one buffer
// and joining chunks took twice).
func TestReadStreamMemory(t *testing.T) {
	b := edBytes(t, weightChain(12)) // 12 tensors of 4 MiB
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	m, err := onnxgraph.Read(pipeOf(b), nil)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	used := float64(after.TotalAlloc-before.TotalAlloc) / float64(len(b))
	t.Logf("read %d bytes, allocated %.3fx", len(b), used)
	if used > 1.1 {
		t.Errorf("allocated %.2fx the model's size, want at most 1.1x", used)
	}
}

// FuzzReadStream reads arbitrary bytes from a reader of unknown size,
// every graph element apart: Decode's error, or Decode's model. Its seeds
// are models with every field set, where FuzzDecode's are plain models.
func FuzzReadStream(f *testing.F) {
	for _, depth := range []int{2, 3} {
		src, _ := filledModel(depth)
		b, err := proto.Marshal(src)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:len(b)/2])
	}
	f.Add(ldMNIST(f))
	defer onnxgraph.SetStreamOwn(onnxgraph.SetStreamOwn(1))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := onnxgraph.Decode(b, nil)
		streamSame(t, b, m, err)
	})
}
