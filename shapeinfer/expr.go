package shapeinfer

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// MaxExprSize bounds the size of an expression: its terms plus its atoms,
// the contents of floor(), min() and max() atoms counted in full.
// "2*N+S-1" has size 5, "floor((H+1)/2)" size 6. Arithmetic whose result would be larger gives
// [ErrTooLarge] instead, which inference turns into a fresh symbol with a
// reason. Real models stay far below: a sum of three products of two
// strided heights and widths (a detection head) has size about 35.
const MaxExprSize = 128

// Why an expression is not a value. Dims built from such an expression are
// unknown; [Dim.Err] says why.
var (
	// ErrOverflow: a coefficient or a size of the result does not fit in
	// an int64 (a product of dims of 2^62, say).
	ErrOverflow = errors.New("shapeinfer: dim arithmetic overflows int64")
	// ErrTooLarge: the result would exceed MaxExprSize.
	ErrTooLarge = fmt.Errorf("shapeinfer: dim expression would exceed MaxExprSize (%d terms and atoms)", MaxExprSize)
	// ErrDivideByZero: division of a dim by zero.
	ErrDivideByZero = errors.New("shapeinfer: dim division by zero")
	// ErrUnbound: Eval met a symbol it has no value for.
	ErrUnbound = errors.New("shapeinfer: symbol has no value")
)

// Expr is the value of a symbolic dimension: a polynomial with exact
// rational coefficients over atoms, where an atom is a named symbol ("N",
// "seq"), the floor of a quotient ("floor((H+1)/2)"), or the min or max of
// two expressions ("min(3,S)", from a slice with constant bounds).
// Examples: "N", "past+seq", "2*N*S", "floor((samples+128)/160)-3".
// Expressions are immutable and kept in a canonical form, so two
// expressions are equal exactly when their String forms are.
//
// # Canonical form
//
// Like terms are collected; terms are ordered by falling degree, then by
// their atoms' printed forms, the constant last. Division by a constant
// gives floor(P/d) with P a polynomial of integer coefficients in [0, d)
// sharing no factor with d: integer parts come out of the floor
// (floor((2*N + S)/2) is N + floor(S/2)), and a floor of a floor divided
// by a constant is a single floor (floor((floor((H + 1)/2) + 1)/2) is
// floor((H + 3)/4)). Ceiling division gives a floor too: ceil(P/d) is
// floor((P + d - 1)/d) for integer-valued P, so ceil(S/2) is
// floor((S + 1)/2) and ceil((S - 1)/2) is floor(S/2).
//
// # Grammar
//
// String writes, and [ParseExpr] reads, the ordinary infix grammar that
// python, sympy and ONNX Runtime's symbolic shape inference read the same
// way:
//
//	expr    = ["-"] term {("+" | "-") term}
//	term    = factor {("*" | "/") factor}
//	factor  = ["-" | "+"] primary ["**" integer]
//	primary = number | name | ("floor" | "ceil") "(" expr ")"
//	        | ("min" | "max") "(" expr "," expr ")" | "(" expr ")"
//	number  = digits ["." digits]
//	name    = letter or "_", then letters, digits and "_"
//
// "/" is exact division (3*H/2 is one and a half H); only floor() and
// ceil() round. String writes no spaces (as earlier versions did for the
// forms that were unambiguous: "P+S", "S-1", "64*N*S"), rational
// coefficients as "3*H/2", a floor's numerator in parentheses when it has
// several terms ("floor((H+1)/2)", never the ambiguous "floor(H+1/2)"),
// and never "**", ceil, Min, Max or a decimal point; ParseExpr accepts
// those too (a decimal exactly: sympy writes floor(1.5*H)), and spaces. Python's eval (with floor and ceil from math) and sympy read
// the printed form with the value Expr gives it.
type Expr struct {
	terms []term // canonical order; no zero coefficients
	size  int    // terms plus atoms, nested counted in full
	err   error  // non-nil: not a value (ErrOverflow, ErrTooLarge, ErrDivideByZero)
	// isSize marks the size of a tensor's dimension (read by Shape):
	// whatever its form, it is not negative when the model runs.
	isSize bool
}

