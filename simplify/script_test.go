package simplify_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/samples"
	"github.com/onnxgraph/onnxgraph/simplify"
)

func modelBytes(t *testing.T, m *onnxgraph.Model) []byte {
	t.Helper()
	b, err := m.Bytes(nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestScriptStep replays simplify steps from a script and compares with
// Simplify called with the same options.
func TestScriptStep(t *testing.T) {
	cases := []struct {
		step string
		opts *simplify.Options
	}{
		{`{"op": "simplify"}`, nil},
		{`{"op": "simplify", "skip-pass": ["fuse"], "skip-op": ["Dropout"], "max-iterations": 3}`,
			&simplify.Options{SkipPasses: []string{"fuse"}, SkipOps: []string{"Dropout"}, MaxIterations: 3}},
	}
	for _, c := range cases {
		s, err := onnxgraph.ParseScriptWith([]byte(`{"version": 1, "steps": [`+c.step+`]}`), simplify.ScriptOps())
		if err != nil {
			t.Fatal(err)
		}
		got, want := samples.ConvBN(), samples.ConvBN()
		r, err := s.Apply(got)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := r.Steps[0].Report.(*simplify.Report); !ok {
			t.Errorf("report %T", r.Steps[0].Report)
		}
		if _, err := simplify.Simplify(want, c.opts); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(modelBytes(t, got), modelBytes(t, want)) {
			t.Errorf("%s: the step gives other bytes than Simplify", c.step)
		}
		if !strings.Contains(string(s.JSON()), strings.TrimSuffix(strings.TrimPrefix(c.step, `{"op": "simplify"`), "}")) {
			t.Errorf("JSON %s", s.JSON())
		}
	}
	for _, c := range []struct{ step, want string }{
		{`{"op": "simplify", "skip-pass": ["folding"]}`, `SkipPasses "folding": no such pass`},
		{`{"op": "simplify", "input": {"x": "1,,3"}}`, `Inputs "x"`},
		{`{"op": "simplify", "fold": true}`, `unknown option "fold"`},
	} {
		_, err := onnxgraph.ParseScriptWith([]byte(`{"version": 1, "steps": [`+c.step+`]}`), simplify.ScriptOps())
		var se *onnxgraph.ScriptError
		if !errors.As(err, &se) || se.Step != 1 || se.Op != "simplify" || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v", c.step, err)
		}
	}
}

func ExampleScriptOps() {
	s, err := onnxgraph.ParseScriptWith([]byte(`{"version": 1, "steps": [
	  {"op": "simplify"},
	  {"op": "rename", "from": "logits", "to": "y"}
	]}`), simplify.ScriptOps())
	if err != nil {
		fmt.Println(err)
		return
	}
	m := samples.ConvBN()
	r, err := s.Apply(m)
	if err != nil {
		fmt.Println(err)
		return
	}
	sr := r.Steps[0].Report.(*simplify.Report)
	fmt.Println(sr.NodesBefore, "->", sr.NodesAfter, "nodes; output", m.Graph().Outputs()[0].Name())
	// Output:
	// 28 -> 15 nodes; output y
}
