package onnxgraph_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/samples"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
)

// diffLines renders a diff's renames and node changes as sorted lines, to
// compare with what an edit's report says it did.
func diffNames(rs []onnxgraph.Renamed) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Old+" -> "+r.New)
	}
	slices.Sort(out)
	return out
}

func nodeChanges(d *onnxgraph.ModelDiff, kind string) []string {
	var out []string
	for _, n := range d.Nodes {
		if n.Kind == kind {
			out = append(out, n.Name)
		}
	}
	slices.Sort(out)
	return out
}

func mustDiff(t *testing.T, a, b *onnxgraph.Model) *onnxgraph.ModelDiff {
	t.Helper()
	d, err := onnxgraph.Diff(a, b, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := json.Marshal(d); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDiffCopyIsEmpty(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "m.onnx")
	if err := samples.MNIST().Save(p); err != nil {
		t.Fatal(err)
	}
	a, _ := onnxgraph.Open(p, nil)
	b, _ := onnxgraph.Open(p, nil)
	for name, y := range map[string]*onnxgraph.Model{"reloaded": b, "clone": a.Clone(), "itself": a} {
		d := mustDiff(t, a, y)
		if !d.Equal() || d.String() != "" {
			t.Errorf("%s: diff not empty:\n%s", name, d)
		}
	}
}

// TestDiffEdits diffs MNIST with its edited forms: each diff must list
// exactly what the edit's report says it changed, and nothing else.
func TestDiffEdits(t *testing.T) {
	type check func(t *testing.T, a, b *onnxgraph.Model, d *onnxgraph.ModelDiff, rep any)
	cases := []struct {
		name  string
		edit  func(m *onnxgraph.Model) (any, error)
		check check
	}{
		{"rename prefix", func(m *onnxgraph.Model) (any, error) {
			return onnxgraph.RenameModel(m, "Plus", "Add", &onnxgraph.RenameOptions{Mode: onnxgraph.RenamePrefix})
		}, func(t *testing.T, _, _ *onnxgraph.Model, d *onnxgraph.ModelDiff, rep any) {
			r := rep.(*onnxgraph.RenameReport)
			if got, want := diffNames(d.NodesRenamed), diffNames(r.Nodes); !slices.Equal(got, want) {
				t.Errorf("nodes renamed %v, want %v", got, want)
			}
			if got, want := diffNames(d.ValuesRenamed), diffNames(r.Values); !slices.Equal(got, want) {
				t.Errorf("values renamed %v, want %v", got, want)
			}
			// The renamed graph output is the same output, not a new one.
			d.NodesRenamed, d.ValuesRenamed = nil, nil
			if !d.Equal() {
				t.Errorf("more than renames:\n%s", d)
			}
		}},
		{"rename value by place only", func(m *onnxgraph.Model) (any, error) {
			// Swap two names: matching by name alone would pair the wrong values.
			r1, err := onnxgraph.RenameModel(m, "Plus28_Output_0", "tmp", &onnxgraph.RenameOptions{Scope: onnxgraph.RenameValues})
			if err != nil {
				return nil, err
			}
			r2, err := onnxgraph.RenameModel(m, "ReLU28_Output_0", "Plus28_Output_0", &onnxgraph.RenameOptions{Scope: onnxgraph.RenameValues})
			if err != nil {
				return nil, err
			}
			_, err = onnxgraph.RenameModel(m, "tmp", "ReLU28_Output_0", &onnxgraph.RenameOptions{Scope: onnxgraph.RenameValues})
			return []*onnxgraph.RenameReport{r1, r2}, err
		}, func(t *testing.T, _, _ *onnxgraph.Model, d *onnxgraph.ModelDiff, _ any) {
			want := []string{"Plus28_Output_0 -> ReLU28_Output_0", "ReLU28_Output_0 -> Plus28_Output_0"}
			if got := diffNames(d.ValuesRenamed); !slices.Equal(got, want) {
				t.Errorf("values renamed %v, want %v", got, want)
			}
			d.ValuesRenamed = nil
			if !d.Equal() {
				t.Errorf("more than renames:\n%s", d)
			}
		}},
		{"delete a node", func(m *onnxgraph.Model) (any, error) {
			return onnxgraph.DeleteNodesModel(m, &onnxgraph.DeleteNodesOptions{Names: []string{"ReLU28"}})
		}, func(t *testing.T, _, _ *onnxgraph.Model, d *onnxgraph.ModelDiff, _ any) {
			want := "- node ReLU28 (Relu)\n~ node Pooling66 (MaxPool): input 0 ReLU28_Output_0 -> Plus28_Output_0\n"
			if d.String() != want {
				t.Errorf("diff\n%s\nwant\n%s", d, want)
			}
		}},
		{"extract", func(m *onnxgraph.Model) (any, error) {
			if err := m.Infer(shapeinfer.Types(nil)).Err(); err != nil {
				return nil, err
			}
			return onnxgraph.ExtractModel(m, &onnxgraph.ExtractOptions{Inputs: []string{"Pooling66_Output_0"}, Outputs: []string{"Pooling160_Output_0"}})
		}, func(t *testing.T, a, b *onnxgraph.Model, d *onnxgraph.ModelDiff, rep any) {
			var gone []string
			for _, n := range a.Graph().Nodes() {
				if _, err := b.FindNode(n.Name()); err != nil {
					gone = append(gone, n.Name())
				}
			}
			slices.Sort(gone)
			if got := nodeChanges(d, onnxgraph.DiffRemoved); !slices.Equal(got, gone) || len(gone) != rep.(*onnxgraph.ExtractReport).Dropped {
				t.Errorf("removed nodes %v, want %v", got, gone)
			}
			if len(d.Nodes) != len(gone) {
				t.Errorf("nodes %+v: only removals expected", d.Nodes)
			}
			io := func(cs []onnxgraph.DiffItem) (out []string) {
				for _, c := range cs {
					out = append(out, c.Kind+" "+c.Name)
				}
				return out
			}
			if got, want := io(d.Inputs), []string{"removed Input3", "added Pooling66_Output_0"}; !slices.Equal(got, want) {
				t.Errorf("inputs %v, want %v", got, want)
			}
			if got, want := io(d.Outputs), []string{"removed Plus214_Output_0", "added Pooling160_Output_0"}; !slices.Equal(got, want) {
				t.Errorf("outputs %v, want %v", got, want)
			}
			var inits []string
			for _, c := range d.Initializers {
				if c.Kind != onnxgraph.DiffRemoved {
					t.Errorf("initializer %+v: only removals expected", c)
				}
				inits = append(inits, c.Name)
			}
			want := []string{"Parameter5", "Parameter6", "Pooling160_Output_0_reshape0_shape", "Parameter193", "Parameter193_reshape1_shape", "Parameter194"}
			slices.Sort(inits)
			slices.Sort(want)
			if !slices.Equal(inits, want) {
				t.Errorf("initializers removed %v, want %v", inits, want)
			}
			if len(d.ValuesRenamed)+len(d.NodesRenamed) > 0 {
				t.Errorf("renames reported:\n%s", d)
			}
		}},
		{"modify an attribute and a constant", func(m *onnxgraph.Model) (any, error) {
			return onnxgraph.ModifyModel(m, "Pooling66", &onnxgraph.ModifyOptions{Attrs: map[string]any{"strides": "1,1"}})
		}, func(t *testing.T, _, _ *onnxgraph.Model, d *onnxgraph.ModelDiff, _ any) {
			want := "~ node Pooling66 (MaxPool): attribute strides [2 2] -> [1 1]\n"
			if d.String() != want {
				t.Errorf("diff\n%s\nwant\n%s", d, want)
			}
		}},
		{"new weights", func(m *onnxgraph.Model) (any, error) {
			v, _ := m.Graph().Value("Parameter6")
			raw := make([]byte, 4*8)
			tt, err := onnxgraph.NewTensor("Parameter6", onnxgraph.Float, []int64{8, 1, 1}, raw)
			if err != nil {
				return nil, err
			}
			return nil, m.Graph().SetInitializer(v, tt)
		}, func(t *testing.T, _, _ *onnxgraph.Model, d *onnxgraph.ModelDiff, _ any) {
			if len(d.Initializers) != 1 || d.Initializers[0].Name != "Parameter6" || d.Initializers[0].Kind != onnxgraph.DiffChanged ||
				!strings.Contains(d.Initializers[0].New, "sha256:") {
				t.Errorf("initializers %+v", d.Initializers)
			}
			d.Initializers = nil
			if !d.Equal() {
				t.Errorf("more than the weight:\n%s", d)
			}
		}},
		{"set batch", func(m *onnxgraph.Model) (any, error) {
			return onnxgraph.SetBatchModel(m, onnxgraph.DimParam("N"), nil)
		}, func(t *testing.T, _, _ *onnxgraph.Model, d *onnxgraph.ModelDiff, _ any) {
			s := d.String()
			for _, want := range []string{"~ input Input3: float32[1,1,28,28] -> float32[N,1,28,28]", "~ output Plus214_Output_0: float32[1,10] -> float32[N,10]"} {
				if !strings.Contains(s, want) {
					t.Errorf("diff lacks %q:\n%s", want, s)
				}
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := samples.MNIST()
			b := samples.MNIST()
			rep, err := c.edit(b)
			if err != nil {
				t.Fatal(err)
			}
			c.check(t, a, b, mustDiff(t, a, b), rep)
		})
	}
}

func TestDiffMerged(t *testing.T) {
	a := samples.MNIST()
	merged, rep, err := onnxgraph.Merge([]*onnxgraph.Model{samples.MNIST(), samples.MNIST()}, &onnxgraph.MergeOptions{Prefixes: []string{"a/", "b/"}, Connect: [][]onnxgraph.Connection{nil}})
	if err != nil {
		t.Fatal(err)
	}
	d := mustDiff(t, a, merged)
	var nodes, values []string
	for _, r := range rep.Renames {
		if r.Model != 0 {
			continue
		}
		switch r.Kind {
		case "node":
			nodes = append(nodes, r.Old+" -> "+r.New)
		case "value":
			values = append(values, r.Old+" -> "+r.New)
		}
	}
	slices.Sort(nodes)
	slices.Sort(values)
	if got := diffNames(d.NodesRenamed); !slices.Equal(got, nodes) {
		t.Errorf("nodes renamed %v\nwant %v", got, nodes)
	}
	if got := diffNames(d.ValuesRenamed); !slices.Equal(got, values) {
		t.Errorf("values renamed %v\nwant %v", got, values)
	}
	var added []string
	for _, n := range merged.Graph().Nodes() {
		if strings.HasPrefix(n.Name(), "b/") {
			added = append(added, n.Name())
		}
	}
	slices.Sort(added)
	if got := nodeChanges(d, onnxgraph.DiffAdded); !slices.Equal(got, added) || len(d.Nodes) != len(added) {
		t.Errorf("nodes added %v\nwant %v", got, added)
	}
	want := "+ input b/Input3: float32[1,1,28,28]\n+ output b/Plus214_Output_0: float32[1,10]\n"
	if s := d.String(); !strings.Contains(s, want) || len(d.Initializers) != 8 {
		t.Errorf("diff lacks the second model's inputs, outputs and 8 initializers:\n%s", s)
	}
}

func TestDiffSubgraph(t *testing.T) {
	a := edIfModel(t)
	b := edIfModel(t)
	if _, err := onnxgraph.ModifyModel(b, "then_add", &onnxgraph.ModifyOptions{Attrs: map[string]any{"x": 1}}); err == nil {
		t.Fatal("an unknown attribute was accepted")
	}
	if _, err := onnxgraph.RenameModel(b, "then_out", "t", nil); err != nil {
		t.Fatal(err)
	}
	d := mustDiff(t, a, b)
	if got := d.String(); got != "= value then_out -> t in if.then\n" {
		t.Errorf("diff %q", got)
	}
}

// TestDiffReadsOnlyWhatItMust saves a model with external weights and
// diffs it with forms that share its data file, after making that file
// unreadable: nothing must be read. Where weights must be compared, the
// error names the tensor.
func TestDiffReadsOnlyWhatItMust(t *testing.T) {
	dir := t.TempDir()
	pa := filepath.Join(dir, "a.onnx")
	if err := samples.MNIST().SaveWith(pa, &onnxgraph.SaveOptions{External: onnxgraph.ExternalSingle, Location: "w.bin", Threshold: 16}); err != nil {
		t.Fatal(err)
	}
	// The renamed form, saved keeping the layout: it reads the same ranges.
	pb := filepath.Join(dir, "b.onnx")
	if err := onnxgraph.Load(pa).Rename("Plus", "Add", &onnxgraph.RenameOptions{Mode: onnxgraph.RenamePrefix}, nil).Save(pb); err != nil {
		t.Fatal(err)
	}
	// A copy with its own data file, and one weight changed.
	other := t.TempDir()
	pc := filepath.Join(other, "c.onnx")
	if err := samples.MNIST().SaveWith(pc, &onnxgraph.SaveOptions{External: onnxgraph.ExternalSingle, Location: "w.bin", Threshold: 16}); err != nil {
		t.Fatal(err)
	}
	open := func(p string) *onnxgraph.Model {
		m, err := onnxgraph.Open(p, &onnxgraph.LoadOptions{SkipExternalCheck: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		return m
	}
	a, b, c := open(pa), open(pb), open(pc)

	// Make w.bin unreadable, for root too: a folder in its place.
	w := filepath.Join(dir, "w.bin")
	if err := os.Rename(w, w+".moved"); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(w, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Graph().Initializers()[0].Initializer().Bytes(); err == nil {
		t.Fatal("the data file is still readable")
	}

	d := mustDiff(t, a, b)
	if d.DataRead != 0 || len(d.Initializers) != 0 || len(d.ValuesRenamed) == 0 {
		t.Errorf("renamed form: read %d bytes\n%s", d.DataRead, d)
	}
	// A weight of another shape differs without reading.
	sh := b.Clone()
	v, _ := sh.Graph().Value("Parameter194")
	tt, _ := onnxgraph.NewTensor("Parameter194", onnxgraph.Float, []int64{1, 5}, make([]byte, 20))
	if err := sh.Graph().SetInitializer(v, tt); err != nil {
		t.Fatal(err)
	}
	d = mustDiff(t, a, sh)
	if d.DataRead != 0 || len(d.Initializers) != 1 || d.Initializers[0].New != "float32[1,5]" {
		t.Errorf("reshaped weight: read %d bytes\n%s", d.DataRead, d)
	}
	// SkipData never reads.
	if d, err := onnxgraph.Diff(a, c, &onnxgraph.DiffOptions{SkipData: true}); err != nil || !d.Equal() || d.DataRead != 0 {
		t.Errorf("SkipData: %v, read %d\n%s", err, d.DataRead, d)
	}
	// Another data file must be read: the error names the tensor.
	_, err := onnxgraph.Diff(a, c, nil)
	var ee *onnxgraph.ExternalDataError
	if !errors.As(err, &ee) || ee.Tensor == "" {
		t.Errorf("diff with another data file: %v", err)
	}
	// With the file back, each range is read once per side.
	if err := os.Remove(w); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(w+".moved", w); err != nil {
		t.Fatal(err)
	}
	d = mustDiff(t, open(pa), open(pc))
	st, _ := os.Stat(w)
	if !d.Equal() || d.DataRead > 2*st.Size() || d.DataRead == 0 {
		t.Errorf("read %d bytes of two %d-byte files\n%s", d.DataRead, st.Size(), d)
	}
}

func ExampleDiff() {
	a := samples.MNIST()
	b := samples.MNIST()
	_ = b.DeleteNodes(&onnxgraph.DeleteNodesOptions{Names: []string{"ReLU28"}}, nil).
		Rename("Plus214_Output_0", "logits", nil, nil).Err()
	d, err := onnxgraph.Diff(a, b, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(d)
	// Output:
	// - node ReLU28 (Relu)
	// ~ node Pooling66 (MaxPool): input 0 ReLU28_Output_0 -> Plus28_Output_0
	// = value Plus214_Output_0 -> logits
}

// BenchmarkDiff100k diffs a 100k-node chain with its copy, and with its
// form where every node and value is renamed (matched by place alone).
func BenchmarkDiff100k(b *testing.B) {
	a := chain(b, 100_000)
	for _, c := range []struct {
		name string
		mode onnxgraph.RenameMode
	}{{"copy", onnxgraph.RenameExact}, {"renamed", onnxgraph.RenamePrefix}} {
		other := a.Clone()
		if c.name == "renamed" {
			for _, from := range []string{"n", "v"} {
				if _, err := onnxgraph.RenameModel(other, from, "r"+from, &onnxgraph.RenameOptions{Mode: c.mode}); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				d, err := onnxgraph.Diff(a, other, nil)
				if err != nil {
					b.Fatal(err)
				}
				if c.name == "renamed" && len(d.ValuesRenamed) != 100_000 {
					b.Fatalf("%d values renamed", len(d.ValuesRenamed))
				}
			}
		})
	}
}
