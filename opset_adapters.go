package onnxgraph

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/opschema"
	"google.golang.org/protobuf/proto"
)

// adapterKind classifies one version step of an operator.
type adapterKind uint8

const (
	// kindTypes: only the allowed element types changed. Steps that are not
	// in the table must be of this kind (checked by comparing schemas).
	kindTypes adapterKind = iota
	// kindAdditive: the newer version adds attributes, optional inputs or
	// outputs whose defaults keep the old meaning. Up is a relabel; down
	// drops additions left at their defaults and refuses the others.
	kindAdditive
	// kindAdapter: functions rewrite the node (nil: that direction refused).
	kindAdapter
	// kindExtension: same signature, wider meaning (new attribute values,
	// negative axes); down checks the node does not use it.
	kindExtension
	// kindRefuse: no conversion.
	kindRefuse
)

// adapter is the table entry for a version step: from the operator's
// previous version to version since (up), or back (down).
type adapter struct {
	kind     adapterKind
	up, down func(*stepCtx) (*Node, error)
	why      string // for kindRefuse
}

type stepKey struct {
	domain, op string
	since      int
}

// adapterFor returns the table entry for op's version since.
func adapterFor(domain, op string, since int) (adapter, bool) {
	a, ok := opsetAdapters[stepKey{opschema.NormalizeDomain(domain), op, since}]
	return a, ok
}

// opsetAdapters is the table of version steps that are not type-only, keyed
// by (domain, operator, since-version), built once by adapterTable from the
// lists below. TestOpsetAdapterTable checks it against the schemas: every
// version step of every operator is in it, or changes only element types.
var opsetAdapters = adapterTable()

// adapterTable lists the version steps family by family.
func adapterTable() map[stepKey]adapter {
	opsetAdapters := map[stepKey]adapter{}
	on := func(op string, since int, a adapter) {
		k := stepKey{opschema.DomainONNX, op, since}
		if _, dup := opsetAdapters[k]; dup {
			panic("onnxgraph: duplicate opset adapter " + op + "-" + itoa(since))
		}
		opsetAdapters[k] = a
	}
	conv := func(up, down func(*stepCtx) (*Node, error)) adapter {
		return adapter{kind: kindAdapter, up: up, down: down}
	}
	refuse := func(why string) adapter { return adapter{kind: kindRefuse, why: why} }
	additive := adapter{kind: kindAdditive}

	// The legacy attribute consumed_inputs went at 6.
	for _, op := range []string{"Abs", "Add", "Ceil", "Clip", "Div", "Dropout", "Elu", "Exp", "Floor", "HardSigmoid",
		"InstanceNormalization", "LeakyRelu", "Log", "Max", "Mean", "Min", "Mul", "Neg", "PRelu", "Reciprocal",
		"Relu", "Sigmoid", "Sqrt", "Sub", "Sum", "Tanh"} {
		on(op, 6, conv(dropAttrsUp("consumed_inputs"), nothing))
	}
	on("BatchNormalization", 6, conv(dropAttrsUp("consumed_inputs"), nil))
	on("Selu", 6, conv(seleUp, seleDown))
	// Legacy broadcasting (broadcast, axis) went at 7.
	for _, op := range []string{"Add", "Sub", "Mul", "Div", "Pow", "And", "Or", "Xor", "Equal", "Greater", "Less"} {
		on(op, 7, conv(legacyBroadcastUp, legacyBroadcastDown))
	}
	on("Gemm", 7, conv(dropAttrsUp("broadcast"), setIntDown("broadcast", 1)))
	on("Gemm", 11, conv(nothing, gemmCDown))
	on("BatchNormalization", 7, conv(bnIsTestUp, bnIsTestDown))
	on("BatchNormalization", 9, conv(bnSpatialUp, nothing))
	on("BatchNormalization", 14, conv(bnTrainingUp, bnTrainingDown))
	on("Dropout", 7, conv(dropAttrsUp("is_test"), setIntDown("is_test", 1)))
	on("Dropout", 12, conv(dropoutRatioUp, dropoutRatioDown))
	on("Cast", 6, conv(castToUp, castToDown))
	on("Concat", 4, conv(concatAxisUp, nothing))
	on("Constant", 11, additive)
	on("Constant", 12, conv(nothing, constantValueDown))
	on("DFT", 20, conv(dftAxisUp, dftAxisDown))
	on("GlobalLpPool", 2, conv(lpPUp, lpPDown))
	on("LpPool", 2, conv(lpPUp, lpPDown))
	on("GridSample", 20, conv(gridModeUp, gridModeDown))
	on("RoiAlign", 16, conv(roiAlignUp, roiAlignDown))
	on("GRU", 3, conv(nothing, downAdditive)) // GRU-1 spelt the default direction "foward"
	for _, op := range []string{"GRU", "LSTM", "RNN"} {
		on(op, 7, conv(dropAttrsUp("output_sequence"), nothing))
		on(op, 14, additive)
	}
	// Attributes that became inputs, and back.
	on("Reshape", 5, conv(attrToInputUp("shape", 1, true), inputToAttrDown(1, "shape")))
	on("Slice", 10, conv(sliceUp, sliceDown))
	on("TopK", 10, conv(topkUp, topkDown))
	on("Pad", 2, conv(renameAttr("paddings", "pads"), renameAttr("pads", "paddings")))
	on("Pad", 11, conv(padUp, padDown))
	on("Pad", 18, additive)
	on("Pad", 19, adapter{kind: kindExtension, down: refuseStringDown("mode", "wrap")})
	on("Clip", 11, conv(clipUp, clipDown))
	on("Split", 2, conv(splitInputToAttrUp, nothing))
	on("Split", 13, conv(attrToInputUp("split", 1, false), inputToAttrDown(1, "split")))
	on("Split", 18, conv(splitNumOutputsUp, splitNumOutputsDown))
	on("Squeeze", 13, conv(attrToInputUp("axes", 1, false), inputToAttrDown(1, "axes")))
	on("Unsqueeze", 13, conv(attrToInputUp("axes", 1, false), inputToAttrDown(1, "axes")))
	on("ReduceSum", 13, conv(reduceAxesUp, reduceAxesDown))
	for _, op := range []string{"ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceMax", "ReduceMean",
		"ReduceMin", "ReduceProd", "ReduceSumSquare"} {
		on(op, 18, conv(reduceAxesUp, reduceAxesDown))
	}
	// Upsample and Resize.
	on("Upsample", 7, conv(upsampleScalesAttrUp, upsampleScalesAttrDown))
	on("Upsample", 9, conv(attrToInputUp("scales", 1, false), inputToAttrDown(1, "scales")))
	on("Upsample", 10, conv(renameOp("Resize"), nil))
	on("Resize", 10, adapter{kind: kindAdapter, down: renameOp("Upsample")})
	// Below 17, LayerNormalization is ONNX Runtime's (opschema marks it an
	// extension): the same attributes, defaults and positional inputs and
	// outputs, only some formal names differ. Up it stays as it is; down,
	// the standard operator would become a runtime's, so it is refused.
	on("LayerNormalization", 17, conv(nothing, nil))
	on("Resize", 11, conv(resize11Up, resize11Down))
	on("Resize", 13, conv(nothing, resize13Down))
	on("Resize", 18, additive)
	on("Resize", 19, adapter{kind: kindExtension, down: refuseStringDown("coordinate_transformation_mode", "half_pixel_symmetric")})
	for _, op := range []string{"ScatterElements", "ScatterND"} {
		on(op, 18, adapter{kind: kindExtension, down: func(s *stepCtx) (*Node, error) {
			if _, err := refuseStringDown("reduction", "max")(s); err != nil {
				return nil, err
			}
			return refuseStringDown("reduction", "min")(s)
		}})
	}
	on("Scatter", 11, conv(renameOp("ScatterElements"), nil))
	on("ScatterElements", 11, adapter{kind: kindAdapter, down: renameOp("Scatter")})
	// Softmax and friends: axis semantics at 13.
	for _, op := range []string{"Softmax", "LogSoftmax", "Hardmax"} {
		on(op, 13, conv(softmaxUp, softmaxDown))
	}
	// Additions whose defaults keep the old meaning.
	for _, s := range []struct {
		op    string
		since int
	}{
		{"ArgMax", 12}, {"ArgMin", 12}, {"Attention", 24}, {"Attention", 25}, {"AveragePool", 7}, {"AveragePool", 10},
		{"AveragePool", 19}, {"Cast", 19}, {"Cast", 24}, {"CastLike", 19}, {"CastLike", 24}, {"DepthToSpace", 11},
		{"DequantizeLinear", 13}, {"DequantizeLinear", 21}, {"DequantizeLinear", 23}, {"QuantizeLinear", 13},
		{"QuantizeLinear", 19}, {"QuantizeLinear", 21}, {"QuantizeLinear", 23}, {"GatherND", 12}, {"LpPool", 18},
		{"MaxPool", 8}, {"MaxPool", 10}, {"OptionalHasElement", 18}, {"Range", 27}, {"Reshape", 14},
		{"ScatterElements", 16}, {"ScatterND", 16}, {"Shape", 15}, {"TopK", 11},
	} {
		on(s.op, s.since, additive)
	}
	on("GroupNormalization", 21, refuse("scale and bias change from one value per group to one per channel"))
	on("Scan", 9, refuse("the batch axis and sequence_lens input were removed"))
	on("Tile", 6, refuse("tiles and axis became a repeats vector"))
	return opsetAdapters
}

