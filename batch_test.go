package onnxgraph_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
)

// e6BatchModel: x[1,3,4,4] -> Reshape([1,48]) -> Gemm -> + Expand(bias,
// [1,10]) -> y[1,10]; the Reshape's shape constant is shared with a
// Reshape of a constant, and the model has a second input "scale" of
// shape [2] that does not carry the batch.
func e6BatchModel(t testing.TB) *onnxgraph.Model {
	t.Helper()
	b := onnxgraph.NewBuilder(17)
	x := b.Input("x", onnxgraph.Float, onnxgraph.Dims(1, 3, 4, 4)...)
	scale := b.Input("scale", onnxgraph.Float, onnxgraph.Dims(2)...)
	shape := b.Const("shape", onnxgraph.Int64, nil, []int64{1, 48})
	r := b.Op("Reshape", nil, x, shape)
	w := b.Const("w", 0, []int64{10, 48}, e6Ramp(480))
	g := b.Op("Gemm", onnxgraph.Attrs{"transB": 1}, r, w)
	bias := b.Op("Expand", nil, b.Const("bias", 0, []int64{10}, e6Ramp(10)), b.Const("target", onnxgraph.Int64, nil, []int64{1, 10}))
	k := b.Op("Reshape", nil, b.Const("k", 0, []int64{48}, e6Ramp(48)), shape)
	kk := b.Op("ReduceSum", onnxgraph.Attrs{"keepdims": 0}, k)
	y := b.Node(onnxgraph.NodeSpec{Op: "Add", Inputs: []any{b.Op("Add", nil, g, bias), kk}, Outputs: []string{"y"}}).Output(0)
	b.Output(y, onnxgraph.Dims(1, 10)...)
	b.Output(b.Op("Mul", nil, scale, scale), onnxgraph.Dims(2)...)
	m, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSetBatch(t *testing.T) {
	m := e6BatchModel(t)
	var r onnxgraph.SetBatchReport
	if err := m.SetBatch(onnxgraph.DimOf(4), &onnxgraph.SetBatchOptions{Check: e6Infer}, &r).Err(); err != nil {
		t.Fatal(err)
	}
	e6Sane(t, m)
	g := m.Graph()
	if got := e6Shape(g.Inputs()[0]) + " " + e6Shape(g.Inputs()[1]) + " " + e6Shape(g.Outputs()[0]) + " " + e6Shape(g.Outputs()[1]); got != "[4,3,4,4] [2] [4,10] [2]" {
		t.Errorf("shapes %s", got)
	}
	if r.OldBatch != onnxgraph.DimOf(1) || !slices.Equal(r.Inputs, []string{"x"}) || !slices.Equal(r.Outputs, []string{"y"}) {
		t.Errorf("report %+v", r)
	}
	want := []string{
		`"Reshape_0"(Reshape) input "shape": [1 48] -> [4 48] (copy)`,
		`"Expand_0"(Expand) input "target": [1 10] -> [4 10]`,
	}
	if !slices.Equal(r.Constants, want) {
		t.Errorf("constants:\n%s\nwant\n%s", strings.Join(r.Constants, "\n"), strings.Join(want, "\n"))
	}
	// The shared shape constant still says [1,48] for the other Reshape.
	shape, _ := g.Value("shape")
	if vals, _ := shape.Initializer().Int64s(); !slices.Equal(vals, []int64{1, 48}) || shape.NumUses() != 1 {
		t.Errorf("shared constant changed under its other reader: %v, %d uses", vals, shape.NumUses())
	}

	// A named batch: the Reshape gets -1; the Expand target cannot hold a
	// name and is reported.
	m = e6BatchModel(t)
	r = onnxgraph.SetBatchReport{}
	if err := m.SetBatch(onnxgraph.DimParam("N"), &onnxgraph.SetBatchOptions{Check: e6Infer}, &r).Err(); err != nil {
		t.Fatal(err)
	}
	if len(r.Constants) != 1 || !strings.Contains(r.Constants[0], "[1 48] -> [-1 48]") || len(r.Unsound) != 1 || !strings.Contains(r.Unsound[0], `"target"`) {
		t.Errorf("named batch: %+v", r)
	}
	if got := e6Shape(m.Graph().Outputs()[0]); got != "[N,10]" {
		t.Errorf("output %s", got)
	}
	e6Sane(t, m)
}

func TestSetBatchInputsAndOutputsSeparately(t *testing.T) {
	m := e6BatchModel(t)
	var r onnxgraph.SetBatchReport
	if err := m.SetBatch(onnxgraph.DimParam("N"), &onnxgraph.SetBatchOptions{InputsOnly: true}, &r).Err(); err != nil {
		t.Fatal(err)
	}
	if got := e6Shape(m.Graph().Inputs()[0]) + " " + e6Shape(m.Graph().Outputs()[0]); got != "[N,3,4,4] [1,10]" {
		t.Errorf("inputs only: %s", got)
	}
	m = e6BatchModel(t)
	if err := m.SetBatch(onnxgraph.DimOf(1), &onnxgraph.SetBatchOptions{Inputs: []string{"scale"}, Outputs: []string{"Mul_0"}}, &r).Err(); err != nil {
		t.Fatal(err)
	}
	if got := e6Shape(m.Graph().Inputs()[1]) + " " + e6Shape(m.Graph().Outputs()[1]); got != "[1] [1]" {
		t.Errorf("named inputs and outputs: %s", got)
	}
}

func TestSetBatchErrorsLeaveModelUnchanged(t *testing.T) {
	cases := []struct {
		batch    onnxgraph.Dim
		opts     onnxgraph.SetBatchOptions
		sentinel error
		want     string
	}{
		{onnxgraph.DimOf(2), onnxgraph.SetBatchOptions{Inputs: []string{"nope"}}, onnxgraph.ErrNotFound, `"nope" is not an input`},
		{onnxgraph.DimOf(2), onnxgraph.SetBatchOptions{Outputs: []string{"x"}}, onnxgraph.ErrNotFound, `"x" is not an output`},
		{onnxgraph.DimOf(2), onnxgraph.SetBatchOptions{InputsOnly: true, Outputs: []string{"y"}}, onnxgraph.ErrInvalid, "exclude each other"},
		{onnxgraph.Dim{Size: 2, Param: "N"}, onnxgraph.SetBatchOptions{}, onnxgraph.ErrInvalid, "bad batch"},
		// Inputs at batch 2, outputs left at 1: shape inference objects.
		{onnxgraph.DimOf(2), onnxgraph.SetBatchOptions{InputsOnly: true, Check: e6Infer}, nil, "shape inference"},
	}
	for i, c := range cases {
		m := e6BatchModel(t)
		before := e6Bytes(t, m)
		err := m.SetBatch(c.batch, &c.opts, nil).Err()
		if err == nil || (c.sentinel != nil && !errors.Is(err, c.sentinel)) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("case %d: err = %v, want %v with %q", i, err, c.sentinel, c.want)
			continue
		}
		if e6Bytes(t, m) != before {
			t.Errorf("case %d: the failed SetBatch changed the model", i)
		}
		e6Sane(t, m)
	}
	// A scalar input has no batch dim.
	b := onnxgraph.NewBuilder(17)
	s := b.Input("s", onnxgraph.Float)
	b.Output(b.Op("Neg", nil, s))
	m, _ := b.Build()
	if err := m.SetBatch(onnxgraph.DimOf(2), &onnxgraph.SetBatchOptions{Inputs: []string{"s"}}, nil).Err(); !errors.Is(err, onnxgraph.ErrShape) {
		t.Errorf("scalar input: %v", err)
	}
}

