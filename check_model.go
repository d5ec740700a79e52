package onnxgraph

import (
	"fmt"
	"math"
	"strings"

	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/opschema"
)

// maxKnownIR is the newest IR version whose features the checker knows.
const maxKnownIR = 13

// checker holds the state of one Validate run.
type checker struct {
	m    *Model
	opts CheckOptions
	r    *Report
	ir   int64 // the model's ir_version; <= 0 when missing

	modelOpsets opsetMap
	funcs       map[funcID]*Function
	funcAttrs   map[*Function]map[string]bool
	schemas     map[schemaKey]*opschema.Schema // lookups, nil when not found
	irReported  map[string]bool                // IR features reported once
	typeBuf     []typeBinding                  // reused by node type checks
	customSeen  map[[2]string]bool             // custom operators noted
	missingSeen map[missingKey]bool            // domains reported as not imported
}

// opsetMap maps a canonical domain (opschema.NormalizeDomain) to the
// version imported.
type opsetMap map[string]int64

type funcID struct{ domain, name, overload string }

type schemaKey struct {
	domain, op string
	opset      int64
}

func newChecker(m *Model, opts *CheckOptions) *checker {
	c := &checker{m: m, r: &Report{}}
	if opts != nil {
		c.opts = *opts
	}
	c.schemas = map[schemaKey]*opschema.Schema{}
	c.irReported = map[string]bool{}
	c.funcs = map[funcID]*Function{}
	c.funcAttrs = map[*Function]map[string]bool{}
	c.customSeen = map[[2]string]bool{}
	c.missingSeen = map[missingKey]bool{}
	return c
}

// problem is a Problem under construction: where it is.
type where struct {
	s    *scope // nil for the model
	n    *Node  // nil when not about a node
	idx  int    // n's index
	name string // the culprit
}

func (c *checker) add(sev Severity, rule Rule, w where, format string, args ...any) {
	if sev == SeverityError {
		c.r.Errors++
	} else {
		c.r.Notes++
	}
	if c.opts.MaxProblems > 0 && len(c.r.Problems) >= c.opts.MaxProblems {
		c.r.Truncated++
		return
	}
	p := Problem{Severity: sev, Rule: rule, NodeIndex: -1, Name: w.name, Message: fmt.Sprintf(format, args...)}
	if w.s != nil {
		p.Graph = w.s.path
	}
	if w.n != nil {
		p.Node, p.OpType, p.NodeIndex = w.n.Name(), w.n.OpType(), w.idx
	}
	c.r.Problems = append(c.r.Problems, p)
}

func (c *checker) errorf(rule Rule, w where, format string, args ...any) {
	c.add(SeverityError, rule, w, format, args...)
}

func (c *checker) notef(rule Rule, w where, format string, args ...any) {
	c.add(SeverityNote, rule, w, format, args...)
}

// model checks the model's own fields, its main graph and its functions.
func (c *checker) model() {
	m := c.m
	if m.graph == nil || m.p == nil {
		msg := "the model has no graph"
		if m.err != nil {
			msg = "the model failed to load: " + trimPrefix(m.err)
		}
		c.errorf(RuleNoGraph, where{}, "%s", msg)
		return
	}
	p := m.p
	c.ir = p.GetIrVersion()
	switch {
	case p.IrVersion == nil:
		c.errorf(RuleIRVersion, where{name: "ir_version"}, "ir_version is not set")
	case c.ir <= 0:
		c.errorf(RuleIRVersion, where{name: "ir_version"}, "ir_version %d is not positive", c.ir)
	case c.ir > maxKnownIR:
		c.notef(RuleIRVersionNewer, where{name: "ir_version"}, "ir_version %d is newer than %d, the newest this checker knows; newer features are not checked", c.ir, maxKnownIR)
	}
	keys := make(map[string]bool, len(p.GetMetadataProps()))
	for _, kv := range p.GetMetadataProps() {
		if keys[kv.GetKey()] {
			c.errorf(RuleDuplicateMetadata, where{name: kv.GetKey()}, "metadata_props key %q appears more than once", kv.GetKey())
		}
		keys[kv.GetKey()] = true
	}
	c.modelOpsets = c.opsets(nil, p.GetOpsetImport(), "model")
	if c.ir > 0 && c.ir < 3 {
		if len(p.GetOpsetImport()) > 0 {
			c.needIR(where{name: "opset_import"}, "opset_import", 3)
		} else {
			c.modelOpsets = opsetMap{opschema.DomainONNX: 1}
		}
	} else if len(p.GetOpsetImport()) == 0 {
		c.errorf(RuleNoOpsetImport, where{name: "opset_import"}, "the model imports no operator set (opset_import is empty)")
	}
	if len(p.GetTrainingInfo()) > 0 {
		c.needIR(where{name: "training_info"}, "training_info", 7)
	}
	if len(m.funcs) > 0 {
		c.needIR(where{name: "functions"}, "model-local functions", 8)
	}
	if len(p.GetConfiguration()) > 0 {
		c.needIR(where{name: "configuration"}, "device configurations", 11)
	}
	for _, f := range m.funcs {
		id := funcID{opschema.NormalizeDomain(f.Domain()), f.Name(), f.Overload()}
		if _, dup := c.funcs[id]; dup {
			c.errorf(RuleDuplicateFunction, where{s: funcScope(f), name: f.Name()}, "function %s is defined more than once", funcLabel(f))
			continue
		}
		c.funcs[id] = f
	}

	if m.graph.p == nil {
		c.errorf(RuleNoGraph, where{name: "graph"}, "the model has no graph")
	} else {
		c.graph(&scope{g: m.graph, path: "main", opsets: c.modelOpsets})
	}
	for _, f := range m.funcs {
		c.function(f)
	}
	c.functionCycles()
}

