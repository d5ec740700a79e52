package onnxgraph

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph/onnxproto"
	"google.golang.org/protobuf/proto"
)

// decodeProto serializes mp and loads it as a file would be.
func decodeProto(t *testing.T, mp *onnxproto.ModelProto, opts *LoadOptions) *Model {
	t.Helper()
	b, err := proto.Marshal(mp)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Decode(b, opts)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return m
}

func TestValidateValid(t *testing.T) {
	for name, build := range map[string]func() *onnxproto.ModelProto{
		"base": baseModel, "if": ifModel, "function": funcModel,
	} {
		t.Run(name, func(t *testing.T) {
			m := decodeProto(t, build(), nil)
			r := m.Validate(nil)
			if !r.Valid() || len(r.Problems) != 0 {
				t.Fatalf("want valid without notes:\n%s", r)
			}
			if err := r.Err(); err != nil {
				t.Errorf("Err() = %v", err)
			}
			if err := Validate(m, nil); err != nil {
				t.Errorf("Validate = %v", err)
			}
			if err := m.Check().Err(); err != nil {
				t.Errorf("Check().Err() = %v", err)
			}
			if r.String() != "valid\n" {
				t.Errorf("String() = %q", r.String())
			}
		})
	}
}

func TestValidateErrors(t *testing.T) {
	mp := baseModel()
	nodeByName(mp.Graph, "add").Input[1] = "nope"
	nodeByName(mp.Graph, "relu").OpType = proto.String("Reluu")
	m := decodeProto(t, mp, nil)

	err := Validate(m, nil)
	if !errors.Is(err, ErrInvalidModel) {
		t.Fatalf("Validate = %v; want ErrInvalidModel", err)
	}
	var ce *CheckError
	if !errors.As(err, &ce) {
		t.Fatalf("errors.As(*CheckError) failed on %T", err)
	}
	if ce.Errors != 2 || !ce.Has(RuleUndefinedInput) || !ce.Has(RuleUnknownOp) {
		t.Errorf("CheckError = %+v", ce)
	}
	want := `onnxgraph: invalid model: 2 errors: main: node "relu" (Reluu #0): domain "ai.onnx" has no operator Reluu at opset version 17 [UnknownOp]; ` +
		`main: node "add" (Add #1): input 1 "nope" is not defined: no graph input, initializer or node output has that name [UndefinedInput]`
	if err.Error() != want {
		t.Errorf("message:\n%s\nwant\n%s", err, want)
	}

	// The chain form records the error and skips later steps.
	ran := false
	m.Check().Apply("Next", func(*Model) error { ran = true; return nil })
	if ran {
		t.Error("a step after a failed Check ran")
	}
	if !errors.Is(m.Err(), ErrInvalidModel) || !errors.As(m.Err(), &ce) {
		t.Errorf("m.Err() = %v", m.Err())
	}
	var se *StepError
	if !errors.As(m.Err(), &se) || se.Step != "Check" {
		t.Errorf("m.Err() = %#v; want a StepError for Check", m.Err())
	}
}

func TestValidateCapsAndTruncates(t *testing.T) {
	mp := baseModel()
	for i := 0; i < 15; i++ {
		mp.Graph.Node = append(mp.Graph.Node, pnode("Relu", "bad"+itoa(i), []string{"missing" + itoa(i)}, []string{"o" + itoa(i)}))
	}
	m := decodeProto(t, mp, nil)
	r := m.Validate(nil)
	if r.Errors != 15 || len(r.Problems) != 15 {
		t.Fatalf("errors %d, problems %d; want 15", r.Errors, len(r.Problems))
	}
	if msg := r.Err().Error(); !strings.HasSuffix(msg, "... (5 more)") {
		t.Errorf("message not capped: %s", msg)
	}
	r = m.Validate(&CheckOptions{MaxProblems: 4})
	if len(r.Problems) != 4 || r.Truncated != 11 || r.Errors != 15 || r.Valid() {
		t.Errorf("MaxProblems 4: %d problems, %d truncated, %d errors", len(r.Problems), r.Truncated, r.Errors)
	}
}

