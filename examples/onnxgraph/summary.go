package main

import (
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/samples"
)

// summaryCmd prints what a model is made of (ssc4onnx).
func summaryCmd(c *cmd) {
	c.readsModels()
	c.do(0, 1, func(args []string) (*report, error) {
		var m *onnxgraph.Model
		name := "(built-in sample: MNIST-shaped CNN)"
		var size int64
		if len(args) == 0 {
			m = samples.MNIST()
			b, err := m.Bytes(nil)
			if err != nil {
				return nil, err
			}
			size = int64(len(b))
		} else {
			var err error
			if m, err = c.open(args[0]); err != nil {
				return nil, err
			}
			name, size = label(args[0]), c.stdinSize
			if st, err := os.Stat(args[0]); err == nil && args[0] != stdio {
				size = st.Size()
			}
		}
		s := m.Summarize()
		s.ModelBytes = size
		return reportOf(s, func(p *printer) { printSummary(p, name, s) }), nil
	})
}

func printSummary(p *printer, name string, s onnxgraph.Summary) {
	p.line("model: %s", name)
	opsets := ""
	for _, d := range sortedKeys(s.Opsets) {
		label := d
		if label == "" {
			label = "ai.onnx"
		}
		opsets += fmt.Sprintf(" %s=%d", esc(label), s.Opsets[d])
	}
	p.line("ir_version: %d  opsets:%s", s.IRVersion, opsets)
	tw, flush := p.table(tabwriter.AlignRight)
	tw.line("OP TYPE\tCOUNT\tPARAM BYTES\t")
	for _, op := range s.Ops {
		tw.line("%s\t%d\t%s\t", op.OpType, op.Count, onnxgraph.FormatBytes(op.ParamBytes))
	}
	tw.line("total\t%d\t%s\t", s.TotalOps, onnxgraph.FormatBytes(s.ParamBytes))
	flush()
	external := ""
	if s.ExternalBytes > 0 {
		external = fmt.Sprintf(", %s external", onnxgraph.FormatBytes(s.ExternalBytes))
	}
	p.line("parameters: %d (%s%s)  model size: %s", s.Parameters, onnxgraph.FormatBytes(s.ParamBytes), external, onnxgraph.FormatBytes(s.ModelBytes))
	for _, io := range []struct {
		title string
		vals  []onnxgraph.ValueSummary
	}{{"inputs", s.Inputs}, {"outputs", s.Outputs}} {
		p.line("%s:", io.title)
		for _, v := range io.vals {
			p.line("  %s: %s %s", v.Name, orQ(v.Type), v.Shape)
		}
	}
}

func orQ(s string) string {
	if s == "" {
		return "?"
	}
	return s
}
