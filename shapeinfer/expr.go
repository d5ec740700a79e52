package shapeinfer

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// MaxExprSize bounds the size of an expression: its terms plus its atoms,
// the contents of floor() atoms counted in full. "2*N + S - 1" has size 5,
// "floor((H + 1)/2)" size 6. Arithmetic whose result would be larger gives
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

// FloorDiv returns floor(e/f), in the canonical form described on Expr.
// Division by a non-constant f gives the atom floor(e/f) unless f divides
// e exactly as polynomials.
func (e *Expr) FloorDiv(f *Expr) *Expr {
	if b := bad(e, f); b != nil {
		return b
	}
	if d, ok := f.constRat(); ok {
		inv, ok := d.inv()
		if !ok {
			return divZeroExpr
		}
		return floorOf(e.scale(inv))
	}
	return floorByExpr(e, f)
}

// CeilDiv returns ceil(e/f), as a floor (see Expr).
func (e *Expr) CeilDiv(f *Expr) *Expr {
	if b := bad(e, f); b != nil {
		return b
	}
	if d, ok := f.constRat(); ok {
		inv, ok := d.inv()
		if !ok {
			return divZeroExpr
		}
		return ceilOf(e.scale(inv))
	}
	if q := e.divMonomial(f); q != nil {
		return ceilOf(q)
	}
	// ceil(e/f) = floor((e + f - 1)/f) for integers e and f > 0.
	return floorByExpr(e.Add(f).Add(ConstExpr(-1)), f)
}

// denominator returns the lcm of e's coefficient denominators.
func (e *Expr) denominator() (int64, bool) {
	l := int64(1)
	for _, t := range e.terms {
		var ok bool
		if l, ok = lcm(l, t.c.d); !ok {
			return 0, false
		}
	}
	return l, true
}

// ceilOf returns ceil(q) = floor((P + L - 1)/L) where q = P/L and P has
// integer coefficients (atoms being integers, P is an integer).
func ceilOf(q *Expr) *Expr {
	if q.err != nil {
		return q
	}
	l, ok := q.denominator()
	if !ok {
		return overflowExpr
	}
	if l == 1 {
		return q
	}
	p := q.scale(ratInt(l)).Add(ConstExpr(l - 1))
	return floorOf(p.scale(rat{1, l}))
}

// floorOf returns floor(q) in canonical form.
func floorOf(q *Expr) *Expr {
	if q.err != nil {
		return q
	}
	l, ok := q.denominator()
	if !ok {
		return overflowExpr
	}
	if l == 1 {
		return q
	}
	// floor(-x) = -ceil(x): a numerator of negative terms is written as
	// -floor((H+1)/2), not -H+floor(H/2).
	neg := false
	for _, t := range q.terms {
		if len(t.atoms) > 0 {
			if neg = t.c.n < 0; !neg {
				break
			}
		}
	}
	if neg {
		return ceilOf(q.Neg()).Neg()
	}
	// q = P/l: split each coefficient of P into l*quotient + remainder.
	var whole, rest []term
	g := l
	for _, t := range q.terms {
		c, ok := mulInt(t.c.n, l/t.c.d)
		if !ok {
			return overflowExpr
		}
		k := floorDiv(c, l)
		if k != 0 {
			whole = append(whole, term{c: ratInt(k), atoms: t.atoms})
		}
		kl, ok1 := mulInt(k, l)
		r, ok2 := subInt(c, kl)
		if !ok1 || !ok2 {
			return overflowExpr
		}
		if r != 0 {
			rest = append(rest, term{c: ratInt(r), atoms: t.atoms})
			g = gcd(g, r)
		}
	}
	w := exprOf(whole)
	if len(rest) == 0 || (len(rest) == 1 && len(rest[0].atoms) == 0) {
		return w // 0 <= remainder < l
	}
	if g > 1 {
		for i := range rest {
			rest[i].c.n /= g
		}
		l /= g
	}
	// floor((floor(Q/n) + r)/l) = floor((Q + r*n)/(n*l)).
	if t := rest[0]; t.c == ratOne && len(t.atoms) == 1 && t.atoms[0].kind == atomFloor && len(rest) <= 2 && (len(rest) == 1 || len(rest[1].atoms) == 0) {
		if n, ok := t.atoms[0].den.Const(); ok {
			var r int64
			if len(rest) == 2 {
				r = rest[1].c.n
			}
			rn, ok1 := mulInt(r, n)
			nl, ok2 := mulInt(n, l)
			if !ok1 || !ok2 {
				return overflowExpr
			}
			return w.Add(floorOf(t.atoms[0].num.Add(ConstExpr(rn)).scale(rat{1, nl})))
		}
	}
	num := exprOf(rest)
	if num.err != nil {
		return num
	}
	return w.Add(atomExpr(newFloor(num, ConstExpr(l))))
}

