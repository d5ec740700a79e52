package simplify

import (
	"bytes"
	"context"
	"reflect"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/samples"
)

// TestGuard makes a pass misbehave (panic, or leave the model invalid)
// and checks that Simplify does not fail: it runs again checking after
// each pass, turns the culprit off, reports it, and still applies the
// other passes to a valid model.
func TestGuard(t *testing.T) {
	for _, tc := range []struct {
		name string
		hook func(pass string, g *onnxgraph.Graph)
		off  string
	}{
		{"panic", func(pass string, g *onnxgraph.Graph) {
			if pass == "cse" {
				panic("a bug")
			}
		}, "cse"},
		{"invalid result", func(pass string, g *onnxgraph.Graph) {
			if pass == "share" {
				for _, n := range g.Nodes() {
					if n.OpType() == "Relu" {
						n.SetAttr(onnxgraph.AttrString("no_such_attribute", "x")) // the checker rejects it
					}
				}
			}
		}, "share"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			passHook = tc.hook
			defer func() { passHook = nil }()
			// SimplifyCopy takes the same path on a copy, m unchanged.
			m := samples.ConvBN()
			given, _ := m.Bytes(nil)
			c, rc, err := SimplifyCopy(context.Background(), m, nil)
			if err != nil {
				t.Fatal(err)
			}
			if after, _ := m.Bytes(nil); !bytes.Equal(given, after) {
				t.Error("SimplifyCopy changed the model it was given")
			}
			r, err := Simplify(m, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Disabled) != 1 || r.Disabled[0].Pass != tc.off {
				t.Fatalf("turned off: %v, want %s", r.Disabled, tc.off)
			}
			if !reflect.DeepEqual(rc, r) {
				t.Errorf("SimplifyCopy reports %+v, Simplify %+v", rc, r)
			}
			got, _ := c.Bytes(nil)
			if want, _ := m.Bytes(nil); !bytes.Equal(got, want) {
				t.Error("SimplifyCopy's copy differs from what Simplify made of the model")
			}
			if err := onnxgraph.Validate(m, nil); err != nil {
				t.Fatal(err)
			}
			t.Logf("turned off: %v; %d -> %d nodes", r.Disabled, r.NodesBefore, r.NodesAfter)
			if r.NodesAfter >= r.NodesBefore {
				t.Errorf("nothing simplified: %d -> %d", r.NodesBefore, r.NodesAfter)
			}
		})
	}
}
