package shapeinfer_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph/shapeinfer"
)

func mustParse(t testing.TB, s string) *shapeinfer.Expr {
	t.Helper()
	e, err := shapeinfer.ParseExpr(s)
	if err != nil {
		t.Fatalf("ParseExpr(%q): %v", s, err)
	}
	return e
}

// TestExprCanonical checks the canonical printed form of parsed
// expressions, that it reads back to the same expression, and that it has
// the value of the input at a spread of sizes (by exact evaluation of the
// input's own reading, done by hand below for each case).
func TestExprCanonical(t *testing.T) {
	type env = map[string]int64
	floor := func(a, b int64) int64 { return int64(math.Floor(float64(a) / float64(b))) }
	ceil := func(a, b int64) int64 { return int64(math.Ceil(float64(a) / float64(b))) }
	cases := []struct {
		in, want string
		value    func(v env) int64 // the input's value, computed directly
	}{
		{"floor((samples - 512)/160) + 1", "floor((samples+128)/160)-3", func(v env) int64 { return floor(v["samples"]-512, 160) + 1 }},
		{"ceil((S - 1)/2)", "floor(S/2)", func(v env) int64 { return ceil(v["S"]-1, 2) }},
		{"ceil(S/2)", "floor((S+1)/2)", func(v env) int64 { return ceil(v["S"], 2) }},
		{"floor(3*H/2)", "H+floor(H/2)", func(v env) int64 { return floor(3*v["H"], 2) }},
		{"floor((floor((H + 1)/2) + 1)/2)", "floor((H+3)/4)", func(v env) int64 { return floor(floor(v["H"]+1, 2)+1, 2) }},
		{"floor((2*N + S)/2)", "N+floor(S/2)", func(v env) int64 { return floor(2*v["N"]+v["S"], 2) }},
		{"floor((4*H + 2)/6)", "floor((2*H+1)/3)", func(v env) int64 { return floor(4*v["H"]+2, 6) }},
		{"floor((H - 1)/2) + 1", "floor((H+1)/2)", func(v env) int64 { return floor(v["H"]-1, 2) + 1 }},
		{"past + seq", "past+seq", func(v env) int64 { return v["past"] + v["seq"] }},
		{"seq + past - 1", "past+seq-1", func(v env) int64 { return v["past"] + v["seq"] - 1 }},
		{"2*N*S", "2*N*S", func(v env) int64 { return 2 * v["N"] * v["S"] }},
		{"(N + S)*(N - S)", "N*N-S*S", func(v env) int64 { return (v["N"] + v["S"]) * (v["N"] - v["S"]) }},
		{"N**2 + 1", "N*N+1", func(v env) int64 { return v["N"]*v["N"] + 1 }},
		{"-N + 3", "-N+3", func(v env) int64 { return -v["N"] + 3 }},
		{"3 - N", "-N+3", func(v env) int64 { return 3 - v["N"] }},
		{"N*S/S", "N", func(v env) int64 { return v["N"] }},
		{"2*N*W/4", "N*W/2", func(v env) int64 { return 2 * v["N"] * v["W"] / 4 }}, // even for the sizes below
		{"floor(N/S)", "floor(N/S)", func(v env) int64 { return floor(v["N"], v["S"]) }},
		{"floor(2*N/(4*S))", "floor(N/(2*S))", func(v env) int64 { return floor(2*v["N"], 4*v["S"]) }},
		{"ceil(N/S)", "floor((N+S-1)/S)", func(v env) int64 { return ceil(v["N"], v["S"]) }},
		{"floor(H/2)*floor(W/2)", "floor(H/2)*floor(W/2)", func(v env) int64 { return floor(v["H"], 2) * floor(v["W"], 2) }},
		{"floor(S/2) + floor((S + 1)/2)", "floor((S+1)/2)+floor(S/2)", func(v env) int64 { return floor(v["S"], 2) + floor(v["S"]+1, 2) }},
		{"floor(1.5*H)", "H+floor(H/2)", func(v env) int64 { return floor(3*v["H"], 2) }},
		{"floor(0.25*H + 0.5)", "floor((H+2)/4)", func(v env) int64 { return floor(v["H"]+2, 4) }},
		{"min(3, S)", "min(3,S)", func(v env) int64 { return min(3, v["S"]) }},
		{"Max(S - 1, 0)", "max(0,S-1)", func(v env) int64 { return max(v["S"]-1, 0) }},
		{"S - min(1, S)", "S-min(1,S)", func(v env) int64 { return v["S"] - min(1, v["S"]) }},
		{"max(S, S - 1)", "S", func(v env) int64 { return v["S"] }},
		{"min(N + 2, N)", "N", func(v env) int64 { return v["N"] }},
		{"floor(max(H, 2*W)/2)", "floor(max(2*W,H)/2)", func(v env) int64 { return floor(max(v["H"], 2*v["W"]), 2) }},
		// The ambiguous forms of earlier versions, read as written.
		{"floor(S-1/2)+1", "S", func(v env) int64 { return int64(math.Floor(float64(v["S"])-0.5)) + 1 }},
		{"-floor(-S+1/2)", "S", func(v env) int64 { return -int64(math.Floor(-float64(v["S"]) + 0.5)) }},
	}
	sizes := []env{
		{"samples": 1280, "S": 1, "H": 1, "N": 1, "W": 2, "past": 0, "seq": 1},
		{"samples": 16000, "S": 2, "H": 7, "N": 3, "W": 4, "past": 5, "seq": 3},
		{"samples": 513, "S": 7, "H": 224, "N": 8, "W": 6, "past": 100, "seq": 64},
		{"samples": 99999, "S": 1000, "H": 1001, "N": 17, "W": 1024, "past": 4095, "seq": 1},
	}
	for _, c := range cases {
		e := mustParse(t, c.in)
		if got := e.String(); got != c.want {
			t.Errorf("%q: printed %q, want %q", c.in, got, c.want)
		}
		back := mustParse(t, e.String())
		if !back.Equal(e) || back.String() != e.String() {
			t.Errorf("%q: %q reads back as %q", c.in, e, back)
		}
		for _, v := range sizes {
			got, err := e.Eval(v)
			if err != nil {
				t.Errorf("%q at %v: %v", c.in, v, err)
				continue
			}
			if want := c.value(v); got != want {
				t.Errorf("%q = %q at %v: %d, want %d", c.in, e, v, got, want)
			}
		}
	}
}

