package opschema_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/onnxgraph/onnxgraph/opschema/internal/schemagen"
)

// schemaFile is the data file, relative to this package's directory. It
// must match the -in argument in gen.go.
const schemaFile = "internal/spec/onnx-schemas.json"

// TestTableUpToDate regenerates the table in memory and compares it with
// table_gen.go. The data file is part of the repository
// (internal/spec/README.md says where it comes from).
func TestTableUpToDate(t *testing.T) {
	data, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatalf("reading the schema data file (needed to check table_gen.go): %v", err)
	}
	want, err := schemagen.Generate(data, filepath.Base(schemaFile))
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
