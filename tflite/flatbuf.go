package tflite

import (
	"encoding/binary"
	"math"
)

// fbBuilder writes a FlatBuffer back to front, the way the format's own
// builders do: children first, so that every offset a parent stores points
// forward. Positions are measured from the end of the buffer (an "offset"
// below), which stays valid while the buffer grows at the front.
type fbBuilder struct {
	buf      []byte // data lives in buf[head:]
	head     int
	minAlign int
	vtable   []int          // per field: the offset of its value, 0 when absent
	objStart int            // offset where the current table started
	extern   int            // bytes of the FlatBuffer kept outside buf (externVector)
	holes    []hole         // where they go, in the order placed
	vtables  map[string]int // written vtables by their bytes: tables share them
	vectors  map[string]int // written [int] vectors by their bytes: shapes and index lists share them
	shared   map[string]int // other objects written once by a key of their contents (options tables)
}

func newBuilder(size int) *fbBuilder {
	if size < 1024 {
		size = 1024
	}
	return &fbBuilder{buf: make([]byte, size), head: size, minAlign: 1,
		vtables: map[string]int{}, vectors: map[string]int{}, shared: map[string]int{}}
}

// hole is data of the FlatBuffer kept outside buf: it goes before the
// last after bytes of buf (those written before it).
type hole struct {
	after int
	data  []byte
}

// offset is the distance from the end of the FlatBuffer to the builder's
// head: the bytes in buf and those kept outside it.
func (b *fbBuilder) offset() int { return len(b.buf) - b.head + b.extern }

func (b *fbBuilder) grow(need int) {
	for b.head < need {
		n := len(b.buf) * 2
		if n-len(b.buf) < need {
			n = len(b.buf) + need + len(b.buf)
		}
		nb := make([]byte, n)
		used := len(b.buf) - b.head
		copy(nb[n-used:], b.buf[b.head:])
		b.head = n - used
		b.buf = nb
	}
}

// prep pads so that after writing additional bytes, a value of size bytes
// lands aligned.
func (b *fbBuilder) prep(size, additional int) {
	if size > b.minAlign {
		b.minAlign = size
	}
	pad := (-(b.offset() + additional)) & (size - 1)
	b.grow(pad + size + additional)
	for i := 0; i < pad; i++ {
		b.head--
		b.buf[b.head] = 0
	}
}

func (b *fbBuilder) placeU8(v uint8) { b.head--; b.buf[b.head] = v }
func (b *fbBuilder) placeU32(v uint32) {
	b.head -= 4
	binary.LittleEndian.PutUint32(b.buf[b.head:], v)
}

func (b *fbBuilder) prependU8(v uint8)   { b.prep(1, 0); b.placeU8(v) }
func (b *fbBuilder) prependU32(v uint32) { b.prep(4, 0); b.placeU32(v) }

// prependOffset writes a uoffset to the object at offset off.
func (b *fbBuilder) prependOffset(off int) {
	b.prep(4, 0)
	b.placeU32(uint32(b.offset() - off + 4))
}

// externVector writes a [ubyte] vector whose data starts aligned to
// align, keeping data itself outside buf (the file's pieces put it back):
// weights are most of a .tflite, and are not copied this way.
func (b *fbBuilder) externVector(data []byte, align int) int {
	b.prep(4, len(data))
	b.prep(align, len(data))
	b.holes = append(b.holes, hole{after: len(b.buf) - b.head, data: data})
	b.extern += len(data)
	b.placeU32(uint32(len(data)))
	return b.offset()
}

// pieces returns the finished FlatBuffer in file order: the bytes of buf
// with the kept-out data between them.
func (b *fbBuilder) pieces() [][]byte {
	real := b.buf[b.head:]
	var out [][]byte
	pos := 0
	for k := len(b.holes) - 1; k >= 0; k-- {
		cut := len(real) - b.holes[k].after
		out = append(out, real[pos:cut], b.holes[k].data)
		pos = cut
	}
	return append(out, real[pos:])
}

