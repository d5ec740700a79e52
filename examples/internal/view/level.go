package view

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/opschema"
)

// levelRequest says which level of the hierarchy to draw.
type levelRequest struct {
	Expanded []string `json:"expanded"` // keys of the expanded groups, bodies and nodes
	LR       bool     `json:"lr"`       // left to right instead of top-down
	Op       string   `json:"op"`       // an op type whose nodes to count in each box
	// Auto opens groups, largest first, while the level stays at most
	// autoBoxes boxes: the first view of a model.
	Auto bool `json:"auto"`
}

// autoBoxes is how many boxes an automatic first view may show.
const autoBoxes = 24

// drawItem is one box of a level.
type drawItem struct {
	Key        string   `json:"key"`
	Kind       string   `json:"kind"`
	Label      string   `json:"label"`
	Name       string   `json:"name"`
	Op         string   `json:"op,omitempty"`
	Lines      []string `json:"lines,omitempty"`
	X          float64  `json:"x"`
	Y          float64  `json:"y"`
	W          float64  `json:"w"`
	H          float64  `json:"h"`
	Expandable bool     `json:"expandable,omitempty"`
	Expanded   bool     `json:"expanded,omitempty"`
	Bodies     []string `json:"bodies,omitempty"` // a node's subgraph keys, expanded with it
	Nodes      int      `json:"nodes,omitempty"`
	Hits       int      `json:"hits,omitempty"`
}

// drawEdge is the flow between two boxes: one value, labelled with its
// type, or several, counted.
type drawEdge struct {
	From   string       `json:"from"`
	To     string       `json:"to"`
	Points [][2]float64 `json:"points"`
	Label  string       `json:"label"`
	Values int          `json:"values"`
	Value  string       `json:"value"`
}

// frame outlines an expanded group around its visible contents.
type frame struct {
	Key   string  `json:"key"`
	Label string  `json:"label"`
	Kind  string  `json:"kind"`
	X     float64 `json:"x"`
	Y     float64 `json:"y"`
	W     float64 `json:"w"`
	H     float64 `json:"h"`
	Depth int     `json:"depth"`
}

// level is what the page draws.
type level struct {
	Items    []drawItem `json:"items"`
	Edges    []drawEdge `json:"edges"`
	Frames   []frame    `json:"frames"`
	Width    float64    `json:"width"`
	Height   float64    `json:"height"`
	Version  int        `json:"version"`
	Expanded []string   `json:"expanded"` // the groups open, as asked or as Auto chose
}

// autoExpand opens groups breadth first, biggest first, as long as the
// number of boxes shown stays within limit.
func (t *tree) autoExpand(limit int) []string {
	shown := len(t.root.children)
	frontier := slices.Clone(t.root.children)
	var open []string
	for len(frontier) > 0 {
		slices.SortStableFunc(frontier, func(a, b *item) int { return b.nodes - a.nodes })
		var next []*item
		grew := false
		for _, it := range frontier {
			if it.kind != kindGroup && it.kind != kindBody {
				continue
			}
			if shown-1+len(it.children) > limit {
				continue
			}
			shown += len(it.children) - 1
			open = append(open, it.key)
			next = append(next, it.children...)
			grew = true
		}
		if !grew {
			break
		}
		frontier = next
	}
	return open
}

// Text metrics of the page's box font (12px monospace), for box sizes.
const (
	charWidth  = 7.3
	labelWidth = 6.1 // of the 10px edge labels
	lineHeight = 16
	maxLine    = 44
)

