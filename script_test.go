package onnxgraph_test

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"reflect"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/samples"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
)

// allSteps holds one step of every operation, options away from their
// defaults.
func allSteps() *onnxgraph.Script {
	return &onnxgraph.Script{Steps: []onnxgraph.Step{
		{Args: &onnxgraph.RenameStep{From: "a", To: "b", Mode: "prefix", Scope: "values", Functions: true}},
		{Args: &onnxgraph.DeleteNodesStep{Names: []string{"n1", "n2"}, Map: map[string]map[string]string{"n1": {"y": "x"}}, RelaxShapes: true}},
		{Args: &onnxgraph.ExtractStep{Inputs: []string{"x"}, Outputs: []string{"y", "z"}, AddMissingInputs: true, AllowUntyped: true}},
		{Args: &onnxgraph.AddOutputsStep{Names: []string{"mid"}, AllowUntyped: true}},
		{Args: &onnxgraph.DeleteOutputsStep{Names: []string{"y"}, PruneInputs: true}},
		{Args: &onnxgraph.ModifyStep{Node: "t", Attr: map[string]string{"perm": "0,2,3,1"}, Const: map[string]string{"s": "1,2"}, DeleteAttr: []string{"k"}}},
		{Args: &onnxgraph.SetDimsStep{Input: map[string]string{"x": "N,3,H,W"}, Output: map[string]string{"y": "N,?"}, KeepValueInfo: true}},
		{Args: &onnxgraph.SetBatchStep{Batch: "N", Inputs: []string{"x"}, Outputs: []string{"y"}, KeepValueInfo: true}},
		{Args: &onnxgraph.RewireStep{From: "a", To: "b", Consumer: "n:1", RelaxShapes: true, KeepDead: true, AllowUntyped: true}},
		{Args: &onnxgraph.PruneStep{Inputs: true, Sort: true}},
		{Args: &onnxgraph.NameNodesStep{Prefix: "p_", SkipFunctions: true}},
		{Args: &onnxgraph.StripDocsStep{Only: "nodes,values"}},
		{Args: &onnxgraph.SetOpsetStep{Opset: 17, Domain: "ai.onnx", Convert: true}},
		{Args: &onnxgraph.InsertNodeStep{Operator: "Mul", Domain: "ai.onnx", Name: "m", Src: "x", Consumers: []string{"n"}, SrcInput: "A",
			GraphOutputs: true, Attr: map[string]string{"axis": "1"}, Const: map[string]string{"B": "2.5"}, Outputs: 1}},
		{Args: &onnxgraph.SortStep{}},
		{Args: &onnxgraph.LayoutStep{Inputs: []string{"x=NHWC"}, Outputs: []string{"y=NCHW:NHWC"}, RGBBGR: []string{"x"}, RGBBGROutput: []string{"y"}, SplitConcat: true}},
		{Args: &onnxgraph.ShrinkStep{NoDedupe: true, Downcast: true, CastWhereNeeded: true}},
		{Args: &onnxgraph.MergeStep{With: []string{"b.onnx", "c.onnx"}, Connect: []string{"1:y=x", "2:b/y=x,b/z=w"}, Prefix: []string{"", "b/", "c/"},
			PrefixDims: true, RelaxShapes: true, Opset: "max", Metadata: "fail", KeepOutputs: true, AllowUntyped: true}},
	}}
}

