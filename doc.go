// Package onnxgraph loads, edits, checks and saves ONNX models: model
// surgery for Go programs, with nothing lost and no size limit.
//
// A model is held as a graph of pointers: a [Model] has a main [Graph] and
// model-local [Function]s; a graph holds [Node]s and [Value]s; every value
// knows its producer and its ordered uses. Edits are methods that chain:
//
//	err := onnxgraph.Load("det.onnx").
//		Infer(shapeinfer.Types(nil)).
//		Rename("input", "images", nil, nil).
//		SetBatch(onnxgraph.DimParam("N"), nil, nil).
//		Extract(&onnxgraph.ExtractOptions{Outputs: []string{"det/boxes"}}, nil).
//		SaveWith("out.onnx", &onnxgraph.SaveOptions{External: onnxgraph.ExternalSingle})
//
// # Loading and saving
//
// [Open], [Read] and [Decode] return a model and an error; [Load] returns a
// model that carries its error (see Editing). Tensor data is never copied
// on load: raw_data stays a view of the bytes read, and external data
// stays in its files until a tensor is read ([Tensor.Bytes] and friends)
// or saved. External files are opened through an [os.Root] on the model's
// folder, so a location that leaves it ("..", an absolute path, a symbolic
// link out) is refused with [ErrUnsafePath].
//
// [Model.Save], [Model.SaveWith] and [Model.Write] write the model back
// with every field it was loaded with (unknown fields included). The
// [SaveOptions] choose the external-data layout: keep the input's
// ([ExternalKeep], the default), everything inline, one data file, or one
// file per tensor. A save never writes a protobuf message over 2 GiB
// ([ErrTooLarge]). A save is whole at every instant: each file goes to a
// temporary name beside its final one and is renamed into place only when
// all were written; the model file's rename is the moment the new model
// appears, and a data file the old model reads keeps a second name until
// then. Killed at any point, or stopped by a full disk, a save leaves the
// complete old model or the complete new one, and the next save removes
// the temporary files a dead process left. No save replaces a file that a
// loaded model reads its tensors from ([ErrInUse]).
//
// # The graph
//
// Names are resolved to pointers once, at load. A value is defined in one
// graph (a graph input, an initializer, a node output) and may be read
// from graphs nested in it: the bodies of If, Loop and Scan see the values
// around them, and such reads are uses like any other. A name read but
// defined nowhere is an undefined value of the graph that reads it.
// Quantization annotations and training-info bindings name values too:
// every rename updates them ([Value.Rename] is the one rename).
//
// The only ways a node input changes are [Node.SetInput] and
// [Value.ReplaceAllUsesWith], so producers and uses cannot drift apart.
// [Model.Sanity] checks every invariant of the structure (links, scopes,
// the names other messages use); tests run it after every edit.
//
// # Editing
//
// Every edit comes in two forms. A chain method on *Model, named after the
// operation (Rename, Extract, Merge, SetBatch, ...), takes an options
// struct (nil means the zero value) and a report to fill (nil when not
// wanted), edits the model in place and returns it. The first failing step
// of a chain is recorded as a [*StepError] with its name and culprit; later
// steps do nothing; [Model.Err], Save and Write return it. The plain form
// of the same operation is a function named after it with "Model"
// appended (RenameModel, ExtractModel, SetBatchModel, ...): it also edits
// its model in place and returns the report and the error. [Merge], which
// joins several models, is the one plain function that builds a new model;
// its inputs are left as they are. [Model.Clone] copies a model (the graph,
// not the weights) to keep the original.
//
// Every edit checks its arguments before it changes anything, so a failed
// edit leaves the model exactly as it was ([Model.Atomic] gives the same
// guarantee to a function of the caller's).
//
// Edits that need a type the model does not declare (a merge junction, an
// extracted boundary, a new graph output, a batch constant, an opset
// adapter) take it from the model's type source: [Model.Infer] sets one
// (package shapeinfer provides it) and infers; every later edit sees the
// types of the model as it is when that edit starts, inferred again only
// after a change ([Model.Generation]). An option's TypeOf hook overrides
// the source. An edit that needs a type it cannot get fails with
// [ErrUntyped], unless its options allow untyped values.
//
// [Builder] builds a graph node by node, checking each node against its
// operator's schema (package opschema) as it is added; [Builder.Build]
// validates the whole model.
//
// # Checking
//
// [Validate] and [Model.Validate] check everything onnx.checker checks and
// more: IR-version features, opset imports, names, scopes, topological
// order, operator arity, attributes, type constraints, tensor sizes,
// external data, nesting depth, functions. Every problem carries a [Rule]
// code, the graph path, the node and the value.
//
// # Tensors and formats
//
// [Tensor] reads and writes every element type (float8, float4, int4 and
// int2 included). [ReadNPY] and [Tensor.WriteNPY] handle .npy files;
// [ReadJSON] and [Model.WriteJSON] the protobuf JSON form python's tools
// write; [Model.Shrink] dedupes and downcasts constants.
//
// # Errors
//
// Errors are values that name the culprit, prefixed "onnxgraph: ", and
// wrap a sentinel for [errors.Is]; structured errors carry the names for
// [errors.As]:
//
//   - [ErrMalformed] ([*DecodeError]): bytes that are not an ONNX model;
//   - [ErrNotFound]: a name the model does not have;
//   - [ErrInvalid]: a request that cannot be carried out;
//   - [ErrExternalData], [ErrUnsafePath] ([*ExternalDataError]): external
//     data that cannot be read as described, or that leaves the folder;
//   - [ErrTooLarge]: a single message over protobuf's 2 GiB;
//   - [ErrInUse]: a save onto a file a loaded model reads;
//   - [ErrUntyped]: an edit that needs a type nobody can tell;
//   - [ErrCycle] ([*CycleError]): a graph whose nodes cannot be ordered;
//   - [ErrJunction] ([*JunctionError]): joined values whose types do not fit;
//   - [ErrNameCollision] ([*CollisionError]), [ErrOpsetConflict]
//     ([*OpsetConflictError]), [ErrMetadataConflict]: a merge's conflicts;
//   - [ErrMissingInput] ([*MissingInputError]): an extracted part that
//     needs values nobody gives it;
//   - [ErrSchema], [ErrShape]: a node that does not fit its schema, dims
//     that do not fit a value;
//   - [ErrConvert] ([*ConvertError]): an opset conversion that cannot be
//     done;
//   - [ErrInvalidModel] ([*CheckError]): a model Validate rejects.
//
// # Concurrency
//
// A model is not safe for concurrent edits. Its read methods (accessors,
// Summarize, Validate, Write, Save, Bytes, tensor reads) never change it,
// so one loaded model may be read by many goroutines at once, as long as
// none edits it. [Model.InferredType] and edits may run inference and are
// not read methods in that sense.
//
// # Files
//
//	model.go, graph.go, node.go, value.go   the IR types and their accessors
//	iter.go                                 iterators over graphs, nodes, values, uses
//	decode.go, encode.go, clone.go          protobuf to IR, IR to protobuf, copies
//	load.go, hugepages_*.go                 reading: sizes, context, the read buffer
//	read_stream.go                          reading a model of unknown size by its wire format
//	wire_decode.go, wire.go                 decoding: the fast decoder, the general (zero-copy) path
//	save.go, wire_encode.go, writemem.go    writing: layouts, plans, the encoder, streaming
//	save_commit.go, process_*.go            the whole-at-every-instant commit, stale temporaries
//	extdir.go, srcfile.go, kernelcopy_*.go  external-data folders, the file a model came from
//	mapfile*.go                             model files mapped (LoadOptions.Map) and their lifetime
//	tensor.go                               tensors
//	codec.go, codec_float.go, dtype.go      element types and their codecs
//	npy.go, modeljson.go                    .npy and protobuf JSON
//	construct.go, edit.go, names.go         graph primitives: add, remove, set, rename
//	builder.go                              the schema-checked Builder
//	infer.go                                type sources and the chain's Infer step
//	sanity.go, check*.go                    invariants; the checker and its rules
//	merge.go, extract.go, delete.go,        structural edits
//	insert.go, outputs.go, rewire.go,
//	prune.go, toposort.go
//	rename.go, dims.go, batch.go,           names, dims, batch, attributes, layout, docs
//	modify.go, layout.go, hygiene.go
//	opset.go, opset_adapters.go             opset conversion
//	compress.go                             Shrink
//	script.go, diff.go                      edit scripts (Replay) and model diffs
//	summary.go, typestring.go               reports and type text
//	errors.go, util.go                      errors, small helpers
//
// Related packages: shapeinfer (symbolic shape and type inference),
// opschema (operator schemas), onnxproto (the generated protobuf types),
// eval (a pure-Go evaluator of ONNX nodes and graphs), simplify (the
// model simplifier), tflite (export to TensorFlow Lite), samples (small and
// exporter-shaped models).
package onnxgraph
