package onnxgraph_test

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/internal/suitetest"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"google.golang.org/protobuf/proto"
)

// suiteLeaf is one tensor of a backend-suite test data file: the file's own
// TensorProto, or a tensor inside its SequenceProto, OptionalProto or
// MapProto. key names it the same way in Go and in python.
type suiteLeaf struct {
	key string
	t   *onnxgraph.Tensor
}

// suiteDataFile is a test_data_set_*/{input,output}_N.pb file, its
// contents and the kind of message it holds, as the model's input or
// output type says.
type suiteDataFile struct {
	path, kind string // kind: tensor, sequence, optional or map
	data       []byte
}

// suiteDataFiles lists every test data file of the backend suite with the
// kind of message each holds.
func suiteDataFiles(t *testing.T) []suiteDataFile {
	var out []suiteDataFile
	for _, mpath := range suitetest.Models(t, suiteParts...) {
		sets, err := suitetest.DataSets(filepath.Dir(mpath))
		if err != nil {
			t.Fatal(err)
		}
		if len(sets) == 0 {
			continue
		}
		m, err := onnxgraph.Open(mpath, nil)
		if err != nil {
			t.Fatalf("%s: %v", mpath, err)
		}
		var ins []*onnxproto.TypeProto
		for _, v := range m.Graph().Inputs() {
			if v.Initializer() == nil {
				ins = append(ins, v.Type())
			}
		}
		var outs []*onnxproto.TypeProto
		for _, v := range m.Graph().Outputs() {
			outs = append(outs, v.Type())
		}
		m.Close()
		kind := func(types []*onnxproto.TypeProto, i int) string {
			if i >= len(types) {
				return "tensor"
			}
			switch types[i].GetValue().(type) {
			case *onnxproto.TypeProto_SequenceType:
				return "sequence"
			case *onnxproto.TypeProto_OptionalType:
				return "optional"
			case *onnxproto.TypeProto_MapType:
				return "map"
			}
			return "tensor"
		}
		for _, set := range sets {
			for i, b := range set.Inputs {
				out = append(out, suiteDataFile{set.InputPath(i), kind(ins, i), b})
			}
			for i, b := range set.Outputs {
				out = append(out, suiteDataFile{set.OutputPath(i), kind(outs, i), b})
			}
		}
	}
	return out
}

// suiteLeaves decodes a test data file into its tensors.
func suiteLeaves(f suiteDataFile) ([]suiteLeaf, error) {
	key := strings.TrimPrefix(f.path, suitetest.Dir+"/")
	if f.kind == "tensor" {
		t, err := onnxgraph.DecodeTensor(f.data)
		if err != nil {
			return nil, err
		}
		return []suiteLeaf{{key, t}}, nil
	}
	var msg proto.Message
	switch f.kind {
	case "sequence":
		msg = new(onnxproto.SequenceProto)
	case "optional":
		msg = new(onnxproto.OptionalProto)
	case "map":
		msg = new(onnxproto.MapProto)
	}
	if err := proto.Unmarshal(f.data, msg); err != nil {
		return nil, err
	}
	var out []suiteLeaf
	collectLeaves(msg, key, &out)
	return out, nil
}

// collectLeaves walks a SequenceProto, OptionalProto or MapProto in the
// order the python side of TestCodecSuitePython walks it.
func collectLeaves(msg proto.Message, key string, out *[]suiteLeaf) {
	add := func(k string, p *onnxproto.TensorProto) {
		*out = append(*out, suiteLeaf{k, onnxgraph.TensorFromProto(p)})
	}
	switch m := msg.(type) {
	case *onnxproto.SequenceProto:
		for i, t := range m.TensorValues {
			add(fmt.Sprintf("%s/t%d", key, i), t)
		}
		for i, s := range m.SequenceValues {
			collectLeaves(s, fmt.Sprintf("%s/s%d", key, i), out)
		}
		for i, o := range m.OptionalValues {
			collectLeaves(o, fmt.Sprintf("%s/o%d", key, i), out)
		}
		for i, mp := range m.MapValues {
			collectLeaves(mp, fmt.Sprintf("%s/m%d", key, i), out)
		}
	case *onnxproto.OptionalProto:
		if m.TensorValue != nil {
			add(key+"/t", m.TensorValue)
		}
		if m.SequenceValue != nil {
			collectLeaves(m.SequenceValue, key+"/s", out)
		}
		if m.OptionalValue != nil {
			collectLeaves(m.OptionalValue, key+"/o", out)
		}
		if m.MapValue != nil {
			collectLeaves(m.MapValue, key+"/m", out)
		}
	case *onnxproto.MapProto:
		if m.Values != nil {
			collectLeaves(m.Values, key+"/v", out)
		}
	}
}

