package main

import (
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"google.golang.org/protobuf/proto"
)

// The generation operators of TestContribORT (BeamSearch, GreedySearch,
// Sampling, WhisperBeamSearch) run a decoder subgraph in a loop, after an
// encoder subgraph for Whisper. These are the smallest ONNX Runtime
// accepts: one layer, one attention head of size 2, logits that are a
// table's rows (token t makes t + 1 the most likely, and the
// end-of-sequence token is never favoured, so every run generates up to
// max_length), caches that hold the tokens.

// genVocab is the decoders' vocabulary size.
const genVocab = 7

// genEOS is the end-of-sequence token the decoders never favour.
const genEOS = genVocab - 1

// subgraph builds a GRAPH attribute's graph. Its outer-scope values (the
// outer graph's initializers it reads: ONNX Runtime does not set up a
// generation subgraph's own initializers) are declared as inputs while
// building and dropped from the message.
type subgraph struct {
	t     *testing.T
	m     *onnxgraph.Model
	g     *onnxgraph.Graph
	outer int
}

func newSubgraph(t *testing.T) *subgraph {
	m := onnxgraph.NewModel(8, map[string]int64{"": genOpset})
	return &subgraph{t: t, m: m, g: m.Graph()}
}

// dims makes dims of ints (sizes) and strings (symbols).
func dims(ds ...any) []onnxgraph.Dim {
	out := make([]onnxgraph.Dim, len(ds))
	for i, d := range ds {
		switch x := d.(type) {
		case int:
			out[i] = onnxgraph.DimOf(int64(x))
		case string:
			out[i] = onnxgraph.DimParam(x)
		}
	}
	return out
}

func (s *subgraph) input(name string, dt onnxgraph.DataType, ds ...any) *onnxgraph.Value {
	s.t.Helper()
	if s.outer > 0 {
		s.t.Fatal("inputs come before outer-scope values")
	}
	v, err := s.g.AddInput(name, onnxgraph.TensorType(dt, dims(ds...)))
	if err != nil {
		s.t.Fatal(err)
	}
	return v
}

// outerValue is the outer graph's initializer name (see genOuter).
func (s *subgraph) outerValue(name string, dt onnxgraph.DataType, ds ...any) *onnxgraph.Value {
	s.t.Helper()
	v, err := s.g.AddInput(name, onnxgraph.TensorType(dt, dims(ds...)))
	if err != nil {
		s.t.Fatal(err)
	}
	s.outer++
	return v
}

func (s *subgraph) node(op, out string, a []*onnxproto.AttributeProto, ins ...*onnxgraph.Value) *onnxgraph.Value {
	s.t.Helper()
	n, err := s.g.AddNode(op, ins, []string{out}, a...)
	if err != nil {
		s.t.Fatal(err)
	}
	return n.Output(0)
}

// output declares v a float output of dims: ONNX Runtime reads head
// counts and the vocabulary from the subgraphs' declared shapes.
func (s *subgraph) output(v *onnxgraph.Value, ds ...any) {
	s.t.Helper()
	if err := s.g.AddOutput(v, onnxgraph.TensorType(onnxgraph.Float, dims(ds...))); err != nil {
		s.t.Fatal(err)
	}
}

func (s *subgraph) proto() *onnxproto.GraphProto {
	s.t.Helper()
	gp := proto.Clone(s.m.ToProto().GetGraph()).(*onnxproto.GraphProto)
	gp.Input = gp.Input[:len(gp.Input)-s.outer]
	return gp
}

// tokenCache is ids [B, L] (int32) as a float cache [B, 1, L, 2] (one head
// of size 2), or [2, B, 1, L, 2] (GPT-2's stacked key and value).
func (s *subgraph) tokenCache(ids *onnxgraph.Value, name string, stacked bool) *onnxgraph.Value {
	f := s.node("Cast", name+"_f", attrs(ai("to", int64(onnxgraph.Float))), ids)
	if stacked {
		u := s.node("Unsqueeze", name+"_u", attrs(ais("axes", 0, 2, 4)), f) // [1, B, 1, L, 1]
		u = s.node("Concat", name+"_kv", attrs(ai("axis", 0)), u, u)        // [2, B, 1, L, 1]
		return s.node("Concat", name, attrs(ai("axis", 4)), u, u)           // [2, B, 1, L, 2]
	}
	u := s.node("Unsqueeze", name+"_u", attrs(ais("axes", 1, 3)), f) // [B, 1, L, 1]
	return s.node("Concat", name, attrs(ai("axis", 3)), u, u)        // [B, 1, L, 2]
}

