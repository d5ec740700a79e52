package view

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
)

// maxConstShown is the most elements of a constant the side panel shows
// (and lets change).
const maxConstShown = 16

// Attr is one attribute of a node as the side panel shows it.
type Attr struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Text     string `json:"text"`     // the value as the modify command reads it ("0,2,3,1")
	Editable bool   `json:"editable"` // numbers, text and lists of them
}

// Port is one input or output of a node, or a graph input or output.
type Port struct {
	Slot        string `json:"slot"` // the formal name (X, W) or index
	Name        string `json:"name"`
	Type        string `json:"type"`
	Why         string `json:"why,omitempty"`   // why the type is not complete
	Init        string `json:"init,omitempty"`  // an initializer's type, shape and size
	Const       string `json:"const,omitempty"` // a small constant's values, as modify reads them
	GraphInput  bool   `json:"graphInput,omitempty"`
	GraphOutput bool   `json:"graphOutput,omitempty"`
	Main        bool   `json:"main,omitempty"` // the value is in the main graph
	Producer    string `json:"producer,omitempty"`
	Readers     int    `json:"readers"`
}

// Details is what the side panel shows of a box.
type Details struct {
	Key       string   `json:"key"`
	Kind      string   `json:"kind"`
	Name      string   `json:"name"`
	Op        string   `json:"op,omitempty"`
	Domain    string   `json:"domain,omitempty"`
	Graph     string   `json:"graph"`
	Doc       string   `json:"doc,omitempty"`
	Ancestors []string `json:"ancestors"`
	Attrs     []Attr   `json:"attrs,omitempty"`
	Inputs    []Port   `json:"inputs,omitempty"`
	Outputs   []Port   `json:"outputs,omitempty"`
	Nodes     int      `json:"nodes,omitempty"`
	Ops       string   `json:"ops,omitempty"`
}

// Details describes the box called key.
func (s *Session) Details(key string) (*Details, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.loadErr != nil {
		return nil, s.loadErr
	}
	it := s.cur.tree.byKey[key]
	if it == nil || it == s.cur.tree.root {
		return nil, fmt.Errorf("view: no box %q (the model changed?)", key)
	}
	return s.cur.details(it), nil
}

func (s *state) details(it *item) *Details {
	d := &Details{Key: it.key, Kind: it.kind.String(), Name: fullName(it), Ancestors: ancestors(it), Nodes: it.nodes}
	switch it.kind {
	case kindNode:
		n := it.node
		d.Op, d.Domain, d.Graph = n.OpType(), n.Domain(), n.Graph().Name()
		d.Doc = n.Proto().GetDocString()
		for _, a := range n.Attrs() {
			text, ok := attrText(a)
			d.Attrs = append(d.Attrs, Attr{Name: a.GetName(), Type: a.GetType().String(), Text: text, Editable: ok})
		}
		for i, v := range n.Inputs() {
			p := s.port(v)
			p.Slot = s.formal(n, i)
			d.Inputs = append(d.Inputs, p)
		}
		for i, v := range n.Outputs() {
			p := s.port(v)
			p.Slot = strconv.Itoa(i)
			d.Outputs = append(d.Outputs, p)
		}
	case kindInput, kindOutput:
		p := s.port(it.value)
		p.Slot = it.kind.String()
		d.Graph = it.value.Graph().Name()
		if it.kind == kindInput {
			d.Outputs = []Port{p}
		} else {
			d.Inputs = []Port{p}
		}
	default:
		d.Ops = topOps(it)
	}
	return d
}

// port describes a value.
func (s *state) port(v *onnxgraph.Value) Port {
	if v == nil {
		return Port{Name: "", Type: "(absent)"}
	}
	p := Port{Name: v.Name(), Type: s.typeText(v), Why: s.why(v), GraphInput: v.IsGraphInput(), GraphOutput: v.IsGraphOutput(),
		Main: v.Graph() == s.m.Graph(), Readers: v.NumUses()}
	if pr, _ := v.Producer(); pr != nil {
		p.Producer = pr.Name()
	}
	if t := v.Initializer(); t != nil {
		p.Init = onnxgraph.DataTypeName(t.DataType()) + "⟨" + dimsText(t.Dims()) + "⟩ " + onnxgraph.FormatBytes(max(t.NumBytes(), 0))
		p.Const = constText(t)
	} else if pr, _ := v.Producer(); pr != nil && pr.OpType() == "Constant" && pr.Domain() == "" {
		for _, a := range pr.Attrs() {
			if a.GetT() != nil {
				p.Const = constText(s.m.TensorOf(a.GetT()))
			}
		}
	}
	return p
}

