package shapeinfer_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
)

// TestUnreliableTypesStayUnknown: a fixture whose Gemm weights do not fit
// its input. Default Infer does not pretend: the Gemm's output, and what
// is computed from it, stay unknown with the problem as the reason, even
// though the model declares the final output; Strict makes it an error.
func TestUnreliableTypesStayUnknown(t *testing.T) {
	b := onnxgraph.NewBuilder(17)
	x := b.Input("x", onnxgraph.Float, onnxgraph.DimParam("N"), onnxgraph.DimOf(8))
	w := b.Const("w", 0, []int64{10, 9}, make([]float32, 90)) // 9 != 8
	g := b.Op("Gemm", onnxgraph.Attrs{"transB": 1}, x, w)
	y := b.Op("Relu", nil, g)
	b.Output(y, onnxgraph.DimParam("N"), onnxgraph.DimOf(10))
	m := b.Model()
	if err := b.Err(); err != nil {
		t.Fatal(err)
	}
	res, err := shapeinfer.Infer(m, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []*onnxgraph.Value{g, y} {
		if ty := res.Type(v); ty != nil && ty.Complete() {
			t.Errorf("%s looks complete: %v", v.Name(), ty)
		}
		if r := res.Explain(v); r == nil {
			t.Errorf("%s: no reason (type %v)", v.Name(), res.Type(v))
		}
	}
	if r := res.Explain(g); r == nil || r.Code != shapeinfer.CodeInvalid {
		t.Errorf("Gemm output reason %v", r)
	}
	if len(res.Problems) == 0 {
		t.Error("no problem reported")
	}
	_, err = shapeinfer.Infer(m, &shapeinfer.Options{Strict: true})
	var ie *shapeinfer.Error
	if !errors.As(err, &ie) || ie.Code != shapeinfer.CodeInvalid {
		t.Errorf("strict: %v", err)
	}
}

// TestInferContext: a cancelled context stops inference of a big graph
// within a few hundred nodes, and nothing is written back.
func TestInferContext(t *testing.T) {
	m := decoderOfSize(t, 30_000)
	before, err := m.Bytes(nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := shapeinfer.InferContext(ctx, m, &shapeinfer.Options{WriteBack: true}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled before: %v", err)
	}
	ctx, cancel = context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = shapeinfer.InferContext(ctx, m, &shapeinfer.Options{WriteBack: true})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("cancelled during: %v after %v", err, time.Since(start))
	}
	after, _ := m.Bytes(nil)
	if !bytes.Equal(before, after) {
		t.Error("a stopped inference wrote into the model")
	}
}
