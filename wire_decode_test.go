package onnxgraph_test

import (
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/internal/suitetest"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/samples"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// The fast decoder (wire_decode.go) against the general path: every model
// of the backend suite and of the repository, those models and generated
// ones with their wire bytes mutated (unknown fields, packed and unpacked
// lists, fields given twice, wrong wire types), and a fuzz target.

// fdCorpus returns the model files the fast decoder is checked on: the
// backend suite's (node, pytorch-*, simple, real) and every .onnx file in
// a testdata folder of the repository. Under CI a missing suite fails.
func fdCorpus(t testing.TB) []string {
	t.Helper()
	paths := suitetest.Models(t, "node", "pytorch-converted", "pytorch-operator", "real", "simple")
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".onnx") && slices.Contains(strings.Split(filepath.ToSlash(p), "/"), "testdata") {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return paths
}

// fdSamples returns the serialized sample models.
func fdSamples(t testing.TB) [][]byte {
	t.Helper()
	var out [][]byte
	for _, m := range []*onnxgraph.Model{samples.MNIST()} {
		b, err := m.Bytes(nil)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// TestFastDecodeCorpus decodes every corpus model both ways. Each must
// take the fast path (none of them is unusual) and agree with the general
// one.
func TestFastDecodeCorpus(t *testing.T) {
	paths := fdCorpus(t)
	inputs := map[string][]byte{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		inputs[p] = b
	}
	for i, b := range fdSamples(t) {
		inputs["sample"+string(rune('0'+i))] = b
	}
	repo := 0
	for name, b := range inputs {
		if !strings.HasPrefix(name, suitetest.Dir) {
			repo++
		}
		fast, err := onnxgraph.FastDecodeDiff(b)
		if err != nil {
			t.Errorf("%s: %v", name, err)
		} else if !fast {
			t.Errorf("%s: left to the general path", name)
		}
	}
	if repo < 4 {
		t.Errorf("only %d repository models found", repo)
	}
	t.Logf("%d models (%d from the repository) decode the same both ways", len(inputs), repo)
}

// TestFastDecodeMutations decodes both ways the corpus models and
// generated ones, their wire bytes mutated. Enough of them must take the
// fast path for the comparison to mean something.
func TestFastDecodeMutations(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var bases [][]byte
	for _, p := range fdCorpus(t) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		bases = append(bases, b)
	}
	bases = append(bases, fdSamples(t)...)
	n := 3000
	if testing.Short() {
		n = 300
	}
	for range n {
		bases = append(bases, fdGenerate(r))
	}
	fast := 0
	for i, b := range bases {
		rate := []float64{0, 0.01, 0.05, 0.2}[i%4]
		m := fdMutate(r, fdModelDesc, b, rate)
		ok, err := onnxgraph.FastDecodeDiff(m)
		if err != nil {
			t.Fatalf("input %d (rate %v): %v\ninput %x", i, rate, err, m)
		}
		if ok {
			fast++
		}
	}
	t.Logf("%d of %d mutated models took the fast path", fast, len(bases))
	if fast < len(bases)/3 {
		t.Errorf("only %d of %d mutated models took the fast path", fast, len(bases))
	}
}

// FuzzFastDecode decodes arbitrary bytes both ways: the fast decoder
// either leaves them to the general path or gives what it gives. What
// decodes also goes through the save encoder (see weCheck).
//
//	go test -run '^$' -fuzz FuzzFastDecode
func FuzzFastDecode(f *testing.F) {
	for _, b := range fdSamples(f) {
		f.Add(b)
	}
	for _, b := range fzSuiteSeeds() {
		f.Add(b)
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 20 {
		f.Add(fdMutate(r, fdModelDesc, fdGenerate(r), 0.05))
	}
	large := make([]byte, 300)
	f.Add(ldGraphWith(ldBytes(ldGraphInit, ldMsg(ldTensor("w", large), ldBytes(ldTensorRaw, []byte{2})))))
	f.Add(ldNested(30))
	f.Add(ldNestedType(30))
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := onnxgraph.FastDecodeDiff(b); err != nil {
			t.Fatal(err)
		}
		weCheck(t, "input", b)
	})
}

// FuzzFastDecodeGen decodes both ways models generated from a seed and
// mutated at a rate (per 256).
func FuzzFastDecodeGen(f *testing.F) {
	for i := range uint64(8) {
		f.Add(i, uint8(i*8))
	}
	f.Fuzz(func(t *testing.T, seed uint64, rate uint8) {
		r := rand.New(rand.NewPCG(seed, 5))
		b := fdMutate(r, fdModelDesc, fdGenerate(r), float64(rate)/256)
		if _, err := onnxgraph.FastDecodeDiff(b); err != nil {
			t.Fatalf("%v\ninput %x", err, b)
		}
		weCheck(t, "input", b)
	})
}

var fdModelDesc = (&onnxproto.ModelProto{}).ProtoReflect().Descriptor()

// fdGenerate returns a random ModelProto, serialized.
func fdGenerate(r *rand.Rand) []byte {
	m := fdMessage(r, fdModelDesc, 5)
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m.Interface())
	if err != nil {
		panic(err)
	}
	return b
}

