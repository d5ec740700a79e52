package shapeinfer

import (
	"slices"

	"github.com/onnxgraph/onnxgraph"
)

// The sequence and optional family. A sequence's type holds one element
// type, the union of its elements' types; when a sequence is built by a
// chain of SequenceEmpty, SequenceConstruct, SequenceInsert, SequenceErase
// and SplitToSequence with known positions, its elements are known one by
// one, and SequenceAt, SequenceLength and ConcatFromSequence are exact.

var sequenceTable = join(
	all(inferSequenceEmpty, versions("ai.onnx", "SequenceEmpty", 11)),
	all(inferSequenceConstruct, versions("ai.onnx", "SequenceConstruct", 11)),
	all(inferSequenceInsert, versions("ai.onnx", "SequenceInsert", 11)),
	all(inferSequenceErase, versions("ai.onnx", "SequenceErase", 11)),
	all(inferSequenceAt, versions("ai.onnx", "SequenceAt", 11)),
	all(inferSequenceLength, versions("ai.onnx", "SequenceLength", 11)),
	all(inferSplitToSequence, versions("ai.onnx", "SplitToSequence", 11, 24)),
	all(inferConcatFromSequence, versions("ai.onnx", "ConcatFromSequence", 11)),
	all(inferSequenceMap, versions("ai.onnx", "SequenceMap", 17)),
	all(inferOptional, versions("ai.onnx", "Optional", 15)),
	all(inferOptionalHasElement, versions("ai.onnx", "OptionalHasElement", 15, 18)),
	all(inferOptionalGetElement, versions("ai.onnx", "OptionalGetElement", 15, 18)),
)

// maxSeqChain bounds how far back a sequence's elements are traced.
const maxSeqChain = 64

// seqElems returns the types of the elements of sequence v, one by one,
// when v is built by a chain of sequence operators with known positions.
func seqElems(s *scope, v *onnxgraph.Value, depth int) ([]*Type, bool) {
	if v == nil || depth > maxSeqChain {
		return nil, false
	}
	n, _ := v.Producer()
	if n == nil || (n.Domain() != "" && n.Domain() != "ai.onnx") {
		return nil, false
	}
	pos := func(i int, size int, insert bool) (int, bool) {
		if n.Input(i) == nil {
			if insert {
				return size, true
			}
			return size - 1, size > 0
		}
		p, ok := s.dataOf(n.Input(i)).KnownInts()
		if !ok || len(p) != 1 {
			return 0, false
		}
		k := int(p[0])
		if k < 0 {
			k += size
		}
		limit := size
		if !insert {
			limit = size - 1
		}
		return k, k >= 0 && k <= limit
	}
	switch n.OpType() {
	case "SequenceEmpty":
		return []*Type{}, true
	case "SequenceConstruct":
		out := make([]*Type, n.NumInputs())
		for i, in := range n.Inputs() {
			out[i] = s.typeOf(in)
		}
		return out, true
	case "SequenceInsert":
		base, ok := seqElems(s, n.Input(0), depth+1)
		if !ok {
			return nil, false
		}
		k, ok := pos(2, len(base), true)
		if !ok {
			return nil, false
		}
		return slices.Insert(slices.Clone(base), k, s.typeOf(n.Input(1))), true
	case "SequenceErase":
		base, ok := seqElems(s, n.Input(0), depth+1)
		if !ok {
			return nil, false
		}
		k, ok := pos(1, len(base), false)
		if !ok {
			return nil, false
		}
		return slices.Delete(slices.Clone(base), k, k+1), true
	case "SplitToSequence":
		var split *Data
		if n.Input(1) != nil {
			if split = s.dataOf(n.Input(1)); split == nil {
				return nil, false
			}
		}
		ax, keep := int64(0), int64(1)
		if a := n.Attr("axis"); a != nil {
			ax = a.GetI()
		}
		if a := n.Attr("keepdims"); a != nil {
			keep = a.GetI()
		}
		elems, _, ok := splitElems(s.typeOf(n.Input(0)), split, n.Input(1) != nil, ax, keep != 0)
		return elems, ok
	case "Identity":
		return seqElems(s, n.Input(0), depth+1)
	}
	return nil, false
}

// unionOf is the sequence element type that holds every type of elems:
// dims that differ are unknown. An empty list gives a tensor of elem of
// unknown rank.
func unionOf(elems []*Type, elem onnxgraph.DataType) *Type {
	if len(elems) == 0 {
		return Tensor(elem, nil)
	}
	t := elems[0]
	for _, e := range elems[1:] {
		u, err := unifyTypes(t, e, func() Dim { return Unknown })
		if err != nil {
			return nil
		}
		t = u
	}
	return t
}

