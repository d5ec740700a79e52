package onnxgraph

import (
	"testing"

	"github.com/onnxgraph/onnxgraph/onnxproto"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// TestShallowCopies checks the field-by-field copies against the
// reflective one on messages with every field set, and against the
// descriptors: a field added to onnx.proto fails here until the copy
// handles it.
func TestShallowCopies(t *testing.T) {
	for _, tc := range []struct {
		msg    proto.Message
		fields int
		copy   func(proto.Message) proto.Message
	}{
		{&onnxproto.TensorProto{}, 15, func(m proto.Message) proto.Message { return shallowTensor(m.(*onnxproto.TensorProto)) }},
		{&onnxproto.NodeProto{}, 10, func(m proto.Message) proto.Message { return shallowNode(m.(*onnxproto.NodeProto)) }},
		{&onnxproto.AttributeProto{}, 18, func(m proto.Message) proto.Message { return shallowAttr(m.(*onnxproto.AttributeProto)) }},
	} {
		md := tc.msg.ProtoReflect().Descriptor()
		if n := md.Fields().Len(); n != tc.fields {
			t.Errorf("%s has %d fields, the copy handles %d", md.FullName(), n, tc.fields)
		}
		src := tc.msg.ProtoReflect().New()
		fillAll(src, 2)
		src.SetUnknown(protoreflect.RawFields{0xa8, 0x1f, 0x01}) // field 501, varint 1
		got, want := tc.copy(src.Interface()), shallowReflect(src.Interface())
		if !proto.Equal(got, want) || !proto.Equal(got, src.Interface()) {
			t.Errorf("%s: the copy differs from the reflective one", md.FullName())
		}
	}
}

// fillAll sets every field of m (messages to depth d).
func fillAll(m protoreflect.Message, d int) {
	fields := m.Descriptor().Fields()
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		if fd.Message() != nil {
			if d == 0 || fd.IsMap() {
				continue
			}
			if fd.IsList() {
				e := m.Mutable(fd).List().AppendMutable()
				fillAll(e.Message(), d-1)
			} else {
				fillAll(m.Mutable(fd).Message(), d-1)
			}
			continue
		}
		var v protoreflect.Value
		switch fd.Kind() {
		case protoreflect.StringKind:
			v = protoreflect.ValueOfString("s" + string(fd.Name()))
		case protoreflect.BytesKind:
			v = protoreflect.ValueOfBytes([]byte("b"))
		case protoreflect.FloatKind:
			v = protoreflect.ValueOfFloat32(1.5)
		case protoreflect.DoubleKind:
			v = protoreflect.ValueOfFloat64(2.5)
		case protoreflect.EnumKind:
			v = protoreflect.ValueOfEnum(1)
		case protoreflect.BoolKind:
			v = protoreflect.ValueOfBool(true)
		case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
			v = protoreflect.ValueOfInt32(3)
		case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
			v = protoreflect.ValueOfUint32(3)
		case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
			v = protoreflect.ValueOfUint64(4)
		default:
			v = protoreflect.ValueOfInt64(4)
		}
		if fd.IsList() {
			m.Mutable(fd).List().Append(v)
		} else {
			m.Set(fd, v)
		}
	}
}
