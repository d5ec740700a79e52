package view

import (
	"math"
	"slices"
	"sort"
)

// box is a node of the layout: its size in, its centre out.
type box struct {
	w, h  float64
	order int // the walk position: edges that go back against it are reversed
	x, y  float64
	layer int
	dummy bool
}

// link is an edge of the layout; points are computed, from its source to
// its target.
type link struct {
	from, to int
	label    float64 // the width of the edge's label, room kept for it between layers left to right
	points   [][2]float64
}

// Layout spacing, in pixels.
const (
	gapAlong  = 46 // between layers
	gapAcross = 22 // between boxes of one layer
	margin    = 24 // around the drawing
	// maxDummySpan is the longest edge, in layers, routed through the
	// layers it crosses; longer edges are drawn straight, which keeps a
	// level with far-reaching edges (a graph input read everywhere) cheap.
	maxDummySpan = 40
)

// layered lays boxes out in layers along the flow (top-down, or
// left-to-right when lr), Sugiyama-style: layers by longest path with
// sources pulled next to their readers, long edges through dummy boxes,
// order within a layer by barycentre sweeps, positions across by
// averaging neighbours. It returns the drawing's width and height, with
// margin on every side.
func layered(boxes []box, links []link, lr bool, margin float64) (float64, float64) {
	n := len(boxes)
	if n == 0 {
		return 2 * margin, 2 * margin
	}
	if lr { // lay out top-down with the sizes turned, then turn back
		for i := range boxes {
			boxes[i].w, boxes[i].h = boxes[i].h, boxes[i].w
		}
	}
	rank := make([]int, n)
	byOrder := make([]int, n)
	for i := range byOrder {
		byOrder[i] = i
	}
	sort.SliceStable(byOrder, func(a, b int) bool { return boxes[byOrder[a]].order < boxes[byOrder[b]].order })
	for r, i := range byOrder {
		rank[i] = r
	}
	// Edges forward in walk order; reversed ones remember it.
	type fe struct{ from, to, link int }
	fwd := make([]fe, 0, len(links))
	succ := make([][]int, n)
	pred := make([][]int, n)
	for k, l := range links {
		a, b := l.from, l.to
		if a == b {
			continue
		}
		if rank[a] > rank[b] {
			a, b = b, a
		}
		fwd = append(fwd, fe{a, b, k})
		succ[a] = append(succ[a], b)
		pred[b] = append(pred[b], a)
	}
	// Longest path, then sources moved down next to their first reader.
	for _, i := range byOrder {
		for _, p := range pred[i] {
			boxes[i].layer = max(boxes[i].layer, boxes[p].layer+1)
		}
	}
	for r := n - 1; r >= 0; r-- {
		i := byOrder[r]
		if len(pred[i]) == 0 && len(succ[i]) > 0 {
			low := math.MaxInt
			for _, s := range succ[i] {
				low = min(low, boxes[s].layer-1)
			}
			boxes[i].layer = max(boxes[i].layer, low)
		}
	}
	// Dummy boxes along long edges.
	all := boxes
	chains := make([][]int, len(links)) // box indexes from the forward source to target
	for _, e := range fwd {
		span := all[e.to].layer - all[e.from].layer
		chain := []int{e.from}
		if span > 1 && span <= maxDummySpan {
			for l := all[e.from].layer + 1; l < all[e.to].layer; l++ {
				all = append(all, box{layer: l, order: all[e.from].order, dummy: true})
				chain = append(chain, len(all)-1)
			}
		}
		chains[e.link] = append(chain, e.to)
	}
	nb := len(all)
	up := make([][]int, nb)
	down := make([][]int, nb)
	for _, ch := range chains {
		for i := 1; i < len(ch); i++ {
			if all[ch[i]].layer-all[ch[i-1]].layer == 1 {
				down[ch[i-1]] = append(down[ch[i-1]], ch[i])
				up[ch[i]] = append(up[ch[i]], ch[i-1])
			}
		}
	}
	nl := 0
	for _, b := range all {
		nl = max(nl, b.layer+1)
	}
	layers := make([][]int, nl)
	for i, b := range all {
		layers[b.layer] = append(layers[b.layer], i)
	}
	pos := make([]float64, nb)
	for _, layer := range layers {
		sort.SliceStable(layer, func(a, b int) bool { return all[layer[a]].order < all[layer[b]].order })
		for p, i := range layer {
			pos[i] = float64(p)
		}
	}
	// Barycentre sweeps.
	sweep := func(l int, nbrs [][]int) {
		layer := layers[l]
		bc := make(map[int]float64, len(layer))
		for _, i := range layer {
			if len(nbrs[i]) == 0 {
				bc[i] = pos[i]
				continue
			}
			s := 0.0
			for _, j := range nbrs[i] {
				s += pos[j]
			}
			bc[i] = s / float64(len(nbrs[i]))
		}
		sort.SliceStable(layer, func(a, b int) bool { return bc[layer[a]] < bc[layer[b]] })
		for p, i := range layer {
			pos[i] = float64(p)
		}
	}
	for it := 0; it < 4; it++ {
		for l := 1; l < nl; l++ {
			sweep(l, up)
		}
		for l := nl - 2; l >= 0; l-- {
			sweep(l, down)
		}
	}
	// Across: pack, then pull each box towards its neighbours.
	x := make([]float64, nb)
	for _, layer := range layers {
		at := 0.0
		for _, i := range layer {
			x[i] = at + all[i].w/2
			at += all[i].w + gapAcross
		}
	}
	place := func(layer []int, nbrs [][]int) {
		want := make([]float64, len(layer))
		for p, i := range layer {
			want[p] = x[i]
			if len(nbrs[i]) > 0 {
				s := 0.0
				for _, j := range nbrs[i] {
					s += x[j]
				}
				want[p] = s / float64(len(nbrs[i]))
			}
		}
		sep := func(p int) float64 { return (all[layer[p-1]].w+all[layer[p]].w)/2 + gapAcross }
		// Left to right no overlap, then right to left no overlap, and
		// the mean of both, which keeps a symmetric spread.
		l2r := slices.Clone(want)
		for p := 1; p < len(layer); p++ {
			l2r[p] = max(l2r[p], l2r[p-1]+sep(p))
		}
		r2l := slices.Clone(want)
		for p := len(layer) - 2; p >= 0; p-- {
			r2l[p] = min(r2l[p], r2l[p+1]-sep(p+1))
		}
		for p, i := range layer {
			x[i] = (l2r[p] + r2l[p]) / 2
		}
		for p := 1; p < len(layer); p++ { // the mean may overlap: push right
			x[layer[p]] = max(x[layer[p]], x[layer[p-1]]+sep(p))
		}
	}
	for it := 0; it < 6; it++ {
		for l := 1; l < nl; l++ {
			place(layers[l], up)
		}
		for l := nl - 2; l >= 0; l-- {
			place(layers[l], down)
		}
	}
	// Along: each layer as thick as its thickest box; left to right, the
	// gap after a layer fits the labels of the edges leaving it.
	gap := make([]float64, nl)
	for l := range gap {
		gap[l] = gapAlong
	}
	if lr {
		for k, ch := range chains {
			if ch != nil {
				l := all[ch[0]].layer
				gap[l] = max(gap[l], links[k].label+28)
			}
		}
	}
	y := make([]float64, nl)
	at := margin
	for l, layer := range layers {
		thick := 0.0
		for _, i := range layer {
			thick = max(thick, all[i].h)
		}
		y[l] = at + thick/2
		at += thick + gap[l]
	}
	minX := math.Inf(1)
	maxX := math.Inf(-1)
	for i := range all {
		minX = min(minX, x[i]-all[i].w/2)
		maxX = max(maxX, x[i]+all[i].w/2)
	}
	for i := range all {
		all[i].x = x[i] - minX + margin
		all[i].y = y[all[i].layer]
	}
	width, height := maxX-minX+2*margin, at-gap[nl-1]+margin
	// Edge points, from the original source to the original target.
	for k := range links {
		ch := chains[k]
		if ch == nil {
			continue
		}
		pts := make([][2]float64, 0, len(ch))
		for j, i := range ch {
			b := all[i]
			switch {
			case j == 0:
				pts = append(pts, [2]float64{b.x, b.y + b.h/2})
			case j == len(ch)-1:
				pts = append(pts, [2]float64{b.x, b.y - b.h/2})
			default:
				pts = append(pts, [2]float64{b.x, b.y})
			}
		}
		if ch[0] != links[k].from {
			slices.Reverse(pts)
		}
		links[k].points = pts
	}
	copy(boxes, all[:n])
	if lr {
		for i := range boxes {
			b := &boxes[i]
			b.x, b.y, b.w, b.h = b.y, b.x, b.h, b.w
		}
		for k := range links {
			for j := range links[k].points {
				p := &links[k].points[j]
				p[0], p[1] = p[1], p[0]
			}
		}
		width, height = height, width
	}
	return width, height
}
