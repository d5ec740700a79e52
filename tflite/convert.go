package tflite

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/opschema"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
	"github.com/onnxgraph/onnxgraph/simplify"
)

// Options controls Convert. The zero value uses the model's declared input
// shapes, stores float32 weights and gives 4-D inputs and outputs in NHWC.
type Options struct {
	// InputShapes fixes the dims of graph inputs by name; every dim of
	// every value must be known once they are fixed.
	InputShapes map[string][]int64
	// FP16 stores float weights as float16, each read through a DEQUANTIZE
	// operator (the layout of mediapipe's float16 models). Weights of
	// fewer than FP16MinElements elements stay float32.
	FP16 bool
	// KeepNCHWIO keeps 4-D inputs and outputs in the ONNX model's order
	// (NCHW); a TRANSPOSE at the boundary then converts them.
	KeepNCHWIO bool
	// Description is written as the model's description; empty means
	// "onnxgraph tflite exporter".
	Description string
	// NoSimplify converts the graph as it is. By default Convert first
	// simplifies a copy of the model (package simplify, with InputShapes
	// fixed): constants are folded, shape computations (Shape -> Gather
	// -> Concat -> Reshape) resolved, BatchNormalization and per-channel
	// Mul/Add fused into convolutions, no-ops and dead code removed.
	// Without it, a node computed from constants is converted as an
	// operator of its own, and a Shape node or a weight computed in the
	// graph is refused.
	NoSimplify bool
}

// FP16MinElements is the size from which Options.FP16 stores a float
// constant as float16: smaller ones (epsilons, scalar factors) keep their
// float32 precision.
const FP16MinElements = 64

// IO describes an input or output of the exported model.
type IO struct {
	Name      string  `json:"name"`
	DType     string  `json:"dtype"`      // TensorFlow Lite element type
	ONNXDType string  `json:"onnx_dtype"` // the ONNX model's element type
	Shape     []int64 `json:"shape"`      // as the .tflite takes or gives it
	ONNXShape []int64 `json:"onnx_shape"`
	Layout    string  `json:"layout"` // "NHWC", "NCHW", or "" when the ONNX order is kept as it is
}

// OpCount is how many times an operator type occurs.
type OpCount struct {
	Op    string `json:"op"`
	Count int    `json:"count"`
}

// Fold is one node that the exported model does not run as an operator of
// its own: a constant computed at export time or a node merged into
// another.
type Fold struct {
	Node   string `json:"node"`
	OpType string `json:"op_type"`
	How    string `json:"how"` // "constant", "into <node>", "alias"
}

// Report says what Convert did.
type Report struct {
	Inputs  []IO `json:"inputs"`
	Outputs []IO `json:"outputs"`
	// OpsBefore counts the main graph's nodes of the model given, by op
	// type; OpsAfter the TensorFlow Lite operators by builtin name.
	OpsBefore []OpCount `json:"ops_before"`
	OpsAfter  []OpCount `json:"ops_after"`
	Nodes     int       `json:"nodes"`
	Operators int       `json:"operators"`
	// Transposes counts the TRANSPOSE operators of the result;
	// BoundaryTransposes of them convert an input or output layout.
	Transposes         int `json:"transposes"`
	BoundaryTransposes int `json:"boundary_transposes"`
	Tensors            int `json:"tensors"`
	// ONNXWeightBytes is the size of the initializers and Constant values
	// of the model given; WeightBytes that of the .tflite constant buffers;
	// FileBytes that of the .tflite file.
	ONNXWeightBytes int64 `json:"onnx_weight_bytes"`
	WeightBytes     int64 `json:"weight_bytes"`
	FileBytes       int64 `json:"file_bytes"`
	// ActivationBytes is the size of all computed tensors together;
	// LargestTensor names the largest and LargestTensorBytes is its size.
	ActivationBytes    int64  `json:"activation_bytes"`
	LargestTensor      string `json:"largest_tensor"`
	LargestTensorBytes int64  `json:"largest_tensor_bytes"`
	FP16               bool   `json:"fp16"`
	// Simplified is what the simplifier did to the copy of the model that
	// was converted (node counts per operator before and after, changes
	// per pass, nodes it left); nil with Options.NoSimplify.
	Simplified *simplify.Report `json:"simplified,omitempty"`
	// Folded lists the nodes of the converted graph that became no
	// operator of their own (after the simplifier, which folded the rest).
	Folded []Fold `json:"folded"`
	// Notes are the facts of the export a user must know (int64 values
	// carried as int32, float16 carried as float32).
	Notes []string `json:"notes,omitempty"`
}

