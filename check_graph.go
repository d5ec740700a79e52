package onnxgraph

import (
	"errors"
	"strconv"
	"strings"

	"github.com/onnxgraph/onnxgraph/onnxproto"
)

// scope is a graph being checked, with the graphs around it.
type scope struct {
	g      *Graph
	path   string
	outer  *scope
	fn     *Function // the function whose body holds g (at any depth), or nil
	opsets opsetMap

	index   map[*Node]int // position of each node of g
	cur     int           // index of the node being checked
	pending []orderIssue  // reads of values produced later

	depth   int  // how deep g's message sits in the serialized model (the main graph: 1)
	tooDeep bool // a graph around g was already reported too deep
}

// orderIssue is a node (at idx) that reads v before v's producer runs; via
// is the node inside a subgraph that does the reading, or nil.
type orderIssue struct {
	n   *Node
	idx int
	v   *Value
	via *Node
}

func (s *scope) isMain() bool { return s.outer == nil && s.fn == nil }

// graph checks g's names, definitions, nodes (and, through them, subgraphs)
// and outputs.
func (c *checker) graph(s *scope) {
	g := s.g
	gw := where{s: s}
	c.nesting(s)
	if g.fn == nil {
		if g.Name() == "" {
			c.errorf(RuleGraphName, gw, "the graph has no name")
		}
		if len(g.p.GetMetadataProps()) > 0 {
			c.needIR(gw, "graph metadata_props", 10)
		}
		if len(g.p.GetQuantizationAnnotation()) > 0 {
			c.needIR(gw, "quantization annotations", 5)
		}
	}
	if len(g.sparse) > 0 {
		c.needIR(gw, "sparse initializers", 6)
	}

	for i, v := range g.inputs {
		if i < len(g.inInfo) && g.inInfo[i] != nil {
			c.valueInfo(s, "input", g.inInfo[i])
		} else if v.name == "" {
			c.errorf(RuleValueName, gw, "input %d has no name", i)
		}
		if v.name != "" {
			c.definition(s, v, nil, -1, "a graph input")
		}
	}
	for i, v := range g.inits {
		t := v.init
		w := where{s: s, name: t.GetName()}
		if t.GetName() == "" {
			c.errorf(RuleValueName, w, "initializer %d has no name", i)
		} else {
			if c.ir > 0 && c.ir <= 3 && !v.input {
				c.errorf(RuleInitializerNotInput, w, "initializer %q is not a graph input, as IR version %d requires", t.GetName(), c.ir)
			}
			if !v.input {
				c.definition(s, v, nil, -1, "an initializer")
			}
		}
		c.tensor(w, t, label{kind: "initializer", name: t.GetName()})
	}
	for i, v := range g.sparse {
		sp := v.sparse
		name := sp.GetValues().GetName()
		w := where{s: s, name: name}
		if name == "" {
			c.errorf(RuleValueName, w, "sparse initializer %d has no name", i)
		} else if !v.input {
			c.definition(s, v, nil, -1, "a sparse initializer")
		}
		c.sparseTensor(w, sp, label{kind: "sparse initializer", name: name})
	}

	s.index = make(map[*Node]int, len(g.nodes))
	for i, n := range g.nodes {
		s.index[n] = i
	}
	for i, n := range g.nodes {
		s.cur = i
		c.node(s, i, n)
	}
	s.cur = len(g.nodes)
	c.order(s)

	for i, v := range g.outputs {
		if i < len(g.outInfo) && g.outInfo[i] != nil {
			c.valueInfo(s, "output", g.outInfo[i])
		}
		if v == nil || v.name == "" {
			if i >= len(g.outInfo) || g.outInfo[i] == nil {
				c.errorf(RuleValueName, gw, "output %d has no name", i)
			}
			continue
		}
		w := where{s: s, name: v.name}
		switch {
		case v.undef:
			c.errorf(RuleUndefinedOutput, w, "output %q is not produced: no input, initializer or node output has that name", v.name)
		case v.graph != g:
			c.errorf(RuleOuterOutput, w, "output %q is a value of an outer graph, not one this graph defines", v.name)
		}
	}
	for _, vi := range g.valueInfo {
		if vi.GetName() == "" {
			c.errorf(RuleValueName, gw, "a value_info entry has no name")
			continue
		}
		c.typeProto(where{s: s, name: vi.GetName()}, vi.GetType(), label{kind: "value_info", name: vi.GetName()})
		if len(vi.GetMetadataProps()) > 0 {
			c.needIR(gw, "value_info metadata_props", 10)
		}
	}
}

