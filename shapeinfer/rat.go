package shapeinfer

import (
	"math"
	"math/bits"
	"strconv"
)

// Checked int64 arithmetic and exact rationals for dim expressions: every
// operation reports overflow instead of wrapping, so that a dimension is
// either exact or unknown, never a wrapped number.

func addInt(a, b int64) (int64, bool) {
	s := a + b
	if (b > 0 && s < a) || (b < 0 && s > a) {
		return 0, false
	}
	return s, true
}

func negInt(a int64) (int64, bool) { return -a, a != math.MinInt64 }

func subInt(a, b int64) (int64, bool) {
	s := a - b
	if (b > 0 && s > a) || (b < 0 && s < a) {
		return 0, false
	}
	return s, true
}

// magnitude returns |a| as a uint64 (exact for math.MinInt64 too).
func magnitude(a int64) uint64 {
	if a < 0 {
		return -uint64(a)
	}
	return uint64(a)
}

func mulInt(a, b int64) (int64, bool) {
	hi, lo := bits.Mul64(magnitude(a), magnitude(b))
	if hi != 0 {
		return 0, false
	}
	if (a < 0) != (b < 0) {
		if lo > 1<<63 {
			return 0, false
		}
		return int64(-lo), true // -2^63 included
	}
	if lo > math.MaxInt64 {
		return 0, false
	}
	return int64(lo), true
}

// gcd returns gcd(|a|, |b|) (gcd(0, 0) = 0), or 1 when it does not fit in
// an int64 (both operands math.MinInt64 or 0): callers only divide by it.
func gcd(a, b int64) int64 {
	x, y := magnitude(a), magnitude(b)
	for y != 0 {
		x, y = y, x%y
	}
	if x > math.MaxInt64 {
		return 1
	}
	return int64(x)
}

// lcm of positive a and b, ok false on overflow.
func lcm(a, b int64) (int64, bool) {
	if a == b {
		return a, true
	}
	return mulInt(a/gcd(a, b), b)
}

// floorDiv is floor(a/b) for b != 0 (math.MinInt64 / -1 wraps: callers
// divide by positive numbers).
func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// rat is an exact rational n/d with d > 0 and gcd(n, d) = 1.
type rat struct{ n, d int64 }

var ratOne = rat{1, 1}

func ratInt(n int64) rat { return rat{n, 1} }

// makeRat returns n/d reduced; ok false when d is 0 or on overflow.
func makeRat(n, d int64) (rat, bool) {
	if d == 0 {
		return rat{}, false
	}
	if d < 0 {
		var ok1, ok2 bool
		if n, ok1 = negInt(n); !ok1 {
			return rat{}, false
		}
		if d, ok2 = negInt(d); !ok2 {
			return rat{}, false
		}
	}
	if g := gcd(n, d); g > 1 {
		n, d = n/g, d/g
	}
	return rat{n, d}, true
}

func (a rat) isInt() bool { return a.d == 1 }

func (a rat) neg() (rat, bool) {
	n, ok := negInt(a.n)
	return rat{n, a.d}, ok
}

func (a rat) add(b rat) (rat, bool) {
	if a.d == 1 && b.d == 1 {
		s, ok := addInt(a.n, b.n)
		return rat{s, 1}, ok
	}
	g := gcd(a.d, b.d)
	x, ok1 := mulInt(a.n, b.d/g)
	y, ok2 := mulInt(b.n, a.d/g)
	d, ok3 := mulInt(a.d/g, b.d)
	n, ok4 := addInt(x, y)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return rat{}, false
	}
	return makeRat(n, d)
}

func (a rat) mul(b rat) (rat, bool) {
	if a.d == 1 && b.d == 1 {
		p, ok := mulInt(a.n, b.n)
		return rat{p, 1}, ok
	}
	if a.n == 0 || b.n == 0 {
		return rat{0, 1}, true
	}
	g1, g2 := gcd(a.n, b.d), gcd(b.n, a.d)
	n, ok1 := mulInt(a.n/g1, b.n/g2)
	d, ok2 := mulInt(a.d/g2, b.d/g1)
	if !ok1 || !ok2 {
		return rat{}, false
	}
	return rat{n, d}, true
}

// inv returns 1/a; ok false when a is 0.
func (a rat) inv() (rat, bool) { return makeRat(a.d, a.n) }

// floor returns floor(a).
func (a rat) floor() int64 { return floorDiv(a.n, a.d) }

// appendMagnitude appends |a| in the expression grammar: "3" or "3/2".
func (a rat) appendMagnitude(b []byte) []byte {
	b = strconv.AppendUint(b, magnitude(a.n), 10)
	if a.d != 1 {
		b = append(b, '/')
		b = strconv.AppendInt(b, a.d, 10)
	}
	return b
}
