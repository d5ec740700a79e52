//go:build !windows

package ort

/*
#cgo linux LDFLAGS: -ldl
#include <stdlib.h>
const char *ortgraphCreateEnv(const char *lib, int level);
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// createLoggingEnv creates ONNX Runtime's environment with the log routed
// through logMessage, before onnxruntime_go creates its own (which then
// is this one).
func createLoggingEnv(lib string) error {
	cLib := C.CString(lib)
	defer C.free(unsafe.Pointer(cLib))
	if msg := C.ortgraphCreateEnv(cLib, C.int(currentLogLevel())); msg != nil {
		return fmt.Errorf("ort: route the log of %s: %s", lib, C.GoString(msg))
	}
	return nil
}

//export ortgraphLog
func ortgraphLog(severity C.int, category, location, message *C.char) {
	logMessage(LogMessage{Level: LogLevel(severity), Category: C.GoString(category), Location: C.GoString(location), Text: C.GoString(message)})
}