// fdMessage fills a message of type md with random values in a random
// subset of its fields, messages nested depth deep at most.
func fdMessage(r *rand.Rand, md protoreflect.MessageDescriptor, depth int) protoreflect.Message {
	mt, err := protoregistry.GlobalTypes.FindMessageByName(md.FullName())
	if err != nil {
		panic(err)
	}
	m := mt.New()
	fds := md.Fields()
	for i := range fds.Len() {
		fd := fds.Get(i)
		if r.IntN(3) != 0 || (fd.Message() != nil && depth == 0) {
			continue
		}
		if fd.IsList() {
			l := m.Mutable(fd).List()
			for range r.IntN(4) {
				if fd.Message() != nil {
					l.Append(protoreflect.ValueOfMessage(fdMessage(r, fd.Message(), depth-1)))
				} else {
					l.Append(fdScalar(r, fd))
				}
			}
			continue
		}
		if fd.Message() != nil {
			m.Set(fd, protoreflect.ValueOfMessage(fdMessage(r, fd.Message(), depth-1)))
		} else {
			m.Set(fd, fdScalar(r, fd))
		}
	}
	return m
}

// fdScalar returns a random value for the scalar field fd: edge values
// included, enum numbers the enum does not define, invalid UTF-8 in
// strings, byte fields long enough to be kept as views.
func fdScalar(r *rand.Rand, fd protoreflect.FieldDescriptor) protoreflect.Value {
	ints := []int64{0, 1, -1, 127, 128, 1 << 31, -1 << 31, math.MaxInt64, math.MinInt64, r.Int64()}
	i := ints[r.IntN(len(ints))]
	switch fd.Kind() {
	case protoreflect.Int64Kind:
		return protoreflect.ValueOfInt64(i)
	case protoreflect.Int32Kind:
		return protoreflect.ValueOfInt32(int32(i))
	case protoreflect.Uint64Kind:
		return protoreflect.ValueOfUint64(uint64(i))
	case protoreflect.EnumKind:
		return protoreflect.ValueOfEnum(protoreflect.EnumNumber([]int32{0, 1, 2, 5, 99, -3}[r.IntN(6)]))
	case protoreflect.FloatKind:
		return protoreflect.ValueOfFloat32(math.Float32frombits(r.Uint32()))
	case protoreflect.DoubleKind:
		return protoreflect.ValueOfFloat64(math.Float64frombits(r.Uint64()))
	case protoreflect.StringKind:
		return protoreflect.ValueOfString(string(fdBytes(r)))
	case protoreflect.BytesKind:
		return protoreflect.ValueOfBytes(fdBytes(r))
	}
	panic("onnx.proto has a field of kind " + fd.Kind().String())
}

func fdBytes(r *rand.Rand) []byte {
	n := []int{0, 1, 5, 255, 256, 700}[r.IntN(6)]
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	return b
}

