package simplify

import (
	"fmt"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/opschema"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
)

// A rule rewrites one node of one operator version: it removes a no-op,
// merges it with the node before, or fuses it into one. It returns
// whether it changed anything; a rule that cannot apply changes nothing.
type rule struct {
	pass string
	fn   func(c *rctx) bool
}

// key identifies an operator version: normalized domain, op type,
// since-version.
type key struct {
	domain string
	op     string
	since  int
}

// table holds every rule, keyed by operator version. Each family file
// holds its part as an explicit literal; TestTable checks it against
// package opschema: every entry is a real version, and every later version
// of an operator with rules has them too (so a new version is reviewed
// before its nodes are rewritten).
var table = merge(identityTable, castTable, reshapeTable, dataTable, arithTable, fuseTable)

func merge(parts ...map[key][]rule) map[key][]rule {
	out := map[key][]rule{}
	for _, p := range parts {
		for k, rs := range p {
			out[k] = append(out[k], rs...)
		}
	}
	return out
}

// versions returns keys for op of the default domain at each
// since-version.
func versions(op string, since ...int) []key {
	out := make([]key, len(since))
	for i, s := range since {
		out[i] = key{opschema.DomainONNX, op, s}
	}
	return out
}

// rules maps every key of kss to r.
func rules(pass string, fn func(c *rctx) bool, kss ...[]key) map[key][]rule {
	out := map[key][]rule{}
	for _, ks := range kss {
		for _, k := range ks {
			out[k] = append(out[k], rule{pass, fn})
		}
	}
	return out
}

// opset returns the version of domain that g's nodes use: the model's
// import, or in a function body the function's.
func (s *state) opset(g *onnxgraph.Graph, domain string) (int, bool) {
	r := root(g)
	if f := r.Function(); f != nil {
		want := opschema.NormalizeDomain(domain)
		for _, o := range f.Proto().GetOpsetImport() {
			if opschema.NormalizeDomain(o.GetDomain()) == want {
				return int(o.GetVersion()), true
			}
		}
		return 0, false
	}
	v, ok := s.m.Opset(domain)
	if !ok && opschema.NormalizeDomain(domain) == opschema.DomainONNX {
		v, ok = s.m.Opset(opschema.DomainONNX)
	}
	return int(v), ok
}

// schemaOf returns the schema of the version of n's operator in force.
func (s *state) schemaOf(n *onnxgraph.Node) *opschema.Schema {
	v, ok := s.opset(n.Graph(), n.Domain())
	if !ok {
		return nil
	}
	sch, ok := opschema.Lookup(opschema.NormalizeDomain(n.Domain()), n.OpType(), v)
	if !ok {
		return nil
	}
	return sch
}

// tablePass runs the rules of the given passes over g, node by node in
// order: a node's first rule that applies wins. It counts the changes of
// each pass in s.changes.
func tablePass(passes ...string) graphPass {
	return func(s *state, g *onnxgraph.Graph) (int, error) {
		on := map[string]bool{}
		for _, p := range passes {
			on[p] = true
		}
		e := s.edit(g)
		c := &rctx{s: s, e: e} // one for the sweep: rules do not keep it
		count := 0
		for _, n := range g.Nodes() {
			if e.isDead(n) || s.skipped(n) || hasRefAttr(n) {
				continue
			}
			sch := s.schemaOf(n)
			if sch == nil {
				continue
			}
			rs := table[key{opschema.NormalizeDomain(n.Domain()), n.OpType(), sch.SinceVersion}]
			c.n, c.since = n, sch.SinceVersion
			for _, r := range rs {
				if on[r.pass] && r.fn(c) {
					s.changes[r.pass]++
					count++
					break
				}
			}
		}
		_, err := e.flush()
		return count, err
	}
}

// hasRefAttr reports whether an attribute of n refers to an attribute of
// the function it is in: its value depends on the call.
func hasRefAttr(n *onnxgraph.Node) bool {
	for _, a := range n.Attrs() {
		if a.GetRefAttrName() != "" {
			return true
		}
	}
	return false
}

// rctx is a rule's view of its node.
type rctx struct {
	s     *state
	e     *editor
	n     *onnxgraph.Node
	since int
}

func (c *rctx) in(i int) *onnxgraph.Value  { return c.n.Input(i) }
func (c *rctx) out(i int) *onnxgraph.Value { return c.n.Output(i) }

func (c *rctx) typ(v *onnxgraph.Value) *shapeinfer.Type { return c.s.typeOf(v) }

// attrInt returns an INT attribute, or def.
func (c *rctx) attrInt(name string, def int64) int64 {
	if a := c.n.Attr(name); a != nil && a.GetType() == onnxproto.AttributeProto_INT {
		return a.GetI()
	}
	return def
}

// attrInts returns an INTS attribute and whether it is set.
func (c *rctx) attrInts(name string) ([]int64, bool) {
	if a := c.n.Attr(name); a != nil && a.GetType() == onnxproto.AttributeProto_INTS {
		return a.Ints, true
	}
	return nil, false
}

// attrFloat returns a FLOAT attribute, or def.
func (c *rctx) attrFloat(name string, def float32) float32 {
	if a := c.n.Attr(name); a != nil && a.GetType() == onnxproto.AttributeProto_FLOAT {
		return a.GetF()
	}
	return def
}

// unread reports whether output i is missing, or read by nothing and not
// a graph output.
func (c *rctx) unread(i int) bool {
	v := c.out(i)
	return v == nil || (v.NumUses() == 0 && !v.IsGraphOutput())
}

// producer returns the live node of the same graph that outputs v, with
// the output index.
func (c *rctx) producer(v *onnxgraph.Value) (*onnxgraph.Node, int) {
	if v == nil {
		return nil, 0
	}
	p, i := v.Producer()
	if p == nil || p.Graph() != c.n.Graph() || c.e.isDead(p) || c.s.skipped(p) || hasRefAttr(p) {
		return nil, 0
	}
	return p, i
}

// version returns the since-version of the operator version p runs, 0
// when unknown.
func (c *rctx) version(p *onnxgraph.Node) int {
	if sch := c.s.schemaOf(p); sch != nil {
		return sch.SinceVersion
	}
	return 0
}

// noop removes the node: its first output becomes w (every other output
// must be unread). It reports whether it did.
func (c *rctx) noop(w *onnxgraph.Value) bool {
	v := c.out(0)
	if v == nil || w == nil {
		return false
	}
	for i := 1; i < c.n.NumOutputs(); i++ {
		if !c.unread(i) {
			return false
		}
	}
	if !c.e.replaceable(v, w) {
		return false
	}
	c.e.replace(v, w)
	c.e.kill(c.n)
	return true
}

// String names a key in test messages.
func (k key) String() string { return fmt.Sprintf("%s:%s-%d", k.domain, k.op, k.since) }
