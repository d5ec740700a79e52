package view

// Compound layout: an open group is drawn as a frame around its contents,
// laid out on their own, and takes part in its parent's layout as one big
// box. Frames so never overlap, and each level is laid out from the boxes
// and edges it holds directly.

// Frame spacing, in pixels.
const (
	framePad    = 10 // between a frame and its contents
	frameHeader = 16 // the frame's title above its contents
)

// block is an open group (or the whole drawing, it == nil) in the layout.
type block struct {
	it      *item
	members []int // box indexes (>= 0) and blocks (-1 - block index)
	links   []link
	w, h    float64 // the frame's size, contents and padding included
	x, y    float64 // the frame's top-left corner, global
	pos     []box   // the members' layout, relative to the contents' origin
}

// placed is a level laid out: positions of boxes, route of every edge,
// frames of the open groups.
type placed struct {
	width, height float64
	blocks        []*block
}

// compound lays out boxes (sizes set; shown[i] is the item of box i) and
// links between them, grouping boxes in frames by their open ancestors. It
// sets every box's centre and every link's points.
func compound(shown []*item, boxes []box, links []link, open map[string]bool, lr bool) *placed {
	// The frame that directly holds an item: its nearest open group or
	// body ancestor, nil for the drawing.
	holder := func(it *item) *item {
		for p := it.parent; p != nil && p.key != ""; p = p.parent {
			if (p.kind == kindGroup || p.kind == kindBody) && open[p.key] {
				return p
			}
		}
		return nil
	}
	blockOf := map[*item]int{}
	var blocks []*block
	var ensure func(it *item) int
	ensure = func(it *item) int {
		if b, ok := blockOf[it]; ok {
			return b
		}
		b := len(blocks)
		blocks = append(blocks, &block{it: it})
		blockOf[it] = b
		if it != nil {
			p := ensure(holder(it))
			blocks[p].members = append(blocks[p].members, -1-b)
		}
		return b
	}
	ensure(nil)
	container := make([]int, len(boxes)) // the block holding each box
	for i, it := range shown {
		b := ensure(holder(it))
		container[i] = b
		blocks[b].members = append(blocks[b].members, i)
	}
	parent := make([]int, len(blocks))
	for i, b := range blocks {
		parent[i] = -1
		if b.it != nil {
			parent[i] = blockOf[holder(b.it)]
		}
	}
	depth := make([]int, len(blocks))
	for i := range blocks {
		for p := parent[i]; p >= 0; p = parent[p] {
			depth[i]++
		}
	}
	// Each link belongs to the innermost block holding both ends, between
	// the two members of that block that hold them.
	type route struct{ block, link int }
	routes := make([]route, len(links))
	memberLink := map[[3]int]int{}
	for k, l := range links {
		ma, mb := l.from, l.to
		ba, bb := container[ma], container[mb]
		for ba != bb {
			if depth[ba] >= depth[bb] {
				ma, ba = -1-ba, parent[ba]
			} else {
				mb, bb = -1-bb, parent[bb]
			}
		}
		if ma == mb {
			routes[k] = route{-1, -1}
			continue
		}
		key := [3]int{ba, ma, mb}
		j, ok := memberLink[key]
		if !ok {
			j = len(blocks[ba].links)
			blocks[ba].links = append(blocks[ba].links, link{from: ma, to: mb, label: l.label})
			memberLink[key] = j
		} else {
			bl := &blocks[ba].links[j]
			bl.label = max(bl.label, l.label)
		}
		routes[k] = route{ba, j}
	}
	// Lay out blocks innermost first.
	order := make([]int, len(blocks))
	for i := range order {
		order[i] = i
	}
	for i := range order { // deepest first: a stable sort by depth, descending
		for j := i; j > 0 && depth[order[j]] > depth[order[j-1]]; j-- {
			order[j], order[j-1] = order[j-1], order[j]
		}
	}
	for _, bi := range order {
		b := blocks[bi]
		idx := map[int]int{}
		b.pos = make([]box, len(b.members))
		for p, m := range b.members {
			idx[m] = p
			if m >= 0 {
				b.pos[p] = box{w: boxes[m].w, h: boxes[m].h, order: boxes[m].order}
			} else {
				sub := blocks[-1-m]
				b.pos[p] = box{w: sub.w, h: sub.h, order: sub.it.order}
			}
		}
		ls := make([]link, len(b.links))
		for j, l := range b.links {
			ls[j] = link{from: idx[l.from], to: idx[l.to], label: l.label}
		}
		m := float64(framePad)
		if b.it == nil {
			m = margin
		}
		w, h := layered(b.pos, ls, lr, m)
		for j := range ls {
			b.links[j].points = ls[j].points
		}
		b.w, b.h = w, h
		if b.it != nil {
			b.h += frameHeader
		}
	}
	// Place blocks outermost first, then boxes, then routes.
	content := func(b *block) (float64, float64) {
		if b.it == nil {
			return b.x, b.y
		}
		return b.x, b.y + frameHeader
	}
	for i := len(order) - 1; i >= 0; i-- {
		b := blocks[order[i]]
		ox, oy := content(b)
		for p, m := range b.members {
			c := b.pos[p]
			if m >= 0 {
				boxes[m].x, boxes[m].y = ox+c.x, oy+c.y
			} else {
				sub := blocks[-1-m]
				sub.x, sub.y = ox+c.x-c.w/2, oy+c.y-c.h/2
			}
		}
	}
	for k := range links {
		r := routes[k]
		if r.block < 0 {
			continue
		}
		b := blocks[r.block]
		ox, oy := content(b)
		ml := b.links[r.link]
		var pts [][2]float64
		a, z := boxes[links[k].from], boxes[links[k].to]
		exit, entry := [2]float64{a.x + a.w/2, a.y}, [2]float64{z.x - z.w/2, z.y}
		if !lr {
			exit, entry = [2]float64{a.x, a.y + a.h/2}, [2]float64{z.x, z.y - z.h/2}
		}
		if ml.from < 0 {
			pts = append(pts, exit)
		}
		for _, p := range ml.points {
			pts = append(pts, [2]float64{ox + p[0], oy + p[1]})
		}
		if ml.to < 0 {
			pts = append(pts, entry)
		}
		links[k].points = pts
	}
	return &placed{width: blocks[0].w, height: blocks[0].h, blocks: blocks}
}
