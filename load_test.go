package onnxgraph_test

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"unsafe"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/internal/suitetest"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/samples"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// Wire-building helpers: a field is its tag and value; a message is its
// fields one after the other.

func ldBytes(num protowire.Number, v []byte) []byte {
	return protowire.AppendBytes(protowire.AppendTag(nil, num, protowire.BytesType), v)
}

func ldString(num protowire.Number, s string) []byte { return ldBytes(num, []byte(s)) }

func ldVarint(num protowire.Number, v uint64) []byte {
	return protowire.AppendVarint(protowire.AppendTag(nil, num, protowire.VarintType), v)
}

func ldMsg(fields ...[]byte) []byte { return bytes.Join(fields, nil) }

// Field numbers of onnx.proto used below.
const (
	ldModelIR      = 1  // ModelProto.ir_version
	ldModelGraph   = 7  // ModelProto.graph
	ldModelOpset   = 8  // ModelProto.opset_import
	ldGraphNode    = 1  // GraphProto.node
	ldGraphInit    = 5  // GraphProto.initializer
	ldGraphInput   = 11 // GraphProto.input
	ldNodeAttr     = 5  // NodeProto.attribute
	ldAttrT        = 5  // AttributeProto.t
	ldAttrG        = 6  // AttributeProto.g
	ldTensorDims   = 1  // TensorProto.dims
	ldTensorType   = 2  // TensorProto.data_type
	ldTensorName   = 8  // TensorProto.name
	ldTensorRaw    = 9  // TensorProto.raw_data
	ldValueType    = 2  // ValueInfoProto.type
	ldTypeSeq      = 4  // TypeProto.sequence_type
	ldSeqElem      = 1  // TypeProto.Sequence.elem_type
	ldOpsetVersion = 2  // OperatorSetIdProto.version
)

// ldTensor encodes a uint8 TensorProto named name holding raw.
func ldTensor(name string, raw []byte) []byte {
	return ldMsg(ldVarint(ldTensorDims, uint64(len(raw))), ldVarint(ldTensorType, 2), ldString(ldTensorName, name), ldBytes(ldTensorRaw, raw))
}

// ldGraphWith encodes a model holding a graph made of the given fields.
func ldGraphWith(fields ...[]byte) []byte {
	return ldMsg(ldVarint(ldModelIR, 8), ldBytes(ldModelGraph, ldMsg(fields...)))
}

// ldNested encodes a graph whose node holds an attribute holding a graph
// whose node ..., levels messages deep below the graph.
func ldNested(levels int) []byte {
	seq := []protowire.Number{ldGraphNode, ldNodeAttr, ldAttrG}
	var inner []byte
	for i := levels - 1; i >= 0; i-- {
		inner = ldBytes(seq[i%3], inner)
	}
	return ldMsg(ldBytes(ldModelGraph, inner))
}

// ldNestedType encodes a graph input whose type is a sequence of sequences
// of ..., levels deep: messages that cannot hold a tensor.
func ldNestedType(levels int) []byte {
	var inner []byte
	for i := 0; i < levels; i++ {
		inner = ldBytes(ldTypeSeq, ldBytes(ldSeqElem, inner))
	}
	vi := ldMsg(ldString(1, "x"), ldBytes(ldValueType, inner))
	return ldGraphWith(ldBytes(ldGraphInput, vi))
}

func ldMNIST(t testing.TB) []byte {
	t.Helper()
	b, err := samples.MNIST().Bytes(nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func ldSuiteModel(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(suitetest.Model(t, "node/test_conv_with_strides_padding"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ldLoaders decodes b the three ways a caller can: from bytes, from a
// reader, and from a file. A panic fails the test.
func ldLoaders(t *testing.T, b []byte) map[string]error {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "model.onnx")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	errs := map[string]error{}
	for name, load := range map[string]func() (*onnxgraph.Model, error){
		"Decode": func() (*onnxgraph.Model, error) { return onnxgraph.Decode(b, nil) },
		"Read":   func() (*onnxgraph.Model, error) { return onnxgraph.Read(bytes.NewReader(b), nil) },
		"Open":   func() (*onnxgraph.Model, error) { return onnxgraph.Open(path, nil) },
	} {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("%s panicked: %v", name, r)
				}
			}()
			m, err := load()
			if err == nil && m == nil {
				t.Fatalf("%s returned neither a model nor an error", name)
			}
			errs[name] = err
		}()
	}
	return errs
}

// ldCheckMalformed checks that err reports malformed input at a path that
// contains path, and that its message says msg.
func ldCheckMalformed(t *testing.T, how string, err error, path, msg string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error, want one about %q at %s", how, msg, path)
		return
	}
	if !errors.Is(err, onnxgraph.ErrMalformed) {
		t.Errorf("%s: %v does not match ErrMalformed", how, err)
	}
	var de *onnxgraph.DecodeError
	if !errors.As(err, &de) {
		t.Errorf("%s: %v is not a *DecodeError", how, err)
		return
	}
	if !strings.HasPrefix(de.Path, "ModelProto") || !strings.Contains(de.Path, path) {
		t.Errorf("%s: path %q, want one containing %q", how, de.Path, path)
	}
	if len(de.Path) > 200 {
		t.Errorf("%s: path is %d bytes long", how, len(de.Path))
	}
	text := err.Error()
	if !strings.HasPrefix(text, "onnxgraph: ") || !strings.Contains(text, msg) || !strings.Contains(text, de.Path) {
		t.Errorf("%s: message %q does not name %q and the path", how, text, msg)
	}
}

