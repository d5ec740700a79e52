package shapeinfer

import (
	"fmt"
	"math"
	"strconv"
)

// ParseError is a dim expression that ParseExpr cannot read.
type ParseError struct {
	Input string
	Pos   int // byte offset of the problem
	Msg   string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("shapeinfer: dim expression %q, at byte %d: %s", e.Input, e.Pos, e.Msg)
}

// maxParseDepth bounds the nesting of parentheses and calls ParseExpr
// accepts.
const maxParseDepth = 64

// ParseExpr reads an expression in the grammar described on [Expr], such
// as "floor((samples - 512)/160) + 1", "ceil((S - 1)/2)", "past + seq" or
// "3*H/2", and returns it in canonical form. Division by an expression
// that is not constant is accepted inside floor() and ceil() (and where it
// is exact, as in "N*S/S"). The error is a *ParseError, or wraps
// ErrOverflow or ErrTooLarge.
func ParseExpr(s string) (*Expr, error) {
	p := &parser{in: s}
	p.next()
	v, err := p.expr(0)
	if err != nil {
		return nil, err
	}
	if p.tok != tokEOF {
		return nil, p.errorf("unexpected %s", p.describe())
	}
	e, err := p.poly(v, 0)
	if err != nil {
		return nil, err
	}
	if e.err != nil {
		return nil, fmt.Errorf("shapeinfer: dim expression %q: %w", s, e.err)
	}
	return e, nil
}

// ParseDim reads a dim_param as shape inference does: an expression in
// the grammar of [Expr] ("floor((H + 1)/2)", "past + seq") gives that
// expression, so that a model written by Infer and read again keeps its
// structure; anything else (a plain name, or text that is not an
// expression, such as "batch size" or a constant) is a symbol of that
// name.
func ParseDim(s string) Dim {
	if isName(s) {
		return Symbol(s)
	}
	e, err := ParseExpr(s)
	if err != nil {
		return Symbol(s)
	}
	if _, isConst := e.constRat(); isConst {
		return Symbol(s)
	}
	return FromExpr(e)
}

// minMaxNames are the spellings of min and max ParseExpr reads (sympy
// writes Min and Max).
var minMaxNames = map[string]atomKind{"min": atomMin, "Min": atomMin, "max": atomMax, "Max": atomMax}

// isName reports whether s is a name of the grammar.
func isName(s string) bool {
	if s == "" || !nameStart(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !nameByte(s[i]) {
			return false
		}
	}
	return true
}

func nameStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func nameByte(c byte) bool  { return nameStart(c) || c >= '0' && c <= '9' }

type tokKind uint8

const (
	tokEOF tokKind = iota
	tokInt
	tokName
	tokOp // one of + - * / ( ) and ** (as "^")
	tokBad
)

type parser struct {
	in  string
	pos int // start of the current token
	end int // end of the current token
	tok tokKind
	op  byte
	num uint64 // up to 2^63, which only a leading "-" makes valid
	den int64  // 10^k for a decimal with k digits after the point, else 1
}

var pow10 = func() (p [19]int64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = 10 * p[i-1]
	}
	return p
}()

