package eval_test

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"math/rand"
	"strconv"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/eval"
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"github.com/onnxgraph/onnxgraph/opschema"
)

var robustSeed = flag.Int64("robust.seed", 1, "seed of TestRobust's random nodes")

// TestRobust feeds every kernel random nodes: random attribute values
// (negative, huge, empty lists, unknown strings), random input counts,
// element types and shapes (rank 0 to 4, empty dims), and integer inputs
// with extreme values (which kernels read as sizes, axes, indices). Every
// call must return outputs or a *NodeError that wraps ErrInvalid,
// ErrNotImplemented or ErrTooLarge; a panic fails the test, and the small
// size limit turns every huge allocation into ErrTooLarge.
func TestRobust(t *testing.T) {
	trials := 200
	if testing.Short() {
		trials = 10
	}
	rng := rand.New(rand.NewSource(*robustSeed))
	opts := &eval.Options{MaxElements: 1 << 14}
	counts := map[string]int{}
	for _, v := range eval.Operators() {
		dom, rest, _ := strings.Cut(v, ":")
		op, sinceText, _ := strings.Cut(rest, "-")
		since, _ := strconv.Atoi(sinceText)
		s, ok := opschema.Lookup(dom, op, since)
		if !ok {
			t.Fatalf("%s: no schema", v)
		}
		if hasGraphAttr(s) {
			continue // subgraphs are exercised by the suite and the unit tests
		}
		for range trials {
			n, inputs := randomNode(t, rng, s)
			outs, err := eval.EvalNode(n, inputs, opts)
			if err != nil {
				var ne *eval.NodeError
				if !errors.As(err, &ne) || !(errors.Is(err, eval.ErrInvalid) || errors.Is(err, eval.ErrNotImplemented) || errors.Is(err, eval.ErrTooLarge)) {
					t.Fatalf("%s: error %v is not a typed node error", v, err)
				}
				counts[classOf(err)]++
				continue
			}
			counts["ok"]++
			if len(outs) != n.NumOutputs() {
				t.Fatalf("%s: %d outputs for %d", v, len(outs), n.NumOutputs())
			}
		}
	}
	t.Logf("results: %v", counts)
}

func classOf(err error) string {
	switch {
	case errors.Is(err, eval.ErrTooLarge):
		return "too large"
	case errors.Is(err, eval.ErrNotImplemented):
		return "not implemented"
	}
	return "invalid"
}

func hasGraphAttr(s *opschema.Schema) bool {
	for _, a := range s.Attributes {
		if a.Type == opschema.AttrGraph || a.Type == opschema.AttrGraphs {
			return true
		}
	}
	return false
}

var (
	extremeInts = []int64{math.MinInt64, -1 << 40, -3, -2, -1, 0, 1, 2, 3, 4, 1 << 20, 1 << 40, math.MaxInt64}
	someFloats  = []float32{0, 1, -1, 0.5, 2, 1e-5, float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 1e30}
	someStrings = []string{"", "constant", "reflect", "edge", "wrap", "LEFT", "RIGHT", "DCR", "CRD", "none", "tanh", "add", "mul",
		"max", "min", "SAME_UPPER", "SAME_LOWER", "VALID", "NOTSET", "up", "linear", "nearest", "cubic", "bogus"}
	someTypes = []onnxgraph.DataType{onnxgraph.Float, onnxgraph.Double, onnxgraph.Float16, onnxgraph.Int64, onnxgraph.Int32,
		onnxgraph.Int8, onnxgraph.Uint8, onnxgraph.Bool, onnxgraph.String, onnxgraph.Uint64, onnxgraph.BFloat16}
)

// randomNode builds a one-node model of s's operator with random
// attributes and inputs.
func randomNode(t *testing.T, rng *rand.Rand, s *opschema.Schema) (*onnxgraph.Node, []*onnxgraph.Tensor) {
	t.Helper()
	m := onnxgraph.NewModel(10, map[string]int64{domainOf(s): int64(s.SinceVersion)})
	g := m.Graph()
	nin := s.MinInputs
	hi := s.MaxInputs
	if hi == opschema.Unbounded {
		hi = s.MinInputs + 3
	}
	if hi > nin {
		nin += rng.Intn(hi - nin + 1)
	}
	var ins []*onnxgraph.Value
	var ts []*onnxgraph.Tensor
	for i := range nin {
		if i >= s.MinInputs && rng.Intn(4) == 0 {
			ins, ts = append(ins, nil), append(ts, nil)
			continue
		}
		tn := randomTensor(rng, fmt.Sprintf("in%d", i))
		v, err := g.AddInput(tn.Name(), onnxgraph.TensorType(tn.DataType(), onnxgraph.Dims(tn.Dims()...)))
		if err != nil {
			t.Fatal(err)
		}
		ins, ts = append(ins, v), append(ts, tn)
	}
	var attrs []*onnxproto.AttributeProto
	for _, a := range s.Attributes {
		if !a.Required && rng.Intn(2) == 0 {
			continue
		}
		if p := randomAttr(rng, a); p != nil {
			attrs = append(attrs, p)
		}
	}
	nout := s.MaxOutputs
	if nout == opschema.Unbounded {
		nout = 1 + rng.Intn(3)
	}
	nout = max(s.MinOutputs, min(nout, s.MinOutputs+rng.Intn(nout-s.MinOutputs+1)))
	outs := make([]string, nout)
	for i := range outs {
		outs[i] = fmt.Sprintf("out%d", i)
	}
	n, err := g.AddNodeIn(nodeDomain(s), s.Name, ins, outs, attrs...)
	if err != nil {
		t.Fatal(err)
	}
	return n, ts
}

