package shapeinfer_test

import (
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
)

func TestStringsFamily(t *testing.T) {
	as := onnxgraph.AttrString
	ai := onnxgraph.AttrInt
	ais := onnxgraph.AttrInts
	tfidf := []*onnxproto.AttributeProto{as("mode", "TF"), ai("min_gram_length", 2), ai("max_gram_length", 2), ai("max_skip_count", 0),
		ais("ngram_counts", 0, 4), ais("ngram_indexes", 0, 1, 2, 3, 4, 5, 6), ais("pool_int64s", 2, 3, 5, 4, 5, 6, 7, 8, 6, 7)}
	famRun(t, []famCase{
		// Opset 20, from the spec's examples.
		{name: "StringConcat", op: "StringConcat", opset: 20, in: []famIn{famT("x", str, 2), famT("y", str, 2)}, want: []string{"string[2]"}},
		{name: "StringConcat-broadcast", op: "StringConcat", opset: 20, in: []famIn{famT("x", str, "N", 2), famT("y", str)}, want: []string{"string[N,2]"}},
		{name: "StringConcat-mismatch", op: "StringConcat", opset: 20, in: []famIn{famT("x", str, 2), famT("y", str, 3)}, want: []string{"-"}, code: shapeinfer.CodeInvalid},
		{name: "StringSplit", op: "StringSplit", opset: 20, in: []famIn{famT("x", str, 2, 2)}, attrs: []*onnxproto.AttributeProto{as("delimiter", "-"), ai("maxsplit", 1)}, want: []string{"string[2,2,unk__1]", "int64[2,2]"}},
		{name: "RegexFullMatch", op: "RegexFullMatch", opset: 20, in: []famIn{famT("x", str, "N", 3)}, attrs: []*onnxproto.AttributeProto{as("pattern", `www\.[\w.-]+\.\bcom\b`)}, want: []string{"bool[N,3]"}},
		{name: "RegexFullMatch-no-pattern", op: "RegexFullMatch", opset: 20, in: []famIn{famT("x", str, 3)}, want: []string{"-"}, code: shapeinfer.CodeInvalid},
		{name: "StringNormalizer-no-stopwords", op: "StringNormalizer", opset: 10, in: []famIn{famT("x", str, 1, 6)}, attrs: []*onnxproto.AttributeProto{as("case_change_action", "LOWER")}, want: []string{"string[1,6]"}},
		{name: "StringNormalizer-stopwords", op: "StringNormalizer", opset: 10, in: []famIn{famT("x", str, 4)}, attrs: []*onnxproto.AttributeProto{famStrings("stopwords", "monday")}, want: []string{"string[unk__1]"}},
		{name: "StringNormalizer-rank", op: "StringNormalizer", opset: 10, in: []famIn{famT("x", str, 2, 3)}, want: []string{"-"}, code: shapeinfer.CodeInvalid},
		{name: "TfIdfVectorizer-1d", op: "TfIdfVectorizer", opset: 9, in: []famIn{famT("x", i32, 12)}, attrs: tfidf, want: []string{"float32[7]"}},
		{name: "TfIdfVectorizer-2d", op: "TfIdfVectorizer", opset: 9, in: []famIn{famT("x", i32, "N", 6)}, attrs: tfidf, want: []string{"float32[N,7]"}},
	})
}
