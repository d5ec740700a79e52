package onnxgraph_test

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"google.golang.org/protobuf/proto"
)

// nestedIfs returns a model whose main graph holds k If nodes nested in
// each other's then branches, each output typed float[1] (or without a
// shape).
func nestedIfs(t *testing.T, k int, shaped bool) *onnxgraph.Model {
	t.Helper()
	typ := &onnxproto.TypeProto{Value: &onnxproto.TypeProto_TensorType{TensorType: &onnxproto.TypeProto_Tensor{ElemType: proto.Int32(int32(onnxgraph.Float))}}}
	if shaped {
		typ = onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(1))
	}
	out := func() []*onnxproto.ValueInfoProto {
		return []*onnxproto.ValueInfoProto{{Name: proto.String("y"), Type: proto.Clone(typ).(*onnxproto.TypeProto)}}
	}
	leaf := func(name string) *onnxproto.GraphProto {
		return &onnxproto.GraphProto{Name: proto.String(name), Output: out(),
			Node: []*onnxproto.NodeProto{{OpType: proto.String("Identity"), Input: []string{"x"}, Output: []string{"y"}}}}
	}
	g := leaf("g0")
	for i := 1; i <= k; i++ {
		n := &onnxproto.NodeProto{OpType: proto.String("If"), Input: []string{"c"}, Output: []string{"y"}, Attribute: []*onnxproto.AttributeProto{
			{Name: proto.String("then_branch"), Type: onnxproto.AttributeProto_GRAPH.Enum(), G: g},
			{Name: proto.String("else_branch"), Type: onnxproto.AttributeProto_GRAPH.Enum(), G: leaf("leaf")},
		}}
		g = &onnxproto.GraphProto{Name: proto.String(fmt.Sprintf("g%d", i)), Node: []*onnxproto.NodeProto{n}, Output: out()}
	}
	g.Name = proto.String("main")
	g.Input = []*onnxproto.ValueInfoProto{
		{Name: proto.String("x"), Type: onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(1))},
		{Name: proto.String("c"), Type: onnxgraph.TensorType(onnxgraph.Bool, nil)},
	}
	g.Output = []*onnxproto.ValueInfoProto{{Name: proto.String("y"), Type: onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(1))}}
	mp := &onnxproto.ModelProto{IrVersion: proto.Int64(8), Graph: g, OpsetImport: []*onnxproto.OperatorSetIdProto{{Version: proto.Int64(13)}}}
	b, err := proto.Marshal(mp)
	if err != nil {
		t.Fatal(err)
	}
	m, err := onnxgraph.Decode(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestNestingDepth checks that Validate refuses exactly the models whose
// subgraphs nest deeper than protobuf's C++ parser reads (onnx's python
// load, which uses it, is the judge), naming the node path.
func TestNestingDepth(t *testing.T) {
	py := pythonONNX(t)
	dir := t.TempDir()
	type tc struct {
		k      int
		shaped bool
	}
	var cases []tc
	for k := 29; k <= 34; k++ {
		cases = append(cases, tc{k, true}, tc{k, false})
	}
	var paths []string
	for _, c := range cases {
		p := filepath.Join(dir, fmt.Sprintf("nest%d_%v.onnx", c.k, c.shaped))
		if err := nestedIfs(t, c.k, c.shaped).Save(p); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	script := `import sys, onnx
for f in sys.argv[1:]:
    try:
        onnx.load(f); print("ok")
    except Exception:
        print("refused")
`
	out, err := exec.Command(py, append([]string{"-c", script}, paths...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	verdicts := strings.Fields(string(out))
	if len(verdicts) != len(cases) {
		t.Fatalf("python said %q", out)
	}
	refused := 0
	for i, c := range cases {
		m, err := onnxgraph.Open(paths[i], nil)
		if err != nil {
			t.Fatal(err)
		}
		var deep []string
		for _, p := range m.Validate(nil).ByRule(onnxgraph.RuleNesting) {
			deep = append(deep, p.String())
		}
		if (len(deep) > 0) != (verdicts[i] == "refused") {
			t.Errorf("%d nested Ifs (shaped %v): python %s, our Nesting errors %q", c.k, c.shaped, verdicts[i], deep)
		}
		if len(deep) > 0 {
			refused++
			if !strings.Contains(deep[0], "If#0.then_branch/If#0.then_branch") {
				t.Errorf("the error does not name the path: %s", deep[0])
			}
		}
	}
	if refused == 0 || refused == len(cases) {
		t.Errorf("%d of %d refused: the cases miss the limit", refused, len(cases))
	}
}
