package tflite

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/onnxgraph/onnxgraph/samples"
)

// TestConvertContext: a context that has ended stops the export, with or
// without the simplifier, the error is the context's and no file is
// written; a live context converts as Convert does.
func TestConvertContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out := filepath.Join(t.TempDir(), "m.tflite")
	for _, opts := range []*Options{nil, {NoSimplify: true}} {
		if _, err := SaveContext(ctx, samples.MNIST(), out, opts); !errors.Is(err, context.Canceled) {
			t.Errorf("opts %+v: %v, want context.Canceled", opts, err)
		}
		if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("opts %+v: a cancelled export wrote %s (%v)", opts, out, err)
		}
	}
	got, _, err := ConvertContext(context.Background(), samples.MNIST(), nil)
	if err != nil {
		t.Fatal(err)
	}
	want, _, err := Convert(samples.MNIST(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Error("ConvertContext and Convert wrote different files")
	}
}
