package view

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/samples"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
)

// Models for the tests: MNIST from package samples, an exporter-style
// detector with /model/backbone/stageN names, and generated models of
// 1,000 and 100,000 nodes.

func saveModel(t testing.TB, m *onnxgraph.Model, name string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := m.Save(p); err != nil {
		t.Fatal(err)
	}
	return p
}

func mnistFile(t testing.TB) string { return saveModel(t, samples.MNIST(), "mnist.onnx") }

// detector builds a small single-stage detector as PyTorch's exporter
// names it: a backbone of four stages (a strided Conv+BatchNorm+Relu, then
// a residual block), an upsampling neck and three heads, with names like
// /model/backbone/stage2/block/conv1/Conv and weights like
// model.backbone.stage2.block.conv1.weight. Weights are random from a fixed
// seed.
func detector(t testing.TB) *onnxgraph.Model {
	t.Helper()
	b := onnxgraph.NewBuilder(17).Infer(shapeinfer.Types(nil))
	r := rand.New(rand.NewPCG(3, 5))
	weight := func(name string, dims ...int64) *onnxgraph.Value {
		n := onnxgraph.NumElements(dims)
		raw := make([]byte, 4*n)
		for i := int64(0); i < n; i++ {
			x := r.NormFloat64() * 0.1
			if strings.HasSuffix(name, "running_var") {
				x = 1 + math.Abs(x) // a variance
			}
			binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(float32(x)))
		}
		tt, err := onnxgraph.NewTensor(name, onnxgraph.Float, dims, raw)
		if err != nil {
			t.Fatal(err)
		}
		return b.Const(name, 0, dims, tt)
	}
	node := func(scope, op string, attrs onnxgraph.Attrs, in ...any) *onnxgraph.Value {
		n := b.Node(onnxgraph.NodeSpec{Op: op, Name: scope + "/" + op, Inputs: in, Attrs: attrs, Outputs: []string{scope + "/" + op + "_output_0"}})
		if n == nil {
			t.Fatal(b.Err())
		}
		return n.Output(0)
	}
	dotted := func(scope string) string {
		out := []byte(scope[1:])
		for i, c := range out {
			if c == '/' {
				out[i] = '.'
			}
		}
		return string(out)
	}
	conv := func(scope string, x *onnxgraph.Value, cin, cout, k, stride int64) *onnxgraph.Value {
		w := weight(dotted(scope)+".weight", cout, cin, k, k)
		bias := weight(dotted(scope)+".bias", cout)
		p := k / 2
		return node(scope, "Conv", onnxgraph.Attrs{"kernel_shape": []int64{k, k}, "strides": []int64{stride, stride}, "pads": []int64{p, p, p, p}}, x, w, bias)
	}
	bnRelu := func(scope string, x *onnxgraph.Value, c int64) *onnxgraph.Value {
		d := dotted(scope)
		y := node(scope+"/bn", "BatchNormalization", nil, x, weight(d+".bn.weight", c), weight(d+".bn.bias", c), weight(d+".bn.running_mean", c), weight(d+".bn.running_var", c))
		return node(scope, "Relu", nil, y)
	}
	x := b.Input("images", onnxgraph.Float, onnxgraph.Dims(1, 3, 256, 256)...)
	var feats []*onnxgraph.Value
	cin := int64(3)
	for s, cout := range []int64{8, 16, 24, 32} {
		scope := fmt.Sprintf("/model/backbone/stage%d", s+1)
		h := bnRelu(scope+"/down", conv(scope+"/down/conv", x, cin, cout, 3, 2), cout)
		y := node(scope+"/block/act1", "Relu", nil, conv(scope+"/block/conv1", h, cout, cout, 3, 1))
		y = conv(scope+"/block/conv2", y, cout, cout, 3, 1)
		x = node(scope+"/block", "Add", nil, h, y)
		feats = append(feats, x)
		cin = cout
	}
	// Neck: top-down, each level upsampled and added to the one below.
	top := conv("/model/neck/lateral3/conv", feats[3], 32, 16, 1, 1)
	outs := []*onnxgraph.Value{top}
	for i := 2; i >= 1; i-- {
		scope := fmt.Sprintf("/model/neck/up%d", i)
		scales := b.Const(dotted(scope)+".scales", onnxgraph.Float, []int64{4}, []float32{1, 1, 2, 2})
		up := node(scope, "Resize", onnxgraph.Attrs{"mode": "nearest"}, top, nil, scales)
		lat := conv(fmt.Sprintf("/model/neck/lateral%d/conv", i), feats[i], []int64{8, 16, 24, 32}[i], 16, 1, 1)
		top = node(scope+"/merge", "Add", nil, up, lat)
		outs = append(outs, top)
	}
	for i, f := range outs {
		scope := fmt.Sprintf("/model/head%d", i)
		cls := node(scope+"/cls", "Sigmoid", nil, conv(scope+"/cls/conv", f, 16, 4, 1, 1))
		box := conv(scope+"/box/conv", f, 16, 4, 1, 1)
		b.Output(node(scope, "Concat", onnxgraph.Attrs{"axis": 1}, cls, box))
	}
	m, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// generated builds a model of about n nodes of cheap element-wise
