// TensorFlow Lite itself, offline: the interpreter that npm @tensorflow/tfjs-tflite@0.0.1-alpha.10
// ships as WebAssembly (wasm/tflite_web_api_cc.{js,wasm}: the non-SIMD, single-threaded build of
// TFLite's C++ runtime with its builtin kernels), loaded under Node without tfjs or a browser.
// The independent reference for factory/make_tflite_golden.py; never depends on microt's code.
//
// Two changes to how the package runs it, both checked here, both reported in the output:
//  1. XNNPack off for int8: the build applies TFLite's default XNNPack delegate with its QS8/QU8
//     flags set (TfLiteXNNPackDelegateOptions.flags = 3), and XNNPack requantizes in float, not
//     with TFLite's integer kernels. The one function that fills those options (found as the only
//     one that references the "Created TensorFlow Lite XNNPACK delegate for CPU." log string) has
//     its `i32.const 3; i32.store offset=4` changed to `i32.const 0`: XNNPack then takes no int8
//     node, and TFLite's profiler must name a builtin kernel (CONV_2D, ...) for every node.
//  2. Intermediate tensors as outputs: subgraph 0's output list is replaced by the requested
//     tensors (a new int32 vector appended to the flatbuffer; the field's forward offset points
//     at it), so the arena keeps them and the runner can read them.
//
// usage: node factory/tflite_wasm.mjs NPM_DIR < job.json > result.json
//   job:    {"models": [{"path": "x.tflite", "outputs": [tensor indices],
//                        "inputs": ["<base64 int8 input tensor>", ...]}]}
//   result: {"package", "node", "wasm_sha256", "patch": {...},
//            "models": [{"profile": {"CONV_2D": n, ...}, "delegated": 0,
//                        "cases": [{"<tensor index>": "<base64 bytes>", ...}]}]}
import { createRequire } from 'module';
import crypto from 'crypto';
import fs from 'fs';
import path from 'path';

const PACKAGE = '@tensorflow/tfjs-tflite', VERSION = '0.0.1-alpha.10';
const npmDir = process.argv[2];
const require = createRequire(path.join(npmDir, 'package.json'));
const pkgDir = path.dirname(require.resolve(PACKAGE + '/package.json'));
const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
if (pkg.version !== VERSION) throw new Error(`${PACKAGE} ${pkg.version} found, ${VERSION} wanted`);

function uleb(b, p) {
  let r = 0, s = 0, x;
  do { x = b[p++]; r += (x & 0x7f) * 2 ** s; s += 7; } while (x & 0x80);
  return [r, p];
}
function slebBytes(v) {
  const out = [];
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && !(byte & 0x40)) || (v === -1 && (byte & 0x40))) { out.push(byte); return out; }
    out.push(byte | 0x80);
  }
}

// Change 1 (see the top): returns where it patched, or throws if the binary is not the one expected.
function disableXnnpackInt8(b) {
  const secs = {};
  let p = 8, n;
  while (p < b.length) { const id = b[p++]; let sz; [sz, p] = uleb(b, p); secs[id] = { st: p, sz }; p += sz; }
  const logString = Buffer.from('Created TensorFlow Lite XNNPACK delegate for CPU.');
  [n, p] = uleb(b, secs[11].st); // data section: active segments at constant offsets
  let addr = -1;
  for (let i = 0; i < n; i++) {
    let flags, len; [flags, p] = uleb(b, p);
    if (flags !== 0) throw new Error('unexpected data segment kind ' + flags);
    if (b[p++] !== 0x41) throw new Error('data segment offset is not i32.const');
    let v = 0, s = 0, x;
    do { x = b[p++]; v |= (x & 0x7f) << s; s += 7; } while (x & 0x80);
    if (s < 32 && (x & 0x40)) v |= -1 << s;
    if (b[p++] !== 0x0b) throw new Error('data segment offset expression');
    [len, p] = uleb(b, p);
    const k = b.subarray(p, p + len).indexOf(logString);
    if (k >= 0) addr = v + k;
    p += len;
  }
  if (addr < 0) throw new Error('XNNPack log string not found');
  const ref = Buffer.from([0x41, ...slebBytes(addr)]);
  [n, p] = uleb(b, secs[10].st); // code section
  const found = [];
  for (let i = 0; i < n; i++) {
    let sz; [sz, p] = uleb(b, p);
    if (b.subarray(p, p + sz).indexOf(ref) >= 0) found.push({ index: i, st: p, sz });
    p += sz;
  }
  if (found.length !== 1) throw new Error(`${found.length} functions reference the XNNPack log string`);
  const f = found[0], body = b.subarray(f.st, f.st + f.sz);
  const store = Buffer.from([0x41, 0x03, 0x36, 0x02, 0x04]); // i32.const 3; i32.store offset=4
  const k = body.indexOf(store);
  if (k < 0 || body.indexOf(store, k + 1) >= 0) throw new Error('XNNPack flags store not found once');
  body[k + 1] = 0x00;
  return { function: f.index, byte_offset: f.st + k + 1, was: 'i32.const 3', now: 'i32.const 0' };
}

