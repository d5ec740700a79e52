//go:build unix

package onnxgraph

import (
	"os"
	"syscall"
)

// mapFile maps size bytes of f privately: the process may change them
// (copy on write), the file never changes. It returns nil when the
// system refuses; the caller then reads the file.
func mapFile(f *os.File, size int64) []byte {
	if size <= 0 || int64(int(size)) != size {
		return nil
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE)
	if err != nil {
		return nil
	}
	return b
}

func unmapFile(b []byte) error { return syscall.Munmap(b) }
