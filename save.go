package onnxgraph

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/onnxgraph/onnxgraph/onnxproto"
	"google.golang.org/protobuf/proto"
)

// ExternalMode says where a save puts tensor data.
type ExternalMode int

const (
	// ExternalKeep keeps the layout the model has: tensors stored in
	// external files stay there, under the same locations and offsets;
	// inline tensors stay inline. It is the default.
	ExternalKeep ExternalMode = iota
	// ExternalInline stores every tensor inside the model file.
	ExternalInline
	// ExternalSingle writes every tensor of at least Threshold bytes into
	// one external file, SaveOptions.Location.
	ExternalSingle
	// ExternalPerTensor writes every tensor of at least Threshold bytes
	// into a file of its own, named after the tensor.
	ExternalPerTensor
)

// writePiece is how much a save writes between looks at its context.
const writePiece = 16 << 20

// MaxProtoSize is the largest model file a protobuf reader accepts: 2 GiB
// less one byte. Saves refuse to write a larger single message.
const MaxProtoSize = 1<<31 - 1

// SaveOptions controls how a model is written. The zero value keeps the
// model's layout.
type SaveOptions struct {
	External ExternalMode
	// Location is ExternalSingle's file, relative to the model's folder;
	// "" means the model's file name with ".data" appended. With
	// ExternalKeep, a Location is where the tensors held in memory (those
	// an edit made, typically) of at least Threshold bytes go, while
	// external tensors stay where they are; "" keeps them inline. (A kept
	// file of the same name keeps it; the new file then takes another.)
	Location string
	// Threshold is the size in bytes from which ExternalSingle and
	// ExternalPerTensor move a tensor out; 0 means 1024, and a negative
	// value moves every tensor with raw data.
	Threshold int64
	// Align pads each tensor's offset in a new external file to a multiple
	// of Align bytes (4096 lets readers map the file); 0 means no padding.
	Align int64
	// Sync flushes every file to stable storage before it is renamed into
	// place, and the folder after, so that a power loss too leaves the
	// complete old model or the complete new one. It costs the time the
	// disk takes to write the data; a killed process or a full disk needs
	// no Sync (see SaveWith).
	Sync bool
	// Progress, when set, is called as the files are written, with the
	// bytes written so far and the total to write.
	Progress func(done, total int64)
}

// Save writes the model to path with the default options (keep the layout).
// It returns the chain's recorded error, if any, without writing.
func (m *Model) Save(path string) error { return m.SaveWith(path, nil) }

// SaveWith writes the model to path, and its external data beside it as
// opts says. The save is whole at every instant: every file goes to a
// temporary name in its folder and is renamed into place only when all
// were written (the model file last), and a data file the old model at
// path reads keeps a second name until the new model is in place; so a
// failure, a full disk or a killed process leaves the complete old model
// or the complete new one, and no partial file. No file a loaded model
// reads its tensors from is replaced (ErrInUse). opts may be nil.
func (m *Model) SaveWith(path string, opts *SaveOptions) error {
	return m.SaveContext(context.Background(), path, opts)
}

// SaveContext is SaveWith, stopped when ctx is done: between pieces of
// the files it writes, up to the moment they are renamed into place. A
// stopped save removes what it wrote and returns ctx's error.
func (m *Model) SaveContext(ctx context.Context, path string, opts *SaveOptions) error {
	if m.err != nil {
		return m.err
	}
	return m.guardMapped("saving "+path, func() error {
		o := orZero(opts)
		dir := filepath.Dir(path)
		plan, err := m.plan(o, dir, path, true)
		if err != nil {
			return err
		}
		return plan.commit(ctx, dir, path)
	})
}

// guardMapped runs fn, which reads m's tensor bytes, under guardFault when
// some of them are mapped from a file.
func (m *Model) guardMapped(what string, fn func() error) error {
	if len(m.maps) == 0 {
		return fn()
	}
	if err := m.checkMaps(); err != nil {
		return err
	}
	return guardFault(what, fn)
}

