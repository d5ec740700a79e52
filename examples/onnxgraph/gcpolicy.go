package main

import (
	"os"
	"runtime/debug"
)

// keepGC are the commands that keep Go's collector as it is: the viewer
// serves pages for as long as it runs; run and compare run a model many
// times over; simplify and to-tflite fold constants, which makes tensors
// that are dropped as the passes go.
var keepGC = map[string]bool{"view": true, "run": true, "compare": true, "simplify": true, "to-tflite": true}

// batchGC sets how a command that reads a model, changes it and exits
// collects garbage. A model's graph is almost all live until the command
// ends, so the collector's early cycles, while the heap grows from nothing,
// mark the same live data again and again for nothing: on a 100k-node
// graph they are about a tenth of `infer`'s time. The proportional
// collector is turned off and a memory limit of a quarter of the machine's
// memory takes its place, the pattern the Go runtime documents for such
// programs (runtime/debug.SetMemoryLimit): below the limit no cycle runs,
// near it the collector works as usual. The weights of a mapped model are
// not Go memory and do not count. Left as they are: the commands whose
// garbage outgrows the model (keepGC), a system whose memory size is not
// known, and a user who set GOGC or GOMEMLIMIT.
func batchGC(args []string) {
	if len(args) > 0 && keepGC[args[0]] || os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	total := physicalMemory()
	if total == 0 {
		return
	}
	debug.SetMemoryLimit(int64(total / 4))
	debug.SetGCPercent(-1)
}