// Convert exports m as a TensorFlow Lite FlatBuffer, the whole graph in
// channels-last layout. opts may be nil. m is not changed: unless
// opts.NoSimplify, a copy of it is simplified (package simplify) with
// opts.InputShapes fixed, and the copy is converted.
//
// Every shape must be static once opts.InputShapes are applied; an
// operator or case without an exact TensorFlow Lite form is an
// *UnsupportedError listing every such node.
func Convert(m *onnxgraph.Model, opts *Options) (data []byte, rep *Report, err error) {
	return ConvertContext(context.Background(), m, opts)
}

// ConvertContext is Convert under ctx: when ctx ends, the simplification
// or the conversion stops between two nodes and the error is ctx's
// (errors.Is(err, context.Canceled)).
func ConvertContext(ctx context.Context, m *onnxgraph.Model, opts *Options) (data []byte, rep *Report, err error) {
	rep, err = convert(ctx, m, opts, func(f *tfFile) error { data = f.bytes(); return nil })
	if err != nil {
		return nil, nil, err
	}
	return data, rep, nil
}

// Write converts m (see Convert) and writes the .tflite to w, the
// constant buffers straight from where the conversion put them: no copy
// of the whole file is made in memory.
func Write(m *onnxgraph.Model, w io.Writer, opts *Options) (*Report, error) {
	return WriteContext(context.Background(), m, w, opts)
}

// WriteContext is Write under ctx (see ConvertContext); when ctx ends
// while it writes, it stops between two buffers, what was written to w
// staying written.
func WriteContext(ctx context.Context, m *onnxgraph.Model, w io.Writer, opts *Options) (*Report, error) {
	return convert(ctx, m, opts, func(f *tfFile) error {
		if err := f.writeTo(ctx, w); err != nil {
			return fmt.Errorf("tflite: %w", err)
		}
		return nil
	})
}

// convert is the conversion: it passes the encoded file, which may keep
// views of the model converted, to use, and returns the report. The
// simplified copy converted (unless opts.NoSimplify) is closed when use
// returns.
func convert(ctx context.Context, m *onnxgraph.Model, opts *Options, use func(*tfFile) error) (*Report, error) {
	file, rep, src, err := encodeFile(ctx, m, opts)
	if src != nil && src != m {
		defer src.Close()
	}
	if err != nil {
		return nil, err
	}
	if err := use(file); err != nil {
		return nil, err
	}
	return rep, nil
}

// encodeFile converts m: the encoded file, its report, and the model it
// converted (m, or its simplified copy, which the caller closes).
func encodeFile(ctx context.Context, m *onnxgraph.Model, opts *Options) (file *tfFile, rep *Report, src *onnxgraph.Model, err error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if m == nil || m.Graph() == nil {
		return nil, nil, src, invalid("no model graph")
	}
	in, err := inputShapes(m.Graph(), o.InputShapes)
	if err != nil {
		return nil, nil, src, err
	}
	src = m
	var simplified *simplify.Report
	if !o.NoSimplify {
		if src, simplified, err = simplify.SimplifyCopy(ctx, m, simplifyOptions(o.InputShapes)); err != nil {
			if ctx.Err() != nil {
				return nil, nil, src, fmt.Errorf("tflite: %w", ctx.Err())
			}
			if errors.Is(err, simplify.ErrInvalidResult) {
				return nil, nil, src, fmt.Errorf("%w: %w (Options.NoSimplify converts the model as it is)", ErrInvalid, err)
			}
			return nil, nil, src, fmt.Errorf("%w: %w", ErrInvalid, err)
		}
	}
	c, err := newConverter(src, o, in)
	if err != nil {
		return nil, nil, src, err
	}
	c.rep.Simplified = simplified
	c.countGiven(m)
	defer func() {
		// A converter bug must not take the caller down: it is reported
		// with the node it happened at.
		if r := recover(); r != nil {
			name := "?"
			if c.node != nil {
				name = nodeName(c.node, -1) + " (" + opName(c.node) + ")"
			}
			file, rep, err = nil, nil, fmt.Errorf("%w: internal error at node %s: %v", ErrInvalid, name, r)
		}
	}()
	if err := c.run(ctx); err != nil {
		return nil, nil, src, err
	}
	desc := c.opts.Description
	if desc == "" {
		desc = "onnxgraph tflite exporter"
	}
	file, err = c.out.encode(desc)
	if err != nil {
		return nil, nil, src, err
	}
	c.finishReport(file.size())
	return file, c.rep, src, nil
}

