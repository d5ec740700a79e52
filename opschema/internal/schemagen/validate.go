package schemagen

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// options maps the data file's formal options to opschema constants.
var options = map[string]string{
	"single":   "Single",
	"optional": "Optional",
	"variadic": "Variadic",
}

// sortSchemas returns the schemas sorted by domain, name and since version,
// the order of the generated table.
func sortSchemas(in []Schema) []Schema {
	out := slices.Clone(in)
	slices.SortStableFunc(out, func(a, b Schema) int {
		return cmp.Or(
			cmp.Compare(a.Domain, b.Domain),
			cmp.Compare(a.Name, b.Name),
			cmp.Compare(a.SinceVersion, b.SinceVersion),
		)
	})
	return out
}

// validate checks the structural invariants the opschema package relies
// on. Schemas must be sorted (see sortSchemas).
func validate(schemas []Schema) error {
	if len(schemas) == 0 {
		return fmt.Errorf("opschema: schema file lists no operators")
	}
	for i := range schemas {
		s := &schemas[i]
		if i > 0 {
			p := &schemas[i-1]
			if p.Domain == s.Domain && p.Name == s.Name && p.SinceVersion == s.SinceVersion {
				return fmt.Errorf("opschema: %s: listed twice", id(s))
			}
		}
		if err := validateSchema(s); err != nil {
			return fmt.Errorf("opschema: %s: %w", id(s), err)
		}
	}
	return nil
}

// id names an operator version in error messages.
func id(s *Schema) string {
	return fmt.Sprintf("%s %s-%d", s.Domain, s.Name, s.SinceVersion)
}

func validateSchema(s *Schema) error {
	switch {
	case s.Domain == "":
		return fmt.Errorf("empty domain (the default domain is written ai.onnx)")
	case s.Name == "":
		return fmt.Errorf("empty operator name")
	case s.SinceVersion < 1:
		return fmt.Errorf("since_version %d < 1", s.SinceVersion)
	}
	names := map[string]bool{}
	for _, a := range s.Attributes {
		if a.Name == "" || names[a.Name] {
			return fmt.Errorf("attribute name %q empty or repeated", a.Name)
		}
		names[a.Name] = true
		k, err := lookupAttrType(a.Type)
		if err != nil {
			return fmt.Errorf("attribute %s: %w", a.Name, err)
		}
		if a.Default != nil {
			if _, err := parseDefault(k.value, *a.Default); err != nil {
				return fmt.Errorf("attribute %s (%s): %w", a.Name, a.Type, err)
			}
		}
	}
	constraints := map[string]bool{}
	for _, tc := range s.TypeConstraints {
		if tc.Name == "" || constraints[tc.Name] {
			return fmt.Errorf("type constraint name %q empty or repeated", tc.Name)
		}
		if len(tc.Allowed) == 0 {
			return fmt.Errorf("type constraint %s allows no type", tc.Name)
		}
		constraints[tc.Name] = true
	}
	if err := validateFormals("input", s.Inputs, s.MinInput, s.MaxInput, constraints); err != nil {
		return err
	}
	return validateFormals("output", s.Outputs, s.MinOutput, s.MaxOutput, constraints)
}

func validateFormals(what string, fs []Formal, minN int, maxN *int, constraints map[string]bool) error {
	variadic := false
	for i, f := range fs {
		if _, ok := options[f.Option]; !ok {
			return fmt.Errorf("%s %s: unknown option %q", what, f.Name, f.Option)
		}
		if f.Option == "variadic" {
			if i != len(fs)-1 {
				return fmt.Errorf("%s %s: variadic formal is not the last one", what, f.Name)
			}
			variadic = true
		}
		if !constraints[f.Type] && !strings.Contains(f.Type, "(") {
			return fmt.Errorf("%s %s: type %q is neither a type constraint nor a concrete type", what, f.Name, f.Type)
		}
	}
	switch {
	case minN < 0:
		return fmt.Errorf("min %s count %d < 0", what, minN)
	case variadic && maxN != nil:
		return fmt.Errorf("variadic %ss but max %s count %d", what, what, *maxN)
	case !variadic && maxN == nil:
		return fmt.Errorf("unbounded %ss without a variadic formal", what)
	case maxN != nil && *maxN != len(fs):
		return fmt.Errorf("max %s count %d but %d formals", what, *maxN, len(fs))
	case maxN != nil && minN > *maxN:
		return fmt.Errorf("min %s count %d > max %d", what, minN, *maxN)
	}
	return nil
}
