package shapeinfer

import (
	"github.com/onnxgraph/onnxgraph"
)

// The signal family: DFT, STFT, the window generators and
// MelWeightMatrix. Their output sizes come from scalar inputs, read as
// data when known.

var signalTable = join(
	all(inferDFT, versions("ai.onnx", "DFT", 17, 20)),
	all(inferSTFT, versions("ai.onnx", "STFT", 17)),
	all(inferWindow,
		versions("ai.onnx", "HannWindow", 17),
		versions("ai.onnx", "HammingWindow", 17),
		versions("ai.onnx", "BlackmanWindow", 17),
	),
	all(inferMelWeightMatrix, versions("ai.onnx", "MelWeightMatrix", 17)),
)

// scalarInput returns the value of input i, a scalar or 1-element integer
// tensor, as a dim: ok is false when the input is absent; the dim is
// unknown when its value is not known.
func scalarInput(c *Ctx, i int) (d Dim, present bool, err error) {
	if !c.HasInput(i) {
		return Unknown, false, nil
	}
	if s, ok := c.InputShape(i); ok {
		if n, ok := s.NumElements().Value(); len(s) > 1 || (ok && n != 1) {
			return Unknown, true, c.Errorf(CodeInvalid, "input %d must be a scalar, has shape %v", i, s)
		}
	}
	if data := c.Data(i); data != nil && data.Ints != nil && len(data.Ints) == 1 {
		return data.Ints[0], true, nil
	}
	return Unknown, true, nil
}

// inferDFT: the DFT axis gets dft_length (default: the axis size, or
// 2*(size-1) for the inverse of a one-sided transform); a one-sided forward
// transform keeps floor(n/2)+1 bins. The last dim is 2 (complex), or 1 for
// the one-sided inverse (real). The axis is an attribute in opset 17 and
// an input (default -2) in opset 20.
func inferDFT(c *Ctx) error {
	x := c.Input(0)
	elem := c.Elem(0)
	if !x.HasShape() {
		c.SetOutput(0, Tensor(elem, nil))
		return nil
	}
	r := len(x.Shape)
	if r < 2 {
		c.SetOutput(0, Tensor(elem, nil))
		return c.Errorf(CodeInvalid, "input has rank %d, want at least 2 (signal dims, then 1 or 2)", r)
	}
	if v, ok := x.Shape[r-1].Value(); ok && v != 1 && v != 2 {
		c.SetOutput(0, Tensor(elem, nil))
		return c.Errorf(CodeInvalid, "the last dim is %d, want 1 (real) or 2 (complex)", v)
	}
	inverse, onesided := c.Int("inverse", 0) == 1, c.Int("onesided", 0) == 1
	out := append(Shape(nil), x.Shape...)
	out[r-1] = Known(2)
	if onesided && inverse {
		out[r-1] = Known(1)
	}
	var a int64
	if c.Schema != nil && c.Schema.SinceVersion < 20 {
		a = c.Int("axis", 1)
	} else {
		a = -2
		if c.HasInput(2) {
			v, ok := c.Data(2).KnownInts()
			if !ok || len(v) != 1 {
				for i := range r - 1 {
					out[i] = Unknown
				}
				c.SetOutput(0, Tensor(elem, out))
				return c.Errorf(CodeDataDependent, "axis %q is not known", operandName(c, 2))
			}
			a = v[0]
		}
	}
	if a < -int64(r) || a > int64(r)-2 || a == -1 {
		c.SetOutput(0, Tensor(elem, nil))
		return c.Errorf(CodeInvalid, "axis %d out of range for rank %d (the last dim holds the complex parts)", a, r)
	}
	if a < 0 {
		a += int64(r)
	}
	n, present, err := scalarInput(c, 1)
	if err != nil {
		c.SetOutput(0, Tensor(elem, nil))
		return err
	}
	if !present {
		n = x.Shape[a]
		if onesided && inverse {
			n = n.Sub(Known(1)).Mul(Known(2))
		}
	}
	if n.IsUnknown() {
		out[a] = c.Fresh()
		c.SetOutput(0, Tensor(elem, out))
		return c.Errorf(CodeDataDependent, "dft_length %q is not known", operandName(c, 1))
	}
	if v, ok := n.Value(); ok && v <= 0 {
		c.SetOutput(0, Tensor(elem, nil))
		return c.Errorf(CodeInvalid, "dft_length %d must be positive", v)
	}
	if onesided && !inverse {
		n = n.FloorDiv(Known(2)).Add(Known(1))
	}
	out[a] = n
	c.SetOutput(0, Tensor(elem, out))
	return nil
}

