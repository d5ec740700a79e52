package onnxgraph

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/opschema"
	"google.golang.org/protobuf/proto"
)

// ShrinkOptions controls Shrink. The zero value deduplicates constants and
// does nothing else.
type ShrinkOptions struct {
	// NoDedupe turns deduplication off.
	NoDedupe bool
	// Downcast narrows int64 constants to int32 and float64 constants to
	// float32 where every value survives and every reader accepts the
	// narrower type for that input.
	Downcast bool
	// CastWhereNeeded, with Downcast, also narrows constants some readers
	// need wide, inserting a Cast back to the wide type for those readers.
	CastWhereNeeded bool
	// NPYDir, when set, moves initializers of the main graph out of the
	// model into .npy files in this folder (the seed tool's npy mode): each
	// becomes a graph input of the same name and type that the caller
	// feeds at run time. Those of at least NPYThreshold bytes go, and
	// those named in NPYNames whatever their size.
	NPYDir       string
	NPYThreshold int64
	NPYNames     []string
}

// ShrinkReport says what Shrink did.
type ShrinkReport struct {
	// Duplicates maps each kept constant to the names of the identical
	// constants now reading it.
	Duplicates map[string][]string
	// Narrowed lists the constants downcast, as "name: int64->int32".
	Narrowed []string
	// NotNarrowed maps a constant to the reason it kept its type.
	NotNarrowed map[string]string
	// Casts lists the Cast nodes inserted (CastWhereNeeded).
	Casts []string
	// NPYFiles maps each initializer moved out (NPYDir) to its file.
	NPYFiles map[string]string
	// BytesBefore and BytesAfter are the constants' data sizes; the
	// per-rule savings are DedupeSaved and DowncastSaved.
	BytesBefore, BytesAfter    int64
	DedupeSaved, DowncastSaved int64
}

// Shrink makes a model's constants smaller without changing what the model
// computes: identical constants (initializers and Constant nodes, compared
// by type, shape, a content hash, then bytes) become one with every reader
// repointed, and optionally int64/float64 constants are narrowed where that
// is lossless and type-correct. Constants are compared only within a size
// class, so external weights that cannot be duplicates are never read.
// Graph inputs with initializers (overridable defaults) and graph outputs
// are left alone. On error the model is unchanged.
func (m *Model) Shrink(opts *ShrinkOptions, report *ShrinkReport) *Model {
	return runStep(m, "Shrink", opts, report, ShrinkModel)
}

// ShrinkModel is Shrink in plain form.
func ShrinkModel(m *Model, opts *ShrinkOptions) (*ShrinkReport, error) {
	defer afterEdit(m)
	o := orZero(opts)
	r := &ShrinkReport{Duplicates: map[string][]string{}, NotNarrowed: map[string]string{}, NPYFiles: map[string]string{}}
	for _, name := range o.NPYNames {
		v, ok := m.graph.Value(name)
		if !ok || v.init == nil || v.graph != m.graph {
			return nil, errorf(ErrNotFound, "npy: %q is not an initializer of the main graph", name)
		}
	}
	r.BytesBefore = m.constantBytes()
	err := m.Atomic(func(c *Model) error {
		var err error
		c.allGraphs(func(g *Graph) bool {
			if !o.NoDedupe {
				if err = g.dedupe(r); err != nil {
					return false
				}
			}
			if o.Downcast {
				if err = g.downcast(o, r); err != nil {
					return false
				}
			}
			return true
		})
		if err != nil {
			return err
		}
		if o.NPYDir != "" {
			return c.graph.toNPY(o, r)
		}
		return nil
	})
	if err != nil {
		for _, f := range r.NPYFiles {
			os.Remove(f)
		}
		return nil, err
	}
	r.BytesAfter = m.constantBytes()
	return r, nil
}

func (m *Model) allGraphs(fn func(*Graph) bool) {
	if m.graph != nil && !m.graph.Walk(fn) {
		return
	}
	for _, f := range m.funcs {
		if !f.body.Walk(fn) {
			return
		}
	}
}

// constantBytes sums the stored size of every initializer and Constant.
func (m *Model) constantBytes() int64 {
	var n int64
	m.allGraphs(func(g *Graph) bool {
		for _, v := range g.inits {
			n += max(m.tensor(v.init).NumBytes(), 0)
		}
		for _, nd := range g.nodes {
			if t := constantTensor(nd); t != nil {
				n += max(m.tensor(t).NumBytes(), 0)
			}
		}
		return true
	})
	return n
}

// constantTensor returns the tensor of a Constant node with a value
// attribute, or nil.
func constantTensor(n *Node) *onnxproto.TensorProto {
	if n.OpType() != "Constant" || !isDefaultDomain(n.Domain()) || len(n.outputs) != 1 || n.outputs[0] == nil {
		return nil
	}
	if a := n.Attr("value"); a != nil && a.T != nil {
		return a.T
	}
	return nil
}