// TestExprArithmetic checks the operations against the printed forms the
// shape functions produce.
func TestExprArithmetic(t *testing.T) {
	H, S, N := shapeinfer.SymExpr("H"), shapeinfer.SymExpr("S"), shapeinfer.SymExpr("N")
	k := shapeinfer.ConstExpr
	cases := []struct {
		got  *shapeinfer.Expr
		want string
	}{
		// Conv 3x3, stride 2, pads 1: floor((H + 2 - 3)/2) + 1.
		{H.Add(k(2 - 3)).FloorDiv(k(2)).Add(k(1)), "floor((H+1)/2)"},
		// SAME_UPPER, stride 2: ceil(H/2) is the same size.
		{H.CeilDiv(k(2)), "floor((H+1)/2)"},
		// Two stride-2 stages.
		{H.CeilDiv(k(2)).CeilDiv(k(2)), "floor((H+3)/4)"},
		{H.FloorDiv(k(2)).FloorDiv(k(2)).FloorDiv(k(2)), "floor(H/8)"},
		{H.CeilDiv(k(-2)), "-floor(H/2)"},
		{H.FloorDiv(k(-2)), "-floor((H+1)/2)"},
		{S.Sub(k(1)).CeilDiv(k(2)), "floor(S/2)"},
		{N.Mul(S).Mul(k(512)).FloorDiv(k(8)), "64*N*S"},
		{N.Mul(S).FloorDiv(S), "N"},
		{N.FloorDiv(S).Mul(S).Add(N.Sub(N)), "S*floor(N/S)"},
		{H.FloorDiv(H), "1"},
		{H.Add(k(1)).FloorDiv(H.Add(k(1))), "1"},
		{H.FloorDiv(k(2)).Add(H.FloorDiv(k(4))), "floor(H/2)+floor(H/4)"},
		{H.FloorDiv(k(2)).Mul(k(2)).Sub(H), "-H+2*floor(H/2)"},
		{H.FloorDiv(k(1)), "H"},
		{k(7).FloorDiv(k(2)), "3"},
		{k(-7).FloorDiv(k(2)), "-4"},
		{k(-7).CeilDiv(k(2)), "-3"},
		{H.Mul(k(0)), "0"},
		{H.Neg().Neg(), "H"},
	}
	for i, c := range cases {
		if got := c.got.String(); got != c.want {
			t.Errorf("case %d: got %q, want %q", i, got, c.want)
		}
	}
}

