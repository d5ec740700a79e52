package onnxgraph

import (
	"github.com/onnxgraph/onnxgraph/onnxproto"
	"google.golang.org/protobuf/proto"
)

// renameValues gives every value of plan its new name, all at once (so
// names may trade places), everywhere the name appears: the producer's
// output, every node input that reads it (in subgraphs too), the graph
// input, output and value_info entries, the initializer, the graph's scope,
// quantization annotations of its graph and, for the main graph,
// training-info bindings. It checks nothing: callers make sure the new
// names are free. Every rename of a value goes through it.
func renameValues(plan map[*Value]string) {
	byGraph := map[*Graph]map[string]string{} // old -> new, per graph
	for v, nw := range plan {
		if nw == v.name {
			delete(plan, v)
			continue
		}
		if v.undef {
			if v.graph.undef[v.name] == v {
				delete(v.graph.undef, v.name)
			}
		} else if v.graph.scope[v.name] == v {
			delete(v.graph.scope, v.name)
		}
	}
	for v, nw := range plan {
		old := v.name
		v.name = nw
		if v.producer != nil {
			v.producer.p.Output[v.index] = nw
		}
		for _, u := range v.uses {
			u.Node.p.Input[u.Index] = nw
		}
		for _, vi := range v.infos {
			vi.Name = proto.String(nw)
		}
		g := v.graph
		if v.undef {
			g.undef[nw] = v
		} else if _, taken := g.scope[nw]; !taken {
			g.scope[nw] = v
		}
		if byGraph[g] == nil {
			byGraph[g] = map[string]string{}
		}
		byGraph[g][old] = nw
	}
	for g, names := range byGraph {
		g.model.touch()
		if g.p != nil {
			for _, qa := range g.p.QuantizationAnnotation {
				if nw, ok := names[qa.GetTensorName()]; ok {
					qa.TensorName = proto.String(nw)
				}
			}
		}
		if g.model == nil || g != g.model.graph || g.model.p == nil {
			continue
		}
		for _, ti := range g.model.p.GetTrainingInfo() {
			for _, list := range [][]*onnxproto.StringStringEntryProto{ti.InitializationBinding, ti.UpdateBinding} {
				for _, kv := range list {
					if nw, ok := names[kv.GetKey()]; ok {
						kv.Key = proto.String(nw)
					}
				}
			}
		}
	}
}