func TestScriptRoundTrip(t *testing.T) {
	s := allSteps()
	seen := map[string]bool{}
	for _, st := range s.Steps {
		seen[st.Op()] = true
	}
	for _, op := range onnxgraph.ScriptOps() {
		if !seen[op] {
			t.Errorf("operation %s is not covered", op)
		}
	}
	text := s.JSON()
	back, err := onnxgraph.ParseScript(text)
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	if len(back.Steps) != len(s.Steps) {
		t.Fatalf("%d steps back, want %d", len(back.Steps), len(s.Steps))
	}
	for i, st := range back.Steps {
		if st.Line != 4+i {
			t.Errorf("step %d on line %d, want %d", i+1, st.Line, 4+i)
		}
		if !reflect.DeepEqual(st.Args, s.Steps[i].Args) {
			t.Errorf("step %d: %#v, want %#v", i+1, st.Args, s.Steps[i].Args)
		}
	}
	if again := back.JSON(); !bytes.Equal(again, text) {
		t.Errorf("not stable:\n%s\n%s", text, again)
	}
	// Numbers and lists read as text.
	b, err := onnxgraph.ParseScript([]byte(`{"version": 1, "steps": [{"op": "modify", "node": "t", "attr": {"perm": [0, 2, 3, 1], "alpha": 0.5}},
		{"op": "set-dims", "input": {"x": ["N", 3, 224, 224]}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if m := b.Steps[0].Args.(*onnxgraph.ModifyStep); m.Attr["perm"] != "0,2,3,1" || m.Attr["alpha"] != "0.5" {
		t.Errorf("attr %v", m.Attr)
	}
	if d := b.Steps[1].Args.(*onnxgraph.SetDimsStep); d.Input["x"] != "N,3,224,224" || b.Steps[1].Line != 2 {
		t.Errorf("dims %v on line %d", d.Input, b.Steps[1].Line)
	}
}

func TestParseScriptErrors(t *testing.T) {
	cases := []struct {
		name, text string
		step, line int
		want       string
	}{
		{"syntax", "{\n  \"version\": 1,\n  \"steps\": [\n    {\"op\": \"prune\"},,\n  ]\n}", 0, 4, "invalid character"},
		{"ends early", "{\"version\": 1, \"steps\": [", 0, 1, "ends early"},
		{"unknown op", "{\"version\": 1,\n\"steps\": [\n{\"op\": \"prune\"},\n{\"op\": \"delete-node\", \"names\": [\"x\"]}]}", 2, 4, `unknown operation "delete-node"`},
		{"unknown option on its own line", "{\"version\": 1, \"steps\": [\n  {\"op\": \"delete-nodes\",\n   \"nmes\": [\"x\"]}\n]}", 1, 3, `unknown option "nmes"`},
		{"wrong type", "{\"version\": 1, \"steps\": [\n{\"op\": \"prune\"},\n{\"op\": \"delete-nodes\", \"names\": \"x\"}]}", 2, 3, `option "names": a JSON string cannot be a list`},
		{"missing option", "{\"version\": 1, \"steps\": [{\"op\": \"rename\", \"to\": \"b\"}]}", 1, 1, "rename needs from"},
		{"bad mode", "{\"version\": 1, \"steps\": [{\"op\": \"rename\", \"from\": \"a\", \"mode\": \"regex\"}]}", 1, 1, `unknown rename mode "regex"`},
		{"bad dims", "{\"version\": 1, \"steps\": [\n\n{\"op\": \"set-dims\", \"input\": {\"x\": {\"a\": 1}}}]}", 1, 3, "not a value"},
		{"no op", "{\"version\": 1, \"steps\": [{\"names\": [\"x\"]}]}", 1, 1, `has no "op"`},
		{"not an object", "{\"version\": 1, \"steps\": [3]}", 1, 1, "a step is an object"},
		{"version", "{\"version\": 2, \"steps\": []}", 0, 1, "version must be 1"},
		{"unknown key", "{\"version\": 1,\n \"stepz\": []}", 0, 2, `unknown key "stepz"`},
		{"no steps", "{\"version\": 1}", 0, 1, `a script is`},
		{"trailing text", "{\"version\": 1, \"steps\": []}\n{}", 0, 2, "text after the script"},
		{"merge without models", "{\"version\": 1, \"steps\": [{\"op\": \"merge\", \"connect\": [\"y=x\"]}]}", 1, 1, "merge needs with"},
		{"merge step out of range", "{\"version\": 1, \"steps\": [{\"op\": \"merge\", \"with\": [\"b.onnx\"], \"connect\": [\"2:y=x\"]}]}", 1, 1, `connect "2:y=x": step 2 is not in 1..1`},
		{"merge step left out", "{\"version\": 1, \"steps\": [{\"op\": \"merge\", \"with\": [\"b.onnx\", \"c.onnx\"], \"connect\": [\"y=x\"]}]}", 1, 1, "with 3 models, give the step as K:SRC=DST"},
		{"merge pair", "{\"version\": 1, \"steps\": [{\"op\": \"merge\", \"with\": [\"b.onnx\"], \"connect\": [\"y\"]}]}", 1, 1, `"y" is not SRC=DST`},
		{"merge prefixes", "{\"version\": 1, \"steps\": [{\"op\": \"merge\", \"with\": [\"b.onnx\"], \"prefix\": [\"a/\"]}]}", 1, 1, "1 prefixes for 2 models"},
		{"merge opset", "{\"version\": 1, \"steps\": [{\"op\": \"merge\", \"with\": [\"b.onnx\"], \"opset\": \"min\"}]}", 1, 1, `opset is fail or max, not "min"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := onnxgraph.ParseScript([]byte(c.text))
			var se *onnxgraph.ScriptError
			if !errors.As(err, &se) {
				t.Fatalf("error %v is not a *ScriptError", err)
			}
			if se.Step != c.step || se.Line != c.line || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q: step %d line %d; want step %d line %d, text %q", err, se.Step, se.Line, c.step, c.line, c.want)
			}
			if c.step > 0 && !strings.Contains(err.Error(), fmt.Sprintf("step %d", c.step)) || !strings.Contains(err.Error(), fmt.Sprintf("line %d", c.line)) {
				t.Errorf("error %q does not name the step and line", err)
			}
			if !errors.Is(err, onnxgraph.ErrInvalid) && !errors.Is(err, onnxgraph.ErrMalformed) {
				t.Errorf("error %q matches neither ErrInvalid nor ErrMalformed", err)
			}
		})
	}
}