func inferSequenceEmpty(c *Ctx) error {
	c.SetOutput(0, SequenceOf(Tensor(onnxgraph.DataType(c.Int("dtype", int64(onnxgraph.Float))), nil)))
	return nil
}

func inferSequenceConstruct(c *Ctx) error {
	if c.NumInputs() == 0 {
		return c.Errorf(CodeInvalid, "SequenceConstruct needs at least one input")
	}
	elems := make([]*Type, c.NumInputs())
	for i := range elems {
		elems[i] = c.Input(i)
		if elems[i] != nil && !elems[i].IsTensor() {
			return c.Errorf(CodeInvalid, "input %d is a %s, not a tensor", i, elems[i])
		}
	}
	for i := 1; i < len(elems); i++ {
		if a, b := elems[0], elems[i]; a != nil && b != nil && a.Elem != 0 && b.Elem != 0 && a.Elem != b.Elem {
			return c.Errorf(CodeInvalid, "input %d is %s, input 0 %s", i, onnxgraph.DataTypeName(b.Elem), onnxgraph.DataTypeName(a.Elem))
		}
	}
	c.SetOutput(0, SequenceOf(unionOf(elems, 0)))
	return nil
}

// seqInput returns input i's type when it is a sequence (an error when it
// is something else).
func seqInput(c *Ctx, i int) (*Type, error) {
	t := c.Input(i)
	if t == nil || t.Kind == KindUnknown {
		return nil, nil
	}
	if t.Kind != KindSequence {
		return nil, c.Errorf(CodeInvalid, "input %d is a %s, not a sequence", i, t)
	}
	return t, nil
}

func inferSequenceInsert(c *Ctx) error {
	seq, err := seqInput(c, 0)
	if err != nil {
		return err
	}
	t := c.Input(1)
	if seq != nil && seq.Sub != nil && t != nil && seq.Sub.Elem != 0 && t.Elem != 0 && seq.Sub.Elem != t.Elem {
		return c.Errorf(CodeInvalid, "inserting %s into a sequence of %s", onnxgraph.DataTypeName(t.Elem), onnxgraph.DataTypeName(seq.Sub.Elem))
	}
	if elems, ok := seqElems(c.s, c.Node.Output(0), 0); ok {
		var elem onnxgraph.DataType
		if seq != nil && seq.Sub != nil {
			elem = seq.Sub.Elem
		}
		c.SetOutput(0, SequenceOf(unionOf(elems, elem)))
		return nil
	}
	if seq == nil {
		if t != nil {
			c.SetOutput(0, SequenceOf(Tensor(t.Elem, nil)))
		}
		return nil
	}
	u, _ := unifyTypes(seq.Sub, t, func() Dim { return Unknown })
	c.SetOutput(0, SequenceOf(u))
	return nil
}

func inferSequenceErase(c *Ctx) error {
	seq, err := seqInput(c, 0)
	if err != nil {
		return err
	}
	if elems, ok := seqElems(c.s, c.Node.Output(0), 0); ok && seq != nil && seq.Sub != nil && len(elems) > 0 {
		c.SetOutput(0, SequenceOf(unionOf(elems, seq.Sub.Elem)))
		return nil
	}
	c.SetOutput(0, seq)
	return nil
}

func inferSequenceAt(c *Ctx) error {
	seq, err := seqInput(c, 0)
	if err != nil {
		return err
	}
	if s, ok := c.InputShape(1); ok && len(s) != 0 {
		return c.Errorf(CodeInvalid, "position has rank %d, not a scalar", len(s))
	}
	if elems, ok := seqElems(c.s, c.Node.Input(0), 0); ok {
		if p, ok := c.Data(1).KnownInts(); ok && len(p) == 1 {
			k := p[0]
			if k < 0 {
				k += int64(len(elems))
			}
			if k < 0 || k >= int64(len(elems)) {
				return c.Errorf(CodeInvalid, "position %d out of range for %d elements", p[0], len(elems))
			}
			if elems[k] != nil {
				c.SetOutput(0, elems[k])
				return nil
			}
		}
	}
	if seq != nil {
		c.SetOutput(0, seq.Sub)
	}
	return nil
}

