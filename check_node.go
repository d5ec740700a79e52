package onnxgraph

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/opschema"
)

// node checks node n at index i of s: its reads and definitions, its
// domain, its attributes, its operator's schema, and its subgraphs.
func (c *checker) node(s *scope, i int, n *Node) {
	p := n.p
	w := where{s: s, n: n, idx: i}
	op := p.GetOpType()
	if op == "" {
		c.errorf(RuleEmptyOpType, w, "the node has no op_type")
	}
	if len(p.Input) == 0 && len(p.Output) == 0 {
		c.errorf(RuleNoInputsOutputs, w, "the node has no inputs and no outputs")
	}
	for k, v := range n.inputs {
		if v != nil {
			c.read(s, i, n, k, v)
		}
	}
	for _, v := range n.outputs {
		if v != nil {
			c.definition(s, v, n, i, "")
		}
	}
	if p.GetDomain() != "" {
		c.needIR(w, "node domains", 3)
	}
	if p.Overload != nil {
		c.needIR(w, "node overloads", 10)
	}
	if len(p.MetadataProps) > 0 {
		c.needIR(w, "node metadata_props", 10)
	}
	if len(p.DeviceConfigurations) > 0 {
		c.needIR(w, "node device configurations", 11)
	}

	dom := opschema.NormalizeDomain(p.GetDomain())
	ver, imported := s.opsets[dom]
	if !imported {
		c.missingOpset(s, i, n, dom)
	}
	c.attributes(s, i, n)
	if op != "" && imported && ver >= 1 && ver <= math.MaxInt32 {
		c.operator(s, i, n, dom, ver)
	}
	for _, sub := range n.subs {
		attr := ""
		if sub.attr >= 0 && sub.attr < len(p.Attribute) {
			attr = p.Attribute[sub.attr].GetName()
		}
		c.graph(&scope{g: sub.g, path: subPath(s, n, i, attr, sub.elem), outer: s, fn: s.fn, opsets: s.opsets})
	}
}

// missingOpset reports a node of a domain its model (or function) does not
// import, once per domain and importer.
func (c *checker) missingOpset(s *scope, i int, n *Node, dom string) {
	owner := "the model"
	var key any = c.m
	if s.fn != nil {
		owner, key = "function "+funcLabel(s.fn), s.fn
	}
	k := missingKey{key, dom}
	if c.missingSeen[k] {
		return
	}
	c.missingSeen[k] = true
	c.errorf(RuleMissingOpset, where{s: s, n: n, idx: i, name: n.Domain()},
		"domain %q is not imported by %s (no opset_import entry); this is its first node", displayDomain(dom), owner)
}

type missingKey struct {
	owner  any
	domain string
}

// operator checks n against its schema, or its model-local function.
func (c *checker) operator(s *scope, i int, n *Node, dom string, ver int64) {
	op := n.OpType()
	w := where{s: s, n: n, idx: i, name: op}
	if s.fn != nil {
		if mv, ok := c.modelOpsets[dom]; ok && mv != ver {
			a, b := c.lookup(dom, op, mv), c.lookup(dom, op, ver)
			if (a != nil || b != nil) && (a == nil || b == nil || a.SinceVersion != b.SinceVersion) {
				c.errorf(RuleOpsetMismatch, where{s: s, n: n, idx: i, name: n.Domain()},
					"function %s imports domain %q at version %d and the model at version %d, which resolve %s to different schemas (%s and %s)",
					funcLabel(s.fn), displayDomain(dom), ver, mv, op, schemaLabel(b), schemaLabel(a))
			}
		}
	}
	sch := c.lookup(dom, op, ver)
	switch {
	case sch == nil:
		if f := c.funcs[funcID{dom, op, n.p.GetOverload()}]; f != nil {
			c.call(s, i, n, f)
			return
		}
		if dom == opschema.DomainONNX && experimentalOps[op] {
			c.notef(RuleExperimentalOp, w, "%s is a removed experimental operator; it is not checked", op)
			return
		}
		if standardDomain(dom) || c.opts.CustomDomainErrors {
			hint := ""
			if vs := opschema.Versions(dom, op); len(vs) > 0 {
				hint = "; its first version is " + strconv.Itoa(vs[0].SinceVersion)
			}
			c.errorf(RuleUnknownOp, w, "domain %q has no operator %s at opset version %d%s", displayDomain(dom), op, ver, hint)
			return
		}
		k := [2]string{dom, op}
		if !c.customSeen[k] { // one note per operator
			c.customSeen[k] = true
			c.notef(RuleCustomOp, w, "operator %s of custom domain %q has no known schema; its nodes are not checked", op, dom)
		}
	case sch.Deprecated:
		c.errorf(RuleDeprecatedOp, w, "%s is deprecated at opset version %d of domain %q", schemaLabel(sch), ver, displayDomain(dom))
	default:
		if sch.Extension && standardDomain(dom) {
			if k := [2]string{dom, op}; !c.customSeen[k] { // one note per operator
				c.customSeen[k] = true
				c.notef(RuleRuntimeOp, w, "%s is ONNX Runtime's, not an operator of the ONNX standard at opset version %d of domain %q; it is checked against ONNX Runtime's schema (onnx.checker rejects it)", schemaLabel(sch), ver, displayDomain(dom))
			}
		}
		c.schema(s, i, n, sch)
	}
}

