package shapeinfer_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph/internal/suitetest"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
	"google.golang.org/protobuf/proto"
)

// Symbolic dims checked against real shapes. Generated models in the
// shapes exporters produce (audio and image frontends with floor and ceil
// divisions, a detection network whose branches meet at different
// symbolic heights, a decoder with a cache) are inferred symbolically;
// every expression must print in the grammar of shapeinfer.Expr, read back
// to itself, and evaluate, at several sizes, to the shape that inference
// at those concrete sizes gives, to the shape python's onnx infers, and to
// what python's eval and sympy read in the printed text. The models are
// kept in testdata/symdims (go test -run TestSymdimsModels -update) so that
// examples/onnxgraph checks them in ONNX Runtime too.

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// python returns /usr/bin/python3 when it has onnx and sympy. Under CI a
// missing one fails the test.
func python(t *testing.T) string {
	t.Helper()
	return suitetest.NeedPython(t, "onnx, sympy", "python3-onnx python3-sympy")
}

// genModel is a generated model and the sizes its input symbols take.
type genModel struct {
	name  string
	m     *onnxgraph.Model
	sizes []map[string]int64
}

// gb extends tfBuilder with the operators of vision and audio models.
type gb struct{ *tfBuilder }

func newGB(tb testing.TB, opset int64) (*onnxgraph.Model, gb) {
	m := onnxgraph.NewModel(8, map[string]int64{"": opset})
	return m, gb{&tfBuilder{tb: tb, g: m.Graph(), named: map[string]*onnxgraph.Value{}}}
}

func (b gb) input(name string, dims ...any) *onnxgraph.Value {
	ds := make([]onnxgraph.Dim, len(dims))
	for i, d := range dims {
		switch d := d.(type) {
		case string:
			ds[i] = onnxgraph.DimParam(d)
		case int:
			ds[i] = onnxgraph.DimOf(int64(d))
		}
	}
	v, err := b.g.AddInput(name, onnxgraph.TensorType(onnxgraph.Float, ds))
	if err != nil {
		b.tb.Fatal(err)
	}
	return v
}

// conv is a convolution with cout output channels and the given kernel
// over cin channels, without bias; attrs are strides, pads and so on.
func (b gb) conv(x *onnxgraph.Value, cin, cout int64, kernel []int64, attrs ...*onnxproto.AttributeProto) *onnxgraph.Value {
	b.n++
	w := b.weight(fmt.Sprintf("w%d", b.n), append([]int64{cout, cin}, kernel...)...)
	return b.op("Conv", []*onnxgraph.Value{x, w}, attrs...)
}

func (b gb) floats(v ...float32) *onnxgraph.Value {
	b.n++
	t, err := onnxgraph.NewTensorOf(fmt.Sprintf("f%d", b.n), onnxgraph.Float, []int64{int64(len(v))}, v)
	if err != nil {
		b.tb.Fatal(err)
	}
	return b.init(t)
}

// resize is nearest Resize-13 by scales.
func (b gb) resize(x *onnxgraph.Value, scales ...float32) *onnxgraph.Value {
	b.n++
	roi, err := onnxgraph.NewTensorOf(fmt.Sprintf("roi%d", b.n), onnxgraph.Float, []int64{0}, []float32{})
	if err != nil {
		b.tb.Fatal(err)
	}
	return b.op("Resize", []*onnxgraph.Value{x, b.init(roi), b.floats(scales...)}, onnxgraph.AttrString("mode", "nearest"))
}

func (b gb) output(vs ...*onnxgraph.Value) {
	for _, v := range vs {
		if err := b.g.AddOutput(v, nil); err != nil {
			b.tb.Fatal(err)
		}
	}
}

var (
	ints    = onnxgraph.AttrInts
	i1      = onnxgraph.AttrInt
	strAttr = onnxgraph.AttrString
)

