package onnxgraph

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/opschema"
	"google.golang.org/protobuf/proto"
)

// ConvertError names a node SetOpset cannot convert and says why.
type ConvertError struct {
	Node     string // the node, as name(OpType) or #index(OpType)
	Graph    string // the graph holding it
	Op       string // the operator
	From, To int64  // the opset versions
	Reason   string
	name     string // the node's name, or its label when unnamed
}

// Error says which node cannot be converted, between which opsets, and why.
func (e *ConvertError) Error() string {
	return fmt.Sprintf("onnxgraph: cannot convert node %s in graph %q from opset %d to %d: %s", e.Node, e.Graph, e.From, e.To, e.Reason)
}

// Unwrap returns ErrConvert.
func (e *ConvertError) Unwrap() error { return ErrConvert }

// Culprit returns the node's name (its label when unnamed).
func (e *ConvertError) Culprit() string { return e.name }

// SetOpsetOptions controls SetOpset. The zero value relabels only.
type SetOpsetOptions struct {
	// Convert rewrites the nodes whose operator changed between the two
	// versions so that they compute the same thing at the new one (see
	// SetOpset); without it the import is relabeled and every such node is
	// listed in SetOpsetReport.Warnings.
	Convert bool
	// TypeOf, when set, gives types that are not declared (for instance
	// from shape inference); some conversions need an input's rank or
	// element type.
	TypeOf func(*Value) *onnxproto.TypeProto
}

// SetOpsetReport says what SetOpset did.
type SetOpsetReport struct {
	Domain       string
	From, To     int64
	IRFrom, IRTo int64 // the IR version, raised when the new opset needs it
	// Warnings lists, when relabeling, every node whose operator's schema
	// differs between the versions (or that the new opset lacks); with
	// Convert, conversions that hold only under conditions it could not
	// check.
	Warnings []string
	// Converted lists the nodes an adapter rewrote, with what it did.
	Converted []string
	// Relabeled counts the nodes whose operator changed only in the
	// element types it allows (or not at all in a way that matters).
	Relabeled int
}

// SetOpset sets the version of the opset the model imports for domain (the
// seed tool soc4onnx, which only relabels, dropping every other import and
// the model's metadata; here everything else is kept). "" and "ai.onnx"
// name the default domain. Model-local functions that import the domain
// move to the same version.
//
// Without Convert it relabels: the model is unchanged otherwise, and the
// report warns about every node whose operator's schema differs between
// the two versions (a different since-version) or that the new opset does
// not define.
//
// With Convert it rewrites nodes, in both directions, step by step through
// each operator's versions: attributes that became inputs and back (Reduce*
// axes at 13 for ReduceSum and 18 for the others, Split split at 13 and
// num_outputs at 18, Squeeze and Unsqueeze axes at 13, Pad pads at 11,
// Clip min and max at 11, Reshape shape at 5, Slice at 10, TopK k at 10,
// Upsample scales at 9, Dropout ratio at 12, DFT axis at 20), Upsample to
// Resize at 10 and Resize's versions 11, 13, 18, Softmax, LogSoftmax and
// Hardmax's change of axis semantics at 13 (a Flatten/Reshape pair around
// the node, or a Transpose pair going down, when the rank requires it),
// the legacy broadcast attributes removed at 7, Scatter to ScatterElements
// at 11, removed and renamed attributes, and changes that add an attribute,
// input or output with a default that keeps the old meaning (going down,
// a node that uses the addition cannot be converted). Versions that change
// only the element types allowed are relabels; going down, known element
// types must still be allowed. Every converted node is checked against its
// schema at the new version. A node that cannot be converted is a
// *ConvertError (ErrConvert) naming it, and nothing changes.
func (m *Model) SetOpset(domain string, version int64, opts *SetOpsetOptions, report *SetOpsetReport) *Model {
	return runStep(m, "SetOpset", opts, report, func(m *Model, o *SetOpsetOptions) (*SetOpsetReport, error) {
		return SetOpsetModel(m, domain, version, o)
	})
}

