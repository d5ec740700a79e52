//go:build linux

package onnxgraph_test

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/onnxgraph/onnxgraph"
)

// fileSum returns the sha256 of the file at path.
func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// TestSaveNeverChangesAnInputsData checks that no save replaces a file
// that a loaded model reads its tensors from, whatever the mode: the
// input's bytes stay identical and the input still loads with its own
// weights.
func TestSaveNeverChangesAnInputsData(t *testing.T) {
	want := xdSpecDigests(xdSpecs)
	setup := func(t *testing.T) (dir string, m *onnxgraph.Model, sum [32]byte) {
		dir = t.TempDir()
		m, _ = xdSaved(t, dir, "m.onnx", xdSpecs, &onnxgraph.SaveOptions{External: onnxgraph.ExternalSingle, Location: "m.data"})
		return dir, m, fileSum(t, filepath.Join(dir, "m.data"))
	}
	after := func(t *testing.T, dir string, sum [32]byte) {
		t.Helper()
		if fileSum(t, filepath.Join(dir, "m.data")) != sum {
			t.Error("the input's data file m.data was changed")
		}
		in, err := onnxgraph.Open(filepath.Join(dir, "m.onnx"), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		xdEqualDigests(t, "the input after the save", xdDigests(t, in), want)
	}

	t.Run("single file named like the input's", func(t *testing.T) {
		dir, m, sum := setup(t)
		err := m.SaveWith(filepath.Join(dir, "m2.onnx"), &onnxgraph.SaveOptions{External: onnxgraph.ExternalSingle, Location: "m.data", Align: 4096})
		if !errors.Is(err, onnxgraph.ErrInUse) || !strings.Contains(err.Error(), `"m.data"`) || !strings.Contains(err.Error(), "m.onnx") {
			t.Errorf("save onto the input's data file: %v", err)
		}
		if _, err := os.Stat(filepath.Join(dir, "m2.onnx")); err == nil {
			t.Error("m2.onnx was written by a refused save")
		}
		after(t, dir, sum)
	})
	t.Run("kept layout after an edit", func(t *testing.T) {
		dir, m, sum := setup(t)
		g := m.Graph()
		if err := g.RemoveOutput(0); err != nil {
			t.Fatal(err)
		}
		if _, err := g.Prune(); err != nil {
			t.Fatal(err)
		}
		target := filepath.Join(dir, "m2.onnx")
		if err := m.Save(target); err != nil {
			t.Fatal(err)
		}
		after(t, dir, sum)
		back, err := onnxgraph.Open(target, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer back.Close()
		got := xdDigests(t, back)
		if len(got) != len(xdSpecs)-1 {
			t.Errorf("saved %d tensors, want %d", len(got), len(xdSpecs)-1)
		}
		for name, d := range got {
			if want[name] != d {
				t.Errorf("tensor %q differs after the save", name)
			}
		}
	})
	t.Run("per-tensor file named like the input's", func(t *testing.T) {
		dir := t.TempDir()
		m, _ := xdSaved(t, dir, "a.onnx", xdSpecs, &onnxgraph.SaveOptions{External: onnxgraph.ExternalSingle, Location: "conv1.weight"})
		sum := fileSum(t, filepath.Join(dir, "conv1.weight"))
		target := filepath.Join(dir, "b.onnx")
		if err := m.SaveWith(target, &onnxgraph.SaveOptions{External: onnxgraph.ExternalPerTensor}); err != nil {
			t.Fatal(err)
		}
		if fileSum(t, filepath.Join(dir, "conv1.weight")) != sum {
			t.Error("the input's data file conv1.weight was replaced by a per-tensor file")
		}
		for _, p := range []string{filepath.Join(dir, "a.onnx"), target} {
			back, err := onnxgraph.Open(p, nil)
			if err != nil {
				t.Fatal(err)
			}
			xdEqualDigests(t, filepath.Base(p), xdDigests(t, back), want)
			back.Close()
		}
	})
	t.Run("another open model's data", func(t *testing.T) {
		dir, _, sum := setup(t)
		other := xdBuild(t, xdSpecs[:2])
		err := other.SaveWith(filepath.Join(dir, "o.onnx"), &onnxgraph.SaveOptions{External: onnxgraph.ExternalSingle, Location: "m.data", Threshold: -1})
		if !errors.Is(err, onnxgraph.ErrInUse) {
			t.Errorf("save onto an open model's data file: %v", err)
		}
		after(t, dir, sum)
	})
}

// TestSaveWritesEachTensorOnce checks that a save writes only the bytes of
// the tensors the saved model holds, and bytes shared by several tensors
// (or by several models loaded from one folder) once.
func TestSaveWritesEachTensorOnce(t *testing.T) {
	specs := []xdSpec{{"a", 4 << 20}, {"b", 4 << 20}, {"c", 4 << 20}, {"d", 4 << 20}}
	src := t.TempDir()
	m, path := xdSaved(t, src, "m.onnx", specs, &onnxgraph.SaveOptions{External: onnxgraph.ExternalSingle})

	t.Run("extract keeps only its tensors", func(t *testing.T) {
		part := m.Clone()
		_, err := onnxgraph.ExtractModel(part, &onnxgraph.ExtractOptions{Outputs: []string{"out1"}})
		if err != nil {
			t.Fatal(err)
		}
		dst := t.TempDir()
		if err := part.Save(filepath.Join(dst, "part.onnx")); err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(filepath.Join(dst, "m.onnx.data"))
		if err != nil {
			t.Fatal(err)
		}
		if st.Size() != 4<<20 {
			t.Errorf("the part's data file has %d bytes, want %d (one tensor)", st.Size(), 4<<20)
		}
		back, err := onnxgraph.Open(filepath.Join(dst, "part.onnx"), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer back.Close()
		if got := xdDigests(t, back); got["b"] != xdSpecDigests(specs)["b"] || len(got) != 1 {
			t.Errorf("extracted part holds %d tensors", len(got))
		}
	})
	t.Run("merge of two loads of one folder", func(t *testing.T) {
		m2, err := onnxgraph.Open(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer m2.Close()
		merged, _, err := onnxgraph.Merge([]*onnxgraph.Model{m, m2}, &onnxgraph.MergeOptions{Connect: [][]onnxgraph.Connection{nil}, Prefixes: []string{"x/", "y/"}})
		if err != nil {
			t.Fatal(err)
		}
		dst := t.TempDir()
		if err := merged.Save(filepath.Join(dst, "merged.onnx")); err != nil {
			t.Fatal(err)
		}
		if got := xdFiles(t, dst); !slices.Equal(got, []string{"m.onnx.data", "merged.onnx"}) {
			t.Errorf("merge of two loads of one data file wrote %v", got)
		}
		if st, err := os.Stat(filepath.Join(dst, "m.onnx.data")); err != nil || st.Size() != 16<<20 {
			t.Errorf("merged data file: %v, %v", st.Size(), err)
		}
		for _, opts := range []*onnxgraph.SaveOptions{{External: onnxgraph.ExternalSingle}, {External: onnxgraph.ExternalSingle, Align: 4096}} {
			if err := merged.SaveWith(filepath.Join(dst, "single.onnx"), opts); err != nil {
				t.Fatal(err)
			}
			if st, err := os.Stat(filepath.Join(dst, "single.onnx.data")); err != nil || st.Size() != 16<<20 {
				t.Errorf("single file of a merge with shared bytes (%+v): %d bytes, %v", opts, st.Size(), err)
			}
			back, err := onnxgraph.Open(filepath.Join(dst, "single.onnx"), nil)
			if err != nil {
				t.Fatal(err)
			}
			d := xdDigests(t, back)
			back.Close()
			w := xdSpecDigests(specs)
			for _, s := range specs {
				if d["x/"+s.name] != w[s.name] || d["y/"+s.name] != w[s.name] {
					t.Errorf("tensor %s differs after the merge", s.name)
				}
			}
		}
	})
}

// Kill test. The child process saves a model over an existing output; the
// parent kills it at many points of the save and checks that the output is
// then the complete old model or the complete new one.

const killEnv = "ONNXGRAPH_KILL_CHILD"

// childCmd runs the test named child of this test binary as a child
// process, giving it two arguments in the environment variable env.
func childCmd(child, env, a, b string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^"+child+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), env+"="+a+"\n"+b)
	return cmd
}

// childArgs returns the two arguments childCmd gave the child test in env;
// run on its own, not as parent's child, the test is skipped.
func childArgs(t *testing.T, env, parent string) (a, b string) {
	arg := os.Getenv(env)
	if arg == "" {
		t.Skip("only run as the child of " + parent)
	}
	a, b, _ = strings.Cut(arg, "\n")
	return a, b
}

// TestSaveKillChild is the child's side of TestSaveKilledMidway: it saves
// the model in $ONNXGRAPH_KILL_CHILD (source path, then target path).
func TestSaveKillChild(t *testing.T) {
	src, dst := childArgs(t, killEnv, "TestSaveKilledMidway")
	m, err := onnxgraph.Open(src, nil)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("loaded")
	if err := m.SaveWith(dst, &onnxgraph.SaveOptions{External: onnxgraph.ExternalSingle, Location: "weights.data"}); err != nil {
		t.Fatal(err)
	}
}

func TestSaveKilledMidway(t *testing.T) {
	if testing.Short() {
		t.Skip("writes about 10 GB in all")
	}
	root := t.TempDir()
	digests := map[uint64]map[string][32]byte{}
	sources := map[uint64]string{}
	for _, seed := range []uint64{1, 2} {
		m := killModel(t, seed)
		d := map[string][32]byte{}
		for _, v := range m.Graph().Initializers() {
			b, _ := v.Initializer().Bytes()
			d[v.Name()] = sha256.Sum256(b)
		}
		digests[seed] = d
		// The sources live in folders of their own, with external data.
		dir := filepath.Join(root, "src"+strconv.FormatUint(seed, 10))
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		sources[seed] = filepath.Join(dir, "m.onnx")
		if err := m.SaveWith(sources[seed], &onnxgraph.SaveOptions{External: onnxgraph.ExternalSingle}); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(root, "out")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(out, "model.onnx")

	save := func(seed uint64, kill time.Duration) (killed bool, took time.Duration) {
		cmd := childCmd("TestSaveKillChild", killEnv, sources[seed], target)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 7)
		if _, err := stdout.Read(buf); err != nil || string(buf) != "loaded\n" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("child did not load its model: %q %v", buf, err)
		}
		start := time.Now()
		done := make(chan error, 1)
		go func() {
			for {
				if _, err := stdout.Read(buf); err != nil {
					break
				}
			}
			done <- cmd.Wait()
		}()
		if kill > 0 {
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("child failed: %v", err)
				}
				return false, time.Since(start)
			case <-time.After(kill):
				cmd.Process.Signal(syscall.SIGKILL)
				<-done
				return true, time.Since(start)
			}
		}
		if err := <-done; err != nil {
			t.Fatalf("child failed: %v", err)
		}
		return false, time.Since(start)
	}
	check := func(what string, allowed ...uint64) uint64 {
		t.Helper()
		m, err := onnxgraph.Open(target, nil)
		if err != nil {
			t.Fatalf("%s: the output does not load: %v", what, err)
		}
		defer m.Close()
		got := map[string][32]byte{}
		for _, v := range m.Graph().Initializers() {
			b, err := v.Initializer().Bytes()
			if err != nil {
				t.Fatalf("%s: tensor %q: %v", what, v.Name(), err)
			}
			got[v.Name()] = sha256.Sum256(b)
		}
		for _, seed := range allowed {
			if fmt.Sprint(got) == fmt.Sprint(digests[seed]) {
				return seed
			}
		}
		t.Fatalf("%s: the output is neither model %v: it mixes their tensors", what, allowed)
		return 0
	}

	if killed, _ := save(1, 0); killed {
		t.Fatal("first save killed")
	}
	check("first save", 1)
	// The length of a whole save: the shortest of three (the first ones
	// of a process run on a cold cache), shortened again below whenever a
	// save ends sooner, so that the kill points stay inside the save on a
	// machine whose speed changes under load.
	var full time.Duration
	state := uint64(1)
	for i, seed := range []uint64{2, 1, 2} {
		_, took := save(seed, 0)
		state = check(fmt.Sprintf("whole save %d", i), seed)
		if i == 0 || took < full {
			full = took
		}
	}
	t.Logf("a whole save takes %v", full)

	r := rand.New(rand.NewPCG(7, 7))
	kills, news := 0, 0
	for i := 0; i < 24; i++ {
		next := uint64(1)
		if state == 1 {
			next = 2
		}
		// Points spread over the whole save, a few past its end.
		at := time.Duration(float64(full) * (0.05 + 1.1*r.Float64()))
		killed, took := save(next, at)
		got := check(fmt.Sprintf("kill %d at %v", i, at), state, next)
		if killed {
			kills++
		} else {
			full = min(full, took)
		}
		if got == next {
			news++
		}
		state = got
	}
	t.Logf("24 saves killed at random points: %d killed, %d ended with the new model, every one complete", kills, news)
	if kills < 12 {
		t.Errorf("only %d of 24 saves were killed before they ended: the kill points miss the save", kills)
	}
	// A last save that ends removes what killed ones left behind.
	if killed, _ := save(1, 0); killed {
		t.Fatal("last save killed")
	}
	check("last save", 1)
	if got := xdFiles(t, out); !slices.Equal(got, []string{"model.onnx", "weights.data"}) {
		t.Errorf("after a save that ended, the folder holds %v", got)
	}
}

// TestSaveErrorsNameTheOutput checks that a save that cannot write names
// the file the caller gave, never a temporary one, in one line starting
// with "onnxgraph:", and leaves the folder as it was: with a file-size
// limit (every platform with rlimits) and on a full file system (a small
// tmpfs, where the test may mount one).
func TestSaveErrorsNameTheOutput(t *testing.T) {
	m := xdBuild(t, xdSpecs) // about 3.6 MB of weights
	check := func(t *testing.T, dir string, err error, want error) {
		t.Helper()
		target := filepath.Join(dir, "out.onnx")
		if err == nil {
			t.Fatal("the save succeeded")
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, fmt.Sprintf("onnxgraph: saving %q: ", target)) || strings.Contains(msg, ".tmp-") || strings.Contains(msg, "\n") {
			t.Errorf("error does not name the output in one line: %s", msg)
		}
		if want != nil && !errors.Is(err, want) {
			t.Errorf("error %v does not match %v", err, want)
		}
		if got := xdFiles(t, dir); !slices.Equal(got, []string{"out.onnx"}) {
			t.Errorf("folder holds %v after a failed save", got)
		}
		if b, _ := os.ReadFile(target); string(b) != "old" {
			t.Error("the old output was changed by a failed save")
		}
	}
	for _, opts := range []*onnxgraph.SaveOptions{nil, {External: onnxgraph.ExternalSingle}} {
		t.Run(fmt.Sprintf("file size limit %+v", opts), func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "out.onnx"), []byte("old"), 0o644); err != nil {
				t.Fatal(err)
			}
			// The limit is the process's: a child process saves under it,
			// so that the test binary's own files (its test log) are not
			// cut short by it.
			mode := "inline"
			if opts != nil {
				mode = "external"
			}
			cmd := childCmd("TestSaveFileSizeLimitChild", fsizeEnv, mode, filepath.Join(dir, "out.onnx"))
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("child: %v\n%s", err, out)
			}
			msg, efbig, ok := strings.Cut(string(out), "\nEFBIG ")
			if !ok {
				t.Fatalf("child printed %q", out)
			}
			msg = strings.TrimPrefix(msg, "SAVE ")
			if !strings.HasPrefix(efbig, "true") {
				t.Errorf("the error does not match syscall.EFBIG: %s", msg)
			}
			check(t, dir, errors.New(msg), nil) // matched in the child
		})
	}
	t.Run("full disk", func(t *testing.T) {
		dir := t.TempDir()
		if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=2m"); err != nil {
			t.Skipf("cannot mount a small tmpfs here (%v); the file size limit case covers the error path", err)
		}
		defer syscall.Unmount(dir, 0)
		if err := os.WriteFile(filepath.Join(dir, "out.onnx"), []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, opts := range []*onnxgraph.SaveOptions{nil, {External: onnxgraph.ExternalSingle}} {
			check(t, dir, m.SaveWith(filepath.Join(dir, "out.onnx"), opts), syscall.ENOSPC)
		}
	})
}