// valueInfo checks a graph input or output entry: a name, and in the main
// graph a complete type.
func (c *checker) valueInfo(s *scope, kind string, vi *onnxproto.ValueInfoProto) {
	name := vi.GetName()
	w := where{s: s, name: name}
	if name == "" {
		c.errorf(RuleValueName, w, "a graph %s has no name", kind)
		return
	}
	what := label{kind: kind, name: name}
	if len(vi.GetMetadataProps()) > 0 {
		c.needIR(w, "value_info metadata_props", 10)
	}
	t := vi.GetType()
	if s.isMain() {
		if missing := missingTypePart(t); missing != "" {
			c.errorf(RuleValueType, w, "%s of the main graph has no %s", what, missing)
			return
		}
	}
	c.typeProto(w, t, what)
}

// missingTypePart names the part a main-graph input or output type lacks,
// or returns "".
func missingTypePart(t *onnxproto.TypeProto) string {
	if t == nil {
		return "type"
	}
	switch x := t.GetValue().(type) {
	case *onnxproto.TypeProto_TensorType:
		switch {
		case x.TensorType.ElemType == nil:
			return "element type"
		case x.TensorType.Shape == nil:
			return "shape"
		}
	case *onnxproto.TypeProto_SparseTensorType:
		switch {
		case x.SparseTensorType.ElemType == nil:
			return "element type"
		case x.SparseTensorType.Shape == nil:
			return "shape"
		}
	case *onnxproto.TypeProto_SequenceType:
		if x.SequenceType.ElemType == nil {
			return "sequence element type"
		}
	case *onnxproto.TypeProto_OptionalType:
		if x.OptionalType.ElemType == nil {
			return "optional element type"
		}
	case *onnxproto.TypeProto_MapType:
		switch {
		case x.MapType.KeyType == nil:
			return "map key type"
		case x.MapType.ValueType == nil:
			return "map value type"
		}
	default:
		return "type (the type sets no kind)"
	}
	return ""
}

// typeProto checks a declared type: known element types, valid map keys,
// and the IR version its kinds and element types need.
func (c *checker) typeProto(w where, t *onnxproto.TypeProto, what label) {
	if t == nil {
		return
	}
	elem := func(dt *int32) {
		if dt == nil || *dt == 0 {
			return
		}
		if !knownDataType(*dt) {
			c.errorf(RuleValueType, w, "%s has unknown element type %d", what, *dt)
			return
		}
		c.needElemIR(w, *dt)
	}
	switch x := t.GetValue().(type) {
	case *onnxproto.TypeProto_TensorType:
		elem(x.TensorType.ElemType)
	case *onnxproto.TypeProto_SparseTensorType:
		c.needIR(w, "sparse tensor types", 8)
		elem(x.SparseTensorType.ElemType)
	case *onnxproto.TypeProto_SequenceType:
		c.typeProto(w, x.SequenceType.GetElemType(), what)
	case *onnxproto.TypeProto_OptionalType:
		c.needIR(w, "optional types", 8)
		c.typeProto(w, x.OptionalType.GetElemType(), what)
	case *onnxproto.TypeProto_MapType:
		if k := x.MapType.KeyType; k != nil && *k != 0 {
			switch onnxproto.TensorProto_DataType(*k) {
			case onnxproto.TensorProto_INT8, onnxproto.TensorProto_INT16, onnxproto.TensorProto_INT32, onnxproto.TensorProto_INT64,
				onnxproto.TensorProto_UINT8, onnxproto.TensorProto_UINT16, onnxproto.TensorProto_UINT32, onnxproto.TensorProto_UINT64,
				onnxproto.TensorProto_STRING:
			default:
				c.errorf(RuleValueType, w, "%s is a map with key type %s; keys must be integers or strings", what, dataTypeLabel(*k))
			}
		}
		c.typeProto(w, x.MapType.GetValueType(), what)
	}
}

func dataTypeLabel(dt int32) string {
	if n, ok := onnxproto.TensorProto_DataType_name[dt]; ok {
		return n
	}
	return strconv.Itoa(int(dt))
}

