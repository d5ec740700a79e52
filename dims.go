package onnxgraph

import (
	"sort"
	"strconv"
	"strings"

	"github.com/onnxgraph/onnxgraph/onnxproto"
	"google.golang.org/protobuf/proto"
)

// String renders d as its size, its name, or "?" when unknown.
func (d Dim) String() string {
	switch {
	case d.Size >= 0:
		return strconv.FormatInt(d.Size, 10)
	case d.Param != "":
		return d.Param
	}
	return "?"
}

// ParseDims reads a shape written as comma-separated dims, with or without
// brackets: sizes ("3"), names ("N", "height") and "?" or "-1" for an
// unknown dim. "" and "[]" are a scalar's empty shape.
func ParseDims(s string) ([]Dim, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"))
	if s == "" {
		return []Dim{}, nil
	}
	parts := strings.Split(s, ",")
	out := make([]Dim, len(parts))
	for i, p := range parts {
		p = strings.Trim(strings.TrimSpace(p), `"'`)
		switch {
		case p == "?" || p == "-1":
			out[i] = DimUnknown
		case p == "":
			return nil, errorf(ErrInvalid, "shape %q: dim %d is empty", s, i)
		default:
			if n, err := strconv.ParseInt(p, 10, 64); err == nil {
				if n < 0 {
					return nil, errorf(ErrInvalid, "shape %q: dim %d is negative", s, i)
				}
				out[i] = DimOf(n)
			} else {
				out[i] = DimParam(p)
			}
		}
	}
	return out, nil
}

// ParseDimsMap reads shapes given by name as text ({"x": "N,3,224,224"}:
// the dims of a command line's name=dims flags or of a script step), each
// with ParseDims. An error names the value (its Culprit) and matches
// ErrInvalid. No names give nil.
func ParseDimsMap(text map[string]string) (map[string][]Dim, error) {
	if len(text) == 0 {
		return nil, nil
	}
	out := make(map[string][]Dim, len(text))
	for _, name := range sortedKeys(text) {
		d, err := ParseDims(text[name])
		if err != nil {
			return nil, culprit(name, errorf(ErrInvalid, "%q: %s", name, strings.TrimPrefix(err.Error(), "onnxgraph: ")))
		}
		out[name] = d
	}
	return out, nil
}

