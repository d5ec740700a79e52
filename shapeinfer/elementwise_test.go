package shapeinfer_test

import (
	"fmt"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
)

// Tests of the elementwise family. Single-node cases use the shared famCase
// helpers of shapeops_test.go; data propagation through small graphs uses
// opChainRun below.

func TestElementwiseFamily(t *testing.T) {
	u8, f16, bf16, f64 := onnxgraph.Uint8, onnxgraph.Float16, onnxgraph.BFloat16, onnxgraph.Double
	var cases []famCase
	for _, op := range []string{"Abs", "Acos", "Acosh", "Asin", "Asinh", "Atan", "Atanh", "Cos", "Cosh", "Sin", "Sinh", "Tan", "Tanh",
		"Ceil", "Floor", "Round", "Sign", "Erf", "Exp", "Log", "Sqrt", "Reciprocal", "Neg", "Relu", "LeakyRelu", "Elu", "Selu",
		"Sigmoid", "HardSigmoid", "HardSwish", "Softplus", "Softsign", "ThresholdedRelu", "Mish", "Shrink"} {
		cases = append(cases, famCase{name: op + "-22", opset: 22, op: op, in: []famIn{famT("x", f32, "N", 3, 4)}, want: []string{"float32[N,3,4]"}})
	}
	cases = append(cases,
		// Opset 18+ operators, from the operator spec's examples.
		famCase{name: "Celu-28", opset: 28, op: "Celu", in: []famIn{famT("x", f32, 3, 3, 3, 1)}, attrs: attrList(onnxgraph.AttrFloat("alpha", 2)), want: []string{"float32[3,3,3,1]"}},
		famCase{name: "Gelu-20 tanh", opset: 20, op: "Gelu", in: []famIn{famT("x", f64, 3, 4, 5)}, attrs: attrList(onnxgraph.AttrString("approximate", "tanh")), want: []string{"float64[3,4,5]"}},
		famCase{name: "Swish-24", opset: 24, op: "Swish", in: []famIn{famT("x", f32, "B", 5)}, want: []string{"float32[B,5]"}},
		famCase{name: "Mish-18", opset: 18, op: "Mish", in: []famIn{famT("x", f16, 10000)}, want: []string{"float16[10000]"}},
		famCase{name: "BitwiseNot-18", opset: 18, op: "BitwiseNot", in: []famIn{famT("x", u8, 3, 4, 5)}, want: []string{"uint8[3,4,5]"}},
		famCase{name: "BitwiseAnd-18 bcast", opset: 18, op: "BitwiseAnd", in: []famIn{famT("x", i32, 3, 4, 5), famT("y", i32, 5)}, want: []string{"int32[3,4,5]"}},
		famCase{name: "BitwiseOr-18", opset: 18, op: "BitwiseOr", in: []famIn{famT("x", u8, 3, 4, 5), famT("y", u8, 4, 5)}, want: []string{"uint8[3,4,5]"}},
		famCase{name: "BitwiseXor-18", opset: 18, op: "BitwiseXor", in: []famIn{famT("x", i32, 3, 4), famT("y", i32, 3, 4)}, want: []string{"int32[3,4]"}},
		famCase{name: "IsInf-20", opset: 20, op: "IsInf", in: []famIn{famT("x", f16, 6)}, want: []string{"bool[6]"}},
		famCase{name: "IsNaN-20", opset: 20, op: "IsNaN", in: []famIn{famT("x", bf16, "N", 2)}, want: []string{"bool[N,2]"}},
		famCase{name: "Not", opset: 18, op: "Not", in: []famIn{famT("x", bl, 3, 4)}, want: []string{"bool[3,4]"}},
		famCase{name: "SwiGLU-28", opset: 28, op: "SwiGLU", in: []famIn{famT("a", f32, 2, 4), famT("b", f32, 2, 4)}, attrs: attrList(onnxgraph.AttrFloat("alpha", 0.5)), want: []string{"float32[2,4]"}},
		famCase{name: "SwiGLU-28 symbolic", opset: 28, op: "SwiGLU", in: []famIn{famT("a", f32, "B", "S", 128), famT("b", f32, "B", "S", 128)}, want: []string{"float32[B,S,128]"}},
		famCase{name: "SwiGLU-28 mismatch", opset: 28, op: "SwiGLU", in: []famIn{famT("a", f32, 2, 4), famT("b", f32, 2, 3)}, want: []string{"float32[2,4]"}, code: shapeinfer.CodeInvalid},
		famCase{name: "BitCast-26", opset: 26, op: "BitCast", in: []famIn{famT("x", f32, 2, 3)}, attrs: attrList(onnxgraph.AttrInt("to", int64(i32))), want: []string{"int32[2,3]"}},
		famCase{name: "BitCast-26 bool to uint8", opset: 26, op: "BitCast", in: []famIn{famT("x", bl, 4)}, attrs: attrList(onnxgraph.AttrInt("to", int64(u8))), want: []string{"uint8[4]"}},
		famCase{name: "BitCast-26 width", opset: 26, op: "BitCast", in: []famIn{famT("x", f32, 4)}, attrs: attrList(onnxgraph.AttrInt("to", int64(i64))), want: []string{"int64[4]"}, code: shapeinfer.CodeInvalid},
		famCase{name: "CastLike-21", opset: 21, op: "CastLike", in: []famIn{famT("x", f32, "N", 4), famT("like", f16)}, want: []string{"float16[N,4]"}},
		famCase{name: "CastLike-25", opset: 25, op: "CastLike", in: []famIn{famT("x", f32, 3), famT("like", onnxgraph.DataType(onnxproto.TensorProto_FLOAT8E4M3FN))}, want: []string{"float8e4m3fn[3]"}},
		famCase{name: "Cast-25", opset: 25, op: "Cast", in: []famIn{famT("x", f32, 3, 4)}, attrs: attrList(onnxgraph.AttrInt("to", int64(onnxproto.TensorProto_INT4))), want: []string{"int4[3,4]"}},
		// Broadcasting.
		famCase{name: "Add-14 symbolic", opset: 14, op: "Add", in: []famIn{famT("a", f32, "N", 1, 64), famT("b", f32, "S", 64)}, want: []string{"float32[N,S,64]"}},
		famCase{name: "Add-14 fail", opset: 14, op: "Add", in: []famIn{famT("a", f32, 3, 4), famT("b", f32, 5)}, code: shapeinfer.CodeInvalid, want: []string{"float32[*]"}},
		famCase{name: "Pow-15 int exponent", opset: 15, op: "Pow", in: []famIn{famT("x", f32, 3), famT("y", i64)}, want: []string{"float32[3]"}},
		famCase{name: "Mod-13", opset: 13, op: "Mod", in: []famIn{famT("x", i32, 6), famT("y", i32, 6)}, attrs: attrList(onnxgraph.AttrInt("fmod", 0)), want: []string{"int32[6]"}},
		famCase{name: "BitShift-11", opset: 11, op: "BitShift", in: []famIn{famT("x", u8, 3), famT("y", u8, 3)}, attrs: attrList(onnxgraph.AttrString("direction", "LEFT")), want: []string{"uint8[3]"}},
		famCase{name: "Equal-19 string", opset: 19, op: "Equal", in: []famIn{famT("x", str, 2), famT("y", str, 2)}, want: []string{"bool[2]"}},
		famCase{name: "GreaterOrEqual-16", opset: 16, op: "GreaterOrEqual", in: []famIn{famT("x", f32, 3, 4, 5), famT("y", f32, 5)}, want: []string{"bool[3,4,5]"}},
		famCase{name: "LessOrEqual-16", opset: 16, op: "LessOrEqual", in: []famIn{famT("x", f32, "N", 1), famT("y", f32, 1, "M")}, want: []string{"bool[N,M]"}},
		famCase{name: "Xor-7", opset: 7, op: "Xor", in: []famIn{famT("x", bl, 3, 4, 5), famT("y", bl, 4, 5)}, want: []string{"bool[3,4,5]"}},
		famCase{name: "Sum-13 variadic", opset: 13, op: "Sum", in: []famIn{famT("a", f32, 3), famT("b", f32, 2, 1), famT("c", f32, "N", 1, 1)}, want: []string{"float32[N,2,3]"}},
		famCase{name: "Mean-13", opset: 13, op: "Mean", in: []famIn{famT("a", f32, 3), famT("b", f32, 3)}, want: []string{"float32[3]"}},
		famCase{name: "Max-13 fail", opset: 13, op: "Max", in: []famIn{famT("a", f32, 3), famT("b", f32, 4)}, code: shapeinfer.CodeInvalid, want: []string{"float32[*]"}},
		famCase{name: "Where-16", opset: 16, op: "Where", in: []famIn{famT("c", bl, 2, 1), famT("x", i64, 1, 2), famT("y", i64, 2, 2)}, want: []string{"int64[2,2]"}},
		famCase{name: "Where-16 symbolic", opset: 16, op: "Where", in: []famIn{famT("c", bl, "S", "S"), famT("x", f32, "B", 1, "S", "S"), famT("y", f32)}, want: []string{"float32[B,1,S,S]"}},
		famCase{name: "Clip-13", opset: 13, op: "Clip", in: []famIn{famT("x", f32, 3, 4, 5), famMissing, famT("max", f32)}, want: []string{"float32[3,4,5]"}},
		famCase{name: "Clip-6", opset: 6, op: "Clip", in: []famIn{famT("x", f32, "N")}, attrs: attrList(onnxgraph.AttrFloat("min", -1)), want: []string{"float32[N]"}},
		famCase{name: "PRelu-16", opset: 16, op: "PRelu", in: []famIn{famT("x", f32, 3, 4, 5), famT("slope", f32, 5)}, want: []string{"float32[3,4,5]"}},
		famCase{name: "PRelu-16 refines", opset: 16, op: "PRelu", in: []famIn{famT("x", f32, "N", "C"), famT("slope", f32, 8)}, want: []string{"float32[N,8]"}},
		famCase{name: "PRelu-16 fail", opset: 16, op: "PRelu", in: []famIn{famT("x", f32, 3, 1), famT("slope", f32, 4)}, code: shapeinfer.CodeInvalid, want: []string{"float32[3,1]"}},
		famCase{name: "PRelu-6 per channel", opset: 6, op: "PRelu", in: []famIn{famT("x", f32, 1, 3, 8, 8), famT("slope", f32, 3)}, want: []string{"float32[1,3,8,8]"}},
		// Legacy broadcast (opset < 7): B matches a run of A's dims.
		famCase{name: "Add-6 no broadcast", opset: 6, op: "Add", in: []famIn{famT("a", f32, 2, 3), famT("b", f32, 2, 3)}, want: []string{"float32[2,3]"}},
		famCase{name: "Add-6 broadcast=0 mismatch", opset: 6, op: "Add", in: []famIn{famT("a", f32, 2, 3), famT("b", f32, 3)}, code: shapeinfer.CodeInvalid, want: []string{"float32[*]"}},
		famCase{name: "Add-6 suffix", opset: 6, op: "Add", in: []famIn{famT("a", f32, 2, 3, 4, 5), famT("b", f32, 4, 5)}, attrs: attrList(onnxgraph.AttrInt("broadcast", 1)), want: []string{"float32[2,3,4,5]"}},
		famCase{name: "Mul-6 axis", opset: 6, op: "Mul", in: []famIn{famT("a", f32, 2, 3, 4, 5), famT("b", f32, 3, 4)}, attrs: attrList(onnxgraph.AttrInt("broadcast", 1), onnxgraph.AttrInt("axis", 1)), want: []string{"float32[2,3,4,5]"}},
		famCase{name: "Sub-1 axis 0", opset: 1, op: "Sub", in: []famIn{famT("a", f32, 2, 3, 4, 5), famT("b", f32, 2)}, attrs: attrList(onnxgraph.AttrInt("broadcast", 1), onnxgraph.AttrInt("axis", 0)), want: []string{"float32[2,3,4,5]"}},
		famCase{name: "Div-6 scalar", opset: 6, op: "Div", in: []famIn{famT("a", f32, "N", 3), famT("b", f32)}, attrs: attrList(onnxgraph.AttrInt("broadcast", 1)), want: []string{"float32[N,3]"}},
		famCase{name: "Add-6 axis mismatch", opset: 6, op: "Add", in: []famIn{famT("a", f32, 2, 3, 4, 5), famT("b", f32, 4)}, attrs: attrList(onnxgraph.AttrInt("broadcast", 1), onnxgraph.AttrInt("axis", 1)), code: shapeinfer.CodeInvalid, want: []string{"float32[*]"}},
		famCase{name: "Equal-1 legacy bool out", opset: 1, op: "Equal", in: []famIn{famT("a", i32, 2, 3), famT("b", i32, 3)}, attrs: attrList(onnxgraph.AttrInt("broadcast", 1)), want: []string{"bool[2,3]"}},
		famCase{name: "Pow-1 legacy", opset: 1, op: "Pow", in: []famIn{famT("a", f32, 2, 3), famT("b", f32, 3)}, attrs: attrList(onnxgraph.AttrInt("broadcast", 1)), want: []string{"float32[2,3]"}},
		// Missing input types never panic.
		famCase{name: "Add untyped", opset: 14, op: "Add", in: []famIn{famNoShape("a", f32), famT("b", f32, 3)}, want: []string{"float32[*]"}},
	)
	famRun(t, cases)
}

