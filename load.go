package onnxgraph

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/onnxgraph/onnxgraph/onnxproto"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// LoadOptions controls how a model is read. The zero value is the default.
type LoadOptions struct {
	// Dir is the folder external data is resolved against. Load and Open
	// use the model file's folder when Dir is empty; Decode and Read
	// without Dir refuse to read external data.
	Dir string
	// SkipExternalCheck skips opening each external-data file at load to
	// check that it exists, stays inside Dir and is long enough; problems
	// then surface when the data is read or saved. Path syntax (absolute
	// paths, "..") is checked regardless.
	SkipExternalCheck bool
	// SizeHint is the number of bytes Read expects, when the caller knows
	// it (an HTTP request's Content-Length): the buffer is then sized once.
	// A wrong hint costs time, not correctness.
	SizeHint int64
	// Progress, when set, is called as Open and Read read the model, with
	// the bytes read so far and the total (0 when unknown).
	Progress func(done, total int64)
	// Map makes Open map the model file into memory instead of reading it
	// (on Unix; elsewhere, and for files under 1 MiB, it reads). Open then
	// costs time in proportion to the graph, not the weights, and a save
	// copies unedited tensors from the file with the kernel: a copy or an
	// edit of a big inline model runs at about the speed of cp. The price
	// is a lifetime: tensor bytes live in the mapping until the model and
	// every model that took its tensors (Clone, Extract, Merge,
	// AddInitializer) are closed, so keep no tensor bytes (Tensor.Raw, a
	// Proto's raw_data) past Close. Changes to tensor bytes stay private:
	// the file is never written. A file cut short by another process while
	// mapped makes Save fail; other reads of its lost bytes crash the
	// process, as with any mapped file.
	Map bool

	path string // the model file, set by Open
}

// Load reads the model at path for a chain of edits. It never returns nil:
// a failure is recorded in the model, whose Err, Save and Write report it.
func Load(path string) *Model {
	m, err := Open(path, nil)
	if err != nil {
		return &Model{err: asStep("Load", err)}
	}
	return m
}

// Open reads the model at path. Tensor data is not copied: raw_data fields
// are views of the file's bytes, and external data stays in its files until
// read. opts may be nil.
func Open(path string, opts *LoadOptions) (*Model, error) {
	return OpenContext(context.Background(), path, opts)
}

// OpenContext is Open, stopped when ctx is done (between reads of the
// file): it then returns ctx's error (context.Canceled, ...).
func OpenContext(ctx context.Context, path string, opts *LoadOptions) (*Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("onnxgraph: %w", err)
	}
	o := orZero(opts)
	if o.Dir == "" {
		o.Dir = filepath.Dir(path)
	}
	o.path = path
	if o.Map {
		if m, ok, err := openMapped(ctx, f, &o); ok {
			return m, err // the mapping holds f, or closed it on failure
		}
	}
	defer f.Close()
	r, size := o.counting(f)
	b, err := readAll(ctx, r, size)
	if err != nil {
		return nil, err
	}
	return decodeContext(ctx, b, &o, statSource(f, path, int64(len(b))))
}

// openMapped is OpenContext with LoadOptions.Map: ok is false when the
// file is read instead (too small, or the system does not map it). With
// ok, the mapping holds f (held open to see changes under it), or f is
// closed.
func openMapped(ctx context.Context, f *os.File, o *LoadOptions) (m *Model, ok bool, err error) {
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() < minMap || st.Size() > MaxProtoSize {
		return nil, false, nil
	}
	b := mapFile(f, st.Size())
	if b == nil {
		return nil, false, nil
	}
	src := sourceOf(st, o.path)
	src.mapped, src.kernel = true, true
	fm := &fileMap{b: b, refs: 1, file: f, src: src}
	err = guardFault("reading "+o.path, func() error {
		m, err = decodeContext(ctx, b, o, src)
		return err
	})
	if err != nil {
		fm.release()
		return nil, true, err
	}
	m.maps = []*fileMap{fm}
	if o.Progress != nil {
		o.Progress(st.Size(), st.Size())
	}
	return m, true, nil
}

// Read reads a whole model from r. opts may be nil. The buffer is sized
// once when the size is known: from LoadOptions.SizeHint (say, an HTTP
// body's Content-Length), a file's size, or a reader's Len or Size method.
// Otherwise the model is read by its wire format: each large element of
// the graph (an initializer, a node holding a large constant) gets a
// buffer of its exact size, so memory stays near the model's size.
func Read(r io.Reader, opts *LoadOptions) (*Model, error) {
	return ReadContext(context.Background(), r, opts)
}

