package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph/examples/internal/ort/orttest"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/examples/internal/ort"
)

// e6CLIModel saves image[1,3,4,4] -> Transpose "tr" (perm 0,1,2,3) -> Mul(w)
// "mul" -> Reshape([1,48]) -> out[1,48], with unnamed Relu nodes, and returns
// its path.
func e6CLIModel(t *testing.T) string {
	t.Helper()
	m := e6Build(t, 13, func(b *onnxgraph.Builder) {
		x := b.Input("image", onnxgraph.Float, onnxgraph.Dims(1, 3, 4, 4)...)
		tr := b.Node(onnxgraph.NodeSpec{Op: "Transpose", Name: "tr", Inputs: []any{x}, Attrs: onnxgraph.Attrs{"perm": "0,1,2,3"}}).Output(0)
		w := b.Const("w", 0, []int64{4}, []float32{1, 2, 3, 4})
		mul := b.Node(onnxgraph.NodeSpec{Op: "Mul", Name: "mul", Inputs: []any{tr, w}}).Output(0)
		r := b.Op("Relu", nil, b.Op("Relu", nil, mul))
		y := b.Node(onnxgraph.NodeSpec{Op: "Reshape", Name: "flat", Inputs: []any{r, []int64{1, 48}}, Outputs: []string{"out"}}).Output(0)
		b.Output(y, onnxgraph.Dims(1, 48)...)
	})
	for _, n := range m.Graph().Nodes() {
		if n.OpType() == "Relu" {
			n.SetName("")
		}
	}
	p := filepath.Join(t.TempDir(), "in.onnx")
	if err := m.Save(p); err != nil {
		t.Fatal(err)
	}
	return p
}

