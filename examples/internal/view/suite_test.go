package view

import (
	"testing"

	"github.com/onnxgraph/onnxgraph/internal/suitetest"
)

// TestSuiteModels opens every model of the ONNX backend test suite in a
// session: its first view, everything opened, the details of every box
// and a search, without an error on a model that loads. It skips without
// the suite (libonnx-testdata), except under CI.
func TestSuiteModels(t *testing.T) {
	paths := suitetest.Models(t, "node", "pytorch-converted", "pytorch-operator", "simple")
	loaded := 0
	for _, p := range paths {
		s := OpenSession(p)
		st := s.Status()
		if st.Error != "" {
			continue
		}
		loaded++
		first, err := s.Level(levelRequest{Auto: true})
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		var all []string
		for _, it := range s.cur.tree.items {
			if it.key != "" {
				all = append(all, it.key)
			}
		}
		for _, lr := range []bool{false, true} {
			lv, err := s.Level(levelRequest{Expanded: all, LR: lr})
			if err != nil {
				t.Errorf("%s: %v", p, err)
				continue
			}
			for _, it := range lv.Items {
				if it.W <= 0 || it.H <= 0 || it.X < 0 || it.Y < 0 || it.X+it.W > lv.Width+1 || it.Y+it.H > lv.Height+1 {
					t.Errorf("%s: box %s at %v,%v size %vx%v outside %vx%v", p, it.Key, it.X, it.Y, it.W, it.H, lv.Width, lv.Height)
				}
			}
			for _, e := range lv.Edges {
				if len(e.Points) < 2 {
					t.Errorf("%s: edge %s -> %s has %d points", p, e.From, e.To, len(e.Points))
				}
			}
		}
		for _, it := range first.Items {
			if _, err := s.Details(it.Key); err != nil {
				t.Errorf("%s: details of %s: %v", p, it.Key, err)
			}
		}
		if _, _, err := s.Search("a", ""); err != nil {
			t.Errorf("%s: search: %v", p, err)
		}
		s.Close()
	}
	t.Logf("%d of %d suite models opened", loaded, len(paths))
	if loaded < len(paths)*9/10 {
		t.Errorf("only %d of %d models loaded", loaded, len(paths))
	}
}
