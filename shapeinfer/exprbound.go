package shapeinfer

import (
	"fmt"
	"slices"
)

// Lower bounds of expressions (symbols are sizes, so not negative) and
// evaluation at concrete sizes.

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
