package opschema_test

import (
	"slices"
	"testing"

	"github.com/onnxgraph/onnxgraph/opschema"
)

func TestCounts(t *testing.T) {
	// 642 standard operator versions (203 operators in ai.onnx), 130 of
	// ONNX Runtime: 128 in com.microsoft and 2 in the default domain
	// (SimplifiedLayerNormalization, and LayerNormalization-1).
	std, ext := 0, 0
	for _, s := range opschema.All() {
		if s.Extension {
			ext++
		} else {
			std++
		}
	}
	if std != 642 || ext != 130 {
		t.Errorf("All() has %d standard and %d extension versions, want 642 and 130", std, ext)
	}
	if got := len(opschema.Ops(opschema.DomainONNX)); got != 204 {
		t.Errorf("len(Ops(%q)) = %d, want 204", opschema.DomainONNX, got)
	}
	if got := len(opschema.Ops("")); got != 204 {
		t.Errorf(`len(Ops("")) = %d, want 204`, got)
	}
	if got := len(opschema.Ops(opschema.DomainMicrosoft)); got != 128 {
		t.Errorf("len(Ops(%q)) = %d, want 128", opschema.DomainMicrosoft, got)
	}
	wantDomains := []string{
		opschema.DomainONNX, opschema.DomainML,
		opschema.DomainPreview, opschema.DomainPreviewTraining,
		opschema.DomainMicrosoft,
	}
	if got := opschema.Domains(); !slices.Equal(got, wantDomains) {
		t.Errorf("Domains() = %q, want %q", got, wantDomains)
	}
	for _, tt := range []struct {
		domain string
		want   int
	}{
		{opschema.DomainONNX, 28},
		{"", 28},
		{opschema.DomainML, 5},
		{opschema.DomainPreview, 1},
		{opschema.DomainPreviewTraining, 1},
		{opschema.DomainMicrosoft, 1},
		{"com.example", 0},
	} {
		if got := opschema.MaxOpset(tt.domain); got != tt.want {
			t.Errorf("MaxOpset(%q) = %d, want %d", tt.domain, got, tt.want)
		}
	}
}

func TestAllSorted(t *testing.T) {
	all := opschema.All()
	for i := 1; i < len(all); i++ {
		a, b := all[i-1], all[i]
		if a.Domain > b.Domain ||
			a.Domain == b.Domain && (a.Name > b.Name ||
				a.Name == b.Name && a.SinceVersion >= b.SinceVersion) {
			t.Fatalf("All() out of order at %d: %s %s-%d before %s %s-%d",
				i, a.Domain, a.Name, a.SinceVersion, b.Domain, b.Name, b.SinceVersion)
		}
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		domain, op string
		opset      int
		want       int // since version; 0 means not found
	}{
		{"", "Add", 12, 7},
		{"", "Add", 13, 13},
		{"", "Add", 6, 6},
		{"", "Add", 1, 1},
		{"", "Add", 0, 0},
		{"", "Add", -1, 0},
		{"", "Add", 28, 14},
		{"", "Add", 1000, 14},
		{"", "Reshape", 5, 5},
		{"", "Reshape", 4, 1},
		{"ai.onnx", "Softmax", 12, 11},
		{"ai.onnx", "Softmax", 13, 13},
		{"", "NoSuchOp", 17, 0},
		{"", "add", 17, 0}, // names are case sensitive
		{"", "Scan", 7, 0}, // first version is 8
		{"", "Scan", 8, 8},
		{"ai.onnx.ml", "LabelEncoder", 1, 1},
		{"ai.onnx.ml", "LabelEncoder", 3, 2},
		{"ai.onnx.ml", "LabelEncoder", 5, 4},
		{"ai.onnx.ml", "TreeEnsemble", 4, 0},
		{"ai.onnx.ml", "TreeEnsemble", 5, 5},
		{"ai.onnx.ml", "Add", 5, 0},
		{"", "LabelEncoder", 4, 0}, // wrong domain
		{"ai.onnx.preview.training", "Adam", 1, 1},
		{"ai.onnx.preview", "FlexAttention", 1, 1},
	}
	for _, tt := range tests {
		s, ok := opschema.Lookup(tt.domain, tt.op, tt.opset)
		switch {
		case tt.want == 0 && ok:
			t.Errorf("Lookup(%q, %q, %d) = %s-%d, want not found", tt.domain, tt.op, tt.opset, s.Name, s.SinceVersion)
		case tt.want == 0:
			if s != nil {
				t.Errorf("Lookup(%q, %q, %d) returned a schema with false", tt.domain, tt.op, tt.opset)
			}
		case !ok:
			t.Errorf("Lookup(%q, %q, %d) not found, want since %d", tt.domain, tt.op, tt.opset, tt.want)
		case s.SinceVersion != tt.want || s.Name != tt.op || s.Domain != opschema.NormalizeDomain(tt.domain):
			t.Errorf("Lookup(%q, %q, %d) = %s %s-%d, want since %d", tt.domain, tt.op, tt.opset, s.Domain, s.Name, s.SinceVersion, tt.want)
		}
	}
}

