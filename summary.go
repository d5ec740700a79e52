package onnxgraph

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// Summary describes a model at a glance, as the seed tool ssc4onnx prints
// it: operators by type with counts and the parameter bytes their constant
// inputs hold, totals, inputs and outputs with types and shapes, and opsets.
type Summary struct {
	IRVersion     int64            `json:"ir_version"`
	Opsets        map[string]int64 `json:"opset_imports"`
	Producer      string           `json:"producer,omitempty"`
	Ops           []OpCount        `json:"ops"`
	TotalOps      int              `json:"total_ops"`
	Parameters    int64            `json:"total_parameters"`      // elements of all initializers and Constant values
	ParamBytes    int64            `json:"total_parameter_bytes"` // bytes those take as stored
	ModelBytes    int64            `json:"model_bytes,omitempty"` // the serialized size, when known
	Inputs        []ValueSummary   `json:"inputs"`
	Outputs       []ValueSummary   `json:"outputs"`
	Functions     int              `json:"functions,omitempty"`
	ExternalBytes int64            `json:"external_bytes,omitempty"` // parameter bytes held in external files
}

// OpCount is one row of Summary.Ops.
type OpCount struct {
	OpType     string `json:"op_type"` // with its domain as "domain:Op" outside the default domain
	Count      int    `json:"count"`
	ParamBytes int64  `json:"parameter_bytes"` // bytes of the initializers and Constant values it reads
}

// ValueSummary is a graph input or output.
type ValueSummary struct {
	Name  string `json:"name"`
	Type  string `json:"type"`  // e.g. "float32", "seq(tensor(int64))", "" when undeclared
	Shape string `json:"shape"` // e.g. "[N,3,224,224]", "" when unknown
}

// Summarize describes m. Ops count nodes in every graph, subgraphs and
// function bodies included; an initializer read by several op types counts
// toward each of them but once in the totals.
func (m *Model) Summarize() Summary {
	s := Summary{IRVersion: m.IRVersion(), Opsets: m.Opsets(), Producer: m.p.GetProducerName(), Functions: len(m.funcs)}
	byOp := map[string]*OpCount{}
	counted := map[*Value]bool{}
	visit := func(g *Graph) bool {
		for _, n := range g.nodes {
			key := n.OpType()
			if d := n.Domain(); !isDefaultDomain(d) {
				key = d + ":" + key
			}
			oc := byOp[key]
			if oc == nil {
				oc = &OpCount{OpType: key}
				byOp[key] = oc
			}
			oc.Count++
			s.TotalOps++
			seen := map[*Value]bool{}
			for _, v := range n.inputs {
				if v == nil || v.init == nil || seen[v] {
					continue
				}
				seen[v] = true
				oc.ParamBytes += max(m.tensor(v.init).NumBytes(), 0)
			}
			if n.OpType() == "Constant" && isDefaultDomain(n.Domain()) {
				for _, a := range n.p.Attribute {
					if a.T != nil {
						t := m.tensor(a.T)
						oc.ParamBytes += max(t.NumBytes(), 0)
						s.Parameters += max(NumElements(t.p.GetDims()), 0)
						s.ParamBytes += max(t.NumBytes(), 0)
					}
				}
			}
		}
		for _, v := range g.inits {
			if counted[v] {
				continue
			}
			counted[v] = true
			t := m.tensor(v.init)
			s.Parameters += max(NumElements(t.p.GetDims()), 0)
			s.ParamBytes += max(t.NumBytes(), 0)
			if t.IsExternal() {
				s.ExternalBytes += max(t.NumBytes(), 0)
			}
		}
		return true
	}
	if m.graph != nil {
		m.graph.Walk(visit)
		for _, v := range m.graph.inputs {
			if v.init == nil {
				s.Inputs = append(s.Inputs, summarizeValue(v))
			}
		}
		for _, v := range m.graph.outputs {
			s.Outputs = append(s.Outputs, summarizeValue(v))
		}
	}
	for _, f := range m.funcs {
		f.body.Walk(visit)
	}
	for _, oc := range byOp {
		s.Ops = append(s.Ops, *oc)
	}
	slices.SortFunc(s.Ops, func(a, b OpCount) int { return cmp.Compare(a.OpType, b.OpType) })
	return s
}

func summarizeValue(v *Value) ValueSummary {
	vs := ValueSummary{Name: v.name}
	t := v.Type()
	if t == nil {
		return vs
	}
	vs.Type = TypeString(t)
	if dims, names, ok := v.Shape(); ok && t.GetTensorType() != nil {
		parts := make([]string, len(dims))
		for i, d := range dims {
			switch {
			case d >= 0:
				parts[i] = strconv.FormatInt(d, 10)
			case names[i] != "":
				parts[i] = names[i]
			default:
				parts[i] = "?"
			}
		}
		vs.Shape = "[" + strings.Join(parts, ",") + "]"
	}
	return vs
}
