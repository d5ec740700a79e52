package simplify_test

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/eval"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/simplify"
)

// randomInputs makes inputs for m's graph inputs without initializers:
// normal floats, integers in [0, intRange), random bools; symbolic dims
// take the size dims gives (2 when unnamed there).
func randomInputs(t *testing.T, m *onnxgraph.Model, seed uint64, intRange int64, dims map[string]int64) map[string]*onnxgraph.Tensor {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 7))
	out := map[string]*onnxgraph.Tensor{}
	for _, v := range m.Graph().Inputs() {
		if v.Initializer() != nil {
			continue
		}
		sizes, names, ok := v.Shape()
		if !ok {
			t.Fatalf("input %s has no shape", v.Name())
		}
		shape := make([]int64, len(sizes))
		for i, d := range sizes {
			switch {
			case d >= 0:
				shape[i] = d
			case dims[names[i]] > 0:
				shape[i] = dims[names[i]]
			default:
				shape[i] = 2
			}
		}
		n := onnxgraph.NumElements(shape)
		dt := v.ElemType()
		var vals any
		switch dt {
		case onnxgraph.Float, onnxgraph.Double, onnxgraph.Float16:
			f := make([]float64, n)
			for i := range f {
				f[i] = r.NormFloat64()
			}
			vals = f
			if dt != onnxgraph.Double {
				f32 := make([]float32, n)
				for i, x := range f {
					f32[i] = float32(x)
				}
				vals = f32
			}
		case onnxgraph.Bool:
			b := make([]bool, n)
			for i := range b {
				b[i] = r.IntN(2) == 1
			}
			vals = b
		default:
			is := make([]int64, n)
			for i := range is {
				is[i] = r.Int64N(intRange)
			}
			vals = is
		}
		tn, err := onnxgraph.NewTensorOf(v.Name(), dt, shape, vals)
		if err != nil {
			t.Fatal(err)
		}
		out[v.Name()] = tn
	}
	return out
}

// sameResults runs a and b with the evaluator on the same inputs and
// checks that every output of a has its counterpart in b, of the same
// type and shape and close values (|x-y| <= 1e-5 + 1e-4*|y|: fusions round
// differently).
func sameResults(t *testing.T, a, b *onnxgraph.Model, inputs map[string]*onnxgraph.Tensor) {
	t.Helper()
	want, err := eval.Run(a, inputs, nil)
	if err != nil {
		t.Fatalf("the original does not run: %v", err)
	}
	got, err := eval.Run(b, inputs, nil)
	if err != nil {
		t.Fatalf("the simplified model does not run: %v", err)
	}
	for name, w := range want {
		g := got[name]
		if g == nil {
			t.Errorf("output %s missing", name)
			continue
		}
		if err := closeEnough(g, w); err != nil {
			t.Errorf("output %s: %v", name, err)
		}
	}
}

func closeEnough(got, want *onnxgraph.Tensor) error {
	if got.DataType() != want.DataType() {
		return fmt.Errorf("%v, want %v", got.DataType(), want.DataType())
	}
	return allClose(got, want, 1e-4, 1e-5)
}

// allClose compares as numpy's allclose: the same shape, and element by
// element |got-want| <= atol + rtol*|want|, NaN equal to NaN, infinities
// exact.
func allClose(got, want *onnxgraph.Tensor, rtol, atol float64) error {
	if fmt.Sprint(got.Dims()) != fmt.Sprint(want.Dims()) {
		return fmt.Errorf("shape %v, want %v", got.Dims(), want.Dims())
	}
	g, err := numbers(got)
	if err != nil {
		return err
	}
	w, err := numbers(want)
	if err != nil {
		return err
	}
	for i := range w {
		a, b := g[i], w[i]
		if math.IsNaN(a) && math.IsNaN(b) || a == b {
			continue
		}
		if math.IsInf(a, 0) || math.IsInf(b, 0) || !(math.Abs(a-b) <= atol+rtol*math.Abs(b)) {
			return fmt.Errorf("element %d is %v, want %v", i, a, b)
		}
	}
	return nil
}

