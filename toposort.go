package onnxgraph

import "container/heap"

// TopoSort orders g's nodes so that every node comes after the nodes whose
// outputs it reads, counting reads made inside its subgraphs (an If branch
// reading an outer value depends on that value's producer). The order is
// stable: it is Kahn's algorithm taking, among the nodes that are ready, the
// one that came first, so a graph already in order is left as it is and
// otherwise nodes move only as far as their producers require. It runs in
// O(V+E) on an ordered graph and O(E + V log V) otherwise. Subgraphs are
// sorted too. On a cycle it returns a *CycleError naming the nodes on one
// cycle and changes nothing.
func (g *Graph) TopoSort() error {
	g.model.touch()
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
	// The lists are filled node after node, so they are consecutive runs
	// of one slice: a few allocations, not one per node.
	preds := make([][]int, len(g.nodes))
	flat := make([]int, 0, 2*len(g.nodes))
	add := func(i int, v *Value) {
		if v == nil || v.producer == nil {
			return
		}
		if j, ok := idx[v.producer]; ok {
			flat = append(flat, j)
		}
	}
	starts := make([]int, len(g.nodes)+1)
	for i, n := range g.nodes {
		starts[i] = len(flat)
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
	starts[len(g.nodes)] = len(flat)
	for i := range preds {
		if a, b := starts[i], starts[i+1]; b > a {
			preds[i] = flat[a:b:b]
		}
	}
	return preds
}

// topoOrder computes the stable order of g's own nodes.
func (g *Graph) topoOrder() ([]*Node, error) {
	preds := g.preds()
	n := len(g.nodes)
	ordered := true
	for i, ps := range preds {
		for _, j := range ps {
			if j >= i {
				ordered = false
			}
		}
	}
	if ordered {
		return g.nodes, nil
	}
	indeg := make([]int, n)
	succ := make([][]int, n)
	for i, ps := range preds {
		for _, j := range ps {
			succ[j] = append(succ[j], i)
			indeg[i]++
		}
	}
	ready := &intHeap{}
	for i := 0; i < n; i++ {
		if indeg[i] == 0 {
			*ready = append(*ready, i)
		}
	}
	heap.Init(ready)
	order := make([]*Node, 0, n)
	for ready.Len() > 0 {
		i := heap.Pop(ready).(int)
		order = append(order, g.nodes[i])
		for _, k := range succ[i] {
			if indeg[k]--; indeg[k] == 0 {
				heap.Push(ready, k)
			}
		}
	}
	if len(order) < n {
		return nil, g.cycleError(preds, indeg, n-len(order))
	}
	return order, nil
}

// cycleError finds one cycle among the nodes Kahn's algorithm could not
// order (those with indeg > 0) by walking producers until one repeats.
func (g *Graph) cycleError(preds [][]int, indeg []int, stuck int) error {
	start := -1
	for i, d := range indeg {
		if d > 0 {
			start = i
			break
		}
	}
	pos := map[int]int{}
	var path []int
	for cur := start; ; {
		if p, seen := pos[cur]; seen {
			path = path[p:]
			break
		}
		pos[cur] = len(path)
		path = append(path, cur)
		next := -1
		for _, j := range preds[cur] {
			if indeg[j] > 0 {
				next = j
				break
			}
		}
		cur = next
	}
	// path follows producers; report it in edge order, closing the loop.
	names := make([]string, 0, len(path)+1)
	for i := len(path) - 1; i >= 0; i-- {
		names = append(names, g.nodes[path[i]].label())
	}
	names = append(names, g.nodes[path[len(path)-1]].label())
	return &CycleError{Graph: g.Name(), Nodes: names, Stuck: stuck}
}

// intHeap is a min-heap of node indexes.
type intHeap []int

func (h intHeap) Len() int           { return len(h) }
func (h intHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h intHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *intHeap) Push(x any)        { *h = append(*h, x.(int)) }
func (h *intHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// TopoOrder returns g's nodes in the order TopoSort would give them,
// without changing g (subgraphs are not ordered). On a cycle it returns a
// *CycleError.
func (g *Graph) TopoOrder() ([]*Node, error) {
	order, err := g.topoOrder()
	if err != nil {
		return nil, err
	}
	return append([]*Node(nil), order...), nil
}
