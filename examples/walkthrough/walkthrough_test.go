package main

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph/examples/internal/ort/orttest"
)

// TestWalkthrough runs the whole walkthrough: every command must exit 0
// and every comparison, by the CLI's compare or in Go, must be close.
// Without ONNX Runtime it skips, unless $CI is set: CI installs it.
func TestWalkthrough(t *testing.T) {
	orttest.Find(t)
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
	// The command line's newer forms: a pipe through standard input and
	// output, a prefix on every name, a JSON report.
	for _, form := range []string{"\n$ onnxgraph rename mnist.onnx - --add-prefix det/ --scope values | onnxgraph set-batch - - --batch N | onnxgraph summary -\n",
		"  det/Input3: float32 [N,1,28,28]", "--add-prefix det/ --scope inputs --json", `"New": "det/Input3"`} {
		if !strings.Contains(text, form) {
			t.Errorf("the walkthrough does not show %q", form)
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
	if got := s[i+len(readmeBegin) : j]; !sameOutput(got, block) {
		t.Errorf("README.md's walkthrough output differs from what the walkthrough prints: run go test ./examples/walkthrough -update")
	}
}

var (
	// checksumRE is a checksum run prints: of output bytes, which differ in
	// their last bits from CPU to CPU for floats.
	checksumRE = regexp.MustCompile(`sha256:[0-9a-f]{8}`)
	numberRE   = regexp.MustCompile(`-?[0-9]+(\.[0-9]+)?(e[-+][0-9]+)?`)
)

// sameOutput reports whether the walkthrough's output a matches b: line by
// line the same text, but that ONNX Runtime's float results may differ in
// their last digits on another CPU (numbers agree within 1e-4 relative or
// 1e-6 absolute) and so may their checksums (not compared).
func sameOutput(a, b string) bool {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	if len(la) != len(lb) {
		return false
	}
	for i := range la {
		x, y := checksumRE.ReplaceAllString(la[i], "sha256:"), checksumRE.ReplaceAllString(lb[i], "sha256:")
		if numberRE.ReplaceAllString(x, "#") != numberRE.ReplaceAllString(y, "#") {
			return false
		}
		nx, ny := numberRE.FindAllString(x, -1), numberRE.FindAllString(y, -1)
		for k := range nx {
			if nx[k] == ny[k] {
				continue
			}
			p, err1 := strconv.ParseFloat(nx[k], 64)
			q, err2 := strconv.ParseFloat(ny[k], 64)
			if err1 != nil || err2 != nil || math.Abs(p-q) > 1e-6+1e-4*max(math.Abs(p), math.Abs(q)) {
				return false
			}
		}
	}
	return true
}

// TestSameOutput: the README check tolerates what differs from CPU to CPU
// and nothing else.
func TestSameOutput(t *testing.T) {
	base := "    a/pitch  float32  [1,1]  sha256:8e058bd1  mean -32.3015  min 0  max 2.43879\n# 3 of 3 outputs close (max abs error 0)"
	for _, c := range []struct {
		other string
		same  bool
	}{
		{base, true},
		{"    a/pitch  float32  [1,1]  sha256:4944a460  mean -32.3016  min 1.2e-07  max 2.43879\n# 3 of 3 outputs close (max abs error 2.98e-08)", true},
		{"    a/pitch  float32  [1,1]  sha256:4944a460  mean -32.31  min 0  max 2.43879\n# 3 of 3 outputs close (max abs error 0)", false},
		{"    a/pitch  float32  [1,2]  sha256:8e058bd1  mean -32.3015  min 0  max 2.43879\n# 3 of 3 outputs close (max abs error 0)", false},
		{"    a/pitch  float32  [1,1]  sha256:8e058bd1  mean -32.3015  min 0  max 2.43879\n# 2 of 3 outputs close (max abs error 0)", false},
		{"    a/roll   float32  [1,1]  sha256:8e058bd1  mean -32.3015  min 0  max 2.43879\n# 3 of 3 outputs close (max abs error 0)", false},
		{base + "\n", false},
	} {
		if got := sameOutput(base, c.other); got != c.same {
			t.Errorf("sameOutput(%q) = %v", c.other, got)
		}
	}
}
