package shapeinfer_test

import (
	"cmp"
	"fmt"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
)

// Symbolic inference on generated transformer-style graphs: dynamic batch
// N and sequence S (and cache length P), with the shape computations
// exporters emit (Shape -> Gather -> Unsqueeze -> Concat -> Reshape,
// Shape -> Slice -> Concat -> Expand, ConstantOfShape(Shape(x)),
// Range(0, Gather(Shape(x), 1), 1)) around attention blocks. Every value
// must get a full symbolic shape.

// tfConfig describes a generated decoder.
type tfConfig struct {
	layers, hidden, heads, ffn, vocab, maxPos int64
	past                                      bool  // attend over a cache of length P too
	opset                                     int64 // of the default domain; 0: 18
	// weight returns the initializer of a weight; nil: zeros.
	weight func(name string, dims ...int64) *onnxgraph.Tensor
}

// tfBuilder adds nodes with generated output names.
type tfBuilder struct {
	tb  testing.TB
	g   *onnxgraph.Graph
	cfg tfConfig
	n   int
	// named values the tests check, by role.
	named map[string]*onnxgraph.Value
}

func (b *tfBuilder) op(opType string, ins []*onnxgraph.Value, attrs ...*onnxproto.AttributeProto) *onnxgraph.Value {
	b.n++
	n, err := b.g.AddNode(opType, ins, []string{fmt.Sprintf("v%d_%s", b.n, strings.ToLower(opType))}, attrs...)
	if err != nil {
		b.tb.Fatal(err)
	}
	return n.Output(0)
}

func (b *tfBuilder) init(t *onnxgraph.Tensor) *onnxgraph.Value {
	v, err := b.g.AddInitializer(t)
	if err != nil {
		b.tb.Fatal(err)
	}
	return v
}

// ints is an int64 vector constant.
func (b *tfBuilder) ints(v ...int64) *onnxgraph.Value {
	b.n++
	t, err := onnxgraph.NewTensorOf(fmt.Sprintf("c%d", b.n), onnxgraph.Int64, []int64{int64(len(v))}, v)
	if err != nil {
		b.tb.Fatal(err)
	}
	return b.init(t)
}

// scalar is an int64 (or, with f, float32) scalar constant.
func (b *tfBuilder) scalar(v int64) *onnxgraph.Value {
	b.n++
	t, err := onnxgraph.NewTensorOf(fmt.Sprintf("c%d", b.n), onnxgraph.Int64, nil, []int64{v})
	if err != nil {
		b.tb.Fatal(err)
	}
	return b.init(t)
}

func (b *tfBuilder) floatScalar(v float32) *onnxgraph.Value {
	b.n++
	t, err := onnxgraph.NewTensorOf(fmt.Sprintf("c%d", b.n), onnxgraph.Float, nil, []float32{v})
	if err != nil {
		b.tb.Fatal(err)
	}
	return b.init(t)
}

func (b *tfBuilder) weight(name string, dims ...int64) *onnxgraph.Value {
	var t *onnxgraph.Tensor
	if b.cfg.weight != nil {
		t = b.cfg.weight(name, dims...)
	} else {
		raw := make([]byte, 4*onnxgraph.NumElements(dims))
		var err error
		if t, err = onnxgraph.NewTensor(name, onnxgraph.Float, dims, raw); err != nil {
			b.tb.Fatal(err)
		}
	}
	return b.init(t)
}

// linear is x @ W + bias.
func (b *tfBuilder) linear(x *onnxgraph.Value, name string, in, out int64) *onnxgraph.Value {
	return b.op("Add", []*onnxgraph.Value{b.op("MatMul", []*onnxgraph.Value{x, b.weight(name+"_w", in, out)}), b.weight(name+"_b", out)})
}

func (b *tfBuilder) layerNorm(x *onnxgraph.Value, name string) *onnxgraph.Value {
	return b.op("LayerNormalization", []*onnxgraph.Value{x, b.weight(name+"_g", b.cfg.hidden), b.weight(name+"_b", b.cfg.hidden)}, onnxgraph.AttrInt("axis", -1))
}