func schemaLabel(s *opschema.Schema) string {
	if s == nil {
		return "none"
	}
	return s.Name + "-" + strconv.Itoa(s.SinceVersion)
}

func arityRange(lo, hi int) string {
	switch {
	case hi == opschema.Unbounded:
		return strconv.Itoa(lo) + " or more"
	case lo == hi:
		return strconv.Itoa(lo)
	}
	return strconv.Itoa(lo) + " to " + strconv.Itoa(hi)
}

// schema checks n against sch: arity, required values, attributes, types
// and subgraph arity.
func (c *checker) schema(s *scope, i int, n *Node, sch *opschema.Schema) {
	w := where{s: s, n: n, idx: i}
	nin, nout := len(n.inputs), len(n.outputs)
	if !sch.AllowsInputs(nin) {
		c.errorf(RuleInputCount, w, "the node has %d inputs; %s takes %s", nin, schemaLabel(sch), arityRange(sch.MinInputs, sch.MaxInputs))
	}
	if !sch.AllowsOutputs(nout) {
		c.errorf(RuleOutputCount, w, "the node has %d outputs; %s gives %s", nout, schemaLabel(sch), arityRange(sch.MinOutputs, sch.MaxOutputs))
	}
	for k, v := range n.inputs {
		if v == nil {
			if f, ok := sch.InputFormal(k); ok && f.Option == opschema.Single {
				c.errorf(RuleMissingInput, where{s: s, n: n, idx: i, name: f.Name}, "input %d (%s) is required by %s but given as \"\"", k, f.Name, schemaLabel(sch))
			}
		}
	}
	for k, v := range n.outputs {
		if v == nil {
			if f, ok := sch.OutputFormal(k); ok && f.Option == opschema.Single {
				c.errorf(RuleMissingOutput, where{s: s, n: n, idx: i, name: f.Name}, "output %d (%s) is required by %s but given as \"\"", k, f.Name, schemaLabel(sch))
			}
		}
	}
	// LayerNormalization-17 accepts attributes it does not declare, and so
	// do ONNX Runtime's LayerNormalization-1 and SimplifiedLayerNormalization.
	unchecked := sch.Domain == opschema.DomainONNX && (sch.Name == "LayerNormalization" || sch.Name == "SimplifiedLayerNormalization")
	for ai, a := range n.p.Attribute {
		name := a.GetName()
		if name == "" || strings.HasPrefix(name, "__") {
			continue // internal attributes are not checked, as in onnx
		}
		aw := where{s: s, n: n, idx: i, name: name}
		decl, ok := sch.Attribute(name)
		if !ok {
			if !unchecked {
				c.errorf(RuleUnknownAttr, aw, "attribute %q is not one %s declares", name, schemaLabel(sch))
			}
			continue
		}
		t, known := c.attrType(n, ai, a)
		if known && t != decl.Type {
			c.errorf(RuleAttrType, aw, "attribute %q is of type %s; %s declares %s", name, t, schemaLabel(sch), decl.Type)
		}
	}
	for k := range sch.Attributes {
		d := &sch.Attributes[k]
		if d.Required && n.Attr(d.Name) == nil {
			c.errorf(RuleMissingAttr, where{s: s, n: n, idx: i, name: d.Name}, "required attribute %q of %s is missing", d.Name, schemaLabel(sch))
		}
	}
	if !c.opts.SkipTypes {
		c.types(s, i, n, sch)
	}
	c.subgraphArity(s, i, n, sch)
}

