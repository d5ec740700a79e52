package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
)

func init() {
	register(&command{
		name:    "rewire",
		summary: "make one consumer input, or every read, of a value read another value (svs4onnx), then prune what became dead",
		usage:   "IN OUT",
		flags: func(fs *flag.FlagSet) func([]string, io.Writer, io.Writer) error {
			from := fs.String("from", "", "the value read now")
			to := fs.String("to", "", "the value to read instead")
			consumer := fs.String("consumer", "", "only this node's reads: NODE, or NODE:INDEX for one input slot (default: every read of --from)")
			outputs := fs.Bool("graph-outputs", false, "also re-point graph outputs that are --from (without --consumer)")
			relax := fs.Bool("relax-shapes", false, "accept a value whose shape differs (element types must match)")
			keep := fs.Bool("keep-dead", false, "keep nodes that no longer serve anything")
			noInfer := fs.Bool("no-infer", false, "check against declared types only (by default shape inference fills undeclared ones)")
			ext := externalFlag(fs)
			return func(args []string, out, _ io.Writer) error {
				if len(args) != 2 {
					return usageErr("rewire needs IN and OUT")
				}
				if *from == "" || *to == "" {
					return usageErr("rewire needs --from and --to")
				}
				opts := &onnxgraph.RewireOptions{From: *from, To: *to, GraphOutputs: *outputs, RelaxShapes: *relax, KeepDead: *keep}
				if !*noInfer {
					opts.TypeOf = inferredTypes()
				}
				if *consumer != "" {
					node, idx, hasIdx := strings.Cut(*consumer, ":")
					opts.Consumer = node
					if hasIdx {
						i, err := strconv.Atoi(idx)
						if err != nil || i < 0 {
							return usageErr("--consumer %q: the index is not a number", *consumer)
						}
						opts.Slots = []int{i}
					}
				}
				m, err := onnxgraph.Open(args[0], nil)
				if err != nil {
					return err
				}
				defer m.Close()
				var r onnxgraph.RewireReport
				if err := m.Rewire(opts, &r).SaveWith(args[1], ext()); err != nil {
					return err
				}
				fmt.Fprintf(out, "rewired %d reads from %s to %s: %s\n", len(r.Rewired), *from, *to, strings.Join(r.Rewired, ", "))
				if len(r.Outputs) > 0 {
					fmt.Fprintf(out, "re-pointed %d graph outputs\n", len(r.Outputs))
				}
				if r.Sorted {
					fmt.Fprintln(out, "reordered nodes: the new value was computed after a reader")
				}
				if r.Unchecked {
					fmt.Fprintln(out, "warning: a type is unknown, so the junction was not checked")
				}
				printPruned(out, r.Pruned)
				return nil
			}
		},
	})
}

// Helpers shared by the structural-edit commands (merge, extract,
// delete-nodes, insert-node, add-outputs, delete-outputs, rewire, prune).

// splitList splits a comma list, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// externalFlag declares --external and returns the save options it asks
// for (as the copy command reads it).
func externalFlag(fs *flag.FlagSet) func() *onnxgraph.SaveOptions {
	external := fs.String("external", "keep", "where weights go: keep (the input's layout), inline, pertensor, or a FILE name for one external file")
	return func() *onnxgraph.SaveOptions {
		switch *external {
		case "keep", "":
			return nil
		case "inline":
			return &onnxgraph.SaveOptions{External: onnxgraph.ExternalInline}
		case "pertensor", "per-tensor":
			return &onnxgraph.SaveOptions{External: onnxgraph.ExternalPerTensor}
		}
		return &onnxgraph.SaveOptions{External: onnxgraph.ExternalSingle, Location: *external}
	}
}

// inferredTypes returns a TypeOf hook answering from shape inference, run
// once per model on first use (a hook may see values of several models, as
// Merge's does). A model inference fails on gives no types.
func inferredTypes() func(*onnxgraph.Value) *onnxproto.TypeProto {
	type cached struct {
		gen uint64
		res *shapeinfer.Result
	}
	results := map[*onnxgraph.Model]cached{}
	return func(v *onnxgraph.Value) *onnxproto.TypeProto {
		m := v.Graph().Model()
		c, ok := results[m]
		if !ok || c.gen != m.Generation() {
			// New, or edited since: the model as it is now.
			c = cached{m.Generation(), inferSafely(m)}
			results[m] = c
		}
		res := c.res
		if res == nil {
			return nil
		}
		if t := res.Type(v); t != nil {
			return t.Proto()
		}
		return nil
	}
}

func inferSafely(m *onnxgraph.Model) (res *shapeinfer.Result) {
	defer func() {
		if recover() != nil {
			res = nil
		}
	}()
	res, _ = shapeinfer.Infer(m, nil)
	return res
}

func printPruned(out io.Writer, pruned []string) {
	if len(pruned) > 0 {
		fmt.Fprintf(out, "pruned %d nodes and initializers no longer needed: %s\n", len(pruned), capJoin(pruned, 20))
	}
}

// capJoin joins at most n items and says how many more there are.
func capJoin(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:n], ", ") + fmt.Sprintf(", ... (%d more)", len(items)-n)
}

// printValues prints "what name type" lines for boundary values.
func printValues(out io.Writer, what string, vs []onnxgraph.ValueSummary) {
	for _, v := range vs {
		t := v.Type + v.Shape
		if t == "" {
			t = "type unknown"
		}
		fmt.Fprintf(out, "%s %s: %s\n", what, v.Name, t)
	}
}

// warnTypes prints the boundary values whose type or shape is unknown.
func warnTypes(out io.Writer, noType, noShape []string) {
	if len(noType) > 0 {
		fmt.Fprintf(out, "warning: no type known for %s (checkers will refuse the model)\n", strings.Join(noType, ", "))
	}
	if len(noShape) > 0 {
		fmt.Fprintf(out, "warning: no shape known for %s\n", strings.Join(noShape, ", "))
	}
}
