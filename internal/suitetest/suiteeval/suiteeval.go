package suiteeval

import (
	"fmt"
	"path/filepath"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/eval"
	"github.com/onnxgraph/onnxgraph/internal/suitetest"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"google.golang.org/protobuf/proto"
)

// Check runs m with the evaluator on every data set of the case in dir (the
// folder of its model.onnx) and compares each graph output with its
// expected value by same, which returns how they differ (typ is the
// output's declared type). It is an error when the case has no data set.
func Check(m *onnxgraph.Model, dir string, same func(got, want eval.Value, typ *onnxproto.TypeProto) error) error {
	sets, err := suitetest.DataSets(dir)
	if err != nil {
		return err
	}
	if len(sets) == 0 {
		return fmt.Errorf("no data sets")
	}
	for _, set := range sets {
		inputs, want, err := values(m, set)
		if err != nil {
			return err
		}
		outs, err := eval.RunValues(m, inputs, nil)
		if err != nil {
			return err
		}
		for i, o := range m.Graph().Outputs() {
			if err := same(outs[o.Name()], want[i], o.Type()); err != nil {
				return fmt.Errorf("%s output %q: %v", filepath.Base(set.Dir), o.Name(), err)
			}
		}
	}
	return nil
}

// values reads data set s of model m as the evaluator's values: inputs
// maps the names of m's graph inputs to what input_K.pb holds for the
// K-th of them, and outputs holds the expected value of each graph output,
// in their order. Each file is read as the kind of value the graph's type
// for it declares. It is an error when s has more inputs than the graph,
// or not one output for each of the graph's.
func values(m *onnxgraph.Model, s suitetest.DataSet) (inputs map[string]eval.Value, outputs []eval.Value, err error) {
	g := m.Graph()
	gin, gout := g.Inputs(), g.Outputs()
	if len(s.Inputs) > len(gin) {
		return nil, nil, fmt.Errorf("%s: more input files than graph inputs", filepath.Base(s.Dir))
	}
	if len(s.Outputs) != len(gout) {
		return nil, nil, fmt.Errorf("%d output files for %d outputs", len(s.Outputs), len(gout))
	}
	inputs = map[string]eval.Value{}
	for k, b := range s.Inputs {
		v, err := value(b, gin[k].Type(), true)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %v", s.InputPath(k), err)
		}
		inputs[gin[k].Name()] = v
	}
	for k, b := range s.Outputs {
		v, err := value(b, gout[k].Type(), false)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %v", s.OutputPath(k), err)
		}
		outputs = append(outputs, v)
	}
	return inputs, outputs, nil
}

// value decodes a test data file as the kind of value typ declares: a
// SequenceProto, an OptionalProto or a TensorProto. Old suite files hold
// bfloat16 inputs as uint16 bit patterns: an input is read as the
// bfloat16 values those are (outputs stay patterns, which the suite's
// runner compares as integers).
func value(b []byte, typ *onnxproto.TypeProto, input bool) (eval.Value, error) {
	switch {
	case typ.GetSequenceType() != nil:
		sp := new(onnxproto.SequenceProto)
		if err := proto.Unmarshal(b, sp); err != nil {
			return eval.Value{}, err
		}
		s := sequence(sp)
		s.ElemType = onnxgraph.DataType(typ.GetSequenceType().GetElemType().GetTensorType().GetElemType())
		return eval.Value{Sequence: s}, nil
	case typ.GetOptionalType() != nil:
		op := new(onnxproto.OptionalProto)
		if err := proto.Unmarshal(b, op); err != nil {
			return eval.Value{}, err
		}
		v := eval.Value{Optional: true}
		switch {
		case op.GetTensorValue() != nil:
			v.Tensor = onnxgraph.TensorFromProto(op.GetTensorValue())
		case op.GetSequenceValue() != nil:
			v.Sequence = sequence(op.GetSequenceValue())
		}
		return v, nil
	}
	tp, err := onnxgraph.DecodeTensor(b)
	if err != nil {
		return eval.Value{}, err
	}
	if decl := onnxgraph.DataType(typ.GetTensorType().GetElemType()); input && decl == onnxgraph.BFloat16 && tp.DataType() == onnxgraph.Uint16 {
		raw, err := tp.AsRawData()
		if err != nil {
			return eval.Value{}, err
		}
		rb, err := raw.Bytes()
		if err != nil {
			return eval.Value{}, err
		}
		if tp, err = onnxgraph.NewTensor(tp.Name(), onnxgraph.BFloat16, tp.Dims(), rb); err != nil {
			return eval.Value{}, err
		}
	}
	return eval.Value{Tensor: tp}, nil
}

// sequence converts a SequenceProto's tensors.
func sequence(sp *onnxproto.SequenceProto) *eval.Sequence {
	s := &eval.Sequence{}
	for _, tp := range sp.GetTensorValues() {
		s.Tensors = append(s.Tensors, onnxgraph.TensorFromProto(tp))
	}
	return s
}
