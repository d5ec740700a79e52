package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph/examples/internal/ort/orttest"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/examples/internal/ort"
	"github.com/onnxgraph/onnxgraph/internal/suitetest"
	"github.com/onnxgraph/onnxgraph/samples"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
)

// The numerical proofs of the structural edits: ONNX Runtime computes
// what each edited model should. Every edited model also passes the IR's
// sanity check and python onnx's checker (when the original does).

// edORTEqual reports whether two outputs are the same bits, NaNs of any
// payload counting as equal.
func edORTEqual(a, b *ort.Tensor) bool {
	if a == nil || b == nil || a.DType != b.DType || len(a.Shape) != len(b.Shape) {
		return false
	}
	for i := range a.Shape {
		if a.Shape[i] != b.Shape[i] {
			return false
		}
	}
	if bytes.Equal(a.Data, b.Data) {
		return true
	}
	if len(a.Data) != len(b.Data) {
		return false
	}
	switch a.DType {
	case onnxgraph.Float:
		for i := 0; i < len(a.Data); i += 4 {
			x, y := binary.LittleEndian.Uint32(a.Data[i:]), binary.LittleEndian.Uint32(b.Data[i:])
			if x != y && !(math.IsNaN(float64(math.Float32frombits(x))) && math.IsNaN(float64(math.Float32frombits(y)))) {
				return false
			}
		}
		return true
	case onnxgraph.Double:
		for i := 0; i < len(a.Data); i += 8 {
			x, y := binary.LittleEndian.Uint64(a.Data[i:]), binary.LittleEndian.Uint64(b.Data[i:])
			if x != y && !(math.IsNaN(math.Float64frombits(x)) && math.IsNaN(math.Float64frombits(y))) {
				return false
			}
		}
		return true
	}
	return false
}

// edSameAll reports whether a and b hold the same outputs, bit for bit.
func edSameAll(a, b map[string]*ort.Tensor) bool {
	if len(a) != len(b) {
		return false
	}
	for n := range a {
		if !edORTEqual(a[n], b[n]) {
			return false
		}
	}
	return true
}

// edSame checks that got holds want's outputs (those named in names, or
// all), bit for bit.
func edSame(t *testing.T, what string, want, got map[string]*ort.Tensor, names ...string) {
	t.Helper()
	if names == nil {
		for n := range want {
			names = append(names, n)
		}
		sort.Strings(names)
	}
	for _, n := range names {
		if !edORTEqual(want[n], got[n]) {
			t.Errorf("%s: output %s differs", what, n)
		}
	}
}

// edORTRun runs the model at path, failing the test on an error.
func edORTRun(t *testing.T, path string, in map[string]*ort.Tensor) map[string]*ort.Tensor {
	t.Helper()
	out, err := ort.Run(path, in)
	if err != nil {
		t.Fatalf("ONNX Runtime: %v", err)
	}
	return out
}

