package onnxgraph

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/onnxgraph/onnxgraph/onnxproto"
)

// A reader that does not tell its size is read by the model's wire format
// instead of by growing one buffer: the length of every field is written
// before it, so each large element of the main graph (an initializer, a
// sparse initializer, a node holding a large constant) is read into a
// buffer of exactly its size and decoded on its own, keeping views of it;
// the rest, a skeleton of the model, is decoded the usual way and the
// large elements are put back in their places. Memory stays near the
// model's size, where growing and joining needs twice it. Input the
// framing does not expect is joined and decoded as a whole, which gives
// the usual errors.

// streamOwn is the smallest graph element streamRead reads into a buffer
// of its own (a variable for the tests, which make every element one).
var streamOwn uint64 = 4 << 10

// streamChunk is the largest of the buffers the smaller fields share.
const streamChunk = 4 << 20

// Kinds of streamPiece.
const (
	pieceSkel  = iota // bytes of the skeleton
	pieceGraph        // a ModelProto.graph header: the skeleton's has a new length
	pieceOwn          // the header and bytes of a large graph element
)

// streamPiece is a run of the input, in order.
type streamPiece struct {
	kind int
	b    []byte
	num  protowire.Number // pieceOwn: the GraphProto field
	n    int              // pieceOwn: its place among that field's elements; pieceGraph: bytes moved out
	head int              // pieceOwn: the length of the header at the start of b
	size int              // pieceGraph: the graph's length in the input
}

// errStreamShape says the input is not framed as streamRead expects; the
// bytes read so far are joined with the rest and decoded as a whole.
var errStreamShape = errors.New("onnxgraph: unexpected framing")

// streamReader reads the pieces of a model.
type streamReader struct {
	ctx    context.Context
	r      *bufio.Reader
	pieces []streamPiece
	chunk  []byte // the shared buffer being filled
	total  int64
	counts [16]int // graph elements seen, by field (ownField's, all under 16)
	graphs int
}

// streamRead reads a model from r, whose size is unknown.
func streamRead(ctx context.Context, r io.Reader, o *LoadOptions) (*Model, error) {
	s := &streamReader{ctx: ctx, r: bufio.NewReaderSize(r, 64<<10)}
	err := s.readModel()
	if errors.Is(err, errStreamShape) || err == nil && s.total == 0 {
		return s.whole(o)
	}
	if err != nil {
		return nil, err
	}
	mp, err := s.decode()
	if err != nil {
		// The general decoder says what is wrong, and where.
		return s.whole(o)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return fromProto(mp).decoded(s.total, *o)
}

// whole joins what was read with the rest of the input and decodes it as
// one buffer.
func (s *streamReader) whole(o *LoadOptions) (*Model, error) {
	rest, err := readAll(s.ctx, s.r, 0)
	if err != nil {
		return nil, err
	}
	n := len(rest)
	for _, p := range s.pieces {
		n += len(p.b)
	}
	b := make([]byte, 0, n)
	for i, p := range s.pieces {
		b = append(b, p.b...)
		s.pieces[i].b = nil
	}
	b = append(b, rest...)
	return decodeContext(s.ctx, b, o, nil)
}

// trustFloor is the largest length read into a buffer of that size before
// its bytes arrive, whatever was read before it: a lie costs at most that.
const trustFloor = 8 << 20

// element reads a field's value of n bytes after its header head, into a
// shared buffer when small and not own, else into one of its own. A
// length is trusted (its buffer made at once) when small or no larger
// than what the input has delivered so far; past that the buffer grows as
// the bytes arrive, to exactly n, so that a lying length costs what was
// sent, not what it claims. When the input fails or ends first, what was
// read is kept as a skeleton piece, for whole.
func (s *streamReader) element(head []byte, n int, own bool) ([]byte, error) {
	var b []byte
	switch {
	case !own && n <= streamChunk/4:
		if cap(s.chunk)-len(s.chunk) < len(head)+n {
			// Chunks grow with the skeleton, from a small one for a
			// small model.
			c := min(max(64<<10, 2*cap(s.chunk)), streamChunk)
			s.chunk = make([]byte, 0, max(c, len(head)+n))
		}
		b = s.chunk[len(s.chunk) : len(s.chunk)+len(head)+n]
		s.chunk = s.chunk[:len(s.chunk)+len(b)]
	case n <= trustFloor || int64(n) <= s.total:
		b = make([]byte, len(head)+n)
	default:
		b = make([]byte, len(head)+int(max(trustFloor, s.total)))
	}
	copy(b, head)
	done := len(head)
	for {
		k, err := s.fill(b[done:])
		done += k
		if err != nil {
			s.keep(b[:done])
			return nil, err
		}
		if done == len(head)+n {
			return b, nil
		}
		grown := make([]byte, min(len(head)+n, 4*len(b)))
		copy(grown, b)
		b = grown
	}
}

// fill reads b from the input, a piece at a time so that a cancellation
// is seen, and returns how many bytes it read. When the input ends first,
// the error is errStreamShape.
func (s *streamReader) fill(b []byte) (int, error) {
	for done := 0; done < len(b); {
		if err := s.ctx.Err(); err != nil {
			return done, err
		}
		n, err := io.ReadFull(s.r, b[done:min(len(b), done+readPiece)])
		s.total += int64(n)
		done += n
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return done, errStreamShape // cut short: the general decoder says so
		}
		if err != nil {
			return done, fmt.Errorf("onnxgraph: reading the model: %w", err)
		}
	}
	return len(b), nil
}

