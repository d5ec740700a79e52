// The C side of RunSparse (sparse.c).

#include <stddef.h>
#include <stdint.h>

#define ORTGRAPH_MAX_RANK 16

// ortgraphInput is a dense tensor (data of size bytes) or a sparse one in
// COO form (nnz values in data, nIndices indices).
typedef struct {
	const char *name;
	int type; // ONNX element type
	const int64_t *shape; // the dense shape
	size_t rank;
	void *data;
	size_t size;
	int sparse;
	int64_t nnz;
	const int64_t *indices;
	size_t nIndices;
} ortgraphInput;

// ortgraphOutput receives an output: its element type and shape, and
// count elements copied into data (malloc'ed; the caller frees it).
typedef struct {
	const char *name;
	int type;
	int64_t shape[ORTGRAPH_MAX_RANK];
	size_t rank;
	size_t count;
	size_t elemSize;
	void *data;
} ortgraphOutput;

// ortgraphRunSparse runs the model once; it returns NULL, or an error
// message the caller frees.
char *ortgraphRunSparse(const char *lib, const char *model, size_t nIn, ortgraphInput *ins, size_t nOut,
                        ortgraphOutput *outs);
