package onnxgraph

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/onnxgraph/onnxgraph/onnxproto"
	"google.golang.org/protobuf/proto"
)

// Kinds of DiffItem and NodeDiff.
const (
	DiffAdded   = "added"   // B has it, A does not
	DiffRemoved = "removed" // A has it, B does not
	DiffChanged = "changed" // both have it, and it differs
)

// DiffOptions controls Diff. The zero value compares everything,
// initializer data included.
type DiffOptions struct {
	// SkipData compares initializers by element type and shape only and
	// never reads their data.
	SkipData bool
}

// DiffItem is one difference between two models: of the model's fields, an
// opset import, a metadata entry, a graph input or output, an initializer
// or a model-local function.
type DiffItem struct {
	Graph string `json:"graph,omitempty"` // the graph, "" for the main graph
	Name  string `json:"name"`            // what changed: a field, domain, key or value name (A's name when it was renamed)
	Kind  string `json:"kind"`            // DiffAdded, DiffRemoved or DiffChanged
	Old   string `json:"old,omitempty"`   // A's, "" when added
	New   string `json:"new,omitempty"`   // B's, "" when removed
}

// NodeDiff is a node B adds, a node of A that B lacks, or a node both
// have whose operator, attributes or inputs differ.
type NodeDiff struct {
	Graph string `json:"graph,omitempty"` // the graph, "" for the main graph
	Name  string `json:"name"`            // the node's name (A's unless added; "#i" when unnamed)
	Op    string `json:"op"`              // its operator (A's unless added)
	Kind  string `json:"kind"`            // DiffAdded, DiffRemoved or DiffChanged
	// Changes lists what differs in a changed node, one item each:
	// "op Relu -> LeakyRelu", "attribute alpha 0.1 -> 0.2",
	// "input 0 ReLU28_Output_0 -> Plus28_Output_0".
	Changes []string `json:"changes,omitempty"`
}

// ModelDiff lists how model B differs from model A. Nodes and values are
// matched by name and by their place in the graph (a node reading the
// matched values in the same slots, with the same operator, matches
// whatever its name), so that renamed nodes and values are reported as
// renames, not as removals and additions.
type ModelDiff struct {
	Model         []DiffItem `json:"model,omitempty"`    // ir_version, producer, domain, model_version, doc_string, graph name
	Opsets        []DiffItem `json:"opsets,omitempty"`   // opset imports, by domain ("" is ai.onnx)
	Metadata      []DiffItem `json:"metadata,omitempty"` // metadata_props, by key
	Inputs        []DiffItem `json:"inputs,omitempty"`   // graph inputs added, removed, or whose declared type changed
	Outputs       []DiffItem `json:"outputs,omitempty"`  // graph outputs likewise
	Nodes         []NodeDiff `json:"nodes,omitempty"`
	NodesRenamed  []Renamed  `json:"nodes_renamed,omitempty"`
	ValuesRenamed []Renamed  `json:"values_renamed,omitempty"`
	// Initializers lists initializers added, removed, and changed: in
	// element type or shape, or in data (compared by SHA-256, shown as
	// "sha256:" and 16 hex digits).
	Initializers []DiffItem `json:"initializers,omitempty"`
	Functions    []DiffItem `json:"functions,omitempty"` // model-local functions added or removed, by domain:name
	// DataRead counts the bytes of initializer data read to compare
	// (external data read from files, hashed once per file range).
	DataRead int64 `json:"data_read"`
}

// Equal reports whether the diff found no difference.
func (d *ModelDiff) Equal() bool {
	return len(d.Model)+len(d.Opsets)+len(d.Metadata)+len(d.Inputs)+len(d.Outputs)+len(d.Nodes)+
		len(d.NodesRenamed)+len(d.ValuesRenamed)+len(d.Initializers)+len(d.Functions) == 0
}

