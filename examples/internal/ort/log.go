package ort

import (
	"fmt"
	"os"
	"strings"
	"sync"

	ortgo "github.com/yalue/onnxruntime_go"
)

// LogLevel is the severity of a message of ONNX Runtime's log, numbered
// as ONNX Runtime's OrtLoggingLevel.
type LogLevel int

// The levels of ONNX Runtime's log, least severe first.
const (
	LogVerbose LogLevel = iota
	LogInfo
	LogWarning
	LogError
	LogFatal
)

var logLevelNames = [...]string{"verbose", "info", "warning", "error", "fatal"}

// String returns the level's name: verbose, info, warning, error or fatal.
func (l LogLevel) String() string {
	if l >= 0 && int(l) < len(logLevelNames) {
		return logLevelNames[l]
	}
	return fmt.Sprintf("LogLevel(%d)", int(l))
}

// LogMessage is one message of ONNX Runtime's log.
type LogMessage struct {
	Level    LogLevel
	Category string // e.g. "onnxruntime"
	Location string // the source location, e.g. "graph.cc:4392 CleanUnusedInitializersAndNodeArgs"
	Text     string // may span lines
}

// The log's destination: ONNX Runtime calls logMessage, from any of its
// threads, for every message at or above the level.
var (
	logMu    sync.Mutex
	logLevel = LogError
	logFunc  = defaultLog
)

// defaultLog writes a message to standard error as one plain line per
// line of text.
func defaultLog(m LogMessage) {
	for _, line := range strings.Split(strings.TrimRight(m.Text, "\n"), "\n") {
		fmt.Fprintf(os.Stderr, "onnxruntime: %s: %s\n", m.Level, line)
	}
}

// SetLog routes ONNX Runtime's log: messages at level or above go to fn,
// the others are not even made. fn may be called from ONNX Runtime's
// threads, one call at a time; nil drops every message. Before SetLog,
// errors and fatal errors go to standard error as plain lines (ONNX
// Runtime's own output, coloured and spread over lines, never appears).
// SetLog may be called before or after Init.
func SetLog(level LogLevel, fn func(LogMessage)) error {
	if fn == nil {
		fn = func(LogMessage) {}
	}
	logMu.Lock()
	logLevel, logFunc = level, fn
	logMu.Unlock()
	if ortgo.IsInitialized() {
		return ortgo.SetEnvironmentLogLevel(ortgo.LoggingLevel(level))
	}
	return nil
}

// logMessage passes a message of ONNX Runtime's log on.
func logMessage(m LogMessage) {
	logMu.Lock()
	defer logMu.Unlock()
	if m.Level >= logLevel {
		logFunc(m)
	}
}

// currentLogLevel is the level SetLog set.
func currentLogLevel() LogLevel {
	logMu.Lock()
	defer logMu.Unlock()
	return logLevel
}
