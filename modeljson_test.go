package onnxgraph_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/internal/suitetest"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/samples"
	"google.golang.org/protobuf/proto"
)

// TestJSONSuitePython checks JSON compatibility with python's
// google.protobuf.json_format both ways on every model of the backend
// suite, in one python process: the JSON WriteJSON writes parses in python
// to a ModelProto equal to the one python loads from the model file, and
// the JSON python's MessageToJson writes parses in ReadJSON to a model equal
// to the file's. It also counts how many of our texts equal python's byte
// for byte.
func TestJSONSuitePython(t *testing.T) {
	files := suitetest.Models(t, suiteParts...)
	py := pythonONNX(t)
	dir := t.TempDir()
	goDir, pyDir := filepath.Join(dir, "go"), filepath.Join(dir, "py")
	os.Mkdir(goDir, 0o755)
	os.Mkdir(pyDir, 0o755)
	for i, f := range files {
		m, err := onnxgraph.Open(f, nil)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		var buf bytes.Buffer
		if err := m.WriteJSON(&buf, nil); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		m.Close()
		if err := os.WriteFile(filepath.Join(goDir, strconv.Itoa(i)+".json"), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	list := filepath.Join(dir, "list.txt")
	os.WriteFile(list, []byte(strings.Join(files, "\n")), 0o644)
	script := `
import sys, json
import onnx
from google.protobuf import json_format
paths = open(sys.argv[1]).read().split("\n")
godir, pydir = sys.argv[2], sys.argv[3]
equal = same_text = 0
bad = []
for i, p in enumerate(paths):
    m = onnx.load(p)
    want = m.SerializeToString(deterministic=True)
    gj = open("%s/%d.json" % (godir, i)).read()
    try:
        q = json_format.Parse(gj, onnx.ModelProto())
        if q.SerializeToString(deterministic=True) == want:
            equal += 1
        else:
            bad.append("differs: " + p)
    except Exception as e:
        bad.append("parse %s: %s" % (p, str(e)[:300]))
    pj = json_format.MessageToJson(m)
    with open("%s/%d.json" % (pydir, i), "w") as f:
        f.write(pj)
    if pj == gj.rstrip("\n"):
        same_text += 1
    elif len(bad) < 40:
        bad.append("text differs: " + p)
print(json.dumps({"models": len(paths), "equal": equal, "same_text": same_text, "bad": bad[:40]}))
`
	out, err := exec.Command(py, "-c", script, list, goDir, pyDir).CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	var res struct {
		Models   int      `json:"models"`
		Equal    int      `json:"equal"`
		SameText int      `json:"same_text"`
		Bad      []string `json:"bad"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("python said: %s", out)
	}
	t.Logf("python parsed our JSON of %d/%d models to equal ModelProtos; %d texts equal python's MessageToJson byte for byte", res.Equal, res.Models, res.SameText)
	if res.Equal != len(files) || res.SameText != len(files) {
		t.Errorf("python: %d models, %d parsed equal, %d same text; problems:\n%s", res.Models, res.Equal, res.SameText, strings.Join(res.Bad, "\n"))
	}

	// Python's JSON, read by ReadJSON.
	read := 0
	for i, f := range files {
		pj, err := os.Open(filepath.Join(pyDir, strconv.Itoa(i)+".json"))
		if err != nil {
			t.Fatal(err)
		}
		m, err := onnxgraph.ReadJSON(pj, nil)
		pj.Close()
		if err != nil {
			t.Errorf("%s: ReadJSON of python's JSON: %v", f, err)
			continue
		}
		if !proto.Equal(m.ToProto(), readProto(t, f)) {
			t.Errorf("%s: ReadJSON of python's JSON differs from the model", f)
			continue
		}
		read++
	}
	t.Logf("ReadJSON read python's JSON of %d/%d models to equal ModelProtos", read, len(files))
}

// jsonSampleModel is a small model with the kinds of fields whose JSON form
// needs care: 64-bit integers, NaN and infinities, -0, tiny and huge
// floats, escapes and non-ASCII text, bytes, enums, nested graphs' types.
func jsonSampleModel(t *testing.T) *onnxgraph.Model {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	m := onnxgraph.NewModel(10, map[string]int64{"": 21, "ai.onnx.ml": 3})
	mp := m.Proto()
	mp.ProducerName = proto.String("onnxgraph test")
	mp.DocString = proto.String("Ünïcødé \"quoted\" \\ tab\t newline\n bell\x07 del\x7f 😀")
	mp.MetadataProps = []*onnxproto.StringStringEntryProto{{Key: proto.String("k"), Value: proto.String("v")}}
	g := m.Graph()
	x, err := g.AddInput("x", onnxgraph.TensorType(onnxgraph.Float, []onnxgraph.Dim{onnxgraph.DimParam("N"), onnxgraph.DimOf(3)}))
	must(err)
	w, _ := onnxgraph.TensorFrom("w", []int64{3, 2}, []float32{float32(math.NaN()), float32(math.Copysign(0, -1)), 1e-7, 3.4e38, 0.1, float32(math.Inf(-1))})
	h, _ := onnxgraph.NewTensorOf("h", onnxgraph.Float16, []int64{2}, []float32{0.5, -2})
	sh, _ := onnxgraph.TensorFrom("shape", []int64{2}, []int64{-1, 1 << 40})
	wv, err := g.AddInitializer(w)
	must(err)
	_, err = g.AddInitializer(h)
	must(err)
	shv, err := g.AddInitializer(sh)
	must(err)
	mm, err := g.AddNode("MatMul", []*onnxgraph.Value{x, wv}, []string{"y"})
	must(err)
	mm.SetName("matmul/0")
	strs, _ := onnxgraph.TensorFrom("names", []int64{2}, []string{"a", "ß"})
	_, err = g.AddNode("Constant", nil, []string{"c"}, onnxgraph.AttrTensor("value", strs))
	must(err)
	r, err := g.AddNode("Reshape", []*onnxgraph.Value{mm.Output(0), shv}, []string{"z"},
		onnxgraph.AttrInt("allowzero", 0),
		onnxgraph.AttrFloats("f", float32(math.NaN()), float32(math.Inf(1)), 1e-45, 123456789, 1e16, 1e-5),
		onnxgraph.AttrInts("i", math.MinInt64, math.MaxInt64),
		onnxgraph.AttrString("s", "bytes \x00\xff"))
	must(err)
	must(g.AddOutput(r.Output(0), onnxgraph.TensorType(onnxgraph.Float, nil)))
	return m
}

// TestJSONGolden checks WriteJSON's text for the sample model against the
// committed testdata/json/sample.json, and its form with tensors in .npy
// files against sample_external.json and sample_weights/ (go test -update
// rewrites them); and, when python's protobuf is installed, that python
// writes the same text for the message it parses from sample.json.
func TestJSONGolden(t *testing.T) {
	m := jsonSampleModel(t)
	var buf bytes.Buffer
	if err := m.WriteJSON(&buf, nil); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "json", "sample.json")
	if updating() {
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	golden, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run TestJSONGolden -update)", err)
	}
	if !bytes.Equal(golden, buf.Bytes()) {
		t.Errorf("WriteJSON differs from %s:\n%s", path, buf.Bytes())
	}
	back, err := onnxgraph.ReadJSON(bytes.NewReader(golden), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(back.ToProto(), m.ToProto()) {
		t.Error("ReadJSON of the golden file differs from the model")
	}
	// The same with the tensors of 8 bytes or more in .npy files.
	tmp := t.TempDir()
	if err := m.SaveJSON(filepath.Join(tmp, "sample_external.json"), &onnxgraph.JSONOptions{ExternalDir: "sample_weights", Threshold: 8}); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(tmp, "sample_weights", "*.npy"))
	files = append(files, filepath.Join(tmp, "sample_external.json"))
	if len(files) != 3 {
		t.Errorf("%d files, want 2 .npy files and the JSON", len(files))
	}
	for _, f := range files {
		rel, _ := filepath.Rel(tmp, f)
		gp := filepath.Join("testdata", "json", rel)
		got, _ := os.ReadFile(f)
		if updating() {
			os.MkdirAll(filepath.Dir(gp), 0o755)
			os.WriteFile(gp, got, 0o644)
		}
		if want, err := os.ReadFile(gp); err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s differs from %s (%v)", rel, gp, err)
		}
	}
	ext, err := onnxgraph.OpenJSON(filepath.Join("testdata", "json", "sample_external.json"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(ext.ToProto(), m.ToProto()) {
		t.Error("OpenJSON of the golden external form differs from the model")
	}

	py := pythonONNX(t)
	script := `
import sys
import onnx
from google.protobuf import json_format
text = open(sys.argv[1]).read()
m = json_format.Parse(text, onnx.ModelProto())
again = json_format.MessageToJson(m)
if again != text.rstrip("\n"):
    print(again)
    sys.exit(1)
`
	if out, err := exec.Command(py, "-c", script, path).CombinedOutput(); err != nil {
		t.Errorf("python writes a different text: %v\n%s", err, out)
	}
}

// TestJSONExternalNPY writes the big tensors of a model to .npy files,
// reads them back, and checks the representation, the checksum and the
// path checks.
func TestJSONExternalNPY(t *testing.T) {
	m := samples.MNIST()
	dir := t.TempDir()
	path := filepath.Join(dir, "mnist.json")
	if err := m.SaveJSON(path, &onnxgraph.JSONOptions{ExternalDir: "weights", Threshold: 1024}); err != nil {
		t.Fatal(err)
	}
	npys, _ := filepath.Glob(filepath.Join(dir, "weights", "*.npy"))
	text, _ := os.ReadFile(path)
	var inline bytes.Buffer
	m.WriteJSON(&inline, nil)
	t.Logf("%d .npy files; JSON %d bytes instead of %d", len(npys), len(text), inline.Len())
	if len(npys) != 2 || !bytes.Contains(text, []byte(`"key": "onnxgraph.npy"`)) || !bytes.Contains(text, []byte(`"value": "weights/Parameter193.npy"`)) {
		t.Fatalf("unexpected layout: %v\n%s", npys, text)
	}
	back, err := onnxgraph.OpenJSON(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(back.ToProto(), m.ToProto()) {
		t.Error("the model read back differs")
	}
	// python's json_format still parses it.
	if py := pythonProtobuf(); py != "" {
		script := "import sys, onnx\nfrom google.protobuf import json_format\njson_format.Parse(open(sys.argv[1]).read(), onnx.ModelProto())"
		if out, err := exec.Command(py, "-c", script, path).CombinedOutput(); err != nil {
			t.Errorf("python cannot parse the JSON: %v\n%s", err, out)
		}
	}
	// Without a folder, the .npy files cannot be found.
	if _, err := onnxgraph.ReadJSON(bytes.NewReader(text), nil); !errors.Is(err, onnxgraph.ErrExternalData) {
		t.Errorf("ReadJSON without Dir: %v, want ErrExternalData", err)
	}
	// A changed file fails its checksum.
	npy, _ := os.ReadFile(npys[0])
	npy[len(npy)-1] ^= 1
	os.WriteFile(npys[0], npy, 0o644)
	if _, err := onnxgraph.OpenJSON(path, nil); !errors.Is(err, onnxgraph.ErrExternalData) || !strings.Contains(err.Error(), "checksum") {
		t.Errorf("changed .npy: %v, want a checksum error", err)
	}
	// A location out of the folder is refused.
	evil := bytes.Replace(text, []byte(`"weights/Parameter193.npy"`), []byte(`"../Parameter193.npy"`), 1)
	if _, err := onnxgraph.ReadJSON(bytes.NewReader(evil), &onnxgraph.JSONOptions{Dir: dir}); !errors.Is(err, onnxgraph.ErrUnsafePath) {
		t.Errorf("location out of the folder: %v, want ErrUnsafePath", err)
	}
	// ExternalDir must lie inside Dir.
	if err := m.SaveJSON(path, &onnxgraph.JSONOptions{ExternalDir: filepath.Join(t.TempDir(), "w")}); !errors.Is(err, onnxgraph.ErrUnsafePath) {
		t.Errorf("ExternalDir outside: %v, want ErrUnsafePath", err)
	}
	// Every type goes through its .npy form, containers included.
	all := onnxgraph.NewModel(10, map[string]int64{"": 21})
	for i, c := range codecCases() {
		tn, _ := onnxgraph.NewTensorOf(fmt.Sprintf("t%d %s", i, c.name), c.dt, c.dims, c.values)
		if _, err := all.Graph().AddInitializer(tn); err != nil {
			t.Fatal(err)
		}
	}
	broken := onnxgraph.TensorFromProto(&onnxproto.TensorProto{Name: proto.String("broken"), DataType: proto.Int32(int32(onnxgraph.Float)),
		Dims: []int64{100}, RawData: make([]byte, 12)})
	if _, err := all.Graph().AddInitializer(broken); err != nil {
		t.Fatal(err)
	}
	d2 := t.TempDir()
	if err := all.SaveJSON(filepath.Join(d2, "all.json"), &onnxgraph.JSONOptions{ExternalDir: ".", Threshold: -1}); err != nil {
		t.Fatal(err)
	}
	back, err = onnxgraph.OpenJSON(filepath.Join(d2, "all.json"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(back.ToProto(), all.ToProto()) {
		t.Error("all types: the model read back differs")
	}
	if _, err := os.Stat(filepath.Join(d2, "broken.npy")); err == nil {
		t.Error("a tensor with bad data went to a .npy file")
	}
}

// pythonProtobuf returns a python with onnx, or "".
func pythonProtobuf() string { return suitetest.Python("onnx") }

// TestJSONExternalDataModel writes the JSON of a model whose weights are
// in ONNX external data: they are read in, and the text equals that of the
// same model inline.
func TestJSONExternalDataModel(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.onnx")
	if err := samples.MNIST().SaveWith(path, &onnxgraph.SaveOptions{External: onnxgraph.ExternalSingle}); err != nil {
		t.Fatal(err)
	}
	m, err := onnxgraph.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var ext, inline bytes.Buffer
	if err := m.WriteJSON(&ext, nil); err != nil {
		t.Fatal(err)
	}
	samples.MNIST().WriteJSON(&inline, nil)
	if !bytes.Equal(ext.Bytes(), inline.Bytes()) {
		t.Error("JSON of the external-data model differs from the inline model's")
	}
	// An external tensor with no folder to read from is an error.
	b, _ := os.ReadFile(path)
	nodir, err := onnxgraph.Decode(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := nodir.WriteJSON(io.Discard, nil); !errors.Is(err, onnxgraph.ErrExternalData) {
		t.Errorf("no folder: %v, want ErrExternalData", err)
	}
}

func TestReadJSONErrors(t *testing.T) {
	if _, err := onnxgraph.ReadJSON(strings.NewReader(`{"irVersion": "8", "noSuchField": 1}`), nil); !errors.Is(err, onnxgraph.ErrMalformed) {
		t.Errorf("unknown field: %v, want ErrMalformed", err)
	}
	m, err := onnxgraph.ReadJSON(strings.NewReader(`{"ir_version": 8, "noSuchField": 1}`), &onnxgraph.JSONOptions{DiscardUnknown: true})
	if err != nil || m.IRVersion() != 8 {
		t.Errorf("DiscardUnknown with snake_case and a number: %v", err)
	}
	if _, err := onnxgraph.ReadJSON(strings.NewReader(`{`), nil); !errors.Is(err, onnxgraph.ErrMalformed) {
		t.Errorf("bad JSON: %v, want ErrMalformed", err)
	}
}

func ExampleModel_WriteJSON() {
	m := onnxgraph.NewModel(10, map[string]int64{"": 21})
	g := m.Graph()
	x, _ := g.AddInput("x", onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(2)))
	k, _ := onnxgraph.TensorFrom("k", []int64{2}, []float32{1, 2})
	kv, _ := g.AddInitializer(k)
	n, _ := g.AddNode("Mul", []*onnxgraph.Value{x, kv}, []string{"y"})
	g.AddOutput(n.Output(0), nil)
	m.WriteJSON(os.Stdout, nil)
	// Output:
	// {
	//   "irVersion": "10",
	//   "graph": {
	//     "node": [
	//       {
	//         "input": [
	//           "x",
	//           "k"
	//         ],
	//         "output": [
	//           "y"
	//         ],
	//         "opType": "Mul"
	//       }
	//     ],
	//     "name": "main",
	//     "initializer": [
	//       {
	//         "dims": [
	//           "2"
	//         ],
	//         "dataType": 1,
	//         "name": "k",
	//         "rawData": "AACAPwAAAEA="
	//       }
	//     ],
	//     "input": [
	//       {
	//         "name": "x",
	//         "type": {
	//           "tensorType": {
	//             "elemType": 1,
	//             "shape": {
	//               "dim": [
	//                 {
	//                   "dimValue": "2"
	//                 }
	//               ]
	//             }
	//           }
	//         }
	//       }
	//     ],
	//     "output": [
	//       {
	//         "name": "y"
	//       }
	//     ]
	//   },
	//   "opsetImport": [
	//     {
	//       "domain": "",
	//       "version": "21"
	//     }
	//   ]
	// }
}

// TestJSONFloatsPython compares the text of random float and double fields
// (float32 attribute values, float_data and double_data) with python's
// MessageToJson.
func TestJSONFloatsPython(t *testing.T) {
	py := pythonONNX(t)
	rng := rand.New(rand.NewPCG(3, 4))
	f32 := make([]float32, 0, 60000)
	f64 := make([]float64, 0, 30000)
	for len(f32) < cap(f32) {
		var f float32
		if len(f32)%2 == 0 {
			f = math.Float32frombits(rng.Uint32())
		} else {
			f = float32(math.Ldexp(rng.Float64(), rng.IntN(80)-40))
		}
		if !isNaN32(f) {
			f32 = append(f32, f)
		}
	}
	for len(f64) < cap(f64) {
		f := math.Float64frombits(rng.Uint64())
		if len(f64)%2 == 1 {
			f = math.Ldexp(rng.Float64(), rng.IntN(80)-40)
		}
		if !math.IsNaN(f) {
			f64 = append(f64, f)
		}
	}
	m := onnxgraph.NewModel(10, map[string]int64{"": 21})
	g := m.Graph()
	a, _ := onnxgraph.TensorFrom("a", []int64{int64(len(f32))}, f32)
	b, _ := onnxgraph.TensorFrom("b", []int64{int64(len(f64))}, f64)
	at, _ := a.AsTypedFields()
	bt, _ := b.AsTypedFields()
	g.AddInitializer(at)
	g.AddInitializer(bt)
	if _, err := g.AddNode("Foo", nil, []string{"y"}, onnxgraph.AttrFloats("f", f32[:1000]...)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "floats.json")
	if err := m.SaveJSON(path, nil); err != nil {
		t.Fatal(err)
	}
	script := `
import sys
import onnx
from google.protobuf import json_format
text = open(sys.argv[1]).read().rstrip("\n")
again = json_format.MessageToJson(json_format.Parse(text, onnx.ModelProto()))
if again != text:
    a, b = again.split("\n"), text.split("\n")
    diff = [(x, y) for x, y in zip(a, b) if x != y]
    print(len(diff), "lines differ, e.g.", diff[:10])
    sys.exit(1)
`
	if out, err := exec.Command(py, "-c", script, path).CombinedOutput(); err != nil {
		t.Errorf("python: %v\n%s", err, out)
	}
}

func ExampleReadJSON() {
	js := `{
  "irVersion": "10",
  "graph": {
    "name": "g",
    "initializer": [{"dims": ["2"], "dataType": 7, "name": "shape", "rawData": "/////////38DAAAAAAAAAA=="}]
  },
  "opsetImport": [{"version": "21"}]
}`
	m, err := onnxgraph.ReadJSON(strings.NewReader(js), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	init := m.Graph().Initializers()[0].Initializer()
	v, err := init.Int64s()
	fmt.Println(m.IRVersion(), init.Name(), v, err)
	// Output:
	// 10 shape [9223372036854775807 3] <nil>
}
