package simplify

import (
	"context"
	"errors"
	"fmt"

	"github.com/onnxgraph/onnxgraph"
)

// DefaultMaxFoldBytes is the default of Options.MaxFoldBytes: 1 MiB.
const DefaultMaxFoldBytes = 1 << 20

// DefaultMaxIterations is the default of Options.MaxIterations.
const DefaultMaxIterations = 32

// Options controls Simplify. The zero value runs every pass with the
// default limits.
type Options struct {
	// MaxFoldBytes bounds what constant folding creates: a fold whose
	// results take more bytes is not done (the node stays, and the report
	// says why), unless the fold makes the model no larger (its results
	// take no more bytes than the constant inputs only it reads, as when
	// a weight is transposed). It applies to every operator, the growth
	// operators (ConstantOfShape, Tile, Expand, Range, Resize ...) first.
	// 0 means DefaultMaxFoldBytes; a negative value means no limit.
	MaxFoldBytes int64
	// Inputs fixes the dims of graph inputs by name, in the model and for
	// inference (onnx-simplifier's --overwrite-input-shape): fixed sizes
	// let whole Shape -> Gather -> Concat -> Reshape chains fold away. A
	// name that is not an input of the main graph, or dims of a rank other
	// than the declared one, is an error.
	Inputs map[string][]onnxgraph.Dim
	// SkipPasses names passes not to run (see Passes).
	SkipPasses []string
	// SkipOps names operator types whose nodes are left as they are: not
	// folded, eliminated, merged, fused or shared (dead ones still go).
	// "Op" names the default domain, "domain:Op" another.
	SkipOps []string
	// FoldQDQ also folds QuantizeLinear and DequantizeLinear nodes with
	// constant inputs. By default they stay, as onnx-simplifier leaves
	// them, so that quantized weights stay quantized for runtimes that fuse
	// QDQ patterns.
	FoldQDQ bool
	// MaxIterations bounds the fixed-point iterations (each one infers
	// shapes and runs every pass until nothing changes); 0 means
	// DefaultMaxIterations.
	MaxIterations int
}

// Report says what Simplify did.
type Report struct {
	// Ops counts nodes per operator type, in every graph, subgraphs and
	// function bodies included, before and after: the table
	// onnx-simplifier prints. Sorted by operator type.
	Ops []OpCount `json:"ops"`
	// NodesBefore and NodesAfter are the totals.
	NodesBefore int `json:"nodes_before"`
	NodesAfter  int `json:"nodes_after"`
	// ParamBytesBefore and ParamBytesAfter are the bytes of every
	// initializer and Constant value, as stored: the model's size, less
	// its few bytes of structure.
	ParamBytesBefore int64 `json:"param_bytes_before"`
	ParamBytesAfter  int64 `json:"param_bytes_after"`
	// Iterations is the number of fixed-point iterations run.
	Iterations int `json:"iterations"`
	// Changes counts, per pass, the changes it made, in pass order.
	Changes []PassCount `json:"changes"`
	// Left lists nodes a pass could have changed and left as they are,
	// with the reason (an operator the evaluator lacks, a kernel error, a
	// fold over MaxFoldBytes, a node of a skipped type ...), in the order
	// met.
	Left []Left `json:"left,omitempty"`
	// Disabled lists passes turned off because their result did not pass
	// onnxgraph.Validate, with the checker's first complaint. Empty unless
	// something is wrong with a pass.
	Disabled []Left `json:"disabled,omitempty"`
}

// OpCount is one row of Report.Ops.
type OpCount struct {
	OpType string `json:"op_type"` // "domain:Op" outside the default domain
	Before int    `json:"before"`
	After  int    `json:"after"`
}

// PassCount is one row of Report.Changes.
type PassCount struct {
	Pass    string `json:"pass"`
	Changes int    `json:"changes"`
}

// Left is a node a pass left as it was, or a pass turned off.
type Left struct {
	Graph  string `json:"graph,omitempty"`
	Node   string `json:"node,omitempty"` // the node's name, or "#index" in its graph
	OpType string `json:"op_type,omitempty"`
	Pass   string `json:"pass"`
	Reason string `json:"reason"`
}

// Simplify simplifies m in place, as onnx-simplifier and onnxslim do but
// without their limits: it folds constants (evaluating nodes with package
// eval), folds shape computations that symbolic inference resolves,
// removes no-op nodes, merges consecutive Transposes and Reshapes, fuses
// BatchNormalization and constant Mul/Add into convolutions, shares common
// subexpressions and identical constants, inlines If nodes whose condition
// is constant and removes dead code, in every graph, subgraph and
// model-local function, until nothing changes (see Passes).
//
// Graph inputs and outputs keep their names, order and types (Inputs
// changes the input dims asked for); an output that becomes constant stays
// an output. A node a pass cannot handle (an operator without a kernel, a
// kernel error, a fold over MaxFoldBytes) is left as it is and listed in
// Report.Left: Simplify does not fail on a model it cannot fully
// simplify. Weights are read only when a fold needs them, so models of any
// size and with external data simplify without reading their weights;
// tensors stay where they are (see onnxgraph.SaveOptions for where new
// ones go).
//
// When m passes onnxgraph.Validate, so does the result: a pass whose result
// the checker rejects is turned off and the rest runs again (listed in
// Report.Disabled). Errors are an *OptionError (ErrOption) for bad options,
// a *onnxgraph.CycleError for a graph whose nodes cannot be ordered, and
// ErrInvalidResult should something outside the passes fail; on error m
// is unchanged.
func Simplify(m *onnxgraph.Model, opts *Options) (*Report, error) {
	return SimplifyContext(context.Background(), m, opts)
}