// stepCtx is the state of one adapter call.
type stepCtx struct {
	*convCtx
	n          *Node
	prev, next *opschema.Schema
	up         bool
	at         int64  // the opset version new nodes must be valid at
	did        string // what the adapter did, for the report
}

func (s *stepCtx) note(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if s.did != "" {
		s.did += "; "
	}
	s.did += msg
}

func (s *stepCtx) base(what string) string {
	b := s.n.Name()
	if b == "" {
		b = strings.ToLower(s.n.OpType())
	}
	return b + "_" + what
}

func (s *stepCtx) rank(v *Value) int { return rankOf(v, s.typeOf) }

// constOf is constOf as the model was before the conversion raised its IR
// version: an initializer listed as a graph input is a constant in a
// model older than IR 4, where every initializer had to be an input.
func (s *stepCtx) constOf(v *Value) (*Tensor, bool) {
	if t, ok := constOf(v); ok {
		return t, true
	}
	if s.legacyInits && v != nil && v.init != nil {
		return v.graph.model.tensor(v.init), true
	}
	return nil, false
}

func (s *stepCtx) elem(v *Value) DataType { return elemOf(v, s.typeOf) }

func (s *stepCtx) ints(name string) ([]int64, bool) {
	if a := s.n.Attr(name); a != nil {
		return a.GetInts(), true
	}
	return nil, false
}

func (s *stepCtx) del(names ...string) {
	for _, name := range names {
		_, _ = s.n.DeleteAttr(name)
	}
}

func (s *stepCtx) set(a *onnxproto.AttributeProto) { _ = s.n.SetAttr(a) }

// input returns input i, nil when missing.
func (s *stepCtx) input(i int) *Value { return s.n.Input(i) }

// setInput puts v in slot i, adding missing slots before it.
func (s *stepCtx) setInput(i int, v *Value) {
	for len(s.n.inputs) < i {
		_ = s.n.SetInput(len(s.n.inputs), nil)
	}
	_ = s.n.SetInput(i, v)
}

// take disconnects input i and returns it; trailing missing inputs go.
func (s *stepCtx) take(i int) *Value {
	v := s.n.Input(i)
	if v == nil {
		return nil
	}
	_ = s.n.SetInput(i, nil)
	s.orphans[v] = true
	s.trim()
	return v
}

// trim drops trailing missing inputs.
func (s *stepCtx) trim() {
	k := len(s.n.inputs)
	for k > 0 && s.n.inputs[k-1] == nil {
		k--
	}
	s.n.inputs = s.n.inputs[:k]
	s.n.p.Input = s.n.p.Input[:k]
}

// resetInputs gives n exactly the inputs vals.
func resetInputs(n *Node, vals []*Value) {
	for i := range n.inputs {
		n.detach(i)
	}
	n.inputs = make([]*Value, len(vals))
	n.p.Input = make([]string, len(vals))
	for i, v := range vals {
		n.attach(i, v)
	}
}

// addInts adds an int64 constant; scalar makes it 0-D (one value).
func (s *stepCtx) addInts(what string, vals []int64, scalar bool) *Value {
	dims := []int64{int64(len(vals))}
	if scalar {
		dims = []int64{}
	}
	t, err := NewTensorOf(what, Int64, dims, vals)
	if err != nil {
		panic("onnxgraph: opset adapter: " + err.Error())
	}
	return addConst(s.n.graph, s.base(what), t)
}

