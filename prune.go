package onnxgraph

// Prune removes from g every node whose outputs no graph output needs,
// directly or through other nodes (reads inside subgraphs count), then
// every initializer nobody reads that is not a graph input or output. It
// returns the removed nodes in their original order; on error nothing
// changed. Graph inputs stay:
// removing an input changes the model's interface, which is the caller's
// decision (see RemoveInput).
func (g *Graph) Prune() ([]*Node, error) {
	idx := make(map[*Node]int, len(g.nodes))
	for i, n := range g.nodes {
		idx[n] = i
	}
	preds := g.preds()
	live := make([]bool, len(g.nodes))
	var stack []int
	mark := func(v *Value) {
		if v == nil || v.producer == nil {
			return
		}
		if i, ok := idx[v.producer]; ok && !live[i] {
			live[i] = true
			stack = append(stack, i)
		}
	}
	for _, o := range g.outputs {
		mark(o)
	}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, j := range preds[i] {
			if !live[j] {
				live[j] = true
				stack = append(stack, j)
			}
		}
	}
	var dead []*Node
	for i, n := range g.nodes {
		if !live[i] {
			dead = append(dead, n)
		}
	}
	if len(dead) > 0 {
		if err := g.RemoveNodes(dead...); err != nil {
			return nil, err // dead nodes feed only dead nodes: not expected
		}
	}
	outs := map[*Value]bool{}
	for _, o := range g.outputs {
		outs[o] = true
	}
	var unused []*Value
	for _, v := range g.inits {
		if len(v.uses) == 0 && !v.input && !outs[v] {
			unused = append(unused, v)
		}
	}
	for _, v := range unused {
		_ = g.RemoveInitializer(v) // cannot fail: checked above
	}
	return dead, nil
}
