package onnxgraph

import (
	"testing"

	"github.com/onnxgraph/onnxgraph/opschema"
)

// TestOpsetAdapterTable checks the adapter table against the schemas:
// every version step of a default-domain operator that changes more than
// the element types has an entry; every entry names a real step; steps
// marked additive only add attributes (with defaults or optional), optional
// inputs or outputs; type-only steps are not listed needlessly unless they
// extend the meaning.
func TestOpsetAdapterTable(t *testing.T) {
	steps, typeOnly, listed := 0, 0, 0
	for _, op := range opschema.Ops(opschema.DomainONNX) {
		vs := opschema.Versions(opschema.DomainONNX, op)
		for i := 1; i < len(vs); i++ {
			steps++
			prev, next := vs[i-1], vs[i]
			a, ok := adapterFor("", op, next.SinceVersion)
			same := sameSignature(prev, next)
			switch {
			case same && !ok:
				typeOnly++
			case !same && !ok:
				t.Errorf("%s-%d: the signature changes from %s-%d and the table has no entry", op, next.SinceVersion, op, prev.SinceVersion)
			case same && ok && a.kind != kindExtension && a.kind != kindAdapter:
				t.Errorf("%s-%d: a type-only step listed as kind %d", op, next.SinceVersion, a.kind)
			}
			if ok {
				listed++
			}
			if ok && a.kind == kindAdditive {
				if msg := additiveProblem(prev, next); msg != "" {
					t.Errorf("%s-%d is listed as additive but %s", op, next.SinceVersion, msg)
				}
			}
			if ok && a.kind == kindAdapter && a.up == nil && a.down == nil {
				t.Errorf("%s-%d: an adapter without functions", op, next.SinceVersion)
			}
		}
	}
	for k, a := range opsetAdapters {
		found := false
		for _, s := range opschema.Versions(k.domain, k.op) {
			if s.SinceVersion == k.since {
				found = true
			}
		}
		if !found {
			t.Errorf("table entry %s-%d names no schema", k.op, k.since)
		}
		if a.kind == kindRefuse && a.why == "" {
			t.Errorf("%s-%d: refused without a reason", k.op, k.since)
		}
	}
	t.Logf("%d version steps: %d type-only (relabel), %d in the table", steps, typeOnly, listed)
}

// additiveProblem says why next is not prev plus optional additions.
func additiveProblem(prev, next *opschema.Schema) string {
	for _, a := range prev.Attributes {
		b, ok := next.Attribute(a.Name)
		if !ok {
			return "attribute " + a.Name + " is removed"
		}
		if b.Type != a.Type {
			return "attribute " + a.Name + " changes type"
		}
		if (a.Default == nil) != (b.Default == nil) || (a.Default != nil && a.Default.Raw != b.Default.Raw) {
			return "attribute " + a.Name + " changes its default"
		}
	}
	for _, b := range next.Attributes {
		if _, ok := prev.Attribute(b.Name); !ok && b.Required {
			return "new attribute " + b.Name + " is required"
		}
	}
	for i, f := range prev.Inputs {
		if i >= len(next.Inputs) || next.Inputs[i].Name != f.Name || (f.Option == opschema.Optional && next.Inputs[i].Option == opschema.Single) {
			return "input " + f.Name + " changes"
		}
	}
	for _, f := range next.Inputs[len(prev.Inputs):] {
		if f.Option == opschema.Single {
			return "new input " + f.Name + " is required"
		}
	}
	for i, f := range prev.Outputs {
		if i >= len(next.Outputs) || next.Outputs[i].Name != f.Name {
			return "output " + f.Name + " changes"
		}
	}
	for _, f := range next.Outputs[len(prev.Outputs):] {
		if f.Option == opschema.Single {
			return "new output " + f.Name + " is required"
		}
	}
	return ""
}
