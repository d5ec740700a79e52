package protogen

import (
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/descriptorpb"
)

// dataFile describes onnx-data.proto: the containers the ONNX backend test
// suite uses to store sequences, maps and optionals of tensors.
func dataFile() *descriptorpb.FileDescriptorProto {
	kinds := &descriptorpb.EnumDescriptorProto{
		Name: proto.String("DataType"),
		Value: []*descriptorpb.EnumValueDescriptorProto{
			enumValue("UNDEFINED", 0),
			enumValue("TENSOR", 1),
			enumValue("SPARSE_TENSOR", 2),
			enumValue("SEQUENCE", 3),
			enumValue("MAP", 4),
			enumValue("OPTIONAL", 5),
		},
	}
	const (
		opt = descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL
		rep = descriptorpb.FieldDescriptorProto_LABEL_REPEATED
	)
	return &descriptorpb.FileDescriptorProto{
		Name:       proto.String("onnx-data.proto"),
		Package:    proto.String("onnx"),
		Dependency: []string{"onnx.proto"},
		Syntax:     proto.String("proto2"),
		MessageType: []*descriptorpb.DescriptorProto{
			{
				Name:     proto.String("SequenceProto"),
				EnumType: []*descriptorpb.EnumDescriptorProto{kinds},
				Field: []*descriptorpb.FieldDescriptorProto{
					scalar("name", 1, opt, descriptorpb.FieldDescriptorProto_TYPE_STRING),
					scalar("elem_type", 2, opt, descriptorpb.FieldDescriptorProto_TYPE_INT32),
					message("tensor_values", 3, rep, "TensorProto"),
					message("sparse_tensor_values", 4, rep, "SparseTensorProto"),
					message("sequence_values", 5, rep, "SequenceProto"),
					message("map_values", 6, rep, "MapProto"),
					message("optional_values", 7, rep, "OptionalProto"),
				},
			},
			{
				Name: proto.String("MapProto"),
				Field: []*descriptorpb.FieldDescriptorProto{
					scalar("name", 1, opt, descriptorpb.FieldDescriptorProto_TYPE_STRING),
					scalar("key_type", 2, opt, descriptorpb.FieldDescriptorProto_TYPE_INT32),
					scalar("keys", 3, rep, descriptorpb.FieldDescriptorProto_TYPE_INT64),
					scalar("string_keys", 4, rep, descriptorpb.FieldDescriptorProto_TYPE_BYTES),
					message("values", 5, opt, "SequenceProto"),
				},
			},
			{
				Name:     proto.String("OptionalProto"),
				EnumType: []*descriptorpb.EnumDescriptorProto{proto.Clone(kinds).(*descriptorpb.EnumDescriptorProto)},
				Field: []*descriptorpb.FieldDescriptorProto{
					scalar("name", 1, opt, descriptorpb.FieldDescriptorProto_TYPE_STRING),
					scalar("elem_type", 2, opt, descriptorpb.FieldDescriptorProto_TYPE_INT32),
					message("tensor_value", 3, opt, "TensorProto"),
					message("sparse_tensor_value", 4, opt, "SparseTensorProto"),
					message("sequence_value", 5, opt, "SequenceProto"),
					message("map_value", 6, opt, "MapProto"),
					message("optional_value", 7, opt, "OptionalProto"),
				},
			},
		},
	}
}

func enumValue(name string, n int32) *descriptorpb.EnumValueDescriptorProto {
	return &descriptorpb.EnumValueDescriptorProto{Name: proto.String(name), Number: proto.Int32(n)}
}

func scalar(name string, n int32, label descriptorpb.FieldDescriptorProto_Label, typ descriptorpb.FieldDescriptorProto_Type) *descriptorpb.FieldDescriptorProto {
	return &descriptorpb.FieldDescriptorProto{
		Name:     proto.String(name),
		JsonName: proto.String(jsonName(name)),
		Number:   proto.Int32(n),
		Label:    label.Enum(),
		Type:     typ.Enum(),
	}
}

func message(name string, n int32, label descriptorpb.FieldDescriptorProto_Label, typ string) *descriptorpb.FieldDescriptorProto {
	f := scalar(name, n, label, descriptorpb.FieldDescriptorProto_TYPE_MESSAGE)
	f.TypeName = proto.String(".onnx." + typ)
	return f
}

// jsonName is protoc's lowerCamelCase JSON name for a snake_case field.
func jsonName(s string) string {
	out := make([]byte, 0, len(s))
	upper := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' {
			upper = true
			continue
		}
		if upper && 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		upper = false
		out = append(out, c)
	}
	return string(out)
}
