package ort

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"

	ortgo "github.com/yalue/onnxruntime_go"
)

// Session is a model loaded into ONNX Runtime once, for many runs:
// NewSession pays for loading and optimizing the model, each run only for
// the inference. A Session is not safe for concurrent use; Close releases
// it.
type Session struct {
	path    string
	inputs  []ValueInfo
	outputs []ValueInfo
	s       *ortgo.DynamicAdvancedSession
}

// NewSession loads the model at modelPath. Like Info, it supports models
// whose inputs and outputs are all tensors; a model without inputs is an
// error, since onnxruntime_go cannot run one.
func NewSession(modelPath string) (*Session, error) {
	inInfo, outInfo, err := Info(modelPath)
	if err != nil {
		return nil, err
	}
	if len(inInfo) == 0 || len(outInfo) == 0 {
		return nil, fmt.Errorf("ort: %s: models without inputs or outputs are not supported", modelPath)
	}
	inNames := make([]string, len(inInfo))
	for i, x := range inInfo {
		inNames[i] = x.Name
	}
	outNames := make([]string, len(outInfo))
	for i, x := range outInfo {
		outNames[i] = x.Name
	}
	s, err := ortgo.NewDynamicAdvancedSession(modelPath, inNames, outNames, nil)
	if err != nil {
		return nil, fmt.Errorf("ort: %s: %w", modelPath, err)
	}
	return &Session{path: modelPath, inputs: inInfo, outputs: outInfo, s: s}, nil
}

// Path returns the model file the session was loaded from.
func (s *Session) Path() string { return s.path }

// Inputs returns the inputs a run needs, as Info lists them. The slice is
// the caller's.
func (s *Session) Inputs() []ValueInfo { return cloneInfo(s.inputs) }

// Outputs returns the outputs a run produces, as Info lists them. The slice
// is the caller's.
func (s *Session) Outputs() []ValueInfo { return cloneInfo(s.outputs) }

func cloneInfo(list []ValueInfo) []ValueInfo {
	out := make([]ValueInfo, len(list))
	for i, x := range list {
		out[i] = ValueInfo{Name: x.Name, DType: x.DType, Shape: slices.Clone(x.Shape)}
	}
	return out
}

// Close releases the session. Closing twice does nothing.
func (s *Session) Close() error {
	if s.s == nil {
		return nil
	}
	err := s.s.Destroy()
	s.s = nil
	return err
}

// Run runs the model once on inputs, which must hold exactly the inputs
// Inputs lists, and returns every output by name. It works around
// onnxruntime_go's output handling as the package-level Run does.
func (s *Session) Run(inputs map[string]*Tensor) (map[string]*Tensor, error) {
	return s.RunContext(context.Background(), inputs)
}

// RunContext is Run, stopped when ctx is done: ONNX Runtime is told to
// terminate the run, which it does between operators, and ctx's error is
// returned.
func (s *Session) RunContext(ctx context.Context, inputs map[string]*Tensor) (map[string]*Tensor, error) {
	b, err := s.Bind(inputs)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	if err := b.RunContext(ctx); err != nil {
		return nil, err
	}
	return b.Outputs()
}

// Binding is a session with its inputs converted for ONNX Runtime and its
// output buffers prepared, so that repeated runs (a benchmark) spend their
// time in the inference only. It refers to the inputs' Data: do not change
// it while the binding is open. Close releases the binding, not the
// session.
type Binding struct {
	s    *Session
	ins  []ortgo.Value
	outs []ortgo.Value
	// kept[i] marks an output buffer Bind made (see outputBuffer); the
	// others ONNX Runtime allocates on each run.
	kept []bool
	// shared[i] marks an output whose buffer is an input's (BindShared).
	shared []bool
	ran    bool
}

// Bind prepares runs of the session on inputs, which must hold exactly the
// inputs Inputs lists.
func (s *Session) Bind(inputs map[string]*Tensor) (*Binding, error) {
	return s.BindShared(inputs, nil)
}

