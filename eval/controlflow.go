package eval

import (
	"github.com/onnxgraph/onnxgraph"
)

// Control flow: If, Loop, Scan. Subgraphs run in the scope of the node,
// so that they read the values of the graphs around them.

var controlflowTable = map[key]entry{
	{onnx, "If", 1}:    kv(ifOp, tBool, "else_branch", "then_branch"),
	{onnx, "If", 11}:   kv(ifOp, tBool, "else_branch", "then_branch"),
	{onnx, "If", 13}:   kv(ifOp, tBool, "else_branch", "then_branch"),
	{onnx, "If", 16}:   kv(ifOp, tBool, "else_branch", "then_branch"),
	{onnx, "If", 19}:   kv(ifOp, tBool, "else_branch", "then_branch"),
	{onnx, "If", 21}:   kv(ifOp, tBool, "else_branch", "then_branch"),
	{onnx, "If", 23}:   kv(ifOp, tBool, "else_branch", "then_branch"),
	{onnx, "If", 24}:   kv(ifOp, tBool, "else_branch", "then_branch"),
	{onnx, "If", 25}:   kv(ifOp, tBool, "else_branch", "then_branch"),
	{onnx, "Loop", 1}:  kv(loop, tInt64, "body"),
	{onnx, "Loop", 11}: kv(loop, tInt64, "body"),
	{onnx, "Loop", 13}: kv(loop, tInt64, "body"),
	{onnx, "Loop", 16}: kv(loop, tInt64, "body"),
	{onnx, "Loop", 19}: kv(loop, tInt64, "body"),
	{onnx, "Loop", 21}: kv(loop, tInt64, "body"),
	{onnx, "Loop", 23}: kv(loop, tInt64, "body"),
	{onnx, "Loop", 24}: kv(loop, tInt64, "body"),
	{onnx, "Loop", 25}: kv(loop, tInt64, "body"),
	{onnx, "Scan", 8}:  kv(scan8, tInt64, "body", "directions", "num_scan_inputs"),
	{onnx, "Scan", 9}:  kv(scan, nil, scanAttrs...),
	{onnx, "Scan", 11}: kv(scan, nil, scanAttrs...),
	{onnx, "Scan", 16}: kv(scan, nil, scanAttrs...),
	{onnx, "Scan", 19}: kv(scan, nil, scanAttrs...),
	{onnx, "Scan", 21}: kv(scan, nil, scanAttrs...),
	{onnx, "Scan", 23}: kv(scan, nil, scanAttrs...),
	{onnx, "Scan", 24}: kv(scan, nil, scanAttrs...),
	{onnx, "Scan", 25}: kv(scan, nil, scanAttrs...),
}

var scanAttrs = []string{"body", "num_scan_inputs", "scan_input_axes", "scan_input_directions", "scan_output_axes", "scan_output_directions"}

// subgraph returns the graph attribute name, or an error.
func (c *ctx) subgraph(name string) (*onnxgraph.Graph, error) {
	g := c.graph(name)
	if c.err != nil {
		return nil, c.err
	}
	if g == nil {
		return nil, invalidf("no %s", name)
	}
	return g, nil
}

// boolScalar reads a one-element bool tensor.
func boolScalar(v any, what string) (bool, error) {
	t, ok := v.(*tensor)
	if !ok {
		return false, invalidf("%s is a %s", what, kindName(v))
	}
	b, ok := t.data.([]bool)
	if !ok || len(b) != 1 {
		return false, invalidf("%s must be one bool", what)
	}
	return b[0], nil
}

func ifOp(c *ctx, in []any) ([]any, error) {
	cond, err := boolScalar(in[0], "cond")
	if err != nil {
		return nil, err
	}
	name := "else_branch"
	if cond {
		name = "then_branch"
	}
	g, err := c.subgraph(name)
	if err != nil {
		return nil, err
	}
	outs, err := c.r.runGraph(g, c.env, nil)
	if err != nil {
		return nil, err
	}
	if len(outs) != c.nout {
		return nil, invalidf("%s has %d outputs, the node %d", name, len(outs), c.nout)
	}
	return outs, nil
}

