package opschema

import "strconv"

// AttrType is the type of an attribute. Its values are those of the ONNX
// AttributeProto.AttributeType enum, so it converts directly to and from
// the protobuf enum.
type AttrType int32

// Attribute types, numbered as in AttributeProto.AttributeType.
const (
	AttrUndefined     AttrType = 0
	AttrFloat         AttrType = 1
	AttrInt           AttrType = 2
	AttrString        AttrType = 3
	AttrTensor        AttrType = 4
	AttrGraph         AttrType = 5
	AttrFloats        AttrType = 6
	AttrInts          AttrType = 7
	AttrStrings       AttrType = 8
	AttrTensors       AttrType = 9
	AttrGraphs        AttrType = 10
	AttrSparseTensor  AttrType = 11
	AttrSparseTensors AttrType = 12
	AttrTypeProto     AttrType = 13
	AttrTypeProtos    AttrType = 14
)

var attrTypeNames = [...]string{
	AttrUndefined:     "UNDEFINED",
	AttrFloat:         "FLOAT",
	AttrInt:           "INT",
	AttrString:        "STRING",
	AttrTensor:        "TENSOR",
	AttrGraph:         "GRAPH",
	AttrFloats:        "FLOATS",
	AttrInts:          "INTS",
	AttrStrings:       "STRINGS",
	AttrTensors:       "TENSORS",
	AttrGraphs:        "GRAPHS",
	AttrSparseTensor:  "SPARSE_TENSOR",
	AttrSparseTensors: "SPARSE_TENSORS",
	AttrTypeProto:     "TYPE_PROTO",
	AttrTypeProtos:    "TYPE_PROTOS",
}

// String returns the ONNX enum name of t, such as "INTS".
func (t AttrType) String() string {
	if t >= 0 && int(t) < len(attrTypeNames) {
		return attrTypeNames[t]
	}
	return "AttrType(" + strconv.Itoa(int(t)) + ")"
}

// IsList reports whether t is a repeated type (FLOATS, INTS, ...).
func (t AttrType) IsList() bool {
	switch t {
	case AttrFloats, AttrInts, AttrStrings, AttrTensors, AttrGraphs, AttrSparseTensors, AttrTypeProtos:
		return true
	}
	return false
}
