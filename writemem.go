package onnxgraph

import (
	"bufio"
	"context"
	"io"
	"reflect"
	"sync"
)

// writeMem writes b to w in pieces between which it looks at ctx. dst is
// where in its file w puts b (-1: not known).
//
// Writing from memory to a file is twice as slow when the bytes land a
// little past where they sit in their page (1 to 63 bytes further): the
// kernel's copy then keeps loading from addresses 4 KiB below those it has
// just stored to, which the processor takes for a dependency (4K
// aliasing). A model saved after an edit that lengthened it by a few bytes
// writes all its later tensors so. Such large pieces go through a buffer
// placed half a page away from both their source and their destination.
func writeMem(ctx context.Context, w io.Writer, b []byte, dst int64) error {
	var bounce *[]byte
	defer func() {
		if bounce != nil {
			bouncePool.Put(bounce)
		}
	}()
	for len(b) > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		p := b[:min(len(b), writePiece)]
		b = b[len(p):]
		if dst < 0 || len(p) < minBounce || !aliased(p, dst) {
			if _, err := w.Write(p); err != nil {
				return err
			}
			if dst >= 0 {
				dst += int64(len(p))
			}
			continue
		}
		if bw, ok := w.(*bufio.Writer); ok {
			// Emptied, the buffer writes a piece this large as it is, at
			// dst.
			if err := bw.Flush(); err != nil {
				return err
			}
		}
		if bounce == nil {
			bounce = bouncePool.Get().(*[]byte)
		}
		buf := *bounce
		k := int((dst + pageSize/2 - int64(address(buf))) % pageSize)
		if k < 0 {
			k += pageSize
		}
		n := copy(buf[k:k+len(p)], p)
		if _, err := w.Write(buf[k : k+n]); err != nil {
			return err
		}
		dst += int64(n)
	}
	return nil
}

// bouncePool holds writeMem's buffers: a piece and a page.
var bouncePool = sync.Pool{New: func() any {
	b := make([]byte, writePiece+pageSize)
	return &b
}}

const (
	pageSize = 4096
	// minBounce is the smallest piece writeMem moves through its buffer:
	// more than a bufio.Writer of 1 MiB holds, which then writes it
	// directly.
	minBounce = 2 << 20
)

// aliased reports whether p, written at offset dst of a file, lands 1 to
// 63 bytes past its place in its page.
func aliased(p []byte, dst int64) bool {
	d := (dst - int64(address(p))) % pageSize
	if d < 0 {
		d += pageSize
	}
	return d > 0 && d < 64
}

// address returns where p's bytes start in memory.
func address(p []byte) uintptr { return reflect.ValueOf(p).Pointer() }
