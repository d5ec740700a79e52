package eval_test

import (
	"math"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/eval"
)

func TestLoss(t *testing.T) {
	// log-probabilities of 2 samples over 3 classes
	lp := T(d(2, 3), float32(-1), -2, -3, -4, -5, -6)
	runCases(t, []opCase{
		{name: "nll mean", op: "NegativeLogLikelihoodLoss", in: []*onnxgraph.Tensor{lp, T(d(2), int64(2), 0)}, want: []*onnxgraph.Tensor{T(d(), float32(3.5))}},
		{name: "nll none weighted", op: "NegativeLogLikelihoodLoss", attrs: map[string]any{"reduction": "none"},
			in: []*onnxgraph.Tensor{lp, T(d(2), int64(2), 0), T(d(3), float32(1), 1, 0.5)}, want: []*onnxgraph.Tensor{T(d(2), float32(1.5), 4)}},
		{name: "nll mean weighted ignore", op: "NegativeLogLikelihoodLoss", attrs: map[string]any{"ignore_index": int64(0)},
			// only the first sample counts: 3·0.5 / 0.5
			in: []*onnxgraph.Tensor{lp, T(d(2), int64(2), 0), T(d(3), float32(1), 1, 0.5)}, want: []*onnxgraph.Tensor{T(d(), float32(3))}},
		{name: "nll target out of range", op: "NegativeLogLikelihoodLoss", in: []*onnxgraph.Tensor{lp, T(d(2), int64(3), 0)}, err: eval.ErrInvalid},
		{name: "softmax cross entropy sum", op: "SoftmaxCrossEntropyLoss", attrs: map[string]any{"reduction": "sum"}, nout: 2,
			in:   []*onnxgraph.Tensor{T(d(1, 2), 0.0, 0), T(d(1), int32(1))},
			want: []*onnxgraph.Tensor{T(d(), math.Ln2), T(d(1, 2), -math.Ln2, -math.Ln2)}, approx: true},
	})
}

func TestResize(t *testing.T) {
	x := T(d(1, 1, 2, 2), float32(1), 2, 3, 4)
	noROI := T[float32](d(0))
	runCases(t, []opCase{
		{name: "nearest scales", op: "Resize", in: []*onnxgraph.Tensor{x, noROI, T(d(4), float32(1), 1, 2, 2)},
			want: []*onnxgraph.Tensor{T(d(1, 1, 4, 4), float32(1), 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4)}},
		{name: "linear half pixel", op: "Resize", attrs: map[string]any{"mode": "linear"}, in: []*onnxgraph.Tensor{T(d(1, 1, 1, 2), float32(0), 4), noROI, T(d(4), float32(1), 1, 1, 2)},
			// x_orig = (x+0.5)/2-0.5: -0.25 (edge: 0), 0.25, 0.75, 1.25 (edge: 4)
			want: []*onnxgraph.Tensor{T(d(1, 1, 1, 4), float32(0), 1, 3, 4)}},
		{name: "linear align corners sizes", op: "Resize", attrs: map[string]any{"mode": "linear", "coordinate_transformation_mode": "align_corners"},
			in:   []*onnxgraph.Tensor{T(d(1, 1, 1, 2), float32(0), 4), nil, nil, T(d(4), int64(1), 1, 1, 3)},
			want: []*onnxgraph.Tensor{T(d(1, 1, 1, 3), float32(0), 2, 4)}},
		{name: "half_pixel_symmetric", op: "Resize", attrs: map[string]any{"mode": "linear", "coordinate_transformation_mode": "half_pixel_symmetric"},
			// ONNX's test_resize_upsample_scales_linear_half_pixel_symmetric
			in: []*onnxgraph.Tensor{x, noROI, T(d(4), float32(1), 1, 2.3, 2.94)},
			want: []*onnxgraph.Tensor{T(d(1, 1, 4, 5), float32(1), 1.15986395, 1.5, 1.84013605, 2, 1.56521738, 1.72508133, 2.06521738, 2.40535343, 2.56521738,
				2.43478262, 2.59464657, 2.93478262, 3.27491867, 3.43478262, 3, 3.15986395, 3.5, 3.84013605, 4)}, approx: true},
		{name: "upsample", op: "Upsample", opset: 9, in: []*onnxgraph.Tensor{T(d(1, 2), int32(5), 6), T(d(2), float32(2), 1.5)},
			want: []*onnxgraph.Tensor{T(d(2, 3), int32(5), 5, 6, 5, 5, 6)}},
		{name: "scales and sizes", op: "Resize", in: []*onnxgraph.Tensor{x, noROI, T(d(4), float32(1), 1, 2, 2), T(d(4), int64(1), 1, 2, 2)}, err: eval.ErrInvalid},
		{name: "antialias", op: "Resize", attrs: map[string]any{"antialias": int64(1), "mode": "linear"}, in: []*onnxgraph.Tensor{x, noROI, T(d(4), float32(1), 1, 0.5, 0.5)},
			err: eval.ErrNotImplemented},
	})
}