func loop(c *ctx, in []any) ([]any, error) {
	body, err := c.subgraph("body")
	if err != nil {
		return nil, err
	}
	maxTrip := c.opts.MaxElements // a loop without a bound stops there
	bounded := false
	if len(in) > 0 && in[0] != nil {
		t, ok := in[0].(*tensor)
		if !ok {
			return nil, invalidf("M is a %s", kindName(in[0]))
		}
		m, err := scalarInt(t, "M")
		if err != nil {
			return nil, err
		}
		maxTrip, bounded = m, true
	}
	cond := true
	if len(in) > 1 && in[1] != nil {
		if cond, err = boolScalar(in[1], "cond"); err != nil {
			return nil, err
		}
	}
	var carried []any
	if len(in) > 2 {
		carried = append(carried, in[2:]...)
	}
	nc := len(carried)
	bodyOuts := len(body.Outputs())
	if len(body.Inputs()) != nc+2 || bodyOuts < nc+1 {
		return nil, invalidf("body has %d inputs and %d outputs for %d loop-carried values", len(body.Inputs()), bodyOuts, nc)
	}
	nscan := bodyOuts - 1 - nc
	scans := make([][]*tensor, nscan)
	var i int64
	for ; i < maxTrip && cond; i++ {
		args := append([]any{withData(dtInt64, nil, []int64{i}), withData(dtBool, nil, []bool{cond})}, carried...)
		outs, err := c.r.runGraph(body, c.env, args)
		if err != nil {
			return nil, err
		}
		if cond, err = boolScalar(outs[0], "cond output"); err != nil {
			return nil, err
		}
		carried = outs[1 : 1+nc]
		for s := range nscan {
			t, ok := outs[1+nc+s].(*tensor)
			if !ok {
				return nil, invalidf("scan output %d is a %s", s, kindName(outs[1+nc+s]))
			}
			scans[s] = append(scans[s], t)
		}
	}
	if !bounded && cond && i >= maxTrip {
		return nil, errorf(ErrTooLarge, "loop without a trip count ran %d iterations", i)
	}
	res := append([]any{}, carried...)
	for s := range nscan {
		st, err := stack(c, scans[s], body.Outputs()[1+nc+s])
		if err != nil {
			return nil, err
		}
		res = append(res, st)
	}
	return res, nil
}

// stack joins tensors of one shape along a new first axis; with none, it
// returns an empty tensor of the element type v declares.
func stack(c *ctx, items []*tensor, v *onnxgraph.Value) (*tensor, error) {
	if len(items) == 0 {
		dt := DataType(v.ElemType())
		if makeData(dt, 0) == nil {
			dt = dtFloat
		}
		return withData(dt, []int{0}, makeData(dt, 0)), nil
	}
	parts := make([]*tensor, len(items))
	for i, t := range items {
		if !equalShapes(t.shape, items[0].shape) {
			return nil, invalidf("scan outputs of shapes %s and %s", shapeString(items[0].shape), shapeString(t.shape))
		}
		parts[i] = reshaped(t, append([]int{1}, t.shape...))
	}
	return concatT(c, parts, 0)
}

// scanCore runs a Scan-9 body over the scan inputs.
func scanCore(c *ctx, body *onnxgraph.Graph, states []*tensor, xs []*tensor, inAxes, inDirs, outAxes, outDirs []int64) ([]*tensor, []*tensor, error) {
	n := -1
	for i, x := range xs {
		a, err := normAxis(inAxes[i], x.rank())
		if err != nil {
			return nil, nil, err
		}
		if n >= 0 && x.shape[a] != n {
			return nil, nil, invalidf("scan inputs of lengths %d and %d", n, x.shape[a])
		}
		n = x.shape[a]
	}
	if n < 0 {
		return nil, nil, invalidf("no scan inputs")
	}
	nout := len(body.Outputs()) - len(states)
	if nout < 0 || len(body.Inputs()) != len(states)+len(xs) {
		return nil, nil, invalidf("body of %d inputs and %d outputs", len(body.Inputs()), len(body.Outputs()))
	}
	scans := make([][]*tensor, nout)
	for t := range n {
		args := make([]any, 0, len(states)+len(xs))
		for _, s := range states {
			args = append(args, s)
		}
		for i, x := range xs {
			a, _ := normAxis(inAxes[i], x.rank())
			j := t
			if inDirs[i] != 0 {
				j = n - 1 - t
			}
			sl := sliceAxis(x, a, j, j+1)
			shape := append(append([]int{}, x.shape[:a]...), x.shape[a+1:]...)
			args = append(args, reshaped(sl, shape))
		}
		outs, err := c.r.runGraph(body, c.env, args)
		if err != nil {
			return nil, nil, err
		}
		for i := range states {
			s, ok := outs[i].(*tensor)
			if !ok {
				return nil, nil, invalidf("state output %d is a %s", i, kindName(outs[i]))
			}
			states[i] = s
		}
		for i := range nout {
			s, ok := outs[len(states)+i].(*tensor)
			if !ok {
				return nil, nil, invalidf("scan output %d is a %s", i, kindName(outs[len(states)+i]))
			}
			scans[i] = append(scans[i], s)
		}
	}
	res := make([]*tensor, nout)
	for i := range nout {
		items := scans[i]
		if outDirs[i] != 0 {
			rev := make([]*tensor, len(items))
			for j, t := range items {
				rev[len(items)-1-j] = t
			}
			items = rev
		}
		st, err := stack(c, items, body.Outputs()[len(states)+i])
		if err != nil {
			return nil, nil, err
		}
		if a := outAxes[i]; a != 0 {
			ax, err := normAxis(a, st.rank())
			if err != nil {
				return nil, nil, err
			}
			perm := make([]int, st.rank())
			j := 1
			for d := range perm {
				switch {
				case d == ax:
					perm[d] = 0
				default:
					perm[d] = j
					j++
				}
			}
			if st, err = transposeT(c, st, perm); err != nil {
				return nil, nil, err
			}
		}
		res[i] = st
	}
	return states, res, nil
}

