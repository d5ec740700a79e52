package onnxgraph

import (
	"encoding/binary"
	"errors"
	"math"
	"strings"

	"github.com/onnxgraph/onnxgraph/onnxproto"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// The fast decoder. It reads the messages of the ONNX format straight into
// the structs proto.Unmarshal fills, with the same result field for field
// (unknown fields included, byte for byte), but without reflection and
// with far fewer allocations: the messages of a list come from one
// allocation, strings share larger blocks, and large raw_data fields are
// views of the input (as unmarshalViews makes them).
//
// It handles the common form of the format. Anything unusual makes it give
// up (errGeneral), and decode then runs the general path on the whole
// input, which also reports the errors: a malformed field, a known field
// with another wire type than its own (protobuf keeps it as an unknown
// field), a message field given twice (protobuf merges the parts), groups,
// a node's device configurations, nesting deeper than maxFastDepth.
// TestFastDecodeCorpus and FuzzFastDecode hold it to the general path.

// errGeneral is what the fast decoder returns when it leaves the input to
// the general path. It never reaches a caller.
var errGeneral = errors.New("onnxgraph: left to the general decoder")

// maxFastDepth is the nesting (graphs in attributes, types in types) past
// which the fast decoder leaves the input to the general path. Each level
// is at most three messages, so the general path's limit
// (protowire.DefaultRecursionLimit messages) is never reached first.
const maxFastDepth = 1000

// slab hands out values of T from larger allocations.
type slab[T any] struct {
	free []T
	next int // the size of the next block
}

// take returns n zero values, nil when n is 0. The slice's capacity is n,
// so that appending to it never reaches a neighbour's values.
func (s *slab[T]) take(n int) []T {
	if n <= 0 {
		return nil
	}
	if n > len(s.free) {
		if n >= 256 {
			return make([]T, n)
		}
		s.next = min(max(2*s.next, 16), 1024)
		s.free = make([]T, max(s.next, n))
	}
	out := s.free[:n:n]
	s.free = s.free[n:]
	return out
}

func (s *slab[T]) one() *T { return &s.take(1)[0] }

// ptrs returns n pointers to n new values of T, both from slabs; nil when
// n is 0.
func ptrs[T any](vals *slab[T], ps *slab[*T], n int) []*T {
	if n <= 0 {
		return nil
	}
	vs, out := vals.take(n), ps.take(n)
	for i := range vs {
		out[i] = &vs[i]
	}
	return out
}

// ptrsOwn returns n pointers to n new values of T, from allocations of
// their own size; nil when n is 0. The long lists of a graph (nodes,
// initializers) use it, so that a message removed by an edit does not
// keep a slab shared with unrelated ones alive.
func ptrsOwn[T any](n int) []*T {
	if n <= 0 {
		return nil
	}
	vals := make([]T, n)
	out := make([]*T, n)
	for i := range vals {
		out[i] = &vals[i]
	}
	return out
}

// textArena copies short strings into shared blocks.
type textArena struct{ sb strings.Builder }

func (a *textArena) str(v []byte) string {
	switch {
	case len(v) == 0:
		return ""
	case len(v) > 512:
		return string(v)
	}
	if a.sb.Cap()-a.sb.Len() < len(v) {
		a.sb = strings.Builder{}
		a.sb.Grow(16 << 10)
	}
	// The block never grows past the capacity it was given, so the
	// strings handed out before stay where they are.
	start := a.sb.Len()
	a.sb.Write(v)
	return a.sb.String()[start:]
}

// bytesArena copies short byte fields into shared blocks, each with a
// capacity of its own length.
type bytesArena struct{ free []byte }

func (a *bytesArena) copy(v []byte) []byte {
	if len(v) == 0 {
		return emptyBytes[:]
	}
	if len(v) > 512 {
		return append(make([]byte, 0, len(v)), v...)
	}
	if len(v) > len(a.free) {
		a.free = make([]byte, 16<<10)
	}
	out := a.free[:len(v):len(v)]
	copy(out, v)
	a.free = a.free[len(v):]
	return out
}

// emptyBytes backs the empty byte fields: present, so not nil (as
// protobuf makes them).
var emptyBytes [0]byte

// wireDecoder holds the state of one fast decode.
type wireDecoder struct {
	onView func(t *onnxproto.TensorProto, off int)
	depth  int
	text   textArena
	bytes  bytesArena

	strs  slab[string]
	i64s  slab[int64]
	i32s  slab[int32]
	f32s  slab[float32]
	bufs  slab[[]byte]
	attrT slab[onnxproto.AttributeProto_AttributeType]

	attrs   slab[onnxproto.AttributeProto]
	attrP   slab[*onnxproto.AttributeProto]
	tensors slab[onnxproto.TensorProto]
	tensorP slab[*onnxproto.TensorProto]
	vis     slab[onnxproto.ValueInfoProto]
	viP     slab[*onnxproto.ValueInfoProto]
	types   slab[onnxproto.TypeProto]
	ttypes  slab[onnxproto.TypeProto_Tensor]
	ttWrap  slab[onnxproto.TypeProto_TensorType]
	shapes  slab[onnxproto.TensorShapeProto]
	dims    slab[onnxproto.TensorShapeProto_Dimension]
	dimP    slab[*onnxproto.TensorShapeProto_Dimension]
	dimVal  slab[onnxproto.TensorShapeProto_Dimension_DimValue]
	dimPar  slab[onnxproto.TensorShapeProto_Dimension_DimParam]
	entries slab[onnxproto.StringStringEntryProto]
	entryP  slab[*onnxproto.StringStringEntryProto]
	graphs  slab[onnxproto.GraphProto]
	graphP  slab[*onnxproto.GraphProto]
}

// fastDecode decodes a model, calling onView (when not nil) for each
// raw_data it keeps as a view of b, with where the view starts; or it
// returns errGeneral, having perhaps called onView already.
func fastDecode(b []byte, onView func(*onnxproto.TensorProto, int)) (*onnxproto.ModelProto, error) {
	d := &wireDecoder{onView: onView}
	mp := new(onnxproto.ModelProto)
	if err := d.model(b, mp); err != nil {
		return nil, err
	}
	return mp, nil
}

// wfield is one field of a message.
type wfield struct {
	num protowire.Number
	typ protowire.Type
	x   uint64 // a varint, or the bits of a fixed32 or fixed64
	v   []byte // a length-delimited field's bytes
	off int    // where v starts in the message
	val int    // where the value (a length-delimited one's length) starts
}

// next reads the field at b[pos:] into f and returns where the next one
// starts.
func next(b []byte, pos int, f *wfield) (int, error) {
	tag, n := protowire.ConsumeVarint(b[pos:])
	if n < 0 || tag>>3 < uint64(protowire.MinValidNumber) || tag>>3 > uint64(protowire.MaxValidNumber) {
		return 0, errGeneral
	}
	pos += n
	f.num, f.typ, f.val = protowire.Number(tag>>3), protowire.Type(tag&7), pos
	switch f.typ {
	case protowire.VarintType:
		x, n := protowire.ConsumeVarint(b[pos:])
		if n < 0 {
			return 0, errGeneral
		}
		f.x = x
		return pos + n, nil
	case protowire.Fixed32Type:
		if len(b)-pos < 4 {
			return 0, errGeneral
		}
		f.x = uint64(binary.LittleEndian.Uint32(b[pos:]))
		return pos + 4, nil
	case protowire.Fixed64Type:
		if len(b)-pos < 8 {
			return 0, errGeneral
		}
		f.x = binary.LittleEndian.Uint64(b[pos:])
		return pos + 8, nil
	case protowire.BytesType:
		l, n := protowire.ConsumeVarint(b[pos:])
		if n < 0 || l > uint64(len(b)-pos-n) {
			return 0, errGeneral
		}
		f.off = pos + n
		f.v = b[f.off : f.off+int(l)]
		return f.off + int(l), nil
	}
	return 0, errGeneral // groups, and wire types that do not exist
}

// Counting. Lists are allocated at their final size: a first pass over a
// message counts the elements of each list field.

// Elements a field holds, for count.
const (
	cNone   = iota
	cEach   // one per length-delimited field (messages, strings, bytes)
	cVarint // a varint scalar, unpacked or packed
	cFixed4 // a 4-byte scalar, unpacked or packed
	cFixed8 // an 8-byte scalar, unpacked or packed
)

// maxCounted is the largest field number counted: the format's largest
// list field is ModelProto.configuration (26).
const maxCounted = 26

type countSpec [maxCounted + 1]uint8

type counts [maxCounted + 1]int

// count counts the list elements of message b as spec says. A field of
// another wire type than its spec is not counted: the reader refuses it.
func (c *counts) count(b []byte, spec *countSpec) error {
	var f wfield
	for pos := 0; pos < len(b); {
		var err error
		if pos, err = next(b, pos, &f); err != nil {
			return err
		}
		if f.num > maxCounted {
			continue
		}
		switch k := spec[f.num]; {
		case k == cNone:
		case f.typ == protowire.BytesType && k == cEach:
			c[f.num]++
		case f.typ == protowire.BytesType && k == cVarint:
			for _, x := range f.v {
				if x < 0x80 {
					c[f.num]++
				}
			}
		case f.typ == protowire.BytesType: // packed fixed-size values
			size := 4
			if k == cFixed8 {
				size = 8
			}
			if len(f.v)%size != 0 {
				return errGeneral
			}
			c[f.num] += len(f.v) / size
		case k == cVarint && f.typ == protowire.VarintType,
			k == cFixed4 && f.typ == protowire.Fixed32Type,
			k == cFixed8 && f.typ == protowire.Fixed64Type:
			c[f.num]++
		}
	}
	return nil
}

var (
	modelSpec  = countSpec{8: cEach, 14: cEach, 20: cEach, 25: cEach, 26: cEach}
	graphSpec  = countSpec{1: cEach, 5: cEach, 11: cEach, 12: cEach, 13: cEach, 14: cEach, 15: cEach, 16: cEach}
	nodeSpec   = countSpec{1: cEach, 2: cEach, 5: cEach, 9: cEach}
	attrSpec   = countSpec{7: cFixed4, 8: cVarint, 9: cEach, 10: cEach, 11: cEach, 15: cEach, 23: cEach}
	tensorSpec = countSpec{1: cVarint, 4: cFixed4, 5: cVarint, 6: cEach, 7: cVarint, 10: cFixed8, 11: cVarint, 13: cEach, 16: cEach}
	funcSpec   = countSpec{4: cEach, 5: cEach, 6: cEach, 7: cEach, 9: cEach, 11: cEach, 12: cEach, 14: cEach}
	trainSpec  = countSpec{3: cEach, 4: cEach}
	confSpec   = countSpec{3: cEach}
	shapeSpec  = countSpec{1: cEach}
	viSpec     = countSpec{4: cEach}
	sparseSpec = countSpec{3: cVarint}
	annotSpec  = countSpec{2: cEach}
)

// list is the filling of one list field: its elements and how many are set.
type list[T any] struct {
	s []T
	n int
}

func (l *list[T]) add(v T) error {
	if l.n >= len(l.s) {
		return errGeneral
	}
	l.s[l.n] = v
	l.n++
	return nil
}

// slot returns the next element of a list of messages, allocated by the
// count, for field f to fill.
func slot[T any](l *list[*T], f *wfield) (*T, error) {
	if f.typ != protowire.BytesType || l.n >= len(l.s) {
		return nil, errGeneral
	}
	l.n++
	return l.s[l.n-1], nil
}

// out returns the elements set, nil when there are none. Counting and
// filling see the same fields, so all are set; out holds to that anyway.
func (l *list[T]) out() []T {
	if l.n == 0 {
		return nil
	}
	return l.s[:l.n:l.n]
}

// Field readers. Each checks the wire type and fails to the general path
// when it is not the field's.

// isMsg reports whether f can be read as a singular message field not
// seen before (set says whether it was).
func isMsg(f *wfield, set bool) bool { return f.typ == protowire.BytesType && !set }

func (d *wireDecoder) strPtr(f *wfield) (*string, error) {
	if f.typ != protowire.BytesType {
		return nil, errGeneral
	}
	p := d.strs.one()
	*p = d.text.str(f.v)
	return p, nil
}

func (d *wireDecoder) i64Ptr(f *wfield) (*int64, error) {
	if f.typ != protowire.VarintType {
		return nil, errGeneral
	}
	p := d.i64s.one()
	*p = int64(f.x)
	return p, nil
}

func (d *wireDecoder) i32Ptr(f *wfield) (*int32, error) {
	if f.typ != protowire.VarintType {
		return nil, errGeneral
	}
	p := d.i32s.one()
	*p = int32(f.x)
	return p, nil
}

// addStr adds a string field's value.
func (d *wireDecoder) addStr(l *list[string], f *wfield) error {
	if f.typ != protowire.BytesType {
		return errGeneral
	}
	return l.add(d.text.str(f.v))
}

// addBytes adds a bytes field's value (a copy, never nil, as protobuf's).
func (d *wireDecoder) addBytes(l *list[[]byte], f *wfield) error {
	if f.typ != protowire.BytesType {
		return errGeneral
	}
	return l.add(d.bytes.copy(f.v))
}

// addVarints adds a varint scalar field's values, packed or not.
func addVarints[T int64 | int32 | uint64](l *list[T], f *wfield) error {
	switch f.typ {
	case protowire.VarintType:
		return l.add(T(f.x))
	case protowire.BytesType:
		for v := f.v; len(v) > 0; {
			x, n := protowire.ConsumeVarint(v)
			if n < 0 {
				return errGeneral
			}
			if err := l.add(T(x)); err != nil {
				return err
			}
			v = v[n:]
		}
		return nil
	}
	return errGeneral
}

// addFloats adds a float field's values, packed or not.
func addFloats(l *list[float32], f *wfield) error {
	switch f.typ {
	case protowire.Fixed32Type:
		return l.add(math.Float32frombits(uint32(f.x)))
	case protowire.BytesType:
		if len(f.v)%4 != 0 {
			return errGeneral
		}
		for v := f.v; len(v) >= 4; v = v[4:] {
			if err := l.add(math.Float32frombits(binary.LittleEndian.Uint32(v))); err != nil {
				return err
			}
		}
		return nil
	}
	return errGeneral
}

// addDoubles adds a double field's values, packed or not.
func addDoubles(l *list[float64], f *wfield) error {
	switch f.typ {
	case protowire.Fixed64Type:
		return l.add(math.Float64frombits(f.x))
	case protowire.BytesType:
		if len(f.v)%8 != 0 {
			return errGeneral
		}
		for v := f.v; len(v) >= 8; v = v[8:] {
			if err := l.add(math.Float64frombits(binary.LittleEndian.Uint64(v))); err != nil {
				return err
			}
		}
		return nil
	}
	return errGeneral
}

// fields calls fn for each field of message b, and gives m the fields fn
// does not know (known false), in order, as its unknown fields. As
// protobuf does, it keeps such a field's value as it is and writes its tag
// anew, in the shortest form.
func fields(b []byte, m proto.Message, fn func(f wfield) (known bool, err error)) error {
	var u []byte
	var f wfield
	for pos := 0; pos < len(b); {
		var err error
		if pos, err = next(b, pos, &f); err != nil {
			return err
		}
		known, err := fn(f) // by value: a pointer would move f to the heap
		if err != nil {
			return err
		}
		if !known {
			u = protowire.AppendTag(u, f.num, f.typ)
			u = append(u, b[f.val:pos]...)
		}
	}
	if len(u) > 0 {
		m.ProtoReflect().SetUnknown(u)
	}
	return nil
}

func (d *wireDecoder) model(b []byte, m *onnxproto.ModelProto) error {
	var c counts
	if err := c.count(b, &modelSpec); err != nil {
		return err
	}
	opsets := list[*onnxproto.OperatorSetIdProto]{s: ptrsOwn[onnxproto.OperatorSetIdProto](c[8])}
	meta := list[*onnxproto.StringStringEntryProto]{s: ptrs(&d.entries, &d.entryP, c[14])}
	train := list[*onnxproto.TrainingInfoProto]{s: ptrsOwn[onnxproto.TrainingInfoProto](c[20])}
	funcs := list[*onnxproto.FunctionProto]{s: ptrsOwn[onnxproto.FunctionProto](c[25])}
	confs := list[*onnxproto.DeviceConfigurationProto]{s: ptrsOwn[onnxproto.DeviceConfigurationProto](c[26])}
	err := fields(b, m, func(fv wfield) (bool, error) {
		f := &fv
		var err error
		switch f.num {
		case 1:
			m.IrVersion, err = d.i64Ptr(f)
		case 2:
			m.ProducerName, err = d.strPtr(f)
		case 3:
			m.ProducerVersion, err = d.strPtr(f)
		case 4:
			m.Domain, err = d.strPtr(f)
		case 5:
			m.ModelVersion, err = d.i64Ptr(f)
		case 6:
			m.DocString, err = d.strPtr(f)
		case 7:
			if !isMsg(f, m.Graph != nil) {
				return true, errGeneral
			}
			m.Graph = new(onnxproto.GraphProto)
			err = d.graph(f.v, f.off, m.Graph)
		case 8:
			var o *onnxproto.OperatorSetIdProto
			if o, err = slot(&opsets, f); err == nil {
				err = d.opset(f.v, o)
			}
		case 14:
			err = d.entry(&meta, f)
		case 20:
			var t *onnxproto.TrainingInfoProto
			if t, err = slot(&train, f); err == nil {
				err = d.trainingInfo(f.v, f.off, t)
			}
		case 25:
			var fp *onnxproto.FunctionProto
			if fp, err = slot(&funcs, f); err == nil {
				err = d.function(f.v, f.off, fp)
			}
		case 26:
			var dc *onnxproto.DeviceConfigurationProto
			if dc, err = slot(&confs, f); err == nil {
				err = d.deviceConfiguration(f.v, dc)
			}
		default:
			return false, nil
		}
		return true, err
	})
	if err != nil {
		return err
	}
	m.OpsetImport, m.MetadataProps = opsets.out(), meta.out()
	m.TrainingInfo, m.Functions, m.Configuration = train.out(), funcs.out(), confs.out()
	return nil
}

func (d *wireDecoder) opset(b []byte, o *onnxproto.OperatorSetIdProto) error {
	return fields(b, o, func(fv wfield) (bool, error) {
		f := &fv
		var err error
		switch f.num {
		case 1:
			o.Domain, err = d.strPtr(f)
		case 2:
			o.Version, err = d.i64Ptr(f)
		default:
			return false, nil
		}
		return true, err
	})
}

// entry reads a StringStringEntryProto field into the next element of l.
func (d *wireDecoder) entry(l *list[*onnxproto.StringStringEntryProto], f *wfield) error {
	e, err := slot(l, f)
	if err != nil {
		return err
	}
	return fields(f.v, e, func(gv wfield) (bool, error) {
		g := &gv
		var err error
		switch g.num {
		case 1:
			e.Key, err = d.strPtr(g)
		case 2:
			e.Value, err = d.strPtr(g)
		default:
			return false, nil
		}
		return true, err
	})
}

func (d *wireDecoder) trainingInfo(b []byte, base int, t *onnxproto.TrainingInfoProto) error {
	var c counts
	if err := c.count(b, &trainSpec); err != nil {
		return err
	}
	initB := list[*onnxproto.StringStringEntryProto]{s: ptrs(&d.entries, &d.entryP, c[3])}
	updB := list[*onnxproto.StringStringEntryProto]{s: ptrs(&d.entries, &d.entryP, c[4])}
	err := fields(b, t, func(fv wfield) (bool, error) {
		f := &fv
		var err error
		switch f.num {
		case 1:
			if !isMsg(f, t.Initialization != nil) {
				return true, errGeneral
			}
			t.Initialization = new(onnxproto.GraphProto)
			err = d.graph(f.v, base+f.off, t.Initialization)
		case 2:
			if !isMsg(f, t.Algorithm != nil) {
				return true, errGeneral
			}
			t.Algorithm = new(onnxproto.GraphProto)
			err = d.graph(f.v, base+f.off, t.Algorithm)
		case 3:
			err = d.entry(&initB, f)
		case 4:
			err = d.entry(&updB, f)
		default:
			return false, nil
		}
		return true, err
	})
	if err != nil {
		return err
	}
	t.InitializationBinding, t.UpdateBinding = initB.out(), updB.out()
	return nil
}

func (d *wireDecoder) deviceConfiguration(b []byte, dc *onnxproto.DeviceConfigurationProto) error {
	var c counts
	if err := c.count(b, &confSpec); err != nil {
		return err
	}
	devices := list[string]{s: d.strs.take(c[3])}
	err := fields(b, dc, func(fv wfield) (bool, error) {
		f := &fv
		var err error
		switch f.num {
		case 1:
			dc.Name, err = d.strPtr(f)
		case 2:
			dc.NumDevices, err = d.i32Ptr(f)
		case 3:
			err = d.addStr(&devices, f)
		default:
			return false, nil
		}
		return true, err
	})
	if err != nil {
		return err
	}
	dc.Device = devices.out()
	return nil
}

// graph reads GraphProto b, which starts at offset base of the input.
func (d *wireDecoder) graph(b []byte, base int, g *onnxproto.GraphProto) error {
	if d.depth++; d.depth > maxFastDepth {
		return errGeneral
	}
	defer func() { d.depth-- }()
	var c counts
	if err := c.count(b, &graphSpec); err != nil {
		return err
	}
	nodes := list[*onnxproto.NodeProto]{s: ptrsOwn[onnxproto.NodeProto](c[1])}
	inits := list[*onnxproto.TensorProto]{s: ptrsOwn[onnxproto.TensorProto](c[5])}
	ins := list[*onnxproto.ValueInfoProto]{s: ptrs(&d.vis, &d.viP, c[11])}
	outs := list[*onnxproto.ValueInfoProto]{s: ptrs(&d.vis, &d.viP, c[12])}
	vis := list[*onnxproto.ValueInfoProto]{s: ptrsOwn[onnxproto.ValueInfoProto](c[13])}
	annots := list[*onnxproto.TensorAnnotation]{s: ptrsOwn[onnxproto.TensorAnnotation](c[14])}
	sparse := list[*onnxproto.SparseTensorProto]{s: ptrsOwn[onnxproto.SparseTensorProto](c[15])}
	meta := list[*onnxproto.StringStringEntryProto]{s: ptrs(&d.entries, &d.entryP, c[16])}
	err := fields(b, g, func(fv wfield) (bool, error) {
		f := &fv
		var err error
		switch f.num {
		case 1:
			var n *onnxproto.NodeProto
			if n, err = slot(&nodes, f); err == nil {
				err = d.node(f.v, base+f.off, n)
			}
		case 2:
			g.Name, err = d.strPtr(f)
		case 5:
			var t *onnxproto.TensorProto
			if t, err = slot(&inits, f); err == nil {
				err = d.tensor(f.v, base+f.off, t)
			}
		case 10:
			g.DocString, err = d.strPtr(f)
		case 11:
			err = d.valueInfo(&ins, f)
		case 12:
			err = d.valueInfo(&outs, f)
		case 13:
			err = d.valueInfo(&vis, f)
		case 14:
			var a *onnxproto.TensorAnnotation
			if a, err = slot(&annots, f); err == nil {
				err = d.annotation(f.v, a)
			}
		case 15:
			var s *onnxproto.SparseTensorProto
			if s, err = slot(&sparse, f); err == nil {
				err = d.sparse(f.v, base+f.off, s)
			}
		case 16:
			err = d.entry(&meta, f)
		default:
			return false, nil
		}
		return true, err
	})
	if err != nil {
		return err
	}
	g.Node, g.Initializer, g.SparseInitializer = nodes.out(), inits.out(), sparse.out()
	g.Input, g.Output, g.ValueInfo = ins.out(), outs.out(), vis.out()
	g.QuantizationAnnotation, g.MetadataProps = annots.out(), meta.out()
	return nil
}

func (d *wireDecoder) node(b []byte, base int, n *onnxproto.NodeProto) error {
	var c counts
	if err := c.count(b, &nodeSpec); err != nil {
		return err
	}
	ins := list[string]{s: d.strs.take(c[1])}
	outs := list[string]{s: d.strs.take(c[2])}
	attrs := list[*onnxproto.AttributeProto]{s: ptrs(&d.attrs, &d.attrP, c[5])}
	meta := list[*onnxproto.StringStringEntryProto]{s: ptrs(&d.entries, &d.entryP, c[9])}
	err := fields(b, n, func(fv wfield) (bool, error) {
		f := &fv
		var err error
		switch f.num {
		case 1:
			err = d.addStr(&ins, f)
		case 2:
			err = d.addStr(&outs, f)
		case 3:
			n.Name, err = d.strPtr(f)
		case 4:
			n.OpType, err = d.strPtr(f)
		case 5:
			var a *onnxproto.AttributeProto
			if a, err = slot(&attrs, f); err == nil {
				err = d.attr(f.v, base+f.off, a)
			}
		case 6:
			n.DocString, err = d.strPtr(f)
		case 7:
			n.Domain, err = d.strPtr(f)
		case 8:
			n.Overload, err = d.strPtr(f)
		case 9:
			err = d.entry(&meta, f)
		case 10:
			err = errGeneral // device configurations: rare, left to protobuf
		default:
			return false, nil
		}
		return true, err
	})
	if err != nil {
		return err
	}
	n.Input, n.Output, n.Attribute, n.MetadataProps = ins.out(), outs.out(), attrs.out(), meta.out()
	return nil
}

func (d *wireDecoder) attr(b []byte, base int, a *onnxproto.AttributeProto) error {
	var c counts
	if err := c.count(b, &attrSpec); err != nil {
		return err
	}
	floats := list[float32]{s: d.f32s.take(c[7])}
	ints := list[int64]{s: d.i64s.take(c[8])}
	strs := list[[]byte]{s: d.bufs.take(c[9])}
	tensors := list[*onnxproto.TensorProto]{s: ptrs(&d.tensors, &d.tensorP, c[10])}
	graphs := list[*onnxproto.GraphProto]{s: ptrs(&d.graphs, &d.graphP, c[11])}
	tps := list[*onnxproto.TypeProto]{s: ptrsOwn[onnxproto.TypeProto](c[15])}
	sts := list[*onnxproto.SparseTensorProto]{s: ptrsOwn[onnxproto.SparseTensorProto](c[23])}
	err := fields(b, a, func(fv wfield) (bool, error) {
		f := &fv
		var err error
		switch f.num {
		case 1:
			a.Name, err = d.strPtr(f)
		case 2:
			if f.typ != protowire.Fixed32Type {
				return true, errGeneral
			}
			p := d.f32s.one()
			*p = math.Float32frombits(uint32(f.x))
			a.F = p
		case 3:
			a.I, err = d.i64Ptr(f)
		case 4:
			if f.typ != protowire.BytesType {
				return true, errGeneral
			}
			a.S = d.bytes.copy(f.v)
		case 5:
			if !isMsg(f, a.T != nil) {
				return true, errGeneral
			}
			a.T = d.tensors.one()
			err = d.tensor(f.v, base+f.off, a.T)
		case 6:
			if !isMsg(f, a.G != nil) {
				return true, errGeneral
			}
			a.G = d.graphs.one()
			err = d.graph(f.v, base+f.off, a.G)
		case 7:
			err = addFloats(&floats, f)
		case 8:
			err = addVarints(&ints, f)
		case 9:
			err = d.addBytes(&strs, f)
		case 10:
			var t *onnxproto.TensorProto
			if t, err = slot(&tensors, f); err == nil {
				err = d.tensor(f.v, base+f.off, t)
			}
		case 11:
			var g *onnxproto.GraphProto
			if g, err = slot(&graphs, f); err == nil {
				err = d.graph(f.v, base+f.off, g)
			}
		case 13:
			a.DocString, err = d.strPtr(f)
		case 14:
			if !isMsg(f, a.Tp != nil) {
				return true, errGeneral
			}
			a.Tp = d.types.one()
			err = d.typeProto(f.v, a.Tp)
		case 15:
			var tp *onnxproto.TypeProto
			if tp, err = slot(&tps, f); err == nil {
				err = d.typeProto(f.v, tp)
			}
		case 20:
			if f.typ != protowire.VarintType {
				return true, errGeneral
			}
			p := d.attrT.one()
			*p = onnxproto.AttributeProto_AttributeType(int32(f.x))
			a.Type = p
		case 21:
			a.RefAttrName, err = d.strPtr(f)
		case 22:
			if !isMsg(f, a.SparseTensor != nil) {
				return true, errGeneral
			}
			a.SparseTensor = new(onnxproto.SparseTensorProto)
			err = d.sparse(f.v, base+f.off, a.SparseTensor)
		case 23:
			var s *onnxproto.SparseTensorProto
			if s, err = slot(&sts, f); err == nil {
				err = d.sparse(f.v, base+f.off, s)
			}
		default:
			return false, nil
		}
		return true, err
	})
	if err != nil {
		return err
	}
	a.Floats, a.Ints, a.Strings = floats.out(), ints.out(), strs.out()
	a.Tensors, a.Graphs, a.TypeProtos, a.SparseTensors = tensors.out(), graphs.out(), tps.out(), sts.out()
	return nil
}

// tensor reads TensorProto b, which starts at offset base of the input.
func (d *wireDecoder) tensor(b []byte, base int, t *onnxproto.TensorProto) error {
	var c counts
	if err := c.count(b, &tensorSpec); err != nil {
		return err
	}
	dims := list[int64]{s: d.i64s.take(c[1])}
	floats := list[float32]{s: d.f32s.take(c[4])}
	i32 := list[int32]{s: d.i32s.take(c[5])}
	strs := list[[]byte]{s: d.bufs.take(c[6])}
	i64 := list[int64]{s: d.i64s.take(c[7])}
	doubles := list[float64]{s: make([]float64, c[10])}
	u64 := list[uint64]{s: make([]uint64, c[11])}
	ext := list[*onnxproto.StringStringEntryProto]{s: ptrs(&d.entries, &d.entryP, c[13])}
	meta := list[*onnxproto.StringStringEntryProto]{s: ptrs(&d.entries, &d.entryP, c[16])}
	view := -1 // where a raw_data view starts in the input
	err := fields(b, t, func(fv wfield) (bool, error) {
		f := &fv
		var err error
		switch f.num {
		case 1:
			err = addVarints(&dims, f)
		case 2:
			t.DataType, err = d.i32Ptr(f)
		case 3:
			if !isMsg(f, t.Segment != nil) {
				return true, errGeneral
			}
			t.Segment = new(onnxproto.TensorProto_Segment)
			err = d.segment(f.v, t.Segment)
		case 4:
			err = addFloats(&floats, f)
		case 5:
			err = addVarints(&i32, f)
		case 6:
			err = d.addBytes(&strs, f)
		case 7:
			err = addVarints(&i64, f)
		case 8:
			t.Name, err = d.strPtr(f)
		case 9:
			// Given twice, the last one counts (a scalar field).
			switch {
			case f.typ != protowire.BytesType:
				return true, errGeneral
			case len(f.v) >= minAlias:
				t.RawData = f.v[:len(f.v):len(f.v)]
				view = base + f.off
			default:
				t.RawData = d.bytes.copy(f.v)
				view = -1
			}
		case 10:
			err = addDoubles(&doubles, f)
		case 11:
			err = addVarints(&u64, f)
		case 12:
			t.DocString, err = d.strPtr(f)
		case 13:
			err = d.entry(&ext, f)
		case 14:
			if f.typ != protowire.VarintType {
				return true, errGeneral
			}
			loc := onnxproto.TensorProto_DataLocation(int32(f.x))
			t.DataLocation = &loc
		case 16:
			err = d.entry(&meta, f)
		default:
			return false, nil
		}
		return true, err
	})
	if err != nil {
		return err
	}
	t.Dims, t.FloatData, t.Int32Data, t.StringData, t.Int64Data = dims.out(), floats.out(), i32.out(), strs.out(), i64.out()
	t.DoubleData, t.Uint64Data, t.ExternalData, t.MetadataProps = doubles.out(), u64.out(), ext.out(), meta.out()
	if view >= 0 && d.onView != nil {
		d.onView(t, view)
	}
	return nil
}

func (d *wireDecoder) segment(b []byte, s *onnxproto.TensorProto_Segment) error {
	return fields(b, s, func(fv wfield) (bool, error) {
		f := &fv
		var err error
		switch f.num {
		case 1:
			s.Begin, err = d.i64Ptr(f)
		case 2:
			s.End, err = d.i64Ptr(f)
		default:
			return false, nil
		}
		return true, err
	})
}

func (d *wireDecoder) sparse(b []byte, base int, s *onnxproto.SparseTensorProto) error {
	var c counts
	if err := c.count(b, &sparseSpec); err != nil {
		return err
	}
	dims := list[int64]{s: d.i64s.take(c[3])}
	err := fields(b, s, func(fv wfield) (bool, error) {
		f := &fv
		var err error
		switch f.num {
		case 1:
			if !isMsg(f, s.Values != nil) {
				return true, errGeneral
			}
			s.Values = d.tensors.one()
			err = d.tensor(f.v, base+f.off, s.Values)
		case 2:
			if !isMsg(f, s.Indices != nil) {
				return true, errGeneral
			}
			s.Indices = d.tensors.one()
			err = d.tensor(f.v, base+f.off, s.Indices)
		case 3:
			err = addVarints(&dims, f)
		default:
			return false, nil
		}
		return true, err
	})
	if err != nil {
		return err
	}
	s.Dims = dims.out()
	return nil
}

func (d *wireDecoder) annotation(b []byte, a *onnxproto.TensorAnnotation) error {
	var c counts
	if err := c.count(b, &annotSpec); err != nil {
		return err
	}
	names := list[*onnxproto.StringStringEntryProto]{s: ptrs(&d.entries, &d.entryP, c[2])}
	err := fields(b, a, func(fv wfield) (bool, error) {
		f := &fv
		var err error
		switch f.num {
		case 1:
			a.TensorName, err = d.strPtr(f)
		case 2:
			err = d.entry(&names, f)
		default:
			return false, nil
		}
		return true, err
	})
	if err != nil {
		return err
	}
	a.QuantParameterTensorNames = names.out()
	return nil
}

// valueInfo reads a ValueInfoProto field into the next element of l.
func (d *wireDecoder) valueInfo(l *list[*onnxproto.ValueInfoProto], f *wfield) error {
	vi, err := slot(l, f)
	if err != nil {
		return err
	}
	var c counts
	if err := c.count(f.v, &viSpec); err != nil {
		return err
	}
	meta := list[*onnxproto.StringStringEntryProto]{s: ptrs(&d.entries, &d.entryP, c[4])}
	err = fields(f.v, vi, func(gv wfield) (bool, error) {
		g := &gv
		var err error
		switch g.num {
		case 1:
			vi.Name, err = d.strPtr(g)
		case 2:
			if !isMsg(g, vi.Type != nil) {
				return true, errGeneral
			}
			vi.Type = d.types.one()
			err = d.typeProto(g.v, vi.Type)
		case 3:
			vi.DocString, err = d.strPtr(g)
		case 4:
			err = d.entry(&meta, g)
		default:
			return false, nil
		}
		return true, err
	})
	if err != nil {
		return err
	}
	vi.MetadataProps = meta.out()
	return nil
}

func (d *wireDecoder) typeProto(b []byte, t *onnxproto.TypeProto) error {
	if d.depth++; d.depth > maxFastDepth {
		return errGeneral
	}
	defer func() { d.depth-- }()
	return fields(b, t, func(fv wfield) (bool, error) {
		f := &fv
		switch f.num {
		case 1, 4, 5, 8, 9:
			// A oneof member: a second one of the same kind merges into
			// the first (left to protobuf); another kind replaces it.
			if f.typ != protowire.BytesType || sameOneof(t.Value, f.num) {
				return true, errGeneral
			}
			return true, d.typeValue(f.v, f.num, t)
		case 6:
			var err error
			t.Denotation, err = d.strPtr(f)
			return true, err
		}
		return false, nil
	})
}

// sameOneof reports whether v is TypeProto's oneof member numbered num.
func sameOneof(v any, num protowire.Number) bool {
	switch v.(type) {
	case *onnxproto.TypeProto_TensorType:
		return num == 1
	case *onnxproto.TypeProto_SequenceType:
		return num == 4
	case *onnxproto.TypeProto_MapType:
		return num == 5
	case *onnxproto.TypeProto_SparseTensorType:
		return num == 8
	case *onnxproto.TypeProto_OptionalType:
		return num == 9
	}
	return false
}

// typeValue reads TypeProto's oneof member num from b into t.
func (d *wireDecoder) typeValue(b []byte, num protowire.Number, t *onnxproto.TypeProto) error {
	switch num {
	case 1:
		tt := d.ttypes.one()
		w := d.ttWrap.one()
		w.TensorType = tt
		t.Value = w
		return d.tensorType(b, &tt.ElemType, &tt.Shape, tt)
	case 8:
		st := new(onnxproto.TypeProto_SparseTensor)
		t.Value = &onnxproto.TypeProto_SparseTensorType{SparseTensorType: st}
		return d.tensorType(b, &st.ElemType, &st.Shape, st)
	case 4:
		s := new(onnxproto.TypeProto_Sequence)
		t.Value = &onnxproto.TypeProto_SequenceType{SequenceType: s}
		return d.elemType(b, &s.ElemType, s)
	case 9:
		o := new(onnxproto.TypeProto_Optional)
		t.Value = &onnxproto.TypeProto_OptionalType{OptionalType: o}
		return d.elemType(b, &o.ElemType, o)
	}
	mt := new(onnxproto.TypeProto_Map)
	t.Value = &onnxproto.TypeProto_MapType{MapType: mt}
	return fields(b, mt, func(fv wfield) (bool, error) {
		f := &fv
		var err error
		switch f.num {
		case 1:
			mt.KeyType, err = d.i32Ptr(f)
		case 2:
			if !isMsg(f, mt.ValueType != nil) {
				return true, errGeneral
			}
			mt.ValueType = d.types.one()
			err = d.typeProto(f.v, mt.ValueType)
		default:
			return false, nil
		}
		return true, err
	})
}

// tensorType reads a TypeProto.Tensor or TypeProto.SparseTensor (the same
// fields) into m, whose fields elem and shape are.
func (d *wireDecoder) tensorType(b []byte, elem **int32, shape **onnxproto.TensorShapeProto, m proto.Message) error {
	return fields(b, m, func(fv wfield) (bool, error) {
		f := &fv
		var err error
		switch f.num {
		case 1:
			*elem, err = d.i32Ptr(f)
		case 2:
			if !isMsg(f, *shape != nil) {
				return true, errGeneral
			}
			*shape = d.shapes.one()
			err = d.shape(f.v, *shape)
		default:
			return false, nil
		}
		return true, err
	})
}

// elemType reads a TypeProto.Sequence or TypeProto.Optional (the same
// field) into m, whose field elem is.
func (d *wireDecoder) elemType(b []byte, elem **onnxproto.TypeProto, m proto.Message) error {
	return fields(b, m, func(fv wfield) (bool, error) {
		f := &fv
		if f.num != 1 {
			return false, nil
		}
		if !isMsg(f, *elem != nil) {
			return true, errGeneral
		}
		*elem = d.types.one()
		return true, d.typeProto(f.v, *elem)
	})
}

func (d *wireDecoder) shape(b []byte, s *onnxproto.TensorShapeProto) error {
	var c counts
	if err := c.count(b, &shapeSpec); err != nil {
		return err
	}
	dims := list[*onnxproto.TensorShapeProto_Dimension]{s: ptrs(&d.dims, &d.dimP, c[1])}
	err := fields(b, s, func(fv wfield) (bool, error) {
		f := &fv
		if f.num != 1 {
			return false, nil
		}
		dm, err := slot(&dims, f)
		if err == nil {
			err = d.dim(f.v, dm)
		}
		return true, err
	})
	if err != nil {
		return err
	}
	s.Dim = dims.out()
	return nil
}

func (d *wireDecoder) dim(b []byte, dm *onnxproto.TensorShapeProto_Dimension) error {
	return fields(b, dm, func(fv wfield) (bool, error) {
		f := &fv
		var err error
		switch f.num {
		case 1: // oneof scalars: the last one counts
			if f.typ != protowire.VarintType {
				return true, errGeneral
			}
			w := d.dimVal.one()
			w.DimValue = int64(f.x)
			dm.Value = w
		case 2:
			if f.typ != protowire.BytesType {
				return true, errGeneral
			}
			w := d.dimPar.one()
			w.DimParam = d.text.str(f.v)
			dm.Value = w
		case 3:
			dm.Denotation, err = d.strPtr(f)
		default:
			return false, nil
		}
		return true, err
	})
}

func (d *wireDecoder) function(b []byte, base int, fp *onnxproto.FunctionProto) error {
	var c counts
	if err := c.count(b, &funcSpec); err != nil {
		return err
	}
	ins := list[string]{s: d.strs.take(c[4])}
	outs := list[string]{s: d.strs.take(c[5])}
	attrNames := list[string]{s: d.strs.take(c[6])}
	nodes := list[*onnxproto.NodeProto]{s: ptrsOwn[onnxproto.NodeProto](c[7])}
	opsets := list[*onnxproto.OperatorSetIdProto]{s: ptrsOwn[onnxproto.OperatorSetIdProto](c[9])}
	attrs := list[*onnxproto.AttributeProto]{s: ptrs(&d.attrs, &d.attrP, c[11])}
	vis := list[*onnxproto.ValueInfoProto]{s: ptrs(&d.vis, &d.viP, c[12])}
	meta := list[*onnxproto.StringStringEntryProto]{s: ptrs(&d.entries, &d.entryP, c[14])}
	err := fields(b, fp, func(fv wfield) (bool, error) {
		f := &fv
		var err error
		switch f.num {
		case 1:
			fp.Name, err = d.strPtr(f)
		case 4:
			err = d.addStr(&ins, f)
		case 5:
			err = d.addStr(&outs, f)
		case 6:
			err = d.addStr(&attrNames, f)
		case 7:
			var n *onnxproto.NodeProto
			if n, err = slot(&nodes, f); err == nil {
				err = d.node(f.v, base+f.off, n)
			}
		case 8:
			fp.DocString, err = d.strPtr(f)
		case 9:
			var o *onnxproto.OperatorSetIdProto
			if o, err = slot(&opsets, f); err == nil {
				err = d.opset(f.v, o)
			}
		case 10:
			fp.Domain, err = d.strPtr(f)
		case 11:
			var a *onnxproto.AttributeProto
			if a, err = slot(&attrs, f); err == nil {
				err = d.attr(f.v, base+f.off, a)
			}
		case 12:
			err = d.valueInfo(&vis, f)
		case 13:
			fp.Overload, err = d.strPtr(f)
		case 14:
			err = d.entry(&meta, f)
		default:
			return false, nil
		}
		return true, err
	})
	if err != nil {
		return err
	}
	fp.Input, fp.Output, fp.Attribute, fp.Node, fp.OpsetImport = ins.out(), outs.out(), attrNames.out(), nodes.out(), opsets.out()
	fp.AttributeProto, fp.ValueInfo, fp.MetadataProps = attrs.out(), vis.out(), meta.out()
	return nil
}