// attrType returns the type of attribute a (index ai of n): its type field,
// or when absent (IR version 1) the type of its value field.
func (c *checker) attrType(n *Node, ai int, a *onnxproto.AttributeProto) (opschema.AttrType, bool) {
	if a.Type != nil {
		return opschema.AttrType(*a.Type), true
	}
	fields := attrFields(n, ai, a)
	if len(fields) == 1 {
		return fields[0], true
	}
	return opschema.AttrUndefined, false
}

// attrFields lists the value fields a (index ai of n) sets, by the type
// each belongs to.
func attrFields(n *Node, ai int, a *onnxproto.AttributeProto) []opschema.AttrType {
	var out []opschema.AttrType
	if a.F != nil {
		out = append(out, opschema.AttrFloat)
	}
	if a.I != nil {
		out = append(out, opschema.AttrInt)
	}
	if a.S != nil {
		out = append(out, opschema.AttrString)
	}
	if a.T != nil {
		out = append(out, opschema.AttrTensor)
	}
	hasG, graphs := a.G != nil, len(a.Graphs)
	if n != nil {
		for _, sub := range n.subs {
			if sub.attr == ai {
				if sub.elem < 0 {
					hasG = true
				} else {
					graphs++
				}
			}
		}
	}
	if hasG {
		out = append(out, opschema.AttrGraph)
	}
	if a.SparseTensor != nil {
		out = append(out, opschema.AttrSparseTensor)
	}
	if a.Tp != nil {
		out = append(out, opschema.AttrTypeProto)
	}
	if len(a.Floats) > 0 {
		out = append(out, opschema.AttrFloats)
	}
	if len(a.Ints) > 0 {
		out = append(out, opschema.AttrInts)
	}
	if len(a.Strings) > 0 {
		out = append(out, opschema.AttrStrings)
	}
	if len(a.Tensors) > 0 {
		out = append(out, opschema.AttrTensors)
	}
	if graphs > 0 {
		out = append(out, opschema.AttrGraphs)
	}
	if len(a.SparseTensors) > 0 {
		out = append(out, opschema.AttrSparseTensors)
	}
	if len(a.TypeProtos) > 0 {
		out = append(out, opschema.AttrTypeProtos)
	}
	return out
}