func inferSequenceLength(c *Ctx) error {
	if _, err := seqInput(c, 0); err != nil {
		return err
	}
	c.SetOutput(0, Tensor(onnxgraph.Int64, Shape{}))
	if elems, ok := seqElems(c.s, c.Node.Input(0), 0); ok {
		c.SetData(0, &Data{Ints: []Dim{known(int64(len(elems)))}})
	}
	return nil
}

// splitElems returns the elements of SplitToSequence of a tensor of type
// in, one by one when the sizes are known, and their union.
func splitElems(in *Type, split *Data, hasSplit bool, ax int64, keepdims bool) (elems []*Type, union *Type, exact bool) {
	if in == nil {
		return nil, nil, false
	}
	if !in.HasShape() {
		return nil, Tensor(in.Elem, nil), false
	}
	r := len(in.Shape)
	if ax < -int64(r) || ax >= int64(r) {
		return nil, nil, false
	}
	if ax < 0 {
		ax += int64(r)
	}
	dim := in.Shape[ax]
	with := func(d Dim) *Type {
		s := slices.Clone(in.Shape)
		s[ax] = d
		return Tensor(in.Elem, s)
	}
	n, nk := dim.Value()
	switch {
	case !hasSplit:
		t := with(known(1))
		if !keepdims {
			t = Tensor(in.Elem, slices.Delete(slices.Clone(in.Shape), int(ax), int(ax)+1))
		}
		if !nk || n > maxData {
			return nil, t, false
		}
		elems = make([]*Type, n)
		for i := range elems {
			elems[i] = t
		}
		return elems, t, true
	case split == nil || split.Ints == nil:
		return nil, with(Unknown), false
	case len(split.Shape) == 0:
		if len(split.Ints) != 1 {
			return nil, with(Unknown), false
		}
		k, ok := split.Ints[0].Value()
		if !ok || k <= 0 {
			return nil, with(Unknown), false
		}
		if !nk {
			return nil, with(Unknown), false
		}
		if pieces := n/k + min(n%k, 1); pieces > maxData {
			// Too many to list (a [2^62] input split by 1): every piece
			// but a shorter last one has k.
			if n%k == 0 {
				return nil, with(known(k)), false
			}
			return nil, with(Unknown), false
		}
		for left := n; left > 0; left -= k {
			elems = append(elems, with(known(min(k, left))))
		}
		if elems == nil {
			elems = []*Type{}
		}
		return elems, unionOf(elems, in.Elem), true
	}
	elems = make([]*Type, len(split.Ints))
	for i, d := range split.Ints {
		elems[i] = with(d)
	}
	return elems, unionOf(elems, in.Elem), true
}

func inferSplitToSequence(c *Ctx) error {
	in := c.Input(0)
	if in == nil {
		return nil
	}
	if in.HasShape() {
		if _, err := axis(c, c.Int("axis", 0), len(in.Shape)); err != nil {
			return err
		}
	}
	if s, ok := c.InputShape(1); ok && len(s) > 1 {
		return c.Errorf(CodeInvalid, "split has rank %d", len(s))
	}
	_, union, _ := splitElems(in, c.Data(1), c.HasInput(1), c.Int("axis", 0), c.Int("keepdims", 1) != 0)
	c.SetOutput(0, SequenceOf(union))
	return nil
}

func inferConcatFromSequence(c *Ctx) error {
	seq, err := seqInput(c, 0)
	if err != nil || seq == nil || seq.Sub == nil {
		return err
	}
	newAxis := c.Int("new_axis", 0) == 1
	if c.Attr("axis") == nil {
		return c.Errorf(CodeInvalid, "ConcatFromSequence needs the axis attribute")
	}
	a := c.Int("axis", 0)
	sub := seq.Sub
	// Exact when the elements are known one by one.
	if elems, ok := seqElems(c.s, c.Node.Input(0), 0); ok && len(elems) > 0 {
		shapes := make([]Shape, len(elems))
		known := true
		for i, e := range elems {
			if !e.HasShape() {
				known = false
				break
			}
			shapes[i] = e.Shape
		}
		if known {
			out, err := joinShapes(c, shapes, a, newAxis)
			if err != nil {
				return err
			}
			c.SetOutput(0, Tensor(sub.Elem, out))
			return nil
		}
	}
	if !sub.HasShape() {
		c.SetOutput(0, Tensor(sub.Elem, nil))
		return nil
	}
	r := len(sub.Shape)
	if newAxis {
		ax, err := axis(c, a, r+1)
		if err != nil {
			return err
		}
		c.SetOutput(0, Tensor(sub.Elem, slices.Insert(slices.Clone(sub.Shape), ax, Unknown)))
		return nil
	}
	ax, err := axis(c, a, r)
	if err != nil {
		return err
	}
	out := slices.Clone(sub.Shape)
	out[ax] = Unknown
	c.SetOutput(0, Tensor(sub.Elem, out))
	return nil
}

