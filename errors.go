package onnxgraph

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors. Every error this package returns wraps one of them where
// one applies, so callers can test with errors.Is; the structured types below
// carry the names involved and are reached with errors.As.
var (
	// ErrMalformed reports bytes that are not a valid ONNX protobuf message:
	// a truncated file, a wrong wire type, a length past the end.
	ErrMalformed = errors.New("onnxgraph: malformed model")
	// ErrNotFound reports a name (value, node, input, output, file) that the
	// model does not have.
	ErrNotFound = errors.New("onnxgraph: not found")
	// ErrCycle reports a graph whose nodes cannot be ordered.
	ErrCycle = errors.New("onnxgraph: cycle")
	// ErrUnsafePath reports an external-data location that would leave the
	// model's folder: an absolute path, a "..", or a symbolic link out.
	ErrUnsafePath = errors.New("onnxgraph: unsafe external data path")
	// ErrExternalData reports external data that cannot be read as described:
	// a missing file, a range past its end, a bad offset or length.
	ErrExternalData = errors.New("onnxgraph: bad external data")
	// ErrTooLarge reports a model that would be written as a single protobuf
	// message of 2 GiB or more, which protobuf readers other than Go's reject.
	ErrTooLarge = errors.New("onnxgraph: model too large for one protobuf message")
	// ErrInvalid reports an argument or a graph state an operation cannot
	// work with, such as a value from another graph or a name in use.
	ErrInvalid = errors.New("onnxgraph: invalid")
	// ErrInUse reports a save that would replace a file a loaded model
	// reads its tensors from.
	ErrInUse = errors.New("onnxgraph: file in use")
	// ErrUntyped reports an edit that needs a value's type (to check a
	// junction, to declare a new graph output) when neither the model nor
	// its type source (Infer) nor the TypeOf hook tells it.
	ErrUntyped = errors.New("onnxgraph: type unknown")
	// ErrClosed reports an operation on a model opened with
	// LoadOptions.Map after its Close, whose tensor bytes are gone.
	ErrClosed = errors.New("onnxgraph: model closed")
	// ErrChanged reports a model file opened with LoadOptions.Map that
	// another program rewrote or cut short in place while it was mapped.
	ErrChanged = errors.New("onnxgraph: mapped model file changed")
)

// DecodeError locates a malformed spot in a serialized model.
type DecodeError struct {
	Path   string // message path, e.g. "ModelProto.graph.node.attribute"
	Offset int64  // byte offset in the input
	Err    error  // what the wire decoder said
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("onnxgraph: malformed model at byte %d in %s: %v", e.Offset, e.Path, e.Err)
}

// Unwrap returns ErrMalformed and the underlying error.
func (e *DecodeError) Unwrap() []error { return []error{ErrMalformed, e.Err} }

// CycleError names the nodes of a cycle found while ordering a graph.
type CycleError struct {
	Graph string   // the graph's name
	Nodes []string // the nodes on one cycle, each as name(OpType), in edge order
	Stuck int      // how many nodes could not be ordered in all
}

func (e *CycleError) Error() string {
	return fmt.Sprintf("onnxgraph: graph %q has a cycle through %s (%d nodes cannot be ordered)",
		e.Graph, capList(e.Nodes, 12, " -> "), e.Stuck)
}

// Unwrap returns ErrCycle.
func (e *CycleError) Unwrap() error { return ErrCycle }

// ExternalDataError names the tensor and location of unusable external data.
type ExternalDataError struct {
	Tensor   string // the tensor's name
	Location string // the location as written in the model
	Err      error  // ErrUnsafePath, ErrExternalData or an I/O error
}

func (e *ExternalDataError) Error() string {
	return fmt.Sprintf("onnxgraph: external data of tensor %q at %q: %v", e.Tensor, e.Location, trimPrefix(e.Err))
}

// Unwrap returns the cause.
func (e *ExternalDataError) Unwrap() error { return e.Err }

// StepError is the error a chained call records: which step failed, on which
// name, and why.
type StepError struct {
	Step string // the method, e.g. "Rename"
	Name string // the culprit's name, if any
	Err  error
}

