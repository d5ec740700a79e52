package onnxgraph

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/onnxgraph/onnxgraph/opschema"
)

// Script is a recorded list of edits that can be replayed on a model: the
// one the edits were made on, or another (the next export of the same
// network, say). Each step is an operation named as the command line names
// it ("rename", "delete-nodes", ...) with that command's options.
//
// In JSON a script reads
//
//	{
//	  "version": 1,
//	  "steps": [
//	    {"op": "rename", "from": "Plus28", "to": "add_1", "scope": "nodes"},
//	    {"op": "delete-nodes", "names": ["ReLU28"]}
//	  ]
//	}
//
// ParseScript reads that form and JSON writes it, one step per line.
type Script struct {
	Steps []Step
}

// Step is one edit of a Script.
type Step struct {
	// Args holds the operation and its options: a *RenameStep,
	// *DeleteNodesStep, and so on.
	Args StepArgs
	// Line is where the step starts in the text it was parsed from (1 is
	// the first line); 0 for a step built in code.
	Line int
}

// Op returns the step's operation name, "" when it has no Args.
func (s Step) Op() string {
	if s.Args == nil {
		return ""
	}
	return s.Args.Op()
}

// StepArgs is the options of one script operation. This package's
// operations are its types whose names end in Step (ScriptOps lists
// them); packages built on it add theirs (package simplify's
// "simplify", package shapeinfer's "infer"), which ParseScriptWith reads.
type StepArgs interface {
	// Op returns the operation's name as the command line calls it.
	Op() string
	// Validate checks the options alone, before any model is seen.
	Validate() error
	// Apply runs the edit on m and returns its report. It must leave m
	// as it was when it fails, as every edit of this package does.
	Apply(m *Model) (any, error)
}

// scriptOps is the table of script operations, keyed by the command-line
// name; each entry makes the empty options of its operation.
var scriptOps = map[string]func() StepArgs{
	"rename":         func() StepArgs { return &RenameStep{} },
	"delete-nodes":   func() StepArgs { return &DeleteNodesStep{} },
	"extract":        func() StepArgs { return &ExtractStep{} },
	"add-outputs":    func() StepArgs { return &AddOutputsStep{} },
	"delete-outputs": func() StepArgs { return &DeleteOutputsStep{} },
	"modify":         func() StepArgs { return &ModifyStep{} },
	"set-dims":       func() StepArgs { return &SetDimsStep{} },
	"set-batch":      func() StepArgs { return &SetBatchStep{} },
	"rewire":         func() StepArgs { return &RewireStep{} },
	"prune":          func() StepArgs { return &PruneStep{} },
	"name-nodes":     func() StepArgs { return &NameNodesStep{} },
	"strip-docs":     func() StepArgs { return &StripDocsStep{} },
	"set-opset":      func() StepArgs { return &SetOpsetStep{} },
	"insert-node":    func() StepArgs { return &InsertNodeStep{} },
	"sort":           func() StepArgs { return &SortStep{} },
	"layout":         func() StepArgs { return &LayoutStep{} },
	"shrink":         func() StepArgs { return &ShrinkStep{} },
	"merge":          func() StepArgs { return &MergeStep{} },
}

// ScriptOps returns the names of the operations a script may hold, sorted.
func ScriptOps() []string { return sortedKeys(scriptOps) }

// ScriptError names the step of a script that could not be read or
// applied: its number (from 1; 0 when the error is outside any step), its
// operation, the line it starts on and, when the cause names one, the node
// or value at fault.
type ScriptError struct {
	Step int    // the step's number, from 1; 0 outside the steps
	Op   string // the step's operation, "" when unknown
	Line int    // the line where the step (or the syntax error) is, 0 when unknown
	Name string // the culprit the cause names, if any
	Err  error  // the cause
}

func (e *ScriptError) Error() string {
	var where []string
	if e.Step > 0 {
		where = append(where, "step "+itoa(e.Step))
	}
	if e.Op != "" {
		where = append(where, e.Op)
	}
	if e.Line > 0 {
		where = append(where, "line "+itoa(e.Line))
	}
	head := "onnxgraph: script"
	if len(where) > 0 {
		head += " " + strings.Join(where, ", ")
	}
	return head + ": " + trimPrefix(e.Err)
}

// Unwrap returns the cause.
func (e *ScriptError) Unwrap() error { return e.Err }

// Culprit returns the node or value the cause names ("" when none).
func (e *ScriptError) Culprit() string { return e.Name }

// StepReport is what one applied step reported.
type StepReport struct {
	Op string
	// Report is the edit's own report: a *RenameReport for "rename", a
	// *DeleteNodesReport for "delete-nodes", and so on.
	Report any
}

// ScriptReport lists the reports of the steps Apply ran, in order.
type ScriptReport struct {
	Steps []StepReport
}

