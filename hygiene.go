package onnxgraph

import (
	"strings"

	"github.com/onnxgraph/onnxgraph/onnxproto"
)

// NameNodesOptions controls NameNodes. The zero value names the unnamed
// nodes of the main graph, its subgraphs and the model-local functions as
// OpType_N.
type NameNodesOptions struct {
	// Prefix starts every new name, e.g. "sng_".
	Prefix string
	// SkipFunctions leaves the bodies of model-local functions alone.
	SkipFunctions bool
}

// NameNodesReport lists the names NameNodes gave.
type NameNodesReport struct {
	Named []Renamed // Old is always ""
}

// NameNodes gives every unnamed node a readable name made of its operator
// type and a counter, OpType_N (the seed tool sng4onnx), unique among all
// node names of the model, subgraphs and functions included. N counts per
// operator type from 0, skipping names already in use. Nodes are visited in
// a fixed order (each graph's nodes in order, then its subgraphs, then the
// functions), so the same model always gets the same names. Named nodes
// keep their names.
func (m *Model) NameNodes(opts *NameNodesOptions, report *NameNodesReport) *Model {
	return runStep(m, "NameNodes", opts, report, NameNodesModel)
}

// NameNodesModel is NameNodes in plain form.
func NameNodesModel(m *Model, opts *NameNodesOptions) (*NameNodesReport, error) {
	defer afterEdit(m)
	o := orZero(opts)
	var graphs []*Graph
	collect := func(g *Graph) bool { graphs = append(graphs, g); return true }
	if m.graph != nil {
		m.graph.Walk(collect)
	}
	if !o.SkipFunctions {
		for _, f := range m.funcs {
			f.body.Walk(collect)
		}
	}
	used := map[string]bool{}
	m.allGraphs(func(g *Graph) bool {
		for _, n := range g.nodes {
			used[n.Name()] = true
		}
		return true
	})
	next := map[string]int{}
	r := &NameNodesReport{}
	for _, g := range graphs {
		for _, n := range g.nodes {
			if n.Name() != "" {
				continue
			}
			base := o.Prefix + n.OpType()
			if base == "" {
				base = "node"
			}
			k := next[base]
			for used[base+"_"+itoa(k)] {
				k++
			}
			name := base + "_" + itoa(k)
			next[base] = k + 1
			used[name] = true
			n.SetName(name)
			r.Named = append(r.Named, Renamed{Graph: g.Name(), New: name})
		}
	}
	return r, nil
}

// DocKind selects the doc strings StripDocs erases.
type DocKind uint8

// Kinds of doc strings; combine them with |.
const (
	DocModel  DocKind = 1 << iota // the model's
	DocGraphs                     // graphs' and model-local functions'
	DocNodes                      // nodes' and their attributes'
	DocValues                     // graph inputs', outputs', value_info entries' and tensors' (initializers, Constant values)
	DocAll    = DocModel | DocGraphs | DocNodes | DocValues
)

// ParseDocKinds reads a comma-separated list of kinds: model, graph(s),
// node(s), value(s), all.
func ParseDocKinds(s string) (DocKind, error) {
	var k DocKind
	for _, p := range strings.Split(s, ",") {
		switch strings.TrimSpace(p) {
		case "model":
			k |= DocModel
		case "graph", "graphs":
			k |= DocGraphs
		case "node", "nodes":
			k |= DocNodes
		case "value", "values":
			k |= DocValues
		case "all":
			k |= DocAll
		case "":
		default:
			return 0, errorf(ErrInvalid, "unknown doc string kind %q (model, graphs, nodes, values, all)", p)
		}
	}
	return k, nil
}

// StripDocsOptions controls StripDocs. The zero value erases every doc
// string.
type StripDocsOptions struct {
	Kinds DocKind // which doc strings go; 0 means DocAll
}

// StripDocsReport counts the doc strings StripDocs erased and their bytes.
type StripDocsReport struct {
	Model, Graphs, Nodes, Values int
	Bytes                        int64
}

// StripDocs erases doc strings (the seed tool sde4onnx, which only
// handled top-level nodes): the model's, graphs' (subgraphs and function
// bodies included), nodes' and attributes', and those of values (graph
// inputs, outputs, value_info entries, initializers and Constant tensors).
// Options choose which. Doc strings of training-info graphs stay.
func (m *Model) StripDocs(opts *StripDocsOptions, report *StripDocsReport) *Model {
	return runStep(m, "StripDocs", opts, report, StripDocsModel)
}

// StripDocsModel is StripDocs in plain form.
func StripDocsModel(m *Model, opts *StripDocsOptions) (*StripDocsReport, error) {
	defer afterEdit(m)
	k := DocAll
	if opts != nil && opts.Kinds != 0 {
		k = opts.Kinds
	}
	r := &StripDocsReport{}
	strip := func(p **string, count *int) {
		if *p != nil {
			if len(**p) > 0 {
				*count++
			}
			r.Bytes += int64(len(**p))
			*p = nil
		}
	}
	if k&DocModel != 0 && m.p != nil {
		strip(&m.p.DocString, &r.Model)
	}
	if k&DocGraphs != 0 {
		for _, f := range m.funcs {
			strip(&f.p.DocString, &r.Graphs)
		}
	}
	// Tensors are shared and immutable: replace those with a doc string.
	bare := func(t *onnxproto.TensorProto) *onnxproto.TensorProto {
		if t == nil || t.DocString == nil {
			return t
		}
		if len(t.GetDocString()) > 0 {
			r.Values++
		}
		r.Bytes += int64(len(t.GetDocString()))
		c := shallow(t)
		c.DocString = nil
		if dir, ok := m.ext[t]; ok {
			m.ext[c] = dir
		}
		return c
	}
	m.allGraphs(func(g *Graph) bool {
		if k&DocGraphs != 0 && g.p != nil {
			strip(&g.p.DocString, &r.Graphs)
		}
		if k&DocNodes != 0 {
			for _, n := range g.nodes {
				strip(&n.p.DocString, &r.Nodes)
				for _, a := range n.p.Attribute {
					strip(&a.DocString, &r.Nodes)
				}
			}
		}
		if k&DocValues != 0 {
			for _, list := range [][]*onnxproto.ValueInfoProto{g.inInfo, g.outInfo, g.valueInfo} {
				for _, vi := range list {
					if vi != nil {
						strip(&vi.DocString, &r.Values)
					}
				}
			}
			for _, v := range g.inits {
				v.init = bare(v.init)
			}
			for _, n := range g.nodes {
				for _, a := range n.p.Attribute {
					a.T = bare(a.T)
					for i, t := range a.Tensors {
						a.Tensors[i] = bare(t)
					}
				}
			}
		}
		return true
	})
	return r, nil
}
