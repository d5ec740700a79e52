package onnxgraph

// SetEditHook sets the function every plain-form edit and Merge runs on
// its model when it ends (the tests' Sanity check).
func SetEditHook(f func(*Model)) { editHook = f }

// FastDecodeDiff decodes b with the fast decoder and the general path and
// reports how the two differ (see fastDecodeDiff); fast says whether the
// fast decoder took b rather than leave it to the general path.
func FastDecodeDiff(b []byte) (fast bool, err error) { return fastDecodeDiff(b) }
