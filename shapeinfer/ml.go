package shapeinfer

import (
	"github.com/onnxgraph/onnxgraph"
)

// The ai.onnx.ml family: classical machine-learning operators. Most take a
// batch [N, C] (or a single example [C], read as [1, C]) and give one row
// per example.

const mlDomain = "ai.onnx.ml"

var mlTable = join(
	all(inferArrayFeatureExtractor, versions(mlDomain, "ArrayFeatureExtractor", 1)),
	all(sameAsInput,
		versions(mlDomain, "Binarizer", 1),
		versions(mlDomain, "Imputer", 1)),
	all(inferCastMap, versions(mlDomain, "CastMap", 1)),
	all(inferCategoryMapper, versions(mlDomain, "CategoryMapper", 1)),
	all(inferDictVectorizer, versions(mlDomain, "DictVectorizer", 1)),
	all(inferFeatureVectorizer, versions(mlDomain, "FeatureVectorizer", 1)),
	all(inferLabelEncoder, versions(mlDomain, "LabelEncoder", 1, 2, 4)),
	all(inferLinearClassifier, versions(mlDomain, "LinearClassifier", 1)),
	all(inferLinearRegressor, versions(mlDomain, "LinearRegressor", 1)),
	all(inferFloatSameShape,
		versions(mlDomain, "Normalizer", 1),
		versions(mlDomain, "Scaler", 1)),
	all(inferOneHotEncoder, versions(mlDomain, "OneHotEncoder", 1)),
	all(inferSVMClassifier, versions(mlDomain, "SVMClassifier", 1)),
	all(inferSVMRegressor, versions(mlDomain, "SVMRegressor", 1)),
	all(inferTreeEnsemble, versions(mlDomain, "TreeEnsemble", 5)),
	all(inferTreeEnsembleClassifier, versions(mlDomain, "TreeEnsembleClassifier", 1, 3, 5)),
	all(inferTreeEnsembleRegressor, versions(mlDomain, "TreeEnsembleRegressor", 1, 3, 5)),
	all(inferZipMap, versions(mlDomain, "ZipMap", 1)),
)

// batchOf returns N for an input [N, C] or [C] (N = 1); ok is false for
// other ranks. An input of unknown rank gives an unknown N.
func batchOf(c *Ctx, i int) (Dim, error) {
	s, ok := c.InputShape(i)
	if !ok {
		return Unknown, nil
	}
	switch len(s) {
	case 1:
		return known(1), nil
	case 2:
		return s[0], nil
	}
	return Unknown, c.Errorf(CodeInvalid, "input %d has rank %d, want [N,C] or [C]", i, len(s))
}

// attrLen is the number of values of a list attribute (ints, floats or
// strings), or of its tensor form.
func attrLen(c *Ctx, names ...string) (int, bool) {
	for _, n := range names {
		a := c.Attr(n)
		if a == nil {
			continue
		}
		if t := a.GetT(); t != nil {
			return int(onnxgraph.NumElements(t.GetDims())), true
		}
		return len(a.GetInts()) + len(a.GetFloats()) + len(a.GetStrings()), true
	}
	return 0, false
}

// labelType is int64 or string depending on which class-label attribute
// is given (int64 when neither).
func labelType(c *Ctx, strs string) onnxgraph.DataType {
	if a := c.Attr(strs); a != nil && len(a.GetStrings()) > 0 {
		return onnxgraph.String
	}
	return onnxgraph.Int64
}

func inferArrayFeatureExtractor(c *Ctx) error {
	x := c.Input(0)
	if x == nil {
		return nil
	}
	k := Unknown
	if s, ok := c.InputShape(1); ok {
		k = s.NumElements()
	}
	if !x.HasShape() {
		c.SetOutput(0, Tensor(x.Elem, nil))
		return nil
	}
	r := len(x.Shape)
	if r == 0 {
		return c.Errorf(CodeInvalid, "X is a scalar")
	}
	out := append(Shape{}, x.Shape[:r-1]...)
	if r == 1 {
		out = Shape{known(1)}
	}
	c.SetOutput(0, Tensor(x.Elem, append(out, k)))
	return nil
}

func inferCastMap(c *Ctx) error {
	elem := onnxgraph.Float
	switch s := c.String("cast_to", "TO_FLOAT"); s {
	case "TO_FLOAT":
	case "TO_INT64":
		elem = onnxgraph.Int64
	case "TO_STRING":
		elem = onnxgraph.String
	default:
		return c.Errorf(CodeInvalid, "unknown cast_to %q", s)
	}
	if t := c.Input(0); t != nil && t.Kind != KindMap && t.Kind != KindUnknown {
		return c.Errorf(CodeInvalid, "input is a %s, not a map", t)
	}
	switch f := c.String("map_form", "DENSE"); f {
	case "SPARSE":
		c.SetOutput(0, Tensor(elem, Shape{known(1), known(c.Int("max_map", 1))}))
		return nil
	case "DENSE":
		c.SetOutput(0, Tensor(elem, Shape{known(1), c.Fresh()}))
		return c.Errorf(CodeDataDependent, "a dense map's size is known only at run time")
	default:
		return c.Errorf(CodeInvalid, "unknown map_form %q", f)
	}
}

