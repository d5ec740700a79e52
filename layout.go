package onnxgraph

import (
	"fmt"
	"slices"
	"strings"

	"github.com/onnxgraph/onnxgraph/onnxproto"
)

// SwapMethod says how SetLayout reverses colour channels.
type SwapMethod uint8

// Swap methods.
const (
	SwapGather      SwapMethod = iota // one Gather with indices [2,1,0] on the channel axis
	SwapSplitConcat                   // Split into three, Concat in reverse order
)

// LayoutChange asks SetLayout to change one graph input or output.
type LayoutChange struct {
	Name string // the graph input or output
	// Layout is the dim order callers will use, one letter per dim, e.g.
	// "NHWC"; "" keeps the model's (only SwapRGB then).
	Layout string
	// ModelLayout is the dim order the model uses now; "" means the
	// channel-first order of Layout's letters: N first, then C, then the
	// others as Layout has them ("NHWC" -> "NCHW", "NDHWC" -> "NCDHW").
	// With Layout empty it only locates the channel axis (default: dim 1).
	ModelLayout string
	// SwapRGB reverses the three channels (RGB <-> BGR) on the channel
	// axis, the one lettered C.
	SwapRGB bool
}

// LayoutOptions says what SetLayout changes.
type LayoutOptions struct {
	Inputs  []LayoutChange
	Outputs []LayoutChange
	Swap    SwapMethod
}

// LayoutReport says what SetLayout did.
type LayoutReport struct {
	Inputs  []string // "x: NCHW [1,3,224,224] -> NHWC [1,224,224,3]"
	Outputs []string
	Nodes   []string // the nodes added, as name(OpType)
	// Renamed lists the values that were graph outputs and now feed the
	// nodes added before the output, which keeps the old name.
	Renamed []Renamed
}

// ParseLayoutChange reads "name=NHWC" (model layout channel-first),
// "name=NCHW:NHWC" (model layout, then the wanted one) or "name" (no
// permutation), as the command line writes them.
func ParseLayoutChange(s string) (LayoutChange, error) {
	name, spec, ok := strings.Cut(s, "=")
	c := LayoutChange{Name: strings.TrimSpace(name)}
	if c.Name == "" {
		return c, errorf(ErrInvalid, "layout %q: no name", s)
	}
	if !ok {
		return c, nil
	}
	if from, to, two := strings.Cut(spec, ":"); two {
		c.ModelLayout, c.Layout = strings.TrimSpace(from), strings.TrimSpace(to)
	} else {
		c.Layout = strings.TrimSpace(spec)
	}
	return c, nil
}

// SetLayout changes the dim order of graph inputs and outputs (the seed
// tool scc4onnx, which only handled inputs). For an input, the graph input
// takes the new order and a Transpose right after it gives the model the
// order it expects; for an output, a Transpose before it gives callers the
// order they want, and the output keeps its name. SwapRGB reverses the
// channel order (RGB <-> BGR) on the channel axis, found from the layout's
// letter C (in the model's order, so it works with or without a
// permutation), with a Gather or with Split and Concat (see SwapMethod).
//
// Unknown names are an ErrNotFound; a layout whose length differs from the
// value's rank, letters that are not a permutation of the model's, or a
// channel axis whose size is known and not 3 are an ErrShape. Nothing
// changes on error.
func (m *Model) SetLayout(opts *LayoutOptions, report *LayoutReport) *Model {
	return runStep(m, "SetLayout", opts, report, SetLayoutModel)
}

// layoutPlan is one checked change.
type layoutPlan struct {
	v       *Value
	c       LayoutChange
	model   string // the model's layout ("" when none given and no permutation)
	want    string
	perm    []int64 // Transpose perm, nil when none
	chAxis  int     // channel axis in the model's layout, -1 when no swap
	newDims []Dim
}

