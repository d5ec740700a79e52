package eval_test

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/eval"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/opschema"
)

// opCase is one hand-checked evaluation of one node.
type opCase struct {
	name   string
	domain string // "" for the default domain
	op     string
	opset  int64
	attrs  map[string]any      // attribute values, typed as NewAttr infers
	in     []*onnxgraph.Tensor // nil for a missing optional input
	nout   int                 // outputs of the node; len(want) when 0
	want   []*onnxgraph.Tensor // expected outputs (nil entries are not checked)
	err    error               // expected sentinel instead of outputs
	approx bool                // compare floats to a relative 1e-5 (float32 sums)
}

// T makes a test tensor of element type E, dims and values (zeros when
// none are given).
func T[E onnxgraph.Element](dims []int64, vals ...E) *onnxgraph.Tensor {
	if len(vals) == 0 {
		vals = make([]E, onnxgraph.NumElements(dims))
	}
	t, err := onnxgraph.TensorFrom("", dims, vals)
	if err != nil {
		panic(err)
	}
	return t
}

// TT makes a tensor of element type dt from values NewTensorOf takes.
func TT(dt onnxgraph.DataType, dims []int64, vals any) *onnxgraph.Tensor {
	t, err := onnxgraph.NewTensorOf("", dt, dims, vals)
	if err != nil {
		panic(err)
	}
	return t
}

func d(dims ...int64) []int64 {
	if dims == nil {
		return []int64{}
	}
	return dims
}

// buildNode makes a one-node model of the case's operator.
func buildNode(t *testing.T, c opCase) *onnxgraph.Node {
	t.Helper()
	opset := c.opset
	if opset == 0 {
		opset = int64(opschema.MaxOpset(c.domain))
	}
	m := onnxgraph.NewModel(10, map[string]int64{c.domain: opset})
	g := m.Graph()
	var ins []*onnxgraph.Value
	for i, x := range c.in {
		if x == nil {
			ins = append(ins, nil)
			continue
		}
		v, err := g.AddInput(fmt.Sprintf("x%d", i), onnxgraph.TensorType(x.DataType(), onnxgraph.Dims(x.Dims()...)))
		if err != nil {
			t.Fatal(err)
		}
		ins = append(ins, v)
	}
	names := make([]string, 0, len(c.attrs))
	for name := range c.attrs {
		names = append(names, name)
	}
	sort.Strings(names)
	var attrs []*onnxproto.AttributeProto
	for _, name := range names {
		var typ opschema.AttrType
		if s, ok := opschema.Lookup(c.domain, c.op, int(opset)); ok {
			if a, ok := s.Attribute(name); ok {
				typ = a.Type
			}
		}
		v := c.attrs[name]
		if tv, ok := v.(*onnxgraph.Tensor); ok {
			p := &onnxproto.AttributeProto{Name: &name, T: tv.Proto()}
			tt := onnxproto.AttributeProto_TENSOR
			p.Type = &tt
			attrs = append(attrs, p)
			continue
		}
		a, err := onnxgraph.NewAttr(name, typ, v)
		if err != nil {
			t.Fatal(err)
		}
		attrs = append(attrs, a)
	}
	nout := c.nout
	if nout == 0 {
		nout = max(len(c.want), 1)
	}
	outs := make([]string, nout)
	for i := range outs {
		outs[i] = fmt.Sprintf("y%d", i)
	}
	n, err := g.AddNodeIn(c.domain, c.op, ins, outs, attrs...)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// runCases evaluates each case and compares its outputs.
func runCases(t *testing.T, cases []opCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := buildNode(t, c)
			got, err := eval.EvalNode(n, c.in, nil)
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Fatalf("error %v, want %v", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for i, w := range c.want {
				if w == nil {
					continue
				}
				if err := sameTensor(got[i], w, c.approx); err != nil {
					t.Errorf("output %d: %v", i, err)
				}
			}
		})
	}
}

// sameTensor compares type, shape and values: exactly, NaN equal to NaN,
// or to a relative 1e-5 when approx.
func sameTensor(got, want *onnxgraph.Tensor, approx bool) error {
	if got == nil {
		return fmt.Errorf("no output")
	}
	if got.DataType() != want.DataType() {
		return fmt.Errorf("type %s, want %s", onnxgraph.DataTypeName(got.DataType()), onnxgraph.DataTypeName(want.DataType()))
	}
	if fmt.Sprint(got.Dims()) != fmt.Sprint(want.Dims()) {
		return fmt.Errorf("shape %v, want %v", got.Dims(), want.Dims())
	}
	gv, err := got.Values()
	if err != nil {
		return err
	}
	wv, err := want.Values()
	if err != nil {
		return err
	}
	if !approx {
		if g, w := fmt.Sprint(gv), fmt.Sprint(wv); g != w {
			return fmt.Errorf("values %s, want %s", g, w)
		}
		return nil
	}
	g, err := got.Float64s()
	if err != nil {
		return err
	}
	w, _ := want.Float64s()
	for i := range w {
		if math.IsNaN(w[i]) && math.IsNaN(g[i]) {
			continue
		}
		if math.Abs(g[i]-w[i]) > 1e-5*math.Max(1, math.Abs(w[i])) {
			return fmt.Errorf("element %d is %v, want %v (all: %v)", i, g[i], w[i], g)
		}
	}
	return nil
}
