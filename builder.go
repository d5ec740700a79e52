package onnxgraph

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/opschema"
	"google.golang.org/protobuf/proto"
)

// ---------------------------------------------------------------------------
// Element types and attribute values.

// ParseDataType returns the element type called name: a NumPy-style name as
// DataTypeName gives ("float32", "int64", "bool", "float16", "bfloat16"),
// ONNX's name in any case ("FLOAT", "double", "int64"), or the spelling of
// ONNX type constraints ("float" for float32, "double" for float64).
func ParseDataType(name string) (DataType, error) {
	s := strings.ToLower(strings.TrimSpace(name))
	s = strings.TrimSuffix(strings.TrimPrefix(s, "tensor("), ")")
	switch s {
	case "float32", "float", "f32", "fp32":
		return Float, nil
	case "float64", "double", "f64", "fp64":
		return Double, nil
	case "float16", "half", "f16", "fp16":
		return Float16, nil
	case "bool", "bool_", "boolean":
		return Bool, nil
	case "str", "string", "unicode":
		return String, nil
	}
	for k, n := range onnxproto.TensorProto_DataType_name {
		if k != 0 && strings.ToLower(n) == s {
			return DataType(k), nil
		}
	}
	return 0, errorf(ErrInvalid, "unknown element type %q", name)
}

// constraintName is how type constraints spell dt: "tensor(float)".
func constraintName(dt DataType) string {
	return "tensor(" + strings.ToLower(dt.String()) + ")"
}

// NewAttr returns attribute name of type typ holding v. v may be a Go value
// of a fitting kind (int, int64 and the other integers, bool for INT;
// float32, float64 or an integer for FLOAT; string for STRING; slices of
// those for the list types; *Tensor for TENSOR; an *AttributeProto of the
// same type), or text, parsed per typ: "3", "1e-5", "0,2,3,1" or
// "[0, 2, 3, 1]" for lists, "a,b" for STRINGS. Text for a STRING attribute
// is taken as it is. typ AttrUndefined infers the type from v (text is then
// read as INT, FLOAT, INTS or FLOATS when it parses so, else as STRING).
// Graph attributes cannot be made this way.
func NewAttr(name string, typ opschema.AttrType, v any) (*onnxproto.AttributeProto, error) {
	bad := func(format string, args ...any) error {
		return culprit(name, errorf(ErrSchema, "attribute %q: "+format, append([]any{name}, args...)...))
	}
	if p, ok := v.(*onnxproto.AttributeProto); ok {
		if typ != opschema.AttrUndefined && opschema.AttrType(p.GetType()) != typ {
			return nil, bad("is %v, want %v", opschema.AttrType(p.GetType()), typ)
		}
		q := proto.Clone(p).(*onnxproto.AttributeProto)
		q.Name = proto.String(name)
		return q, nil
	}
	if typ == opschema.AttrUndefined {
		typ = inferAttrType(v)
		if typ == opschema.AttrUndefined {
			return nil, bad("cannot tell the type of %T", v)
		}
	}
	if s, ok := v.(string); ok && typ != opschema.AttrString {
		parsed, err := parseAttrText(typ, s)
		if err != nil {
			return nil, bad("%q is not %s", s, attrTypeDesc(typ))
		}
		v = parsed
	}
	switch typ {
	case opschema.AttrInt:
		i, ok := asInt(v)
		if !ok {
			return nil, bad("%v is not %s", describe(v), attrTypeDesc(typ))
		}
		return AttrInt(name, i), nil
	case opschema.AttrFloat:
		f, ok := asFloat(v)
		if !ok {
			return nil, bad("%v is not %s", describe(v), attrTypeDesc(typ))
		}
		return AttrFloat(name, float32(f)), nil
	case opschema.AttrString:
		switch s := v.(type) {
		case string:
			return AttrString(name, s), nil
		case []byte:
			return AttrString(name, string(s)), nil
		}
		return nil, bad("%v is not %s", describe(v), attrTypeDesc(typ))
	case opschema.AttrInts:
		is, ok := asInts(v)
		if !ok {
			return nil, bad("%v is not INTS", describe(v))
		}
		return AttrInts(name, is...), nil
	case opschema.AttrFloats:
		fs, ok := asFloats(v)
		if !ok {
			return nil, bad("%v is not FLOATS", describe(v))
		}
		f32 := make([]float32, len(fs))
		for i, f := range fs {
			f32[i] = float32(f)
		}
		return AttrFloats(name, f32...), nil
	case opschema.AttrStrings:
		ss, ok := v.([]string)
		if !ok {
			return nil, bad("%v is not STRINGS", describe(v))
		}
		a := &onnxproto.AttributeProto{Name: proto.String(name), Type: onnxproto.AttributeProto_STRINGS.Enum()}
		for _, s := range ss {
			a.Strings = append(a.Strings, []byte(s))
		}
		return a, nil
	case opschema.AttrTensor:
		t, ok := v.(*Tensor)
		if !ok {
			return nil, bad("%v is not a TENSOR", describe(v))
		}
		return AttrTensor(name, t), nil
	}
	return nil, bad("attributes of type %v cannot be set from %v", typ, describe(v))
}

// attrTypeDesc names an attribute type in a sentence: "an INT", "INTS".
func attrTypeDesc(t opschema.AttrType) string {
	switch t {
	case opschema.AttrInt:
		return "an INT"
	case opschema.AttrFloat, opschema.AttrString, opschema.AttrTensor:
		return "a " + t.String()
	}
	return t.String()
}

