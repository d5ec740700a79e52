package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
)

// multiFlag collects a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }

func init() {
	register(&command{
		name:    "infer",
		summary: "infer every value's type and shape (ssi4onnx) and save the model with them; explains what stays unknown",
		usage:   "IN OUT",
		flags: func(fs *flag.FlagSet) func([]string, io.Writer, io.Writer) error {
			strict := fs.Bool("strict", false, "fail on any inconsistency (a conflict with a declared type, inputs that do not fit), on any value left without a complete type and on any node without inference; nothing is saved then")
			checkOnly := fs.Bool("check-only", false, "keep declared types; only check them and fill undeclared ones")
			var inputs multiFlag
			fs.Var(&inputs, "input", "fix an input's shape for inference and in the saved model: name=1,3,H,W (repeatable; a name that is not a number is a symbolic dim)")
			return func(args []string, out, _ io.Writer) error {
				if len(args) != 2 {
					return usageErr("infer needs IN and OUT")
				}
				m, err := onnxgraph.Open(args[0], nil)
				if err != nil {
					return err
				}
				defer m.Close()
				opts := &shapeinfer.Options{Strict: *strict, CheckOnly: *checkOnly, WriteBack: true, InputShapes: map[string]shapeinfer.Shape{}}
				for _, spec := range inputs {
					name, shape, err := parseShapeSpec(spec)
					if err != nil {
						return err
					}
					v, ok := m.Graph().Value(name)
					if !ok || !v.IsGraphInput() {
						return fmt.Errorf("onnxgraph: --input %q: the model has no graph input %q", spec, name)
					}
					opts.InputShapes[name] = shape
					t := shapeinfer.FromProto(v.Type())
					if t == nil {
						t = shapeinfer.Tensor(0, nil)
					}
					c := *t
					c.Shape = shape
					v.SetType(c.Proto())
				}
				res, err := shapeinfer.Infer(m, opts)
				if err != nil {
					return err
				}
				if *strict {
					if err := strictIncomplete(res); err != nil {
						reportInference(out, m, res)
						return err
					}
				}
				if err := m.Save(args[1]); err != nil {
					return err
				}
				reportInference(out, m, res)
				return nil
			}
		},
	})
}

// strictIncomplete is infer --strict's verdict on what inference left
// open: the values without a complete type and the nodes without
// inference, counted, with the first of each named.
func strictIncomplete(res *shapeinfer.Result) error {
	vals, nodes := res.Incomplete(), res.NoInference()
	if len(vals) == 0 && len(nodes) == 0 {
		return nil
	}
	var parts []string
	if len(vals) > 0 {
		parts = append(parts, fmt.Sprintf("%d values left without a complete type (first %q: %v: %v)", len(vals), vals[0].Name(), res.Type(vals[0]), res.Explain(vals[0])))
	}
	if len(nodes) > 0 {
		n := nodes[0]
		label := n.Name()
		if label == "" {
			label = n.OpType()
		}
		parts = append(parts, fmt.Sprintf("%d nodes without inference (first %q, %s of domain %q)", len(nodes), label, n.OpType(), n.Domain()))
	}
	return fmt.Errorf("onnxgraph: infer --strict: %s", strings.Join(parts, "; "))
}

// parseShapeSpec parses "name=1,3,H,W".
func parseShapeSpec(spec string) (string, shapeinfer.Shape, error) {
	name, dims, ok := strings.Cut(spec, "=")
	if !ok || name == "" {
		return "", nil, fmt.Errorf("onnxgraph: %q is not name=dims", spec)
	}
	var shape shapeinfer.Shape
	if dims != "" {
		for _, d := range strings.Split(dims, ",") {
			d = strings.TrimSpace(d)
			switch n, err := strconv.ParseInt(d, 10, 64); {
			case err == nil && n >= 0:
				shape = append(shape, shapeinfer.Known(n))
			case d == "?" || d == "-1":
				shape = append(shape, shapeinfer.Unknown)
			case err == nil:
				return "", nil, fmt.Errorf("onnxgraph: %q: negative dim %d", spec, n)
			default:
				shape = append(shape, shapeinfer.Symbol(d))
			}
		}
	}
	if shape == nil {
		shape = shapeinfer.Shape{}
	}
	return name, shape, nil
}

func reportInference(out io.Writer, m *onnxgraph.Model, res *shapeinfer.Result) {
	total, complete := 0, 0
	var missing []string
	m.Graph().Walk(func(g *onnxgraph.Graph) bool {
		for _, n := range g.Nodes() {
			for _, v := range n.Outputs() {
				if v == nil {
					continue
				}
				total++
				if res.Type(v).Complete() {
					complete++
				} else if len(missing) < 50 {
					missing = append(missing, fmt.Sprintf("  %s: %v: %v", v.Name(), res.Type(v), res.Explain(v)))
				}
			}
		}
		return true
	})
	fmt.Fprintf(out, "%d of %d node outputs have a complete type\n", complete, total)
	for _, o := range m.Graph().Outputs() {
		fmt.Fprintf(out, "output %s: %v\n", o.Name(), res.Type(o))
	}
	if len(missing) > 0 {
		fmt.Fprintln(out, "incomplete:")
		for _, s := range missing {
			fmt.Fprintln(out, s)
		}
	}
	for _, c := range res.Conflicts {
		fmt.Fprintf(out, "conflict: %v\n", c)
	}
	for _, p := range res.Problems {
		fmt.Fprintf(out, "problem: %v\n", p)
	}
}
