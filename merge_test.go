package onnxgraph_test

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/samples"
)

func TestMergeMNISTSoftmax(t *testing.T) {
	a, b := samples.MNIST(), edSoftmax(t)
	a.Proto().MetadataProps = []*onnxproto.StringStringEntryProto{{Key: edPtr("author"), Value: edPtr("a")}, {Key: edPtr("task"), Value: edPtr("digits")}}
	b.Proto().MetadataProps = []*onnxproto.StringStringEntryProto{{Key: edPtr("author"), Value: edPtr("b")}, {Key: edPtr("post"), Value: edPtr("softmax")}}
	a.Proto().IrVersion = proto64(7)
	ab, bb := edBytes(t, a), edBytes(t, b)
	opts := &onnxgraph.MergeOptions{
		Connect:  [][]onnxgraph.Connection{{{Src: "Plus214_Output_0", Dst: "x"}}},
		Prefixes: []string{"a/", "b/"},
	}
	m, r, err := onnxgraph.Merge([]*onnxgraph.Model{a, b}, opts)
	if err != nil {
		t.Fatal(err)
	}
	sane(t, m)
	if !bytes.Equal(edBytes(t, a), ab) || !bytes.Equal(edBytes(t, b), bb) {
		t.Error("Merge changed its inputs")
	}
	g := m.Graph()
	if got := edInNames(g); !slices.Equal(got, []string{"a/Input3"}) {
		t.Errorf("inputs %v", got)
	}
	if got := edOutNames(g); !slices.Equal(got, []string{"b/y"}) {
		t.Errorf("outputs %v", got)
	}
	if !slices.Equal(r.Connections, []string{"step 1: a/Plus214_Output_0 -> b/x (float32[1,10])"}) ||
		!slices.Equal(r.RemovedInputs, []string{"b/x"}) || !slices.Equal(r.RemovedOutputs, []string{"a/Plus214_Output_0"}) {
		t.Errorf("report %+v", r)
	}
	if !slices.Equal(r.MetadataConflicts, []string{`step 1: author: kept "a", dropped "b"`}) || m.IRVersion() != 8 {
		t.Errorf("metadata %v, ir %d", r.MetadataConflicts, m.IRVersion())
	}
	// Every value, node of both models was renamed, and reported.
	kinds := map[string]int{}
	for _, rn := range r.Renames {
		kinds[fmt.Sprint(rn.Model, rn.Kind)]++
		if !strings.HasPrefix(rn.New, []string{"a/", "b/"}[rn.Model]) {
			t.Errorf("rename %+v", rn)
		}
	}
	if kinds["0value"] != 21 || kinds["0node"] != 12 || kinds["1value"] != 2 || kinds["1node"] != 1 {
		t.Errorf("renames by kind %v", kinds)
	}
	// The weights are the same messages as the input's: nothing copied.
	wa, _ := a.Graph().Value("Parameter193")
	wm, _ := g.Value("a/Parameter193")
	if wa.Initializer().Proto() != wm.Initializer().Proto() {
		t.Error("a weight was copied")
	}
	edGolden(t, "merge_mnist_softmax", edDescribe(m))
	edPython(t, map[string]*onnxgraph.Model{"merged": m})

	// KeepConnectedOutputs keeps the connected source as an output.
	keep := *opts
	keep.KeepConnectedOutputs = true
	if k, _, err := onnxgraph.Merge([]*onnxgraph.Model{a, b}, &keep); err != nil || !slices.Equal(edOutNames(k.Graph()), []string{"a/Plus214_Output_0", "b/y"}) {
		t.Errorf("KeepConnectedOutputs: %v", err)
	}
	// training_info can only come with the first, unprefixed model.
	tb := b.Clone()
	tb.Proto().TrainingInfo = []*onnxproto.TrainingInfoProto{{}}
	if _, _, err := onnxgraph.Merge([]*onnxgraph.Model{a, tb}, opts); !errors.Is(err, onnxgraph.ErrInvalid) || !strings.Contains(err.Error(), "training_info") {
		t.Errorf("training_info: %v", err)
	}

	// The chain form gives the same model.
	c := a.Clone().Merge(b, opts, nil)
	if err := c.Err(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(edBytes(t, c), edBytes(t, m)) {
		t.Error("chain and plain merges differ")
	}
}

func TestMergeSharedInputAndInnerDst(t *testing.T) {
	// Two models read x; the second's Neg output is replaced by the
	// first's Relu output, so its Neg goes.
	mk := func(op string) *onnxgraph.Model {
		m := onnxgraph.NewModel(8, map[string]int64{"": 17})
		g := m.Graph()
		x, _ := g.AddInput("x", edFloat(2, 3))
		k, _ := g.AddInput("k", edFloat(2, 3))
		n := edNode(t, g, "first", op, []*onnxgraph.Value{x}, []string{"n"})
		y := edNode(t, g, "second", "Add", []*onnxgraph.Value{n, k}, []string{"y"})
		_ = g.AddOutput(y, edFloat(2, 3))
		return m
	}
	a, b := mk("Relu"), mk("Neg")
	m, r, err := onnxgraph.Merge([]*onnxgraph.Model{a, b}, &onnxgraph.MergeOptions{
		Connect:      [][]onnxgraph.Connection{{{Src: "x", Dst: "x"}, {Src: "a_n", Dst: "n"}}},
		Prefixes:     []string{"a_", "b_"},
		AllowUntyped: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	sane(t, m)
	if got := edInNames(m.Graph()); !slices.Equal(got, []string{"a_x", "a_k", "b_k"}) {
		t.Errorf("inputs %v", got)
	}
	if got := edNodeNames(m.Graph()); !slices.Equal(got, []string{"a_first", "a_second", "b_second"}) {
		t.Errorf("nodes %v", got)
	}
	if !slices.Equal(r.Pruned, []string{"b_first(Neg)"}) || !slices.Equal(r.RemovedInputs, []string{"b_x"}) || len(r.RemovedOutputs) != 0 {
		t.Errorf("report %+v", r)
	}
	edGolden(t, "merge_shared_input", edDescribe(m))
	edPython(t, map[string]*onnxgraph.Model{"merged": m})
}

func TestMergeThreeModelsSubgraphsFunctionsDims(t *testing.T) {
	// Model 1: If with branches (subgraph names get prefixed); model 2: a
	// local function; model 3: Softmax over a symbolic batch.
	a := edIfModel(t)
	fm := edDead(t)
	bm := fm.Clone()
	_, err := onnxgraph.ExtractModel(bm, &onnxgraph.ExtractOptions{Inputs: []string{"p"}, Outputs: []string{"dead2_out"}, AllowUntyped: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(bm.Functions()) != 1 {
		t.Fatalf("%d functions", len(bm.Functions()))
	}
	c := onnxgraph.NewModel(8, map[string]int64{"": 17})
	cg := c.Graph()
	x, _ := cg.AddInput("x", onnxgraph.TensorType(onnxgraph.Float, []onnxgraph.Dim{onnxgraph.DimParam("N")}))
	y := edNode(t, cg, "sm", "Softmax", []*onnxgraph.Value{x}, []string{"y"})
	_ = cg.AddOutput(y, onnxgraph.TensorType(onnxgraph.Float, []onnxgraph.Dim{onnxgraph.DimParam("N")}))
	m, r, err := onnxgraph.Merge([]*onnxgraph.Model{a, bm, c}, &onnxgraph.MergeOptions{
		Connect: [][]onnxgraph.Connection{
			{{Src: "y", Dst: "p"}},
			{{Src: "1.dead2_out", Dst: "x"}},
		},
		Prefixes:        []string{"0.", "1.", "2."},
		PrefixDimParams: true,
		Opsets:          onnxgraph.OpsetMax,
		AllowUntyped:    true,
	})
	if err != nil {
		t.Fatal(err)
	}
	sane(t, m)
	if fs := m.Functions(); len(fs) != 1 || fs[0].Name() != "1.Myfn" {
		t.Errorf("functions %v", fs)
	}
	if n := nodeNamed(m.Graph(), "1.dead2"); n == nil || n.OpType() != "1.Myfn" {
		t.Error("the call was not renamed with its function")
	}
	if got := edOutNames(m.Graph()); !slices.Equal(got, []string{"2.y"}) {
		t.Errorf("outputs %v", got)
	}
	found := map[string]bool{}
	for _, rn := range r.Renames {
		found[rn.Kind+" "+rn.Old+" "+rn.New] = true
	}
	for _, want := range []string{"graph then 0.then", "value then_out 0.then_out", "function local:Myfn local:1.Myfn", "dim N 2.N"} {
		if !found[want] {
			t.Errorf("no rename %q", want)
		}
	}
	edGolden(t, "merge_three", edDescribe(m))
	edPython(t, map[string]*onnxgraph.Model{"merged": m})
}

func TestMergeErrors(t *testing.T) {
	a, b := samples.MNIST(), edSoftmax(t)
	ab, bb := edBytes(t, a), edBytes(t, b)
	pre := []string{"a/", "b/"}
	conn := func(src, dst string) [][]onnxgraph.Connection {
		return [][]onnxgraph.Connection{{{Src: src, Dst: dst}}}
	}
	check := func(name string, target error, names []string, opts *onnxgraph.MergeOptions, models ...*onnxgraph.Model) error {
		t.Helper()
		if models == nil {
			models = []*onnxgraph.Model{a, b}
		}
		_, _, err := onnxgraph.Merge(models, opts)
		if !errors.Is(err, target) {
			t.Errorf("%s: error %v, want %v", name, err, target)
			return err
		}
		for _, n := range names {
			if !strings.Contains(err.Error(), n) {
				t.Errorf("%s: error %q does not name %q", name, err, n)
			}
		}
		// The chain form records it and leaves its model as it was.
		c := a.Clone()
		if len(models) == 2 {
			if cerr := c.Merge(models[1], opts, nil).Err(); !errors.Is(cerr, target) {
				t.Errorf("%s: chain error %v", name, cerr)
			}
		}
		return err
	}
	check("unknown src", onnxgraph.ErrNotFound, []string{"nosuch"}, &onnxgraph.MergeOptions{Connect: conn("nosuch", "x"), Prefixes: pre})
	check("unknown dst", onnxgraph.ErrNotFound, []string{"nosuch"}, &onnxgraph.MergeOptions{Connect: conn("Plus214_Output_0", "nosuch"), Prefixes: pre})
	check("dst not read", onnxgraph.ErrInvalid, []string{"b/y", "reads"}, &onnxgraph.MergeOptions{Connect: conn("Plus214_Output_0", "y"), Prefixes: pre})
	check("steps", onnxgraph.ErrInvalid, []string{"steps"}, &onnxgraph.MergeOptions{Prefixes: pre})
	check("prefixes", onnxgraph.ErrInvalid, []string{"prefixes"}, &onnxgraph.MergeOptions{Connect: conn("Plus214_Output_0", "x"), Prefixes: []string{"a"}})
	check("same prefix", onnxgraph.ErrInvalid, []string{"a/"}, &onnxgraph.MergeOptions{Connect: conn("Plus214_Output_0", "x"), Prefixes: []string{"a/", "a/"}})
	check("one model", onnxgraph.ErrInvalid, []string{"two"}, &onnxgraph.MergeOptions{}, a)

	// Junctions: dtype, then shape (relaxed by RelaxShapes).
	err := check("dtype", onnxgraph.ErrJunction, []string{"a/Pooling160_Output_0_reshape0_shape", "b/x", "element types differ"},
		&onnxgraph.MergeOptions{Connect: conn("Pooling160_Output_0_reshape0_shape", "x"), Prefixes: pre})
	var je *onnxgraph.JunctionError
	if !errors.As(err, &je) || je.SrcType != "int64[2]" || je.DstType != "float32[1,10]" {
		t.Errorf("junction %#v", je)
	}
	check("shape", onnxgraph.ErrJunction, []string{"a/Plus214_Output_0", "b/x", "dimension 0 differs"},
		&onnxgraph.MergeOptions{Connect: conn("Plus214_Output_0", "x"), Prefixes: pre}, a, retype(b, onnxgraph.Float, 2, 5))
	if _, _, err := onnxgraph.Merge([]*onnxgraph.Model{a, retype(b, onnxgraph.Float, 2, 5)}, &onnxgraph.MergeOptions{Connect: conn("Plus214_Output_0", "x"), Prefixes: pre, RelaxShapes: true}); err != nil {
		t.Errorf("RelaxShapes: %v", err)
	}

	// Collisions without prefixes: every one listed.
	err = check("collision", onnxgraph.ErrNameCollision, []string{"Convolution28", "Plus214", "Parameter5", "32 names"},
		&onnxgraph.MergeOptions{Connect: conn("Input3", "Input3")}, a, samples.MNIST())
	var ce *onnxgraph.CollisionError
	if !errors.As(err, &ce) || len(ce.Values) != 20 || len(ce.Nodes) != 12 {
		t.Errorf("collisions %d values %d nodes: %v", len(ce.Values), len(ce.Nodes), err)
	}
	// Opsets: MNIST imports 13; a Softmax model at 11.
	b11 := edSoftmax(t)
	b11.Proto().OpsetImport[0].Version = proto64(11)
	err = check("opset", onnxgraph.ErrOpsetConflict, []string{"ai.onnx", "13", "11"},
		&onnxgraph.MergeOptions{Connect: conn("Plus214_Output_0", "x"), Prefixes: pre}, a, b11)
	var oe *onnxgraph.OpsetConflictError
	if !errors.As(err, &oe) || oe.Have != 13 || oe.Next != 11 {
		t.Errorf("opset error %#v", oe)
	}
	m, r, err := onnxgraph.Merge([]*onnxgraph.Model{a, b11}, &onnxgraph.MergeOptions{Connect: conn("Plus214_Output_0", "x"), Prefixes: pre, Opsets: onnxgraph.OpsetMax})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := m.Opset(""); v != 13 || !slices.Equal(r.Opsets, []string{"ai.onnx: 13, 11 -> 13"}) ||
		!slices.Equal(r.OpsetWarnings, []string{"ai.onnx Softmax: version 11 at opset 11, version 13 at opset 13"}) {
		t.Errorf("opset %d, report %v %v", v, r.Opsets, r.OpsetWarnings)
	}
	// Metadata under MetadataFail.
	a.Proto().MetadataProps = []*onnxproto.StringStringEntryProto{{Key: edPtr("k"), Value: edPtr("1")}}
	b.Proto().MetadataProps = []*onnxproto.StringStringEntryProto{{Key: edPtr("k"), Value: edPtr("2")}}
	check("metadata", onnxgraph.ErrMetadataConflict, []string{"k", "1", "2"},
		&onnxgraph.MergeOptions{Connect: conn("Plus214_Output_0", "x"), Prefixes: pre, Metadata: onnxgraph.MetadataFail})
	a.Proto().MetadataProps, b.Proto().MetadataProps = nil, nil
	if !bytes.Equal(edBytes(t, a), ab) || !bytes.Equal(edBytes(t, b), bb) {
		t.Error("a failed merge changed its inputs")
	}
}

// retype returns a copy of the softmax model whose input x is dt of dims.
func retype(m *onnxgraph.Model, dt onnxgraph.DataType, dims ...int64) *onnxgraph.Model {
	c := m.Clone()
	x, _ := c.Graph().Value("x")
	x.SetType(onnxgraph.TensorType(dt, onnxgraph.Dims(dims...)))
	return c
}

func TestMergeWithItself(t *testing.T) {
	a := samples.MNIST()
	// Same model twice: only prefixes tell the copies apart; the Softmax-free
	// chain MNIST -> MNIST does not type-check, so place them side by side.
	m, r, err := onnxgraph.Merge([]*onnxgraph.Model{a, a}, &onnxgraph.MergeOptions{Connect: [][]onnxgraph.Connection{nil}, Prefixes: []string{"", "copy/"}})
	if err != nil {
		t.Fatal(err)
	}
	sane(t, m)
	if len(m.Graph().Inputs()) != 2 || len(m.Graph().Outputs()) != 2 || m.Graph().NumNodes() != 24 || len(r.Connections) != 0 {
		t.Errorf("%d inputs, %d outputs, %d nodes", len(m.Graph().Inputs()), len(m.Graph().Outputs()), m.Graph().NumNodes())
	}
	edPython(t, map[string]*onnxgraph.Model{"twice": m})
}

// TestMergeExternalData merges two models whose weights live in external
// files of the same name in different folders, saves the result keeping
// external data and in one new file, and checks every tensor's bytes.
func TestMergeExternalData(t *testing.T) {
	dir := t.TempDir()
	a, b := edExternalPair(t, dir, 64, 1<<14)
	m, _, err := onnxgraph.Merge([]*onnxgraph.Model{a, b}, edExtMergeOpts())
	if err != nil {
		t.Fatal(err)
	}
	sane(t, m)
	want := edDigests(t, a, "a/")
	for k, v := range edDigests(t, b, "b/") {
		want[k] = v
	}
	for _, c := range []struct {
		name string
		opts *onnxgraph.SaveOptions
	}{
		{"keep", nil},
		{"single", &onnxgraph.SaveOptions{External: onnxgraph.ExternalSingle, Location: "merged.bin"}},
	} {
		out := filepath.Join(dir, "out-"+c.name, "merged.onnx")
		if err := m.SaveWith(out, c.opts); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got := must(onnxgraph.Open(out, nil))
		if got := edDigests(t, got, ""); len(got) != len(want) {
			t.Errorf("%s: %d tensors, want %d", c.name, len(got), len(want))
		} else {
			for k, v := range want {
				if got[k] != v {
					t.Errorf("%s: tensor %s differs", c.name, k)
				}
			}
		}
		files, _ := os.ReadDir(filepath.Dir(out))
		if c.name == "keep" && len(files) != 3 {
			t.Errorf("keep: files %v (want the model and two data files)", files)
		}
		got.Close()
	}
}

// edExternalPair writes two chain models, n weights of size floats each,
// to dir/a and dir/b, both with external data in "weights.bin", and opens
// them.
func edExternalPair(t testing.TB, dir string, n, size int) (a, b *onnxgraph.Model) {
	for i, name := range []string{"a", "b"} {
		m := edWeightChain(t, n, size, uint32(i+1))
		p := filepath.Join(dir, name, "model.onnx")
		if err := m.SaveWith(p, &onnxgraph.SaveOptions{External: onnxgraph.ExternalSingle, Location: "weights.bin"}); err != nil {
			t.Fatal(err)
		}
		opened := must(onnxgraph.Open(p, nil))
		if i == 0 {
			a = opened
		} else {
			b = opened
		}
	}
	return a, b
}

func edExtMergeOpts() *onnxgraph.MergeOptions {
	return &onnxgraph.MergeOptions{Connect: [][]onnxgraph.Connection{{{Src: "y", Dst: "x"}}}, Prefixes: []string{"a/", "b/"}}
}

// edWeightChain is x [size] -> Add(w0) -> ... -> Add(w{n-1}) -> y, each
// weight filled from seed.
func edWeightChain(t testing.TB, n, size int, seed uint32) *onnxgraph.Model {
	m := onnxgraph.NewModel(8, map[string]int64{"": 17})
	g := m.Graph()
	v, _ := g.AddInput("x", edFloat(int64(size)))
	for i := 0; i < n; i++ {
		raw := make([]byte, 4*size)
		s := seed*2654435761 + uint32(i)*40503
		for k := 0; k < len(raw); k += 4 {
			s = s*1664525 + 1013904223
			raw[k], raw[k+1], raw[k+2], raw[k+3] = byte(s>>8), byte(s>>16), 0x3f&byte(s>>24), 0x3c
		}
		w, err := onnxgraph.NewTensor(fmt.Sprintf("w%d", i), onnxgraph.Float, []int64{int64(size)}, raw)
		if err != nil {
			t.Fatal(err)
		}
		wv, _ := g.AddInitializer(w)
		out := "y"
		if i < n-1 {
			out = fmt.Sprintf("h%d", i)
		}
		v = edNode(t, g, fmt.Sprintf("add%d", i), "Add", []*onnxgraph.Value{v, wv}, []string{out})
	}
	_ = g.AddOutput(v, edFloat(int64(size)))
	return m
}

// edDigests returns the sha256 of every initializer's bytes, keyed by
// prefix + name.
func edDigests(t testing.TB, m *onnxgraph.Model, prefix string) map[string][32]byte {
	out := map[string][32]byte{}
	for _, v := range m.Graph().Initializers() {
		b, err := v.Initializer().Bytes()
		if err != nil {
			t.Fatal(err)
		}
		out[prefix+v.Name()] = sha256.Sum256(b)
	}
	return out
}

var (
	edDecoderOnce sync.Once
	edDecoder     *onnxgraph.Model
)

// edDecoderModel is a 24-layer decoder-shaped model with about 300 MB of
// weights held in memory: per layer a LayerNormalization, then projections
// 768 -> 1152 (MatMul + Add), a gate x*Sigmoid(x), 1152 -> 1152 and
// 1152 -> 768 (MatMul + Add), and a residual Add.
func edDecoderModel(t testing.TB) *onnxgraph.Model {
	edDecoderOnce.Do(func() {
		const layers, d, h = 24, 768, 1152
		m := onnxgraph.NewModel(9, map[string]int64{"": 17})
		g := m.Graph()
		x, _ := g.AddInput("x", onnxgraph.TensorType(onnxgraph.Float, []onnxgraph.Dim{onnxgraph.DimParam("N"), onnxgraph.DimOf(d)}))
		w := func(name string, dims ...int64) *onnxgraph.Value {
			raw := make([]byte, 4*onnxgraph.NumElements(dims))
			for i := 0; i < len(raw); i += 4 {
				raw[i+2], raw[i+3] = byte(i>>4), 0x3a
			}
			ten, _ := onnxgraph.NewTensor(name, onnxgraph.Float, dims, raw)
			v, _ := g.AddInitializer(ten)
			return v
		}
		v := x
		for l := 0; l < layers; l++ {
			p := fmt.Sprintf("l%d.", l)
			ln := edNode(t, g, p+"ln", "LayerNormalization", []*onnxgraph.Value{v, w(p+"ln.scale", d), w(p+"ln.bias", d)}, []string{p + "ln_out"})
			q := edNode(t, g, p+"up", "MatMul", []*onnxgraph.Value{ln, w(p+"up.w", d, h)}, []string{p + "up_out"})
			q = edNode(t, g, p+"up_b", "Add", []*onnxgraph.Value{q, w(p+"up.b", h)}, []string{p + "up_b_out"})
			s := edNode(t, g, p+"sig", "Sigmoid", []*onnxgraph.Value{q}, []string{p + "sig_out"})
			q = edNode(t, g, p+"gate", "Mul", []*onnxgraph.Value{q, s}, []string{p + "gate_out"})
			q = edNode(t, g, p+"mid", "MatMul", []*onnxgraph.Value{q, w(p+"mid.w", h, h)}, []string{p + "mid_out"})
			q = edNode(t, g, p+"down", "MatMul", []*onnxgraph.Value{q, w(p+"down.w", h, d)}, []string{p + "down_out"})
			q = edNode(t, g, p+"down_b", "Add", []*onnxgraph.Value{q, w(p+"down.b", d)}, []string{p + "down_b_out"})
			v = edNode(t, g, p+"res", "Add", []*onnxgraph.Value{v, q}, []string{p + "res_out"})
		}
		_ = g.AddOutput(v, onnxgraph.TensorType(onnxgraph.Float, []onnxgraph.Dim{onnxgraph.DimParam("N"), onnxgraph.DimOf(d)}))
		edDecoder = m
	})
	return edDecoder
}

// BenchmarkMergeDecoder300MB merges a 24-layer decoder with about 300 MB
// of weights with itself (output to input), prefixes on both: the weights
// are shared, so B/op stays in the graph's size.
func BenchmarkMergeDecoder300MB(b *testing.B) {
	m := edDecoderModel(b)
	var total int64
	for _, v := range m.Graph().Initializers() {
		total += v.Initializer().NumBytes()
	}
	opts := &onnxgraph.MergeOptions{Connect: [][]onnxgraph.Connection{{{Src: "l23.res_out", Dst: "x"}}}, Prefixes: []string{"a/", "b/"}}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, _, err := onnxgraph.Merge([]*onnxgraph.Model{m, m}, opts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(total)/1e6, "weight-MB")
}

// BenchmarkMergeExternal100MB merges two models of about 100 MB of
// external data each, from two folders whose data files share a name, and
// saves the result with its external data (kept layout): the save copies
// 200 MB.
func BenchmarkMergeExternal100MB(b *testing.B) {
	dir := b.TempDir()
	a, c := edExternalPair(b, dir, 25, 1<<20) // 25 x 4 MiB each
	defer a.Close()
	defer c.Close()
	want := edDigests(b, a, "a/")
	for k, v := range edDigests(b, c, "b/") {
		want[k] = v
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		m, _, err := onnxgraph.Merge([]*onnxgraph.Model{a, c}, edExtMergeOpts())
		if err != nil {
			b.Fatal(err)
		}
		out := filepath.Join(dir, fmt.Sprint("out", i), "merged.onnx")
		if err := m.Save(out); err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			b.StopTimer()
			got := must(onnxgraph.Open(out, nil))
			d := edDigests(b, got, "")
			for k, v := range want {
				if d[k] != v {
					b.Fatalf("tensor %s differs after the merge", k)
				}
			}
			got.Close()
			b.StartTimer()
		}
		b.StopTimer()
		os.RemoveAll(filepath.Dir(out))
		b.StartTimer()
	}
}

func ExampleMerge() {
	a := samples.MNIST() // Input3 -> ... -> Plus214_Output_0 [1,10]
	b := onnxgraph.NewModel(8, map[string]int64{"": 13})
	g := b.Graph()
	x, _ := g.AddInput("logits", onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(1, 10)))
	sm, _ := g.AddNode("Softmax", []*onnxgraph.Value{x}, []string{"probs"})
	_ = g.AddOutput(sm.Output(0), onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(1, 10)))

	m, r, err := onnxgraph.Merge([]*onnxgraph.Model{a, b}, &onnxgraph.MergeOptions{
		Connect:  [][]onnxgraph.Connection{{{Src: "Plus214_Output_0", Dst: "logits"}}},
		Prefixes: []string{"cnn/", "head/"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Connections)
	fmt.Println(len(r.Renames), "renames; inputs", edNames(m.Graph().Inputs()), "outputs", edNames(m.Graph().Outputs()))
	// Output:
	// [step 1: cnn/Plus214_Output_0 -> head/logits (float32[1,10])]
	// 35 renames; inputs [cnn/Input3] outputs [head/probs]
}

func ExampleModel_Merge() {
	a := samples.MNIST()
	err := a.Merge(samples.MNIST(), &onnxgraph.MergeOptions{Connect: [][]onnxgraph.Connection{{{Src: "Input3", Dst: "Input3"}}}}, nil).Err()
	fmt.Println(err)
	// Output: onnxgraph: Merge "Convolution110_Output_0": merge step 1: 32 names are used by both sides: values "Convolution110_Output_0", "Convolution28_Output_0", "Parameter193", "Parameter193_reshape1", "Parameter193_reshape1_shape", "Parameter194", "Parameter5", "Parameter6", "Parameter87", "Parameter88", "Plus110_Output_0", "Plus214_Output_0", ... (8 more); nodes "Convolution110", "Convolution28", "Plus110", "Plus214", "Plus28", "Pooling160", "Pooling66", "ReLU110", "ReLU28", "Times212", "Times212_reshape0", "Times212_reshape1"; give the models prefixes
}
