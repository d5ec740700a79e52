// Package suitetest finds the ONNX backend test suite, as Debian's
// libonnx-testdata installs it under Dir, and reads its cases for the
// tests of this repository (the library's and the examples' modules).
//
// The suite has a folder per part (node, simple, pytorch-converted,
// pytorch-operator, real) and in each a folder per case, test_*, holding
// model.onnx and the data sets test_data_set_N, whose input_K.pb and
// output_K.pb files are what the model is fed and what it must give.
//
// Models and Model fail the test under CI (the environment variable CI is
// not empty), where the suite must be installed, and skip it elsewhere;
// List and ModelPath only look. That rule is Missing, which every test of
// the repository follows for whatever it needs installed (python's onnx,
// ONNX Runtime, LiteRT.js, chromium). The package imports nothing of the
// repository, so that every package's tests can use it; it is imported
// from _test.go files and test-support packages (ort/orttest) only.
package suitetest
