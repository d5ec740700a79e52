package shapeinfer_test

import (
	"bytes"
	"image"
	"image/png"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
)

func TestImageFamily(t *testing.T) {
	ai := onnxgraph.AttrInt
	ais := onnxgraph.AttrInts
	as := onnxgraph.AttrString
	fl := func(name string, v ...float32) famIn { return famC(name, f32, v, int64(len(v))) }
	// A 5x3 PNG for ImageDecoder.
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 5, 3))); err != nil {
		t.Fatal(err)
	}
	pngBytes := buf.Bytes()
	famRun(t, []famCase{
		{name: "Resize-10", op: "Resize", opset: 10, in: []famIn{famT("x", f32, 1, 1, 2, 4), fl("s", 1, 1, 0.6, 0.6)}, want: []string{"float32[1,1,1,2]"}},
		{name: "Resize-13-sizes", op: "Resize", opset: 13, in: []famIn{famT("x", f32, 1, 1, 4, 4), famMissing, famMissing, famI64("sz", 1, 1, 3, 1)}, want: []string{"float32[1,1,3,1]"}},
		{name: "Resize-11-empty-scales", op: "Resize", opset: 11, in: []famIn{famT("x", f32, 1, 1, 4, 4), famC("roi", f32, []float32{}, 0), famC("s", f32, []float32{}, 0), famI64("sz", 1, 1, 9, 10)}, want: []string{"float32[1,1,9,10]"}},
		{name: "Resize-13-symbolic-scales", op: "Resize", opset: 13, in: []famIn{famT("x", f32, "N", 3, "H", "W"), famMissing, fl("s", 1, 1, 2, 0.5)}, want: []string{"float32[N,3,2*H,floor(W/2)]"}},
		// Opset 18 and 19, from the spec's examples: axes and
		// keep_aspect_ratio_policy.
		{name: "Resize-18-axes-scales", op: "Resize", opset: 18, in: []famIn{famT("x", f32, 1, 1, 2, 2), famMissing, fl("s", 2, 3)}, attrs: []*onnxproto.AttributeProto{ais("axes", 2, 3)}, want: []string{"float32[1,1,4,6]"}},
		{name: "Resize-18-axes-reversed", op: "Resize", opset: 18, in: []famIn{famT("x", f32, 1, 1, 2, 2), famMissing, fl("s", 3, 2)}, attrs: []*onnxproto.AttributeProto{ais("axes", 3, 2)}, want: []string{"float32[1,1,4,6]"}},
		{name: "Resize-18-not-larger-down", op: "Resize", opset: 18, in: []famIn{famT("x", f32, 1, 1, 2, 4), famMissing, famMissing, famI64("sz", 1, 3)}, attrs: []*onnxproto.AttributeProto{ais("axes", 2, 3), as("keep_aspect_ratio_policy", "not_larger")}, want: []string{"float32[1,1,1,2]"}},
		{name: "Resize-18-not-smaller-down", op: "Resize", opset: 18, in: []famIn{famT("x", f32, 1, 1, 2, 4), famMissing, famMissing, famI64("sz", 1, 3)}, attrs: []*onnxproto.AttributeProto{ais("axes", 2, 3), as("keep_aspect_ratio_policy", "not_smaller")}, want: []string{"float32[1,1,2,3]"}},
		{name: "Resize-18-not-larger-up", op: "Resize", opset: 18, in: []famIn{famT("x", f32, 1, 1, 2, 2), famMissing, famMissing, famI64("sz", 7, 8)}, attrs: []*onnxproto.AttributeProto{ais("axes", 2, 3), as("keep_aspect_ratio_policy", "not_larger")}, want: []string{"float32[1,1,7,7]"}},
		{name: "Resize-19-not-smaller-up", op: "Resize", opset: 19, in: []famIn{famT("x", f32, 1, 1, 2, 2), famMissing, famMissing, famI64("sz", 7, 8)}, attrs: []*onnxproto.AttributeProto{ais("axes", 2, 3), as("keep_aspect_ratio_policy", "not_smaller")}, want: []string{"float32[1,1,8,8]"}},
		{name: "Resize-19-antialias", op: "Resize", opset: 19, in: []famIn{famT("x", f32, 1, 1, 4, 4), famMissing, fl("s", 1, 1, 0.6, 0.6)}, attrs: []*onnxproto.AttributeProto{ai("antialias", 1), as("mode", "linear")}, want: []string{"float32[1,1,2,2]"}},
		{name: "Resize-19-both", op: "Resize", opset: 19, in: []famIn{famT("x", f32, 1, 1, 4, 4), famMissing, fl("s", 1, 1, 2, 2), famI64("sz", 1, 1, 3, 3)}, want: []string{"-"}, code: shapeinfer.CodeInvalid},
		{name: "Resize-19-unknown-sizes", op: "Resize", opset: 19, in: []famIn{famT("x", f32, 1, 3, 4, 4), famMissing, famMissing, famT("sz", i64, 2)}, attrs: []*onnxproto.AttributeProto{ais("axes", 2, 3)}, want: []string{"float32[1,3,unk__1,unk__2]"}},
		{name: "Upsample-7", op: "Upsample", opset: 7, in: []famIn{famT("x", f32, 1, 1, 2, 2)}, attrs: []*onnxproto.AttributeProto{onnxgraph.AttrFloats("scales", 1, 1, 2, 3)}, want: []string{"float32[1,1,4,6]"}},
		{name: "Upsample-9", op: "Upsample", opset: 9, in: []famIn{famT("x", f32, 1, 1, 2, 2), fl("s", 1, 1, 2, 3)}, want: []string{"float32[1,1,4,6]"}},
		{name: "Upsample-1", op: "Upsample", opset: 1, in: []famIn{famT("x", f32, 1, 1, 2, 2)}, attrs: []*onnxproto.AttributeProto{onnxgraph.AttrFloat("height_scale", 2), onnxgraph.AttrFloat("width_scale", 3)}, want: []string{"float32[1,1,4,6]"}},
		{name: "DepthToSpace", op: "DepthToSpace", opset: 13, in: []famIn{famT("x", f32, "N", 8, 2, 3)}, attrs: []*onnxproto.AttributeProto{ai("blocksize", 2), as("mode", "CRD")}, want: []string{"float32[N,2,4,6]"}},
		{name: "DepthToSpace-bad", op: "DepthToSpace", opset: 13, in: []famIn{famT("x", f32, 1, 6, 2, 3)}, attrs: []*onnxproto.AttributeProto{ai("blocksize", 2)}, want: []string{"-"}, code: shapeinfer.CodeInvalid},
		{name: "SpaceToDepth", op: "SpaceToDepth", opset: 13, in: []famIn{famT("x", f32, 1, "C", 4, 6)}, attrs: []*onnxproto.AttributeProto{ai("blocksize", 2)}, want: []string{"float32[1,4*C,2,3]"}},
		{name: "GridSample-16", op: "GridSample", opset: 16, in: []famIn{famT("x", f32, "N", 3, 4, 4), famT("g", f32, "N", 6, 6, 2)}, want: []string{"float32[N,3,6,6]"}},
		// Opset 20: volumetric sampling (the spec's example).
		{name: "GridSample-20-volumetric", op: "GridSample", opset: 20, in: []famIn{famT("x", f32, 1, 1, 3, 2, 2), famT("g", f32, 1, 2, 4, 2, 3)}, attrs: []*onnxproto.AttributeProto{as("mode", "nearest")}, want: []string{"float32[1,1,2,4,2]"}},
		{name: "GridSample-22-bad-grid", op: "GridSample", opset: 22, in: []famIn{famT("x", f32, 1, 1, 3, 2), famT("g", f32, 1, 2, 4, 3)}, want: []string{"-"}, code: shapeinfer.CodeInvalid},
		{name: "AffineGrid-2d", op: "AffineGrid", opset: 20, in: []famIn{famT("t", f32, 2, 2, 3), famI64("s", 2, 3, 5, 6)}, want: []string{"float32[2,5,6,2]"}},
		{name: "AffineGrid-3d", op: "AffineGrid", opset: 20, in: []famIn{famT("t", f32, 2, 3, 4), famI64("s", 2, 3, 4, 5, 6)}, attrs: []*onnxproto.AttributeProto{ai("align_corners", 1)}, want: []string{"float32[2,4,5,6,3]"}},
		{name: "AffineGrid-unknown-size", op: "AffineGrid", opset: 20, in: []famIn{famT("t", f32, "N", 2, 3), famT("s", i64, 4)}, want: []string{"float32[N,unk__2,unk__3,2]"}},
		// Col2Im, opset 18 (the spec's examples).
		{name: "Col2Im", op: "Col2Im", opset: 18, in: []famIn{famT("x", f32, 1, 5, 5), famI64("i", 5, 5), famI64("b", 1, 5)}, want: []string{"float32[1,1,5,5]"}},
		{name: "Col2Im-5d", op: "Col2Im", opset: 18, in: []famIn{famT("x", f32, 1, 10, 12), famI64("i", 3, 4, 5), famI64("b", 1, 1, 5)}, want: []string{"float32[1,2,3,4,5]"}},
		{name: "Col2Im-pads", op: "Col2Im", opset: 18, in: []famIn{famT("x", f32, 1, 5, 15), famI64("i", 5, 5), famI64("b", 1, 5)}, attrs: []*onnxproto.AttributeProto{ais("pads", 0, 1, 0, 1)}, want: []string{"float32[1,1,5,5]"}},
		{name: "Col2Im-bad-channels", op: "Col2Im", opset: 18, in: []famIn{famT("x", f32, 1, 7, 5), famI64("i", 5, 5), famI64("b", 1, 5)}, want: []string{"-"}, code: shapeinfer.CodeInvalid},
		// ImageDecoder, opset 20.
		{name: "ImageDecoder-unknown", op: "ImageDecoder", opset: 20, in: []famIn{famT("e", onnxgraph.Uint8, "L")}, want: []string{"uint8[unk__1,unk__2,3]"}},
		{name: "ImageDecoder-png", op: "ImageDecoder", opset: 20, in: []famIn{famC("e", onnxgraph.Uint8, pngBytes, int64(len(pngBytes)))}, attrs: []*onnxproto.AttributeProto{as("pixel_format", "Grayscale")}, want: []string{"uint8[3,5,1]"}},
		{name: "ImageDecoder-bad-format", op: "ImageDecoder", opset: 20, in: []famIn{famT("e", onnxgraph.Uint8, 10)}, attrs: []*onnxproto.AttributeProto{as("pixel_format", "CMYK")}, want: []string{"-"}, code: shapeinfer.CodeInvalid},
		// NonMaxSuppression runs on known inputs (the spec's
		// suppress_by_IOU example selects 3 boxes; with a score threshold
		// of 0.4, 2).
		{name: "NonMaxSuppression-known", op: "NonMaxSuppression", opset: 11, in: nmsInputs(3, 0.5, 0), want: []string{"int64[3,3]"}},
		{name: "NonMaxSuppression-scores", op: "NonMaxSuppression", opset: 11, in: nmsInputs(3, 0.5, 0.4), want: []string{"int64[2,3]"}},
		{name: "NonMaxSuppression-limit", op: "NonMaxSuppression", opset: 10, in: nmsInputs(2, 0.5, 0), want: []string{"int64[2,3]"}},
		{name: "NonMaxSuppression-unknown", op: "NonMaxSuppression", opset: 11, in: []famIn{famT("b", f32, 1, 6, 4), famT("s", f32, 1, 1, 6)}, want: []string{"int64[unk__1,3]"}},
	})
}

// nmsInputs are the boxes and scores of the spec's NonMaxSuppression
// examples with the given limits.
func nmsInputs(maxOut int64, iou, score float32) []famIn {
	boxes := []float32{0, 0, 1, 1, 0, 0.1, 1, 1.1, 0, -0.1, 1, 0.9, 0, 10, 1, 11, 0, 10.1, 1, 11.1, 0, 100, 1, 101}
	scores := []float32{0.9, 0.75, 0.6, 0.95, 0.5, 0.3}
	return []famIn{
		famC("boxes", f32, boxes, 1, 6, 4),
		famC("scores", f32, scores, 1, 1, 6),
		famC("max", i64, []int64{maxOut}, 1),
		famC("iou", f32, []float32{iou}, 1),
		famC("score", f32, []float32{score}, 1),
	}
}
