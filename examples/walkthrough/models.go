package main

import (
	"math/rand/v2"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
)

// The models the walkthrough edits, built with the library's builder.
// Weights come from fixed seeds, so every run writes the same bytes.

type value = onnxgraph.Value

func must[T any](v T, err error) T {
	if err != nil {
		panic(err) // the models are fixed: an error here is a bug in this file
	}
	return v
}

func newModel() *onnxgraph.Model { return onnxgraph.NewModel(8, map[string]int64{"": 13}) }

func floatType(dims ...int64) *onnxproto.TypeProto {
	return onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(dims...))
}

// op adds one node with one output, named like its output, and returns
// that output.
func op(g *onnxgraph.Graph, opType string, in []*value, out string, attrs ...*onnxproto.AttributeProto) *value {
	n := must(g.AddNode(opType, in, []string{out}, attrs...))
	n.SetName(out)
	return n.Output(0)
}

func floats(g *onnxgraph.Graph, name string, dims []int64, vals []float32) *value {
	return must(g.AddInitializer(must(onnxgraph.NewTensorOf(name, onnxgraph.Float, dims, vals))))
}

func int64s(g *onnxgraph.Graph, name string, vals ...int64) *value {
	return must(g.AddInitializer(must(onnxgraph.NewTensorOf(name, onnxgraph.Int64, []int64{int64(len(vals))}, vals))))
}

// randomFloats returns n normal values times scale.
func randomFloats(r *rand.Rand, n int64, scale float64) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(r.NormFloat64() * scale)
	}
	return v
}

func weight(g *onnxgraph.Graph, r *rand.Rand, name string, scale float64, dims ...int64) *value {
	return floats(g, name, dims, randomFloats(r, onnxgraph.NumElements(dims), scale))
}

// addHead adds a small head-pose network reading img [1,3,64,64]: Conv
// (stride 2) + Relu + GlobalAveragePool + Flatten + Gemm to 3 angles,
// split into p+"yaw", p+"pitch" and p+"roll" ([1,1] each). yawBias shifts
// the yaw so the post-processing has something to zero or keep.
func addHead(g *onnxgraph.Graph, p string, img *value, seed uint64, yawBias float32) (yaw, pitch, roll *value) {
	r := rand.New(rand.NewPCG(seed, 64))
	w := weight(g, r, p+"conv_w", 0.5, 8, 3, 3, 3)
	b := weight(g, r, p+"conv_b", 0.1, 8)
	c := op(g, "Conv", []*value{img, w, b}, p+"conv", onnxgraph.AttrInts("kernel_shape", 3, 3),
		onnxgraph.AttrInts("strides", 2, 2), onnxgraph.AttrInts("pads", 1, 1, 1, 1))
	h := op(g, "Relu", []*value{c}, p+"relu")
	h = op(g, "GlobalAveragePool", []*value{h}, p+"gap")
	h = op(g, "Flatten", []*value{h}, p+"flat", onnxgraph.AttrInt("axis", 1))
	fw := weight(g, r, p+"fc_w", 20, 8, 3)
	fb := floats(g, p+"fc_b", []int64{3}, []float32{yawBias, 5, -5})
	h = op(g, "Gemm", []*value{h, fw, fb}, p+"angles")
	split := must(g.AddNode("Split", []*value{h}, []string{p + "yaw", p + "pitch", p + "roll"}, onnxgraph.AttrInt("axis", 1)))
	split.SetName(p + "split")
	outs := split.Outputs()
	return outs[0], outs[1], outs[2]
}

// addPost adds a post-processing step that zeroes a yaw range, as
// p+"yaw_pp". The front model is trusted within ±75°: its yaw is zeroed
// where |yaw| > 75. The rear model covers the rest: its yaw is zeroed
// where |yaw| < 75. Added together, each angle comes from one model.
func addPost(g *onnxgraph.Graph, p string, yaw *value, front bool) *value {
	cmp := "Less"
	if front {
		cmp = "Greater"
	}
	limit := floats(g, p+"limit", []int64{}, []float32{75})
	zero := floats(g, p+"zero", []int64{}, []float32{0})
	abs := op(g, "Abs", []*value{yaw}, p+"abs")
	cut := op(g, cmp, []*value{abs, limit}, p+"cut")
	return op(g, "Where", []*value{cut, zero, yaw}, p+"yaw_pp")
}

const seedA, seedB, biasA, biasB = 1, 2, 75, 100

// headModel is a head-pose model on its own: image -> yaw, pitch, roll.
func headModel(seed uint64, bias float32) *onnxgraph.Model {
	m := newModel()
	g := m.Graph()
	img := must(g.AddInput("image", floatType(1, 3, 64, 64)))
	yaw, pitch, roll := addHead(g, "", img, seed, bias)
	for _, v := range []*value{yaw, pitch, roll} {
		must(0, g.AddOutput(v, floatType(1, 1)))
	}
	return m
}

