package eval

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/onnxgraph/onnxgraph"
)

// Sentinel errors. Every error of this package wraps one of them, so that
// callers can tell them apart with errors.Is; a *NodeError names the node.
var (
	// ErrNotImplemented reports an operator, an operator version, an
	// element type or an attribute value the evaluator has no kernel for.
	// A constant folder skips such nodes.
	ErrNotImplemented = errors.New("eval: not implemented")
	// ErrInvalid reports inputs or attributes a kernel cannot work with: a
	// wrong rank, shapes that do not broadcast, an axis out of range, a bad
	// attribute, an index out of bounds, a missing input.
	ErrInvalid = errors.New("eval: invalid")
	// ErrTooLarge reports a tensor that would exceed Options.MaxElements.
	// Nothing of that size is allocated.
	ErrTooLarge = errors.New("eval: too large")
)

// NodeError is an error evaluating one node.
type NodeError struct {
	Node   string // the node's name, or "#index" in its graph when unnamed
	OpType string // its operator
	Domain string // its domain as written ("" for the default domain)
	Since  int    // the operator version in force, 0 when unknown
	Err    error  // wraps ErrNotImplemented, ErrInvalid or ErrTooLarge
}

func (e *NodeError) Error() string {
	op := e.OpType
	if e.Domain != "" {
		op = e.Domain + ":" + op
	}
	if e.Since > 0 {
		op += "-" + strconv.Itoa(e.Since)
	}
	return fmt.Sprintf("eval: node %s (%s): %s", e.Node, op, strings.TrimPrefix(e.Err.Error(), "eval: "))
}

// Unwrap returns the cause.
func (e *NodeError) Unwrap() error { return e.Err }

// kernelError is a message that matches a sentinel.
type kernelError struct {
	msg string
	err error
}

func (e *kernelError) Error() string { return "eval: " + e.msg }
func (e *kernelError) Unwrap() error { return e.err }

func errorf(sentinel error, format string, args ...any) error {
	return &kernelError{msg: fmt.Sprintf(format, args...), err: sentinel}
}

func invalidf(format string, args ...any) error { return errorf(ErrInvalid, format, args...) }

func notImplf(format string, args ...any) error { return errorf(ErrNotImplemented, format, args...) }

// nodeLabel names n in messages: its name, or its index in its graph.
func nodeLabel(n *onnxgraph.Node) string {
	if n.Name() != "" {
		return strconv.Quote(n.Name())
	}
	if g := n.Graph(); g != nil {
		for i, m := range g.Nodes() {
			if m == n {
				return "#" + strconv.Itoa(i)
			}
		}
	}
	return "#?"
}
