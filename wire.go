package onnxgraph

import (
	"fmt"
	"strings"
	"sync"

	"github.com/onnxgraph/onnxgraph/onnxproto"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// The zero-copy path. protobuf-go copies every bytes field it unmarshals, so
// a model's weights would be copied once on load and once more on save. To
// avoid both, raw_data fields of tensors are cut out of the wire bytes before
// proto.Unmarshal sees them: each is replaced by a small marker field (an
// unknown field with a reserved number whose varint is an index into a table
// of views), and after unmarshalling the markers are swapped for views of the
// original bytes. (This is the general path: the fast decoder of
// wire_decode.go makes the views itself. Saves write raw_data straight from
// the views: see wire_encode.go.)

// markerField is the field number of the marker; it is the largest legal
// field number, and a model that already uses it on a TensorProto is decoded
// without aliasing.
const markerField protowire.Number = protowire.MaxValidNumber

// minAlias is the smallest raw_data kept as a view; smaller ones are copied
// with the skeleton, where a view would cost more than it saves.
const minAlias = 256

var (
	tensorDesc = (&onnxproto.TensorProto{}).ProtoReflect().Descriptor()
	rawDataNum = tensorDesc.Fields().ByName("raw_data").Number()
)

// reachesTensor reports whether messages of type md can contain a TensorProto.
var reachesTensor = struct {
	sync.Mutex
	m map[protoreflect.FullName]bool
}{m: map[protoreflect.FullName]bool{}}

func canReachTensor(md protoreflect.MessageDescriptor) bool {
	reachesTensor.Lock()
	defer reachesTensor.Unlock()
	return reach(md, map[protoreflect.FullName]bool{})
}

func reach(md protoreflect.MessageDescriptor, visiting map[protoreflect.FullName]bool) bool {
	if md.FullName() == tensorDesc.FullName() {
		return true
	}
	if r, ok := reachesTensor.m[md.FullName()]; ok {
		return r
	}
	if visiting[md.FullName()] {
		return false
	}
	visiting[md.FullName()] = true
	r := false
	fields := md.Fields()
	for i := 0; i < fields.Len(); i++ {
		if f := fields.Get(i); f.Message() != nil && reach(f.Message(), visiting) {
			r = true
		}
	}
	delete(visiting, md.FullName())
	if len(visiting) == 0 || r {
		reachesTensor.m[md.FullName()] = r
	}
	return r
}

// stripper cuts large raw_data fields out of wire bytes.
type stripper struct {
	views   [][]byte
	offs    []int // where each view starts in the input
	reached map[protoreflect.FullName]bool
	clash   bool // a tensor already uses markerField
	depth   int  // messages entered, against protowire.DefaultRecursionLimit
}

// strip returns the skeleton of the message b of type md and whether it
// differs from b. Errors name the message path and the byte offset.
func (s *stripper) strip(md protoreflect.MessageDescriptor, b []byte, base int, path *lazyPath) ([]byte, bool, error) {
	if s.depth++; s.depth > protowire.DefaultRecursionLimit {
		return nil, false, wireError(path.String(), base, errTooDeep)
	}
	defer func() { s.depth-- }()
	var out []byte
	changed := false
	isTensor := md.FullName() == tensorDesc.FullName()
	pos := 0
	for pos < len(b) {
		start := pos
		num, typ, n := protowire.ConsumeTag(b[pos:])
		if n < 0 {
			return nil, false, wireError(path.String(), base+pos, protowire.ParseError(n))
		}
		pos += n
		if isTensor && num == markerField {
			s.clash = true
		}
		fd := md.Fields().ByNumber(num)
		if fd != nil && !wireTypeOK(fd, typ) {
			return nil, false, wireError(fieldPath(path.String(), md, num), base+start, wrongWireType(fd, typ))
		}
		if typ != protowire.BytesType {
			m := protowire.ConsumeFieldValue(num, typ, b[pos:])
			if m < 0 {
				return nil, false, wireError(path.String(), base+pos, protowire.ParseError(m))
			}
			pos += m
			if changed {
				out = append(out, b[start:pos]...)
			}
			continue
		}
		v, m := protowire.ConsumeBytes(b[pos:])
		if m < 0 {
			return nil, false, wireError(fieldPath(path.String(), md, num), base+pos, protowire.ParseError(m))
		}
		vstart := base + pos + m - len(v)
		pos += m
		if isTensor && num == rawDataNum && len(v) >= minAlias {
			if !changed {
				out = append(make([]byte, 0, start+64), b[:start]...)
				changed = true
			}
			out = protowire.AppendTag(out, markerField, protowire.VarintType)
			out = protowire.AppendVarint(out, uint64(len(s.views)))
			s.views = append(s.views, v[:len(v):len(v)])
			s.offs = append(s.offs, vstart)
			continue
		}
		var sub []byte
		subChanged := false
		if fd != nil && fd.Message() != nil && s.reaches(fd.Message()) {
			var err error
			sub, subChanged, err = s.strip(fd.Message(), v, vstart, &lazyPath{parent: path, md: md, num: num})
			if err != nil {
				return nil, false, err
			}
		}
		switch {
		case subChanged:
			if !changed {
				out = append(make([]byte, 0, start+len(sub)+16), b[:start]...)
				changed = true
			}
			out = protowire.AppendTag(out, num, protowire.BytesType)
			out = protowire.AppendBytes(out, sub)
		case changed:
			out = append(out, b[start:pos]...)
		}
	}
	if !changed {
		return b, false, nil
	}
	return out, true, nil
}

func (s *stripper) reaches(md protoreflect.MessageDescriptor) bool {
	if r, ok := s.reached[md.FullName()]; ok {
		return r
	}
	r := canReachTensor(md)
	if s.reached == nil {
		s.reached = map[protoreflect.FullName]bool{}
	}
	s.reached[md.FullName()] = r
	return r
}

// maxPath caps a message path's length: a deeply nested input would
// otherwise build paths whose total size grows with the square of the depth.
const maxPath = 160

// lazyPath is a message path, built as text only when an error names it.
type lazyPath struct {
	parent *lazyPath // nil at the root
	root   string    // the root message's name
	md     protoreflect.MessageDescriptor
	num    protowire.Number
}

func (p *lazyPath) String() string {
	if p.parent == nil {
		return p.root
	}
	return fieldPath(p.parent.String(), p.md, p.num)
}

func fieldPath(path string, md protoreflect.MessageDescriptor, num protowire.Number) string {
	var p string
	if fd := md.Fields().ByNumber(num); fd != nil {
		p = path + "." + string(fd.Name())
	} else {
		p = fmt.Sprintf("%s.%d", path, num)
	}
	if len(p) <= maxPath {
		return p
	}
	// Keep the head and the innermost fields: "ModelProto.graph.node...attribute.g".
	const head = 48
	tail := p[len(p)-(maxPath-head-3):]
	if i := strings.IndexByte(tail, '.'); i >= 0 {
		tail = tail[i+1:]
	}
	return p[:head] + "..." + tail
}

var errTooDeep = fmt.Errorf("messages nested more than %d deep", protowire.DefaultRecursionLimit)

// wireTypeOK reports whether a field of fd's kind may be encoded with typ.
// protobuf-go keeps a known field with the wrong wire type as an unknown
// field, which would silently drop, say, a model's graph.
func wireTypeOK(fd protoreflect.FieldDescriptor, typ protowire.Type) bool {
	want := kindWireType(fd.Kind())
	return typ == want || (typ == protowire.BytesType && fd.IsList() && want != protowire.StartGroupType)
}

func kindWireType(k protoreflect.Kind) protowire.Type {
	switch k {
	case protoreflect.Fixed32Kind, protoreflect.Sfixed32Kind, protoreflect.FloatKind:
		return protowire.Fixed32Type
	case protoreflect.Fixed64Kind, protoreflect.Sfixed64Kind, protoreflect.DoubleKind:
		return protowire.Fixed64Type
	case protoreflect.StringKind, protoreflect.BytesKind, protoreflect.MessageKind:
		return protowire.BytesType
	case protoreflect.GroupKind:
		return protowire.StartGroupType
	}
	return protowire.VarintType
}

func wrongWireType(fd protoreflect.FieldDescriptor, typ protowire.Type) error {
	return fmt.Errorf("field %s (%d) has wire type %s, want %s", fd.Name(), fd.Number(), wireTypeName(typ), wireTypeName(kindWireType(fd.Kind())))
}

func wireTypeName(t protowire.Type) string {
	switch t {
	case protowire.VarintType:
		return "varint"
	case protowire.Fixed32Type:
		return "fixed32"
	case protowire.Fixed64Type:
		return "fixed64"
	case protowire.BytesType:
		return "bytes"
	case protowire.StartGroupType:
		return "start-group"
	case protowire.EndGroupType:
		return "end-group"
	}
	return fmt.Sprintf("%d", t)
}

// locate finds the first malformed spot in message b of type md, looking
// into every message field (strip looks only into those that can hold a
// tensor), and returns it as a *DecodeError, or nil when it finds none. It
// runs only after proto.Unmarshal has failed, to say where.
func locate(md protoreflect.MessageDescriptor, b []byte, base int, path string, depth int) error {
	if depth > protowire.DefaultRecursionLimit {
		return wireError(path, base, errTooDeep)
	}
	for pos := 0; pos < len(b); {
		num, typ, n := protowire.ConsumeTag(b[pos:])
		if n < 0 {
			return wireError(path, base+pos, protowire.ParseError(n))
		}
		fd := md.Fields().ByNumber(num)
		if fd != nil && !wireTypeOK(fd, typ) {
			return wireError(fieldPath(path, md, num), base+pos, wrongWireType(fd, typ))
		}
		m := protowire.ConsumeFieldValue(num, typ, b[pos+n:])
		if m < 0 {
			return wireError(fieldPath(path, md, num), base+pos+n, protowire.ParseError(m))
		}
		if fd != nil && typ == protowire.BytesType {
			v, _ := protowire.ConsumeBytes(b[pos+n:])
			vstart := base + pos + n + m - len(v)
			switch want := kindWireType(fd.Kind()); {
			case fd.Message() != nil:
				if err := locate(fd.Message(), v, vstart, fieldPath(path, md, num), depth+1); err != nil {
					return err
				}
			case want != protowire.BytesType && !packedOK(want, v):
				return wireError(fieldPath(path, md, num), vstart, fmt.Errorf("packed %s values cut short", wireTypeName(want)))
			}
		}
		pos += n + m
	}
	return nil
}

// packedOK reports whether v is a whole number of packed values of type t.
func packedOK(t protowire.Type, v []byte) bool {
	switch t {
	case protowire.Fixed32Type:
		return len(v)%4 == 0
	case protowire.Fixed64Type:
		return len(v)%8 == 0
	}
	for len(v) > 0 {
		_, n := protowire.ConsumeVarint(v)
		if n < 0 {
			return false
		}
		v = v[n:]
	}
	return true
}

func wireError(path string, off int, err error) error {
	return &DecodeError{Path: path, Offset: int64(off), Err: err}
}

// takeMarker removes every marker from a tensor's unknown fields and
// returns how many there were and the last one's view index.
func takeMarker(t *onnxproto.TensorProto) (idx, count int) {
	r := t.ProtoReflect()
	u := r.GetUnknown()
	if len(u) == 0 {
		return 0, 0
	}
	var rest []byte
	for pos := 0; pos < len(u); {
		num, typ, n := protowire.ConsumeTag(u[pos:])
		if n < 0 {
			return 0, 0
		}
		m := protowire.ConsumeFieldValue(num, typ, u[pos+n:])
		if m < 0 {
			return 0, 0
		}
		if num == markerField && typ == protowire.VarintType {
			v, _ := protowire.ConsumeVarint(u[pos+n:])
			idx, count = int(min(v, 1<<31)), count+1
		} else {
			rest = append(rest, u[pos:pos+n+m]...)
		}
		pos += n + m
	}
	if count > 0 {
		r.SetUnknown(rest)
	}
	return idx, count
}
