package onnxgraph_test

import (
	"bytes"
	"errors"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/onnxgraph/onnxgraph"
)

// TestFailedLoadIsSafe calls every read and every chain step on a model
// whose Load failed: nothing panics, reads give zero values or an empty
// graph, and the first error stays the one reported.
func TestFailedLoadIsSafe(t *testing.T) {
	m := onnxgraph.Load(filepath.Join(t.TempDir(), "missing.onnx"))
	first := m.Err()
	if !errors.Is(first, fs.ErrNotExist) {
		t.Fatalf("Err() = %v", first)
	}
	g := m.Graph()
	if g == nil || g.NumNodes() != 0 || len(g.Nodes()) != 0 || len(g.Inputs()) != 0 || len(g.Outputs()) != 0 || len(g.Values()) != 0 {
		t.Error("the graph of a failed load is not empty")
	}
	_ = m.Functions()
	_ = m.IRVersion()
	_, _ = m.Opset("")
	_ = m.Opsets()
	_ = m.Metadata()
	_ = m.Summarize()
	_ = m.Generation()
	_ = m.Clone().Err()
	_ = m.Validate(nil)
	_ = m.Sanity()
	_ = m.Close()
	steps := m.
		Rename("a", "b", nil, nil).
		SetBatch(onnxgraph.DimOf(1), nil, nil).
		SetDims(map[string][]onnxgraph.Dim{"x": onnxgraph.Dims(1)}, nil, nil).
		Extract(&onnxgraph.ExtractOptions{Outputs: []string{"y"}}, nil).
		DeleteNodes(nil, nil).
		InsertNode(nil, nil).
		AddOutputs(nil, nil).
		DeleteOutputs(nil, nil).
		Rewire(nil, nil).
		Prune(nil, nil).
		TopoSort().
		Shrink(nil, nil).
		NameNodes(nil, nil).
		StripDocs(nil, nil).
		SetLayout(nil, nil).
		SetOpset("", 13, nil, nil).
		Modify("n", nil, nil).
		Merge(onnxgraph.NewModel(8, nil), nil, nil).
		Check()
	if steps.Err() != first {
		t.Errorf("a later step replaced the first error: %v", steps.Err())
	}
	if err := m.Save(filepath.Join(t.TempDir(), "out.onnx")); err != first {
		t.Errorf("Save: %v", err)
	}
	var buf bytes.Buffer
	if err := m.Write(&buf, nil); err != first || buf.Len() != 0 {
		t.Errorf("Write: %v, %d bytes", err, buf.Len())
	}
	if _, err := m.Bytes(nil); err != first {
		t.Errorf("Bytes: %v", err)
	}
}
