package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/onnxgraph/onnxgraph"
)

// progress shows how far a long operation has got: a label, the steps done
// out of a total (when there are steps) and the elapsed time, redrawn in
// place on one line of a terminal; or, for reading and writing, the bytes
// done, their total when known, the rate and the time left. It draws only
// on a terminal: off one (a pipe, a file, a test's buffer) every method
// does nothing, so output that is read back stays clean.
//
//	p := startProgress(errOut, "running model.onnx", 100)
//	for range 100 {
//		...
//		p.step()
//	}
//	p.done()
type progress struct {
	mu      sync.Mutex
	w       io.Writer // nil: quiet
	label   string
	total   int // 0: the operation has no steps
	n       int
	bytes   bool  // counts bytes (set), not steps
	size    int64 // the bytes to do, 0 when unknown
	did     int64 // the bytes done
	now     func() time.Time
	start   time.Time
	drawn   time.Time // when the line was last drawn
	width   int       // length of the line last drawn, to blank what is left of it
	stop    chan struct{}
	stopped chan struct{}
}

// progressEvery is how often progress redraws at most, and how often a
// progress without steps redraws its elapsed time.
const progressEvery = 200 * time.Millisecond

// startProgress starts showing progress on errOut when errOut is a
// terminal, and returns a quiet progress otherwise.
func startProgress(errOut io.Writer, label string, total int) *progress {
	if !isTerminal(errOut) {
		return &progress{}
	}
	p := newProgress(errOut, label, total, time.Now)
	if total == 0 {
		// Nothing calls step: a ticker keeps the elapsed time moving.
		p.startTicker(progressEvery)
	}
	return p
}

// startByteProgress starts showing the bytes done of total (0: unknown)
// on errOut when errOut is a terminal, and returns a quiet progress
// otherwise.
func startByteProgress(errOut io.Writer, label string, total int64) *progress {
	if !isTerminal(errOut) {
		return &progress{}
	}
	p := newByteProgress(errOut, label, total, time.Now)
	p.startTicker(progressEvery)
	return p
}

// newByteProgress returns a progress of bytes that draws on w with the
// clock now, and draws its first line.
func newByteProgress(w io.Writer, label string, total int64, now func() time.Time) *progress {
	p := &progress{w: w, label: label, bytes: true, size: total, now: now}
	p.start = now()
	p.mu.Lock()
	p.draw(p.start, false)
	p.mu.Unlock()
	return p
}

// set records that done bytes are done, redrawing at most every
// progressEvery.
func (p *progress) set(done int64) {
	if p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.did = done
	if t := p.now(); t.Sub(p.drawn) >= progressEvery {
		p.draw(t, false)
	}
}

// isTerminal reports whether w is a terminal (not /dev/null, another
// character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0 && isTTY(f)
}

// newProgress returns a progress that draws on w (nil: quiet) with the
// clock now, and draws its first line.
func newProgress(w io.Writer, label string, total int, now func() time.Time) *progress {
	p := &progress{w: w, label: label, total: total, now: now}
	if w == nil {
		return p
	}
	p.start = now()
	p.mu.Lock()
	p.draw(p.start, false)
	p.mu.Unlock()
	return p
}

// startTicker redraws the line every so often until done.
func (p *progress) startTicker(every time.Duration) {
	p.stop, p.stopped = make(chan struct{}), make(chan struct{})
	go p.tick(every)
}

func (p *progress) tick(every time.Duration) {
	defer close(p.stopped)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.mu.Lock()
			p.draw(p.now(), false)
			p.mu.Unlock()
		}
	}
}

// step counts one step done, redrawing at most every progressEvery.
func (p *progress) step() {
	if p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	if t := p.now(); t.Sub(p.drawn) >= progressEvery || p.n == p.total {
		p.draw(t, false)
	}
}

// done draws the final line, with the total elapsed time, and ends it.
// Later calls do nothing.
func (p *progress) done() {
	if p.w == nil {
		return
	}
	if p.stop != nil {
		close(p.stop)
		<-p.stopped
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.draw(p.now(), true)
	p.w = nil
}

// draw renders the line at time t; p.mu is held.
func (p *progress) draw(t time.Time, final bool) {
	if p.w == nil {
		return
	}
	var b strings.Builder
	b.WriteString(esc(p.label))
	elapsed := t.Sub(p.start)
	switch {
	case p.bytes:
		p.drawBytes(&b, elapsed, final)
	case p.total > 0:
		fmt.Fprintf(&b, " %d/%d", p.n, p.total)
	}
	switch {
	case p.bytes:
	case final:
		fmt.Fprintf(&b, " done in %s", roundDuration(elapsed))
	default:
		fmt.Fprintf(&b, " %s", roundDuration(elapsed))
	}
	line := b.String()
	pad := max(p.width-len(line), 0)
	end := ""
	if final {
		end = "\n"
	}
	fmt.Fprintf(p.w, "\r%s%s%s", line, strings.Repeat(" ", pad), end)
	p.width = len(line)
	p.drawn = t
}

// drawBytes renders the bytes done: "12.0 MiB of 48.0 MiB, 6.0 MiB/s, 6s
// left", or when done "48.0 MiB in 8s (6.0 MiB/s)".
func (p *progress) drawBytes(b *strings.Builder, elapsed time.Duration, final bool) {
	rate := 0.0
	if s := elapsed.Seconds(); s > 0 {
		rate = float64(p.did) / s
	}
	speed := ""
	if rate > 0 {
		speed = onnxgraph.FormatBytes(int64(rate)) + "/s"
	}
	if final {
		fmt.Fprintf(b, " %s in %s", onnxgraph.FormatBytes(p.did), roundDuration(elapsed))
		if speed != "" {
			fmt.Fprintf(b, " (%s)", speed)
		}
		return
	}
	fmt.Fprintf(b, " %s", onnxgraph.FormatBytes(p.did))
	if p.size > 0 {
		fmt.Fprintf(b, " of %s", onnxgraph.FormatBytes(p.size))
	}
	if speed != "" {
		fmt.Fprintf(b, ", %s", speed)
	}
	if p.size > 0 && rate > 0 && p.did < p.size {
		left := time.Duration(float64(p.size-p.did) / rate * float64(time.Second))
		fmt.Fprintf(b, ", %s left", roundDuration(left).Round(time.Second))
	}
}

// roundDuration keeps durations short: milliseconds under a second, tenths
// of a second above.
func roundDuration(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(100 * time.Millisecond)
}