// ReadContext is Read, stopped when ctx is done (between reads of r): it
// then returns ctx's error.
func ReadContext(ctx context.Context, r io.Reader, opts *LoadOptions) (*Model, error) {
	o := orZero(opts)
	r, size := o.counting(r)
	if size <= 0 {
		return streamRead(ctx, r, &o)
	}
	b, err := readAll(ctx, r, size)
	if err != nil {
		return nil, err
	}
	return decodeContext(ctx, b, &o, nil)
}

// decodeContext decodes b unless ctx is done.
func decodeContext(ctx context.Context, b []byte, o *LoadOptions, src *srcFile) (*Model, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m, err := decode(b, o, src)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		m.Close()
		return nil, err
	}
	return m, nil
}

// readPiece is how much readAll asks of a reader at a time, so that a
// cancellation is seen within one piece.
const readPiece = 8 << 20

// minHuge is the smallest buffer readAll asks huge pages for.
const minHuge = 32 << 20

// counting returns r with its size (o.SizeHint, or the one r tells; 0
// when unknown), reporting what is read to o.Progress when set.
func (o *LoadOptions) counting(r io.Reader) (io.Reader, int64) {
	hint := o.SizeHint
	if hint <= 0 {
		hint = sizeOf(r)
	}
	if o.Progress == nil {
		return r, hint
	}
	return &progressReader{r: r, fn: o.Progress, total: hint}, hint
}

// progressReader reports the bytes read through it.
type progressReader struct {
	r           io.Reader
	fn          func(done, total int64)
	done, total int64
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.done += int64(n)
	total := p.total
	if total > 0 {
		total = max(total, p.done)
	}
	p.fn(p.done, total)
	return n, err
}

// readAll reads r to its end. With a size (hint, or one r tells; 0 when
// unknown) it fills one buffer of that size; past it, or without one, it
// reads chunks of growing size and joins them once.
func readAll(ctx context.Context, r io.Reader, hint int64) ([]byte, error) {
	var buf []byte
	if hint > 0 {
		// One byte more, to see the end without growing. A lying hint
		// costs at most what the largest model file can hold.
		buf = make([]byte, 0, min(hint, MaxProtoSize)+1)
		adviseHuge(buf[:cap(buf)])
	}
	fill := func(b []byte) ([]byte, bool, error) {
		for len(b) < cap(b) {
			if err := ctx.Err(); err != nil {
				return b, false, err
			}
			n, err := r.Read(b[len(b):min(cap(b), len(b)+readPiece)])
			b = b[:len(b)+n]
			if err == io.EOF {
				return b, true, nil
			}
			if err != nil {
				return b, false, fmt.Errorf("onnxgraph: reading the model: %w", err)
			}
		}
		return b, false, nil
	}
	buf, done, err := fill(buf)
	if err != nil || done {
		return buf, err
	}
	chunks := [][]byte{buf}
	total := len(buf)
	for size := 4 << 20; !done; size = min(2*size, 32<<20) {
		var c []byte
		if c, done, err = fill(make([]byte, 0, size)); err != nil {
			return nil, err
		}
		chunks = append(chunks, c)
		total += len(c)
	}
	out := make([]byte, 0, total)
	for i, c := range chunks {
		out = append(out, c...)
		chunks[i] = nil
	}
	return out, nil
}

// sizeOf returns how many bytes r says it holds, 0 when it does not say.
func sizeOf(r io.Reader) int64 {
	switch x := r.(type) {
	case *os.File:
		if st, err := x.Stat(); err == nil && st.Mode().IsRegular() {
			if pos, err := x.Seek(0, io.SeekCurrent); err == nil && pos <= st.Size() {
				return st.Size() - pos
			}
		}
	case interface{ Len() int }:
		return int64(x.Len())
	case interface{ Size() int64 }:
		return x.Size()
	}
	return 0
}

// Decode reads a model from b. The model keeps views of b's tensor bytes:
// do not change b afterwards. opts may be nil.
func Decode(b []byte, opts *LoadOptions) (*Model, error) { return decode(b, opts, nil) }

// decode is Decode; src, when not nil, is the file b was read from, whose
// byte ranges a save may copy instead of writing the views from memory.
func decode(b []byte, opts *LoadOptions, src *srcFile) (*Model, error) {
	o := orZero(opts)
	if len(b) == 0 {
		// Protobuf reads zero bytes as an empty message; no model file is.
		return nil, &DecodeError{Path: "ModelProto", Err: errors.New("empty input")}
	}
	var views map[*onnxproto.TensorProto]srcView
	var onView func(*onnxproto.TensorProto, int)
	if src != nil {
		views = map[*onnxproto.TensorProto]srcView{}
		onView = func(t *onnxproto.TensorProto, off int) {
			if t == nil {
				clear(views)
			} else if len(t.RawData) >= minSrcCopy {
				views[t] = srcView{off: int64(off), view: t.RawData}
			}
		}
	}
	mp, err := decodeModel(b, onView)
	if err != nil {
		return nil, err
	}
	m := fromProto(mp)
	if len(views) > 0 {
		m.src, m.srcViews = src, views
	}
	return m.decoded(int64(len(b)), o)
}