// BindShared is Bind for operators whose output must be written into an
// input's buffer (a key/value cache that past and present share, as
// SparseAttention requires): shared maps an output's name to the input's
// name. The runs then write that output into the input's Data, and the
// output has the input's shape.
func (s *Session) BindShared(inputs map[string]*Tensor, shared map[string]string) (_ *Binding, err error) {
	if s.s == nil {
		return nil, errors.New("ort: session is closed")
	}
	for _, x := range s.inputs {
		if inputs[x.Name] == nil {
			return nil, fmt.Errorf("ort: %s: input %q is missing", s.path, x.Name)
		}
	}
	for name := range inputs {
		if !slices.ContainsFunc(s.inputs, func(x ValueInfo) bool { return x.Name == name }) {
			return nil, fmt.Errorf("ort: %s: the model has no input %q", s.path, name)
		}
	}
	b := &Binding{s: s, ins: make([]ortgo.Value, len(s.inputs)), outs: make([]ortgo.Value, len(s.outputs)),
		kept: make([]bool, len(s.outputs)), shared: make([]bool, len(s.outputs))}
	defer func() {
		if err != nil {
			b.Close()
		}
	}()
	for i, x := range s.inputs {
		if b.ins[i], err = toValue(inputs[x.Name]); err != nil {
			return nil, fmt.Errorf("ort: %s: input %q: %w", s.path, x.Name, err)
		}
	}
	for out, in := range shared {
		i := slices.IndexFunc(s.outputs, func(x ValueInfo) bool { return x.Name == out })
		j := slices.IndexFunc(s.inputs, func(x ValueInfo) bool { return x.Name == in })
		if i < 0 || j < 0 {
			return nil, fmt.Errorf("ort: %s: cannot share input %q with output %q: no such input or output", s.path, in, out)
		}
		b.outs[i], b.kept[i], b.shared[i] = b.ins[j], true, true
	}
	var declared map[string][]int64 // read when the first output needs it
	for i, x := range s.outputs {
		if b.shared[i] {
			continue
		}
		if declared == nil && needsDeclared(x) {
			if declared, err = declaredShapes(s.path, inputs); err != nil {
				return nil, err
			}
		}
		if b.outs[i], err = outputBuffer(x, declared); err != nil {
			return nil, fmt.Errorf("ort: %s: output %q: %w", s.path, x.Name, err)
		}
		b.kept[i] = b.outs[i] != nil
	}
	return b, nil
}

// Run runs the model once. The outputs of the previous run are released.
func (b *Binding) Run() error { return b.RunContext(context.Background()) }

// RunContext is Run, stopped when ctx is done: ONNX Runtime is told to
// terminate the run (it stops between operators) and ctx's error is
// returned.
func (b *Binding) RunContext(ctx context.Context) error {
	if b.s.s == nil || b.ins == nil {
		return errors.New("ort: binding or session is closed")
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	b.releaseAllocated()
	b.ran = false
	var err error
	if ctx.Done() == nil {
		err = b.s.s.Run(b.ins, b.outs)
	} else {
		err = runTerminable(ctx, func(o *ortgo.RunOptions) error { return b.s.s.RunWithOptions(b.ins, b.outs, o) })
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil {
		return fmt.Errorf("ort: %s: %w", b.s.path, err)
	}
	b.ran = true
	return nil
}

// runTerminable runs run with run options that a done ctx terminates.
func runTerminable(ctx context.Context, run func(*ortgo.RunOptions) error) error {
	o, err := ortgo.NewRunOptions()
	if err != nil {
		return err
	}
	defer o.Destroy()
	done := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(done)
		o.Terminate()
	})
	defer func() {
		if !stop() {
			<-done // Terminate is running: let it end before Destroy
		}
	}()
	return run(o)
}

// Outputs copies the outputs of the last run, by name.
func (b *Binding) Outputs() (map[string]*Tensor, error) {
	if !b.ran {
		return nil, errors.New("ort: no outputs before a successful run")
	}
	result := make(map[string]*Tensor, len(b.outs))
	for i, v := range b.outs {
		name := b.s.outputs[i].Name
		t, err := fromValue(v)
		if err != nil {
			return nil, fmt.Errorf("ort: %s: output %q: %w", b.s.path, name, err)
		}
		result[name] = t
	}
	return result, nil
}

// releaseAllocated destroys the outputs ONNX Runtime allocated in the last
// run and clears their slots for the next one.
func (b *Binding) releaseAllocated() {
	for i, v := range b.outs {
		if !b.kept[i] {
			destroy(v)
			b.outs[i] = nil
		}
	}
}

// Close releases the binding's values. Closing twice does nothing.
func (b *Binding) Close() error {
	for _, v := range b.ins {
		destroy(v)
	}
	for i, v := range b.outs {
		if !b.shared[i] { // an input's value, destroyed above
			destroy(v)
		}
	}
	b.ins, b.outs, b.ran = nil, nil, false
	return nil
}

// destroy releases v unless it is nil; a failed run can leave a nil pointer
// in an output slot.
func destroy(v ortgo.Value) {
	if v != nil && !reflect.ValueOf(v).IsNil() {
		v.Destroy()
	}
}
