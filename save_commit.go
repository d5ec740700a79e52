package onnxgraph

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/onnxgraph/onnxgraph/onnxproto"
)

// A save puts its files in place so that at every instant the target is
// the complete old model (with its data) or the complete new one:
//
//  1. every file is written under a temporary name beside its final one
//     (".NAME.tmp-PID-RANDOM"); a failure removes them and changes nothing;
//  2. when a new data file takes the name of a file the old model reads,
//     the old file gets a second name (a hard link ".NAME.old-PID-RANDOM")
//     and the old model is rewritten, unchanged but for that name, and
//     renamed into place: the target is still the complete old model;
//  3. the data files are renamed into place (the old model no longer reads
//     any of those names), then the model file: this rename is the moment
//     the new model appears;
//  4. the second names of step 2, and those a killed save left (the old
//     model of a killed save may still read them), are removed once no
//     model file there reads them.
//
// Temporary files of a killed save are removed by the next save of the
// same file once their process is gone.

// commit writes the plan's files and puts them in place.
func (p *savePlan) commit(ctx context.Context, dir, target string) (err error) {
	c := &committer{ctx: ctx, plan: p, dir: dir, target: target}
	defer func() {
		if err != nil {
			c.undo()
			err = saveError(target, err)
		}
	}()
	for _, f := range p.files {
		if !f.skip {
			sweepTemps(filepath.Join(dir, filepath.FromSlash(f.location)))
		}
	}
	sweepTemps(target)
	if err := c.writeAll(); err != nil {
		return err
	}
	old, err := c.keepOld()
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err // the last moment a save can still be stopped
	}
	for _, r := range c.renames {
		if err := os.Rename(r.tmp, r.final); err != nil {
			return err
		}
	}
	c.temps = nil // in place: nothing to undo
	if p.sync {
		if err := syncDir(dir); err != nil {
			return err
		}
	}
	c.removeOld(old)
	return nil
}

type rename struct{ tmp, final string }

// committer is the state of one commit.
type committer struct {
	ctx         context.Context
	plan        *savePlan
	dir, target string
	temps       []string // written, to remove on failure
	links       []string // second names made in step 2, to remove on failure
	renames     []rename // data files, then the model file
	finals      map[string]bool
}

// writeAll writes every file under its temporary name.
func (c *committer) writeAll() error {
	c.finals = map[string]bool{}
	c.plan.startProgress()
	for _, f := range c.plan.files {
		final := filepath.Join(c.dir, filepath.FromSlash(f.location))
		c.finals[absPath(final)] = true
		if f.skip {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
			return err
		}
		if err := c.writeTemp(final, func(w *os.File) error { return f.write(c.ctx, w, c.plan.prog) }); err != nil {
			return fmt.Errorf("writing its data file %q: %w", f.location, err)
		}
	}
	return c.writeTemp(c.target, func(w *os.File) error {
		bw := bufio.NewWriterSize(c.plan.counting(w), 1<<20)
		if err := c.plan.writeModel(c.ctx, bw); err != nil {
			return err
		}
		return bw.Flush()
	})
}

// writeTemp writes a temporary file for final with write.
func (c *committer) writeTemp(final string, write func(*os.File) error) error {
	tmp, err := writeTempFile(final, c.plan.sync, write)
	if tmp != "" {
		c.temps = append(c.temps, tmp)
	}
	if err != nil {
		return err
	}
	c.renames = append(c.renames, rename{tmp, final})
	return nil
}

// writeTempFile writes a temporary file beside final (named by
// tempPattern) with write, synced when sync is set, and returns its name
// (also when it fails after creating it, for the caller to remove).
func writeTempFile(final string, sync bool, write func(*os.File) error) (string, error) {
	tmp, err := os.CreateTemp(filepath.Dir(final), tempPattern(final))
	if err != nil {
		return "", err
	}
	if err := write(tmp); err != nil {
		tmp.Close()
		return tmp.Name(), err
	}
	if sync {
		if err := tmp.Sync(); err != nil {
			tmp.Close()
			return tmp.Name(), err
		}
	}
	if err := tmp.Close(); err != nil {
		return tmp.Name(), err
	}
	return tmp.Name(), os.Chmod(tmp.Name(), 0o644)
}