func TestReportJSON(t *testing.T) {
	mp := baseModel()
	nodeByName(mp.Graph, "add").Input[1] = "nope"
	r := decodeProto(t, mp, nil).Validate(nil)
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Valid    bool
		Errors   int
		Problems []Problem
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	want := Problem{Severity: SeverityError, Rule: RuleUndefinedInput, Graph: "main", Node: "add", OpType: "Add", NodeIndex: 1, Name: "nope",
		Message: `input 1 "nope" is not defined: no graph input, initializer or node output has that name`}
	if got.Valid || got.Errors != 1 || len(got.Problems) != 1 || got.Problems[0] != want {
		t.Errorf("JSON %s decodes to %+v", b, got)
	}
	if !strings.Contains(string(b), `"severity":"error"`) || !strings.Contains(string(b), `"rule":"UndefinedInput"`) {
		t.Errorf("JSON %s", b)
	}
}

func TestValidateUnloaded(t *testing.T) {
	m := Load(filepath.Join(t.TempDir(), "missing.onnx"))
	r := m.Validate(nil)
	if r.Valid() || !r.Has(RuleNoGraph) {
		t.Errorf("want NoGraph:\n%s", r)
	}
}

// checkCase is a model and the problems Validate must find in it.
type checkCase struct {
	name   string
	build  func() *onnxproto.ModelProto
	opts   *CheckOptions
	rule   Rule // "" for a model without errors or notes
	sev    Severity
	naming string // text the problem must contain
}

func runCheckCases(t *testing.T, cases []checkCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := decodeProto(t, tc.build(), nil).Validate(tc.opts)
			if tc.rule == "" {
				if len(r.Problems) != 0 {
					t.Fatalf("want no problems:\n%s", r)
				}
				return
			}
			for _, p := range r.ByRule(tc.rule) {
				if p.Severity == tc.sev && strings.Contains(p.String(), tc.naming) {
					if tc.sev == SeverityNote && !r.Valid() {
						t.Errorf("a note made the model invalid:\n%s", r)
					}
					return
				}
			}
			t.Errorf("no %s %s naming %q:\n%s", tc.sev, tc.rule, tc.naming, r)
		})
	}
}

// with returns base mutated by fn.
func with(base func() *onnxproto.ModelProto, fn func(m *onnxproto.ModelProto)) func() *onnxproto.ModelProto {
	return func() *onnxproto.ModelProto {
		m := base()
		fn(m)
		return m
	}
}

func TestValidateNotes(t *testing.T) {
	custom := with(baseModel, func(m *onnxproto.ModelProto) {
		m.OpsetImport = append(m.OpsetImport, opsets("com.example", 1)...)
		n := pnode("Frobnicate", "frob", []string{"X"}, []string{"f"})
		n.Domain = proto.String("com.example")
		m.Graph.Node = append(m.Graph.Node, n)
	})
	runCheckCases(t, []checkCase{
		{"custom_op", custom, nil, RuleCustomOp, SeverityNote, "Frobnicate"},
		{"custom_op_as_error", custom, &CheckOptions{CustomDomainErrors: true}, RuleUnknownOp, SeverityError, "Frobnicate"},
		{"experimental_op", with(baseModel, func(m *onnxproto.ModelProto) {
			m.Graph.Node = append(m.Graph.Node, pnode("ImageScaler", "scaler", []string{"X"}, []string{"sc"}))
		}), nil, RuleExperimentalOp, SeverityNote, "ImageScaler"},
		{"ir_version_newer", with(baseModel, func(m *onnxproto.ModelProto) { m.IrVersion = proto.Int64(14) }), nil, RuleIRVersionNewer, SeverityNote, "14"},
		{"opset_newer", with(baseModel, func(m *onnxproto.ModelProto) { m.OpsetImport = opsets("", 99) }), nil, RuleOpsetNewer, SeverityNote, "99"},
		{"internal_attribute_ignored", with(baseModel, func(m *onnxproto.ModelProto) {
			n := nodeByName(m.Graph, "relu")
			n.Attribute = append(n.Attribute, AttrString("__hint", "x"))
		}), nil, "", 0, ""},
		{"layer_normalization_allows_unknown_attributes", with(baseModel, func(m *onnxproto.ModelProto) {
			m.Graph.Initializer = append(m.Graph.Initializer, pfloats("scale", []int64{3}, 1, 1, 1))
			m.Graph.Node = append(m.Graph.Node, pnode("LayerNormalization", "ln", []string{"X", "scale"}, []string{"ln_y"}, AttrInt("custom_flag", 1)))
		}), nil, "", 0, ""},
	})
}

