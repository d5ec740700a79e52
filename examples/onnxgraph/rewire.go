package main

import (
	"strconv"
	"strings"

	"github.com/onnxgraph/onnxgraph"
)

// rewireCmd makes reads of a value read another value (svs4onnx).
func rewireCmd(c *cmd) {
	from := c.flags.String("from", "", "the value read now")
	to := c.flags.String("to", "", "the value to read instead")
	consumer := c.flags.String("consumer", "", "only this node's reads: NODE, or NODE:INDEX for one input slot (default: every read of --from)")
	outputs := c.flags.Bool("graph-outputs", false, "also re-point graph outputs that are --from (without --consumer)")
	relax := c.flags.Bool("relax-shapes", false, "accept a value whose shape differs (element types must match)")
	keep := c.flags.Bool("keep-dead", false, "keep nodes that no longer serve anything")
	untyped := c.flags.Bool("allow-untyped", false, "rewire even when an element type is unknown, unchecked")
	c.needsTypes(nil)
	opts := &onnxgraph.RewireOptions{}
	c.require("from", "to")
	c.before(func() error {
		*opts = onnxgraph.RewireOptions{From: *from, To: *to, GraphOutputs: *outputs, RelaxShapes: *relax, KeepDead: *keep, AllowUntyped: *untyped}
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
		return nil
	})
	c.edit(func(m *onnxgraph.Model) (*report, error) {
		var r onnxgraph.RewireReport
		m.Rewire(opts, &r)
		return reportOf(&r, func(p *printer) {
			p.line("rewired %d reads from %s to %s: %s", len(r.Rewired), *from, *to, capJoin(r.Rewired, 50))
			if len(r.Outputs) > 0 {
				p.line("re-pointed %d graph outputs", len(r.Outputs))
			}
			if r.Sorted {
				p.line("reordered nodes: the new value was computed after a reader")
			}
			if r.Unchecked {
				p.line("warning: a type is unknown, so the junction was not checked")
			}
			if len(r.Cleared) > 0 {
				p.line("cleared the recorded shapes of %d values the moved reads feed (To's shape differs)", len(r.Cleared))
			}
			printPruned(p, r.Pruned)
		}), nil
	})
	c.records(func() onnxgraph.StepArgs {
		return &onnxgraph.RewireStep{From: *from, To: *to, Consumer: *consumer, GraphOutputs: *outputs, RelaxShapes: *relax, KeepDead: *keep, AllowUntyped: *untyped}
	})
}