// WriteFile writes the file at path with write, the way a model save puts
// its file in place: write's bytes (buffered) go to a temporary file
// beside path, renamed over path once write and the close succeed, so
// that at every instant path is the complete old file or the complete new
// one. When write fails, or ctx ends before the rename, the temporary
// file is removed and path is left as it was; the temporary files of a
// killed write are removed by the next write of the same path once their
// process is gone. Errors name path (not the temporary file) and wrap
// write's error. The file is not synced (see SaveOptions.Sync); its mode
// is 0644.
func WriteFile(ctx context.Context, path string, write func(w io.Writer) error) error {
	sweepTemps(path)
	tmp, err := writeTempFile(path, false, func(f *os.File) error {
		bw := bufio.NewWriterSize(f, 1<<20)
		if err := write(bw); err != nil {
			return err
		}
		return bw.Flush()
	})
	if err == nil {
		err = ctx.Err()
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		if tmp != "" {
			os.Remove(tmp)
		}
		return saveError(path, err)
	}
	return nil
}

// keepOld does step 2 when needed and returns the old model's external
// files (absolute paths), or nil when there is no old model to read.
func (c *committer) keepOld() (map[string]bool, error) {
	clash := false
	for _, r := range c.renames[:len(c.renames)-1] {
		if _, err := os.Lstat(r.final); err == nil {
			clash = true
		}
	}
	if !clash && !hasOldNames(c.target, c.finals) {
		return nil, nil
	}
	old, err := Open(c.target, &LoadOptions{SkipExternalCheck: true})
	if err != nil {
		return nil, nil // not a model: nothing to keep whole
	}
	defer old.Close()
	used := map[string]bool{}
	var moved []*onnxproto.TensorProto
	old.modelTensors(func(t *onnxproto.TensorProto) {
		if t.GetDataLocation() != onnxproto.TensorProto_EXTERNAL {
			return
		}
		r, err := externalRef(t)
		if err != nil {
			return
		}
		p := absPath(filepath.Join(filepath.Dir(c.target), filepath.FromSlash(cleanLoc(r.Location))))
		used[p] = true
		for _, rn := range c.renames[:len(c.renames)-1] {
			if sameFile(p, rn.final) {
				moved = append(moved, t)
				return
			}
		}
	})
	if len(moved) == 0 {
		return used, nil
	}
	second := map[string]string{} // old data file -> its second name
	for _, t := range moved {
		r, _ := externalRef(t)
		p := filepath.Join(filepath.Dir(c.target), filepath.FromSlash(cleanLoc(r.Location)))
		name, ok := second[p]
		if !ok {
			if name, err = c.link(p); err != nil {
				return nil, fmt.Errorf("keeping the old model's data file %q: %w", r.Location, err)
			}
			second[p] = name
			used[absPath(name)] = true
		}
		rel, err := filepath.Rel(filepath.Dir(c.target), name)
		if err != nil {
			return nil, err
		}
		setExternalEntry(t, "location", filepath.ToSlash(rel))
	}
	// The old model, naming the second names, replaces itself.
	if err := c.writeTemp(c.target, func(w *os.File) error { return old.Write(w, nil) }); err != nil {
		return nil, fmt.Errorf("keeping the old model: %w", err)
	}
	last := c.renames[len(c.renames)-1]
	c.renames = c.renames[:len(c.renames)-1]
	if err := os.Rename(last.tmp, last.final); err != nil {
		return nil, err
	}
	return used, nil
}

// link gives the file p a second name beside it and returns that name.
func (c *committer) link(p string) (string, error) {
	for range 100 {
		name := filepath.Join(filepath.Dir(p), "."+filepath.Base(p)+".old-"+strconv.Itoa(os.Getpid())+"-"+strconv.FormatUint(rand.Uint64()%1e9, 10))
		err := os.Link(p, name)
		if err == nil {
			c.links = append(c.links, name)
			return name, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return "", err
		}
	}
	return "", errorf(ErrInvalid, "no free name beside %q", p)
}

// undo removes what a failed commit wrote. The second names of step 2 stay
// when the old model, rewritten to read them, is in place.
func (c *committer) undo() {
	for _, t := range c.temps {
		os.Remove(t)
	}
	if len(c.links) > 0 && !oldModelReads(c.target, c.links) {
		for _, l := range c.links {
			os.Remove(l)
		}
	}
}

// removeOld does step 4: it removes second names that the old model read
// (or a killed save left) and the new model does not.
func (c *committer) removeOld(old map[string]bool) {
	for p := range old {
		if isOldName(filepath.Base(p)) && !c.finals[p] {
			os.Remove(p)
		}
	}
	for _, d := range c.folders() {
		ents, _ := os.ReadDir(d)
		for _, e := range ents {
			p := filepath.Join(d, e.Name())
			if pid, ok := oldPID(e.Name()); ok && !c.finals[absPath(p)] && !old[absPath(p)] && !processAlive(pid) {
				os.Remove(p)
			}
		}
	}
}