// inferSTFT: [batch, frames, bins, 2] with frames = (signal_length -
// frame_length) / frame_step + 1 and bins = frame_length, or
// frame_length/2 + 1 when one-sided. frame_length defaults to the window's
// length.
func inferSTFT(c *Ctx) error {
	elem := c.Elem(0)
	out := Shape{Unknown, Unknown, Unknown, Known(2)}
	sig, ok := c.InputShape(0)
	if ok {
		if len(sig) != 3 {
			c.SetOutput(0, Tensor(elem, nil))
			return c.Errorf(CodeInvalid, "signal has rank %d, want 3 (batch, length, 1 or 2)", len(sig))
		}
		out[0] = sig[0]
	}
	step, _, err := scalarInput(c, 1)
	if err != nil {
		return err
	}
	length, present, err := scalarInput(c, 3)
	if err != nil {
		return err
	}
	if w, ok := c.InputShape(2); ok && c.HasInput(2) {
		if len(w) != 1 {
			return c.Errorf(CodeInvalid, "window has rank %d, want 1", len(w))
		}
		if !present {
			length, present = w[0], true
		} else if _, err := mergeEqualDim(c, length, w[0]); err != nil {
			return c.Errorf(CodeInvalid, "frame_length %v differs from the window's length %v", length, w[0])
		}
	}
	if v, ok := step.Value(); ok && v <= 0 {
		return c.Errorf(CodeInvalid, "frame_step %d must be positive", v)
	}
	if !length.IsUnknown() {
		out[2] = length
		if c.Int("onesided", 1) == 1 {
			out[2] = length.FloorDiv(Known(2)).Add(Known(1))
		}
	}
	if sig != nil && !step.IsUnknown() && !length.IsUnknown() {
		out[1] = sig[1].Sub(length).FloorDiv(step).Add(Known(1))
		if v, ok := out[1].Value(); ok && v < 0 {
			return c.Errorf(CodeInvalid, "the signal is shorter than a frame")
		}
	}
	var missing string
	switch {
	case step.IsUnknown():
		missing = "frame_step"
	case !present:
		missing = "frame_length (no window or frame_length given)"
	case length.IsUnknown():
		missing = "frame_length"
	}
	for i, d := range out {
		if d.IsUnknown() && missing != "" {
			out[i] = c.Fresh()
		}
	}
	c.SetOutput(0, Tensor(elem, out))
	if missing != "" {
		return c.Errorf(CodeDataDependent, "%s is not known", missing)
	}
	return nil
}

// inferWindow: [size] of output_datatype (float by default).
func inferWindow(c *Ctx) error {
	elem := onnxgraph.DataType(c.Int("output_datatype", int64(onnxgraph.Float)))
	n, present, err := scalarInput(c, 0)
	if err != nil || !present {
		c.SetOutput(0, Tensor(elem, Shape{Unknown}))
		if err == nil {
			err = c.Errorf(CodeInvalid, "input size is required")
		}
		return err
	}
	if n.IsUnknown() {
		c.SetOutput(0, Tensor(elem, Shape{c.Fresh()}))
		return c.Errorf(CodeDataDependent, "size %q is not known", operandName(c, 0))
	}
	if v, ok := n.Value(); ok && v < 0 {
		return c.Errorf(CodeInvalid, "size %d is negative", v)
	}
	c.SetOutput(0, Tensor(elem, Shape{n}))
	return nil
}

// inferMelWeightMatrix: [floor(dft_length/2)+1, num_mel_bins] of
// output_datatype.
func inferMelWeightMatrix(c *Ctx) error {
	elem := onnxgraph.DataType(c.Int("output_datatype", int64(onnxgraph.Float)))
	bins, _, err := scalarInput(c, 0)
	if err != nil {
		return err
	}
	dft, _, err := scalarInput(c, 1)
	if err != nil {
		return err
	}
	out := Shape{dft.FloorDiv(Known(2)).Add(Known(1)), bins}
	var missing []string
	for i, d := range out {
		if d.IsUnknown() {
			out[i] = c.Fresh()
			missing = append(missing, []string{"dft_length", "num_mel_bins"}[i])
		}
	}
	c.SetOutput(0, Tensor(elem, out))
	if len(missing) > 0 {
		return c.Errorf(CodeDataDependent, "%v not known", missing)
	}
	return nil
}

// operandName names input i for a message; "(missing)" when it is absent.
func operandName(c *Ctx, i int) string {
	if v := c.Node.Input(i); v != nil {
		return v.Name()
	}
	return "(missing)"
}
