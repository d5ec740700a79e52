//go:build !linux && !darwin

package main

import "os"

// isTTY reports whether f, a character device, is a terminal: taken to be
// one unless it is the null device.
func isTTY(f *os.File) bool {
	st, err := f.Stat()
	null, err2 := os.Stat(os.DevNull)
	return err != nil || err2 != nil || !os.SameFile(st, null)
}
