package main

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/onnxgraph/onnxgraph/examples/internal/ort/orttest"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/examples/internal/ort"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
	"google.golang.org/protobuf/proto"
)

// A decoder in the layout ONNX Runtime's model builder writes for LLMs:
// inputs input_ids, attention_mask, position_ids and
// past_key_values.N.key/value; outputs logits and present.N.key/value;
// seqlens_k and total_sequence_length computed in the graph from the
// attention mask; per layer SimplifiedLayerNormalization (first) or
// SkipSimplifiedLayerNormalization, MatMulNBits projections,
// RotaryEmbedding on Q and K, GroupQueryAttention, a SiLU-gated MLP.

// llmConfig sizes the decoder.
type llmConfig struct {
	layers, hidden, heads, kvHeads, inter, vocab int64
	maxPos                                       int64 // rows of the cos/sin caches
	// external makes every weight an external-data reference to a file
	// that does not exist: inference must never read one.
	external bool
}

// llmDecoder builds the decoder.
func llmDecoder(tb testing.TB, cfg llmConfig) *onnxgraph.Model {
	tb.Helper()
	head := cfg.hidden / cfg.heads
	m := onnxgraph.NewModel(10, map[string]int64{"": 21, "com.microsoft": 1})
	g := m.Graph()
	must := func(v *onnxgraph.Value, err error) *onnxgraph.Value {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
		return v
	}
	r := rand.New(rand.NewPCG(3, 4))
	weight := func(name string, dt onnxgraph.DataType, dims ...int64) *onnxgraph.Value {
		n := onnxgraph.NumElements(dims)
		var t *onnxgraph.Tensor
		if cfg.external {
			t = onnxgraph.TensorFromProto(&onnxproto.TensorProto{
				Name: proto.String(name), DataType: proto.Int32(int32(dt)), Dims: dims,
				DataLocation: onnxproto.TensorProto_EXTERNAL.Enum(),
				ExternalData: []*onnxproto.StringStringEntryProto{
					{Key: proto.String("location"), Value: proto.String("missing_weights.bin")},
					{Key: proto.String("length"), Value: proto.String(fmt.Sprint(onnxgraph.RawSize(dt, n)))},
				},
			})
		} else {
			var vals any
			switch dt {
			case onnxgraph.Uint8:
				v := make([]uint8, n)
				for i := range v {
					v[i] = uint8(r.IntN(256))
				}
				vals = v
			default:
				v := make([]float32, n)
				for i := range v {
					v[i] = float32(r.Float64()-0.5) * 0.2
				}
				vals = v
			}
			var err error
			if t, err = onnxgraph.NewTensorOf(name, dt, dims, vals); err != nil {
				tb.Fatal(err)
			}
		}
		return must(g.AddInitializer(t))
	}
	node := func(domain, op string, ins []*onnxgraph.Value, outs []string, attrs ...*onnxproto.AttributeProto) *onnxgraph.Node {
		tb.Helper()
		n, err := g.AddNodeIn(domain, op, ins, outs, attrs...)
		if err != nil {
			tb.Fatal(err)
		}
		return n
	}
	ms := "com.microsoft"
	linear := func(x *onnxgraph.Value, name string, k, n int64) *onnxgraph.Value {
		const block = 32
		blocks := (k + block - 1) / block
		w := weight(name+".qweight", onnxgraph.Uint8, n, blocks, block/2)
		s := weight(name+".scales", onnxgraph.Float, n*blocks)
		out := name + "/output_0"
		if name == "/lm_head/MatMul" {
			out = "logits"
		}
		return node(ms, "MatMulNBits", []*onnxgraph.Value{x, w, s}, []string{out},
			onnxgraph.AttrInt("K", k), onnxgraph.AttrInt("N", n), onnxgraph.AttrInt("bits", 4),
			onnxgraph.AttrInt("block_size", block), onnxgraph.AttrInt("accuracy_level", 4)).Output(0)
	}
	dims := func(ds ...any) []onnxgraph.Dim {
		out := make([]onnxgraph.Dim, len(ds))
		for i, d := range ds {
			switch x := d.(type) {
			case string:
				out[i] = onnxgraph.DimParam(x)
			case int64:
				out[i] = onnxgraph.DimOf(x)
			}
		}
		return out
	}
	ids := must(g.AddInput("input_ids", onnxgraph.TensorType(onnxgraph.Int64, dims("batch_size", "sequence_length"))))
	mask := must(g.AddInput("attention_mask", onnxgraph.TensorType(onnxgraph.Int64, dims("batch_size", "total_sequence_length"))))
	pos := must(g.AddInput("position_ids", onnxgraph.TensorType(onnxgraph.Int64, dims("batch_size", "sequence_length"))))
	// seqlens_k = ReduceSum(mask, 1) - 1; total = Shape(mask)[1], as int32.
	one := must(g.AddInitializer(mustTensor(tb, "one", onnxgraph.Int64, nil, []int64{1})))
	axis1 := must(g.AddInitializer(mustTensor(tb, "axis1", onnxgraph.Int64, []int64{1}, []int64{1})))
	sum := node("", "ReduceSum", []*onnxgraph.Value{mask, axis1}, []string{"/model/attn_mask_reformat/attn_mask_subgraph/ReduceSum/output_0"}, onnxgraph.AttrInt("keepdims", 0)).Output(0)
	sub := node("", "Sub", []*onnxgraph.Value{sum, one}, []string{"/model/attn_mask_reformat/attn_mask_subgraph/Sub/output_0"}).Output(0)
	seqlens := node("", "Cast", []*onnxgraph.Value{sub}, []string{"/model/attn_mask_reformat/attn_mask_subgraph/Sub/Cast/output_0"}, onnxgraph.AttrInt("to", int64(onnxgraph.Int32))).Output(0)
	shape := node("", "Shape", []*onnxgraph.Value{mask}, []string{"/model/attn_mask_reformat/attn_mask_subgraph/Shape/output_0"}).Output(0)
	gather := node("", "Gather", []*onnxgraph.Value{shape, one}, []string{"/model/attn_mask_reformat/attn_mask_subgraph/Gather/output_0"}, onnxgraph.AttrInt("axis", 0)).Output(0)
	total := node("", "Cast", []*onnxgraph.Value{gather}, []string{"/model/attn_mask_reformat/attn_mask_subgraph/Gather/Cast/output_0"}, onnxgraph.AttrInt("to", int64(onnxgraph.Int32))).Output(0)

	emb := weight("model.embed_tokens.weight", onnxgraph.Float, cfg.vocab, cfg.hidden)
	x := node("", "Gather", []*onnxgraph.Value{emb, ids}, []string{"/model/embed_tokens/Gather/output_0"}).Output(0)
	cos := weight("cos_cache", onnxgraph.Float, cfg.maxPos, head/2)
	sin := weight("sin_cache", onnxgraph.Float, cfg.maxPos, head/2)
	var residual, skip *onnxgraph.Value = x, nil
	eps := onnxgraph.AttrFloat("epsilon", 1e-5)
	for l := range cfg.layers {
		p := fmt.Sprintf("/model/layers.%d", l)
		var norm *onnxgraph.Value
		if skip == nil {
			norm = node("", "SimplifiedLayerNormalization", []*onnxgraph.Value{residual, weight(p+".input_layernorm.weight", onnxgraph.Float, cfg.hidden)},
				[]string{p + "/input_layernorm/LayerNorm/output_0"}, onnxgraph.AttrInt("axis", -1), eps, onnxgraph.AttrInt("stash_type", 1)).Output(0)
		} else {
			n := node(ms, "SkipSimplifiedLayerNormalization", []*onnxgraph.Value{residual, skip, weight(p+".input_layernorm.weight", onnxgraph.Float, cfg.hidden)},
				[]string{p + "/input_layernorm/output_0", "", "", p + "/input_layernorm/output_3"}, eps)
			norm, residual = n.Output(0), n.Output(3)
		}
		q := linear(norm, p+"/attn/q_proj/MatMul", cfg.hidden, cfg.heads*head)
		k := linear(norm, p+"/attn/k_proj/MatMul", cfg.hidden, cfg.kvHeads*head)
		v := linear(norm, p+"/attn/v_proj/MatMul", cfg.hidden, cfg.kvHeads*head)
		q = node(ms, "RotaryEmbedding", []*onnxgraph.Value{q, pos, cos, sin}, []string{p + "/attn/q_rotary/RotaryEmbedding/output_0"}, onnxgraph.AttrInt("num_heads", cfg.heads)).Output(0)
		k = node(ms, "RotaryEmbedding", []*onnxgraph.Value{k, pos, cos, sin}, []string{p + "/attn/k_rotary/RotaryEmbedding/output_0"}, onnxgraph.AttrInt("num_heads", cfg.kvHeads)).Output(0)
		cache := onnxgraph.TensorType(onnxgraph.Float, dims("batch_size", cfg.kvHeads, "past_sequence_length", head))
		pk := must(g.AddInput(fmt.Sprintf("past_key_values.%d.key", l), cache))
		pv := must(g.AddInput(fmt.Sprintf("past_key_values.%d.value", l), proto.Clone(cache).(*onnxproto.TypeProto)))
		att := node(ms, "GroupQueryAttention", []*onnxgraph.Value{q, k, v, pk, pv, seqlens, total},
			[]string{p + "/attn/GroupQueryAttention/output_0", fmt.Sprintf("present.%d.key", l), fmt.Sprintf("present.%d.value", l)},
			onnxgraph.AttrInt("num_heads", cfg.heads), onnxgraph.AttrInt("kv_num_heads", cfg.kvHeads),
			onnxgraph.AttrFloat("scale", 0.25), onnxgraph.AttrInt("local_window_size", -1))
		present := onnxgraph.TensorType(onnxgraph.Float, dims("batch_size", cfg.kvHeads, "total_sequence_length", head))
		for i := 1; i <= 2; i++ {
			if err := g.AddOutput(att.Output(i), proto.Clone(present).(*onnxproto.TypeProto)); err != nil {
				tb.Fatal(err)
			}
		}
		o := linear(att.Output(0), p+"/attn/o_proj/MatMul", cfg.heads*head, cfg.hidden)
		n := node(ms, "SkipSimplifiedLayerNormalization", []*onnxgraph.Value{residual, o, weight(p+".post_attention_layernorm.weight", onnxgraph.Float, cfg.hidden)},
			[]string{p + "/post_attention_layernorm/output_0", "", "", p + "/post_attention_layernorm/output_3"}, eps)
		norm, residual = n.Output(0), n.Output(3)
		gate := linear(norm, p+"/mlp/gate_proj/MatMul", cfg.hidden, cfg.inter)
		up := linear(norm, p+"/mlp/up_proj/MatMul", cfg.hidden, cfg.inter)
		sig := node("", "Sigmoid", []*onnxgraph.Value{gate}, []string{p + "/mlp/act_fn/Sigmoid/output_0"}).Output(0)
		act := node("", "Mul", []*onnxgraph.Value{gate, sig}, []string{p + "/mlp/act_fn/Mul/output_0"}).Output(0)
		prod := node("", "Mul", []*onnxgraph.Value{act, up}, []string{p + "/mlp/Mul/output_0"}).Output(0)
		skip = linear(prod, p+"/mlp/down_proj/MatMul", cfg.inter, cfg.hidden)
	}
	final := node(ms, "SkipSimplifiedLayerNormalization", []*onnxgraph.Value{residual, skip, weight("model.norm.weight", onnxgraph.Float, cfg.hidden)},
		[]string{"/model/norm/output_0"}, eps).Output(0)
	logits := linear(final, "/lm_head/MatMul", cfg.hidden, cfg.vocab)
	if err := g.AddOutput(logits, onnxgraph.TensorType(onnxgraph.Float, dims("batch_size", "sequence_length", cfg.vocab))); err != nil {
		tb.Fatal(err)
	}
	return m
}

