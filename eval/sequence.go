package eval

// Sequences and optionals: SequenceConstruct, SequenceEmpty, SequenceAt,
// SequenceInsert, SequenceErase, SequenceLength, SplitToSequence,
// ConcatFromSequence, SequenceMap, Optional, OptionalHasElement,
// OptionalGetElement.

var sequenceTable = map[key]entry{
	{onnx, "SequenceConstruct", 11}:  kv(seqConstruct, tAny),
	{onnx, "SequenceEmpty", 11}:      kv(seqEmpty, nil, "dtype"),
	{onnx, "SequenceAt", 11}:         kv(seqAt, nil),
	{onnx, "SequenceInsert", 11}:     kv(seqInsert, nil),
	{onnx, "SequenceErase", 11}:      kv(seqErase, nil),
	{onnx, "SequenceLength", 11}:     kv(seqLength, nil),
	{onnx, "SplitToSequence", 11}:    kv(splitToSeq, tAny, "axis", "keepdims"),
	{onnx, "SplitToSequence", 24}:    kv(splitToSeq, tAny, "axis", "keepdims"),
	{onnx, "ConcatFromSequence", 11}: kv(concatFromSeq, nil, "axis", "new_axis"),
	{onnx, "SequenceMap", 17}:        kv(seqMap, nil, "body"),
	{onnx, "Optional", 15}:           kv(optionalOp, tAny, "type"),
	{onnx, "OptionalHasElement", 15}: kv(optHas, nil),
	{onnx, "OptionalHasElement", 18}: kv(optHas, nil),
	{onnx, "OptionalGetElement", 15}: kv(optGet, nil),
	{onnx, "OptionalGetElement", 18}: kv(optGet, nil),
}

func seqArg(v any) (*sequence, error) {
	s, ok := v.(*sequence)
	if !ok {
		return nil, invalidf("input is a %s, not a sequence", kindName(v))
	}
	return s, nil
}

// position reads an optional position input for a sequence of n items;
// def is used when it is absent. end allows n itself (insertion).
func position(v any, n int, def int, end bool) (int, error) {
	if v == nil {
		return def, nil
	}
	t, ok := v.(*tensor)
	if !ok {
		return 0, invalidf("position is a %s", kindName(v))
	}
	p, err := scalarInt(t, "position")
	if err != nil {
		return 0, err
	}
	hi := int64(n)
	if !end {
		hi--
	}
	if p < -int64(n) || p > hi {
		return 0, invalidf("position %d for a sequence of %d", p, n)
	}
	if p < 0 {
		p += int64(n)
	}
	return int(p), nil
}

func seqConstruct(c *ctx, in []any) ([]any, error) {
	ts, err := tensors(in)
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		if t.dt != ts[0].dt {
			return nil, invalidf("tensors of types %s and %s", typeName(ts[0].dt), typeName(t.dt))
		}
	}
	return []any{&sequence{elem: ts[0].dt, items: ts}}, nil
}

func seqEmpty(c *ctx, in []any) ([]any, error) {
	dt := dtFloat
	if c.has("dtype") {
		dt = DataType(c.int("dtype"))
	}
	if c.err != nil {
		return nil, c.err
	}
	return []any{&sequence{elem: dt}}, nil
}

func seqAt(c *ctx, in []any) ([]any, error) {
	s, err := seqArg(in[0])
	if err != nil {
		return nil, err
	}
	if in[1] == nil {
		return nil, invalidf("no position")
	}
	p, err := position(in[1], len(s.items), 0, false)
	if err != nil {
		return nil, err
	}
	return []any{s.items[p]}, nil
}

func seqInsert(c *ctx, in []any) ([]any, error) {
	s, err := seqArg(in[0])
	if err != nil {
		return nil, err
	}
	t, ok := in[1].(*tensor)
	if !ok {
		return nil, invalidf("tensor is a %s", kindName(in[1]))
	}
	elem := s.elem
	if len(s.items) > 0 {
		elem = s.items[0].dt
	}
	if elem != 0 && t.dt != elem {
		return nil, invalidf("%s tensor into a sequence of %s", typeName(t.dt), typeName(elem))
	}
	var pv any
	if len(in) > 2 {
		pv = in[2]
	}
	p, err := position(pv, len(s.items), len(s.items), true)
	if err != nil {
		return nil, err
	}
	items := append(append(append([]*tensor{}, s.items[:p]...), t), s.items[p:]...)
	return []any{&sequence{elem: t.dt, items: items}}, nil
}

func seqErase(c *ctx, in []any) ([]any, error) {
	s, err := seqArg(in[0])
	if err != nil {
		return nil, err
	}
	if len(s.items) == 0 {
		return nil, invalidf("erase from an empty sequence")
	}
	var pv any
	if len(in) > 1 {
		pv = in[1]
	}
	p, err := position(pv, len(s.items), len(s.items)-1, false)
	if err != nil {
		return nil, err
	}
	items := append(append([]*tensor{}, s.items[:p]...), s.items[p+1:]...)
	return []any{&sequence{elem: s.elem, items: items}}, nil
}

func seqLength(c *ctx, in []any) ([]any, error) {
	s, err := seqArg(in[0])
	if err != nil {
		return nil, err
	}
	return []any{withData(dtInt64, nil, []int64{int64(len(s.items))})}, nil
}