const suitePythonScript = `
import sys, os
import numpy as np
import onnx
from onnx import numpy_helper

def leaves(msg, key, kind):
    if kind == "tensor":
        yield key, msg
    elif kind == "sequence":
        for i, t in enumerate(msg.tensor_values):
            yield "%s/t%d" % (key, i), t
        for i, s in enumerate(msg.sequence_values):
            yield from leaves(s, "%s/s%d" % (key, i), "sequence")
        for i, o in enumerate(msg.optional_values):
            yield from leaves(o, "%s/o%d" % (key, i), "optional")
        for i, m in enumerate(msg.map_values):
            yield from leaves(m, "%s/m%d" % (key, i), "map")
    elif kind == "optional":
        if msg.HasField("tensor_value"):
            yield key + "/t", msg.tensor_value
        if msg.HasField("sequence_value"):
            yield from leaves(msg.sequence_value, key + "/s", "sequence")
        if msg.HasField("optional_value"):
            yield from leaves(msg.optional_value, key + "/o", "optional")
        if msg.HasField("map_value"):
            yield from leaves(msg.map_value, key + "/m", "map")
    elif kind == "map":
        if msg.HasField("values"):
            yield from leaves(msg.values, key + "/v", "sequence")

listfile, outdir = sys.argv[1:3]
protos = {"tensor": onnx.TensorProto, "sequence": onnx.SequenceProto,
          "optional": onnx.OptionalProto, "map": onnx.MapProto}
n = 0
with open(os.path.join(outdir, "manifest.tsv"), "w") as man:
    for line in open(listfile).read().split("\n"):
        path, kind, base = line.split("\t")
        msg = protos[kind]()
        with open(path, "rb") as f:
            msg.ParseFromString(f.read())
        for key, t in leaves(msg, base, kind):
            try:
                a = numpy_helper.to_array(t)
                if a.dtype == object:
                    a = a.astype(str)
                np.save(os.path.join(outdir, "%d.npy" % n), a)
                man.write("%s\t%d.npy\n" % (key, n))
            except Exception as e:
                man.write("%s\tERROR %s\n" % (key, str(e).replace("\n", " ")[:200]))
            n += 1
print(n)
`

