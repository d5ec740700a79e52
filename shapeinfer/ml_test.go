package shapeinfer_test

import (
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
)

// famMap is the type of a map from key to tensors of dt.
func famMap(key, dt onnxgraph.DataType) *onnxproto.TypeProto {
	k := int32(key)
	return &onnxproto.TypeProto{Value: &onnxproto.TypeProto_MapType{MapType: &onnxproto.TypeProto_Map{KeyType: &k, ValueType: famT("", dt).typ}}}
}

func TestMLFamily(t *testing.T) {
	const ml = "ai.onnx.ml"
	ai := onnxgraph.AttrInt
	ais := onnxgraph.AttrInts
	afs := onnxgraph.AttrFloats
	as := onnxgraph.AttrString
	ss := famStrings
	famRun(t, []famCase{
		{name: "ArrayFeatureExtractor", domain: ml, op: "ArrayFeatureExtractor", in: []famIn{famT("x", f32, "N", 5), famT("i", i64, 2)}, want: []string{"float32[N,2]"}},
		{name: "ArrayFeatureExtractor-1d", domain: ml, op: "ArrayFeatureExtractor", in: []famIn{famT("x", str, 5), famT("i", i64, 3)}, want: []string{"string[1,3]"}},
		{name: "Binarizer", domain: ml, op: "Binarizer", in: []famIn{famT("x", f32, "N", 4)}, want: []string{"float32[N,4]"}},
		{name: "CastMap-sparse", domain: ml, op: "CastMap", in: []famIn{famTyped("m", famMap(i64, str))}, attrs: []*onnxproto.AttributeProto{as("cast_to", "TO_INT64"), as("map_form", "SPARSE"), ai("max_map", 6)}, want: []string{"int64[1,6]"}},
		{name: "CastMap-dense", domain: ml, op: "CastMap", in: []famIn{famTyped("m", famMap(i64, f32))}, want: []string{"float32[1,unk__1]"}},
		{name: "CategoryMapper", domain: ml, op: "CategoryMapper", in: []famIn{famT("x", str, "N")}, attrs: []*onnxproto.AttributeProto{ais("cats_int64s", 1, 2), ss("cats_strings", "a", "b")}, want: []string{"int64[N]"}},
		{name: "CategoryMapper-lengths", domain: ml, op: "CategoryMapper", in: []famIn{famT("x", str, "N")}, attrs: []*onnxproto.AttributeProto{ais("cats_int64s", 1), ss("cats_strings", "a", "b")}, want: []string{"-"}, code: shapeinfer.CodeInvalid},
		{name: "DictVectorizer", domain: ml, op: "DictVectorizer", in: []famIn{famTyped("m", famMap(str, f32))}, attrs: []*onnxproto.AttributeProto{ss("string_vocabulary", "a", "c", "b", "z")}, want: []string{"float32[1,4]"}},
		{name: "FeatureVectorizer", domain: ml, op: "FeatureVectorizer", in: []famIn{famT("a", f32, "N", 2), famT("b", i64, "N", 3)}, attrs: []*onnxproto.AttributeProto{ais("inputdimensions", 2, 3)}, want: []string{"float32[N,5]"}},
		{name: "Imputer", domain: ml, op: "Imputer", in: []famIn{famT("x", i64, "N", 3)}, attrs: []*onnxproto.AttributeProto{ais("imputed_value_int64s", 0)}, want: []string{"int64[N,3]"}},
		{name: "LabelEncoder-1", domain: ml, dopset: 1, op: "LabelEncoder", in: []famIn{famT("x", str, "N")}, attrs: []*onnxproto.AttributeProto{ss("classes_strings", "a", "b")}, want: []string{"int64[N]"}},
		{name: "LabelEncoder-2", domain: ml, dopset: 2, op: "LabelEncoder", in: []famIn{famT("x", str, 3)}, attrs: []*onnxproto.AttributeProto{ss("keys_strings", "a", "b"), afs("values_floats", 1, 2)}, want: []string{"float32[3]"}},
		{name: "LabelEncoder-4-tensor", domain: ml, dopset: 4, op: "LabelEncoder", in: []famIn{famT("x", i64, 2, 3)},
			attrs: []*onnxproto.AttributeProto{famTensorAttr("keys_tensor", i64, []int64{1, 2}, 2), famTensorAttr("values_tensor", onnxgraph.Int16, []int16{7, 8}, 2)}, want: []string{"int16[2,3]"}},
		{name: "LabelEncoder-4-lengths", domain: ml, dopset: 4, op: "LabelEncoder", in: []famIn{famT("x", i64, 2)}, attrs: []*onnxproto.AttributeProto{ais("keys_int64s", 1, 2), ais("values_int64s", 1)}, want: []string{"-"}, code: shapeinfer.CodeInvalid},
		{name: "LinearClassifier", domain: ml, op: "LinearClassifier", in: []famIn{famT("x", f32, "N", 4)}, attrs: []*onnxproto.AttributeProto{afs("coefficients", make([]float32, 12)...), afs("intercepts", 0, 0, 0), ais("classlabels_ints", 1, 2, 3)}, outs: 2, want: []string{"int64[N]", "float32[N,3]"}},
		{name: "LinearClassifier-binary", domain: ml, op: "LinearClassifier", in: []famIn{famT("x", f32, 4)}, attrs: []*onnxproto.AttributeProto{afs("coefficients", 1, 2, 3, 4), afs("intercepts", 0), ss("classlabels_strings", "no", "yes")}, want: []string{"string[1]", "float32[1,2]"}},
		{name: "LinearRegressor", domain: ml, op: "LinearRegressor", in: []famIn{famT("x", f32, "N", 4)}, attrs: []*onnxproto.AttributeProto{ai("targets", 2)}, want: []string{"float32[N,2]"}},
		{name: "LinearRegressor-rank", domain: ml, op: "LinearRegressor", in: []famIn{famT("x", f32, 1, 2, 3)}, want: []string{"-"}, code: shapeinfer.CodeInvalid},
		{name: "Normalizer", domain: ml, op: "Normalizer", in: []famIn{famT("x", i32, "N", 4)}, attrs: []*onnxproto.AttributeProto{as("norm", "L2")}, want: []string{"float32[N,4]"}},
		{name: "OneHotEncoder", domain: ml, op: "OneHotEncoder", in: []famIn{famT("x", str, "N", 2)}, attrs: []*onnxproto.AttributeProto{ss("cats_strings", "a", "b", "c")}, want: []string{"float32[N,2,3]"}},
		{name: "SVMClassifier", domain: ml, op: "SVMClassifier", in: []famIn{famT("x", f32, "N", 4)}, attrs: []*onnxproto.AttributeProto{ais("classlabels_ints", 0, 1, 2)}, want: []string{"int64[N]", "float32[N,?]"}},
		{name: "SVMRegressor", domain: ml, op: "SVMRegressor", in: []famIn{famT("x", f32, "N", 4)}, want: []string{"float32[N,1]"}},
		{name: "Scaler", domain: ml, op: "Scaler", in: []famIn{famT("x", f64(), "N", 4)}, attrs: []*onnxproto.AttributeProto{afs("scale", 2), afs("offset", 1)}, want: []string{"float32[N,4]"}},
		// TreeEnsemble, ai.onnx.ml opset 5 (the spec's example).
		{name: "TreeEnsemble", domain: ml, dopset: 5, op: "TreeEnsemble", in: []famIn{famT("x", f64(), "N", 2)}, attrs: treeEnsembleAttrs(), want: []string{"float64[N,2]"}},
		{name: "TreeEnsemble-split-type", domain: ml, dopset: 5, op: "TreeEnsemble", in: []famIn{famT("x", f32, "N", 2)}, attrs: treeEnsembleAttrs(), want: []string{"-"}, code: shapeinfer.CodeInvalid},
		{name: "TreeEnsembleClassifier-3", domain: ml, dopset: 3, op: "TreeEnsembleClassifier", in: []famIn{famT("x", f32, "N", 3)}, attrs: []*onnxproto.AttributeProto{ss("classlabels_strings", "a", "b", "c", "d")}, want: []string{"string[N]", "float32[N,4]"}},
		{name: "TreeEnsembleRegressor-1", domain: ml, dopset: 1, op: "TreeEnsembleRegressor", in: []famIn{famT("x", f32, "N", 3)}, attrs: []*onnxproto.AttributeProto{ai("n_targets", 3)}, want: []string{"float32[N,3]"}},
		{name: "ZipMap", domain: ml, op: "ZipMap", in: []famIn{famT("x", f32, "N", 3)}, attrs: []*onnxproto.AttributeProto{ss("classlabels_strings", "a", "b", "c")}, want: []string{"seq(map(string,float32[]))"}},
		{name: "ZipMap-columns", domain: ml, op: "ZipMap", in: []famIn{famT("x", f32, "N", 2)}, attrs: []*onnxproto.AttributeProto{ais("classlabels_int64s", 1, 2, 3)}, want: []string{"-"}, code: shapeinfer.CodeInvalid},
	})
}