// SetLayoutModel is SetLayout in plain form.
func SetLayoutModel(m *Model, opts *LayoutOptions) (*LayoutReport, error) {
	defer afterEdit(m)
	o := orZero(opts)
	g := m.graph
	if g == nil {
		return nil, errorf(ErrInvalid, "the model has no graph")
	}
	if len(o.Inputs) == 0 && len(o.Outputs) == 0 {
		return nil, errorf(ErrInvalid, "no layout change given")
	}
	var ins, outs []layoutPlan
	seen := map[string]bool{}
	for k, list := range [][]LayoutChange{o.Inputs, o.Outputs} {
		isIn := k == 0
		for _, c := range list {
			key := fmt.Sprint(isIn, c.Name)
			if seen[key] {
				return nil, culprit(c.Name, errorf(ErrInvalid, "%q is given twice", c.Name))
			}
			seen[key] = true
			p, err := planLayout(g, c, isIn)
			if err != nil {
				return nil, err
			}
			if isIn {
				ins = append(ins, p)
			} else {
				outs = append(outs, p)
			}
		}
	}
	r := &LayoutReport{}
	// The plans point into m, which Atomic edits in place (restoring it
	// from a copy only on failure).
	err := m.Atomic(func(m *Model) error { return applyLayout(m, m.graph, ins, outs, o.Swap, r) })
	if err != nil {
		return nil, err
	}
	return r, nil
}

