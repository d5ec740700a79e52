package onnxgraph_test

import (
	"encoding/binary"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph"
)

func int64Tensor(name string, vals ...int64) *onnxgraph.Tensor {
	raw := make([]byte, 8*len(vals))
	for i, v := range vals {
		binary.LittleEndian.PutUint64(raw[8*i:], uint64(v))
	}
	return must(onnxgraph.NewTensor(name, onnxgraph.Int64, []int64{int64(len(vals))}, raw))
}

// repeatedConstants builds x -> (Reshape to [1,-1] -> Gather idx -> Reshape
// back) k times, each with its own copies of the shape and index constants,
// half of them as Constant nodes.
func repeatedConstants(t testing.TB, k int) *onnxgraph.Model {
	m := onnxgraph.NewModel(8, map[string]int64{"": 17})
	g := m.Graph()
	v := must(g.AddInput("x", onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(4, 8))))
	for i := 0; i < k; i++ {
		s := strconv.Itoa(i)
		var flat, idx, back *onnxgraph.Value
		if i%2 == 0 {
			flat = must(g.AddInitializer(int64Tensor("flat_shape_"+s, 1, -1)))
			idx = must(g.AddInitializer(int64Tensor("idx_"+s, 3, 1, 2, 0, 7, 6, 5, 4)))
		} else {
			flat = must(g.AddNode("Constant", nil, []string{"flat_shape_" + s}, onnxgraph.AttrTensor("value", int64Tensor("c", 1, -1)))).Output(0)
			idx = must(g.AddNode("Constant", nil, []string{"idx_" + s}, onnxgraph.AttrTensor("value", int64Tensor("c", 3, 1, 2, 0, 7, 6, 5, 4)))).Output(0)
		}
		back = must(g.AddInitializer(int64Tensor("back_shape_"+s, 4, 8)))
		r := must(g.AddNode("Reshape", []*onnxgraph.Value{v, flat}, []string{"r" + s})).Output(0)
		_ = r
		r2 := must(g.AddNode("Reshape", []*onnxgraph.Value{v, back}, []string{"rb" + s})).Output(0)
		v = must(g.AddNode("Gather", []*onnxgraph.Value{r2, idx}, []string{"g" + s}, onnxgraph.AttrInt("axis", 1))).Output(0)
	}
	if err := g.AddOutput(v, nil); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestShrinkDedupe(t *testing.T) {
	m := repeatedConstants(t, 10)
	before := must(m.Bytes(nil))
	var r onnxgraph.ShrinkReport
	if err := m.Shrink(nil, &r).Err(); err != nil {
		t.Fatal(err)
	}
	sane(t, m)
	after := must(m.Bytes(nil))
	if len(after) >= len(before) {
		t.Fatalf("size %d -> %d", len(before), len(after))
	}
	// Three distinct constants remain: [1,-1], the index list, [4,8].
	if got := len(r.Duplicates); got != 3 {
		t.Errorf("%d groups, want 3: %v", got, r.Duplicates)
	}
	total := 0
	for _, d := range r.Duplicates {
		total += len(d)
	}
	if total != 27 {
		t.Errorf("%d duplicates removed, want 27", total)
	}
	if r.DedupeSaved != r.BytesBefore-r.BytesAfter {
		t.Errorf("saved %d, before-after %d", r.DedupeSaved, r.BytesBefore-r.BytesAfter)
	}
	// Idempotent.
	var r2 onnxgraph.ShrinkReport
	if err := m.Shrink(nil, &r2).Err(); err != nil {
		t.Fatal(err)
	}
	if len(r2.Duplicates) != 0 || string(must(m.Bytes(nil))) != string(after) {
		t.Errorf("second shrink changed the model: %v", r2.Duplicates)
	}
}