func TestDetection(t *testing.T) {
	boxes := T(d(1, 3, 4), float32(0), 0, 1, 1, 0, 0.1, 1, 1.1, 0, 5, 1, 6)
	runCases(t, []opCase{
		{name: "nms", op: "NonMaxSuppression",
			in: []*onnxgraph.Tensor{boxes, T(d(1, 1, 3), float32(0.9), 0.8, 0.7), T(d(1), int64(3)), T(d(1), float32(0.5))},
			// box 1 overlaps box 0 (IoU 0.82): suppressed
			want: []*onnxgraph.Tensor{T(d(2, 3), int64(0), 0, 0, 0, 0, 2)}},
		{name: "nms score threshold", op: "NonMaxSuppression",
			in:   []*onnxgraph.Tensor{boxes, T(d(1, 1, 3), float32(0.9), 0.8, 0.7), T(d(1), int64(3)), T(d(1), float32(0.5)), T(d(1), float32(0.75))},
			want: []*onnxgraph.Tensor{T(d(1, 3), int64(0), 0, 0)}},
		{name: "roi align avg", op: "RoiAlign", attrs: map[string]any{"output_height": int64(1), "output_width": int64(1), "sampling_ratio": int64(1)},
			in: []*onnxgraph.Tensor{T(d(1, 1, 2, 2), float32(1), 2, 3, 4), T(d(1, 4), float32(0), 0, 2, 2), T(d(1), int64(0))},
			// one sample at the box centre (1,1) minus the half pixel: (0.5, 0.5), the mean of the four
			want: []*onnxgraph.Tensor{T(d(1, 1, 1, 1), float32(2.5))}},
		{name: "grid sample identity corners", op: "GridSample", attrs: map[string]any{"align_corners": int64(1)},
			in:   []*onnxgraph.Tensor{T(d(1, 1, 2, 2), float32(1), 2, 3, 4), T(d(1, 1, 2, 2), float32(-1), -1, 1, 1)},
			want: []*onnxgraph.Tensor{T(d(1, 1, 1, 2), float32(1), 4)}},
		{name: "grid sample zeros outside", op: "GridSample", attrs: map[string]any{"align_corners": int64(1), "mode": "nearest"},
			in:   []*onnxgraph.Tensor{T(d(1, 1, 2, 2), float32(1), 2, 3, 4), T(d(1, 1, 1, 2), float32(5), 5)},
			want: []*onnxgraph.Tensor{T(d(1, 1, 1, 1), float32(0))}},
		{name: "unique sorted", op: "Unique", in: []*onnxgraph.Tensor{T(d(5), int32(3), 1, 3, 2, 1)}, nout: 4,
			want: []*onnxgraph.Tensor{T(d(3), int32(1), 2, 3), T(d(3), int64(1), 3, 0), T(d(5), int64(2), 0, 2, 1, 0), T(d(3), int64(2), 1, 2)}},
		{name: "unique unsorted", op: "Unique", attrs: map[string]any{"sorted": int64(0)}, in: []*onnxgraph.Tensor{T(d(5), "b", "a", "b", "c", "a")}, nout: 4,
			want: []*onnxgraph.Tensor{T(d(3), "b", "a", "c"), T(d(3), int64(0), 1, 3), T(d(5), int64(0), 1, 0, 2, 1), T(d(3), int64(2), 2, 1)}},
		{name: "max unpool", op: "MaxUnpool", attrs: map[string]any{"kernel_shape": []int64{2}, "strides": []int64{2}},
			in: []*onnxgraph.Tensor{T(d(1, 1, 2), float32(5), 7), T(d(1, 1, 2), int64(1), 2)}, want: []*onnxgraph.Tensor{T(d(1, 1, 4), float32(0), 5, 7, 0)}},
	})
}

