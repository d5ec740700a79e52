package opschema_test

import (
	"math"
	"reflect"
	"testing"

	"github.com/onnxgraph/onnxgraph/opschema"
)

func mustLookup(t *testing.T, domain, op string, opset int) *opschema.Schema {
	t.Helper()
	s, ok := opschema.Lookup(domain, op, opset)
	if !ok {
		t.Fatalf("Lookup(%q, %q, %d): not found", domain, op, opset)
	}
	return s
}

func TestAttributes(t *testing.T) {
	tests := []struct {
		op       string
		opset    int
		attr     string
		typ      opschema.AttrType
		required bool
		want     any // typed default; nil means no default
	}{
		{"Conv", 22, "auto_pad", opschema.AttrString, false, "NOTSET"},
		{"Conv", 22, "group", opschema.AttrInt, false, int64(1)},
		{"Conv", 22, "kernel_shape", opschema.AttrInts, false, nil},
		{"Gemm", 13, "alpha", opschema.AttrFloat, false, float32(1)},
		{"Gemm", 13, "beta", opschema.AttrFloat, false, float32(1)},
		{"Gemm", 13, "transA", opschema.AttrInt, false, int64(0)},
		{"LSTM", 22, "direction", opschema.AttrString, false, "forward"},
		{"LSTM", 22, "input_forget", opschema.AttrInt, false, int64(0)},
		{"LSTM", 22, "activations", opschema.AttrStrings, false, nil},
		{"LSTM", 22, "clip", opschema.AttrFloat, false, nil},
		{"RNN", 22, "activations", opschema.AttrStrings, false, []string{"Tanh", "Tanh"}},
		{"MeanVarianceNormalization", 13, "axes", opschema.AttrInts, false, []int64{0, 2, 3}},
		{"Clip", 6, "max", opschema.AttrFloat, false, float32(3.402823e+38)},
		{"Clip", 6, "min", opschema.AttrFloat, false, float32(-3.402823e+38)},
		{"LeakyRelu", 16, "alpha", opschema.AttrFloat, false, float32(0.01)},
		{"BatchNormalization", 15, "epsilon", opschema.AttrFloat, false, float32(1e-05)},
		{"Concat", 13, "axis", opschema.AttrInt, true, nil},
		{"Concat", 1, "axis", opschema.AttrInt, false, nil},
		{"Cast", 21, "to", opschema.AttrInt, true, nil},
		{"Cast", 21, "saturate", opschema.AttrInt, false, int64(1)},
		{"Loop", 21, "body", opschema.AttrGraph, true, nil},
		{"Constant", 21, "value", opschema.AttrTensor, false, nil},
		{"Constant", 21, "sparse_value", opschema.AttrSparseTensor, false, nil},
		{"Constant", 21, "value_floats", opschema.AttrFloats, false, nil},
	}
	for _, tt := range tests {
		s := mustLookup(t, "", tt.op, tt.opset)
		a, ok := s.Attribute(tt.attr)
		if !ok {
			t.Errorf("%s-%d: no attribute %s", s.Name, s.SinceVersion, tt.attr)
			continue
		}
		if a.Type != tt.typ || a.Required != tt.required {
			t.Errorf("%s-%d.%s: type %v required %v, want %v %v", s.Name, s.SinceVersion, tt.attr, a.Type, a.Required, tt.typ, tt.required)
		}
		got, ok := a.DefaultValue()
		if tt.want == nil {
			if ok || a.Default != nil {
				t.Errorf("%s-%d.%s: default %#v, want none", s.Name, s.SinceVersion, tt.attr, got)
			}
			continue
		}
		if !ok || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s-%d.%s: default %#v, want %#v", s.Name, s.SinceVersion, tt.attr, got, tt.want)
		}
	}
	if _, ok := mustLookup(t, "", "Conv", 22).Attribute("nope"); ok {
		t.Error("Conv-22 has attribute nope")
	}
}