// keep adds b, bytes read that stay in the skeleton, as a piece.
func (s *streamReader) keep(b []byte) {
	if len(b) > 0 {
		s.pieces = append(s.pieces, streamPiece{kind: pieceSkel, b: b})
	}
}

// field reads the header of the next field: its number, wire type and,
// for a length-delimited one, its length, with the header's bytes. At the
// end of the input it returns io.EOF.
func (s *streamReader) field() (num protowire.Number, typ protowire.Type, length uint64, head []byte, err error) {
	var buf [2 * binary.MaxVarintLen64]byte
	head = buf[:0]
	tag, head, err := s.varint(head, true)
	if err == nil {
		if tag>>3 < uint64(protowire.MinValidNumber) || tag>>3 > uint64(protowire.MaxValidNumber) {
			err = errStreamShape // before the conversion, which would wrap
		}
		num, typ = protowire.Number(tag>>3), protowire.Type(tag&7)
	}
	if err == nil && typ == protowire.BytesType {
		length, head, err = s.varint(head, false)
	}
	if err != nil {
		if errors.Is(err, errStreamShape) {
			s.keep(slices.Clone(head))
		}
		return 0, 0, 0, nil, err
	}
	return num, typ, length, slices.Clone(head), nil
}

// varint reads a varint (binary.ReadUvarint, which refuses one past 64
// bits as protobuf does), appending its bytes to head. An end of input
// before its first byte is io.EOF when atEnd allows it.
func (s *streamReader) varint(head []byte, atEnd bool) (uint64, []byte, error) {
	h := headReader{s: s, head: head}
	x, err := binary.ReadUvarint(&h)
	switch {
	case err == nil:
		return x, h.head, nil
	case h.err != nil:
		return 0, h.head, fmt.Errorf("onnxgraph: reading the model: %w", h.err)
	case err == io.EOF && atEnd && len(h.head) == len(head):
		return 0, h.head, io.EOF
	}
	return 0, h.head, errStreamShape // cut short, or past 64 bits
}

// headReader gives binary.ReadUvarint the input's bytes, counting them and
// keeping them in head; err is a read error other than the input's end.
type headReader struct {
	s    *streamReader
	head []byte
	err  error
}

func (h *headReader) ReadByte() (byte, error) {
	c, err := h.s.r.ReadByte()
	switch {
	case err == nil:
		h.s.total++
		h.head = append(h.head, c)
	case err != io.EOF:
		h.err = err
	}
	return c, err
}

// readModel reads the fields of a ModelProto, descending into its graph.
func (s *streamReader) readModel() error {
	for {
		num, typ, length, head, err := s.field()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if num == 7 && typ == protowire.BytesType {
			if s.graphs++; s.graphs > 1 {
				s.keep(head)
				return errStreamShape // merged graphs: the general decoder's
			}
			s.pieces = append(s.pieces, streamPiece{kind: pieceGraph, b: head, size: int(length)})
			if err := s.readGraph(int64(length), len(s.pieces)-1); err != nil {
				return err
			}
			continue
		}
		if err := s.small(head, typ, length); err != nil {
			return err
		}
	}
}