// TestScriptApply replays a script of every operation a page or the
// command line records on MNIST and checks it gives the same bytes as
// the same edits made with the library's plain forms.
func TestScriptApply(t *testing.T) {
	script := []byte(`{"version": 1, "steps": [
	  {"op": "rename", "from": "Plus28", "to": "add_1", "scope": "nodes"},
	  {"op": "rename", "from": "Plus28_Output_0", "to": "sum_1", "scope": "values"},
	  {"op": "delete-nodes", "names": ["ReLU110"]},
	  {"op": "modify", "node": "Pooling66", "attr": {"strides": [2, 2], "kernel_shape": "2,2"}},
	  {"op": "add-outputs", "names": ["Pooling66_Output_0"]},
	  {"op": "set-batch", "batch": "N"}
	]}`)
	s, err := onnxgraph.ParseScript(script)
	if err != nil {
		t.Fatal(err)
	}
	got := samples.MNIST().Infer(shapeinfer.Types(nil))
	rep, err := s.Apply(got)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Steps) != 6 || rep.Steps[2].Report.(*onnxgraph.DeleteNodesReport).Deleted[0] != "ReLU110(Relu)" {
		t.Errorf("report %+v", rep.Steps)
	}
	want := samples.MNIST().Infer(shapeinfer.Types(nil)).
		Rename("Plus28", "add_1", &onnxgraph.RenameOptions{Scope: onnxgraph.RenameNodes}, nil).
		Rename("Plus28_Output_0", "sum_1", &onnxgraph.RenameOptions{Scope: onnxgraph.RenameValues}, nil).
		DeleteNodes(&onnxgraph.DeleteNodesOptions{Names: []string{"ReLU110"}}, nil).
		Modify("Pooling66", &onnxgraph.ModifyOptions{Attrs: map[string]any{"strides": "2,2", "kernel_shape": "2,2"}}, nil).
		AddOutputs(&onnxgraph.AddOutputsOptions{Names: []string{"Pooling66_Output_0"}}, nil).
		SetBatch(onnxgraph.DimParam("N"), nil, nil)
	if err := want.Err(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(edBytes(t, got), edBytes(t, want)) {
		t.Error("the script's result differs from the same edits made directly")
	}
	// The chain form records the same.
	chained := samples.MNIST().Infer(shapeinfer.Types(nil)).Replay(s, nil)
	if !bytes.Equal(edBytes(t, chained), edBytes(t, want)) {
		t.Error("Replay differs from Apply")
	}
}