// String renders the diff as text, one difference a line: "-" for what B
// removes, "+" for what it adds, "~" for what it changes, "=" for
// renames. An equal diff renders as "".
func (d *ModelDiff) String() string {
	var b strings.Builder
	in := func(graph string) string {
		if graph == "" {
			return ""
		}
		return " in " + graph
	}
	change := func(what string, c DiffItem) {
		switch c.Kind {
		case DiffAdded:
			fmt.Fprintf(&b, "+ %s %s%s: %s\n", what, c.Name, in(c.Graph), c.New)
		case DiffRemoved:
			fmt.Fprintf(&b, "- %s %s%s: %s\n", what, c.Name, in(c.Graph), c.Old)
		default:
			fmt.Fprintf(&b, "~ %s %s%s: %s -> %s\n", what, c.Name, in(c.Graph), c.Old, c.New)
		}
	}
	for _, c := range d.Model {
		change("model", c)
	}
	for _, c := range d.Opsets {
		change("opset", c)
	}
	for _, c := range d.Metadata {
		change("metadata", c)
	}
	for _, c := range d.Inputs {
		change("input", c)
	}
	for _, c := range d.Outputs {
		change("output", c)
	}
	for _, n := range d.Nodes {
		switch n.Kind {
		case DiffAdded:
			fmt.Fprintf(&b, "+ node %s (%s)%s\n", n.Name, n.Op, in(n.Graph))
		case DiffRemoved:
			fmt.Fprintf(&b, "- node %s (%s)%s\n", n.Name, n.Op, in(n.Graph))
		default:
			fmt.Fprintf(&b, "~ node %s (%s)%s: %s\n", n.Name, n.Op, in(n.Graph), strings.Join(n.Changes, "; "))
		}
	}
	for _, r := range d.NodesRenamed {
		fmt.Fprintf(&b, "= node %s -> %s%s\n", r.Old, r.New, in(r.Graph))
	}
	for _, r := range d.ValuesRenamed {
		fmt.Fprintf(&b, "= value %s -> %s%s\n", r.Old, r.New, in(r.Graph))
	}
	for _, c := range d.Initializers {
		change("initializer", c)
	}
	for _, c := range d.Functions {
		change("function", c)
	}
	return b.String()
}

// Diff compares model a with model b and lists what b adds, removes,
// changes and renames: the model's fields, opset imports and metadata,
// graph inputs and outputs, nodes (operator, attributes, inputs), node
// and value names, initializers and model-local functions, subgraphs (If
// and Loop bodies of matched nodes) included. Intermediate values'
// declared types (value_info) are not compared.
//
// Initializer data is compared only where it must be: tensors whose
// element type or shape differ are different without reading; tensors
// that name the same range of the same external file are equal without
// reading; other external data is hashed, each file range once. Neither
// model is changed.
func Diff(a, b *Model, opts *DiffOptions) (*ModelDiff, error) {
	if a == nil || b == nil || a.graph == nil || b.graph == nil {
		return nil, errorf(ErrInvalid, "diff: a model has no graph")
	}
	n := max(len(a.graph.nodes), len(b.graph.nodes)) // the main graph is most of a model
	d := &differ{
		opts: orZero(opts), out: &ModelDiff{},
		vmap: make(map[*Value]*Value, 2*n), vrev: make(map[*Value]*Value, 2*n),
		nmap: make(map[*Node]*Node, n), nrev: make(map[*Node]*Node, n),
		hashes: map[string]string{},
	}
	d.header(a, b)
	if err := d.graph(a.graph, b.graph, ""); err != nil {
		return nil, err
	}
	d.functions(a, b)
	return d.out, nil
}

type differ struct {
	opts       DiffOptions
	out        *ModelDiff
	vmap, vrev map[*Value]*Value // A's value to B's, and back
	nmap, nrev map[*Node]*Node
	hashes     map[string]string // SHA-256 of external file ranges read
}

