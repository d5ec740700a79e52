package view

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
)

func fileBytes(t testing.TB, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// libraryEdit makes edits with the library as the command line does
// (types from shape inference) and returns the saved bytes.
func libraryEdit(t testing.TB, in string, edit func(m *onnxgraph.Model) *onnxgraph.Model) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "lib.onnx")
	if err := edit(onnxgraph.Load(in).Infer(shapeinfer.Types(nil))).Save(out); err != nil {
		t.Fatal(err)
	}
	return fileBytes(t, out)
}

func mustEdit(t *testing.T, s *Session, step string) *EditResult {
	t.Helper()
	r, err := s.Edit(s.Status().Version, json.RawMessage(step))
	if err != nil {
		t.Fatalf("edit %s: %v", step, err)
	}
	return r
}

func TestSessionEditUndoSave(t *testing.T) {
	in := mnistFile(t)
	s := OpenSession(in)
	defer s.Close()
	if st := s.Status(); st.Status != "12 nodes · 21 values · opset 13" || st.Error != "" {
		t.Fatalf("status %+v", st)
	}
	mustEdit(t, s, `{"op": "rename", "from": "Plus28", "to": "add_1", "scope": "nodes"}`)
	mustEdit(t, s, `{"op": "delete-nodes", "names": ["ReLU28"]}`)
	if st := s.Status(); st.Status != "11 nodes · 20 values · opset 13" || !st.Undo || st.Redo || len(st.Steps) != 2 {
		t.Fatalf("status after edits %+v", st)
	}
	dir := t.TempDir()
	out, err := s.Save(filepath.Join(dir, "edited.onnx"), false)
	if err != nil {
		t.Fatal(err)
	}
	want := libraryEdit(t, in, func(m *onnxgraph.Model) *onnxgraph.Model {
		return m.Rename("Plus28", "add_1", &onnxgraph.RenameOptions{Scope: onnxgraph.RenameNodes}, nil).
			DeleteNodes(&onnxgraph.DeleteNodesOptions{Names: []string{"ReLU28"}}, nil)
	})
	if !bytes.Equal(fileBytes(t, out), want) {
		t.Error("the page's edits saved other bytes than the library's")
	}
	// The recorded script replays to the same bytes.
	sc, err := onnxgraph.ParseScript(s.Script().JSON())
	if err != nil {
		t.Fatal(err)
	}
	if got := libraryEdit(t, in, func(m *onnxgraph.Model) *onnxgraph.Model { return m.Replay(sc, nil) }); !bytes.Equal(got, want) {
		t.Error("the recorded script replays to other bytes")
	}
	// Undo twice gives the original back, byte for byte.
	for i := 0; i < 2; i++ {
		if err := s.Undo(); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Undo(); err == nil {
		t.Error("undo past the start")
	}
	orig, err := s.Save(filepath.Join(dir, "orig.onnx"), false)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fileBytes(t, orig), fileBytes(t, in)) {
		t.Error("undo did not restore the original bytes")
	}
	if err := s.Redo(); err != nil {
		t.Fatal(err)
	}
	if st := s.Status(); len(st.Steps) != 1 || len(st.Redos) != 1 || !strings.Contains(st.Steps[0], `"add_1"`) {
		t.Errorf("after redo %+v", st)
	}
	// Never over the opened file unless asked.
	if _, err := s.Save(in, false); err == nil || !strings.Contains(err.Error(), "opened file") {
		t.Errorf("save over the opened file: %v", err)
	}
	if _, err := s.Save(filepath.Base(in), false); err == nil {
		t.Error("a relative name of the opened file was not recognized")
	}
	if _, err := s.Save(in, true); err != nil {
		t.Fatal(err)
	}
	if st := s.Status(); st.Undo || len(st.Steps) != 1 {
		t.Errorf("after saving over the file: %+v", st)
	}
	d, err := s.Diff()
	if err != nil || !d.Equal() {
		t.Errorf("diff after saving over the file: %v %v", err, d)
	}
}

