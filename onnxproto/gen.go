package onnxproto

// The descriptor is refreshed from the npm package onnx-buf with
//	go run ./internal/protogen/cmd -from-js node_modules/onnx-buf/dist/onnx_pb.js
// and the Go code regenerated from it by go generate.

//go:generate go run ./internal/protogen/cmd
