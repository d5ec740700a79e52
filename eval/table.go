package eval

import (
	"fmt"

	"github.com/onnxgraph/onnxgraph/opschema"
)

// kernel computes the outputs of a node from its input tensors; a missing
// optional input is nil. It returns one tensor per output the node has (a
// kernel may leave a trailing optional output nil when the node does not
// ask for it).
type kernel func(c *ctx, in []*tensor) ([]*tensor, error)

// valueKernel is a kernel over values of any kind: *tensor, *sequence or
// *optional (sequence and optional operators, control flow).
type valueKernel func(c *ctx, in []any) ([]any, error)

// key identifies an operator version: canonical domain, op type and the
// opset version it appeared in.
type key struct {
	domain string
	op     string
	since  int
}

// entry is one operator version's kernel and what it declares: the
// element types of the node's first input it supports (nil when the first
// input is absent, optional of any type, or not a tensor), and the
// attributes it reads, which must be exactly those of the schema.
type entry struct {
	fn    kernel
	vfn   valueKernel
	types []DataType
	attrs []string
}

// k makes a table entry for a tensor kernel.
func k(fn kernel, types []DataType, attrs ...string) entry {
	return entry{fn: fn, types: types, attrs: attrs}
}

// kv makes a table entry for a value kernel.
func kv(fn valueKernel, types []DataType, attrs ...string) entry {
	return entry{vfn: fn, types: types, attrs: attrs}
}

const (
	onnx = opschema.DomainONNX
)

// table is every kernel, keyed by operator version. Each family file holds
// its part as an explicit literal; TestTable checks it against package
// opschema.
var table = merge(
	elementwiseTable, logicTable, castTable, shapeTable, gatherTable, reduceTable, nnTable, linalgTable,
	convTable, poolTable, normTable, quantTable, controlflowTable, sequenceTable, lossTable, resizeTable, detectionTable, stringsTable, rnnTable, signalTable, trainingTable, attentionTable, miscTable,
)

func merge(parts ...map[key]entry) map[key]entry {
	out := map[key]entry{}
	for _, p := range parts {
		for k, e := range p {
			if _, dup := out[k]; dup {
				panic(fmt.Sprintf("eval: %v listed twice", k))
			}
			out[k] = e
		}
	}
	return out
}

// Element type sets kernels declare.
var (
	tFloats        = []DataType{dtFloat, dtDouble, dtFloat16, dtBFloat16}
	tSigned        = []DataType{dtInt8, dtInt16, dtInt32, dtInt64}
	tUnsigned      = []DataType{dtUint8, dtUint16, dtUint32, dtUint64}
	tInts          = cat(tSigned, tUnsigned)
	tNumeric       = cat(tFloats, tInts)
	tSignedNumeric = cat(tFloats, tSigned)
	tBool          = []DataType{dtBool}
	tAll           = cat(tNumeric, tBool, []DataType{dtString, dtComplex64, dtComplex128})
	tFloat8        = []DataType{dtE4M3FN, dtE4M3FNUZ, dtE5M2, dtE5M2FNUZ}
	tInt4s         = []DataType{dtInt4, dtUint4}
	tInt64         = []DataType{dtInt64}
)

func cat(sets ...[]DataType) []DataType {
	var out []DataType
	for _, s := range sets {
		out = append(out, s...)
	}
	return out
}

// supports reports whether e declares dt.
func (e entry) supports(dt DataType) bool {
	for _, t := range e.types {
		if t == dt {
			return true
		}
	}
	return false
}

// lookup returns the schema in force for a node at opset and its entry.
func lookup(domain, op string, opset int) (*opschema.Schema, entry, bool) {
	s, ok := opschema.Lookup(domain, op, opset)
	if !ok {
		return nil, entry{}, false
	}
	e, ok := table[key{s.Domain, s.Name, s.SinceVersion}]
	return s, e, ok
}
