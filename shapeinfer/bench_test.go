package shapeinfer_test

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph/internal/suitetest"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
)

// Benchmarks on generated graphs (see buildDecoder in symbolic_test.go).
//
//	go test ./shapeinfer -run '^$' -bench Infer -benchmem
//
// Targets: a 100k-node graph under 250 ms; a 24-layer decoder with about
// 300 MB of weights under 100 ms, without reading the weights.

// sharedWeights returns weight initializers that all view one zeroed
// buffer (NewTensor does not copy), so a large model costs no memory to
// generate.
func sharedWeights(tb testing.TB, maxBytes int64) func(name string, dims ...int64) *onnxgraph.Tensor {
	buf := make([]byte, maxBytes)
	return func(name string, dims ...int64) *onnxgraph.Tensor {
		n := 4 * onnxgraph.NumElements(dims)
		if n > maxBytes {
			tb.Fatalf("weight %s needs %d bytes, buffer has %d", name, n, maxBytes)
		}
		t, err := onnxgraph.NewTensor(name, onnxgraph.Float, dims, buf[:n])
		if err != nil {
			tb.Fatal(err)
		}
		return t
	}
}

// decoderOfSize generates a decoder of about n nodes (small hidden size:
// the node count is what matters).
func decoderOfSize(b testing.TB, n int64) *onnxgraph.Model {
	cfg := tfConfig{hidden: 16, heads: 2, ffn: 32, vocab: 64, maxPos: 64, weight: sharedWeights(b, 4*64*64)}
	probe, base := cfg, cfg
	probe.layers = 1
	one, _ := buildDecoder(b, probe)
	zero, _ := buildDecoder(b, base)
	perLayer := int64(one.Graph().NumNodes() - zero.Graph().NumNodes())
	cfg.layers = (n - int64(zero.Graph().NumNodes()) + perLayer - 1) / perLayer
	m, _ := buildDecoder(b, cfg)
	return m
}

func benchInfer(b *testing.B, m *onnxgraph.Model) {
	b.ResetTimer()
	for b.Loop() {
		res, err := shapeinfer.Infer(m, nil)
		if err != nil {
			b.Fatal(err)
		}
		if out := m.Graph().Outputs()[0]; !res.Type(out).Complete() {
			b.Fatalf("output %v: %v", res.Type(out), res.Explain(out))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(m.Graph().NumNodes()), "ns/node")
}

// BenchmarkInfer100k infers a generated decoder of about 100,000 nodes.
func BenchmarkInfer100k(b *testing.B) { benchInfer(b, decoderOfSize(b, 100_000)) }

// BenchmarkInferLinear shows that the time per node does not grow with the
// graph.
func BenchmarkInferLinear(b *testing.B) {
	for _, n := range []int64{10_000, 30_000, 100_000} {
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) { benchInfer(b, decoderOfSize(b, n)) })
	}
}

