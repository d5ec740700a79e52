package onnxgraph_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
)

// e6Infer is a SetDims/SetBatch check: shape inference must find no
// conflict with a declared type.
func e6Infer(m *onnxgraph.Model) error {
	res, err := shapeinfer.Infer(m, nil)
	if err != nil {
		return err
	}
	if len(res.Conflicts) > 0 {
		return fmt.Errorf("onnxgraph: shape inference: %v", res.Conflicts[0])
	}
	return nil
}

// e6Shape renders v's declared shape.
func e6Shape(v *onnxgraph.Value) string {
	d, names, ok := v.Shape()
	if !ok {
		return "?"
	}
	parts := make([]string, len(d))
	for i := range d {
		switch {
		case d[i] >= 0:
			parts[i] = fmt.Sprint(d[i])
		case names[i] != "":
			parts[i] = names[i]
		default:
			parts[i] = "?"
		}
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func TestParseDims(t *testing.T) {
	cases := map[string]string{
		"1,3,H,W":     "[1,3,H,W]",
		"[N, 1000]":   "[N,1000]",
		"?,-1,batch":  "[?,?,batch]",
		"":            "[]",
		"[]":          "[]",
		" 2 , 'seq' ": "[2,seq]",
	}
	for in, want := range cases {
		d, err := onnxgraph.ParseDims(in)
		if err != nil || onnxgraph.FormatDims(d) != want {
			t.Errorf("ParseDims(%q) = %v, %v; want %s", in, onnxgraph.FormatDims(d), err, want)
		}
	}
	for _, bad := range []string{"1,,2", "-3"} {
		if _, err := onnxgraph.ParseDims(bad); !errors.Is(err, onnxgraph.ErrInvalid) {
			t.Errorf("ParseDims(%q) = %v", bad, err)
		}
	}
}

func TestSetDims(t *testing.T) {
	m := e6Classifier(t)
	// Record inferred shapes first: SetDims must clear the stale ones.
	if _, err := shapeinfer.Infer(m, &shapeinfer.Options{WriteBack: true}); err != nil {
		t.Fatal(err)
	}
	dims := map[string][]onnxgraph.Dim{
		"x": {onnxgraph.DimParam("B"), onnxgraph.DimOf(3), onnxgraph.DimOf(8), onnxgraph.DimOf(8)},
		"y": {onnxgraph.DimParam("B"), onnxgraph.DimOf(10)},
	}
	var r onnxgraph.SetDimsReport
	if err := m.SetDims(dims, &onnxgraph.SetDimsOptions{Check: e6Infer}, &r).Err(); err != nil {
		t.Fatal(err)
	}
	e6Sane(t, m)
	g := m.Graph()
	if got := e6Shape(g.Inputs()[0]) + " " + e6Shape(g.Outputs()[0]); got != "[B,3,8,8] [B,10]" {
		t.Errorf("shapes %s", got)
	}
	if len(r.Changed) != 2 || len(r.Cleared) == 0 {
		t.Errorf("report %+v", r)
	}
	relu, _ := g.Value("Relu_0")
	if got := e6Shape(relu); got != "?" {
		t.Errorf("stale value_info kept: Relu_0 %s", got)
	}
	if relu.ElemType() != onnxgraph.Float {
		t.Errorf("element type lost: %v", relu.ElemType())
	}
}

func TestSetDimsErrorsLeaveModelUnchanged(t *testing.T) {
	cases := []struct {
		dims     map[string][]onnxgraph.Dim
		check    func(*onnxgraph.Model) error
		sentinel error
		want     string
	}{
		{map[string][]onnxgraph.Dim{"z": onnxgraph.Dims(1)}, nil, onnxgraph.ErrNotFound, `"z" is not an input or output`},
		{map[string][]onnxgraph.Dim{"x": onnxgraph.Dims(1, 3, 8)}, nil, onnxgraph.ErrShape, `"x" has rank 4 ([N,3,8,8]); [1,3,8] has rank 3`},
		{map[string][]onnxgraph.Dim{"y": onnxgraph.Dims(1, 10, 1)}, nil, onnxgraph.ErrShape, `"y" has rank 2`},
		{map[string][]onnxgraph.Dim{"conv.w": onnxgraph.Dims(4, 3, 3, 3)}, nil, onnxgraph.ErrNotFound, "not an input or output"},
		// A shape that contradicts the model: shape inference rejects it.
		{map[string][]onnxgraph.Dim{"x": onnxgraph.Dims(1, 5, 8, 8)}, func(m *onnxgraph.Model) error {
			res, err := shapeinfer.Infer(m, &shapeinfer.Options{Strict: true})
			if err == nil && len(res.Problems) > 0 {
				err = res.Problems[0]
			}
			return err
		}, nil, "Conv"},
	}
	for i, c := range cases {
		m := e6Classifier(t)
		before := e6Bytes(t, m)
		err := m.SetDims(c.dims, &onnxgraph.SetDimsOptions{Check: c.check}, nil).Err()
		if err == nil || (c.sentinel != nil && !errors.Is(err, c.sentinel)) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("case %d: err = %v, want %v with %q", i, err, c.sentinel, c.want)
			continue
		}
		if e6Bytes(t, m) != before {
			t.Errorf("case %d: the failed SetDims changed the model", i)
		}
		e6Sane(t, m)
	}
}

func ExampleModel_SetDims() {
	b := onnxgraph.NewBuilder(17)
	x := b.Input("x", onnxgraph.Float, onnxgraph.Dims(1, 3, 224, 224)...)
	b.Output(b.Op("Relu", nil, x), onnxgraph.Dims(1, 3, 224, 224)...)
	m, _ := b.Build()

	dims := map[string][]onnxgraph.Dim{
		"x":      {onnxgraph.DimParam("N"), onnxgraph.DimOf(3), onnxgraph.DimParam("H"), onnxgraph.DimParam("W")},
		"Relu_0": {onnxgraph.DimParam("N"), onnxgraph.DimOf(3), onnxgraph.DimParam("H"), onnxgraph.DimParam("W")},
	}
	var r onnxgraph.SetDimsReport
	fmt.Println(m.SetDims(dims, nil, &r).Err())
	fmt.Println(strings.Join(r.Changed, "\n"))

	// Dims of the wrong rank are an error.
	err := m.SetDims(map[string][]onnxgraph.Dim{"x": onnxgraph.Dims(1, 3)}, nil, nil).Err()
	fmt.Println(errors.Is(err, onnxgraph.ErrShape))
	// Output:
	// <nil>
	// Relu_0: [1,3,224,224] -> [N,3,H,W]
	// x: [1,3,224,224] -> [N,3,H,W]
	// true
}
