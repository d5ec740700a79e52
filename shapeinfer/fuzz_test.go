package shapeinfer

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/opschema"
)

// FuzzInfer builds small graphs from the fuzzer's bytes, with operators
// drawn from the whole table and hostile inputs (huge, negative and zero
// sizes and values, wrong ranks, empty tensors, products and sums past
// int64), and infers them:
//
//	go test -run '^$' -fuzz '^FuzzInfer$' -fuzztime 30s ./shapeinfer
//
// Inference must not panic and fail only with *Error; no inferred size
// may be negative (a wrapped number would show as one); every symbolic
// dim must print in a form that ParseDim reads back to the same
// expression, and every type must survive its TypeProto.
func FuzzInfer(f *testing.F) {
	for _, s := range fzSeeds() {
		f.Add(s)
	}
	keys := fzKeys()
	repanic = true // a defect shows with its stack
	defer func() { repanic = false }()
	f.Fuzz(func(t *testing.T, b []byte) {
		m := fzBuild(&fzReader{b: b}, keys)
		res, err := Infer(m, nil)
		var ie *Error
		if err != nil && !errors.As(err, &ie) {
			t.Fatalf("Infer: %v", err)
		}
		fzCheck(t, m, res)
	})
}

// fzCheck checks the invariants of FuzzInfer on every value of m.
func fzCheck(t *testing.T, m *onnxgraph.Model, res *Result) {
	for _, v := range m.Graph().Values() {
		typ := res.Type(v)
		_ = res.Explain(v)
		if typ == nil {
			continue
		}
		for x := typ; x != nil; x = x.Sub {
			for i, d := range x.Shape {
				if n, ok := d.Value(); ok && n < 0 {
					t.Errorf("%s: dim %d is %d in %v", v.Name(), i, n, typ)
				}
				if d.IsUnknown() || d.Expr().Symbols() == nil {
					continue
				}
				back := ParseDim(d.String())
				if !back.Equal(d) {
					t.Errorf("%s: dim %d %q reads back as %q", v.Name(), i, d, back)
				}
			}
		}
		if typ.Kind != KindUnknown {
			if back := FromProto(typ.Proto()); back.String() != typ.String() {
				t.Errorf("%s: %v reads back from its TypeProto as %v", v.Name(), typ, back)
			}
		}
	}
}

// fzKeys lists the table's operator versions in a stable order.
func fzKeys() []key {
	keys := make([]key, 0, len(table))
	for k := range table {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b key) int {
		return cmp.Or(cmp.Compare(a.domain, b.domain), cmp.Compare(a.op, b.op), cmp.Compare(a.since, b.since))
	})
	return keys
}

// fzDomain is the domain as a model names it.
func fzDomain(d string) string {
	if d == "ai.onnx" {
		return ""
	}
	return d
}

type fzReader struct {
	b []byte
	i int
}

func (r *fzReader) byte() byte {
	if r.i >= len(r.b) {
		return 0
	}
	c := r.b[r.i]
	r.i++
	return c
}

func (r *fzReader) pick(n int) int {
	if n <= 0 {
		return 0
	}
	return int(r.byte()) % n
}

func (r *fzReader) pick16(n int) int {
	hi := int(r.byte())
	return (hi<<8 | int(r.byte())) % n
}

// Hostile values and shapes the fuzzer draws from.
var (
	fzInts   = []int64{0, 1, 2, 3, -1, 4, -2, 7, 64, 1 << 31, 1 << 62, -(1 << 62), math.MaxInt64, math.MinInt64, 5, 1 << 40}
	fzFloats = []float32{1, 2, 0.5, 1.5, 0, -1, float32(math.NaN()), float32(math.Inf(1)), 1e30, 0.75, 3, 1e-30}
	fzShapes = [][]int64{{}, {1}, {2}, {0}, {3}, {4}, {2, 2}, {1, 4}, {2, 0}, {8}}
	fzDims   = []onnxgraph.Dim{onnxgraph.DimOf(1), onnxgraph.DimOf(2), onnxgraph.DimOf(3), onnxgraph.DimOf(0),
		onnxgraph.DimParam("N"), onnxgraph.DimParam("S"), onnxgraph.DimParam("floor((H+1)/2)"), onnxgraph.DimOf(1 << 62),
		onnxgraph.DimOf(1 << 31), {Size: -1}, onnxgraph.DimOf(5), onnxgraph.DimParam("N+S")}
	fzElems   = []onnxgraph.DataType{onnxgraph.Float, onnxgraph.Int64, onnxgraph.Int32, onnxgraph.Bool, onnxgraph.Float16, onnxgraph.String, onnxgraph.Uint8, onnxgraph.Double}
	fzStrings = []string{"", "NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID", "nearest", "linear", "cubic", "constant", "reflect", "edge",
		"wrap", "half_pixel", "asymmetric", "align_corners", "tf_crop_and_resize", "not_larger", "not_smaller", "stretch", "DCR", "CRD",
		"bilinear", "zeros", "border", "floor", "ceil", "ij,jk->ik", "...ii->...i", "a", "LEFT", "RIGHT", "mean", "sum", "none"}
)