func TestDefaultFields(t *testing.T) {
	s := mustLookup(t, "", "Gemm", 13)
	alpha, _ := s.Attribute("alpha")
	if d := alpha.Default; d.Raw != "1.0" || d.Float != 1 {
		t.Errorf("Gemm-13 alpha default = %+v", d)
	}
	transA, _ := s.Attribute("transA")
	if d := transA.Default; d.Raw != "0" || d.Int != 0 {
		t.Errorf("Gemm-13 transA default = %+v", d)
	}
	conv := mustLookup(t, "", "Conv", 11)
	autoPad, _ := conv.Attribute("auto_pad")
	if d := autoPad.Default; d.String != "NOTSET" {
		t.Errorf("Conv-11 auto_pad default = %+v", d)
	}

	// LabelEncoder's default_float is negative zero, which Go constants
	// cannot express.
	le := mustLookup(t, opschema.DomainML, "LabelEncoder", 4)
	df, _ := le.Attribute("default_float")
	if d := df.Default; d.Raw != "-0.0" || d.Float != 0 || !math.Signbit(float64(d.Float)) {
		t.Errorf("LabelEncoder-4 default_float = %+v, want -0", d)
	}
	ds, _ := le.Attribute("default_string")
	if d := ds.Default; d.String != "_Unused" {
		t.Errorf("LabelEncoder-4 default_string = %+v", d)
	}
}

// TestEveryDefaultTyped checks that each default carries exactly the typed
// value its attribute type calls for.
func TestEveryDefaultTyped(t *testing.T) {
	n, ext := 0, 0
	for _, s := range opschema.All() {
		for i := range s.Attributes {
			a := &s.Attributes[i]
			if a.Default == nil {
				continue
			}
			if s.Extension {
				ext++
			} else {
				n++
			}
			d := a.Default
			if d.Raw == "" {
				t.Errorf("%s-%d.%s: empty Raw", s.Name, s.SinceVersion, a.Name)
			}
			v, ok := a.DefaultValue()
			if !ok {
				t.Errorf("%s-%d.%s (%v): default %q has no typed value", s.Name, s.SinceVersion, a.Name, a.Type, d.Raw)
				continue
			}
			// Fields other than the one for a.Type must be zero.
			other := *d
			other.Raw = ""
			switch a.Type {
			case opschema.AttrInt:
				other.Int = 0
			case opschema.AttrFloat:
				other.Float = 0
			case opschema.AttrString:
				other.String = ""
				if d.String == "" {
					t.Errorf("%s-%d.%s: empty string default from %q", s.Name, s.SinceVersion, a.Name, d.Raw)
				}
			case opschema.AttrInts:
				other.Ints = nil
				if d.Ints == nil {
					t.Errorf("%s-%d.%s: nil Ints", s.Name, s.SinceVersion, a.Name)
				}
			case opschema.AttrFloats:
				other.Floats = nil
				if d.Floats == nil {
					t.Errorf("%s-%d.%s: nil Floats", s.Name, s.SinceVersion, a.Name)
				}
			case opschema.AttrStrings:
				other.Strings = nil
				if d.Strings == nil {
					t.Errorf("%s-%d.%s: nil Strings", s.Name, s.SinceVersion, a.Name)
				}
			}
			if !reflect.DeepEqual(other, opschema.Default{}) {
				t.Errorf("%s-%d.%s (%v): default %+v sets fields other than %T", s.Name, s.SinceVersion, a.Name, a.Type, d, v)
			}
		}
	}
	if n != 615 || ext != 107 {
		t.Errorf("found %d standard and %d extension defaults, want 615 and 107", n, ext)
	}
}

