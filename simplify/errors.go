package simplify

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error Simplify returns wraps one of them, or an
// error of package onnxgraph (a *onnxgraph.CycleError for a graph whose
// nodes cannot be ordered).
var (
	// ErrOption reports an option Simplify cannot work with: an unknown
	// pass or operator in a skip list, an input shape naming no graph
	// input or of the wrong rank. Nothing is changed.
	ErrOption = errors.New("simplify: bad option")
	// ErrInvalidResult reports a failure outside the passes (a pass that
	// fails is turned off, see Report.Disabled): not expected; the model
	// is left as it was.
	ErrInvalidResult = errors.New("simplify: internal failure")
)

// OptionError names the option and the value at fault.
type OptionError struct {
	Option string // "SkipPasses", "SkipOps", "Inputs", "MaxFoldBytes" ...
	Value  string // the name or value at fault
	Msg    string // what is wrong with it
}

func (e *OptionError) Error() string {
	return fmt.Sprintf("simplify: %s %q: %s", e.Option, e.Value, e.Msg)
}

// Unwrap returns ErrOption.
func (e *OptionError) Unwrap() error { return ErrOption }

// Culprit returns the value at fault, for onnxgraph's chain errors.
func (e *OptionError) Culprit() string { return e.Value }

func optionErr(option, value, format string, args ...any) error {
	return &OptionError{Option: option, Value: value, Msg: fmt.Sprintf(format, args...)}
}

// wrap prefixes an error of another package with this package's name,
// keeping it reachable with errors.Is and errors.As.
func wrap(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("simplify: %w", err)
}
