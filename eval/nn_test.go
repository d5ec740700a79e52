package eval_test

import (
	"math"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/eval"
)

func TestActivations(t *testing.T) {
	x := T(d(4), -2.0, -0.5, 0, 3)
	sig := func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }
	runCases(t, []opCase{
		{name: "relu", op: "Relu", in: []*onnxgraph.Tensor{x}, want: []*onnxgraph.Tensor{T(d(4), 0.0, 0, 0, 3)}},
		{name: "relu int", op: "Relu", in: []*onnxgraph.Tensor{T(d(2), int8(-3), 4)}, want: []*onnxgraph.Tensor{T(d(2), int8(0), 4)}},
		{name: "leaky relu", op: "LeakyRelu", attrs: map[string]any{"alpha": float32(0.5)}, in: []*onnxgraph.Tensor{x}, want: []*onnxgraph.Tensor{T(d(4), -1.0, -0.25, 0, 3)}},
		{name: "sigmoid", op: "Sigmoid", in: []*onnxgraph.Tensor{x}, want: []*onnxgraph.Tensor{T(d(4), sig(-2), sig(-0.5), 0.5, sig(3))}, approx: true},
		{name: "hard sigmoid", op: "HardSigmoid", in: []*onnxgraph.Tensor{x}, want: []*onnxgraph.Tensor{T(d(4), 0.1, 0.4, 0.5, 1)}, approx: true},
		{name: "hard swish", op: "HardSwish", in: []*onnxgraph.Tensor{x}, want: []*onnxgraph.Tensor{T(d(4), -2*(1.0/6), -0.5*(0.5-0.5/6), 0, 3)}, approx: true},
		{name: "gelu", op: "Gelu", in: []*onnxgraph.Tensor{T(d(1), 1.0)}, want: []*onnxgraph.Tensor{T(d(1), 0.5*(1+math.Erf(1/math.Sqrt2)))}, approx: true},
		{name: "gelu tanh", op: "Gelu", attrs: map[string]any{"approximate": "tanh"}, in: []*onnxgraph.Tensor{T(d(1), 1.0)},
			want: []*onnxgraph.Tensor{T(d(1), 0.5*(1+math.Tanh(math.Sqrt(2/math.Pi)*1.044715)))}, approx: true},
		{name: "selu", op: "Selu", attrs: map[string]any{"alpha": float32(2), "gamma": float32(3)}, in: []*onnxgraph.Tensor{T(d(2), -1.0, 1)},
			want: []*onnxgraph.Tensor{T(d(2), 3*2*(math.Exp(-1)-1), 3)}, approx: true},
		{name: "elu", op: "Elu", in: []*onnxgraph.Tensor{T(d(2), -1.0, 1)}, want: []*onnxgraph.Tensor{T(d(2), math.Exp(-1)-1, 1)}, approx: true},
		{name: "celu", op: "Celu", attrs: map[string]any{"alpha": float32(2)}, in: []*onnxgraph.Tensor{T(d(2), float32(-1), 1)},
			want: []*onnxgraph.Tensor{T(d(2), float32(2*(math.Exp(-0.5)-1)), 1)}, approx: true},
		{name: "softplus", op: "Softplus", in: []*onnxgraph.Tensor{T(d(2), 0.0, 1000)}, want: []*onnxgraph.Tensor{T(d(2), math.Ln2, 1000)}, approx: true},
		{name: "softsign", op: "Softsign", in: []*onnxgraph.Tensor{T(d(2), -1.0, 3)}, want: []*onnxgraph.Tensor{T(d(2), -0.5, 0.75)}},
		{name: "thresholded relu", op: "ThresholdedRelu", attrs: map[string]any{"alpha": float32(1)}, in: []*onnxgraph.Tensor{T(d(3), 0.5, 1, 2)}, want: []*onnxgraph.Tensor{T(d(3), 0.0, 0, 2)}},
		{name: "swiglu", op: "SwiGLU", attrs: map[string]any{"alpha": float32(2)}, in: []*onnxgraph.Tensor{T(d(2), 1.0, -1), T(d(2), 3.0, 4)},
			want: []*onnxgraph.Tensor{T(d(2), 1*sig(2)*3, -1*sig(-2)*4)}, approx: true},
		{name: "shrink", op: "Shrink", attrs: map[string]any{"lambd": float32(1), "bias": float32(0.5)}, in: []*onnxgraph.Tensor{T(d(3), -2.0, 0.5, 2)},
			want: []*onnxgraph.Tensor{T(d(3), -1.5, 0, 1.5)}},
		{name: "prelu", op: "PRelu", in: []*onnxgraph.Tensor{T(d(2, 2), float32(-1), 1, -2, 2), T(d(2), float32(0.5), 0.25)},
			want: []*onnxgraph.Tensor{T(d(2, 2), float32(-0.5), 1, -1, 2)}},
		{name: "clip inputs", op: "Clip", in: []*onnxgraph.Tensor{x, T(d(), -1.0), T(d(), 1.0)}, want: []*onnxgraph.Tensor{T(d(4), -1.0, -0.5, 0, 1)}},
		{name: "clip max only", op: "Clip", in: []*onnxgraph.Tensor{T(d(2), int64(-5), 5), nil, T(d(), int64(2))}, want: []*onnxgraph.Tensor{T(d(2), int64(-5), 2)}},
		{name: "clip-6 attrs", op: "Clip", opset: 6, attrs: map[string]any{"min": float32(0), "max": float32(2)}, in: []*onnxgraph.Tensor{T(d(2), float32(-1), 3)},
			want: []*onnxgraph.Tensor{T(d(2), float32(0), 2)}},
		{name: "dropout inference", op: "Dropout", in: []*onnxgraph.Tensor{x}, nout: 2, want: []*onnxgraph.Tensor{x, T(d(4), true, true, true, true)}},
		{name: "dropout training without seed", op: "Dropout", in: []*onnxgraph.Tensor{x, T(d(), 0.5), T(d(), true)}, err: eval.ErrNotImplemented},
		{name: "softmax", op: "Softmax", in: []*onnxgraph.Tensor{T(d(1, 2), 0.0, math.Ln2)}, want: []*onnxgraph.Tensor{T(d(1, 2), 1.0/3, 2.0/3)}, approx: true},
		{name: "softmax-11 coerces to 2-D", op: "Softmax", opset: 11, attrs: map[string]any{"axis": int64(0)}, in: []*onnxgraph.Tensor{T(d(2), 0.0, math.Ln2)},
			want: []*onnxgraph.Tensor{T(d(2), 1.0/3, 2.0/3)}, approx: true},
		{name: "log softmax", op: "LogSoftmax", in: []*onnxgraph.Tensor{T(d(2), 0.0, 0)}, want: []*onnxgraph.Tensor{T(d(2), -math.Ln2, -math.Ln2)}, approx: true},
		{name: "hardmax first max", op: "Hardmax", in: []*onnxgraph.Tensor{T(d(1, 3), float32(1), 3, 3)}, want: []*onnxgraph.Tensor{T(d(1, 3), float32(0), 1, 0)}},
	})
}