func describe(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprintf("%v (%T)", v, v)
}

// inferAttrType guesses an attribute type from a Go value.
func inferAttrType(v any) opschema.AttrType {
	switch x := v.(type) {
	case int, int8, int16, int32, int64, uint8, uint16, uint32, uint64, uint, bool:
		return opschema.AttrInt
	case float32, float64:
		return opschema.AttrFloat
	case []byte:
		return opschema.AttrString
	case []int, []int32, []int64:
		return opschema.AttrInts
	case []float32, []float64:
		return opschema.AttrFloats
	case []string:
		return opschema.AttrStrings
	case *Tensor:
		return opschema.AttrTensor
	case string:
		for _, t := range []opschema.AttrType{opschema.AttrInt, opschema.AttrFloat, opschema.AttrInts, opschema.AttrFloats} {
			if _, err := parseAttrText(t, x); err == nil {
				return t
			}
		}
		return opschema.AttrString
	}
	return opschema.AttrUndefined
}

// parseAttrText reads text as a value of type t.
func parseAttrText(t opschema.AttrType, s string) (any, error) {
	s = strings.TrimSpace(s)
	list := func() []string {
		s := strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"))
		if s == "" {
			return nil
		}
		parts := strings.Split(s, ",")
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		return parts
	}
	switch t {
	case opschema.AttrInt:
		return strconv.ParseInt(s, 10, 64)
	case opschema.AttrFloat:
		return parseFloatText(s)
	case opschema.AttrInts:
		out := []int64{}
		for _, p := range list() {
			i, err := strconv.ParseInt(p, 10, 64)
			if err != nil {
				return nil, err
			}
			out = append(out, i)
		}
		return out, nil
	case opschema.AttrFloats:
		out := []float64{}
		for _, p := range list() {
			f, err := parseFloatText(p)
			if err != nil {
				return nil, err
			}
			out = append(out, f)
		}
		return out, nil
	case opschema.AttrStrings:
		out := []string{}
		for _, p := range list() {
			out = append(out, strings.Trim(p, `"'`))
		}
		return out, nil
	}
	return nil, fmt.Errorf("no text form")
}

// parseFloatText reads a float, accepting "inf", "-inf" and "nan".
func parseFloatText(s string) (float64, error) {
	return strconv.ParseFloat(strings.TrimSpace(s), 64)
}

func asInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int:
		return int64(x), true
	case int8:
		return int64(x), true
	case int16:
		return int64(x), true
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case uint8:
		return int64(x), true
	case uint16:
		return int64(x), true
	case uint32:
		return int64(x), true
	case uint:
		if uint64(x) <= math.MaxInt64 {
			return int64(x), true
		}
	case uint64:
		if x <= math.MaxInt64 {
			return int64(x), true
		}
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

func asFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float32:
		return float64(x), true
	case float64:
		return x, true
	}
	if i, ok := asInt(v); ok {
		if _, isBool := v.(bool); !isBool {
			return float64(i), true
		}
	}
	return 0, false
}

func asInts(v any) ([]int64, bool) {
	switch x := v.(type) {
	case []int64:
		return append([]int64{}, x...), true
	case []int:
		out := make([]int64, len(x))
		for i, e := range x {
			out[i] = int64(e)
		}
		return out, true
	case []int32:
		out := make([]int64, len(x))
		for i, e := range x {
			out[i] = int64(e)
		}
		return out, true
	}
	return nil, false
}

func asFloats(v any) ([]float64, bool) {
	switch x := v.(type) {
	case []float64:
		return append([]float64{}, x...), true
	case []float32:
		out := make([]float64, len(x))
		for i, e := range x {
			out[i] = float64(e)
		}
		return out, true
	}
	if is, ok := asInts(v); ok {
		out := make([]float64, len(is))
		for i, e := range is {
			out[i] = float64(e)
		}
		return out, true
	}
	return nil, false
}

