package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onnxgraph/onnxgraph/samples"
)

// fakeClock is a clock that tests advance by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func TestProgressQuiet(t *testing.T) {
	var buf bytes.Buffer
	p := startProgress(&buf, "loading", 3)
	p.step()
	p.step()
	p.done()
	p.done()
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if isTerminal(f) || isTerminal(&buf) {
		t.Error("a file or a buffer counts as a terminal")
	}
	q := startProgress(f, "saving", 0) // no ticker may start
	q.done()
	if st, _ := f.Stat(); buf.Len() != 0 || st.Size() != 0 {
		t.Errorf("quiet progress wrote %q and %d bytes", buf.String(), st.Size())
	}
}

func TestProgressRendering(t *testing.T) {
	var buf bytes.Buffer
	clock := &fakeClock{t: time.Unix(0, 0)}
	p := newProgress(&buf, "running m.onnx", 4, clock.now)
	clock.advance(50 * time.Millisecond)
	p.step() // too soon after the first line: not drawn
	clock.advance(250 * time.Millisecond)
	p.step()
	clock.advance(10 * time.Millisecond)
	p.step() // too soon
	clock.advance(10 * time.Millisecond)
	p.step() // the last step is always drawn
	clock.advance(1500 * time.Millisecond)
	p.done()
	p.done()
	want := "\rrunning m.onnx 0/4 0s" +
		"\rrunning m.onnx 2/4 300ms" +
		"\rrunning m.onnx 4/4 320ms" +
		"\rrunning m.onnx 4/4 done in 1.8s\n"
	if got := buf.String(); got != want {
		t.Errorf("drew\n%q\nwant\n%q", got, want)
	}

	// A shorter line blanks what is left of a longer one.
	buf.Reset()
	p = newProgress(&buf, "saving", 0, clock.now)
	for _, d := range []time.Duration{1200 * time.Millisecond, 800 * time.Millisecond} {
		clock.advance(d)
		p.mu.Lock()
		p.draw(clock.now(), false)
		p.mu.Unlock()
	}
	p.done()
	if got, want := buf.String(), "\rsaving 0s\rsaving 1.2s\rsaving 2s  \rsaving done in 2s\n"; got != want {
		t.Errorf("drew %q, want %q", got, want)
	}
}

// TestProgressTicker checks that a progress without steps keeps redrawing
// its elapsed time until done.
func TestProgressTicker(t *testing.T) {
	var buf bytes.Buffer
	p := newProgress(&buf, "loading", 0, time.Now)
	p.startTicker(time.Millisecond)
	// A hundred ticks: at least three are drawn, even on a loaded machine.
	time.Sleep(100 * time.Millisecond)
	p.done() // stops the ticker before returning: buf is ours again
	got := buf.String()
	if n := strings.Count(got, "\rloading "); n < 3 || !strings.HasSuffix(got, "\n") || !strings.Contains(got, "loading done in ") {
		t.Errorf("drew %d lines: %q", n, got)
	}
}

// TestCopyQuiet checks that copy prints no progress when stderr is not a
// terminal.
func TestCopyQuiet(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.onnx")
	if err := samples.MNIST().Save(in); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "copy", in, filepath.Join(dir, "out.onnx"))
	if code != 0 || errOut != "" || !strings.HasPrefix(out, "copied ") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// TestByteProgressRendering: a progress of bytes shows the bytes done,
// their total, the rate and the time left, and when done the total, the
// time and the rate; with no total known, the bytes and the rate.
func TestByteProgressRendering(t *testing.T) {
	var buf bytes.Buffer
	clock := &fakeClock{t: time.Unix(0, 0)}
	p := newByteProgress(&buf, "loading m.onnx", 48<<20, clock.now)
	clock.advance(100 * time.Millisecond)
	p.set(1 << 20) // too soon after the first line: not drawn
	clock.advance(1900 * time.Millisecond)
	p.set(12 << 20)
	clock.advance(6 * time.Second)
	p.set(48 << 20)
	p.done()
	p.done()
	want := "\rloading m.onnx 0 B of 48.0 MiB" +
		"\rloading m.onnx 12.0 MiB of 48.0 MiB, 6.0 MiB/s, 6s left" +
		"\rloading m.onnx 48.0 MiB of 48.0 MiB, 6.0 MiB/s         " +
		"\rloading m.onnx 48.0 MiB in 8s (6.0 MiB/s)     \n"
	if got := buf.String(); got != want {
		t.Errorf("drew\n%q\nwant\n%q", got, want)
	}

	buf.Reset()
	p = newByteProgress(&buf, "reading standard input", 0, clock.now)
	clock.advance(time.Second)
	p.set(3 << 10)
	p.done()
	if got, want := buf.String(), "\rreading standard input 0 B\rreading standard input 3.0 KiB, 3.0 KiB/s\rreading standard input 3.0 KiB in 1s (3.0 KiB/s)\n"; got != want {
		t.Errorf("drew %q, want %q", got, want)
	}
}
