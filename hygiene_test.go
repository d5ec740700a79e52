package onnxgraph_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"google.golang.org/protobuf/proto"
)

func TestNameNodesUniqueStableAcrossSubgraphs(t *testing.T) {
	m := e6Suite(t, "node/test_loop11")
	// One node already named like a generated name: it is skipped.
	m.Graph().Nodes()[0].Subgraphs()[0].Nodes()[2].SetName("Constant_1")
	var r onnxgraph.NameNodesReport
	if err := m.NameNodes(nil, &r).Err(); err != nil {
		t.Fatal(err)
	}
	e6Sane(t, m)
	var names []string
	seen := map[string]bool{}
	m.Graph().Walk(func(g *onnxgraph.Graph) bool {
		for _, n := range g.Nodes() {
			if n.Name() == "" || seen[n.Name()] {
				t.Errorf("name %q empty or repeated", n.Name())
			}
			seen[n.Name()] = true
			names = append(names, n.Name())
		}
		return true
	})
	want := "Loop_0 Identity_0 Constant_0 Constant_1 Add_0 Unsqueeze_0 Unsqueeze_1 Slice_0 Add_1 Identity_1"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("names %s, want %s", got, want)
	}
	if len(r.Named) != 9 {
		t.Errorf("named %d", len(r.Named))
	}
	// Stable: the same model gets the same names; a second run adds none.
	m2 := e6Suite(t, "node/test_loop11")
	m2.Graph().Nodes()[0].Subgraphs()[0].Nodes()[2].SetName("Constant_1")
	m2.NameNodes(nil, nil)
	if e6Bytes(t, m2) != e6Bytes(t, m) {
		t.Error("naming is not stable")
	}
	if err := m.NameNodes(nil, &r).Err(); err != nil || len(r.Named) != 0 {
		t.Errorf("second run named %d: %v", len(r.Named), err)
	}
	// A prefix.
	m3 := e6Suite(t, "node/test_if")
	m3.NameNodes(&onnxgraph.NameNodesOptions{Prefix: "sng_"}, nil)
	if got := m3.Graph().Nodes()[0].Name(); got != "sng_If_0" {
		t.Errorf("prefixed name %q", got)
	}
}

func TestStripDocs(t *testing.T) {
	m := e6Classifier(t)
	m.Proto().DocString = proto.String("model doc")
	m.Graph().Proto().DocString = proto.String("graph doc")
	for _, n := range m.Graph().Nodes() {
		n.SetDocString("File \"model.py\", line 12, in forward")
	}
	var r onnxgraph.StripDocsReport
	if err := m.StripDocs(&onnxgraph.StripDocsOptions{Kinds: onnxgraph.DocNodes}, &r).Err(); err != nil {
		t.Fatal(err)
	}
	if r.Nodes != 5 || r.Model != 0 || m.Proto().GetDocString() != "model doc" || m.Graph().Proto().GetDocString() != "graph doc" {
		t.Errorf("nodes only: %+v", r)
	}
	for _, n := range m.Graph().Nodes() {
		if n.Proto().GetDocString() != "" {
			t.Errorf("node %s keeps its doc", n.Name())
		}
	}
	if err := m.StripDocs(nil, &r).Err(); err != nil {
		t.Fatal(err)
	}
	if r.Model != 1 || r.Graphs != 1 || m.Proto().DocString != nil {
		t.Errorf("all: %+v", r)
	}
	e6Sane(t, m)
	k, err := onnxgraph.ParseDocKinds("model,nodes")
	if err != nil || k != onnxgraph.DocModel|onnxgraph.DocNodes {
		t.Errorf("ParseDocKinds = %v, %v", k, err)
	}
	if _, err := onnxgraph.ParseDocKinds("model,bogus"); !errors.Is(err, onnxgraph.ErrInvalid) {
		t.Errorf("bad kind: %v", err)
	}
}

func TestStripDocsSuite(t *testing.T) {
	// The suite's models carry no doc strings: add some everywhere (model,
	// graph, nodes, attributes, inputs, outputs, initializers), then strip
	// them: the model must come back byte for byte.
	m := e6Suite(t, "pytorch-converted/test_Conv2d")
	orig := e6Bytes(t, m)
	p := proto.Clone(m.ToProto()).(*onnxproto.ModelProto)
	doc := proto.String("File \"torch/nn/modules/conv.py\", line 443")
	p.DocString, p.Graph.DocString = doc, doc
	for _, n := range p.Graph.Node {
		n.DocString = doc
		for _, a := range n.Attribute {
			a.DocString = doc
		}
	}
	for _, vi := range append(append([]*onnxproto.ValueInfoProto{}, p.Graph.Input...), p.Graph.Output...) {
		vi.DocString = doc
	}
	for _, init := range p.Graph.Initializer {
		init.DocString = doc
	}
	b, err := proto.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	withDocs, err := onnxgraph.Decode(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	var r onnxgraph.StripDocsReport
	if err := withDocs.StripDocs(nil, &r).Err(); err != nil {
		t.Fatal(err)
	}
	e6Sane(t, withDocs)
	if e6Bytes(t, withDocs) != orig {
		t.Error("stripped model differs from the original")
	}
	if r.Model != 1 || r.Graphs != 1 || r.Nodes == 0 || r.Values == 0 || r.Bytes != int64(len(*doc))*int64(r.Model+r.Graphs+r.Nodes+r.Values) {
		t.Errorf("report %+v", r)
	}
}

func ExampleModel_NameNodes() {
	b := onnxgraph.NewBuilder(17)
	x := b.Input("x", onnxgraph.Float, onnxgraph.Dims(2)...)
	y := b.Op("Relu", nil, b.Op("Relu", nil, x))
	b.Output(b.Op("Neg", nil, y), onnxgraph.Dims(2)...)
	m, _ := b.Build()
	for _, n := range m.Graph().Nodes() {
		n.SetName("") // as many exporters leave them
	}

	var r onnxgraph.NameNodesReport
	m.NameNodes(nil, &r)
	for _, n := range r.Named {
		fmt.Print(n.New, " ")
	}
	fmt.Println()
	// Output:
	// Relu_0 Relu_1 Neg_0
}

func ExampleModel_StripDocs() {
	m := onnxgraph.NewBuilder(17).Model()
	m.Proto().DocString = proto.String("exported by a tool")
	var r onnxgraph.StripDocsReport
	err := m.StripDocs(&onnxgraph.StripDocsOptions{Kinds: onnxgraph.DocModel}, &r).Err()
	fmt.Println(err, r.Model, r.Bytes)
	// Output: <nil> 1 18
}
