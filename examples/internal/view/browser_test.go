package view

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/internal/suitetest"
	"github.com/onnxgraph/onnxgraph/simplify"
)

var update = flag.Bool("update", false, "rewrite docs/view.png, the README's screenshot")

// chromium returns the browser the page tests drive: $CHROMIUM, else
// Debian's chromium. Without one the tests end by suitetest.Missing's
// rule (skipped, failed under CI).
func chromium(t testing.TB) string {
	t.Helper()
	cands := []string{os.Getenv("CHROMIUM"), "/usr/bin/chromium", "chromium", "chromium-browser"}
	for _, c := range cands {
		if c == "" {
			continue
		}
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	suitetest.Missing(t, "chromium is not installed (.ci/run installs Debian's chromium)")
	return ""
}

// browser starts a headless Chromium with a fresh profile and no network
// services, and returns a tab's context.
func browser(t testing.TB) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1400, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, 5*time.Minute)
	t.Cleanup(func() { cancelTime(); cancelTab(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return ctx
}

func serve(t testing.TB, path string) *Server {
	t.Helper()
	s, err := Start(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// run runs page actions, failing the test on an error.
func run(t testing.TB, ctx context.Context, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](t testing.TB, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// text reads an element's text.
func text(t testing.TB, ctx context.Context, sel string) string {
	t.Helper()
	return eval[string](t, ctx, fmt.Sprintf("document.querySelector(%q).textContent", sel))
}

func count(t testing.TB, ctx context.Context, sel string) int {
	t.Helper()
	return eval[int](t, ctx, fmt.Sprintf("document.querySelectorAll(%q).length", sel))
}

func click(sel string) chromedp.Action[chromedp.Void] { return chromedp.Click(chromedp.CSS(sel)) }

func setValue(sel, v string) chromedp.Action[chromedp.Void] {
	return chromedp.SetValue(chromedp.CSS(sel), v)
}

// waitJS waits until a JavaScript expression is true on a settled page: no
// call to the server in flight (the page counts them in body's data-busy),
// so the next action does not race a redraw that replaces its element.
func waitJS(t testing.TB, ctx context.Context, expr string) {
	t.Helper()
	settled := fmt.Sprintf(`document.body.dataset.busy === "0" && (%s)`, expr)
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](settled, chromedp.WithPollingTimeout(60*time.Second))); err != nil {
		page, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('status').textContent + ' | ' + document.getElementById('message').textContent`))
		if shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot()); err == nil {
			os.WriteFile(filepath.Join(os.TempDir(), "view-failure.png"), shot, 0o644)
		}
		t.Fatalf("waiting for %s: %v (page: %s)", expr, err, page)
	}
}

func open(t testing.TB, ctx context.Context, s *Server) {
	t.Helper()
	run(t, ctx, chromedp.Navigate(s.URL()))
	waitJS(t, ctx, `document.getElementById('status').textContent.includes(' nodes') && document.querySelectorAll('#viewport .box').length > 0`)
}

// findAndSelect searches a name and clicks the first hit.
func findAndSelect(t testing.TB, ctx context.Context, name string) {
	t.Helper()
	eval[chromedp.Void](t, ctx, `document.getElementById('search').value = ''`)
	run(t, ctx, chromedp.SendKeys(chromedp.CSS("#search"), name))
	sel := fmt.Sprintf(`#results li[data-kind="node"][data-name=%q]`, name)
	waitJS(t, ctx, fmt.Sprintf(`!!document.querySelector(%q)`, sel))
	run(t, ctx, click(sel))
	waitJS(t, ctx, fmt.Sprintf(`document.getElementById('node-name') && document.getElementById('node-name').value === %q`, name))
}

func historyLen(t testing.TB, ctx context.Context) int {
	return count(t, ctx, "#history li:not(.redo)")
}

// TestPageEdits opens MNIST in the page, checks what it draws, finds a
// node, renames and deletes nodes from the page, saves, and compares the
// file with the same edits made with the library (as the command line
// makes them); undo gives the original bytes back.
func TestPageEdits(t *testing.T) {
	in := mnistFile(t)
	s := serve(t, in)
	ctx := browser(t)
	open(t, ctx, s)
	if got := text(t, ctx, "#status"); got != "12 nodes · 21 values · opset 13" {
		t.Errorf("status %q", got)
	}
	if n := count(t, ctx, "#viewport .box.node"); n != 12 {
		t.Errorf("%d nodes drawn, want 12", n)
	}
	if n := count(t, ctx, "#viewport .box.input") + count(t, ctx, "#viewport .box.output"); n != 2 {
		t.Errorf("%d graph inputs and outputs drawn, want 2", n)
	}
	labels := eval[string](t, ctx, `[...document.querySelectorAll('.edge text')].map(e => e.textContent).join(' ')`)
	for _, want := range []string{"float32[1,1,28,28]", "float32[1,8,28,28]", "float32[1,256]", "float32[1,10]"} {
		if !strings.Contains(labels, want) {
			t.Errorf("edge labels lack %s: %s", want, labels)
		}
	}
	weights := eval[string](t, ctx, `document.querySelector('.box[data-name="Convolution28"]').textContent`)
	if !strings.Contains(weights, "W ⟨8×1×5×5⟩") {
		t.Errorf("Conv box %q lacks its weight's shape", weights)
	}

	// Search, then rename the node found.
	findAndSelect(t, ctx, "Plus28")
	if !strings.Contains(text(t, ctx, "#details"), "float32[8,1,1]") {
		t.Errorf("details lack the bias's shape: %s", text(t, ctx, "#details"))
	}
	run(t, ctx, setValue("#node-name", "add_1"), click("#rename-node"))
	waitJS(t, ctx, `document.querySelectorAll('#history li').length === 1 && !!document.querySelector('.box[data-name="add_1"]')`)
	// Delete a node.
	findAndSelect(t, ctx, "ReLU28")
	run(t, ctx, click("#delete-node"))
	waitJS(t, ctx, `document.querySelectorAll('#history li').length === 2 && document.getElementById('status').textContent.startsWith('11 nodes')`)

	dir := t.TempDir()
	save := func(name string) []byte {
		p := filepath.Join(dir, name)
		run(t, ctx, setValue("#save-path", p), click("#save"))
		waitJS(t, ctx, fmt.Sprintf(`document.getElementById('message').textContent === %q`, "saved "+p))
		return fileBytes(t, p)
	}
	want := libraryEdit(t, in, func(m *onnxgraph.Model) *onnxgraph.Model {
		return m.Rename("Plus28", "add_1", &onnxgraph.RenameOptions{Scope: onnxgraph.RenameNodes}, nil).
			DeleteNodes(&onnxgraph.DeleteNodesOptions{Names: []string{"ReLU28"}}, nil)
	})
	if !bytes.Equal(save("edited.onnx"), want) {
		t.Error("the page saved other bytes than the library's edits")
	}
	// Undo both: the original bytes.
	run(t, ctx, click("#undo"))
	waitJS(t, ctx, `document.querySelectorAll('#history li:not(.redo)').length === 1`)
	run(t, ctx, click("#undo"))
	waitJS(t, ctx, `document.querySelectorAll('#history li:not(.redo)').length === 0 && document.getElementById('status').textContent.startsWith('12 nodes')`)
	if !bytes.Equal(save("undone.onnx"), fileBytes(t, in)) {
		t.Error("undo did not give the original bytes back")
	}

	// An edit the library refuses: its message, at the node it names.
	findAndSelect(t, ctx, "Times212")
	run(t, ctx, click("#delete-node"))
	waitJS(t, ctx, `!document.getElementById('message').hidden && document.getElementById('message').textContent.includes('Times212') && !!document.querySelector('.box.error[data-name="Times212"]') && !!document.querySelector('.bubble')`)
	if n := historyLen(t, ctx); n != 0 {
		t.Errorf("a refused edit entered the history (%d steps)", n)
	}
}

// TestPageToken checks that requests without the run's token are refused.
func TestPageToken(t *testing.T) {
	s := serve(t, mnistFile(t))
	cases := []struct {
		method, url, header string
		want                int
	}{
		{"GET", s.Base() + "/", "", http.StatusForbidden},
		{"GET", s.Base() + "/api/state", "", http.StatusForbidden},
		{"GET", s.Base() + "/api/state?token=wrong", "", http.StatusForbidden},
		{"GET", s.Base() + "/assets/app.js", "", http.StatusForbidden},
		{"POST", s.Base() + "/api/undo?token=" + s.Token(), "", http.StatusForbidden}, // a form post cannot set the header
		{"POST", s.Base() + "/api/edit", "wrong", http.StatusForbidden},
		{"GET", s.URL(), "", http.StatusOK},
		{"GET", s.Base() + "/api/state", s.Token(), http.StatusOK},
	}
	for _, c := range cases {
		req, _ := http.NewRequest(c.method, c.url, strings.NewReader(`{"version": 0, "step": {"op": "prune"}}`))
		if c.header != "" {
			req.Header.Set(TokenHeader, c.header)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("%s %s (header %q): %d, want %d", c.method, c.url, c.header, resp.StatusCode, c.want)
		}
	}
	// Another host name (DNS rebinding) is refused even with the token.
	req, _ := http.NewRequest("GET", s.URL(), nil)
	req.Host = "evil.example:80"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("foreign Host: %d", resp.StatusCode)
	}
	if s.Session.Status().Undo {
		t.Error("a refused request edited the model")
	}
}

// TestPageGroups opens the detector: exporter names collapse into groups,
// which open on click.
func TestPageGroups(t *testing.T) {
	s := serve(t, saveModel(t, detector(t), "detector.onnx"))
	ctx := browser(t)
	open(t, ctx, s)
	groups := count(t, ctx, "#viewport .box.group")
	if groups == 0 {
		t.Fatal("no groups drawn")
	}
	before := count(t, ctx, "#viewport .box")
	key := eval[string](t, ctx, `document.querySelector('#viewport .box.group').dataset.key`)
	run(t, ctx, click(fmt.Sprintf(`#viewport .box.group[data-key=%q]`, key)))
	waitJS(t, ctx, fmt.Sprintf(`!document.querySelector('#viewport .box[data-key=%q]') && !!document.querySelector('#viewport .frame[data-key=%q]')`, key, key))
	if after := count(t, ctx, "#viewport .box"); after <= before {
		t.Errorf("opening group %s: %d boxes, before %d", key, after, before)
	}
	// The frame collapses the group again.
	run(t, ctx, click(fmt.Sprintf(`#viewport .frame[data-key=%q] text`, key)))
	waitJS(t, ctx, fmt.Sprintf(`!!document.querySelector('#viewport .box[data-key=%q]')`, key))
	// Search reaches into closed groups.
	findAndSelect(t, ctx, "/model/head2/cls/Sigmoid")
	if !strings.Contains(text(t, ctx, "#details"), "float32[1,4,64,64]") {
		t.Errorf("details: %s", text(t, ctx, "#details"))
	}
}

// TestPageLoadError shows a model that fails to load.
func TestPageLoadError(t *testing.T) {
	p := filepath.Join(t.TempDir(), "broken.onnx")
	if err := os.WriteFile(p, []byte("\x0a\xff\xff\xff"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := serve(t, p)
	ctx := browser(t)
	run(t, ctx, chromedp.Navigate(s.URL()))
	waitJS(t, ctx, `!document.getElementById('fatal').hidden`)
	if got := text(t, ctx, "#fatal"); !strings.Contains(got, "malformed") {
		t.Errorf("page shows %q", got)
	}
}

// TestPageTwoTabs edits from two tabs: both follow one history, and an
// edit from a tab that missed a change is refused, not applied.
func TestPageTwoTabs(t *testing.T) {
	s := serve(t, mnistFile(t))
	a := browser(t)
	open(t, a, s)
	b, cancel := chromedp.NewContext(a)
	defer cancel()
	open(t, b, s)
	findAndSelect(t, a, "Plus214")
	run(t, a, setValue("#node-name", "logits"), click("#rename-node"))
	waitJS(t, b, `document.querySelectorAll('#history li').length === 1 && !!document.querySelector('.box[data-name="logits"]')`)
	findAndSelect(t, b, "ReLU110")
	run(t, b, click("#delete-node"))
	waitJS(t, a, `document.querySelectorAll('#history li').length === 2`)
	if st := s.Session.Status(); len(st.Steps) != 2 {
		t.Errorf("history %v", st.Steps)
	}
	run(t, a, click("#undo"))
	waitJS(t, b, `document.querySelectorAll('#history li:not(.redo)').length === 1`)
}

// paletted maps an image to its 256 most frequent colours (a page of flat
// colours and anti-aliased text loses little), which makes the PNG small.
func paletted(img image.Image) *image.Paletted {
	b := img.Bounds()
	freq := map[color.RGBA]int{}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			freq[color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8), uint8(a >> 8)}]++
		}
	}
	cols := make([]color.RGBA, 0, len(freq))
	for c := range freq {
		cols = append(cols, c)
	}
	sort.Slice(cols, func(i, j int) bool {
		if freq[cols[i]] != freq[cols[j]] {
			return freq[cols[i]] > freq[cols[j]]
		}
		return fmt.Sprint(cols[i]) < fmt.Sprint(cols[j])
	})
	pal := make(color.Palette, 0, 256)
	for _, c := range cols[:min(256, len(cols))] {
		pal = append(pal, c)
	}
	out := image.NewPaletted(b, pal)
	draw.Draw(out, b, img, b.Min, draw.Src)
	return out
}

// TestScreenshot draws the detector as the README shows it: groups of the
// exporter's names opened as far as a first view opens them, a node
// selected. With -update it
// rewrites docs/view.png.
func TestScreenshot(t *testing.T) {
	s := serve(t, saveModel(t, detector(t), "detector.onnx"))
	ctx := browser(t)
	open(t, ctx, s)
	conv := `#viewport .box[data-name="/model/neck/lateral3/conv/Conv"]`
	run(t, ctx, click(conv))
	waitJS(t, ctx, `!!document.getElementById('node-name') && document.getElementById('node-name').value === '/model/neck/lateral3/conv/Conv'`)
	run(t, ctx, chromedp.Sleep(300*time.Millisecond))
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil || img.Bounds().Dx() < 800 {
		t.Fatalf("screenshot: %v", err)
	}
	if *update {
		var small bytes.Buffer
		if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&small, paletted(img)); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join("..", "..", "..", "docs", "view.png"), small.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestPageMoreEdits drives the other edits of the side panel and the
// toolbar: an attribute, a graph output, the batch, a constant, an
// extraction between marked values; then the diff against the opened file,
// and the script, which replays to the page's bytes.
func TestPageMoreEdits(t *testing.T) {
	in := mnistFile(t)
	s := serve(t, in)
	ctx := browser(t)
	open(t, ctx, s)
	steps := 0
	done := func() {
		steps++
		waitJS(t, ctx, fmt.Sprintf(`document.querySelectorAll('#history li').length === %d`, steps))
	}
	findAndSelect(t, ctx, "Pooling66")
	run(t, ctx, setValue(`input.attr[data-name="strides"]`, "1,1"), click(`tr:has(input.attr[data-name="strides"]) .set-attr`))
	done()
	findAndSelect(t, ctx, "Pooling66")
	run(t, ctx, click(`.port[data-name="Pooling66_Output_0"] .add-output`))
	done()
	waitJS(t, ctx, `!!document.querySelector('.box.output[data-name="Pooling66_Output_0"]')`)
	run(t, ctx, setValue("#batch", "N"), click("#set-batch"))
	done()
	waitJS(t, ctx, `[...document.querySelectorAll('.edge text')].some(e => e.textContent === 'float32[N,1,28,28]')`)
	findAndSelect(t, ctx, "Plus214")
	run(t, ctx, setValue(`.port[data-name="Parameter194"] input.const`, "0,1,2,3,4,5,6,7,8,9"), click(`.port[data-name="Parameter194"] .set-const`))
	done()
	findAndSelect(t, ctx, "Convolution110")
	run(t, ctx, click(`.port[data-name="Pooling66_Output_0"] .extract-in`), click(`.port[data-name="Convolution110_Output_0"] .extract-out`), click("#extract"))
	done()
	waitJS(t, ctx, `document.getElementById('status').textContent.startsWith('1 node ·')`)
	run(t, ctx, click("#diff"))
	waitJS(t, ctx, `document.getElementById('diff-out').textContent.includes('- node Convolution28 (Conv)')`)

	dir := t.TempDir()
	page := filepath.Join(dir, "page.onnx")
	run(t, ctx, setValue("#save-path", page), click("#save"))
	waitJS(t, ctx, `document.getElementById('message').textContent.startsWith('saved')`)
	run(t, ctx, click("#save-script"))
	waitJS(t, ctx, `document.getElementById('message').textContent.startsWith('script saved')`)
	sc, err := onnxgraph.ParseScript(fileBytes(t, filepath.Join(dir, "page.script.json")))
	if err != nil {
		t.Fatal(err)
	}
	var ops []string
	for _, st := range sc.Steps {
		ops = append(ops, st.Op())
	}
	if want := "modify add-outputs set-batch modify extract"; strings.Join(ops, " ") != want {
		t.Errorf("script ops %q, want %q", ops, want)
	}
	if got := libraryEdit(t, in, func(m *onnxgraph.Model) *onnxgraph.Model { return m.Replay(sc, nil) }); !bytes.Equal(got, fileBytes(t, page)) {
		t.Error("the saved script replays to other bytes than the page saved")
	}
}

// TestPageDimsAndOutputs sets an input's dims from its box, adds a graph
// output and removes it from the output's box, and tries to remove the
// last one, which the library refuses.
func TestPageDimsAndOutputs(t *testing.T) {
	s := serve(t, mnistFile(t))
	ctx := browser(t)
	open(t, ctx, s)
	run(t, ctx, click(`#viewport .box.input[data-name="Input3"]`))
	waitJS(t, ctx, `!!document.querySelector('.port[data-name="Input3"] .set-dims')`)
	run(t, ctx, setValue(`.port[data-name="Input3"] input.dims`, "B,1,28,28"), click(`.port[data-name="Input3"] .set-dims`))
	waitJS(t, ctx, `document.querySelectorAll('#history li').length === 1 && [...document.querySelectorAll('.edge text')].some(e => e.textContent === 'float32[B,1,28,28]')`)
	findAndSelect(t, ctx, "ReLU110")
	run(t, ctx, click(`.port[data-name="ReLU110_Output_0"] .add-output`))
	waitJS(t, ctx, `document.querySelectorAll('#history li').length === 2 && !!document.querySelector('#viewport .box.output[data-name="ReLU110_Output_0"]')`)
	run(t, ctx, click(`#viewport .box.output[data-name="ReLU110_Output_0"]`))
	waitJS(t, ctx, `!!document.querySelector('.port[data-name="ReLU110_Output_0"] .remove-output')`)
	run(t, ctx, click(`.port[data-name="ReLU110_Output_0"] .remove-output`))
	waitJS(t, ctx, `document.querySelectorAll('#history li').length === 3 && !document.querySelector('#viewport .box.output[data-name="ReLU110_Output_0"]')`)
	run(t, ctx, click(`#viewport .box.output[data-name="Plus214_Output_0"]`))
	waitJS(t, ctx, `!!document.querySelector('.port[data-name="Plus214_Output_0"] .remove-output')`)
	run(t, ctx, click(`.port[data-name="Plus214_Output_0"] .remove-output`))
	waitJS(t, ctx, `!document.getElementById('message').hidden && document.getElementById('message').textContent.includes('removing every output')`)
	if n := historyLen(t, ctx); n != 3 {
		t.Errorf("history has %d steps after a refused edit, want 3", n)
	}
}

// TestPageSimplify simplifies the detector from the toolbar (package
// simplify fuses its BatchNormalizations) and compares the saved file
// with Simplify's.
func TestPageSimplify(t *testing.T) {
	in := saveModel(t, detector(t), "detector.onnx")
	s := serve(t, in)
	ctx := browser(t)
	open(t, ctx, s)
	simple := detector(t)
	r, err := simplify.Simplify(simple, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.NodesAfter >= r.NodesBefore {
		t.Fatalf("simplify leaves %d of %d nodes", r.NodesAfter, r.NodesBefore)
	}
	run(t, ctx, click("#simplify"))
	waitJS(t, ctx, fmt.Sprintf(`document.querySelectorAll('#history li').length === 1 && document.getElementById('status').textContent === %q`, statusLine(simple)))
	page := filepath.Join(t.TempDir(), "page.onnx")
	run(t, ctx, setValue("#save-path", page), click("#save"))
	waitJS(t, ctx, `document.getElementById('message').textContent.startsWith('saved')`)
	want := libraryEdit(t, in, func(m *onnxgraph.Model) *onnxgraph.Model { return m.Apply("Simplify", simplify.Step(nil, nil)) })
	if !bytes.Equal(fileBytes(t, page), want) {
		t.Error("the page's simplify saved other bytes than Simplify")
	}
}
