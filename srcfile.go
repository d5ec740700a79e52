package onnxgraph

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/onnxgraph/onnxgraph/onnxproto"
)

// minSrcCopy is the smallest raw_data a save copies from the model's file
// rather than from memory: below it, opening the file costs more than the
// copy saves.
const minSrcCopy = 64 << 10

// srcFile is the file a model was opened from, as it was then: a save
// copies the raw_data of unedited tensors from it with the kernel (as cp
// does) when it is still that file, unchanged.
type srcFile struct {
	path    string
	info    os.FileInfo
	size    int64
	modTime time.Time
	kernel  bool // the kernel's copy beats a write from memory (kernelCopyPays)
	mapped  bool // the bytes are mapped (LoadOptions.Map): a write from memory would read the file through page faults
}

// forceKernelCopy makes saves copy from the source file wherever they can,
// whatever its filesystem: for tests, on machines where kernelCopyPays is
// false.
var forceKernelCopy bool

// srcView is where a tensor's raw_data sits in the source file.
type srcView struct {
	off  int64
	view []byte // the bytes the tensor held then
}

// statSource describes the file f (opened at path, n bytes read), or nil
// when it cannot tell.
func statSource(f *os.File, path string, n int64) *srcFile {
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() != n {
		return nil
	}
	return sourceOf(st, path)
}

// sourceOf describes the regular file at path, as st found it.
func sourceOf(st os.FileInfo, path string) *srcFile {
	abs := absPath(path)
	return &srcFile{path: abs, info: st, size: st.Size(), modTime: st.ModTime(), kernel: forceKernelCopy || kernelCopyPays(abs)}
}

// open returns a new handle on the source file when the file at its path
// is still the one loaded, unchanged since; nil otherwise.
func (s *srcFile) open() *os.File {
	f, err := os.Open(s.path)
	if err != nil {
		return nil
	}
	st, err := f.Stat()
	if err != nil || !s.same(st) {
		f.Close()
		return nil
	}
	return f
}

// same reports whether st describes the file as it was loaded.
func (s *srcFile) same(st os.FileInfo) bool {
	return os.SameFile(st, s.info) && st.Size() == s.size && st.ModTime().Equal(s.modTime)
}

// srcChunk returns the chunk of t's raw_data as a range of the model's
// source file, when t still holds the bytes it was loaded with.
func (m *Model) srcChunk(t *onnxproto.TensorProto) (chunk, bool) {
	v, ok := m.srcViews[t]
	if !ok || len(t.RawData) != len(v.view) || len(v.view) == 0 || &t.RawData[0] != &v.view[0] {
		return chunk{}, false
	}
	return chunk{b: t.RawData, src: m.src, off: v.off, n: int64(len(v.view)), name: t.GetName()}, true
}

// copySrc writes c's range of the source file to w with the kernel's
// copy, or from memory when the file is no longer the one loaded.
func (c chunk) copySrc(w io.Writer) (done bool, err error) {
	f := c.src.open()
	if f == nil {
		return false, nil
	}
	defer f.Close()
	if _, err := f.Seek(c.off, io.SeekStart); err != nil {
		return false, nil
	}
	if bw, ok := w.(*bufio.Writer); ok && bw.Buffered() > 0 {
		// Emptied, the buffer hands the whole copy to the file (and so
		// to the kernel); with bytes in it, it would first fill itself
		// from f through memory.
		if err := bw.Flush(); err != nil {
			return true, err
		}
	}
	n, err := io.Copy(w, io.LimitReader(f, c.n))
	if err == nil && n != c.n {
		err = errorf(ErrExternalData, "%s ended after %d of %d bytes", filepath.Base(c.src.path), n, c.n)
	}
	return true, err
}