// tensorOf makes a tensor of element type dt from a Go value: a *Tensor
// (converted when its type differs and the values allow), a number, a
// slice of numbers, bools or strings, or text ("1,2,3", "[0.5, 1]"). dims
// nil means a scalar for a single number and a 1-D tensor for a slice.
func tensorOf(name string, dt DataType, dims []int64, v any) (*Tensor, error) {
	if t, ok := v.(*Tensor); ok {
		if dt == 0 || t.DataType() == dt {
			tp := shallow(t.p)
			tp.Name = proto.String(name)
			return t.with(tp), nil
		}
		vals, err := t.Values()
		if err != nil {
			return nil, err
		}
		v, dims = vals, t.Dims()
	}
	if s, ok := v.(string); ok && dt != String {
		s = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), "["), "]"))
		var parts []string
		if s != "" {
			parts = strings.Split(s, ",")
		}
		if isFloatType(dt) {
			fs := make([]float64, len(parts))
			for i, p := range parts {
				f, err := parseFloatText(p)
				if err != nil {
					return nil, errorf(ErrInvalid, "tensor %q: %q is not a number", name, strings.TrimSpace(p))
				}
				fs[i] = f
			}
			v = fs
		} else if dt == Bool {
			bs := make([]bool, len(parts))
			for i, p := range parts {
				b, err := strconv.ParseBool(strings.TrimSpace(p))
				if err != nil {
					return nil, errorf(ErrInvalid, "tensor %q: %q is not a bool", name, strings.TrimSpace(p))
				}
				bs[i] = b
			}
			v = bs
		} else {
			is := make([]int64, len(parts))
			for i, p := range parts {
				n, err := strconv.ParseInt(strings.TrimSpace(p), 10, 64)
				if err != nil {
					return nil, errorf(ErrInvalid, "tensor %q: %q is not an integer", name, strings.TrimSpace(p))
				}
				is[i] = n
			}
			v = is
		}
		if dims == nil {
			dims = []int64{int64(lenOf(v))}
		}
	}
	scalar := false
	switch x := v.(type) {
	case bool:
		v, scalar = []bool{x}, true
	case string:
		v, scalar = []string{x}, true
	case float32, float64:
		f, _ := asFloat(x)
		v, scalar = []float64{f}, true
	default:
		if i, ok := asInt(x); ok {
			v, scalar = []int64{i}, true
		}
	}
	if dims == nil {
		if scalar {
			dims = []int64{}
		} else {
			dims = []int64{int64(lenOf(v))}
		}
	}
	if dt == 0 {
		switch v.(type) {
		case []float64:
			dt = Float
		case []float32:
			dt = Float
		case []bool:
			dt = Bool
		case []string:
			dt = String
		default:
			dt = Int64
		}
	}
	// NewTensorOf refuses integers into floats and the reverse; convert.
	if isFloatType(dt) {
		if is, ok := asInts(v); ok {
			fs := make([]float64, len(is))
			for i, x := range is {
				fs[i] = float64(x)
			}
			v = fs
		}
	} else if fs, ok := v.([]float64); ok && dt != Bool && dt != String {
		is := make([]int64, len(fs))
		for i, f := range fs {
			if f != math.Trunc(f) || math.IsInf(f, 0) || math.IsNaN(f) {
				return nil, errorf(ErrInvalid, "tensor %q: %v is not an integer", name, f)
			}
			is[i] = int64(f)
		}
		v = is
	} else if fs, ok := v.([]float32); ok && dt != Bool && dt != String {
		is := make([]int64, len(fs))
		for i, f := range fs {
			if float64(f) != math.Trunc(float64(f)) {
				return nil, errorf(ErrInvalid, "tensor %q: %v is not an integer", name, f)
			}
			is[i] = int64(f)
		}
		v = is
	}
	if n := NumElements(dims); n >= 0 && int64(lenOf(v)) != n {
		return nil, culprit(name, errorf(ErrShape, "tensor %q: %d values for shape %v", name, lenOf(v), dims))
	}
	return NewTensorOf(name, dt, dims, v)
}

func lenOf(v any) int {
	switch x := v.(type) {
	case []float64:
		return len(x)
	case []float32:
		return len(x)
	case []int64:
		return len(x)
	case []int:
		return len(x)
	case []int32:
		return len(x)
	case []bool:
		return len(x)
	case []string:
		return len(x)
	case []uint8:
		return len(x)
	case []int8:
		return len(x)
	case []int16:
		return len(x)
	case []uint16:
		return len(x)
	case []uint32:
		return len(x)
	case []uint64:
		return len(x)
	}
	return -1
}

// ---------------------------------------------------------------------------
// Helpers shared by the edits: constants, node insertion, shapes.

// constOf returns the tensor a value holds when it is a constant: an
// initializer that is not also a graph input (callers may override those),
// or the output of a Constant node (value, or the value_* forms). ok is
// false otherwise.
func constOf(v *Value) (*Tensor, bool) {
	if v == nil {
		return nil, false
	}
	if v.init != nil {
		if v.input && v.graph.model.IRVersion() >= 4 {
			// An overridable default. Before IR 4 every initializer had to
			// be an input: there, as in ONNX Runtime, it is a constant.
			return nil, false
		}
		return v.graph.model.tensor(v.init), true
	}
	n := v.producer
	if n == nil || n.OpType() != "Constant" || !isDefaultDomain(n.Domain()) {
		return nil, false
	}
	for _, a := range n.p.GetAttribute() {
		var t *Tensor
		var err error
		switch a.GetName() {
		case "value":
			if a.T != nil {
				return v.graph.model.tensor(a.T), true
			}
		case "value_int":
			t, err = NewTensorOf(v.name, Int64, []int64{}, []int64{a.GetI()})
		case "value_ints":
			t, err = NewTensorOf(v.name, Int64, []int64{int64(len(a.Ints))}, a.Ints)
		case "value_float":
			t, err = NewTensorOf(v.name, Float, []int64{}, []float32{a.GetF()})
		case "value_floats":
			t, err = NewTensorOf(v.name, Float, []int64{int64(len(a.Floats))}, a.Floats)
		default:
			continue
		}
		if err == nil && t != nil {
			return t, true
		}
	}
	return nil, false
}

// constInts returns the integers a constant value holds.
func constInts(v *Value) ([]int64, bool) {
	t, ok := constOf(v)
	if !ok {
		return nil, false
	}
	is, err := t.Int64s()
	return is, err == nil
}

// constFloats returns the numbers a constant floating-point value holds.
func constFloats(v *Value) ([]float64, bool) {
	t, ok := constOf(v)
	if !ok {
		return nil, false
	}
	fs, err := t.Float64s()
	return fs, err == nil
}

// inFunction reports whether g is a function body or nested in one, where
// constants must be Constant nodes (function bodies have no initializers).
func inFunction(g *Graph) bool {
	for x := g; x != nil; x = x.outer() {
		if x.fn != nil {
			return true
		}
	}
	return false
}

