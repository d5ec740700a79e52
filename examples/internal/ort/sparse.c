//go:build !windows

// A run with sparse inputs, through ONNX Runtime's C API: onnxruntime_go
// has no sparse tensors. The OrtApi table is append-only, so each entry
// stays at the index ONNX Runtime's onnxruntime_c_api.h gives it; only the
// entries used here are named, by index.

#include <dlfcn.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sparse.h"

typedef void *status_t; // OrtStatus*, NULL on success

enum {
	apiGetErrorMessage = 2,
	apiCreateEnv = 3,
	apiCreateSession = 7,
	apiRun = 9,
	apiCreateSessionOptions = 10,
	apiCreateTensorWithDataAsOrtValue = 49,
	apiGetTensorMutableData = 51,
	apiGetTensorElementType = 60,
	apiGetDimensionsCount = 61,
	apiGetDimensions = 62,
	apiGetTensorShapeElementCount = 64,
	apiGetTensorTypeAndShape = 65,
	apiCreateCpuMemoryInfo = 69,
	apiGetAllocatorWithDefaultOptions = 78,
	apiReleaseEnv = 92,
	apiReleaseStatus = 93,
	apiReleaseMemoryInfo = 94,
	apiReleaseSession = 95,
	apiReleaseValue = 96,
	apiReleaseTensorTypeAndShapeInfo = 99,
	apiReleaseSessionOptions = 100,
	apiCreateSparseTensorAsOrtValue = 179,
	apiFillSparseTensorCoo = 180,
};

typedef struct {
	const void *(*GetApi)(uint32_t version);
} apiBase;

static void *const *api;

#define FN(index, type) ((type)api[index])

typedef status_t (*fnCreateEnv)(int level, const char *logid, void **out);
typedef status_t (*fnCreateSession)(const void *env, const char *path, const void *options, void **out);
typedef status_t (*fnRun)(void *session, const void *runOptions, const char *const *inNames, const void *const *ins,
                          size_t nIn, const char *const *outNames, size_t nOut, void **outs);
typedef status_t (*fnCreateSessionOptions)(void **out);
typedef status_t (*fnCreateTensor)(const void *info, void *data, size_t len, const int64_t *shape, size_t rank, int type,
                                   void **out);
typedef status_t (*fnGetData)(void *value, void **out);
typedef status_t (*fnGetElementType)(const void *info, int *out);
typedef status_t (*fnGetDimensionsCount)(const void *info, size_t *out);
typedef status_t (*fnGetDimensions)(const void *info, int64_t *dims, size_t n);
typedef status_t (*fnGetElementCount)(const void *info, size_t *out);
typedef status_t (*fnGetTypeAndShape)(const void *value, void **out);
typedef status_t (*fnCreateCpuMemoryInfo)(int allocatorType, int memType, void **out);
typedef status_t (*fnGetAllocator)(void **out);
typedef status_t (*fnCreateSparse)(void *allocator, const int64_t *shape, size_t rank, int type, void **out);
typedef status_t (*fnFillCoo)(void *value, const void *info, const int64_t *valuesShape, size_t valuesRank,
                              const void *values, const int64_t *indices, size_t nIndices);
typedef const char *(*fnGetErrorMessage)(const void *status);
typedef void (*fnRelease)(void *);

// message copies status's message (the caller frees it) and releases it.
static char *message(status_t status) {
	char *msg = strdup(FN(apiGetErrorMessage, fnGetErrorMessage)(status));
	FN(apiReleaseStatus, fnRelease)(status);
	return msg;
}

// elemSize is the size of an element of ONNX type t, 0 for the types a
// run does not return (strings, complex, 4-bit).
static size_t elemSize(int t) {
	switch (t) {
	case 2: case 3: case 9: // uint8, int8, bool
		return 1;
	case 4: case 5: case 10: case 16: // uint16, int16, float16, bfloat16
		return 2;
	case 1: case 6: case 12: // float, int32, uint32
		return 4;
	case 7: case 11: case 13: // int64, double, uint64
		return 8;
	}
	return 0;
}

static char *loadApi(const char *lib) {
	if (api != NULL) {
		return NULL;
	}
	void *h = dlopen(lib, RTLD_LAZY);
	if (h == NULL) {
		return strdup(dlerror());
	}
	const apiBase *(*getBase)(void) = (const apiBase *(*)(void))dlsym(h, "OrtGetApiBase");
	if (getBase == NULL) {
		return strdup("the library has no OrtGetApiBase");
	}
	// Version 10 (ONNX Runtime 1.10) has every entry used here.
	api = (void *const *)getBase()->GetApi(10);
	if (api == NULL) {
		return strdup("the library does not offer API version 10");
	}
	return NULL;
}

#define TRY(call)                                                                                                      \
	do {                                                                                                           \
		status_t st_ = (call);                                                                                 \
		if (st_ != NULL) {                                                                                     \
			err = message(st_);                                                                            \
			goto done;                                                                                     \
		}                                                                                                      \
	} while (0)

