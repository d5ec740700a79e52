package simplify_test

import (
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/samples"
	"github.com/onnxgraph/onnxgraph/simplify"
)

// Benchmarks on generated decoders (samples.Decoder, exporter-shaped:
// Shape -> Gather -> Concat -> Reshape chains, Constant nodes, Identity
// nodes, one Shape per use). Nothing big is committed: the models are
// written once per process into a temporary folder (about 4.5 GB of disk
// for the external ones). Run with
//
//	go test ./simplify -run '^$' -bench . -benchmem -timeout 60m
//
// Targets: a 100k-node graph in under 1 s; a 24-layer decoder with 300 MB
// of weights in under 1 s; 1.2 GB and 2.7 GB external-data decoders in a
// few seconds with a peak RSS far below the weights' size (measured in a
// child process: peak-RSS-MB).

// sharedWeights returns a Weight hook for samples.Decoder whose tensors
// are windows of one random buffer at distinct offsets: distinct bytes,
// no memory per tensor.
func sharedWeights(maxFloats int64) func(name string, dims []int64) *onnxgraph.Tensor {
	r := rand.New(rand.NewPCG(1, 2))
	const extra = 1 << 22 // bytes of room for the offsets
	buf := make([]byte, 4*maxFloats+extra)
	for i := range buf {
		buf[i] = byte(r.Uint32())
	}
	off := 0
	return func(name string, dims []int64) *onnxgraph.Tensor {
		n := 4 * onnxgraph.NumElements(dims)
		off = (off + 4096) % extra
		t, err := onnxgraph.NewTensor(name, onnxgraph.Float, dims, buf[off:off+int(n)])
		if err != nil {
			panic(err)
		}
		return t
	}
}

// decoder returns a decoder of the given size with shared weights.
func decoder(layers, hidden, vocab int64) *onnxgraph.Model {
	ffn := 4 * hidden
	return samples.Decoder(samples.DecoderConfig{Layers: layers, Hidden: hidden, Heads: 8, FFN: ffn, Vocab: vocab, MaxPos: 512,
		Weight: sharedWeights(max(hidden*ffn, vocab*hidden, 512*hidden))})
}

// benchSimplify simplifies a fresh copy of m per iteration. Besides the
// time it reports the CPU time the process used per iteration
// (cpu-ms/op), which a machine shared with other jobs does not inflate as
// it does the wall time.
func benchSimplify(b *testing.B, m *onnxgraph.Model, opts *simplify.Options) {
	b.ReportAllocs()
	var r *simplify.Report
	var cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		c := m.Clone()
		runtime.GC()
		t0 := cpuTime()
		b.StartTimer()
		var err error
		if r, err = simplify.Simplify(c, opts); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		cpu += cpuTime() - t0
		b.StartTimer()
	}
	b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(r.NodesBefore), "nodes-before")
	b.ReportMetric(float64(r.NodesAfter), "nodes-after")
}

// cpuTime returns the user and system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkSimplify100k simplifies a decoder of about 100,000 nodes
// (770 layers of hidden size 16), with symbolic batch and sequence.
func BenchmarkSimplify100k(b *testing.B) {
	m := samples.Decoder(samples.DecoderConfig{Layers: 770, Hidden: 16, Heads: 2, FFN: 32, Vocab: 32, MaxPos: 64})
	benchSimplify(b, m, nil)
}

// BenchmarkSimplify100kFixed is BenchmarkSimplify100k with the input
// shape fixed (--input input_ids=1,16): every shape computation folds.
func BenchmarkSimplify100kFixed(b *testing.B) {
	m := samples.Decoder(samples.DecoderConfig{Layers: 770, Hidden: 16, Heads: 2, FFN: 32, Vocab: 32, MaxPos: 64})
	benchSimplify(b, m, &simplify.Options{Inputs: map[string][]onnxgraph.Dim{"input_ids": onnxgraph.Dims(1, 16)}})
}

var (
	fileOnce  = map[string]*sync.Once{}
	fileMu    sync.Mutex
	benchDir  string
	benchDirE error
	dirOnce   sync.Once
)