func splitToSeq(c *ctx, in []any) ([]any, error) {
	x, ok := in[0].(*tensor)
	if !ok {
		return nil, invalidf("input is a %s", kindName(in[0]))
	}
	axis, err := normAxis(c.int("axis"), x.rank())
	keep := c.int("keepdims") != 0
	if c.err != nil {
		return nil, c.err
	}
	if err != nil {
		return nil, err
	}
	dim := x.shape[axis]
	var sizes []int
	squeeze := false
	if len(in) < 2 || in[1] == nil {
		for range dim {
			sizes = append(sizes, 1)
		}
		squeeze = !keep
	} else {
		st, ok := in[1].(*tensor)
		if !ok {
			return nil, invalidf("split is a %s", kindName(in[1]))
		}
		v, err := toInt64s(st)
		if err != nil {
			return nil, err
		}
		if st.rank() == 0 {
			if v[0] < 1 {
				return nil, invalidf("split %d", v[0])
			}
			for rest := dim; rest > 0; rest -= int(v[0]) {
				sizes = append(sizes, min(int(v[0]), rest))
			}
		} else {
			total := 0
			for _, s := range v {
				if s < 0 || s > int64(dim) {
					return nil, invalidf("split %v for a dim of %d", v, dim)
				}
				sizes = append(sizes, int(s))
				total += int(s)
			}
			if total != dim {
				return nil, invalidf("split %v for a dim of %d", v, dim)
			}
		}
	}
	s := &sequence{elem: x.dt}
	start := 0
	for _, n := range sizes {
		t := sliceAxis(x, axis, start, start+n)
		if squeeze {
			t = reshaped(t, append(append([]int{}, x.shape[:axis]...), x.shape[axis+1:]...))
		}
		s.items = append(s.items, t)
		start += n
	}
	return []any{s}, nil
}

func concatFromSeq(c *ctx, in []any) ([]any, error) {
	s, err := seqArg(in[0])
	if err != nil {
		return nil, err
	}
	axis := c.int("axis")
	newAxis := c.int("new_axis") != 0
	if c.err != nil {
		return nil, c.err
	}
	if len(s.items) == 0 {
		return nil, invalidf("concatenation of an empty sequence")
	}
	items := s.items
	if newAxis {
		r := items[0].rank() + 1
		a, err := normAxis(axis, r)
		if err != nil {
			return nil, err
		}
		items = make([]*tensor, len(s.items))
		for i, t := range s.items {
			if t.rank() != r-1 {
				return nil, invalidf("tensors of ranks %d and %d", r-1, t.rank())
			}
			shape := append(append(append([]int{}, t.shape[:a]...), 1), t.shape[a:]...)
			items[i] = reshaped(t, shape)
		}
		axis = int64(a)
	}
	out, err := concatT(c, items, axis)
	if err != nil {
		return nil, err
	}
	return []any{out}, nil
}

func seqMap(c *ctx, in []any) ([]any, error) {
	body, err := c.subgraph("body")
	if err != nil {
		return nil, err
	}
	s, err := seqArg(in[0])
	if err != nil {
		return nil, err
	}
	for _, v := range in[1:] {
		if o, ok := v.(*sequence); ok && len(o.items) != len(s.items) {
			return nil, invalidf("sequences of lengths %d and %d", len(s.items), len(o.items))
		}
	}
	outs := make([]*sequence, len(body.Outputs()))
	for i, v := range body.Outputs() {
		outs[i] = &sequence{elem: DataType(v.ElemType())}
		if t := v.Type(); t.GetSequenceType() != nil {
			outs[i].elem = DataType(t.GetSequenceType().GetElemType().GetTensorType().GetElemType())
		}
	}
	for i, item := range s.items {
		args := []any{item}
		for _, v := range in[1:] {
			if o, ok := v.(*sequence); ok {
				args = append(args, o.items[i])
			} else {
				args = append(args, v)
			}
		}
		res, err := c.r.runGraph(body, c.env, args)
		if err != nil {
			return nil, err
		}
		for j, r := range res {
			t, ok := r.(*tensor)
			if !ok {
				return nil, invalidf("body output %d is a %s", j, kindName(r))
			}
			outs[j].elem = t.dt
			outs[j].items = append(outs[j].items, t)
		}
	}
	res := make([]any, len(outs))
	for i, o := range outs {
		res[i] = o
	}
	return res, nil
}

func optionalOp(c *ctx, in []any) ([]any, error) {
	c.raw("type", 13)
	if c.err != nil {
		return nil, c.err
	}
	if len(in) == 0 || in[0] == nil {
		return []any{&optional{}}, nil
	}
	return []any{&optional{v: in[0]}}, nil
}

func optHas(c *ctx, in []any) ([]any, error) {
	has := false
	if len(in) > 0 && in[0] != nil {
		if o, ok := in[0].(*optional); ok {
			has = o.v != nil
		} else {
			has = true
		}
	}
	return []any{withData(dtBool, nil, []bool{has})}, nil
}

func optGet(c *ctx, in []any) ([]any, error) {
	if in[0] == nil {
		return nil, invalidf("no input")
	}
	o, ok := in[0].(*optional)
	if !ok {
		return []any{in[0]}, nil
	}
	if o.v == nil {
		return nil, invalidf("optional is empty")
	}
	return []any{o.v}, nil
}
