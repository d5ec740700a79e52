package onnxgraph

import (
	"encoding/binary"

	"github.com/onnxgraph/onnxgraph/onnxproto"
)

// Names of TensorProto's data fields, as messages give them.
const (
	fieldFloat  = "float_data"
	fieldInt32  = "int32_data"
	fieldString = "string_data"
	fieldInt64  = "int64_data"
	fieldRaw    = "raw_data"
	fieldDouble = "double_data"
	fieldUint64 = "uint64_data"
)

// tensorFields returns how many data fields t sets, the first one's name
// and its length (bytes for raw_data, values otherwise).
func tensorFields(t *onnxproto.TensorProto) (count int, field string, length int, all []string) {
	add := func(name string, n int) {
		if n == 0 {
			return
		}
		count++
		if count == 1 {
			field, length = name, n
		}
		all = append(all, name)
	}
	add(fieldFloat, len(t.FloatData))
	add(fieldInt32, len(t.Int32Data))
	add(fieldString, len(t.StringData))
	add(fieldInt64, len(t.Int64Data))
	add(fieldRaw, len(t.RawData))
	add(fieldDouble, len(t.DoubleData))
	add(fieldUint64, len(t.Uint64Data))
	return
}

// typedField returns the typed field that holds n elements of dt and how
// many values it must hold.
func typedField(dt onnxproto.TensorProto_DataType, n int64) (string, int64) {
	switch dt {
	case onnxproto.TensorProto_FLOAT:
		return fieldFloat, n
	case onnxproto.TensorProto_COMPLEX64:
		return fieldFloat, 2 * n
	case onnxproto.TensorProto_DOUBLE:
		return fieldDouble, n
	case onnxproto.TensorProto_COMPLEX128:
		return fieldDouble, 2 * n
	case onnxproto.TensorProto_INT64:
		return fieldInt64, n
	case onnxproto.TensorProto_UINT32, onnxproto.TensorProto_UINT64:
		return fieldUint64, n
	case onnxproto.TensorProto_STRING:
		return fieldString, n
	case onnxproto.TensorProto_INT4, onnxproto.TensorProto_UINT4, onnxproto.TensorProto_FLOAT4E2M1:
		return fieldInt32, (n + 1) / 2 // two 4-bit values per entry
	case onnxproto.TensorProto_INT2, onnxproto.TensorProto_UINT2:
		return fieldInt32, (n + 3) / 4 // four 2-bit values per entry
	}
	return fieldInt32, n // the 8- and 16-bit types, int32, bool, float8
}

// label names a tensor, a value or a type in messages. It is a value, not
// a string, so that the text is built only when a message is.
type label struct {
	kind string // "initializer", "input", "the tensor", ...
	name string // the culprit's name, quoted in the text; "" when none
	part string // a part of it, such as " values"
	attr string // the attribute holding it, or ""
}

// String renders l, e.g. `sparse initializer "S" values` or
// `the tensor of attribute "value"`.
func (l label) String() string {
	s := l.kind
	if l.name != "" {
		s += " " + quote(l.name)
	}
	s += l.part
	if l.attr != "" {
		s += " of attribute " + quote(l.attr)
	}
	return s
}

func (l label) with(part string) label { l.part = part; return l }