// operators in residual blocks of 10 nodes, named in three levels of
// scopes (/net/stageS/layerL/blockB/...) when scoped, or flat (op_N)
// otherwise. Constants are shared scalars, so the file stays small.
func generated(t testing.TB, n int, scoped bool) *onnxgraph.Model {
	t.Helper()
	m := onnxgraph.NewModel(8, map[string]int64{"": 17})
	g := m.Graph()
	x, err := g.AddInput("x", onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(1, 64)))
	if err != nil {
		t.Fatal(err)
	}
	c1, _ := onnxgraph.NewTensor("half", onnxgraph.Float, nil, binary.LittleEndian.AppendUint32(nil, math.Float32bits(0.5)))
	half, _ := g.AddInitializer(c1)
	count := 0
	add := func(scope, op string, in ...*onnxgraph.Value) *onnxgraph.Value {
		name := fmt.Sprintf("%s/%s_%d", scope, op, count)
		if !scoped {
			name = fmt.Sprintf("%s_%d", op, count)
		}
		nd, err := g.AddNode(op, in, []string{name + "_out"})
		if err != nil {
			t.Fatal(err)
		}
		nd.SetName(name)
		count++
		return nd.Output(0)
	}
	blocks := n / 10
	perStage := max(1, blocks/20)
	for bi := 0; bi < blocks; bi++ {
		stage, rest := bi/perStage, bi%perStage
		layer, block := rest/25, rest%25
		scope := fmt.Sprintf("/net/stage%d/layer%d/block%d", stage, layer, block)
		y := add(scope, "Mul", x, half)
		y = add(scope, "Sigmoid", y)
		y = add(scope, "Mul", x, y)
		y = add(scope, "Add", y, half)
		y = add(scope, "Relu", y)
		y = add(scope, "Neg", y)
		y = add(scope, "Abs", y)
		y = add(scope, "Tanh", y)
		y = add(scope, "Mul", y, half)
		x = add(scope, "Add", x, y)
	}
	if err := g.AddOutput(x, onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(1, 64))); err != nil {
		t.Fatal(err)
	}
	return m
}

// ifModel is a model with an If whose branches read outer values:
//
//	x -> Relu (pre) -> p;  If(c) {then: Add(p, w)  else: Neg(p)} -> z -> Sigmoid (post) -> y
func ifModel(t testing.TB) *onnxgraph.Model {
	t.Helper()
	str := func(s string) *string { return &s }
	f2 := onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(2))
	branch := func(name, op string, in ...string) *onnxproto.GraphProto {
		return &onnxproto.GraphProto{
			Name:   str(name),
			Node:   []*onnxproto.NodeProto{{Name: str("/blk/" + name + "/" + op), OpType: str(op), Input: in, Output: []string{name + "_out"}}},
			Output: []*onnxproto.ValueInfoProto{{Name: str(name + "_out"), Type: f2}},
		}
	}
	w, _ := onnxgraph.NewTensor("w", onnxgraph.Float, []int64{2}, make([]byte, 8))
	mp := &onnxproto.ModelProto{
		IrVersion:   proto.Int64(8),
		OpsetImport: []*onnxproto.OperatorSetIdProto{{Domain: str(""), Version: proto.Int64(17)}},
		Graph: &onnxproto.GraphProto{
			Name: str("main"),
			Input: []*onnxproto.ValueInfoProto{{Name: str("x"), Type: f2},
				{Name: str("c"), Type: onnxgraph.TensorType(onnxgraph.Bool, onnxgraph.Dims())}},
			Initializer: []*onnxproto.TensorProto{w.Proto()},
			Node: []*onnxproto.NodeProto{
				{Name: str("/blk/pre/Relu"), OpType: str("Relu"), Input: []string{"x"}, Output: []string{"p"}},
				{Name: str("/blk/if/If"), OpType: str("If"), Input: []string{"c"}, Output: []string{"z"}, Attribute: []*onnxproto.AttributeProto{
					{Name: str("then_branch"), Type: onnxproto.AttributeProto_GRAPH.Enum(), G: branch("then", "Add", "p", "w")},
					{Name: str("else_branch"), Type: onnxproto.AttributeProto_GRAPH.Enum(), G: branch("else", "Neg", "p")},
				}},
				{Name: str("/blk/post/Sigmoid"), OpType: str("Sigmoid"), Input: []string{"z"}, Output: []string{"y"}},
			},
			Output: []*onnxproto.ValueInfoProto{{Name: str("y"), Type: f2}},
		},
	}
	b, err := proto.Marshal(mp)
	if err != nil {
		t.Fatal(err)
	}
	m, err := onnxgraph.Decode(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