// TestExprOverflow checks that arithmetic past int64 gives ErrOverflow,
// never a wrapped number, at the Expr and the Dim level.
func TestExprOverflow(t *testing.T) {
	big := shapeinfer.ConstExpr(1 << 62)
	N := shapeinfer.SymExpr("N")
	for i, e := range []*shapeinfer.Expr{
		big.Mul(big),
		big.Add(big),
		big.Mul(N).Mul(shapeinfer.ConstExpr(4)),
		shapeinfer.ConstExpr(math.MinInt64).Neg(),
		shapeinfer.ConstExpr(math.MaxInt64).Add(shapeinfer.ConstExpr(1)),
		shapeinfer.ConstExpr(math.MinInt64).Sub(shapeinfer.ConstExpr(1)),
		N.Mul(big).Add(N.Mul(big)),
	} {
		if !errors.Is(e.Err(), shapeinfer.ErrOverflow) {
			t.Errorf("case %d: got %v (%v), want ErrOverflow", i, e, e.Err())
		}
		if _, ok := e.Const(); ok {
			t.Errorf("case %d: a constant", i)
		}
	}
	// Dims: unknown, saying why, through later arithmetic too.
	d := shapeinfer.Known(1 << 62).Mul(shapeinfer.Known(1 << 62)).Add(shapeinfer.Symbol("N"))
	if !d.IsUnknown() || !errors.Is(d.Err(), shapeinfer.ErrOverflow) || d.String() != "?" {
		t.Errorf("overflowed dim: %v, unknown %v, err %v", d, d.IsUnknown(), d.Err())
	}
	if n := (shapeinfer.Shape{shapeinfer.Known(1 << 40), shapeinfer.Known(1 << 40)}).NumElements(); !errors.Is(n.Err(), shapeinfer.ErrOverflow) {
		t.Errorf("NumElements: %v (%v)", n, n.Err())
	}
	if n := (shapeinfer.Shape{shapeinfer.Known(1 << 40), shapeinfer.Known(1 << 40), shapeinfer.Known(0)}).NumElements(); n.String() != "0" {
		t.Errorf("NumElements with a 0: %v", n)
	}
	if _, err := mustParse(t, "N*M").Eval(map[string]int64{"N": 1 << 40, "M": 1 << 40}); !errors.Is(err, shapeinfer.ErrOverflow) {
		t.Errorf("Eval: %v", err)
	}
	if _, err := shapeinfer.ParseExpr("4611686018427387904*4611686018427387904"); !errors.Is(err, shapeinfer.ErrOverflow) {
		t.Errorf("ParseExpr: %v", err)
	}
}

// TestExprSizeLimit checks that expressions past MaxExprSize give
// ErrTooLarge.
func TestExprSizeLimit(t *testing.T) {
	sum := shapeinfer.ConstExpr(0)
	var err error
	for i := 0; i < 200 && err == nil; i++ {
		sum = sum.Add(mustParse(t, "floor(H"+strings.Repeat("x", i)+"/3)"))
		err = sum.Err()
	}
	if !errors.Is(err, shapeinfer.ErrTooLarge) {
		t.Fatalf("a sum of 200 floors: %v", err)
	}
	d := shapeinfer.FromExpr(sum)
	if !d.IsUnknown() || !errors.Is(d.Err(), shapeinfer.ErrTooLarge) {
		t.Errorf("dim: %v, %v", d, d.Err())
	}
	// Products multiply terms.
	p := mustParse(t, "a+b+c+d+e+f+g+h+i+j+k+l")
	if e := p.Mul(p); !errors.Is(e.Err(), shapeinfer.ErrTooLarge) {
		t.Errorf("square of 12 terms: %v (%v)", e, e.Err())
	}
}

func TestParseExprErrors(t *testing.T) {
	for _, s := range []string{"", "N+", "2N", "N/S", "floor(N", "(N", "N)", "N**S", "N**65", "x/0", "floor(N/0)",
		"batch size", "a.b", "99999999999999999999", "max(N)", "min(N,S,T)", "1.", "N**1.5", "0.1234567890123456789*N", "max(N/2,S)", "N/S+1", strings.Repeat("(", 100) + "N" + strings.Repeat(")", 100)} {
		e, err := shapeinfer.ParseExpr(s)
		if err == nil {
			t.Errorf("%q: parsed as %v", s, e)
			continue
		}
		var pe *shapeinfer.ParseError
		if !errors.As(err, &pe) && !errors.Is(err, shapeinfer.ErrOverflow) {
			t.Errorf("%q: %T %v", s, err, err)
		}
		if !strings.HasPrefix(err.Error(), "shapeinfer: ") {
			t.Errorf("%q: %v", s, err)
		}
	}
}