// TestCodecSuitePython decodes every tensor of the backend suite's test
// data (TensorProto files and the tensors inside SequenceProto and
// OptionalProto files) and compares the values, bit for bit, with python's
// onnx.numpy_helper.to_array, run once over all of them; python writes each
// array as .npy and ReadNPY reads it back. Python also decodes each
// non-string tensor in the typed-field form AsTypedFields writes. Each
// tensor also makes the round trip through the typed fields, .npy and
// base64.
func TestCodecSuitePython(t *testing.T) {
	files := suiteDataFiles(t)
	var leaves []suiteLeaf
	var lines []string
	for _, f := range files {
		ls, err := suiteLeaves(f)
		if err != nil {
			t.Fatalf("%s: %v", f.path, err)
		}
		leaves = append(leaves, ls...)
		lines = append(lines, f.path+"\t"+f.kind+"\t"+strings.TrimPrefix(f.path, suitetest.Dir+"/"))
	}
	byType := map[string]int{}
	inRaw := 0
	for _, l := range leaves {
		byType[onnxgraph.DataTypeName(l.t.DataType())]++
		if l.t.Proto().RawData != nil {
			inRaw++
		}
		if err := roundTripAllForms(l.t); err != nil {
			t.Errorf("%s: %v", l.key, err)
		}
	}
	t.Logf("%d test data files, %d tensors (%d in raw_data, %d in typed fields), by type: %v", len(files), len(leaves), inRaw, len(leaves)-inRaw, byType)

	// Python also reads each tensor in the typed-field form AsTypedFields
	// writes (the suite itself stores all but strings in raw_data).
	dir := t.TempDir()
	fromSuite := len(leaves)
	typedDir := filepath.Join(dir, "typed")
	os.Mkdir(typedDir, 0o755)
	for i, l := range slices.Clone(leaves) {
		if l.t.DataType() == onnxgraph.String {
			continue
		}
		typed, err := l.t.AsTypedFields()
		if err != nil {
			t.Fatalf("%s: %v", l.key, err)
		}
		b, err := proto.Marshal(typed.Proto())
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(typedDir, strconv.Itoa(i)+".pb")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		leaves = append(leaves, suiteLeaf{"typed:" + l.key, typed})
		lines = append(lines, p+"\ttensor\ttyped:"+l.key)
	}

	py := pythonONNX(t)
	list := filepath.Join(dir, "list.tsv")
	if err := os.WriteFile(list, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(py, "-c", suitePythonScript, list, dir).CombinedOutput(); err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	man, err := os.ReadFile(filepath.Join(dir, "manifest.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	npyOf := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(man)), "\n") {
		key, val, _ := strings.Cut(line, "\t")
		npyOf[key] = val
	}
	compared, pyErrors := 0, 0
	for _, l := range leaves {
		val, ok := npyOf[l.key]
		if !ok {
			t.Errorf("%s: python did not see this tensor", l.key)
			continue
		}
		if strings.HasPrefix(val, "ERROR") {
			pyErrors++
			t.Logf("%s: python could not decode it: %s", l.key, val)
			if _, err := l.t.Values(); err == nil {
				t.Errorf("%s: we decode a tensor python refuses", l.key)
			}
			continue
		}
		p, err := onnxgraph.ReadNPYFile(filepath.Join(dir, val))
		if err != nil {
			t.Errorf("%s: reading python's .npy: %v", l.key, err)
			continue
		}
		if err := sameValues(l.t, p); err != nil {
			t.Errorf("%s: %v", l.key, err)
			continue
		}
		compared++
	}
	t.Logf("compared %d tensors value for value with python's numpy_helper.to_array, %d of them in the typed-field form AsTypedFields writes (%d python could not decode)", compared, len(leaves)-fromSuite, pyErrors)
	if compared == 0 {
		t.Error("nothing compared")
	}
}

// sameValues compares our decoding of a with b, read from python's .npy:
// shapes, and values bit for bit (NaNs of either sign match).
func sameValues(a, b *onnxgraph.Tensor) error {
	if !slices.Equal(a.Dims(), b.Dims()) {
		return fmt.Errorf("shape %v, python %v", a.Dims(), b.Dims())
	}
	da, db := a.DataType(), b.DataType()
	if da != db && !(da == onnxgraph.BFloat16 && db == onnxgraph.Float) {
		return fmt.Errorf("type %s, python %s", onnxgraph.DataTypeName(da), onnxgraph.DataTypeName(db))
	}
	switch da {
	case onnxgraph.String:
		x, err1 := a.Strings()
		y, err2 := b.Strings()
		if err := errorsJoin(err1, err2); err != nil {
			return err
		}
		for i := range x {
			if !bytes.Equal(x[i], y[i]) {
				return fmt.Errorf("string %d: %q, python %q", i, x[i], y[i])
			}
		}
	case onnxgraph.Complex64, onnxgraph.Complex128:
		x, err1 := a.Complex128s()
		y, err2 := b.Complex128s()
		if err := errorsJoin(err1, err2); err != nil {
			return err
		}
		for i := range x {
			if !sameFloat(real(x[i]), real(y[i])) || !sameFloat(imag(x[i]), imag(y[i])) {
				return fmt.Errorf("element %d: %v, python %v", i, x[i], y[i])
			}
		}
	case onnxgraph.Float, onnxgraph.Double, onnxgraph.Float16, onnxgraph.BFloat16:
		x, err1 := a.Float64s()
		y, err2 := b.Float64s()
		if err := errorsJoin(err1, err2); err != nil {
			return err
		}
		for i := range x {
			if !sameFloat(x[i], y[i]) {
				return fmt.Errorf("element %d: %v (%#x), python %v (%#x)", i, x[i], math.Float64bits(x[i]), y[i], math.Float64bits(y[i]))
			}
		}
	case onnxgraph.Uint64:
		x, err1 := a.Uint64s()
		y, err2 := b.Uint64s()
		if err := errorsJoin(err1, err2); err != nil {
			return err
		}
		if !slices.Equal(x, y) {
			return fmt.Errorf("values %v, python %v", x, y)
		}
	default:
		x, err1 := a.Int64s()
		y, err2 := b.Int64s()
		if err := errorsJoin(err1, err2); err != nil {
			return err
		}
		if !slices.Equal(x, y) {
			return fmt.Errorf("values %v, python %v", x, y)
		}
	}
	return nil
}

func sameFloat(x, y float64) bool {
	if math.IsNaN(x) || math.IsNaN(y) {
		return math.IsNaN(x) && math.IsNaN(y)
	}
	return math.Float64bits(x) == math.Float64bits(y)
}

func errorsJoin(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// roundTripAllForms checks that t's values survive the typed fields, the
// raw form, .npy and base64.
func roundTripAllForms(t *onnxgraph.Tensor) error {
	want, err := t.Values()
	if err != nil {
		return fmt.Errorf("values: %v", err)
	}
	typed, err := t.AsTypedFields()
	if err != nil {
		return fmt.Errorf("typed fields: %v", err)
	}
	forms := map[string]*onnxgraph.Tensor{"typed": typed}
	var buf bytes.Buffer
	if err := t.WriteNPY(&buf); err != nil {
		return fmt.Errorf("npy: %v", err)
	}
	n, err := onnxgraph.ReadNPYAs(&buf, t.Name(), t.DataType())
	if err != nil {
		return fmt.Errorf("npy: %v", err)
	}
	forms["npy"] = n
	if t.DataType() != onnxgraph.String {
		raw, err := t.AsRawData()
		if err != nil {
			return fmt.Errorf("raw: %v", err)
		}
		forms["raw"] = raw
		s, err := t.Base64()
		if err != nil {
			return fmt.Errorf("base64: %v", err)
		}
		b, err := onnxgraph.TensorFromBase64(t.Name(), t.DataType(), t.Dims(), s)
		if err != nil {
			return fmt.Errorf("base64: %v", err)
		}
		forms["base64"] = b
	}
	names := make([]string, 0, len(forms))
	for k := range forms {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		f := forms[k]
		got, err := f.Values()
		if err != nil {
			return fmt.Errorf("%s: %v", k, err)
		}
		if !sameAny(got, want) || !slices.Equal(f.Dims(), t.Dims()) || f.DataType() != t.DataType() {
			return fmt.Errorf("%s form differs", k)
		}
	}
	return nil
}

// sameAny compares two slices from Values, floats bit for bit.
func sameAny(a, b any) bool {
	switch x := a.(type) {
	case []float32:
		y := b.([]float32)
		return len(x) == len(y) && sameFloat32s(x, y)
	case []float64:
		y := b.([]float64)
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameFloat(x[i], y[i]) {
				return false
			}
		}
		return true
	case []complex64:
		y := b.([]complex64)
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameFloat(float64(real(x[i])), float64(real(y[i]))) || !sameFloat(float64(imag(x[i])), float64(imag(y[i]))) {
				return false
			}
		}
		return true
	case []complex128:
		y := b.([]complex128)
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameFloat(real(x[i]), real(y[i])) || !sameFloat(imag(x[i]), imag(y[i])) {
				return false
			}
		}
		return true
	case [][]byte:
		y := b.([][]byte)
		return slices.EqualFunc(x, y, bytes.Equal)
	}
	return fmt.Sprint(a) == fmt.Sprint(b)
}

func sameFloat32s(x, y []float32) bool {
	for i := range x {
		if math.Float32bits(x[i]) != math.Float32bits(y[i]) {
			return false
		}
	}
	return true
}