func TestSetBatchSuite(t *testing.T) {
	// pytorch-operator/test_operator_view reshapes its input with a
	// constant shape carrying the batch.
	for _, name := range []string{"pytorch-operator/test_operator_view", "pytorch-converted/test_Linear", "node/test_reshape_reordered_all_dims"} {
		m := e6Suite(t, name)
		var r onnxgraph.SetBatchReport
		if err := m.SetBatch(onnxgraph.DimParam("batch"), &onnxgraph.SetBatchOptions{Check: e6Infer}, &r).Err(); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		e6Sane(t, m)
		t.Logf("%s: %+v", name, r)
	}
}

func ExampleModel_SetBatch() {
	b := onnxgraph.NewBuilder(17)
	x := b.Input("x", onnxgraph.Float, onnxgraph.Dims(1, 3, 2, 2)...)
	flat := b.Op("Reshape", nil, x, []int64{1, 12})
	b.Output(b.Node(onnxgraph.NodeSpec{Op: "Relu", Inputs: []any{flat}, Outputs: []string{"y"}}).Output(0), onnxgraph.Dims(1, 12)...)
	m, _ := b.Build()

	var r onnxgraph.SetBatchReport
	err := m.SetBatch(onnxgraph.DimParam("N"), nil, &r).Err()
	fmt.Println(err, r.Inputs, r.Outputs)
	fmt.Println(r.Constants)
	// Output:
	// <nil> [x] [y]
	// ["Reshape_0"(Reshape) input "Reshape_0_shape": [1 12] -> [-1 12]]
}

