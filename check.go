package onnxgraph

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Severity tells whether a Problem makes the model invalid.
type Severity uint8

// The severities of a Problem.
const (
	// SeverityError marks a broken rule of the ONNX specification: the
	// model is invalid.
	SeverityError Severity = iota
	// SeverityNote marks something worth knowing that does not make the
	// model invalid, such as an operator of a custom domain the checker has
	// no schema for.
	SeverityNote
)

// String returns "error" or "note".
func (s Severity) String() string {
	switch s {
	case SeverityError:
		return "error"
	case SeverityNote:
		return "note"
	}
	return "Severity(" + strconv.Itoa(int(s)) + ")"
}

// MarshalText encodes s as its String form, for JSON.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText decodes "error" or "note".
func (s *Severity) UnmarshalText(b []byte) error {
	switch string(b) {
	case "error":
		*s = SeverityError
	case "note":
		*s = SeverityNote
	default:
		return fmt.Errorf("onnxgraph: unknown severity %q", b)
	}
	return nil
}

// Rule names the rule a Problem reports, in the manner of go/types error
// codes: a stable identifier callers can match on. Every rule has one
// severity; the constants below say which.
type Rule string

// Model rules.
const (
	// RuleIRVersion (error): ir_version is missing or not positive.
	RuleIRVersion Rule = "IRVersion"
	// RuleIRVersionNewer (note): ir_version is newer than the newest this
	// checker knows (13); features it adds are not checked.
	RuleIRVersionNewer Rule = "IRVersionNewer"
	// RuleIRFeature (error): the model uses a feature that needs a newer
	// ir_version than it declares, such as float8 types (IR 9), int4
	// (IR 10) or model-local functions (IR 8).
	RuleIRFeature Rule = "IRFeature"
	// RuleNoOpsetImport (error): a model of IR version 3 or newer imports
	// no operator set.
	RuleNoOpsetImport Rule = "NoOpsetImport"
	// RuleDuplicateOpset (error): a domain is imported twice ("" and
	// "ai.onnx" are the same domain).
	RuleDuplicateOpset Rule = "DuplicateOpset"
	// RuleOpsetVersion (error): an opset import's version is not a
	// positive 32-bit integer.
	RuleOpsetVersion Rule = "OpsetVersion"
	// RuleOpsetNewer (note): a standard domain is imported at a version
	// newer than the schemas this checker has.
	RuleOpsetNewer Rule = "OpsetNewer"
	// RuleMissingOpset (error): a node uses a domain that its model (or
	// function) does not import.
	RuleMissingOpset Rule = "MissingOpset"
	// RuleOpsetMismatch (error): a function imports a domain at a version
	// that resolves an operator it uses to another schema than the model's
	// import does.
	RuleOpsetMismatch Rule = "OpsetMismatch"
	// RuleDuplicateMetadata (error): the model's metadata_props repeat a key.
	RuleDuplicateMetadata Rule = "DuplicateMetadata"
	// RuleNoGraph (error): the model has no main graph.
	RuleNoGraph Rule = "NoGraph"
)

// Graph rules.
const (
	// RuleGraphName (error): a graph has an empty name.
	RuleGraphName Rule = "GraphName"
	// RuleValueName (error): a graph input, output, value_info entry or
	// initializer has an empty name.
	RuleValueName Rule = "ValueName"
	// RuleValueType (error): a declared type is malformed (an unknown
	// element type, a map with an invalid key type), or an input or output
	// of the main graph lacks its type, element type or shape.
	RuleValueType Rule = "ValueType"
	// RuleDuplicateName (error): a name is defined twice in one graph
	// (single static assignment is broken).
	RuleDuplicateName Rule = "DuplicateName"
	// RuleShadowedName (error): a subgraph defines a name that is already
	// visible from an outer graph.
	RuleShadowedName Rule = "ShadowedName"
	// RuleDuplicateInitializer (error): two initializers (dense or sparse)
	// have the same name.
	RuleDuplicateInitializer Rule = "DuplicateInitializer"
	// RuleInitializerNotInput (error): in a model of IR version 3 or older,
	// an initializer is not also a graph input.
	RuleInitializerNotInput Rule = "InitializerNotInput"
	// RuleUndefinedInput (error): a node reads a name that is defined
	// nowhere it can see.
	RuleUndefinedInput Rule = "UndefinedInput"
	// RuleTopoOrder (error): a node reads a value that a later node
	// produces; Graph.TopoSort fixes the order.
	RuleTopoOrder Rule = "TopoOrder"
	// RuleCycle (error): the nodes of a graph depend on each other in a
	// cycle, so no order is valid.
	RuleCycle Rule = "Cycle"
	// RuleUndefinedOutput (error): a graph output names a value that is
	// defined nowhere.
	RuleUndefinedOutput Rule = "UndefinedOutput"
	// RuleOuterOutput (error): a subgraph's output is a value of an outer
	// graph rather than one the subgraph defines.
	RuleOuterOutput Rule = "OuterOutput"
	// RuleDuplicateOutput (error): a function lists an output twice.
	RuleDuplicateOutput Rule = "DuplicateOutput"
)