// addNum adds a constant of element type dt holding vals (scalar: 0-D).
func (s *stepCtx) addNum(what string, dt DataType, vals []float64, scalar bool) (*Value, error) {
	var dims []int64
	if !scalar {
		dims = []int64{int64(len(vals))}
	}
	if scalar && len(vals) == 1 {
		dims = []int64{}
	}
	t, err := tensorOf(what, dt, dims, vals)
	if err != nil {
		return nil, err
	}
	return addConst(s.n.graph, s.base(what), t), nil
}

// newNode adds a node (valid at s.at) just before s.n, queues it for
// conversion, and returns its first output.
func (s *stepCtx) newNode(op string, inputs []*Value, attrs ...*onnxproto.AttributeProto) *Value {
	g := s.n.graph
	out := g.UniqueName(s.base(strings.ToLower(op)))
	n, err := insertNode(g, s.n, "", op, inputs, []string{out}, attrs...)
	if err != nil {
		panic("onnxgraph: opset adapter: " + err.Error()) // inputs visible, name unique
	}
	n.SetName(uniqueNodeNameIn(g, s.base(op)))
	s.push(n, s.at)
	return n.outputs[0]
}

// wrapOutput makes s.n write a fresh value and has a new node op (valid at
// s.at, placed right after s.n) compute s.n's old output 0 from it, with
// extra inputs after it.
func (s *stepCtx) wrapOutput(op string, extra []*Value, attrs ...*onnxproto.AttributeProto) {
	n, g := s.n, s.n.graph
	y := n.outputs[0]
	fresh := g.define(g.UniqueName(y.name + "_" + strings.ToLower(n.OpType())))
	fresh.producer, fresh.index = n, 0
	n.outputs[0], n.p.Output[0] = fresh, fresh.name
	tmp := g.UniqueName(y.name + "_tmp")
	w, err := insertNodeAfter(g, n, "", op, append([]*Value{fresh}, extra...), []string{tmp}, attrs...)
	if err != nil {
		panic("onnxgraph: opset adapter: " + err.Error())
	}
	delete(g.scope, tmp)
	w.outputs[0], w.p.Output[0] = y, y.name
	y.producer, y.index = w, 0
	w.SetName(uniqueNodeNameIn(g, s.base(op)))
	s.push(w, s.at)
}

// ---------------------------------------------------------------------------
// Generic steps.

func nothing(s *stepCtx) (*Node, error) { return s.n, nil }

func dropAttrsUp(names ...string) func(*stepCtx) (*Node, error) {
	return func(s *stepCtx) (*Node, error) {
		for _, name := range names {
			if s.n.Attr(name) != nil {
				s.del(name)
				s.note("dropped %s", name)
			}
		}
		return s.n, nil
	}
}

func setIntDown(name string, v int64) func(*stepCtx) (*Node, error) {
	return func(s *stepCtx) (*Node, error) {
		s.set(AttrInt(name, v))
		s.note("set %s=%d", name, v)
		return s.n, nil
	}
}

func renameOp(to string) func(*stepCtx) (*Node, error) {
	return func(s *stepCtx) (*Node, error) {
		s.note("%s became %s", s.n.OpType(), to)
		s.n.p.OpType = proto.String(to)
		return s.n, nil
	}
}

func renameAttr(from, to string) func(*stepCtx) (*Node, error) {
	return func(s *stepCtx) (*Node, error) {
		if a := s.n.Attr(from); a != nil {
			b := cloneAttr(a)
			b.Name = proto.String(to)
			s.del(from)
			s.set(b)
			s.note("attribute %s renamed %s", from, to)
		}
		return s.n, nil
	}
}

func refuseStringDown(attr, value string) func(*stepCtx) (*Node, error) {
	return func(s *stepCtx) (*Node, error) {
		if a := s.n.Attr(attr); a != nil && string(a.GetS()) == value {
			return nil, fmt.Errorf("%s=%q is new in %s-%d", attr, value, s.next.Name, s.next.SinceVersion)
		}
		return s.n, nil
	}
}

// downAdditive drops what the older version lacks when it is at its
// default, and refuses otherwise.
func downAdditive(s *stepCtx) (*Node, error) {
	for _, a := range slices.Clone(s.n.p.Attribute) {
		if _, ok := s.prev.Attribute(a.GetName()); ok {
			continue
		}
		decl, ok := s.next.Attribute(a.GetName())
		if ok && attrIsDefault(a, decl) {
			s.del(a.GetName())
			continue
		}
		return nil, fmt.Errorf("attribute %s is new in %s-%d", a.GetName(), s.next.Name, s.next.SinceVersion)
	}
	s.trim()
	if s.prev.MaxInputs != opschema.Unbounded && len(s.n.inputs) > s.prev.MaxInputs {
		return nil, fmt.Errorf("input %d is new in %s-%d", s.prev.MaxInputs, s.next.Name, s.next.SinceVersion)
	}
	if s.prev.MaxOutputs != opschema.Unbounded && len(s.n.outputs) > s.prev.MaxOutputs {
		if err := dropUnusedOutputs(s.n, s.prev.MaxOutputs); err != nil {
			return nil, fmt.Errorf("%v (new in %s-%d)", err, s.next.Name, s.next.SinceVersion)
		}
	}
	return s.n, nil
}

// dropUnusedOutputs shortens n's outputs to k when the extra ones are
// missing or unused.
func dropUnusedOutputs(n *Node, k int) error {
	for _, v := range n.outputs[k:] {
		if v != nil && (len(v.uses) > 0 || v.IsGraphOutput()) {
			return fmt.Errorf("output %q is used", v.name)
		}
	}
	dead := map[*Value]bool{}
	for _, v := range n.outputs[k:] {
		if v != nil {
			dead[v] = true
			if n.graph.scope[v.name] == v {
				delete(n.graph.scope, v.name)
			}
		}
	}
	n.outputs = n.outputs[:k]
	n.p.Output = n.p.Output[:k]
	n.graph.dropValueInfo(dead)
	return nil
}

