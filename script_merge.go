package onnxgraph

import (
	"strconv"
	"strings"
)

// MergeStep is the script form of Merge (command "merge"): the script's
// model is the first model, and With lists the files of the models joined
// to it, in order, read when the step applies. A relative path in With is
// taken from the current directory; the command line's apply takes it from
// the script's folder, and merge --record writes it relative to that
// folder. The models read get the type source of the script's model (see
// Model.Infer).
//
// Connect holds the junctions as the command line writes them:
// "K:SRC=DST[,SRC=DST...]" for step K (K joins model K+1 to the ones before
// it; "SRC=DST" alone with two models). Prefix has one prefix per model,
// the script's model first. Opset is "fail" (the default) or "max";
// Metadata is "first" (the default) or "fail".
type MergeStep struct {
	With         []string `json:"with"`
	Connect      []string `json:"connect,omitempty"`
	Prefix       []string `json:"prefix,omitempty"`
	PrefixDims   bool     `json:"prefix-dims,omitempty"`
	RelaxShapes  bool     `json:"relax-shapes,omitempty"`
	Opset        string   `json:"opset,omitempty"`
	Metadata     string   `json:"metadata,omitempty"`
	KeepOutputs  bool     `json:"keep-outputs,omitempty"`
	AllowUntyped bool     `json:"allow-untyped,omitempty"`
}

// Op returns "merge".
func (*MergeStep) Op() string { return "merge" }

// Options returns the MergeOptions the step stands for, for 1+len(With)
// models, or an error naming the option that cannot be read.
func (s *MergeStep) Options() (*MergeOptions, error) {
	steps := len(s.With)
	if steps == 0 {
		return nil, errorf(ErrInvalid, "merge needs with: the files of the models to join")
	}
	o := &MergeOptions{Connect: make([][]Connection, steps), PrefixDimParams: s.PrefixDims,
		RelaxShapes: s.RelaxShapes, KeepConnectedOutputs: s.KeepOutputs, AllowUntyped: s.AllowUntyped}
	switch s.Opset {
	case "", "fail":
	case "max":
		o.Opsets = OpsetMax
	default:
		return nil, errorf(ErrInvalid, "merge: opset is fail or max, not %q", s.Opset)
	}
	switch s.Metadata {
	case "", "first":
	case "fail":
		o.Metadata = MetadataFail
	default:
		return nil, errorf(ErrInvalid, "merge: metadata is first or fail, not %q", s.Metadata)
	}
	if len(s.Prefix) > 0 {
		if len(s.Prefix) != steps+1 {
			return nil, errorf(ErrInvalid, "merge: %d prefixes for %d models", len(s.Prefix), steps+1)
		}
		o.Prefixes = s.Prefix
	}
	for _, spec := range s.Connect {
		k, pairs, err := parseConnect(spec, steps)
		if err != nil {
			return nil, err
		}
		o.Connect[k-1] = append(o.Connect[k-1], pairs...)
	}
	return o, nil
}

// parseConnect reads "K:SRC=DST[,SRC=DST...]" (K may be left out when the
// merge has one step).
func parseConnect(spec string, steps int) (int, []Connection, error) {
	step, body := 1, spec
	if k, rest, ok := strings.Cut(spec, ":"); ok {
		if n, err := strconv.Atoi(k); err == nil {
			step, body = n, rest
		} else if steps > 1 {
			return 0, nil, errorf(ErrInvalid, "merge: connect %q: give the step as K:SRC=DST", spec)
		}
	} else if steps > 1 {
		return 0, nil, errorf(ErrInvalid, "merge: connect %q: with %d models, give the step as K:SRC=DST", spec, steps+1)
	}
	if step < 1 || step > steps {
		return 0, nil, errorf(ErrInvalid, "merge: connect %q: step %d is not in 1..%d", spec, step, steps)
	}
	var pairs []Connection
	for _, p := range strings.Split(body, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		src, dst, ok := strings.Cut(p, "=")
		if !ok || src == "" || dst == "" {
			return 0, nil, errorf(ErrInvalid, "merge: connect %q: %q is not SRC=DST", spec, p)
		}
		pairs = append(pairs, Connection{Src: src, Dst: dst})
	}
	if len(pairs) == 0 {
		return 0, nil, errorf(ErrInvalid, "merge: connect %q: no SRC=DST", spec)
	}
	return step, pairs, nil
}

// Validate checks the options without a model.
func (s *MergeStep) Validate() error {
	_, err := s.Options()
	return err
}

// Apply reads the models of With and merges them after m, in place; it
// returns the *MergeReport. m stays as it was when a file cannot be read or
// the merge fails.
func (s *MergeStep) Apply(m *Model) (_ any, err error) {
	o, err := s.Options()
	if err != nil {
		return nil, err
	}
	models := []*Model{m}
	defer func() {
		// On success the merged model holds what it took from the files.
		if err != nil {
			for _, x := range models[1:] {
				x.Close()
			}
		}
	}()
	for _, path := range s.With {
		x, err := Open(path, nil)
		if err != nil {
			return nil, err
		}
		x.types = m.types.fresh()
		models = append(models, x)
	}
	res, r, err := Merge(models, o)
	if err != nil {
		return nil, err
	}
	m.adopt(res)
	return r, nil
}
