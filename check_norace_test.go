//go:build !race

package onnxgraph

const checkRaceEnabled = false
