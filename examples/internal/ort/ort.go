// Package ort runs ONNX models with ONNX Runtime, through
// [github.com/yalue/onnxruntime_go], for tests and for the onnxgraph command
// line. Tensors cross the boundary as raw little-endian bytes, the form
// onnxgraph stores them in.
//
// # Setup
//
// ONNX Runtime is a shared library loaded at run time. [FindLibrary] looks
// for it where the npm package onnxruntime-node puts it; [Init] loads it
// once per process:
//
//	lib, err := ort.FindLibrary()
//	if err != nil {
//		return err // errors.Is(err, ort.ErrNoLibrary): not installed
//	}
//	if err := ort.Init(lib); err != nil {
//		return err
//	}
//
// # Running a model
//
// [Run] takes inputs by name and returns every output of the model;
// [RandomInputs] makes seeded inputs for a model from the input names,
// element types and shapes ONNX Runtime reports ([Info]).
//
//	in, err := ort.RandomInputs("model.onnx", 1)
//	out, err := ort.Run("model.onnx", in)
//
// [Session] loads a model once for many runs; [Session.BindShared] writes an
// output into an input's buffer (caches that past and present share).
// [RunSparse] feeds sparse tensors, which onnxruntime_go lacks, through ONNX
// Runtime's C API.
package ort

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/onnxgraph/onnxgraph"
	ortgo "github.com/yalue/onnxruntime_go"
)

// EnvLibrary is the environment variable that names the ONNX Runtime shared
// library; it takes precedence over every other place FindLibrary looks.
const EnvLibrary = "ONNXRUNTIME_LIB"

// InstallHint is the command that installs a library FindLibrary finds, run
// in the repository's root folder.
const InstallHint = "ONNXRUNTIME_NODE_INSTALL=skip npm install --no-save onnxruntime-node@1.30.0"

// ErrNoLibrary is returned by FindLibrary when no ONNX Runtime shared library
// is found.
var ErrNoLibrary = errors.New("ort: ONNX Runtime shared library not found")

// Tensor is a dense tensor: its element type, its shape (empty for a scalar)
// and its data in ONNX raw_data form (little-endian).
type Tensor struct {
	DType onnxgraph.DataType
	Shape []int64
	Data  []byte
}

// ValueInfo describes a model input or output as ONNX Runtime reports it.
// Shape holds -1 for a dimension that is symbolic or unknown, and is empty
// for a scalar and for a tensor of unknown rank alike.
type ValueInfo struct {
	Name  string
	DType onnxgraph.DataType
	Shape []int64
}

// FindLibrary returns the path of the ONNX Runtime shared library. It looks,
// in order, at the file named by $ONNXRUNTIME_LIB; in
// node_modules/onnxruntime-node of the working folder and of each folder
// above it (as Node resolves packages, so it finds the copy installed at the
// repository's root); and in the global npm folder (`npm root -g`). The
// error wraps ErrNoLibrary and says how to install the library, unless
// $ONNXRUNTIME_LIB names a file that does not exist.
func FindLibrary() (string, error) {
	if p := os.Getenv(EnvLibrary); p != "" {
		if !isFile(p) {
			return "", fmt.Errorf("ort: $%s names %s, which is not a file", EnvLibrary, p)
		}
		return p, nil
	}
	rel, err := libraryInPackage()
	if err != nil {
		return "", err
	}
	if dir, err := os.Getwd(); err == nil {
		for {
			if p := filepath.Join(dir, "node_modules", rel); isFile(p) {
				return p, nil
			}
			up := filepath.Dir(dir)
			if up == dir {
				break
			}
			dir = up
		}
	}
	if npm, err := exec.LookPath("npm"); err == nil {
		if out, err := exec.Command(npm, "root", "-g").Output(); err == nil {
			if p := filepath.Join(strings.TrimSpace(string(out)), rel); isFile(p) {
				return p, nil
			}
		}
	}
	return "", fmt.Errorf("%w: set $%s to its path, or install it in the repository's root folder with `%s`", ErrNoLibrary, EnvLibrary, InstallHint)
}