func TestDecodeBadInput(t *testing.T) {
	mnist := ldMNIST(t)
	big := bytes.Repeat([]byte{7}, 1000)
	tests := []struct {
		name string
		in   []byte
		path string // a part of the DecodeError's path
		msg  string // a part of the message
	}{
		{"empty file", nil, "ModelProto", "empty input"},
		{"one NUL", []byte{0}, "ModelProto", "invalid field number"},
		{"NUL-filled", make([]byte, 4096), "ModelProto", "invalid field number"},
		{"0xff-filled", bytes.Repeat([]byte{0xff}, 64), "ModelProto", "overflow"},
		{"graph as varint", ldVarint(ldModelGraph, 3), "ModelProto.graph", "wire type varint, want bytes"},
		{"graph as fixed32", protowire.AppendFixed32(protowire.AppendTag(nil, ldModelGraph, protowire.Fixed32Type), 1), "ModelProto.graph", "wire type fixed32"},
		{"ir_version as bytes", ldString(ldModelIR, "8"), "ModelProto.ir_version", "wire type bytes, want varint"},
		{"node as varint", ldGraphWith(ldVarint(ldGraphNode, 1)), "ModelProto.graph.node", "wire type varint"},
		{"raw_data as varint", ldGraphWith(ldBytes(ldGraphInit, ldVarint(ldTensorRaw, 1))), "ModelProto.graph.initializer.raw_data", "wire type varint"},
		{"wire type 7", protowire.AppendTag(nil, 99, 7), "ModelProto", "reserved wire type"},
		{"end group without start", protowire.AppendTag(nil, 99, protowire.EndGroupType), "ModelProto", "end group"},
		{"wire type 7 for a known field", protowire.AppendTag(nil, ldModelIR, 7), "ModelProto.ir_version", "wire type 7, want varint"},
		{"graph length past the end", ldMsg(ldVarint(ldModelIR, 8), []byte{0x3a, 0xe8, 0x07, 1, 2, 3}), "ModelProto.graph", "unexpected EOF"},
		{"graph length overflows", ldMsg([]byte{0x3a}, bytes.Repeat([]byte{0xff}, 10), []byte{1}), "ModelProto.graph", "overflow"},
		{"raw_data length past its tensor", ldGraphWith(ldBytes(ldGraphInit, ldMsg(ldString(ldTensorName, "w"), []byte{0x4a, 0xe8, 0x07}, big[:10]))),
			"ModelProto.graph.initializer.raw_data", "unexpected EOF"},
		{"raw_data length past the file", mnist[:len(mnist)*2/3], "ModelProto.graph", "unexpected EOF"},
		{"nested 20000 deep", ldNested(20000), "ModelProto.graph.node.attribute.g", "nested more than 10000 deep"},
		{"types nested 20000 deep", ldNestedType(20000), "ModelProto.graph.input.type", "nested more than 10000 deep"},
		{"bad field in a value info", ldGraphWith(ldBytes(ldGraphInput, ldMsg(ldString(1, "x"), []byte{0x17}))), "ModelProto.graph.input.type", "wire type 7, want bytes"},
		{"cut packed dims", ldGraphWith(ldBytes(ldGraphInit, ldMsg(ldString(ldTensorName, "w"), ldBytes(ldTensorDims, []byte{0x80})))),
			"ModelProto.graph.initializer.dims", "packed varint values cut short"},
		{"bad field in an opset import", ldMsg(ldVarint(ldModelIR, 8), ldBytes(ldModelOpset, []byte{0x10, 0x80})), "ModelProto.opset_import.version", "unexpected EOF"},
		{"garbage after a model", ldMsg(mnist, []byte{0x3a, 0x05, 0x0a}), "ModelProto.graph", "unexpected EOF"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for how, err := range ldLoaders(t, tc.in) {
				ldCheckMalformed(t, how, err, tc.path, tc.msg)
			}
		})
	}
}

