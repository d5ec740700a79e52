package shapeinfer_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/samples"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
)

func scriptOf(t *testing.T, step string) *onnxgraph.Script {
	t.Helper()
	s, err := onnxgraph.ParseScriptWith([]byte(`{"version": 1, "steps": [`+step+`]}`), shapeinfer.ScriptOps())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func bytesOf(t *testing.T, m *onnxgraph.Model) []byte {
	t.Helper()
	b, err := m.Bytes(nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestScriptStep replays infer steps and compares with Infer (after
// SetDims for given input dims) called directly: same bytes, same report.
func TestScriptStep(t *testing.T) {
	for _, c := range []struct {
		step string
		dims map[string][]onnxgraph.Dim
		opts shapeinfer.Options
		pool string // the inferred type of Pooling66_Output_0
	}{
		{`{"op": "infer"}`, nil, shapeinfer.Options{WriteBack: true}, "float32[1,8,14,14]"},
		{`{"op": "infer", "input": {"Input3": "N,1,28,28"}, "strict": true}`,
			map[string][]onnxgraph.Dim{"Input3": {onnxgraph.DimParam("N"), onnxgraph.DimOf(1), onnxgraph.DimOf(28), onnxgraph.DimOf(28)}},
			shapeinfer.Options{WriteBack: true, Strict: true}, "float32[N,8,14,14]"},
		{`{"op": "infer", "check-only": true}`, nil, shapeinfer.Options{WriteBack: true, CheckOnly: true}, "float32[1,8,14,14]"},
	} {
		got, want := samples.MNIST(), samples.MNIST()
		r, err := scriptOf(t, c.step).Apply(got)
		if err != nil {
			t.Fatalf("%s: %v", c.step, err)
		}
		if err := got.Sanity(); err != nil {
			t.Fatal(err)
		}
		res, ok := r.Steps[0].Report.(*shapeinfer.Result)
		if !ok {
			t.Fatalf("report %T", r.Steps[0].Report)
		}
		pool, _ := got.Graph().Value("Pooling66_Output_0")
		if typ := fmt.Sprint(res.Type(pool)); typ != c.pool {
			t.Errorf("%s: Pooling66_Output_0 %s, want %s", c.step, typ, c.pool)
		}
		if c.dims != nil {
			if _, err := onnxgraph.SetDimsModel(want, c.dims, nil); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := shapeinfer.Infer(want, &c.opts); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(bytesOf(t, got), bytesOf(t, want)) {
			t.Errorf("%s: the step gives other bytes than SetDims and Infer", c.step)
		}
	}
}

// TestScriptStepErrors: options that cannot be read fail at parse time
// naming the step; a step that does not apply leaves the model as it was.
func TestScriptStepErrors(t *testing.T) {
	for _, c := range []struct{ step, want string }{
		{`{"op": "infer", "input": {"x": "1,,3"}}`, `input dims: onnxgraph: "x": shape "1,,3": dim 1 is empty`},
		{`{"op": "infer", "write": true}`, `unknown option "write"`},
	} {
		_, err := onnxgraph.ParseScriptWith([]byte(`{"version": 1, "steps": [`+c.step+`]}`), shapeinfer.ScriptOps())
		var se *onnxgraph.ScriptError
		if !errors.As(err, &se) || se.Step != 1 || se.Op != "infer" || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v", c.step, err)
		}
	}
	// Frobnicate (com.example) has no inference: strict refuses.
	custom := func() *onnxgraph.Model {
		m := onnxgraph.NewModel(8, map[string]int64{"": 17, "com.example": 1})
		g := m.Graph()
		x, _ := g.AddInput("x", onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(2, 3)))
		f, _ := g.AddNodeIn("com.example", "Frobnicate", []*onnxgraph.Value{x}, []string{"frob"})
		r, _ := g.AddNode("Relu", []*onnxgraph.Value{f.Output(0)}, []string{"y"})
		if err := g.AddOutput(r.Output(0), nil); err != nil {
			t.Fatal(err)
		}
		return m
	}
	for _, c := range []struct {
		model    func() *onnxgraph.Model
		step     string
		sentinel error
		want     string
	}{
		{samples.MNIST, `{"op": "infer", "input": {"nosuch": "1"}}`, onnxgraph.ErrNotFound, `the model has no graph input "nosuch"`},
		{samples.MNIST, `{"op": "infer", "input": {"Plus214_Output_0": "1,10"}}`, onnxgraph.ErrNotFound, `no graph input "Plus214_Output_0"`},
		{samples.MNIST, `{"op": "infer", "input": {"Input3": "1,28,28"}}`, onnxgraph.ErrShape, `"Input3" has rank 4`},
		{custom, `{"op": "infer", "strict": true}`, shapeinfer.ErrIncomplete, `2 values left without a complete type (first "frob"`},
		{custom, `{"op": "infer", "strict": true, "input": {"x": "N,3"}}`, shapeinfer.ErrIncomplete, `1 nodes without inference (first "Frobnicate", Frobnicate of domain "com.example")`},
	} {
		m := c.model()
		before := bytesOf(t, m)
		_, err := scriptOf(t, c.step).Apply(m)
		if !errors.Is(err, c.sentinel) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %v with %q", c.step, err, c.sentinel, c.want)
		}
		if err := m.Sanity(); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(bytesOf(t, m), before) {
			t.Errorf("%s: the failed step changed the model", c.step)
		}
	}
	// Without strict, the same model is inferred as far as it goes.
	m := custom()
	if _, err := scriptOf(t, `{"op": "infer"}`).Apply(m); err != nil {
		t.Errorf("not strict: %v", err)
	}
}

func ExampleScriptOps() {
	s, err := onnxgraph.ParseScriptWith([]byte(`{"version": 1, "steps": [
	  {"op": "infer", "input": {"Input3": "N,1,28,28"}},
	  {"op": "extract", "inputs": ["Input3"], "outputs": ["Pooling66_Output_0"]}
	]}`), shapeinfer.ScriptOps())
	if err != nil {
		fmt.Println(err)
		return
	}
	m := samples.MNIST()
	if _, err := s.Apply(m); err != nil {
		fmt.Println(err)
		return
	}
	// The extracted output keeps the type the infer step wrote.
	fmt.Println(shapeinfer.FromProto(m.Graph().Outputs()[0].Type()))
	// Output:
	// float32[N,8,14,14]
}