func (p *parser) errorf(format string, args ...any) error {
	return &ParseError{Input: p.in, Pos: p.pos, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) describe() string {
	switch p.tok {
	case tokEOF:
		return "end of input"
	case tokBad:
		return fmt.Sprintf("character %q", p.in[p.pos])
	}
	return strconv.Quote(p.in[p.pos:p.end])
}

// next reads the token after the current one.
func (p *parser) next() {
	i := p.end
	for i < len(p.in) && (p.in[i] == ' ' || p.in[i] == '\t') {
		i++
	}
	p.pos = i
	if i >= len(p.in) {
		p.tok, p.end = tokEOF, i
		return
	}
	c := p.in[i]
	switch {
	case c >= '0' && c <= '9':
		j := i
		for j < len(p.in) && p.in[j] >= '0' && p.in[j] <= '9' {
			j++
		}
		n, err := strconv.ParseUint(p.in[i:j], 10, 64)
		if err != nil || n > 1<<63 {
			p.tok, p.end = tokBad, j
			return
		}
		p.tok, p.num, p.end, p.den = tokInt, n, j, 1
		if j+1 < len(p.in) && p.in[j] == '.' && p.in[j+1] >= '0' && p.in[j+1] <= '9' {
			// A decimal (sympy writes 1.5*H): exact, n/10^k.
			k := j + 1
			for k < len(p.in) && p.in[k] >= '0' && p.in[k] <= '9' {
				k++
			}
			frac := p.in[j+1 : k]
			whole, err := strconv.ParseUint(p.in[i:j]+frac, 10, 64)
			if err != nil || len(frac) > 18 || whole > math.MaxInt64 {
				p.tok, p.end = tokBad, k
				return
			}
			p.num, p.end, p.den = whole, k, pow10[len(frac)]
		}
	case nameStart(c):
		j := i + 1
		for j < len(p.in) && nameByte(p.in[j]) {
			j++
		}
		p.tok, p.end = tokName, j
	case c == '*' && i+1 < len(p.in) && p.in[i+1] == '*':
		p.tok, p.op, p.end = tokOp, '^', i+2
	case c == '+' || c == '-' || c == '*' || c == '/' || c == '(' || c == ')' || c == ',':
		p.tok, p.op, p.end = tokOp, c, i+1
	default:
		p.tok, p.end = tokBad, i+1
	}
}

func (p *parser) isOp(c byte) bool { return p.tok == tokOp && p.op == c }

// value is a parsed sub-expression: the polynomial e, or the quotient
// num/den by a non-constant den (then e is nil), which only floor() and
// ceil() take.
type value struct {
	e, num, den *Expr
}

// poly returns v as a polynomial: a quotient must divide exactly.
func (p *parser) poly(v value, pos int) (*Expr, error) {
	if v.e != nil {
		return v.e, nil
	}
	if q := v.num.divMonomial(v.den); q != nil {
		return q, nil
	}
	return nil, &ParseError{Input: p.in, Pos: pos, Msg: "division by a non-constant expression outside floor() or ceil()"}
}

// expr = ["-"] term {("+" | "-") term}; the leading sign is read by factor.
func (p *parser) expr(depth int) (value, error) {
	if depth > maxParseDepth {
		return value{}, p.errorf("nested deeper than %d", maxParseDepth)
	}
	start := p.pos
	v, err := p.term(depth, false)
	if err != nil {
		return value{}, err
	}
	for p.isOp('+') || p.isOp('-') {
		neg := p.op == '-'
		p.next()
		at := p.pos
		w, err := p.term(depth, neg)
		if err != nil {
			return value{}, err
		}
		a, err := p.poly(v, start)
		if err != nil {
			return value{}, err
		}
		b, err := p.poly(w, at)
		if err != nil {
			return value{}, err
		}
		v = value{e: a.Add(b)}
	}
	return v, nil
}

// term = factor {("*" | "/") factor}; neg negates it (a binary "-"
// before it).
func (p *parser) term(depth int, neg bool) (value, error) {
	v, err := p.factor(depth, neg)
	if err != nil {
		return value{}, err
	}
	for p.isOp('*') || p.isOp('/') {
		div := p.op == '/'
		p.next()
		at := p.pos
		w, err := p.factor(depth, false)
		if err != nil {
			return value{}, err
		}
		x, err := p.poly(w, at)
		if err != nil {
			return value{}, err
		}
		if !div {
			if v.e != nil {
				v.e = v.e.Mul(x)
			} else {
				v.num = v.num.Mul(x)
			}
			continue
		}
		if c, ok := x.constRat(); ok {
			inv, ok := c.inv()
			if !ok {
				return value{}, &ParseError{Input: p.in, Pos: at, Msg: "division by zero"}
			}
			if v.e != nil {
				v.e = v.e.scale(inv)
			} else {
				v.num = v.num.scale(inv)
			}
			continue
		}
		if v.e != nil {
			v = value{num: v.e, den: x}
		} else {
			v.den = v.den.Mul(x)
		}
		if q := v.num.divMonomial(v.den); q != nil {
			v = value{e: q}
		}
	}
	return v, nil
}

// factor = ["-" | "+"] primary ["**" integer], negated when neg. The
// integer 9223372036854775808 is only valid negated.
func (p *parser) factor(depth int, neg bool) (value, error) {
	if depth > maxParseDepth {
		return value{}, p.errorf("nested deeper than %d", maxParseDepth)
	}
	if p.isOp('-') || p.isOp('+') {
		if p.op == '-' {
			neg = !neg
		}
		p.next()
		return p.factor(depth+1, neg)
	}
	if neg && p.tok == tokInt && p.num == 1<<63 && p.den == 1 {
		p.next()
		if p.isOp('^') {
			return value{}, p.errorf("-9223372036854775808 cannot take an exponent")
		}
		return value{e: ConstExpr(math.MinInt64)}, nil
	}
	at := p.pos
	v, err := p.primary(depth)
	if err != nil {
		return value{}, err
	}
	if p.isOp('^') {
		p.next()
		if p.tok != tokInt || p.num > 64 || p.den != 1 {
			return value{}, p.errorf("the exponent must be an integer from 0 to 64, not %s", p.describe())
		}
		k := int(p.num)
		p.next()
		x, err := p.poly(v, at)
		if err != nil {
			return value{}, err
		}
		out := ConstExpr(1)
		for range k {
			out = out.Mul(x)
		}
		v = value{e: out}
	}
	switch {
	case !neg:
		return v, nil
	case v.e != nil:
		return value{e: v.e.Neg()}, nil
	}
	return value{num: v.num.Neg(), den: v.den}, nil
}

// primary = integer | name | ("floor" | "ceil") "(" expr ")" | "(" expr ")".
func (p *parser) primary(depth int) (value, error) {
	switch {
	case p.tok == tokInt:
		if p.num > math.MaxInt64 {
			return value{}, p.errorf("integer %s is too large", p.describe())
		}
		n, d := int64(p.num), p.den
		p.next()
		if d != 1 {
			r, _ := makeRat(n, d)
			return value{e: ConstExpr(1).scale(r)}, nil
		}
		return value{e: ConstExpr(n)}, nil
	case p.tok == tokName:
		name := p.in[p.pos:p.end]
		p.next()
		if (name == "floor" || name == "ceil") && p.isOp('(') {
			p.next()
			v, err := p.expr(depth + 1)
			if err != nil {
				return value{}, err
			}
			if !p.isOp(')') {
				return value{}, p.errorf("expected ) to close %s(, found %s", name, p.describe())
			}
			p.next()
			switch {
			case v.e != nil && name == "floor":
				return value{e: floorOf(v.e)}, nil
			case v.e != nil:
				return value{e: ceilOf(v.e)}, nil
			case name == "floor":
				return value{e: v.num.FloorDiv(v.den)}, nil
			}
			return value{e: v.num.CeilDiv(v.den)}, nil
		}
		if kind := minMaxNames[name]; kind != 0 && p.isOp('(') {
			p.next()
			var args [2]*Expr
			for i := range args {
				at := p.pos
				v, err := p.expr(depth + 1)
				if err != nil {
					return value{}, err
				}
				if args[i], err = p.poly(v, at); err != nil {
					return value{}, err
				}
				if args[i].err == nil {
					if !args[i].integral() {
						return value{}, &ParseError{Input: p.in, Pos: at, Msg: name + "() of an expression that is not an integer"}
					}
				}
				sep := byte(',')
				if i == 1 {
					sep = ')'
				}
				if !p.isOp(sep) {
					return value{}, p.errorf("expected %q in %s(), found %s", sep, name, p.describe())
				}
				p.next()
			}
			return value{e: minMax(args[0], args[1], kind)}, nil
		}
		return value{e: SymExpr(name)}, nil
	case p.isOp('('):
		p.next()
		v, err := p.expr(depth + 1)
		if err != nil {
			return value{}, err
		}
		if !p.isOp(')') {
			return value{}, p.errorf("expected ), found %s", p.describe())
		}
		p.next()
		return v, nil
	}
	return value{}, p.errorf("expected a number, a name or (, found %s", p.describe())
}
