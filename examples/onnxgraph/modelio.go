package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
)

// Reading and writing models for every command: a model argument is a
// file, or "-" for standard input or output.

// stdio is the model argument that means standard input or output.
const stdio = "-"

// label names a model argument in messages and reports.
func label(arg string) string {
	if arg == stdio {
		return "standard input"
	}
	return arg
}

// writtenLabel names an output argument in messages and reports.
func writtenLabel(arg string) string {
	if arg == stdio {
		return "standard output"
	}
	return arg
}

// readsModels declares the flags of a command that reads models.
func (c *cmd) readsModels() {
	if c.reads {
		return
	}
	c.reads = true
	c.flags.StringVar(&c.dataDir, "data-dir", "", "the folder holding the external data of a model read from standard input (-)")
}

// open reads the model of argument arg, to be closed when the command ends,
// inferring its types when the command needs them.
func (c *cmd) open(arg string) (*onnxgraph.Model, error) {
	start := time.Now()
	m, err := c.read(arg)
	c.times.Load += time.Since(start)
	if err != nil {
		return nil, err
	}
	c.opened = append(c.opened, m)
	if c.wantsTypes() {
		if err := m.Infer(shapeinfer.Types(nil)).Err(); err != nil {
			return nil, fmt.Errorf("%w (--no-infer skips inference)", err)
		}
	}
	return m, nil
}

// read reads the model of argument arg: the file, or standard input.
func (c *cmd) read(arg string) (*onnxgraph.Model, error) {
	if arg != stdio {
		o := c.load
		// Mapped: a command's models live until it ends (c.opened), and
		// a big inline model then copies at the speed of cp.
		o.Map = true
		var p *progress
		o.Progress = func(done, total int64) {
			if p == nil {
				p = c.byteProgress("loading "+arg, total)
			}
			p.set(done)
		}
		m, err := onnxgraph.OpenContext(c.g.ctx, arg, &o)
		if p != nil {
			p.done()
		}
		return m, err
	}
	b, err := c.readStdin()
	if err != nil {
		return nil, err
	}
	o := c.load
	o.Dir = c.dataDir
	m, err := onnxgraph.Decode(b, &o)
	if err != nil {
		return nil, err
	}
	if c.dataDir == "" {
		if t := externalTensor(m); t != nil {
			ref, _ := t.External()
			m.Close()
			return nil, fmt.Errorf("the model read from standard input keeps tensor %q in the external file %q: give the folder of that file with --data-dir DIR, or read the model from its file", t.Name(), ref.Location)
		}
	}
	return m, nil
}

// readStdin reads all of standard input, once.
func (c *cmd) readStdin() ([]byte, error) {
	if c.stdinUsed {
		return nil, usageErr("standard input (-) can be read only once")
	}
	c.stdinUsed = true
	var total int64
	if f, ok := c.stdin.(*os.File); ok {
		if isTerminal(f) {
			return nil, usageErr("- reads a model from standard input, which is a terminal: pipe a model into it (cat m.onnx | onnxgraph ...)")
		}
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			total = st.Size()
		}
	}
	p := c.byteProgress("reading standard input", total)
	defer p.done()
	var buf bytes.Buffer
	if total > 0 {
		buf.Grow(int(total) + 1)
	}
	if _, err := io.Copy(&buf, &progressReader{r: c.stdin, p: p}); err != nil {
		return nil, fmt.Errorf("reading standard input: %w", err)
	}
	c.stdinSize = int64(buf.Len())
	return buf.Bytes(), nil
}

// progressReader counts the bytes read through it on a progress.
type progressReader struct {
	r    io.Reader
	p    *progress
	done int64
}

func (r *progressReader) Read(b []byte) (int, error) {
	n, err := r.r.Read(b)
	r.done += int64(n)
	r.p.set(r.done)
	return n, err
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}

// externalTensor returns a tensor of m kept in external data, or nil.
func externalTensor(m *onnxgraph.Model) *onnxgraph.Tensor {
	var found *onnxgraph.Tensor
	visit := func(g *onnxgraph.Graph) bool {
		for _, v := range g.Initializers() {
			if t := v.Initializer(); t != nil && t.IsExternal() {
				found = t
				return false
			}
		}
		return true
	}
	if g := m.Graph(); g != nil && !g.Walk(visit) {
		return found
	}
	for _, f := range m.Functions() {
		if f.Body() != nil && !f.Body().Walk(visit) {
			return found
		}
	}
	return found
}

// stepTimes are how long a command took to read and to save models.
type stepTimes struct {
	Load, Save time.Duration
}

// MarshalJSON writes the times in milliseconds.
func (t stepTimes) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]float64{"load_ms": millis(t.Load), "save_ms": millis(t.Save)})
}