// ldTopLevelEnds returns the offsets at which b's top-level fields end: a
// prefix of b that stops there is a complete, smaller message.
func ldTopLevelEnds(t *testing.T, b []byte) (ends map[int]bool, graph [2]int) {
	t.Helper()
	ends = map[int]bool{}
	for pos := 0; pos < len(b); {
		num, typ, n := protowire.ConsumeTag(b[pos:])
		m := protowire.ConsumeFieldValue(num, typ, b[pos+n:])
		if n < 0 || m < 0 {
			t.Fatalf("bad model at %d", pos)
		}
		if num == ldModelGraph {
			graph = [2]int{pos, pos + n + m}
		}
		pos += n + m
		ends[pos] = true
	}
	return ends, graph
}

// TestDecodeTruncated cuts real models at every byte: each cut inside a
// field is reported as malformed, inside the graph with a path through the
// graph; a cut between two top-level fields is a smaller, valid model and
// decodes to the fields before the cut.
func TestDecodeTruncated(t *testing.T) {
	for name, b := range map[string][]byte{"suite conv model": ldSuiteModel(t), "MNIST": ldMNIST(t)} {
		t.Run(name, func(t *testing.T) {
			ends, graph := ldTopLevelEnds(t, b)
			dir := t.TempDir()
			for n := 1; n < len(b); n++ {
				cut := b[:n]
				m, err := onnxgraph.Decode(cut, nil)
				if _, rerr := onnxgraph.Read(bytes.NewReader(cut), nil); (rerr == nil) != (err == nil) {
					t.Fatalf("cut at %d: Decode says %v, Read says %v", n, err, rerr)
				}
				if n%97 == 0 || ends[n] {
					path := filepath.Join(dir, "cut.onnx")
					if err := os.WriteFile(path, cut, 0o644); err != nil {
						t.Fatal(err)
					}
					if _, oerr := onnxgraph.Open(path, nil); (oerr == nil) != (err == nil) {
						t.Fatalf("cut at %d: Decode says %v, Open says %v", n, err, oerr)
					}
				}
				if ends[n] {
					if err != nil {
						t.Fatalf("cut at field end %d: %v", n, err)
					}
					ldCheckPrefix(t, m, cut)
					continue
				}
				if err == nil {
					t.Fatalf("cut at %d inside a field decoded without error", n)
				}
				var de *onnxgraph.DecodeError
				if !errors.Is(err, onnxgraph.ErrMalformed) || !errors.As(err, &de) {
					t.Fatalf("cut at %d: %v is not a malformed-model error", n, err)
				}
				if de.Offset < 0 || de.Offset > int64(n) {
					t.Errorf("cut at %d: error at offset %d", n, de.Offset)
				}
				wantPath := "ModelProto"
				if n > graph[0] && n < graph[1] {
					wantPath = "ModelProto.graph"
				}
				if !strings.HasPrefix(de.Path, wantPath) || !strings.Contains(err.Error(), "unexpected EOF") {
					t.Fatalf("cut at %d: %v, want unexpected EOF in %s", n, err, wantPath)
				}
			}
		})
	}
}

// ldCheckPrefix checks that m, decoded from a prefix of a model, holds what
// protobuf reads from that prefix.
func ldCheckPrefix(t *testing.T, m *onnxgraph.Model, cut []byte) {
	t.Helper()
	if len(cut) == 0 {
		return
	}
	if err := m.Sanity(); err != nil {
		t.Fatal(err)
	}
	out, err := m.Bytes(nil)
	if err != nil {
		t.Fatal(err)
	}
	var want, got onnxproto.ModelProto
	if err := proto.Unmarshal(cut, &want); err != nil {
		t.Fatal(err)
	}
	if err := proto.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(&want, &got) {
		t.Fatalf("prefix of %d bytes: saved model differs from it", len(cut))
	}
}