// audioModel is a speech frontend over raw samples: a framing
// convolution (window 512, hop 160), strided convolutions and pools with
// floor and ceil divisions, then frames as rows.
func audioModel(tb testing.TB) genModel {
	m, b := newGB(tb, 17)
	wav := b.input("wav", "B", "samples")
	x := b.op("Unsqueeze", []*onnxgraph.Value{wav, b.ints(1)})
	x = b.op("Relu", []*onnxgraph.Value{b.conv(x, 1, 4, []int64{512}, ints("strides", 160))}) // floor((samples-512)/160)+1
	x = b.conv(x, 4, 4, []int64{3}, ints("strides", 2), ints("pads", 1, 1))                   // floor((T+1)/2)
	x = b.op("MaxPool", []*onnxgraph.Value{x}, ints("kernel_shape", 3), ints("strides", 2), ints("pads", 1, 1), i1("ceil_mode", 1))
	x = b.op("AveragePool", []*onnxgraph.Value{x}, ints("kernel_shape", 2), ints("strides", 2), strAttr("auto_pad", "SAME_UPPER"))
	x = b.conv(x, 4, 4, []int64{5}, ints("dilations", 2), ints("pads", 2, 1))
	x = b.conv(x, 4, 4, []int64{4}, ints("strides", 3), strAttr("auto_pad", "SAME_LOWER"))
	frames := b.op("Transpose", []*onnxgraph.Value{x}, ints("perm", 0, 2, 1)) // [B, T, 4]
	// Frame-count arithmetic as exporters write it: T*4 flattened, halves.
	flat := b.op("Reshape", []*onnxgraph.Value{frames, b.ints(0, -1)})
	shp := b.op("Shape", []*onnxgraph.Value{frames})
	t := b.op("Gather", []*onnxgraph.Value{shp, b.scalar(1)})
	half := b.op("Div", []*onnxgraph.Value{t, b.scalar(2)})
	firstHalf := b.op("Slice", []*onnxgraph.Value{frames, b.ints(0), b.op("Unsqueeze", []*onnxgraph.Value{half, b.ints(0)}), b.ints(1)})
	tail := b.op("Slice", []*onnxgraph.Value{frames, b.ints(1), b.ints(-1), b.ints(1)})
	both := b.op("Concat", []*onnxgraph.Value{firstHalf, tail}, i1("axis", 1))
	b.output(flat, both)
	var sizes []map[string]int64
	for _, s := range []int64{40000, 48000, 77777, 160000} {
		sizes = append(sizes, map[string]int64{"B": 1 + s%2, "samples": s})
	}
	return genModel{"audio", m, sizes}
}

// imageModel is a classifier stem with the usual padding and rounding
// variants, transposed convolution, resampling by 0.5, 0.75 and 2, and
// pixel shuffles.
func imageModel(tb testing.TB) genModel {
	m, b := newGB(tb, 17)
	img := b.input("image", "N", 3, "H", "W")
	x := b.conv(img, 3, 8, []int64{7, 7}, ints("strides", 2, 2), ints("pads", 3, 3, 3, 3))
	x = b.op("MaxPool", []*onnxgraph.Value{x}, ints("kernel_shape", 3, 3), ints("strides", 2, 2), ints("pads", 1, 1, 1, 1), i1("ceil_mode", 1))
	d := b.conv(x, 8, 8, []int64{3, 3}, ints("dilations", 2, 2), ints("pads", 1, 2, 1, 2))
	s := b.conv(x, 8, 8, []int64{3, 3}, ints("strides", 2, 2), strAttr("auto_pad", "SAME_UPPER"))
	up := b.op("ConvTranspose", []*onnxgraph.Value{s, b.weight("wt", 8, 8, 3, 3)}, ints("strides", 2, 2), ints("pads", 1, 1, 1, 1), ints("output_padding", 1, 0))
	avg := b.op("AveragePool", []*onnxgraph.Value{d}, ints("kernel_shape", 3, 2), ints("strides", 3, 2), i1("ceil_mode", 1))
	r1 := b.resize(up, 1, 1, 0.5, 0.75)
	r2 := b.resize(avg, 1, 1, 2, 1.5)
	ds := b.op("DepthToSpace", []*onnxgraph.Value{s}, i1("blocksize", 2))
	pad := b.op("Pad", []*onnxgraph.Value{ds, b.ints(0, 0, 2, 1, 0, 0, 1, 3)})
	g := b.op("GlobalAveragePool", []*onnxgraph.Value{r2})
	fl := b.op("Flatten", []*onnxgraph.Value{pad}, i1("axis", 2))
	b.output(r1, r2, g, fl, up)
	var sizes []map[string]int64
	for _, hw := range [][2]int64{{33, 47}, {64, 64}, {101, 77}, {224, 224}} {
		sizes = append(sizes, map[string]int64{"N": 1 + hw[0]%2, "H": hw[0], "W": hw[1]})
	}
	return genModel{"image", m, sizes}
}