// addConst adds t as a constant of g named base (made unique): an
// initializer, or a Constant node at the front of g inside a function body.
func addConst(g *Graph, base string, t *Tensor) *Value {
	name := g.UniqueName(base)
	tp := shallow(t.p)
	tp.Name = proto.String(name)
	t = t.with(tp)
	if !inFunction(g) {
		v, err := g.AddInitializer(t)
		if err != nil {
			panic("onnxgraph: addConst: " + err.Error()) // the name is unique
		}
		return v
	}
	n, err := insertNode(g, firstNode(g), "", "Constant", nil, []string{name}, AttrTensor("value", t))
	if err != nil {
		panic("onnxgraph: addConst: " + err.Error())
	}
	n.SetName(uniqueNodeNameIn(g, name))
	return n.outputs[0]
}

// addInt64s adds a 1-D int64 constant.
func addInt64s(g *Graph, base string, vals []int64) *Value {
	t, err := NewTensorOf(base, Int64, []int64{int64(len(vals))}, vals)
	if err != nil {
		panic("onnxgraph: addInt64s: " + err.Error())
	}
	return addConst(g, base, t)
}

func firstNode(g *Graph) *Node {
	if len(g.nodes) == 0 {
		return nil
	}
	return g.nodes[0]
}

// insertNode adds a node to g placed just before node before (at the end
// when before is nil), so that a graph in order stays in order when the new
// node reads only values available before it.
func insertNode(g *Graph, before *Node, domain, op string, inputs []*Value, outputs []string, attrs ...*onnxproto.AttributeProto) (*Node, error) {
	n, err := g.AddNodeIn(domain, op, inputs, outputs, attrs...)
	if err != nil {
		return nil, err
	}
	if before != nil {
		if i := slices.Index(g.nodes, before); i >= 0 {
			g.nodes = slices.Insert(g.nodes[:len(g.nodes)-1], i, n)
		}
	}
	return n, nil
}

// insertNodeAfter adds a node to g just after node after (at the front when
// after is nil).
func insertNodeAfter(g *Graph, after *Node, domain, op string, inputs []*Value, outputs []string, attrs ...*onnxproto.AttributeProto) (*Node, error) {
	n, err := g.AddNodeIn(domain, op, inputs, outputs, attrs...)
	if err != nil {
		return nil, err
	}
	pos := 0
	if after != nil {
		if i := slices.Index(g.nodes, after); i >= 0 {
			pos = i + 1
		}
	}
	g.nodes = slices.Insert(g.nodes[:len(g.nodes)-1], pos, n)
	return n, nil
}

// uniqueNodeNameIn returns base, or base_N, unused as a node name anywhere
// in the tree of graphs g belongs to.
func uniqueNodeNameIn(g *Graph, base string) string {
	root := g
	for root.outer() != nil {
		root = root.outer()
	}
	used := map[string]bool{}
	root.Walk(func(s *Graph) bool {
		for _, n := range s.nodes {
			used[n.Name()] = true
		}
		return true
	})
	if !used[base] {
		return base
	}
	for i := 1; ; i++ {
		if c := base + "_" + itoa(i); !used[c] {
			return c
		}
	}
}

// typeOfValue returns v's type from typeOf when it knows it, else its
// declared type.
func typeOfValue(v *Value, typeOf func(*Value) *onnxproto.TypeProto) *onnxproto.TypeProto {
	if v == nil {
		return nil
	}
	if typeOf != nil {
		if t := typeOf(v); t != nil && t.GetValue() != nil {
			return t
		}
	}
	return v.Type()
}

// rankOf returns v's rank, or -1 when unknown.
func rankOf(v *Value, typeOf func(*Value) *onnxproto.TypeProto) int {
	tt := typeOfValue(v, typeOf).GetTensorType()
	if tt == nil || tt.Shape == nil {
		if t, ok := constOf(v); ok {
			return len(t.Dims())
		}
		if p := v.producer; p != nil && p.OpType() == "Flatten" && isDefaultDomain(p.Domain()) {
			return 2
		}
		return -1
	}
	return len(tt.Shape.Dim)
}

// elemOf returns v's element type, or UNDEFINED: from a constant, a
// declared type or typeOf, else followed back through producers whose
// schema gives the output the type of an input.
func elemOf(v *Value, typeOf func(*Value) *onnxproto.TypeProto) DataType {
	for depth := 0; v != nil && depth < 64; depth++ {
		if t, ok := constOf(v); ok {
			return t.DataType()
		}
		if tt := typeOfValue(v, typeOf).GetTensorType(); tt != nil && tt.GetElemType() != 0 {
			return DataType(tt.GetElemType())
		}
		v = sameTypeInput(v)
	}
	return 0
}

// sameTypeInput returns an input of v's producer that its schema says has
// v's element type, or nil.
func sameTypeInput(v *Value) *Value {
	n := v.producer
	if n == nil || v.graph.model == nil {
		return nil
	}
	s := v.graph.model.schemaOf(n)
	if s == nil {
		return nil
	}
	f, ok := s.OutputFormal(v.index)
	if !ok {
		return nil
	}
	if _, param := s.TypeConstraint(f.Type); !param {
		return nil
	}
	for i, in := range n.inputs {
		if g, ok := s.InputFormal(i); ok && in != nil && g.Type == f.Type {
			return in
		}
	}
	return nil
}

