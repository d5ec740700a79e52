package onnxgraph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/samples"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
)

// Inference as a step of the chain: every later edit sees the inferred
// types, so the extracted part's boundary values come out typed.
func ExampleModel_Infer() {
	m := samples.MNIST().
		Infer(shapeinfer.Types(nil)).
		Extract(&onnxgraph.ExtractOptions{Inputs: []string{"Pooling66_Output_0"}, Outputs: []string{"Pooling160_Output_0"}}, nil)
	if err := m.Err(); err != nil {
		fmt.Println(err)
		return
	}
	for _, v := range m.Graph().Inputs() {
		fmt.Println("input", v.Name(), onnxgraph.TypeString(v.Type()), shapeText(v))
	}
	for _, v := range m.Graph().Outputs() {
		fmt.Println("output", v.Name(), onnxgraph.TypeString(v.Type()), shapeText(v))
	}
	// Output:
	// input Pooling66_Output_0 float32 [1 8 14 14]
	// output Pooling160_Output_0 float32 [1 16 4 4]
}

func shapeText(v *onnxgraph.Value) string {
	dims, _, _ := v.Shape()
	return fmt.Sprint(dims)
}

// The builder as a unit-test fixture: Conv -> Relu -> MaxPool -> Gemm,
// with the output's type left to inference, checked and saved.
func ExampleBuilder_fixture() {
	b := onnxgraph.NewBuilder(17).Infer(shapeinfer.Types(nil))
	x := b.Input("image", onnxgraph.Float, onnxgraph.DimParam("N"), onnxgraph.DimOf(3), onnxgraph.DimOf(32), onnxgraph.DimOf(32))
	h := b.Op("Conv", onnxgraph.Attrs{"kernel_shape": "3,3", "pads": "1,1,1,1"}, x, b.Const("w", 0, []int64{8, 3, 3, 3}, make([]float32, 8*3*3*3)))
	h = b.Op("Relu", nil, h)
	h = b.Op("MaxPool", onnxgraph.Attrs{"kernel_shape": "2,2", "strides": "2,2"}, h)
	h = b.Op("Flatten", onnxgraph.Attrs{"axis": 1}, h)
	y := b.Op("Gemm", onnxgraph.Attrs{"transB": 1}, h, b.Const("fc", 0, []int64{10, 8 * 16 * 16}, make([]float32, 10*8*16*16)))
	b.Output(y) // the type comes from inference
	m, err := b.Build()
	if err != nil {
		fmt.Println(err)
		return
	}
	dims, names, _ := m.Graph().Outputs()[0].Shape()
	fmt.Println(names[0], dims[1])
	dir, _ := os.MkdirTemp("", "fixture")
	defer os.RemoveAll(dir)
	fmt.Println(m.Save(filepath.Join(dir, "fixture.onnx")))
	// Output:
	// N 10
	// <nil>
}

// Shrink shares identical constants: two equal weights become one.
func ExampleModel_Shrink() {
	m := onnxgraph.NewModel(8, map[string]int64{"": 17})
	g := m.Graph()
	x, _ := g.AddInput("x", onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(4)))
	v := x
	for _, name := range []string{"a", "b"} {
		t, _ := onnxgraph.NewTensorOf(name, onnxgraph.Float, []int64{4}, []float32{1, 2, 3, 4})
		w, _ := g.AddInitializer(t)
		n, _ := g.AddNode("Add", []*onnxgraph.Value{v, w}, []string{name + "_out"})
		v = n.Output(0)
	}
	_ = g.AddOutput(v, onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(4)))
	var r onnxgraph.ShrinkReport
	err := m.Shrink(nil, &r).Err()
	fmt.Println(err, len(m.Graph().Initializers()), r.Duplicates, r.BytesBefore, r.BytesAfter)
	// Output: <nil> 1 map[a:[b]] 32 16
}

// Reading a model from an HTTP request body: the Content-Length sizes the
// buffer once, and the request's context stops the read when the client
// goes away.
func ExampleReadContext() {
	var body bytes.Buffer
	if err := samples.MNIST().Write(&body, nil); err != nil {
		fmt.Println(err)
		return
	}
	handler := func(w http.ResponseWriter, r *http.Request) {
		m, err := onnxgraph.ReadContext(r.Context(), r.Body, &onnxgraph.LoadOptions{SizeHint: r.ContentLength})
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		defer m.Close()
		fmt.Fprintln(w, m.Graph().NumNodes(), "nodes")
	}
	srv := httptest.NewServer(http.HandlerFunc(handler))
	defer srv.Close()
	resp, err := http.Post(srv.URL, "application/octet-stream", &body)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	text, _ := io.ReadAll(resp.Body)
	fmt.Print(string(text))
	// Output: 12 nodes
}

// A service shares one loaded model between goroutines: reads never
// change a model, so many requests may summarize or save it at once (as
// long as nothing edits it; edit a Clone instead).
func Example_service() {
	model := samples.MNIST()
	var wg sync.WaitGroup
	results := make([]string, 50)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := model.Summarize()
			b, _ := json.Marshal(s.Outputs)
			var buf bytes.Buffer
			if err := model.Write(&buf, nil); err != nil {
				results[i] = err.Error()
				return
			}
			results[i] = fmt.Sprintf("%d ops %s %d bytes", s.TotalOps, b, buf.Len())
		}()
	}
	wg.Wait()
	same := true
	for _, r := range results {
		same = same && r == results[0]
	}
	fmt.Println(same)
	// Output: true
}

// Cancelling a save: it stops between pieces of what it writes, removes
// what it wrote, and returns the context's error.
func ExampleModel_SaveContext() {
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // already cancelled: nothing is written
	dir, _ := os.MkdirTemp("", "save")
	defer os.RemoveAll(dir)
	err := samples.MNIST().SaveContext(ctx, filepath.Join(dir, "m.onnx"), nil)
	ents, _ := os.ReadDir(dir)
	fmt.Println(errors.Is(err, context.Canceled), len(ents))
	// Output: true 0
}

// Walking a graph without copying its lists.
func ExampleGraph_AllNodes() {
	g := samples.MNIST().Graph()
	ops := map[string]int{}
	for n := range g.AllNodes() {
		ops[n.OpType()]++
	}
	fmt.Println(ops)
	// Output: map[Add:3 Conv:2 MatMul:1 MaxPool:2 Relu:2 Reshape:2]
}

// Copying a big inline model at the speed of cp: mapped, the file is not
// read at Open, and the save copies its unedited tensors with the kernel.
// The model's tensor bytes live until Close.
func ExampleOpen_mapped() {
	dir, _ := os.MkdirTemp("", "mapped")
	defer os.RemoveAll(dir)
	in, out := filepath.Join(dir, "in.onnx"), filepath.Join(dir, "out.onnx")
	w, _ := onnxgraph.NewTensor("w", onnxgraph.Float, []int64{1 << 20}, make([]byte, 4<<20))
	b := onnxgraph.NewBuilder(17)
	b.Output(b.Op("Add", nil, b.Input("x", onnxgraph.Float, onnxgraph.Dims(1<<20)...), w))
	built, _ := b.Build()
	_ = built.Save(in)

	m, err := onnxgraph.Open(in, &onnxgraph.LoadOptions{Map: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	m.Graph().Nodes()[0].SetName("renamed")
	fmt.Println(m.Save(out))
	m.Close()
	fmt.Println(errors.Is(m.Save(out), onnxgraph.ErrClosed))
	// Output:
	// <nil>
	// true
}
