package onnxgraph

import (
	"bufio"
	"bytes"
	"context"

	"github.com/onnxgraph/onnxgraph/onnxproto"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"
)

var modelDesc = (&onnxproto.ModelProto{}).ProtoReflect().Descriptor()

func markerBytes(i int) []byte {
	b := protowire.AppendTag(nil, markerField, protowire.VarintType)
	return protowire.AppendVarint(b, uint64(i))
}

// expander turns a skeleton with markers back into full wire bytes, each
// marker becoming a raw_data field holding its chunk.
type expander struct {
	chunks   []chunk
	sizes    map[int]int64 // skeleton offset of a message -> its expanded size
	pos      int64         // bytes written so far
	fields   map[protoreflect.FullName][]protoreflect.MessageDescriptor
	ctx      context.Context // checked between pieces of tensor data
	stripper                 // for its reach cache
}

// size returns the expanded size of message b of type md, whose bytes
// start at offset base of the skeleton. It remembers the size of every
// message it walks into, for write.
func (x *expander) size(md protoreflect.MessageDescriptor, b []byte, base int) (int64, error) {
	var total int64
	isTensor := md.FullName() == tensorDesc.FullName()
	for pos := 0; pos < len(b); {
		start := pos
		num, typ, n := protowire.ConsumeTag(b[pos:])
		if n < 0 {
			return 0, protowire.ParseError(n)
		}
		pos += n
		m := protowire.ConsumeFieldValue(num, typ, b[pos:])
		if m < 0 {
			return 0, protowire.ParseError(m)
		}
		if isTensor && num == markerField && typ == protowire.VarintType {
			idx, _ := protowire.ConsumeVarint(b[pos:])
			if idx >= uint64(len(x.chunks)) {
				return 0, errMarker
			}
			c := x.chunks[idx]
			total += int64(protowire.SizeTag(rawDataNum)) + int64(protowire.SizeVarint(uint64(c.size()))) + c.size()
			pos += m
			continue
		}
		if typ == protowire.BytesType {
			if sub := x.field(md, num); sub != nil {
				v, k := protowire.ConsumeBytes(b[pos:])
				size, err := x.size(sub, v, base+pos+k-len(v))
				if err != nil {
					return 0, err
				}
				total += int64(n) + int64(protowire.SizeVarint(uint64(size))) + size
				pos += m
				continue
			}
		}
		pos += m
		total += int64(pos - start)
	}
	if x.sizes == nil {
		x.sizes = map[int]int64{}
	}
	x.sizes[base] = total
	return total, nil
}

// field returns the message type of field num of md when a tensor can be
// inside it, nil otherwise.
func (x *expander) field(md protoreflect.MessageDescriptor, num protowire.Number) protoreflect.MessageDescriptor {
	if x.fields == nil {
		x.fields = map[protoreflect.FullName][]protoreflect.MessageDescriptor{}
	}
	list, ok := x.fields[md.FullName()]
	if !ok {
		fs := md.Fields()
		for i := 0; i < fs.Len(); i++ {
			fd := fs.Get(i)
			if fd.Message() == nil || !x.reaches(fd.Message()) || fd.Number() > 256 {
				continue
			}
			for len(list) <= int(fd.Number()) {
				list = append(list, nil)
			}
			list[fd.Number()] = fd.Message()
		}
		x.fields[md.FullName()] = list
	}
	if int(num) < len(list) {
		return list[num]
	}
	return nil
}

// write streams the expansion of message b of type md, which starts at
// offset base of the skeleton, to w; size must have walked it first.
func (x *expander) write(w *bufio.Writer, md protoreflect.MessageDescriptor, b []byte, base int) error {
	isTensor := md.FullName() == tensorDesc.FullName()
	var tmp []byte
	for pos := 0; pos < len(b); {
		start := pos
		num, typ, n := protowire.ConsumeTag(b[pos:])
		if n < 0 {
			return protowire.ParseError(n)
		}
		pos += n
		m := protowire.ConsumeFieldValue(num, typ, b[pos:])
		if m < 0 {
			return protowire.ParseError(m)
		}
		if isTensor && num == markerField && typ == protowire.VarintType {
			idx, _ := protowire.ConsumeVarint(b[pos:])
			if idx >= uint64(len(x.chunks)) {
				return errMarker
			}
			c := x.chunks[idx]
			tmp = protowire.AppendTag(tmp[:0], rawDataNum, protowire.BytesType)
			tmp = protowire.AppendVarint(tmp, uint64(c.size()))
			if _, err := w.Write(tmp); err != nil {
				return err
			}
			x.pos += int64(len(tmp))
			ctx := x.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			if err := c.writeTo(ctx, w, x.pos); err != nil {
				return err
			}
			x.pos += c.size()
			pos += m
			continue
		}
		if typ == protowire.BytesType {
			if sub := x.field(md, num); sub != nil {
				v, k := protowire.ConsumeBytes(b[pos:])
				subBase := base + pos + k - len(v)
				size, ok := x.sizes[subBase]
				if !ok {
					var err error
					if size, err = x.size(sub, v, subBase); err != nil {
						return err
					}
				}
				// A marker always grows the message: same size, no marker.
				if size != int64(len(v)) {
					tmp = protowire.AppendTag(tmp[:0], num, protowire.BytesType)
					tmp = protowire.AppendVarint(tmp, uint64(size))
					if _, err := w.Write(tmp); err != nil {
						return err
					}
					x.pos += int64(len(tmp))
					if err := x.write(w, sub, v, subBase); err != nil {
						return err
					}
					pos += m
					continue
				}
			}
		}
		pos += m
		if _, err := w.Write(b[start:pos]); err != nil {
			return err
		}
		x.pos += int64(pos - start)
	}
	return nil
}

// errMarker reports a marker without a chunk: a tensor kept the marker's
// field number from its input, which plan should have noticed.
var errMarker = errorf(ErrInvalid, "internal error: a tensor holds an unknown field numbered like the save marker")

// hasMarker reports whether b may contain a marker field: a cheap test on
// the marker's tag bytes, which can only give false positives.
func hasMarker(b []byte) bool {
	tag := protowire.AppendTag(nil, markerField, protowire.VarintType)
	return bytes.Contains(b, tag)
}
