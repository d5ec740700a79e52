package ort

import "errors"

// RunSparse is not supported on Windows: the C side loads the library
// with dlopen.
func RunSparse(modelPath string, inputs map[string]*Tensor, sparse map[string]*SparseTensor, outputs []string) (map[string]*Tensor, error) {
	return nil, errors.New("ort: RunSparse is not supported on Windows")
}
