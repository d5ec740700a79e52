//go:build !unix

package onnxgraph

import "os"

// mapFile maps nothing on systems without mmap: the file is read.
func mapFile(*os.File, int64) []byte { return nil }

func unmapFile([]byte) error { return nil }
