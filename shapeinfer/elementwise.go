package shapeinfer

import "github.com/onnxgraph/onnxgraph"

// The elementwise family: unary operators that keep type and shape,
// broadcasting binary and variadic operators, comparisons, Where, Cast.

var elementwiseTable = join(
	all(sameAsInput,
		versions("ai.onnx", "Relu", 1, 6, 13, 14),
		versions("ai.onnx", "Neg", 1, 6, 13),
		versions("ai.onnx", "Abs", 1, 6, 13),
		versions("ai.onnx", "Sigmoid", 1, 6, 13),
		versions("ai.onnx", "Tanh", 1, 6, 13),
		versions("ai.onnx", "Exp", 1, 6, 13),
		versions("ai.onnx", "Log", 1, 6, 13),
		versions("ai.onnx", "Sqrt", 1, 6, 13),
	),
	all(binaryArith,
		versions("ai.onnx", "Add", 1, 6, 7, 13, 14),
		versions("ai.onnx", "Sub", 1, 6, 7, 13, 14),
		versions("ai.onnx", "Mul", 1, 6, 7, 13, 14),
		versions("ai.onnx", "Div", 1, 6, 7, 13, 14),
	),
	all(inferCast, versions("ai.onnx", "Cast", 1, 6, 9, 13, 19, 21, 23, 24, 25)),
)

// binaryArith is Add/Sub/Mul/Div (opset 7+ broadcasting; earlier versions
// with broadcast=1 follow the same rule for their allowed cases), with
// integer data propagated.
func binaryArith(c *Ctx) error {
	a, b := c.Input(0), c.Input(1)
	if a == nil || b == nil {
		if a != nil {
			c.SetOutput(0, Tensor(a.Elem, nil))
		}
		return nil
	}
	shape, err := broadcast(c, a.Shape, b.Shape)
	if err != nil {
		return err
	}
	c.SetOutput(0, Tensor(a.Elem, shape))
	da, db := c.Data(0), c.Data(1)
	if da == nil || db == nil || da.Ints == nil || db.Ints == nil {
		return nil
	}
	n := max(len(da.Ints), len(db.Ints))
	if (len(da.Ints) != n && len(da.Ints) != 1) || (len(db.Ints) != n && len(db.Ints) != 1) || n > maxData {
		return nil
	}
	at := func(d *Data, i int) Dim {
		if len(d.Ints) == 1 {
			return d.Ints[0]
		}
		return d.Ints[i]
	}
	out := make([]Dim, n)
	for i := range out {
		x, y := at(da, i), at(db, i)
		switch c.Node.OpType() {
		case "Add":
			out[i] = x.Add(y)
		case "Sub":
			out[i] = x.Sub(y)
		case "Mul":
			out[i] = x.Mul(y)
		case "Div":
			xv, xk := x.Value()
			yv, yk := y.Value()
			if xk && yk && yv != 0 {
				out[i] = Known(xv / yv) // integer division truncates
			} else if yk && yv > 0 {
				out[i] = x.FloorDiv(y) // sizes are non-negative: floor = trunc
			}
		}
	}
	shp := da.Shape
	if len(db.Ints) > len(da.Ints) {
		shp = db.Shape
	}
	c.SetData(0, &Data{Shape: shp, Ints: out})
	return nil
}

func inferCast(c *Ctx) error {
	t := c.Input(0)
	to := onnxgraph.DataType(c.Int("to", 0))
	if t == nil {
		c.SetOutput(0, Tensor(to, nil))
		return nil
	}
	c.SetOutput(0, Tensor(to, t.Shape))
	if d := c.Data(0); d != nil && d.Ints != nil && isInteger(to) {
		c.SetData(0, d)
	}
	return nil
}

func isInteger(dt onnxgraph.DataType) bool {
	switch dt {
	case onnxgraph.Int64, onnxgraph.Int32, onnxgraph.Int16, onnxgraph.Int8,
		onnxgraph.Uint64, onnxgraph.Uint32, onnxgraph.Uint16, onnxgraph.Uint8:
		return true
	}
	return false
}
