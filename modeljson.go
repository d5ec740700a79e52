package onnxgraph

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/onnxgraph/onnxgraph/onnxproto"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// The keys of the externalData entry of a tensor kept in a .npy file.
const (
	jsonNPYKey    = "onnxgraph.npy"
	jsonSHA256Key = "onnxgraph.sha256"
)

// JSONOptions controls WriteJSON and ReadJSON. The zero value writes every
// tensor inline, as onnx2json does.
type JSONOptions struct {
	// Dir is the folder the .npy locations in the JSON are relative to, and
	// the folder ONNX external data named in the JSON is read from.
	// SaveJSON and OpenJSON use the JSON file's folder when Dir is empty;
	// WriteJSON then uses the current folder, and ReadJSON refuses .npy
	// references and external data.
	Dir string
	// ExternalDir, when not empty, makes WriteJSON write every tensor of at
	// least Threshold bytes into a .npy file of this folder, named after the
	// tensor. A relative ExternalDir is relative to Dir; it must lie inside
	// Dir. Strings always stay in the JSON.
	ExternalDir string
	// Threshold is the size in bytes of raw data from which a tensor goes
	// to ExternalDir; 0 means 1024 and a negative value every tensor.
	Threshold int64
	// DiscardUnknown makes ReadJSON skip JSON fields ModelProto does not
	// have, instead of failing as python's json_format.Parse does.
	DiscardUnknown bool
}

// WriteJSON writes the model as JSON to w: the protobuf JSON mapping that
// python's onnx2json writes (google.protobuf.json_format.MessageToJson,
// indent 2), with lowerCamelCase keys, 64-bit integers as strings, bytes as
// padded standard base64, enums by name, NaN and infinities as "NaN",
// "Infinity" and "-Infinity", and set fields only. It also follows
// python's layout, so that the two texts compare byte for byte: fields in
// field-number order, python's float formatting (float32 fields with the
// fewest digits, at least 6, that give the same float32), characters
// outside printable ASCII escaped. Unknown fields, which the JSON mapping
// cannot hold, are dropped, as python drops them. A string field that is
// not valid UTF-8 is an error.
//
// Tensor data is read one tensor at a time as it is written, from the
// model's bytes or from its external-data files (written inline), so a
// model with external data needs no more memory than its largest tensor.
//
// With opts.ExternalDir, each tensor of at least opts.Threshold bytes goes
// to a .npy file (see WriteNPY) named after the tensor instead of into the
// JSON, so that the JSON of a big model stays small and diffs well. The
// tensor keeps its name, dims and data type; its data is replaced by
//
//	"dataLocation": "EXTERNAL",
//	"externalData": [
//	  {"key": "onnxgraph.npy", "value": "weights/conv1.weight.npy"},
//	  {"key": "onnxgraph.sha256", "value": "<hex SHA-256 of the .npy file>"}
//	]
//
// with the location relative to opts.Dir. This is an ordinary ModelProto
// field, so python's json_format still parses such JSON; having no
// "location" key, it is not mistaken for ONNX external data by ONNX tools,
// which report it rather than read a .npy file as raw bytes. ReadJSON reads
// the files back. A tensor whose data does not match its type and shape
// stays in the JSON.
//
// The JSON is streamed: after an error, w may hold part of it (SaveJSON
// writes to a temporary file instead). opts may be nil.
func (m *Model) WriteJSON(w io.Writer, opts *JSONOptions) error {
	if m.err != nil {
		return m.err
	}
	o := orZero(opts)
	if o.Threshold == 0 {
		o.Threshold = 1024
	}
	jw := &jsonWriter{w: bufio.NewWriterSize(w, 1<<20), m: m, o: o, used: map[string]bool{}}
	if o.ExternalDir != "" {
		if o.Dir == "" {
			o.Dir = "."
		}
		ext := o.ExternalDir
		if !filepath.IsAbs(ext) {
			ext = filepath.Join(o.Dir, ext)
		}
		absDir, err1 := filepath.Abs(o.Dir)
		absExt, err2 := filepath.Abs(ext)
		if err1 != nil || err2 != nil {
			return fmt.Errorf("onnxgraph: %w", errors.Join(err1, err2))
		}
		rel, err := filepath.Rel(absDir, absExt)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return errorf(ErrUnsafePath, "json: ExternalDir %q is not inside Dir %q", o.ExternalDir, o.Dir)
		}
		if err := os.MkdirAll(absExt, 0o755); err != nil {
			return fmt.Errorf("onnxgraph: %w", err)
		}
		jw.extAbs, jw.extRel = absExt, filepath.ToSlash(rel)
	}
	// External tensors are found by message; a tensor the encoder had to
	// copy (an initializer renamed since load) shares its entries.
	jw.dirs = map[*onnxproto.StringStringEntryProto]*extDir{}
	for t, d := range m.ext {
		for _, kv := range t.ExternalData {
			jw.dirs[kv] = d
		}
	}
	mp := m.ToProto()
	if err := jw.message(mp.ProtoReflect(), 0); err != nil {
		return err
	}
	jw.w.WriteByte('\n')
	if err := jw.w.Flush(); err != nil {
		return fmt.Errorf("onnxgraph: %w", err)
	}
	return nil
}

