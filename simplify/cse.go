package simplify

import (
	"math"
	"strconv"
	"strings"

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
	var sb strings.Builder
	for _, n := range order {
		if s.skipped(n) || n.NumOutputs() == 0 || len(n.Subgraphs()) > 0 {
			continue
		}
		if opschema.NormalizeDomain(n.Domain()) == opschema.DomainONNX && neverFolded[n.OpType()] {
			continue
		}
		k, ok := cseKey(&sb, n, ids)
		if !ok {
			continue
		}
		first, dup := seen[k]
		if !dup {
			seen[k] = n
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

// cseKey describes what n computes: operator, attributes, inputs (by
// identity) and which outputs it has.
func cseKey(sb *strings.Builder, n *onnxgraph.Node, ids map[*onnxgraph.Value]int) (string, bool) {
	sb.Reset()
	sb.WriteString(opschema.NormalizeDomain(n.Domain()))
	sb.WriteByte(0)
	sb.WriteString(n.OpType())
	sb.WriteByte(0)
	sb.WriteString(n.Proto().GetOverload())
	sb.WriteByte(0)
	for i := range n.NumInputs() {
		v := n.Input(i)
		id := 0
		if v != nil {
			var ok bool
			if id, ok = ids[v]; !ok {
				id = len(ids) + 1
				ids[v] = id
			}
		}
		sb.WriteString(strconv.Itoa(id))
		sb.WriteByte(',')
	}
	sb.WriteByte(0)
	for i := range n.NumOutputs() {
		if n.Output(i) == nil {
			sb.WriteByte('-')
		} else {
			sb.WriteByte('+')
		}
	}
	sb.WriteByte(0)
	for _, a := range n.Attrs() {
		if !attrKey(sb, a) {
			b, err := proto.MarshalOptions{Deterministic: true}.Marshal(a)
			if err != nil {
				return "", false
			}
			sb.Write(b)
		}
		sb.WriteByte(0)
	}
	return sb.String(), true
}

// attrKey writes the common kinds of attribute (numbers, strings, lists
// of them) as text; it reports false for the others, which go as bytes.
func attrKey(sb *strings.Builder, a *onnxproto.AttributeProto) bool {
	if a.GetRefAttrName() != "" || a.GetDocString() != "" || len(a.ProtoReflect().GetUnknown()) > 0 {
		return false
	}
	sb.WriteString(a.GetName())
	sb.WriteByte('=')
	switch a.GetType() {
	case onnxproto.AttributeProto_INT:
		sb.WriteString("i" + strconv.FormatInt(a.GetI(), 10))
	case onnxproto.AttributeProto_FLOAT:
		sb.WriteString("f" + strconv.FormatUint(uint64(math.Float32bits(a.GetF())), 16))
	case onnxproto.AttributeProto_STRING:
		sb.WriteString("s" + strconv.Quote(string(a.GetS())))
	case onnxproto.AttributeProto_INTS:
		sb.WriteString("I")
		for _, x := range a.Ints {
			sb.WriteString(strconv.FormatInt(x, 10))
			sb.WriteByte(',')
		}
	case onnxproto.AttributeProto_FLOATS:
		sb.WriteString("F")
		for _, x := range a.Floats {
			sb.WriteString(strconv.FormatUint(uint64(math.Float32bits(x)), 16))
			sb.WriteByte(',')
		}
	default:
		sb.WriteByte('#')
		return false
	}
	return true
}
