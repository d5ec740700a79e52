// Command onnxgraph edits and inspects ONNX models from the shell: the
// simple-onnx-processing-tools family as subcommands of one program, on the
// onnxgraph library.
//
// Usage:
//
//	onnxgraph COMMAND [flags] [args]
//
// Run `onnxgraph help` for the list of commands and `onnxgraph COMMAND -h`
// for one command's flags. A model argument may be - for standard input or
// output, so commands chain in pipes.
//
// Each command is a line of the table below and a file: the line gives its
// help section, name, arguments and summary; the file's setup function
// declares its flags and its action (see cli.go for the runner that does
// the rest: reading and writing models, inference, reports, errors).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// commands is every command of onnxgraph; help lists them by section, in
// alphabetical order.
var commands = []command{
	{"inspect", "summary", "[MODEL]", "print a model's operators, parameters, inputs, outputs and opsets (ssc4onnx); without MODEL, a built-in MNIST-shaped sample", summaryCmd},
	{"inspect", "check", "MODEL", "validate a model against the ONNX specification: print \"valid\" (exit 0) or the problems (exit 1)", checkCmd},
	{"inspect", "run", "MODEL", "run a model with ONNX Runtime on given, random or constant inputs; print each output's type, shape and checksum, and with --repeat the latency (sit4onnx)", runCmd},
	{"inspect", "compare", "A B", "run two models with ONNX Runtime on the same inputs and report, per output, the largest absolute and relative error and whether they are close (exit 1 when not)", compareCmd},
	{"inspect", "diff", "A B", "list what B adds, removes, changes and renames of A: nodes (matched by place, so renames show as renames), values, inputs, outputs, opsets, metadata, initializers (by checksum); exit 0 when equal, 1 when different, 2 on error", diffCmd},
	{"inspect", "view", "MODEL", "see and edit a model in the browser: exporter names as groups, shapes on edges, search, edits recorded as a script; serves on 127.0.0.1 with a per-run token", viewCmd},

	{"graph", "extract", "IN OUT", "keep the part of a model between boundary tensors (sne4onnx): the nodes computing --outputs from --inputs", extractCmd},
	{"graph", "merge", "A B [C...] OUT", "combine models step by step, wiring tensors of the models so far to tensors the next one reads (snc4onnx)", mergeCmd},
	{"graph", "delete-nodes", "IN OUT", "delete nodes and reconnect their readers to their inputs (snd4onnx)", deleteNodesCmd},
	{"graph", "insert-node", "IN OUT", "insert a new node between a tensor and some or all of its readers (sna4onnx)", insertNodeCmd},
	{"graph", "add-outputs", "IN OUT", "make tensors graph outputs, with their types (soa4onnx)", addOutputsCmd},
	{"graph", "delete-outputs", "IN OUT", "remove graph outputs and everything that only served them (sod4onnx)", deleteOutputsCmd},
	{"graph", "prune", "IN OUT", "remove dead code: unused nodes, initializers, value_info, functions (and inputs with --inputs)", pruneCmd},
	{"graph", "sort", "IN OUT", "sort the nodes of every graph topologically (each node after the nodes it reads from)", sortCmd},
	{"graph", "rewire", "IN OUT", "make one consumer input, or every read, of a value read another value (svs4onnx), then prune what became dead", rewireCmd},
	{"graph", "modify", "IN OUT", "change a node's attributes and constant inputs, also inside If/Loop/Scan bodies (sam4onnx)", modifyCmd},
	{"graph", "simplify", "IN OUT", "simplify a model as onnx-simplifier does, to a fixed point and at any size: fold constants and shape computations, remove no-ops, fuse BatchNorm into convolutions, share common subexpressions, remove dead code", simplifyCmd},
	{"graph", "apply", "SCRIPT IN OUT", "replay an edit script (written by view or by --record) on a model, stopping at the first step that does not apply, which it names", applyCmd},
	{"graph", "gen-op", "OUT", "build a one-node model for an operator, checked against its schema (sog4onnx)", genOpCmd},

	{"names", "rename", "IN OUT", "rename nodes and values by literal exact, partial, prefix or suffix match, or add a prefix or suffix to every name (sor4onnx)", renameCmd},
	{"names", "name-nodes", "IN OUT", "give unnamed nodes stable, unique names OpType_N, subgraphs and functions included (sng4onnx)", nameNodesCmd},
	{"names", "strip-docs", "IN OUT", "erase doc strings of the model, graphs, nodes and values (sde4onnx)", stripDocsCmd},
	{"names", "set-dims", "IN OUT", "set or name the dims of graph inputs and outputs (sio4onnx); re-checked with shape inference", setDimsCmd},
	{"names", "set-batch", "IN OUT", "set dim 0 of inputs and outputs to a size or a name, rewriting constants that encode it (sbi4onnx)", setBatchCmd},
	{"names", "layout", "IN OUT", "permute the layout of inputs and outputs (NCHW <-> NHWC) and swap RGB <-> BGR (scc4onnx)", layoutCmd},
	{"names", "infer", "IN OUT", "infer every value's type and shape (ssi4onnx) and save the model with them; explains what stays unknown", inferCmd},
	{"names", "set-opset", "IN OUT", "change the opset version: relabel with a warning per changed operator, or convert nodes (soc4onnx)", setOpsetCmd},

	{"files", "copy", "IN OUT", "load a model and save it again, optionally changing where its weights live", copyCmd},
	{"files", "shrink", "IN OUT", "make constants smaller (scs4onnx): dedupe identical constants, optionally downcast losslessly, optionally move big ones to external data", shrinkCmd},
	{"files", "to-json", "IN OUT.json [DIR]", "write a model as JSON, python onnx2json's format; big weights may go to .npy files (onnx2json)", toJSONCmd},
	{"files", "from-json", "IN.json OUT", "read a model from JSON (python onnx2json's format or to-json's) and save it; over 2 GiB, weights go to external data (json2onnx)", fromJSONCmd},
	{"files", "to-tflite", "IN OUT.tflite", "export to TensorFlow Lite, simplified first, the whole graph channels-last (onnx2tf); 4-D inputs and outputs become NHWC", toTFLiteCmd},
	{"files", "encode", "[VALUES]", "print the base64 of a tensor's raw data, from a .npy file or from values (sed4onnx encode)", encodeCmd},
	{"files", "decode", "BASE64", "decode the base64 of a tensor's raw data and print its values or write a .npy file (sed4onnx decode)", decodeCmd},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	interrupted = ctx
	batchGC(os.Args[1:])
	code := run(os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
