// Package eval is a reference evaluator of ONNX nodes and models in pure
// Go: what a constant folder needs to compute a node from constant
// inputs, and a runner of whole graphs (If, Loop and Scan subgraphs,
// sequences and optionals included) checked against ONNX's backend test
// suite.
//
// # Use
//
//	outs, err := eval.EvalNode(node, inputs, nil)        // one node
//	res, err := eval.Run(model, map[string]*onnxgraph.Tensor{"x": x}, nil)
//	vals, err := eval.RunValues(model, inputs, nil)      // sequences, optionals
//
// The operator version is the one in force at the opset the node's model
// imports for its domain. [Implemented] tells whether a version has a
// kernel; [Operators] lists them.
//
// # Errors
//
// Every error is a *[NodeError] naming the node, its operator and version,
// and wraps one of three sentinels: [ErrNotImplemented] (no kernel for the
// operator, version, element type or attribute value: a constant folder
// leaves the node alone), [ErrInvalid] (inputs or attributes the operator
// cannot take: a wrong rank, shapes that do not broadcast, an index out of
// range, integer division by zero) and [ErrTooLarge]. Kernels validate
// what they read and do not panic, whatever the input.
//
// # Size limit
//
// [Options].MaxElements (default [DefaultMaxElements]) bounds every tensor
// the evaluator decodes or allocates, outputs and scratch buffers (index
// maps, im2col matrices) alike. A size above it, an overflowing product of
// dims or a dim above 2^31-1 is an ErrTooLarge error found before any
// allocation; a negative size is ErrInvalid.
//
// # Working form of tensors
//
// Inputs are decoded once, with the root package's codecs (Tensor.Values),
// into typed Go slices: []float32 for FLOAT and for the narrower float
// types (FLOAT16, BFLOAT16, the float 8 types, FLOAT4E2M1, whose values
// float32 holds exactly), []float64 for DOUBLE, []int8 ... []uint64 for
// the integer types (INT4 and INT2 in []int8, UINT4 and UINT2 in []uint8),
// []bool, []string, []complex64 and []complex128. Outputs are encoded with
// NewTensorOf (the float 8 types with Float32ToFloat8, so that infinities
// of FLOAT8E5M2 survive). A result of a narrower float type is rounded to
// it after every node, so that graphs compute in float16 as float16
// arithmetic would, rounding once per operation.
//
// Kernels are generic over the element types. Broadcasting is resolved
// once per call into per-input strides walked by an odometer with a
// strided inner loop. Data movement (Transpose, Slice, Expand, Tile, Pad,
// Gather, DepthToSpace ...) computes the source offset of every output
// element, as a sum of per-dim terms, and copies in one typed loop.
//
// # Numerics
//
// Float math is computed in float64 and rounded once to the input's type;
// float32 and float64 matrix products (MatMul, Gemm, Conv through im2col,
// ConvTranspose through col2im) run through gonum's BLAS, float16 and
// bfloat16 ones in float32. Integer arithmetic wraps as the type does;
// integer division or modulo by zero is ErrInvalid. Cast follows ONNX:
// round to nearest even between float types, truncation toward zero from
// float to integer (values out of range, undefined in ONNX, wrap from the
// truncated int64), saturation for the float 8 types as the saturate
// attribute says, clipping for the 4-bit and 2-bit integers, numpy's
// formatting and parsing for strings. QuantizeLinear divides in float32
// for float32 scales, as ONNX's reference does, so that ties round alike.
// Operators with a seed attribute (Dropout in training mode) draw their
// random numbers as numpy's legacy generator does, which makes them
// reproduce ONNX's reference; without a seed they are ErrNotImplemented.
//
// # Kernels
//
// One explicit table, keyed by (domain, operator, since-version), holds
// every kernel: each operator family has a file with its part of the table
// (elementwise.go, logic.go, cast.go, shapeops.go, gather.go, reduce.go,
// nn.go, norm.go, loss.go, linalg.go, conv.go, pool.go, resize.go,
// detection.go, quant.go, rnn.go, attention.go, signal.go, strings.go,
// controlflow.go, sequence.go, training.go). An entry names the kernel,
// the element types of the node's first input it takes, and the
// attributes it reads. Adding an operator is one kernel function and one
// table line; a test checks every entry against package opschema: the
// version exists, the attributes are exactly the schema's, and the
// declared types cover the schema's (the few exceptions are listed in the
// test, each an ErrNotImplemented at run time).
//
// Operators whose results are random (Bernoulli, RandomUniform and the
// like, Multinomial) and those of no fixed definition (Gradient,
// ImageDecoder) have no kernel.
//
// # Conformance
//
// TestSuite runs every test of the ONNX backend suite (node, simple and
// pytorch folders of Debian's libonnx-testdata, onnx 1.12) whose operators
// all have kernels, on every data set, with the suite's tolerances (rtol
// 1e-3, atol 1e-7), and prints "implemented ops N, suite tests run M,
// passed M". A few deliberate departures from ONNX Runtime, where the
// reference and the suite say otherwise, are documented with their
// kernels (Resize). The examples module's internal/evalcheck package runs
// operator versions newer than the suite, and random geometries of the
// kernels with the most options, through both this package and ONNX
// Runtime, and compares.
package eval
