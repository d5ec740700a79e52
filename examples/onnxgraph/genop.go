package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/opschema"
)

func init() {
	register(&command{
		name:    "gen-op",
		summary: "build a one-node model for an operator, checked against its schema (sog4onnx)",
		usage:   "OUT",
		flags: func(fs *flag.FlagSet) func([]string, io.Writer, io.Writer) error {
			op := fs.String("op", "", "the operator, e.g. Gemm")
			opset := fs.Int64("opset", 0, "the opset of the default domain (default: the newest known)")
			domain := fs.String("domain", "", "the operator's domain (a custom domain skips the schema checks)")
			domainVersion := fs.Int64("domain-version", 1, "the version imported for a domain other than the default")
			name := fs.String("name", "", "the node's name (default: OpType_0)")
			ir := fs.Int64("ir", 0, "the IR version (default: the one the opset came with)")
			var ins, outs, attrs multiFlag
			fs.Var(&ins, "input", "an input NAME:TYPE:DIMS (A:float32:1,512; dims may be names, ? for unknown, empty for a scalar); "+
				"NAME:TYPE:DIMS=VALUES makes it a constant (1,2,3, one value to fill, or @file.npy); an empty NAME skips an optional input; repeatable, in order")
			fs.Var(&outs, "output", "an output NAME:TYPE:DIMS; repeatable, in order")
			fs.Var(&attrs, "attr", "an attribute NAME=VALUE typed by the schema (transB=0, perm=0,2,3,1), NAME:TYPE=VALUE for a custom operator "+
				"(TYPE int, float, string, ints, floats, strings), NAME=@file.npy for a tensor; repeatable")
			return func(args []string, out, _ io.Writer) error {
				if len(args) != 1 {
					return usageErr("gen-op needs OUT")
				}
				if *op == "" {
					return usageErr("gen-op needs --op")
				}
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
						return err
					}
					spec.Inputs = append(spec.Inputs, in)
				}
				var outDecl []genOpValue
				for _, s := range outs {
					o, err := parseGenOpValue(s)
					if err != nil {
						return err
					}
					spec.Outputs = append(spec.Outputs, o.name)
					outDecl = append(outDecl, o)
				}
				for _, s := range attrs {
					k, val, ok := strings.Cut(s, "=")
					if !ok || k == "" {
						return usageErr("--attr %q is not NAME=VALUE", s)
					}
					var v any = val
					if strings.HasPrefix(val, "@") {
						t, err := onnxgraph.ReadNPYFile(val[1:])
						if err != nil {
							return err
						}
						v = t
					}
					if key, typ, typed := strings.Cut(k, ":"); typed {
						at, err := parseAttrTypeName(typ)
						if err != nil {
							return usageErr("--attr %q: %v", s, err)
						}
						a, err := onnxgraph.NewAttr(key, at, v)
						if err != nil {
							return err
						}
						v, k = a, key
					}
					spec.Attrs[k] = v
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
					return err
				}
				if err := m.Save(args[0]); err != nil {
					return err
				}
				s := m.Summarize()
				fmt.Fprintf(out, "wrote %s: %s, %d inputs, %d outputs, opset %d\n", args[0], n.OpType(), len(s.Inputs), len(s.Outputs), v)
				return nil
			}
		},
	})
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
