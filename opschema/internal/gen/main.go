// Command gen writes opschema's generated operator table (table_gen.go)
// from the ONNX operator schema data file (onnx-schemas.json).
//
// Usage, from the opschema directory (see gen.go):
//
//	go run ./internal/gen -in internal/spec/onnx-schemas.json -out table_gen.go
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/onnxgraph/onnxgraph/opschema/internal/schemagen"
)

func main() {
	in := flag.String("in", "", "path of onnx-schemas.json")
	out := flag.String("out", "table_gen.go", "path of the Go file to write")
	flag.Parse()
	if *in == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: gen -in onnx-schemas.json [-out table_gen.go]")
		os.Exit(2)
	}
	if err := run(*in, *out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	data, err := os.ReadFile(in)
	if err != nil {
		return fmt.Errorf("opschema: %w", err)
	}
	src, err := schemagen.Generate(data, filepath.Base(in))
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, src, 0o644); err != nil {
		return fmt.Errorf("opschema: %w", err)
	}
	return nil
}