// listOr returns the list attribute name padded with zeros to n entries.
func listOr(c *ctx, name string, n int) ([]int64, error) {
	v, ok := c.ints(name)
	if !ok || len(v) == 0 {
		return make([]int64, n), nil
	}
	if len(v) != n {
		return nil, invalidf("%s has %d entries for %d values", name, len(v), n)
	}
	return v, nil
}

func tensors(in []any) ([]*tensor, error) {
	out := make([]*tensor, len(in))
	for i, v := range in {
		t, ok := v.(*tensor)
		if !ok {
			return nil, invalidf("input %d is a %s", i, kindName(v))
		}
		out[i] = t
	}
	return out, nil
}

func scan(c *ctx, in []any) ([]any, error) {
	body, err := c.subgraph("body")
	if err != nil {
		return nil, err
	}
	m := int(c.int("num_scan_inputs"))
	if c.err != nil {
		return nil, c.err
	}
	if m < 1 || m > len(in) {
		return nil, invalidf("num_scan_inputs %d for %d inputs", m, len(in))
	}
	ts, err := tensors(in)
	if err != nil {
		return nil, err
	}
	ns := len(in) - m
	nout := len(body.Outputs()) - ns
	inAxes, err := listOr(c, "scan_input_axes", m)
	if err != nil {
		return nil, err
	}
	inDirs, err := listOr(c, "scan_input_directions", m)
	if err != nil {
		return nil, err
	}
	outAxes, err := listOr(c, "scan_output_axes", max(nout, 0))
	if err != nil {
		return nil, err
	}
	outDirs, err := listOr(c, "scan_output_directions", max(nout, 0))
	if err != nil {
		return nil, err
	}
	states, outs, err := scanCore(c, body, append([]*tensor{}, ts[:ns]...), ts[ns:], inAxes, inDirs, outAxes, outDirs)
	if err != nil {
		return nil, err
	}
	res := make([]any, 0, len(states)+len(outs))
	for _, s := range states {
		res = append(res, s)
	}
	for _, o := range outs {
		res = append(res, o)
	}
	return res, nil
}

// scan8 is Scan-8: every input has a batch dim first and the scan runs
// along dim 1 of each batch element.
func scan8(c *ctx, in []any) ([]any, error) {
	body, err := c.subgraph("body")
	if err != nil {
		return nil, err
	}
	m := int(c.int("num_scan_inputs"))
	if c.err != nil {
		return nil, c.err
	}
	if len(in) > 0 && in[0] != nil {
		return nil, notImplf("sequence_lens")
	}
	ts, err := tensors(in[1:])
	if err != nil {
		return nil, err
	}
	if m < 1 || m > len(ts) {
		return nil, invalidf("num_scan_inputs %d for %d inputs", m, len(ts))
	}
	dirs, err := listOr(c, "directions", m)
	if err != nil {
		return nil, err
	}
	ns := len(ts) - m
	nout := len(body.Outputs()) - ns
	if nout < 0 {
		return nil, invalidf("body of %d outputs for %d states", len(body.Outputs()), ns)
	}
	batch := -1
	for _, t := range ts {
		if t.rank() < 1 || (batch >= 0 && t.shape[0] != batch) {
			return nil, invalidf("inputs without a common batch dim")
		}
		batch = t.shape[0]
	}
	perState := make([][]*tensor, ns)
	perOut := make([][]*tensor, nout)
	for b := range batch {
		pick := func(t *tensor) *tensor {
			s := sliceAxis(t, 0, b, b+1)
			return reshaped(s, t.shape[1:])
		}
		states := make([]*tensor, ns)
		for i := range states {
			states[i] = pick(ts[i])
		}
		xs := make([]*tensor, m)
		for i := range xs {
			xs[i] = pick(ts[ns+i])
		}
		st, outs, err := scanCore(c, body, states, xs, make([]int64, m), dirs, make([]int64, nout), make([]int64, nout))
		if err != nil {
			return nil, err
		}
		for i, s := range st {
			perState[i] = append(perState[i], s)
		}
		for i, o := range outs {
			perOut[i] = append(perOut[i], o)
		}
	}
	res := []any{}
	for i, items := range perState {
		s, err := stack(c, items, body.Outputs()[i])
		if err != nil {
			return nil, err
		}
		res = append(res, s)
	}
	for i, items := range perOut {
		s, err := stack(c, items, body.Outputs()[ns+i])
		if err != nil {
			return nil, err
		}
		res = append(res, s)
	}
	return res, nil
}
