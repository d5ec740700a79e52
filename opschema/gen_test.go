package opschema_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/onnxgraph/onnxgraph/opschema/internal/schemagen"
)

// schemaFiles are the data files, relative to this package's directory.
// They must match the -in arguments in gen.go.
var schemaFiles = []string{"internal/spec/onnx-schemas.json", "internal/spec/contrib-schemas.json"}

// TestTableUpToDate regenerates the table in memory from both data files
// (the ONNX standard's and ONNX Runtime's contrib operators) and compares
// it with table_gen.go. The data files are part of the repository
// (internal/spec/README.md says where they come from).
func TestTableUpToDate(t *testing.T) {
	var ins []schemagen.Input
	for _, p := range schemaFiles {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("reading a schema data file (needed to check table_gen.go): %v", err)
		}
		ins = append(ins, schemagen.Input{Name: filepath.Base(p), Data: data})
	}
	want, err := schemagen.Generate(ins...)
	if err != nil {
		t.Fatalf("generating the table: %v", err)
	}
	got, err := os.ReadFile("table_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		line := 1 + bytes.Count(got[:commonPrefix(got, want)], []byte("\n"))
		t.Fatalf("table_gen.go is stale (first difference at line %d); run `go generate ./opschema`", line)
	}
}

func commonPrefix(a, b []byte) int {
	n := min(len(a), len(b))
	for i := range n {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}
