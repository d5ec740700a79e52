package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
)

// inferCmd infers every value's type and shape and saves the model with
// them (ssi4onnx).
func inferCmd(c *cmd) {
	strict := c.flags.Bool("strict", false, "fail on any inconsistency (a conflict with a declared type, inputs that do not fit), on any value left without a complete type and on any node without inference; nothing is saved then")
	checkOnly := c.flags.Bool("check-only", false, "keep declared types; only check them and fill undeclared ones")
	var inputs []string
	c.flags.StringArrayVar(&inputs, "input", nil, "fix an input's shape for inference and in the saved model: name=1,3,H,W (repeatable; a name that is not a number is a symbolic dim)")
	shapes := map[string]shapeinfer.Shape{}
	c.before(func() error {
		for _, spec := range inputs {
			name, shape, err := parseShapeSpec(spec)
			if err != nil {
				return usageErr("--input %v", err)
			}
			shapes[name] = shape
		}
		return nil
	})
	c.edit(func(m *onnxgraph.Model) (*report, error) {
		opts := &shapeinfer.Options{Strict: *strict, CheckOnly: *checkOnly, WriteBack: true, InputShapes: map[string]shapeinfer.Shape{}}
		for _, spec := range inputs {
			name, _, _ := strings.Cut(spec, "=")
			v, ok := m.Graph().Value(name)
			if !ok || !v.IsGraphInput() {
				return nil, fmt.Errorf("--input %q: the model has no graph input %q", spec, name)
			}
			opts.InputShapes[name] = shapes[name]
			t := shapeinfer.FromProto(v.Type())
			if t == nil {
				t = shapeinfer.Tensor(0, nil)
			}
			c := *t
			c.Shape = shapes[name]
			v.SetType(c.Proto())
		}
		res, err := shapeinfer.Infer(m, opts)
		if err != nil {
			return nil, err
		}
		r := inferenceReport(m, res)
		if *strict {
			return r, strictIncomplete(res)
		}
		return r, nil
	})
}

// strictIncomplete is infer --strict's verdict on what inference left
// open: the values without a complete type and the nodes without
// inference, counted, with the first of each named.
func strictIncomplete(res *shapeinfer.Result) error {
	vals, nodes := res.Incomplete(), res.NoInference()
	var causes []string
	if len(vals) > 0 {
		causes = append(causes, fmt.Sprintf("%d values left without a complete type (first %q: %v: %v)", len(vals), vals[0].Name(), res.Type(vals[0]), res.Explain(vals[0])))
	}
	if len(nodes) > 0 {
		n := nodes[0]
		label := n.Name()
		if label == "" {
			label = n.OpType()
		}
		causes = append(causes, fmt.Sprintf("%d nodes without inference (first %q, %s of domain %q)", len(nodes), label, n.OpType(), n.Domain()))
	}
	return failWith("infer --strict: inference is incomplete", causes, 10)
}

// parseShapeSpec parses "name=1,3,H,W".
func parseShapeSpec(spec string) (string, shapeinfer.Shape, error) {
	name, dims, ok := strings.Cut(spec, "=")
	if !ok || name == "" {
		return "", nil, fmt.Errorf("%q is not name=dims", spec)
	}
	shape := shapeinfer.Shape{}
	if dims != "" {
		for _, d := range strings.Split(dims, ",") {
			d = strings.TrimSpace(d)
			switch n, err := strconv.ParseInt(d, 10, 64); {
			case err == nil && n >= 0:
				shape = append(shape, shapeinfer.Known(n))
			case d == "?" || d == "-1":
				shape = append(shape, shapeinfer.Unknown)
			case err == nil:
				return "", nil, fmt.Errorf("%q: negative dim %d", spec, n)
			default:
				shape = append(shape, shapeinfer.Symbol(d))
			}
		}
	}
	return name, shape, nil
}

// inferred is infer's report.
type inferred struct {
	Complete   int             `json:"complete"` // node outputs with a complete type
	Total      int             `json:"total"`    // node outputs
	Outputs    []inferredValue `json:"outputs"`
	Incomplete []inferredValue `json:"incomplete,omitempty"` // the first 50
	Conflicts  []string        `json:"conflicts,omitempty"`
	Problems   []string        `json:"problems,omitempty"`
}

type inferredValue struct {
	Name string `json:"name"`
	Type string `json:"type"`
	Why  string `json:"why,omitempty"`
}

func inferenceReport(m *onnxgraph.Model, res *shapeinfer.Result) *report {
	r := &inferred{}
	m.Graph().Walk(func(g *onnxgraph.Graph) bool {
		for _, n := range g.Nodes() {
			for _, v := range n.Outputs() {
				if v == nil {
					continue
				}
				r.Total++
				if res.Type(v).Complete() {
					r.Complete++
				} else if len(r.Incomplete) < 50 {
					r.Incomplete = append(r.Incomplete, inferredValue{v.Name(), fmt.Sprint(res.Type(v)), fmt.Sprint(res.Explain(v))})
				}
			}
		}
		return true
	})
	for _, o := range m.Graph().Outputs() {
		r.Outputs = append(r.Outputs, inferredValue{Name: o.Name(), Type: fmt.Sprint(res.Type(o))})
	}
	for _, c := range res.Conflicts {
		r.Conflicts = append(r.Conflicts, c.Error())
	}
	for _, p := range res.Problems {
		r.Problems = append(r.Problems, p.Error())
	}
	return reportOf(r, func(p *printer) {
		p.line("%d of %d node outputs have a complete type", r.Complete, r.Total)
		for _, o := range r.Outputs {
			p.line("output %s: %s", o.Name, o.Type)
		}
		if len(r.Incomplete) > 0 {
			p.line("incomplete:")
			for _, v := range r.Incomplete {
				p.line("  %s: %s: %s", v.Name, v.Type, v.Why)
			}
		}
		for _, c := range r.Conflicts {
			p.line("conflict: %s", c)
		}
		for _, s := range r.Problems {
			p.line("problem: %s", s)
		}
	})
}
