package onnxgraph

import (
	"testing"

	"github.com/onnxgraph/onnxgraph/onnxproto"
	"google.golang.org/protobuf/proto"
)

// FuzzValidate checks that Validate never panics on a model that loads,
// and that its report agrees with itself. Seeds are the broken corpus and
// the valid test models.
func FuzzValidate(f *testing.F) {
	for _, build := range []func() *onnxproto.ModelProto{baseModel, ifModel, funcModel, loopModel} {
		if b, err := proto.Marshal(build()); err == nil {
			f.Add(b)
		}
	}
	for _, tc := range brokenCorpus {
		mp := tc.base()
		tc.mutate(mp, "")
		if b, err := proto.Marshal(mp); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Decode(b, nil)
		if err != nil {
			return
		}
		r := m.Validate(nil)
		errs := 0
		for _, p := range r.Problems {
			if p.Severity == SeverityError {
				errs++
			}
			if p.Message == "" || p.Rule == "" {
				t.Fatalf("empty problem %+v", p)
			}
		}
		if errs != r.Errors || r.Valid() != (errs == 0) || (r.Err() == nil) != r.Valid() {
			t.Fatalf("inconsistent report: %d errors counted, %+v", errs, r)
		}
	})
}
