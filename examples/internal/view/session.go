package view

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/shapeinfer"
	"github.com/onnxgraph/onnxgraph/simplify"
)

// ErrConflict reports an edit made from a page that had not seen the
// latest change (made in another tab): nothing is changed.
var ErrConflict = errors.New("view: the model changed in another tab")

// state is the model as it is now and what the page needs of it.
type state struct {
	m    *onnxgraph.Model
	res  *shapeinfer.Result
	tree *tree
}

// typeText renders v's type as inference knows it ("float32[N,3,224,224]"),
// else as declared, else "?".
func (s *state) typeText(v *onnxgraph.Value) string {
	if v == nil {
		return ""
	}
	if s.res != nil {
		if t := s.res.Type(v); t != nil && t.Kind != shapeinfer.KindUnknown {
			return t.String()
		}
	}
	if t := v.Type(); t != nil {
		return shapeinfer.FromProto(t).String()
	}
	return "?"
}

// why says why v's type is not complete ("" when it is).
func (s *state) why(v *onnxgraph.Value) string {
	if s.res == nil || v == nil {
		return ""
	}
	if v.Initializer() != nil {
		return ""
	}
	if r := s.res.Explain(v); r != nil {
		return r.String()
	}
	return ""
}

// inference runs shape inference once per model generation, for the page
// and, as the model's type source, for the edits.
type inference struct {
	m   *onnxgraph.Model
	gen uint64
	res *shapeinfer.Result
}

func (c *inference) result(m *onnxgraph.Model) *shapeinfer.Result {
	if c.m != m || c.gen != m.Generation() || c.res == nil {
		res, _ := shapeinfer.Infer(m, nil) // what it could not infer stays unknown
		c.m, c.gen, c.res = m, m.Generation(), res
	}
	return c.res
}

// InferTypes gives the edits the types inference finds. It never fails:
// values it cannot type stay unknown, as on the command line.
func (c *inference) InferTypes(m *onnxgraph.Model) (func(*onnxgraph.Value) *onnxproto.TypeProto, error) {
	res := c.result(m)
	return func(v *onnxgraph.Value) *onnxproto.TypeProto {
		if res == nil {
			return nil
		}
		if t := res.Type(v); t != nil && t.Kind != shapeinfer.KindUnknown {
			return t.Proto()
		}
		return nil
	}, nil
}

// Session is one model open in the viewer: the model as edited, the
// history of edits (a script: undo replays it from the file), and the
// pages watching it. All tabs share one Session, so they see one history.
type Session struct {
	mu      sync.Mutex
	path    string // the file opened (or last saved over)
	opts    SessionOptions
	loadErr error
	cur     *state
	types   *inference
	steps   []onnxgraph.Step // the history; steps[:cursor] are applied
	cursor  int
	saved   []onnxgraph.Step // steps already written into path by a save over it
	version int
	waiters map[chan int]bool
}

// SessionOptions says how a session shows and finds its model when the
// file it reads is not the one the user named (a model read from standard
// input and kept in a temporary file). The zero value describes path
// itself.
type SessionOptions struct {
	// Label is what the page calls the model ("" : the file's path).
	Label string
	// Dir is the folder relative save paths are taken from ("": the
	// file's folder).
	Dir string
	// DataDir is the folder of the model's external data ("": the file's
	// folder).
	DataDir string
}

// OpenSession opens the model at path. A model that fails to load still
// gives a session, whose Status carries the error for the page to show.
func OpenSession(path string) *Session { return OpenSessionWith(path, nil) }

// OpenSessionWith is OpenSession with options (nil: none).
func OpenSessionWith(path string, opts *SessionOptions) *Session {
	s := &Session{path: path, types: &inference{}, waiters: map[chan int]bool{}}
	if opts != nil {
		s.opts = *opts
	}
	if s.opts.Label == "" {
		s.opts.Label = path
	}
	if s.opts.Dir == "" {
		s.opts.Dir = filepath.Dir(path)
	}
	m, err := s.load(nil)
	if err != nil {
		s.loadErr = err
		return s
	}
	s.setModel(m)
	return s
}

// open reads the file, with its external data from the data folder.
func (s *Session) open() (*onnxgraph.Model, error) {
	return onnxgraph.Open(s.path, &onnxgraph.LoadOptions{Dir: s.opts.DataDir})
}

