package onnxgraph

import (
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// SetEditHook sets the function every plain-form edit and Merge runs on
// its model when it ends (the tests' Sanity check).
func SetEditHook(f func(*Model)) { editHook = f }

// FastDecodeDiff decodes b with the fast decoder and the general path and
// reports how the two differ (see fastDecodeDiff); fast says whether the
// fast decoder took b rather than leave it to the general path.
func FastDecodeDiff(b []byte) (fast bool, err error) { return fastDecodeDiff(b) }

// EncodeDiff reports how the save encoder's bytes for mp differ from
// proto.Marshal's (see encodeDiff).
func EncodeDiff(mp *onnxproto.ModelProto) error { return encodeDiff(mp) }

// SaveBytesDiff reports how m.Bytes differs from protobuf's encoding of
// the model in the layout of saves (see saveBytesDiff).
func SaveBytesDiff(m *Model) error { return saveBytesDiff(m) }

// KindWireType is the wire type of one value of a field of kind k.
func KindWireType(k protoreflect.Kind) protowire.Type { return kindWireType(k) }

// Float64ToFloat16 is the general rounding to float16 (float64ToFloat16),
// which Float32ToFloat16's bit path must agree with.
func Float64ToFloat16(x float64) uint16 { return float64ToFloat16(x) }

// SetStreamOwn sets the smallest graph element a read of unknown size
// holds in a buffer of its own, and returns the previous value.
func SetStreamOwn(n uint64) uint64 { old := streamOwn; streamOwn = n; return old }
