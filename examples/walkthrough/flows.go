package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"

	"github.com/onnxgraph/onnxgraph/samples"
)

// fuseFlow: two head-pose pipelines sharing one image, each with a
// post-processing step, merged into one model with an Add at the end.
func fuseFlow(w *walker) {
	w.section("1. fuse two head-pose pipelines that share one image")
	w.save("head_a.onnx", headModel(seedA, biasA))
	w.save("head_b.onnx", headModel(seedB, biasB))
	w.say("head a plays the front model (trusted within ±75° of yaw), head b the rear one (the rest)")
	w.save("post_front.onnx", postModel(true))
	w.save("post_rear.onnx", postModel(false))
	w.save("add.onnx", addModel())
	w.cli("summary", "head_a.onnx")
	w.cli("summary", "post_front.onnx")
	w.say("merge five models step by step; prefixes keep names unique, the junctions wire them,")
	w.say("and step 2 makes head b read head a's image: one input for the fused model")
	w.cli("merge", "--prefix", "a/,a/post/,b/,b/post/,",
		"--connect", "1:a/yaw=a/post/yaw",
		"--connect", "2:a/image=b/image",
		"--connect", "3:b/yaw=b/post/yaw",
		"--connect", "4:a/post/yaw_pp=yaw_a,b/post/yaw_pp=yaw_b",
		"head_a.onnx", "post_front.onnx", "head_b.onnx", "post_rear.onnx", "add.onnx", "fused.onnx")
	w.cli("check", "fused.onnx")
	w.cli("summary", "fused.onnx")
	w.cli("run", "--seed", "3", "--save-outputs", "fused_out", "fused.onnx")

	w.say("the same computation built directly in Go, with the merge's names: the CLI compares them")
	w.save("fused_expected.onnx", fusedExpected())
	w.compare("--seed", "3", "fused.onnx", "fused_expected.onnx")

	w.say("the seed runs onnxsim three times after a merge; one simplify runs its passes to a fixed")
	w.say("point, and --check proves the result computes the same in ONNX Runtime")
	w.cli("simplify", "--check", "3", "fused.onnx", "fused_simple.onnx")
	w.compare("--seed", "3", "fused.onnx", "fused_simple.onnx")

	w.say("and piece by piece: each pipeline run on the same image, post-processed, added in Go")
	img := randomFloats(rand.New(rand.NewPCG(5, 5)), 3*64*64, 1)
	w.writeNPY("image.npy", []int64{1, 3, 64, 64}, img)
	w.cli("run", "--input", "a/image=image.npy", "--save-outputs", "fused_img", "fused.onnx")
	var want float32
	for _, hp := range [][2]string{{"a", "post_front.onnx"}, {"b", "post_rear.onnx"}} {
		h, post := hp[0], hp[1]
		w.cli("run", "--input", "image=image.npy", "--save-outputs", "head_"+h, "head_"+h+".onnx")
		w.cli("run", "--input", "yaw=head_"+h+"/yaw.npy", "--save-outputs", "post_"+h, post)
		yaw, pp := w.readNPY("head_"+h+"/yaw.npy"), w.readNPY("post_"+h+"/yaw_pp.npy")
		if len(yaw) == 1 && len(pp) == 1 {
			w.say("pipeline %s: yaw %.3f -> post-processed %.3f", h, yaw[0], pp[0])
			want += pp[0]
		}
	}
	w.close("fused yaw_sum = pipeline a + pipeline b", w.readNPY("fused_img/yaw_sum.npy"), []float32{want})
}

