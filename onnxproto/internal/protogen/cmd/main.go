// Command protogen writes the onnxproto package's generated files.
//
// Usage, from the onnxproto folder (go generate runs it there):
//
//	go run ./internal/protogen/cmd [-from-js path/to/onnx-buf/dist/onnx_pb.js]
//
// With -from-js it first refreshes internal/protogen/onnx.binpb from the npm
// package onnx-buf, the published form of onnx.proto.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/onnxgraph/onnxgraph/onnxproto/internal/protogen"
)

func main() {
	fromJS := flag.String("from-js", "", "refresh the descriptor from onnx-buf's dist/onnx_pb.js first")
	dir := flag.String("dir", ".", "the onnxproto folder")
	flag.Parse()
	if err := run(*fromJS, *dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(fromJS, dir string) error {
	if fromJS != "" {
		js, err := os.ReadFile(fromJS)
		if err != nil {
			return err
		}
		desc, err := protogen.DescriptorFromJS(js)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "internal", "protogen", "onnx.binpb"), desc, 0o644); err != nil {
			return err
		}
		fmt.Fprintln(os.Stderr, "protogen: descriptor refreshed; run again without -from-js to regenerate")
		return nil
	}
	files, err := protogen.Generate()
	if err != nil {
		return err
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(name)), content, 0o644); err != nil {
			return err
		}
	}
	return nil
}
