package onnxgraph_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph"
)

func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files under testdata")
	}
}

// updating reports whether the test run was asked to rewrite golden files.
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// npyDtypes are the numpy dtypes with an ONNX type, as python names them,
// and the values the python side of TestNPYReadNumpy fills them with.
var npyDtypes = []struct {
	np string
	dt onnxgraph.DataType
}{
	{"bool", onnxgraph.Bool}, {"int8", onnxgraph.Int8}, {"int16", onnxgraph.Int16}, {"int32", onnxgraph.Int32},
	{"int64", onnxgraph.Int64}, {"uint8", onnxgraph.Uint8}, {"uint16", onnxgraph.Uint16}, {"uint32", onnxgraph.Uint32},
	{"uint64", onnxgraph.Uint64}, {"float16", onnxgraph.Float16}, {"float32", onnxgraph.Float}, {"float64", onnxgraph.Double},
	{"complex64", onnxgraph.Complex64}, {"complex128", onnxgraph.Complex128},
}

// npyExpected is what the python script below puts in an array of dtype dt
// of shape (2, 3, 4), in C order.
func npyExpected(dt onnxgraph.DataType) any {
	n := 24
	switch dt {
	case onnxgraph.Bool:
		v := make([]bool, n)
		for i := range v {
			v[i] = i%3 == 0
		}
		return v
	case onnxgraph.Float16, onnxgraph.Float:
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(i-5) / 4
		}
		return v
	case onnxgraph.Double:
		v := make([]float64, n)
		for i := range v {
			v[i] = float64(i-5) / 4
		}
		return v
	case onnxgraph.Complex64:
		v := make([]complex64, n)
		for i := range v {
			v[i] = complex(float32(i), float32(i)/2)
		}
		return v
	case onnxgraph.Complex128:
		v := make([]complex128, n)
		for i := range v {
			v[i] = complex(float64(i), float64(i)/2)
		}
		return v
	}
	v := make([]int64, n)
	signed := dt == onnxgraph.Int8 || dt == onnxgraph.Int16 || dt == onnxgraph.Int32 || dt == onnxgraph.Int64
	for i := range v {
		v[i] = int64(i)
		if signed {
			v[i] -= 5
		}
	}
	return v
}

const npyPythonWrite = `
import sys, numpy as np
d = sys.argv[1]
def put(name, a, version=None):
    with open("%s/%s.npy" % (d, name), "wb") as f:
        if version:
            np.lib.format.write_array(f, a, version=version)
        else:
            np.save(f, a)
for dt in sys.argv[2].split(","):
    i = np.arange(24)
    if dt == "bool":
        a = i % 3 == 0
    elif dt.startswith("complex"):
        a = (i + 1j * (i / 2)).astype(dt)
    elif dt.startswith("float"):
        a = ((i - 5) / 4).astype(dt)
    elif dt.startswith("int"):
        a = (i - 5).astype(dt)
    else:
        a = i.astype(dt)
    a = a.reshape(2, 3, 4)
    put(dt + "_c", a)
    put(dt + "_f", np.asfortranarray(a))
    put(dt + "_be", a.astype(a.dtype.newbyteorder(">")))
    put(dt + "_fbe", np.asfortranarray(a.astype(a.dtype.newbyteorder(">"))))
    put(dt + "_v2", a, (2, 0))
    put(dt + "_v3", a, (3, 0))
put("scalar", np.float64(2.5).reshape(()))
put("empty", np.zeros((0, 3), np.int32))
put("bytes", np.array([[b"ab", b""], [b"x\x00y", b"hello"]]))
put("unicode", np.array(["a", "\u00e9t\u00e9", "\U0001f600", ""]))
put("unicode_f", np.asfortranarray(np.array([["a", "bc"], ["def", "g"]])))
put("unicode_be", np.array(["\u00e9x", "yz"]).astype(">U2"))
put("object", np.array([1, "a"], dtype=object))
put("structured", np.zeros(2, dtype=[("a", "<i4"), ("b", "<f4")]))
put("longdouble", np.zeros(2, dtype=np.longdouble))
put("datetime", np.zeros(2, dtype="datetime64[s]"))
`