func (d *differ) header(a, b *Model) {
	pa, pb := a.p, b.p
	field := func(name, x, y string) {
		if x != y {
			d.out.Model = append(d.out.Model, changeOf("", name, x, y))
		}
	}
	field("ir_version", strconv.FormatInt(pa.GetIrVersion(), 10), strconv.FormatInt(pb.GetIrVersion(), 10))
	field("producer_name", pa.GetProducerName(), pb.GetProducerName())
	field("producer_version", pa.GetProducerVersion(), pb.GetProducerVersion())
	field("domain", pa.GetDomain(), pb.GetDomain())
	field("model_version", strconv.FormatInt(pa.GetModelVersion(), 10), strconv.FormatInt(pb.GetModelVersion(), 10))
	field("doc_string", short(pa.GetDocString()), short(pb.GetDocString()))
	field("graph name", a.graph.Name(), b.graph.Name())

	oa, ob := map[string]string{}, map[string]string{}
	for _, o := range pa.GetOpsetImport() {
		oa[domainName(o.GetDomain())] = strconv.FormatInt(o.GetVersion(), 10)
	}
	for _, o := range pb.GetOpsetImport() {
		ob[domainName(o.GetDomain())] = strconv.FormatInt(o.GetVersion(), 10)
	}
	d.out.Opsets = mapChanges(oa, ob)
	d.out.Metadata = mapChanges(a.Metadata(), b.Metadata())
}

func domainName(d string) string {
	if isDefaultDomain(d) {
		return "ai.onnx"
	}
	return d
}

// short cuts a long text for a report line.
func short(s string) string {
	if len(s) > 60 {
		return strconv.Quote(s[:57] + "...")
	}
	if s == "" {
		return ""
	}
	return strconv.Quote(s)
}

func changeOf(graph, name, old, new string) DiffItem {
	kind := DiffChanged
	switch {
	case old == "" && new != "":
		kind = DiffAdded
	case new == "" && old != "":
		kind = DiffRemoved
	}
	return DiffItem{Graph: graph, Name: name, Kind: kind, Old: old, New: new}
}

// mapChanges compares two string maps key by key, in key order.
func mapChanges(a, b map[string]string) []DiffItem {
	keys := sortedKeys(a)
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var out []DiffItem
	for _, k := range keys {
		x, inA := a[k]
		y, inB := b[k]
		switch {
		case !inA:
			out = append(out, DiffItem{Name: k, Kind: DiffAdded, New: orDash(y)})
		case !inB:
			out = append(out, DiffItem{Name: k, Kind: DiffRemoved, Old: orDash(x)})
		case x != y:
			out = append(out, DiffItem{Name: k, Kind: DiffChanged, Old: x, New: y})
		}
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return `""`
	}
	return s
}

func (d *differ) pairV(x, y *Value) {
	if x == nil || y == nil || d.vmap[x] != nil || d.vrev[y] != nil {
		return
	}
	d.vmap[x], d.vrev[y] = y, x
}

func (d *differ) pairN(x, y *Node) {
	d.nmap[x], d.nrev[y] = y, x
	for i := 0; i < min(len(x.outputs), len(y.outputs)); i++ {
		d.pairV(x.outputs[i], y.outputs[i])
	}
}

// graph matches and compares ga (of A) with gb (of B); path names them in
// the report.
func (d *differ) graph(ga, gb *Graph, path string) error {
	d.match(ga, gb)
	d.io(ga, gb, path)
	if err := d.nodes(ga, gb, path); err != nil {
		return err
	}
	d.renames(ga, path)
	return d.initializers(ga, gb, path)
}