// attrIsDefault reports whether a holds decl's default value.
func attrIsDefault(a *onnxproto.AttributeProto, decl *opschema.Attribute) bool {
	d := decl.Default
	if d == nil {
		return false
	}
	switch decl.Type {
	case opschema.AttrInt:
		return a.GetI() == d.Int
	case opschema.AttrFloat:
		return a.GetF() == d.Float
	case opschema.AttrString:
		return string(a.GetS()) == d.String
	case opschema.AttrInts:
		return slices.Equal(a.GetInts(), d.Ints)
	case opschema.AttrFloats:
		return slices.Equal(a.GetFloats(), d.Floats)
	}
	return false
}

// downTypes handles a type-only step down: at 11 many operators started
// accepting negative axes; those are made non-negative when the rank is
// known. Element types are checked at the end against the target schema.
func downTypes(s *stepCtx) (*Node, error) {
	if s.next.SinceVersion != 11 {
		return s.n, nil
	}
	for _, name := range []string{"axis", "axes"} {
		a := s.n.Attr(name)
		if a == nil {
			continue
		}
		vals := a.GetInts()
		if a.GetType() == onnxproto.AttributeProto_INT {
			vals = []int64{a.GetI()}
		}
		if !slices.ContainsFunc(vals, func(x int64) bool { return x < 0 }) {
			continue
		}
		r := s.rank(s.input(0))
		if r >= 0 && s.n.OpType() == "Unsqueeze" {
			r += len(vals)
		}
		if r < 0 {
			return nil, fmt.Errorf("negative %s needs the input's rank, which is unknown", name)
		}
		fixed := make([]int64, len(vals))
		for i, x := range vals {
			if x < 0 {
				x += int64(r)
			}
			fixed[i] = x
		}
		if a.GetType() == onnxproto.AttributeProto_INT {
			s.set(AttrInt(name, fixed[0]))
		} else {
			s.set(AttrInts(name, fixed...))
		}
		s.note("made %s non-negative", name)
	}
	return s.n, nil
}

// attrToInputUp moves INTS attribute name into input slot (an int64
// constant). required refuses a node without it.
func attrToInputUp(name string, slot int, required bool) func(*stepCtx) (*Node, error) {
	return func(s *stepCtx) (*Node, error) {
		a := s.n.Attr(name)
		if a == nil {
			if required {
				return nil, fmt.Errorf("attribute %s is missing", name)
			}
			return s.n, nil
		}
		var c *Value
		if a.GetType() == onnxproto.AttributeProto_FLOATS {
			var err error
			fs := make([]float64, len(a.GetFloats()))
			for i, f := range a.GetFloats() {
				fs[i] = float64(f)
			}
			if c, err = s.addNum(name, Float, fs, false); err != nil {
				return nil, err
			}
		} else {
			c = s.addInts(name, a.GetInts(), false)
		}
		s.del(name, "consumed_inputs")
		s.setInput(slot, c)
		s.note("attribute %s became input %d", name, slot)
		return s.n, nil
	}
}

// inputToAttrDown moves a constant input slot into attribute name (INTS,
// or FLOATS for a floating-point constant).
func inputToAttrDown(slot int, name string) func(*stepCtx) (*Node, error) {
	return func(s *stepCtx) (*Node, error) {
		v := s.input(slot)
		if v == nil {
			return s.n, nil
		}
		t, ok := s.constOf(v)
		if !ok {
			return nil, fmt.Errorf("input %q (%s) is computed at run time; it cannot become an attribute", v.name, name)
		}
		if isFloatType(t.DataType()) {
			fs, err := t.Float32s()
			if err != nil {
				return nil, err
			}
			s.set(AttrFloats(name, fs...))
		} else {
			is, err := t.Int64s()
			if err != nil {
				return nil, err
			}
			s.set(AttrInts(name, is...))
		}
		s.take(slot)
		s.note("input %d became attribute %s", slot, name)
		return s.n, nil
	}
}

// ---------------------------------------------------------------------------
// Adapters.

func seleUp(s *stepCtx) (*Node, error) {
	s.del("consumed_inputs")
	if s.n.Attr("alpha") == nil {
		s.set(AttrFloat("alpha", 1.6732))
		s.note("alpha set to Selu-1's default")
	}
	return s.n, nil
}

func seleDown(s *stepCtx) (*Node, error) {
	if s.n.Attr("alpha") == nil {
		s.set(AttrFloat("alpha", 1.67326))
		s.note("alpha set to Selu-6's default")
	}
	return s.n, nil
}

// legacyBroadcastUp turns broadcast/axis (opset < 7) into numpy-style
// broadcasting: B's dims align with A's starting at axis, so B gets
// trailing 1s when it does not reach A's last axis.
func legacyBroadcastUp(s *stepCtx) (*Node, error) {
	bc := attrInt(s.n, "broadcast", 0)
	axisAttr := s.n.Attr("axis")
	had := s.n.Attr("broadcast") != nil || axisAttr != nil
	s.del("broadcast", "axis")
	if had {
		s.note("dropped broadcast/axis")
	}
	if bc == 0 || axisAttr == nil {
		return s.n, nil
	}
	a, b := s.input(0), s.input(1)
	ra, rb := s.rank(a), s.rank(b)
	if ra < 0 || rb < 0 {
		return nil, fmt.Errorf("broadcast with axis needs the ranks of both inputs")
	}
	axis := axisAttr.GetI()
	if axis < 0 {
		axis += int64(ra)
	}
	trailing := int64(ra) - axis - int64(rb)
	if trailing < 0 {
		return nil, fmt.Errorf("axis %d does not fit ranks %d and %d", axisAttr.GetI(), ra, rb)
	}
	if trailing == 0 {
		return s.n, nil
	}
	if t, ok := s.constOf(b); ok {
		dims := t.Dims()
		for i := int64(0); i < trailing; i++ {
			dims = append(dims, 1)
		}
		tp := shallow(t.p)
		tp.Dims = dims
		if setConst(s.n, []int{1}, t.with(tp)) != nil {
			s.note("B copied with %d trailing 1s", trailing)
		} else {
			s.note("B reshaped with %d trailing 1s", trailing)
		}
		return s.n, nil
	}
	axes := make([]int64, trailing)
	for i := range axes {
		axes[i] = int64(rb) + int64(i)
	}
	u := s.newNode("Unsqueeze", []*Value{b}, AttrInts("axes", axes...))
	s.setInput(1, u)
	s.note("B unsqueezed on axes %v", axes)
	return s.n, nil
}

