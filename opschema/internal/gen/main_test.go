package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestRunMatchesCommittedTable runs the command as go generate does and
// compares its output with the checked-in table.
func TestRunMatchesCommittedTable(t *testing.T) {
	out := filepath.Join(t.TempDir(), "table_gen.go")
	if err := run([]string{"../spec/onnx-schemas.json", "../spec/contrib-schemas.json"}, out); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../../table_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("opschema/table_gen.go is stale; run `go generate ./opschema`")
	}
}

func TestRunMissingInput(t *testing.T) {
	if err := run([]string{filepath.Join(t.TempDir(), "missing.json")}, filepath.Join(t.TempDir(), "out.go")); err == nil {
		t.Error("run with a missing input succeeded")
	}
}