// definition checks that v, defined in s's graph by an input, initializer
// or node output, is defined once and does not shadow an outer name.
func (c *checker) definition(s *scope, v *Value, n *Node, idx int, kind string) {
	w := where{s: s, n: n, idx: idx, name: v.name}
	first := s.g.scope[v.name]
	if first != nil && first != v {
		rule := RuleDuplicateName
		if v.init != nil && first.init != nil || v.sparse != nil && (first.init != nil || first.sparse != nil) ||
			v.init != nil && first.sparse != nil {
			rule = RuleDuplicateInitializer
		}
		c.errorf(rule, w, "%q is defined again by %s; it is already %s", v.name, defKind(kind, n, idx), c.definedBy(s, first))
		return
	}
	for a := s.outer; a != nil; a = a.outer {
		ov, ok := a.g.scope[v.name]
		if !ok {
			continue
		}
		if ov.producer != nil {
			if j, ok := a.index[ov.producer]; !ok || j >= a.cur {
				continue // defined after the node holding this graph: not visible yet
			}
		}
		c.errorf(RuleShadowedName, w, "%q, defined here by %s, shadows %s in outer graph %s", v.name, defKind(kind, n, idx), c.definedBy(a, ov), a.path)
		return
	}
}

// defKind says what defines a value: kind, or an output of node n.
func defKind(kind string, n *Node, idx int) string {
	if kind == "" && n != nil {
		return "this node"
	}
	return kind
}

// definedBy says what defines v in s's graph.
func (c *checker) definedBy(s *scope, v *Value) string {
	switch {
	case v.producer != nil:
		return "an output of " + nodeWhere(v.producer.Name(), v.producer.OpType(), s.index[v.producer])
	case v.input && (v.init != nil || v.sparse != nil):
		return "a graph input with an initializer"
	case v.input:
		return "a graph input"
	case v.init != nil:
		return "an initializer"
	case v.sparse != nil:
		return "a sparse initializer"
	}
	return "defined"
}

// read checks that node n (at i in s) reads v after v is defined.
func (c *checker) read(s *scope, i int, n *Node, k int, v *Value) {
	if v.undef {
		c.errorf(RuleUndefinedInput, where{s: s, n: n, idx: i, name: v.name}, "input %d %q is not defined: no graph input, initializer or node output has that name", k, v.name)
		return
	}
	p := v.producer
	if v.graph == s.g {
		if p != nil {
			if j := s.index[p]; j >= i {
				s.pending = append(s.pending, orderIssue{n: n, idx: i, v: v})
			}
		}
		return
	}
	for a := s.outer; a != nil; a = a.outer {
		if v.graph != a.g {
			continue
		}
		if p != nil {
			if j, ok := a.index[p]; ok && j >= a.cur {
				holder := a.g.nodes[a.cur]
				a.pending = append(a.pending, orderIssue{n: holder, idx: a.cur, v: v, via: n})
			}
		}
		return
	}
}

// order reports reads of values before their producers: as a cycle when
// the graph cannot be ordered, else one problem per read.
func (c *checker) order(s *scope) {
	if len(s.pending) == 0 {
		return
	}
	if _, err := s.g.topoOrder(); err != nil {
		var ce *CycleError
		if errors.As(err, &ce) {
			first := ""
			if len(ce.Nodes) > 0 {
				first = ce.Nodes[0]
			}
			c.errorf(RuleCycle, where{s: s, name: first}, "the nodes depend on each other in a cycle: %s",
				capList(ce.Nodes, 12, " -> "))
			return
		}
	}
	for _, o := range s.pending {
		pi := s.index[o.v.producer]
		producer := nodeWhere(o.v.producer.Name(), o.v.producer.OpType(), pi)
		if o.via != nil {
			c.errorf(RuleTopoOrder, where{s: s, n: o.n, idx: o.idx, name: o.v.name},
				"a subgraph node %s reads %q before %s produces it (Graph.TopoSort fixes the order)", quote(labelOf(o.via)), o.v.name, producer)
			continue
		}
		c.errorf(RuleTopoOrder, where{s: s, n: o.n, idx: o.idx, name: o.v.name},
			"reads %q before %s produces it (Graph.TopoSort fixes the order)", o.v.name, producer)
	}
}

// labelOf names a node by its name, or by its op type.
func labelOf(n *Node) string {
	if n.Name() != "" {
		return n.Name()
	}
	return n.OpType()
}

// subPath is the path of a subgraph held by attribute attr (element elem of
// a GRAPHS attribute, or -1) of node n at idx.
func subPath(s *scope, n *Node, idx int, attr string, elem int) string {
	var b strings.Builder
	b.WriteString(s.path)
	b.WriteByte('/')
	if n.Name() != "" {
		b.WriteString(n.Name())
	} else {
		b.WriteString(n.OpType())
		b.WriteByte('#')
		b.WriteString(strconv.Itoa(idx))
	}
	b.WriteByte('.')
	b.WriteString(attr)
	if elem >= 0 {
		b.WriteByte('[')
		b.WriteString(strconv.Itoa(elem))
		b.WriteByte(']')
	}
	return b.String()
}

