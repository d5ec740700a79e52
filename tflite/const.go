package tflite

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/onnxgraph/onnxgraph"
)

// cval is a constant known at export time: an initializer, a Constant
// node's value, or the output of a converter that moves constant data
// (a reshape or transpose of a constant, ConstantOfShape). Computing
// constants is the simplifier's work (Options.NoSimplify).
type cval struct {
	dt    onnxgraph.DataType
	shape []int64
	f     []float32 // floating types
	i     []int64   // integer and bool types
}

func (cv *cval) isFloat() bool { return cv.f != nil || isFloatType(cv.dt) }

func isFloatType(dt onnxgraph.DataType) bool {
	return dt == onnxgraph.Float || dt == onnxgraph.Float16 || dt == onnxgraph.BFloat16 || dt == onnxgraph.Double
}

// numel is the number of elements.
func (cv *cval) numel() int {
	if cv.isFloat() {
		return len(cv.f)
	}
	return len(cv.i)
}

// float64s returns the elements as float64.
func (cv *cval) float64s() []float64 {
	out := make([]float64, cv.numel())
	for k := range out {
		if cv.isFloat() {
			out[k] = float64(cv.f[k])
		} else {
			out[k] = float64(cv.i[k])
		}
	}
	return out
}

// ints returns the elements as int64 (floats truncated).
func (cv *cval) ints() []int64 {
	if !cv.isFloat() {
		return cv.i
	}
	out := make([]int64, len(cv.f))
	for k, x := range cv.f {
		out[k] = int64(x)
	}
	return out
}

func tensorCval(t *onnxgraph.Tensor) (*cval, error) {
	cv := &cval{dt: t.DataType(), shape: append([]int64{}, t.Dims()...)}
	var err error
	switch t.DataType() {
	case onnxgraph.Float, onnxgraph.Float16, onnxgraph.BFloat16:
		cv.f, err = t.Float32s()
	case onnxgraph.Double:
		var d []float64
		d, err = t.Float64s()
		cv.f = make([]float32, len(d))
		for k, x := range d {
			cv.f[k] = float32(x)
		}
	case onnxgraph.Int64, onnxgraph.Int32, onnxgraph.Int16, onnxgraph.Int8, onnxgraph.Uint8, onnxgraph.Bool, onnxgraph.Uint16, onnxgraph.Uint32:
		cv.i, err = t.Int64s()
		if cv.i == nil && err == nil {
			cv.i = []int64{}
		}
	default:
		return nil, refuse("constant %q has element type %s, which the exporter does not support", t.Name(), onnxgraph.DataTypeName(t.DataType()))
	}
	if err != nil {
		return nil, fmt.Errorf("tflite: constant %q: %w", t.Name(), err)
	}
	if cv.isFloat() && cv.f == nil {
		cv.f = []float32{}
	}
	return cv, nil
}

// konst returns v's constant value, or nil when v is computed at run time.
func (c *converter) konst(v *onnxgraph.Value) *cval {
	if v == nil {
		return nil
	}
	if cv := c.consts[v]; cv != nil {
		return cv
	}
	if t := v.Initializer(); t != nil && c.vals[v] == nil {
		cv, err := tensorCval(t)
		if err != nil {
			return nil
		}
		c.consts[v] = cv
		return cv
	}
	return nil
}

// loadConsts decodes the initializers n reads, so that a broken one is an
// error here rather than a missing constant later.
func (c *converter) loadConsts(n *onnxgraph.Node) error {
	for _, v := range n.Inputs() {
		if v == nil || c.consts[v] != nil || v.Initializer() == nil || c.vals[v] != nil {
			continue
		}
		cv, err := tensorCval(v.Initializer())
		if err != nil {
			return err
		}
		c.consts[v] = cv
	}
	return nil
}

// constantNode records a Constant node's value.
func (c *converter) constantNode(n *onnxgraph.Node) error {
	out := n.Output(0)
	if out == nil {
		return nil
	}
	if len(n.Attrs()) != 1 {
		return refuse("Constant needs exactly one value attribute, has %d", len(n.Attrs()))
	}
	{
		a := n.Attrs()[0]
		var cv *cval
		switch a.GetName() {
		case "value":
			t := c.m.TensorOf(a.GetT())
			var err error
			if cv, err = tensorCval(t); err != nil {
				return err
			}
		case "value_float":
			cv = &cval{dt: onnxgraph.Float, shape: []int64{}, f: []float32{a.GetF()}}
		case "value_floats":
			cv = &cval{dt: onnxgraph.Float, shape: []int64{int64(len(a.GetFloats()))}, f: append([]float32{}, a.GetFloats()...)}
		case "value_int":
			cv = &cval{dt: onnxgraph.Int64, shape: []int64{}, i: []int64{a.GetI()}}
		case "value_ints":
			cv = &cval{dt: onnxgraph.Int64, shape: []int64{int64(len(a.GetInts()))}, i: append([]int64{}, a.GetInts()...)}
		default:
			return refuse("Constant attribute %q is not supported", a.GetName())
		}
		c.consts[out] = cv
		return nil
	}
}

