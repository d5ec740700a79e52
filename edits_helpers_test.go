package onnxgraph_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph/internal/suitetest"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
)

// Helpers of the structural-edit tests (merge, extract, delete, insert,
// outputs, rewire), prefixed "ed".

// edDescribe renders a model as text for golden files: opsets, inputs,
// initializers, nodes (with subgraphs), outputs, value_info, functions.
func edDescribe(m *onnxgraph.Model) string {
	var b strings.Builder
	ops := m.Opsets()
	keys := make([]string, 0, len(ops))
	for k := range ops {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b.WriteString("ir " + strconv.FormatInt(m.IRVersion(), 10) + " opsets")
	for _, k := range keys {
		name := k
		if name == "" {
			name = "ai.onnx"
		}
		b.WriteString(" " + name + "=" + strconv.FormatInt(ops[k], 10))
	}
	b.WriteString("\n")
	for _, kv := range m.Proto().GetMetadataProps() {
		b.WriteString("metadata " + kv.GetKey() + "=" + kv.GetValue() + "\n")
	}
	edDescribeGraph(&b, m.Graph(), "")
	for _, f := range m.Functions() {
		b.WriteString("function " + f.Domain() + ":" + f.Name() + "\n")
		edDescribeGraph(&b, f.Body(), "  ")
	}
	return b.String()
}

func edDescribeGraph(b *strings.Builder, g *onnxgraph.Graph, indent string) {
	for _, v := range g.Inputs() {
		b.WriteString(indent + "input " + v.Name() + " " + edType(v.Type()) + "\n")
	}
	for _, v := range g.Initializers() {
		t := v.Initializer()
		b.WriteString(indent + "init " + v.Name() + " " + onnxgraph.DataTypeName(t.DataType()) + edDims(t.Dims()) + "\n")
	}
	for _, n := range g.Nodes() {
		in := make([]string, n.NumInputs())
		for i, v := range n.Inputs() {
			if v != nil {
				in[i] = v.Name()
			}
		}
		out := make([]string, n.NumOutputs())
		for i, v := range n.Outputs() {
			if v != nil {
				out[i] = v.Name()
			}
		}
		op := n.OpType()
		if n.Domain() != "" {
			op = n.Domain() + ":" + op
		}
		b.WriteString(indent + "node " + n.Name() + " " + op + "(" + strings.Join(in, ", ") + ") -> " + strings.Join(out, ", ") + "\n")
		for _, s := range n.Subgraphs() {
			b.WriteString(indent + "  graph " + s.Name() + "\n")
			edDescribeGraph(b, s, indent+"    ")
		}
	}
	for _, v := range g.Outputs() {
		b.WriteString(indent + "output " + v.Name() + " " + edType(v.Type()) + "\n")
	}
}

func edType(t *onnxproto.TypeProto) string {
	s := onnxgraph.TypeString(t)
	if s == "" {
		return "?"
	}
	if tt := t.GetTensorType(); tt != nil && tt.Shape != nil {
		parts := make([]string, len(tt.Shape.Dim))
		for i, d := range tt.Shape.Dim {
			switch x := d.GetValue().(type) {
			case *onnxproto.TensorShapeProto_Dimension_DimValue:
				parts[i] = strconv.FormatInt(x.DimValue, 10)
			case *onnxproto.TensorShapeProto_Dimension_DimParam:
				parts[i] = x.DimParam
			default:
				parts[i] = "?"
			}
		}
		s += "[" + strings.Join(parts, ",") + "]"
	}
	return s
}

func edDims(d []int64) string {
	parts := make([]string, len(d))
	for i, x := range d {
		parts[i] = strconv.FormatInt(x, 10)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// edGolden compares got with testdata/edits/name.txt (rewritten with
// -update).
func edGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "edits", name+".txt")
	if updating() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file:\n--- got\n%s--- want\n%s", name, got, want)
	}
}