// load opens the file and replays steps on it.
func (s *Session) load(steps []onnxgraph.Step) (*onnxgraph.Model, error) {
	m, err := s.open()
	if err != nil {
		return nil, err
	}
	m.Infer(s.types)
	if s.types.m == m {
		s.types.gen = m.Generation() // Infer's step changed the count, not the model
	}
	for _, st := range steps {
		if _, err := (&onnxgraph.Script{Steps: []onnxgraph.Step{st}}).Apply(m); err != nil {
			m.Close()
			return nil, fmt.Errorf("view: the file %s changed since it was opened: %w", s.opts.Label, err)
		}
	}
	return m, nil
}

// setModel makes m current and derives what the page needs.
func (s *Session) setModel(m *onnxgraph.Model) {
	if s.cur != nil && s.cur.m != m {
		s.cur.m.Close()
	}
	res := s.types.result(m)
	s.cur = &state{m: m, res: res, tree: buildTree(m)}
}

// changed records a new version and wakes the pages.
func (s *Session) changed() {
	s.version++
	for c := range s.waiters {
		select {
		case c <- s.version:
		default:
		}
	}
}

// watch returns a channel that receives the version after each change,
// and a function to stop.
func (s *Session) watch() (chan int, func()) {
	c := make(chan int, 1)
	s.mu.Lock()
	s.waiters[c] = true
	s.mu.Unlock()
	return c, func() {
		s.mu.Lock()
		delete(s.waiters, c)
		s.mu.Unlock()
	}
}

// Status is what the page's status line and toolbar show.
type Status struct {
	File    string   `json:"file"`
	Status  string   `json:"status"` // "N nodes · M values · opset K"
	Error   string   `json:"error,omitempty"`
	Version int      `json:"version"`
	Undo    bool     `json:"undo"`
	Redo    bool     `json:"redo"`
	Steps   []string `json:"steps"` // the recorded steps, as JSON lines
	Redos   []string `json:"redos"` // steps undone, which redo replays
	SaveAs  string   `json:"saveAs"`
	Ops     []OpUse  `json:"ops"`
}

// OpUse counts the nodes of one operator type.
type OpUse struct {
	Op    string `json:"op"`
	Count int    `json:"count"`
}

// Status returns the session's status.
func (s *Session) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Status{File: s.opts.Label, Version: s.version, SaveAs: defaultSaveAs(filepath.Join(s.opts.Dir, filepath.Base(s.path))), Steps: []string{}, Redos: []string{}}
	if s.loadErr != nil {
		st.Error = s.loadErr.Error()
		st.Status = "failed to load"
		return st
	}
	st.Status = statusLine(s.cur.m)
	st.Undo, st.Redo = s.cursor > 0, s.cursor < len(s.steps)
	for _, x := range append(slices.Clone(s.saved), s.steps[:s.cursor]...) {
		st.Steps = append(st.Steps, stepLine(x))
	}
	for _, x := range s.steps[s.cursor:] {
		st.Redos = append(st.Redos, stepLine(x))
	}
	count := map[string]int{}
	s.cur.m.Graph().Walk(func(g *onnxgraph.Graph) bool {
		for _, n := range g.Nodes() {
			count[n.OpType()]++
		}
		return true
	})
	for op, c := range count {
		st.Ops = append(st.Ops, OpUse{op, c})
	}
	slices.SortFunc(st.Ops, func(a, b OpUse) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Op, b.Op)
	})
	return st
}

// stepLine renders one step as the line a script file holds.
func stepLine(st onnxgraph.Step) string {
	s := &onnxgraph.Script{Steps: []onnxgraph.Step{st}}
	lines := strings.Split(strings.TrimSpace(string(s.JSON())), "\n")
	return strings.TrimSpace(lines[3])
}

// statusLine counts the model's nodes and values, subgraphs included, and
// names its ai.onnx opset: "12 nodes · 21 values · opset 13".
func statusLine(m *onnxgraph.Model) string {
	nodes, values := 0, 0
	m.Graph().Walk(func(g *onnxgraph.Graph) bool {
		nodes += g.NumNodes()
		values += len(g.Values())
		return true
	})
	line := plural(nodes, "node") + " · " + plural(values, "value")
	if v, ok := m.Opset(""); ok {
		line += fmt.Sprintf(" · opset %d", v)
	}
	for _, d := range onnxgraphDomains(m) {
		line += fmt.Sprintf(" · %s %d", d.domain, d.version)
	}
	return line
}

