package evalcheck_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/onnxgraph/onnxgraph/examples/internal/ort/orttest"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
)

// TestRandomCast compares Cast between the numeric types (values in the
// target's range: beyond it ONNX leaves the result undefined) with ONNX
// Runtime.
func TestRandomCast(t *testing.T) {
	orttest.Require(t)
	r := rand.New(rand.NewPCG(seedOf(15), 16))
	types := []onnxgraph.DataType{onnxgraph.Float, onnxgraph.Double, onnxgraph.Float16, onnxgraph.BFloat16, onnxgraph.Int8, onnxgraph.Uint8,
		onnxgraph.Int16, onnxgraph.Int32, onnxgraph.Int64, onnxgraph.Uint32, onnxgraph.Bool, onnxproto.TensorProto_INT4, onnxproto.TensorProto_UINT4}
	for i := range 60 {
		to := types[r.IntN(len(types))]
		v := make([]float32, 6)
		for j := range v {
			v[j] = float32(r.NormFloat64() * 5)
			if to == onnxgraph.Uint8 || to == onnxgraph.Uint32 || to == onnxproto.TensorProto_UINT4 {
				v[j] = max(v[j], -v[j])
			}
		}
		x, _ := onnxgraph.TensorFrom("", []int64{2, 3}, v)
		dc := diffCase{name: fmt.Sprintf("cast %d to %v", i, to), op: "Cast", opset: 23,
			attrs: []*onnxproto.AttributeProto{onnxgraph.AttrInt("to", int64(to))}, in: []*onnxgraph.Tensor{x}}
		t.Run(dc.name, dc.run)
	}
}
