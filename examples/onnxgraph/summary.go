package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/samples"
)

func init() {
	register(&command{
		name:    "summary",
		summary: "print a model's operators, parameters, inputs, outputs and opsets (ssc4onnx); without MODEL, a built-in MNIST-shaped sample",
		usage:   "[MODEL]",
		flags: func(fs *flag.FlagSet) func([]string, io.Writer, io.Writer) error {
			asJSON := fs.Bool("json", false, "print JSON")
			return func(args []string, out, _ io.Writer) error {
				var m *onnxgraph.Model
				name := "(built-in sample: MNIST-shaped CNN)"
				var size int64
				switch len(args) {
				case 0:
					m = samples.MNIST()
					b, err := m.Bytes(nil)
					if err != nil {
						return err
					}
					size = int64(len(b))
				case 1:
					var err error
					name = args[0]
					if m, err = onnxgraph.Open(args[0], nil); err != nil {
						return err
					}
					defer m.Close()
					if st, err := os.Stat(args[0]); err == nil {
						size = st.Size()
					}
				default:
					return usageErr("summary takes at most one MODEL")
				}
				s := m.Summarize()
				s.ModelBytes = size
				if *asJSON {
					enc := json.NewEncoder(out)
					enc.SetIndent("", "  ")
					return enc.Encode(s)
				}
				printSummary(out, name, s)
				return nil
			}
		},
	})
}

func printSummary(out io.Writer, name string, s onnxgraph.Summary) {
	fmt.Fprintf(out, "model: %s\n", name)
	fmt.Fprintf(out, "ir_version: %d  opsets:", s.IRVersion)
	for _, d := range sortedDomains(s.Opsets) {
		label := d
		if label == "" {
			label = "ai.onnx"
		}
		fmt.Fprintf(out, " %s=%d", label, s.Opsets[d])
	}
	fmt.Fprintln(out)
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "OP TYPE\tCOUNT\tPARAM BYTES\t")
	for _, op := range s.Ops {
		fmt.Fprintf(tw, "%s\t%d\t%s\t\n", op.OpType, op.Count, human(op.ParamBytes))
	}
	fmt.Fprintf(tw, "total\t%d\t%s\t\n", s.TotalOps, human(s.ParamBytes))
	tw.Flush()
	fmt.Fprintf(out, "parameters: %d (%s", s.Parameters, human(s.ParamBytes))
	if s.ExternalBytes > 0 {
		fmt.Fprintf(out, ", %s external", human(s.ExternalBytes))
	}
	fmt.Fprintf(out, ")  model size: %s\n", human(s.ModelBytes))
	for _, io := range []struct {
		title string
		vals  []onnxgraph.ValueSummary
	}{{"inputs", s.Inputs}, {"outputs", s.Outputs}} {
		fmt.Fprintf(out, "%s:\n", io.title)
		for _, v := range io.vals {
			fmt.Fprintf(out, "  %s: %s %s\n", v.Name, orQ(v.Type), v.Shape)
		}
	}
}

func orQ(s string) string {
	if s == "" {
		return "?"
	}
	return s
}

func human(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.2f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func sortedDomains(m map[string]int64) []string {
	out := make([]string, 0, len(m))
	for d := range m {
		out = append(out, d)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
