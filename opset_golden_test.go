package onnxgraph_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph"
)

func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files under testdata")
	}
}

func e6Updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// e6Dump renders a model's opset, initializers and nodes, one per line.
func e6Dump(m *onnxgraph.Model) string {
	var b strings.Builder
	v, _ := m.Opset("")
	fmt.Fprintf(&b, "opset %d, ir_version %d\n", v, m.IRVersion())
	var dump func(g *onnxgraph.Graph, indent string)
	dump = func(g *onnxgraph.Graph, indent string) {
		for _, init := range g.Initializers() {
			t := init.Initializer()
			vals, _ := t.Values()
			fmt.Fprintf(&b, "%sinit %s %s%v = %v\n", indent, init.Name(), onnxgraph.DataTypeName(t.DataType()), t.Dims(), vals)
		}
		for _, n := range g.Nodes() {
			var attrs []string
			for _, a := range n.Attrs() {
				attrs = append(attrs, strings.Join(strings.Fields(fmt.Sprint(a)), " "))
			}
			fmt.Fprintf(&b, "%s%s = %s(%s) %s\n", indent, strings.Join(n.Proto().Output, ", "), n.OpType(), strings.Join(n.Proto().Input, ", "), strings.Join(attrs, "; "))
			for _, s := range n.Subgraphs() {
				dump(s, indent+"  ")
			}
		}
	}
	dump(m.Graph(), "")
	return b.String()
}

// TestSetOpsetGolden converts builder-made models and compares the result
// with testdata/setopset/NAME.golden (go test -run TestSetOpsetGolden
// -update rewrites them). Converting a second time to the same opset
// changes nothing.
func TestSetOpsetGolden(t *testing.T) {
	f32 := onnxgraph.Float
	cases := []struct {
		name     string
		from, to int64
		build    func(b *onnxgraph.Builder)
	}{
		{"softmax11_to_13", 11, 13, func(b *onnxgraph.Builder) {
			x := b.Input("x", f32, onnxgraph.Dims(2, 3, 4)...)
			b.Output(b.Op("Softmax", onnxgraph.Attrs{"axis": 1}, b.Op("Softmax", nil, b.Op("Relu", nil, x))), onnxgraph.Dims(2, 3, 4)...)
		}},
		{"softmax13_to_11", 13, 11, func(b *onnxgraph.Builder) {
			b.Output(b.Op("LogSoftmax", onnxgraph.Attrs{"axis": 1}, b.Input("x", f32, onnxgraph.Dims(2, 3, 4)...)), onnxgraph.Dims(2, 3, 4)...)
		}},
		{"attrs10_to_18", 10, 18, func(b *onnxgraph.Builder) {
			x := b.Input("x", f32, onnxgraph.Dims(2, 4, 3)...)
			r := b.Op("ReduceMean", onnxgraph.Attrs{"axes": []int{2}}, x)
			s := b.Op("Squeeze", onnxgraph.Attrs{"axes": []int{2}}, r)
			p := b.Op("Pad", onnxgraph.Attrs{"pads": "0,1,0,1", "value": 2}, s)
			c := b.Op("Clip", onnxgraph.Attrs{"min": 0, "max": 6}, p)
			n := b.Node(onnxgraph.NodeSpec{Op: "Split", Inputs: []any{c}, Attrs: onnxgraph.Attrs{"axis": 1}, NumOutputs: 2})
			b.Output(n.Output(0), onnxgraph.Dims(4, 3)...)
			b.Output(n.Output(1), onnxgraph.Dims(4, 3)...)
		}},
		{"attrs18_to_10", 18, 10, func(b *onnxgraph.Builder) {
			x := b.Input("x", f32, onnxgraph.Dims(2, 4, 3)...)
			r := b.Op("ReduceMean", nil, x, []int64{2})
			s := b.Op("Squeeze", nil, r, []int64{2})
			p := b.Op("Pad", nil, s, []int64{0, 1, 0, 1}, float32(2))
			c := b.Op("Clip", nil, p, float32(0), float32(6))
			n := b.Node(onnxgraph.NodeSpec{Op: "Split", Inputs: []any{c}, Attrs: onnxgraph.Attrs{"axis": 1, "num_outputs": 2}, NumOutputs: 2})
			b.Output(n.Output(0), onnxgraph.Dims(4, 3)...)
			b.Output(n.Output(1), onnxgraph.Dims(4, 3)...)
		}},
		{"upsample9_to_13", 9, 13, func(b *onnxgraph.Builder) {
			b.Output(b.Op("Upsample", nil, b.Input("x", f32, onnxgraph.Dims(1, 1, 2, 2)...), []float32{1, 1, 2, 2}), onnxgraph.Dims(1, 1, 4, 4)...)
		}},
		{"broadcast5_to_13", 5, 13, func(b *onnxgraph.Builder) {
			x := b.Input("x", f32, onnxgraph.Dims(2, 3, 4, 5)...)
			y := b.Op("Mul", onnxgraph.Attrs{"broadcast": 1, "axis": 1}, x, b.Const("s", 0, []int64{3, 4}, make([]float32, 12)))
			z := b.Op("Add", onnxgraph.Attrs{"broadcast": 1, "axis": 1}, x, b.Input("bias", f32, onnxgraph.Dims(3)...))
			w := b.Op("Sub", onnxgraph.Attrs{"broadcast": 1}, x, b.Input("last", f32, onnxgraph.Dims(5)...))
			b.Output(b.Op("Relu", onnxgraph.Attrs{"consumed_inputs": []int{0}}, y), onnxgraph.Dims(2, 3, 4, 5)...)
			b.Output(z, onnxgraph.Dims(2, 3, 4, 5)...)
			b.Output(w, onnxgraph.Dims(2, 3, 4, 5)...)
		}},
	}
	for _, c := range cases {
		b := onnxgraph.NewBuilder(c.from)
		c.build(b)
		m, err := b.Build()
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var r onnxgraph.SetOpsetReport
		if err := m.SetOpset("", c.to, &onnxgraph.SetOpsetOptions{Convert: true}, &r).Err(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		e6Sane(t, m)
		got := e6Dump(m) + "\n" + strings.Join(r.Converted, "\n") + "\n"
		path := filepath.Join("testdata", "setopset", c.name+".golden")
		if e6Updating() {
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%s: %v (run with -update to create it)", c.name, err)
		}
		if got != string(want) {
			t.Errorf("%s: differs from %s:\n%s", c.name, path, got)
		}
		// Idempotent: converting again to the same opset changes nothing.
		before := e6Bytes(t, m)
		if err := m.SetOpset("", c.to, &onnxgraph.SetOpsetOptions{Convert: true}, nil).Err(); err != nil || e6Bytes(t, m) != before {
			t.Errorf("%s: a second conversion changed the model (%v)", c.name, err)
		}
	}
}