// Save converts m (see Convert) and writes the .tflite to path, put in
// place as onnxgraph.WriteFile does: a failed export leaves path as it was.
func Save(m *onnxgraph.Model, path string, opts *Options) (*Report, error) {
	return SaveContext(context.Background(), m, path, opts)
}

// SaveContext is Save under ctx (see ConvertContext); when ctx ends,
// nothing is written. The file is streamed as Write does.
func SaveContext(ctx context.Context, m *onnxgraph.Model, path string, opts *Options) (*Report, error) {
	return convert(ctx, m, opts, func(f *tfFile) error {
		return onnxgraph.WriteFile(ctx, path, func(w io.Writer) error { return f.writeTo(ctx, w) })
	})
}

// tval is a converted ONNX value: a TensorFlow Lite tensor holding it in
// layout perm, and the same value in other layouts once asked for.
type tval struct {
	idx  int32
	perm []int
	alt  map[string]int32
}

// converter holds the state of one export.
type converter struct {
	m        *onnxgraph.Model
	g        *onnxgraph.Graph
	res      *shapeinfer.Result
	opts     Options
	out      *tfModel
	rep      *Report
	vals     map[*onnxgraph.Value]*tval
	consts   map[*onnxgraph.Value]*cval
	constIdx map[string]int32 // materialized constants by value and layout
	skip     map[*onnxgraph.Node]bool
	kperm    map[*onnxgraph.Value][]int64 // see flattenIntoFC
	problems []NodeProblem
	node     *onnxgraph.Node // the node being converted
	ioTensor map[int32]bool  // tensors that are graph inputs or outputs
	boundary int
	int64s   bool
	halfs    bool
	// halfWeights: the model's weights are float16; they stay float16.
	halfWeights bool
}

// simplifyOptions are the simplifier's options for a conversion: its
// defaults, with the input dims fixed.
func simplifyOptions(shapes map[string][]int64) *simplify.Options {
	o := &simplify.Options{}
	for name, dims := range shapes {
		if o.Inputs == nil {
			o.Inputs = map[string][]onnxgraph.Dim{}
		}
		o.Inputs[name] = onnxgraph.Dims(dims...)
	}
	return o
}

// inputShapes checks Options.InputShapes against g's inputs and returns
// them for shape inference.
func inputShapes(g *onnxgraph.Graph, shapes map[string][]int64) (map[string]shapeinfer.Shape, error) {
	in := map[string]shapeinfer.Shape{}
	for name, dims := range shapes {
		v, ok := g.Value(name)
		if !ok || !v.IsGraphInput() || v.Initializer() != nil {
			return nil, invalid("no graph input named %q", name)
		}
		s := make(shapeinfer.Shape, len(dims))
		for i, d := range dims {
			if d < 0 {
				return nil, invalid("input %q: dim %d is %d, want a size >= 0", name, i, d)
			}
			s[i] = shapeinfer.Known(d)
		}
		in[name] = s
	}
	return in, nil
}

