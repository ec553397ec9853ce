"""Golden outputs of TFLite int8 models for the import's bit-exactness test (tests/data/tflite/).

For each model: the int8 value of every activation tensor on a few fixed inputs, computed by
factory/tflite_int8_reference.py (TFLite's reference kernels in numpy), after that reference has
been checked op by op against TensorFlow Lite itself (factory/tflite_wasm.mjs: the interpreter
of npm @tensorflow/tfjs-tflite@0.0.1-alpha.10, XNNPack off for int8): every op is fed TFLite's
own input tensors and must give TFLite's output exactly, except CONV_2D, whose optimized kernel
(ruy) rounds its requantization once instead of twice; there the reference must equal TFLite
with ruy's rounding, and the outputs where the two roundings differ are counted and written to
the summary (docs/import.md reports them op by op). tests/test_tflite_golden.c then runs the
models through `microt import` and the C runtime and compares every tensor.

Models: the arith_*.tflite test models (tests/make_tflite_models.py, copied into the output
folder) and, when --tflite-dir holds them, the two MLPerf Tiny models (their goldens keep a
CRC-32 of the large tensors and the bytes of the small ones; the models stay outside the repo).

usage: python3 -m factory.make_tflite_golden --microt build/tools/microt
       [--tflite-dir ../shared/data/tflite] [--out tests/data/tflite]
"""
import argparse
import base64
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

import numpy as np

from factory import tflite_int8_reference as ref
from factory.cifar import cache_dir

PACKAGE, VERSION = "@tensorflow/tfjs-tflite", "0.0.1-alpha.10"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MLPERF = {"vww_96_int8": 3, "ic_resnet8_int8": 4}     # model -> cases
ARITH = {"arith_a": 6, "arith_b": 6, "arith_mean": 6}
FULL_BYTES_LIMIT = 1024   # MLPerf tensors up to this size are stored whole, larger ones as CRC-32


def npm_dir():
    return os.path.join(cache_dir(), "npm-tflite")


def ensure_package():
    """The pinned package in its own npm prefix (no peer dependencies: only the wasm is used)."""
    pj = os.path.join(npm_dir(), "node_modules", *PACKAGE.split("/"), "package.json")
    try:
        with open(pj) as f:
            if json.load(f)["version"] == VERSION:
                return
    except (OSError, ValueError, KeyError):
        pass
    os.makedirs(npm_dir(), exist_ok=True)
    top = os.path.join(npm_dir(), "package.json")
    if not os.path.exists(top):
        with open(top, "w") as f:
            json.dump({"name": "microt-tflite-reference", "private": True}, f)
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--save-exact", "--legacy-peer-deps",
                    "--prefix", npm_dir(), f"{PACKAGE}@{VERSION}"], check=True)


