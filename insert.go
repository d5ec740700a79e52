package onnxgraph

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/opschema"
	"google.golang.org/protobuf/proto"
)

// InsertNodeOptions describes the node InsertNode creates and where it goes.
type InsertNodeOptions struct {
	// Op and Domain name the operator ("" is the default ONNX domain). The
	// model must import the domain. For the standard domains the operator
	// is checked against its schema at the imported opset: it must exist,
	// attributes must be declared ones of the right type with every
	// required one present, inputs and constants must fit the formals.
	Op, Domain string
	// Name is the new node's name; "" picks one from Op, unused in the
	// graph. A name already used by a node is refused.
	Name string
	// Src is the value the node reads and stands after: the consumers
	// read the node's first output instead of Src.
	Src string
	// Consumers are the names of the nodes that switch to the new node's
	// output (every slot of theirs reading Src); empty means every node
	// reading Src.
	Consumers []string
	// GraphOutputs also re-points graph outputs that are Src to the new
	// node's output. Its entry gets the type TypeOf gives, or the model's
	// type source (Infer) once the node is in place, or else Src's
	// element type when the schema ties the output's type to Src's input,
	// without a shape (which checkers want: set TypeOf or call Infer).
	GraphOutputs bool
	// SrcInput is the formal input (by schema name, or by index as "0",
	// "1", ...) that reads Src; "" means the first formal not given a
	// constant.
	SrcInput string
	// Attrs are the node's attributes.
	Attrs []*onnxproto.AttributeProto
	// Consts are constant inputs created with the node as initializers,
	// keyed by formal input name or index: a *Tensor (used as it is, under
	// a new name), a float64 or int64 (a scalar), or a []float64 or
	// []int64 (a 1-D tensor). Numbers take the element type the schema
	// fixes for that input, or Src's when the input shares Src's type
	// parameter (Mul's B with A), else float32 for floats and int64 for
	// integers.
	Consts map[string]any
	// Outputs is the number of outputs; 0 means the schema's minimum (1
	// for unknown operators).
	Outputs int
	// TypeOf, when set, gives Src's type where its declared type lacks an
	// element type or a shape (for the schema check and the constants'
	// element type), and the new output's type for a graph output entry
	// (see GraphOutputs), asked once the node is in place.
	TypeOf func(*Value) *onnxproto.TypeProto
}

// InsertNodeReport says what InsertNode did.
type InsertNodeReport struct {
	Node    string         // the new node's name
	Opset   int64          // the opset of its domain the schema was checked at
	Outputs []string       // its output names
	Consts  []ValueSummary // the initializers created for its constant inputs
	Rewired []string       // the moved reads, as "node:index"
	Graph   []string       // graph outputs re-pointed, as "old -> new"
}

// InsertNode creates a node and splices it between a value and some or
// all of its readers (the seed tool sna4onnx): the node reads Src (and the
// constants created with it), and the chosen readers read its first
// output instead of Src. The node goes right after Src's producer, so the
// order stays topological. Output names are made unique in the model. On
// error the model is unchanged.
func (m *Model) InsertNode(opts *InsertNodeOptions, report *InsertNodeReport) *Model {
	return runStep(m, "InsertNode", opts, report, InsertNodeModel)
}