// fzTensor makes a constant tensor: int64 or float values of a hostile
// shape.
func fzTensor(r *fzReader, name string) *onnxgraph.Tensor {
	dims := fzShapes[r.pick(len(fzShapes))]
	n := int(onnxgraph.NumElements(dims))
	var t *onnxgraph.Tensor
	var err error
	switch r.pick(3) {
	case 0, 1:
		vs := make([]int64, n)
		for i := range vs {
			vs[i] = fzInts[r.pick(len(fzInts))]
		}
		t, err = onnxgraph.NewTensorOf(name, onnxgraph.Int64, dims, vs)
	default:
		vs := make([]float32, n)
		for i := range vs {
			vs[i] = fzFloats[r.pick(len(fzFloats))]
		}
		t, err = onnxgraph.NewTensorOf(name, onnxgraph.Float, dims, vs)
	}
	if err != nil {
		panic(err) // the generator's own bug
	}
	return t
}

// fzBuild decodes a model: graph inputs, constants, then nodes of table
// operators reading any earlier value, with attributes drawn per schema.
func fzBuild(r *fzReader, keys []key) *onnxgraph.Model {
	first := keys[r.pick16(len(keys))]
	opsets := map[string]int64{}
	for _, k := range keys { // each domain at its latest version...
		opsets[fzDomain(k.domain)] = max(opsets[fzDomain(k.domain)], int64(k.since))
	}
	opsets[fzDomain(first.domain)] = int64(first.since) // ...but the first node's
	m := onnxgraph.NewModel(10, opsets)
	g := m.Graph()
	var pool []*onnxgraph.Value
	for i := range r.pick(4) {
		dims := make([]onnxgraph.Dim, r.pick(5))
		for k := range dims {
			dims[k] = fzDims[r.pick(len(fzDims))]
		}
		typ := onnxgraph.TensorType(fzElems[r.pick(len(fzElems))], dims)
		if r.pick(8) == 0 { // unknown rank
			typ.GetTensorType().Shape = nil
		}
		v, err := g.AddInput(fmt.Sprintf("in%d", i), typ)
		if err != nil {
			panic(err)
		}
		pool = append(pool, v)
	}
	for i := range r.pick(5) {
		v, err := g.AddInitializer(fzTensor(r, fmt.Sprintf("c%d", i)))
		if err != nil {
			panic(err)
		}
		pool = append(pool, v)
	}
	nodes := 1 + r.pick(4)
	for n := range nodes {
		k := first
		if n > 0 {
			k = keys[r.pick16(len(keys))]
		}
		domain := fzDomain(k.domain)
		v := opsets[domain]
		sch, ok := opschema.Lookup(k.domain, k.op, int(v))
		if !ok {
			continue
		}
		hi := sch.MaxInputs
		if hi == opschema.Unbounded || hi > sch.MinInputs+3 {
			hi = sch.MinInputs + 3
		}
		ins := make([]*onnxgraph.Value, sch.MinInputs+r.pick(hi-sch.MinInputs+1))
		for i := range ins {
			j := r.pick(len(pool) + 2)
			switch {
			case j < len(pool):
				ins[i] = pool[j]
			case j == len(pool) && i >= sch.MinInputs:
				// a missing optional input
			default:
				c, err := g.AddInitializer(fzTensor(r, fmt.Sprintf("n%d_c%d", n, i)))
				if err != nil {
					panic(err)
				}
				ins[i] = c
			}
		}
		var attrs []*onnxproto.AttributeProto
		for _, a := range sch.Attributes {
			if r.pick(3) == 0 {
				continue
			}
			if at := fzAttr(r, a); at != nil {
				attrs = append(attrs, at)
			}
		}
		hiOut := sch.MaxOutputs
		if hiOut == opschema.Unbounded || hiOut > sch.MinOutputs+2 {
			hiOut = sch.MinOutputs + 2
		}
		outs := make([]string, max(1, sch.MinOutputs+r.pick(hiOut-sch.MinOutputs+1)))
		for i := range outs {
			outs[i] = fmt.Sprintf("n%d_o%d", n, i)
		}
		node, err := g.AddNodeIn(domain, k.op, ins, outs, attrs...)
		if err != nil {
			panic(err)
		}
		pool = append(pool, node.Outputs()...)
	}
	return m
}

