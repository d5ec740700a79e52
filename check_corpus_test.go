package onnxgraph

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph/internal/suitetest"

	"github.com/onnxgraph/onnxgraph/onnxproto"
	"google.golang.org/protobuf/proto"
)

// Helpers that build ModelProto messages for the checker's tests.

func pvi(name string, dt DataType, dims ...int64) *onnxproto.ValueInfoProto {
	return &onnxproto.ValueInfoProto{Name: proto.String(name), Type: TensorType(dt, Dims(dims...))}
}

func pnode(op, name string, ins, outs []string, attrs ...*onnxproto.AttributeProto) *onnxproto.NodeProto {
	n := &onnxproto.NodeProto{OpType: proto.String(op), Input: ins, Output: outs, Attribute: attrs}
	if name != "" {
		n.Name = proto.String(name)
	}
	return n
}

func pfloats(name string, dims []int64, vals ...float32) *onnxproto.TensorProto {
	return &onnxproto.TensorProto{Name: proto.String(name), DataType: proto.Int32(int32(Float)), Dims: dims, FloatData: vals}
}

func pints(name string, dims []int64, vals ...int64) *onnxproto.TensorProto {
	return &onnxproto.TensorProto{Name: proto.String(name), DataType: proto.Int32(int32(Int64)), Dims: dims, Int64Data: vals}
}

func opsets(kv ...any) []*onnxproto.OperatorSetIdProto {
	var out []*onnxproto.OperatorSetIdProto
	for i := 0; i < len(kv); i += 2 {
		out = append(out, &onnxproto.OperatorSetIdProto{Domain: proto.String(kv[i].(string)), Version: proto.Int64(int64(kv[i+1].(int)))})
	}
	return out
}

// baseModel is a small valid model:
//
//	X float[2,3] -> Relu "relu" -> r -> Add "add" (r, W) -> s -> Softmax "softmax" (axis 1) -> Y
func baseModel() *onnxproto.ModelProto {
	return &onnxproto.ModelProto{
		IrVersion:   proto.Int64(8),
		OpsetImport: opsets("", 17),
		Graph: &onnxproto.GraphProto{
			Name:        proto.String("base"),
			Input:       []*onnxproto.ValueInfoProto{pvi("X", Float, 2, 3)},
			Initializer: []*onnxproto.TensorProto{pfloats("W", []int64{2, 3}, 1, 2, 3, 4, 5, 6)},
			Node: []*onnxproto.NodeProto{
				pnode("Relu", "relu", []string{"X"}, []string{"r"}),
				pnode("Add", "add", []string{"r", "W"}, []string{"s"}),
				pnode("Softmax", "softmax", []string{"s"}, []string{"Y"}, AttrInt("axis", 1)),
			},
			Output:    []*onnxproto.ValueInfoProto{pvi("Y", Float, 2, 3)},
			ValueInfo: []*onnxproto.ValueInfoProto{pvi("r", Float, 2, 3)},
		},
	}
}

// ifModel is a valid model with an If node:
//
//	Y = If(C) then Identity(X) else Neg(X)
func ifModel() *onnxproto.ModelProto {
	branch := func(name, op, out string) *onnxproto.AttributeProto {
		return &onnxproto.AttributeProto{Name: proto.String(name), Type: onnxproto.AttributeProto_GRAPH.Enum(), G: &onnxproto.GraphProto{
			Name:   proto.String(name),
			Node:   []*onnxproto.NodeProto{pnode(op, op, []string{"X"}, []string{out})},
			Output: []*onnxproto.ValueInfoProto{pvi(out, Float, 2)},
		}}
	}
	return &onnxproto.ModelProto{
		IrVersion:   proto.Int64(8),
		OpsetImport: opsets("", 17),
		Graph: &onnxproto.GraphProto{
			Name:   proto.String("if"),
			Input:  []*onnxproto.ValueInfoProto{pvi("C", Bool), pvi("X", Float, 2)},
			Node:   []*onnxproto.NodeProto{pnode("If", "if", []string{"C"}, []string{"Y"}, branch("then_branch", "Identity", "t"), branch("else_branch", "Neg", "e"))},
			Output: []*onnxproto.ValueInfoProto{pvi("Y", Float, 2)},
		},
	}
}

