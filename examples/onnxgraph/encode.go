package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
)

// encode and decode are sed4onnx: the base64 of a tensor's raw bytes, as
// the rawData fields of a model's JSON form show it.

// encoded is what encode and decode report: a tensor's element type,
// shape, and its data as base64, as values or as a .npy file.
type encoded struct {
	DType  string  `json:"dtype"`
	Dims   []int64 `json:"dims"`
	Base64 string  `json:"base64,omitempty"`
	Values string  `json:"values,omitempty"` // nested lists, as decode prints them
	NPY    string  `json:"npy,omitempty"`    // the .npy file decode wrote
}

// encodeCmd prints the base64 of a tensor's raw data (sed4onnx encode).
func encodeCmd(c *cmd) {
	npy := c.flags.String("npy", "", "a .npy file to encode")
	dtype := c.flags.String("dtype", "", "the element type of VALUES: float32, float16, bfloat16, int64, uint8, bool, string, float8e4m3fn, int4, ...")
	c.do(0, 1, func(args []string) (*report, error) {
		var t *onnxgraph.Tensor
		switch {
		case *npy != "" && *dtype == "" && len(args) == 0:
			var err error
			if t, err = onnxgraph.ReadNPYFile(*npy); err != nil {
				return nil, err
			}
		case *npy == "" && *dtype != "" && len(args) == 1:
			dt, err := encParseDType(*dtype)
			if err != nil {
				return nil, err
			}
			if dt == onnxgraph.String {
				return encodedReport(encoded{DType: "string", Dims: []int64{}, Base64: base64.StdEncoding.EncodeToString([]byte(args[0]))}), nil
			}
			if t, err = encParseValues(dt, args[0]); err != nil {
				return nil, err
			}
		default:
			return nil, usageErr("encode needs --npy FILE, or --dtype TYPE and VALUES (a number or a nested list such as [-1,3,224,224])")
		}
		e := encoded{DType: onnxgraph.DataTypeName(t.DataType()), Dims: t.Dims()}
		if t.DataType() == onnxgraph.String {
			// As sed4onnx does, a string encodes as its bytes.
			s, err := t.Strings()
			if err != nil {
				return nil, err
			}
			if len(s) != 1 {
				return nil, fmt.Errorf("encode: a string array has no raw form; only a single string encodes")
			}
			e.Base64 = base64.StdEncoding.EncodeToString(s[0])
			return encodedReport(e), nil
		}
		var err error
		if e.Base64, err = t.Base64(); err != nil {
			return nil, err
		}
		return encodedReport(e), nil
	})
}

// decodeCmd decodes the base64 of a tensor's raw data (sed4onnx decode).
func decodeCmd(c *cmd) {
	dtype := c.flags.String("dtype", "", "the element type (required): float32, float16, bfloat16, int64, uint8, bool, string, float8e4m3fn, int4, ...")
	shape := c.flags.String("shape", "", "the shape, comma-separated, one dim may be -1; default: 1-D")
	npy := c.flags.String("npy", "", "write the tensor to this .npy file instead of printing it")
	c.require("dtype")
	c.do(1, 1, func(args []string) (*report, error) {
		dt, err := encParseDType(*dtype)
		if err != nil {
			return nil, err
		}
		dims := []int64{-1}
		if *shape != "" {
			dims = dims[:0]
			for _, f := range strings.Split(*shape, ",") {
				d, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64)
				if err != nil {
					return nil, usageErr("bad --shape %q", *shape)
				}
				dims = append(dims, d)
			}
		}
		t, err := onnxgraph.TensorFromBase64("decoded", dt, dims, args[0])
		if err != nil {
			return nil, err
		}
		e := encoded{DType: onnxgraph.DataTypeName(dt), Dims: t.Dims()}
		switch {
		case *npy != "":
			if err := t.WriteNPYFile(*npy); err != nil {
				return nil, err
			}
			e.NPY = *npy
		case dt == onnxgraph.String:
			s, _ := t.Strings()
			e.Values = string(s[0])
		default:
			if e.Values, err = encFormatValues(t); err != nil {
				return nil, err
			}
		}
		return encodedReport(e), nil
	})
}