// floorByExpr returns floor(e/f) for a non-constant f.
func floorByExpr(e, f *Expr) *Expr {
	if len(e.terms) == 0 {
		return zeroExpr
	}
	if q := e.divMonomial(f); q != nil {
		return floorOf(q)
	}
	if e.Equal(f) {
		return ConstExpr(1)
	}
	// Integer coefficients, no common factor, f's first coefficient > 0.
	l1, ok1 := e.denominator()
	l2, ok2 := f.denominator()
	if !ok1 || !ok2 {
		return overflowExpr
	}
	l, ok := lcm(l1, l2)
	if !ok {
		return overflowExpr
	}
	e, f = e.scale(ratInt(l)), f.scale(ratInt(l))
	if b := bad(e, f); b != nil {
		return b
	}
	g := int64(0)
	for _, x := range [2]*Expr{e, f} {
		for _, t := range x.terms {
			g = gcd(g, t.c.n)
		}
	}
	if g > 1 {
		e, f = e.scale(rat{1, g}), f.scale(rat{1, g})
	}
	if f.terms[0].c.n < 0 {
		e, f = e.Neg(), f.Neg()
	}
	if b := bad(e, f); b != nil {
		return b
	}
	return atomExpr(newFloor(e, f))
}

// newFloor returns the atom floor(num/den).
func newFloor(num, den *Expr) *atom {
	nonneg := num.allNonneg() && den.allNonneg()
	return &atom{key: floorKey(num, den), kind: atomFloor, num: num, den: den, size: 1 + num.size + den.size, nonneg: nonneg}
}

// Min returns the smaller of e and f: one of them when their difference
// has a provable sign, else the atom min(e,f).
func (e *Expr) Min(f *Expr) *Expr { return minMax(e, f, atomMin) }

// Max returns the larger of e and f: one of them when their difference
// has a provable sign, else the atom max(e,f).
func (e *Expr) Max(f *Expr) *Expr { return minMax(e, f, atomMax) }

func minMax(e, f *Expr, kind atomKind) *Expr {
	if b := bad(e, f); b != nil {
		return b
	}
	for _, x := range [2]*Expr{e, f} {
		for _, t := range x.terms {
			if !t.c.isInt() {
				return notIntExpr // min and max of integers only
			}
		}
	}
	d := e.Sub(f)
	if d.err != nil {
		return d
	}
	if lo, ok := d.lowerBound(); ok && lo.n >= 0 { // e >= f
		if kind == atomMin {
			return f
		}
		return e
	}
	if lo, ok := d.Neg().lowerBound(); ok && lo.n >= 0 { // e <= f
		if kind == atomMin {
			return e
		}
		return f
	}
	a, b := string(e.appendTo(nil)), string(f.appendTo(nil))
	if b < a {
		e, f, a, b = f, e, b, a
	}
	name := "min("
	nonneg := e.allNonneg() && f.allNonneg()
	if kind == atomMax {
		name = "max("
		nonneg = e.allNonneg() || f.allNonneg()
	}
	return atomExpr(&atom{key: name + a + "," + b + ")", kind: kind, num: e, den: f, size: 1 + e.size + f.size, nonneg: nonneg})
}