// opsets reads opset imports, reporting duplicates and bad versions. s is
// nil for the model's imports.
func (c *checker) opsets(s *scope, imports []*onnxproto.OperatorSetIdProto, owner string) opsetMap {
	out := make(opsetMap, len(imports))
	for _, o := range imports {
		d := opschema.NormalizeDomain(o.GetDomain())
		w := where{s: s, name: o.GetDomain()}
		if _, dup := out[d]; dup {
			c.errorf(RuleDuplicateOpset, w, "%s imports domain %q more than once", owner, displayDomain(d))
			continue
		}
		v := o.GetVersion()
		if v < 1 || v > math.MaxInt32 {
			c.errorf(RuleOpsetVersion, w, "%s imports domain %q at version %d, not a positive 32-bit integer", owner, displayDomain(d), v)
		} else if mx := opschema.MaxOpset(d); mx > 0 && v > int64(mx) {
			c.notef(RuleOpsetNewer, w, "%s imports domain %q at version %d; the newest schemas known are of version %d", owner, displayDomain(d), v, mx)
		}
		out[d] = v
	}
	return out
}

func displayDomain(d string) string {
	if d == opschema.DomainONNX {
		return "ai.onnx"
	}
	return d
}

// needIR reports feature when the model's IR version is below min. Each
// feature is reported once, where it is first seen.
func (c *checker) needIR(w where, feature string, min int64) {
	if c.ir <= 0 || c.ir >= min || c.irReported[feature] {
		return
	}
	c.irReported[feature] = true
	c.errorf(RuleIRFeature, w, "%s need IR version %d, the model declares ir_version %d", feature, min, c.ir)
}

// elemTypeIR is the IR version that introduced each element type.
func elemTypeIR(dt int32) (int64, string) {
	switch onnxproto.TensorProto_DataType(dt) {
	case onnxproto.TensorProto_BFLOAT16:
		return 4, "bfloat16 tensors"
	case onnxproto.TensorProto_FLOAT8E4M3FN, onnxproto.TensorProto_FLOAT8E4M3FNUZ,
		onnxproto.TensorProto_FLOAT8E5M2, onnxproto.TensorProto_FLOAT8E5M2FNUZ:
		return 9, strings.ToLower(onnxproto.TensorProto_DataType(dt).String()) + " tensors"
	case onnxproto.TensorProto_INT4, onnxproto.TensorProto_UINT4:
		return 10, strings.ToLower(onnxproto.TensorProto_DataType(dt).String()) + " tensors"
	case onnxproto.TensorProto_FLOAT4E2M1:
		return 11, "float4e2m1 tensors"
	case onnxproto.TensorProto_FLOAT8E8M0:
		return 12, "float8e8m0 tensors"
	case onnxproto.TensorProto_INT2, onnxproto.TensorProto_UINT2:
		return 13, strings.ToLower(onnxproto.TensorProto_DataType(dt).String()) + " tensors"
	}
	return 1, ""
}

func (c *checker) needElemIR(w where, dt int32) {
	if min, feature := elemTypeIR(dt); min > 1 {
		c.needIR(w, feature, min)
	}
}

// knownDataType reports whether dt is a defined element type other than
// UNDEFINED.
func knownDataType(dt int32) bool {
	_, ok := onnxproto.TensorProto_DataType_name[dt]
	return ok && dt != 0
}

func funcLabel(f *Function) string {
	s := f.Domain() + "." + f.Name()
	if f.Overload() != "" {
		s += ":" + f.Overload()
	}
	return quote(s)
}

func funcScope(f *Function) *scope {
	path := "function:" + f.Domain() + "." + f.Name()
	if f.Overload() != "" {
		path += ":" + f.Overload()
	}
	return &scope{g: f.body, path: path, fn: f}
}