// buildLevel computes the boxes and edges visible with the given groups
// expanded, aggregating the flow between collapsed groups, and lays them
// out. It costs time in proportion to the model (a walk of its values)
// plus the layout of what is visible.
func (s *state) buildLevel(req levelRequest) *level {
	t := s.tree
	if req.Auto {
		req.Expanded = t.autoExpand(autoBoxes)
	}
	open := make(map[string]bool, len(req.Expanded))
	for _, k := range req.Expanded {
		open[k] = true
	}
	// rep[i] is the box that shows item i: itself, or its outermost
	// collapsed ancestor.
	rep := make([]*item, len(t.items))
	var walk func(it, shown *item)
	walk = func(it, shown *item) {
		if shown == nil && it != t.root && !open[it.key] {
			shown = it
		}
		if shown != nil {
			rep[it.id] = shown
		} else {
			rep[it.id] = it
		}
		for _, c := range it.children {
			walk(c, shown)
		}
	}
	walk(t.root, nil)
	isBox := func(it *item) bool {
		return rep[it.id] == it && it != t.root && (it.kind == kindNode || it.kind == kindInput || it.kind == kindOutput || !open[it.key])
	}
	var boxes []box
	var shown []*item
	boxOf := make(map[*item]int)
	for _, it := range t.items {
		if isBox(it) {
			boxOf[it] = len(boxes)
			shown = append(shown, it)
			boxes = append(boxes, box{order: it.order})
		}
	}
	// Edges between boxes.
	type pair struct{ a, b int }
	edgeAt := map[pair]int{}
	var links []link
	var first []*onnxgraph.Value
	var counts []int
	add := func(from, to *item, v *onnxgraph.Value) {
		a, ok1 := boxOf[rep[from.id]]
		b, ok2 := boxOf[rep[to.id]]
		if !ok1 || !ok2 || a == b {
			return
		}
		k := pair{a, b}
		if i, ok := edgeAt[k]; ok {
			if v != nil && v != first[i] {
				counts[i]++
			}
			return
		}
		edgeAt[k] = len(links)
		links = append(links, link{from: a, to: b})
		first = append(first, v)
		counts = append(counts, 1)
	}
	flows := func(src *item, v *onnxgraph.Value, outs map[*onnxgraph.Value][]*item) {
		for _, u := range v.Uses() {
			if dst := t.byNode[u.Node]; dst != nil {
				add(src, dst, v)
			}
		}
		for _, o := range outs[v] {
			add(src, o, v)
		}
	}
	s.m.Graph().Walk(func(g *onnxgraph.Graph) bool {
		outs := map[*onnxgraph.Value][]*item{}
		for _, o := range t.outputs[g] {
			outs[o.value] = append(outs[o.value], o)
		}
		for _, v := range g.Inputs() {
			if src := t.inputs[v]; src != nil {
				flows(src, v, outs)
			}
		}
		for _, n := range g.Nodes() {
			src := t.byNode[n]
			for _, v := range n.Outputs() {
				if v != nil {
					flows(src, v, outs)
				}
			}
		}
		if b := t.bodies[g]; b != nil { // a body's results return to its node
			for _, o := range t.outputs[g] {
				add(o, b.parent, nil)
			}
		}
		return true
	})
	// Boxes: text, then sizes.
	hits := map[*item]int{}
	if req.Op != "" {
		for n, it := range t.byNode {
			if n.OpType() == req.Op {
				hits[rep[it.id]]++
			}
		}
	}
	for k := range links {
		label := strconv.Itoa(counts[k]) + " tensors"
		if counts[k] == 1 && first[k] != nil {
			label = s.typeText(first[k])
		}
		links[k].label = float64(len([]rune(label))) * labelWidth
	}
	items := make([]drawItem, len(shown))
	for i, it := range shown {
		d := s.describe(it, open)
		d.Hits = hits[it]
		w := 0
		for _, l := range append([]string{d.Op, d.Label}, d.Lines...) {
			w = max(w, len([]rune(l)))
		}
		nl := len(d.Lines) + 1
		if d.Op != "" && d.Label != "" {
			nl++
		}
		boxes[i].w = max(64, float64(w)*charWidth+20)
		boxes[i].h = float64(nl*lineHeight + 10)
		items[i] = d
	}
	pl := compound(shown, boxes, links, open, req.LR)
	width, height := pl.width, pl.height
	for i := range items {
		b := boxes[i]
		items[i].X, items[i].Y, items[i].W, items[i].H = b.x-b.w/2, b.y-b.h/2, b.w, b.h
	}
	lv := &level{Items: items, Width: width, Height: height, Expanded: req.Expanded}
	if lv.Expanded == nil {
		lv.Expanded = []string{}
	}
	for k, l := range links {
		e := drawEdge{From: items[l.from].Key, To: items[l.to].Key, Points: l.points, Values: counts[k]}
		if v := first[k]; v != nil {
			e.Value = v.Name()
			e.Label = s.typeText(v)
		}
		if counts[k] > 1 {
			e.Label = strconv.Itoa(counts[k]) + " tensors"
		}
		lv.Edges = append(lv.Edges, e)
	}
	for _, b := range pl.blocks {
		if b.it != nil {
			lv.Frames = append(lv.Frames, frame{Key: b.it.key, Label: fullName(b.it), Kind: b.it.kind.String(), X: b.x, Y: b.y, W: b.w, H: b.h, Depth: len(ancestors(b.it))})
		}
	}
	slices.SortStableFunc(lv.Frames, func(a, b frame) int { return cmp.Compare(a.Depth, b.Depth) })
	return lv
}

