package onnxgraph

import (
	"gonum.org/v1/gonum/graph/simple"
	"gonum.org/v1/gonum/graph/topo"
)

// TopoSort orders g's nodes so that every node comes after the nodes whose
// outputs it reads, counting reads made inside its subgraphs (an If branch
// reading an outer value depends on that value's producer). The order is
// stable: a graph already in order is left as it is, and otherwise each node
// keeps its place relative to the others except that it moves after the
// producers it needs. It runs in O(V+E). Subgraphs are sorted too. On a
// cycle it returns a *CycleError naming the nodes on it and changes nothing.
func (g *Graph) TopoSort() error {
	var plans []func()
	var err error
	g.Walk(func(s *Graph) bool {
		order, e := s.topoOrder()
		if e != nil {
			err = e
			return false
		}
		plans = append(plans, func() { s.nodes = order })
		return true
	})
	if err != nil {
		return err
	}
	for _, apply := range plans {
		apply()
	}
	return nil
}

// preds returns, for each node of g by index, the indexes of the nodes of g
// it depends on, directly or through its subgraphs, in input order.
func (g *Graph) preds() [][]int {
	idx := make(map[*Node]int, len(g.nodes))
	for i, n := range g.nodes {
		idx[n] = i
	}
	preds := make([][]int, len(g.nodes))
	add := func(i int, v *Value) {
		if v == nil || v.producer == nil {
			return
		}
		if j, ok := idx[v.producer]; ok {
			preds[i] = append(preds[i], j)
		}
	}
	for i, n := range g.nodes {
		for _, v := range n.inputs {
			add(i, v)
		}
		for _, s := range n.subs {
			s.g.Walk(func(inner *Graph) bool {
				for _, m := range inner.nodes {
					for _, v := range m.inputs {
						add(i, v)
					}
				}
				for _, v := range inner.outputs {
					add(i, v)
				}
				return true
			})
		}
	}
	return preds
}

// topoOrder computes the stable order: a depth-first walk over each node's
// producers, taking nodes in their original order, emitting a node once all
// its producers are emitted.
func (g *Graph) topoOrder() ([]*Node, error) {
	preds := g.preds()
	const (
		white = iota
		grey
		black
	)
	color := make([]uint8, len(g.nodes))
	order := make([]*Node, 0, len(g.nodes))
	var stack []frame
	for root := range g.nodes {
		if color[root] != white {
			continue
		}
		stack = append(stack[:0], frame{root, 0})
		color[root] = grey
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			if top.next < len(preds[top.node]) {
				p := preds[top.node][top.next]
				top.next++
				switch color[p] {
				case white:
					color[p] = grey
					stack = append(stack, frame{p, 0})
				case grey:
					return nil, g.cycleError(preds, p, stack)
				}
				continue
			}
			color[top.node] = black
			order = append(order, g.nodes[top.node])
			stack = stack[:len(stack)-1]
		}
	}
	return order, nil
}

// cycleError names the nodes on the cycle the walk closed (from p around
// the stack back to p), and counts every node caught in a cycle using
// gonum's strongly connected components.
func (g *Graph) cycleError(preds [][]int, p int, stack []frame) error {
	var cycle []string
	start := 0
	for i, f := range stack {
		if f.node == p {
			start = i
			break
		}
	}
	// The stack runs from consumers to producers; edges go producer -> consumer.
	cycle = append(cycle, g.nodes[p].label())
	for i := len(stack) - 1; i > start; i-- {
		cycle = append(cycle, g.nodes[stack[i].node].label())
	}
	cycle = append(cycle, g.nodes[p].label())
	dg := simple.NewDirectedGraph()
	for i := range g.nodes {
		dg.AddNode(simple.Node(i))
	}
	for i, ps := range preds {
		for _, j := range ps {
			if i == j {
				continue
			}
			if !dg.HasEdgeFromTo(int64(j), int64(i)) {
				dg.SetEdge(simple.Edge{F: simple.Node(j), T: simple.Node(i)})
			}
		}
	}
	stuck := 0
	for _, scc := range topo.TarjanSCC(dg) {
		if len(scc) > 1 {
			stuck += len(scc)
		}
	}
	for i, ps := range preds {
		for _, j := range ps {
			if i == j {
				stuck++ // a node reading its own output
				break
			}
		}
	}
	return &CycleError{Graph: g.Name(), Nodes: cycle, Stuck: stuck}
}

// frame is a step of the depth-first walk: a node and its next producer.
type frame struct{ node, next int }