// countGiven fills the report's counts of the model given (before any
// simplification): its nodes by op type and its weight bytes.
func (c *converter) countGiven(m *onnxgraph.Model) {
	before := map[string]int{}
	for _, n := range m.Graph().Nodes() {
		before[opName(n)]++
		if n.OpType() == "Constant" && n.Domain() == "" {
			if a := n.Attr("value"); a != nil && a.GetT() != nil {
				c.rep.ONNXWeightBytes += m.TensorOf(a.GetT()).NumBytes()
			}
		}
	}
	for _, v := range m.Graph().Initializers() {
		c.rep.ONNXWeightBytes += v.Initializer().NumBytes()
	}
	c.rep.OpsBefore = sortedCounts(before)
	c.rep.Nodes = len(m.Graph().Nodes())
}

func newConverter(m *onnxgraph.Model, opts Options, in map[string]shapeinfer.Shape) (*converter, error) {
	c := &converter{
		m:        m,
		g:        m.Graph(),
		out:      newTFModel(),
		rep:      &Report{},
		vals:     map[*onnxgraph.Value]*tval{},
		consts:   map[*onnxgraph.Value]*cval{},
		constIdx: map[string]int32{},
		skip:     map[*onnxgraph.Node]bool{},
		kperm:    map[*onnxgraph.Value][]int64{},
		ioTensor: map[int32]bool{},
		opts:     opts,
	}
	c.rep.FP16 = c.opts.FP16
	res, err := shapeinfer.Infer(m, &shapeinfer.Options{InputShapes: in})
	if err != nil {
		return nil, fmt.Errorf("%w: shape inference: %v", ErrInvalid, err)
	}
	c.res = res
	return c, nil
}

// run converts the graph.
func (c *converter) run(ctx context.Context) error {
	for _, v := range c.g.Initializers() {
		if v.Initializer().DataType() == onnxgraph.Float16 {
			c.halfWeights = true
		}
	}
	var inputs []*onnxgraph.Value
	for _, v := range c.g.Inputs() {
		if v.Initializer() == nil {
			inputs = append(inputs, v)
		}
	}
	for _, v := range inputs {
		if err := c.addInput(v); err != nil {
			return err
		}
	}
	nodes, err := c.g.TopoOrder()
	if err != nil {
		return fmt.Errorf("tflite: %w", err)
	}
	for _, i := range c.constantsFirst(nodes) {
		n := nodes[i]
		if c.skip[n] {
			continue
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("tflite: %w", err)
		}
		c.node = n
		if err := c.convertNode(n, i); err != nil {
			return err
		}
	}
	if len(c.problems) > 0 {
		return &UnsupportedError{Nodes: c.problems}
	}
	for i, v := range c.g.Outputs() {
		if err := c.addOutput(v, i); err != nil {
			return err
		}
	}
	return nil
}

// constantsFirst returns the indices of nodes (in topological order) in
// the order they are converted: first the nodes computed from constants
// alone (Constant nodes, reshapes of initializers, what the simplifier
// left or NoSimplify keeps), then the others, each part in its order. A
// converter that looks past its node (a Conv folding the
// BatchNormalization after it, a Flatten permuting the weights of the
// fully connected layer that reads it) then sees the constants they make
// whatever the node order.
func (c *converter) constantsFirst(nodes []*onnxgraph.Node) []int {
	known := map[*onnxgraph.Value]bool{}
	first := make([]int, 0, len(nodes))
	var rest []int
	for i, n := range nodes {
		ok := len(n.Subgraphs()) == 0
		for _, v := range n.Inputs() {
			if v != nil && !known[v] && (v.Initializer() == nil || c.vals[v] != nil) {
				ok = false
				break
			}
		}
		if !ok {
			rest = append(rest, i)
			continue
		}
		first = append(first, i)
		for _, v := range n.Outputs() {
			known[v] = true
		}
	}
	return append(first, rest...)
}

func opName(n *onnxgraph.Node) string {
	if d := n.Domain(); d != "" && d != "ai.onnx" {
		return d + ":" + n.OpType()
	}
	return n.OpType()
}

