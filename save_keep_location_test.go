package onnxgraph_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/onnxgraph/onnxgraph"
)

// TestSaveKeepLocation saves a model with external data that an edit gave
// new tensors, with ExternalKeep and a Location: the external tensor stays
// in its file at its offset, new tensors of at least Threshold bytes go to
// the Location (another name when a kept file has that one), smaller ones
// stay inline, and every tensor reads back the same. Without a Location
// the new tensors stay inline.
func TestSaveKeepLocation(t *testing.T) {
	big := func(name string, seed byte) *onnxgraph.Tensor {
		raw := make([]byte, 4096)
		for i := range raw {
			raw[i] = seed + byte(i)
		}
		return must(onnxgraph.NewTensor(name, onnxgraph.Float, []int64{1024}, raw))
	}
	src := filepath.Join(t.TempDir(), "model.onnx")
	m := onnxgraph.NewModel(8, map[string]int64{"": 17})
	must(m.Graph().AddInitializer(big("E", 1)))
	if err := m.SaveWith(src, &onnxgraph.SaveOptions{External: onnxgraph.ExternalSingle, Location: "weights.bin"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, location, want string
	}{
		{"new file", "new.bin", "new.bin"},
		{"name of the kept file", "weights.bin", "weights.bin.1"},
		{"no location", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := onnxgraph.Open(src, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			g := m.Graph()
			must(g.AddInitializer(big("N", 7)))
			must(g.AddInitializer(must(onnxgraph.NewTensorOf("S", onnxgraph.Int64, []int64{2}, []int64{3, 4}))))
			out := filepath.Join(t.TempDir(), "out.onnx")
			if err := m.SaveWith(out, &onnxgraph.SaveOptions{Location: tc.location, Threshold: 1024}); err != nil {
				t.Fatal(err)
			}
			saved, err := onnxgraph.Open(out, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer saved.Close()
			where := map[string]string{}
			for _, v := range saved.Graph().Initializers() {
				tn := v.Initializer()
				if tn.IsExternal() {
					ref, _ := tn.External()
					where[v.Name()] = ref.Location
					if v.Name() == "E" && ref.Offset != 0 {
						t.Errorf("E moved to offset %d", ref.Offset)
					}
				}
				got, err := tn.Bytes()
				if err != nil {
					t.Fatal(err)
				}
				orig, _ := g.Value(v.Name())
				want, _ := orig.Initializer().Bytes()
				if !bytes.Equal(got, want) {
					t.Errorf("%s reads back differently", v.Name())
				}
			}
			if where["E"] != "weights.bin" || where["N"] != tc.want || where["S"] != "" {
				t.Errorf("locations %v, want E in weights.bin, N in %q, S inline", where, tc.want)
			}
			if tc.want != "" {
				if _, err := os.Stat(filepath.Join(filepath.Dir(out), tc.want)); err != nil {
					t.Error(err)
				}
			}
		})
	}
}
