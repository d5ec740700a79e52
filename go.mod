module github.com/onnxgraph/onnxgraph

go 1.24.0

require (
	gonum.org/v1/gonum v0.17.0
	google.golang.org/protobuf v1.36.12
)
