// Package schemagen turns the ONNX operator schema data file
// (onnx-schemas.json) into Go source for package opschema.
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
)

// File is the top-level object of onnx-schemas.json.
type File struct {
	Source  string   `json:"source"`
	Note    string   `json:"note"`
	Schemas []Schema `json:"schemas"`
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

// Generate decodes the data file in data and returns the gofmt'd Go source
// of the generated table. source names the data file in the header comment
// (pass a base name, not a path, to keep the output machine independent).
func Generate(data []byte, source string) ([]byte, error) {
	f, err := Decode(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	return Emit(f, source)
}