// dimsOf returns v's shape as Dims, or nil when the rank is unknown.
func dimsOf(v *Value, typeOf func(*Value) *onnxproto.TypeProto) []Dim {
	tt := typeOfValue(v, typeOf).GetTensorType()
	if tt == nil || tt.Shape == nil {
		if t, ok := constOf(v); ok {
			return Dims(t.Dims()...)
		}
		return nil
	}
	out := make([]Dim, len(tt.Shape.Dim))
	for i, d := range tt.Shape.Dim {
		out[i] = dimFromProto(d)
	}
	return out
}

func dimFromProto(d *onnxproto.TensorShapeProto_Dimension) Dim {
	switch x := d.GetValue().(type) {
	case *onnxproto.TensorShapeProto_Dimension_DimValue:
		return Dim{Size: x.DimValue}
	case *onnxproto.TensorShapeProto_Dimension_DimParam:
		return Dim{Size: -1, Param: x.DimParam}
	}
	return DimUnknown
}

// ---------------------------------------------------------------------------
// Builder.

// Attrs holds attribute values by name for Builder.Op and Builder.Node.
// Values are converted to the types the operator's schema declares, as
// NewAttr does: Go values of a fitting kind, or text.
type Attrs map[string]any

// NodeSpec describes a node for Builder.Node.
type NodeSpec struct {
	Op     string // operator type, e.g. "Conv"
	Domain string // "" for the default ONNX domain
	Name   string // node name, "" for OpType_N; made unique and scoped
	// Inputs are *Value (nil for a missing optional input) or constant
	// data (a *Tensor, a number or a slice of numbers), which becomes an
	// initializer of the type the schema binds for that input.
	Inputs []any
	Attrs  Attrs
	// Outputs names the outputs ("" for a missing optional one); when
	// empty, NumOutputs outputs (default: the schema's minimum, at least
	// one) are named after the node.
	Outputs    []string
	NumOutputs int
}

// Builder builds a graph node by node, checking each against the schema of
// its operator at the model's opset as it is added: the operator must exist
// (operators of custom domains and model-local functions are taken as they
// are), attribute names and types must be declared, required attributes
// given, input and output counts allowed and known element types allowed by
// the type constraints. Names are scoped (see Scope) and unique.
//
// The first error is recorded (see Err); later calls do nothing and return
// nil. A Builder is not safe for concurrent use.
type Builder struct {
	st    *buildState
	g     *Graph
	scope string
}

type buildState struct {
	m     *Model
	err   error
	types map[*Value]DataType // element types the builder knows
	nodes map[string]bool     // node names in use
	src   TypeSource          // see Builder.Infer
}

// NewBuilder returns a builder of a new model importing the default ONNX
// domain at opset, with the IR version that opset first came with.
func NewBuilder(opset int64) *Builder {
	m := NewModel(minIRVersion(opset), map[string]int64{"": opset})
	return BuilderFor(m.Graph())
}

// BuilderFor returns a builder that adds to g, an existing graph of a
// model (a subgraph or function body too).
func BuilderFor(g *Graph) *Builder {
	st := &buildState{m: g.model, types: map[*Value]DataType{}, nodes: map[string]bool{}}
	root := g
	for root.outer() != nil {
		root = root.outer()
	}
	root.Walk(func(s *Graph) bool {
		for _, n := range s.nodes {
			st.nodes[n.Name()] = true
		}
		return true
	})
	return &Builder{st: st, g: g}
}

// Model returns the model being built.
func (b *Builder) Model() *Model { return b.st.m }

// Graph returns the graph the builder adds to.
func (b *Builder) Graph() *Graph { return b.g }

// Err returns the first error, or nil.
func (b *Builder) Err() error { return b.st.err }

// Build returns the model and the first error the builder recorded; when
// there is none, it checks the whole model with Validate and returns its
// *CheckError (with the rule codes Validate gives, such as RuleValueType
// for an output declared without dims) when the model is invalid. Model
// returns the model without that check.
func (b *Builder) Build() (*Model, error) {
	if b.st.err != nil {
		return b.st.m, b.st.err
	}
	if b.st.src != nil {
		b.fillOutputTypes()
	}
	if err := Validate(b.st.m, nil); err != nil {
		return b.st.m, err
	}
	return b.st.m, nil
}

// Infer gives the builder a type source (shapeinfer.Types(nil)): Build
// then declares each graph output added without dims (Output(v)) with the
// type src infers for it, before it checks the model.
func (b *Builder) Infer(src TypeSource) *Builder {
	b.st.src = src
	return b
}

// fillOutputTypes declares outputs without a shape with their inferred
// types.
func (b *Builder) fillOutputTypes() {
	g := b.st.m.graph
	var todo []int
	for i, vi := range g.outInfo {
		if vi != nil && !hasShape(vi.Type) {
			todo = append(todo, i)
		}
	}
	if len(todo) == 0 {
		return
	}
	fn, _ := b.st.src.InferTypes(b.st.m)
	if fn == nil {
		return
	}
	for _, i := range todo {
		if t := fn(g.outputs[i]); hasElemType(t) && hasShape(t) {
			g.outInfo[i].Type = proto.Clone(t).(*onnxproto.TypeProto)
		}
	}
}

// Scope returns a builder adding to the same graph whose node and value
// names start with name + "/" (nested scopes join with "/"). It shares the
// error and names of b.
func (b *Builder) Scope(name string) *Builder {
	return &Builder{st: b.st, g: b.g, scope: b.scope + name + "/"}
}

