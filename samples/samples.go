// Package samples builds small, well-formed models with the onnxgraph
// builder, for examples, tests and the command line's default input. Weights
// are pseudo-random from a fixed seed, so every call returns the same bytes.
package samples

import (
	"encoding/binary"
	"math"
	"math/rand/v2"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"google.golang.org/protobuf/proto"
)

// MNIST returns a CNN shaped like the ONNX model zoo's mnist-12: a 1x1x28x28
// float input, two Conv+Relu+MaxPool stages (8 and 16 channels, 5x5
// kernels), a Reshape to 1x256 and a MatMul+Add to 10 logits. Opset 13.
func MNIST() *onnxgraph.Model { return MNISTRetrained(12) }

// MNISTRetrained returns MNIST's network with other weights, drawn from
// seed: what the next export of a retrained network looks like (same
// graph, same names, other initializer bytes). MNISTRetrained(12) is
// MNIST.
func MNISTRetrained(seed uint64) *onnxgraph.Model {
	m := onnxgraph.NewModel(8, map[string]int64{"": 13})
	g := m.Graph()
	r := rand.New(rand.NewPCG(seed, 28))
	x := must(g.AddInput("Input3", onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(1, 1, 28, 28))))
	w1 := param(g, r, "Parameter5", 8, 1, 5, 5)
	b1 := param(g, r, "Parameter6", 8, 1, 1)
	w2 := param(g, r, "Parameter87", 16, 8, 5, 5)
	b2 := param(g, r, "Parameter88", 16, 1, 1)
	shape := must(g.AddInitializer(int64Tensor("Pooling160_Output_0_reshape0_shape", []int64{1, 256})))
	w3 := param(g, r, "Parameter193", 16, 4, 4, 10)
	w3r := must(g.AddInitializer(int64Tensor("Parameter193_reshape1_shape", []int64{256, 10})))
	b3 := param(g, r, "Parameter194", 1, 10)

	conv := func(name string, in, w, b *onnxgraph.Value) *onnxgraph.Value {
		c := node(g, "Convolution"+name, "Conv", []*onnxgraph.Value{in, w}, "Convolution"+name+"_Output_0",
			onnxgraph.AttrInts("kernel_shape", 5, 5), onnxgraph.AttrInts("strides", 1, 1),
			onnxgraph.AttrString("auto_pad", "SAME_UPPER"), onnxgraph.AttrInt("group", 1), onnxgraph.AttrInts("dilations", 1, 1))
		a := node(g, "Plus"+name, "Add", []*onnxgraph.Value{c, b}, "Plus"+name+"_Output_0")
		return node(g, "ReLU"+name, "Relu", []*onnxgraph.Value{a}, "ReLU"+name+"_Output_0")
	}
	pool := func(name string, in *onnxgraph.Value, k int64) *onnxgraph.Value {
		return node(g, "Pooling"+name, "MaxPool", []*onnxgraph.Value{in}, "Pooling"+name+"_Output_0",
			onnxgraph.AttrInts("kernel_shape", k, k), onnxgraph.AttrInts("strides", k, k),
			onnxgraph.AttrInts("pads", 0, 0, 0, 0), onnxgraph.AttrString("auto_pad", "NOTSET"))
	}
	h := pool("66", conv("28", x, w1, b1), 2)
	h = pool("160", conv("110", h, w2, b2), 3)
	flat := node(g, "Times212_reshape0", "Reshape", []*onnxgraph.Value{h, shape}, "Pooling160_Output_0_reshape0")
	w := node(g, "Times212_reshape1", "Reshape", []*onnxgraph.Value{w3, w3r}, "Parameter193_reshape1")
	mm := node(g, "Times212", "MatMul", []*onnxgraph.Value{flat, w}, "Times212_Output_0")
	out := node(g, "Plus214", "Add", []*onnxgraph.Value{mm, b3}, "Plus214_Output_0")
	if err := g.AddOutput(out, onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(1, 10))); err != nil {
		panic(err)
	}
	return m
}

func node(g *onnxgraph.Graph, name, op string, in []*onnxgraph.Value, out string, attrs ...*onnxproto.AttributeProto) *onnxgraph.Value {
	n := must(g.AddNode(op, in, []string{out}, attrs...))
	n.SetName(name)
	return n.Output(0)
}

func param(g *onnxgraph.Graph, r *rand.Rand, name string, dims ...int64) *onnxgraph.Value {
	n := onnxgraph.NumElements(dims)
	raw := make([]byte, 4*n)
	scale := 1 / math.Sqrt(float64(n/dims[0]+1))
	for i := int64(0); i < n; i++ {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(float32(r.NormFloat64()*scale)))
	}
	return must(g.AddInitializer(must(onnxgraph.NewTensor(name, onnxgraph.Float, dims, raw))))
}

func int64Tensor(name string, vals []int64) *onnxgraph.Tensor {
	raw := make([]byte, 8*len(vals))
	for i, v := range vals {
		binary.LittleEndian.PutUint64(raw[8*i:], uint64(v))
	}
	return must(onnxgraph.NewTensor(name, onnxgraph.Int64, []int64{int64(len(vals))}, raw))
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err) // the samples are fixed: an error here is a bug in this package
	}
	return v
}

// Cyclic returns the bytes of a malformed model whose two nodes read each
// other (A: a = Add(x, b); B: b = Relu(a)), as a broken export or a bad
// hand edit leaves them: it decodes, but no order of its nodes exists, so
// edits that sort or evaluate the graph must refuse it, naming the nodes.
func Cyclic() []byte {
	s := func(v string) *string { return &v }
	ir, op := int64(8), int64(17)
	typ := onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(2))
	mp := &onnxproto.ModelProto{IrVersion: &ir, OpsetImport: []*onnxproto.OperatorSetIdProto{{Version: &op}},
		Graph: &onnxproto.GraphProto{Name: s("g"),
			Input:  []*onnxproto.ValueInfoProto{{Name: s("x"), Type: typ}},
			Output: []*onnxproto.ValueInfoProto{{Name: s("b"), Type: typ}},
			Node: []*onnxproto.NodeProto{
				{Name: s("A"), OpType: s("Add"), Input: []string{"x", "b"}, Output: []string{"a"}},
				{Name: s("B"), OpType: s("Relu"), Input: []string{"a"}, Output: []string{"b"}},
			}}}
	raw, err := proto.Marshal(mp)
	if err != nil {
		panic(err)
	}
	return raw
}