// buildDecoder generates a decoder over input_ids [N, S] (and, with past, a
// key/value cache [N, heads, P, dim] per layer).
func buildDecoder(tb testing.TB, cfg tfConfig) (*onnxgraph.Model, map[string]*onnxgraph.Value) {
	m := onnxgraph.NewModel(10, map[string]int64{"": cmp.Or(cfg.opset, 18)})
	b := &tfBuilder{tb: tb, g: m.Graph(), cfg: cfg, named: map[string]*onnxgraph.Value{}}
	g := b.g
	H, heads := cfg.hidden, cfg.heads
	dim := H / heads
	ids, err := g.AddInput("input_ids", onnxgraph.TensorType(onnxgraph.Int64, []onnxgraph.Dim{onnxgraph.DimParam("N"), onnxgraph.DimParam("S")}))
	if err != nil {
		tb.Fatal(err)
	}
	// Embeddings: tokens plus positions Range(0, S, 1).
	emb := b.op("Gather", []*onnxgraph.Value{b.weight("tok_emb", cfg.vocab, H), ids})
	idsShape := b.op("Shape", []*onnxgraph.Value{ids})
	seqLen := b.op("Gather", []*onnxgraph.Value{idsShape, b.scalar(1)})
	pos := b.op("Range", []*onnxgraph.Value{b.scalar(0), seqLen, b.scalar(1)})
	b.named["positions"] = pos
	pe := b.op("Gather", []*onnxgraph.Value{b.weight("pos_emb", cfg.maxPos, H), b.op("Unsqueeze", []*onnxgraph.Value{pos, b.ints(0)})})
	x := b.op("Add", []*onnxgraph.Value{emb, pe})
	zeros := b.op("ConstantOfShape", []*onnxgraph.Value{b.op("Shape", []*onnxgraph.Value{x})})
	b.named["zeros"] = zeros
	x = b.op("Add", []*onnxgraph.Value{x, zeros})
	for l := range cfg.layers {
		p := fmt.Sprintf("l%d", l)
		h := b.layerNorm(x, p+"_ln1")
		q := b.linear(h, p+"_q", H, H)
		k := b.linear(h, p+"_k", H, H)
		v := b.linear(h, p+"_v", H, H)
		// [N, S, heads, dim] from the runtime shape of x.
		shp := b.op("Shape", []*onnxgraph.Value{x})
		n1 := b.op("Unsqueeze", []*onnxgraph.Value{b.op("Gather", []*onnxgraph.Value{shp, b.scalar(0)}), b.ints(0)})
		s1 := b.op("Unsqueeze", []*onnxgraph.Value{b.op("Gather", []*onnxgraph.Value{shp, b.scalar(1)}), b.ints(0)})
		split := b.op("Concat", []*onnxgraph.Value{n1, s1, b.ints(heads, dim)}, onnxgraph.AttrInt("axis", 0))
		q4 := b.op("Reshape", []*onnxgraph.Value{q, split})
		qT := b.op("Transpose", []*onnxgraph.Value{q4}, onnxgraph.AttrInts("perm", 0, 2, 1, 3))
		kT := b.op("Transpose", []*onnxgraph.Value{b.op("Reshape", []*onnxgraph.Value{k, split})}, onnxgraph.AttrInts("perm", 0, 2, 1, 3))
		vT := b.op("Transpose", []*onnxgraph.Value{b.op("Reshape", []*onnxgraph.Value{v, split})}, onnxgraph.AttrInts("perm", 0, 2, 1, 3))
		if cfg.past {
			pk, err := g.AddInput(p+"_past_k", onnxgraph.TensorType(onnxgraph.Float, []onnxgraph.Dim{onnxgraph.DimParam("N"), onnxgraph.DimOf(heads), onnxgraph.DimParam("P"), onnxgraph.DimOf(dim)}))
			if err != nil {
				tb.Fatal(err)
			}
			pv, err := g.AddInput(p+"_past_v", onnxgraph.TensorType(onnxgraph.Float, []onnxgraph.Dim{onnxgraph.DimParam("N"), onnxgraph.DimOf(heads), onnxgraph.DimParam("P"), onnxgraph.DimOf(dim)}))
			if err != nil {
				tb.Fatal(err)
			}
			kT = b.op("Concat", []*onnxgraph.Value{pk, kT}, onnxgraph.AttrInt("axis", 2))
			vT = b.op("Concat", []*onnxgraph.Value{pv, vT}, onnxgraph.AttrInt("axis", 2))
			b.named[p+"_present_k"] = kT
		}
		kTT := b.op("Transpose", []*onnxgraph.Value{kT}, onnxgraph.AttrInts("perm", 0, 1, 3, 2))
		scores := b.op("Mul", []*onnxgraph.Value{b.op("MatMul", []*onnxgraph.Value{qT, kTT}), b.floatScalar(0.125)})
		// Causal mask [S, T] (T = P+S with a cache), expanded to the
		// scores' shape through Shape -> Slice -> Concat -> Expand.
		tLen := b.op("Slice", []*onnxgraph.Value{b.op("Shape", []*onnxgraph.Value{kT}), b.ints(2), b.ints(3)})
		st := b.op("Concat", []*onnxgraph.Value{s1, tLen}, onnxgraph.AttrInt("axis", 0))
		tri := b.op("Trilu", []*onnxgraph.Value{b.op("ConstantOfShape", []*onnxgraph.Value{st}, onnxgraph.AttrTensor("value", mustTensor(tb, "one", onnxgraph.Float, []int64{1}, []float32{1})))}, onnxgraph.AttrInt("upper", 0))
		lead := b.op("Slice", []*onnxgraph.Value{b.op("Shape", []*onnxgraph.Value{scores}), b.ints(0), b.ints(2)})
		mask := b.op("Expand", []*onnxgraph.Value{tri, b.op("Concat", []*onnxgraph.Value{lead, st}, onnxgraph.AttrInt("axis", 0))})
		b.named[p+"_mask"] = mask
		bias := b.op("Mul", []*onnxgraph.Value{b.op("Sub", []*onnxgraph.Value{mask, b.floatScalar(1)}), b.floatScalar(10000)})
		probs := b.op("Softmax", []*onnxgraph.Value{b.op("Add", []*onnxgraph.Value{scores, bias})}, onnxgraph.AttrInt("axis", -1))
		b.named[p+"_probs"] = probs
		ctx := b.op("Transpose", []*onnxgraph.Value{b.op("MatMul", []*onnxgraph.Value{probs, vT})}, onnxgraph.AttrInts("perm", 0, 2, 1, 3))
		b.named[p+"_heads"] = q4
		// Back to rows: [N*S, H] for the output projection, then [N, S, H].
		flat := b.op("Reshape", []*onnxgraph.Value{ctx, b.ints(-1, H)})
		b.named[p+"_flat"] = flat
		o := b.op("Reshape", []*onnxgraph.Value{b.linear(flat, p+"_o", H, H), shp})
		x = b.op("Add", []*onnxgraph.Value{x, o})
		h2 := b.layerNorm(x, p+"_ln2")
		f := b.op("Relu", []*onnxgraph.Value{b.linear(h2, p+"_ff1", H, cfg.ffn)})
		x = b.op("Add", []*onnxgraph.Value{x, b.linear(f, p+"_ff2", cfg.ffn, H)})
	}
	logits := b.op("MatMul", []*onnxgraph.Value{b.layerNorm(x, "ln_f"), b.weight("lm_head", H, cfg.vocab)})
	b.named["logits"] = logits
	if err := g.AddOutput(logits, nil); err != nil {
		tb.Fatal(err)
	}
	return m, b.named
}

