package simplify

import "github.com/onnxgraph/onnxgraph"

// dcePass removes, in every graph, the nodes no graph output needs and
// the initializers nothing reads, value_info entries of values that no
// longer exist, and model-local functions no node calls.
func (s *state) dcePass() (int, error) {
	r, err := onnxgraph.PruneModel(s.m, nil)
	if err != nil {
		return 0, err
	}
	return len(r.Nodes) + len(r.Initializers) + len(r.ValueInfo) + len(r.Functions), nil
}