func inferCategoryMapper(c *Ctx) error {
	a, b := c.Attr("cats_int64s"), c.Attr("cats_strings")
	if a == nil || b == nil || len(a.GetInts()) != len(b.GetStrings()) {
		return c.Errorf(CodeInvalid, "cats_int64s and cats_strings must be given with the same length")
	}
	x := c.Input(0)
	if x == nil {
		return nil
	}
	elem := onnxgraph.DataType(0)
	switch x.Elem {
	case onnxgraph.String:
		elem = onnxgraph.Int64
	case onnxgraph.Int64:
		elem = onnxgraph.String
	case 0:
	default:
		return c.Errorf(CodeInvalid, "input is %s, want string or int64", onnxgraph.DataTypeName(x.Elem))
	}
	c.SetOutput(0, Tensor(elem, x.Shape))
	return nil
}

func inferDictVectorizer(c *Ctx) error {
	t := c.Input(0)
	n, ok := attrLen(c, "string_vocabulary", "int64_vocabulary")
	if !ok {
		return c.Errorf(CodeInvalid, "DictVectorizer needs a vocabulary")
	}
	elem := onnxgraph.DataType(0)
	if t != nil {
		if t.Kind != KindMap {
			return c.Errorf(CodeInvalid, "input is a %s, not a map", t)
		}
		if t.Sub != nil {
			elem = t.Sub.Elem
		}
	}
	c.SetOutput(0, Tensor(elem, KnownShape(1, int64(n))))
	return nil
}

func inferFeatureVectorizer(c *Ctx) error {
	n := Unknown
	total := known(0)
	dims, hasDims := c.Ints("inputdimensions")
	if hasDims && len(dims) != c.NumInputs() {
		return c.Errorf(CodeInvalid, "%d inputdimensions for %d inputs", len(dims), c.NumInputs())
	}
	for i := 0; i < c.NumInputs(); i++ {
		b, err := batchOf(c, i)
		if err != nil {
			return err
		}
		if n.IsUnknown() {
			n = b
		}
		if hasDims {
			total = total.Add(known(dims[i]))
		} else if s, ok := c.InputShape(i); ok {
			total = total.Add(s[len(s)-1])
		} else {
			total = Unknown
		}
	}
	c.SetOutput(0, Tensor(onnxgraph.Float, Shape{n, total}))
	return nil
}

// inferLabelEncoder: the output has the input's shape and the type of the
// values (LabelEncoder-1 maps strings to int64 and back).
func inferLabelEncoder(c *Ctx) error {
	x := c.Input(0)
	var elem onnxgraph.DataType
	if since(c) < 2 {
		if x != nil {
			switch x.Elem {
			case onnxgraph.String:
				elem = onnxgraph.Int64
			case onnxgraph.Int64:
				elem = onnxgraph.String
			}
		}
	} else {
		if t := c.AttrTensor("values_tensor"); t != nil {
			elem = t.DataType()
		}
		switch {
		case elem != 0:
		case c.Attr("values_strings") != nil:
			elem = onnxgraph.String
		case c.Attr("values_int64s") != nil:
			elem = onnxgraph.Int64
		case c.Attr("values_floats") != nil:
			elem = onnxgraph.Float
		default:
			return c.Errorf(CodeInvalid, "LabelEncoder needs values")
		}
		keys, ok1 := attrLen(c, "keys_tensor", "keys_strings", "keys_int64s", "keys_floats")
		vals, ok2 := attrLen(c, "values_tensor", "values_strings", "values_int64s", "values_floats")
		if !ok1 {
			return c.Errorf(CodeInvalid, "LabelEncoder needs keys")
		}
		if ok2 && keys != vals {
			return c.Errorf(CodeInvalid, "%d keys but %d values", keys, vals)
		}
	}
	if x == nil {
		c.SetOutput(0, Tensor(elem, nil))
		return nil
	}
	c.SetOutput(0, Tensor(elem, x.Shape))
	return nil
}

func inferLinearClassifier(c *Ctx) error {
	if c.Attr("coefficients") == nil {
		return c.Errorf(CodeInvalid, "LinearClassifier needs coefficients")
	}
	n, err := batchOf(c, 0)
	if err != nil {
		return err
	}
	elem := labelType(c, "classlabels_strings")
	classes := Unknown
	if k, ok := attrLen(c, "intercepts"); ok {
		labels, _ := attrLen(c, "classlabels_strings", "classlabels_ints")
		if k == 1 && labels == 2 {
			k = 2
		}
		classes = known(int64(k))
	}
	c.SetOutput(0, Tensor(elem, Shape{n}))
	c.SetOutput(1, Tensor(onnxgraph.Float, Shape{n, classes}))
	return nil
}