char *ortgraphRunSparse(const char *lib, const char *model, size_t nIn, ortgraphInput *ins, size_t nOut,
                        ortgraphOutput *outs) {
	char *err = loadApi(lib);
	if (err != NULL) {
		return err;
	}
	void *env = NULL, *options = NULL, *session = NULL, *cpu = NULL, *allocator = NULL;
	void **values = calloc(nIn, sizeof(void *));
	void **results = calloc(nOut, sizeof(void *));
	const char **inNames = calloc(nIn, sizeof(char *));
	const char **outNames = calloc(nOut, sizeof(char *));
	if (values == NULL || results == NULL || inNames == NULL || outNames == NULL) {
		err = strdup("out of memory");
		goto done;
	}
	// ONNX Runtime keeps one environment per process: this is the one
	// Init created.
	TRY(FN(apiCreateEnv, fnCreateEnv)(3, "onnxgraph", &env));
	TRY(FN(apiCreateSessionOptions, fnCreateSessionOptions)(&options));
	TRY(FN(apiCreateSession, fnCreateSession)(env, model, options, &session));
	TRY(FN(apiCreateCpuMemoryInfo, fnCreateCpuMemoryInfo)(0, 0, &cpu)); // device allocator, default memory
	TRY(FN(apiGetAllocatorWithDefaultOptions, fnGetAllocator)(&allocator));
	for (size_t i = 0; i < nIn; i++) {
		ortgraphInput *in = &ins[i];
		inNames[i] = in->name;
		if (in->sparse) {
			TRY(FN(apiCreateSparseTensorAsOrtValue, fnCreateSparse)(allocator, in->shape, in->rank, in->type,
			                                                        &values[i]));
			int64_t nnz = in->nnz;
			TRY(FN(apiFillSparseTensorCoo, fnFillCoo)(values[i], cpu, &nnz, 1, in->data, in->indices,
			                                          in->nIndices));
		} else {
			TRY(FN(apiCreateTensorWithDataAsOrtValue, fnCreateTensor)(cpu, in->data, in->size, in->shape, in->rank,
			                                                          in->type, &values[i]));
		}
	}
	for (size_t i = 0; i < nOut; i++) {
		outNames[i] = outs[i].name;
	}
	TRY(FN(apiRun, fnRun)(session, NULL, inNames, (const void *const *)values, nIn, outNames, nOut, results));
	for (size_t i = 0; i < nOut; i++) {
		void *info = NULL;
		size_t count = 0;
		ortgraphOutput *out = &outs[i];
		TRY(FN(apiGetTensorTypeAndShape, fnGetTypeAndShape)(results[i], &info));
		status_t st = FN(apiGetTensorElementType, fnGetElementType)(info, &out->type);
		if (st == NULL) {
			st = FN(apiGetDimensionsCount, fnGetDimensionsCount)(info, &out->rank);
		}
		if (st == NULL && out->rank > ORTGRAPH_MAX_RANK) {
			FN(apiReleaseTensorTypeAndShapeInfo, fnRelease)(info);
			err = strdup("an output has too many dimensions");
			goto done;
		}
		if (st == NULL) {
			st = FN(apiGetDimensions, fnGetDimensions)(info, out->shape, out->rank);
		}
		if (st == NULL) {
			st = FN(apiGetTensorShapeElementCount, fnGetElementCount)(info, &count);
		}
		FN(apiReleaseTensorTypeAndShapeInfo, fnRelease)(info);
		if (st != NULL) {
			err = message(st);
			goto done;
		}
		out->count = count;
		out->elemSize = elemSize(out->type);
		if (out->elemSize == 0) {
			err = strdup("an output's element type is not supported");
			goto done;
		}
		void *data = NULL;
		TRY(FN(apiGetTensorMutableData, fnGetData)(results[i], &data));
		out->data = NULL;
		if (count > 0) {
			out->data = malloc(count * out->elemSize);
			if (out->data == NULL) {
				err = strdup("out of memory");
				goto done;
			}
			memcpy(out->data, data, count * out->elemSize);
		}
	}
done:
	for (size_t i = 0; results != NULL && i < nOut; i++) {
		if (results[i] != NULL) {
			FN(apiReleaseValue, fnRelease)(results[i]);
		}
	}
	for (size_t i = 0; values != NULL && i < nIn; i++) {
		if (values[i] != NULL) {
			FN(apiReleaseValue, fnRelease)(values[i]);
		}
	}
	if (cpu != NULL) {
		FN(apiReleaseMemoryInfo, fnRelease)(cpu);
	}
	if (session != NULL) {
		FN(apiReleaseSession, fnRelease)(session);
	}
	if (options != NULL) {
		FN(apiReleaseSessionOptions, fnRelease)(options);
	}
	if (env != NULL) {
		FN(apiReleaseEnv, fnRelease)(env);
	}
	free(values);
	free(results);
	free(inNames);
	free(outNames);
	return err;
}
