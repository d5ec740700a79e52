package schemagen

import (
	"fmt"
	"strings"
)

// attrKind describes one ONNX attribute type: the Go identifier of the
// matching opschema.AttrType constant and how its defaults are parsed.
type attrKind struct {
	ident string      // opschema constant, e.g. "AttrInts"
	value defaultKind // how a default of this type is parsed
}

// defaultKind says which typed field of a default is filled.
type defaultKind int

const (
	rawOnly     defaultKind = iota // no typed value: tensors, graphs, type protos
	kindInt                        // Default.Int
	kindFloat                      // Default.Float
	kindString                     // Default.String
	kindInts                       // Default.Ints
	kindFloats                     // Default.Floats
	kindStrings                    // Default.Strings
)

// attrKinds is keyed by the lower-case name of the ONNX
// AttributeProto.AttributeType enum value. The data file writes the scalar
// types under that name ("int", "sparse_tensor") and the repeated ones as
// "list of " + name ("list of ints", "list of sparse_tensors"), which is how
// the ONNX documentation generator prints them.
var attrKinds = map[string]attrKind{
	"float":          {"AttrFloat", kindFloat},
	"int":            {"AttrInt", kindInt},
	"string":         {"AttrString", kindString},
	"tensor":         {"AttrTensor", rawOnly},
	"graph":          {"AttrGraph", rawOnly},
	"floats":         {"AttrFloats", kindFloats},
	"ints":           {"AttrInts", kindInts},
	"strings":        {"AttrStrings", kindStrings},
	"tensors":        {"AttrTensors", rawOnly},
	"graphs":         {"AttrGraphs", rawOnly},
	"sparse_tensor":  {"AttrSparseTensor", rawOnly},
	"sparse_tensors": {"AttrSparseTensors", rawOnly},
	"type_proto":     {"AttrTypeProto", rawOnly},
	"type_protos":    {"AttrTypeProtos", rawOnly},
}

// lookupAttrType maps a type as written in the data file to its kind.
func lookupAttrType(spec string) (attrKind, error) {
	key := spec
	if rest, ok := strings.CutPrefix(spec, "list of "); ok {
		key = rest
		if !strings.HasSuffix(key, "s") {
			return attrKind{}, fmt.Errorf("opschema: unknown attribute type %q", spec)
		}
	} else if strings.HasSuffix(key, "s") {
		// A bare plural ("ints") is not a form the data file uses.
		return attrKind{}, fmt.Errorf("opschema: unknown attribute type %q", spec)
	}
	k, ok := attrKinds[key]
	if !ok {
		return attrKind{}, fmt.Errorf("opschema: unknown attribute type %q", spec)
	}
	return k, nil
}
