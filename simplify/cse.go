package simplify

import (
	"strconv"
	"strings"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/opschema"
	"google.golang.org/protobuf/proto"
)

// csePass shares nodes that compute the same thing: the same operator,
// attributes and inputs. The later node's readers read the earlier one's
// outputs. Nodes holding subgraphs and random operators are left alone.
func (s *state) csePass(g *onnxgraph.Graph) (int, error) {
	order, err := g.TopoOrder()
	if err != nil {
		return 0, err
	}
	e := s.edit(g)
	ids := map[*onnxgraph.Value]int{}
	seen := map[string]*onnxgraph.Node{}
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
	for _, v := range n.Inputs() {
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
	for _, v := range n.Outputs() {
		if v == nil {
			sb.WriteByte('-')
		} else {
			sb.WriteByte('+')
		}
	}
	sb.WriteByte(0)
	for _, a := range n.Attrs() {
		b, err := proto.MarshalOptions{Deterministic: true}.Marshal(a)
		if err != nil {
			return "", false
		}
		sb.Write(b)
		sb.WriteByte(0)
	}
	return sb.String(), true
}