func TestStrings(t *testing.T) {
	runCases(t, []opCase{
		{name: "normalizer", op: "StringNormalizer", attrs: map[string]any{"stopwords": []string{"the"}, "case_change_action": "UPPER"},
			in: []*onnxgraph.Tensor{T(d(3), "The", "cat", "sat")}, want: []*onnxgraph.Tensor{T(d(2), "CAT", "SAT")}},
		{name: "normalizer all dropped", op: "StringNormalizer", attrs: map[string]any{"stopwords": []string{"a"}, "is_case_sensitive": int64(1)},
			in: []*onnxgraph.Tensor{T(d(1, 2), "a", "a")}, want: []*onnxgraph.Tensor{T(d(1, 1), "")}},
		{name: "tfidf counts", op: "TfIdfVectorizer", attrs: map[string]any{"mode": "TF", "min_gram_length": int64(1), "max_gram_length": int64(2),
			"max_skip_count": int64(0), "ngram_counts": []int64{0, 2}, "ngram_indexes": []int64{0, 1, 2}, "pool_int64s": []int64{1, 2, 1, 2}},
			// unigrams 1, 2 and the bigram (1, 2)
			in: []*onnxgraph.Tensor{T(d(5), int64(1), 2, 1, 2, 3)}, want: []*onnxgraph.Tensor{T(d(3), float32(2), 2, 2)}},
		{name: "concat", op: "StringConcat", in: []*onnxgraph.Tensor{T(d(2), "a", "b"), T(d(), "!")}, want: []*onnxgraph.Tensor{T(d(2), "a!", "b!")}},
		{name: "split whitespace", op: "StringSplit", in: []*onnxgraph.Tensor{T(d(2), " a  b ", "c")}, nout: 2,
			want: []*onnxgraph.Tensor{T(d(2, 2), "a", "b", "c", ""), T(d(2), int64(2), 1)}},
		{name: "split delimiter max", op: "StringSplit", attrs: map[string]any{"delimiter": ",", "maxsplit": int64(1)}, in: []*onnxgraph.Tensor{T(d(1), "a,,b")}, nout: 2,
			want: []*onnxgraph.Tensor{T(d(1, 2), "a", ",b"), T(d(1), int64(2))}},
		{name: "regex", op: "RegexFullMatch", attrs: map[string]any{"pattern": `[a-z]+\d`}, in: []*onnxgraph.Tensor{T(d(3), "ab1", "ab1x", "1")},
			want: []*onnxgraph.Tensor{T(d(3), true, false, false)}},
		{name: "regex invalid", op: "RegexFullMatch", attrs: map[string]any{"pattern": `(`}, in: []*onnxgraph.Tensor{T(d(1), "a")}, err: eval.ErrInvalid},
	})
}

func TestRecurrent(t *testing.T) {
	// One step, input size 1, hidden size 1: hand-computable gates.
	x := T(d(1, 1, 1), float32(1))
	runCases(t, []opCase{
		{name: "rnn", op: "RNN", attrs: map[string]any{"hidden_size": int64(1)}, nout: 2,
			in:   []*onnxgraph.Tensor{x, T(d(1, 1, 1), float32(0.5)), T(d(1, 1, 1), float32(2)), nil, nil, T(d(1, 1, 1), float32(1))},
			want: []*onnxgraph.Tensor{T(d(1, 1, 1, 1), float32(math.Tanh(2.5))), T(d(1, 1, 1), float32(math.Tanh(2.5)))}, approx: true},
		{name: "gru", op: "GRU", attrs: map[string]any{"hidden_size": int64(1)}, nout: 2,
			// z = σ(0) = 0.5, r = σ(0), h~ = tanh(1), H = 0.5·tanh(1)
			in:   []*onnxgraph.Tensor{x, T(d(1, 3, 1), float32(0), 0, 1), T(d(1, 3, 1), float32(0), 0, 0)},
			want: []*onnxgraph.Tensor{nil, T(d(1, 1, 1), float32(0.5*math.Tanh(1)))}, approx: true},
		{name: "lstm", op: "LSTM", attrs: map[string]any{"hidden_size": int64(1)}, nout: 3,
			// i = o = f = σ(0) = 0.5, c~ = tanh(1): C = 0.5·tanh(1), H = 0.5·tanh(C)
			in: []*onnxgraph.Tensor{x, T(d(1, 4, 1), float32(0), 0, 0, 1), T(d(1, 4, 1), float32(0), 0, 0, 0)},
			want: []*onnxgraph.Tensor{nil, T(d(1, 1, 1), float32(0.5*math.Tanh(0.5*math.Tanh(1)))),
				T(d(1, 1, 1), float32(0.5*math.Tanh(1)))}, approx: true},
		{name: "bad direction", op: "RNN", attrs: map[string]any{"hidden_size": int64(1), "direction": "sideways"},
			in: []*onnxgraph.Tensor{x, T(d(1, 1, 1), float32(1)), T(d(1, 1, 1), float32(1))}, err: eval.ErrInvalid},
	})
}

