package tflite

import (
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
)

// convNet builds a conv network of about n nodes: Conv + BatchNormalization
// + Relu blocks with a residual Add every other block.
func convNet(tb testing.TB, n int) *onnxgraph.Model {
	b := onnxgraph.NewBuilder(17).Infer(shapeinfer.Types(nil))
	x := b.Input("x", onnxgraph.Float, onnxgraph.Dims(1, 16, 32, 32)...)
	h := x
	for i := 0; i*7 < n; i++ {
		y := b.Op("Conv", onnxgraph.Attrs{"kernel_shape": []int64{3, 3}, "pads": []int64{1, 1, 1, 1}}, h, weights(16, 16, 3, 3), weights(16))
		y = b.Op("BatchNormalization", nil, y, weights(16), weights(16), weights(16), weights(16))
		y = b.Op("Relu", nil, y)
		y = b.Op("Conv", onnxgraph.Attrs{"kernel_shape": []int64{3, 3}, "pads": []int64{1, 1, 1, 1}, "group": 16}, y, weights(16, 1, 3, 3), weights(16))
		y = b.Op("BatchNormalization", nil, y, weights(16), weights(16), weights(16), weights(16))
		y = b.Op("Relu", nil, y)
		h = b.Op("Add", nil, y, h)
	}
	b.Output(h)
	m, err := b.Build()
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// BenchmarkConvert1000 converts a 1,000-node convolutional network.
func BenchmarkConvert1000(b *testing.B) { benchConvert(b, nil) }

// BenchmarkConvert1000FP16 is the same with float16 weights.
func BenchmarkConvert1000FP16(b *testing.B) { benchConvert(b, &Options{FP16: true}) }

func benchConvert(b *testing.B, opts *Options) {
	m := convNet(b, 1000)
	b.ReportAllocs()
	var rep *Report
	for b.Loop() {
		var err error
		if _, rep, err = Convert(m, opts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rep.Nodes), "nodes")
	b.ReportMetric(float64(rep.Transposes), "transposes")
	b.ReportMetric(float64(rep.WeightBytes)/float64(rep.ONNXWeightBytes), "weights/onnx-weights")
	b.ReportMetric(float64(rep.FileBytes)/float64(rep.ONNXWeightBytes), "file/onnx-weights")
}