func domainOf(s *opschema.Schema) string {
	if s.Domain == opschema.DomainONNX {
		return ""
	}
	return s.Domain
}

func nodeDomain(s *opschema.Schema) string { return domainOf(s) }

func randomDims(rng *rand.Rand) []int64 {
	dims := make([]int64, rng.Intn(5))
	for i := range dims {
		dims[i] = int64(rng.Intn(4))
		if rng.Intn(3) > 0 && dims[i] == 0 {
			dims[i] = 2
		}
	}
	return dims
}

func randomTensor(rng *rand.Rand, name string) *onnxgraph.Tensor {
	dims := randomDims(rng)
	if rng.Intn(4) == 0 {
		dims = []int64{int64(1 + rng.Intn(4))} // a short 1-D list: axes, shapes, pads
	}
	n := int(onnxgraph.NumElements(dims))
	dt := someTypes[rng.Intn(len(someTypes))]
	var vals any
	switch dt {
	case onnxgraph.Float, onnxgraph.Float16, onnxgraph.BFloat16:
		v := make([]float32, n)
		for i := range v {
			v[i] = someFloats[rng.Intn(len(someFloats))] * float32(rng.Intn(5)-2)
		}
		vals = v
	case onnxgraph.Double:
		v := make([]float64, n)
		for i := range v {
			v[i] = rng.NormFloat64() * 3
		}
		vals = v
	case onnxgraph.Int64:
		v := make([]int64, n)
		for i := range v {
			v[i] = extremeInts[rng.Intn(len(extremeInts))]
		}
		vals = v
	case onnxgraph.Uint64:
		v := make([]uint64, n)
		for i := range v {
			v[i] = uint64(extremeInts[rng.Intn(len(extremeInts))])
		}
		vals = v
	case onnxgraph.Int32:
		v := make([]int32, n)
		for i := range v {
			v[i] = int32(rng.Intn(9) - 4)
		}
		vals = v
	case onnxgraph.Int8:
		v := make([]int8, n)
		for i := range v {
			v[i] = int8(rng.Intn(256) - 128)
		}
		vals = v
	case onnxgraph.Uint8:
		v := make([]uint8, n)
		for i := range v {
			v[i] = uint8(rng.Intn(256))
		}
		vals = v
	case onnxgraph.Bool:
		v := make([]bool, n)
		for i := range v {
			v[i] = rng.Intn(2) == 0
		}
		vals = v
	case onnxgraph.String:
		v := make([]string, n)
		for i := range v {
			v[i] = someStrings[rng.Intn(len(someStrings))]
		}
		vals = v
	}
	t, err := onnxgraph.NewTensorOf(name, dt, dims, vals)
	if err != nil {
		panic(err)
	}
	return t
}

func randomAttr(rng *rand.Rand, a opschema.Attribute) *onnxproto.AttributeProto {
	var v any
	switch a.Type {
	case opschema.AttrInt:
		v = extremeInts[rng.Intn(len(extremeInts))]
		if rng.Intn(2) == 0 {
			v = int64(rng.Intn(5) - 1)
		}
	case opschema.AttrFloat:
		v = someFloats[rng.Intn(len(someFloats))]
	case opschema.AttrString:
		v = someStrings[rng.Intn(len(someStrings))]
	case opschema.AttrInts:
		l := make([]int64, rng.Intn(5))
		for i := range l {
			l[i] = int64(rng.Intn(5) - 1)
			if rng.Intn(5) == 0 {
				l[i] = extremeInts[rng.Intn(len(extremeInts))]
			}
		}
		v = l
	case opschema.AttrFloats:
		l := make([]float32, rng.Intn(5))
		for i := range l {
			l[i] = someFloats[rng.Intn(len(someFloats))]
		}
		v = l
	case opschema.AttrStrings:
		l := make([]string, rng.Intn(4))
		for i := range l {
			l[i] = someStrings[rng.Intn(len(someStrings))]
		}
		v = l
	case opschema.AttrTensor:
		v = randomTensor(rng, a.Name).Proto()
		p := &onnxproto.AttributeProto{Name: &a.Name, T: v.(*onnxproto.TensorProto)}
		typ := onnxproto.AttributeProto_TENSOR
		p.Type = &typ
		return p
	default:
		return nil
	}
	p, err := onnxgraph.NewAttr(a.Name, a.Type, v)
	if err != nil {
		panic(err)
	}
	return p
}
