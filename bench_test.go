package onnxgraph_test

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/onnxgraph/onnxgraph"
)

// Benchmarks on generated models. The models are written once per process
// into a temporary folder (about 1.5 GB of disk while the benchmarks run);
// nothing big is committed. Run with
//
//	go test -run '^$' -bench . -benchmem
//
// Peak memory of a load is measured in a child process (the test binary
// re-run with ONNXGRAPH_PEAK_RSS set), so the figure is not polluted by
// model generation: see the peak-RSS/file metric.

const (
	inlineTensors   = 75  // x 4 MiB = 300 MiB inline
	externalTensors = 300 // x 4 MiB = 1.2 GiB external
	tensorFloats    = 1 << 20
)

var (
	benchOnce sync.Once
	benchDir  string
	benchErr  error
)

// benchModels writes the inline and external models once.
func benchModels(b *testing.B) (inline, external string) {
	b.Helper()
	benchOnce.Do(func() {
		benchDir, benchErr = os.MkdirTemp("", "onnxgraph-bench-")
		if benchErr != nil {
			return
		}
		benchErr = weightChain(inlineTensors).SaveWith(filepath.Join(benchDir, "inline.onnx"), &onnxgraph.SaveOptions{External: onnxgraph.ExternalInline})
		if benchErr != nil {
			return
		}
		benchErr = weightChain(externalTensors).SaveWith(filepath.Join(benchDir, "external", "model.onnx"),
			&onnxgraph.SaveOptions{External: onnxgraph.ExternalSingle, Location: "weights.bin"})
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return filepath.Join(benchDir, "inline.onnx"), filepath.Join(benchDir, "external", "model.onnx")
}

// weightChain is x -> Add(w0) -> Add(w1) ... with n weights of 4 MiB,
// each with its own bytes.
func weightChain(n int) *onnxgraph.Model {
	m := onnxgraph.NewModel(8, map[string]int64{"": 17})
	g := m.Graph()
	v := must(g.AddInput("x", onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(tensorFloats))))
	for i := 0; i < n; i++ {
		raw := make([]byte, 4*tensorFloats)
		for k := 0; k < len(raw); k += 4 {
			raw[k], raw[k+1] = byte(i), byte(k>>8)
		}
		w := must(g.AddInitializer(must(onnxgraph.NewTensor("w"+strconv.Itoa(i), onnxgraph.Float, []int64{tensorFloats}, raw))))
		v = must(g.AddNode("Add", []*onnxgraph.Value{v, w}, []string{"h" + strconv.Itoa(i)})).Output(0)
	}
	if err := g.AddOutput(v, nil); err != nil {
		panic(err)
	}
	return m
}

func fileSize(b *testing.B, path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	return st.Size()
}

// BenchmarkReadFileInline is the baseline for BenchmarkLoadInline: reading
// the same file's bytes.
func BenchmarkReadFileInline(b *testing.B) {
	inline, _ := benchModels(b)
	b.SetBytes(fileSize(b, inline))
	b.ResetTimer()
	for range b.N {
		if _, err := os.ReadFile(inline); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadInline loads a 300 MiB model whose weights are inline.
func BenchmarkLoadInline(b *testing.B) {
	inline, _ := benchModels(b)
	size := fileSize(b, inline)
	b.SetBytes(size)
	b.ResetTimer()
	for range b.N {
		m, err := onnxgraph.Open(inline, nil)
		if err != nil {
			b.Fatal(err)
		}
		m.Close()
	}
	b.StopTimer()
	b.ReportMetric(peakRSSRatio(b, inline, size), "peak-RSS/file")
}

// BenchmarkLoadExternal loads the graph of a 1.2 GiB external-data model:
// the weights stay in their file.
func BenchmarkLoadExternal(b *testing.B) {
	_, external := benchModels(b)
	b.ResetTimer()
	for range b.N {
		m, err := onnxgraph.Open(external, nil)
		if err != nil {
			b.Fatal(err)
		}
		m.Close()
	}
}

// BenchmarkCopyFileExternal is the baseline for BenchmarkSaveKeepExternal:
// a plain copy of the model and its data file (the kernel's copy path, as
// cp uses).
func BenchmarkCopyFileExternal(b *testing.B) {
	_, external := benchModels(b)
	dir := filepath.Dir(external)
	b.SetBytes(fileSize(b, filepath.Join(dir, "weights.bin")))
	out := b.TempDir()
	b.ResetTimer()
	for range b.N {
		for _, name := range []string{"model.onnx", "weights.bin"} {
			if err := copyFile(filepath.Join(dir, name), filepath.Join(out, name)); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkSaveKeepExternal loads the 1.2 GiB external-data model and saves
// it into another folder keeping its layout.
func BenchmarkSaveKeepExternal(b *testing.B) {
	_, external := benchModels(b)
	b.SetBytes(fileSize(b, filepath.Join(filepath.Dir(external), "weights.bin")))
	out := filepath.Join(b.TempDir(), "model.onnx")
	b.ResetTimer()
	for range b.N {
		m, err := onnxgraph.Open(external, nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := m.Save(out); err != nil {
			b.Fatal(err)
		}
		m.Close()
	}
}

// BenchmarkSaveInline writes the 300 MiB inline model (loaded once).
func BenchmarkSaveInline(b *testing.B) {
	inline, _ := benchModels(b)
	b.SetBytes(fileSize(b, inline))
	m, err := onnxgraph.Open(inline, nil)
	if err != nil {
		b.Fatal(err)
	}
	out := filepath.Join(b.TempDir(), "model.onnx")
	b.ResetTimer()
	for range b.N {
		if err := m.Save(out); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeGraph100k decodes a 100k-node graph (no weights): the cost
// of building the IR, links and all.
func BenchmarkDecodeGraph100k(b *testing.B) {
	data := must(chain(b, 100_000).Bytes(nil))
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for range b.N {
		if _, err := onnxgraph.Decode(data, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeGraph100k serializes a 100k-node graph.
func BenchmarkEncodeGraph100k(b *testing.B) {
	m := chain(b, 100_000)
	b.ResetTimer()
	for range b.N {
		if _, err := m.Bytes(nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkClone100k clones a 100k-node graph.
func BenchmarkClone100k(b *testing.B) {
	m := chain(b, 100_000)
	b.ResetTimer()
	for range b.N {
		m.Clone()
	}
}

// fanOut builds x -> n Relu nodes that all read x, their outputs summed
// by one Sum node into y.
func fanOut(tb testing.TB, n int) *onnxgraph.Model {
	m := onnxgraph.NewModel(8, map[string]int64{"": 17})
	g := m.Graph()
	x := must(g.AddInput("x", onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(1, 4))))
	outs := make([]*onnxgraph.Value, n)
	for i := range outs {
		outs[i] = must(g.AddNode("Relu", []*onnxgraph.Value{x}, []string{"r" + strconv.Itoa(i)})).Output(0)
	}
	sum := must(g.AddNode("Sum", outs, []string{"y"}))
	if err := g.AddOutput(sum.Output(0), nil); err != nil {
		tb.Fatal(err)
	}
	return m
}

// BenchmarkRemoveReaders100k removes every other one of 100k nodes that
// read one value (as simplification passes do with duplicates of a
// shared constant's readers): the value's use list is filtered once.
func BenchmarkRemoveReaders100k(b *testing.B) {
	m := fanOut(b, 100_000)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		c := m.Clone()
		g := c.Graph()
		nodes := g.Nodes()
		sum := nodes[len(nodes)-1]
		var gone []*onnxgraph.Node
		for i := 0; i < len(nodes)-1; i += 2 {
			if err := sum.SetInput(i, nodes[i+1].Output(0)); err != nil {
				b.Fatal(err)
			}
			gone = append(gone, nodes[i])
		}
		b.StartTimer()
		if err := g.RemoveNodes(gone...); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTopoSort100k sorts a 100k-node chain given in reverse order.
func BenchmarkTopoSort100k(b *testing.B) {
	p := chain(b, 100_000).ToProto()
	nodes := p.Graph.Node
	for i, j := 0, len(nodes)-1; i < j; i, j = i+1, j-1 {
		nodes[i], nodes[j] = nodes[j], nodes[i]
	}
	data := must(protoMarshal(p))
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		m := must(onnxgraph.Decode(data, nil))
		b.StartTimer()
		if err := m.Graph().TopoSort(); err != nil {
			b.Fatal(err)
		}
	}
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// peakRSSRatio loads path in a child process and returns its peak resident
// memory divided by size.
func peakRSSRatio(b *testing.B, path string, size int64) float64 {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "ONNXGRAPH_PEAK_RSS="+path)
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("child: %v", err)
	}
	kb, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
	if err != nil {
		b.Fatalf("child said %q", out)
	}
	return float64(kb*1024) / float64(size)
}

// TestMain serves peakRSSRatio's child: load the model, print maxrss in KiB.
func TestMain(m *testing.M) {
	if path := os.Getenv("ONNXGRAPH_PEAK_RSS"); path != "" {
		model, err := onnxgraph.Open(path, nil)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		// VmHWM is this process image's peak RSS; getrusage's maxrss would
		// include the parent's peak from before exec.
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
		model.Close()
		os.Exit(0)
	}
	flag.Parse()
	var (
		mu     sync.Mutex
		broken []string
	)
	if flag.Lookup("test.bench").Value.String() == "" {
		// Sanity after every edit of every test, whatever the test checks
		// itself (graphs past 50k nodes are left to the tests that time
		// them, which check them after the timing).
		onnxgraph.SetEditHook(func(m *onnxgraph.Model) {
			if m.Graph().NumNodes() > 50_000 {
				return
			}
			if err := m.Sanity(); err != nil {
				mu.Lock()
				broken = append(broken, err.Error())
				mu.Unlock()
			}
		})
	}
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir) // the benchmarks' models: 1.5 GB
	}
	if len(broken) > 0 {
		fmt.Fprintf(os.Stderr, "Sanity failed after %d edits; the first: %s\n", len(broken), broken[0])
		code = 1
	}
	os.Exit(code)
}

// BenchmarkShrinkDedupe300MB deduplicates the 300 MiB inline model: 75
// same-sized weights, all hashed, none equal.
func BenchmarkShrinkDedupe300MB(b *testing.B) {
	inline, _ := benchModels(b)
	m, err := onnxgraph.Open(inline, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(fileSize(b, inline))
	b.ResetTimer()
	for range b.N {
		if _, err := onnxgraph.ShrinkModel(m, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// benchReadPipe reads the model at path through a pipe (a reader that
// tells no size), with or without the size as a hint, against the floor:
// io.ReadAll into a buffer of the right size, then Decode.
func benchReadPipe(b *testing.B, path string) {
	raw, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	n := int64(len(raw))
	pipe := func() io.Reader {
		pr, pw := io.Pipe()
		go func() { _, err := pw.Write(raw); pw.CloseWithError(err) }()
		return pr
	}
	b.Run("floor", func(b *testing.B) {
		b.SetBytes(n)
		for range b.N {
			buf := make([]byte, n)
			if _, err := io.ReadFull(pipe(), buf); err != nil {
				b.Fatal(err)
			}
			if _, err := onnxgraph.Decode(buf, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, hint := range []int64{0, n} {
		b.Run(fmt.Sprintf("hint=%d", hint), func(b *testing.B) {
			b.SetBytes(n)
			for range b.N {
				if _, err := onnxgraph.Read(pipe(), &onnxgraph.LoadOptions{SizeHint: hint}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkReadPipe44MB reads an 11-tensor (44 MiB) inline model through
// a pipe.
func BenchmarkReadPipe44MB(b *testing.B) {
	p := filepath.Join(b.TempDir(), "m44.onnx")
	if err := weightChain(11).SaveWith(p, &onnxgraph.SaveOptions{External: onnxgraph.ExternalInline}); err != nil {
		b.Fatal(err)
	}
	benchReadPipe(b, p)
}

// BenchmarkReadPipe300MB reads the 300 MiB inline model through a pipe.
func BenchmarkReadPipe300MB(b *testing.B) {
	inline, _ := benchModels(b)
	benchReadPipe(b, inline)
}

// BenchmarkCopyInline copies the 300 MiB inline model: cp (the I/O
// floor, measured in the same run), Open then Save unedited, and Open, an
// edit of one node, then Save; each with the file read into memory and
// mapped (LoadOptions.Map, what the CLI does).
func BenchmarkCopyInline(b *testing.B) {
	inline, _ := benchModels(b)
	size := fileSize(b, inline)
	out := filepath.Join(b.TempDir(), "copy.onnx")
	b.Run("cp", func(b *testing.B) {
		b.SetBytes(size)
		for range b.N {
			os.Remove(out)
			if err := exec.Command("cp", inline, out).Run(); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, c := range []struct{ mapped, edit bool }{{false, false}, {false, true}, {true, false}, {true, true}} {
		mapped, edit := c.mapped, c.edit
		b.Run(fmt.Sprintf("onnxgraph/map=%v/edit=%v", mapped, edit), func(b *testing.B) {
			b.SetBytes(size)
			for range b.N {
				os.Remove(out)
				m, err := onnxgraph.Open(inline, &onnxgraph.LoadOptions{Map: mapped})
				if err != nil {
					b.Fatal(err)
				}
				if edit {
					n := m.Graph().Nodes()[3]
					n.SetName("edited")
				}
				if err := m.Save(out); err != nil {
					b.Fatal(err)
				}
				m.Close()
			}
		})
	}
}
