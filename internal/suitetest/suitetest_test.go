package suitetest

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestDataSets reads the data sets of suite cases of every kind of part
// and checks the files each holds, in order, against the folder.
func TestDataSets(t *testing.T) {
	Models(t) // the suite is there, or the test fails under CI and skips elsewhere
	for _, c := range []struct {
		name            string
		inputs, outputs int
	}{
		{"node/test_add", 2, 1},
		{"node/test_if", 1, 1},
		{"node/test_loop11", 3, 2},
		{"simple/test_sign_model", 1, 1},
		{"pytorch-converted/test_Conv2d", 1, 1},
	} {
		path := Model(t, c.name)
		if got := Name(path); got != c.name {
			t.Errorf("Name(%s) = %s", path, got)
		}
		sets, err := DataSets(filepath.Dir(path))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if len(sets) != 1 || filepath.Base(sets[0].Dir) != "test_data_set_0" {
			t.Fatalf("%s: data sets %v, want test_data_set_0", c.name, sets)
		}
		first, err := FirstDataSet(filepath.Dir(path))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !slices.EqualFunc(first.Inputs, sets[0].Inputs, slices.Equal) || !slices.EqualFunc(first.Outputs, sets[0].Outputs, slices.Equal) {
			t.Errorf("%s: FirstDataSet and DataSets differ", c.name)
		}
		s := sets[0]
		if len(s.Inputs) != c.inputs || len(s.Outputs) != c.outputs {
			t.Errorf("%s: %d inputs and %d outputs, want %d and %d", c.name, len(s.Inputs), len(s.Outputs), c.inputs, c.outputs)
		}
		for k, b := range s.Inputs {
			if want, err := os.ReadFile(s.InputPath(k)); err != nil || !slices.Equal(b, want) {
				t.Errorf("%s: input %d is not %s (%v)", c.name, k, s.InputPath(k), err)
			}
		}
		for k, b := range s.Outputs {
			if want, err := os.ReadFile(s.OutputPath(k)); err != nil || !slices.Equal(b, want) {
				t.Errorf("%s: output %d is not %s (%v)", c.name, k, s.OutputPath(k), err)
			}
		}
	}
}

// TestDataSetErrors checks that a missing data set and a gap in the
// numbering are errors naming the missing file.
func TestDataSetErrors(t *testing.T) {
	if _, err := FirstDataSet(filepath.Join(Dir, "node", "no_such_case")); err == nil || !strings.Contains(err.Error(), "no_such_case") {
		t.Errorf("a missing case: %v", err)
	}
	dir := t.TempDir()
	set := filepath.Join(dir, "test_data_set_0")
	if err := os.Mkdir(set, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"input_0.pb", "input_2.pb", "output_0.pb"} {
		if err := os.WriteFile(filepath.Join(set, f), []byte{8, 1}, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := DataSets(dir); err == nil || !strings.Contains(err.Error(), "input_1.pb") {
		t.Errorf("a gap: %v", err)
	}
	if sets, err := DataSets(t.TempDir()); err != nil || len(sets) != 0 {
		t.Errorf("a case without data sets: %v, %v", sets, err)
	}
}

// TestList checks that List sorts what it finds and that no part means
// every part.
func TestList(t *testing.T) {
	all := Models(t)
	if !slices.IsSorted(all) {
		t.Error("List() is not sorted")
	}
	parts := map[string]bool{}
	for _, p := range all {
		parts[strings.SplitN(Name(p), "/", 2)[0]] = true
	}
	var names []string
	for p := range parts {
		names = append(names, p)
	}
	if got := List(names...); !slices.Equal(got, all) {
		t.Errorf("List(%v) lists %d models, List() %d", names, len(got), len(all))
	}
	if got := List("simple", "node"); !slices.IsSorted(got) || len(got) != len(List("node"))+len(List("simple")) {
		t.Errorf("List(simple, node): %d models, sorted %v", len(got), slices.IsSorted(got))
	}
}