// allNonneg reports whether every coefficient and atom of e is >= 0.
func (e *Expr) allNonneg() bool {
	for _, t := range e.terms {
		if t.c.n < 0 {
			return false
		}
		for _, a := range t.atoms {
			if !a.nonneg {
				return false
			}
		}
	}
	return true
}

// atomExpr is the expression made of atom a alone.
func atomExpr(a *atom) *Expr {
	return exprOf([]term{{c: ratOne, atoms: []*atom{a}}})
}

// divMonomial divides e by the single-term f when every term of e is a
// multiple of f's monomial (coefficients divide as rationals), nil
// otherwise.
func (e *Expr) divMonomial(f *Expr) *Expr {
	if len(f.terms) != 1 || e.err != nil || f.err != nil {
		return nil
	}
	ft := f.terms[0]
	inv, ok := ft.c.inv()
	if !ok {
		return nil
	}
	ts := make([]term, len(e.terms))
	for i, t := range e.terms {
		rest, ok := removeAtoms(t.atoms, ft.atoms)
		if !ok {
			return nil
		}
		c, ok := t.c.mul(inv)
		if !ok {
			return overflowExpr
		}
		ts[i] = term{c: c, atoms: rest}
	}
	return normalize(ts)
}

// integral reports whether every coefficient of e is an integer.
func (e *Expr) integral() bool {
	for _, t := range e.terms {
		if !t.c.isInt() {
			return false
		}
	}
	return true
}

// divExact returns e/f when f divides e with integer coefficients (a
// polynomial by a monomial: 512*N*S / 64*N*S = 8), nil otherwise.
func (e *Expr) divExact(f *Expr) *Expr {
	q := e.divMonomial(f)
	if q == nil || q.err != nil {
		return q
	}
	for _, t := range q.terms {
		if !t.c.isInt() {
			return nil
		}
	}
	return q
}

// removeAtoms removes the atoms of sub (both sorted) from atoms.
func removeAtoms(atoms, sub []*atom) ([]*atom, bool) {
	if len(sub) == 0 {
		return atoms, true
	}
	var out []*atom
	j := 0
	for _, a := range atoms {
		if j < len(sub) && cmpAtom(sub[j], a) == 0 {
			j++
			continue
		}
		out = append(out, a)
	}
	return out, j == len(sub)
}

// lowerBound returns a lower bound of e when every non-constant term has a
// positive coefficient and non-negative atoms: the constant term.
func (e *Expr) lowerBound() (rat, bool) {
	if e.err != nil {
		return rat{}, false
	}
	if e.isSize {
		if k, ok := e.termBound(); ok && k.n > 0 {
			return k, true
		}
		return rat{0, 1}, true
	}
	return e.termBound()
}

// termBound is lowerBound from the terms: the constant term when every
// other term is provably >= 0; failing that, by bounding one min() or
// max() term by its arguments: -min(a,b) >= -a and >= -b (either bound
// holds), -max(a,b) >= min(-a, -b) (both are needed), and likewise for
// max() and min() taken positively.
func (e *Expr) termBound() (rat, bool) {
	if k, ok := e.plainBound(); ok {
		return k, true
	}
	for i, t := range e.terms {
		if len(t.atoms) != 1 || t.atoms[0].kind < atomMin {
			continue
		}
		a := t.atoms[0]
		either := (a.kind == atomMin) == (t.c.n < 0)
		rest := exprOf(slices.Delete(slices.Clone(e.terms), i, i+1))
		var best rat
		found := 0
		for _, arg := range [2]*Expr{a.num, a.den} {
			k, ok := rest.Add(arg.scale(t.c)).plainBound()
			switch {
			case !ok:
				continue
			case found == 0:
				best = k
			case either == ratLess(best, k): // (either) the larger, else the smaller
				best = k
			}
			found++
		}
		if found == 2 || found == 1 && either {
			return best, true
		}
	}
	return rat{}, false
}