// encodedReport prints the base64, the values, or what was written.
func encodedReport(e encoded) *report {
	return reportOf(e, func(p *printer) {
		switch {
		case e.NPY != "":
			p.line("wrote %s: %s %v", e.NPY, e.DType, e.Dims)
		case e.Base64 != "":
			p.line("%s", e.Base64)
		default:
			p.line("%s", e.Values)
		}
	})
}

// encParseDType reads an element type by its NumPy-style name (float32,
// int64, bfloat16, float8e4m3fn, ...) or its ONNX name (FLOAT, INT64, ...).
func encParseDType(s string) (onnxgraph.DataType, error) {
	want := strings.ToLower(strings.TrimSpace(s))
	switch want {
	case "float":
		return onnxgraph.Float, nil
	case "double":
		return onnxgraph.Double, nil
	}
	var names []string
	for n := range onnxproto.TensorProto_DataType_name {
		dt := onnxgraph.DataType(n)
		if dt == onnxproto.TensorProto_UNDEFINED {
			continue
		}
		if want == onnxgraph.DataTypeName(dt) || want == strings.ToLower(dt.String()) {
			return dt, nil
		}
		names = append(names, onnxgraph.DataTypeName(dt))
	}
	sort.Strings(names)
	return 0, usageErr("unknown dtype %q (one of %s)", s, strings.Join(names, ", "))
}

