package tflite

import (
	"crypto/sha256"
	"errors"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/samples"
)

// computedWeights is a fully connected layer whose weight the graph
// computes from constants, as exporters leave weight normalization and
// transposed Linear weights: MatMul(x, Transpose(W) * 0.5) + b, then Relu.
func computedWeights(t *testing.T) *onnxgraph.Model {
	return build(t, func(b *onnxgraph.Builder) {
		x := b.Input("x", onnxgraph.Float, onnxgraph.Dims(2, 16)...)
		half, _ := onnxgraph.TensorFrom("half", []int64{}, []float32{0.5})
		w := b.Op("Mul", nil, b.Op("Transpose", onnxgraph.Attrs{"perm": []int64{1, 0}}, weights(8, 16)), b.Op("Constant", onnxgraph.Attrs{"value": half}))
		b.Output(b.Op("Relu", nil, b.Op("Add", nil, b.Op("MatMul", nil, x, w), weights(8))))
	})
}

// TestSimplifyFirst converts exporter-shaped models with and without the
// simplifier: simplified, a Shape -> Gather -> Unsqueeze -> Concat ->
// Reshape chain, weights computed from constants and a causal mask built
// from the sequence length fold away; as they are (NoSimplify), they are
// refused or keep their extra operators. (The exporter's own minimal
// folding, before it ran the simplifier, refused the first two models
// too, on the Conv's computed weights and on Trilu, and gave the third
// the 4 operators NoSimplify gives.) The model given never changes.
func TestSimplifyFirst(t *testing.T) {
	cases := []struct {
		name   string
		m      *onnxgraph.Model
		shapes map[string][]int64
		want   map[string]int // TensorFlow Lite operators, simplified
		some   bool           // want lists some operators, not all
		asIs   map[string]int // with NoSimplify; nil: refused
		refuse []string       // what the refusal names
	}{
		{"torch CNN", samples.TorchCNN(), map[string][]int64{"image": {1, 3, 16, 16}},
			map[string]int{"CONV_2D": 2, "MAX_POOL_2D": 1, "RESHAPE": 1, "FULLY_CONNECTED": 1}, false,
			nil, []string{"(Shape): operator not supported", `weights "Mul_1" must be a float constant`}},
		{"transformer", samples.Transformer(), map[string][]int64{"input_ids": {1, 8}},
			map[string]int{"TRANSPOSE": 8, "FULLY_CONNECTED": 13, "BATCH_MATMUL": 4, "GATHER": 1}, true,
			nil, []string{"(Trilu): operator not supported", "(Shape): operator not supported", "(Range): operator not supported"}},
		{"computed weights", computedWeights(t), nil,
			map[string]int{"FULLY_CONNECTED": 1, "RELU": 1}, false,
			map[string]int{"MUL": 1, "BATCH_MATMUL": 1, "ADD": 1, "RELU": 1}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			given := modelSum(t, tc.m)
			data, rep, err := Convert(tc.m, &Options{InputShapes: tc.shapes})
			if err != nil {
				t.Fatal(err)
			}
			checkStructure(t, data, rep)
			if got := opCounts(rep); !sameCounts(got, tc.want, tc.some) {
				t.Errorf("simplified: operators %v, want %v", got, tc.want)
			}
			s := rep.Simplified
			if s == nil || s.NodesAfter >= s.NodesBefore || s.NodesBefore != rep.Nodes {
				t.Errorf("simplifier report %+v for %d nodes given", s, rep.Nodes)
			}
			_, asIs, err := Convert(tc.m, &Options{InputShapes: tc.shapes, NoSimplify: true})
			switch {
			case tc.asIs == nil:
				var ue *UnsupportedError
				if !errors.As(err, &ue) {
					t.Fatalf("as it is: %v, want an UnsupportedError", err)
				}
				for _, w := range tc.refuse {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("the refusal does not say %q: %v", w, err)
					}
				}
			case err != nil:
				t.Fatalf("as it is: %v", err)
			default:
				if got := opCounts(asIs); !sameCounts(got, tc.asIs, false) {
					t.Errorf("as it is: operators %v, want %v", got, tc.asIs)
				}
				if asIs.Simplified != nil {
					t.Error("NoSimplify reports a simplification")
				}
				t.Logf("%d operators simplified, %d as it is", rep.Operators, asIs.Operators)
			}
			if got := modelSum(t, tc.m); got != given {
				t.Error("Convert changed the model it was given")
			}
		})
	}
}

// TestSimplifyOptions: the input dims reach the simplifier, whose errors
// are the exporter's.
func TestSimplifyOptions(t *testing.T) {
	m := samples.TorchCNN()
	for _, tc := range []struct {
		shapes map[string][]int64
		is     error
		names  string
	}{
		{map[string][]int64{"image": {1, 3, 16}}, ErrInvalid, `"image"`}, // rank
		{map[string][]int64{"images": {1, 3, 16, 16}}, ErrInvalid, `"images"`},
		{map[string][]int64{"image": {1, -3, 16, 16}}, ErrInvalid, `"image"`},
		{nil, ErrDynamicShape, `"image"`},
	} {
		_, _, err := Convert(m, &Options{InputShapes: tc.shapes})
		if !errors.Is(err, tc.is) || !strings.Contains(err.Error(), tc.names) {
			t.Errorf("%v: %v, want %v naming %s", tc.shapes, err, tc.is, tc.names)
		}
	}
	if _, _, err := Convert(nil, nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("nil model: %v", err)
	}
}

// modelSum is a checksum of m's serialized bytes.
func modelSum(t *testing.T, m *onnxgraph.Model) [32]byte {
	t.Helper()
	b, err := m.Bytes(nil)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func opCounts(r *Report) map[string]int {
	out := map[string]int{}
	for _, c := range r.OpsAfter {
		out[c.Op] = c.Count
	}
	return out
}

// sameCounts reports whether got has the counts want lists, and no other
// operator unless some.
func sameCounts(got, want map[string]int, some bool) bool {
	for op, n := range want {
		if got[op] != n {
			return false
		}
	}
	return some || len(got) == len(want)
}