func TestNormalization(t *testing.T) {
	runCases(t, []opCase{
		{name: "batch norm", op: "BatchNormalization",
			in: []*onnxgraph.Tensor{T(d(1, 2, 1), float32(1), 2), T(d(2), float32(2), 3), T(d(2), float32(1), 0), T(d(2), float32(0), 1), T(d(2), float32(1), 4)},
			// (1-0)/sqrt(1+eps)*2+1, (2-1)/sqrt(4+eps)*3
			want: []*onnxgraph.Tensor{T(d(1, 2, 1), float32(1+2/math.Sqrt(1+1e-5)), float32(3/math.Sqrt(4+1e-5)))}, approx: true},
		{name: "instance norm", op: "InstanceNormalization", attrs: map[string]any{"epsilon": float32(0)},
			in:   []*onnxgraph.Tensor{T(d(1, 1, 2), 1.0, 3), T(d(1), 2.0), T(d(1), 1.0)},
			want: []*onnxgraph.Tensor{T(d(1, 1, 2), -1.0, 3)}, approx: true},
		{name: "layer norm with stats", op: "LayerNormalization", attrs: map[string]any{"epsilon": float32(0)}, nout: 3,
			in:   []*onnxgraph.Tensor{T(d(2, 2), float32(1), 3, 4, 6), T(d(2), float32(1), 2)},
			want: []*onnxgraph.Tensor{T(d(2, 2), float32(-1), 2, -1, 2), T(d(2, 1), float32(2), 5), T(d(2, 1), float32(1), 1)}},
		{name: "group norm", op: "GroupNormalization", attrs: map[string]any{"num_groups": int64(1), "epsilon": float32(0)},
			in:   []*onnxgraph.Tensor{T(d(1, 2, 1), 1.0, 3), T(d(2), 1.0, 1), T(d(2), 0.0, 0)},
			want: []*onnxgraph.Tensor{T(d(1, 2, 1), -1.0, 1)}, approx: true},
		{name: "lp norm", op: "LpNormalization", attrs: map[string]any{"p": int64(1)}, in: []*onnxgraph.Tensor{T(d(1, 2), -1.0, 3)}, want: []*onnxgraph.Tensor{T(d(1, 2), -0.25, 0.75)}},
		{name: "mvn", op: "MeanVarianceNormalization", attrs: map[string]any{"axes": []int64{0}}, in: []*onnxgraph.Tensor{T(d(2), 1.0, 3)},
			want: []*onnxgraph.Tensor{T(d(2), -1/(1+1e-9), 1/(1+1e-9))}, approx: true},
		{name: "lrn", op: "LRN", attrs: map[string]any{"size": int64(1), "alpha": float32(1), "beta": float32(1), "bias": float32(1)},
			in: []*onnxgraph.Tensor{T(d(1, 1, 1), 2.0)}, want: []*onnxgraph.Tensor{T(d(1, 1, 1), 2.0/5)}, approx: true},
	})
}