func TestValidateGraphRules(t *testing.T) {
	runCheckCases(t, []checkCase{
		{"subgraph_reads_outer_value", ifModel, nil, "", 0, ""},
		{"subgraph_reads_value_produced_later", with(ifModel, func(m *onnxproto.ModelProto) {
			attrG(m.Graph.Node[0], "then_branch").Node[0].Input = []string{"late"}
			m.Graph.Node = append(m.Graph.Node, pnode("Neg", "neg", []string{"X"}, []string{"late"}))
		}), nil, RuleTopoOrder, SeverityError, `"late"`},
		{"subgraph_reads_undefined", with(ifModel, func(m *onnxproto.ModelProto) {
			attrG(m.Graph.Node[0], "else_branch").Node[0].Input = []string{"nowhere"}
		}), nil, RuleUndefinedInput, SeverityError, "main/if.else_branch"},
		{"subgraph_input_shadows", with(ifModel, func(m *onnxproto.ModelProto) {
			g := attrG(m.Graph.Node[0], "then_branch")
			g.Input = []*onnxproto.ValueInfoProto{pvi("X", Float, 2)}
		}), nil, RuleShadowedName, SeverityError, `"X"`},
		{"if_branch_with_inputs", with(ifModel, func(m *onnxproto.ModelProto) {
			g := attrG(m.Graph.Node[0], "then_branch")
			g.Input = []*onnxproto.ValueInfoProto{pvi("bi", Float, 2)}
		}), nil, RuleSubgraphArity, SeverityError, "then_branch has 1 inputs"},
		{"two_graph_inputs_share_a_name", with(baseModel, func(m *onnxproto.ModelProto) {
			m.Graph.Input = append(m.Graph.Input, pvi("X", Float, 2, 3))
		}), nil, RuleDuplicateName, SeverityError, `"X"`},
		{"initializer_also_input_is_fine", with(baseModel, func(m *onnxproto.ModelProto) {
			m.Graph.Input = append(m.Graph.Input, pvi("W", Float, 2, 3))
		}), nil, "", 0, ""},
		{"node_output_redefines_initializer", with(baseModel, func(m *onnxproto.ModelProto) {
			nodeByName(m.Graph, "relu").Output = []string{"W"}
			nodeByName(m.Graph, "add").Input[0] = "W"
			m.Graph.ValueInfo = nil
		}), nil, RuleDuplicateName, SeverityError, `already an initializer`},
		{"main_output_without_type", with(baseModel, func(m *onnxproto.ModelProto) {
			m.Graph.Output[0].Type = nil
		}), nil, RuleValueType, SeverityError, `output "Y"`},
		{"map_with_float_keys", with(baseModel, func(m *onnxproto.ModelProto) {
			m.Graph.ValueInfo = append(m.Graph.ValueInfo, &onnxproto.ValueInfoProto{Name: proto.String("s"), Type: &onnxproto.TypeProto{
				Value: &onnxproto.TypeProto_MapType{MapType: &onnxproto.TypeProto_Map{KeyType: proto.Int32(int32(Float)), ValueType: TensorType(Float, nil)}}}})
		}), nil, RuleValueType, SeverityError, `"s"`},
		{"unknown_element_type", with(baseModel, func(m *onnxproto.ModelProto) {
			m.Graph.ValueInfo[0].Type.GetTensorType().ElemType = proto.Int32(99)
		}), nil, RuleValueType, SeverityError, "99"},
		{"self_loop", with(baseModel, func(m *onnxproto.ModelProto) {
			nodeByName(m.Graph, "relu").Input = []string{"r"}
		}), nil, RuleCycle, SeverityError, "relu"},
		{"unknown_op_too_early", with(baseModel, func(m *onnxproto.ModelProto) {
			m.OpsetImport = opsets("", 12)
			m.Graph.Node = append(m.Graph.Node, pnode("GridSample", "gs", []string{"X", "X"}, []string{"gs_y"}))
		}), nil, RuleUnknownOp, SeverityError, "first version is 16"},
	})
}

