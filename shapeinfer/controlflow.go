package shapeinfer

import (
	"slices"

	"github.com/onnxgraph/onnxgraph"
)

// The control-flow family: If (branch outputs merged, or the branch taken
// when the condition is known), Loop (carried state generalized until it is
// stable, scan outputs stacked along the trip count) and Scan.

var controlflowTable = join(
	all(inferIf, versions("ai.onnx", "If", 1, 11, 13, 16, 19, 21, 23, 24, 25)),
	all(inferLoop, versions("ai.onnx", "Loop", 1, 11, 13, 16, 19, 21, 23, 24, 25)),
	all(inferScan8, versions("ai.onnx", "Scan", 8)),
	all(inferScan, versions("ai.onnx", "Scan", 9, 11, 16, 19, 21, 23, 24, 25)),
)

// graphInferrer is what inferBody calls to infer a body. The call goes
// through an interface because a direct one would make the table's
// initialization depend on itself (table -> inferIf -> inferGraph ->
// inferNode -> table), which Go rejects.
type graphInferrer interface {
	inferGraph(g *onnxgraph.Graph, top bool) error
}

// inferBody infers subgraph g of c's node like Ctx.InferGraph, but also
// takes known contents for some of g's inputs (nil entries: none) and
// returns what is known of the outputs' contents.
func inferBody(c *Ctx, g *onnxgraph.Graph, inputs []*Type, data []*Data) ([]*Type, []*Data, error) {
	s := c.s
	child := &scope{e: s.e, parent: s, types: map[*onnxgraph.Value]*Type{}, data: map[*onnxgraph.Value]*Data{}}
	for i, v := range g.Inputs() {
		if i < len(inputs) && inputs[i] != nil {
			child.types[v] = bodyInput(declared(v), inputs[i])
		}
		if i < len(data) && data[i] != nil {
			child.data[v] = data[i]
		}
	}
	var gi graphInferrer = child
	if err := gi.inferGraph(g, false); err != nil {
		return nil, nil, err
	}
	outs := make([]*Type, len(g.Outputs()))
	outData := make([]*Data, len(outs))
	for i, v := range g.Outputs() {
		outs[i] = child.typeOf(v)
		outData[i] = child.dataOf(v)
	}
	for v, t := range child.types {
		s.e.res.types[v] = t
	}
	return outs, outData, nil
}

// bodyInput is the type a body input takes: what the caller passes, with
// what the body declares filling the gaps (the body's own dim names are
// local to it, so the caller's symbols win over them).
func bodyInput(decl, given *Type) *Type {
	if decl == nil {
		return given
	}
	if given == nil || given.Kind == KindUnknown {
		return decl
	}
	if decl.Kind != given.Kind {
		return given
	}
	out := *given
	if out.Elem == 0 {
		out.Elem = decl.Elem
	}
	switch given.Kind {
	case KindTensor, KindSparseTensor:
		switch {
		case given.Shape == nil:
			out.Shape = decl.Shape
		case len(decl.Shape) == len(given.Shape):
			out.Shape = slices.Clone(given.Shape)
			for i, d := range out.Shape {
				if d.IsUnknown() {
					out.Shape[i] = decl.Shape[i]
				}
			}
		}
	default:
		out.Sub = bodyInput(decl.Sub, given.Sub)
	}
	return &out
}

func inferIf(c *Ctx) error {
	then, els := c.Subgraph("then_branch"), c.Subgraph("else_branch")
	if then == nil || els == nil {
		return c.Errorf(CodeInvalid, "If needs then_branch and else_branch")
	}
	if s, ok := c.InputShape(0); ok && s.NumElements().Expr() != nil {
		if n, ok := s.NumElements().Value(); ok && n != 1 {
			return c.Errorf(CodeInvalid, "the condition has %d elements, not 1", n)
		}
	}
	tt, td, err := inferBody(c, then, nil, nil)
	if err != nil {
		return err
	}
	et, ed, err := inferBody(c, els, nil, nil)
	if err != nil {
		return err
	}
	if len(tt) != len(et) {
		return c.Errorf(CodeInvalid, "then_branch has %d outputs, else_branch %d", len(tt), len(et))
	}
	if len(tt) != c.NumOutputs() {
		return c.Errorf(CodeInvalid, "the branches have %d outputs, the node %d", len(tt), c.NumOutputs())
	}
	if cond, ok := c.Data(0).KnownInts(); ok && len(cond) == 1 {
		pick, data := tt, td
		if cond[0] == 0 {
			pick, data = et, ed
		}
		for i := range pick {
			c.SetOutput(i, pick[i])
			c.SetData(i, data[i])
		}
		return nil
	}
	var first error
	for i := range tt {
		t, err := unifyTypes(tt[i], et[i], c.Fresh)
		if err != nil && first == nil {
			first = c.Errorf(CodeInvalid, "output %d: %v", i, err)
		}
		c.SetOutput(i, t)
	}
	return first
}