func TestSymbolicTransformer(t *testing.T) {
	for _, past := range []bool{false, true} {
		t.Run(fmt.Sprintf("past=%v", past), func(t *testing.T) {
			m, named := buildDecoder(t, tfConfig{layers: 2, hidden: 512, heads: 8, ffn: 64, vocab: 100, maxPos: 16, past: past})
			res, err := shapeinfer.Infer(m, nil)
			if err != nil {
				t.Fatal(err)
			}
			incomplete := 0
			for _, v := range m.Graph().Values() {
				if !res.Type(v).Complete() {
					incomplete++
					t.Errorf("%s: %v (%v)", v.Name(), res.Type(v), res.Explain(v))
				}
			}
			if len(res.Problems) > 0 || len(res.Conflicts) > 0 {
				t.Errorf("problems %v, conflicts %v", res.Problems, res.Conflicts)
			}
			T := "S"
			if past {
				T = "P+S"
			}
			want := map[string]string{
				"positions": "int64[S]",
				"zeros":     "float32[N,S,512]",
				"l0_heads":  "float32[N,S,8,64]",
				"l1_flat":   "float32[N*S,512]",
				"l0_mask":   "float32[N,8,S," + T + "]",
				"l1_probs":  "float32[N,8,S," + T + "]",
				"logits":    "float32[N,S,100]",
			}
			if past {
				want["l1_present_k"] = "float32[N,8,P+S,64]"
			}
			for role, w := range want {
				if got := res.Type(named[role]).String(); got != w {
					t.Errorf("%s: got %s, want %s", role, got, w)
				}
			}
			t.Logf("%d values, %d without a full symbolic shape", len(m.Graph().Values()), incomplete)
		})
	}
}

