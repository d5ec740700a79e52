package shapeinfer

import (
	"strings"

	"github.com/onnxgraph/onnxgraph"
)

// Helpers shared by the operator families.

// broadcast returns the numpy-style broadcast of shapes, or an error naming
// the first pair of dims that cannot broadcast. Symbolic dims are assumed
// to broadcast: a symbol against 1 gives the symbol; a symbol against a
// known size other than 1 gives that size (the symbol must equal it); two
// different symbols give a fresh symbol.
func broadcast(c *Ctx, shapes ...Shape) (Shape, error) {
	rank := 0
	for _, s := range shapes {
		if s == nil {
			return nil, nil
		}
		rank = max(rank, len(s))
	}
	out := make(Shape, rank)
	for i := range out {
		var acc Dim
		set := false
		for _, s := range shapes {
			j := i - (rank - len(s))
			if j < 0 {
				continue
			}
			d := s[j]
			if !set {
				acc, set = d, true
				continue
			}
			acc2, err := broadcastDim(c, acc, d)
			if err != nil {
				return nil, err
			}
			acc = acc2
		}
		out[i] = acc
	}
	return out, nil
}

func broadcastDim(c *Ctx, a, b Dim) (Dim, error) {
	av, ak := a.Value()
	bv, bk := b.Value()
	switch {
	case ak && av == 1:
		return b, nil
	case bk && bv == 1:
		return a, nil
	case a.Equal(b):
		return a, nil
	case ak && bk:
		return Unknown, c.Errorf(CodeInvalid, "dims %d and %d do not broadcast", av, bv)
	case ak:
		return a, nil
	case bk:
		return b, nil
	case a.IsUnknown() || b.IsUnknown():
		return Unknown, nil
	}
	return mergeDims(c, a, b), nil
}

// mergeDims is the broadcast of two different symbolic sizes, which at
// run time are equal (or one is 1). Two named sizes (say the batch of two
// inputs) stay apart: the result is a fresh symbol. When either is a
// computed expression (floor((H+15)/16) against 2*floor((H+31)/32), where
// a feature pyramid adds an upsampled level to a finer one), they are
// taken as equal, as ONNX Runtime's symbolic shape inference does with
// auto-merge, and the result is the smaller expression (the first on a
// tie), unless only the other is free of fresh symbols.
func mergeDims(c *Ctx, a, b Dim) Dim {
	_, aSym := a.e.Symbol()
	_, bSym := b.e.Symbol()
	if aSym && bSym {
		return c.Fresh()
	}
	af, bf := hasFresh(a.e), hasFresh(b.e)
	switch {
	case af != bf:
		if af {
			return b
		}
		return a
	case b.e.size < a.e.size:
		return b
	}
	return a
}

// hasFresh reports whether e refers to a fresh symbol (see Ctx.Fresh).
func hasFresh(e *Expr) bool {
	for _, s := range e.Symbols() {
		if strings.HasPrefix(s, freshPrefix) {
			return true
		}
	}
	return false
}

// axis normalizes a possibly negative axis for rank r.
func axis(c *Ctx, a int64, r int) (int, error) {
	if a < -int64(r) || a >= int64(r) {
		return 0, c.Errorf(CodeInvalid, "axis %d out of range for rank %d", a, r)
	}
	if a < 0 {
		a += int64(r)
	}
	return int(a), nil
}

// sameAsInput sets every present output to input 0's type: elementwise
// unary operators.
func sameAsInput(c *Ctx) error {
	t := c.Input(0)
	if t == nil {
		return nil
	}
	for i := 0; i < c.NumOutputs(); i++ {
		c.SetOutput(i, t)
	}
	return nil
}

// elemOrAttr is the element type an output gets from a "to"/"dtype"
// attribute when present, else from input i.
func elemOrAttr(c *Ctx, attr string, i int) onnxgraph.DataType {
	if a := c.Attr(attr); a != nil && a.I != nil {
		return onnxgraph.DataType(a.GetI())
	}
	return c.Elem(i)
}

// dataToShape turns 1-D integer data into a shape (each element a dim).
func dataToShape(d *Data) (Shape, bool) {
	if d == nil || d.Ints == nil || len(d.Shape) > 1 {
		return nil, false
	}
	out := make(Shape, len(d.Ints))
	copy(out, d.Ints)
	return out, true
}

// rankedInput returns input 0 when its rank is known. Otherwise it sets
// output 0 to input 0's element type with an unknown rank (when input 0's
// type is known at all) and returns nil: the caller has nothing to add.
func rankedInput(c *Ctx) *Type {
	in := c.Input(0)
	if in == nil {
		return nil
	}
	if !in.HasShape() {
		c.SetOutput(0, Tensor(in.Elem, nil))
		return nil
	}
	return in
}
