package schemagen

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

func TestParseDefault(t *testing.T) {
	tests := []struct {
		typ  string
		raw  string
		want Default // Raw and Kind are filled in by the test
	}{
		{"int", "0", Default{Int: 0}},
		{"int", "-2", Default{Int: -2}},
		{"int", "64", Default{Int: 64}},
		{"int", "(1)", Default{Int: 1}},
		{"float", "1.0", Default{Float: 1}},
		{"float", "1e-05", Default{Float: 1e-05}},
		{"float", "0.0001", Default{Float: 0.0001}},
		{"float", "(3.402823e+38)", Default{Float: 3.402823e+38}},
		{"float", "(-3.402823e+38)", Default{Float: -3.402823e+38}},
		{"float", "-0.75", Default{Float: -0.75}},
		{"float", "2", Default{Float: 2}},
		{"string", "NOTSET", Default{String: "NOTSET"}},
		{"string", "'NOTSET'", Default{String: "NOTSET"}},
		{"string", `"half_pixel"`, Default{String: "half_pixel"}},
		{"string", "''", Default{String: ""}},
		{"string", "_Unused", Default{String: "_Unused"}},
		{"list of ints", "[]", Default{Ints: []int64{}}},
		{"list of ints", "['0', '2', '3']", Default{Ints: []int64{0, 2, 3}}},
		{"list of ints", "[1, -1]", Default{Ints: []int64{1, -1}}},
		{"list of floats", "[0.5, '1.0']", Default{Floats: []float32{0.5, 1}}},
		{"list of floats", "[ ]", Default{Floats: []float32{}}},
		{"list of strings", "['Tanh', 'Tanh']", Default{Strings: []string{"Tanh", "Tanh"}}},
		{"list of strings", `['a, b', "c'd", 'e\'f']`, Default{Strings: []string{"a, b", "c'd", "e'f"}}},
		{"list of strings", "[Sigmoid]", Default{Strings: []string{"Sigmoid"}}},
		{"tensor", "anything", Default{}},
		{"list of graphs", "[]", Default{}},
		{"type_proto", "x", Default{}},
	}
	for _, tt := range tests {
		k, err := lookupAttrType(tt.typ)
		if err != nil {
			t.Fatal(err)
		}
		got, err := parseDefault(k.value, tt.raw)
		if err != nil {
			t.Errorf("parseDefault(%s, %q): %v", tt.typ, tt.raw, err)
			continue
		}
		want := tt.want
		want.Raw, want.Kind = tt.raw, k.value
		if !reflect.DeepEqual(*got, want) {
			t.Errorf("parseDefault(%s, %q) = %+v, want %+v", tt.typ, tt.raw, *got, want)
		}
	}
}

func TestParseDefaultNegativeZero(t *testing.T) {
	d, err := parseDefault(kindFloat, "-0.0")
	if err != nil || d.Float != 0 || !math.Signbit(float64(d.Float)) {
		t.Errorf("parseDefault(float, -0.0) = %+v, %v; want -0", d, err)
	}
}

func TestParseDefaultErrors(t *testing.T) {
	tests := []struct{ typ, raw string }{
		{"int", ""},
		{"int", "1.0"},
		{"int", "one"},
		{"int", "99999999999999999999"},
		{"int", "'1'"},
		{"float", ""},
		{"float", "abc"},
		{"float", "1e39"}, // overflows float32
		{"float", "0x1p-2"},
		{"float", "1_0"},
		{"string", "'unterminated"},
		{"string", "'a' b"},
		{"list of ints", "0, 2"},
		{"list of ints", "[0, x]"},
		{"list of ints", "[0,, 1]"},
		{"list of ints", "[0, 1,]"},
		{"list of ints", "['0' '1']"},
		{"list of floats", "[1.0, nope]"},
		{"list of strings", "['a]"},
	}
	for _, tt := range tests {
		k, err := lookupAttrType(tt.typ)
		if err != nil {
			t.Fatal(err)
		}
		if d, err := parseDefault(k.value, tt.raw); err == nil {
			t.Errorf("parseDefault(%s, %q) = %+v, want error", tt.typ, tt.raw, d)
		} else if !strings.HasPrefix(err.Error(), "opschema: ") {
			t.Errorf("error %q lacks the opschema: prefix", err)
		}
	}
}

