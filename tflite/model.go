package tflite

import (
	"context"
	"fmt"
	"io"
	"math"
)

// tfModel is the TensorFlow Lite model being built: one subgraph, its
// tensors, operators and constant buffers.
type tfModel struct {
	tensors []*tfTensor
	ops     []*tfOp
	buffers [][]byte // buffers[0] is the empty sentinel
	inputs  []int32
	outputs []int32
	inNames []string // signature names of inputs and outputs
	outName []string
}

type tfTensor struct {
	name  string
	typ   tensorType
	shape []int32
	buf   int // index into buffers; 0 for activations
}

type tfOp struct {
	op   builtin
	in   []int32 // -1 for an absent optional input
	out  []int32
	opts []optField
}

// optField is one field of an operator's options table.
type optField struct {
	slot int
	kind uint8 // fU8, fI32, fF32, fInts
	i    int64
	f    float32
	ints []int32
}

const (
	fU8 uint8 = iota
	fI32
	fF32
	fInts
)

func oU8(slot int, v int64) optField     { return optField{slot: slot, kind: fU8, i: v} }
func oI32(slot int, v int64) optField    { return optField{slot: slot, kind: fI32, i: v} }
func oF32(slot int, v float32) optField  { return optField{slot: slot, kind: fF32, f: v} }
func oInts(slot int, v []int32) optField { return optField{slot: slot, kind: fInts, ints: v} }
func oBool(slot int, v bool) optField {
	if v {
		return oU8(slot, 1)
	}
	return oU8(slot, 0)
}

func newTFModel() *tfModel { return &tfModel{buffers: [][]byte{nil}} }

// addTensor adds a tensor and returns its index.
func (m *tfModel) addTensor(name string, typ tensorType, shape []int64, data []byte) int32 {
	t := &tfTensor{name: name, typ: typ, shape: shape32(shape)}
	if data != nil {
		m.buffers = append(m.buffers, data)
		t.buf = len(m.buffers) - 1
	}
	m.tensors = append(m.tensors, t)
	return int32(len(m.tensors) - 1)
}

func (m *tfModel) addOp(op builtin, in, out []int32, opts ...optField) {
	m.ops = append(m.ops, &tfOp{op: op, in: in, out: out, opts: opts})
}

func shape32(s []int64) []int32 {
	out := make([]int32, len(s))
	for i, d := range s {
		out[i] = int32(d)
	}
	return out
}

// maxFlatbuffer is the size limit of a FlatBuffer (signed 32-bit offsets).
const maxFlatbuffer = math.MaxInt32

// tfFile is an encoded .tflite in pieces: the FlatBuffer's own bytes
// with the constant buffers' data between them, never copied into it.
type tfFile struct{ pieces [][]byte }

func (f *tfFile) size() int64 {
	var n int64
	for _, p := range f.pieces {
		n += int64(len(p))
	}
	return n
}

// bytes returns the whole file in one slice.
func (f *tfFile) bytes() []byte {
	out := make([]byte, 0, f.size())
	for _, p := range f.pieces {
		out = append(out, p...)
	}
	return out
}

// writeTo writes the file to w, stopping between pieces when ctx ends.
func (f *tfFile) writeTo(ctx context.Context, w io.Writer) error {
	for _, p := range f.pieces {
		if err := ctx.Err(); err != nil {
			return err
		}
		if _, err := w.Write(p); err != nil {
			return err
		}
	}
	return nil
}