// attributes checks the form of n's attributes, whatever the operator:
// names, types, value fields, references to function attributes, and the
// tensors they hold.
func (c *checker) attributes(s *scope, i int, n *Node) {
	attrs := n.p.Attribute
	var seen map[string]bool
	if len(attrs) > 8 {
		seen = make(map[string]bool, len(attrs))
	}
	for ai, a := range attrs {
		name := a.GetName()
		w := where{s: s, n: n, idx: i, name: name}
		if name == "" {
			c.errorf(RuleAttrName, w, "attribute %d has no name", ai)
		} else {
			dup := false
			if seen != nil {
				dup = seen[name]
				seen[name] = true
			} else {
				for _, b := range attrs[:ai] {
					if b.GetName() == name {
						dup = true
						break
					}
				}
			}
			if dup {
				c.errorf(RuleDuplicateAttr, w, "attribute %q appears more than once", name)
			}
		}
		if a.Type == nil {
			if c.ir >= 2 {
				c.errorf(RuleAttrNoType, w, "attribute %q has no type", name)
			}
		} else if _, ok := onnxproto.AttributeProto_AttributeType_name[int32(*a.Type)]; !ok || *a.Type == onnxproto.AttributeProto_UNDEFINED {
			c.errorf(RuleAttrType, w, "attribute %q has type %s, not a known attribute type", name, opschema.AttrType(*a.Type))
		}
		fields := attrFields(n, ai, a)
		hasRef := a.RefAttrName != nil
		switch {
		case len(fields) > 1:
			names := make([]string, len(fields))
			for k, f := range fields {
				names[k] = f.String()
			}
			c.errorf(RuleAttrValue, w, "attribute %q holds values of %d types (%s); it may hold one", name, len(fields), strings.Join(names, ", "))
		case len(fields) == 1 && a.Type != nil && opschema.AttrType(*a.Type) != fields[0]:
			c.errorf(RuleAttrValue, w, "attribute %q has type %s but holds a %s value", name, opschema.AttrType(*a.Type), fields[0])
		case len(fields) == 0 && a.Type != nil && !hasRef:
			switch t := opschema.AttrType(*a.Type); t {
			case opschema.AttrTensor, opschema.AttrGraph, opschema.AttrSparseTensor, opschema.AttrTypeProto:
				c.errorf(RuleAttrValue, w, "attribute %q of type %s has no value", name, t)
			}
		}
		if hasRef {
			ref := a.GetRefAttrName()
			switch {
			case s.fn == nil:
				c.errorf(RuleRefAttr, w, "attribute %q refers to function attribute %q outside a function", name, ref)
			case len(fields) > 0:
				c.errorf(RuleRefAttr, w, "attribute %q refers to function attribute %q and also holds a value", name, ref)
			case !c.funcAttrSet(s.fn)[ref]:
				c.errorf(RuleRefAttr, w, "attribute %q refers to %q, which function %s does not declare", name, ref, funcLabel(s.fn))
			}
		}
		if a.T != nil {
			c.tensor(w, a.T, label{kind: "the tensor", name: a.T.GetName(), attr: name})
		}
		for k, t := range a.Tensors {
			c.tensor(w, t, label{kind: "tensor " + strconv.Itoa(k), name: t.GetName(), attr: name})
		}
		if a.SparseTensor != nil || len(a.SparseTensors) > 0 {
			c.needIR(w, "sparse tensor attributes", 6)
		}
		if a.SparseTensor != nil {
			c.sparseTensor(w, a.SparseTensor, label{kind: "the sparse tensor", name: a.SparseTensor.GetValues().GetName(), attr: name})
		}
		for k, st := range a.SparseTensors {
			c.sparseTensor(w, st, label{kind: "sparse tensor " + strconv.Itoa(k), name: st.GetValues().GetName(), attr: name})
		}
		if a.Tp != nil {
			c.typeProto(w, a.Tp, label{kind: "the type", attr: name})
		}
		for k, tp := range a.TypeProtos {
			c.typeProto(w, tp, label{kind: "type " + strconv.Itoa(k), attr: name})
		}
	}
}

// funcAttrSet returns the attribute names function f declares.
func (c *checker) funcAttrSet(f *Function) map[string]bool {
	if set, ok := c.funcAttrs[f]; ok {
		return set
	}
	set := map[string]bool{}
	for _, a := range f.p.GetAttribute() {
		set[a] = true
	}
	for _, a := range f.p.GetAttributeProto() {
		set[a.GetName()] = true
	}
	c.funcAttrs[f] = set
	return set
}

// call checks a node that calls model-local function f.
func (c *checker) call(s *scope, i int, n *Node, f *Function) {
	w := where{s: s, n: n, idx: i, name: f.Name()}
	if len(n.inputs) > len(f.body.inputs) {
		c.errorf(RuleInputCount, w, "the node has %d inputs; function %s takes at most %d", len(n.inputs), funcLabel(f), len(f.body.inputs))
	}
	if len(n.outputs) > len(f.body.outputs) {
		c.errorf(RuleOutputCount, w, "the node has %d outputs; function %s gives at most %d", len(n.outputs), funcLabel(f), len(f.body.outputs))
	}
	set := c.funcAttrSet(f)
	for _, a := range n.p.Attribute {
		if name := a.GetName(); name != "" && !set[name] && !strings.HasPrefix(name, "__") {
			c.errorf(RuleUnknownAttr, where{s: s, n: n, idx: i, name: name}, "attribute %q is not one function %s declares", name, funcLabel(f))
		}
	}
}

