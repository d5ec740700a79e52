package shapeinfer

import "strings"

// The recurrent family: RNN, GRU and LSTM. With layout 0 (the default) X
// is [seq, batch, input], Y [seq, num_directions, batch, hidden] and Y_h,
// Y_c [num_directions, batch, hidden]; with layout 1 (opset 14) the batch
// comes first: X [batch, seq, input], Y [batch, seq, num_directions,
// hidden], Y_h, Y_c [batch, num_directions, hidden].

var rnnTable = join(
	all(inferRNN,
		versions("ai.onnx", "RNN", 1, 7, 14, 22),
		versions("ai.onnx", "GRU", 1, 3, 7, 14, 22),
		versions("ai.onnx", "LSTM", 1, 7, 14, 22),
	),
)

// rnnGates is the number of gate blocks stacked in W and R.
func rnnGates(op string) int64 {
	switch op {
	case "GRU":
		return 3
	case "LSTM":
		return 4
	}
	return 1
}

// inferRNN is RNN, GRU and LSTM: hidden_size from the attribute, else
// from R (or W); num_directions from direction; dims laid out by layout.
func inferRNN(c *Ctx) error {
	x := c.Input(0)
	elem := c.Elem(0)
	var dirs int64
	switch d := strings.ToLower(c.String("direction", "forward")); d {
	case "forward", "reverse", "foward":
		dirs = 1
	case "bidirectional":
		dirs = 2
	default:
		return c.Errorf(CodeInvalid, "unknown direction %q", d)
	}
	layout := c.Int("layout", 0)
	if layout != 0 && layout != 1 {
		return c.Errorf(CodeInvalid, "layout %d must be 0 or 1", layout)
	}
	hidden := Unknown
	if a := c.Attr("hidden_size"); a != nil && a.I != nil {
		if a.GetI() <= 0 {
			return c.Errorf(CodeInvalid, "hidden_size %d must be positive", a.GetI())
		}
		hidden = Known(a.GetI())
	}
	if r, ok := c.InputShape(2); ok {
		if len(r) != 3 {
			return c.Errorf(CodeInvalid, "R has rank %d, want 3", len(r))
		}
		if hidden.IsUnknown() {
			hidden = r[2]
		} else if _, err := mergeEqualDim(c, hidden, r[2]); err != nil {
			return c.Errorf(CodeInvalid, "R %v does not match hidden_size %v", r, hidden)
		}
		if v, ok := r[0].Value(); ok && v != dirs {
			return c.Errorf(CodeInvalid, "R has %d directions, direction %q needs %d", v, c.String("direction", "forward"), dirs)
		}
	}
	if w, ok := c.InputShape(1); ok {
		if len(w) != 3 {
			return c.Errorf(CodeInvalid, "W has rank %d, want 3", len(w))
		}
		if hidden.IsUnknown() {
			hidden = w[1].FloorDiv(Known(rnnGates(c.Node.OpType())))
		}
		if v, ok := w[0].Value(); ok && v != dirs {
			return c.Errorf(CodeInvalid, "W has %d directions, direction %q needs %d", v, c.String("direction", "forward"), dirs)
		}
	}
	seq, batch := Unknown, Unknown
	if x.HasShape() {
		if len(x.Shape) != 3 {
			return c.Errorf(CodeInvalid, "X has rank %d, want 3", len(x.Shape))
		}
		seq, batch = x.Shape[0], x.Shape[1]
		if layout == 1 {
			seq, batch = batch, seq
		}
	}
	nd := Known(dirs)
	y := Shape{seq, nd, batch, hidden}
	yh := Shape{nd, batch, hidden}
	if layout == 1 {
		y = Shape{batch, seq, nd, hidden}
		yh = Shape{batch, nd, hidden}
	}
	c.SetOutput(0, Tensor(elem, y))
	for i := 1; i < c.NumOutputs(); i++ {
		c.SetOutput(i, Tensor(elem, yh))
	}
	return nil
}
