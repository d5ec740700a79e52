package ort

// createLoggingEnv does nothing on Windows: ONNX Runtime keeps its own log
// there, at the level SetLog sets.
func createLoggingEnv(string) error { return nil }