func TestSignal(t *testing.T) {
	runCases(t, []opCase{
		{name: "dft real", op: "DFT", opset: 17, in: []*onnxgraph.Tensor{T(d(1, 4, 1), float32(1), 2, 3, 4)},
			want: []*onnxgraph.Tensor{T(d(1, 4, 2), float32(10), 0, -2, 2, -2, 0, -2, -2)}, approx: true},
		{name: "dft inverse", op: "DFT", opset: 17, attrs: map[string]any{"inverse": int64(1)},
			in:   []*onnxgraph.Tensor{T(d(1, 4, 2), float32(10), 0, -2, 2, -2, 0, -2, -2)},
			want: []*onnxgraph.Tensor{T(d(1, 4, 2), float32(1), 0, 2, 0, 3, 0, 4, 0)}, approx: true},
		{name: "dft onesided", op: "DFT", opset: 17, attrs: map[string]any{"onesided": int64(1)}, in: []*onnxgraph.Tensor{T(d(1, 4, 1), float32(1), 2, 3, 4)},
			want: []*onnxgraph.Tensor{T(d(1, 3, 2), float32(10), 0, -2, 2, -2, 0)}, approx: true},
		{name: "stft", op: "STFT", in: []*onnxgraph.Tensor{T(d(1, 4, 1), float32(1), 2, 3, 4), T(d(), int64(2)), nil, T(d(), int64(2))},
			want: []*onnxgraph.Tensor{T(d(1, 2, 2, 2), float32(3), 0, -1, 0, 7, 0, -1, 0)}, approx: true},
		{name: "hann", op: "HannWindow", attrs: map[string]any{"periodic": int64(0)}, in: []*onnxgraph.Tensor{T(d(), int64(3))},
			want: []*onnxgraph.Tensor{T(d(3), float32(0), 1, 0)}, approx: true},
		{name: "blackman", op: "BlackmanWindow", in: []*onnxgraph.Tensor{T(d(), int32(2))}, want: []*onnxgraph.Tensor{T(d(2), float32(0), 1)}, approx: true},
	})
}

func TestTraining(t *testing.T) {
	runCases(t, []opCase{
		{name: "momentum first step", domain: "ai.onnx.preview.training", op: "Momentum", attrs: map[string]any{"alpha": float32(0.5), "beta": float32(0.25), "mode": "standard", "norm_coefficient": float32(0)},
			in: []*onnxgraph.Tensor{T(d(), float32(0.1)), T(d(), int64(0)), T(d(1), float32(1)), T(d(1), float32(2)), T(d(1), float32(4))}, nout: 2,
			// v = 0.5·4 + 1·2 = 4, x = 1 - 0.1·4
			want: []*onnxgraph.Tensor{T(d(1), float32(0.6)), T(d(1), float32(4))}, approx: true},
		{name: "adagrad", domain: "ai.onnx.preview.training", op: "Adagrad", attrs: map[string]any{"decay_factor": float32(1)},
			in: []*onnxgraph.Tensor{T(d(), float32(1)), T(d(), int64(1)), T(d(1), float32(1)), T(d(1), float32(3)), T(d(1), float32(7))}, nout: 2,
			// rate 1/(1+1); h = 7 + 9 = 16; x = 1 - 0.5·3/4
			want: []*onnxgraph.Tensor{T(d(1), float32(0.625)), T(d(1), float32(16))}, approx: true},
	})
}
