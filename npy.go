package onnxgraph

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/onnxgraph/onnxgraph/onnxproto"
)

// NumPy's .npy format (NEP 1): a magic string, a version, the length of a
// header that is a Python dict literal giving the dtype, the memory order
// and the shape, then the array's bytes.

const (
	npyMagic     = "\x93NUMPY"
	npyAlign     = 64 // numpy pads the header so that data starts on a multiple of 64
	npyGrowth    = 21 // numpy leaves room for the first axis to grow to 21 digits
	npyMaxHeader = 1 << 20
)

// npyDtypes maps the .npy descriptors numpy writes (little-endian, without
// the byte-order mark) to ONNX element types.
var npyDtypes = map[string]DataType{
	"b1": Bool, "i1": Int8, "i2": Int16, "i4": Int32, "i8": Int64,
	"u1": Uint8, "u2": Uint16, "u4": Uint32, "u8": Uint64,
	"f2": Float16, "f4": Float, "f8": Double, "c8": Complex64, "c16": Complex128,
}

// ReadNPY reads a NumPy .npy array from r as a tensor named name. It reads
// format versions 1.0, 2.0 and 3.0, C and Fortran order (a Fortran-order
// array is returned in ONNX's row-major order), little- and big-endian
// data, and the dtypes that have an ONNX type: bool (|b1), int8 to int64
// (i1..i8), uint8 to uint64 (u1..u8), float16, float32, float64 (f2, f4,
// f8), complex64 and complex128 (c8, c16), and fixed-width strings, bytes
// (|S) or unicode (U, stored as UTF-8), whose trailing NULs numpy drops as
// well. Object arrays (which need pickle), structured dtypes, datetimes and
// long doubles are refused. r is read up to the end of the array's data.
//
// NumPy has no dtype for bfloat16, the float 8 types and the 4-bit and
// 2-bit types; WriteNPY stores those in integer containers that ReadNPY
// returns as such: use ReadNPYAs to get the ONNX type back.
func ReadNPY(r io.Reader, name string) (*Tensor, error) { return readNPY(r, name, -1) }

// readNPY is ReadNPY for a reader known to hold avail more bytes (-1 when
// unknown), which lets it allocate the data at once.
func readNPY(r io.Reader, name string, avail int64) (*Tensor, error) {
	h, err := readNPYHeader(r)
	if err != nil {
		return nil, err
	}
	n := NumElements(h.shape)
	if n < 0 || (h.itemsize > 0 && n > (1<<62)/int64(h.itemsize)) || n > math.MaxInt/16 {
		return nil, errorf(ErrInvalid, "npy: shape %v is too large", h.shape)
	}
	size := n * int64(h.itemsize)
	data, err := readFull(r, size, avail >= size)
	if err != nil {
		return nil, err
	}
	if h.bigEndian && h.swap > 1 {
		for i := 0; i+h.swap <= len(data); i += h.swap {
			s := data[i : i+h.swap]
			for a, b := 0, len(s)-1; a < b; a, b = a+1, b-1 {
				s[a], s[b] = s[b], s[a]
			}
		}
	}
	if h.fortran && len(h.shape) > 1 {
		data = fortranToC(data, h.shape, h.itemsize)
	}
	dims := h.shape
	if dims == nil {
		dims = []int64{}
	}
	switch h.kind {
	case 'S', 'U':
		s := make([][]byte, n)
		for i := range s {
			field := data[i*h.itemsize : (i+1)*h.itemsize]
			if h.kind == 'S' {
				s[i] = append([]byte{}, bytes.TrimRight(field, "\x00")...)
				continue
			}
			var out []byte
			for k := 0; k < len(field); k += 4 {
				c := binary.LittleEndian.Uint32(field[k:])
				if c > utf8.MaxRune || (c >= 0xd800 && c < 0xe000) {
					return nil, errorf(ErrInvalid, "npy: element %d holds %#x, not a unicode code point", i, c)
				}
				out = utf8.AppendRune(out, rune(c))
			}
			s[i] = bytes.TrimRight(out, "\x00")
			if s[i] == nil {
				s[i] = []byte{}
			}
		}
		return (&tensorEncoder{name: name, dt: String, dims: dims, n: int(n)}).strings(s), nil
	case 'b':
		for i, b := range data {
			if b != 0 {
				data[i] = 1
			}
		}
	}
	return NewTensor(name, h.dt, dims, data)
}