// Node rules.
const (
	// RuleEmptyOpType (error): a node has no op_type.
	RuleEmptyOpType Rule = "EmptyOpType"
	// RuleNoInputsOutputs (error): a node has neither inputs nor outputs.
	RuleNoInputsOutputs Rule = "NoInputsOutputs"
	// RuleUnknownOp (error): a standard domain (ai.onnx, ai.onnx.ml,
	// ai.onnx.preview, ai.onnx.preview.training, ai.onnx.training) has no
	// such operator at the imported opset version.
	RuleUnknownOp Rule = "UnknownOp"
	// RuleCustomOp (note): an operator of a custom domain that has no
	// known schema and is not a model-local function; it is not checked.
	// ONNX Runtime's documented operators (domain com.microsoft) have
	// schemas and are checked like standard ones.
	RuleCustomOp Rule = "CustomOp"
	// RuleRuntimeOp (note): an operator that ONNX Runtime registers in a
	// standard domain but the ONNX standard does not define there
	// (SimplifiedLayerNormalization, LayerNormalization below opset 17).
	// It is checked against ONNX Runtime's schema; onnx.checker rejects it.
	RuleRuntimeOp Rule = "RuntimeOp"
	// RuleExperimentalOp (note): one of the removed experimental operators
	// (ATen, Affine, Crop, ...) that onnx.checker lets through unchecked.
	RuleExperimentalOp Rule = "ExperimentalOp"
	// RuleDeprecatedOp (error): the operator version in force is
	// deprecated.
	RuleDeprecatedOp Rule = "DeprecatedOp"
	// RuleInputCount (error): a node has more or fewer inputs than its
	// operator allows, counting missing optional inputs written as "".
	RuleInputCount Rule = "InputCount"
	// RuleOutputCount (error): the same for outputs.
	RuleOutputCount Rule = "OutputCount"
	// RuleMissingInput (error): an input the operator requires is given
	// as "" (missing).
	RuleMissingInput Rule = "MissingInput"
	// RuleMissingOutput (error): an output the operator requires is given
	// as "".
	RuleMissingOutput Rule = "MissingOutput"
	// RuleMissingAttr (error): a required attribute is absent.
	RuleMissingAttr Rule = "MissingAttr"
	// RuleUnknownAttr (error): an attribute the operator (or the called
	// function) does not declare.
	RuleUnknownAttr Rule = "UnknownAttr"
	// RuleDuplicateAttr (error): an attribute name appears twice on a node
	// or in a function's attribute list.
	RuleDuplicateAttr Rule = "DuplicateAttr"
	// RuleAttrName (error): an attribute has an empty name.
	RuleAttrName Rule = "AttrName"
	// RuleAttrNoType (error): in IR version 2 or newer, an attribute has
	// no type.
	RuleAttrNoType Rule = "AttrNoType"
	// RuleAttrType (error): an attribute's type differs from the one its
	// operator declares, or is not a known attribute type.
	RuleAttrType Rule = "AttrType"
	// RuleAttrValue (error): an attribute's value fields disagree with its
	// type: a value in another type's field, values in two fields, or no
	// tensor, graph or type for an attribute of that type.
	RuleAttrValue Rule = "AttrValue"
	// RuleRefAttr (error): ref_attr_name is used outside a function, next
	// to a value, or names an attribute the function does not declare.
	RuleRefAttr Rule = "RefAttr"
	// RuleTypeConstraint (error): a declared input or output type is not
	// one its operator's type constraint allows.
	RuleTypeConstraint Rule = "TypeConstraint"
	// RuleTypeMismatch (error): values bound to one type parameter (such as
	// T) of a node have different declared types.
	RuleTypeMismatch Rule = "TypeMismatch"
	// RuleConstantType (note): a Constant's value has a type its
	// operator's type constraint does not allow, although no declaration
	// says so (Constant-1 takes float types only). onnx.checker's full
	// check, which infers types, rejects such a model; runtimes often
	// accept it.
	RuleConstantType Rule = "ConstantType"
	// RuleSubgraphArity (error): an If branch, Loop body or Scan body has
	// a number of inputs or outputs that does not fit its node.
	RuleSubgraphArity Rule = "SubgraphArity"
)