// term is c times the product of atoms (sorted by key; repeated for
// powers). No atoms: the constant term.
type term struct {
	c     rat
	atoms []*atom
}

// atom is a symbol (num nil), floor(num/den) (num with integer
// coefficients, den a constant > 1 or a non-constant expression), or
// min(num,den) or max(num,den) (ordered by printed form).
type atom struct {
	key    string // printed form: the symbol's name, "floor(...)", "min(...)"
	kind   atomKind
	num    *Expr
	den    *Expr
	size   int
	nonneg bool // provably >= 0 (sizes are)
}

type atomKind uint8

const (
	atomSymbol atomKind = iota
	atomFloor
	atomMin
	atomMax
)

// Not-a-value expressions, shared.
var (
	overflowExpr = &Expr{err: ErrOverflow}
	tooLargeExpr = &Expr{err: ErrTooLarge}
	divZeroExpr  = &Expr{err: ErrDivideByZero}
	notIntExpr   = &Expr{err: errors.New("shapeinfer: min or max of an expression that is not an integer")}
	zeroExpr     = &Expr{}
)

// constBox and symBox allocate a one-term expression at once.
type constBox struct {
	e Expr
	t [1]term
}

type symBox struct {
	e Expr
	t [1]term
	p [1]*atom
	a atom
}

// ConstExpr returns the constant n.
func ConstExpr(n int64) *Expr {
	if n == 0 {
		return zeroExpr
	}
	b := &constBox{}
	b.t[0] = term{c: ratInt(n)}
	b.e = Expr{terms: b.t[:], size: 1}
	return &b.e
}

// SymExpr returns the symbol name.
func SymExpr(name string) *Expr {
	b := &symBox{}
	b.a = atom{key: name, size: 1, nonneg: true}
	b.p[0] = &b.a
	b.t[0] = term{c: ratOne, atoms: b.p[:]}
	b.e = Expr{terms: b.t[:], size: 2}
	return &b.e
}

// Err returns why e is not a value (ErrOverflow, ErrTooLarge,
// ErrDivideByZero), nil when it is one.
func (e *Expr) Err() error { return e.err }

// Const returns the expression's value when it is an integer constant.
func (e *Expr) Const() (int64, bool) {
	if e.err != nil {
		return 0, false
	}
	switch len(e.terms) {
	case 0:
		return 0, true
	case 1:
		if t := e.terms[0]; len(t.atoms) == 0 && t.c.isInt() {
			return t.c.n, true
		}
	}
	return 0, false
}

// constRat returns e's value when it is a (rational) constant.
func (e *Expr) constRat() (rat, bool) {
	switch {
	case e.err != nil:
		return rat{}, false
	case len(e.terms) == 0:
		return rat{0, 1}, true
	case len(e.terms) == 1 && len(e.terms[0].atoms) == 0:
		return e.terms[0].c, true
	}
	return rat{}, false
}

// Symbol returns the name when the expression is a single bare symbol.
func (e *Expr) Symbol() (string, bool) {
	if len(e.terms) == 1 {
		if t := e.terms[0]; t.c == ratOne && len(t.atoms) == 1 && t.atoms[0].kind == atomSymbol {
			return t.atoms[0].key, true
		}
	}
	return "", false
}

// Symbols returns the names of the symbols e refers to, floor() contents
// included, sorted, each once.
func (e *Expr) Symbols() []string {
	var out []string
	var walk func(x *Expr)
	walk = func(x *Expr) {
		for _, t := range x.terms {
			for _, a := range t.atoms {
				if a.kind == atomSymbol {
					out = append(out, a.key)
				} else {
					walk(a.num)
					walk(a.den)
				}
			}
		}
	}
	walk(e)
	slices.Sort(out)
	return slices.Compact(out)
}