func nodeName(n *onnxgraph.Node, i int) string {
	if n.Name() != "" {
		return n.Name()
	}
	return fmt.Sprintf("#%d", i)
}

func (c *converter) problem(n *onnxgraph.Node, i int, reason string) {
	c.problems = append(c.problems, NodeProblem{Node: nodeName(n, i), OpType: opName(n), Reason: reason})
}

// convertNode converts one node, or records why it cannot be.
func (c *converter) convertNode(n *onnxgraph.Node, i int) error {
	if n.OpType() == "Constant" && n.Domain() == "" {
		if err := c.constantNode(n); err != nil {
			c.problem(n, i, err.Error())
		}
		c.fold(n, "constant")
		return nil
	}
	for _, v := range n.Outputs() {
		if v == nil || v.NumUses() == 0 && !v.IsGraphOutput() {
			continue
		}
		if err := c.staticShape(v); err != nil {
			return err
		}
	}
	opset, _ := c.m.Opset(n.Domain())
	if n.Domain() == "ai.onnx" {
		opset, _ = c.m.Opset("")
	}
	s, ok := opschema.Lookup(n.Domain(), n.OpType(), int(opset))
	var fn convFunc
	if ok {
		fn = table[key{opschema.NormalizeDomain(n.Domain()), n.OpType(), s.SinceVersion}]
	}
	if fn == nil {
		c.problem(n, i, "operator not supported by the TensorFlow Lite exporter")
		c.placeholders(n)
		return nil
	}
	for _, v := range n.Outputs() {
		if v == nil {
			continue
		}
		if s, ok := c.shapeOK(v); ok && len(s) > 0 && onnxgraph.NumElements(s) == 0 {
			c.problem(n, i, fmt.Sprintf("value %q is empty (shape %v); TensorFlow Lite has no empty tensors", v.Name(), c.shape(v)))
			c.placeholders(n)
			return nil
		}
	}
	for _, v := range n.Inputs() {
		if v == nil {
			continue
		}
		if _, err := c.tfType(v); err != nil {
			c.problem(n, i, err.Error())
			c.placeholders(n)
			return nil
		}
	}
	for _, v := range n.Outputs() {
		if v == nil {
			continue
		}
		if _, err := c.tfType(v); err != nil {
			c.problem(n, i, err.Error())
			c.placeholders(n)
			return nil
		}
	}
	if err := c.loadConsts(n); err != nil {
		var u *unsupported
		if errors.As(err, &u) {
			c.problem(n, i, u.msg)
			c.placeholders(n)
			return nil
		}
		return err
	}
	ops := len(c.out.ops)
	if err := fn(c, n); err != nil {
		var u *unsupported
		if errors.As(err, &u) {
			c.problem(n, i, u.msg)
			c.placeholders(n)
			return nil
		}
		return fmt.Errorf("tflite: node %s (%s): %w", nodeName(n, i), opName(n), err)
	}
	constant := len(c.out.ops) == ops
	for _, v := range n.Outputs() {
		if c.needed(v) && c.vals[v] == nil && c.consts[v] == nil {
			return fmt.Errorf("tflite: node %s (%s): output %q not produced", nodeName(n, i), opName(n), v.Name())
		}
		constant = constant && (v == nil || c.consts[v] != nil)
	}
	if constant {
		// A reshape, transpose or expansion of a constant, ConstantOfShape.
		c.fold(n, "constant")
	}
	return nil
}

// needed reports whether v is a graph output or read by a node that is
// not folded into another.
func (c *converter) needed(v *onnxgraph.Value) bool {
	if v == nil {
		return false
	}
	if v.IsGraphOutput() {
		return true
	}
	for _, u := range v.Uses() {
		if !c.skip[u.Node] {
			return true
		}
	}
	return false
}

// placeholders gives the outputs of a node that failed a tensor each, so
// that conversion can go on and report every problem at once.
func (c *converter) placeholders(n *onnxgraph.Node) {
	for _, v := range n.Outputs() {
		if v == nil || c.vals[v] != nil {
			continue
		}
		s, _ := c.shapeOK(v)
		c.vals[v] = &tval{idx: c.out.addTensor(v.Name(), ttFloat32, s, nil), perm: identity(len(s))}
	}
}

