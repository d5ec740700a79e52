package onnxgraph_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/opschema"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
	"google.golang.org/protobuf/proto"
)

// e6Sane fails the test when m breaks an IR invariant or our checker finds
// an error.
func e6Sane(t testing.TB, m *onnxgraph.Model) {
	t.Helper()
	if err := m.Sanity(); err != nil {
		t.Fatal(err)
	}
	if err := onnxgraph.Validate(m, nil); err != nil {
		t.Fatal(err)
	}
}

// e6Bytes serializes m deterministically (for before/after comparisons;
// unlike Bytes it ignores a recorded chain error).
func e6Bytes(t testing.TB, m *onnxgraph.Model) string {
	t.Helper()
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m.ToProto())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// e6Classifier builds x[N,3,8,8] -> Conv -> Relu -> Reshape[0,-1] ->
// Gemm -> Softmax -> y[N,10] at opset 17.
func e6Classifier(t testing.TB) *onnxgraph.Model {
	t.Helper()
	b := onnxgraph.NewBuilder(17)
	x := b.Input("x", onnxgraph.Float, onnxgraph.DimParam("N"), onnxgraph.DimOf(3), onnxgraph.DimOf(8), onnxgraph.DimOf(8))
	w := b.Const("conv.w", 0, []int64{4, 3, 3, 3}, e6Ramp(4*3*3*3))
	h := b.Op("Conv", onnxgraph.Attrs{"kernel_shape": []int64{3, 3}, "pads": "1,1,1,1"}, x, w)
	h = b.Op("Relu", nil, h)
	h = b.Op("Reshape", nil, h, []int64{0, -1})
	fc := b.Const("fc.w", 0, []int64{10, 256}, e6Ramp(2560))
	h = b.Op("Gemm", onnxgraph.Attrs{"transB": 1}, h, fc, make([]float32, 10))
	y := b.Node(onnxgraph.NodeSpec{Op: "Softmax", Attrs: onnxgraph.Attrs{"axis": -1}, Inputs: []any{h}, Outputs: []string{"y"}})
	b.Output(y.Output(0), onnxgraph.DimParam("N"), onnxgraph.DimOf(10))
	m, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// e6Ramp returns n small floats.
func e6Ramp(n int) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(i%7-3) / 16
	}
	return out
}

func TestBuilderBuildsValidModel(t *testing.T) {
	m := e6Classifier(t)
	e6Sane(t, m)
	var names []string
	for _, n := range m.Graph().Nodes() {
		names = append(names, n.Name()+":"+n.OpType())
	}
	if got := strings.Join(names, " "); got != "Conv_0:Conv Relu_0:Relu Reshape_0:Reshape Gemm_0:Gemm Softmax_0:Softmax" {
		t.Errorf("nodes = %s", got)
	}
	// The constant given to Reshape is int64, the Gemm bias float32 (bound
	// to T by A).
	g := m.Graph()
	if v, ok := g.Value("Reshape_0_shape"); !ok || v.Initializer().DataType() != onnxgraph.Int64 {
		t.Errorf("Reshape shape constant: %v", v)
	}
	if v, ok := g.Value("Gemm_0_C"); !ok || v.Initializer().DataType() != onnxgraph.Float {
		t.Errorf("Gemm bias constant: %v", v)
	}
	if m.IRVersion() != 8 {
		t.Errorf("ir_version %d, want 8 for opset 17", m.IRVersion())
	}
}

func TestBuilderScopesAndNames(t *testing.T) {
	b := onnxgraph.NewBuilder(17)
	x := b.Input("x", onnxgraph.Float, onnxgraph.Dims(2)...)
	enc := b.Scope("enc")
	a := enc.Op("Relu", nil, x)
	c := enc.Scope("block").Op("Relu", nil, a)
	d := b.Op("Relu", nil, c)
	e := b.Node(onnxgraph.NodeSpec{Op: "Relu", Name: "last", Inputs: []any{d}, Outputs: []string{"y"}})
	b.Output(e.Output(0), onnxgraph.Dims(2)...)
	m, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	e6Sane(t, m)
	var got []string
	for _, n := range m.Graph().Nodes() {
		got = append(got, n.Name()+"->"+n.Output(0).Name())
	}
	want := "enc/Relu_0->enc/Relu_0 enc/block/Relu_0->enc/block/Relu_0 Relu_0->Relu_0 last->y"
	if strings.Join(got, " ") != want {
		t.Errorf("names:\n got %s\nwant %s", strings.Join(got, " "), want)
	}
	// A given name already in use is an error.
	b.Node(onnxgraph.NodeSpec{Op: "Relu", Name: "last", Inputs: []any{x}})
	if !errors.Is(b.Err(), onnxgraph.ErrNameCollision) {
		t.Errorf("reused node name: %v", b.Err())
	}
}

