package onnxgraph

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/onnxgraph/onnxgraph/onnxproto"
	"google.golang.org/protobuf/proto"
)

// Tensor is a constant tensor of a model: an initializer or an attribute's
// value. Its data is one of: raw_data (a view of the loaded file's bytes,
// never copied on load), ONNX external data (read from its file only when
// asked for), or the typed fields of TensorProto. Tensors are immutable: an
// edit that changes data builds a new tensor.
type Tensor struct {
	p   *onnxproto.TensorProto
	dir *extDir  // the folder external data is read from; nil when inline or unknown
	fm  *fileMap // the mapped file its bytes view (LoadOptions.Map); nil when none
}

// NewTensor returns a tensor named name of element type dt and shape dims
// whose raw_data is raw (little-endian, sub-byte types packed). raw is not
// copied: do not change it afterwards.
func NewTensor(name string, dt DataType, dims []int64, raw []byte) (*Tensor, error) {
	if n := NumElements(dims); n < 0 || RawSize(dt, n) != int64(len(raw)) {
		return nil, errorf(ErrInvalid, "tensor %q: %d bytes of raw data for %v of shape %v", name, len(raw), dt, dims)
	}
	if raw == nil {
		raw = []byte{}
	}
	return &Tensor{p: &onnxproto.TensorProto{
		Name:     proto.String(name),
		DataType: proto.Int32(int32(dt)),
		Dims:     append([]int64(nil), dims...),
		RawData:  raw,
	}}, nil
}

// Name returns the tensor's name.
func (t *Tensor) Name() string { return t.p.GetName() }

// DataType returns the element type.
func (t *Tensor) DataType() DataType { return DataType(t.p.GetDataType()) }

// Dims returns the shape. The slice is a copy.
func (t *Tensor) Dims() []int64 { return append([]int64(nil), t.p.GetDims()...) }

// Proto returns the tensor's message. It is shared with the model: treat it
// as read-only.
func (t *Tensor) Proto() *onnxproto.TensorProto { return t.p }

// IsExternal reports whether the data lives in an external file.
func (t *Tensor) IsExternal() bool {
	return t.p.GetDataLocation() == onnxproto.TensorProto_EXTERNAL
}

// External returns the external-data entry of an external tensor.
func (t *Tensor) External() (ExternalRef, error) { return externalRef(t.p) }

// NumBytes returns the size of the tensor's data as stored: the raw_data
// length, the external length, or the raw size its element type and shape
// imply for typed fields; -1 for strings.
func (t *Tensor) NumBytes() int64 {
	switch {
	case t.IsExternal():
		if r, err := externalRef(t.p); err == nil && r.Length >= 0 {
			return r.Length
		}
		return RawSize(t.DataType(), NumElements(t.p.GetDims()))
	case t.p.RawData != nil:
		return int64(len(t.p.RawData))
	}
	return RawSize(t.DataType(), NumElements(t.p.GetDims()))
}

// Bytes returns the tensor's data in raw_data form (little-endian, sub-byte
// types packed). For raw_data it is a view of the model's bytes; for
// external data it reads the file; for typed fields it encodes them. Do not
// change the returned slice. Strings have no raw form and give an error.
func (t *Tensor) Bytes() ([]byte, error) {
	if t.IsExternal() {
		return t.readExternal()
	}
	if t.p.RawData != nil {
		return t.p.RawData, nil
	}
	return typedToRaw(t.p)
}

func (t *Tensor) readExternal() ([]byte, error) {
	r, err := externalRef(t.p)
	if err != nil {
		return nil, err
	}
	if t.dir == nil {
		return nil, &ExternalDataError{Tensor: t.Name(), Location: r.Location, Err: errorf(ErrExternalData, "the model was not loaded from a folder (set LoadOptions.Dir)")}
	}
	f, size, err := t.dir.open(r.Location)
	if err != nil {
		return nil, &ExternalDataError{Tensor: t.Name(), Location: r.Location, Err: err}
	}
	n, err := r.span(size)
	if err != nil {
		return nil, &ExternalDataError{Tensor: t.Name(), Location: r.Location, Err: err}
	}
	buf := make([]byte, n)
	if k, err := f.ReadAt(buf, r.Offset); k < len(buf) {
		if err == nil || err == io.EOF {
			err = errorf(ErrExternalData, "file ended after %d of %d bytes", k, n)
		}
		return nil, &ExternalDataError{Tensor: t.Name(), Location: r.Location, Err: err}
	}
	return buf, nil
}

// span returns the length of r's range in a file of size bytes, or an
// error when the range does not fit in it (sums that overflow included).
func (r ExternalRef) span(size int64) (int64, error) {
	n := r.Length
	if n < 0 {
		n = size - r.Offset
	}
	if r.Offset > size || n < 0 || n > size-r.Offset {
		return 0, errorf(ErrExternalData, "range [%d,%d) passes the end of the %d-byte file", r.Offset, r.Offset+max(r.Length, 0), size)
	}
	return n, nil
}

// ExternalRef is a tensor's external-data entry.
type ExternalRef struct {
	Location string // file path relative to the model's folder
	Offset   int64  // byte offset in the file (0 when absent)
	Length   int64  // byte length, -1 when absent (to the end of the file)
	Checksum string // as written, "" when absent
}