// encParseValues reads a number, or a rectangular nested list of numbers in
// JSON (as python prints a list: [[1,2],[3,4]]), into a tensor of type dt.
// Floats may be written "nan", "inf" or "-inf"; bools true, false, 1 or 0.
func encParseValues(dt onnxgraph.DataType, text string) (*onnxgraph.Tensor, error) {
	fixed := strings.NewReplacer("True", "true", "False", "false").Replace(text)
	for _, w := range []string{"-inf", "inf", "nan", "-Infinity", "Infinity", "NaN"} {
		fixed = replaceWord(fixed, w, strconv.Quote(w))
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(fixed)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, usageErr("VALUES %q is not a number or a list: %v", text, err)
	}
	// The shape follows the first element at each depth; every list must
	// match it.
	dims := []int64{}
	for x := v; ; {
		l, ok := x.([]any)
		if !ok {
			break
		}
		dims = append(dims, int64(len(l)))
		if len(l) == 0 {
			break
		}
		x = l[0]
	}
	var flat []any
	var walk func(v any, depth int) error
	walk = func(v any, depth int) error {
		l, ok := v.([]any)
		if depth == len(dims) {
			if ok {
				return fmt.Errorf("ragged list")
			}
			flat = append(flat, v)
			return nil
		}
		if !ok || int64(len(l)) != dims[depth] {
			return fmt.Errorf("ragged list")
		}
		for _, x := range l {
			if err := walk(x, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(v, 0); err != nil {
		return nil, usageErr("VALUES %q: %v", text, err)
	}
	if dims == nil {
		dims = []int64{}
	}
	num := func(x any) (string, error) {
		switch y := x.(type) {
		case json.Number:
			return string(y), nil
		case string:
			return y, nil
		case bool:
			if y {
				return "1", nil
			}
			return "0", nil
		}
		return "", fmt.Errorf("%v is not a number", x)
	}
	switch {
	case dt == onnxgraph.Bool:
		vals := make([]bool, len(flat))
		for i, x := range flat {
			s, err := num(x)
			if err != nil || (s != "0" && s != "1") {
				return nil, usageErr("VALUES: %v is not a bool", x)
			}
			vals[i] = s == "1"
		}
		return onnxgraph.NewTensorOf("values", dt, dims, vals)
	case dt == onnxgraph.Uint64:
		vals := make([]uint64, len(flat))
		for i, x := range flat {
			s, err := num(x)
			if err == nil {
				vals[i], err = strconv.ParseUint(s, 10, 64)
			}
			if err != nil {
				return nil, usageErr("VALUES: %v is not a uint64", x)
			}
		}
		return onnxgraph.NewTensorOf("values", dt, dims, vals)
	case dt == onnxgraph.Complex64 || dt == onnxgraph.Complex128:
		return nil, fmt.Errorf("encode: complex values are not supported; use --npy")
	}
	floats := make([]float64, len(flat))
	ints := make([]int64, len(flat))
	var notInt error
	for i, x := range flat {
		s, err := num(x)
		if err != nil {
			return nil, usageErr("VALUES: %v", err)
		}
		if floats[i], err = strconv.ParseFloat(s, 64); err != nil {
			return nil, usageErr("VALUES: %q is not a number", s)
		}
		if ints[i], err = strconv.ParseInt(s, 10, 64); err != nil && notInt == nil {
			notInt = usageErr("VALUES: %q is not an integer", s)
		}
	}
	if t, err := onnxgraph.NewTensorOf("values", dt, dims, floats); err == nil {
		return t, nil // a floating-point type
	}
	if notInt != nil {
		return nil, notInt
	}
	return onnxgraph.NewTensorOf("values", dt, dims, ints)
}

// replaceWord replaces w in s where it stands alone (not inside a word).
func replaceWord(s, w, by string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, w)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		before := i == 0 || !isWordByte(s[i-1])
		after := i+len(w) == len(s) || !isWordByte(s[i+len(w)])
		b.WriteString(s[:i])
		if before && after && !(i > 0 && s[i-1] == '-' && w[0] != '-') {
			b.WriteString(by)
		} else {
			b.WriteString(w)
		}
		s = s[i+len(w):]
	}
}

func isWordByte(c byte) bool {
	return c == '_' || c == '"' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

// encFormatValues prints a tensor's values compactly, nested by its shape:
// [[1,2,3],[4,5,6]]; floats at the fewest digits that read back the same,
// NaN and infinities as numpy prints them.
func encFormatValues(t *onnxgraph.Tensor) (string, error) {
	v, err := t.Values()
	if err != nil {
		return "", err
	}
	var items []string
	bits := 32
	if t.DataType() == onnxgraph.Double || t.DataType() == onnxgraph.Complex128 {
		bits = 64
	}
	ff := func(f float64) string {
		switch {
		case math.IsNaN(f):
			return "nan"
		case math.IsInf(f, 1):
			return "inf"
		case math.IsInf(f, -1):
			return "-inf"
		}
		return strconv.FormatFloat(f, 'g', -1, bits)
	}
	switch x := v.(type) {
	case []float32:
		for _, f := range x {
			items = append(items, ff(float64(f)))
		}
	case []float64:
		for _, f := range x {
			items = append(items, ff(f))
		}
	case []complex64:
		for _, c := range x {
			items = append(items, "("+ff(float64(real(c)))+"+"+ff(float64(imag(c)))+"j)")
		}
	case []complex128:
		for _, c := range x {
			items = append(items, "("+ff(real(c))+"+"+ff(imag(c))+"j)")
		}
	case []bool:
		for _, b := range x {
			items = append(items, strconv.FormatBool(b))
		}
	case [][]byte:
		for _, s := range x {
			items = append(items, strconv.Quote(string(s)))
		}
	default:
		var ints []int64
		if t.DataType() == onnxgraph.Uint64 {
			u, _ := t.Uint64s()
			for _, n := range u {
				items = append(items, strconv.FormatUint(n, 10))
			}
			break
		}
		ints, err = t.Int64s()
		if err != nil {
			return "", err
		}
		for _, n := range ints {
			items = append(items, strconv.FormatInt(n, 10))
		}
	}
	var nest func(dims []int64, items []string) string
	nest = func(dims []int64, items []string) string {
		if len(dims) == 0 {
			return items[0]
		}
		if dims[0] == 0 {
			return "[]"
		}
		step := len(items) / int(dims[0])
		parts := make([]string, dims[0])
		for i := range parts {
			parts[i] = nest(dims[1:], items[i*step:(i+1)*step])
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	dims := t.Dims()
	if len(items) == 0 {
		return strings.Repeat("[", max(1, len(dims))) + strings.Repeat("]", max(1, len(dims))), nil
	}
	return nest(dims, items), nil
}
