package eval

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph/opschema"
)

// schemaOf returns the schema of a table key.
func schemaOf(k key) *opschema.Schema {
	for _, s := range opschema.Versions(k.domain, k.op) {
		if s.SinceVersion == k.since {
			return s
		}
	}
	return nil
}

// tensorTypeName is dt as ONNX type strings write it: "tensor(float)".
func tensorTypeName(dt DataType) string {
	return "tensor(" + strings.ToLower(dt.String()) + ")"
}

// typeGaps are the element types that schemas allow for an operator's
// first input and its kernel does not take; each is an ErrNotImplemented
// at run time.
var typeGaps = map[string][]string{
	// Sampling interpolates numbers only.
	"GridSample-16": {"bool", "string", "complex64", "complex128"},
	"GridSample-20": {"bool", "string", "complex64", "complex128"},
	"GridSample-22": {"bool", "string", "complex64", "complex128"},
	// Col2Im sums numbers only.
	"Col2Im-18": {"bool", "string", "complex64", "complex128"},
	// Matrix products of float 8 operands are not implemented.
	"QLinearMatMul-21": {"float8e4m3fn", "float8e4m3fnuz", "float8e5m2", "float8e5m2fnuz"},
}

// TestTable checks every kernel against package opschema: the operator
// version exists and is not deprecated, the kernel reads exactly the
// attributes the schema declares, it declares only element types the
// schema's first input allows (or, for kernels of several versions, that a
// version allows), and it covers every tensor type the schema allows for
// the first input unless typeGaps lists it.
func TestTable(t *testing.T) {
	keys := make([]key, 0, len(table))
	for k := range table {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j]) })
	for _, k := range keys {
		e := table[k]
		name := fmt.Sprintf("%s-%d", k.op, k.since)
		s := schemaOf(k)
		if s == nil {
			t.Errorf("%s: no such operator version", name)
			continue
		}
		if s.Deprecated {
			t.Errorf("%s: deprecated", name)
		}
		if (e.fn == nil) == (e.vfn == nil) {
			t.Errorf("%s: needs exactly one kernel", name)
		}
		var want []string
		for _, a := range s.Attributes {
			want = append(want, a.Name)
		}
		got := append([]string{}, e.attrs...)
		sort.Strings(want)
		sort.Strings(got)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: kernel attributes %v, schema %v", name, got, want)
		}
		if len(s.Inputs) == 0 {
			if e.types != nil {
				t.Errorf("%s: declares types of an input it does not have", name)
			}
			continue
		}
		allowed := map[string]bool{}
		for _, ty := range s.AllowedTypes(&s.Inputs[0]) {
			allowed[ty] = true
		}
		for _, dt := range e.types {
			if makeData(dt, 0) == nil {
				t.Errorf("%s: declares %v, which the evaluator does not hold", name, dt)
			}
		}
		gaps := map[string]bool{}
		for _, g := range typeGaps[name] {
			gaps["tensor("+g+")"] = true
		}
		declared := map[string]bool{}
		for _, dt := range e.types {
			declared[tensorTypeName(dt)] = true
		}
		for ty := range allowed {
			if strings.HasPrefix(ty, "tensor(") && !declared[ty] && !gaps[ty] && e.types != nil {
				t.Errorf("%s: schema allows %s for input 0, the kernel does not declare it", name, ty)
			}
			if gaps[ty] && declared[ty] {
				t.Errorf("%s: %s is listed as a gap but declared", name, ty)
			}
		}
		if e.types == nil && s.Inputs[0].Option == opschema.Single && hasTensorTypes(allowed) && !takesValues(e) {
			t.Errorf("%s: tensor kernel declares no types for its first input", name)
		}
	}
}

func hasTensorTypes(allowed map[string]bool) bool {
	for ty := range allowed {
		if strings.HasPrefix(ty, "tensor(") {
			return true
		}
	}
	return false
}

func takesValues(e entry) bool { return e.vfn != nil }

// TestTableCoverage reports how many operator versions of ai.onnx have a
// kernel.
func TestTableCoverage(t *testing.T) {
	total, have := 0, 0
	var missing []string
	for _, op := range opschema.Ops(opschema.DomainONNX) {
		for _, s := range opschema.Versions(opschema.DomainONNX, op) {
			if s.Deprecated {
				continue
			}
			total++
			if _, ok := table[key{s.Domain, s.Name, s.SinceVersion}]; ok {
				have++
			} else {
				missing = append(missing, fmt.Sprintf("%s-%d", s.Name, s.SinceVersion))
			}
		}
	}
	t.Logf("%d of %d ai.onnx operator versions have a kernel; without: %s", have, total, strings.Join(missing, " "))
}
