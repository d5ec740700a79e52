package shapeinfer

// Division of expressions (the canonical floor form described on Expr),
// min and max, and exact division by a monomial.

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
