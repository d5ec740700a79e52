package simplify

import (
	"sort"
	"testing"

	"github.com/onnxgraph/onnxgraph/opschema"
)

// TestTable checks the rule table against package opschema: every entry
// is an operator version that exists and is not deprecated, every rule
// belongs to a rule pass, and an operator with rules has them for every
// version from its first listed one to the newest, so that a new version
// (which may change what the operator means) is reviewed before its
// nodes are rewritten.
func TestTable(t *testing.T) {
	first := map[[2]string]int{}
	for k, rs := range table {
		var s *opschema.Schema
		for _, v := range opschema.Versions(k.domain, k.op) {
			if v.SinceVersion == k.since {
				s = v
			}
		}
		switch {
		case s == nil:
			t.Errorf("%v: no such operator version", k)
			continue
		case s.Deprecated:
			t.Errorf("%v: deprecated", k)
		}
		for _, r := range rs {
			if !isRulePass(r.pass) {
				t.Errorf("%v: a rule of pass %q, which runs no rules", k, r.pass)
			}
		}
		op := [2]string{k.domain, k.op}
		if f, ok := first[op]; !ok || k.since < f {
			first[op] = k.since
		}
	}
	ops := make([][2]string, 0, len(first))
	for op := range first {
		ops = append(ops, op)
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i][1] < ops[j][1] })
	covered := 0
	for _, op := range ops {
		for _, v := range opschema.Versions(op[0], op[1]) {
			if v.SinceVersion < first[op] {
				continue
			}
			covered++
			if _, ok := table[key{op[0], op[1], v.SinceVersion}]; !ok {
				t.Errorf("%s-%d has no rules, though %s-%d has", op[1], v.SinceVersion, op[1], first[op])
			}
		}
	}
	t.Logf("%d operators, %d versions with rules", len(ops), covered)
}
