package onnxgraph

import (
	"fmt"
	"slices"

	"github.com/onnxgraph/onnxgraph/onnxproto"
)

// SetBatchOptions controls SetBatch. The zero value changes dim 0 of every
// graph input that carries the model's batch and of every graph output
// that does, and rewrites the constants that encode it.
type SetBatchOptions struct {
	// Inputs names the graph inputs whose dim 0 is the batch; nil means
	// every input (initializers aside) whose dim 0 equals that of the first
	// input of rank 1 or more.
	Inputs []string
	// Outputs names the graph outputs to change; nil means every output
	// whose dim 0 equals the inputs' old batch.
	Outputs []string
	// InputsOnly leaves every output's declaration as it is.
	InputsOnly bool
	// KeepValueInfo leaves the value_info shapes of intermediate values
	// alone (by default those downstream of the changed inputs are
	// dropped, as they may no longer hold).
	KeepValueInfo bool
	// TypeOf, when set, gives types that are not declared (for instance
	// from shape inference); it helps decide which constants are sound to
	// rewrite.
	TypeOf func(*Value) *onnxproto.TypeProto
	// Check, when set, runs after the edit (typically shape inference); an
	// error undoes the edit and is returned.
	Check func(*Model) error
}

// SetBatchReport says what SetBatch did.
type SetBatchReport struct {
	OldBatch Dim      // dim 0 of the inputs before
	Inputs   []string // inputs changed
	Outputs  []string // outputs changed
	// Constants lists the constants rewritten, as
	// "node(Op) input name: [1,-1] -> [8,-1]" ("(copy)" when shared).
	Constants []string
	// Unsound lists constants that seem to encode the batch but were left
	// as they are, with the reason.
	Unsound []string
	// Skipped lists outputs whose dim 0 is not the batch (left as they
	// are), each with the reason.
	Skipped []string
	// Inferred lists outputs whose declared dim 0 was another symbol (an
	// exporter's "DynamicDimension.2") that inference shows to be the
	// batch: they are changed too.
	Inferred []string
	Cleared  []string // intermediate values whose recorded shapes were dropped
}

// SetBatch makes dim 0 of the model's inputs (and outputs) batch: a fixed
// size (DimOf(8)) or a named one (DimParam("N")) (the seed tool sbi4onnx,
// with separate control of inputs and outputs). Constants that encode the
// old batch are rewritten where that is sound: the leading element of a
// Reshape's constant shape (to the new size, or to -1 for a named batch
// when no other element is -1), the leading element of an Expand's
// constant target applied to batch-carrying data (to 1, which broadcasts),
// and the constant targets of Expand, Tile and ConstantOfShape nodes that
// build batch-sized tensors from constants (to a new fixed size). A
// constant shared with other nodes is copied first. What cannot be
// rewritten soundly is listed in SetBatchReport.Unsound.
//
// An input or output named in the options that does not exist is an error
// (ErrNotFound), as is one of rank 0 or unknown rank (ErrShape).
func (m *Model) SetBatch(batch Dim, opts *SetBatchOptions, report *SetBatchReport) *Model {
	return runStep(m, "SetBatch", opts, report, func(m *Model, o *SetBatchOptions) (*SetBatchReport, error) { return SetBatchModel(m, batch, o) })
}

