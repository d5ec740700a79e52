// Command walkthrough replays, step by step, the model-editing flows of
// the onnxgraph command line: fusing two head-pose pipelines, editing an
// MNIST-shaped CNN, pruning a multi-output model, shrinking constants and
// round-tripping through JSON and base64. Every step is a real command:
// the walkthrough builds examples/onnxgraph once, runs it in a scratch
// directory, and prints each command line with its output. Every edited
// model is run with ONNX Runtime (the CLI's run and compare) and checked
// against what it should compute.
//
// Run it from the repository: go run ./examples/walkthrough
package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/examples/internal/ort"
)

func main() {
	if err := walkthrough(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "walkthrough:", err)
		os.Exit(1)
	}
}

// repoRoot walks up from the working directory to the folder holding go.work.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.work above the working directory: run from the repository")
		}
		dir = parent
	}
}

// walker runs the CLI in a scratch directory and keeps the score.
type walker struct {
	bin, dir string
	out      io.Writer
	steps    int      // commands run
	compares int      // comparisons found close (CLI compare and Go checks)
	failures []string // what went wrong
	env      []string // the CLI's environment: ONNXRUNTIME_LIB set, since it runs outside the repository
}

func (w *walker) section(title string) {
	fmt.Fprintf(w.out, "\n=== %s\n", title)
}

func (w *walker) say(format string, args ...any) {
	fmt.Fprintf(w.out, "# "+format+"\n", args...)
}

func (w *walker) fail(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	w.failures = append(w.failures, msg)
	fmt.Fprintf(w.out, "!! %s\n", msg)
}

// path is a file of the scratch directory.
func (w *walker) path(name string) string { return filepath.Join(w.dir, name) }

// save writes a model built in Go to the scratch directory.
func (w *walker) save(name string, m *onnxgraph.Model) {
	if err := m.Save(w.path(name)); err != nil {
		w.fail("save %s: %v", name, err)
		return
	}
	w.say("built %s with the library's builder", name)
}

// cli runs one command, printing it and its output; a non-zero exit is a
// failure of the walkthrough.
func (w *walker) cli(args ...string) string {
	w.steps++
	fmt.Fprintf(w.out, "\n$ onnxgraph %s\n", strings.Join(args, " "))
	cmd := exec.Command(w.bin, args...)
	cmd.Dir = w.dir
	cmd.Env = w.env
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err := cmd.Run()
	text := buf.String()
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		fmt.Fprintf(w.out, "  %s\n", line)
	}
	if err != nil {
		w.fail("onnxgraph %s: %v", strings.Join(args, " "), err)
	}
	return text
}

// pipe runs commands as a shell pipeline does, each reading the one
// before it on standard input, printing the pipeline and, in order, each
// command's standard error and the last one's standard output; a non-zero
// exit is a failure of the walkthrough.
func (w *walker) pipe(cmds ...[]string) string {
	w.steps += len(cmds)
	parts := make([]string, len(cmds))
	for i, args := range cmds {
		parts[i] = "onnxgraph " + strings.Join(args, " ")
	}
	fmt.Fprintf(w.out, "\n$ %s\n", strings.Join(parts, " | "))
	var text bytes.Buffer
	var in []byte
	for i, args := range cmds {
		cmd := exec.Command(w.bin, args...)
		cmd.Dir = w.dir
		cmd.Env = w.env
		cmd.Stdin = bytes.NewReader(in)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &text
		if err := cmd.Run(); err != nil {
			w.fail("%s: %v", parts[i], err)
		}
		in = out.Bytes()
	}
	text.Write(in)
	for _, line := range strings.Split(strings.TrimRight(text.String(), "\n"), "\n") {
		fmt.Fprintf(w.out, "  %s\n", line)
	}
	return text.String()
}

var closeLine = regexp.MustCompile(`(?m)^(\d+) of (\d+) outputs close`)

// compare runs the CLI's compare and requires every compared output close.
func (w *walker) compare(args ...string) {
	text := w.cli(append([]string{"compare"}, args...)...)
	m := closeLine.FindStringSubmatch(text)
	if m == nil || m[1] != m[2] || m[2] == "0" {
		w.fail("compare %s: not all outputs close", strings.Join(args, " "))
		return
	}
	w.compares++
}

// readNPY reads a .npy file of the scratch directory as float32s.
func (w *walker) readNPY(name string) []float32 {
	t, err := onnxgraph.ReadNPYFile(w.path(name))
	if err != nil {
		w.fail("read %s: %v", name, err)
		return nil
	}
	v, err := t.Float32s()
	if err != nil {
		w.fail("read %s: %v", name, err)
	}
	return v
}

// writeNPY writes float32s of the given shape to the scratch directory.
func (w *walker) writeNPY(name string, dims []int64, vals []float32) {
	t, err := onnxgraph.NewTensorOf(name, onnxgraph.Float, dims, vals)
	if err == nil {
		err = t.WriteNPYFile(w.path(name))
	}
	if err != nil {
		w.fail("write %s: %v", name, err)
	}
}

// close checks in Go that got matches want (|a-b| <= 1e-5 + 1e-5*|b|).
func (w *walker) close(what string, got, want []float32) {
	if len(got) != len(want) || len(want) == 0 {
		w.fail("%s: %d values, want %d", what, len(got), len(want))
		return
	}
	worst := 0.0
	for i := range want {
		d := math.Abs(float64(got[i]) - float64(want[i]))
		if d > 1e-5+1e-5*math.Abs(float64(want[i])) {
			w.fail("%s: value %d is %g, want %g", what, i, got[i], want[i])
			return
		}
		worst = max(worst, d)
	}
	w.compares++
	w.say("check: %s: %d values close (max abs error %.3g)", what, len(want), worst)
}

// walkthrough builds the CLI, runs every flow and reports the first
// problem after running them all.
func walkthrough(out io.Writer) error {
	root, err := repoRoot()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "onnxgraph-walkthrough-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "onnxgraph")
	build := exec.Command("go", "build", "-o", bin, "./examples/onnxgraph")
	build.Dir = root
	if msg, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("building the CLI: %v\n%s", err, msg)
	}
	lib, err := ort.FindLibrary()
	if err != nil {
		return err
	}
	w := &walker{bin: bin, dir: dir, out: out, env: append(os.Environ(), "ONNXRUNTIME_LIB="+lib)}
	fmt.Fprintf(out, "onnxgraph walkthrough: every step runs the command line in a scratch directory\n")
	fuseFlow(w)
	mnistFlow(w)
	rvmFlow(w)
	shrinkFlow(w)
	fmt.Fprintf(out, "\n=== done: %d commands, %d comparisons close, %d problems\n", w.steps, w.compares, len(w.failures))
	if len(w.failures) > 0 {
		return fmt.Errorf("%d problems, the first: %s", len(w.failures), w.failures[0])
	}
	return nil
}