// Import adds (or changes) the opset import of domain.
func (b *Builder) Import(domain string, version int64) *Builder {
	if b.st.err != nil {
		return b
	}
	m := b.st.m
	for _, o := range m.p.OpsetImport {
		if o.GetDomain() == domain || (isDefaultDomain(domain) && isDefaultDomain(o.GetDomain())) {
			o.Version = proto.Int64(version)
			return b
		}
	}
	m.p.OpsetImport = append(m.p.OpsetImport, &onnxproto.OperatorSetIdProto{Domain: proto.String(domain), Version: proto.Int64(version)})
	return b
}

// IRVersion sets the model's IR version (NewBuilder picks the one the
// opset came with).
func (b *Builder) IRVersion(v int64) *Builder {
	if b.st.err == nil {
		b.st.m.p.IrVersion = proto.Int64(v)
	}
	return b
}

func (b *Builder) fail(err error) {
	if b.st.err == nil {
		b.st.err = err
	}
}

// Input adds a graph input called name (scoped) of element type dt and the
// given dims (DimOf(3), DimParam("N"), DimUnknown, or Dims(1, 3, 224,
// 224)...). No dims declares a scalar; use InputRank for an unknown rank.
func (b *Builder) Input(name string, dt DataType, dims ...Dim) *Value {
	if b.st.err != nil {
		return nil
	}
	ds := slices.Clone(dims)
	if ds == nil {
		ds = []Dim{}
	}
	v, err := b.g.AddInput(b.scope+name, TensorType(dt, ds))
	if err != nil {
		b.fail(culprit(name, err))
		return nil
	}
	b.st.types[v] = dt
	return v
}

// InputRank adds a graph input of element type dt and unknown rank.
func (b *Builder) InputRank(name string, dt DataType) *Value {
	if b.st.err != nil {
		return nil
	}
	v, err := b.g.AddInput(b.scope+name, TensorType(dt, nil))
	if err != nil {
		b.fail(culprit(name, err))
		return nil
	}
	b.st.types[v] = dt
	return v
}

// Const adds an initializer called name (scoped; "" for "const", made
// unique) holding value: a *Tensor, a number, a slice of numbers, bools or
// strings. Its element type follows the Go type (integers int64, floats
// float32) unless dt is given (dt 0 means follow); dims nil means a scalar
// for a number and 1-D for a slice.
func (b *Builder) Const(name string, dt DataType, dims []int64, value any) *Value {
	if b.st.err != nil {
		return nil
	}
	if name == "" {
		name = "const"
	}
	full := b.g.UniqueName(b.scope + name)
	t, err := tensorOf(full, dt, dims, value)
	if err != nil {
		b.fail(culprit(name, err))
		return nil
	}
	v := addConst(b.g, full, t)
	b.st.types[v] = t.DataType()
	return v
}

// Output declares v as a graph output with the element type the builder
// knows for it (from its input, constant or schema) and the given dims (as
// for Input; none leaves the shape undeclared).
func (b *Builder) Output(v *Value, dims ...Dim) *Value {
	return b.OutputAs(v, 0, dims...)
}

// OutputAs is Output with an explicit element type (0: the one known),
// which must agree with the known one.
func (b *Builder) OutputAs(v *Value, dt DataType, dims ...Dim) *Value {
	if b.st.err != nil {
		return nil
	}
	if v == nil {
		b.fail(errorf(ErrInvalid, "output: nil value"))
		return nil
	}
	known := b.elem(v)
	switch {
	case dt == 0 && known == 0:
		b.fail(culprit(v.name, errorf(ErrInvalid, "output %q: element type unknown; give it with OutputAs", v.name)))
		return nil
	case dt == 0:
		dt = known
	case known != 0 && known != dt:
		b.fail(culprit(v.name, errorf(ErrSchema, "output %q: declared %s, but the value is %s", v.name, DataTypeName(dt), DataTypeName(known))))
		return nil
	}
	var ds []Dim
	if len(dims) > 0 {
		ds = slices.Clone(dims)
	}
	if err := b.g.AddOutput(v, TensorType(dt, ds)); err != nil {
		b.fail(culprit(v.name, err))
		return nil
	}
	b.st.types[v] = dt
	return v
}

func (b *Builder) elem(v *Value) DataType {
	if dt, ok := b.st.types[v]; ok {
		return dt
	}
	return elemOf(v, nil)
}

// Op adds a node running op (default domain) on inputs with attrs, and
// returns its first output. Inputs are as in NodeSpec.
func (b *Builder) Op(op string, attrs Attrs, inputs ...any) *Value {
	n := b.Node(NodeSpec{Op: op, Inputs: inputs, Attrs: attrs})
	if n == nil {
		return nil
	}
	return n.Output(0)
}

// Node adds the node spec describes and returns it (nil after an error).
func (b *Builder) Node(spec NodeSpec) *Node {
	if b.st.err != nil {
		return nil
	}
	n, err := b.node(spec)
	if err != nil {
		label := spec.Name
		if label == "" {
			label = spec.Op
		}
		b.fail(culprit(label, err))
		return nil
	}
	return n
}