func TestArity(t *testing.T) {
	tests := []struct {
		op         string
		opset      int
		minIn      int
		maxIn      int
		minOut     int
		maxOut     int
		okIn, noIn []int
	}{
		{"Concat", 13, 1, opschema.Unbounded, 1, 1, []int{1, 2, 100}, []int{0, -1}},
		{"Sum", 13, 1, opschema.Unbounded, 1, 1, []int{1, 7}, []int{0}},
		{"Split", 13, 1, 2, 1, opschema.Unbounded, []int{1, 2}, []int{0, 3}},
		{"Split", 18, 1, 2, 1, opschema.Unbounded, []int{1, 2}, []int{0, 3}},
		{"Conv", 22, 2, 3, 1, 1, []int{2, 3}, []int{1, 4}},
		{"Loop", 21, 2, opschema.Unbounded, 1, opschema.Unbounded, []int{2, 3, 9}, []int{1}},
		{"If", 21, 1, 1, 1, opschema.Unbounded, []int{1}, []int{0, 2}},
		{"Constant", 21, 0, 0, 1, 1, []int{0}, []int{1}},
	}
	for _, tt := range tests {
		s := mustLookup(t, "", tt.op, tt.opset)
		if s.MinInputs != tt.minIn || s.MaxInputs != tt.maxIn || s.MinOutputs != tt.minOut || s.MaxOutputs != tt.maxOut {
			t.Errorf("%s-%d arity in %d..%d out %d..%d, want in %d..%d out %d..%d", s.Name, s.SinceVersion,
				s.MinInputs, s.MaxInputs, s.MinOutputs, s.MaxOutputs, tt.minIn, tt.maxIn, tt.minOut, tt.maxOut)
		}
		for _, n := range tt.okIn {
			if !s.AllowsInputs(n) {
				t.Errorf("%s-%d: AllowsInputs(%d) = false", s.Name, s.SinceVersion, n)
			}
		}
		for _, n := range tt.noIn {
			if s.AllowsInputs(n) {
				t.Errorf("%s-%d: AllowsInputs(%d) = true", s.Name, s.SinceVersion, n)
			}
		}
	}
	split := mustLookup(t, "", "Split", 18)
	if !split.AllowsOutputs(1) || !split.AllowsOutputs(5) || split.AllowsOutputs(0) {
		t.Error("Split-18 AllowsOutputs wrong")
	}
	relu := mustLookup(t, "", "Relu", 14)
	if !relu.AllowsOutputs(1) || relu.AllowsOutputs(2) || relu.AllowsOutputs(0) {
		t.Error("Relu-14 AllowsOutputs wrong")
	}
}

func TestFormalMapping(t *testing.T) {
	type want struct {
		index int
		name  string // "" means no formal
	}
	tests := []struct {
		op      string
		opset   int
		outputs bool
		want    []want
	}{
		{"Concat", 13, false, []want{{-1, ""}, {0, "inputs"}, {1, "inputs"}, {50, "inputs"}}},
		{"Sum", 8, false, []want{{0, "data_0"}, {3, "data_0"}}},
		{"Loop", 21, false, []want{{0, "M"}, {1, "cond"}, {2, "v_initial"}, {5, "v_initial"}}},
		{"Loop", 21, true, []want{{0, "v_final_and_scan_outputs"}, {4, "v_final_and_scan_outputs"}}},
		{"Scan", 8, false, []want{{0, "sequence_lens"}, {1, "initial_state_and_scan_inputs"}, {3, "initial_state_and_scan_inputs"}}},
		{"Scan", 21, false, []want{{0, "initial_state_and_scan_inputs"}, {2, "initial_state_and_scan_inputs"}}},
		{"Scan", 21, true, []want{{0, "final_state_and_scan_outputs"}, {2, "final_state_and_scan_outputs"}}},
		{"If", 21, false, []want{{0, "cond"}, {1, ""}}},
		{"If", 21, true, []want{{0, "outputs"}, {3, "outputs"}}},
		{"Split", 18, false, []want{{0, "input"}, {1, "split"}, {2, ""}}},
		{"Split", 18, true, []want{{0, "outputs"}, {9, "outputs"}}},
		{"Conv", 22, false, []want{{0, "X"}, {1, "W"}, {2, "B"}, {3, ""}}},
		{"Conv", 22, true, []want{{0, "Y"}, {1, ""}}},
		{"Constant", 21, false, []want{{0, ""}}},
	}
	for _, tt := range tests {
		s := mustLookup(t, "", tt.op, tt.opset)
		get, kind := s.InputFormal, "InputFormal"
		if tt.outputs {
			get, kind = s.OutputFormal, "OutputFormal"
		}
		for _, w := range tt.want {
			f, ok := get(w.index)
			switch {
			case w.name == "" && (ok || f != nil):
				t.Errorf("%s-%d.%s(%d) = %v, want none", s.Name, s.SinceVersion, kind, w.index, f.Name)
			case w.name != "" && (!ok || f.Name != w.name):
				t.Errorf("%s-%d.%s(%d) = %v %v, want %s", s.Name, s.SinceVersion, kind, w.index, f, ok, w.name)
			}
		}
	}
}

