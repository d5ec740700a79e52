package view

import (
	"slices"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph"
)

// boxes lists a level's boxes as "kind key" lines and its edges as
// "from -> to label" lines.
func boxes(lv *level) (items, edges []string) {
	for _, it := range lv.Items {
		items = append(items, it.Kind+" "+it.Key)
	}
	for _, e := range lv.Edges {
		edges = append(edges, e.From+" -> "+e.To+" "+e.Label)
	}
	return items, edges
}

func TestNameSegments(t *testing.T) {
	cases := map[string][]string{
		"/model/backbone/stage1/Conv":              {"model", "backbone", "stage1", "Conv"},
		"model.layer1.0.conv1":                     {"model", "layer1", "0", "conv1"},
		"/model.0/conv/Conv":                       {"model.0", "conv", "Conv"},
		"Conv_12":                                  {"Conv_12"},
		"StatefulPartitionedCall/model/conv2d/Add": {"StatefulPartitionedCall", "model", "conv2d", "Add"},
		"": {},
	}
	for name, want := range cases {
		if got := nameSegments(name); !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("%q: %q, want %q", name, got, want)
		}
	}
}

// TestTreeDetector checks the groups of exporter names: chains of single
// groups merge, lone nodes leave their group, counts add up.
func TestTreeDetector(t *testing.T) {
	tr := buildTree(detector(t))
	if tr.root.nodes != 47 {
		t.Errorf("root holds %d nodes, want 47", tr.root.nodes)
	}
	var top []string
	for _, c := range tr.root.children {
		top = append(top, c.kind.String()+" "+c.key)
	}
	want := []string{"input i0", "group gmodel", "output o0", "output o1", "output o2"}
	if !slices.Equal(top, want) {
		t.Errorf("top level %q, want %q", top, want)
	}
	// /model/neck/lateral3/conv holds one node: the node takes its place.
	lat := tr.byNode[nodeNamed(t, tr, "/model/neck/lateral3/conv/Conv")]
	if lat.parent.key != "gmodel/neck" {
		t.Errorf("the lone Conv sits in %q", lat.parent.key)
	}
	if g := tr.byKey["gmodel/backbone/stage2/block"]; g == nil || g.nodes != 4 || fullName(g) != "/model/backbone/stage2/block" {
		t.Errorf("block group %+v", g)
	}
}

func nodeNamed(t *testing.T, tr *tree, name string) *onnxgraph.Node {
	t.Helper()
	for n := range tr.byNode {
		if n.Name() == name {
			return n
		}
	}
	t.Fatalf("no node %q", name)
	return nil
}

// TestTreeChunks: a level of more than maxChildren boxes is split in
// chunks, and a chunk opens on its nodes.
func TestTreeChunks(t *testing.T) {
	s := OpenSession(saveModel(t, generated(t, 3000, false), "flat.onnx"))
	defer s.Close()
	lv, err := s.Level(levelRequest{})
	if err != nil {
		t.Fatal(err)
	}
	items, edges := boxes(lv)
	if len(items) > chunkTarget+2 || len(items) < 3 {
		t.Fatalf("%d boxes at the top", len(items))
	}
	for _, e := range edges {
		if strings.HasSuffix(e, " ") {
			t.Errorf("edge without a label: %s", e)
		}
	}
	lv, err = s.Level(levelRequest{Expanded: []string{"~1"}})
	if err != nil {
		t.Fatal(err)
	}
	nodes := 0
	for _, it := range lv.Items {
		if it.Kind == "node" {
			nodes++
		}
	}
	if nodes == 0 || nodes > maxChildren || len(lv.Frames) != 1 || lv.Frames[0].Key != "~1" {
		t.Errorf("chunk ~1 open: %d nodes, frames %+v", nodes, lv.Frames)
	}
}

// TestTreeIf: an If's branches hang below it; opened, they show their
// nodes, the outer values they read and their results going back.
func TestTreeIf(t *testing.T) {
	s := OpenSession(saveModel(t, ifModel(t), "if.onnx"))
	defer s.Close()
	if st := s.Status(); st.Status != "5 nodes · 8 values · opset 17" {
		t.Errorf("status %q", st.Status)
	}
	lv, err := s.Level(levelRequest{Expanded: []string{"gblk"}})
	if err != nil {
		t.Fatal(err)
	}
	items, _ := boxes(lv)
	if !slices.Contains(items, "node n1") || len(lv.Items[slices.Index(items, "node n1")].Bodies) != 2 {
		t.Fatalf("the If is not an expandable node: %q", items)
	}
	lv, err = s.Level(levelRequest{Expanded: []string{"gblk", "n1", "n1b0:", "n1b1:"}})
	if err != nil {
		t.Fatal(err)
	}
	items, edges := boxes(lv)
	for _, want := range []string{"node n1b0:n0", "node n1b1:n0", "output n1b0:o0"} {
		if !slices.Contains(items, want) {
			t.Errorf("no %s in %q", want, items)
		}
	}
	for _, want := range []string{"n0 -> n1b0:n0 float32[2]", "n0 -> n1b1:n0 float32[2]", "n1b0:o0 -> n1 "} {
		if !slices.Contains(edges, want) {
			t.Errorf("no edge %q in %q", want, edges)
		}
	}
	var frames []string
	for _, f := range lv.Frames {
		frames = append(frames, f.Kind+" "+f.Label)
	}
	if !slices.Contains(frames, "body then") || !slices.Contains(frames, "body else") {
		t.Errorf("frames %q", frames)
	}
}
