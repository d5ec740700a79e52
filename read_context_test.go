package onnxgraph_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"testing/iotest"
	"time"

	"github.com/onnxgraph/onnxgraph"
)

// TestReadSizes reads one model through readers that tell their size, do
// not, or are given a hint that is right, too small or too large: the
// model is the same every time.
func TestReadSizes(t *testing.T) {
	want := edBytes(t, xdBuild(t, xdSpecs))
	n := int64(len(want))
	for _, tc := range []struct {
		name string
		r    func() io.Reader
		hint int64
	}{
		{"bytes.Reader", func() io.Reader { return bytes.NewReader(want) }, 0},
		{"pipe", func() io.Reader { return pipeOf(want) }, 0},
		{"pipe, right hint", func() io.Reader { return pipeOf(want) }, n},
		{"pipe, hint too small", func() io.Reader { return pipeOf(want) }, n / 3},
		{"pipe, hint too large", func() io.Reader { return pipeOf(want) }, 4 * n},
		{"one byte at a time", func() io.Reader { return iotest.OneByteReader(bytes.NewReader(want[:1<<16])) }, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := onnxgraph.Read(tc.r(), &onnxgraph.LoadOptions{SizeHint: tc.hint})
			if tc.name == "one byte at a time" {
				// A prefix: malformed, reported as such.
				if !errors.Is(err, onnxgraph.ErrMalformed) {
					t.Errorf("prefix: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := edBytes(t, m); !bytes.Equal(got, want) {
				t.Error("the model read differs")
			}
		})
	}
	// A reader that fails midway: its error, no model.
	_, err := onnxgraph.Read(io.MultiReader(bytes.NewReader(want[:n/2]), iotest.ErrReader(io.ErrUnexpectedEOF)), nil)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("failing reader: %v", err)
	}
}

func pipeOf(b []byte) io.Reader {
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(func() error { _, err := pw.Write(b); return err }()) }()
	return pr
}

// slowReader gives n bytes a read, then waits: a network body.
type slowReader struct {
	r    io.Reader
	wait time.Duration
}

func (s slowReader) Read(p []byte) (int, error) {
	time.Sleep(s.wait)
	return s.r.Read(p[:min(len(p), 1<<20)])
}

// TestContextCancels checks that a cancelled context stops a load and a
// save promptly, returns context.Canceled, and leaves no output.
func TestContextCancels(t *testing.T) {
	want := edBytes(t, xdBuild(t, xdSpecs))
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	start := time.Now()
	_, err := onnxgraph.ReadContext(ctx, slowReader{bytes.NewReader(want), 50 * time.Millisecond}, nil) // about 200 ms in all
	if !errors.Is(err, context.Canceled) || time.Since(start) > time.Second {
		t.Errorf("read: %v after %v", err, time.Since(start))
	}
	// Already cancelled: nothing is read.
	if _, err := onnxgraph.OpenContext(ctx, filepath.Join(t.TempDir(), "none.onnx"), nil); err == nil {
		t.Error("open of a missing file succeeded")
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "m.onnx")
	if err := os.WriteFile(p, want, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := onnxgraph.OpenContext(ctx, p, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("open with a cancelled context: %v", err)
	}

	// A save of a few hundred MB, cancelled while it writes.
	big := killModel(t, 3)
	for _, opts := range []*onnxgraph.SaveOptions{nil, {External: onnxgraph.ExternalSingle}} {
		out := t.TempDir()
		target := filepath.Join(out, "big.onnx")
		if err := os.WriteFile(target, []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		go func() { time.Sleep(30 * time.Millisecond); cancel() }()
		start := time.Now()
		err := big.SaveContext(ctx, target, opts)
		took := time.Since(start)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("save %+v: %v after %v", opts, err, took)
		}
		if got := xdFiles(t, out); !slices.Equal(got, []string{"big.onnx"}) {
			t.Errorf("save %+v: folder holds %v after a cancelled save", opts, got)
		}
		if b, _ := os.ReadFile(target); string(b) != "old" {
			t.Errorf("save %+v: the old output changed", opts)
		}
		t.Logf("save %+v stopped after %v", opts, took)
	}
}