// int32Vector writes an [int] vector, or returns an identical one written
// before: a FlatBuffer may point at one object from many places, and the
// shapes of a network's tensors repeat (every activation of a stage, every
// filter of a kind), as do operators' index lists.
func (b *fbBuilder) int32Vector(v []int32) int {
	key := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(key[4*i:], uint32(x))
	}
	if at, ok := b.vectors[string(key)]; ok {
		return at
	}
	b.prep(4, 4*len(v))
	for i := len(v) - 1; i >= 0; i-- {
		b.placeU32(uint32(v[i]))
	}
	b.placeU32(uint32(len(v)))
	b.vectors[string(key)] = b.offset()
	return b.offset()
}

// offsetVector writes a vector of offsets to tables or strings.
func (b *fbBuilder) offsetVector(offs []int) int {
	b.prep(4, 4*len(offs))
	for i := len(offs) - 1; i >= 0; i-- {
		b.prependOffset(offs[i])
	}
	b.placeU32(uint32(len(offs)))
	return b.offset()
}

// str writes a string.
func (b *fbBuilder) str(s string) int {
	b.prep(4, len(s)+1)
	b.placeU8(0)
	b.head -= len(s)
	copy(b.buf[b.head:], s)
	b.placeU32(uint32(len(s)))
	return b.offset()
}

// startTable begins a table of n fields.
func (b *fbBuilder) startTable(n int) {
	if cap(b.vtable) < n {
		b.vtable = make([]int, n)
	}
	b.vtable = b.vtable[:n]
	clear(b.vtable)
	b.objStart = b.offset()
}

// Field setters: slot is the field's index in the schema's table.
func (b *fbBuilder) fieldU8(slot int, v uint8) {
	b.prependU8(v)
	b.vtable[slot] = b.offset()
}
func (b *fbBuilder) fieldBool(slot int, v bool) {
	if v {
		b.fieldU8(slot, 1)
	} else {
		b.fieldU8(slot, 0)
	}
}
func (b *fbBuilder) fieldI32(slot int, v int32) {
	b.prependU32(uint32(v))
	b.vtable[slot] = b.offset()
}
func (b *fbBuilder) fieldF32(slot int, v float32) {
	b.prependU32(math.Float32bits(v))
	b.vtable[slot] = b.offset()
}
func (b *fbBuilder) fieldOffset(slot int, off int) {
	b.prependOffset(off)
	b.vtable[slot] = b.offset()
}

// endTable writes the table's vtable, or points it at an identical one
// written before, and returns the table's offset.
func (b *fbBuilder) endTable() int {
	b.prependU32(0) // soffset to the vtable, patched below
	obj := b.offset()
	n := len(b.vtable)
	for n > 0 && b.vtable[n-1] == 0 {
		n--
	}
	vt := make([]byte, 2*(n+2))
	binary.LittleEndian.PutUint16(vt, uint16(len(vt)))
	binary.LittleEndian.PutUint16(vt[2:], uint16(obj-b.objStart))
	for i := 0; i < n; i++ {
		if b.vtable[i] != 0 {
			binary.LittleEndian.PutUint16(vt[4+2*i:], uint16(obj-b.vtable[i]))
		}
	}
	at, ok := b.vtables[string(vt)]
	if !ok {
		b.prep(2, len(vt))
		b.head -= len(vt)
		copy(b.buf[b.head:], vt)
		at = b.offset()
		b.vtables[string(vt)] = at
	}
	// soffset: the table's position minus the vtable's (negative when the
	// shared vtable lies after the table).
	binary.LittleEndian.PutUint32(b.buf[len(b.buf)+b.extern-obj:], uint32(int32(at-obj)))
	return obj
}

// finish writes the root offset and the file identifier; pieces then
// gives the finished bytes.
func (b *fbBuilder) finish(root int, ident string) {
	b.prep(b.minAlign, 8)
	for i := len(ident) - 1; i >= 0; i-- {
		b.placeU8(ident[i])
	}
	b.prependOffset(root)
}
