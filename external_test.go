package onnxgraph_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"google.golang.org/protobuf/proto"
)

// xdSpec is an initializer of a generated model: float32 data of size bytes.
type xdSpec struct {
	name string
	size int
}

// xdSpecs are a few MiB of weights, with tensors below the default
// threshold of 1024 bytes that stay inline.
var xdSpecs = []xdSpec{
	{"conv1.weight", 1 << 20},
	{"conv1.bias", 64},
	{"fc.weight", 2<<20 + 12},
	{"fc.bias", 4000},
	{"tiny", 4},
	{"head.weight", 512<<10 + 4},
}

// xdWeights returns n pseudo-random bytes from seed.
func xdWeights(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 99))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// xdBuild returns a model whose initializers are specs, each read by an
// Identity node whose output is a graph output.
func xdBuild(t testing.TB, specs []xdSpec) *onnxgraph.Model {
	t.Helper()
	m := onnxgraph.NewModel(8, map[string]int64{"": 13})
	g := m.Graph()
	for i, s := range specs {
		tn, err := onnxgraph.NewTensor(s.name, onnxgraph.Float, []int64{int64(s.size / 4)}, xdWeights(uint64(i), s.size))
		if err != nil {
			t.Fatal(err)
		}
		v, err := g.AddInitializer(tn)
		if err != nil {
			t.Fatal(err)
		}
		n, err := g.AddNode("Identity", []*onnxgraph.Value{v}, []string{"out" + strconv.Itoa(i)})
		if err != nil {
			t.Fatal(err)
		}
		if err := g.AddOutput(n.Output(0), onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(int64(s.size/4)))); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Sanity(); err != nil {
		t.Fatal(err)
	}
	return m
}

// xdSaved saves xdBuild(specs) to dir/name with opts and opens it again.
func xdSaved(t *testing.T, dir, name string, specs []xdSpec, opts *onnxgraph.SaveOptions) (*onnxgraph.Model, string) {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := xdBuild(t, specs).SaveWith(path, opts); err != nil {
		t.Fatal(err)
	}
	m, err := onnxgraph.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m, path
}

// xdDigests returns the sha256 of every initializer's bytes, by name.
func xdDigests(t *testing.T, m *onnxgraph.Model) map[string][32]byte {
	t.Helper()
	out := map[string][32]byte{}
	for _, v := range m.Graph().Initializers() {
		b, err := v.Initializer().Bytes()
		if err != nil {
			t.Fatalf("tensor %q: %v", v.Name(), err)
		}
		out[v.Name()] = sha256.Sum256(b)
	}
	return out
}

// xdSpecDigests returns the digests xdBuild's tensors have.
func xdSpecDigests(specs []xdSpec) map[string][32]byte {
	out := map[string][32]byte{}
	for i, s := range specs {
		out[s.name] = sha256.Sum256(xdWeights(uint64(i), s.size))
	}
	return out
}

// xdRefs returns the external-data entries of m's external initializers.
func xdRefs(t *testing.T, m *onnxgraph.Model) map[string]onnxgraph.ExternalRef {
	t.Helper()
	out := map[string]onnxgraph.ExternalRef{}
	for _, v := range m.Graph().Initializers() {
		if tn := v.Initializer(); tn.IsExternal() {
			r, err := tn.External()
			if err != nil {
				t.Fatal(err)
			}
			out[v.Name()] = r
		}
	}
	return out
}

func xdReadProto(t *testing.T, path string) *onnxproto.ModelProto {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	mp := new(onnxproto.ModelProto)
	if err := proto.Unmarshal(b, mp); err != nil {
		t.Fatal(err)
	}
	return mp
}

// xdFiles returns the names in dir, sorted.
func xdFiles(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

func xdEqualDigests(t *testing.T, what string, got, want map[string][32]byte) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d tensors, want %d", what, len(got), len(want))
	}
	for name, d := range want {
		if got[name] != d {
			t.Errorf("%s: tensor %q bytes changed", what, name)
		}
	}
}