// SaveJSON writes the model as JSON to path (see WriteJSON); an empty
// opts.Dir means path's folder. The JSON file is put in place as WriteFile
// does. opts may be nil.
func (m *Model) SaveJSON(path string, opts *JSONOptions) error {
	if m.err != nil {
		return m.err
	}
	o := orZero(opts)
	if o.Dir == "" {
		o.Dir = filepath.Dir(path)
	}
	return WriteFile(context.Background(), path, func(w io.Writer) error { return m.WriteJSON(w, &o) })
}

// jsonWriter emits messages in python's json_format layout.
type jsonWriter struct {
	w      *bufio.Writer
	m      *Model
	o      JSONOptions
	extAbs string // where .npy files go, "" when inline
	extRel string // the same, relative to o.Dir, with slashes
	used   map[string]bool
	dirs   map[*onnxproto.StringStringEntryProto]*extDir
}

var fieldOrder = struct {
	sync.Mutex
	m map[protoreflect.FullName][]protoreflect.FieldDescriptor
}{m: map[protoreflect.FullName][]protoreflect.FieldDescriptor{}}

// sortedFields returns md's fields by number, the order python writes.
func sortedFields(md protoreflect.MessageDescriptor) []protoreflect.FieldDescriptor {
	fieldOrder.Lock()
	defer fieldOrder.Unlock()
	if f, ok := fieldOrder.m[md.FullName()]; ok {
		return f
	}
	fs := md.Fields()
	f := make([]protoreflect.FieldDescriptor, fs.Len())
	for i := range f {
		f[i] = fs.Get(i)
	}
	slices.SortFunc(f, func(a, b protoreflect.FieldDescriptor) int { return int(a.Number()) - int(b.Number()) })
	fieldOrder.m[md.FullName()] = f
	return f
}

func (jw *jsonWriter) indent(n int) {
	jw.w.WriteByte('\n')
	for range n {
		jw.w.WriteString("  ")
	}
}

func (jw *jsonWriter) message(m protoreflect.Message, depth int) error {
	if depth > protowireRecursionLimit {
		return errorf(ErrInvalid, "json: messages nested too deeply")
	}
	if t, ok := m.Interface().(*onnxproto.TensorProto); ok {
		q, err := jw.tensor(t)
		if err != nil {
			return err
		}
		m = q.ProtoReflect()
	}
	first := true
	for _, fd := range sortedFields(m.Descriptor()) {
		if !m.Has(fd) {
			continue
		}
		if first {
			jw.w.WriteByte('{')
			first = false
		} else {
			jw.w.WriteByte(',')
		}
		jw.indent(depth + 1)
		jw.string(fd.JSONName())
		jw.w.WriteString(": ")
		v := m.Get(fd)
		var err error
		switch {
		case fd.IsList():
			l := v.List()
			jw.w.WriteByte('[')
			for i := 0; i < l.Len() && err == nil; i++ {
				if i > 0 {
					jw.w.WriteByte(',')
				}
				jw.indent(depth + 2)
				err = jw.value(fd, l.Get(i), depth+2)
			}
			jw.indent(depth + 1)
			jw.w.WriteByte(']')
		case fd.IsMap():
			mp := v.Map()
			var keys []protoreflect.MapKey
			mp.Range(func(k protoreflect.MapKey, _ protoreflect.Value) bool { keys = append(keys, k); return true })
			slices.SortFunc(keys, func(a, b protoreflect.MapKey) int { return strings.Compare(a.String(), b.String()) })
			jw.w.WriteByte('{')
			for i, k := range keys {
				if i > 0 {
					jw.w.WriteByte(',')
				}
				jw.indent(depth + 2)
				jw.string(k.String())
				jw.w.WriteString(": ")
				if err = jw.value(fd.MapValue(), mp.Get(k), depth+2); err != nil {
					break
				}
			}
			jw.indent(depth + 1)
			jw.w.WriteByte('}')
		default:
			err = jw.value(fd, v, depth+1)
		}
		if err != nil {
			return err
		}
	}
	if first {
		jw.w.WriteString("{}")
		return nil
	}
	jw.indent(depth)
	jw.w.WriteByte('}')
	return nil
}

