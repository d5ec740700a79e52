package onnxgraph_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// fill sets every field of m, recursively to depth, with values derived
// from a counter, and adds an unknown field to every message, so that a
// round trip that drops anything is caught.
func fill(m protoreflect.Message, depth int, n *int) {
	fields := m.Descriptor().Fields()
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		if fd.ContainingOneof() != nil && !fd.ContainingOneof().IsSynthetic() && fd.ContainingOneof().Fields().Get(0) != fd {
			continue // one member per oneof
		}
		if fd.Message() != nil && depth == 0 {
			continue
		}
		if fd.IsList() {
			l := m.Mutable(fd).List()
			for k := 0; k < 2; k++ {
				if fd.Message() != nil {
					e := l.NewElement()
					fill(e.Message(), depth-1, n)
					l.Append(e)
				} else {
					l.Append(scalar(fd, n))
				}
			}
			continue
		}
		if fd.Message() != nil {
			sub := m.Mutable(fd).Message()
			fill(sub, depth-1, n)
			continue
		}
		m.Set(fd, scalar(fd, n))
	}
	*n++
	u := protowire.AppendTag(nil, 9000+protowire.Number(*n%100), protowire.BytesType)
	m.SetUnknown(protowire.AppendBytes(u, []byte(fmt.Sprintf("unknown-%d", *n))))
}

func scalar(fd protoreflect.FieldDescriptor, n *int) protoreflect.Value {
	*n++
	switch fd.Kind() {
	case protoreflect.StringKind:
		return protoreflect.ValueOfString(fmt.Sprintf("%s_%d", fd.Name(), *n))
	case protoreflect.BytesKind:
		b := make([]byte, 300+*n%7) // large enough to be kept as a view
		for i := range b {
			b[i] = byte(i + *n)
		}
		return protoreflect.ValueOfBytes(b)
	case protoreflect.BoolKind:
		return protoreflect.ValueOfBool(true)
	case protoreflect.EnumKind:
		vals := fd.Enum().Values()
		return protoreflect.ValueOfEnum(vals.Get(*n % vals.Len()).Number())
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return protoreflect.ValueOfInt32(int32(*n))
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return protoreflect.ValueOfInt64(int64(*n))
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return protoreflect.ValueOfUint32(uint32(*n))
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return protoreflect.ValueOfUint64(uint64(*n))
	case protoreflect.FloatKind:
		return protoreflect.ValueOfFloat32(float32(*n) + 0.5)
	case protoreflect.DoubleKind:
		return protoreflect.ValueOfFloat64(float64(*n) + 0.25)
	}
	panic(fd.Kind())
}

// TestLosslessEveryField fills every field of the format (to a depth that
// reaches subgraphs of subgraphs, functions, training_info, sparse
// initializers, quantization annotations, metadata at every level, device
// configurations) plus unknown fields in every message, and checks that
// Decode then Bytes gives an equal message, and that Clone does too.
func TestLosslessEveryField(t *testing.T) {
	for _, depth := range []int{3, 5, 7} {
		t.Run(fmt.Sprint("depth", depth), func(t *testing.T) {
			src, n := filledModel(depth)
			m := decodeProto(t, src)
			if err := m.Sanity(); err != nil {
				t.Fatal(err)
			}
			for name, mm := range map[string]*onnxgraph.Model{"model": m, "clone": m.Clone()} {
				if !proto.Equal(src, protoOf(t, name, edBytes(t, mm))) {
					t.Errorf("%s: round trip lost or changed fields (%d fields set)", name, n)
				}
			}
		})
	}
}

// filledModel is a model with every field set to depth (see fill), none
// of its tensors external (there is no folder), and the number of fields
// set.
func filledModel(depth int) (*onnxproto.ModelProto, int) {
	src := new(onnxproto.ModelProto)
	n := 0
	fill(src.ProtoReflect(), depth, &n)
	stripExternal(src.ProtoReflect())
	return src, n
}

func stripExternal(m protoreflect.Message) {
	if t, ok := m.Interface().(*onnxproto.TensorProto); ok {
		t.DataLocation = nil
		t.ExternalData = nil
	}
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Message() == nil {
			return true
		}
		if fd.IsList() {
			for i := 0; i < v.List().Len(); i++ {
				stripExternal(v.List().Get(i).Message())
			}
		} else {
			stripExternal(v.Message())
		}
		return true
	})
}

