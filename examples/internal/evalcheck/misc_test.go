package evalcheck_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/onnxgraph/onnxgraph/examples/internal/ort/orttest"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
)

func randInts(r *rand.Rand, lo, hi int64, dims ...int64) *onnxgraph.Tensor {
	v := make([]int64, onnxgraph.NumElements(dims))
	for i := range v {
		v[i] = lo + r.Int64N(hi-lo+1)
	}
	t, _ := onnxgraph.TensorFrom("", dims, v)
	return t
}

// TestRandomMisc compares random nodes of the indexing, reduction,
// quantization and sampling kernels.
func TestRandomMisc(t *testing.T) {
	orttest.Require(t)
	r := rand.New(rand.NewPCG(seedOf(13), 14))
	var cases []diffCase
	add := func(c diffCase) {
		c.name = fmt.Sprintf("%s %d", c.name, len(cases))
		cases = append(cases, c)
	}
	for range 6 {
		axis := int64(r.IntN(3) - 1)
		add(diffCase{name: "gather", op: "Gather", opset: 13, attrs: []*onnxproto.AttributeProto{onnxgraph.AttrInt("axis", axis)},
			in: []*onnxgraph.Tensor{randF32(r, 3, 4), randInts(r, -3, 2, 2, 2)}})
		add(diffCase{name: "gather elements", op: "GatherElements", opset: 13, attrs: []*onnxproto.AttributeProto{onnxgraph.AttrInt("axis", axis)},
			in: []*onnxgraph.Tensor{randF32(r, 3, 4), randInts(r, -3, 2, 3, 4)}})
		add(diffCase{name: "scatter elements", op: "ScatterElements", opset: 18,
			attrs: []*onnxproto.AttributeProto{onnxgraph.AttrInt("axis", axis), onnxgraph.AttrString("reduction", pick(r, "none", "add", "mul", "max", "min"))},
			in:    []*onnxgraph.Tensor{randF32(r, 3, 4), randInts(r, 0, 2, 2, 3), randF32(r, 2, 3)}})
		add(diffCase{name: "gather nd", op: "GatherND", opset: 13, attrs: []*onnxproto.AttributeProto{onnxgraph.AttrInt("batch_dims", 1)},
			in: []*onnxgraph.Tensor{randF32(r, 2, 3, 4), randInts(r, -2, 2, 2, 2, 1)}})
		add(diffCase{name: "slice", op: "Slice", opset: 13,
			in: []*onnxgraph.Tensor{randF32(r, 5, 6), randInts(r, -7, 7, 2), randInts(r, -7, 7, 2), i64(0, 1), i64(int64(pick(r, -2, -1, 1, 2)), int64(pick(r, -3, -1, 1, 3)))}})
		add(diffCase{name: "pad", op: "Pad", opset: 19, attrs: []*onnxproto.AttributeProto{onnxgraph.AttrString("mode", pick(r, "constant", "reflect", "edge", "wrap"))},
			in: []*onnxgraph.Tensor{randF32(r, 3, 4), randInts(r, 0, 2, 4)}})
		add(diffCase{name: "softmax", op: pick(r, "Softmax", "LogSoftmax", "Hardmax"), opset: 13, attrs: []*onnxproto.AttributeProto{onnxgraph.AttrInt("axis", int64(r.IntN(3)))},
			in: []*onnxgraph.Tensor{randF32(r, 2, 3, 4)}})
		add(diffCase{name: "reduce", op: pick(r, "ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2", "ReduceLogSumExp", "ReduceSumSquare"),
			opset: 18, attrs: []*onnxproto.AttributeProto{onnxgraph.AttrInt("keepdims", int64(r.IntN(2)))},
			in: []*onnxgraph.Tensor{randF32(r, 2, 3, 4), i64(int64(r.IntN(2)), -1)}})
		add(diffCase{name: "topk", op: "TopK", opset: 11, nout: 2, attrs: []*onnxproto.AttributeProto{onnxgraph.AttrInt("largest", int64(r.IntN(2))), onnxgraph.AttrInt("axis", axis)},
			in: []*onnxgraph.Tensor{randF32(r, 3, 4), i64(int64(1 + r.IntN(3)))}})
		add(diffCase{name: "cumsum", op: "CumSum", opset: 14, attrs: []*onnxproto.AttributeProto{onnxgraph.AttrInt("exclusive", int64(r.IntN(2))), onnxgraph.AttrInt("reverse", int64(r.IntN(2)))},
			in: []*onnxgraph.Tensor{randF32(r, 3, 4), i64s(axis)}})
		add(diffCase{name: "einsum", op: "Einsum", opset: 12, attrs: []*onnxproto.AttributeProto{onnxgraph.AttrString("equation", "bij,bjk->bik")},
			in: []*onnxgraph.Tensor{randF32(r, 2, 3, 4), randF32(r, 2, 4, 5)}})
		add(diffCase{name: "einsum reduce", op: "Einsum", opset: 12, attrs: []*onnxproto.AttributeProto{onnxgraph.AttrString("equation", "ij,j->i")},
			in: []*onnxgraph.Tensor{randF32(r, 3, 4), randF32(r, 4)}})
		add(diffCase{name: "quantize blocked int4", op: "QuantizeLinear", opset: 21,
			attrs: []*onnxproto.AttributeProto{onnxgraph.AttrInt("axis", 1), onnxgraph.AttrInt("block_size", 2), onnxgraph.AttrInt("output_dtype", int64(onnxproto.TensorProto_INT4))},
			in:    []*onnxgraph.Tensor{randF32(r, 3, 4), f32([]int64{3, 2}, 0.3, 0.5, 0.2, 0.7, 0.25, 0.4)}})
		add(diffCase{name: "quantize per axis", op: "QuantizeLinear", opset: 21, attrs: []*onnxproto.AttributeProto{onnxgraph.AttrInt("axis", 0)},
			in: []*onnxgraph.Tensor{randF32(r, 3, 4), f32([]int64{3}, 0.01, 0.02, 0.03)}})
		add(diffCase{name: "cast float8", op: "Cast", opset: 21, attrs: []*onnxproto.AttributeProto{onnxgraph.AttrInt("to", int64(pick(r, onnxproto.TensorProto_FLOAT8E4M3FN, onnxproto.TensorProto_FLOAT8E5M2))),
			onnxgraph.AttrInt("saturate", int64(r.IntN(2)))}, in: []*onnxgraph.Tensor{awayFrom(scaled(randF32(r, 3, 4), 300), 440, 520)}})
		add(diffCase{name: "grid sample", op: "GridSample", opset: 20,
			attrs: []*onnxproto.AttributeProto{onnxgraph.AttrString("mode", pick(r, "nearest", "linear", "cubic")), onnxgraph.AttrString("padding_mode", pick(r, "zeros", "border", "reflection")),
				onnxgraph.AttrInt("align_corners", int64(r.IntN(2)))},
			in: []*onnxgraph.Tensor{randF32(r, 1, 2, 4, 5), scaled(randF32(r, 1, 3, 2, 2), 0.8)}})
		add(diffCase{name: "grid sample 3d", op: "GridSample", opset: 20,
			attrs: []*onnxproto.AttributeProto{onnxgraph.AttrString("mode", pick(r, "nearest", "linear")), onnxgraph.AttrString("padding_mode", pick(r, "zeros", "border", "reflection")),
				onnxgraph.AttrInt("align_corners", int64(r.IntN(2)))},
			in: []*onnxgraph.Tensor{randF32(r, 1, 2, 3, 4, 5), scaled(randF32(r, 1, 2, 2, 2, 3), 0.8)}})
		add(diffCase{name: "roi align", op: "RoiAlign", opset: 16,
			attrs: []*onnxproto.AttributeProto{onnxgraph.AttrString("mode", pick(r, "avg", "max")), onnxgraph.AttrInt("output_height", 2), onnxgraph.AttrInt("output_width", 3),
				onnxgraph.AttrInt("sampling_ratio", int64(r.IntN(3))), onnxgraph.AttrFloat("spatial_scale", 0.5)},
			in: []*onnxgraph.Tensor{randF32(r, 2, 2, 6, 7), f32([]int64{2, 4}, 0, 1, 8, 10, 2, 0, 13, 5), i64(1, 0)}})
		add(diffCase{name: "trilu", op: "Trilu", opset: 14, attrs: []*onnxproto.AttributeProto{onnxgraph.AttrInt("upper", int64(r.IntN(2)))},
			in: []*onnxgraph.Tensor{randF32(r, 2, 3, 4), i64s(int64(r.IntN(5) - 2))}})
		add(diffCase{name: "depth to space", op: "DepthToSpace", opset: 13, attrs: []*onnxproto.AttributeProto{onnxgraph.AttrInt("blocksize", 2), onnxgraph.AttrString("mode", pick(r, "DCR", "CRD"))},
			in: []*onnxgraph.Tensor{randF32(r, 1, 8, 2, 3)}})
	}
	for _, c := range cases {
		t.Run(c.name, c.run)
	}
}

func scaled(t *onnxgraph.Tensor, k float32) *onnxgraph.Tensor {
	v, _ := t.Float32s()
	for i := range v {
		v[i] *= k
	}
	out, _ := onnxgraph.TensorFrom("", t.Dims(), v)
	return out
}

// awayFrom zeroes the values whose magnitude is in [lo, hi]: ONNX Runtime
// casts magnitudes in [480, 512) to float8e4m3fn as 448 even without
// saturation, where ONNX's reference and eval give NaN.
func awayFrom(t *onnxgraph.Tensor, lo, hi float32) *onnxgraph.Tensor {
	v, _ := t.Float32s()
	for i, x := range v {
		if a := max(x, -x); a >= lo && a <= hi {
			v[i] = 0
		}
	}
	out, _ := onnxgraph.TensorFrom("", t.Dims(), v)
	return out
}
