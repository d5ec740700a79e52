package tflite

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors: every error Convert returns wraps one of them, so callers
// can test with errors.Is; the structured types below carry the names
// involved and are reached with errors.As.
var (
	// ErrUnsupported reports operators, element types or attribute values
	// that have no exact TensorFlow Lite form.
	ErrUnsupported = errors.New("tflite: unsupported")
	// ErrDynamicShape reports a value whose shape is not fully known once
	// the input dims are fixed.
	ErrDynamicShape = errors.New("tflite: dynamic shape")
	// ErrInvalid reports a model or option the exporter cannot work with:
	// an unknown input name, a bad dims list, an inconsistent model.
	ErrInvalid = errors.New("tflite: invalid")
	// ErrTooLarge reports a model past the 2 GiB FlatBuffer limit.
	ErrTooLarge = errors.New("tflite: too large")
)

// NodeProblem is one node that cannot be exported, and why.
type NodeProblem struct {
	Node   string `json:"node"`    // the node's name, or "#index" when it has none
	OpType string `json:"op_type"` // with its domain as "domain:Op" outside the default domain
	Reason string `json:"reason"`
}

func (p NodeProblem) String() string {
	return fmt.Sprintf("node %s (%s): %s", p.Node, p.OpType, p.Reason)
}

// UnsupportedError lists every node of a model that cannot be exported.
// It wraps ErrUnsupported.
type UnsupportedError struct {
	Nodes []NodeProblem
}

func (e *UnsupportedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "tflite: %d node(s) cannot be exported:", len(e.Nodes))
	for _, p := range e.Nodes {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

// Unwrap returns ErrUnsupported.
func (e *UnsupportedError) Unwrap() error { return ErrUnsupported }

// OpTypes returns the distinct operator types of the problems, in order
// of first appearance.
func (e *UnsupportedError) OpTypes() []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range e.Nodes {
		if !seen[p.OpType] {
			seen[p.OpType] = true
			out = append(out, p.OpType)
		}
	}
	return out
}

// ShapeError names a value whose shape is not static.
type ShapeError struct {
	Value string // the value's name
	Shape string // what is known of its shape, e.g. "[N,3,224,224]"
	Why   string // shape inference's explanation, when it has one
}

func (e *ShapeError) Error() string {
	s := fmt.Sprintf("tflite: value %q has shape %s, which is not static", e.Value, e.Shape)
	if e.Why != "" {
		s += " (" + e.Why + ")"
	}
	return s + "; fix the input dims (Options.InputShapes, --input name=dims)"
}

// Unwrap returns ErrDynamicShape.
func (e *ShapeError) Unwrap() error { return ErrDynamicShape }

// unsupported is the error a converter function returns for a case it
// cannot express; the driver collects them per node.
type unsupported struct{ msg string }

func (e *unsupported) Error() string { return e.msg }

func refuse(format string, args ...any) error {
	return &unsupported{fmt.Sprintf(format, args...)}
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}