// encode serializes the model as a .tflite FlatBuffer.
func (m *tfModel) encode(description string) (*tfFile, error) {
	size := 4096 + 256*len(m.tensors) + 128*len(m.ops) + 48*len(m.buffers)
	total := int64(size)
	for _, d := range m.buffers {
		total += int64(len(d)) + 32
	}
	if total > maxFlatbuffer {
		return nil, fmt.Errorf("%w: %d bytes of weights and graph exceed the 2 GiB FlatBuffer limit", ErrTooLarge, total)
	}
	b := newBuilder(size)

	// Buffers first: they end up at the end of the file, their data kept
	// out of the builder (tfFile writes it from the buffers).
	bufs := make([]int, len(m.buffers))
	for i := len(m.buffers) - 1; i >= 0; i-- {
		d := m.buffers[i]
		data := 0
		if len(d) > 0 {
			data = b.externVector(d, 16)
		}
		b.startTable(bufFields)
		if data != 0 {
			b.fieldOffset(bufData, data)
		}
		bufs[i] = b.endTable()
	}
	buffers := b.offsetVector(bufs)

	// Operator codes, in order of first use.
	codeIndex := map[int32]int{}
	var codes []builtin
	for _, op := range m.ops {
		if _, ok := codeIndex[op.op.code]; !ok {
			codeIndex[op.op.code] = len(codes)
			codes = append(codes, op.op)
		}
	}
	codeOffs := make([]int, len(codes))
	for i, c := range codes {
		b.startTable(codeFields)
		b.fieldI32(codeBuiltin, c.code)
		b.fieldI32(codeVersion, 1)
		b.fieldU8(codeDeprecated, uint8(min(c.code, 127)))
		codeOffs[i] = b.endTable()
	}
	opCodes := b.offsetVector(codeOffs)

	tensorOffs := make([]int, len(m.tensors))
	for i, t := range m.tensors {
		name := b.str(t.name)
		shape := b.int32Vector(t.shape)
		// Fields at the schema's default (buffer 0, FLOAT32) are left
		// out, as FlatBuffers writers do; has_rank tells a scalar from a
		// tensor of unknown rank, which a non-empty shape already does.
		b.startTable(tFields)
		b.fieldOffset(tShape, shape)
		b.fieldOffset(tName, name)
		if t.buf != 0 {
			b.fieldI32(tBuffer, int32(t.buf))
		}
		if t.typ != ttFloat32 {
			b.fieldU8(tType, uint8(t.typ))
		}
		if len(t.shape) == 0 {
			b.fieldBool(tHasRank, true)
		}
		tensorOffs[i] = b.endTable()
	}
	tensors := b.offsetVector(tensorOffs)

	opOffs := make([]int, len(m.ops))
	for i, op := range m.ops {
		opts := writeOptions(b, op.opts)
		ins := b.int32Vector(op.in)
		outs := b.int32Vector(op.out)
		b.startTable(opcFields)
		b.fieldOffset(opcInputs, ins)
		b.fieldOffset(opcOutputs, outs)
		if op.op.opt != optNone {
			b.fieldOffset(opcOptions, opts)
		}
		if k := codeIndex[op.op.code]; k != 0 {
			b.fieldI32(opcOpcode, int32(k))
		}
		if op.op.opt != optNone {
			b.fieldU8(opcOptionsType, op.op.opt)
		}
		opOffs[i] = b.endTable()
	}
	ops := b.offsetVector(opOffs)

	sgNameOff := b.str("main")
	sgIn := b.int32Vector(m.inputs)
	sgOut := b.int32Vector(m.outputs)
	b.startTable(sgFields)
	b.fieldOffset(sgTensors, tensors)
	b.fieldOffset(sgInputs, sgIn)
	b.fieldOffset(sgOutputs, sgOut)
	b.fieldOffset(sgOperators, ops)
	b.fieldOffset(sgName, sgNameOff)
	subgraphs := b.offsetVector([]int{b.endTable()})

	tensorMaps := func(names []string, idx []int32) int {
		offs := make([]int, len(idx))
		for i := range idx {
			n := b.str(names[i])
			b.startTable(tmFields)
			b.fieldOffset(tmName, n)
			b.fieldI32(tmIndex, idx[i])
			offs[i] = b.endTable()
		}
		return b.offsetVector(offs)
	}
	sigIn := tensorMaps(m.inNames, m.inputs)
	sigOut := tensorMaps(m.outName, m.outputs)
	key := b.str("serving_default")
	b.startTable(sigFields)
	b.fieldOffset(sigInputs, sigIn)
	b.fieldOffset(sigOutputs, sigOut)
	b.fieldOffset(sigKey, key)
	b.fieldI32(sigSubgraph, 0)
	sigs := b.offsetVector([]int{b.endTable()})

	desc := b.str(description)
	b.startTable(modelFields)
	b.fieldI32(modelVersion, schemaVersion)
	b.fieldOffset(modelOpCodes, opCodes)
	b.fieldOffset(modelSubgraphs, subgraphs)
	b.fieldOffset(modelDescription, desc)
	b.fieldOffset(modelBuffers, buffers)
	b.fieldOffset(modelSignatures, sigs)
	root := b.endTable()
	b.finish(root, fileIdentifier)
	f := &tfFile{pieces: b.pieces()}
	if n := f.size(); n > maxFlatbuffer {
		return nil, fmt.Errorf("%w: %d bytes exceed the 2 GiB FlatBuffer limit", ErrTooLarge, n)
	}
	return f, nil
}

// writeOptions writes an options table, or returns an identical one
// written before (the convolutions of a network share a few); an operator
// with an options kind always gets one, empty or not.
func writeOptions(b *fbBuilder, fields []optField) int {
	key := fmt.Sprint(fields)
	if at, ok := b.shared[key]; ok {
		return at
	}
	at := writeOptionsTable(b, fields)
	b.shared[key] = at
	return at
}

func writeOptionsTable(b *fbBuilder, fields []optField) int {
	n := 0
	vecs := make([]int, len(fields))
	for i, f := range fields {
		n = max(n, f.slot+1)
		if f.kind == fInts {
			vecs[i] = b.int32Vector(f.ints)
		}
	}
	b.startTable(n)
	for i, f := range fields {
		switch f.kind {
		case fU8:
			b.fieldU8(f.slot, uint8(f.i))
		case fI32:
			b.fieldI32(f.slot, int32(f.i))
		case fF32:
			b.fieldF32(f.slot, f.f)
		case fInts:
			b.fieldOffset(f.slot, vecs[i])
		}
	}
	return b.endTable()
}