// mnistFlow: the structural edits on the MNIST-shaped CNN.
func mnistFlow(w *walker) {
	w.section("2. edit an MNIST-shaped CNN")
	w.save("mnist.onnx", samples.MNIST())
	w.cli("summary", "mnist.onnx")

	w.say("add an intermediate output: both pooling results become graph outputs")
	w.cli("add-outputs", "--names", "Pooling66_Output_0,Pooling160_Output_0", "mnist.onnx", "mnist_pools.onnx")
	w.compare("mnist.onnx", "mnist_pools.onnx")

	w.say("extract the part between the two MaxPools, and feed it the first pool's output")
	w.cli("extract", "--inputs", "Pooling66_Output_0", "--outputs", "Pooling160_Output_0", "mnist.onnx", "between_pools.onnx")
	w.cli("summary", "between_pools.onnx")
	w.cli("run", "--seed", "9", "--save-outputs", "pools", "mnist_pools.onnx")
	w.cli("run", "--input", "Pooling66_Output_0=pools/Pooling66_Output_0.npy", "--save-outputs", "part", "between_pools.onnx")
	w.close("extracted part = the original's second pool", w.readNPY("part/Pooling160_Output_0.npy"), w.readNPY("pools/Pooling160_Output_0.npy"))

	w.say("delete the first Relu: its reader now reads the Add before it")
	w.cli("delete-nodes", "--names", "ReLU28", "mnist.onnx", "no_relu.onnx")
	w.say("the same edit another way, rewiring the reads of the Relu's output: the two agree")
	w.cli("rewire", "--from", "ReLU28_Output_0", "--to", "Plus28_Output_0", "mnist.onnx", "no_relu_rewired.onnx")
	w.compare("no_relu.onnx", "no_relu_rewired.onnx")
	w.cli("summary", "no_relu.onnx")

	w.say("insert a Mul by 1.0 between the first Conv's Add and its Relu: same outputs as the original")
	w.cli("insert-node", "--op", "Mul", "--name", "times_one", "--between", "Plus28_Output_0:ReLU28", "--const", "B=1.0", "mnist.onnx", "mul_one.onnx")
	w.compare("mnist.onnx", "mul_one.onnx")

	w.say("rename by prefix: every name starting with Plus now starts with Add")
	w.cli("rename", "--mode", "prefix", "--from", "Plus", "--to", "Add", "mnist.onnx", "renamed.onnx")
	w.cli("summary", "renamed.onnx")
	w.compare("--map", "Plus214_Output_0=Add214_Output_0", "mnist.onnx", "renamed.onnx")

	w.say("names everywhere: a prefix on every value name, through a pipe (- is standard input or output;")
	w.say("the reports go to standard error while the model flows on standard output)")
	w.pipe([]string{"rename", "mnist.onnx", "-", "--add-prefix", "det/", "--scope", "values"}, []string{"set-batch", "-", "-", "--batch", "N"}, []string{"summary", "-"})
	w.say("every report is JSON with --json: here the library's RenameReport")
	w.cli("rename", "--add-prefix", "det/", "--scope", "inputs", "--json", "mnist.onnx", "det.onnx")
	w.compare("--map", "Input3=det/Input3", "mnist.onnx", "det.onnx")

	w.say("make the batch dynamic, then run three images at once")
	w.cli("set-batch", "--batch", "N", "mnist.onnx", "mnist_n.onnx")
	w.cli("summary", "mnist_n.onnx")
	w.compare("mnist.onnx", "mnist_n.onnx")
	r := rand.New(rand.NewPCG(3, 3))
	batch := randomFloats(r, 3*28*28, 1)
	w.writeNPY("three.npy", []int64{3, 1, 28, 28}, batch)
	w.cli("run", "--dims", "N=3", "--input", "Input3=three.npy", "--save-outputs", "batch3", "mnist_n.onnx")
	got := w.readNPY("batch3/Plus214_Output_0.npy")
	var want []float32
	for i := range 3 {
		name := fmt.Sprintf("one_%d.npy", i)
		w.writeNPY(name, []int64{1, 1, 28, 28}, batch[i*784:(i+1)*784])
		w.cli("run", "--input", "Input3="+name, "--save-outputs", fmt.Sprintf("one_%d", i), "mnist.onnx")
		want = append(want, w.readNPY(fmt.Sprintf("one_%d/Plus214_Output_0.npy", i))...)
	}
	w.close("batch of 3 = the original run on each image", got, want)
}

// rvmFlow: remove all outputs but one from a multi-output model.
func rvmFlow(w *walker) {
	w.section("3. keep one output of an RVM-like multi-output model")
	w.save("rvm.onnx", rvmLike())
	w.cli("summary", "rvm.onnx")
	w.say("delete every output but pha: what only served them goes too")
	w.cli("delete-outputs", "--names", "fgr,r1o,r2o,r3o,r4o", "rvm.onnx", "rvm_pha.onnx")
	w.cli("summary", "rvm_pha.onnx")
	w.compare("rvm.onnx", "rvm_pha.onnx")
}

// shrinkFlow: dedupe constants, JSON round trip, base64 round trip.
func shrinkFlow(w *walker) {
	w.section("4. shrink repeated constants, JSON and base64 round trips")
	w.save("reshapes.onnx", reshapeChain())
	w.cli("summary", "reshapes.onnx")
	w.cli("shrink", "reshapes.onnx", "reshapes_small.onnx")
	before, after := w.size("reshapes.onnx"), w.size("reshapes_small.onnx")
	w.say("size: %d bytes -> %d bytes", before, after)
	if after <= 0 || after >= before {
		w.fail("shrink did not make the model smaller: %d -> %d bytes", before, after)
	}
	w.compare("reshapes.onnx", "reshapes_small.onnx")

	w.say("to JSON and back")
	w.cli("to-json", "reshapes_small.onnx", "reshapes.json")
	if b, err := os.ReadFile(w.path("reshapes.json")); err == nil {
		head := string(b)
		if len(head) > 300 {
			head = head[:300] + " ..."
		}
		w.say("reshapes.json (%d bytes) starts: %s", len(b), strings.Join(strings.Fields(head), " "))
	}
	w.cli("from-json", "reshapes.json", "reshapes_back.onnx")
	w.compare("reshapes_small.onnx", "reshapes_back.onnx")

	w.say("encode a constant to base64 and decode it back")
	w.writeNPY("bias.npy", []int64{2, 3, 4}, randomFloats(rand.New(rand.NewPCG(4, 4)), 24, 1))
	b64 := strings.TrimSpace(w.cli("encode", "--npy", "bias.npy"))
	w.cli("decode", "--dtype", "float32", "--shape", "2,3,4", b64)
	w.cli("decode", "--dtype", "float32", "--shape", "2,3,4", "--npy", "bias_back.npy", b64)
	w.close("decoded = encoded", w.readNPY("bias_back.npy"), w.readNPY("bias.npy"))
	a, errA := os.ReadFile(w.path("bias.npy"))
	b, errB := os.ReadFile(w.path("bias_back.npy"))
	if errA != nil || errB != nil || !bytes.Equal(a, b) {
		w.say("(the .npy files differ in bytes, e.g. header layout; the values above are what count)")
	} else {
		w.say("the .npy files are identical, byte for byte")
	}
}

func (w *walker) size(name string) int64 {
	fi, err := os.Stat(w.path(name))
	if err != nil {
		w.fail("%v", err)
		return 0
	}
	return fi.Size()
}
