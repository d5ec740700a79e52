package onnxgraph_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/internal/suitetest"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/samples"
	"google.golang.org/protobuf/proto"
)

// must returns v, panicking on err: fixtures in tests are fixed, so an
// error here is a bug the test run reports with its stack.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func sane(t testing.TB, m *onnxgraph.Model) {
	t.Helper()
	if err := m.Sanity(); err != nil {
		t.Fatal(err)
	}
}

// chain builds x -> Relu -> Neg -> ... (n nodes) -> y.
func chain(t testing.TB, n int) *onnxgraph.Model {
	m := onnxgraph.NewModel(8, map[string]int64{"": 17})
	g := m.Graph()
	v := must(g.AddInput("x", onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(1, 4))))
	for i := 0; i < n; i++ {
		op := "Relu"
		if i%2 == 1 {
			op = "Neg"
		}
		nd := must(g.AddNode(op, []*onnxgraph.Value{v}, []string{"v" + itoa(i)}))
		nd.SetName("n" + itoa(i))
		v = nd.Output(0)
	}
	if err := g.AddOutput(v, nil); err != nil {
		t.Fatal(err)
	}
	return m
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestProducerAndUses(t *testing.T) {
	m := onnxgraph.NewModel(8, map[string]int64{"": 17})
	g := m.Graph()
	x := must(g.AddInput("x", nil))
	mul := must(g.AddNode("Mul", []*onnxgraph.Value{x, x}, []string{"sq"}))
	add := must(g.AddNode("Add", []*onnxgraph.Value{mul.Output(0), x}, []string{"y"}))
	sane(t, m)
	uses := x.Uses()
	want := []onnxgraph.Use{{Node: mul, Index: 0}, {Node: mul, Index: 1}, {Node: add, Index: 1}}
	if len(uses) != len(want) {
		t.Fatalf("x has %d uses, want %d", len(uses), len(want))
	}
	for i := range want {
		if uses[i] != want[i] {
			t.Errorf("use %d = %v, want %v", i, uses[i], want[i])
		}
	}
	if p, i := mul.Output(0).Producer(); p != mul || i != 0 {
		t.Errorf("producer of sq = %v,%d", p, i)
	}
	// Rewire: every use of x now reads sq's producer output... of a new input.
	z := must(g.AddInput("z", nil))
	x.ReplaceAllUsesWith(z)
	sane(t, m)
	if x.NumUses() != 0 || z.NumUses() != 3 {
		t.Errorf("after replace: x %d uses, z %d", x.NumUses(), z.NumUses())
	}
	if got := mul.Proto().GetInput(); got[0] != "z" || got[1] != "z" {
		t.Errorf("node message inputs = %v", got)
	}
	if err := add.SetInput(1, nil); err != nil {
		t.Fatal(err)
	}
	sane(t, m)
	if z.NumUses() != 2 || add.Proto().GetInput()[1] != "" {
		t.Errorf("SetInput(nil) left %d uses, message %v", z.NumUses(), add.Proto().GetInput())
	}
}

func TestAddErrorsLeaveGraphUnchanged(t *testing.T) {
	m := chain(t, 3)
	g := m.Graph()
	before := must(m.Bytes(nil))
	other := chain(t, 1).Graph().Inputs()[0]
	cases := []struct {
		name string
		do   func() error
	}{
		{"input from another model", func() error {
			_, err := g.AddNode("Relu", []*onnxgraph.Value{other}, []string{"fresh"})
			return err
		}},
		{"output name in use", func() error {
			_, err := g.AddNode("Relu", []*onnxgraph.Value{g.Inputs()[0]}, []string{"v1"})
			return err
		}},
		{"output named twice", func() error {
			_, err := g.AddNode("Split", []*onnxgraph.Value{g.Inputs()[0]}, []string{"a", "a"})
			return err
		}},
		{"input name in use", func() error { _, err := g.AddInput("x", nil); return err }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.do()
			if !errors.Is(err, onnxgraph.ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			if after := must(m.Bytes(nil)); string(after) != string(before) {
				t.Error("a failed add changed the model")
			}
			sane(t, m)
		})
	}
}

