package tflitecheck

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/samples"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
	"github.com/onnxgraph/onnxgraph/tflite"
)

// net builds real-world-shaped models with the schema-checked builder;
// weights are seeded pseudo-random, scaled so activations stay O(1).
type net struct {
	b *onnxgraph.Builder
	r *rand.Rand
	k int
}

func newNet(opset int64) *net {
	return &net{b: onnxgraph.NewBuilder(opset).Infer(shapeinfer.Types(nil)), r: rand.New(rand.NewPCG(7, 11))}
}

func (n *net) weights(dims ...int64) *onnxgraph.Tensor {
	size := onnxgraph.NumElements(dims)
	fan := size / dims[0]
	scale := 1 / math.Sqrt(float64(max(fan, 1)))
	v := make([]float32, size)
	for i := range v {
		v[i] = float32(n.r.NormFloat64() * scale)
	}
	n.k++
	t, err := onnxgraph.TensorFrom("w", dims, v)
	if err != nil {
		panic(err)
	}
	return t
}

func (n *net) vec(c int64, lo, hi float64) *onnxgraph.Tensor {
	v := make([]float32, c)
	for i := range v {
		v[i] = float32(lo + (hi-lo)*n.r.Float64())
	}
	t, _ := onnxgraph.TensorFrom("v", []int64{c}, v)
	return t
}

// conv is Conv (+ BatchNormalization when bn).
func (n *net) conv(x *onnxgraph.Value, cin, cout, k, stride, group int64, bn bool) *onnxgraph.Value {
	p := k / 2
	y := n.b.Op("Conv", onnxgraph.Attrs{"kernel_shape": []int64{k, k}, "strides": []int64{stride, stride}, "pads": []int64{p, p, p, p}, "group": group},
		x, n.weights(cout, cin/group, k, k), n.vec(cout, -0.1, 0.1))
	if bn {
		y = n.b.Op("BatchNormalization", onnxgraph.Attrs{"epsilon": 1e-5}, y, n.vec(cout, 0.5, 1.5), n.vec(cout, -0.2, 0.2), n.vec(cout, -0.2, 0.2), n.vec(cout, 0.5, 2))
	}
	return y
}