// Equal reports whether e and f are the same polynomial (expressions that
// are not values equal nothing).
func (e *Expr) Equal(f *Expr) bool {
	if e.err != nil || f.err != nil || len(e.terms) != len(f.terms) {
		return false
	}
	if e == f {
		return true
	}
	for i, t := range e.terms {
		u := f.terms[i]
		if t.c != u.c || cmpAtoms(t.atoms, u.atoms) != 0 {
			return false
		}
	}
	return true
}

// String renders e in the grammar described on Expr, e.g.
// "2*N + S - 1" or "floor((H + 1)/2)"; "?" when e is not a value.
func (e *Expr) String() string {
	if e.err != nil {
		return "?"
	}
	if len(e.terms) == 0 {
		return "0"
	}
	if t := e.terms[0]; len(e.terms) == 1 && t.c == ratOne && len(t.atoms) == 1 {
		return t.atoms[0].key // a lone atom prints as its key: no copy
	}
	return string(e.appendTo(make([]byte, 0, 8*len(e.terms))))
}

func (e *Expr) appendTo(b []byte) []byte {
	if len(e.terms) == 0 {
		return append(b, '0')
	}
	for i, t := range e.terms {
		switch {
		case t.c.n < 0 && i == 0:
			b = append(b, '-')
		case t.c.n < 0:
			b = append(b, '-')
		case i > 0:
			b = append(b, '+')
		}
		if len(t.atoms) == 0 {
			b = t.c.appendMagnitude(b)
			continue
		}
		if m := magnitude(t.c.n); m != 1 {
			b = append(strconv.AppendUint(b, m, 10), '*')
		}
		for k, a := range t.atoms {
			if k > 0 {
				b = append(b, '*')
			}
			b = append(b, a.key...)
		}
		if t.c.d != 1 {
			b = strconv.AppendInt(append(b, '/'), t.c.d, 10)
		}
	}
	return b
}

// floorKey is the printed form of floor(num/den).
func floorKey(num, den *Expr) string {
	b := []byte("floor(")
	if len(num.terms) > 1 {
		b = append(append(num.appendTo(append(b, '(')), ')'), '/')
	} else {
		b = append(num.appendTo(b), '/')
	}
	if t := den.terms; len(t) == 1 && (len(t[0].atoms) == 0 || (t[0].c == ratOne && len(t[0].atoms) == 1)) {
		b = den.appendTo(b)
	} else {
		b = append(den.appendTo(append(b, '(')), ')')
	}
	return string(append(b, ')'))
}

// cmpAtom orders atoms by printed form.
func cmpAtom(a, b *atom) int {
	if a == b {
		return 0
	}
	return strings.Compare(a.key, b.key)
}

// cmpAtoms orders monomials: higher degree first, then by atoms; the
// constant (no atoms) last.
func cmpAtoms(a, b []*atom) int {
	if len(a) != len(b) {
		switch {
		case len(a) == 0:
			return 1
		case len(b) == 0:
			return -1
		case len(a) > len(b):
			return -1
		}
		return 1
	}
	for i := range a {
		if c := cmpAtom(a[i], b[i]); c != 0 {
			return c
		}
	}
	return 0
}

// exprOf wraps canonical terms (sorted, merged, no zeros), checking the
// size limit.
func exprOf(ts []term) *Expr {
	if len(ts) == 0 {
		return zeroExpr
	}
	size := 0
	for _, t := range ts {
		size++
		for _, a := range t.atoms {
			size += a.size
		}
	}
	if size > MaxExprSize {
		return tooLargeExpr
	}
	return &Expr{terms: ts, size: size}
}

// normalize sorts ts, collects like terms and drops zeros.
func normalize(ts []term) *Expr {
	if len(ts) > 1 {
		slices.SortStableFunc(ts, func(a, b term) int { return cmpAtoms(a.atoms, b.atoms) })
	}
	out := ts[:0]
	for _, t := range ts {
		if n := len(out); n > 0 && cmpAtoms(out[n-1].atoms, t.atoms) == 0 {
			c, ok := out[n-1].c.add(t.c)
			if !ok {
				return overflowExpr
			}
			out[n-1].c = c
			if c.n == 0 {
				out = out[:n-1]
			}
			continue
		}
		if t.c.n != 0 {
			out = append(out, t)
		}
	}
	return exprOf(out)
}