// legacyBroadcastDown writes numpy-style broadcasting with broadcast=1
// where the old rules allow it: B's shape equals the trailing dims of A's.
func legacyBroadcastDown(s *stepCtx) (*Node, error) {
	da, db := dimsOf(s.input(0), s.typeOf), dimsOf(s.input(1), s.typeOf)
	if da == nil || db == nil {
		return nil, fmt.Errorf("the shapes of both inputs must be known to write legacy broadcasting")
	}
	if len(da) == len(db) && slices.Equal(da, db) && !slices.Contains(da, DimUnknown) {
		return s.n, nil
	}
	if len(db) > len(da) {
		return nil, fmt.Errorf("input B (rank %d) is larger than input A (rank %d)", len(db), len(da))
	}
	one := true
	for _, d := range db {
		if d.Size != 1 {
			one = false
		}
	}
	off := len(da) - len(db)
	for i, d := range db {
		if one {
			break
		}
		if d != da[off+i] || d == DimUnknown {
			return nil, fmt.Errorf("input B %s does not match the trailing dims of input A %s", FormatDims(db), FormatDims(da))
		}
	}
	s.set(AttrInt("broadcast", 1))
	s.note("set broadcast=1")
	return s.n, nil
}

func gemmCDown(s *stepCtx) (*Node, error) {
	if s.input(2) != nil {
		return s.n, nil
	}
	dt := s.elem(s.input(0))
	if dt == 0 {
		return nil, fmt.Errorf("input C is missing and the element type of input A is unknown")
	}
	c, err := s.addNum("c", dt, []float64{0}, true)
	if err != nil {
		return nil, err
	}
	s.setInput(2, c)
	s.note("added C = 0")
	return s.n, nil
}

func bnIsTestUp(s *stepCtx) (*Node, error) {
	if len(s.n.outputs) > 1 && attrInt(s.n, "is_test", 0) == 0 {
		return nil, fmt.Errorf("a training-mode node (is_test=0 with %d outputs)", len(s.n.outputs))
	}
	return dropAttrsUp("is_test")(s)
}

func bnIsTestDown(s *stepCtx) (*Node, error) {
	if len(s.n.outputs) == 1 {
		s.set(AttrInt("is_test", 1))
		s.note("set is_test=1")
	}
	return s.n, nil
}

func bnSpatialUp(s *stepCtx) (*Node, error) {
	if attrInt(s.n, "spatial", 1) != 1 {
		return nil, fmt.Errorf("spatial=0 has no equivalent")
	}
	return dropAttrsUp("spatial")(s)
}

func bnTrainingUp(s *stepCtx) (*Node, error) {
	if len(s.n.outputs) > 1 {
		return nil, fmt.Errorf("the training outputs changed meaning")
	}
	return s.n, nil
}

func bnTrainingDown(s *stepCtx) (*Node, error) {
	if attrInt(s.n, "training_mode", 0) != 0 || len(s.n.outputs) > 1 {
		return nil, fmt.Errorf("training mode is new")
	}
	s.del("training_mode")
	return s.n, nil
}

func dropoutRatioUp(s *stepCtx) (*Node, error) {
	if a := s.n.Attr("ratio"); a != nil {
		c, err := s.addNum("ratio", Float, []float64{float64(a.GetF())}, true)
		if err != nil {
			return nil, err
		}
		s.del("ratio")
		s.setInput(1, c)
		s.note("attribute ratio became input 1")
	}
	return s.n, nil
}

func dropoutRatioDown(s *stepCtx) (*Node, error) {
	if mask := s.n.Output(1); mask != nil && (len(mask.uses) > 0 || mask.IsGraphOutput()) {
		return nil, fmt.Errorf("the mask output is used, and Dropout-10 does not define it outside training")
	}
	if tm := s.input(2); tm != nil {
		t, ok := s.constOf(tm)
		var vals []int64
		var err error
		if ok {
			vals, err = t.Int64s()
		}
		if !ok || err != nil || slices.Contains(vals, 1) {
			return nil, fmt.Errorf("training_mode is new")
		}
		s.take(2)
	}
	if r := s.input(1); r != nil {
		fs, ok := constFloats(r)
		if !ok || len(fs) != 1 {
			return nil, fmt.Errorf("ratio %q is not a constant scalar", r.name)
		}
		s.set(AttrFloat("ratio", float32(fs[0])))
		s.take(1)
		s.note("input ratio became an attribute")
	}
	s.del("seed")
	return s.n, nil
}

func castToUp(s *stepCtx) (*Node, error) {
	a := s.n.Attr("to")
	if a == nil || a.GetType() != onnxproto.AttributeProto_STRING {
		return s.n, nil
	}
	dt, err := ParseDataType(string(a.GetS()))
	if err != nil {
		return nil, err
	}
	s.set(AttrInt("to", int64(dt)))
	s.note("to became an INT")
	return s.n, nil
}

func castToDown(s *stepCtx) (*Node, error) {
	a := s.n.Attr("to")
	if a == nil || a.GetType() != onnxproto.AttributeProto_INT {
		return s.n, nil
	}
	s.set(AttrString("to", DataType(a.GetI()).String()))
	s.note("to became a STRING")
	return s.n, nil
}

func concatAxisUp(s *stepCtx) (*Node, error) {
	if s.n.Attr("axis") == nil {
		s.set(AttrInt("axis", 1))
		s.note("set axis=1 (Concat-1's default)")
	}
	return s.n, nil
}

func constantValueDown(s *stepCtx) (*Node, error) {
	t, ok := s.constOf(s.n.Output(0))
	for _, name := range []string{"value_string", "value_strings"} {
		if a := s.n.Attr(name); a != nil {
			var ss []string
			if name == "value_string" {
				ss = []string{string(a.GetS())}
			} else {
				for _, b := range a.GetStrings() {
					ss = append(ss, string(b))
				}
			}
			dims := []int64{int64(len(ss))}
			if name == "value_string" {
				dims = []int64{}
			}
			var err error
			if t, err = NewTensorOf(s.n.Output(0).name, String, dims, ss); err != nil {
				return nil, err
			}
			ok = true
		}
	}
	if s.n.Attr("value") != nil || !ok {
		return s.n, nil
	}
	s.del("value_int", "value_ints", "value_float", "value_floats", "value_string", "value_strings")
	s.set(AttrTensor("value", t))
	s.note("value_* became value")
	return s.n, nil
}

