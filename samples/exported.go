package samples

import (
	"math"
	"math/rand/v2"
	"sort"
	"strconv"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/opschema"
	"google.golang.org/protobuf/proto"
)

// The models below are shaped like what exporters write, with the
// redundancy simplifiers remove: Constant nodes, Identity and Dropout
// nodes, shape computations on symbolic dims, BatchNormalization after
// convolutions, If nodes on a constant, QDQ pairs. Weights are random
// from a fixed seed.

// net builds a graph node by node with plain graph edits (no per-node
// search for free names, so that it builds a 100k-node graph in linear
// time), random weights and Constant nodes.
type net struct {
	m     *onnxgraph.Model
	g     *onnxgraph.Graph
	r     *rand.Rand
	count int    // for value and node names
	scope string // prefix of names
	// weightOf, when set, makes the weights weight adds.
	weightOf func(name string, dims []int64) *onnxgraph.Tensor
}

func newNet(opset int64, seed uint64) *net {
	m := onnxgraph.NewModel(8, map[string]int64{"": opset})
	return &net{m: m, g: m.Graph(), r: rand.New(rand.NewPCG(seed, 42))}
}

// name returns a new name made from base.
func (n *net) name(base string) string {
	n.count++
	return n.scope + base + "_" + strconv.Itoa(n.count)
}

// attrs turns attribute values into attributes, in name order.
func attrs(a map[string]any) []*onnxproto.AttributeProto {
	names := make([]string, 0, len(a))
	for k := range a {
		names = append(names, k)
	}
	sort.Strings(names)
	out := make([]*onnxproto.AttributeProto, len(names))
	for i, k := range names {
		out[i] = must(onnxgraph.NewAttr(k, opschema.AttrUndefined, a[k]))
	}
	return out
}

// node adds a node of nout outputs.
func (n *net) node(op string, a map[string]any, nout int, in ...*onnxgraph.Value) *onnxgraph.Node {
	outs := make([]string, nout)
	for i := range outs {
		outs[i] = n.name(op)
	}
	nd := must(n.g.AddNode(op, in, outs, attrs(a)...))
	nd.SetName(outs[0])
	return nd
}

func (n *net) op(op string, a map[string]any, in ...*onnxgraph.Value) *onnxgraph.Value {
	return n.node(op, a, 1, in...).Output(0)
}

// tensor adds an initializer.
func (n *net) tensor(name string, dt onnxgraph.DataType, dims []int64, vals any) *onnxgraph.Value {
	return must(n.g.AddInitializer(must(onnxgraph.NewTensorOf(n.scope+name, dt, dims, vals))))
}

// weight adds a float initializer of random values scaled for a layer of
// fan-in dims[1:].
func (n *net) weight(name string, dims ...int64) *onnxgraph.Value {
	if n.weightOf != nil {
		return must(n.g.AddInitializer(n.weightOf(n.scope+name, dims)))
	}
	size := onnxgraph.NumElements(dims)
	fan := size
	if len(dims) > 1 {
		fan = size / dims[0]
	}
	vals := make([]float32, size)
	for i := range vals {
		vals[i] = float32(n.r.NormFloat64() / math.Sqrt(float64(fan)))
	}
	return n.tensor(name, onnxgraph.Float, dims, vals)
}

// positive adds a float initializer of random values in [lo, hi).
func (n *net) positive(name string, lo, hi float64, dims ...int64) *onnxgraph.Value {
	vals := make([]float32, onnxgraph.NumElements(dims))
	for i := range vals {
		vals[i] = float32(lo + (hi-lo)*n.r.Float64())
	}
	return n.tensor(name, onnxgraph.Float, dims, vals)
}

// constant adds a Constant node, as exporters write small constants.
func (n *net) constant(dt onnxgraph.DataType, dims []int64, vals any) *onnxgraph.Value {
	return n.op("Constant", map[string]any{"value": must(onnxgraph.NewTensorOf("", dt, dims, vals))})
}

// ints adds a Constant node of a 1-D int64 tensor.
func (n *net) ints(vals ...int64) *onnxgraph.Value {
	return n.constant(onnxgraph.Int64, []int64{int64(len(vals))}, vals)
}

func (n *net) input(name string, dt onnxgraph.DataType, dims ...any) *onnxgraph.Value {
	return must(n.g.AddInput(name, onnxgraph.TensorType(dt, dimList(dims))))
}