func (e *StepError) Error() string {
	if e.Name == "" {
		return fmt.Sprintf("onnxgraph: %s: %v", e.Step, trimPrefix(e.Err))
	}
	return fmt.Sprintf("onnxgraph: %s %q: %v", e.Step, e.Name, trimPrefix(e.Err))
}

// Unwrap returns the cause.
func (e *StepError) Unwrap() error { return e.Err }

// trimPrefix drops a leading "onnxgraph: " from a wrapped error's text so
// that messages read "onnxgraph: step: cause" once.
func trimPrefix(err error) string {
	if err == nil {
		return "<nil>"
	}
	return strings.TrimPrefix(err.Error(), "onnxgraph: ")
}

// untyped returns the ErrUntyped error of an edit for values whose type is
// unknown.
func untyped(op string, names []string) error {
	return culprit(names[0], errorf(ErrUntyped, "%s: the type of %s is unknown: declare it, call Infer first, or allow untyped values", op, quoteList(names)))
}

// capList joins at most max items and says how many were left out.
func capList(items []string, max int, sep string) string {
	if len(items) <= max {
		return strings.Join(items, sep)
	}
	return strings.Join(items[:max], sep) + fmt.Sprintf("%s... (%d more)", sep, len(items)-max)
}

func errorf(sentinel error, format string, args ...any) error {
	return &wrapped{msg: fmt.Sprintf(format, args...), err: sentinel}
}

// wrapped is an error with its own message that still matches a sentinel.
type wrapped struct {
	msg string
	err error
}

func (w *wrapped) Error() string { return "onnxgraph: " + w.msg }
func (w *wrapped) Unwrap() error { return w.err }

// ErrSchema reports a node that does not fit its operator's schema: an
// operator unknown at the model's opset, an attribute the operator does not
// declare or of the wrong type, a missing required attribute, a wrong
// number of inputs or outputs, or an element type its type constraints do
// not allow.
var ErrSchema = errors.New("onnxgraph: schema violation")

// ErrShape reports dimensions that do not fit a value: a shape of the wrong
// rank, a size that contradicts one the model fixes, a layout that does not
// match.
var ErrShape = errors.New("onnxgraph: shape mismatch")

// ErrInvalidModel reports a model that breaks the ONNX specification. The
// errors Validate, Report.Err and Model.Check return wrap it; errors.As
// reaches the *CheckError that lists the problems.
var ErrInvalidModel = errors.New("onnxgraph: invalid model")

// ErrMissingInput reports values an extracted part needs that nothing in
// it computes and that are not among its inputs.
var ErrMissingInput = errors.New("onnxgraph: missing input")

// ErrConvert reports a node that SetOpset cannot convert between opset
// versions (see ConvertError).
var ErrConvert = errors.New("onnxgraph: cannot convert")

// ErrJunction reports two values joined by an edit (a merge connection, a
// rewired input, a deleted node's bypass) whose types do not fit: element
// types differ, or shapes are incompatible.
var ErrJunction = errors.New("onnxgraph: incompatible junction")

var (
	// ErrNameCollision reports a name that two merged models both use, or
	// a new name that is already taken.
	ErrNameCollision = errors.New("onnxgraph: name collision")
	// ErrOpsetConflict reports models that import different versions of
	// one operator set domain, under MergeOptions.Opsets = OpsetFail.
	ErrOpsetConflict = errors.New("onnxgraph: opset conflict")
	// ErrMetadataConflict reports models whose metadata_props give one key
	// different values, under MergeOptions.Metadata = MetadataFail.
	ErrMetadataConflict = errors.New("onnxgraph: metadata conflict")
)

// named gives an error the name a chain's StepError reports.
type named struct {
	name string
	err  error
}

func (e *named) Error() string   { return e.err.Error() }
func (e *named) Unwrap() error   { return e.err }
func (e *named) Culprit() string { return e.name }

// culprit attaches name to err as its culprit: the name a StepError
// reports, and what the error's Culprit method returns. It is the one way
// an error of this package names the value, node or file at fault.
func culprit(name string, err error) error {
	if err == nil {
		return nil
	}
	return &named{name: name, err: err}
}
