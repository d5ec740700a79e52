package onnxgraph_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/internal/suitetest"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"google.golang.org/protobuf/proto"
)

// fzSuiteSeeds returns small models of the backend suite, when installed:
// a spread of node tests plus those with subgraphs, sequences and sparse
// or typed tensors.
func fzSuiteSeeds() [][]byte {
	var out [][]byte
	named := []string{"test_if", "test_loop11", "test_scan9_sum", "test_sequence_map_identity_1_sequence",
		"test_constant", "test_cast_FLOAT_to_STRING", "test_optional_has_element_optional_input"}
	for _, n := range named {
		if b, err := os.ReadFile(suitetest.ModelPath("node/" + n)); err == nil {
			out = append(out, b)
		}
	}
	all := suitetest.List("node")
	for i := 0; i < len(all); i += 40 {
		if b, err := os.ReadFile(all[i]); err == nil && len(b) < 4096 {
			out = append(out, b)
		}
	}
	return out
}

// FuzzDecode decodes arbitrary bytes. It must never panic; a failure must
// be a malformed-model or external-data error; and a model that decodes
// must satisfy the IR's invariants and save back to the same ModelProto
// (protobuf equality with what proto.Unmarshal reads from the input), and
// saving the saved bytes again must give the same bytes.
func FuzzDecode(f *testing.F) {
	mnist := ldMNIST(f)
	f.Add(mnist)
	f.Add(mnist[:len(mnist)/2])
	f.Add(mnist[:200])
	for _, b := range fzSuiteSeeds() {
		f.Add(b)
		f.Add(b[:len(b)*3/4])
	}
	// Odd but valid tensors, and an external reference.
	large := bytes.Repeat([]byte{1}, 300)
	f.Add(ldGraphWith(ldBytes(ldGraphInit, ldMsg(ldTensor("w", large), ldBytes(ldTensorRaw, []byte{2})))))
	f.Add(ldGraphWith(ldBytes(ldGraphNode, ldMsg(ldString(4, "Constant"), ldString(2, "c"),
		ldBytes(ldNodeAttr, ldMsg(ldString(1, "value"), ldVarint(20, 4), ldBytes(ldAttrT, ldTensor("t", large)), ldBytes(ldAttrT, ldTensor("t", large[1:]))))))))
	f.Add(ldGraphWith(ldBytes(ldGraphInit, ldMsg(ldString(ldTensorName, "e"), ldVarint(14, 1),
		ldBytes(13, ldMsg(ldString(1, "location"), ldString(2, "w.bin")))))))
	f.Add(ldNested(30))

	defer onnxgraph.SetStreamOwn(onnxgraph.SetStreamOwn(1)) // every graph element apart
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := onnxgraph.Decode(b, nil)
		streamSame(t, b, m, err)
		if err != nil {
			if !errors.Is(err, onnxgraph.ErrMalformed) && !errors.Is(err, onnxgraph.ErrExternalData) && !errors.Is(err, onnxgraph.ErrUnsafePath) {
				t.Fatalf("unexpected kind of error: %v", err)
			}
			var de *onnxgraph.DecodeError
			var xe *onnxgraph.ExternalDataError
			if !errors.As(err, &de) && !errors.As(err, &xe) {
				t.Fatalf("error without a location: %v", err)
			}
			return
		}
		if err := m.Sanity(); err != nil {
			t.Fatalf("decoded model breaks invariants: %v", err)
		}
		out, err := m.Bytes(nil)
		if err != nil {
			t.Fatalf("decoded model does not save: %v", err)
		}
		var want, got onnxproto.ModelProto
		if err := proto.Unmarshal(b, &want); err != nil {
			t.Fatalf("Decode accepted what proto.Unmarshal refuses: %v", err)
		}
		if err := proto.Unmarshal(out, &got); err != nil {
			t.Fatalf("saved bytes do not unmarshal: %v", err)
		}
		if !proto.Equal(&want, &got) {
			t.Fatalf("saved model differs from the input:\nwant %v\ngot  %v", &want, &got)
		}
		m2, err := onnxgraph.Decode(out, nil)
		if err != nil {
			t.Fatalf("saved bytes do not decode: %v", err)
		}
		if err := m2.Sanity(); err != nil {
			t.Fatalf("re-decoded model breaks invariants: %v", err)
		}
		out2, err := m2.Bytes(nil)
		if err != nil {
			t.Fatalf("re-decoded model does not save: %v", err)
		}
		if !bytes.Equal(out, out2) {
			t.Fatalf("saving is not idempotent: %d then %d bytes", len(out), len(out2))
		}
	})
}

// streamSame checks that reading b from a reader of unknown size, which
// reads by the wire format, gives what Decode gave: the same error, or a
// model that saves to the same bytes.
func streamSame(t *testing.T, b []byte, want *onnxgraph.Model, wantErr error) {
	t.Helper()
	m, err := onnxgraph.Read(struct{ io.Reader }{bytes.NewReader(b)}, nil)
	switch {
	case wantErr != nil || err != nil:
		if fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Fatalf("Read without a size: %v\nDecode: %v", err, wantErr)
		}
	default:
		got, err := m.Bytes(nil)
		if err != nil {
			t.Fatalf("Read without a size: the model does not save: %v", err)
		}
		if w, _ := want.Bytes(nil); !bytes.Equal(got, w) {
			t.Fatalf("Read without a size gives another model than Decode (%d and %d bytes saved)", len(got), len(w))
		}
	}
}