func (c *converter) fold(n *onnxgraph.Node, how string) {
	c.rep.Folded = append(c.rep.Folded, Fold{Node: n.Name(), OpType: opName(n), How: how})
}

// staticShape checks that v has a static shape.
func (c *converter) staticShape(v *onnxgraph.Value) error {
	if _, ok := c.shapeOK(v); ok {
		return nil
	}
	t := c.res.Type(v)
	e := &ShapeError{Value: v.Name(), Shape: "unknown"}
	if t != nil && t.HasShape() {
		e.Shape = t.Shape.String()
	}
	if why := c.res.Explain(v); why != nil {
		e.Why = why.String()
	}
	return e
}

func (c *converter) shapeOK(v *onnxgraph.Value) ([]int64, bool) {
	if cv := c.consts[v]; cv != nil {
		return cv.shape, true
	}
	t := c.res.Type(v)
	if t == nil || !t.IsTensor() || !t.HasShape() {
		return nil, false
	}
	return t.Shape.Known()
}

// shape is the static ONNX shape of v (checked before a node converts).
func (c *converter) shape(v *onnxgraph.Value) []int64 {
	s, _ := c.shapeOK(v)
	return s
}

func (c *converter) rank(v *onnxgraph.Value) int { return len(c.shape(v)) }

// elem is v's ONNX element type.
func (c *converter) elem(v *onnxgraph.Value) onnxgraph.DataType {
	if cv := c.consts[v]; cv != nil {
		return cv.dt
	}
	if t := c.res.Type(v); t != nil {
		return t.Elem
	}
	return v.ElemType()
}

// tfType maps v's element type to TensorFlow Lite's.
func (c *converter) tfType(v *onnxgraph.Value) (tensorType, error) {
	return c.mapType(c.elem(v), v.Name())
}

func (c *converter) mapType(dt onnxgraph.DataType, name string) (tensorType, error) {
	switch dt {
	case onnxgraph.Float:
		return ttFloat32, nil
	case onnxgraph.Float16, onnxgraph.BFloat16:
		c.halfs = true
		return ttFloat32, nil
	case onnxgraph.Int64:
		c.int64s = true
		return ttInt32, nil
	case onnxgraph.Int32:
		return ttInt32, nil
	case onnxgraph.Bool:
		return ttBool, nil
	case onnxgraph.Uint8:
		return ttUint8, nil
	case onnxgraph.Int8:
		return ttInt8, nil
	case onnxgraph.Int16:
		return ttInt16, nil
	}
	return 0, refuse("value %q has element type %s, which the exporter does not support", name, onnxgraph.DataTypeName(dt))
}

// addInput makes a graph input's tensor: NHWC for 4-D inputs unless
// KeepNCHWIO.
func (c *converter) addInput(v *onnxgraph.Value) error {
	if err := c.staticShape(v); err != nil {
		return err
	}
	tt, err := c.tfType(v)
	if err != nil {
		return fmt.Errorf("%w: input %q: %v", ErrUnsupported, v.Name(), err)
	}
	s := c.shape(v)
	p := c.ioLayout(len(s))
	idx := c.out.addTensor(v.Name(), tt, permute(s, p), nil)
	c.vals[v] = &tval{idx: idx, perm: p}
	c.ioTensor[idx] = true
	c.out.inputs = append(c.out.inputs, idx)
	c.out.inNames = append(c.out.inNames, v.Name())
	c.rep.Inputs = append(c.rep.Inputs, c.io(v, tt, s, p))
	return nil
}

func (c *converter) ioLayout(r int) []int {
	if r == 4 && !c.opts.KeepNCHWIO {
		return channelsLast(4)
	}
	return identity(r)
}