// decoded finishes a model decoded from size bytes: it binds its external
// data as o says.
func (m *Model) decoded(size int64, o LoadOptions) (*Model, error) {
	m.wireSize = size
	if err := m.bindExternal(o); err != nil {
		return nil, err
	}
	return m, nil
}

// decodeModel decodes a ModelProto with the fast decoder, calling onView
// (when not nil) as unmarshalViews does. Something the fast decoder does
// not handle goes to the general path, which decodes it or says what is
// wrong with it; onView(nil, -1) first forgets the views the fast decoder
// told of.
func decodeModel(b []byte, onView func(*onnxproto.TensorProto, int)) (*onnxproto.ModelProto, error) {
	if mp, err := fastDecode(b, onView); err == nil {
		return mp, nil
	}
	if onView != nil {
		onView(nil, -1)
	}
	mp := new(onnxproto.ModelProto)
	if err := unmarshalViews(b, mp, onView); err != nil {
		return nil, err
	}
	return mp, nil
}

// unmarshalAliased decodes b into msg keeping large raw_data fields as views
// of b.
func unmarshalAliased(b []byte, msg proto.Message) error { return unmarshalViews(b, msg, nil) }

// unmarshalViews is unmarshalAliased telling onView where in b each view a
// tensor keeps starts.
func unmarshalViews(b []byte, msg proto.Message, onView func(t *onnxproto.TensorProto, off int)) error {
	md := msg.ProtoReflect().Descriptor()
	s := &stripper{}
	skel, changed, err := s.strip(md, b, 0, &lazyPath{root: string(md.Name())})
	if err != nil {
		return err
	}
	if s.clash {
		// The marker number is in use: decode the plain way (copying).
		skel, s.views = b, nil
	}
	if err := (proto.UnmarshalOptions{}).Unmarshal(skel, msg); err != nil {
		if de := locate(md, b, 0, string(md.Name()), 1); de != nil {
			return de
		}
		return &DecodeError{Path: string(md.Name()), Offset: -1, Err: err}
	}
	if !changed || s.clash {
		return nil
	}
	left := len(s.views)
	ambiguous := false
	attach := func(t *onnxproto.TensorProto) {
		had := t.RawData != nil
		i, n := takeMarker(t)
		switch {
		case n == 0:
		case n > 1 || had || i >= len(s.views):
			// raw_data given more than once (a repeated field or merged
			// messages): only a plain decode knows which one wins.
			ambiguous = true
		default:
			t.RawData = s.views[i]
			if onView != nil {
				onView(t, s.offs[i])
			}
			left--
		}
	}
	if mp, ok := msg.(*onnxproto.ModelProto); ok {
		walkModelTensors(mp, attach)
	} else {
		walkTensors(msg.ProtoReflect(), attach)
	}
	if ambiguous || left != 0 {
		if onView != nil {
			onView(nil, -1) // forget the views: the plain decode copies
		}
		proto.Reset(msg)
		if err := (proto.UnmarshalOptions{}).Unmarshal(b, msg); err != nil {
			return &DecodeError{Path: string(md.Name()), Offset: -1, Err: err}
		}
	}
	return nil
}

// walkModelTensors calls fn for every tensor message in a model, typed for
// speed on the parts of the format that hold almost all of them.
func walkModelTensors(mp *onnxproto.ModelProto, fn func(*onnxproto.TensorProto)) {
	walkGraphTensors(mp.Graph, fn)
	for _, f := range mp.Functions {
		for _, n := range f.Node {
			walkNodeTensors(n, fn)
		}
		for _, a := range f.AttributeProto {
			walkAttrTensors(a, fn)
		}
	}
	for _, ti := range mp.TrainingInfo {
		walkTensors(ti.ProtoReflect(), fn)
	}
}

func walkGraphTensors(g *onnxproto.GraphProto, fn func(*onnxproto.TensorProto)) {
	if g == nil {
		return
	}
	for _, t := range g.Initializer {
		fn(t)
	}
	for _, st := range g.SparseInitializer {
		walkSparse(st, fn)
	}
	for _, n := range g.Node {
		walkNodeTensors(n, fn)
	}
}

