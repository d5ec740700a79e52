package main

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph/examples/internal/ort"
)

// TestWalkthrough runs the whole walkthrough: every command must exit 0
// and every comparison, by the CLI's compare or in Go, must be close.
// Without ONNX Runtime it skips, unless $CI is set: CI installs it.
func TestWalkthrough(t *testing.T) {
	if _, err := ort.FindLibrary(); err != nil {
		if errors.Is(err, ort.ErrNoLibrary) && os.Getenv("CI") == "" {
			t.Skipf("ONNX Runtime not found (set $CI to fail instead): %v", err)
		}
		t.Fatal(err)
	}
	var out bytes.Buffer
	err := walkthrough(&out)
	text := out.String()
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	if strings.Contains(text, "\n!! ") {
		t.Errorf("the walkthrough reported problems:\n%s", text)
	}
	// One line per command run and per comparison made: 4 flows' worth.
	if n := strings.Count(text, "\n$ onnxgraph "); n < 40 {
		t.Errorf("only %d commands ran", n)
	}
	if n := strings.Count(text, "outputs close (") + strings.Count(text, "# check: "); n < 13 {
		t.Errorf("only %d comparisons", n)
	}
	for _, cmd := range []string{"merge", "extract", "delete-nodes", "insert-node", "add-outputs", "delete-outputs",
		"rename", "set-batch", "shrink", "to-json", "from-json", "encode", "decode", "run", "compare", "summary", "check"} {
		if !strings.Contains(text, "\n$ onnxgraph "+cmd+" ") {
			t.Errorf("no %s step", cmd)
		}
	}
	if testing.Verbose() {
		t.Log("\n" + text)
	}
	checkREADME(t, text)
}

var update = flag.Bool("update", false, "rewrite the walkthrough's output in README.md")

const (
	readmeBegin = "<!-- walkthrough output: begin (go test ./examples/walkthrough -update) -->\n"
	readmeEnd   = "<!-- walkthrough output: end -->"
)

// checkREADME checks that README.md shows what the walkthrough prints
// (with -update, rewrites it).
func checkREADME(t *testing.T, text string) {
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(root, "README.md")
	readme, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(readme)
	i := strings.Index(s, readmeBegin)
	j := strings.Index(s, readmeEnd)
	if i < 0 || j < i {
		t.Fatalf("README.md has no walkthrough output block (%q ... %q)", readmeBegin, readmeEnd)
	}
	block := "```text\n" + text + "```\n"
	if *update {
		s = s[:i+len(readmeBegin)] + block + s[j:]
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if got := s[i+len(readmeBegin) : j]; got != block {
		t.Errorf("README.md's walkthrough output differs from what the walkthrough prints: run go test ./examples/walkthrough -update")
	}
}