func TestSessionRefusedEdits(t *testing.T) {
	in := mnistFile(t)
	s := OpenSession(in)
	defer s.Close()
	before := fileBytes(t, in)
	cases := []struct {
		step, culprit, key, want string
	}{
		{`{"op": "delete-nodes", "names": ["nope"]}`, "nope", "", `no node named "nope"`},
		{`{"op": "delete-nodes", "names": ["Times212"]}`, "Times212", "n10", "Times212"},
		{`{"op": "rename", "from": "Plus28", "to": "Plus110", "scope": "nodes"}`, "Plus28", "n1", `collides with node "Plus110"`},
		{`{"op": "modify", "node": "Pooling66", "attr": {"strides": "x"}}`, "strides", "n3", `"x" is not INTS`},
		{`{"op": "delete-nodes", "nmes": ["x"]}`, "", "", `unknown option "nmes"`},
		{`{"op": "rename"}`, "", "", "rename needs from"},
	}
	for _, c := range cases {
		_, err := s.Edit(s.Status().Version, json.RawMessage(c.step))
		var ee *EditError
		if !errors.As(err, &ee) {
			t.Errorf("%s: %v is not an *EditError", c.step, err)
			continue
		}
		if ee.Culprit != c.culprit || ee.Key != c.key || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v (culprit %q key %q); want culprit %q key %q text %q", c.step, err, ee.Culprit, ee.Key, c.culprit, c.key, c.want)
		}
	}
	out, err := s.Save(filepath.Join(t.TempDir(), "same.onnx"), false)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fileBytes(t, out), before) || s.Status().Undo {
		t.Error("a refused edit changed the model or the history")
	}
	// Two tabs: an edit from a page that missed a change is refused.
	v := s.Status().Version
	mustEdit(t, s, `{"op": "add-outputs", "names": ["Pooling66_Output_0"]}`)
	if _, err := s.Edit(v, json.RawMessage(`{"op": "prune"}`)); !errors.Is(err, ErrConflict) {
		t.Errorf("stale edit: %v", err)
	}
}

func TestSessionLoadError(t *testing.T) {
	p := filepath.Join(t.TempDir(), "bad.onnx")
	if err := os.WriteFile(p, []byte("\x0a\xff\xff\xff"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := OpenSession(p)
	st := s.Status()
	if st.Error == "" || !strings.Contains(st.Error, "malformed") {
		t.Errorf("status %+v", st)
	}
	if _, err := s.Level(levelRequest{}); err == nil {
		t.Error("a level of a model that failed to load")
	}
}

// TestDetailsExplain: the side panel says why a shape is unknown.
func TestDetailsExplain(t *testing.T) {
	b := onnxgraph.NewBuilder(17)
	x := b.Input("x", onnxgraph.Float, onnxgraph.Dims(6)...)
	shape := b.Input("shape", onnxgraph.Int64, onnxgraph.Dims(2)...)
	n := b.Node(onnxgraph.NodeSpec{Op: "Reshape", Name: "reshape", Inputs: []any{x, shape}, Outputs: []string{"y"}})
	if n == nil {
		t.Fatal(b.Err())
	}
	b.Output(n.Output(0), onnxgraph.DimParam("a"), onnxgraph.DimParam("b"))
	m, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	s := OpenSession(saveModel(t, m, "reshape.onnx"))
	defer s.Close()
	it := s.cur.find("reshape")
	d, err := s.Details(it.key)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Outputs) != 1 || d.Outputs[0].Why == "" || !strings.Contains(d.Outputs[0].Why, "reshape") {
		t.Errorf("outputs %+v", d.Outputs)
	}
	if d.Inputs[1].Why != "" || d.Inputs[0].Type != "float32[6]" {
		t.Errorf("inputs %+v", d.Inputs)
	}
}