// sameInterface checks that b has a's graph inputs and outputs: names,
// order and declared types.
func sameInterface(t *testing.T, a, b *onnxgraph.Model) {
	t.Helper()
	list := func(m *onnxgraph.Model) string {
		var buf bytes.Buffer
		for _, v := range m.Graph().Inputs() {
			if v.Initializer() == nil {
				fmt.Fprintf(&buf, "in %s %s\n", v.Name(), onnxgraph.TypeString(v.Type()))
			}
		}
		for _, v := range m.Graph().Outputs() {
			fmt.Fprintf(&buf, "out %s %s\n", v.Name(), onnxgraph.TypeString(v.Type()))
		}
		return buf.String()
	}
	if la, lb := list(a), list(b); la != lb {
		t.Errorf("interface changed:\n%s\nwas\n%s", lb, la)
	}
}

// opCounts counts the nodes of m's graphs by operator type.
func opCounts(m *onnxgraph.Model) map[string]int {
	out := map[string]int{}
	visit := func(g *onnxgraph.Graph) bool {
		for _, n := range g.Nodes() {
			out[n.OpType()]++
		}
		return true
	}
	m.Graph().Walk(visit)
	for _, f := range m.Functions() {
		f.Body().Walk(visit)
	}
	return out
}

// simplifyChecked simplifies m and checks what every simplification must
// give: no error, no pass turned off, a valid model (m is), the same
// interface, the same results on random inputs (unless noRun: a model
// that cannot run, such as one dividing by zero), and the same bytes when
// simplified again.
func simplifyChecked(t *testing.T, m *onnxgraph.Model, opts *simplify.Options, intRange int64, noRun bool) *simplify.Report {
	t.Helper()
	if err := onnxgraph.Validate(m, nil); err != nil {
		t.Fatalf("the test model is invalid: %v", err)
	}
	orig := m.Clone()
	r, err := simplify.Simplify(m, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Disabled) > 0 {
		t.Errorf("passes turned off: %v", r.Disabled)
	}
	if err := onnxgraph.Validate(m, nil); err != nil {
		t.Fatalf("the simplified model is invalid: %v", err)
	}
	if opts == nil || len(opts.Inputs) == 0 {
		sameInterface(t, orig, m)
	}
	if !noRun {
		for seed := range uint64(2) {
			sameResults(t, orig, m, randomInputs(t, m, seed, intRange, nil))
		}
	}
	once, err := m.Bytes(nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := simplify.Simplify(m, opts); err != nil {
		t.Fatalf("second run: %v", err)
	}
	if twice, _ := m.Bytes(nil); !bytes.Equal(once, twice) {
		t.Errorf("a second run changes the model")
	}
	return r
}

// graphAttr makes a graph attribute of a graph built by build in a
// scratch model (inputs named in outer are dropped: the graph reads them
// from around it).
func graphAttr(t *testing.T, name string, build func(b *onnxgraph.Builder), outer ...string) *onnxproto.AttributeProto {
	t.Helper()
	b := onnxgraph.NewBuilder(17)
	build(b)
	// A body, not a model: Build's whole-model check does not apply.
	m := b.Model()
	if err := b.Err(); err != nil {
		t.Fatal(err)
	}
	g := m.ToProto().GetGraph()
	var keep []*onnxproto.ValueInfoProto
	for _, in := range g.Input {
		drop := false
		for _, o := range outer {
			drop = drop || in.GetName() == o
		}
		if !drop {
			keep = append(keep, in)
		}
	}
	g.Input = keep
	g.Name = &name
	typ := onnxproto.AttributeProto_GRAPH
	return &onnxproto.AttributeProto{Name: &name, Type: &typ, G: g}
}

// reloaded decodes m's bytes (graph attributes built as messages become
// subgraphs).
func reloaded(t *testing.T, m *onnxgraph.Model) *onnxgraph.Model {
	t.Helper()
	b, err := m.Bytes(nil)
	if err != nil {
		t.Fatal(err)
	}
	out, err := onnxgraph.Decode(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