// libraryInPackage returns where onnxruntime-node keeps the library for this
// platform, relative to node_modules.
func libraryInPackage() (string, error) {
	goos, name := runtime.GOOS, "libonnxruntime.so.1"
	switch goos {
	case "darwin":
		name = "libonnxruntime.1.dylib"
	case "windows":
		goos, name = "win32", "onnxruntime.dll"
	}
	arch := runtime.GOARCH
	switch arch {
	case "amd64":
		arch = "x64"
	case "arm64":
	default:
		return "", fmt.Errorf("%w: onnxruntime-node has no build for %s/%s", ErrNoLibrary, runtime.GOOS, runtime.GOARCH)
	}
	return filepath.Join("onnxruntime-node", "bin", "napi-v6", goos, arch, name), nil
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

var initMu sync.Mutex
var initLib string // the library Init loaded, "" before

// Init loads the ONNX Runtime shared library at libPath and creates the
// runtime's environment, its log routed as SetLog says. Later calls with
// the same path do nothing; a call with another path is an error, since a
// process holds one environment. Init is safe for concurrent use.
func Init(libPath string) error {
	initMu.Lock()
	defer initMu.Unlock()
	if initLib != "" {
		if initLib != libPath {
			return fmt.Errorf("ort: already initialized with %s, not %s", initLib, libPath)
		}
		return nil
	}
	ortgo.SetSharedLibraryPath(libPath)
	if err := createLoggingEnv(libPath); err != nil {
		return err
	}
	if err := ortgo.InitializeEnvironment(); err != nil {
		return fmt.Errorf("ort: initialize %s: %w", libPath, err)
	}
	initLib = libPath
	// onnxruntime_go's environment is the one created above; the level
	// SetLog set applies.
	return ortgo.SetEnvironmentLogLevel(ortgo.LoggingLevel(currentLogLevel()))
}

// Version returns the version of the loaded ONNX Runtime library, "" before
// Init.
func Version() string {
	if !ortgo.IsInitialized() {
		return ""
	}
	return ortgo.GetVersion()
}

func checkInit() error {
	if !ortgo.IsInitialized() {
		return errors.New("ort: not initialized (call Init)")
	}
	return nil
}

// Info returns the inputs a run of the model needs (initializers are not
// among them) and the outputs it produces, in the model's order, as ONNX
// Runtime sees them (see ValueInfo). Only tensors are supported. It loads
// the model into a temporary session.
func Info(modelPath string) (inputs, outputs []ValueInfo, err error) {
	if err := checkInit(); err != nil {
		return nil, nil, err
	}
	ins, outs, err := ortgo.GetInputOutputInfo(modelPath)
	if err != nil {
		return nil, nil, fmt.Errorf("ort: %s: %w", modelPath, err)
	}
	conv := func(list []ortgo.InputOutputInfo) ([]ValueInfo, error) {
		out := make([]ValueInfo, len(list))
		for i, x := range list {
			if x.OrtValueType != ortgo.ONNXTypeTensor {
				return nil, fmt.Errorf("ort: %s: %q is a %v; only tensors are supported", modelPath, x.Name, x.OrtValueType)
			}
			// ONNX Runtime numbers element types as ONNX's TensorProto does.
			out[i] = ValueInfo{Name: x.Name, DType: onnxgraph.DataType(x.DataType), Shape: slices.Clone([]int64(x.Dimensions))}
		}
		return out, nil
	}
	if inputs, err = conv(ins); err != nil {
		return nil, nil, err
	}
	if outputs, err = conv(outs); err != nil {
		return nil, nil, err
	}
	return inputs, outputs, nil
}

// Run runs the model at modelPath on inputs, which must hold exactly the
// inputs Info lists, and returns every output by name. Each call loads the
// model twice: once to list its inputs and outputs, once to run it.
//
// onnxruntime_go v1.27.0 cannot hand back a scalar output that ONNX Runtime
// allocated, and copies the wrong number of bytes of an output whose
// element type Go lacks (float16, bfloat16, the 4-bit types). Run allocates such outputs
// itself from their shape, reading the model's declared output shapes when
// ONNX Runtime does not know it (its symbolic dimensions take their size
// from inputs that declare the same name); an output whose shape is still
// unknown then is an error.
func Run(modelPath string, inputs map[string]*Tensor) (map[string]*Tensor, error) {
	return RunContext(context.Background(), modelPath, inputs)
}

// RunContext is Run, stopped when ctx is done (ONNX Runtime terminates the
// run between operators): it then returns ctx's error.
func RunContext(ctx context.Context, modelPath string, inputs map[string]*Tensor) (map[string]*Tensor, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	inInfo, outInfo, err := Info(modelPath)
	if err != nil {
		return nil, err
	}
	inNames := make([]string, len(inInfo))
	for i, x := range inInfo {
		inNames[i] = x.Name
		if inputs[x.Name] == nil {
			return nil, fmt.Errorf("ort: %s: input %q is missing", modelPath, x.Name)
		}
	}
	for name := range inputs {
		if !slices.Contains(inNames, name) {
			return nil, fmt.Errorf("ort: %s: the model has no input %q", modelPath, name)
		}
	}
	outNames := make([]string, len(outInfo))
	for i, x := range outInfo {
		outNames[i] = x.Name
	}

	ins := make([]ortgo.Value, len(inNames))
	outs := make([]ortgo.Value, len(outNames)) // nil: allocated by the run
	defer func() {
		for _, v := range slices.Concat(ins, outs) {
			// A failed run can leave a nil pointer in an output slot.
			if v != nil && !reflect.ValueOf(v).IsNil() {
				v.Destroy()
			}
		}
	}()
	for i, name := range inNames {
		if ins[i], err = toValue(inputs[name]); err != nil {
			return nil, fmt.Errorf("ort: %s: input %q: %w", modelPath, name, err)
		}
	}
	var declared map[string][]int64 // read when the first output needs it
	for i, x := range outInfo {
		if declared == nil && needsDeclared(x) {
			if declared, err = declaredShapes(modelPath, inputs); err != nil {
				return nil, err
			}
		}
		if outs[i], err = outputBuffer(x, declared); err != nil {
			return nil, fmt.Errorf("ort: %s: output %q: %w", modelPath, x.Name, err)
		}
	}

	s, err := ortgo.NewDynamicAdvancedSession(modelPath, inNames, outNames, nil)
	if err != nil {
		return nil, fmt.Errorf("ort: %s: %w", modelPath, err)
	}
	defer s.Destroy()
	if err := runTerminable(ctx, func(o *ortgo.RunOptions) error { return s.RunWithOptions(ins, outs, o) }); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("ort: %s: %w", modelPath, err)
	}
	result := make(map[string]*Tensor, len(outs))
	for i, v := range outs {
		t, err := fromValue(v)
		if err != nil {
			return nil, fmt.Errorf("ort: %s: output %q: %w", modelPath, outNames[i], err)
		}
		result[outNames[i]] = t
	}
	return result, nil
}
