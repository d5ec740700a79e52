package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/samples"
	"google.golang.org/protobuf/proto"
)

func TestToFromJSON(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.onnx")
	if err := samples.MNIST().Save(in); err != nil {
		t.Fatal(err)
	}
	want, err := onnxgraph.Open(in, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer want.Close()
	for _, c := range []struct {
		name  string
		flags []string
		npys  int
	}{
		{"inline", nil, 0},
		{"external", []string{"--weights", "external"}, 2},
		{"external dir", []string{"--weights", "external", filepath.Join(dir, "w", "sub"), "--threshold", "100"}, 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			js := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".json")
			code, out, errOut := runCLI(t, append([]string{"to-json", in, js}, c.flags...)...)
			if code != 0 {
				t.Fatalf("to-json: exit %d: %s", code, errOut)
			}
			text, _ := os.ReadFile(js)
			if got := strings.Count(string(text), `"onnxgraph.npy"`); got != c.npys {
				t.Errorf("%d tensors in .npy files, want %d (%s)", got, c.npys, out)
			}
			back := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".onnx")
			if code, _, errOut := runCLI(t, "from-json", js, back); code != 0 {
				t.Fatalf("from-json: exit %d: %s", code, errOut)
			}
			got, err := onnxgraph.Open(back, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer got.Close()
			if !proto.Equal(got.ToProto(), want.ToProto()) {
				t.Error("the model differs after to-json and from-json")
			}
		})
	}
	// DIR must be inside OUT's folder; --weights takes two words.
	for _, args := range [][]string{
		{"to-json", in, filepath.Join(dir, "a.json"), "--weights", "external", t.TempDir()},
		{"to-json", in, filepath.Join(dir, "a.json"), "--weights", "sideways"},
		{"to-json", in, filepath.Join(dir, "a.json"), "extra"},
		{"from-json", filepath.Join(dir, "no.json"), filepath.Join(dir, "no.onnx")},
	} {
		if code, _, _ := runCLI(t, args...); code == 0 {
			t.Errorf("%v: exit 0", args)
		}
	}
}

// TestFromJSONOver2GiB builds the JSON of a model whose weights pass
// protobuf's 2 GiB limit (a sparse .npy file, so it costs little disk) and
// checks that from-json saves it with external data. It needs about 2 GiB
// of memory and writes 2 GiB to disk: set ONNXGRAPH_BIG_TESTS=1 to run it.
func TestFromJSONOver2GiB(t *testing.T) {
	if os.Getenv("ONNXGRAPH_BIG_TESTS") == "" {
		t.Skip("set ONNXGRAPH_BIG_TESTS=1 to run")
	}
	dir := t.TempDir()
	// A uint8 tensor of 2^31 elements, all zero.
	const n = 1 << 31
	small, _ := onnxgraph.TensorFrom("w", []int64{1}, []uint8{0})
	f, err := os.Create(filepath.Join(dir, "w.npy"))
	if err != nil {
		t.Fatal(err)
	}
	var head strings.Builder
	small.WriteNPY(&head)
	h := strings.Replace(head.String(), "(1,), }", "(2147483648,), }", 1)
	h = strings.Replace(h, strings.Repeat(" ", 9)+"\n", "\n", 1) // keep the header's length
	f.WriteString(h[:len(h)-1])
	f.Truncate(int64(len(h)-1) + n)
	f.Close()
	js := `{"irVersion": "10", "opsetImport": [{"version": "21"}], "graph": {"name": "g",
	  "initializer": [{"dims": ["2147483648"], "dataType": 2, "name": "w", "dataLocation": "EXTERNAL",
	    "externalData": [{"key": "onnxgraph.npy", "value": "w.npy"}]}],
	  "output": [{"name": "w"}]}}`
	os.WriteFile(filepath.Join(dir, "m.json"), []byte(js), 0o644)
	code, out, errOut := runCLI(t, "from-json", filepath.Join(dir, "m.json"), filepath.Join(dir, "m.onnx"))
	if code != 0 || !strings.Contains(out, "m.onnx.data") {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	st, err := os.Stat(filepath.Join(dir, "m.onnx.data"))
	if err != nil || st.Size() != n {
		t.Fatalf("external data: %v %v", st, err)
	}
	m, err := onnxgraph.Open(filepath.Join(dir, "m.onnx"), nil)
	if err != nil {
		t.Fatal(err)
	}
	m.Close()
}
