package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/onnxgraph/onnxgraph"
)

func TestEncodeDecode(t *testing.T) {
	cases := []struct {
		encode []string
		b64    string
		decode []string
		values string
	}{
		// The example of sed4onnx's README.
		{[]string{"--dtype", "int64", "[-1,3,224,224]"}, "//////////8DAAAAAAAAAOAAAAAAAAAA4AAAAAAAAAA=",
			[]string{"--dtype", "int64"}, "[-1,3,224,224]"},
		{[]string{"--dtype", "float32", "[[1, 2, 3]]"}, "AACAPwAAAEAAAEBA",
			[]string{"--dtype", "float32", "--shape", "1,3"}, "[[1,2,3]]"},
		{[]string{"--dtype", "float16", "[nan, -inf, 0.1]"}, "AH4A/GYu",
			[]string{"--dtype", "float16"}, "[nan,-inf,0.099975586]"},
		{[]string{"--dtype", "bool", "[true, false, 1]"}, "AQAB",
			[]string{"--dtype", "bool", "--shape", "3"}, "[true,false,true]"},
		{[]string{"--dtype", "int4", "[1,-2,3]"}, "4QM=",
			[]string{"--dtype", "int4", "--shape", "3"}, "[1,-2,3]"},
		{[]string{"--dtype", "uint64", "18446744073709551615"}, "//////////8=",
			[]string{"--dtype", "uint64", "--shape", ""}, "[18446744073709551615]"},
		{[]string{"--dtype", "float64", "2.5"}, "AAAAAAAABEA=",
			[]string{"--dtype", "float64", "--shape", "1,1"}, "[[2.5]]"},
		{[]string{"--dtype", "string", "héllo"}, "aMOpbGxv",
			[]string{"--dtype", "string"}, "héllo"},
	}
	for _, c := range cases {
		code, out, errOut := runCLI(t, append([]string{"encode"}, c.encode...)...)
		if code != 0 || strings.TrimSpace(out) != c.b64 {
			t.Errorf("encode %v: exit %d, %q (want %q) %s", c.encode, code, out, c.b64, errOut)
		}
		code, out, errOut = runCLI(t, append(append([]string{"decode"}, c.decode...), c.b64)...)
		if code != 0 || strings.TrimSpace(out) != c.values {
			t.Errorf("decode %v: exit %d, %q (want %q) %s", c.decode, code, out, c.values, errOut)
		}
	}
}

func TestEncodeDecodeNPY(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "x.npy")
	x, _ := onnxgraph.TensorFrom("x", []int64{2, 2}, []int32{1, -2, 3, -4})
	if err := x.WriteNPYFile(in); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "encode", "--npy", in)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	b64 := strings.TrimSpace(out)
	want, _ := x.Base64()
	if b64 != want {
		t.Errorf("encode --npy = %q, want %q", b64, want)
	}
	outNPY := filepath.Join(dir, "y.npy")
	code, out, errOut = runCLI(t, "decode", b64, "--dtype", "int32", "--shape", "2,-1", "--npy", outNPY)
	if code != 0 || !strings.Contains(out, "wrote") {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	y, err := onnxgraph.ReadNPYFile(outNPY)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := y.Int64s(); !slices.Equal(v, []int64{1, -2, 3, -4}) || !slices.Equal(y.Dims(), []int64{2, 2}) {
		t.Errorf("decoded .npy: %v %v", y.Dims(), v)
	}
}

func TestEncodeDecodeErrors(t *testing.T) {
	bad := [][]string{
		{"encode"},
		{"encode", "--dtype", "int8", "[[1,2],[3]]"},
		{"encode", "--dtype", "int8", "[1.5]"},
		{"encode", "--dtype", "int8", "300"},
		{"encode", "--dtype", "nosuch", "1"},
		{"encode", "--npy", filepath.Join(os.TempDir(), "no-such-file.npy")},
		{"decode", "AAAA"},
		{"decode", "--dtype", "int64", "AAAA"},
		{"decode", "--dtype", "int32", "--shape", "x", "AAAAAA=="},
	}
	for _, args := range bad {
		if code, out, _ := runCLI(t, args...); code == 0 {
			t.Errorf("%v: exit 0: %s", args, out)
		}
	}
}
