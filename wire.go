package onnxgraph

import (
	"fmt"
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
// original bytes. Saving runs the same trick in reverse: tensors are
// marshalled with markers, and the writer streams each marker's bytes
// straight from its view.

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
	reached map[protoreflect.FullName]bool
	clash   bool // a tensor already uses markerField
}

// strip returns the skeleton of the message b of type md and whether it
// differs from b. Errors name the message path and the byte offset.
func (s *stripper) strip(md protoreflect.MessageDescriptor, b []byte, base int, path string) ([]byte, bool, error) {
	var out []byte
	changed := false
	isTensor := md.FullName() == tensorDesc.FullName()
	pos := 0
	for pos < len(b) {
		start := pos
		num, typ, n := protowire.ConsumeTag(b[pos:])
		if n < 0 {
			return nil, false, wireError(path, base+pos, protowire.ParseError(n))
		}
		pos += n
		if isTensor && num == markerField {
			s.clash = true
		}
		if typ != protowire.BytesType {
			m := protowire.ConsumeFieldValue(num, typ, b[pos:])
			if m < 0 {
				return nil, false, wireError(path, base+pos, protowire.ParseError(m))
			}
			pos += m
			if changed {
				out = append(out, b[start:pos]...)
			}
			continue
		}
		v, m := protowire.ConsumeBytes(b[pos:])
		if m < 0 {
			return nil, false, wireError(fieldPath(path, md, num), base+pos, protowire.ParseError(m))
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
			continue
		}
		var sub []byte
		subChanged := false
		if fd := md.Fields().ByNumber(num); fd != nil && fd.Message() != nil && s.reaches(fd.Message()) {
			var err error
			sub, subChanged, err = s.strip(fd.Message(), v, vstart, fieldPath(path, md, num))
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

func fieldPath(path string, md protoreflect.MessageDescriptor, num protowire.Number) string {
	if fd := md.Fields().ByNumber(num); fd != nil {
		return path + "." + string(fd.Name())
	}
	return fmt.Sprintf("%s.%d", path, num)
}

func wireError(path string, off int, err error) error {
	return &DecodeError{Path: path, Offset: int64(off), Err: err}
}

// takeMarker removes the marker from a tensor's unknown fields and returns
// its view index.
func takeMarker(t *onnxproto.TensorProto) (int, bool) {
	r := t.ProtoReflect()
	u := r.GetUnknown()
	if len(u) == 0 {
		return 0, false
	}
	for pos := 0; pos < len(u); {
		num, typ, n := protowire.ConsumeTag(u[pos:])
		if n < 0 {
			return 0, false
		}
		m := protowire.ConsumeFieldValue(num, typ, u[pos+n:])
		if m < 0 {
			return 0, false
		}
		if num == markerField && typ == protowire.VarintType {
			idx, _ := protowire.ConsumeVarint(u[pos+n:])
			rest := append(append([]byte(nil), u[:pos]...), u[pos+n+m:]...)
			if len(rest) == 0 {
				rest = nil
			}
			r.SetUnknown(rest)
			return int(idx), true
		}
		pos += n + m
	}
	return 0, false
}
