package onnxgraph

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestWriteMem writes large pieces at offsets that put them a little past
// their place in their page (through writeMem's buffer) and elsewhere,
// through a bufio.Writer holding bytes and straight to the file, and
// checks the file's bytes.
func TestWriteMem(t *testing.T) {
	data := make([]byte, 3*minBounce+123)
	for i := range data {
		data[i] = byte(i*7 + i>>13)
	}
	for _, tc := range []struct {
		name     string
		prefix   int // bytes written before
		from     int // where in data the piece starts
		buffered bool
		bounce   bool // through writeMem's buffer (data is page-aligned: a large allocation)
	}{
		{"aligned", 0, 0, false, false},
		{"8 bytes past", 8, 0, false, true},
		{"8 bytes past, buffered", 8, 0, true, true},
		{"40 bytes past, buffered", 4136, 4096, true, true},
		{"100 bytes past", 100, 0, false, false},
		{"before", 0, 8, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "out")
			f, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			prefix := bytes.Repeat([]byte{0xAB}, tc.prefix)
			piece := data[tc.from:]
			if got := aliased(piece[:minBounce], int64(tc.prefix)); got != tc.bounce {
				t.Fatalf("aliased: %v, want %v", got, tc.bounce)
			}
			var w interface{ Write([]byte) (int, error) } = f
			bw := bufio.NewWriterSize(f, 1<<20)
			if tc.buffered {
				w = bw
			}
			if _, err := w.Write(prefix); err != nil {
				t.Fatal(err)
			}
			if err := writeMem(context.Background(), w, piece, int64(tc.prefix)); err != nil {
				t.Fatal(err)
			}
			if err := bw.Flush(); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if want := append(prefix, piece...); !bytes.Equal(got, want) {
				t.Fatalf("file has %d bytes, differing from the %d written", len(got), len(want))
			}
		})
	}
}

// TestWriteMemStops checks that writeMem stops between pieces when its
// context is done.
func TestWriteMemStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var buf bytes.Buffer
	if err := writeMem(ctx, &buf, make([]byte, 10), 8); err != context.Canceled || buf.Len() != 0 {
		t.Fatalf("got %v after writing %d bytes", err, buf.Len())
	}
}