const fsizeEnv = "ONNXGRAPH_FSIZE_CHILD"

// TestSaveFileSizeLimitChild is the child's side of the file size limit
// cases of TestSaveErrorsNameTheOutput: it saves the test model (inline or
// with external data, then the target, in $ONNXGRAPH_FSIZE_CHILD) under a
// 1 MiB file size limit and prints the error and whether it is EFBIG.
func TestSaveFileSizeLimitChild(t *testing.T) {
	mode, target := childArgs(t, fsizeEnv, "TestSaveErrorsNameTheOutput")
	var opts *onnxgraph.SaveOptions
	if mode == "external" {
		opts = &onnxgraph.SaveOptions{External: onnxgraph.ExternalSingle}
	}
	m := xdBuild(t, xdSpecs)
	err := withFileSizeLimit(t, 1<<20, func() error { return m.SaveWith(target, opts) })
	if err == nil {
		t.Fatal("the save succeeded")
	}
	fmt.Printf("SAVE %s\nEFBIG %v\n", err, errors.Is(err, syscall.EFBIG))
}

// withFileSizeLimit runs f with the process's file size limit at n bytes
// (and SIGXFSZ ignored, so that a write past it fails instead).
func withFileSizeLimit(t *testing.T, n uint64, f func() error) error {
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Fatal(err)
	}
	signal.Ignore(syscall.SIGXFSZ)
	defer signal.Reset(syscall.SIGXFSZ)
	lim := old
	lim.Cur = n
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		t.Fatal(err)
	}
	defer syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old)
	return f()
}
