package onnxgraph

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/onnxgraph/onnxgraph/onnxproto"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// fastDecodeDiff decodes b with the fast decoder and with the general path
// (unmarshalViews, and proto.Unmarshal) and reports how they differ: nil
// when the fast decoder left b to the general path, or when both give the
// same message (proto.Equal, and the same bytes under deterministic
// marshalling, which also holds unknown fields to their order and floats
// to their bits) with the same raw_data views.
func fastDecodeDiff(b []byte) (fast bool, err error) {
	type view struct {
		off, n int
		t      *onnxproto.TensorProto
	}
	var fastViews, genViews []view
	fp, ferr := fastDecode(b, func(t *onnxproto.TensorProto, off int) {
		fastViews = append(fastViews, view{off, len(t.RawData), t})
	})
	if ferr != nil {
		if ferr != errGeneral {
			return false, fmt.Errorf("fast decoder failed with %v, not errGeneral", ferr)
		}
		return false, nil
	}
	gp := new(onnxproto.ModelProto)
	cleared := false
	gerr := unmarshalViews(b, gp, func(t *onnxproto.TensorProto, off int) {
		if t == nil {
			genViews, cleared = nil, true
			return
		}
		genViews = append(genViews, view{off, len(t.RawData), t})
	})
	if gerr != nil {
		return true, fmt.Errorf("fast decoder accepts what the general path refuses: %v", gerr)
	}
	pp := new(onnxproto.ModelProto)
	if err := proto.Unmarshal(b, pp); err != nil {
		return true, fmt.Errorf("fast decoder accepts what proto.Unmarshal refuses: %v", err)
	}
	for _, want := range []*onnxproto.ModelProto{gp, pp} {
		if !proto.Equal(want, fp) {
			return true, fmt.Errorf("fast decoder differs:\nwant %v\ngot  %v", want, fp)
		}
		det := proto.MarshalOptions{Deterministic: true}
		wb, err1 := det.Marshal(want)
		fb, err2 := det.Marshal(fp)
		if err1 != nil || err2 != nil || !bytes.Equal(wb, fb) {
			return true, fmt.Errorf("fast decoder marshals differently (unknown fields, float bits or presence): %v %v\nwant %x\ngot  %x", err1, err2, wb, fb)
		}
	}
	// Every view is a view of b where the fast decoder says, and names the
	// same bytes as the general path's (which forgets them all on a
	// marker clash or a raw_data given twice, and then copies).
	for _, v := range fastViews {
		if v.n < minAlias || v.off < 0 || v.off+v.n > len(b) || &v.t.RawData[0] != &b[v.off] {
			return true, fmt.Errorf("fast decoder view of %d bytes at %d is not a view of the input", v.n, v.off)
		}
	}
	clash := false // a tensor holds the marker's number: the general path does not alias
	walkModelTensors(fp, func(t *onnxproto.TensorProto) {
		for u := t.ProtoReflect().GetUnknown(); len(u) > 0; {
			num, _, n := protowire.ConsumeField(u)
			if n < 0 {
				break
			}
			clash = clash || num == markerField
			u = u[n:]
		}
	})
	if !cleared && !clash {
		key := func(v view) [2]int { return [2]int{v.off, v.n} }
		fk, gk := make([][2]int, 0, len(fastViews)), make([][2]int, 0, len(genViews))
		for _, v := range fastViews {
			fk = append(fk, key(v))
		}
		for _, v := range genViews {
			gk = append(gk, key(v))
		}
		slices.SortFunc(fk, func(a, b [2]int) int { return a[0] - b[0] })
		slices.SortFunc(gk, func(a, b [2]int) int { return a[0] - b[0] })
		if !slices.Equal(fk, gk) {
			return true, fmt.Errorf("views differ: fast %v, general %v", fk, gk)
		}
	}
	return true, nil
}
