package opschema

// Operator set domains of the standard operators.
const (
	// DomainONNX is the default domain. Models write it as "" (or, rarely,
	// as "ai.onnx"); this package always reports it as "ai.onnx".
	DomainONNX = "ai.onnx"

	// DomainML is the classical machine-learning domain.
	DomainML = "ai.onnx.ml"

	// DomainPreview holds operators under evaluation.
	DomainPreview = "ai.onnx.preview"

	// DomainPreviewTraining holds the training operators.
	DomainPreviewTraining = "ai.onnx.preview.training"
)

// NormalizeDomain returns the canonical spelling of an operator set domain:
// "" becomes DomainONNX; every other domain is returned unchanged.
func NormalizeDomain(domain string) string {
	if domain == "" {
		return DomainONNX
	}
	return domain
}