// typeBinding is a type parameter bound to a type by a node's value.
type typeBinding struct {
	param, typ, by string
}

// types checks the declared types of n's inputs and outputs against sch's
// type constraints, and that each type parameter binds to one type.
func (c *checker) types(s *scope, i int, n *Node, sch *opschema.Schema) {
	binds := c.typeBuf[:0]
	check := func(kind string, k int, v *Value, f *opschema.Formal) {
		ts := declaredType(v)
		if ts == "" {
			return
		}
		w := where{s: s, n: n, idx: i, name: v.name}
		if allowed := sch.AllowedTypes(f); allowed != nil && !slices.Contains(allowed, ts) {
			c.errorf(RuleTypeConstraint, w, "%s %d %q has type %s; %s of %s allows %s",
				kind, k, v.name, ts, f.Type, schemaLabel(sch), capList(allowed, 8, ", "))
			return
		}
		if f.Option == opschema.Variadic && f.Heterogeneous {
			return
		}
		for _, b := range binds {
			if b.param == f.Type {
				if b.typ != ts {
					c.errorf(RuleTypeMismatch, w, "%s %d %q has type %s, but %s is already bound to %s by %q", kind, k, v.name, ts, f.Type, b.typ, b.by)
				}
				return
			}
		}
		binds = append(binds, typeBinding{f.Type, ts, v.name})
	}
	for k, v := range n.inputs {
		if v == nil {
			continue
		}
		if f, ok := sch.InputFormal(k); ok {
			check("input", k, v, f)
		}
	}
	for k, v := range n.outputs {
		if v == nil {
			continue
		}
		if f, ok := sch.OutputFormal(k); ok {
			check("output", k, v, f)
		}
	}
	c.typeBuf = binds[:0]
	if sch.Name == "Constant" && sch.Domain == opschema.DomainONNX && len(n.outputs) == 1 && n.outputs[0] != nil && declaredType(n.outputs[0]) == "" {
		c.constantType(s, i, n, sch)
	}
}

// constantType notes a Constant whose value's type its schema does not
// allow, when no declaration gives the output's type.
func (c *checker) constantType(s *scope, i int, n *Node, sch *opschema.Schema) {
	a := n.Attr("value")
	if a == nil || a.T == nil {
		return
	}
	ts := tensorTypeString(a.T.GetDataType())
	f, ok := sch.OutputFormal(0)
	if ts == "" || !ok {
		return
	}
	if allowed := sch.AllowedTypes(f); allowed != nil && !slices.Contains(allowed, ts) {
		c.notef(RuleConstantType, where{s: s, n: n, idx: i, name: n.outputs[0].name},
			"the value is %s, which %s of %s does not allow (onnx.checker's full check rejects this)", ts, f.Type, schemaLabel(sch))
	}
}

// declaredType returns v's declared type in the schemas' syntax
// ("tensor(float)"), or "" when it is not known.
func declaredType(v *Value) string {
	for _, vi := range v.infos {
		if vi.Type != nil {
			return typeString(vi.Type)
		}
	}
	if v.init != nil {
		return tensorTypeString(v.init.GetDataType())
	}
	if v.sparse != nil { // ONNX types a sparse initializer sparse_tensor
		if e := elemName(v.sparse.GetValues().GetDataType()); e != "" {
			return "sparse_tensor(" + e + ")"
		}
	}
	return ""
}

var tensorTypeStrings = func() map[int32]string {
	m := map[int32]string{}
	for dt, name := range onnxproto.TensorProto_DataType_name {
		if dt != 0 {
			m[dt] = "tensor(" + strings.ToLower(name) + ")"
		}
	}
	return m
}()

