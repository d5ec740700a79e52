package main

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/examples/internal/ort"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
	"google.golang.org/protobuf/proto"
)

// Proof in ONNX Runtime of shape inference for its contrib operators: each
// case builds a one-node model whose inputs have symbolic dims, runs it in
// ONNX Runtime at two or more sizes, and compares every output's real
// shape with (1) the symbolic inferred shape evaluated at those sizes and
// (2) the shape inferred with the sizes fixed. Every model must also pass
// our checker. Dims that inference marks as known only at run time (a
// fresh symbol with a data-dependent reason) are counted apart.

// ctIn is one input of a case: a graph input of dims (ints, or symbols
// given values by the sizes) filled with gen (random values by default),
// or an initializer of init's values (built per size), or missing.
type ctIn struct {
	name string
	dt   onnxgraph.DataType
	dims []any
	gen  func(sz map[string]int64, n int) any
	init func(sz map[string]int64) any
	// konst, when set, makes the input a Constant node of this
	// attribute (a sparse_value, strings).
	konst func(sz map[string]int64) *onnxproto.AttributeProto
	// sparse, when set, makes the input a sparse tensor fed at run time
	// (ONNX Runtime densifies sparse initializers, and ONNX's Constant
	// gives a dense tensor even from a sparse_value).
	sparse  func(sz map[string]int64) *ort.SparseTensor
	missing bool
}

// ctCase is one model: a node of op (domain com.microsoft unless set) with
// attrs, its inputs and outs outputs.
type ctCase struct {
	name   string
	domain string
	op     string
	opset  int64 // of the default domain; 0 means 17
	attrs  []*onnxproto.AttributeProto
	in     []ctIn
	outs   int
	sizes  []map[string]int64 // nil: ctSizes
	// refused is the message of ONNX Runtime's CPU kernel refusing this
	// form of the operator (a packed layout only CUDA implements): the
	// case is recorded, not failed, when the run fails with it.
	refused string
	// unsupported is the message of ONNX Runtime on a CPU that lacks the
	// operator's kernel (MLAS has MatMulFpQ4's 4-bit GEMM only with
	// AVX-512): there the case is recorded as refused; where it runs, it
	// is proven like any other.
	unsupported string
	// shared maps an output to the input whose buffer it must be written
	// into (caches that past and present share).
	shared map[string]string
	// shapeOf makes the graph's outputs the Shape of the node's outputs,
	// for element types onnxruntime_go cannot return (strings); their
	// element types are then not compared.
	shapeOf bool
	// declared are the outputs' declared types (nil: none), for schemas
	// that leave them open (ReduceSumInteger: int32 or uint32) and
	// operators of no known outputs (EPContext).
	declared []*onnxproto.TypeProto
	// outer are initializers of the graph that the node does not take
	// as inputs (its subgraphs read them).
	outer []ctIn
	// scalars lists the outputs declared scalars in the model ONNX
	// Runtime runs (onnxruntime_go cannot return a scalar it allocated);
	// were one not a scalar, the run would fail.
	scalars []int
}

// ctSizes are the default sizes of the symbols.
var ctSizes = []map[string]int64{
	{"B": 1, "S": 3, "P": 2, "L": 4, "H": 6, "W": 5, "N": 7, "T": 5},
	{"B": 2, "S": 5, "P": 4, "L": 6, "H": 8, "W": 7, "N": 3, "T": 9},
}

func ctT(name string, dt onnxgraph.DataType, dims ...any) ctIn {
	return ctIn{name: name, dt: dt, dims: dims}
}

// ctG is a graph input whose values gen makes (n elements).
func ctG(name string, dt onnxgraph.DataType, gen func(sz map[string]int64, n int) any, dims ...any) ctIn {
	return ctIn{name: name, dt: dt, dims: dims, gen: gen}
}

// ctC is an initializer of fixed dims and values made per size.
func ctC(name string, dt onnxgraph.DataType, init func(sz map[string]int64) any, dims ...any) ctIn {
	return ctIn{name: name, dt: dt, dims: dims, init: init}
}

// ctK is a Constant node of the attribute made per size.
func ctK(name string, attr func(sz map[string]int64) *onnxproto.AttributeProto) ctIn {
	return ctIn{name: name, konst: attr}
}

