// Package schemagen turns the operator schema data files (onnx-schemas.json
// for the ONNX standard, contrib-schemas.json for ONNX Runtime's contrib
// operators) into Go source for package opschema.
//
// It is a library so that both the go:generate command
// (opschema/internal/gen) and the staleness test of package opschema can
// produce the table from the same code. It deliberately does not import
// package opschema: the generator must keep working when the generated
// table is stale or broken.
package schemagen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// File is the top-level object of a data file (onnx-schemas.json,
// contrib-schemas.json).
type File struct {
	Source string `json:"source"`
	Note   string `json:"note"`
	// Extension marks every schema of the file as not part of the ONNX
	// standard (ONNX Runtime's contrib operators).
	Extension bool     `json:"extension,omitempty"`
	Schemas   []Schema `json:"schemas"`
}

// Schema is one operator version as written in the data file.
type Schema struct {
	Domain          string           `json:"domain"`
	Name            string           `json:"name"`
	SinceVersion    int              `json:"since_version"`
	Deprecated      bool             `json:"deprecated"`
	Attributes      []Attribute      `json:"attributes"`
	Inputs          []Formal         `json:"inputs"`
	Outputs         []Formal         `json:"outputs"`
	TypeConstraints []TypeConstraint `json:"type_constraints"`
	MinInput        int              `json:"min_input"`
	MaxInput        *int             `json:"max_input"`
	MinOutput       int              `json:"min_output"`
	MaxOutput       *int             `json:"max_output"`

	// extension is set from the file's Extension flag when files are
	// merged; it is not a field of the data file's entries.
	extension bool
}

// Attribute is an attribute declaration as written in the data file.
type Attribute struct {
	Name     string  `json:"name"`
	Type     string  `json:"type"`
	Required bool    `json:"required"`
	Default  *string `json:"default"`
}

// Formal is a formal input or output as written in the data file.
type Formal struct {
	Name           string `json:"name"`
	Type           string `json:"type"`
	Option         string `json:"option"`
	Heterogeneous  bool   `json:"heterogeneous"`
	Differentiable bool   `json:"differentiable"`
}

// TypeConstraint is a type constraint as written in the data file.
type TypeConstraint struct {
	Name    string   `json:"name"`
	Allowed []string `json:"allowed"`
}

// Decode reads a data file. Unknown fields are an error, so that a change
// of the file format is noticed rather than silently ignored.
func Decode(r io.Reader) (*File, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var f File
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("opschema: decoding schema file: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("opschema: trailing data after schema file object")
	}
	return &f, nil
}

// Input is one data file: its name for the header comment (a base name,
// not a path, to keep the output machine independent) and its contents.
type Input struct {
	Name string
	Data []byte
}

// Generate decodes the data files and returns the gofmt'd Go source of the
// generated table, which holds the schemas of all of them.
func Generate(ins ...Input) ([]byte, error) {
	files := make([]*File, len(ins))
	names := make([]string, len(ins))
	for i, in := range ins {
		f, err := Decode(bytes.NewReader(in.Data))
		if err != nil {
			return nil, fmt.Errorf("%w (in %s)", err, in.Name)
		}
		files[i], names[i] = f, in.Name
	}
	return Emit(strings.Join(names, ", "), files...)
}
