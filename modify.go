package onnxgraph

import (
	"fmt"
	"slices"
	"sort"

	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/opschema"
	"google.golang.org/protobuf/proto"
)

// ModifyOptions says what Modify changes on a node.
type ModifyOptions struct {
	// Attrs sets attributes, replacing those of the same name. Values are
	// converted to the type the operator's schema declares, as NewAttr
	// does: Go values of a fitting kind or text ("0,2,3,1"). For operators
	// without a schema (custom domains) the existing attribute's type is
	// kept, or the type is inferred from the value.
	Attrs map[string]any
	// DeleteAttrs removes attributes.
	DeleteAttrs []string
	// Consts replaces the data of constant inputs of the node, by input
	// name: an initializer or a Constant node's output. Values are a
	// *Tensor, or Go values or text ("1,2,3") converted to the constant's
	// element type; the constant keeps its shape when the number of
	// elements is the same, else becomes 1-D. A constant other nodes also
	// read is copied for this node, never changed under them.
	Consts map[string]any
}

// ModifyReport says what Modify did.
type ModifyReport struct {
	Node    string   // the node, as name(OpType)
	Graph   string   // the graph holding it
	Set     []string // attributes set, as name=value
	Deleted []string // attributes removed
	// Consts lists the constants changed in place, Copied the shared ones
	// copied for this node ("old -> new").
	Consts []string
	Copied []string
	// Note reminds that declared shapes downstream are not re-derived here.
	Note string
}

// Modify changes attributes and constant inputs of the node called node,
// wherever it is: the main graph, If, Loop and Scan bodies at any depth,
// model-local functions (the seed tool sam4onnx). Attribute values are
// checked against the operator's schema at the model's opset: an unknown
// attribute, a value of the wrong type, or the deletion of a required
// attribute is an ErrSchema; an unknown node, attribute to delete or input
// is an ErrNotFound; an input that is not a constant is an ErrInvalid.
// Nothing changes on error.
//
// Output shapes are not re-derived: declared shapes downstream may be stale
// after, say, a new Transpose perm; run shape inference (package
// shapeinfer) to re-derive them.
func (m *Model) Modify(node string, opts *ModifyOptions, report *ModifyReport) *Model {
	return runStep(m, "Modify", opts, report, func(m *Model, o *ModifyOptions) (*ModifyReport, error) { return ModifyModel(m, node, o) })
}

