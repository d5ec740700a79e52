package simplify_test

import (
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/simplify"
	"google.golang.org/protobuf/proto"
)

type attrs = onnxgraph.Attrs

// passCase builds a model, simplifies it (checked as simplifyChecked
// does) and compares the operator counts after with want (operators not
// listed are not checked; 0 means none left).
type passCase struct {
	name  string
	opset int64
	build func(b *onnxgraph.Builder)
	opts  *simplify.Options
	want  map[string]int
	// check, when set, looks further at the result.
	check func(t *testing.T, m *onnxgraph.Model, r *simplify.Report)
	// noRun: the model cannot run (the results are not compared).
	noRun bool
}

func runPassCases(t *testing.T, cases []passCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opset := tc.opset
			if opset == 0 {
				opset = 17
			}
			b := onnxgraph.NewBuilder(opset)
			tc.build(b)
			m, err := b.Build()
			if err != nil {
				t.Fatal(err)
			}
			r := simplifyChecked(t, m, tc.opts, 4, tc.noRun)
			got := opCounts(m)
			for op, n := range tc.want {
				if got[op] != n {
					t.Errorf("%d %s nodes left, want %d (all: %v)", got[op], op, n, got)
				}
			}
			if tc.check != nil {
				tc.check(t, m, r)
			}
		})
	}
}

// leftFor returns the reasons the report gives for nodes of op.
func leftFor(r *simplify.Report, op string) []string {
	var out []string
	for _, l := range r.Left {
		if l.OpType == op {
			out = append(out, l.Reason)
		}
	}
	return out
}

func TestFold(t *testing.T) {
	f32 := onnxgraph.Float
	runPassCases(t, []passCase{
		{name: "chain", build: func(b *onnxgraph.Builder) {
			x := b.Input("x", f32, onnxgraph.Dims(2, 3)...)
			c := b.Op("Mul", nil, b.Op("Add", nil, b.Const("a", f32, []int64{2, 3}, []float32{1, 2, 3, 4, 5, 6}), float32(1)), float32(2))
			b.Output(b.Op("Add", nil, x, b.Op("Sqrt", nil, c)), onnxgraph.Dims(2, 3)...)
		}, want: map[string]int{"Mul": 0, "Sqrt": 0, "Add": 1}},
		{name: "constant nodes become initializers", build: func(b *onnxgraph.Builder) {
			x := b.Input("x", f32, onnxgraph.Dims(3)...)
			k := b.Op("Constant", attrs{"value": mustTensor(t, "k", f32, []int64{3}, []float32{1, 2, 3})})
			b.Output(b.Op("Mul", nil, x, k), onnxgraph.Dims(3)...)
		}, want: map[string]int{"Constant": 0},
			check: func(t *testing.T, m *onnxgraph.Model, _ *simplify.Report) {
				if len(m.Graph().Initializers()) != 1 {
					t.Errorf("%d initializers, want 1", len(m.Graph().Initializers()))
				}
			}},
		{name: "growth over the limit stays", build: func(b *onnxgraph.Builder) {
			x := b.Input("x", f32, onnxgraph.Dims(1024, 1024)...)
			big := b.Op("ConstantOfShape", attrs{"value": mustTensor(t, "", f32, []int64{1}, []float32{2})}, []int64{1024, 1024})
			b.Output(b.Op("Mul", nil, x, big), onnxgraph.Dims(1024, 1024)...)
		}, want: map[string]int{"ConstantOfShape": 1},
			check: func(t *testing.T, m *onnxgraph.Model, r *simplify.Report) {
				why := leftFor(r, "ConstantOfShape")
				if len(why) != 1 || !strings.Contains(why[0], "over the fold limit") {
					t.Errorf("left: %v", r.Left)
				}
			}},
		{name: "growth under a raised limit folds", opts: &simplify.Options{MaxFoldBytes: 8 << 20}, build: func(b *onnxgraph.Builder) {
			x := b.Input("x", f32, onnxgraph.Dims(1024, 1024)...)
			big := b.Op("ConstantOfShape", attrs{"value": mustTensor(t, "", f32, []int64{1}, []float32{2})}, []int64{1024, 1024})
			b.Output(b.Op("Mul", nil, x, big), onnxgraph.Dims(1024, 1024)...)
		}, want: map[string]int{"ConstantOfShape": 0}},
		{name: "a large fold that does not grow the model", build: func(b *onnxgraph.Builder) {
			x := b.Input("x", f32, onnxgraph.Dims(4, 512)...)
			w := make([]float32, 512*1024)
			for i := range w {
				w[i] = float32(i%7) - 3
			}
			wt := b.Op("Transpose", nil, b.Const("w", f32, []int64{1024, 512}, w)) // 2 MiB, over the limit, read once
			b.Output(b.Op("MatMul", nil, x, wt), onnxgraph.Dims(4, 1024)...)
		}, want: map[string]int{"Transpose": 0}},
		{name: "random draws stay", build: func(b *onnxgraph.Builder) {
			x := b.Input("x", f32, onnxgraph.Dims(3)...)
			r := b.Op("RandomUniformLike", attrs{"seed": 1}, b.Const("z", f32, []int64{3}, []float32{0, 0, 0}))
			b.Output(b.Op("Add", nil, x, r), onnxgraph.Dims(3)...)
		}, want: map[string]int{"RandomUniformLike": 1}, noRun: true},
		{name: "QDQ stays", build: qdqModel, want: map[string]int{"DequantizeLinear": 1, "QuantizeLinear": 1}},
		{name: "QDQ folds with FoldQDQ", opts: &simplify.Options{FoldQDQ: true}, build: qdqModel, want: map[string]int{"DequantizeLinear": 0, "QuantizeLinear": 0}},
		{name: "kernel error stays, with the reason", build: func(b *onnxgraph.Builder) {
			x := b.Input("x", onnxgraph.Int64, onnxgraph.Dims(2)...)
			d := b.Op("Div", nil, b.Const("a", onnxgraph.Int64, []int64{2}, []int64{4, 6}), b.Const("z", onnxgraph.Int64, []int64{2}, []int64{2, 0}))
			b.Output(b.Op("Add", nil, x, d), onnxgraph.Dims(2)...)
		}, want: map[string]int{"Div": 1}, noRun: true,
			check: func(t *testing.T, _ *onnxgraph.Model, r *simplify.Report) {
				why := leftFor(r, "Div")
				if len(why) != 1 || !strings.Contains(why[0], "kernel error") {
					t.Errorf("left: %v", r.Left)
				}
			}},
		{name: "an output that becomes constant stays an output", build: func(b *onnxgraph.Builder) {
			x := b.Input("x", f32, onnxgraph.Dims(2)...)
			b.Output(b.Op("Relu", nil, x), onnxgraph.Dims(2)...)
			b.OutputAs(b.Op("Neg", nil, b.Const("c", f32, []int64{2}, []float32{1, -1})), f32, onnxgraph.Dims(2)...)
		}, want: map[string]int{"Neg": 0},
			check: func(t *testing.T, m *onnxgraph.Model, _ *simplify.Report) {
				out := m.Graph().Outputs()[1]
				if out.Initializer() == nil {
					t.Errorf("output %s is not a constant", out.Name())
				}
			}},
	})
}

