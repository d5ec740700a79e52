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
// # Dimensions
//
// A [Dim] is a known size, a symbolic expression or unknown. Expressions
// are small integer polynomials over named dims ([Expr]): "seq+past",
// "2*N", with non-exact division kept as an opaque "floor(H/2)". Named dims
// of the inputs propagate; sizes fixed only at run time get fresh, stable
// names (unk__1, unk__2, ...).
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