type domainVersion struct {
	domain  string
	version int64
}

// onnxgraphDomains lists the opset imports other than ai.onnx, sorted.
func onnxgraphDomains(m *onnxgraph.Model) []domainVersion {
	var out []domainVersion
	for d, v := range m.Opsets() {
		if d != "" && d != "ai.onnx" {
			out = append(out, domainVersion{d, v})
		}
	}
	slices.SortFunc(out, func(a, b domainVersion) int { return strings.Compare(a.domain, b.domain) })
	return out
}

// defaultSaveAs proposes a new file next to the opened one.
func defaultSaveAs(path string) string {
	ext := filepath.Ext(path)
	return strings.TrimSuffix(path, ext) + ".edited" + ext
}

// Level returns the boxes and edges to draw with the given groups expanded.
func (s *Session) Level(req levelRequest) (*level, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.loadErr != nil {
		return nil, s.loadErr
	}
	lv := s.cur.buildLevel(req)
	lv.Version = s.version
	return lv, nil
}

// EditError is an edit the library refused: its message, and where the
// culprit it names is (its box key and the groups to expand to see it).
type EditError struct {
	Err       error
	Culprit   string
	Key       string
	Ancestors []string
}

func (e *EditError) Error() string { return e.Err.Error() }

// Unwrap returns the library's error.
func (e *EditError) Unwrap() error { return e.Err }

// EditResult is what an applied edit reported.
type EditResult struct {
	Version int    `json:"version"`
	Report  string `json:"report"`
	Step    string `json:"step"`
}

// ScriptOps are the script operations the viewer and the command line add
// to the library's: package simplify's "simplify" and package shapeinfer's
// "infer". It is the one table both read scripts with.
func ScriptOps() map[string]func() onnxgraph.StepArgs {
	ops := simplify.ScriptOps()
	maps.Copy(ops, shapeinfer.ScriptOps())
	return ops
}

// Edit applies one step, given as the JSON of a script step ({"op":
// "rename", ...}; ScriptOps adds "simplify" and "infer"), as a new entry of the history (dropping what was
// undone). version is the version the page saw: an edit from a page that
// missed a change is an ErrConflict. A step the library refuses changes
// nothing and gives an *EditError.
func (s *Session) Edit(version int, step json.RawMessage) (*EditResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.loadErr != nil {
		return nil, s.loadErr
	}
	if version != s.version {
		return nil, fmt.Errorf("%w (version %d, the page had %d): it has been reloaded", ErrConflict, s.version, version)
	}
	sc, err := onnxgraph.ParseScriptWith([]byte(`{"version": 1, "steps": [`+string(step)+`]}`), ScriptOps())
	if err != nil {
		return nil, &EditError{Err: err}
	}
	if len(sc.Steps) != 1 {
		return nil, &EditError{Err: errors.New("view: an edit is one step")}
	}
	st := sc.Steps[0]
	st.Line = 0
	m := s.cur.m
	gen := m.Generation()
	rep, err := (&onnxgraph.Script{Steps: []onnxgraph.Step{st}}).Apply(m)
	if err != nil {
		if m.Generation() != gen {
			s.setModel(m) // put back from a copy: what the page holds is stale
		}
		e := &EditError{Err: err}
		var se *onnxgraph.ScriptError
		if errors.As(err, &se) {
			e.Err, e.Culprit = se.Err, se.Name // the library's own message: the page has one step
		}
		// Show the culprit, else the node the step works on.
		for _, name := range []string{e.Culprit, stepTarget(st)} {
			if it := s.cur.find(name); it != nil {
				e.Key, e.Ancestors = it.key, ancestors(it)
				break
			}
		}
		return nil, e
	}
	s.steps = append(s.steps[:s.cursor], st)
	s.cursor++
	s.setModel(m)
	s.changed()
	text, _ := json.Marshal(rep.Steps[0].Report)
	return &EditResult{Version: s.version, Report: string(text), Step: stepLine(st)}, nil
}

// stepTarget names the node or value a step works on first.
func stepTarget(st onnxgraph.Step) string {
	switch a := st.Args.(type) {
	case *onnxgraph.ModifyStep:
		return a.Node
	case *onnxgraph.DeleteNodesStep:
		return a.Names[0]
	case *onnxgraph.RenameStep:
		return a.From
	case *onnxgraph.AddOutputsStep:
		return a.Names[0]
	case *onnxgraph.DeleteOutputsStep:
		return a.Names[0]
	case *onnxgraph.ExtractStep:
		return a.Outputs[0]
	}
	return ""
}