// loopModel is a valid model with a Loop counting to M:
//
//	y_final, ys = Loop(M, cond, y0) body(i, c, y) { c_out = Identity(c); y_out = Add(y, one); scan = Identity(y) }
func loopModel() *onnxproto.ModelProto {
	body := &onnxproto.GraphProto{
		Name:        proto.String("body"),
		Input:       []*onnxproto.ValueInfoProto{pvi("i", Int64), pvi("c", Bool), pvi("y", Float, 1)},
		Initializer: []*onnxproto.TensorProto{pfloats("one", []int64{1}, 1)},
		Node: []*onnxproto.NodeProto{
			pnode("Identity", "c_id", []string{"c"}, []string{"c_out"}),
			pnode("Add", "step", []string{"y", "one"}, []string{"y_out"}),
			pnode("Identity", "scan", []string{"y"}, []string{"y_scan"}),
		},
		Output: []*onnxproto.ValueInfoProto{pvi("c_out", Bool), pvi("y_out", Float, 1), pvi("y_scan", Float, 1)},
	}
	return &onnxproto.ModelProto{
		IrVersion:   proto.Int64(8),
		OpsetImport: opsets("", 17),
		Graph: &onnxproto.GraphProto{
			Name:  proto.String("loop"),
			Input: []*onnxproto.ValueInfoProto{pvi("M", Int64), pvi("cond", Bool), pvi("y0", Float, 1)},
			Node: []*onnxproto.NodeProto{pnode("Loop", "loop", []string{"M", "cond", "y0"}, []string{"y_final", "ys"},
				&onnxproto.AttributeProto{Name: proto.String("body"), Type: onnxproto.AttributeProto_GRAPH.Enum(), G: body})},
			Output: []*onnxproto.ValueInfoProto{pvi("y_final", Float, 1), pvi("ys", Float, 3, 1)},
		},
	}
}

func TestValidateControlFlow(t *testing.T) {
	body := func(m *onnxproto.ModelProto) *onnxproto.GraphProto { return m.Graph.Node[0].Attribute[0].G }
	runCheckCases(t, []checkCase{
		{"loop", loopModel, nil, "", 0, ""},
		{"loop_body_missing_input", with(loopModel, func(m *onnxproto.ModelProto) {
			body(m).Input = body(m).Input[:2] // drop y
			body(m).Node[1].Input[0] = "y0"   // read the outer value instead
			body(m).Node[2].Input[0] = "y0"
		}), nil, RuleSubgraphArity, SeverityError, "body has 2 inputs"},
		{"loop_body_output_count", with(loopModel, func(m *onnxproto.ModelProto) {
			m.Graph.Node[0].Output = []string{"y_final"}
			m.Graph.Output = m.Graph.Output[:1]
		}), nil, RuleSubgraphArity, SeverityError, "body has 3 outputs"},
		{"graph_attribute_without_graph", with(loopModel, func(m *onnxproto.ModelProto) {
			m.Graph.Node[0].Attribute[0].G = nil
		}), nil, RuleAttrValue, SeverityError, `"body" of type GRAPH has no value`},
	})
}

func TestValidateFunctionRules(t *testing.T) {
	withAttr := with(funcModel, func(m *onnxproto.ModelProto) {
		f := m.Functions[0]
		f.Attribute = []string{"alpha"}
		f.Node[0] = pnode("LeakyRelu", "inner", []string{"x"}, []string{"y"},
			&onnxproto.AttributeProto{Name: proto.String("alpha"), Type: onnxproto.AttributeProto_FLOAT.Enum(), RefAttrName: proto.String("alpha")})
		m.Graph.Node[0].Attribute = []*onnxproto.AttributeProto{AttrFloat("alpha", 0.2)}
	})
	runCheckCases(t, []checkCase{
		{"ref_attr_in_function", withAttr, nil, "", 0, ""},
		{"ref_attr_to_undeclared", with(withAttr, func(m *onnxproto.ModelProto) {
			m.Functions[0].Node[0].Attribute[0].RefAttrName = proto.String("beta")
		}), nil, RuleRefAttr, SeverityError, `"beta"`},
		{"call_with_unknown_attribute", with(withAttr, func(m *onnxproto.ModelProto) {
			m.Graph.Node[0].Attribute = append(m.Graph.Node[0].Attribute, AttrInt("gamma", 1))
		}), nil, RuleUnknownAttr, SeverityError, `"gamma"`},
		{"call_with_too_many_inputs", with(funcModel, func(m *onnxproto.ModelProto) {
			m.Graph.Node[0].Input = []string{"X", "X"}
		}), nil, RuleInputCount, SeverityError, "at most 1"},
		{"function_node_domain_not_imported", with(funcModel, func(m *onnxproto.ModelProto) {
			m.Functions[0].OpsetImport = nil
		}), nil, RuleMissingOpset, SeverityError, "custom.MyRelu"},
		{"function_reads_undefined", with(funcModel, func(m *onnxproto.ModelProto) {
			m.Functions[0].Node[0].Input = []string{"X"} // the caller's name is not visible
		}), nil, RuleUndefinedInput, SeverityError, `"X"`},
		{"functions_need_ir8", with(funcModel, func(m *onnxproto.ModelProto) { m.IrVersion = proto.Int64(7) }), nil, RuleIRFeature, SeverityError, "functions need IR version 8"},
		{"function_overload_needs_ir10", with(funcModel, func(m *onnxproto.ModelProto) {
			m.IrVersion = proto.Int64(9)
			m.Functions[0].Overload = proto.String("v2")
			m.Graph.Node[0].Overload = proto.String("v2")
		}), nil, RuleIRFeature, SeverityError, "overloads need IR version 10"},
		{"function_without_domain", with(funcModel, func(m *onnxproto.ModelProto) {
			m.Functions[0].Domain = nil
		}), nil, RuleFunctionName, SeverityError, "no domain"},
	})
}