// constant is a dedupe candidate: an initializer or a Constant node.
type constant struct {
	v    *Value
	node *Node // the Constant node, nil for an initializer
	t    *Tensor
}

func (g *Graph) constants() []constant {
	outs := map[*Value]bool{}
	for _, o := range g.outputs {
		outs[o] = true
	}
	var cs []constant
	for _, v := range g.inits {
		if !v.input && !outs[v] && v.init.GetDataType() != int32(String) {
			cs = append(cs, constant{v: v, t: g.model.tensor(v.init)})
		}
	}
	for _, n := range g.nodes {
		if t := constantTensor(n); t != nil && !outs[n.outputs[0]] && t.GetDataType() != int32(String) {
			cs = append(cs, constant{v: n.outputs[0], node: n, t: g.model.tensor(t)})
		}
	}
	return cs
}

func (g *Graph) dedupe(r *ShrinkReport) error {
	type class struct {
		dt   DataType
		dims string
		n    int64
	}
	classes := map[class][]constant{}
	var order []class
	for _, c := range g.constants() {
		k := class{c.t.DataType(), fmt.Sprint(c.t.p.GetDims()), c.t.NumBytes()}
		if _, ok := classes[k]; !ok {
			order = append(order, k)
		}
		classes[k] = append(classes[k], c)
	}
	var deadNodes []*Node
	var deadInits []*Value
	moved := false
	for _, k := range order {
		group := classes[k]
		if len(group) < 2 {
			continue
		}
		type entry struct {
			rep  constant
			data []byte
		}
		byHash := map[[32]byte][]entry{}
		for _, c := range group {
			data, err := c.t.Bytes()
			if err != nil {
				return err
			}
			h := sha256.Sum256(data)
			matched := false
			for _, e := range byHash[h] {
				if bytes.Equal(e.data, data) {
					c.v.ReplaceAllUsesWith(e.rep.v)
					r.Duplicates[e.rep.v.name] = append(r.Duplicates[e.rep.v.name], c.v.name)
					r.DedupeSaved += max(k.n, 0)
					if c.node != nil {
						deadNodes = append(deadNodes, c.node)
					} else {
						deadInits = append(deadInits, c.v)
						if e.rep.node != nil {
							moved = true // readers of an initializer may now come before the Constant
						}
					}
					matched = true
					break
				}
			}
			if !matched {
				byHash[h] = append(byHash[h], entry{c, data})
			}
		}
	}
	for _, v := range deadInits {
		if err := g.RemoveInitializer(v); err != nil {
			return err
		}
	}
	if len(deadNodes) > 0 {
		if err := g.RemoveNodes(deadNodes...); err != nil {
			return err
		}
	}
	if moved {
		order, err := g.topoOrder()
		if err != nil {
			return err
		}
		g.nodes = order
	}
	return nil
}

// downcast narrows int64 and float64 constants of g.
func (g *Graph) downcast(o ShrinkOptions, r *ShrinkReport) error {
	for _, c := range g.constants() {
		wide := c.t.DataType()
		var narrow DataType
		switch wide {
		case Int64:
			narrow = Int32
		case Double:
			narrow = Float
		default:
			continue
		}
		name := c.v.name
		raw, err := c.t.Bytes()
		if err != nil {
			return err
		}
		small, ok := narrowBytes(wide, raw)
		if !ok {
			r.NotNarrowed[name] = "a value does not fit " + DataTypeName(narrow)
			continue
		}
		var needWide []Use
		for _, u := range c.v.uses {
			if why := g.model.acceptsNarrow(u, narrow); why != "" {
				needWide = append(needWide, u)
				if !o.CastWhereNeeded {
					r.NotNarrowed[name] = why
					break
				}
			}
		}
		if len(needWide) > 0 && !o.CastWhereNeeded {
			continue
		}
		if len(needWide) == len(c.v.uses) {
			r.NotNarrowed[name] = "every reader needs " + DataTypeName(wide)
			continue
		}
		nt, err := NewTensor(c.t.Name(), narrow, c.t.Dims(), small)
		if err != nil {
			return err
		}
		if c.node != nil {
			a := proto.Clone(c.node.Attr("value")).(*onnxproto.AttributeProto)
			a.T = nt.p
			if err := c.node.SetAttr(a); err != nil {
				return err
			}
		} else if err := g.SetInitializer(c.v, nt); err != nil {
			return err
		}
		if t := c.v.Type(); t != nil && len(c.v.infos) > 0 {
			t2 := proto.Clone(t).(*onnxproto.TypeProto)
			if tt := t2.GetTensorType(); tt != nil {
				tt.ElemType = proto.Int32(int32(narrow))
				c.v.SetType(t2)
			}
		}
		r.Narrowed = append(r.Narrowed, fmt.Sprintf("%s: %s->%s", name, DataTypeName(wide), DataTypeName(narrow)))
		r.DowncastSaved += int64(len(raw) - len(small))
		if len(needWide) > 0 {
			cast, err := g.AddNode("Cast", []*Value{c.v}, []string{g.UniqueName(name + "_" + DataTypeName(wide))}, AttrInt("to", int64(wide)))
			if err != nil {
				return err
			}
			cast.SetName(g.uniqueNodeName("Cast_" + name))
			for _, u := range needWide {
				if err := u.Node.SetInput(u.Index, cast.outputs[0]); err != nil {
					return err
				}
			}
			r.Casts = append(r.Casts, cast.Name())
			order, err := g.topoOrder()
			if err != nil {
				return err
			}
			g.nodes = order
		}
	}
	return nil
}