func e6Open(t *testing.T, p string) *onnxgraph.Model {
	t.Helper()
	m, err := onnxgraph.Open(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	if err := m.Sanity(); err != nil {
		t.Fatal(err)
	}
	if err := onnxgraph.Validate(m, nil); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestNamesDimsOpsetCLI(t *testing.T) {
	in := e6CLIModel(t)
	dir := t.TempDir()
	out := func(name string) string { return filepath.Join(dir, name) }
	var written []string
	ok := func(args ...string) string {
		t.Helper()
		code, stdout, stderr := runCLI(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		written = append(written, args[2])
		return stdout + stderr
	}
	fails := func(want string, args ...string) {
		t.Helper()
		code, _, stderr := runCLI(t, args...)
		if code == 0 || !strings.Contains(stderr, want) {
			t.Errorf("%v: exit %d, stderr %q; want an error with %q", args, code, stderr, want)
		}
		if _, err := os.Stat(args[2]); err == nil {
			t.Errorf("%v: a failed command wrote %s", args, args[2])
		}
	}

	// rename
	s := ok("rename", in, out("rename.onnx"), "--from", "image", "--to", "pixels")
	if !strings.Contains(s, "renamed 0 nodes and 1 values") {
		t.Errorf("rename: %s", s)
	}
	if e6Open(t, out("rename.onnx")).Graph().Inputs()[0].Name() != "pixels" {
		t.Error("rename: input not renamed")
	}
	ok("rename", in, out("rename2.onnx"), "--from", "u", "--to", "U", "--mode", "partial", "--scope", "nodes", "-v")
	fails("collides", "rename", in, out("x.bad.onnx"), "--from", "image", "--to", "out")
	fails(`no node or value named "nope"`, "rename", in, out("x.bad.onnx"), "--from", "nope", "--to", "x")
	fails("unknown rename mode", "rename", in, out("x.bad.onnx"), "--from", "a", "--to", "b", "--mode", "regex")

	// set-dims
	ok("set-dims", in, out("dims.onnx"), "--input", "image=N,3,4,4", "--output", "out=N,48")
	m := e6Open(t, out("dims.onnx"))
	if d, names, _ := m.Graph().Inputs()[0].Shape(); d[0] != -1 || names[0] != "N" {
		t.Errorf("set-dims: %v %v", d, names)
	}
	fails("has rank 4", "set-dims", in, out("x.bad.onnx"), "--input", "image=1,3,4")
	fails(`no graph input "out"`, "set-dims", in, out("x.bad.onnx"), "--input", "out=1,48")

	// set-batch
	s = ok("set-batch", in, out("batch.onnx"), "--batch", "N")
	if !strings.Contains(s, "batch 1 -> N: inputs image; outputs out") || !strings.Contains(s, `rewrote "flat"(Reshape)`) {
		t.Errorf("set-batch: %s", s)
	}
	ok("set-batch", in, out("batch_out.onnx"), "--batch", "2", "--outputs", "out")
	// Inputs only, unchecked: the declared output keeps batch 1 although
	// the model now computes 2 (python's checker would object).
	ok("set-batch", in, out("batch_in.onnx"), "--batch", "2", "--inputs-only", "--no-check")
	written = written[:len(written)-1]
	fails("exclude each other", "set-batch", in, out("x.bad.onnx"), "--batch", "2", "--inputs-only", "--outputs", "out")
	fails("shape inference rejects", "set-batch", in, out("x.bad.onnx"), "--batch", "2", "--inputs-only")

	// set-opset
	s = ok("set-opset", in, out("opset.onnx"), "--opset", "17")
	if !strings.Contains(s, "opset 13 -> 17") || !strings.Contains(s, "warning: node") {
		t.Errorf("set-opset relabel: %s", s)
	}
	s = ok("set-opset", in, out("opset11.onnx"), "--opset", "11", "--convert", "-v")
	if !strings.Contains(s, "opset 13 -> 11") || !strings.Contains(s, "input 1 became attribute shape") && !strings.Contains(s, "converted") {
		t.Errorf("set-opset convert: %s", s)
	}
	fails("newer than", "set-opset", in, out("x.bad.onnx"), "--opset", "99", "--convert")
	fails("does not import domain", "set-opset", in, out("x.bad.onnx"), "--opset", "2", "--domain", "ai.onnx.ml")

	// modify
	s = ok("modify", in, out("modify.onnx"), "--node", "tr", "--attr", "perm=0,1,3,2", "--no-check")
	if !strings.Contains(s, "set perm=[0 1 3 2]") {
		t.Errorf("modify: %s", s)
	}
	ok("modify", in, out("modify2.onnx"), "--node", "mul", "--const", "w=4,3,2,1")
	fails(`"perm": "x" is not INTS`, "modify", in, out("x.bad.onnx"), "--node", "tr", "--attr", "perm=x")
	fails(`has no attribute "axis"`, "modify", in, out("x.bad.onnx"), "--node", "tr", "--delete-attr", "axis")
	fails(`no node named "nope"`, "modify", in, out("x.bad.onnx"), "--node", "nope", "--attr", "perm=0")

	// layout
	s = ok("layout", in, out("layout.onnx"), "--input", "image=NHWC", "--rgb-bgr", "image")
	if !strings.Contains(s, "image: NCHW [1,3,4,4] -> NHWC [1,4,4,3], channels reversed on axis 1") {
		t.Errorf("layout: %s", s)
	}
	ok("layout", in, out("layout2.onnx"), "--rgb-bgr", "image", "--split-concat")
	fails("3 letters for rank 4", "layout", in, out("x.bad.onnx"), "--input", "image=NHW")

	// name-nodes, strip-docs
	s = ok("name-nodes", in, out("named.onnx"))
	if !strings.Contains(s, "named 2 nodes") {
		t.Errorf("name-nodes: %s", s)
	}
	ok("strip-docs", out("named.onnx"), out("stripped.onnx"), "--only", "nodes,values")
	fails("unknown doc string kind", "strip-docs", in, out("x.bad.onnx"), "--only", "everything")

	for _, p := range written {
		e6Open(t, p)
	}
	if bad := e6PythonCheck(t, written); len(bad) > 0 {
		t.Errorf("python onnx.checker: %v", bad)
	}
}

// The command of the issue: a Gemm model in one line, valid for our
// checker, python's, and ONNX Runtime.
func TestGenOpCLI(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "gemm.onnx")
	code, stdout, stderr := runCLI(t, "gen-op", "--op", "Gemm", "--opset", "17", "--input", "A:float32:1,512", "--input", "B:float32:512,256",
		"--attr", "transB=0", "--output", "Y:float32:1,256", p)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "Gemm, 2 inputs, 1 outputs, opset 17") {
		t.Errorf("stdout %q", stdout)
	}
	m := e6Open(t, p)
	if n := m.Graph().Nodes()[0]; n.Name() != "Gemm_0" || n.Attr("transB").GetI() != 0 {
		t.Errorf("node %v", n.Proto())
	}
	more := []struct {
		name string
		args []string
	}{
		{"constant input", []string{"--op", "Add", "--opset", "13", "--input", "x:float32:2,3", "--input", "one:float32:3=1", "--output", "y:float32:2,3"}},
		{"custom op", []string{"--op", "MyPlugin", "--domain", "com.example", "--input", "x:float32:N,4", "--attr", "k:int=3", "--attr", "alpha=0.5", "--output", "y:float32:N,4"}},
		{"optional input skipped", []string{"--op", "Clip", "--opset", "13", "--input", "x:float32:4", "--input", "", "--input", "hi:float32:=1", "--output", "y:float32:4"}},
	}
	var files []string
	for _, c := range more {
		q := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".onnx")
		if code, _, stderr := runCLI(t, append(append([]string{"gen-op"}, c.args...), q)...); code != 0 {
			t.Errorf("%s: exit %d: %s", c.name, code, stderr)
			continue
		}
		files = append(files, q)
	}
	for _, bad := range []struct {
		want string
		args []string
	}{
		{`Gemm-13 has no attribute "transC"`, []string{"--op", "Gemm", "--opset", "17", "--input", "A:float32:1,2", "--input", "B:float32:2,2", "--attr", "transC=1"}},
		{`"transB": "yes" is not an INT`, []string{"--op", "Gemm", "--opset", "17", "--input", "A:float32:1,2", "--input", "B:float32:2,2", "--attr", "transB=yes"}},
		{"Gemm takes 2 to 3 inputs, not 1", []string{"--op", "Gemm", "--opset", "17", "--input", "A:float32:1,2"}},
		{"operator Gelu is not defined in ai.onnx at opset 17", []string{"--op", "Gelu", "--opset", "17", "--input", "x:float32:2"}},
		{"unknown element type", []string{"--op", "Relu", "--input", "x:float33:2"}},
	} {
		q := filepath.Join(dir, "bad.onnx")
		code, _, stderr := runCLI(t, append(append([]string{"gen-op"}, bad.args...), q)...)
		if code == 0 || !strings.Contains(stderr, bad.want) {
			t.Errorf("%v: exit %d, %q; want %q", bad.args, code, stderr, bad.want)
		}
		if _, err := os.Stat(q); err == nil {
			t.Errorf("%v: wrote a model", bad.args)
			os.Remove(q)
		}
	}
	if bad := e6PythonCheck(t, append([]string{p}, files[0], files[2])); len(bad) > 0 {
		t.Errorf("python onnx.checker: %v", bad)
	}
	// ONNX Runtime runs it.
	orttest.Require(t)
	in, err := ort.RandomInputs(p, 1)
	if err != nil {
		t.Fatal(err)
	}
	res, err := ort.Run(p, in)
	if err != nil || len(res["Y"].Data) != 256*4 {
		t.Fatalf("ONNX Runtime: %v", err)
	}
}