func f64() onnxgraph.DataType { return onnxgraph.Double }

// treeEnsembleAttrs is the spec's TreeEnsemble example: two trees over
// double features, two targets.
func treeEnsembleAttrs() []*onnxproto.AttributeProto {
	ai := onnxgraph.AttrInt
	ais := onnxgraph.AttrInts
	return []*onnxproto.AttributeProto{
		ais("nodes_featureids", 0, 0, 0, 0, 1, 0, 0),
		famTensorAttr("nodes_splits", onnxgraph.Double, []float64{3.14, 1.2, 4.2, 1.5, 1.1, 2.4, 1.1}, 7),
		famTensorAttr("nodes_modes", onnxgraph.Uint8, []uint8{0, 0, 0, 0, 0, 0, 0}, 7),
		ais("nodes_truenodeids", 1, 0, 1, 2, 3, 0, 1),
		ais("nodes_trueleafs", 0, 1, 1, 1, 1, 1, 1),
		ais("nodes_falsenodeids", 2, 2, 3, 3, 5, 1, 1),
		ais("nodes_falseleafs", 0, 1, 1, 0, 1, 1, 1),
		ais("leaf_targetids", 0, 1, 0, 1, 0, 1),
		famTensorAttr("leaf_weights", onnxgraph.Double, []float64{5.23, 12.12, -12.23, 7.21, -1.0, 3.0}, 6),
		ais("tree_roots", 0, 2),
		ai("n_targets", 2),
		ai("aggregate_function", 1),
	}
}