// constTensor materializes a constant in layout p (nil: as it is).
func (c *converter) constTensor(name string, cv *cval, p []int) int32 {
	if p == nil {
		p = identity(len(cv.shape))
	}
	if len(p) != len(cv.shape) {
		cv = reshaped(cv, expandShape(cv.shape, len(p)))
	}
	key := fmt.Sprintf("%p|%s", cv, permKey(p))
	if idx, ok := c.constIdx[key]; ok {
		return idx
	}
	ts := permute(cv.shape, p)
	var idx int32
	if cv.isFloat() {
		idx = c.floatConstIn(name, cv.shape, cv.f, p)
	} else {
		tt, _ := c.mapType(cv.dt, name)
		idx = c.intConst(name, tt, ts, transposeData(cv.i, cv.shape, p))
	}
	c.constIdx[key] = idx
	return idx
}

// reshaped is cv with another shape of the same size.
func reshaped(cv *cval, s []int64) *cval {
	return &cval{dt: cv.dt, shape: s, f: cv.f, i: cv.i}
}

// expandShape prepends 1s to s up to rank r.
func expandShape(s []int64, r int) []int64 {
	out := make([]int64, 0, r)
	for k := len(s); k < r; k++ {
		out = append(out, 1)
	}
	return append(out, s...)
}

// floatConst adds a float32 constant; with Options.FP16 a large one is
// stored as float16 and read through DEQUANTIZE.
func (c *converter) floatConst(name string, shape []int64, data []float32) int32 {
	return c.floatConstIn(name, shape, data, nil)
}

// floatConstIn adds data, of ONNX shape s, as a float32 constant in layout
// p (nil: as it is): the elements are permuted as they are encoded, with
// no permuted copy in between (weights are most of a model's bytes).
func (c *converter) floatConstIn(name string, s []int64, data []float32, p []int) int32 {
	shape := s
	if p != nil {
		shape = permute(s, p)
	}
	w := newPermWalk(s, p)
	if (c.opts.FP16 || c.halfWeights) && len(data) >= FP16MinElements {
		raw := make([]byte, 2*len(data))
		for k := range data {
			binary.LittleEndian.PutUint16(raw[2*k:], onnxgraph.Float32ToFloat16(data[w.next()]))
		}
		h := c.out.addTensor(name+"/fp16", ttFloat16, shape, raw)
		out := c.newTensor(name, ttFloat32, shape)
		c.emit(opDequantize, []int32{h}, []int32{out})
		return out
	}
	raw := make([]byte, 4*len(data))
	for k := range data {
		binary.LittleEndian.PutUint32(raw[4*k:], math.Float32bits(data[w.next()]))
	}
	return c.out.addTensor(name, ttFloat32, shape, nonNil(raw))
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// intConst adds an integer or bool constant of type tt.
func (c *converter) intConst(name string, tt tensorType, shape []int64, data []int64) int32 {
	raw := make([]byte, tt.size()*len(data))
	for k, x := range data {
		switch tt.size() {
		case 1:
			raw[k] = byte(x)
		case 2:
			binary.LittleEndian.PutUint16(raw[2*k:], uint16(x))
		case 4:
			binary.LittleEndian.PutUint32(raw[4*k:], uint32(int32(clamp32(x))))
		case 8:
			binary.LittleEndian.PutUint64(raw[8*k:], uint64(x))
		}
	}
	return c.out.addTensor(name, tt, shape, nonNil(raw))
}

// clamp32 saturates x to int32: ONNX's "to the end" markers (INT64_MAX)
// keep their meaning.
func clamp32(x int64) int64 {
	return max(math.MinInt32, min(math.MaxInt32, x))
}

// int32Const adds a 1-D int32 constant (a shape, axes, a permutation);
// identical ones are shared.
func (c *converter) int32Const(name string, v []int32) int32 {
	var b strings.Builder
	b.WriteString("i32:")
	for _, x := range v {
		b.WriteString(strconv.Itoa(int(x)))
		b.WriteByte(',')
	}
	if idx, ok := c.constIdx[b.String()]; ok {
		return idx
	}
	d := make([]int64, len(v))
	for k, x := range v {
		d[k] = int64(x)
	}
	idx := c.intConst(name, ttInt32, []int64{int64(len(v))}, d)
	c.constIdx[b.String()] = idx
	return idx
}

// scalarConst adds a float32 scalar of shape [] (or an int32 one when
// tt is int32).
func (c *converter) scalar(name string, tt tensorType, x float64) int32 {
	key := fmt.Sprintf("s:%d:%v", tt, x)
	if idx, ok := c.constIdx[key]; ok {
		return idx
	}
	var idx int32
	if tt == ttFloat32 {
		idx = c.floatConst(name, []int64{}, []float32{float32(x)})
	} else {
		idx = c.intConst(name, tt, []int64{}, []int64{int64(x)})
	}
	c.constIdx[key] = idx
	return idx
}