func dftAxisUp(s *stepCtx) (*Node, error) {
	axis := attrInt(s.n, "axis", 1)
	c := s.addInts("axis", []int64{axis}, true)
	s.del("axis")
	s.setInput(2, c)
	s.note("attribute axis became input 2")
	return s.n, nil
}

func dftAxisDown(s *stepCtx) (*Node, error) {
	v := s.input(2)
	var axis int64
	if v == nil {
		r := s.rank(s.input(0))
		if r < 0 {
			return nil, fmt.Errorf("the default axis -2 needs the input's rank")
		}
		axis = int64(r) - 2
	} else {
		is, ok := constInts(v)
		if !ok || len(is) != 1 {
			return nil, fmt.Errorf("axis %q is not a constant scalar", v.name)
		}
		axis = is[0]
		if axis < 0 {
			r := s.rank(s.input(0))
			if r < 0 {
				return nil, fmt.Errorf("a negative axis needs the input's rank")
			}
			axis += int64(r)
		}
		s.take(2)
	}
	s.set(AttrInt("axis", axis))
	s.note("input axis became an attribute")
	return s.n, nil
}

func lpPUp(s *stepCtx) (*Node, error) {
	if s.n.OpType() == "LpPool" && s.n.Attr("kernel_shape") == nil {
		return nil, fmt.Errorf("kernel_shape became required")
	}
	if a := s.n.Attr("p"); a != nil && a.GetType() == onnxproto.AttributeProto_FLOAT {
		f := a.GetF()
		if float32(math.Trunc(float64(f))) != f {
			return nil, fmt.Errorf("p=%v is not an integer", f)
		}
		s.set(AttrInt("p", int64(f)))
		s.note("p became an INT")
	}
	return s.n, nil
}

func lpPDown(s *stepCtx) (*Node, error) {
	if a := s.n.Attr("p"); a != nil && a.GetType() == onnxproto.AttributeProto_INT {
		s.set(AttrFloat("p", float32(a.GetI())))
		s.note("p became a FLOAT")
	}
	return s.n, nil
}

func gridModeUp(s *stepCtx) (*Node, error) {
	if a := s.n.Attr("mode"); a != nil {
		switch string(a.GetS()) {
		case "bilinear":
			s.set(AttrString("mode", "linear"))
		case "bicubic":
			s.set(AttrString("mode", "cubic"))
		}
	}
	return s.n, nil
}

func gridModeDown(s *stepCtx) (*Node, error) {
	if r := s.rank(s.input(0)); r >= 0 && r != 4 {
		return nil, fmt.Errorf("GridSample-16 takes 4-D input, not rank %d", r)
	}
	if a := s.n.Attr("mode"); a != nil {
		switch string(a.GetS()) {
		case "linear":
			s.set(AttrString("mode", "bilinear"))
		case "cubic":
			s.set(AttrString("mode", "bicubic"))
		}
	}
	return s.n, nil
}

func roiAlignUp(s *stepCtx) (*Node, error) {
	if s.n.Attr("coordinate_transformation_mode") == nil {
		s.set(AttrString("coordinate_transformation_mode", "output_half_pixel"))
		s.note("set coordinate_transformation_mode=output_half_pixel (RoiAlign-10's behaviour)")
	}
	return s.n, nil
}

func roiAlignDown(s *stepCtx) (*Node, error) {
	a := s.n.Attr("coordinate_transformation_mode")
	if a == nil || string(a.GetS()) != "output_half_pixel" {
		return nil, fmt.Errorf("RoiAlign-10 only has coordinate_transformation_mode output_half_pixel")
	}
	s.del("coordinate_transformation_mode")
	return s.n, nil
}

func sliceUp(s *stepCtx) (*Node, error) {
	starts, ok1 := s.ints("starts")
	ends, ok2 := s.ints("ends")
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("starts and ends are required")
	}
	s.setInput(1, s.addInts("starts", starts, false))
	s.setInput(2, s.addInts("ends", ends, false))
	if axes, ok := s.ints("axes"); ok {
		s.setInput(3, s.addInts("axes", axes, false))
	}
	s.del("starts", "ends", "axes")
	s.note("starts, ends, axes became inputs")
	return s.n, nil
}

func sliceDown(s *stepCtx) (*Node, error) {
	if st := s.input(4); st != nil {
		is, ok := constInts(st)
		if !ok || slices.ContainsFunc(is, func(x int64) bool { return x != 1 }) {
			return nil, fmt.Errorf("steps other than 1 are new")
		}
	}
	names := []string{"", "starts", "ends", "axes"}
	vals := make([][]int64, 4)
	for i := 1; i <= 3; i++ {
		v := s.input(i)
		if v == nil {
			continue
		}
		is, ok := constInts(v)
		if !ok {
			return nil, fmt.Errorf("input %q (%s) is computed at run time", v.name, names[i])
		}
		vals[i] = is
	}
	for i := 1; i <= 3; i++ {
		if vals[i] != nil {
			s.set(AttrInts(names[i], vals[i]...))
		}
	}
	for i := 4; i >= 1; i-- {
		s.take(i)
	}
	s.note("inputs became attributes starts, ends, axes")
	return s.n, nil
}

func topkUp(s *stepCtx) (*Node, error) {
	a := s.n.Attr("k")
	if a == nil {
		return nil, fmt.Errorf("attribute k is missing")
	}
	s.setInput(1, s.addInts("k", []int64{a.GetI()}, false))
	s.del("k")
	s.note("attribute k became input 1")
	return s.n, nil
}

func topkDown(s *stepCtx) (*Node, error) {
	v := s.input(1)
	is, ok := constInts(v)
	if !ok || len(is) != 1 {
		return nil, fmt.Errorf("input K %q is not a constant", nameOf(v))
	}
	s.set(AttrInt("k", is[0]))
	s.take(1)
	s.note("input K became attribute k")
	return s.n, nil
}

func padUp(s *stepCtx) (*Node, error) {
	pads, ok := s.ints("pads")
	if !ok {
		return nil, fmt.Errorf("attribute pads is missing")
	}
	value := float64(0)
	if a := s.n.Attr("value"); a != nil {
		value = float64(a.GetF())
	}
	s.setInput(1, s.addInts("pads", pads, false))
	if value != 0 {
		dt := s.elem(s.input(0))
		if dt == 0 {
			return nil, fmt.Errorf("the data's element type is unknown; the pad value needs it")
		}
		c, err := s.addNum("value", dt, []float64{value}, true)
		if err != nil {
			return nil, err
		}
		s.setInput(2, c)
	}
	s.del("pads", "value")
	s.note("pads and value became inputs")
	return s.n, nil
}

