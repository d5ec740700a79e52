module github.com/onnxgraph/onnxgraph/examples

go 1.26.8

require (
	github.com/onnxgraph/onnxgraph v0.0.0
	github.com/yalue/onnxruntime_go v1.27.0
	google.golang.org/protobuf v1.36.12
)

require gonum.org/v1/gonum v0.17.0 // indirect

replace github.com/onnxgraph/onnxgraph => ../