// TestScriptStepIsAnEdit: every step moves the model's generation, so
// that types inferred before it are not reused after it, even for an edit
// that only rewrites declarations.
func TestScriptStepIsAnEdit(t *testing.T) {
	m := samples.MNIST().Infer(shapeinfer.Types(nil))
	g := m.Generation()
	s := &onnxgraph.Script{}
	s.Append(&onnxgraph.SetDimsStep{Input: map[string]string{"Input3": "B,1,28,28"}})
	if _, err := s.Apply(m); err != nil {
		t.Fatal(err)
	}
	if m.Generation() == g {
		t.Error("the generation did not change")
	}
	v, _ := m.Graph().Value("Pooling160_Output_0")
	if d := m.InferredType(v).GetTensorType().GetShape().GetDim(); len(d) != 4 || d[0].GetDimParam() != "B" {
		t.Errorf("inferred shape after set-dims: %v", d)
	}
}

func TestScriptOnAnotherExport(t *testing.T) {
	s := &onnxgraph.Script{}
	s.Append(&onnxgraph.RenameStep{From: "Plus214_Output_0", To: "logits"})
	s.Append(&onnxgraph.DeleteNodesStep{Names: []string{"ReLU28"}})
	a, b := samples.MNIST(), samples.MNISTRetrained(7)
	for _, m := range []*onnxgraph.Model{a, b} {
		if _, err := s.Apply(m.Infer(shapeinfer.Types(nil))); err != nil {
			t.Fatal(err)
		}
	}
	d, err := onnxgraph.Diff(a, b, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Initializers) != 6 { // the six float weights; the two int64 shapes are equal
		t.Errorf("diff of the two edited exports:\n%s", d)
	}
	d.Initializers = nil
	if !d.Equal() {
		t.Errorf("the edited exports differ in more than weights:\n%s", d)
	}

	// An export where a name the script uses is gone: it stops at that
	// step, names it and its culprit, and leaves the model as it was.
	c := samples.MNISTRetrained(7)
	if _, err := onnxgraph.RenameModel(c, "ReLU28", "relu_a", &onnxgraph.RenameOptions{Scope: onnxgraph.RenameNodes}); err != nil {
		t.Fatal(err)
	}
	before := edBytes(t, c)
	_, err = s.Apply(c)
	var se *onnxgraph.ScriptError
	if !errors.As(err, &se) || se.Step != 2 || se.Op != "delete-nodes" || se.Name != "ReLU28" || !errors.Is(err, onnxgraph.ErrNotFound) {
		t.Fatalf("error %v (%+v)", err, se)
	}
	if !strings.Contains(err.Error(), "script step 2, delete-nodes") {
		t.Errorf("error %q", err)
	}
	if !bytes.Equal(edBytes(t, c), before) {
		t.Error("a failed script changed the model")
	}
}

