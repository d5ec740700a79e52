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
	ctx      context.Context // checked between pieces of tensor data
	stripper                 // for its reach cache
}

// size returns the expanded size of message b of type md.
func (x *expander) size(md protoreflect.MessageDescriptor, b []byte) (int64, error) {
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
			if fd := md.Fields().ByNumber(num); fd != nil && fd.Message() != nil && x.reaches(fd.Message()) {
				v, _ := protowire.ConsumeBytes(b[pos:])
				sub, err := x.size(fd.Message(), v)
				if err != nil {
					return 0, err
				}
				total += int64(n) + int64(protowire.SizeVarint(uint64(sub))) + sub
				pos += m
				continue
			}
		}
		pos += m
		total += int64(pos - start)
	}
	return total, nil
}

// write streams the expansion of message b of type md to w.
func (x *expander) write(w *bufio.Writer, md protoreflect.MessageDescriptor, b []byte) error {
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
			ctx := x.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			if err := c.writeTo(ctx, w); err != nil {
				return err
			}
			pos += m
			continue
		}
		if typ == protowire.BytesType {
			if fd := md.Fields().ByNumber(num); fd != nil && fd.Message() != nil && x.reaches(fd.Message()) {
				v, _ := protowire.ConsumeBytes(b[pos:])
				if hasMarker(v) {
					sub, err := x.size(fd.Message(), v)
					if err != nil {
						return err
					}
					tmp = protowire.AppendTag(tmp[:0], num, protowire.BytesType)
					tmp = protowire.AppendVarint(tmp, uint64(sub))
					if _, err := w.Write(tmp); err != nil {
						return err
					}
					if err := x.write(w, fd.Message(), v); err != nil {
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