// SetOpsetModel is SetOpset in plain form.
func SetOpsetModel(m *Model, domain string, version int64, opts *SetOpsetOptions) (*SetOpsetReport, error) {
	defer afterEdit(m)
	o := orZero(opts)
	o.TypeOf = m.typeHook(o.TypeOf)
	if isDefaultDomain(domain) {
		domain = ""
	}
	from, ok := m.Opset(domain)
	if !ok {
		return nil, culprit(domain, errorf(ErrNotFound, "the model does not import domain %q", opschema.NormalizeDomain(domain)))
	}
	if version < 1 {
		return nil, errorf(ErrInvalid, "opset version %d is not positive", version)
	}
	if maxV := opschema.MaxOpset(domain); maxV > 0 && version > int64(maxV) {
		return nil, errorf(ErrInvalid, "opset %d of %s is newer than %d, the newest known", version, opschema.NormalizeDomain(domain), maxV)
	}
	r := &SetOpsetReport{Domain: opschema.NormalizeDomain(domain), From: from, To: version, IRFrom: m.IRVersion(), IRTo: m.IRVersion()}
	// The graphs to visit, each with the version it starts from.
	type tree struct {
		g    *Graph
		from int64
		fn   *Function
	}
	var trees []tree
	if m.graph != nil {
		trees = append(trees, tree{g: m.graph, from: from})
	}
	for _, f := range m.funcs {
		for _, imp := range f.p.GetOpsetImport() {
			if imp.GetDomain() == domain || (isDefaultDomain(domain) && isDefaultDomain(imp.GetDomain())) {
				trees = append(trees, tree{g: f.body, from: imp.GetVersion(), fn: f})
			}
		}
	}
	// raiseIR raises ir_version to what the target opset needs: before
	// adapters run too, so that what they add follows the new version's
	// rules (an initializer is a graph input only before IR 4).
	raiseIR := func(m *Model) {
		if isDefaultDomain(domain) && version > from {
			if need := minIRVersion(version); m.IRVersion() < need {
				m.p.IrVersion = proto.Int64(need)
				r.IRTo = need
			}
		}
	}
	relabel := func(m *Model) {
		for _, imp := range m.p.OpsetImport {
			if imp.GetDomain() == domain || (isDefaultDomain(domain) && isDefaultDomain(imp.GetDomain())) {
				imp.Version = proto.Int64(version)
			}
		}
		for _, t := range trees {
			if t.fn == nil {
				continue
			}
			for _, imp := range t.fn.p.OpsetImport {
				if imp.GetDomain() == domain || (isDefaultDomain(domain) && isDefaultDomain(imp.GetDomain())) {
					imp.Version = proto.Int64(version)
				}
			}
		}
		raiseIR(m)
	}
	if !o.Convert {
		for _, t := range trees {
			t.g.Walk(func(g *Graph) bool {
				for _, n := range g.nodes {
					if !sameDomain(n.Domain(), domain) || m.localFunction(n.Domain(), n.OpType()) != nil {
						continue
					}
					s1, ok1 := opschema.Lookup(domain, n.OpType(), int(t.from))
					s2, ok2 := opschema.Lookup(domain, n.OpType(), int(version))
					switch {
					case !ok2:
						r.Warnings = append(r.Warnings, fmt.Sprintf("node %s: %s is not defined at opset %d", n.label(), n.OpType(), version))
					case s2.Deprecated:
						r.Warnings = append(r.Warnings, fmt.Sprintf("node %s: %s is deprecated at opset %d", n.label(), n.OpType(), version))
					case !ok1:
						r.Warnings = append(r.Warnings, fmt.Sprintf("node %s: %s is not defined at opset %d", n.label(), n.OpType(), t.from))
					case s1.SinceVersion != s2.SinceVersion:
						r.Warnings = append(r.Warnings, fmt.Sprintf("node %s: schema changes from %s-%d to %s-%d", n.label(), n.OpType(), s1.SinceVersion, n.OpType(), s2.SinceVersion))
					}
				}
				return true
			})
		}
		relabel(m)
		return r, nil
	}
	if version == from {
		return r, nil
	}
	err := m.Atomic(func(m *Model) error {
		legacy := m.IRVersion() < 4
		raiseIR(m)
		c := &convCtx{legacyInits: legacy, m: m, domain: domain, to: version, typeOf: o.TypeOf, r: r, orphans: map[*Value]bool{}}
		for _, t := range trees {
			var nodes []*Node
			t.g.Walk(func(g *Graph) bool {
				for _, n := range g.nodes {
					if sameDomain(n.Domain(), domain) && m.localFunction(n.Domain(), n.OpType()) == nil {
						nodes = append(nodes, n)
					}
				}
				return true
			})
			for _, n := range nodes {
				c.push(n, t.from)
			}
			if err := c.run(); err != nil {
				return err
			}
		}
		c.dropOrphans()
		relabel(m)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

func sameDomain(a, b string) bool {
	return a == b || (isDefaultDomain(a) && isDefaultDomain(b))
}

// minIRVersion returns the IR version the ONNX release that introduced
// opset version v of the default domain came with.
func minIRVersion(v int64) int64 {
	switch {
	case v <= 8:
		return 3
	case v == 9:
		return 4
	case v == 10:
		return 5
	case v == 11:
		return 6
	case v <= 14:
		return 7
	case v <= 18:
		return 8
	case v <= 20:
		return 9
	case v <= 22:
		return 10
	}
	return 11
}

// convCtx is the state of one conversion.
type convCtx struct {
	m      *Model
	domain string
	to     int64
	typeOf func(*Value) *onnxproto.TypeProto
	// legacyInits: the model was older than IR 4, whose initializers are
	// graph inputs and constants all the same.
	legacyInits bool
	r           *SetOpsetReport
	work        []convItem
	orphans     map[*Value]bool // constants an adapter stopped reading
	final       []*Node
	did         []string // what adapters did to the node being converted
	steps       int      // how many version steps it went through
}

type convItem struct {
	n       *Node
	version int64 // the opset version at which n is valid now
}

func (c *convCtx) push(n *Node, version int64) {
	c.work = append(c.work, convItem{n, version})
}

// fail builds the error for node n.
func (c *convCtx) fail(n *Node, from int64, format string, args ...any) error {
	name := n.Name()
	if name == "" {
		name = n.label()
	}
	return &ConvertError{Node: n.label(), Graph: n.graph.Name(), Op: n.OpType(), From: from, To: c.to, Reason: fmt.Sprintf(format, args...), name: name}
}

func (c *convCtx) run() error {
	for len(c.work) > 0 {
		it := c.work[0]
		c.work = c.work[1:]
		c.did, c.steps = nil, 0
		n, err := c.convert(it.n, it.version)
		if err != nil {
			return err
		}
		if n != nil {
			c.final = append(c.final, n)
			switch {
			case len(c.did) > 0:
				c.r.Converted = append(c.r.Converted, n.label()+": "+strings.Join(c.did, "; "))
			case c.steps > 0:
				c.r.Relabeled++
			}
		}
	}
	// Every node must fit its schema at the new version.
	for _, n := range c.final {
		if n.graph == nil || slices.Index(n.graph.nodes, n) < 0 {
			continue // replaced
		}
		s, ok := opschema.Lookup(c.domain, n.OpType(), int(c.to))
		if !ok {
			return c.fail(n, c.r.From, "%s is not defined at opset %d", n.OpType(), c.to)
		}
		if err := fitsSchema(n, s, c.typeOf); err != nil {
			return c.fail(n, c.r.From, "%v", err)
		}
	}
	return nil
}

// convert moves node n, valid at version from, to c.to, one operator
// version at a time; it returns the node that stands for n at the end.
func (c *convCtx) convert(n *Node, from int64) (*Node, error) {
	cur := from
	origFrom := from
	for guard := 0; guard < 1000; guard++ {
		op := n.OpType()
		if c.to > cur {
			// The next version of op after cur, if any up to c.to.
			next := 0
			for _, s := range opschema.Versions(c.domain, op) {
				if int64(s.SinceVersion) > cur && int64(s.SinceVersion) <= c.to {
					next = s.SinceVersion
					break
				}
			}
			if next == 0 {
				if _, ok := opschema.Lookup(c.domain, op, int(cur)); !ok {
					return nil, c.fail(n, origFrom, "%s is not defined at opset %d", op, cur)
				}
				return n, nil
			}
			nn, err := c.step(n, op, next, true, cur)
			if err != nil {
				return nil, err
			}
			n, cur = nn, int64(next)
			continue
		}
		// Down: the version in force at cur.
		s, ok := opschema.Lookup(c.domain, op, int(cur))
		if !ok {
			return nil, c.fail(n, origFrom, "%s is not defined at opset %d", op, cur)
		}
		if int64(s.SinceVersion) <= c.to {
			return n, nil
		}
		nn, err := c.step(n, op, s.SinceVersion, false, cur)
		if err != nil {
			return nil, err
		}
		n, cur = nn, int64(s.SinceVersion-1)
	}
	return nil, c.fail(n, origFrom, "conversion does not terminate")
}

// step applies the adapter for op's version since, up (from the previous
// version) or down (to it).
func (c *convCtx) step(n *Node, op string, since int, up bool, cur int64) (*Node, error) {
	vs := opschema.Versions(c.domain, op)
	var prev, next *opschema.Schema
	for i, s := range vs {
		if s.SinceVersion == since {
			next = s
			if i > 0 {
				prev = vs[i-1]
			}
		}
	}
	if next == nil {
		return nil, c.fail(n, c.r.From, "no schema %s-%d", op, since)
	}
	ad, inTable := adapterFor(c.domain, op, since)
	if prev == nil {
		// since introduces op: only an adapter can go below it.
		if up || !inTable || ad.down == nil {
			return nil, c.fail(n, c.r.From, "%s does not exist before opset %d", op, since)
		}
	}
	if !inTable {
		if !sameSignature(prev, next) {
			return nil, c.fail(n, c.r.From, "no adapter for %s-%d (%s-%d -> %s-%d)", op, since, op, prev.SinceVersion, op, next.SinceVersion)
		}
		ad = adapter{kind: kindTypes}
	}
	ctx := &stepCtx{convCtx: c, n: n, prev: prev, next: next, up: up}
	if up {
		ctx.at = int64(since)
	} else {
		ctx.at = int64(since - 1)
	}
	var fn func(*stepCtx) (*Node, error)
	switch {
	case up && ad.up != nil:
		fn = ad.up
	case !up && ad.down != nil:
		fn = ad.down
	case up && ad.kind != kindRefuse:
		fn = func(*stepCtx) (*Node, error) { return n, nil }
	case !up && ad.kind == kindAdditive:
		fn = downAdditive
	case !up && ad.kind == kindTypes:
		fn = downTypes
	default:
		dir := "down"
		if up {
			dir = "up"
		}
		why := ad.why
		if why == "" {
			why = "no adapter"
		}
		return nil, c.fail(n, c.r.From, "%s-%d cannot be converted %s: %s", op, since, dir, why)
	}
	nn, err := fn(ctx)
	if err != nil {
		var ce *ConvertError
		if errors.As(err, &ce) {
			return nil, err
		}
		return nil, c.fail(n, c.r.From, "%s-%d %s: %v", op, since, map[bool]string{true: "up", false: "down"}[up], trimPrefix(err))
	}
	if ctx.did != "" {
		c.did = append(c.did, fmt.Sprintf("%s-%d %s: %s", op, since, map[bool]string{true: "up", false: "down"}[up], ctx.did))
	}
	c.steps++
	return nn, nil
}

// dropOrphans removes the constants adapters stopped reading when nothing
// reads them any more.
func (c *convCtx) dropOrphans() {
	for v := range c.orphans {
		if len(v.uses) > 0 || v.IsGraphOutput() || v.input {
			continue
		}
		if v.init != nil {
			_ = v.graph.RemoveInitializer(v)
		} else if p := v.producer; p != nil && p.OpType() == "Constant" {
			_ = v.graph.RemoveNodes(p)
		}
	}
}

// sameSignature reports whether two versions of an operator differ only in
// the element types they allow.
func sameSignature(a, b *opschema.Schema) bool {
	if a.Deprecated != b.Deprecated || len(a.Attributes) != len(b.Attributes) || len(a.Inputs) != len(b.Inputs) || len(a.Outputs) != len(b.Outputs) {
		return false
	}
	for i := range a.Attributes {
		x, y := a.Attributes[i], b.Attributes[i]
		if x.Name != y.Name || x.Type != y.Type || x.Required != y.Required || (x.Default == nil) != (y.Default == nil) || (x.Default != nil && x.Default.Raw != y.Default.Raw) {
			return false
		}
	}
	for i := range a.Inputs {
		if a.Inputs[i].Name != b.Inputs[i].Name || a.Inputs[i].Option != b.Inputs[i].Option {
			return false
		}
	}
	for i := range a.Outputs {
		if a.Outputs[i].Name != b.Outputs[i].Name || a.Outputs[i].Option != b.Outputs[i].Option {
			return false
		}
	}
	return true
}

// fitsSchema checks n against s: attribute names and types, required
// attributes, input and output counts, required inputs present, and known
// element types allowed.
func fitsSchema(n *Node, s *opschema.Schema, typeOf func(*Value) *onnxproto.TypeProto) error {
	if s.Deprecated {
		return fmt.Errorf("%s-%d is deprecated", s.Name, s.SinceVersion)
	}
	for _, a := range n.p.GetAttribute() {
		if a.GetRefAttrName() != "" {
			continue
		}
		decl, ok := s.Attribute(a.GetName())
		if !ok {
			return fmt.Errorf("%s-%d has no attribute %q", s.Name, s.SinceVersion, a.GetName())
		}
		if a.Type != nil && opschema.AttrType(a.GetType()) != decl.Type {
			return fmt.Errorf("attribute %q is %v, %s-%d wants %v", a.GetName(), opschema.AttrType(a.GetType()), s.Name, s.SinceVersion, decl.Type)
		}
	}
	for _, decl := range s.Attributes {
		if decl.Required && n.Attr(decl.Name) == nil {
			return fmt.Errorf("%s-%d needs attribute %q", s.Name, s.SinceVersion, decl.Name)
		}
	}
	if !s.AllowsInputs(len(n.inputs)) {
		return fmt.Errorf("%d inputs, %s-%d takes %s", len(n.inputs), s.Name, s.SinceVersion, arityText(s.MinInputs, s.MaxInputs))
	}
	if !s.AllowsOutputs(len(n.outputs)) {
		return fmt.Errorf("%d outputs, %s-%d gives %s", len(n.outputs), s.Name, s.SinceVersion, arityText(s.MinOutputs, s.MaxOutputs))
	}
	check := func(f *opschema.Formal, v *Value, what string, i int) error {
		if v == nil {
			if f.Option == opschema.Single {
				return fmt.Errorf("%s %d (%s) is required by %s-%d", what, i, f.Name, s.Name, s.SinceVersion)
			}
			return nil
		}
		dt := elemOf(v, typeOf)
		if dt == 0 {
			return nil
		}
		if tt := typeOfValue(v, typeOf); tt != nil && tt.GetTensorType() == nil {
			return nil // sequences, maps, optionals: not checked here
		}
		allowed := s.AllowedTypes(f)
		if allowed != nil && !slices.Contains(allowed, constraintName(dt)) {
			return fmt.Errorf("%s %d (%q) is %s, which %s-%d does not allow", what, i, v.name, DataTypeName(dt), s.Name, s.SinceVersion)
		}
		return nil
	}
	for i, v := range n.inputs {
		f, ok := s.InputFormal(i)
		if !ok {
			continue
		}
		if err := check(f, v, "input", i); err != nil {
			return err
		}
	}
	for i, v := range n.outputs {
		f, ok := s.OutputFormal(i)
		if !ok {
			continue
		}
		if err := check(f, v, "output", i); err != nil {
			return err
		}
	}
	// Required formals beyond the node's slots.
	for i := len(n.inputs); i < len(s.Inputs); i++ {
		if s.Inputs[i].Option == opschema.Single {
			return fmt.Errorf("input %d (%s) is required by %s-%d", i, s.Inputs[i].Name, s.Name, s.SinceVersion)
		}
	}
	return nil
}