// output declares v as a graph output named name (through an Identity, as
// exporters name outputs).
func (n *net) output(name string, v *onnxgraph.Value, dt onnxgraph.DataType, dims ...any) {
	id := must(n.g.AddNode("Identity", []*onnxgraph.Value{v}, []string{name}))
	id.SetName(n.name("Identity"))
	if err := n.g.AddOutput(id.Output(0), onnxgraph.TensorType(dt, dimList(dims))); err != nil {
		panic(err)
	}
}

// dimList reads dims given as sizes or names.
func dimList(dims []any) []onnxgraph.Dim {
	out := make([]onnxgraph.Dim, len(dims))
	for i, d := range dims {
		switch x := d.(type) {
		case string:
			out[i] = onnxgraph.DimParam(x)
		case int:
			out[i] = onnxgraph.DimOf(int64(x))
		case int64:
			out[i] = onnxgraph.DimOf(x)
		}
	}
	return out
}

// ConvBN returns a small image classifier as PyTorch exports it without
// folding (opset 13): Conv + BatchNormalization + Relu blocks, a Conv
// followed by a per-channel Mul and Add, a grouped ConvTranspose +
// BatchNorm, a Gemm + BatchNorm on [N, C], with Identity, Dropout, a Cast
// to the same type and a Reshape to the same shape on the way. Input
// "image" [N,3,32,32], output "logits" [N,10].
func ConvBN() *onnxgraph.Model {
	n := newNet(13, 1)
	x := n.input("image", onnxgraph.Float, "N", 3, 32, 32)
	bn := func(name string, in *onnxgraph.Value, c int64) *onnxgraph.Value {
		return n.op("BatchNormalization", map[string]any{"epsilon": 1e-5},
			in, n.positive(name+".weight", 0.5, 1.5, c), n.weight(name+".bias", c), n.weight(name+".running_mean", c), n.positive(name+".running_var", 0.5, 2, c))
	}
	conv := func(name string, in *onnxgraph.Value, cin, cout int64, bias bool, a map[string]any) *onnxgraph.Value {
		args := []*onnxgraph.Value{in, n.weight(name+".weight", cout, cin, 3, 3)}
		if bias {
			args = append(args, n.weight(name+".bias", cout))
		}
		return n.op("Conv", a, args...)
	}
	same := map[string]any{"pads": []int64{1, 1, 1, 1}}
	h := n.op("Relu", nil, bn("bn1", conv("conv1", x, 3, 8, false, same), 8))
	h = n.op("Identity", nil, h)
	h = n.op("Relu", nil, bn("bn2", conv("conv2", h, 8, 16, true, map[string]any{"pads": []int64{1, 1, 1, 1}, "strides": []int64{2, 2}}), 16))
	// A Conv with a per-channel scale and shift after it.
	h = conv("conv3", h, 16, 16, true, same)
	h = n.op("Mul", nil, h, n.positive("scale3", 0.5, 1.5, 1, 16, 1, 1))
	h = n.op("Add", nil, h, n.weight("shift3", 16, 1, 1))
	h = n.op("Relu", nil, h)
	// Up and down again: ConvTranspose + BatchNorm, grouped.
	up := n.op("ConvTranspose", map[string]any{"strides": []int64{2, 2}, "group": 2}, h, n.weight("up.weight", 16, 4, 2, 2))
	h = n.op("Relu", nil, bn("bn_up", up, 8))
	h = n.op("Relu", nil, bn("bn4", conv("conv4", h, 8, 32, true, map[string]any{"strides": []int64{2, 2}}), 32))
	h = n.op("GlobalAveragePool", nil, h)
	h = n.op("Flatten", map[string]any{"axis": 1}, h)
	h = n.op("Reshape", nil, h, n.ints(-1, 32)) // the same shape: a no-op
	h = n.op("Cast", map[string]any{"to": int64(onnxgraph.Float)}, h)
	h = n.op("Dropout", map[string]any{"seed": 0}, h)
	h = n.op("Gemm", map[string]any{"transB": 1}, h, n.weight("fc1.weight", 24, 32), n.weight("fc1.bias", 24))
	h = n.op("Relu", nil, bn("bn_fc", h, 24))
	n.output("logits", n.op("Gemm", map[string]any{"transB": 1}, h, n.weight("fc2.weight", 10, 24), n.weight("fc2.bias", 10)), onnxgraph.Float, "N", 10)
	return n.m
}

