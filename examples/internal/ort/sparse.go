//go:build !windows

package ort

/*
#include <stdlib.h>
#include "sparse.h"
*/
import "C"

import (
	"fmt"
	"runtime"
	"unsafe"

	"github.com/onnxgraph/onnxgraph"
)

// RunSparse runs the model at modelPath once on dense inputs and sparse
// ones, and returns the outputs named in outputs. It is for operators
// that take a sparse tensor (SparseToDenseMatMul): onnxruntime_go has no
// sparse tensors, and ONNX Runtime densifies a model's sparse
// initializers, so the run goes through ONNX Runtime's C API. Outputs of
// strings, complex and 4-bit types are not supported.
func RunSparse(modelPath string, inputs map[string]*Tensor, sparse map[string]*SparseTensor, outputs []string) (map[string]*Tensor, error) {
	if err := checkInit(); err != nil {
		return nil, err
	}
	var pinner runtime.Pinner // the C side reads the inputs' Go memory
	defer pinner.Unpin()
	var cstrs []*C.char
	cstr := func(s string) *C.char {
		p := C.CString(s)
		cstrs = append(cstrs, p)
		return p
	}
	defer func() {
		for _, p := range cstrs {
			C.free(unsafe.Pointer(p))
		}
	}()
	pin := func(shape []int64) *C.int64_t {
		if len(shape) == 0 {
			return nil
		}
		pinner.Pin(&shape[0])
		return (*C.int64_t)(unsafe.Pointer(&shape[0]))
	}
	ins := make([]C.ortgraphInput, 0, len(inputs)+len(sparse))
	for name, t := range inputs {
		n := onnxgraph.NumElements(t.Shape)
		if size := onnxgraph.RawSize(t.DType, n); n < 0 || size != int64(len(t.Data)) || size == 0 {
			return nil, fmt.Errorf("ort: input %q: %d bytes of data for %v of shape %v", name, len(t.Data), t.DType, t.Shape)
		}
		pinner.Pin(&t.Data[0])
		ins = append(ins, C.ortgraphInput{name: cstr(name), _type: C.int(t.DType), shape: pin(t.Shape), rank: C.size_t(len(t.Shape)),
			data: unsafe.Pointer(&t.Data[0]), size: C.size_t(len(t.Data))})
	}
	for name, t := range sparse {
		nnz := int64(len(t.Values)) * 8 / int64(max(onnxgraph.ElemBits(t.DType), 1))
		if onnxgraph.RawSize(t.DType, nnz) != int64(len(t.Values)) || nnz == 0 {
			return nil, fmt.Errorf("ort: sparse input %q: %d bytes of values for %v", name, len(t.Values), t.DType)
		}
		if int64(len(t.Indices)) != nnz && int64(len(t.Indices)) != nnz*int64(len(t.Shape)) {
			return nil, fmt.Errorf("ort: sparse input %q: %d indices for %d values of rank %d", name, len(t.Indices), nnz, len(t.Shape))
		}
		pinner.Pin(&t.Values[0])
		ins = append(ins, C.ortgraphInput{name: cstr(name), _type: C.int(t.DType), shape: pin(t.Shape), rank: C.size_t(len(t.Shape)),
			data: unsafe.Pointer(&t.Values[0]), sparse: 1, nnz: C.int64_t(nnz), indices: pin(t.Indices), nIndices: C.size_t(len(t.Indices))})
	}
	if len(ins) == 0 || len(outputs) == 0 {
		return nil, fmt.Errorf("ort: %s: a run needs inputs and outputs", modelPath)
	}
	outs := make([]C.ortgraphOutput, len(outputs))
	for i, name := range outputs {
		outs[i].name = cstr(name)
	}
	defer func() {
		for i := range outs {
			C.free(outs[i].data)
		}
	}()
	if msg := C.ortgraphRunSparse(cstr(initLib), cstr(modelPath), C.size_t(len(ins)), &ins[0], C.size_t(len(outs)), &outs[0]); msg != nil {
		defer C.free(unsafe.Pointer(msg))
		return nil, fmt.Errorf("ort: %s: %s", modelPath, C.GoString(msg))
	}
	result := make(map[string]*Tensor, len(outs))
	for i, name := range outputs {
		o := &outs[i]
		shape := make([]int64, o.rank)
		for k := range shape {
			shape[k] = int64(o.shape[k])
		}
		data := []byte{}
		if o.count > 0 {
			data = C.GoBytes(o.data, C.int(o.count*o.elemSize))
		}
		result[name] = &Tensor{DType: onnxgraph.DataType(o._type), Shape: shape, Data: data}
	}
	return result, nil
}
