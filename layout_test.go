package onnxgraph_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph"
)

// e6ImageModel: image[1,3,8,6] (NCHW) -> Conv 1x1 (3 -> 3) -> y[1,3,8,6].
func e6ImageModel(t testing.TB) *onnxgraph.Model {
	t.Helper()
	b := onnxgraph.NewBuilder(17)
	x := b.Input("image", onnxgraph.Float, onnxgraph.DimParam("N"), onnxgraph.DimOf(3), onnxgraph.DimOf(8), onnxgraph.DimOf(6))
	w := b.Const("w", 0, []int64{3, 3, 1, 1}, []float32{1, 0.5, 0, 0, 1, 0.25, 0.125, 0, 1})
	y := b.Node(onnxgraph.NodeSpec{Op: "Conv", Inputs: []any{x, w}, Outputs: []string{"y"}})
	b.Output(y.Output(0), onnxgraph.DimParam("N"), onnxgraph.DimOf(3), onnxgraph.DimOf(8), onnxgraph.DimOf(6))
	m, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSetLayoutInputsAndOutputs(t *testing.T) {
	for _, swap := range []onnxgraph.SwapMethod{onnxgraph.SwapGather, onnxgraph.SwapSplitConcat} {
		m := e6ImageModel(t)
		opts := &onnxgraph.LayoutOptions{
			Inputs:  []onnxgraph.LayoutChange{{Name: "image", Layout: "NHWC", SwapRGB: true}},
			Outputs: []onnxgraph.LayoutChange{{Name: "y", Layout: "NHWC"}},
			Swap:    swap,
		}
		var r onnxgraph.LayoutReport
		if err := m.SetLayout(opts, &r).Err(); err != nil {
			t.Fatal(err)
		}
		e6Sane(t, m)
		g := m.Graph()
		if got := e6Shape(g.Inputs()[0]) + " " + g.Outputs()[0].Name() + e6Shape(g.Outputs()[0]); got != "[N,8,6,3] y[N,8,6,3]" {
			t.Errorf("shapes %s", got)
		}
		want := "Transpose Gather Conv Transpose"
		if swap == onnxgraph.SwapSplitConcat {
			want = "Transpose Split Concat Conv Transpose"
		}
		if got := e6Ops(g); got != want {
			t.Errorf("ops %s, want %s", got, want)
		}
		if len(r.Renamed) != 1 || r.Renamed[0].Old != "y" || r.Renamed[0].New != "y_nchw" {
			t.Errorf("renamed %+v", r.Renamed)
		}
		perm := g.Nodes()[0].Attr("perm").GetInts()
		if fmt.Sprint(perm) != "[0 3 1 2]" {
			t.Errorf("input transpose perm %v", perm)
		}
		if p := g.Nodes()[len(g.Nodes())-1].Attr("perm").GetInts(); fmt.Sprint(p) != "[0 2 3 1]" {
			t.Errorf("output transpose perm %v", p)
		}
		if ch := g.Nodes()[1].Attr("axis").GetI(); ch != 1 {
			t.Errorf("channel axis %d (in the model's NCHW), want 1", ch)
		}
	}
}

func TestSetLayoutExplicitAndSwapOnly(t *testing.T) {
	m := e6ImageModel(t)
	// Swap only; channel axis from the (model's) layout.
	if err := m.SetLayout(&onnxgraph.LayoutOptions{Inputs: []onnxgraph.LayoutChange{{Name: "image", ModelLayout: "NCHW", SwapRGB: true}}}, nil).Err(); err != nil {
		t.Fatal(err)
	}
	if got := e6Ops(m.Graph()); got != "Gather Conv" {
		t.Errorf("ops %s", got)
	}
	// Explicit from:to, on the output.
	if err := m.SetLayout(&onnxgraph.LayoutOptions{Outputs: []onnxgraph.LayoutChange{{Name: "y", ModelLayout: "NCHW", Layout: "NHWC"}}}, nil).Err(); err != nil {
		t.Fatal(err)
	}
	e6Sane(t, m)
	c, err := onnxgraph.ParseLayoutChange("image=NCHW:NHWC")
	if err != nil || c.ModelLayout != "NCHW" || c.Layout != "NHWC" || c.Name != "image" {
		t.Errorf("ParseLayoutChange = %+v, %v", c, err)
	}
}

func TestSetLayoutErrorsLeaveModelUnchanged(t *testing.T) {
	cases := []struct {
		opts     onnxgraph.LayoutOptions
		sentinel error
		want     string
	}{
		{onnxgraph.LayoutOptions{Inputs: []onnxgraph.LayoutChange{{Name: "img", Layout: "NHWC"}}}, onnxgraph.ErrNotFound, `"img" is not an input`},
		{onnxgraph.LayoutOptions{Outputs: []onnxgraph.LayoutChange{{Name: "image", Layout: "NHWC"}}}, onnxgraph.ErrNotFound, `"image" is not an output`},
		{onnxgraph.LayoutOptions{Inputs: []onnxgraph.LayoutChange{{Name: "image", Layout: "NHW"}}}, onnxgraph.ErrShape, "3 letters for rank 4"},
		{onnxgraph.LayoutOptions{Inputs: []onnxgraph.LayoutChange{{Name: "image", Layout: "NHWW"}}}, onnxgraph.ErrShape, "letter W twice"},
		{onnxgraph.LayoutOptions{Inputs: []onnxgraph.LayoutChange{{Name: "image", Layout: "NHWC", ModelLayout: "NCDW"}}}, onnxgraph.ErrShape, "do not have the same letters"},
		{onnxgraph.LayoutOptions{Inputs: []onnxgraph.LayoutChange{{Name: "image", Layout: "NCHW"}}}, onnxgraph.ErrInvalid, "nothing to change"},
		{onnxgraph.LayoutOptions{Inputs: []onnxgraph.LayoutChange{{Name: "image", Layout: "NHWC", ModelLayout: "NHCW", SwapRGB: true}}}, onnxgraph.ErrShape, "has 8 channels, not 3"},
		{onnxgraph.LayoutOptions{}, onnxgraph.ErrInvalid, "no layout change"},
	}
	for i, c := range cases {
		m := e6ImageModel(t)
		before := e6Bytes(t, m)
		err := m.SetLayout(&c.opts, nil).Err()
		if !errors.Is(err, c.sentinel) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("case %d: err = %v, want %v with %q", i, err, c.sentinel, c.want)
			continue
		}
		if e6Bytes(t, m) != before {
			t.Errorf("case %d: the failed SetLayout changed the model", i)
		}
	}
}

func ExampleModel_SetLayout() {
	b := onnxgraph.NewBuilder(17)
	x := b.Input("image", onnxgraph.Float, onnxgraph.Dims(1, 3, 224, 224)...)
	b.Output(b.Node(onnxgraph.NodeSpec{Op: "Relu", Inputs: []any{x}, Outputs: []string{"features"}}).Output(0), onnxgraph.Dims(1, 3, 224, 224)...)
	m, _ := b.Build()

	// Feed NHWC BGR images to a model that expects NCHW RGB, and read
	// its output as NHWC.
	var r onnxgraph.LayoutReport
	err := m.SetLayout(&onnxgraph.LayoutOptions{
		Inputs:  []onnxgraph.LayoutChange{{Name: "image", Layout: "NHWC", SwapRGB: true}},
		Outputs: []onnxgraph.LayoutChange{{Name: "features", Layout: "NHWC"}},
	}, &r).Err()
	fmt.Println(err)
	fmt.Println(strings.Join(append(r.Inputs, r.Outputs...), "\n"))
	// Output:
	// <nil>
	// image: NCHW [1,3,224,224] -> NHWC [1,224,224,3], channels reversed on axis 1
	// features: NCHW [1,3,224,224] -> NHWC [1,224,224,3]
}