// ModifyModel is Modify in plain form.
func ModifyModel(m *Model, node string, opts *ModifyOptions) (*ModifyReport, error) {
	defer afterEdit(m)
	o := orZero(opts)
	n, err := m.FindNode(node)
	if err != nil {
		return nil, err
	}
	schema := m.schemaOf(n)
	op := n.OpType()

	// Attributes to set: typed, checked.
	names := make([]string, 0, len(o.Attrs))
	for k := range o.Attrs {
		names = append(names, k)
	}
	sort.Strings(names)
	var set []*onnxproto.AttributeProto
	for _, name := range names {
		typ := opschema.AttrUndefined
		if schema != nil {
			decl, ok := schema.Attribute(name)
			if !ok {
				return nil, culprit(name, errorf(ErrSchema, "node %s: %s-%d has no attribute %q", n.label(), op, schema.SinceVersion, name))
			}
			typ = decl.Type
		} else if a := n.Attr(name); a != nil {
			typ = opschema.AttrType(a.GetType())
		}
		if typ == opschema.AttrGraph || typ == opschema.AttrGraphs {
			return nil, culprit(name, errorf(ErrInvalid, "node %s: attribute %q holds a subgraph and cannot be set", n.label(), name))
		}
		if slices.Contains(o.DeleteAttrs, name) {
			return nil, culprit(name, errorf(ErrInvalid, "node %s: attribute %q is both set and deleted", n.label(), name))
		}
		a, err := NewAttr(name, typ, o.Attrs[name])
		if err != nil {
			return nil, err
		}
		set = append(set, a)
	}
	for _, name := range o.DeleteAttrs {
		a := n.Attr(name)
		if a == nil {
			return nil, culprit(name, errorf(ErrNotFound, "node %s has no attribute %q", n.label(), name))
		}
		if a.GetType() == onnxproto.AttributeProto_GRAPH || a.GetType() == onnxproto.AttributeProto_GRAPHS {
			return nil, culprit(name, errorf(ErrInvalid, "node %s: attribute %q holds a subgraph and cannot be deleted", n.label(), name))
		}
		if schema != nil {
			if decl, ok := schema.Attribute(name); ok && decl.Required {
				return nil, culprit(name, errorf(ErrSchema, "node %s: attribute %q is required by %s-%d", n.label(), name, op, schema.SinceVersion))
			}
		}
	}

	// Constants.
	type constPlan struct {
		v *Value
		t *Tensor
	}
	var consts []constPlan
	cnames := make([]string, 0, len(o.Consts))
	for k := range o.Consts {
		cnames = append(cnames, k)
	}
	sort.Strings(cnames)
	for _, name := range cnames {
		var v *Value
		for _, x := range n.inputs {
			if x != nil && x.name == name {
				v = x
			}
		}
		if v == nil {
			return nil, culprit(name, errorf(ErrNotFound, "node %s reads no input %q", n.label(), name))
		}
		old, ok := constOf(v)
		if !ok {
			what := "computed by node " + nodeLabel(v.producer)
			if v.input {
				what = "a graph input"
			} else if v.producer == nil {
				what = "not a constant"
			}
			return nil, culprit(name, errorf(ErrInvalid, "input %q of node %s is %s, not a constant", name, n.label(), what))
		}
		t, err := newConstLike(name, old, o.Consts[name])
		if err != nil {
			return nil, culprit(name, err)
		}
		consts = append(consts, constPlan{v, t})
	}
	if len(set) == 0 && len(o.DeleteAttrs) == 0 && len(consts) == 0 {
		return nil, culprit(node, errorf(ErrInvalid, "nothing to modify on node %s", n.label()))
	}

	r := &ModifyReport{Node: n.Name() + "(" + op + ")", Graph: n.graph.Name()}
	for _, a := range set {
		_ = n.SetAttr(a) // not a graph attribute: checked
		r.Set = append(r.Set, a.GetName()+"="+attrText(a))
	}
	for _, name := range o.DeleteAttrs {
		_, _ = n.DeleteAttr(name) // present, not a graph: checked
		r.Deleted = append(r.Deleted, name)
	}
	for _, c := range consts {
		slots := []int{}
		for i, x := range n.inputs {
			if x == c.v {
				slots = append(slots, i)
			}
		}
		if nv := setConst(n, slots, c.t); nv != nil {
			r.Copied = append(r.Copied, c.v.name+" -> "+nv.name)
		} else {
			r.Consts = append(r.Consts, c.v.name)
		}
	}
	if len(set) > 0 || len(consts) > 0 {
		r.Note = "declared shapes of the node's outputs and downstream values are not re-derived; run shape inference"
	}
	return r, nil
}

// FindNode returns the node called name anywhere in the model: the main
// graph, subgraphs at any depth, model-local functions. No such node is an
// ErrNotFound; several are an ErrInvalid naming their graphs.
func (m *Model) FindNode(name string) (*Node, error) {
	if name == "" {
		return nil, errorf(ErrInvalid, "empty node name")
	}
	var found []*Node
	m.allGraphs(func(g *Graph) bool {
		for _, n := range g.nodes {
			if n.Name() == name {
				found = append(found, n)
			}
		}
		return true
	})
	switch len(found) {
	case 0:
		return nil, culprit(name, errorf(ErrNotFound, "no node named %q", name))
	case 1:
		return found[0], nil
	}
	var where []string
	for _, n := range found {
		where = append(where, quote(n.graph.Name()))
	}
	return nil, culprit(name, errorf(ErrInvalid, "%d nodes are named %q (in graphs %s)", len(found), name, capList(where, 5, ", ")))
}

// opsetFor returns the version of domain in force for graph g: the
// function's own import inside a function body, else the model's.
func (m *Model) opsetFor(g *Graph, domain string) (int64, bool) {
	for x := g; x != nil; x = x.outer() {
		if x.fn != nil {
			for _, o := range x.fn.p.GetOpsetImport() {
				if o.GetDomain() == domain || (isDefaultDomain(domain) && isDefaultDomain(o.GetDomain())) {
					return o.GetVersion(), true
				}
			}
		}
	}
	return m.Opset(domain)
}

// schemaOf returns n's schema at the opset in force, or nil (custom
// domain, unknown operator, model-local function).
func (m *Model) schemaOf(n *Node) *opschema.Schema {
	v, ok := m.opsetFor(n.graph, n.Domain())
	if !ok {
		return nil
	}
	s, ok := opschema.Lookup(n.Domain(), n.OpType(), int(v))
	if !ok {
		return nil
	}
	return s
}