// maxNesting is the deepest a message may sit in a serialized model (the
// model itself at 0): protobuf's C++ parser, which onnx and ONNX Runtime
// use, refuses deeper messages.
const maxNesting = 100

// nesting reports a graph whose messages sit deeper than maxNesting, once
// for the outermost such graph.
func (c *checker) nesting(s *scope) {
	if s.depth == 0 {
		s.depth = 1
		if s.outer != nil {
			s.depth = s.outer.depth + 3 // node, attribute, graph
			s.tooDeep = s.outer.tooDeep
		}
	}
	if s.tooDeep {
		return
	}
	g, d := s.g, s.depth
	deepest, what := d, nestThing{what: "the graph"}
	see := func(depth int, thing nestThing) {
		if depth > deepest {
			deepest, what = depth, thing
		}
	}
	for _, list := range [][]*onnxproto.ValueInfoProto{g.inInfo, g.outInfo, g.valueInfo} {
		for _, vi := range list {
			if vi != nil {
				see(d+1+typeDepth(vi.GetType()), nestThing{what: "the type of", name: vi.GetName(), named: true})
			}
		}
	}
	for _, v := range g.inits {
		see(d+1+tensorDepth(v.init), nestThing{what: "initializer", name: v.name, named: true})
	}
	for _, n := range g.nodes {
		node := nestThing{what: "node", n: n}
		see(d+1, node)
		for _, a := range n.p.Attribute {
			ad := d + 2
			if a.T != nil {
				see(ad+1+tensorDepth(a.T), node)
			}
			for _, t := range a.Tensors {
				see(ad+1+tensorDepth(t), node)
			}
			if a.Tp != nil {
				see(ad+1+typeDepth(a.Tp), node)
			}
			see(ad, node)
		}
		if len(n.subs) > 0 {
			see(d+3, nestThing{what: "a subgraph of node", n: n})
		}
	}
	if deepest > maxNesting {
		s.tooDeep = true
		c.errorf(RuleNesting, where{s: s}, "%s sits %d messages deep in the file; protobuf's C++ readers (onnx, ONNX Runtime) refuse more than %d", what, deepest, maxNesting)
	}
}

// nestThing names what sits deepest in a graph. It is described only when
// reported: a node's label costs a scan of its graph when it has no name,
// so describing every node met would make the check quadratic.
type nestThing struct {
	what  string // "node", "initializer", ...
	name  string // quoted after what, when named
	named bool
	n     *Node // its label after what, when set
}

func (t nestThing) String() string {
	switch {
	case t.n != nil:
		return t.what + " " + t.n.label()
	case t.named:
		return t.what + " " + quote(t.name)
	}
	return t.what
}

// typeDepth returns how many messages deep a TypeProto reaches (1 for a
// bare TypeProto).
func typeDepth(t *onnxproto.TypeProto) int {
	if t == nil {
		return 0
	}
	switch v := t.GetValue().(type) {
	case *onnxproto.TypeProto_TensorType:
		return 1 + shapeDepth(v.TensorType.GetShape())
	case *onnxproto.TypeProto_SparseTensorType:
		return 1 + shapeDepth(v.SparseTensorType.GetShape())
	case *onnxproto.TypeProto_SequenceType:
		return 2 + typeDepth(v.SequenceType.GetElemType())
	case *onnxproto.TypeProto_OptionalType:
		return 2 + typeDepth(v.OptionalType.GetElemType())
	case *onnxproto.TypeProto_MapType:
		return 2 + typeDepth(v.MapType.GetValueType())
	}
	return 1
}

// shapeDepth returns how deep a tensor type's own message and its shape
// reach: the tensor type, the shape, its dims.
func shapeDepth(s *onnxproto.TensorShapeProto) int {
	switch {
	case s == nil:
		return 1
	case len(s.Dim) == 0:
		return 2
	}
	return 3
}

// tensorDepth returns how deep a TensorProto reaches (1 when it holds no
// messages of its own).
func tensorDepth(t *onnxproto.TensorProto) int {
	if t == nil {
		return 0
	}
	if len(t.ExternalData) > 0 || t.Segment != nil || len(t.MetadataProps) > 0 {
		return 2
	}
	return 1
}
