package shapeinfer

import (
	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
)

// Types returns shape inference as the type source of an onnxgraph chain:
//
//	err := onnxgraph.Load("in.onnx").
//		Infer(shapeinfer.Types(nil)).
//		Extract(&onnxgraph.ExtractOptions{Outputs: []string{"mid"}}, nil).
//		Save("part.onnx")
//
// Every later edit of the chain sees the types inferred for the model as
// it is when that edit starts. opts are Infer's options (nil for the
// defaults; WriteBack stores the types in the model as they are inferred).
func Types(opts *Options) onnxgraph.TypeSource { return typeSource{opts} }

type typeSource struct{ opts *Options }

// InferTypes runs Infer on m.
func (s typeSource) InferTypes(m *onnxgraph.Model) (func(*onnxgraph.Value) *onnxproto.TypeProto, error) {
	res, err := Infer(m, s.opts)
	if res == nil {
		return nil, err
	}
	return func(v *onnxgraph.Value) *onnxproto.TypeProto {
		if t := res.Type(v); t != nil && t.Kind != KindUnknown {
			return t.Proto()
		}
		return nil
	}, err
}