// Append adds a step built in code.
func (s *Script) Append(args StepArgs) { s.Steps = append(s.Steps, Step{Args: args}) }

// Apply replays the script's steps on m in order, each as the library's
// edit of that name (RenameModel for "rename", and so on), with the types
// of m's type source (see Model.Infer) where an edit needs them. It stops
// at the first step that does not apply and returns a *ScriptError naming
// the step, its operation, its line and the culprit; m is then as it was
// before the script (a script of several steps works on m after taking a
// copy of its graph, which Model.Atomic puts back).
func (s *Script) Apply(m *Model) (*ScriptReport, error) {
	r := &ScriptReport{}
	run := func(m *Model) error {
		for i, st := range s.Steps {
			if st.Args == nil {
				return &ScriptError{Step: i + 1, Line: st.Line, Err: errorf(ErrInvalid, "no operation")}
			}
			rep, err := applyStep(m, st.Args)
			if err != nil {
				e := &ScriptError{Step: i + 1, Op: st.Args.Op(), Line: st.Line, Err: err}
				var c interface{ Culprit() string }
				if errors.As(err, &c) {
					e.Name = c.Culprit()
				}
				return e
			}
			r.Steps = append(r.Steps, StepReport{Op: st.Args.Op(), Report: rep})
		}
		return nil
	}
	var err error
	if len(s.Steps) > 1 {
		err = m.Atomic(run)
	} else {
		err = run(m) // one edit is atomic by itself
	}
	if err != nil {
		return nil, err
	}
	return r, nil
}

// Replay is Script.Apply as a step of a chain; the chain's error is the
// *ScriptError.
func (m *Model) Replay(s *Script, report *ScriptReport) *Model {
	return runStep(m, "Replay", s, report, func(m *Model, s *Script) (*ScriptReport, error) {
		if s == nil {
			return &ScriptReport{}, nil
		}
		return s.Apply(m)
	})
}

// applyStep runs one step; like a step of a chain it counts as an edit
// (see Generation), whatever the edit itself records.
func applyStep(m *Model, a StepArgs) (any, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	defer m.touch()
	return a.Apply(m)
}

// JSON returns the script in the form ParseScript reads, one step per
// line. Options at their defaults are left out.
func (s *Script) JSON() []byte {
	var b bytes.Buffer
	b.WriteString("{\n  \"version\": 1,\n  \"steps\": [")
	for i, st := range s.Steps {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("\n    ")
		b.Write(stepJSON(st.Args))
	}
	if len(s.Steps) > 0 {
		b.WriteString("\n  ")
	}
	b.WriteString("]\n}\n")
	return b.Bytes()
}

// stepJSON writes one step as {"op": ..., options...}.
func stepJSON(a StepArgs) []byte {
	if a == nil {
		return []byte(`{"op": ""}`)
	}
	opts, err := json.Marshal(a)
	if err != nil { // the step types hold strings, lists and maps only
		opts = []byte("{}")
	}
	op, _ := json.Marshal(a.Op())
	out := append([]byte(`{"op": `), op...)
	if len(opts) > 2 {
		out = append(out, ", "...)
		out = append(out, spaceJSON(opts[1:len(opts)-1])...)
	}
	return append(out, '}')
}

// spaceJSON puts a space after the colons and commas that separate
// compact JSON's members (those outside strings), for reading.
func spaceJSON(b []byte) []byte {
	out := make([]byte, 0, len(b)+len(b)/8)
	inStr, esc := false, false
	for _, c := range b {
		out = append(out, c)
		switch {
		case esc:
			esc = false
		case inStr && c == '\\':
			esc = true
		case c == '"':
			inStr = !inStr
		case !inStr && (c == ':' || c == ','):
			out = append(out, ' ')
		}
	}
	return out
}

// ParseScript reads a script in the JSON form Script describes. Every
// error is a *ScriptError that names the step (by number and line) and,
// for an unknown option, the option; a syntax error names its line.
// Options are checked as far as they can be without a model (a rename
// needs a search string, a deletion names, ...).
func ParseScript(data []byte) (*Script, error) { return ParseScriptWith(data, nil) }

