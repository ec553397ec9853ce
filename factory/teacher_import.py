"""Import the teacher networks from npm nsfwjs@4.3.0 into float .npz files in the cache folder.

Installs the pinned package with npm into <cache>/npm (never into the repository), pulls the
Keras model JSON and the base64 weight shards out of their JS wrappers with Node, dequantizes
the per-tensor uint8 weights (w = min + scale * q) and writes <cache>/teacher/<model>.npz:
one float32 array per Keras weight name plus '__topology__' (the Keras model JSON string) and
'__meta__' (package version, quantization per tensor). Never commits or copies weights into the repo.
"""
import argparse
import base64
import json
import os
import subprocess
import sys

import numpy as np

from factory.cifar import cache_dir

PACKAGE = "nsfwjs"
VERSION = "4.3.0"
# Keras models in the package (the third one, mobilenet_v2_mid, is a TF graph model: not used).
MODELS = {"mobilenet_v2": "MobileNetV2, 224 px, ImageNet backbone frozen through block_10",
          "inception_v3": "InceptionV3, 299 px, ImageNet backbone frozen through mixed5"}

# Node prints {topology, manifest, shards: [base64...]} for one model as JSON on stdout.
_DUMP_JS = r"""
const path = require('path');
const dir = process.argv[1];
const m = require(path.join(dir, 'model.min.js'));
const shards = m.weightsManifest[0].paths.map(p => String(require(path.join(dir, p + '.min.js'))));
process.stdout.write(JSON.stringify({topology: m.modelTopology, manifest: m.weightsManifest, shards}));
"""


def npm_dir():
    return os.path.join(cache_dir(), "npm")


def package_dir():
    return os.path.join(npm_dir(), "node_modules", PACKAGE)


def weights_path(model="mobilenet_v2"):
    return os.path.join(cache_dir(), "teacher", f"{model}.npz")


def npm_install(packages):
    """npm install the pinned packages into <cache>/npm (a private package.json keeps them there)."""
    os.makedirs(npm_dir(), exist_ok=True)
    pj = os.path.join(npm_dir(), "package.json")
    if not os.path.exists(pj):
        with open(pj, "w") as f:
            json.dump({"name": "microt-teacher-cache", "private": True}, f)
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--save-exact", "--prefix", npm_dir()] + packages,
                   check=True)


def installed_version():
    try:
        with open(os.path.join(package_dir(), "package.json")) as f:
            return json.load(f)["version"]
    except (OSError, KeyError, ValueError):
        return None


def decode(model):
    """Returns (dict name -> float32 array, topology dict, meta dict) for one packaged model."""
    mdir = os.path.join(package_dir(), "dist", "models", model)
    out = subprocess.run(["node", "-e", _DUMP_JS, mdir], check=True, capture_output=True).stdout
    d = json.loads(out)
    blob = b"".join(base64.b64decode(s) for s in d["shards"])
    weights, quant, offset = {}, {}, 0
    for group in d["manifest"]:
        for w in group["weights"]:
            n = int(np.prod(w["shape"])) if w["shape"] else 1
            q = w.get("quantization")
            if q is None:  # unquantized float32
                arr = np.frombuffer(blob, np.float32, n, offset).astype(np.float32)
                offset += 4 * n
            else:
                if q["dtype"] != "uint8":
                    raise ValueError(f"{w['name']}: unsupported quantization {q['dtype']}")
                raw = np.frombuffer(blob, np.uint8, n, offset)
                offset += n
                # tfjs computes v * scale + min in double and stores float32: do the same
                arr = (raw.astype(np.float64) * q["scale"] + q["min"]).astype(np.float32)
                quant[w["name"]] = [q["min"], q["scale"]]
            weights[w["name"]] = arr.reshape(w["shape"])
    if offset != len(blob):
        raise ValueError(f"{model}: manifest covers {offset} bytes, shards hold {len(blob)}")
    meta = {"package": f"{PACKAGE}@{VERSION}", "model": model, "quantization": quant}
    return weights, d["topology"], meta


def save(model):
    weights, topology, meta = decode(model)
    path = weights_path(model)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp.npz"
    np.savez(tmp, __topology__=np.array(json.dumps(topology)), __meta__=np.array(json.dumps(meta)),
             **weights)
    os.replace(tmp, path)
    n = sum(v.size for v in weights.values())
    var = [v for k, v in weights.items() if k.endswith("moving_variance")]
    tiny = sum(int((v < 1e-6).sum()) for v in var)
    print(f"{model}: {len(weights)} tensors, {n/1e6:.2f} M parameters -> {path}")
    print(f"  BatchNorm moving_variance < 1e-6: {tiny} of {sum(v.size for v in var)} channels")
    return path


def make_golden(out_path):
    """Runs factory/tfjs_golden.mjs (tfjs, wasm backend) and stores its pooled taps as .npz:
    keys '<model>/<px>/<image>/<layer>' (float32) and '__meta__' (versions, generator)."""
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tfjs_golden.mjs")
    d = json.loads(subprocess.run(["node", script, npm_dir()], check=True, capture_output=True).stdout)
    arrays = {}
    for r in d["results"]:
        prefix = f"{r['model']}/{r['px']}/{r['image']}/"
        for k, v in r.items():
            if isinstance(v, list) and k != "corner_shape":
                arr = np.asarray(v, np.float32)
                arrays[prefix + k] = arr.reshape(r["corner_shape"]) if k == "corner" else arr
    meta = {"generator": "factory/tfjs_golden.mjs", "tfjs": d["tfjs"], "backend": d["backend"],
            "package": f"{PACKAGE}@{VERSION}", "node": subprocess.run(["node", "--version"],
            capture_output=True, text=True).stdout.strip()}
    os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)
    np.savez_compressed(out_path, __meta__=np.array(json.dumps(meta)), **arrays)
    print(f"golden: {len(arrays)} arrays -> {out_path} ({os.path.getsize(out_path)} bytes)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    ap.add_argument("--tfjs", action="store_true",
                    help="also install @tensorflow/tfjs + tfjs-backend-wasm (for tfjs_golden.mjs)")
    ap.add_argument("--golden", metavar="NPZ",
                    help="run the original in tfjs (implies --tfjs) and write golden pooled taps here")
    args = ap.parse_args()
    args.tfjs = args.tfjs or bool(args.golden)
    wanted = []
    if installed_version() != VERSION:
        wanted.append(f"{PACKAGE}@{VERSION}")
    if args.tfjs and not os.path.isdir(os.path.join(npm_dir(), "node_modules", "@tensorflow", "tfjs-backend-wasm")):
        wanted += ["@tensorflow/tfjs@4.22.0", "@tensorflow/tfjs-backend-wasm@4.22.0"]
    if wanted:
        npm_install(wanted)
    if installed_version() != VERSION:
        sys.exit(f"{PACKAGE}@{VERSION} not found in {npm_dir()}")
    for model in args.models:
        save(model)
    if args.golden:
        make_golden(args.golden)


if __name__ == "__main__":
    main()
