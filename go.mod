module github.com/onnxgraph/onnxgraph

go 1.26.8

require (
	github.com/samber/lo v1.53.0
	gonum.org/v1/gonum v0.17.0
	google.golang.org/protobuf v1.36.12
)

require golang.org/x/text v0.23.0 // indirect