// SetBatchModel is SetBatch in plain form.
func SetBatchModel(m *Model, batch Dim, opts *SetBatchOptions) (*SetBatchReport, error) {
	defer afterEdit(m)
	o := orZero(opts)
	given := o.TypeOf
	o.TypeOf = m.typeHook(given)
	g := m.graph
	if g == nil {
		return nil, errorf(ErrInvalid, "the model has no graph")
	}
	if batch.Size >= 0 && batch.Param != "" || batch.Size < -1 {
		return nil, errorf(ErrInvalid, "bad batch %+v", batch)
	}
	if o.InputsOnly && len(o.Outputs) > 0 {
		return nil, errorf(ErrInvalid, "InputsOnly and Outputs exclude each other")
	}
	r := &SetBatchReport{}

	// The inputs.
	var ins []*Value
	if o.Inputs != nil {
		for _, name := range o.Inputs {
			var v *Value
			for _, x := range g.inputs {
				if x.name == name {
					v = x
				}
			}
			if v == nil {
				return nil, culprit(name, errorf(ErrNotFound, "%q is not an input of the main graph", name))
			}
			d := dimsOf(v, nil)
			if len(d) == 0 {
				return nil, culprit(name, errorf(ErrShape, "input %q has %s: no batch dimension", name, rankText(d)))
			}
			ins = append(ins, v)
		}
		if len(ins) == 0 {
			return nil, errorf(ErrInvalid, "no inputs given")
		}
		r.OldBatch = dimsOf(ins[0], nil)[0]
	} else {
		first := true
		for _, v := range g.inputs {
			if v.init != nil || v.sparse != nil {
				continue
			}
			d := dimsOf(v, nil)
			if len(d) == 0 {
				continue
			}
			if first {
				r.OldBatch, first = d[0], false
			}
			if d[0] == r.OldBatch {
				ins = append(ins, v)
			}
		}
		if len(ins) == 0 {
			return nil, errorf(ErrNotFound, "no graph input has a batch dimension (rank 1 or more)")
		}
	}
	old := r.OldBatch

	// The outputs.
	var outs []*Value
	switch {
	case o.InputsOnly:
	case o.Outputs != nil:
		for _, name := range o.Outputs {
			var v *Value
			for _, x := range g.outputs {
				if x.name == name {
					v = x
				}
			}
			if v == nil {
				return nil, culprit(name, errorf(ErrNotFound, "%q is not an output of the main graph", name))
			}
			d := dimsOf(v, nil)
			if len(d) == 0 {
				return nil, culprit(name, errorf(ErrShape, "output %q has %s: no batch dimension", name, rankText(d)))
			}
			outs = append(outs, v)
		}
	default:
		var other []*Value // outputs whose declared dim 0 is another symbol
		for _, v := range g.outputs {
			d := dimsOf(v, nil)
			switch {
			case slices.Contains(outs, v):
			case len(d) > 0 && d[0] == old && (old.Size >= 0 || old.Param != ""):
				outs = append(outs, v)
			case len(d) > 0 && d[0].Size < 0 && d[0] != old && o.TypeOf != nil:
				other = append(other, v)
			case len(d) == 0:
				r.Skipped = append(r.Skipped, fmt.Sprintf("%s %s: no batch dimension", v.name, dimsText(d)))
			default:
				r.Skipped = append(r.Skipped, fmt.Sprintf("%s %s: dim 0 is not the batch %s", v.name, dimsText(d), old))
			}
		}
		for i, batchMajor := range batchMajorOutputs(m, other, old, given) {
			v := other[i]
			d := dimsOf(v, nil)
			if batchMajor {
				outs = append(outs, v)
				r.Inferred = append(r.Inferred, fmt.Sprintf("%s %s: inference shows dim 0 is the batch %s", v.name, dimsText(d), old))
			} else {
				r.Skipped = append(r.Skipped, fmt.Sprintf("%s %s: dim 0 is not the batch %s, and inference does not show it to be", v.name, dimsText(d), old))
			}
		}
	}

	// Constants encoding the old batch.
	type rewrite struct {
		n    *Node
		slot int
		t    *Tensor
		desc string
	}
	var plan []rewrite
	if old.Size >= 0 && batch != old {
		dep := dependents(ins)
		for _, n := range dependentOrFed(g, dep) {
			if !isDefaultDomain(n.Domain()) {
				continue
			}
			op := n.OpType()
			var slot int
			switch op {
			case "Reshape", "Expand":
				slot = 1
			case "Tile":
				slot = 1
			case "ConstantOfShape":
				slot = 0
			default:
				continue
			}
			src := n.Input(slot)
			c, ok := constInts(src)
			if !ok || len(c) == 0 || c[0] != old.Size {
				continue
			}
			label := n.label() + " input " + quote(src.name)
			fed := dep[n] // true: the node reads batch-carrying data
			nc := append([]int64(nil), c...)
			why := ""
			switch {
			case op == "Reshape" && fed:
				switch {
				case batch.Size >= 0:
					nc[0] = batch.Size
				case !slices.Contains(c[1:], -1):
					nc[0] = -1
				case attrInt(n, "allowzero", 0) == 0 && dimAt(n.Input(0), 0, o.TypeOf) == old:
					nc[0] = 0
				default:
					why = "another element is -1 already; a named batch cannot be written as a number"
				}
			case op == "Expand" && fed:
				if r := rankOf(n.Input(0), o.TypeOf); r >= 0 && r != len(c) {
					why = fmt.Sprintf("the data has rank %d, the target %d: which dim carries the batch is unclear", r, len(c))
				} else if old.Size == 1 {
					continue // 1 broadcasts already
				} else {
					nc[0] = 1
				}
			case op == "Tile" && fed:
				if old.Size == 1 {
					continue
				}
				why = "repeats on the batch axis of batch-carrying data"
			case !fed:
				// A constant expanded, tiled or filled to batch size,
				// then combined with batch data.
				if batch.Size >= 0 {
					nc[0] = batch.Size
				} else {
					why = "a named batch cannot be written as a number"
				}
			default:
				continue
			}
			if why != "" {
				r.Unsound = append(r.Unsound, label+": "+why)
				continue
			}
			old, _ := constOf(src)
			t, err := NewTensorOf(src.name, old.DataType(), old.Dims(), nc)
			if err != nil {
				r.Unsound = append(r.Unsound, label+": "+err.Error())
				continue
			}
			plan = append(plan, rewrite{n, slot, t, fmt.Sprintf("%s: %v -> %v", label, c, nc)})
		}
	}

	apply := func(m *Model) error {
		for _, v := range ins {
			d := dimsOf(v, nil)
			d[0] = batch
			setDeclaredDims(v, d)
			r.Inputs = append(r.Inputs, v.name)
		}
		for _, v := range outs {
			d := dimsOf(v, nil)
			d[0] = batch
			setDeclaredDims(v, d)
			r.Outputs = append(r.Outputs, v.name)
		}
		for _, p := range plan {
			desc := p.desc
			if replaceConstInput(p.n, p.slot, p.t) {
				desc += " (copy)"
			}
			r.Constants = append(r.Constants, desc)
		}
		if !o.KeepValueInfo && batch != old {
			r.Cleared = clearDownstreamShapes(ins)
		}
		if o.Check != nil {
			return o.Check(m)
		}
		return nil
	}
	if err := applyChecked(m, o.Check != nil, apply); err != nil {
		return nil, err
	}
	return r, nil
}