// Undo takes back the last edit: the file is read again and the history
// before it replayed, so the model is exactly what those edits give.
func (s *Session) Undo() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.loadErr != nil {
		return s.loadErr
	}
	if s.cursor == 0 {
		return errors.New("view: nothing to undo")
	}
	m, err := s.load(s.steps[:s.cursor-1])
	if err != nil {
		return err
	}
	s.cursor--
	s.setModel(m)
	s.changed()
	return nil
}

// Redo applies the next undone edit again.
func (s *Session) Redo() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.loadErr != nil {
		return s.loadErr
	}
	if s.cursor == len(s.steps) {
		return errors.New("view: nothing to redo")
	}
	m := s.cur.m
	if _, err := (&onnxgraph.Script{Steps: s.steps[s.cursor : s.cursor+1]}).Apply(m); err != nil {
		s.setModel(m)
		return err
	}
	s.cursor++
	s.setModel(m)
	s.changed()
	return nil
}

// Save writes the model to path (relative paths are taken from the opened
// file's folder) with the library's atomic save, keeping the weights'
// layout. Writing over the opened file needs overwrite; the history then
// starts from the file as saved.
func (s *Session) Save(path string, overwrite bool) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.loadErr != nil {
		return "", s.loadErr
	}
	if path == "" {
		return "", errors.New("view: save needs a file name")
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join(s.opts.Dir, path)
	}
	same := sameFile(path, s.path)
	if same && !overwrite {
		return "", fmt.Errorf("view: %s is the opened file: choose another name, or ask to overwrite it", path)
	}
	if err := s.cur.m.Save(path); err != nil {
		return "", err
	}
	if same {
		s.saved = append(s.saved, s.steps[:s.cursor]...)
		s.steps, s.cursor = nil, 0
		s.changed()
	}
	return path, nil
}

func sameFile(a, b string) bool {
	if filepath.Clean(a) == filepath.Clean(b) {
		return true
	}
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}

// Script returns the edits made so far as a script that replays them on
// the opened file (or on another export of the same network).
func (s *Session) Script() *onnxgraph.Script {
	s.mu.Lock()
	defer s.mu.Unlock()
	return &onnxgraph.Script{Steps: append(slices.Clone(s.saved), s.steps[:s.cursor]...)}
}

// SaveScript writes the script to path (relative to the opened file's
// folder, or SessionOptions.Dir), replacing it atomically.
func (s *Session) SaveScript(path string) (string, error) {
	if path == "" {
		return "", errors.New("view: save needs a file name")
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join(s.opts.Dir, path)
	}
	return path, onnxgraph.WriteFile(context.Background(), path, func(w io.Writer) error {
		_, err := w.Write(s.Script().JSON())
		return err
	})
}

// Diff compares the model as edited with the file as opened (or last
// saved over).
func (s *Session) Diff() (*onnxgraph.ModelDiff, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.loadErr != nil {
		return nil, s.loadErr
	}
	base, err := s.open()
	if err != nil {
		return nil, err
	}
	defer base.Close()
	return onnxgraph.Diff(base, s.cur.m, nil)
}

// Close releases the model's files.
func (s *Session) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur != nil {
		return s.cur.m.Close()
	}
	return nil
}

// find returns the box of the node or value called name: the node, the
// value's producer or graph input, or an initializer's first reader.
func (s *state) find(name string) *item {
	if name == "" {
		return nil
	}
	var found *item
	s.m.Graph().Walk(func(g *onnxgraph.Graph) bool {
		for _, n := range g.Nodes() {
			if n.Name() == name {
				found = s.tree.byNode[n]
				return false
			}
		}
		return true
	})
	if found != nil {
		return found
	}
	s.m.Graph().Walk(func(g *onnxgraph.Graph) bool {
		v, ok := g.Value(name)
		if !ok {
			return true
		}
		if p, _ := v.Producer(); p != nil {
			found = s.tree.byNode[p]
		} else if it := s.tree.inputs[v]; it != nil {
			found = it
		} else if us := v.Uses(); len(us) > 0 {
			found = s.tree.byNode[us[0].Node]
		}
		return found == nil
	})
	return found
}
