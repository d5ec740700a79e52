// Package orttest gives tests ONNX Runtime: one rule for every test that
// needs it. When the shared library is not installed the test is skipped,
// except under CI (the environment variable CI is not empty), where .ci/run
// installs it and its absence fails the test, as any other error does.
package orttest

import (
	"errors"
	"os"
	"testing"

	"github.com/onnxgraph/onnxgraph/examples/internal/ort"
)

// Find returns the path of ONNX Runtime's shared library without loading
// it, for tests of programs that load it themselves; a missing library
// skips the test outside CI.
func Find(t testing.TB) string {
	t.Helper()
	lib, err := ort.FindLibrary()
	if errors.Is(err, ort.ErrNoLibrary) && os.Getenv("CI") == "" {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return lib
}

// Require loads ONNX Runtime into the test process (ort.Init) and returns
// the library's path; a missing library skips the test outside CI.
func Require(t testing.TB) string {
	t.Helper()
	lib := Find(t)
	if err := ort.Init(lib); err != nil {
		t.Fatal(err)
	}
	return lib
}