// ParseScriptWith is ParseScript that also reads the operations of extra,
// by name, each made empty by its function and filled from the step's
// options: the operations of packages built on this one
// (simplify.ScriptOps, shapeinfer.ScriptOps). A name of this package's
// cannot be replaced.
func ParseScriptWith(data []byte, extra map[string]func() StepArgs) (*Script, error) {
	lineAt := func(off int64) int {
		if off > int64(len(data)) {
			off = int64(len(data))
		}
		return 1 + bytes.Count(data[:max(off, 0)], []byte("\n"))
	}
	fail := func(step, line int, op string, err error) error {
		return &ScriptError{Step: step, Op: op, Line: line, Err: err}
	}
	syntax := func(err error, dec *json.Decoder) error {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return fail(0, lineAt(se.Offset), "", errorf(ErrMalformed, "%v", err))
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return fail(0, lineAt(int64(len(data))), "", errorf(ErrMalformed, "the script ends early"))
		}
		return fail(0, lineAt(dec.InputOffset()), "", errorf(ErrMalformed, "%v", err))
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := expectDelim(dec, '{'); err != nil {
		return nil, syntax(err, dec)
	}
	s := &Script{}
	var version, steps bool
	for dec.More() {
		off := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return nil, syntax(err, dec)
		}
		key, _ := tok.(string)
		switch key {
		case "version":
			var v json.Number
			if err := dec.Decode(&v); err != nil || v.String() != "1" {
				return nil, fail(0, lineAt(off+1), "", errorf(ErrInvalid, "version must be 1"))
			}
			version = true
		case "steps":
			steps = true
			if err := expectDelim(dec, '['); err != nil {
				return nil, fail(0, lineAt(dec.InputOffset()), "", errorf(ErrMalformed, "steps must be a list"))
			}
			for dec.More() {
				start := skipSpace(data, dec.InputOffset())
				var raw json.RawMessage
				if err := dec.Decode(&raw); err != nil {
					return nil, syntax(err, dec)
				}
				st, err := parseStep(raw, len(s.Steps)+1, lineAt(start), func(rel int) int { return lineAt(start + int64(rel)) }, extra)
				if err != nil {
					return nil, err
				}
				s.Steps = append(s.Steps, st)
			}
			if _, err := dec.Token(); err != nil {
				return nil, syntax(err, dec)
			}
		default:
			return nil, fail(0, lineAt(skipSpace(data, off)), "", errorf(ErrInvalid, "unknown key %q (a script has version and steps)", key))
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, syntax(err, dec)
	}
	if !version || !steps {
		return nil, fail(0, 1, "", errorf(ErrInvalid, `a script is {"version": 1, "steps": [...]}`))
	}
	if end := skipSpace(data, dec.InputOffset()); end < int64(len(data)) {
		return nil, fail(0, lineAt(end), "", errorf(ErrMalformed, "text after the script"))
	}
	return s, nil
}

// skipSpace returns the offset of the first byte at or after off that is
// neither white space nor a comma.
func skipSpace(data []byte, off int64) int64 {
	for off < int64(len(data)) && strings.IndexByte(" \t\r\n,", data[off]) >= 0 {
		off++
	}
	return off
}

func expectDelim(dec *json.Decoder, d json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != d {
		return fmt.Errorf("expected %q, found %v", string(d), tok)
	}
	return nil
}

// parseStep reads one step object. lineOf turns an offset inside raw into
// a line of the whole script.
func parseStep(raw json.RawMessage, step, line int, lineOf func(int) int, extra map[string]func() StepArgs) (Step, error) {
	fail := func(op string, line int, err error) (Step, error) {
		return Step{}, &ScriptError{Step: step, Op: op, Line: line, Err: err}
	}
	var head map[string]json.RawMessage
	if err := json.Unmarshal(raw, &head); err != nil {
		return fail("", line, errorf(ErrInvalid, "a step is an object {\"op\": ..., options...}"))
	}
	known := func() string {
		names := ScriptOps()
		for k := range extra {
			if scriptOps[k] == nil {
				names = append(names, k)
			}
		}
		slices.Sort(names)
		return strings.Join(names, ", ")
	}
	var op string
	if err := json.Unmarshal(head["op"], &op); err != nil || op == "" {
		return fail("", line, errorf(ErrInvalid, "the step has no \"op\" (one of %s)", known()))
	}
	mk, ok := scriptOps[op]
	if !ok {
		mk, ok = extra[op]
	}
	if !ok || mk == nil {
		return fail(op, line, errorf(ErrInvalid, "unknown operation %q (one of %s)", op, known()))
	}
	delete(head, "op")
	rest, _ := json.Marshal(head)
	args := mk()
	if err := strictJSON(rest, args); err != nil {
		at := line
		if f := unknownField(err); f != "" {
			if i := bytes.Index(raw, []byte(strconv.Quote(f))); i >= 0 {
				at = lineOf(i)
			}
			return fail(op, at, errorf(ErrInvalid, "unknown option %q", f))
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			if i := bytes.Index(raw, []byte(strconv.Quote(strings.Split(te.Field, ".")[0]))); i >= 0 {
				at = lineOf(i)
			}
			return fail(op, at, errorf(ErrInvalid, "option %q: a JSON %s cannot be %s", te.Field, te.Value, jsonKind(te.Type.Kind())))
		}
		return fail(op, at, errorf(ErrInvalid, "%v", strings.TrimPrefix(err.Error(), "json: ")))
	}
	if err := args.Validate(); err != nil {
		return fail(op, line, err)
	}
	return Step{Args: args, Line: line}, nil
}

