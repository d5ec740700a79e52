// Package litert runs .tflite models in LiteRT.js, Google's WebAssembly
// build of TensorFlow Lite, under Node, for tests: the proof that the
// models package tflite writes load and compute in a real TensorFlow Lite
// runtime.
//
// # Setup
//
// LiteRT.js is the npm package @litertjs/core, pinned in this folder's
// package.json and package-lock.json; install it with `npm ci` here
// (.ci/run does). Node 20 or later must be on PATH. [Available] says
// what is missing.
//
// # Running
//
//	res, err := litert.Run([]litert.Job{{Model: "m.tflite", Inputs: map[string]*onnxgraph.Tensor{"x": x}}})
//
// One Node process runs a batch of jobs; each job's error is its own.
// Tensors cross as .npy files: LiteRT.js exchanges float32, int32 and
// uint8 tensors.
package litert

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"

	"github.com/onnxgraph/onnxgraph"
)

// ErrNotInstalled is returned when Node or LiteRT.js is missing.
var ErrNotInstalled = errors.New("litert: LiteRT.js not installed")

// InstallHint is how to install what Available needs.
const InstallHint = "install Node 20+ and run `npm ci` in examples/internal/litert"

// Dir is the folder of this package: run.mjs and node_modules.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(file)
}

// Available reports whether Node and LiteRT.js are installed; the error
// wraps ErrNotInstalled.
func Available() error {
	if _, err := exec.LookPath("node"); err != nil {
		return fmt.Errorf("%w: no node on PATH; %s", ErrNotInstalled, InstallHint)
	}
	if _, err := os.Stat(filepath.Join(Dir(), "node_modules", "@litertjs", "core", "wasm")); err != nil {
		return fmt.Errorf("%w: %s", ErrNotInstalled, InstallHint)
	}
	return nil
}

// Job is one model run.
type Job struct {
	Model  string                       // the .tflite file
	Inputs map[string]*onnxgraph.Tensor // by input name
}

// Result is the outcome of one job.
type Result struct {
	Outputs []*onnxgraph.Tensor // in the model's output order, named as the model names them
	Err     error
}

// Run runs the jobs in one Node process. The error is for the batch as a
// whole (Node missing or failing); each job's own failure is its
// Result.Err.
func Run(jobs []Job) ([]Result, error) {
	if err := Available(); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "litert-")
	if err != nil {
		return nil, fmt.Errorf("litert: %w", err)
	}
	defer os.RemoveAll(dir)
	type wire struct {
		Model  string            `json:"model"`
		Inputs map[string]string `json:"inputs"`
		Outdir string            `json:"outdir"`
	}
	ws := make([]wire, len(jobs))
	for i, j := range jobs {
		abs, err := filepath.Abs(j.Model)
		if err != nil {
			return nil, fmt.Errorf("litert: %w", err)
		}
		w := wire{Model: abs, Inputs: map[string]string{}, Outdir: filepath.Join(dir, "out"+strconv.Itoa(i))}
		k := 0
		for name, t := range j.Inputs {
			p := filepath.Join(dir, fmt.Sprintf("in%d_%d.npy", i, k))
			k++
			if err := t.WriteNPYFile(p); err != nil {
				return nil, fmt.Errorf("litert: input %q: %w", name, err)
			}
			w.Inputs[name] = p
		}
		ws[i] = w
	}
	spec := filepath.Join(dir, "jobs.json")
	b, err := json.Marshal(ws)
	if err != nil {
		return nil, fmt.Errorf("litert: %w", err)
	}
	if err := os.WriteFile(spec, b, 0o644); err != nil {
		return nil, fmt.Errorf("litert: %w", err)
	}
	cmd := exec.Command("node", filepath.Join(Dir(), "run.mjs"), spec)
	cmd.Dir = Dir()
	var stderr limited
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("litert: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("litert: %w", err)
	}
	res := make([]Result, 0, len(jobs))
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		var line struct {
			OK      bool   `json:"ok"`
			Error   string `json:"error"`
			Outputs []struct {
				Name string `json:"name"`
				File string `json:"file"`
			} `json:"outputs"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			continue // not a protocol line
		}
		r := Result{}
		if !line.OK {
			r.Err = fmt.Errorf("litert: %s", line.Error)
		}
		for _, o := range line.Outputs {
			f, err := os.Open(o.File)
			if err != nil {
				r.Err = fmt.Errorf("litert: %w", err)
				break
			}
			t, err := onnxgraph.ReadNPY(f, o.Name)
			f.Close()
			if err != nil {
				r.Err = fmt.Errorf("litert: output %q: %w", o.Name, err)
				break
			}
			r.Outputs = append(r.Outputs, t)
		}
		res = append(res, r)
	}
	werr := cmd.Wait()
	if len(res) != len(jobs) {
		return nil, fmt.Errorf("litert: node gave %d results for %d jobs (%v): %s", len(res), len(jobs), werr, stderr.String())
	}
	return res, nil
}

// limited keeps the last 8 KiB written to it.
type limited struct{ b []byte }

func (l *limited) Write(p []byte) (int, error) {
	l.b = append(l.b, p...)
	if len(l.b) > 8<<10 {
		l.b = l.b[len(l.b)-8<<10:]
	}
	return len(p), nil
}

func (l *limited) String() string { return string(l.b) }