// folders returns the folders the commit wrote to.
func (c *committer) folders() []string {
	seen := map[string]bool{}
	var out []string
	for p := range c.finals {
		if d := filepath.Dir(p); !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	if d := absPath(c.dir); !seen[d] {
		out = append(out, d)
	}
	return out
}

// hasOldNames reports whether a folder of the save holds second names.
func hasOldNames(target string, finals map[string]bool) bool {
	dirs := map[string]bool{filepath.Dir(absPath(target)): true}
	for p := range finals {
		dirs[filepath.Dir(p)] = true
	}
	for d := range dirs {
		ents, _ := os.ReadDir(d)
		for _, e := range ents {
			if isOldName(e.Name()) {
				return true
			}
		}
	}
	return false
}

// oldModelReads reports whether the model at target reads one of files.
func oldModelReads(target string, files []string) bool {
	m, err := Open(target, &LoadOptions{SkipExternalCheck: true})
	if err != nil {
		return false
	}
	defer m.Close()
	found := false
	m.modelTensors(func(t *onnxproto.TensorProto) {
		if r, err := externalRef(t); err == nil && t.GetDataLocation() == onnxproto.TensorProto_EXTERNAL {
			p := filepath.Join(filepath.Dir(target), filepath.FromSlash(cleanLoc(r.Location)))
			for _, f := range files {
				found = found || sameFile(p, f)
			}
		}
	})
	return found
}

// tempPattern is the os.CreateTemp pattern of final's temporary files.
func tempPattern(final string) string {
	return "." + filepath.Base(final) + ".tmp-" + strconv.Itoa(os.Getpid()) + "-*"
}

// sweepTemps removes the temporary files of final that a save whose
// process is gone left behind.
func sweepTemps(final string) {
	prefix := "." + filepath.Base(final) + ".tmp-"
	ents, err := os.ReadDir(filepath.Dir(final))
	if err != nil {
		return
	}
	for _, e := range ents {
		rest, ok := strings.CutPrefix(e.Name(), prefix)
		if !ok {
			continue
		}
		pidText, _, ok := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if ok && err == nil && pid > 0 && !processAlive(pid) {
			os.Remove(filepath.Join(filepath.Dir(final), e.Name()))
		}
	}
}

// isOldName reports whether name is a second name of step 2.
func isOldName(name string) bool { _, ok := oldPID(name); return ok }

// oldPID returns the process id in a second name ".NAME.old-PID-RANDOM".
func oldPID(name string) (int, bool) {
	if !strings.HasPrefix(name, ".") {
		return 0, false
	}
	i := strings.LastIndex(name, ".old-")
	if i < 0 {
		return 0, false
	}
	pidText, rnd, ok := strings.Cut(name[i+len(".old-"):], "-")
	if !ok {
		return 0, false
	}
	pid, err := strconv.Atoi(pidText)
	if _, err2 := strconv.ParseUint(rnd, 10, 64); err != nil || err2 != nil || pid <= 0 {
		return 0, false
	}
	return pid, true
}

// sameFile reports whether the paths a and b lead to one file.
func sameFile(a, b string) bool {
	if absPath(a) == absPath(b) {
		return true
	}
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}

// syncDir flushes a folder's entries to stable storage.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, fs.ErrInvalid) {
		return err
	}
	return nil
}

// saveError names the model file the caller gave, not a temporary file,
// in an error of a save.
func saveError(target string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) && strings.Contains(filepath.Base(pe.Path), ".tmp-") {
		err = replacePathError(err, pe)
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		err = fmt.Errorf("%s: %w", le.Op, le.Err)
	}
	return fmt.Errorf("onnxgraph: saving %q: %w", target, trimmed{err})
}

// replacePathError drops the temporary file's name from a path error.
func replacePathError(err error, pe *fs.PathError) error {
	msg := strings.Replace(trimPrefix(err), pe.Error(), pe.Op+": "+pe.Err.Error(), 1)
	return &wrapped{msg: msg, err: pe.Err}
}

// trimmed shows err without a leading "onnxgraph: " and unwraps to it.
type trimmed struct{ err error }

func (e trimmed) Error() string { return trimPrefix(e.err) }
func (e trimmed) Unwrap() error { return e.err }
