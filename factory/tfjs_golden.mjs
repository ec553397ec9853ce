// Runs the original nsfwjs@4.3.0 Keras models in @tensorflow/tfjs (wasm backend) on fixed synthetic
// inputs and prints pooled tap outputs as JSON: the independent reference for factory/teacher.py.
// Must never depend on the PyTorch port. Usage: node factory/tfjs_golden.mjs <cache>/npm > out.json
// (normally via `python3 factory/teacher_import.py --golden factory/tests/data/teacher-golden.npz`).
import { createRequire } from 'module';
import path from 'path';

const npmDir = process.argv[2];
const require = createRequire(path.join(npmDir, 'package.json'));
const tf = require('@tensorflow/tfjs');
require('@tensorflow/tfjs-backend-wasm');
const nsfwDir = path.join(path.dirname(require.resolve('nsfwjs')), '..', 'models');

// Synthetic uint8 RGB images, integer arithmetic only so Python rebuilds them bit-exactly
// (teacher_golden_inputs in tests/test_teacher.py): 0 = smooth gradients, 1 = LCG noise,
// 2 = blocks of varying intensity.
function makeImage(kind, px) {
  const a = new Float32Array(px * px * 3);
  let h = 12345;
  for (let y = 0; y < px; y++) for (let x = 0; x < px; x++) for (let c = 0; c < 3; c++) {
    let v;
    if (kind === 0) v = ((x * 255 / (px - 1)) * (c === 0) + (y * 255 / (px - 1)) * (c === 1)
                         + ((x + y) * 127 / (px - 1)) * (c === 2)) | 0;
    else if (kind === 1) { h = (Math.imul(h, 1103515245) + 12345) >>> 0; v = (h >>> 16) & 255; }
    else v = ((((x >> 3) * 37 + (y >> 3) * 91 + c * 50) % 256) + 256) % 256;
    a[(y * px + x) * 3 + c] = v / 255;
  }
  return a;
}

async function loadModel(name) {
  const m = require(path.join(nsfwDir, name, 'model.min.js'));
  const shards = m.weightsManifest[0].paths.map(p => Buffer.from(String(require(path.join(nsfwDir, name, p + '.min.js'))), 'base64'));
  const all = Buffer.concat(shards);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  const weightSpecs = m.weightsManifest.flatMap(g => g.weights);
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: m.modelTopology, weightSpecs, weightData }));
}

const CASES = [
  { model: 'mobilenet_v2', px: [96, 224],
    taps: ['block_3_project_BN', 'block_10_project_BN', 'block_13_project_BN', 'block_16_project_BN', 'out_relu'],
    corner: 'Conv1_relu' },
  { model: 'inception_v3', px: [96], taps: ['mixed2', 'mixed5'], corner: 'activation_1' },
];

await tf.setBackend('wasm');
await tf.ready();
const out = { tfjs: tf.version.tfjs, backend: tf.getBackend(), results: [] };
for (const c of CASES) {
  const model = await loadModel(c.model);
  const outs = c.taps.concat([c.corner]).map(n => model.getLayer(n).output);
  for (const px of c.px) {
    const sub = tf.model({ inputs: model.inputs, outputs: outs });
    // a model built for 224 x 224 accepts other sizes when the input shape is left open:
    // rebuild the graph on a fresh input of the wanted size instead
    const inp = tf.input({ shape: [px, px, 3] });
    const resized = tf.model({ inputs: inp, outputs: sub.apply(inp) });
    for (let k = 0; k < 3; k++) {
      const x = tf.tensor4d(makeImage(k, px), [1, px, px, 3]);
      const ys = resized.predict(x);
      const r = { model: c.model, px, image: k };
      for (let i = 0; i < c.taps.length; i++) r[c.taps[i]] = Array.from(ys[i].mean([1, 2]).dataSync());
      // bottom-right 4 x 4 corner of the first conv's map: catches padding on the wrong side
      const m = ys[c.taps.length];
      const [, H, W, C] = m.shape;
      r.corner = Array.from(m.slice([0, H - 4, W - 4, 0], [1, 4, 4, C]).dataSync());
      r.corner_shape = [4, 4, C];
      out.results.push(r);
      tf.dispose([x, ...ys]);
    }
  }
}
process.stdout.write(JSON.stringify(out));
