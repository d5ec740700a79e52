package onnxgraph_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph"
)

// TestWriteFile writes over an existing file: a write that succeeds
// replaces it; one that fails, or whose context ends, leaves it as it was
// and no temporary file behind; the error names the file, not the
// temporary one.
func TestWriteFile(t *testing.T) {
	failing := errors.New("the writer broke")
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name  string
		ctx   context.Context
		write func(w io.Writer) error
		want  string // the file's content after
		err   error
	}{
		{"replaces", context.Background(), func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }, "new", nil},
		{"empty", context.Background(), func(w io.Writer) error { return nil }, "", nil},
		{"write fails midway", context.Background(), func(w io.Writer) error {
			io.WriteString(w, strings.Repeat("x", 3<<20)) // past the buffer: on disk
			return failing
		}, "old", failing},
		{"context ended", cancelled, func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }, "old", context.Canceled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "out.bin")
			if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
				t.Fatal(err)
			}
			err := onnxgraph.WriteFile(tc.ctx, path, tc.write)
			if !errors.Is(err, tc.err) || (err == nil) != (tc.err == nil) {
				t.Fatalf("error %v, want %v", err, tc.err)
			}
			if err != nil && (!strings.Contains(err.Error(), path) || strings.Contains(err.Error(), ".tmp-")) {
				t.Errorf("the error does not name the file alone: %v", err)
			}
			got, rerr := os.ReadFile(path)
			if rerr != nil || string(got) != tc.want {
				t.Errorf("the file holds %.20q (%v), want %q", got, rerr, tc.want)
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 1 {
				t.Errorf("%d files in the folder, want the file alone", len(ents))
			}
			if st, err := os.Stat(path); err == nil && st.Mode().Perm() != 0o644 {
				t.Errorf("mode %v, want 0644", st.Mode().Perm())
			}
		})
	}
	// A temporary file of a killed write (its process gone) is removed by
	// the next write of the same file; one of a live process stays.
	dir := t.TempDir()
	path := filepath.Join(dir, "out.bin")
	dead := filepath.Join(dir, ".out.bin.tmp-999999999-123")
	live := filepath.Join(dir, fmt.Sprintf(".out.bin.tmp-%d-456", os.Getpid()))
	for _, p := range []string{dead, live} {
		if err := os.WriteFile(p, []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := onnxgraph.WriteFile(context.Background(), path, func(w io.Writer) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dead); !os.IsNotExist(err) {
		t.Error("a killed write's temporary file stays")
	}
	if _, err := os.Stat(live); err != nil {
		t.Error("a live process's temporary file was removed")
	}
}

// ExampleWriteFile writes a report beside a model the way a save writes
// the model: the file is the complete old one or the complete new one at
// every instant.
func ExampleWriteFile() {
	dir, err := os.MkdirTemp("", "writefile")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "report.txt")
	err = onnxgraph.WriteFile(context.Background(), path, func(w io.Writer) error {
		_, err := fmt.Fprintln(w, "3 nodes renamed")
		return err
	})
	fmt.Println(err)
	b, _ := os.ReadFile(path)
	fmt.Print(string(b))
	// Output:
	// <nil>
	// 3 nodes renamed
}