// ctS is a sparse graph input fed with values made per size.
func ctS(name string, sparse func(sz map[string]int64) *ort.SparseTensor) ctIn {
	return ctIn{name: name, sparse: sparse}
}

var ctMissing = ctIn{missing: true}

// fill returns n copies of v as a slice of v's type.
func fill[T any](n int, v T) []T {
	out := make([]T, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// ctDims resolves dims at a size.
func ctDims(dims []any, sz map[string]int64) []int64 {
	out := make([]int64, len(dims))
	for i, d := range dims {
		switch x := d.(type) {
		case int:
			out[i] = int64(x)
		case string:
			out[i] = ctEvalString(x, sz)
		}
	}
	return out
}

// ctEvalString evaluates a dim written as a symbol or a sum of symbols
// and numbers ("P+S").
func ctEvalString(s string, sz map[string]int64) int64 {
	v, ok := evalExpr(s, sz)
	if !ok {
		panic("bad dim " + s)
	}
	return v
}

// randomValues returns n random values of dt: floats in [-1, 1), integers
// in [0, 4), booleans.
func randomValues(r *rand.Rand, dt onnxgraph.DataType, n int) any {
	switch dt {
	case onnxgraph.Float:
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(2*r.Float64() - 1)
		}
		return v
	case onnxgraph.Double:
		v := make([]float64, n)
		for i := range v {
			v[i] = 2*r.Float64() - 1
		}
		return v
	case onnxgraph.Bool:
		v := make([]bool, n)
		for i := range v {
			v[i] = r.IntN(2) == 1
		}
		return v
	}
	v := make([]int64, n)
	for i := range v {
		v[i] = int64(r.IntN(4))
	}
	return v
}

// build returns the case's model at a size (initializers depend on it)
// and the concrete inputs to feed, dense and sparse.
func (c ctCase) build(t *testing.T, sz map[string]int64, r *rand.Rand) (*onnxgraph.Model, map[string]*ort.Tensor, map[string]*ort.SparseTensor) {
	t.Helper()
	domain := c.domain
	if domain == "" {
		domain = "com.microsoft"
	}
	opset := c.opset
	if opset == 0 {
		opset = 17
	}
	opsets := map[string]int64{"": opset}
	if domain != "ai.onnx" && domain != "" {
		opsets[domain] = 1
	} else {
		domain = ""
	}
	m := onnxgraph.NewModel(10, opsets)
	g := m.Graph()
	feeds := map[string]*ort.Tensor{}
	var ins []*onnxgraph.Value
	sparse := map[string]*ort.SparseTensor{}
	for _, in := range c.in {
		if in.missing {
			ins = append(ins, nil)
			continue
		}
		if in.sparse != nil {
			sp := in.sparse(sz)
			sparse[in.name] = sp
			typ := &onnxproto.TypeProto{Value: &onnxproto.TypeProto_SparseTensorType{SparseTensorType: &onnxproto.TypeProto_SparseTensor{
				ElemType: proto.Int32(int32(sp.DType)), Shape: onnxgraph.TensorType(sp.DType, onnxgraph.Dims(sp.Shape...)).GetTensorType().GetShape()}}}
			v, err := g.AddInput(in.name, typ)
			if err != nil {
				t.Fatal(err)
			}
			ins = append(ins, v)
			continue
		}
		if in.konst != nil {
			n, err := g.AddNode("Constant", nil, []string{in.name}, in.konst(sz))
			if err != nil {
				t.Fatal(err)
			}
			ins = append(ins, n.Output(0))
			continue
		}
		dims := ctDims(in.dims, sz)
		n := int(onnxgraph.NumElements(dims))
		if in.init != nil {
			tn, err := onnxgraph.NewTensorOf(in.name, in.dt, dims, in.init(sz))
			if err != nil {
				t.Fatalf("%s: %v", in.name, err)
			}
			v, err := g.AddInitializer(tn)
			if err != nil {
				t.Fatal(err)
			}
			ins = append(ins, v)
			continue
		}
		decl := make([]onnxgraph.Dim, len(in.dims))
		for i, d := range in.dims {
			switch x := d.(type) {
			case int:
				decl[i] = onnxgraph.DimOf(int64(x))
			case string:
				decl[i] = onnxgraph.DimParam(x)
			}
		}
		v, err := g.AddInput(in.name, onnxgraph.TensorType(in.dt, decl))
		if err != nil {
			t.Fatal(err)
		}
		ins = append(ins, v)
		var vals any
		if in.gen != nil {
			vals = in.gen(sz, n)
		} else {
			vals = randomValues(r, in.dt, n)
		}
		tn, err := onnxgraph.NewTensorOf(in.name, in.dt, dims, vals)
		if err != nil {
			t.Fatalf("%s: %v", in.name, err)
		}
		raw, err := tn.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		feeds[in.name] = &ort.Tensor{DType: in.dt, Shape: dims, Data: raw}
	}
	for _, in := range c.outer {
		tn, err := onnxgraph.NewTensorOf(in.name, in.dt, ctDims(in.dims, sz), in.init(sz))
		if err != nil {
			t.Fatalf("%s: %v", in.name, err)
		}
		if _, err := g.AddInitializer(tn); err != nil {
			t.Fatal(err)
		}
	}
	if len(feeds) == 0 && len(sparse) == 0 {
		// onnxruntime_go cannot run a model without inputs: feed an
		// unused one.
		if _, err := g.AddInput("unused", onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(1))); err != nil {
			t.Fatal(err)
		}
		feeds["unused"] = &ort.Tensor{DType: onnxgraph.Float, Shape: []int64{1}, Data: make([]byte, 4)}
	}
	names := make([]string, c.outs)
	for i := range names {
		names[i] = fmt.Sprintf("y%d", i)
	}
	node, err := g.AddNodeIn(domain, c.op, ins, names, c.attrs...)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range node.Outputs() {
		if c.shapeOf {
			sh, err := g.AddNode("Shape", []*onnxgraph.Value{v}, []string{"shape_" + v.Name()})
			if err != nil {
				t.Fatal(err)
			}
			v = sh.Output(0)
		}
		var typ *onnxproto.TypeProto
		switch {
		case slices.Contains(c.scalars, i):
			typ = onnxgraph.TensorType(inferredElem(t, m, v), []onnxgraph.Dim{})
		case i < len(c.declared):
			typ = c.declared[i]
		}
		if err := g.AddOutput(v, typ); err != nil {
			t.Fatal(err)
		}
	}
	return m, feeds, sparse
}