// small reads a field that stays in the skeleton: head, then its value.
func (s *streamReader) small(head []byte, typ protowire.Type, length uint64) error {
	if typ == protowire.VarintType {
		_, v, err := s.varint(head, false)
		if err != nil && !errors.Is(err, errStreamShape) {
			return err
		}
		s.keep(v)
		return err
	}
	n := uint64(0)
	switch typ {
	case protowire.Fixed32Type:
		n = 4
	case protowire.Fixed64Type:
		n = 8
	case protowire.BytesType:
		n = length
	}
	if n > MaxProtoSize || typ != protowire.BytesType && n == 0 { // a group, or a length past any model
		s.keep(head)
		return errStreamShape
	}
	b, err := s.element(head, int(n), false)
	if err == nil {
		s.keep(b)
	}
	return err
}

// ownFields are the GraphProto fields whose large elements are read into
// buffers of their own: node, initializer, sparse_initializer.
func ownField(num protowire.Number) bool { return num == 1 || num == 5 || num == 15 }

// readGraph reads the fields of the graph (length bytes), the header of
// which is pieces[gi].
func (s *streamReader) readGraph(length int64, gi int) error {
	end := s.total + length
	for s.total < end {
		num, typ, l, head, err := s.field()
		if err == io.EOF {
			return errStreamShape
		}
		if err != nil {
			return err
		}
		if typ == protowire.BytesType && int64(l) > end-s.total || l > MaxProtoSize {
			s.keep(head)
			return errStreamShape // past the graph's end
		}
		if typ == protowire.BytesType && ownField(num) {
			k := s.counts[num]
			s.counts[num]++
			if l >= streamOwn {
				b, err := s.element(head, int(l), true)
				if err != nil {
					return err
				}
				s.pieces = append(s.pieces, streamPiece{kind: pieceOwn, b: b, num: num, n: k, head: len(head)})
				s.pieces[gi].n += len(b)
				continue
			}
		}
		if err := s.small(head, typ, l); err != nil {
			return err
		}
	}
	if s.total != end {
		return errStreamShape // a field overran the graph
	}
	return nil
}

// decode decodes the skeleton, then the large elements into their places.
func (s *streamReader) decode() (*onnxproto.ModelProto, error) {
	n := 0
	for _, p := range s.pieces {
		if p.kind != pieceOwn {
			n += len(p.b) + binary.MaxVarintLen64
		}
	}
	skel := make([]byte, 0, n)
	var own []streamPiece
	for _, p := range s.pieces {
		switch p.kind {
		case pieceSkel:
			skel = append(skel, p.b...)
		case pieceGraph:
			skel = protowire.AppendTag(skel, 7, protowire.BytesType)
			skel = protowire.AppendVarint(skel, uint64(p.size-p.n))
		case pieceOwn:
			own = append(own, p)
		}
	}
	mp, err := decodeModel(skel, nil)
	if err != nil {
		return nil, err
	}
	if len(own) == 0 {
		return mp, nil
	}
	if mp.Graph == nil {
		mp.Graph = new(onnxproto.GraphProto)
	}
	g := mp.Graph
	d := &wireDecoder{}
	for _, p := range own { // in input order: each goes to its place
		body := p.b[p.head:]
		var err error
		switch p.num {
		case 1:
			g.Node, err = insertAt(g.Node, p.n, body, d.node)
		case 5:
			g.Initializer, err = insertAt(g.Initializer, p.n, body, d.tensor)
		case 15:
			g.SparseInitializer, err = insertAt(g.SparseInitializer, p.n, body, d.sparse)
		}
		if err != nil {
			return nil, err
		}
	}
	return mp, nil
}

// insertAt decodes b, an element of a list field, with the fast decoder
// fast (or the general path, for what it leaves) and puts it at index i
// of l, which holds every element before it.
func insertAt[T any, M interface {
	*T
	proto.Message
}](l []M, i int, b []byte, fast func([]byte, int, M) error) ([]M, error) {
	if i > len(l) {
		return l, errStreamShape
	}
	x := M(new(T))
	if fast(b, 0, x) != nil {
		if err := unmarshalAliased(b, x); err != nil {
			return l, err
		}
	}
	return slices.Insert(l, i, x), nil
}
