//go:build !linux

package onnxgraph

// kernelCopyPays reports whether ranges of the file at path are better
// copied by the kernel than written from memory: where the filesystem
// cannot be told, they are.
func kernelCopyPays(string) bool { return true }