// detectionModel is a small detector: a strided backbone (strides 2 to
// 32), a feature pyramid whose top-down path upsamples a coarser level
// and adds it to a finer one (two different symbolic heights meet), an
// extra level by pooling, a level resampled by 1.5, and heads whose
// predictions are flattened and concatenated across levels.
func detectionModel(tb testing.TB) genModel {
	m, b := newGB(tb, 17)
	img := b.input("image", "N", 3, "H", "W")
	s2 := ints("strides", 2, 2)
	p1 := ints("pads", 1, 1, 1, 1)
	relu := func(v *onnxgraph.Value) *onnxgraph.Value { return b.op("Relu", []*onnxgraph.Value{v}) }
	x := relu(b.conv(img, 3, 4, []int64{3, 3}, s2, p1))
	x = b.op("MaxPool", []*onnxgraph.Value{x}, ints("kernel_shape", 3, 3), s2, p1)
	c3 := relu(b.conv(x, 4, 8, []int64{3, 3}, s2, p1))
	c4 := relu(b.conv(c3, 8, 8, []int64{3, 3}, s2, p1))
	c5 := relu(b.conv(c4, 8, 8, []int64{3, 3}, s2, p1))
	lat := func(v *onnxgraph.Value) *onnxgraph.Value { return b.conv(v, 8, 8, []int64{1, 1}) }
	p5 := lat(c5)
	p4 := b.op("Add", []*onnxgraph.Value{b.resize(p5, 1, 1, 2, 2), lat(c4)})
	p3 := b.op("Add", []*onnxgraph.Value{b.resize(p4, 1, 1, 2, 2), lat(c3)})
	p6 := b.op("MaxPool", []*onnxgraph.Value{p5}, ints("kernel_shape", 1, 1), s2)
	p45 := b.resize(p5, 1, 1, 1.5, 2) // floor(3*h5/2) rows
	// Two branches of different heights joined along the height axis.
	tall := b.op("Concat", []*onnxgraph.Value{p4, p45, b.op("MaxPool", []*onnxgraph.Value{p3}, ints("kernel_shape", 2, 2), s2)}, i1("axis", 2))
	var heads []*onnxgraph.Value
	for _, p := range []*onnxgraph.Value{p3, p4, p5, p6, tall} {
		h := b.conv(p, 8, 6, []int64{3, 3}, p1)                      // 3 anchors x 2 values
		h = b.op("Reshape", []*onnxgraph.Value{h, b.ints(0, 2, -1)}) // [N, 2, 3*h*w]
		heads = append(heads, b.op("Transpose", []*onnxgraph.Value{h}, ints("perm", 0, 2, 1)))
	}
	all := b.op("Concat", heads, i1("axis", 1))
	// The top half of P3's rows, by a computed Slice end.
	h3 := b.op("Gather", []*onnxgraph.Value{b.op("Shape", []*onnxgraph.Value{p3}), b.scalar(2)})
	top := b.op("Slice", []*onnxgraph.Value{p3, b.ints(0), b.op("Unsqueeze", []*onnxgraph.Value{b.op("Div", []*onnxgraph.Value{h3, b.scalar(2)}), b.ints(0)}), b.ints(2)})
	b.output(all, tall, top)
	var sizes []map[string]int64
	for _, hw := range [][2]int64{{64, 64}, {96, 128}, {160, 96}, {320, 224}} {
		sizes = append(sizes, map[string]int64{"N": 1 + hw[0]/32%2, "H": hw[0], "W": hw[1]})
	}
	return genModel{"detection", m, sizes}
}

// decoderModel is buildDecoder's decoder with a cache: sizes P+S.
func decoderModel(tb testing.TB) genModel {
	m, _ := buildDecoder(tb, tfConfig{layers: 2, hidden: 32, heads: 4, ffn: 16, vocab: 50, maxPos: 16, past: true, opset: 17})
	var sizes []map[string]int64
	for _, s := range [][3]int64{{1, 1, 1}, {2, 5, 3}, {1, 16, 7}, {3, 2, 11}} {
		sizes = append(sizes, map[string]int64{"N": s[0], "S": s[1], "P": s[2]})
	}
	return genModel{"decoder", m, sizes}
}