// TorchCNN returns a small image classifier as torch.onnx exports it with
// a dynamic batch and weights computed in the graph (opset 13): a
// weight-normalized Conv whose weight is v*g computed at run time (a Mul
// of two initializers), MaxPool, Conv + BatchNormalization + Relu,
// torch.flatten written as Shape -> Gather -> Unsqueeze -> Concat ->
// Reshape, and a Linear whose weight is stored transposed (Transpose of
// an initializer, MatMul, Add). Input "image" [N,3,16,16], output
// "logits" [N,10].
func TorchCNN() *onnxgraph.Model {
	n := newNet(13, 7)
	x := n.input("image", onnxgraph.Float, "N", 3, 16, 16)
	same := map[string]any{"kernel_shape": []int64{3, 3}, "pads": []int64{1, 1, 1, 1}}
	w := n.op("Mul", nil, n.weight("conv1.weight_v", 8, 3, 3, 3), n.positive("conv1.weight_g", 0.5, 1.5, 8, 1, 1, 1))
	h := n.op("Relu", nil, n.op("Conv", same, x, w, n.weight("conv1.bias", 8)))
	h = n.op("MaxPool", map[string]any{"kernel_shape": []int64{2, 2}, "strides": []int64{2, 2}}, h)
	h = n.op("Conv", same, h, n.weight("conv2.weight", 16, 8, 3, 3), n.weight("conv2.bias", 16))
	h = n.op("BatchNormalization", map[string]any{"epsilon": 1e-5},
		h, n.positive("bn2.weight", 0.5, 1.5, 16), n.weight("bn2.bias", 16), n.weight("bn2.running_mean", 16), n.positive("bn2.running_var", 0.5, 2, 16))
	h = n.op("Relu", nil, h)
	batch := n.op("Gather", map[string]any{"axis": 0}, n.op("Shape", nil, h), n.constant(onnxgraph.Int64, []int64{}, []int64{0}))
	shape := n.op("Concat", map[string]any{"axis": 0}, n.op("Unsqueeze", nil, batch, n.ints(0)), n.ints(-1))
	h = n.op("Reshape", nil, h, shape)
	wt := n.op("Transpose", map[string]any{"perm": []int64{1, 0}}, n.weight("fc.weight", 10, 16*8*8))
	n.output("logits", n.op("Add", nil, n.op("MatMul", nil, h, wt), n.weight("fc.bias", 10)), onnxgraph.Float, "N", 10)
	return n.m
}

// DecoderConfig sizes Decoder.
type DecoderConfig struct {
	Layers, Hidden, Heads, FFN, Vocab, MaxPos int64
	// Seed seeds the weights; 0 is a fixed default.
	Seed uint64
	// Weight, when set, makes the weight matrices and embeddings (float
	// tensors of the given name and dims) instead of drawing random ones:
	// benchmarks use it to build large models cheaply.
	Weight func(name string, dims []int64) *onnxgraph.Tensor
}

// Transformer returns Decoder with two layers of hidden size 16 (2 heads,
// FFN 32) and a vocabulary of 32.
func Transformer() *onnxgraph.Model {
	return Decoder(DecoderConfig{Layers: 2, Hidden: 16, Heads: 2, FFN: 32, Vocab: 32, MaxPos: 64})
}

