module github.com/onnxgraph/onnxgraph

go 1.24.0

require google.golang.org/protobuf v1.36.12
