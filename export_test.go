package onnxgraph

// SetEditHook sets the function every plain-form edit and Merge runs on
// its model when it ends (the tests' Sanity check).
func SetEditHook(f func(*Model)) { editHook = f }