func walkNodeTensors(n *onnxproto.NodeProto, fn func(*onnxproto.TensorProto)) {
	for _, a := range n.Attribute {
		walkAttrTensors(a, fn)
	}
}

func walkAttrTensors(a *onnxproto.AttributeProto, fn func(*onnxproto.TensorProto)) {
	{
		if a.T != nil {
			fn(a.T)
		}
		for _, t := range a.Tensors {
			fn(t)
		}
		walkSparse(a.SparseTensor, fn)
		for _, st := range a.SparseTensors {
			walkSparse(st, fn)
		}
		walkGraphTensors(a.G, fn)
		for _, g := range a.Graphs {
			walkGraphTensors(g, fn)
		}
	}
}

func walkSparse(st *onnxproto.SparseTensorProto, fn func(*onnxproto.TensorProto)) {
	if st == nil {
		return
	}
	if st.Values != nil {
		fn(st.Values)
	}
	if st.Indices != nil {
		fn(st.Indices)
	}
}

// walkTensors calls fn for every tensor message anywhere inside r.
func walkTensors(r protoreflect.Message, fn func(*onnxproto.TensorProto)) {
	if t, ok := r.Interface().(*onnxproto.TensorProto); ok {
		fn(t)
		return
	}
	r.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Message() == nil || !canReachTensor(fd.Message()) {
			return true
		}
		if fd.IsList() {
			l := v.List()
			for i := 0; i < l.Len(); i++ {
				walkTensors(l.Get(i).Message(), fn)
			}
		} else {
			walkTensors(v.Message(), fn)
		}
		return true
	})
}

// modelTensors calls fn for every tensor of the IR, wherever it sits.
func (m *Model) modelTensors(fn func(*onnxproto.TensorProto)) {
	each := func(g *Graph) bool {
		for _, v := range g.inits {
			fn(v.init)
		}
		for _, v := range g.sparse {
			walkSparse(v.sparse, fn)
		}
		for _, n := range g.nodes {
			walkNodeTensors(n.p, fn) // subgraphs are not in n.p: Walk reaches them
		}
		return true
	}
	m.graph.Walk(each)
	for _, f := range m.funcs {
		f.body.Walk(each)
		for _, a := range f.p.AttributeProto {
			walkAttrTensors(a, fn)
		}
	}
	for _, ti := range m.p.TrainingInfo {
		walkTensors(ti.ProtoReflect(), fn)
	}
}

// bindExternal records the folder of every external tensor and, unless
// told not to, checks each one's file now.
func (m *Model) bindExternal(o LoadOptions) error {
	var dir *extDir
	if o.Dir != "" {
		dir = newExtDir(o.Dir, o.path)
	}
	var firstErr error
	m.modelTensors(func(t *onnxproto.TensorProto) {
		if firstErr != nil || t.GetDataLocation() != onnxproto.TensorProto_EXTERNAL {
			return
		}
		r, err := externalRef(t)
		if err != nil {
			firstErr = err
			return
		}
		if dir == nil {
			return
		}
		if m.ext == nil {
			m.ext = map[*onnxproto.TensorProto]*extDir{}
		}
		m.ext[t] = dir
		dir.note(r.Location)
		if o.SkipExternalCheck {
			return
		}
		_, size, err := dir.open(r.Location)
		if err != nil {
			firstErr = &ExternalDataError{Tensor: t.GetName(), Location: r.Location, Err: err}
			return
		}
		end := r.Offset + max(r.Length, 0)
		if r.Offset > size || end > size || end < r.Offset {
			firstErr = &ExternalDataError{Tensor: t.GetName(), Location: r.Location,
				Err: errorf(ErrExternalData, "range [%d,%d) passes the end of the %d-byte file", r.Offset, end, size)}
		}
	})
	if firstErr != nil && dir != nil {
		dir.close()
	}
	return firstErr
}

// Close releases the external-data files the model holds open. Tensor
// views of an in-memory model stay valid; reading an external tensor after
// Close opens its file again, from the folder as it is then. A model
// opened with LoadOptions.Map is done after Close: it gives up its share
// of the mapping and its later operations return ErrClosed. Close is safe
// to call more than once.
func (m *Model) Close() error {
	if m == nil {
		return nil
	}
	var first error
	if len(m.maps) > 0 {
		first = m.releaseMaps()
		if m.err == nil {
			m.err = ErrClosed
		}
	}
	var dirs []*extDir
	for _, d := range m.ext {
		if !slices.Contains(dirs, d) {
			dirs = append(dirs, d)
		}
	}
	for _, d := range dirs {
		if err := d.close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}