func TestValidateIRFeatures(t *testing.T) {
	runCheckCases(t, []checkCase{
		{"int4_in_ir9", with(baseModel, func(m *onnxproto.ModelProto) {
			m.IrVersion = proto.Int64(9)
			m.Graph.Initializer = append(m.Graph.Initializer, &onnxproto.TensorProto{Name: proto.String("q"), DataType: proto.Int32(int32(onnxproto.TensorProto_INT4)), Dims: []int64{3}, RawData: []byte{0x21, 0x03}})
		}), nil, RuleIRFeature, SeverityError, "int4 tensors need IR version 10"},
		{"int4_in_ir10", with(baseModel, func(m *onnxproto.ModelProto) {
			m.IrVersion = proto.Int64(10)
			m.Graph.Initializer = append(m.Graph.Initializer, &onnxproto.TensorProto{Name: proto.String("q"), DataType: proto.Int32(int32(onnxproto.TensorProto_INT4)), Dims: []int64{3}, RawData: []byte{0x21, 0x03}})
		}), nil, "", 0, ""},
		{"uint2_in_ir12", with(baseModel, func(m *onnxproto.ModelProto) {
			m.IrVersion = proto.Int64(12)
			m.Graph.ValueInfo = append(m.Graph.ValueInfo, pvi("s", onnxproto.TensorProto_UINT2, 2, 3))
		}), nil, RuleIRFeature, SeverityError, "uint2 tensors need IR version 13"},
		{"float4_in_ir10", with(baseModel, func(m *onnxproto.ModelProto) {
			m.IrVersion = proto.Int64(10)
			m.Graph.ValueInfo = append(m.Graph.ValueInfo, pvi("s", onnxproto.TensorProto_FLOAT4E2M1, 2, 3))
		}), nil, RuleIRFeature, SeverityError, "float4e2m1 tensors need IR version 11"},
		{"float8e8m0_in_ir11", with(baseModel, func(m *onnxproto.ModelProto) {
			m.IrVersion = proto.Int64(11)
			m.Graph.ValueInfo = append(m.Graph.ValueInfo, pvi("s", onnxproto.TensorProto_FLOAT8E8M0, 2, 3))
		}), nil, RuleIRFeature, SeverityError, "float8e8m0 tensors need IR version 12"},
		{"sparse_initializer_in_ir5", with(baseModel, func(m *onnxproto.ModelProto) {
			m.IrVersion = proto.Int64(5)
			m.OpsetImport = opsets("", 10)
			m.Graph.Node[2].OpType = proto.String("Identity")
			m.Graph.Node[2].Attribute = nil
			m.Graph.Node[0].OpType = proto.String("Identity")
			m.Graph.SparseInitializer = []*onnxproto.SparseTensorProto{{Values: pfloats("S", []int64{1}, 1), Indices: pints("S_i", []int64{1}, 0), Dims: []int64{3}}}
		}), nil, RuleIRFeature, SeverityError, "sparse initializers need IR version 6"},
		{"optional_type_in_ir7", with(baseModel, func(m *onnxproto.ModelProto) {
			m.IrVersion = proto.Int64(7)
			m.Graph.ValueInfo = append(m.Graph.ValueInfo, &onnxproto.ValueInfoProto{Name: proto.String("s"), Type: &onnxproto.TypeProto{
				Value: &onnxproto.TypeProto_OptionalType{OptionalType: &onnxproto.TypeProto_Optional{ElemType: TensorType(Float, nil)}}}})
		}), nil, RuleIRFeature, SeverityError, "optional types need IR version 8"},
		{"opset_import_in_ir2", with(baseModel, func(m *onnxproto.ModelProto) {
			m.IrVersion = proto.Int64(2)
		}), nil, RuleIRFeature, SeverityError, "opset_import need IR version 3"},
	})
}