// InsertNodeModel is InsertNode in plain form.
func InsertNodeModel(m *Model, opts *InsertNodeOptions) (*InsertNodeReport, error) {
	defer afterEdit(m)
	o := orZero(opts)
	o.TypeOf = m.typeHook(o.TypeOf)
	if m.graph == nil {
		return nil, errorf(ErrInvalid, "the model has no graph")
	}
	if o.Op == "" {
		return nil, errorf(ErrInvalid, "insert node: no operator given")
	}
	label := o.Op
	if o.Domain != "" {
		label = o.Domain + ":" + o.Op
	}
	opset, ok := m.Opset(o.Domain)
	if !ok {
		return nil, culprit(o.Op, errorf(ErrInvalid, "insert node: the model does not import domain %q", o.Domain))
	}
	var schema *opschema.Schema
	if opschema.StandardDomain(o.Domain) {
		s, ok := opschema.Lookup(o.Domain, o.Op, int(opset))
		if !ok {
			return nil, culprit(o.Op, errorf(ErrNotFound, "insert node: no operator %s at opset %d", label, opset))
		}
		if s.Deprecated {
			return nil, culprit(o.Op, errorf(ErrInvalid, "insert node: %s is deprecated at opset %d", label, opset))
		}
		schema = s
	} else if s, ok := opschema.Lookup(o.Domain, o.Op, int(opset)); ok && !s.Deprecated && m.localFunction(o.Domain, o.Op) == nil {
		schema = s // an open domain (com.microsoft) whose operator has a known schema
	}
	src, ok := m.graph.Value(o.Src)
	if !ok {
		// A value of a subgraph: search the tree.
		m.graph.Walk(func(g *Graph) bool {
			if v, found := g.scope[o.Src]; found {
				src, ok = v, true
			}
			return !ok
		})
		if !ok {
			return nil, culprit(o.Src, errorf(ErrNotFound, "insert node: no value named %q", o.Src))
		}
	}
	g := src.graph

	// Consumers.
	var uses []Use
	if len(o.Consumers) == 0 {
		uses = src.Uses()
	} else {
		idx := nodesByName(m.graph)
		for _, name := range o.Consumers {
			n, err := nodeNamedIn(idx, name)
			if err != nil {
				return nil, err
			}
			k := len(uses)
			for i, v := range n.inputs {
				if v == src {
					uses = append(uses, Use{n, i})
				}
			}
			if len(uses) == k {
				return nil, culprit(name, errorf(ErrInvalid, "insert node: node %s does not read %q", n.label(), o.Src))
			}
		}
	}
	var outIdx []int
	if o.GraphOutputs {
		for i, v := range g.outputs {
			if v == src {
				outIdx = append(outIdx, i)
			}
		}
	}
	if len(uses) == 0 && len(outIdx) == 0 {
		return nil, culprit(o.Src, errorf(ErrInvalid, "insert node: nothing reads %q", o.Src))
	}

	// Inputs: where Src and each constant go.
	formalIndex := func(key string) (int, error) {
		if i, err := strconv.Atoi(key); err == nil && i >= 0 {
			return i, nil
		}
		if schema != nil {
			for i, f := range schema.Inputs {
				if f.Name == key {
					return i, nil
				}
			}
		}
		return -1, culprit(key, errorf(ErrInvalid, "insert node: %s has no input %q", label, key))
	}
	constAt := map[int]string{}
	for key := range o.Consts {
		i, err := formalIndex(key)
		if err != nil {
			return nil, err
		}
		if _, dup := constAt[i]; dup {
			return nil, culprit(key, errorf(ErrInvalid, "insert node: two constants for input %d", i))
		}
		constAt[i] = key
	}
	srcAt := -1
	if o.SrcInput != "" {
		i, err := formalIndex(o.SrcInput)
		if err != nil {
			return nil, err
		}
		if _, clash := constAt[i]; clash {
			return nil, culprit(o.SrcInput, errorf(ErrInvalid, "insert node: input %q gets both Src and a constant", o.SrcInput))
		}
		srcAt = i
	} else {
		for i := 0; ; i++ {
			if _, c := constAt[i]; !c {
				srcAt = i
				break
			}
		}
	}
	nIn := srcAt + 1
	for i := range constAt {
		nIn = max(nIn, i+1)
	}
	formal := func(i int) *opschema.Formal {
		if schema == nil {
			return nil
		}
		f, _ := schema.InputFormal(i)
		return f
	}
	srcElem := onnxproto.TensorProto_UNDEFINED
	if tt := boundaryType(src, o.TypeOf).GetTensorType(); tt != nil {
		srcElem = DataType(tt.GetElemType())
	}
	if schema != nil {
		for i, f := range schema.Inputs {
			if _, c := constAt[i]; i != srcAt && !c && f.Option == opschema.Single && (i < nIn || i < schema.MinInputs) {
				return nil, culprit(o.Op, errorf(ErrInvalid, "insert node: input %d (%s) of %s is required: give it a constant", i, f.Name, label))
			}
		}
		if !schema.AllowsInputs(nIn) {
			return nil, culprit(o.Op, errorf(ErrInvalid, "insert node: %s takes %s inputs, not %d", label, insertArity(schema.MinInputs, schema.MaxInputs), nIn))
		}
		if err := checkAllowed(schema, formal(srcAt), srcElem, label, src.name); err != nil {
			return nil, err
		}
	}
	consts := make([]*Tensor, nIn)
	for i, key := range constAt {
		t, err := constTensor(o.Consts[key], key, schema, formal(i), formal(srcAt), srcElem)
		if err != nil {
			return nil, err
		}
		if schema != nil {
			if err := checkAllowed(schema, formal(i), t.DataType(), label, key); err != nil {
				return nil, err
			}
		}
		consts[i] = t
	}

	// Attributes.
	for i, a := range o.Attrs {
		if a == nil || a.GetName() == "" {
			return nil, errorf(ErrInvalid, "insert node: attribute %d has no name", i)
		}
		for _, b := range o.Attrs[:i] {
			if b.GetName() == a.GetName() {
				return nil, culprit(a.GetName(), errorf(ErrInvalid, "insert node: attribute %q given twice", a.GetName()))
			}
		}
		if a.G != nil || len(a.Graphs) > 0 {
			return nil, culprit(a.GetName(), errorf(ErrInvalid, "insert node: attribute %q holds a graph; graph attributes are not supported here", a.GetName()))
		}
		if schema == nil {
			continue
		}
		decl, ok := schema.Attribute(a.GetName())
		if !ok {
			return nil, culprit(a.GetName(), errorf(ErrInvalid, "insert node: %s has no attribute %q", label, a.GetName()))
		}
		if opschema.AttrType(a.GetType()) != decl.Type {
			return nil, culprit(a.GetName(), errorf(ErrInvalid, "insert node: attribute %q of %s is %v, not %v", a.GetName(), label, decl.Type, opschema.AttrType(a.GetType())))
		}
	}
	if schema != nil {
		for _, decl := range schema.Attributes {
			if decl.Required && !slices.ContainsFunc(o.Attrs, func(a *onnxproto.AttributeProto) bool { return a.GetName() == decl.Name }) {
				return nil, culprit(decl.Name, errorf(ErrInvalid, "insert node: %s needs attribute %q", label, decl.Name))
			}
		}
	}

	// Outputs and names.
	nOut := o.Outputs
	if nOut == 0 {
		nOut = 1
		if schema != nil {
			nOut = max(1, schema.MinOutputs)
		}
	}
	if schema != nil && !schema.AllowsOutputs(nOut) {
		return nil, culprit(o.Op, errorf(ErrInvalid, "insert node: %s has %s outputs, not %d", label, insertArity(schema.MinOutputs, schema.MaxOutputs), nOut))
	}
	name := o.Name
	if name == "" {
		name = g.uniqueNodeName(o.Op)
	} else if len(nodesByName(m.graph)[name]) > 0 {
		return nil, culprit(name, errorf(ErrNameCollision, "insert node: a node named %q exists", name))
	}
	taken := map[string]bool{}
	unique := func(base string) string {
		n := g.UniqueName(base)
		for i := 1; taken[n]; i++ {
			n = g.UniqueName(base + "_" + strconv.Itoa(i))
		}
		taken[n] = true
		return n
	}
	outNames := make([]string, nOut)
	for i := range outNames {
		if nOut == 1 {
			outNames[i] = unique(name + "_output")
		} else {
			outNames[i] = unique(name + "_output_" + strconv.Itoa(i))
		}
	}
	constNames := make([]string, nIn)
	for i, t := range consts {
		if t != nil {
			key := constAt[i]
			if f := formal(i); f != nil {
				key = f.Name
			}
			constNames[i] = unique(name + "_" + key)
		}
	}

	// Edit: nothing below can fail.
	r := &InsertNodeReport{Node: name, Opset: opset, Outputs: outNames}
	inputs := make([]*Value, nIn)
	inputs[srcAt] = src
	for i, t := range consts {
		if t == nil {
			continue
		}
		tp := shallow(t.p)
		tp.Name = proto.String(constNames[i])
		v, err := g.AddInitializer(t.with(tp))
		if err != nil {
			panic("onnxgraph: InsertNode: " + err.Error()) // the name is unique
		}
		inputs[i] = v
		r.Consts = append(r.Consts, summarizeValue(v))
	}
	attrs := make([]*onnxproto.AttributeProto, len(o.Attrs))
	for i, a := range o.Attrs {
		attrs[i] = proto.Clone(a).(*onnxproto.AttributeProto)
	}
	n, err := g.AddNodeIn(o.Domain, o.Op, inputs, outNames, attrs...)
	if err != nil {
		panic("onnxgraph: InsertNode: " + err.Error()) // inputs visible, names unique
	}
	n.SetName(name)
	// Move it from the end to just after Src's producer.
	pos := 0
	if p := src.producer; p != nil && p.graph == g {
		pos = slices.Index(g.nodes, p) + 1
	}
	g.nodes = slices.Insert(g.nodes[:len(g.nodes)-1], pos, n)
	out := n.outputs[0]
	for _, u := range uses {
		_ = u.Node.SetInput(u.Index, out) // in range
		r.Rewired = append(r.Rewired, u.Node.label()+":"+strconv.Itoa(u.Index))
	}
	for _, i := range outIdx {
		old := g.outInfo[i]
		var t *onnxproto.TypeProto
		switch {
		case opts != nil && opts.TypeOf != nil:
			t = opts.TypeOf(out)
		default:
			// The types the edit started with do not know the new output:
			// the model's source infers the model as it is now.
			t = m.InferredType(out)
		}
		if t == nil {
			t = insertedOutputType(srcElem, schema, formal(srcAt))
		}
		_ = g.SetOutput(i, out)
		if old != nil {
			old.Type = t
		}
		r.Graph = append(r.Graph, src.name+" -> "+out.name)
	}
	return r, nil
}