// benchFile writes the model make returns to name in the benchmark folder
// once per process and returns its path.
func benchFile(b *testing.B, name string, opts *onnxgraph.SaveOptions, make func() *onnxgraph.Model) string {
	b.Helper()
	dirOnce.Do(func() { benchDir, benchDirE = os.MkdirTemp("", "simplify-bench-") })
	if benchDirE != nil {
		b.Fatal(benchDirE)
	}
	path := filepath.Join(benchDir, name, "model.onnx")
	fileMu.Lock()
	once, ok := fileOnce[name]
	if !ok {
		once = &sync.Once{}
		fileOnce[name] = once
	}
	fileMu.Unlock()
	var err error
	once.Do(func() {
		if err = os.MkdirAll(filepath.Dir(path), 0o755); err == nil {
			err = make().SaveWith(path, opts)
		}
	})
	if err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkSimplifyDecoder300MB simplifies a 24-layer decoder (hidden
// 512, FFN 2048: 302 MB of float weights) opened from an inline file, so
// that its weights are views of the file the simplifier must not read.
func BenchmarkSimplifyDecoder300MB(b *testing.B) {
	path := benchFile(b, "inline300", &onnxgraph.SaveOptions{External: onnxgraph.ExternalInline},
		func() *onnxgraph.Model { return decoder(24, 512, 1024) })
	m, err := onnxgraph.Open(path, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	b.SetBytes(fileBytes(b, path))
	benchSimplify(b, m, nil)
}

// benchExternal opens, simplifies and writes a decoder with external
// weights, per iteration: the model file alone (its external references
// kept), or with save the whole model into a new folder (the external
// file copied, new tensors to a file of their own). It measures the peak
// RSS of one such run in a child process.
func benchExternal(b *testing.B, name string, layers, hidden int64, save bool) {
	path := benchFile(b, name, &onnxgraph.SaveOptions{External: onnxgraph.ExternalSingle, Location: "weights.bin"},
		func() *onnxgraph.Model { return decoder(layers, hidden, 4096) })
	weights := fileBytes(b, filepath.Join(filepath.Dir(path), "weights.bin"))
	out := ""
	if save {
		out = filepath.Join(filepath.Dir(filepath.Dir(path)), name+"-out", "model.onnx")
		defer os.RemoveAll(filepath.Dir(out))
	}
	b.SetBytes(weights)
	b.ReportAllocs()
	for b.Loop() {
		if err := openSimplifyWrite(path, out); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(weights)/(1<<20), "weights-MB")
	b.ReportMetric(float64(peakRSS(b, path, out))/(1<<20), "peak-RSS-MB")
}

// openSimplifyWrite is the whole run: open, simplify with the input
// fixed, then save to out, or write the model file to nowhere when out is
// "".
func openSimplifyWrite(path, out string) error {
	m, err := onnxgraph.Open(path, nil)
	if err != nil {
		return err
	}
	defer m.Close()
	if _, err := simplify.Simplify(m, &simplify.Options{Inputs: map[string][]onnxgraph.Dim{"input_ids": onnxgraph.Dims(1, 128)}}); err != nil {
		return err
	}
	if out == "" {
		return m.Write(io.Discard, nil)
	}
	return m.SaveWith(out, &onnxgraph.SaveOptions{Location: "model.onnx.data"})
}

// BenchmarkSimplifyExternal1200MB: 24 layers of hidden size 1024 (1.2 GB
// of external weights); the model file written.
func BenchmarkSimplifyExternal1200MB(b *testing.B) { benchExternal(b, "external1200", 24, 1024, false) }

// BenchmarkSimplifyExternal1200MBSave: the same, saved with its weights.
func BenchmarkSimplifyExternal1200MBSave(b *testing.B) {
	benchExternal(b, "external1200", 24, 1024, true)
}

// BenchmarkSimplifyExternal2700MB: 54 layers of hidden size 1024 (2.7 GB
// of external weights, over protobuf's 2 GiB limit); the model file
// written.
func BenchmarkSimplifyExternal2700MB(b *testing.B) { benchExternal(b, "external2700", 54, 1024, false) }

// BenchmarkSimplifyExternal2700MBSave: the same, saved with its weights.
func BenchmarkSimplifyExternal2700MBSave(b *testing.B) {
	benchExternal(b, "external2700", 54, 1024, true)
}

func fileBytes(b *testing.B, path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	return st.Size()
}

// peakRSS runs openSimplifyWrite on path in a child process (the test
// binary, see TestMain) and returns its peak resident memory in bytes.
func peakRSS(b *testing.B, path, out string) int64 {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "SIMPLIFY_PEAK_RSS="+path, "SIMPLIFY_PEAK_OUT="+out)
	said, err := cmd.Output()
	if err != nil {
		b.Fatalf("child: %v", err)
	}
	kb, err := strconv.ParseInt(strings.TrimSpace(string(said)), 10, 64)
	if err != nil {
		b.Fatalf("child said %q", said)
	}
	return kb * 1024
}

// TestMain serves peakRSS's child: simplify the model, print the peak RSS
// (VmHWM) in KiB.
func TestMain(m *testing.M) {
	if path := os.Getenv("SIMPLIFY_PEAK_RSS"); path != "" {
		if err := openSimplifyWrite(path, os.Getenv("SIMPLIFY_PEAK_OUT")); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		status, err := os.ReadFile("/proc/self/status")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		for _, line := range strings.Split(string(status), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
				fmt.Println(f[1])
			}
		}
		os.Exit(0)
	}
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}
