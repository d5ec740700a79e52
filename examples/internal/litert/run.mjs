// Runs .tflite models in LiteRT.js (WASM, CPU) under Node, for the Go
// tests of package tflite.
//
//   node run.mjs JOBS.json
//
// JOBS.json is a list of {"model": path, "inputs": {name: npy path},
// "outdir": path}. For each job the outputs are written to outdir as
// 0.npy, 1.npy, ... and one JSON line is printed on stdout:
// {"ok": true, "outputs": [{"name", "file", "dtype", "shape"}]} or
// {"ok": false, "error": "..."}. Inputs are .npy files of float32, int32
// or uint8 (the types LiteRT.js exchanges), matched to the model's inputs
// by name, else by position.
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import {createRequire} from 'node:module';
import {fileURLToPath} from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const wasmDir = path.join(here, 'node_modules', '@litertjs', 'core', 'wasm');

// LiteRT.js loads its WASM glue as a browser worker would: give it the
// worker globals it looks for.
globalThis.self = globalThis;
globalThis.require = createRequire(import.meta.url);
globalThis.__dirname = wasmDir;
globalThis.importScripts = (url) => {
  const file = String(url).startsWith('file:') ? fileURLToPath(String(url)) : String(url);
  vm.runInThisContext(fs.readFileSync(file, 'utf8'), {filename: file});
};

const lrt = await import('@litertjs/core');

// Quiet the runtime's own logging on stdout: the protocol lives there.
const log = console.log;
console.log = (...args) => console.error(...args);
console.info = console.error;
console.warn = console.error;

const DTYPES = {
  '<f4': ['float32', Float32Array],
  '<i4': ['int32', Int32Array],
  '|u1': ['uint8', Uint8Array],
  '<u1': ['uint8', Uint8Array],
};
const DESCR = {float32: '<f4', int32: '<i4', uint8: '|u1'};

function readNpy(file) {
  const b = fs.readFileSync(file);
  if (b.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error(`${file}: not a .npy file`);
  const major = b[6];
  const hlen = major === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = b.toString('latin1', start, start + hlen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  if (/'fortran_order':\s*True/.test(header)) throw new Error(`${file}: fortran order`);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)[1].split(',').map((s) => s.trim()).filter((s) => s).map(Number);
  const dt = DTYPES[descr];
  if (!dt) throw new Error(`${file}: dtype ${descr} cannot be given to LiteRT.js (float32, int32, uint8 can)`);
  const data = b.subarray(start + hlen);
  const copy = new ArrayBuffer(data.length);
  new Uint8Array(copy).set(data);
  return {dtype: dt[0], shape, array: new dt[1](copy)};
}

function writeNpy(file, dtype, shape, array) {
  const s = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${DESCR[dtype]}', 'fortran_order': False, 'shape': ${s}, }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header = header + ' '.repeat(pad % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  fs.writeFileSync(file, Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(array.buffer, array.byteOffset, array.byteLength)]));
}

async function runJob(job) {
  const model = await lrt.loadAndCompile(new Uint8Array(fs.readFileSync(job.model)), {accelerator: 'wasm'});
  const details = model.getInputDetails();
  const names = Object.keys(job.inputs);
  const tensors = details.map((d, i) => {
    const file = job.inputs[d.name] ?? job.inputs[names[i]];
    if (file === undefined) throw new Error(`no input for ${d.name}`);
    const t = readNpy(file);
    return new lrt.Tensor(t.array, t.shape);
  });
  let results;
  try {
    results = await model.run(tensors);
  } finally {
    tensors.forEach((t) => t.delete());
  }
  const outDetails = model.getOutputDetails();
  fs.mkdirSync(job.outdir, {recursive: true});
  const outputs = results.map((t, i) => {
    const a = t.toTypedArray();
    const dtype = t.type.dtype;
    const shape = Array.from(t.type.layout.dimensions);
    const file = path.join(job.outdir, `${i}.npy`);
    writeNpy(file, dtype, shape, a);
    t.delete();
    return {name: outDetails[i]?.name ?? String(i), file, dtype, shape};
  });
  model.delete();
  return outputs;
}

const jobs = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
await lrt.loadLiteRt(wasmDir + '/');
for (const job of jobs) {
  try {
    log(JSON.stringify({ok: true, outputs: await runJob(job)}));
  } catch (e) {
    log(JSON.stringify({ok: false, error: String(e && e.message ? e.message : e)}));
  }
}
