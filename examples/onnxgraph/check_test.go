package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph"
)

// saveCheckModel saves a Relu -> Softmax model; a float axis makes it
// invalid.
func saveCheckModel(t *testing.T, path string, broken bool) {
	t.Helper()
	m := onnxgraph.NewModel(8, map[string]int64{"": 17})
	g := m.Graph()
	typ := onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(1, 4))
	x, err := g.AddInput("x", typ)
	if err != nil {
		t.Fatal(err)
	}
	relu, _ := g.AddNode("Relu", []*onnxgraph.Value{x}, []string{"r"})
	axis := onnxgraph.AttrInt("axis", 1)
	if broken {
		axis = onnxgraph.AttrFloat("axis", 1)
	}
	sm, _ := g.AddNode("Softmax", []*onnxgraph.Value{relu.Output(0)}, []string{"y"}, axis)
	sm.SetName("softmax")
	if err := g.AddOutput(sm.Output(0), typ); err != nil {
		t.Fatal(err)
	}
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
}

func TestCheckCommand(t *testing.T) {
	dir := t.TempDir()
	valid, broken := filepath.Join(dir, "valid.onnx"), filepath.Join(dir, "broken.onnx")
	saveCheckModel(t, valid, false)
	saveCheckModel(t, broken, true)

	var out, errOut bytes.Buffer
	if code := run([]string{"check", valid}, &out, &errOut); code != 0 || out.String() != "valid\n" {
		t.Errorf("check valid: exit %d, out %q, err %q", code, out.String(), errOut.String())
	}

	out.Reset()
	errOut.Reset()
	code := run([]string{"check", broken}, &out, &errOut)
	want := "invalid: 1 error(s)\n" +
		`error AttrType main: node "softmax" (Softmax #1): attribute "axis" is of type FLOAT; Softmax-13 declares INT` + "\n"
	if code != 1 || out.String() != want || !strings.Contains(errOut.String(), "invalid: 1 error(s)") {
		t.Errorf("check broken: exit %d\nout %q\nwant %q\nerr %q", code, out.String(), want, errOut.String())
	}

	out.Reset()
	if code := run([]string{"check", broken, "--json"}, &out, &errOut); code != 1 {
		t.Errorf("check --json broken: exit %d", code)
	}
	var rep struct {
		Valid    bool
		Errors   int
		Problems []onnxgraph.Problem
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("--json output: %v\n%s", err, out.String())
	}
	if rep.Valid || rep.Errors != 1 || len(rep.Problems) != 1 || rep.Problems[0].Rule != onnxgraph.RuleAttrType || rep.Problems[0].Node != "softmax" {
		t.Errorf("--json: %+v", rep)
	}

	out.Reset()
	if code := run([]string{"check", "--json", valid}, &out, &errOut); code != 0 || !strings.Contains(out.String(), `"valid": true`) {
		t.Errorf("check --json valid: exit %d, out %s", code, out.String())
	}

	errOut.Reset()
	if code := run([]string{"check", filepath.Join(dir, "missing.onnx")}, &out, &errOut); code != 1 || errOut.Len() == 0 {
		t.Errorf("check missing file: exit %d, err %q", code, errOut.String())
	}
	if code := run([]string{"check"}, &out, &errOut); code != 2 {
		t.Errorf("check without MODEL: exit %d; want 2", code)
	}
}
