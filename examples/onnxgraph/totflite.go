package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/simplify"
	"github.com/onnxgraph/onnxgraph/tflite"
)

// toTFLiteCmd exports a model to TensorFlow Lite (onnx2tf).
func toTFLiteCmd(c *cmd) {
	var inputs []string
	c.flags.StringArrayVar(&inputs, "input", nil, "fix an input's dims: name=1,3,224,224 (repeatable; every dim must end up static)")
	fp16 := c.flags.Bool("fp16", false, "store float weights as float16, read through DEQUANTIZE")
	keep := c.flags.Bool("keep-nchw-io", false, "keep 4-D inputs and outputs NCHW (a TRANSPOSE at each)")
	noSimplify := c.flags.Bool("no-simplify", false, "convert the graph as it is: no simplifier first (constants computed in the graph and shape computations such as Shape -> Gather -> Concat are then not folded)")
	opts := &tflite.Options{InputShapes: map[string][]int64{}}
	c.before(func() error {
		opts.FP16, opts.KeepNCHWIO, opts.NoSimplify = *fp16, *keep, *noSimplify
		_, dims, err := namedDims("input", inputs)
		if err != nil {
			return err
		}
		for _, name := range slices.Sorted(maps.Keys(dims)) {
			ds := dims[name]
			sizes := make([]int64, len(ds))
			for i, d := range ds {
				if d.Param != "" || d.Size < 0 {
					return usageErr("--input %q: dim %d is %s; to-tflite needs sizes", name+"="+onnxgraph.FormatDims(ds), i, d)
				}
				sizes[i] = d.Size
			}
			opts.InputShapes[name] = sizes
		}
		return nil
	})
	c.readsModels()
	c.do(2, 2, func(args []string) (*report, error) {
		m, err := c.open(args[0])
		if err != nil {
			return nil, err
		}
		var rep *tflite.Report
		if args[1] == stdio {
			c.stdoutUsed = true
			rep, err = tflite.WriteContext(c.g.ctx, m, c.stdout, opts)
		} else {
			rep, err = tflite.SaveContext(c.g.ctx, m, args[1], opts)
		}
		if err != nil {
			return nil, err
		}
		return reportOf(rep, func(p *printer) { printTFLiteReport(p, writtenLabel(args[1]), rep) }), nil
	})
}

func printTFLiteReport(p *printer, path string, r *tflite.Report) {
	p.line("wrote %s: %d bytes (weights %d bytes; the ONNX model's %d)", path, r.FileBytes, r.WeightBytes, r.ONNXWeightBytes)
	io := func(kind string, list []tflite.IO) {
		for _, x := range list {
			layout := ""
			if x.Layout != "" {
				layout = " " + x.Layout
			}
			p.line("%s %s: %s%v%s (ONNX %s%v)", kind, x.Name, x.DType, x.Shape, layout, x.ONNXDType, x.ONNXShape)
		}
	}
	io("input", r.Inputs)
	io("output", r.Outputs)
	if r.Simplified != nil {
		printTFLiteSimplified(p, r.Simplified)
	}
	p.line("%d ONNX nodes -> %d operators; %d TRANSPOSE (%d at inputs and outputs); %d tensors, activations %d bytes (largest %s, %d bytes)",
		r.Nodes, r.Operators, r.Transposes, r.BoundaryTransposes, r.Tensors, r.ActivationBytes, r.LargestTensor, r.LargestTensorBytes)
	counts := func(list []tflite.OpCount) string {
		parts := make([]string, len(list))
		for i, c := range list {
			parts[i] = fmt.Sprintf("%s %d", c.Op, c.Count)
		}
		return strings.Join(parts, ", ")
	}
	p.line("before: %s", counts(r.OpsBefore))
	p.line("after: %s", counts(r.OpsAfter))
	if len(r.Folded) > 0 {
		how := map[string]int{}
		var order []string
		for _, f := range r.Folded {
			k := f.OpType + " " + f.How
			if strings.HasPrefix(f.How, "into ") {
				k = f.OpType + " into the operator before it"
			}
			if how[k] == 0 {
				order = append(order, k)
			}
			how[k]++
		}
		parts := make([]string, len(order))
		for i, k := range order {
			parts[i] = fmt.Sprintf("%d %s", how[k], k)
		}
		p.line("folded: %s", strings.Join(parts, "; "))
	}
	for _, n := range r.Notes {
		p.line("note: %s", n)
	}
}

// printTFLiteSimplified says what the simplifier did before conversion:
// the node counts, the changes per pass, the operator types whose count
// changed, and what it turned off or left.
func printTFLiteSimplified(p *printer, r *simplify.Report) {
	var changes []string
	for _, c := range r.Changes {
		if c.Changes > 0 {
			changes = append(changes, fmt.Sprintf("%s %d", c.Pass, c.Changes))
		}
	}
	if len(changes) == 0 {
		changes = []string{"no change"}
	}
	p.line("simplified first: %d -> %d ONNX nodes (%s)", r.NodesBefore, r.NodesAfter, strings.Join(changes, ", "))
	var ops []string
	for _, oc := range r.Ops {
		if oc.Before != oc.After {
			ops = append(ops, fmt.Sprintf("%s %d -> %d", oc.OpType, oc.Before, oc.After))
		}
	}
	if len(ops) > 0 {
		p.line("simplified ops: %s", capJoin(ops, 12))
	}
	for _, d := range r.Disabled {
		p.line("simplify pass %s turned off: %s", esc(d.Pass), d.Reason)
	}
	if len(r.Left) > 0 {
		p.line("simplify left %d nodes as they are (`onnxgraph simplify` says why)", len(r.Left))
	}
}
