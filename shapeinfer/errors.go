package shapeinfer

import (
	"fmt"
)

// Code says why a value's type could not be fully inferred, or what went
// wrong; callers can tell an unknown operator from a data-dependent shape
// from an inconsistent declaration.
type Code int

// Codes.
const (
	// CodeUnknownOp: no schema or inference function for the operator.
	CodeUnknownOp Code = iota + 1
	// CodeDataDependent: the output shape depends on input values that
	// are not known before run time (NonZero, Unique, a computed shape).
	CodeDataDependent
	// CodeMissingInput: an input's type or shape is not known.
	CodeMissingInput
	// CodeConflict: an inferred type contradicts a declared one.
	CodeConflict
	// CodeInvalid: the inputs are inconsistent (shapes that do not
	// broadcast, a wrong rank, an axis out of range).
	CodeInvalid
	// CodeUnsupported: the operator is known but this case is not handled.
	CodeUnsupported
	// CodeInternal: the operator's inference function failed on this
	// input (a defect in shapeinfer, reported instead of a panic).
	CodeInternal
)

func (c Code) String() string {
	switch c {
	case CodeUnknownOp:
		return "unknown operator"
	case CodeDataDependent:
		return "data-dependent"
	case CodeMissingInput:
		return "missing input shape"
	case CodeConflict:
		return "conflicting declared type"
	case CodeInvalid:
		return "invalid inputs"
	case CodeUnsupported:
		return "unsupported case"
	case CodeInternal:
		return "internal error"
	}
	return fmt.Sprintf("code(%d)", int(c))
}

// Error is an inference problem at a node.
type Error struct {
	Code  Code
	Node  string // node name, or "#index(OpType)"
	Value string // the value concerned, if any
	Msg   string
}

func (e *Error) Error() string {
	s := "shapeinfer: node " + e.Node
	if e.Value != "" {
		s += ", value " + fmt.Sprintf("%q", e.Value)
	}
	return s + ": " + e.Code.String() + ": " + e.Msg
}

// Reason explains why a value has no complete type: what happened, and the
// upstream value that blocked it (nil when the value's own node is the cause).
type Reason struct {
	Code    Code
	Msg     string
	Node    string // the node whose inference stopped
	Blocker string // the upstream value at the root of the problem, if any
}

func (r *Reason) String() string {
	s := r.Code.String() + " at node " + r.Node + ": " + r.Msg
	if r.Blocker != "" {
		s += " (blocked by " + fmt.Sprintf("%q", r.Blocker) + ")"
	}
	return s
}