func TestShrinkDowncast(t *testing.T) {
	m := repeatedConstants(t, 2)
	var r onnxgraph.ShrinkReport
	if err := m.Shrink(&onnxgraph.ShrinkOptions{Downcast: true}, &r).Err(); err != nil {
		t.Fatal(err)
	}
	sane(t, m)
	// Gather indices may be int32; Reshape's shape must stay int64.
	if len(r.Narrowed) != 1 || !strings.HasPrefix(r.Narrowed[0], "idx_0:") {
		t.Errorf("narrowed %v", r.Narrowed)
	}
	for name, why := range r.NotNarrowed {
		if !strings.Contains(why, "Reshape") {
			t.Errorf("%s not narrowed: %s", name, why)
		}
	}
	idx, _ := m.Graph().Value("idx_0")
	raw := must(idx.Initializer().Bytes())
	want := []int32{3, 1, 2, 0, 7, 6, 5, 4}
	if idx.Initializer().DataType() != onnxgraph.Int32 || len(raw) != 4*len(want) {
		t.Fatalf("idx_0 is %v with %d bytes", idx.Initializer().DataType(), len(raw))
	}
	for i, w := range want {
		if got := int32(binary.LittleEndian.Uint32(raw[4*i:])); got != w {
			t.Errorf("value %d = %d, want %d", i, got, w)
		}
	}
}

func TestShrinkDowncastWithCasts(t *testing.T) {
	// k = [2,16] is read by Gather (indices: int32 is fine) and by Reshape
	// (shape: must be int64), so narrowing it needs a Cast for Reshape.
	m := onnxgraph.NewModel(8, map[string]int64{"": 17})
	g := m.Graph()
	x := must(g.AddInput("x", onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(4, 8))))
	flatShape := must(g.AddInitializer(int64Tensor("flat", 32)))
	k := must(g.AddInitializer(int64Tensor("k", 2, 16)))
	flat := must(g.AddNode("Reshape", []*onnxgraph.Value{x, flatShape}, []string{"x_flat"})).Output(0)
	picked := must(g.AddNode("Gather", []*onnxgraph.Value{flat, k}, []string{"picked"})).Output(0)
	reshaped := must(g.AddNode("Reshape", []*onnxgraph.Value{x, k}, []string{"reshaped"})).Output(0)
	_ = g.AddOutput(picked, nil)
	_ = g.AddOutput(reshaped, nil)
	var r onnxgraph.ShrinkReport
	if err := m.Shrink(&onnxgraph.ShrinkOptions{Downcast: true, CastWhereNeeded: true}, &r).Err(); err != nil {
		t.Fatal(err)
	}
	sane(t, m)
	if len(r.Casts) != 1 || len(r.Narrowed) != 1 || !strings.HasPrefix(r.Narrowed[0], "k:") {
		t.Fatalf("casts %v, narrowed %v, not narrowed %v", r.Casts, r.Narrowed, r.NotNarrowed)
	}
	if !strings.Contains(r.NotNarrowed["flat"], "every reader needs int64") {
		t.Errorf("flat: %q", r.NotNarrowed["flat"])
	}
	// Reshape now reads the Cast's output, Gather reads k directly.
	reshape, _ := reshaped.Producer()
	if cast, _ := reshape.Input(1).Producer(); cast == nil || cast.OpType() != "Cast" {
		t.Errorf("Reshape reads %q", reshape.Input(1).Name())
	}
	gather, _ := picked.Producer()
	if gather.Input(1) != k || k.Initializer().DataType() != onnxgraph.Int32 {
		t.Errorf("Gather reads %q of type %v", gather.Input(1).Name(), k.Initializer().DataType())
	}
}