// Decoder returns a decoder as torch.onnx exports it (opset 14):
// embeddings with positions from Range over Shape, layer norms written
// out (ReduceMean, Sub, Pow, Sqrt, Div), attention whose head split and
// merge go through Shape -> Gather -> Unsqueeze -> Concat -> Reshape (one
// Shape per use), a causal mask from ConstantOfShape and Trilu, a GELU
// written out with Erf, scale constants computed at run time (Sqrt of a
// constant) and Identity nodes. Input "input_ids" [batch,seq], output
// "logits" [batch,seq,Vocab]. Its size grows linearly with Layers (about
// 130 nodes and 12*Hidden^2 weights per layer).
func Decoder(cfg DecoderConfig) *onnxgraph.Model {
	hidden, heads := cfg.Hidden, cfg.Heads
	dim := hidden / heads
	n := newNet(14, 2+cfg.Seed)
	n.weightOf = cfg.Weight
	ids := n.input("input_ids", onnxgraph.Int64, "batch", "seq")
	f32 := func(v float32) *onnxgraph.Value { return n.constant(onnxgraph.Float, []int64{}, []float32{v}) }
	i64 := func(v int64) *onnxgraph.Value { return n.constant(onnxgraph.Int64, []int64{}, []int64{v}) }
	unsq := func(v *onnxgraph.Value) *onnxgraph.Value { return n.op("Unsqueeze", nil, v, n.ints(0)) }
	dimOf := func(v *onnxgraph.Value, i int64) *onnxgraph.Value {
		return n.op("Gather", map[string]any{"axis": 0}, n.op("Shape", nil, v), i64(i))
	}
	layerNorm := func(name string, x *onnxgraph.Value) *onnxgraph.Value {
		mean := n.op("ReduceMean", map[string]any{"axes": []int64{-1}}, x)
		d := n.op("Sub", nil, x, mean)
		v := n.op("ReduceMean", map[string]any{"axes": []int64{-1}}, n.op("Pow", nil, d, f32(2)))
		y := n.op("Div", nil, d, n.op("Sqrt", nil, n.op("Add", nil, v, f32(1e-5))))
		return n.op("Add", nil, n.op("Mul", nil, y, n.positive(name+".weight", 0.5, 1.5, hidden)), n.weight(name+".bias", hidden))
	}
	linear := func(name string, x *onnxgraph.Value, in, out int64) *onnxgraph.Value {
		return n.op("Add", nil, n.op("MatMul", nil, x, n.weight(name+".weight", in, out)), n.weight(name+".bias", out))
	}
	x := n.op("Gather", nil, n.weight("wte", cfg.Vocab, hidden), ids)
	pos := unsq(n.op("Range", nil, i64(0), dimOf(ids, 1), i64(1)))
	x = n.op("Add", nil, x, n.op("Gather", nil, n.weight("wpe", cfg.MaxPos, hidden), pos))
	for l := range cfg.Layers {
		p := "h" + strconv.FormatInt(l, 10)
		h := layerNorm(p+".ln_1", x)
		split := func(v *onnxgraph.Value) *onnxgraph.Value {
			shape := n.op("Concat", map[string]any{"axis": 0}, unsq(dimOf(h, 0)), unsq(dimOf(h, 1)), n.ints(heads), n.ints(dim))
			return n.op("Reshape", nil, v, shape)
		}
		q := n.op("Transpose", map[string]any{"perm": []int64{0, 2, 1, 3}}, split(linear(p+".q", h, hidden, hidden)))
		k := n.op("Transpose", map[string]any{"perm": []int64{0, 2, 3, 1}}, split(linear(p+".k", h, hidden, hidden)))
		v := n.op("Transpose", map[string]any{"perm": []int64{0, 2, 1, 3}}, split(linear(p+".v", h, hidden, hidden)))
		scores := n.op("Div", nil, n.op("MatMul", nil, q, k), n.op("Sqrt", nil, f32(float32(dim))))
		// Causal mask [seq, seq] from the run-time length.
		t := unsq(dimOf(h, 1))
		ones := n.op("ConstantOfShape", map[string]any{"value": must(onnxgraph.NewTensorOf("", onnxgraph.Float, []int64{1}, []float32{1}))},
			n.op("Concat", map[string]any{"axis": 0}, t, t))
		mask := n.op("Trilu", map[string]any{"upper": 0}, ones)
		bias := n.op("Mul", nil, n.op("Sub", nil, f32(1), mask), f32(-10000))
		probs := n.op("Softmax", map[string]any{"axis": -1}, n.op("Add", nil, scores, bias))
		ctx := n.op("Transpose", map[string]any{"perm": []int64{0, 2, 1, 3}}, n.op("MatMul", nil, probs, v))
		merged := n.op("Concat", map[string]any{"axis": 0}, unsq(dimOf(ctx, 0)), unsq(dimOf(ctx, 1)), n.ints(hidden))
		attn := linear(p+".proj", n.op("Reshape", nil, ctx, merged), hidden, hidden)
		x = n.op("Add", nil, x, n.op("Identity", nil, attn))
		h = layerNorm(p+".ln_2", x)
		f := linear(p+".fc", h, hidden, cfg.FFN)
		gelu := n.op("Mul", nil, n.op("Mul", nil, f, f32(0.5)),
			n.op("Add", nil, f32(1), n.op("Erf", nil, n.op("Div", nil, f, n.op("Sqrt", nil, f32(2))))))
		x = n.op("Add", nil, x, linear(p+".fc2", gelu, cfg.FFN, hidden))
	}
	logits := n.op("MatMul", nil, layerNorm("ln_f", x), n.weight("lm_head", hidden, cfg.Vocab))
	n.output("logits", logits, onnxgraph.Float, "batch", "seq", cfg.Vocab)
	return n.m
}

