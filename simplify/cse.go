package simplify

import (
	"math"
	"strconv"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/opschema"
	"google.golang.org/protobuf/proto"
)

// csePass shares nodes that compute the same thing: the same operator,
// attributes and inputs. The later node's readers read the earlier one's
// outputs. Nodes holding subgraphs and random operators are left alone.
func (s *state) csePass(g *onnxgraph.Graph) (int, error) {
	order := g.Nodes()
	e := s.edit(g)
	ids := make(map[*onnxgraph.Value]int, 2*len(order))
	seen := make(map[string]*onnxgraph.Node, len(order))
	var buf []byte
	for _, n := range order {
		if s.skipped(n) || n.NumOutputs() == 0 || len(n.Subgraphs()) > 0 {
			continue
		}
		if opschema.NormalizeDomain(n.Domain()) == opschema.DomainONNX && neverFolded[n.OpType()] {
			continue
		}
		var ok bool
		if buf, ok = cseKey(buf[:0], n, ids); !ok {
			continue
		}
		first, dup := seen[string(buf)]
		if !dup {
			seen[string(buf)] = n
			continue
		}
		same := true
		for i, v := range n.Outputs() {
			if v != nil && (first.Output(i) == nil || !e.replaceable(v, first.Output(i))) {
				same = false
			}
		}
		if !same {
			continue
		}
		for i, v := range n.Outputs() {
			if v != nil {
				e.replace(v, first.Output(i))
			}
		}
		e.kill(n)
	}
	return e.flush()
}

// cseKey appends to buf what n computes: operator, attributes, inputs
// (by identity) and which outputs it has. The caller looks the key up
// without copying it (a map index by string(buf) does not allocate).
func cseKey(buf []byte, n *onnxgraph.Node, ids map[*onnxgraph.Value]int) ([]byte, bool) {
	buf = append(buf, opschema.NormalizeDomain(n.Domain())...)
	buf = append(buf, 0)
	buf = append(buf, n.OpType()...)
	buf = append(buf, 0)
	buf = append(buf, n.Proto().GetOverload()...)
	buf = append(buf, 0)
	for _, v := range n.AllInputs() {
		id := 0
		if v != nil {
			var ok bool
			if id, ok = ids[v]; !ok {
				id = len(ids) + 1
				ids[v] = id
			}
		}
		buf = strconv.AppendInt(buf, int64(id), 10)
		buf = append(buf, ',')
	}
	buf = append(buf, 0)
	for _, v := range n.AllOutputs() {
		if v == nil {
			buf = append(buf, '-')
		} else {
			buf = append(buf, '+')
		}
	}
	buf = append(buf, 0)
	for _, a := range n.Attrs() {
		var ok bool
		if buf, ok = attrKey(buf, a); !ok {
			b, err := proto.MarshalOptions{Deterministic: true}.Marshal(a)
			if err != nil {
				return buf, false
			}
			buf = append(buf, b...)
		}
		buf = append(buf, 0)
	}
	return buf, true
}

// attrKey appends the common kinds of attribute (numbers, strings, lists
// of them) as text; it reports false for the others, which go as bytes.
func attrKey(buf []byte, a *onnxproto.AttributeProto) ([]byte, bool) {
	if a.GetRefAttrName() != "" || a.GetDocString() != "" || len(a.ProtoReflect().GetUnknown()) > 0 {
		return buf, false
	}
	buf = append(buf, a.GetName()...)
	buf = append(buf, '=')
	switch a.GetType() {
	case onnxproto.AttributeProto_INT:
		buf = append(buf, 'i')
		buf = strconv.AppendInt(buf, a.GetI(), 10)
	case onnxproto.AttributeProto_FLOAT:
		buf = append(buf, 'f')
		buf = strconv.AppendUint(buf, uint64(math.Float32bits(a.GetF())), 16)
	case onnxproto.AttributeProto_STRING:
		buf = append(buf, 's')
		buf = strconv.AppendQuote(buf, string(a.GetS()))
	case onnxproto.AttributeProto_INTS:
		buf = append(buf, 'I')
		for _, x := range a.Ints {
			buf = strconv.AppendInt(buf, x, 10)
			buf = append(buf, ',')
		}
	case onnxproto.AttributeProto_FLOATS:
		buf = append(buf, 'F')
		for _, x := range a.Floats {
			buf = strconv.AppendUint(buf, uint64(math.Float32bits(x)), 16)
			buf = append(buf, ',')
		}
	default:
		buf = append(buf, '#')
		return buf, false
	}
	return buf, true
}
