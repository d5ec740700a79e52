package shapeinfer

import (
	"fmt"
	"github.com/onnxgraph/onnxgraph"
	"sort"
	"testing"

	"github.com/onnxgraph/onnxgraph/opschema"
)

// TestTableEntriesAreReal checks that every table entry names an operator
// version that exists in the schemas.
func TestTableEntriesAreReal(t *testing.T) {
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
	}
}

// coveredDomains are the domains every operator version of which must
// have an inference function: the standard ones and ONNX Runtime's
// com.microsoft.
var coveredDomains = []string{opschema.DomainONNX, opschema.DomainML, opschema.DomainMicrosoft}

// missingVersions lists the operator versions of the covered domains that
// have no inference function.
func missingVersions() []string {
	var missing []string
	for _, d := range coveredDomains {
		for _, op := range opschema.Ops(d) {
			for _, s := range opschema.Versions(d, op) {
				if _, ok := table[key{d, op, s.SinceVersion}]; !ok {
					missing = append(missing, fmt.Sprintf("%s:%s-%d", d, op, s.SinceVersion))
				}
			}
		}
	}
	sort.Strings(missing)
	return missing
}

// TestTableCoverage fails while an operator version of ai.onnx,
// ai.onnx.ml or com.microsoft has no inference function.
func TestTableCoverage(t *testing.T) {
	missing := missingVersions()
	total := 0
	for _, d := range coveredDomains {
		for _, op := range opschema.Ops(d) {
			total += len(opschema.Versions(d, op))
		}
	}
	t.Logf("%d of %d operator versions covered", total-len(missing), total)
	if len(missing) > 0 {
		t.Errorf("%d operator versions have no inference function, e.g. %v", len(missing), missing[:min(len(missing), 20)])
	}
}

// TestExplainDataDependent checks that an output sized only at run time
// gets a fresh symbol and an explanation saying why.
func TestExplainDataDependent(t *testing.T) {
	m := onnxgraph.NewModel(8, map[string]int64{"": 17})
	g := m.Graph()
	x, _ := g.AddInput("x", onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(4, 5)))
	nz, _ := g.AddNode("NonZero", []*onnxgraph.Value{x}, []string{"nz"})
	relu, _ := g.AddNode("Relu", []*onnxgraph.Value{x}, []string{"r"})
	res, err := Infer(m, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := nz.Output(0)
	if got := res.Type(out).String(); got != "int64[2,unk__1]" {
		t.Errorf("NonZero output %s", got)
	}
	why := res.Explain(out)
	if why == nil || why.Code != CodeDataDependent {
		t.Fatalf("Explain = %v, want a data-dependent reason", why)
	}
	if why := res.Explain(relu.Output(0)); why != nil {
		t.Errorf("Relu output explained: %v", why)
	}
}