// typeMismatch is an error unifying two types.
type typeMismatch string

func (e typeMismatch) Error() string { return string(e) }

// unifyTypes returns a type that holds both a and b: equal dims are kept,
// dims that differ become other() (a fresh dim for one value chosen at run
// time, Unknown for sequence elements that may differ), ranks that differ
// become an unknown rank. Kinds or element types that differ are an error.
func unifyTypes(a, b *Type, other func() Dim) (*Type, error) {
	if a == nil || b == nil {
		return nil, nil
	}
	if a.Kind != b.Kind {
		if a.Kind == KindUnknown || b.Kind == KindUnknown {
			return nil, nil
		}
		return nil, typeMismatch("kinds differ: " + a.String() + " and " + b.String())
	}
	out := &Type{Kind: a.Kind, Elem: a.Elem}
	if a.Elem == 0 {
		out.Elem = b.Elem
	} else if b.Elem != 0 && a.Elem != b.Elem {
		return nil, typeMismatch("element types differ: " + a.String() + " and " + b.String())
	}
	switch a.Kind {
	case KindTensor, KindSparseTensor:
		out.Shape = unifyShapes(a.Shape, b.Shape, other)
	case KindSequence, KindOptional, KindMap:
		sub, err := unifyTypes(a.Sub, b.Sub, other)
		if err != nil {
			return nil, err
		}
		out.Sub = sub
	}
	return out, nil
}

func unifyShapes(a, b Shape, other func() Dim) Shape {
	if a == nil || b == nil || len(a) != len(b) {
		return nil
	}
	out := make(Shape, len(a))
	for i := range a {
		switch {
		case a[i].Equal(b[i]):
			out[i] = a[i]
		case a[i].IsUnknown() || b[i].IsUnknown():
			out[i] = Unknown
		default:
			out[i] = other()
		}
	}
	return out
}

// generalize returns a type that holds both the initial type of a carried
// value and its type after one iteration: dims that change become unknown.
// When the kinds differ (an optional sequence carried as a sequence), the
// body's type wins: it is the type of every value after the first.
func generalize(init, next *Type) *Type {
	if init == nil {
		return next
	}
	if next == nil {
		return init
	}
	t, err := unifyTypes(init, next, func() Dim { return Unknown })
	if err != nil {
		return next
	}
	if t == nil {
		return init
	}
	return t
}

func sameType(a, b *Type) bool { return a.String() == b.String() }

func inferLoop(c *Ctx) error {
	body := c.Subgraph("body")
	if body == nil {
		return c.Errorf(CodeInvalid, "Loop needs a body")
	}
	carried := c.NumInputs() - 2
	if carried < 0 {
		return c.Errorf(CodeInvalid, "Loop needs the M and cond inputs (possibly empty)")
	}
	if n := len(body.Inputs()); n != carried+2 {
		return c.Errorf(CodeInvalid, "the body has %d inputs, want %d (iteration, condition and %d carried values)", n, carried+2, carried)
	}
	nScan := len(body.Outputs()) - 1 - carried
	if nScan < 0 {
		return c.Errorf(CodeInvalid, "the body has %d outputs, want at least %d", len(body.Outputs()), 1+carried)
	}
	if c.NumOutputs() > carried+nScan {
		return c.Errorf(CodeInvalid, "the node has %d outputs, the body gives %d", c.NumOutputs(), carried+nScan)
	}
	types := make([]*Type, carried+2)
	types[0] = Tensor(onnxgraph.Int64, Shape{})
	types[1] = Tensor(onnxgraph.Bool, Shape{})
	for i := range carried {
		types[2+i] = c.Input(2 + i)
	}
	// The body's condition is known true on entry when the loop's is true
	// or absent. If the body then keeps it true whatever the iteration, the
	// loop runs M times.
	condIn, condFalse := true, false
	if c.HasInput(1) {
		v, ok := c.Data(1).KnownInts()
		condIn = ok && len(v) == 1 && v[0] != 0
		condFalse = ok && len(v) == 1 && v[0] == 0
	}
	data := make([]*Data, carried+2)
	if condIn {
		data[1] = &Data{Ints: []Dim{known(1)}}
	}
	outs, outData, err := inferBody(c, body, types, data)
	if err != nil {
		return err
	}
	// A carried sequence the body only appends to ends with its initial
	// elements and the body's insertions (only those when it starts empty).
	refined := false
	for i := range carried {
		if t := seqAppended(c, body, i); t != nil && (types[2+i] == nil || !sameType(t, types[2+i])) {
			types[2+i], refined = t, true
		}
	}
	if refined {
		if outs, outData, err = inferBody(c, body, types, data); err != nil {
			return err
		}
	}
	// Carried values whose type changes in the body are generalized and the
	// body inferred again, until the types are stable (twice is enough: a
	// generalized dim stays unknown).
	for range 2 {
		changed := false
		for i := range carried {
			g := generalize(types[2+i], outs[1+i])
			if types[2+i] != nil && !sameType(g, types[2+i]) {
				types[2+i], changed = g, true
			}
		}
		if !changed {
			break
		}
		if outs, outData, err = inferBody(c, body, types, data); err != nil {
			return err
		}
	}
	// A loop with M and without cond runs M times; with cond, M times when
	// the body keeps the condition true.
	trip := Unknown
	if m, ok := scalarDim(c.Data(0)); ok && !m.IsUnknown() {
		v, condKnown := outData[0].KnownInts()
		if !c.HasInput(1) || (condIn && condKnown && len(v) == 1 && v[0] != 0) {
			trip = m
		}
		if v, ok := m.Value(); ok && v <= 0 {
			trip = known(0)
		}
	}
	if condFalse {
		trip = known(0)
	}
	for i := range carried {
		if v, ok := trip.Value(); ok && v == 0 {
			types[2+i] = c.Input(2 + i) // the body never runs
		} else {
			types[2+i] = generalize(types[2+i], outs[1+i])
		}
	}
	return loopOutputs(c, types, outs, carried, nScan, trip)
}

