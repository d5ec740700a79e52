package shapeinfer

import "fmt"

// Func infers the output types (and, for shape computations, the output
// data) of one operator version from a node's Ctx. It returns an *Error
// (made with Ctx.Errorf) when it cannot: outputs it did not set stay
// unknown, with the error as their explanation.
type Func func(c *Ctx) error

// key identifies an operator version: normalized domain ("ai.onnx",
// "ai.onnx.ml", ...), op type, since-version.
type key struct {
	domain string
	op     string
	since  int
}

// table is every inference function, keyed by operator version. Each
// family file holds its part as an explicit literal; TestTableCoverage
// checks it against the operator schemas: every version has an entry and
// every entry is a real version.
var table = merge(
	elementwiseTable, nnTable, reduceTable, quantTable, rnnTable, randomTable, signalTable, attentionTable,
	shapeTable,
	controlflowTable, sequenceTable, stringsTable, mlTable, imageTable, trainingTable,
	contribTable,
)

func merge(parts ...map[key]Func) map[key]Func {
	out := map[key]Func{}
	for _, p := range parts {
		for k, f := range p {
			if _, dup := out[k]; dup {
				panic(fmt.Sprintf("shapeinfer: %v listed twice", k))
			}
			out[k] = f
		}
	}
	return out
}

// versions returns keys for op in domain at each since-version.
func versions(domain, op string, since ...int) []key {
	out := make([]key, len(since))
	for i, s := range since {
		out[i] = key{domain, op, s}
	}
	return out
}

// all maps every key of ks to f: families list the versions an op has and
// which function serves them.
func all(f Func, kss ...[]key) map[key]Func {
	out := map[key]Func{}
	for _, ks := range kss {
		for _, k := range ks {
			out[k] = f
		}
	}
	return out
}

func join(parts ...map[key]Func) map[key]Func { return merge(parts...) }
