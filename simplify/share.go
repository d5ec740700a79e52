package simplify

import (
	"bytes"
	"hash/maphash"
	"strconv"
	"strings"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/opschema"
)

// sharePass makes the readers of identical constants of g (initializers,
// then Constant nodes in order) read the first of them; dead code removal
// takes the others. Constants are compared by type and shape, a
// fingerprint of sampled bytes, then in full. External tensors are left
// out: comparing them would read the weights.
func (s *state) sharePass(g *onnxgraph.Graph) (int, error) {
	type cand struct {
		v *onnxgraph.Value
		t *onnxgraph.Tensor
	}
	var cands []cand
	for _, v := range g.Initializers() {
		if t, ok := s.constOf(v); ok {
			cands = append(cands, cand{v, t})
		}
	}
	order := g.Nodes()
	for _, n := range order {
		if n.OpType() == "Constant" && opschema.NormalizeDomain(n.Domain()) == opschema.DomainONNX && n.Output(0) != nil {
			if t, ok := s.constOf(n.Output(0)); ok {
				cands = append(cands, cand{n.Output(0), t})
			}
		}
	}
	groups := map[string][]cand{}
	var keys []string
	for _, c := range cands {
		if c.t.IsExternal() || c.t.DataType() == onnxgraph.String {
			continue
		}
		k := strconv.Itoa(int(c.t.DataType())) + ":" + dimsKey(c.t.Dims())
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], c)
	}
	changes := 0
	for _, k := range keys {
		group := groups[k]
		if len(group) < 2 {
			continue
		}
		type rep struct {
			v *onnxgraph.Value
			b []byte
		}
		reps := map[uint64][]rep{}
		for _, c := range group {
			b, err := c.t.Bytes()
			if err != nil {
				continue
			}
			fp := fingerprint(b)
			shared := false
			for _, r := range reps[fp] {
				if bytes.Equal(r.b, b) {
					if c.v.NumUses() > 0 {
						c.v.ReplaceAllUsesWith(r.v)
						changes++
					}
					shared = true
					break
				}
			}
			if !shared {
				reps[fp] = append(reps[fp], rep{c.v, b})
			}
		}
	}
	return changes, nil
}

func dimsKey(dims []int64) string {
	var sb strings.Builder
	for _, d := range dims {
		sb.WriteString(strconv.FormatInt(d, 10))
		sb.WriteByte(',')
	}
	return sb.String()
}

// fingerprint hashes b, or 64 evenly spaced pieces of it when it is
// large, so that weights that differ are told apart without hashing them
// whole. The hash (maphash, with a seed per process) only groups
// candidates, which are then compared in full.
func fingerprint(b []byte) uint64 {
	const piece, pieces = 64, 64
	if len(b) <= piece*pieces {
		return maphash.Bytes(fingerprintSeed, b)
	}
	var h maphash.Hash
	h.SetSeed(fingerprintSeed)
	step := (len(b) - piece) / (pieces - 1)
	for i := range pieces {
		h.Write(b[i*step : i*step+piece])
	}
	return h.Sum64()
}

var fingerprintSeed = maphash.MakeSeed()