// TestEditsORTMNIST proves every edit on the MNIST-shaped sample, through
// the command line.
func TestEditsORTMNIST(t *testing.T) {
	orttest.Require(t)
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	in := edSave(t, dir, "mnist.onnx", samples.MNIST())
	x, err := ort.RandomInputs(in, 5)
	if err != nil {
		t.Fatal(err)
	}
	base := edORTRun(t, in, x)
	const out, mid, late = "Plus214_Output_0", "Pooling66_Output_0", "ReLU110_Output_0"
	var edited []string
	// do runs a command whose output model is args[2] (args[3] for merge),
	// and checks that model.
	do := func(args ...string) string {
		t.Helper()
		edRun(t, 0, args...)
		path := args[2]
		if args[0] == "merge" {
			path = args[3]
		}
		edOpen(t, path)
		edited = append(edited, path)
		return path
	}

	// add-outputs: the original output is unchanged; the middle values come out.
	withMid := do("add-outputs", in, p("withmid.onnx"), "--names", mid+","+late)
	gotMid := edORTRun(t, withMid, x)
	edSame(t, "add-outputs", base, gotMid, out)

	// extract(mid) equals the original with mid added as an output; the
	// second half fed with mid equals the original.
	first := do("extract", in, p("first.onnx"), "--inputs", "Input3", "--outputs", mid)
	edSame(t, "extract first half", gotMid, edORTRun(t, first, x), mid)
	second := do("extract", in, p("second.onnx"), "--inputs", mid, "--outputs", out)
	secondOut := edORTRun(t, second, map[string]*ort.Tensor{mid: gotMid[mid]})
	edSame(t, "extract second half", base, secondOut, out)

	// merge(A, B) equals B(A(x)): the halves joined again (no prefixes
	// needed: the connected input goes away), and MNIST with a Softmax.
	rejoined := p("rejoined.onnx")
	do("merge", first, second, rejoined, "--connect", mid+"="+mid)
	edSame(t, "merge of the halves", base, edORTRun(t, rejoined, x), out)
	soft := edSave(t, dir, "softmax.onnx", edSoftmaxModel(t))
	withSoft := p("withsoftmax.onnx")
	do("merge", in, soft, withSoft, "--connect", out+"=logits", "--prefix", "cnn/,head/")
	sm := edORTRun(t, soft, map[string]*ort.Tensor{"logits": base[out]})
	got := edORTRun(t, withSoft, map[string]*ort.Tensor{"cnn/Input3": x["Input3"]})
	if !edORTEqual(sm["probs"], got["head/probs"]) {
		t.Error("merge(MNIST, Softmax) differs from Softmax(MNIST(x))")
	}

	// Inserting Mul by 1, Identity or Dropout changes nothing; deleting them
	// again neither.
	mul := do("insert-node", in, p("mul.onnx"), "--op", "Mul", "--between", mid, "--const", "B=1")
	edSame(t, "insert Mul by 1", base, edORTRun(t, mul, x))
	idn := do("insert-node", mul, p("id.onnx"), "--op", "Identity", "--name", "ident", "--between", "Plus28_Output_0")
	drop := do("insert-node", idn, p("drop.onnx"), "--op", "Dropout", "--name", "drop", "--between", late)
	edSame(t, "insert Identity and Dropout", base, edORTRun(t, drop, x))
	back := do("delete-nodes", drop, p("back.onnx"), "--names", "drop,ident,Mul")
	edSame(t, "delete Mul, Identity, Dropout", base, edORTRun(t, back, x))
	if a, b := edFileModelBytes(t, in), edFileModelBytes(t, back); !bytes.Equal(a, b) {
		t.Error("inserting and deleting again did not give back the original model")
	}

	// delete-outputs keeps the other outputs bit-identical.
	fewer := do("delete-outputs", withMid, p("fewer.onnx"), "--names", mid)
	edSame(t, "delete-outputs", gotMid, edORTRun(t, fewer, x), out, late)

	// rewire: readers of the Identity's output read its input; same numbers.
	rew := do("rewire", idn, p("rewired.onnx"), "--from", "ident_output", "--to", "Plus28_Output_0")
	edSame(t, "rewire", base, edORTRun(t, rew, x))
	edRun(t, 0, "check", rew)

	pythonCheck(t, edited...)
}