func TestLookupAttrType(t *testing.T) {
	for spec, want := range map[string]string{
		"float": "AttrFloat", "int": "AttrInt", "string": "AttrString",
		"tensor": "AttrTensor", "graph": "AttrGraph",
		"list of floats": "AttrFloats", "list of ints": "AttrInts", "list of strings": "AttrStrings",
		"list of tensors": "AttrTensors", "list of graphs": "AttrGraphs",
		"sparse_tensor": "AttrSparseTensor", "list of sparse_tensors": "AttrSparseTensors",
		"type_proto": "AttrTypeProto", "list of type_protos": "AttrTypeProtos",
	} {
		k, err := lookupAttrType(spec)
		if err != nil || k.ident != want {
			t.Errorf("lookupAttrType(%q) = %q, %v; want %s", spec, k.ident, err, want)
		}
	}
	for _, spec := range []string{"", "ints", "list of int", "list of float", "bool", "INT", "list of  ints"} {
		if _, err := lookupAttrType(spec); err == nil {
			t.Errorf("lookupAttrType(%q) succeeded, want error", spec)
		}
	}
}

// minimal returns a valid one-operator schema file to be altered by tests.
func minimal() *File {
	one := 1
	def := "1.0"
	return &File{Schemas: []Schema{{
		Domain: "ai.onnx", Name: "Op", SinceVersion: 1,
		Attributes: []Attribute{{Name: "alpha", Type: "float", Default: &def}},
		Inputs:     []Formal{{Name: "X", Type: "T", Option: "single"}},
		Outputs:    []Formal{{Name: "Y", Type: "tensor(float)", Option: "single"}},
		MinInput:   1, MaxInput: &one, MinOutput: 1, MaxOutput: &one,
		TypeConstraints: []TypeConstraint{{Name: "T", Allowed: []string{"tensor(float)"}}},
	}}}
}

func TestEmitErrors(t *testing.T) {
	bad := func(s string) *string { return &s }
	two := 2
	tests := []struct {
		name   string
		change func(f *File)
		errSub string
	}{
		{"bad float default", func(f *File) { f.Schemas[0].Attributes[0].Default = bad("fast") }, `"fast"`},
		{"bad int default", func(f *File) {
			f.Schemas[0].Attributes[0].Type = "int"
			f.Schemas[0].Attributes[0].Default = bad("1.5")
		}, `"1.5"`},
		{"unknown attr type", func(f *File) { f.Schemas[0].Attributes[0].Type = "complex" }, "complex"},
		{"repeated attr", func(f *File) {
			f.Schemas[0].Attributes = append(f.Schemas[0].Attributes, f.Schemas[0].Attributes[0])
		}, "repeated"},
		{"duplicate version", func(f *File) { f.Schemas = append(f.Schemas, f.Schemas[0]) }, "twice"},
		{"empty domain", func(f *File) { f.Schemas[0].Domain = "" }, "domain"},
		{"since 0", func(f *File) { f.Schemas[0].SinceVersion = 0 }, "since_version"},
		{"unknown option", func(f *File) { f.Schemas[0].Inputs[0].Option = "many" }, "many"},
		{"variadic not last", func(f *File) {
			s := &f.Schemas[0]
			s.Inputs = []Formal{{Name: "A", Type: "T", Option: "variadic"}, {Name: "B", Type: "T", Option: "single"}}
			s.MaxInput = nil
		}, "not the last"},
		{"variadic bounded", func(f *File) { f.Schemas[0].Inputs[0].Option = "variadic" }, "variadic"},
		{"unbounded fixed", func(f *File) { f.Schemas[0].MaxOutput = nil }, "unbounded"},
		{"max mismatch", func(f *File) { f.Schemas[0].MaxInput = &two }, "max input"},
		{"undeclared constraint", func(f *File) { f.Schemas[0].Inputs[0].Type = "U" }, `"U"`},
		{"empty constraint", func(f *File) { f.Schemas[0].TypeConstraints[0].Allowed = nil }, "allows no type"},
		{"no schemas", func(f *File) { f.Schemas = nil }, "no operators"},
	}
	if _, err := Emit("x.json", minimal()); err != nil {
		t.Fatalf("minimal file: %v", err)
	}
	for _, tt := range tests {
		f := minimal()
		tt.change(f)
		_, err := Emit("x.json", f)
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		if !strings.Contains(err.Error(), tt.errSub) || !strings.HasPrefix(err.Error(), "opschema: ") {
			t.Errorf("%s: error %q, want it to mention %q", tt.name, err, tt.errSub)
		}
	}
}