func padDown(s *stepCtx) (*Node, error) {
	pv := s.input(1)
	pads, ok := constInts(pv)
	if !ok {
		return nil, fmt.Errorf("pads %q is computed at run time", nameOf(pv))
	}
	var value float64
	hasValue := false
	if cv := s.input(2); cv != nil {
		t, ok := s.constOf(cv)
		if !ok {
			return nil, fmt.Errorf("constant_value %q is computed at run time", cv.name)
		}
		fs, err := t.Float64s()
		if err != nil {
			is, err2 := t.Int64s()
			if err2 != nil || len(is) != 1 {
				return nil, fmt.Errorf("constant_value: %v", err)
			}
			fs = []float64{float64(is[0])}
		}
		if len(fs) != 1 {
			return nil, fmt.Errorf("constant_value is not a scalar")
		}
		value, hasValue = fs[0], true
	}
	s.set(AttrInts("pads", pads...))
	if hasValue && value != 0 {
		s.set(AttrFloat("value", float32(value)))
	}
	s.take(2)
	s.take(1)
	s.note("inputs pads and constant_value became attributes")
	return s.n, nil
}

func clipUp(s *stepCtx) (*Node, error) {
	lo, hasLo := s.n.Attr("min"), s.n.Attr("min") != nil
	hi, hasHi := s.n.Attr("max"), s.n.Attr("max") != nil
	if !hasLo && !hasHi {
		return s.n, nil
	}
	dt := s.elem(s.input(0))
	if dt == 0 {
		return nil, fmt.Errorf("the input's element type is unknown; min and max need it")
	}
	if hasLo {
		c, err := s.addNum("min", dt, []float64{float64(lo.GetF())}, true)
		if err != nil {
			return nil, err
		}
		s.setInput(1, c)
	}
	if hasHi {
		c, err := s.addNum("max", dt, []float64{float64(hi.GetF())}, true)
		if err != nil {
			return nil, err
		}
		s.setInput(2, c)
	}
	s.del("min", "max")
	s.note("min and max became inputs")
	return s.n, nil
}

func clipDown(s *stepCtx) (*Node, error) {
	for i, name := range []string{"min", "max"} {
		v := s.input(i + 1)
		if v == nil {
			continue
		}
		fs, ok := constFloats(v)
		if !ok || len(fs) != 1 {
			return nil, fmt.Errorf("%s %q is not a constant scalar", name, v.name)
		}
		f := fs[0]
		if f > math.MaxFloat32 {
			f = math.MaxFloat32
		} else if f < -math.MaxFloat32 {
			f = -math.MaxFloat32
		}
		s.set(AttrFloat(name, float32(f)))
	}
	s.take(2)
	s.take(1)
	s.note("inputs min and max became attributes")
	return s.n, nil
}

func splitInputToAttrUp(s *stepCtx) (*Node, error) {
	v := s.input(1)
	if v == nil {
		return s.n, nil
	}
	is, ok := constInts(v)
	if !ok {
		return nil, fmt.Errorf("split %q is computed at run time", v.name)
	}
	s.set(AttrInts("split", is...))
	s.take(1)
	s.note("input split became an attribute")
	return s.n, nil
}

func splitNumOutputsUp(s *stepCtx) (*Node, error) {
	if s.input(1) == nil {
		s.set(AttrInt("num_outputs", int64(len(s.n.outputs))))
		s.note("set num_outputs=%d", len(s.n.outputs))
	}
	return s.n, nil
}

func splitNumOutputsDown(s *stepCtx) (*Node, error) {
	a := s.n.Attr("num_outputs")
	if a == nil {
		return s.n, nil
	}
	k := a.GetI()
	s.del("num_outputs")
	if s.input(1) != nil {
		return s.n, nil
	}
	axis := attrInt(s.n, "axis", 0)
	dims := dimsOf(s.input(0), s.typeOf)
	if axis < 0 {
		axis += int64(len(dims))
	}
	if dims == nil || axis < 0 || axis >= int64(len(dims)) || dims[axis].Size < 0 {
		s.convCtx.r.Warnings = append(s.convCtx.r.Warnings, fmt.Sprintf("node %s: Split-13 needs the split axis divisible by %d, which cannot be checked", s.n.label(), k))
		s.note("dropped num_outputs")
		return s.n, nil
	}
	d := dims[axis].Size
	if d%k == 0 {
		s.note("dropped num_outputs")
		return s.n, nil
	}
	chunk := (d + k - 1) / k
	sizes := make([]int64, k)
	for i := range sizes {
		sizes[i] = min(chunk, d-chunk*int64(i))
	}
	s.setInput(1, s.addInts("split", sizes, false))
	s.note("num_outputs became split %v", sizes)
	return s.n, nil
}

func reduceAxesUp(s *stepCtx) (*Node, error) {
	if a := s.n.Attr("axes"); a != nil {
		s.setInput(1, s.addInts("axes", a.GetInts(), false))
		s.del("axes")
		s.note("attribute axes became input 1")
	}
	return s.n, nil
}

func reduceAxesDown(s *stepCtx) (*Node, error) {
	noop := attrInt(s.n, "noop_with_empty_axes", 0)
	v := s.input(1)
	var axes []int64
	if v != nil {
		is, ok := constInts(v)
		if !ok {
			return nil, fmt.Errorf("axes %q is computed at run time", v.name)
		}
		axes = is
	}
	if len(axes) == 0 && noop != 0 {
		return nil, fmt.Errorf("noop_with_empty_axes=1 with no axes has no equivalent")
	}
	if len(axes) > 0 {
		s.set(AttrInts("axes", axes...))
	}
	s.del("noop_with_empty_axes")
	if v != nil {
		s.take(1)
		s.note("input axes became an attribute")
	}
	return s.n, nil
}

func upsampleScalesAttrUp(s *stepCtx) (*Node, error) {
	h, w := s.n.Attr("height_scale"), s.n.Attr("width_scale")
	if h == nil || w == nil {
		return nil, fmt.Errorf("height_scale and width_scale are required")
	}
	s.set(AttrFloats("scales", 1, 1, h.GetF(), w.GetF()))
	s.del("height_scale", "width_scale")
	s.note("height_scale and width_scale became scales")
	return s.n, nil
}

