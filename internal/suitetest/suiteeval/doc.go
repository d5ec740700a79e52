// Package suiteeval runs the ONNX backend test suite's cases (package
// suitetest) with the evaluator on their data sets, read as the
// evaluator's values, and compares what they give with the expected
// outputs, for the tests of packages eval and simplify. It is a package
// of its own because it imports the library and its evaluator, which
// suitetest, imported by the library's own tests, cannot.
package suiteeval
