package onnxproto_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/onnxproto/internal/protogen"
	"google.golang.org/protobuf/proto"
)

// TestGeneratedUpToDate regenerates the package in memory and fails when a
// .pb.go file in the tree differs from what the generator writes.
func TestGeneratedUpToDate(t *testing.T) {
	files, err := protogen.Generate()
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 {
		t.Fatalf("generator wrote %d files, want 2", len(files))
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Base(name))
		if err != nil {
			t.Fatalf("%v (run go generate ./onnxproto)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is stale: run go generate ./onnxproto", name)
		}
	}
	matches, _ := filepath.Glob("*.pb.go")
	if len(matches) != len(files) {
		t.Errorf("tree has %v, generator writes %d files", matches, len(files))
	}
}

// TestDescriptorMatchesNPM checks the committed descriptor against the npm
// package onnx-buf when it is installed (.ci/run installs it).
func TestDescriptorMatchesNPM(t *testing.T) {
	js := os.Getenv("ONNX_BUF_JS")
	if js == "" {
		js = filepath.Join("..", "node_modules", "onnx-buf", "dist", "onnx_pb.js")
	}
	src, err := os.ReadFile(js)
	if os.IsNotExist(err) {
		t.Skipf("onnx-buf not installed at %s (npm install onnx-buf@1.20.0-1)", js)
	}
	if err != nil {
		t.Fatal(err)
	}
	desc, err := protogen.DescriptorFromJS(src)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(desc, protogen.ONNXDescriptor) {
		t.Fatal("internal/protogen/onnx.binpb differs from onnx-buf's descriptor: refresh it with -from-js")
	}
}

// TestIR13Features spot-checks that the types carry the format's newest
// fields: IR version 13, the 2- and 4-bit and float8e8m0 element types,
// FunctionProto's value_info and attribute_proto, metadata_props on nodes
// and graphs, and device configurations.
func TestIR13Features(t *testing.T) {
	if onnxproto.Version_IR_VERSION != 13 {
		t.Errorf("IR_VERSION = %d, want 13", onnxproto.Version_IR_VERSION)
	}
	for name, want := range map[string]int32{
		"FLOAT8E4M3FN": 17, "FLOAT8E5M2FNUZ": 20, "UINT4": 21, "INT4": 22,
		"FLOAT4E2M1": 23, "FLOAT8E8M0": 24, "UINT2": 25, "INT2": 26,
	} {
		if got := onnxproto.TensorProto_DataType_value[name]; got != want {
			t.Errorf("TensorProto.%s = %d, want %d", name, got, want)
		}
	}
	m := &onnxproto.ModelProto{
		IrVersion: proto.Int64(13),
		Graph: &onnxproto.GraphProto{
			Node:          []*onnxproto.NodeProto{{OpType: proto.String("Relu"), MetadataProps: []*onnxproto.StringStringEntryProto{{Key: proto.String("k")}}}},
			MetadataProps: []*onnxproto.StringStringEntryProto{{Key: proto.String("g")}},
		},
		Functions: []*onnxproto.FunctionProto{{
			Name:           proto.String("f"),
			ValueInfo:      []*onnxproto.ValueInfoProto{{Name: proto.String("x")}},
			AttributeProto: []*onnxproto.AttributeProto{{Name: proto.String("alpha")}},
			Overload:       proto.String("o"),
		}},
		Configuration: []*onnxproto.DeviceConfigurationProto{{Name: proto.String("mesh"), NumDevices: proto.Int32(2)}},
	}
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	back := new(onnxproto.ModelProto)
	if err := proto.Unmarshal(b, back); err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(m, back) {
		t.Fatal("round trip changed the message")
	}
	var seq onnxproto.SequenceProto
	seq.ElemType = proto.Int32(int32(onnxproto.SequenceProto_TENSOR))
	if seq.ProtoReflect().Descriptor().FullName() != "onnx.SequenceProto" {
		t.Fatal("SequenceProto has the wrong full name")
	}
}
