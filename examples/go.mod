module github.com/onnxgraph/onnxgraph/examples

go 1.26.8

require (
	github.com/chromedp/chromedp v0.23.0
	github.com/onnxgraph/onnxgraph v0.0.0
	github.com/spf13/cobra v1.10.2
	github.com/spf13/pflag v1.0.9
	github.com/yalue/onnxruntime_go v1.27.0
	google.golang.org/protobuf v1.36.12
)

require (
	github.com/chromedp/cdproto v0.159.0 // indirect
	github.com/go-json-experiment/json v0.0.0-20260213210345-44df1a37e875 // indirect
	github.com/inconshreveable/mousetrap v1.1.0 // indirect
	gonum.org/v1/gonum v0.17.0 // indirect
)

replace github.com/onnxgraph/onnxgraph => ../
