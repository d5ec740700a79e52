//go:build !linux

package onnxgraph

// adviseHuge does nothing where huge pages cannot be asked for.
func adviseHuge([]byte) {}