func TestFormalFields(t *testing.T) {
	loop := mustLookup(t, "", "Loop", 16)
	if f := loop.Inputs[2]; f.Option != opschema.Variadic || !f.Heterogeneous || f.Type != "V" {
		t.Errorf("Loop-16 v_initial = %+v", f)
	}
	if f := loop.Inputs[0]; f.Option != opschema.Optional || f.Type != "I" {
		t.Errorf("Loop-16 M = %+v", f)
	}
	conv := mustLookup(t, "", "Conv", 22)
	if f := conv.Inputs[0]; f.Option != opschema.Single || !f.Differentiable {
		t.Errorf("Conv-22 X = %+v", f)
	}
	split := mustLookup(t, "", "Split", 13)
	if got := split.AllowedTypes(&split.Inputs[1]); !reflect.DeepEqual(got, []string{"tensor(int64)"}) {
		t.Errorf("Split-13 split allowed types = %q", got)
	}
	if got := split.AllowedTypes(&split.Inputs[0]); len(got) == 0 {
		t.Error("Split-13 input has no allowed types")
	}
	if got := split.AllowedTypes(&opschema.Formal{Type: "Q"}); got != nil {
		t.Errorf("undeclared constraint allowed types = %q", got)
	}
}

func TestTypeConstraints(t *testing.T) {
	zm := mustLookup(t, opschema.DomainML, "ZipMap", 1)
	tc, ok := zm.TypeConstraint("T")
	if !ok || !reflect.DeepEqual(tc.Allowed, []string{"seq(map(string, float))", "seq(map(int64, float))"}) {
		t.Errorf("ZipMap-1 T = %+v, %v", tc, ok)
	}
	if _, ok := zm.TypeConstraint("U"); ok {
		t.Error("ZipMap-1 has type constraint U")
	}
	// Every formal refers to a declared constraint or is concrete.
	for _, s := range opschema.All() {
		for _, fs := range [][]opschema.Formal{s.Inputs, s.Outputs} {
			for i := range fs {
				if len(s.AllowedTypes(&fs[i])) == 0 {
					t.Errorf("%s-%d: formal %s of type %q allows nothing", s.Name, s.SinceVersion, fs[i].Name, fs[i].Type)
				}
			}
		}
	}
}

func TestStrings(t *testing.T) {
	for typ, want := range map[opschema.AttrType]string{
		opschema.AttrUndefined:     "UNDEFINED",
		opschema.AttrFloat:         "FLOAT",
		opschema.AttrInt:           "INT",
		opschema.AttrString:        "STRING",
		opschema.AttrTensor:        "TENSOR",
		opschema.AttrGraph:         "GRAPH",
		opschema.AttrFloats:        "FLOATS",
		opschema.AttrInts:          "INTS",
		opschema.AttrStrings:       "STRINGS",
		opschema.AttrTensors:       "TENSORS",
		opschema.AttrGraphs:        "GRAPHS",
		opschema.AttrSparseTensor:  "SPARSE_TENSOR",
		opschema.AttrSparseTensors: "SPARSE_TENSORS",
		opschema.AttrTypeProto:     "TYPE_PROTO",
		opschema.AttrTypeProtos:    "TYPE_PROTOS",
		15:                         "AttrType(15)",
		-1:                         "AttrType(-1)",
	} {
		if got := typ.String(); got != want {
			t.Errorf("AttrType(%d).String() = %q, want %q", int32(typ), got, want)
		}
	}
	// The numbering follows AttributeProto.AttributeType.
	if opschema.AttrFloat != 1 || opschema.AttrGraphs != 10 || opschema.AttrTypeProtos != 14 {
		t.Error("AttrType numbering differs from ONNX")
	}
	for _, typ := range []opschema.AttrType{opschema.AttrInts, opschema.AttrGraphs, opschema.AttrTypeProtos} {
		if !typ.IsList() {
			t.Errorf("%v.IsList() = false", typ)
		}
	}
	if opschema.AttrInt.IsList() || opschema.AttrSparseTensor.IsList() {
		t.Error("scalar type reported as list")
	}
	for o, want := range map[opschema.Option]string{
		opschema.Single: "single", opschema.Optional: "optional", opschema.Variadic: "variadic", 7: "Option(7)",
	} {
		if got := o.String(); got != want {
			t.Errorf("Option(%d).String() = %q, want %q", o, got, want)
		}
	}
}
