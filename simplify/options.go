package simplify

import (
	"context"
	"math"
	"sort"
	"strings"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/opschema"
)

// Pass describes one pass of Simplify.
type Pass struct {
	Name string // what SkipPasses and --skip-pass take
	Doc  string // one line
}

// The passes, in the order each round runs them.
const (
	passFold      = "fold"
	passShapes    = "shapes"
	passIf        = "if"
	passNoop      = "noop"
	passMerge     = "merge"
	passFuse      = "fuse"
	passCSE       = "cse"
	passShare     = "share"
	passDCE       = "dce"
	passSubgraphs = "subgraphs"
	passFunctions = "functions"
)

var passes = []Pass{
	{passFold, "evaluate nodes whose inputs are all constant (package eval) and turn Constant nodes into initializers"},
	{passShapes, "replace values that shape inference knows in full (Shape, Size, Gather/Slice of known dims, whole shape computations) by constants"},
	{passIf, "replace an If whose condition is constant by the nodes of the branch it takes"},
	{passNoop, "remove no-ops: Identity, Dropout (inference), Cast to the same type, Reshape/Expand/Flatten/Squeeze/Unsqueeze to the same shape, Transpose by the identity, Pad of zeros, Slice of the full range, Concat/Split of one part, Squeeze-Unsqueeze pairs that cancel, x*1, x/1, x-0"},
	{passMerge, "merge consecutive Transposes (into one, or none) and consecutive Reshapes"},
	{passFuse, "fuse BatchNormalization into the Conv, ConvTranspose or Gemm before it, and a constant per-channel Mul or Add after a Conv into its weights and bias"},
	{passShare, "share identical constants (inline tensors only: external weights are not read for this)"},
	{passCSE, "share nodes that compute the same thing (same operator, attributes and inputs)"},
	{passDCE, "remove nodes no output needs, unread initializers and value_info of values that no longer exist"},
	{passSubgraphs, "simplify If, Loop and Scan bodies too"},
	{passFunctions, "simplify model-local function bodies too (no shape-based passes there: their types depend on the call)"},
}

// Passes returns the passes Simplify runs, in order.
func Passes() []Pass { return append([]Pass(nil), passes...) }

// config is Options checked and with defaults filled in.
type config struct {
	maxFold  int64 // math.MaxInt64 when unlimited
	inputs   map[string][]onnxgraph.Dim
	skipPass map[string]bool
	skipOp   map[opKey]bool
	foldQDQ  bool
	maxIter  int
	ctx      context.Context // stops the run between passes
}

// opKey is an operator type with its normalized domain.
type opKey struct{ domain, op string }

func keyOf(n *onnxgraph.Node) opKey {
	return opKey{opschema.NormalizeDomain(n.Domain()), n.OpType()}
}

// prepare checks opts against m and fills in defaults. It changes nothing.
func prepare(m *onnxgraph.Model, opts *Options) (*config, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	c := &config{ctx: context.Background(), maxFold: o.MaxFoldBytes, skipPass: map[string]bool{}, skipOp: map[opKey]bool{}, foldQDQ: o.FoldQDQ, maxIter: o.MaxIterations}
	switch {
	case c.maxFold == 0:
		c.maxFold = DefaultMaxFoldBytes
	case c.maxFold < 0:
		c.maxFold = math.MaxInt64
	}
	if c.maxIter <= 0 {
		c.maxIter = DefaultMaxIterations
	}
	known := map[string]bool{}
	var names []string
	for _, p := range passes {
		known[p.Name] = true
		names = append(names, p.Name)
	}
	for _, p := range o.SkipPasses {
		if !known[p] {
			return nil, optionErr("SkipPasses", p, "no such pass (passes: %s)", strings.Join(names, ", "))
		}
		c.skipPass[p] = true
	}
	var inModel map[opKey]bool // gathered when a name needs it
	for _, s := range o.SkipOps {
		domain, op, ok := strings.Cut(s, ":")
		if !ok {
			domain, op = "", s
		}
		k := opKey{opschema.NormalizeDomain(domain), op}
		if op != "" && len(opschema.Versions(k.domain, k.op)) == 0 && inModel == nil {
			inModel = opsInModel(m)
		}
		if op == "" || (len(opschema.Versions(k.domain, k.op)) == 0 && !inModel[k]) {
			return nil, optionErr("SkipOps", s, "no such operator in domain %q, and no node of the model has that type", k.domain)
		}
		c.skipOp[k] = true
	}
	if len(o.Inputs) > 0 {
		c.inputs = map[string][]onnxgraph.Dim{}
		g := m.Graph()
		names := make([]string, 0, len(o.Inputs))
		for name := range o.Inputs {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			dims := o.Inputs[name]
			v, ok := g.Value(name)
			if !ok || !v.IsGraphInput() || v.Graph() != g {
				return nil, optionErr("Inputs", name, "not an input of the main graph (inputs: %s)", inputNames(g))
			}
			if v.Type() != nil && v.Type().GetTensorType() == nil {
				return nil, optionErr("Inputs", name, "not a tensor input")
			}
			if d, _, ok := v.Shape(); ok && v.Type().GetTensorType().GetShape() != nil && len(d) != len(dims) {
				return nil, optionErr("Inputs", name, "%d dims given for an input of rank %d (%s)", len(dims), len(d), onnxgraph.FormatDims(declaredDims(v)))
			}
			c.inputs[name] = dims
		}
	}
	return c, nil
}

// opsInModel returns every operator type the model's nodes use, and its
// model-local functions.
func opsInModel(m *onnxgraph.Model) map[opKey]bool {
	out := map[opKey]bool{}
	visit := func(g *onnxgraph.Graph) bool {
		for n := range g.AllNodes() {
			out[keyOf(n)] = true
		}
		return true
	}
	m.Graph().Walk(visit)
	for _, f := range m.Functions() {
		out[opKey{opschema.NormalizeDomain(f.Domain()), f.Name()}] = true
		f.Body().Walk(visit)
	}
	return out
}

func inputNames(g *onnxgraph.Graph) string {
	var out []string
	for _, v := range g.Inputs() {
		if v.Initializer() == nil {
			out = append(out, v.Name())
		}
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}

// declaredDims returns v's declared dims.
func declaredDims(v *onnxgraph.Value) []onnxgraph.Dim {
	dims, names, _ := v.Shape()
	out := make([]onnxgraph.Dim, len(dims))
	for i, d := range dims {
		switch {
		case d >= 0:
			out[i] = onnxgraph.DimOf(d)
		case names[i] != "":
			out[i] = onnxgraph.DimParam(names[i])
		default:
			out[i] = onnxgraph.DimUnknown
		}
	}
	return out
}
