package opschema

//go:generate go run ./internal/gen -in ../../shared/onnx-spec/onnx-schemas.json -out table_gen.go