// Write writes the model file to w. External tensors keep their external
// references (their files are not written), unless opts asks for
// ExternalInline; ExternalSingle and ExternalPerTensor need a folder and are
// refused. opts may be nil.
func (m *Model) Write(w io.Writer, opts *SaveOptions) error {
	return m.WriteContext(context.Background(), w, opts)
}

// WriteContext is Write, stopped when ctx is done (between pieces of
// tensor data); what was written to w before then stays written.
func (m *Model) WriteContext(ctx context.Context, w io.Writer, opts *SaveOptions) error {
	if m.err != nil {
		return m.err
	}
	o := orZero(opts)
	if o.External != ExternalKeep && o.External != ExternalInline {
		return errorf(ErrInvalid, "Write cannot create external files; use SaveWith")
	}
	return m.guardMapped("writing the model", func() error {
		plan, err := m.plan(o, "", "", false)
		if err != nil {
			return err
		}
		plan.startProgress()
		bw := bufio.NewWriterSize(plan.counting(w), 1<<20)
		if err := plan.writeModel(ctx, bw); err != nil {
			return err
		}
		return bw.Flush()
	})
}

// Bytes returns the serialized model (see Write for external tensors).
func (m *Model) Bytes(opts *SaveOptions) ([]byte, error) {
	var buf bytes.Buffer
	if err := m.Write(&buf, opts); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ToProto returns the whole model as one message, sharing tensors and most
// other messages with the model: treat it as read-only, and Clone it (with
// proto.Clone) before changing it.
func (m *Model) ToProto() *onnxproto.ModelProto {
	return (&encoder{}).model(m)
}

// chunk is a piece of tensor data to write: bytes in memory or a range of
// an external file.
type chunk struct {
	b      []byte
	dir    *extDir
	loc    string
	off, n int64
	name   string   // the tensor, for messages
	src    *srcFile // with b: b is also bytes off..off+n of this file
}

func (c chunk) size() int64 {
	if c.dir == nil {
		return int64(len(c.b))
	}
	return c.n
}

// writeTo writes c to w, in pieces between which it looks at ctx.
// dst is where in w the chunk lands (-1: not known); a range of the
// source file is copied by the kernel only at an offset with the same
// place in a page, where the kernel can share or move pages rather than
// copy bytes, and on a filesystem where it does.
func (c chunk) writeTo(ctx context.Context, w io.Writer, dst int64) error {
	if c.src != nil && !c.src.mapped && (dst < 0 || dst%pageSize != c.off%pageSize || !c.src.kernel) {
		c.src = nil // from memory: faster than a kernel copy of bytes
	}
	if c.src != nil && c.n > writePiece {
		// A big unedited tensor: copied from the file it was read from,
		// by the kernel, in pieces that look at ctx.
		for off := int64(0); off < c.n; off += writePiece {
			if err := ctx.Err(); err != nil {
				return err
			}
			piece := c
			piece.off, piece.n, piece.b = c.off+off, min(writePiece, c.n-off), c.b[off:off+min(writePiece, c.n-off)]
			if err := piece.writeTo(ctx, w, dst+off); err != nil {
				return err
			}
		}
		return nil
	}
	if c.src != nil {
		if err := ctx.Err(); err != nil {
			return err
		}
		if done, err := c.copySrc(w); done {
			return err
		}
	}
	if c.dir == nil {
		return writeMem(ctx, w, c.b, dst)
	}
	f, fresh, err := c.dir.openFresh(c.loc)
	if err != nil {
		return &ExternalDataError{Tensor: c.name, Location: c.loc, Err: err}
	}
	var r io.Reader
	if fresh {
		defer f.Close()
		if _, err := f.Seek(c.off, io.SeekStart); err != nil {
			return err
		}
		r = io.LimitReader(f, c.n)
	} else {
		r = io.NewSectionReader(f, c.off, c.n)
	}
	// Pieces of a file copy as a whole does (copy_file_range for files).
	var n int64
	for n < c.n && err == nil {
		if err = ctx.Err(); err != nil {
			return err
		}
		var k int64
		k, err = io.Copy(w, io.LimitReader(r, min(c.n-n, writePiece)))
		n += k
		if k == 0 && err == nil {
			break
		}
	}
	if err == nil && n != c.n {
		err = errorf(ErrExternalData, "file ended after %d of %d bytes", n, c.n)
	}
	if err != nil {
		return &ExternalDataError{Tensor: c.name, Location: c.loc, Err: err}
	}
	return nil
}

// extOut is one external file a save writes.
type extOut struct {
	location string
	parts    []extPart
	size     int64
	kept     bool // ExternalKeep: the parts keep their offsets in a source file
	skip     bool // the file is already in place, byte for byte: not written
}

// extPart is a tensor's bytes at an offset of an external file, and the
// saved tensor entry that names them there.
type extPart struct {
	off int64
	c   chunk
	ref *onnxproto.TensorProto
}

// setLocation names loc as every part's file.
func (f *extOut) setLocation(loc string) {
	f.location = loc
	for _, pt := range f.parts {
		setExternalEntry(pt.ref, "location", loc)
	}
}

// setExternalEntry sets the value of key in t's external_data.
func setExternalEntry(t *onnxproto.TensorProto, key, value string) {
	for _, kv := range t.ExternalData {
		if kv.GetKey() == key {
			kv.Value = proto.String(value)
			return
		}
	}
	t.ExternalData = append(t.ExternalData, &onnxproto.StringStringEntryProto{Key: proto.String(key), Value: proto.String(value)})
}

// savePlan is everything a save writes, decided before any byte is.
type savePlan struct {
	skel   []byte  // the model file without the raw_data of streamed tensors
	gaps   []gap   // where in skel each streamed tensor's raw_data goes
	chunks []chunk // the data of streamed tensors
	size   int64   // the model file's size
	files  []*extOut
	sync   bool
	prog   *saveProgress // nil without SaveOptions.Progress
}

// saveProgress counts the bytes a save has written for
// SaveOptions.Progress.
type saveProgress struct {
	fn          func(done, total int64)
	done, total int64
}

func (s *saveProgress) add(n int64) {
	if s != nil {
		s.done += n
		s.fn(s.done, s.total)
	}
}

// startProgress sets the total a save reports: the model file and every
// external file it writes.
func (p *savePlan) startProgress() {
	if p.prog == nil {
		return
	}
	p.prog.total = p.size
	for _, f := range p.files {
		if !f.skip {
			p.prog.total += f.size
		}
	}
}

// counting returns w, counting what goes through it when the save reports
// progress.
func (p *savePlan) counting(w io.Writer) io.Writer {
	if p.prog == nil {
		return w
	}
	return progressWriter{w, p.prog}
}

type progressWriter struct {
	w io.Writer
	p *saveProgress
}

func (w progressWriter) Write(b []byte) (int, error) {
	n, err := w.w.Write(b)
	w.p.add(int64(n))
	return n, err
}

// ReadFrom hands a copy to the file below, counting it: a file copies
// from a file with the kernel (copy_file_range), which a plain Write
// loop through memory would not.
func (w progressWriter) ReadFrom(r io.Reader) (int64, error) {
	rf, ok := w.w.(io.ReaderFrom)
	if !ok {
		return io.Copy(struct{ io.Writer }{w}, r)
	}
	n, err := rf.ReadFrom(r)
	w.p.add(n)
	return n, err
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// sourceKey is a source file of external data: its folder and location.
type sourceKey struct{ dir, loc string }

// chunkKey identifies the bytes of a chunk, so that bytes two tensors share
// are written once: a range of a source file, or a view of memory.
type chunkKey struct {
	src    sourceKey
	off, n int64
	mem    *byte
}

func (c chunk) key() chunkKey {
	if c.dir != nil {
		return chunkKey{src: sourceKey{c.dir.abs, cleanLoc(c.loc)}, off: c.off, n: c.n}
	}
	if len(c.b) == 0 {
		return chunkKey{n: -1}
	}
	return chunkKey{mem: &c.b[0], n: int64(len(c.b))}
}

// plan decides where every tensor goes and builds the model skeleton. dir
// is the folder a SaveWith writes to and target its model file; files is
// false for Write, which writes no external file.
func (m *Model) plan(o SaveOptions, dir, target string, files bool) (*savePlan, error) {
	base := filepath.Base(target)
	if o.Threshold == 0 {
		o.Threshold = 1024
	}
	if o.External == ExternalSingle && o.Location == "" {
		o.Location = base + ".data"
	}
	if o.Location != "" {
		if err := checkLocation(o.Location); err != nil {
			return nil, &ExternalDataError{Location: o.Location, Err: err}
		}
	}
	p := &savePlan{sync: o.Sync}
	if o.Progress != nil {
		p.prog = &saveProgress{fn: o.Progress}
	}
	byLoc := map[string]*extOut{}
	var extra *extOut               // ExternalKeep's file for tensors held in memory
	kept := map[sourceKey]*extOut{} // a kept source file -> the file it goes to
	written := map[chunkKey]int64{} // bytes already placed in the single file
	usedNames := map[string]bool{strings.ToLower(base): true}
	mapped := map[*onnxproto.TensorProto]*onnxproto.TensorProto{}
	var firstErr error

	out := func(loc string) *extOut {
		f, ok := byLoc[loc]
		if !ok {
			f = &extOut{location: loc}
			byLoc[loc] = f
			p.files = append(p.files, f)
			usedNames[strings.ToLower(loc)] = true
		}
		return f
	}
	appendPart := func(f *extOut, c chunk, ref *onnxproto.TensorProto) int64 {
		off := f.size
		if o.Align > 1 && off%o.Align != 0 {
			off += o.Align - off%o.Align
		}
		f.parts = append(f.parts, extPart{off, c, ref})
		f.size = off + c.size()
		return off
	}
	// stream maps each tensor whose raw_data the save streams to its
	// chunk: the encoder writes the tensor without its raw_data (and,
	// when it was external, without its external_data and data_location),
	// and the chunk as its raw_data.
	stream := map[*onnxproto.TensorProto]int{}
	streamInline := func(t *onnxproto.TensorProto, c chunk) *onnxproto.TensorProto {
		if c.dir != nil || len(c.b) >= minAlias || t.GetDataLocation() == onnxproto.TensorProto_EXTERNAL {
			stream[t] = len(p.chunks)
			p.chunks = append(p.chunks, c)
			return t
		}
		if t.GetDataLocation() != onnxproto.TensorProto_EXTERNAL {
			// Inline already: its raw_data is c.b, and external_data
			// entries it holds anyway are kept as they are.
			return t
		}
		q := shallow(t)
		q.RawData = c.b
		q.DataLocation = nil
		q.ExternalData = nil
		return q
	}
	toExternal := func(t *onnxproto.TensorProto, loc string, off, n int64, keepKeys bool) *onnxproto.TensorProto {
		q := shallow(t)
		q.RawData = nil
		q.DataLocation = onnxproto.TensorProto_EXTERNAL.Enum()
		q.ExternalData = []*onnxproto.StringStringEntryProto{
			{Key: proto.String("location"), Value: proto.String(loc)},
			{Key: proto.String("offset"), Value: proto.String(strconv.FormatInt(off, 10))},
			{Key: proto.String("length"), Value: proto.String(strconv.FormatInt(n, 10))},
		}
		if keepKeys {
			for _, kv := range t.ExternalData {
				switch kv.GetKey() {
				case "location", "offset", "length":
				default:
					q.ExternalData = append(q.ExternalData, kv)
				}
			}
		}
		return q
	}
	freshName := func(name string) string {
		name = unsafeName.ReplaceAllString(name, "_")
		if name == "" || name == "." || name == ".." {
			name = "tensor"
		}
		cand := name
		for i := 1; usedNames[strings.ToLower(cand)]; i++ {
			cand = name + "." + strconv.Itoa(i)
		}
		return cand
	}

	decide := func(t *onnxproto.TensorProto) *onnxproto.TensorProto {
		if firstErr != nil {
			return t
		}
		if _, ok := stream[t]; ok {
			return t // streamed: stream is the cache of such tensors
		}
		if q, ok := mapped[t]; ok {
			return q
		}
		q, err := func() (*onnxproto.TensorProto, error) {
			external := t.GetDataLocation() == onnxproto.TensorProto_EXTERNAL
			var c chunk
			switch {
			case external:
				r, err := externalRef(t)
				if err != nil {
					return nil, err
				}
				d := m.ext[t]
				if o.External == ExternalKeep && !files {
					return t, nil // references are written as they are
				}
				if d == nil {
					return nil, &ExternalDataError{Tensor: t.GetName(), Location: r.Location,
						Err: errorf(ErrExternalData, "the model was not loaded from a folder (set LoadOptions.Dir)")}
				}
				// Check the range now, so that a save fails before it writes.
				_, size, err := d.open(r.Location)
				if err != nil {
					return nil, &ExternalDataError{Tensor: t.GetName(), Location: r.Location, Err: err}
				}
				n, err := r.span(size)
				if err != nil {
					return nil, &ExternalDataError{Tensor: t.GetName(), Location: r.Location, Err: err}
				}
				c = chunk{dir: d, loc: r.Location, off: r.Offset, n: n, name: t.GetName()}
				if o.External == ExternalKeep {
					// One output file per source file, under its name
					// unless a file from another folder took it (merged
					// models): then under a new name.
					src := sourceKey{d.abs, cleanLoc(r.Location)}
					f := kept[src]
					if f == nil {
						loc := src.loc
						if _, taken := byLoc[loc]; taken {
							loc = freshName(loc)
						}
						f = out(loc)
						f.kept = true
						kept[src] = f
					}
					q := toExternal(t, f.location, r.Offset, n, true)
					f.parts = append(f.parts, extPart{r.Offset, c, q})
					return q, nil
				}
			case t.RawData != nil:
				var ok bool
				if c, ok = m.srcChunk(t); !ok {
					c = chunk{b: t.RawData, name: t.GetName()}
				}
			default:
				return t, nil // typed fields stay as they are
			}
			size := c.size()
			big := o.Threshold < 0 || size >= o.Threshold
			switch {
			case o.External == ExternalSingle && big:
				f := out(o.Location)
				k := c.key()
				if off, ok := written[k]; ok && k.n >= 0 {
					return toExternal(t, o.Location, off, size, false), nil
				}
				q := toExternal(t, o.Location, 0, size, false)
				off := appendPart(f, c, q)
				setExternalEntry(q, "offset", strconv.FormatInt(off, 10))
				written[k] = off
				return q, nil
			case o.External == ExternalKeep && o.Location != "" && files && big:
				if extra == nil {
					extra = &extOut{location: o.Location}
					p.files = append(p.files, extra)
				}
				q := toExternal(t, extra.location, 0, size, false)
				setExternalEntry(q, "offset", strconv.FormatInt(appendPart(extra, c, q), 10))
				return q, nil
			case o.External == ExternalPerTensor && big:
				loc := freshName(t.GetName())
				f := out(loc)
				q := toExternal(t, loc, 0, size, false)
				appendPart(f, c, q)
				return q, nil
			}
			return streamInline(t, c), nil
		}()
		if err != nil {
			firstErr = err
			return t
		}
		if q != t {
			mapped[t] = q // (a tensor returned as it is is decided again, cheaply)
		}
		return q
	}
	renamed := func(copy, mapped *onnxproto.TensorProto) {
		if i, ok := stream[mapped]; ok {
			stream[copy] = i
		}
	}
	mp := (&encoder{tensor: decide, renamed: renamed}).model(m)
	if firstErr != nil {
		return nil, firstErr
	}
	for _, f := range p.files {
		if f.kept {
			f.layoutKept()
		}
	}
	if extra != nil {
		if usedNames[strings.ToLower(extra.location)] {
			extra.setLocation(freshName(extra.location))
		}
		usedNames[strings.ToLower(extra.location)] = true
	}
	if files {
		if err := p.placeFiles(o, dir, target, freshName); err != nil {
			return nil, err
		}
	}
	// The model file is about as large as the one it was read from, less
	// the streamed tensors: a guess that spares the encoder regrowing its
	// buffer.
	hint := m.wireSize
	for _, c := range p.chunks {
		hint -= c.size()
	}
	skel, gaps, size, err := encodeModel(mp, stream, p.chunks, max(hint+hint/8, 0))
	if err != nil {
		return nil, fmt.Errorf("onnxgraph: marshal: %w", err)
	}
	p.skel, p.gaps, p.size = skel, gaps, size
	if size > MaxProtoSize {
		return nil, errorf(ErrTooLarge, "the model file would be %s, over protobuf's 2 GiB limit: save with external data (SaveOptions{External: ExternalSingle})", FormatBytes(size))
	}
	return p, nil
}

// placeFiles settles each external file against the folder it goes to: a
// kept file already there byte for byte is left alone; no file that
// another loaded model reads from is replaced (a kept or per-tensor file
// takes a new name, the single file the caller named is refused); a kept
// file that holds much less than its source is packed.
func (p *savePlan) placeFiles(o SaveOptions, dir, target string, freshName func(string) string) error {
	for _, f := range p.files {
		final := filepath.Join(dir, filepath.FromSlash(f.location))
		if filepath.Clean(final) == filepath.Clean(target) {
			return errorf(ErrInvalid, "external data file %q is the model file itself", f.location)
		}
		if f.kept && f.inPlace(final) {
			f.skip = true
			continue
		}
		if rs := readers(final, target); len(rs) > 0 {
			if !f.kept && o.External == ExternalSingle {
				who := "a loaded model"
				if rs[0].model != "" {
					who = fmt.Sprintf("the loaded model %q", rs[0].model)
				}
				return errorf(ErrInUse, "external data file %q is read by %s (as %q); saving %q would change its weights: choose another location", f.location, who, rs[0].loc, target)
			}
			f.setLocation(freshName(f.location))
		}
		if f.kept {
			f.pack()
		}
	}
	return nil
}

// layoutKept places a kept file's parts at their original offsets, where
// the tensors' entries say they are. Parts that overlap (tensors sharing
// bytes) come from the same source file at the same offsets, so they agree.
func (f *extOut) layoutKept() {
	slices.SortStableFunc(f.parts, func(a, b extPart) int { return cmp.Compare(a.off, b.off) })
	f.size = 0
	for _, pt := range f.parts {
		f.size = max(f.size, pt.off+pt.c.size())
	}
}

// packSlack is the unused space from which a kept file written anew is
// packed: more than 1 MiB and more than a sixteenth of the file.
const packSlack = 1 << 20

// pack moves a kept file's parts together, in their order, when the saved
// model uses much less of the file than its size (an extracted part of a
// big model): each part keeps the alignment its offset had, up to 4096.
// Files whose parts overlap other than exactly are left as they are.
func (f *extOut) pack() {
	var used, end int64
	for i, pt := range f.parts {
		if i > 0 {
			prev := f.parts[i-1]
			if pt.off == prev.off && pt.c.size() == prev.c.size() {
				continue
			}
			if pt.off < prev.off+prev.c.size() {
				return // partial overlap
			}
		}
		used += pt.c.size()
		end = pt.off + pt.c.size()
	}
	if slack := end - used; slack <= packSlack || slack <= end/16 {
		return
	}
	var pos int64
	moved := map[int64]int64{}
	for i := range f.parts {
		pt := &f.parts[i]
		to, ok := moved[pt.off]
		if !ok {
			align := int64(pageSize)
			if pt.off != 0 {
				align = min(align, pt.off&-pt.off)
			}
			to = (pos + align - 1) / align * align
			moved[pt.off] = to
			pos = to + pt.c.size()
		}
		pt.off = to
		setExternalEntry(pt.ref, "offset", strconv.FormatInt(to, 10))
	}
	f.size = pos
}

// inPlace reports whether f would rewrite, byte for byte at the same
// offsets, the very file its parts come from (saving a model over itself
// or into its own folder); then the file is left as it is.
func (f *extOut) inPlace(final string) bool {
	st, err := os.Stat(final)
	if err != nil {
		return false
	}
	for _, pt := range f.parts {
		if pt.c.dir == nil || pt.off != pt.c.off || cleanLoc(pt.c.loc) != f.location {
			return false
		}
		src, _, err := pt.c.dir.open(pt.c.loc)
		if err != nil {
			return false
		}
		sst, err := src.Stat()
		if err != nil || !os.SameFile(st, sst) {
			return false
		}
	}
	return true
}

// write writes f's parts at their offsets. Parts that continue each other
// in both the source file and f are copied as one range, so a kept layout
// costs one kernel copy per file, as cp would.
func (f *extOut) write(ctx context.Context, w *os.File, prog *saveProgress) error {
	pos := int64(0)
	end := int64(0) // the end of what is written
	for _, pt := range coalesce(f.parts) {
		if pt.off+pt.c.size() <= end {
			continue // shared bytes, already written
		}
		if pt.off != pos {
			if _, err := w.Seek(pt.off, io.SeekStart); err != nil {
				return err
			}
			pos = pt.off
		}
		if err := pt.c.writeTo(ctx, w, pt.off); err != nil {
			return err
		}
		prog.add(pt.c.size())
		pos += pt.c.size()
		end = max(end, pos)
	}
	if end < f.size {
		if err := w.Truncate(f.size); err != nil {
			return err
		}
	}
	return nil
}

// writeModel streams the model file: the skeleton with the gaps filled
// by the streamed tensors' bytes.
func (p *savePlan) writeModel(ctx context.Context, w *bufio.Writer) error {
	done, pos := 0, int64(0) // bytes of skel written, bytes written
	for _, g := range p.gaps {
		if _, err := w.Write(p.skel[done:g.tail]); err != nil {
			return err
		}
		pos += int64(g.tail - done)
		done = g.tail
		c := p.chunks[g.chunk]
		if err := c.writeTo(ctx, w, pos); err != nil {
			return err
		}
		pos += c.size()
	}
	_, err := w.Write(p.skel[done:])
	return err
}

// FormatBytes returns n as a size people read: "512 B", "3.5 KiB",
// "12.3 MiB", "1.25 GiB".
func FormatBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// coalesce merges runs of parts that are contiguous ranges of one source
// file written contiguously.
func coalesce(parts []extPart) []extPart {
	var out []extPart
	for _, pt := range parts {
		if k := len(out) - 1; k >= 0 {
			last := &out[k]
			if last.c.dir != nil && pt.c.dir == last.c.dir && pt.c.loc == last.c.loc &&
				pt.c.off == last.c.off+last.c.n && pt.off == last.off+last.c.n {
				last.c.n += pt.c.n
				continue
			}
		}
		out = append(out, pt)
	}
	return out
}