// Tensor rules.
const (
	// RuleTensorDataType (error): a tensor's data_type is missing,
	// UNDEFINED or unknown.
	RuleTensorDataType Rule = "TensorDataType"
	// RuleTensorDims (error): a tensor has a negative dimension, or its
	// element count overflows.
	RuleTensorDims Rule = "TensorDims"
	// RuleTensorField (error): a tensor's data sits in a field that does
	// not fit its type, in more than one field, or in no field; or an
	// external tensor also has inline data.
	RuleTensorField Rule = "TensorField"
	// RuleTensorSize (error): the amount of data (raw_data bytes, typed
	// values, strings, external length) differs from what dims and
	// data_type imply.
	RuleTensorSize Rule = "TensorSize"
	// RuleExternalData (error): an external-data entry is malformed (no
	// location, a non-integer offset or length), leaves the model's folder,
	// or names a file that is missing or too short.
	RuleExternalData Rule = "ExternalData"
	// RuleSparseTensor (error): a sparse tensor is malformed: no values,
	// values not of rank 1, bad dims, indices of the wrong type, shape,
	// range or order.
	RuleSparseTensor Rule = "SparseTensor"
)

// Function rules.
const (
	// RuleFunctionName (error): a model-local function has no name, or (IR
	// version 8 and newer) no domain field.
	RuleFunctionName Rule = "FunctionName"
	// RuleDuplicateFunction (error): two model-local functions share
	// domain, name and overload.
	RuleDuplicateFunction Rule = "DuplicateFunction"
	// RuleRecursiveFunction (error): model-local functions call each
	// other in a cycle.
	RuleRecursiveFunction Rule = "RecursiveFunction"
	// RuleNesting (error): subgraphs (or types) nest so deep that a
	// message sits more than 100 levels down in the file, which protobuf's
	// C++ parser, used by onnx and ONNX Runtime, refuses to read.
	RuleNesting Rule = "Nesting"
)

// Problem is one broken rule (or one note) found by Validate.
type Problem struct {
	Severity Severity `json:"severity"`
	Rule     Rule     `json:"rule"`
	// Graph is the path of the graph the problem is in: "main" for the
	// main graph, "main/If_0.then_branch" for a subgraph held by
	// attribute then_branch of node If_0 (an unnamed node is written
	// OpType#index), "function:domain.name" for a function body; "" for
	// the model itself.
	Graph string `json:"graph,omitempty"`
	// Node, OpType and NodeIndex identify the node the problem is about:
	// its name ("" when unnamed), op type and position in its graph.
	// NodeIndex is -1 when the problem is not about a node.
	Node      string `json:"node,omitempty"`
	OpType    string `json:"op_type,omitempty"`
	NodeIndex int    `json:"node_index"`
	// Name is the culprit: the value, attribute, tensor, domain or
	// function the problem is about, "" when none applies.
	Name string `json:"name,omitempty"`
	// Message says what is wrong, in lower case; it names the culprit too.
	Message string `json:"message"`
}

// Where locates p: its graph path and, for a node, the node, as in
// `main: node "conv1" (Conv #3)`.
func (p *Problem) Where() string {
	w := p.Graph
	if w == "" {
		w = "model"
	}
	if p.NodeIndex >= 0 {
		w += ": " + nodeWhere(p.Node, p.OpType, p.NodeIndex)
	}
	return w
}

// String renders p on one line: severity, rule, where, message.
func (p *Problem) String() string {
	return p.Severity.String() + " " + string(p.Rule) + " " + p.Where() + ": " + p.Message
}

func nodeWhere(name, op string, idx int) string {
	if name != "" {
		if op == "" {
			return "node " + strconv.Quote(name) + " (#" + strconv.Itoa(idx) + ")"
		}
		return "node " + strconv.Quote(name) + " (" + op + " #" + strconv.Itoa(idx) + ")"
	}
	return "node #" + strconv.Itoa(idx) + " (" + op + ")"
}

// Report is the result of Validate: every problem found, errors and notes,
// in the order the model was walked (model, main graph depth first,
// functions).
type Report struct {
	Problems  []Problem
	Errors    int // how many errors were found, recorded or not
	Notes     int // how many notes were found, recorded or not
	Truncated int // problems left out past CheckOptions.MaxProblems
}

// Valid reports whether the model has no error (notes are allowed).
func (r *Report) Valid() bool { return r.Errors == 0 }

// Has reports whether some problem breaks rule.
func (r *Report) Has(rule Rule) bool {
	for i := range r.Problems {
		if r.Problems[i].Rule == rule {
			return true
		}
	}
	return false
}

// ByRule returns the problems that break rule, in order. The slice is new.
func (r *Report) ByRule(rule Rule) []Problem {
	var out []Problem
	for _, p := range r.Problems {
		if p.Rule == rule {
			out = append(out, p)
		}
	}
	return out
}

// Err returns nil when the model is valid, else a *CheckError holding the
// problems; it wraps ErrInvalidModel.
func (r *Report) Err() error {
	if r.Errors == 0 {
		return nil
	}
	return &CheckError{Problems: append([]Problem(nil), r.Problems...), Errors: r.Errors}
}