func ExampleScript_Apply() {
	s, err := onnxgraph.ParseScript([]byte(`{"version": 1, "steps": [
	  {"op": "rename", "from": "Plus214_Output_0", "to": "logits"},
	  {"op": "delete-nodes", "names": ["ReLU28"]},
	  {"op": "delete-nodes", "names": ["Relu_9"]}
	]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	m := samples.MNIST()
	_, err = s.Apply(m)
	fmt.Println(err)
	fmt.Println(m.Graph().Outputs()[0].Name()) // unchanged: the script stopped
	s.Steps = s.Steps[:2]
	r, _ := s.Apply(m)
	fmt.Println(m.Graph().Outputs()[0].Name(), r.Steps[1].Report.(*onnxgraph.DeleteNodesReport).Deleted)
	// Output:
	// onnxgraph: script step 3, delete-nodes, line 4: delete nodes: no node named "Relu_9"
	// Plus214_Output_0
	// logits [ReLU28(Relu)]
}

func ExampleScript_JSON() {
	s := &onnxgraph.Script{}
	s.Append(&onnxgraph.RenameStep{From: "Plus", To: "Add", Mode: "prefix"})
	s.Append(&onnxgraph.SetBatchStep{Batch: "N"})
	fmt.Print(string(s.JSON()))
	// Output:
	// {
	//   "version": 1,
	//   "steps": [
	//     {"op": "rename", "from": "Plus", "to": "Add", "mode": "prefix"},
	//     {"op": "set-batch", "batch": "N"}
	//   ]
	// }
}

func ExampleModel_Replay() {
	s := &onnxgraph.Script{}
	s.Append(&onnxgraph.DeleteNodesStep{Names: []string{"ReLU28"}})
	s.Append(&onnxgraph.SetBatchStep{Batch: "N"})
	var r onnxgraph.ScriptReport
	m := samples.MNIST().Infer(shapeinfer.Types(nil)).Replay(s, &r)
	fmt.Println(m.Err(), len(r.Steps), m.Graph().NumNodes())
	fmt.Println(r.Steps[1].Report.(*onnxgraph.SetBatchReport).Inputs)
	// Output:
	// <nil> 2 11
	// [Input3]
}

// stripStep is an operation a package built on onnxgraph adds: it strips
// the docs of the nodes, Times times.
type stripStep struct {
	Times int `json:"times"`
}

func (*stripStep) Op() string { return "strip-twice" }
func (s *stripStep) Validate() error {
	if s.Times < 1 {
		return errors.New("times must be at least 1")
	}
	return nil
}
func (s *stripStep) Apply(m *onnxgraph.Model) (any, error) {
	var last any
	for i := 0; i < s.Times; i++ {
		r, err := onnxgraph.StripDocsModel(m, nil)
		if err != nil {
			return nil, err
		}
		last = r
	}
	return last, nil
}

func TestParseScriptWith(t *testing.T) {
	extra := map[string]func() onnxgraph.StepArgs{
		"strip-twice": func() onnxgraph.StepArgs { return &stripStep{} },
		"rename":      func() onnxgraph.StepArgs { return &stripStep{} }, // cannot replace the library's
	}
	text := []byte("{\"version\": 1, \"steps\": [\n{\"op\": \"strip-twice\", \"times\": 2},\n{\"op\": \"rename\", \"from\": \"Plus214_Output_0\", \"to\": \"y\"}]}")
	if _, err := onnxgraph.ParseScript(text); err == nil || !strings.Contains(err.Error(), `unknown operation "strip-twice"`) {
		t.Errorf("ParseScript: %v", err)
	}
	s, err := onnxgraph.ParseScriptWith(text, extra)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Steps[1].Args.(*onnxgraph.RenameStep); !ok {
		t.Errorf("rename was replaced: %T", s.Steps[1].Args)
	}
	m := samples.MNIST()
	if _, err := s.Apply(m); err != nil || m.Graph().Outputs()[0].Name() != "y" {
		t.Errorf("apply: %v", err)
	}
	if !bytes.Contains(s.JSON(), []byte(`{"op": "strip-twice", "times": 2}`)) {
		t.Errorf("JSON:\n%s", s.JSON())
	}
	_, err = onnxgraph.ParseScriptWith([]byte(`{"version": 1, "steps": [{"op": "strip-twice"}]}`), extra)
	if err == nil || !strings.Contains(err.Error(), "step 1, strip-twice, line 1: times must be at least 1") {
		t.Errorf("invalid extra step: %v", err)
	}
	_, err = onnxgraph.ParseScriptWith([]byte(`{"version": 1, "steps": [{"op": "strip"}]}`), extra)
	if err == nil || !strings.Contains(err.Error(), "strip-docs, strip-twice") {
		t.Errorf("unknown op: %v", err)
	}
}

// TestMergeStep: a merge step reads its models from files and gives the
// bytes Merge gives on the same models; a file that cannot be read, or a
// merge that fails, leaves the script's model as it was.
func TestMergeStep(t *testing.T) {
	dir := t.TempDir()
	head := func(name string) string {
		m := onnxgraph.NewModel(8, map[string]int64{"": 13})
		g := m.Graph()
		x, _ := g.AddInput("logits", onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(1, 10)))
		n, _ := g.AddNode("Softmax", []*onnxgraph.Value{x}, []string{"probs"})
		if err := g.AddOutput(n.Output(0), nil); err != nil {
			t.Fatal(err)
		}
		p := dir + "/" + name
		if err := m.Save(p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	h1, h2 := head("h1.onnx"), head("h2.onnx")
	bytesOf := func(m *onnxgraph.Model) []byte {
		b, err := m.Bytes(nil)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}

	step := &onnxgraph.MergeStep{With: []string{h1, h2}, Connect: []string{"1:Plus214_Output_0=logits", "2:h1/probs=logits"}, Prefix: []string{"", "h1/", "h2/"}}
	// h1/probs, a junction's source, declares no type: the models read
	// take the script's model's type source.
	typed := func(m *onnxgraph.Model) *onnxgraph.Model { return m.Infer(shapeinfer.Types(nil)) }
	got := typed(samples.MNIST())
	r, err := (&onnxgraph.Script{Steps: []onnxgraph.Step{{Args: step}}}).Apply(got)
	if err != nil {
		t.Fatal(err)
	}
	sane(t, got)
	mr, ok := r.Steps[0].Report.(*onnxgraph.MergeReport)
	if !ok || len(mr.Connections) != 2 {
		t.Fatalf("report %#v", r.Steps[0].Report)
	}
	want, _, err := onnxgraph.Merge([]*onnxgraph.Model{typed(samples.MNIST()), typed(onnxgraph.Load(h1)), typed(onnxgraph.Load(h2))},
		&onnxgraph.MergeOptions{Connect: [][]onnxgraph.Connection{{{Src: "Plus214_Output_0", Dst: "logits"}}, {{Src: "h1/probs", Dst: "logits"}}}, Prefixes: []string{"", "h1/", "h2/"}})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(bytesOf(got), bytesOf(want)) {
		t.Error("the merge step gives other bytes than Merge")
	}
	if outs := got.Graph().Outputs(); len(outs) != 1 || outs[0].Name() != "h2/probs" {
		t.Errorf("outputs %v", outs)
	}

	for _, c := range []struct {
		step     *onnxgraph.MergeStep
		sentinel error
		want     string
	}{
		{&onnxgraph.MergeStep{With: []string{dir + "/nosuch.onnx"}}, fs.ErrNotExist, "nosuch.onnx"},
		// Without prefixes the two heads' names collide.
		{&onnxgraph.MergeStep{With: []string{h1, h2}, Connect: []string{"1:Plus214_Output_0=logits"}}, nil, `names are used by both sides: values "probs"`},
		{&onnxgraph.MergeStep{With: []string{h1}, Connect: []string{"Pooling66_Output_0=logits"}}, nil, `"Pooling66_Output_0" (float32[1,8,14,14]) cannot stand in for "logits" (float32[1,10])`},
	} {
		m := typed(samples.MNIST())
		before := bytesOf(m)
		_, err := c.step.Apply(m)
		if err == nil || (c.sentinel != nil && !errors.Is(err, c.sentinel)) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %v with %q", c.step, err, c.sentinel, c.want)
		}
		sane(t, m)
		if !bytes.Equal(bytesOf(m), before) {
			t.Errorf("%+v: the failed step changed the model", c.step)
		}
	}
}