func mustTensor(tb testing.TB, name string, dt onnxgraph.DataType, dims []int64, vals any) *onnxgraph.Tensor {
	tb.Helper()
	t, err := onnxgraph.NewTensorOf(name, dt, dims, vals)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

var llmSmall = llmConfig{layers: 2, hidden: 64, heads: 4, kvHeads: 2, inter: 96, vocab: 100, maxPos: 64}

// TestLLMDecoderORT: the decoder gets a complete symbolic type on every
// value, passes our checker, and runs in ONNX Runtime at three sizes (a
// prompt without past, a prompt continuing a past, batched decoding),
// where every value's real shape (each one made a graph output) equals
// the symbolic shape evaluated at the size and the shape inferred with the
// size fixed.
func TestLLMDecoderORT(t *testing.T) {
	orttest.Require(t)
	cfg := llmSmall
	m := llmDecoder(t, cfg)
	sym, err := shapeinfer.Infer(m, &shapeinfer.Options{Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	if inc, none := sym.Incomplete(), sym.NoInference(); len(inc) > 0 || len(none) > 0 {
		t.Fatalf("%d values incomplete (%v), %d nodes without inference", len(inc), inc, len(none))
	}
	if len(sym.Conflicts) > 0 || len(sym.Problems) > 0 {
		t.Fatalf("conflicts %v, problems %v", sym.Conflicts, sym.Problems)
	}
	want := map[string]string{
		"logits": "float32[batch_size,sequence_length,100]", "present.0.key": "float32[batch_size,2,total_sequence_length,16]",
		"/model/layers.1/attn/GroupQueryAttention/output_0":                 "float32[batch_size,sequence_length,64]",
		"/model/attn_mask_reformat/attn_mask_subgraph/Gather/Cast/output_0": "int32[]",
		"/model/layers.1/mlp/up_proj/MatMul/output_0":                       "float32[batch_size,sequence_length,96]",
	}
	for name, w := range want {
		v, ok := m.Graph().Value(name)
		if !ok {
			t.Fatalf("no value %s", name)
		}
		if got := sym.Type(v).String(); got != w {
			t.Errorf("%s: %s, want %s", name, got, w)
		}
	}
	checked := m.Clone()
	if _, err := shapeinfer.Infer(checked, &shapeinfer.Options{WriteBack: true}); err != nil {
		t.Fatal(err)
	}
	if err := onnxgraph.Validate(checked, nil); err != nil {
		t.Fatalf("our checker: %v", err)
	}
	// Every value a graph output, so that ONNX Runtime reports its shape.
	all := m.Clone()
	g := all.Graph()
	pre, err := shapeinfer.Infer(all, nil)
	if err != nil {
		t.Fatal(err)
	}
	outs := map[*onnxgraph.Value]bool{}
	for _, o := range g.Outputs() {
		outs[o] = true
	}
	scalars := 0
	for _, n := range g.Nodes() {
		for _, v := range n.Outputs() {
			if t := pre.Type(v); t != nil && t.HasShape() && len(t.Shape) == 0 {
				scalars++ // onnxruntime_go cannot return a scalar output
				continue
			}
			if v != nil && !outs[v] {
				if err := g.AddOutput(v, nil); err != nil {
					t.Fatal(err)
				}
				outs[v] = true
			}
		}
	}
	path := filepath.Join(t.TempDir(), "decoder.onnx")
	if err := all.Save(path); err != nil {
		t.Fatal(err)
	}
	symAll, err := shapeinfer.Infer(all, nil)
	if err != nil {
		t.Fatal(err)
	}
	k := &ctCounts{}
	for _, sz := range []map[string]int64{
		{"batch_size": 1, "sequence_length": 5, "past_sequence_length": 0},
		{"batch_size": 1, "sequence_length": 3, "past_sequence_length": 4},
		{"batch_size": 3, "sequence_length": 1, "past_sequence_length": 7},
	} {
		sz["total_sequence_length"] = sz["past_sequence_length"] + sz["sequence_length"]
		b, s, p := sz["batch_size"], sz["sequence_length"], sz["past_sequence_length"]
		feeds := map[string]*ort.Tensor{
			"input_ids":      ortInts(onnxgraph.Int64, []int64{b, s}, func(i int64) int64 { return (i * 7) % cfg.vocab }),
			"attention_mask": ortInts(onnxgraph.Int64, []int64{b, p + s}, func(int64) int64 { return 1 }),
			"position_ids":   ortInts(onnxgraph.Int64, []int64{b, s}, func(i int64) int64 { return p + i%s }),
		}
		head := cfg.hidden / cfg.heads
		for l := range cfg.layers {
			for _, kv := range []string{"key", "value"} {
				shape := []int64{b, cfg.kvHeads, p, head}
				feeds[fmt.Sprintf("past_key_values.%d.%s", l, kv)] = &ort.Tensor{DType: onnxgraph.Float, Shape: shape, Data: make([]byte, 4*onnxgraph.NumElements(shape))}
			}
		}
		got, err := ort.Run(path, feeds)
		if err != nil {
			t.Fatalf("ONNX Runtime at %v: %v", sz, err)
		}
		fixed := &shapeinfer.Options{InputShapes: map[string]shapeinfer.Shape{}}
		for name, f := range feeds {
			fixed.InputShapes[name] = shapeinfer.KnownShape(f.Shape...)
		}
		conc, err := shapeinfer.Infer(all, fixed)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range g.Outputs() {
			real := got[o.Name()]
			if real == nil {
				t.Fatalf("ONNX Runtime gave no %s", o.Name())
			}
			k.compareShapes(t, o.Name()+" at "+sizeText(sz)+" (symbolic)", real.Shape, symAll.Type(o), sz, symAll.Explain(o))
			k.compareShapes(t, o.Name()+" at "+sizeText(sz)+" (fixed)", real.Shape, conc.Type(o), sz, conc.Explain(o))
		}
	}
	if k.dataDeps > 0 {
		t.Errorf("%d dims left to run time", k.dataDeps)
	}
	t.Logf("%d nodes; %d value shapes compared at 3 sizes, %d dims, %d wrong (%d scalar values not compared: onnxruntime_go returns no scalar output)", len(g.Nodes()), k.values, k.compared, k.wrong, scalars)
}

// ortInts is an integer tensor of shape whose element i is f(i).
func ortInts(dt onnxgraph.DataType, shape []int64, f func(i int64) int64) *ort.Tensor {
	n := onnxgraph.NumElements(shape)
	v := make([]int64, n)
	for i := range v {
		v[i] = f(int64(i))
	}
	t, err := onnxgraph.NewTensorOf("x", dt, shape, v)
	if err != nil {
		panic(err)
	}
	raw, err := t.Bytes()
	if err != nil {
		panic(err)
	}
	return &ort.Tensor{DType: dt, Shape: shape, Data: raw}
}

// llm24 is a 24-layer decoder of Llama-3-8B's widths (hidden 4096, 32
// query and 8 key/value heads, MLP 14336, vocabulary 128256): about 3.8 GB
// of 4-bit weights, all external references to a file that does not
// exist.
var llm24 = llmConfig{layers: 24, hidden: 4096, heads: 32, kvHeads: 8, inter: 14336, vocab: 128256, maxPos: 8192, external: true}

// TestLLMDecoder24Symbolic: the large decoder infers completely without
// reading a weight (none can be read).
func TestLLMDecoder24Symbolic(t *testing.T) {
	m := llmDecoder(t, llm24)
	res, err := shapeinfer.Infer(m, &shapeinfer.Options{Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	if inc := res.Incomplete(); len(inc) > 0 {
		t.Fatalf("%d values incomplete, first %s: %v", len(inc), inc[0].Name(), res.Explain(inc[0]))
	}
	v, _ := m.Graph().Value("present.23.value")
	if got := res.Type(v).String(); got != "float32[batch_size,8,total_sequence_length,128]" {
		t.Errorf("present.23.value: %s", got)
	}
}

// BenchmarkInferLLMDecoder24 infers the 24-layer decoder (symbolic shapes
// on every value; no weight is read).
func BenchmarkInferLLMDecoder24(b *testing.B) {
	m := llmDecoder(b, llm24)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := shapeinfer.Infer(m, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(m.Graph().NumNodes()), "nodes")
}
