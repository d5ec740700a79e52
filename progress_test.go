package onnxgraph_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/samples"
)

// progressLog records the calls of a Progress option and checks them: done
// never goes back, never passes total, and total never changes.
type progressLog struct {
	t           *testing.T
	calls       int
	done, total int64
}

func (p *progressLog) fn(done, total int64) {
	if p.calls > 0 && (done < p.done || total != p.total) {
		p.t.Errorf("progress went from %d/%d to %d/%d", p.done, p.total, done, total)
	}
	if done > total {
		p.t.Errorf("progress %d/%d", done, total)
	}
	p.calls++
	p.done, p.total = done, total
}

// TestSaveLoadProgress: a save reports every byte of the files it writes
// (the model file and its external data), a load every byte of the model
// file, and Write every byte it writes.
func TestSaveLoadProgress(t *testing.T) {
	dir := t.TempDir()
	m := samples.MNIST()
	for _, c := range []struct {
		name string
		opts onnxgraph.SaveOptions
	}{
		{"inline", onnxgraph.SaveOptions{}},
		{"single", onnxgraph.SaveOptions{External: onnxgraph.ExternalSingle, Threshold: 64}},
		{"pertensor", onnxgraph.SaveOptions{External: onnxgraph.ExternalPerTensor, Threshold: 64}},
	} {
		sub := filepath.Join(dir, c.name)
		if err := os.Mkdir(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(sub, "m.onnx")
		log := &progressLog{t: t}
		c.opts.Progress = log.fn
		if err := m.SaveWith(path, &c.opts); err != nil {
			t.Fatal(err)
		}
		var written int64
		files, _ := os.ReadDir(sub)
		for _, f := range files {
			info, _ := f.Info()
			written += info.Size()
		}
		if log.calls == 0 || log.done != written || log.total != written {
			t.Errorf("%s: save reported %d/%d in %d calls; %d bytes written in %d files", c.name, log.done, log.total, log.calls, written, len(files))
		}

		log = &progressLog{t: t}
		back, err := onnxgraph.Open(path, &onnxgraph.LoadOptions{Progress: log.fn})
		if err != nil {
			t.Fatal(err)
		}
		st, _ := os.Stat(path)
		if log.calls == 0 || log.done != st.Size() || log.total != st.Size() {
			t.Errorf("%s: load reported %d/%d, the model file has %d bytes", c.name, log.done, log.total, st.Size())
		}

		log = &progressLog{t: t}
		var buf bytes.Buffer
		if err := back.Write(&buf, &onnxgraph.SaveOptions{External: onnxgraph.ExternalInline, Progress: log.fn}); err != nil {
			t.Fatal(err)
		}
		if log.calls == 0 || log.done != int64(buf.Len()) || log.total != int64(buf.Len()) {
			t.Errorf("%s: Write reported %d/%d for %d bytes", c.name, log.done, log.total, buf.Len())
		}
		back.Close()
	}
}