// fzAttr draws a value for attribute a of its declared type (nil for
// graphs and the rarer kinds).
func fzAttr(r *fzReader, a opschema.Attribute) *onnxproto.AttributeProto {
	switch a.Type {
	case opschema.AttrInt:
		return onnxgraph.AttrInt(a.Name, fzInts[r.pick(len(fzInts))])
	case opschema.AttrInts:
		vs := make([]int64, r.pick(7))
		for i := range vs {
			vs[i] = fzInts[r.pick(len(fzInts))]
		}
		return onnxgraph.AttrInts(a.Name, vs...)
	case opschema.AttrFloat:
		return onnxgraph.AttrFloat(a.Name, fzFloats[r.pick(len(fzFloats))])
	case opschema.AttrFloats:
		vs := make([]float32, r.pick(5))
		for i := range vs {
			vs[i] = fzFloats[r.pick(len(fzFloats))]
		}
		return onnxgraph.AttrFloats(a.Name, vs...)
	case opschema.AttrString:
		return onnxgraph.AttrString(a.Name, fzStrings[r.pick(len(fzStrings))])
	case opschema.AttrStrings:
		vs := make([][]byte, r.pick(4))
		for i := range vs {
			vs[i] = []byte(fzStrings[r.pick(len(fzStrings))])
		}
		typ := onnxproto.AttributeProto_STRINGS
		name := a.Name
		return &onnxproto.AttributeProto{Name: &name, Type: &typ, Strings: vs}
	case opschema.AttrTensor:
		return onnxgraph.AttrTensor(a.Name, fzTensor(r, a.Name))
	}
	return nil
}

// fzSeed writes the bytes fzBuild reads, choosing operators by name so
// that seeds survive changes to the table.
type fzSeed struct {
	keys []key
	b    []byte
}

func (s *fzSeed) op(domain, op string) *fzSeed {
	i := slices.IndexFunc(s.keys, func(k key) bool { return k.domain == domain && k.op == op })
	for i+1 < len(s.keys) && s.keys[i+1].domain == domain && s.keys[i+1].op == op {
		i++ // the latest version
	}
	s.b = append(s.b, byte(i>>8), byte(i))
	return s
}

func (s *fzSeed) bytes(b ...byte) *fzSeed { s.b = append(s.b, b...); return s }

// fzInt is the index of v in fzInts.
func fzInt(v int64) byte { return byte(slices.Index(fzInts, v)) }

// fzSeeds are the starting corpus: the cases that once broke inference
// (ConstantOfShape of [2^62, 2^62]) and a spread of operators.
func fzSeeds() [][]byte {
	keys := fzKeys()
	newSeed := func() *fzSeed { return &fzSeed{keys: keys} }
	var out [][]byte
	// ConstantOfShape([2^62, 2^62]) then Size: no graph inputs, no
	// constants, two nodes; the shape is a node-local int64 constant.
	shape2 := byte(slices.IndexFunc(fzShapes, func(s []int64) bool { return slices.Equal(s, []int64{2}) }))
	out = append(out, newSeed().op("ai.onnx", "ConstantOfShape").
		bytes(0, 0, 1).                                     // inputs, constants, 1+1 nodes
		bytes(0, 0, shape2, 0, fzInt(1<<62), fzInt(1<<62)). // one input: a new constant
		bytes(0, 0).                                        // no attributes, one output
		op("ai.onnx", "Size").bytes(0, 0, 0).b)
	for _, op := range []string{"Reshape", "Expand", "Tile", "Pad", "Slice", "Range", "Resize", "Concat", "Conv", "MaxPool",
		"Split", "Gather", "OneHot", "Upsample", "ConvTranspose", "Einsum", "DFT", "STFT", "CenterCropPad", "TopK"} {
		// One input of rank 4 with a huge dim, a constant, then op on both.
		out = append(out, newSeed().op("ai.onnx", op).bytes(1, 0, 4, 0, 7, 4, 2, 1, 0, 1, fzInt(-1), 0, 0, 1, 1, 1, 0xff, 0xff).b)
	}
	return out
}
