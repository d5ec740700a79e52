package suitetest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// Dir is where Debian's libonnx-testdata installs the ONNX backend test
// suite (onnx 1.12); .ci/run installs it.
const Dir = "/usr/share/libonnx-testdata/data"

// install is what to run when the suite is missing.
const install = "apt-get install libonnx-testdata"

// ModelPath returns the path of the model of the case in folder name under
// Dir, e.g. "node/test_if". It does not look whether the file is there.
func ModelPath(name string) string {
	return filepath.Join(Dir, name, "model.onnx")
}

// Model returns ModelPath(name) when that file is there. When it is not,
// Model fails t under CI and skips it elsewhere.
func Model(t testing.TB, name string) string {
	t.Helper()
	p := ModelPath(name)
	if _, err := os.Stat(p); err != nil {
		Missing(t, err.Error()+": "+install)
	}
	return p
}

// List returns the paths of the models of the given parts of the suite
// (node, simple, pytorch-converted, pytorch-operator, real): every
// Dir/part/*/model.onnx, sorted. With no part it lists every part's. It
// returns none when the suite is not installed.
func List(parts ...string) []string {
	if len(parts) == 0 {
		parts = []string{"*"}
	}
	var paths []string
	for _, part := range parts {
		p, err := filepath.Glob(filepath.Join(Dir, part, "*", "model.onnx"))
		if err != nil {
			panic(fmt.Sprintf("suitetest: part %q: %v", part, err))
		}
		paths = append(paths, p...)
	}
	sort.Strings(paths)
	return paths
}

// Models returns List(parts...). When that is empty, Models fails t under
// CI and skips it elsewhere.
func Models(t testing.TB, parts ...string) []string {
	t.Helper()
	paths := List(parts...)
	if len(paths) == 0 {
		Missing(t, "no models under "+Dir+": "+install)
	}
	return paths
}

// Name returns the name of the case whose model is at path, its part and
// folder, e.g. "node/test_if" for Dir/node/test_if/model.onnx.
func Name(path string) string {
	dir := filepath.Dir(path)
	return filepath.Base(filepath.Dir(dir)) + "/" + filepath.Base(dir)
}

// Missing ends a test for want of something it needs installed (what
// says what and how to install it): it fails t under CI (the environment
// variable CI is not empty), where .ci/run installs everything the tests
// need, and skips t elsewhere. It is the one rule every test of the
// repository follows for a missing suite, python module, runtime or
// browser.
func Missing(t testing.TB, what string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatal(what)
	}
	t.Skip(what)
}

// Python returns a python that imports modules (a Python import list,
// "onnx" or "onnx, sympy"): Debian's /usr/bin/python3, else python3 on
// the PATH; "" when neither does. python3-onnx (onnx 1.12) is the
// reference implementation the tests compare with.
func Python(modules string) string {
	for _, py := range []string{"/usr/bin/python3", "python3"} {
		if exec.Command(py, "-c", "import "+modules).Run() == nil {
			return py
		}
	}
	return ""
}

// NeedPython returns Python(modules). When there is none it fails t under
// CI and skips it elsewhere, naming the Debian packages that install them.
func NeedPython(t testing.TB, modules, packages string) string {
	t.Helper()
	py := Python(modules)
	if py == "" {
		Missing(t, fmt.Sprintf("no python imports %s: apt-get install %s", modules, packages))
	}
	return py
}

// WantPython returns Python(modules), for a test whose python check comes
// on top of its own: when there is none it fails t under CI and elsewhere
// logs it and returns "", and the test goes on without that check.
func WantPython(t testing.TB, modules, packages string) string {
	t.Helper()
	py := Python(modules)
	if py == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("no python imports %s: apt-get install %s", modules, packages)
		}
		t.Logf("no python imports %s (apt-get install %s): its check is left out", modules, packages)
	}
	return py
}

// DataSet is one test_data_set_* folder of a case: what its model is fed
// and what it must give.
type DataSet struct {
	// Dir is the folder's path.
	Dir string
	// Inputs holds the contents of input_0.pb, input_1.pb, ... in that
	// order: each a serialized TensorProto, SequenceProto, OptionalProto
	// or MapProto, as the model's type for that input says. input_K.pb
	// feeds the K-th graph input that is not an initializer.
	Inputs [][]byte
	// Outputs likewise holds output_0.pb, output_1.pb, ...: the expected
	// values of the graph's outputs, in their order.
	Outputs [][]byte
}

// InputPath returns the path of the data set's input_k.pb.
func (s DataSet) InputPath(k int) string {
	return filepath.Join(s.Dir, fmt.Sprintf("input_%d.pb", k))
}

// OutputPath returns the path of the data set's output_k.pb.
func (s DataSet) OutputPath(k int) string {
	return filepath.Join(s.Dir, fmt.Sprintf("output_%d.pb", k))
}

// DataSets reads every test_data_set_* folder of the case in dir (the
// folder of its model.onnx), in the order of their names. A case without
// data sets has none, and no error.
func DataSets(dir string) ([]DataSet, error) {
	sets, err := filepath.Glob(filepath.Join(dir, "test_data_set_*"))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", dir, err)
	}
	var out []DataSet
	for _, set := range sets {
		s, err := readDataSet(set)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// FirstDataSet reads test_data_set_0 of the case in dir (the folder of its
// model.onnx); it is an error when there is none.
func FirstDataSet(dir string) (DataSet, error) {
	return readDataSet(filepath.Join(dir, "test_data_set_0"))
}

// readDataSet reads the data set in folder dir: input_K.pb and output_K.pb
// for K from 0 to the number of such files, which must have no gap.
func readDataSet(dir string) (DataSet, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return DataSet{}, err
	}
	s := DataSet{Dir: dir}
	var nIn, nOut int
	for _, e := range entries {
		switch name := e.Name(); {
		case !strings.HasSuffix(name, ".pb"):
		case strings.HasPrefix(name, "input_"):
			nIn++
		case strings.HasPrefix(name, "output_"):
			nOut++
		}
	}
	for k := range nIn {
		b, err := os.ReadFile(s.InputPath(k))
		if err != nil {
			return DataSet{}, err
		}
		s.Inputs = append(s.Inputs, b)
	}
	for k := range nOut {
		b, err := os.ReadFile(s.OutputPath(k))
		if err != nil {
			return DataSet{}, err
		}
		s.Outputs = append(s.Outputs, b)
	}
	return s, nil
}