func (b *Builder) node(spec NodeSpec) (*Node, error) {
	m, g := b.st.m, b.g
	domain := spec.Domain
	if domain == "ai.onnx" {
		domain = ""
	}
	opset, imported := m.Opset(domain)
	std := opschema.StandardDomain(domain)
	var schema *opschema.Schema
	switch {
	case std && !imported:
		return nil, errorf(ErrSchema, "node %s: domain %q is not imported (see Builder.Import)", spec.Op, opschema.NormalizeDomain(domain))
	case std:
		s, ok := opschema.Lookup(domain, spec.Op, int(opset))
		if !ok {
			if m.localFunction(domain, spec.Op) == nil {
				return nil, errorf(ErrSchema, "operator %s is not defined in %s at opset %d", spec.Op, opschema.NormalizeDomain(domain), opset)
			}
		} else if s.Deprecated {
			return nil, errorf(ErrSchema, "operator %s is deprecated at opset %d of %s", spec.Op, opset, opschema.NormalizeDomain(domain))
		} else {
			schema = s
		}
	case m.localFunction(domain, spec.Op) == nil:
		// An open domain (com.microsoft): a known schema checks the node,
		// at the imported version or at 1, the version a custom domain
		// is imported at below.
		v := opset
		if !imported {
			v = 1
		}
		if s, ok := opschema.Lookup(domain, spec.Op, int(v)); ok && !s.Deprecated {
			schema = s
		}
	}
	importCustom := !std && !imported // a custom domain: imported at version 1 once the node is in

	// Inputs: values, or constants to create once the node is named.
	nIn := len(spec.Inputs)
	if schema != nil && !schema.AllowsInputs(nIn) {
		return nil, errorf(ErrSchema, "%s takes %s inputs, not %d", spec.Op, arityText(schema.MinInputs, schema.MaxInputs), nIn)
	}
	nOut := len(spec.Outputs)
	if nOut == 0 {
		nOut = spec.NumOutputs
		if nOut == 0 {
			nOut = 1
			if schema != nil {
				nOut = max(schema.MinOutputs, 1)
			}
		}
	}
	if schema != nil && !schema.AllowsOutputs(nOut) {
		return nil, errorf(ErrSchema, "%s gives %s outputs, not %d", spec.Op, arityText(schema.MinOutputs, schema.MaxOutputs), nOut)
	}

	// Attributes, typed per schema, in schema order.
	attrs, err := schemaAttrs(spec.Op, schema, spec.Attrs)
	if err != nil {
		return nil, err
	}

	// Type constraints: bind from value inputs.
	bind := map[string]DataType{}
	check := func(f *opschema.Formal, dt DataType, what string) error {
		if schema == nil || f == nil || dt == 0 {
			return nil
		}
		allowed := schema.AllowedTypes(f)
		if allowed != nil && !slices.Contains(allowed, constraintName(dt)) {
			return errorf(ErrSchema, "%s %s: element type %s is not allowed (%s)", spec.Op, what, DataTypeName(dt), strings.Join(allowed, ", "))
		}
		if _, isParam := schema.TypeConstraint(f.Type); isParam && !f.Heterogeneous {
			if prev, ok := bind[f.Type]; ok && prev != dt {
				return errorf(ErrSchema, "%s %s: element type %s differs from %s bound to %s", spec.Op, what, DataTypeName(dt), DataTypeName(prev), f.Type)
			}
			bind[f.Type] = dt
		}
		return nil
	}
	formalIn := func(i int) *opschema.Formal {
		if schema == nil {
			return nil
		}
		f, _ := schema.InputFormal(i)
		return f
	}
	for i, in := range spec.Inputs {
		v, isValue := in.(*Value)
		if in == nil || (isValue && v == nil) {
			if f := formalIn(i); f != nil && f.Option == opschema.Single {
				return nil, errorf(ErrSchema, "%s input %d (%s) is required", spec.Op, i, f.Name)
			}
			continue
		}
		if !isValue {
			continue
		}
		if !visibleFrom(g, v) {
			return nil, errorf(ErrInvalid, "%s input %d: %q is not visible from graph %q", spec.Op, i, v.name, g.Name())
		}
		if err := check(formalIn(i), b.elem(v), fmt.Sprintf("input %d (%q)", i, v.name)); err != nil {
			return nil, err
		}
	}

	// Names.
	base := spec.Name
	if base == "" {
		base = spec.Op
		k := 0
		for b.st.nodes[b.scope+base+"_"+itoa(k)] {
			k++
		}
		base += "_" + itoa(k)
	}
	nodeName := b.scope + base
	if b.st.nodes[nodeName] {
		if spec.Name != "" {
			return nil, errorf(ErrNameCollision, "node name %q is already in use", nodeName)
		}
	}
	outNames := make([]string, nOut)
	for i := range outNames {
		switch {
		case len(spec.Outputs) > 0:
			if spec.Outputs[i] == "" {
				continue
			}
			outNames[i] = b.scope + spec.Outputs[i]
			if _, taken := g.Value(outNames[i]); taken || g.nameTakenBelow(outNames[i]) {
				return nil, errorf(ErrNameCollision, "value name %q is already in use", outNames[i])
			}
		case nOut == 1:
			outNames[i] = g.UniqueName(nodeName)
		default:
			suffix := itoa(i)
			if schema != nil {
				if f, ok := schema.OutputFormal(i); ok && f.Option != opschema.Variadic {
					suffix = f.Name
				}
			}
			outNames[i] = g.UniqueName(nodeName + "_" + suffix)
		}
	}
	for i := range outNames {
		for j := 0; j < i; j++ {
			if outNames[i] != "" && outNames[i] == outNames[j] {
				return nil, errorf(ErrNameCollision, "value name %q is given twice", outNames[i])
			}
		}
	}

	// Constant inputs: typed by the binding where there is one.
	inputs := make([]*Value, nIn)
	var consts []int
	for i, in := range spec.Inputs {
		if v, ok := in.(*Value); ok || in == nil {
			inputs[i] = v
			continue
		}
		consts = append(consts, i)
	}
	var made []*Value
	undo := func() {
		for _, v := range made {
			if v.producer != nil {
				_ = g.RemoveNodes(v.producer)
			} else {
				_ = g.RemoveInitializer(v)
			}
		}
	}
	for _, i := range consts {
		f := formalIn(i)
		var dt DataType
		if f != nil && schema != nil {
			if bound, ok := bind[f.Type]; ok {
				dt = bound
			} else if allowed := schema.AllowedTypes(f); len(allowed) == 1 {
				dt, _ = ParseDataType(allowed[0])
			}
		}
		cname := nodeName + "_" + itoa(i)
		if f != nil {
			cname = nodeName + "_" + f.Name
		}
		t, err := tensorOf(cname, dt, nil, spec.Inputs[i])
		if err != nil {
			undo()
			return nil, err
		}
		if err := check(f, t.DataType(), fmt.Sprintf("input %d (constant)", i)); err != nil {
			undo()
			return nil, err
		}
		v := addConst(g, cname, t)
		made = append(made, v)
		b.st.types[v] = t.DataType()
		inputs[i] = v
	}

	n, err := g.AddNodeIn(domain, spec.Op, inputs, outNames, attrs...)
	if err != nil {
		undo()
		return nil, err
	}
	n.SetName(nodeName)
	b.st.nodes[nodeName] = true
	if importCustom {
		m.p.OpsetImport = append(m.p.OpsetImport, &onnxproto.OperatorSetIdProto{Domain: proto.String(domain), Version: proto.Int64(1)})
	}

	// Output element types.
	for i, v := range n.outputs {
		if v == nil {
			continue
		}
		if dt := outputElem(schema, n, i, bind); dt != 0 {
			b.st.types[v] = dt
		}
	}
	return n, nil
}