// insertedOutputType is the type of a new node's first output that takes
// a graph output's place, when no TypeOf hook says: Src's element type when
// the schema ties the output to Src's formal, with no shape (the operator
// may change it).
func insertedOutputType(srcElem DataType, schema *opschema.Schema, srcFormal *opschema.Formal) *onnxproto.TypeProto {
	if schema == nil || srcFormal == nil || len(schema.Outputs) == 0 || schema.Outputs[0].Type != srcFormal.Type || srcElem == onnxproto.TensorProto_UNDEFINED {
		return nil
	}
	return TensorType(srcElem, nil)
}

func insertArity(lo, hi int) string {
	switch {
	case hi == opschema.Unbounded:
		return "at least " + strconv.Itoa(lo)
	case lo == hi:
		return strconv.Itoa(lo)
	}
	return strconv.Itoa(lo) + " to " + strconv.Itoa(hi)
}

// typeName is ONNX's spelling of a tensor element type in type
// constraints: "float", "int64", "float16", ...
func constraintElemName(dt DataType) string {
	return strings.ToLower(dt.String())
}

// checkAllowed refuses an element type the formal's constraint excludes.
func checkAllowed(s *opschema.Schema, f *opschema.Formal, dt DataType, label, what string) error {
	if f == nil || dt == onnxproto.TensorProto_UNDEFINED {
		return nil
	}
	allowed := s.AllowedTypes(f)
	if len(allowed) == 0 {
		return nil
	}
	want := "tensor(" + constraintElemName(dt) + ")"
	if slices.Contains(allowed, want) {
		return nil
	}
	return culprit(what, errorf(ErrInvalid, "insert node: input %s of %s cannot be %s (%s allows %s)", f.Name, label, DataTypeName(dt), f.Type, strings.Join(allowed, ", ")))
}

