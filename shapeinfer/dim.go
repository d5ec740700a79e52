package shapeinfer

// Dim is one dimension of an inferred shape: a known size, a symbolic
// expression, or unknown (the zero Dim).
type Dim struct {
	e *Expr
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

// FromExpr returns a dimension of value e (nil: unknown).
func FromExpr(e *Expr) Dim { return Dim{e} }

// IsUnknown reports whether nothing is known about d.
func (d Dim) IsUnknown() bool { return d.e == nil }

// Value returns d's size when it is a known constant.
func (d Dim) Value() (int64, bool) {
	if d.e == nil {
		return 0, false
	}
	return d.e.Const()
}

// Expr returns d's expression, nil when unknown.
func (d Dim) Expr() *Expr { return d.e }

// Equal reports whether d and e are provably the same size. Two unknown
// dims are not provably equal.
func (d Dim) Equal(e Dim) bool {
	return d.e != nil && e.e != nil && d.e.Equal(e.e)
}

// String renders d: "3", "N", "2*N", or "?" when unknown.
func (d Dim) String() string {
	if d.e == nil {
		return "?"
	}
	return d.e.String()
}

func (d Dim) op(e Dim, f func(a, b *Expr) *Expr) Dim {
	if d.e == nil || e.e == nil {
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