// logits are the table's rows for ids.
func (s *subgraph) logits(ids *onnxgraph.Value) *onnxgraph.Value {
	table, ok := s.g.Value("gen_table")
	if !ok {
		table = s.outerValue("gen_table", tF32, genVocab, genVocab)
	}
	return s.node("Gather", "logits", nil, table, ids)
}

// gpt2Decoder: input_ids, position_ids, attention_mask (int32) and one
// past [2, B, 1, P, 2] give logits [B, S, vocab] and present_0, the past
// and the new tokens' cache.
func gpt2Decoder(t *testing.T) *onnxproto.GraphProto {
	s := newSubgraph(t)
	ids := s.input("input_ids", tI32, "batch", "seq")
	s.input("position_ids", tI32, "batch", "seq")
	s.input("attention_mask", tI32, "batch", "total")
	past := s.input("past_0", tF32, 2, "batch", 1, "past", 2)
	s.output(s.logits(ids), "batch", "seq", genVocab)
	s.output(s.node("Concat", "present_0", attrs(ai("axis", 3)), past, s.tokenCache(ids, "kv", true)), 2, "batch", 1, "past+seq", 2)
	return s.proto()
}

// firstCaches outputs the caches an encoder gives one decoder layer: self
// attention's over the decoder's first tokens ids (tokens long), cross
// attention's over the encoder's states (source long), keys and values
// alike.
func (s *subgraph) firstCaches(ids, states *onnxgraph.Value, tokens, source any) {
	self := s.tokenCache(ids, "present_key_self_0", false)
	s.output(self, "batch", 1, tokens, 2)
	s.output(s.node("Identity", "present_value_self_0", nil, self), "batch", 1, tokens, 2)
	cross := s.node("Unsqueeze", "present_key_cross_0", attrs(ais("axes", 1)), states)
	s.output(cross, "batch", 1, source, 2)
	s.output(s.node("Identity", "present_value_cross_0", nil, cross), "batch", 1, source, 2)
}

// t5Encoder: the prompt [B, S] and its mask give the decoder's first
// logits (from decoder_input_ids [B, 1], the start token), the encoder's
// states [B, S, 2] and one layer's caches.
func t5Encoder(t *testing.T) *onnxproto.GraphProto {
	s := newSubgraph(t)
	prompt := s.input("encoder_input_ids", tI32, "batch", "prompt")
	s.input("encoder_attention_mask", tI32, "batch", "prompt")
	ids := s.input("decoder_input_ids", tI32, "batch", 1)
	s.output(s.logits(ids), "batch", 1, genVocab)
	f := s.node("Cast", "prompt_f", attrs(ai("to", int64(onnxgraph.Float))), prompt)
	u := s.node("Unsqueeze", "prompt_u", attrs(ais("axes", 2)), f)
	states := s.node("Concat", "encoder_hidden_states", attrs(ai("axis", 2)), u, u)
	s.output(states, "batch", "prompt", 2)
	s.firstCaches(ids, states, 1, "prompt")
	return s.proto()
}

// t5Decoder: the next token [B, 1], the prompt's mask, the encoder's
// states and the caches give its logits and the grown self caches.
func t5Decoder(t *testing.T) *onnxproto.GraphProto {
	s := newSubgraph(t)
	ids := s.input("input_ids", tI32, "batch", 1)
	s.input("encoder_attention_mask", tI32, "batch", "prompt")
	s.input("encoder_hidden_states", tF32, "batch", "prompt", 2)
	pk := s.input("past_key_self_0", tF32, "batch", 1, "past", 2)
	pv := s.input("past_value_self_0", tF32, "batch", 1, "past", 2)
	s.input("past_key_cross_0", tF32, "batch", 1, "prompt", 2)
	s.input("past_value_cross_0", tF32, "batch", 1, "prompt", 2)
	s.output(s.logits(ids), "batch", 1, genVocab)
	kv := s.tokenCache(ids, "kv", false)
	s.output(s.node("Concat", "present_key_self_0", attrs(ai("axis", 2)), pk, kv), "batch", 1, "past+1", 2)
	s.output(s.node("Concat", "present_value_self_0", attrs(ai("axis", 2)), pv, kv), "batch", 1, "past+1", 2)
	return s.proto()
}

