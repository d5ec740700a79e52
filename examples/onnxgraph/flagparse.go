package main

import (
	"strings"

	"github.com/onnxgraph/onnxgraph"
)

// Parsing helpers for flag values.

// splitList splits a comma list, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// cutLast splits s around the last sep before the first "=" (node names
// may hold the separator; output names rarely hold "=").
func cutLast(s, sep string) (before, after string, found bool) {
	head := s
	if i := strings.Index(s, "="); i >= 0 {
		head = s[:i]
	}
	i := strings.LastIndex(head, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

// namedValues reads the repeated NAME=VALUE values of flag into a map. A
// value without "=" or without a name, or a name given twice, is a usage
// error naming the flag and the value; what is NAME=VALUE's VALUE is said
// by want ("D0,D1,...").
func namedValues(flag, want string, specs []string) (map[string]string, error) {
	var out map[string]string
	for _, spec := range specs {
		name, v, ok := strings.Cut(spec, "=")
		if !ok || name == "" {
			return nil, usageErr("--%s %q is not NAME=%s", flag, spec, want)
		}
		if _, dup := out[name]; dup {
			return nil, usageErr("--%s %s given twice", flag, name)
		}
		if out == nil {
			out = map[string]string{}
		}
		out[name] = v
	}
	return out, nil
}

// namedDims reads the repeated NAME=D0,D1,... values of flag (sizes, names,
// ? for unknown), as text for a script step and parsed.
func namedDims(flag string, specs []string) (map[string]string, map[string][]onnxgraph.Dim, error) {
	text, err := namedValues(flag, "D0,D1,...", specs)
	if err != nil {
		return nil, nil, err
	}
	dims, err := onnxgraph.ParseDimsMap(text)
	if err != nil {
		return nil, nil, usageFrom("--"+flag, err)
	}
	return text, dims, nil
}