// inferredElem is the element type inference gives v in m.
func inferredElem(t *testing.T, m *onnxgraph.Model, v *onnxgraph.Value) onnxgraph.DataType {
	t.Helper()
	res, err := shapeinfer.Infer(m, nil)
	if err != nil {
		t.Fatal(err)
	}
	return elemOf(res.Type(v))
}

// ortRun runs the model at path on feeds and sparse ones, writing each
// output of shared into its input's buffer.
func ortRun(path string, feeds map[string]*ort.Tensor, sparse map[string]*ort.SparseTensor, shared map[string]string) (map[string]*ort.Tensor, error) {
	if len(sparse) > 0 {
		m, err := onnxgraph.Open(path, nil)
		if err != nil {
			return nil, err
		}
		defer m.Close()
		var outs []string
		for _, o := range m.Graph().Outputs() {
			outs = append(outs, o.Name())
		}
		return ort.RunSparse(path, feeds, sparse, outs)
	}
	if shared == nil {
		return ort.Run(path, feeds)
	}
	s, err := ort.NewSession(path)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	b, err := s.BindShared(feeds, shared)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	if err := b.Run(); err != nil {
		return nil, err
	}
	return b.Outputs()
}

// ctCounts tallies the comparisons.
type ctCounts struct {
	ops                     map[string]bool
	models, runs            int
	values, compared, wrong int
	dataDeps                int
	refused                 []string
}

