package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/samples"
)

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestSummaryDefaultModel(t *testing.T) {
	code, out, errOut := runCLI(t, "summary")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"built-in sample", "Conv", "MaxPool", "total", "12", "parameters: 5998", "Input3: float32 [1,1,28,28]", "Plus214_Output_0: float32 [1,10]", "ai.onnx=13"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary output lacks %q:\n%s", want, out)
		}
	}
}

func TestSummaryJSON(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.onnx")
	if err := samples.MNIST().Save(path); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "summary", path, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var s onnxgraph.Summary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	st, _ := os.Stat(path)
	if s.TotalOps != 12 || s.Parameters != 5998 || s.ModelBytes != st.Size() || len(s.Inputs) != 1 || s.Opsets[""] != 13 {
		t.Errorf("summary = %+v", s)
	}
}

func TestCopyModes(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.onnx")
	if err := samples.MNIST().Save(in); err != nil {
		t.Fatal(err)
	}
	want, err := onnxgraph.Open(in, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantBytes, _ := want.Bytes(nil)
	cases := []struct {
		name  string
		flags []string
		files []string // files the output folder must hold besides out.onnx
	}{
		{"keep", nil, nil},
		{"single", []string{"--external", "weights.bin", "--threshold", "1024"}, []string{"weights.bin"}},
		{"pertensor", []string{"--external", "pertensor", "--threshold", "4096"}, []string{"Parameter193", "Parameter87"}},
		{"inline", []string{"--external", "inline"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			od := t.TempDir()
			out := filepath.Join(od, "out.onnx")
			code, stdout, errOut := runCLI(t, append([]string{"copy", in, out}, c.flags...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if !strings.Contains(stdout, "copied") {
				t.Errorf("stdout = %q", stdout)
			}
			for _, f := range c.files {
				if _, err := os.Stat(filepath.Join(od, f)); err != nil {
					t.Errorf("missing %s: %v", f, err)
				}
			}
			got, err := onnxgraph.Open(out, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer got.Close()
			inl, err := got.Bytes(&onnxgraph.SaveOptions{External: onnxgraph.ExternalInline})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(inl, wantBytes) {
				t.Error("the copy, inlined again, differs from the input")
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	if code, _, errOut := runCLI(t, "nosuch"); code != 2 || !strings.Contains(errOut, "unknown command") {
		t.Errorf("unknown command: exit %d, %q", code, errOut)
	}
	if code, _, errOut := runCLI(t, "copy", "only-one"); code != 2 || !strings.Contains(errOut, "usage") {
		t.Errorf("copy with one arg: exit %d, %q", code, errOut)
	}
	if code, _, errOut := runCLI(t, "copy", "/no/such/in.onnx", filepath.Join(t.TempDir(), "o.onnx")); code != 1 || !strings.Contains(errOut, "no/such/in.onnx") {
		t.Errorf("copy of a missing file: exit %d, %q", code, errOut)
	}
	if code, out, _ := runCLI(t, "help"); code != 0 || !strings.Contains(out, "copy") || !strings.Contains(out, "summary") {
		t.Errorf("help: exit %d, %q", code, out)
	}
}

// TestCopyNeverChangesTheInputsData is the trust issue's case: copy, run in
// the folder of m.onnx whose tensors live in m.data, asked to write its
// data file as m.data. It refuses naming both files, writes nothing, and
// m.data and m.onnx stay byte for byte as they were.
func TestCopyNeverChangesTheInputsData(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "m.onnx")
	m := samples.MNIST()
	if err := m.SaveWith(in, &onnxgraph.SaveOptions{External: onnxgraph.ExternalSingle, Location: "m.data", Threshold: 64}); err != nil {
		t.Fatal(err)
	}
	sums := func() map[string][32]byte {
		out := map[string][32]byte{}
		for _, f := range []string{"m.onnx", "m.data"} {
			b, err := os.ReadFile(filepath.Join(dir, f))
			if err != nil {
				t.Fatal(err)
			}
			out[f] = sha256.Sum256(b)
		}
		return out
	}
	before := sums()
	code, _, stderr := runCLI(t, "copy", "--external", "m.data", in, filepath.Join(dir, "m2.onnx"))
	if code != 1 || !strings.Contains(stderr, `"m.data"`) || !strings.Contains(stderr, "m.onnx") || !strings.HasPrefix(stderr, "onnxgraph: ") {
		t.Errorf("exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "m2.onnx")); err == nil {
		t.Error("m2.onnx was written")
	}
	if after := sums(); after != nil && (after["m.onnx"] != before["m.onnx"] || after["m.data"] != before["m.data"]) {
		t.Error("the input's files changed")
	}
	// Another name works, and the input still loads with its weights.
	if code, _, stderr := runCLI(t, "copy", "--external", "m2.data", in, filepath.Join(dir, "m2.onnx")); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if after := sums(); after["m.data"] != before["m.data"] {
		t.Error("the input's data changed")
	}
}