// describe gives an item's text.
func (s *state) describe(it *item, open map[string]bool) drawItem {
	d := drawItem{Key: it.key, Kind: it.kind.String(), Label: clip(it.label), Name: fullName(it), Nodes: it.nodes}
	switch it.kind {
	case kindNode:
		n := it.node
		d.Op = n.OpType()
		if n.Domain() != "" && n.Domain() != "ai.onnx" {
			d.Op = n.Domain() + "." + n.OpType()
		}
		if it.label == n.OpType() {
			d.Label = ""
		}
		d.Lines = s.weightLines(n)
		for _, c := range it.children {
			d.Bodies = append(d.Bodies, c.key)
		}
		d.Expandable = len(d.Bodies) > 0
		d.Expanded = d.Expandable && open[it.key]
	case kindInput, kindOutput:
		d.Lines = []string{clip(s.typeText(it.value))}
	case kindGroup, kindBody:
		d.Expandable = true
		d.Lines = []string{plural(it.nodes, "node"), clip(topOps(it))}
	}
	return d
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

// clip shortens a line to what a box shows.
func clip(s string) string {
	r := []rune(s)
	if len(r) <= maxLine {
		return s
	}
	return string(r[:maxLine-1]) + "…"
}

// topOps names the most frequent operators below a group.
func topOps(it *item) string {
	count := map[string]int{}
	var visit func(*item)
	visit = func(x *item) {
		if x.node != nil {
			count[x.node.OpType()]++
		}
		for _, c := range x.children {
			visit(c)
		}
	}
	visit(it)
	ops := make([]string, 0, len(count))
	for op := range count {
		ops = append(ops, op)
	}
	slices.SortFunc(ops, func(a, b string) int {
		if c := cmp.Compare(count[b], count[a]); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	var parts []string
	for i, op := range ops {
		if i == 3 {
			parts = append(parts, "…")
			break
		}
		parts = append(parts, op+"×"+strconv.Itoa(count[op]))
	}
	return strings.Join(parts, " ")
}

// weightLines lists a node's constant inputs (initializers) with their
// shapes, named by the operator's formal inputs where the schema tells.
func (s *state) weightLines(n *onnxgraph.Node) []string {
	var lines []string
	var total int64
	ins := n.Inputs()
	for i, v := range ins {
		if v == nil || v.Initializer() == nil {
			continue
		}
		t := v.Initializer()
		total += max(t.NumBytes(), 0)
		if len(lines) < 2 {
			lines = append(lines, clip(s.formal(n, i)+" ⟨"+dimsText(t.Dims())+"⟩"))
		}
	}
	if total > 0 {
		lines = append(lines, onnxgraph.FormatBytes(total))
	}
	if n.OpType() == "Constant" && n.Domain() == "" {
		for _, a := range n.Attrs() {
			if t := a.GetT(); t != nil {
				lines = append(lines, onnxgraph.DataTypeName(onnxgraph.DataType(t.GetDataType()))+"⟨"+dimsText(t.GetDims())+"⟩")
			}
		}
	}
	return lines
}

// formal names input i of n as the schema does (W, B), else by index.
func (s *state) formal(n *onnxgraph.Node, i int) string {
	opset, ok := s.m.Opset(n.Domain())
	if ok {
		if sc, ok := opschema.Lookup(n.Domain(), n.OpType(), int(opset)); ok && len(sc.Inputs) > 0 {
			f := sc.Inputs[min(i, len(sc.Inputs)-1)]
			return f.Name
		}
	}
	return "in" + strconv.Itoa(i)
}

func dimsText(d []int64) string {
	parts := make([]string, len(d))
	for i, x := range d {
		parts[i] = strconv.FormatInt(x, 10)
	}
	if len(parts) == 0 {
		return "scalar"
	}
	return strings.Join(parts, "×")
}