// postModel is a post-processing step on its own: yaw -> yaw_pp.
func postModel(front bool) *onnxgraph.Model {
	m := newModel()
	g := m.Graph()
	yaw := must(g.AddInput("yaw", floatType(1, 1)))
	must(0, g.AddOutput(addPost(g, "", yaw, front), floatType(1, 1)))
	return m
}

// addModel joins two yaws: yaw_a + yaw_b -> yaw_sum.
func addModel() *onnxgraph.Model {
	m := newModel()
	g := m.Graph()
	a := must(g.AddInput("yaw_a", floatType(1, 1)))
	b := must(g.AddInput("yaw_b", floatType(1, 1)))
	must(0, g.AddOutput(op(g, "Add", []*value{a, b}, "yaw_sum"), floatType(1, 1)))
	return m
}

// fusedExpected is what merging both pipelines and the Add should give,
// built directly, with the names the merge gives (prefixes a/ and b/).
func fusedExpected() *onnxgraph.Model {
	m := newModel()
	g := m.Graph()
	img := must(g.AddInput("a/image", floatType(1, 3, 64, 64)))
	ya, pa, ra := addHead(g, "a/", img, seedA, biasA)
	yb, pb, rb := addHead(g, "b/", img, seedB, biasB)
	sum := op(g, "Add", []*value{addPost(g, "a/post/", ya, true), addPost(g, "b/post/", yb, false)}, "yaw_sum")
	for _, v := range []*value{sum, pa, ra, pb, rb} {
		must(0, g.AddOutput(v, floatType(1, 1)))
	}
	return m
}

// rvmLike is a multi-output model shaped like RVM's: from one trunk,
// fgr and pha (the matting) and r1o..r4o (recurrent states).
func rvmLike() *onnxgraph.Model {
	m := newModel()
	g := m.Graph()
	r := rand.New(rand.NewPCG(7, 7))
	src := must(g.AddInput("src", floatType(1, 3, 32, 32)))
	conv := func(name string, in *value, cout, cin, k int64) *value {
		w := weight(g, r, name+"_w", 0.3, cout, cin, k, k)
		return op(g, "Conv", []*value{in, w}, name, onnxgraph.AttrInts("kernel_shape", k, k),
			onnxgraph.AttrInts("pads", k/2, k/2, k/2, k/2))
	}
	pool := func(name string, in *value) *value {
		return op(g, "MaxPool", []*value{in}, name, onnxgraph.AttrInts("kernel_shape", 2, 2), onnxgraph.AttrInts("strides", 2, 2))
	}
	trunk := op(g, "Relu", []*value{conv("trunk_conv", src, 8, 3, 3)}, "trunk")
	fgr := op(g, "Sigmoid", []*value{conv("fgr_conv", trunk, 3, 8, 1)}, "fgr")
	pha := op(g, "Sigmoid", []*value{conv("pha_conv", trunk, 1, 8, 1)}, "pha")
	r1 := op(g, "Tanh", []*value{conv("r1_conv", trunk, 4, 8, 3)}, "r1o")
	r2 := op(g, "Tanh", []*value{pool("r2_pool", r1)}, "r2o")
	r3 := op(g, "Tanh", []*value{pool("r3_pool", r2)}, "r3o")
	r4 := op(g, "Tanh", []*value{pool("r4_pool", r3)}, "r4o")
	must(0, g.AddOutput(fgr, floatType(1, 3, 32, 32)))
	must(0, g.AddOutput(pha, floatType(1, 1, 32, 32)))
	must(0, g.AddOutput(r1, floatType(1, 4, 32, 32)))
	must(0, g.AddOutput(r2, floatType(1, 4, 16, 16)))
	must(0, g.AddOutput(r3, floatType(1, 4, 8, 8)))
	must(0, g.AddOutput(r4, floatType(1, 4, 4, 4)))
	return m
}

// reshapeChain flattens and unflattens x [2,3,4] eight times, each
// Reshape with its own shape constant ([1,-1] or [2,3,4]), adding the
// same 24 biases (each its own copy) after each round: the constants
// shrink's dedupe merges.
func reshapeChain() *onnxgraph.Model {
	m := newModel()
	g := m.Graph()
	r := rand.New(rand.NewPCG(4, 4))
	bias := randomFloats(r, 24, 1)
	h := must(g.AddInput("x", floatType(2, 3, 4)))
	for i := range 8 {
		s := string(rune('0' + i))
		h = op(g, "Reshape", []*value{h, int64s(g, "flat_shape_"+s, 1, -1)}, "flat_"+s)
		h = op(g, "Reshape", []*value{h, int64s(g, "shape_"+s, 2, 3, 4)}, "unflat_"+s)
		h = op(g, "Add", []*value{h, floats(g, "bias_"+s, []int64{2, 3, 4}, bias)}, "sum_"+s)
	}
	must(0, g.AddOutput(h, floatType(2, 3, 4)))
	return m
}
