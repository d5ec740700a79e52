package tflite

import (
	"sort"
	"testing"

	"github.com/onnxgraph/onnxgraph/opschema"
)

// TestTable checks the converter table against the operator schemas:
// every entry is a real operator version, and an operator listed from
// some version on is listed at every later version.
func TestTable(t *testing.T) {
	first := map[string]int{}
	for k := range table {
		found := false
		for _, s := range opschema.Versions(k.domain, k.op) {
			if s.SinceVersion == k.since {
				found = true
			}
		}
		if !found {
			t.Errorf("table entry %s %s-%d is not an operator version", k.domain, k.op, k.since)
		}
		if f, ok := first[k.op]; !ok || k.since < f {
			first[k.op] = k.since
		}
	}
	var ops []string
	for op, since := range first {
		ops = append(ops, op)
		for _, s := range opschema.Versions("ai.onnx", op) {
			if s.SinceVersion >= since {
				if _, ok := table[key{"ai.onnx", op, s.SinceVersion}]; !ok {
					t.Errorf("%s-%d is missing (the table has %s from %d)", op, s.SinceVersion, op, since)
				}
			}
		}
	}
	sort.Strings(ops)
	t.Logf("%d operators, %d versions: %v", len(ops), len(table), ops)
}

func TestSupported(t *testing.T) {
	cases := []struct {
		op    string
		opset int
		want  bool
	}{
		{"Conv", 13, true},
		{"Constant", 13, true},
		{"Add", 6, false}, // legacy broadcast attributes
		{"Add", 14, true},
		{"NonMaxSuppression", 13, false},
		{"Gelu", 20, true},
		{"Gelu", 18, false},
	}
	for _, c := range cases {
		if got := Supported("", c.op, c.opset); got != c.want {
			t.Errorf("Supported(%s, %d) = %v, want %v", c.op, c.opset, got, c.want)
		}
	}
}