func tensorTypeString(dt int32) string { return tensorTypeStrings[dt] }

func elemName(dt int32) string {
	if dt == 0 {
		return ""
	}
	if n, ok := onnxproto.TensorProto_DataType_name[dt]; ok {
		return strings.ToLower(n)
	}
	return ""
}

// typeString renders t in the syntax of the schemas' type constraints:
// "tensor(float)", "seq(tensor(int64))", "map(int64, float)",
// "optional(tensor(float))", "sparse_tensor(float)"; "" when some part is
// unknown.
func typeString(t *onnxproto.TypeProto) string {
	switch x := t.GetValue().(type) {
	case *onnxproto.TypeProto_TensorType:
		return tensorTypeString(x.TensorType.GetElemType())
	case *onnxproto.TypeProto_SparseTensorType:
		if e := elemName(x.SparseTensorType.GetElemType()); e != "" {
			return "sparse_tensor(" + e + ")"
		}
	case *onnxproto.TypeProto_SequenceType:
		if e := typeString(x.SequenceType.GetElemType()); e != "" {
			return "seq(" + e + ")"
		}
	case *onnxproto.TypeProto_OptionalType:
		if e := typeString(x.OptionalType.GetElemType()); e != "" {
			return "optional(" + e + ")"
		}
	case *onnxproto.TypeProto_MapType:
		k := elemName(x.MapType.GetKeyType())
		val := x.MapType.GetValueType()
		var vs string
		if tt := val.GetTensorType(); tt != nil {
			vs = elemName(tt.GetElemType()) // map values are written bare: map(int64, float)
		} else {
			vs = typeString(val)
		}
		if k != "" && vs != "" {
			return "map(" + k + ", " + vs + ")"
		}
	}
	return ""
}

// subgraphArity checks the input and output counts of If branches and of
// Loop, Scan and SequenceMap bodies against their node.
func (c *checker) subgraphArity(s *scope, i int, n *Node, sch *opschema.Schema) {
	if sch.Domain != opschema.DomainONNX || len(n.subs) == 0 {
		return
	}
	nin, nout := len(n.inputs), len(n.outputs)
	body := func(attr string) *Graph {
		for _, sub := range n.subs {
			if sub.elem < 0 && sub.attr < len(n.p.Attribute) && n.p.Attribute[sub.attr].GetName() == attr {
				return sub.g
			}
		}
		return nil
	}
	check := func(attr string, ins, outs int, insWhy, outsWhy string) {
		g := body(attr)
		if g == nil {
			return
		}
		w := where{s: s, n: n, idx: i, name: attr}
		if ins >= 0 && len(g.inputs) != ins {
			c.errorf(RuleSubgraphArity, w, "subgraph %s has %d inputs; %s", attr, len(g.inputs), insWhy)
		}
		if outs >= 0 && len(g.outputs) != outs {
			c.errorf(RuleSubgraphArity, w, "subgraph %s has %d outputs; %s", attr, len(g.outputs), outsWhy)
		}
	}
	switch sch.Name {
	case "If":
		for _, b := range []string{"then_branch", "else_branch"} {
			check(b, 0, nout, "an If branch takes none", "the If node has "+strconv.Itoa(nout))
		}
	case "Loop":
		check("body", nin, nout+1,
			"it needs one per Loop input ("+strconv.Itoa(nin)+": iteration count, condition and loop-carried values)",
			"it needs the condition and one per Loop output ("+strconv.Itoa(nout+1)+")")
	case "Scan":
		want := nin
		if sch.SinceVersion < 9 {
			want = nin - 1 // Scan-8's first input, sequence_lens, is not passed to the body
		}
		check("body", want, nout, "it needs one per state and scan input ("+strconv.Itoa(want)+")",
			"it needs one per Scan output ("+strconv.Itoa(nout)+")")
	case "SequenceMap":
		check("body", nin, nout, "it needs one per SequenceMap input ("+strconv.Itoa(nin)+")",
			"it needs one per SequenceMap output ("+strconv.Itoa(nout)+")")
	}
}
