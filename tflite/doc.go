// Package tflite exports an ONNX model to a TensorFlow Lite FlatBuffer
// (.tflite) in pure Go, converting the whole graph to channels-last as
// onnx2tf does, so that a convolutional network runs without a Transpose
// around every convolution.
//
// # Use
//
//	data, rep, err := tflite.Convert(model, &tflite.Options{InputShapes: map[string][]int64{"images": {1, 3, 224, 224}}})
//	rep, err := tflite.Save(model, "model.tflite", nil) // atomic: no file on failure
//	rep, err := tflite.Write(model, w, nil)             // streamed: the weights are not copied into one slice
//
// # Simplified first
//
// Convert first simplifies a copy of the model with package simplify
// (simplify.SimplifyCopy; the model given is never changed), with
// Options.InputShapes fixed: constants computed in the graph (weights
// scaled or transposed by nodes, Constant nodes, masks built from known
// sizes) are folded by package eval, shape computations (Shape -> Gather
// -> Unsqueeze -> Concat -> Reshape) become constants, BatchNormalization
// and per-channel Mul/Add fuse into the float convolutions before them,
// no-ops and dead code go, with the simplifier's defaults otherwise (a
// fold that would grow the model by over simplify.DefaultMaxFoldBytes is
// left to the converters). Report.Simplified is the simplifier's report. Options.NoSimplify converts the graph as
// it is: a node computed from constants is then an operator of its own,
// and a Shape node or a weight the graph computes is refused.
//
// # Layout
//
// Every value carries a layout, a permutation of its ONNX axes (layout.go).
// Convolutions, pooling, resizing and depth/space moves work in NHWC; the
// other operators take the layout of their inputs and map their axes
// through it; Transpose gives its output a layout instead of moving data;
// a reshape keeps a channels-last layout whenever it only merges or splits
// axes that stay together. A TRANSPOSE is emitted only where a consumer
// needs another layout than its producer gave, once per value and layout.
// Inputs and outputs of rank 4 are NHWC unless Options.KeepNCHWIO.
//
// # Shapes, constants, types
//
// Shapes must be static: Options.InputShapes fixes the input dims and
// package shapeinfer resolves every other one on the simplified graph; a
// value left dynamic is a *ShapeError naming it. Constants (const.go) are
// the initializers and Constant nodes the converters read, and what the
// converters that move data make of them (a reshape or transpose of a
// constant, ConstantOfShape); computing constants is the simplifier's
// work. Nodes computed from constants alone are converted before the
// others, so that a converter looking past its node sees their values.
// int64 values are carried as int32 and float16 values computed as
// float32 (TensorFlow Lite kernels work so); Options.FP16, or float16
// weights in the model, store weights as float16 read through DEQUANTIZE.
//
// # Operators
//
// Converters are keyed in one explicit table by (domain, op type,
// since-version), one file per family (ops_nn.go, ops_elementwise.go,
// ops_shape.go, ops_reduce.go, ops_matmul.go, ops_resize.go); a test checks
// the table against package opschema. A node without an exact TensorFlow
// Lite form is refused: Convert returns an *UnsupportedError listing every
// such node with its op type and reason; nothing is dropped silently.
// Conv folds a per-channel bias Add, a BatchNormalization and a Relu or
// Relu6 that follow it (the simplifier already fused the float32 ones;
// float16 weights and NoSimplify leave the first two to the exporter);
// MatMul folds a bias Add; a Flatten of channels-last
// data read only by FULLY_CONNECTED layers permutes their weights instead
// of transposing the data. 1-D convolutions and pools run as 2-D ones of
// height 1.
//
// # File
//
// The FlatBuffer is written by hand (flatbuf.go) from the schema facts in
// schema.go: schema version 3, one subgraph, a "serving_default"
// signature, weights 16-byte aligned, every operator with its options
// table (empty when it has no fields) wherever the schema defines one.
// Identical shapes, index lists and options tables are written once and
// shared; fields at the schema's default are left out. The constant
// buffers' bytes never enter the builder: the file is a list of pieces
// (model.go's tfFile) that Write streams and Convert joins.
package tflite
