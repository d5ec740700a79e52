// Package evalcheck holds the differential test of package eval against
// ONNX Runtime: single-node models of operator versions newer than the
// backend suite, and random geometries of the common kernels, run by both,
// outputs compared. It has no non-test code.
package evalcheck
