// Package simplify simplifies ONNX models in pure Go, as onnx-simplifier
// and onnxslim do, without their limits: it works on models of any size
// (over 2 GiB, with external data, without reading weights a fold does
// not need), needs no runtime to fold constants (package eval computes
// them), and never gives up on a model it cannot fully simplify: a node
// it cannot handle stays as it is, and the report says why.
//
// # Use
//
//	rep, err := simplify.Simplify(m, nil)           // plain form, in place
//	c, rep, err := simplify.SimplifyCopy(ctx, m, nil) // a simplified copy; m unchanged
//	err := onnxgraph.Load("in.onnx").
//		Apply("Simplify", simplify.Step(opts, &rep)). // in a chain
//		Save("out.onnx")
//
// # Passes
//
// Each iteration infers shapes (package shapeinfer), then runs the passes
// below over every graph, subgraphs before the graphs that hold them, each
// again whenever a change since it last ran may have given it work (a fold
// makes constants, a rule rewires readers, removed code leaves values with
// fewer readers: see enables in driver.go), until none has any; it infers
// again and repeats while a change may have told inference something new
// (a constant it had no data for, an inlined branch). [Passes] lists them
// in the order they run; the [Options].SkipPasses names are:
//
//   - fold (fold.go): nodes whose inputs are all constant are evaluated
//     and replaced by initializers under their output names; Constant
//     nodes become initializers. A fold whose result is larger than
//     [Options].MaxFoldBytes is not done unless it makes the model no
//     larger. Random operators and nodes holding subgraphs are never
//     folded, QuantizeLinear and DequantizeLinear only with
//     [Options].FoldQDQ.
//   - shapes (shapes.go): values whose contents inference knows in full
//     (Shape and Size of a known shape, Gather or Slice of known dims, the
//     Concat and arithmetic of shape computations) become constants.
//     [Options].Inputs fixes input dims so that exporters' whole
//     Shape -> Gather -> Concat -> Reshape chains fold.
//   - if (ifconst.go): an If whose condition is constant is replaced by
//     the nodes of its branch.
//   - noop, merge, fuse: the per-operator rules of table.go, one file per
//     family (rules_identity.go, rules_cast.go, rules_reshape.go,
//     rules_data.go, rules_arith.go, rules_fuse.go), run in one sweep: no-op
//     nodes go, consecutive Transposes and Reshapes merge, BatchNormalization
//     and constant per-channel Mul and Add fuse into the convolution or Gemm
//     before them.
//   - share (share.go): identical inline constants become one.
//   - cse (cse.go): nodes with the same operator, attributes and inputs
//     become one.
//   - dce (dce.go): dead nodes, unread initializers, stale value_info and
//     uncalled model-local functions go.
//   - subgraphs, functions: turning these off leaves If/Loop/Scan bodies
//     and function bodies out of the other passes.
//
// Rules are keyed by (domain, operator, since-version) in one explicit
// table; a test checks it against package opschema. A rule never guesses:
// it needs the facts it relies on (a constant, a known shape, a type) and
// does nothing otherwise. Inferred facts below an inference conflict, and
// contents that depend on a graph input with an initializer (which
// callers may override), are not used.
//
// # Edits
//
// Passes record their changes in an editor (edit.go) that rewires readers
// at once and removes nodes in one sweep per pass, so that a pass costs
// time in proportion to the graph. A value replaced by a constant keeps
// its name; a graph output keeps its name, position and declared type
// whatever replaces it (the replacing value is renamed, or an Identity is
// added). Function bodies, and the main graph of models before IR 4
// (where initializers are inputs), get Constant nodes instead of
// initializers.
//
// The rest: simplify.go (Simplify, Step, Options, Report), options.go
// (the options checked, the pass list), driver.go (iterations, the
// passes' worklist, the guard that turns a failing pass off), types.go
// (what is known of a value: inferred types, constants, the taints that
// rule inferred facts out), errors.go.
//
// # Guarantees
//
// Simplify runs on a snapshot of the model (Model.Atomic): an error leaves
// the model as it was. The result is checked with onnxgraph.Validate; if it
// fails while the input passes, or a pass fails or panics, Simplify runs
// again from the snapshot, checking after every pass, and turns off the
// pass at fault (Report.Disabled). A node a pass cannot handle stays as it
// is, with the reason in Report.Left.
package simplify
