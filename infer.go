package onnxgraph

import "github.com/onnxgraph/onnxgraph/onnxproto"

// TypeSource infers the types of a model's values. Package shapeinfer
// provides one:
//
//	m := onnxgraph.Load("in.onnx").Infer(shapeinfer.Types(nil))
//
// The root package does not import shapeinfer; a TypeSource is how its
// results reach the edits.
type TypeSource interface {
	// InferTypes returns a function giving the type of every value of m it
	// can tell (nil for the others), or an error when m's types cannot be
	// trusted. It may write what it infers into m.
	InferTypes(m *Model) (func(*Value) *onnxproto.TypeProto, error)
}

// Infer runs src on the model and keeps it with the model: from then on,
// every edit that needs a type the model does not declare (a merge
// junction, an extracted boundary, a batch constant, an opset adapter, an
// inserted node's output) takes it from src's inference of the model as it
// is when that edit starts. Inference runs again only when an edit changed
// the model since (see Generation). An error of src stops the chain.
// Clone keeps the source too.
//
// An option's own TypeOf hook, when set, is used instead.
func (m *Model) Infer(src TypeSource) *Model {
	return m.Apply("Infer", func(m *Model) error {
		if src == nil {
			return errorf(ErrInvalid, "no type source")
		}
		m.types = &typeCache{src: src}
		_, err := m.typesNow()
		return err
	})
}

// InferredType returns v's type as the model's type source infers it now,
// or nil when Infer was not called or the source cannot tell.
func (m *Model) InferredType(v *Value) *onnxproto.TypeProto {
	fn, _ := m.typesNow()
	if fn == nil || v == nil {
		return nil
	}
	return fn(v)
}

// typeCache holds the result of the model's type source, and the
// generation of the model it describes.
type typeCache struct {
	src   TypeSource
	valid bool
	gen   uint64
	fn    func(*Value) *onnxproto.TypeProto
	err   error
}

// fresh is the same type source for another model, with nothing inferred
// yet; nil when t is.
func (t *typeCache) fresh() *typeCache {
	if t == nil {
		return nil
	}
	return &typeCache{src: t.src}
}

// typesNow returns the inferred types of the model as it is now, inferring
// again when it changed since; nil when the model has no type source.
func (m *Model) typesNow() (func(*Value) *onnxproto.TypeProto, error) {
	c := m.types
	if c == nil {
		return nil, nil
	}
	if !c.valid || c.gen != m.gen {
		c.fn, c.err = c.src.InferTypes(m)
		// What the source wrote into the model is part of what it saw.
		c.gen, c.valid = m.gen, true
	}
	return c.fn, c.err
}

// typeHook returns the types an edit starting now sees: the hook its
// options give, else the model's inferred types (nil when it has none).
// Edits take it once, at their start, so that it describes the model as
// the edit found it.
func (m *Model) typeHook(given func(*Value) *onnxproto.TypeProto) func(*Value) *onnxproto.TypeProto {
	if given != nil {
		return given
	}
	fn, _ := m.typesNow()
	return fn
}
