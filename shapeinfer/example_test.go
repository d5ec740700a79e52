package shapeinfer_test

import (
	"errors"
	"fmt"

	"github.com/onnxgraph/onnxgraph/shapeinfer"
)

// A dim_param as ONNX Runtime's symbolic shape inference writes it reads
// as the expression it means, in canonical form.
func ExampleParseExpr() {
	e, err := shapeinfer.ParseExpr("floor((samples - 512)/160) + 1")
	if err != nil {
		panic(err)
	}
	n, _ := e.Eval(map[string]int64{"samples": 1280})
	fmt.Println(e, n)
	c, _ := shapeinfer.ParseExpr("ceil((S - 1)/2)")
	fmt.Println(c)
	// Output:
	// floor((samples+128)/160)-3 5
	// floor(S/2)
}

// ParseDim reads a dim_param: an expression, else a plain name.
func ExampleParseDim() {
	for _, p := range []string{"batch", "past+seq", "floor((H+1)/2)", "batch size"} {
		d := shapeinfer.ParseDim(p)
		_, isName := d.Expr().Symbol()
		fmt.Printf("%q: %v (a name: %v)\n", p, d, isName)
	}
	// Output:
	// "batch": batch (a name: true)
	// "past+seq": past+seq (a name: false)
	// "floor((H+1)/2)": floor((H+1)/2) (a name: false)
	// "batch size": batch size (a name: true)
}

// A 3x3 convolution with stride 2 and padding 1, and "same" padding with
// stride 2, give the same size, in the same form.
func ExampleExpr_FloorDiv() {
	H := shapeinfer.SymExpr("H")
	conv := H.Add(shapeinfer.ConstExpr(2 - 3)).FloorDiv(shapeinfer.ConstExpr(2)).Add(shapeinfer.ConstExpr(1))
	same := H.CeilDiv(shapeinfer.ConstExpr(2))
	fmt.Println(conv, same, conv.Equal(same))
	// Output: floor((H+1)/2) floor((H+1)/2) true
}

// Min and Max keep an order that cannot be proved as an atom.
func ExampleExpr_Min() {
	S := shapeinfer.SymExpr("S")
	fmt.Println(S.Min(shapeinfer.ConstExpr(3)), S.Max(S.Sub(shapeinfer.ConstExpr(1))))
	// Output: min(3,S) S
}

// Eval gives an inferred shape at concrete sizes.
func ExampleShape_Eval() {
	H, W := shapeinfer.Symbol("H"), shapeinfer.Symbol("W")
	s := shapeinfer.Shape{shapeinfer.Known(1), shapeinfer.Known(64), H.CeilDiv(shapeinfer.Known(2)), W.FloorDiv(shapeinfer.Known(4))}
	sizes, err := s.Eval(map[string]int64{"H": 225, "W": 300})
	fmt.Println(s, sizes, err)
	_, err = s.Eval(map[string]int64{"H": 225})
	fmt.Println(errors.Is(err, shapeinfer.ErrUnbound), err)
	// Output:
	// [1,64,floor((H+1)/2),floor(W/4)] [1 64 113 75] <nil>
	// true shapeinfer: dim 3: symbol has no value: "W"
}

// Dim arithmetic past int64 gives an unknown dim that says why, never a
// wrapped number.
func ExampleDim_Err() {
	big := shapeinfer.Known(1 << 62)
	d := big.Mul(big)
	fmt.Println(d, d.IsUnknown(), errors.Is(d.Err(), shapeinfer.ErrOverflow))
	// Output: ? true true
}