func rankText(d []Dim) string {
	if d == nil {
		return "an unknown rank"
	}
	return "rank " + itoa(len(d))
}

// attrInt returns the INT attribute name of n, or def.
func attrInt(n *Node, name string, def int64) int64 {
	if a := n.Attr(name); a != nil {
		return a.GetI()
	}
	return def
}

// dimAt returns dim i of v's shape, or DimUnknown.
func dimAt(v *Value, i int, typeOf func(*Value) *onnxproto.TypeProto) Dim {
	d := dimsOf(v, typeOf)
	if i < len(d) {
		return d[i]
	}
	return Dim{Size: -2} // matches nothing
}

// dependents returns the nodes computed, directly or not, from seeds (a
// node holding a subgraph that reads one counts too).
func dependents(seeds []*Value) map[*Node]bool {
	dep := map[*Node]bool{}
	seen := map[*Value]bool{}
	work := append([]*Value(nil), seeds...)
	for len(work) > 0 {
		v := work[len(work)-1]
		work = work[:len(work)-1]
		if seen[v] {
			continue
		}
		seen[v] = true
		for _, u := range v.uses {
			for n := u.Node; n != nil; {
				if !dep[n] {
					dep[n] = true
					for _, o := range n.outputs {
						if o != nil {
							work = append(work, o)
						}
					}
				}
				if n.graph == v.graph || n.graph.parent == nil {
					break
				}
				n = n.graph.parent
			}
		}
	}
	return dep
}

// dependentOrFed returns, in order, the nodes of g's tree that depend on the
// seeds, and the constant-fed nodes whose output a dependent node reads.
func dependentOrFed(g *Graph, dep map[*Node]bool) []*Node {
	var out []*Node
	g.Walk(func(s *Graph) bool {
		for _, n := range s.nodes {
			if dep[n] {
				out = append(out, n)
				continue
			}
			for _, o := range n.outputs {
				if o == nil {
					continue
				}
				fedDep := false
				for _, u := range o.uses {
					if dep[u.Node] {
						fedDep = true
					}
				}
				if fedDep {
					out = append(out, n)
					break
				}
			}
		}
		return true
	})
	return out
}

// batchMajorOutputs reports, for each output of outs (whose declared dim 0
// is a symbol other than the batch), whether inference shows its dim 0 to
// be the batch old: the types are asked of a copy of m whose outputs
// declare no dim 0 (from given, or the model's type source), so the answer
// comes from the graph, not the declaration.
func batchMajorOutputs(m *Model, outs []*Value, old Dim, given func(*Value) *onnxproto.TypeProto) []bool {
	res := make([]bool, len(outs))
	if len(outs) == 0 || (old.Size < 0 && old.Param == "") {
		return res
	}
	c := m.Clone()
	defer c.releaseMaps()
	cg := c.graph
	var copies []*Value
	for _, v := range outs {
		idx := slices.Index(m.graph.outputs, v)
		cv := cg.outputs[idx]
		d := dimsOf(cv, nil)
		d[0] = DimUnknown
		setDeclaredDims(cv, d)
		copies = append(copies, cv)
	}
	typeOf := c.typeHook(given)
	if typeOf == nil {
		return res
	}
	for i, cv := range copies {
		if d := dimsOf(cv, typeOf); len(d) > 0 && d[0] == old {
			res[i] = true
		}
	}
	return res
}
