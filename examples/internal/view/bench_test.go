package view

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/onnxgraph/onnxgraph"
)

// Benchmarks of opening a model in the page, in headless Chromium:
//
//	go test ./examples/internal/view -run '^$' -bench . -benchtime 3x
//
// Each iteration starts a server on the file (load, shape inference, the
// hierarchy: load-ms) and opens the page until its status line and boxes
// are drawn and painted, as the page's own clock tells from the start of
// the navigation (page-ms); wall-ms adds the time chromedp takes to drive
// the tab and notice. Memory is the server's heap once the first level is
// drawn, against the heap of the loaded graph alone.

func benchOpen(b *testing.B, m *onnxgraph.Model, wantBoxes string) {
	path := saveModel(b, m, "model.onnx")
	ctx := browser(b)
	var load, wall time.Duration
	var page float64
	for b.Loop() {
		t0 := time.Now()
		s, err := Start(path, nil)
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		run(b, ctx, chromedp.Navigate(s.URL()))
		waitJS(b, ctx, `document.getElementById('status').textContent.includes(' nodes') && `+wantBoxes+
			` && performance.getEntriesByName('level-painted').length > 0`)
		wall += time.Since(t1)
		load += t1.Sub(t0)
		page += eval[float64](b, ctx, `performance.getEntriesByName('level-painted')[0].startTime`)
		s.Close()
	}
	n := float64(b.N)
	b.ReportMetric(float64(load.Milliseconds())/n, "load-ms/op")
	b.ReportMetric(page/n, "page-ms/op")
	b.ReportMetric(float64(load.Milliseconds())/n+page/n, "total-ms/op")
	b.ReportMetric(float64(wall.Milliseconds())/n, "wall-ms/op")
	graph, server := heapOf(b, path)
	b.ReportMetric(float64(graph)/(1<<20), "graph-MiB")
	b.ReportMetric(float64(server)/(1<<20), "server-MiB")
	b.ReportMetric(float64(server)/float64(graph), "server/graph")
}

// heapOf measures the live heap of the model loaded alone, and of a
// session on it with its first level drawn.
func heapOf(b *testing.B, path string) (graph, server uint64) {
	live := func() uint64 {
		var ms runtime.MemStats
		runtime.GC()
		runtime.GC()
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	base := live()
	m, err := onnxgraph.Open(path, nil)
	if err != nil {
		b.Fatal(err)
	}
	graph = live() - base
	runtime.KeepAlive(m)
	m.Close()
	m = nil
	base = live()
	s := OpenSession(path)
	if _, err := s.Level(levelRequest{Auto: true}); err != nil {
		b.Fatal(err)
	}
	server = live() - base
	runtime.KeepAlive(s)
	s.Close()
	return graph, server
}

// BenchmarkOpen1k draws a 1,000-node model with flat names: every node is
// a box.
func BenchmarkOpen1k(b *testing.B) {
	benchOpen(b, generated(b, 1000, false), `document.querySelectorAll('#viewport .box.node').length === 1000`)
}

// BenchmarkOpen100k shows the collapsed view of a 100,000-node model named
// in scopes (/net/stageS/layerL/blockB/...).
func BenchmarkOpen100k(b *testing.B) {
	benchOpen(b, generated(b, 100_000, true), `document.querySelectorAll('#viewport .box').length > 2`)
}

// TestOpenSizes checks the views the benchmarks time: the 1,000-node model
// draws every node, the 100,000-node one opens as a few dozen boxes.
func TestOpenSizes(t *testing.T) {
	cases := []struct {
		nodes  int
		scoped bool
		min    int
		max    int
	}{
		{1000, false, 1002, 1002},
		{100_000, true, 3, 60},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.nodes), func(t *testing.T) {
			s := OpenSession(saveModel(t, generated(t, c.nodes, c.scoped), "m.onnx"))
			defer s.Close()
			lv, err := s.Level(levelRequest{Auto: true})
			if err != nil {
				t.Fatal(err)
			}
			if n := len(lv.Items); n < c.min || n > c.max {
				t.Errorf("%d boxes, want %d to %d", n, c.min, c.max)
			}
			if st := s.Status(); st.Status != fmt.Sprintf("%d nodes · %d values · opset 17", c.nodes, c.nodes+2) {
				t.Errorf("status %q", st.Status)
			}
		})
	}
}
