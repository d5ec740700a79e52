package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode"
	"unicode/utf8"

	"github.com/onnxgraph/onnxgraph"
)

// A command's output is a report: what it found or changed, printed as
// text lines or, with --json, as the JSON of its data (for edits, the
// library's report struct). Every name a line shows comes from a model and
// may hold anything, a newline or a terminal escape included, so lines
// are printed through a printer, which escapes every string it formats
// (see esc): a name cannot forge a line or corrupt the terminal.

// report is what a command prints when it is done.
type report struct {
	data   any            // what --json prints
	text   func(*printer) // the text form
	finish func()         // when set, completes data once the model is saved
}

// reportOf returns the report of data, printed as text by text.
func reportOf(data any, text func(*printer)) *report { return &report{data: data, text: text} }

// esc returns s as a line may show it: as it is when every character is
// printable, else quoted as a Go string literal, so that a name holding a
// newline, a tab, a terminal escape or bytes that are not UTF-8 prints as
// one visible token.
func esc(s string) string {
	if utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool { return !unicode.IsGraphic(r) }) {
		return s
	}
	return strconv.Quote(s)
}

// escAll applies esc to every item.
func escAll(items []string) []string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = esc(s)
	}
	return out
}

// printer prints a report's lines, escaping what they show.
type printer struct {
	w io.Writer
}

// line prints one line: format with args, each string, []string, error
// or fmt.Stringer argument of a %s or %v verb escaped first (%q escapes by
// itself).
func (p *printer) line(format string, args ...any) {
	fmt.Fprintf(p.w, format+"\n", escArgs(format, args)...)
}

// table returns a printer whose lines are columns separated by tabs,
// aligned when flush is called.
func (p *printer) table(flags uint) (*printer, func()) {
	tw := tabwriter.NewWriter(p.w, 0, 4, 2, ' ', flags)
	return &printer{w: tw}, func() { tw.Flush() }
}

// escArgs escapes the arguments of format's %s and %v verbs.
func escArgs(format string, args []any) []any {
	out := append([]any(nil), args...)
	arg := 0
	for i := 0; i < len(format) && arg < len(out); i++ {
		if format[i] != '%' {
			continue
		}
		i++
		for i < len(format) && strings.IndexByte("+-# 0123456789.", format[i]) >= 0 {
			i++
		}
		if i >= len(format) || format[i] == '%' {
			continue
		}
		switch format[i] {
		case 's', 'v':
			out[arg] = escArg(out[arg])
		}
		arg++
	}
	return out
}

func escArg(a any) any {
	switch x := a.(type) {
	case string:
		return esc(x)
	case []string:
		return escAll(x)
	case error:
		return esc(x.Error())
	case fmt.Stringer:
		return esc(x.String())
	}
	return a
}

// printReport prints r to w: its JSON with asJSON, else its text.
func printReport(w io.Writer, r *report, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r.data)
	}
	if r.text != nil {
		r.text(&printer{w: w})
	}
	return nil
}

// namesOrNone joins names, escaped, with ", ", or says "none".
func namesOrNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(escAll(s), ", ")
}

// capJoin joins at most n items, escaped, and says how many more there
// are.
func capJoin(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(escAll(items), ", ")
	}
	return strings.Join(escAll(items[:n]), ", ") + fmt.Sprintf(", ... (%d more)", len(items)-n)
}

// printValues prints "what name: type" lines for boundary values.
func printValues(p *printer, what string, vs []onnxgraph.ValueSummary) {
	for _, v := range vs {
		t := v.Type + v.Shape
		if t == "" {
			t = "type unknown"
		}
		p.line("%s %s: %s", what, v.Name, t)
	}
}

// warnTypes prints the boundary values whose type or shape is unknown.
func warnTypes(p *printer, noType, noShape []string) {
	if len(noType) > 0 {
		p.line("warning: no type known for %s (checkers will refuse the model)", capJoin(noType, 50))
	}
	if len(noShape) > 0 {
		p.line("warning: no shape known for %s", capJoin(noShape, 50))
	}
}

// printPruned prints what an edit pruned.
func printPruned(p *printer, pruned []string) {
	if len(pruned) > 0 {
		p.line("pruned %d nodes and initializers no longer needed: %s", len(pruned), capJoin(pruned, 20))
	}
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// jsonFloat is a float that JSON shows as a number when finite, else as
// "nan", "inf" or "-inf" (JSON has no such numbers).
type jsonFloat float64

// MarshalJSON writes f.
func (f jsonFloat) MarshalJSON() ([]byte, error) {
	x := float64(f)
	switch {
	case math.IsNaN(x):
		return []byte(`"nan"`), nil
	case math.IsInf(x, 1):
		return []byte(`"inf"`), nil
	case math.IsInf(x, -1):
		return []byte(`"-inf"`), nil
	}
	return json.Marshal(x)
}
