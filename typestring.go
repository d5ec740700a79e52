package onnxgraph

import (
	"strings"

	"github.com/onnxgraph/onnxgraph/onnxproto"
)

// DataTypeName returns the NumPy-style name of an element type: "float32",
// "int64", "bfloat16", "float8e4m3fn", and so on.
func DataTypeName(dt DataType) string {
	switch dt {
	case Float:
		return "float32"
	case Double:
		return "float64"
	case Float16:
		return "float16"
	case Bool:
		return "bool"
	case String:
		return "string"
	}
	return strings.ToLower(dt.String())
}

// TypeString renders a type as "float32" for tensors, "seq(int64)",
// "map(string,float32)", "optional(...)" or "sparse(float32)"; "" for nil.
func TypeString(t *onnxproto.TypeProto) string {
	switch v := t.GetValue().(type) {
	case *onnxproto.TypeProto_TensorType:
		return DataTypeName(DataType(v.TensorType.GetElemType()))
	case *onnxproto.TypeProto_SequenceType:
		return "seq(" + TypeString(v.SequenceType.GetElemType()) + ")"
	case *onnxproto.TypeProto_MapType:
		return "map(" + DataTypeName(DataType(v.MapType.GetKeyType())) + "," + TypeString(v.MapType.GetValueType()) + ")"
	case *onnxproto.TypeProto_OptionalType:
		return "optional(" + TypeString(v.OptionalType.GetElemType()) + ")"
	case *onnxproto.TypeProto_SparseTensorType:
		return "sparse(" + DataTypeName(DataType(v.SparseTensorType.GetElemType())) + ")"
	}
	return ""
}