// constText renders a small numeric constant as "1,2,3" ("" when it is
// big, external or not numeric).
func constText(t *onnxgraph.Tensor) string {
	if t.IsExternal() || onnxgraph.NumElements(t.Dims()) > maxConstShown || t.DataType() == onnxgraph.String {
		return ""
	}
	vals, err := t.Values()
	if err != nil {
		return ""
	}
	rv := reflect.ValueOf(vals)
	if rv.Kind() != reflect.Slice {
		return ""
	}
	parts := make([]string, rv.Len())
	for i := range parts {
		e := rv.Index(i)
		switch e.Kind() {
		case reflect.Float32:
			parts[i] = strconv.FormatFloat(e.Float(), 'g', -1, 32)
		case reflect.Float64:
			parts[i] = strconv.FormatFloat(e.Float(), 'g', -1, 64)
		case reflect.Bool:
			parts[i] = strconv.FormatBool(e.Bool())
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			parts[i] = strconv.FormatInt(e.Int(), 10)
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			parts[i] = strconv.FormatUint(e.Uint(), 10)
		default:
			return ""
		}
	}
	return strings.Join(parts, ",")
}

// attrText renders an attribute as the modify command reads it; ok is
// false for kinds the page does not edit (tensors, graphs).
func attrText(a *onnxproto.AttributeProto) (string, bool) {
	f32 := func(f float32) string { return strconv.FormatFloat(float64(f), 'g', -1, 32) }
	switch a.GetType() {
	case onnxproto.AttributeProto_INT:
		return strconv.FormatInt(a.GetI(), 10), true
	case onnxproto.AttributeProto_FLOAT:
		return f32(a.GetF()), true
	case onnxproto.AttributeProto_STRING:
		return string(a.GetS()), true
	case onnxproto.AttributeProto_INTS:
		parts := make([]string, len(a.GetInts()))
		for i, x := range a.GetInts() {
			parts[i] = strconv.FormatInt(x, 10)
		}
		return strings.Join(parts, ","), true
	case onnxproto.AttributeProto_FLOATS:
		parts := make([]string, len(a.GetFloats()))
		for i, x := range a.GetFloats() {
			parts[i] = f32(x)
		}
		return strings.Join(parts, ","), true
	case onnxproto.AttributeProto_STRINGS:
		parts := make([]string, len(a.GetStrings()))
		for i, x := range a.GetStrings() {
			parts[i] = string(x)
		}
		return strings.Join(parts, ","), true
	case onnxproto.AttributeProto_TENSOR:
		t := a.GetT()
		return onnxgraph.DataTypeName(onnxgraph.DataType(t.GetDataType())) + "⟨" + dimsText(t.GetDims()) + "⟩", false
	case onnxproto.AttributeProto_GRAPH:
		return "graph " + a.GetG().GetName(), false
	}
	return a.GetType().String(), false
}

// Hit is one search result.
type Hit struct {
	Kind      string   `json:"kind"` // "node" or "value"
	Name      string   `json:"name"`
	Op        string   `json:"op,omitempty"`
	Key       string   `json:"key"` // the box to show: the node, or the value's producer
	Ancestors []string `json:"ancestors"`
}

// maxHits bounds a search's results.
const maxHits = 100

// Search finds nodes and values whose names contain q (case-insensitive),
// and nodes of operator op when op is set; values are found only when no
// op is given. It returns at most maxHits hits, nodes first, and whether
// there were more.
func (s *Session) Search(q, op string) ([]Hit, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.loadErr != nil {
		return nil, false, s.loadErr
	}
	if q == "" && op == "" {
		return nil, false, errors.New("view: search needs text or an operator")
	}
	lq := strings.ToLower(q)
	var hits []Hit
	more := false
	add := func(h Hit, it *item) bool {
		if it == nil {
			return true
		}
		if len(hits) == maxHits {
			more = true
			return false
		}
		h.Key, h.Ancestors = it.key, ancestors(it)
		hits = append(hits, h)
		return true
	}
	t := s.cur.tree
	s.cur.m.Graph().Walk(func(g *onnxgraph.Graph) bool {
		for _, n := range g.Nodes() {
			if (op == "" || n.OpType() == op) && (lq == "" || strings.Contains(strings.ToLower(n.Name()), lq)) {
				if !add(Hit{Kind: "node", Name: n.Name(), Op: n.OpType()}, t.byNode[n]) {
					return false
				}
			}
		}
		return true
	})
	if op == "" && !more {
		s.cur.m.Graph().Walk(func(g *onnxgraph.Graph) bool {
			for _, v := range g.Values() {
				if !strings.Contains(strings.ToLower(v.Name()), lq) {
					continue
				}
				var it *item
				if p, _ := v.Producer(); p != nil {
					it = t.byNode[p]
				} else if x := t.inputs[v]; x != nil {
					it = x
				} else if us := v.Uses(); len(us) > 0 {
					it = t.byNode[us[0].Node]
				}
				if !add(Hit{Kind: "value", Name: v.Name()}, it) {
					return false
				}
			}
			return true
		})
	}
	return hits, more, nil
}