func TestValidateTensorRules(t *testing.T) {
	init := func(t *onnxproto.TensorProto) func() *onnxproto.ModelProto {
		return with(baseModel, func(m *onnxproto.ModelProto) { m.Graph.Initializer = append(m.Graph.Initializer, t) })
	}
	tensor := func(dt DataType, dims ...int64) *onnxproto.TensorProto {
		return &onnxproto.TensorProto{Name: proto.String("T"), DataType: proto.Int32(int32(dt)), Dims: dims}
	}
	t4 := tensor(onnxproto.TensorProto_INT4, 5)
	t4.Int32Data = []int32{0x21, 0x43, 0x05}
	t4bad := tensor(onnxproto.TensorProto_INT4, 5)
	t4bad.Int32Data = []int32{1, 2, 3, 4, 5}
	c64 := tensor(Complex64, 2)
	c64.FloatData = []float32{1, 2, 3}
	strRaw := tensor(String, 1)
	strRaw.RawData = []byte("a")
	strs := tensor(String, 2)
	strs.StringData = [][]byte{[]byte("a")}
	wrongField := tensor(Int64, 2)
	wrongField.Int32Data = []int32{1, 2}
	zeroWithData := tensor(Float, 0, 3)
	zeroWithData.FloatData = []float32{1}
	noData := tensor(Float, 2)
	undefType := tensor(Float, 1)
	undefType.DataType = proto.Int32(0)
	unknownType := tensor(Float, 1)
	unknownType.DataType = proto.Int32(77)
	u32 := tensor(Uint32, 2)
	u32.Uint64Data = []uint64{1, 2}
	bf := tensor(BFloat16, 3)
	bf.Int32Data = []int32{1, 2, 3}
	sparse := func(sp *onnxproto.SparseTensorProto) func() *onnxproto.ModelProto {
		return with(baseModel, func(m *onnxproto.ModelProto) { m.Graph.SparseInitializer = append(m.Graph.SparseInitializer, sp) })
	}
	runCheckCases(t, []checkCase{
		{"int4_typed_values", with(init(t4), func(m *onnxproto.ModelProto) { m.IrVersion = proto.Int64(10) }), nil, "", 0, ""},
		{"uint32_in_uint64_data", init(u32), nil, "", 0, ""},
		{"bfloat16_in_int32_data", init(bf), nil, "", 0, ""},
		{"int4_typed_values_wrong_count", with(init(t4bad), func(m *onnxproto.ModelProto) { m.IrVersion = proto.Int64(10) }), nil, RuleTensorSize, SeverityError, "5 values in int32_data"},
		{"complex64_float_count", init(c64), nil, RuleTensorSize, SeverityError, "need 4"},
		{"string_in_raw_data", init(strRaw), nil, RuleTensorField, SeverityError, "strings cannot be stored in raw_data"},
		{"string_count", init(strs), nil, RuleTensorSize, SeverityError, "1 values in string_data"},
		{"int64_in_int32_data", init(wrongField), nil, RuleTensorField, SeverityError, "belongs in int64_data"},
		{"zero_elements_with_data", init(zeroWithData), nil, RuleTensorField, SeverityError, "0 elements"},
		{"no_data", init(noData), nil, RuleTensorField, SeverityError, "no data"},
		{"undefined_data_type", init(undefType), nil, RuleTensorDataType, SeverityError, "UNDEFINED"},
		{"unknown_data_type", init(unknownType), nil, RuleTensorDataType, SeverityError, "77"},
		{"constant_attribute_tensor", with(baseModel, func(m *onnxproto.ModelProto) {
			bad := pfloats("c", []int64{3}, 1, 2)
			m.Graph.Node = append(m.Graph.Node, pnode("Constant", "const", nil, []string{"k"}, AttrTensor("value", &Tensor{p: bad})))
		}), nil, RuleTensorSize, SeverityError, `attribute "value"`},
		{"sparse_ok", sparse(&onnxproto.SparseTensorProto{Values: pfloats("S", []int64{2}, 1, 2), Indices: pints("S_i", []int64{2, 2}, 0, 1, 1, 2), Dims: []int64{2, 3}}), nil, "", 0, ""},
		{"sparse_unsorted", sparse(&onnxproto.SparseTensorProto{Values: pfloats("S", []int64{2}, 1, 2), Indices: pints("S_i", []int64{2}, 4, 1), Dims: []int64{2, 3}}), nil, RuleSparseTensor, SeverityError, "increasing order"},
		{"sparse_out_of_range", sparse(&onnxproto.SparseTensorProto{Values: pfloats("S", []int64{2}, 1, 2), Indices: pints("S_i", []int64{2, 2}, 0, 1, 1, 3), Dims: []int64{2, 3}}), nil, RuleSparseTensor, SeverityError, "out of range"},
		{"sparse_int32_indices", sparse(&onnxproto.SparseTensorProto{Values: pfloats("S", []int64{1}, 1), Indices: &onnxproto.TensorProto{Name: proto.String("S_i"), DataType: proto.Int32(int32(Int32)), Dims: []int64{1}, Int32Data: []int32{0}}, Dims: []int64{3}}), nil, RuleSparseTensor, SeverityError, "must be int64"},
		{"sparse_without_indices", sparse(&onnxproto.SparseTensorProto{Values: pfloats("S", []int64{1}, 1), Dims: []int64{3}}), nil, RuleSparseTensor, SeverityError, "no indices"},
	})
}

