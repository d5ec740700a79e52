package opschema

import (
	"slices"
	"sort"
	"sync"
)

// opKey identifies an operator across its versions.
type opKey struct {
	domain, name string
}

// index is built once from table.
type index struct {
	versions map[opKey][]*Schema // ascending SinceVersion
	ops      map[string][]string // domain -> sorted operator names
	maxOpset map[string]int      // domain -> greatest SinceVersion
	domains  []string            // sorted
	all      []*Schema           // table order
}

var (
	indexOnce sync.Once
	idx       *index
)

// getIndex returns the index, building it on first use.
func getIndex() *index {
	indexOnce.Do(func() { idx = buildIndex(table) })
	return idx
}

func buildIndex(schemas []Schema) *index {
	x := &index{
		versions: make(map[opKey][]*Schema),
		ops:      make(map[string][]string),
		maxOpset: make(map[string]int),
		all:      make([]*Schema, len(schemas)),
	}
	for i := range schemas {
		s := &schemas[i]
		x.all[i] = s
		k := opKey{s.Domain, s.Name}
		if _, seen := x.versions[k]; !seen {
			x.ops[s.Domain] = append(x.ops[s.Domain], s.Name)
		}
		x.versions[k] = append(x.versions[k], s)
		x.maxOpset[s.Domain] = max(x.maxOpset[s.Domain], s.SinceVersion)
	}
	// The generator sorts the table, but the index does not rely on it.
	for _, vs := range x.versions {
		slices.SortFunc(vs, func(a, b *Schema) int { return a.SinceVersion - b.SinceVersion })
	}
	for d, names := range x.ops {
		slices.Sort(names)
		x.domains = append(x.domains, d)
	}
	slices.Sort(x.domains)
	return x
}

// Lookup returns the version of operator op of domain in force at the given
// opset version of that domain: the one with the greatest SinceVersion not
// above opset. The domain "" means DomainONNX. Lookup reports false when
// the operator is unknown or opset is below its first version. A deprecated
// version is returned like any other; check Schema.Deprecated.
func Lookup(domain, op string, opset int) (*Schema, bool) {
	vs := getIndex().versions[opKey{NormalizeDomain(domain), op}]
	// i is the number of versions with SinceVersion <= opset.
	i := sort.Search(len(vs), func(i int) bool { return vs[i].SinceVersion > opset })
	if i == 0 {
		return nil, false
	}
	return vs[i-1], true
}

// Versions returns every version of operator op of domain, by ascending
// SinceVersion, or nil if the operator is unknown.
func Versions(domain, op string) []*Schema {
	return slices.Clone(getIndex().versions[opKey{NormalizeDomain(domain), op}])
}

// All returns every operator version of every domain, sorted by domain,
// operator name and SinceVersion.
func All() []*Schema {
	return slices.Clone(getIndex().all)
}

// Ops returns the sorted names of the operators of domain, or nil if the
// domain is unknown.
func Ops(domain string) []string {
	return slices.Clone(getIndex().ops[NormalizeDomain(domain)])
}

// Domains returns the sorted canonical names of the domains with operators.
func Domains() []string {
	return slices.Clone(getIndex().domains)
}

// MaxOpset returns the newest opset version of domain, that is the greatest
// SinceVersion among its operators, or 0 if the domain is unknown.
func MaxOpset(domain string) int {
	return getIndex().maxOpset[NormalizeDomain(domain)]
}
