// Command gen writes opschema's generated operator table (table_gen.go)
// from the operator schema data files (onnx-schemas.json for the ONNX
// standard, contrib-schemas.json for ONNX Runtime's contrib operators).
//
// Usage, from the opschema directory (see gen.go):
//
//	go run ./internal/gen -in internal/spec/onnx-schemas.json -in internal/spec/contrib-schemas.json -out table_gen.go
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/onnxgraph/onnxgraph/opschema/internal/schemagen"
)

func main() {
	var ins []string
	flag.Func("in", "path of a schema data file (repeat for several)", func(s string) error {
		ins = append(ins, s)
		return nil
	})
	out := flag.String("out", "table_gen.go", "path of the Go file to write")
	flag.Parse()
	if len(ins) == 0 || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: gen -in onnx-schemas.json [-in more.json ...] [-out table_gen.go]")
		os.Exit(2)
	}
	if err := run(ins, *out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(ins []string, out string) error {
	inputs := make([]schemagen.Input, len(ins))
	for i, p := range ins {
		data, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("opschema: %w", err)
		}
		inputs[i] = schemagen.Input{Name: filepath.Base(p), Data: data}
	}
	src, err := schemagen.Generate(inputs...)
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, src, 0o644); err != nil {
		return fmt.Errorf("opschema: %w", err)
	}
	return nil
}