// String lists the problems one per line, or says "valid".
func (r *Report) String() string {
	var b strings.Builder
	if r.Errors == 0 {
		b.WriteString("valid")
	} else {
		fmt.Fprintf(&b, "invalid: %d error(s)", r.Errors)
	}
	if r.Notes > 0 {
		fmt.Fprintf(&b, ", %d note(s)", r.Notes)
	}
	b.WriteByte('\n')
	for i := range r.Problems {
		b.WriteString(r.Problems[i].String())
		b.WriteByte('\n')
	}
	if r.Truncated > 0 {
		fmt.Fprintf(&b, "... %d more problem(s) not recorded\n", r.Truncated)
	}
	return b.String()
}

// MarshalJSON encodes r with its verdict:
// {"valid":..., "errors":..., "notes":..., "truncated":..., "problems":[...]}.
func (r *Report) MarshalJSON() ([]byte, error) {
	ps := r.Problems
	if ps == nil {
		ps = []Problem{}
	}
	return json.Marshal(struct {
		Valid     bool      `json:"valid"`
		Errors    int       `json:"errors"`
		Notes     int       `json:"notes"`
		Truncated int       `json:"truncated,omitempty"`
		Problems  []Problem `json:"problems"`
	}{r.Valid(), r.Errors, r.Notes, r.Truncated, ps})
}

// CheckError is the error of an invalid model. It holds every problem
// found, notes included.
type CheckError struct {
	Problems []Problem
	Errors   int // how many of Problems are errors
}

// maxListed caps the problems a CheckError's message lists.
const maxListed = 10

// Error lists the errors (at most 10) with their places and rules.
func (e *CheckError) Error() string {
	var items []string
	for i := range e.Problems {
		p := &e.Problems[i]
		if p.Severity == SeverityError {
			items = append(items, p.Where()+": "+p.Message+" ["+string(p.Rule)+"]")
		}
	}
	noun := "errors"
	if e.Errors == 1 {
		noun = "error"
	}
	return fmt.Sprintf("onnxgraph: invalid model: %d %s: %s", e.Errors, noun, capList(items, maxListed, "; "))
}

// Unwrap returns ErrInvalidModel.
func (e *CheckError) Unwrap() error { return ErrInvalidModel }

// Has reports whether some problem breaks rule.
func (e *CheckError) Has(rule Rule) bool {
	for i := range e.Problems {
		if e.Problems[i].Rule == rule {
			return true
		}
	}
	return false
}

// CheckOptions tunes Validate. The zero value (or a nil pointer) checks
// everything and records every problem.
type CheckOptions struct {
	// MaxProblems stops recording problems after this many; the rest are
	// only counted in Report.Truncated (and errors in Report.Errors).
	// 0 means no limit.
	MaxProblems int
	// CustomDomainErrors reports operators of custom domains that are
	// neither known schemas nor model-local functions as errors
	// (RuleUnknownOp) instead of notes, like onnx.checker's
	// check_custom_domain.
	CustomDomainErrors bool
	// SkipTypes skips the type-constraint rules (RuleTypeConstraint,
	// RuleTypeMismatch).
	SkipTypes bool
	// SkipExternalFiles skips opening external-data files to check that
	// they exist and are long enough; entries are still checked for form.
	SkipExternalFiles bool
}

// Validate checks m against the ONNX specification and returns every
// problem found, naming for each the rule, the graph, the node and the
// value or attribute at fault. It reads the model as loaded, never
// re-serialises it, and works on models of any size. opts may be nil.
//
// It checks what onnx.checker checks (IR version, opset imports, single
// static assignment, topological order, operator schemas: arity,
// attributes, deprecation; tensors and sparse tensors; functions) and more:
// declared types against the operators' type constraints, tensor data
// sizes, external-data locations, subgraph arity of If, Loop and Scan, the
// IR version each feature needs. Operators of custom domains are reported
// as notes. See the Rule constants for the full list.
//
// Validate does not change the model. To check external data it opens the
// files (once; Model.Close releases them) unless opts.SkipExternalFiles is
// set. Concurrent calls on one model are safe.
func (m *Model) Validate(opts *CheckOptions) *Report {
	c := newChecker(m, opts)
	c.model()
	return c.r
}

// Validate returns nil when m is valid, else an error that wraps
// ErrInvalidModel and lists the problems (errors.As reaches the
// *CheckError). opts may be nil.
func Validate(m *Model, opts *CheckOptions) error {
	return m.Validate(opts).Err()
}

// Check is the chain form of Validate: when m is invalid, it records the
// error (a *StepError for step "Check" around the *CheckError), and later
// steps do nothing. It does not change the model.
func (m *Model) Check() *Model {
	return m.Apply("Check", func(m *Model) error { return Validate(m, nil) })
}
