package onnxgraph_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/samples"
)

func nodeNamed(g *onnxgraph.Graph, name string) *onnxgraph.Node {
	for _, n := range g.Nodes() {
		if n.Name() == name {
			return n
		}
	}
	return nil
}

func TestRemoveNodes(t *testing.T) {
	m := samples.MNIST()
	g := m.Graph()
	relu := nodeNamed(g, "ReLU28")
	// Still read by the pool: refused, nothing changed.
	before := must(m.Bytes(nil))
	err := g.RemoveNodes(relu)
	if !errors.Is(err, onnxgraph.ErrInvalid) || !strings.Contains(err.Error(), "ReLU28_Output_0") || !strings.Contains(err.Error(), "Pooling66") {
		t.Fatalf("err = %v", err)
	}
	if string(must(m.Bytes(nil))) != string(before) {
		t.Fatal("a refused removal changed the model")
	}
	// Bypass, then remove.
	relu.Output(0).ReplaceAllUsesWith(relu.Input(0))
	if err := g.RemoveNodes(relu); err != nil {
		t.Fatal(err)
	}
	sane(t, m)
	if nodeNamed(g, "ReLU28") != nil || g.NumNodes() != 11 {
		t.Errorf("node still there, %d nodes", g.NumNodes())
	}
	if _, ok := g.Value("ReLU28_Output_0"); ok {
		t.Error("removed output still in scope")
	}
	if got := nodeNamed(g, "Pooling66").Input(0).Name(); got != "Plus30_Output_0" && got != "Plus28_Output_0" {
		t.Errorf("pool reads %q", got)
	}
	// A graph output's producer cannot go.
	last := nodeNamed(g, "Plus214")
	if err := g.RemoveNodes(last); err == nil {
		t.Error("removed the producer of a graph output")
	}
}

// TestRemoveReadersKeepsUseOrder removes every other reader of a value:
// the readers left keep their order in its use list.
func TestRemoveReadersKeepsUseOrder(t *testing.T) {
	m := fanOut(t, 10)
	g := m.Graph()
	nodes := g.Nodes()
	sum := nodes[len(nodes)-1]
	var gone []*onnxgraph.Node
	for i := 0; i < 10; i += 2 {
		if err := sum.SetInput(i, nodes[i+1].Output(0)); err != nil {
			t.Fatal(err)
		}
		gone = append(gone, nodes[i])
	}
	if err := g.RemoveNodes(gone...); err != nil {
		t.Fatal(err)
	}
	sane(t, m)
	var got []string
	for _, u := range g.Inputs()[0].Uses() {
		got = append(got, u.Node.Output(0).Name())
	}
	if want := "r1 r3 r5 r7 r9"; strings.Join(got, " ") != want {
		t.Errorf("x is read by %s, want %s", strings.Join(got, " "), want)
	}
}

func TestRenameValue(t *testing.T) {
	m := samples.MNIST()
	g := m.Graph()
	x := g.Inputs()[0]
	w, _ := g.Value("Parameter5")
	cases := []struct {
		v       *onnxgraph.Value
		to      string
		wantErr bool
	}{
		{x, "image", false},
		{w, "conv1.weight", false},
		{x, "conv1.weight", true}, // taken
		{x, "", true},
	}
	for _, c := range cases {
		before := must(m.Bytes(nil))
		err := c.v.Rename(c.to)
		if (err != nil) != c.wantErr {
			t.Fatalf("Rename(%q) = %v", c.to, err)
		}
		if err != nil {
			if string(must(m.Bytes(nil))) != string(before) {
				t.Errorf("failed Rename(%q) changed the model", c.to)
			}
			continue
		}
		sane(t, m)
		if v, ok := g.Value(c.to); !ok || v != c.v {
			t.Errorf("scope lookup of %q failed", c.to)
		}
	}
	p := m.ToProto()
	if p.Graph.Input[0].GetName() != "image" || p.Graph.Node[0].Input[0] != "image" || p.Graph.Node[0].Input[1] != "conv1.weight" {
		t.Errorf("names not followed: input %q node inputs %v", p.Graph.Input[0].GetName(), p.Graph.Node[0].Input)
	}
	found := false
	for _, init := range p.Graph.Initializer {
		found = found || init.GetName() == "conv1.weight"
	}
	if !found {
		t.Error("initializer not renamed in the saved model")
	}
}

func TestPrune(t *testing.T) {
	m := samples.MNIST()
	g := m.Graph()
	// Make the first pool's output the only graph output: everything after
	// it, and the weights only it reads, become dead.
	pool := nodeNamed(g, "Pooling66")
	if err := g.SetOutput(0, pool.Output(0)); err != nil {
		t.Fatal(err)
	}
	dead, err := g.Prune()
	if err != nil {
		t.Fatal(err)
	}
	sane(t, m)
	if len(dead) != 8 || g.NumNodes() != 4 {
		t.Errorf("pruned %d nodes, %d left", len(dead), g.NumNodes())
	}
	if len(g.Initializers()) != 2 {
		t.Errorf("%d initializers left, want 2", len(g.Initializers()))
	}
	again, _ := g.Prune()
	if len(again) != 0 {
		t.Errorf("second prune removed %d nodes", len(again))
	}
}

func TestRemoveInputAndInitializer(t *testing.T) {
	m := samples.MNIST()
	g := m.Graph()
	if err := g.RemoveInput(g.Inputs()[0]); err == nil {
		t.Error("removed an input that is read")
	}
	w, _ := g.Value("Parameter193")
	if err := g.RemoveInitializer(w); err == nil {
		t.Error("removed an initializer that is read")
	}
	extra := must(g.AddInput("unused", nil))
	if err := g.RemoveInput(extra); err != nil {
		t.Fatal(err)
	}
	sane(t, m)
	if len(g.Inputs()) != 1 {
		t.Errorf("%d inputs", len(g.Inputs()))
	}
}

func TestAttrs(t *testing.T) {
	m := samples.MNIST()
	n := nodeNamed(m.Graph(), "Pooling66")
	if err := n.SetAttr(onnxgraph.AttrInts("strides", 1, 1)); err != nil {
		t.Fatal(err)
	}
	if got := n.Attr("strides").GetInts(); len(got) != 2 || got[0] != 1 {
		t.Errorf("strides = %v", got)
	}
	if ok, err := n.DeleteAttr("pads"); !ok || err != nil || n.Attr("pads") != nil {
		t.Errorf("DeleteAttr = %v, %v", ok, err)
	}
	if ok, _ := n.DeleteAttr("nosuch"); ok {
		t.Error("deleted a missing attribute")
	}
}