func (n *net) build(t *testing.T) *onnxgraph.Model {
	t.Helper()
	m, err := n.b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// mobileNet is a MobileNetV3-like classifier: stem conv + BN + HardSwish,
// inverted residual blocks (expand 1x1, depthwise 3x3, squeeze-excite,
// project 1x1, skip Add), global pooling, Flatten, Gemm, Softmax.
func mobileNet(opset int64, width int64) *net {
	n := newNet(opset)
	x := n.b.Input("image", onnxgraph.Float, onnxgraph.Dims(1, 3, 64, 64)...)
	h := n.b.Op("HardSwish", nil, n.conv(x, 3, width, 3, 2, 1, true))
	c := width
	for i, s := range []int64{1, 2, 1, 2} {
		e := c * 3
		y := n.b.Op("Relu", nil, n.conv(h, c, e, 1, 1, 1, true))
		y = n.b.Op("HardSwish", nil, n.conv(y, e, e, 3, s, e, true))
		// Squeeze-excite.
		se := n.b.Op("GlobalAveragePool", nil, y)
		se = n.b.Op("Relu", nil, n.conv(se, e, e/4, 1, 1, 1, false))
		se = n.b.Op("HardSigmoid", onnxgraph.Attrs{"alpha": 1.0 / 6, "beta": 0.5}, n.conv(se, e/4, e, 1, 1, 1, false))
		y = n.b.Op("Mul", nil, y, se)
		out := c
		if i%2 == 1 {
			out = c + width/2
		}
		y = n.conv(y, e, out, 1, 1, 1, true)
		if s == 1 && out == c {
			y = n.b.Op("Add", nil, y, h)
		}
		h, c = y, out
	}
	h = n.b.Op("Clip", nil, n.conv(h, c, 4*c, 1, 1, 1, true), constF(0), constF(6))
	h = n.b.Op("GlobalAveragePool", nil, h)
	h = n.b.Op("Flatten", onnxgraph.Attrs{"axis": 1}, h)
	h = n.b.Op("Gemm", onnxgraph.Attrs{"transB": 1}, h, n.weights(10, 4*c), n.vec(10, -0.1, 0.1))
	n.b.Output(n.b.Op("Softmax", onnxgraph.Attrs{"axis": 1}, h))
	return n
}

func constF(v float32) *onnxgraph.Tensor {
	t, _ := onnxgraph.TensorFrom("c", []int64{}, []float32{v})
	return t
}

func constI(v ...int64) *onnxgraph.Tensor {
	t, _ := onnxgraph.TensorFrom("i", []int64{int64(len(v))}, v)
	return t
}

// uNet is a UNet-like segmenter: two encoder stages with MaxPool, a
// bottleneck, decoder stages upsampling by Resize (nearest with scales,
// linear with sizes) and by ConvTranspose, each concatenated with its
// skip, and a Sigmoid mask.
func uNet() *net {
	n := newNet(13)
	x := n.b.Input("image", onnxgraph.Float, onnxgraph.Dims(1, 3, 32, 48)...)
	e1 := n.b.Op("Relu", nil, n.conv(x, 3, 8, 3, 1, 1, true))
	p1 := n.b.Op("MaxPool", onnxgraph.Attrs{"kernel_shape": []int64{2, 2}, "strides": []int64{2, 2}}, e1)
	e2 := n.b.Op("Relu", nil, n.conv(p1, 8, 16, 3, 1, 1, true))
	p2 := n.b.Op("MaxPool", onnxgraph.Attrs{"kernel_shape": []int64{2, 2}, "strides": []int64{2, 2}}, e2)
	bott := n.b.Op("Relu", nil, n.conv(p2, 16, 32, 3, 1, 1, true))
	scales, _ := onnxgraph.TensorFrom("scales", []int64{4}, []float32{1, 1, 2, 2})
	u2 := n.b.Op("Resize", onnxgraph.Attrs{"mode": "nearest"}, bott, nil, scales)
	d2 := n.b.Op("Relu", nil, n.conv(n.b.Op("Concat", onnxgraph.Attrs{"axis": 1}, u2, e2), 48, 16, 3, 1, 1, true))
	sizes := constI(1, 16, 32, 48)
	u1 := n.b.Op("Resize", onnxgraph.Attrs{"mode": "linear", "coordinate_transformation_mode": "half_pixel"}, d2, nil, nil, sizes)
	d1 := n.b.Op("Relu", nil, n.conv(n.b.Op("Concat", onnxgraph.Attrs{"axis": 1}, u1, e1), 24, 8, 3, 1, 1, true))
	// A second head upsamples by a learned ConvTranspose.
	t := n.b.Op("ConvTranspose", onnxgraph.Attrs{"kernel_shape": []int64{2, 2}, "strides": []int64{2, 2}}, d2, n.weights(16, 8, 2, 2), n.vec(8, -0.1, 0.1))
	d1 = n.b.Op("Add", nil, d1, t)
	n.b.Output(n.b.Op("Sigmoid", nil, n.conv(d1, 8, 2, 1, 1, 1, false)))
	return n
}

// ocrDetector is a DBNet-like text detector: a strided backbone with
// asymmetric padding (explicit PAD) and average pooling, an FPN merging
// scales by Resize and Add, concatenated features, and a head of Conv,
// BatchNormalization, Relu and two ConvTranspose upsamplings to a
// probability map.
func ocrDetector() *net {
	n := newNet(17)
	x := n.b.Input("image", onnxgraph.Float, onnxgraph.Dims(1, 3, 64, 64)...)
	c1 := n.b.Op("Relu", nil, n.conv(x, 3, 8, 3, 2, 1, true))                                                                                                                                     // 32
	c2 := n.b.Op("Relu", nil, n.b.Op("Conv", onnxgraph.Attrs{"kernel_shape": []int64{3, 3}, "strides": []int64{2, 2}, "pads": []int64{0, 0, 1, 1}}, c1, n.weights(16, 8, 3, 3)))                  // 16
	c3 := n.b.Op("AveragePool", onnxgraph.Attrs{"kernel_shape": []int64{3, 3}, "strides": []int64{2, 2}, "pads": []int64{1, 1, 1, 1}, "count_include_pad": 0}, n.conv(c2, 16, 32, 3, 1, 1, true)) // 8
	l3 := n.conv(c3, 32, 16, 1, 1, 1, false)
	l2 := n.conv(c2, 16, 16, 1, 1, 1, false)
	scales, _ := onnxgraph.TensorFrom("scales", []int64{4}, []float32{1, 1, 2, 2})
	up3 := n.b.Op("Resize", onnxgraph.Attrs{"mode": "nearest", "coordinate_transformation_mode": "asymmetric", "nearest_mode": "floor"}, l3, nil, scales)
	m2 := n.b.Op("Add", nil, up3, l2)
	f3 := n.b.Op("Resize", onnxgraph.Attrs{"mode": "nearest", "coordinate_transformation_mode": "asymmetric", "nearest_mode": "floor"}, n.conv(l3, 16, 8, 3, 1, 1, false), nil, scales)
	f2 := n.conv(m2, 16, 8, 3, 1, 1, false)
	fuse := n.b.Op("Concat", onnxgraph.Attrs{"axis": 1}, f3, f2) // 16 channels at 16x16
	h := n.b.Op("Relu", nil, n.conv(fuse, 16, 8, 3, 1, 1, true))
	h = n.b.Op("ConvTranspose", onnxgraph.Attrs{"kernel_shape": []int64{2, 2}, "strides": []int64{2, 2}}, h, n.weights(8, 8, 2, 2), n.vec(8, -0.1, 0.1))
	h = n.b.Op("Relu", nil, n.b.Op("BatchNormalization", nil, h, n.vec(8, 0.5, 1.5), n.vec(8, -0.2, 0.2), n.vec(8, -0.2, 0.2), n.vec(8, 0.5, 2)))
	h = n.b.Op("ConvTranspose", onnxgraph.Attrs{"kernel_shape": []int64{4, 4}, "strides": []int64{2, 2}, "pads": []int64{1, 1, 1, 1}}, h, n.weights(8, 1, 4, 4), n.vec(1, -0.1, 0.1))
	n.b.Output(n.b.Op("Sigmoid", nil, h))
	return n
}

// transformerBlock is a pre-norm encoder block on [1, 16, 32] tokens:
// LayerNormalization, Q/K/V projections (MatMul + bias Add), heads split by
// Reshape and Transpose, scaled dot-product attention with Softmax, an
// output projection and residual, then an MLP with Gelu written out with
// Erf, as PyTorch exports it.
func transformerBlock() *net {
	n := newNet(17)
	const seq, dim, heads = 16, 32, 4
	x := n.b.Input("tokens", onnxgraph.Float, onnxgraph.Dims(1, seq, dim)...)
	ln := func(v *onnxgraph.Value) *onnxgraph.Value {
		return n.b.Op("LayerNormalization", onnxgraph.Attrs{"axis": -1, "epsilon": 1e-5}, v, n.vec(dim, 0.8, 1.2), n.vec(dim, -0.1, 0.1))
	}
	lin := func(v *onnxgraph.Value, in, out int64) *onnxgraph.Value {
		return n.b.Op("Add", nil, n.b.Op("MatMul", nil, v, n.weights(in, out)), n.vec(out, -0.1, 0.1))
	}
	split := func(v *onnxgraph.Value) *onnxgraph.Value {
		r := n.b.Op("Reshape", nil, v, constI(1, seq, heads, dim/heads))
		return n.b.Op("Transpose", onnxgraph.Attrs{"perm": []int64{0, 2, 1, 3}}, r)
	}
	h := ln(x)
	q, k, v := split(lin(h, dim, dim)), split(lin(h, dim, dim)), split(lin(h, dim, dim))
	kt := n.b.Op("Transpose", onnxgraph.Attrs{"perm": []int64{0, 1, 3, 2}}, k)
	s := n.b.Op("Mul", nil, n.b.Op("MatMul", nil, q, kt), constF(float32(1/math.Sqrt(dim/heads))))
	a := n.b.Op("MatMul", nil, n.b.Op("Softmax", onnxgraph.Attrs{"axis": -1}, s), v)
	a = n.b.Op("Reshape", nil, n.b.Op("Transpose", onnxgraph.Attrs{"perm": []int64{0, 2, 1, 3}}, a), constI(1, seq, dim))
	x2 := n.b.Op("Add", nil, x, lin(a, dim, dim))
	m := lin(ln(x2), dim, 4*dim)
	g := n.b.Op("Mul", nil, n.b.Op("Mul", nil, m, constF(0.5)),
		n.b.Op("Add", nil, n.b.Op("Erf", nil, n.b.Op("Div", nil, m, constF(float32(math.Sqrt2)))), constF(1)))
	n.b.Output(n.b.Op("Add", nil, x2, lin(g, 4*dim, dim)))
	return n
}

// half converts a float32 tensor to float16.
func half(t *onnxgraph.Tensor) *onnxgraph.Tensor {
	f, _ := t.Float32s()
	raw := make([]byte, 2*len(f))
	for i, x := range f {
		h := onnxgraph.Float32ToFloat16(x)
		raw[2*i], raw[2*i+1] = byte(h), byte(h>>8)
	}
	out, err := onnxgraph.NewTensor(t.Name(), onnxgraph.Float16, t.Dims(), raw)
	if err != nil {
		panic(err)
	}
	return out
}

// fp16Net is a float16 ONNX model (weights, activations and I/O float16):
// Conv, Relu, MaxPool, depthwise Conv, HardSigmoid, GlobalAveragePool.
func fp16Net() *net {
	n := newNet(14)
	x := n.b.Input("image", onnxgraph.Float16, onnxgraph.Dims(1, 3, 32, 32)...)
	h := n.b.Op("Conv", onnxgraph.Attrs{"kernel_shape": []int64{3, 3}, "pads": []int64{1, 1, 1, 1}}, x, half(n.weights(8, 3, 3, 3)), half(n.vec(8, -0.1, 0.1)))
	h = n.b.Op("MaxPool", onnxgraph.Attrs{"kernel_shape": []int64{2, 2}, "strides": []int64{2, 2}}, n.b.Op("Relu", nil, h))
	h = n.b.Op("Conv", onnxgraph.Attrs{"kernel_shape": []int64{3, 3}, "pads": []int64{1, 1, 1, 1}, "group": 8}, h, half(n.weights(8, 1, 3, 3)), half(n.vec(8, -0.1, 0.1)))
	h = n.b.Op("HardSigmoid", nil, h)
	n.b.Output(n.b.Op("GlobalAveragePool", nil, h))
	return n
}

// uniform is a float32 tensor of values in [-1, 1) drawn from r.
func uniform(t *testing.T, r *rand.Rand, name string, dims []int64) *onnxgraph.Tensor {
	t.Helper()
	vals := make([]float32, onnxgraph.NumElements(dims))
	for i := range vals {
		vals[i] = float32(2*r.Float64() - 1)
	}
	tv, err := onnxgraph.TensorFrom(name, dims, vals)
	if err != nil {
		t.Fatal(err)
	}
	return tv
}

// randomInputs gives every graph input of m seeded values in [-1, 1).
func randomInputs(t *testing.T, m *onnxgraph.Model, seed uint64) map[string]*onnxgraph.Tensor {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 3))
	out := map[string]*onnxgraph.Tensor{}
	for _, v := range m.Graph().Inputs() {
		if v.Initializer() != nil {
			continue
		}
		dims, _, _ := v.Shape()
		tv := uniform(t, r, v.Name(), dims)
		vals, _ := tv.Float32s()
		if v.ElemType() == onnxgraph.Float16 {
			h := make([]uint16, len(vals))
			for i, f := range vals {
				h[i] = onnxgraph.Float32ToFloat16(f)
			}
			raw := make([]byte, 2*len(h))
			for i, x := range h {
				raw[2*i], raw[2*i+1] = byte(x), byte(x>>8)
			}
			var err error
			if tv, err = onnxgraph.NewTensor(v.Name(), onnxgraph.Float16, dims, raw); err != nil {
				t.Fatal(err)
			}
		}
		out[v.Name()] = tv
	}
	return out
}