// seqAppended returns the type of Loop-carried value i when it is a
// sequence that the body extends with SequenceInsert only: the union of
// the inserted types and, unless the sequence starts empty, of its initial
// element type. It is nil in any other case.
func seqAppended(c *Ctx, body *onnxgraph.Graph, i int) *Type {
	init := c.Input(2 + i)
	if init == nil || init.Kind != KindSequence {
		return nil
	}
	in, v := body.Inputs()[2+i], body.Outputs()[1+i]
	var added []*Type
	for steps := 0; v != in; steps++ {
		n, _ := v.Producer()
		if n == nil || steps > maxSeqChain || (n.Domain() != "" && n.Domain() != "ai.onnx") {
			return nil
		}
		switch n.OpType() {
		case "SequenceInsert":
			added = append(added, c.s.e.res.types[n.Input(1)])
		case "Identity":
		default:
			return nil
		}
		v = n.Input(0)
	}
	if len(added) == 0 {
		return nil
	}
	if elems, ok := seqElems(c.s, c.Node.Input(2+i), 0); !ok || len(elems) > 0 {
		added = append(added, init.Sub)
	}
	var elem onnxgraph.DataType
	if init.Sub != nil {
		elem = init.Sub.Elem
	}
	return SequenceOf(unionOf(added, elem))
}

// loopOutputs sets the Loop's outputs: the carried values' types, then the
// scan outputs stacked along the trip count (fresh when unknown).
func loopOutputs(c *Ctx, types, outs []*Type, carried, nScan int, trip Dim) error {
	for i := range carried {
		c.SetOutput(i, types[2+i])
		if v, ok := trip.Value(); ok && v == 0 {
			c.SetData(i, c.Data(2+i))
		}
	}
	var err error
	if trip.IsUnknown() && nScan > 0 {
		trip = c.Fresh()
		err = c.Errorf(CodeDataDependent, "the number of iterations is known only at run time")
	}
	for j := range nScan {
		var t *Type
		if outs != nil {
			t = outs[1+carried+j]
		}
		switch {
		case t == nil:
			c.SetOutput(carried+j, nil)
		case !t.IsTensor():
			return c.Errorf(CodeInvalid, "scan output %d is a %s, not a tensor", j, t)
		case t.Shape == nil:
			c.SetOutput(carried+j, Tensor(t.Elem, nil))
		default:
			c.SetOutput(carried+j, Tensor(t.Elem, joinDims(Shape{trip}, t.Shape)))
		}
	}
	return err
}