// VAD returns a voice-activity detector shaped like Silero VAD (opset
// 16): the sample rate is an initializer the exporter baked in, compared
// with 16000 by an Equal that feeds an If; each branch holds its own
// network (a strided Conv front end, an LSTM step over the state, a
// classifier), reading the outer input and state. Inputs "input" [1,512]
// and "h", "c" [1,1,32]; outputs "output" [1,1], "hn", "cn".
func VAD() *onnxgraph.Model {
	const hidden = 32
	n := newNet(16, 3)
	n.input("input", onnxgraph.Float, 1, 512)
	n.input("h", onnxgraph.Float, 1, 1, hidden)
	n.input("c", onnxgraph.Float, 1, 1, hidden)
	sr := n.tensor("sr", onnxgraph.Int64, []int64{}, []int64{16000})
	cond := n.op("Equal", nil, sr, n.constant(onnxgraph.Int64, []int64{}, []int64{16000}))
	branch := func(name string, seed uint64, stride int64) *onnxproto.AttributeProto {
		sub := newNet(16, seed)
		bx := sub.input("input", onnxgraph.Float, 1, 512)
		bh := sub.input("h", onnxgraph.Float, 1, 1, hidden)
		bc := sub.input("c", onnxgraph.Float, 1, 1, hidden)
		sub.scope = name + "/" // names apart from the outer graph's
		feat := sub.op("Unsqueeze", nil, bx, sub.ints(1))
		feat = sub.op("Relu", nil, sub.op("Conv", map[string]any{"strides": []int64{stride}}, feat, sub.weight("stft", 16, 1, 64), sub.weight("stft_b", 16)))
		feat = sub.op("ReduceMean", map[string]any{"axes": []int64{2}, "keepdims": 1}, feat) // [1,16,1]
		seq := sub.op("Transpose", map[string]any{"perm": []int64{2, 0, 1}}, feat)           // [1,1,16]
		lstm := sub.node("LSTM", map[string]any{"hidden_size": hidden}, 3,
			seq, sub.weight("W", 1, 4*hidden, 16), sub.weight("R", 1, 4*hidden, hidden), sub.weight("B", 1, 8*hidden), nil, bh, bc)
		y := sub.op("Squeeze", nil, lstm.Output(0), sub.ints(0, 1)) // [1,hidden]
		prob := sub.op("Sigmoid", nil, sub.op("Gemm", map[string]any{"transB": 1}, sub.op("Relu", nil, y), sub.weight("fc", 1, hidden), sub.weight("fc_b", 1)))
		for _, o := range []struct {
			v    *onnxgraph.Value
			dims []onnxgraph.Dim
		}{{prob, onnxgraph.Dims(1, 1)}, {lstm.Output(1), onnxgraph.Dims(1, 1, hidden)}, {lstm.Output(2), onnxgraph.Dims(1, 1, hidden)}} {
			must(0, sub.g.AddOutput(o.v, onnxgraph.TensorType(onnxgraph.Float, o.dims)))
		}
		g := proto.Clone(sub.m.ToProto().GetGraph()).(*onnxproto.GraphProto)
		g.Name = proto.String(name)
		g.Input = nil // the branch reads the outer input and state
		return &onnxproto.AttributeProto{Name: proto.String(name + "_branch"), Type: onnxproto.AttributeProto_GRAPH.Enum(), G: g}
	}
	iff := must(n.g.AddNode("If", []*onnxgraph.Value{cond}, []string{"output", "hn", "cn"}, branch("else", 5, 4), branch("then", 4, 8)))
	iff.SetName("If_0")
	for i, dims := range [][]onnxgraph.Dim{onnxgraph.Dims(1, 1), onnxgraph.Dims(1, 1, hidden), onnxgraph.Dims(1, 1, hidden)} {
		must(0, n.g.AddOutput(iff.Output(i), onnxgraph.TensorType(onnxgraph.Float, dims)))
	}
	// Decode the model's bytes, so that the branches built as messages
	// become subgraphs.
	return must(onnxgraph.Decode(must(n.m.Bytes(nil)), nil))
}