// TestExternalSingleKeepRoundTrip saves a model with one external file,
// loads it, and saves it again with the default options into another
// folder: the layout (locations, offsets, lengths), the model message and
// every tensor's bytes must be the same, and so must the data file.
func TestExternalSingleKeepRoundTrip(t *testing.T) {
	dir1, dir2 := t.TempDir(), t.TempDir()
	m, path1 := xdSaved(t, dir1, "model.onnx", xdSpecs, &onnxgraph.SaveOptions{External: onnxgraph.ExternalSingle})
	if got, want := xdFiles(t, dir1), []string{"model.onnx", "model.onnx.data"}; !slices.Equal(got, want) {
		t.Fatalf("files %v, want %v", got, want)
	}
	refs := xdRefs(t, m)
	for _, s := range xdSpecs {
		_, ext := refs[s.name]
		if ext != (s.size >= 1024) {
			t.Errorf("tensor %q of %d bytes: external %v", s.name, s.size, ext)
		}
		if r := refs[s.name]; ext && (r.Location != "model.onnx.data" || r.Length != int64(s.size)) {
			t.Errorf("tensor %q: external entry %+v", s.name, r)
		}
	}
	digests := xdDigests(t, m)
	xdEqualDigests(t, "after the first save", digests, xdSpecDigests(xdSpecs))

	path2 := filepath.Join(dir2, "model.onnx")
	if err := m.Save(path2); err != nil {
		t.Fatal(err)
	}
	if got, want := xdFiles(t, dir2), []string{"model.onnx", "model.onnx.data"}; !slices.Equal(got, want) {
		t.Fatalf("files %v, want %v", got, want)
	}
	if !proto.Equal(xdReadProto(t, path1), xdReadProto(t, path2)) {
		t.Error("the saved model message differs from the loaded one")
	}
	data1, _ := os.ReadFile(filepath.Join(dir1, "model.onnx.data"))
	data2, _ := os.ReadFile(filepath.Join(dir2, "model.onnx.data"))
	if !bytes.Equal(data1, data2) {
		t.Errorf("data files differ: %d and %d bytes", len(data1), len(data2))
	}
	back, err := onnxgraph.Open(path2, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer back.Close()
	if got := xdRefs(t, back); !maps.Equal(got, refs) {
		t.Errorf("external entries changed:\n got %v\nwant %v", got, refs)
	}
	for name, r := range refs {
		got := sha256.Sum256(data2[r.Offset : r.Offset+r.Length])
		if got != digests[name] {
			t.Errorf("tensor %q: bytes at its offset in the new data file differ", name)
		}
	}
	xdEqualDigests(t, "after the second save", xdDigests(t, back), digests)
}

// TestSaveOverItself saves a loaded model over its own file: with the
// layout kept nothing changes and the data file is not rewritten; with a
// new layout (aligned) the data file is rewritten from itself. Neither
// leaves a temporary file, and the loaded model still reads its tensors
// right afterwards, from the file it was loaded from.
func TestSaveOverItself(t *testing.T) {
	dir := t.TempDir()
	m, path := xdSaved(t, dir, "model.onnx", xdSpecs, &onnxgraph.SaveOptions{External: onnxgraph.ExternalSingle})
	want := xdSpecDigests(xdSpecs)
	before := xdReadProto(t, path)
	dataPath := filepath.Join(dir, "model.onnx.data")
	st1, err := os.Stat(dataPath)
	if err != nil {
		t.Fatal(err)
	}

	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	if got := xdFiles(t, dir); !slices.Equal(got, []string{"model.onnx", "model.onnx.data"}) {
		t.Errorf("files after saving over itself: %v", got)
	}
	if !proto.Equal(before, xdReadProto(t, path)) {
		t.Error("saving over itself changed the model message")
	}
	if st2, err := os.Stat(dataPath); err != nil || !os.SameFile(st1, st2) || !st2.ModTime().Equal(st1.ModTime()) {
		t.Error("saving over itself with the layout kept rewrote the data file")
	}
	xdEqualDigests(t, "loaded model after saving over itself", xdDigests(t, m), want)

	// A new layout rewrites the data file while reading from it.
	if err := m.SaveWith(path, &onnxgraph.SaveOptions{External: onnxgraph.ExternalSingle, Align: 4096}); err != nil {
		t.Fatal(err)
	}
	if got := xdFiles(t, dir); !slices.Equal(got, []string{"model.onnx", "model.onnx.data"}) {
		t.Errorf("files after saving over itself aligned: %v", got)
	}
	back, err := onnxgraph.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer back.Close()
	for name, r := range xdRefs(t, back) {
		if r.Offset%4096 != 0 {
			t.Errorf("tensor %q at offset %d after an aligned save", name, r.Offset)
		}
	}
	xdEqualDigests(t, "reloaded after an aligned save over itself", xdDigests(t, back), want)
	// The first model still describes the old layout: its reads and saves
	// must come from the file it loaded, not from the new one at that path.
	xdEqualDigests(t, "first model after its file was replaced", xdDigests(t, m), want)
	out := filepath.Join(t.TempDir(), "copy.onnx")
	if err := m.SaveWith(out, &onnxgraph.SaveOptions{External: onnxgraph.ExternalInline}); err != nil {
		t.Fatal(err)
	}
	inl, err := onnxgraph.Open(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	xdEqualDigests(t, "inline copy of the first model after its file was replaced", xdDigests(t, inl), want)
}

// TestExternalPerTensor writes one file per tensor of at least the
// threshold, named after the tensor: names are sanitized, unique even on
// case-insensitive file systems, and not the model's own name.
func TestExternalPerTensor(t *testing.T) {
	specs := []xdSpec{
		{"layer/0:weight", 8192},
		{"Layer/0:Weight", 8192}, // the same file name but for case
		{"layer_0_weight", 4096}, // what both sanitize to
		{"../../escape", 2048},
		{"..", 2048},
		{"model.onnx", 2048}, // the model file's own name
		{"small", 1020},      // below the threshold: stays inline
	}
	dir := t.TempDir()
	m, _ := xdSaved(t, dir, "model.onnx", specs, &onnxgraph.SaveOptions{External: onnxgraph.ExternalPerTensor, Threshold: 1024})
	refs := xdRefs(t, m)
	safe := regexp.MustCompile(`^[A-Za-z0-9._-]+$`)
	seen := map[string]string{}
	for _, s := range specs {
		r, ok := refs[s.name]
		if ok != (s.size >= 1024) {
			t.Errorf("tensor %q of %d bytes: external %v", s.name, s.size, ok)
		}
		if !ok {
			continue
		}
		if !safe.MatchString(r.Location) || r.Location == "." || r.Location == ".." || strings.EqualFold(r.Location, "model.onnx") {
			t.Errorf("tensor %q: unsafe or clashing file name %q", s.name, r.Location)
		}
		if prev, dup := seen[strings.ToLower(r.Location)]; dup {
			t.Errorf("tensors %q and %q share file %q (ignoring case)", prev, s.name, r.Location)
		}
		seen[strings.ToLower(r.Location)] = s.name
		st, err := os.Stat(filepath.Join(dir, r.Location))
		if err != nil {
			t.Errorf("tensor %q: %v", s.name, err)
		} else if r.Offset != 0 || r.Length != int64(s.size) || st.Size() != int64(s.size) {
			t.Errorf("tensor %q: entry %+v for a %d-byte file", s.name, r, st.Size())
		}
	}
	if got, want := len(xdFiles(t, dir)), 1+len(refs); got != want {
		t.Errorf("%d files in the folder, want %d: %v", got, want, xdFiles(t, dir))
	}
	xdEqualDigests(t, "per-tensor files", xdDigests(t, m), xdSpecDigests(specs))
}

// TestExternalInlineFromExternal inlines every tensor of an external-data
// model: the result refers to no file and holds the same bytes.
func TestExternalInlineFromExternal(t *testing.T) {
	m, _ := xdSaved(t, t.TempDir(), "model.onnx", xdSpecs, &onnxgraph.SaveOptions{External: onnxgraph.ExternalSingle})
	dir := t.TempDir()
	path := filepath.Join(dir, "inline.onnx")
	if err := m.SaveWith(path, &onnxgraph.SaveOptions{External: onnxgraph.ExternalInline}); err != nil {
		t.Fatal(err)
	}
	if got := xdFiles(t, dir); !slices.Equal(got, []string{"inline.onnx"}) {
		t.Errorf("files %v, want only the model", got)
	}
	back, err := onnxgraph.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if refs := xdRefs(t, back); len(refs) != 0 {
		t.Errorf("external entries left: %v", refs)
	}
	mp := xdReadProto(t, path)
	for _, tp := range mp.GetGraph().GetInitializer() {
		if tp.GetDataLocation() != onnxproto.TensorProto_DEFAULT || len(tp.GetExternalData()) != 0 {
			t.Errorf("tensor %q keeps data_location %v, external_data %v", tp.GetName(), tp.GetDataLocation(), tp.GetExternalData())
		}
	}
	xdEqualDigests(t, "inlined", xdDigests(t, back), xdSpecDigests(xdSpecs))
	// Bytes inlines the same way without a folder.
	b, err := m.Bytes(&onnxgraph.SaveOptions{External: onnxgraph.ExternalInline})
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(mp, xdProto(t, b)) {
		t.Error("Bytes(ExternalInline) differs from SaveWith(ExternalInline)")
	}
}

func xdProto(t *testing.T, b []byte) *onnxproto.ModelProto {
	t.Helper()
	mp := new(onnxproto.ModelProto)
	if err := proto.Unmarshal(b, mp); err != nil {
		t.Fatal(err)
	}
	return mp
}

// TestExternalAlign pads every tensor of a new external file to 4096.
func TestExternalAlign(t *testing.T) {
	for _, mode := range []onnxgraph.ExternalMode{onnxgraph.ExternalSingle, onnxgraph.ExternalPerTensor} {
		m, _ := xdSaved(t, t.TempDir(), "model.onnx", xdSpecs, &onnxgraph.SaveOptions{External: mode, Align: 4096, Threshold: 1})
		refs := xdRefs(t, m)
		if len(refs) != len(xdSpecs) {
			t.Errorf("mode %d: %d external tensors, want %d", mode, len(refs), len(xdSpecs))
		}
		for name, r := range refs {
			if r.Offset%4096 != 0 {
				t.Errorf("mode %d: tensor %q at offset %d", mode, name, r.Offset)
			}
		}
		xdEqualDigests(t, "aligned", xdDigests(t, m), xdSpecDigests(xdSpecs))
	}
}

// TestSaveFailureLeavesNothing makes saves fail after they have started
// writing: the target folder must hold exactly what it held before (an
// existing model untouched, no partial or temporary file).
func TestSaveFailureLeavesNothing(t *testing.T) {
	// A model whose data file disappears after a load that did not open it.
	srcDir := t.TempDir()
	if err := xdBuild(t, xdSpecs).SaveWith(filepath.Join(srcDir, "model.onnx"), &onnxgraph.SaveOptions{External: onnxgraph.ExternalSingle}); err != nil {
		t.Fatal(err)
	}
	m, err := onnxgraph.Open(filepath.Join(srcDir, "model.onnx"), &onnxgraph.LoadOptions{SkipExternalCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(srcDir, "model.onnx.data")); err != nil {
		t.Fatal(err)
	}
	for _, opts := range []*onnxgraph.SaveOptions{
		nil,
		{External: onnxgraph.ExternalInline},
		{External: onnxgraph.ExternalSingle, Location: "weights.bin"},
		{External: onnxgraph.ExternalPerTensor},
	} {
		dst := t.TempDir()
		target := filepath.Join(dst, "out.onnx")
		old := []byte("previous model")
		if err := os.WriteFile(target, old, 0o644); err != nil {
			t.Fatal(err)
		}
		err := m.SaveWith(target, opts)
		var xe *onnxgraph.ExternalDataError
		if !errors.Is(err, onnxgraph.ErrExternalData) || !errors.As(err, &xe) || xe.Location != "model.onnx.data" || xe.Tensor == "" {
			t.Errorf("save %+v with the data file gone: %v", opts, err)
		}
		if got := xdFiles(t, dst); !slices.Equal(got, []string{"out.onnx"}) {
			t.Errorf("save %+v: folder holds %v after a failed save", opts, got)
		}
		if b, _ := os.ReadFile(target); !bytes.Equal(b, old) {
			t.Errorf("save %+v: the existing model was changed by a failed save", opts)
		}
	}

	// A target whose parent is a regular file.
	dst := t.TempDir()
	blocker := filepath.Join(dst, "file")
	if err := os.WriteFile(blocker, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	good := xdBuild(t, xdSpecs)
	for _, opts := range []*onnxgraph.SaveOptions{nil, {External: onnxgraph.ExternalSingle}} {
		if err := good.SaveWith(filepath.Join(blocker, "out.onnx"), opts); err == nil || !strings.HasPrefix(err.Error(), "onnxgraph: ") {
			t.Errorf("save under a regular file: %v", err)
		}
		if got := xdFiles(t, dst); !slices.Equal(got, []string{"file"}) {
			t.Errorf("folder holds %v after a failed save", got)
		}
	}
	// An external location whose folder would have to be a regular file.
	if err := good.SaveWith(filepath.Join(dst, "out.onnx"), &onnxgraph.SaveOptions{External: onnxgraph.ExternalSingle, Location: "file/w.bin"}); err == nil {
		t.Error("save with the data folder blocked by a file succeeded")
	}
	if got := xdFiles(t, dst); !slices.Equal(got, []string{"file"}) {
		t.Errorf("folder holds %v after a failed save", got)
	}
}

// TestLoadHoldsDataFiles checks that a normal load keeps its data files
// open: deleting one afterwards does not stop reads or saves.
func TestLoadHoldsDataFiles(t *testing.T) {
	dir := t.TempDir()
	m, _ := xdSaved(t, dir, "model.onnx", xdSpecs, &onnxgraph.SaveOptions{External: onnxgraph.ExternalSingle})
	if err := os.Remove(filepath.Join(dir, "model.onnx.data")); err != nil {
		t.Fatal(err)
	}
	xdEqualDigests(t, "after the data file was deleted", xdDigests(t, m), xdSpecDigests(xdSpecs))
	out := filepath.Join(t.TempDir(), "m.onnx")
	if err := m.Save(out); err != nil {
		t.Fatal(err)
	}
	back, err := onnxgraph.Open(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	xdEqualDigests(t, "saved after the data file was deleted", xdDigests(t, back), xdSpecDigests(xdSpecs))
}

// xdExternalModel writes dir/model.onnx holding one uint8 initializer "w"
// of n bytes whose external_data entries are kv (key, value, ...).
func xdExternalModel(t *testing.T, dir string, n int64, kv ...string) string {
	t.Helper()
	tp := &onnxproto.TensorProto{
		Name:         proto.String("w"),
		DataType:     proto.Int32(int32(onnxgraph.Uint8)),
		Dims:         []int64{n},
		DataLocation: onnxproto.TensorProto_EXTERNAL.Enum(),
	}
	for i := 0; i+1 < len(kv); i += 2 {
		tp.ExternalData = append(tp.ExternalData, &onnxproto.StringStringEntryProto{Key: proto.String(kv[i]), Value: proto.String(kv[i+1])})
	}
	mp := &onnxproto.ModelProto{
		IrVersion:   proto.Int64(8),
		OpsetImport: []*onnxproto.OperatorSetIdProto{{Version: proto.Int64(13)}},
		Graph: &onnxproto.GraphProto{
			Name:        proto.String("g"),
			Initializer: []*onnxproto.TensorProto{tp},
			Output:      []*onnxproto.ValueInfoProto{{Name: proto.String("w")}},
		},
	}
	b, err := proto.Marshal(mp)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "model.onnx")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestExternalDataSafety loads models whose external data is unusable or
// would leave the model's folder. Open must fail with the right sentinel and
// an *ExternalDataError naming the tensor and the location. With
// SkipExternalCheck, bad path syntax still fails at load; the rest fails
// when the tensor is read and when the model is saved, leaving no file.
func TestExternalDataSafety(t *testing.T) {
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret.bin")
	if err := os.WriteFile(secret, bytes.Repeat([]byte{0x5a}, 64), 0o644); err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat([]byte{1}, 64)
	tests := []struct {
		name    string
		kv      []string                       // external_data entries
		setup   func(t *testing.T, dir string) // files beside the model
		want    error                          // ErrUnsafePath or ErrExternalData
		loc     string                         // the location the error names
		msg     string                         // a part of the message
		syntax  bool                           // refused even with SkipExternalCheck
		hasData bool                           // reading works (the model is fine)
	}{
		{name: "parent of parent", kv: []string{"location", "../../x"}, want: onnxgraph.ErrUnsafePath, loc: "../../x", msg: "leaves the model's folder", syntax: true},
		{name: "absolute", kv: []string{"location", "/etc/passwd"}, want: onnxgraph.ErrUnsafePath, loc: "/etc/passwd", msg: "absolute path", syntax: true},
		{name: "absolute outside file", kv: []string{"location", secret}, want: onnxgraph.ErrUnsafePath, loc: secret, msg: "absolute path", syntax: true},
		{name: "backslashes up", kv: []string{"location", `..\..\x`}, want: onnxgraph.ErrUnsafePath, loc: `..\..\x`, msg: "leaves the model's folder", syntax: true},
		{name: "drive letter", kv: []string{"location", `C:\x`}, want: onnxgraph.ErrUnsafePath, loc: `C:\x`, msg: "absolute path", syntax: true},
		{name: "drive-relative", kv: []string{"location", `C:x`}, want: onnxgraph.ErrUnsafePath, loc: `C:x`, msg: "absolute path", syntax: true},
		{name: "UNC", kv: []string{"location", `\\server\share\x`}, want: onnxgraph.ErrUnsafePath, loc: `\\server\share\x`, msg: "absolute path", syntax: true},
		{name: "down then up twice", kv: []string{"location", "a/../../x"}, want: onnxgraph.ErrUnsafePath, loc: "a/../../x", msg: "leaves the model's folder", syntax: true},
		{name: "just ..", kv: []string{"location", ".."}, want: onnxgraph.ErrUnsafePath, loc: "..", msg: "leaves the model's folder", syntax: true},
		{name: "NUL", kv: []string{"location", "w\x00.bin"}, want: onnxgraph.ErrUnsafePath, loc: "w\x00.bin", msg: "NUL", syntax: true},
		{name: "symlink to a file outside", kv: []string{"location", "link.bin"}, want: onnxgraph.ErrUnsafePath, loc: "link.bin", msg: "escapes",
			setup: func(t *testing.T, dir string) { xdSymlink(t, secret, filepath.Join(dir, "link.bin")) }},
		{name: "symlinked folder outside", kv: []string{"location", "sub/secret.bin"}, want: onnxgraph.ErrUnsafePath, loc: "sub/secret.bin", msg: "escapes",
			setup: func(t *testing.T, dir string) { xdSymlink(t, outside, filepath.Join(dir, "sub")) }},
		{name: "symlink up and out", kv: []string{"location", "link.bin"}, want: onnxgraph.ErrUnsafePath, loc: "link.bin", msg: "escapes",
			setup: func(t *testing.T, dir string) {
				rel, err := filepath.Rel(dir, secret)
				if err != nil {
					t.Fatal(err)
				}
				xdSymlink(t, rel, filepath.Join(dir, "link.bin"))
			}},
		{name: "missing file", kv: []string{"location", "missing.bin"}, want: onnxgraph.ErrExternalData, loc: "missing.bin", msg: "no such file"},
		{name: "range past the end", kv: []string{"location", "w.bin", "offset", "32", "length", "64"}, want: onnxgraph.ErrExternalData, loc: "w.bin", msg: "passes the end",
			setup: xdDataFile("w.bin", data)},
		{name: "offset past the end", kv: []string{"location", "w.bin", "offset", "65", "length", "0"}, want: onnxgraph.ErrExternalData, loc: "w.bin", msg: "passes the end",
			setup: xdDataFile("w.bin", data)},
		{name: "non-numeric offset", kv: []string{"offset", "12a", "location", "w.bin", "length", "64"}, want: onnxgraph.ErrExternalData, loc: "w.bin", msg: `offset "12a"`, syntax: true,
			setup: xdDataFile("w.bin", data)},
		{name: "negative length", kv: []string{"location", "w.bin", "length", "-1"}, want: onnxgraph.ErrExternalData, loc: "w.bin", msg: `length "-1"`, syntax: true,
			setup: xdDataFile("w.bin", data)},
		{name: "offset overflows", kv: []string{"location", "w.bin", "offset", "9223372036854775807", "length", "64"}, want: onnxgraph.ErrExternalData, loc: "w.bin", msg: "passes the end",
			setup: xdDataFile("w.bin", data)},
		{name: "missing location", kv: []string{"offset", "0", "length", "64"}, want: onnxgraph.ErrExternalData, loc: "", msg: "no location", syntax: true},
		{name: "empty location", kv: []string{"location", ""}, want: onnxgraph.ErrExternalData, loc: "", msg: "no location", syntax: true},
		{name: "a folder", kv: []string{"location", "sub"}, want: onnxgraph.ErrExternalData, loc: "sub", msg: "not a regular file",
			setup: func(t *testing.T, dir string) { os.Mkdir(filepath.Join(dir, "sub"), 0o755) }},
		{name: "the folder itself", kv: []string{"location", "."}, want: onnxgraph.ErrExternalData, loc: ".", msg: "not a regular file"},
		// Fine: a link that stays inside, a path that comes back inside.
		{name: "symlink inside", kv: []string{"location", "link.bin", "length", "64"}, hasData: true,
			setup: func(t *testing.T, dir string) {
				xdDataFile("w.bin", data)(t, dir)
				xdSymlink(t, "w.bin", filepath.Join(dir, "link.bin"))
			}},
		{name: "down and back", kv: []string{"location", "a/../w.bin"}, hasData: true, setup: xdDataFile("w.bin", data)},
		{name: "backslash subfolder", kv: []string{"location", `sub\w.bin`}, hasData: true,
			setup: func(t *testing.T, dir string) {
				os.Mkdir(filepath.Join(dir, "sub"), 0o755)
				xdDataFile("w.bin", data)(t, filepath.Join(dir, "sub"))
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.setup != nil {
				tc.setup(t, dir)
			}
			path := xdExternalModel(t, dir, int64(len(data)), tc.kv...)
			m, err := onnxgraph.Open(path, nil)
			if tc.hasData {
				if err != nil {
					t.Fatal(err)
				}
				if b, err := ldInit(t, m, "w").Bytes(); err != nil || !bytes.Equal(b, data) {
					t.Errorf("read %v, %v", b, err)
				}
				m.Close()
				return
			}
			xdCheckExternalErr(t, "Open", err, tc.want, tc.loc, tc.msg)

			// With the check skipped, path syntax is still refused at load.
			m, err = onnxgraph.Open(path, &onnxgraph.LoadOptions{SkipExternalCheck: true})
			if tc.syntax {
				xdCheckExternalErr(t, "Open skipping the check", err, tc.want, tc.loc, tc.msg)
				return
			}
			if err != nil {
				t.Fatalf("Open skipping the check: %v", err)
			}
			defer m.Close()
			_, err = ldInit(t, m, "w").Bytes()
			xdCheckExternalErr(t, "Bytes", err, tc.want, tc.loc, tc.msg)
			for _, opts := range []*onnxgraph.SaveOptions{nil, {External: onnxgraph.ExternalInline}, {External: onnxgraph.ExternalSingle}} {
				dst := t.TempDir()
				err := m.SaveWith(filepath.Join(dst, "out.onnx"), opts)
				xdCheckExternalErr(t, fmt.Sprintf("SaveWith(%+v)", opts), err, tc.want, tc.loc, tc.msg)
				if got := xdFiles(t, dst); len(got) != 0 {
					t.Errorf("SaveWith(%+v) left %v", opts, got)
				}
			}
			if _, err := m.Bytes(&onnxgraph.SaveOptions{External: onnxgraph.ExternalInline}); err == nil {
				t.Error("Bytes(ExternalInline) succeeded")
			}
		})
	}
}

func xdSymlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
}

func xdDataFile(name string, data []byte) func(t *testing.T, dir string) {
	return func(t *testing.T, dir string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// xdCheckExternalErr checks that err matches want and is an
// *ExternalDataError for tensor "w" at loc whose message says msg.
func xdCheckExternalErr(t *testing.T, how string, err, want error, loc, msg string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error, want %v", how, want)
		return
	}
	if !errors.Is(err, want) {
		t.Errorf("%s: %v does not match %v", how, err, want)
	}
	for _, other := range []error{onnxgraph.ErrUnsafePath, onnxgraph.ErrExternalData} {
		if other != want && errors.Is(err, other) {
			t.Errorf("%s: %v also matches %v", how, err, other)
		}
	}
	var xe *onnxgraph.ExternalDataError
	if !errors.As(err, &xe) {
		t.Errorf("%s: %v is not an *ExternalDataError", how, err)
		return
	}
	if xe.Tensor != "w" || xe.Location != loc {
		t.Errorf("%s: error names tensor %q at %q, want \"w\" at %q", how, xe.Tensor, xe.Location, loc)
	}
	text := err.Error()
	if !strings.HasPrefix(text, "onnxgraph: ") || !strings.Contains(text, `"w"`) || !strings.Contains(text, strconv.Quote(loc)) || !strings.Contains(text, msg) {
		t.Errorf("%s: message %q does not name the tensor, %q and %q", how, text, loc, msg)
	}
}

// TestExternalWithoutFolder decodes an external-data model from bytes with
// no folder: the model loads, its external tensors cannot be read, it can
// be written back with its references, and not inlined.
func TestExternalWithoutFolder(t *testing.T) {
	dir := t.TempDir()
	xdDataFile("w.bin", make([]byte, 64))(t, dir)
	b, err := os.ReadFile(xdExternalModel(t, dir, 64, "location", "w.bin"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := onnxgraph.Decode(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ldInit(t, m, "w").Bytes()
	xdCheckExternalErr(t, "Bytes", err, onnxgraph.ErrExternalData, "w.bin", "LoadOptions.Dir")
	out, err := m.Bytes(nil)
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(xdProto(t, b), xdProto(t, out)) {
		t.Error("writing back changed the model")
	}
	_, err = m.Bytes(&onnxgraph.SaveOptions{External: onnxgraph.ExternalInline})
	xdCheckExternalErr(t, "Bytes(ExternalInline)", err, onnxgraph.ErrExternalData, "w.bin", "LoadOptions.Dir")
	// With Dir set, the same bytes load and read.
	m, err = onnxgraph.Decode(b, &onnxgraph.LoadOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if got, err := ldInit(t, m, "w").Bytes(); err != nil || len(got) != 64 {
		t.Errorf("read with Dir: %d bytes, %v", len(got), err)
	}
}

// TestKeepOverlappingRanges keeps the layout of a data file in which two
// tensors share bytes (one range inside another, and two ranges that
// overlap in part): the copy must give each tensor its own bytes back.
func TestKeepOverlappingRanges(t *testing.T) {
	dir := t.TempDir()
	data := xdWeights(5, 16384)
	xdDataFile("w.bin", data)(t, dir)
	ranges := map[string][2]int64{"a": {0, 8192}, "b": {4096, 8192}, "c": {1024, 2048}, "d": {4096, 8192}, "e": {12288, 4096}}
	mp := &onnxproto.ModelProto{IrVersion: proto.Int64(8), Graph: &onnxproto.GraphProto{Name: proto.String("g")}}
	for _, name := range []string{"a", "b", "c", "d", "e"} {
		r := ranges[name]
		mp.Graph.Initializer = append(mp.Graph.Initializer, &onnxproto.TensorProto{
			Name: proto.String(name), DataType: proto.Int32(int32(onnxgraph.Uint8)), Dims: []int64{r[1]},
			DataLocation: onnxproto.TensorProto_EXTERNAL.Enum(),
			ExternalData: []*onnxproto.StringStringEntryProto{
				{Key: proto.String("location"), Value: proto.String("w.bin")},
				{Key: proto.String("offset"), Value: proto.String(strconv.FormatInt(r[0], 10))},
				{Key: proto.String("length"), Value: proto.String(strconv.FormatInt(r[1], 10))},
			},
		})
	}
	b, _ := proto.Marshal(mp)
	if err := os.WriteFile(filepath.Join(dir, "model.onnx"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := onnxgraph.Open(filepath.Join(dir, "model.onnx"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	out := filepath.Join(t.TempDir(), "model.onnx")
	if err := m.Save(out); err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(mp, xdReadProto(t, out)) {
		t.Error("keeping the layout changed the model message")
	}
	back, err := onnxgraph.Open(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer back.Close()
	for name, r := range ranges {
		got, err := ldInit(t, back, name).Bytes()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, data[r[0]:r[0]+r[1]]) {
			t.Errorf("tensor %q: bytes differ after the copy", name)
		}
	}
}

// TestTooLargeForOneFile checks the 2 GiB guard without writing 2 GiB: a
// model whose external data is a 2.1 GiB sparse file cannot be inlined (the
// error says to use external data, and no file is written), and saving it
// with its layout kept works.
func TestTooLargeForOneFile(t *testing.T) {
	if testing.Short() {
		t.Skip("makes a 2.1 GiB sparse file")
	}
	dir := t.TempDir()
	const size = 2_254_857_830 // 2.1 GiB
	f, err := os.Create(filepath.Join(dir, "big.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(size); err != nil {
		f.Close()
		t.Skipf("cannot make a sparse file: %v", err)
	}
	f.Close()
	path := xdExternalModel(t, dir, size, "location", "big.bin", "offset", "0", "length", strconv.Itoa(size))
	m, err := onnxgraph.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()

	dst := t.TempDir()
	err = m.SaveWith(filepath.Join(dst, "inline.onnx"), &onnxgraph.SaveOptions{External: onnxgraph.ExternalInline})
	if !errors.Is(err, onnxgraph.ErrTooLarge) || !strings.Contains(err.Error(), "external data") {
		t.Errorf("inline save of 2.1 GiB: %v", err)
	}
	if got := xdFiles(t, dst); len(got) != 0 {
		t.Errorf("a refused save left %v", got)
	}
	if _, err := m.Bytes(&onnxgraph.SaveOptions{External: onnxgraph.ExternalInline}); !errors.Is(err, onnxgraph.ErrTooLarge) {
		t.Errorf("Bytes(ExternalInline) of 2.1 GiB: %v", err)
	}
	// Kept external, the model file stays small; in the same folder the
	// data file is not copied.
	kept := filepath.Join(dir, "kept.onnx")
	if err := m.Save(kept); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(kept); err != nil || st.Size() > 1024 {
		t.Errorf("kept model file: %v, %v", st, err)
	}
	if st, err := os.Stat(filepath.Join(dir, "big.bin")); err != nil || st.Size() != size {
		t.Errorf("data file after the save: %v, %v", st, err)
	}
	if got := xdFiles(t, dir); !slices.Equal(got, []string{"big.bin", "kept.onnx", "model.onnx"}) {
		t.Errorf("files %v", got)
	}
	if _, err := onnxgraph.Open(kept, nil); err != nil {
		t.Error(err)
	}
}

// TestSaveLocationChecks refuses external-data locations that would leave
// the target folder or land on the model file itself, before writing
// anything.
func TestSaveLocationChecks(t *testing.T) {
	m := xdBuild(t, xdSpecs)
	for _, tc := range []struct {
		loc  string
		want error
	}{
		{"../w.bin", onnxgraph.ErrUnsafePath},
		{"/tmp/w.bin", onnxgraph.ErrUnsafePath},
		{`..\w.bin`, onnxgraph.ErrUnsafePath},
		{"m.onnx", onnxgraph.ErrInvalid},
		{"./m.onnx", onnxgraph.ErrInvalid},
		{"sub/../m.onnx", onnxgraph.ErrInvalid},
	} {
		dir := t.TempDir()
		err := m.SaveWith(filepath.Join(dir, "m.onnx"), &onnxgraph.SaveOptions{External: onnxgraph.ExternalSingle, Location: tc.loc})
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), strconv.Quote(tc.loc)) {
			t.Errorf("Location %q: %v, want %v naming it", tc.loc, err, tc.want)
		}
		if got := xdFiles(t, dir); len(got) != 0 {
			t.Errorf("Location %q: the refused save left %v", tc.loc, got)
		}
	}
	// Keeping the layout, a model saved under its data file's name.
	ext, _ := xdSaved(t, t.TempDir(), "model.onnx", xdSpecs, &onnxgraph.SaveOptions{External: onnxgraph.ExternalSingle})
	dir := t.TempDir()
	if err := ext.Save(filepath.Join(dir, "model.onnx.data")); !errors.Is(err, onnxgraph.ErrInvalid) {
		t.Errorf("saving over the kept data file's name: %v", err)
	}
	if got := xdFiles(t, dir); len(got) != 0 {
		t.Errorf("the refused save left %v", got)
	}
}

// TestRenamedExternalInitializer saves, in every mode, a model whose
// external initializer was renamed after load: the data must still be found.
func TestRenamedExternalInitializer(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "m.onnx")
	m := weightChain(2)
	if err := m.SaveWith(src, &onnxgraph.SaveOptions{External: onnxgraph.ExternalSingle}); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []onnxgraph.ExternalMode{onnxgraph.ExternalKeep, onnxgraph.ExternalInline, onnxgraph.ExternalSingle, onnxgraph.ExternalPerTensor} {
		loaded, err := onnxgraph.Open(src, nil)
		if err != nil {
			t.Fatal(err)
		}
		w, _ := loaded.Graph().Value("w0")
		want := must(w.Initializer().Bytes())
		if err := w.Rename("renamed_w0"); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(t.TempDir(), "out.onnx")
		if err := loaded.SaveWith(out, &onnxgraph.SaveOptions{External: mode}); err != nil {
			t.Fatalf("mode %d: %v", mode, err)
		}
		back, err := onnxgraph.Open(out, nil)
		if err != nil {
			t.Fatal(err)
		}
		v, ok := back.Graph().Value("renamed_w0")
		if !ok || v.Initializer() == nil {
			t.Fatalf("mode %d: renamed initializer missing", mode)
		}
		if got := must(v.Initializer().Bytes()); string(got) != string(want) {
			t.Errorf("mode %d: data changed", mode)
		}
		back.Close()
		loaded.Close()
	}
}

// killSpecs are about 240 MB of weights.
var killSpecs = []xdSpec{
	{"embed", 64 << 20}, {"l0.w", 48 << 20}, {"l0.b", 4096}, {"l1.w", 48 << 20},
	{"l1.b", 4096}, {"l2.w", 64 << 20}, {"tiny", 16}, {"head", 16 << 20},
}

// killModel returns the kill test's model with weights from seed.
func killModel(t testing.TB, seed uint64) *onnxgraph.Model {
	t.Helper()
	m := onnxgraph.NewModel(8, map[string]int64{"": 13})
	g := m.Graph()
	for i, s := range killSpecs {
		r := rand.New(rand.NewPCG(seed, uint64(i)))
		b := make([]byte, s.size)
		for j := 0; j+8 <= len(b); j += 8 {
			binary.LittleEndian.PutUint64(b[j:], r.Uint64())
		}
		tn, err := onnxgraph.NewTensor(s.name, onnxgraph.Float, []int64{int64(s.size / 4)}, b)
		if err != nil {
			t.Fatal(err)
		}
		v, err := g.AddInitializer(tn)
		if err != nil {
			t.Fatal(err)
		}
		n, err := g.AddNode("Identity", []*onnxgraph.Value{v}, []string{"out" + strconv.Itoa(i)})
		if err != nil {
			t.Fatal(err)
		}
		if err := g.AddOutput(n.Output(0), onnxgraph.TensorType(onnxgraph.Float, onnxgraph.Dims(int64(s.size/4)))); err != nil {
			t.Fatal(err)
		}
	}
	return m
}
