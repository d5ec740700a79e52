//go:build !windows

// ONNX Runtime's environment with a logging function of ours: created
// before onnxruntime_go creates its own, which then gets this one (ONNX
// Runtime keeps one environment per process and hands the first to every
// later creation). Only the head of the OrtApi table is declared: the
// table is append-only, so these entries stay where ONNX Runtime 1.0 put
// them.

#include <dlfcn.h>
#include <stddef.h>
#include <stdint.h>
#include "_cgo_export.h"

typedef void (*ortLoggingFunction)(void *param, int severity, const char *category, const char *logid,
                                   const char *code_location, const char *message);

typedef struct {
	const void *(*GetApi)(uint32_t version);
	const char *(*GetVersionString)(void);
} ortApiBase;

typedef struct {
	void *CreateStatus;
	void *GetErrorCode;
	const char *(*GetErrorMessage)(const void *status);
	void *CreateEnv;
	void *(*CreateEnvWithCustomLogger)(ortLoggingFunction fn, void *param, int level, const char *logid, void **out);
} ortApiHead;

static void ortgraphLogSink(void *param, int severity, const char *category, const char *logid,
                            const char *code_location, const char *message) {
	ortgraphLog(severity, (char *)category, (char *)code_location, (char *)message);
}

const char *ortgraphCreateEnv(const char *lib, int level) {
	void *h = dlopen(lib, RTLD_LAZY);
	if (h == NULL) {
		return dlerror();
	}
	const ortApiBase *(*getBase)(void) = (const ortApiBase *(*)(void))dlsym(h, "OrtGetApiBase");
	if (getBase == NULL) {
		return "the library has no OrtGetApiBase";
	}
	const ortApiHead *api = (const ortApiHead *)getBase()->GetApi(1);
	if (api == NULL) {
		return "the library does not offer API version 1";
	}
	void *env = NULL;
	void *status = api->CreateEnvWithCustomLogger(ortgraphLogSink, NULL, level, "onnxgraph", &env);
	if (status != NULL) {
		return api->GetErrorMessage(status);
	}
	return NULL;
}
