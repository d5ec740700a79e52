// Package orttest gives tests ONNX Runtime. When the shared library is not
// installed the test ends by suitetest.Missing's rule: skipped, except
// under CI, where .ci/run installs it and its absence fails the test.
package orttest

import (
	"errors"
	"testing"

	"github.com/onnxgraph/onnxgraph/examples/internal/ort"
	"github.com/onnxgraph/onnxgraph/internal/suitetest"
)

// Find returns the path of ONNX Runtime's shared library without loading
// it, for tests of programs that load it themselves; a missing library
// skips the test outside CI.
func Find(t testing.TB) string {
	t.Helper()
	lib, err := ort.FindLibrary()
	if errors.Is(err, ort.ErrNoLibrary) {
		suitetest.Missing(t, err.Error())
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
