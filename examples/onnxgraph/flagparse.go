package main

import (
	"strings"
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