// TestModels converts the real-world-shaped networks, float32 and with
// float16 weights, runs them in both runtimes and checks the outputs, the
// absence of Transposes inside the convolutional networks and the size
// of the weights.
func TestModels(t *testing.T) {
	needRuntimes(t)
	type spec struct {
		name    string
		net     *net
		conv    bool // a convolutional network: no Transpose inside
		keepIO  bool
		fp16    bool
		tol     tol
		maxSize float64 // .tflite weights at most this times the ONNX weights
	}
	specs := []spec{
		{"mnist", nil, true, false, false, float32Tol, 1}, // samples.MNIST: Conv, Add, Relu, MaxPool, Reshape, MatMul
		{"mobilenet", mobileNet(14, 16), true, false, false, float32Tol, 1},
		{"mobilenet_opset18_nchw_io", mobileNet(18, 16), true, true, false, float32Tol, 1},
		{"mobilenet_fp16", mobileNet(14, 16), true, false, true, fp16Tol, 0.5},
		{"unet", uNet(), true, false, false, float32Tol, 1},
		{"unet_fp16", uNet(), true, false, true, fp16Tol, 0.55},
		{"ocr_detector", ocrDetector(), true, false, false, float32Tol, 1},
		{"transformer_block", transformerBlock(), false, false, false, float32Tol, 1},
		{"transformer_block_fp16", transformerBlock(), false, false, true, fp16Tol, 0.55},
		{"float16_onnx_model", fp16Net(), true, false, false, fp16Tol, 1.3},
	}
	var cases []crossCase
	for _, s := range specs {
		var m *onnxgraph.Model
		if s.net == nil {
			m = samples.MNIST()
		} else {
			m = s.net.build(t)
		}
		cases = append(cases, crossCase{name: s.name, model: m, inputs: randomInputs(t, m, 5),
			opts: tflite.Options{FP16: s.fp16, KeepNCHWIO: s.keepIO}, tol: s.tol})
	}
	res := crossRun(t, cases)
	for i, s := range specs {
		r := res[i]
		if !r.ok() {
			t.Errorf("%s: convert %v, run %v, %s", s.name, r.convErr, r.runErr, r.diff)
			continue
		}
		rep := r.report
		inside := rep.Transposes - rep.BoundaryTransposes
		t.Logf("%s: %d nodes -> %d operators, %d transposes (%d at the boundary), weights %d -> %d bytes, file %d bytes, folded %d",
			s.name, rep.Nodes, rep.Operators, rep.Transposes, rep.BoundaryTransposes, rep.ONNXWeightBytes, rep.WeightBytes, rep.FileBytes, len(rep.Folded))
		if s.conv && inside != 0 {
			t.Errorf("%s: %d Transposes inside a convolutional network, want 0 (%v)", s.name, inside, rep.OpsAfter)
		}
		if s.keepIO && rep.BoundaryTransposes == 0 {
			t.Errorf("%s: NCHW I/O without a boundary Transpose", s.name)
		}
		if float64(rep.WeightBytes) > s.maxSize*float64(rep.ONNXWeightBytes) {
			t.Errorf("%s: weights %d bytes, ONNX %d: over x%g", s.name, rep.WeightBytes, rep.ONNXWeightBytes, s.maxSize)
		}
	}
}

