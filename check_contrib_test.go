package onnxgraph

import (
	"testing"

	"github.com/onnxgraph/onnxgraph/onnxproto"
	"google.golang.org/protobuf/proto"
)

// msNode appends a node of domain com.microsoft (imported at version 1) to
// baseModel's graph.
func msNode(op, name string, ins, outs []string, attrs ...*onnxproto.AttributeProto) func() *onnxproto.ModelProto {
	return with(baseModel, func(m *onnxproto.ModelProto) {
		m.OpsetImport = append(m.OpsetImport, opsets("com.microsoft", 1)...)
		n := pnode(op, name, ins, outs, attrs...)
		n.Domain = proto.String("com.microsoft")
		m.Graph.Node = append(m.Graph.Node, n)
	})
}

// TestValidateContrib checks ONNX Runtime's operators against their
// schemas: a valid node passes, a node that breaks its schema is an error
// like any standard one, an operator without a known schema (of
// com.microsoft or any other open domain) stays a note, and ONNX Runtime's
// default-domain SimplifiedLayerNormalization is a note, not an unknown
// operator.
func TestValidateContrib(t *testing.T) {
	ints := func(name string, dims []int64, vals ...int64) func(m *onnxproto.ModelProto) {
		return func(m *onnxproto.ModelProto) {
			m.Graph.Initializer = append(m.Graph.Initializer, pints(name, dims, vals...))
		}
	}
	sparseA := func(m *onnxproto.ModelProto) {
		m.Graph.SparseInitializer = append(m.Graph.SparseInitializer, &onnxproto.SparseTensorProto{
			Values: pfloats("A", []int64{2}, 1, 2), Indices: pints("A_i", []int64{2, 2}, 0, 1, 1, 2), Dims: []int64{2, 3}})
	}
	runCheckCases(t, []checkCase{
		{"fast_gelu_valid", msNode("FastGelu", "gelu", []string{"X"}, []string{"g"}), nil, "", 0, ""},
		{"fast_gelu_bias_valid", msNode("FastGelu", "gelu", []string{"X", "W"}, []string{"g"}), nil, "", 0, ""},
		{"fast_gelu_too_many_inputs", msNode("FastGelu", "gelu", []string{"X", "W", "W"}, []string{"g"}), nil, RuleInputCount, SeverityError, "FastGelu-1"},
		{"fast_gelu_int_input", with(msNode("FastGelu", "gelu", []string{"I"}, []string{"g"}), ints("I", []int64{2}, 1, 2)), nil, RuleTypeConstraint, SeverityError, "FastGelu-1"},
		{"gqa_missing_attribute", msNode("GroupQueryAttention", "gqa",
			[]string{"X", "", "", "", "", "S", "T"}, []string{"o"}, AttrInt("num_heads", 1)), nil, RuleMissingAttr, SeverityError, "kv_num_heads"},
		{"gqa_missing_required_input", msNode("GroupQueryAttention", "gqa",
			[]string{"X", "", "", "", "", "", "T"}, []string{"o"}, AttrInt("num_heads", 1), AttrInt("kv_num_heads", 1)), nil, RuleMissingInput, SeverityError, "seqlens_k"},
		{"matmulnbits_unknown_attribute", msNode("MatMulNBits", "mm", []string{"X", "B", "S"}, []string{"o"},
			AttrInt("K", 3), AttrInt("N", 4), AttrInt("block_size", 16), AttrInt("group_size", 1)), nil, RuleUnknownAttr, SeverityError, "group_size"},
		{"matmulnbits_attribute_type", msNode("MatMulNBits", "mm", []string{"X", "B", "S"}, []string{"o"},
			AttrInt("K", 3), AttrFloat("N", 4), AttrInt("block_size", 16)), nil, RuleAttrType, SeverityError, `"N"`},
		{"unknown_microsoft_op_is_a_note", msNode("NotYetDocumented", "new", []string{"X"}, []string{"n"}), nil, RuleCustomOp, SeverityNote, "NotYetDocumented"},
		{"unknown_microsoft_op_as_error", msNode("NotYetDocumented", "new", []string{"X"}, []string{"n"}), &CheckOptions{CustomDomainErrors: true}, RuleUnknownOp, SeverityError, "NotYetDocumented"},
		{"simplified_layer_normalization", with(baseModel, func(m *onnxproto.ModelProto) {
			m.Graph.Initializer = append(m.Graph.Initializer, pfloats("scale", []int64{3}, 1, 1, 1))
			m.Graph.Node = append(m.Graph.Node, pnode("SimplifiedLayerNormalization", "sln", []string{"X", "scale"}, []string{"sln_y"},
				AttrInt("axis", -1), AttrFloat("epsilon", 1e-5), AttrInt("stash_type", 1)))
		}), nil, RuleRuntimeOp, SeverityNote, "SimplifiedLayerNormalization-1"},
		{"layer_normalization_before_17", with(baseModel, func(m *onnxproto.ModelProto) {
			m.OpsetImport = opsets("", 14)
			m.Graph.Initializer = append(m.Graph.Initializer, pfloats("scale", []int64{3}, 1, 1, 1))
			m.Graph.Node = append(m.Graph.Node, pnode("LayerNormalization", "ln", []string{"X", "scale"}, []string{"ln_y"}))
		}), nil, RuleRuntimeOp, SeverityNote, "LayerNormalization-1"},
		// A sparse initializer is a sparse_tensor, as ONNX types it: the
		// sparse operand of SparseToDenseMatMul, not Relu's input.
		{"sparse_to_dense_matmul_sparse_initializer", with(msNode("SparseToDenseMatMul", "spmm", []string{"A", "W"}, []string{"spmm_y"}, AttrInt("transB", 1)), sparseA), nil, "", 0, ""},
		{"sparse_initializer_to_relu", with(with(baseModel, sparseA), func(m *onnxproto.ModelProto) {
			m.Graph.Node = append(m.Graph.Node, pnode("Relu", "relu_a", []string{"A"}, []string{"relu_a_y"}))
		}), nil, RuleTypeConstraint, SeverityError, "sparse_tensor(float)"},
		{"simplified_layer_normalization_arity", with(baseModel, func(m *onnxproto.ModelProto) {
			m.Graph.Node = append(m.Graph.Node, pnode("SimplifiedLayerNormalization", "sln", []string{"X"}, []string{"sln_y"}))
		}), nil, RuleInputCount, SeverityError, "SimplifiedLayerNormalization-1"},
	})
}
