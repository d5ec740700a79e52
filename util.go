package onnxgraph

import (
	"cmp"
	"slices"

	"github.com/samber/lo"
)

func sortedKeys[K cmp.Ordered, V any](m map[K]V) []K {
	keys := lo.Keys(m)
	slices.Sort(keys)
	return keys
}