// FormatDims renders dims as "[1,3,H,W]".
func FormatDims(dims []Dim) string {
	parts := make([]string, len(dims))
	for i, d := range dims {
		parts[i] = d.String()
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// SetDimsOptions controls SetDims. The zero value changes the named
// declarations and clears the shapes recorded for intermediate values that
// a changed input feeds.
type SetDimsOptions struct {
	// KeepValueInfo leaves the value_info shapes of intermediate values as
	// they are, even when a changed input makes them stale.
	KeepValueInfo bool
	// Check, when set, runs after the edit (typically shape inference, as
	// package shapeinfer offers); an error undoes the edit and is returned.
	Check func(*Model) error
}

// SetDimsReport says what SetDims changed.
type SetDimsReport struct {
	Changed []string // "x: [1,3,224,224] -> [N,3,H,W]"
	Cleared []string // intermediate values whose recorded shapes were dropped
}

// SetDims declares the shapes of graph inputs and outputs of the main
// graph, by name: fixed sizes, named (symbolic) sizes or unknown dims (the
// seed tool sio4onnx). A name that is neither an input nor an output is an
// error (ErrNotFound), as is a shape whose rank differs from a rank the
// model declares (ErrShape). A value whose declaration has no shape, or no
// type at all for an initializer-less input, gets one; the element type
// stays. When an input's dims change, shapes recorded in value_info for the
// values it feeds are dropped (see SetDimsOptions.KeepValueInfo), since
// they may no longer hold; shape inference re-derives them.
func (m *Model) SetDims(dims map[string][]Dim, opts *SetDimsOptions, report *SetDimsReport) *Model {
	return runStep(m, "SetDims", opts, report, func(m *Model, o *SetDimsOptions) (*SetDimsReport, error) { return SetDimsModel(m, dims, o) })
}

// SetDimsModel is SetDims in plain form.
func SetDimsModel(m *Model, dims map[string][]Dim, opts *SetDimsOptions) (*SetDimsReport, error) {
	defer afterEdit(m)
	o := orZero(opts)
	g := m.graph
	if g == nil {
		return nil, errorf(ErrInvalid, "the model has no graph")
	}
	names := make([]string, 0, len(dims))
	for k := range dims {
		names = append(names, k)
	}
	sort.Strings(names)
	type change struct {
		v    *Value
		dims []Dim
	}
	var plan []change
	for _, name := range names {
		v := ioValue(g, name)
		if v == nil {
			return nil, culprit(name, errorf(ErrNotFound, "%q is not an input or output of the main graph", name))
		}
		if err := checkDims(v, dims[name]); err != nil {
			return nil, err
		}
		plan = append(plan, change{v, dims[name]})
	}
	r := &SetDimsReport{}
	apply := func(m *Model) error {
		var changedInputs []*Value
		for _, c := range plan {
			before := dimsOf(c.v, nil)
			if setDeclaredDims(c.v, c.dims) {
				r.Changed = append(r.Changed, c.v.name+": "+dimsText(before)+" -> "+FormatDims(c.dims))
				if c.v.input {
					changedInputs = append(changedInputs, c.v)
				}
			}
		}
		if !o.KeepValueInfo && len(changedInputs) > 0 {
			r.Cleared = clearDownstreamShapes(changedInputs)
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

// applyChecked runs an edit that validated its inputs up front. With a
// check hook (which may fail after the edit), it runs atomically so that a
// failed check leaves m as it was.
func applyChecked(m *Model, checked bool, apply func(*Model) error) error {
	if !checked {
		return apply(m)
	}
	return m.Atomic(apply)
}

func dimsText(d []Dim) string {
	if d == nil {
		return "?rank"
	}
	return FormatDims(d)
}

// ioValue returns the main-graph input or output called name.
func ioValue(g *Graph, name string) *Value {
	for _, v := range g.inputs {
		if v.name == name {
			return v
		}
	}
	for _, v := range g.outputs {
		if v.name == name {
			return v
		}
	}
	return nil
}

// checkDims checks that dims can be declared for v: v is a tensor (or
// untyped), and its declared rank, if any, is len(dims).
func checkDims(v *Value, dims []Dim) error {
	if dims == nil {
		return culprit(v.name, errorf(ErrInvalid, "%q: no dims given", v.name))
	}
	for i, d := range dims {
		if d.Size < -1 || (d.Size >= 0 && d.Param != "") {
			return culprit(v.name, errorf(ErrInvalid, "%q: dim %d is malformed (%+v)", v.name, i, d))
		}
	}
	t := v.Type()
	if t != nil && t.GetValue() != nil && t.GetTensorType() == nil {
		return culprit(v.name, errorf(ErrInvalid, "%q is a %s, not a tensor", v.name, TypeString(t)))
	}
	if old := dimsOf(v, nil); old != nil && len(old) != len(dims) {
		return culprit(v.name, errorf(ErrShape, "%q has rank %d (%s); %s has rank %d", v.name, len(old), FormatDims(old), FormatDims(dims), len(dims)))
	}
	if v.init != nil {
		old := v.init.GetDims()
		for i, d := range dims {
			if d.Size >= 0 && d.Size != old[i] {
				return culprit(v.name, errorf(ErrShape, "%q is an initializer of shape %v; dim %d cannot be %d", v.name, old, i, d.Size))
			}
		}
	}
	return nil
}

// setDeclaredDims declares dims on every entry naming v (adding a
// value_info-less declaration's shape), keeping the element type. It
// reports whether anything changed.
func setDeclaredDims(v *Value, dims []Dim) bool {
	old := v.Type()
	elem := DataType(0)
	if tt := old.GetTensorType(); tt != nil {
		elem = DataType(tt.GetElemType())
	} else if v.init != nil {
		elem = DataType(v.init.GetDataType())
	}
	nt := TensorType(elem, dims)
	if old != nil && old.GetTensorType() != nil {
		// Keep denotations and anything else the old type carried.
		t := proto.Clone(old).(*onnxproto.TypeProto)
		oldShape := t.GetTensorType().Shape
		shape := nt.GetTensorType().Shape
		if oldShape != nil {
			for i, d := range shape.Dim {
				if i < len(oldShape.Dim) {
					d.Denotation = oldShape.Dim[i].Denotation
				}
			}
		}
		t.GetTensorType().Shape = shape
		nt = t
	}
	if old != nil && proto.Equal(old, nt) {
		return false
	}
	if len(v.infos) == 0 {
		v.SetType(nt)
		return true
	}
	for _, vi := range v.infos {
		vi.Type = proto.Clone(nt).(*onnxproto.TypeProto)
	}
	return true
}

// clearDownstreamShapes drops the shapes (keeping element types) recorded
// in value_info for every value computed from seeds, in their graphs and
// in subgraphs; graph outputs keep their declarations. It returns the
// names of the values cleared.
func clearDownstreamShapes(seeds []*Value) []string {
	seen := map[*Value]bool{}
	work := append([]*Value(nil), seeds...)
	for _, v := range seeds {
		seen[v] = true
	}
	var cleared []string
	taint := func(n *Node) {
		for _, o := range n.outputs {
			if o != nil && !seen[o] {
				seen[o] = true
				work = append(work, o)
			}
		}
	}
	for len(work) > 0 {
		v := work[len(work)-1]
		work = work[:len(work)-1]
		for _, u := range v.uses {
			taint(u.Node)
			// A read from inside a subgraph taints the nodes holding it,
			// up to v's graph.
			for x := u.Node; x.graph != v.graph && x.graph.parent != nil; {
				x = x.graph.parent
				taint(x)
			}
			// Everything computed inside the reader's subgraphs may depend
			// on v too.
			for _, s := range u.Node.subs {
				s.g.Walk(func(inner *Graph) bool {
					for _, x := range inner.nodes {
						taint(x)
					}
					return true
				})
			}
		}
	}
	graphs := map[*Graph]bool{}
	for v := range seen {
		graphs[v.graph] = true
	}
	for g := range graphs {
		for i, v := range g.viValue {
			if !seen[v] || (v.input) {
				continue
			}
			vi := g.valueInfo[i]
			if tt := vi.GetType().GetTensorType(); tt != nil && tt.Shape != nil {
				t := proto.Clone(vi.Type).(*onnxproto.TypeProto)
				t.GetTensorType().Shape = nil
				vi.Type = t
				cleared = append(cleared, v.name)
			}
		}
	}
	sort.Strings(cleared)
	return cleared
}