func inferLinearRegressor(c *Ctx) error {
	n, err := batchOf(c, 0)
	if err != nil {
		return err
	}
	c.SetOutput(0, Tensor(onnxgraph.Float, Shape{n, known(c.Int("targets", 1))}))
	return nil
}

// inferFloatSameShape: a float tensor of the input's shape (Normalizer,
// Scaler).
func inferFloatSameShape(c *Ctx) error {
	x := c.Input(0)
	if x == nil {
		c.SetOutput(0, Tensor(onnxgraph.Float, nil))
		return nil
	}
	c.SetOutput(0, Tensor(onnxgraph.Float, x.Shape))
	return nil
}

func inferOneHotEncoder(c *Ctx) error {
	a, b := c.Attr("cats_int64s"), c.Attr("cats_strings")
	if (a == nil) == (b == nil) {
		return c.Errorf(CodeInvalid, "exactly one of cats_int64s and cats_strings must be given")
	}
	k, _ := attrLen(c, "cats_int64s", "cats_strings")
	x := c.Input(0)
	if !x.HasShape() {
		c.SetOutput(0, Tensor(onnxgraph.Float, nil))
		return nil
	}
	c.SetOutput(0, Tensor(onnxgraph.Float, append(append(Shape{}, x.Shape...), known(int64(k)))))
	return nil
}

func inferSVMClassifier(c *Ctx) error {
	n, err := batchOf(c, 0)
	if err != nil {
		return err
	}
	c.SetOutput(0, Tensor(labelType(c, "classlabels_strings"), Shape{n}))
	c.SetOutput(1, Tensor(onnxgraph.Float, Shape{n, Unknown}))
	return nil
}

func inferSVMRegressor(c *Ctx) error {
	n, err := batchOf(c, 0)
	if err != nil {
		return err
	}
	c.SetOutput(0, Tensor(onnxgraph.Float, Shape{n, known(1)}))
	return nil
}

func inferTreeEnsemble(c *Ctx) error {
	x := c.Input(0)
	if x.HasShape() && len(x.Shape) != 2 {
		return c.Errorf(CodeInvalid, "X has rank %d, not 2", len(x.Shape))
	}
	splits := c.AttrTensor("nodes_splits")
	if splits == nil {
		return c.Errorf(CodeInvalid, "TreeEnsemble needs nodes_splits")
	}
	if x != nil && x.Elem != 0 && splits.DataType() != x.Elem {
		return c.Errorf(CodeInvalid, "nodes_splits is %s, X %s", onnxgraph.DataTypeName(splits.DataType()), onnxgraph.DataTypeName(x.Elem))
	}
	ids, _ := c.Ints("leaf_targetids")
	if w := c.AttrTensor("leaf_weights"); w == nil || onnxgraph.NumElements(w.Dims()) != int64(len(ids)) {
		return c.Errorf(CodeInvalid, "leaf_targetids and leaf_weights must be given with the same length")
	}
	n := Unknown
	if x.HasShape() {
		n = x.Shape[0]
	}
	targets := Unknown
	if c.Attr("n_targets") != nil {
		targets = known(c.Int("n_targets", 0))
	}
	elem := onnxgraph.DataType(0)
	if x != nil {
		elem = x.Elem
	}
	c.SetOutput(0, Tensor(elem, Shape{n, targets}))
	return nil
}

func inferTreeEnsembleClassifier(c *Ctx) error {
	n, err := batchOf(c, 0)
	if err != nil {
		return err
	}
	classes := Unknown
	if k, ok := attrLen(c, "classlabels_strings", "classlabels_int64s"); ok && k > 0 {
		classes = known(int64(k))
	}
	c.SetOutput(0, Tensor(labelType(c, "classlabels_strings"), Shape{n}))
	c.SetOutput(1, Tensor(onnxgraph.Float, Shape{n, classes}))
	return nil
}

func inferTreeEnsembleRegressor(c *Ctx) error {
	n, err := batchOf(c, 0)
	if err != nil {
		return err
	}
	targets := Unknown
	if c.Attr("n_targets") != nil {
		targets = known(c.Int("n_targets", 0))
	}
	c.SetOutput(0, Tensor(onnxgraph.Float, Shape{n, targets}))
	return nil
}

func inferZipMap(c *Ctx) error {
	key := labelType(c, "classlabels_strings")
	if s, ok := c.InputShape(0); ok && len(s) != 1 && len(s) != 2 {
		return c.Errorf(CodeInvalid, "X has rank %d, want 1 or 2", len(s))
	}
	if k, ok := attrLen(c, "classlabels_strings", "classlabels_int64s"); ok {
		if s, ok := c.InputShape(0); ok {
			if v, ok := s[len(s)-1].Value(); ok && v != int64(k) {
				return c.Errorf(CodeInvalid, "X has %d columns for %d labels", v, k)
			}
		}
	}
	c.SetOutput(0, SequenceOf(&Type{Kind: KindMap, Elem: key, Sub: Tensor(onnxgraph.Float, Shape{})}))
	return nil
}