// jsonKind names what a Go kind is in JSON.
func jsonKind(k reflect.Kind) string {
	switch k {
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "text"
	}
	return "a number"
}

// strictJSON decodes b into v, refusing fields v does not have.
func strictJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// unknownField returns the field an "unknown field" decoding error names.
func unknownField(err error) string {
	const p = `json: unknown field "`
	s := err.Error()
	if i := strings.Index(s, p); i >= 0 {
		rest := s[i+len(p):]
		if j := strings.IndexByte(rest, '"'); j >= 0 {
			return rest[:j]
		}
	}
	return ""
}

// argText is an option value written as text, as on the command line
// ("0,2,3,1"), or as a JSON number, boolean or list of them, which reads
// as that text.
type argText string

// UnmarshalJSON reads a string, number, boolean or list.
func (t *argText) UnmarshalJSON(b []byte) error {
	s, err := jsonText(b)
	*t = argText(s)
	return err
}

func jsonText(b []byte) (string, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return "", errors.New("empty value")
	}
	switch b[0] {
	case '"':
		var s string
		err := json.Unmarshal(b, &s)
		return s, err
	case '[':
		var items []json.RawMessage
		if err := json.Unmarshal(b, &items); err != nil {
			return "", err
		}
		parts := make([]string, len(items))
		for i, it := range items {
			s, err := jsonText(it)
			if err != nil {
				return "", err
			}
			parts[i] = s
		}
		return strings.Join(parts, ","), nil
	case '{', 'n':
		return "", fmt.Errorf("%s is not a value (text, a number or a list)", b)
	}
	return string(b), nil // a number or a boolean, as written
}

// textMap turns decoded argText values into plain strings.
func textMap(m map[string]argText) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = string(v)
	}
	return out
}

func need(ok bool, format string, args ...any) error {
	if ok {
		return nil
	}
	return errorf(ErrInvalid, format, args...)
}

// ---------------------------------------------------------------------------
// The operations.

// RenameStep is the script form of Rename (command "rename").
type RenameStep struct {
	From      string `json:"from"`
	To        string `json:"to"`
	Mode      string `json:"mode,omitempty"`  // exact (default), partial, prefix, suffix
	Scope     string `json:"scope,omitempty"` // all (default), nodes, values, inputs, outputs
	Functions bool   `json:"functions,omitempty"`
}

// Op returns "rename".
func (*RenameStep) Op() string { return "rename" }

func (s *RenameStep) options() (*RenameOptions, error) {
	o := &RenameOptions{Functions: s.Functions}
	var err error
	if s.Mode != "" {
		if o.Mode, err = ParseRenameMode(s.Mode); err != nil {
			return nil, err
		}
	}
	if s.Scope != "" {
		if o.Scope, err = ParseRenameScope(s.Scope); err != nil {
			return nil, err
		}
	}
	return o, nil
}

// Validate checks the options without a model.
func (s *RenameStep) Validate() error {
	o, err := s.options()
	if err != nil {
		return err
	}
	// An empty search string is a prefix or suffix added to every name.
	return need(s.From != "" || o.Mode == RenamePrefix || o.Mode == RenameSuffix, "rename needs from")
}

// Apply runs RenameModel on m.
func (s *RenameStep) Apply(m *Model) (any, error) {
	o, err := s.options()
	if err != nil {
		return nil, err
	}
	return RenameModel(m, s.From, s.To, o)
}

// DeleteNodesStep is the script form of DeleteNodes (command
// "delete-nodes"); Map is DeleteNodesOptions.Replace.
type DeleteNodesStep struct {
	Names       []string                     `json:"names"`
	Map         map[string]map[string]string `json:"map,omitempty"`
	RelaxShapes bool                         `json:"relax-shapes,omitempty"`
}

// Op returns "delete-nodes".
func (*DeleteNodesStep) Op() string { return "delete-nodes" }

// Validate checks the options without a model.
func (s *DeleteNodesStep) Validate() error {
	return need(len(s.Names) > 0, "delete-nodes needs names")
}

// Apply runs DeleteNodesModel on m.
func (s *DeleteNodesStep) Apply(m *Model) (any, error) {
	return DeleteNodesModel(m, &DeleteNodesOptions{Names: s.Names, Replace: s.Map, RelaxShapes: s.RelaxShapes})
}

// ExtractStep is the script form of Extract (command "extract").
type ExtractStep struct {
	Inputs           []string `json:"inputs,omitempty"`
	Outputs          []string `json:"outputs"`
	AddMissingInputs bool     `json:"add-missing-inputs,omitempty"`
	AllowUntyped     bool     `json:"allow-untyped,omitempty"`
}