func externalRef(t *onnxproto.TensorProto) (ExternalRef, error) {
	r := ExternalRef{Length: -1}
	var bad error // a bad number, reported once the location is known
	for _, kv := range t.GetExternalData() {
		switch kv.GetKey() {
		case "location":
			r.Location = kv.GetValue()
		case "offset", "length":
			n, err := strconv.ParseInt(kv.GetValue(), 10, 64)
			if err != nil || n < 0 {
				if bad == nil {
					bad = errorf(ErrExternalData, "%s %q is not a non-negative integer", kv.GetKey(), kv.GetValue())
				}
				continue
			}
			if kv.GetKey() == "offset" {
				r.Offset = n
			} else {
				r.Length = n
			}
		case "checksum":
			r.Checksum = kv.GetValue()
		}
	}
	if bad != nil {
		return r, &ExternalDataError{Tensor: t.GetName(), Location: r.Location, Err: bad}
	}
	if r.Location == "" {
		return r, &ExternalDataError{Tensor: t.GetName(), Err: errorf(ErrExternalData, "no location")}
	}
	if err := checkLocation(r.Location); err != nil {
		return r, &ExternalDataError{Tensor: t.GetName(), Location: r.Location, Err: err}
	}
	return r, nil
}

// checkLocation refuses locations that could leave the model's folder.
func checkLocation(loc string) error {
	s := strings.ReplaceAll(loc, `\`, "/")
	if strings.HasPrefix(s, "/") || filepath.IsAbs(loc) || filepath.VolumeName(loc) != "" || (len(s) > 1 && s[1] == ':') {
		return errorf(ErrUnsafePath, "absolute path")
	}
	if c := path.Clean(s); c == ".." || strings.HasPrefix(c, "../") {
		return errorf(ErrUnsafePath, "the path leaves the model's folder")
	}
	if strings.ContainsRune(loc, 0) {
		return errorf(ErrUnsafePath, "NUL in path")
	}
	return nil
}

// typedToRaw encodes the typed data fields of t in raw_data form, for the
// element types whose typed field holds them one per element.
func typedToRaw(t *onnxproto.TensorProto) ([]byte, error) {
	dt := DataType(t.GetDataType())
	var out []byte
	switch dt {
	case Float:
		out = make([]byte, 0, 4*len(t.FloatData))
		for _, f := range t.FloatData {
			out = binary.LittleEndian.AppendUint32(out, math.Float32bits(f))
		}
	case Complex64:
		out = make([]byte, 0, 4*len(t.FloatData))
		for _, f := range t.FloatData {
			out = binary.LittleEndian.AppendUint32(out, math.Float32bits(f))
		}
	case Double, Complex128:
		for _, f := range t.DoubleData {
			out = binary.LittleEndian.AppendUint64(out, math.Float64bits(f))
		}
	case Int64:
		for _, x := range t.Int64Data {
			out = binary.LittleEndian.AppendUint64(out, uint64(x))
		}
	case Uint64, Uint32:
		for _, x := range t.Uint64Data {
			if dt == Uint32 {
				out = binary.LittleEndian.AppendUint32(out, uint32(x))
			} else {
				out = binary.LittleEndian.AppendUint64(out, x)
			}
		}
	case Int32:
		for _, x := range t.Int32Data {
			out = binary.LittleEndian.AppendUint32(out, uint32(x))
		}
	case Int16, Uint16, Float16, BFloat16:
		for _, x := range t.Int32Data {
			out = binary.LittleEndian.AppendUint16(out, uint16(x))
		}
	case Int8, Uint8, Bool, onnxproto.TensorProto_FLOAT8E4M3FN, onnxproto.TensorProto_FLOAT8E4M3FNUZ,
		onnxproto.TensorProto_FLOAT8E5M2, onnxproto.TensorProto_FLOAT8E5M2FNUZ, onnxproto.TensorProto_FLOAT8E8M0,
		onnxproto.TensorProto_INT4, onnxproto.TensorProto_UINT4, onnxproto.TensorProto_FLOAT4E2M1,
		onnxproto.TensorProto_INT2, onnxproto.TensorProto_UINT2:
		// int32_data holds one byte per element, or for sub-byte types one
		// packed byte per entry.
		for _, x := range t.Int32Data {
			out = append(out, byte(x))
		}
	default:
		return nil, errorf(ErrInvalid, "tensor %q: element type %v has no raw form", t.GetName(), dt)
	}
	if out == nil {
		out = []byte{}
	}
	return out, nil
}

// tensor wraps a model's tensor message.
func (m *Model) tensor(p *onnxproto.TensorProto) *Tensor {
	return &Tensor{p: p, dir: m.ext[p], fm: m.mapOf(p.RawData)}
}

// with returns a tensor of message p, a copy of t's with another name or
// dims, whose data comes from where t's does (t's external-data folder,
// t's mapped file).
func (t *Tensor) with(p *onnxproto.TensorProto) *Tensor {
	return &Tensor{p: p, dir: t.dir, fm: t.fm}
}

// holdSources makes m hold what t's data is read from, now that one of
// m's values holds t: t's external-data folder and t's mapped file.
func (m *Model) holdSources(t *Tensor) {
	m.shareMaps([]*fileMap{t.fm})
	if t.dir != nil {
		if m.ext == nil {
			m.ext = map[*onnxproto.TensorProto]*extDir{}
		}
		m.ext[t.p] = t.dir
	}
}

func (t *Tensor) String() string {
	return fmt.Sprintf("%s %v%v", t.Name(), t.DataType(), t.p.GetDims())
}

// TensorOf wraps a tensor message of m (an initializer's, an attribute's)
// so that its external data, if any, is read from the right folder.
func (m *Model) TensorOf(p *onnxproto.TensorProto) *Tensor { return m.tensor(p) }
