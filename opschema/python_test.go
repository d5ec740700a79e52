package opschema_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph/internal/suitetest"

	"github.com/onnxgraph/onnxgraph/opschema"
)

// pySchema is one operator version as python onnx's compiled schemas have
// it.
type pySchema struct {
	Domain       string     `json:"domain"`
	Name         string     `json:"name"`
	SinceVersion int        `json:"since_version"`
	Deprecated   bool       `json:"deprecated"`
	MinInput     int        `json:"min_input"`
	MaxInput     int64      `json:"max_input"`
	MinOutput    int        `json:"min_output"`
	MaxOutput    int64      `json:"max_output"`
	Attributes   []pyAttr   `json:"attributes"`
	Constraints  []pyTC     `json:"type_constraints"`
	Inputs       []pyFormal `json:"inputs"`
	Outputs      []pyFormal `json:"outputs"`
}

type pyFormal struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	Option int    `json:"option"` // 0 single, 1 optional, 2 variadic
}

type pyAttr struct {
	Name     string `json:"name"`
	Type     int    `json:"type"`
	Required bool   `json:"required"`
}

type pyTC struct {
	Name    string   `json:"name"`
	Allowed []string `json:"allowed"`
}

const dumpSchemas = `
import json, sys, onnx.defs
out = []
for s in onnx.defs.get_all_schemas_with_history():
    if s.since_version > 17:
        continue
    out.append({
        "domain": s.domain, "name": s.name, "since_version": s.since_version,
        "deprecated": bool(s.deprecated),
        "min_input": s.min_input, "max_input": s.max_input,
        "min_output": s.min_output, "max_output": s.max_output,
        "attributes": [{"name": n, "type": int(a.type), "required": bool(a.required)} for n, a in s.attributes.items()],
        "type_constraints": [{"name": t.type_param_str, "allowed": list(t.allowed_type_strs)} for t in s.type_constraints],
        "inputs": [{"name": f.name, "type": f.typeStr, "option": int(f.option.value)} for f in s.inputs],
        "outputs": [{"name": f.name, "type": f.typeStr, "option": int(f.option.value)} for f in s.outputs],
    })
json.dump(out, sys.stdout)
`

// knownDifferences are the differences between the schema table (from the
// operator changelogs) and the schemas compiled into python onnx 1.12, all
// where later ONNX releases corrected their documentation.
var knownDifferences = []string{
	"ai.onnx Erf-13: type constraint T: allowed types differ",
	"ai.onnx GRU-1: min outputs 1, python 2",
	"ai.onnx GridSample-16: input grid of type T2, python T1",
	"ai.onnx GridSample-16: output Y of type T1, python T2",
}

