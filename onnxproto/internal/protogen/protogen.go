// Package protogen generates the onnxproto package from the ONNX schema.
//
// The input is the serialized FileDescriptorProto of onnx.proto (IR version
// 13, ONNX 1.20) kept beside this file as onnx.binpb, plus the onnx-data
// messages (SequenceProto, MapProto, OptionalProto) described in Go below.
// Output is the protoc-gen-go code for both files, produced without protoc by
// driving protogen directly, so `go generate ./onnxproto` needs nothing but Go.
package protogen

import (
	"bytes"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"

	gengo "google.golang.org/protobuf/cmd/protoc-gen-go/internal_gengo"
	"google.golang.org/protobuf/compiler/protogen"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/pluginpb"
)

// GoPackage is the import path of the generated package.
const GoPackage = "github.com/onnxgraph/onnxgraph/onnxproto"

// ONNXDescriptor is the serialized FileDescriptorProto of onnx.proto.
//
//go:embed onnx.binpb
var ONNXDescriptor []byte

// Generate returns the generated Go files, keyed by file name.
func Generate() (map[string][]byte, error) {
	onnx := new(descriptorpb.FileDescriptorProto)
	if err := proto.Unmarshal(ONNXDescriptor, onnx); err != nil {
		return nil, fmt.Errorf("protogen: onnx.binpb: %w", err)
	}
	if onnx.GetName() != "onnx.proto" || onnx.GetPackage() != "onnx" {
		return nil, fmt.Errorf("protogen: onnx.binpb describes %q (package %q), want onnx.proto", onnx.GetName(), onnx.GetPackage())
	}
	setGoPackage(onnx)
	data := dataFile()
	setGoPackage(data)

	req := &pluginpb.CodeGeneratorRequest{
		FileToGenerate: []string{onnx.GetName(), data.GetName()},
		ProtoFile:      []*descriptorpb.FileDescriptorProto{onnx, data},
	}
	gen, err := protogen.Options{}.New(req)
	if err != nil {
		return nil, fmt.Errorf("protogen: %w", err)
	}
	for _, f := range gen.Files {
		if f.Generate {
			gengo.GenerateFile(gen, f)
		}
	}
	resp := gen.Response()
	if resp.Error != nil {
		return nil, errors.New("protogen: " + resp.GetError())
	}
	out := make(map[string][]byte, len(resp.File))
	for _, f := range resp.File {
		out[f.GetName()] = []byte(f.GetContent())
	}
	return out, nil
}

func setGoPackage(f *descriptorpb.FileDescriptorProto) {
	if f.Options == nil {
		f.Options = new(descriptorpb.FileOptions)
	}
	f.Options.GoPackage = proto.String(GoPackage + ";onnxproto")
}

var fileDescRE = regexp.MustCompile(`fileDesc\(\s*"([A-Za-z0-9+/]+=*)"`)

// DescriptorFromJS extracts the FileDescriptorProto of onnx.proto from the
// npm package onnx-buf's dist/onnx_pb.js (the base64 string it passes to
// fileDesc), adding base64 padding where the string lacks it.
func DescriptorFromJS(js []byte) ([]byte, error) {
	m := fileDescRE.FindSubmatch(js)
	if m == nil {
		return nil, errors.New("protogen: no fileDesc(\"...\") call found")
	}
	s := bytes.TrimRight(m[1], "=")
	raw, err := base64.RawStdEncoding.DecodeString(string(s))
	if err != nil {
		return nil, fmt.Errorf("protogen: descriptor base64: %w", err)
	}
	fd := new(descriptorpb.FileDescriptorProto)
	if err := proto.Unmarshal(raw, fd); err != nil {
		return nil, fmt.Errorf("protogen: descriptor: %w", err)
	}
	if fd.GetName() != "onnx.proto" {
		return nil, fmt.Errorf("protogen: descriptor is for %q, want onnx.proto", fd.GetName())
	}
	return raw, nil
}