// Op returns "extract".
func (*ExtractStep) Op() string { return "extract" }

// Validate checks the options without a model.
func (s *ExtractStep) Validate() error { return need(len(s.Outputs) > 0, "extract needs outputs") }

// Apply runs ExtractModel on m.
func (s *ExtractStep) Apply(m *Model) (any, error) {
	return ExtractModel(m, &ExtractOptions{Inputs: s.Inputs, Outputs: s.Outputs, AddMissingInputs: s.AddMissingInputs, AllowUntyped: s.AllowUntyped})
}

// AddOutputsStep is the script form of AddOutputs (command "add-outputs").
type AddOutputsStep struct {
	Names        []string `json:"names"`
	AllowUntyped bool     `json:"allow-untyped,omitempty"`
}

// Op returns "add-outputs".
func (*AddOutputsStep) Op() string { return "add-outputs" }

// Validate checks the options without a model.
func (s *AddOutputsStep) Validate() error { return need(len(s.Names) > 0, "add-outputs needs names") }

// Apply runs AddOutputsModel on m.
func (s *AddOutputsStep) Apply(m *Model) (any, error) {
	return AddOutputsModel(m, &AddOutputsOptions{Names: s.Names, AllowUntyped: s.AllowUntyped})
}

// DeleteOutputsStep is the script form of DeleteOutputs (command
// "delete-outputs").
type DeleteOutputsStep struct {
	Names       []string `json:"names"`
	PruneInputs bool     `json:"prune-inputs,omitempty"`
}

// Op returns "delete-outputs".
func (*DeleteOutputsStep) Op() string { return "delete-outputs" }

// Validate checks the options without a model.
func (s *DeleteOutputsStep) Validate() error {
	return need(len(s.Names) > 0, "delete-outputs needs names")
}

// Apply runs DeleteOutputsModel on m.
func (s *DeleteOutputsStep) Apply(m *Model) (any, error) {
	return DeleteOutputsModel(m, &DeleteOutputsOptions{Names: s.Names, PruneInputs: s.PruneInputs})
}

// ModifyStep is the script form of Modify (command "modify"). Attribute
// and constant values are text as on the command line ("0,2,3,1"); in JSON
// they may also be numbers or lists.
type ModifyStep struct {
	Node       string            `json:"node"`
	Attr       map[string]string `json:"attr,omitempty"`
	Const      map[string]string `json:"const,omitempty"`
	DeleteAttr []string          `json:"delete-attr,omitempty"`
}

// UnmarshalJSON reads the step, taking numbers and lists as text.
func (s *ModifyStep) UnmarshalJSON(b []byte) error {
	var aux struct {
		Node       string             `json:"node"`
		Attr       map[string]argText `json:"attr"`
		Const      map[string]argText `json:"const"`
		DeleteAttr []string           `json:"delete-attr"`
	}
	if err := strictJSON(b, &aux); err != nil {
		return err
	}
	*s = ModifyStep{Node: aux.Node, Attr: textMap(aux.Attr), Const: textMap(aux.Const), DeleteAttr: aux.DeleteAttr}
	return nil
}

// Op returns "modify".
func (*ModifyStep) Op() string { return "modify" }

// Validate checks the options without a model.
func (s *ModifyStep) Validate() error {
	if err := need(s.Node != "", "modify needs node"); err != nil {
		return err
	}
	return need(len(s.Attr)+len(s.Const)+len(s.DeleteAttr) > 0, "modify needs attr, const or delete-attr")
}

// Apply runs ModifyModel on m.
func (s *ModifyStep) Apply(m *Model) (any, error) {
	o := &ModifyOptions{DeleteAttrs: s.DeleteAttr}
	if len(s.Attr) > 0 {
		o.Attrs = map[string]any{}
		for k, v := range s.Attr {
			o.Attrs[k] = v
		}
	}
	if len(s.Const) > 0 {
		o.Consts = map[string]any{}
		for k, v := range s.Const {
			o.Consts[k] = v
		}
	}
	return ModifyModel(m, s.Node, o)
}

// SetDimsStep is the script form of SetDims (command "set-dims"): dims of
// graph inputs and outputs by name, as text ("N,3,H,W"; "?" for unknown)
// or, in JSON, as a list.
type SetDimsStep struct {
	Input         map[string]string `json:"input,omitempty"`
	Output        map[string]string `json:"output,omitempty"`
	KeepValueInfo bool              `json:"keep-value-info,omitempty"`
}

// UnmarshalJSON reads the step, taking lists of dims as text.
func (s *SetDimsStep) UnmarshalJSON(b []byte) error {
	var aux struct {
		Input         map[string]argText `json:"input"`
		Output        map[string]argText `json:"output"`
		KeepValueInfo bool               `json:"keep-value-info"`
	}
	if err := strictJSON(b, &aux); err != nil {
		return err
	}
	*s = SetDimsStep{Input: textMap(aux.Input), Output: textMap(aux.Output), KeepValueInfo: aux.KeepValueInfo}
	return nil
}

