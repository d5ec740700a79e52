// Package tflitecheck proves package tflite by running: every test
// converts an ONNX model to .tflite, runs the ONNX model in ONNX Runtime
// (examples/internal/ort) and the .tflite in LiteRT.js
// (examples/internal/litert) on the same inputs, and requires the outputs
// to be close. The models are the ONNX backend suite's node tests of the
// supported operators and real-world-shaped networks the tests build.
package tflitecheck