func (c *converter) io(v *onnxgraph.Value, tt tensorType, s []int64, p []int) IO {
	io := IO{Name: v.Name(), DType: tt.String(), ONNXDType: onnxgraph.DataTypeName(c.elem(v)), Shape: permute(s, p), ONNXShape: s}
	if len(s) == 4 {
		io.Layout = "NCHW"
		if !isIdentity(p) {
			io.Layout = "NHWC"
		}
	}
	return io
}

// addOutput makes the tensor of graph output v in its I/O layout.
func (c *converter) addOutput(v *onnxgraph.Value, i int) error {
	if err := c.staticShape(v); err != nil {
		return err
	}
	tt, err := c.tfType(v)
	if err != nil {
		return fmt.Errorf("%w: output %q: %v", ErrUnsupported, v.Name(), err)
	}
	s := c.shape(v)
	p := c.ioLayout(len(s))
	if c.konst(v) != nil {
		return fmt.Errorf("%w: output %q is a constant (its value does not depend on the inputs); TensorFlow Lite runtimes do not return constant outputs", ErrUnsupported, v.Name())
	}
	n := len(c.out.ops)
	idx := c.tensor(v, p)
	if len(c.out.ops) > n && c.out.ops[len(c.out.ops)-1].op == opTranspose {
		c.boundary++
	}
	if c.ioTensor[idx] || c.out.tensors[idx].buf != 0 {
		// An input, a constant or another output: give it a tensor of its own.
		// A copy by TILE with multiples 1: runtimes mishandle an output
		// that aliases a constant.
		cp := c.out.addTensor(v.Name(), tt, permute(s, p), nil)
		ones := make([]int32, len(s))
		for k := range ones {
			ones[k] = 1
		}
		c.emit(opTile, []int32{idx, c.int32Const(v.Name()+"/multiples", ones)}, []int32{cp})
		idx = cp
	}
	c.out.tensors[idx].name = v.Name()
	c.ioTensor[idx] = true
	c.out.outputs = append(c.out.outputs, idx)
	c.out.outName = append(c.out.outName, v.Name())
	c.rep.Outputs = append(c.rep.Outputs, c.io(v, tt, s, p))
	_ = i
	return nil
}

// emit appends an operator.
func (c *converter) emit(op builtin, in, out []int32, opts ...optField) {
	c.out.addOp(op, in, out, opts...)
}

// newTensor adds an activation tensor.
func (c *converter) newTensor(name string, tt tensorType, shape []int64) int32 {
	return c.out.addTensor(name, tt, shape, nil)
}

// define records that v is held by tensor idx in layout p.
func (c *converter) define(v *onnxgraph.Value, idx int32, p []int) {
	c.vals[v] = &tval{idx: idx, perm: p}
}

// output makes the tensor of node output v in layout p and defines v.
func (c *converter) output(v *onnxgraph.Value, p []int) int32 {
	tt, _ := c.tfType(v)
	idx := c.newTensor(v.Name(), tt, permute(c.shape(v), p))
	c.define(v, idx, p)
	return idx
}

// layout is the layout v is held in (identity for constants).
func (c *converter) layout(v *onnxgraph.Value) []int {
	if tv := c.vals[v]; tv != nil {
		return tv.perm
	}
	return identity(c.rank(v))
}

func permKey(p []int) string {
	var b strings.Builder
	for _, a := range p {
		b.WriteByte(byte('a' + a))
	}
	return b.String()
}

