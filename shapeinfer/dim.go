package shapeinfer

import (
	"errors"
	"strconv"
	"strings"
)

// Dim is one dimension of an inferred shape: a known size, a symbolic
// expression, or unknown (the zero Dim, or a dim whose arithmetic
// overflowed: see Err).
type Dim struct {
	e *Expr // nil, or an expression that is not a value (Expr.Err), when unknown
}

// Unknown is a dimension nothing is known about.
var Unknown = Dim{}

// Known returns a dimension of size n.
func Known(n int64) Dim {
	if n >= 0 && n < int64(len(smallDims)) {
		return smallDims[n]
	}
	return Dim{ConstExpr(n)}
}

// smallDims holds the common sizes, shared (expressions are immutable) so
// that inference does not allocate for them.
var smallDims = func() (d [1024]Dim) {
	for i := range d {
		d[i] = Dim{ConstExpr(int64(i))}
	}
	return d
}()

// Symbol returns a dimension named name (a dim_param).
func Symbol(name string) Dim { return Dim{SymExpr(name)} }

// FromExpr returns a dimension of value e (nil, or an expression that is
// not a value: unknown).
func FromExpr(e *Expr) Dim { return Dim{e} }

// IsUnknown reports whether nothing is known about d.
func (d Dim) IsUnknown() bool { return d.e == nil || d.e.err != nil }

// Err returns why d is unknown when arithmetic made it so: ErrOverflow
// (a size past int64), ErrTooLarge (an expression past MaxExprSize) or
// ErrDivideByZero; nil otherwise. Inference turns an ErrTooLarge dim of an
// output into a fresh symbol, and explains both.
func (d Dim) Err() error {
	if d.e == nil {
		return nil
	}
	return d.e.err
}

// Value returns d's size when it is a known constant.
func (d Dim) Value() (int64, bool) {
	if d.e == nil {
		return 0, false
	}
	return d.e.Const()
}

// Expr returns d's expression, nil when unknown.
func (d Dim) Expr() *Expr {
	if d.IsUnknown() {
		return nil
	}
	return d.e
}

// Eval returns d's size when each symbol takes its value in vals (see
// Expr.Eval); an unknown dim is an error.
func (d Dim) Eval(vals map[string]int64) (int64, error) {
	if d.e == nil {
		return 0, errUnknownDim
	}
	return d.e.Eval(vals)
}

var errUnknownDim = errors.New("shapeinfer: the dim is unknown")

// Equal reports whether d and e are provably the same size. Two unknown
// dims are not provably equal.
func (d Dim) Equal(e Dim) bool {
	return d.e != nil && e.e != nil && d.e.Equal(e.e)
}

// String renders d in the grammar of Expr: "3", "N", "2*N",
// "floor((H + 1)/2)", or "?" when unknown.
func (d Dim) String() string {
	if d.e == nil {
		return "?"
	}
	return d.e.String()
}

// op applies f to known or symbolic operands; an unknown operand gives an
// unknown result that keeps the reason (Err) of either operand.
func (d Dim) op(e Dim, f func(a, b *Expr) *Expr) Dim {
	if d.e == nil || e.e == nil || d.e.err != nil || e.e.err != nil {
		switch {
		case d.e != nil && d.e.err != nil:
			return d
		case e.e != nil && e.e.err != nil:
			return e
		}
		return Unknown
	}
	return Dim{f(d.e, e.e)}
}

// Add returns d+e (unknown if either is).
func (d Dim) Add(e Dim) Dim { return d.op(e, (*Expr).Add) }

// Sub returns d-e.
func (d Dim) Sub(e Dim) Dim { return d.op(e, (*Expr).Sub) }

// Mul returns d*e.
func (d Dim) Mul(e Dim) Dim {
	if v, ok := d.Value(); ok && v == 0 {
		return Known(0)
	}
	if v, ok := e.Value(); ok && v == 0 {
		return Known(0)
	}
	return d.op(e, (*Expr).Mul)
}

// FloorDiv returns floor(d/e).
func (d Dim) FloorDiv(e Dim) Dim {
	if v, ok := e.Value(); ok && v == 0 {
		return Unknown
	}
	return d.op(e, (*Expr).FloorDiv)
}

// CeilDiv returns ceil(d/e).
func (d Dim) CeilDiv(e Dim) Dim {
	if v, ok := e.Value(); ok && v == 0 {
		return Unknown
	}
	return d.op(e, (*Expr).CeilDiv)
}

// Shape is a tensor shape of known rank; its dims may be symbolic or
// unknown. A nil *Shape means the rank is unknown.
type Shape []Dim

// Rank returns the number of dims.
func (s Shape) Rank() int { return len(s) }

// Known reports whether every dim is a known constant, and returns them.
func (s Shape) Known() ([]int64, bool) {
	out := make([]int64, len(s))
	for i, d := range s {
		v, ok := d.Value()
		if !ok {
			return nil, false
		}
		out[i] = v
	}
	return out, true
}

// Full reports whether every dim is known or symbolic (none unknown).
func (s Shape) Full() bool {
	for _, d := range s {
		if d.IsUnknown() {
			return false
		}
	}
	return true
}

// Eval returns the sizes of s when each symbol takes its value in vals
// (see Expr.Eval); the error names the first dim that has none.
func (s Shape) Eval(vals map[string]int64) ([]int64, error) {
	out := make([]int64, len(s))
	for i, d := range s {
		v, err := d.Eval(vals)
		if err != nil {
			return nil, &dimError{i, err}
		}
		out[i] = v
	}
	return out, nil
}

// dimError is an error about dim i of a shape.
type dimError struct {
	i   int
	err error
}

func (e *dimError) Error() string {
	return "shapeinfer: dim " + strconv.Itoa(e.i) + ": " + strings.TrimPrefix(e.err.Error(), "shapeinfer: ")
}

func (e *dimError) Unwrap() error { return e.err }

// NumElements returns the product of the dims.
func (s Shape) NumElements() Dim {
	n := Known(1)
	for _, d := range s {
		n = n.Mul(d)
	}
	return n
}

// String renders s as "[N,3,224,224]".
func (s Shape) String() string {
	b := []byte{'['}
	for i, d := range s {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, d.String()...)
	}
	return string(append(b, ']'))
}

// KnownShape returns a shape of constant dims.
func KnownShape(dims ...int64) Shape {
	s := make(Shape, len(dims))
	for i, d := range dims {
		s[i] = Known(d)
	}
	return s
}