func TestBuilderSchemaErrors(t *testing.T) {
	cases := []struct {
		name  string
		build func(b *onnxgraph.Builder, x *onnxgraph.Value)
		want  string
	}{
		{"unknown op", func(b *onnxgraph.Builder, x *onnxgraph.Value) { b.Op("Relux", nil, x) }, "Relux is not defined"},
		{"op newer than opset", func(b *onnxgraph.Builder, x *onnxgraph.Value) { b.Op("Gelu", nil, x) }, "Gelu is not defined in ai.onnx at opset 17"},
		{"unknown attribute", func(b *onnxgraph.Builder, x *onnxgraph.Value) {
			b.Op("Transpose", onnxgraph.Attrs{"permutation": []int{1, 0}}, x)
		}, `no attribute "permutation"`},
		{"wrong attribute type", func(b *onnxgraph.Builder, x *onnxgraph.Value) {
			b.Op("Transpose", onnxgraph.Attrs{"perm": "a,b"}, x)
		}, `attribute "perm": "a,b" is not INTS`},
		{"float for int", func(b *onnxgraph.Builder, x *onnxgraph.Value) {
			b.Op("Flatten", onnxgraph.Attrs{"axis": 1.5}, x)
		}, "is not an INT"},
		{"missing required attribute", func(b *onnxgraph.Builder, x *onnxgraph.Value) { b.Op("Concat", nil, x, x) }, `needs attribute "axis"`},
		{"too few inputs", func(b *onnxgraph.Builder, x *onnxgraph.Value) { b.Op("Add", nil, x) }, "Add takes 2 inputs, not 1"},
		{"too many outputs", func(b *onnxgraph.Builder, x *onnxgraph.Value) {
			b.Node(onnxgraph.NodeSpec{Op: "Relu", Inputs: []any{x}, NumOutputs: 2})
		}, "Relu gives 1 outputs, not 2"},
		{"type not allowed", func(b *onnxgraph.Builder, x *onnxgraph.Value) {
			s, _ := b.Graph().Value("s")
			b.Op("Relu", nil, s)
		}, "element type string is not allowed"},
		{"types disagree", func(b *onnxgraph.Builder, x *onnxgraph.Value) {
			i, _ := b.Graph().Value("i")
			b.Op("Add", nil, x, i)
		}, "differs from float32 bound to T"},
		{"required input missing", func(b *onnxgraph.Builder, x *onnxgraph.Value) { b.Op("Add", nil, x, nil) }, "input 1 (B) is required"},
		{"domain not imported", func(b *onnxgraph.Builder, x *onnxgraph.Value) {
			b.Node(onnxgraph.NodeSpec{Op: "LabelEncoder", Domain: "ai.onnx.ml", Inputs: []any{x}})
		}, `domain "ai.onnx.ml" is not imported`},
	}
	for _, c := range cases {
		b := onnxgraph.NewBuilder(17)
		x := b.Input("x", onnxgraph.Float, onnxgraph.Dims(2, 2)...)
		b.Input("s", onnxgraph.String, onnxgraph.Dims(2)...)
		b.Input("i", onnxgraph.Int64, onnxgraph.Dims(2, 2)...)
		before := e6Bytes(t, b.Model())
		c.build(b, x)
		err := b.Err()
		if !errors.Is(err, onnxgraph.ErrSchema) || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "onnxgraph: ") {
			t.Errorf("%s: err = %v, want ErrSchema with %q", c.name, err, c.want)
			continue
		}
		if got := e6Bytes(t, b.Model()); got != before {
			t.Errorf("%s: the failed node changed the model", c.name)
		}
		// Later calls do nothing.
		if v := b.Op("Relu", nil, x); v != nil {
			t.Errorf("%s: a call after the error returned a value", c.name)
		}
	}
}

func TestBuilderCustomDomain(t *testing.T) {
	b := onnxgraph.NewBuilder(17)
	x := b.Input("x", onnxgraph.Float, onnxgraph.Dims(2)...)
	n := b.Node(onnxgraph.NodeSpec{Op: "MyPlugin_TRT", Domain: "com.example", Inputs: []any{x},
		Attrs: onnxgraph.Attrs{"scale": 0.5, "mode": "fast", "ks": []int{3, 3}}, NumOutputs: 2})
	m, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := m.Opset("com.example"); !ok || v != 1 {
		t.Errorf("custom domain import = %d, %v", v, ok)
	}
	var kinds []string
	for _, a := range n.Attrs() {
		kinds = append(kinds, a.GetName()+":"+a.GetType().String())
	}
	if got := strings.Join(kinds, " "); got != "ks:INTS mode:STRING scale:FLOAT" {
		t.Errorf("custom attributes %s", got)
	}
	if n.NumOutputs() != 2 || n.Output(1).Name() != "MyPlugin_TRT_0_1" {
		t.Errorf("outputs %v", n.Proto().Output)
	}
}