// newConstLike builds the new data of constant old from v.
func newConstLike(name string, old *Tensor, v any) (*Tensor, error) {
	if t, ok := v.(*Tensor); ok {
		if t.DataType() != old.DataType() {
			return nil, errorf(ErrSchema, "constant %q is %s; the new data is %s", name, DataTypeName(old.DataType()), DataTypeName(t.DataType()))
		}
		return tensorOf(name, old.DataType(), t.Dims(), t)
	}
	t, err := tensorOf(name, old.DataType(), nil, v)
	if err != nil {
		return nil, err
	}
	n := NumElements(t.Dims())
	if n == NumElements(old.Dims()) && !slices.Equal(t.Dims(), old.Dims()) {
		tp := shallow(t.p)
		tp.Dims = old.Dims()
		t = t.with(tp)
	}
	return t, nil
}

// setConst gives input slots of n (all reading one constant value) the data
// t. When nobody else reads the constant it changes in place (initializer
// or Constant node) and setConst returns nil; otherwise a copy is added to
// n's graph for n alone and returned.
func setConst(n *Node, slots []int, t *Tensor) *Value {
	v := n.inputs[slots[0]]
	shared := v.IsGraphOutput()
	for _, u := range v.uses {
		if u.Node != n || !slices.Contains(slots, u.Index) {
			shared = true
		}
	}
	if shared {
		nv := addConst(n.graph, v.name+"_mod", t)
		if nv.producer != nil && n.graph == nv.graph {
			// A Constant node (in a function) must come before n.
			moveBefore(n.graph, nv.producer, n)
		}
		for _, i := range slots {
			_ = n.SetInput(i, nv)
		}
		return nv
	}
	tp := shallow(t.p)
	tp.Name = proto.String(v.name)
	t = t.with(tp)
	if v.init != nil {
		_ = v.graph.SetInitializer(v, t) // v is an initializer
	} else {
		c := v.producer
		for _, a := range []string{"value", "value_int", "value_ints", "value_float", "value_floats", "value_string", "value_strings", "sparse_value"} {
			_, _ = c.DeleteAttr(a)
		}
		_ = c.SetAttr(AttrTensor("value", t))
	}
	if len(v.infos) > 0 {
		if dt := v.Type().GetTensorType(); dt != nil && (DataType(dt.GetElemType()) != t.DataType() || !sameDims(dt.Shape, t.Dims())) {
			v.SetType(tensorType(t.p))
		}
	}
	return nil
}

func sameDims(s *onnxproto.TensorShapeProto, dims []int64) bool {
	if s == nil || len(s.Dim) != len(dims) {
		return false
	}
	for i, d := range s.Dim {
		if d.GetDimValue() != dims[i] || d.GetDimParam() != "" {
			return false
		}
	}
	return true
}

// moveBefore moves node x of g to just before node y.
func moveBefore(g *Graph, x, y *Node) {
	i := slices.Index(g.nodes, x)
	if i < 0 {
		return
	}
	g.nodes = slices.Delete(g.nodes, i, i+1)
	j := slices.Index(g.nodes, y)
	if j < 0 {
		j = len(g.nodes)
	}
	g.nodes = slices.Insert(g.nodes, j, x)
}

// replaceConstInput gives input slot i of n the data t, copying the
// constant when others read it; it reports whether it copied.
func replaceConstInput(n *Node, i int, t *Tensor) bool {
	return setConst(n, []int{i}, t) != nil
}

// attrText renders an attribute's value for reports.
func attrText(a *onnxproto.AttributeProto) string {
	switch a.GetType() {
	case onnxproto.AttributeProto_INT:
		return fmt.Sprint(a.GetI())
	case onnxproto.AttributeProto_FLOAT:
		return fmt.Sprint(a.GetF())
	case onnxproto.AttributeProto_STRING:
		return quote(string(a.GetS()))
	case onnxproto.AttributeProto_INTS:
		return fmt.Sprint(a.GetInts())
	case onnxproto.AttributeProto_FLOATS:
		return fmt.Sprint(a.GetFloats())
	case onnxproto.AttributeProto_STRINGS:
		var ss []string
		for _, s := range a.GetStrings() {
			ss = append(ss, string(s))
		}
		return fmt.Sprint(ss)
	case onnxproto.AttributeProto_TENSOR:
		return "tensor " + DataTypeName(DataType(a.GetT().GetDataType())) + fmt.Sprint(a.GetT().GetDims())
	}
	return a.GetType().String()
}