// inferScan serves Scan-9 and later: scan inputs sliced along
// scan_input_axes, scan outputs stacked along scan_output_axes.
func inferScan(c *Ctx) error {
	body := c.Subgraph("body")
	if body == nil {
		return c.Errorf(CodeInvalid, "Scan needs a body")
	}
	nScanIn := int(c.Int("num_scan_inputs", 0))
	nState := c.NumInputs() - nScanIn
	if nScanIn < 1 || nState < 0 {
		return c.Errorf(CodeInvalid, "num_scan_inputs is %d for %d inputs", nScanIn, c.NumInputs())
	}
	nScanOut := c.NumOutputs() - nState
	if nScanOut < 0 || len(body.Outputs()) != nState+nScanOut || len(body.Inputs()) != nState+nScanIn {
		return c.Errorf(CodeInvalid, "the body has %d inputs and %d outputs for %d state values, %d scan inputs and %d scan outputs",
			len(body.Inputs()), len(body.Outputs()), nState, nScanIn, nScanOut)
	}
	inAxes, ok := c.Ints("scan_input_axes")
	if !ok {
		inAxes = make([]int64, nScanIn)
	}
	if len(inAxes) != nScanIn {
		return c.Errorf(CodeInvalid, "%d scan_input_axes for %d scan inputs", len(inAxes), nScanIn)
	}
	outAxes, ok := c.Ints("scan_output_axes")
	if !ok {
		outAxes = make([]int64, nScanOut)
	}
	if len(outAxes) != nScanOut {
		return c.Errorf(CodeInvalid, "%d scan_output_axes for %d scan outputs", len(outAxes), nScanOut)
	}
	types := make([]*Type, nState+nScanIn)
	for i := range nState {
		types[i] = c.Input(i)
	}
	seq := Unknown
	for j := range nScanIn {
		t := c.Input(nState + j)
		if !t.HasShape() {
			continue
		}
		ax, err := axis(c, inAxes[j], len(t.Shape))
		if err != nil {
			return err
		}
		if seq.IsUnknown() {
			seq = t.Shape[ax]
		} else if a, ok := seq.Value(); ok {
			if b, ok := t.Shape[ax].Value(); ok && a != b {
				return c.Errorf(CodeInvalid, "scan input %d has %d iterations, another %d", j, b, a)
			}
		}
		types[nState+j] = Tensor(t.Elem, slices.Delete(slices.Clone(t.Shape), ax, ax+1))
	}
	outs, _, err := inferBody(c, body, types, nil)
	if err != nil {
		return err
	}
	for i := range nState {
		c.SetOutput(i, generalize(types[i], outs[i]))
	}
	if seq.IsUnknown() {
		seq = c.Fresh()
	}
	for j := range nScanOut {
		t := outs[nState+j]
		if t == nil || !t.HasShape() {
			if t != nil {
				c.SetOutput(nState+j, Tensor(t.Elem, nil))
			}
			continue
		}
		ax, err := axis(c, outAxes[j], len(t.Shape)+1)
		if err != nil {
			return err
		}
		c.SetOutput(nState+j, Tensor(t.Elem, slices.Insert(slices.Clone(t.Shape), ax, seq)))
	}
	return nil
}

// inferScan8: Scan-8 has a leading batch axis on every input and output and
// scans along axis 1; input 0 is the optional sequence_lens.
func inferScan8(c *Ctx) error {
	body := c.Subgraph("body")
	if body == nil {
		return c.Errorf(CodeInvalid, "Scan needs a body")
	}
	nScanIn := int(c.Int("num_scan_inputs", 0))
	nState := c.NumInputs() - 1 - nScanIn
	if nScanIn < 1 || nState < 0 {
		return c.Errorf(CodeInvalid, "num_scan_inputs is %d for %d inputs", nScanIn, c.NumInputs())
	}
	nScanOut := c.NumOutputs() - nState
	if nScanOut < 0 || len(body.Outputs()) != nState+nScanOut || len(body.Inputs()) != nState+nScanIn {
		return c.Errorf(CodeInvalid, "the body has %d inputs and %d outputs for %d state values, %d scan inputs and %d scan outputs",
			len(body.Inputs()), len(body.Outputs()), nState, nScanIn, nScanOut)
	}
	batch, seq := Unknown, Unknown
	note := func(d *Dim, x Dim) {
		if d.IsUnknown() {
			*d = x
		}
	}
	types := make([]*Type, nState+nScanIn)
	for i := range nState + nScanIn {
		t := c.Input(1 + i)
		if !t.HasShape() {
			continue
		}
		skip := 1
		if i >= nState {
			skip = 2
		}
		if len(t.Shape) < skip {
			return c.Errorf(CodeInvalid, "input %d has rank %d, want at least %d", 1+i, len(t.Shape), skip)
		}
		note(&batch, t.Shape[0])
		if skip == 2 {
			note(&seq, t.Shape[1])
		}
		types[i] = Tensor(t.Elem, slices.Clone(t.Shape[skip:]))
	}
	outs, _, err := inferBody(c, body, types, nil)
	if err != nil {
		return err
	}
	if seq.IsUnknown() {
		seq = c.Fresh()
	}
	for i, t := range outs {
		if t == nil || !t.HasShape() {
			if t != nil {
				c.SetOutput(i, Tensor(t.Elem, nil))
			}
			continue
		}
		lead := Shape{batch}
		if i >= nState {
			lead = Shape{batch, seq}
		}
		c.SetOutput(i, Tensor(t.Elem, joinDims(lead, t.Shape)))
	}
	return nil
}