// match pairs the values and nodes of ga with those of gb: by name first,
// then by place.
func (d *differ) match(ga, gb *Graph) {
	// Inputs and initializers by name: the names anchor everything else.
	// A graph input of one side may be a computed value of the other (an
	// extracted part's inputs), so names are looked up among all values.
	for _, v := range gb.inputs {
		if x := ga.scope[v.name]; x != nil {
			d.pairV(x, v)
		}
	}
	for _, v := range ga.inputs {
		if y := gb.scope[v.name]; y != nil {
			d.pairV(v, y)
		}
	}
	for _, v := range ga.inits {
		if y := gb.scope[v.name]; y != nil && y.init != nil {
			d.pairV(v, y)
		}
	}
	// Inputs (not initializers) left on both sides pair by position.
	free := func(vs []*Value, paired map[*Value]*Value) []*Value {
		var out []*Value
		for _, v := range vs {
			if paired[v] == nil && v.init == nil {
				out = append(out, v)
			}
		}
		return out
	}
	fa, fb := free(ga.inputs, d.vmap), free(gb.inputs, d.vrev)
	for i := 0; i < min(len(fa), len(fb)); i++ {
		d.pairV(fa[i], fb[i])
	}
	// Nodes by name, where the name is unique on B's side.
	byName := make(map[string]*Node, len(gb.nodes))
	dup := map[string]bool{}
	for _, n := range gb.nodes {
		if name := n.Name(); name != "" {
			if byName[name] != nil {
				dup[name] = true
			}
			byName[name] = n
		}
	}
	for _, n := range ga.nodes {
		if y := byName[n.Name()]; y != nil && !dup[n.Name()] && d.nrev[y] == nil && d.nmap[n] == nil {
			d.pairN(n, y)
		}
	}
	// Then by place: forward from matched inputs, backward from matched
	// readers and graph outputs, until nothing more matches.
	order := graphOrder(ga)
	for round := 0; round < 4; round++ {
		progress := false
		for _, n := range order {
			if d.nmap[n] == nil && d.forward(n, gb) {
				progress = true
			}
		}
		for i := 0; i < min(len(ga.outputs), len(gb.outputs)); i++ {
			x, y := ga.outputs[i], gb.outputs[i]
			if d.vmap[x] == nil && d.vrev[y] == nil && x.producer != nil && y.producer != nil &&
				d.nmap[x.producer] == nil && d.nrev[y.producer] == nil && x.index == y.index && d.fits(x.producer, y.producer, gb) {
				d.pairN(x.producer, y.producer)
				progress = true
			}
		}
		for i := len(order) - 1; i >= 0; i-- {
			if n := order[i]; d.nmap[n] == nil && d.backward(n, gb) {
				progress = true
			}
		}
		if !progress {
			break
		}
	}
}

// forward matches n with a node of gb that reads the values n's inputs
// matched, in the same slots.
func (d *differ) forward(n *Node, gb *Graph) bool {
	for i, v := range n.inputs {
		w := d.vmap[v]
		if v == nil || w == nil {
			continue
		}
		for _, u := range w.uses {
			if u.Index == i && u.Node.graph == gb && d.nrev[u.Node] == nil && d.fits(n, u.Node, gb) {
				d.pairN(n, u.Node)
				d.pairInputs(n, u.Node)
				return true
			}
		}
	}
	return false
}

// backward matches n with the producer of what n's matched readers read
// in n's output's place.
func (d *differ) backward(n *Node, gb *Graph) bool {
	for k, v := range n.outputs {
		if v == nil || d.vmap[v] != nil {
			continue
		}
		for _, u := range v.uses {
			nb := d.nmap[u.Node]
			if nb == nil || u.Index >= len(nb.inputs) {
				continue
			}
			w := nb.inputs[u.Index]
			if w == nil || d.vrev[w] != nil || w.producer == nil || w.index != k || w.producer.graph != gb {
				continue
			}
			if p := w.producer; d.nrev[p] == nil && d.fits(n, p, gb) {
				d.pairN(n, p)
				d.pairInputs(n, p)
				return true
			}
		}
	}
	return false
}

// fits reports whether y (of gb) can be n's counterpart: same operator and
// arity, and every input both sides have matched agrees.
func (d *differ) fits(n, y *Node, gb *Graph) bool {
	if y.graph != gb || n.OpType() != y.OpType() || n.Domain() != y.Domain() ||
		len(n.inputs) != len(y.inputs) || len(n.outputs) != len(y.outputs) {
		return false
	}
	for i, v := range n.inputs {
		w := y.inputs[i]
		if (v == nil) != (w == nil) {
			return false
		}
		if v == nil {
			continue
		}
		if m := d.vmap[v]; m != nil && m != w {
			return false
		}
		if r := d.vrev[w]; r != nil && r != v {
			return false
		}
	}
	return true
}

