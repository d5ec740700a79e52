package evalcheck_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/onnxgraph/onnxgraph/examples/internal/ort/orttest"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/eval"
	"github.com/onnxgraph/onnxgraph/examples/internal/ort"
	"github.com/onnxgraph/onnxgraph/onnxproto"
)

// diffCase is one node run by eval and by ONNX Runtime.
type diffCase struct {
	name   string
	domain string
	op     string
	opset  int64
	attrs  []*onnxproto.AttributeProto
	in     []*onnxgraph.Tensor // nil for a missing optional input
	nout   int                 // 1 when 0
	tol    float64             // relative and absolute tolerance; 1e-4 when 0
}

// run builds the case's model, runs it with both and compares.
func (c diffCase) run(t *testing.T) {
	t.Helper()
	m := onnxgraph.NewModel(10, map[string]int64{c.domain: c.opset})
	g := m.Graph()
	var ins []*onnxgraph.Value
	feeds := map[string]*onnxgraph.Tensor{}
	ortIn := map[string]*ort.Tensor{}
	for i, x := range c.in {
		if x == nil {
			ins = append(ins, nil)
			continue
		}
		name := fmt.Sprintf("x%d", i)
		v, err := g.AddInput(name, onnxgraph.TensorType(x.DataType(), onnxgraph.Dims(x.Dims()...)))
		if err != nil {
			t.Fatal(err)
		}
		ins = append(ins, v)
		feeds[name] = x
		if ortIn[name], err = ort.FromGraph(x); err != nil {
			t.Fatal(err)
		}
	}
	nout := max(c.nout, 1)
	names := make([]string, nout)
	for i := range names {
		names[i] = fmt.Sprintf("y%d", i)
	}
	n, err := g.AddNodeIn(c.domain, c.op, ins, names, c.attrs...)
	if err != nil {
		t.Fatal(err)
	}
	// eval first: its outputs give the types to declare.
	got, err := eval.EvalNode(n, c.in, nil)
	if err != nil {
		t.Fatalf("eval: %v", err)
	}
	for i, v := range n.Outputs() {
		if err := g.AddOutput(v, onnxgraph.TensorType(got[i].DataType(), nil)); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "model.onnx")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	want, err := ort.Run(path, ortIn)
	if err != nil {
		t.Fatalf("onnxruntime: %v", err)
	}
	tol := c.tol
	if tol == 0 {
		tol = 1e-4
	}
	for i, name := range names {
		w, err := want[name].Graph(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := compare(got[i], w, tol); err != nil {
			t.Errorf("output %d: %v", i, err)
			gv, _ := got[i].Values()
			wv, _ := w.Values()
			t.Logf("eval %v\nonnxruntime %v", gv, wv)
			for _, a := range c.attrs {
				t.Logf("attribute %v", a)
			}
			for k, x := range c.in {
				if x != nil && onnxgraph.NumElements(x.Dims()) <= 8 {
					v, _ := x.Values()
					t.Logf("input %d: %v %v", k, x.Dims(), v)
				} else if x != nil {
					t.Logf("input %d: %v", k, x.Dims())
				}
			}
		}
	}
}

func compare(got, want *onnxgraph.Tensor, tol float64) error {
	if got.DataType() != want.DataType() {
		return fmt.Errorf("type %v, onnxruntime %v", got.DataType(), want.DataType())
	}
	if fmt.Sprint(got.Dims()) != fmt.Sprint(want.Dims()) {
		return fmt.Errorf("shape %v, onnxruntime %v", got.Dims(), want.Dims())
	}
	switch got.DataType() {
	case onnxgraph.Bool, onnxgraph.String:
		g, _ := got.Values()
		w, _ := want.Values()
		if fmt.Sprint(g) != fmt.Sprint(w) {
			return fmt.Errorf("values %v, onnxruntime %v", g, w)
		}
		return nil
	}
	g, err := numbers(got)
	if err != nil {
		return err
	}
	w, err := numbers(want)
	if err != nil {
		return err
	}
	for i := range w {
		if math.IsNaN(w[i]) && math.IsNaN(g[i]) || g[i] == w[i] {
			continue
		}
		if !(math.Abs(g[i]-w[i]) <= tol+tol*math.Abs(w[i])) {
			return fmt.Errorf("element %d is %v, onnxruntime %v", i, g[i], w[i])
		}
	}
	return nil
}

func numbers(t *onnxgraph.Tensor) ([]float64, error) {
	if f, err := t.Float64s(); err == nil {
		return f, nil
	}
	v, err := t.Int64s()
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out, nil
}

// Random inputs.

func randF32(r *rand.Rand, dims ...int64) *onnxgraph.Tensor {
	v := make([]float32, onnxgraph.NumElements(dims))
	for i := range v {
		v[i] = float32(r.NormFloat64())
	}
	t, _ := onnxgraph.TensorFrom("", dims, v)
	return t
}

func f32(dims []int64, v ...float32) *onnxgraph.Tensor {
	t, err := onnxgraph.TensorFrom("", dims, v)
	if err != nil {
		panic(err)
	}
	return t
}

func i64(v ...int64) *onnxgraph.Tensor {
	t, _ := onnxgraph.TensorFrom("", []int64{int64(len(v))}, v)
	return t
}

func i64x2(rows, cols int64, v ...int64) *onnxgraph.Tensor {
	t, _ := onnxgraph.TensorFrom("", []int64{rows, cols}, v)
	return t
}

func i64s(v int64) *onnxgraph.Tensor {
	t, _ := onnxgraph.TensorFrom("", []int64{}, []int64{v})
	return t
}

func TestAgainstOnnxRuntime(t *testing.T) {
	orttest.Require(t)
	r := rand.New(rand.NewPCG(1, 2))
	cases := []diffCase{
		{name: "gelu tanh", op: "Gelu", opset: 20, attrs: []*onnxproto.AttributeProto{onnxgraph.AttrString("approximate", "tanh")}, in: []*onnxgraph.Tensor{randF32(r, 3, 4)}},
		{name: "mish", op: "Mish", opset: 18, in: []*onnxgraph.Tensor{randF32(r, 3, 4)}},
		{name: "reduce mean axes input", op: "ReduceMean", opset: 18, in: []*onnxgraph.Tensor{randF32(r, 2, 3, 4), i64(-1, 0)}},
		{name: "split num_outputs", op: "Split", opset: 18, attrs: []*onnxproto.AttributeProto{onnxgraph.AttrInt("num_outputs", 3), onnxgraph.AttrInt("axis", 1)},
			in: []*onnxgraph.Tensor{randF32(r, 2, 7)}, nout: 3},
		{name: "pad wrap axes", op: "Pad", opset: 19, attrs: []*onnxproto.AttributeProto{onnxgraph.AttrString("mode", "wrap")},
			in: []*onnxgraph.Tensor{randF32(r, 2, 3), i64(2, 1), nil, i64(1)}},
		{name: "group norm", op: "GroupNormalization", opset: 21, attrs: []*onnxproto.AttributeProto{onnxgraph.AttrInt("num_groups", 2)},
			in: []*onnxgraph.Tensor{randF32(r, 2, 4, 3), randF32(r, 4), randF32(r, 4)}},
		{name: "dft-20 axis", op: "DFT", opset: 20, in: []*onnxgraph.Tensor{randF32(r, 2, 5, 3, 1), nil, i64s(1)}},
		{name: "resize-19 half_pixel_symmetric", op: "Resize", opset: 19,
			attrs: []*onnxproto.AttributeProto{onnxgraph.AttrString("mode", "linear"), onnxgraph.AttrString("coordinate_transformation_mode", "half_pixel_symmetric")},
			in:    []*onnxgraph.Tensor{randF32(r, 1, 1, 3, 4), nil, f32([]int64{4}, 1, 1, 1.7, 0.6)}},
		{name: "resize-18 axes not_larger", op: "Resize", opset: 18,
			attrs: []*onnxproto.AttributeProto{onnxgraph.AttrInts("axes", 2, 3), onnxgraph.AttrString("keep_aspect_ratio_policy", "not_larger")},
			in:    []*onnxgraph.Tensor{randF32(r, 1, 1, 3, 4), nil, nil, i64(5, 5)}},
		{name: "rms norm", op: "RMSNormalization", opset: 23, attrs: []*onnxproto.AttributeProto{onnxgraph.AttrInt("axis", -2)},
			in: []*onnxgraph.Tensor{randF32(r, 2, 3, 4), randF32(r, 3, 4)}},
		{name: "cumprod", op: "CumProd", opset: 26, attrs: []*onnxproto.AttributeProto{onnxgraph.AttrInt("exclusive", 1), onnxgraph.AttrInt("reverse", 1)},
			in: []*onnxgraph.Tensor{randF32(r, 3, 4), i64s(1)}},
		{name: "center crop pad", op: "CenterCropPad", opset: 18, in: []*onnxgraph.Tensor{randF32(r, 5, 4, 3), i64(2, 7, 3)}},
		{name: "center crop pad axes", op: "CenterCropPad", opset: 18, attrs: []*onnxproto.AttributeProto{onnxgraph.AttrInts("axes", -1)}, in: []*onnxgraph.Tensor{randF32(r, 5, 4), i64(1)}},
		{name: "col2im", op: "Col2Im", opset: 18, attrs: []*onnxproto.AttributeProto{onnxgraph.AttrInts("strides", 1, 2), onnxgraph.AttrInts("pads", 1, 0, 1, 1)},
			in: []*onnxgraph.Tensor{randF32(r, 2, 6, 15), i64(4, 6), i64(2, 3)}},
		{name: "affine grid 2d", op: "AffineGrid", opset: 20, in: []*onnxgraph.Tensor{randF32(r, 2, 2, 3), i64(2, 3, 4, 5)}},
		{name: "affine grid 3d corners", op: "AffineGrid", opset: 20, attrs: []*onnxproto.AttributeProto{onnxgraph.AttrInt("align_corners", 1)},
			in: []*onnxgraph.Tensor{randF32(r, 1, 3, 4), i64(1, 1, 2, 3, 4)}},
		{name: "max roi pool", op: "MaxRoiPool", opset: 21, attrs: []*onnxproto.AttributeProto{onnxgraph.AttrInts("pooled_shape", 2, 3), onnxgraph.AttrFloat("spatial_scale", 0.5)},
			in: []*onnxgraph.Tensor{randF32(r, 2, 3, 8, 9), f32([]int64{2, 5}, 0, 1, 2, 12, 14, 1, 0, 0, 17, 9)}},
		{name: "tensor scatter", op: "TensorScatter", opset: 24, in: []*onnxgraph.Tensor{randF32(r, 2, 3, 6, 4), randF32(r, 2, 3, 2, 4), i64(1, 4)}},
		{name: "tensor scatter circular", op: "TensorScatter", opset: 24, attrs: []*onnxproto.AttributeProto{onnxgraph.AttrString("mode", "circular")},
			in: []*onnxgraph.Tensor{randF32(r, 2, 5, 3), randF32(r, 2, 3, 3), i64(1, 4)}},
		{name: "bitcast", op: "BitCast", opset: 26, attrs: []*onnxproto.AttributeProto{onnxgraph.AttrInt("to", int64(onnxgraph.Int32))}, in: []*onnxgraph.Tensor{randF32(r, 3, 4)}},
		{name: "cast infinities to float8 fnuz", op: "Cast", opset: 23,
			attrs: []*onnxproto.AttributeProto{onnxgraph.AttrInt("to", int64(onnxproto.TensorProto_FLOAT8E4M3FNUZ))},
			in:    []*onnxgraph.Tensor{f32([]int64{4}, float32(math.Inf(1)), float32(math.Inf(-1)), 1e9, 0.3)}},
		{name: "cast to int4 rounding and wrapping", op: "Cast", opset: 23,
			attrs: []*onnxproto.AttributeProto{onnxgraph.AttrInt("to", int64(onnxproto.TensorProto_INT4))},
			in:    []*onnxgraph.Tensor{f32([]int64{8}, 2.6, -2.6, 2.5, 3.5, 7.4, -7.9, 0.5, 9)}},
		{name: "rotary 4d", op: "RotaryEmbedding", opset: 23, in: []*onnxgraph.Tensor{randF32(r, 2, 3, 4, 8), randF32(r, 2, 4, 4), randF32(r, 2, 4, 4)}},
		{name: "rotary 3d interleaved partial positions", op: "RotaryEmbedding", opset: 23,
			attrs: []*onnxproto.AttributeProto{onnxgraph.AttrInt("interleaved", 1), onnxgraph.AttrInt("num_heads", 2), onnxgraph.AttrInt("rotary_embedding_dim", 4)},
			in:    []*onnxgraph.Tensor{randF32(r, 2, 3, 12), randF32(r, 10, 2), randF32(r, 10, 2), i64x2(2, 3, 0, 5, 9, 1, 1, 2)}},
		{name: "attention 4d", op: "Attention", opset: 23, in: []*onnxgraph.Tensor{randF32(r, 2, 4, 3, 8), randF32(r, 2, 2, 5, 8), randF32(r, 2, 2, 5, 6)}},
		{name: "attention 3d causal past mask", op: "Attention", opset: 23, nout: 4,
			attrs: []*onnxproto.AttributeProto{onnxgraph.AttrInt("q_num_heads", 4), onnxgraph.AttrInt("kv_num_heads", 2), onnxgraph.AttrInt("is_causal", 1), onnxgraph.AttrFloat("scale", 0.3)},
			in:    []*onnxgraph.Tensor{randF32(r, 2, 3, 16), randF32(r, 2, 3, 8), randF32(r, 2, 3, 8), randF32(r, 3, 5), randF32(r, 2, 2, 2, 4), randF32(r, 2, 2, 2, 4)}},
		{name: "attention softcap qk output", op: "Attention", opset: 24, nout: 4,
			attrs: []*onnxproto.AttributeProto{onnxgraph.AttrFloat("softcap", 2), onnxgraph.AttrInt("qk_matmul_output_mode", 2)},
			in:    []*onnxgraph.Tensor{randF32(r, 1, 2, 3, 4), randF32(r, 1, 2, 3, 4), randF32(r, 1, 2, 3, 4)}},
	}
	for _, c := range cases {
		t.Run(c.name, c.run)
	}
}