// edFileModelBytes returns the serialized model at path.
func edFileModelBytes(t *testing.T, path string) []byte {
	t.Helper()
	m := edOpen(t, path)
	b, err := m.Bytes(nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// edSuiteCase is a backend-suite model with its first test data set.
type edSuiteCase struct {
	name   string
	path   string
	inputs map[string]*ort.Tensor
	want   map[string]*ort.Tensor
}

// edSuite loads every backend-suite node model that ONNX Runtime runs on
// its test_data_set_0 inputs.
func edSuite(t *testing.T) []edSuiteCase {
	paths := suitetest.Models(t, "node")
	var cases []edSuiteCase
	for _, path := range paths {
		m, err := onnxgraph.Open(path, nil)
		if err != nil {
			continue
		}
		random := false
		m.Graph().Walk(func(g *onnxgraph.Graph) bool {
			for _, n := range g.Nodes() {
				op := n.OpType()
				random = random || strings.HasPrefix(op, "Random") || op == "Bernoulli" || op == "Multinomial"
			}
			return !random
		})
		in, err := e6Inputs(filepath.Dir(path), m)
		m.Close()
		if err != nil || len(in) == 0 || random {
			continue // onnxruntime_go v1.27.0 panics on a run without inputs
		}
		want, err := ort.Run(path, in)
		if err != nil {
			continue
		}
		// Outputs must not vary run to run (random operators are left out
		// above: their draws also depend on the graph around them).
		again, err := ort.Run(path, in)
		if err != nil || !edSameAll(want, again) {
			continue
		}
		cases = append(cases, edSuiteCase{filepath.Base(filepath.Dir(path)), path, in, want})
	}
	return cases
}

// TestEditsORTSuite applies the edits to the backend suite's node models
// and checks in ONNX Runtime, on each model's own test inputs, that
//   - inserting Mul by 1 after a float input changes no output, and deleting
//     it again gives back the original model byte for byte;
//   - the model with an intermediate value added as an output computes the
//     same outputs, extract(inputs -> mid) computes mid, and extract(mid ->
//     outputs) fed with mid computes the outputs;
//   - deleting an output keeps the others bit-identical;
//   - merge(A, A), for models whose output can feed their input, equals
//     A(A(x)).
func TestEditsORTSuite(t *testing.T) {
	orttest.Require(t)
	cases := edSuite(t)
	dir := t.TempDir()
	counts := map[string]int{}
	var pairs []string // original, edited, ... for the python checker
	save := func(c edSuiteCase, tag string, m *onnxgraph.Model) string {
		t.Helper()
		if err := m.Sanity(); err != nil {
			t.Fatalf("%s %s: %v", c.name, tag, err)
		}
		p := filepath.Join(dir, c.name+"."+tag+".onnx")
		if err := m.Save(p); err != nil {
			t.Fatalf("%s %s: %v", c.name, tag, err)
		}
		pairs = append(pairs, c.path, p)
		return p
	}
	run := func(c edSuiteCase, tag, path string, in map[string]*ort.Tensor) map[string]*ort.Tensor {
		t.Helper()
		out, err := ort.Run(path, in)
		if err != nil {
			t.Errorf("%s %s: ONNX Runtime: %v", c.name, tag, err)
			return nil
		}
		return out
	}
	open := func(c edSuiteCase) *onnxgraph.Model {
		m, err := onnxgraph.Open(c.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	for _, c := range cases {
		counts["models"]++
		orig := open(c)
		origBytes, err := orig.Bytes(nil)
		if err != nil {
			t.Fatal(err)
		}
		g := orig.Graph()

		// Insert Mul by 1 after the first floating-point input, then delete it.
		for _, v := range g.Inputs() {
			dt := v.ElemType()
			if v.Initializer() != nil || v.NumUses() == 0 || (dt != onnxgraph.Float && dt != onnxgraph.Double && dt != onnxgraph.Float16) {
				continue
			}
			if op, _ := orig.Opset(""); op < 7 {
				counts["insert: Mul before opset 7 (ONNX Runtime lacks it)"]++
				break
			}
			m := open(c)
			var r onnxgraph.InsertNodeReport
			if err := m.InsertNode(&onnxgraph.InsertNodeOptions{Op: "Mul", Name: "edits_mul", Src: v.Name(), Consts: map[string]any{"B": 1.0}}, &r).Err(); err != nil {
				counts["insert refused"]++
				break
			}
			if got := run(c, "mul", save(c, "mul", m), c.inputs); got != nil {
				edSame(t, c.name+" insert Mul by 1", c.want, got)
				counts["insert Mul"]++
			}
			if err := m.DeleteNodes(&onnxgraph.DeleteNodesOptions{Names: []string{"edits_mul"}}, nil).Err(); err != nil {
				t.Errorf("%s: delete the Mul: %v", c.name, err)
				break
			}
			if b, _ := m.Bytes(nil); !bytes.Equal(b, origBytes) {
				t.Errorf("%s: insert then delete differs from the original", c.name)
			}
			counts["delete Mul"]++
			break
		}

		// Extract around an intermediate value.
		if g.NumNodes() >= 2 {
			mid := g.Nodes()[0].Output(0)
			var ins, outs []string
			for _, v := range g.Inputs() {
				if v.Initializer() == nil {
					ins = append(ins, v.Name())
				}
			}
			for _, v := range g.Outputs() {
				outs = append(outs, v.Name())
			}
			if mid != nil && !mid.IsGraphOutput() && mid.NumUses() > 0 {
				edExtractCase(t, c, orig, mid.Name(), ins, outs, counts, save, run)
			}
		}

		// Delete the last output.
		if outs := g.Outputs(); len(outs) >= 2 {
			m := open(c)
			last := outs[len(outs)-1].Name()
			if err := m.DeleteOutputs(&onnxgraph.DeleteOutputsOptions{Names: []string{last}}, nil).Err(); err != nil {
				t.Errorf("%s: delete output %s: %v", c.name, last, err)
			} else {
				var keep []string
				for _, o := range outs[:len(outs)-1] {
					if o.Name() != last {
						keep = append(keep, o.Name())
					}
				}
				if got := run(c, "fewer", save(c, "fewer", m), c.inputs); got != nil {
					edSame(t, c.name+" delete-outputs", c.want, got, keep...)
					counts["delete-outputs"]++
				}
			}
		}

		// merge(A, A) = A(A(x)) when A's output fits its input.
		edMergeSelfCase(t, c, orig, counts, save, run)
		orig.Close()
	}
	t.Logf("suite: %v", counts)
	for k, min := range map[string]int{"insert Mul": 300, "delete Mul": 300, "extract": 100, "delete-outputs": 20, "merge": 100} {
		if counts[k] < min {
			t.Errorf("only %d suite models exercised %s (want at least %d)", counts[k], k, min)
		}
	}
	edPythonPairs(t, pairs)
}

// edExtractCase checks extract and add-outputs around mid on one model.
func edExtractCase(t *testing.T, c edSuiteCase, orig *onnxgraph.Model, mid string, ins, outs []string, counts map[string]int,
	save func(edSuiteCase, string, *onnxgraph.Model) string, run func(edSuiteCase, string, string, map[string]*ort.Tensor) map[string]*ort.Tensor) {
	t.Helper()
	// Every copy takes its types from shape inference; an unknown type is
	// counted, not an error.
	typed := func() *onnxgraph.Model { return orig.Clone().Infer(shapeinfer.Types(nil)) }
	m := typed()
	var ar onnxgraph.OutputsReport
	if err := m.AddOutputs(&onnxgraph.AddOutputsOptions{Names: []string{mid}, AllowUntyped: true}, &ar).Err(); err != nil {
		t.Errorf("%s: add output %s: %v", c.name, mid, err)
		return
	}
	if len(ar.NoType) > 0 {
		counts["extract: mid type unknown"]++
		return
	}
	withMid := run(c, "withmid", save(c, "withmid", m), c.inputs)
	if withMid == nil {
		return
	}
	edSame(t, c.name+" add-outputs", c.want, withMid, outs...)
	first := typed()
	r1, err := onnxgraph.ExtractModel(first, &onnxgraph.ExtractOptions{Inputs: ins, Outputs: []string{mid}, AllowUntyped: true})
	if err != nil {
		t.Errorf("%s: extract to %s: %v", c.name, mid, err)
		return
	}
	in1 := map[string]*ort.Tensor{}
	for _, v := range r1.Inputs {
		in1[v.Name] = c.inputs[v.Name]
	}
	if got := run(c, "first", save(c, "first", first), in1); got != nil {
		edSame(t, c.name+" extract(inputs -> mid)", withMid, got, mid)
	}
	second := typed()
	r2, err := onnxgraph.ExtractModel(second, &onnxgraph.ExtractOptions{Inputs: []string{mid}, Outputs: outs, AddMissingInputs: true, AllowUntyped: true})
	if err != nil {
		t.Errorf("%s: extract from %s: %v", c.name, mid, err)
		return
	}
	if len(r2.NoType) > 0 {
		counts["extract: type unknown"]++
		return
	}
	in2 := map[string]*ort.Tensor{mid: withMid[mid]}
	for _, n := range r2.Added {
		in2[n] = c.inputs[n]
	}
	if got := run(c, "second", save(c, "second", second), in2); got != nil {
		edSame(t, c.name+" extract(mid -> outputs)", c.want, got, outs...)
		counts["extract"]++
	}
}

// edMergeSelfCase checks merge(A, A) = A(A(x)) for a model with one input
// and one output of the same floating-point type and shape.
func edMergeSelfCase(t *testing.T, c edSuiteCase, orig *onnxgraph.Model, counts map[string]int,
	save func(edSuiteCase, string, *onnxgraph.Model) string, run func(edSuiteCase, string, string, map[string]*ort.Tensor) map[string]*ort.Tensor) {
	t.Helper()
	g := orig.Graph()
	var ins []*onnxgraph.Value
	for _, v := range g.Inputs() {
		if v.Initializer() == nil {
			ins = append(ins, v)
		}
	}
	outs := g.Outputs()
	if len(ins) != 1 || len(outs) != 1 {
		return
	}
	x, y := ins[0], outs[0]
	dt := x.ElemType()
	if dt != onnxgraph.Float || y.ElemType() != dt || edTypeKey(x) != edTypeKey(y) || edTypeKey(x) == "" {
		return
	}
	m, _, err := onnxgraph.Merge([]*onnxgraph.Model{orig, orig}, &onnxgraph.MergeOptions{
		Connect:  [][]onnxgraph.Connection{{{Src: y.Name(), Dst: x.Name()}}},
		Prefixes: []string{"a/", "b/"},
	})
	if err != nil {
		t.Errorf("%s: merge with itself: %v", c.name, err)
		return
	}
	got := run(c, "self", save(c, "self", m), map[string]*ort.Tensor{"a/" + x.Name(): c.inputs[x.Name()]})
	if got == nil {
		return
	}
	twice, err := ort.Run(c.path, map[string]*ort.Tensor{x.Name(): c.want[y.Name()]})
	if err != nil {
		counts["merge: A(A(x)) refused"]++
		return
	}
	if !edORTEqual(twice[y.Name()], got["b/"+y.Name()]) {
		t.Errorf("%s: merge(A, A) differs from A(A(x))", c.name)
	}
	counts["merge"]++
}

// edTypeKey renders a value's declared type with its shape.
func edTypeKey(v *onnxgraph.Value) string {
	dims, names, ok := v.Shape()
	if !ok {
		return ""
	}
	return fmt.Sprint(v.ElemType(), dims, names)
}

// edPythonPairs runs python onnx's checker on (original, edited) pairs in
// one process, and fails for every edited model the checker refuses when
// it accepts the original.
func edPythonPairs(t *testing.T, pairs []string) {
	t.Helper()
	py := suitetest.WantPython(t, "onnx", "python3-onnx")
	if py == "" {
		return
	}
	list := filepath.Join(t.TempDir(), "pairs.txt")
	if err := os.WriteFile(list, []byte(strings.Join(pairs, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	script := `import sys, onnx
lines = open(sys.argv[1]).read().split("\n")
ok = {}
def check(f):
    if f not in ok:
        try:
            onnx.checker.check_model(onnx.load(f), full_check=True)
            ok[f] = None
        except Exception as e:
            ok[f] = str(e).split("\n")[0]
    return ok[f]
checked = bad = 0
for i in range(0, len(lines), 2):
    orig, edited = lines[i], lines[i + 1]
    if check(orig) is not None:
        continue
    checked += 1
    err = check(edited)
    if err is not None:
        bad += 1
        print(edited, err)
print("checked", checked)
sys.exit(1 if bad else 0)
`
	out, err := exec.Command(py, "-c", script, list).CombinedOutput()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("python onnx checker refuses edited models whose original it accepts:\n%s", out)
		}
		t.Fatal(err)
	}
	t.Logf("python checker: %s", strings.TrimSpace(string(out)))
}