// pairInputs pairs the unmatched initializers two matched nodes read in
// the same slot (renamed weights).
func (d *differ) pairInputs(x, y *Node) {
	for i, v := range x.inputs {
		if w := y.inputs[i]; v != nil && w != nil && v.init != nil && w.init != nil {
			d.pairV(v, w)
		}
	}
}

// graphOrder returns g's nodes producers first (file order where the graph
// is sorted; Kahn's order otherwise, unordered nodes last).
func graphOrder(g *Graph) []*Node {
	pending := make(map[*Node]int, len(g.nodes))
	for _, n := range g.nodes {
		reads := n.inputs
		if len(n.subs) > 0 {
			reads = n.reads() // with what its subgraphs read from outside
		}
		for _, v := range reads {
			if v == nil {
				continue
			}
			if p := v.producer; p != nil && p.graph == g && p != n {
				pending[n]++
			}
		}
	}
	order := make([]*Node, 0, len(g.nodes))
	for _, n := range g.nodes {
		if pending[n] == 0 {
			order = append(order, n)
		}
	}
	done := make(map[*Node]bool, len(g.nodes))
	for i := 0; i < len(order); i++ {
		n := order[i]
		done[n] = true
		for _, v := range n.outputs {
			if v == nil {
				continue
			}
			for _, u := range v.uses {
				r := anchorIn(u.Node, g)
				if r == nil || r == n {
					continue
				}
				if pending[r]--; pending[r] == 0 {
					order = append(order, r)
				}
			}
		}
	}
	if len(order) < len(g.nodes) {
		for _, n := range g.nodes {
			if !done[n] {
				order = append(order, n)
			}
		}
	}
	return order
}

// io compares graph inputs and outputs.
func (d *differ) io(ga, gb *Graph, path string) {
	list := func(as, bs []*Value, rev map[*Value]*Value, fwd map[*Value]*Value) []DiffItem {
		inB := map[*Value]bool{}
		for _, v := range bs {
			inB[v] = true
		}
		inA := map[*Value]bool{}
		for _, v := range as {
			inA[v] = true
		}
		var out []DiffItem
		for _, v := range as {
			if w := fwd[v]; w != nil && inB[w] {
				if x, y := typeLabel(v.Type()), typeLabel(w.Type()); x != y {
					out = append(out, DiffItem{Graph: path, Name: v.name, Kind: DiffChanged, Old: x, New: y})
				}
				continue
			}
			out = append(out, DiffItem{Graph: path, Name: v.name, Kind: DiffRemoved, Old: typeLabel(v.Type())})
		}
		for _, w := range bs {
			if v := rev[w]; v == nil || !inA[v] {
				out = append(out, DiffItem{Graph: path, Name: w.name, Kind: DiffAdded, New: typeLabel(w.Type())})
			}
		}
		return out
	}
	noInits := func(vs []*Value) []*Value {
		return slices.DeleteFunc(slices.Clone(vs), func(v *Value) bool { return v.init != nil })
	}
	d.out.Inputs = append(d.out.Inputs, list(noInits(ga.inputs), noInits(gb.inputs), d.vrev, d.vmap)...)
	d.out.Outputs = append(d.out.Outputs, list(ga.outputs, gb.outputs, d.vrev, d.vmap)...)
}