// readFull reads exactly size bytes. Unless the reader is known to hold
// them (sure), the buffer grows as data arrives, so that a header that lies
// about the size cannot make it allocate much more than the input holds.
func readFull(r io.Reader, size int64, sure bool) ([]byte, error) {
	c := size
	if !sure {
		c = min(size, 64<<20)
	}
	buf := make([]byte, 0, c)
	for int64(len(buf)) < size {
		if len(buf) == cap(buf) {
			buf = append(make([]byte, 0, min(size, 2*int64(cap(buf)))), buf...)
		}
		k, err := r.Read(buf[len(buf):min(int64(cap(buf)), size)])
		buf = buf[:len(buf)+k]
		if err == io.EOF && int64(len(buf)) < size {
			return nil, errorf(ErrInvalid, "npy: data ends after %d of %d bytes", len(buf), size)
		}
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("onnxgraph: npy: %w", err)
		}
	}
	return buf, nil
}

type npyHeader struct {
	dt        DataType
	kind      byte // 'b', 'i', 'u', 'f', 'c', 'S' or 'U'
	itemsize  int
	swap      int // the unit whose bytes a big-endian array reverses
	bigEndian bool
	fortran   bool
	shape     []int64
}

func readNPYHeader(r io.Reader) (*npyHeader, error) {
	var pre [8]byte
	if _, err := io.ReadFull(r, pre[:]); err != nil {
		return nil, errorf(ErrInvalid, "npy: no header: %v", err)
	}
	if string(pre[:6]) != npyMagic {
		return nil, errorf(ErrInvalid, "npy: not a .npy file (bad magic)")
	}
	var hlen int
	switch pre[6] {
	case 1:
		var b [2]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, errorf(ErrInvalid, "npy: truncated header: %v", err)
		}
		hlen = int(binary.LittleEndian.Uint16(b[:]))
	case 2, 3:
		var b [4]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, errorf(ErrInvalid, "npy: truncated header: %v", err)
		}
		if l := binary.LittleEndian.Uint32(b[:]); l > npyMaxHeader {
			return nil, errorf(ErrInvalid, "npy: header of %d bytes is too large", l)
		} else {
			hlen = int(l)
		}
	default:
		return nil, errorf(ErrInvalid, "npy: format version %d.%d is not supported", pre[6], pre[7])
	}
	hb := make([]byte, hlen)
	if _, err := io.ReadFull(r, hb); err != nil {
		return nil, errorf(ErrInvalid, "npy: truncated header: %v", err)
	}
	text := string(hb)
	if pre[6] < 3 {
		// Versions 1 and 2 are latin-1; only 3 may hold UTF-8.
		var sb strings.Builder
		for _, c := range hb {
			sb.WriteRune(rune(c))
		}
		text = sb.String()
	}
	v, err := parsePyLiteral(text)
	if err != nil {
		return nil, errorf(ErrInvalid, "npy: header %q: %v", capString(text, 120), err)
	}
	d, ok := v.(map[string]any)
	if !ok {
		return nil, errorf(ErrInvalid, "npy: header is not a dict")
	}
	h := &npyHeader{}
	descr, ok := d["descr"].(string)
	if !ok {
		return nil, errorf(ErrInvalid, "npy: header has no dtype string (structured dtypes are not supported): %q", capString(text, 120))
	}
	if err := h.setDescr(descr); err != nil {
		return nil, err
	}
	if f, ok := d["fortran_order"].(bool); ok {
		h.fortran = f
	} else {
		return nil, errorf(ErrInvalid, "npy: header has no fortran_order")
	}
	shape, ok := d["shape"].([]any)
	if !ok {
		return nil, errorf(ErrInvalid, "npy: header has no shape")
	}
	for _, x := range shape {
		n, ok := x.(int64)
		if !ok || n < 0 {
			return nil, errorf(ErrInvalid, "npy: bad shape %v", shape)
		}
		h.shape = append(h.shape, n)
	}
	return h, nil
}

