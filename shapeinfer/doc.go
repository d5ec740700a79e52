// Package shapeinfer infers the type and shape of every value of an ONNX
// model: symbolically, with data propagation through shape computations,
// through subgraphs and model-local functions, and with an explanation for
// every value it leaves incomplete.
//
// # Use
//
//	res, err := shapeinfer.Infer(model, &shapeinfer.Options{WriteBack: true})
//	t := res.Type(v)        // e.g. float32[N,seq+past,64]
//	why := res.Explain(v)   // nil when t is complete
//
// As a step of an onnxgraph.Script, {"op": "infer", ...} ([ScriptStep],
// [ScriptOps]; script.go) declares given input dims and writes the
// inferred types into the model, as the command line's infer does.
//
// # Dimensions
//
// A [Dim] is a known size, a symbolic expression or unknown. Expressions
// ([Expr]) are exact polynomials over named dims and floor(), min() and
// max() atoms, in a canonical form: "P+S", "2*N", "floor((H+1)/2)",
// "H+floor(H/2)" (a resize by 1.5), "max(0,S-1)" (a slice). They print in
// the infix grammar that python, sympy and ONNX Runtime's symbolic shape
// inference read with the same value, and [ParseExpr] reads them back: a
// dim_param written by Infer is read as the expression it was ([ParseDim]).
// Named dims of the inputs propagate; sizes fixed only at run time get
// fresh, stable names (unk__1, unk__2, ...), and so do expressions that
// would grow past [MaxExprSize]. Dim arithmetic never wraps: a size past
// int64 is unknown ([ErrOverflow]) and explained, as is a negative one.
// Two different computed sizes that broadcast are taken as equal (the
// smaller expression is kept), as ONNX Runtime's inference does with
// auto-merge; two different names give a fresh symbol.
//
// Files: expr.go (Expr, canonical form, printing, +, -, *), exprdiv.go
// (floor division, min, max), exprbound.go (bounds, Eval), exprparse.go
// (ParseExpr, ParseDim), rat.go (checked int64 and rational arithmetic),
// dim.go (Dim, Shape).
//
// # Data propagation
//
// Small integer tensors that carry shapes (the output of Shape, Gather on
// it, Concat, arithmetic, Unsqueeze, Cast, ...) are tracked element by
// element as [Data], so that the Reshape, Expand, Tile, Resize, Pad or
// Slice they feed resolves, symbolically when needed. Weights are never
// read: only initializers an operator asks for as data, up to 65,536
// elements, are decoded.
//
// # Operators
//
// Inference functions are keyed in one explicit table by (domain, op type,
// since-version), organised by operator family in separate files; a test
// checks the table against package opschema.
package shapeinfer