// tensor returns v's tensor in layout p, transposing (or reshaping, when
// only axes of size 1 move) once per value and layout.
func (c *converter) tensor(v *onnxgraph.Value, p []int) int32 {
	if cv := c.consts[v]; cv != nil {
		return c.constTensor(v.Name(), cv, p)
	}
	tv := c.vals[v]
	if tv == nil {
		// A node that failed left no placeholder for v (it cannot happen
		// for a valid order); a placeholder keeps conversion going.
		s := c.shape(v)
		tv = &tval{idx: c.out.addTensor(v.Name(), ttFloat32, s, nil), perm: identity(len(s))}
		c.vals[v] = tv
	}
	if samePerm(tv.perm, p) {
		return tv.idx
	}
	k := permKey(p)
	if idx, ok := tv.alt[k]; ok {
		return idx
	}
	s := c.shape(v)
	tt := c.out.tensors[tv.idx].typ
	ts := permute(s, p)
	idx := c.newTensor(v.Name()+"/"+layoutName(p), tt, ts)
	if memTrivial(s, tv.perm, p) {
		c.emit(opReshape, []int32{tv.idx, c.int32Const(v.Name()+"/shape_"+layoutName(p), shape32(ts))}, []int32{idx}, oInts(0, shape32(ts)))
	} else {
		c.transposeOp(tv.idx, idx, transposeFor(tv.perm, p), v.Name())
		if v.IsGraphInput() {
			c.boundary++
		}
	}
	if tv.alt == nil {
		tv.alt = map[string]int32{}
	}
	tv.alt[k] = idx
	return idx
}

func layoutName(p []int) string {
	if len(p) == 4 && samePerm(p, channelsLast(4)) {
		return "nhwc"
	}
	if isIdentity(p) {
		return "onnx"
	}
	return "p" + permKey(p)
}

func (c *converter) transposeOp(in, out int32, t []int, name string) {
	perm := make([]int32, len(t))
	for i, a := range t {
		perm[i] = int32(a)
	}
	c.emit(opTranspose, []int32{in, c.int32Const(name+"/perm", perm)}, []int32{out})
}

// reshape emits a RESHAPE of tensor in to shape s and returns the result.
func (c *converter) reshape(in int32, s []int64, name string) int32 {
	tt := c.out.tensors[in].typ
	out := c.newTensor(name, tt, s)
	c.emit(opReshape, []int32{in, c.int32Const(name+"/shape", shape32(s))}, []int32{out}, oInts(0, shape32(s)))
	return out
}

// tshape is the shape of tensor idx.
func (c *converter) tshape(idx int32) []int64 {
	s := c.out.tensors[idx].shape
	out := make([]int64, len(s))
	for i, d := range s {
		out[i] = int64(d)
	}
	return out
}

// finishReport fills the counts.
func (c *converter) finishReport(fileBytes int64) {
	after := map[string]int{}
	for _, op := range c.out.ops {
		after[op.op.name]++
	}
	c.rep.OpsAfter = sortedCounts(after)
	c.rep.Operators = len(c.out.ops)
	c.rep.Transposes = after[opTranspose.name]
	c.rep.BoundaryTransposes = c.boundary
	c.rep.Tensors = len(c.out.tensors)
	for _, b := range c.out.buffers {
		c.rep.WeightBytes += int64(len(b))
	}
	for _, t := range c.out.tensors {
		if t.buf != 0 {
			continue
		}
		n := int64(t.typ.size())
		for _, d := range t.shape {
			n *= int64(d)
		}
		c.rep.ActivationBytes += n
		if n > c.rep.LargestTensorBytes {
			c.rep.LargestTensor, c.rep.LargestTensorBytes = t.name, n
		}
	}
	c.rep.FileBytes = fileBytes
	if c.int64s {
		c.rep.Notes = append(c.rep.Notes, "int64 values are carried as int32 (TensorFlow Lite kernels and LiteRT.js work in int32)")
	}
	if c.halfs {
		c.rep.Notes = append(c.rep.Notes, "float16 values are computed and exchanged as float32")
	}
	if c.halfWeights && !c.opts.FP16 {
		c.rep.Notes = append(c.rep.Notes, "float16 weights stay float16, read through DEQUANTIZE")
	}
	for _, io := range append(append([]IO(nil), c.rep.Inputs...), c.rep.Outputs...) {
		if io.Layout == "NHWC" {
			c.rep.Notes = append(c.rep.Notes, "4-D inputs and outputs are NHWC (channels last); KeepNCHWIO keeps NCHW")
			break
		}
	}
}

func sortedCounts(m map[string]int) []OpCount {
	out := make([]OpCount, 0, len(m))
	for k, v := range m {
		out = append(out, OpCount{k, v})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Op < out[j].Op
	})
	return out
}
