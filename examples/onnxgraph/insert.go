package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/opschema"
)

// insertNodeCmd inserts a node between a tensor and its readers
// (sna4onnx).
func insertNodeCmd(c *cmd) {
	op := c.flags.String("op", "", "the operator, e.g. Mul")
	domain := c.flags.String("domain", "", "the operator's domain (default: the ONNX domain)")
	name := c.flags.String("name", "", "the node's name (default: from the operator, made unique)")
	between := c.flags.String("between", "", "SRC, or SRC:NODE1,NODE2: the tensor the node reads, and the readers that switch to its output (default: every reader)")
	var attrs, consts []string
	c.flags.StringArrayVar(&attrs, "attr", nil, "an attribute NAME=VALUE, typed by the operator's schema (3, 0.5, text, 1,2,3 or [1,2,3] for lists); repeatable")
	c.flags.StringArrayVar(&consts, "const", nil, "a constant input FORMAL=VALUE created with the node: a number, a list (1,2,3 or [1,2,3]) or @file.npy; FORMAL is the schema's input name (B for Mul) or its index; repeatable")
	srcInput := c.flags.String("src-input", "", "the input (schema name or index) that reads SRC (default: the first one without a constant)")
	graphOutputs := c.flags.Bool("graph-outputs", false, "also re-point graph outputs that are SRC to the node's output")
	nOut := c.flags.Int("outputs", 0, "number of outputs (default: the schema's minimum)")
	c.needsTypes(nil)
	c.require("op", "between")
	c.before(func() error {
		for _, spec := range attrs {
			if k, _, ok := strings.Cut(spec, "="); !ok || k == "" {
				return usageErr("--attr %q is not NAME=VALUE", spec)
			}
		}
		for _, spec := range consts {
			if k, v, ok := strings.Cut(spec, "="); !ok || k == "" || v == "" {
				return usageErr("--const %q is not FORMAL=VALUE", spec)
			}
		}
		return nil
	})
	c.edit(func(m *onnxgraph.Model) (*report, error) {
		opts := &onnxgraph.InsertNodeOptions{Op: *op, Domain: *domain, Name: *name, SrcInput: *srcInput, GraphOutputs: *graphOutputs, Outputs: *nOut}
		opts.Src, opts.Consumers = splitBetween(m, *between)
		var schema *opschema.Schema
		if v, ok := m.Opset(*domain); ok {
			schema, _ = opschema.Lookup(*domain, *op, int(v))
		}
		for _, spec := range attrs {
			k, v, _ := strings.Cut(spec, "=")
			typ := opschema.AttrUndefined
			if schema != nil {
				if a, ok := schema.Attribute(k); ok {
					typ = a.Type
				}
			}
			a, err := parseAttr(k, typ, v)
			if err != nil {
				return nil, err
			}
			opts.Attrs = append(opts.Attrs, a)
		}
		for _, spec := range consts {
			k, v, _ := strings.Cut(spec, "=")
			x, err := parseConst(k, v)
			if err != nil {
				return nil, err
			}
			if opts.Consts == nil {
				opts.Consts = map[string]any{}
			}
			opts.Consts[k] = x
		}
		var r onnxgraph.InsertNodeReport
		m.InsertNode(opts, &r)
		return reportOf(&r, func(p *printer) {
			p.line("inserted %s (%s, opset %d) reading %s, outputs %s", r.Node, *op, r.Opset, opts.Src, capJoin(r.Outputs, 20))
			printValues(p, "constant", r.Consts)
			if len(r.Rewired) > 0 {
				p.line("readers switched: %s", capJoin(r.Rewired, 20))
			}
			for _, s := range r.Graph {
				p.line("graph output %s", s)
			}
		}), nil
	})
}