// Op returns "set-dims".
func (*SetDimsStep) Op() string { return "set-dims" }

func (s *SetDimsStep) dims() (map[string][]Dim, error) {
	out := map[string][]Dim{}
	for _, part := range []map[string]string{s.Input, s.Output} {
		d, err := ParseDimsMap(part)
		if err != nil {
			return nil, err
		}
		maps.Copy(out, d)
	}
	return out, nil
}

// Validate checks the options without a model.
func (s *SetDimsStep) Validate() error {
	if err := need(len(s.Input)+len(s.Output) > 0, "set-dims needs input or output"); err != nil {
		return err
	}
	_, err := s.dims()
	return err
}

// CheckNames checks that every name of s.Input is a graph input of m and
// every name of s.Output a graph output (SetDims itself takes either): an
// ErrNotFound error naming the first that is not.
func (s *SetDimsStep) CheckNames(m *Model) error {
	if m.graph == nil {
		return errorf(ErrInvalid, "the model has no graph")
	}
	for _, name := range sortedKeys(s.Input) {
		if !slices.ContainsFunc(m.graph.inputs, func(v *Value) bool { return v.name == name }) {
			return culprit(name, errorf(ErrNotFound, "the model has no graph input %q", name))
		}
	}
	for _, name := range sortedKeys(s.Output) {
		if !slices.ContainsFunc(m.graph.outputs, func(v *Value) bool { return v.name == name }) {
			return culprit(name, errorf(ErrNotFound, "the model has no graph output %q", name))
		}
	}
	return nil
}

// Apply runs SetDimsModel on m.
func (s *SetDimsStep) Apply(m *Model) (any, error) {
	if err := s.CheckNames(m); err != nil {
		return nil, err
	}
	d, err := s.dims()
	if err != nil {
		return nil, err
	}
	return SetDimsModel(m, d, &SetDimsOptions{KeepValueInfo: s.KeepValueInfo})
}

// SetBatchStep is the script form of SetBatch (command "set-batch").
type SetBatchStep struct {
	Batch         string   `json:"batch"` // a size ("8") or a name ("N")
	Inputs        []string `json:"inputs,omitempty"`
	Outputs       []string `json:"outputs,omitempty"`
	InputsOnly    bool     `json:"inputs-only,omitempty"`
	KeepValueInfo bool     `json:"keep-value-info,omitempty"`
}

// Op returns "set-batch".
func (*SetBatchStep) Op() string { return "set-batch" }

func (s *SetBatchStep) batch() (Dim, error) {
	d, err := ParseDims(s.Batch)
	if err != nil || len(d) != 1 {
		return Dim{}, errorf(ErrInvalid, "set-batch: batch %q is not one size or name", s.Batch)
	}
	return d[0], nil
}

// Validate checks the options without a model.
func (s *SetBatchStep) Validate() error {
	if err := need(s.Batch != "", "set-batch needs batch"); err != nil {
		return err
	}
	if err := need(!s.InputsOnly || len(s.Outputs) == 0, "set-batch: inputs-only and outputs exclude each other"); err != nil {
		return err
	}
	_, err := s.batch()
	return err
}

// Apply runs SetBatchModel on m.
func (s *SetBatchStep) Apply(m *Model) (any, error) {
	d, _ := s.batch()
	return SetBatchModel(m, d, &SetBatchOptions{Inputs: s.Inputs, Outputs: s.Outputs, InputsOnly: s.InputsOnly, KeepValueInfo: s.KeepValueInfo})
}

// RewireStep is the script form of Rewire (command "rewire"); Consumer is
// NODE, or NODE:INDEX for one input slot.
type RewireStep struct {
	From         string `json:"from"`
	To           string `json:"to"`
	Consumer     string `json:"consumer,omitempty"`
	GraphOutputs bool   `json:"graph-outputs,omitempty"`
	RelaxShapes  bool   `json:"relax-shapes,omitempty"`
	KeepDead     bool   `json:"keep-dead,omitempty"`
	AllowUntyped bool   `json:"allow-untyped,omitempty"`
}

// Op returns "rewire".
func (*RewireStep) Op() string { return "rewire" }

func (s *RewireStep) options() (*RewireOptions, error) {
	o := &RewireOptions{From: s.From, To: s.To, GraphOutputs: s.GraphOutputs, RelaxShapes: s.RelaxShapes, KeepDead: s.KeepDead, AllowUntyped: s.AllowUntyped}
	if s.Consumer != "" {
		node, idx, hasIdx := strings.Cut(s.Consumer, ":")
		o.Consumer = node
		if hasIdx {
			i, err := strconv.Atoi(idx)
			if err != nil || i < 0 {
				return nil, errorf(ErrInvalid, "rewire: consumer %q: the index is not a number", s.Consumer)
			}
			o.Slots = []int{i}
		}
	}
	return o, nil
}