// bad returns the first of es that is not a value, nil when all are.
func bad(es ...*Expr) *Expr {
	for _, e := range es {
		if e.err != nil {
			return e
		}
	}
	return nil
}

// Add returns e+f.
func (e *Expr) Add(f *Expr) *Expr {
	if b := bad(e, f); b != nil {
		return b
	}
	switch {
	case len(f.terms) == 0:
		return e
	case len(e.terms) == 0:
		return f
	}
	// Merge the two sorted term lists.
	ts := make([]term, 0, len(e.terms)+len(f.terms))
	i, j := 0, 0
	for i < len(e.terms) && j < len(f.terms) {
		a, b := e.terms[i], f.terms[j]
		switch c := cmpAtoms(a.atoms, b.atoms); {
		case c < 0:
			ts = append(ts, a)
			i++
		case c > 0:
			ts = append(ts, b)
			j++
		default:
			s, ok := a.c.add(b.c)
			if !ok {
				return overflowExpr
			}
			if s.n != 0 {
				ts = append(ts, term{c: s, atoms: a.atoms})
			}
			i++
			j++
		}
	}
	ts = append(append(ts, e.terms[i:]...), f.terms[j:]...)
	return exprOf(ts)
}

// Neg returns -e.
func (e *Expr) Neg() *Expr {
	if e.err != nil || len(e.terms) == 0 {
		return e
	}
	ts := make([]term, len(e.terms))
	for i, t := range e.terms {
		c, ok := t.c.neg()
		if !ok {
			return overflowExpr
		}
		ts[i] = term{c: c, atoms: t.atoms}
	}
	return &Expr{terms: ts, size: e.size}
}

// Sub returns e-f.
func (e *Expr) Sub(f *Expr) *Expr {
	if b := bad(e, f); b != nil {
		return b
	}
	return e.Add(f.Neg())
}

// Mul returns e*f.
func (e *Expr) Mul(f *Expr) *Expr {
	if b := bad(e, f); b != nil {
		return b
	}
	if len(e.terms) == 0 || len(f.terms) == 0 {
		return zeroExpr
	}
	if c, ok := f.constRat(); ok {
		return e.scale(c)
	}
	if c, ok := e.constRat(); ok {
		return f.scale(c)
	}
	if len(e.terms)*len(f.terms) > MaxExprSize {
		return tooLargeExpr
	}
	ts := make([]term, 0, len(e.terms)*len(f.terms))
	for _, a := range e.terms {
		for _, b := range f.terms {
			c, ok := a.c.mul(b.c)
			if !ok {
				return overflowExpr
			}
			ts = append(ts, term{c: c, atoms: mergeAtoms(a.atoms, b.atoms)})
		}
	}
	return normalize(ts)
}

// mergeAtoms returns the sorted union (with repeats) of two sorted lists.
func mergeAtoms(a, b []*atom) []*atom {
	switch {
	case len(a) == 0:
		return b
	case len(b) == 0:
		return a
	}
	out := make([]*atom, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if cmpAtom(a[i], b[j]) <= 0 {
			out = append(out, a[i])
			i++
		} else {
			out = append(out, b[j])
			j++
		}
	}
	return append(append(out, a[i:]...), b[j:]...)
}

// scale returns c*e.
func (e *Expr) scale(c rat) *Expr {
	switch {
	case e.err != nil:
		return e
	case c.n == 0:
		return zeroExpr
	case c == ratOne:
		return e
	}
	ts := make([]term, len(e.terms))
	for i, t := range e.terms {
		p, ok := t.c.mul(c)
		if !ok {
			return overflowExpr
		}
		ts[i] = term{c: p, atoms: t.atoms}
	}
	return &Expr{terms: ts, size: e.size}
}
