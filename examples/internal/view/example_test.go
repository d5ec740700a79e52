package view_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/onnxgraph/onnxgraph/examples/internal/view"
	"github.com/onnxgraph/onnxgraph/samples"
)

// A session edits a model as the page does: each edit is a script step,
// and the history is a script that replays on the file.
func ExampleOpenSession() {
	dir, _ := os.MkdirTemp("", "view")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "mnist.onnx")
	if err := samples.MNIST().Save(path); err != nil {
		fmt.Println(err)
		return
	}
	s := view.OpenSession(path)
	defer s.Close()
	fmt.Println(s.Status().Status)
	_, err := s.Edit(s.Status().Version, json.RawMessage(`{"op": "delete-nodes", "names": ["ReLU28"]}`))
	fmt.Println(err)
	_, err = s.Edit(s.Status().Version, json.RawMessage(`{"op": "delete-nodes", "names": ["Times212"]}`))
	fmt.Println(err)
	fmt.Println(s.Status().Status)
	fmt.Print(string(s.Script().JSON()))
	// Output:
	// 12 nodes · 21 values · opset 13
	// <nil>
	// onnxgraph: delete nodes: node "Times212"(MatMul) has 2 variable inputs and 1 outputs in use (Times212_Output_0): say which input replaces each output
	// 11 nodes · 20 values · opset 13
	// {
	//   "version": 1,
	//   "steps": [
	//     {"op": "delete-nodes", "names": ["ReLU28"]}
	//   ]
	// }
}