// funcModel is a valid model calling a model-local function custom.MyRelu.
func funcModel() *onnxproto.ModelProto {
	return &onnxproto.ModelProto{
		IrVersion:   proto.Int64(8),
		OpsetImport: opsets("", 17, "custom", 1),
		Graph: &onnxproto.GraphProto{
			Name:  proto.String("f"),
			Input: []*onnxproto.ValueInfoProto{pvi("X", Float, 2)},
			Node: []*onnxproto.NodeProto{func() *onnxproto.NodeProto {
				n := pnode("MyRelu", "call", []string{"X"}, []string{"Y"})
				n.Domain = proto.String("custom")
				return n
			}()},
			Output: []*onnxproto.ValueInfoProto{pvi("Y", Float, 2)},
		},
		Functions: []*onnxproto.FunctionProto{{
			Name:        proto.String("MyRelu"),
			Domain:      proto.String("custom"),
			Input:       []string{"x"},
			Output:      []string{"y"},
			Node:        []*onnxproto.NodeProto{pnode("Relu", "inner", []string{"x"}, []string{"y"})},
			OpsetImport: opsets("", 17),
		}},
	}
}

func rawFloats(vals ...float32) []byte {
	b := make([]byte, 0, 4*len(vals))
	for _, v := range vals {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	return b
}

func nodeByName(g *onnxproto.GraphProto, name string) *onnxproto.NodeProto {
	for _, n := range g.Node {
		if n.GetName() == name {
			return n
		}
	}
	panic("no node " + name)
}

func attrG(n *onnxproto.NodeProto, name string) *onnxproto.GraphProto {
	for _, a := range n.Attribute {
		if a.GetName() == name {
			return a.G
		}
	}
	panic("no attribute " + name)
}

// brokenCase is a model broken on purpose, one per rule.
type brokenCase struct {
	name    string
	base    func() *onnxproto.ModelProto
	mutate  func(m *onnxproto.ModelProto, dir string)
	rule    Rule
	culprit string // a word the problem's text must contain
	// pyPlain and pyFull record what python onnx.checker (ONNX 1.12)
	// says of the model: "accepts", "rejects" or "crashes", for
	// check_model(path) and check_model(path, full_check=True).
	pyPlain, pyFull string
}

// brokenCorpus lists the broken models. Names ending in
// "_checker_accepts_ort_rejects" are models onnx.checker 1.12 lets through
// although ONNX Runtime refuses to load them.
var brokenCorpus = []brokenCase{
	// Model.
	{"ir_version_missing", baseModel, func(m *onnxproto.ModelProto, _ string) { m.IrVersion = nil }, RuleIRVersion, "ir_version", "rejects", "rejects"},
	{"float8_initializer_in_ir8", baseModel, func(m *onnxproto.ModelProto, _ string) {
		m.Graph.Initializer = append(m.Graph.Initializer, &onnxproto.TensorProto{Name: proto.String("F8"), DataType: proto.Int32(int32(onnxproto.TensorProto_FLOAT8E4M3FN)), Dims: []int64{2}, RawData: []byte{1, 2}})
	}, RuleIRFeature, "float8e4m3fn", "accepts", "accepts"},
	{"no_opset_import", baseModel, func(m *onnxproto.ModelProto, _ string) { m.OpsetImport = nil }, RuleNoOpsetImport, "opset_import", "rejects", "rejects"},
	{"duplicate_opset_domain", baseModel, func(m *onnxproto.ModelProto, _ string) { m.OpsetImport = opsets("", 17, "", 13) }, RuleDuplicateOpset, "ai.onnx", "accepts", "accepts"},
	{"opset_version_zero", baseModel, func(m *onnxproto.ModelProto, _ string) { m.OpsetImport = opsets("", 0) }, RuleOpsetVersion, "version 0", "rejects", "rejects"},
	{"domain_not_imported", baseModel, func(m *onnxproto.ModelProto, _ string) {
		m.Graph.Node[0].Domain = proto.String("com.example")
	}, RuleMissingOpset, "com.example", "rejects", "rejects"},
	{"duplicate_metadata_key", baseModel, func(m *onnxproto.ModelProto, _ string) {
		m.MetadataProps = []*onnxproto.StringStringEntryProto{{Key: proto.String("author"), Value: proto.String("a")}, {Key: proto.String("author"), Value: proto.String("b")}}
	}, RuleDuplicateMetadata, "author", "rejects", "rejects"},
	{"no_graph", baseModel, func(m *onnxproto.ModelProto, _ string) { m.Graph = nil }, RuleNoGraph, "graph", "rejects", "rejects"},

	// Graph.
	{"empty_graph_name", baseModel, func(m *onnxproto.ModelProto, _ string) { m.Graph.Name = nil }, RuleGraphName, "no name", "rejects", "rejects"},
	{"empty_input_name", baseModel, func(m *onnxproto.ModelProto, _ string) {
		m.Graph.Input = append(m.Graph.Input, pvi("", Float, 1))
	}, RuleValueName, "no name", "rejects", "rejects"},
	{"main_input_without_shape", baseModel, func(m *onnxproto.ModelProto, _ string) {
		m.Graph.Input[0].Type.GetTensorType().Shape = nil
	}, RuleValueType, `"X"`, "rejects", "rejects"},
	{"node_output_defined_twice", baseModel, func(m *onnxproto.ModelProto, _ string) {
		nodeByName(m.Graph, "add").Output = []string{"r"}
		nodeByName(m.Graph, "softmax").Input = []string{"r"}
	}, RuleDuplicateName, `"r"`, "rejects", "rejects"},
	{"subgraph_output_shadows_outer_name", ifModel, func(m *onnxproto.ModelProto, _ string) {
		g := attrG(m.Graph.Node[0], "then_branch")
		g.Node[0].Output = []string{"C"}
		g.Output[0].Name = proto.String("C")
	}, RuleShadowedName, `"C"`, "rejects", "rejects"},
	{"initializer_defined_twice", baseModel, func(m *onnxproto.ModelProto, _ string) {
		m.Graph.Initializer = append(m.Graph.Initializer, pfloats("W", []int64{2, 3}, 6, 5, 4, 3, 2, 1))
	}, RuleDuplicateInitializer, `"W"`, "rejects", "rejects"},
	{"ir3_initializer_not_input", baseModel, func(m *onnxproto.ModelProto, _ string) {
		m.IrVersion = proto.Int64(3)
		m.OpsetImport = opsets("", 8)
		m.Graph.ValueInfo = nil
		m.Graph.Node[2].Attribute = nil
	}, RuleInitializerNotInput, `"W"`, "rejects", "rejects"},
	{"undefined_node_input", baseModel, func(m *onnxproto.ModelProto, _ string) {
		nodeByName(m.Graph, "add").Input[1] = "nope"
	}, RuleUndefinedInput, `"nope"`, "rejects", "rejects"},
	{"nodes_out_of_order", baseModel, func(m *onnxproto.ModelProto, _ string) {
		m.Graph.Node[0], m.Graph.Node[1] = m.Graph.Node[1], m.Graph.Node[0]
	}, RuleTopoOrder, `"r"`, "rejects", "rejects"},
	{"cycle", baseModel, func(m *onnxproto.ModelProto, _ string) {
		nodeByName(m.Graph, "relu").Input = []string{"s"}
	}, RuleCycle, "relu", "rejects", "rejects"},
	{"output_not_produced_checker_accepts_ort_rejects", baseModel, func(m *onnxproto.ModelProto, _ string) {
		m.Graph.Output = append(m.Graph.Output, pvi("ghost", Float, 2, 3))
	}, RuleUndefinedOutput, `"ghost"`, "accepts", "accepts"},
	{"subgraph_output_is_outer_value", ifModel, func(m *onnxproto.ModelProto, _ string) {
		g := attrG(m.Graph.Node[0], "then_branch")
		g.Output[0].Name = proto.String("X")
	}, RuleOuterOutput, `"X"`, "accepts", "accepts"},
	{"function_output_listed_twice", funcModel, func(m *onnxproto.ModelProto, _ string) {
		m.Functions[0].Output = []string{"y", "y"}
	}, RuleDuplicateOutput, `"y"`, "rejects", "rejects"},

	// Nodes.
	{"empty_op_type", baseModel, func(m *onnxproto.ModelProto, _ string) {
		m.Graph.Node = append(m.Graph.Node, pnode("", "noop", []string{"X"}, []string{"z"}))
	}, RuleEmptyOpType, "noop", "rejects", "rejects"},
	{"node_without_inputs_and_outputs", baseModel, func(m *onnxproto.ModelProto, _ string) {
		m.Graph.Node = append(m.Graph.Node, pnode("Relu", "idle", nil, nil))
	}, RuleNoInputsOutputs, "idle", "rejects", "rejects"},
	{"unknown_op", baseModel, func(m *onnxproto.ModelProto, _ string) {
		nodeByName(m.Graph, "relu").OpType = proto.String("Reluu")
	}, RuleUnknownOp, "Reluu", "rejects", "rejects"},
	{"deprecated_op", baseModel, func(m *onnxproto.ModelProto, _ string) {
		m.Graph.Initializer = append(m.Graph.Initializer, pfloats("scales", []int64{2}, 1, 1))
		m.Graph.Node = append(m.Graph.Node, pnode("Upsample", "up", []string{"X", "scales"}, []string{"u"}))
	}, RuleDeprecatedOp, "Upsample", "rejects", "rejects"},
	{"too_many_inputs", baseModel, func(m *onnxproto.ModelProto, _ string) {
		nodeByName(m.Graph, "relu").Input = []string{"X", "W"}
	}, RuleInputCount, "relu", "rejects", "rejects"},
	{"too_many_outputs", baseModel, func(m *onnxproto.ModelProto, _ string) {
		nodeByName(m.Graph, "relu").Output = []string{"r", "r2"}
	}, RuleOutputCount, "relu", "rejects", "rejects"},
	{"required_input_given_empty", baseModel, func(m *onnxproto.ModelProto, _ string) {
		nodeByName(m.Graph, "add").Input[0] = ""
	}, RuleMissingInput, "add", "rejects", "rejects"},
	{"required_output_given_empty", baseModel, func(m *onnxproto.ModelProto, _ string) {
		m.Graph.Initializer = append(m.Graph.Initializer, pints("K", []int64{1}, 2))
		m.Graph.Node = append(m.Graph.Node, pnode("TopK", "topk", []string{"X", "K"}, []string{"", "topk_i"}))
	}, RuleMissingOutput, "topk", "rejects", "rejects"},
	{"required_attribute_missing", baseModel, func(m *onnxproto.ModelProto, _ string) {
		m.Graph.Node = append(m.Graph.Node, pnode("Concat", "cat", []string{"X", "W"}, []string{"c"}))
	}, RuleMissingAttr, "axis", "rejects", "rejects"},
	{"unknown_attribute", baseModel, func(m *onnxproto.ModelProto, _ string) {
		n := nodeByName(m.Graph, "relu")
		n.Attribute = append(n.Attribute, AttrFloat("alpha", 0.1))
	}, RuleUnknownAttr, "alpha", "rejects", "rejects"},
	{"duplicate_attribute", baseModel, func(m *onnxproto.ModelProto, _ string) {
		n := nodeByName(m.Graph, "softmax")
		n.Attribute = append(n.Attribute, AttrInt("axis", 0))
	}, RuleDuplicateAttr, "axis", "rejects", "rejects"},
	{"attribute_without_name", baseModel, func(m *onnxproto.ModelProto, _ string) {
		nodeByName(m.Graph, "softmax").Attribute[0].Name = nil
	}, RuleAttrName, "softmax", "rejects", "rejects"},
	{"attribute_without_type", baseModel, func(m *onnxproto.ModelProto, _ string) {
		nodeByName(m.Graph, "softmax").Attribute[0].Type = nil
	}, RuleAttrNoType, "axis", "rejects", "rejects"},
	{"attribute_of_wrong_type", baseModel, func(m *onnxproto.ModelProto, _ string) {
		nodeByName(m.Graph, "softmax").Attribute[0] = AttrFloat("axis", 1)
	}, RuleAttrType, "axis", "rejects", "rejects"},
	{"attribute_value_in_wrong_field", baseModel, func(m *onnxproto.ModelProto, _ string) {
		a := nodeByName(m.Graph, "softmax").Attribute[0]
		a.I, a.F = nil, proto.Float32(1)
	}, RuleAttrValue, "axis", "rejects", "rejects"},
	{"ref_attr_outside_function", baseModel, func(m *onnxproto.ModelProto, _ string) {
		a := nodeByName(m.Graph, "softmax").Attribute[0]
		a.I, a.RefAttrName = nil, proto.String("ax")
	}, RuleRefAttr, "axis", "accepts", "accepts"},
	{"input_type_not_allowed", baseModel, func(m *onnxproto.ModelProto, _ string) {
		m.Graph.Input = append(m.Graph.Input, pvi("B", Bool, 2))
		m.Graph.Node = append(m.Graph.Node, pnode("Relu", "relu_bool", []string{"B"}, []string{"rb"}))
	}, RuleTypeConstraint, `"B"`, "accepts", "rejects"},
	{"type_parameter_bound_twice", baseModel, func(m *onnxproto.ModelProto, _ string) {
		m.Graph.Initializer = append(m.Graph.Initializer, pints("I", []int64{2, 3}, 1, 2, 3, 4, 5, 6))
		m.Graph.Node = append(m.Graph.Node, pnode("Add", "add_mixed", []string{"X", "I"}, []string{"xi"}))
	}, RuleTypeMismatch, `"I"`, "accepts", "rejects"},
	{"if_branch_output_count", ifModel, func(m *onnxproto.ModelProto, _ string) {
		g := attrG(m.Graph.Node[0], "then_branch")
		g.Output = append(g.Output, pvi("X", Float, 2))
	}, RuleSubgraphArity, "then_branch", "accepts", "rejects"},

	// Tensors.
	{"tensor_without_data_type", baseModel, func(m *onnxproto.ModelProto, _ string) {
		m.Graph.Initializer[0].DataType = nil
	}, RuleTensorDataType, `"W"`, "rejects", "rejects"},
	{"tensor_negative_dim", baseModel, func(m *onnxproto.ModelProto, _ string) {
		m.Graph.Initializer[0].Dims = []int64{-2, -3}
	}, RuleTensorDims, `"W"`, "accepts", "rejects"},
	{"tensor_data_in_two_fields", baseModel, func(m *onnxproto.ModelProto, _ string) {
		m.Graph.Initializer[0].RawData = rawFloats(1, 2, 3, 4, 5, 6)
	}, RuleTensorField, `"W"`, "rejects", "rejects"},
	{"raw_data_too_short_checker_accepts_ort_rejects", baseModel, func(m *onnxproto.ModelProto, _ string) {
		w := m.Graph.Initializer[0]
		w.FloatData, w.RawData = nil, rawFloats(1, 2, 3, 4, 5)
	}, RuleTensorSize, `"W"`, "accepts", "accepts"},
	{"external_data_file_missing", baseModel, func(m *onnxproto.ModelProto, _ string) {
		w := m.Graph.Initializer[0]
		w.FloatData = nil
		w.DataLocation = onnxproto.TensorProto_EXTERNAL.Enum()
		w.ExternalData = []*onnxproto.StringStringEntryProto{{Key: proto.String("location"), Value: proto.String("weights.bin")}}
	}, RuleExternalData, "weights.bin", "rejects", "rejects"},
	{"sparse_values_of_rank_2", baseModel, func(m *onnxproto.ModelProto, _ string) {
		m.Graph.SparseInitializer = append(m.Graph.SparseInitializer, &onnxproto.SparseTensorProto{
			Values:  pfloats("S", []int64{2, 1}, 1, 2),
			Indices: pints("S_i", []int64{2}, 0, 3),
			Dims:    []int64{2, 3},
		})
	}, RuleSparseTensor, `"S`, "rejects", "rejects"},

	// Functions.
	{"function_without_name", funcModel, func(m *onnxproto.ModelProto, _ string) {
		f := proto.Clone(m.Functions[0]).(*onnxproto.FunctionProto)
		f.Name = nil
		m.Functions = append(m.Functions, f)
	}, RuleFunctionName, "no name", "rejects", "rejects"},
	{"function_defined_twice", funcModel, func(m *onnxproto.ModelProto, _ string) {
		m.Functions = append(m.Functions, proto.Clone(m.Functions[0]).(*onnxproto.FunctionProto))
	}, RuleDuplicateFunction, "MyRelu", "accepts", "accepts"},
	{"recursive_function_crashes_full_check", funcModel, func(m *onnxproto.ModelProto, _ string) {
		f := m.Functions[0]
		f.OpsetImport = opsets("", 17, "custom", 1)
		call := pnode("MyRelu", "again", []string{"y"}, []string{"z"})
		call.Domain = proto.String("custom")
		f.Node = append(f.Node, call)
		f.Output = []string{"z"}
	}, RuleRecursiveFunction, "MyRelu", "accepts", "crashes"},
	{"function_opset_incompatible", funcModel, func(m *onnxproto.ModelProto, _ string) {
		f := m.Functions[0]
		f.OpsetImport = opsets("", 12)
		f.Node[0] = pnode("Softmax", "inner", []string{"x"}, []string{"y"})
	}, RuleOpsetMismatch, "Softmax", "rejects", "rejects"},
}

// pythonOnnx returns the python interpreter that has onnx, or "".
func pythonOnnx(t *testing.T) string { return suitetest.Python("onnx") }

// pyVerdict is what onnx.checker said about one model: "" when it is
// valid, else the error; "crash: ..." when the checker crashed.
type pyVerdict struct {
	Plain string `json:"plain"` // check_model(model)
	Full  string `json:"full"`  // check_model(model, full_check=True)
}

// runPythonChecker runs onnx.checker over paths in one python process and
// returns, per path, the verdicts of the plain and the full check. byPath
// checks by file name (external data resolves against the file's folder;
// the full check writes the inferred model back to the file); otherwise
// each model is loaded and checked in memory. With fork, each full check
// runs in a forked child so that a crash of the checker is recorded, not
// fatal.
func runPythonChecker(t *testing.T, py string, paths []string, byPath, fork bool) map[string]pyVerdict {
	t.Helper()
	script := `
import json, os, sys, onnx

def check(p, full):
    try:
        if by_path:
            onnx.checker.check_model(p, full_check=full)
        else:
            onnx.checker.check_model(onnx.load(p), full_check=full)
        return ""
    except Exception as e:
        return (type(e).__name__ + ": " + str(e)) or "error"

def forked(p):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        os.write(w, check(p, True).encode())
        os._exit(0)
    os.close(w)
    out = b""
    while True:
        b = os.read(r, 65536)
        if not b:
            break
        out += b
    os.close(r)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return "crash: signal %d" % os.WTERMSIG(status)
    return out.decode(errors="replace")

args = json.load(sys.stdin)
by_path = args["by_path"]
res = {}
for p in args["paths"]:
    res[p] = {"plain": check(p, False), "full": forked(p) if args["fork"] else check(p, True)}
json.dump(res, sys.stdout)
`
	dir := t.TempDir()
	sp := filepath.Join(dir, "check.py")
	if err := os.WriteFile(sp, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	in, _ := json.Marshal(map[string]any{"paths": paths, "by_path": byPath, "fork": fork})
	cmd := exec.Command(py, sp)
	cmd.Stdin = strings.NewReader(string(in))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python checker: %v\n%s", err, stderr.String())
	}
	res := map[string]pyVerdict{}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("python checker output: %v\n%s", err, out)
	}
	return res
}