// whisperEncoder: audio features [B, 2, T] and the decoder's first tokens
// [B, L] give the first logits, the encoder's states [B, T, 2] and the
// caches of one layer: self attention over the tokens, cross attention
// over the states.
func whisperEncoder(t *testing.T) *onnxproto.GraphProto {
	s := newSubgraph(t)
	features := s.input("encoder_input_ids", tF32, "batch", 2, "frames")
	ids := s.input("decoder_input_ids", tI32, "batch", "tokens")
	s.output(s.logits(ids), "batch", "tokens", genVocab)
	states := s.node("Transpose", "encoder_hidden_states", attrs(ais("perm", 0, 2, 1)), features)
	s.output(states, "batch", "frames", 2)
	s.firstCaches(ids, states, "tokens", "frames")
	return s.proto()
}

// whisperDecoder: the next token [B, 1], the encoder's states and the
// caches give its logits and the grown self-attention caches.
func whisperDecoder(t *testing.T) *onnxproto.GraphProto {
	s := newSubgraph(t)
	ids := s.input("input_ids", tI32, "batch", 1)
	s.input("encoder_hidden_states", tF32, "batch", "frames", 2)
	pk := s.input("past_key_self_0", tF32, "batch", 1, "past", 2)
	pv := s.input("past_value_self_0", tF32, "batch", 1, "past", 2)
	s.input("past_key_cross_0", tF32, "batch", 1, "frames", 2)
	s.input("past_value_cross_0", tF32, "batch", 1, "frames", 2)
	s.output(s.logits(ids), "batch", 1, genVocab)
	kv := s.tokenCache(ids, "kv", false)
	s.output(s.node("Concat", "present_key_self_0", attrs(ai("axis", 2)), pk, kv), "batch", 1, "past+1", 2)
	s.output(s.node("Concat", "present_value_self_0", attrs(ai("axis", 2)), pv, kv), "batch", 1, "past+1", 2)
	return s.proto()
}

// genOuter is the subgraphs' table, an initializer of the outer graph:
// row t favours token t+1 (never the last token).
var genOuter = []ctIn{
	ctC("gen_table", tF32, func(map[string]int64) any {
		table := make([]float32, genVocab*genVocab)
		for i := range genVocab {
			table[i*genVocab+(i+1)%(genVocab-1)] = 4
		}
		return table
	}, genVocab, genVocab),
}

// genOpset is the models' default opset: 12, whose Unsqueeze takes its
// axes as an attribute, so that the subgraphs read no outer value but the
// table (ONNX Runtime feeds every subgraph all the outer values any of a
// node's subgraphs reads, and then refuses the extra feeds).
const genOpset = 12

// attrGraph is a GRAPH attribute.
func attrGraph(name string, g *onnxproto.GraphProto) *onnxproto.AttributeProto {
	return &onnxproto.AttributeProto{Name: proto.String(name), Type: onnxproto.AttributeProto_GRAPH.Enum(), G: g}
}

// genSizes give the prompt (B, S) and the maximum length (N).
var genSizes = []map[string]int64{{"B": 1, "S": 2, "N": 5}, {"B": 3, "S": 4, "N": 9}}