// fdMutate rewrites message b of type md (nil: unknown) field by field,
// at rate: unknown fields added (in tensors, the save marker's number too),
// packed lists unpacked and single values packed, scalars given twice
// (the last counts), messages given twice (protobuf merges them), known
// fields given with another wire type, tags encoded with extra bytes.
func fdMutate(r *rand.Rand, md protoreflect.MessageDescriptor, b []byte, rate float64) []byte {
	hit := func(scale float64) bool { return r.Float64() < rate*scale }
	var out []byte
	unknown := func() {
		num := protowire.Number(100 + r.IntN(50))
		if r.IntN(4) == 0 {
			num = protowire.MaxValidNumber // the save marker's number
		}
		switch r.IntN(4) {
		case 0:
			out = protowire.AppendTag(out, num, protowire.VarintType)
			out = protowire.AppendVarint(out, r.Uint64()>>r.IntN(64))
		case 1:
			out = protowire.AppendTag(out, num, protowire.Fixed32Type)
			out = protowire.AppendFixed32(out, r.Uint32())
		case 2:
			out = protowire.AppendTag(out, num, protowire.Fixed64Type)
			out = protowire.AppendFixed64(out, r.Uint64())
		default:
			out = protowire.AppendTag(out, num, protowire.BytesType)
			out = protowire.AppendBytes(out, fdBytes(r))
		}
	}
	for pos := 0; pos < len(b); {
		num, typ, n := protowire.ConsumeTag(b[pos:])
		if n < 0 {
			return append(out, b[pos:]...)
		}
		m := protowire.ConsumeFieldValue(num, typ, b[pos+n:])
		if m < 0 {
			return append(out, b[pos:]...)
		}
		field, val := b[pos:pos+n+m], b[pos+n:pos+n+m]
		pos += n + m
		if hit(1) {
			unknown()
		}
		var fd protoreflect.FieldDescriptor
		if md != nil {
			fd = md.Fields().ByNumber(num)
		}
		if fd == nil {
			if hit(0.5) {
				// The same tag, one byte longer: protobuf keeps unknown
				// fields with their tags in the shortest form.
				out = append(out, field[:n-1]...)
				out = append(out, field[n-1]|0x80, 0)
				out = append(out, val...)
			} else {
				out = append(out, field...)
			}
			continue
		}
		if hit(0.1) {
			// The field's number with a wire type it does not have.
			wrong := protowire.VarintType
			if typ == protowire.VarintType {
				wrong = protowire.Fixed64Type
			}
			out = protowire.AppendTag(out, num, wrong)
			if wrong == protowire.VarintType {
				out = protowire.AppendVarint(out, 5)
			} else {
				out = protowire.AppendFixed64(out, 5)
			}
		}
		tag := protowire.AppendTag(nil, num, typ)
		if hit(0.2) {
			tag = append(tag[:len(tag)-1], tag[len(tag)-1]|0x80, 0) // the same tag, one byte longer
		}
		switch {
		case fd.Message() != nil && typ == protowire.BytesType:
			v, _ := protowire.ConsumeBytes(val)
			sub := fdMutate(r, fd.Message(), v, rate)
			times := 1
			if hit(0.2) {
				times = 2
			}
			for range times {
				out = append(out, tag...)
				out = protowire.AppendBytes(out, sub)
			}
		case fd.IsList() && typ == protowire.BytesType && fd.Kind() != protoreflect.StringKind && fd.Kind() != protoreflect.BytesKind && hit(3):
			// Packed: unpacked, one field per value.
			v, _ := protowire.ConsumeBytes(val)
			et := onnxgraph.KindWireType(fd.Kind())
			for len(v) > 0 {
				k := protowire.ConsumeFieldValue(num, et, v)
				if k < 0 {
					break
				}
				out = protowire.AppendTag(out, num, et)
				out = append(out, v[:k]...)
				v = v[k:]
			}
		case fd.IsList() && typ != protowire.BytesType && hit(3):
			// One value packed, after an empty packed field.
			out = protowire.AppendTag(out, num, protowire.BytesType)
			out = protowire.AppendVarint(out, 0)
			out = protowire.AppendTag(out, num, protowire.BytesType)
			out = protowire.AppendBytes(out, val)
		case !fd.IsList() && hit(2):
			// Given twice: first another value, then the field's own.
			out = append(out, tag...)
			out = append(out, fdValueBytes(r, typ)...)
			out = append(out, tag...)
			out = append(out, val...)
		default:
			out = append(out, tag...)
			out = append(out, val...)
		}
	}
	if hit(1) {
		unknown()
	}
	return out
}

// fdValueBytes returns a random value of wire type typ, encoded.
func fdValueBytes(r *rand.Rand, typ protowire.Type) []byte {
	switch typ {
	case protowire.VarintType:
		return protowire.AppendVarint(nil, r.Uint64()>>r.IntN(64))
	case protowire.Fixed32Type:
		return protowire.AppendFixed32(nil, r.Uint32())
	case protowire.Fixed64Type:
		return protowire.AppendFixed64(nil, r.Uint64())
	}
	return protowire.AppendBytes(nil, fdBytes(r))
}