// TestSimplified converts exported models that only convert simplified
// (a weight computed by Mul, torch.flatten's Shape chain, a causal mask
// from Trilu, with their dynamic dims fixed), and networks as they are
// (NoSimplify: the exporter's own BatchNormalization and bias folding,
// the weights a Flatten permutes), runs both runtimes and compares.
func TestSimplified(t *testing.T) {
	needRuntimes(t)
	r := rand.New(rand.NewPCG(9, 3))
	ids := make([]int64, 8)
	for i := range ids {
		ids[i] = int64(r.IntN(32))
	}
	idsT, err := onnxgraph.TensorFrom("input_ids", []int64{1, 8}, ids)
	if err != nil {
		t.Fatal(err)
	}
	mnist, mobile, block := samples.MNIST(), mobileNet(14, 16).build(t), transformerBlock().build(t)
	asIs := tflite.Options{NoSimplify: true}
	cases := []crossCase{
		{name: "torch_cnn", model: samples.TorchCNN(), inputs: map[string]*onnxgraph.Tensor{"image": uniform(t, r, "image", []int64{1, 3, 16, 16})},
			opts: tflite.Options{InputShapes: map[string][]int64{"image": {1, 3, 16, 16}}}, tol: float32Tol},
		{name: "transformer", model: samples.Transformer(), inputs: map[string]*onnxgraph.Tensor{"input_ids": idsT},
			opts: tflite.Options{InputShapes: map[string][]int64{"input_ids": {1, 8}}}, tol: float32Tol},
		{name: "mnist_as_is", model: mnist, inputs: randomInputs(t, mnist, 5), opts: asIs, tol: float32Tol},
		{name: "mobilenet_as_is", model: mobile, inputs: randomInputs(t, mobile, 5), opts: asIs, tol: float32Tol},
		{name: "transformer_block_as_is", model: block, inputs: randomInputs(t, block, 5), opts: asIs, tol: float32Tol},
	}
	for i, res := range crossRun(t, cases) {
		if !res.ok() {
			t.Errorf("%s: convert %v, run %v, %s", cases[i].name, res.convErr, res.runErr, res.diff)
			continue
		}
		rep := res.report
		nodes := rep.Nodes
		if s := rep.Simplified; s != nil {
			nodes = s.NodesAfter
		}
		t.Logf("%s: %d nodes given, %d converted -> %d operators %v", cases[i].name, rep.Nodes, nodes, rep.Operators, rep.OpsAfter)
	}
}