// protowireRecursionLimit bounds nesting as protobuf's decoders do.
const protowireRecursionLimit = 10000

func (jw *jsonWriter) value(fd protoreflect.FieldDescriptor, v protoreflect.Value, depth int) error {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		jw.w.WriteString(strconv.FormatBool(v.Bool()))
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		jw.w.WriteString(strconv.FormatInt(v.Int(), 10))
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		jw.w.WriteString(strconv.FormatUint(v.Uint(), 10))
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		jw.w.WriteString(`"` + strconv.FormatInt(v.Int(), 10) + `"`)
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		jw.w.WriteString(`"` + strconv.FormatUint(v.Uint(), 10) + `"`)
	case protoreflect.FloatKind:
		jw.w.WriteString(pyFloat(v.Float(), 32))
	case protoreflect.DoubleKind:
		jw.w.WriteString(pyFloat(v.Float(), 64))
	case protoreflect.StringKind:
		if !utf8.ValidString(v.String()) {
			return errorf(ErrInvalid, "json: field %s holds invalid UTF-8, which JSON cannot carry", fd.FullName())
		}
		jw.string(v.String())
	case protoreflect.BytesKind:
		jw.w.WriteByte('"')
		enc := base64.NewEncoder(base64.StdEncoding, jw.w)
		enc.Write(v.Bytes())
		enc.Close()
		jw.w.WriteByte('"')
	case protoreflect.EnumKind:
		if ev := fd.Enum().Values().ByNumber(v.Enum()); ev != nil {
			jw.string(string(ev.Name()))
		} else {
			jw.w.WriteString(strconv.FormatInt(int64(v.Enum()), 10))
		}
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return jw.message(v.Message(), depth)
	default:
		return errorf(ErrInvalid, "json: field %s has unsupported kind %v", fd.FullName(), fd.Kind())
	}
	return nil
}

// string writes s as a JSON string the way python's json module does with
// ensure_ascii: every character outside printable ASCII is escaped.
func (jw *jsonWriter) string(s string) {
	const hexDigits = "0123456789abcdef"
	jw.w.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			jw.w.WriteString(`\"`)
		case r == '\\':
			jw.w.WriteString(`\\`)
		case r == '\n':
			jw.w.WriteString(`\n`)
		case r == '\r':
			jw.w.WriteString(`\r`)
		case r == '\t':
			jw.w.WriteString(`\t`)
		case r == '\b':
			jw.w.WriteString(`\b`)
		case r == '\f':
			jw.w.WriteString(`\f`)
		case r >= 0x20 && r < 0x7f:
			jw.w.WriteByte(byte(r))
		default:
			units := []rune{r}
			if r > 0xffff {
				r -= 0x10000
				units = []rune{0xd800 + r>>10, 0xdc00 + r&0x3ff}
			}
			for _, u := range units {
				jw.w.WriteString(`\u`)
				for sh := 12; sh >= 0; sh -= 4 {
					jw.w.WriteByte(hexDigits[(u>>sh)&0xf])
				}
			}
		}
	}
	jw.w.WriteByte('"')
}