// applyLayout carries out checked layout plans.
func applyLayout(m *Model, g *Graph, ins, outs []layoutPlan, swap SwapMethod, r *LayoutReport) error {
	opset, _ := m.Opset("")
	for _, p := range ins {
		uses := p.v.Uses()
		cur := p.v
		var last *Node
		if p.perm != nil {
			last = layoutNode(g, last, "Transpose", []*Value{cur}, p.v.name+"_"+strings.ToLower(p.model), true, r, AttrInts("perm", p.perm...))
			cur = last.outputs[0]
		}
		if p.chAxis >= 0 {
			_, cur = swapChannels(g, last, cur, p.chAxis, swap, opset, p.v.name+"_swapped", true, r)
		}
		for _, u := range uses {
			_ = u.Node.SetInput(u.Index, cur)
		}
		before := dimsOf(p.v, nil)
		if p.perm != nil {
			setDeclaredDims(p.v, p.newDims)
		}
		r.Inputs = append(r.Inputs, layoutLine(p.v.name, p, before))
	}
	for _, p := range outs {
		y := p.v
		name := y.name
		idx := slices.Index(g.outputs, y)
		before := dimsOf(y, nil)
		inner := g.UniqueName(name + "_" + strings.ToLower(cmpOr(p.model, "model")))
		if err := y.Rename(inner); err != nil {
			return err // a fresh name: not expected
		}
		r.Renamed = append(r.Renamed, Renamed{Graph: g.Name(), Old: name, New: inner})
		last, cur := y.producer, y
		if last != nil && last.graph != g {
			last = nil
		}
		steps := 0
		if p.chAxis >= 0 {
			steps++
		}
		if p.perm != nil {
			steps++
		}
		outName := func() string {
			steps--
			if steps == 0 {
				return name
			}
			return g.UniqueName(name + "_swapped")
		}
		if p.chAxis >= 0 {
			last, cur = swapChannels(g, last, cur, p.chAxis, swap, opset, outName(), false, r)
		}
		if p.perm != nil {
			last = layoutNode(g, last, "Transpose", []*Value{cur}, outName(), false, r, AttrInts("perm", p.perm...))
			cur = last.outputs[0]
		}
		_ = g.SetOutput(idx, cur)
		for i, o := range g.outputs {
			if o == y && i != idx {
				_ = g.SetOutput(i, cur)
			}
		}
		nd := before
		if p.perm != nil {
			nd = p.newDims
		}
		if nd != nil {
			setDeclaredDims(cur, nd)
		}
		r.Outputs = append(r.Outputs, layoutLine(name, p, before))
	}
	return nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func layoutLine(name string, p layoutPlan, before []Dim) string {
	s := name + ": "
	if p.perm != nil {
		s += fmt.Sprintf("%s %s -> %s %s", p.model, dimsText(before), p.want, FormatDims(p.newDims))
	} else {
		s += "layout kept"
	}
	if p.chAxis >= 0 {
		s += fmt.Sprintf(", channels reversed on axis %d", p.chAxis)
	}
	return s
}

// planLayout checks one change.
func planLayout(g *Graph, c LayoutChange, isIn bool) (layoutPlan, error) {
	p := layoutPlan{c: c, chAxis: -1}
	kind := "output"
	list := g.outputs
	if isIn {
		kind, list = "input", g.inputs
	}
	for _, v := range list {
		if v.name == c.Name {
			p.v = v
		}
	}
	if p.v == nil {
		return p, culprit(c.Name, errorf(ErrNotFound, "%q is not an %s of the main graph", c.Name, kind))
	}
	if isIn && p.v.IsGraphOutput() {
		return p, culprit(c.Name, errorf(ErrInvalid, "input %q is also a graph output", c.Name))
	}
	if !isIn && p.v.input {
		return p, culprit(c.Name, errorf(ErrInvalid, "output %q is also a graph input", c.Name))
	}
	if isIn && p.v.init != nil {
		return p, culprit(c.Name, errorf(ErrInvalid, "input %q is an initializer", c.Name))
	}
	dims := dimsOf(p.v, nil)
	if dims == nil {
		return p, culprit(c.Name, errorf(ErrShape, "%s %q has an unknown rank", kind, c.Name))
	}
	r := len(dims)
	want := strings.ToUpper(strings.TrimSpace(c.Layout))
	model := strings.ToUpper(strings.TrimSpace(c.ModelLayout))
	if want != "" {
		if err := checkLayoutLetters(want, r); err != nil {
			return p, culprit(c.Name, errorf(ErrShape, "%s %q (%s): layout %q: %v", kind, c.Name, FormatDims(dims), c.Layout, err))
		}
		if model == "" {
			model = channelFirst(want)
		}
	}
	if model != "" {
		if err := checkLayoutLetters(model, r); err != nil {
			return p, culprit(c.Name, errorf(ErrShape, "%s %q (%s): model layout %q: %v", kind, c.Name, FormatDims(dims), c.ModelLayout, err))
		}
	}
	if want != "" {
		if !sameLetters(want, model) {
			return p, culprit(c.Name, errorf(ErrShape, "%s %q: layouts %q and %q do not have the same letters", kind, c.Name, model, want))
		}
		if want != model {
			p.perm = make([]int64, r)
			p.newDims = make([]Dim, r)
			for j := 0; j < r; j++ {
				if isIn {
					// want -> model: out[j] = in[perm[j]], out in model order.
					p.perm[j] = int64(strings.IndexByte(want, model[j]))
				} else {
					p.perm[j] = int64(strings.IndexByte(model, want[j]))
				}
			}
			for i := 0; i < r; i++ {
				p.newDims[i] = dims[strings.IndexByte(model, want[i])]
			}
		}
	}
	p.model, p.want = model, want
	if c.SwapRGB {
		switch {
		case model != "":
			p.chAxis = strings.IndexByte(model, 'C')
			if p.chAxis < 0 {
				return p, culprit(c.Name, errorf(ErrShape, "%s %q: layout %q has no channel axis C", kind, c.Name, model))
			}
		case r >= 2:
			p.chAxis = 1
		default:
			return p, culprit(c.Name, errorf(ErrShape, "%s %q has rank %d: no channel axis", kind, c.Name, r))
		}
		if d := dims[p.chAxis]; d.Size >= 0 && d.Size != 3 {
			return p, culprit(c.Name, errorf(ErrShape, "%s %q: the channel axis %d has %d channels, not 3", kind, c.Name, p.chAxis, d.Size))
		}
	}
	if p.perm == nil && p.chAxis < 0 {
		return p, culprit(c.Name, errorf(ErrInvalid, "%s %q: nothing to change (same layout, no channel swap)", kind, c.Name))
	}
	return p, nil
}

func checkLayoutLetters(l string, rank int) error {
	if len(l) != rank {
		return fmt.Errorf("%d letters for rank %d", len(l), rank)
	}
	for i := 0; i < len(l); i++ {
		if l[i] < 'A' || l[i] > 'Z' {
			return fmt.Errorf("%q is not a letter", l[i])
		}
		if strings.IndexByte(l, l[i]) != i {
			return fmt.Errorf("letter %c twice", l[i])
		}
	}
	return nil
}

func sameLetters(a, b string) bool {
	x, y := []byte(a), []byte(b)
	slices.Sort(x)
	slices.Sort(y)
	return string(x) == string(y)
}

// channelFirst orders l's letters N first, C next, then the rest as in l.
func channelFirst(l string) string {
	var b strings.Builder
	for _, c := range "NC" {
		if strings.ContainsRune(l, c) {
			b.WriteRune(c)
		}
	}
	for _, c := range l {
		if c != 'N' && c != 'C' {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// layoutNode adds a node after after (at the front when nil) writing a new
// value named out (made unique when fresh), and records it.
func layoutNode(g *Graph, after *Node, op string, inputs []*Value, out string, fresh bool, r *LayoutReport, attrs ...*onnxproto.AttributeProto) *Node {
	if fresh {
		out = g.UniqueName(out)
	}
	n, err := insertNodeAfter(g, after, "", op, inputs, []string{out}, attrs...)
	if err != nil {
		panic("onnxgraph: SetLayout: " + err.Error()) // visible inputs, free name
	}
	n.SetName(uniqueNodeNameIn(g, out+"_"+strings.ToLower(op)))
	r.Nodes = append(r.Nodes, n.Name()+"("+op+")")
	return n
}

// swapChannels reverses three channels on axis of x; it returns the last
// node added and the result.
func swapChannels(g *Graph, after *Node, x *Value, axis int, how SwapMethod, opset int64, out string, fresh bool, r *LayoutReport) (*Node, *Value) {
	if how == SwapGather {
		idx := addInt64s(g, x.name+"_bgr_indices", []int64{2, 1, 0})
		n := layoutNode(g, after, "Gather", []*Value{x, idx}, out, fresh, r, AttrInt("axis", int64(axis)))
		return n, n.outputs[0]
	}
	parts := []string{g.UniqueName(x.name + "_ch0")}
	parts = append(parts, g.UniqueName(x.name+"_ch1"))
	parts = append(parts, g.UniqueName(x.name+"_ch2"))
	for parts[1] == parts[0] || parts[2] == parts[0] || parts[2] == parts[1] {
		parts[1], parts[2] = g.UniqueName(parts[1]+"_"), g.UniqueName(parts[2]+"__")
	}
	attrs := []*onnxproto.AttributeProto{AttrInt("axis", int64(axis))}
	if opset >= 18 {
		attrs = append(attrs, AttrInt("num_outputs", 3))
	}
	split, err := insertNodeAfter(g, after, "", "Split", []*Value{x}, parts, attrs...)
	if err != nil {
		panic("onnxgraph: SetLayout: " + err.Error())
	}
	split.SetName(uniqueNodeNameIn(g, x.name+"_split"))
	r.Nodes = append(r.Nodes, split.Name()+"(Split)")
	so := split.outputs
	n := layoutNode(g, split, "Concat", []*Value{so[2], so[1], so[0]}, out, fresh, r, AttrInt("axis", int64(axis)))
	return n, n.outputs[0]
}

// ParseLayoutChanges reads layouts written as ParseLayoutChange takes them
// and adds the values whose colour channels to reverse (SwapRGB), one
// change per value.
func ParseLayoutChanges(specs, swaps []string) ([]LayoutChange, error) {
	var list []LayoutChange
	idx := map[string]int{}
	for _, s := range specs {
		c, err := ParseLayoutChange(s)
		if err != nil {
			return nil, err
		}
		idx[c.Name] = len(list)
		list = append(list, c)
	}
	for _, name := range swaps {
		if i, ok := idx[name]; ok {
			list[i].SwapRGB = true
		} else {
			idx[name] = len(list)
			list = append(list, LayoutChange{Name: name, SwapRGB: true})
		}
	}
	return list, nil
}