// nameTakenBelow reports whether name is defined in a graph nested in g.
func (g *Graph) nameTakenBelow(name string) bool {
	found := false
	g.Walk(func(s *Graph) bool {
		if s != g {
			if _, ok := s.scope[name]; ok {
				found = true
			}
		}
		return !found
	})
	return found
}

// localFunction returns the model-local function domain:name, or nil.
func (m *Model) localFunction(domain, name string) *Function {
	for _, f := range m.funcs {
		if f.Name() == name && (f.Domain() == domain || (isDefaultDomain(f.Domain()) && isDefaultDomain(domain))) {
			return f
		}
	}
	return nil
}

func arityText(lo, hi int) string {
	switch {
	case hi == opschema.Unbounded:
		return fmt.Sprintf("at least %d", lo)
	case lo == hi:
		return strconv.Itoa(lo)
	}
	return fmt.Sprintf("%d to %d", lo, hi)
}

// schemaAttrs converts attribute values to the types schema declares (any
// type, inferred, when schema is nil), checks that required ones are
// given, and orders them as the schema does (by name without one).
func schemaAttrs(op string, schema *opschema.Schema, vals Attrs) ([]*onnxproto.AttributeProto, error) {
	names := make([]string, 0, len(vals))
	for k := range vals {
		names = append(names, k)
	}
	rank := func(name string) int {
		if schema != nil {
			for i, a := range schema.Attributes {
				if a.Name == name {
					return i
				}
			}
		}
		return 1 << 20
	}
	sort.Slice(names, func(i, j int) bool {
		ri, rj := rank(names[i]), rank(names[j])
		if ri != rj {
			return ri < rj
		}
		return names[i] < names[j]
	})
	var out []*onnxproto.AttributeProto
	for _, name := range names {
		typ := opschema.AttrUndefined
		if schema != nil {
			decl, ok := schema.Attribute(name)
			if !ok {
				return nil, culprit(name, errorf(ErrSchema, "%s-%d has no attribute %q", op, schema.SinceVersion, name))
			}
			typ = decl.Type
		}
		a, err := NewAttr(name, typ, vals[name])
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	if schema != nil {
		for _, a := range schema.Attributes {
			if _, given := vals[a.Name]; a.Required && !given {
				return nil, culprit(a.Name, errorf(ErrSchema, "%s-%d needs attribute %q", op, schema.SinceVersion, a.Name))
			}
		}
	}
	return out, nil
}

// outputElem derives the element type of output i of n from its schema and
// the bound type parameters.
func outputElem(schema *opschema.Schema, n *Node, i int, bind map[string]DataType) DataType {
	if schema == nil {
		return 0
	}
	switch n.OpType() {
	case "Cast":
		if a := n.Attr("to"); a != nil {
			return DataType(a.GetI())
		}
	case "Constant":
		if t, ok := constOf(n.Output(0)); ok {
			return t.DataType()
		}
	case "ConstantOfShape":
		if a := n.Attr("value"); a != nil && a.T != nil {
			return DataType(a.T.GetDataType())
		}
		return Float
	}
	f, ok := schema.OutputFormal(i)
	if !ok {
		return 0
	}
	if dt, ok := bind[f.Type]; ok {
		return dt
	}
	if allowed := schema.AllowedTypes(f); len(allowed) == 1 {
		dt, err := ParseDataType(allowed[0])
		if err == nil {
			return dt
		}
	}
	return 0
}