func TestLookupDeprecated(t *testing.T) {
	s, ok := opschema.Lookup("", "Upsample", 10)
	if !ok || !s.Deprecated || s.SinceVersion != 10 {
		t.Fatalf("Lookup Upsample@10 = %+v, %v; want deprecated version 10", s, ok)
	}
	if s, _ := opschema.Lookup("", "Upsample", 9); s.Deprecated {
		t.Errorf("Upsample-9 marked deprecated")
	}
}

func TestVersions(t *testing.T) {
	tests := []struct {
		domain, op string
		want       []int
	}{
		{"", "Add", []int{1, 6, 7, 13, 14}},
		{"ai.onnx", "Softmax", []int{1, 11, 13}},
		{"ai.onnx.ml", "LabelEncoder", []int{1, 2, 4}},
		{"", "NoSuchOp", nil},
	}
	for _, tt := range tests {
		var got []int
		for _, s := range opschema.Versions(tt.domain, tt.op) {
			got = append(got, s.SinceVersion)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Versions(%q, %q) = %v, want %v", tt.domain, tt.op, got, tt.want)
		}
	}
}

// TestLookupAgreesWithVersions checks every (op, opset) pair against a
// linear scan.
func TestLookupAgreesWithVersions(t *testing.T) {
	for _, d := range opschema.Domains() {
		for _, op := range opschema.Ops(d) {
			vs := opschema.Versions(d, op)
			if len(vs) == 0 {
				t.Fatalf("Ops(%q) lists %s without versions", d, op)
			}
			for opset := 0; opset <= opschema.MaxOpset(d)+1; opset++ {
				var want *opschema.Schema
				for _, v := range vs {
					if v.SinceVersion <= opset {
						want = v
					}
				}
				got, ok := opschema.Lookup(d, op, opset)
				if got != want || ok != (want != nil) {
					t.Fatalf("Lookup(%q, %q, %d) = %p, %v; want %p", d, op, opset, got, ok, want)
				}
			}
		}
	}
}

func TestResultsAreCopies(t *testing.T) {
	opschema.Domains()[0] = "x"
	opschema.Ops("")[0] = "x"
	opschema.All()[0] = nil
	opschema.Versions("", "Add")[0] = nil
	if opschema.Domains()[0] != opschema.DomainONNX || opschema.Ops("")[0] == "x" ||
		opschema.All()[0] == nil || opschema.Versions("", "Add")[0] == nil {
		t.Error("modifying a returned slice changed the index")
	}
}

