package onnxgraph

import (
	"bytes"
	"fmt"

	"github.com/onnxgraph/onnxgraph/onnxproto"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// encodeDiff reports how the save encoder's bytes for mp differ from
// proto.Marshal's.
func encodeDiff(mp *onnxproto.ModelProto) error {
	want, err := proto.MarshalOptions{}.Marshal(mp)
	if err != nil {
		return err
	}
	for _, hint := range []int64{0, 7, int64(len(want))} { // grown from nothing, from a small buffer, not grown
		got, gaps, size, err := encodeModel(mp, nil, nil, hint)
		if err != nil {
			return err
		}
		if !bytes.Equal(got, want) || len(gaps) != 0 || size != int64(len(got)) {
			return fmt.Errorf("encoder (hint %d) differs from proto.Marshal (size %d, %d gaps):\nwant %x\ngot  %x", hint, size, len(gaps), want, got)
		}
	}
	return nil
}

// saveBytesDiff reports how m.Bytes differs from what protobuf writes for
// the model with the raw_data of each tensor the save streams (those of
// minAlias bytes or more) last, after its unknown fields: the layout of
// saves since they stream tensors.
func saveBytesDiff(m *Model) error {
	got, err := m.Bytes(nil)
	if err != nil {
		return err
	}
	ref := proto.Clone(m.ToProto()).(*onnxproto.ModelProto)
	walkModelTensors(ref, func(t *onnxproto.TensorProto) {
		if t.RawData == nil || t.GetDataLocation() == onnxproto.TensorProto_EXTERNAL {
			return
		}
		if len(t.RawData) >= minAlias {
			u := append([]byte(nil), t.ProtoReflect().GetUnknown()...)
			u = protowire.AppendTag(u, rawDataNum, protowire.BytesType)
			u = protowire.AppendBytes(u, t.RawData)
			t.ProtoReflect().SetUnknown(u)
			t.RawData = nil
		}
	})
	want, err := proto.MarshalOptions{}.Marshal(ref)
	if err != nil {
		return err
	}
	if !bytes.Equal(got, want) {
		return fmt.Errorf("saved bytes differ:\nwant %x\ngot  %x", want, got)
	}
	return nil
}