// TestValidateExternalData checks external-data entries: a good one, and
// entries the loader would refuse, set after loading.
func TestValidateExternalData(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "w.bin"), rawFloats(1, 2, 3, 4, 5, 6), 0o644); err != nil {
		t.Fatal(err)
	}
	external := func(kv ...string) *onnxproto.ModelProto {
		m := baseModel()
		w := m.Graph.Initializer[0]
		w.FloatData = nil
		w.DataLocation = onnxproto.TensorProto_EXTERNAL.Enum()
		for i := 0; i < len(kv); i += 2 {
			w.ExternalData = append(w.ExternalData, &onnxproto.StringStringEntryProto{Key: proto.String(kv[i]), Value: proto.String(kv[i+1])})
		}
		return m
	}
	tests := []struct {
		name    string
		entries []string
		rule    Rule
		naming  string
	}{
		{"good", []string{"location", "w.bin", "offset", "0", "length", "24"}, "", ""},
		{"good_without_length", []string{"location", "w.bin"}, "", ""},
		{"no_location", []string{"offset", "0"}, RuleExternalData, "no location"},
		{"offset_not_integer", []string{"location", "w.bin", "offset", "x"}, RuleExternalData, `offset "x"`},
		{"absolute_path", []string{"location", "/etc/passwd"}, RuleExternalData, "absolute path"},
		{"leaves_folder", []string{"location", "../w.bin"}, RuleExternalData, "leaves the model's folder"},
		{"length_mismatch", []string{"location", "w.bin", "length", "20"}, RuleTensorSize, "external length 20"},
		{"past_end_of_file", []string{"location", "w.bin", "offset", "8"}, RuleExternalData, "pass the end"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mp := external(tt.entries...)
			b, err := proto.Marshal(mp)
			if err != nil {
				t.Fatal(err)
			}
			m, err := Decode(b, &LoadOptions{Dir: dir, SkipExternalCheck: true})
			if err != nil {
				// Entries the loader refuses: check them as the IR holds them.
				m = fromProto(proto.Clone(mp).(*onnxproto.ModelProto))
			}
			defer m.Close()
			r := m.Validate(nil)
			if tt.rule == "" {
				if len(r.Problems) != 0 {
					t.Fatalf("want valid:\n%s", r)
				}
				return
			}
			for _, p := range r.ByRule(tt.rule) {
				if strings.Contains(p.String(), tt.naming) && strings.Contains(p.String(), `"W"`) {
					return
				}
			}
			t.Errorf("no %s naming %q and the tensor:\n%s", tt.rule, tt.naming, r)
		})
	}
	// SkipExternalFiles checks entries but opens no file.
	b, _ := proto.Marshal(external("location", "w.bin", "offset", "8"))
	m, err := Decode(b, &LoadOptions{Dir: dir, SkipExternalCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	if r := m.Validate(&CheckOptions{SkipExternalFiles: true}); len(r.Problems) != 0 {
		t.Errorf("SkipExternalFiles:\n%s", r)
	}
}

func TestValidateTypes(t *testing.T) {
	runCheckCases(t, []checkCase{
		{"output_type_checked", with(baseModel, func(m *onnxproto.ModelProto) {
			m.Graph.ValueInfo = append(m.Graph.ValueInfo, pvi("s", Int64, 2, 3))
		}), nil, RuleTypeMismatch, SeverityError, `"s"`},
		{"skip_types", with(baseModel, func(m *onnxproto.ModelProto) {
			m.Graph.ValueInfo = append(m.Graph.ValueInfo, pvi("s", Int64, 2, 3))
		}), &CheckOptions{SkipTypes: true}, "", 0, ""},
		{"concrete_formal_type", with(baseModel, func(m *onnxproto.ModelProto) {
			m.Graph.Initializer = append(m.Graph.Initializer, pfloats("shape", []int64{2}, 3, 2))
			m.Graph.Node = append(m.Graph.Node, pnode("Reshape", "reshape", []string{"X", "shape"}, []string{"rs"}))
		}), nil, RuleTypeConstraint, SeverityError, `"shape" has type tensor(float)`},
		{"sequence_types", with(baseModel, func(m *onnxproto.ModelProto) {
			m.Graph.Node = append(m.Graph.Node, pnode("SequenceConstruct", "seq", []string{"X", "W"}, []string{"sq"}))
			m.Graph.ValueInfo = append(m.Graph.ValueInfo, &onnxproto.ValueInfoProto{Name: proto.String("sq"), Type: &onnxproto.TypeProto{
				Value: &onnxproto.TypeProto_SequenceType{SequenceType: &onnxproto.TypeProto_Sequence{ElemType: TensorType(Float, nil)}}}})
		}), nil, "", 0, ""},
		{"tensor_where_a_sequence_belongs", with(baseModel, func(m *onnxproto.ModelProto) {
			m.Graph.Initializer = append(m.Graph.Initializer, pints("pos", nil, 0))
			m.Graph.Node = append(m.Graph.Node, pnode("SequenceAt", "at", []string{"X", "pos"}, []string{"elem"}))
		}), nil, RuleTypeConstraint, SeverityError, `"X" has type tensor(float); S of SequenceAt-11 allows seq(tensor(uint8))`},
	})
}

func TestTypeString(t *testing.T) {
	seq := func(e *onnxproto.TypeProto) *onnxproto.TypeProto {
		return &onnxproto.TypeProto{Value: &onnxproto.TypeProto_SequenceType{SequenceType: &onnxproto.TypeProto_Sequence{ElemType: e}}}
	}
	opt := func(e *onnxproto.TypeProto) *onnxproto.TypeProto {
		return &onnxproto.TypeProto{Value: &onnxproto.TypeProto_OptionalType{OptionalType: &onnxproto.TypeProto_Optional{ElemType: e}}}
	}
	mp := func(k DataType, v *onnxproto.TypeProto) *onnxproto.TypeProto {
		return &onnxproto.TypeProto{Value: &onnxproto.TypeProto_MapType{MapType: &onnxproto.TypeProto_Map{KeyType: proto.Int32(int32(k)), ValueType: v}}}
	}
	tests := []struct {
		t    *onnxproto.TypeProto
		want string
	}{
		{TensorType(Float, nil), "tensor(float)"},
		{TensorType(onnxproto.TensorProto_FLOAT8E4M3FN, nil), "tensor(float8e4m3fn)"},
		{seq(TensorType(Int64, nil)), "seq(tensor(int64))"},
		{opt(seq(TensorType(Float16, nil))), "optional(seq(tensor(float16)))"},
		{mp(String, TensorType(Float, nil)), "map(string, float)"},
		{seq(mp(Int64, TensorType(Float, nil))), "seq(map(int64, float))"},
		{&onnxproto.TypeProto{Value: &onnxproto.TypeProto_SparseTensorType{SparseTensorType: &onnxproto.TypeProto_SparseTensor{ElemType: proto.Int32(int32(Double))}}}, "sparse_tensor(double)"},
		{TensorType(0, nil), ""},
		{seq(nil), ""},
		{nil, ""},
	}
	for _, tt := range tests {
		if got := typeString(tt.t); got != tt.want {
			t.Errorf("typeString(%v) = %q; want %q", tt.t, got, tt.want)
		}
	}
}

func TestSeverityText(t *testing.T) {
	for _, s := range []Severity{SeverityError, SeverityNote} {
		b, _ := s.MarshalText()
		var back Severity
		if err := back.UnmarshalText(b); err != nil || back != s {
			t.Errorf("%v round-trips to %v, %v", s, back, err)
		}
	}
	var s Severity
	if err := s.UnmarshalText([]byte("fatal")); err == nil {
		t.Error("UnmarshalText(fatal) succeeded")
	}
}