func upsampleScalesAttrDown(s *stepCtx) (*Node, error) {
	sc := s.n.Attr("scales").GetFloats()
	if len(sc) != 4 || sc[0] != 1 || sc[1] != 1 {
		return nil, fmt.Errorf("Upsample-1 only scales the last two of four dims")
	}
	s.set(AttrFloat("height_scale", sc[2]))
	s.set(AttrFloat("width_scale", sc[3]))
	s.del("scales")
	s.note("scales became height_scale and width_scale")
	return s.n, nil
}

// resize11Up: Resize-10 computes with asymmetric coordinates and, for
// nearest, rounds down.
func resize11Up(s *stepCtx) (*Node, error) {
	x, scales := s.input(0), s.input(1)
	t, _ := NewTensorOf("roi", Float, []int64{0}, []float32{})
	roi := addConst(s.n.graph, s.base("roi"), t)
	resetInputs(s.n, []*Value{x, roi, scales})
	s.set(AttrString("coordinate_transformation_mode", "asymmetric"))
	mode := "nearest"
	if a := s.n.Attr("mode"); a != nil {
		mode = string(a.GetS())
	}
	if mode == "nearest" {
		s.set(AttrString("nearest_mode", "floor"))
	}
	s.note("added an empty roi, coordinate_transformation_mode=asymmetric (Resize-10's behaviour)")
	return s.n, nil
}

func resize11Down(s *stepCtx) (*Node, error) {
	str := func(name, def string) string {
		if a := s.n.Attr(name); a != nil {
			return string(a.GetS())
		}
		return def
	}
	if s.input(3) != nil {
		return nil, fmt.Errorf("sizes is new in Resize-11")
	}
	if s.input(2) == nil {
		return nil, fmt.Errorf("scales is missing")
	}
	if ctm := str("coordinate_transformation_mode", "half_pixel"); ctm != "asymmetric" {
		return nil, fmt.Errorf("coordinate_transformation_mode %s is new in Resize-11 (Resize-10 is asymmetric)", ctm)
	}
	mode := str("mode", "nearest")
	switch {
	case mode == "nearest" && str("nearest_mode", "round_prefer_floor") != "floor":
		return nil, fmt.Errorf("nearest_mode %s is new in Resize-11 (Resize-10 rounds down)", str("nearest_mode", "round_prefer_floor"))
	case mode == "cubic":
		return nil, fmt.Errorf("mode cubic is new in Resize-11")
	case attrInt(s.n, "exclude_outside", 0) != 0:
		return nil, fmt.Errorf("exclude_outside is new in Resize-11")
	}
	x, scales, roi := s.input(0), s.input(2), s.input(1)
	resetInputs(s.n, []*Value{x, scales})
	if roi != nil {
		s.orphans[roi] = true
	}
	s.del("coordinate_transformation_mode", "nearest_mode", "cubic_coeff_a", "exclude_outside", "extrapolation_value")
	s.note("dropped roi and the Resize-11 attributes")
	return s.n, nil
}

func resize13Down(s *stepCtx) (*Node, error) {
	x, roi, scales, sizes := s.input(0), s.input(1), s.input(2), s.input(3)
	empty := func(what string) *Value {
		t, _ := NewTensorOf(what, Float, []int64{0}, []float32{})
		return addConst(s.n.graph, s.base(what), t)
	}
	changed := false
	if roi == nil {
		roi, changed = empty("roi"), true
	}
	if scales == nil {
		scales, changed = empty("scales"), true
	}
	ins := []*Value{x, roi, scales}
	if sizes != nil {
		ins = append(ins, sizes)
	}
	resetInputs(s.n, ins)
	if changed {
		s.note("filled missing roi/scales with empty tensors")
	}
	return s.n, nil
}

// softmaxUp: before 13 the input was coerced to 2-D at axis and the
// operator applied over the second dim; from 13 it applies along one axis.
// The two agree when axis is the last; otherwise Flatten and Reshape keep
// the old meaning.
func softmaxUp(s *stepCtx) (*Node, error) {
	axisAttr := s.n.Attr("axis")
	axis := int64(1)
	if axisAttr != nil {
		axis = axisAttr.GetI()
	}
	x := s.input(0)
	r := s.rank(x)
	if axis == -1 || (r >= 0 && (axis == int64(r)-1 || (axis < 0 && axis+int64(r) == int64(r)-1))) {
		if axisAttr == nil {
			s.set(AttrInt("axis", axis))
			s.note("axis=%d written out (the default changed)", axis)
		}
		return s.n, nil
	}
	if r == 0 {
		return nil, fmt.Errorf("a scalar input")
	}
	flat := s.newNode("Flatten", []*Value{x}, AttrInt("axis", axis))
	shape := s.newNode("Shape", []*Value{x})
	_ = s.n.SetInput(0, flat)
	s.set(AttrInt("axis", 1))
	s.wrapOutput("Reshape", []*Value{shape})
	s.note("coerced to 2-D with Flatten(axis=%d) and reshaped back", axis)
	return s.n, nil
}

// softmaxDown: going below 13 the operator coerces to 2-D; along the last
// axis the two agree, otherwise a Transpose pair moves the axis last.
func softmaxDown(s *stepCtx) (*Node, error) {
	axisAttr := s.n.Attr("axis")
	axis := int64(-1)
	if axisAttr != nil {
		axis = axisAttr.GetI()
	}
	x := s.input(0)
	r := s.rank(x)
	if axis == -1 || (r >= 0 && axis == int64(r)-1) {
		if axisAttr == nil {
			s.set(AttrInt("axis", -1))
			s.note("axis=-1 written out (the default changed)")
		}
		return s.n, nil
	}
	if r < 0 {
		return nil, fmt.Errorf("axis %d is not the last, and the input's rank is unknown", axis)
	}
	if axis < 0 {
		axis += int64(r)
	}
	perm := make([]int64, r)
	for i := range perm {
		perm[i] = int64(i)
	}
	perm[axis], perm[r-1] = perm[r-1], perm[axis]
	t := s.newNode("Transpose", []*Value{x}, AttrInts("perm", perm...))
	_ = s.n.SetInput(0, t)
	s.set(AttrInt("axis", -1))
	s.wrapOutput("Transpose", nil, AttrInts("perm", perm...))
	s.note("axis %d moved last with a Transpose pair", axis)
	return s.n, nil
}
