package eval

// Operators of no larger family.

var miscTable = map[key]entry{}