// pyFloat formats a float field as python's json_format and json modules
// do: a double with the shortest digits that read back as the same value,
// a float32 with the fewest digits from 6 up whose double rounds to it,
// laid out as python's repr lays them out.
func pyFloat(v float64, bits int) string {
	switch {
	case math.IsNaN(v):
		return `"NaN"`
	case math.IsInf(v, 1):
		return `"Infinity"`
	case math.IsInf(v, -1):
		return `"-Infinity"`
	}
	s := strconv.FormatFloat(v, 'e', -1, bits) // d.ddde±XX
	if bits == 32 {
		// python's json_format writes a float32 with the fewest digits,
		// but at least 6, whose double rounds to the same float32.
		for p := 6; p <= 17; p++ {
			s = strconv.FormatFloat(v, 'e', p-1, 64)
			if x, err := strconv.ParseFloat(s, 64); err == nil && float32(x) == float32(v) {
				break
			}
		}
		mant, exp, _ := strings.Cut(s, "e")
		if strings.Contains(mant, ".") {
			mant = strings.TrimRight(strings.TrimRight(mant, "0"), ".")
		}
		s = mant + "e" + exp
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	mant, exp, _ := strings.Cut(s, "e")
	digits := strings.Replace(mant, ".", "", 1)
	e, _ := strconv.Atoi(exp)
	decpt := e + 1 // the value is 0.digits × 10^decpt
	var out string
	switch {
	case decpt > -4 && decpt <= 16:
		switch {
		case decpt <= 0:
			out = "0." + strings.Repeat("0", -decpt) + digits
		case decpt >= len(digits):
			out = digits + strings.Repeat("0", decpt-len(digits)) + ".0"
		default:
			out = digits[:decpt] + "." + digits[decpt:]
		}
	default:
		out = digits[:1]
		if len(digits) > 1 {
			out += "." + digits[1:]
		}
		x := decpt - 1
		sign := "+"
		if x < 0 {
			sign, x = "-", -x
		}
		out += "e" + sign + fmt.Sprintf("%02d", x)
	}
	if neg {
		out = "-" + out
	}
	return out
}

// tensor returns the message to write for t: t itself, t with its external
// data read inline, or t with its data moved to a .npy file.
func (jw *jsonWriter) tensor(p *onnxproto.TensorProto) (*onnxproto.TensorProto, error) {
	t := jw.m.tensor(p)
	if t.dir == nil && t.IsExternal() && len(p.ExternalData) > 0 {
		t.dir = jw.dirs[p.ExternalData[0]]
	}
	dt := t.DataType()
	if jw.extAbs != "" && dt != String && ElemBits(dt) > 0 && (jw.o.Threshold < 0 || t.NumBytes() >= jw.o.Threshold) {
		q, err := jw.npy(t)
		if err == nil {
			return q, nil
		}
		if !errors.Is(err, ErrInvalid) {
			return nil, err
		}
		// Data that does not match its type and shape has no .npy form:
		// it stays in the JSON as it is.
	}
	if !t.IsExternal() {
		return p, nil
	}
	raw, err := t.Bytes()
	if err != nil {
		return nil, err
	}
	q := shallow(p)
	q.RawData, q.DataLocation, q.ExternalData = raw, nil, nil
	return q, nil
}

// npy writes t to a new .npy file and returns its message for the JSON.
func (jw *jsonWriter) npy(t *Tensor) (*onnxproto.TensorProto, error) {
	if _, _, err := t.data(); err != nil {
		return nil, err
	}
	name := jw.npyName(t.Name())
	file := filepath.Join(jw.extAbs, name)
	h := sha256.New()
	if err := WriteFile(context.Background(), file, func(w io.Writer) error { return t.WriteNPY(io.MultiWriter(w, h)) }); err != nil {
		return nil, err
	}
	loc := name
	if jw.extRel != "." {
		loc = path.Join(jw.extRel, name)
	}
	q := withoutData(t.p)
	q.DataLocation = onnxproto.TensorProto_EXTERNAL.Enum()
	q.ExternalData = []*onnxproto.StringStringEntryProto{
		{Key: proto.String(jsonNPYKey), Value: proto.String(loc)},
		{Key: proto.String(jsonSHA256Key), Value: proto.String(hex.EncodeToString(h.Sum(nil)))},
	}
	return q, nil
}

// npyName returns a new file name for a tensor called name.
func (jw *jsonWriter) npyName(name string) string {
	base := unsafeName.ReplaceAllString(name, "_")
	if base == "" || base == "." || base == ".." {
		base = "tensor"
	}
	cand := base + ".npy"
	for i := 1; jw.used[strings.ToLower(cand)]; i++ {
		cand = base + "." + strconv.Itoa(i) + ".npy"
	}
	jw.used[strings.ToLower(cand)] = true
	return cand
}

// ReadJSON reads a model from its JSON form: the protobuf JSON mapping,
// as python's onnx2json and WriteJSON write it (lowerCamelCase or
// snake_case keys, 64-bit integers as strings or numbers). Tensors kept in
// .npy files (see WriteJSON) are read from opts.Dir, checked against their
// checksum, dtype and shape, and put inline. opts may be nil.
func ReadJSON(r io.Reader, opts *JSONOptions) (*Model, error) {
	o := orZero(opts)
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("onnxgraph: %w", err)
	}
	mp := new(onnxproto.ModelProto)
	if err := (protojson.UnmarshalOptions{DiscardUnknown: o.DiscardUnknown}).Unmarshal(b, mp); err != nil {
		return nil, errorf(ErrMalformed, "json: %v", err)
	}
	var root *os.Root
	defer func() {
		if root != nil {
			root.Close()
		}
	}()
	var firstErr error
	walkModelTensors(mp, func(t *onnxproto.TensorProto) {
		if firstErr != nil || t.GetDataLocation() != onnxproto.TensorProto_EXTERNAL {
			return
		}
		var loc, sum string
		for _, kv := range t.ExternalData {
			switch kv.GetKey() {
			case jsonNPYKey:
				loc = kv.GetValue()
			case jsonSHA256Key:
				sum = kv.GetValue()
			}
		}
		if loc == "" {
			return // ONNX external data: bound below
		}
		if root == nil {
			if o.Dir == "" {
				firstErr = &ExternalDataError{Tensor: t.GetName(), Location: loc, Err: errorf(ErrExternalData, "the JSON was not read from a folder (set JSONOptions.Dir)")}
				return
			}
			if root, err = os.OpenRoot(o.Dir); err != nil {
				firstErr = fmt.Errorf("onnxgraph: %w", err)
				return
			}
		}
		if err := loadNPYRef(root, t, loc, sum); err != nil {
			firstErr = &ExternalDataError{Tensor: t.GetName(), Location: loc, Err: err}
		}
	})
	if firstErr != nil {
		return nil, firstErr
	}
	m := fromProto(mp)
	if err := m.bindExternal(LoadOptions{Dir: o.Dir}); err != nil {
		return nil, err
	}
	return m, nil
}

