package main

import (
	"fmt"
	"strings"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/opschema"
)

// genOpCmd builds a one-node model for an operator (sog4onnx).
func genOpCmd(c *cmd) {
	op := c.flags.String("op", "", "the operator, e.g. Gemm")
	opset := c.flags.Int64("opset", 0, "the opset of the default domain (default: the newest known)")
	domain := c.flags.String("domain", "", "the operator's domain (a custom domain skips the schema checks)")
	domainVersion := c.flags.Int64("domain-version", 1, "the version imported for a domain other than the default")
	name := c.flags.String("name", "", "the node's name (default: OpType_0)")
	ir := c.flags.Int64("ir", 0, "the IR version (default: the one the opset came with)")
	var ins, outs, attrs []string
	c.flags.StringArrayVar(&ins, "input", nil, "an input NAME:TYPE:DIMS (A:float32:1,512; dims may be names, ? for unknown, empty for a scalar); "+
		"NAME:TYPE:DIMS=VALUES makes it a constant (1,2,3, one value to fill, or @file.npy); an empty NAME skips an optional input; repeatable, in order")
	c.flags.StringArrayVar(&outs, "output", nil, "an output NAME:TYPE:DIMS; repeatable, in order")
	c.flags.StringArrayVar(&attrs, "attr", nil, "an attribute NAME=VALUE typed by the schema (transB=0, perm=0,2,3,1), NAME:TYPE=VALUE for a custom operator "+
		"(TYPE int, float, string, ints, floats, strings), NAME=@file.npy for a tensor; repeatable")
	c.require("op")
	c.produce(0, 0, func([]string) (*onnxgraph.Model, *report, error) {
		v := *opset
		if v == 0 {
			v = int64(opschema.MaxOpset(""))
		}
		b := onnxgraph.NewBuilder(v)
		if *domain != "" && *domain != "ai.onnx" {
			b.Import(*domain, *domainVersion)
		}
		if *ir > 0 {
			b.IRVersion(*ir)
		}
		spec := onnxgraph.NodeSpec{Op: *op, Domain: *domain, Name: *name, Attrs: onnxgraph.Attrs{}}
		for _, s := range ins {
			in, err := genOpInput(b, s)
			if err != nil {
				return nil, nil, err
			}
			spec.Inputs = append(spec.Inputs, in)
		}
		var outDecl []genOpValue
		for _, s := range outs {
			o, err := parseGenOpValue(s)
			if err != nil {
				return nil, nil, err
			}
			spec.Outputs = append(spec.Outputs, o.name)
			outDecl = append(outDecl, o)
		}
		for _, s := range attrs {
			k, a, err := genOpAttr(s)
			if err != nil {
				return nil, nil, err
			}
			spec.Attrs[k] = a
		}
		n := b.Node(spec)
		if n != nil {
			for i, o := range outDecl {
				if v := n.Output(i); v != nil {
					b.OutputAs(v, o.dt, o.dims...)
				}
			}
		}
		m, err := b.Build()
		if err != nil {
			return nil, nil, err
		}
		s := m.Summarize()
		data := struct {
			Op      string `json:"op"`
			Inputs  int    `json:"inputs"`
			Outputs int    `json:"outputs"`
			Opset   int64  `json:"opset"`
		}{n.OpType(), len(s.Inputs), len(s.Outputs), v}
		return m, reportOf(data, func(p *printer) {
			p.line("wrote %s: %s, %d inputs, %d outputs, opset %d", writtenLabel(c.argv[0]), data.Op, data.Inputs, data.Outputs, data.Opset)
		}), nil
	})
}

// genOpAttr reads an --attr NAME=VALUE or NAME:TYPE=VALUE.
func genOpAttr(s string) (string, any, error) {
	k, val, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return "", nil, usageErr("--attr %q is not NAME=VALUE", s)
	}
	var v any = val
	if strings.HasPrefix(val, "@") {
		t, err := onnxgraph.ReadNPYFile(val[1:])
		if err != nil {
			return "", nil, err
		}
		v = t
	}
	key, typ, typed := strings.Cut(k, ":")
	if !typed {
		return k, v, nil
	}
	at, err := parseAttrTypeName(typ)
	if err != nil {
		return "", nil, usageErr("--attr %q: %v", s, err)
	}
	a, err := onnxgraph.NewAttr(key, at, v)
	if err != nil {
		return "", nil, err
	}
	return key, a, nil
}

type genOpValue struct {
	name   string
	dt     onnxgraph.DataType
	dims   []onnxgraph.Dim
	values string // after "=", "" when none
}

// parseGenOpValue reads NAME:TYPE:DIMS[=VALUES].
func parseGenOpValue(s string) (genOpValue, error) {
	decl, values, _ := strings.Cut(s, "=")
	parts := strings.SplitN(decl, ":", 3)
	if len(parts) < 2 {
		return genOpValue{}, usageErr("%q is not NAME:TYPE:DIMS", s)
	}
	v := genOpValue{name: parts[0], values: values}
	dt, err := onnxgraph.ParseDataType(parts[1])
	if err != nil {
		return v, usageErr("%q: %v", s, err)
	}
	v.dt = dt
	v.dims = []onnxgraph.Dim{}
	if len(parts) == 3 {
		if v.dims, err = onnxgraph.ParseDims(parts[2]); err != nil {
			return v, usageErr("%q: %v", s, err)
		}
	}
	return v, nil
}

// genOpInput makes one input: a graph input, a constant, or a skipped
// optional input (an empty spec or name).
func genOpInput(b *onnxgraph.Builder, s string) (any, error) {
	if s == "" || strings.HasPrefix(s, ":") {
		return nil, nil
	}
	v, err := parseGenOpValue(s)
	if err != nil {
		return nil, err
	}
	if v.values == "" {
		return b.Input(v.name, v.dt, v.dims...), nil
	}
	var shape []int64
	for _, d := range v.dims {
		if d.Size < 0 {
			return nil, usageErr("%q: a constant needs fixed dims", s)
		}
		shape = append(shape, d.Size)
	}
	var data any = v.values
	if strings.HasPrefix(v.values, "@") {
		t, err := onnxgraph.ReadNPYFile(v.values[1:])
		if err != nil {
			return nil, err
		}
		data = t
	} else if n := onnxgraph.NumElements(shape); n > 1 && !strings.Contains(v.values, ",") {
		data = strings.TrimSuffix(strings.Repeat(v.values+",", int(n)), ",")
	}
	return b.Const(v.name, v.dt, shape, data), nil
}

func parseAttrTypeName(s string) (opschema.AttrType, error) {
	switch strings.ToLower(s) {
	case "int", "int64":
		return opschema.AttrInt, nil
	case "float", "float32":
		return opschema.AttrFloat, nil
	case "string", "str":
		return opschema.AttrString, nil
	case "ints":
		return opschema.AttrInts, nil
	case "floats":
		return opschema.AttrFloats, nil
	case "strings":
		return opschema.AttrStrings, nil
	}
	return 0, fmt.Errorf("unknown attribute type %q", s)
}
