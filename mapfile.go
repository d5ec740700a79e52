package onnxgraph

import (
	"fmt"
	"os"
	"runtime/debug"
	"slices"
	"sync"
	"unsafe"
)

// minMap is the smallest file LoadOptions.Map maps: below it a read costs
// less than setting up the mapping.
const minMap = 1 << 20

// fileMap is a model file mapped into memory (LoadOptions.Map). Every
// model whose tensors may view its bytes holds a reference; the last
// Close unmaps it.
type fileMap struct {
	mu   sync.Mutex
	b    []byte
	refs int
	file *os.File // the file mapped, held open to tell when it changes under the mapping
	src  *srcFile // the file as it was mapped
}

// changed reports whether the mapped file was rewritten or cut short in
// place since it was mapped (a file replaced at its path, as editors and
// this package's saves do, leaves the mapped one as it was).
func (f *fileMap) changed() bool {
	st, err := f.file.Stat()
	return err != nil || !f.src.same(st)
}

// contains reports whether p views bytes of the mapping.
func (f *fileMap) contains(p []byte) bool {
	if len(p) == 0 || len(f.b) == 0 {
		return false
	}
	start := uintptr(unsafe.Pointer(unsafe.SliceData(f.b)))
	at := uintptr(unsafe.Pointer(unsafe.SliceData(p)))
	return at >= start && at < start+uintptr(len(f.b))
}

// release drops one reference; the last one unmaps the file.
func (f *fileMap) release() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refs--
	if f.refs > 0 || f.b == nil {
		return nil
	}
	b := f.b
	f.b = nil
	f.file.Close()
	return unmapFile(b)
}

// shareMaps makes m hold a reference to each of maps it does not hold yet:
// m has taken tensors that may view them.
func (m *Model) shareMaps(maps []*fileMap) {
	for _, f := range maps {
		if f == nil || slices.Contains(m.maps, f) {
			continue
		}
		f.mu.Lock()
		f.refs++
		f.mu.Unlock()
		m.maps = append(m.maps, f)
	}
}

// releaseMaps gives up m's references to its mappings.
func (m *Model) releaseMaps() error {
	var first error
	for _, f := range m.maps {
		if err := f.release(); err != nil && first == nil {
			first = err
		}
	}
	m.maps = nil
	return first
}

// checkMaps returns ErrChanged when a file m's tensors are mapped from
// was changed in place since it was opened: the mapping then shows the
// new bytes, not the model's.
func (m *Model) checkMaps() error {
	for _, f := range m.maps {
		if f.changed() {
			return fmt.Errorf("%w: %s was rewritten since it was opened with LoadOptions.Map", ErrChanged, f.file.Name())
		}
	}
	return nil
}

// mapOf returns the mapping of m that t's bytes view, or nil.
func (m *Model) mapOf(raw []byte) *fileMap {
	for _, f := range m.maps {
		if f.contains(raw) {
			return f
		}
	}
	return nil
}

// guardFault runs fn and turns a memory fault in it (a mapped file cut
// short by another process while mapped reads as a bus error) into an
// error naming what was being done, instead of a crash. Other panics go
// on.
func guardFault(what string, fn func() error) (err error) {
	old := debug.SetPanicOnFault(true)
	defer func() {
		debug.SetPanicOnFault(old)
		if r := recover(); r != nil {
			if _, ok := r.(interface{ Addr() uintptr }); !ok {
				panic(r)
			}
			err = fmt.Errorf("%w: %s: %v", ErrChanged, what, r)
		}
	}()
	return fn()
}
