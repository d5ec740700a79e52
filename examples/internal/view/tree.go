package view

import (
	"slices"
	"strconv"
	"strings"

	"github.com/onnxgraph/onnxgraph"
)

// kind is what an item of the hierarchy stands for.
type kind uint8

const (
	kindGroup  kind = iota // nodes whose exporter names share a prefix, or a chunk of a long list
	kindNode               // one ONNX node (expandable when it holds subgraphs)
	kindBody               // a subgraph of a node: an If branch, a Loop or Scan body
	kindInput              // a graph input (of the main graph or a body)
	kindOutput             // a graph output
)

var kindNames = [...]string{"group", "node", "body", "input", "output"}

func (k kind) String() string { return kindNames[k] }

// item is one box the page can draw: a group, a node, a body, a graph
// input or output. Items form a tree; an item is drawn when every
// ancestor is expanded.
type item struct {
	key      string
	id       int // index in tree.items
	kind     kind
	label    string // a group's name segment(s), a node's leaf name, a value's name
	parent   *item
	children []*item
	node     *onnxgraph.Node  // kindNode
	value    *onnxgraph.Value // kindInput, kindOutput
	graph    *onnxgraph.Graph // kindBody: the subgraph
	order    int              // position in a walk of the model, producers first
	nodes    int              // ONNX nodes at or below
}

// maxChildren is the most items a group shows directly; a group with more
// is split into chunks in node order, so that no level is too big to lay
// out or read.
const maxChildren = 1200

// chunkTarget is about how many chunks a split makes.
const chunkTarget = 40

// tree is the hierarchy of one model as it is.
type tree struct {
	root    *item
	byKey   map[string]*item
	byNode  map[*onnxgraph.Node]*item
	inputs  map[*onnxgraph.Value]*item // graph inputs (per graph)
	outputs map[*onnxgraph.Graph][]*item
	bodies  map[*onnxgraph.Graph]*item
	items   []*item // every item, root first, parents before children
	ord     int
}

// buildTree groups the model's nodes by the segments of their names:
// "/stage5/rebnconv1d/Conv" goes in group stage5, then rebnconv1d; names
// without "/" split on "." ("model.layer1.0.conv1"). A group holding one
// group only merges with it, a group holding one node only gives way to
// the node, and a group of more than maxChildren items is chunked. The
// bodies of If, Loop and Scan nodes hang below their node.
func buildTree(m *onnxgraph.Model) *tree {
	t := &tree{
		byKey: map[string]*item{}, byNode: map[*onnxgraph.Node]*item{},
		inputs: map[*onnxgraph.Value]*item{}, outputs: map[*onnxgraph.Graph][]*item{}, bodies: map[*onnxgraph.Graph]*item{},
	}
	t.root = &item{kind: kindGroup}
	if g := m.Graph(); g != nil {
		t.graph(t.root, g, "")
	}
	t.index(t.root)
	return t
}

// graph adds g's inputs, nodes and outputs below parent; prefix makes the
// keys of a body unique.
func (t *tree) graph(parent *item, g *onnxgraph.Graph, prefix string) {
	inits := map[*onnxgraph.Value]bool{}
	for _, v := range g.Initializers() {
		inits[v] = true
	}
	var top []*item
	for i, v := range g.Inputs() {
		if inits[v] {
			continue // an initializer listed as input: a weight, drawn on its readers
		}
		it := &item{key: prefix + "i" + strconv.Itoa(i), kind: kindInput, label: v.Name(), value: v, order: t.next()}
		t.inputs[v] = it
		top = append(top, it)
	}
	groups := map[string]*item{}
	var group func(path []string) *item
	group = func(path []string) *item {
		if len(path) == 0 {
			return nil
		}
		k := strings.Join(path, "/")
		if it := groups[k]; it != nil {
			return it
		}
		it := &item{key: prefix + "g" + k, kind: kindGroup, label: path[len(path)-1]}
		groups[k] = it
		if p := group(path[:len(path)-1]); p != nil {
			p.children = append(p.children, it)
			it.parent = p
		} else {
			top = append(top, it)
		}
		return it
	}
	for i, n := range g.Nodes() {
		segs := nameSegments(n.Name())
		leaf := n.Name()
		var into *item
		if len(segs) > 1 {
			into = group(segs[:len(segs)-1])
			leaf = segs[len(segs)-1]
		}
		it := &item{key: prefix + "n" + strconv.Itoa(i), kind: kindNode, label: leaf, node: n, order: t.next(), nodes: 1}
		t.byNode[n] = it
		for p := into; p != nil && p.order == 0; p = p.parent {
			p.order = it.order // groups come where their first node does
		}
		for j, sg := range n.Subgraphs() {
			label := sg.Name()
			if label == "" {
				label = "body " + strconv.Itoa(j)
			}
			b := &item{key: it.key + "b" + strconv.Itoa(j) + ":", kind: kindBody, label: label, graph: sg, order: t.next(), parent: it}
			t.bodies[sg] = b
			t.graph(b, sg, b.key)
			it.children = append(it.children, b)
		}
		if into != nil {
			into.children = append(into.children, it)
			it.parent = into
		} else {
			top = append(top, it)
		}
	}
	for i, v := range g.Outputs() {
		it := &item{key: prefix + "o" + strconv.Itoa(i), kind: kindOutput, label: v.Name(), value: v, order: t.next()}
		t.outputs[g] = append(t.outputs[g], it)
		top = append(top, it)
	}
	for _, it := range top {
		it.parent = parent
	}
	parent.children = append(parent.children, top...)
	for i, c := range parent.children {
		parent.children[i] = collapseChain(c)
		parent.children[i].parent = parent
	}
	chunk(parent)
}