// function checks a model-local function: its signature, imports and body.
func (c *checker) function(f *Function) {
	s := funcScope(f)
	p := f.p
	w := where{s: s, name: f.Name()}
	if f.Name() == "" {
		c.errorf(RuleFunctionName, w, "a function has no name")
	}
	if c.ir >= 8 && p.Domain == nil {
		c.errorf(RuleFunctionName, w, "function %s has no domain field", funcLabel(f))
	}
	if len(p.GetAttributeProto()) > 0 {
		c.needIR(w, "function attribute defaults (attribute_proto)", 9)
	}
	if p.Overload != nil {
		c.needIR(w, "function overloads", 10)
	}
	if len(f.body.valueInfo) > 0 {
		c.needIR(w, "function value_info", 10)
	}
	if len(p.GetMetadataProps()) > 0 {
		c.needIR(w, "function metadata_props", 10)
	}
	s.opsets = c.opsets(s, p.GetOpsetImport(), "function "+funcLabel(f))
	attrs := map[string]bool{}
	for _, a := range p.GetAttribute() {
		if attrs[a] {
			c.errorf(RuleDuplicateAttr, where{s: s, name: a}, "function %s declares attribute %q more than once", funcLabel(f), a)
		}
		attrs[a] = true
	}
	for _, a := range p.GetAttributeProto() {
		if attrs[a.GetName()] {
			c.errorf(RuleDuplicateAttr, where{s: s, name: a.GetName()}, "function %s declares attribute %q more than once", funcLabel(f), a.GetName())
		}
		attrs[a.GetName()] = true
	}
	c.funcAttrs[f] = attrs
	seen := map[*Value]bool{}
	for _, v := range f.body.outputs {
		if v != nil && seen[v] {
			c.errorf(RuleDuplicateOutput, where{s: s, name: v.name}, "function %s lists output %q more than once", funcLabel(f), v.name)
		}
		seen[v] = true
	}
	c.graph(s)
}

// functionCycles reports model-local functions that call each other in a
// cycle.
func (c *checker) functionCycles() {
	if len(c.funcs) == 0 {
		return
	}
	calls := map[*Function][]*Function{}
	for _, f := range c.m.funcs {
		if c.funcs[funcID{opschema.NormalizeDomain(f.Domain()), f.Name(), f.Overload()}] != f {
			continue
		}
		var out []*Function
		f.body.Walk(func(g *Graph) bool {
			for _, n := range g.nodes {
				if callee := c.funcs[funcID{opschema.NormalizeDomain(n.Domain()), n.OpType(), n.p.GetOverload()}]; callee != nil {
					out = append(out, callee)
				}
			}
			return true
		})
		calls[f] = out
	}
	const (
		white = iota
		grey
		black
	)
	color := map[*Function]int{}
	var path []*Function
	var visit func(f *Function) bool
	visit = func(f *Function) bool {
		color[f] = grey
		path = append(path, f)
		for _, g := range calls[f] {
			switch color[g] {
			case grey:
				var names []string
				start := 0
				for i, x := range path {
					if x == g {
						start = i
					}
				}
				for _, x := range path[start:] {
					names = append(names, funcLabel(x))
				}
				names = append(names, funcLabel(g))
				c.errorf(RuleRecursiveFunction, where{s: funcScope(g), name: g.Name()}, "functions call each other in a cycle: %s", strings.Join(names, " -> "))
				return false
			case white:
				if !visit(g) {
					return false
				}
			}
		}
		color[f] = black
		path = path[:len(path)-1]
		return true
	}
	for _, f := range c.m.funcs {
		if _, ok := calls[f]; ok && color[f] == white {
			path = path[:0]
			if !visit(f) {
				return // one cycle is enough to name
			}
		}
	}
}

// lookup returns the schema of op in domain at opset, cached.
func (c *checker) lookup(domain, op string, opset int64) *opschema.Schema {
	k := schemaKey{domain, op, opset}
	if s, ok := c.schemas[k]; ok {
		return s
	}
	var s *opschema.Schema
	if opset > 0 && opset <= math.MaxInt32 {
		s, _ = opschema.Lookup(domain, op, int(opset))
	}
	c.schemas[k] = s
	return s
}

// standardDomain reports whether unknown operators of domain d (canonical)
// are errors: the ONNX domains whose operators all have schemas.
func standardDomain(d string) bool {
	return opschema.StandardDomain(d) || d == "ai.onnx.training"
}

// experimentalOps are the experimental operators removed from ONNX that
// onnx.checker lets through with a warning.
var experimentalOps = map[string]bool{
	"ATen": true, "Affine": true, "ConstantFill": true, "Crop": true, "DynamicSlice": true,
	"GRUUnit": true, "GivenTensorFill": true, "ImageScaler": true, "ParametricSoftplus": true,
	"Scale": true, "ScaledTanh": true,
}