// TestDecodeRandomBytes feeds seeded random bytes and random corruptions of
// a real model: none may panic, each failure must be a malformed-model
// error, and whatever decodes must be sane and save.
func TestDecodeRandomBytes(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	mnist := ldMNIST(t)
	failed := 0
	const rounds = 2000
	for i := 0; i < rounds; i++ {
		var b []byte
		if i%2 == 0 {
			b = make([]byte, 1+r.IntN(512))
			for k := range b {
				b[k] = byte(r.Uint32())
			}
		} else {
			b = bytes.Clone(mnist)
			for k := 0; k < 1+r.IntN(8); k++ {
				b[r.IntN(len(b))] = byte(r.Uint32())
			}
		}
		m, err := onnxgraph.Decode(b, nil)
		if err != nil {
			failed++
			var de *onnxgraph.DecodeError
			if !errors.Is(err, onnxgraph.ErrMalformed) || !errors.As(err, &de) {
				t.Fatalf("round %d: %v is not a malformed-model error", i, err)
			}
			continue
		}
		if err := m.Sanity(); err != nil {
			t.Fatalf("round %d: %v", i, err)
		}
		if _, err := m.Bytes(nil); err != nil {
			t.Fatalf("round %d: %v", i, err)
		}
	}
	if failed < rounds/4 {
		t.Errorf("only %d of %d random inputs failed to decode", failed, rounds)
	}
	t.Logf("%d of %d random inputs were malformed", failed, rounds)
}

func TestDecodeEmpty(t *testing.T) {
	for how, err := range ldLoaders(t, []byte{}) {
		ldCheckMalformed(t, how, err, "ModelProto", "empty input")
	}
	// A model with only an IR version is small but not empty: it decodes.
	m, err := onnxgraph.Decode(ldVarint(ldModelIR, 8), nil)
	if err != nil {
		t.Fatal(err)
	}
	if m.IRVersion() != 8 {
		t.Errorf("IR version %d, want 8", m.IRVersion())
	}
}

// TestReadAndOpenErrors checks the failures that are not about the bytes.
func TestReadAndOpenErrors(t *testing.T) {
	boom := errors.New("boom")
	if _, err := onnxgraph.Read(iotest.ErrReader(boom), nil); !errors.Is(err, boom) || errors.Is(err, onnxgraph.ErrMalformed) {
		t.Errorf("Read of a failing reader: %v", err)
	}
	if _, err := onnxgraph.Read(io.MultiReader(bytes.NewReader(ldMNIST(t)[:100]), iotest.ErrReader(boom)), nil); !errors.Is(err, boom) {
		t.Errorf("Read of a reader failing midway: %v", err)
	}
	dir := t.TempDir()
	if _, err := onnxgraph.Open(filepath.Join(dir, "missing.onnx"), nil); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open of a missing file: %v", err)
	}
	if _, err := onnxgraph.Open(dir, nil); err == nil || !strings.HasPrefix(err.Error(), "onnxgraph: ") {
		t.Errorf("Open of a folder: %v", err)
	}
	m := onnxgraph.Load(filepath.Join(dir, "missing.onnx"))
	if err := m.Err(); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load of a missing file: %v", err)
	}
	if err := m.Save(filepath.Join(dir, "out.onnx")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Save after a failed Load: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "out.onnx")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Save after a failed Load wrote a file")
	}
}

// TestDecodeZeroCopy checks that a large raw_data tensor is a view of the
// decoded bytes, not a copy, for Decode, and that a small one is not.
func TestDecodeZeroCopy(t *testing.T) {
	big := make([]byte, 1<<20)
	for i := range big {
		big[i] = byte(i * 7)
	}
	m := onnxgraph.NewModel(8, map[string]int64{"": 13})
	for _, tn := range []*onnxgraph.Tensor{
		ldMust(onnxgraph.NewTensor("big", onnxgraph.Uint8, []int64{int64(len(big))}, big)),
		ldMust(onnxgraph.NewTensor("small", onnxgraph.Uint8, []int64{8}, big[:8])),
	} {
		ldMust(m.Graph().AddInitializer(tn))
	}
	b := ldMust(m.Bytes(nil))
	d := ldMust(onnxgraph.Decode(b, nil))
	within := func(name string) bool {
		v, ok := d.Graph().Value(name)
		if !ok || v.Initializer() == nil {
			t.Fatalf("no initializer %q", name)
		}
		data := ldMust(v.Initializer().Bytes())
		p, lo := uintptr(unsafe.Pointer(unsafe.SliceData(data))), uintptr(unsafe.Pointer(unsafe.SliceData(b)))
		return p >= lo && p+uintptr(len(data)) <= lo+uintptr(len(b))
	}
	if !within("big") {
		t.Error("the 1 MiB tensor was copied on Decode")
	}
	if got := ldMust(ldInit(t, d, "big").Bytes()); !bytes.Equal(got, big) {
		t.Error("the viewed tensor's bytes differ")
	}
}