// nodes reports nodes added, removed and changed, and recurses into the
// subgraphs of matched nodes.
func (d *differ) nodes(ga, gb *Graph, path string) error {
	label := func(n *Node, i int) string {
		if n.Name() != "" {
			return n.Name()
		}
		return "#" + itoa(i)
	}
	for i, n := range ga.nodes {
		y := d.nmap[n]
		if y == nil {
			d.out.Nodes = append(d.out.Nodes, NodeDiff{Graph: path, Name: label(n, i), Op: n.OpType(), Kind: DiffRemoved})
			continue
		}
		var changes []string
		if n.OpType() != y.OpType() || n.Domain() != y.Domain() {
			changes = append(changes, "op "+opLabel(n)+" -> "+opLabel(y))
		}
		changes = append(changes, d.inputChanges(n, y)...)
		ch, subs := attrChanges(n, y)
		changes = append(changes, ch...)
		if len(changes) > 0 {
			d.out.Nodes = append(d.out.Nodes, NodeDiff{Graph: path, Name: label(n, i), Op: n.OpType(), Kind: DiffChanged, Changes: changes})
		}
		for _, s := range subs {
			if err := d.graph(s[0], s[1], joinPath(path, label(n, i)+"."+s[0].Name())); err != nil {
				return err
			}
		}
	}
	for i, n := range gb.nodes {
		if d.nrev[n] == nil {
			d.out.Nodes = append(d.out.Nodes, NodeDiff{Graph: path, Name: label(n, i), Op: n.OpType(), Kind: DiffAdded})
		}
	}
	return nil
}

func joinPath(path, s string) string {
	if path == "" {
		return s
	}
	return path + "/" + s
}

func opLabel(n *Node) string {
	if n.Domain() == "" {
		return n.OpType()
	}
	return n.Domain() + ":" + n.OpType()
}

// inputChanges lists the input slots whose values do not correspond.
func (d *differ) inputChanges(x, y *Node) []string {
	var out []string
	for i := 0; i < max(len(x.inputs), len(y.inputs)); i++ {
		var v, w *Value
		if i < len(x.inputs) {
			v = x.inputs[i]
		}
		if i < len(y.inputs) {
			w = y.inputs[i]
		}
		if v == nil && w == nil {
			continue
		}
		if v != nil && w != nil && d.vmap[v] == w {
			continue
		}
		out = append(out, "input "+itoa(i)+" "+valueLabel(v)+" -> "+valueLabel(w))
	}
	return out
}

func valueLabel(v *Value) string {
	if v == nil {
		return `""`
	}
	return v.name
}

// attrChanges lists the attributes that differ (graph attributes are
// compared by recursing, so they are returned as pairs instead).
func attrChanges(x, y *Node) (changes []string, subs [][2]*Graph) {
	ay := map[string]*onnxproto.AttributeProto{}
	for _, a := range y.p.GetAttribute() {
		ay[a.GetName()] = a
	}
	seen := map[string]bool{}
	for ai, a := range x.p.GetAttribute() {
		name := a.GetName()
		seen[name] = true
		b := ay[name]
		switch {
		case b == nil:
			changes = append(changes, "attribute "+name+" removed")
		case a.GetType() == onnxproto.AttributeProto_GRAPH || a.GetType() == onnxproto.AttributeProto_GRAPHS:
			gx, gy := subgraphsAt(x, ai), subgraphsAt(y, slices.Index(y.p.GetAttribute(), b))
			if a.GetType() != b.GetType() || len(gx) != len(gy) {
				changes = append(changes, "attribute "+name+" changed")
				continue
			}
			for i := range gx {
				subs = append(subs, [2]*Graph{gx[i], gy[i]})
			}
		case !proto.Equal(a, b):
			changes = append(changes, "attribute "+name+" "+attrText(a)+" -> "+attrText(b))
		}
	}
	for _, b := range y.p.GetAttribute() {
		if !seen[b.GetName()] {
			changes = append(changes, "attribute "+b.GetName()+" added "+attrText(b))
		}
	}
	return changes, subs
}

func subgraphsAt(n *Node, attr int) []*Graph {
	var out []*Graph
	for _, s := range n.subs {
		if s.attr == attr {
			out = append(out, s.g)
		}
	}
	return out
}

// renames reports the matched nodes and values of ga whose names differ.
func (d *differ) renames(ga *Graph, path string) {
	for _, n := range ga.nodes {
		if y := d.nmap[n]; y != nil && y.Name() != n.Name() {
			d.out.NodesRenamed = append(d.out.NodesRenamed, Renamed{Graph: path, Old: n.Name(), New: y.Name()})
		}
	}
	for _, v := range ga.Values() {
		if w := d.vmap[v]; w != nil && w.name != v.name {
			d.out.ValuesRenamed = append(d.out.ValuesRenamed, Renamed{Graph: path, Old: v.name, New: w.name})
		}
	}
}