func TestNewAttr(t *testing.T) {
	cases := []struct {
		typ  opschema.AttrType
		v    any
		want string
	}{
		{opschema.AttrInts, "0,2,3,1", "ints:0 ints:2 ints:3 ints:1"},
		{opschema.AttrInts, "[1, 2]", "ints:1 ints:2"},
		{opschema.AttrInts, []int{4}, "ints:4"},
		{opschema.AttrInt, "7", "i:7"},
		{opschema.AttrInt, true, "i:1"},
		{opschema.AttrFloat, "1e-5", "f:1e-05"},
		{opschema.AttrFloat, 2, "f:2"},
		{opschema.AttrFloats, "0.5,1", "floats:0.5 floats:1"},
		{opschema.AttrString, "nearest", `s:"nearest"`},
		{opschema.AttrStrings, "a,b", `strings:"a" strings:"b"`},
		{opschema.AttrUndefined, "3", "i:3"},
		{opschema.AttrUndefined, "1,2", "ints:1 ints:2"},
		{opschema.AttrUndefined, "x", `s:"x"`},
	}
	for _, c := range cases {
		a, err := onnxgraph.NewAttr("k", c.typ, c.v)
		if err != nil {
			t.Errorf("NewAttr(%v, %v): %v", c.typ, c.v, err)
			continue
		}
		got := strings.Join(strings.Fields(strings.NewReplacer("name:\"k\"", "", "type:", "").Replace(fmt.Sprint(a))), " ")
		if !strings.Contains(got, c.want) {
			t.Errorf("NewAttr(%v, %v) = %s, want %s", c.typ, c.v, got, c.want)
		}
	}
	for _, bad := range []struct {
		typ opschema.AttrType
		v   any
	}{{opschema.AttrInt, "x"}, {opschema.AttrInt, 1.5}, {opschema.AttrInts, 3}, {opschema.AttrFloat, "fast"}, {opschema.AttrString, 3}} {
		if _, err := onnxgraph.NewAttr("k", bad.typ, bad.v); !errors.Is(err, onnxgraph.ErrSchema) {
			t.Errorf("NewAttr(%v, %v) = %v, want ErrSchema", bad.typ, bad.v, err)
		}
	}
}

// A model built in a dozen lines: a small classifier, checked against the
// operator schemas as each node is added.
func ExampleBuilder() {
	b := onnxgraph.NewBuilder(17)
	x := b.Input("image", onnxgraph.Float, onnxgraph.DimParam("N"), onnxgraph.DimOf(1), onnxgraph.DimOf(28), onnxgraph.DimOf(28))
	w := b.Const("conv.weight", 0, []int64{8, 1, 5, 5}, make([]float32, 8*25))
	h := b.Op("Conv", onnxgraph.Attrs{"kernel_shape": "5,5", "strides": []int{2, 2}}, x, w)
	h = b.Op("Relu", nil, h)
	h = b.Op("Flatten", onnxgraph.Attrs{"axis": 1}, h)
	fc := b.Const("fc.weight", 0, []int64{10, 8 * 12 * 12}, make([]float32, 10*8*12*12))
	h = b.Op("Gemm", onnxgraph.Attrs{"transB": 1}, h, fc)
	b.Output(b.Op("Softmax", nil, h), onnxgraph.DimParam("N"), onnxgraph.DimOf(10))
	m, err := b.Build()
	fmt.Println(err, onnxgraph.Validate(m, nil), m.Graph().NumNodes())

	// Schema checks: a misspelt attribute is an error.
	b.Op("Transpose", onnxgraph.Attrs{"perms": "0,1"}, h)
	fmt.Println(b.Err())
	// Output:
	// <nil> <nil> 5
	// onnxgraph: Transpose-13 has no attribute "perms"
}

func ExampleNewAttr() {
	a, _ := onnxgraph.NewAttr("perm", opschema.AttrInts, "0,2,3,1")
	fmt.Println(a.GetType(), a.GetInts())
	_, err := onnxgraph.NewAttr("perm", opschema.AttrInts, 1.5)
	fmt.Println(err)
	// Output:
	// INTS [0 2 3 1]
	// onnxgraph: attribute "perm": 1.5 (float64) is not INTS
}

// TestBuilderCatchesWhatValidateRefuses: an output added without dims is
// refused by Build with the rule Validate gives, unless the builder has a
// type source to fill it; dims are typed (Dims(1, 3)... compiles).
func TestBuilderCatchesWhatValidateRefuses(t *testing.T) {
	build := func(b *onnxgraph.Builder) (*onnxgraph.Model, error) {
		x := b.Input("x", onnxgraph.Float, onnxgraph.DimParam("N"), onnxgraph.DimOf(3))
		b.Output(b.Op("Relu", nil, x))
		return b.Build()
	}
	_, err := build(onnxgraph.NewBuilder(17))
	var ce *onnxgraph.CheckError
	if !errors.As(err, &ce) || !ce.Has(onnxgraph.RuleValueType) {
		t.Errorf("Build of an output without dims: %v", err)
	}
	m, err := build(onnxgraph.NewBuilder(17).Infer(shapeinfer.Types(nil)))
	if err != nil {
		t.Fatal(err)
	}
	sane(t, m)
	if dims, names, ok := m.Graph().Outputs()[0].Shape(); !ok || len(dims) != 2 || names[0] != "N" || dims[1] != 3 {
		t.Errorf("inferred output shape %v %v %v", dims, names, ok)
	}
}