// constTensor builds the constant for a formal input from v.
func constTensor(v any, key string, s *opschema.Schema, f, srcFormal *opschema.Formal, srcElem DataType) (*Tensor, error) {
	if t, ok := v.(*Tensor); ok {
		if t == nil {
			return nil, culprit(key, errorf(ErrInvalid, "insert node: constant %q is nil", key))
		}
		return t, nil
	}
	var floats []float64
	var ints []int64
	var dims []int64
	switch x := v.(type) {
	case float64:
		floats = []float64{x}
	case float32:
		floats = []float64{float64(x)}
	case int:
		ints = []int64{int64(x)}
	case int64:
		ints = []int64{x}
	case []float64:
		floats, dims = x, []int64{int64(len(x))}
	case []float32:
		floats, dims = make([]float64, len(x)), []int64{int64(len(x))}
		for i, f := range x {
			floats[i] = float64(f)
		}
	case []int64:
		ints, dims = x, []int64{int64(len(x))}
	case []int:
		ints, dims = make([]int64, len(x)), []int64{int64(len(x))}
		for i, n := range x {
			ints[i] = int64(n)
		}
	default:
		return nil, culprit(key, errorf(ErrInvalid, "insert node: constant %q: %T is not a *Tensor, number or slice of numbers", key, v))
	}
	if dims == nil {
		dims = []int64{}
	}
	dt := onnxproto.TensorProto_UNDEFINED
	if f != nil {
		switch {
		case strings.HasPrefix(f.Type, "tensor("):
			dt = dataTypeNamed(strings.TrimSuffix(strings.TrimPrefix(f.Type, "tensor("), ")"))
		case srcFormal != nil && f.Type == srcFormal.Type && srcElem != onnxproto.TensorProto_UNDEFINED:
			dt = srcElem
		default:
			if allowed := s.AllowedTypes(f); len(allowed) == 1 && strings.HasPrefix(allowed[0], "tensor(") {
				dt = dataTypeNamed(strings.TrimSuffix(strings.TrimPrefix(allowed[0], "tensor("), ")"))
			}
		}
	} else if srcElem != onnxproto.TensorProto_UNDEFINED {
		dt = srcElem
	}
	if dt == onnxproto.TensorProto_UNDEFINED {
		dt = Float
		if ints != nil {
			dt = Int64
		}
	}
	isFloat := dt == Float || dt == Double || dt == Float16 || dt == BFloat16 || strings.HasPrefix(constraintElemName(dt), "float")
	var t *Tensor
	var err error
	switch {
	case isFloat && ints != nil:
		fs := make([]float64, len(ints))
		for i, n := range ints {
			fs[i] = float64(n)
		}
		t, err = NewTensorOf(key, dt, dims, fs)
	case !isFloat && floats != nil:
		is := make([]int64, len(floats))
		for i, x := range floats {
			if x != math.Trunc(x) || math.IsInf(x, 0) {
				return nil, culprit(key, errorf(ErrInvalid, "insert node: constant %q: %v is not a whole number, and the input is %s", key, x, DataTypeName(dt)))
			}
			is[i] = int64(x)
		}
		t, err = NewTensorOf(key, dt, dims, is)
	case floats != nil:
		t, err = NewTensorOf(key, dt, dims, floats)
	default:
		t, err = NewTensorOf(key, dt, dims, ints)
	}
	if err != nil {
		return nil, culprit(key, err)
	}
	return t, nil
}

// dataTypeNamed returns the element type ONNX's type constraints spell as
// name ("float", "int64"), or UNDEFINED.
func dataTypeNamed(name string) DataType {
	for k := range onnxproto.TensorProto_DataType_name {
		dt := DataType(k)
		if k != 0 && constraintElemName(dt) == name {
			return dt
		}
	}
	return onnxproto.TensorProto_UNDEFINED
}