// loadNPYRef puts the data of the .npy file loc into t.
func loadNPYRef(root *os.Root, t *onnxproto.TensorProto, loc, sum string) error {
	if err := checkLocation(loc); err != nil {
		return err
	}
	f, err := root.Open(filepath.FromSlash(path.Clean(loc)))
	if err != nil {
		return errorf(ErrExternalData, "%v", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return errorf(ErrExternalData, "not a regular file")
	}
	h := sha256.New()
	x, err := readNPY(bufio.NewReaderSize(io.TeeReader(f, h), 1<<20), t.GetName(), st.Size())
	if err != nil {
		return err
	}
	if _, err := io.Copy(h, f); err != nil { // anything after the array counts too
		return errorf(ErrExternalData, "%v", err)
	}
	if sum != "" {
		if got := hex.EncodeToString(h.Sum(nil)); !strings.EqualFold(got, strings.TrimPrefix(sum, "sha256:")) {
			return errorf(ErrExternalData, "checksum mismatch: the file's SHA-256 is %s, the JSON says %s", got, sum)
		}
	}
	if x, err = fromNPYContainer(x, DataType(t.GetDataType())); err != nil {
		return err
	}
	if !slices.Equal(x.p.Dims, t.Dims) {
		return errorf(ErrExternalData, "the .npy array has shape %v, the tensor %v", x.p.Dims, t.Dims)
	}
	t.RawData, t.StringData = x.p.RawData, x.p.StringData
	t.DataLocation, t.ExternalData = nil, nil
	return nil
}

// OpenJSON reads the JSON form of a model from path (see ReadJSON); an
// empty opts.Dir means path's folder. opts may be nil.
func OpenJSON(path string, opts *JSONOptions) (*Model, error) {
	o := orZero(opts)
	if o.Dir == "" {
		o.Dir = filepath.Dir(path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("onnxgraph: %w", err)
	}
	defer f.Close()
	return ReadJSON(f, &o)
}