def make_inputs(shape, n, seed):
    """n int8 input tensors: uniform noise over the whole range, smooth gradients, blocks, a
    narrow band (integer arithmetic only; the generator's seed is in the summary)."""
    rng = np.random.default_rng(seed)
    _, h, w, c = shape
    yy, xx = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    out = []
    for k in range(n):
        kind = k % 4
        if kind == 0:
            x = rng.integers(-128, 128, (h, w, c))
        elif kind == 1:
            x = np.stack([(xx * 255 // max(w - 1, 1) + 97 * ch) % 256 - 128 +
                          (yy * 64 // max(h - 1, 1)) for ch in range(c)], -1)
        elif kind == 2:
            x = np.stack([((yy // 4) * 37 + (xx // 4) * 91 + ch * 50) % 256 - 128 for ch in range(c)], -1)
        else:
            lo = int(rng.integers(-128, 64))
            x = rng.integers(lo, lo + 64, (h, w, c))
        out.append(np.clip(x, -128, 127).astype(np.int8).reshape(shape))
    return out


def run_tflite(jobs):
    script = os.path.join(ROOT, "factory", "tflite_wasm.mjs")
    job = {"models": [{"path": p, "outputs": outs, "inputs": [base64.b64encode(x.tobytes()).decode() for x in xs]}
                      for p, outs, xs in jobs]}
    r = subprocess.run(["node", script, npm_dir()], input=json.dumps(job), capture_output=True,
                       text=True, check=True)
    return json.loads(r.stdout)


def check_model(name, path, n_cases, microt, seed):
    """Returns (golden tensors per case, inputs, per-op summary, profile)."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([microt, "tflite-dump", path, "-o", tmp], check=True, capture_output=True)
        g = ref.Graph(tmp)
    acts = sorted({o for op in g.ops for o in op["outputs"] if g.is_activation(o)})
    shape = g.tensors[g.inputs[0]]["shape"]
    inputs = make_inputs(shape, n_cases, seed)
    t = run_tflite([(path, acts, inputs)])
    tm = t["models"][0]
    if tm["delegated"]:
        sys.exit(f"{name}: {tm['delegated']} nodes ran in a delegate: {tm['profile']}")
    ops = []
    golden = []
    for k, x in enumerate(inputs):
        tfl = {int(i): np.frombuffer(base64.b64decode(v), np.int8).reshape(g.tensors[int(i)]["shape"])
               for i, v in tm["cases"][k].items()}
        tfl[g.inputs[0]] = x
        mine = ref.run(g, x)                                  # TFLite's reference kernels
        golden.append(mine)
        for j, op in enumerate(g.ops):
            if op["op"] not in ref.SUPPORTED:
                continue
            o = op["outputs"][0]
            as_built = ref.run_op(g, op, tfl, kernels="optimized")
            reference = ref.run_op(g, op, tfl, kernels="reference")
            if k == 0:
                ops.append(dict(index=j, op=op["op"], elements=int(tfl[o].size), isolated_vs_tflite=0,
                                reference_vs_tflite=0, chain_vs_tflite=0))
            rec = next(r for r in ops if r["index"] == j)
            rec["isolated_vs_tflite"] += int((as_built != tfl[o]).sum())
            rec["reference_vs_tflite"] += int((reference != tfl[o]).sum())
            if o in mine:
                rec["chain_vs_tflite"] += int((mine[o] != tfl[o]).sum())
    for r in ops:
        r["elements"] *= len(inputs)
    return g, acts, golden, inputs, ops, tm["profile"], t


def write_golden(path, g, acts, golden, inputs, model_bytes, full_limit):
    """Format (little-endian), read by tests/test_tflite_golden.c:
    "MTTG" u32 version = 1, u32 crc32 of the .tflite, u32 n_cases, u32 n_tensors, u32 input_bytes
    n_tensors x (i32 tensor index, u32 bytes, u32 kind: 1 = bytes stored, 0 = crc32 stored)
    n_cases x (i8 input[input_bytes], then per tensor its bytes or its u32 crc32)"""
    entries = []
    for i in acts:
        if i not in golden[0]:
            continue
        n = int(np.prod(g.tensors[i]["shape"]))
        entries.append((i, n, 1 if n <= full_limit else 0))
    out = bytearray(b"MTTG")
    out += struct.pack("<IIIII", 1, zlib.crc32(model_bytes), len(inputs), len(entries), inputs[0].size)
    for i, n, kind in entries:
        out += struct.pack("<iII", i, n, kind)
    for x, vals in zip(inputs, golden):
        out += x.tobytes()
        for i, n, kind in entries:
            b = vals[i].tobytes()
            out += b if kind else struct.pack("<I", zlib.crc32(b))
    with open(path + ".tmp", "wb") as f:
        f.write(out)
    os.replace(path + ".tmp", path)
    return len(entries), len(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--microt", required=True, help="the microt binary (for tflite-dump)")
    ap.add_argument("--tflite-dir", default=os.path.join(ROOT, "..", "shared", "data", "tflite"))
    ap.add_argument("--out", default=os.path.join(ROOT, "tests", "data", "tflite"))
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args()
    ensure_package()
    os.makedirs(args.out, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, os.path.join(ROOT, "tests", "make_tflite_models.py"), tmp],
                       check=True, capture_output=True)
        for name in ARITH:
            shutil.copyfile(os.path.join(tmp, name + ".tflite"), os.path.join(args.out, name + ".tflite"))
    models = [(n, os.path.join(args.out, n + ".tflite"), c, 0) for n, c in ARITH.items()]
    models += [(n, os.path.join(args.tflite_dir, n + ".tflite"), c, 1) for n, c in MLPERF.items()
               if os.path.exists(os.path.join(args.tflite_dir, n + ".tflite"))]
    summary = {"generator": "factory/make_tflite_golden.py", "seed": args.seed, "models": {}}
    failed = False
    for k, (name, path, n_cases, mlperf) in enumerate(models):
        g, acts, golden, inputs, ops, profile, t = check_model(name, path, n_cases, args.microt, args.seed + k)
        summary.update({key: t[key] for key in ("package", "node", "wasm", "wasm_sha256", "patch")})
        with open(path, "rb") as f:
            model_bytes = f.read()
        n_t, size = write_golden(os.path.join(args.out, name + ".golden"), g, acts, golden, inputs,
                                 model_bytes, FULL_BYTES_LIMIT if mlperf else 1 << 30)
        summary["models"][name] = dict(file=os.path.basename(path), cases=n_cases, tensors=n_t,
                                       golden_bytes=size, tflite_profile=profile, ops=ops)
        bad = [r for r in ops if r["isolated_vs_tflite"]]
        failed |= bool(bad)
        print(f"{name}: {n_cases} cases, {n_t} tensors, {size} bytes; profile {profile}")
        for r in ops:
            print("  op %2d %-18s %7d outputs: reference vs TFLite %5d (isolated; optimized %d), chain %d"
                  % (r["index"], r["op"], r["elements"], r["reference_vs_tflite"], r["isolated_vs_tflite"],
                     r["chain_vs_tflite"]))
    summary["python"] = sys.version.split()[0]
    summary["numpy"] = np.__version__
    with open(os.path.join(args.out, "golden.json"), "w") as f:
        json.dump(summary, f, indent=1)
        f.write("\n")
    if failed:
        sys.exit("the numpy reference disagrees with TFLite beyond the conv rounding (see above)")


if __name__ == "__main__":
    main()
