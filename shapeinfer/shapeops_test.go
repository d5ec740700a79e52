package shapeinfer_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
	"google.golang.org/protobuf/proto"
)

// Table-driven tests of the shape family, and the helpers the other family
// tests (controlflow, sequence, strings, ml, image, training) share: a case
// is one node whose inputs are graph inputs (types) or initializers (known
// values), inferred at a given opset.

// famIn is one input of a test node: a graph input of type typ, an
// initializer (a constant the node may read), or a missing optional input.
type famIn struct {
	name    string
	typ     *onnxproto.TypeProto
	init    *onnxgraph.Tensor
	missing bool
}

// famCase is one single-node test.
type famCase struct {
	name   string
	opset  int64 // of the default domain; 0 means 18
	domain string
	dopset int64 // of domain; 0 means its newest
	op     string
	in     []famIn
	attrs  []*onnxproto.AttributeProto
	outs   int // number of outputs; 0 means len(want)
	want   []string
	code   shapeinfer.Code // the code the node's problem must carry, if any
}

// famT is a graph input of element type dt and dims: ints are sizes,
// strings dim_params; famT(name, dt) with no dims is a scalar, and nil dims
// (famNoShape) leave the shape out.
func famT(name string, dt onnxgraph.DataType, dims ...any) famIn {
	ds := make([]onnxgraph.Dim, len(dims))
	for i, d := range dims {
		switch x := d.(type) {
		case int:
			ds[i] = onnxgraph.DimOf(int64(x))
		case string:
			ds[i] = onnxgraph.DimParam(x)
		default:
			panic(fmt.Sprintf("famT: dim %v", d))
		}
	}
	return famIn{name: name, typ: onnxgraph.TensorType(dt, ds)}
}

// famNoShape is a graph input of element type dt and unknown rank.
func famNoShape(name string, dt onnxgraph.DataType) famIn {
	t := onnxgraph.TensorType(dt, nil)
	t.GetTensorType().Shape = nil
	return famIn{name: name, typ: t}
}

// famTyped is a graph input of any declared type.
func famTyped(name string, typ *onnxproto.TypeProto) famIn { return famIn{name: name, typ: typ} }

// famC is an initializer: values of dt (a slice NewTensorOf accepts) with
// dims (none for a scalar).
func famC(name string, dt onnxgraph.DataType, values any, dims ...int64) famIn {
	t, err := onnxgraph.NewTensorOf(name, dt, dims, values)
	if err != nil {
		panic(err)
	}
	return famIn{name: name, init: t}
}

// famI64 is an int64 vector initializer.
func famI64(name string, v ...int64) famIn {
	return famC(name, onnxgraph.Int64, v, int64(len(v)))
}

// famScalar is an int64 scalar initializer.
func famScalar(name string, v int64) famIn { return famC(name, onnxgraph.Int64, []int64{v}) }

// famMissing is a missing optional input.
var famMissing = famIn{missing: true}