// compareShapes compares the real shape of output name with an inferred
// type; a fresh (data-dependent) dim counts apart.
func (k *ctCounts) compareShapes(t *testing.T, what string, real []int64, inferred *shapeinfer.Type, sz map[string]int64, why *shapeinfer.Reason) {
	t.Helper()
	k.values++
	if inferred == nil || !inferred.HasShape() {
		k.wrong++
		t.Errorf("%s: inferred %v, real %v (%v)", what, inferred, real, why)
		return
	}
	if len(inferred.Shape) != len(real) {
		k.wrong++
		t.Errorf("%s: inferred %v, real %v", what, inferred, real)
		return
	}
	for i, d := range inferred.Shape {
		s := d.String()
		if strings.Contains(s, "unk__") && why != nil && why.Code == shapeinfer.CodeDataDependent {
			k.dataDeps++
			continue
		}
		v, ok := evalExpr(s, sz)
		k.compared++
		if !ok || v != real[i] {
			k.wrong++
			t.Errorf("%s: dim %d inferred %s, real %d (shape %v vs %v; %v)", what, i, s, real[i], inferred, real, why)
		}
	}
}

// ctRun runs the cases: each must run in ONNX Runtime, but for a form the
// CPU kernel refuses (refused), which is recorded.
func ctRun(t *testing.T, cases []ctCase) *ctCounts {
	t.Helper()
	k := &ctCounts{ops: map[string]bool{}}
	r := rand.New(rand.NewPCG(1, 2))
	for _, c := range cases {
		name := c.name
		if name == "" {
			name = c.op
		}
		t.Run(name, func(t *testing.T) {
			sizes := c.sizes
			if sizes == nil {
				sizes = ctSizes
			}
			for si, sz := range sizes {
				m, feeds, sparse := c.build(t, sz, r)
				// The checker wants typed graph outputs: check a copy
				// typed by inference.
				typed := m.Clone()
				if _, err := shapeinfer.Infer(typed, &shapeinfer.Options{WriteBack: true}); err != nil {
					t.Fatal(err)
				}
				if err := onnxgraph.Validate(typed, nil); err != nil {
					t.Fatalf("our checker rejects the model: %v", err)
				}
				path := filepath.Join(t.TempDir(), "m.onnx")
				if err := m.Save(path); err != nil {
					t.Fatal(err)
				}
				got, err := ortRun(path, feeds, sparse, c.shared)
				if err != nil {
					if c.refused != "" && strings.Contains(err.Error(), c.refused) {
						k.refused = append(k.refused, name)
						return
					}
					if c.unsupported != "" && strings.Contains(err.Error(), c.unsupported) {
						t.Logf("%s: not on this CPU: %v", name, err)
						k.refused = append(k.refused, name+" (this CPU)")
						return
					}
					t.Fatalf("ONNX Runtime: %v", err)
				}
				if c.refused != "" {
					t.Errorf("%s is listed as refused by the CPU kernel, but runs", name)
				}
				if si == 0 {
					k.models++
					k.ops[c.op] = true
				}
				k.runs++
				sym, err := shapeinfer.Infer(m, nil)
				if err != nil {
					t.Fatal(err)
				}
				fixed := &shapeinfer.Options{InputShapes: map[string]shapeinfer.Shape{}}
				for _, v := range m.Graph().Inputs() {
					if f := feeds[v.Name()]; f != nil { // sparse inputs are declared with fixed dims
						fixed.InputShapes[v.Name()] = shapeinfer.KnownShape(f.Shape...)
					}
				}
				conc, err := shapeinfer.Infer(m, fixed)
				if err != nil {
					t.Fatal(err)
				}
				if len(sym.Problems) > 0 || len(conc.Problems) > 0 {
					t.Errorf("inference problems: %v %v", sym.Problems, conc.Problems)
				}
				nodes := m.Graph().Nodes()
				for i, o := range m.Graph().Outputs() {
					real := got[o.Name()]
					if real == nil {
						t.Fatalf("ONNX Runtime gave no %s", o.Name())
					}
					shape := real.Shape
					if c.shapeOf {
						// o is Shape of the node's output i: its values
						// are the real shape.
						if shape = ctShapeValues(t, real); shape == nil {
							return
						}
						o = nodes[len(nodes)-len(m.Graph().Outputs())-1].Output(i)
					}
					at := fmt.Sprintf("%s at %v", o.Name(), sizeText(sz))
					k.compareShapes(t, at+" (symbolic)", shape, sym.Type(o), sz, sym.Explain(o))
					k.compareShapes(t, at+" (fixed)", shape, conc.Type(o), sz, conc.Explain(o))
					if want, got := real.DType, elemOf(sym.Type(o)); want != got && !c.shapeOf {
						k.wrong++
						t.Errorf("%s: element type inferred %v, real %v", at, got, want)
					}
				}
			}
		})
	}
	return k
}