// BenchmarkInferDecoder infers a 24-layer decoder (hidden 512, ffn 2048:
// about 300 MB of float weights) saved to a file and opened with Open, so
// that the weights are views of the file that inference must not read. It
// reports how many weight bytes inference decoded (weight-bytes-read).
func BenchmarkInferDecoder(b *testing.B) {
	const hidden, ffn = 512, 2048
	cfg := tfConfig{layers: 24, hidden: hidden, heads: 8, ffn: ffn, vocab: 1000, maxPos: 512, weight: sharedWeights(b, 4*hidden*ffn)}
	gen, _ := buildDecoder(b, cfg)
	path := filepath.Join(b.TempDir(), "decoder.onnx")
	if err := gen.Save(path); err != nil {
		b.Fatal(err)
	}
	m, err := onnxgraph.Open(path, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	var weights int64
	for _, v := range m.Graph().Initializers() {
		weights += v.Initializer().NumBytes()
	}
	var res *shapeinfer.Result
	b.ResetTimer()
	for b.Loop() {
		if res, err = shapeinfer.Infer(m, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if out := m.Graph().Outputs()[0]; res.Type(out).String() != "float32[N,S,1000]" {
		b.Fatalf("logits: %v (%v)", res.Type(out), res.Explain(out))
	}
	b.ReportMetric(float64(weightBytesRead(m, res)), "weight-bytes-read")
	b.ReportMetric(float64(weights)/1e6, "MB-weights")
}

// weightBytesRead is the size of the floating-point initializers that
// inference decoded as data: weights, not the integer constants shape
// computations need, nor floating scalars.
func weightBytesRead(m *onnxgraph.Model, res *shapeinfer.Result) int64 {
	var n int64
	for _, v := range m.Graph().Initializers() {
		t := v.Initializer()
		if res.Data(v) != nil && t.DataType() == onnxgraph.Float && onnxgraph.NumElements(t.Dims()) > 1 {
			n += t.NumBytes()
		}
	}
	return n
}

// BenchmarkEndToEnd100k is what `onnxgraph infer` does to a 100k-node
// decoder file: open, infer with WriteBack, save; python onnx doing the
// same (load, infer_shapes, save) runs beside it as the reference.
func BenchmarkEndToEnd100k(b *testing.B) {
	dir := b.TempDir()
	in := filepath.Join(dir, "in.onnx")
	if err := decoderOfSize(b, 100_000).Save(in); err != nil {
		b.Fatal(err)
	}
	// The file read, and mapped as the CLI's infer command opens it.
	for _, mapped := range []bool{false, true} {
		name := "onnxgraph"
		if mapped {
			name = "onnxgraph-mapped"
		}
		b.Run(name, func(b *testing.B) {
			out := filepath.Join(dir, "out.onnx")
			for b.Loop() {
				m, err := onnxgraph.Open(in, &onnxgraph.LoadOptions{Map: mapped})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := shapeinfer.Infer(m, &shapeinfer.Options{WriteBack: true}); err != nil {
					b.Fatal(err)
				}
				if err := m.Save(out); err != nil {
					b.Fatal(err)
				}
				m.Close()
			}
		})
	}
	b.Run("python-onnx", func(b *testing.B) {
		py := suitetest.Python("onnx")
		if py == "" {
			b.Skip("python3-onnx is not installed")
		}
		script := `import onnx, sys, time
t = time.perf_counter()
m = onnx.shape_inference.infer_shapes(onnx.load(sys.argv[1]))
onnx.save(m, sys.argv[2])
print(time.perf_counter() - t)`
		var total float64
		for b.Loop() {
			out, err := exec.Command(py, "-c", script, in, filepath.Join(dir, "py.onnx")).Output()
			if err != nil {
				b.Fatal(err)
			}
			s, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
			if err != nil {
				b.Fatal(err)
			}
			total += s
		}
		// The time inside python, without starting it and importing onnx.
		b.ReportMetric(total/float64(b.N)*1e3, "ms-in-python/op")
	})
}

// BenchmarkEndToEnd100kPhases times the three steps of
// BenchmarkEndToEnd100k/onnxgraph one by one: open, infer with WriteBack
// (on a fresh model each time, outside the timer), save.
func BenchmarkEndToEnd100kPhases(b *testing.B) {
	dir := b.TempDir()
	in, out := filepath.Join(dir, "in.onnx"), filepath.Join(dir, "out.onnx")
	if err := decoderOfSize(b, 100_000).Save(in); err != nil {
		b.Fatal(err)
	}
	open := func(b *testing.B) *onnxgraph.Model {
		m, err := onnxgraph.Open(in, nil)
		if err != nil {
			b.Fatal(err)
		}
		return m
	}
	b.Run("open", func(b *testing.B) {
		for b.Loop() {
			open(b)
		}
	})
	b.Run("infer", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			m := open(b)
			b.StartTimer()
			if _, err := shapeinfer.Infer(m, &shapeinfer.Options{WriteBack: true}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("save", func(b *testing.B) {
		m := open(b)
		if _, err := shapeinfer.Infer(m, &shapeinfer.Options{WriteBack: true}); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if err := m.Save(out); err != nil {
				b.Fatal(err)
			}
		}
	})
}
