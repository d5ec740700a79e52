package onnxgraph

import (
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"weak"
)

// extDir is a folder external data is read from. Files open through an
// os.Root, so symbolic links that lead out of the folder are refused too.
//
// Every extDir is listed, weakly, in a registry of the folders loaded
// models read from, so that no save replaces a file a model reads (see
// readers).
type extDir struct {
	path  string
	abs   string // path made absolute, to compare folders
	model string // the absolute path of the model file loaded with it, "" when not known
	mu    sync.Mutex
	root  *os.Root
	files map[string]extFile
	locs  map[string]bool // the clean locations its tensors name
}

type extFile struct {
	f    *os.File
	size int64
}

// newExtDir returns the folder dir of the model loaded from modelPath
// ("" when not known), listed in the registry.
func newExtDir(dir, modelPath string) *extDir {
	d := &extDir{path: dir, abs: absPath(dir), files: map[string]extFile{}, locs: map[string]bool{}}
	if modelPath != "" {
		d.model = absPath(modelPath)
	}
	loaded.add(d)
	return d
}

// absPath returns p made absolute and clean, or p when that fails.
func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return filepath.Clean(p)
}

// cleanLoc returns an external-data location in its canonical form.
func cleanLoc(loc string) string { return path.Clean(strings.ReplaceAll(loc, `\`, "/")) }

// note records that a tensor of the folder's model names loc.
func (d *extDir) note(loc string) {
	d.mu.Lock()
	d.locs[cleanLoc(loc)] = true
	d.mu.Unlock()
}

// registry lists the folders of loaded models weakly: a folder leaves it
// when its model is garbage collected (not when it is closed: a closed
// model reopens its files when read).
type registry struct {
	mu   sync.Mutex
	dirs []weak.Pointer[extDir]
}

var loaded registry

func (r *registry) add(d *extDir) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.dirs = append(r.dirs, weak.Make(d))
}

// live returns the folders whose models are still held.
func (r *registry) live() []*extDir {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*extDir
	r.dirs = slices.DeleteFunc(r.dirs, func(p weak.Pointer[extDir]) bool {
		d := p.Value()
		if d != nil {
			out = append(out, d)
		}
		return d == nil
	})
	return out
}

// reader is a loaded model that reads tensors from a file.
type reader struct {
	model string // the model file, "" when not known
	loc   string // the location as the model names it
}

// readers returns the loaded models (other than those loaded from the
// file target, which a save replaces whole) that read tensors from the
// file at p. The same file reached by two paths counts.
func readers(p, target string) []reader {
	st, err := os.Stat(p)
	if err != nil {
		return nil
	}
	var out []reader
	for _, d := range loaded.live() {
		if d.model != "" && d.model == absPath(target) {
			continue
		}
		d.mu.Lock()
		locs := slices.Sorted(maps.Keys(d.locs))
		d.mu.Unlock()
		for _, loc := range locs {
			if s2, err := os.Stat(filepath.Join(d.path, filepath.FromSlash(loc))); err == nil && os.SameFile(st, s2) {
				out = append(out, reader{d.model, loc})
			}
		}
	}
	return out
}

// open returns the file at loc, opened once and kept, and its size.
func (d *extDir) open(loc string) (*os.File, int64, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	key := cleanLoc(loc)
	if ef, ok := d.files[key]; ok {
		return ef.f, ef.size, nil
	}
	if d.root == nil {
		r, err := os.OpenRoot(d.path)
		if err != nil {
			return nil, 0, errorf(ErrExternalData, "model folder: %v", err)
		}
		d.root = r
	}
	f, err := d.root.Open(filepath.FromSlash(key))
	if err != nil {
		if strings.Contains(err.Error(), "escapes") || strings.Contains(err.Error(), "outside") {
			return nil, 0, errorf(ErrUnsafePath, "%v", err)
		}
		return nil, 0, errorf(ErrExternalData, "%v", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, errorf(ErrExternalData, "%v", err)
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, 0, errorf(ErrExternalData, "not a regular file")
	}
	d.files[key] = extFile{f, st.Size()}
	return f, st.Size(), nil
}

// close releases the open files.
func (d *extDir) close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	var first error
	for k, ef := range d.files {
		if err := ef.f.Close(); err != nil && first == nil {
			first = err
		}
		delete(d.files, k)
	}
	if d.root != nil {
		if err := d.root.Close(); err != nil && first == nil {
			first = err
		}
		d.root = nil
	}
	return first
}

// openFresh opens loc through the folder's root as a new handle, for a
// caller that seeks and copies, and reports true. When the name no longer
// leads to the file the model loaded (it was replaced or deleted since, as
// when a model is saved over its own data file), it returns the kept handle
// of that file instead, with false: read it with ReadAt, do not close it.
func (d *extDir) openFresh(loc string) (*os.File, bool, error) {
	kept, _, err := d.open(loc)
	if err != nil {
		return nil, false, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	f, err := d.root.Open(filepath.FromSlash(cleanLoc(loc)))
	if err != nil {
		return kept, false, nil
	}
	st1, err1 := kept.Stat()
	st2, err2 := f.Stat()
	if err1 != nil || err2 != nil || !os.SameFile(st1, st2) {
		f.Close()
		return kept, false, nil
	}
	return f, true, nil
}
