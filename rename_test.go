package onnxgraph_test

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/internal/suitetest"
	"github.com/onnxgraph/onnxgraph/onnxproto"
)

// e6Suite opens a backend-suite model by its folder, e.g. "node/test_if";
// without it the test fails under CI and skips elsewhere.
func e6Suite(t testing.TB, name string) *onnxgraph.Model {
	t.Helper()
	m, err := onnxgraph.Open(suitetest.Model(t, name), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// e6Names lists the names of every value of m's main graph tree, sorted.
func e6Names(m *onnxgraph.Model) []string {
	var out []string
	m.Graph().Walk(func(g *onnxgraph.Graph) bool {
		for _, v := range g.Values() {
			out = append(out, v.Name())
		}
		return true
	})
	sort.Strings(out)
	return out
}

// e6NameModel: x -> Relu (node "a.relu") -> "a" -> Neg ("a+neg") -> "ab"
// -> Identity ("b") -> y, plus initializer "a.w" added to "a".
func e6NameModel(t testing.TB) *onnxgraph.Model {
	t.Helper()
	b := onnxgraph.NewBuilder(17)
	x := b.Input("x", onnxgraph.Float, onnxgraph.Dims(2)...)
	a := b.Node(onnxgraph.NodeSpec{Op: "Relu", Name: "a.relu", Inputs: []any{x}, Outputs: []string{"a"}}).Output(0)
	w := b.Const("a.w", onnxgraph.Float, []int64{2}, []float32{1, 2})
	s := b.Node(onnxgraph.NodeSpec{Op: "Add", Name: "a+add", Inputs: []any{a, w}, Outputs: []string{"a+w"}}).Output(0)
	ab := b.Node(onnxgraph.NodeSpec{Op: "Neg", Name: "a+neg", Inputs: []any{s}, Outputs: []string{"ab"}}).Output(0)
	y := b.Node(onnxgraph.NodeSpec{Op: "Identity", Name: "b", Inputs: []any{ab}, Outputs: []string{"y"}}).Output(0)
	b.Output(y, onnxgraph.Dims(2)...)
	m, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestRenameModes(t *testing.T) {
	cases := []struct {
		from, to string
		opts     onnxgraph.RenameOptions
		values   string // expected value names
		nodes    string // expected node names
	}{
		{"a", "A", onnxgraph.RenameOptions{}, "A a+w a.w ab x y", "a+add a+neg a.relu b"},
		// Each name once: "a" -> "ab" and "ab" -> "abb", no cascade, no
		// spurious collision although "ab" exists before.
		{"a", "ab", onnxgraph.RenameOptions{Mode: onnxgraph.RenamePartial, Scope: onnxgraph.RenameValues}, "ab ab+w ab.w abb x y", "a+add a+neg a.relu b"},
		// Literal: "." and "+" are not special.
		{"a.", "enc/", onnxgraph.RenameOptions{Mode: onnxgraph.RenamePrefix}, "a a+w ab enc/w x y", "a+add a+neg b enc/relu"},
		{"+neg", "_neg", onnxgraph.RenameOptions{Mode: onnxgraph.RenameSuffix, Scope: onnxgraph.RenameNodes}, "a a+w a.w ab x y", "a+add a.relu a_neg b"},
		{"x", "input", onnxgraph.RenameOptions{Scope: onnxgraph.RenameInputs}, "a a+w a.w ab input y", "a+add a+neg a.relu b"},
		{"y", "output", onnxgraph.RenameOptions{Scope: onnxgraph.RenameOutputs}, "a a+w a.w ab output x", "a+add a+neg a.relu b"},
		{"b", "B", onnxgraph.RenameOptions{Mode: onnxgraph.RenamePartial}, "a a+w a.w aB x y", "B a+add a+neg a.relu"},
		// An empty search string adds a prefix or suffix to every name in scope.
		{"", "det/", onnxgraph.RenameOptions{Mode: onnxgraph.RenamePrefix, Scope: onnxgraph.RenameValues}, "det/a det/a+w det/a.w det/ab det/x det/y", "a+add a+neg a.relu b"},
		{"", "_1", onnxgraph.RenameOptions{Mode: onnxgraph.RenameSuffix, Scope: onnxgraph.RenameNodes}, "a a+w a.w ab x y", "a+add_1 a+neg_1 a.relu_1 b_1"},
		{"", "in/", onnxgraph.RenameOptions{Mode: onnxgraph.RenamePrefix, Scope: onnxgraph.RenameInputs}, "a a+w a.w ab in/x y", "a+add a+neg a.relu b"},
		{"", "p.", onnxgraph.RenameOptions{Mode: onnxgraph.RenamePrefix}, "p.a p.a+w p.a.w p.ab p.x p.y", "p.a+add p.a+neg p.a.relu p.b"},
	}
	for _, c := range cases {
		m := e6NameModel(t)
		var r onnxgraph.RenameReport
		if err := m.Rename(c.from, c.to, &c.opts, &r).Err(); err != nil {
			t.Errorf("%q -> %q %+v: %v", c.from, c.to, c.opts, err)
			continue
		}
		e6Sane(t, m)
		var nodes []string
		for _, n := range m.Graph().Nodes() {
			nodes = append(nodes, n.Name())
		}
		sort.Strings(nodes)
		if got := strings.Join(e6Names(m), " "); got != c.values {
			t.Errorf("%q -> %q %+v: values %s, want %s", c.from, c.to, c.opts, got, c.values)
		}
		if got := strings.Join(nodes, " "); got != c.nodes {
			t.Errorf("%q -> %q %+v: nodes %s, want %s", c.from, c.to, c.opts, got, c.nodes)
		}
		// The saved model reads back the same.
		back, err := onnxgraph.Decode([]byte(e6Bytes(t, m)), nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(e6Names(back), " "); got != c.values {
			t.Errorf("%q -> %q: after a round trip, values %s", c.from, c.to, got)
		}
	}
}

func TestRenameErrorsLeaveModelUnchanged(t *testing.T) {
	cases := []struct {
		from, to string
		opts     onnxgraph.RenameOptions
		sentinel error
		want     string
	}{
		{"nope", "x2", onnxgraph.RenameOptions{}, onnxgraph.ErrNotFound, `no node or value named "nope"`},
		{"q", "z", onnxgraph.RenameOptions{Mode: onnxgraph.RenamePartial}, onnxgraph.ErrNotFound, `containing "q"`},
		{"a", "y", onnxgraph.RenameOptions{}, onnxgraph.ErrNameCollision, `renaming "a" to "y" collides`},
		{"+w", "", onnxgraph.RenameOptions{Mode: onnxgraph.RenamePartial, Scope: onnxgraph.RenameValues}, onnxgraph.ErrNameCollision, `renaming "a+w" to "a" collides with the existing value`},
		{"a+neg", "b", onnxgraph.RenameOptions{Scope: onnxgraph.RenameNodes}, onnxgraph.ErrNameCollision, `renaming node "a+neg" to "b" collides with node "b"`},
		{"ab", "", onnxgraph.RenameOptions{}, onnxgraph.ErrInvalid, "without a name"},
		{"", "z", onnxgraph.RenameOptions{}, onnxgraph.ErrInvalid, "empty search string"},
		{"", "z", onnxgraph.RenameOptions{Mode: onnxgraph.RenamePartial}, onnxgraph.ErrInvalid, "empty search string"},
		{"x", "y2", onnxgraph.RenameOptions{Scope: onnxgraph.RenameOutputs}, onnxgraph.ErrNotFound, `no graph output named "x"`},
	}
	for _, c := range cases {
		m := e6NameModel(t)
		before := e6Bytes(t, m)
		err := m.Rename(c.from, c.to, &c.opts, nil).Err()
		if !errors.Is(err, c.sentinel) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q -> %q: err = %v, want %v with %q", c.from, c.to, err, c.sentinel, c.want)
			continue
		}
		var se *onnxgraph.StepError
		if !errors.As(err, &se) || se.Step != "Rename" {
			t.Errorf("%q -> %q: not a Rename StepError: %#v", c.from, c.to, err)
		}
		if e6Bytes(t, m) != before {
			t.Errorf("%q -> %q: the failed rename changed the model", c.from, c.to)
		}
		e6Sane(t, m)
	}
}

func TestRenameFollowsIntoSubgraphs(t *testing.T) {
	// test_loop11: the Loop reads "y" and its body reads the outer
	// trip count through its own inputs; names inside the body rename
	// too.
	m := e6Suite(t, "node/test_loop11")
	if err := m.Rename("y", "state", nil, nil).Err(); err != nil {
		t.Fatal(err)
	}
	loop := m.Graph().Nodes()[0]
	if loop.Input(2).Name() != "state" || !loop.Input(2).IsGraphInput() {
		t.Errorf("Loop reads %q", loop.Input(2).Name())
	}
	var r onnxgraph.RenameReport
	if err := m.Rename("_out", "_next", &onnxgraph.RenameOptions{Mode: onnxgraph.RenameSuffix, Scope: onnxgraph.RenameValues}, &r).Err(); err != nil {
		t.Fatal(err)
	}
	body := loop.Subgraphs()[0]
	var outs []string
	for _, o := range body.Outputs() {
		outs = append(outs, o.Name())
	}
	if got := strings.Join(outs, " "); got != "cond_next y_next scan_next" {
		t.Errorf("body outputs %s", got)
	}
	for _, x := range r.Values {
		if x.Graph != body.Name() {
			t.Errorf("renamed %q in graph %q", x.Old, x.Graph)
		}
	}
	e6Sane(t, m)

	// test_if: both branches define their own output; renaming one to the
	// other's name is fine (siblings do not see each other), renaming to
	// an outer name is not.
	m = e6Suite(t, "node/test_if")
	if err := m.Rename("then_out", "else_out", nil, nil).Err(); err != nil {
		t.Errorf("sibling branches: %v", err)
	}
	before := e6Bytes(t, m)
	if err := m.Rename("else_out", "cond", nil, nil).Err(); !errors.Is(err, onnxgraph.ErrNameCollision) {
		t.Errorf("collision with an outer name: %v", err)
	}
	if e6Bytes(t, m) != before {
		t.Error("a failed rename changed the model")
	}
}

func TestRenameSuiteStripsPrefix(t *testing.T) {
	// pytorch-converted models name values by number; give them a prefix
	// and take it off again: the model comes back byte for byte.
	m := e6Suite(t, "pytorch-converted/test_Conv2d")
	orig := e6Bytes(t, m)
	var r onnxgraph.RenameReport
	if err := m.Rename("", "", nil, nil).Err(); err == nil {
		t.Fatal("empty search string accepted")
	}
	m = e6Suite(t, "pytorch-converted/test_Conv2d")
	names := e6Names(m)
	for _, n := range names {
		if _, err := onnxgraph.RenameModel(m, n, "net::"+n, &onnxgraph.RenameOptions{Scope: onnxgraph.RenameValues}); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Rename("net::", "", &onnxgraph.RenameOptions{Mode: onnxgraph.RenamePrefix}, &r).Err(); err != nil {
		t.Fatal(err)
	}
	if len(r.Values) != len(names) {
		t.Errorf("renamed %d values, want %d", len(r.Values), len(names))
	}
	if e6Bytes(t, m) != orig {
		t.Error("prefix added and removed: the model differs")
	}
	if !slices.Equal(e6Names(m), names) {
		t.Error("names differ")
	}
}

func ExampleModel_Rename() {
	b := onnxgraph.NewBuilder(17)
	x := b.Input("onnx::input.1", onnxgraph.Float, onnxgraph.Dims(4)...)
	b.Output(b.Node(onnxgraph.NodeSpec{Op: "Relu", Inputs: []any{x}, Outputs: []string{"onnx::Relu_3"}}).Output(0), onnxgraph.Dims(4)...)
	m, _ := b.Build()

	var r onnxgraph.RenameReport
	err := m.Rename("onnx::", "", &onnxgraph.RenameOptions{Mode: onnxgraph.RenamePrefix, Scope: onnxgraph.RenameValues}, &r).Err()
	fmt.Println(err, m.Graph().Inputs()[0].Name(), m.Graph().Outputs()[0].Name(), len(r.Values))

	// A name that collides is an error, and nothing changes.
	err = m.Rename("input.1", "Relu_3", nil, nil).Err()
	fmt.Println(errors.Is(err, onnxgraph.ErrNameCollision))
	// Output:
	// <nil> input.1 Relu_3 2
	// true
}

// TestValueRenameFollowsEveryReference renames values that quantization
// annotations and training bindings name, through Value.Rename, Model.Rename
// and a merge's prefixing, and checks that every reference follows and that
// Sanity notices a reference an edit left dangling.
func TestValueRenameFollowsEveryReference(t *testing.T) {
	build := func() *onnxgraph.Model {
		m := onnxgraph.NewModel(8, map[string]int64{"": 13})
		g := m.Graph()
		x, _ := g.AddInput("x", onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(2)))
		w := edInit(t, g, "w", 1, 2)
		y := edNode(t, g, "add", "Add", []*onnxgraph.Value{x, w}, []string{"y"})
		if err := g.AddOutput(y, onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(2))); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"w", "y"} {
			g.Proto().QuantizationAnnotation = append(g.Proto().QuantizationAnnotation, &onnxproto.TensorAnnotation{TensorName: edPtr(name)})
		}
		m.Proto().TrainingInfo = []*onnxproto.TrainingInfoProto{{UpdateBinding: []*onnxproto.StringStringEntryProto{{Key: edPtr("w"), Value: edPtr("w_new")}}}}
		if err := m.Sanity(); err != nil {
			t.Fatal(err)
		}
		return m
	}
	refs := func(m *onnxgraph.Model) string {
		var out []string
		for _, qa := range m.Graph().Proto().GetQuantizationAnnotation() {
			out = append(out, qa.GetTensorName())
		}
		for _, ti := range m.Proto().GetTrainingInfo() {
			for _, kv := range ti.UpdateBinding {
				out = append(out, "bind:"+kv.GetKey())
			}
		}
		return strings.Join(out, ",")
	}
	for _, tc := range []struct {
		name string
		edit func(m *onnxgraph.Model) (*onnxgraph.Model, error)
		want string
	}{
		{"Value.Rename", func(m *onnxgraph.Model) (*onnxgraph.Model, error) {
			w, _ := m.Graph().Value("w")
			return m, w.Rename("weight")
		}, "weight,y,bind:weight"},
		{"Model.Rename", func(m *onnxgraph.Model) (*onnxgraph.Model, error) {
			_, err := onnxgraph.RenameModel(m, "w", "y", nil)
			if err == nil {
				t.Fatal("renaming w to the taken y succeeded")
			}
			_, err = onnxgraph.RenameModel(m, "w", "p/w", nil)
			return m, err
		}, "p/w,y,bind:p/w"},
		{"merge prefix", func(m *onnxgraph.Model) (*onnxgraph.Model, error) {
			other := build()
			other.Proto().TrainingInfo = nil
			mm, _, err := onnxgraph.Merge([]*onnxgraph.Model{m, other}, &onnxgraph.MergeOptions{Connect: [][]onnxgraph.Connection{nil}, Prefixes: []string{"", "b/"}})
			return mm, err
		}, "w,y,b/w,b/y,bind:w"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := tc.edit(build())
			if err != nil {
				t.Fatal(err)
			}
			if got := refs(m); got != tc.want {
				t.Errorf("references %s, want %s", got, tc.want)
			}
			if err := m.Sanity(); err != nil {
				t.Error(err)
			}
		})
	}
	// Sanity notices references an edit broke, not those a file had.
	m := build()
	m.Graph().Proto().QuantizationAnnotation[0].TensorName = edPtr("gone")
	m.Proto().TrainingInfo[0].UpdateBinding[0].Key = edPtr("gone too")
	if err := m.Sanity(); err == nil || !strings.Contains(err.Error(), `"gone"`) || !strings.Contains(err.Error(), `"gone too"`) {
		t.Errorf("Sanity with dangling references: %v", err)
	}
	b, err := m.Bytes(nil)
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := onnxgraph.Decode(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := loaded.Sanity(); err != nil {
		t.Errorf("a loaded model with dangling references fails Sanity: %v", err)
	}
}

// An empty search string with RenamePrefix adds a prefix to every name in
// scope: here every value, before merging the model with another.
func ExampleModel_Rename_addPrefix() {
	b := onnxgraph.NewBuilder(17)
	x := b.Input("images", onnxgraph.Float, onnxgraph.Dims(4)...)
	b.Output(b.Node(onnxgraph.NodeSpec{Op: "Relu", Name: "relu", Inputs: []any{x}, Outputs: []string{"boxes"}}).Output(0), onnxgraph.Dims(4)...)
	m, _ := b.Build()

	err := m.Rename("", "det/", &onnxgraph.RenameOptions{Mode: onnxgraph.RenamePrefix, Scope: onnxgraph.RenameValues}, nil).Err()
	fmt.Println(err, m.Graph().Inputs()[0].Name(), m.Graph().Outputs()[0].Name(), m.Graph().Nodes()[0].Name())
	// Output:
	// <nil> det/images det/boxes relu
}