// attrList lists attributes for a case.
func attrList(a ...*onnxproto.AttributeProto) []*onnxproto.AttributeProto { return a }

// opChainNode is one node of a chain test: op, input names ("" for a missing
// optional input), output names, attributes.
type opChainNode struct {
	op    string
	in    []string
	out   []string
	attrs []*onnxproto.AttributeProto
}

// opChainRun builds a graph of the inputs and nodes at the given opset, infers
// it with opts, and returns the result and a lookup of values by name.
func opChainRun(t *testing.T, opset int64, ins []famIn, nodes []opChainNode, opts *shapeinfer.Options) (*shapeinfer.Result, func(string) *onnxgraph.Value) {
	t.Helper()
	m := onnxgraph.NewModel(10, map[string]int64{"": opset})
	g := m.Graph()
	for _, in := range ins {
		var err error
		if in.init != nil {
			_, err = g.AddInitializer(in.init)
		} else {
			_, err = g.AddInput(in.name, in.typ)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range nodes {
		vs := make([]*onnxgraph.Value, len(n.in))
		for i, name := range n.in {
			if name == "" {
				continue
			}
			v, ok := g.Value(name)
			if !ok {
				t.Fatalf("no value %q", name)
			}
			vs[i] = v
		}
		if _, err := g.AddNode(n.op, vs, n.out, n.attrs...); err != nil {
			t.Fatal(err)
		}
	}
	res, err := shapeinfer.Infer(m, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res, func(name string) *onnxgraph.Value {
		v, ok := g.Value(name)
		if !ok {
			t.Fatalf("no value %q", name)
		}
		return v
	}
}

// opDataString renders propagated data: integer elements as dims, floats
// with %g; "nil" when nothing is known.
func opDataString(d *shapeinfer.Data) string {
	if d == nil {
		return "nil"
	}
	if d.Floats != nil {
		return fmt.Sprint(d.Floats)
	}
	return fmt.Sprint(d.Ints)
}

// TestElementwiseData checks that integer arithmetic, comparisons, Where,
// Max/Min and the casts propagate data through shape computations,
// symbolically.
func TestElementwiseData(t *testing.T) {
	ins := []famIn{
		famT("x", f32, "N", "S", 64),
		famI64("two", 2),
		famI64("minus1", -1),
		famScalar("eight", 8),
		famI64("idx0", 0),
		famI64("idx1", 1),
		famI64("v", 4, -3, 7),
		famI64("w", 2, 2, -2),
		famC("ff", onnxgraph.Float, []float32{1.25}, 1),
		famC("cond", bl, []bool{true, false, true}, 3),
	}
	nodes := []opChainNode{
		{op: "Shape", in: []string{"x"}, out: []string{"shape"}},
		{op: "Gather", in: []string{"shape", "idx0"}, out: []string{"n"}},
		{op: "Gather", in: []string{"shape", "idx1"}, out: []string{"s"}},
		{op: "Mul", in: []string{"shape", "two"}, out: []string{"twice"}},
		{op: "Add", in: []string{"n", "s"}, out: []string{"nps"}},
		{op: "Sub", in: []string{"shape", "shape"}, out: []string{"zeros"}},
		{op: "Div", in: []string{"shape", "eight"}, out: []string{"div8"}},
		{op: "Div", in: []string{"twice", "two"}, out: []string{"halved"}},
		{op: "Mod", in: []string{"v", "w"}, out: []string{"mod"}},
		{op: "Mod", in: []string{"v", "w"}, out: []string{"fmod"}, attrs: attrList(onnxgraph.AttrInt("fmod", 1))},
		{op: "Equal", in: []string{"shape", "minus1"}, out: []string{"eq"}},
		{op: "Equal", in: []string{"shape", "shape"}, out: []string{"eqself"}},
		{op: "Greater", in: []string{"shape", "idx1"}, out: []string{"gt1"}},
		{op: "Less", in: []string{"v", "w"}, out: []string{"lt"}},
		{op: "Where", in: []string{"eq", "two", "shape"}, out: []string{"fixed"}},
		{op: "Where", in: []string{"cond", "v", "w"}, out: []string{"picked"}},
		{op: "Max", in: []string{"shape", "idx0"}, out: []string{"maxed"}},
		{op: "Min", in: []string{"v", "w", "idx1"}, out: []string{"mined"}},
		{op: "Neg", in: []string{"shape"}, out: []string{"neg"}},
		{op: "Abs", in: []string{"v"}, out: []string{"abs"}},
		{op: "Cast", in: []string{"shape"}, out: []string{"fshape"}, attrs: attrList(onnxgraph.AttrInt("to", int64(onnxgraph.Float)))},
		{op: "Cast", in: []string{"w"}, out: []string{"fw"}, attrs: attrList(onnxgraph.AttrInt("to", int64(onnxgraph.Float)))},
		{op: "Mul", in: []string{"fw", "ff"}, out: []string{"scaled"}},
		{op: "Floor", in: []string{"scaled"}, out: []string{"floored"}},
		{op: "Cast", in: []string{"floored"}, out: []string{"iff"}, attrs: attrList(onnxgraph.AttrInt("to", int64(i64)))},
		{op: "Mul", in: []string{"ff", "ff"}, out: []string{"sq"}},
		{op: "Not", in: []string{"cond"}, out: []string{"ncond"}},
		{op: "And", in: []string{"cond", "ncond"}, out: []string{"none"}},
		{op: "ReduceProd", in: []string{"shape"}, out: []string{"numel"}, attrs: attrList(onnxgraph.AttrInt("keepdims", 0))},
		{op: "Reshape", in: []string{"x", "fixed"}, out: []string{"reshaped"}},
	}
	res, val := opChainRun(t, 18, ins, nodes, nil)
	for name, want := range map[string]string{
		"twice":  "[2*N 2*S 128]",
		"nps":    "[N+S]",
		"zeros":  "[0 0 0]",
		"div8":   "[floor(N/8) floor(S/8) 8]",
		"halved": "[N S 64]",
		"mod":    "[0 1 -1]",
		"fmod":   "[0 -1 1]",
		"eq":     "[0 0 0]",
		"eqself": "[1 1 1]",
		"gt1":    "[? ? 1]",
		"lt":     "[0 1 0]",
		"fixed":  "[N S 64]",
		"picked": "[4 2 7]",
		"maxed":  "[N S 64]",
		"mined":  "[1 -3 -2]",
		"neg":    "[-N -S -64]",
		"abs":    "[4 3 7]",
		"fshape": "nil",
		"fw":     "[2 2 -2]",
		"scaled": "[2.5 2.5 -2.5]",
		"iff":    "[2 2 -3]",
		"sq":     "nil", // float weights are not read: no computed input

		"ncond": "[0 1 0]",
		"none":  "[0 0 0]",
		"numel": "[64*N*S]",
	} {
		if got := opDataString(res.Data(val(name))); got != want {
			t.Errorf("%s: data %s, want %s", name, got, want)
		}
	}
	for name, want := range map[string]string{
		"eq":       "bool[3]",
		"numel":    "int64[]",
		"reshaped": "float32[N,S,64]",
		"fshape":   "float32[3]",
	} {
		if got := res.Type(val(name)).String(); got != want {
			t.Errorf("%s: type %s, want %s", name, got, want)
		}
	}
	if len(res.Problems) > 0 {
		t.Errorf("problems: %v", res.Problems)
	}
}

// TestElementwiseKnownInputs checks data propagation from graph inputs
// given as known values (the suite's known-inputs mode).
func TestElementwiseKnownInputs(t *testing.T) {
	ins := []famIn{famT("x", f32, 2, 3), famT("s", i64, 2), famT("k", i64, 1)}
	// s + k = [2, 1] + [1] = [3, 2]
	nodes := []opChainNode{
		{op: "Add", in: []string{"s", "k"}, out: []string{"s2"}},
		{op: "Reshape", in: []string{"x", "s2"}, out: []string{"y"}},
	}
	opts := &shapeinfer.Options{InputData: map[string]*shapeinfer.Data{
		"s": shapeinfer.Vector(shapeinfer.Known(2), shapeinfer.Known(1)),
		"k": shapeinfer.Vector(shapeinfer.Known(1)),
	}}
	res, val := opChainRun(t, 18, ins, nodes, opts)
	if got := res.Type(val("y")).String(); got != "float32[3,2]" {
		t.Errorf("y: %s", got)
	}
}