// verdict classifies a python result as "accepts", "rejects" or "crashes".
func verdict(msg string) string {
	switch {
	case msg == "":
		return "accepts"
	case strings.HasPrefix(msg, "crash: "):
		return "crashes"
	}
	return "rejects"
}

// TestBrokenCorpus builds each broken model, checks that Validate rejects
// it under the expected rule with the culprit named, and, when python onnx
// is installed, that onnx.checker agrees or disagrees as recorded.
//
// Set ONNXGRAPH_CORPUS_DIR to keep the models in that folder.
func TestBrokenCorpus(t *testing.T) {
	dir := os.Getenv("ONNXGRAPH_CORPUS_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	rules := map[Rule]bool{}
	paths := make([]string, len(brokenCorpus))
	for i, tc := range brokenCorpus {
		if rules[tc.rule] {
			t.Errorf("%s: rule %s has a case already", tc.name, tc.rule)
		}
		rules[tc.rule] = true
		caseDir := filepath.Join(dir, tc.name)
		if err := os.MkdirAll(caseDir, 0o755); err != nil {
			t.Fatal(err)
		}
		mp := tc.base()
		tc.mutate(mp, caseDir)
		b, err := proto.Marshal(mp)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		paths[i] = filepath.Join(caseDir, "model.onnx")
		if err := os.WriteFile(paths[i], b, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Run(tc.name, func(t *testing.T) {
			m, err := Open(paths[i], &LoadOptions{SkipExternalCheck: true})
			if err != nil {
				t.Fatalf("load: %v", err)
			}
			r := m.Validate(nil)
			if r.Valid() {
				t.Fatalf("valid; want %s", tc.rule)
			}
			found := false
			for _, p := range r.ByRule(tc.rule) {
				if p.Severity != SeverityError {
					t.Errorf("%s is a note", p.String())
				}
				if strings.Contains(p.String(), tc.culprit) {
					found = true
				}
			}
			if !found {
				t.Errorf("no %s problem naming %q; got:\n%s", tc.rule, tc.culprit, r)
			}
			err = r.Err()
			if err == nil || !strings.HasPrefix(err.Error(), "onnxgraph: ") {
				t.Errorf("Err() = %v", err)
			}
		})
	}
	if len(brokenCorpus) < 40 {
		t.Errorf("%d broken models; want at least 40", len(brokenCorpus))
	}

	py := pythonOnnx(t)
	if py == "" {
		t.Log("python3-onnx not installed: onnx.checker not compared")
		return
	}
	res := runPythonChecker(t, py, paths, true, true)
	plain, full := 0, 0
	for i, tc := range brokenCorpus {
		v, ok := res[paths[i]]
		if !ok {
			t.Errorf("%s: python gave no result", tc.name)
			continue
		}
		gotPlain, gotFull := verdict(v.Plain), verdict(v.Full)
		if gotPlain == "rejects" {
			plain++
		}
		if gotFull != "accepts" {
			full++
		}
		if gotPlain != tc.pyPlain || gotFull != tc.pyFull {
			t.Errorf("%s: onnx.checker %s, full_check %s; recorded %s, %s\n%s\n%s", tc.name, gotPlain, gotFull, tc.pyPlain, tc.pyFull, v.Plain, v.Full)
		}
	}
	t.Logf("%d broken models: ours rejects all; onnx.checker rejects %d, with full_check %d (crashes included)", len(brokenCorpus), plain, full)
}