func TestNormalizeDomain(t *testing.T) {
	for in, want := range map[string]string{
		"":                         "ai.onnx",
		"ai.onnx":                  "ai.onnx",
		"ai.onnx.ml":               "ai.onnx.ml",
		"ai.onnx.preview.training": "ai.onnx.preview.training",
		"com.microsoft":            "com.microsoft",
	} {
		if got := opschema.NormalizeDomain(in); got != want {
			t.Errorf("NormalizeDomain(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestStandardDomain(t *testing.T) {
	for d, want := range map[string]bool{
		"": true, "ai.onnx": true, "ai.onnx.ml": true, "ai.onnx.preview": true,
		"ai.onnx.preview.training": true, "com.microsoft": false, "com.example": false,
	} {
		if got := opschema.StandardDomain(d); got != want {
			t.Errorf("StandardDomain(%q) = %v, want %v", d, got, want)
		}
	}
}

// TestContribSchemas looks up ONNX Runtime's operators: facts of
// docs/ContribOperators.md, and the default-domain operators ONNX Runtime
// registers beside the standard ones.
func TestContribSchemas(t *testing.T) {
	gqa, ok := opschema.Lookup(opschema.DomainMicrosoft, "GroupQueryAttention", 1)
	if !ok || !gqa.Extension || gqa.MinInputs != 7 || gqa.MaxInputs != 16 || gqa.MinOutputs != 1 {
		t.Fatalf("GroupQueryAttention = %+v, %v", gqa, ok)
	}
	for _, name := range []string{"num_heads", "kv_num_heads"} {
		if a, ok := gqa.Attribute(name); !ok || !a.Required || a.Type != opschema.AttrInt {
			t.Errorf("GroupQueryAttention.%s = %+v", name, a)
		}
	}
	if a, _ := gqa.Attribute("local_window_size"); a == nil || a.Default == nil || a.Default.Int != -1 {
		t.Errorf("GroupQueryAttention.local_window_size = %+v", a)
	}
	if f, ok := gqa.InputFormal(5); !ok || f.Name != "seqlens_k" || f.Option != opschema.Single {
		t.Errorf("GroupQueryAttention input 5 = %+v", f)
	}
	if f, _ := gqa.InputFormal(3); f == nil || f.Type != "T_CACHE" || !slices.Contains(gqa.AllowedTypes(f), "tensor(uint8)") {
		t.Errorf("GroupQueryAttention past_key = %+v", f)
	}
	mnb, ok := opschema.Lookup("com.microsoft", "MatMulNBits", 1)
	if !ok || len(mnb.Inputs) != 6 || mnb.MinInputs != 3 {
		t.Fatalf("MatMulNBits = %+v, %v", mnb, ok)
	}
	concat, _ := opschema.Lookup("com.microsoft", "QLinearConcat", 1)
	if concat == nil || concat.MaxInputs != opschema.Unbounded || !concat.Inputs[2].Heterogeneous {
		t.Errorf("QLinearConcat = %+v", concat)
	}
	// The default domain: ONNX Runtime's LayerNormalization-1 is in force
	// below opset 17, the standard's from 17 on.
	for _, tt := range []struct {
		op        string
		opset     int
		since     int
		extension bool
	}{
		{"SimplifiedLayerNormalization", 14, 1, true},
		{"SimplifiedLayerNormalization", 21, 1, true},
		{"LayerNormalization", 16, 1, true},
		{"LayerNormalization", 17, 17, false},
		{"Add", 14, 14, false},
	} {
		s, ok := opschema.Lookup("", tt.op, tt.opset)
		if !ok || s.SinceVersion != tt.since || s.Extension != tt.extension {
			t.Errorf("Lookup(%q, %d) = %+v, %v; want since %d, extension %v", tt.op, tt.opset, s, ok, tt.since, tt.extension)
		}
	}
	for _, s := range opschema.All() {
		if (s.Domain == opschema.DomainMicrosoft) != s.Extension && s.Domain != opschema.DomainONNX {
			t.Errorf("%s %s-%d: extension %v", s.Domain, s.Name, s.SinceVersion, s.Extension)
		}
	}
}