// Change 2 (see the top).
function withOutputs(buf, outs) {
  const b = Buffer.from(buf);
  const u32 = o => b.readUInt32LE(o), i32 = o => b.readInt32LE(o);
  const field = (table, id) => {
    const vt = table - i32(table), vlen = b.readUInt16LE(vt);
    if (4 + 2 * id >= vlen) return 0;
    const f = b.readUInt16LE(vt + 4 + 2 * id);
    return f ? table + f : 0;
  };
  const deref = o => o + u32(o);
  const fsub = field(u32(0), 2); // Model.subgraphs
  if (!fsub) throw new Error('no subgraphs');
  const sg = deref(deref(fsub) + 4);
  const fout = field(sg, 2); // SubGraph.outputs
  if (!fout) throw new Error('subgraph 0 has no outputs field');
  const end = (b.length + 3) & ~3;
  const nb = Buffer.alloc(end + 4 + 4 * outs.length);
  b.copy(nb);
  nb.writeUInt32LE(outs.length, end);
  outs.forEach((t, i) => nb.writeInt32LE(t, end + 4 + 4 * i));
  nb.writeUInt32LE(end - fout, fout);
  return nb;
}

const wasmPath = path.join(pkgDir, 'wasm', 'tflite_web_api_cc.wasm');
const wasmBinary = Buffer.from(fs.readFileSync(wasmPath));
const out = {
  package: `${PACKAGE}@${VERSION}`, node: process.version,
  wasm: 'wasm/tflite_web_api_cc.wasm',
  wasm_sha256: crypto.createHash('sha256').update(wasmBinary).digest('hex'),
};
out.patch = disableXnnpackInt8(wasmBinary);
const factory = require(path.join(pkgDir, 'wasm', 'tflite_web_api_cc.js'));
const log = [];
const M = await factory({ wasmBinary, print: s => log.push(s), printErr: s => log.push(s) });

const job = JSON.parse(fs.readFileSync(0, 'utf8'));
out.models = [];
for (const jm of job.models) {
  const model = withOutputs(fs.readFileSync(jm.path), jm.outputs);
  const ptr = M._malloc(model.length);
  M.HEAPU8.set(model, ptr);
  const created = M.TFLiteWebModelRunner.CreateFromBufferAndOptions(ptr, model.length,
      { numThreads: 1, enableProfiling: true, maxProfilingBufferEntries: 4096 });
  if (!created.ok()) throw new Error(`${jm.path}: ${created.errorMessage()}`);
  const runner = created.value();
  const ins = runner.GetInputs();
  if (ins.size() !== 1) throw new Error(`${jm.path}: ${ins.size()} inputs`);
  const outs = runner.GetOutputs();
  const res = { path: jm.path, cases: [], profile: {}, delegated: 0 };
  for (const b64 of jm.inputs) {
    const x = Buffer.from(b64, 'base64'), d = ins.get(0).data();
    if (x.length !== d.byteLength) throw new Error(`${jm.path}: input has ${d.byteLength} bytes, got ${x.length}`);
    new Uint8Array(d.buffer, d.byteOffset, d.byteLength).set(x);
    if (!runner.Infer()) throw new Error(`${jm.path}: Infer failed`);
    const c = {};
    for (let i = 0; i < outs.size(); i++) {
      const t = outs.get(i), v = t.data();
      c[t.id] = Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
    }
    res.cases.push(c);
  }
  // which kernel ran each node (the profile of the last run)
  const prof = runner.GetProfilingResults();
  for (let i = 0; i < prof.size(); i++) {
    const t = prof.get(i).nodeType;
    res.profile[t] = (res.profile[t] || 0) + 1;
    if (/delegate/i.test(t)) res.delegated++;
  }
  out.models.push(res);
  runner.delete();
  M._free(ptr);
}
out.log = log;
process.stdout.write(JSON.stringify(out));