// splitBetween reads "SRC" or "SRC:NODE1,NODE2". Tensor names may hold
// ":" (TensorFlow's "x:0"), so SRC is the longest prefix before a ":"
// that names a value of the model.
func splitBetween(m *onnxgraph.Model, s string) (string, []string) {
	if _, ok := m.Graph().Value(s); ok {
		return s, nil
	}
	for i := strings.LastIndex(s, ":"); i > 0; i = strings.LastIndex(s[:i], ":") {
		if _, ok := m.Graph().Value(s[:i]); ok {
			return s[:i], splitList(s[i+1:])
		}
	}
	if src, dst, ok := strings.Cut(s, ":"); ok {
		return src, splitList(dst) // the library names the unknown value
	}
	return s, nil
}

// parseConst reads a constant's text: a number, a list, or @file.npy.
func parseConst(name, s string) (any, error) {
	if path, ok := strings.CutPrefix(s, "@"); ok {
		return onnxgraph.ReadNPYFile(path)
	}
	list := strings.HasPrefix(s, "[") || strings.Contains(s, ",")
	body := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), "["), "]")
	items := splitList(body)
	ints := make([]int64, 0, len(items))
	floats := make([]float64, 0, len(items))
	allInts := true
	for _, it := range items {
		f, err := strconv.ParseFloat(it, 64)
		if err != nil {
			return nil, fmt.Errorf("--const %s: %q is not a number", name, it)
		}
		floats = append(floats, f)
		n, err := strconv.ParseInt(it, 10, 64)
		if err != nil {
			allInts = false
		}
		ints = append(ints, n)
	}
	switch {
	case !list && len(items) == 1 && allInts:
		return ints[0], nil
	case !list && len(items) == 1:
		return floats[0], nil
	case allInts:
		return ints, nil
	}
	return floats, nil
}

// parseAttr reads an attribute's text as type typ (the schema's), or, for
// an attribute the schema does not know, as INT, FLOAT, INTS or FLOATS when
// it parses so, else as STRING. Lists are "1,2,3" or "[1,2,3]".
func parseAttr(name string, typ opschema.AttrType, s string) (*onnxproto.AttributeProto, error) {
	bad := func(err error) error {
		return fmt.Errorf("--attr %s=%s: not a %v: %v", name, s, typ, err)
	}
	items := splitList(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), "["), "]"))
	if typ == opschema.AttrUndefined {
		list := strings.HasPrefix(s, "[") || strings.Contains(s, ",")
		typ = opschema.AttrString
		if c, err := parseConst(name, s); err == nil {
			switch c.(type) {
			case int64:
				typ = opschema.AttrInt
			case float64:
				typ = opschema.AttrFloat
			case []int64:
				typ = opschema.AttrInts
			case []float64:
				typ = opschema.AttrFloats
			}
		} else if list {
			typ = opschema.AttrStrings
		}
	}
	switch typ {
	case opschema.AttrInt:
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return nil, bad(err)
		}
		return onnxgraph.AttrInt(name, n), nil
	case opschema.AttrFloat:
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 32)
		if err != nil {
			return nil, bad(err)
		}
		return onnxgraph.AttrFloat(name, float32(f)), nil
	case opschema.AttrString:
		return onnxgraph.AttrString(name, s), nil
	case opschema.AttrInts:
		ns := make([]int64, len(items))
		for i, it := range items {
			n, err := strconv.ParseInt(it, 10, 64)
			if err != nil {
				return nil, bad(err)
			}
			ns[i] = n
		}
		return onnxgraph.AttrInts(name, ns...), nil
	case opschema.AttrFloats:
		fs := make([]float32, len(items))
		for i, it := range items {
			f, err := strconv.ParseFloat(it, 32)
			if err != nil {
				return nil, bad(err)
			}
			fs[i] = float32(f)
		}
		return onnxgraph.AttrFloats(name, fs...), nil
	case opschema.AttrStrings:
		a := &onnxproto.AttributeProto{Name: &name, Type: onnxproto.AttributeProto_STRINGS.Enum()}
		for _, it := range items {
			a.Strings = append(a.Strings, []byte(strings.Trim(it, `"'`)))
		}
		return a, nil
	}
	return nil, fmt.Errorf("--attr %s: %v attributes cannot be given on the command line", name, typ)
}
