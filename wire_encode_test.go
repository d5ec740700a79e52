package onnxgraph_test

import (
	"math/rand/v2"
	"os"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"google.golang.org/protobuf/proto"
)

// The save encoder (wire_encode.go) against proto.Marshal: on the corpus
// models, as messages and as saved models; on generated messages, which
// set every field of every message type, and their wire mutations
// (unknown fields among them); and on messages protobuf treats in a
// special way (nil list elements, oneofs holding nil).

// weCheck checks the encoder on the model b, as a message and, when it
// decodes, as a saved model.
func weCheck(t *testing.T, name string, b []byte) {
	t.Helper()
	var mp onnxproto.ModelProto
	if proto.Unmarshal(b, &mp) == nil {
		if err := onnxgraph.EncodeDiff(&mp); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	if m, err := onnxgraph.Decode(b, nil); err == nil {
		if err := onnxgraph.SaveBytesDiff(m); err != nil {
			t.Fatalf("%s: saved: %v", name, err)
		}
	}
}

func TestWireWriterCorpus(t *testing.T) {
	for _, p := range fdCorpus(t) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		weCheck(t, p, b)
	}
	for _, b := range fdSamples(t) {
		weCheck(t, "sample", b)
	}
}

func TestWireWriterGenerated(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 7))
	n := 2000
	if testing.Short() {
		n = 200
	}
	for i := range n {
		mp := fdMessage(r, fdModelDesc, 5).Interface().(*onnxproto.ModelProto)
		if err := onnxgraph.EncodeDiff(mp); err != nil {
			t.Fatalf("generated model %d: %v", i, err)
		}
		b, err := proto.Marshal(mp)
		if err != nil {
			t.Fatal(err)
		}
		weCheck(t, "mutated generated model", fdMutate(r, fdModelDesc, b, []float64{0, 0.02, 0.1}[i%3]))
	}
}

func TestWireWriterEdges(t *testing.T) {
	s := proto.String
	tensorType := &onnxproto.TypeProto{Value: &onnxproto.TypeProto_TensorType{}} // oneof holding nil
	cases := map[string]*onnxproto.ModelProto{
		"empty":            {},
		"nil list entries": {Graph: &onnxproto.GraphProto{Node: []*onnxproto.NodeProto{nil, {OpType: s("Relu")}}, Initializer: []*onnxproto.TensorProto{nil}}},
		"empty lists": {Graph: &onnxproto.GraphProto{Node: []*onnxproto.NodeProto{}, Initializer: []*onnxproto.TensorProto{{
			Dims: []int64{}, FloatData: []float32{}, Int64Data: []int64{}, RawData: []byte{}, StringData: [][]byte{{}},
		}}}},
		"oneof holding nil": {Graph: &onnxproto.GraphProto{Input: []*onnxproto.ValueInfoProto{{Name: s("x"), Type: tensorType}},
			Output: []*onnxproto.ValueInfoProto{{Type: &onnxproto.TypeProto{Value: &onnxproto.TypeProto_SequenceType{}, Denotation: s("d")}}}}},
		"empty dims": {Graph: &onnxproto.GraphProto{ValueInfo: []*onnxproto.ValueInfoProto{{Type: &onnxproto.TypeProto{Value: &onnxproto.TypeProto_TensorType{TensorType: &onnxproto.TypeProto_Tensor{
			Shape: &onnxproto.TensorShapeProto{Dim: []*onnxproto.TensorShapeProto_Dimension{{}, nil, {Value: &onnxproto.TensorShapeProto_Dimension_DimParam{}}, {Value: &onnxproto.TensorShapeProto_Dimension_DimValue{}}}},
		}}}}}}},
		"negative enums": {Graph: &onnxproto.GraphProto{Initializer: []*onnxproto.TensorProto{{DataType: proto.Int32(-1), Int32Data: []int32{-1, 1}}},
			Node: []*onnxproto.NodeProto{{Attribute: []*onnxproto.AttributeProto{{Type: onnxproto.AttributeProto_AttributeType(-5).Enum()}}}}}},
		"device configurations": {Configuration: []*onnxproto.DeviceConfigurationProto{nil, {Name: s("c"), NumDevices: proto.Int32(2)}},
			Graph: &onnxproto.GraphProto{Node: []*onnxproto.NodeProto{{DeviceConfigurations: []*onnxproto.NodeDeviceConfigurationProto{{ConfigurationId: s("c")}, nil}}}}},
	}
	for name, mp := range cases {
		if err := onnxgraph.EncodeDiff(mp); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