func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// saveFlags are the output flags of every command that writes a model.
type saveFlags struct {
	external         string
	threshold, align int64
	opts             *onnxgraph.SaveOptions // parsed, and adjusted by the command
}

// writesModel declares the output flags.
func (c *cmd) writesModel() {
	if c.writes {
		return
	}
	c.writes = true
	c.flags.StringVar(&c.out.external, "external", "keep", "where OUT's tensor data goes: keep (as the input keeps it), inline (all in OUT), single (one file OUT.data beside OUT), pertensor (a file per tensor), or a FILE name (one file beside OUT)")
	c.complete("external", "keep", "inline", "single", "pertensor")
	c.flags.Int64Var(&c.out.threshold, "threshold", 1024, "with --external single, pertensor or FILE, tensors of at least this many bytes go to external files")
	c.flags.Int64Var(&c.out.align, "align", 0, "align each tensor's offset in a new external file to this many bytes (4096 lets readers map the file)")
}

// options returns the save options the flags ask for.
func (s *saveFlags) options() (*onnxgraph.SaveOptions, error) {
	if s.opts != nil {
		return s.opts, nil
	}
	if s.align < 0 {
		return nil, usageErr("--align %d: want 0 or a positive number of bytes", s.align)
	}
	o := &onnxgraph.SaveOptions{Threshold: s.threshold, Align: s.align}
	switch s.external {
	case "keep", "":
	case "inline":
		o.External = onnxgraph.ExternalInline
	case "single":
		o.External = onnxgraph.ExternalSingle
	case "pertensor", "per-tensor":
		o.External = onnxgraph.ExternalPerTensor
	default:
		o.External, o.Location = onnxgraph.ExternalSingle, s.external
	}
	s.opts = o
	return o, nil
}

// saveModel writes m to the file arg, or to standard output for "-", as
// the output flags say.
func (c *cmd) saveModel(m *onnxgraph.Model, arg string) error {
	o, err := c.out.options()
	if err != nil {
		return err
	}
	opts := *o
	start := time.Now()
	defer func() { c.times.Save += time.Since(start) }()
	var p *progress
	opts.Progress = func(done, total int64) {
		if p == nil {
			p = c.byteProgress("saving "+arg, total)
		}
		p.set(done)
	}
	defer func() {
		if p != nil {
			p.done()
		}
	}()
	if arg == stdio {
		return c.writeStdout(m, &opts)
	}
	err = m.SaveContext(c.g.ctx, arg, &opts)
	if err != nil && c.spill && opts.External == onnxgraph.ExternalKeep && errors.Is(err, onnxgraph.ErrTooLarge) {
		// As json2onnx does: over protobuf's 2 GiB limit, the big tensors
		// go to one external file.
		opts.External = onnxgraph.ExternalSingle
		if err = m.SaveContext(c.g.ctx, arg, &opts); err == nil {
			c.spilled = true
		}
	}
	return err
}

// writeStdout writes m to standard output, which carries one file: no
// external data.
func (c *cmd) writeStdout(m *onnxgraph.Model, opts *onnxgraph.SaveOptions) error {
	switch opts.External {
	case onnxgraph.ExternalSingle, onnxgraph.ExternalPerTensor:
		return usageErr("--external %s writes external data files, which standard output cannot carry: give OUT a file name, or use --external inline", c.out.external)
	case onnxgraph.ExternalKeep:
		if t := externalTensor(m); t != nil {
			return fmt.Errorf("the model keeps tensor %q in external data, which standard output cannot carry: use --external inline to write its data into the model, or give OUT a file name", t.Name())
		}
	}
	if f, ok := c.stdout.(*os.File); ok && isTerminal(f) {
		return usageErr("- writes the model to standard output, which is a terminal: redirect it (> out.onnx) or pipe it into another command")
	}
	c.stdoutUsed = true
	n := &countingWriter{w: c.stdout}
	err := m.WriteContext(c.g.ctx, n, opts)
	c.stdoutSize = n.n
	return err
}

// modelFile returns a file ONNX Runtime can load for the model argument
// arg: arg itself, or for "-" a temporary copy of the model read from
// standard input, removed when the command ends.
func (c *cmd) modelFile(arg string) (string, error) {
	if arg != stdio {
		return arg, nil
	}
	m, err := c.read(arg)
	if err != nil {
		return "", err
	}
	defer m.Close()
	dir, err := os.MkdirTemp("", "onnxgraph-stdin-")
	if err != nil {
		return "", err
	}
	c.cleanups = append(c.cleanups, func() { os.RemoveAll(dir) })
	path := filepath.Join(dir, "stdin.onnx")
	if err := m.SaveWith(path, nil); err != nil {
		return "", err
	}
	return path, nil
}