// uniqueNodeName returns base or base_N, unused as a node name in g.
func (g *Graph) uniqueNodeName(base string) string {
	used := map[string]bool{}
	for _, n := range g.nodes {
		used[n.Name()] = true
	}
	if !used[base] {
		return base
	}
	for i := 1; ; i++ {
		if c := base + "_" + itoa(i); !used[c] {
			return c
		}
	}
}

// narrowBytes converts raw int64 to int32 (float64 to float32) data when
// every value survives exactly.
func narrowBytes(wide DataType, raw []byte) ([]byte, bool) {
	n := len(raw) / 8
	out := make([]byte, 4*n)
	for i := 0; i < n; i++ {
		x := binary.LittleEndian.Uint64(raw[8*i:])
		switch wide {
		case Int64:
			v := int64(x)
			if v < math.MinInt32 || v > math.MaxInt32 {
				return nil, false
			}
			binary.LittleEndian.PutUint32(out[4*i:], uint32(int32(v)))
		case Double:
			f := math.Float64frombits(x)
			g := float32(f)
			if float64(g) != f && !math.IsNaN(f) {
				return nil, false
			}
			binary.LittleEndian.PutUint32(out[4*i:], math.Float32bits(g))
		}
	}
	return out, true
}

// acceptsNarrow returns "" when input u.Index of u.Node may take the
// narrow type on its own, else why not: the operator is unknown, the input
// has a fixed type, or its type variable is shared with another input or
// output (which would then disagree).
func (m *Model) acceptsNarrow(u Use, narrow DataType) string {
	n := u.Node
	opset, _ := m.Opset(n.Domain())
	sch, ok := opschema.Lookup(opschema.NormalizeDomain(n.Domain()), n.OpType(), int(opset))
	label := n.label()
	if !ok {
		return "reader " + label + " has no known schema"
	}
	f, ok := sch.InputFormal(u.Index)
	if !ok {
		return "reader " + label + " has no input " + itoa(u.Index)
	}
	want := "tensor(" + map[DataType]string{Int32: "int32", Float: "float"}[narrow] + ")"
	allowed := false
	for _, t := range sch.AllowedTypes(f) {
		allowed = allowed || t == want
	}
	if !allowed {
		return fmt.Sprintf("reader %s input %q does not accept %s", label, f.Name, want)
	}
	if _, isVar := sch.TypeConstraint(f.Type); !isVar {
		return ""
	}
	shared := 0
	for _, g := range sch.Inputs {
		if g.Type == f.Type {
			shared++
		}
	}
	for _, g := range sch.Outputs {
		if g.Type == f.Type {
			shared++
		}
	}
	if shared > 1 || f.Option == opschema.Variadic {
		return fmt.Sprintf("reader %s input %q shares type %s with other inputs or outputs", label, f.Name, f.Type)
	}
	return ""
}

// toNPY moves the selected initializers of g into .npy files and makes
// them graph inputs.
func (g *Graph) toNPY(o ShrinkOptions, r *ShrinkReport) error {
	forced := map[string]bool{}
	for _, n := range o.NPYNames {
		forced[n] = true
	}
	if err := os.MkdirAll(o.NPYDir, 0o755); err != nil {
		return fmt.Errorf("onnxgraph: %w", err)
	}
	used := map[string]bool{}
	for _, v := range append([]*Value(nil), g.inits...) {
		t := g.model.tensor(v.init)
		if v.input || (!forced[v.name] && t.NumBytes() < max(o.NPYThreshold, 1)) {
			continue
		}
		base := unsafeName.ReplaceAllString(v.name, "_")
		file := base
		for i := 1; used[strings.ToLower(file)]; i++ {
			file = base + "_" + itoa(i)
		}
		used[strings.ToLower(file)] = true
		path := filepath.Join(o.NPYDir, file+".npy")
		if err := t.WriteNPYFile(path); err != nil {
			return err
		}
		r.NPYFiles[v.name] = path
		typ := tensorType(v.init)
		vi := &onnxproto.ValueInfoProto{Name: proto.String(v.name), Type: typ}
		v.input = true
		v.infos = append(v.infos, vi)
		g.inputs = append(g.inputs, v)
		g.inInfo = append(g.inInfo, vi)
		if err := g.RemoveInitializer(v); err != nil {
			return err
		}
	}
	return nil
}