// Validate checks the options without a model.
func (s *RewireStep) Validate() error {
	if err := need(s.From != "" && s.To != "", "rewire needs from and to"); err != nil {
		return err
	}
	_, err := s.options()
	return err
}

// Apply runs RewireModel on m.
func (s *RewireStep) Apply(m *Model) (any, error) {
	o, err := s.options()
	if err != nil {
		return nil, err
	}
	return RewireModel(m, o)
}

// PruneStep is the script form of Prune (command "prune"); Sort also
// sorts the nodes topologically afterwards.
type PruneStep struct {
	Inputs bool `json:"inputs,omitempty"`
	Sort   bool `json:"sort,omitempty"`
}

// Op returns "prune".
func (*PruneStep) Op() string { return "prune" }

// Validate checks the options without a model.
func (s *PruneStep) Validate() error { return nil }

// Apply runs PruneModel (and TopoSortModel with Sort) on m.
func (s *PruneStep) Apply(m *Model) (any, error) {
	if !s.Sort {
		return PruneModel(m, &PruneOptions{Inputs: s.Inputs})
	}
	var r *PruneReport
	err := m.Atomic(func(m *Model) error {
		var err error
		if r, err = PruneModel(m, &PruneOptions{Inputs: s.Inputs}); err != nil {
			return err
		}
		return TopoSortModel(m)
	})
	return r, err
}

// NameNodesStep is the script form of NameNodes (command "name-nodes").
type NameNodesStep struct {
	Prefix        string `json:"prefix,omitempty"`
	SkipFunctions bool   `json:"skip-functions,omitempty"`
}

// Op returns "name-nodes".
func (*NameNodesStep) Op() string { return "name-nodes" }

// Validate checks the options without a model.
func (s *NameNodesStep) Validate() error { return nil }

// Apply runs NameNodesModel on m.
func (s *NameNodesStep) Apply(m *Model) (any, error) {
	return NameNodesModel(m, &NameNodesOptions{Prefix: s.Prefix, SkipFunctions: s.SkipFunctions})
}

// StripDocsStep is the script form of StripDocs (command "strip-docs");
// Only is a comma list of model, graphs, nodes, values, all (the default).
type StripDocsStep struct {
	Only string `json:"only,omitempty"`
}

// Op returns "strip-docs".
func (*StripDocsStep) Op() string { return "strip-docs" }

func (s *StripDocsStep) kinds() (DocKind, error) {
	if s.Only == "" {
		return DocAll, nil
	}
	return ParseDocKinds(s.Only)
}

// Validate checks the options without a model.
func (s *StripDocsStep) Validate() error { _, err := s.kinds(); return err }

// Apply runs StripDocsModel on m.
func (s *StripDocsStep) Apply(m *Model) (any, error) {
	k, _ := s.kinds()
	return StripDocsModel(m, &StripDocsOptions{Kinds: k})
}

// SetOpsetStep is the script form of SetOpset (command "set-opset").
type SetOpsetStep struct {
	Opset   int64  `json:"opset"`
	Domain  string `json:"domain,omitempty"`
	Convert bool   `json:"convert,omitempty"`
}

// Op returns "set-opset".
func (*SetOpsetStep) Op() string { return "set-opset" }

// Validate checks the options without a model.
func (s *SetOpsetStep) Validate() error { return need(s.Opset > 0, "set-opset needs opset") }

// Apply runs SetOpsetModel on m.
func (s *SetOpsetStep) Apply(m *Model) (any, error) {
	return SetOpsetModel(m, s.Domain, s.Opset, &SetOpsetOptions{Convert: s.Convert})
}

// InsertNodeStep is the script form of InsertNode (command
// "insert-node"); attributes and constants are text, typed by the
// operator's schema at the model's opset (ParseAttr, ParseConst).
type InsertNodeStep struct {
	Operator     string            `json:"operator"`
	Domain       string            `json:"domain,omitempty"`
	Name         string            `json:"name,omitempty"`
	Src          string            `json:"src"`
	Consumers    []string          `json:"consumers,omitempty"`
	SrcInput     string            `json:"src-input,omitempty"`
	GraphOutputs bool              `json:"graph-outputs,omitempty"`
	Attr         map[string]string `json:"attr,omitempty"`
	Const        map[string]string `json:"const,omitempty"`
	Outputs      int               `json:"outputs,omitempty"`
}

