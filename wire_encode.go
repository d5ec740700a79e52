package onnxgraph

import (
	"encoding/binary"
	"math"

	"github.com/onnxgraph/onnxgraph/onnxproto"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// The encoder of saves. It writes the messages of the ONNX format the way
// proto.Marshal does, byte for byte (fields in number order, then the
// unknown fields as they are), without reflection and in one pass: it
// writes backwards, from the end of the message to its start, so that a
// message's length is known when its prefix is written. The raw_data of
// the tensors a save streams (wireWriter.stream) is not copied: the writer
// leaves a gap where it goes, after the tensor's other fields and unknown
// fields, and the save fills the gap from the tensor's bytes or file.
// TestWireWriter holds it to proto.Marshal.

// wireWriter builds a message backwards in buf[pos:].
type wireWriter struct {
	buf  []byte
	pos  int
	virt int64 // bytes written: those in buf[pos:] and the gaps in them

	stream map[*onnxproto.TensorProto]int // tensor -> its chunk, for raw_data
	chunks []chunk
	gaps   []gap // in the order written: from the end of the message
	err    error // the first error of a message protobuf encodes
}

// gap is where a chunk goes: while writing, tail bytes before the end of
// the bytes written (which grow at the front); in encodeModel's result,
// at offset tail of the bytes.
type gap struct {
	tail  int
	chunk int
}

// encodeModel returns the wire bytes of mp without the chunks of the
// tensors in stream, the gaps where they go in file order (tail is then
// an offset in the bytes), and the size with the chunks. hint is the size
// of the bytes expected, 0 when unknown.
func encodeModel(mp *onnxproto.ModelProto, stream map[*onnxproto.TensorProto]int, chunks []chunk, hint int64) ([]byte, []gap, int64, error) {
	w := &wireWriter{stream: stream, chunks: chunks}
	if hint > 0 && hint < MaxProtoSize {
		w.buf = make([]byte, hint)
		w.pos = len(w.buf)
	}
	w.model(mp)
	if w.err != nil {
		return nil, nil, 0, w.err
	}
	skel := w.buf[w.pos:]
	gaps := make([]gap, len(w.gaps))
	for i, g := range w.gaps {
		gaps[len(gaps)-1-i] = gap{tail: len(skel) - g.tail, chunk: g.chunk}
	}
	return skel, gaps, w.virt, nil
}

// grow makes room for n more bytes at the front.
func (w *wireWriter) grow(n int) {
	if w.pos >= n {
		return
	}
	used := len(w.buf) - w.pos
	size := max(2*len(w.buf), used+n, 64<<10)
	buf := make([]byte, size)
	copy(buf[size-used:], w.buf[w.pos:])
	w.buf, w.pos = buf, size-used
}

func (w *wireWriter) raw(b []byte) {
	w.grow(len(b))
	w.pos -= len(b)
	copy(w.buf[w.pos:], b)
	w.virt += int64(len(b))
}

func (w *wireWriter) rawString(s string) {
	w.grow(len(s))
	w.pos -= len(s)
	copy(w.buf[w.pos:], s)
	w.virt += int64(len(s))
}

func (w *wireWriter) uvarint(x uint64) {
	if x < 0x80 {
		w.grow(1)
		w.pos--
		w.buf[w.pos] = byte(x)
		w.virt++
		return
	}
	n := protowire.SizeVarint(x)
	w.grow(n)
	w.pos -= n
	binary.PutUvarint(w.buf[w.pos:], x)
	w.virt += int64(n)
}

func (w *wireWriter) fixed32(x uint32) {
	w.grow(4)
	w.pos -= 4
	binary.LittleEndian.PutUint32(w.buf[w.pos:], x)
	w.virt += 4
}

func (w *wireWriter) fixed64(x uint64) {
	w.grow(8)
	w.pos -= 8
	binary.LittleEndian.PutUint64(w.buf[w.pos:], x)
	w.virt += 8
}

func (w *wireWriter) tag(num protowire.Number, typ protowire.Type) {
	w.uvarint(protowire.EncodeTag(num, typ))
}

// ended writes the prefix of a length-delimited field numbered num whose
// contents were written since the writer had written start bytes.
func (w *wireWriter) ended(num protowire.Number, start int64) {
	w.uvarint(uint64(w.virt - start))
	w.tag(num, protowire.BytesType)
}

// Scalar fields.

func (w *wireWriter) str(num protowire.Number, s string) {
	w.rawString(s)
	w.uvarint(uint64(len(s)))
	w.tag(num, protowire.BytesType)
}

func (w *wireWriter) optStr(num protowire.Number, p *string) {
	if p != nil {
		w.str(num, *p)
	}
}

func (w *wireWriter) strs(num protowire.Number, s []string) {
	for i := len(s) - 1; i >= 0; i-- {
		w.str(num, s[i])
	}
}

func (w *wireWriter) bytes(num protowire.Number, b []byte) {
	w.raw(b)
	w.uvarint(uint64(len(b)))
	w.tag(num, protowire.BytesType)
}

// optBytes writes an optional bytes field: present when not nil.
func (w *wireWriter) optBytes(num protowire.Number, b []byte) {
	if b != nil {
		w.bytes(num, b)
	}
}

func (w *wireWriter) bytesList(num protowire.Number, s [][]byte) {
	for i := len(s) - 1; i >= 0; i-- {
		w.bytes(num, s[i])
	}
}

func (w *wireWriter) varint(num protowire.Number, x uint64) {
	w.uvarint(x)
	w.tag(num, protowire.VarintType)
}

func (w *wireWriter) optInt64(num protowire.Number, p *int64) {
	if p != nil {
		w.varint(num, uint64(*p))
	}
}

// optInt32 writes an int32 (or enum) field: a negative one takes ten
// bytes, as protobuf writes it.
func optInt32[T ~int32](w *wireWriter, num protowire.Number, p *T) {
	if p != nil {
		w.varint(num, uint64(int64(*p)))
	}
}

// int64s writes an unpacked repeated int64 field.
func (w *wireWriter) int64s(num protowire.Number, s []int64) {
	for i := len(s) - 1; i >= 0; i-- {
		w.varint(num, uint64(s[i]))
	}
}

// packed writes a packed repeated field of varints, nothing when empty.
func packed[T int32 | int64 | uint64](w *wireWriter, num protowire.Number, s []T) {
	if len(s) == 0 {
		return
	}
	start := w.virt
	for i := len(s) - 1; i >= 0; i-- {
		w.uvarint(uint64(int64(s[i])))
	}
	w.ended(num, start)
}

func (w *wireWriter) packedFloats(num protowire.Number, s []float32) {
	if len(s) == 0 {
		return
	}
	start := w.virt
	for i := len(s) - 1; i >= 0; i-- {
		w.fixed32(math.Float32bits(s[i]))
	}
	w.ended(num, start)
}

func (w *wireWriter) packedDoubles(num protowire.Number, s []float64) {
	if len(s) == 0 {
		return
	}
	start := w.virt
	for i := len(s) - 1; i >= 0; i-- {
		w.fixed64(math.Float64bits(s[i]))
	}
	w.ended(num, start)
}

func (w *wireWriter) unknown(m proto.Message) {
	if u := m.ProtoReflect().GetUnknown(); len(u) > 0 {
		w.raw(u)
	}
}

// Message fields. A message function writes the message's contents, and
// nothing for nil (an element of a list that is nil is written empty, as
// protobuf does).

// msg writes a singular message field, present when m is not nil.
func msg[T any](w *wireWriter, num protowire.Number, m *T, enc func(*wireWriter, *T)) {
	if m != nil {
		start := w.virt
		enc(w, m)
		w.ended(num, start)
	}
}

// msgs writes a repeated message field.
func msgs[T any](w *wireWriter, num protowire.Number, s []*T, enc func(*wireWriter, *T)) {
	for i := len(s) - 1; i >= 0; i-- {
		start := w.virt
		if s[i] != nil {
			enc(w, s[i])
		}
		w.ended(num, start)
	}
}

// marshalled writes a message protobuf encodes: those that hold no tensor
// and are rare (device configurations).
func (w *wireWriter) marshalled(m proto.Message) {
	b, err := proto.MarshalOptions{}.Marshal(m)
	if err != nil && w.err == nil {
		w.err = err // not with onnx.proto: proto2, no required fields
	}
	w.raw(b)
}

func (w *wireWriter) model(m *onnxproto.ModelProto) {
	w.unknown(m)
	for i := len(m.Configuration) - 1; i >= 0; i-- {
		start := w.virt
		if m.Configuration[i] != nil {
			w.marshalled(m.Configuration[i])
		}
		w.ended(26, start)
	}
	msgs(w, 25, m.Functions, (*wireWriter).function)
	msgs(w, 20, m.TrainingInfo, (*wireWriter).trainingInfo)
	msgs(w, 14, m.MetadataProps, (*wireWriter).entry)
	msgs(w, 8, m.OpsetImport, (*wireWriter).opset)
	msg(w, 7, m.Graph, (*wireWriter).graph)
	w.optStr(6, m.DocString)
	w.optInt64(5, m.ModelVersion)
	w.optStr(4, m.Domain)
	w.optStr(3, m.ProducerVersion)
	w.optStr(2, m.ProducerName)
	w.optInt64(1, m.IrVersion)
}

func (w *wireWriter) opset(o *onnxproto.OperatorSetIdProto) {
	w.unknown(o)
	w.optInt64(2, o.Version)
	w.optStr(1, o.Domain)
}

func (w *wireWriter) entry(e *onnxproto.StringStringEntryProto) {
	w.unknown(e)
	w.optStr(2, e.Value)
	w.optStr(1, e.Key)
}

func (w *wireWriter) trainingInfo(t *onnxproto.TrainingInfoProto) {
	w.unknown(t)
	msgs(w, 4, t.UpdateBinding, (*wireWriter).entry)
	msgs(w, 3, t.InitializationBinding, (*wireWriter).entry)
	msg(w, 2, t.Algorithm, (*wireWriter).graph)
	msg(w, 1, t.Initialization, (*wireWriter).graph)
}

func (w *wireWriter) function(f *onnxproto.FunctionProto) {
	w.unknown(f)
	msgs(w, 14, f.MetadataProps, (*wireWriter).entry)
	w.optStr(13, f.Overload)
	msgs(w, 12, f.ValueInfo, (*wireWriter).valueInfo)
	msgs(w, 11, f.AttributeProto, (*wireWriter).attr)
	w.optStr(10, f.Domain)
	msgs(w, 9, f.OpsetImport, (*wireWriter).opset)
	w.optStr(8, f.DocString)
	msgs(w, 7, f.Node, (*wireWriter).node)
	w.strs(6, f.Attribute)
	w.strs(5, f.Output)
	w.strs(4, f.Input)
	w.optStr(1, f.Name)
}

func (w *wireWriter) graph(g *onnxproto.GraphProto) {
	w.unknown(g)
	msgs(w, 16, g.MetadataProps, (*wireWriter).entry)
	msgs(w, 15, g.SparseInitializer, (*wireWriter).sparse)
	msgs(w, 14, g.QuantizationAnnotation, (*wireWriter).annotation)
	msgs(w, 13, g.ValueInfo, (*wireWriter).valueInfo)
	msgs(w, 12, g.Output, (*wireWriter).valueInfo)
	msgs(w, 11, g.Input, (*wireWriter).valueInfo)
	w.optStr(10, g.DocString)
	msgs(w, 5, g.Initializer, (*wireWriter).tensor)
	w.optStr(2, g.Name)
	msgs(w, 1, g.Node, (*wireWriter).node)
}

func (w *wireWriter) node(n *onnxproto.NodeProto) {
	w.unknown(n)
	for i := len(n.DeviceConfigurations) - 1; i >= 0; i-- {
		start := w.virt
		if n.DeviceConfigurations[i] != nil {
			w.marshalled(n.DeviceConfigurations[i])
		}
		w.ended(10, start)
	}
	msgs(w, 9, n.MetadataProps, (*wireWriter).entry)
	w.optStr(8, n.Overload)
	w.optStr(7, n.Domain)
	w.optStr(6, n.DocString)
	msgs(w, 5, n.Attribute, (*wireWriter).attr)
	w.optStr(4, n.OpType)
	w.optStr(3, n.Name)
	w.strs(2, n.Output)
	w.strs(1, n.Input)
}

func (w *wireWriter) attr(a *onnxproto.AttributeProto) {
	w.unknown(a)
	msgs(w, 23, a.SparseTensors, (*wireWriter).sparse)
	msg(w, 22, a.SparseTensor, (*wireWriter).sparse)
	w.optStr(21, a.RefAttrName)
	optInt32(w, 20, a.Type)
	msgs(w, 15, a.TypeProtos, (*wireWriter).typeProto)
	msg(w, 14, a.Tp, (*wireWriter).typeProto)
	w.optStr(13, a.DocString)
	msgs(w, 11, a.Graphs, (*wireWriter).graph)
	msgs(w, 10, a.Tensors, (*wireWriter).tensor)
	w.bytesList(9, a.Strings)
	w.int64s(8, a.Ints)
	for i := len(a.Floats) - 1; i >= 0; i-- {
		w.fixed32(math.Float32bits(a.Floats[i]))
		w.tag(7, protowire.Fixed32Type)
	}
	msg(w, 6, a.G, (*wireWriter).graph)
	msg(w, 5, a.T, (*wireWriter).tensor)
	w.optBytes(4, a.S)
	w.optInt64(3, a.I)
	if a.F != nil {
		w.fixed32(math.Float32bits(*a.F))
		w.tag(2, protowire.Fixed32Type)
	}
	w.optStr(1, a.Name)
}

// tensor writes a TensorProto. A tensor the save streams is written
// without its raw_data (and, when it was external, without its
// external_data and data_location), and with the raw_data of its chunk
// last, after the unknown fields: a gap for the chunk, and its prefix.
func (w *wireWriter) tensor(t *onnxproto.TensorProto) {
	i, streamed := w.stream[t]
	if streamed {
		w.gaps = append(w.gaps, gap{tail: len(w.buf) - w.pos, chunk: i})
		size := w.chunks[i].size()
		w.virt += size
		w.uvarint(uint64(size))
		w.tag(9, protowire.BytesType)
	}
	w.unknown(t)
	msgs(w, 16, t.MetadataProps, (*wireWriter).entry)
	if !streamed || t.GetDataLocation() != onnxproto.TensorProto_EXTERNAL {
		optInt32(w, 14, t.DataLocation)
		msgs(w, 13, t.ExternalData, (*wireWriter).entry)
	}
	w.optStr(12, t.DocString)
	packed(w, 11, t.Uint64Data)
	w.packedDoubles(10, t.DoubleData)
	if !streamed {
		w.optBytes(9, t.RawData)
	}
	w.optStr(8, t.Name)
	packed(w, 7, t.Int64Data)
	w.bytesList(6, t.StringData)
	packed(w, 5, t.Int32Data)
	w.packedFloats(4, t.FloatData)
	msg(w, 3, t.Segment, (*wireWriter).segment)
	optInt32(w, 2, t.DataType)
	w.int64s(1, t.Dims)
}

func (w *wireWriter) segment(s *onnxproto.TensorProto_Segment) {
	w.unknown(s)
	w.optInt64(2, s.End)
	w.optInt64(1, s.Begin)
}

func (w *wireWriter) sparse(s *onnxproto.SparseTensorProto) {
	w.unknown(s)
	w.int64s(3, s.Dims)
	msg(w, 2, s.Indices, (*wireWriter).tensor)
	msg(w, 1, s.Values, (*wireWriter).tensor)
}

func (w *wireWriter) annotation(a *onnxproto.TensorAnnotation) {
	w.unknown(a)
	msgs(w, 2, a.QuantParameterTensorNames, (*wireWriter).entry)
	w.optStr(1, a.TensorName)
}

func (w *wireWriter) valueInfo(vi *onnxproto.ValueInfoProto) {
	w.unknown(vi)
	msgs(w, 4, vi.MetadataProps, (*wireWriter).entry)
	w.optStr(3, vi.DocString)
	msg(w, 2, vi.Type, (*wireWriter).typeProto)
	w.optStr(1, vi.Name)
}

// typeProto writes a TypeProto. Protobuf writes a oneof after the other
// fields, and a member holding a nil message as an empty one.
func (w *wireWriter) typeProto(t *onnxproto.TypeProto) {
	w.unknown(t)
	switch v := t.Value.(type) {
	case *onnxproto.TypeProto_TensorType:
		member(w, 1, v.TensorType, (*wireWriter).tensorType)
	case *onnxproto.TypeProto_SequenceType:
		member(w, 4, v.SequenceType, (*wireWriter).sequenceType)
	case *onnxproto.TypeProto_MapType:
		member(w, 5, v.MapType, (*wireWriter).mapType)
	case *onnxproto.TypeProto_SparseTensorType:
		member(w, 8, v.SparseTensorType, (*wireWriter).sparseTensorType)
	case *onnxproto.TypeProto_OptionalType:
		member(w, 9, v.OptionalType, (*wireWriter).optionalType)
	}
	w.optStr(6, t.Denotation)
}

// member writes the message of a oneof member: empty when m is nil.
func member[T any](w *wireWriter, num protowire.Number, m *T, enc func(*wireWriter, *T)) {
	start := w.virt
	if m != nil {
		enc(w, m)
	}
	w.ended(num, start)
}

func (w *wireWriter) tensorType(t *onnxproto.TypeProto_Tensor) {
	w.unknown(t)
	msg(w, 2, t.Shape, (*wireWriter).shape)
	optInt32(w, 1, t.ElemType)
}

func (w *wireWriter) sparseTensorType(t *onnxproto.TypeProto_SparseTensor) {
	w.unknown(t)
	msg(w, 2, t.Shape, (*wireWriter).shape)
	optInt32(w, 1, t.ElemType)
}

func (w *wireWriter) sequenceType(s *onnxproto.TypeProto_Sequence) {
	w.unknown(s)
	msg(w, 1, s.ElemType, (*wireWriter).typeProto)
}

func (w *wireWriter) optionalType(o *onnxproto.TypeProto_Optional) {
	w.unknown(o)
	msg(w, 1, o.ElemType, (*wireWriter).typeProto)
}

func (w *wireWriter) mapType(m *onnxproto.TypeProto_Map) {
	w.unknown(m)
	msg(w, 2, m.ValueType, (*wireWriter).typeProto)
	optInt32(w, 1, m.KeyType)
}

func (w *wireWriter) shape(s *onnxproto.TensorShapeProto) {
	w.unknown(s)
	msgs(w, 1, s.Dim, (*wireWriter).dim)
}

// dim writes a Dimension: its oneof after denotation, as protobuf does.
func (w *wireWriter) dim(d *onnxproto.TensorShapeProto_Dimension) {
	w.unknown(d)
	switch v := d.Value.(type) {
	case *onnxproto.TensorShapeProto_Dimension_DimParam:
		w.str(2, v.DimParam)
	case *onnxproto.TensorShapeProto_Dimension_DimValue:
		w.varint(1, uint64(v.DimValue))
	}
	w.optStr(3, d.Denotation)
}