// tensor checks a dense tensor: data type, dims, where its data is and how
// much of it there is. desc names it in messages.
func (c *checker) tensor(w where, t *onnxproto.TensorProto, desc label) {
	if t.DataType == nil {
		c.errorf(RuleTensorDataType, w, "%s has no data_type", desc)
		return
	}
	dt := t.GetDataType()
	if dt == 0 {
		c.errorf(RuleTensorDataType, w, "%s has data_type UNDEFINED", desc)
		return
	}
	if !knownDataType(dt) {
		c.errorf(RuleTensorDataType, w, "%s has unknown data_type %d", desc, dt)
		return
	}
	c.needElemIR(w, dt)
	if len(t.MetadataProps) > 0 {
		c.needIR(w, "tensor metadata_props", 10)
	}
	for k, d := range t.Dims {
		if d < 0 {
			c.errorf(RuleTensorDims, w, "%s has negative dimension %d at axis %d (dims %v)", desc, d, k, t.Dims)
			return
		}
	}
	n := NumElements(t.Dims)
	if n < 0 {
		c.errorf(RuleTensorDims, w, "%s has too many elements to count (dims %v)", desc, t.Dims)
		return
	}
	typ := onnxproto.TensorProto_DataType(dt)
	count, field, length, all := tensorFields(t)
	switch loc := t.GetDataLocation(); loc {
	case onnxproto.TensorProto_DEFAULT:
	case onnxproto.TensorProto_EXTERNAL:
		if count > 0 {
			c.errorf(RuleTensorField, w, "%s is stored externally but also has %s", desc, field)
		}
		c.external(w, t, desc, typ, n)
		return
	default:
		c.errorf(RuleTensorField, w, "%s has unknown data_location %d", desc, loc)
		return
	}
	switch {
	case count > 1:
		c.errorf(RuleTensorField, w, "%s has data in %d fields (%v); it may use one", desc, count, all)
		return
	case count == 0:
		if n != 0 {
			c.errorf(RuleTensorField, w, "%s has no data for its %d elements (dims %v)", desc, n, t.Dims)
		}
		return
	case n == 0:
		c.errorf(RuleTensorField, w, "%s has 0 elements (dims %v) but holds data in %s", desc, t.Dims, field)
		return
	}
	if field == fieldRaw {
		if typ == onnxproto.TensorProto_STRING {
			c.errorf(RuleTensorField, w, "%s is a string tensor; strings cannot be stored in raw_data", desc)
			return
		}
		if want := RawSize(typ, n); int64(length) != want {
			c.errorf(RuleTensorSize, w, "%s has %d bytes of raw_data; %d %s elements (dims %v) take %d",
				desc, length, n, DataTypeName(typ), t.Dims, want)
		}
		return
	}
	wantField, want := typedField(typ, n)
	if field != wantField {
		c.errorf(RuleTensorField, w, "%s of type %s holds its data in %s; it belongs in %s", desc, DataTypeName(typ), field, wantField)
		return
	}
	if int64(length) != want {
		c.errorf(RuleTensorSize, w, "%s has %d values in %s; %d %s elements (dims %v) need %d",
			desc, length, field, n, DataTypeName(typ), t.Dims, want)
	}
}

// external checks a tensor's external-data entry and, when the model was
// loaded from a folder, the file it names.
func (c *checker) external(w where, t *onnxproto.TensorProto, desc label, dt DataType, n int64) {
	r, err := externalRef(t)
	if err != nil {
		var reason error = err
		if e, ok := err.(*ExternalDataError); ok {
			reason = e.Err
		}
		c.errorf(RuleExternalData, w, "%s has a bad external-data entry (location %q): %s", desc, r.Location, trimPrefix(reason))
		return
	}
	want := RawSize(dt, n)
	if want >= 0 && r.Length >= 0 && r.Length != want {
		c.errorf(RuleTensorSize, w, "%s has external length %d; %d %s elements take %d bytes", desc, r.Length, n, DataTypeName(dt), want)
	}
	if c.opts.SkipExternalFiles {
		return
	}
	dir := c.m.ext[t]
	if dir == nil {
		return // not loaded from a folder: nothing to open
	}
	_, size, err := dir.open(r.Location)
	if err != nil {
		c.errorf(RuleExternalData, w, "%s: external file %q: %s", desc, r.Location, trimPrefix(err))
		return
	}
	need := r.Length
	if need < 0 {
		need = max(want, 0)
	}
	if r.Offset > size || r.Offset+need > size {
		c.errorf(RuleExternalData, w, "%s: bytes [%d,%d) pass the end of external file %q (%d bytes)", desc, r.Offset, r.Offset+need, r.Location, size)
	}
}