// initializers compares the initializers of matched values.
func (d *differ) initializers(ga, gb *Graph, path string) error {
	for _, v := range ga.inits {
		w := d.vmap[v]
		if w == nil || w.init == nil {
			d.out.Initializers = append(d.out.Initializers, DiffItem{Graph: path, Name: v.name, Kind: DiffRemoved, Old: tensorLabel(v.init)})
			continue
		}
		c, err := d.tensors(ga.model.tensor(v.init), gb.model.tensor(w.init))
		if err != nil {
			return err
		}
		if c != nil {
			c.Graph, c.Name = path, v.name
			d.out.Initializers = append(d.out.Initializers, *c)
		}
	}
	for _, w := range gb.inits {
		if v := d.vrev[w]; v == nil || v.init == nil {
			d.out.Initializers = append(d.out.Initializers, DiffItem{Graph: path, Name: w.name, Kind: DiffAdded, New: tensorLabel(w.init)})
		}
	}
	sa := map[string]*onnxproto.SparseTensorProto{}
	for _, v := range ga.sparse {
		sa[v.name] = v.sparse
	}
	for _, w := range gb.sparse {
		if x, ok := sa[w.name]; !ok {
			d.out.Initializers = append(d.out.Initializers, DiffItem{Graph: path, Name: w.name, Kind: DiffAdded, New: "sparse"})
		} else if !proto.Equal(x, w.sparse) {
			d.out.Initializers = append(d.out.Initializers, DiffItem{Graph: path, Name: w.name, Kind: DiffChanged, Old: "sparse", New: "sparse (differs)"})
		}
		delete(sa, w.name)
	}
	for _, name := range sortedKeys(sa) {
		d.out.Initializers = append(d.out.Initializers, DiffItem{Graph: path, Name: name, Kind: DiffRemoved, Old: "sparse"})
	}
	return nil
}

func tensorLabel(t *onnxproto.TensorProto) string {
	dims := make([]string, len(t.GetDims()))
	for i, x := range t.GetDims() {
		dims[i] = strconv.FormatInt(x, 10)
	}
	return DataTypeName(DataType(t.GetDataType())) + "[" + strings.Join(dims, ",") + "]"
}

// tensors compares two initializers; nil when equal.
func (d *differ) tensors(x, y *Tensor) (*DiffItem, error) {
	lx, ly := tensorLabel(x.p), tensorLabel(y.p)
	if lx != ly {
		return &DiffItem{Kind: DiffChanged, Old: lx, New: ly}, nil
	}
	if d.opts.SkipData || x.p == y.p {
		return nil, nil
	}
	if x.DataType() == String || y.DataType() == String {
		if !slices.EqualFunc(x.p.GetStringData(), y.p.GetStringData(), bytes.Equal) {
			return &DiffItem{Kind: DiffChanged, Old: lx + " strings", New: ly + " strings (differ)"}, nil
		}
		return nil, nil
	}
	if x.NumBytes() != y.NumBytes() {
		return &DiffItem{Kind: DiffChanged, Old: lx + " " + FormatBytes(x.NumBytes()), New: ly + " " + FormatBytes(y.NumBytes())}, nil
	}
	if sameRegion(x, y) {
		return nil, nil
	}
	kx, ky := regionKey(x), regionKey(y)
	if !x.IsExternal() && !y.IsExternal() {
		bx, err := x.Bytes()
		if err != nil {
			return nil, err
		}
		by, err := y.Bytes()
		if err != nil {
			return nil, err
		}
		if bytes.Equal(bx, by) {
			return nil, nil
		}
		return &DiffItem{Kind: DiffChanged, Old: lx + " " + sumOf(bx), New: ly + " " + sumOf(by)}, nil
	}
	hx, err := d.hash(x, kx)
	if err != nil {
		return nil, err
	}
	hy, err := d.hash(y, ky)
	if err != nil {
		return nil, err
	}
	if hx == hy {
		return nil, nil
	}
	return &DiffItem{Kind: DiffChanged, Old: lx + " " + hx, New: ly + " " + hy}, nil
}

