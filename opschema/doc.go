// Package opschema is a table of the standard ONNX operator schemas: for
// every version of every operator of the domains ai.onnx, ai.onnx.ml,
// ai.onnx.preview and ai.onnx.preview.training, its attributes (with their
// types and defaults), formal inputs and outputs, arity bounds and type
// constraints. It also holds ONNX Runtime's contrib operators (domain
// com.microsoft, and two it registers in the default domain), marked
// [Schema.Extension].
//
// It is meant for tools that check or analyse models without running them,
// such as a model checker or shape inference: given a node's domain, op type
// and the opset the model imports for that domain, [Lookup] returns the
// [Schema] in force.
//
// # Versions and opsets
//
// An operator version is identified by its domain, name and since version:
// the opset version of its domain in which it appeared. It stays in force
// until the next version of the same operator. [Lookup] resolves an opset
// to that version; [Versions] lists them all. [MaxOpset] gives the newest
// opset version of a domain.
//
// # Domains
//
// Models write the default domain as the empty string. This package names
// it [DomainONNX] ("ai.onnx") and accepts "" wherever a domain is taken;
// [NormalizeDomain] does the conversion. [StandardDomain] tells the ONNX
// domains, where an operator without a schema does not exist, from open
// ones such as [DomainMicrosoft], where it may be one a runtime knows.
//
// # Attributes
//
// [AttrType] numbers attribute types as the ONNX AttributeProto does.
// Defaults are parsed into typed values (see [Default]) when the table is
// generated, so the table holds no text to parse at run time.
//
// # Arity
//
// Actual inputs bind to formal inputs by position; a variadic formal, always
// the last, absorbs the remaining actual values. [Schema.AllowsInputs] checks
// a count and [Schema.InputFormal] finds the formal of an actual index; the
// same holds for outputs.
//
// # Generated table
//
// The table (table_gen.go) is generated from onnx-schemas.json, extracted
// from the ONNX operator changelogs, and contrib-schemas.json, from ONNX
// Runtime's documentation of its contrib operators; both are kept in the
// repository under internal/spec (its README says where they come from and
// how to refresh them). Regenerate the table with
//
//	go generate ./opschema
//
// A test fails when the table is out of date with the data files.
//
// Schemas returned by this package are shared and must not be modified.
package opschema
