package shapeinfer_test

import (
	"fmt"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
)

// A GroupQueryAttention of ONNX Runtime (com.microsoft) with a KV cache:
// the present cache grows by the new sequence.
func ExampleInfer_groupQueryAttention() {
	m := onnxgraph.NewModel(8, map[string]int64{"": 17, "com.microsoft": 1})
	g := m.Graph()
	dims := func(ds ...onnxgraph.Dim) []onnxgraph.Dim { return ds }
	n, s, p := onnxgraph.DimParam("batch"), onnxgraph.DimParam("seq"), onnxgraph.DimParam("past")
	q, _ := g.AddInput("q", onnxgraph.TensorType(onnxgraph.Float16, dims(n, s, onnxgraph.DimOf(2048))))
	k, _ := g.AddInput("k", onnxgraph.TensorType(onnxgraph.Float16, dims(n, s, onnxgraph.DimOf(512))))
	v, _ := g.AddInput("v", onnxgraph.TensorType(onnxgraph.Float16, dims(n, s, onnxgraph.DimOf(512))))
	pk, _ := g.AddInput("past_key", onnxgraph.TensorType(onnxgraph.Float16, dims(n, onnxgraph.DimOf(8), p, onnxgraph.DimOf(64))))
	pv, _ := g.AddInput("past_value", onnxgraph.TensorType(onnxgraph.Float16, dims(n, onnxgraph.DimOf(8), p, onnxgraph.DimOf(64))))
	sk, _ := g.AddInput("seqlens_k", onnxgraph.TensorType(onnxgraph.Int32, dims(n)))
	total, _ := g.AddInput("total_sequence_length", onnxgraph.TensorType(onnxgraph.Int32, dims()))
	node, _ := g.AddNodeIn("com.microsoft", "GroupQueryAttention",
		[]*onnxgraph.Value{q, k, v, pk, pv, sk, total}, []string{"out", "present_key", "present_value"},
		onnxgraph.AttrInt("num_heads", 32), onnxgraph.AttrInt("kv_num_heads", 8))
	res, _ := shapeinfer.Infer(m, nil)
	for _, o := range node.Outputs() {
		fmt.Println(o.Name(), res.Type(o))
	}
	// Output:
	// out float16[batch,seq,2048]
	// present_key float16[batch,8,past+seq,64]
	// present_value float16[batch,8,past+seq,64]
}

// Incomplete and NoInference list what inference left open: here a node
// of a domain nothing is known about, and the values after it.
func ExampleResult_Incomplete() {
	m := onnxgraph.NewModel(8, map[string]int64{"": 17, "com.example": 1})
	g := m.Graph()
	x, _ := g.AddInput("x", onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(2, 3)))
	f, _ := g.AddNodeIn("com.example", "Frobnicate", []*onnxgraph.Value{x}, []string{"f"})
	g.AddNode("Relu", []*onnxgraph.Value{f.Output(0)}, []string{"r"})
	res, _ := shapeinfer.Infer(m, nil)
	for _, n := range res.NoInference() {
		fmt.Println("no inference:", n.OpType())
	}
	for _, v := range res.Incomplete() {
		fmt.Println("incomplete:", v.Name(), res.Explain(v).Code)
	}
	// Output:
	// no inference: Frobnicate
	// incomplete: f unknown operator
	// incomplete: r unknown operator
}