// joinShapes concatenates shapes along axis a, or stacks them along a new
// axis a.
func joinShapes(c *Ctx, shapes []Shape, a int64, stack bool) (Shape, error) {
	r := len(shapes[0])
	for i, s := range shapes {
		if len(s) != r {
			return nil, c.Errorf(CodeInvalid, "element %d has rank %d, element 0 rank %d", i, len(s), r)
		}
	}
	if stack {
		ax, err := axis(c, a, r+1)
		if err != nil {
			return nil, err
		}
		out := slices.Clone(shapes[0])
		for _, s := range shapes[1:] {
			out = unifyShapes(out, s, func() Dim { return Unknown })
		}
		return slices.Insert(out, ax, known(int64(len(shapes)))), nil
	}
	ax, err := axis(c, a, r)
	if err != nil {
		return nil, err
	}
	out := slices.Clone(shapes[0])
	for i, s := range shapes[1:] {
		for k := range s {
			if k == ax {
				out[k] = out[k].Add(s[k])
				continue
			}
			if x, ok := out[k].Value(); ok {
				if y, ok := s[k].Value(); ok && x != y {
					return nil, c.Errorf(CodeInvalid, "element %d: dim %d is %d, not %d", i+1, k, y, x)
				}
			}
			if !out[k].Equal(s[k]) {
				out[k] = Unknown
			}
		}
	}
	return out, nil
}

func inferSequenceMap(c *Ctx) error {
	body := c.Subgraph("body")
	if body == nil {
		return c.Errorf(CodeInvalid, "SequenceMap needs a body")
	}
	if len(body.Inputs()) != c.NumInputs() {
		return c.Errorf(CodeInvalid, "the body has %d inputs, the node %d", len(body.Inputs()), c.NumInputs())
	}
	if len(body.Outputs()) != c.NumOutputs() {
		return c.Errorf(CodeInvalid, "the body has %d outputs, the node %d", len(body.Outputs()), c.NumOutputs())
	}
	if _, err := seqInput(c, 0); err != nil {
		return err
	}
	types := make([]*Type, c.NumInputs())
	for i := range types {
		t := c.Input(i)
		if t != nil && t.Kind == KindSequence {
			t = t.Sub
		}
		types[i] = t
	}
	outs, _, err := inferBody(c, body, types, nil)
	if err != nil {
		return err
	}
	for i, t := range outs {
		if t != nil {
			c.SetOutput(i, SequenceOf(t))
		}
	}
	return nil
}

func inferOptional(c *Ctx) error {
	if c.HasInput(0) {
		if t := c.Input(0); t != nil {
			c.SetOutput(0, OptionalOf(t))
		}
		return nil
	}
	a := c.Attr("type")
	if a == nil || a.GetTp() == nil {
		return c.Errorf(CodeInvalid, "Optional without input needs the type attribute")
	}
	c.SetOutput(0, OptionalOf(FromProto(a.GetTp())))
	return nil
}

func inferOptionalHasElement(c *Ctx) error {
	c.SetOutput(0, Tensor(onnxgraph.Bool, Shape{}))
	if !c.HasInput(0) {
		if since(c) < 18 {
			return c.Errorf(CodeInvalid, "OptionalHasElement-15 needs an input")
		}
		c.SetData(0, &Data{Ints: []Dim{known(0)}})
		return nil
	}
	if n, _ := c.Node.Input(0).Producer(); n != nil && n.OpType() == "Optional" && (n.Domain() == "" || n.Domain() == "ai.onnx") {
		has := int64(0)
		if n.Input(0) != nil {
			has = 1
		}
		c.SetData(0, &Data{Ints: []Dim{known(has)}})
	}
	return nil
}

func inferOptionalGetElement(c *Ctx) error {
	t := c.Input(0)
	if t == nil {
		return nil
	}
	switch {
	case t.Kind == KindOptional:
		c.SetOutput(0, t.Sub)
	case since(c) >= 18 && t.Kind != KindUnknown:
		c.SetOutput(0, t)
		c.SetData(0, c.Data(0))
	default:
		return c.Errorf(CodeInvalid, "input is a %s, not an optional", t)
	}
	return nil
}