func (t *tree) next() int { t.ord++; return t.ord }

// nameSegments splits an exporter's node name into its scopes and leaf:
// on "/" when the name has one, else on ".". Empty segments are dropped.
func nameSegments(name string) []string {
	sep := "/"
	if !strings.Contains(name, "/") {
		sep = "."
	}
	parts := strings.Split(name, sep)
	return slices.DeleteFunc(parts, func(s string) bool { return s == "" })
}

// collapseChain merges chains of single-group groups and lifts lone nodes, and
// returns what stands in its place.
func collapseChain(it *item) *item {
	if it.kind != kindGroup {
		return it
	}
	for i, c := range it.children {
		it.children[i] = collapseChain(c)
		it.children[i].parent = it
	}
	for len(it.children) == 1 && it.children[0].kind == kindGroup {
		c := it.children[0]
		it.label += "/" + c.label
		it.key = c.key
		it.children = c.children
		for _, x := range it.children {
			x.parent = it
		}
	}
	if len(it.children) == 1 {
		return it.children[0]
	}
	return it
}

// chunk splits the children of it, recursively, into groups of at most
// maxChildren items in walk order.
func chunk(it *item) {
	for _, c := range it.children {
		if c.kind == kindGroup {
			chunk(c)
		}
	}
	n := len(it.children)
	if n <= maxChildren {
		return
	}
	slices.SortStableFunc(it.children, func(a, b *item) int { return a.order - b.order })
	size := max((n+chunkTarget-1)/chunkTarget, 2)
	var chunks []*item
	for i := 0; i < n; i += size {
		part := it.children[i:min(i+size, n)]
		c := &item{key: it.key + "~" + strconv.Itoa(len(chunks)), kind: kindGroup, parent: it,
			children: slices.Clone(part), order: part[0].order}
		c.label = chunkLabel(c.children)
		for _, x := range c.children {
			x.parent = c
		}
		chunks = append(chunks, c)
		if len(c.children) > maxChildren {
			chunk(c)
		}
	}
	it.children = chunks
}

func chunkLabel(cs []*item) string {
	first, last := cs[0], cs[len(cs)-1]
	return shortName(first) + " … " + shortName(last)
}

func shortName(it *item) string {
	if it.node != nil && it.node.Name() != "" {
		return it.node.Name()
	}
	if it.node != nil {
		return it.node.OpType()
	}
	return it.label
}

// index records keys, counts and orders of the groups.
func (t *tree) index(it *item) {
	t.byKey[it.key] = it
	it.id = len(t.items)
	t.items = append(t.items, it)
	if it.kind == kindGroup || it.kind == kindBody {
		it.nodes = 0
	}
	for _, c := range it.children {
		t.index(c)
		if it.kind != kindNode {
			it.nodes += c.nodes
		} else if c.kind == kindBody {
			it.nodes += c.nodes
		}
	}
}

// ancestors returns the keys of the groups, bodies and nodes above it,
// outermost first.
func ancestors(it *item) []string {
	out := []string{}
	for p := it.parent; p != nil && p.key != ""; p = p.parent {
		out = append(out, p.key)
	}
	slices.Reverse(out)
	return out
}

// fullName is the name the page shows for an item.
func fullName(it *item) string {
	switch it.kind {
	case kindNode:
		return it.node.Name()
	case kindGroup:
		var parts []string
		for p := it; p != nil && p.key != ""; p = p.parent {
			if p.kind == kindGroup && !strings.Contains(p.key, "~") {
				parts = append(parts, p.label)
			}
			if p.kind != kindGroup {
				break
			}
		}
		slices.Reverse(parts)
		if len(parts) == 0 {
			return it.label
		}
		return "/" + strings.Join(parts, "/")
	}
	return it.label
}