// edBytes serializes m.
func edBytes(t testing.TB, m *onnxgraph.Model) []byte {
	t.Helper()
	b, err := m.Bytes(nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// edFails runs a failing edit and checks that it left m exactly as it was,
// that the error matches target (errors.Is) and that its text names every
// one of names.
func edFails(t *testing.T, m *onnxgraph.Model, target error, names []string, edit func() error) error {
	t.Helper()
	before := edBytes(t, m)
	err := edit()
	if err == nil {
		t.Fatalf("edit succeeded; want an error matching %v", target)
	}
	if !errors.Is(err, target) {
		t.Errorf("error %v does not match %v", err, target)
	}
	for _, n := range names {
		if !strings.Contains(err.Error(), n) {
			t.Errorf("error %q does not name %q", err, n)
		}
	}
	if !strings.HasPrefix(err.Error(), "onnxgraph: ") {
		t.Errorf("error %q lacks the package prefix", err)
	}
	if !bytes.Equal(edBytes(t, m), before) {
		t.Error("a failed edit changed the model")
	}
	if err := m.Sanity(); err != nil {
		t.Error(err)
	}
	return err
}

// edInferred returns a TypeOf hook backed by shapeinfer: it infers the
// model a value belongs to (m, a clone of it, or a model an edit builds),
// again when that model changed.
func edInferred(t testing.TB, m *onnxgraph.Model) func(*onnxgraph.Value) *onnxproto.TypeProto {
	t.Helper()
	type cached struct {
		gen uint64
		res *shapeinfer.Result
	}
	results := map[*onnxgraph.Model]cached{}
	infer := func(m *onnxgraph.Model) *shapeinfer.Result {
		c, ok := results[m]
		if !ok || c.gen != m.Generation() {
			res, err := shapeinfer.Infer(m, nil)
			if err != nil && res == nil {
				t.Fatal(err)
			}
			c = cached{m.Generation(), res}
			results[m] = c
		}
		return c.res
	}
	infer(m)
	return func(v *onnxgraph.Value) *onnxproto.TypeProto {
		if ty := infer(v.Graph().Model()).Type(v); ty != nil {
			return ty.Proto()
		}
		return nil
	}
}

// edPython runs python onnx's checker (full_check, with shape inference)
// on every model of ms, in one python process; it skips when python3-onnx
// is not installed except under CI.
func edPython(t *testing.T, ms map[string]*onnxgraph.Model) {
	t.Helper()
	py := suitetest.WantPython(t, "onnx", "python3-onnx")
	if py == "" {
		return
	}
	dir := t.TempDir()
	var files []string
	names := make([]string, 0, len(ms))
	for n := range ms {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		p := filepath.Join(dir, n+".onnx")
		if err := ms[n].Save(p); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	script := `import sys, onnx
bad = 0
for f in sys.argv[1:]:
    try:
        onnx.checker.check_model(onnx.load(f), full_check=True)
    except Exception as e:
        bad += 1
        print(f, e)
sys.exit(1 if bad else 0)
`
	if out, err := exec.Command(py, append([]string{"-c", script}, files...)...).CombinedOutput(); err != nil {
		t.Fatalf("python onnx checker: %v\n%s", err, out)
	}
}

// edFloat is a float32 tensor type of the given dims.
func edFloat(dims ...int64) *onnxproto.TypeProto {
	return onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(dims...))
}

// edNode adds a named node and returns its first output.
func edNode(t testing.TB, g *onnxgraph.Graph, name, op string, in []*onnxgraph.Value, out []string, attrs ...*onnxproto.AttributeProto) *onnxgraph.Value {
	t.Helper()
	n, err := g.AddNode(op, in, out, attrs...)
	if err != nil {
		t.Fatal(err)
	}
	n.SetName(name)
	return n.Output(0)
}

// edInit adds a float32 initializer of the given dims filled with v.
func edInit(t testing.TB, g *onnxgraph.Graph, name string, v float32, dims ...int64) *onnxgraph.Value {
	t.Helper()
	n := onnxgraph.NumElements(dims)
	vals := make([]float32, n)
	for i := range vals {
		vals[i] = v
	}
	ten, err := onnxgraph.TensorFrom(name, dims, vals)
	if err != nil {
		t.Fatal(err)
	}
	val, err := g.AddInitializer(ten)
	if err != nil {
		t.Fatal(err)
	}
	return val
}

// edSoftmax is x [1,10] float -> Softmax -> y, opset 13.
func edSoftmax(t testing.TB) *onnxgraph.Model {
	m := onnxgraph.NewModel(8, map[string]int64{"": 13})
	g := m.Graph()
	x, _ := g.AddInput("x", edFloat(1, 10))
	y := edNode(t, g, "softmax", "Softmax", []*onnxgraph.Value{x}, []string{"y"}, onnxgraph.AttrInt("axis", 1))
	if err := g.AddOutput(y, edFloat(1, 10)); err != nil {
		t.Fatal(err)
	}
	return m
}

// edBranches is a model with two outputs and some constants:
//
//	x [2,3] -> Relu (relu) -> r -> Add(r, w) (add) -> y1
//	x -> Neg (neg) -> n -> Mul(n, s) (mul) -> Exp (exp) -> y2
//	x -> Identity (id) -> i -> Sigmoid (sig) -> y3
func edBranches(t testing.TB) *onnxgraph.Model {
	m := onnxgraph.NewModel(8, map[string]int64{"": 17})
	g := m.Graph()
	x, _ := g.AddInput("x", edFloat(2, 3))
	w := edInit(t, g, "w", 0.5, 3)
	s := edInit(t, g, "s", 2, 1)
	r := edNode(t, g, "relu", "Relu", []*onnxgraph.Value{x}, []string{"r"})
	y1 := edNode(t, g, "add", "Add", []*onnxgraph.Value{r, w}, []string{"y1"})
	n := edNode(t, g, "neg", "Neg", []*onnxgraph.Value{x}, []string{"n"})
	mm := edNode(t, g, "mul", "Mul", []*onnxgraph.Value{n, s}, []string{"ns"})
	y2 := edNode(t, g, "exp", "Exp", []*onnxgraph.Value{mm}, []string{"y2"})
	i := edNode(t, g, "id", "Identity", []*onnxgraph.Value{x}, []string{"i"})
	y3 := edNode(t, g, "sig", "Sigmoid", []*onnxgraph.Value{i}, []string{"y3"})
	for _, v := range []*onnxgraph.Value{y1, y2, y3} {
		if err := g.AddOutput(v, edFloat(2, 3)); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

// edIfModel is a model whose If branches read outer values:
//
//	x [2] -> Relu (pre) -> p; c (bool input)
//	If(c) (if): then = Add(p, w) (then_add), else = Neg(p) (else_neg) -> z
//	z -> Sigmoid (post) -> y
func edIfModel(t testing.TB) *onnxgraph.Model {
	t.Helper()
	m := onnxgraph.NewModel(8, map[string]int64{"": 17})
	g := m.Graph()
	x, _ := g.AddInput("x", edFloat(2))
	c, _ := g.AddInput("c", onnxgraph.TensorType(onnxgraph.Bool, onnxgraph.Dims()))
	w := edInit(t, g, "w", 1.5, 2)
	p := edNode(t, g, "pre", "Relu", []*onnxgraph.Value{x}, []string{"p"})
	br := func(name, op string, in ...*onnxgraph.Value) *onnxproto.GraphProto {
		return &onnxproto.GraphProto{
			Name:   &name,
			Node:   []*onnxproto.NodeProto{{Name: edPtr(name + "_" + strings.ToLower(op)), OpType: edPtr(op), Input: edNames(in), Output: []string{name + "_out"}}},
			Output: []*onnxproto.ValueInfoProto{{Name: edPtr(name + "_out"), Type: edFloat(2)}},
		}
	}
	_ = c
	_ = p
	_ = w
	// Build through the wire format so the subgraphs are resolved.
	mp := m.ToProto()
	mp.Graph.Node = append(mp.Graph.Node, &onnxproto.NodeProto{
		Name: edPtr("if"), OpType: edPtr("If"), Input: []string{"c"}, Output: []string{"z"},
		Attribute: []*onnxproto.AttributeProto{
			{Name: edPtr("then_branch"), Type: onnxproto.AttributeProto_GRAPH.Enum(), G: br("then", "Add", p, w)},
			{Name: edPtr("else_branch"), Type: onnxproto.AttributeProto_GRAPH.Enum(), G: br("else", "Neg", p)},
		},
	}, &onnxproto.NodeProto{Name: edPtr("post"), OpType: edPtr("Sigmoid"), Input: []string{"z"}, Output: []string{"y"}})
	mp.Graph.Output = append(mp.Graph.Output, &onnxproto.ValueInfoProto{Name: edPtr("y"), Type: edFloat(2)})
	b, err := protoMarshal(mp)
	if err != nil {
		t.Fatal(err)
	}
	out, err := onnxgraph.Decode(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func edPtr(s string) *string { return &s }

func edNames(vs []*onnxgraph.Value) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.Name()
	}
	return out
}

// edNodeNames lists a graph's node names in order.
func edNodeNames(g *onnxgraph.Graph) []string {
	var out []string
	for _, n := range g.Nodes() {
		out = append(out, n.Name())
	}
	return out
}

// edOutNames lists a graph's output names in order.
func edOutNames(g *onnxgraph.Graph) []string { return edNames(g.Outputs()) }

// edInNames lists a graph's input names in order.
func edInNames(g *onnxgraph.Graph) []string { return edNames(g.Inputs()) }
