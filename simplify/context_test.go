package simplify_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/onnxgraph/onnxgraph/samples"
	"github.com/onnxgraph/onnxgraph/simplify"
)

// TestSimplifyContext: a done context stops Simplify with its error and
// the model unchanged.
func TestSimplifyContext(t *testing.T) {
	m := samples.Transformer()
	before, err := m.Bytes(nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := simplify.SimplifyContext(ctx, m, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	ctx, cancel = context.WithTimeout(context.Background(), time.Microsecond)
	defer cancel()
	time.Sleep(time.Millisecond)
	if _, err := simplify.SimplifyContext(ctx, m, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("past its deadline: %v", err)
	}
	if _, _, err := simplify.SimplifyCopy(ctx, m, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("SimplifyCopy past its deadline: %v", err)
	}
	if after, _ := m.Bytes(nil); !bytes.Equal(before, after) {
		t.Error("a stopped Simplify changed the model")
	}
	if _, err := simplify.SimplifyContext(context.Background(), m, nil); err != nil {
		t.Fatal(err)
	}
}