// TestPythonSchemas cross-checks arity, attributes (names, types, required
// flags), deprecation and type constraints of every operator version of
// opsets <= 17 against python onnx's compiled schemas, when /usr/bin/python3
// has onnx. Only knownDifferences may differ.
func TestPythonSchemas(t *testing.T) {
	py := suitetest.Python("onnx")
	if py == "" {
		t.Skip("no python imports onnx")
	}
	script := filepath.Join(t.TempDir(), "dump.py")
	if err := os.WriteFile(script, []byte(dumpSchemas), 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd := exec.Command(py, script)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, stderr.String())
	}
	var schemas []pySchema
	if err := json.Unmarshal(out, &schemas); err != nil {
		t.Fatal(err)
	}

	type key struct {
		domain, name string
		since        int
	}
	pyMax := map[string]int{} // newest version python has, per domain
	seen := map[key]bool{}
	var diffs []string
	diff := func(s *pySchema, format string, args ...any) {
		diffs = append(diffs, fmt.Sprintf("%s %s-%d: ", opschema.NormalizeDomain(s.Domain), s.Name, s.SinceVersion)+fmt.Sprintf(format, args...))
	}
	for i := range schemas {
		p := &schemas[i]
		d := opschema.NormalizeDomain(p.Domain)
		pyMax[d] = max(pyMax[d], p.SinceVersion)
		seen[key{d, p.Name, p.SinceVersion}] = true
		s, ok := opschema.Lookup(d, p.Name, p.SinceVersion)
		if !ok || s.SinceVersion != p.SinceVersion {
			diff(p, "missing from the table")
			continue
		}
		if s.Deprecated != p.Deprecated {
			diff(p, "deprecated %v, python %v", s.Deprecated, p.Deprecated)
		}
		if s.MinInputs != p.MinInput {
			diff(p, "min inputs %d, python %d", s.MinInputs, p.MinInput)
		}
		if maxOf(s.MaxInputs) != p.MaxInput {
			diff(p, "max inputs %d, python %d", s.MaxInputs, p.MaxInput)
		}
		if s.MinOutputs != p.MinOutput {
			diff(p, "min outputs %d, python %d", s.MinOutputs, p.MinOutput)
		}
		if maxOf(s.MaxOutputs) != p.MaxOutput {
			diff(p, "max outputs %d, python %d", s.MaxOutputs, p.MaxOutput)
		}
		pyAttrs := map[string]pyAttr{}
		for _, a := range p.Attributes {
			pyAttrs[a.Name] = a
			sa, ok := s.Attribute(a.Name)
			switch {
			case !ok:
				diff(p, "attribute %s missing from the table", a.Name)
			case int(sa.Type) != a.Type:
				diff(p, "attribute %s of type %v, python %v", a.Name, sa.Type, opschema.AttrType(a.Type))
			case sa.Required != a.Required:
				diff(p, "attribute %s required %v, python %v", a.Name, sa.Required, a.Required)
			}
		}
		for _, a := range s.Attributes {
			if _, ok := pyAttrs[a.Name]; !ok {
				diff(p, "attribute %s not in python", a.Name)
			}
		}
		compareFormals(p, "input", s.Inputs, p.Inputs, diff)
		compareFormals(p, "output", s.Outputs, p.Outputs, diff)
		pyTCs := map[string]bool{}
		for _, tc := range p.Constraints {
			pyTCs[tc.Name] = true
			st, ok := s.TypeConstraint(tc.Name)
			if !ok {
				diff(p, "type constraint %s missing from the table", tc.Name)
				continue
			}
			if !sameTypes(st.Allowed, tc.Allowed) {
				diff(p, "type constraint %s: allowed types differ", tc.Name)
				t.Logf("%s-%d %s: table %v, python %v", p.Name, p.SinceVersion, tc.Name, st.Allowed, tc.Allowed)
			}
		}
		for _, tc := range s.TypeConstraints {
			if !pyTCs[tc.Name] {
				diff(p, "type constraint %s not in python", tc.Name)
			}
		}
	}
	// Operator versions of the table that python should have but lacks.
	for _, s := range opschema.All() {
		if m, ok := pyMax[s.Domain]; !ok || s.SinceVersion > min(m, 17) || s.Extension {
			continue
		}
		if !seen[key{s.Domain, s.Name, s.SinceVersion}] {
			diffs = append(diffs, fmt.Sprintf("%s %s-%d: not in python", s.Domain, s.Name, s.SinceVersion))
		}
	}
	slices.Sort(diffs)
	if !slices.Equal(diffs, knownDifferences) {
		t.Errorf("differences from python onnx:\n%s\nwant:\n%s", strings.Join(diffs, "\n"), strings.Join(knownDifferences, "\n"))
	}
	t.Logf("%d operator versions compared, %d known differences", len(schemas), len(diffs))
}

// compareFormals compares formal parameters: names, types and options.
// Deprecated versions are skipped: the table copies their formals from the
// previous version, python leaves them empty.
func compareFormals(p *pySchema, kind string, ours []opschema.Formal, theirs []pyFormal, diff func(*pySchema, string, ...any)) {
	if p.Deprecated {
		return
	}
	if len(ours) != len(theirs) {
		diff(p, "%d %ss, python %d", len(ours), kind, len(theirs))
		return
	}
	for i, f := range theirs {
		o := ours[i]
		switch {
		case o.Name != f.Name:
			diff(p, "%s %d named %s, python %s", kind, i, o.Name, f.Name)
		case o.Type != f.Type:
			diff(p, "%s %s of type %s, python %s", kind, o.Name, o.Type, f.Type)
		case int(o.Option) != f.Option:
			diff(p, "%s %s is %v, python option %d", kind, o.Name, o.Option, f.Option)
		}
	}
}

// maxOf converts Unbounded to python's int32 maximum.
func maxOf(n int) int64 {
	if n == opschema.Unbounded {
		return math.MaxInt32
	}
	return int64(n)
}

// sameTypes compares two lists of type strings as sets, ignoring spaces
// and the two ways of writing map values ("map(int64, float)" and
// "map(int64,tensor(float))").
func sameTypes(a, b []string) bool {
	norm := func(l []string) []string {
		out := make([]string, len(l))
		for i, s := range l {
			s = strings.ReplaceAll(s, " ", "")
			if strings.Contains(s, "map(") {
				s = strings.NewReplacer(",tensor(", ",", "))", ")").Replace(s)
			}
			out[i] = s
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	return slices.Equal(norm(a), norm(b))
}