// TestSymbolicPatterns checks the shape computations one by one.
func TestSymbolicPatterns(t *testing.T) {
	m := onnxgraph.NewModel(10, map[string]int64{"": 18})
	b := &tfBuilder{tb: t, g: m.Graph()}
	x, _ := b.g.AddInput("x", onnxgraph.TensorType(onnxgraph.Float, []onnxgraph.Dim{onnxgraph.DimParam("N"), onnxgraph.DimParam("S"), onnxgraph.DimOf(512)}))
	shp := b.op("Shape", []*onnxgraph.Value{x})
	// Shape -> Gather -> Unsqueeze -> Concat -> Reshape.
	n1 := b.op("Unsqueeze", []*onnxgraph.Value{b.op("Gather", []*onnxgraph.Value{shp, b.scalar(0)}), b.ints(0)})
	s1 := b.op("Unsqueeze", []*onnxgraph.Value{b.op("Gather", []*onnxgraph.Value{shp, b.scalar(1)}), b.ints(0)})
	r1 := b.op("Reshape", []*onnxgraph.Value{x, b.op("Concat", []*onnxgraph.Value{n1, s1, b.ints(8, 64)}, onnxgraph.AttrInt("axis", 0))})
	// Shape -> Slice -> Concat -> Expand.
	head := b.op("Slice", []*onnxgraph.Value{shp, b.ints(0), b.ints(2)})
	e1 := b.op("Expand", []*onnxgraph.Value{b.floatScalar(0), b.op("Concat", []*onnxgraph.Value{head, b.ints(64)}, onnxgraph.AttrInt("axis", 0))})
	// ConstantOfShape(Shape(x)).
	c1 := b.op("ConstantOfShape", []*onnxgraph.Value{shp})
	// Range(0, Gather(Shape(x), 1), 1).
	r2 := b.op("Range", []*onnxgraph.Value{b.scalar(0), b.op("Gather", []*onnxgraph.Value{shp, b.scalar(1)}), b.scalar(1)})
	// Reshape to [N*S, 512] and back with the saved shape.
	r3 := b.op("Reshape", []*onnxgraph.Value{x, b.ints(-1, 512)})
	r4 := b.op("Reshape", []*onnxgraph.Value{r3, shp})
	// Size and arithmetic on dims: N*S*512 / 8 = 64*N*S.
	sz := b.op("Div", []*onnxgraph.Value{b.op("Size", []*onnxgraph.Value{x}), b.scalar(8)})
	r5 := b.op("Reshape", []*onnxgraph.Value{x, b.op("Concat", []*onnxgraph.Value{b.op("Unsqueeze", []*onnxgraph.Value{sz, b.ints(0)}), b.ints(8)}, onnxgraph.AttrInt("axis", 0))})
	// Flatten, Split of a shape vector, Tile by it.
	f1 := b.op("Flatten", []*onnxgraph.Value{r1}, onnxgraph.AttrInt("axis", 2))
	res, err := shapeinfer.Infer(m, nil)
	if err != nil {
		t.Fatal(err)
	}
	for v, want := range map[*onnxgraph.Value]string{
		r1: "float32[N,S,8,64]",
		e1: "float32[N,S,64]",
		c1: "float32[N,S,512]",
		r2: "int64[S]",
		r3: "float32[N*S,512]",
		r4: "float32[N,S,512]",
		r5: "float32[64*N*S,8]",
		f1: "float32[N*S,512]",
	} {
		if got := res.Type(v).String(); got != want {
			t.Errorf("%s: got %s, want %s (%v)", v.Name(), got, want, res.Explain(v))
		}
	}
}