// UnmarshalJSON reads the step, taking numbers and lists as text.
func (s *InsertNodeStep) UnmarshalJSON(b []byte) error {
	type plain InsertNodeStep
	var aux struct {
		plain
		Attr  map[string]argText `json:"attr"`
		Const map[string]argText `json:"const"`
	}
	if err := strictJSON(b, &aux); err != nil {
		return err
	}
	*s = InsertNodeStep(aux.plain)
	s.Attr, s.Const = textMap(aux.Attr), textMap(aux.Const)
	return nil
}

// Op returns "insert-node".
func (*InsertNodeStep) Op() string { return "insert-node" }

// Validate checks the options without a model.
func (s *InsertNodeStep) Validate() error {
	if err := need(s.Operator != "", "insert-node needs operator"); err != nil {
		return err
	}
	return need(s.Src != "", "insert-node needs src")
}

// Apply runs InsertNodeModel on m.
func (s *InsertNodeStep) Apply(m *Model) (any, error) {
	o := &InsertNodeOptions{Op: s.Operator, Domain: s.Domain, Name: s.Name, Src: s.Src, Consumers: s.Consumers,
		SrcInput: s.SrcInput, GraphOutputs: s.GraphOutputs, Outputs: s.Outputs}
	var schema *opschema.Schema
	if v, ok := m.Opset(s.Domain); ok {
		schema, _ = opschema.Lookup(s.Domain, s.Operator, int(v))
	}
	for _, k := range sortedKeys(s.Attr) {
		typ := opschema.AttrUndefined
		if schema != nil {
			if a, ok := schema.Attribute(k); ok {
				typ = a.Type
			}
		}
		a, err := ParseAttr(k, typ, s.Attr[k])
		if err != nil {
			return nil, culprit(k, err)
		}
		o.Attrs = append(o.Attrs, a)
	}
	for k, text := range s.Const {
		c, err := ParseConst(text)
		if err != nil {
			return nil, culprit(k, err)
		}
		if o.Consts == nil {
			o.Consts = map[string]any{}
		}
		o.Consts[k] = c
	}
	return InsertNodeModel(m, o)
}

// SortStep is the script form of TopoSort (command "sort").
type SortStep struct{}

// Op returns "sort".
func (*SortStep) Op() string { return "sort" }

// Validate checks the options without a model.
func (*SortStep) Validate() error { return nil }

// Apply runs TopoSortModel on m.
func (*SortStep) Apply(m *Model) (any, error) { return nil, TopoSortModel(m) }

// LayoutStep is the script form of SetLayout (command "layout"): layouts
// as the command takes them ("x=NHWC", "x=NCHW:NHWC") and the values whose
// colour channels to reverse.
type LayoutStep struct {
	Inputs       []string `json:"input,omitempty"`
	Outputs      []string `json:"output,omitempty"`
	RGBBGR       []string `json:"rgb-bgr,omitempty"`
	RGBBGROutput []string `json:"rgb-bgr-output,omitempty"`
	SplitConcat  bool     `json:"split-concat,omitempty"`
}

// Op returns "layout".
func (*LayoutStep) Op() string { return "layout" }

// Validate checks the options without a model.
func (s *LayoutStep) Validate() error {
	_, err := s.options()
	return err
}

func (s *LayoutStep) options() (*LayoutOptions, error) {
	o := &LayoutOptions{}
	if s.SplitConcat {
		o.Swap = SwapSplitConcat
	}
	var err error
	if o.Inputs, err = ParseLayoutChanges(s.Inputs, s.RGBBGR); err != nil {
		return nil, err
	}
	if o.Outputs, err = ParseLayoutChanges(s.Outputs, s.RGBBGROutput); err != nil {
		return nil, err
	}
	if len(o.Inputs)+len(o.Outputs) == 0 {
		return nil, errorf(ErrInvalid, "layout needs input, output, rgb-bgr or rgb-bgr-output")
	}
	return o, nil
}

// Apply runs SetLayoutModel on m.
func (s *LayoutStep) Apply(m *Model) (any, error) {
	o, err := s.options()
	if err != nil {
		return nil, err
	}
	return SetLayoutModel(m, o)
}

// ShrinkStep is the script form of Shrink (command "shrink", modes dedupe
// and external: what changes the model; where the data goes is the save's
// business).
type ShrinkStep struct {
	NoDedupe        bool `json:"no-dedupe,omitempty"`
	Downcast        bool `json:"downcast,omitempty"`
	CastWhereNeeded bool `json:"cast-where-needed,omitempty"`
}

// Op returns "shrink".
func (*ShrinkStep) Op() string { return "shrink" }

// Validate checks the options without a model.
func (*ShrinkStep) Validate() error { return nil }

// Apply runs ShrinkModel on m.
func (s *ShrinkStep) Apply(m *Model) (any, error) {
	return ShrinkModel(m, &ShrinkOptions{NoDedupe: s.NoDedupe, Downcast: s.Downcast, CastWhereNeeded: s.CastWhereNeeded})
}