func TestShrinkValueOutOfRange(t *testing.T) {
	m := onnxgraph.NewModel(8, map[string]int64{"": 17})
	g := m.Graph()
	x := must(g.AddInput("x", onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(4))))
	big := must(g.AddInitializer(int64Tensor("big", 1<<40)))
	n := must(g.AddNode("Gather", []*onnxgraph.Value{x, big}, []string{"y"}))
	_ = g.AddOutput(n.Output(0), nil)
	var r onnxgraph.ShrinkReport
	if err := m.Shrink(&onnxgraph.ShrinkOptions{Downcast: true}, &r).Err(); err != nil {
		t.Fatal(err)
	}
	if len(r.Narrowed) != 0 || !strings.Contains(r.NotNarrowed["big"], "does not fit") {
		t.Errorf("narrowed %v, not narrowed %v", r.Narrowed, r.NotNarrowed)
	}
}

func TestShrinkToNPY(t *testing.T) {
	m := repeatedConstants(t, 2)
	dir := t.TempDir()
	var r onnxgraph.ShrinkReport
	if err := m.Shrink(&onnxgraph.ShrinkOptions{NPYDir: dir, NPYThreshold: 40, NPYNames: []string{"back_shape_0"}}, &r).Err(); err != nil {
		t.Fatal(err)
	}
	sane(t, m)
	// idx_0 (64 bytes) goes by size, back_shape_0 (16 bytes) by name;
	// flat_shape_0 (16 bytes) stays.
	if len(r.NPYFiles) != 2 || r.NPYFiles["idx_0"] == "" || r.NPYFiles["back_shape_0"] == "" {
		t.Fatalf("files %v", r.NPYFiles)
	}
	idx, _ := m.Graph().Value("idx_0")
	if !idx.IsGraphInput() || idx.Initializer() != nil || idx.ElemType() != onnxgraph.Int64 {
		t.Errorf("idx_0 input=%v init=%v type=%v", idx.IsGraphInput(), idx.Initializer(), idx.ElemType())
	}
	back, err := onnxgraph.ReadNPYFile(r.NPYFiles["idx_0"])
	if err != nil {
		t.Fatal(err)
	}
	if got := must(back.Int64s()); len(got) != 8 || got[0] != 3 || got[7] != 4 {
		t.Errorf("npy holds %v", got)
	}
	if err := onnxgraph.NewModel(8, nil).Shrink(&onnxgraph.ShrinkOptions{NPYDir: dir, NPYNames: []string{"nosuch"}}, nil).Err(); !errors.Is(err, onnxgraph.ErrNotFound) {
		t.Errorf("unknown name: %v", err)
	}
}

// TestShrinkReadsOnlyPossibleDuplicates dedupes an external-data model
// whose data file is gone: constants of distinct sizes cannot be
// duplicates, so none is read and nothing fails.
func TestShrinkReadsOnlyPossibleDuplicates(t *testing.T) {
	m := onnxgraph.NewModel(8, map[string]int64{"": 17})
	g := m.Graph()
	v := must(g.AddInput("x", onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(1))))
	for i := 1; i <= 4; i++ {
		raw := make([]byte, 4*1024*i) // each a different size
		w := must(g.AddInitializer(must(onnxgraph.NewTensor("w"+strconv.Itoa(i), onnxgraph.Float, []int64{int64(1024 * i)}, raw))))
		v = must(g.AddNode("Add", []*onnxgraph.Value{v, w}, []string{"h" + strconv.Itoa(i)})).Output(0)
	}
	_ = g.AddOutput(v, nil)
	dir := t.TempDir()
	path := dir + "/m.onnx"
	if err := m.SaveWith(path, &onnxgraph.SaveOptions{External: onnxgraph.ExternalSingle, Location: "w.bin"}); err != nil {
		t.Fatal(err)
	}
	loaded := must(onnxgraph.Open(path, &onnxgraph.LoadOptions{SkipExternalCheck: true}))
	if err := os.Remove(dir + "/w.bin"); err != nil {
		t.Fatal(err)
	}
	var r onnxgraph.ShrinkReport
	if err := loaded.Shrink(nil, &r).Err(); err != nil {
		t.Fatalf("shrink read a tensor it did not need: %v", err)
	}
	if len(r.Duplicates) != 0 {
		t.Errorf("duplicates %v", r.Duplicates)
	}
}