// RNN returns a speech-style recurrent model (opset 13): an LSTM then a
// GRU over input "x" [T,N,16], their initial states built as exporters do
// from the run-time batch size (ConstantOfShape of Concat(1, Gather(Shape
// (x), 1), hidden)), Squeeze of the direction axis, and a transpose to
// batch-major and back. Outputs "y" [T,N,24] and "h" [1,N,24].
func RNN() *onnxgraph.Model {
	const in, h1, h2 = 16, 20, 24
	n := newNet(13, 6)
	x := n.input("x", onnxgraph.Float, "T", "N", in)
	state := func(hidden int64) *onnxgraph.Value {
		batch := n.op("Unsqueeze", nil, n.op("Gather", map[string]any{"axis": 0}, n.op("Shape", nil, x), n.constant(onnxgraph.Int64, []int64{}, []int64{1})), n.ints(0))
		shape := n.op("Concat", map[string]any{"axis": 0}, n.ints(1), batch, n.ints(hidden))
		return n.op("ConstantOfShape", map[string]any{"value": must(onnxgraph.NewTensorOf("", onnxgraph.Float, []int64{1}, []float32{0}))}, shape)
	}
	bm := n.op("Transpose", map[string]any{"perm": []int64{1, 0, 2}}, x)
	tm := n.op("Transpose", map[string]any{"perm": []int64{1, 0, 2}}, bm)
	lstm := n.node("LSTM", map[string]any{"hidden_size": h1}, 1,
		tm, n.weight("lstm.W", 1, 4*h1, in), n.weight("lstm.R", 1, 4*h1, h1), n.weight("lstm.B", 1, 8*h1), nil, state(h1), state(h1))
	y1 := n.op("Squeeze", nil, lstm.Output(0), n.ints(1))
	gru := n.node("GRU", map[string]any{"hidden_size": h2, "linear_before_reset": 1}, 2,
		y1, n.weight("gru.W", 1, 3*h2, h1), n.weight("gru.R", 1, 3*h2, h2), n.weight("gru.B", 1, 6*h2), nil, state(h2))
	n.output("y", n.op("Squeeze", nil, gru.Output(0), n.ints(1)), onnxgraph.Float, "T", "N", h2)
	n.output("h", gru.Output(1), onnxgraph.Float, 1, "N", h2)
	return n.m
}

// QuantConv returns a QDQ-quantized convnet as ONNX Runtime's quantizer
// writes it (opset 13): QuantizeLinear/DequantizeLinear pairs around
// activations, int8 weights with per-channel scales behind
// DequantizeLinear, float biases, with Identity and a same-shape Reshape
// on the way. The DequantizeLinear of each weight stays: it is the
// quantized model. Input "x" [1,3,16,16], output "y" [1,10].
func QuantConv() *onnxgraph.Model {
	n := newNet(13, 7)
	x := n.input("x", onnxgraph.Float, 1, 3, 16, 16)
	qdq := func(v *onnxgraph.Value, scale float32) *onnxgraph.Value {
		s := n.tensor(n.name("scale"), onnxgraph.Float, []int64{}, []float32{scale})
		z := n.tensor(n.name("zero_point"), onnxgraph.Uint8, []int64{}, []uint8{128})
		return n.op("DequantizeLinear", nil, n.op("QuantizeLinear", nil, v, s, z), s, z)
	}
	qweight := func(name string, dims ...int64) *onnxgraph.Value {
		w := make([]int8, onnxgraph.NumElements(dims))
		for i := range w {
			w[i] = int8(n.r.IntN(255) - 127)
		}
		scales := make([]float32, dims[0])
		for i := range scales {
			scales[i] = float32(0.002 + 0.002*n.r.Float64())
		}
		q := n.tensor(name+"_quantized", onnxgraph.Int8, dims, w)
		s := n.tensor(name+"_scale", onnxgraph.Float, []int64{dims[0]}, scales)
		z := n.tensor(name+"_zero_point", onnxgraph.Int8, []int64{dims[0]}, make([]int8, dims[0]))
		return n.op("DequantizeLinear", map[string]any{"axis": 0}, q, s, z)
	}
	h := qdq(x, 0.02)
	h = n.op("Relu", nil, n.op("Conv", map[string]any{"pads": []int64{1, 1, 1, 1}}, h, qweight("conv1", 8, 3, 3, 3), n.weight("conv1.bias", 8)))
	h = qdq(n.op("Identity", nil, h), 0.05)
	h = n.op("Relu", nil, n.op("Conv", map[string]any{"strides": []int64{2, 2}}, h, qweight("conv2", 16, 8, 3, 3), n.weight("conv2.bias", 16)))
	h = qdq(h, 0.05)
	h = n.op("Flatten", nil, n.op("GlobalAveragePool", nil, h))
	h = n.op("Reshape", nil, h, n.ints(1, 16))
	n.output("y", n.op("Gemm", map[string]any{"transB": 1}, qdq(h, 0.05), qweight("fc", 10, 16), n.weight("fc.bias", 10)), onnxgraph.Float, 1, 10)
	return n.m
}
