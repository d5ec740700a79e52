package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph"
	"github.com/onnxgraph/onnxgraph/samples"
)

func TestInferCommand(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.onnx"), filepath.Join(dir, "out.onnx")
	if err := samples.MNIST().Save(in); err != nil {
		t.Fatal(err)
	}
	code, stdout, errOut := runCLI(t, "infer", in, out, "--input", "Input3=N,1,28,28")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(stdout, "Input3") && !strings.Contains(stdout, "output Plus214_Output_0") {
		t.Errorf("output: %s", stdout)
	}
	m, err := onnxgraph.Open(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if _, names, ok := m.Graph().Inputs()[0].Shape(); !ok || names[0] != "N" {
		t.Errorf("input shape not fixed: %v", names)
	}
	for _, bad := range [][]string{
		{"infer", in, out, "--input", "nosuch=1"},
		{"infer", in, out, "--input", "Input3"},
		{"infer", in},
	} {
		if code, _, _ := runCLI(t, bad...); code == 0 {
			t.Errorf("%v succeeded", bad)
		}
	}
}

func TestShrinkCommand(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.onnx")
	m := samples.MNIST()
	if err := m.Save(in); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args  []string
		files []string
	}{
		{[]string{"--downcast"}, nil},
		{[]string{"--mode", "external", "--threshold", "1024"}, []string{"out.onnx.data"}},
		{[]string{"--mode", "npy", "--threshold", "4096"}, []string{"Parameter193.npy", "Parameter87.npy"}},
	} {
		out := filepath.Join(t.TempDir(), "out.onnx")
		code, stdout, errOut := runCLI(t, append([]string{"shrink", in, out}, c.args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", c.args, code, errOut)
		}
		if !strings.Contains(stdout, "constants:") {
			t.Errorf("%v: %s", c.args, stdout)
		}
		for _, f := range c.files {
			if _, err := os.Stat(filepath.Join(filepath.Dir(out), f)); err != nil {
				t.Errorf("%v: %v", c.args, err)
			}
		}
	}
	if code, _, _ := runCLI(t, "shrink", in, filepath.Join(dir, "x.onnx"), "--mode", "npz"); code != 2 {
		t.Errorf("bad mode: exit %d", code)
	}
}