func TestTopoSortStable(t *testing.T) {
	m := chain(t, 6)
	g := m.Graph()
	order := func() string {
		var names []string
		for _, n := range g.Nodes() {
			names = append(names, n.Name())
		}
		return strings.Join(names, ",")
	}
	sorted := order()
	if err := g.TopoSort(); err != nil {
		t.Fatal(err)
	}
	if got := order(); got != sorted {
		t.Fatalf("sorting a sorted graph changed it: %s", got)
	}
	// Reverse the node list through a decode of a reversed message.
	p := m.ToProto()
	nodes := p.Graph.Node
	for i, j := 0, len(nodes)-1; i < j; i, j = i+1, j-1 {
		nodes[i], nodes[j] = nodes[j], nodes[i]
	}
	m2 := must(onnxgraph.Decode(must(proto.Marshal(p)), nil))
	if err := m2.Graph().TopoSort(); err != nil {
		t.Fatal(err)
	}
	sane(t, m2)
	var names []string
	for _, n := range m2.Graph().Nodes() {
		names = append(names, n.Name())
	}
	if got := strings.Join(names, ","); got != sorted {
		t.Errorf("sorted reversed chain = %s, want %s", got, sorted)
	}
}

func TestTopoSortKeepsIndependentOrder(t *testing.T) {
	// a and b are independent; c needs b. Given [c, a, b] the stable order is
	// [a, b, c]: a keeps its place before b, c moves after b.
	m := onnxgraph.NewModel(8, map[string]int64{"": 17})
	g := m.Graph()
	x := must(g.AddInput("x", nil))
	a := must(g.AddNode("Relu", []*onnxgraph.Value{x}, []string{"a"}))
	b := must(g.AddNode("Neg", []*onnxgraph.Value{x}, []string{"b"}))
	c := must(g.AddNode("Abs", []*onnxgraph.Value{b.Output(0)}, []string{"c"}))
	a.SetName("a")
	b.SetName("b")
	c.SetName("c")
	p := m.ToProto()
	p.Graph.Node = []*onnxproto.NodeProto{p.Graph.Node[2], p.Graph.Node[0], p.Graph.Node[1]}
	m2 := must(onnxgraph.Decode(must(proto.Marshal(p)), nil))
	if err := m2.Graph().TopoSort(); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, n := range m2.Graph().Nodes() {
		names = append(names, n.Name())
	}
	if got := strings.Join(names, ","); got != "a,b,c" {
		t.Errorf("order = %s, want a,b,c", got)
	}
}

func TestCycleErrorNamesNodes(t *testing.T) {
	m := chain(t, 4) // x -> n0 -> n1 -> n2 -> n3 -> y
	p := m.ToProto()
	p.Graph.Node[1].Input[0] = "v2" // n1 reads n2's output: n1 -> n2 -> n1
	m2 := must(onnxgraph.Decode(must(proto.Marshal(p)), nil))
	before := must(m2.Bytes(nil))
	err := m2.Graph().TopoSort()
	var ce *onnxgraph.CycleError
	if !errors.As(err, &ce) || !errors.Is(err, onnxgraph.ErrCycle) {
		t.Fatalf("err = %v, want a CycleError", err)
	}
	msg := err.Error()
	for _, want := range []string{`"n1"(Neg)`, `"n2"(Relu)`} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not name %s", msg, want)
		}
	}
	if strings.Contains(msg, `"n0"`) {
		t.Errorf("error %q names n0, which is not on the cycle", msg)
	}
	if ce.Stuck != 3 { // n1 and n2 on the cycle, n3 after it
		t.Errorf("Stuck = %d, want 3", ce.Stuck)
	}
	if string(must(m2.Bytes(nil))) != string(before) {
		t.Error("a failed sort changed the model")
	}
}

