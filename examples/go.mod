module github.com/onnxgraph/onnxgraph/examples

go 1.26.8

require (
	github.com/onnxgraph/onnxgraph v0.0.0
	github.com/yalue/onnxruntime_go v1.27.0
)

require (
	github.com/samber/lo v1.53.0 // indirect
	golang.org/x/text v0.23.0 // indirect
	google.golang.org/protobuf v1.36.12 // indirect
)

replace github.com/onnxgraph/onnxgraph => ../