func TestDecodeRejectsUnknownFields(t *testing.T) {
	for _, in := range []string{
		`{"schemas": [], "extra": 1}`,
		`{"schemas": [{"domain": "ai.onnx", "colour": "red"}]}`,
		`{"schemas": []} {}`,
		`[`,
	} {
		if _, err := Decode(strings.NewReader(in)); err == nil {
			t.Errorf("Decode(%s) succeeded, want error", in)
		}
	}
}

func TestEmitSpecialFloats(t *testing.T) {
	f := minimal()
	neg := "-0.0"
	f.Schemas[0].Attributes[0].Default = &neg
	src, err := Emit("x.json", f)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`import "math"`, "math.Float32frombits(0x80000000)"} {
		if !bytes.Contains(src, []byte(want)) {
			t.Errorf("output lacks %s:\n%s", want, src)
		}
	}
	if src, _ := Emit("x.json", minimal()); bytes.Contains(src, []byte(`"math"`)) {
		t.Errorf("math imported without need:\n%s", src)
	}
}

// dataFiles are the repository's data files, as gen.go names them.
var dataFiles = []string{"../spec/onnx-schemas.json", "../spec/contrib-schemas.json"}

func readInputs(t *testing.T) []Input {
	t.Helper()
	var ins []Input
	for _, p := range dataFiles {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("reading the schema data file: %v", err)
		}
		ins = append(ins, Input{Name: filepath.Base(p), Data: data})
	}
	return ins
}

// TestDeterministic checks that the output does not depend on the order of
// the schemas in the input, nor on the order of the files.
func TestDeterministic(t *testing.T) {
	ins := readInputs(t)
	want, err := Generate(ins...)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(want, []byte("// Code generated by ")) || !bytes.Contains(want[:200], []byte("DO NOT EDIT.\n")) {
		t.Errorf("output lacks the generated-code header:\n%s", want[:200])
	}
	var files []*File
	for _, in := range ins {
		f, err := Decode(bytes.NewReader(in.Data))
		if err != nil {
			t.Fatal(err)
		}
		for i, j := 0, len(f.Schemas)-1; i < j; i, j = i+1, j-1 {
			f.Schemas[i], f.Schemas[j] = f.Schemas[j], f.Schemas[i]
		}
		files = append(files, f)
	}
	source := ins[0].Name + ", " + ins[1].Name
	got, err := Emit(source, files...)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("output depends on input order")
	}
	// The schemas do not depend on the order of the files either (the
	// header names them, and lists their sources, in the order given).
	swapped, err := Emit(source, files[1], files[0])
	if err != nil {
		t.Fatal(err)
	}
	if body := func(b []byte) []byte { return b[bytes.Index(b, []byte("var table")):] }; !bytes.Equal(body(swapped), body(want)) {
		t.Error("table depends on the order of the files")
	}
	// Re-encoding the decoded files must not change the output either.
	var re []Input
	for i, f := range files {
		data, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		re = append(re, Input{Name: ins[i].Name, Data: data})
	}
	if got, err := Generate(re...); err != nil || !bytes.Equal(got, want) {
		t.Errorf("re-encoded input gives different output (err %v)", err)
	}
}

// TestExtensionFiles checks that the schemas of a file marked as an
// extension are marked in the table, and that an operator version listed
// in two files is refused.
func TestExtensionFiles(t *testing.T) {
	std, ext := minimal(), minimal()
	ext.Extension = true
	ext.Schemas[0].Domain = "com.example"
	src, err := Emit("a.json, b.json", std, ext)
	if err != nil {
		t.Fatal(err)
	}
	mark := regexp.MustCompile(`Extension: +true,`)
	if n := len(mark.FindAll(src, -1)); n != 1 {
		t.Errorf("%d schemas marked as extensions, want 1:\n%s", n, src)
	}
	i := bytes.Index(src, []byte(`"com.example"`))
	if j := mark.FindIndex(src); i < 0 || j == nil || j[0] < i {
		t.Errorf("the extension mark is not on com.example's schema:\n%s", src)
	}
	if _, err := Emit("a.json, b.json", minimal(), minimal()); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("a version in two files: err %v, want it listed twice", err)
	}
	bad := Input{Name: "bad.json", Data: []byte(`{"schemas": [], "extra": 1}`)}
	if _, err := Generate(Input{Name: "ok.json", Data: []byte(`{"schemas": []}`)}, bad); err == nil || !strings.Contains(err.Error(), "bad.json") {
		t.Errorf("a broken file: err %v, want it named", err)
	}
}