func capString(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// setDescr interprets a dtype string such as "<f4" or "|S12".
func (h *npyHeader) setDescr(descr string) error {
	bad := func() error {
		return errorf(ErrInvalid, "npy: dtype %q has no ONNX type", descr)
	}
	if descr == "" {
		return bad()
	}
	d := descr
	switch d[0] {
	case '<', '|', '=':
		d = d[1:]
	case '>':
		h.bigEndian = true
		d = d[1:]
	}
	if d == "" {
		return bad()
	}
	h.kind = d[0]
	if h.kind == 'a' {
		h.kind = 'S'
	}
	width, err := strconv.Atoi(d[1:])
	if err != nil || width < 0 {
		return bad()
	}
	switch h.kind {
	case 'S':
		h.dt, h.itemsize = String, width
		return nil
	case 'U':
		if width > 1<<28 {
			return bad()
		}
		h.dt, h.itemsize, h.swap = String, 4*width, 4
		return nil
	}
	dt, ok := npyDtypes[d]
	if !ok {
		return bad()
	}
	h.dt, h.itemsize, h.swap = dt, width, width
	if h.kind == 'c' {
		h.swap = width / 2
	}
	return nil
}

// fortranToC reorders column-major data of the given shape to row-major.
func fortranToC(data []byte, shape []int64, size int) []byte {
	out := make([]byte, len(data))
	k := len(shape)
	// stride[i] is the column-major step of axis i, in elements.
	stride := make([]int64, k)
	s := int64(1)
	for i := range shape {
		stride[i] = s
		s *= shape[i]
	}
	idx := make([]int64, k)
	var src int64
	for dst := 0; dst < len(out); dst += size {
		copy(out[dst:dst+size], data[src*int64(size):(src+1)*int64(size)])
		for a := k - 1; a >= 0; a-- { // row-major odometer
			idx[a]++
			src += stride[a]
			if idx[a] < shape[a] {
				break
			}
			src -= stride[a] * idx[a]
			idx[a] = 0
		}
	}
	return out
}

// ReadNPYAs is ReadNPY for a tensor of element type dt. Besides an array of
// dt's own dtype, it takes the containers WriteNPY uses for the types NumPy
// lacks: uint16 for BFLOAT16 (bit patterns), uint8 for the float 8 types
// (bit patterns) and for FLOAT4E2M1 (one 4-bit pattern per element), int8
// for INT4 and INT2 and uint8 for UINT4 and UINT2 (one value per element,
// which must be in range).
func ReadNPYAs(r io.Reader, name string, dt DataType) (*Tensor, error) {
	t, err := ReadNPY(r, name)
	if err != nil {
		return nil, err
	}
	return fromNPYContainer(t, dt)
}

func fromNPYContainer(t *Tensor, dt DataType) (*Tensor, error) {
	have := t.DataType()
	if have == dt {
		return t, nil
	}
	if npyContainer(dt) != have {
		return nil, errorf(ErrInvalid, "tensor %q: a .npy array of %s cannot hold %s", t.Name(), DataTypeName(have), DataTypeName(dt))
	}
	switch ElemBits(dt) {
	case 16, 8:
		return NewTensor(t.Name(), dt, t.p.Dims, t.p.RawData)
	}
	v, err := t.Int64s()
	if err != nil {
		return nil, err
	}
	if dt == onnxproto.TensorProto_FLOAT4E2M1 {
		raw := make([]byte, RawSize(dt, int64(len(v))))
		for i, x := range v {
			if x > 0xf {
				return nil, errorf(ErrInvalid, "tensor %q: %d at index %d is not a 4-bit pattern", t.Name(), x, i)
			}
			putInt(dt, raw, i, uint64(x))
		}
		return NewTensor(t.Name(), dt, t.p.Dims, raw)
	}
	return NewTensorOf(t.Name(), dt, t.p.Dims, v)
}

// npyContainer is the ONNX type of the .npy array WriteNPY writes for dt.
func npyContainer(dt DataType) DataType {
	switch dt {
	case BFloat16:
		return Uint16
	case onnxproto.TensorProto_FLOAT8E4M3FN, onnxproto.TensorProto_FLOAT8E4M3FNUZ, onnxproto.TensorProto_FLOAT8E5M2,
		onnxproto.TensorProto_FLOAT8E5M2FNUZ, onnxproto.TensorProto_FLOAT8E8M0, onnxproto.TensorProto_FLOAT4E2M1,
		onnxproto.TensorProto_UINT4, onnxproto.TensorProto_UINT2:
		return Uint8
	case onnxproto.TensorProto_INT4, onnxproto.TensorProto_INT2:
		return Int8
	}
	return dt
}

// ReadNPYFile reads the .npy file at path as a tensor named after the file
// (its base name without ".npy").
func ReadNPYFile(path string) (*Tensor, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("onnxgraph: %w", err)
	}
	defer f.Close()
	avail := int64(-1)
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		avail = st.Size()
	}
	return readNPY(bufio.NewReaderSize(f, 1<<20), strings.TrimSuffix(filepath.Base(path), ".npy"), avail)
}