// TestSetBatchExporterSymbolOutput: an exporter names an output's batch
// dim "DynamicDimension.2" although the graph is batch-major; inference
// shows it is the batch, so SetBatch changes it too and says why, while an
// output whose dim 0 is not the batch is left with the reason.
func TestSetBatchExporterSymbolOutput(t *testing.T) {
	m := onnxgraph.NewModel(8, map[string]int64{"": 13})
	g := m.Graph()
	x, _ := g.AddInput("x", onnxgraph.TensorType(onnxgraph.Float, []onnxgraph.Dim{onnxgraph.DimParam("N"), onnxgraph.DimOf(3)}))
	y := edNode(t, g, "relu", "Relu", []*onnxgraph.Value{x}, []string{"y"})
	z := edNode(t, g, "sum", "ReduceSum", []*onnxgraph.Value{x}, []string{"z"}, onnxgraph.AttrInts("axes", 0))
	for _, o := range []struct {
		v   *onnxgraph.Value
		dim string
	}{{y, "DynamicDimension.2"}, {z, "M"}} {
		if err := g.AddOutput(o.v, onnxgraph.TensorType(onnxgraph.Float, []onnxgraph.Dim{onnxgraph.DimParam(o.dim), onnxgraph.DimOf(3)})); err != nil {
			t.Fatal(err)
		}
	}
	// A hook that infers on the model a value belongs to, as the CLI's does.
	typeOf := func(v *onnxgraph.Value) *onnxproto.TypeProto { return edInferred(t, v.Graph().Model())(v) }
	r, err := onnxgraph.SetBatchModel(m, onnxgraph.DimParam("B"), &onnxgraph.SetBatchOptions{TypeOf: typeOf})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Sanity(); err != nil {
		t.Fatal(err)
	}
	if got := edOutNames(g); !slices.Equal(r.Outputs, []string{"y"}) {
		t.Errorf("outputs changed %v of %v", r.Outputs, got)
	}
	if d, _, _ := y.Shape(); len(d) != 2 {
		t.Fatalf("y lost its shape")
	}
	if _, names, _ := y.Shape(); names[0] != "B" {
		t.Errorf("y's dim 0 is %q, want B", names[0])
	}
	if _, names, _ := z.Shape(); names[0] != "M" {
		t.Errorf("z's dim 0 is %q, want M (left alone)", names[0])
	}
	if len(r.Inferred) != 1 || !strings.Contains(r.Inferred[0], "DynamicDimension.2") || len(r.Skipped) != 1 || !strings.Contains(r.Skipped[0], "z [M,3]") {
		t.Errorf("report: inferred %q, skipped %q", r.Inferred, r.Skipped)
	}
}