// SimplifyContext is Simplify, stopped when ctx is done: it looks at ctx
// before every pass and returns ctx's error with m unchanged.
func SimplifyContext(ctx context.Context, m *onnxgraph.Model, opts *Options) (*Report, error) {
	// Each attempt changes m itself, undone when it fails.
	_, rep, err := simplifyWith(ctx, m, opts, func(pass func(*onnxgraph.Model) (*Report, error)) (*onnxgraph.Model, *Report, error) {
		var rep *Report
		err := m.Atomic(func(m *onnxgraph.Model) (err error) {
			rep, err = pass(m)
			return err
		})
		return m, rep, err
	})
	return rep, err
}

// SimplifyCopy returns a simplified copy of m and leaves m as it is: the
// result of SimplifyContext on m.Clone(), at the cost of one copy of the
// graph instead of two (Simplify also snapshots the model it changes, to
// undo a failure). Tensors are shared, not copied, as by Clone. Errors
// are SimplifyContext's.
func SimplifyCopy(ctx context.Context, m *onnxgraph.Model, opts *Options) (*onnxgraph.Model, *Report, error) {
	// Each attempt changes a fresh copy of m, closed when it fails (it
	// holds m's mapped file, when m has one).
	return simplifyWith(ctx, m, opts, func(pass func(*onnxgraph.Model) (*Report, error)) (*onnxgraph.Model, *Report, error) {
		c := m.Clone()
		rep, err := pass(c)
		if err != nil {
			c.Close()
			return nil, nil, err
		}
		return c, rep, nil
	})
}

// simplifyWith is SimplifyContext and SimplifyCopy: attempt applies the
// passes to the model it changes (m, or a copy of it) and returns that
// model. A first attempt checks the result at the end; when the checker
// rejects it, a second checks after every pass and turns off the passes
// at fault.
func simplifyWith(ctx context.Context, m *onnxgraph.Model, opts *Options,
	attempt func(pass func(*onnxgraph.Model) (*Report, error)) (*onnxgraph.Model, *Report, error)) (*onnxgraph.Model, *Report, error) {
	if m == nil || m.Graph() == nil {
		return nil, nil, optionErr("model", "", "no graph")
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	o, err := prepare(m, opts)
	if err != nil {
		return nil, nil, err
	}
	o.ctx = ctx
	before := countModel(m)
	out, rep, err := attempt(func(x *onnxgraph.Model) (*Report, error) { return runChecked(x, o) })
	if errors.Is(err, errRejected) {
		// The result failed the checker, or an edit failed; m is as it
		// was. Run again checking after every pass (when m itself passes
		// the checker) and turning off the passes at fault.
		valid := onnxgraph.Validate(m, checkOpts) == nil
		out, rep, err = attempt(func(x *onnxgraph.Model) (*Report, error) { return runCareful(x, o, valid) })
	}
	if errors.Is(err, errRejected) {
		// Not from a pass (those are turned off): an edit around them.
		return nil, nil, fmt.Errorf("%w: %v", ErrInvalidResult, err)
	}
	if err != nil {
		return nil, nil, err
	}
	rep.fill(before, countModel(out))
	return out, rep, nil
}

// runChecked runs the passes on m and checks the result: errRejected
// when it fails the checker, or something outside the passes failed.
func runChecked(m *onnxgraph.Model, o *config) (rep *Report, err error) {
	defer recoverTo(&err)
	r, err := run(m, o, false, false)
	if err != nil {
		return nil, err
	}
	if err := onnxgraph.Validate(m, checkOpts); err != nil {
		return nil, fmt.Errorf("%w: %v", errRejected, err)
	}
	return r, nil
}

// runCareful runs the passes on m checking after every pass (when valid,
// which says m passes the checker) and turning off the passes at fault.
func runCareful(m *onnxgraph.Model, o *config, valid bool) (rep *Report, err error) {
	defer recoverTo(&err)
	return run(m, o, valid, true)
}

// recoverTo turns a panic outside the passes (which guard catches) into
// an error: Simplify then undoes what it did, runs again carefully, or
// fails, but does not panic.
func recoverTo(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%w: internal error: %v", errRejected, r)
	}
}

// Step returns Simplify as a step of an onnxgraph chain; report, when not
// nil, receives the report:
//
//	var r simplify.Report
//	err := onnxgraph.Load("in.onnx").
//		Apply("Simplify", simplify.Step(nil, &r)).
//		Save("out.onnx")
func Step(opts *Options, report *Report) func(*onnxgraph.Model) error {
	return func(m *onnxgraph.Model) error {
		r, err := Simplify(m, opts)
		if err == nil && report != nil {
			*report = *r
		}
		return err
	}
}

// checkOpts are the checker options Simplify validates with: external
// files are not opened (Simplify does not change them).
var checkOpts = &onnxgraph.CheckOptions{SkipExternalFiles: true}