// sparseTensor checks a sparse tensor: its values, dims and indices.
func (c *checker) sparseTensor(w where, sp *onnxproto.SparseTensorProto, desc label) {
	vals := sp.Values
	if vals == nil {
		c.errorf(RuleSparseTensor, w, "%s has no values", desc)
		return
	}
	c.tensor(w, vals, desc.with(" values"))
	if len(vals.Dims) != 1 {
		c.errorf(RuleSparseTensor, w, "%s values have rank %d; they must have rank 1", desc, len(vals.Dims))
		return
	}
	nnz := vals.Dims[0]
	if len(sp.Dims) == 0 {
		c.errorf(RuleSparseTensor, w, "%s has no dims", desc)
		return
	}
	for _, d := range sp.Dims {
		if d <= 0 {
			c.errorf(RuleSparseTensor, w, "%s has dims %v; they must be positive", desc, sp.Dims)
			return
		}
	}
	dense := NumElements(sp.Dims)
	ind := sp.Indices
	if ind == nil {
		if nnz != 0 {
			c.errorf(RuleSparseTensor, w, "%s has %d values but no indices", desc, nnz)
		}
		return
	}
	c.tensor(w, ind, desc.with(" indices"))
	if ind.GetDataType() != int32(onnxproto.TensorProto_INT64) {
		c.errorf(RuleSparseTensor, w, "%s indices are %s; they must be int64", desc, dataTypeLabel(ind.GetDataType()))
		return
	}
	rank := int64(len(sp.Dims))
	switch len(ind.Dims) {
	case 1:
		if ind.Dims[0] != nnz {
			c.errorf(RuleSparseTensor, w, "%s has %d indices for %d values", desc, ind.Dims[0], nnz)
			return
		}
	case 2:
		if ind.Dims[0] != nnz || ind.Dims[1] != rank {
			c.errorf(RuleSparseTensor, w, "%s indices have shape %v; %d values of a rank-%d tensor need [%d %d]", desc, ind.Dims, nnz, rank, nnz, rank)
			return
		}
	default:
		c.errorf(RuleSparseTensor, w, "%s indices have rank %d; they must have rank 1 or 2", desc, len(ind.Dims))
		return
	}
	idx, ok := int64Values(ind)
	if !ok || int64(len(idx)) != NumElements(ind.Dims) {
		return // external, or already reported as the wrong size
	}
	prev := int64(-1)
	for i := int64(0); i < nnz; i++ {
		var lin int64
		if len(ind.Dims) == 1 {
			lin = idx[i]
			if lin < 0 || (dense >= 0 && lin >= dense) {
				c.errorf(RuleSparseTensor, w, "%s index %d at position %d is out of range [0,%d)", desc, lin, i, dense)
				return
			}
		} else {
			for j := int64(0); j < rank; j++ {
				x := idx[i*rank+j]
				if x < 0 || x >= sp.Dims[j] {
					c.errorf(RuleSparseTensor, w, "%s index [%d,%d] = %d is out of range [0,%d)", desc, i, j, x, sp.Dims[j])
					return
				}
				lin = lin*sp.Dims[j] + x
			}
		}
		if lin <= prev {
			c.errorf(RuleSparseTensor, w, "%s indices are not in increasing order at position %d", desc, i)
			return
		}
		prev = lin
	}
}

// int64Values returns an int64 tensor's inline values.
func int64Values(t *onnxproto.TensorProto) ([]int64, bool) {
	if t.GetDataLocation() == onnxproto.TensorProto_EXTERNAL {
		return nil, false
	}
	if len(t.RawData) > 0 {
		if len(t.RawData)%8 != 0 {
			return nil, false
		}
		out := make([]int64, len(t.RawData)/8)
		for i := range out {
			out[i] = int64(binary.LittleEndian.Uint64(t.RawData[8*i:]))
		}
		return out, true
	}
	return t.Int64Data, true
}
