package simplify

import (
	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/opschema"
)

// shapesPass replaces the values whose contents shape inference knows in
// full (Shape and Size of a known shape, Gather or Slice of its known
// dims, arithmetic and Concat on them) by constants. A node all of whose
// read outputs become constants goes.
func (s *state) shapesPass(g *onnxgraph.Graph) (int, error) {
	if s.res == nil || inFunction(g) {
		return 0, nil
	}
	order := g.Nodes()
	e := s.edit(g)
	for _, n := range order {
		if s.skipped(n) || (n.OpType() == "Constant" && opschema.NormalizeDomain(n.Domain()) == opschema.DomainONNX) {
			continue
		}
		ts := make([]*onnxgraph.Tensor, n.NumOutputs())
		all, some := true, false
		for i := range n.NumOutputs() {
			v := n.Output(i)
			if v == nil || (v.NumUses() == 0 && !v.IsGraphOutput()) {
				continue
			}
			if ts[i] = s.dataTensor(g, v); ts[i] == nil {
				all = false
				continue
			}
			some = true
		}
		switch {
		case !some:
		case all:
			for i, t := range ts {
				if t != nil {
					e.constant(n.Output(i), t)
				}
			}
			e.kill(n)
		default:
			// Other outputs stay: the known ones get constants of new names.
			for i, t := range ts {
				v := n.Output(i)
				if t == nil || v.IsGraphOutput() {
					continue
				}
				w, err := e.newConst(v.Name(), t)
				if err != nil {
					return 0, err
				}
				e.replace(v, w)
			}
		}
	}
	return e.flush()
}

// dataTensor returns v's contents as a tensor named after v when shape
// inference knows every element of an integer or bool value, nil
// otherwise.
func (s *state) dataTensor(g *onnxgraph.Graph, v *onnxgraph.Value) *onnxgraph.Tensor {
	if s.flags[v] != 0 {
		return nil
	}
	d := s.res.Data(v)
	vals, ok := d.KnownInts()
	if !ok {
		return nil
	}
	t := s.res.Type(v)
	if !t.IsTensor() {
		return nil
	}
	dims := d.Shape
	if dims == nil {
		dims = []int64{}
	}
	if onnxgraph.NumElements(dims) != int64(len(vals)) {
		return nil
	}
	if want, ok := knownDims(t); !ok || len(want) != len(dims) {
		return nil
	} else {
		for i := range want {
			if want[i] != dims[i] {
				return nil
			}
		}
	}
	if !s.canHold(g, t.Elem) || onnxgraph.RawSize(t.Elem, int64(len(vals))) > s.c.maxFold {
		return nil
	}
	var out *onnxgraph.Tensor
	var err error
	switch t.Elem {
	case onnxgraph.Bool:
		bs := make([]bool, len(vals))
		for i, x := range vals {
			bs[i] = x != 0
		}
		out, err = onnxgraph.NewTensorOf(v.Name(), t.Elem, dims, bs)
	case onnxgraph.Int64, onnxgraph.Int32, onnxgraph.Int16, onnxgraph.Int8, onnxgraph.Uint8, onnxgraph.Uint16, onnxgraph.Uint32, onnxgraph.Uint64:
		out, err = onnxgraph.NewTensorOf(v.Name(), t.Elem, dims, vals)
	default:
		return nil
	}
	if err != nil {
		return nil
	}
	return out
}