func qdqModel(b *onnxgraph.Builder) {
	x := b.Input("x", onnxgraph.Float, onnxgraph.Dims(4)...)
	s := b.Const("s", onnxgraph.Float, nil, float32(0.5))
	z := b.Const("z", onnxgraph.Uint8, nil, uint8(3))
	w := b.Op("DequantizeLinear", nil, b.Op("QuantizeLinear", nil, b.Const("w", onnxgraph.Float, []int64{4}, []float32{1, 2, 3, 4}), s, z), s, z)
	b.Output(b.Op("Mul", nil, x, w), onnxgraph.Dims(4)...)
}

func mustTensor(t *testing.T, name string, dt onnxgraph.DataType, dims []int64, vals any) *onnxgraph.Tensor {
	t.Helper()
	tn, err := onnxgraph.NewTensorOf(name, dt, dims, vals)
	if err != nil {
		t.Fatal(err)
	}
	return tn
}

func TestShapes(t *testing.T) {
	f32 := onnxgraph.Float
	// x [N,3,8] -> Reshape(x, Concat(Shape(x)[0], Shape(x)[1:3] product...)).
	exporter := func(b *onnxgraph.Builder) {
		x := b.Input("x", f32, onnxgraph.DimParam("N"), onnxgraph.DimOf(3), onnxgraph.DimOf(8))
		shp := b.Op("Shape", nil, x)
		n := b.Op("Unsqueeze", nil, b.Op("Gather", attrs{"axis": 0}, shp, int64(0)), []int64{0})
		c := b.Op("Unsqueeze", nil, b.Op("Gather", attrs{"axis": 0}, shp, int64(1)), []int64{0})
		b.Output(b.Op("Reshape", nil, x, b.Op("Concat", attrs{"axis": 0}, n, c, []int64{2, 4})), onnxgraph.DimParam("N"), onnxgraph.DimOf(3), onnxgraph.DimOf(2), onnxgraph.DimOf(4))
	}
	runPassCases(t, []passCase{
		{name: "known dims of a partly symbolic shape", build: func(b *onnxgraph.Builder) {
			x := b.Input("x", f32, onnxgraph.DimParam("N"), onnxgraph.DimOf(3), onnxgraph.DimOf(8))
			d := b.Op("Gather", attrs{"axis": 0}, b.Op("Shape", nil, x), []int64{1, 2})
			b.OutputAs(b.Op("Add", nil, d, []int64{1, 1}), onnxgraph.Int64, onnxgraph.Dims(2)...)
		}, want: map[string]int{"Shape": 0, "Gather": 0, "Add": 0}},
		{name: "size", build: func(b *onnxgraph.Builder) {
			x := b.Input("x", f32, onnxgraph.Dims(2, 3, 8)...)
			b.OutputAs(b.Op("Unsqueeze", nil, b.Op("Size", nil, x), []int64{0}), onnxgraph.Int64, onnxgraph.Dims(1)...)
		}, want: map[string]int{"Size": 0}},
		{name: "symbolic batch stays", build: exporter, want: map[string]int{"Shape": 1, "Concat": 1, "Reshape": 1}},
		{name: "fixed input folds the chain", build: exporter,
			opts: &simplify.Options{Inputs: map[string][]onnxgraph.Dim{"x": onnxgraph.Dims(5, 3, 8)}},
			want: map[string]int{"Shape": 0, "Gather": 0, "Unsqueeze": 0, "Concat": 0, "Reshape": 1},
			check: func(t *testing.T, m *onnxgraph.Model, _ *simplify.Report) {
				if dims, _, _ := m.Graph().Inputs()[0].Shape(); dims[0] != 5 {
					t.Errorf("input dims %v, want [5,3,8]", dims)
				}
			}},
	})
}