func genModels(tb testing.TB) []genModel {
	return []genModel{audioModel(tb), imageModel(tb), detectionModel(tb), decoderModel(tb)}
}

// withSizes returns a copy of m whose graph inputs declare the concrete
// sizes of env.
func withSizes(t *testing.T, m *onnxgraph.Model, env map[string]int64) *onnxgraph.Model {
	c, err := onnxgraph.Decode(mustMarshal(t, m), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range c.Graph().Inputs() {
		tt := in.Type().GetTensorType()
		if tt == nil || in.Initializer() != nil {
			continue
		}
		for _, d := range tt.GetShape().GetDim() {
			if p := d.GetDimParam(); p != "" {
				v, ok := env[p]
				if !ok {
					t.Fatalf("no size for %s", p)
				}
				d.Value = &onnxproto.TensorShapeProto_Dimension_DimValue{DimValue: v}
			}
		}
	}
	return c
}

func mustMarshal(t testing.TB, m *onnxgraph.Model) []byte {
	var buf bytes.Buffer
	if err := m.Write(&buf, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// exprCase is a printed dim, the sizes of its symbols and its value.
type exprCase struct {
	Expr  string           `json:"e"`
	Env   map[string]int64 `json:"env"`
	Value int64            `json:"v"`
	Where string           `json:"where"`
}

// pyCheckExprs evaluates every case's text with python's eval (floor and
// ceil from math) and with sympy, and returns the cases where either
// reading differs from Value.
func pyCheckExprs(t *testing.T, cases []exprCase) []string {
	t.Helper()
	const script = `
import json, math, sys
import sympy
from sympy.parsing.sympy_parser import parse_expr
cases = json.load(sys.stdin)
parsed = {}
bad = []
for c in cases:
    e, env, want = c["e"], c["env"], c["v"]
    g = {"__builtins__": {}, "floor": math.floor, "ceil": math.ceil, "min": min, "max": max}
    got = eval(e, g, dict(env))
    if got != want:
        bad.append("%s: python eval of %r at %s gives %r, not %d" % (c["where"], e, env, got, want))
    if e not in parsed:
        names = {n: sympy.Symbol(n, integer=True) for n in env}
        names.update({"min": sympy.Min, "max": sympy.Max})
        parsed[e] = parse_expr(e, local_dict=names)
    s = parsed[e].subs({sympy.Symbol(n, integer=True): v for n, v in env.items()})
    if not s.is_integer or int(s) != want:
        bad.append("%s: sympy reads %r as %s, which is %s at %s, not %d" % (c["where"], e, parsed[e], s, env, want))
json.dump({"bad": bad, "n": len(cases), "distinct": len(parsed)}, sys.stdout)
`
	in, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python(t), "-c", script)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, stderr.String())
	}
	var res struct {
		Bad      []string `json:"bad"`
		N        int      `json:"n"`
		Distinct int      `json:"distinct"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("python output %q: %v", out, err)
	}
	t.Logf("python eval and sympy read %d evaluations of %d distinct printed dims", res.N, res.Distinct)
	return res.Bad
}

// pyShapes runs onnx's shape inference (python onnx) on the model files
// and returns, per file, every value's shape (nil dims: unknown).
func pyShapes(t *testing.T, files []string) map[string]map[string][]*int64 {
	t.Helper()
	const script = `
import json, sys, onnx
out = {}
for f in json.load(sys.stdin):
    m = onnx.shape_inference.infer_shapes(onnx.load(f), strict_mode=True, data_prop=True)
    shapes = {}
    for vi in list(m.graph.value_info) + list(m.graph.output) + list(m.graph.input):
        tt = vi.type.tensor_type
        if tt.HasField("shape"):
            shapes[vi.name] = [d.dim_value if d.HasField("dim_value") else None for d in tt.shape.dim]
    out[f] = shapes
json.dump(out, sys.stdout)
`
	in, _ := json.Marshal(files)
	cmd := exec.Command(python(t), "-c", script)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python onnx: %v\n%s", err, stderr.String())
	}
	var res map[string]map[string][]*int64
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatal(err)
	}
	return res
}

// freshSymbols counts the distinct fresh symbols (unk__N) in the types of
// m's values.
func freshSymbols(m *onnxgraph.Model, res *shapeinfer.Result) int {
	seen := map[string]bool{}
	for _, v := range m.Graph().Values() {
		if t := res.Type(v); t.IsTensor() {
			for _, d := range t.Shape {
				if e := d.Expr(); e != nil {
					for _, s := range e.Symbols() {
						if strings.HasPrefix(s, "unk__") {
							seen[s] = true
						}
					}
				}
			}
		}
	}
	return len(seen)
}

// TestSymdimsModels infers the generated models symbolically and checks
// every symbolic dim as described at the top of this file.
func TestSymdimsModels(t *testing.T) {
	py := python(t)
	_ = py
	dir := t.TempDir()
	var cases []exprCase
	var files []string
	type check struct {
		file  string
		model string
		value string
		shape shapeinfer.Shape
		env   map[string]int64
	}
	var checks []check
	for _, gm := range genModels(t) {
		res, err := shapeinfer.Infer(gm.m, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Problems)+len(res.Conflicts) > 0 {
			t.Errorf("%s: problems %v, conflicts %v", gm.name, res.Problems, res.Conflicts)
		}
		symbolic, incomplete := 0, 0
		for _, v := range gm.m.Graph().Values() {
			typ := res.Type(v)
			if !typ.Complete() {
				incomplete++
				t.Errorf("%s %s: %v (%v)", gm.name, v.Name(), typ, res.Explain(v))
				continue
			}
			for _, d := range typ.Shape {
				if _, ok := d.Value(); ok {
					continue
				}
				symbolic++
				if back := shapeinfer.ParseDim(d.String()); !back.Equal(d) {
					t.Errorf("%s %s: %q reads back as %q", gm.name, v.Name(), d, back)
				}
			}
		}
		t.Logf("%s: %d values, %d symbolic dims, %d fresh symbols, %d incomplete", gm.name, len(gm.m.Graph().Values()), symbolic, freshSymbols(gm.m, res), incomplete)
		for k, env := range gm.sizes {
			concrete := withSizes(t, gm.m, env)
			cres, err := shapeinfer.Infer(concrete, nil)
			if err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(dir, fmt.Sprintf("%s_%d.onnx", gm.name, k))
			if err := concrete.Save(file); err != nil {
				t.Fatal(err)
			}
			files = append(files, file)
			for _, v := range gm.m.Graph().Values() {
				typ := res.Type(v)
				if !typ.IsTensor() || v.Initializer() != nil {
					continue
				}
				cv, _ := concrete.Graph().Value(v.Name())
				ct := cres.Type(cv)
				where := fmt.Sprintf("%s %s at %v", gm.name, v.Name(), env)
				got, err := typ.Shape.Eval(env)
				if err != nil {
					continue // a fresh symbol: nothing to evaluate
				}
				if want, ok := ct.Shape.Known(); !ok || !slices.Equal(got, want) {
					t.Errorf("%s: %v evaluates to %v; inferred at these sizes: %v", where, typ, got, ct)
				}
				for i, d := range typ.Shape {
					if _, ok := d.Value(); !ok {
						cases = append(cases, exprCase{d.String(), env, got[i], where})
					}
				}
				checks = append(checks, check{file, gm.name, v.Name(), typ.Shape, env})
			}
		}
		writeGolden(t, gm)
	}
	onnxShapes := pyShapes(t, files)
	compared := 0
	missing := map[string]bool{}
	for _, c := range checks {
		ref, ok := onnxShapes[c.file][c.value]
		if !ok {
			missing[c.model+" "+c.value] = true
			continue // onnx infers nothing for it
		}
		got, _ := c.shape.Eval(c.env)
		if len(ref) != len(got) {
			t.Errorf("%s %s at %v: %v, onnx infers rank %d", c.model, c.value, c.env, got, len(ref))
			continue
		}
		for i, r := range ref {
			if r != nil && *r != got[i] {
				t.Errorf("%s %s at %v: %v evaluates to %v, onnx infers dim %d = %d", c.model, c.value, c.env, c.shape, got, i, *r)
			}
		}
		compared++
	}
	t.Logf("%d value shapes compared with onnx's inference, %d evaluations of printed dims", compared, len(cases))
	if compared < len(checks)*9/10 {
		t.Errorf("onnx inferred only %d of %d value shapes; none for %v", compared, len(checks), missing)
	}
	for _, b := range pyCheckExprs(t, cases) {
		t.Error(b)
	}
}

// writeGolden keeps the generated model, with the sizes to check it at
// in its metadata ("symdims.sizes"), under testdata/symdims.
func writeGolden(t *testing.T, gm genModel) {
	t.Helper()
	sizes, err := json.Marshal(gm.sizes)
	if err != nil {
		t.Fatal(err)
	}
	p := gm.m.Proto()
	p.MetadataProps = []*onnxproto.StringStringEntryProto{{Key: proto.String("symdims.sizes"), Value: proto.String(string(sizes))}}
	path := filepath.Join("testdata", "symdims", gm.name+".onnx")
	b := mustMarshal(t, gm.m)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	old, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(old, b) {
		t.Errorf("%s differs from the generated model (go test ./shapeinfer -run TestSymdimsModels -update): %v", path, err)
	}
}

// TestSymdimsFreshSymbols counts the fresh symbols of the detection model:
// the levels of its feature pyramid meet at different symbolic heights,
// which inference equates (as ONNX Runtime's symbolic shape inference
// does) instead of naming a new size.
func TestSymdimsFreshSymbols(t *testing.T) {
	gm := detectionModel(t)
	res, err := shapeinfer.Infer(gm.m, nil)
	if err != nil {
		t.Fatal(err)
	}
	n := freshSymbols(gm.m, res)
	t.Logf("detection model: %d fresh symbols", n)
	if n != 0 {
		var list []string
		for _, v := range gm.m.Graph().Values() {
			if typ := res.Type(v); typ != nil && strings.Contains(typ.String(), "unk__") {
				list = append(list, v.Name()+": "+typ.String())
			}
		}
		sort.Strings(list)
		t.Errorf("fresh symbols in:\n%s", strings.Join(list, "\n"))
	}
}

// TestSymdimsSuite makes the input sizes of every backend-suite model
// symbolic (d<input>_<axis>), infers, and checks every symbolic dim of
// every value: it reads back from its printed form, and at the sizes of
// test_data_set_0 it evaluates to what inference at those concrete sizes
// gives, to the real output's shape, and (in python) to what python's eval
// and sympy read in its text. Integer and boolean inputs, and small
// floating vectors (scales, bounds), keep their sizes and give their
// values, as shape computations read them.
func TestSymdimsSuite(t *testing.T) {
	cases := loadSuite(t)
	var exprs []exprCase
	var checked, symbolic, vsReal, mismatches int
	for _, c := range cases {
		m, err := onnxgraph.Decode(c.model, &onnxgraph.LoadOptions{Dir: c.dir})
		if err != nil {
			t.Fatal(err)
		}
		sym := &shapeinfer.Options{InputShapes: map[string]shapeinfer.Shape{}, InputData: map[string]*shapeinfer.Data{}, InputStrings: map[string][][]byte{}}
		known := &shapeinfer.Options{InputShapes: map[string]shapeinfer.Shape{}, InputData: map[string]*shapeinfer.Data{}, InputStrings: map[string][][]byte{}}
		env := map[string]int64{}
		for k, in := range m.Graph().Inputs() {
			tp := c.inputs[in.Name()]
			if tp == nil {
				continue
			}
			tt := m.TensorOf(tp)
			known.InputShapes[in.Name()] = shapeinfer.KnownShape(tp.Dims...)
			if d := shapeinfer.TensorData(tt); d != nil {
				known.InputData[in.Name()] = d
			}
			if tt.DataType() == onnxgraph.String {
				if strs, err := tt.Strings(); err == nil {
					known.InputStrings[in.Name()] = strs
					sym.InputStrings[in.Name()] = strs
				}
			}
			dt := tt.DataType()
			small := len(tp.Dims) <= 1 && onnxgraph.NumElements(tp.Dims) <= 8
			if dt != onnxgraph.Float && dt != onnxgraph.Double && dt != onnxgraph.Float16 && dt != onnxgraph.BFloat16 || small {
				sym.InputShapes[in.Name()] = known.InputShapes[in.Name()]
				if d := known.InputData[in.Name()]; d != nil {
					sym.InputData[in.Name()] = d
				}
				continue
			}
			shape := make(shapeinfer.Shape, len(tp.Dims))
			for j, d := range tp.Dims {
				name := fmt.Sprintf("d%d_%d", k, j)
				shape[j] = shapeinfer.Symbol(name)
				env[name] = d
			}
			sym.InputShapes[in.Name()] = shape
		}
		if len(env) == 0 {
			continue
		}
		rs, err1 := shapeinfer.Infer(m, sym)
		mk, err := onnxgraph.Decode(c.model, &onnxgraph.LoadOptions{Dir: c.dir})
		if err != nil {
			t.Fatal(err)
		}
		rk, err2 := shapeinfer.Infer(mk, known)
		if err1 != nil || err2 != nil {
			t.Errorf("%s: %v, %v", c.dir, err1, err2)
			continue
		}
		outIndex := map[string]int{}
		for i, o := range m.Graph().Outputs() {
			outIndex[o.Name()] = i
		}
		for _, v := range m.Graph().Values() {
			ts := rs.Type(v)
			if !ts.HasShape() {
				continue
			}
			vk, _ := mk.Graph().Value(v.Name())
			tk := rk.Type(vk)
			var real shapeinfer.Shape
			if i, ok := outIndex[v.Name()]; ok && c.real[i] != nil {
				real = shapeinfer.FromProto(c.real[i]).Shape
			}
			where := filepath.Base(c.dir) + " " + v.Name()
			for i, d := range ts.Shape {
				if d.IsUnknown() {
					continue
				}
				_, isConst := d.Value()
				if !isConst {
					symbolic++
					if back := shapeinfer.ParseDim(d.String()); !back.Equal(d) {
						t.Errorf("%s: %q reads back as %q", where, d, back)
					}
				}
				got, err := d.Eval(env)
				if err != nil {
					continue // a fresh symbol
				}
				checked++
				if !isConst {
					exprs = append(exprs, exprCase{d.String(), env, got, where})
				}
				if tk.HasShape() && len(tk.Shape) == len(ts.Shape) {
					if want, ok := tk.Shape[i].Value(); ok && want != got {
						mismatches++
						t.Errorf("%s: dim %d %q is %d at %v; inferred at those sizes: %d", where, i, d, got, env, want)
					}
				}
				if len(real) == len(ts.Shape) {
					if want, ok := real[i].Value(); ok {
						vsReal++
						if want != got {
							t.Errorf("%s: dim %d %q is %d at %v; the real output has %d", where, i, d, got, env, want)
						}
					}
				}
			}
		}
	}
	t.Logf("%d dims evaluated at the test sizes (%d symbolic, %d against real outputs), %d mismatches", checked, symbolic, vsReal, mismatches)
	for _, b := range pyCheckExprs(t, exprs) {
		t.Error(b)
	}
}

// TestSymdimsWriteBack writes inferred types into the generated models and
// reads them again: every dim_param must read back as the expression that
// was written (not an opaque name), and inferring the written model must
// agree with it.
func TestSymdimsWriteBack(t *testing.T) {
	for _, gm := range genModels(t) {
		res, err := shapeinfer.Infer(gm.m, &shapeinfer.Options{WriteBack: true})
		if err != nil {
			t.Fatal(err)
		}
		again, err := onnxgraph.Decode(mustMarshal(t, gm.m), nil)
		if err != nil {
			t.Fatal(err)
		}
		structured := 0
		for _, v := range gm.m.Graph().Values() {
			if v.Initializer() != nil || res.Type(v) == nil {
				continue
			}
			w, _ := again.Graph().Value(v.Name())
			back := shapeinfer.FromProto(w.Type())
			if back.String() != res.Type(v).String() {
				t.Errorf("%s %s: wrote %v, reads back as %v", gm.name, v.Name(), res.Type(v), back)
				continue
			}
			for i, d := range back.Shape {
				if e := d.Expr(); e != nil && len(e.Symbols()) > 0 {
					if _, isName := e.Symbol(); !isName {
						structured++
						if !d.Equal(res.Type(v).Shape[i]) {
							t.Errorf("%s %s: dim %d %v differs from %v", gm.name, v.Name(), i, d, res.Type(v).Shape[i])
						}
					}
				}
			}
		}
		res2, err := shapeinfer.Infer(again, &shapeinfer.Options{Strict: true})
		if err != nil {
			t.Errorf("%s: inferring the written model: %v", gm.name, err)
			continue
		}
		for _, v := range again.Graph().Values() {
			if v.Initializer() != nil {
				continue
			}
			if a, b := res2.Type(v).String(), shapeinfer.FromProto(v.Type()).String(); v.Type() != nil && a != b {
				t.Errorf("%s %s: the written model infers %s, declares %s", gm.name, v.Name(), a, b)
			}
		}
		t.Logf("%s: %d structured dims read back", gm.name, structured)
	}
}

// TestSymdimsLimits checks what inference does at the limits of dim
// arithmetic: an expression past MaxExprSize becomes a fresh symbol with
// a reason; a size past int64 is unknown with a reason and a problem,
// never a wrapped number; ConstantOfShape of [2^62, 2^62] does not stop
// inference.
func TestSymdimsLimits(t *testing.T) {
	m, b := newGB(t, 17)
	var parts []*onnxgraph.Value
	for i := range 70 {
		parts = append(parts, b.input(fmt.Sprintf("x%d", i), fmt.Sprintf("a%d", i), 4))
	}
	cat := b.op("Concat", parts, i1("axis", 0))
	huge := b.op("ConstantOfShape", []*onnxgraph.Value{b.ints(1<<62, 1<<62)})
	flat := b.op("Reshape", []*onnxgraph.Value{huge, b.ints(-1)})
	size := b.op("Size", []*onnxgraph.Value{huge})
	res, err := shapeinfer.Infer(m, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Type(cat).String(); got != "float32[unk__1,4]" {
		t.Errorf("a sum of 70 sizes: %s", got)
	}
	if why := res.Explain(cat); why == nil || why.Code != shapeinfer.CodeUnsupported || !strings.Contains(why.Msg, "MaxExprSize") {
		t.Errorf("a sum of 70 sizes: explained %v", why)
	}
	if got := res.Type(huge).String(); got != "float32[4611686018427387904,4611686018427387904]" {
		t.Errorf("ConstantOfShape: %s", got)
	}
	if got := res.Type(flat).String(); got != "float32[?]" {
		t.Errorf("Reshape to -1: %s", got)
	}
	if why := res.Explain(flat); why == nil || why.Code != shapeinfer.CodeInvalid || !strings.Contains(why.Msg, "overflows int64") {
		t.Errorf("Reshape to -1: explained %v", why)
	}
	if len(res.Problems) != 1 || res.Problems[0].Value != flat.Name() {
		t.Errorf("problems: %v", res.Problems)
	}
	if d := res.Data(size); d == nil || len(d.Ints) != 1 || !errors.Is(d.Ints[0].Err(), shapeinfer.ErrOverflow) {
		t.Errorf("Size: %v", d)
	}
	if _, err := shapeinfer.Infer(m, &shapeinfer.Options{Strict: true}); err == nil {
		t.Error("Strict: no error for the overflowing Reshape")
	}
}

// TestSymdimsLegacyDeclared reads a model whose value_info holds the
// ambiguous forms earlier versions wrote ("floor(H-1/2)+1" for a strided
// convolution): inference replaces them with the expressions it infers,
// while declared names stay.
func TestSymdimsLegacyDeclared(t *testing.T) {
	m, b := newGB(t, 17)
	x := b.input("x", "N", 3, "H", "W")
	y := b.conv(x, 3, 4, []int64{3, 3}, ints("strides", 2, 2), ints("pads", 1, 1, 1, 1))
	y.SetType(onnxgraph.TensorType(onnxgraph.Float, []onnxgraph.Dim{onnxgraph.DimParam("batch"), onnxgraph.DimOf(4), onnxgraph.DimParam("floor(H-1/2)+1"), onnxgraph.DimParam("floor(W-1/2)+1")}))
	res, err := shapeinfer.Infer(m, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Type(y).String(); got != "float32[batch,4,floor((H+1)/2),floor((W+1)/2)]" {
		t.Errorf("got %s", got)
	}
}
