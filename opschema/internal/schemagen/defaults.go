package schemagen

import (
	"fmt"
	"strconv"
	"strings"
)

// Default is a parsed attribute default. It mirrors opschema.Default.
type Default struct {
	Raw     string
	Kind    defaultKind
	Int     int64
	Float   float32
	String  string
	Ints    []int64
	Floats  []float32
	Strings []string
}

// parseDefault parses raw, a default as written in the data file, for an
// attribute of the given kind. Defaults of tensor, graph and type-proto
// attributes are kept as written (rawOnly); every other kind must parse
// completely or an error is returned.
func parseDefault(kind defaultKind, raw string) (*Default, error) {
	d := &Default{Raw: raw, Kind: kind}
	var err error
	switch kind {
	case rawOnly:
	case kindInt:
		d.Int, err = parseInt(unparen(raw))
	case kindFloat:
		d.Float, err = parseFloat(unparen(raw))
	case kindString:
		d.String, err = parseString(raw)
	case kindInts:
		var elems []string
		if elems, err = splitList(raw); err == nil {
			d.Ints = make([]int64, len(elems))
			for i, e := range elems {
				if d.Ints[i], err = parseInt(e); err != nil {
					break
				}
			}
		}
	case kindFloats:
		var elems []string
		if elems, err = splitList(raw); err == nil {
			d.Floats = make([]float32, len(elems))
			for i, e := range elems {
				if d.Floats[i], err = parseFloat(e); err != nil {
					break
				}
			}
		}
	case kindStrings:
		d.Strings, err = splitList(raw)
	default:
		err = fmt.Errorf("opschema: internal error: unknown default kind %d", kind)
	}
	if err != nil {
		return nil, fmt.Errorf("opschema: cannot parse default %q: %w", raw, err)
	}
	return d, nil
}

// unparen strips surrounding blanks and any number of enclosing
// parentheses: the spec writes some bounds as "(3.402823e+38)".
func unparen(s string) string {
	s = strings.TrimSpace(s)
	for len(s) >= 2 && s[0] == '(' && s[len(s)-1] == ')' {
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	return s
}

func parseInt(s string) (int64, error) {
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("not an integer: %q", s)
	}
	return v, nil
}

func parseFloat(s string) (float32, error) {
	// ParseFloat also accepts hexadecimal mantissas and underscores only
	// with a base prefix; neither occurs in the spec, so both are refused.
	if strings.ContainsAny(s, "_xXpP") {
		return 0, fmt.Errorf("not a decimal floating-point number: %q", s)
	}
	v, err := strconv.ParseFloat(s, 32)
	if err != nil {
		return 0, fmt.Errorf("not a float32: %q", s)
	}
	return float32(v), nil
}

// parseString accepts a string default either bare (NOTSET) or enclosed in
// single or double quotes ('NOTSET'), as Python's repr prints it.
func parseString(s string) (string, error) {
	if s == "" || (s[0] != '\'' && s[0] != '"') {
		return s, nil
	}
	v, rest, err := readQuoted(s)
	if err != nil {
		return "", err
	}
	if rest != "" {
		return "", fmt.Errorf("unexpected %q after quoted string", rest)
	}
	return v, nil
}

// readQuoted reads a string enclosed in the quote character s[0],
// honouring backslash escapes, and returns it with the unread remainder.
func readQuoted(s string) (val, rest string, err error) {
	q := s[0]
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		case c == q:
			return b.String(), s[i+1:], nil
		default:
			b.WriteByte(c)
		}
	}
	return "", "", fmt.Errorf("unterminated quoted string %q", s)
}

// splitList splits a list written as Python prints it, "[a, 'b', 2]", into
// its elements with quotes removed. "[]" yields an empty, non-nil slice.
func splitList(s string) ([]string, error) {
	s = strings.TrimSpace(s)
	if len(s) < 2 || s[0] != '[' || s[len(s)-1] != ']' {
		return nil, fmt.Errorf("not a bracketed list: %q", s)
	}
	body := strings.TrimSpace(s[1 : len(s)-1])
	elems := []string{}
	for body != "" {
		var elem string
		if body[0] == '\'' || body[0] == '"' {
			var err error
			if elem, body, err = readQuoted(body); err != nil {
				return nil, err
			}
			body = strings.TrimSpace(body)
		} else {
			i := strings.IndexByte(body, ',')
			if i < 0 {
				i = len(body)
			}
			elem, body = strings.TrimSpace(body[:i]), body[i:]
			if elem == "" {
				return nil, fmt.Errorf("empty element in list %q", s)
			}
		}
		elems = append(elems, elem)
		if body == "" {
			break
		}
		if body[0] != ',' {
			return nil, fmt.Errorf("missing comma in list %q", s)
		}
		body = strings.TrimSpace(body[1:])
		if body == "" {
			return nil, fmt.Errorf("trailing comma in list %q", s)
		}
	}
	return elems, nil
}