// TestNPYReadNumpy reads arrays numpy wrote: every dtype with an ONNX type
// in C order, Fortran order, big-endian, and format versions 2.0 and 3.0;
// scalars, empty arrays, bytes and unicode strings; and refuses the dtypes
// ONNX lacks.
func TestNPYReadNumpy(t *testing.T) {
	py := pythonNumpy(t)
	dir := t.TempDir()
	var names []string
	for _, d := range npyDtypes {
		names = append(names, d.np)
	}
	if out, err := exec.Command(py, "-c", npyPythonWrite, dir, strings.Join(names, ",")).CombinedOutput(); err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	read := 0
	for _, d := range npyDtypes {
		for _, variant := range []string{"c", "f", "be", "fbe", "v2", "v3"} {
			name := d.np + "_" + variant
			tn, err := onnxgraph.ReadNPYFile(filepath.Join(dir, name+".npy"))
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			read++
			if tn.Name() != name || tn.DataType() != d.dt || !slices.Equal(tn.Dims(), []int64{2, 3, 4}) {
				t.Errorf("%s: got %s %s %v", name, tn.Name(), onnxgraph.DataTypeName(tn.DataType()), tn.Dims())
				continue
			}
			got, err := tn.Values()
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			want := npyExpected(d.dt)
			if w, ok := want.([]int64); ok {
				got, _ = tn.Int64s()
				want = w
			}
			if !sameAny(got, want) {
				t.Errorf("%s: values %v, want %v", name, got, want)
			}
		}
	}
	check := func(name string, dt onnxgraph.DataType, dims []int64, want any) {
		t.Helper()
		tn, err := onnxgraph.ReadNPYFile(filepath.Join(dir, name+".npy"))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			return
		}
		read++
		got, err := tn.Values()
		if err != nil || tn.DataType() != dt || !slices.Equal(tn.Dims(), dims) || !sameAny(got, want) {
			t.Errorf("%s: %s %v %v (%v), want %s %v %v", name, onnxgraph.DataTypeName(tn.DataType()), tn.Dims(), got, err, onnxgraph.DataTypeName(dt), dims, want)
		}
	}
	bs := func(s ...string) [][]byte {
		out := make([][]byte, len(s))
		for i, x := range s {
			out[i] = []byte(x)
		}
		return out
	}
	check("scalar", onnxgraph.Double, []int64{}, []float64{2.5})
	check("empty", onnxgraph.Int32, []int64{0, 3}, []int32{})
	check("bytes", onnxgraph.String, []int64{2, 2}, bs("ab", "", "x\x00y", "hello"))
	check("unicode", onnxgraph.String, []int64{4}, bs("a", "été", "😀", ""))
	check("unicode_f", onnxgraph.String, []int64{2, 2}, bs("a", "bc", "def", "g"))
	check("unicode_be", onnxgraph.String, []int64{2}, bs("éx", "yz"))
	for _, name := range []string{"object", "structured", "longdouble", "datetime"} {
		if _, err := onnxgraph.ReadNPYFile(filepath.Join(dir, name+".npy")); !errors.Is(err, onnxgraph.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	t.Logf("read %d arrays numpy wrote", read)
}

// npyGolden are the committed files under testdata/npy, written by
// WriteNPY: one per element type family, the containers included.
func npyGolden(t *testing.T) map[string]*onnxgraph.Tensor {
	t.Helper()
	out := map[string]*onnxgraph.Tensor{}
	add := func(name string, dt onnxgraph.DataType, dims []int64, v any) {
		tn, err := onnxgraph.NewTensorOf(name, dt, dims, v)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = tn
	}
	add("float32", onnxgraph.Float, []int64{2, 3}, []float32{0, -0.5, float32(math.Inf(1)), float32(math.NaN()), math.SmallestNonzeroFloat32, math.MaxFloat32})
	add("float16", onnxgraph.Float16, []int64{3}, []float32{1, -65504, float32(math.Ldexp(1, -24))})
	add("bool", onnxgraph.Bool, []int64{2, 2}, []bool{true, false, false, true})
	add("int64_scalar", onnxgraph.Int64, []int64{}, []int64{-42})
	add("uint64", onnxgraph.Uint64, []int64{2}, []uint64{0, math.MaxUint64})
	add("complex128", onnxgraph.Complex128, []int64{2}, []complex128{complex(1, -1), complex(math.Inf(-1), 0.25)})
	add("strings", onnxgraph.String, []int64{3}, []string{"onnx", "", "ÿ"})
	add("bfloat16", onnxgraph.BFloat16, []int64{2}, []float32{1, -3.5})
	add("float8e4m3fn", e4m3fn, []int64{3}, []float32{1, 448, -0.5})
	add("float4e2m1", f4e2m1, []int64{3}, []float32{6, -0.5, 1})
	add("int4", int4, []int64{5}, []int{-8, 7, 0, -1, 3})
	add("uint2", uint2, []int64{3}, []int{3, 0, 2})
	return out
}

// TestNPYGolden checks the committed .npy files against what WriteNPY
// writes now (go test -update rewrites them) and reads them back into their
// ONNX types.
func TestNPYGolden(t *testing.T) {
	dir := filepath.Join("testdata", "npy")
	for name, tn := range npyGolden(t) {
		var buf bytes.Buffer
		if err := tn.WriteNPY(&buf); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		path := filepath.Join(dir, name+".npy")
		if updating() {
			os.MkdirAll(dir, 0o755)
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		golden, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -run TestNPYGolden -update)", err)
		}
		if !bytes.Equal(golden, buf.Bytes()) {
			t.Errorf("%s: WriteNPY output differs from the golden file", name)
		}
		back, err := onnxgraph.ReadNPYAs(bytes.NewReader(golden), name, tn.DataType())
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		a, _ := tn.Values()
		b, _ := back.Values()
		if !sameAny(a, b) || !slices.Equal(tn.Dims(), back.Dims()) || back.DataType() != tn.DataType() {
			t.Errorf("%s: read back %v %v, want %v %v", name, back.Dims(), b, tn.Dims(), a)
		}
	}
}