func TestIf(t *testing.T) {
	f32 := onnxgraph.Float
	build := func(cond bool, outer bool) func(b *onnxgraph.Builder) {
		return func(b *onnxgraph.Builder) {
			b.Input("x", f32, onnxgraph.Dims(3)...)
			c := b.Op("Equal", nil, int64(16000), b.Const("sr", onnxgraph.Int64, nil, map[bool]int64{true: 16000, false: 8000}[cond]))
			then := graphAttr(t, "then_branch", func(s *onnxgraph.Builder) {
				sx := s.Input("x", f32, onnxgraph.Dims(3)...)
				s.Output(s.Op("Relu", nil, s.Op("Mul", nil, sx, float32(2))), onnxgraph.Dims(3)...)
			}, "x")
			els := graphAttr(t, "else_branch", func(s *onnxgraph.Builder) {
				sx := s.Input("x", f32, onnxgraph.Dims(3)...)
				if outer {
					s.Output(s.Op("Identity", nil, sx), onnxgraph.Dims(3)...) // an outer value, through an Identity
					return
				}
				s.Output(s.Op("Neg", nil, sx), onnxgraph.Dims(3)...)
			}, "x")
			y := b.Node(onnxgraph.NodeSpec{Op: "If", Inputs: []any{c}, Outputs: []string{"y"}, Attrs: attrs{"then_branch": then, "else_branch": els}})
			b.OutputAs(y.Output(0), f32, onnxgraph.Dims(3)...)
		}
	}
	for _, tc := range []struct {
		name        string
		cond, outer bool
		want        map[string]int
	}{
		{"then", true, false, map[string]int{"If": 0, "Equal": 0, "Relu": 1, "Mul": 1, "Neg": 0}},
		{"else", false, false, map[string]int{"If": 0, "Neg": 1, "Relu": 0}},
		{"else passes an outer value on", false, true, map[string]int{"If": 0, "Identity": 1, "Relu": 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := onnxgraph.NewBuilder(17)
			build(tc.cond, tc.outer)(b)
			m := reloaded(t, must(b.Build()))
			simplifyChecked(t, m, nil, 4, false)
			got := opCounts(m)
			for op, n := range tc.want {
				if got[op] != n {
					t.Errorf("%d %s, want %d (%v)", got[op], op, n, got)
				}
			}
			if out := m.Graph().Outputs()[0]; out.Name() != "y" {
				t.Errorf("output named %s", out.Name())
			}
		})
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestNoops(t *testing.T) {
	f32 := onnxgraph.Float
	in := func(b *onnxgraph.Builder) *onnxgraph.Value { return b.Input("x", f32, onnxgraph.Dims(2, 3, 4)...) }
	out := func(b *onnxgraph.Builder, v *onnxgraph.Value) {
		b.Output(b.Op("Relu", nil, v), onnxgraph.Dims(2, 3, 4)...)
	}
	cases := []passCase{
		{name: "Identity", build: func(b *onnxgraph.Builder) { out(b, b.Op("Identity", nil, in(b))) }, want: map[string]int{"Identity": 0}},
		{name: "Dropout", build: func(b *onnxgraph.Builder) { out(b, b.Op("Dropout", nil, in(b))) }, want: map[string]int{"Dropout": 0}},
		{name: "Dropout-6 in test mode", opset: 6, build: func(b *onnxgraph.Builder) { out(b, b.Op("Dropout", attrs{"is_test": 1}, in(b))) }, want: map[string]int{"Dropout": 0}},
		{name: "Dropout-6 in training mode stays", opset: 6, build: func(b *onnxgraph.Builder) { out(b, b.Op("Dropout", nil, in(b))) }, want: map[string]int{"Dropout": 1}},
		{name: "Dropout training_mode false", build: func(b *onnxgraph.Builder) {
			out(b, b.Op("Dropout", nil, in(b), float32(0.5), false))
		}, want: map[string]int{"Dropout": 0}},
		{name: "Cast to the same type", build: func(b *onnxgraph.Builder) { out(b, b.Op("Cast", attrs{"to": int64(f32)}, in(b))) }, want: map[string]int{"Cast": 0}},
		{name: "Cast to another type stays", build: func(b *onnxgraph.Builder) {
			b.OutputAs(b.Op("Cast", attrs{"to": int64(onnxgraph.Double)}, in(b)), onnxgraph.Double, onnxgraph.Dims(2, 3, 4)...)
		}, want: map[string]int{"Cast": 1}},
		{name: "Reshape to the same shape", build: func(b *onnxgraph.Builder) { out(b, b.Op("Reshape", nil, in(b), []int64{2, -1, 4})) }, want: map[string]int{"Reshape": 0}},
		{name: "Expand to the same shape", build: func(b *onnxgraph.Builder) { out(b, b.Op("Expand", nil, in(b), []int64{3, 1})) }, want: map[string]int{"Expand": 0}},
		{name: "Flatten of a matrix", build: func(b *onnxgraph.Builder) {
			x := b.Input("x", f32, onnxgraph.Dims(6, 4)...)
			b.Output(b.Op("Flatten", attrs{"axis": 1}, x), onnxgraph.Dims(6, 4)...)
		}, want: map[string]int{"Flatten": 0}},
		{name: "Transpose by the identity", build: func(b *onnxgraph.Builder) { out(b, b.Op("Transpose", attrs{"perm": []int64{0, 1, 2}}, in(b))) }, want: map[string]int{"Transpose": 0}},
		{name: "Pad of zeros", build: func(b *onnxgraph.Builder) {
			out(b, b.Op("Pad", attrs{"mode": "reflect"}, in(b), []int64{0, 0, 0, 0, 0, 0}))
		}, want: map[string]int{"Pad": 0}},
		{name: "Pad-2 of zeros", opset: 9, build: func(b *onnxgraph.Builder) { out(b, b.Op("Pad", attrs{"pads": []int64{0, 0, 0, 0, 0, 0}}, in(b))) }, want: map[string]int{"Pad": 0}},
		{name: "Slice of everything", build: func(b *onnxgraph.Builder) {
			out(b, b.Op("Slice", nil, in(b), []int64{0}, []int64{1 << 62}, []int64{1}))
		}, want: map[string]int{"Slice": 0}},
		{name: "Slice of the whole dim", build: func(b *onnxgraph.Builder) {
			out(b, b.Op("Slice", nil, in(b), []int64{-3}, []int64{3}, []int64{1}, []int64{1}))
		}, want: map[string]int{"Slice": 0}},
		{name: "Slice of part stays", build: func(b *onnxgraph.Builder) {
			b.Output(b.Op("Slice", nil, in(b), []int64{1}, []int64{3}, []int64{1}), onnxgraph.Dims(2, 2, 4)...)
		}, want: map[string]int{"Slice": 1}},
		{name: "reversing Slice stays", build: func(b *onnxgraph.Builder) {
			out(b, b.Op("Slice", nil, in(b), []int64{-1}, []int64{-1 << 62}, []int64{1}, []int64{-1}))
		}, want: map[string]int{"Slice": 1}},
		{name: "Concat of one", build: func(b *onnxgraph.Builder) { out(b, b.Op("Concat", attrs{"axis": 0}, in(b))) }, want: map[string]int{"Concat": 0}},
		{name: "Split into one", build: func(b *onnxgraph.Builder) { out(b, b.Op("Split", attrs{"axis": 1, "num_outputs": 1}, in(b))) }, opset: 18, want: map[string]int{"Split": 0}},
		{name: "Squeeze then Unsqueeze", build: func(b *onnxgraph.Builder) {
			x := b.Input("x", f32, onnxgraph.Dims(2, 1, 4)...)
			b.Output(b.Op("Relu", nil, b.Op("Unsqueeze", nil, b.Op("Squeeze", nil, x, []int64{1}), []int64{1})), onnxgraph.Dims(2, 1, 4)...)
		}, want: map[string]int{"Squeeze": 0, "Unsqueeze": 0}},
		{name: "Unsqueeze then Squeeze at another axis stays", build: func(b *onnxgraph.Builder) {
			x := b.Input("x", f32, onnxgraph.Dims(2, 1, 4)...)
			b.Output(b.Op("Relu", nil, b.Op("Squeeze", nil, b.Op("Unsqueeze", nil, x, []int64{0}), []int64{2})), onnxgraph.Dims(1, 2, 4)...)
		}, want: map[string]int{"Squeeze": 1, "Unsqueeze": 1}},
		{name: "x*1, 1*x, x/1, x-0, x+(-0)", build: func(b *onnxgraph.Builder) {
			x := in(b)
			x = b.Op("Mul", nil, x, float32(1))
			x = b.Op("Mul", nil, b.Const("one", f32, []int64{4}, []float32{1, 1, 1, 1}), x)
			x = b.Op("Div", nil, x, float32(1))
			x = b.Op("Sub", nil, x, float32(0))
			x = b.Op("Add", nil, x, float32(negZero()))
			out(b, x)
		}, want: map[string]int{"Mul": 0, "Div": 0, "Sub": 0, "Add": 0}},
		{name: "x+0.0, 1/x, x*1 broadcast larger stay", build: func(b *onnxgraph.Builder) {
			x := in(b)
			x = b.Op("Add", nil, x, float32(0))
			x = b.Op("Div", nil, float32(1), x)
			b.Output(b.Op("Mul", nil, x, b.Const("ones", f32, []int64{5, 1, 1, 1}, []float32{1, 1, 1, 1, 1})), onnxgraph.Dims(5, 2, 3, 4)...)
		}, want: map[string]int{"Add": 1, "Div": 1, "Mul": 1}},
		{name: "integer x+0", build: func(b *onnxgraph.Builder) {
			x := b.Input("x", onnxgraph.Int64, onnxgraph.Dims(3)...)
			b.Output(b.Op("Neg", nil, b.Op("Add", nil, x, int64(0))), onnxgraph.Dims(3)...)
		}, want: map[string]int{"Add": 0}},
		{name: "an Identity between graph input and output stays", build: func(b *onnxgraph.Builder) {
			b.Output(b.Op("Identity", nil, in(b)), onnxgraph.Dims(2, 3, 4)...)
		}, want: map[string]int{"Identity": 1}},
		{name: "an output keeps its name", build: func(b *onnxgraph.Builder) {
			r := b.Op("Relu", nil, in(b))
			b.Output(b.Node(onnxgraph.NodeSpec{Op: "Identity", Inputs: []any{r}, Outputs: []string{"out"}}).Output(0), onnxgraph.Dims(2, 3, 4)...)
		}, want: map[string]int{"Identity": 0},
			check: func(t *testing.T, m *onnxgraph.Model, _ *simplify.Report) {
				if o := m.Graph().Outputs()[0]; o.Name() != "out" {
					t.Errorf("output %s", o.Name())
				}
			}},
	}
	runPassCases(t, cases)
}

func negZero() float32 { z := float32(0); return -z }

func TestMerges(t *testing.T) {
	f32 := onnxgraph.Float
	runPassCases(t, []passCase{
		{name: "Transposes that cancel", build: func(b *onnxgraph.Builder) {
			x := b.Input("x", f32, onnxgraph.Dims(2, 3, 4)...)
			y := b.Op("Transpose", attrs{"perm": []int64{0, 2, 1}}, b.Op("Transpose", attrs{"perm": []int64{0, 2, 1}}, x))
			b.Output(b.Op("Relu", nil, y), onnxgraph.Dims(2, 3, 4)...)
		}, want: map[string]int{"Transpose": 0}},
		{name: "Transposes that compose", build: func(b *onnxgraph.Builder) {
			x := b.Input("x", f32, onnxgraph.Dims(2, 3, 4)...)
			y := b.Op("Transpose", attrs{"perm": []int64{1, 2, 0}}, b.Op("Transpose", attrs{"perm": []int64{0, 2, 1}}, x))
			b.Output(b.Op("Relu", nil, y), onnxgraph.Dims(4, 3, 2)...)
		}, want: map[string]int{"Transpose": 1}},
		{name: "default perms", build: func(b *onnxgraph.Builder) {
			x := b.Input("x", f32, onnxgraph.Dims(2, 3, 4)...)
			b.Output(b.Op("Relu", nil, b.Op("Transpose", nil, b.Op("Transpose", nil, x))), onnxgraph.Dims(2, 3, 4)...)
		}, want: map[string]int{"Transpose": 0}},
		{name: "Reshapes", build: func(b *onnxgraph.Builder) {
			x := b.Input("x", f32, onnxgraph.Dims(2, 3, 4)...)
			y := b.Op("Reshape", nil, b.Op("Reshape", nil, x, []int64{6, 4}), []int64{4, -1})
			b.Output(b.Op("Relu", nil, y), onnxgraph.Dims(4, 6)...)
		}, want: map[string]int{"Reshape": 1}},
		{name: "Reshape copying a middle dim stays two", build: func(b *onnxgraph.Builder) {
			x := b.Input("x", f32, onnxgraph.Dims(2, 3, 4)...)
			y := b.Op("Reshape", nil, b.Op("Reshape", nil, x, []int64{6, 4}), []int64{0, 2, 2})
			b.Output(b.Op("Relu", nil, y), onnxgraph.Dims(6, 2, 2)...)
		}, want: map[string]int{"Reshape": 2}},
	})
}

func TestFusions(t *testing.T) {
	f32 := onnxgraph.Float
	vals := func(n int, base float32) []float32 {
		out := make([]float32, n)
		for i := range out {
			out[i] = base + float32(i%5)*0.25
		}
		return out
	}
	bn := func(b *onnxgraph.Builder, x *onnxgraph.Value, c int) *onnxgraph.Value {
		return b.Op("BatchNormalization", attrs{"epsilon": 1e-3}, x,
			b.Const("scale", f32, []int64{int64(c)}, vals(c, 0.5)), b.Const("bias", f32, []int64{int64(c)}, vals(c, -0.5)),
			b.Const("mean", f32, []int64{int64(c)}, vals(c, 0.1)), b.Const("var", f32, []int64{int64(c)}, vals(c, 0.7)))
	}
	runPassCases(t, []passCase{
		{name: "Conv + BatchNorm", build: func(b *onnxgraph.Builder) {
			x := b.Input("x", f32, onnxgraph.Dims(1, 3, 6, 6)...)
			y := b.Op("Conv", nil, x, b.Const("w", f32, []int64{4, 3, 3, 3}, vals(108, -0.3)))
			b.Output(bn(b, y, 4), onnxgraph.Dims(1, 4, 4, 4)...)
		}, want: map[string]int{"BatchNormalization": 0, "Conv": 1}},
		{name: "grouped ConvTranspose + BatchNorm", build: func(b *onnxgraph.Builder) {
			x := b.Input("x", f32, onnxgraph.Dims(1, 4, 3, 3)...)
			y := b.Op("ConvTranspose", attrs{"group": 2}, x, b.Const("w", f32, []int64{4, 3, 2, 2}, vals(48, -0.4)), b.Const("b", f32, []int64{6}, vals(6, 0.1)))
			b.Output(bn(b, y, 6), onnxgraph.Dims(1, 6, 4, 4)...)
		}, want: map[string]int{"BatchNormalization": 0}},
		{name: "Gemm + BatchNorm", build: func(b *onnxgraph.Builder) {
			x := b.Input("x", f32, onnxgraph.Dims(3, 5)...)
			y := b.Op("Gemm", attrs{"transB": 1, "beta": 0.5}, x, b.Const("w", f32, []int64{4, 5}, vals(20, -0.2)), b.Const("c", f32, []int64{4}, vals(4, 1)))
			b.Output(bn(b, y, 4), onnxgraph.Dims(3, 4)...)
		}, want: map[string]int{"BatchNormalization": 0}},
		{name: "Gemm (B not transposed) + BatchNorm", build: func(b *onnxgraph.Builder) {
			x := b.Input("x", f32, onnxgraph.Dims(3, 5)...)
			y := b.Op("Gemm", nil, x, b.Const("w", f32, []int64{5, 4}, vals(20, -0.2)), b.Const("c", f32, []int64{3, 1}, vals(3, 1)))
			b.Output(bn(b, y, 4), onnxgraph.Dims(3, 4)...)
		}, want: map[string]int{"BatchNormalization": 0}},
		{name: "float64 Conv + BatchNorm", build: func(b *onnxgraph.Builder) {
			f64 := func(name string, n int, base float64) *onnxgraph.Value {
				v := make([]float64, n)
				for i := range v {
					v[i] = base + float64(i%5)*0.25
				}
				return b.Const(name, onnxgraph.Double, []int64{int64(n)}, v)
			}
			x := b.Input("x", onnxgraph.Double, onnxgraph.Dims(1, 2, 4, 4)...)
			w := b.Op("Reshape", nil, f64("w", 36, -0.3), []int64{2, 2, 3, 3})
			y := b.Op("Conv", nil, x, w)
			b.Output(b.Op("BatchNormalization", nil, y, f64("s", 2, 0.5), f64("b", 2, -0.5), f64("m", 2, 0.1), f64("v", 2, 0.7)), onnxgraph.Dims(1, 2, 2, 2)...)
		}, want: map[string]int{"BatchNormalization": 0, "Conv": 1}},
		{name: "a fusion whose float32 weights overflow is not done", build: func(b *onnxgraph.Builder) {
			x := b.Input("x", f32, onnxgraph.Dims(1, 1, 2, 2)...)
			y := b.Op("Conv", nil, x, b.Const("w", f32, []int64{1, 1, 1, 1}, []float32{1e30}))
			b.Output(b.Op("Mul", nil, y, b.Const("s", f32, []int64{1, 1, 1}, []float32{1e10})), onnxgraph.Dims(1, 1, 2, 2)...)
		}, want: map[string]int{"Mul": 1}},
		{name: "Conv + Mul + Add", build: func(b *onnxgraph.Builder) {
			x := b.Input("x", f32, onnxgraph.Dims(1, 3, 5, 5)...)
			y := b.Op("Conv", nil, x, b.Const("w", f32, []int64{2, 3, 1, 1}, vals(6, -0.3)), b.Const("b", f32, []int64{2}, []float32{0.5, -0.5}))
			y = b.Op("Mul", nil, b.Const("s", f32, []int64{2, 1, 1}, []float32{2, 3}), y)
			b.Output(b.Op("Add", nil, y, b.Const("t", f32, []int64{1, 2, 1, 1}, []float32{1, -1})), onnxgraph.Dims(1, 2, 5, 5)...)
		}, want: map[string]int{"Mul": 0, "Add": 0, "Conv": 1}},
		{name: "a Conv read twice is not fused", build: func(b *onnxgraph.Builder) {
			x := b.Input("x", f32, onnxgraph.Dims(1, 3, 6, 6)...)
			y := b.Op("Conv", nil, x, b.Const("w", f32, []int64{4, 3, 3, 3}, vals(108, -0.3)))
			b.Output(bn(b, y, 4), onnxgraph.Dims(1, 4, 4, 4)...)
			b.Output(b.Op("Relu", nil, y), onnxgraph.Dims(1, 4, 4, 4)...)
		}, want: map[string]int{"BatchNormalization": 1}},
		{name: "a Mul broadcasting along the batch is not fused", build: func(b *onnxgraph.Builder) {
			x := b.Input("x", f32, onnxgraph.Dims(1, 3, 5, 5)...)
			y := b.Op("Conv", nil, x, b.Const("w", f32, []int64{2, 3, 1, 1}, vals(6, -0.3)))
			b.Output(b.Op("Mul", nil, y, b.Const("s", f32, []int64{2, 1, 1, 1}, []float32{2, 3})), onnxgraph.Dims(2, 2, 5, 5)...)
		}, want: map[string]int{"Mul": 1}},
	})
}

func TestSharing(t *testing.T) {
	f32 := onnxgraph.Float
	runPassCases(t, []passCase{
		{name: "common subexpressions", build: func(b *onnxgraph.Builder) {
			x := b.Input("x", f32, onnxgraph.Dims(2, 3)...)
			a := b.Op("Relu", nil, b.Op("Exp", nil, x))
			c := b.Op("Relu", nil, b.Op("Exp", nil, x))
			b.Output(b.Op("Add", nil, a, c), onnxgraph.Dims(2, 3)...)
		}, want: map[string]int{"Exp": 1, "Relu": 1}},
		{name: "duplicate outputs keep their names", build: func(b *onnxgraph.Builder) {
			x := b.Input("x", f32, onnxgraph.Dims(2, 3)...)
			b.Output(b.Op("Exp", nil, x), onnxgraph.Dims(2, 3)...)
			b.Output(b.Op("Exp", nil, x), onnxgraph.Dims(2, 3)...)
		}, want: map[string]int{"Exp": 1, "Identity": 1}},
		{name: "identical constants", build: func(b *onnxgraph.Builder) {
			x := b.Input("x", f32, onnxgraph.Dims(3)...)
			y := b.Op("Mul", nil, x, b.Const("a", f32, []int64{3}, []float32{1, 2, 3}))
			z := b.Op("Mul", nil, x, b.Const("b", f32, []int64{3}, []float32{1, 2, 3}))
			b.Output(b.Op("Add", nil, y, z), onnxgraph.Dims(3)...)
		}, want: map[string]int{"Mul": 1},
			check: func(t *testing.T, m *onnxgraph.Model, _ *simplify.Report) {
				if n := len(m.Graph().Initializers()); n != 1 {
					t.Errorf("%d initializers, want 1", n)
				}
			}},
		{name: "dead code", build: func(b *onnxgraph.Builder) {
			x := b.Input("x", f32, onnxgraph.Dims(3)...)
			b.Op("Exp", nil, b.Op("Mul", nil, x, b.Const("unused", f32, []int64{3}, []float32{4, 5, 6})))
			b.Output(b.Op("Relu", nil, x), onnxgraph.Dims(3)...)
		}, want: map[string]int{"Exp": 0, "Mul": 0},
			check: func(t *testing.T, m *onnxgraph.Model, _ *simplify.Report) {
				if n := len(m.Graph().Initializers()); n != 0 {
					t.Errorf("%d initializers, want 0", n)
				}
			}},
	})
}

func TestSkips(t *testing.T) {
	f32 := onnxgraph.Float
	model := func(b *onnxgraph.Builder) {
		x := b.Input("x", f32, onnxgraph.Dims(3)...)
		c := b.Op("Neg", nil, b.Const("c", f32, []int64{3}, []float32{1, 2, 3}))
		b.Output(b.Op("Identity", nil, b.Op("Add", nil, x, c)), onnxgraph.Dims(3)...)
	}
	runPassCases(t, []passCase{
		{name: "skip fold", build: model, opts: &simplify.Options{SkipPasses: []string{"fold"}}, want: map[string]int{"Neg": 1, "Identity": 0}},
		{name: "skip noop", build: model, opts: &simplify.Options{SkipPasses: []string{"noop"}}, want: map[string]int{"Neg": 0, "Identity": 1}},
		{name: "skip op", build: model, opts: &simplify.Options{SkipOps: []string{"Neg", "ai.onnx:Identity"}}, want: map[string]int{"Neg": 1, "Identity": 1}},
	})
}

func TestSubgraphsAndFunctions(t *testing.T) {
	f32 := onnxgraph.Float
	loop := func(b *onnxgraph.Builder) {
		x := b.Input("x", f32, onnxgraph.Dims(3)...)
		body := graphAttr(t, "body", func(s *onnxgraph.Builder) {
			s.Input("i", onnxgraph.Int64)
			cond := s.Input("cond", onnxgraph.Bool)
			acc := s.Input("acc", f32, onnxgraph.Dims(3)...)
			k := s.Op("Mul", nil, s.Const("k", f32, nil, float32(2)), float32(3)) // folds inside the body
			s.Output(s.Op("Identity", nil, cond))
			s.Output(s.Op("Add", nil, s.Op("Identity", nil, acc), k), onnxgraph.Dims(3)...)
		})
		y := b.Node(onnxgraph.NodeSpec{Op: "Loop", Inputs: []any{int64(3), true, x}, Outputs: []string{"y"}, Attrs: attrs{"body": body}})
		b.OutputAs(y.Output(0), f32, onnxgraph.Dims(3)...)
	}
	for _, tc := range []struct {
		name string
		opts *simplify.Options
		want map[string]int
	}{
		{"body simplified", nil, map[string]int{"Mul": 0, "Identity": 1}},
		{"subgraphs skipped", &simplify.Options{SkipPasses: []string{"subgraphs"}}, map[string]int{"Mul": 1, "Identity": 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := onnxgraph.NewBuilder(17)
			loop(b)
			m := reloaded(t, must(b.Build()))
			simplifyChecked(t, m, tc.opts, 4, false)
			got := opCounts(m)
			for op, n := range tc.want {
				if got[op] != n {
					t.Errorf("%d %s, want %d (%v)", got[op], op, n, got)
				}
			}
		})
	}
}

// functionModel calls a model-local function whose body has an Identity,
// a foldable constant computation and a duplicate node.
func functionModel(t *testing.T) *onnxgraph.Model {
	t.Helper()
	b := onnxgraph.NewBuilder(17).Import("local", 1).IRVersion(8)
	x := b.Input("x", onnxgraph.Float, onnxgraph.Dims(3)...)
	m := must(b.Build())
	mp := m.ToProto()
	s := func(v string) *string { return &v }
	i64 := func(v int64) *int64 { return &v }
	kt := mustTensor(t, "", onnxgraph.Float, []int64{}, []float32{2}).Proto()
	typ := onnxproto.AttributeProto_TENSOR
	mp.Functions = []*onnxproto.FunctionProto{{
		Name: s("Scale"), Domain: s("local"), Input: []string{"a"}, Output: []string{"b"},
		OpsetImport: []*onnxproto.OperatorSetIdProto{{Domain: s(""), Version: i64(17)}},
		Node: []*onnxproto.NodeProto{
			{OpType: s("Constant"), Output: []string{"k"}, Attribute: []*onnxproto.AttributeProto{{Name: s("value"), Type: &typ, T: kt}}},
			{OpType: s("Mul"), Input: []string{"k", "k"}, Output: []string{"k2"}},
			{OpType: s("Identity"), Input: []string{"a"}, Output: []string{"a1"}},
			{OpType: s("Mul"), Input: []string{"a1", "k2"}, Output: []string{"p"}},
			{OpType: s("Mul"), Input: []string{"a1", "k2"}, Output: []string{"q"}},
			{OpType: s("Add"), Input: []string{"p", "q"}, Output: []string{"b"}},
		},
	}}
	mp.Graph.Node = append(mp.Graph.Node, &onnxproto.NodeProto{Name: s("call"), OpType: s("Scale"), Domain: s("local"), Input: []string{x.Name()}, Output: []string{"y"}})
	mp.Graph.Output = []*onnxproto.ValueInfoProto{{Name: s("y"), Type: onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(3))}}
	raw, err := proto.Marshal(mp)
	if err != nil {
		t.Fatal(err)
	}
	return must(onnxgraph.Decode(raw, nil))
}

func TestFunctions(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts *simplify.Options
		want map[string]int
	}{
		{"body simplified", nil, map[string]int{"Identity": 0, "Mul": 1, "Constant": 1, "Add": 1}},
		{"functions skipped", &simplify.Options{SkipPasses: []string{"functions"}}, map[string]int{"Identity": 1, "Mul": 3, "Constant": 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := functionModel(t)
			simplifyChecked(t, m, tc.opts, 4, true) // the evaluator does not call model-local functions
			got := opCounts(m)
			for op, n := range tc.want {
				if got[op] != n {
					t.Errorf("%d %s, want %d (%v)", got[op], op, n, got)
				}
			}
		})
	}
}
