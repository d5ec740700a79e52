package onnxgraph

import (
	"strconv"
	"strings"

	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/opschema"
)

// ParseConst reads a constant written as text, as the command line and
// edit scripts give them: a number ("3" is an int64, "0.5" a float64), a
// list ("1,2,3" or "[1,2,3]": []int64, or []float64 when any item is not
// an integer), or "@file.npy" (the *Tensor in that file).
func ParseConst(text string) (any, error) {
	if path, ok := strings.CutPrefix(text, "@"); ok {
		return ReadNPYFile(path)
	}
	s := strings.TrimSpace(text)
	list := strings.HasPrefix(s, "[") || strings.Contains(s, ",")
	var items []string
	for _, it := range strings.Split(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"), ",") {
		if it = strings.TrimSpace(it); it != "" {
			items = append(items, it)
		}
	}
	ints := make([]int64, 0, len(items))
	floats := make([]float64, 0, len(items))
	allInts := true
	for _, it := range items {
		f, err := strconv.ParseFloat(it, 64)
		if err != nil {
			return nil, errorf(ErrInvalid, "%q is not a number", it)
		}
		floats = append(floats, f)
		n, err := strconv.ParseInt(it, 10, 64)
		allInts = allInts && err == nil
		ints = append(ints, n)
	}
	switch {
	case !list && len(items) == 1 && allInts:
		return ints[0], nil
	case !list && len(items) == 1:
		return floats[0], nil
	case !list:
		return nil, errorf(ErrInvalid, "%q is not a number or a list", text)
	case allInts:
		return ints, nil
	}
	return floats, nil
}

// ParseAttr makes attribute name from text: as type typ (the schema's;
// see NewAttr for the forms each type takes), or, when typ is
// AttrUndefined (an attribute no schema declares), as INT, FLOAT, INTS or
// FLOATS when the text reads as numbers, STRINGS when it is another list,
// else STRING.
func ParseAttr(name string, typ opschema.AttrType, text string) (*onnxproto.AttributeProto, error) {
	if typ == opschema.AttrUndefined {
		typ = opschema.AttrString
		if c, err := ParseConst(text); err == nil && !strings.HasPrefix(text, "@") {
			switch c.(type) {
			case int64:
				typ = opschema.AttrInt
			case float64:
				typ = opschema.AttrFloat
			case []int64:
				typ = opschema.AttrInts
			case []float64:
				typ = opschema.AttrFloats
			}
		} else if s := strings.TrimSpace(text); strings.HasPrefix(s, "[") || strings.Contains(s, ",") {
			typ = opschema.AttrStrings
		}
	}
	return NewAttr(name, typ, text)
}
