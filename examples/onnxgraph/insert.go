package main

import (
	"fmt"
	"strings"

	"github.com/onnxgraph/onnxgraph"
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
	var resolved *onnxgraph.InsertNodeOptions // Src and Consumers as the edit read --between
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
		resolved = opts
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
			a, err := onnxgraph.ParseAttr(k, typ, v)
			if err != nil {
				return nil, fmt.Errorf("--attr %s=%s: %w", k, v, err)
			}
			opts.Attrs = append(opts.Attrs, a)
		}
		for _, spec := range consts {
			k, v, _ := strings.Cut(spec, "=")
			x, err := onnxgraph.ParseConst(v)
			if err != nil {
				return nil, fmt.Errorf("--const %s: %w", k, err)
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
	c.records(func() onnxgraph.StepArgs {
		step := &onnxgraph.InsertNodeStep{Operator: *op, Domain: *domain, Name: *name, Src: resolved.Src, Consumers: resolved.Consumers,
			SrcInput: *srcInput, GraphOutputs: *graphOutputs, Outputs: *nOut, Attr: map[string]string{}, Const: map[string]string{}}
		for _, spec := range attrs {
			k, v, _ := strings.Cut(spec, "=")
			step.Attr[k] = v
		}
		for _, spec := range consts {
			k, v, _ := strings.Cut(spec, "=")
			step.Const[k] = v
		}
		return step
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