func ldInit(t *testing.T, m *onnxgraph.Model, name string) *onnxgraph.Tensor {
	t.Helper()
	v, ok := m.Graph().Value(name)
	if !ok || v.Initializer() == nil {
		t.Fatalf("no initializer %q", name)
	}
	return v.Initializer()
}

func ldMust[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestDecodeOddTensors covers wire forms protobuf accepts that the
// zero-copy path must not get wrong: a tensor that already uses the field
// number of the loader's marker, raw_data given twice in one tensor, and a
// tensor attribute given twice (protobuf merges the two). Each must decode
// to what proto.Unmarshal gives and save back to it.
func TestDecodeOddTensors(t *testing.T) {
	large := bytes.Repeat([]byte{1}, 1000)
	small := []byte{2, 2, 2, 2}
	marker := protowire.AppendVarint(protowire.AppendTag(nil, protowire.MaxValidNumber, protowire.VarintType), 3)
	attr := func(tensors ...[]byte) []byte {
		var fields [][]byte
		fields = append(fields, ldString(1, "value"), ldVarint(20, 4)) // name, type TENSOR
		for _, tb := range tensors {
			fields = append(fields, ldBytes(ldAttrT, tb))
		}
		return ldBytes(ldGraphNode, ldMsg(ldString(4, "Constant"), ldString(2, "c"), ldBytes(ldNodeAttr, ldMsg(fields...))))
	}
	tests := []struct {
		name string
		in   []byte
	}{
		{"marker number in use, small", ldGraphWith(ldBytes(ldGraphInit, ldMsg(ldTensor("w", small), marker)))},
		{"marker number in use, large", ldGraphWith(ldBytes(ldGraphInit, ldMsg(ldTensor("w", large), marker)), ldBytes(ldGraphInit, ldTensor("v", large)))},
		{"raw_data large then small", ldGraphWith(ldBytes(ldGraphInit, ldMsg(ldTensor("w", large), ldBytes(ldTensorRaw, small))))},
		{"raw_data small then large", ldGraphWith(ldBytes(ldGraphInit, ldMsg(ldTensor("w", small), ldBytes(ldTensorRaw, large))))},
		{"raw_data large twice", ldGraphWith(ldBytes(ldGraphInit, ldMsg(ldTensor("w", large), ldBytes(ldTensorRaw, large[1:]))))},
		{"attribute tensor twice, large then small", ldGraphWith(attr(ldTensor("t", large), ldBytes(ldTensorRaw, small)))},
		{"attribute tensor twice, small then large", ldGraphWith(attr(ldTensor("t", small), ldTensor("t", large)))},
		{"attribute tensor twice, both large", ldGraphWith(attr(ldTensor("t", large), ldTensor("t", large[10:])))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var want onnxproto.ModelProto
			if err := proto.Unmarshal(tc.in, &want); err != nil {
				t.Fatal(err)
			}
			for how, err := range ldLoaders(t, tc.in) {
				if err != nil {
					t.Errorf("%s: %v", how, err)
				}
			}
			m, err := onnxgraph.Decode(tc.in, nil)
			if err != nil {
				t.Fatal(err)
			}
			out, err := m.Bytes(nil)
			if err != nil {
				t.Fatal(err)
			}
			var got onnxproto.ModelProto
			if err := proto.Unmarshal(out, &got); err != nil {
				t.Fatal(err)
			}
			if !proto.Equal(&want, &got) {
				t.Errorf("saved model differs from the input:\nwant %v\ngot  %v", &want, &got)
			}
			for _, mode := range []onnxgraph.ExternalMode{onnxgraph.ExternalInline, onnxgraph.ExternalSingle} {
				dir := t.TempDir()
				path := filepath.Join(dir, "m.onnx")
				if err := m.SaveWith(path, &onnxgraph.SaveOptions{External: mode, Threshold: 100}); err != nil {
					t.Fatalf("save mode %d: %v", mode, err)
				}
				back, err := onnxgraph.Open(path, nil)
				if err != nil {
					t.Fatalf("save mode %d: reopen: %v", mode, err)
				}
				for _, v := range back.Graph().Initializers() {
					if got, want := ldMust(v.Initializer().Bytes()), ldMust(ldInit(t, m, v.Name()).Bytes()); !bytes.Equal(got, want) {
						t.Errorf("save mode %d: tensor %q changed", mode, v.Name())
					}
				}
				back.Close()
			}
		})
	}
}