// TestLosslessThroughExternal moves every tensor of a fully filled model,
// wherever it sits (initializers, attributes, sparse tensors, function
// attribute defaults, training_info), to external files and back, and
// checks that nothing else changed.
func TestLosslessThroughExternal(t *testing.T) {
	src := new(onnxproto.ModelProto)
	n := 0
	fill(src.ProtoReflect(), 5, &n)
	stripExternal(src.ProtoReflect())
	b, err := proto.Marshal(src)
	if err != nil {
		t.Fatal(err)
	}
	m, err := onnxgraph.Decode(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []onnxgraph.ExternalMode{onnxgraph.ExternalSingle, onnxgraph.ExternalPerTensor} {
		dir := t.TempDir()
		path := dir + "/m.onnx"
		if err := m.SaveWith(path, &onnxgraph.SaveOptions{External: mode, Threshold: -1}); err != nil {
			t.Fatal(err)
		}
		ext := readProtoFile(t, path)
		external := 0
		walkAllTensors(ext.ProtoReflect(), func(tp *onnxproto.TensorProto) {
			if tp.GetDataLocation() == onnxproto.TensorProto_EXTERNAL && tp.RawData == nil {
				external++
			}
		})
		if external == 0 {
			t.Fatalf("mode %d: no tensor went external", mode)
		}
		back, err := onnxgraph.Open(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		out, err := back.Bytes(&onnxgraph.SaveOptions{External: onnxgraph.ExternalInline})
		if err != nil {
			t.Fatal(err)
		}
		got := new(onnxproto.ModelProto)
		if err := proto.Unmarshal(out, got); err != nil {
			t.Fatal(err)
		}
		if !proto.Equal(src, got) {
			t.Errorf("mode %d: %d tensors out and back in: the model changed", mode, external)
		}
		back.Close()
	}
}

func readProtoFile(t *testing.T, path string) *onnxproto.ModelProto {
	t.Helper()
	return readProto(t, path)
}

func walkAllTensors(m protoreflect.Message, fn func(*onnxproto.TensorProto)) {
	if tp, ok := m.Interface().(*onnxproto.TensorProto); ok {
		fn(tp)
	}
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Message() == nil {
			return true
		}
		if fd.IsList() {
			for i := 0; i < v.List().Len(); i++ {
				walkAllTensors(v.List().Get(i).Message(), fn)
			}
		} else {
			walkAllTensors(v.Message(), fn)
		}
		return true
	})
}

// TestInlineKeepsExternalEntries saves inline tensors that carry
// external_data entries anyway (data_location DEFAULT, or not set): the
// entries are fields of the model and are kept, for a tensor written from
// memory and for one the save streams (large). FuzzDecode found the first.
func TestInlineKeepsExternalEntries(t *testing.T) {
	def := onnxproto.TensorProto_DEFAULT
	for _, tc := range []struct {
		name string
		size int
		loc  *onnxproto.TensorProto_DataLocation
	}{
		{"small, no location", 8, nil},
		{"small, DEFAULT", 8, &def},
		{"large, no location", 1 << 20, nil},
		{"large, DEFAULT", 1 << 20, &def},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name, dt := "w", int32(onnxproto.TensorProto_UINT8)
			src := &onnxproto.ModelProto{Graph: &onnxproto.GraphProto{Initializer: []*onnxproto.TensorProto{{
				Name: &name, DataType: &dt, Dims: []int64{int64(tc.size)}, RawData: bytes.Repeat([]byte{7}, tc.size),
				DataLocation: tc.loc,
				ExternalData: []*onnxproto.StringStringEntryProto{{Key: proto.String("note"), Value: proto.String("kept")}},
			}}}}
			m := decodeProto(t, src)
			path := filepath.Join(t.TempDir(), "m.onnx")
			if err := m.Save(path); err != nil {
				t.Fatal(err)
			}
			for what, out := range map[string][]byte{"Bytes": edBytes(t, m), "Save": must(os.ReadFile(path))} {
				if back := protoOf(t, what, out); !proto.Equal(src, back) {
					t.Errorf("%s: the tensor's fields changed: %v", what, back.Graph.Initializer[0].ExternalData)
				}
			}
		})
	}
}
