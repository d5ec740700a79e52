package shapeinfer

import (
	"errors"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph"
)

// TestPanicBecomesInternalError: a defect in one inference function is a
// CodeInternal problem at its node, with the outputs unknown and the rest
// of the graph inferred, never a panic in the caller.
func TestPanicBecomesInternalError(t *testing.T) {
	m := onnxgraph.NewModel(10, map[string]int64{"": 17})
	g := m.Graph()
	x, _ := g.AddInput("x", onnxgraph.TensorType(onnxgraph.Float, []onnxgraph.Dim{onnxgraph.DimOf(2), onnxgraph.DimOf(3)}))
	relu, err := g.AddNode("Relu", []*onnxgraph.Value{x}, []string{"r"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.AddNode("Neg", relu.Outputs(), []string{"n"}); err != nil {
		t.Fatal(err)
	}
	k := key{"ai.onnx", "Relu", 14}
	saved := table[k]
	table[k] = func(c *Ctx) error { return c.Errorf(CodeInvalid, "%d", []int{}[c.Opset]) }
	defer func() { table[k] = saved }()

	res, err := Infer(m, nil)
	if err != nil {
		t.Fatalf("Infer: %v", err)
	}
	if len(res.Problems) != 1 || res.Problems[0].Code != CodeInternal || !strings.Contains(res.Problems[0].Error(), "index out of range") {
		t.Fatalf("problems %v, want one internal error naming the panic", res.Problems)
	}
	r, _ := g.Value("r")
	if typ := res.Type(r); typ != nil && typ.HasShape() {
		t.Errorf("r is %v after a failed inference, want unknown", typ)
	}
	if _, err := Infer(m, &Options{Strict: true}); !errors.As(err, new(*Error)) {
		t.Errorf("strict Infer: %v, want the internal *Error", err)
	}
}
