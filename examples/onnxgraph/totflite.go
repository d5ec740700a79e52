package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/tflite"
)

// toTFLiteCommand exports a model to TensorFlow Lite (onnx2tf).
func toTFLiteCommand() *command {
	return &command{
		name:    "to-tflite",
		summary: "export to TensorFlow Lite, the whole graph channels-last (onnx2tf); 4-D inputs and outputs become NHWC",
		usage:   "IN OUT.tflite",
		flags: func(fs *flag.FlagSet) func([]string, io.Writer, io.Writer) error {
			var inputs multiFlag
			fs.Var(&inputs, "input", "fix an input's dims: name=1,3,224,224 (repeatable; every dim must end up static)")
			fp16 := fs.Bool("fp16", false, "store float weights as float16, read through DEQUANTIZE")
			keep := fs.Bool("keep-nchw-io", false, "keep 4-D inputs and outputs NCHW (a TRANSPOSE at each)")
			asJSON := fs.Bool("json", false, "print the report as JSON")
			return func(args []string, out, _ io.Writer) error {
				if len(args) != 2 {
					return usageErr("to-tflite needs IN and OUT.tflite")
				}
				opts := &tflite.Options{FP16: *fp16, KeepNCHWIO: *keep, InputShapes: map[string][]int64{}}
				for _, spec := range inputs {
					name, dims, ok := strings.Cut(spec, "=")
					if !ok {
						return usageErr("--input %q: want name=dims", spec)
					}
					ds, err := onnxgraph.ParseDims(dims)
					if err != nil {
						return usageErr("--input %q: %v", spec, err)
					}
					sizes := make([]int64, len(ds))
					for i, d := range ds {
						if d.Param != "" || d.Size < 0 {
							return usageErr("--input %q: dim %d is %s; to-tflite needs sizes", spec, i, d)
						}
						sizes[i] = d.Size
					}
					opts.InputShapes[name] = sizes
				}
				m, err := onnxgraph.Open(args[0], nil)
				if err != nil {
					return err
				}
				defer m.Close()
				rep, err := tflite.Save(m, args[1], opts)
				if err != nil {
					return err
				}
				if *asJSON {
					b, err := json.MarshalIndent(rep, "", "  ")
					if err != nil {
						return err
					}
					fmt.Fprintln(out, string(b))
					return nil
				}
				printTFLiteReport(out, args[1], rep)
				return nil
			}
		},
	}
}

func printTFLiteReport(w io.Writer, path string, r *tflite.Report) {
	fmt.Fprintf(w, "wrote %s: %d bytes (weights %d bytes; the ONNX model's %d)\n", path, r.FileBytes, r.WeightBytes, r.ONNXWeightBytes)
	io := func(kind string, list []tflite.IO) {
		for _, x := range list {
			layout := ""
			if x.Layout != "" {
				layout = " " + x.Layout
			}
			fmt.Fprintf(w, "%s %s: %s%v%s (ONNX %s%v)\n", kind, x.Name, x.DType, x.Shape, layout, x.ONNXDType, x.ONNXShape)
		}
	}
	io("input", r.Inputs)
	io("output", r.Outputs)
	fmt.Fprintf(w, "%d ONNX nodes -> %d operators; %d TRANSPOSE (%d at inputs and outputs); %d tensors, activations %d bytes (largest %s, %d bytes)\n",
		r.Nodes, r.Operators, r.Transposes, r.BoundaryTransposes, r.Tensors, r.ActivationBytes, r.LargestTensor, r.LargestTensorBytes)
	counts := func(list []tflite.OpCount) string {
		parts := make([]string, len(list))
		for i, c := range list {
			parts[i] = fmt.Sprintf("%s %d", c.Op, c.Count)
		}
		return strings.Join(parts, ", ")
	}
	fmt.Fprintf(w, "before: %s\n", counts(r.OpsBefore))
	fmt.Fprintf(w, "after: %s\n", counts(r.OpsAfter))
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
		fmt.Fprintf(w, "folded: %s\n", strings.Join(parts, "; "))
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
}