// WriteNPY writes the tensor as a NumPy .npy array (format version 1.0, or
// 2.0 for a header too long for 1.0), in C order, laid out byte for byte as
// numpy.save lays it out. The dtype follows the element type: |b1, |i1,
// <i2, <i4, <i8, |u1, <u2, <u4, <u8, <f2, <f4, <f8, <c8, <c16, and |S (the
// bytes of each string, padded with NULs to the longest) for STRING; a
// string that ends in NUL is refused, since numpy would drop it.
//
// NumPy has no dtype for the other ONNX types, so WriteNPY stores them in
// integer containers, losslessly: BFLOAT16 as <u2 bit patterns, the float 8
// types as |u1 bit patterns, FLOAT4E2M1 as |u1 4-bit patterns (one per
// element), INT4 and INT2 as |i1 and UINT4 and UINT2 as |u1 values (one per
// element). ReadNPYAs reads them back into their ONNX type.
func (t *Tensor) WriteNPY(w io.Writer) error {
	dt := t.DataType()
	dims := t.p.GetDims()
	var descr string
	var payload []byte
	switch container := npyContainer(dt); {
	case dt == String:
		s, err := t.Strings()
		if err != nil {
			return err
		}
		width := 1
		for i, x := range s {
			if len(x) > 0 && x[len(x)-1] == 0 {
				return errorf(ErrInvalid, "tensor %q: string %d ends in NUL, which .npy cannot keep", t.Name(), i)
			}
			width = max(width, len(x))
		}
		descr = "|S" + strconv.Itoa(width)
		payload = make([]byte, width*len(s))
		for i, x := range s {
			copy(payload[i*width:], x)
		}
	case dt == onnxproto.TensorProto_FLOAT4E2M1:
		raw, n, err := t.data()
		if err != nil {
			return err
		}
		payload = make([]byte, n)
		for i := range payload {
			payload[i] = nibble(raw, i)
		}
		descr = npyDescr(container)
	case ElemBits(dt) < 8:
		v, err := t.Int64s()
		if err != nil {
			return err
		}
		payload = make([]byte, len(v))
		for i, x := range v {
			payload[i] = byte(x)
		}
		descr = npyDescr(container)
	default:
		raw, _, err := t.data()
		if err != nil {
			return err
		}
		descr, payload = npyDescr(container), raw
	}
	if descr == "" {
		return errorf(ErrInvalid, "tensor %q: element type %v has no .npy form", t.Name(), dt)
	}
	bw := bufio.NewWriter(w)
	bw.Write(npyHeaderBytes(descr, dims))
	bw.Write(payload)
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("onnxgraph: npy: %w", err)
	}
	return nil
}

// npyDescr is the dtype string numpy writes for a type with a dtype.
func npyDescr(dt DataType) string {
	for d, t := range npyDtypes {
		if t == dt {
			if d[0] == 'b' || d == "i1" || d == "u1" {
				return "|" + d
			}
			return "<" + d
		}
	}
	return ""
}

// npyHeaderBytes renders the header as numpy.save does.
func npyHeaderBytes(descr string, dims []int64) []byte {
	var shape string
	switch len(dims) {
	case 0:
		shape = "()"
	case 1:
		shape = "(" + strconv.FormatInt(dims[0], 10) + ",)"
	default:
		parts := make([]string, len(dims))
		for i, d := range dims {
			parts[i] = strconv.FormatInt(d, 10)
		}
		shape = "(" + strings.Join(parts, ", ") + ")"
	}
	h := "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }"
	if len(dims) > 0 {
		h += strings.Repeat(" ", max(0, npyGrowth-len(strconv.FormatInt(dims[0], 10))))
	}
	version, lenBytes := byte(1), 2
	pad := npyAlign - (8+lenBytes+len(h)+1)%npyAlign
	if len(h)+1+pad > 65535 {
		version, lenBytes = 2, 4
		pad = npyAlign - (8+lenBytes+len(h)+1)%npyAlign
	}
	hlen := len(h) + pad + 1
	out := make([]byte, 0, 8+lenBytes+hlen)
	out = append(out, npyMagic...)
	out = append(out, version, 0)
	if version == 1 {
		out = binary.LittleEndian.AppendUint16(out, uint16(hlen))
	} else {
		out = binary.LittleEndian.AppendUint32(out, uint32(hlen))
	}
	out = append(out, h...)
	out = append(out, bytes.Repeat([]byte{' '}, pad)...)
	return append(out, '\n')
}

