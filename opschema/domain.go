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

	// DomainMicrosoft holds ONNX Runtime's contrib operators (Attention,
	// GroupQueryAttention, MatMulNBits, ...). Its schemas are those ONNX
	// Runtime documents; they are marked Extension.
	DomainMicrosoft = "com.microsoft"
)

// StandardDomain reports whether domain ("" meaning DomainONNX) is one of
// the ONNX standard domains, whose operators all have schemas here: an
// operator of such a domain without a schema does not exist. Other
// domains, DomainMicrosoft included, are open: an operator without a
// schema may still be one a runtime knows.
func StandardDomain(domain string) bool {
	switch NormalizeDomain(domain) {
	case DomainONNX, DomainML, DomainPreview, DomainPreviewTraining:
		return true
	}
	return false
}

// NormalizeDomain returns the canonical spelling of an operator set domain:
// "" becomes DomainONNX; every other domain is returned unchanged.
func NormalizeDomain(domain string) string {
	if domain == "" {
		return DomainONNX
	}
	return domain
}