func generationCases(t *testing.T) []ctCase {
	dec := gpt2Decoder(t)
	ids := ctG("ids", tI32, func(_ map[string]int64, n int) any {
		v := make([]int32, n)
		for i := range v {
			v[i] = int32(i % (genVocab - 1))
		}
		return v
	}, "B", "S")
	maxLen := ctC("max_length", tI32, func(sz map[string]int64) any { return []int32{int32(sz["N"])} }, 1)
	i32c := func(name string, v int32) ctIn { return ctC(name, tI32, ci32(v), 1) }
	common := func(extra ...*onnxproto.AttributeProto) []*onnxproto.AttributeProto {
		return append(attrs(attrGraph("decoder", dec), ai("eos_token_id", genEOS), ai("pad_token_id", 0), ai("model_type", 0)), extra...)
	}
	whisper := func(extra ...*onnxproto.AttributeProto) []*onnxproto.AttributeProto {
		return append(attrs(attrGraph("encoder", whisperEncoder(t)), attrGraph("decoder", whisperDecoder(t)), ai("model_type", 2),
			ai("eos_token_id", genEOS), ai("pad_token_id", 0), ai("decoder_start_token_id", 1), ai("vocab_size", genVocab)), extra...)
	}
	features := ctT("features", tF32, "B", 2, "T")
	whisperSizes := []map[string]int64{{"B": 1, "T": 3, "N": 4}, {"B": 2, "T": 5, "N": 7}}
	return []ctCase{
		{op: "WhisperBeamSearch", attrs: whisper(), in: []ctIn{features, maxLen, i32c("min_length", 1), i32c("beams", 2), i32c("ret", 1), ctC("lp", tF32, cf32(1, 1), 1)},
			outs: 1, sizes: whisperSizes, outer: genOuter, opset: genOpset},
		{name: "WhisperBeamSearch scores", op: "WhisperBeamSearch", attrs: whisper(),
			in:   []ctIn{features, maxLen, i32c("min_length", 1), i32c("beams", 3), i32c("ret", 2), ctC("lp", tF32, cf32(1, 1), 1), ctC("rp", tF32, cf32(1, 1), 1)},
			outs: 3, sizes: whisperSizes, outer: genOuter, opset: genOpset},
		{name: "WhisperBeamSearch decoder prompt", op: "WhisperBeamSearch", attrs: whisper(),
			in: []ctIn{features, maxLen, i32c("min_length", 1), i32c("beams", 2), i32c("ret", 2), ctC("lp", tF32, cf32(1, 1), 1), ctC("rp", tF32, cf32(1, 1), 1),
				ctMissing, ctMissing, ctMissing, ctC("dec", tI32, func(sz map[string]int64) any { return fill(int(sz["B"]*2), int32(1)) }, "B", 2)},
			outs: 3, sizes: whisperSizes, outer: genOuter, opset: genOpset},
		{name: "BeamSearch T5 scores", op: "BeamSearch", attrs: attrs(attrGraph("encoder", t5Encoder(t)), attrGraph("decoder", t5Decoder(t)), ai("model_type", 1),
			ai("eos_token_id", genEOS), ai("pad_token_id", 0), ai("decoder_start_token_id", 1), ai("vocab_size", genVocab)),
			in:   []ctIn{ids, maxLen, i32c("min_length", 1), i32c("beams", 2), i32c("ret", 2), ctC("lp", tF32, cf32(1, 1), 1), ctC("rp", tF32, cf32(1, 1), 1)},
			outs: 3, sizes: genSizes, outer: genOuter, opset: genOpset},
		{op: "GreedySearch", attrs: common(), in: []ctIn{ids, maxLen}, outs: 1, sizes: genSizes, outer: genOuter, opset: genOpset},
		{name: "GreedySearch vocab min length penalty", op: "GreedySearch", attrs: common(ai("vocab_size", genVocab), ai("no_repeat_ngram_size", 0)),
			in: []ctIn{ids, maxLen, i32c("min_length", 1), ctC("rp", tF32, cf32(1, 1.2), 1)}, outs: 1, sizes: genSizes, outer: genOuter, opset: genOpset},
		{op: "Sampling", attrs: common(af("top_p", 0.9), af("temperature", 0.8)), in: []ctIn{ids, maxLen}, outs: 1, sizes: genSizes, outer: genOuter, opset: genOpset},
		// filtered_logits (output 1) is a debugging output ONNX Runtime's
		// CPU kernel never writes.
		{name: "Sampling seed custom", op: "Sampling", attrs: common(ai("vocab_size", genVocab), af("top_p", 0.5), ai("custom", 1)),
			in: []ctIn{ids, maxLen, ctMissing, ctMissing, ctMissing, ctMissing, ctMissing, ctMissing, i32c("seed", 3)}, outs: 1, sizes: genSizes, outer: genOuter, opset: genOpset},
		{op: "BeamSearch", attrs: common(), in: []ctIn{ids, maxLen, i32c("min_length", 1), i32c("beams", 3), i32c("ret", 2), ctC("lp", tF32, cf32(1, 1), 1)}, outs: 1, sizes: genSizes, outer: genOuter, opset: genOpset},
		{name: "BeamSearch scores", op: "BeamSearch", attrs: common(ai("vocab_size", genVocab), ai("early_stopping", 1)),
			in: []ctIn{ids, maxLen, i32c("min_length", 2), i32c("beams", 2), i32c("ret", 1), ctC("lp", tF32, cf32(1, 1.5), 1), ctC("rp", tF32, cf32(1, 1.1), 1)}, outs: 3, sizes: genSizes, outer: genOuter, opset: genOpset},
	}
}
