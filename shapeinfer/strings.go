package shapeinfer

import (
	"bytes"
	"slices"

	"github.com/onnxgraph/onnxgraph"
)

// The string family: StringConcat, StringNormalizer, StringSplit,
// RegexFullMatch and TfIdfVectorizer.

var stringsTable = join(
	all(inferStringConcat, versions("ai.onnx", "StringConcat", 20)),
	all(inferStringNormalizer, versions("ai.onnx", "StringNormalizer", 10)),
	all(inferStringSplit, versions("ai.onnx", "StringSplit", 20)),
	all(inferRegexFullMatch, versions("ai.onnx", "RegexFullMatch", 20)),
	all(inferTfIdfVectorizer, versions("ai.onnx", "TfIdfVectorizer", 9)),
)

func inferStringConcat(c *Ctx) error {
	a, b := c.Input(0), c.Input(1)
	if a == nil || b == nil {
		c.SetOutput(0, Tensor(onnxgraph.String, nil))
		return nil
	}
	shape, err := broadcast(c, a.Shape, b.Shape)
	if err != nil {
		return err
	}
	c.SetOutput(0, Tensor(onnxgraph.String, shape))
	return nil
}

// inferStringNormalizer: [C] or [1, C]; without stopwords the size is
// kept, with them it is known only from the strings (and at least 1: an
// all-removed input gives one empty string).
func inferStringNormalizer(c *Ctx) error {
	in := c.Input(0)
	if !in.HasShape() {
		c.SetOutput(0, Tensor(onnxgraph.String, nil))
		return nil
	}
	r := len(in.Shape)
	if r != 1 && r != 2 {
		return c.Errorf(CodeInvalid, "input has rank %d, want [C] or [1,C]", r)
	}
	if r == 2 {
		if v, ok := in.Shape[0].Value(); ok && v != 1 {
			return c.Errorf(CodeInvalid, "input is %v, want [1,C]", in.Shape)
		}
	}
	if a := c.Attr("case_change_action"); a != nil {
		switch s := string(a.GetS()); s {
		case "NONE", "LOWER", "UPPER":
		default:
			return c.Errorf(CodeInvalid, "unknown case_change_action %q", s)
		}
	}
	if stop := c.Attr("stopwords"); stop == nil || len(stop.GetStrings()) == 0 {
		c.SetOutput(0, Tensor(onnxgraph.String, in.Shape))
		return nil
	}
	out := slices.Clone(in.Shape)
	if strs := c.StringData(0); strs != nil {
		sensitive := c.Int("is_case_sensitive", 0) == 1
		stop := map[string]bool{}
		for _, w := range c.Attr("stopwords").GetStrings() {
			if !sensitive {
				w = bytes.ToLower(w)
			}
			stop[string(w)] = true
		}
		kept := int64(0)
		for _, s := range strs {
			if !sensitive {
				s = bytes.ToLower(s)
			}
			if !stop[string(s)] {
				kept++
			}
		}
		out[r-1] = Known(max(kept, 1)) // all removed: one empty string
		c.SetOutput(0, Tensor(onnxgraph.String, out))
		return nil
	}
	out[r-1] = c.Fresh()
	c.SetOutput(0, Tensor(onnxgraph.String, out))
	return c.Errorf(CodeDataDependent, "how many strings are stopwords is known only at run time")
}

// inferStringSplit: Y is X's shape plus the largest number of substrings;
// Z, the number of substrings of each element, has X's shape.
func inferStringSplit(c *Ctx) error {
	in := c.Input(0)
	if !in.HasShape() {
		c.SetOutput(0, Tensor(onnxgraph.String, nil))
		c.SetOutput(1, Tensor(onnxgraph.Int64, nil))
		return nil
	}
	if a := c.Attr("maxsplit"); a != nil && a.GetI() < 0 {
		return c.Errorf(CodeInvalid, "maxsplit %d is negative", a.GetI())
	}
	c.SetOutput(0, Tensor(onnxgraph.String, joinDims(in.Shape, Shape{c.Fresh()})))
	c.SetOutput(1, Tensor(onnxgraph.Int64, in.Shape))
	return c.Errorf(CodeDataDependent, "the number of substrings is known only at run time")
}

func inferRegexFullMatch(c *Ctx) error {
	in := c.Input(0)
	if in == nil {
		c.SetOutput(0, Tensor(onnxgraph.Bool, nil))
		return nil
	}
	if c.Attr("pattern") == nil {
		return c.Errorf(CodeInvalid, "RegexFullMatch needs a pattern")
	}
	c.SetOutput(0, Tensor(onnxgraph.Bool, in.Shape))
	return nil
}

// inferTfIdfVectorizer: [C] -> [K], [N, C] -> [N, K] with K the largest
// ngram index plus one.
func inferTfIdfVectorizer(c *Ctx) error {
	idx, ok := c.Ints("ngram_indexes")
	if !ok || len(idx) == 0 {
		return c.Errorf(CodeInvalid, "TfIdfVectorizer needs ngram_indexes")
	}
	mode := c.String("mode", "")
	if mode != "TF" && mode != "IDF" && mode != "TFIDF" {
		return c.Errorf(CodeInvalid, "unknown mode %q", mode)
	}
	k := slices.Max(idx) + 1
	in := c.Input(0)
	if !in.HasShape() {
		c.SetOutput(0, Tensor(onnxgraph.Float, nil))
		return nil
	}
	switch len(in.Shape) {
	case 1:
		c.SetOutput(0, Tensor(onnxgraph.Float, KnownShape(k)))
	case 2:
		c.SetOutput(0, Tensor(onnxgraph.Float, Shape{in.Shape[0], known(k)}))
	default:
		return c.Errorf(CodeInvalid, "input has rank %d, want 1 or 2", len(in.Shape))
	}
	return nil
}