func sumOf(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:8])
}

// regionKey names the file range an external tensor's data is in, to
// hash each range once ("" when inline or unknown).
func regionKey(t *Tensor) string {
	if !t.IsExternal() || t.dir == nil {
		return ""
	}
	r, err := t.External()
	if err != nil {
		return ""
	}
	return regionPath(t, r) + "@" + strconv.FormatInt(r.Offset, 10) + "+" + strconv.FormatInt(r.Length, 10)
}

func regionPath(t *Tensor, r ExternalRef) string {
	return filepath.Join(t.dir.abs, filepath.FromSlash(cleanLoc(r.Location)))
}

// sameRegion reports whether two external tensors name the same range of
// the same file (reached by one path or two), which needs no reading.
func sameRegion(x, y *Tensor) bool {
	if !x.IsExternal() || !y.IsExternal() || x.dir == nil || y.dir == nil {
		return false
	}
	rx, err1 := x.External()
	ry, err2 := y.External()
	if err1 != nil || err2 != nil || rx.Offset != ry.Offset || rx.Length != ry.Length {
		return false
	}
	px, py := regionPath(x, rx), regionPath(y, ry)
	if px == py {
		return true
	}
	sx, err1 := os.Stat(px)
	sy, err2 := os.Stat(py)
	return err1 == nil && err2 == nil && os.SameFile(sx, sy)
}

// hash returns the SHA-256 of t's data, reading an external file range
// once however many tensors name it.
func (d *differ) hash(t *Tensor, key string) (string, error) {
	if key != "" {
		if h, ok := d.hashes[key]; ok {
			return h, nil
		}
	}
	var sum string
	if t.IsExternal() {
		r, err := t.External()
		if err != nil {
			return "", err
		}
		if t.dir == nil {
			_, err := t.readExternal() // says why it cannot be read
			return "", err
		}
		f, size, err := t.dir.open(r.Location)
		if err != nil {
			return "", &ExternalDataError{Tensor: t.Name(), Location: r.Location, Err: err}
		}
		n, err := r.span(size)
		if err != nil {
			return "", &ExternalDataError{Tensor: t.Name(), Location: r.Location, Err: err}
		}
		h := sha256.New()
		k, err := io.Copy(h, io.NewSectionReader(f, r.Offset, n))
		d.out.DataRead += k
		if err != nil || k != n {
			if err == nil {
				err = errorf(ErrExternalData, "file ended after %d of %d bytes", k, n)
			}
			return "", &ExternalDataError{Tensor: t.Name(), Location: r.Location, Err: err}
		}
		sum = "sha256:" + hex.EncodeToString(h.Sum(nil)[:8])
	} else {
		b, err := t.Bytes()
		if err != nil {
			return "", err
		}
		sum = sumOf(b)
	}
	if key != "" {
		d.hashes[key] = sum
	}
	return sum, nil
}

// functions compares model-local functions by domain and name, bodies
// included.
func (d *differ) functions(a, b *Model) {
	key := func(f *Function) string {
		k := f.Domain() + ":" + f.Name()
		if f.Overload() != "" {
			k += ":" + f.Overload()
		}
		return k
	}
	fb := map[string]*Function{}
	for _, f := range b.funcs {
		fb[key(f)] = f
	}
	for _, f := range a.funcs {
		g := fb[key(f)]
		if g == nil {
			d.out.Functions = append(d.out.Functions, DiffItem{Name: key(f), Kind: DiffRemoved, Old: itoa(len(f.body.nodes)) + " nodes"})
			continue
		}
		delete(fb, key(f))
		_ = d.graph(f.body, g.body, "function "+key(f)) // function bodies hold no initializers to read
	}
	for _, k := range sortedKeys(fb) {
		d.out.Functions = append(d.out.Functions, DiffItem{Name: k, Kind: DiffAdded, New: itoa(len(fb[k].body.nodes)) + " nodes"})
	}
}