// TestNPYWriteNumpy has numpy load every file WriteNPY writes (the golden
// files and one per codec case) and save it again: the bytes must be the
// same, which checks the header, the dtype and the data at once.
func TestNPYWriteNumpy(t *testing.T) {
	py := pythonNumpy(t)
	dir := t.TempDir()
	var files []string
	for name, tn := range npyGolden(t) {
		p := filepath.Join(dir, "golden_"+name+".npy")
		if err := tn.WriteNPYFile(p); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	for _, c := range codecCases() {
		tn, err := onnxgraph.NewTensorOf("x", c.dt, c.dims, c.values)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".npy")
		if err := tn.WriteNPYFile(p); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	script := `
import sys, io, numpy as np
bad = []
for p in sys.argv[1:]:
    with open(p, "rb") as f:
        ours = f.read()
    a = np.load(io.BytesIO(ours))
    b = io.BytesIO()
    np.save(b, a)
    if b.getvalue() != ours:
        bad.append(p)
print(len(sys.argv) - 1, "files;", "differ:", bad)
sys.exit(1 if bad else 0)
`
	out, err := exec.Command(py, append([]string{"-c", script}, files...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	t.Logf("numpy: %s", bytes.TrimSpace(out))
}

// npyFile builds a .npy file by hand.
func npyFile(version byte, header string, data []byte) []byte {
	b := []byte("\x93NUMPY")
	b = append(b, version, 0)
	if version == 1 {
		b = binary.LittleEndian.AppendUint16(b, uint16(len(header)))
	} else {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(header)))
	}
	b = append(b, header...)
	return append(b, data...)
}

func TestNPYFortranAndErrors(t *testing.T) {
	// A 2x3 int16 array in Fortran order: columns first.
	data := []byte{}
	for _, v := range []int16{1, 4, 2, 5, 3, 6} {
		data = binary.LittleEndian.AppendUint16(data, uint16(v))
	}
	f := npyFile(1, "{'descr': '<i2', 'fortran_order': True, 'shape': (2, 3), }\n", data)
	tn, err := onnxgraph.ReadNPY(bytes.NewReader(f), "f")
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := tn.Int64s(); !slices.Equal(v, []int64{1, 2, 3, 4, 5, 6}) {
		t.Errorf("Fortran order read as %v", v)
	}
	// Python 2 longs and a reordered dict.
	f = npyFile(1, "{'shape': (2L,), 'fortran_order': False, 'descr': '>u4'}", []byte{0, 0, 0, 1, 0, 0, 1, 0})
	if tn, err := onnxgraph.ReadNPY(bytes.NewReader(f), "p"); err != nil {
		t.Error(err)
	} else if v, _ := tn.Int64s(); !slices.Equal(v, []int64{1, 256}) {
		t.Errorf("big-endian uint32 read as %v", v)
	}
	bad := map[string][]byte{
		"magic":       []byte("\x93NUMPX\x01\x00\x00\x00"),
		"version":     npyFile(4, "{}", nil),
		"truncated":   npyFile(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", make([]byte, 8)),
		"no shape":    npyFile(1, "{'descr': '<f4', 'fortran_order': False}", nil),
		"neg shape":   npyFile(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}", nil),
		"object":      npyFile(1, "{'descr': '|O', 'fortran_order': False, 'shape': (1,)}", make([]byte, 8)),
		"f16":         npyFile(1, "{'descr': '<f16', 'fortran_order': False, 'shape': (1,)}", make([]byte, 16)),
		"garbage":     npyFile(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), junk", make([]byte, 4)),
		"huge":        npyFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 4)}", nil),
		"bad unicode": npyFile(1, "{'descr': '<U1', 'fortran_order': False, 'shape': (1,)}", []byte{0, 0xd8, 0, 0}),
		"empty":       nil,
	}
	for name, b := range bad {
		if _, err := onnxgraph.ReadNPY(bytes.NewReader(b), name); !errors.Is(err, onnxgraph.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	// A header too long for version 1.0 (numpy itself stops at 32 dims).
	long := make([]int64, 30000)
	for i := range long {
		long[i] = 1
	}
	lt, _ := onnxgraph.TensorFrom("l", long, []uint8{9})
	var lb bytes.Buffer
	if err := lt.WriteNPY(&lb); err != nil {
		t.Fatal(err)
	}
	if lb.Bytes()[6] != 2 || (lb.Len()-1)%64 != 0 {
		t.Errorf("long header: version %d, %d bytes", lb.Bytes()[6], lb.Len())
	}
	if back, err := onnxgraph.ReadNPY(&lb, "l"); err != nil || len(back.Dims()) != 30000 {
		t.Errorf("long header read back: %v", err)
	}

	// ReadNPYAs refuses containers that do not fit the type.
	i8, _ := onnxgraph.TensorFrom("v", []int64{2}, []int8{7, 8})
	var buf bytes.Buffer
	i8.WriteNPY(&buf)
	if _, err := onnxgraph.ReadNPYAs(bytes.NewReader(buf.Bytes()), "v", int4); !errors.Is(err, onnxgraph.ErrInvalid) {
		t.Errorf("8 as int4: %v, want ErrInvalid", err)
	}
	if _, err := onnxgraph.ReadNPYAs(bytes.NewReader(buf.Bytes()), "v", onnxgraph.Float); !errors.Is(err, onnxgraph.ErrInvalid) {
		t.Errorf("int8 as float: %v, want ErrInvalid", err)
	}
	nul, _ := onnxgraph.TensorFrom("s", []int64{1}, []string{"a\x00"})
	if err := nul.WriteNPY(&buf); !errors.Is(err, onnxgraph.ErrInvalid) {
		t.Errorf("string ending in NUL: %v, want ErrInvalid", err)
	}
}

func ExampleReadNPY() {
	t, _ := onnxgraph.TensorFrom("x", []int64{2, 2}, []float32{1, 2, 3, 4})
	var buf bytes.Buffer
	if err := t.WriteNPY(&buf); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%q\n", bytes.TrimSpace(buf.Bytes()[10:80]))
	back, err := onnxgraph.ReadNPY(&buf, "x")
	if err != nil {
		fmt.Println(err)
		return
	}
	v, _ := back.Float32s()
	fmt.Println(onnxgraph.DataTypeName(back.DataType()), back.Dims(), v)
	// Output:
	// "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }"
	// float32 [2 2] [1 2 3 4]
}

func ExampleReadNPYAs() {
	// bfloat16 has no numpy dtype: WriteNPY stores its bit patterns as
	// uint16, and ReadNPYAs turns them back into bfloat16.
	t, _ := onnxgraph.NewTensorOf("b", onnxgraph.BFloat16, []int64{2}, []float32{1, -2})
	var buf bytes.Buffer
	t.WriteNPY(&buf)
	plain, _ := onnxgraph.ReadNPY(bytes.NewReader(buf.Bytes()), "b")
	back, _ := onnxgraph.ReadNPYAs(bytes.NewReader(buf.Bytes()), "b", onnxgraph.BFloat16)
	u, _ := plain.Values()
	v, _ := back.Values()
	fmt.Println(onnxgraph.DataTypeName(plain.DataType()), u)
	fmt.Println(onnxgraph.DataTypeName(back.DataType()), v)
	// Output:
	// uint16 [16256 49152]
	// bfloat16 [1 -2]
}
