package simplify_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/internal/suitetest"
	"github.com/onnxgraph/onnxgraph/samples"
	"github.com/onnxgraph/onnxgraph/simplify"
)

// FuzzSimplify simplifies arbitrary models: Simplify must not panic; on
// error the model is as it was; a model that passes the checker still
// does after.
//
//	go test ./simplify -run '^$' -fuzz FuzzSimplify -fuzztime 60s
func FuzzSimplify(f *testing.F) {
	for _, m := range []*onnxgraph.Model{samples.ConvBN(), samples.Transformer(), samples.VAD(), samples.RNN(), samples.QuantConv()} {
		b, err := m.Bytes(nil)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, name := range []string{"node/test_if", "node/test_loop11", "node/test_reshape_reordered_all_dims", "node/test_slice", "simple/test_gradient_of_add"} {
		if b, err := os.ReadFile(suitetest.ModelPath(name)); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := onnxgraph.Decode(data, nil)
		if err != nil {
			return
		}
		valid := onnxgraph.Validate(m, nil) == nil
		before, err := m.Bytes(nil)
		if err != nil {
			return
		}
		_, err = simplify.Simplify(m, &simplify.Options{MaxIterations: 4})
		if err != nil {
			if after, _ := m.Bytes(nil); !bytes.Equal(before, after) {
				t.Fatalf("%v, and the model changed", err)
			}
			return
		}
		if valid {
			if err := onnxgraph.Validate(m, nil); err != nil {
				t.Fatalf("the simplified model is invalid: %v", err)
			}
		}
	})
}