// WriteNPYFile writes the tensor to path as a .npy file (see WriteNPY),
// put in place as WriteFile does.
func (t *Tensor) WriteNPYFile(path string) error {
	return WriteFile(context.Background(), path, t.WriteNPY)
}

// parsePyLiteral parses the Python literals a .npy header uses: dicts,
// tuples, lists, strings, integers, True, False and None.
func parsePyLiteral(s string) (any, error) {
	p := &pyParser{s: s}
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(p.s) {
		return nil, fmt.Errorf("unexpected %q after the literal", capString(p.s[p.i:], 20))
	}
	return v, nil
}

type pyParser struct {
	s string
	i int
}

func (p *pyParser) space() {
	for p.i < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *pyParser) value(depth int) (any, error) {
	if depth > 32 {
		return nil, fmt.Errorf("nested too deeply")
	}
	p.space()
	if p.i >= len(p.s) {
		return nil, fmt.Errorf("unexpected end")
	}
	switch c := p.s[p.i]; {
	case c == '{':
		p.i++
		d := map[string]any{}
		for {
			p.space()
			if p.i < len(p.s) && p.s[p.i] == '}' {
				p.i++
				return d, nil
			}
			k, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			ks, ok := k.(string)
			if !ok {
				return nil, fmt.Errorf("dict key %v is not a string", k)
			}
			p.space()
			if p.i >= len(p.s) || p.s[p.i] != ':' {
				return nil, fmt.Errorf("expected ':' at offset %d", p.i)
			}
			p.i++
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			d[ks] = v
			if err := p.sep('}'); err != nil {
				return nil, err
			}
		}
	case c == '(' || c == '[':
		end := byte(')')
		if c == '[' {
			end = ']'
		}
		p.i++
		l := []any{}
		for {
			p.space()
			if p.i < len(p.s) && p.s[p.i] == end {
				p.i++
				return l, nil
			}
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			l = append(l, v)
			if err := p.sep(end); err != nil {
				return nil, err
			}
		}
	case c == '\'' || c == '"':
		p.i++
		var sb strings.Builder
		for p.i < len(p.s) && p.s[p.i] != c {
			if p.s[p.i] == '\\' && p.i+1 < len(p.s) {
				p.i++
			}
			sb.WriteByte(p.s[p.i])
			p.i++
		}
		if p.i >= len(p.s) {
			return nil, fmt.Errorf("unterminated string")
		}
		p.i++
		return sb.String(), nil
	case c == '-' || (c >= '0' && c <= '9'):
		j := p.i + 1
		for j < len(p.s) && p.s[j] >= '0' && p.s[j] <= '9' {
			j++
		}
		n, err := strconv.ParseInt(p.s[p.i:j], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("bad integer %q", p.s[p.i:j])
		}
		p.i = j
		if p.i < len(p.s) && (p.s[p.i] == 'L' || p.s[p.i] == 'l') { // Python 2 longs
			p.i++
		}
		return n, nil
	}
	for _, w := range []struct {
		word string
		v    any
	}{{"True", true}, {"False", false}, {"None", nil}} {
		if strings.HasPrefix(p.s[p.i:], w.word) {
			p.i += len(w.word)
			return w.v, nil
		}
	}
	return nil, fmt.Errorf("unexpected %q", capString(p.s[p.i:], 20))
}

// sep consumes a ',' or sees the closing end.
func (p *pyParser) sep(end byte) error {
	p.space()
	if p.i >= len(p.s) {
		return fmt.Errorf("unexpected end")
	}
	switch p.s[p.i] {
	case ',':
		p.i++
		return nil
	case end:
		return nil
	}
	return fmt.Errorf("expected ',' or %q at offset %d", end, p.i)
}
