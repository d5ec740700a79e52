package opschema

import "strings"

// Attribute returns the declaration of the attribute called name.
func (s *Schema) Attribute(name string) (*Attribute, bool) {
	for i := range s.Attributes {
		if s.Attributes[i].Name == name {
			return &s.Attributes[i], true
		}
	}
	return nil, false
}

// TypeConstraint returns the type constraint called name (such as "T").
func (s *Schema) TypeConstraint(name string) (*TypeConstraint, bool) {
	for i := range s.TypeConstraints {
		if s.TypeConstraints[i].Name == name {
			return &s.TypeConstraints[i], true
		}
	}
	return nil, false
}

// AllowsInputs reports whether a node may have n actual inputs.
func (s *Schema) AllowsInputs(n int) bool {
	return within(n, s.MinInputs, s.MaxInputs)
}

// AllowsOutputs reports whether a node may have n actual outputs.
func (s *Schema) AllowsOutputs(n int) bool {
	return within(n, s.MinOutputs, s.MaxOutputs)
}

func within(n, lo, hi int) bool {
	return n >= lo && (hi == Unbounded || n <= hi)
}

// InputFormal returns the formal parameter that the actual input at index i
// binds to. Actual inputs map one to one onto formals, except that a
// variadic last formal absorbs every index from its own onwards. It reports
// false when i is negative or beyond the formals.
func (s *Schema) InputFormal(i int) (*Formal, bool) {
	return formalAt(s.Inputs, i)
}

// OutputFormal returns the formal parameter that the actual output at index
// i binds to, with the same rules as InputFormal.
func (s *Schema) OutputFormal(i int) (*Formal, bool) {
	return formalAt(s.Outputs, i)
}

func formalAt(fs []Formal, i int) (*Formal, bool) {
	switch {
	case i < 0 || len(fs) == 0:
		return nil, false
	case i < len(fs):
		return &fs[i], true
	case fs[len(fs)-1].Option == Variadic:
		return &fs[len(fs)-1], true
	}
	return nil, false
}

// AllowedTypes returns the types that formal f of s may take: the allowed
// list of its type constraint, or its concrete type alone. It returns nil
// if f names a type constraint s does not declare.
func (s *Schema) AllowedTypes(f *Formal) []string {
	if tc, ok := s.TypeConstraint(f.Type); ok {
		return tc.Allowed
	}
	if isConcreteType(f.Type) {
		return []string{f.Type}
	}
	return nil
}

// isConcreteType tells a concrete type ("tensor(int64)") from a type
// parameter name ("T").
func isConcreteType(t string) bool {
	return strings.Contains(t, "(")
}

// DefaultValue returns the typed default of a: an int64, float32, string,
// []int64, []float32 or []string according to a.Type. It reports false
// when a has no default or the default has no typed form (see Default).
func (a *Attribute) DefaultValue() (any, bool) {
	d := a.Default
	if d == nil {
		return nil, false
	}
	switch a.Type {
	case AttrInt:
		return d.Int, true
	case AttrFloat:
		return d.Float, true
	case AttrString:
		return d.String, true
	case AttrInts:
		return d.Ints, true
	case AttrFloats:
		return d.Floats, true
	case AttrStrings:
		return d.Strings, true
	}
	return nil, false
}