// ratLess reports a < b (false when the difference overflows).
func ratLess(a, b rat) bool {
	nb, ok1 := b.neg()
	d, ok2 := a.add(nb)
	return ok1 && ok2 && d.n < 0
}

// distribute rewrites x + min(a,b) as min(x+a, x+b) and x - min(a,b) as
// max(x-a, x-b) (max alike) when e has one such term, so that a slice
// length S-min(1,S) reads max(0,S-1).
func (e *Expr) distribute() *Expr {
	if e.err != nil {
		return e
	}
	for i, t := range e.terms {
		if len(t.atoms) != 1 || t.atoms[0].kind < atomMin || (t.c != ratOne && t.c != rat{-1, 1}) {
			continue
		}
		a := t.atoms[0]
		rest := exprOf(slices.Delete(slices.Clone(e.terms), i, i+1))
		kind := a.kind
		if t.c.n < 0 {
			kind = atomMin + atomMax - kind
		}
		return minMax(rest.Add(a.num.scale(t.c)), rest.Add(a.den.scale(t.c)), kind)
	}
	return e
}

// plainBound is the constant term when every other term is provably >= 0.
func (e *Expr) plainBound() (rat, bool) {
	if e.err != nil {
		return rat{}, false
	}
	k := rat{0, 1}
	for _, t := range e.terms {
		if len(t.atoms) == 0 {
			k = t.c
			continue
		}
		if t.c.n < 0 {
			return rat{}, false
		}
		for _, a := range t.atoms {
			if !a.nonneg {
				return rat{}, false
			}
		}
	}
	return k, true
}

// asSize returns e marked as the size of a tensor dimension (see isSize).
func (e *Expr) asSize() *Expr {
	if e.err != nil || e.isSize || len(e.terms) == 0 || (len(e.terms) == 1 && len(e.terms[0].atoms) == 0) {
		return e
	}
	c := *e
	c.isSize = true
	return &c
}

// Eval returns e's value when each symbol takes its value in vals. The
// error wraps ErrUnbound (naming the symbol), ErrDivideByZero or
// ErrOverflow, or says that the value is not an integer (a rational
// coefficient of a parsed expression).
func (e *Expr) Eval(vals map[string]int64) (int64, error) {
	if e.err != nil {
		return 0, e.err
	}
	v, err := e.evalRat(vals)
	if err != nil {
		return 0, err
	}
	if !v.isInt() {
		return 0, fmt.Errorf("shapeinfer: %s is %d/%d, not an integer", e, v.n, v.d)
	}
	return v.n, nil
}

func (e *Expr) evalRat(vals map[string]int64) (rat, error) {
	sum := rat{0, 1}
	for _, t := range e.terms {
		p := t.c
		for _, a := range t.atoms {
			v, err := a.eval(vals)
			if err != nil {
				return rat{}, err
			}
			var ok bool
			if p, ok = p.mul(ratInt(v)); !ok {
				return rat{}, ErrOverflow
			}
		}
		var ok bool
		if sum, ok = sum.add(p); !ok {
			return rat{}, ErrOverflow
		}
	}
	return sum, nil
}

func (a *atom) eval(vals map[string]int64) (int64, error) {
	if a.kind == atomSymbol {
		v, ok := vals[a.key]
		if !ok {
			return 0, fmt.Errorf("%w: %q", ErrUnbound, a.key)
		}
		return v, nil
	}
	n, err := a.num.evalRat(vals)
	if err != nil {
		return 0, err
	}
	d, err := a.den.evalRat(vals)
	if err != nil {
		return 0, err
	}
	switch a.kind {
	case atomMin, atomMax: // integer arguments (see minMax)
		if (n.n < d.n) == (a.kind == atomMin) {
			return n.n, nil
		}
		return d.n, nil
	}
	inv, ok := d.inv()
	if !ok {
		return 0, ErrDivideByZero
	}
	q, ok := n.mul(inv)
	if !ok {
		return 0, ErrOverflow
	}
	return q.floor(), nil
}
