package opschema

import "strconv"

// Unbounded is the value of Schema.MaxInputs or Schema.MaxOutputs when the
// last formal is variadic and the number of actual values has no limit.
const Unbounded = -1

// Schema describes one version of one operator: the version introduced in
// opset SinceVersion of Domain, in force until the next version of the same
// operator.
//
// Schemas returned by this package are shared; treat them as read-only.
type Schema struct {
	Domain       string // canonical domain, e.g. DomainONNX (never "")
	Name         string // operator type, e.g. "Conv"
	SinceVersion int    // first opset version of Domain this schema applies to

	// Deprecated is set on the version that deprecates the operator. Its
	// inputs and outputs are those of the previous version (the data may
	// also leave them empty, as for GroupNormalization-18).
	Deprecated bool

	// Extension is set on operators that are not part of the ONNX
	// standard: ONNX Runtime's contrib operators, in DomainMicrosoft and
	// the two it registers in the default domain (SimplifiedLayerNormalization,
	// and a LayerNormalization at version 1, before the standard's 17).
	// Models using them run in ONNX Runtime; other runtimes and
	// onnx.checker may reject them.
	Extension bool

	Attributes []Attribute // declared attributes, in specification order
	Inputs     []Formal    // formal inputs, in positional order
	Outputs    []Formal    // formal outputs, in positional order

	// MinInputs and MaxInputs bound the number of actual inputs of a node,
	// counting optional inputs that are present (or given as "" to skip
	// them). MaxInputs is Unbounded when the last formal is variadic. The
	// same holds for MinOutputs and MaxOutputs.
	MinInputs, MaxInputs   int
	MinOutputs, MaxOutputs int

	// TypeConstraints define the type parameters (such as "T") that formal
	// types refer to.
	TypeConstraints []TypeConstraint
}

// Attribute declares one attribute of an operator.
type Attribute struct {
	Name     string
	Type     AttrType
	Required bool

	// Default is the value used when the attribute is absent, nil when the
	// specification gives none.
	Default *Default
}

// Default is an attribute default value. Raw holds it as written in the
// specification; exactly one typed field, chosen by the attribute's Type,
// holds the parsed value:
//
//	AttrInt     Int
//	AttrFloat   Float
//	AttrString  String
//	AttrInts    Ints
//	AttrFloats  Floats
//	AttrStrings Strings
//
// Defaults of the other types (tensors, graphs, sparse tensors, type
// protos) keep Raw only; the current specification declares none. An empty
// list default ("[]") is a non-nil empty slice.
//
// Values are as written: Clip-6's bounds, for instance, are ±3.402823e+38,
// the specification's rounding of the largest float32.
type Default struct {
	Raw     string
	Int     int64
	Float   float32
	String  string
	Ints    []int64
	Floats  []float32
	Strings []string
}

// Formal is a formal input or output parameter of an operator.
type Formal struct {
	Name string

	// Type is either the name of one of the schema's type constraints
	// (such as "T") or a concrete type (such as "tensor(int64)").
	Type string

	Option Option

	// Heterogeneous applies to a variadic formal: when set, the values it
	// absorbs may have different types; otherwise they share one type.
	Heterogeneous bool

	// Differentiable reports whether the specification marks the formal as
	// differentiable.
	Differentiable bool
}

// TypeConstraint binds a type parameter to the types it may take, written
// as ONNX type strings: "tensor(float)", "seq(tensor(int64))",
// "map(int64, float)", "optional(tensor(float))".
type TypeConstraint struct {
	Name    string
	Allowed []string
}

// Option tells how many actual values a formal parameter takes.
type Option uint8

// The options of a formal parameter.
const (
	Single   Option = iota // exactly one value
	Optional               // zero or one value
	Variadic               // any number of values; only the last formal
)

// String returns the specification's name of o: "single", "optional" or
// "variadic".
func (o Option) String() string {
	switch o {
	case Single:
		return "single"
	case Optional:
		return "optional"
	case Variadic:
		return "variadic"
	}
	return "Option(" + strconv.Itoa(int(o)) + ")"
}
