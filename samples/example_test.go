package samples_test

import (
	"fmt"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/samples"
)

// describe prints a model's node count, inputs and outputs.
func describe(m *onnxgraph.Model) {
	s := m.Summarize()
	fmt.Println(s.TotalOps, "nodes")
	for _, v := range s.Inputs {
		fmt.Println("in ", v.Name, v.Type+v.Shape)
	}
	for _, v := range s.Outputs {
		fmt.Println("out", v.Name, v.Type+v.Shape)
	}
}

func ExampleConvBN() {
	describe(samples.ConvBN())
	// Output:
	// 28 nodes
	// in  image float32[N,3,32,32]
	// out logits float32[N,10]
}

func ExampleTorchCNN() {
	describe(samples.TorchCNN())
	// Output:
	// 19 nodes
	// in  image float32[N,3,16,16]
	// out logits float32[N,10]
}

func ExampleTransformer() {
	describe(samples.Transformer())
	// Output:
	// 272 nodes
	// in  input_ids int64[batch,seq]
	// out logits float32[batch,seq,32]
}

// A decoder of a size of your choosing: about 130 nodes and 12*Hidden^2
// weights per layer.
func ExampleDecoder() {
	m := samples.Decoder(samples.DecoderConfig{Layers: 4, Hidden: 32, Heads: 4, FFN: 128, Vocab: 100, MaxPos: 64})
	fmt.Println(m.Graph().NumNodes(), "nodes,", m.Summarize().Parameters, "parameters")
	// Output:
	// 520 nodes, 59474 parameters
}

func ExampleVAD() {
	describe(samples.VAD())
	// Output:
	// 27 nodes
	// in  input float32[1,512]
	// in  h float32[1,1,32]
	// in  c float32[1,1,32]
	// out output float32[1,1]
	// out hn float32[1,1,32]
	// out cn float32[1,1,32]
}

func ExampleRNN() {
	describe(samples.RNN())
	// Output:
	// 37 nodes
	// in  x float32[T,N,16]
	// out y float32[T,N,24]
	// out h float32[1,N,24]
}

func ExampleQuantConv() {
	describe(samples.QuantConv())
	// Output:
	// 22 nodes
	// in  x float32[1,3,16,16]
	// out y float32[1,10]
}

func ExampleMNIST() {
	describe(samples.MNIST())
	// Output:
	// 12 nodes
	// in  Input3 float32[1,1,28,28]
	// out Plus214_Output_0 float32[1,10]
}

// The next export of a retrained network: the same graph, other weights.
func ExampleMNISTRetrained() {
	a, b := samples.MNIST(), samples.MNISTRetrained(7)
	d, err := onnxgraph.Diff(a, b, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(d.Nodes), "nodes differ,", len(d.Initializers), "initializers differ")
	// Output:
	// 0 nodes differ, 6 initializers differ
}

func ExampleCyclic() {
	m, err := onnxgraph.Decode(samples.Cyclic(), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Graph().TopoSort())
	// Output:
	// onnxgraph: graph "g" has a cycle through "B"(Relu) -> "A"(Add) -> "B"(Relu) (2 nodes cannot be ordered)
}