// famModel builds the model of a case: its inputs, the node, and outputs
// y0, y1, ... as graph outputs without types.
func famModel(t testing.TB, c famCase) (*onnxgraph.Model, []*onnxgraph.Value) {
	t.Helper()
	opset := c.opset
	if opset == 0 {
		opset = 18
	}
	opsets := map[string]int64{"": opset}
	if c.domain != "" {
		opsets[c.domain] = c.dopset
		if c.dopset == 0 {
			opsets[c.domain] = opsetOf(c.domain)
		}
	}
	m := onnxgraph.NewModel(10, opsets)
	g := m.Graph()
	var ins []*onnxgraph.Value
	for _, in := range c.in {
		var v *onnxgraph.Value
		var err error
		switch {
		case in.missing:
		case in.init != nil:
			v, err = g.AddInitializer(in.init)
		default:
			v, err = g.AddInput(in.name, in.typ)
		}
		if err != nil {
			t.Fatal(err)
		}
		ins = append(ins, v)
	}
	n := c.outs
	if n == 0 {
		n = len(c.want)
	}
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("y%d", i)
	}
	node, err := g.AddNodeIn(c.domain, c.op, ins, names, c.attrs...)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range node.Outputs() {
		if err := g.AddOutput(v, nil); err != nil {
			t.Fatal(err)
		}
	}
	// Round-trip through bytes so that graph attributes become subgraphs.
	b, err := m.Bytes(nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err = onnxgraph.Decode(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	return m, m.Graph().Outputs()
}

func opsetOf(domain string) int64 {
	switch domain {
	case "ai.onnx.ml":
		return 5
	case "ai.onnx.preview.training":
		return 1
	}
	return 1
}

// famRun infers every case and compares each output's type with want
// ("" skips an output; "-" wants no type at all).
func famRun(t *testing.T, cases []famCase) {
	t.Helper()
	for _, c := range cases {
		name := c.name
		if name == "" {
			name = fmt.Sprintf("%s-%d", c.op, c.opset)
		}
		t.Run(name, func(t *testing.T) {
			m, outs := famModel(t, c)
			res, err := shapeinfer.Infer(m, nil)
			if err != nil {
				t.Fatal(err)
			}
			for i, w := range c.want {
				got := res.Type(outs[i])
				if c.code == shapeinfer.CodeInvalid || c.code == shapeinfer.CodeConflict {
					// Inputs that do not fit leave every output unknown,
					// with the problem as the reason.
					if got != nil {
						t.Errorf("output %d of a node whose inputs do not fit: got %v, want unknown", i, got)
					}
					if r := res.Explain(outs[i]); r == nil || r.Code != c.code {
						t.Errorf("output %d: reason %v, want code %v", i, r, c.code)
					}
					continue
				}
				switch {
				case w == "":
				case w == "-" && got != nil:
					t.Errorf("output %d: got %v, want none", i, got)
				case w != "-" && got.String() != w:
					t.Errorf("output %d: got %v, want %s (%v)", i, got, w, res.Explain(outs[i]))
				}
			}
			if c.code != 0 {
				found := false
				for _, p := range res.Problems {
					found = found || p.Code == c.code
				}
				for _, o := range outs {
					if r := res.Explain(o); r != nil && r.Code == c.code {
						found = true
					}
				}
				if !found {
					t.Errorf("no problem with code %v; problems %v", c.code, res.Problems)
				}
			} else if len(res.Problems) > 0 {
				t.Errorf("unexpected problems: %v", res.Problems)
			}
		})
	}
}

// famBody builds a subgraph with the builder: build adds inputs, nodes and
// outputs; names listed in outer are removed from the body's inputs so that
// the body reads them from the enclosing graph.
func famBody(t testing.TB, build func(g *onnxgraph.Graph) error, outer ...string) *onnxproto.GraphProto {
	t.Helper()
	m := onnxgraph.NewModel(10, map[string]int64{"": 18})
	if err := build(m.Graph()); err != nil {
		t.Fatal(err)
	}
	g := proto.Clone(m.ToProto().GetGraph()).(*onnxproto.GraphProto)
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
	return g
}

// famGraphAttr is a graph-valued attribute.
func famGraphAttr(name string, g *onnxproto.GraphProto) *onnxproto.AttributeProto {
	return &onnxproto.AttributeProto{Name: proto.String(name), Type: onnxproto.AttributeProto_GRAPH.Enum(), G: g}
}

// famStrings is a strings attribute.
func famStrings(name string, v ...string) *onnxproto.AttributeProto {
	a := &onnxproto.AttributeProto{Name: proto.String(name), Type: onnxproto.AttributeProto_STRINGS.Enum()}
	for _, s := range v {
		a.Strings = append(a.Strings, []byte(s))
	}
	return a
}

// famTensorAttr is a tensor attribute.
func famTensorAttr(name string, dt onnxgraph.DataType, values any, dims ...int64) *onnxproto.AttributeProto {
	t, err := onnxgraph.NewTensorOf(name, dt, dims, values)
	if err != nil {
		panic(err)
	}
	return onnxgraph.AttrTensor(name, t)
}

var (
	f32 = onnxgraph.Float
	i64 = onnxgraph.Int64
	i32 = onnxgraph.Int32
	bl  = onnxgraph.Bool
	str = onnxgraph.String
)

func TestShapeFamily(t *testing.T) {
	ai := onnxgraph.AttrInt
	ais := onnxgraph.AttrInts
	famRun(t, []famCase{
		// Identity keeps any type, sequences too.
		{op: "Identity", opset: 16, in: []famIn{famT("x", f32, "N", 3)}, want: []string{"float32[N,3]"}},
		// Reshape-1 takes the target from its attribute.
		{name: "Reshape-1", op: "Reshape", opset: 1, in: []famIn{famT("x", f32, 2, 3, 4)}, attrs: []*onnxproto.AttributeProto{ais("shape", 0, -1)}, want: []string{"float32[2,12]"}},
		{name: "Reshape-14-symbolic", op: "Reshape", opset: 14, in: []famIn{famT("x", f32, "N", "S", 512), famI64("s", 0, 0, 8, -1)}, want: []string{"float32[N,S,8,64]"}},
		{name: "Reshape-allowzero", op: "Reshape", opset: 14, in: []famIn{famT("x", f32, 0, 3, 4), famI64("s", 3, 4, 0)}, attrs: []*onnxproto.AttributeProto{ai("allowzero", 1)}, want: []string{"float32[3,4,0]"}},
		{name: "Reshape-bad", op: "Reshape", opset: 14, in: []famIn{famT("x", f32, 2, 3), famI64("s", 4, 2)}, want: []string{""}, code: shapeinfer.CodeInvalid},
		{name: "Reshape-unknown-target", op: "Reshape", opset: 14, in: []famIn{famT("x", f32, 2, 3), famT("s", i64, 3)}, want: []string{"float32[unk__1,unk__2,unk__3]"}},
		// Concat-1 defaults to axis 1; Concat-4 requires it.
		{name: "Concat-1-default-axis", op: "Concat", opset: 1, in: []famIn{famT("a", f32, 2, 3), famT("b", f32, 2, 5)}, want: []string{"float32[2,8]"}},
		{name: "Concat-13-symbolic", op: "Concat", opset: 13, in: []famIn{famT("a", f32, "N", "S", 8), famT("b", f32, "N", "P", 8)}, attrs: []*onnxproto.AttributeProto{ai("axis", 1)}, want: []string{"float32[N,P+S,8]"}},
		{name: "Concat-13-no-axis", op: "Concat", opset: 13, in: []famIn{famT("a", f32, 2), famT("b", f32, 2)}, want: []string{""}, code: shapeinfer.CodeInvalid},
		{name: "Flatten-default", op: "Flatten", opset: 13, in: []famIn{famT("x", f32, "N", 3, 4, 5)}, want: []string{"float32[N,60]"}},
		{name: "Flatten-axis0", op: "Flatten", opset: 13, in: []famIn{famT("x", f32, 2, 3)}, attrs: []*onnxproto.AttributeProto{ai("axis", 0)}, want: []string{"float32[1,6]"}},
		{name: "Flatten-negative", op: "Flatten", opset: 13, in: []famIn{famT("x", f32, 2, 3, 4)}, attrs: []*onnxproto.AttributeProto{ai("axis", -1)}, want: []string{"float32[6,4]"}},
		{name: "Flatten-axis-out-of-range", op: "Flatten", opset: 13, in: []famIn{famT("x", f32, 2, 3)}, attrs: []*onnxproto.AttributeProto{ai("axis", 3)}, want: []string{"-"}, code: shapeinfer.CodeInvalid},
		{name: "Transpose-default", op: "Transpose", opset: 21, in: []famIn{famT("x", f32, "N", 3, 4)}, want: []string{"float32[4,3,N]"}},
		{name: "Transpose-perm", op: "Transpose", opset: 21, in: []famIn{famT("x", f32, "N", "S", 8, 64)}, attrs: []*onnxproto.AttributeProto{ais("perm", 0, 2, 1, 3)}, want: []string{"float32[N,8,S,64]"}},
		{name: "Transpose-bad-perm", op: "Transpose", opset: 21, in: []famIn{famT("x", f32, 2, 3)}, attrs: []*onnxproto.AttributeProto{ais("perm", 0, 0)}, want: []string{"-"}, code: shapeinfer.CodeInvalid},
		// Split: attribute (2, 11), input (13), num_outputs (18).
		{name: "Split-2-attr", op: "Split", opset: 2, in: []famIn{famT("x", f32, 6)}, attrs: []*onnxproto.AttributeProto{ais("split", 2, 4)}, want: []string{"float32[2]", "float32[4]"}},
		{name: "Split-11-equal", op: "Split", opset: 11, in: []famIn{famT("x", f32, 2, 6)}, attrs: []*onnxproto.AttributeProto{ai("axis", 1)}, want: []string{"float32[2,2]", "float32[2,2]", "float32[2,2]"}},
		{name: "Split-13-input", op: "Split", opset: 13, in: []famIn{famT("x", f32, 6, "N"), famI64("s", 1, 5)}, want: []string{"float32[1,N]", "float32[5,N]"}},
		{name: "Split-18-num-outputs-uneven", op: "Split", opset: 18, in: []famIn{famT("x", f32, 7)}, attrs: []*onnxproto.AttributeProto{ai("num_outputs", 3)}, want: []string{"float32[3]", "float32[3]", "float32[1]"}},
		{name: "Split-18-symbolic", op: "Split", opset: 18, in: []famIn{famT("x", f32, "B", "H")}, attrs: []*onnxproto.AttributeProto{ai("axis", 1), ai("num_outputs", 2)}, want: []string{"float32[B,floor((H+1)/2)]", "float32[B,H-floor((H+1)/2)]"}},
		{name: "Split-18-bad-sizes", op: "Split", opset: 18, in: []famIn{famT("x", f32, 6), famI64("s", 1, 2)}, want: []string{"", ""}, code: shapeinfer.CodeInvalid},
		// Slice: attributes before 10, inputs after; steps, negative
		// bounds and bounds beyond the size.
		{name: "Slice-1", op: "Slice", opset: 1, in: []famIn{famT("x", f32, 20, 10, 5)}, attrs: []*onnxproto.AttributeProto{ais("starts", 0, 0), ais("ends", 3, 10), ais("axes", 0, 1)}, want: []string{"float32[3,10,5]"}},
		{name: "Slice-13-steps", op: "Slice", opset: 13, in: []famIn{famT("x", f32, 20, 10, 5), famI64("s", 20, 10, 4), famI64("e", 0, 0, 1), famI64("a", 0, 1, 2), famI64("st", -1, -3, -2)}, want: []string{"float32[19,3,2]"}},
		{name: "Slice-13-out-of-bounds", op: "Slice", opset: 13, in: []famIn{famT("x", f32, 20, 10, 5), famI64("s", 1), famI64("e", 1000), famI64("a", 1), famI64("st", 1)}, want: []string{"float32[20,9,5]"}},
		{name: "Slice-13-symbolic-tail", op: "Slice", opset: 13, in: []famIn{famT("x", f32, "N", "S", 64), famI64("s", 1), famI64("e", 9223372036854775807), famI64("a", 1)}, want: []string{"float32[N,max(0,S-1),64]"}},
		{name: "Slice-13-symbolic-last", op: "Slice", opset: 13, in: []famIn{famT("x", f32, "N", "S", 64), famI64("s", -1), famI64("e", 9223372036854775807), famI64("a", 1)}, want: []string{"float32[N,min(1,S),64]"}},
		{name: "Slice-13-unknown-bounds", op: "Slice", opset: 13, in: []famIn{famT("x", f32, 4, 5), famT("s", i64, 1), famT("e", i64, 1), famI64("a", 1)}, want: []string{"float32[4,unk__1]"}},
		{name: "Slice-13-zero-step", op: "Slice", opset: 13, in: []famIn{famT("x", f32, 4), famI64("s", 0), famI64("e", 2), famI64("a", 0), famI64("st", 0)}, want: []string{"-"}, code: shapeinfer.CodeInvalid},
		{name: "Expand-13", op: "Expand", opset: 13, in: []famIn{famT("x", f32, 3, 1), famI64("s", 2, 1, 6)}, want: []string{"float32[2,3,6]"}},
		{name: "Expand-13-bad", op: "Expand", opset: 13, in: []famIn{famT("x", f32, 3, 2), famI64("s", 4)}, want: []string{"-"}, code: shapeinfer.CodeInvalid},
		{name: "Tile-13", op: "Tile", opset: 13, in: []famIn{famT("x", f32, 2, "N"), famI64("r", 3, 2)}, want: []string{"float32[6,2*N]"}},
		{name: "Tile-1", op: "Tile", opset: 1, in: []famIn{famT("x", f32, 2, 3), famScalar("t", 4), famScalar("a", 1)}, want: []string{"float32[2,12]"}},
		{name: "Pad-2-attr", op: "Pad", opset: 2, in: []famIn{famT("x", f32, 1, 3, 4, 5)}, attrs: []*onnxproto.AttributeProto{ais("pads", 0, 0, 1, 3, 0, 0, 2, 4)}, want: []string{"float32[1,3,7,12]"}},
		{name: "Pad-18-axes", op: "Pad", opset: 18, in: []famIn{famT("x", f32, 1, 3, "H", 5), famI64("p", 1, 2, 3, 4), famMissing, famI64("ax", 2, -1)}, want: []string{"float32[1,3,H+4,11]"}},
		{name: "Pad-19-negative", op: "Pad", opset: 19, in: []famIn{famT("x", f32, 4, 4), famI64("p", -1, 0, -1, 0)}, want: []string{"float32[2,4]"}},
		{name: "ConstantOfShape", op: "ConstantOfShape", opset: 20, in: []famIn{famI64("s", 4, 3, 2)}, attrs: []*onnxproto.AttributeProto{famTensorAttr("value", i32, []int32{1}, 1)}, want: []string{"int32[4,3,2]"}},
		{name: "ConstantOfShape-empty", op: "ConstantOfShape", opset: 21, in: []famIn{famC("s", i64, []int64{}, 0)}, want: []string{"float32[]"}},
		{name: "ConstantOfShape-unknown", op: "ConstantOfShape", opset: 21, in: []famIn{famT("s", i64, 2)}, want: []string{"float32[unk__1,unk__2]"}},
		// Range: ceil((limit-start)/delta), floats too (the spec's examples).
		{name: "Range-int", op: "Range", opset: 11, in: []famIn{famScalar("a", 3), famScalar("b", 9), famScalar("c", 3)}, want: []string{"int64[2]"}},
		{name: "Range-negative-delta", op: "Range", opset: 11, in: []famIn{famScalar("a", 10), famScalar("b", 4), famScalar("c", -2)}, want: []string{"int64[3]"}},
		{name: "Range-float", op: "Range", opset: 11, in: []famIn{famC("a", f32, []float32{1}), famC("b", f32, []float32{5}), famC("c", f32, []float32{0.5})}, want: []string{"float32[8]"}},
		{name: "Range-empty", op: "Range", opset: 27, in: []famIn{famScalar("a", 5), famScalar("b", 1), famScalar("c", 1)}, want: []string{"int64[0]"}},
		{name: "Range-unknown", op: "Range", opset: 11, in: []famIn{famT("a", i64), famT("b", i64), famT("c", i64)}, want: []string{"int64[unk__1]"}},
		{name: "GatherElements", op: "GatherElements", opset: 13, in: []famIn{famT("x", f32, 3, 3), famT("i", i64, 2, 3)}, attrs: []*onnxproto.AttributeProto{ai("axis", 1)}, want: []string{"float32[2,3]"}},
		{name: "GatherND-batch", op: "GatherND", opset: 13, in: []famIn{famT("x", f32, 2, 2, 2), famT("i", i64, 2, 1)}, attrs: []*onnxproto.AttributeProto{ai("batch_dims", 1)}, want: []string{"float32[2,2]"}},
		{name: "GatherND", op: "GatherND", opset: 11, in: []famIn{famT("x", f32, 2, 2, 2), famT("i", i64, 2, 2)}, want: []string{"float32[2,2]"}},
		{name: "ScatterElements-18", op: "ScatterElements", opset: 18, in: []famIn{famT("x", f32, 3, 3), famT("i", i64, 2, 3), famT("u", f32, 2, 3)}, attrs: []*onnxproto.AttributeProto{onnxgraph.AttrString("reduction", "max")}, want: []string{"float32[3,3]"}},
		{name: "ScatterND-18", op: "ScatterND", opset: 18, in: []famIn{famT("x", f32, 4, 4, 4), famT("i", i64, 2, 1), famT("u", f32, 2, 4, 4)}, attrs: []*onnxproto.AttributeProto{onnxgraph.AttrString("reduction", "mul")}, want: []string{"float32[4,4,4]"}},
		{name: "ScatterND-bad-updates", op: "ScatterND", opset: 18, in: []famIn{famT("x", f32, 4, 4, 4), famT("i", i64, 2, 1), famT("u", f32, 2, 4)}, want: []string{"-"}, code: shapeinfer.CodeInvalid},
		{name: "TensorScatter", op: "TensorScatter", opset: 24, in: []famIn{famT("k", f32, "B", 8, 128, 64), famT("u", f32, "B", 8, 1, 64), famT("w", i64, "B")}, want: []string{"float32[B,8,128,64]"}},
		{name: "TensorScatter-batch-axis", op: "TensorScatter", opset: 24, in: []famIn{famT("k", f32, 2, 8), famT("u", f32, 1, 8)}, attrs: []*onnxproto.AttributeProto{ai("axis", 0)}, want: []string{"-"}, code: shapeinfer.CodeInvalid},
		{name: "OneHot", op: "OneHot", opset: 11, in: []famIn{famT("i", i64, 2, 2), famScalar("d", 10), famT("v", f32, 2)}, attrs: []*onnxproto.AttributeProto{ai("axis", 1)}, want: []string{"float32[2,10,2]"}},
		{name: "OneHot-float-depth", op: "OneHot", opset: 11, in: []famIn{famT("i", i64, 3), famC("d", f32, []float32{12}), famT("v", i32, 2)}, want: []string{"int32[3,12]"}},
		{name: "NonZero-known", op: "NonZero", opset: 13, in: []famIn{famC("x", bl, []bool{true, false, true, true}, 2, 2)}, want: []string{"int64[2,3]"}},
		{name: "NonZero-unknown", op: "NonZero", opset: 13, in: []famIn{famT("x", f32, 2, 2)}, want: []string{"int64[2,unk__1]"}},
		{name: "Compress-axis", op: "Compress", opset: 11, in: []famIn{famT("x", f32, 3, 2), famC("c", bl, []bool{false, true, true}, 3)}, attrs: []*onnxproto.AttributeProto{ai("axis", 0)}, want: []string{"float32[2,2]"}},
		{name: "Compress-flat", op: "Compress", opset: 11, in: []famIn{famT("x", f32, 3, 2), famC("c", bl, []bool{false, true, false, false, true}, 5)}, want: []string{"float32[2]"}},
		{name: "Unique-known", op: "Unique", opset: 11, in: []famIn{famC("x", f32, []float32{2, 1, 1, 3, 4, 3}, 6)}, attrs: []*onnxproto.AttributeProto{ai("sorted", 0)}, want: []string{"float32[4]", "int64[4]", "int64[6]", "int64[4]"}},
		{name: "Unique-axis", op: "Unique", opset: 11, in: []famIn{famC("x", f32, []float32{1, 0, 0, 1, 0, 0, 2, 3, 4}, 3, 3)}, attrs: []*onnxproto.AttributeProto{ai("axis", 0)}, want: []string{"float32[2,3]", "int64[2]", "int64[3]", "int64[2]"}},
		{name: "Unique-unknown", op: "Unique", opset: 11, in: []famIn{famT("x", f32, 2, 3)}, want: []string{"float32[unk__1]", "int64[unk__1]", "int64[6]", "int64[unk__1]"}},
		{name: "EyeLike-dtype", op: "EyeLike", opset: 22, in: []famIn{famT("x", i32, 4, 5)}, attrs: []*onnxproto.AttributeProto{ai("dtype", int64(onnxgraph.Double))}, want: []string{"float64[4,5]"}},
		{name: "EyeLike-rank", op: "EyeLike", opset: 22, in: []famIn{famT("x", f32, 4)}, want: []string{"-"}, code: shapeinfer.CodeInvalid},
		{name: "Trilu", op: "Trilu", opset: 14, in: []famIn{famT("x", f32, "N", 4, 5), famScalar("k", 1)}, want: []string{"float32[N,4,5]"}},
		{name: "ReverseSequence", op: "ReverseSequence", opset: 10, in: []famIn{famT("x", f32, 4, 4), famT("l", i64, 4)}, want: []string{"float32[4,4]"}},
		// CenterCropPad, opset 18 (the spec's examples).
		{name: "CenterCropPad-crop", op: "CenterCropPad", opset: 18, in: []famIn{famT("x", f32, 20, 10, 3), famI64("s", 10, 7, 3)}, want: []string{"float32[10,7,3]"}},
		{name: "CenterCropPad-axes", op: "CenterCropPad", opset: 18, in: []famIn{famT("x", f32, 3, 20, 8), famI64("s", 10, 9)}, attrs: []*onnxproto.AttributeProto{ais("axes", 1, 2)}, want: []string{"float32[3,10,9]"}},
		{name: "CenterCropPad-negative-axes", op: "CenterCropPad", opset: 18, in: []famIn{famT("x", f32, 20, 8, 3), famI64("s", 10, 9)}, attrs: []*onnxproto.AttributeProto{ais("axes", -3, -2)}, want: []string{"float32[10,9,3]"}},
		{name: "Gather-scalar-index", op: "Gather", opset: 13, in: []famIn{famT("x", f32, "N", "S", 8), famScalar("i", 1)}, attrs: []*onnxproto.AttributeProto{ai("axis", 1)}, want: []string{"float32[N,8]"}},
		{name: "Squeeze-13", op: "Squeeze", opset: 13, in: []famIn{famT("x", f32, 1, 3, 1, 5), famI64("a", 0, -2)}, want: []string{"float32[3,5]"}},
		{name: "Squeeze-13-unknown-axes", op: "Squeeze", opset: 13, in: []famIn{famT("x", f32, 1, 3, 4, 5), famT("a", i64, 1)}, want: []string{"float32[3,4,5]"}},
		{name: "Squeeze-13-unknown-axes-ambiguous", op: "Squeeze", opset: 13, in: []famIn{famT("x", f32, 1, 3, 1, 5), famT("a", i64, 1)}, want: []string{"float32[?,?,?]"}},
		{name: "Squeeze-13-not-one", op: "Squeeze", opset: 13, in: []famIn{famT("x", f32, 2, 3), famI64("a", 0)}, want: []string{"-"}, code: shapeinfer.CodeInvalid},
		{name: "Unsqueeze-13", op: "Unsqueeze", opset: 13, in: []famIn{famT("x", f32, 3, 4, 5), famI64("a", 2, 4, 5)}, want: []string{"float32[3,4,1,5,1,1]"}},
		{name: "Unsqueeze-1", op: "Unsqueeze", opset: 1, in: []famIn{famT("x", f32, 3)}, attrs: []*onnxproto.AttributeProto{ais("axes", 0)}, want: []string{"float32[1,3]"}},
	})
}

// TestShapeDataPropagation checks values computed through shape operators:
// a Reshape, Expand, Tile, Pad or Slice whose target is computed resolves.
func TestShapeDataPropagation(t *testing.T) {
	m := onnxgraph.NewModel(10, map[string]int64{"": 18})
	g := m.Graph()
	must := func(n *onnxgraph.Node, err error) *onnxgraph.Node {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	x, _ := g.AddInput("x", onnxgraph.TensorType(f32, []onnxgraph.Dim{onnxgraph.DimParam("N"), onnxgraph.DimParam("S"), onnxgraph.DimOf(512)}))
	c := func(name string, v ...int64) *onnxgraph.Value {
		tt, err := onnxgraph.NewTensorOf(name, i64, []int64{int64(len(v))}, v)
		if err != nil {
			t.Fatal(err)
		}
		val, err := g.AddInitializer(tt)
		if err != nil {
			t.Fatal(err)
		}
		return val
	}
	shape := must(g.AddNode("Shape", []*onnxgraph.Value{x}, []string{"shape"})).Output(0)
	// Split of a shape vector, Transpose and Tile of data, a Range of it.
	parts := must(g.AddNode("Split", []*onnxgraph.Value{shape, c("sp", 1, 1, 1)}, []string{"n", "s", "h"})).Outputs()
	ns := must(g.AddNode("Concat", []*onnxgraph.Value{parts[0], parts[1]}, []string{"ns"}, onnxgraph.AttrInt("axis", 0))).Output(0)
	tiled := must(g.AddNode("Tile", []*onnxgraph.Value{parts[1], c("two", 2)}, []string{"ss"})).Output(0)
	y := must(g.AddNode("ConstantOfShape", []*onnxgraph.Value{tiled}, []string{"mask"})).Output(0)
	rev := must(g.AddNode("Slice", []*onnxgraph.Value{shape, c("st", -1), c("en", -4), c("ax", 0), c("step", -1)}, []string{"rev"})).Output(0)
	z := must(g.AddNode("Expand", []*onnxgraph.Value{c("one", 1), rev}, []string{"z"})).Output(0)
	sq := must(g.AddNode("Squeeze", []*onnxgraph.Value{parts[1], c("a0", 0)}, []string{"s_scalar"})).Output(0)
	zero := must(g.AddNode("Constant", nil, []string{"zero"}, onnxgraph.AttrTensor("value", mustTensor(t, "zero", i64, nil, []int64{0})))).Output(0)
	one := must(g.AddNode("Constant", nil, []string{"one_s"}, onnxgraph.AttrTensor("value", mustTensor(t, "one_s", i64, nil, []int64{1})))).Output(0)
	pos := must(g.AddNode("Range", []*onnxgraph.Value{zero, sq, one}, []string{"pos"})).Output(0)
	w := must(g.AddNode("Reshape", []*onnxgraph.Value{x, must(g.AddNode("Concat", []*onnxgraph.Value{ns, c("m", -1, 64)}, []string{"tgt"}, onnxgraph.AttrInt("axis", 0))).Output(0)}, []string{"w"})).Output(0)
	pads := must(g.AddNode("Concat", []*onnxgraph.Value{c("p0", 0, 0), parts[1], c("p1", 0, 0, 0)}, []string{"pads"}, onnxgraph.AttrInt("axis", 0))).Output(0)
	padded := must(g.AddNode("Pad", []*onnxgraph.Value{x, pads}, []string{"padded"})).Output(0)
	res, err := shapeinfer.Infer(m, nil)
	if err != nil {
		t.Fatal(err)
	}
	for v, want := range map[*onnxgraph.Value]string{
		y:      "float32[S,S]",
		z:      "int64[512,S,N]",
		pos:    "int64[S]",
		w:      "float32[N,S,8,64]",
		padded: "float32[N,S,S+512]",
	} {
		if got := res.Type(v).String(); got != want {
			t.Errorf("%s: got %s, want %s (%v)", v.Name(), got, want, res.Explain(v))
		}
	}
	if d := res.Data(rev); d == nil || fmt.Sprint(d.Ints) != "[512 S N]" {
		t.Errorf("rev data: %v", d)
	}
}

func mustTensor(t testing.TB, name string, dt onnxgraph.DataType, dims []int64, values any) *onnxgraph.Tensor {
	t.Helper()
	tt, err := onnxgraph.NewTensorOf(name, dt, dims, values)
	if err != nil {
		t.Fatal(err)
	}
	return tt
}

// TestShapeErrorsNeverPanic feeds every shape operator inputs of every
// rank (and missing ones) and checks that inference reports instead of
// panicking.
func TestShapeErrorsNeverPanic(t *testing.T) {
	ops := []string{"Flatten", "Transpose", "Split", "Slice", "Expand", "Tile", "Pad", "ConstantOfShape", "Range",
		"GatherElements", "GatherND", "ScatterElements", "ScatterND", "TensorScatter", "OneHot", "NonZero", "Compress",
		"Unique", "EyeLike", "Trilu", "CenterCropPad", "Reshape", "Concat", "Gather", "Squeeze", "Unsqueeze",
		"Resize", "DepthToSpace", "SpaceToDepth", "GridSample", "AffineGrid", "Col2Im", "ImageDecoder",
		"NonMaxSuppression", "StringConcat", "StringNormalizer", "StringSplit", "RegexFullMatch", "TfIdfVectorizer",
		"SequenceConstruct", "SequenceAt", "SequenceInsert", "SequenceErase", "SequenceLength", "SplitToSequence",
		"ConcatFromSequence", "Optional", "OptionalHasElement", "OptionalGetElement", "If", "Loop", "Scan", "SequenceMap"}
	inputs := [][]famIn{
		nil,
		{famNoShape("a", f32)},
		{famT("a", f32), famT("b", i64)},
		{famT("a", f32, 2), famI64("b", 5, -7), famMissing, famI64("c", 9)},
		{famT("a", f32, 1, 2, 3), famT("b", i64, 0), famScalar("c", -3), famC("d", f32, []float32{0})},
		{famMissing, famT("b", f32, "N", 2, 3, 4, 5)},
	}
	for _, op := range ops {
		for k, in := range inputs {
			for _, opset := range []int64{9, 11, 13, 18, 24} {
				c := famCase{op: op, opset: opset, in: in, outs: 2}
				t.Run(fmt.Sprintf("%s/%d/%d", op, k, opset), func(t *testing.T) {
					m, _ := famModel(t, c)
					if _, err := shapeinfer.Infer(m, nil); err != nil {
						var e *shapeinfer.Error
						if !errors.As(err, &e) && !strings.Contains(err.Error(), "cycle") {
							t.Fatal(err)
						}
					}
				})
			}
		}
	}
}
