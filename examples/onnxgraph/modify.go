package main

import (
	"strings"

	"github.com/onnxgraph/onnxgraph"
)

// modifyCmd changes a node's attributes and constant inputs (sam4onnx).
func modifyCmd(c *cmd) {
	node := c.flags.String("node", "", "the node's name")
	var attrs, consts, dels []string
	c.flags.StringArrayVar(&attrs, "attr", nil, "an attribute NAME=VALUE, typed by the operator's schema (perm=0,2,3,1, epsilon=1e-5, mode=nearest); repeatable")
	c.flags.StringArrayVar(&consts, "const", nil, "a constant input's new data INPUT=values (1,2,3), in the constant's element type; repeatable")
	c.flags.StringArrayVar(&dels, "delete-attr", nil, "an attribute to remove; repeatable")
	ck := c.shapeCheckFlags()
	opts := &onnxgraph.ModifyOptions{}
	c.require("node")
	c.before(func() (err error) {
		opts.DeleteAttrs = dels
		if opts.Attrs, err = keyValues(attrs, "--attr", "NAME=VALUE"); err != nil {
			return err
		}
		opts.Consts, err = keyValues(consts, "--const", "INPUT=VALUES")
		return err
	})
	c.edit(func(m *onnxgraph.Model) (*report, error) {
		var r onnxgraph.ModifyReport
		m.Modify(*node, opts, &r)
		ck.apply(m)
		return reportOf(&r, func(p *printer) {
			p.line("node %s in graph %q", r.Node, r.Graph)
			for _, s := range r.Set {
				p.line("  set %s", s)
			}
			for _, s := range r.Deleted {
				p.line("  deleted %s", s)
			}
			for _, s := range r.Consts {
				p.line("  constant %s changed", s)
			}
			for _, s := range r.Copied {
				p.line("  constant copied: %s", s)
			}
		}), nil
	})
	c.records(func() onnxgraph.StepArgs {
		return &onnxgraph.ModifyStep{Node: *node, Attr: texts(opts.Attrs), Const: texts(opts.Consts), DeleteAttr: opts.DeleteAttrs}
	})
}

// keyValues reads KEY=VALUE flags into a map (nil when there are none).
func keyValues(specs []string, flag, form string) (map[string]any, error) {
	if len(specs) == 0 {
		return nil, nil
	}
	out := map[string]any{}
	for _, spec := range specs {
		k, v, ok := strings.Cut(spec, "=")
		if !ok || k == "" {
			return nil, usageErr("%s %q is not %s", flag, spec, form)
		}
		out[k] = v
	}
	return out, nil
}

// texts turns the values keyValues read (text) back into text.
func texts(m map[string]any) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k], _ = v.(string)
	}
	return out
}