// TestSubgraphCaptures checks that a subgraph reading an outer value is a
// use of it, that sorting orders the If after that value's producer, and
// that cloning keeps the capture pointing at the clone's own value.
func TestSubgraphCaptures(t *testing.T) {
	m := must(onnxgraph.Open(suitetest.Model(t, "node/test_range_float_type_positive_delta_expanded"), nil))
	var loop *onnxgraph.Node
	for _, n := range m.Graph().Nodes() {
		if n.OpType() == "Loop" {
			loop = n
		}
	}
	if loop == nil || len(loop.Subgraphs()) != 1 {
		t.Fatal("no Loop with a body")
	}
	captured := 0
	for _, sub := range loop.Subgraphs() {
		for _, n := range sub.Nodes() {
			for _, v := range n.Inputs() {
				if v != nil && v.Graph() != sub {
					captured++
					found := false
					for _, u := range v.Uses() {
						found = found || u.Node == n
					}
					if !found {
						t.Errorf("outer value %q does not list its use in the branch", v.Name())
					}
				}
			}
		}
	}
	if captured == 0 {
		t.Fatal("the branches capture no outer value")
	}
	c := m.Clone()
	sane(t, c)
	for _, sub := range loopOf(c).Subgraphs() {
		for _, n := range sub.Nodes() {
			for _, v := range n.Inputs() {
				if v != nil && v.Graph().Model() != c {
					t.Errorf("clone's branch reads %q of the original model", v.Name())
				}
			}
		}
	}
}

func TestCloneIsIndependent(t *testing.T) {
	m := samples.MNIST()
	before := must(m.Bytes(nil))
	c := m.Clone()
	sane(t, c)
	if string(must(c.Bytes(nil))) != string(before) {
		t.Fatal("clone serializes differently")
	}
	g := c.Graph()
	x := g.Inputs()[0]
	n := must(g.AddNode("Identity", []*onnxgraph.Value{x}, []string{"copy_of_input"}))
	g.Nodes()[0].SetName("renamed")
	if err := g.Nodes()[0].SetInput(0, n.Output(0)); err != nil {
		t.Fatal(err)
	}
	sane(t, c)
	sane(t, m)
	if string(must(m.Bytes(nil))) != string(before) {
		t.Error("editing the clone changed the original")
	}
}

func TestChainRecordsFirstError(t *testing.T) {
	m := onnxgraph.Load("/nonexistent/model.onnx")
	calls := 0
	m.Apply("Step", func(*onnxgraph.Model) error { calls++; return nil })
	if calls != 0 {
		t.Error("a step ran after a failed load")
	}
	if err := m.Save(t.TempDir() + "/out.onnx"); err == nil || !strings.Contains(err.Error(), "Load") {
		t.Errorf("Save after failed load = %v", err)
	}
	var se *onnxgraph.StepError
	if !errors.As(m.Err(), &se) || se.Step != "Load" {
		t.Errorf("Err() = %v, want a StepError for Load", m.Err())
	}

	m = samples.MNIST()
	firstName := m.Graph().Nodes()[0].Name()
	boom := errors.New("boom")
	m.Apply("First", func(m *onnxgraph.Model) error {
		return m.Atomic(func(c *onnxgraph.Model) error {
			c.Graph().Nodes()[0].SetName("half-done")
			return boom
		})
	}).Apply("Second", func(*onnxgraph.Model) error { calls++; return nil })
	if !errors.Is(m.Err(), boom) || calls != 0 {
		t.Errorf("Err() = %v, second step ran %d times", m.Err(), calls)
	}
	if got := m.Graph().Nodes()[0].Name(); got != firstName {
		t.Errorf("the failed atomic step left its edit: node named %q", got)
	}
	sane(t, m)
	if _, err := m.Bytes(nil); !errors.Is(err, boom) {
		t.Errorf("Bytes after a failed step = %v, want the step's error", err)
	}
	m2 := samples.MNIST()
	m2.Apply("Ok", func(m *onnxgraph.Model) error {
		return m.Atomic(func(c *onnxgraph.Model) error { c.Graph().Nodes()[0].SetName("done"); return nil })
	})
	if m2.Err() != nil || m2.Graph().Nodes()[0].Name() != "done" {
		t.Errorf("a successful atomic step was not kept: %v", m2.Err())
	}
	sane(t, m2)
}

func loopOf(m *onnxgraph.Model) *onnxgraph.Node {
	for _, n := range m.Graph().Nodes() {
		if n.OpType() == "Loop" {
			return n
		}
	}
	return nil
}

func protoMarshal(m proto.Message) ([]byte, error) { return proto.Marshal(m) }
