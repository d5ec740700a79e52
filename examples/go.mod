module github.com/onnxgraph/onnxgraph/examples

go 1.26.8

require (
	github.com/onnxgraph/onnxgraph v0.0.0
	github.com/yalue/onnxruntime_go v1.27.0
	google.golang.org/protobuf v1.36.12
)

replace github.com/onnxgraph/onnxgraph => ../