// ctShapeValues returns the values of a Shape output.
func ctShapeValues(t *testing.T, real *ort.Tensor) []int64 {
	t.Helper()
	tn, err := real.Graph("shape")
	if err != nil {
		t.Fatal(err)
	}
	v, err := tn.Int64s()
	if err != nil {
		t.Fatal(err)
	}
	return append([]int64{}, v...)
}

func elemOf(t *shapeinfer.Type) onnxgraph.DataType {
	if t == nil {
		return 0
	}
	return t.Elem
}

func sizeText(sz map[string]int64) string {
	keys := make([]string, 0, len(sz))
	for k := range sz {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%s=%d", k, sz[k])
	}
	return b.String()
}

// evalExpr evaluates a dim as shapeinfer prints it ("3", "N", "2*N+S-1",
// "floor(H/2)") with the symbols' values; false when a symbol has none or
// the text is not an expression.
func evalExpr(s string, sz map[string]int64) (int64, bool) {
	p := &exprParser{s: strings.ReplaceAll(s, " ", ""), sz: sz}
	v, ok := p.sum()
	return v, ok && p.i == len(p.s)
}

type exprParser struct {
	s  string
	i  int
	sz map[string]int64
}

func (p *exprParser) sum() (int64, bool) {
	sign := int64(1)
	if p.i < len(p.s) && p.s[p.i] == '-' {
		sign = -1
		p.i++
	}
	v, ok := p.product()
	v *= sign
	for ok && p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
		op := p.s[p.i]
		p.i++
		w, ok2 := p.product()
		ok = ok2
		if op == '+' {
			v += w
		} else {
			v -= w
		}
	}
	return v, ok
}

func (p *exprParser) product() (int64, bool) {
	v, ok := p.atom()
	for ok && p.i < len(p.s) && (p.s[p.i] == '*' || p.s[p.i] == '/') {
		op := p.s[p.i]
		p.i++
		w, ok2 := p.atom()
		ok = ok2
		if op == '*' {
			v *= w
		} else if w != 0 && v%w == 0 {
			v /= w
		} else {
			ok = false
		}
	}
	return v, ok
}

func (p *exprParser) atom() (int64, bool) {
	start := p.i
	switch {
	case p.i < len(p.s) && p.s[p.i] == '(':
		p.i++
		v, ok := p.sum()
		if !ok || p.i >= len(p.s) || p.s[p.i] != ')' {
			return 0, false
		}
		p.i++
		return v, true
	case strings.HasPrefix(p.s[p.i:], "floor(") || strings.HasPrefix(p.s[p.i:], "ceil("):
		ceil := p.s[p.i] == 'c'
		open := strings.IndexByte(p.s[p.i:], '(') + p.i
		depth, end, slash := 0, -1, -1
		for j := open; j < len(p.s) && end < 0; j++ {
			switch p.s[j] {
			case '(':
				depth++
			case ')':
				depth--
				if depth == 0 {
					end = j
				}
			case '/':
				if depth == 1 {
					slash = j
				}
			}
		}
		if end < 0 || slash < 0 {
			return 0, false
		}
		a, ok1 := evalExpr(p.s[open+1:slash], p.sz)
		b, ok2 := evalExpr(p.s[slash+1:end], p.sz)
		if !ok1 || !ok2 || b == 0 {
			return 0, false
		}
		p.i = end + 1
		q := a / b
		if (a%b != 0) && ((a < 0) != (b < 0)) {
			q--
		}
		if ceil && q*b != a {
			q++
		}
		return q, true
	case p.i < len(p.s) && unicode.IsDigit(rune(p.s[p.i])):
		for p.i < len(p.s) && unicode.IsDigit(rune(p.s[p.i])) {
			p.i++
		}
		v, err := strconv.ParseInt(p.s[start:p.i], 10, 64)
		return v, err == nil
	}
	for p.i < len(p.s) && (unicode.IsLetter(rune(p.s[p.i])) || unicode.IsDigit(rune(p.s[p.i])) || p.s[p.i] == '_') {
		p.i++
	}
	v, ok := p.sz[p.s[start:p.i]]
	return v, ok && p.i > start
}
