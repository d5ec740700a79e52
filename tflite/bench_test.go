package tflite

import (
	"bytes"
	"io"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
)

// convNetOf builds a conv network of about n nodes with ch channels:
// Conv + BatchNormalization + Relu blocks with a residual Add every other
// block.
func convNetOf(tb testing.TB, n int, ch int64) *onnxgraph.Model {
	b := onnxgraph.NewBuilder(17).Infer(shapeinfer.Types(nil))
	x := b.Input("x", onnxgraph.Float, onnxgraph.Dims(1, ch, 32, 32)...)
	h := x
	for i := 0; i*7 < n; i++ {
		y := b.Op("Conv", onnxgraph.Attrs{"kernel_shape": []int64{3, 3}, "pads": []int64{1, 1, 1, 1}}, h, weights(ch, ch, 3, 3), weights(ch))
		y = b.Op("BatchNormalization", nil, y, weights(ch), weights(ch), weights(ch), weights(ch))
		y = b.Op("Relu", nil, y)
		y = b.Op("Conv", onnxgraph.Attrs{"kernel_shape": []int64{3, 3}, "pads": []int64{1, 1, 1, 1}, "group": ch}, y, weights(ch, 1, 3, 3), weights(ch))
		y = b.Op("BatchNormalization", nil, y, weights(ch), weights(ch), weights(ch), weights(ch))
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

// BenchmarkConvert1000 converts a 1,000-node convolutional network with
// 16 channels, where the graph's structure weighs as much as its weights.
func BenchmarkConvert1000(b *testing.B) { benchConvert(b, 16, nil) }

// BenchmarkConvert1000NoSimplify converts it as it is: the difference
// with BenchmarkConvert1000 is the simplifier's cost (a copy of the graph,
// a shape inference, the BatchNormalization fusions).
func BenchmarkConvert1000NoSimplify(b *testing.B) { benchConvert(b, 16, &Options{NoSimplify: true}) }

// BenchmarkConvert1000FP16 is the same with float16 weights.
func BenchmarkConvert1000FP16(b *testing.B) { benchConvert(b, 16, &Options{FP16: true}) }

// BenchmarkConvert1000Wide converts the network with 128 channels, whose
// weights (38 MB) dominate its size as in real models.
func BenchmarkConvert1000Wide(b *testing.B) { benchConvert(b, 128, nil) }

// BenchmarkConvert1000WideNoSimplify converts it as it is.
func BenchmarkConvert1000WideNoSimplify(b *testing.B) {
	benchConvert(b, 128, &Options{NoSimplify: true})
}

// BenchmarkConvert1000WideFP16 is the same with float16 weights.
func BenchmarkConvert1000WideFP16(b *testing.B) { benchConvert(b, 128, &Options{FP16: true}) }

func benchConvert(b *testing.B, ch int64, opts *Options) {
	m := convNetOf(b, 1000, ch)
	var onnxFile bytes.Buffer
	if err := m.Write(&onnxFile, nil); err != nil {
		b.Fatal(err)
	}
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
	b.ReportMetric(float64(rep.FileBytes)/float64(onnxFile.Len()), "file/onnx-file")
}

// BenchmarkWrite1000Wide streams the 128-channel net's .tflite (Write):
// against BenchmarkConvert1000Wide, the copy of the whole file that
// Convert returns is not made.
func BenchmarkWrite1000Wide(b *testing.B) {
	m := convNetOf(b, 1000, 128)
	b.ReportAllocs()
	for b.Loop() {
		rep, err := Write(m, io.Discard, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(rep.FileBytes)/float64(rep.ONNXWeightBytes), "file/onnx-weights")
	}
}
