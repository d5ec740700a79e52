package shapeinfer

import (
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Expr is a small integer polynomial over named symbols: the value of a
// symbolic dimension such as "N", "seq+past", "2*N" or "floor(H/2)". It is
// kept in a canonical form (like terms collected, terms sorted), so two
// expressions are equal exactly when their String forms are. Division that
// is not exact becomes an opaque atom "floor(a/b)". Expr values are
// immutable.
type Expr struct {
	terms []term // sorted by monomial; no zero coefficients
}

// term is coeff * product of atoms (sorted; repeated for powers). An empty
// atom list is the constant term.
type term struct {
	coeff int64
	atoms []string
}

func (t term) key() string { return strings.Join(t.atoms, "*") }

// ConstExpr returns the constant n.
func ConstExpr(n int64) *Expr {
	if n == 0 {
		return &Expr{}
	}
	return &Expr{terms: []term{{coeff: n}}}
}

// SymExpr returns the symbol name.
func SymExpr(name string) *Expr { return &Expr{terms: []term{{coeff: 1, atoms: []string{name}}}} }

// Const returns the expression's value when it is a constant.
func (e *Expr) Const() (int64, bool) {
	switch len(e.terms) {
	case 0:
		return 0, true
	case 1:
		if len(e.terms[0].atoms) == 0 {
			return e.terms[0].coeff, true
		}
	}
	return 0, false
}

// Symbol returns the name when the expression is a single bare symbol.
func (e *Expr) Symbol() (string, bool) {
	if len(e.terms) == 1 && e.terms[0].coeff == 1 && len(e.terms[0].atoms) == 1 {
		return e.terms[0].atoms[0], true
	}
	return "", false
}

// Equal reports whether e and f are the same polynomial.
func (e *Expr) Equal(f *Expr) bool { return e.String() == f.String() }

// String renders e canonically, e.g. "2*N+seq-1".
func (e *Expr) String() string {
	if len(e.terms) == 0 {
		return "0"
	}
	var b strings.Builder
	for i, t := range e.terms {
		c := t.coeff
		switch {
		case i > 0 && c < 0:
			b.WriteByte('-')
			c = -c
		case i > 0:
			b.WriteByte('+')
		case c < 0 && len(t.atoms) > 0:
			b.WriteByte('-')
			c = -c
		}
		if len(t.atoms) == 0 {
			b.WriteString(strconv.FormatInt(c, 10))
			continue
		}
		if c != 1 {
			b.WriteString(strconv.FormatInt(c, 10))
			b.WriteByte('*')
		}
		b.WriteString(t.key())
	}
	return b.String()
}

func normalize(ts []term) *Expr {
	if len(ts) > 1 {
		slices.SortStableFunc(ts, func(a, b term) int {
			switch {
			case lessTerm(a, b):
				return -1
			case lessTerm(b, a):
				return 1
			}
			return 0
		})
	}
	out := ts[:0:0]
	for _, t := range ts {
		if n := len(out); n > 0 && out[n-1].key() == t.key() {
			out[n-1].coeff += t.coeff
			if out[n-1].coeff == 0 {
				out = out[:n-1]
			}
			continue
		}
		if t.coeff != 0 {
			out = append(out, t)
		}
	}
	return &Expr{terms: out}
}

// lessTerm orders higher-degree terms first, then by name; constants last.
func lessTerm(a, b term) bool {
	if len(a.atoms) != len(b.atoms) {
		if len(a.atoms) == 0 || len(b.atoms) == 0 {
			return len(b.atoms) == 0
		}
		return len(a.atoms) > len(b.atoms)
	}
	return a.key() < b.key()
}

// Add returns e+f.
func (e *Expr) Add(f *Expr) *Expr {
	ts := make([]term, 0, len(e.terms)+len(f.terms))
	ts = append(append(ts, e.terms...), f.terms...)
	return normalize(ts)
}

// Neg returns -e.
func (e *Expr) Neg() *Expr {
	ts := make([]term, len(e.terms))
	for i, t := range e.terms {
		ts[i] = term{coeff: -t.coeff, atoms: t.atoms}
	}
	return &Expr{terms: ts}
}

// Sub returns e-f.
func (e *Expr) Sub(f *Expr) *Expr { return e.Add(f.Neg()) }

// Mul returns e*f.
func (e *Expr) Mul(f *Expr) *Expr {
	var ts []term
	for _, a := range e.terms {
		for _, b := range f.terms {
			atoms := append(append([]string(nil), a.atoms...), b.atoms...)
			sort.Strings(atoms)
			ts = append(ts, term{coeff: a.coeff * b.coeff, atoms: atoms})
		}
	}
	return normalize(ts)
}

// FloorDiv returns floor(e/f): exact when f is a constant dividing every
// coefficient (or both are constants), else the opaque atom floor(e/f).
func (e *Expr) FloorDiv(f *Expr) *Expr {
	if d, ok := f.Const(); ok && d != 0 {
		if n, ok := e.Const(); ok {
			return ConstExpr(floorDiv(n, d))
		}
		exact := true
		for _, t := range e.terms {
			if t.coeff%d != 0 {
				exact = false
			}
		}
		if exact {
			ts := make([]term, len(e.terms))
			for i, t := range e.terms {
				ts[i] = term{coeff: t.coeff / d, atoms: t.atoms}
			}
			return &Expr{terms: ts}
		}
		if d == 1 {
			return e
		}
	}
	if e.Equal(f) {
		return ConstExpr(1)
	}
	return SymExpr("floor(" + e.String() + "/" + f.String() + ")")
}

// CeilDiv returns ceil(e/f) = -floor(-e/f).
func (e *Expr) CeilDiv(f *Expr) *Expr { return e.Neg().FloorDiv(f).Neg() }

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