// TestParseDim checks how dim_params are read.
func TestParseDim(t *testing.T) {
	for in, want := range map[string]string{
		"batch":                    "batch",
		"batch_size":               "batch_size",
		"floor((H+1)/2)":           "floor((H+1)/2)",
		"past_sequence_length + 1": "past_sequence_length+1",
		"batch size":               "batch size", // not an expression: a name
		"input.1_dim_0":            "input.1_dim_0",
		"3":                        "3", // a constant: kept as a name, not a size
		"2*4":                      "2*4",
	} {
		d := shapeinfer.ParseDim(in)
		if got := d.String(); got != want {
			t.Errorf("ParseDim(%q) = %q, want %q", in, got, want)
		}
		if _, ok := d.Value(); ok {
			t.Errorf("ParseDim(%q) is a known size", in)
		}
	}
	if name, ok := shapeinfer.ParseDim("3").Expr().Symbol(); !ok || name != "3" {
		t.Errorf("ParseDim(3): %q %v", name, ok)
	}
}

// FuzzParseExpr reads arbitrary text: no panic, and what parses prints a
// form that reads back to the same expression. Text of the form "a;b"
// also checks the arithmetic: every operation on a and b, evaluated at
// sizes from 0 to 12, must equal the operation on their values.
func FuzzParseExpr(f *testing.F) {
	for _, s := range []string{"floor((samples - 512)/160) + 1", "ceil((S - 1)/2)", "3*H/2 + 1/2", "floor(N/(2*S))",
		"N**3 - N", "-(-(N))", "floor(floor(floor(H/2)/2)/2)", "ceil(N/S)*S", "9223372036854775807*N",
		"floor(1.5*H) + 0.25", "Min(3, S) - Max(S - 1, 0)", "H;2", "H+1;3", "floor(H/3)+N;N+2", "3*H-7;H+1",
		"min(H,4);-2", "4611686018427387904*N+M/2;S/3", "H*W;floor(H/2)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, b, pair := strings.Cut(s, ";")
		e := fzParseBack(t, a)
		if !pair || e == nil {
			return
		}
		g := fzParseBack(t, b)
		if g == nil {
			return
		}
		ops := []struct {
			name string
			r    *shapeinfer.Expr
			v    func(x, y int64) (int64, bool)
		}{
			{"+", e.Add(g), func(x, y int64) (int64, bool) { return x + y, true }},
			{"-", e.Sub(g), func(x, y int64) (int64, bool) { return x - y, true }},
			{"*", e.Mul(g), func(x, y int64) (int64, bool) { return x * y, true }},
			{"floor", e.FloorDiv(g), func(x, y int64) (int64, bool) { return int64(math.Floor(float64(x) / float64(y))), y != 0 }},
			{"ceil", e.CeilDiv(g), func(x, y int64) (int64, bool) { return int64(math.Ceil(float64(x) / float64(y))), y > 0 }},
			{"min", e.Min(g), func(x, y int64) (int64, bool) { return min(x, y), true }},
			{"max", e.Max(g), func(x, y int64) (int64, bool) { return max(x, y), true }},
		}
		names := append(e.Symbols(), g.Symbols()...)
		for k := range 6 {
			env := map[string]int64{}
			for i, n := range names {
				env[n] = int64((k*7 + i*5) % 13)
			}
			x, err1 := e.Eval(env)
			y, err2 := g.Eval(env)
			if err1 != nil || err2 != nil || max(x, -x, y, -y) > 1<<20 {
				continue
			}
			for _, op := range ops {
				want, ok := op.v(x, y)
				if !ok || op.r.Err() != nil {
					continue
				}
				got, err := op.r.Eval(env)
				if err == nil && got != want {
					t.Fatalf("%s %s %s = %s is %d at %v, want %d (%d, %d)", e, op.name, g, op.r, got, env, want, x, y)
				}
			}
		}
		for _, op := range ops {
			if op.r.Err() == nil {
				fzParseBack(t, op.r.String())
			}
		}
	})
}

// fzParseBack parses s; when it parses, its printed form must read back
// to the same expression.
func fzParseBack(t *testing.T, s string) *shapeinfer.Expr {
	e, err := shapeinfer.ParseExpr(s)
	if err != nil {
		return nil
	}
	back, err := shapeinfer.ParseExpr(e.String())
	if err != nil {
		t.Fatalf("%q prints %q, which does not parse: %v", s, e, err)
	}
	if !back.Equal(e) {
		t.Fatalf("%q prints %q, which reads back as %q", s, e, back)
	}
	return e
}
