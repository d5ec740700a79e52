package opschema

//go:generate go run ./internal/gen -in internal/spec/onnx-schemas.json -in internal/spec/contrib-schemas.json -out table_gen.go
